#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# transfer.sh: a file over an onion of the private Tor network, in the
# same run: OnionShare (onionshare-cli on tor "s", curl through tor "c"),
# axotor (two line-mode sides on the same two tors, the PAKE through the
# mailbox published as an onion, as t/axotor.bats does), and a raw
# transfer through axo-onion serve (cat) and t/helpers/socksrun (head
# -c) as the ceiling.  "One circuit": each round the raw BIG transfer
# and axotor's own programs (axo-onion serve -l, axo-ratchet wrap with
# links replaced, axo-chat, as axotor composes them) send the same file
# over the same rendezvous circuit (socksrun dials with the round's
# isolation username; a round that took more than one circuit is left
# out), raw first in odd rounds and last in even ones, so that the
# circuit's own speed, which moves by 10-20% from one circuit to the
# next, and the slowdown of a circuit's second transfer cancel out of
# their ratio.
# Medians of ROUNDS (default 5) rounds; a report, never an assertion.
# SMALL and BIG are the two sizes in MiB (10, 50); SKIP="os ax raw"
# leaves those out (to try one of them alone); XFER_PROBE, a command run
# just before the line typed during the big .send (ss, strace ...), and
# XFER_PROBE0 in the background just before the small .send.  KEEP=1
# keeps the run's directory (the sides' stderr, not the files).  BASE_BIN,
# another build's bin/ (an older axotor), run in the same rounds.
# PAIR=plain puts axotor's programs with wrap -R 0 (no ring, no acks) in
# the place and the columns of the raw 50 MiB: the one-circuit row is
# then axotor's mode against that.
#
#   ready: OnionShare from its start to the URL printed; axotor from both
#          sides started to the first line crossing
#   file:  OnionShare: curl's whole download (connect included); axotor:
#          ".send" typed to "saved ... sha256 ok"; raw: the onion's side
#          starts writing (cat) to the client's last byte read (head -c);
#          each the way axotor's server sends to its client
#   line:  a line typed during the big .send to its arrival, against an
#          idle line (one way, about half an RTT of the circuit) and a
#          line typed at the same time by the receiver (one way against
#          the file, the circuit's delay under that load)
set -eu
top=$(pwd)
: "${AXO_BIN:=$top/bin}"
PATH=$AXO_BIN:$PATH
export PATH
ROUNDS=${ROUNDS:-5}
SMALL=${SMALL:-10}	# MiB
BIG=${BIG:-50}		# MiB
py=/usr/bin/python3

d=$(mktemp -d /dev/shm/axo-bench-xfer.XXXXXX)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	group_stop "$d"/raw/*.pid "$d"/raw/p/*.pid
	"$top/t/helpers/mailbox" stop "$d/mb" 2>/dev/null || :
	"$top/t/helpers/tornet" stop "$d/net" 2>/dev/null || :
	if [ -n "${KEEP:-}" ]; then
		rm -rf "$d/small.bin" "$d/big.bin" "$d/r/dl/"* "$d/raw/p/dl" 2>/dev/null || :
		echo "transfer.sh: kept $d" >&2
	else
		rm -rf "$d"
	fi
}
trap cleanup EXIT INT TERM HUP

ns() { date +%s%N; }
# wait_for FILE REGEX N: N times 20 ms at most, until a line of FILE matches (bounded)
wait_for() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
		i=$((i + 1))
	done
	echo "transfer.sh: timed out waiting for /$2/ in $1" >&2
	return 1
}
# the time stamp (ns) of the first line of FILE matching REGEX
stamp() { grep -E -- "$2" "$1" | head -n 1 | cut -d ' ' -f 1; }
# stamped: each line of stdin with the time it was read
stamped() {
	while IFS= read -r l; do
		printf '%s %s\n' "$(date +%s%N)" "$l"
	done
}
free_ports() {
	$py - "$1" <<-'EOF'
	import socket, sys
	ss = [socket.socket() for _ in range(int(sys.argv[1]))]
	for s in ss:
	    s.bind(("127.0.0.1", 0))
	print(" ".join(str(s.getsockname()[1]) for s in ss))
	EOF
}
# cputicks SUBSTR: the cpu ticks (user + system) of the processes whose
# arguments hold SUBSTR, and of their children (wrap's axo-chat)
cputicks() {
	ps -eo pid=,ppid=,args= | awk -v s="$1" '
		index($0, s) { want[$1] = 1 } { pp[$1] = $2 }
		END { for (p in pp) if (want[p] || want[pp[p]]) print p }' |
	while read -r p; do
		awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || :
	done | awk '{ t += $1 } END { print t + 0 }'
}
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d\n", (b - a) / 1000000 }'; }

mkdir -m 700 "$d/net" "$d/mb" "$d/home"
head -c $((SMALL << 20)) /dev/urandom >"$d/small.bin"
head -c $((BIG << 20)) /dev/urandom >"$d/big.bin"
"$top/t/helpers/tornet" start "$d/net" $$ >/dev/null 2>&1
. "$d/net/tornet.env"
mbport=$("$top/t/helpers/mailbox" start "$d/mb")
relayhost=$("$top/t/helpers/relay-onion" "$TORNET_S_CONTROL" \
	"$TORNET_S_COOKIE" "$mbport" 60)
relay=ws://$relayhost:$mbport/v1

# ---- OnionShare -------------------------------------------------------
have_os=
command -v onionshare-cli >/dev/null && command -v curl >/dev/null && have_os=1
cat >"$d/os.json" <<EOF
{"connection_type": "control_port", "control_port_address": "127.0.0.1",
 "control_port_port": $TORNET_S_CONTROL, "socks_address": "127.0.0.1",
 "socks_port": $TORNET_S_SOCKS, "auth_type": "no_auth"}
EOF
# one share of small.bin, fetched once; appends "ready file" (ms)
os_round() {
	rm -f "$d/os.out" "$d/os.dl"
	t0=$(ns)
	HOME=$d/home onionshare-cli --config "$d/os.json" --public \
		"$d/small.bin" >"$d/os.out" 2>&1 &
	osp=$!
	pids="$pids $osp"
	wait_for "$d/os.out" '^http://' 3000 || return 1
	t1=$(ns)
	url=$(grep '^http://' "$d/os.out" | head -n 1)
	i=0
	while [ $i -lt 20 ]; do
		f=$(curl -s -o "$d/os.dl" -w '%{time_total}' \
			--socks5-hostname "127.0.0.1:$TORNET_C_SOCKS" \
			"$url/download") && break
		sleep 0.2
		i=$((i + 1))
	done
	cmp -s "$d/os.dl" "$d/small.bin" || { echo "transfer.sh: onionshare: bad download" >&2; return 1; }
	kill "$osp" 2>/dev/null || :
	wait "$osp" 2>/dev/null || :
	echo "$(ms "$t0" "$t1") $(awk -v f="$f" 'BEGIN { printf "%d", f * 1000 }')" >>"$d/os.t"
}

# ---- axotor -----------------------------------------------------------
# side NAME -s|-c [options]: axotor in line mode on tor s or c, input
# from the fifo NAME.in (held open on fd 8 or 9), output time-stamped
side() {
	name=$1 role=$2
	shift 2
	if [ "$role" = -s ]; then
		t="--tor-control $TORNET_S_CONTROL --tor-socks $TORNET_S_SOCKS --tor-cookie $TORNET_S_COOKIE"
	else
		t="--tor-control $TORNET_C_CONTROL --tor-socks $TORNET_C_SOCKS --tor-cookie $TORNET_C_COOKIE"
	fi
	mkfifo "$d/r/$name.in"
	# shellcheck disable=SC2086
	{ PATH=$axbin:$PATH XDG_RUNTIME_DIR=$d/r/run axotor "$role" "$@" -k 4 --no-smp -r "$relay" \
		-t 90 $t <"$d/r/$name.in" 2>"$d/r/$name.err" 4<"$d/r/key"; \
		echo "$?" >"$d/r/$name.rc"; } | stamped >"$d/r/$name.out" &
	pids="$pids $!"
}
# ax_round N BINDIR RESULTS: one session of the axotor in BINDIR
ax_round() {
	axbin=$2
	rm -rf "$d/r"
	mkdir -m 700 "$d/r" "$d/r/run" "$d/r/dl"
	echo "$1-bench-round" >"$d/r/key"
	t0=$(ns)
	side s -s -n alice -p bob
	exec 8>"$d/r/s.in"
	side c -c -n bob -p alice -d "$d/r/dl"
	exec 9>"$d/r/c.in"
	echo hello >&8
	wait_for "$d/r/c.out" ' <alice> hello$' 6000 || return 1
	t1=$(stamp "$d/r/c.out" ' <alice> hello$')
	sleep 0.5
	a=$(ns); echo "idle line" >&8
	wait_for "$d/r/c.out" ' <alice> idle line$' 1000 || return 1
	idle=$(ms "$a" "$(stamp "$d/r/c.out" ' <alice> idle line$')")
	[ -z "${XFER_PROBE0:-}" ] || { sh -c "$XFER_PROBE0" >&2 & }
	a=$(ns); a0=$a; echo ".send $d/small.bin" >&8
	wait_for "$d/r/c.out" 'saved small.bin .*sha256 ok' 6000 || return 1
	small=$(ms "$a" "$(stamp "$d/r/c.out" 'saved small.bin .*sha256 ok')")
	c0=$(cputicks "$d/r/run/"); n0=$(cputicks "$d/net/")
	a=$(ns); echo ".send $d/big.bin" >&8
	wait_for "$d/r/c.out" 'receiving big.bin: [3-9][0-9]%' 6000 || return 1
	[ -z "${XFER_PROBE:-}" ] || sh -c "$XFER_PROBE" >&2 || :
	# one line each way at once: alice's behind her file, bob's the
	# other way (acks only there), the circuit's delay under this load
	b=$(ns); echo "busy line" >&8; echo "back line" >&9
	wait_for "$d/r/c.out" ' <alice> busy line$' 6000 || return 1
	busy=$(ms "$b" "$(stamp "$d/r/c.out" ' <alice> busy line$')")
	wait_for "$d/r/s.out" ' <bob> back line$' 6000 || return 1
	back=$(ms "$b" "$(stamp "$d/r/s.out" ' <bob> back line$')")
	grep -q 'saved big.bin' "$d/r/c.out" && back=-1
	wait_for "$d/r/c.out" 'saved big.bin .*sha256 ok' 12000 || return 1
	big=$(ms "$a" "$(stamp "$d/r/c.out" 'saved big.bin .*sha256 ok')")
	# the cpu of both sides' wrap and axo-chat against the tors', meanwhile
	cpu=$(awk -v c="$(( $(cputicks "$d/r/run/") - c0 ))" \
		-v n="$(( $(cputicks "$d/net/") - n0 ))" \
		'BEGIN { if (n > 0) printf "%.3f", c / n; else print "-1" }')
	cmp -s "$d/r/dl/big.bin" "$d/big.bin" || { echo "transfer.sh: axotor: bad file" >&2; return 1; }
	# what the sending wrap wrote (the link, mostly) against the files
	# (the server's wraps: the lines' -l 5, the file stream's -l 4)
	wire=$(ps -eo pid=,args= | awk -v d="$d/r/run/" '
		index($0, "axo-ratchet wrap -S " d) && / -l [45]( |$)/ { print $1 }' |
		while read -r wp; do
			awk '/^wchar:/ { print $2 }' "/proc/$wp/io" 2>/dev/null || :
		done | awk '{ w += $1 } END { print w + 0 }')
	wire=$(awk -v w="$wire" -v n=$(((SMALL + BIG) << 20)) 'BEGIN { printf "%.3f", w / n }')
	echo .quit >&8
	wait_for "$d/r/s.rc" . 1500 || :
	wait_for "$d/r/c.rc" . 1500 || :
	exec 8>&- 9>&-
	echo "$(ms "$t0" "$t1") $small $big $idle $busy $wire $back $cpu" >>"$3"
	[ "$3" = "$d/ax.t" ] || return 0
	# the time line of the small .send, from the stamps of both sides
	{
		echo ".send $a0 typed into s"
		grep -E ' offering small.bin| bob accepted small.bin| sent small.bin' "$d/r/s.out" | sed 's/^\([0-9]*\) /s \1 /'
		grep -E ' receiving small.bin|saved small.bin' "$d/r/c.out" | sed 's/^\([0-9]*\) /c \1 /'
	} >"$d/timeline"
}

# ---- raw: axo-onion serve/connect with cat ----------------------------
# the rendezvous circuits of tor c to the raw onion, their ids (a,b,)
circs() {
	"$top/t/helpers/torctl-cmd" "$TORNET_C_CONTROL" "$TORNET_C_COOKIE" \
		getinfo circuit-status 2>/dev/null | awk -v q="REND_QUERY=$addr" '
		/PURPOSE=HS_CLIENT_REND/ && index($0, q) { printf "%s,", $1 }'
}
# group PIDFILE CMD...: CMD as the leader of a process group of its own,
# its PID in PIDFILE, so that group_stop ends it with all its children
group() { f=$1; shift; setsid sh -c 'echo $$ >"$0"; exec "$@"' "$f" "$@"; }
# gone_wait ID...: until none of the processes (or -groups) is left, 5 s
# at most
gone_wait() {
	i=0
	while [ $i -lt 250 ]; do
		for g; do kill -0 -- "$g" 2>/dev/null && break; done ||
			return 0
		sleep 0.02
		i=$((i + 1))
	done
}
# group_stop PIDFILE...: TERM to each group, KILL after 5 s (bounded)
group_stop() {
	for f; do
		g=$(cat "$f" 2>/dev/null) || continue
		kill -TERM -- "-$g" 2>/dev/null || :
		gone_wait "-$g"
		kill -KILL -- "-$g" 2>/dev/null || :
		rm -f "$f"
	done
}
# raw_one FILE: FILE from the onion's side (cat) to the client's (head
# -c), on the round's circuit; sets t (ms); 1 when it failed, stalled
# (120 s) or came short
raw_one() {
	n=$(wc -c <"$1")
	rm -f "$1.t0" "$1.t1"
	# the way axotor sends: the onion's side writes, the client reads
	group "$d/raw/s.pid" axo-onion serve -q -d "$d/raw" -t 120 \
		timeout --foreground 120 sh -c 'date +%s%N >"$0.t0"; cat "$0" >&7
		head -c 3 <&6 >/dev/null' "$1" &
	group "$d/raw/c.pid" "$top/t/helpers/socksrun" "$TORNET_C_SOCKS" \
		"$addr" 80 "$iso" timeout --foreground 120 sh -c '
		[ "$(head -c "$0" <&6 | wc -c)" = "$0" ] || exit 1
		date +%s%N >"$1.t1"; echo ok >&7' "$n" "$1" || :
	# the serve ends once the client has said ok (or at its -t)
	gone_wait "$(cat "$d/raw/s.pid" 2>/dev/null)"
	group_stop "$d/raw/s.pid" "$d/raw/c.pid"
	[ -s "$1.t0" ] && [ -s "$1.t1" ] || return 1
	t=$(ms "$(cat "$1.t0")" "$(cat "$1.t1")")
}
# wrap_one FILE BINDIR [plain]: axotor's own programs of BINDIR on the round's
# circuit, as axotor composes them: on the onion's side axo-onion serve
# -l, axo-ratchet wrap -l (links replaced, -R 600 -A 10), axo-chat; on
# the client's, socksrun in axo-onion connect's place, first for the
# link and then as wrap -D's link program: FILE from ".send" typed to
# "saved ... sha256 ok", t (ms), and a line typed once a third has
# crossed to its arrival, l (ms); 1 when it failed.  "plain": wrap -R 0
# on both sides (no ring, no acks, no link replaced), for PAIR=plain.
# "files": the file stream too (a second wrap -F on the onion's port 81,
# dialled with the same isolation username: the same circuit, so that
# the file is compared with raw on one path; axotor itself gives it a
# circuit of its own)
wrap_one() {
	p=$d/raw/p
	rm -rf "$p"
	mkdir -m 700 "$p" "$p/dl"
	head -c 32 /dev/urandom >"$p/sk"
	pub=$(PATH=$2:$PATH axo-ratchet keygen 5>"$p/bk")
	PATH=$2:$PATH axo-ratchet init -r bob -S "$p/b" 4<"$p/bk" <"$p/sk"
	PATH=$2:$PATH axo-ratchet init -r alice -p "$pub" -S "$p/a" <"$p/sk"
	fs= fc=
	if [ "${3:-}" = files ]; then
		head -c 32 /dev/urandom >"$p/sk"
		pub=$(PATH=$2:$PATH axo-ratchet keygen 5>"$p/bk")
		PATH=$2:$PATH axo-ratchet init -r bob -S "$p/fb" 4<"$p/bk" <"$p/sk"
		PATH=$2:$PATH axo-ratchet init -r alice -p "$pub" -S "$p/fa" <"$p/sk"
		fs="axo-ratchet wrap -S $p/fb -F 3 -E 5 -R 600 -A 10 -l 4"
		fc="axo-ratchet wrap -S $p/fa -F 3 -E 5 -R 600 -A 10 -D \
		    $top/t/helpers/socksrun --pass 7 $TORNET_C_SOCKS $addr 81 $iso --"
	fi
	rm -f "$p/sk" "$p/bk"
	mkfifo "$p/s.in" "$p/c.in"
	if [ "${3:-}" = plain ]; then
		set -- "$1" "$2" "" "-R 0" "-R 0"
	else
		set -- "$1" "$2" "-l 5${fs:+ -L 4}" "-R 600 -A 10 -l 5" "-R 600 -A 10 -D \
		    $top/t/helpers/socksrun --pass 7 $TORNET_C_SOCKS $addr 80 $iso --"
	fi
	# (word splitting of $3-$5 on purpose: paths without blanks)
	# shellcheck disable=SC2086
	{ PATH=$2:$PATH; group "$p/s.pid" axo-onion serve -q -d "$d/raw" \
		-t 120 $3 axo-ratchet wrap -S "$p/b" $4 $fs \
		axo-chat ${fs:+-b 3} -n alice -p bob -q <"$p/s.in" 2>"$p/s.err"; } |
		stamped >"$p/s.out" &
	exec 8>"$p/s.in"
	# shellcheck disable=SC2086
	{ PATH=$2:$PATH; group "$p/c.pid" "$top/t/helpers/socksrun" \
		"$TORNET_C_SOCKS" "$addr" 80 "$iso" axo-ratchet wrap -S "$p/a" \
		$5 $fc axo-chat ${fc:+-b 3} -n bob \
		-p alice -y -d "$p/dl" <"$p/c.in" 2>"$p/c.err"; } |
		stamped >"$p/c.out" &
	exec 9>"$p/c.in"
	if wrap_xfer "$1"; then
		echo .quit >&8
		st=0
	else
		st=1
	fi
	exec 8>&- 9>&-
	# both sides end once the quit is acknowledged (bounded: 5 s)
	gone_wait "$(cat "$p/s.pid" 2>/dev/null)" "$(cat "$p/c.pid" 2>/dev/null)"
	group_stop "$p/s.pid" "$p/c.pid"
	rm -rf "$p/dl"
	return $st
}
# wrap_xfer FILE: wrap_one's part on the wire
wrap_xfer() {
	echo hello >&8
	wait_for "$p/c.out" ' <alice> hello$' 3000 || return 1
	a=$(ns); echo ".send $1" >&8
	f=$(basename "$1")
	wait_for "$p/c.out" "receiving $f: [3-9][0-9]%" 6000 || return 1
	b=$(ns); echo "busy line" >&8
	wait_for "$p/c.out" ' <alice> busy line$' 6000 || return 1
	l=$(ms "$b" "$(stamp "$p/c.out" ' <alice> busy line$')")
	wait_for "$p/c.out" "saved $f .*sha256 ok" 12000 || return 1
	t=$(ms "$a" "$(stamp "$p/c.out" "saved $f .*sha256 ok")")
	cmp -s "$p/dl/$f" "$1" || { echo "transfer.sh: wrap: bad file" >&2; return 1; }
}
raw_round() {
	rm -rf "$d/raw"
	mkdir -m 700 "$d/raw"
	axo-onion publish -q -b -d "$d/raw" -c "$TORNET_S_CONTROL" \
		--cookie "$TORNET_S_COOKIE" 5>"$d/raw/rec"
	addr=$(cut -d ' ' -f 2 "$d/raw/rec")
	axo-onion auth -c "$TORNET_C_CONTROL" --cookie "$TORNET_C_COOKIE" \
		4<"$d/raw/rec"
	# every stream of the round on one circuit (one isolation username):
	# the raw transfers and axotor's programs are compared on one path
	iso=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	raw_small=
	! raw_one "$d/small.bin" || raw_small=$t
	c1=$(circs)
	# the big file raw, through axotor's programs (and BASE_BIN's), on
	# one circuit, in turn first and last
	raw_big= wrap_big= base_big=
	for w in $(if [ $((r % 2)) = 1 ]; then echo raw ax base; else echo base ax raw; fi); do
		case $w in
		raw) if [ "${PAIR:-}" = plain ]; then
			! wrap_one "$d/big.bin" "$AXO_BIN" plain || raw_big=$t
		     else
			! raw_one "$d/big.bin" || raw_big=$t
		     fi ;;
		ax) ! wrap_one "$d/big.bin" "$AXO_BIN" files || wrap_big="$t $l" ;;
		base) [ -z "${BASE_BIN:-}" ] || ! wrap_one "$d/big.bin" "$BASE_BIN" ||
			base_big="$t $l" ;;
		esac
	done
	c2=$(circs)
	# one circuit throughout: "1", else the ids seen (a new circuit
	# since, or more than one)
	same=1
	[ -n "$c1" ] && [ "$c1" = "$c2" ] && [ "${c1%,}" = "${c1%%,*}" ] ||
		same="$c1/$c2"
	# tor's own floor for a line: a ping on a second stream of one
	# circuit while BIG MiB go down the first, nothing queued at home
	rm -f "$d/raw/onion.sock"
	"$top/t/helpers/onionprobe" "$d/raw/onion.sock" "$TORNET_C_SOCKS" \
		"$addr" "$BIG" >>"$d/probe.t" || :
	axo-onion unpublish -c "$TORNET_S_CONTROL" --cookie "$TORNET_S_COOKIE" \
		"$addr" 2>/dev/null || :
	# a transfer that failed (a connection tor stalled) is left out
	[ -z "$raw_small" ] || [ -z "$raw_big" ] ||
		echo "$raw_small $raw_big" >>"$d/raw.t"
	[ -n "$raw_big" ] || return 0
	# raw, axotor's time and line, one circuit, raw first?  (a round
	# that took more than one circuit is only counted)
	[ "$same" = 1 ] || { echo "$same" >>"$d/pair.x"; return 0; }
	[ -z "$wrap_big" ] || echo "$raw_big $wrap_big $same $((r % 2))" >>"$d/pair.t"
	[ -z "$base_big" ] || [ -z "$wrap_big" ] ||
		echo "$raw_big $base_big $wrap_big $((r % 2))" >>"$d/pairbase.t"
}

: >"$d/os.t"; : >"$d/ax.t"; : >"$d/raw.t"; : >"$d/base.t"; : >"$d/probe.t"; : >"$d/pair.t"; : >"$d/pairbase.t"; : >"$d/pair.x"
r=1
while [ $r -le "$ROUNDS" ]; do
	case " ${SKIP:-} " in *" os "*) ;; *) [ -z "$have_os" ] || os_round || : ;; esac
	case " ${SKIP:-} " in *" ax "*) ;; *)
		ax_round "$r" "$AXO_BIN" "$d/ax.t" || :
		[ -z "${BASE_BIN:-}" ] || ax_round "$r" "$BASE_BIN" "$d/base.t" || : ;;
	esac
	case " ${SKIP:-} " in *" raw "*) ;; *) raw_round || : ;; esac
	r=$((r + 1))
done

# med FILE COLUMN: the median of a column (ms); "-" when empty
med() {
	cut -d ' ' -f "$2" "$1" | sort -n | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "-"; exit }
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.10g\n", m }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f\n", a / b }'; }
mibs() { awk -v n="$1" -v t="$2" 'BEGIN { if (t == "-" || t == 0) print "-"; else printf "%.1f\n", n / (t / 1000) }'; }

osr=$(med "$d/os.t" 1); osf=$(med "$d/os.t" 2)
axr=$(med "$d/ax.t" 1); axs=$(med "$d/ax.t" 2); axb=$(med "$d/ax.t" 3)
idle=$(med "$d/ax.t" 4); busy=$(med "$d/ax.t" 5)
rs=$(med "$d/raw.t" 1); rb=$(med "$d/raw.t" 2)
echo "file transfer on the private Tor network, same tors (s serves, c fetches),"
echo "medians of $ROUNDS rounds: OnionShare $(wc -l <"$d/os.t"), axotor $(wc -l <"$d/ax.t"), raw $(wc -l <"$d/raw.t") done"
echo
echo "    |                      | OnionShare |  axotor | raw onion | axotor/OS | raw/axotor |"
echo "    |----------------------|-----------:|--------:|----------:|----------:|-----------:|"
printf '    | ready (ms)           | %10s | %7s | %9s | %9s | %10s |\n' "$osr" "$axr" - "$(ratio "$axr" "$osr")" -
printf '    | %3d MiB file (ms)    | %10s | %7s | %9s | %9s | %10s |\n' "$SMALL" "$osf" "$axs" "$rs" "$(ratio "$axs" "$osf")" "$(ratio "$rs" "$axs")"
printf '    | %3d MiB file (ms)    | %10s | %7s | %9s | %9s | %10s |\n' "$BIG" - "$axb" "$rb" - "$(ratio "$rb" "$axb")"
printf '    | %3d MiB (MiB/s)      | %10s | %7s | %9s |           |            |\n' "$SMALL" "$(mibs "$SMALL" "$osf")" "$(mibs "$SMALL" "$axs")" "$(mibs "$SMALL" "$rs")"
printf '    | %3d MiB (MiB/s)      | %10s | %7s | %9s |           |            |\n' "$BIG" - "$(mibs "$BIG" "$axb")" "$(mibs "$BIG" "$rb")"
# share FILE A B O: the median ratio of columns A / B over the rounds of
# each order (column O: 1 when raw went first), and their geometric
# mean: a second transfer on a circuit runs slower than the first, by up
# to a third, and the two orders cancel that out
share() {
	awk -v a="$2" -v b="$3" -v o="$4" '{ print $a / $b > (FILENAME ".o" $o) }' "$1"
	for o in 1 0; do [ -s "$1.o$o" ] && med "$1.o$o" 1 || echo -; done |
	awk '$1 != "-" { s += log($1); n++ } END { if (n) printf "%.2f\n", exp(s / n); else print "-" }'
}
if [ -s "$d/pair.t" ]; then
	printf '    | %-20s | %10s | %7s | %9s | %9s | %10s |\n' "$BIG MiB, one circuit" - \
		"$(med "$d/pair.t" 2)" "$(med "$d/pair.t" 1)" - "$(share "$d/pair.t" 1 2 5)"
fi
if [ -s "$d/base.t" ]; then
	bs=$(med "$d/base.t" 2); bb=$(med "$d/base.t" 3)
	printf '    | %-20s | %10s | %7s | %9s | %9s | %10s |\n' "$SMALL MiB, BASE_BIN" "$osf" "$bs" "$rs" "$(ratio "$bs" "$osf")" "$(ratio "$rs" "$bs")"
	printf '    | %-20s | %10s | %7s | %9s | %9s | %10s |\n' "$BIG MiB, BASE_BIN" - "$bb" "$rb" - "$(ratio "$rb" "$bb")"
	echo
	echo "    BASE_BIN ($BASE_BIN), $(wc -l <"$d/base.t") rounds: a line during the $BIG MiB .send $(med "$d/base.t" 5) ms (idle $(med "$d/base.t" 4) ms)"
fi
echo
[ -n "$have_os" ] || echo "    OnionShare: skipped, onionshare-cli or curl not installed (apt-get install onionshare-cli curl)"
awk '$7 >= 0' "$d/ax.t" >"$d/ax.back"	# the rounds whose back line beat the file
back=$(med "$d/ax.back" 7)
echo "    a line typed during the $BIG MiB .send: $busy ms to cross, against $idle ms idle (one way)"
echo "    and $back ms for bob's line the other way at the same time ($(wc -l <"$d/ax.back") rounds; the"
echo "    circuit's one-way delay under the transfer's load, with no file queued before it)"
if [ -s "$d/probe.t" ]; then
	pi=$(med "$d/probe.t" 2); pl=$(med "$d/probe.t" 3)
	echo "    tor's own floor ($(wc -l <"$d/probe.t") rounds, t/helpers/onionprobe): a ping on a second stream of"
	echo "    the raw onion's circuit takes $pl ms there and back while $BIG MiB go down the first"
	echo "    ($(mibs "$BIG" "$(med "$d/probe.t" 1)") MiB/s), against $pi ms idle: 2 round trips of the idle circuit are"
	echo "    $(awk -v i="$pi" 'BEGIN { printf "%.0f", 2 * i }') ms; axotor's line against tor's loaded round trip: $(ratio "$busy" "$pl")"
	echo "    a ping on a second circuit to the same onion at the same time (what a line beside the"
	echo "    file, not behind it, would take there and back): $(med "$d/probe.t" 4) ms"
fi
echo "    during the $BIG MiB .send, both sides' wrap and axo-chat used $(med "$d/ax.t" 8)x the cpu time of all the network's tors"
echo "    the sending wrap wrote $(med "$d/ax.t" 6 | sed 's/^0$/-/') bytes for a byte of the files (median)" 
if [ -s "$d/timeline" ]; then
	echo "    the last $SMALL MiB .send, ms from typing it (s sends, c receives):"
	sort -k 2n "$d/timeline" | awk '$1 == ".send" { t0 = $2 }
		{ side = $1; t = $2; $1 = ""; $2 = ""; sub(/^ +/, "")
		printf "      %8.1f  %-5s %s\n", (t - t0) / 1e6, side, $0 }'

fi
if [ -s "$d/pair.t" ]; then
	ro() { awk -v o="$1" '$5 == o { printf "%s%.2f", (n++ ? " " : ""), $1 / $2 }' "$d/pair.t"; }
	echo "    one circuit: in each of $(wc -l <"$d/pair.t") rounds the raw $BIG MiB and axotor's programs (axo-onion serve,"
	echo "    axo-ratchet wrap, axo-chat; .send to saved) on one rendezvous circuit, in turn first;"
	echo "    axotor's share of raw per round, raw first: $(ro 1); raw last: $(ro 0);"
	echo "    the row shows the geometric mean of the two orders' medians; $(wc -l <"$d/pair.x") rounds left out that"
	echo "    did not keep one circuit throughout (GETINFO circuit-status); a line typed during it (one way): $(med "$d/pair.t" 3) ms"
fi
if [ -s "$d/pairbase.t" ]; then
	rb() { awk -v o="$1" '$6 == o { printf "%s%.2f", (n++ ? " " : ""), $2 / $4 }' "$d/pairbase.t"; }
	echo "    one circuit, against BASE_BIN ($(wc -l <"$d/pairbase.t") rounds, each: raw, axotor, BASE_BIN or BASE_BIN,"
	echo "    axotor, raw): $BIG MiB in $(med "$d/pairbase.t" 4) ms against $(med "$d/pairbase.t" 2) ms; speed against BASE_BIN"
	echo "    per round, BASE_BIN last: $(rb 1); BASE_BIN first: $(rb 0); both: $(share "$d/pairbase.t" 2 4 6);"
	echo "    a line during it $(med "$d/pairbase.t" 5) ms against $(med "$d/pairbase.t" 3) ms"
fi
echo "    raw/axotor is axotor's share of the raw onion's throughput (1.00 = all of it)"
