/* SPDX-License-Identifier: GPL-2.0-only */
/* pair: run two programs joined on their fds 6 (read) and 7 (write). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axo.h"

#define USAGE "pair [-p] prog1... -- prog2..."

/*
 * Test helper.  By default fds 6 and 7 of each program are one end of a
 * socket pair (as tcpclient gives); with -p they are two pipes, so that
 * closing fd 7 is seen as EOF on the peer's fd 6.  Exits 0 when both
 * exit 0, else with the first non-zero status (prog1 first), 128+signal
 * for a signal, after saying which on stderr.
 */
static pid_t
spawn(char **argv, int rfd, int wfd, int *close_fds, int nclose)
{
	pid_t pid;
	int i;

	pid = fork();
	if (pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (pid > 0)
		return pid;
	if (rfd != 6 && dup2(rfd, 6) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (wfd != 7 && dup2(wfd, 7) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	for (i = 0; i < nclose; i++)
		if (close_fds[i] != 6 && close_fds[i] != 7)
			close(close_fds[i]);
	signal(SIGPIPE, SIG_DFL);
	axo_exec(argv);
}

/* The same file, moved to fd 10 or above. */
static int
high(int fd)
{
	int h;

	if (fd >= 10)
		return fd;
	if ((h = fcntl(fd, F_DUPFD, 10)) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to move fd %d", fd);
	close(fd);
	return h;
}

static int
status(int st, const char *who)
{
	if (WIFEXITED(st)) {
		if (WEXITSTATUS(st) != 0)
			fprintf(stderr, "pair: %s exited %d\n", who,
			    WEXITSTATUS(st));
		return WEXITSTATUS(st);
	}
	fprintf(stderr, "pair: %s killed by signal %d\n", who, WTERMSIG(st));
	return 128 + WTERMSIG(st);
}

int
main(int argc, char **argv)
{
	int pipes = 0, sv[2], a[2], b[2], fds[4], i, st1, st2, r1, r2;
	char **p1, **p2 = NULL;
	pid_t c1, c2;

	axo_init("pair");
	argv++, argc--;
	if (argc > 0 && strcmp(argv[0], "-p") == 0)
		pipes = 1, argv++, argc--;
	p1 = argv;
	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			argv[i] = NULL;
			p2 = argv + i + 1;
			break;
		}
	if (p2 == NULL || p1[0] == NULL || p2[0] == NULL)
		axo_usage(USAGE);
	/* The children must get the default SIGPIPE back. */
	if (pipes) {
		if (pipe(a) == -1 || pipe(b) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to make pipes");
		/* Above 7, so that no dup2 onto 6 or 7 overwrites one. */
		for (i = 0; i < 2; i++) {
			a[i] = high(a[i]);
			b[i] = high(b[i]);
		}
		fds[0] = a[0], fds[1] = a[1], fds[2] = b[0], fds[3] = b[1];
		c1 = spawn(p1, b[0], a[1], fds, 4);
		c2 = spawn(p2, a[0], b[1], fds, 4);
		for (i = 0; i < 4; i++)
			close(fds[i]);
	} else {
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to make a socket pair");
		sv[0] = high(sv[0]);
		sv[1] = high(sv[1]);
		c1 = spawn(p1, sv[0], sv[0], sv, 2);
		c2 = spawn(p2, sv[1], sv[1], sv, 2);
		close(sv[0]);
		close(sv[1]);
	}
	if (waitpid(c1, &st1, 0) == -1 || waitpid(c2, &st2, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to wait");
	r1 = status(st1, "prog1");
	r2 = status(st2, "prog2");
	return r1 ? r1 : r2;
}
