/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-onion: tor for axotor: launch, publish, auth, connect, serve. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "link.h"
#include "onion.h"
#include "socks5.h"
#include "torctl.h"

#define U_LAUNCH "axo-onion launch [-q] [--client] -d DIR [-f TORRC] " \
	"[-s SOCKSPORT] [-c CONTROLPORT] [-O PID] [-t SECONDS] [--insecure-disk]"
#define U_PUBLISH "axo-onion publish [-q] -d DIR [-c CONTROLPORT] " \
	"[-v VPORT] [-o FD] [-t SECONDS] [--cookie FILE] [--password-fd FD] " \
	"[--insecure-disk]"
#define U_AUTH "axo-onion auth [-c CONTROLPORT] [-i FD] [--cookie FILE] " \
	"[--password-fd FD] [--insecure-disk]"
#define U_UNPUBLISH "axo-onion unpublish [-c CONTROLPORT] [--cookie FILE] " \
	"[--password-fd FD] ADDR"
#define U_CONNECT "axo-onion connect [-q] [-s SOCKSPORT] [-t SECONDS] " \
	"ADDR PORT PROG... | --pass FD ADDR PORT"
#define U_SERVE "axo-onion serve [-q] -d DIR [-t SECONDS] [-l FD] PROG..."
#define U_ALL "axo-onion launch|publish|auth|unpublish|connect|serve " \
	"[OPTION...] [OPERAND...]"

/* Our own protocol errors (axo-onion(1) EXIT STATUS). */
#define EXIT_REFUSED	97	/* tor refused a command or authentication */
#define EXIT_UNREACH	98	/* the onion could not be reached */
#define EXIT_PROTO	99	/* tor or the proxy broke its protocol */

#define SOCK_NAME	"onion.sock"
#define PW_MAX		256

static const char *usage_line = U_ALL;
static int quiet;

struct opts {
	const char *dir, *torrc, *cookie;
	unsigned long socks, control, owner, timeout, vport, outfd, infd;
	long pwfd, passfd, listenfd;
	int client, insecure;
	int have_socks, have_control, have_timeout;
};

__attribute__((noreturn)) static void
usage(void)
{
	axo_usage(usage_line);
}

__attribute__((format(printf, 1, 2))) static void
info(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, m;

	if (quiet)
		return;
	n = snprintf(line, sizeof line, "axo-onion: info: ");
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof line - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	(void)!write(2, line, n);
}

static void
sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The exit code of a torctl failure kind. */
static int
ctl_exit(int kind)
{
	switch (kind) {
	case AXO_TORCTL_EREFUSED: return EXIT_REFUSED;
	case AXO_TORCTL_EPROTO: return EXIT_PROTO;
	default: return AXO_EXIT_TEMP;
	}
}

__attribute__((noreturn)) static void
ctl_die(struct axo_torctl *c, int kind)
{
	axo_die(ctl_exit(kind), "%s", c->err);
}

/*
 * The private directory: ours, mode 0700 (the unix socket and tor's
 * cookie live there), and on tmpfs unless --insecure-disk.
 */
static void
check_dir(const char *dir, int insecure)
{
	struct stat st;
	int fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		axo_diesys(AXO_EXIT_USAGE, "unable to open directory %s", dir);
	if (fstat(fd, &st) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to stat %s", dir);
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		axo_die(AXO_EXIT_USAGE, "directory %s must be ours and mode 0700",
		    dir);
	if (!insecure) {
		r = axo_fd_tmpfs(fd);
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to stat %s", dir);
		if (r == 0)
			axo_die(AXO_EXIT_USAGE,
			    "directory %s is not on tmpfs: refusing to put secrets "
			    "on a disk", dir);
	}
	close(fd);
	/* Port=VPORT,unix:PATH must stay one word of ADD_ONION (§3.27). */
	for (r = 0; dir[r] != '\0'; r++)
		if (!((dir[r] >= 'a' && dir[r] <= 'z') ||
		    (dir[r] >= 'A' && dir[r] <= 'Z') ||
		    (dir[r] >= '0' && dir[r] <= '9') ||
		    strchr("/._-+", dir[r]) != NULL))
			axo_die(AXO_EXIT_USAGE,
			    "directory %s: only letters, digits and /._-+ please",
			    dir);
}

static void
path_in(char *out, size_t outlen, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		axo_die(AXO_EXIT_USAGE, "directory name too long: %s", dir);
}

/* Reads a password of at most PW_MAX bytes from fd, without its LF. */
static unsigned char *
read_password(long fd, size_t *len)
{
	unsigned char *pw;
	ssize_t n;

	axo_fd_need((int)fd, "control password");
	pw = axo_xmalloc(PW_MAX + 1);
	n = axo_readall((int)fd, pw, PW_MAX + 1);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the control password");
	if (n > PW_MAX)
		axo_die(AXO_EXIT_USAGE, "control password longer than %d bytes",
		    PW_MAX);
	if (n > 0 && pw[n - 1] == '\n')
		n--;
	if (memchr(pw, '\n', (size_t)n) != NULL ||
	    memchr(pw, '\r', (size_t)n) != NULL ||
	    memchr(pw, '\0', (size_t)n) != NULL)
		axo_die(AXO_EXIT_USAGE, "control password holds a line break or NUL");
	*len = (size_t)n;
	return pw;
}

/* Connects and authenticates to the control port, or dies. */
static void
ctl_open(struct axo_torctl *c, const struct opts *o, unsigned timeout_ms)
{
	unsigned char *pw = NULL;
	size_t pwlen = 0;
	int k;

	if (o->pwfd >= 0)
		pw = read_password(o->pwfd, &pwlen);
	axo_torctl_init(c);
	c->timeout_ms = timeout_ms;
	if ((k = axo_torctl_open(c, "127.0.0.1", (uint16_t)o->control)) != 0)
		ctl_die(c, k);
	k = axo_torctl_auth(c, o->cookie, pw, pwlen);
	if (pw != NULL)
		axo_free(pw);
	if (k != 0)
		ctl_die(c, k);
}

/* ---- launch ---- */

static volatile sig_atomic_t got_signal;
static pid_t tor_pid = -1;

static void
on_signal(int sig)
{
	got_signal = sig;
}

/* Stops our tor by its PID: TERM, a bounded wait, then KILL. */
static void
kill_tor(void)
{
	int i, st;

	if (tor_pid <= 0)
		return;
	kill(tor_pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(tor_pid, &st, WNOHANG) == tor_pid) {
			tor_pid = -1;
			return;
		}
		sleep_ms(100);
	}
	kill(tor_pid, SIGKILL);
	waitpid(tor_pid, &st, 0);
	tor_pid = -1;
}

__attribute__((noreturn, format(printf, 2, 3))) static void
launch_die(int code, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kill_tor();
	axo_die(code, "%s", msg);
}

/*
 * Why tor stopped, in its own words: its first [err] line, or the
 * warning before one that points to it, else its last [warn] line.
 */
static void
tor_said(const char *log, char *out, size_t outlen)
{
	char buf[16384], *p, *line, *best = NULL;
	int fd, prio = 0;
	ssize_t n;
	off_t end;

	snprintf(out, outlen, "no message");
	fd = open(log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return;
	end = lseek(fd, 0, SEEK_END);
	if (end > (off_t)sizeof buf - 1)
		lseek(fd, end - (off_t)sizeof buf + 1, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	n = axo_readall(fd, (unsigned char *)buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = buf; line != NULL && *line; line = p) {
		p = strchr(line, '\n');
		if (p != NULL)
			*p++ = '\0';
		if (strstr(line, "[err] ") != NULL && prio < 2) {
			/* "Reading config failed--see warnings above": then
			 * the last warning is the reason */
			if (strstr(line, "see warnings above") == NULL ||
			    best == NULL)
				best = line;
			prio = 2;
		} else if (prio < 2 && strstr(line, "[warn] ") != NULL) {
			best = line;
			prio = 1;
		}
	}
	if (best != NULL) {
		p = strstr(best, "] ");
		p = p != NULL ? p + 2 : best;
		/* only printable bytes reach the terminal */
		for (line = p; *line; line++)
			if ((unsigned char)*line < 0x20 || (unsigned char)*line > 0x7e)
				*line = '?';
		if (strlen(p) >= outlen)
			p[outlen - 1] = '\0';
		memcpy(out, p, strlen(p) + 1);
	}
}

/* The caller's extra torrc lines: a text file of at most 64 KiB. */
static size_t
load_extra(const char *path, unsigned char *buf, size_t max)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		axo_diesys(AXO_EXIT_USAGE, "unable to open %s", path);
	n = axo_readall(fd, buf, max - 1);
	if (n == -1)
		axo_diesys(AXO_EXIT_USAGE, "unable to read %s (at most 64 KiB)",
		    path);
	close(fd);
	if (memchr(buf, '\0', (size_t)n) != NULL)
		axo_die(AXO_EXIT_USAGE, "%s is not a text file", path);
	if (n > 0 && buf[n - 1] != '\n')
		buf[n++] = '\n';
	return (size_t)n;
}

static void
write_file(const char *path, const char *text)
{
	char tmp[4200];
	int fd;

	path_in(tmp, sizeof tmp, path, "");
	tmp[strlen(tmp) - 1] = '\0';
	strncat(tmp, ".new", sizeof tmp - strlen(tmp) - 1);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 || axo_writeall(fd, text, strlen(text)) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1)
		launch_die(AXO_EXIT_TEMP, "unable to write %s: %s", path,
		    strerror(errno));
}

static int
cmd_launch(const struct opts *o)
{
	char datadir[4096], torrc[4096], log[4096], env[4096], cookie[4096];
	char text[8192], tag[256], said[512], *sum, *prog;
	char *argv[8], owner[32];
	static unsigned char extra[65537];
	size_t extralen = 0;
	struct axo_torctl c;
	struct sigaction sa;
	long long t0;
	int fd, k, st, last = -1, connected = 0, pct, devnull;
	unsigned long pctl;
	long left;

	check_dir(o->dir, o->insecure);
	path_in(datadir, sizeof datadir, o->dir, "tor");
	path_in(torrc, sizeof torrc, o->dir, "torrc");
	path_in(log, sizeof log, o->dir, "tor.log");
	path_in(env, sizeof env, o->dir, "tor.env");
	path_in(cookie, sizeof cookie, datadir, "control_auth_cookie");
	if (o->torrc != NULL)
		extralen = load_extra(o->torrc, extra, sizeof extra);
	if (mkdir(datadir, 0700) == -1) {
		if (errno == EEXIST)
			axo_die(AXO_EXIT_USAGE,
			    "%s exists: a tor was launched in %s already", datadir,
			    o->dir);
		axo_diesys(AXO_EXIT_TEMP, "unable to create %s", datadir);
	}

	/* The torrc: ours first, then the caller's extra lines. */
	fd = open(torrc, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to create %s", torrc);
	if ((size_t)snprintf(text, sizeof text,
	    "DataDirectory %s\n"
	    "SocksPort 127.0.0.1:%lu ExtendedErrors\n"
	    "ControlPort 127.0.0.1:%lu\n"
	    "CookieAuthentication 1\n"
	    "CookieAuthFile %s\n"
	    "AvoidDiskWrites 1\n"
	    "ClientOnly 1\n"
	    "SafeLogging 1\n"
	    "Log notice stdout\n",
	    datadir, o->socks, o->control, cookie) >= sizeof text)
		axo_die(AXO_EXIT_USAGE, "directory name too long: %s", o->dir);
	if (axo_writeall(fd, text, strlen(text)) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write %s", torrc);
	if (axo_writeall(fd, extra, extralen) == -1 || close(fd) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write %s", torrc);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	prog = getenv("AXO_TOR");
	if (prog == NULL || *prog == '\0')
		prog = "tor";
	snprintf(owner, sizeof owner, "%lu", o->owner);
	argv[0] = prog;
	argv[1] = "-f";
	argv[2] = torrc;
	argv[3] = "--defaults-torrc";
	argv[4] = "/dev/null";
	/* tor exits by itself when the owner dies (control-spec §3.23) */
	argv[5] = "--__OwningControllerProcess";
	argv[6] = owner;
	argv[7] = NULL;
	t0 = axo_clock_ms();
	tor_pid = fork();
	if (tor_pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (tor_pid == 0) {
		devnull = open("/dev/null", O_RDONLY);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
		if (devnull == -1 || fd == -1 || dup2(devnull, 0) == -1 ||
		    dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(AXO_EXIT_TEMP);
		/* tor gets no fd of ours: not the state fds, not bats' */
		closefrom(3);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(prog, argv);
		_exit(errno == ENOENT ? AXO_EXIT_NOENT : AXO_EXIT_EXEC);
	}
	info("tor started, pid %ld", (long)tor_pid);

	/* Bootstrap, bounded: progress on stderr, tor's own words on error. */
	axo_torctl_init(&c);
	for (;;) {
		if (got_signal) {
			kill_tor();
			axo_die(128 + got_signal, "interrupted by signal %d",
			    (int)got_signal);
		}
		if (waitpid(tor_pid, &st, WNOHANG) == tor_pid) {
			tor_pid = -1;
			if (WIFEXITED(st) && WEXITSTATUS(st) == AXO_EXIT_NOENT)
				axo_die(AXO_EXIT_TEMP, "unable to run tor: %s not found",
				    prog);
			tor_said(log, said, sizeof said);
			axo_die(AXO_EXIT_TEMP, "tor exited during start: %s", said);
		}
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left <= 0) {
			tor_said(log, said, sizeof said);
			launch_die(AXO_EXIT_TEMP,
			    "tor did not bootstrap within %lu s (at %d%%): %s",
			    o->timeout, last < 0 ? 0 : last, said);
		}
		c.timeout_ms = left > 5000 ? 5000 : (unsigned)left;
		if (!connected) {
			if (axo_torctl_open(&c, "127.0.0.1",
			    (uint16_t)o->control) == 0) {
				k = axo_torctl_auth(&c, cookie, NULL, 0);
				if (k == 0)
					connected = 1;
				else if (k == AXO_TORCTL_ESYS) {
					/* the cookie may not be written yet */
					axo_torctl_close(&c);
				} else {
					/* tor's port, not ours: another tor */
					launch_die(ctl_exit(k), "%s", c.err);
				}
			}
			if (!connected) {
				sleep_ms(100);
				continue;
			}
		}
		k = axo_torctl_getinfo(&c, "status/bootstrap-phase", text,
		    sizeof text);
		if (k == AXO_TORCTL_ETIME)
			continue;
		if (k != 0) {
			snprintf(said, sizeof said, "%s", c.err);
			launch_die(ctl_exit(k), "%s", said);
		}
		/* "NOTICE BOOTSTRAP PROGRESS=n TAG=t SUMMARY="s"" (§4.1.10) */
		if (axo_torctl_kv(text, "PROGRESS", tag, sizeof tag) != 1 ||
		    !axo_scan_uint(tag, 100, &pctl))
			launch_die(EXIT_PROTO,
			    "tor sent a malformed bootstrap phase");
		pct = (int)pctl;
		if (pct != last) {
			if (axo_torctl_kv(text, "SUMMARY", tag, sizeof tag) != 1)
				snprintf(tag, sizeof tag, "?");
			for (sum = tag; *sum; sum++)
				if (*sum < 0x20 || *sum > 0x7e)
					*sum = '?';
			info("bootstrap %d%%: %s", pct, tag);
			last = pct;
		}
		if (pct == 100)
			break;
		sleep_ms(250);
	}
	axo_torctl_close(&c);

	snprintf(text, sizeof text,
	    "TOR_PID=%ld\nTOR_SOCKS_PORT=%lu\nTOR_CONTROL_PORT=%lu\n"
	    "TOR_COOKIE=%s\n",
	    (long)tor_pid, o->socks, o->control, cookie);
	write_file(env, text);
	info("tor bootstrapped in %.1f s", (long)(axo_clock_ms() - t0) / 1000.0);
	if (axo_writeall(1, text, strlen(text)) == -1)
		launch_die(AXO_EXIT_TEMP, "unable to write to stdout: %s",
		    strerror(errno));
	/* tor stays: the caller stops it by TOR_PID */
	return 0;
}

/* ---- publish ---- */

struct upload {
	char addr[AXO_ONION_ADDR_LEN + 1];
	int uploaded, failed, uploads;
};

/* Words of an event line, at most n: split in place. */
static size_t
words(char *s, char **w, size_t n)
{
	size_t k = 0;

	while (*s && k < n) {
		while (*s == ' ')
			*s++ = '\0';
		if (*s == '\0')
			break;
		w[k++] = s;
		while (*s && *s != ' ')
			s++;
	}
	return k;
}

/* "650 HS_DESC ACTION ADDR AUTH HSDIR ..." (control-spec §4.1.25) */
static void
hs_desc(void *arg, const struct axo_torctl_reply *r)
{
	struct upload *u = arg;
	char line[1024], *w[8], *nick;
	size_t n;

	if (r->nlines != 1 || strlen(r->line[0]) >= sizeof line)
		return;
	memcpy(line, r->line[0], strlen(r->line[0]) + 1);
	n = words(line, w, 8);
	if (n < 4 || strcmp(w[0], "HS_DESC") != 0 || strcmp(w[2], u->addr) != 0)
		return;
	nick = n >= 5 ? strchr(w[4], '~') : NULL;
	nick = nick != NULL ? nick + 1 : (n >= 5 ? w[4] : "?");
	if (strlen(nick) > 40)
		nick[40] = '\0';
	if (strcmp(w[1], "UPLOAD") == 0) {
		u->uploads++;
		info("uploading the descriptor to hsdir %s", nick);
	} else if (strcmp(w[1], "UPLOADED") == 0) {
		u->uploaded++;
		info("descriptor uploaded to hsdir %s", nick);
	} else if (strcmp(w[1], "FAILED") == 0) {
		u->failed++;
		info("descriptor upload to hsdir %s failed", nick);
	}
}

static int
cmd_publish(const struct opts *o)
{
	struct axo_torctl c;
	struct axo_torctl_reply *r;
	struct upload u;
	long long t0;
	char sock[4096], pkb32[64], *cmd, *rec;
	unsigned char *sk, pk[32];
	size_t i;
	long left;
	int k, gotid = 0;

	check_dir(o->dir, o->insecure);
	axo_fd_need_tmpfs((int)o->outfd, "credential record", o->insecure);
	path_in(sock, sizeof sock, o->dir, SOCK_NAME);
	if (strlen(sock) >= sizeof ((struct sockaddr_un *)0)->sun_path)
		axo_die(AXO_EXIT_USAGE, "directory name too long for a socket: %s",
		    o->dir);
	t0 = axo_clock_ms();
	r = axo_xmalloc(sizeof *r);
	sk = axo_xmalloc(32);
	cmd = axo_xmalloc(8192);
	rec = axo_xmalloc(AXO_ONION_CRED_LEN + 1);
	memset(&u, 0, sizeof u);

	/* The client-auth key pair: x25519 (rend-spec-v3 §2.5.1.2, §B). */
	crypto_box_keypair(pk, sk);
	axo_onion_base32(pkb32, pk, 32);

	ctl_open(&c, o, o->timeout * 1000);
	c.event = hs_desc;
	c.arg = &u;
	if ((k = axo_torctl_cmd(&c, "SETEVENTS HS_DESC", r)) != 0)
		ctl_die(&c, k);
	/*
	 * Detach: the onion outlives this control connection, so that
	 * publish can exit and hand the record on; it lives as long as tor
	 * (ours dies with the session) or until "unpublish".  DiscardPK:
	 * tor never tells us the onion's private key (§3.27).
	 */
	snprintf(cmd, 8192, "ADD_ONION NEW:ED25519-V3 "
	    "Flags=Detach,DiscardPK,V3Auth Port=%lu,unix:%s ClientAuthV3=%s",
	    o->vport, sock, pkb32);
	if ((k = axo_torctl_cmd(&c, cmd, r)) != 0)
		ctl_die(&c, k);
	for (i = 0; i < r->nlines; i++) {
		if (strncmp(r->line[i], "ServiceID=", 10) == 0) {
			if (gotid || !axo_onion_addr_ok(r->line[i] + 10,
			    strlen(r->line[i] + 10)))
				axo_die(EXIT_PROTO,
				    "tor sent a malformed ADD_ONION reply");
			memcpy(u.addr, r->line[i] + 10, AXO_ONION_ADDR_LEN + 1);
			gotid = 1;
		}
		if (strncmp(r->line[i], "PrivateKey=", 11) == 0) {
			sodium_memzero(r, sizeof *r);
			axo_die(EXIT_PROTO, "tor sent the onion's private key "
			    "despite DiscardPK");
		}
	}
	if (!gotid)
		axo_die(EXIT_PROTO, "tor sent a malformed ADD_ONION reply");
	info("onion %s.onion added", u.addr);

	/* Wait for the first HS_DESC UPLOADED: then a client can find it. */
	while (u.uploaded == 0) {
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left <= 0)
			break;
		k = axo_torctl_read(&c, r, (unsigned)left);
		if (k == AXO_TORCTL_ETIME)
			break;
		if (k != 0)
			ctl_die(&c, k);
		if (r->code != 650)
			axo_die(EXIT_PROTO, "tor sent a reply %d where an event "
			    "was due", r->code);
		hs_desc(&u, r);
	}
	if (u.uploaded == 0) {
		/* Not reachable: take it down rather than leave it in tor. */
		snprintf(cmd, 8192, "DEL_ONION %s", u.addr);
		c.event = NULL;
		c.timeout_ms = 5000;
		(void)axo_torctl_cmd(&c, cmd, r);
		axo_die(AXO_EXIT_TEMP, "descriptor not uploaded within %lu s "
		    "(%d uploads tried, %d failed)", o->timeout, u.uploads,
		    u.failed);
	}
	c.event = NULL;
	(void)axo_torctl_cmd(&c, "SETEVENTS", r);
	axo_torctl_close(&c);
	info("published in %.1f s", (long)(axo_clock_ms() - t0) / 1000.0);

	axo_onion_cred_fmt(rec, u.addr, sk);
	if (axo_writeall((int)o->outfd, rec, AXO_ONION_CRED_LEN) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write the credential record");
	axo_free(rec);
	axo_free(sk);
	axo_free(cmd);
	axo_free(r);
	return 0;
}

/* ---- auth, unpublish ---- */

static int
cmd_auth(const struct opts *o)
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
	ctl_open(&c, o, 30000);
	/* Not Permanent: the key stays in tor's memory only (§3.30). */
	snprintf(cmd, 256, "ONION_CLIENT_AUTH_ADD %s x25519:%s", addr, b64);
	k = axo_torctl_cmd(&c, cmd, r);
	if (k != 0)
		ctl_die(&c, k);
	axo_torctl_close(&c);
	axo_free(r);
	axo_free(cmd);
	axo_free(b64);
	axo_free(addr);
	axo_free(sk);
	axo_free(buf);
	return 0;
}

/* ADDR or ADDR.onion, a v3 address: the bare address into out. */
static void
onion_arg(const char *s, char out[AXO_ONION_ADDR_LEN + 1])
{
	size_t l = strlen(s);

	if (l == AXO_ONION_ADDR_LEN + 6 && strcmp(s + AXO_ONION_ADDR_LEN,
	    ".onion") == 0)
		l = AXO_ONION_ADDR_LEN;
	if (!axo_onion_addr_ok(s, l))
		axo_die(AXO_EXIT_USAGE, "not a v3 onion address: %.80s", s);
	memcpy(out, s, AXO_ONION_ADDR_LEN);
	out[AXO_ONION_ADDR_LEN] = '\0';
}

static int
cmd_unpublish(const struct opts *o, const char *arg)
{
	struct axo_torctl c;
	struct axo_torctl_reply *r;
	char addr[AXO_ONION_ADDR_LEN + 1], cmd[128];
	int k;

	onion_arg(arg, addr);
	r = axo_xmalloc(sizeof *r);
	ctl_open(&c, o, 30000);
	snprintf(cmd, sizeof cmd, "DEL_ONION %s", addr);
	if ((k = axo_torctl_cmd(&c, cmd, r)) != 0)
		ctl_die(&c, k);
	axo_torctl_close(&c);
	axo_free(r);
	return 0;
}

/* ---- connect, serve ---- */

/* Puts the connection on fds 6 and 7 (UCSPI, tcpclient(1)), then execs. */
__attribute__((noreturn)) static void
chainload(int fd, char **argv)
{
	if (fd != AXO_FD_NET_IN && dup2(fd, AXO_FD_NET_IN) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (fd != AXO_FD_NET_OUT && dup2(fd, AXO_FD_NET_OUT) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (fd != AXO_FD_NET_IN && fd != AXO_FD_NET_OUT)
		close(fd);
	/* dup2 clears close-on-exec, but the socket may already be 6 or 7 */
	else if (fcntl(fd, F_SETFD, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to clear close-on-exec");
	axo_exec(argv);
}

static int
cmd_connect(const struct opts *o, char **argv)
{
	char addr[AXO_ONION_ADDR_LEN + 7], err[512];
	unsigned long port;
	long long t0;
	long left, pause;
	int fd, rep, attempt;

	onion_arg(argv[0], addr);
	strcat(addr, ".onion");
	if (!axo_scan_uint(argv[1], 65535, &port) || port == 0)
		axo_die(AXO_EXIT_USAGE, "not a port: %.20s", argv[1]);
	t0 = axo_clock_ms();
	for (attempt = 1;; attempt++) {
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left < 1)
			left = 1;
		fd = axo_socks5_open("127.0.0.1", (uint16_t)o->socks, addr,
		    (uint16_t)port, (unsigned)left, &rep, err, sizeof err);
		if (fd != -1)
			break;
		if (rep == -2)
			axo_die(EXIT_PROTO, "%s", err);
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
			axo_die(EXIT_UNREACH, "%s", err);
		pause = attempt < 4 ? 250L * attempt : 1000;
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left <= pause)
			axo_die(EXIT_UNREACH, "onion not reachable within %lu s: %s",
			    o->timeout, err);
		info("attempt %d: %s; retrying", attempt, err);
		sleep_ms(pause);
	}
	info("connected in %.2f s (attempt %d)", (long)(axo_clock_ms() - t0) / 1000.0,
	    attempt);
	if (o->passfd == -1)
		chainload(fd, argv + 2);
	/* a link for axo-ratchet wrap, which keeps the session */
	if (axo_link_send_fd((int)o->passfd, fd) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to pass the connection on fd %ld",
		    o->passfd);
	return 0;
}

static int
cmd_serve(const struct opts *o, char **argv)
{
	struct sockaddr_un sa;
	struct pollfd p;
	long long t0;
	char sock[4096], tmp[4096], err[128];
	long left;
	int lfd, fd, r;

	check_dir(o->dir, o->insecure);
	path_in(sock, sizeof sock, o->dir, SOCK_NAME);
	path_in(tmp, sizeof tmp, o->dir, SOCK_NAME ".new");
	if (strlen(tmp) >= sizeof sa.sun_path)
		axo_die(AXO_EXIT_USAGE, "directory name too long for a socket: %s",
		    o->dir);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to create a socket");
	/* at its fd from the start, where no connection can land */
	if (o->listenfd != -1 && lfd != (int)o->listenfd) {
		if (dup3(lfd, (int)o->listenfd, O_CLOEXEC) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
		close(lfd);
		lfd = (int)o->listenfd;
	}
	unlink(tmp);
	umask(077);
	/* bound and listening before its name appears: no refused connect */
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(lfd, o->listenfd == -1 ? 1 : 8) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to listen on %s", tmp);
	if (rename(tmp, sock) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to rename %s", tmp);
	info("listening on %s", sock);
	t0 = axo_clock_ms();
	for (;;) {
		left = (long)o->timeout * 1000 - (long)(axo_clock_ms() - t0);
		if (left <= 0) {
			unlink(sock);
			axo_die(AXO_EXIT_TEMP, "no connection within %lu s",
			    o->timeout);
		}
		p.fd = lfd;
		p.events = POLLIN;
		r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to poll");
		if (r == 0)
			continue;
		/* Only a process of ours (tor) may be the peer. */
		fd = axo_link_accept(lfd, err, sizeof err);
		if (fd == -1 && errno == EPERM) {
			axo_warn("%s", err);
			continue;
		}
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			axo_diesys(AXO_EXIT_TEMP, "unable to accept");
		}
		break;
	}
	info("connection accepted");
	if (o->listenfd != -1) {
		/* The socket stays for PROG (axo-ratchet wrap -l), which
		 * takes the next links from it. */
		if (fcntl(lfd, F_SETFD, 0) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to clear close-on-exec");
	} else {
		/* One connection: nobody else may come in after it. */
		close(lfd);
		unlink(sock);
	}
	chainload(fd, argv);
}

/* ---- main ---- */

static int
getfd(const char *s, unsigned long *n)
{
	return axo_scan_uint(s, 1023, n);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "client", no_argument, NULL, 'C' },
		{ "insecure-disk", no_argument, NULL, 'I' },
		{ "cookie", required_argument, NULL, 'K' },
		{ "password-fd", required_argument, NULL, 'W' },
		{ "pass", required_argument, NULL, 'p' },
		{ "keep-listening", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	const char *allowed, *cmd;
	char seen[128];
	struct opts o;
	unsigned long n;
	int ch;

	axo_init("axo-onion");
	opterr = 0;
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: %s\n       %s\n       %s\n       %s\n"
		    "       %s\n       %s\n", U_LAUNCH, U_PUBLISH, U_AUTH,
		    U_UNPUBLISH, U_CONNECT, U_SERVE);
		return 0;
	}
	if (argc < 2)
		usage();
	cmd = argv[1];
	if (strcmp(cmd, "launch") == 0) {
		usage_line = U_LAUNCH;
		allowed = "qCd:f:s:c:O:t:I";
	} else if (strcmp(cmd, "publish") == 0) {
		usage_line = U_PUBLISH;
		allowed = "qd:c:v:o:t:KWI";
	} else if (strcmp(cmd, "auth") == 0) {
		usage_line = U_AUTH;
		allowed = "c:i:KWI";
	} else if (strcmp(cmd, "unpublish") == 0) {
		usage_line = U_UNPUBLISH;
		allowed = "c:KW";
	} else if (strcmp(cmd, "connect") == 0) {
		usage_line = U_CONNECT;
		allowed = "qs:t:p";
	} else if (strcmp(cmd, "serve") == 0) {
		usage_line = U_SERVE;
		allowed = "qd:t:l";
	} else
		usage();

	memset(&o, 0, sizeof o);
	memset(seen, 0, sizeof seen);
	o.pwfd = o.passfd = o.listenfd = -1;
	o.outfd = AXO_FD_STATE_OUT;
	o.infd = AXO_FD_STATE_IN;
	o.vport = 80;
	o.owner = (unsigned long)getppid();
	argc--;
	argv++;
	/* "+": options first, then operands and PROG... untouched */
	while ((ch = getopt_long(argc, argv, "+hqd:f:s:c:O:t:v:o:i:p:l:", lo,
	    NULL)) != -1) {
		if (ch == 'h') {
			printf("usage: %s\n", usage_line);
			return 0;
		}
		if (ch == '?' || strchr(allowed, ch) == NULL ||
		    seen[(unsigned char)ch]++)
			usage();
		switch (ch) {
		case 'q': quiet = 1; break;
		case 'C': o.client = 1; break;
		case 'I': o.insecure = 1; break;
		case 'd': o.dir = optarg; break;
		case 'f': o.torrc = optarg; break;
		case 'K': o.cookie = optarg; break;
		case 's':
			if (!axo_scan_uint(optarg, 65535, &o.socks) || !o.socks)
				usage();
			o.have_socks = 1;
			break;
		case 'c':
			if (!axo_scan_uint(optarg, 65535, &o.control) ||
			    !o.control)
				usage();
			o.have_control = 1;
			break;
		case 'O':
			if (!axo_scan_uint(optarg, 4194304, &o.owner) || !o.owner)
				usage();
			break;
		case 't':
			if (!axo_scan_uint(optarg, 86400, &o.timeout) ||
			    !o.timeout)
				usage();
			o.have_timeout = 1;
			break;
		case 'v':
			if (!axo_scan_uint(optarg, 65535, &o.vport) || !o.vport)
				usage();
			break;
		case 'o':
			if (!getfd(optarg, &o.outfd))
				usage();
			break;
		case 'i':
			if (!getfd(optarg, &o.infd))
				usage();
			break;
		case 'W':
		case 'p':
		case 'l':
			if (!getfd(optarg, &n))
				usage();
			*(ch == 'W' ? &o.pwfd : ch == 'p' ? &o.passfd :
			    &o.listenfd) = (long)n;
			break;
		}
	}
	argc -= optind;
	argv += optind;

	/* Defaults of the original: server side 9054/9055, client 9154/9155. */
	if (!o.have_socks)
		o.socks = o.client ? 9154 : 9054;
	if (!o.have_control)
		o.control = strcmp(cmd, "auth") == 0 || o.client ? 9155 : 9055;
	if (strcmp(cmd, "connect") == 0 && !o.have_socks)
		o.socks = 9154;

	if (strcmp(cmd, "launch") == 0) {
		if (argc != 0 || o.dir == NULL)
			usage();
		if (!o.have_timeout)
			o.timeout = 300;
		if (o.socks == o.control)
			usage();
		return cmd_launch(&o);
	}
	if (strcmp(cmd, "publish") == 0) {
		if (argc != 0 || o.dir == NULL)
			usage();
		if (!o.have_timeout)
			o.timeout = 120;
		return cmd_publish(&o);
	}
	if (strcmp(cmd, "auth") == 0) {
		if (argc != 0)
			usage();
		return cmd_auth(&o);
	}
	if (strcmp(cmd, "unpublish") == 0) {
		if (argc != 1)
			usage();
		return cmd_unpublish(&o, argv[0]);
	}
	if (strcmp(cmd, "connect") == 0) {
		if (o.passfd == -1 ? argc < 3 : argc != 2)
			usage();
		if (o.passfd != -1)
			axo_fd_need((int)o.passfd, "pass socket");
		if (!o.have_timeout)
			o.timeout = 120;
		return cmd_connect(&o, argv);
	}
	if (argc < 1 || o.dir == NULL || o.listenfd == AXO_FD_NET_IN ||
	    o.listenfd == AXO_FD_NET_OUT)
		usage();
	if (!o.have_timeout)
		o.timeout = 600;
	return cmd_serve(&o, argv);
}
