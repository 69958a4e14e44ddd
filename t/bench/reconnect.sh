#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# reconnect.sh: axotor across dropped circuits on the private Tor network
# (issue 10).  A report, never a test.  In one run: (i) the time from
# CLOSECIRCUIT on a rendezvous circuit to the first line delivered again,
# against a fresh auth + first connection to a new onion (as onion.sh
# measures it); (ii) 1000 numbered lines each way through 3 drops: lost,
# duplicated, out of order; (iii) the idle cost of keepalives, on the
# link (wrap's bytes) and on the wire (the tor's traffic counters).
set -eu
top=$(pwd)
: "${AXO_BIN:=$top/bin}"
PATH=$AXO_BIN:$top/bin:$PATH
export PATH
RUNS=${RUNS:-7}		# samples of (i), each way of measuring
IDLE=${IDLE:-60}	# seconds of (iii)
py=/usr/bin/python3
h=$top/t/helpers

d=$(mktemp -d /dev/shm/axo-bench-reconnect.XXXXXX)
mkdir -m 700 "$d/net" "$d/mb" "$d/run" "$d/own"
tpid= keep=
# PID is alive and names our directory: never a PID reused by another
ours() {
	{ tr '\0' '\n' <"/proc/$1/cmdline"; } 2>/dev/null | grep -qF -- "$d/"
}
cleanup() {
	set +e
	for n in s c; do
		[ -s "$d/$n.pid" ] && ours "$(cat "$d/$n.pid")" &&
			kill "$(cat "$d/$n.pid")" 2>/dev/null
	done
	# each axotor stops its own tor: give them the time (bounded)
	i=0
	while [ $i -lt 100 ] && [ -n "$(ls -A "$d/run" 2>/dev/null)" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null
	"$h/mailbox" stop "$d/mb" 2>/dev/null
	"$h/tornet" stop "$d/net" 2>/dev/null
	[ -n "$keep" ] || rm -rf -- "$d"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ms() { echo $(( $(date +%s%N) / 1000000 )); }
ports() {
	$py -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }

# until a line of FILE matches REGEX, at most SECONDS
wait_line() {
	_w=0
	while [ $_w -lt $(($3 * 20)) ]; do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		_w=$((_w + 1))
	done
	echo "reconnect.sh: no /$2/ in $1 after $3 s" >&2
	return 1
}

# what the sides said, when something did not come (KEEP=1 also keeps $d)
show() {
	for _f in c.out s.out c.err s.err; do
		echo "---- $_f" >&2
		tail -n 15 "$d/$_f" >&2
	done
	[ -z "${KEEP:-}" ] || { echo "kept $d" >&2; keep=1; }
}

# Every line of a side's stdout stamped with the wall clock in ms.
stamper='import sys, time
for ln in sys.stdin:
    sys.stdout.write("%d %s" % (time.time() * 1000, ln))
    sys.stdout.flush()'

# side NAME -s|-c [options]: axotor in line mode, stdin the fifo NAME.in,
# stdout stamped into NAME.out; its PID in NAME.pid.  The fifos are held
# on fds 3 (s) and 4 (c), which no side inherits.
side() {
	n=$1
	shift
	mkfifo "$d/$n.in"
	pp=$(ports 2)
	(
		exec 3>&- 4>&-
		XDG_RUNTIME_DIR=$d/run sh -c 'echo $$ >"$0"; exec "$@"' \
			"$d/$n.pid" axotor "$@" \
			-k 5 --no-smp -r "$RELAY" -t 90 \
			--tor-config "$TORNET_CLIENT_TORRC" --socks-port "${pp% *}" \
			--control-port "${pp#* }" \
			5<"$d/key" <"$d/$n.in" 2>"$d/$n.err" |
			$py -u -c "$stamper" >"$d/$n.out"
	) &
}
say() {
	case $1 in
	s) printf '%s\n' "$2" >&3 ;;
	c) printf '%s\n' "$2" >&4 ;;
	esac
}

# the side's private dir: the server's holds the onion's socket
sdir() {
	for _x in "$d"/run/axotor.*; do
		if [ -S "$_x/onion.sock" ]; then
			[ "$1" != s ] || echo "$_x"
		else
			[ "$1" != c ] || echo "$_x"
		fi
	done
}
tvar() { (. "$(sdir "$1")/tor.env"; eval "echo \$$2"); }
close_rend() {
	"$h/torctl-cmd" "$(tvar "$1" TOR_CONTROL_PORT)" "$(tvar "$1" TOR_COOKIE)" \
		close-rend "$2" >/dev/null
}
# the ms stamp of the first line of FILE that is exactly TEXT
line_ms() {
	awk -v t="$2" '{ s = $1; sub(/^[0-9]+ /, "") } $0 == t { print s; exit }' "$1"
}

echo 'reconnect: axotor across dropped circuits, private Tor network, one run' >&2
t0=$(ms)
"$h/tornet" start "$d/net" $$ >/dev/null 2>&1
. "$d/net/tornet.env"
MB_PORT=$("$h/mailbox" start "$d/mb")
RELAY=ws://$("$h/relay-onion" "$TORNET_S_CONTROL" "$TORNET_S_COOKIE" "$MB_PORT" 60):$MB_PORT/v1
echo "  network and relay up in $(( ($(ms) - t0) / 1000 )) s" >&2

# ---- (i) baseline: a fresh auth + first connection, as onion.sh ----
set -- $(ports 2)
axo-onion launch -q -d "$d/own" -f "$TORNET_CLIENT_TORRC" -s "$1" -c "$2" \
	-O $$ >/dev/null
ocp=$2
. "$d/own/tor.env"
tpid=$TOR_PID
: >"$d/fresh"
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	axo-onion publish -q -d "$d/own" -c "$ocp" 5>"$d/own/rec"
	addr=$(cut -d' ' -f2 "$d/own/rec")
	axo-onion serve -q -d "$d/own" $py "$h/ucspi-io.py" echo &
	spid=$!
	a=$(ms)
	axo-onion auth -c "$TORNET_C_CONTROL" 4<"$d/own/rec"
	axo-onion connect -s "$TORNET_C_SOCKS" "$addr" 80 \
		sh -c 'echo $(( $(date +%s%N) / 1000000 )) >"$0"' "$d/connected" 2>/dev/null
	echo $(( $(cat "$d/connected") - a )) >>"$d/fresh"
	wait "$spid" || :
done
echo "  fresh auth + connect: $(tr '\n' ' ' <"$d/fresh")ms" >&2

# ---- the session ----
printf '71-bench-drops\n' >"$d/key"
side s -s -n alice -p bob
exec 3>"$d/s.in"
side c -c -n bob -p alice
exec 4>"$d/c.in"
say s hello
wait_line "$d/c.out" '^[0-9]+ <alice> hello$' 180
echo "  chat up" >&2

# ---- (i) CLOSECIRCUIT to the first line delivered again ----
: >"$d/again"
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	sleep 2
	# the client's circuit, then the service's, in turn
	if [ $((i % 2)) = 1 ]; then
		close_rend c HS_CLIENT_REND
	else
		close_rend s HS_SERVICE_REND
	fi
	a=$(ms)
	say s "probe-$i"
	wait_line "$d/c.out" "^[0-9]+ <alice> probe-$i\$" 120 || { show; exit 1; }
	b=$(line_ms "$d/c.out" "<alice> probe-$i")
	[ -n "$b" ] || { echo "reconnect.sh: probe-$i not stamped" >&2; exit 1; }
	echo $((b - a)) >>"$d/again"
done
echo "  CLOSECIRCUIT to the line again: $(tr '\n' ' ' <"$d/again")ms" >&2

# ---- (ii) 1000 numbered lines each way, 3 drops ----
N=1000
wait_line "$d/c.out" "^[0-9]+ \\* reconnected to alice after" 60
sleep 2
b0=$(grep -c '^[0-9]* \* reconnected' "$d/c.out" || :)
( i=1; while [ $i -le $N ]; do printf 'n-%d\n' $i; i=$((i + 1)); sleep 0.02; done ) >&3 &
ws=$!
( i=1; while [ $i -le $N ]; do printf 'm-%d\n' $i; i=$((i + 1)); sleep 0.02; done ) >&4 &
wc=$!
for k in c s c; do
	sleep 6
	if [ $k = c ]; then close_rend c HS_CLIENT_REND; else close_rend s HS_SERVICE_REND; fi
done
wait "$ws" "$wc"
wait_line "$d/c.out" "^[0-9]+ <alice> n-$N\$" 120 || :
wait_line "$d/s.out" "^[0-9]+ <bob> m-$N\$" 120 || :
sleep 1
drops=$(( $(grep -c '^[0-9]* \* reconnected' "$d/c.out" || :) - b0 ))
# lost, twice, out of order: "L D O"
tally() {
	sed -n "s/^[0-9]* <$2> $3-\\([0-9]*\\)\$/\\1/p" "$1" | awk -v n=$N '
		{ seen[$1]++; if ($1 < last) ooo++; last = $1 }
		END { for (k = 1; k <= n; k++) { if (!(k in seen)) lost++; else if (seen[k] > 1) dup += seen[k] - 1 }
			printf "%d %d %d\n", lost, dup, ooo }'
}
set -- $(tally "$d/c.out" alice n) $(tally "$d/s.out" bob m)
lost=$(($1 + $4)) dup=$(($2 + $5)) ooo=$(($3 + $6))
echo "  $((2 * N)) lines, $drops drops: $lost lost, $dup twice, $ooo out of order" >&2

# ---- (iii) idle: keepalives only (--keepalive 10, the default) ----
sleep 12
wraps=
for p in $(pgrep -x axo-ratchet); do
	tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$d/run/" &&
		wraps="$wraps $p"
done
io() {
	_t=0
	for _p in $wraps; do
		_t=$((_t + $(awk -v k="$1:" '$1 == k { print $2 }' "/proc/$_p/io")))
	done
	echo $_t
}
tor_bytes() {
	echo $(( $("$h/torctl-cmd" "$1" "$2" getinfo traffic/read) + \
	    $("$h/torctl-cmd" "$1" "$2" getinfo traffic/written) ))
}
cport=$(tvar c TOR_CONTROL_PORT) ccookie=$(tvar c TOR_COOKIE)
sport=$(tvar s TOR_CONTROL_PORT) scookie=$(tvar s TOR_COOKIE)
w0=$(io wchar) r0=$(io rchar)
c0=$(tor_bytes "$cport" "$ccookie")
s0=$(tor_bytes "$sport" "$scookie")
n0=$(tor_bytes "$TORNET_C_CONTROL" "$TORNET_C_COOKIE")
i0=$(ms)
sleep "$IDLE"
w1=$(io wchar) r1=$(io rchar)
c1=$(tor_bytes "$cport" "$ccookie")
s1=$(tor_bytes "$sport" "$scookie")
n1=$(tor_bytes "$TORNET_C_CONTROL" "$TORNET_C_COOKIE")
i1=$(ms)
say c .quit
wait_line "$d/s.out" '^[0-9]+ \* bob has quit the chat$' 30 || :
# both gone, their dirs removed, before the report
_w=0
while [ $_w -lt 200 ] && [ -n "$(ls -A "$d/run")" ]; do
	sleep 0.1
	_w=$((_w + 1))
done

# ---- the report ----
fm=$(median <"$d/fresh")
am=$(median <"$d/again")
awk -v fm="$fm" -v fr="$(minmax <"$d/fresh")" -v am="$am" \
    -v ar="$(minmax <"$d/again")" -v runs="$RUNS" -v n=$((2 * N)) \
    -v drops="$drops" -v lost="$lost" -v dup="$dup" -v ooo="$ooo" \
    -v secs="$(( (i1 - i0) / 1000 ))" -v dt="$(( i1 - i0 ))" \
    -v ww=$((w1 - w0)) -v wr=$((r1 - r0)) -v cw=$((c1 - c0)) \
    -v sw=$((s1 - s0)) -v nw=$((n1 - n0)) 'BEGIN {
	t = 1.5 * fm + 1000
	printf "axotor reconnect (issue 10), private Tor network, one run:\n\n"
	printf "    | what                                              |  measured | against                           | ratio |\n"
	printf "    |---------------------------------------------------|----------:|-----------------------------------|------:|\n"
	printf "    | CLOSECIRCUIT to the first line again, median of %d |  %5d ms | fresh auth + connect %5d ms      | %4.2fx |\n", runs, am, fm, am / fm
	printf "    |   range                                           | %9s | %-33s |       |\n", ar, fr
	printf "    | lines lost / twice / out of order (%d, %d drops) | %9s | target 0 / 0                      |       |\n", n, drops, sprintf("%d / %d / %d", lost, dup, ooo)
	printf "    | idle link, both ways (wrap: records read+written) | %5.1f B/s | 2 x 498 B every 10 s: 99.6 B/s    | %4.2fx |\n", (ww + wr) / (dt / 1000) / 2, (ww + wr) / (dt / 1000) / 2 / 99.6
	printf "    | idle: our two tors, read + written                | %5.0f B/s | an idle client tor: %5.0f B/s     | %4.2fx |\n", (cw + sw) / (dt / 1000) / 2, nw / (dt / 1000), nw ? (cw + sw) / 2 / nw : 0
	printf "\n    Target (i): at most 1.5 x fresh + 1 s = %d ms: %s.  Target (ii): 0 and 0: %s.\n", t, am <= t ? "met" : "NOT met", (lost == 0 && dup == 0) ? "met" : "NOT met"
	printf "    (iii) over %d s idle with --keepalive 10; wrap counts what it reads and\n", secs
	printf "    writes (records only while idle), the tors count TLS bytes on the wire;\n"
	printf "    \"our two tors\" is per tor (the mean of the two sides).\n"
}'
