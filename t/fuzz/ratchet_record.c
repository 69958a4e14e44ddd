/* SPDX-License-Identifier: GPL-2.0-only */
/* ratchet_record: libFuzzer target for the record parser and decryptor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axo.h"
#include "ratchet.h"
#include "detrand.h"

/*
 * A fixed session (deterministic RNG): bob's state after alice's first
 * record.  Each input is a stream of records given to bob; the seed
 * corpus holds genuine ones, which the fuzzer mutates.  The oracles: a
 * record that fails leaves the state byte for byte as it was, and a
 * record that opens has a length within its body.
 *
 * Built with -DRATCHET_RECORD_GEN and without -fsanitize=fuzzer, it
 * writes the seeds into the directory given as its argument.
 */

static struct axo_ratchet *alice, *bob, *pristine;
static unsigned char *before, *after;

static void
setup(void)
{
	unsigned char sk[32], key[AXO_RATCHET_KEYFILE], pub[32];
	unsigned char rec[AXO_FRAME_MAX], out[AXO_FRAME_MAXBODY];
	size_t n, dlen;
	int type;

	det_install();
	det_reset();
	memset(sk, 7, sizeof sk);
	alice = axo_xmalloc(sizeof *alice);
	bob = axo_xmalloc(sizeof *bob);
	pristine = axo_xmalloc(sizeof *pristine);
	before = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	after = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	axo_ratchet_keygen(key);
	axo_ratchet_keyfile_pub(key, sizeof key, pub);
	if (axo_ratchet_init_bob(bob, sk, key, sizeof key) != 0 ||
	    axo_ratchet_init_alice(alice, sk, pub) != 0)
		abort();
	n = axo_frame_seal(alice, rec, AXO_FRAME_DATA, rec, 0);
	if (axo_frame_open(bob, out, &dlen, &type, rec, n) != 0)
		abort();
	memcpy(pristine, bob, sizeof *bob);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	setup();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char out[AXO_FRAME_MAXBODY];
	size_t off, n, dlen, lb, la;
	int rc, type;

	memcpy(bob, pristine, sizeof *bob);
	for (off = 0; size - off >= 2; off += n) {
		n = axo_frame_peek(data + off);
		if (n == 0 || n > size - off)
			break;
		lb = axo_ratchet_save(bob, before);
		rc = axo_frame_open(bob, out, &dlen, &type, data + off, n);
		if (rc == 0 && dlen > n - 2 - AXO_RATCHET_OVERHEAD - 2)
			abort();
		if (rc != 0 && rc != -AXO_RATCHET_EBODY) {
			la = axo_ratchet_save(bob, after);
			if (la != lb || memcmp(before, after, la) != 0)
				abort();
		}
	}
	return 0;
}

#ifdef RATCHET_RECORD_GEN
static void
put(const char *dir, const char *name, const unsigned char *p, size_t n)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0)
		abort();
}

int
main(int argc, char **argv)
{
	static unsigned char rec[4 * AXO_FRAME_MAX], msg[2000];
	size_t n = 0, one;

	if (argc != 2)
		return 100;
	setup();
	memset(msg, 'm', sizeof msg);
	one = axo_frame_seal(alice, rec, AXO_FRAME_DATA, msg, 5);
	put(argv[1], "one", rec, one);
	n = one;
	n += axo_frame_seal(alice, rec + n, AXO_FRAME_DATA, msg, 600);
	n += axo_frame_seal(alice, rec + n, AXO_FRAME_END, msg, 0);
	put(argv[1], "three", rec, n);
	/* out of order: the second and third before the first */
	put(argv[1], "reordered", rec + one, n - one);
	return 0;
}
#endif
