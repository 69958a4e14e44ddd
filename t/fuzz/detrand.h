/* SPDX-License-Identifier: GPL-2.0-only */
/* detrand.h: a deterministic RNG for fuzz targets only (never a program). */
#ifndef AXO_DETRAND_H
#define AXO_DETRAND_H

#include <stdint.h>

#include <sodium.h>

/*
 * A ChaCha20 stream under a fixed key, installed with
 * randombytes_set_implementation before sodium_init (a test-only link, as
 * STYLE.md asks): the same inputs give the same keys, nonces and records
 * on every run, so a committed corpus stays meaningful.  det_reset()
 * restarts the stream.
 */
#ifndef DET_KEY
#define DET_KEY "axotor fuzz rng: not a secret!!"
#endif
static const unsigned char det_key[32] = DET_KEY;
static uint64_t det_counter;

static void
det_buf(void *buf, size_t size)
{
	unsigned char nonce[8];
	int i;

	for (i = 0; i < 8; i++)
		nonce[i] = (unsigned char)(det_counter >> (8 * i));
	det_counter++;
	crypto_stream_chacha20(buf, size, nonce, det_key);
}

static uint32_t
det_random(void)
{
	uint32_t r;

	det_buf(&r, sizeof r);
	return r;
}

static const char *
det_name(void)
{
	return "axotor-fuzz-chacha20";
}

static struct randombytes_implementation det_impl = {
	det_name, det_random, NULL, NULL, det_buf, NULL
};

static void
det_install(void)
{
	randombytes_set_implementation(&det_impl);
	if (sodium_init() < 0)
		abort();
}

/* unused by some targets: no warning for them */
__attribute__((unused)) static void
det_reset(void)
{
	det_counter = 0;
}

#endif
