/* SPDX-License-Identifier: GPL-2.0-only */
/* deadline.c: the monotonic clock in milliseconds, waits bounded by it, sleeps. */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "axo.h"

long long
axo_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
axo_deadline_left(long long deadline)
{
	long long left = deadline - axo_clock_ms();

	if (left < 0)
		return 0;
	return left > 1000000000 ? 1000000000 : (int)left;
}

int
axo_fd_wait(int fd, short events, long long deadline)
{
	struct pollfd p;
	int r, left;

	for (;;) {
		left = axo_deadline_left(deadline);
		p.fd = fd;
		p.events = events;
		p.revents = 0;
		r = poll(&p, 1, left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r > 0)
			return 1;
		if (left == 0)
			return 0;
	}
}

void
axo_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}
