#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axo-ratchet: usage, round trips, out of order, replay, skip bounds,
# tampering, state hygiene, and wrap over a socket pair.

load helpers/common
bats_require_minimum_version 1.5.0

setup() {
	axo_setup_tmp
	umask 077
	cd "$T"
}

teardown() {
	cd /
	axo_teardown_tmp
}

flip() { "$AXO_TBIN/helpers/flip" "$@"; }
pair() { "$AXO_TBIN/helpers/pair" "$@"; }

# A session: session key sk, bob's key file bk, states a (alice), b (bob).
mksession() {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen 5>bk)
	axo-ratchet init -r bob -S b 4<bk <sk
	axo-ratchet init -r alice -p "$pub" -S a <sk
}

# enc STATE MSG > record; dec STATE < records
enc() { printf '%s' "$2" | axo-ratchet encrypt -S "$1"; }
dec() { axo-ratchet decrypt -S "$1"; }

@test "usage: no subcommand, unknown subcommand, --help" {
	run axo-ratchet
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: usage: axo-ratchet keygen [-S file] [--insecure-disk]" ]
	run axo-ratchet frobnicate
	[ "$status" -eq 100 ]
	run axo-ratchet --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: axo-ratchet keygen [-S file] [--insecure-disk]" ]
	run axo-ratchet decrypt --help
	[ "$status" -eq 0 ]
}

@test "usage: repeated options, stray operands, foreign options" {
	mksession
	run axo-ratchet encrypt -a -a -S a
	[ "$status" -eq 100 ]
	[ "${lines[0]%% keygen*}" = "axo-ratchet: usage: axo-ratchet" ]
	run axo-ratchet encrypt -S a extra
	[ "$status" -eq 100 ]
	run axo-ratchet keygen -a 5>/dev/null
	[ "$status" -eq 100 ]
	run axo-ratchet id -r bob -S a
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a
	[ "$status" -eq 100 ]
	# an unknown option names itself, in our words, not getopt's
	run axo-ratchet keygen --foo 5>/dev/null
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: unknown option --foo" ]
	[ "${lines[1]%% keygen*}" = "axo-ratchet: usage: axo-ratchet" ]
	run axo-ratchet init -z
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: unknown option -z" ]
}

@test "keygen: a 72-byte key file on fd 5 and the public key on stdout" {
	run axo-ratchet keygen 5>bk
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	[ "$(stat -c %s bk)" -eq 72 ]
	# the printed key is the key file's public half
	[ "$(tail -c 32 bk | od -An -tx1 | tr -d ' \n')" = "$output" ]
	run axo-ratchet keygen -S k2
	[ "$status" -eq 0 ]
	[ "$(stat -c %s k2)" -eq 72 ]
	[ "$(stat -c %a k2)" = 600 ]
}

@test "keygen: missing fd 5 is a usage error" {
	run axo-ratchet keygen 5>&-
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: missing fd 5 (state out)" ]
}

@test "init: both sides agree on the session id; other keys, other ids" {
	mksession
	[ "$(axo-ratchet id -S a)" = "$(axo-ratchet id -S b)" ]
	[[ "$(axo-ratchet id -S a)" =~ ^[0-9a-f]{64}$ ]]
	[[ "$(axo-ratchet id -f -S a)" =~ ^([0-9a-f]{4} ){4}[0-9a-f]{4}$ ]]
	[ "$(axo-ratchet id -f -S a)" = "$(axo-ratchet id -f -S b)" ]
	head -c 32 /dev/urandom >sk2
	axo-ratchet init -r alice -p "$pub" -S a2 <sk2
	[ "$(axo-ratchet id -S a)" != "$(axo-ratchet id -S a2)" ]
}

@test "init: bad roles, keys and session keys are refused, nothing written" {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen 5>bk)
	run axo-ratchet init -r carol -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: role must be alice or bob: carol" ]
	run axo-ratchet init -r alice -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: alice needs bob's public key (-p)" ]
	run axo-ratchet init -r alice -p 1234 -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: public key must be 64 hex digits: 1234" ]
	run axo-ratchet init -r bob -p "$pub" -S s 4<bk <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: -p is alice's: bob has his own key" ]
	# a low-order point gives no shared secret
	run axo-ratchet init -r alice -p "$(printf '%064d' 0)" -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: public key is not a usable X25519 key" ]
	head -c 31 sk >short
	run axo-ratchet init -r alice -p "$pub" -S s <short
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: session key must be exactly 32 bytes" ]
	head -c 33 /dev/zero >long
	run axo-ratchet init -r bob -S s 4<bk <long
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: session key must be exactly 32 bytes" ]
	head -c 72 /dev/urandom >notakey
	run axo-ratchet init -r bob -S s 4<notakey <sk
	[ "$status" -eq 96 ]
	[ "$output" = "axo-ratchet: fatal: key file is not a valid key" ]
	[ ! -e s ] && [ ! -e s.new ]
}

@test "round trip: fifty alternations, every one a DH step, byte-exact" {
	mksession
	for i in $(seq 1 50); do
		head -c $((i * 37)) /dev/urandom >m
		axo-ratchet encrypt -S a <m >r
		axo-ratchet decrypt -S b <r >got 2>err
		cmp m got
		[ ! -s err ]
		head -c $((i * 11)) /dev/urandom >m
		axo-ratchet encrypt -S b <m >r
		axo-ratchet decrypt -S a <r >got 2>err
		cmp m got
		[ ! -s err ]
	done
}

@test "round trip: an empty message, a full one, and the bucket edges" {
	mksession
	: >m0
	axo-ratchet encrypt -S a <m0 >r
	[ "$(stat -c %s r)" -eq 498 ]
	dec b <r >got
	cmp m0 got
	for n in 374:498 375:996 63620:63744; do
		head -c "${n%%:*}" /dev/urandom >m
		axo-ratchet encrypt -S a <m >r
		[ "$(stat -c %s r)" -eq "${n##*:}" ]
		dec b <r >got
		cmp m got
	done
}

@test "encrypt: a message over the largest bucket is refused, state unchanged" {
	mksession
	cp a a.before
	head -c 63621 /dev/zero >big
	run axo-ratchet encrypt -S a <big
	[ "$status" -eq 98 ]
	[ "$output" = "axo-ratchet: fatal: message too large: at most 63620 bytes" ]
	cmp a a.before
}

@test "encrypt: bob cannot send before alice's first record" {
	mksession
	cp b b.before
	run axo-ratchet encrypt -S b </dev/null
	[ "$status" -eq 97 ]
	[ "$output" = "axo-ratchet: fatal: bob cannot send before he has decrypted a record from alice" ]
	cmp b b.before
}

@test "decrypt: several records in one input, in order" {
	mksession
	enc a one >r1; enc a two >r2; enc a three >r3
	run sh -c 'cat r1 r2 r3 | axo-ratchet decrypt -S b'
	[ "$status" -eq 0 ]
	[ "$output" = onetwothree ]
}

@test "out of order: within a chain and across DH steps" {
	mksession
	enc a a1 >a1; enc a a2 >a2; enc a a3 >a3
	[ "$(dec b <a3)" = a3 ]
	enc b b1 >b1
	[ "$(dec a <b1)" = b1 ]
	enc a a4 >a4
	[ "$(dec b <a4)" = a4 ]
	# a1 and a2 are from alice's first chain: their keys were skipped
	[ "$(dec b <a2)" = a2 ]
	[ "$(dec b <a1)" = a1 ]
	enc b b2 >b2; enc b b3 >b3
	[ "$(dec a <b3)" = b3 ]
	[ "$(dec a <b2)" = b2 ]
}

@test "replay: a record decrypts once; the state stays as it was" {
	mksession
	enc a hello >r1
	[ "$(dec b <r1)" = hello ]
	cp b b.before
	run axo-ratchet decrypt -S b <r1
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 1 does not authenticate" ]
	cmp b b.before
	# a skipped key is used once, too
	enc a x >x1; enc a y >y1
	[ "$(dec b <y1)" = y ]
	[ "$(dec b <x1)" = x ]
	cp b b.before
	run axo-ratchet decrypt -S b <x1
	[ "$status" -eq 1 ]
	cmp b b.before
}

@test "MAX_SKIP: 1000 skipped keys are accepted, 1001 refused" {
	mksession
	for i in $(seq 1 1002); do
		enc a "m$i" >r
		[ "$i" -ne 1001 ] || cp r r1001
	done
	cp b b.before
	run axo-ratchet decrypt -S b <r
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 1 skips more than 1000 messages" ]
	cmp b b.before
	run axo-ratchet decrypt -S b <r1001
	[ "$status" -eq 0 ]
	[ "$output" = m1001 ]
	[ "$(stat -c %s b)" -eq $((384 + 1000 * 72)) ]
	[ "$(dec b <r)" = m1002 ]
}

@test "tamper: every byte of a record flipped: exit 1, no output, state unchanged" {
	mksession
	enc a secret >r
	[ "$(stat -c %s r)" -eq 498 ]
	cp b b.before
	for i in $(seq 0 497); do
		flip "$i" <r >t
		set +e
		axo-ratchet decrypt -S b <t >out 2>err
		st=$?
		set -e
		[ "$st" -eq 1 ] || { echo "byte $i: exit $st"; false; }
		[ ! -s out ] || { echo "byte $i: output"; false; }
		cmp -s b b.before || { echo "byte $i: state changed"; false; }
	done
	# and the untouched record still decrypts
	[ "$(dec b <r)" = secret ]
}

@test "tamper: truncated and extended records are malformed" {
	mksession
	enc a secret >r
	cp b b.before
	for n in 1 2 100 497; do
		head -c "$n" r >t
		run axo-ratchet decrypt -S b <t
		[ "$status" -eq 1 ]
		[ "$output" = "axo-ratchet: fatal: record 1 is malformed" ]
	done
	{ cat r; printf x; } >t
	run axo-ratchet decrypt -S b <t
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 2 is malformed" ]
	cmp b b.before
	# all or nothing: a good record before a bad one is not released
	enc a second >r2
	{ cat r; flip 300 <r2; } >t
	run axo-ratchet decrypt -S b <t
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 2 does not authenticate" ]
	cmp b b.before
}

@test "wrong session: a record of another session does not authenticate" {
	mksession
	mv a a1; mv b b1
	mksession
	enc a1 hello >r
	cp b b.before
	run axo-ratchet decrypt -S b <r
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 1 does not authenticate" ]
	cmp b b.before
}

@test "armor: base64 lines round trip, and bad armor is refused" {
	mksession
	printf 'line one\n' | axo-ratchet encrypt -a -S a >r1
	printf 'line two\n' | axo-ratchet encrypt -a -S a >r2
	[ "$(wc -l <r1)" -eq 1 ]
	grep -Eq '^[A-Za-z0-9+/=]+$' r1
	run sh -c 'cat r1 r2 | axo-ratchet decrypt -a -S b'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'line one\nline two')" ]
	printf 'not*base64\n' >bad
	cp b b.before
	run axo-ratchet decrypt -a -S b <bad
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: input is not armored records" ]
	cmp b b.before
}

@test "state: invalid, truncated, foreign states are refused with 96" {
	mksession
	head -c 384 /dev/urandom >junk
	run axo-ratchet encrypt -S junk </dev/null
	[ "$status" -eq 96 ]
	[ "$output" = "axo-ratchet: fatal: state is not a valid ratchet state" ]
	head -c 383 a >short
	run axo-ratchet id -S short
	[ "$status" -eq 96 ]
	run axo-ratchet id -S bk
	[ "$status" -eq 96 ]
	# one flipped bit in the key pair is caught too
	flip 100 <a >bent
	run axo-ratchet id -S bent
	[ "$status" -eq 96 ]
	head -c 200000 /dev/zero >huge
	run axo-ratchet id -S huge
	[ "$status" -eq 96 ]
	[ "$output" = "axo-ratchet: fatal: state is too large" ]
}

@test "state: fds 4 and 5 work; a missing fd is a usage error" {
	mksession
	printf hi | axo-ratchet encrypt 4<a 5>a.new >r
	mv a.new a
	[ "$(axo-ratchet decrypt 4<b 5>b.new <r)" = hi ]
	run axo-ratchet encrypt 4<&- 5>x.new </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: missing fd 4 (state in)" ]
	run axo-ratchet encrypt 4<a 5>&- </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: missing fd 5 (state out)" ]
	[ ! -s x.new ]
}

@test "state: a state on a disk is refused unless --insecure-disk" {
	mksession
	disk=$(axo_disk_dir)
	cp a "$disk/a"
	cp a a.before
	run axo-ratchet encrypt -S "$disk/a" </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: fd 3 (state) is not on tmpfs: refusing to put secrets on a disk" ] ||
	[[ "$output" =~ ^"axo-ratchet: fatal: fd "[0-9]+" (state) is not on tmpfs: refusing to put secrets on a disk"$ ]]
	cmp "$disk/a" a.before
	[ ! -e "$disk/a.new" ]
	run axo-ratchet encrypt 4<a 5>"$disk/out" </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: fd 5 (state out) is not on tmpfs: refusing to put secrets on a disk" ]
	[ ! -s "$disk/out" ]
	run axo-ratchet keygen -S "$disk/k"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: $disk/k.new is not on tmpfs: refusing to put secrets on a disk" ]
	[ ! -e "$disk/k" ] && [ ! -e "$disk/k.new" ]
	printf ok | axo-ratchet encrypt --insecure-disk -S "$disk/a" >r
	! cmp -s "$disk/a" a.before
	[ "$(dec b <r)" = ok ]
}

@test "wrap: 100 MiB both ways at once over a socket pair, byte-exact" {
	mksession
	head -c 100M /dev/urandom >A
	head -c 100M /dev/urandom >B
	cat >kid <<-'EOF'
	#!/bin/sh
	cat "$1" >&7 6<&- &
	exec 7>&-
	cat <&6 >"$2"
	wait
	EOF
	chmod +x kid
	run timeout 120 "$AXO_TBIN/helpers/pair" \
		axo-ratchet wrap -S a ./kid A gotB -- \
		axo-ratchet wrap -S b ./kid B gotA
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(sha A)" = "$(sha gotA)" ]
	[ "$(sha B)" = "$(sha gotB)" ]
	# the states moved on and still work for one-shot use
	[ "$(enc a after | dec b)" = after ]
	[ "$(enc b back | dec a)" = back ]
}

@test "wrap: the child's exit status passes through" {
	mksession
	run "$AXO_TBIN/helpers/pair" \
		axo-ratchet wrap -S a sh -c 'exec 7>&-; cat <&6 >/dev/null; exit 3' -- \
		axo-ratchet wrap -S b sh -c 'exec 7>&-; cat <&6 >/dev/null; exit 0'
	[ "$status" -eq 3 ]
	run -127 axo-ratchet wrap -S a /nonexistent/prog 6</dev/null 7>/dev/null
	grep -Fxq "axo-ratchet: fatal: unable to exec /nonexistent/prog: No such file or directory" <<<"$output"
}

@test "wrap: a recorded stream replays into a fresh state; tampering and truncation are caught" {
	mksession
	cp b b0
	# alice's side alone: the network is a file; she hears nothing back
	run axo-ratchet wrap -S a sh -c 'printf hello >&7' 6</dev/null 7>stream
	[ "$status" -eq 111 ]
	[ "$output" = "axo-ratchet: warning: the network closed before the end of the stream" ]
	run axo-ratchet wrap -S b sh -c 'exec 7>&-; cat <&6 >got' 6<stream 7>/dev/null
	[ "$status" -eq 0 ]
	[ "$(cat got)" = hello ]
	# one flipped byte in the second record (the first is alice's hello)
	cp b0 b
	flip 600 <stream >bent
	rm -f got
	run axo-ratchet wrap -S b sh -c 'exec 7>&-; cat <&6 >got' 6<bent 7>/dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: warning: record 2 from the network does not authenticate" ]
	[ ! -s got ]
	# the end-of-stream record cut off: the child sees EOF, wrap says so
	cp b0 b
	head -c $(($(stat -c %s stream) - 498)) stream >cut
	run axo-ratchet wrap -S b sh -c 'exec 7>&-; cat <&6 >got' 6<cut 7>/dev/null
	[ "$status" -eq 111 ]
	[ "$output" = "axo-ratchet: warning: the network closed before the end of the stream" ]
	[ "$(cat got)" = hello ]
}

# The independent model (t/vectors/dr_model.py: python3-nacl and hashlib,
# written from the spec) talks to the C side in both directions.
model() { /usr/bin/python3 "$AXO_TOP/t/vectors/dr_model.py" "$@"; }

@test "model: a Python alice and a C bob, out of order, many DH steps" {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen 5>bk)
	axo-ratchet init -r bob -S b 4<bk <sk
	model init alice ma "$pub" <sk
	[ "$(model id ma)" = "$(axo-ratchet id -S b)" ]
	for i in $(seq 1 8); do
		printf "a$i-1" | model encrypt ma >r1
		printf "a$i-2" | model encrypt ma >r2
		[ "$(dec b <r2)" = "a$i-2" ]
		[ "$(dec b <r1)" = "a$i-1" ]
		head -c $((i * 5000)) /dev/urandom >m
		axo-ratchet encrypt -S b <m >r
		model decrypt ma <r >got
		cmp m got
	done
}

@test "model: a C alice and a Python bob; the model rejects a flipped record" {
	head -c 32 /dev/urandom >sk
	pub=$(model keygen mk)
	model init bob mb mk <sk
	axo-ratchet init -r alice -p "$pub" -S a <sk
	[ "$(model id mb)" = "$(axo-ratchet id -S a)" ]
	for i in $(seq 1 8); do
		enc a "a$i" >r
		[ "$(model decrypt mb <r)" = "a$i" ]
		printf "b$i-1" | model encrypt mb >r1
		printf "b$i-2" | model encrypt mb >r2
		[ "$(cat r1 r2 | dec a)" = "b$i-1b$i-2" ]
	done
	enc a last >r
	flip 200 <r >bent
	run model decrypt mb <bent
	[ "$status" -eq 1 ]
	[ "$output" = "dr_model: record does not authenticate" ]
	[ "$(model decrypt mb <r)" = last ]
}

@test "man page: the first EXAMPLES block runs as written" {
	awk '/^\.Sh EXAMPLES/ { ex = 1 } ex && /^\.Bd -literal/ { on = 1; next }
	    on && /^\.Ed/ { exit } on' "$AXO_TOP/man/axo-ratchet.1" >block
	grep -q '^\$ axo-ratchet init -r alice' block
	sed -n 's/^\$ //p' block | sed 's|/dev/shm/axo|'"$T"'/axo|' >script
	grep -v '^\$ ' block >expected
	run sh -e script
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat expected)" ]
}

@test "valgrind: keygen, init, encrypt, decrypt, a rejected record and wrap, no error" {
	command -v valgrind >/dev/null || skip "no valgrind"
	! grep -qa __asan_init "$AXO_BIN/axo-ratchet" || skip "a sanitizer build"
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
	head -c 32 /dev/urandom >sk
	pub=$($vg axo-ratchet keygen 5>bk)
	$vg axo-ratchet init -r bob -S b 4<bk <sk
	$vg axo-ratchet init -r alice -p "$pub" -S a <sk
	head -c 5000 /dev/urandom >m
	$vg axo-ratchet encrypt -S a <m >r
	$vg axo-ratchet decrypt -S b <r >got
	cmp m got
	run $vg axo-ratchet decrypt -S b <r
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 1 does not authenticate" ]
	head -c 1M /dev/urandom >A
	cat >kid <<-'EOS'
	#!/bin/sh
	cat "$1" >&7 6<&- &
	exec 7>&-
	cat <&6 >"$2"
	wait
	EOS
	chmod +x kid
	run --separate-stderr "$AXO_TBIN/helpers/pair" \
		$vg "$AXO_BIN/axo-ratchet" wrap -S a ./kid A gotA -- \
		$vg "$AXO_BIN/axo-ratchet" wrap -S b ./kid A gotB
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	cmp A gotA
	cmp A gotB
}

@test "wrap: whichever side ends first, both exit 0 (no half-close)" {
	mksession
	for i in $(seq 1 20); do
		run "$AXO_TBIN/helpers/pair" \
			axo-ratchet wrap -S a sh -c 'printf ping >&7; head -c 4 <&6 >got.a' -- \
			axo-ratchet wrap -S b sh -c 'head -c 4 <&6 >got.b; printf pong >&7'
		[ "$status" -eq 0 ] || { echo "run $i: $output"; false; }
		[ -z "$output" ]
		[ "$(cat got.a)" = pong ] && [ "$(cat got.b)" = ping ]
	done
}
