/* SPDX-License-Identifier: GPL-2.0-only */
/* records.c: a run of ratchet records: the armor, opened all or nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <textcode.h>

#include "ratchet.h"
#include "records.h"

char *
axo_records_armor(const unsigned char *rec, size_t len, size_t *outlen)
{
	char *line;
	size_t n;

	line = malloc(fmt_base64(NULL, NULL, len) + 1);
	if (line == NULL)
		return NULL;
	n = fmt_base64(line, (const char *)rec, len);
	line[n++] = '\n';
	*outlen = n;
	return line;
}

size_t
axo_records_unarmor(unsigned char *in, size_t len, unsigned char *bin)
{
	size_t i = 0, j, blen = 0, got, used;

	while (i < len) {
		for (j = i; j < len && in[j] != '\n'; j++)
			;
		if (j > i && in[j - 1] == '\r')
			in[j - 1] = '\n';
		if (j > i) {
			used = scan_base64((const char *)in + i,
			    (char *)bin + blen, &got);
			if (i + used < j && in[i + used] != '\n')
				return (size_t)-1;
			blen += got;
		}
		i = j + 1;
	}
	return blen;
}

/*
 * One record of wrap's stream, opened at pt + *ptoff: ACK and RESUME
 * give nothing, STREAM its bytes past those already taken (*pos, the
 * stream position; -1 before the first), so that what was sent again
 * after a new link comes out once.  0, or -AXO_RATCHET_EBODY for a
 * malformed record or a gap.
 */
static int
stream_bytes(unsigned char *pt, size_t *ptoff, size_t dlen, int type,
    int64_t *pos)
{
	unsigned char *d = pt + *ptoff;
	uint64_t o = 0, skip;
	size_t n;
	int i;

	if (type != AXO_FRAME_STREAM)
		return dlen == 8 ? 0 : -AXO_RATCHET_EBODY;
	if (dlen < 17 || (d[16] & ~1) != 0 || ((d[16] & 1) && dlen != 17))
		return -AXO_RATCHET_EBODY;
	for (i = 8; i < 16; i++)
		o = o << 8 | d[i];
	if (*pos == -1)
		*pos = (int64_t)o;
	if (o > (uint64_t)*pos)
		return -AXO_RATCHET_EBODY;
	n = dlen - 17;
	if (d[16] & 1) {
		sodium_memzero(d, dlen);
		return 0;
	}
	skip = (uint64_t)*pos - o;
	if (skip < n) {
		memmove(d, d + 17 + skip, n - (size_t)skip);
		*ptoff += n - (size_t)skip;
		*pos += (int64_t)(n - skip);
	}
	sodium_memzero(pt + *ptoff, dlen - (skip < n ? n - (size_t)skip : 0));
	return 0;
}

int
axo_records_open(struct axo_ratchet *r, const unsigned char *in,
    size_t len, unsigned char *pt, size_t *ptlen, size_t *nrec)
{
	size_t off, rlen, ptoff = 0, dlen;
	int64_t pos = -1;
	int rc = 0, type;

	*nrec = 0;
	for (off = 0; off < len; off += rlen) {
		(*nrec)++;
		rlen = len - off < 2 ? 0 : axo_frame_peek(in + off);
		if (rlen == 0 || rlen > len - off)
			return 1;
		rc = axo_frame_open(r, pt + ptoff, &dlen, &type, in + off,
		    rlen);
		if (rc != 0)
			return rc;
		/* END (type 1) carries nothing: its key is used, no output */
		if (type == AXO_FRAME_DATA)
			ptoff += dlen;
		/* a recording of wrap's stream gives its bytes, once each */
		else if (type != AXO_FRAME_END &&
		    (rc = stream_bytes(pt, &ptoff, dlen, type, &pos)) != 0)
			return rc;
	}
	*ptlen = ptoff;
	return 0;
}
