#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axotor across a link that dies (issue 10): dropped rendezvous circuits,
# stalled tors and relays, strangers on the onion, the --reconnect
# deadline, a dead peer, back-pressure, an unacknowledged quit, and the
# window's state.  Two axotor sides, each with its own tor, on one
# private Tor network for the file (helpers/axotor); every wait bounded.

load helpers/common
load helpers/tornet
load helpers/mailbox
load helpers/axotor
bats_require_minimum_version 1.5.0

setup_file() { axotor_setup_file; }
teardown_file() { axotor_teardown_file; }

setup() {
	axotor_setup
	STOPPED=
}

# Whatever a test did: what it stopped goes on, every side's axotor is
# told to end, and any process that still names our private dirs (the
# sides' tors, wraps) is killed by PID.
teardown() {
	local p i
	for p in $STOPPED; do
		kill -CONT "$p" 2>/dev/null || true
	done
	for p in $(run_pids); do
		kill -TERM "$p" 2>/dev/null || true
	done
	for i in $(seq 1 50); do
		[ -n "$(run_pids)" ] || break
		sleep 0.2
	done
	for p in $(run_pids); do
		kill -KILL "$p" 2>/dev/null || true
	done
	axotor_teardown
}

# PIDs of live processes whose command line names $T/run (our private
# dirs): the sides' tors and the programs of the session.
run_pids() {
	local p st
	for p in /proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		st=$(awk '{print $3}' "$p/stat" 2>/dev/null) || continue
		[ "$st" != Z ] || continue
		tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF -- "$T/run/" &&
			echo "${p#/proc/}"
	done
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# The axotor process of side NAME, its wrap, its private dir.
side_axotor() {
	local s
	eval "s=\$PIDOF_$1"
	pgrep -P "$s" | head -n 1
}
side_wrap() {
	pgrep -P "$(side_axotor "$1")" -x axo-ratchet | head -n 1
}
side_dir() {
	tr '\0' '\n' <"/proc/$(side_wrap "$1")/cmdline" |
		sed -n '/^-S$/{n;s,/ratchet$,,p;q}'
}

# tor_var NAME VAR: VAR of the side's tor.env (TOR_PID, TOR_CONTROL_PORT,
# TOR_SOCKS_PORT, TOR_COOKIE)
tor_var() {
	local d
	d=$(side_dir "$1")
	[ -n "$d" ] && [ -f "$d/tor.env" ] || { echo "no tor.env for $1" >&2; return 1; }
	(. "$d/tor.env"; eval "echo \$$2")
}

# close_rend NAME PURPOSE: CLOSECIRCUIT on the side's rendezvous circuits;
# at least one must have been closed.
close_rend() {
	local n
	n=$("$AXO_TOP/t/helpers/torctl-cmd" "$(tor_var "$1" TOR_CONTROL_PORT)" \
		"$(tor_var "$1" TOR_COOKIE)" close-rend "$2" 3>&-)
	[ "$n" -ge 1 ] || { echo "no $2 circuit on $1's tor"; return 1; }
}

# stop_pid / cont_pid: SIGSTOP, SIGCONT (teardown continues what a
# failed test left stopped)
stop_pid() {
	kill -STOP "$1"
	STOPPED="$STOPPED $1"
}
cont_pid() {
	kill -CONT "$1"
}

# numbered_ok FILE WHO PREFIX N: FILE's "<WHO> ..." lines are exactly
# PREFIX-1 .. PREFIX-N, each once, in order
numbered_ok() {
	local file=$1 who=$2 pre=$3 n=$4
	diff <(grep "^<$who> " "$file" | grep -E "^<$who> $pre-[0-9]+\$") \
		<(seq 1 "$n" | sed "s/^/<$who> $pre-/")
}

# send_numbered NAME PREFIX N DELAY: in the background, PREFIX-1..N
send_numbered() {
	local fd
	eval "fd=\$FD_$1"
	(
		for i in $(seq 1 "$3"); do
			printf '%s-%s\n' "$2" "$i" >&"$fd"
			sleep "$4"
		done
	) &
	SENDER=$!
}

# linked KEY LINE [axotor options]: as chatting, each side with its own
# download dir (files accepted in line mode)
linked() {
	local key=$1 line=$2
	shift 2
	printf '%s\n' "$key" >"$T/key"
	side s -s -n alice -p bob -k 4 --no-smp -d "$T/dl.s" "$@" 4<"$T/key"
	side c -c -n bob -p alice -k 4 --no-smp -d "$T/dl.c" "$@" 4<"$T/key"
	say s "$line"
	wait_for "$T/c.out" "^<alice> $line\$" 120
}

# count FILE REGEX: lines of FILE that match
count() { grep -Ec -- "$2" "$1" 2>/dev/null || true; }

# wait_count FILE REGEX N [SECONDS]: until N lines of FILE match
wait_count() {
	local i
	for i in $(seq 1 $((${4:-60} * 10))); do
		[ "$(count "$1" "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $3 lines /$2/ in $1:"
	cat "$1"
	return 1
}

# The two events of one drop, exactly, on the side that talks to PEER
# (the cause: the stream ended, or it was reset)
LOST_CLOSED='the connection closed|unable to read from the network: Connection reset by peer|unable to write to the network: (Broken pipe|Connection reset by peer)'
lost_re() { echo "^\* connection to $1 lost \(($LOST_CLOSED)\), reconnecting\$"; }
up_re() { echo "^\* reconnected to $1 after [0-9]+\.[0-9] s\$"; }

# events NAME: its "* ..." lines, for the test log
events() { grep '^\*' "$T/$1.out" | grep -v '^\* delivered' | sed "s/^/# $1: /" >&3 || true; }

@test "dropped circuit mid-chat (HS_CLIENT_REND): lines both ways once, in order" {
	chatting 41-short-fuse start
	send_numbered s a 150 0.02
	ps=$SENDER
	send_numbered c b 150 0.02
	pc=$SENDER
	wait_for "$T/c.out" "^<alice> a-40\$"
	close_rend c HS_CLIENT_REND
	wait_for "$T/c.out" "$(up_re alice)"
	wait_for "$T/s.out" "$(up_re bob)"
	wait "$ps" "$pc"
	wait_for "$T/c.out" "^<alice> a-150\$"
	wait_for "$T/s.out" "^<bob> b-150\$"
	events c
	events s
	numbered_ok "$T/c.out" alice a 150
	numbered_ok "$T/s.out" bob b 150
	[ "$(count "$T/c.out" "$(lost_re alice)")" = 1 ]
	[ "$(count "$T/s.out" "$(lost_re bob)")" = 1 ]
	[ "$(count "$T/c.out" '^\* ')" = 2 ]
	[ "$(count "$T/s.out" '^\* ')" = 2 ]
	say c .quit
	exited c 0
	exited s 0
	[ ! -s "$T/c.err" ] || ! grep -v '^axotor: \|^axo-onion: info' "$T/c.err"
	clean
}

@test "dropped circuit mid-transfer of 10 MiB (HS_SERVICE_REND): sha256 ok" {
	head -c 10M /dev/urandom >"$T/big.bin"
	linked 42-long-fuse start
	say s ".send $T/big.bin"
	wait_for "$T/s.out" "^\* sending big.bin: 25%\$" 120
	close_rend s HS_SERVICE_REND
	wait_for "$T/c.out" "$(up_re alice)"
	wait_for "$T/s.out" "$(up_re bob)"
	wait_for "$T/c.out" "^\* saved big.bin from alice as $T/dl.c/big.bin \(10.0 MiB, sha256 ok\)\$" 180
	events c
	events s
	[ "$(sha "$T/dl.c/big.bin")" = "$(sha "$T/big.bin")" ]
	wait_for "$T/s.out" "^\* sent big.bin \(10.0 MiB\)\$"
	[ "$(count "$T/c.out" "$(lost_re alice)")" = 1 ]
	[ "$(count "$T/s.out" "$(lost_re bob)")" = 1 ]
	say c "got it"
	wait_for "$T/s.out" "^<bob> got it\$"
	say s .quit
	exited s 0
	exited c 0
	# no partial file left
	[ "$(ls -A "$T/dl.c")" = big.bin ]
	clean
}

@test "three drops in one session, lines and a 10 MiB file in flight: all once, in order" {
	head -c 10M /dev/urandom >"$T/big.bin"
	linked 43-three-drops start --receipts
	send_numbered s a 400 0.05
	ps=$SENDER
	send_numbered c b 400 0.05
	pc=$SENDER
	# 1: the client's rendezvous circuit, mid-chat
	wait_for "$T/c.out" "^<alice> a-50\$"
	close_rend c HS_CLIENT_REND
	wait_count "$T/c.out" "$(up_re alice)" 1
	wait_count "$T/s.out" "$(up_re bob)" 1
	# 2: the service's, mid-transfer (bob to alice), lines still going
	say c ".send $T/big.bin"
	wait_for "$T/c.out" "^\* sending big.bin: 25%\$" 120
	close_rend s HS_SERVICE_REND
	wait_count "$T/c.out" "$(up_re alice)" 2
	wait_count "$T/s.out" "$(up_re bob)" 2
	# 3: the client's again, while the file still goes if it does
	sleep 1
	close_rend c HS_CLIENT_REND
	wait_count "$T/c.out" "$(up_re alice)" 3
	wait_count "$T/s.out" "$(up_re bob)" 3
	wait "$ps" "$pc"
	wait_for "$T/s.out" "^\* saved big.bin from bob as $T/dl.s/big.bin \(10.0 MiB, sha256 ok\)\$" 180
	wait_for "$T/c.out" "^<alice> a-400\$"
	wait_for "$T/s.out" "^<bob> b-400\$"
	# every message confirmed: 400 lines and "start"
	wait_for "$T/s.out" "^\* delivered 401\$"
	wait_for "$T/c.out" "^\* delivered 400\$"
	events c
	events s
	numbered_ok "$T/c.out" alice a 400
	numbered_ok "$T/s.out" bob b 400
	[ "$(sha "$T/dl.s/big.bin")" = "$(sha "$T/big.bin")" ]
	[ "$(count "$T/c.out" "$(lost_re alice)")" = 3 ]
	[ "$(count "$T/s.out" "$(lost_re bob)")" = 3 ]
	[ "$(count "$T/c.out" "$(up_re alice)")" = 3 ]
	[ "$(count "$T/s.out" "$(up_re bob)")" = 3 ]
	say s .quit
	exited s 0
	exited c 0
	clean
}
