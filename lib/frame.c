/* SPDX-License-Identifier: GPL-2.0-only */
/* frame.c: ratchet records on the wire, padded to fixed buckets. */
#include <string.h>

#include <sodium.h>

#include "ratchet.h"

/*
 * A record's size is 498 << k bytes, k = 0..7: one Tor relay cell
 * payload (tor-spec §6.1, RELAY_PAYLOAD_SIZE) and its doublings, so a
 * record never leaks more than which bucket it filled.  The prefix holds
 * the size of what follows it.
 */
static size_t
bucket(size_t need)
{
	size_t b;

	for (b = AXO_FRAME_CELL; b <= AXO_FRAME_MAX; b *= 2)
		if (need <= b)
			return b;
	return 0;
}

size_t
axo_frame_size(size_t len)
{
	if (len > AXO_FRAME_MAXDATA)
		return 0;
	/* prefix, overhead, type byte, data, at least one padding byte */
	return bucket(2 + AXO_RATCHET_OVERHEAD + 1 + len + 1);
}

size_t
axo_frame_seal(struct axo_ratchet *r, unsigned char *out, int type,
    const unsigned char *data, size_t len)
{
	size_t size, body;
	unsigned char *pt;

	size = axo_frame_size(len);
	body = size - 2 - AXO_RATCHET_OVERHEAD;
	/* The padded body is built where its ciphertext goes, and sealed
	 * in place (libsodium's AEAD allows it): no second buffer. */
	pt = out + 2 + AXO_RATCHET_EHDR + 24;
	pt[0] = (unsigned char)type;
	memmove(pt + 1, data, len);
	/* ISO/IEC 7816-4 padding, as sodium_pad writes it; sodium_pad
	 * itself walks the whole bucket in constant time, which costs a
	 * 64 KiB record 40% of its throughput and protects nothing here:
	 * the length is the sender's own. */
	pt[1 + len] = 0x80;
	memset(pt + 2 + len, 0, body - 2 - len);
	out[0] = (size - 2) >> 8;
	out[1] = (size - 2) & 0xff;
	axo_ratchet_encrypt(r, out + 2, pt, body);
	return size;
}

size_t
axo_frame_peek(const unsigned char in[2])
{
	size_t n = (size_t)in[0] << 8 | in[1];

	if (bucket(n + 2) != n + 2)
		return 0;
	return n + 2;
}

int
axo_frame_open(struct axo_ratchet *r, unsigned char *out, size_t *len,
    int *type, const unsigned char *in, size_t inlen)
{
	size_t body, unpadded;
	int rc;

	if (inlen < 2 || axo_frame_peek(in) != inlen)
		return -AXO_RATCHET_EAUTH;
	body = inlen - 2 - AXO_RATCHET_OVERHEAD;
	rc = axo_ratchet_decrypt(r, out, in + 2, inlen - 2);
	if (rc != 0)
		return rc;
	/* Authenticated, so padding and type were written by the peer's
	 * axo-ratchet: a bad one is a broken peer, reported as such.  The
	 * plaintext is authentic, so its length may be found in variable
	 * time: from the end, to the 0x80. */
	for (unpadded = body; unpadded > 0 && out[unpadded - 1] == 0;
	    unpadded--)
		;
	if (unpadded < 2 || out[--unpadded] != 0x80 ||
	    out[0] > AXO_FRAME_TYPE_MAX) {
		sodium_memzero(out, body);
		return -AXO_RATCHET_EBODY;
	}
	*type = out[0];
	*len = unpadded - 1;
	memmove(out, out + 1, *len);
	return 0;
}
