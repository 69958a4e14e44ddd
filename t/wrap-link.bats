#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axo-ratchet wrap keeps a session across links: two wraps joined through
# t/helpers/linkproxy (which stands for tor: it can cut every connection,
# stall, refuse, and records what the client sent), the server's side on
# the socket of a real "axo-onion serve -l", the client's links made by
# t/helpers/unixlink --pass as "axo-onion connect --pass" makes them.

load helpers/common
bats_require_minimum_version 1.5.0

setup() {
	axo_setup_tmp
	umask 077
	cd "$T"
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen 5>bk)
	axo-ratchet init -r bob -S b 4<bk <sk
	axo-ratchet init -r alice -p "$pub" -S a <sk
	mkdir srv px
	mkfifo s.in c.in
	SPID= CPID= PPID_=
}

teardown() {
	local p
	for p in "$CPID" "$SPID" "$PPID_"; do
		[ -z "$p" ] || kill "$p" 2>/dev/null || true
	done
	[ -z "$PPID_" ] || kill -CONT "$PPID_" 2>/dev/null || true
	# a child's reader of s.in or c.in, its shell gone (each holds its
	# fifo open itself): by the fds it holds, never this shell
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" != "$BASHPID" ] && [ "${p#/proc/}" != "$$" ] ||
			continue
		ls -l "$p/fd" 2>/dev/null |
			grep -qF -e " $T/s.in" -e " $T/c.in" &&
			kill "${p#/proc/}" 2>/dev/null || true
	done
	cd /
	axo_teardown_tmp
}

# proxy: the link between them, FRONT for the client, to serve's socket
proxy() {
	"$AXO_TOP/t/helpers/linkproxy" "$T/front" "$T/srv/onion.sock" "$T/px" 120 \
		3>&- &
	PPID_=$!
	wait_file "$T/front"
}

wait_file() {
	local i
	for i in $(seq 1 100); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "no $1"
	return 1
}

# The child of each wrap: writes its stdin (the first $LINES lines of it,
# or all of a file with FROM) to the peer, keeps what the peer sent in
# got.NAME and wrap's events in ev.NAME, and ends when both streams have.
# Its stdin is IN (a fifo the test writes to, held open by the side
# itself: every process here inherits the test's fds, so none would
# ever see EOF), else /dev/null.
kid() {
	local name=$1 send
	if [ -n "${FROM:-}" ]; then
		send="cat $FROM"
	else
		# line by line, each at once (head would buffer)
		send="i=0; while [ \$i -lt ${LINES:-0} ] && IFS= read -r l; do printf '%s\\n' \"\$l\"; i=\$((i + 1)); done"
	fi
	# (an asynchronous list's stdin would be /dev/null: fd 8 keeps it)
	# With STOPW, the end of its input also ends its writing (as a chat
	# ends when its link is gone for good).
	# (with NOEV, wrap has no -E: no events to keep)
	local ev="cat <&9 >ev.$name 6<&- 7>&- 8<&- &"
	[ -z "${NOEV:-}" ] || ev=": >ev.$name;"
	echo "exec 8<&0; $ev { $send; } <&8 >&7 6<&- 8<&- & w=\$!; exec 7>&- 8<&-; cat <&6 >got.$name; ${STOPW:+kill \$w 2>/dev/null;} wait \$w 2>/dev/null; exit 0"
}

# server [wrap options]: serve on srv/onion.sock, bob's wrap takes links
server() {
	axo-onion serve -q -d "$T/srv" -t 30 -l 5 \
		axo-ratchet wrap -S b -l 5 ${NOEV:--E 9} "$@" sh -c "$(kid s)" \
		<>"${IN:-/dev/null}" >s.out 2>s.err 3>&- &
	SPID=$!
	wait_file "$T/srv/onion.sock"
}

# client [wrap options]: alice's first link from unixlink, the next ones
# by dialling again
client() {
	"$AXO_TOP/t/helpers/unixlink" "$T/front" \
		axo-ratchet wrap -S a ${NOEV:--E 9} "$@" \
		-D "$AXO_TOP/t/helpers/unixlink" --pass 7 "$T/front" -- \
		sh -c "$(kid c)" <>"${IN:-/dev/null}" >c.out 2>c.err 3>&- &
	CPID=$!
}

# waitpid PID SECONDS: its exit status in ST, or fail after SECONDS
waitpid() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "pid $1 still runs after $2 s"
		return 1
	fi
	ST=0
	wait "$1" || ST=$?
}

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "no /$2/ in $1:"
	cat "$1" 2>/dev/null
	return 1
}

# both_ok [SECONDS]: the client (A sent) and then the server (B sent)
# exit 0 in time, each has the other's file whole, neither said a thing
both_ok() {
	waitpid "$CPID" "${1:-60}"
	[ "$ST" -eq 0 ] || { cat c.err; false; }
	waitpid "$SPID" 20
	[ "$ST" -eq 0 ] || { cat s.err; false; }
	cmp A got.s
	cmp B got.c
	[ ! -s c.err ] && [ ! -s s.err ]
}

@test "wrap -l/-D: three cuts while 24 MiB cross both ways: byte-exact, both exit 0" {
	head -c 12M /dev/urandom >A
	head -c 12M /dev/urandom >B
	RATE=8000000 proxy
	FROM=B server -A 1
	FROM=A client -A 1
	for i in 1 2 3; do
		sleep 0.8
		kill -USR1 "$PPID_"
	done
	both_ok
	# each cut was seen and mended on both sides
	[ "$(grep -c '^lost ' ev.c)" -ge 3 ] && [ "$(grep -c '^up ' ev.c)" -ge 3 ]
	[ "$(grep -c '^lost ' ev.s)" -ge 3 ] && [ "$(grep -c '^up ' ev.s)" -ge 3 ]
	grep -Eqx 'up [0-9]+' ev.s
	grep -Eqx 'retry [0-9]+' ev.c
	# new links only: four connections, none resumed by its old bytes
	[ -s px/4.c2s ]
}

@test "wrap: a bulk stream goes in records of 32 cells, full when written in pieces of 15795 bytes" {
	head -c 2M /dev/urandom >A
	proxy
	LINES=0 server -A 1
	# dd writes each block of 15795 bytes (one record's worth) at once
	FROM="A | dd bs=15795 status=none" client -A 1
	waitpid "$CPID" 30
	[ "$ST" -eq 0 ] || { cat c.err; false; }
	waitpid "$SPID" 20
	[ "$ST" -eq 0 ]
	cmp A got.s
	# every record on the wire is one of the buckets, none above 32
	# cells, and the stream's bytes fill them: 15936 on the wire for
	# 15795 (1.0089), little more for the RESUME, acks and the end
	run /usr/bin/python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
i = n = big = 0
sizes = set(498 << k for k in range(8))
while i < len(b):
    size = 2 + int.from_bytes(b[i:i + 2], "big")
    assert size in sizes, "record of %d bytes at %d" % (size, i)
    big = max(big, size)
    i += size
    n += 1
assert i == len(b), "a record cut short"
print(n, big, "%.4f" % (len(b) / (2 << 20)))
' px/1.c2s
	echo "$output"
	[ "$status" -eq 0 ]
	set -- $output
	[ "$2" -eq 15936 ]
	awk -v r="$3" 'BEGIN { exit !(r < 1.02) }'
}

@test "wrap -l/-D: 3000 numbered lines with cuts arrive once each, in order" {
	seq -f 'line %g of the client' 1 3000 >lines
	RATE=40000 proxy
	LINES=0 server -A 1
	FROM=lines client -A 1
	for i in 1 2 3; do
		sleep 0.3
		kill -USR1 "$PPID_"
	done
	waitpid "$CPID" 60
	[ "$ST" -eq 0 ]
	waitpid "$SPID" 20
	[ "$ST" -eq 0 ]
	cmp lines got.s
	[ "$(grep -c '^lost ' ev.s)" -ge 1 ]
}

@test "wrap -l: garbage and a replay of an earlier connection on the server's socket leave the session alone" {
	proxy
	# writers first: a fifo opened to read waits for one
	exec {sfd}<>s.in {cfd}<>c.in
	IN=s.in LINES=2 server -A 1
	IN=c.in LINES=2 client -A 1
	echo one >&"$cfd"
	wait_for got.s '^one$' 10
	# a new link: connection 1 is over, its bytes recorded
	kill -USR1 "$PPID_"
	wait_for ev.c '^up ' 20
	wait_for ev.s '^up ' 20
	cp ev.s ev.s.before
	[ -s px/1.c2s ]
	link() { "$AXO_TOP/t/helpers/unixlink" "$T/srv/onion.sock" "$@"; }
	# the replay: closed by the server, nothing said back
	run timeout 10 "$AXO_TOP/t/helpers/unixlink" "$T/srv/onion.sock" \
		sh -c 'cat px/1.c2s >&7; exec 7>&-; cat <&6' 
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# garbage, and bytes that are no record at all
	run timeout 10 "$AXO_TOP/t/helpers/unixlink" "$T/srv/onion.sock" \
		sh -c 'head -c 5000 /dev/urandom >&7 2>/dev/null; exec 7>&-; cat <&6'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run timeout 10 "$AXO_TOP/t/helpers/unixlink" "$T/srv/onion.sock" \
		sh -c 'printf "\001\360" >&7; head -c 494 /dev/zero >&7; exec 7>&-; cat <&6'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the session goes on, untouched
	echo two >&"$cfd"
	echo back >&"$sfd"
	wait_for got.s '^two$' 10
	wait_for got.c '^back$' 10
	echo last >&"$sfd"
	waitpid "$CPID" 20
	[ "$ST" -eq 0 ]
	waitpid "$SPID" 20
	[ "$ST" -eq 0 ]
	cmp ev.s.before ev.s || { diff ev.s.before ev.s || :; false; }
	[ "$(cat got.s)" = "one
two" ]
	[ "$(cat got.c)" = "back
last" ]
}

@test "wrap: a stalled link is dead after 3 keepalive periods, and mended" {
	proxy
	# writers first: a fifo opened to read waits for one
	exec {sfd}<>s.in {cfd}<>c.in
	IN=s.in LINES=2 server -A 1
	IN=c.in LINES=2 client -A 1
	echo one >&"$cfd"
	wait_for got.s '^one$' 10
	kill -STOP "$PPID_"
	t0=$(date +%s%N)
	wait_for ev.c '^lost nothing heard for 3 s$' 6
	wait_for ev.s '^lost nothing heard for 3 s$' 6
	t1=$(date +%s%N)
	# within 3K + 2 s of the stall
	[ $(((t1 - t0) / 1000000)) -le 5000 ]
	kill -CONT "$PPID_"
	wait_for ev.c '^up ' 30
	echo two >&"$cfd"
	echo back >&"$sfd"
	echo last >&"$sfd"
	waitpid "$CPID" 20
	[ "$ST" -eq 0 ]
	waitpid "$SPID" 20
	[ "$ST" -eq 0 ]
	[ "$(cat got.s)" = "one
two" ]
}

@test "wrap -R 0: a stalled link is noticed after 3 keepalive periods: both end 111 with the cause, in words without -E" {
	proxy
	exec {sfd}<>s.in {cfd}<>c.in
	STOPW=1 IN=s.in LINES=5 server -A 1 -R 0
	# the client without -E: its events are warnings on stderr
	NOEV=" " STOPW=1 IN=c.in LINES=5 client -A 1 -R 0
	echo one >&"$cfd"
	wait_for got.s '^one$' 10
	kill -STOP "$PPID_"
	t0=$(date +%s%N)
	waitpid "$CPID" 10
	[ "$ST" -eq 111 ]
	waitpid "$SPID" 10
	[ "$ST" -eq 111 ]
	t1=$(date +%s%N)
	kill -CONT "$PPID_"
	# within 3K + 2 s of the stall
	[ $(((t1 - t0) / 1000000)) -le 5000 ]
	# no reconnecting without -R: nothing lost, no retry
	[ "$(cat ev.s)" = "gone nothing heard for 3 s" ]
	[ ! -s s.err ] || { cat s.err; false; }
	[ "$(cat c.err)" = "axo-ratchet: warning: gave up: nothing heard for 3 s" ]
}

@test "wrap -R: no link for R seconds: both give up with 111 and the cause" {
	proxy
	# writers first: a fifo opened to read waits for one
	exec {sfd}<>s.in {cfd}<>c.in
	STOPW=1 IN=s.in LINES=5 server -A 1 -R 3
	STOPW=1 IN=c.in LINES=5 client -A 1 -R 3
	echo one >&"$cfd"
	wait_for got.s '^one$' 10
	kill "$PPID_"
	t0=$(date +%s)
	waitpid "$CPID" 15
	[ "$ST" -eq 111 ]
	waitpid "$SPID" 15
	[ "$ST" -eq 111 ]
	[ $(($(date +%s) - t0)) -le 10 ]
	grep -qx "gone no link for 3 s: unixlink: fatal: unable to connect to $T/front: Connection refused" ev.c
	grep -qx "gone no link for 3 s" ev.s
	grep -Eqx 'retry [2-9]' ev.c
	# with the events on a pipe, wrap says nothing on stderr
	[ ! -s c.err ] || { cat c.err; false; }
	[ ! -s s.err ] || { cat s.err; false; }
	[ ! -e srv/onion.sock.new ]
}

@test "wrap -P: the end of the watched process ends the session at once" {
	proxy
	sleep 300 &
	tpid=$!
	# writers first: a fifo opened to read waits for one
	exec {sfd}<>s.in {cfd}<>c.in
	STOPW=1 IN=s.in LINES=5 server -A 1
	STOPW=1 IN=c.in LINES=5 client -A 1 -P "$tpid"
	echo one >&"$cfd"
	wait_for got.s '^one$' 10
	kill "$tpid"
	waitpid "$CPID" 5
	[ "$ST" -eq 111 ]
	grep -qx "gone our tor stopped (pid $tpid)" ev.c
}

# listen PATH FD PROG...: PROG with a unix socket listening on PATH at
# its FD (as axo-onion serve -L leaves it)
listen() {
	local path=$1 fd=$2
	shift 2
	exec /usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
os.dup2(s.fileno(), int(sys.argv[2]))
os.execvp(sys.argv[3], sys.argv[3:])' "$path" "$fd" "$@"
}

@test "wrap -F: a second stream on fds 3/4 beside fds 6/7, which pass untouched; links only from -l and -D" {
	head -c 3M /dev/urandom >A
	head -c 2M /dev/urandom >B
	echo six >six.in
	# the server: fds 6/7 are files here, the program's own; its
	# stream on 3/4, events on 5
	listen "$T/f.sock" 8 axo-ratchet wrap -S b -F 3 -E 5 -l 8 -A 1 -R 20 \
		sh -c 'cat <&5 >ev.s 4>&- & { cat B >&4; } & w=$!; exec 4>&-; cat <&3 >got.s; cat <&6 >six.s; echo seven >&7; wait $w' \
		6<six.in 7>seven.out 2>s.err 3>&- &
	SPID=$!
	wait_file "$T/f.sock"
	axo-ratchet wrap -S a -F 3 -E 5 -A 1 -R 20 \
		-D "$AXO_TOP/t/helpers/unixlink" --pass 7 "$T/f.sock" -- \
		sh -c 'cat <&5 >ev.c 4>&- & { cat A >&4; } & w=$!; exec 4>&-; cat <&3 >got.c; wait $w' \
		2>c.err 3>&- 6<&- 7>&- &
	CPID=$!
	both_ok 30
	[ "$(cat six.s)" = six ] && [ "$(cat seven.out)" = seven ]
	grep -qx 'retry 1' ev.c
	# no first link: no "up" (nothing was lost), nothing lost
	! grep -q '^lost ' ev.c ev.s
}

@test "wrap -F: the program ends before any link came: wrap ends with it, 0" {
	run -0 timeout 10 axo-ratchet wrap -S a -F 3 -R 600 \
		-D "$AXO_TOP/t/helpers/unixlink" --pass 7 "$T/nobody" -- true 6<&- 7>&-
	[ "$output" = "" ]
}

# With -F the stream is the program's second: its status is wrap's
# (axo-chat goes on without a file stream that wrap gave up on).
@test "wrap -F: a program that heard gone and exits 0 ends wrap with 0; one that ends while no link is up ends wrap at once" {
	# no link ever: gone after -R, the program's 0
	run -0 timeout 20 axo-ratchet wrap -S a -F 3 -E 5 -R 2 \
		-D "$AXO_TOP/t/helpers/unixlink" --pass 7 "$T/nobody" -- \
		sh -c 'grep -m 1 "^gone " <&5 >ev.c' 6<&- 7>&-
	[ "$output" = "" ]
	grep -Eqx "gone no link for 2 s: .*" ev.c
	# a link, then the server gone: the program ends at its "lost",
	# wrap with it (not after -R 600)
	listen "$T/f.sock" 8 axo-ratchet wrap -S b -F 3 -A 1 -R 20 -l 8 \
		sh -c 'echo ho >&4; cat <&3 >got.s' 6</dev/null 7>/dev/null 2>s.err 3>&- &
	SPID=$!
	wait_file "$T/f.sock"
	axo-ratchet wrap -S a -F 3 -E 5 -A 1 -R 600 \
		-D "$AXO_TOP/t/helpers/unixlink" --pass 7 "$T/f.sock" -- \
		sh -c 'echo hi >&4; head -n 1 <&3 >got.c; grep -m 1 "^lost " <&5 >ev.c' \
		2>c.err 3>&- 6<&- 7>&- &
	CPID=$!
	# the link proved itself both ways
	wait_for got.s '^hi$' 10
	wait_for got.c '^ho$' 10
	kill -KILL "$SPID"
	waitpid "$CPID" 10
	[ "$ST" -eq 0 ]
	grep -q '^lost ' ev.c
	[ ! -s c.err ] || { cat c.err; false; }
}

@test "wrap: usage of -l, -D, -R, -A, -E, -P" {
	U="axo-ratchet: usage: $(axo-ratchet --help | sed 's/^usage: //' | head -1)"
	run axo-ratchet wrap -S a -D unixlink cat
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -D -- cat
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -D unixlink --
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -l 5 -D x -- cat 5</dev/null 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -R -1 cat
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -A x cat
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -E 2 cat
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -P 1 cat
	[ "$status" -eq 100 ]
	run axo-ratchet wrap -S a -l 9 cat 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-ratchet: fatal: missing fd 9 (listening socket)" ]
	run axo-ratchet wrap -S a -F 3 cat 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: fatal: -F needs -l or -D, and -R above 0" ]
	[ "${lines[1]}" = "$U" ]
	run axo-ratchet wrap -S a -F 3 -R 0 -D x -- cat
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: fatal: -F needs -l or -D, and -R above 0" ]
	[ "${lines[1]}" = "$U" ]
	run axo-ratchet wrap -S a -F 3 -E 4 -D x -- cat
	[ "$status" -eq 100 ]
	[ "${lines[0]}" = "axo-ratchet: fatal: -E 4 is one of prog's stream fds" ]
	for fd in 2 5 6 7; do
		run axo-ratchet wrap -S a -F $fd -D x -- cat
		[ "$status" -eq 100 ]
		[ "${lines[0]}" = "$U" ]
	done
	cmp -s a a || true
}
