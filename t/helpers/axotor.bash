# SPDX-License-Identifier: GPL-2.0-only
# axotor.bash: two axotor sides on the private Tor network, for the end
# to end tests (t/axotor.bats, t/reconnect.bats).  Load after common,
# tornet and mailbox:
#
#   setup_file()    { axotor_setup_file; }     the network, the mailbox
#   teardown_file() { axotor_teardown_file; }  server as an onion (RELAY)
#   setup()         { axotor_setup; }          $T, XDG_RUNTIME_DIR=$T/run
#   teardown()      { axotor_teardown; }
#
# Line mode: "side NAME -s|-c [axotor options]" runs axotor in the
# background on the fifo $T/NAME.in (say, hangup), its output in
# $T/NAME.out and .err, its status in $T/NAME.rc (rc, exited).  In the
# window: "tside NAME -s|-c [axotor options]" in tmux (screen, shows,
# type_line, status_colour).

axotor_setup_file() {
	tornet_setup_file
	mailbox_setup
	RELAY_HOST=$("$AXO_TOP/t/helpers/relay-onion" "$TORNET_S_CONTROL" \
		"$TORNET_S_COOKIE" "$MB_PORT" 60 3>&-)
	RELAY=ws://$RELAY_HOST:$MB_PORT/v1
	export RELAY
}

axotor_teardown_file() {
	mailbox_teardown
	tornet_teardown_file
}

axotor_setup() {
	axo_setup_tmp
	umask 077
	mkdir "$T/run" "$T/dl.s" "$T/dl.c"
	export XDG_RUNTIME_DIR=$T/run
	NSIDES=0
	TMUX_SOCK=
}

axotor_teardown() {
	local i p n
	for i in $(seq 1 "$NSIDES"); do
		eval "p=\${PID_$i:-} n=\${NAME_$i:-}"
		# a side that wrote its status has ended: its PID may be
		# another's by now
		[ -z "$p" ] || [ -e "$T/$n.rc" ] || kill "$p" 2>/dev/null || true
	done
	[ -z "$TMUX_SOCK" ] || tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	axo_teardown_tmp
}

# Free TCP ports on 127.0.0.1, n of them.
free_ports() {
	/usr/bin/python3 - "$1" <<-'EOF'
	import socket, sys
	ss = [socket.socket() for _ in range(int(sys.argv[1]))]
	for s in ss:
	    s.bind(("127.0.0.1", 0))
	print(" ".join(str(s.getsockname()[1]) for s in ss))
	EOF
}

# side NAME -s|-c [axotor options]: run axotor in the background, stdin
# from the fifo $T/NAME.in (held open here), stdout NAME.out, stderr
# NAME.err, exit status NAME.rc.  PID_n (n = its number) and PIDOF_NAME
# are the subshell that waits for axotor.  SIDE_TOR replaces the tor
# options; SIDE_FDS (e.g. "3</dev/null") are redirections for axotor;
# SIDE_PRE words before it (e.g. setpriv ... env XDG_RUNTIME_DIR=...).
side() {
	local name=$1 ports fd
	shift
	# its own tor, on free ports, unless the caller gave tor options
	if [ -z "${SIDE_TOR:-}" ]; then
		ports=$(free_ports 2)
		SIDE_TOR="--tor-config $TORNET_CLIENT_TORRC --socks-port ${ports% *} --control-port ${ports#* }"
	fi
	mkfifo "$T/$name.in"
	(
		exec 3>&-
		# the other sides' fifos: their EOF must not wait for us
		for v in ${!FD_@}; do
			eval "exec {$v}>&-" 2>/dev/null || true
		done
		# redirections the caller wants axotor to inherit (SIDE_FDS)
		[ -z "${SIDE_FDS:-}" ] || eval "exec $SIDE_FDS"
		st=0
		${SIDE_PRE:-} axotor "$@" -r "$RELAY" -t "${SIDE_T:-90}" $SIDE_TOR \
			<"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" || st=$?
		echo "$st" >"$T/$name.rc"
	) &
	SIDE_TOR= SIDE_PRE=
	NSIDES=$((NSIDES + 1))
	eval "PID_$NSIDES=$! NAME_$NSIDES=$name"
	eval "PIDOF_$name=$!"
	exec {fd}>"$T/$name.in"
	eval "FD_$name=$fd"
}

say() {
	local fd
	eval "fd=\$FD_$1"
	printf '%s\n' "$2" >&"$fd"
}

# hangup NAME: end its input (EOF is .quit in line mode)
hangup() {
	local fd
	eval "fd=\$FD_$1"
	exec {fd}>&-
}

# wait_for FILE REGEX [SECONDS]: until a line of FILE matches
wait_for() {
	local i n=$((${3:-60} * 10))
	for i in $(seq 1 "$n"); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$2/ in $1:"
	cat "$1" 2>/dev/null
	return 1
}

# rc NAME [SECONDS]: its exit status, once it has exited
rc() {
	wait_for "$T/$1.rc" . "${2:-60}" >/dev/null || { echo timeout; return; }
	cat "$T/$1.rc"
}

# exited NAME CODE [SECONDS]: it exits with CODE (else show its output)
exited() {
	local got
	got=$(rc "$1" "${3:-60}")
	[ "$got" = "$2" ] && return 0
	echo "$1 exited $got, not $2; stdout:"
	cat "$T/$1.out"
	echo "stderr:"
	cat "$T/$1.err"
	return 1
}

# chatting KEY LINE [axotor options]: alice (-s) and bob (-c) in line
# mode without SMP, up to LINE from alice arriving at bob's
chatting() {
	local key=$1 line=$2
	shift 2
	printf '%s\n' "$key" >"$T/key"
	side s -s -n alice -p bob -k 4 --no-smp "$@" 4<"$T/key"
	side c -c -n bob -p alice -k 4 --no-smp "$@" 4<"$T/key"
	say s "$line"
	wait_for "$T/c.out" "^<alice> $line\$" 120
}

# Nothing of ours left: no private dir, no tor naming one of our dirs.
clean() {
	[ -z "$(ls -A "$T/run")" ] || { echo "left: $(ls "$T/run")"; return 1; }
	[ "$(tornet_pids_left "$T/run")" -eq 0 ] || { echo "tor left"; return 1; }
}

# ---- interactive: axotor in tmux, typed at like a person -------------

tm() { tmux -S "$TMUX_SOCK" "$@"; }

# tside NAME -s|-c [axotor options]: axotor in its own tmux window,
# 100x30, exit status to $T/NAME.rc when it ends; its options for the
# private network, and the caller's.
tside() {
	local name=$1 role=$2 ports extra=
	shift 2
	[ $# -eq 0 ] || extra=$(printf ' %q' "$@")
	ports=$(free_ports 2)
	cat >"$T/$name.sh" <<-EOF
	#!/bin/sh
	# a handler, not an ignore, so that axotor gets Ctrl-C as a user's
	# shell would give it, and this script still writes the status
	trap : INT
	st=0
	XDG_RUNTIME_DIR='$T/run' PATH='$PATH' axotor $role$extra -r '$RELAY' -t 90 \
		--tor-config '$TORNET_CLIENT_TORRC' --socks-port ${ports% *} \
		--control-port ${ports#* } -d '$T/dl.$name' 2>'$T/$name.err' || st=\$?
	echo \$st >'$T/$name.rc'
	sleep 600
	EOF
	chmod +x "$T/$name.sh"
	if [ -z "$TMUX_SOCK" ]; then
		TMUX_SOCK=$T/tmux.sock
		tm -f /dev/null new-session -d -s "$name" -x 100 -y 30 "$T/$name.sh"
	else
		tm new-session -d -s "$name" -x 100 -y 30 "$T/$name.sh"
	fi
}

# (targets with "=" and ":": the session of exactly that name)
screen() { tm capture-pane -p -t "=$1:"; }

# until the window of NAME shows REGEX (within SECONDS)
shows() {
	local i
	for i in $(seq 1 $((${3:-60} * 10))); do
		screen "$1" | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$2/ on $1's screen:"
	screen "$1"
	echo "stderr:"
	cat "$T/$1.err"
	return 1
}

type_line() {
	tm send-keys -t "=$1:" -l -- "$2"
	tm send-keys -t "=$1:" Enter
}

# The status line (row 29 of 30) in colour: green or red background.
status_colour() {
	tm capture-pane -e -p -t "=$1:" | sed -n 29p | grep -o '4[12]m' | head -n 1
}

# tstart KEY_S KEY_C [axotor options]: both sides through the prompts,
# up to the SMP question.
tstart() {
	local ks=$1 kc=$2
	shift 2
	tside s -s "$@"
	tside c -c "$@"
	shows s "^nick:"
	type_line s alice
	shows s "peer's nick:"
	type_line s bob
	shows s "^master key \(Enter alone: a code from the relay\):"
	type_line s "$ks"
	shows c "^nick:"
	type_line c bob
	shows c "peer's nick:"
	type_line c alice
	shows c "master key:"
	type_line c "$kc"
}
