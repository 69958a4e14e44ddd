/* SPDX-License-Identifier: GPL-2.0-only */
/* mailbox_msg: libFuzzer target for lib/wormhole.c, the relay's messages. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "axo.h"

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
		if (sodium_init() < 0)
			return 0;
		init = 1;
	}
	wh = axo_wh_new("axotor/v1", "93-xyz1zy", tx, say, NULL);
	if (wh == NULL)
		return 0;
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
