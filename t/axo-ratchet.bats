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

USAGE1="axo-ratchet: usage: axo-ratchet keygen [-f] [-S file] [--insecure-disk]"

@test "usage: no subcommand, unknown subcommand, --help" {
	run axo-ratchet
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "$USAGE1" ]
	run axo-ratchet frobnicate
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: fatal: unknown command: frobnicate" ]
	[ "${lines[1]}" = "$USAGE1" ]
	run axo-ratchet --foo=1
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: fatal: unknown option --foo" ]
	[ "${lines[1]}" = "$USAGE1" ]
	run axo-ratchet --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: axo-ratchet keygen [-f] [-S file] [--insecure-disk]" ]
	run axo-ratchet decrypt --help
	[ "$status" -eq 0 ]
}

# issue 13: --help lists each subcommand's options, one line each
@test "usage: --help has one line for each option of each subcommand" {
	run --separate-stderr axo-ratchet --help
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	for c in keygen init "encrypt, decrypt" wrap id; do
		grep -qx "$c options:" <<<"$output"
	done
	while read -r cmd longs; do
		run --separate-stderr axo-ratchet "$cmd" --help
		[ "$status" -eq 0 ]
		[ "$stderr" = "" ]
		[ "${lines[0]}" = "usage: $(axo-ratchet --help | grep -o "axo-ratchet $cmd .*")" ]
		[ "${lines[1]}" = "options:" ]
		for o in $longs help; do
			[ "$(grep -cE -- "^  -., --$o |^      --$o " <<<"$output")" -eq 1 ] ||
				{ echo "$cmd: --$o"; false; }
		done
		# the options of the usage line, and no other
		[ "${#lines[@]}" -eq $(( $(wc -w <<<"$longs") + 3 )) ]
	done <<-EOF
	keygen force state insecure-disk
	init role force key-fd peer keyfile state insecure-disk
	encrypt armor state insecure-disk
	decrypt armor state insecure-disk
	wrap state listen-fd peer-uid dial reconnect keepalive events-fd stream-fd watch-pid insecure-disk
	id fingerprint state insecure-disk
	EOF
}

# Issue 11: getopt's own "encrypt: invalid option" is gone; every bad
# option or operand is one "axo-ratchet: fatal:" line, then the usage.
@test "usage: every bad option or operand says what, then the usage line (100)" {
	mksession
	cp a a.before
	while IFS='|' read -r args want; do
		run --separate-stderr axo-ratchet $args </dev/null
		echo "$args: $status: $stderr" >&2
		[ "$status" -eq 100 ]
		[ "$output" = "" ]
		[ "${stderr_lines[0]}" = "axo-ratchet: fatal: $want" ]
		[ "${stderr_lines[1]}" = "$USAGE1" ]
		[ "${#stderr_lines[@]}" -eq 7 ]
	done <<-'EOF'
	encrypt -x -S a|unknown option -x
	encrypt --frobnicate -S a|unknown option --frobnicate
	encrypt --frobnicate=1 -S a|unknown option --frobnicate
	encrypt -S|option -S needs an argument
	encrypt --state|option --state needs an argument
	encrypt -a -a -S a|option -a is given twice
	encrypt --armor -a -S a|option -a is given twice
	encrypt -S a extra|unexpected operand: extra
	keygen -a|keygen takes no option -a
	keygen --armor|keygen takes no option --armor
	id -r bob -S a|id takes no option -r
	id --force -S a|id takes no option --force
	init --fingerprint -r bob|init takes no option --fingerprint
	init -r alice -k x|-k needs a file descriptor number: x
	init -p 00|init needs a role: -r alice or -r bob
	wrap -S a|wrap needs a program to run
	EOF
	cmp a a.before
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
	[ "$output" = "axo-ratchet: fatal: missing fd 5 (key file)" ]
}

# Issue 11: a secret key is binary output too; and a refusal is fatal.
@test "keygen and init refuse to write a secret to a terminal, encrypt binary records (fatal, 100)" {
	command -v script >/dev/null || skip "no script(1)"
	run script -qec "axo-ratchet keygen 5>/dev/tty" /dev/null
	[ "$status" -eq 100 ]
	[ "$(tr -d '\r' <<<"$output")" = "axo-ratchet: fatal: refusing to write the key file to a terminal" ]
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen -S bk)
	run script -qec "axo-ratchet init -r alice -p $pub 5>/dev/tty <sk" /dev/null
	[ "$status" -eq 100 ]
	[ "$(tr -d '\r' <<<"$output")" = "axo-ratchet: fatal: refusing to write the state to a terminal" ]
	axo-ratchet init -r alice -p "$pub" -S a <sk
	cp a a.before
	run script -qec "axo-ratchet encrypt -S a </dev/null" /dev/null
	[ "$status" -eq 100 ]
	[ "$(tr -d '\r' <<<"$output")" = "axo-ratchet: fatal: refusing to write binary records to a terminal
axo-ratchet: hint: use -a for armored text" ]
	cmp a a.before
}

# Issue 11: init and keygen replaced an existing state or key silently.
@test "init and keygen refuse to replace a file unless -f" {
	mksession
	for f in a b; do cp $f $f.before; done
	cp bk bk.before
	run axo-ratchet init -r alice -p "$pub" -S a <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: state a exists: refusing to replace it
axo-ratchet: hint: -f replaces it" ]
	cmp a a.before
	run axo-ratchet init -r bob -K bk -S b <sk
	[ "$status" -eq 100 ]
	cmp b b.before
	run --separate-stderr axo-ratchet keygen -S bk
	[ "$status" -eq 100 ]
	[ "$output" = "" ]
	[ "$stderr" = "axo-ratchet: fatal: key file bk exists: refusing to replace it
axo-ratchet: hint: -f replaces it" ]
	cmp bk bk.before
	[ ! -e a.new ]
	[ ! -e b.new ]
	[ ! -e bk.new ]
	# -f replaces: a new key, a new session
	run axo-ratchet keygen -f -S bk
	[ "$status" -eq 0 ]
	! cmp -s bk bk.before
	head -c 32 /dev/urandom >sk2
	axo-ratchet init -f -r alice -p "$output" -S a <sk2
	! cmp -s a a.before
	axo-ratchet init --force -r bob -K bk -S b <sk2
	[ "$(axo-ratchet id -S a)" = "$(axo-ratchet id -S b)" ]
	[ "$(enc a again | dec b)" = again ]
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

# Issue 11: the key file's errors say "key file", not "state".
@test "init: bob's key file: its errors name the key file" {
	head -c 32 /dev/urandom >sk
	run axo-ratchet init -r bob -S s <sk 4<&-
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: missing fd 4 (key file)" ]
	run axo-ratchet init -r bob -K nokey -S s <sk
	[ "$status" -eq 111 ]
	[ "$output" = "axo-ratchet: fatal: unable to open key file nokey: No such file or directory" ]
	head -c 100 /dev/zero >bigkey
	run axo-ratchet init -r bob -K bigkey -S s <sk
	[ "$status" -eq 96 ]
	[ "$output" = "axo-ratchet: fatal: key file is too large" ]
	mkfifo fifo
	run timeout 10 axo-ratchet init -r bob -K fifo -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: key file fifo is not a regular file" ]
	axo-ratchet keygen -S bk >/dev/null
	ln -s bk klink
	run axo-ratchet init -r bob -K klink -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: key file klink is a symbolic link: refusing to follow it" ]
	disk=$(axo_disk_dir)
	cp bk "$disk/bk"
	run axo-ratchet init -r bob -K "$disk/bk" -S s <sk
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: key file $disk/bk is not on tmpfs: refusing to put secrets on a disk" ]
	[ ! -e s ]
	[ ! -e s.new ]
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
	[ "$output" = "axo-ratchet: fatal: state $disk/a is not on tmpfs: refusing to put secrets on a disk" ]
	cmp "$disk/a" a.before
	[ ! -e "$disk/a.new" ]
	run axo-ratchet encrypt 4<a 5>"$disk/out" </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: fd 5 (state out) is not on tmpfs: refusing to put secrets on a disk" ]
	[ ! -s "$disk/out" ]
	run axo-ratchet keygen -S "$disk/k"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: key file $disk/k is not on tmpfs: refusing to put secrets on a disk" ]
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
}

# Issue 11: a program that cannot run is found out before the session
# (and its marker): no spurious "network closed", the state unchanged.
@test "wrap: a missing or unrunnable program: 127 or 126, one line, the state unchanged" {
	mksession
	cp a a.before
	run -127 axo-ratchet wrap -S a /nonexistent/prog 6</dev/null 7>/dev/null
	[ "$output" = "axo-ratchet: fatal: unable to exec /nonexistent/prog: No such file or directory" ]
	run -127 axo-ratchet wrap -S a axo-no-such-program 6</dev/null 7>/dev/null
	[ "$output" = "axo-ratchet: fatal: unable to exec axo-no-such-program: No such file or directory" ]
	printf '#!/bin/sh\n' >noexec
	chmod 600 noexec
	run -126 axo-ratchet wrap -S a ./noexec 6</dev/null 7>/dev/null
	[ "$output" = "axo-ratchet: fatal: unable to exec ./noexec: Permission denied" ]
	run -126 axo-ratchet wrap -S a . 6</dev/null 7>/dev/null
	[ "$output" = "axo-ratchet: fatal: unable to exec .: Permission denied" ]
	cmp a a.before
	[ ! -e a.new ]
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
		[ "$(cat got.a)" = pong ]
		[ "$(cat got.b)" = ping ]
	done
}

# ------------------------------------------------------------ issue 11

# State paths: a FIFO hung forever; init replaced a symbolic link that
# every other command refused.  Now one rule: a regular file, no link.
@test "state paths: a FIFO, a device, a directory, a link are refused (100), nothing hangs" {
	mksession
	mkfifo fifo
	mkdir dir
	ln -s a link
	cp a a.before
	for cmd in "encrypt -S fifo" "decrypt -S fifo" "id -S fifo" "wrap -S fifo true"; do
		run timeout 10 axo-ratchet $cmd </dev/null 6</dev/null 7>/dev/null
		[ "$status" -eq 100 ]
		[ "$output" = "axo-ratchet: fatal: state fifo is not a regular file" ]
	done
	run timeout 10 axo-ratchet id -S /dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: state /dev/null is not a regular file" ]
	run axo-ratchet encrypt -S dir </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: state dir is not a regular file" ]
	for c in encrypt decrypt id; do
		run axo-ratchet $c -S link </dev/null
		[ "$status" -eq 100 ]
		[ "$output" = "axo-ratchet: fatal: state link is a symbolic link: refusing to follow it" ]
	done
	# init and keygen the same, -f or not: the link stays a link
	for f in "" -f; do
		run axo-ratchet init $f -r alice -p "$pub" -S link <sk
		[ "$status" -eq 100 ]
		[ "$output" = "axo-ratchet: fatal: state link is a symbolic link: refusing to follow it" ]
		run axo-ratchet keygen $f -S link
		[ "$status" -eq 100 ]
		[ "$output" = "axo-ratchet: fatal: key file link is a symbolic link: refusing to follow it" ]
		run timeout 10 axo-ratchet init $f -r alice -p "$pub" -S fifo <sk
		[ "$status" -eq 100 ]
		[ "$output" = "axo-ratchet: fatal: state fifo is not a regular file" ]
	done
	[ -L link ]
	[ -p fifo ]
	cmp a a.before
	# a PATH.new that is not a regular file is not taken either
	mkfifo a.new
	run timeout 10 axo-ratchet encrypt -S a </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: a.new is not a regular file" ]
	rm a.new
	mkdir a.new
	run axo-ratchet encrypt -S a </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: a.new is not a regular file" ]
	rmdir a.new
	ln -s elsewhere a.new
	run axo-ratchet encrypt -S a </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: state a.new is a symbolic link: refusing to follow it" ]
	[ ! -e elsewhere ]
	cmp a a.before
}

# A crash between creating PATH.new and the rename leaves it behind; the
# next writer takes it under the lock.
@test "state: a stale PATH.new (empty, partial, junk) is taken and cleaned under the lock" {
	mksession
	for junk in empty partial junk; do
		case $junk in
		empty) : >a.new ;;
		partial) head -c 100 a >a.new ;;
		junk) head -c 100000 /dev/urandom >a.new ;;
		esac
		printf '%s' "$junk" | axo-ratchet encrypt -S a >r 2>err
		[ ! -s err ]
		[ ! -e a.new ]
		[ "$(dec b <r)" = "$junk" ]
	done
}

# holdlock FILE SECONDS: an OFD write lock on FILE, as a writer holds it
holdlock() {
	/usr/bin/python3 -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("hhqqi4x", fcntl.F_WRLCK, 0, 0, 0, 0))
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))' "$@" &
	echo $! >holder.pid
	for _ in $(seq 100); do [ -e "$1.held" ] && break; sleep 0.05; done
	[ -e "$1.held" ]
}

@test "lock: a writer waits for the lock at most 5 s, then 111 \"state is in use\", nothing written" {
	mksession
	cp a a.before
	holdlock a.new 9
	SECONDS=0
	run --separate-stderr axo-ratchet encrypt -S a <<<"blocked"
	t=$SECONDS
	[ "$status" -eq 111 ]
	[ "$output" = "" ]
	[ "$stderr" = "axo-ratchet: fatal: state a is in use" ]
	[ "$t" -ge 4 ]
	[ "$t" -le 7 ]
	cmp a a.before
	# id takes no lock
	[ "$(axo-ratchet id -S a)" = "$(axo-ratchet id -S b)" ]
	kill "$(cat holder.pid)"
	wait "$(cat holder.pid)" || true
	# a lock let go within the bound is waited for
	rm -f a.new.held
	holdlock a.new 1
	SECONDS=0
	printf waited | axo-ratchet encrypt -S a >r
	[ "$SECONDS" -le 4 ]
	[ "$(dec b <r)" = waited ]
	wait "$(cat holder.pid)"
}

# Two writers on one state (issue 11: both succeeded in 99 of 100 pairs,
# and 21 pairs used one message key twice).  Every record must decrypt
# at the peer: a key used twice would make the second a replay.
@test "lock: two writers at once, 100 times: 0 keys used twice" {
	mksession
	fails=0 busy=0
	for i in $(seq 1 100); do
		printf "x$i" | axo-ratchet encrypt -S a >x.$i 2>x.$i.err &
		px=$!
		printf "y$i" | axo-ratchet encrypt -S a >y.$i 2>y.$i.err &
		py=$!
		sx=0 sy=0
		wait $px || sx=$?
		wait $py || sy=$?
		for w in x y; do
			eval st=\$s$w
			if [ "$st" -eq 111 ]; then
				busy=$((busy + 1))
				[ "$(cat $w.$i.err)" = "axo-ratchet: fatal: state a is in use" ]
				continue
			fi
			[ "$st" -eq 0 ] || { cat $w.$i.err; false; }
			got=$(axo-ratchet decrypt -S b <$w.$i 2>&1) || fails=$((fails + 1))
			[ "$got" = "$w$i" ] || echo "pair $i: $w: $got"
		done
	done
	echo "# lock: 100 pairs, $busy refused as in use, $fails records not decrypted (keys used twice)" >&3
	[ "$fails" -eq 0 ]
	[ "$busy" -eq 0 ]
	[ ! -e a.new ]
}

# Two readers of one record at once: exactly one releases the plaintext.
@test "lock: two decrypts of one record at once, 100 times: 0 plaintexts released twice" {
	mksession
	twice=0 never=0
	for i in $(seq 1 100); do
		printf "m$i" | axo-ratchet encrypt -S a >r
		axo-ratchet decrypt -S b <r >p1 2>/dev/null &
		p1=$!
		axo-ratchet decrypt -S b <r >p2 2>/dev/null &
		p2=$!
		s1=0 s2=0
		wait $p1 || s1=$?
		wait $p2 || s2=$?
		n=$(cat p1 p2 | grep -o "m$i" | wc -l)
		[ "$n" -le 1 ] || twice=$((twice + 1))
		[ "$n" -ge 1 ] || never=$((never + 1))
		# one 0, the other 1 (a replay)
		[ $((s1 + s2)) -eq 1 ] || echo "pair $i: $s1 $s2"
	done
	echo "# lock: 100 pairs of decrypts, $twice plaintexts twice, $never never" >&3
	[ "$twice" -eq 0 ]
	[ "$never" -eq 0 ]
}

# The order, without a kill: when the output cannot be written, the
# state has moved on already; the message is lost, never sent twice.
@test "at most once: output that cannot be written after the commit is lost, its key used up" {
	mksession
	cp a a.before
	run sh -c 'echo lost | axo-ratchet encrypt -S a >&-' 
	[ "$status" -eq 111 ]
	[ "$output" = "axo-ratchet: fatal: unable to write output: Bad file descriptor" ]
	! cmp -s a a.before
	enc a next >r
	# bob sees one message skipped
	[ "$(dec b <r)" = next ]
	[ "$(stat -c %s b)" -eq $((384 + 72)) ]
	enc a again >r2
	cp b b.before
	run sh -c 'axo-ratchet decrypt -S b <r2 >&-' 
	[ "$status" -eq 111 ]
	! cmp -s b b.before
	run axo-ratchet decrypt -S b <r2
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: record 1 does not authenticate" ]
}

killafter() { "$AXO_TBIN/helpers/killafter" "$@"; }

# window IN CMD...: the kill window in microseconds: 0-3 ms, or 1.5
# times the quickest of three runs of CMD <IN if that is longer (a loaded
# machine, a sanitizer build), so that kills land in every phase of the
# run, the output and the state write included.
window() {
	local m= t0 t1 d i in=$1
	shift
	for i in 1 2 3; do
		t0=${EPOCHREALTIME/./}
		"$@" <"$in" >/dev/null 2>&1 || true
		t1=${EPOCHREALTIME/./}
		d=$(((t1 - t0) * 3 / 2))
		[ -n "$m" ] && [ "$d" -ge "$m" ] || m=$d
	done
	[ "$m" -ge 3000 ] || m=3000
	echo "$m"
}

# Issue 11: encrypt wrote its record before the state, and in 15 of 300
# SIGKILLs the record was out and the state not: the next encrypt used
# the same message key.  Now the state goes first.  500 encrypts, each
# killed at a random 0-3 ms; every record that reached stdout must
# decrypt at the peer (a key used twice would be a replay there) and
# give its own message (no plaintext twice).
@test "kill -9: 500 encrypts killed at random: 0 keys used twice, every record out decrypts" {
	mksession
	cp a a0
	w=$(window /dev/null axo-ratchet encrypt -S a0)
	killed=0 out=0 outkilled=0 lost=0 partial=0
	for i in $(seq 1 500); do
		printf "message %d" "$i" >m
		st=0
		killafter $(((RANDOM * 32768 + RANDOM) % w)) axo-ratchet encrypt -S a <m >r.$i 2>/dev/null || st=$?
		[ "$st" -eq 0 ] || [ "$st" -eq 137 ] || { echo "run $i: exit $st"; false; }
		[ "$st" -eq 137 ] && killed=$((killed + 1))
		case $(stat -c %s r.$i) in
		0) rm r.$i ;;
		498) out=$((out + 1)); [ "$st" -eq 0 ] || outkilled=$((outkilled + 1)) ;;
		*) partial=$((partial + 1)); rm r.$i ;;
		esac
	done
	# the state still loads after every kill, and alice goes on
	printf last | axo-ratchet encrypt -S a >r.501
	fails=0 twice=0
	for i in $(seq 1 501); do
		[ -e r.$i ] || continue
		got=$(axo-ratchet decrypt -S b <r.$i 2>/dev/null) || { fails=$((fails + 1)); continue; }
		[ "$got" = "message $i" ] || [ "$i" -eq 501 ] || twice=$((twice + 1))
	done
	echo "# kill -9 encrypt: 500 runs killed at random in 0-$w us, $killed killed, $out records out ($outkilled of them from killed runs), $partial partial; at the peer: $fails keys used twice, $twice plaintexts out of place" >&3
	[ "$fails" -eq 0 ]
	[ "$twice" -eq 0 ]
	[ "$partial" -eq 0 ]
	[ "$killed" -gt 0 ]
}

# The same for decrypt: it released the plaintext and then wrote the
# state, so 6 kills released a plaintext that decrypted again.  Each
# record: a decrypt killed at random; if killed, the caller tries again
# unkilled, as one would; each plaintext may come out once at most.
@test "kill -9: 500 decrypts killed at random, each retried: 0 plaintexts released twice" {
	mksession
	for i in $(seq 1 500); do
		printf "message %d" "$i" | axo-ratchet encrypt -S a >r.$i
	done
	cp b b0
	w=$(window r.1 axo-ratchet decrypt -S b0)
	killed=0 twice=0 lost=0 retried_ok=0
	for i in $(seq 1 500); do
		st=0
		killafter $(((RANDOM * 32768 + RANDOM) % w)) axo-ratchet decrypt -S b <r.$i >p.$i 2>/dev/null || st=$?
		: >q.$i
		if [ "$st" -eq 137 ]; then
			killed=$((killed + 1))
			st2=0
			axo-ratchet decrypt -S b <r.$i >q.$i 2>q.err || st2=$?
			# a replay once the state had moved on, else a success
			if [ "$st2" -eq 0 ]; then
				retried_ok=$((retried_ok + 1))
			else
				[ "$st2" -eq 1 ]
				[ "$(cat q.err)" = "axo-ratchet: fatal: record 1 does not authenticate" ]
			fi
		else
			[ "$st" -eq 0 ]
		fi
		n=$({ cat p.$i; echo; cat q.$i; echo; } | grep -cx "message $i" || true)
		[ "$n" -le 1 ] || twice=$((twice + 1))
		[ "$n" -ge 1 ] || lost=$((lost + 1))
	done
	echo "# kill -9 decrypt: 500 runs killed at random in 0-$w us, $killed killed ($retried_ok decrypted on the retry, $lost plaintexts lost); $twice plaintexts released twice" >&3
	[ "$twice" -eq 0 ]
	[ "$killed" -gt 0 ]
}

# wrap ran a whole session in memory and saved at its end: a SIGKILL left
# the state of before the session, whose keys a second run would use
# again.  Now the state on disk is a keyless marker while wrap runs.
@test "wrap: while it runs the state is a marker: id works, writers get 111 at once" {
	mksession
	sid=$(axo-ratchet id -S a)
	fp=$(axo-ratchet id -f -S a)
	cat >kid <<-'EOS'
	#!/bin/sh
	axo-ratchet id -S a >id.during
	axo-ratchet id -f -S a >fp.during
	od -An -tx1 -j 41 -N 1 a | tr -d ' ' >flags.during
	stat -c %s a >size.during
	SECONDS=0
	printf x | axo-ratchet encrypt -S a >enc.out 2>enc.err; echo $? >enc.st
	axo-ratchet decrypt -S a </dev/null >dec.out 2>dec.err; echo $? >dec.st
	axo-ratchet init -f -r alice -p "$1" -S a <sk 2>init.err; echo $? >init.st
	echo $SECONDS >secs
	exec 7>&-
	EOS
	chmod +x kid
	run --separate-stderr "$AXO_TBIN/helpers/pair" \
		axo-ratchet wrap -S a ./kid "$pub" -- \
		axo-ratchet wrap -S b sh -c 'exec 7>&-; cat <&6 >/dev/null'
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(cat id.during)" = "$sid" ]
	[ "$(cat fp.during)" = "$fp" ]
	[ "$(cat flags.during)" = 80 ]
	[ "$(cat size.during)" = 384 ]
	for c in enc dec init; do
		[ "$(cat $c.st)" = 111 ]
		[ "$(cat $c.err)" = "axo-ratchet: fatal: state a is in use" ]
	done
	[ ! -s enc.out ]
	[ ! -s dec.out ]
	# the writers did not wait out the 5 s for a lock held all session
	[ "$(cat secs)" -le 3 ]
	# at its end wrap put the real state back
	[ ! -e a.new ]
	[ "$(enc a after | dec b)" = after ]
}

@test "wrap: killed with SIGKILL, it leaves the marker: refused (96) until a new init" {
	mksession
	sid=$(axo-ratchet id -S a)
	cat >kid <<-'EOS'
	#!/bin/sh
	printf 'one record' >&7
	echo $$ >kid.pid
	: >started
	exec sleep 30 3>&-
	EOS
	chmod +x kid
	mkfifo net
	axo-ratchet wrap -S a ./kid 6<net 7>stream &
	w=$!
	exec 9>net
	for _ in $(seq 200); do [ -e started ] && [ -s stream ] && break; sleep 0.05; done
	[ -e started ]
	kill -9 "$w"
	wait "$w" || true
	exec 9>&-
	kill "$(cat kid.pid)"
	# what went out stays decryptable, once
	[ "$(dec b <stream)" = "one record" ]
	# the state is the marker: keyless, refused by every writer
	[ "$(stat -c %s a)" -eq 384 ]
	[ "$(od -An -tx1 -j 41 -N 1 a | tr -d ' ')" = 80 ]
	[ "$(axo-ratchet id -S a)" = "$sid" ]
	cp a a.before
	for cmd in "encrypt -S a" "decrypt -S a" "wrap -S a true"; do
		run --separate-stderr axo-ratchet $cmd </dev/null 6</dev/null 7>/dev/null
		echo "$cmd: $status: $stderr" >&2
		[ "$status" -eq 96 ]
		[ "$output" = "" ]
		[ "$stderr" = "axo-ratchet: fatal: state a was left by a wrap that did not finish: the session cannot go on
axo-ratchet: hint: its keys may have been used: start a new session (init -f)" ]
	done
	cmp a a.before
	# with fds, the same words, without the path
	run axo-ratchet encrypt 4<a 5>a.out </dev/null
	[ "$status" -eq 96 ]
	[ "${lines[0]}" = "axo-ratchet: fatal: state was left by a wrap that did not finish: the session cannot go on" ]
	[ ! -s a.out ]
	# init -f starts a new session in its place
	head -c 32 /dev/urandom >sk2
	axo-ratchet init -f -r alice -p "$pub" -S a <sk2
	axo-ratchet init -f -r bob -K bk -S b <sk2
	[ "$(enc a new | dec b)" = new ]
}

@test "wrap with fds 4 and 5: the marker and then the state on fd 5, which must be a regular file" {
	mksession
	cp a a.before
	run axo-ratchet wrap 4<a 5> >(cat >/dev/null) true 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: fd 5 (state out) must be a regular file, to be written again at the end" ]
	run "$AXO_TBIN/helpers/pair" \
		axo-ratchet wrap 4<a 5>a.new sh -c 'printf hello >&7; od -An -tx1 -j 41 -N 1 a.new | tr -d " " >flags; exec 7>&-' -- \
		axo-ratchet wrap -S b sh -c 'exec 7>&-; cat <&6 >got'
	[ "$status" -eq 0 ]
	[ "$(cat flags)" = 80 ]
	[ "$(cat got)" = hello ]
	cmp a a.before
	mv a.new a
	[ "$(enc a more | dec b)" = more ]
}

# ulimit -l 0: libsodium's mlock fails, silently; now a warning, once.
@test "memory that cannot be locked is warned about, once" {
	# ASan intercepts mlock and makes it succeed
	! grep -qa __asan_init "$AXO_BIN/axo-ratchet" || skip "a sanitizer build"
	mksession
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "no setpriv to drop CAP_IPC_LOCK"
		nolock="setpriv --bounding-set=-ipc_lock --"
	else
		nolock=
	fi
	run --separate-stderr $nolock sh -c 'ulimit -l 0 && exec axo-ratchet id -S a'
	[ "$status" -eq 0 ]
	[ "$output" = "$(axo-ratchet id -S b)" ]
	[ "$stderr" = "axo-ratchet: warning: unable to lock memory, secrets may be swapped to a disk: Operation not permitted
axo-ratchet: hint: raise the limit of locked memory (ulimit -l)" ]
	# and nothing without the limit
	run --separate-stderr axo-ratchet id -S a
	[ "$stderr" = "" ]
}

# ------------------------------------------------- the spec, axotor(7)

# A key skipped at receiving step s is kept through step s+4 and dropped
# by the DH step to s+5 (axotor(7), axo-ratchet(1), README); the model
# implements the same rule from the page, and both agree at the edge.
@test "spec: a skipped key lives four more DH steps and is gone at the fifth, in C and in the model; the old chain's keys carry the new step" {
	for side in c model; do
		rm -f a b mb bk sk mk r*
		head -c 32 /dev/urandom >sk
		if [ $side = c ]; then
			pub=$(axo-ratchet keygen -S bk)
			axo-ratchet init -r bob -K bk -S b <sk
			bdec() { axo-ratchet decrypt -S b; }
			benc() { axo-ratchet encrypt -S b; }
			bsave() { cp b "$1"; }
			bload() { cp "$1" b; }
		else
			pub=$(model keygen mk)
			model init bob mb mk <sk
			bdec() { model decrypt mb; }
			benc() { model encrypt mb; }
			bsave() { cp mb "$1"; }
			bload() { cp "$1" mb; }
		fi
		axo-ratchet init -r alice -p "$pub" -S a <sk
		enc a a1 >r1
		enc a a2 >r2
		# a1's key is skipped at bob's step 1
		[ "$(bdec <r2)" = a2 ]
		for k in 1 2 3 4 5; do
			printf "b$k" | benc >rb
			[ "$(dec a <rb)" = "b$k" ]
			enc a "a$k" >ra
			[ "$(bdec <ra)" = "a$k" ]
			# now at step 1+k; the key lives while 1+k <= 1+4
			bsave keep
			if [ "$k" -le 4 ]; then
				[ "$(bdec <r1)" = a1 ] || { echo "$side: gone at step $((1 + k))"; false; }
			else
				run bdec <r1
				[ "$status" -eq 1 ] || { echo "$side: kept at step $((1 + k))"; false; }
			fi
			bload keep
		done
		# keys of the old chain skipped by a DH step carry the new
		# step: a4 and a5, stored at step 7 (not 6), live through 11
		enc a a3 >r3
		enc a a4 >r4
		enc a a5 >r5
		[ "$(bdec <r3)" = a3 ]
		printf b6 | benc >rb
		[ "$(dec a <rb)" = b6 ]
		enc a a6 >r6
		# PN = 4: a4 and a5 of the old chain, skipped now, at step 7
		[ "$(bdec <r6)" = a6 ]
		for k in 1 2 3 4 5; do
			printf "c$k" | benc >rb
			[ "$(dec a <rb)" = "c$k" ]
			enc a "d$k" >ra
			[ "$(bdec <ra)" = "d$k" ]
			bsave keep
			if [ "$k" -le 4 ]; then
				[ "$(bdec <r4)" = a4 ] || { echo "$side: old chain gone at $((7 + k))"; false; }
			else
				run bdec <r4
				[ "$status" -eq 1 ] || { echo "$side: old chain kept at $((7 + k))"; false; }
			fi
			bload keep
		done
	done
}

# The rule for PN: a header that starts a DH step says how long the
# sender's previous chain was; one below what was received of it is
# refused, one above stores the keys in between.
@test "spec: a DH-step header whose PN is below Nr is refused; above, the keys in between are skipped" {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen -S bk)
	axo-ratchet init -r bob -K bk -S b <sk
	model init alice ma "$pub" <sk
	for i in 1 2 3; do printf "a$i" | model encrypt ma >r$i; done
	[ "$(cat r1 r2 r3 | dec b)" = a1a2a3 ]
	enc b b1 >rb
	[ "$(model decrypt ma <rb)" = b1 ]
	cp ma ma0
	cp b b.before
	for pn in 0 1 2; do
		cp ma0 ma
		printf "lie $pn" | model encrypt ma --pn $pn >rl
		run --separate-stderr axo-ratchet decrypt -S b <rl
		[ "$status" -eq 1 ]
		[ "$output" = "" ]
		[ "$stderr" = "axo-ratchet: fatal: record 1 does not authenticate" ]
		cmp b b.before
	done
	# PN = Nr: nothing skipped; PN = Nr + 2: two keys stored, usable
	cp ma0 ma
	printf ok | model encrypt ma --pn 3 >rok
	cp b b3
	[ "$(dec b <rok)" = ok ]
	[ "$(stat -c %s b)" -eq 384 ]
	cp b3 b
	cp ma0 ma
	printf ok5 | model encrypt ma --pn 5 >rok5
	[ "$(dec b <rok5)" = ok5 ]
	[ "$(stat -c %s b)" -eq $((384 + 2 * 72)) ]
}

# decrypt and END: a type-1 record authenticates and uses its key, and
# writes nothing; a type byte above 1 is a broken peer.
@test "spec: decrypt takes END (type 1) records, writing nothing for them; type 2 is refused" {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen -S bk)
	axo-ratchet init -r bob -K bk -S b <sk
	model init alice ma "$pub" <sk
	printf one | model encrypt ma >r1
	model encrypt ma --type 1 </dev/null >r2
	printf three | model encrypt ma >r3
	run --separate-stderr sh -c 'cat r1 r2 r3 | axo-ratchet decrypt -S b'
	[ "$status" -eq 0 ]
	[ "$output" = onethree ]
	[ "$stderr" = "" ]
	# its key is used: the END again is a replay
	run axo-ratchet decrypt -S b <r2
	[ "$status" -eq 1 ]
	cp b b.before
	printf x | model encrypt ma --type 2 >r4
	run --separate-stderr axo-ratchet decrypt -S b <r4
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	[ "$stderr" = "axo-ratchet: fatal: record 1 has a bad padding or type" ]
	cmp b b.before
	# and the stream of a wrap, END included, decrypts as its data
	rm -f b bk
	mksession
	axo-ratchet wrap -S a sh -c 'printf hello >&7' 6</dev/null 7>stream 2>/dev/null || true
	[ "$(dec b <stream)" = hello ]
}

@test "spec: the smallest bucket is used; any bucket whose padding is good is taken" {
	mksession
	# 2 + 120 + type + data + at least the 0x80 must fit
	for n in 0:498 373:498 374:498 375:996 872:996 873:1992 1868:1992 1869:3984; do
		head -c "${n%%:*}" /dev/urandom >m
		axo-ratchet encrypt -S a <m >r
		[ "$(stat -c %s r)" -eq "${n##*:}" ] || { echo "$n: $(stat -c %s r)"; false; }
		dec b <r | cmp - m
	done
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen -f -S bk)
	axo-ratchet init -f -r bob -K bk -S b <sk
	model init alice ma "$pub" <sk
	printf small | model encrypt ma --size 63744 >r
	[ "$(stat -c %s r)" -eq 63744 ]
	[ "$(dec b <r)" = small ]
}

@test "spec: armor is the base64 of the whole record, its length prefix included, one a line" {
	mksession
	printf 'armored' | axo-ratchet encrypt -a -S a >ra
	[ "$(wc -l <ra)" -eq 1 ]
	[ "$(wc -c <ra)" -eq 665 ]	# 4 * ceil(498 / 3) + LF
	base64 -d <ra >rb
	[ "$(stat -c %s rb)" -eq 498 ]
	[ "$(head -c 2 rb | od -An -tx1 | tr -d ' ')" = 01f0 ]
	cp b b0
	[ "$(dec b <rb)" = armored ]
	cp b0 b
	# CRLF, blank lines, no padding: all decode the same
	{ printf '\r\n\n'; tr -d '\n' <ra | sed 's/=*$//'; printf '\r\n\n'; } >rc
	[ "$(axo-ratchet decrypt -a -S b <rc)" = armored ]
	cp b0 b
	# a space or any other byte in a line is not armor
	sed 's/^\(....\)/\1 /' ra >rd
	run axo-ratchet decrypt -a -S b <rd
	[ "$status" -eq 1 ]
	[ "$output" = "axo-ratchet: fatal: input is not armored records" ]
	cmp b b0
}

@test "spec: id -f is BLAKE2b-80 of the session id keyed by \"axotor/v1 fingerprint\", in five groups" {
	mksession
	sid=$(axo-ratchet id -S a)
	want=$(/usr/bin/python3 -c '
import hashlib, sys
h = hashlib.blake2b(bytes.fromhex(sys.argv[1]), digest_size=10,
                    key=b"axotor/v1 fingerprint").hexdigest()
print(" ".join(h[i:i + 4] for i in range(0, 20, 4)))' "$sid")
	[ "$(axo-ratchet id -f -S a)" = "$want" ]
	[ "$(axo-ratchet id --fingerprint -S b)" = "$want" ]
}

# setbyte FILE OFFSET HEX
setbyte() {
	printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "spec: reserved bytes and bits of a state must be zero; a marker holds nothing but sid and role" {
	mksession
	for c in 42:01 43:80 41:20 41:40 41:83; do
		cp a x
		setbyte x "${c%%:*}" "${c##*:}"
		run axo-ratchet id -S x
		[ "$status" -eq 96 ] || { echo "$c"; false; }
		[ "$output" = "axo-ratchet: fatal: state is not a valid ratchet state" ]
	done
	# a marker with a key byte set is no marker, nor a state
	axo-ratchet wrap -S a true 6</dev/null 7>/dev/null 2>/dev/null || true
	head -c 384 a >m
	setbyte m 41 80
	dd if=/dev/zero of=m bs=1 seek=42 count=342 conv=notrunc status=none
	[ "$(axo-ratchet id -S m)" = "$(axo-ratchet id -S a)" ]
	setbyte m 200 01
	run axo-ratchet id -S m
	[ "$status" -eq 96 ]
	{ cat m; head -c 72 /dev/zero; } >m2
	setbyte m2 200 00
	run axo-ratchet id -S m2
	[ "$status" -eq 96 ]
}
