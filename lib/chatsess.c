/* SPDX-License-Identifier: GPL-2.0-only */
/* chatsess.c: what the parts of a chat session share (axo-chat). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axo.h"
#include "chat.h"
#include "chatsess.h"
#include "chatxfer.h"
#include "tui.h"

size_t
axo_chatsess_pending(const struct axo_chatsess *s)
{
	return s->out.len - s->out.off;
}

static void
enqueue(struct axo_chatsess *s, struct axo_chatq *q, size_t n)
{
	size_t want;

	if (q->dead)
		return;
	if (q->off > 0 && q->off == q->len)
		q->off = q->len = 0;
	if (q->len + n > q->cap) {
		if (q->off > 0) {
			memmove(q->q, q->q + q->off, q->len - q->off);
			q->len -= q->off;
			q->off = 0;
		}
		if (q->len + n > q->cap) {
			want = q->cap ? q->cap : 4 * AXO_CHAT_MSG_MAX;
			while (want < q->len + n)
				want *= 2;
			q->q = realloc(q->q, want);
			if (q->q == NULL)
				axo_chatsess_die(s, AXO_EXIT_TEMP,
				    "out of memory");
			q->cap = want;
		}
	}
	memcpy(q->q + q->len, s->msg, n);
	q->len += n;
}

void
axo_chatsess_queue(struct axo_chatsess *s, size_t n)
{
	enqueue(s, &s->out, n);
}

void
axo_chatsess_write(struct axo_chatq *q)
{
	ssize_t n;

	n = write(q->fd, q->q + q->off, q->len - q->off);
	if (n > 0)
		q->off += (size_t)n;
	else if (n == -1 && errno != EAGAIN && errno != EINTR) {
		/* the peer may have quit: read what it said before deciding
		 * (EOF without QUIT: lost) */
		q->dead = 1;
		q->off = q->len = 0;
	}
}

static void
drain(struct axo_chatq *q)
{
	ssize_t n;

	while (q->fd != -1 && !q->dead && q->len > q->off) {
		n = write(q->fd, q->q + q->off, q->len - q->off);
		if (n <= 0)
			break;
		q->off += (size_t)n;
	}
}

void
axo_chatsess_drain(struct axo_chatsess *s)
{
	drain(&s->out);
	drain(&s->fout);
}

void
axo_chatsess_send(struct axo_chatsess *s, int type, uint32_t id,
    const void *a, size_t alen, const void *b, size_t blen)
{
	axo_chatsess_queue(s, axo_chat_put(s->msg, type, id, a, alen, b,
	    blen));
}

struct axo_chatq *
axo_chatsess_dataq(struct axo_chatsess *s)
{
	return s->fout.fd != -1 && s->peer_files && !s->files_lost ?
	    &s->fout : &s->out;
}

void
axo_chatsess_fsend(struct axo_chatsess *s, int type, uint32_t id,
    const void *a, size_t alen)
{
	enqueue(s, axo_chatsess_dataq(s), axo_chat_put(s->msg, type, id, a,
	    alen, NULL, 0));
}

/* An event in the window, or "* ..." on stdout; a complaint in line
 * mode is a warning on stderr instead. */
__attribute__((format(printf, 3, 0)))
static void
tell(struct axo_chatsess *s, int complaint, const char *fmt, va_list ap)
{
	char buf[1024], note[1030];

	vsnprintf(buf, sizeof buf, fmt, ap);
	if (s->o->tui) {
		snprintf(note, sizeof note, "* %s", buf);
		axo_tui_print(AXO_TUI_NOTE, note);
	} else if (complaint)
		axo_warn("%s", buf);
	else {
		printf("* %s\n", buf);
		fflush(stdout);
	}
}

void
axo_chatsess_say(struct axo_chatsess *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tell(s, 0, fmt, ap);
	va_end(ap);
}

void
axo_chatsess_complain(struct axo_chatsess *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tell(s, 1, fmt, ap);
	va_end(ap);
}

/* Every way out: the terminal back, no partial file left. */
void
axo_chatsess_cleanup(struct axo_chatsess *s)
{
	axo_chatxfer_close_all(s->xf);
	if (s->o->tui)
		axo_tui_stop();
	else
		fflush(stdout);
}

void
axo_chatsess_die(struct axo_chatsess *s, int code, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	axo_chatsess_cleanup(s);
	axo_die(code, "%s", buf);
}

void
axo_chatsess_violation(struct axo_chatsess *s, int code, const char *fmt,
    ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	axo_chatsess_die(s, code, "protocol violation by %s: %s", s->o->peer,
	    buf);
}

void
axo_chatsess_quit(struct axo_chatsess *s)
{
	const char *name;

	/* one of ours all sent on the file stream and not yet had: the
	 * QUIT on fd 7 would overtake its data and end it.  It waits for
	 * the peer's GOT (the loop quits then); a second quit does not. */
	if (!s->quit_wait && (name = axo_chatxfer_unconfirmed(s)) != NULL) {
		s->quit_wait = 1;
		axo_chatsess_say(s, "waiting for %s to have %s (.quit again: "
		    "leave now)", s->o->peer, name);
		return;
	}
	/* QUIT ends every transfer on both sides: no ABORT needed */
	axo_chatxfer_release_all(s);
	axo_chatsess_send(s, AXO_CHAT_QUIT, 0, NULL, 0, NULL, 0);
	s->quitting = 1;
	s->quit_deadline = axo_clock_ms() + AXO_CHATSESS_QUIT_MS;
}

uint32_t
axo_chatsess_sent_msg(struct axo_chatsess *s)
{
	return ++s->nsent;
}

void
axo_chatsess_receipt(struct axo_chatsess *s)
{
	unsigned char n[4];

	if (s->nrcvd == s->receipted)
		return;
	n[0] = (unsigned char)(s->nrcvd >> 24);
	n[1] = (unsigned char)(s->nrcvd >> 16);
	n[2] = (unsigned char)(s->nrcvd >> 8);
	n[3] = (unsigned char)s->nrcvd;
	axo_chatsess_send(s, AXO_CHAT_RECEIPT, 0, n, 4, NULL, 0);
	s->receipted = s->nrcvd;
}

void
axo_chatsess_delivered(struct axo_chatsess *s, uint64_t n)
{
	if (n > s->nsent || n < s->delivered)
		axo_chatsess_violation(s, 98, "a receipt for %llu messages "
		    "of %lu sent", (unsigned long long)n,
		    (unsigned long)s->nsent);
	if (n == s->delivered)
		return;
	s->delivered = (uint32_t)n;
	if (s->o->tui)
		axo_tui_delivered(s->delivered);
	else if (s->o->receipts) {
		printf("* delivered %lu\n", (unsigned long)s->delivered);
		fflush(stdout);
	}
}

uint32_t
axo_chatsess_undelivered(const struct axo_chatsess *s)
{
	return s->nsent - s->delivered;
}

void
axo_chatsess_end(struct axo_chatsess *s)
{
	uint32_t n = axo_chatsess_undelivered(s);

	/* what is queued goes if it can without waiting (the peer may
	 * have quit: nobody may read it) */
	axo_chatsess_drain(s);
	if (n > 0)
		axo_chatsess_die(s, AXO_EXIT_TEMP, "%lu message%s to %s not "
		    "delivered", (unsigned long)n, n == 1 ? "" : "s",
		    s->o->peer);
	axo_chatsess_cleanup(s);
	close(AXO_FD_NET_OUT);
	if (s->fout.fd != -1)
		close(s->fout.fd);
	exit(0);
}
