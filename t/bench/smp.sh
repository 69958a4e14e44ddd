#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make bench: axo-smp's SMP against libotr's (otrl_sm_step1..5), both
# sides of one whole run in one process, measured in the same run; then
# the two real programs over a socket pair, if they are built.
set -eu
cd "$(dirname "$0")/../.."
CC=${CC:-cc}
RUNS=${SMP_BENCH_RUNS:-400}

d=$(mktemp -d /dev/shm/axo-smp-bench.XXXXXX)
trap 'rm -rf -- "$d"' EXIT INT TERM HUP

# Only what lib/smp.c needs from lib/, so that no other module's
# libraries are pulled in; -lotr is the baseline's, never the programs'.
$CC -O2 -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Ilib \
	-o "$d/smp-bench" t/bench/smp-bench.c lib/smp.c lib/secmem.c \
	lib/proc.c -lotr -lgcrypt -lsodium

echo "SMP, one whole run (both sides, 4 messages, from secret to verdict), $(nproc) cpu, $(uname -m):"
"$d/smp-bench" "$RUNS"

bin=${AXO_BIN:-bin}
pair=$bin/../t/helpers/pair
if [ -x "$bin/axo-smp" ] && [ -x "$pair" ] && command -v hyperfine >/dev/null; then
	sid=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
	printf 'swordfish\n' >"$d/secret"
	echo
	echo "the programs: two axo-smp processes joined by t/helpers/pair (fork, exec, I/O included):"
	# (hyperfine subtracts the time of the shell that opens fds 8, 9)
	hyperfine --warmup 20 --runs 200 --style basic \
		"$pair $bin/axo-smp -i --session-id $sid -s 8 -- $bin/axo-smp --session-id $sid -s 9 8<$d/secret 9<$d/secret" \
		2>&1 | sed -n 's/^ *Time (mean ± σ): */mean /p; s/^ *Range (min … max): */range /p' || true
else
	echo "(the programs over a socket pair: skipped, needs $bin/axo-smp, $pair and hyperfine)"
fi
