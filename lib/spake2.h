/* SPDX-License-Identifier: GPL-2.0-only */
/* spake2.h: symmetric SPAKE2 on Ed25519, python-spake2 compatible. */
#ifndef AXO_SPAKE2_H
#define AXO_SPAKE2_H

#include <stddef.h>

/*
 * spake2.c: symmetric SPAKE2 on Ed25519 as python-spake2 0.8 does it
 * (shared reference wormhole-protocol.md 6.2).  start: pw is the whole
 * code, id the appid; entropy is 64 bytes read big-endian as python's
 * entropy_f(64), or NULL for randombytes (only tests pass it).  msg is
 * 'S' || X*.  finish: 0 and the 32-byte key, or AXO_SPAKE2_EBAD (not a
 * symmetric message, not a valid point) or AXO_SPAKE2_EREFLECT (our own
 * message came back).  The struct holds secrets: put it in axo_xmalloc
 * memory and wipe it.
 */
#define AXO_SPAKE2_MSGLEN	33
#define AXO_SPAKE2_EBAD		(-1)
#define AXO_SPAKE2_EREFLECT	(-2)
struct axo_spake2 {
	unsigned char pw[32];		/* password scalar, little-endian */
	unsigned char x[32];		/* our secret scalar */
	unsigned char xs[32];		/* X*, our element */
	unsigned char pwhash[32];	/* SHA256(pw) */
	unsigned char idhash[32];	/* SHA256(idSymmetric) */
};
int axo_spake2_start(struct axo_spake2 *s, const unsigned char *pw,
    size_t pwlen, const unsigned char *id, size_t idlen,
    const unsigned char entropy[64], unsigned char msg[AXO_SPAKE2_MSGLEN]);
int axo_spake2_finish(struct axo_spake2 *s, const unsigned char *msg,
    size_t len, unsigned char key[32]);
void axo_spake2_wipe(struct axo_spake2 *s);
/* 1 when p is the canonical encoding of an Ed25519 point of the
 * prime-order subgroup other than the identity (finish's check of Y*) */
int axo_spake2_element_ok(const unsigned char p[32]);

#endif
