# SPDX-License-Identifier: GPL-2.0-only
# mailbox.bash: a Debian magic-wormhole mailbox server for a bats file.
# mailbox_setup (in setup_file) starts one on a free 127.0.0.1 port and
# exports MB_PORT, MB_URL and MB_DIR; mailbox_teardown (in
# teardown_file) stops it by its PID.  Tests share the server, so each
# uses its own nameplate (mb_code).

mailbox_setup() {
	MB_DIR=$(mktemp -d /dev/shm/axo-mailbox.XXXXXX)
	MB_PORT=$("$AXO_TOP/t/helpers/mailbox" start "$MB_DIR")
	MB_URL="ws://127.0.0.1:$MB_PORT/v1"
	export MB_DIR MB_PORT MB_URL
}

mailbox_teardown() {
	if [ -n "${MB_DIR:-}" ]; then
		"$AXO_TOP/t/helpers/mailbox" stop "$MB_DIR"
		rm -rf -- "$MB_DIR"
	fi
}

# A master key whose nameplate no other test uses: NNN-suffix
mb_code() {
	echo "$((100 + BATS_TEST_NUMBER * 7 + ${1:-0}))-${2:-purple-sausages}"
}

# A port on 127.0.0.1 where nothing listens (taken and given back).
mb_dead_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
