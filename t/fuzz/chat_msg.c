/* SPDX-License-Identifier: GPL-2.0-only */
/* chat_msg: libFuzzer target for the in-chat message parser and name cleaner. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The input is a stream of messages from the peer, parsed as axo-chat
 * parses fd 6.  Oracles: a verdict on a prefix never changes with more
 * bytes; a complete message is never longer than the input nor than
 * AXO_CHAT_MSG_MAX, and "need more" is never said past that size; a
 * message that parses is built again byte for byte by axo_chat_put; a
 * nick or text that parses is printable (cleaning leaves it as it is);
 * an offered name cleans into a safe basename, and cleaning is
 * idempotent.
 */

static unsigned char out[AXO_CHAT_MSG_MAX];

static void
check_name(const unsigned char *s, size_t n)
{
	char a[AXO_CHAT_SAFE_MAX + 1], b[AXO_CHAT_SAFE_MAX + 1];
	size_t la, lb, i;

	la = axo_chat_safe_name(a, s, n);
	if (la == 0 || la > AXO_CHAT_SAFE_MAX || la != strlen(a))
		abort();
	if (a[0] == '.' || a[0] == ' ' || a[la - 1] == ' ')
		abort();
	for (i = 0; i < la; i++)
		if (a[i] == '/' || a[i] == '\\')
			abort();
	if (!axo_chat_text_ok((unsigned char *)a, la))
		abort();
	lb = axo_chat_safe_name(b, (unsigned char *)a, la);
	if (la != lb || memcmp(a, b, la) != 0)
		abort();
}

static void
check_text(const unsigned char *s, size_t n)
{
	char c[AXO_CHAT_TEXT_MAX + 1];

	if (!axo_chat_text_ok(s, n))
		abort();
	if (axo_chat_clean(c, sizeof c, s, n) != n || memcmp(c, s, n) != 0)
		abort();
}

static void
rebuild(const struct axo_chat_msg *m, const unsigned char *in, size_t n)
{
	static const unsigned char v = AXO_CHAT_VERSION;
	size_t len;

	switch (m->type) {
	case AXO_CHAT_HELLO:
		check_text(m->data, m->len);
		len = axo_chat_put(out, m->type, 0, &v, 1, m->data, m->len);
		break;
	case AXO_CHAT_MSG:
		check_text(m->data, m->len);
		/* FALLTHROUGH */
	case AXO_CHAT_QUIT:
		len = axo_chat_put(out, m->type, 0, m->data, m->len, NULL, 0);
		break;
	case AXO_CHAT_OFFER:
		check_name(m->data, m->len);
		len = axo_chat_put_offer(out, m->id, m->size,
		    (const char *)m->data, m->len);
		break;
	default:
		len = axo_chat_put(out, m->type, m->id, m->data, m->len, NULL,
		    0);
	}
	if (len != n || memcmp(out, in, n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axo_chat_msg m, m2;
	char err[256];
	size_t off = 0, len;
	int n, n2, first;

	while (off < size) {
		first = 0;
		for (len = 0; len <= size - off; len++) {
			n = axo_chat_parse(data + off, len, &m, err,
			    sizeof err);
			if (n == 0) {
				if (len >= AXO_CHAT_MSG_MAX)
					abort();
				continue;
			}
			first = n;
			break;
		}
		if (first == 0)
			return 0;
		/* the same verdict with the whole rest of the input */
		n2 = axo_chat_parse(data + off, size - off, &m2, err,
		    sizeof err);
		if (n2 != first)
			abort();
		if (first < 0)
			return 0;
		if ((size_t)first > size - off || first > AXO_CHAT_MSG_MAX)
			abort();
		rebuild(&m, data + off, (size_t)first);
		off += (size_t)first;
	}
	return 0;
}
