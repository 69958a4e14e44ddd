/* SPDX-License-Identifier: GPL-2.0-only */
/* chatcmd.h: the user's lines in a chat: commands and messages (axo-chat). */
#ifndef AXO_CHATCMD_H
#define AXO_CHATCMD_H

#include <stddef.h>

#include "chat.h"
#include "chatsess.h"

/*
 * chatcmd.c: line takes one line of the user (from the window, or from
 * stdin in line mode): a command (.send PATH, .abort, .verify, .help,
 * .quit; "..text" is the text ".text"), or text, cleaned of controls and
 * sent in MSG messages of at most AXO_CHAT_TEXT_MAX bytes cut between
 * code points (refused while more than AXO_CHATSESS_SOFT waits to be
 * sent), and echoed in the window.  A line longer than one message
 * goes as several, and the user is told how many; one longer than
 * AXO_CHATCMD_LINE_MAX is refused, and said.  text is the same for a
 * line that is never a command (a pasted one).  Nothing once the session
 * quits.  bytes gathers stdin's bytes into lines for line; eof passes on
 * the last line without its LF.
 */
#define AXO_CHATCMD_LINE_MAX	65536	/* 16 messages */
struct axo_chatcmd {
	char line[AXO_CHATCMD_LINE_MAX + 1];	/* the line so far */
	size_t len;
	int cut;		/* it was longer than AXO_CHATCMD_LINE_MAX */
};
void axo_chatcmd_line(struct axo_chatsess *s, const char *line, size_t n);
void axo_chatcmd_text(struct axo_chatsess *s, const char *line, size_t n);
void axo_chatcmd_bytes(struct axo_chatcmd *u, struct axo_chatsess *s,
    const unsigned char *buf, size_t n);
void axo_chatcmd_eof(struct axo_chatcmd *u, struct axo_chatsess *s);

#endif
