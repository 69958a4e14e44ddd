#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make bench: axo-ratchet against raw XChaCha20-Poly1305 and libolm, in
# process; two wrap processes over a socket pair; one-shot encrypt against
# a bare sodium_init program.  All measured in this run, on this machine.
set -eu
cd "$(dirname "$0")/../.."
CC=${CC:-cc}
MIB=${RATCHET_BENCH_MIB:-256}
bin=$(cd "${AXO_BIN:-bin}" && pwd)
echo "axo-ratchet, medians of batches, $(nproc) cpu, $(uname -m):"
pair=$bin/../t/helpers/pair
umask 077

d=$(mktemp -d /dev/shm/axo-ratchet-bench.XXXXXX)
trap 'rm -rf -- "$d"' EXIT INT TERM HUP

# lib/ as the programs have it; -lolm is the baseline's, never theirs.
$CC -O2 -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Ilib -o "$d/rb" \
	t/bench/ratchet-bench.c lib/ratchet.c lib/frame.c lib/hkdf.c \
	lib/secmem.c lib/proc.c -lolm -ljansson -lsodium
printf '#include <sodium.h>\nint main(void) { return sodium_init() < 0; }\n' \
	>"$d/floor.c"
$CC -O2 -o "$d/floor" "$d/floor.c" -lsodium

"$d/rb" core >"$d/core"
v() { sed -n "s/^$1\t//p" "$d/core"; }

# A session for the programs.
head -c 32 /dev/urandom >"$d/sk"
pub=$("$bin/axo-ratchet" keygen 5>"$d/bk")
"$bin/axo-ratchet" init -r bob -S "$d/b" 4<"$d/bk" <"$d/sk"
"$bin/axo-ratchet" init -r alice -p "$pub" -S "$d/a" <"$d/sk"
head -c 64 /dev/urandom >"$d/m64"

# One-shot: the whole process, exec to exit, against the floor.
set -- "$d/rb" spawn 300 "$d/m64" /dev/null
floor=$("$@" "$d/floor" | cut -f1)
oneshot=$("$@" "$bin/axo-ratchet" encrypt -S "$d/a")
os_us=$(echo "$oneshot" | cut -f1)
os_rss=$(echo "$oneshot" | cut -f2)

# Bulk through two wrap processes over a socket pair, one way, and the
# same pipeline with plain cat in place of wrap (the transport's floor).
head -c "${MIB}M" /dev/zero >"$d/big"
cat >"$d/src" <<-'EOS'
	#!/bin/sh
	exec 6<&-
	cat "$1" >&7
EOS
cat >"$d/dst" <<-'EOS'
	#!/bin/sh
	exec 7>&-
	cat <&6 >/dev/null
EOS
chmod +x "$d/src" "$d/dst"
t0=$(date +%s%N)
/usr/bin/time -f %M -o "$d/rss" "$pair" \
	"$bin/axo-ratchet" wrap -S "$d/a" "$d/src" "$d/big" -- \
	/usr/bin/time -f %M -o "$d/rss2" "$bin/axo-ratchet" wrap -S "$d/b" "$d/dst"
t1=$(date +%s%N)
"$pair" "$d/src" "$d/big" -- "$d/dst"
t2=$(date +%s%N)
wrap_rss=$(cat "$d/rss2")

/usr/bin/python3 - "$d/core" "$MIB" "$t0" "$t1" "$t2" "$floor" "$os_us" \
	"$os_rss" "$wrap_rss" <<'EOF'
import sys
core = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[1]))
c = {k: float(v) for k, v in core.items()}
mib, t0, t1, t2 = int(sys.argv[2]), *map(int, sys.argv[3:6])
floor, os_us, os_rss, wrap_rss = map(float, sys.argv[6:10])
wrap_mbs = mib * 1048576 / ((t1 - t0) / 1e3)
cat_mbs = mib * 1048576 / ((t2 - t1) / 1e3)
rows = [
    ("64 B, one direction (seal+open)", "%.2f us" % c["axo_one"],
     "%.2f us" % c["olm_one"],
     "%.1fx raw AEAD (%.2f us)" % (c["axo_one"] / c["raw64"], c["raw64"]),
     "<= 5 us"),
    ("64 B, alternating (a DH step each)", "%.2f us" % c["axo_alt"],
     "%.2f us" % c["olm_alt"],
     "%.1fx one X25519 (%.1f us)" % (c["axo_alt"] / c["x25519"], c["x25519"]),
     "<= 100 us"),
    ("bulk in process (63620 B records)", "%.0f MB/s" % c["axo_bulk_mbs"],
     "%.0f MB/s" % c["olm_bulk_mbs"],
     "%.0f%% of raw AEAD (%.0f MB/s)"
     % (100 * c["axo_bulk_mbs"] / c["raw_mbs"], c["raw_mbs"]), ">= 85%"),
    ("bulk through 2 wraps, socket pair", "%.0f MB/s" % wrap_mbs, "",
     "%.0f%% of raw AEAD; cat alone %.0f MB/s"
     % (100 * wrap_mbs / c["raw_mbs"], cat_mbs), ">= 50%"),
    ("one-shot encrypt, exec to exit", "%.0f us" % os_us, "",
     "%.2fx the sodium_init floor (%.0f us)" % (os_us / floor, floor),
     "<= 2x"),
    ("max RSS: one-shot / wrap",
     "%.1f / %.1f MiB" % (os_rss / 1024, wrap_rss / 1024), "", "",
     "<= 4 MiB"),
]
head = ("what", "axo-ratchet", "libolm", "ratio", "target")
w = [max(len(r[i]) for r in rows + [head]) for i in range(5)]
fmt = "| " + " | ".join("%%-%ds" % x for x in w) + " |"
print(fmt % head)
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in rows:
    print(fmt % r)
EOF
