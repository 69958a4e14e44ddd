/* SPDX-License-Identifier: GPL-2.0-only */
/* ratchet-bench: axo-ratchet's core against raw AEAD and libolm, in process. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <olm/olm.h>
#include <sodium.h>

#include "axo.h"
#include "ratchet.h"

/*
 * Modes:
 *   ratchet-bench core        the in-process table (tab-separated rows)
 *   ratchet-bench spawn N IN OUT prog...
 *                             run prog N times, stdin IN, stdout OUT;
 *                             prints median wall µs and max RSS KiB
 * Every figure is a median of batches, so a noisy neighbour costs a
 * batch, not the result.
 */

#define BATCHES 9

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, n, sizeof *v, cmpd);
	return v[n / 2];
}

static void
pair_init(struct axo_ratchet *a, struct axo_ratchet *b)
{
	unsigned char sk[32], key[AXO_RATCHET_KEYFILE], pub[32];

	randombytes_buf(sk, sizeof sk);
	axo_ratchet_keygen(key);
	axo_ratchet_keyfile_pub(key, sizeof key, pub);
	if (axo_ratchet_init_bob(b, sk, key, sizeof key) != 0 ||
	    axo_ratchet_init_alice(a, sk, pub) != 0)
		abort();
}

/* One message from s to r through records: µs a message. */
static double
axo_msgs(struct axo_ratchet *a, struct axo_ratchet *b, size_t len, int n,
    int alternate)
{
	static unsigned char rec[AXO_FRAME_MAX], out[AXO_FRAME_MAXBODY],
	    msg[AXO_FRAME_MAXDATA];
	struct axo_ratchet *s, *r, *t;
	double v[BATCHES], t0;
	size_t size, dlen;
	int i, k, type;

	/* bob must hear from alice before he can send */
	size = axo_frame_seal(a, rec, AXO_FRAME_DATA, msg, 0);
	if (axo_frame_open(b, out, &dlen, &type, rec, size) != 0)
		abort();
	for (k = 0; k < BATCHES; k++) {
		s = a, r = b;
		t0 = now();
		for (i = 0; i < n; i++) {
			size = axo_frame_seal(s, rec, AXO_FRAME_DATA, msg, len);
			if (axo_frame_open(r, out, &dlen, &type, rec, size) != 0)
				abort();
			if (alternate)
				t = s, s = r, r = t;
		}
		v[k] = (now() - t0) / n;
	}
	return median(v, BATCHES);
}

/* Raw XChaCha20-Poly1305 seal and open of len bytes: µs. */
static double
raw_aead(size_t len, int n)
{
	static unsigned char m[AXO_FRAME_MAX], c[AXO_FRAME_MAX + 16];
	unsigned char k[32], nonce[24];
	double v[BATCHES], t0;
	int i, j;

	randombytes_buf(k, sizeof k);
	for (j = 0; j < BATCHES; j++) {
		t0 = now();
		for (i = 0; i < n; i++) {
			randombytes_buf(nonce, sizeof nonce);
			crypto_aead_xchacha20poly1305_ietf_encrypt(c, NULL, m,
			    len, NULL, 0, NULL, nonce, k);
			if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL,
			    NULL, c, len + 16, NULL, 0, nonce, k) != 0)
				abort();
		}
		v[j] = (now() - t0) / n;
	}
	return median(v, BATCHES);
}

/* libolm: two accounts, an outbound and an inbound session. */
struct olmside {
	OlmAccount *acc;
	OlmSession *ses;
};

static void *
rnd(size_t n)
{
	void *p = malloc(n ? n : 1);

	randombytes_buf(p, n);
	return p;
}

static const char *
jget(const char *js, size_t len, const char *k1, int first)
{
	json_t *j = json_loadb(js, len, 0, NULL), *v;
	const char *key;

	v = json_object_get(j, k1);
	if (first)
		json_object_foreach(v, key, v)
			break;
	return strdup(json_string_value(v));
}

static size_t
olm_send(OlmSession *s, const unsigned char *pt, size_t len, char *msg,
    size_t *type)
{
	size_t rl = olm_encrypt_random_length(s), ml;
	void *r = rnd(rl);

	*type = olm_encrypt_message_type(s);
	ml = olm_encrypt_message_length(s, len);
	if (olm_encrypt(s, pt, len, r, rl, msg, ml) == olm_error())
		abort();
	free(r);
	return ml;
}

static void
olm_recv(OlmSession *s, size_t type, const char *msg, size_t ml,
    unsigned char *pt, size_t ptmax)
{
	static char tmp[1 << 17];

	memcpy(tmp, msg, ml);
	if (olm_decrypt(s, type, tmp, ml, pt, ptmax) == olm_error())
		abort();
}

static double
olm_msgs(size_t len, int n, int alternate)
{
	static char msg[1 << 17], tmp[1 << 17];
	static unsigned char pt[1 << 16], out[1 << 16];
	struct olmside a, b, *s, *r, *t;
	const char *idk, *otk;
	double v[BATCHES], t0;
	size_t rl, ml, type, l;
	void *rr;
	int i, k;

	a.acc = olm_account(malloc(olm_account_size()));
	b.acc = olm_account(malloc(olm_account_size()));
	rr = rnd(rl = olm_create_account_random_length(a.acc));
	olm_create_account(a.acc, rr, rl);
	rr = rnd(rl = olm_create_account_random_length(b.acc));
	olm_create_account(b.acc, rr, rl);
	rr = rnd(rl = olm_account_generate_one_time_keys_random_length(b.acc,
	    1));
	olm_account_generate_one_time_keys(b.acc, 1, rr, rl);
	l = olm_account_identity_keys_length(b.acc);
	olm_account_identity_keys(b.acc, tmp, l);
	idk = jget(tmp, l, "curve25519", 0);
	l = olm_account_one_time_keys_length(b.acc);
	olm_account_one_time_keys(b.acc, tmp, l);
	otk = jget(tmp, l, "curve25519", 1);
	a.ses = olm_session(malloc(olm_session_size()));
	b.ses = olm_session(malloc(olm_session_size()));
	rr = rnd(rl = olm_create_outbound_session_random_length(a.ses));
	if (olm_create_outbound_session(a.ses, a.acc, idk, strlen(idk), otk,
	    strlen(otk), rr, rl) == olm_error())
		abort();
	ml = olm_send(a.ses, pt, 1, msg, &type);
	memcpy(tmp, msg, ml);
	if (olm_create_inbound_session(b.ses, b.acc, tmp, ml) == olm_error())
		abort();
	olm_recv(b.ses, type, msg, ml, out, sizeof out);
	/* b answers once, so a's messages stop being pre-key messages */
	ml = olm_send(b.ses, pt, 1, msg, &type);
	olm_recv(a.ses, type, msg, ml, out, sizeof out);
	for (k = 0; k < BATCHES; k++) {
		s = &a, r = &b;
		t0 = now();
		for (i = 0; i < n; i++) {
			ml = olm_send(s->ses, pt, len, msg, &type);
			olm_recv(r->ses, type, msg, ml, out, sizeof out);
			if (alternate)
				t = s, s = r, r = t;
		}
		v[k] = (now() - t0) / n;
	}
	return median(v, BATCHES);
}

/* One X25519 (variable base): the unit of a DH ratchet step's cost. */
static double
x25519(int n)
{
	unsigned char sk[32], pk[32], out[32];
	double v[BATCHES], t0;
	int i, k;

	crypto_box_keypair(pk, sk);
	for (k = 0; k < BATCHES; k++) {
		t0 = now();
		for (i = 0; i < n; i++)
			if (crypto_scalarmult(out, sk, pk) != 0)
				abort();
		v[k] = (now() - t0) / n;
	}
	return median(v, BATCHES);
}

static int
core(void)
{
	struct axo_ratchet *a, *b;
	double raw64, raw, one, alt, bulk, o1, oalt, obulk, x;
	size_t big = AXO_FRAME_MAXDATA;

	a = axo_xmalloc(sizeof *a);
	b = axo_xmalloc(sizeof *b);
	/* Each baseline is measured before and after what it is compared
	 * with, and the two averaged, so a load that comes and goes tilts
	 * the ratio less. */
	raw64 = raw_aead(64, 20000);
	pair_init(a, b);
	one = axo_msgs(a, b, 64, 20000, 0);
	raw64 = (raw64 + raw_aead(64, 20000)) / 2;
	x = x25519(500);
	pair_init(a, b);
	alt = axo_msgs(a, b, 64, 2000, 1);
	x = (x + x25519(500)) / 2;
	raw = raw_aead(big, 200);
	pair_init(a, b);
	bulk = axo_msgs(a, b, big, 200, 0);
	raw = (raw + raw_aead(big, 200)) / 2;
	o1 = olm_msgs(64, 5000, 0);
	oalt = olm_msgs(64, 1000, 1);
	obulk = olm_msgs(big, 50, 0);
	printf("raw64\t%.2f\n", raw64);
	printf("raw_mbs\t%.1f\n", big / raw);
	printf("axo_one\t%.2f\n", one);
	printf("axo_alt\t%.2f\n", alt);
	printf("x25519\t%.2f\n", x);
	printf("axo_bulk_mbs\t%.1f\n", big / bulk);
	printf("olm_one\t%.2f\n", o1);
	printf("olm_alt\t%.2f\n", oalt);
	printf("olm_bulk_mbs\t%.1f\n", big / obulk);
	return 0;
}

static int
spawn(int argc, char **argv)
{
	double *v, t0;
	struct rusage ru;
	long maxrss = 0;
	unsigned long n;
	int i, st, in, out;
	pid_t pid;

	if (argc < 6 || !axo_scan_uint(argv[2], 100000, &n) || n == 0)
		axo_usage("ratchet-bench spawn n in out prog...");
	v = calloc(n, sizeof *v);
	for (i = 0; i < (int)n; i++) {
		t0 = now();
		pid = fork();
		if (pid == 0) {
			in = open(argv[3], O_RDONLY);
			out = open(argv[4], O_WRONLY);
			if (in == -1 || out == -1 || dup2(in, 0) == -1 ||
			    dup2(out, 1) == -1)
				_exit(111);
			execvp(argv[5], argv + 5);
			_exit(127);
		}
		if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			axo_die(111, "%s failed", argv[5]);
		v[i] = now() - t0;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	printf("%.1f\t%ld\n", median(v, (int)n), maxrss);
	return 0;
}

int
main(int argc, char **argv)
{
	axo_init("ratchet-bench");
	if (argc >= 2 && strcmp(argv[1], "core") == 0)
		return core();
	if (argc >= 2 && strcmp(argv[1], "spawn") == 0)
		return spawn(argc, argv);
	axo_usage("ratchet-bench core | spawn n in out prog...");
}
