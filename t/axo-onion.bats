#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axo-onion without a Tor network: usage, refusals, and hostile replies
# from a fake control port (t/helpers/fake-torctl.py) and a fake SOCKS5
# proxy (t/helpers/fake-socks.py).  The real network: axo-onion-tor.bats.

load helpers/common
bats_require_minimum_version 1.5.0

ADDR=uwhvybnu3nfux67rod22frgt7hghngk2x4ze23r6qpb6u3s2tt32riyd

setup() {
	axo_setup_tmp
	FAKE_PID=
	TOR_PIDS=
}

teardown() {
	local p
	[ -n "$FAKE_PID" ] && { kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null; }
	for p in $TOR_PIDS; do kill "$p" 2>/dev/null; done
	axo_teardown_tmp
}

# fakectl MODE [COOKIEFILE]: a fake control port; sets FAKE_PORT.
fakectl() {
	rm -f "$T/port"
	/usr/bin/python3 "$AXO_TOP/t/helpers/fake-torctl.py" "$T/port" \
		"$T/log" "$@" 3>&- &
	FAKE_PID=$!
	waitport
}

fakesocks() {
	rm -f "$T/port"
	/usr/bin/python3 "$AXO_TOP/t/helpers/fake-socks.py" "$T/port" \
		"$T/log" "$1" 3>&- &
	FAKE_PID=$!
	waitport
}

waitport() {
	local i
	for i in $(seq 100); do
		[ -s "$T/port" ] && break
		sleep 0.05
	done
	FAKE_PORT=$(cat "$T/port")
}

# two free TCP ports on 127.0.0.1, "P P+1"
freeports() {
	/usr/bin/python3 -c '
import socket
while True:
    a = socket.socket(); a.bind(("127.0.0.1", 0)); p = a.getsockname()[1]
    b = socket.socket()
    try:
        b.bind(("127.0.0.1", p + 1))
    except OSError:
        continue
    print(p, p + 1); break'
}

# a valid credential record (address, key) of python-nacl's making
cred() {
	/usr/bin/python3 -c '
import base64, nacl.public
k = nacl.public.PrivateKey.generate()
print("axo-onion-cred-v1 '"$ADDR"' " + base64.b64encode(bytes(k)).decode())'
}

# no tor process names the test directory
none_left() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = tor ] || continue
		tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF -- "$T/" &&
			return 1
	done
	return 0
}

U_LAUNCH="axo-onion: usage: axo-onion launch [-q] [--client] -d DIR [-f TORRC] [-s SOCKSPORT] [-c CONTROLPORT] [-O PID] [-t SECONDS] [--insecure-disk]"
U_PUBLISH="axo-onion: usage: axo-onion publish [-q] -d DIR [-D SOCKDIR] [-c CONTROL] [-v VPORT] [-b] [-o FD] [-a FD] [-t SECONDS] [--cookie FILE] [--password-fd FD] [--insecure-disk]"
U_CONNECT="axo-onion: usage: axo-onion connect [-q] [-s SOCKSPORT] [-t SECONDS] ADDR PORT PROG... | --pass FD ADDR PORT"
U_SERVE="axo-onion: usage: axo-onion serve [-q] -d DIR [-D SOCKDIR -u UID] [-t SECONDS] [-l FD] [-L FD] PROG..."

# ---- usage ----

@test "usage: no subcommand, an unknown one" {
	run axo-onion
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: usage: axo-onion launch|publish|auth|unpublish|deauth|info|connect|serve [OPTION...] [OPERAND...]" ]
	run axo-onion frobnicate
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: usage: axo-onion launch|publish|auth|unpublish|deauth|info|connect|serve [OPTION...] [OPERAND...]" ]
}

@test "usage: --help prints every usage line, and each subcommand's options one line each" {
	run --separate-stderr axo-onion --help
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "${lines[0]}" = "usage: ${U_LAUNCH#axo-onion: usage: }" ]
	[ "$(grep -c '^       axo-onion ' <<<"$output")" -eq 6 ]
	for c in launch publish auth "unpublish, deauth" info connect serve; do
		grep -qx "$c options:" <<<"$output"
	done
	for c in launch publish auth unpublish deauth info connect serve; do
		run --separate-stderr axo-onion "$c" --help
		[ "$status" -eq 0 ]
		[ "$stderr" = "" ]
		[[ "${lines[0]}" == "usage: axo-onion $c "* ]] ||
			[[ "${lines[0]}" == "usage: axo-onion unpublish|deauth "* ]]
		[ "${lines[1]}" = "options:" ]
		# each option of the usage line once, and no other
		opts=$(grep -oE -- '[ [|]-(-[a-z-]+|[a-zA-Z])' <<<"${lines[0]}" |
			cut -c2- | sort -u)
		for o in $opts -h; do
			[ "$(grep -cE -- "^  $o[ ,]|^      $o " <<<"$output")" -eq 1 ] ||
				{ echo "$c: $o"; false; }
		done
		[ "${#lines[@]}" -eq $(( $(wc -w <<<"$opts") + 3 )) ] ||
			{ echo "$c: ${#lines[@]} lines for $opts"; false; }
	done
}

@test "usage: bad, repeated, misplaced options and stray operands" {
	run axo-onion launch -x -d "$T"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: unknown option -x
$U_LAUNCH" ]
	run axo-onion launch --foo -d "$T"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: unknown option --foo
$U_LAUNCH" ]
	run axo-onion launch -d "$T" -d "$T"
	[ "$status" -eq 100 ]
	[ "$output" = "$U_LAUNCH" ]
	run axo-onion launch -d "$T" stray
	[ "$status" -eq 100 ]
	[ "$output" = "$U_LAUNCH" ]
	run axo-onion launch
	[ "$status" -eq 100 ]
	[ "$output" = "$U_LAUNCH" ]
	run axo-onion launch -d "$T" -s 70000
	[ "$status" -eq 100 ]
	[ "$output" = "$U_LAUNCH" ]
	run axo-onion launch -d "$T" -s 9000 -c 9000
	[ "$status" -eq 100 ]
	[ "$output" = "$U_LAUNCH" ]
	# -o belongs to publish, not to launch
	run axo-onion launch -d "$T" -o 5
	[ "$status" -eq 100 ]
	[ "$output" = "$U_LAUNCH" ]
	run axo-onion publish -d "$T" -t 0
	[ "$status" -eq 100 ]
	[ "$output" = "$U_PUBLISH" ]
	run axo-onion connect "$ADDR" 80
	[ "$status" -eq 100 ]
	[ "$output" = "$U_CONNECT" ]
	run axo-onion serve true
	[ "$status" -eq 100 ]
	[ "$output" = "$U_SERVE" ]
	# --pass hands the connection over: no PROG, and the fd must be open
	run axo-onion connect --pass 9 "$ADDR" 80 true 9</dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "$U_CONNECT" ]
	run axo-onion connect --pass 9 "$ADDR" 80 9<&-
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: missing fd 9 (pass socket)" ]
	# the kept socket may not be the connection's fds
	run axo-onion serve -d "$T" -l 7 true
	[ "$status" -eq 100 ]
	[ "$output" = "$U_SERVE" ]
	[ ! -e "$T/tor" ]
}

@test "usage: connect checks the address and the port" {
	run axo-onion connect example.com 80 true
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: not a v3 onion address: example.com" ]
	run axo-onion connect "${ADDR%d}a.onion" 80 true
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: not a v3 onion address: ${ADDR%d}a.onion" ]
	run axo-onion connect "$ADDR.onion" 0 true
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: not a port: 0" ]
}

# ---- the private directory ----

@test "launch refuses a directory on a disk, open to others, or odd" {
	local disk
	disk=$(axo_disk_dir)
	chmod 700 "$disk"
	run axo-onion launch -d "$disk"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: directory $disk is not on tmpfs: refusing to put secrets on a disk" ]
	[ ! -e "$disk/tor" ]
	chmod 755 "$T"
	run axo-onion launch -d "$T"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: directory $T must be ours and mode 0700" ]
	chmod 700 "$T"
	mkdir -m 700 "$T/a b"
	run axo-onion serve -d "$T/a b" true
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: directory $T/a b: only letters, digits and /._-+ please" ]
	run axo-onion launch -d "$T/none"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: unable to open directory $T/none: No such file or directory" ]
	[ ! -e "$T/tor" ]
}

# ---- launch with a real tor that cannot start or bootstrap ----

@test "launch: tor's own words when it cannot start, and no tor left" {
	fakesocks close	# a port in use
	chmod 700 "$T"
	run axo-onion launch -q -d "$T" -s "$FAKE_PORT" -c $((FAKE_PORT + 1))
	[ "$status" -eq 111 ]
	# tor's line that names the port, not the one after it that does not
	[ "${lines[0]}" = "axo-onion: fatal: tor exited during start: Could not bind to 127.0.0.1:$FAKE_PORT: Address already in use. Is Tor already running?" ]
	[ "${lines[1]}" = "axo-onion: hint: a port given with -s or -c is taken; without them tor takes free ones" ]
	[ "${#lines[@]}" -eq 2 ]
	none_left
}

@test "launch: a tor that cannot bootstrap is killed at the time-out" {
	chmod 700 "$T"
	# a network whose only authority does not exist
	cat >"$T/extra" <<-EOF
	TestingTorNetwork 1
	DirAuthority x orport=1 no-v2 v3ident=0000000000000000000000000000000000000000 127.0.0.1:1 0000000000000000000000000000000000000000
	EOF
	SECONDS=0
	run axo-onion launch -d "$T" -f "$T/extra" -s 0 -t 3
	[ "$status" -eq 100 ]
	set -- $(freeports)
	port=$1
	run axo-onion launch -d "$T" -f "$T/extra" -s "$port" -c $((port + 1)) -t 2
	[ "$status" -eq 111 ]
	[[ "${lines[0]}" = "axo-onion: info: tor started, pid "* ]]
	[[ "${lines[${#lines[@]}-1]}" = "axo-onion: fatal: tor did not bootstrap within 2 s (at "* ]]
	[ "$SECONDS" -lt 12 ]
	none_left
	[ ! -e "$T/tor.env" ]
}

@test "launch: a signal kills our tor too (exit 128+n)" {
	chmod 700 "$T"
	cat >"$T/extra" <<-EOF
	TestingTorNetwork 1
	DirAuthority x orport=1 no-v2 v3ident=0000000000000000000000000000000000000000 127.0.0.1:1 0000000000000000000000000000000000000000
	EOF
	set -- $(freeports)
	port=$1
	axo-onion launch -q -d "$T" -f "$T/extra" -s "$port" -c $((port + 1)) \
		-t 60 2>"$T/err" 3>&- &
	pid=$!
	for i in $(seq 100); do [ -s "$T/tor.log" ] && break; sleep 0.05; done
	sleep 0.5
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ]
	[ "$(cat "$T/err")" = "axo-onion: fatal: interrupted by signal 15" ]
	none_left
	[ ! -e "$T/tor.env" ]
}

@test "launch: a tor program that is not there" {
	chmod 700 "$T"
	AXO_TOR=/nonexistent/tor run axo-onion launch -q -d "$T" -t 5
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: unable to run tor: /nonexistent/tor not found" ]
	[ ! -e "$T/tor.env" ]
}

@test "launch: an extra torrc that cannot be read leaves nothing behind" {
	chmod 700 "$T"
	run axo-onion launch -d "$T" -f "$T/none"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: unable to open $T/none: No such file or directory" ]
	printf 'a\0b' >"$T/bin"
	run axo-onion launch -d "$T" -f "$T/bin"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: $T/bin is not a text file" ]
	[ ! -e "$T/tor" ] && [ ! -e "$T/torrc" ]
}

@test "launch: a second launch in the same directory is refused" {
	chmod 700 "$T"
	mkdir -m 700 "$T/tor"
	run axo-onion launch -d "$T"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: $T/tor exists: a tor was launched in $T already" ]
}

# ---- hostile control ports ----

@test "control: malformed replies give clean errors (exit 99)" {
	local m want
	chmod 700 "$T"
	for m in "lf:control reply line does not end in CRLF" \
	    "nocode:control reply line has no status code" \
	    "mixed:control reply mixes status codes 250 and 251" \
	    "badsep:control reply line has a bad separator" \
	    "long:control reply too long" \
	    "many:control reply has too many lines" \
	    "binary:control reply holds a control or non-ascii byte" \
	    "cut:tor closed the control connection within a reply" \
	    "close:tor closed the control connection"; do
		kill "$FAKE_PID" 2>/dev/null || :
		fakectl "${m%%:*}"
		: >"$T/rec"
		run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 5 5>"$T/rec"
		[ "$status" -eq 99 ]
		[ "$output" = "axo-onion: fatal: ${m#*:}" ]
		[ ! -s "$T/rec" ]
	done
}

@test "control: a silent control port times out" {
	chmod 700 "$T"
	fakectl hang
	SECONDS=0
	run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 2 5>"$T/rec"
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: tor's control port did not reply in time" ]
	[ "$SECONDS" -lt 6 ]
	[ ! -s "$T/rec" ]
}

@test "control: nothing listening" {
	chmod 700 "$T"
	fakectl close
	kill "$FAKE_PID"; wait "$FAKE_PID" || :
	FAKE_PID=
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: unable to connect to control port 127.0.0.1:$FAKE_PORT: Connection refused" ]
}

@test "control: SAFECOOKIE against an independent HMAC (python hmac)" {
	head -c 32 /dev/urandom >"$T/cookie"
	fakectl safecookie "$T/cookie"
	cred >"$T/cred"
	run axo-onion auth -c "$FAKE_PORT" 4<"$T/cred"
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	grep -q '^AUTHCHALLENGE SAFECOOKIE [0-9a-f]\{64\}$' "$T/log"
	grep -q "^ONION_CLIENT_AUTH_ADD $ADDR x25519:$(cut -d' ' -f3 "$T/cred")\$" "$T/log"
}

@test "control: a wrong SAFECOOKIE server hash is refused before we answer" {
	head -c 32 /dev/urandom >"$T/cookie"
	fakectl badhash "$T/cookie"
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: tor's SAFECOOKIE server hash is wrong: this is not the tor of cookie $T/cookie" ]
	! grep -q '^AUTHENTICATE' "$T/log"
	! grep -q '^ONION_CLIENT_AUTH_ADD' "$T/log"
}

@test "control: a cookie that is not 32 bytes" {
	head -c 31 /dev/urandom >"$T/cookie"
	fakectl safecookie "$T/cookie"
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 99 ]
	[ "$output" = "axo-onion: fatal: control cookie $T/cookie is not 32 bytes" ]
}

@test "control: a password from an fd, quoted; a wrong one is refused" {
	fakectl password
	run axo-onion auth -c "$FAKE_PORT" --password-fd 8 4< <(cred) 8< <(echo sesame)
	[ "$status" -eq 0 ]
	grep -qx 'AUTHENTICATE "sesame"' "$T/log"
	run axo-onion auth -c "$FAKE_PORT" --password-fd 8 4< <(cred) 8< <(printf 'a"b\\c')
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: tor refused AUTHENTICATE: 515 Authentication failed: Password did not match HashedControlPassword value from configuration" ]
	grep -qxF 'AUTHENTICATE "a\"b\\c"' "$T/log"
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: no usable authentication method (tor offers HASHEDPASSWORD): give a password" ]
}

@test "control: plain COOKIE only for a cookie file the user names" {
	fakectl nomethod
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: no usable authentication method (tor offers HASHEDPASSWORD,COOKIE): give a password" ]
	! grep -q '^AUTHENTICATE' "$T/log"
}

@test "control: refused authentication (exit 97, tor's words)" {
	fakectl authfail
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: tor refused AUTHENTICATE: 515 Authentication failed: Password did not match HashedControlPassword value from configuration" ]
}

# ---- publish against a fake ----

@test "publish: the ADD_ONION line and a record whose key matches (python-nacl)" {
	chmod 700 "$T"
	fakectl ok
	run axo-onion publish -d "$T" -c "$FAKE_PORT" -t 5 5>"$T/rec"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "axo-onion: info: onion $ADDR.onion added" ]
	# one line for the uploads, not one an hsdir
	[ "${lines[1]}" = "axo-onion: info: descriptor uploaded to hsdir hsdir1 (1 upload started)" ]
	[[ "${lines[2]}" = "axo-onion: info: published in "*" s" ]]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(wc -c <"$T/rec")" -eq 120 ]
	grep -qx "axo-onion-cred-v1 $ADDR [A-Za-z0-9+/]\{43\}=" "$T/rec"
	line=$(grep '^ADD_ONION' "$T/log")
	[[ "$line" = "ADD_ONION NEW:ED25519-V3 Flags=Detach,DiscardPK,V3Auth Port=80,unix:$T/onion.sock ClientAuthV3="* ]]
	pub=${line##*ClientAuthV3=}
	want=$(/usr/bin/python3 -c '
import base64, sys, nacl.public
sk = base64.b64decode(open(sys.argv[1]).read().split()[2])
pk = bytes(nacl.public.PrivateKey(sk).public_key)
print(base64.b32encode(pk).decode().rstrip("="))' "$T/rec")
	[ "$pub" = "$want" ]
	[ "${#pub}" -eq 52 ]
}

@test "publish -b: port 81 too, to files.sock; -b with -v 65535 is usage" {
	chmod 700 "$T"
	fakectl ok
	run axo-onion publish -q -b -d "$T" -c "$FAKE_PORT" -t 5 5>"$T/rec"
	[ "$status" -eq 0 ]
	line=$(grep '^ADD_ONION' "$T/log")
	[[ "$line" = "ADD_ONION NEW:ED25519-V3 Flags=Detach,DiscardPK,V3Auth Port=80,unix:$T/onion.sock Port=81,unix:$T/files.sock ClientAuthV3="* ]]
	rm -f "$T/rec"
	run axo-onion publish -b -v 65535 -d "$T" -c "$FAKE_PORT" -t 5 5>"$T/rec"
	[ "$status" -eq 100 ]
	[ "$output" = "$U_PUBLISH" ]
	[ ! -s "$T/rec" ]
}

@test "publish: the record fd must be on tmpfs and open" {
	chmod 700 "$T"
	disk=$(axo_disk_dir)
	run axo-onion publish -d "$T" -c 1 5>"$disk/rec"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: fd 5 (credential record) is not on tmpfs: refusing to put secrets on a disk" ]
	[ ! -s "$disk/rec" ]
	run axo-onion publish -d "$T" -c 1 -o 9
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: missing fd 9 (credential record)" ]
}

@test "publish: -a writes the address as soon as tor has the onion" {
	chmod 700 "$T"
	fakectl ok
	run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 5 -a 6 5>"$T/rec" 6>"$T/addr"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/addr")" = "$ADDR" ]
	kill "$FAKE_PID" 2>/dev/null || :
	fakectl noupload
	run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 1 -a 6 5>"$T/rec" 6>"$T/addr"
	[ "$status" -eq 111 ]
	[ "$(cat "$T/addr")" = "$ADDR" ]
	[ ! -s "$T/rec" ]
}

@test "publish: tor's refusals and lies give clean errors, no record" {
	local m
	chmod 700 "$T"
	for m in "refuse-add:97:tor refused ADD_ONION: 512 Invalid key type" \
	    "badid:99:tor sent a malformed ADD_ONION reply" \
	    "privkey:99:tor sent the onion's private key despite DiscardPK"; do
		kill "$FAKE_PID" 2>/dev/null || :
		fakectl "${m%%:*}"
		: >"$T/rec"
		run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 5 5>"$T/rec"
		m=${m#*:}
		[ "$status" -eq "${m%%:*}" ]
		[ "$output" = "axo-onion: fatal: ${m#*:}" ]
		[ ! -s "$T/rec" ]
	done
}

@test "publish: no upload in time: the onion is deleted, no record" {
	chmod 700 "$T"
	fakectl noupload
	run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 2 5>"$T/rec"
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: descriptor not uploaded within 2 s (0 uploads tried, 0 failed)" ]
	grep -qx "DEL_ONION $ADDR" "$T/log"
	[ ! -s "$T/rec" ]
}

@test "publish: a flood of events does not stretch the wait" {
	chmod 700 "$T"
	fakectl eventflood
	SECONDS=0
	run axo-onion publish -q -d "$T" -c "$FAKE_PORT" -t 2 5>"$T/rec"
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: tor's control port did not reply in time" ]
	[ "$SECONDS" -lt 8 ]
	[ ! -s "$T/rec" ]
}

# ---- auth, unpublish against a fake ----

@test "auth: a malformed record is refused before tor is asked" {
	fakectl ok
	local bad
	for bad in "" "axo-onion-cred-v1 $ADDR AAAA" \
	    "axo-onion-cred-v2 $ADDR $(cred | cut -d' ' -f3)" \
	    "axo-onion-cred-v1 ${ADDR%d}a $(cred | cut -d' ' -f3)"; do
		run axo-onion auth -c "$FAKE_PORT" 4< <(printf '%s\n' "$bad")
		[ "$status" -eq 96 ]
		[ "$output" = "axo-onion: fatal: fd 4 is not a credential record" ]
	done
	# a non-canonical base64 spelling of a key (last char's spare bits)
	rec=$(cred)
	key=${rec##* }
	last=${key:42:1}
	alt=$(/usr/bin/python3 -c "
a='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
print(a[a.index('$last') ^ 1])")
	run axo-onion auth -c "$FAKE_PORT" 4< <(printf '%s\n' "${rec%?=}$alt=")
	[ "$status" -eq 96 ]
	! grep -q ONION_CLIENT_AUTH_ADD "$T/log"
	run axo-onion auth -c "$FAKE_PORT" 4< <(printf '%s\n%s\n' "$(cred)" extra)
	[ "$status" -eq 96 ]
	! grep -q ONION_CLIENT_AUTH_ADD "$T/log"
}

@test "auth: tor's refusal in its words" {
	fakectl refuse-auth-add
	run axo-onion auth -c "$FAKE_PORT" 4< <(cred)
	[ "$status" -eq 97 ]
	[ "$output" = "axo-onion: fatal: tor refused ONION_CLIENT_AUTH_ADD: 512 Invalid v3 address \"$ADDR\"" ]
}

@test "auth: the record fd must be on tmpfs" {
	disk=$(axo_disk_dir)
	cred >"$disk/rec"
	run axo-onion auth -c 1 4<"$disk/rec"
	[ "$status" -eq 100 ]
	[ "$output" = "axo-onion: fatal: fd 4 (credential record) is not on tmpfs: refusing to put secrets on a disk" ]
}

@test "unpublish: DEL_ONION" {
	fakectl ok
	run axo-onion unpublish -c "$FAKE_PORT" "$ADDR.onion"
	[ "$status" -eq 0 ]
	grep -qx "DEL_ONION $ADDR" "$T/log"
}

# ---- connect against a fake SOCKS5 proxy ----

@test "connect: the stream is on fds 6 and 7 of PROG" {
	fakesocks ok
	run axo-onion connect -q -s "$FAKE_PORT" "$ADDR.onion" 80 \
		sh -c 'echo hello >&7; head -n1 <&6'
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	# CONNECT, ATYP 3, 62 bytes of ADDR.onion, port 80
	[ "$(cat "$T/log")" = "050100033e$(printf '%s.onion' "$ADDR" | od -An -tx1 | tr -d ' \n')0050" ]
}

@test "connect: a socket that lands on fd 6 itself still reaches PROG" {
	fakesocks ok
	# fds 3, 4, 5 taken: the socket is fd 6 (a case valgrind found)
	run axo-onion connect -q -s "$FAKE_PORT" "$ADDR.onion" 80 \
		sh -c 'echo hello >&7; head -n1 <&6' 3</dev/null 4</dev/null 5</dev/null
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "connect: a refusal is not retried (exit 98, in words)" {
	fakesocks rep:f4
	run axo-onion connect -s "$FAKE_PORT" "$ADDR" 80 touch "$T/ran"
	[ "$status" -eq 98 ]
	[ "$output" = "axo-onion: fatal: proxy refused: onion service missing client authorization (socks5 reply 0xf4)" ]
	[ ! -e "$T/ran" ]
	[ "$(wc -l <"$T/log")" -eq 1 ]
}

@test "connect: a missing descriptor is retried until the time-out" {
	fakesocks rep:f0
	SECONDS=0
	run axo-onion connect -s "$FAKE_PORT" -t 2 "$ADDR" 80 touch "$T/ran"
	[ "$status" -eq 98 ]
	[ "${lines[0]}" = "axo-onion: info: attempt 1: proxy refused: onion service descriptor can not be found (socks5 reply 0xf0); retrying" ]
	[ "${lines[${#lines[@]}-1]}" = "axo-onion: fatal: onion not reachable within 2 s: proxy refused: onion service descriptor can not be found (socks5 reply 0xf0)" ]
	[ "$(wc -l <"$T/log")" -ge 3 ]
	[ "$SECONDS" -lt 5 ]
	[ ! -e "$T/ran" ]
}

@test "connect: malformed proxy replies (exit 99), a silent proxy (111)" {
	local m
	for m in "badver:proxy sent a bad reply: version 0x04" \
	    "badatyp:proxy sent a bad reply: address type 0x07" \
	    "nomethod:proxy refused every offered method (method 0xff)" \
	    "short:proxy closed the connection"; do
		kill "$FAKE_PID" 2>/dev/null || :
		fakesocks "${m%%:*}"
		run axo-onion connect -s "$FAKE_PORT" -t 5 "$ADDR" 80 touch "$T/ran"
		[ "$status" -eq 99 ]
		[ "$output" = "axo-onion: fatal: ${m#*:}" ]
	done
	kill "$FAKE_PID" 2>/dev/null || :
	fakesocks hang
	run axo-onion connect -s "$FAKE_PORT" -t 1 "$ADDR" 80 touch "$T/ran"
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: proxy did not reply in time" ]
	[ ! -e "$T/ran" ]
}

@test "connect: a stalled SOCKS connect is tried again on a new circuit within -t" {
	fakesocks stall-once
	SECONDS=0
	run --separate-stderr axo-onion connect -s "$FAKE_PORT" -t 45 "$ADDR" 80 \
		sh -c 'echo ran >"$0"' "$T/ran"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/ran")" = ran ]
	# an attempt is a third of -t (at least 15 s), not tor's 60 s
	[ "$SECONDS" -lt 30 ]
	[ "${stderr_lines[0]}" = "axo-onion: info: attempt 1: proxy did not reply in time; retrying on a new circuit" ]
	[ "$(grep -c '^user ' "$T/log")" -eq 2 ]
	[ "$(grep '^user ' "$T/log" | sort -u | wc -l)" -eq 2 ]
}

@test "connect: a PROG that is not there (127)" {
	fakesocks ok
	run -127 axo-onion connect -q -s "$FAKE_PORT" "$ADDR" 80 /nonexistent/prog
	[ "$status" -eq 127 ]
	[ "$output" = "axo-onion: fatal: unable to exec /nonexistent/prog: No such file or directory" ]
}

# ---- serve ----

@test "serve: one connection on the unix socket, on fds 6 and 7, then gone" {
	chmod 700 "$T"
	axo-onion serve -q -d "$T" -t 10 sh -c 'read -r l <&6; echo "got $l" >&7' \
		3>&- &
	pid=$!
	for i in $(seq 100); do [ -S "$T/onion.sock" ] && break; sleep 0.05; done
	[ "$(stat -c %a "$T/onion.sock")" = 700 ] || [ "$(stat -c %a "$T/onion.sock")" = 600 ]
	run /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"hi\n"); print(s.makefile().readline().strip())' "$T/onion.sock"
	[ "$status" -eq 0 ]
	[ "$output" = "got hi" ]
	wait "$pid"
	[ ! -e "$T/onion.sock" ]
	[ ! -e "$T/onion.sock.new" ]
}

@test "serve -L: files.sock listens from the start, open on the fd for PROG, never accepted on" {
	chmod 700 "$T"
	axo-onion serve -q -d "$T" -t 10 -l 5 -L 4 sh -c '
		read -r l <&6
		# a connection to files.sock waits for PROG, on its fd 4
		/usr/bin/python3 -c "
import os, socket
c, _ = socket.socket(fileno=4).accept()
os.write(7, b\"got \" + c.recv(10))" 4<&4' 3>&- &
	pid=$!
	for i in $(seq 100); do [ -S "$T/onion.sock" ] && break; sleep 0.05; done
	# files.sock is there before onion.sock
	[ -S "$T/files.sock" ]
	[ "$(stat -c %a "$T/files.sock")" = 700 ] || [ "$(stat -c %a "$T/files.sock")" = 600 ]
	run /usr/bin/python3 -c '
import socket, sys
f = socket.socket(socket.AF_UNIX); f.connect(sys.argv[2]); f.sendall(b"file")
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"hi\n"); print(s.makefile().readline().strip())' "$T/onion.sock" "$T/files.sock"
	[ "$status" -eq 0 ]
	[ "$output" = "got file" ]
	wait "$pid"
	# usage: not 6 or 7, not -l's fd
	for bad in "-L 6" "-L 7" "-l 5 -L 5"; do
		run axo-onion serve -d "$T" $bad true
		[ "$status" -eq 100 ]
		[ "$output" = "$U_SERVE" ]
	done
	# no connection in time: both sockets gone
	run axo-onion serve -q -d "$T" -t 1 -L 4 true
	[ "$status" -eq 111 ]
	[ ! -e "$T/onion.sock" ] && [ ! -e "$T/files.sock" ]
}

@test "serve: no connection in time" {
	chmod 700 "$T"
	SECONDS=0
	run axo-onion serve -q -d "$T" -t 1 true
	[ "$status" -eq 111 ]
	[ "$output" = "axo-onion: fatal: no connection within 1 s" ]
	[ ! -e "$T/onion.sock" ]
	[ "$SECONDS" -lt 4 ]
}
