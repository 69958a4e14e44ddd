#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axotor end to end: two axotor processes, each with its own tor, on a
# private Tor network on loopback; the PAKE through tor to a real mailbox
# server published as an onion of that network.  Non-interactive sides
# are driven through fifos; interactive ones in tmux.

load helpers/common
load helpers/tornet
load helpers/mailbox
load helpers/axotor
bats_require_minimum_version 1.5.0

setup_file() { axotor_setup_file; }
teardown_file() { axotor_teardown_file; }
setup() { axotor_setup; }
teardown() { axotor_teardown; }

@test "axotor: usage errors" {
	run axotor
	[ "$status" -eq 100 ]
	[[ "${lines[0]}" == "axotor: usage: axotor -s|-c "* ]]
	run axotor -s -c
	[ "$status" -eq 100 ]
	run axotor -s -k x
	[ "$status" -eq 100 ]
	run axotor -s --tor-socks 9050 </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: --tor-socks needs --tor-control" ]
	run axotor -s --tor system --tor-control 9051 </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: --tor system and --tor-control go not together" ]
	run axotor -s --tor-cookie /x </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: --tor-cookie and --tor-password-fd are for a running tor (--tor-control or --tor system)" ]
	run axotor -s --tor-control 9051 --socks-port 9 </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: --socks-port, --control-port and --tor-config are for our own tor, not a running one" ]
	run axotor -s --tor browser </dev/null
	[ "$status" -eq 100 ]
	[[ "${lines[0]}" == "axotor: usage: axotor -s|-c "* ]]
	run axotor -s --tor-control tor.sock </dev/null
	[ "$status" -eq 100 ]
	run axotor -s --no-smp </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: not on a terminal: give the master key with --key-fd" ]
	run axotor -s -k 0 </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: not on a terminal: give --smp-secret-fd or --no-smp" ]
	run axotor --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: axotor -s|-c "* ]]
	[ "${lines[1]}" = "       axotor --new-key" ]
	# one line an option, each long option of the usage line there
	[ "${lines[2]}" = "options:" ]
	for o in nick peer key-fd code smp-secret-fd no-smp download-dir accept relay \
	    relay-direct appid tor-config tor tor-control tor-socks tor-cookie \
	    tor-password-fd socks-port control-port timeout reconnect keepalive receipts quiet \
	    new-key help; do
		[ "$(sed 1,2d <<<"$output" | grep -cE -- "(^| )--$o( |$)")" -eq 1 ]
	done
	run axotor -s --foo=1
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axotor: unknown option --foo" ]
	[[ "${lines[1]}" == "axotor: usage: axotor -s|-c "* ]]
	run axotor -s stray
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axotor: unexpected operand stray" ]
}

# local KEY-TEXT [axotor options]: a side that must fail before tor
# starts: status, output, and how long it took in LOCAL_S
local_fail() {
	local t0
	printf '%s\n' "$1" >"$T/key"
	shift
	t0=$(date +%s)
	run axotor -s -k 4 --no-smp "$@" 4<"$T/key" </dev/null
	LOCAL_S=$(($(date +%s) - t0))
}

@test "axotor: every local check before tor starts, with the programs' words" {
	KEY_MSG="axotor: fatal: bad master key: want digits, a hyphen and words, like 93-xyz1zy"
	for k in "" "abc" "12-a b" "-ab" "12345678901234567-a" \
		"1-$(head -c 10240 /dev/zero | tr '\0' a)"; do
		local_fail "$k" -n alice -p bob
		[ "$status" -eq 100 ]
		[ "$output" = "$KEY_MSG" ]
		[ "$LOCAL_S" -le 2 ]
	done
	for r in http://relay ws:// ws://:4000/v1 ws://h:0/v1 ws://h:65536/v1 ws://h:x/v1; do
		local_fail 1-ab -n alice -p bob -r "$r"
		[ "$status" -eq 100 ]
		[ "$output" = "axotor: fatal: bad relay url: want ws://host:port/path" ]
	done
	local_fail 1-ab -n "$(head -c 65 /dev/zero | tr '\0' a)" -p bob
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: a nick must be 1 to 64 bytes of printable UTF-8" ]
	local_fail 1-ab -n alice -p "$(printf 'b\033[31mob')"
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: a peer's nick must be 1 to 64 bytes of printable UTF-8" ]
	local_fail 1-ab -n "$(printf 'al\377ice')" -p bob
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: a nick must be 1 to 64 bytes of printable UTF-8" ]
	local_fail 1-ab -n alice -p bob -t 0
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: -t must be at least 1 second" ]
	[ -z "$(ls -A "$T/run")" ]
	run axo-onion connect -s 9 -t 5 notanonion.onion 80 true
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: not a v3 onion address: notanonion.onion" ]
}

@test "axotor: --new-key makes a strong key; a typed key's strength is said, a weak one warned of" {
	run --separate-stderr axotor --new-key
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[[ "$output" =~ ^[0-9]{1,4}(-[a-km-z2-9]{5}){4}$ ]]
	k1=$output
	run axotor --new-key
	[ "$output" != "$k1" ]
	# axo-pake takes it
	printf '%s\n' "$k1" >"$T/key"
	# a running tor that is not there: everything local passes first
	run --separate-stderr axotor -s -n alice -p bob -k 4 --no-smp \
		--tor-control 1 --tor-socks 1 -t 5 4<"$T/key" </dev/null
	[ "$status" -eq 111 ]
	# 100 random bits; a group of letters only counts as a word (8)
	[[ "${stderr_lines[0]}" =~ ^axotor:\ master\ key:\ about\ ([0-9]+)\ bits$ ]]
	[ "${BASH_REMATCH[1]}" -ge 40 ] && [ "${BASH_REMATCH[1]}" -le 100 ]
	printf '7-guitarist-revenge\n' >"$T/key"
	run --separate-stderr axotor -s -n alice -p bob -k 4 --no-smp \
		--tor-control 1 --tor-socks 1 -t 5 4<"$T/key" </dev/null
	[ "${stderr_lines[0]}" = "axotor: master key: about 16 bits" ]
	printf '7-ab\n' >"$T/key"
	run --separate-stderr axotor -s -q -n alice -p bob -k 4 --no-smp \
		--tor-control 1 --tor-socks 1 -t 5 4<"$T/key" </dev/null
	[ "${stderr_lines[0]}" = "axotor: warning: a weak master key (about 8 bits): one guess in 256 at the relay would take it; axotor --new-key makes a strong one" ]
	[ -z "$(ls -A "$T/run")" ]
}

@test "axotor: a private directory on a disk is refused, nothing left" {
	disk=$(axo_disk_dir)
	printf '1-aa\n' >"$T/key"
	run env XDG_RUNTIME_DIR="$disk" axotor -s -k 4 --no-smp 4<"$T/key" </dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axotor: fatal: $disk is not on tmpfs: refusing to put secrets on a disk" ]
	[ -z "$(ls -A "$disk")" ]
}

@test "axotor: line mode chat both ways, then .quit; nothing left behind" {
	printf '7-purple-sausage\n' >"$T/key"
	side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say s "hello bob"
	wait_for "$T/c.out" "^<alice> hello bob$" 120
	say c "hi alice, this is bob"
	wait_for "$T/s.out" "^<bob> hi alice, this is bob$"
	say c ".quit"
	exited c 0
	exited s 0
	grep -q "bob has quit the chat" "$T/s.out" "$T/s.err"
	clean
}

# issue 13 item 10: no key agreed, a code from the relay for bob
@test "axotor -s --code: the relay's code, read from alice's stderr, given to bob" {
	side s -s -n alice -p bob --code --no-smp
	wait_for "$T/s.err" "^axotor: tell bob: [0-9]+-[a-z]+-[a-z]+$" 120
	sed -n 's/^axotor: tell bob: //p' "$T/s.err" >"$T/key"
	code=$(cat "$T/key")
	# a secret: on no argv, in no environment, in no file of alice's
	! grep -laF -e "$code" /proc/[0-9]*/cmdline /proc/[0-9]*/environ 2>/dev/null
	! grep -rlaF -e "$code" "$T/run" 2>/dev/null
	side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say s "hello bob"
	wait_for "$T/c.out" "^<alice> hello bob$" 120
	say c ".quit"
	exited c 0
	exited s 0
	# told once, before the exchange went on; no strength line for it
	[ "$(grep -c "tell bob" "$T/s.err")" -eq 1 ]
	! grep -q "master key: about" "$T/s.err"
	[ "$(sed -n 's/^axotor: //p' "$T/s.err" | sed -n '1,6p' | sed 's/tell bob: .*/tell bob: CODE/')" = "master key: a code from the relay
starting tor
publishing the onion service
key exchange through the relay
tell bob: CODE
waiting for bob" ]
	clean
}

@test "axotor --code: the client's is a usage error, so is one with -k" {
	run --separate-stderr axotor -c --code --no-smp </dev/null
	[ "$status" -eq 100 ]
	[ "$stderr" = "axotor: fatal: --code is the server's (-s): the client gives the code it was told" ]
	run --separate-stderr axotor -s --code -k 4 --no-smp 4</dev/null </dev/null
	[ "$status" -eq 100 ]
	[[ "$stderr" == "axotor: usage: axotor -s|-c "* ]]
	[ -z "$(ls -A "$T/run")" ]
}

@test "axotor: a wrong master key: both sides say so and exit 1" {
	printf '8-red-apple\n' >"$T/key.s"
	printf '8-red-pear\n' >"$T/key.c"
	side s -s -k 4 --no-smp 4<"$T/key.s"
	side c -c -k 4 --no-smp 4<"$T/key.c"
	exited s 1 120
	exited c 1 120
	grep -qx "axotor: fatal: master key mismatch: peer used another key" "$T/s.err"
	grep -qx "axotor: fatal: master key mismatch: peer used another key" "$T/c.err"
	clean
}

@test "axotor: SMP with equal secrets, then a file of 10 MiB, byte-exact" {
	printf '9-blue-moon\n' >"$T/key"
	printf 'our dog is called rex\n' >"$T/smp"
	head -c 10M /dev/urandom >"$T/big.bin"
	side s -s -n alice -p bob -k 4 --smp-secret-fd 5 4<"$T/key" 5<"$T/smp"
	side c -c -n bob -p alice -k 4 --smp-secret-fd 5 -d "$T/dl.c" \
		4<"$T/key" 5<"$T/smp"
	wait_for "$T/s.err" "SMP: the secrets match" 120
	wait_for "$T/c.err" "SMP: the secrets match"
	say s ".send $T/big.bin"
	wait_for "$T/c.out" "big.bin" 120
	for i in $(seq 1 600); do
		[ -f "$T/dl.c/big.bin" ] && break
		sleep 0.1
	done
	[ "$(sha "$T/dl.c/big.bin")" = "$(sha "$T/big.bin")" ]
	say s ".quit"
	exited s 0
	exited c 0
	clean
}

@test "axotor: SMP with different secrets: both told, neither chats" {
	printf '10-green-tea\n' >"$T/key"
	printf 'rex\n' >"$T/smp.s"
	printf 'max\n' >"$T/smp.c"
	side s -s -k 4 --smp-secret-fd 5 4<"$T/key" 5<"$T/smp.s"
	side c -c -k 4 --smp-secret-fd 5 4<"$T/key" 5<"$T/smp.c"
	exited s 1 120
	exited c 1 120
	grep -qx "axotor: warning: SMP: the secrets do NOT match" "$T/s.err"
	grep -qx "axotor: warning: SMP: the secrets do NOT match" "$T/c.err"
	# said once, in axotor's words: not axo-smp's too
	! grep -q "axo-smp" "$T/s.err"
	! grep -q "axo-smp" "$T/c.err"
	grep -qx "axotor: running SMP: waiting for peer's secret..." "$T/s.err"
	clean
}

@test "axotor: --no-smp refuses the peer's SMP check; -t bounds the wait for the peer's answer" {
	printf '11-blue-cup\n' >"$T/key"
	printf 'rex\n' >"$T/smp.c"
	side s -s -k 4 --no-smp 4<"$T/key"
	# the client's link is kept by wrap after the server's end: its
	# axo-smp waits for the next message until -t
	SIDE_T=30
	side c -c -k 4 --smp-secret-fd 5 4<"$T/key" 5<"$T/smp.c"
	SIDE_T=
	exited s 1 120
	grep -qx "axotor: waiting for peer's answer..." "$T/s.err"
	[ "$(tail -1 "$T/s.err")" = "axotor: fatal: peer asks for an SMP check, and --no-smp refuses it" ]
	exited c 111 60
	clean
	# bob, at a terminal, never answers the question: alice gives up
	# after -t, not after her default
	printf '12-red-cup\n' >"$T/key"
	SIDE_T=25
	side s2 -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	SIDE_T=
	mkdir "$T/dl.c2"
	tside c2 -c
	shows c2 "^nick:"
	type_line c2 bob
	shows c2 "peer's nick:"
	type_line c2 alice
	shows c2 "master key:"
	type_line c2 12-red-cup
	shows c2 "Run SMP authentication step\? \(y/N\)" 120
	wait_for "$T/s2.err" "waiting for bob's answer" 30
	t0=$(date +%s)
	exited s2 111 60
	[ $(($(date +%s) - t0)) -le 30 ]
	[ "$(tail -1 "$T/s2.err")" = "axotor: fatal: bob did not answer the SMP question within 25 s" ]
}

# What a line-mode server said on stderr, tor's progress left out
SERVER_SAID="axotor: master key: about 16 bits
axotor: starting tor
axotor: publishing the onion service
axotor: key exchange through the relay
axotor: waiting for bob
axotor: waiting for bob's answer..."
said() { grep -v '^axo-onion: info: ' "$T/$1.err"; }

# issue 13 item 12: after a loss, the cause once, and no "unable to
# write to the network: Broken pipe" or other noise from the parts
@test "axotor: the peer killed: reported, and both private dirs gone" {
	chatting 11-black-cat "are you there"
	# the client's axotor, which stops what it started
	kill -TERM "$(pgrep -P "$PID_2")"
	[ "$(rc c)" != 0 ]
	exited s 111
	[ "$(said s)" = "$SERVER_SAID
axo-chat: fatal: connection to bob lost" ]
	[ "$(cat "$T/s.out")" = "" ]
	sleep 1
	clean
	# bob's session killed outright (his wrap), while alice is
	# sending: the link is lost, and alice's side says so in its own
	# words only
	rm -f "$T"/*.rc "$T"/*.in "$T"/*.out "$T"/*.err
	chatting 11-black-dog "still there" --reconnect 5
	for i in 1 2 3 4 5 6 7 8 9 10; do say s "line $i"; done
	kill -KILL "$(pgrep -P "$(pgrep -P "$PID_4")" -x axo-ratchet)"
	for i in 11 12 13 14 15 16 17 18 19 20; do say s "line $i"; done
	exited c 137 30
	exited s 111 60
	[ "$(said s | sed 's/; [0-9]* messages* not delivered$//')" = "$SERVER_SAID
axo-chat: fatal: connection to bob lost (no link for 5 s)" ]
	# (the cause is whichever way alice's wrap noticed: a close, a
	# reset, or silence)
	grep -Eqx '\* connection to bob lost \(.*\), reconnecting' "$T/s.out" ||
		{ cat "$T/s.out"; false; }
	! grep -q "Broken pipe" "$T/s.out"
	sleep 1
	clean
}

# ---- interactive: two axotor in tmux, typed at like a person ----------
# (tside, screen, shows, type_line, status_colour, tstart: helpers/axotor)

@test "interactive: prompts, SMP skipped by both, chat both ways in green, .quit" {
	tstart 21-silver-river 21-silver-river
	shows s "Run SMP authentication step\? \(y/N\)" 120
	# the master key was not echoed
	! screen s | grep -q silver-river
	type_line s n
	shows c "Run SMP authentication step\? \(y/N\)" 60
	type_line c ""
	shows s "alice" 60
	type_line s "hello from alice"
	shows c "<?alice>? +hello from alice"
	type_line c "hello from bob"
	shows s "<?bob>? +hello from bob"
	[ "$(status_colour s)" = 42m ]
	[ "$(status_colour c)" = 42m ]
	type_line c .quit
	shows s "bob has quit the chat"
	exited c 0
	exited s 0
	clean
}

@test "interactive: SMP with equal secrets, then a 10 MiB file, a taken name numbered" {
	head -c 10M /dev/urandom >"$T/big.bin"
	echo old >"$T/dl.c/big.bin"
	tstart 22-gold-leaf 22-gold-leaf
	shows s "Run SMP authentication step\? \(y/N\)" 120
	type_line s y
	shows c "Run SMP authentication step\? \(y/N\)" 60
	type_line c n
	shows s "SMP secret:"
	type_line s "the blue door"
	shows c "SMP secret:"
	type_line c "the blue door"
	wait_for "$T/s.err" "SMP: the secrets match" 60
	wait_for "$T/c.err" "SMP: the secrets match" 60
	type_line s ".send $T/big.bin"
	shows c "offers big.bin .*: .accept or .reject" 60
	type_line c .accept
	shows c "saved big.bin" 120
	[ "$(sha "$T/dl.c/big (1).bin")" = "$(sha "$T/big.bin")" ]
	[ "$(cat "$T/dl.c/big.bin")" = old ]
	[ "$(status_colour c)" = 42m ]
	type_line s .quit
	exited s 0
	exited c 0
	clean
}

@test "interactive: SMP with different secrets, both go on: red" {
	tstart 23-iron-gate 23-iron-gate
	shows s "Run SMP authentication step\? \(y/N\)" 120
	type_line s y
	shows c "Run SMP authentication step\? \(y/N\)" 60
	type_line c y
	shows s "SMP secret:"
	type_line s "apples"
	shows c "SMP secret:"
	type_line c "pears"
	shows s "Continue anyway\? \(y/N\)" 60
	shows c "Continue anyway\? \(y/N\)" 60
	type_line s y
	type_line c y
	shows s "alice" 60
	type_line s "we differ"
	shows c "we differ"
	[ "$(status_colour s)" = 41m ]
	[ "$(status_colour c)" = 41m ]
	type_line s .quit
	exited s 0
	exited c 0
	clean
}

@test "interactive: SMP with different secrets, one side quits: both end" {
	tstart 24-tin-roof 24-tin-roof
	shows s "Run SMP authentication step\? \(y/N\)" 120
	type_line s y
	shows c "Run SMP authentication step\? \(y/N\)" 60
	type_line c n
	shows s "SMP secret:"
	type_line s "apples"
	shows c "SMP secret:"
	type_line c "pears"
	shows s "Continue anyway\? \(y/N\)" 60
	shows c "Continue anyway\? \(y/N\)" 60
	type_line s y
	type_line c n
	exited c 1
	exited s 1
	grep -qx "axotor: fatal: SMP failed: chat not started" "$T/c.err"
	grep -qx "axotor: fatal: SMP failed: bob did not go on" "$T/s.err"
	clean
}

# asks_code: alice's window, her nicks typed and Enter alone at the
# master key: until the relay's code is on her screen
asks_code() {
	tside s -s
	shows s "^nick:"
	type_line s alice
	shows s "peer's nick:"
	type_line s bob
	shows s "^master key \(Enter alone: a code from the relay\):"
	type_line s ""
	shows s "^axotor: tell bob: [0-9]+-[a-z]+-[a-z]+ *$" 120
}

# issue 13 item 10: alice has no key: Enter alone, and she reads the
# relay's code to bob, who types it
@test "interactive: Enter alone at alice's master key prompt: a code from the relay, typed by bob" {
	asks_code
	code=$(screen s | sed -n 's/^axotor: tell bob: \([0-9a-z-]*\) *$/\1/p')
	[ -n "$code" ]
	tside c -c
	shows c "^nick:"
	type_line c bob
	shows c "peer's nick:"
	type_line c alice
	shows c "^master key:"
	type_line c "$code"
	shows s "Run SMP authentication step\? \(y/N\)" 120
	type_line s n
	shows c "Run SMP authentication step\? \(y/N\)" 60
	type_line c n
	shows s "alice" 60
	type_line s "hello through the code"
	shows c "<?alice>? +hello through the code"
	# the code is no longer on the screen once the window is open
	! screen c | grep -q -- "$code"
	type_line c .quit
	exited c 0 60
	exited s 0 60
	! grep -q "master key: about" "$T/s.err"
	clean
}

@test "interactive: Ctrl-C while the relay's code waits for bob: exit 130, all removed" {
	asks_code
	tm send-keys -t "=s:" C-c
	exited s 130
	clean
}

@test "interactive: a wrong master key, typed" {
	tstart 25-oak-tree 25-elm-tree
	exited s 1 120
	exited c 1 120
	grep -qx "axotor: fatal: master key mismatch: bob used another key" "$T/s.err"
	grep -qx "axotor: fatal: master key mismatch: alice used another key" "$T/c.err"
	clean
}

# ---- hygiene ---------------------------------------------------------

@test "hygiene: no secret in any process's argv or environment during a chat" {
	key="31-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	smp="smp-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
	printf '%s\n' "$key" >"$T/key"
	printf '%s\n' "$smp" >"$T/smp"
	side s -s -n alice -p bob -k 4 --smp-secret-fd 5 4<"$T/key" 5<"$T/smp"
	side c -c -n bob -p alice -k 4 --smp-secret-fd 5 4<"$T/key" 5<"$T/smp"
	# look while the key exchange, SMP and the chat run
	hits=0 looks=0
	for i in $(seq 1 200); do
		# one grep over every process's argv and environment: a look
		# that forks once per file took seconds on a busy machine, and
		# the session was through before the sixth
		for f in $(grep -laF -e "$key" -e "$smp" /proc/[0-9]*/cmdline \
		    /proc/[0-9]*/environ 2>/dev/null); do
			echo "secret in $f: $(tr '\0' ' ' <"${f%/*}/cmdline")"
			hits=$((hits + 1))
		done
		looks=$((looks + 1))
		grep -q "SMP: the secrets match" "$T/c.err" 2>/dev/null && break
		sleep 0.1
	done
	say s "still here"
	wait_for "$T/c.out" "^<alice> still here$"
	[ "$hits" -eq 0 ]
	[ "$looks" -gt 5 ]
	# and once read, the key and the secret are open in no process
	# but the test's own subshells that started the two sides
	open=$(for l in /proc/[0-9]*/fd/*; do
		p=${l#/proc/}
		p=${p%%/*}
		[ "$p" != "$PID_1" ] && [ "$p" != "$PID_2" ] || continue
		case $(readlink "$l" 2>/dev/null) in
		"$T/key" | "$T/smp") echo "$l $(tr '\0' ' ' <"/proc/$p/cmdline")" ;;
		esac
	done)
	[ -z "$open" ] || { echo "still open: $open"; false; }
	say s .quit
	exited s 0
	exited c 0
	clean
}

@test "hygiene: under strace, files only in the private dir, connections only to our tor" {
	command -v strace >/dev/null || skip "no strace"
	# ptrace on top of ASan is past every time limit; the calls are the
	# same in the plain build
	! grep -qa __asan_init "$AXO_BIN/axo-ratchet" || skip "a sanitizer build"
	printf '32-paper-kite\n' >"$T/key"
	st() {
		local name=$1
		shift
		strace -f -qq -e trace=openat,creat,mkdir,rename,renameat2,link,symlink,unlink,connect,bind,execve \
			-e signal=none -o "$T/$name.trace" axotor "$@"
	}
	# the sides run under strace: wrap them by hand (side() runs axotor)
	axotor() { st "$CUR" "$@"; }
	CUR=s side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	CUR=c side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	unset -f axotor
	say s "under the lens"
	wait_for "$T/c.out" "^<alice> under the lens$" 180
	say c .quit
	exited c 0 120
	exited s 0 120
	for n in s c; do
		# tor's own processes talk to its relays: leave them out
		torp=$(sed -n 's/^\([0-9]*\) execve("[^"]*\/tor".*/\1/p' "$T/$n.trace" | sort -u)
		# a call that another process's call cut in two ("<unfinished
		# ...>", then "<... rename resumed>") is joined back into one line
		awk '/ <unfinished \.\.\.>$/ { p = $1; sub(/ <unfinished \.\.\.>$/, "")
			part[p] = $0; next }
		    $2 == "<..." && $4 ~ /^resumed>/ && ($1 in part) { l = $0
			sub(/^[0-9]+ <\.\.\. [^ ]+ resumed>/, "", l)
			print part[$1] l; delete part[$1]; next }
		    { print }' "$T/$n.trace" |
			grep -v -E "^($(echo $torp | tr ' ' '|')) " >"$T/$n.mine" || true
		# every file made, linked or renamed is in the private dir (or /dev)
		bad=$(grep -E 'O_CREAT|mkdir\(|rename|link\(|creat\(' "$T/$n.mine" |
			grep -E '= [0-9]' | grep -v -F "$T/run/axotor." |
			grep -v -E '"/dev/(null|tty)"' || true)
		[ -z "$bad" ] || { echo "$n: a file outside: $bad"; false; }
		# every connection: loopback TCP or a unix socket in the private dir
		bad=$(grep -E '^[0-9]+ connect\(' "$T/$n.mine" |
			grep -v -E 'sin_addr=inet_addr\("127\.0\.0\.1"\)' |
			grep -v -E "sun_path=\"$T/run/axotor\." || true)
		[ -z "$bad" ] || { echo "$n: a connection: $bad"; echo "by:"
			for p in $(echo "$bad" | cut -d' ' -f1 | sort -u); do
				grep -E "^$p (execve|clone)" "$T/$n.trace" |
					cut -c 1-200
			done; false; }
		grep -qE 'connect\(.*127\.0\.0\.1' "$T/$n.mine"
	done
	clean
}

# what a running tor of the network holds: onions and client keys
held() {
	"$AXO_TOP/t/helpers/systor-ctl" "$1" "$2" "GETINFO onions/detached" \
		"GETINFO onions/current" ONION_CLIENT_AUTH_VIEW |
		grep -oE '[a-z2-7]{56}' | sort || true
}

@test "axotor: with running tors (--tor-control, --tor-socks, --tor-cookie)" {
	printf '33-glass-bird\n' >"$T/key"
	held "$TORNET_S_CONTROL" "$TORNET_S_COOKIE" >"$T/s.held"
	held "$TORNET_C_CONTROL" "$TORNET_C_COOKIE" >"$T/c.held"
	SIDE_TOR="--tor-control $TORNET_S_CONTROL --tor-socks $TORNET_S_SOCKS --tor-cookie $TORNET_S_COOKIE" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	SIDE_TOR="--tor-control $TORNET_C_CONTROL --tor-socks $TORNET_C_SOCKS --tor-cookie $TORNET_C_COOKIE" \
		side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say c "through the network's own tors"
	wait_for "$T/s.out" "^<bob> through the network's own tors$" 120
	! grep -q "starting tor" "$T/s.err" "$T/c.err"
	say s .quit
	exited s 0
	exited c 0
	clean
	# the onion and the client key taken out again
	[ "$(held "$TORNET_S_CONTROL" "$TORNET_S_COOKIE")" = "$(cat "$T/s.held")" ]
	[ "$(held "$TORNET_C_CONTROL" "$TORNET_C_COOKIE")" = "$(cat "$T/c.held")" ]
}

@test "axotor: SIGHUP to one side, and a tor that dies: reported, all removed" {
	chatting 34-wet-sand one
	kill -HUP "$(pgrep -P "$PID_2")"
	exited c 129
	exited s 111
	[ "$(said s)" = "$SERVER_SAID
axo-chat: fatal: connection to bob lost" ]
	sleep 1
	clean
	# the server's own tor killed in the middle of a chat
	rm -f "$T"/*.rc "$T"/*.in "$T"/*.out "$T"/*.err
	chatting 34-wet-sand two --receipts
	# nothing undelivered, so that the last words are the cause alone
	wait_for "$T/s.out" '^\* delivered 1$' 60
	# the server's: the tor owned by the server's axotor
	spid=$(pgrep -P "$PID_3")
	pid=$(pgrep -f -- "__OwningControllerProcess $spid\$")
	[ -n "$pid" ]
	kill -KILL "$pid"
	# the side whose tor died sees it at once, and says so; the peer
	# would try to reconnect until --reconnect: stop it
	exited s 111
	grep -qx "axo-chat: fatal: our tor stopped (pid $pid)" "$T/s.err"
	if p=$(pgrep -P "$PID_4"); then
		kill -TERM "$p" || true
	fi
	st=$(rc c)
	[ "$st" = 143 ] || [ "$st" = 111 ]
	clean
}

@test "interactive: Ctrl-C while waiting for the peer: exit 130, all removed" {
	tside s -s
	shows s "^nick:"
	type_line s alice
	shows s "peer's nick:"
	type_line s bob
	shows s "^master key \(Enter alone: a code from the relay\):"
	type_line s 35-lone-wolf
	wait_for "$T/s.err" "key exchange through the relay" 120
	[ -n "$(ls -A "$T/run")" ]
	tm send-keys -t "=s:" C-c
	exited s 130
	clean
}

@test "axotor: SIGTERM while waiting for the peer in the key exchange: at once" {
	printf '36-slow-boat\n' >"$T/key"
	side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	wait_for "$T/s.err" "key exchange through the relay" 120
	[ -n "$(ls -A "$T/run")" ]
	t0=$(date +%s)
	kill -TERM "$(pgrep -P "$PID_1")"
	exited s 143 20
	# not after axo-pake's own time-out (90 s here)
	[ $(($(date +%s) - t0)) -lt 20 ]
	clean
}
