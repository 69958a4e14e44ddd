/* SPDX-License-Identifier: GPL-2.0-only */
/* ratchet_state: libFuzzer target for the state loader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axo.h"
#include "ratchet.h"
#include "detrand.h"

/*
 * Any bytes as a state file.  The oracles: a state that loads saves back
 * to the same bytes, and can then encrypt (if it may send) and try a
 * record without a crash; a wrap's marker is what axo_ratchet_mark
 * writes, and cannot send.
 *
 * Built with -DRATCHET_STATE_GEN and without -fsanitize=fuzzer, it
 * writes valid states (fresh, after messages, with skipped keys) as seeds.
 */

static struct axo_ratchet *r;
static unsigned char *buf;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	det_install();
	r = axo_xmalloc(sizeof *r);
	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char rec[AXO_FRAME_MAX], out[AXO_FRAME_MAXBODY];
	size_t n, dlen;
	int type, rc;

	rc = axo_ratchet_load(r, data, size);
	if (rc == 1) {
		/* the marker of a wrap: exactly what mark writes, and it
		 * can never send (issue 11) */
		n = axo_ratchet_mark(r, buf);
		if (n != size || memcmp(buf, data, n) != 0 ||
		    axo_ratchet_can_send(r))
			abort();
		return 0;
	}
	if (rc != 0)
		return 0;
	n = axo_ratchet_save(r, buf);
	if (n != size || memcmp(buf, data, n) != 0)
		abort();
	if (axo_ratchet_can_send(r)) {
		n = axo_frame_seal(r, rec, AXO_FRAME_DATA, rec, 10);
		(void)axo_frame_open(r, out, &dlen, &type, rec, n);
	}
	return 0;
}

#ifdef RATCHET_STATE_GEN
static void
put(const char *dir, const char *name, const struct axo_ratchet *s)
{
	char path[4096];
	size_t n;
	FILE *f;

	n = axo_ratchet_save(s, buf);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, n, f) != n ||
	    fclose(f) != 0)
		abort();
}

int
main(int argc, char **argv)
{
	static unsigned char rec[AXO_FRAME_MAX], out[AXO_FRAME_MAXBODY];
	unsigned char sk[32], key[AXO_RATCHET_KEYFILE], pub[32];
	struct axo_ratchet *a, *b;
	size_t n, dlen;
	int type, i;

	if (argc != 2)
		return 100;
	LLVMFuzzerInitialize(NULL, NULL);
	a = axo_xmalloc(sizeof *a);
	b = axo_xmalloc(sizeof *b);
	memset(sk, 9, sizeof sk);
	axo_ratchet_keygen(key);
	axo_ratchet_keyfile_pub(key, sizeof key, pub);
	axo_ratchet_init_bob(b, sk, key, sizeof key);
	axo_ratchet_init_alice(a, sk, pub);
	put(argv[1], "alice-fresh", a);
	put(argv[1], "bob-fresh", b);
	for (i = 0; i < 4; i++)
		n = axo_frame_seal(a, rec, AXO_FRAME_DATA, rec, 3);
	if (axo_frame_open(b, out, &dlen, &type, rec, n) != 0)
		abort();
	put(argv[1], "bob-skipped", b);
	n = axo_frame_seal(b, rec, AXO_FRAME_DATA, rec, 3);
	if (axo_frame_open(a, out, &dlen, &type, rec, n) != 0)
		abort();
	put(argv[1], "alice-stepped", a);
	n = axo_ratchet_mark(a, buf);
	snprintf((char *)out, sizeof out, "%s/alice-in-wrap", argv[1]);
	{
		FILE *f = fopen((char *)out, "wb");

		if (f == NULL || fwrite(buf, 1, n, f) != n || fclose(f) != 0)
			abort();
	}
	return 0;
}
#endif
