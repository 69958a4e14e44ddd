#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# HKDF-SHA256 (lib/hkdf.c) against the RFC 5869 appendix A vectors.

load helpers/common

hkdf() { "$AXO_TBIN/unit/hkdf" "$@"; }

@test "hkdf: RFC 5869 A.1 basic" {
	run hkdf 000102030405060708090a0b0c \
		0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b \
		f0f1f2f3f4f5f6f7f8f9 42
	[ "$status" -eq 0 ]
	[ "$output" = 3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865 ]
}

@test "hkdf: RFC 5869 A.2 longer inputs and outputs" {
	ikm=$(printf '%02x' $(seq 0 79))
	salt=$(printf '%02x' $(seq 96 175))
	info=$(printf '%02x' $(seq 176 255))
	run hkdf "$salt" "$ikm" "$info" 82
	[ "$status" -eq 0 ]
	[ "$output" = b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87 ]
}

@test "hkdf: RFC 5869 A.3 zero-length salt and info" {
	run hkdf - 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b "" 42
	[ "$status" -eq 0 ]
	[ "$output" = 8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8 ]
}

@test "hkdf: an empty salt equals the absent one (RFC 5869 2.2)" {
	run hkdf "" 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b "" 42
	[ "$status" -eq 0 ]
	# HMAC pads a short key with zeros: "" and 32 zero bytes agree.
	[ "$output" = 8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8 ]
}

@test "hkdf: 255*32 bytes is the most (RFC 5869 2.3)" {
	run hkdf - 00 "" 8160
	[ "$status" -eq 0 ]
	[ "${#output}" -eq 16320 ]
	run hkdf - 00 "" 8161
	[ "$status" -eq 100 ]
	[ "$output" = "hkdf: usage: hkdf salt|- ikm info L" ]
}
