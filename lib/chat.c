/* SPDX-License-Identifier: GPL-2.0-only */
/* chat.c: the in-chat protocol of axo-chat: framing, strict parsing, text. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chat.h"

/*
 * Every message is a type byte, a 4-byte big-endian payload length and
 * the payload (axotor(7) "CHAT PROTOCOL").  The length is checked against
 * the type's own bounds as soon as the 5-byte header is there, so that
 * no peer can make us buffer more than one chunk.
 */

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* The payload bounds of each type; 0 and 0 for an unknown type. */
static int
bounds(int type, size_t *min, size_t *max)
{
	switch (type) {
	case AXO_CHAT_HELLO:
		*min = 2, *max = 1 + AXO_CHAT_NICK_MAX;
		return 1;
	case AXO_CHAT_MSG:
		*min = 1, *max = AXO_CHAT_TEXT_MAX;
		return 1;
	case AXO_CHAT_QUIT:
	case AXO_CHAT_FILES:
	case AXO_CHAT_NOFILES:
		*min = 0, *max = 0;
		return 1;
	case AXO_CHAT_RECEIPT:
		*min = 4, *max = 4;
		return 1;
	case AXO_CHAT_OFFER:
		*min = 13, *max = 12 + AXO_CHAT_NAME_MAX;
		return 1;
	case AXO_CHAT_ACCEPT:
	case AXO_CHAT_ABORT:
	case AXO_CHAT_GOT:
		*min = 4, *max = 4;
		return 1;
	case AXO_CHAT_REJECT:
		*min = 4, *max = 4 + AXO_CHAT_REASON_MAX;
		return 1;
	case AXO_CHAT_CHUNK:
		*min = 5, *max = 4 + AXO_CHAT_CHUNK_MAX;
		return 1;
	case AXO_CHAT_END:
		*min = 36, *max = 36;
		return 1;
	}
	return 0;
}

/*
 * The length of the UTF-8 sequence at s (at most n bytes) and its code
 * point, or 0 when it is not well formed: no overlong forms, no
 * surrogates, nothing past U+10FFFF (RFC 3629 section 4).
 */
size_t
axo_chat_utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c, min;
	size_t len, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Control characters: C0, DEL and C1, the ones a terminal acts on. */
static int
is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

int
axo_chat_text_ok(const unsigned char *s, size_t n)
{
	size_t i, k;
	uint32_t c;

	for (i = 0; i < n; i += k) {
		k = axo_chat_utf8(s + i, n - i, &c);
		if (k == 0 || is_control(c))
			return 0;
	}
	return 1;
}

size_t
axo_chat_clean(char *out, size_t outlen, const unsigned char *s, size_t n)
{
	size_t i, k, o = 0;
	uint32_t c;

	if (outlen == 0)
		return 0;
	for (i = 0; i < n; i += k) {
		k = axo_chat_utf8(s + i, n - i, &c);
		if (k == 0 || is_control(c)) {
			/* a tab is a space; anything else a terminal would
			 * act on is dropped */
			if (k == 0)
				k = 1;
			else if (c == '\t' && o + 1 < outlen)
				out[o++] = ' ';
			continue;
		}
		if (o + k >= outlen)
			break;
		memcpy(out + o, s + i, k);
		o += k;
	}
	out[o] = '\0';
	return o;
}

size_t
axo_chat_safe_name(char out[AXO_CHAT_SAFE_MAX + 1], const unsigned char *s,
    size_t n)
{
	size_t i, start = 0, o = 0, k;
	uint32_t c;

	/* the last component: no directory of the peer's choosing */
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\')
			start = i + 1;
	for (i = start; i < n; i += k) {
		k = axo_chat_utf8(s + i, n - i, &c);
		if (k == 0) {
			k = 1;
			continue;
		}
		if (is_control(c) || c == 0)
			continue;
		/* no leading dot (hidden, ".", "..") and no leading space */
		if (o == 0 && (c == '.' || c == ' '))
			continue;
		if (o + k > AXO_CHAT_SAFE_MAX)
			break;
		memcpy(out + o, s + i, k);
		o += k;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	if (o == 0) {
		memcpy(out, "file", 4);
		o = 4;
	}
	out[o] = '\0';
	return o;
}

size_t
axo_chat_put(unsigned char *out, int type, uint32_t id,
    const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	size_t len = alen + blen, o = AXO_CHAT_HDR;
	int hasid = type >= AXO_CHAT_OFFER;

	if (hasid)
		len += 4;
	out[0] = (unsigned char)type;
	put32(out + 1, (uint32_t)len);
	if (hasid) {
		put32(out + o, id);
		o += 4;
	}
	if (alen > 0)
		memmove(out + o, a, alen);
	o += alen;
	if (blen > 0)
		memcpy(out + o, b, blen);
	return o + blen;
}

size_t
axo_chat_put_offer(unsigned char *out, uint32_t id, uint64_t size,
    const char *name, size_t namelen)
{
	unsigned char sz[8];

	put32(sz, (uint32_t)(size >> 32));
	put32(sz + 4, (uint32_t)size);
	return axo_chat_put(out, AXO_CHAT_OFFER, id, sz, 8,
	    (const unsigned char *)name, namelen);
}

int
axo_chat_parse(const unsigned char *buf, size_t len, struct axo_chat_msg *m,
    char *err, size_t errlen)
{
	size_t min, max, plen;
	const unsigned char *p;
	int type;

	if (len < 1)
		return 0;
	type = buf[0];
	if (!bounds(type, &min, &max)) {
		snprintf(err, errlen, "unknown message type %d", type);
		return -1;
	}
	if (len < AXO_CHAT_HDR)
		return 0;
	plen = get32(buf + 1);
	if (plen < min || plen > max) {
		snprintf(err, errlen, "message of type %d with a payload of "
		    "%zu bytes", type, plen);
		return -1;
	}
	if (len - AXO_CHAT_HDR < plen)
		return 0;
	p = buf + AXO_CHAT_HDR;
	memset(m, 0, sizeof *m);
	m->type = type;
	if (type >= AXO_CHAT_OFFER) {
		m->id = get32(p);
		if (m->id == 0) {
			snprintf(err, errlen, "transfer id 0");
			return -1;
		}
		p += 4, plen -= 4;
	}
	m->data = p;
	m->len = plen;
	switch (type) {
	case AXO_CHAT_HELLO:
		if (p[0] != AXO_CHAT_VERSION) {
			snprintf(err, errlen, "hello of version %d", p[0]);
			return -1;
		}
		m->data = p + 1;
		m->len = plen - 1;
		if (!axo_chat_text_ok(m->data, m->len)) {
			snprintf(err, errlen, "a nick that is not printable "
			    "UTF-8");
			return -1;
		}
		break;
	case AXO_CHAT_MSG:
		if (!axo_chat_text_ok(p, plen)) {
			snprintf(err, errlen, "a message that is not "
			    "printable UTF-8");
			return -1;
		}
		break;
	case AXO_CHAT_RECEIPT:
		m->size = get32(p);
		break;
	case AXO_CHAT_REJECT:
		if (!axo_chat_text_ok(p, plen)) {
			snprintf(err, errlen, "a reason that is not "
			    "printable UTF-8");
			return -1;
		}
		break;
	case AXO_CHAT_OFFER:
		m->size = get64(p);
		if (m->size > AXO_CHAT_FILE_MAX) {
			snprintf(err, errlen, "an offer of %llu bytes",
			    (unsigned long long)m->size);
			return -1;
		}
		m->data = p + 8;
		m->len = plen - 8;
		/* any other byte is the receiver's to clean, but not NUL */
		if (memchr(m->data, 0, m->len) != NULL) {
			snprintf(err, errlen, "a file name with a NUL byte");
			return -1;
		}
		break;
	}
	return (int)(AXO_CHAT_HDR + (size_t)(p - (buf + AXO_CHAT_HDR)) +
	    plen);
}
