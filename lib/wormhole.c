/* SPDX-License-Identifier: GPL-2.0-only */
/* wormhole.c: the magic-wormhole mailbox client protocol as a state machine. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "axo.h"
#include "hkdf.h"
#include "spake2.h"
#include "wordlist.h"
#include "wormhole.h"

/* Bounds on what a relay or a peer can make us hold (all are tiny). */
#define WH_MAXPHASES	64	/* distinct peer phases remembered */
#define WH_MAXHELD	64	/* peer messages held before the key */
#define WH_MAXQUEUE	64	/* our app messages held before verification */
#define WH_MAXPHASELEN	32
#define WH_MAXNAMEPLATE	16	/* digits of an allocated nameplate */
#define WH_CODEWORDS	2	/* wormhole send's default --code-length */
#define MAXCODEBUF	(WH_MAXNAMEPLATE + 2 + 2 * 16)	/* words <= 12 */

struct held {
	struct held *next;
	char phase[WH_MAXPHASELEN];
	unsigned long num;		/* numeric phase, for delivery */
	size_t len;
	unsigned char *data;		/* ciphertext held, or plaintext */
};

struct axo_wh {
	char *appid;
	char *code;			/* secret: axo_xmalloc */
	size_t codelen;
	char nameplate[64];
	char side[11];
	char mailbox[128];
	axo_wh_send_fn send;
	axo_wh_say_fn say;
	void *arg;
	struct axo_spake2 *sp;		/* secret */
	unsigned char *key;		/* secret, 32 bytes */
	unsigned char pakemsg[AXO_SPAKE2_MSGLEN];
	int allocating;			/* no code yet: ask the relay */
	int welcomed, claimsent, claimed, opened, released, have_key;
	int verified, closed, fail;
	char phases[WH_MAXPHASES][WH_MAXPHASELEN];
	int nphases;
	struct held *early;		/* peer ciphertexts before the key */
	int nearly;
	struct held *inbox;		/* peer plaintexts, numeric phases */
	int ninbox;
	unsigned long in_next;		/* next numeric phase to deliver */
	struct held *cur;		/* the one handed out last */
	struct held *outq;		/* our plaintexts before verification */
	int noutq;
	unsigned long out_next;		/* our next numeric phase */
	char why[256];
};

/*
 * jansson holds decrypted records while it parses or prints them: its
 * allocations are wiped on free, so no plaintext stays in the heap.
 */
static void *
wipe_malloc(size_t n)
{
	unsigned char *p;

	if (n > SIZE_MAX - 16)
		return NULL;
	p = malloc(n + 16);
	if (p == NULL)
		return NULL;
	memcpy(p, &n, sizeof n);
	return p + 16;
}

static void
wipe_free(void *q)
{
	unsigned char *p = q;
	size_t n;

	if (p == NULL)
		return;
	p -= 16;
	memcpy(&n, p, sizeof n);
	sodium_memzero(p, n + 16);
	free(p);
}

__attribute__((format(printf, 3, 4)))
static int
bad(struct axo_wh *wh, int code, const char *fmt, ...);

static int
bad(struct axo_wh *wh, int code, const char *fmt, ...)
{
	va_list ap;

	if (wh->fail)
		return wh->fail;
	wh->fail = code;
	va_start(ap, fmt);
	vsnprintf(wh->why, sizeof wh->why, fmt, ap);
	va_end(ap);
	return code;
}

static void
free_held(struct held *h)
{
	struct held *n;

	for (; h != NULL; h = n) {
		n = h->next;
		if (h->data != NULL) {
			sodium_memzero(h->data, h->len);
			free(h->data);
		}
		free(h);
	}
}

static struct held *
new_held(const char *phase, const unsigned char *data, size_t len)
{
	struct held *h;

	h = calloc(1, sizeof *h);
	if (h == NULL)
		return NULL;
	h->data = malloc(len + 1);
	if (h->data == NULL) {
		free(h);
		return NULL;
	}
	memcpy(h->data, data, len);
	h->data[len] = '\0';
	h->len = len;
	snprintf(h->phase, sizeof h->phase, "%s", phase);
	return h;
}

/* send one client message: the object gets "type" and a random "id" */
static int
tx(struct axo_wh *wh, json_t *o, const char *type)
{
	unsigned char rid[2];
	char id[5], *s;
	int r;

	if (o == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	/* _rendezvous.py: the id is 4 random hex digits */
	randombytes_buf(rid, sizeof rid);
	axo_fmt_hex(id, rid, sizeof rid);
	if (json_object_set_new(o, "id", json_string(id)) != 0 ||
	    json_object_set_new(o, "type", json_string(type)) != 0) {
		json_decref(o);
		return bad(wh, AXO_WH_ESYS, "out of memory");
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	r = wh->send(wh->arg, s, strlen(s));
	wipe_free(s);
	if (r != 0)
		return bad(wh, AXO_WH_ESYS, "unable to send to the relay");
	return 0;
}

static int
tx_add(struct axo_wh *wh, const char *phase, const unsigned char *body,
    size_t len)
{
	char *hex;
	int r;

	hex = malloc(2 * len + 1);
	if (hex == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	axo_fmt_hex(hex, body, len);
	r = tx(wh, json_pack("{s:s, s:s}", "phase", phase, "body", hex), "add");
	free(hex);
	return r;
}

void
axo_wh_derive_key(unsigned char *out, size_t len, const unsigned char key[32],
    const char *purpose)
{
	/* _key.py derive_key: HKDF(salt=None, ikm=key, info=purpose) */
	(void)axo_hkdf(out, len, NULL, 0, key, 32,
	    (const unsigned char *)purpose, strlen(purpose));
}

void
axo_wh_phase_key(unsigned char out[32], const unsigned char key[32],
    const char *side, const char *phase)
{
	unsigned char info[15 + 32 + 32];

	/* _key.py derive_phase_key: b"wormhole:phase:" + H(side) + H(phase) */
	memcpy(info, "wormhole:phase:", 15);
	crypto_hash_sha256(info + 15, (const unsigned char *)side, strlen(side));
	crypto_hash_sha256(info + 47, (const unsigned char *)phase,
	    strlen(phase));
	(void)axo_hkdf(out, 32, NULL, 0, key, 32, info, sizeof info);
}

/* _key.py encrypt_data: nonce(24) || secretbox(pt) under our phase key */
static int
tx_sealed(struct axo_wh *wh, const char *phase, const unsigned char *pt,
    size_t len)
{
	unsigned char *k, *box;
	size_t blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES
	    + len;
	int r;

	box = malloc(blen);
	if (box == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	k = axo_xmalloc(32);
	axo_wh_phase_key(k, wh->key, wh->side, phase);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, pt, len, box,
	    k);
	axo_free(k);
	r = tx_add(wh, phase, box, blen);
	free(box);
	return r;
}

/* decrypt a peer body: plaintext (malloc, NUL-terminated) or NULL */
static unsigned char *
open_sealed(struct axo_wh *wh, const char *side, const char *phase,
    const unsigned char *box, size_t blen, size_t *len)
{
	unsigned char *k, *pt;
	size_t hdr = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
	int r;

	if (blen < hdr)
		return NULL;
	pt = malloc(blen - hdr + 1);
	if (pt == NULL)
		return NULL;
	k = axo_xmalloc(32);
	axo_wh_phase_key(k, wh->key, side, phase);
	r = crypto_secretbox_open_easy(pt, box + crypto_secretbox_NONCEBYTES,
	    blen - crypto_secretbox_NONCEBYTES, box, k);
	axo_free(k);
	if (r != 0) {
		free(pt);
		return NULL;
	}
	*len = blen - hdr;
	pt[*len] = '\0';
	return pt;
}

/* The code, its nameplate (code.split("-", 1)[0], _code.py) and our
 * PAKE message from it: 0, or -1 for a nameplate too long. */
static int
set_code(struct axo_wh *wh, const char *code)
{
	const char *dash;
	size_t nl;

	dash = strchr(code, '-');
	nl = dash != NULL ? (size_t)(dash - code) : strlen(code);
	if (nl >= sizeof wh->nameplate)
		return -1;
	wh->codelen = strlen(code);
	wh->code = axo_xmalloc(wh->codelen + 1);
	memcpy(wh->code, code, wh->codelen + 1);
	memcpy(wh->nameplate, code, nl);
	wh->nameplate[nl] = '\0';
	/* _key.py build_pake: password = code, idSymmetric = appid */
	return axo_spake2_start(wh->sp, (const unsigned char *)wh->code,
	    wh->codelen, (const unsigned char *)wh->appid, strlen(wh->appid),
	    NULL, wh->pakemsg) != 0 ? -1 : 0;
}

struct axo_wh *
axo_wh_new(const char *appid, const char *code, axo_wh_send_fn send,
    axo_wh_say_fn say, void *arg)
{
	struct axo_wh *wh;
	unsigned char rs[5];

	json_set_alloc_funcs(wipe_malloc, wipe_free);
	wh = calloc(1, sizeof *wh);
	if (wh == NULL)
		return NULL;
	wh->appid = strdup(appid);
	if (wh->appid == NULL) {
		free(wh);
		return NULL;
	}
	/* wormhole.py create: side = 5 random bytes in hex */
	randombytes_buf(rs, sizeof rs);
	axo_fmt_hex(wh->side, rs, sizeof rs);
	wh->sp = axo_xmalloc(sizeof *wh->sp);
	wh->key = axo_xmalloc(32);
	wh->send = send;
	wh->say = say;
	wh->arg = arg;
	if (code == NULL)
		wh->allocating = 1;
	else if (set_code(wh, code) != 0) {
		axo_wh_free(wh);
		return NULL;
	}
	return wh;
}

static int
hexbody(struct axo_wh *wh, const char *hex, unsigned char **out, size_t *len)
{
	size_t hl = strlen(hex), bl;
	const char *end;

	if (hl % 2 != 0)
		return bad(wh, AXO_WH_EPROTO, "relay sent a body that is not hex");
	*out = malloc(hl / 2 + 1);
	if (*out == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	if (sodium_hex2bin(*out, hl / 2 + 1, hex, hl, NULL, &bl, &end) != 0 ||
	    end != hex + hl || bl != hl / 2) {
		free(*out);
		*out = NULL;
		return bad(wh, AXO_WH_EPROTO, "relay sent a body that is not hex");
	}
	(*out)[bl] = '\0';
	*len = bl;
	return 0;
}

static int
numeric(const char *phase, unsigned long *n)
{
	/* _boss.py: app phases are decimal numbers; cap to 9 digits */
	return strlen(phase) <= 9 && axo_scan_uint(phase, 999999999, n);
}

static int
flush_outq(struct axo_wh *wh)
{
	struct held *h;
	int r;

	while ((h = wh->outq) != NULL) {
		wh->outq = h->next;
		h->next = NULL;
		r = tx_sealed(wh, h->phase, h->data, h->len);
		free_held(h);
		wh->noutq--;
		if (r != 0)
			return r;
	}
	return 0;
}

/* a peer message after the key: version or an app phase */
static int
got_phase(struct axo_wh *wh, const char *side, const char *phase,
    const unsigned char *body, size_t blen)
{
	unsigned char *pt;
	struct held *h, **pp;
	unsigned long num;
	json_t *j;
	size_t len;

	if (strcmp(phase, "version") != 0 && !numeric(phase, &num))
		return 0;	/* _boss.py got_message: unknown phases ignored */
	pt = open_sealed(wh, side, phase, body, blen, &len);
	if (pt == NULL)
		/* _boss.py close_scared: a wrong code gives a wrong key */
		return bad(wh, AXO_WH_EMISMATCH, "master key mismatch");
	if (!wh->verified) {
		wh->verified = 1;
		if (flush_outq(wh) != 0) {
			sodium_memzero(pt, len);
			free(pt);
			return wh->fail;
		}
	}
	if (strcmp(phase, "version") == 0) {
		/* _boss.py process_version: a JSON object; keys ignored */
		j = json_loadb((const char *)pt, len, 0, NULL);
		sodium_memzero(pt, len);
		free(pt);
		if (!json_is_object(j)) {
			json_decref(j);
			return bad(wh, AXO_WH_EPROTO,
			    "peer sent a bad version message");
		}
		json_decref(j);
		return 0;
	}
	if (num < wh->in_next || wh->ninbox >= WH_MAXHELD) {
		sodium_memzero(pt, len);
		free(pt);
		return num < wh->in_next ? 0 :
		    bad(wh, AXO_WH_EPROTO, "peer sent too many messages");
	}
	h = calloc(1, sizeof *h);
	if (h == NULL) {
		sodium_memzero(pt, len);
		free(pt);
		return bad(wh, AXO_WH_ESYS, "out of memory");
	}
	h->num = num;
	h->data = pt;
	h->len = len;
	snprintf(h->phase, sizeof h->phase, "%s", phase);
	for (pp = &wh->inbox; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = h;
	wh->ninbox++;
	return 0;
}

static int
got_pake(struct axo_wh *wh, const unsigned char *body, size_t blen)
{
	unsigned char msg[AXO_SPAKE2_MSGLEN];
	const char *hex;
	struct held *h;
	json_t *j;
	int r;

	/* _key.py got_pake: body is JSON {"pake_v1": hex(msg)} */
	j = json_loadb((const char *)body, blen, 0, NULL);
	hex = json_string_value(json_object_get(j, "pake_v1"));
	if (hex == NULL || !axo_scan_hex(hex, msg, sizeof msg)) {
		json_decref(j);
		return bad(wh, AXO_WH_EPROTO, "peer sent a bad pake message");
	}
	json_decref(j);
	r = axo_spake2_finish(wh->sp, msg, sizeof msg, wh->key);
	axo_spake2_wipe(wh->sp);
	if (r == AXO_SPAKE2_EREFLECT)
		return bad(wh, AXO_WH_EPROTO, "our own pake message came back");
	if (r != 0)
		return bad(wh, AXO_WH_EPROTO, "peer sent a bad pake message");
	wh->have_key = 1;
	/* wormhole.py create: the version phase, no app versions */
	if (tx_sealed(wh, "version", (const unsigned char *)
	    "{\"app_versions\": {}}", 20) != 0)
		return wh->fail;
	/* _order.py: what came before the pake is processed now, in order */
	while ((h = wh->early) != NULL) {
		wh->early = h->next;
		h->next = NULL;
		wh->nearly--;
		r = got_phase(wh, (const char *)h->data + h->len + 1,
		    h->phase, h->data, h->len);
		free_held(h);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
got_message(struct axo_wh *wh, json_t *j)
{
	const char *side, *phase, *hex;
	unsigned char *body;
	struct held *h, **pp;
	size_t blen = 0, sl;
	int i, r;

	side = json_string_value(json_object_get(j, "side"));
	phase = json_string_value(json_object_get(j, "phase"));
	hex = json_string_value(json_object_get(j, "body"));
	if (side == NULL || phase == NULL || hex == NULL)
		return bad(wh, AXO_WH_EPROTO, "relay sent a bad message");
	/* _mailbox.py rx_message: our own side is an echo */
	if (strcmp(side, wh->side) == 0)
		return 0;
	if (strlen(phase) >= WH_MAXPHASELEN || strlen(side) > 64)
		return bad(wh, AXO_WH_EPROTO, "relay sent a bad message");
	/* Mailbox._processed: one message per peer phase */
	for (i = 0; i < wh->nphases; i++)
		if (strcmp(wh->phases[i], phase) == 0)
			return 0;
	if (wh->nphases == WH_MAXPHASES)
		return bad(wh, AXO_WH_EPROTO, "peer sent too many phases");
	snprintf(wh->phases[wh->nphases++], WH_MAXPHASELEN, "%s", phase);
	if (hexbody(wh, hex, &body, &blen) != 0)
		return wh->fail;
	/* _mailbox.py N_release_and_accept: release at the first peer message */
	if (!wh->released && wh->claimsent) {
		wh->released = 1;
		if (tx(wh, json_pack("{s:s}", "nameplate", wh->nameplate),
		    "release") != 0) {
			free(body);
			return wh->fail;
		}
	}
	if (strcmp(phase, "pake") == 0) {
		r = got_pake(wh, body, blen);
		free(body);
		return r;
	}
	if (wh->have_key) {
		r = got_phase(wh, side, phase, body, blen);
		free(body);
		return r;
	}
	if (wh->nearly == WH_MAXHELD) {
		free(body);
		return bad(wh, AXO_WH_EPROTO, "peer sent too many messages");
	}
	/* held with the side after the body: data, NUL, side, NUL */
	sl = strlen(side);
	h = new_held(phase, body, blen);
	free(body);
	if (h == NULL || (body = realloc(h->data, blen + sl + 2)) == NULL) {
		free_held(h);
		return bad(wh, AXO_WH_ESYS, "out of memory");
	}
	h->data = body;
	memcpy(h->data + blen + 1, side, sl + 1);
	for (pp = &wh->early; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = h;
	wh->nearly++;
	return 0;
}

static int
got_welcome(struct axo_wh *wh, json_t *j)
{
	json_t *w, *perm;
	const char *s;

	w = json_object_get(j, "welcome");
	if (!json_is_object(w))
		return bad(wh, AXO_WH_EPROTO, "relay sent a bad welcome");
	wh->welcomed = 1;
	/* cli/welcome.py handle_welcome: motd shown, error fatal */
	s = json_string_value(json_object_get(w, "motd"));
	if (s != NULL && wh->say != NULL)
		wh->say(wh->arg, s);
	if (json_object_get(w, "error") != NULL) {
		s = json_string_value(json_object_get(w, "error"));
		return bad(wh, AXO_WH_EPERM, "relay refuses service: %s",
		    s != NULL ? s : "(no reason given)");
	}
	/*
	 * magic-wormhole-protocols server-protocol.md: a relay that wants
	 * a permission before bind; only "none" asks nothing of us.
	 */
	perm = json_object_get(w, "permission-required");
	if (perm != NULL) {
		if (json_object_get(perm, "none") == NULL)
			return bad(wh, AXO_WH_EPERM,
			    "relay requires a permission (hashcash) that is not supported");
		if (tx(wh, json_pack("{s:s}", "method", "none"),
		    "submit-permissions") != 0)
			return wh->fail;
	}
	if (tx(wh, json_pack("{s:s, s:s, s:[s, s]}", "appid", wh->appid,
	    "side", wh->side, "client_version", "axo-pake", "1"), "bind") != 0)
		return wh->fail;
	/* _allocator.py: with no code, a nameplate from the relay first */
	if (wh->allocating)
		return tx(wh, json_object(), "allocate");
	wh->claimsent = 1;
	return tx(wh, json_pack("{s:s}", "nameplate", wh->nameplate), "claim");
}

/*
 * _allocator.py build_and_notify: the code is the nameplate, "-", and
 * two words (_wordlist.py choose_words); then claim it, as _code.py
 * does once the code is known.  The relay has claimed the nameplate for
 * us already (server.py allocate_nameplate): our claim opens the mailbox.
 */
static int
got_allocated(struct axo_wh *wh, json_t *j)
{
	const char *np;
	char *code;
	size_t nl, i;
	int r;

	if (!wh->allocating || wh->code != NULL)
		return 0;
	np = json_string_value(json_object_get(j, "nameplate"));
	nl = np != NULL ? strlen(np) : 0;
	for (i = 0; i < nl && np[i] >= '0' && np[i] <= '9'; i++)
		;
	/* digits, as axo-pake takes a code: the peer must be able to type it */
	if (nl == 0 || nl > WH_MAXNAMEPLATE || i != nl)
		return bad(wh, AXO_WH_EPROTO,
		    "relay sent a bad allocated message");
	code = axo_xmalloc(MAXCODEBUF);
	memcpy(code, np, nl);
	code[nl] = '-';
	if (axo_words_choose(code + nl + 1, MAXCODEBUF - nl - 1,
	    WH_CODEWORDS) == 0) {
		axo_free(code);
		return bad(wh, AXO_WH_ESYS, "unable to make a code");
	}
	r = set_code(wh, code);
	axo_free(code);
	if (r != 0)
		return bad(wh, AXO_WH_ESYS, "unable to start the key exchange");
	wh->claimsent = 1;
	return tx(wh, json_pack("{s:s}", "nameplate", wh->nameplate), "claim");
}

static int
got_claimed(struct axo_wh *wh, json_t *j)
{
	char body[16 + 2 * AXO_SPAKE2_MSGLEN + 3];
	char hex[2 * AXO_SPAKE2_MSGLEN + 1];
	const char *mb;

	mb = json_string_value(json_object_get(j, "mailbox"));
	if (mb == NULL || strlen(mb) >= sizeof wh->mailbox || !*mb)
		return bad(wh, AXO_WH_EPROTO, "relay sent a bad claimed message");
	if (wh->claimed)
		return 0;
	wh->claimed = 1;
	snprintf(wh->mailbox, sizeof wh->mailbox, "%s", mb);
	if (tx(wh, json_pack("{s:s}", "mailbox", mb), "open") != 0)
		return wh->fail;
	wh->opened = 1;
	/* _key.py build_pake: json.dumps({"pake_v1": hex}), Python spacing */
	axo_fmt_hex(hex, wh->pakemsg, sizeof wh->pakemsg);
	snprintf(body, sizeof body, "{\"pake_v1\": \"%s\"}", hex);
	return tx_add(wh, "pake", (const unsigned char *)body, strlen(body));
}

int
axo_wh_rx(struct axo_wh *wh, const char *msg, size_t len)
{
	const char *type, *e;
	json_t *j;
	int r = 0;

	j = json_loadb(msg, len, 0, NULL);
	/* after a failure only our close's "closed" still matters */
	if (wh->fail) {
		type = json_string_value(json_object_get(j, "type"));
		if (type != NULL && strcmp(type, "closed") == 0)
			wh->closed = 1;
		json_decref(j);
		return wh->fail;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return bad(wh, AXO_WH_EPROTO, "relay sent bad json");
	}
	type = json_string_value(json_object_get(j, "type"));
	if (type == NULL)
		r = bad(wh, AXO_WH_EPROTO, "relay sent a message without a type");
	else if (!wh->welcomed && strcmp(type, "welcome") != 0)
		r = bad(wh, AXO_WH_EPROTO, "relay did not welcome us");
	else if (strcmp(type, "welcome") == 0)
		r = wh->welcomed == 2 ? 0 : got_welcome(wh, j);
	else if (strcmp(type, "allocated") == 0)
		r = got_allocated(wh, j);
	else if (strcmp(type, "claimed") == 0)
		r = got_claimed(wh, j);
	else if (strcmp(type, "message") == 0)
		r = got_message(wh, j);
	else if (strcmp(type, "closed") == 0)
		wh->closed = 1;
	else if (strcmp(type, "error") == 0) {
		e = json_string_value(json_object_get(j, "error"));
		if (e != NULL && strcmp(e, "crowded") == 0)
			r = bad(wh, AXO_WH_ECROWD,
			    "nameplate %s is crowded: the master key is in use",
			    wh->nameplate);
		else
			r = bad(wh, AXO_WH_ERELAY, "relay error: %.160s",
			    e != NULL ? e : "(no reason given)");
	}
	/* ack, released, pong, nameplates, unknown: ignored */
	if (wh->welcomed == 1)
		wh->welcomed = 2;
	json_decref(j);
	return r;
}

int
axo_wh_queue(struct axo_wh *wh, const unsigned char *data, size_t len)
{
	struct held *h, **pp;
	char phase[16];

	if (wh->fail)
		return wh->fail;
	/* _boss.py S_send: each side numbers its own phases from 0 */
	snprintf(phase, sizeof phase, "%lu", wh->out_next++);
	if (wh->verified)
		return tx_sealed(wh, phase, data, len);
	/* _send.py: held until the peer's version verified the key */
	if (wh->noutq == WH_MAXQUEUE || (h = new_held(phase, data, len)) == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	for (pp = &wh->outq; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = h;
	wh->noutq++;
	return 0;
}

int
axo_wh_offer(struct axo_wh *wh, const unsigned char *text, size_t len)
{
	json_t *o;
	char *s;
	int r;

	/* cmd_send.py _build_offer; jansson refuses what is not UTF-8 */
	o = json_pack("{s:{s:s%}}", "offer", "message", (const char *)text,
	    len);
	if (o == NULL)
		return -1;
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL)
		return bad(wh, AXO_WH_ESYS, "out of memory");
	r = axo_wh_queue(wh, (const unsigned char *)s, strlen(s));
	wipe_free(s);
	return r;
}

int
axo_wh_next(struct axo_wh *wh, const unsigned char **data, size_t *len)
{
	struct held **pp, *h;

	free_held(wh->cur);
	wh->cur = NULL;
	/* _boss.py W_received: strictly in order from "0", no gaps */
	for (pp = &wh->inbox; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->num == wh->in_next) {
			h = *pp;
			*pp = h->next;
			h->next = NULL;
			wh->ninbox--;
			wh->in_next++;
			wh->cur = h;
			*data = h->data;
			*len = h->len;
			return 1;
		}
	}
	return 0;
}

int
axo_wh_paired(const struct axo_wh *wh)
{
	return wh->have_key;
}

int
axo_wh_verified(const struct axo_wh *wh)
{
	return wh->verified;
}

int
axo_wh_closed(const struct axo_wh *wh)
{
	return wh->closed;
}

int
axo_wh_close(struct axo_wh *wh, const char *mood)
{
	int r = 0;

	if (wh->claimsent && !wh->released) {
		wh->released = 1;
		r = tx(wh, json_pack("{s:s}", "nameplate", wh->nameplate),
		    "release");
	}
	if (wh->opened && r == 0)
		r = tx(wh, json_pack("{s:s, s:s}", "mailbox", wh->mailbox,
		    "mood", mood), "close");
	else
		wh->closed = 1;	/* nothing to wait for */
	wh->opened = 0;
	return r;
}

const char *
axo_wh_code(const struct axo_wh *wh)
{
	return wh->code;
}

const char *
axo_wh_why(const struct axo_wh *wh)
{
	return wh->why;
}

int
axo_wh_derive(const struct axo_wh *wh, const char *purpose,
    unsigned char *out, size_t len)
{
	if (!wh->have_key)
		return -1;
	axo_wh_derive_key(out, len, wh->key, purpose);
	return 0;
}

void
axo_wh_free(struct axo_wh *wh)
{
	if (wh == NULL)
		return;
	free_held(wh->early);
	free_held(wh->inbox);
	free_held(wh->outq);
	free_held(wh->cur);
	axo_free(wh->sp);
	axo_free(wh->key);
	axo_free(wh->code);
	free(wh->appid);
	free(wh);
}
