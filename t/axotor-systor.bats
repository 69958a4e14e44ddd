#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axotor with a tor the user already runs (issue 12): a tor started as
# Debian starts its service (user debian-tor, Debian's defaults file, the
# control socket), a Tor Browser-style tor with a control password only,
# and our own tors side by side; every one on the private network, and
# nothing of a session left in a tor that is not ours.

load helpers/common
load helpers/tornet
load helpers/mailbox
load helpers/axotor
load helpers/systor
bats_require_minimum_version 1.5.0

setup_file() {
	axotor_setup_file
	[ "$(id -u)" != 0 ] || systor_users
}
teardown_file() {
	local st=0
	systor_users_remove || st=1
	axotor_teardown_file
	return $st
}
setup() {
	[ "$(id -u)" = 0 ] || skip "needs root: a tor as debian-tor, test users"
	axotor_setup
	SYS_PID= U= UB=
}
teardown() {
	axotor_teardown
	systor_stop
	[ -z "$U" ] || rm -rf -- "$U"
	[ -z "$UB" ] || rm -rf -- "$UB"
	# a socket directory of ours left would be a failure; never leave one
	# (only the test users': root's may be another session's)
	find /dev/shm -maxdepth 1 -name 'axotor-tor.*' \( -user "$SYS_IN" -o \
		-user "$SYS_OUT" \) -exec rm -rf -- {} + 2>/dev/null || true
}

# A private runtime directory for test user $1 (XDG_RUNTIME_DIR), and the
# SIDE_PRE that runs a side as that user, with the programs copied where
# that user can run them (a checkout may sit in a directory of root's
# alone, as a fresh clone in mktemp -d does).
user_side() {
	U=$(mktemp -d /dev/shm/axo-user.XXXXXX)
	chown "$1:$1" "$U"
	chmod 0700 "$U"
	if [ -z "$UB" ]; then
		UB=$(mktemp -d /dev/shm/axo-userbin.XXXXXX)
		# (the script from the tree, the programs from $AXO_BIN: make
		# sanitize builds those elsewhere)
		cp -- "$AXO_TOP"/bin/axotor "$UB"/
		cp -- "$AXO_BIN"/axo-* "$UB"/
		chmod 0755 "$UB" "$UB"/*
	fi
	USER_PRE="setpriv --reuid=$1 --regid=$1 --init-groups -- env XDG_RUNTIME_DIR=$U PATH=$UB:/usr/sbin:/usr/bin:/sbin:/bin"
}

# Nothing of the session anywhere: the users' and root's private dirs,
# socket directories, and the running tor.
sys_clean() {
	[ -z "$U" ] || [ -z "$(ls -A "$U")" ] || { echo "left in $U: $(ls "$U")"; return 1; }
	[ -z "$(ls -A "$T/run")" ] || { echo "left: $(ls "$T/run")"; return 1; }
	left=$(find /dev/shm -maxdepth 1 -name 'axotor-tor.*' \( -user "$SYS_IN" -o \
		-user "$SYS_OUT" \))
	[ -z "$left" ] || { echo "socket dir left: $left"; return 1; }
	ours=$(systor_ours)
	[ -z "$ours" ] || { echo "left in the running tor: $ours"; return 1; }
}

@test "system tor (debian-tor, control socket): -s and -c by a member of its group; nothing left in tor or its DataDirectory" {
	systor_start sys
	(cd "$SYS_DATA" && find . | sort) >"$T/data.before"
	user_side "$SYS_IN"
	printf '41-shared-group\n' >"$T/key"
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say s "hello through debian-tor"
	wait_for "$T/c.out" "^<alice> hello through debian-tor$" 120
	say c "and back"
	wait_for "$T/s.out" "^<bob> and back$" 60
	grep -q "^axotor: using the running tor at $SYS_RUN/control (tor [0-9.]*, pid $SYS_PID, user debian-tor), SOCKS port $SYS_SOCKS$" "$T/s.err"
	! grep -q "starting tor" "$T/s.err" "$T/c.err"
	# while it runs: the onion is in tor, its socket in a directory of
	# tor's group that nobody else may enter
	[ -n "$(systor_ours)" ]
	sd=$(find /dev/shm -maxdepth 1 -name 'axotor-tor.*' -user "$SYS_IN")
	[ "$(stat -c '%a %G' "$sd")" = "750 debian-tor" ]
	say s .quit
	exited s 0
	exited c 0
	sys_clean
	(cd "$SYS_DATA" && find . | sort) >"$T/data.after"
	diff "$T/data.before" "$T/data.after"
}

@test "system tor: a user not in its group is told why and what to do; nothing published" {
	systor_start sys "HashedControlPassword $(tor --quiet --hash-password sesame)"
	user_side "$SYS_OUT"
	printf 'sesame\n' >"$T/pw"
	chmod 0644 "$T/pw"
	printf '42-left-outside\n' >"$T/key"
	# the control port with the password: tor answers, and says who it is
	run -100 $USER_PRE axotor -s -q -k 4 --no-smp -r "$RELAY" \
		--tor-control "$SYS_CONTROL" --tor-password-fd 5 4<"$T/key" 5<"$T/pw" </dev/null
	[ "${lines[0]}" = "axotor: fatal: the tor at $SYS_CONTROL runs as debian-tor and cannot reach the onion's socket: $SYS_OUT is not in its group debian-tor" ]
	[ "${lines[1]}" = "axotor: hint: adduser $SYS_OUT debian-tor, then log in again; or let axotor start its own tor (no --tor-control, no --tor system)" ]
	[ "${#lines[@]}" -eq 2 ]
	# the control socket: its group only
	run -111 $USER_PRE axotor -s -q -k 4 --no-smp -r "$RELAY" \
		--tor-control "$SYS_RUN/control" 4<"$T/key" </dev/null
	[ "${lines[0]}" = "axotor: fatal: unable to connect to control socket $SYS_RUN/control: Permission denied (tor's group may reach it: are you in it?)" ]
	[ "${lines[1]}" = "axotor: fatal: no usable tor at $SYS_RUN/control" ]
	sys_clean
	# axo-onion itself refuses a socket tor cannot reach, before it adds
	# an onion
	mkdir -m 0700 "$T/p"
	run -100 axo-onion publish -d "$T/p" -c "$SYS_RUN/control" 5>"$T/p/onion"
	[ "$output" = "axo-onion: fatal: tor runs as debian-tor (uid $(id -u debian-tor)) and cannot reach a socket in $T/p: give -D, a directory of tor's group (gid $(id -g debian-tor)), mode 0750" ]
	[ ! -s "$T/p/onion" ]
	sys_clean
}

@test "system tor: a killed peer, SIGTERM, SIGHUP: nothing of ours left in tor" {
	systor_start sys
	user_side "$SYS_IN"
	printf '43-clean-exit\n' >"$T/key"
	# the server on the system tor, the client on its own; the client
	# killed outright: the server gives up the link after --reconnect
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp --keepalive 2 --reconnect 5 4<"$T/key"
	side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say s one
	wait_for "$T/c.out" "^<alice> one$" 120
	[ -n "$(systor_ours)" ]
	tree_kill "$(pgrep -P "$PID_2")"
	exited s 111 90
	grep -q "connection to bob lost" "$T/s.out" "$T/s.err"
	# the killed client could not clean up after itself: its tor (owned
	# by it) exits by itself, then its private directory goes here
	for i in $(seq 1 600); do
		[ "$(tornet_pids_left "$T/run")" -eq 0 ] && break
		sleep 0.1
	done
	rm -rf -- "$T"/run/*
	sys_clean
	# both on the system tor; SIGTERM to the server: it takes the onion
	# out, and the client, told, its key
	rm -f "$T"/*.rc "$T"/*.in "$T"/*.out "$T"/*.err
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say s two
	wait_for "$T/c.out" "^<alice> two$" 120
	[ "$(systor_ours | grep -c .)" -ge 2 ]
	kill -TERM "$(pgrep -P "$PID_3")"
	exited s 143
	if p=$(pgrep -P "$PID_4"); then
		kill -TERM "$p" || true
	fi
	[ "$(rc c)" != 0 ]
	sys_clean
	# SIGHUP to a server that waits in the key exchange, its onion
	# published already
	rm -f "$T"/*.rc "$T"/*.in "$T"/*.out "$T"/*.err
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	wait_for "$T/s.err" "key exchange through the relay" 120
	[ -n "$(systor_ours)" ]
	kill -HUP "$(pgrep -P "$PID_5")"
	exited s 129
	sys_clean
}

# tree PID: PID and every process under it
tree() {
	local all=$1 new=$1 p kids
	while [ -n "$new" ]; do
		kids=
		for p in $new; do
			kids="$kids $(pgrep -P "$p" || true)"
		done
		new=$(echo $kids)
		all="$all $new"
	done
	echo $all
}

# tree_kill PID: PID and every process under it, KILLed at once (a peer
# killed outright, no trap of it runs).
tree_kill() {
	local all
	all=$(tree "$1")
	kill -STOP $all 2>/dev/null || true
	kill -KILL $all 2>/dev/null || true
}

# A Tor Browser-style tor: our uid, a control password only (no cookie).
tbtor_start() {
	local ports hash
	SYS_DIR=$(mktemp -d /dev/shm/axo-tbtor.XXXXXX)
	SYS_DATA=$SYS_DIR/data SYS_RUN=$SYS_DIR
	mkdir -m 0700 "$SYS_DATA"
	ports=$(free_ports 2)
	SYS_SOCKS=${ports% *} SYS_CONTROL=${ports#* }
	hash=$(tor --quiet --hash-password "$1")
	{
		cat "$TORNET_CLIENT_TORRC"
		echo "DataDirectory $SYS_DATA"
		echo "SocksPort 127.0.0.1:$SYS_SOCKS IPv6Traffic PreferIPv6 KeepAliveIsolateSOCKSAuth"
		echo "ControlPort 127.0.0.1:$SYS_CONTROL"
		echo "HashedControlPassword $hash"
		echo "CookieAuthentication 0"
		echo "Log notice stdout"
	} >"$SYS_DIR/torrc"
	tor --defaults-torrc /dev/null -f "$SYS_DIR/torrc" \
		--__OwningControllerProcess "$BASHPID" >"$SYS_DIR/tor.out" 2>&1 3>&- &
	SYS_PID=$!
	printf '%s\n' "$1" >"$SYS_DIR/pw"
	for i in $(seq 1 600); do
		"$AXO_TOP/t/helpers/systor-ctl" "$SYS_CONTROL" "pw:$SYS_DIR/pw" \
			"GETINFO status/bootstrap-phase" 2>/dev/null |
			grep -q 'PROGRESS=100' && return 0
		kill -0 "$SYS_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "tor did not bootstrap:"
	tail -n 20 "$SYS_DIR/tor.out"
	return 1
}

tb_ours() {
	"$AXO_TOP/t/helpers/systor-ctl" "$SYS_CONTROL" "pw:$SYS_DIR/pw" \
		"GETINFO onions/detached" "GETINFO onions/current" \
		"ONION_CLIENT_AUTH_VIEW" | grep -E '[a-z2-7]{56}' || true
}

@test "a tor with HashedControlPassword only: --tor system finds it, both sides with the password by fd; nothing left" {
	tbtor_start "open sesame"
	(cd "$SYS_DATA" && find . | sort) >"$T/data.before"
	printf 'open sesame\n' >"$T/pw"
	printf '44-browser-style\n' >"$T/key"
	# without the password: tor's refusal, in words that say what to give
	run -111 env AXOTOR_SYSTEM_TORS="/nonexistent/control $SYS_CONTROL" axotor -s -q -k 4 --no-smp \
		-r "$RELAY" --tor system 4<"$T/key" </dev/null
	[ "${lines[0]}" = "axotor: fatal: no running tor found (tried /nonexistent/control $SYS_CONTROL): start one, or drop --tor system to let axotor start its own" ]
	[ "${lines[1]}" = "axotor: hint: /nonexistent/control: no such socket" ]
	[ "${lines[2]}" = "axotor: hint: $SYS_CONTROL: no usable authentication method (tor offers HASHEDPASSWORD): give a password" ]
	[ "${#lines[@]}" -eq 3 ]
	[ -z "$(ls -A "$T/run")" ]
	export AXOTOR_SYSTEM_TORS="/nonexistent/control 1:2 $SYS_CONTROL:$SYS_SOCKS"
	SIDE_TOR="--tor system --tor-password-fd 5" SIDE_FDS='5<"$T/pw"' \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	SIDE_TOR="--tor system --tor-password-fd 5" SIDE_FDS='5<"$T/pw"' \
		side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say c "a password by fd"
	wait_for "$T/s.out" "^<bob> a password by fd$" 120
	grep -q "^axotor: using the running tor at $SYS_CONTROL (tor [0-9.]*, pid $SYS_PID, user root), SOCKS port $SYS_SOCKS$" "$T/s.err"
	[ -n "$(tb_ours)" ]
	# once read, the password's fd is open in no process of the session
	for p in $(tree "$(pgrep -P "$PID_1")") $(tree "$(pgrep -P "$PID_2")"); do
		! ls -l "/proc/$p/fd" 2>/dev/null | grep -qF -- "$T/pw"
	done
	say s .quit
	exited s 0
	exited c 0
	unset AXOTOR_SYSTEM_TORS
	[ -z "$(tb_ours)" ]
	[ -z "$(ls -A "$T/run")" ]
	(cd "$SYS_DATA" && find . | sort) >"$T/data.after"
	diff "$T/data.before" "$T/data.after"
	# the password is on no argv and in no environment (fd and tmpfs only)
	! grep -rqs "open sesame" /proc/[0-9]*/cmdline /proc/[0-9]*/environ
}

@test "a running tor gone before the end: which onion may be left, and the command that removes it" {
	tbtor_start "gone"
	printf 'gone\n' >"$T/pw"
	printf '45-tor-gone\n' >"$T/key"
	SIDE_TOR="--tor-control $SYS_CONTROL --tor-password-fd 5" SIDE_FDS='5<"$T/pw"' \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	wait_for "$T/s.err" "key exchange through the relay" 120
	addr=$(tb_ours | grep -oE '[a-z2-7]{56}' | head -n 1)
	[ -n "$addr" ]
	systor_stop
	# the key exchange ends with its tor, or SIGTERM ends it
	if p=$(pgrep -P "$PID_1"); then
		kill -TERM "$p" || true
	fi
	st=$(rc s)
	[ "$st" = 111 ] || [ "$st" = 143 ]
	grep -qx "axotor: warning: the tor at $SYS_CONTROL may still hold $addr.onion: unable to connect to control port 127.0.0.1:$SYS_CONTROL: Connection refused" "$T/s.err"
	grep -qx "axotor: hint: remove it with: axo-onion unpublish -c $SYS_CONTROL $addr" "$T/s.err"
	[ -z "$(ls -A "$T/run")" ]
}

@test "own tors on free ports: two pairs at once on one machine both chat" {
	for p in 1 2; do
		# a nameplate each: two pairs, two wormholes
		printf '4%d-side-by-side\n' "$p" >"$T/key.$p"
		SIDE_TOR="--tor-config $TORNET_CLIENT_TORRC" \
			side s$p -s -n alice$p -p bob$p -k 4 --no-smp 4<"$T/key.$p"
		SIDE_TOR="--tor-config $TORNET_CLIENT_TORRC" \
			side c$p -c -n bob$p -p alice$p -k 4 --no-smp 4<"$T/key.$p"
	done
	say s1 "pair one"
	say s2 "pair two"
	wait_for "$T/c1.out" "^<alice1> pair one$" 120
	wait_for "$T/c2.out" "^<alice2> pair two$" 120
	for n in s1 s2 c1 c2; do
		! grep -q "Failed to bind" "$T/$n.err"
	done
	say s1 .quit
	say s2 .quit
	for n in s1 s2 c1 c2; do exited $n 0; done
	clean
}

@test "system tor: a dropped circuit, and the link comes back through tor's uid (wrap -u)" {
	systor_start sys
	user_side "$SYS_IN"
	printf '47-come-back\n' >"$T/key"
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	side c -c -n bob -p alice -k 4 --no-smp 4<"$T/key"
	say s before
	wait_for "$T/c.out" "^<alice> before$" 120
	# the server's rendezvous circuits closed in the system tor, until
	# a side notices (a spare circuit may carry nothing of ours)
	lost='^\* connection to .* lost '
	for i in 1 2 3; do
		"$AXO_TOP/t/helpers/torctl-cmd" "$SYS_CONTROL" \
			"$SYS_RUN/control.authcookie" close-rend HS_SERVICE_REND 3>&- >/dev/null
		for j in $(seq 1 100); do
			grep -Eq "$lost" "$T/s.out" "$T/c.out" && break 2
			sleep 0.1
		done
	done
	grep -Eq "$lost" "$T/s.out" "$T/c.out"
	wait_for "$T/s.out" '^\* reconnected to bob after [0-9]+\.[0-9] s$' 120
	say s after
	wait_for "$T/c.out" "^<alice> after$" 60
	! grep -q "refused a connection" "$T/s.out" "$T/s.err"
	say s .quit
	exited s 0
	exited c 0
	sys_clean
}

@test "system tor: SIGTERM while the onion is being published: it is taken out" {
	systor_start sys
	user_side "$SYS_IN"
	printf '48-early-stop\n' >"$T/key"
	SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	wait_for "$T/s.err" "^axo-onion: info: onion [a-z2-7]{56}\.onion added$" 120
	kill -TERM "$(pgrep -P "$PID_1")"
	exited s 143
	sys_clean
}

@test "system tor: axotor killed outright (SIGKILL): its keeper takes the onion out and removes its directories" {
	systor_start sys
	user_side "$SYS_IN"
	printf '49-hard-stop\n' >"$T/key"
	SIDE_T=20 SIDE_PRE=$USER_PRE SIDE_TOR="--tor-control $SYS_RUN/control" \
		side s -s -n alice -p bob -k 4 --no-smp 4<"$T/key"
	wait_for "$T/s.err" "key exchange through the relay" 120
	[ -n "$(systor_ours)" ]
	# axotor alone: what it runs (axo-pake) ends by its own -t, then
	# the keeper
	kill -KILL "$(pgrep -P "$PID_1")"
	for i in $(seq 1 600); do
		[ -z "$(systor_ours)" ] && [ -z "$(ls -A "$U")" ] &&
			[ -z "$(find /dev/shm -maxdepth 1 -name 'axotor-tor.*' \
			    -user "$SYS_IN")" ] && break
		sleep 0.1
	done
	sys_clean
}
