# SPDX-License-Identifier: GPL-2.0-only
# tornet.bash: one private Tor network (t/helpers/tornet) per .bats file.
#
#   load helpers/common
#   load helpers/tornet
#   setup_file()    { tornet_setup_file; }
#   teardown_file() { tornet_teardown_file; }
#
# Every test of the file then sees the TORNET_* variables of tornet(1)'s
# env file, exported: TORNET_S_SOCKS, TORNET_S_CONTROL, TORNET_S_COOKIE
# (the onion-service side client), TORNET_C_* (the connecting side),
# TORNET_CLIENT_TORRC (torrc lines that join another tor to the network),
# TORNET_PIDS and TORNET_DIR.  The network's tors are owned
# (__OwningControllerProcess) by the bats process that runs setup_file and
# teardown_file, so they also go when bats is killed; teardown_file kills
# them by PID and removes TORNET_DIR whatever the tests did.

tornet_setup_file() {
	TORNET_DIR=$(mktemp -d /dev/shm/axo-tornet.XXXXXX)
	export TORNET_DIR
	# fd 3 is bats' own: no tor may keep it open
	if ! "$AXO_TOP/t/helpers/tornet" start "$TORNET_DIR" "$BASHPID" \
		>/dev/null 3>&-; then
		# tornet has killed what it started; leave no directory either
		rm -rf -- "$TORNET_DIR"
		TORNET_DIR=
		return 1
	fi
	set -a
	. "$TORNET_DIR/tornet.env"
	set +a
}

tornet_teardown_file() {
	[ -n "${TORNET_DIR:-}" ] || return 0
	"$AXO_TOP/t/helpers/tornet" stop "$TORNET_DIR" 3>&-
	rm -rf -- "$TORNET_DIR"
}

# tornet_pids_left DIR: how many live processes still name DIR.
tornet_pids_left() {
	local n=0 p
	for p in /proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF -- "$1" &&
			n=$((n + 1))
	done
	echo "$n"
}
