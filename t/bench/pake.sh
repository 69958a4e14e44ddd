#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# pake.sh: a full code exchange (sender and receiver, start to exit) via
# a local Debian mailbox server: axo-pake against the wormhole CLI and
# wormhole-william, measured in the same run.  A report, never a test.
set -eu
: "${AXO_BIN:=$PWD/bin}"
RUNS=${RUNS:-15}
D=$(mktemp -d /dev/shm/axo-bench-pake.XXXXXX)
trap 't/helpers/mailbox stop "$D/mb"; rm -rf -- "$D"' EXIT INT TERM
HOME=$D/home
export HOME
mkdir -p "$HOME"
port=$(t/helpers/mailbox start "$D/mb")
url=ws://127.0.0.1:$port/v1
np=200
echo "hs=abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion" >"$D/rec"

now() { date +%s%N; }

# one exchange of kind $1 on a fresh nameplate; prints its wall time (us)
pair() {
	np=$((np + 1))
	code=$np-purple-sausages
	t0=$(now)
	case $1 in
	axo-pake)
		"$AXO_BIN/axo-pake" send -d -r "$url" -t 20 -k 8 8<<-EOF 5>/dev/null <"$D/rec" &
		$code
		EOF
		"$AXO_BIN/axo-pake" recv -d -r "$url" -t 20 -k 8 8<<-EOF 5>/dev/null >/dev/null
		$code
		EOF
		;;
	wormhole)
		wormhole --relay-url "$url" send --code "$code" --text hi \
			>/dev/null 2>&1 &
		wormhole --relay-url "$url" receive "$code" >/dev/null 2>&1
		;;
	wormhole-william)
		wormhole-william send --relay-url "$url" --code "$code" --text hi \
			>/dev/null 2>&1 &
		wormhole-william receive --relay-url "$url" "$code" >/dev/null 2>&1
		;;
	esac
	wait
	echo $((($(now) - t0) / 1000))
}

# the median of $RUNS exchanges, in ms with one decimal
median() {
	i=0
	: >"$D/t"
	while [ $i -lt "$RUNS" ]; do
		pair "$1" >>"$D/t"
		i=$((i + 1))
	done
	sort -n "$D/t" | awk '{ a[NR] = $1 } END {
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%.1f\n", m / 1000 }'
}

pair axo-pake >/dev/null	# warm the server's caches
a=$(median axo-pake)
w=$(median wormhole)
if command -v wormhole-william >/dev/null; then
	g=$(median wormhole-william)
else
	g=
fi
echo "full code exchange via a local mailbox server, median of $RUNS (wall, both sides):"
printf '  %-34s %8s ms\n' "axo-pake send | axo-pake recv" "$a"
printf '  %-34s %8s ms   (%s x axo-pake)\n' "wormhole send | wormhole receive" "$w" \
	"$(awk -v x="$w" -v y="$a" 'BEGIN { printf "%.1f", x / y }')"
if [ -n "$g" ]; then
	printf '  %-34s %8s ms   (%s x axo-pake)\n' "wormhole-william send | receive" "$g" \
		"$(awk -v x="$g" -v y="$a" 'BEGIN { printf "%.1f", x / y }')"
else
	echo "  wormhole-william: not installed"
fi
