/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-onion: tor for axotor: launch, publish, auth, connect, serve. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "octl.h"
#include "odir.h"
#include "onion.h"
#include "onionsvc.h"
#include "oopt.h"
#include "socks5.h"
#include "torctl.h"
#include "torinfo.h"
#include "torproc.h"
#include "usock.h"

#define SOCK_NAME	"onion.sock"
#define FILES_SOCK_NAME	"files.sock"	/* publish -b, serve -L */

/* ---- launch ---- */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* Launch leaves no tor behind when it fails. */
__attribute__((noreturn)) static void
launch_diesys(struct axo_torproc *tp, const char *what)
{
	int e = errno;

	axo_torproc_stop(tp);
	errno = e;
	axo_diesys(AXO_EXIT_TEMP, "unable to write %s", what);
}

static int
cmd_launch(const struct axo_oopt *o)
{
	static struct axo_torproc tp;
	struct sigaction sa;
	char text[8192];
	int k;

	axo_odir_check(o->dir, o->insecure);
	axo_torproc_init(&tp, o->dir);
	tp.socks = o->socks;
	tp.control = o->control;
	tp.owner = o->owner;
	tp.timeout = o->timeout;
	axo_torproc_setup(&tp, o->torrc);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	axo_torproc_start(&tp);
	axo_info("tor started, pid %ld", (long)tp.pid);
	if ((k = axo_torproc_bootstrap(&tp, &got_signal)) != 0) {
		axo_torproc_stop(&tp);
		if (strstr(tp.err, "Could not bind to ") != NULL) {
			axo_say_fatal("%s", tp.err);
			axo_hint("a port given with -s or -c is taken; without "
			    "them tor takes free ones");
			exit(axo_octl_exit(k));
		}
		axo_die(k == AXO_TORPROC_ESIG ? 128 + got_signal : axo_octl_exit(k),
		    "%s", tp.err);
	}
	axo_torproc_env(&tp, text, sizeof text);
	if (axo_torproc_save(&tp, text) == -1)
		launch_diesys(&tp, tp.env);
	axo_info("tor bootstrapped in %.1f s",
	    (long)(axo_clock_ms() - tp.t0) / 1000.0);
	if (axo_writeall(1, text, strlen(text)) == -1)
		launch_diesys(&tp, "to stdout");
	/* tor stays: the caller stops it by TOR_PID */
	return 0;
}

/* ---- publish ---- */

static int
cmd_publish(const struct axo_oopt *o)
{
	struct axo_torctl c;
	struct axo_torctl_reply *r;
	struct axo_onionsvc s;
	struct axo_torinfo ti;
	long long t0;
	long sgid;
	char sock[4096], sock2[4096], *rec;
	unsigned char *sk, pk[32];
	int k;

	axo_odir_check(o->dir, o->insecure);
	axo_fd_need_tmpfs((int)o->outfd, "credential record", o->insecure);
	if (o->addrfd != -1)
		axo_fd_need((int)o->addrfd, "address");
	sgid = o->sockdir != NULL ? axo_odir_check_sock(o->sockdir) : -1;
	axo_odir_sock(sock, sizeof sock, o->sockdir != NULL ? o->sockdir :
	    o->dir, SOCK_NAME);
	axo_odir_sock(sock2, sizeof sock2, o->sockdir != NULL ? o->sockdir :
	    o->dir, FILES_SOCK_NAME);
	t0 = axo_clock_ms();
	r = axo_xmalloc(sizeof *r);
	sk = axo_xmalloc(32);
	rec = axo_xmalloc(AXO_ONION_CRED_LEN + 1);

	/* The client-auth key pair: x25519 (rend-spec-v3 §2.5.1.2, §B). */
	crypto_box_keypair(pk, sk);
	axo_octl_open(&c, o->ctl, o->cookie, o->pwfd, o->timeout * 1000);
	/* a tor of another user must reach the socket: said first */
	if ((k = axo_torinfo_get(&c, &ti)) != 0)
		axo_octl_die(&c, k);
	axo_odir_need_reach(&ti, o->dir, o->sockdir, sgid);
	if ((k = axo_onionsvc_add(&s, &c, r, o->vport, sock,
	    o->files ? sock2 : NULL, pk)) != 0)
		axo_octl_die(&c, k);
	axo_info("onion %s.onion added", s.addr);
	/*
	 * -a: the address at once, for a caller that must take the onion
	 * out of a tor that is not its own even if we are stopped while we
	 * wait for the upload (axotor's trap)
	 */
	if (o->addrfd != -1) {
		char line[AXO_ONION_ADDR_LEN + 2];

		memcpy(line, s.addr, AXO_ONION_ADDR_LEN);
		line[AXO_ONION_ADDR_LEN] = '\n';
		if (axo_writeall((int)o->addrfd, line, sizeof line - 1) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to write the address");
		close((int)o->addrfd);
	}
	k = axo_onionsvc_wait(&s, &c, r, t0 + (long long)o->timeout * 1000);
	if (k == AXO_TORCTL_ETIME)
		axo_die(AXO_EXIT_TEMP, "descriptor not uploaded within %lu s "
		    "(%d uploads tried, %d failed)", o->timeout, s.uploads,
		    s.failed);
	if (k != 0)
		axo_octl_die(&c, k);
	axo_onionsvc_done(&c, r);
	axo_torctl_close(&c);
	axo_info("published in %.1f s", (long)(axo_clock_ms() - t0) / 1000.0);

	axo_onion_cred_fmt(rec, s.addr, sk);
	if (axo_writeall((int)o->outfd, rec, AXO_ONION_CRED_LEN) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write the credential record");
	axo_free(rec);
	axo_free(sk);
	axo_free(r);
	return 0;
}

/* ---- auth, unpublish ---- */

static int
cmd_auth(const struct axo_oopt *o)
{
	struct axo_torctl c;
	struct axo_torctl_reply *r;
	unsigned char *buf, *sk;
	char *addr, *b64, *cmd;
	ssize_t n;
	int k;

	axo_fd_need_tmpfs((int)o->infd, "credential record", o->insecure);
	buf = axo_xmalloc(AXO_ONION_CRED_LEN + 1);
	sk = axo_xmalloc(32);
	addr = axo_xmalloc(AXO_ONION_ADDR_LEN + 1);
	b64 = axo_xmalloc(AXO_ONION_KEY_B64 + 1);
	cmd = axo_xmalloc(256);
	r = axo_xmalloc(sizeof *r);
	n = axo_readall((int)o->infd, buf, AXO_ONION_CRED_LEN + 1);
	if (n == -1 && errno != EFBIG)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the credential record");
	if (n == -1 ||
	    !axo_onion_cred_parse(buf, (size_t)n, addr, b64, sk))
		axo_die(AXO_EXIT_STATE, "fd %lu is not a credential record",
		    o->infd);
	axo_octl_open(&c, o->ctl, o->cookie, o->pwfd, 30000);
	/* Not Permanent: the key stays in tor's memory only (§3.30). */
	snprintf(cmd, 256, "ONION_CLIENT_AUTH_ADD %s x25519:%s", addr, b64);
	k = axo_torctl_cmd(&c, cmd, r);
	if (k != 0)
		axo_octl_die(&c, k);
	axo_torctl_close(&c);
	axo_free(r);
	axo_free(cmd);
	axo_free(b64);
	axo_free(addr);
	axo_free(sk);
	axo_free(buf);
	return 0;
}

static int
cmd_unpublish(const struct axo_oopt *o, const char *arg, int deauth)
{
	struct axo_torctl c;
	struct axo_torctl_reply *r;
	char addr[AXO_ONION_ADDR_LEN + 1], cmd[128];
	int k;

	axo_oopt_addr(arg, addr);
	r = axo_xmalloc(sizeof *r);
	axo_octl_open(&c, o->ctl, o->cookie, o->pwfd, 30000);
	/* deauth: the client key that auth gave tor (§3.31) */
	snprintf(cmd, sizeof cmd, deauth ? "ONION_CLIENT_AUTH_REMOVE %s" :
	    "DEL_ONION %s", addr);
	if ((k = axo_torctl_cmd(&c, cmd, r)) != 0)
		axo_octl_die(&c, k);
	axo_torctl_close(&c);
	axo_free(r);
	return 0;
}

/* info: who the tor is, as shell lines (axo-onion(1) "info"). */
static int
cmd_info(const struct axo_oopt *o)
{
	struct axo_torctl c;
	struct axo_torinfo ti;
	char text[512];
	int k;

	axo_octl_open(&c, o->ctl, o->cookie, o->pwfd, 30000);
	if ((k = axo_torinfo_get(&c, &ti)) != 0)
		axo_octl_die(&c, k);
	axo_torctl_close(&c);
	snprintf(text, sizeof text, "TOR_VERSION=%s\nTOR_PID=%ld\n"
	    "TOR_USER=%s\nTOR_UID=%ld\nTOR_GID=%ld\nTOR_SOCKS_PORT=%lu\n",
	    ti.version, ti.pid, ti.user, ti.uid, ti.gid, ti.socks);
	if (axo_writeall(1, text, strlen(text)) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write to stdout");
	return 0;
}

/* ---- connect, serve ---- */

static int
cmd_connect(const struct axo_oopt *o, char **argv)
{
	char addr[AXO_ONION_ADDR_LEN + 7], err[512];
	char iso[AXO_SOCKS5_ISO_LEN + 1];
	unsigned long port;
	long long t0;
	long left, pause;
	int fd, rep, attempt;

	if (o->passfd != -1)
		axo_fd_need((int)o->passfd, "pass socket");
	axo_oopt_addr(argv[0], addr);
	strcat(addr, ".onion");
	if (!axo_scan_uint(argv[1], 65535, &port) || port == 0)
		axo_die(AXO_EXIT_USAGE, "not a port: %.20s", argv[1]);
	t0 = axo_clock_ms();
	for (attempt = 1;; attempt++) {
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left < 1)
			left = 1;
		/*
		 * Each attempt on a circuit of its own (a new isolation
		 * token), bounded: a circuit that stalls is left for a new
		 * one within -t, not waited on until tor gives up (60 s).
		 */
		axo_socks5_new_iso(iso);
		fd = axo_socks5_open_iso("127.0.0.1", (uint16_t)o->socks, addr,
		    (uint16_t)port, axo_socks5_attempt_ms(left,
		    o->timeout * 1000), iso, &rep, err, sizeof err);
		if (fd != -1)
			break;
		if (rep == -2)
			axo_die(AXO_OCTL_EXIT_PROTO, "%s", err);
		if (rep == AXO_SOCKS5_STALL) {
			left = (long)o->timeout * 1000 -
			    (long)(axo_clock_ms() - t0);
			if (left < 1000)
				axo_die(AXO_EXIT_TEMP, "%s", err);
			axo_info("attempt %d: %s; retrying on a new circuit",
			    attempt, err);
			continue;
		}
		if (rep == -1)
			axo_die(AXO_EXIT_TEMP, "%s", err);
		/*
		 * 0x01 through a SocksPort with ExtendedErrors: the service's
		 * tor found nothing on the unix socket (serve not started
		 * yet), measured; as worth a retry as a descriptor that is
		 * not uploaded yet (0xF0, tornet.md gotcha 10).  A wrong
		 * virtual port (0x05) and client-auth errors are definite.
		 */
		if (!axo_socks5_retryable(rep) && rep != 0x01)
			axo_die(AXO_OCTL_EXIT_UNREACH, "%s", err);
		pause = attempt < 4 ? 250L * attempt : 1000;
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left <= pause)
			axo_die(AXO_OCTL_EXIT_UNREACH, "onion not reachable within %lu s: %s",
			    o->timeout, err);
		axo_info("attempt %d: %s; retrying", attempt, err);
		axo_sleep_ms(pause);
	}
	axo_info("connected in %.2f s (attempt %d)", (long)(axo_clock_ms() - t0) / 1000.0,
	    attempt);
	if (o->passfd == -1)
		axo_exec_ucspi(fd, argv + 2);
	/* a link for axo-ratchet wrap, which keeps the session */
	if (axo_usock_send_fd((int)o->passfd, fd) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to pass the connection on fd %ld",
		    o->passfd);
	return 0;
}

/*
 * Listens on sd/name (bound and listening before the name appears), at
 * fd "at" from the start when it is not -1, where no connection can land
 * otherwise; close-on-exec.  Its path in path.
 */
static int
listen_at(const char *sd, const char *name, long sgid, long at,
    char path[4096])
{
	char nm[64], tmp[4096];
	int lfd;

	/* the longer first: its words, as the socket's would be */
	snprintf(nm, sizeof nm, "%s.new", name);
	axo_odir_sock(tmp, sizeof tmp, sd, nm);
	axo_odir_sock(path, 4096, sd, name);
	lfd = axo_usock_listen(tmp, path, sgid);
	if (at != -1 && lfd != (int)at) {
		if (dup3(lfd, (int)at, O_CLOEXEC) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
		close(lfd);
		lfd = (int)at;
	}
	return lfd;
}

/* The socket stays open for PROG at its fd. */
static void
keep_for_prog(int fd)
{
	if (fcntl(fd, F_SETFD, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to clear close-on-exec");
}

static int
cmd_serve(const struct axo_oopt *o, char **argv)
{
	char sock[4096], fsock[4096];
	const char *sd = o->sockdir != NULL ? o->sockdir : o->dir;
	long sgid = -1;
	int lfd, fd;

	axo_odir_check(o->dir, o->insecure);
	if (o->sockdir != NULL)
		sgid = axo_odir_check_sock(o->sockdir);
	/* -L: the second stream's socket, there before the first link
	 * can come, kept for PROG (and never accepted on here) */
	if (o->filesfd != -1)
		keep_for_prog(listen_at(sd, FILES_SOCK_NAME, sgid, o->filesfd,
		    fsock));
	lfd = listen_at(sd, SOCK_NAME, sgid, o->listenfd, sock);
	axo_info("listening on %s", sock);
	fd = axo_usock_accept(lfd, o->peer_uid,
	    axo_clock_ms() + (long long)o->timeout * 1000);
	if (fd == -1) {
		unlink(sock);
		if (o->filesfd != -1)
			unlink(fsock);
		axo_die(AXO_EXIT_TEMP, "no connection within %lu s", o->timeout);
	}
	axo_info("connection accepted");
	if (o->listenfd != -1) {
		/* The socket stays for PROG (axo-ratchet wrap -l), which
		 * takes the next links from it. */
		keep_for_prog(lfd);
	} else {
		/* One connection: nobody else may come in after it. */
		close(lfd);
		unlink(sock);
	}
	axo_exec_ucspi(fd, argv);
}

/* ---- main ---- */

int
main(int argc, char **argv)
{
	struct axo_oopt o;

	axo_init("axo-onion");
	axo_oopt_parse(argc, argv, &o);
	switch (o.cmd) {
	case AXO_OOPT_LAUNCH: return cmd_launch(&o);
	case AXO_OOPT_PUBLISH: return cmd_publish(&o);
	case AXO_OOPT_AUTH: return cmd_auth(&o);
	case AXO_OOPT_UNPUBLISH: return cmd_unpublish(&o, o.args[0], 0);
	case AXO_OOPT_DEAUTH: return cmd_unpublish(&o, o.args[0], 1);
	case AXO_OOPT_INFO: return cmd_info(&o);
	case AXO_OOPT_CONNECT: return cmd_connect(&o, o.args);
	case AXO_OOPT_SERVE: break;
	}
	return cmd_serve(&o, o.args);
}
