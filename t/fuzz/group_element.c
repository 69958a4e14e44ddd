/* SPDX-License-Identifier: GPL-2.0-only */
/* group_element: libFuzzer target for the SMP and SPAKE2 element checks. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "axo.h"
#include "smp.h"
#include "spake2.h"

/*
 * The first byte picks the group: even ristretto255 (axo_smp_element_ok),
 * odd Ed25519 (axo_spake2_element_ok); the next 32 bytes are the element.
 * Each check is held to an oracle that decides "canonical" another way:
 *
 *  ristretto255: the encoding is valid and equals its own re-encoding
 *  (libsodium decodes, ignoring bit 255 in 1.0.18, and encodes the sum
 *  with the identity canonically), and is not the identity;
 *  Ed25519: libsodium's is_valid_point, and the field element y (bit 255
 *  cleared) compared below p = 2^255 - 19 byte by byte here, and the sign
 *  bit clear when x = 0 (y = 1 or y = -1, both of small order anyway).
 *
 * Once accepted, the element must also take part in group arithmetic
 * (a scalar multiplication) without an error.
 *
 * Built with -DGROUP_ELEMENT_GEN and without -fsanitize=fuzzer, it writes
 * seeds: valid elements, each with bit 255 set, the identities, y = p.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when y (little-endian, bit 255 ignored) is below 2^255 - 19. */
static int
y_below_p(const unsigned char *e)
{
	static const unsigned char p[32] = {
		0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
	};
	int i;
	unsigned char b;

	for (i = 31; i >= 0; i--) {
		b = i == 31 ? e[i] & 0x7f : e[i];
		if (b != p[i])
			return b < p[i];
	}
	return 0;
}

static int
ristretto_oracle(const unsigned char *e)
{
	static const unsigned char zero[32];
	unsigned char q[32];

	if (crypto_core_ristretto255_add(q, e, zero) != 0)
		return 0;
	return memcmp(q, e, 32) == 0 && !sodium_is_zero(e, 32);
}

static int
ed25519_oracle(const unsigned char *e)
{
	static const unsigned char one[32] = { 1 };
	unsigned char y[32];

	if (!crypto_core_ed25519_is_valid_point(e) || !y_below_p(e))
		return 0;
	memcpy(y, e, 32);
	y[31] &= 0x7f;
	if ((e[31] & 0x80) && (memcmp(y, one, 32) == 0))
		return 0;	/* x = 0 for y = 1; y = -1 is of small order */
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	static const unsigned char k[32] = { 7 };
	unsigned char e[32], q[32];
	int ok, want;

	if (!init) {
		if (sodium_init() < 0)
			abort();
		init = 1;
	}
	if (size != 33)
		return 0;
	memcpy(e, data + 1, 32);
	if (data[0] % 2 == 0) {
		ok = axo_smp_element_ok(e);
		want = ristretto_oracle(e);
		if (ok && crypto_scalarmult_ristretto255(q, k, e) != 0)
			abort();
	} else {
		ok = axo_spake2_element_ok(e);
		want = ed25519_oracle(e);
		if (ok && crypto_scalarmult_ed25519_noclamp(q, k, e) != 0)
			abort();
	}
	if (ok != want)
		abort();
	return 0;
}

#ifdef GROUP_ELEMENT_GEN
int main(int, char **);

static void
put(const char *dir, const char *name, int group, const unsigned char *e)
{
	unsigned char buf[33];
	char path[4096];
	FILE *f;

	buf[0] = (unsigned char)group;
	memcpy(buf + 1, e, 32);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(buf, 1, 33, f) != 33 || fclose(f) != 0)
		exit(111);
	LLVMFuzzerTestOneInput(buf, 33);
}

int
main(int argc, char **argv)
{
	/* fixed seeds: the generators and 2*B, not random points */
	static const unsigned char two[32] = { 2 };
	unsigned char e[32], s[32] = { 0 };

	if (argc != 2 || sodium_init() < 0)
		return 100;
	crypto_scalarmult_ristretto255_base(e, two);
	put(argv[1], "ristretto-2g", 0, e);
	e[31] |= 0x80;
	put(argv[1], "ristretto-2g-bit255", 0, e);
	put(argv[1], "ristretto-identity", 0, s);
	crypto_scalarmult_ed25519_base_noclamp(e, two);
	put(argv[1], "ed25519-2b", 1, e);
	e[31] ^= 0x80;
	put(argv[1], "ed25519-2b-sign", 1, e);
	s[0] = 1;
	put(argv[1], "ed25519-identity", 1, s);
	memset(e, 0xff, 32);
	e[0] = 0xed;
	e[31] = 0x7f;
	put(argv[1], "ed25519-y-is-p", 1, e);
	return 0;
}
#endif
