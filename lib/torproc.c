/* SPDX-License-Identifier: GPL-2.0-only */
/* torproc.c: a private tor process: its torrc, log, bootstrap and PID. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axo.h"
#include "torctl.h"
#include "torproc.h"

static void
path_in(char *out, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, AXO_TORPROC_PATH_MAX, "%s/%s", dir, name) >=
	    AXO_TORPROC_PATH_MAX)
		axo_die(AXO_EXIT_USAGE, "directory name too long: %s", dir);
}

void
axo_torproc_init(struct axo_torproc *tp, const char *dir)
{
	memset(tp, 0, sizeof *tp);
	tp->dir = dir;
	tp->pid = -1;
	tp->pct = -1;
	path_in(tp->datadir, dir, "tor");
	path_in(tp->torrc, dir, "torrc");
	path_in(tp->log, dir, "tor.log");
	path_in(tp->env, dir, "tor.env");
	path_in(tp->cookie, tp->datadir, "control_auth_cookie");
	path_in(tp->portfile, dir, "control.port");
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

void
axo_torproc_setup(struct axo_torproc *tp, const char *extra)
{
	static unsigned char buf[65537];
	char text[8192], socks[32], control[32];
	size_t extralen = 0;
	int fd;

	if (extra != NULL)
		extralen = load_extra(extra, buf, sizeof buf);
	if (mkdir(tp->datadir, 0700) == -1) {
		if (errno == EEXIST)
			axo_die(AXO_EXIT_USAGE,
			    "%s exists: a tor was launched in %s already",
			    tp->datadir, tp->dir);
		axo_diesys(AXO_EXIT_TEMP, "unable to create %s", tp->datadir);
	}

	/* The torrc: ours first, then the caller's extra lines. */
	fd = open(tp->torrc, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to create %s", tp->torrc);
	/* a port not given is tor's choice among the free ones: two
	 * sessions side by side never collide; the control port tor took
	 * is read from ControlPortWriteToFile, the SOCKS port from GETINFO */
	if (tp->socks != 0)
		snprintf(socks, sizeof socks, "%lu", tp->socks);
	else
		snprintf(socks, sizeof socks, "auto");
	if (tp->control != 0)
		snprintf(control, sizeof control, "%lu", tp->control);
	else
		snprintf(control, sizeof control, "auto");
	if ((size_t)snprintf(text, sizeof text,
	    "DataDirectory %s\n"
	    "SocksPort 127.0.0.1:%s ExtendedErrors\n"
	    "ControlPort 127.0.0.1:%s\n"
	    "ControlPortWriteToFile %s\n"
	    "CookieAuthentication 1\n"
	    "CookieAuthFile %s\n"
	    "AvoidDiskWrites 1\n"
	    "ClientOnly 1\n"
	    "SafeLogging 1\n"
	    "Log notice stdout\n",
	    tp->datadir, socks, control, tp->portfile, tp->cookie) >=
	    sizeof text)
		axo_die(AXO_EXIT_USAGE, "directory name too long: %s", tp->dir);
	if (axo_writeall(fd, text, strlen(text)) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write %s", tp->torrc);
	if (axo_writeall(fd, buf, extralen) == -1 || close(fd) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write %s", tp->torrc);
}

void
axo_torproc_start(struct axo_torproc *tp)
{
	char *argv[8], owner[32];
	int fd, devnull;

	tp->prog = getenv("AXO_TOR");
	if (tp->prog == NULL || *tp->prog == '\0')
		tp->prog = "tor";
	snprintf(owner, sizeof owner, "%lu", tp->owner);
	argv[0] = (char *)tp->prog;
	argv[1] = "-f";
	argv[2] = tp->torrc;
	argv[3] = "--defaults-torrc";
	argv[4] = "/dev/null";
	/* tor exits by itself when the owner dies (control-spec §3.23) */
	argv[5] = "--__OwningControllerProcess";
	argv[6] = owner;
	argv[7] = NULL;
	tp->t0 = axo_clock_ms();
	tp->pid = fork();
	if (tp->pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (tp->pid == 0) {
		devnull = open("/dev/null", O_RDONLY);
		fd = open(tp->log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
		    0600);
		if (devnull == -1 || fd == -1 || dup2(devnull, 0) == -1 ||
		    dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(AXO_EXIT_TEMP);
		/* tor gets no fd of ours: not the state fds, not bats' */
		closefrom(3);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[0], argv);
		_exit(errno == ENOENT ? AXO_EXIT_NOENT : AXO_EXIT_EXEC);
	}
}

/*
 * Why tor stopped, in its own words: its first [err] line, or the
 * warning before one that points to it, else its last [warn] line.
 */
static void
tor_said(const char *log, char *out, size_t outlen)
{
	char buf[16384], *p, *line, *best = NULL, *bind = NULL;
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
		/* "Could not bind to 127.0.0.1:9054: Address already in use"
		 * names the port that "Failed to bind one of the listener
		 * ports" after it does not */
		if (strstr(line, "Could not bind to ") != NULL)
			bind = line;
		if (strstr(line, "Failed to bind one of the listener ports") !=
		    NULL && bind != NULL && prio < 2) {
			best = bind;
			prio = 2;
		} else if (strstr(line, "[err] ") != NULL && prio < 2) {
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
			if ((unsigned char)*line < 0x20 ||
			    (unsigned char)*line > 0x7e)
				*line = '?';
		if (strlen(p) >= outlen)
			p[outlen - 1] = '\0';
		memcpy(out, p, strlen(p) + 1);
	}
}

/*
 * ControlPortWriteToFile: "PORT=127.0.0.1:N" (tor's control.c).  0 and
 * tp->control set, or -1 while the file is not (completely) there.
 */
static int
read_portfile(struct axo_torproc *tp)
{
	char buf[128], *p, *e;
	unsigned long port;
	ssize_t n;
	int fd;

	fd = open(tp->portfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1)
		return -1;
	n = axo_readall(fd, (unsigned char *)buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (strncmp(buf, "PORT=127.0.0.1:", 15) != 0 ||
	    (e = strchr(buf, '\n')) == NULL)
		return -1;
	*e = '\0';
	p = buf + 15;
	if (!axo_scan_uint(p, 65535, &port) || port == 0)
		return -1;
	tp->control = port;
	return 0;
}

/* The SOCKS port that tor took: GETINFO net/listeners/socks (§3.9). */
static int
socks_port(struct axo_torproc *tp, struct axo_torctl *c)
{
	char v[512], *p;
	unsigned long port;
	int k;

	if ((k = axo_torctl_getinfo(c, "net/listeners/socks", v,
	    sizeof v)) != 0) {
		snprintf(tp->err, sizeof tp->err, "%s", c->err);
		return k;
	}
	/* "\"127.0.0.1:N\"" */
	if ((p = strstr(v, "127.0.0.1:")) != NULL)
		p[10 + strcspn(p + 10, "\" ")] = '\0';
	if (p == NULL || !axo_scan_uint(p + 10, 65535, &port) || port == 0) {
		snprintf(tp->err, sizeof tp->err,
		    "tor names no SOCKS port on 127.0.0.1");
		return AXO_TORCTL_EPROTO;
	}
	tp->socks = port;
	return 0;
}

/* Bootstrap, bounded: progress on stderr, tor's own words on error. */
static int
bootstrap(struct axo_torproc *tp, struct axo_torctl *c,
    const volatile sig_atomic_t *sig)
{
	char text[8192], tag[256], said[512], *sum;
	unsigned long pctl;
	long left;
	int k, st, connected = 0, pct;

	for (;;) {
		if (*sig) {
			snprintf(tp->err, sizeof tp->err,
			    "interrupted by signal %d", (int)*sig);
			return AXO_TORPROC_ESIG;
		}
		if (waitpid(tp->pid, &st, WNOHANG) == tp->pid) {
			tp->pid = -1;
			if (WIFEXITED(st) &&
			    WEXITSTATUS(st) == AXO_EXIT_NOENT) {
				snprintf(tp->err, sizeof tp->err,
				    "unable to run tor: %s not found",
				    tp->prog);
				return AXO_TORPROC_EEXIT;
			}
			tor_said(tp->log, said, sizeof said);
			snprintf(tp->err, sizeof tp->err,
			    "tor exited during start: %s", said);
			return AXO_TORPROC_EEXIT;
		}
		left = (long)tp->timeout * 1000 -
		    (long)(axo_clock_ms() - tp->t0);
		if (left <= 0) {
			tor_said(tp->log, said, sizeof said);
			snprintf(tp->err, sizeof tp->err,
			    "tor did not bootstrap within %lu s (at %d%%): %s",
			    tp->timeout, tp->pct < 0 ? 0 : tp->pct, said);
			return AXO_TORPROC_ETIME;
		}
		c->timeout_ms = left > 5000 ? 5000 : (unsigned)left;
		if (!connected && tp->control == 0 && read_portfile(tp) != 0) {
			/* tor writes the file once it listens */
			axo_sleep_ms(100);
			continue;
		}
		if (!connected) {
			if (axo_torctl_open(c, "127.0.0.1",
			    (uint16_t)tp->control) == 0) {
				k = axo_torctl_auth(c, tp->cookie, NULL, 0);
				if (k == 0)
					connected = 1;
				else if (k == AXO_TORCTL_ESYS) {
					/* the cookie may not be written yet */
					axo_torctl_close(c);
				} else {
					/* tor's port, not ours: another tor */
					snprintf(tp->err, sizeof tp->err, "%s",
					    c->err);
					return k;
				}
			}
			if (!connected) {
				axo_sleep_ms(100);
				continue;
			}
		}
		k = axo_torctl_getinfo(c, "status/bootstrap-phase", text,
		    sizeof text);
		if (k == AXO_TORCTL_ETIME)
			continue;
		if (k != 0) {
			snprintf(tp->err, sizeof tp->err, "%s", c->err);
			return k;
		}
		/* "NOTICE BOOTSTRAP PROGRESS=n TAG=t SUMMARY="s"" (§4.1.10) */
		if (axo_torctl_kv(text, "PROGRESS", tag, sizeof tag) != 1 ||
		    !axo_scan_uint(tag, 100, &pctl)) {
			snprintf(tp->err, sizeof tp->err,
			    "tor sent a malformed bootstrap phase");
			return AXO_TORCTL_EPROTO;
		}
		pct = (int)pctl;
		if (pct != tp->pct) {
			if (axo_torctl_kv(text, "SUMMARY", tag,
			    sizeof tag) != 1)
				snprintf(tag, sizeof tag, "?");
			for (sum = tag; *sum; sum++)
				if (*sum < 0x20 || *sum > 0x7e)
					*sum = '?';
			axo_info("bootstrap %d%%: %s", pct, tag);
			tp->pct = pct;
		}
		if (pct == 100)
			return tp->socks != 0 ? 0 : socks_port(tp, c);
		axo_sleep_ms(250);
	}
}

int
axo_torproc_bootstrap(struct axo_torproc *tp,
    const volatile sig_atomic_t *sig)
{
	struct axo_torctl c;
	int k;

	axo_torctl_init(&c);
	k = bootstrap(tp, &c, sig);
	axo_torctl_close(&c);
	return k;
}

void
axo_torproc_env(const struct axo_torproc *tp, char *out, size_t outlen)
{
	snprintf(out, outlen,
	    "TOR_PID=%ld\nTOR_SOCKS_PORT=%lu\nTOR_CONTROL_PORT=%lu\n"
	    "TOR_COOKIE=%s\n",
	    (long)tp->pid, tp->socks, tp->control, tp->cookie);
}

int
axo_torproc_save(const struct axo_torproc *tp, const char *text)
{
	char tmp[AXO_TORPROC_PATH_MAX + 8];
	int fd;

	snprintf(tmp, sizeof tmp, "%s.new", tp->env);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1 || axo_writeall(fd, text, strlen(text)) == -1 ||
	    close(fd) == -1 || rename(tmp, tp->env) == -1)
		return -1;
	return 0;
}

void
axo_torproc_stop(struct axo_torproc *tp)
{
	int i, st;

	if (tp->pid <= 0)
		return;
	kill(tp->pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(tp->pid, &st, WNOHANG) == tp->pid) {
			tp->pid = -1;
			return;
		}
		axo_sleep_ms(100);
	}
	kill(tp->pid, SIGKILL);
	waitpid(tp->pid, &st, 0);
	tp->pid = -1;
}
