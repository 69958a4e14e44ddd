/* SPDX-License-Identifier: GPL-2.0-only */
/* chatsess.h: what the parts of a chat session share (axo-chat). */
#ifndef AXO_CHATSESS_H
#define AXO_CHATSESS_H

#include <stddef.h>
#include <stdint.h>

#include "chat.h"
#include "chatloop.h"

/*
 * chatsess.c: the session that the poll loop (chatloop.c), the transfers
 * (chatxfer.c) and the user's commands (chatcmd.c) share: the options,
 * the outgoing queues (to fd 7, and to the file stream), the quit state,
 * and the words for the user.  Messages are built in s->msg and queued
 * whole (send, queue, fsend; nothing once the fd failed).  write writes
 * what it can of a queue to its non-blocking fd when poll says so; an
 * error there marks it dead (the peer may have quit: what it said is
 * read before deciding).
 * drain writes what goes without waiting, on the way out.  say puts an
 * event in the window, or "* ..." on stdout; complain a local error, in
 * the window or as a warning on stderr.  die and violation (a "protocol
 * violation by PEER: ...") end the program after cleanup, which closes
 * every transfer (no partial file left) and gives the terminal back.
 * quit ends every transfer and queues QUIT (after the peer's GOT of
 * those all sent on the file stream, unless asked twice): the loop then
 * waits for the peer's end (which shows it had the QUIT and, with its
 * RECEIPT, every MSG), at most AXO_CHATSESS_QUIT_MS while the link is
 * up, and as long as wrap keeps the session while it is down.
 */
#define AXO_CHATSESS_SOFT	(1024 * 1024)	/* typed lines refused past */
#define AXO_CHATSESS_LOW	1	/* chunks below this: only when none waits */
#define AXO_CHATSESS_QUIT_MS	15000	/* for receipts, while linked */

struct axo_chatxfer;

/* A queue of whole messages to a non-blocking fd: q[off..len). */
struct axo_chatq {
	unsigned char *q;
	size_t off, len, cap;
	int fd;
	int dead;			/* its fd failed: nothing is queued */
};

struct axo_chatsess {
	const struct axo_chat_opts *o;
	struct axo_chatxfer *xf;	/* the transfers */
	struct axo_chatq out;		/* to fd 7 */
	/*
	 * The file stream (-b): a second stream to the peer, on its own
	 * circuit, for the data of our transfers (CHUNK, END, and the
	 * ABORT of one under way), so that typed lines never wait behind
	 * them in tor.  Used once both sides said FILES; fdown while its
	 * link is being replaced.  When its wrap gives up (fgone says why)
	 * or the peer says NOFILES, it is lost for good: the session goes
	 * on without it (chatloop.c, chatxfer.c files_lost).
	 */
	struct axo_chatq fout;
	int peer_files;			/* the peer said FILES */
	int peer_nofiles;		/* and then NOFILES */
	int fdown;
	int files_lost;			/* ours or the peer's: data on fd 7 */
	char fgone[320];		/* why its wrap gave up, or "" */
	int quitting;			/* QUIT is queued */
	int quit_wait;			/* a quit waits for a GOT */
	long long quit_deadline;
	/* receipts: our MSGs are numbered from 1, so are the peer's */
	uint32_t nsent;			/* ours, queued */
	uint32_t delivered;		/* ours the peer has (its RECEIPT) */
	uint32_t nrcvd;			/* the peer's we have */
	uint32_t receipted;		/* the last RECEIPT we sent */
	/* the link under fd 6/7, from axo-ratchet wrap's events */
	int down;			/* the link is being replaced */
	long long down_since;
	int attempt;			/* of the client's dialling */
	char gone[320];			/* why wrap gave up, or "" */
	unsigned char msg[AXO_CHAT_MSG_MAX];	/* the message being built */
};

size_t axo_chatsess_pending(const struct axo_chatsess *s);
/* Queues the n bytes of s->msg (dies 111 without memory). */
void axo_chatsess_queue(struct axo_chatsess *s, size_t n);
void axo_chatsess_write(struct axo_chatq *q);
void axo_chatsess_drain(struct axo_chatsess *s);
void axo_chatsess_send(struct axo_chatsess *s, int type, uint32_t id,
    const void *a, size_t alen, const void *b, size_t blen);
/* The queue of our transfers' data: the file stream's once both sides
 * have one, and while it is not lost, else fd 7's; fsend queues a
 * message there. */
struct axo_chatq *axo_chatsess_dataq(struct axo_chatsess *s);
void axo_chatsess_fsend(struct axo_chatsess *s, int type, uint32_t id,
    const void *a, size_t alen);
__attribute__((format(printf, 2, 3)))
void axo_chatsess_say(struct axo_chatsess *s, const char *fmt, ...);
__attribute__((format(printf, 2, 3)))
void axo_chatsess_complain(struct axo_chatsess *s, const char *fmt, ...);
void axo_chatsess_cleanup(struct axo_chatsess *s);
__attribute__((noreturn, format(printf, 3, 4)))
void axo_chatsess_die(struct axo_chatsess *s, int code, const char *fmt,
    ...);
__attribute__((noreturn, format(printf, 3, 4)))
void axo_chatsess_violation(struct axo_chatsess *s, int code,
    const char *fmt, ...);
void axo_chatsess_quit(struct axo_chatsess *s);

/*
 * Receipts (axotor(7) "CHAT PROTOCOL"): sent_msg counts one of our MSGs
 * and returns its number; receipt queues a RECEIPT when MSGs came since
 * the last one; delivered takes the peer's RECEIPT (a violation when it
 * counts more than we sent, or goes back), marks the window's lines and
 * says "delivered N" in line mode with --receipts; undelivered is how
 * many of ours the peer has not confirmed.  end is every way out after
 * a quit: 0 when the peer has all of ours, else 111 saying how many not.
 */
uint32_t axo_chatsess_sent_msg(struct axo_chatsess *s);
void axo_chatsess_receipt(struct axo_chatsess *s);
void axo_chatsess_delivered(struct axo_chatsess *s, uint64_t n);
uint32_t axo_chatsess_undelivered(const struct axo_chatsess *s);
__attribute__((noreturn))
void axo_chatsess_end(struct axo_chatsess *s);

#endif
