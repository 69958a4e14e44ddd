#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# lib/socks5.c against a fake SOCKS5 server (t/helpers/fake-socks.py):
# good replies pass the stream through byte-exact, hostile ones give a
# clean message in bounded time.  The real tor is in t/axo-onion.bats.

load helpers/common

socks5() { "$AXO_TBIN/unit/socks5" "$@"; }

setup() {
	axo_setup_tmp
	FAKE_PID=
}

teardown() {
	[ -n "$FAKE_PID" ] && kill "$FAKE_PID" 2>/dev/null || :
	[ -n "$FAKE_PID" ] && wait "$FAKE_PID" 2>/dev/null || :
	axo_teardown_tmp
}

# fake MODE: starts the fake server, sets FAKE_PORT.
fake() {
	/usr/bin/python3 "$AXO_TOP/t/helpers/fake-socks.py" "$T/port" \
		"$T/log" "$1" 3>&- &
	FAKE_PID=$!
	local i
	for i in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$T/port")
}

@test "socks5: usage" {
	run socks5 1 x
	[ "$status" -eq 100 ]
	[ "$output" = "socks5: usage: socks5 proxyport host port timeout_ms" ]
}

@test "socks5: a good reply passes the stream through byte-exact" {
	fake ok
	head -c 300000 /dev/urandom >"$T/in"
	socks5 "$FAKE_PORT" example.onion 80 5000 <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
	# the request: CONNECT, ATYP 3 (name resolved by the proxy), port 80
	[ "$(cat "$T/log")" = "050100030d6578616d706c652e6f6e696f6e0050" ]
}

@test "socks5: bytes after a bound-name reply belong to the stream" {
	fake ok-domain
	run socks5 "$FAKE_PORT" a.onion 1 5000 </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = early ]
}

@test "socks5: an IPv6 bound address is read whole" {
	fake ok-ipv6
	run socks5 "$FAKE_PORT" a.onion 1 5000 <<<hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "socks5: a reply one byte at a time" {
	fake slow
	run socks5 "$FAKE_PORT" a.onion 1 5000 <<<hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "socks5: tor's extended errors in words" {
	fake rep:f4
	run socks5 "$FAKE_PORT" a.onion 80 5000 </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "socks5: fatal: proxy refused: onion service missing client authorization (socks5 reply 0xf4)" ]
}

@test "socks5: every reply code has words" {
	local c want
	for c in 01:"general SOCKS server failure" 05:"connection refused" \
	    f0:"onion service descriptor can not be found" \
	    f1:"onion service descriptor is invalid" \
	    f2:"onion service introduction failed" \
	    f3:"onion service rendezvous failed" \
	    f5:"onion service wrong client authorization" \
	    f6:"onion service invalid address" \
	    f7:"onion service introduction timed out" \
	    99:"unknown reply code"; do
		kill "$FAKE_PID" 2>/dev/null || :
		rm -f "$T/port"
		fake "rep:${c%%:*}"
		want="socks5: fatal: proxy refused: ${c#*:} (socks5 reply 0x${c%%:*})"
		run socks5 "$FAKE_PORT" a.onion 80 5000 </dev/null
		[ "$status" -eq 1 ]
		[ "$output" = "$want" ]
	done
}

@test "socks5: hostile replies give clean errors" {
	local m want
	for m in "badver-method:proxy sent a bad reply: version 0x04" \
	    "nomethod:proxy refused every offered method (method 0xff)" \
	    "badver:proxy sent a bad reply: version 0x04" \
	    "badrsv:proxy sent a bad reply: reserved byte 0x07" \
	    "badatyp:proxy sent a bad reply: address type 0x07" \
	    "emptyname:proxy sent a bad reply: empty bound name" \
	    "short:proxy closed the connection" \
	    "close:proxy closed the connection"; do
		kill "$FAKE_PID" 2>/dev/null || :
		rm -f "$T/port"
		fake "${m%%:*}"
		run socks5 "$FAKE_PORT" a.onion 80 5000 </dev/null
		[ "$status" -eq 99 ]
		[ "$output" = "socks5: fatal: ${m#*:}" ]
	done
}

@test "socks5: garbage is refused" {
	fake garbage
	run socks5 "$FAKE_PORT" a.onion 80 5000 </dev/null
	[ "$status" -eq 99 ]
	[[ "$output" = "socks5: fatal: proxy "* ]]
}

@test "socks5: a proxy that never replies times out" {
	fake hang
	SECONDS=0
	run socks5 "$FAKE_PORT" a.onion 80 700 </dev/null
	[ "$status" -eq 111 ]
	[ "$output" = "socks5: fatal: proxy did not reply in time" ]
	[ "$SECONDS" -lt 5 ]
}

@test "socks5: no proxy listening" {
	fake close
	kill "$FAKE_PID"; wait "$FAKE_PID" || :
	FAKE_PID=
	run socks5 "$FAKE_PORT" a.onion 80 1000 </dev/null
	[ "$status" -eq 111 ]
	[ "$output" = "socks5: fatal: unable to connect to proxy 127.0.0.1:$FAKE_PORT: Connection refused" ]
}

@test "socks5: a host name over 255 bytes is refused before connecting" {
	run socks5 1 "$(printf 'a%.0s' $(seq 256))" 80 1000 </dev/null
	[ "$status" -eq 111 ]
	[ "$output" = "socks5: fatal: host name must be 1 to 255 bytes" ]
}
