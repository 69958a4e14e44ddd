/* SPDX-License-Identifier: GPL-2.0-only */
/* smp-relay: a man in the middle of two programs' fds 6/7 that can flip or cut. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axo.h"

#define USAGE "smp-relay [-q] [-x mask] [-f a|b:offset | -c a|b:offset | -A] " \
	"prog1... -- prog2..."

/*
 * Test helper.  prog1's fds 6 and 7 are one end of a socket pair, prog2's
 * two pipes (both kinds the programs meet: tcpclient, axo-ratchet wrap);
 * the relay in between copies the two streams: "a" is prog1 -> prog2,
 * "b" prog2 -> prog1.  -f D:N XORs byte N (from 0) of stream D with mask
 * (-x, hex, default 01); -c D:N hangs up stream D after N bytes (the
 * receiver sees EOF).  When a stream ends, the relay ends it for its
 * receiver too.  Prints "STATUS1 STATUS2" (exit codes, 128+n for a
 * signal).  -A: runs once clean ("clean S1 S2 LENA LENB"), then once for
 * every byte of both streams with that byte flipped ("D N S1 S2"); -q (and
 * -A) sends the programs' stderr to /dev/null.  A run that is silent for
 * 30 s is killed (its status then says signal 9).
 */

#define QUIET_TIMEOUT_MS 30000

struct run {
	int dir;		/* 'a' or 'b' for -f/-c, 0 for none */
	long off;
	int cut;		/* 1: cut, 0: flip */
	unsigned char mask;
	int quiet;
	long len[2];		/* bytes seen on a and b */
};

static int
high(int fd)
{
	int h;

	h = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (h == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup fd");
	close(fd);
	return h;
}

static pid_t
spawn(char **argv, int rfd, int wfd, int quiet)
{
	pid_t pid;
	int null;

	pid = fork();
	if (pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (pid > 0)
		return pid;
	/* rfd and wfd are >= 10 and close on exec; dup2 clears that. */
	if (dup2(rfd, 6) == -1 || dup2(wfd, 7) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (quiet) {
		null = open("/dev/null", O_WRONLY);
		if (null == -1 || dup2(null, 2) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to open /dev/null");
	}
	signal(SIGPIPE, SIG_DFL);
	axo_exec(argv);
}

static int
status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* One relayed run; the two statuses in s. */
static void
run1(struct run *r, char **p1, char **p2, int s[2])
{
	int sv[2], in2[2], out2[2], src[2], dst[2], open_[2], i, st;
	struct pollfd pf[2];
	unsigned char buf[4096];
	pid_t c1, c2;
	ssize_t n, k;
	long pos;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    pipe(in2) == -1 || pipe(out2) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to make a socket pair or pipes");
	sv[0] = high(sv[0]), sv[1] = high(sv[1]);
	in2[0] = high(in2[0]), in2[1] = high(in2[1]);
	out2[0] = high(out2[0]), out2[1] = high(out2[1]);
	c1 = spawn(p1, sv[0], sv[0], r->quiet);
	c2 = spawn(p2, in2[0], out2[1], r->quiet);
	close(sv[0]);
	close(in2[0]);
	close(out2[1]);
	/* stream a: read sv[1], write in2[1]; stream b: out2[0] -> sv[1] */
	src[0] = sv[1], dst[0] = in2[1];
	src[1] = out2[0], dst[1] = sv[1];
	open_[0] = open_[1] = 1;
	r->len[0] = r->len[1] = 0;
	while (open_[0] || open_[1]) {
		for (i = 0; i < 2; i++) {
			pf[i].fd = open_[i] ? src[i] : -1;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		n = poll(pf, 2, QUIET_TIMEOUT_MS);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to poll");
		if (n == 0) {
			kill(c1, SIGKILL);
			kill(c2, SIGKILL);
			break;
		}
		for (i = 0; i < 2; i++) {
			if (!open_[i] || pf[i].revents == 0)
				continue;
			n = read(src[i], buf, sizeof buf);
			if (n == -1 && errno == EINTR)
				continue;
			pos = r->len[i];
			k = n;
			if (n > 0 && r->dir == "ab"[i]) {
				if (r->cut && r->off < pos + n)
					k = r->off > pos ? r->off - pos : 0;
				else if (!r->cut && r->off >= pos &&
				    r->off < pos + n)
					buf[r->off - pos] ^= r->mask;
			}
			if (k > 0 && axo_writeall(dst[i], buf, (size_t)k) == -1)
				k = -1;
			if (n > 0)
				r->len[i] += n;
			if (n <= 0 || k < n) {
				/* The end of stream i, for its receiver too. */
				open_[i] = 0;
				if (i == 0)
					close(dst[0]);
				else
					shutdown(dst[1], SHUT_WR);
				if (i == 1)
					close(src[1]);
			}
		}
	}
	close(sv[1]);
	if (open_[0])
		close(in2[1]);
	if (open_[1])
		close(out2[0]);
	if (waitpid(c1, &st, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to wait");
	s[0] = status(st);
	if (waitpid(c2, &st, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to wait");
	s[1] = status(st);
}

static void
where(const char *arg, struct run *r)
{
	unsigned long n;

	if ((arg[0] != 'a' && arg[0] != 'b') || arg[1] != ':' ||
	    !axo_scan_uint(arg + 2, 1UL << 30, &n))
		axo_usage(USAGE);
	r->dir = arg[0];
	r->off = (long)n;
}

int
main(int argc, char **argv)
{
	struct run r = { 0, 0, 0, 1, 0, { 0, 0 } };
	char **p1, **p2 = NULL;
	long lens[2], k;
	int all = 0, s[2], c, i;
	unsigned char m;

	axo_init("smp-relay");
	while ((c = getopt(argc, argv, "+qx:f:c:A")) != -1) {
		switch (c) {
		case 'q':
			r.quiet = 1;
			break;
		case 'x':
			if (!axo_scan_hex(optarg, &m, 1) || m == 0)
				axo_usage(USAGE);
			r.mask = m;
			break;
		case 'f':
		case 'c':
			where(optarg, &r);
			r.cut = c == 'c';
			break;
		case 'A':
			all = 1;
			r.quiet = 1;
			break;
		default:
			axo_usage(USAGE);
		}
	}
	p1 = argv + optind;
	for (i = optind; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			p2 = argv + i + 1;
			break;
		}
	if (p2 == NULL || p1[0] == NULL || p2[0] == NULL ||
	    (all && r.dir != 0))
		axo_usage(USAGE);
	if (!all) {
		run1(&r, p1, p2, s);
		printf("%d %d\n", s[0], s[1]);
		return 0;
	}
	run1(&r, p1, p2, s);
	lens[0] = r.len[0], lens[1] = r.len[1];
	printf("clean %d %d %ld %ld\n", s[0], s[1], lens[0], lens[1]);
	fflush(stdout);
	for (i = 0; i < 2; i++)
		for (k = 0; k < lens[i]; k++) {
			r.dir = "ab"[i];
			r.off = k;
			r.cut = 0;
			run1(&r, p1, p2, s);
			printf("%c %ld %d %d\n", r.dir, k, s[0], s[1]);
			fflush(stdout);
		}
	return 0;
}
