/* SPDX-License-Identifier: GPL-2.0-only */
/* mailbox_msg: libFuzzer target for lib/wormhole.c, the relay's messages. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "wormhole.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
tx(void *arg, const char *json, size_t len)
{
	(void)arg;
	(void)json;
	(void)len;
	return 0;
}

static void
say(void *arg, const char *motd)
{
	(void)arg;
	(void)motd;
}

/*
 * Fixed randomness, for this test-only link (STYLE.md: deterministic
 * randomness only in tests): side "0101010101" and SPAKE2 entropy of
 * 0x01 bytes, so that the seeds of t/vectors/gen-mailbox-seed.py can
 * carry a peer whose key matches and reach the version and app phases.
 */
static const char *
rnd_name(void)
{
	return "fuzz-fixed";
}

static uint32_t
rnd_random(void)
{
	return 0x01010101;
}

static void
rnd_buf(void *buf, size_t n)
{
	memset(buf, 1, n);
}

static struct randombytes_implementation rnd_fixed = {
	.implementation_name = rnd_name,
	.random = rnd_random,
	.buf = rnd_buf,
};

/*
 * One input is a session: messages from the relay, one a line, fed in
 * order to a fresh state machine (as axo-pake does), then the peer's
 * app messages drained and the mailbox closed.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct axo_wh *wh;
	const unsigned char *p;
	const char *s = (const char *)data, *e;
	size_t n;

	if (!init) {
		if (randombytes_set_implementation(&rnd_fixed) != 0 ||
		    sodium_init() < 0)
			return 0;
		init = 1;
	}
	wh = axo_wh_new("axotor/v1", "93-xyz1zy", tx, say, NULL);
	if (wh == NULL)
		return 0;
	/* held until the key is verified, then sealed and sent */
	(void)axo_wh_offer(wh, (const unsigned char *)"record", 6);
	while (size > 0) {
		e = memchr(s, '\n', size);
		n = e != NULL ? (size_t)(e - s) : size;
		(void)axo_wh_rx(wh, s, n);
		while (axo_wh_next(wh, &p, &n) == 1)
			;
		n = e != NULL ? (size_t)(e - s) + 1 : size;
		s += n;
		size -= n;
	}
	(void)axo_wh_close(wh, "happy");
	axo_wh_free(wh);
	return 0;
}
