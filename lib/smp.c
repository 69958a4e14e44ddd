/* SPDX-License-Identifier: GPL-2.0-only */
/* smp.c: the Socialist Millionaire Protocol of OTR on ristretto255. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "axo.h"
#include "smp.h"

/*
 * The protocol is OTR's SMP (OTR protocol v3, "The Socialist
 * Millionaires' Protocol"; Boudot, Schoenmakers and Traore, "A Fair and
 * Efficient Solution to the Socialist Millionaires' Problem", 2001),
 * carried over to the prime-order group ristretto255 as OTRv4 (section
 * "Socialist Millionaires Protocol (SMP)") carries it over to Ed448.
 * Written additively: g is the ristretto255 base point, a*P a scalar
 * multiplication.  The initiator ("Alice") has x, the responder ("Bob")
 * y; they learn whether x == y and nothing else:
 *
 *   1 A->B  g2a = a2*g, g3a = a3*g, and proofs 1, 2 of a2, a3
 *   2 B->A  g2b = b2*g, g3b = b3*g, proofs 3, 4;  g2 = b2*g2a,
 *           g3 = b3*g3a, Pb = r4*g3, Qb = r4*g + y*g2, proof 5
 *   3 A->B  Pa = r4*g3, Qa = r4*g + x*g2, proof 6; Ra = a3*(Qa - Qb),
 *           proof 7 (log_g g3a == log_(Qa-Qb) Ra)
 *   4 B->A  Rb = b3*(Qa - Qb), proof 8; each side checks
 *           a3*Rb == b3*Ra == Pa - Pb, which holds iff x == y.
 *
 * Fiat-Shamir challenges are SHA-512 reduced mod l of a prefix distinct
 * per proof ("axotor/v1/smp/proof/N"), the statement (every public
 * element the proof speaks of) and the commitments, so that no proof
 * passes for another statement or in another place of the protocol (the
 * "strong" Fiat-Shamir of Bernhard, Pereira and Warinschi, 2012; OTR
 * hashes the commitments only).  Wire formats: axotor(7).
 */

#define L	32	/* element and scalar size */
#define HDR	4	/* u16 length, u8 version, u8 type */

#define DST_SECRET	"axotor/v1/smp/secret"
#define DST_PROOF	"axotor/v1/smp/proof/"	/* then one digit, 1-8 */

enum { EXPECT_NONE, EXPECT1, EXPECT2, EXPECT3, EXPECT4, DONE };

/*
 * Everything secret lives here, in axo_xmalloc memory: the compared
 * value, our exponents and the nonces of our proofs.
 */
struct axo_smp {
	unsigned char x[L];		/* our compared value */
	unsigned char e2[L], e3[L];	/* a2, a3 or b2, b3 */
	unsigned char r[L], r5[L], r6[L], r4[L];	/* nonces */
	unsigned char t[L];		/* scratch scalar */
	unsigned char g3me[L];		/* our g3a or g3b */
	unsigned char g3o[L];		/* the peer's g3a or g3b */
	unsigned char g2[L], g3[L];
	unsigned char p[L], q[L];	/* our P, Q */
	unsigned char pd[L], qd[L];	/* Pa - Pb, Qa - Qb */
	int initiator;
	int state;
	const char *why;
	char whybuf[64];
};

/* The group order l = 2^252 + 27742317777372353535851937790883648493,
 * little-endian. */
static const unsigned char order[L] = {
	0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
	0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10
};

static const size_t msglen[5] = {
	0, AXO_SMP_MSG1_LEN, AXO_SMP_MSG2_LEN, AXO_SMP_MSG3_LEN,
	AXO_SMP_MSG4_LEN
};

size_t
axo_smp_msglen(int n)
{
	return n >= 1 && n <= 4 ? msglen[n] : 0;
}

/* 1 when s < l: every scalar on the wire must be reduced, so that no
 * two encodings of one scalar pass (no malleable proofs).  Public data:
 * the comparison need not be constant-time. */
static int
canonical(const unsigned char s[L])
{
	int i;

	for (i = L - 1; i >= 0; i--) {
		if (s[i] < order[i])
			return 1;
		if (s[i] > order[i])
			return 0;
	}
	return 0;
}

/*
 * Group operations.  Every input is either checked on receipt or our
 * own result, so they decode; libsodium returns -1 for an identity
 * result and still writes its encoding (32 zero bytes), which is what
 * the algebra wants (e.g. a response D that happens to be 0).
 */
static void
mulbase(unsigned char out[L], const unsigned char s[L])
{
	if (crypto_scalarmult_ristretto255_base(out, s) != 0)
		memset(out, 0, L);
}

static void
mul(unsigned char out[L], const unsigned char s[L], const unsigned char p[L])
{
	if (crypto_scalarmult_ristretto255(out, s, p) != 0)
		memset(out, 0, L);
}

static void
add(unsigned char out[L], const unsigned char a[L], const unsigned char b[L])
{
	if (crypto_core_ristretto255_add(out, a, b) != 0)
		memset(out, 0, L);
}

static void
sub(unsigned char out[L], const unsigned char a[L], const unsigned char b[L])
{
	if (crypto_core_ristretto255_sub(out, a, b) != 0)
		memset(out, 0, L);
}

/*
 * The Fiat-Shamir challenge of proof n over the elements el[0..nel-1]:
 * SHA-512(DST_PROOF || n || el...) mod l.  The session id is not hashed
 * here but in x: two sessions with one secret must compare "different"
 * (exit 1), not fail a proof.
 */
static void
challenge(unsigned char c[L], int n, const unsigned char *const el[],
    size_t nel)
{
	crypto_hash_sha512_state h;
	unsigned char d[64], b;
	size_t i;

	crypto_hash_sha512_init(&h);
	crypto_hash_sha512_update(&h, (const unsigned char *)DST_PROOF,
	    sizeof DST_PROOF - 1);
	b = (unsigned char)('0' + n);
	crypto_hash_sha512_update(&h, &b, 1);
	for (i = 0; i < nel; i++)
		crypto_hash_sha512_update(&h, el[i], L);
	crypto_hash_sha512_final(&h, d);
	crypto_core_ristretto255_scalar_reduce(c, d);
}

/* D = r - a*c mod l (the response of every proof here). */
static void
respond(unsigned char d[L], const unsigned char r[L], const unsigned char a[L],
    const unsigned char c[L], unsigned char tmp[L])
{
	crypto_core_ristretto255_scalar_mul(tmp, a, c);
	crypto_core_ristretto255_scalar_sub(d, r, tmp);
	sodium_memzero(tmp, L);
}

/*
 * Proofs 1-4: knowledge of a with X = a*g.  Commitment R = r*g,
 * c = H(n, X, R), D = r - a*c; checked as c == H(n, X, D*g + c*X).
 */
static void
dl_prove(struct axo_smp *st, int n, const unsigned char x[L],
    const unsigned char a[L], unsigned char c[L], unsigned char d[L])
{
	unsigned char rr[L];
	const unsigned char *el[2] = { x, rr };

	crypto_core_ristretto255_scalar_random(st->r);
	mulbase(rr, st->r);
	challenge(c, n, el, 2);
	respond(d, st->r, a, c, st->t);
	sodium_memzero(st->r, L);
}

static int
dl_check(int n, const unsigned char x[L],
    const unsigned char c[L], const unsigned char d[L])
{
	unsigned char rr[L], t[L], c2[L];
	const unsigned char *el[2] = { x, rr };

	mulbase(rr, d);
	mul(t, c, x);
	add(rr, rr, t);
	challenge(c2, n, el, 2);
	return sodium_memcmp(c, c2, L) == 0;
}

/*
 * Proofs 5, 6: P = r4*g3 and Q = r4*g + v*g2 for one r4 (and some v).
 * Commitments R1 = r5*g3, R2 = r5*g + r6*g2; c = H(n, g2, g3, P, Q, R1,
 * R2); D5 = r5 - r4*c, D6 = r6 - v*c; checked with R1 = D5*g3 + c*P,
 * R2 = D5*g + D6*g2 + c*Q.
 */
static void
pq_prove(struct axo_smp *st, int n, unsigned char c[L], unsigned char d5[L],
    unsigned char d6[L])
{
	unsigned char r1[L], r2[L], t[L];
	const unsigned char *el[6] = { st->g2, st->g3, st->p, st->q, r1, r2 };

	crypto_core_ristretto255_scalar_random(st->r5);
	crypto_core_ristretto255_scalar_random(st->r6);
	mul(r1, st->r5, st->g3);
	mulbase(r2, st->r5);
	mul(t, st->r6, st->g2);
	add(r2, r2, t);
	challenge(c, n, el, 6);
	respond(d5, st->r5, st->r4, c, st->t);
	respond(d6, st->r6, st->x, c, st->t);
	sodium_memzero(st->r5, L);
	sodium_memzero(st->r6, L);
}

static int
pq_check(const struct axo_smp *st, int n, const unsigned char p[L],
    const unsigned char q[L], const unsigned char c[L],
    const unsigned char d5[L], const unsigned char d6[L])
{
	unsigned char r1[L], r2[L], t[L], c2[L];
	const unsigned char *el[6] = { st->g2, st->g3, p, q, r1, r2 };

	mul(r1, d5, st->g3);
	mul(t, c, p);
	add(r1, r1, t);
	mulbase(r2, d5);
	mul(t, d6, st->g2);
	add(r2, r2, t);
	mul(t, c, q);
	add(r2, r2, t);
	challenge(c2, n, el, 6);
	return sodium_memcmp(c, c2, L) == 0;
}

/*
 * Proofs 7, 8: log_g X == log_Qd R (X is g3a or g3b, Qd = Qa - Qb).
 * Commitments R1 = r*g, R2 = r*Qd; c = H(n, X, Qd, R, R1, R2); D = r -
 * e3*c; checked with R1 = D*g + c*X, R2 = D*Qd + c*R.
 */
static void
eq_prove(struct axo_smp *st, int n, const unsigned char x[L],
    const unsigned char rv[L], unsigned char c[L], unsigned char d[L])
{
	unsigned char r1[L], r2[L];
	const unsigned char *el[5] = { x, st->qd, rv, r1, r2 };

	crypto_core_ristretto255_scalar_random(st->r);
	mulbase(r1, st->r);
	mul(r2, st->r, st->qd);
	challenge(c, n, el, 5);
	respond(d, st->r, st->e3, c, st->t);
	sodium_memzero(st->r, L);
}

static int
eq_check(const struct axo_smp *st, int n, const unsigned char x[L],
    const unsigned char rv[L], const unsigned char c[L],
    const unsigned char d[L])
{
	unsigned char r1[L], r2[L], t[L], c2[L];
	const unsigned char *el[5] = { x, st->qd, rv, r1, r2 };

	mulbase(r1, d);
	mul(t, c, x);
	add(r1, r1, t);
	mul(r2, d, st->qd);
	mul(t, c, rv);
	add(r2, r2, t);
	challenge(c2, n, el, 5);
	return sodium_memcmp(c, c2, L) == 0;
}

/*
 * An element on the wire: the canonical encoding of a ristretto255 point
 * other than the identity (RFC 9496 section 4.3.1).  The encoding's bit
 * 255 must be 0: libsodium 1.0.18's ristretto255_is_canonical() does not
 * look at it (1.0.19 does), and its decoder masks it, so the same point
 * would pass under a second encoding, and the proofs, which hash the
 * bytes as sent, would pass with it (issue 11; t/axo-smp.bats "bit 255").
 */
int
axo_smp_element_ok(const unsigned char p[L])
{
	return (p[31] & 0x80) == 0 && !sodium_is_zero(p, L) &&
	    crypto_core_ristretto255_is_valid_point(p);
}

/*
 * Parsing.  A message is u16 length (of what follows) || u8 version ||
 * u8 type || fields; every field is 32 bytes, and its kind is given by
 * a string: 'e' a group element (a valid encoding, not the identity),
 * 's' a scalar (reduced mod l).  names[] says which field failed.
 */
static int
parse(struct axo_smp *st, int n, const unsigned char *in, size_t inlen,
    const char *kinds, const char *const names[])
{
	size_t i;
	const unsigned char *f;

	if (inlen != msglen[n] || ((size_t)in[0] << 8 | in[1]) != inlen - 2) {
		st->why = "bad length";
		return -1;
	}
	if (in[2] != AXO_SMP_VERSION) {
		st->why = "unsupported version";
		return -1;
	}
	if (in[3] != n) {
		st->why = "unexpected message type";
		return -1;
	}
	for (i = 0; kinds[i] != '\0'; i++) {
		f = in + HDR + i * L;
		if (kinds[i] == 'e' && !axo_smp_element_ok(f)) {
			snprintf(st->whybuf, sizeof st->whybuf,
			    "%s is not a valid element", names[i]);
			st->why = st->whybuf;
			return -1;
		}
		if (kinds[i] == 's' && !canonical(f)) {
			snprintf(st->whybuf, sizeof st->whybuf,
			    "%s is not a reduced scalar", names[i]);
			st->why = st->whybuf;
			return -1;
		}
	}
	return 0;
}

static unsigned char *
header(unsigned char *out, int n)
{
	size_t len = msglen[n] - 2;

	out[0] = (unsigned char)(len >> 8);
	out[1] = (unsigned char)len;
	out[2] = AXO_SMP_VERSION;
	out[3] = (unsigned char)n;
	return out + HDR;
}

static void
put16(crypto_hash_sha512_state *h, const unsigned char *p, size_t len)
{
	unsigned char b[2] = { (unsigned char)(len >> 8), (unsigned char)len };

	crypto_hash_sha512_update(h, b, 2);
	if (len > 0)	/* p may be NULL for an empty id */
		crypto_hash_sha512_update(h, p, len);
}

struct axo_smp *
axo_smp_new(int initiator, const unsigned char *sid, size_t sidlen,
    const unsigned char *id_init, size_t id_init_len,
    const unsigned char *id_resp, size_t id_resp_len,
    const unsigned char *secret, size_t secretlen)
{
	crypto_hash_sha512_state h;
	unsigned char *d;
	struct axo_smp *st;

	if (sidlen < AXO_SMP_SID_MIN || sidlen > AXO_SMP_SID_MAX ||
	    id_init_len > AXO_SMP_ID_MAX || id_resp_len > AXO_SMP_ID_MAX ||
	    secretlen > AXO_SMP_SECRET_MAX)
		return NULL;
	st = axo_xmalloc(sizeof *st + 64);
	memset(st, 0, sizeof *st);
	d = (unsigned char *)(st + 1);
	/*
	 * x = SHA-512(DST_SECRET || sid || id of the initiator || id of the
	 * responder || secret) mod l, each length-prefixed (u16): ordered by
	 * role, so both sides hash the same bytes; bound to the session, so
	 * that one secret in two sessions (or across a relay that holds two
	 * sessions) never compares equal.
	 */
	crypto_hash_sha512_init(&h);
	crypto_hash_sha512_update(&h, (const unsigned char *)DST_SECRET,
	    sizeof DST_SECRET - 1);
	put16(&h, sid, sidlen);
	put16(&h, id_init, id_init_len);
	put16(&h, id_resp, id_resp_len);
	put16(&h, secret, secretlen);
	crypto_hash_sha512_final(&h, d);
	crypto_core_ristretto255_scalar_reduce(st->x, d);
	sodium_memzero(d, 64);
	sodium_memzero(&h, sizeof h);
	st->initiator = initiator != 0;
	st->state = initiator ? EXPECT_NONE : EXPECT1;
	st->why = "";
	return st;
}

const char *
axo_smp_error(const struct axo_smp *st)
{
	return st->why;
}

void
axo_smp_free(struct axo_smp *st)
{
	if (st != NULL)
		axo_free(st);
}

static int
order_error(struct axo_smp *st)
{
	st->why = "step out of order";
	st->state = DONE;
	return -1;
}

/*
 * Our fresh exponents for g2 and g3: their elements, each with its proof
 * of knowledge (proofs n and n+1), as two 96-byte triples at o; both
 * sides open with this, Alice in message 1 and Bob in message 2.
 */
static void
exponents(struct axo_smp *st, unsigned char *o, int n)
{
	crypto_core_ristretto255_scalar_random(st->e2);
	crypto_core_ristretto255_scalar_random(st->e3);
	mulbase(o, st->e2);
	dl_prove(st, n, o, st->e2, o + 32, o + 64);
	mulbase(o + 96, st->e3);
	dl_prove(st, n + 1, o + 96, st->e3, o + 128, o + 160);
	memcpy(st->g3me, o + 96, L);
}

/*
 * The proofs of log g2 and log g3 in the peer's message 1 or 2 (proofs n
 * and n + 1): 0, or -1 with why2 or why3.
 */
static int
check_exponents(struct axo_smp *st, const unsigned char *m, int n,
    const char *why2, const char *why3)
{
	if (!dl_check(n, m, m + 32, m + 64)) {
		st->why = why2;
		return -1;
	}
	if (!dl_check(n + 1, m + 96, m + 128, m + 160)) {
		st->why = why3;
		return -1;
	}
	return 0;
}

/* The peer's g2 and g3 with our exponents: the shared g2, g3. */
static void
shared_exponents(struct axo_smp *st, const unsigned char *m)
{
	memcpy(st->g3o, m + 96, L);
	mul(st->g2, st->e2, m);
	mul(st->g3, st->e3, m + 96);
}

/*
 * P = r4*g3, Q = r4*g + x*g2 with a fresh r4, and their proof n: P, Q,
 * cP, D5, D6 at o (Bob's Pb, Qb in message 2, Alice's Pa, Qa in 3).
 */
static void
make_pq(struct axo_smp *st, unsigned char *o, int n)
{
	unsigned char t[L];

	crypto_core_ristretto255_scalar_random(st->r4);
	mul(st->p, st->r4, st->g3);
	mulbase(st->q, st->r4);
	mul(t, st->x, st->g2);
	add(st->q, st->q, t);
	sodium_memzero(t, L);
	memcpy(o, st->p, L);
	memcpy(o + 32, st->q, L);
	pq_prove(st, n, o + 64, o + 96, o + 128);
	sodium_memzero(st->r4, L);
}

/* Alice: g2a, c2, D2, g3a, c3, D3. */
int
axo_smp_step1(struct axo_smp *st, unsigned char out[AXO_SMP_MSG1_LEN])
{
	unsigned char *o;

	if (!st->initiator || st->state != EXPECT_NONE)
		return order_error(st);
	o = header(out, 1);
	exponents(st, o, 1);
	st->state = EXPECT2;
	return 0;
}

/*
 * Bob: checks message 1, then g2b, c2, D2, g3b, c3, D3, Pb, Qb, cP, D5,
 * D6.
 */
int
axo_smp_step2(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG2_LEN])
{
	static const char *const names[] = { "g2a", "c2", "D2", "g3a", "c3",
	    "D3" };
	const unsigned char *m = in + HDR;
	unsigned char *o;

	if (st->initiator || st->state != EXPECT1)
		return order_error(st);
	st->state = DONE;	/* until this step succeeds */
	if (parse(st, 1, in, inlen, "essess", names) != 0 ||
	    check_exponents(st, m, 1, "proof of log g2a fails",
	    "proof of log g3a fails") != 0)
		return -1;
	o = header(out, 2);
	exponents(st, o, 3);
	shared_exponents(st, m);
	make_pq(st, o + 192, 5);
	st->state = EXPECT3;
	return 0;
}

/*
 * Alice: checks message 2, then Pa, Qa, cP, D5, D6, Ra, cR, D7.
 */
int
axo_smp_step3(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG3_LEN])
{
	static const char *const names[] = { "g2b", "c2", "D2", "g3b", "c3",
	    "D3", "Pb", "Qb", "cP", "D5", "D6" };
	const unsigned char *m = in + HDR;
	unsigned char *o, ra[L];

	if (!st->initiator || st->state != EXPECT2)
		return order_error(st);
	st->state = DONE;
	if (parse(st, 2, in, inlen, "essesseesss", names) != 0 ||
	    check_exponents(st, m, 3, "proof of log g2b fails",
	    "proof of log g3b fails") != 0)
		return -1;
	shared_exponents(st, m);
	if (!pq_check(st, 5, m + 192, m + 224, m + 256, m + 288, m + 320)) {
		st->why = "proof of Pb, Qb fails";
		return -1;
	}
	o = header(out, 3);
	make_pq(st, o, 6);
	sub(st->pd, st->p, m + 192);
	sub(st->qd, st->q, m + 224);
	/* Ra = a3*(Qa - Qb); with log_g g3a == log_(Qa-Qb) Ra (proof 7). */
	mul(ra, st->e3, st->qd);
	memcpy(o + 160, ra, L);
	eq_prove(st, 7, st->g3me, ra, o + 192, o + 224);
	st->state = EXPECT4;
	return 0;
}

/*
 * Bob: checks message 3, then Rb, cR, D7 in out, and *match: whether
 * b3*Ra == Pa - Pb.
 */
int
axo_smp_step4(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG4_LEN], int *match)
{
	static const char *const names[] = { "Pa", "Qa", "cP", "D5", "D6",
	    "Ra", "cR", "D7" };
	const unsigned char *m = in + HDR;
	unsigned char *o, rb[L], rab[L];

	if (st->initiator || st->state != EXPECT3)
		return order_error(st);
	st->state = DONE;
	if (parse(st, 3, in, inlen, "eesssess", names) != 0)
		return -1;
	if (!pq_check(st, 6, m, m + 32, m + 64, m + 96, m + 128)) {
		st->why = "proof of Pa, Qa fails";
		return -1;
	}
	sub(st->pd, m, st->p);
	sub(st->qd, m + 32, st->q);
	if (sodium_is_zero(st->qd, L)) {
		/* Qa == Qb: Ra would be the identity (rejected above) */
		st->why = "Qa equals Qb";
		return -1;
	}
	if (!eq_check(st, 7, st->g3o, m + 160, m + 192, m + 224)) {
		st->why = "proof of Ra fails";
		return -1;
	}
	o = header(out, 4);
	mul(rb, st->e3, st->qd);
	memcpy(o, rb, L);
	eq_prove(st, 8, st->g3me, rb, o + 32, o + 64);
	mul(rab, st->e3, m + 160);
	*match = sodium_memcmp(rab, st->pd, L) == 0;
	return 0;
}

/* Alice: checks message 4 and sets *match: whether a3*Rb == Pa - Pb. */
int
axo_smp_step5(struct axo_smp *st, const unsigned char *in, size_t inlen,
    int *match)
{
	static const char *const names[] = { "Rb", "cR", "D7" };
	const unsigned char *m = in + HDR;
	unsigned char rab[L];

	if (!st->initiator || st->state != EXPECT4)
		return order_error(st);
	st->state = DONE;
	if (parse(st, 4, in, inlen, "ess", names) != 0)
		return -1;
	if (!eq_check(st, 8, st->g3o, m, m + 32, m + 64)) {
		st->why = "proof of Rb fails";
		return -1;
	}
	mul(rab, st->e3, m);
	*match = sodium_memcmp(rab, st->pd, L) == 0;
	return 0;
}
