/* SPDX-License-Identifier: GPL-2.0-only */
/* pace.h: how much of a stream may be on its way over a link (axo-ratchet wrap). */
#ifndef AXO_PACE_H
#define AXO_PACE_H

#include <stddef.h>
#include <stdint.h>

/*
 * pace.c: the window of axo-ratchet wrap, as BBR keeps its congestion
 * window (BBR, draft-cardwell-iccrg-bbr-congestion-control).  Tor takes
 * what we write as fast as the socket lets it and queues it in its
 * circuit: a line typed during a transfer waited 200 ms there behind the
 * file.  So wrap keeps at most the window unacknowledged (sent, the
 * peer's ack not yet back), and the window is AXO_PACE_GAIN times the
 * link's bandwidth-delay product: the most the peer's acks showed
 * delivered per millisecond in the last 1-2 s, times the least round
 * trip of a record since the probe before the last.  Every
 * AXO_PACE_PROBE_MS the window drops to AXO_PACE_MIN for a moment (two
 * round trips, 200 ms at least), so that the least round trip is seen
 * with our own queue drained.  A late ack (a busy machine, a slow relay)
 * does not shrink the window, as it would a window that follows delay:
 * a first version that did (LEDBAT, RFC 6817) collapsed to 16 KiB on
 * this loaded machine, 96 s for a 50 MiB file that took 10 s before.
 * A new link starts afresh at AXO_PACE_MIN, about doubling each round
 * trip.
 *
 * sent: a record of n bytes of data took the stream to end at now, the
 * peer's ack then at dlv (only records of AXO_PACE_SAMPLE_MIN bytes or
 * more are timed: the peer acks them at once, smaller ones may wait for
 * its ack timer); acked: the peer's ack moved to a at now; window: the
 * bytes that may be unacknowledged at now.
 */
#define AXO_PACE_RECS		512
#define AXO_PACE_SAMPLE_MIN	8192
#define AXO_PACE_MIN		(32u << 10)
#define AXO_PACE_MAX		(4u << 20)
#define AXO_PACE_GAIN		2.0
#define AXO_PACE_BW_MS		1000	/* each half of the bandwidth's memory */
#define AXO_PACE_PROBE_MS	8000

struct axo_pace {
	struct {
		uint64_t end, dlv;
		long long t;
	} rec[AXO_PACE_RECS];
	unsigned head, n;
	double bw_cur, bw_prev;		/* bytes a ms */
	long long bw_since;
	long long rtt_cur, rtt_prev;	/* ms, 0 for none yet */
	long long probe_at, probe_until;
	long long rtt;			/* the last sample */
};

void axo_pace_init(struct axo_pace *p);
void axo_pace_sent(struct axo_pace *p, uint64_t end, uint64_t dlv, size_t n,
    long long now);
void axo_pace_acked(struct axo_pace *p, uint64_t a, long long now);
size_t axo_pace_window(struct axo_pace *p, long long now);

#endif
