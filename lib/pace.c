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
}

void
axo_pace_sent(struct axo_pace *p, uint64_t end, uint64_t dlv, size_t n,
    long long now)
{
	unsigned i;

	if (n < AXO_PACE_SAMPLE_MIN || p->n == AXO_PACE_RECS)
		return;
	/* a record sent again after a new link is timed anew */
	if (p->n > 0 && p->rec[(p->head + p->n - 1) % AXO_PACE_RECS].end >= end)
		p->n = 0;
	i = (p->head + p->n) % AXO_PACE_RECS;
	p->rec[i].end = end;
	p->rec[i].dlv = dlv;
	p->rec[i].t = now;
	p->n++;
}

void
axo_pace_acked(struct axo_pace *p, uint64_t a, long long now)
{
	long long t = -1;
	uint64_t dlv = 0;
	double rate;

	while (p->n > 0 && p->rec[p->head].end <= a) {
		t = p->rec[p->head].t;
		dlv = p->rec[p->head].dlv;
		p->head = (p->head + 1) % AXO_PACE_RECS;
		p->n--;
	}
	if (t < 0 || a <= dlv)
		return;
	/* the clock counts milliseconds: a round trip is at least one */
	p->rtt = now - t > 0 ? now - t : 1;
	rate = (double)(a - dlv) / (double)p->rtt;
	if (p->bw_since == 0 || now - p->bw_since >= AXO_PACE_BW_MS) {
		p->bw_prev = p->bw_cur;
		p->bw_cur = rate;
		p->bw_since = now;
	} else if (rate > p->bw_cur)
		p->bw_cur = rate;
	if (p->rtt_cur == 0 || p->rtt < p->rtt_cur)
		p->rtt_cur = p->rtt;
#ifdef PACE_DEBUG
	fprintf(stderr, "pace %lld rtt %lld rate %.0f\n", now, p->rtt, rate);
#endif
}

size_t
axo_pace_window(struct axo_pace *p, long long now)
{
	long long rtt;
	double bw, w;

	if (p->probe_at == 0)
		p->probe_at = now + AXO_PACE_PROBE_MS;
	if (p->probe_until == 0 && now >= p->probe_at) {
		/* the least round trip from here on, and of the epoch before */
		rtt = p->rtt_cur ? p->rtt_cur : 100;
		p->probe_until = now + (2 * rtt > 200 ? 2 * rtt : 200);
		p->rtt_prev = p->rtt_cur;
		p->rtt_cur = 0;
	}
	if (p->probe_until != 0) {
		if (now < p->probe_until)
			return AXO_PACE_MIN;
		p->probe_until = 0;
		p->probe_at = now + AXO_PACE_PROBE_MS;
	}
	rtt = p->rtt_cur;
	if (rtt == 0 || (p->rtt_prev != 0 && p->rtt_prev < rtt))
		rtt = p->rtt_prev;
	bw = p->bw_cur > p->bw_prev ? p->bw_cur : p->bw_prev;
	w = AXO_PACE_GAIN * bw * (double)rtt;
	if (w < AXO_PACE_MIN)
		return AXO_PACE_MIN;
	if (w > AXO_PACE_MAX)
		return AXO_PACE_MAX;
	return (size_t)w;
}
