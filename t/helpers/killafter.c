/* SPDX-License-Identifier: GPL-2.0-only */
/* killafter: run prog, SIGKILL it after USEC microseconds unless it is done. */
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "axo.h"

/*
 * Test helper for the crash tests of issue 11: killafter USEC prog...
 * runs prog (stdin, stdout, stderr inherited), sleeps until USEC
 * microseconds after the fork, and sends it SIGKILL: a prog that is done
 * by then is a zombie, which the signal leaves alone.  Exits as prog
 * did: its status, or 128+9 when killed.
 */
int
main(int argc, char **argv)
{
	struct timespec t;
	unsigned long us;
	pid_t pid;
	int st;

	axo_init("killafter");
	signal(SIGPIPE, SIG_DFL);
	if (argc < 3 || !axo_scan_uint(argv[1], 10000000, &us))
		axo_usage("killafter usec prog...");
	clock_gettime(CLOCK_MONOTONIC, &t);
	pid = fork();
	if (pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (pid == 0)
		axo_exec(argv + 2);
	t.tv_nsec += (long)(us % 1000000) * 1000;
	t.tv_sec += (time_t)(us / 1000000) + t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) ==
	    EINTR)
		;
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to wait");
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
