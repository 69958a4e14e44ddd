# SPDX-License-Identifier: GPL-2.0-only
# common.bash: loaded by every t/*.bats.  Programs under test come from
# $AXO_BIN (the Makefile sets it; "make sanitize" points it elsewhere),
# test programs from $AXO_TBIN.

AXO_TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
: "${AXO_BIN:=$AXO_TOP/bin}"
: "${AXO_TBIN:=$AXO_TOP/t}"
PATH=$AXO_BIN:$AXO_TOP/bin:$PATH
export AXO_BIN AXO_TBIN AXO_TOP PATH

# A private directory on tmpfs for one test (state must live on tmpfs).
# Removed by axo_teardown_tmp, which each file's teardown calls.
axo_setup_tmp() {
	T=$(mktemp -d /dev/shm/axo-test.XXXXXX)
	export T
}

axo_teardown_tmp() {
	[ -n "${T:-}" ] && rm -rf -- "$T"
	T=
}

# A directory on a real disk, for the refusal tests.
axo_disk_dir() {
	local d
	d=$(mktemp -d "$BATS_TEST_TMPDIR/disk.XXXXXX")
	case $(stat -f -c %T "$d") in
	tmpfs|ramfs) skip "BATS_TEST_TMPDIR is on tmpfs here" ;;
	esac
	echo "$d"
}

# sha256 of a file, hex only
sha() {
	sha256sum "$1" | cut -d' ' -f1
}
