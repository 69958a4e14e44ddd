/* SPDX-License-Identifier: GPL-2.0-only */
/* chat.h: the in-chat protocol: messages, bounds, clean text (axo-chat). */
#ifndef AXO_CHAT_H
#define AXO_CHAT_H

#include <stddef.h>
#include <stdint.h>

/*
 * chat.c: the in-chat protocol (axotor(7) "CHAT PROTOCOL").  A message is
 * type u8, payload length u32 big-endian, payload; each type has its own
 * bounds, checked from the header alone.  Transfer ids are the offerer's,
 * never 0.
 */
#define AXO_CHAT_VERSION	1
#define AXO_CHAT_HDR		5
#define AXO_CHAT_NICK_MAX	64
#define AXO_CHAT_TEXT_MAX	4096
#define AXO_CHAT_NAME_MAX	255
#define AXO_CHAT_SAFE_MAX	200	/* a cleaned name, room for .part- */
#define AXO_CHAT_CHUNK_MAX	32768
#define AXO_CHAT_MSG_MAX	(AXO_CHAT_HDR + 4 + AXO_CHAT_CHUNK_MAX)
#define AXO_CHAT_FILE_MAX	(1ULL << 40)	/* 1 TiB an offer */
#define AXO_CHAT_HELLO		1	/* version u8, nick */
#define AXO_CHAT_MSG		2	/* text */
#define AXO_CHAT_QUIT		3	/* empty */
#define AXO_CHAT_RECEIPT	4	/* u32: the peer's MSGs we have */
#define AXO_CHAT_FILES		5	/* empty: file data on the file stream */
#define AXO_CHAT_NOFILES	6	/* empty: our file stream is gone */
#define AXO_CHAT_OFFER		16	/* id, size u64, name */
#define AXO_CHAT_ACCEPT		17	/* id */
#define AXO_CHAT_REJECT		18	/* id, why: no, or stop sending */
#define AXO_CHAT_REASON_MAX	200	/* the why of a REJECT, may be empty */
#define AXO_CHAT_CHUNK		19	/* id, data */
#define AXO_CHAT_END		20	/* id, sha256 of the whole file */
#define AXO_CHAT_ABORT		21	/* id: the offerer gives up */
#define AXO_CHAT_GOT		22	/* id: its END came (file stream) */

struct axo_chat_msg {
	int type;
	uint32_t id;
	uint64_t size;			/* OFFER; RECEIPT: the count */
	const unsigned char *data;	/* nick, text, name, chunk, hash */
	size_t len;
};
/*
 * One message at buf[0..len): its whole length when complete, 0 when more
 * bytes are needed (never more than AXO_CHAT_MSG_MAX in all), -1 with
 * words in err when malformed: unknown type, a length out of the type's
 * bounds, id 0, a nick or text that is not printable UTF-8 (no C0, DEL
 * or C1 control), a name with NUL, a size over AXO_CHAT_FILE_MAX.
 */
int axo_chat_parse(const unsigned char *buf, size_t len,
    struct axo_chat_msg *m, char *err, size_t errlen);
/* Builds a message at out (AXO_CHAT_MSG_MAX bytes): the id for types
 * from OFFER on, then a and b.  Returns its length. */
size_t axo_chat_put(unsigned char *out, int type, uint32_t id,
    const unsigned char *a, size_t alen, const unsigned char *b, size_t blen);
size_t axo_chat_put_offer(unsigned char *out, uint32_t id, uint64_t size,
    const char *name, size_t namelen);
/* One well-formed UTF-8 sequence (RFC 3629): its length, or 0. */
size_t axo_chat_utf8(const unsigned char *s, size_t n, uint32_t *cp);
/* 1 when s is well-formed UTF-8 without control characters. */
int axo_chat_text_ok(const unsigned char *s, size_t n);
/* s as printable text into out (NUL-terminated): ill-formed bytes and
 * controls dropped, tabs made spaces.  Returns the length. */
size_t axo_chat_clean(char *out, size_t outlen, const unsigned char *s,
    size_t n);
/* A peer's file name as a safe basename: the last component after any
 * / or \, without controls, ill-formed UTF-8 and leading dots or spaces,
 * at most AXO_CHAT_SAFE_MAX bytes, "file" when nothing is left. */
size_t axo_chat_safe_name(char out[AXO_CHAT_SAFE_MAX + 1],
    const unsigned char *s, size_t n);

#endif
