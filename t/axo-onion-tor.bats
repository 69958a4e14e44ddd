#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axo-onion on a private Tor network on 127.0.0.1 (t/helpers/tornet): one
# network for the whole file.  Its client "s" publishes, its client "c"
# connects; a tor of axo-onion's own launching joins it too.  Timings are
# printed as TAP comments: a report, never an assertion.

load helpers/common
load helpers/tornet

IO=$BATS_TEST_DIRNAME/helpers/ucspi-io.py

setup_file() {
	tornet_setup_file
}

teardown_file() {
	tornet_teardown_file
}

setup() {
	axo_setup_tmp
	SERVE_PID=
	LTOR_PID=
}

teardown() {
	[ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null
	[ -n "$LTOR_PID" ] && kill "$LTOR_PID" 2>/dev/null
	axo_teardown_tmp
}

report() { printf '# %s\n' "$*" >&3; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# publish on the "s" client: the record in $T/rec, the address in ADDR
publish() {
	axo-onion publish -q -d "$T" -c "$TORNET_S_CONTROL" -t 60 "$@" \
		5>"$T/rec" || return 1
	ADDR=$(cut -d' ' -f2 "$T/rec")
}

# serve an echo on $T's unix socket, in the background
serve_echo() {
	axo-onion serve -q -d "$T" -t 120 /usr/bin/python3 "$IO" echo \
		3>&- 2>"$T/serve.err" &
	SERVE_PID=$!
}

freeport() {
	/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

@test "tornet: the network is up, both clients bootstrapped" {
	report "tornet start to both clients at 100%: $TORNET_SECONDS s"
	local p n=0
	for p in $TORNET_PIDS; do
		[ "$(cat "/proc/$p/comm")" = tor ]
		n=$((n + 1))
	done
	[ "$n" -eq 8 ]
	[ -s "$TORNET_S_COOKIE" ] && [ -s "$TORNET_C_COOKIE" ]
	grep -q '^TestingTorNetwork 1$' "$TORNET_CLIENT_TORRC"
	[ "$(grep -c '^DirAuthority ' "$TORNET_CLIENT_TORRC")" -eq 3 ]
}

@test "onion: no client key: refused with 0xf4, PROG not run" {
	publish
	run axo-onion connect -s "$TORNET_C_SOCKS" -t 30 "$ADDR" 80 touch "$T/ran"
	[ "$status" -eq 98 ]
	[ "$output" = "axo-onion: fatal: proxy refused: onion service missing client authorization (socks5 reply 0xf4)" ]
	[ ! -e "$T/ran" ]
}

@test "onion: a wrong client key: refused with 0xf5, PROG not run" {
	publish
	# the same address with another x25519 key
	/usr/bin/python3 -c '
import base64, sys, nacl.public
k = base64.b64encode(bytes(nacl.public.PrivateKey.generate())).decode()
print("axo-onion-cred-v1 %s %s" % (sys.argv[1], k))' "$ADDR" >"$T/wrong"
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$T/wrong"
	run axo-onion connect -s "$TORNET_C_SOCKS" -t 30 "$ADDR" 80 touch "$T/ran"
	[ "$status" -eq 98 ]
	[ "$output" = "axo-onion: fatal: proxy refused: onion service wrong client authorization (socks5 reply 0xf5)" ]
	[ ! -e "$T/ran" ]
}

@test "onion: the right key: 10 MiB echo both ways, byte-exact; timings" {
	local t0 t1 t2 t3
	head -c 10485760 /dev/urandom >"$T/in"
	t0=$(now_ms)
	publish
	t1=$(now_ms)
	serve_echo
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$T/rec"
	t2=$(now_ms)
	run axo-onion connect -s "$TORNET_C_SOCKS" -t 60 "$ADDR.onion" 80 \
		sh -c 'echo $(( $(date +%s%N) / 1000000 )) >"$0/connected"; exec /usr/bin/python3 "$1" send "$0/in" "$0/out"' "$T" "$IO"
	t3=$(now_ms)
	[ "$status" -eq 0 ]
	[[ "$output" = "axo-onion: info: connected in "* ]]
	wait "$SERVE_PID"
	SERVE_PID=
	cmp "$T/in" "$T/out"
	[ ! -s "$T/serve.err" ]
	report "publish (ADD_ONION to HS_DESC UPLOADED, process): $((t1 - t0)) ms"
	report "auth + first connection: $(( $(cat "$T/connected") - t2 )) ms"
	report "10 MiB echo through the onion: $((t3 - $(cat "$T/connected"))) ms"
}

@test "onion: connect before serve listens: retried until it does" {
	publish
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$T/rec"
	echo ping >"$T/in"
	axo-onion connect -s "$TORNET_C_SOCKS" -t 60 "$ADDR" 80 \
		/usr/bin/python3 "$IO" send "$T/in" "$T/out" 3>&- 2>"$T/connect.err" &
	cpid=$!
	sleep 2
	serve_echo
	wait "$cpid"
	wait "$SERVE_PID"
	SERVE_PID=
	cmp "$T/in" "$T/out"
	grep -q '^axo-onion: info: attempt 1: proxy refused: general SOCKS server failure (socks5 reply 0x01); retrying$' "$T/connect.err"
}

@test "onion: it forwards to the unix socket; tor listens on no new TCP port" {
	local spid before after
	spid=$(awk '{print $7}' <<<"$TORNET_PIDS")
	[ "$(cat "/proc/$spid/comm")" = tor ]
	before=$(ss -Hltnp | grep "pid=$spid," | awk '{print $4}' | sort)
	publish
	after=$(ss -Hltnp | grep "pid=$spid," | awk '{print $4}' | sort)
	[ "$before" = "$after" ]
	[ "$after" = "$(printf '127.0.0.1:%s\n127.0.0.1:%s\n' "$TORNET_S_CONTROL" "$TORNET_S_SOCKS" | sort)" ]
	serve_echo
	for i in $(seq 100); do [ -S "$T/onion.sock" ] && break; sleep 0.05; done
	# tor is the only peer of the unix socket: the connection lands there
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$T/rec"
	echo x >"$T/in"
	axo-onion connect -q -s "$TORNET_C_SOCKS" -t 60 "$ADDR" 80 \
		/usr/bin/python3 "$IO" send "$T/in" "$T/out"
	cmp "$T/in" "$T/out"
	wait "$SERVE_PID"
	SERVE_PID=
	[ ! -e "$T/onion.sock" ]
}

@test "unpublish: a detached onion is deleted; twice is refused" {
	publish
	run axo-onion unpublish -c "$TORNET_S_CONTROL" "$ADDR"
	[ "$status" -eq 0 ]
	run axo-onion unpublish -c "$TORNET_S_CONTROL" "$ADDR"
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: tor refused DEL_ONION: 552 Unknown Onion Service id" ]
}

@test "launch: our own tor joins; a password works; every file it writes is in its tmpfs dir; killed by PID, nothing left" {
	local sp cp d=$T/own t0
	sp=$(freeport)
	cp=$(freeport)
	[ "$sp" != "$cp" ]
	mkdir -m 700 "$d"
	# a control password too, as a system tor may have
	{ cat "$TORNET_CLIENT_TORRC"
	  echo "HashedControlPassword $(tor --hash-password sesame | tail -n 1)"
	} >"$T/extra"
	t0=$(now_ms)
	# strace follows launch into tor; it ends when tor does
	strace -f -qq -o "$T/trace" -e trace=openat,open,creat,mkdir,rename,unlink,truncate \
		axo-onion launch -d "$d" -f "$T/extra" -s "$sp" -c "$cp" \
		-O "$BASHPID" -t 60 >"$T/launch.out" 2>"$T/launch.err" 3>&- &
	spid=$!
	for i in $(seq 600); do [ -s "$d/tor.env" ] && break; sleep 0.1; done
	report "launch to bootstrap 100% on the private network: $(( $(now_ms) - t0 )) ms (under strace)"
	. "$d/tor.env"
	LTOR_PID=$TOR_PID
	[ "$(cat "$T/launch.out")" = "$(cat "$d/tor.env")" ]
	[ "$TOR_SOCKS_PORT" = "$sp" ] && [ "$TOR_CONTROL_PORT" = "$cp" ]
	[ "$TOR_COOKIE" = "$d/tor/control_auth_cookie" ]
	grep -q '^axo-onion: info: bootstrap 100%: Done$' "$T/launch.err"
	[ "$(cat "/proc/$TOR_PID/comm")" = tor ]
	# publish through it with the cookie we name, connect from "c"
	axo-onion publish -q -d "$d" -c "$cp" --cookie "$TOR_COOKIE" -t 60 5>"$d/rec"
	axo-onion serve -q -d "$d" -t 60 /usr/bin/python3 "$IO" echo 3>&- &
	SERVE_PID=$!
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$d/rec"
	echo hello >"$T/in"
	axo-onion connect -q -s "$TORNET_C_SOCKS" -t 60 "$(cut -d' ' -f2 "$d/rec")" 80 \
		/usr/bin/python3 "$IO" send "$T/in" "$T/out"
	cmp "$T/in" "$T/out"
	wait "$SERVE_PID"
	SERVE_PID=
	# the password from an fd, against the real tor
	run axo-onion unpublish -c "$cp" --password-fd 8 "$(cut -d' ' -f2 "$d/rec")" 8< <(echo open)
	[ "$status" -eq 97 ]
	[[ "$output" = "axo-onion: fatal: tor refused AUTHENTICATE: 515 Authentication failed"* ]]
	run axo-onion unpublish -c "$cp" --password-fd 8 "$(cut -d' ' -f2 "$d/rec")" 8< <(echo sesame)
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	kill "$TOR_PID"
	for i in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$spid" 2>/dev/null
	LTOR_PID=
	# every path opened for writing, made, renamed or removed is in $d
	grep -E 'O_WRONLY|O_RDWR|O_CREAT|mkdir\(|rename\(|unlink\(|truncate\(' "$T/trace" |
		grep -v ' = -1 ' | grep -o '"[^"]*"' | tr -d '"' | sort -u >"$T/written"
	[ -s "$T/written" ]
	! grep -v -e "^$d/" -e '^/dev/null$' -e '^/dev/tty$' "$T/written"
	rm -rf "$d"
	[ "$(tornet_pids_left "$d")" -eq 0 ]
}

@test "launch: free ports by default (two side by side); a taken port named, with a hint; nothing left" {
	local d1=$T/one d2=$T/two d3=$T/three
	mkdir -m 700 "$d1" "$d2" "$d3"
	axo-onion launch -q -d "$d1" -f "$TORNET_CLIENT_TORRC" -O "$BASHPID" -t 60 >/dev/null 3>&-
	axo-onion launch -q -d "$d2" -f "$TORNET_CLIENT_TORRC" -O "$BASHPID" -t 60 >/dev/null 3>&-
	. "$d1/tor.env"
	p1="$TOR_PID $TOR_SOCKS_PORT $TOR_CONTROL_PORT"
	LTOR_PID=$TOR_PID
	[ "$(cat "$d1/control.port")" = "PORT=127.0.0.1:$TOR_CONTROL_PORT" ]
	run axo-onion info -c "$TOR_CONTROL_PORT"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "TOR_PID=$TOR_PID" ]
	[ "${lines[3]}" = "TOR_UID=$(id -u)" ]
	[ "${lines[5]}" = "TOR_SOCKS_PORT=$TOR_SOCKS_PORT" ]
	. "$d2/tor.env"
	kill "$TOR_PID"
	set -- $p1
	kill "$1"
	LTOR_PID=
	[ "$2" != "$TOR_SOCKS_PORT" ] && [ "$3" != "$TOR_CONTROL_PORT" ]
	# a port pinned that is taken: tor's line that names it, and a hint
	run axo-onion launch -q -d "$d3" -f "$TORNET_CLIENT_TORRC" -s "$TORNET_S_SOCKS" \
		-O "$BASHPID" -t 60 3>&-
	[ "$status" -eq 111 ]
	[ "${lines[0]}" = "axo-onion: fatal: tor exited during start: Could not bind to 127.0.0.1:$TORNET_S_SOCKS: Address already in use. Is Tor already running?" ]
	[ "${lines[1]}" = "axo-onion: hint: a port given with -s or -c is taken; without them tor takes free ones" ]
	[ ! -e "$d3/tor.env" ]
	for i in $(seq 100); do
		[ "$(tornet_pids_left "$T")" -eq 0 ] && break
		sleep 0.1
	done
	[ "$(tornet_pids_left "$T")" -eq 0 ]
}

@test "deauth: the client key that auth gave a running tor is removed" {
	publish
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$T/rec"
	"$AXO_TOP/t/helpers/systor-ctl" "$TORNET_C_CONTROL" "$TORNET_C_COOKIE" \
		ONION_CLIENT_AUTH_VIEW | grep -q "$ADDR"
	run axo-onion deauth -c "$TORNET_C_CONTROL" "$ADDR"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	! "$AXO_TOP/t/helpers/systor-ctl" "$TORNET_C_CONTROL" "$TORNET_C_COOKIE" \
		ONION_CLIENT_AUTH_VIEW | grep -q "$ADDR"
	axo-onion unpublish -c "$TORNET_S_CONTROL" "$ADDR"
}

@test "tornet stop: every tor of the network killed by PID, its files gone" {
	"$AXO_TOP/t/helpers/tornet" stop "$TORNET_DIR" 3>&-
	local p
	for p in $TORNET_PIDS; do
		! [ -e "/proc/$p" ] || [ "$(awk '{print $3}' "/proc/$p/stat")" = Z ]
	done
	[ "$(tornet_pids_left "$TORNET_DIR/net")" -eq 0 ]
	[ ! -e "$TORNET_DIR/net" ]
	[ ! -e "$TORNET_DIR/tornet.env" ]
}
