/* SPDX-License-Identifier: GPL-2.0-only */
/* wrap.h: the session keeper of "axo-ratchet wrap". */
#ifndef AXO_WRAP_H
#define AXO_WRAP_H

#include <sys/types.h>

#include "ratchet.h"

/*
 * wrap.c: runs argv with its fds 6/7 on plaintext pipes and carries that
 * one stream, as ratchet records, over whichever network link is live
 * (axotor(7) "THE STREAM OF WRAP").  The first link is fds 6/7, or,
 * with stream_fd, the first that listen_fd or dial brings (fds 6/7 are
 * then the child's, untouched, and the stream is on stream_fd and the
 * fd after it: a second stream beside the first, axotor's for files).  With
 * listen_fd (a listening unix socket) or dial (a link program that
 * hands a connected socket over its fd 7) and reconnect > 0, a link that
 * dies is replaced: what the peer has not acknowledged is sent again as
 * new records, and the child sees one unbroken stream.  Returns the exit
 * code for the program; the caller saves the state.
 */
#define AXO_WRAP_KEEPALIVE	10	/* s: keepalive; 3 times that: dead */
#define AXO_WRAP_RECONNECT	600	/* s without a link before giving up */
#define AXO_WRAP_SEND_MAX	(4u << 20)	/* unacknowledged bytes kept */
#define AXO_WRAP_DIAL_FD	7	/* the link program's pass socket */
/*
 * A bulk record: 32 cells (15936 bytes) on the wire, of which the stream's
 * bytes are what the ratchet's framing (124) and wrap's header (ack,
 * offset, flags: 17) leave.  A child that writes in pieces of this size
 * fills every record it sends; smaller records than 128 cells keep less
 * sealed ahead of a line the child writes next.
 */
#define AXO_WRAP_RECORD_CELLS	32
#define AXO_WRAP_RECORD_DATA	(AXO_FRAME_CELL * AXO_WRAP_RECORD_CELLS - \
	(AXO_FRAME_MAX - AXO_FRAME_MAXDATA) - 17)

struct axo_wrap_opts {
	int listen_fd;		/* -l: accept new links here, or -1 */
	long peer_uid;		/* -u: tor's uid may connect there too, or -1 */
	char *const *dial;	/* -D: the link program, or NULL */
	unsigned reconnect;	/* -R: seconds; 0 = the first link only */
	unsigned keepalive;	/* -k: seconds; 0 = no keepalive */
	int events_fd;		/* -E: the child's fd for link events, or -1 */
	int stream_fd;		/* -F: the child's stream on it and the next
				 * fd, no first link; or -1 (6/7) */
	int theirs[2];		/* -F: fds 6, 7 were open at our start: the
				 * child's, none of ours */
	pid_t watch_pid;	/* -P: our tor; its end ends the session */
	const int *close_fds;	/* closed in the child (the state fds) */
	int nclose;
};

int axo_wrap_run(struct axo_ratchet *r, char *const argv[],
    const struct axo_wrap_opts *o);

#endif
