/* SPDX-License-Identifier: GPL-2.0-only */
#include <string.h>
#ifdef PACE_DEBUG
#include <stdio.h>
#endif

#include "pace.h"

void
axo_pace_init(struct axo_pace *p)
{
	memset(p, 0, sizeof *p);
	p->cwnd = AXO_PACE_INIT;
	p->slow = 1;
}

void
axo_pace_sent(struct axo_pace *p, uint64_t end, size_t n, long long now)
{
	unsigned i;

	if (n < AXO_PACE_SAMPLE_MIN || p->n == AXO_PACE_RECS)
		return;
	/* a record sent again after a new link is timed anew */
	if (p->n > 0 && p->rec[(p->head + p->n - 1) % AXO_PACE_RECS].end >= end)
		p->n = 0;
	i = (p->head + p->n) % AXO_PACE_RECS;
	p->rec[i].end = end;
	p->rec[i].t = now;
	p->n++;
}

/* The least round trip of the last AXO_PACE_BASE_MS to twice that. */
static long long
base(struct axo_pace *p, long long rtt, long long now)
{
	if (p->base_cur == 0 || now - p->base_since >= AXO_PACE_BASE_MS) {
		p->base_prev = p->base_cur;
		p->base_cur = rtt;
		p->base_since = now;
	} else if (rtt < p->base_cur)
		p->base_cur = rtt;
	if (p->base_prev > 0 && p->base_prev < p->base_cur)
		return p->base_prev;
	return p->base_cur;
}

void
axo_pace_acked(struct axo_pace *p, uint64_t old, uint64_t a, long long now)
{
	long long t = -1, b, q, target;
	double acked, off;
	unsigned i;

	if (a <= old)
		return;
	while (p->n > 0 && p->rec[p->head].end <= a) {
		t = p->rec[p->head].t;
		p->head = (p->head + 1) % AXO_PACE_RECS;
		p->n--;
	}
	if (t < 0)
		return;
	/* the clock counts milliseconds: a round trip is at least one */
	p->rtt = now - t > 0 ? now - t : 1;
	b = base(p, p->rtt, now);
	p->cur[p->ncur++ % AXO_PACE_CUR] = p->rtt;
	q = p->rtt;
	for (i = 0; i < AXO_PACE_CUR && i < p->ncur; i++)
		if (p->cur[i] < q)
			q = p->cur[i];
	q -= b;
	target = b > AXO_PACE_TARGET_MIN ? b : AXO_PACE_TARGET_MIN;
	acked = (double)(a - old);
	if (p->slow && q > target)
		p->slow = 0;
	if (p->slow)
		p->cwnd += acked;
	else if (q <= target) {
		/* up to a quarter more a round trip, less near the target */
		off = (double)(target - q) / (double)target;
		p->cwnd += 0.25 * off * acked;
	} else {
		/* up to half less a round trip, in proportion above it */
		off = (double)(q - target) / (double)target;
		p->cwnd -= 0.25 * (off < 1 ? off : 1) * acked;
	}
	if (p->cwnd < AXO_PACE_MIN)
		p->cwnd = AXO_PACE_MIN;
	if (p->cwnd > AXO_PACE_MAX)
		p->cwnd = AXO_PACE_MAX;
#ifdef PACE_DEBUG
	fprintf(stderr, "pace %lld rtt %lld base %lld acked %.0f cwnd %.0f%s\n",
	    now, p->rtt, b, acked, p->cwnd, p->slow ? " slow" : "");
#endif
}

size_t
axo_pace_window(const struct axo_pace *p)
{
	return (size_t)p->cwnd;
}
