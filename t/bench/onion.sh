#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# onion.sh: a timings report of axo-onion on the private Tor network:
# network start, launch to bootstrap, publish, first connection, and a
# 10 MiB echo through the onion against the same echo over a bare unix
# socket measured in the same run.  A report, never an assertion.
set -eu
top=$(pwd)
: "${AXO_BIN:=$top/bin}"
PATH=$AXO_BIN:$PATH
io=$top/t/helpers/ucspi-io.py
py=/usr/bin/python3

d=$(mktemp -d /dev/shm/axo-bench-onion.XXXXXX)
tpid=
cleanup() {
	[ -n "$tpid" ] && kill "$tpid" 2>/dev/null || :
	"$top/t/helpers/tornet" stop "$d/net" 2>/dev/null || :
	rm -rf "$d"
}
trap cleanup EXIT INT TERM HUP

ms() { echo $(( $(date +%s%N) / 1000000 )); }
freeport() {
	$py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# unix SOCK PROG...: connect to a unix socket, PROG on fds 6/7
unixconnect() {
	$py -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
os.dup2(s.fileno(), 6); os.dup2(s.fileno(), 7)
os.execvp(sys.argv[2], sys.argv[2:])' "$@"
}

mkdir -m 700 "$d/net" "$d/own" "$d/base"
head -c 10485760 /dev/urandom >"$d/in"

t0=$(ms)
"$top/t/helpers/tornet" start "$d/net" $$ >/dev/null 2>&1
t1=$(ms)
. "$d/net/tornet.env"

sp=$(freeport); cp=$(freeport)
axo-onion launch -q -d "$d/own" -f "$TORNET_CLIENT_TORRC" -s "$sp" -c "$cp" \
	-O $$ >/dev/null
t2=$(ms)
. "$d/own/tor.env"
tpid=$TOR_PID

axo-onion publish -q -d "$d/own" -c "$cp" 5>"$d/own/rec"
t3=$(ms)
addr=$(cut -d' ' -f2 "$d/own/rec")
axo-onion serve -q -d "$d/own" $py "$io" echo &
axo-onion auth -c "$TORNET_C_CONTROL" 4<"$d/own/rec"
t4=$(ms)
axo-onion connect -s "$TORNET_C_SOCKS" "$addr" 80 \
	sh -c 'echo $(( $(date +%s%N) / 1000000 )) >"$0/connected"; exec "$1" "$2" send "$0/in" "$0/out"' \
	"$d" "$py" "$io" 2>/dev/null
t5=$(ms)
wait
cmp "$d/in" "$d/out"
tc=$(cat "$d/connected")

axo-onion serve -q -d "$d/base" $py "$io" echo &
i=0
while [ ! -S "$d/base/onion.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
b0=$(ms)
unixconnect "$d/base/onion.sock" $py "$io" send "$d/in" "$d/out2"
b1=$(ms)
wait
cmp "$d/in" "$d/out2"

echo 'axo-onion on the private Tor network (t/helpers/tornet), one run:'
echo
echo '    | step                                         |     ms |'
echo '    |----------------------------------------------|-------:|'
printf '    | tornet start: 8 tors, both clients at 100%%   | %6d |\n' $((t1 - t0))
printf '    | launch: our tor to bootstrap 100%%             | %6d |\n' $((t2 - t1))
printf '    | publish: ADD_ONION to HS_DESC UPLOADED       | %6d |\n' $((t3 - t2))
printf '    | auth + connect: to the first connection      | %6d |\n' $((tc - t3))
printf '    | 10 MiB echo through the onion                | %6d |\n' $((t5 - tc))
printf '    | 10 MiB echo over a bare unix socket          | %6d |\n' $((b1 - b0))
echo
awk -v a=$((t5 - tc)) -v b=$((b1 - b0)) 'BEGIN {
	if (b < 1) b = 1
	printf "    The onion echo takes %.1fx the time of the bare unix socket\n", a / b
	printf "    (%.1f MiB/s each way through 6 hops of tor on loopback).\n", 10 / (a / 1000)
}'
