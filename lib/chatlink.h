/* SPDX-License-Identifier: GPL-2.0-only */
/* chatlink.h: the link under a chat, as axo-ratchet wrap reports it (axo-chat). */
#ifndef AXO_CHATLINK_H
#define AXO_CHATLINK_H

#include <stddef.h>
#include <sys/types.h>

#include "chatsess.h"

/*
 * chatlink.c: reads axo-ratchet wrap's events (axo-ratchet(1) "EVENTS":
 * "lost CAUSE", "retry N", "up MS", "gone CAUSE", one a line) from the
 * fd given with -e, and shows them: "connection to PEER lost (CAUSE),
 * reconnecting" and "reconnected to PEER after 7.1 s" as events, the
 * status line yellow with the attempt and the time while the link is
 * down (tick keeps that clock going; next says when it next must), and
 * the transfers "paused".  "gone" keeps its cause for the last words
 * (s->gone): fd 6 ends right after it.  A malformed line is ignored:
 * the events are wrap's, ours, and only a display.  The file stream's
 * wrap (files set) only pauses the transfers on the status line, and
 * its "gone" is kept in s->fgone: the file stream is lost, not the
 * session.
 */
struct axo_chatlink {
	int fd;
	int files;		/* the file stream's wrap: fdown only */
	char buf[512];
	size_t len;
};
void axo_chatlink_init(struct axo_chatlink *k, int fd);
/* read: one read, its count (0 at the end, -1 with nothing there);
 * drain: all there is now, for the last words when fd 6 ends */
ssize_t axo_chatlink_read(struct axo_chatlink *k, struct axo_chatsess *s);
void axo_chatlink_drain(struct axo_chatlink *k, struct axo_chatsess *s);
void axo_chatlink_tick(struct axo_chatsess *s);
long long axo_chatlink_next(const struct axo_chatsess *s);

#endif
