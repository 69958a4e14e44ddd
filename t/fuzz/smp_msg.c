/* SPDX-License-Identifier: GPL-2.0-only */
/* smp_msg: libFuzzer target feeding each SMP message parser and verifier. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "smp.h"

/*
 * The first byte picks the message (1-4, modulo 4); the rest is given as
 * that message to the side that receives it, after an honest run up to
 * that point.  Randomness is a ChaCha20 stream restarted for every input
 * (a test-only link: randombytes_set_implementation), so the honest
 * messages are the same every time and the corpus can hold them; the
 * fuzzer mutates them from there.  The oracle: a step accepts the message
 * if and only if it is the honest one byte for byte, and then the verdict
 * is "equal" (both secrets are).  Anything else aborts.
 *
 * Built with -DSMP_MSG_GEN and without -fsanitize=fuzzer, it writes the
 * seed corpus (the four honest messages, each also one byte short, and
 * each with bit 255 of its first element set: the non-canonical encoding
 * that libsodium 1.0.18 lets through, issue 11) into the directory given
 * as its argument.
 */

/* The key of the committed corpus's RNG stream. */
#define DET_KEY "axotor smp fuzz: not a secret!!"
#include "detrand.h"

static const unsigned char sid[32] = "axotor smp fuzz session id 32by";
static const unsigned char secret[] = "swordfish";

static struct axo_smp *
side(int initiator)
{
	struct axo_smp *st;

	st = axo_smp_new(initiator, sid, sizeof sid,
	    (const unsigned char *)"alice", 5, (const unsigned char *)"bob", 3,
	    secret, sizeof secret - 1);
	if (st == NULL)
		abort();
	return st;
}

/*
 * Runs the protocol honestly until message n is due; its honest bytes in
 * honest[], then gives in[] to the receiver.  Returns the step's result.
 */
static int
feed(int n, const unsigned char *in, size_t len, unsigned char *honest,
    int *match)
{
	unsigned char m[5][AXO_SMP_MSG_MAX];
	struct axo_smp *a, *b;
	int r = -1, mb = -1;

	det_reset();
	a = side(1);
	b = side(0);
	*match = -1;
	if (axo_smp_step1(a, m[1]) != 0)
		abort();
	if (n > 1 && axo_smp_step2(b, m[1], AXO_SMP_MSG1_LEN, m[2]) != 0)
		abort();
	if (n > 2 && axo_smp_step3(a, m[2], AXO_SMP_MSG2_LEN, m[3]) != 0)
		abort();
	if (n > 3 && (axo_smp_step4(b, m[3], AXO_SMP_MSG3_LEN, m[4], &mb) != 0
	    || mb != 1))
		abort();
	memcpy(honest, m[n], axo_smp_msglen(n));
	if (in != NULL) {
		switch (n) {
		case 1:
			r = axo_smp_step2(b, in, len, m[0]);
			break;
		case 2:
			r = axo_smp_step3(a, in, len, m[0]);
			break;
		case 3:
			r = axo_smp_step4(b, in, len, m[0], match);
			break;
		case 4:
			r = axo_smp_step5(a, in, len, match);
			break;
		}
	}
	axo_smp_free(a);
	axo_smp_free(b);
	return r;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	det_install();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char honest[AXO_SMP_MSG_MAX];
	int n, r, match, same;

	if (size < 1)
		return 0;
	n = data[0] % 4 + 1;
	r = feed(n, data + 1, size - 1, honest, &match);
	same = size - 1 == axo_smp_msglen(n) &&
	    memcmp(data + 1, honest, size - 1) == 0;
	if (same != (r == 0))
		abort();
	if (r == 0 && n >= 3 && match != 1)
		abort();
	return 0;
}

#ifdef SMP_MSG_GEN
int main(int, char **);

int
main(int argc, char **argv)
{
	unsigned char honest[AXO_SMP_MSG_MAX], buf[1 + AXO_SMP_MSG_MAX];
	char path[4096];
	size_t len;
	FILE *f;
	int n, cut;

	if (argc != 2)
		return 100;
	LLVMFuzzerInitialize(&argc, &argv);
	for (n = 1; n <= 4; n++) {
		(void)feed(n, NULL, 0, honest, &cut);
		for (cut = 0; cut < 3; cut++) {
			len = axo_smp_msglen(n) - (size_t)(cut == 1);
			buf[0] = (unsigned char)(n - 1);
			memcpy(buf + 1, honest, len);
			/* every message starts with an element, after 4 bytes */
			if (cut == 2)
				buf[1 + 4 + 31] |= 0x80;
			snprintf(path, sizeof path, "%s/msg%d%s", argv[1], n,
			    cut == 1 ? "-short" : cut == 2 ? "-bit255" : "");
			f = fopen(path, "wb");
			if (f == NULL || fwrite(buf, 1, len + 1, f) != len + 1 ||
			    fclose(f) != 0)
				return 111;
			/* the oracle holds for the seeds too */
			LLVMFuzzerTestOneInput(buf, len + 1);
		}
	}
	return 0;
}
#endif
