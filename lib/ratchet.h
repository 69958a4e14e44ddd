/* SPDX-License-Identifier: GPL-2.0-only */
/* ratchet.h: the Double Ratchet and its records on the wire (axo-ratchet). */
#ifndef AXO_RATCHET_H
#define AXO_RATCHET_H

#include <stddef.h>
#include <stdint.h>

/*
 * ratchet.c: the Double Ratchet with header encryption (Signal DR spec,
 * revision 1, §3 and §4), X25519, KDF_RK = HKDF-SHA256, KDF_CK =
 * HMAC-SHA256 with 0x01/0x02, XChaCha20-Poly1305 with random nonces for
 * headers and bodies, AD = the session id.  axotor(7) has every byte.
 */
#define AXO_RATCHET_MAX_SKIP	1000	/* keys skipped in one chain, §3.5 */
#define AXO_RATCHET_MAX_STORED	1000	/* skipped keys kept at most, §6.4 */
#define AXO_RATCHET_KEEP_STEPS	4	/* DH steps a skipped key survives:
					 * stored at s, gone at s + 5 */
#define AXO_RATCHET_HDR		40	/* header: dh 32, pn 4, n 4 */
#define AXO_RATCHET_EHDR	80	/* nonce 24, header 40, tag 16 */
#define AXO_RATCHET_OVERHEAD	(AXO_RATCHET_EHDR + 24 + 16)
#define AXO_RATCHET_KEYFILE	72	/* magic 8, secret key 32, public 32 */

struct axo_ratchet_skipped {
	unsigned char hk[32];
	uint32_t n;
	uint32_t step;		/* the receive step it was stored in */
	unsigned char mk[32];
};

/* The part of the state that one decryption replaces as a whole. */
struct axo_ratchet_core {
	unsigned char sid[32];	/* session id: AD of every AEAD */
	unsigned char role;	/* 0 alice (sends first), 1 bob */
	unsigned char flags;	/* AXO_RATCHET_HAVE_* */
	unsigned char dhs_sk[32], dhs_pk[32], dhr[32];
	unsigned char rk[32], cks[32], ckr[32];
	unsigned char hks[32], hkr[32], nhks[32], nhkr[32];
	uint32_t ns, nr, pn;
	uint32_t step;		/* DH ratchet steps taken on receipt */
};

struct axo_ratchet {
	struct axo_ratchet_core c;
	uint32_t nskipped;	/* oldest first */
	struct axo_ratchet_skipped skipped[AXO_RATCHET_MAX_STORED];
	/* scratch for one decryption, never saved */
	uint32_t nfresh;
	struct axo_ratchet_skipped fresh[2 * AXO_RATCHET_MAX_SKIP];
};
#define AXO_RATCHET_HAVE_DHR	0x01
#define AXO_RATCHET_HAVE_CKS	0x02
#define AXO_RATCHET_HAVE_CKR	0x04
#define AXO_RATCHET_HAVE_HKS	0x08
#define AXO_RATCHET_HAVE_HKR	0x10
#define AXO_RATCHET_IN_WRAP	0x80	/* the marker state of a running wrap */
#define AXO_RATCHET_STATE_FIXED	384
#define AXO_RATCHET_STATE_MAX	(AXO_RATCHET_STATE_FIXED + \
	AXO_RATCHET_MAX_STORED * 72)

/* Errors of axo_ratchet_decrypt, as negative numbers. */
#define AXO_RATCHET_EAUTH	1	/* does not authenticate (or replay) */
#define AXO_RATCHET_ESKIP	2	/* more than MAX_SKIP messages skipped */
#define AXO_RATCHET_EBODY	3	/* authentic, but a bad padding or type */

/* A new X25519 key pair as a key file (keygen). */
void axo_ratchet_keygen(unsigned char key[AXO_RATCHET_KEYFILE]);
/* The public key of a key file; -1 if it is not one. */
int axo_ratchet_keyfile_pub(const unsigned char *key, size_t len,
    unsigned char pub[32]);
/*
 * Initialise from the 32-byte session key sk.  alice needs bob's public
 * key (peer); bob his own key file (key, len).  -1 on a bad key file or a
 * low-order peer key.
 */
int axo_ratchet_init_alice(struct axo_ratchet *r, const unsigned char sk[32],
    const unsigned char peer[32]);
int axo_ratchet_init_bob(struct axo_ratchet *r, const unsigned char sk[32],
    const unsigned char *key, size_t len);
/* 1 when a message can be sent: bob has to hear from alice first. */
int axo_ratchet_can_send(const struct axo_ratchet *r);
/*
 * Encrypt pt (ptlen bytes, the padded body) into out, which takes
 * AXO_RATCHET_OVERHEAD + ptlen bytes.  The caller checks can_send.
 */
void axo_ratchet_encrypt(struct axo_ratchet *r, unsigned char *out,
    const unsigned char *pt, size_t ptlen);
/*
 * Decrypt in (inlen bytes: encrypted header and body) into pt, which
 * takes inlen - AXO_RATCHET_OVERHEAD bytes.  0, or -AXO_RATCHET_E*; on
 * an error r is unchanged and pt holds nothing.
 */
int axo_ratchet_decrypt(struct axo_ratchet *r, unsigned char *pt,
    const unsigned char *in, size_t inlen);
/* Serialise into buf (AXO_RATCHET_STATE_MAX bytes): the length. */
size_t axo_ratchet_save(const struct axo_ratchet *r, unsigned char *buf);
/* Parse and check a state: 0, 1 for the marker of a wrap (only sid and
 * role set), or -1 when it is not a valid state. */
int axo_ratchet_load(struct axo_ratchet *r, const unsigned char *buf,
    size_t len);
/* The marker of r: AXO_RATCHET_STATE_FIXED bytes into buf. */
size_t axo_ratchet_mark(const struct axo_ratchet *r, unsigned char *buf);

/*
 * frame.c: records on the wire.  A record is a 2-byte length, then the
 * ratchet message; its whole size is one of the buckets, 498 (Tor's relay
 * cell payload) times 1, 2, 4, ..., 128, so that lengths leak only the
 * bucket.  The body is a type byte, the data, and ISO/IEC 7816-4 padding
 * (sodium_pad) to the bucket.
 */
#define AXO_FRAME_CELL		498
#define AXO_FRAME_MAX		(AXO_FRAME_CELL * 128)	/* 63744 */
#define AXO_FRAME_MAXBODY	(AXO_FRAME_MAX - 2 - AXO_RATCHET_OVERHEAD)
#define AXO_FRAME_MAXDATA	(AXO_FRAME_MAXBODY - 2)	/* 63620 */
#define AXO_FRAME_DATA		0	/* type: data (one-shot) */
#define AXO_FRAME_END		1	/* type: end of stream (one-shot) */
#define AXO_FRAME_STREAM	2	/* wrap: ack, offset, flags, data */
#define AXO_FRAME_ACK		3	/* wrap: ack (and keepalive) */
#define AXO_FRAME_RESUME	4	/* wrap: ack, first on a link */
#define AXO_FRAME_TYPE_MAX	4

/* The whole record size for len data bytes (0 when too large). */
size_t axo_frame_size(size_t len);
/* Seal type and data into one record at out (axo_frame_size(len)
 * bytes; data may lie inside out). */
size_t axo_frame_seal(struct axo_ratchet *r, unsigned char *out, int type,
    const unsigned char *data, size_t len);
/*
 * The size of the record starting at in, from its 2-byte prefix: 0 if
 * the prefix is not a bucket (then the stream is not ours).
 */
size_t axo_frame_peek(const unsigned char in[2]);
/*
 * Open the record in (inlen bytes, from axo_frame_peek).  On success
 * returns 0 with *type and the data at out (AXO_FRAME_MAXBODY bytes),
 * *len set; else -AXO_RATCHET_E*, and r is unchanged, but for EBODY: a
 * record that authenticates with a bad padding or type.
 */
int axo_frame_open(struct axo_ratchet *r, unsigned char *out, size_t *len,
    int *type, const unsigned char *in, size_t inlen);

#endif
