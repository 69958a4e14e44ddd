/* SPDX-License-Identifier: GPL-2.0-only */
/* records.h: a run of ratchet records as axo-ratchet's filters read and
 * write them: armored or not, opened all or nothing. */
#ifndef AXO_RECORDS_H
#define AXO_RECORDS_H

#include <stddef.h>

#include "ratchet.h"

/*
 * records.c: what encrypt writes and decrypt reads (axo-ratchet(1)).
 *
 * axo_records_armor: the record (its two-byte length prefix included)
 * as one line of padded base64 (RFC 4648 section 4) and a LF, in plain
 * malloc'd memory (a record is no secret) of *outlen bytes; NULL when
 * none can be had.
 */
char *axo_records_armor(const unsigned char *rec, size_t len, size_t *outlen);
/*
 * axo_records_unarmor: armored input, one base64 record a line, CR LF
 * and blank lines taken, into bin (len bytes of room); in is changed
 * (a CR becomes a LF).  The length, or (size_t)-1 for any other byte.
 */
size_t axo_records_unarmor(unsigned char *in, size_t len, unsigned char *bin);
/*
 * axo_records_open: opens the records of in (len bytes) in order with
 * r, and puts what they carry in pt (len + AXO_FRAME_MAXBODY bytes of
 * secure memory), *ptlen bytes: a DATA record its data, END nothing, a
 * recording of wrap's stream (axotor(7) "The stream of wrap": STREAM,
 * ACK, RESUME) each byte of the stream once, however often it was sent
 * again after a new link.  Returns 0; else *nrec is the number of the
 * record that failed (from 1) and the return is 1 for a record cut
 * short or with a bad length, or -AXO_RATCHET_E* (EBODY also for a
 * malformed stream record or a gap in the stream).  On failure r may
 * have moved: the caller commits nothing, and releases nothing.
 */
int axo_records_open(struct axo_ratchet *r, const unsigned char *in,
    size_t len, unsigned char *pt, size_t *ptlen, size_t *nrec);

#endif
