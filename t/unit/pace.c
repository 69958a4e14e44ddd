/* SPDX-License-Identifier: GPL-2.0-only */
/* pace test: lib/pace.c's window on simulated links: full, yet short queues. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pace.h"

/*
 * A link is a bottleneck of R bytes a millisecond with D ms of delay each
 * way (and, with J, up to J ms more on a record's way, from a fixed
 * pseudo-random sequence); the sender keeps records of 15795 bytes going
 * while the window allows, the receiver acks each on arrival.  Over the
 * last second of a run: the throughput against R, and the wait of a line
 * sent at each millisecond (the queue before it, plus D) in round trips.
 * Prints one line per check, "ok what" or "FAIL what (figures)"; exits 1
 * if any failed.  Deterministic: no clock, no timing.
 */

#define REC	15795
#define STEP	0.1		/* ms */
#define PEND	4096

static int failed;

static void
say(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failed = 1;
}
static unsigned long long lcg = 88172645463325252ULL;

static double
rnd(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

struct result {
	double thr, lat_med, lat_max;	/* fraction of R; round trips */
	size_t wmin, wmax;
};

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* R2 from half-time on (a link that slows down or speeds up) */
static void
run(double r, double r2, double d, double j, double ms, struct result *res)
{
	static struct axo_pace p;
	static struct { unsigned long long end; double at; } pend[PEND];
	static double lat[2000];
	unsigned head = 0, n = 0, nl = 0, i;
	unsigned long long sent = 0, acked = 0, acked_at = 0;
	double t, busy = 0, last_ack = 0, rate = r, now_r;
	double next_line = ms - 1000;
	size_t w;

	axo_pace_init(&p);
	res->wmin = (size_t)-1;
	res->wmax = 0;
	for (t = 0; t < ms; t += STEP) {
		if (t >= ms / 2)
			rate = r2;
		while (n > 0 && pend[head].at <= t) {
			axo_pace_acked(&p, pend[head].end, (long long)t);
			acked = pend[head].end;
			head = (head + 1) % PEND;
			n--;
		}
		if (acked_at == 0 && t >= ms - 1000)
			acked_at = acked ? acked : 1;
		w = axo_pace_window(&p, (long long)t);
		if (t >= ms - 1000) {
			if (w < res->wmin)
				res->wmin = w;
			if (w > res->wmax)
				res->wmax = w;
		}
		while (sent - acked < w && n < PEND) {
			double dep = (busy > t ? busy : t) + REC / rate;
			double at = dep + d + j * rnd() + d;

			busy = dep;
			if (at < last_ack)
				at = last_ack;
			last_ack = at;
			sent += REC;
			axo_pace_sent(&p, sent, acked, REC, (long long)t);
			pend[(head + n) % PEND].end = sent;
			pend[(head + n) % PEND].at = at;
			n++;
		}
		if (t >= next_line && nl < 2000) {
			now_r = (busy > t ? busy - t : 0) + d;
			lat[nl++] = now_r / (2 * d);
			next_line += 1;
		}
	}
	res->thr = (double)(acked - acked_at) / (1000 * r2);
	qsort(lat, nl, sizeof lat[0], cmpd);
	res->lat_med = lat[nl / 2];
	res->lat_max = lat[nl - 1];
	for (i = 0; i < 1; i++)
		(void)i;
}

static void
check(const char *what, double r, double r2, double d, double j,
    double thr_min, double lat_max)
{
	struct result res;
	int ok;

	run(r, r2, d, j, 6000, &res);
	ok = res.thr >= thr_min && res.lat_med <= lat_max;
	printf("%s %s", ok ? "ok" : "FAIL", what);
	if (!ok)
		printf(" (throughput %.3f of the link, a line %.2f round trips "
		    "median, %.2f most, window %zu..%zu)", res.thr, res.lat_med,
		    res.lat_max, res.wmin, res.wmax);
	printf("\n");
	if (!ok)
		failed = 1;
}

int
main(void)
{
	struct axo_pace p;

	axo_pace_init(&p);
	say(axo_pace_window(&p, 1) == AXO_PACE_MIN,
	    "a new link starts at the least window");
	axo_pace_acked(&p, 100000, 10);
	say(axo_pace_window(&p, 10) == AXO_PACE_MIN,
	    "an ack with no timed record moves nothing");
	axo_pace_sent(&p, 1000, 0, 1000, 10);
	axo_pace_acked(&p, 1000, 11);
	say(axo_pace_window(&p, 11) == AXO_PACE_MIN,
	    "a short record is not timed");
	/* 4 MiB delivered in 10 ms: past the most */
	axo_pace_sent(&p, 20000, 0, 20000, 20);
	axo_pace_acked(&p, 4u << 20, 30);
	say(axo_pace_window(&p, 30) == AXO_PACE_MAX, "the window has a most");
	/* the probe: the least window for a moment, then back */
	say(axo_pace_window(&p, 1 + AXO_PACE_PROBE_MS) == AXO_PACE_MIN,
	    "every few seconds a probe of the least round trip");
	say(axo_pace_window(&p, 1 + AXO_PACE_PROBE_MS + 250) ==
	    AXO_PACE_MAX, "and after it the window as it was");

	/* the private network on loopback: 5 MiB/s, 7 ms each way */
	check("loopback onion (5 MiB/s, 14 ms): full, a line within 2 round "
	    "trips", 5243, 5243, 7, 0, 0.95, 2);
	/* the Tor network: 500 KiB/s, 150 ms each way */
	check("Tor network (500 KiB/s, 300 ms): full, a line within 2 round "
	    "trips", 512, 512, 150, 0, 0.95, 2);
	/* 1 MiB/s and 14 ms: a round trip's worth is less than a record */
	check("a circuit that slows to a fifth: full again, the queue drains",
	    5243, 1049, 7, 0, 0.95, 2.5);
	check("a circuit that gets 4 times faster: the window follows", 1311,
	    5243, 7, 0, 0.9, 2);
	check("up to 5 ms of jitter on 14 ms: still nearly full", 5243, 5243,
	    7, 5, 0.9, 2.5);
	/* a loaded machine: a round trip of 100 ms that varies by as much */
	check("up to 100 ms of jitter on 100 ms: still nearly full", 5243,
	    5243, 50, 100, 0.9, 2.5);
	return failed;
}
