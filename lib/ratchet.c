/* SPDX-License-Identifier: GPL-2.0-only */
/* ratchet.c: the Double Ratchet with header encryption (Signal DR §3, §4). */
#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "hkdf.h"
#include "ratchet.h"

#define NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES	/* 24 */
#define TAG	crypto_aead_xchacha20poly1305_ietf_ABYTES	/* 16 */

static const unsigned char state_magic[8] = "axoRS001";
static const unsigned char key_magic[8] = "axoRK001";

/*
 * Labels: every HKDF use has its own, so that no two derivations can
 * meet (DR §5.2 "KDF_RK ... using a constant application-specific info").
 */
static const char lbl_init_salt[] = "axotor/v1 ratchet salt";
static const char lbl_init[] = "axotor/v1 ratchet init";
static const char lbl_rk[] = "axotor/v1 ratchet root";

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* KDF_RK_HE (DR §4.2): root key, chain key, next header key. */
static void
kdf_rk(unsigned char rk[32], unsigned char ck[32], unsigned char nhk[32],
    const unsigned char dh[32])
{
	unsigned char out[96];

	axo_hkdf(out, sizeof out, rk, 32, dh, 32,
	    (const unsigned char *)lbl_rk, sizeof lbl_rk - 1);
	memcpy(rk, out, 32);
	memcpy(ck, out + 32, 32);
	memcpy(nhk, out + 64, 32);
	sodium_memzero(out, sizeof out);
}

/*
 * KDF_CK (DR §5.2): HMAC-SHA256 keyed by ck over 0x01 and 0x02.  The key
 * schedule (the ipad and opad blocks) is computed once for both: six
 * SHA-256 compressions instead of eight, on the path of every message.
 */
static void
kdf_ck(unsigned char ck[32], unsigned char mk[32])
{
	static const unsigned char one = 0x01, two = 0x02;
	crypto_auth_hmacsha256_state key, st;

	crypto_auth_hmacsha256_init(&key, ck, 32);
	st = key;
	crypto_auth_hmacsha256_update(&st, &one, 1);
	crypto_auth_hmacsha256_final(&st, mk);
	crypto_auth_hmacsha256_update(&key, &two, 1);
	crypto_auth_hmacsha256_final(&key, ck);
	sodium_memzero(&st, sizeof st);
}

/* X25519; -1 for a low-order peer key (an all-zero result). */
static int
dh(unsigned char out[32], const unsigned char sk[32],
    const unsigned char pk[32])
{
	return crypto_scalarmult(out, sk, pk);
}

/* out starts with the nonce, already there. */
static void
seal(unsigned char *out, const unsigned char key[32], const unsigned char *ad,
    size_t adlen, const unsigned char *pt, size_t ptlen)
{
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE, NULL, pt, ptlen,
	    ad, adlen, NULL, out, key);
}

static int
open_(unsigned char *pt, const unsigned char key[32], const unsigned char *ad,
    size_t adlen, const unsigned char *in, size_t inlen)
{
	if (inlen < NONCE + TAG)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
	    in + NONCE, inlen - NONCE, ad, adlen, in, key);
}

void
axo_ratchet_keygen(unsigned char key[AXO_RATCHET_KEYFILE])
{
	memcpy(key, key_magic, 8);
	crypto_box_keypair(key + 40, key + 8);
}

int
axo_ratchet_keyfile_pub(const unsigned char *key, size_t len,
    unsigned char pub[32])
{
	unsigned char chk[32];

	if (len != AXO_RATCHET_KEYFILE || memcmp(key, key_magic, 8) != 0)
		return -1;
	crypto_scalarmult_base(chk, key + 8);
	if (sodium_memcmp(chk, key + 40, 32) != 0)
		return -1;
	memcpy(pub, key + 40, 32);
	return 0;
}

/*
 * From the PAKE's session key: the root key, the two shared header keys
 * of DR §4.1 (alice's first sending header key, bob's next header key)
 * and the session id, each from its own part of one HKDF output.
 */
static void
derive(struct axo_ratchet *r, const unsigned char sk[32],
    unsigned char hka[32], unsigned char nhkb[32])
{
	unsigned char out[128];

	axo_hkdf(out, sizeof out, (const unsigned char *)lbl_init_salt,
	    sizeof lbl_init_salt - 1, sk, 32,
	    (const unsigned char *)lbl_init, sizeof lbl_init - 1);
	memcpy(r->c.rk, out, 32);
	memcpy(hka, out + 32, 32);
	memcpy(nhkb, out + 64, 32);
	memcpy(r->c.sid, out + 96, 32);
	sodium_memzero(out, sizeof out);
}

/* RatchetInitAliceHE (DR §4.1). */
int
axo_ratchet_init_alice(struct axo_ratchet *r, const unsigned char sk[32],
    const unsigned char peer[32])
{
	unsigned char hka[32], nhkb[32], d[32];
	int rc = -1;

	memset(r, 0, sizeof *r);
	derive(r, sk, hka, nhkb);
	r->c.role = 0;
	crypto_box_keypair(r->c.dhs_pk, r->c.dhs_sk);
	memcpy(r->c.dhr, peer, 32);
	if (dh(d, r->c.dhs_sk, r->c.dhr) != 0)
		goto out;
	kdf_rk(r->c.rk, r->c.cks, r->c.nhks, d);
	memcpy(r->c.hks, hka, 32);
	memcpy(r->c.nhkr, nhkb, 32);
	r->c.flags = AXO_RATCHET_HAVE_DHR | AXO_RATCHET_HAVE_CKS |
	    AXO_RATCHET_HAVE_HKS;
	rc = 0;
out:
	sodium_memzero(hka, 32);
	sodium_memzero(nhkb, 32);
	sodium_memzero(d, 32);
	return rc;
}

/* RatchetInitBobHE (DR §4.1). */
int
axo_ratchet_init_bob(struct axo_ratchet *r, const unsigned char sk[32],
    const unsigned char *key, size_t len)
{
	unsigned char hka[32], nhkb[32];

	memset(r, 0, sizeof *r);
	if (axo_ratchet_keyfile_pub(key, len, r->c.dhs_pk) != 0)
		return -1;
	memcpy(r->c.dhs_sk, key + 8, 32);
	derive(r, sk, hka, nhkb);
	r->c.role = 1;
	memcpy(r->c.nhks, nhkb, 32);
	memcpy(r->c.nhkr, hka, 32);
	r->c.flags = 0;
	sodium_memzero(hka, 32);
	sodium_memzero(nhkb, 32);
	return 0;
}

int
axo_ratchet_can_send(const struct axo_ratchet *r)
{
	return (r->c.flags & (AXO_RATCHET_HAVE_CKS | AXO_RATCHET_HAVE_HKS)) ==
	    (AXO_RATCHET_HAVE_CKS | AXO_RATCHET_HAVE_HKS);
}

/* RatchetEncryptHE (DR §4.3).  AD = sid for the header, sid || enc_header
 * for the body, so that a body cannot be moved under another header. */
void
axo_ratchet_encrypt(struct axo_ratchet *r, unsigned char *out,
    const unsigned char *pt, size_t ptlen)
{
	unsigned char mk[32], hdr[AXO_RATCHET_HDR], ad[32 + AXO_RATCHET_EHDR];
	unsigned char nonces[2 * NONCE];

	/*
	 * Random nonces: a header key seals a whole chain of headers, and a
	 * state restored from a copy would seal again under a message key
	 * (DESIGN.md).  One call to the RNG for both.
	 */
	randombytes_buf(nonces, sizeof nonces);
	memcpy(out, nonces, NONCE);
	memcpy(out + AXO_RATCHET_EHDR, nonces + NONCE, NONCE);
	kdf_ck(r->c.cks, mk);
	memcpy(hdr, r->c.dhs_pk, 32);
	put32(hdr + 32, r->c.pn);
	put32(hdr + 36, r->c.ns);
	seal(out, r->c.hks, r->c.sid, 32, hdr, sizeof hdr);
	r->c.ns++;
	memcpy(ad, r->c.sid, 32);
	memcpy(ad + 32, out, AXO_RATCHET_EHDR);
	seal(out + AXO_RATCHET_EHDR, mk, ad, sizeof ad, pt, ptlen);
	sodium_memzero(mk, sizeof mk);
}

/* SkipMessageKeysHE (DR §4.3), into the scratch list r->fresh. */
static int
skip(struct axo_ratchet *r, struct axo_ratchet_core *t, uint32_t until)
{
	struct axo_ratchet_skipped *s;

	if (until < t->nr)
		return -AXO_RATCHET_EAUTH;	/* a replay, or a lie */
	if (until - t->nr > AXO_RATCHET_MAX_SKIP)
		return -AXO_RATCHET_ESKIP;
	if (!(t->flags & AXO_RATCHET_HAVE_CKR))
		return 0;
	while (t->nr < until) {
		s = &r->fresh[r->nfresh++];
		memcpy(s->hk, t->hkr, 32);
		s->n = t->nr;
		kdf_ck(t->ckr, s->mk);
		t->nr++;
	}
	return 0;
}

/* DHRatchetHE (DR §4.3). */
static int
dh_step(struct axo_ratchet_core *t, const unsigned char peer[32])
{
	unsigned char d[32];
	int rc = -1;

	t->pn = t->ns;
	t->ns = 0;
	t->nr = 0;
	memcpy(t->hks, t->nhks, 32);
	memcpy(t->hkr, t->nhkr, 32);
	memcpy(t->dhr, peer, 32);
	if (dh(d, t->dhs_sk, t->dhr) != 0)
		goto out;
	kdf_rk(t->rk, t->ckr, t->nhkr, d);
	crypto_box_keypair(t->dhs_pk, t->dhs_sk);
	if (dh(d, t->dhs_sk, t->dhr) != 0)
		goto out;
	kdf_rk(t->rk, t->cks, t->nhks, d);
	t->flags |= AXO_RATCHET_HAVE_DHR | AXO_RATCHET_HAVE_CKS |
	    AXO_RATCHET_HAVE_CKR | AXO_RATCHET_HAVE_HKS | AXO_RATCHET_HAVE_HKR;
	t->step++;
	rc = 0;
out:
	sodium_memzero(d, sizeof d);
	return rc;
}

static void
drop_skipped(struct axo_ratchet *r, uint32_t i, uint32_t count)
{
	memmove(&r->skipped[i], &r->skipped[i + count],
	    (r->nskipped - i - count) * sizeof r->skipped[0]);
	r->nskipped -= count;
	sodium_memzero(&r->skipped[r->nskipped], count * sizeof r->skipped[0]);
}

/*
 * Commit one decryption: the new core, then the skipped-key store.
 * Deletion is event-based and deterministic (DR §6.4): a key stored at
 * step s (the step after the record that skipped it, so keys of an old
 * chain skipped in a DH step carry the new one) stays while the step is
 * at most s + KEEP_STEPS, and goes with the step after; past MAX_STORED
 * the oldest go first.  axotor(7) "Receiving"; t/axo-ratchet.bats "spec:
 * a skipped key lives four more DH steps" holds C and the model to it.
 */
static void
commit(struct axo_ratchet *r, const struct axo_ratchet_core *t)
{
	struct axo_ratchet_skipped *src = r->fresh;
	uint32_t i, j, cnt = r->nfresh;

	r->c = *t;
	for (i = j = 0; i < r->nskipped; i++) {
		if (r->skipped[i].step + AXO_RATCHET_KEEP_STEPS < t->step)
			continue;
		if (i != j)
			r->skipped[j] = r->skipped[i];
		j++;
	}
	if (j < r->nskipped)
		sodium_memzero(&r->skipped[j],
		    (r->nskipped - j) * sizeof r->skipped[0]);
	r->nskipped = j;
	for (i = 0; i < cnt; i++)
		src[i].step = t->step;
	if (cnt > AXO_RATCHET_MAX_STORED) {
		src += cnt - AXO_RATCHET_MAX_STORED;
		cnt = AXO_RATCHET_MAX_STORED;
	}
	if (r->nskipped + cnt > AXO_RATCHET_MAX_STORED)
		drop_skipped(r, 0, r->nskipped + cnt - AXO_RATCHET_MAX_STORED);
	memcpy(&r->skipped[r->nskipped], src, cnt * sizeof *src);
	r->nskipped += cnt;
}

static void
parse_hdr(const unsigned char *hdr, unsigned char dhp[32], uint32_t *pn,
    uint32_t *n)
{
	memcpy(dhp, hdr, 32);
	*pn = get32(hdr + 32);
	*n = get32(hdr + 36);
}

/* TrySkippedMessageKeysHE (DR §4.3): 1 used, 0 not found, <0 error. */
static int
try_skipped(struct axo_ratchet *r, unsigned char *pt, const unsigned char *in,
    size_t inlen, const unsigned char *ad)
{
	unsigned char hdr[AXO_RATCHET_HDR], dhp[32];
	uint32_t i, j, pn, n;

	for (i = 0; i < r->nskipped; i = j) {
		/* Keys of one chain are stored together: one try a chain. */
		for (j = i + 1; j < r->nskipped &&
		    sodium_memcmp(r->skipped[j].hk, r->skipped[i].hk, 32) == 0;
		    j++)
			;
		if (open_(hdr, r->skipped[i].hk, r->c.sid, 32, in,
		    AXO_RATCHET_EHDR) != 0)
			continue;
		parse_hdr(hdr, dhp, &pn, &n);
		sodium_memzero(hdr, sizeof hdr);
		for (; i < j; i++) {
			if (r->skipped[i].n != n)
				continue;
			if (open_(pt, r->skipped[i].mk, ad,
			    32 + AXO_RATCHET_EHDR, in + AXO_RATCHET_EHDR,
			    inlen - AXO_RATCHET_EHDR) != 0)
				return -AXO_RATCHET_EAUTH;
			drop_skipped(r, i, 1);
			return 1;
		}
		/* Not stored: used already, or never skipped.  A header under
		 * the current receiving key goes on to the normal path. */
		if ((r->c.flags & AXO_RATCHET_HAVE_HKR) &&
		    sodium_memcmp(r->skipped[j - 1].hk, r->c.hkr, 32) == 0)
			return 0;
		return -AXO_RATCHET_EAUTH;
	}
	return 0;
}

/* RatchetDecryptHE (DR §4.3), on a copy: nothing changes unless the
 * body authenticates. */
int
axo_ratchet_decrypt(struct axo_ratchet *r, unsigned char *pt,
    const unsigned char *in, size_t inlen)
{
	struct axo_ratchet_core t;
	unsigned char hdr[AXO_RATCHET_HDR], dhp[32], mk[32];
	unsigned char ad[32 + AXO_RATCHET_EHDR];
	uint32_t pn, n;
	int rc, step = 0;

	if (inlen < AXO_RATCHET_OVERHEAD)
		return -AXO_RATCHET_EAUTH;
	memcpy(ad, r->c.sid, 32);
	memcpy(ad + 32, in, AXO_RATCHET_EHDR);
	rc = try_skipped(r, pt, in, inlen, ad);
	if (rc != 0)
		return rc < 0 ? rc : 0;

	t = r->c;
	r->nfresh = 0;
	rc = -AXO_RATCHET_EAUTH;
	if ((t.flags & AXO_RATCHET_HAVE_HKR) &&
	    open_(hdr, t.hkr, t.sid, 32, in, AXO_RATCHET_EHDR) == 0)
		step = 0;
	else if (open_(hdr, t.nhkr, t.sid, 32, in, AXO_RATCHET_EHDR) == 0)
		step = 1;
	else
		goto out;
	parse_hdr(hdr, dhp, &pn, &n);
	if (step) {
		if ((rc = skip(r, &t, pn)) != 0)
			goto out;
		rc = -AXO_RATCHET_EAUTH;
		if (dh_step(&t, dhp) != 0)
			goto out;
	}
	if ((rc = skip(r, &t, n)) != 0)
		goto out;
	kdf_ck(t.ckr, mk);
	t.nr++;
	rc = -AXO_RATCHET_EAUTH;
	if (open_(pt, mk, ad, sizeof ad, in + AXO_RATCHET_EHDR,
	    inlen - AXO_RATCHET_EHDR) != 0)
		goto out;
	commit(r, &t);
	rc = 0;
out:
	sodium_memzero(&t, sizeof t);
	sodium_memzero(hdr, sizeof hdr);
	sodium_memzero(mk, sizeof mk);
	sodium_memzero(r->fresh, r->nfresh * sizeof r->fresh[0]);
	r->nfresh = 0;
	return rc;
}

/* The state file; axotor(7) "State file" has the layout. */
size_t
axo_ratchet_save(const struct axo_ratchet *r, unsigned char *buf)
{
	const unsigned char *keys[10] = { r->c.dhs_sk, r->c.dhs_pk, r->c.dhr,
	    r->c.rk, r->c.cks, r->c.ckr, r->c.hks, r->c.hkr, r->c.nhks,
	    r->c.nhkr };
	unsigned char *p = buf;
	uint32_t i;

	memcpy(p, state_magic, 8), p += 8;
	memcpy(p, r->c.sid, 32), p += 32;
	*p++ = r->c.role;
	*p++ = r->c.flags;
	*p++ = 0;
	*p++ = 0;
	for (i = 0; i < 10; i++)
		memcpy(p, keys[i], 32), p += 32;
	put32(p, r->c.ns), p += 4;
	put32(p, r->c.nr), p += 4;
	put32(p, r->c.pn), p += 4;
	put32(p, r->c.step), p += 4;
	put32(p, r->nskipped), p += 4;
	for (i = 0; i < r->nskipped; i++) {
		memcpy(p, r->skipped[i].hk, 32), p += 32;
		put32(p, r->skipped[i].n), p += 4;
		put32(p, r->skipped[i].step), p += 4;
		memcpy(p, r->skipped[i].mk, 32), p += 32;
	}
	return (size_t)(p - buf);
}

/*
 * The state that wrap leaves on disk while it runs (issue 11): the
 * session id, the role and the flag AXO_RATCHET_IN_WRAP, every key and
 * counter zero, no skipped key.  It holds nothing that could seal or
 * open a record, so a wrap that dies leaves no state whose keys it may
 * have used already; only id reads it.
 */
size_t
axo_ratchet_mark(const struct axo_ratchet *r, unsigned char *buf)
{
	memset(buf, 0, AXO_RATCHET_STATE_FIXED);
	memcpy(buf, state_magic, 8);
	memcpy(buf + 8, r->c.sid, 32);
	buf[40] = r->c.role;
	buf[41] = AXO_RATCHET_IN_WRAP;
	return AXO_RATCHET_STATE_FIXED;
}

int
axo_ratchet_load(struct axo_ratchet *r, const unsigned char *buf, size_t len)
{
	unsigned char *keys[10] = { r->c.dhs_sk, r->c.dhs_pk, r->c.dhr,
	    r->c.rk, r->c.cks, r->c.ckr, r->c.hks, r->c.hkr, r->c.nhks,
	    r->c.nhkr };
	unsigned char chk[32];
	const unsigned char *p = buf;
	uint32_t i, ns;

	if (len < AXO_RATCHET_STATE_FIXED || memcmp(p, state_magic, 8) != 0)
		return -1;
	ns = get32(buf + AXO_RATCHET_STATE_FIXED - 4);
	if (ns > AXO_RATCHET_MAX_STORED ||
	    len != AXO_RATCHET_STATE_FIXED + (size_t)ns * 72)
		return -1;
	p += 8;
	memcpy(r->c.sid, p, 32), p += 32;
	r->c.role = *p++;
	r->c.flags = *p++;
	if (r->c.role > 1 || p[0] || p[1])
		return -1;
	if (r->c.flags == AXO_RATCHET_IN_WRAP) {
		/* a marker: everything after the flags is zero */
		if (!sodium_is_zero(p, AXO_RATCHET_STATE_FIXED - 42) ||
		    len != AXO_RATCHET_STATE_FIXED)
			return -1;
		memset(&r->c.dhs_sk, 0, sizeof r->c -
		    offsetof(struct axo_ratchet_core, dhs_sk));
		r->nskipped = r->nfresh = 0;
		return 1;
	}
	if (r->c.flags & ~0x1f)
		return -1;
	p += 2;
	for (i = 0; i < 10; i++)
		memcpy(keys[i], p, 32), p += 32;
	r->c.ns = get32(p), p += 4;
	r->c.nr = get32(p), p += 4;
	r->c.pn = get32(p), p += 4;
	r->c.step = get32(p), p += 4;
	r->nskipped = get32(p), p += 4;
	/* A state whose key pair does not match was not written by us. */
	crypto_scalarmult_base(chk, r->c.dhs_sk);
	if (sodium_memcmp(chk, r->c.dhs_pk, 32) != 0)
		return -1;
	for (i = 0; i < r->nskipped; i++) {
		memcpy(r->skipped[i].hk, p, 32), p += 32;
		r->skipped[i].n = get32(p), p += 4;
		r->skipped[i].step = get32(p), p += 4;
		memcpy(r->skipped[i].mk, p, 32), p += 32;
	}
	r->nfresh = 0;
	return 0;
}
