/* SPDX-License-Identifier: GPL-2.0-only */
/* chatloop.h: the chat session on fds 6/7 (axo-chat). */
#ifndef AXO_CHATLOOP_H
#define AXO_CHATLOOP_H

/*
 * chatloop.c: the chat session on fds 6/7 (and the file stream of -b),
 * the terminal or stdin/stdout (axo-chat(1)).  Returns only through exit: 0 after a quit on either
 * side, 97 a malformed message, 98 a message out of place, 111 the
 * connection lost, 128+n a signal.
 */
struct axo_chat_opts {
	const char *me, *peer;	/* shown names, clean */
	int red;		/* the status line red: SMP failed */
	int verified;		/* SMP matched: "verified (SMP)" */
	int dirfd;		/* where files go, or -1 */
	const char *dir;	/* its name, for messages */
	int yes;		/* accept offers without asking */
	int quiet;		/* no progress lines in line mode */
	int tui;		/* interactive */
	const char *verifier;	/* the PAKE verifier text, or NULL */
	int events_fd;		/* axo-ratchet wrap's link events, or -1 */
	int files_fd;		/* -b: the file stream in, out (+1) and its
				 * wrap's events (+2), or -1 */
	int receipts;		/* "delivered N" lines in line mode */
};
__attribute__((noreturn))
void axo_chat_run(const struct axo_chat_opts *o);

#endif
