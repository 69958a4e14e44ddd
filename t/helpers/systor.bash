# SPDX-License-Identifier: GPL-2.0-only
# systor.bash: a tor that runs as Debian runs its service, on the private
# network (t/axotor-systor.bats).  Load after common, tornet, axotor.
#
#   systor_start NAME [torrc line...]   as user debian-tor, with Debian's
#       defaults file, its control socket in a tmpfs directory standing
#       for /run/tor (SYS_RUN), a ControlPort (SYS_CONTROL) and a SocksPort
#       (SYS_SOCKS) on free ports, DataDirectory SYS_DATA; the network's
#       client lines; owned by this shell.  Waits for bootstrap 100%.
#   systor_stop                         kills it by its PID, removes SYS_DIR
#   systor_ctl CMD...                   each CMD on the control socket (as
#       root, with the cookie): the replies on stdout
#   systor_ours                         our onions and client keys there:
#       the lines of onions/detached, onions/current, ONION_CLIENT_AUTH_VIEW
#       that name an onion
#   as_user USER CMD...                 CMD as USER and its groups
#   systor_users / systor_users_remove  (setup_file / teardown_file, as
#       root) the test users below; the remove deletes them, and fails
#       if one cannot go
#
# The users: debian-tor (created if missing, as Debian's package does), and
# two test users of this run, SYS_IN (in group debian-tor) and SYS_OUT
# (not), named afresh each run so that two runs can share a machine and
# neither leaves a user behind.

SYS_DEFAULTS=/usr/share/tor/tor-service-defaults-torrc

systor_users() {
	local u
	SYS_MADE=$BATS_FILE_TMPDIR/systor.users
	: >"$SYS_MADE"
	# as Debian's tor package makes it; left, as the package would be
	getent passwd debian-tor >/dev/null ||
		adduser --quiet --system --group --no-create-home \
			--home /var/lib/tor debian-tor
	# the fixed names of earlier versions of this file, if still there
	for u in axo12in axo12out; do
		! getent passwd "$u" >/dev/null || userdel "$u" 2>/dev/null || :
		! getent group "$u" >/dev/null || groupdel "$u" 2>/dev/null || :
	done
	SYS_IN=axoin$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	SYS_OUT=axout$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	useradd --system --no-create-home --shell /usr/sbin/nologin \
		--user-group -G debian-tor "$SYS_IN"
	echo "$SYS_IN" >>"$SYS_MADE"
	useradd --system --no-create-home --shell /usr/sbin/nologin \
		--user-group "$SYS_OUT"
	echo "$SYS_OUT" >>"$SYS_MADE"
	export SYS_IN SYS_OUT SYS_MADE
}

# the users this run made; fails, naming them, when one cannot go (a
# process of ours still runs as it)
systor_users_remove() {
	local u left=
	[ -n "${SYS_MADE:-}" ] && [ -s "$SYS_MADE" ] || return 0
	for u in $(cat "$SYS_MADE"); do
		userdel "$u" 2>/dev/null || :
		! getent group "$u" >/dev/null || groupdel "$u" 2>/dev/null || :
		! getent passwd "$u" >/dev/null || left="$left $u"
	done
	: >"$SYS_MADE"
	[ -z "$left" ] || { echo "test users left:$left (a process runs as them?)"; return 1; }
}

systor_start() {
	local name=$1 ports i
	shift
	[ -r "$SYS_DEFAULTS" ] || skip "no $SYS_DEFAULTS (Debian's tor package)"
	SYS_DIR=$(mktemp -d /dev/shm/axo-systor.XXXXXX)
	chmod 0755 "$SYS_DIR"
	SYS_RUN=$SYS_DIR/run SYS_DATA=$SYS_DIR/data
	# as Debian's tmpfiles.d makes /run/tor: 02750 debian-tor:debian-tor
	install -d -o debian-tor -g debian-tor -m 02750 "$SYS_RUN"
	install -d -o debian-tor -g debian-tor -m 0700 "$SYS_DATA"
	ports=$(free_ports 2)
	SYS_SOCKS=${ports% *} SYS_CONTROL=${ports#* }
	{
		cat "$TORNET_CLIENT_TORRC"
		# what /etc/tor/torrc says for each kind (README "Which tor")
		echo "DataDirectory $SYS_DATA"
		echo "PidFile $SYS_RUN/tor.pid"
		echo "ControlSocket $SYS_RUN/control GroupWritable RelaxDirModeCheck"
		echo "CookieAuthFile $SYS_RUN/control.authcookie"
		echo "SocksPort 127.0.0.1:$SYS_SOCKS"
		echo "ControlPort 127.0.0.1:$SYS_CONTROL"
		echo "Log notice stdout"
		for i; do echo "$i"; done
	} >"$SYS_DIR/torrc"
	# as the unit starts it: root, tor drops to User debian-tor
	tor --defaults-torrc "$SYS_DEFAULTS" -f "$SYS_DIR/torrc" \
		--RunAsDaemon 0 --__OwningControllerProcess "$BASHPID" \
		>"$SYS_DIR/tor.out" 2>&1 3>&- &
	SYS_PID=$!
	export SYS_DIR SYS_RUN SYS_DATA SYS_SOCKS SYS_CONTROL SYS_PID
	for i in $(seq 1 600); do
		if [ -S "$SYS_RUN/control" ] &&
			systor_ctl "GETINFO status/bootstrap-phase" 2>/dev/null |
			grep -q 'PROGRESS=100'; then
			return 0
		fi
		kill -0 "$SYS_PID" 2>/dev/null || break
		sleep 0.2
	done
	echo "system tor $name did not bootstrap:"
	cat "$SYS_DIR/tor.out" 2>/dev/null | tail -n 20
	return 1
}

systor_stop() {
	local i
	[ -n "${SYS_PID:-}" ] || return 0
	kill "$SYS_PID" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$SYS_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SYS_PID" 2>/dev/null || true
	wait "$SYS_PID" 2>/dev/null || true
	SYS_PID=
	rm -rf -- "$SYS_DIR"
}

systor_ctl() {
	"$AXO_TOP/t/helpers/systor-ctl" "$SYS_RUN/control" \
		"$SYS_RUN/control.authcookie" "$@"
}

systor_ours() {
	systor_ctl "GETINFO onions/detached" "GETINFO onions/current" \
		"ONION_CLIENT_AUTH_VIEW" |
		grep -E '[a-z2-7]{56}' || true
}

as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$u" --init-groups -- "$@"
}
