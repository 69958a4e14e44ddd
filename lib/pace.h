/* SPDX-License-Identifier: GPL-2.0-only */
/* pace.h: how much of a stream may be on its way over a link (axo-ratchet wrap). */
#ifndef AXO_PACE_H
#define AXO_PACE_H

#include <stddef.h>
#include <stdint.h>

/*
 * pace.c: a delay-based window for axo-ratchet wrap, in the spirit of
 * LEDBAT (RFC 6817).  Tor takes what we write as fast as the socket
 * lets it and queues it in its circuit: a line typed during a transfer
 * waited 200 ms there behind the file.  So wrap keeps at most the
 * window unacknowledged (sent, the peer's ack not yet back), and the
 * window follows the round trips of records: the least round trip of
 * the last seconds is the link's own delay ("base"), and the least of
 * the last AXO_PACE_CUR (the current delay; one late ack is noise on a
 * busy machine, not a queue) above it a queue; the window grows while
 * the queue stays under the target (the base, at least
 * AXO_PACE_TARGET_MIN ms) and shrinks in proportion while above, at
 * most by half a round trip.  A new link
 * starts afresh, doubling each round trip until a queue shows.
 *
 * sent: a record of n bytes of data took the stream to end at now (only
 * records of AXO_PACE_SAMPLE_MIN bytes or more are timed: the peer acks
 * them at once, smaller ones may wait for its ack timer); acked: the
 * peer's ack moved from old to a at now; window: the bytes that may be
 * unacknowledged.
 */
#define AXO_PACE_RECS		512
#define AXO_PACE_SAMPLE_MIN	8192
#define AXO_PACE_MIN		(16u << 10)
#define AXO_PACE_INIT		(64u << 10)
#define AXO_PACE_MAX		(4u << 20)
#define AXO_PACE_TARGET_MIN	5	/* ms */
#define AXO_PACE_BASE_MS	5000	/* each half of the base's memory */
#define AXO_PACE_CUR		4	/* the current delay: the least of these */

struct axo_pace {
	struct {
		uint64_t end;
		long long t;
	} rec[AXO_PACE_RECS];
	unsigned head, n;
	long long base_cur, base_prev, base_since;
	long long cur[AXO_PACE_CUR];	/* the last round trips */
	unsigned ncur;
	double cwnd;
	int slow;
	long long rtt;		/* the last sample, for a look in a debugger */
};

void axo_pace_init(struct axo_pace *p);
void axo_pace_sent(struct axo_pace *p, uint64_t end, size_t n, long long now);
void axo_pace_acked(struct axo_pace *p, uint64_t old, uint64_t a,
    long long now);
size_t axo_pace_window(const struct axo_pace *p);

#endif
