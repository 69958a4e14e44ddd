/* SPDX-License-Identifier: GPL-2.0-only */
/* spake2.c: symmetric SPAKE2 on Ed25519, bit-compatible with python-spake2 0.8. */
#include <string.h>

#include <sodium.h>

#include "hkdf.h"
#include "spake2.h"

/*
 * The blinding element S of symmetric mode: python-spake2 params.py
 * ParamsEd25519, arbitrary_element(b"symmetric") (shared reference
 * wormhole-protocol.md section 6.2; checked by t/axo-pake.bats through
 * the vectors, since every message depends on it).
 */
static const unsigned char S_ELEM[32] = {
	0x6f, 0x00, 0xda, 0xe8, 0x7c, 0x1b, 0xe1, 0xa7,
	0x3b, 0x59, 0x22, 0xef, 0x43, 0x1c, 0xd8, 0xf5,
	0x78, 0x79, 0x56, 0x9c, 0x22, 0x2d, 0x22, 0xb1,
	0xcd, 0x71, 0xe8, 0x54, 0x6a, 0xb8, 0xe6, 0xf1,
};

/*
 * python-spake2 reads integers big-endian (util.py bytes_to_number) and
 * reduces them mod L; libsodium's reduce wants 64 little-endian bytes.
 */
static void
scalar_from_be(unsigned char out[32], const unsigned char *be, size_t len)
{
	unsigned char le[64];
	size_t i;

	memset(le, 0, sizeof le);
	for (i = 0; i < len; i++)
		le[i] = be[len - 1 - i];
	crypto_core_ed25519_scalar_reduce(out, le);
	sodium_memzero(le, sizeof le);
}

int
axo_spake2_start(struct axo_spake2 *s, const unsigned char *pw, size_t pwlen,
    const unsigned char *id, size_t idlen, const unsigned char entropy[64],
    unsigned char msg[AXO_SPAKE2_MSGLEN])
{
	unsigned char okm[48], rnd[64], xb[32], ps[32];
	int r = -1;

	/* groups.py password_to_scalar: HKDF(b"", pw, b"SPAKE2 pw", 48). */
	if (axo_hkdf(okm, sizeof okm, NULL, 0, pw, pwlen,
	    (const unsigned char *)"SPAKE2 pw", 9) != 0)
		goto out;
	scalar_from_be(s->pw, okm, sizeof okm);
	/* groups.py random_scalar: int_BE(entropy_f(64)) mod L. */
	if (entropy != NULL)
		memcpy(rnd, entropy, sizeof rnd);
	else
		randombytes_buf(rnd, sizeof rnd);
	scalar_from_be(s->x, rnd, sizeof rnd);
	/* spake2.py compute_outbound_message: X* = x*B + pw*S. */
	if (crypto_scalarmult_ed25519_base_noclamp(xb, s->x) != 0 ||
	    crypto_scalarmult_ed25519_noclamp(ps, s->pw, S_ELEM) != 0 ||
	    crypto_core_ed25519_add(s->xs, xb, ps) != 0)
		goto out;
	crypto_hash_sha256(s->pwhash, pw, pwlen);
	crypto_hash_sha256(s->idhash, id, idlen);
	/* The side byte of symmetric mode is 'S' (SPAKE2_Symmetric). */
	msg[0] = 'S';
	memcpy(msg + 1, s->xs, 32);
	r = 0;
out:
	sodium_memzero(okm, sizeof okm);
	sodium_memzero(rnd, sizeof rnd);
	sodium_memzero(xb, sizeof xb);
	sodium_memzero(ps, sizeof ps);
	return r;
}

/*
 * An element on the wire (RFC 8032 section 5.1.3): a point of the
 * prime-order subgroup, not the identity, in its one canonical encoding.
 * libsodium 1.0.18's is_valid_point already refuses y >= p (its
 * ge25519_is_canonical) and every small-order point, which covers the
 * other non-canonical form, x = 0 with the sign bit set; the round trip
 * says so itself rather than lean on that (issue 11: "check it yourself
 * wherever an element is decoded").  Adding the identity decodes p and
 * encodes the same point canonically.
 */
int
axo_spake2_element_ok(const unsigned char p[32])
{
	static const unsigned char ident[32] = { 1 };
	unsigned char q[32];

	if (!crypto_core_ed25519_is_valid_point(p) ||
	    crypto_core_ed25519_add(q, p, ident) != 0)
		return 0;
	return memcmp(p, q, 32) == 0;
}

int
axo_spake2_finish(struct axo_spake2 *s, const unsigned char *msg, size_t len,
    unsigned char key[32])
{
	unsigned char neg[32], t[32], y[32], k[32];
	crypto_hash_sha256_state h;
	const unsigned char *lo, *hi;
	int r = AXO_SPAKE2_EBAD;

	/* spake2.py SPAKE2_Symmetric._extract_message: 'S' then Y*. */
	if (len != AXO_SPAKE2_MSGLEN || msg[0] != 'S')
		return AXO_SPAKE2_EBAD;
	memcpy(y, msg + 1, 32);
	/* libsodium is stricter than bytes_to_element: fine for honest peers.
	 * Checked before the reflection test, which compares bytes: only a
	 * canonical encoding makes equal bytes mean an equal point. */
	if (!axo_spake2_element_ok(y))
		return AXO_SPAKE2_EBAD;
	if (sodium_memcmp(y, s->xs, 32) == 0)
		return AXO_SPAKE2_EREFLECT;
	/* K = x * (Y* + (-pw)*S) */
	crypto_core_ed25519_scalar_negate(neg, s->pw);
	if (crypto_scalarmult_ed25519_noclamp(t, neg, S_ELEM) != 0 ||
	    crypto_core_ed25519_add(t, y, t) != 0 ||
	    crypto_scalarmult_ed25519_noclamp(k, s->x, t) != 0)
		goto out;
	/* finalize_SPAKE2_symmetric: the two messages sorted by memcmp. */
	if (memcmp(s->xs, y, 32) < 0) {
		lo = s->xs;
		hi = y;
	} else {
		lo = y;
		hi = s->xs;
	}
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, s->pwhash, 32);
	crypto_hash_sha256_update(&h, s->idhash, 32);
	crypto_hash_sha256_update(&h, lo, 32);
	crypto_hash_sha256_update(&h, hi, 32);
	crypto_hash_sha256_update(&h, k, 32);
	crypto_hash_sha256_final(&h, key);
	r = 0;
out:
	sodium_memzero(&h, sizeof h);
	sodium_memzero(neg, sizeof neg);
	sodium_memzero(t, sizeof t);
	sodium_memzero(k, sizeof k);
	return r;
}

void
axo_spake2_wipe(struct axo_spake2 *s)
{
	sodium_memzero(s, sizeof *s);
}
