/* SPDX-License-Identifier: GPL-2.0-only */
/* chatcmd.c: the user's lines in a chat: commands and messages (axo-chat). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "chatcmd.h"
#include "chatsess.h"
#include "chatxfer.h"
#include "tui.h"

static const char *const help[] = {
	"commands:",
	"  .send PATH   offer a file to the peer",
	"  .accept      take the file offered (the oldest offer)",
	"  .reject      refuse it",
	"  .abort       stop every transfer under way",
	"  .verify      show the PAKE verifier, to compare out of band",
	"  .help        this list",
	"  .quit        end the chat, for both sides",
	"  ..text       send a line that starts with a dot",
};

/*
 * A hex verifier in groups of four, eight to a line, to be read aloud
 * as Signal's safety numbers are; any other text as it is.
 */
static void
say_verifier(struct axo_chatsess *s, const char *v)
{
	char line[64];
	size_t n = strlen(v), i, o;

	if (n < 16 || n % 4 != 0 || strspn(v, "0123456789abcdef") != n) {
		axo_chatsess_say(s, "verifier: %s", v);
		return;
	}
	axo_chatsess_say(s, "verifier, to read aloud and compare with %s:",
	    s->o->peer);
	for (i = 0; i < n;) {
		o = 0;
		do {
			memcpy(line + o, v + i, 4);
			o += 4, i += 4;
			line[o++] = ' ';
		} while (i < n && i % 32 != 0);
		line[o - 1] = '\0';
		axo_chatsess_say(s, "  %s", line);
	}
}

/*
 * The path of .send as a shell would read one word: a terminal pastes a
 * dropped file as '/tmp/my file.pdf' (or my\ file.pdf), and ~/ is the
 * home directory.  Without quotes or backslashes the text is the path as
 * it is, spaces and all.  -1 when it is not one word, or too long.
 */
static int
send_path(char *out, size_t len, const char *in)
{
	const char *home = getenv("HOME");
	size_t o = 0, n;
	char q = 0;

	while (*in == ' ')
		in++;
	n = strlen(in);
	while (n > 0 && in[n - 1] == ' ')
		n--;
	if ((in[0] == '~' && (n == 1 || in[1] == '/')) && home != NULL &&
	    home[0] != '\0') {
		if (strlen(home) >= len)
			return -1;
		memcpy(out, home, strlen(home));
		o = strlen(home);
		in++, n--;
	}
	if (strcspn(in, "'\"\\") >= n) {
		if (o + n >= len)
			return -1;
		memcpy(out + o, in, n);
		out[o + n] = '\0';
		return o + n > 0 ? 0 : -1;
	}
	for (; n > 0; in++, n--) {
		char c = *in;

		if (q == '\'') {
			if (c == '\'') {
				q = 0;
				continue;
			}
		} else if (c == '\\' && n > 1 && (q == 0 || in[1] == '"' ||
		    in[1] == '\\')) {
			in++, n--;
			c = *in;
		} else if (c == '"' && q == '"') {
			q = 0;
			continue;
		} else if ((c == '\'' || c == '"') && q == 0) {
			q = c;
			continue;
		} else if (c == ' ' && q == 0)
			return -1;
		if (o + 1 >= len)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return q == 0 && o > 0 ? 0 : -1;
}

void
axo_chatcmd_line(struct axo_chatsess *s, const char *line, size_t n)
{
	char text[AXO_CHAT_TEXT_MAX + 1], path[AXO_CHAT_TEXT_MAX + 1];
	size_t i;

	if (s->quitting)
		return;
	if (n > 0 && line[0] == '.' && !(n > 1 && line[1] == '.')) {
		if (n == 5 && !memcmp(line, ".quit", 5)) {
			axo_chatsess_quit(s);
		} else if (n == 5 && !memcmp(line, ".help", 5)) {
			for (i = 0; i < sizeof help / sizeof help[0]; i++)
				axo_chatsess_say(s, "%s", help[i]);
		} else if (n == 7 && !memcmp(line, ".verify", 7)) {
			if (s->o->verifier != NULL)
				say_verifier(s, s->o->verifier);
			else
				axo_chatsess_say(s,
				    "no verifier was given (-V)");
		} else if (n == 7 && !memcmp(line, ".accept", 7)) {
			axo_chatxfer_answer(s, 1);
		} else if (n == 7 && !memcmp(line, ".reject", 7)) {
			axo_chatxfer_answer(s, 0);
		} else if (n == 6 && !memcmp(line, ".abort", 6)) {
			axo_chatxfer_abort(s);
		} else if ((n == 5 && !memcmp(line, ".send", 5)) ||
		    (n > 5 && !memcmp(line, ".send ", 6))) {
			if (n > 6)
				axo_chat_clean(text, sizeof text,
				    (const unsigned char *)line + 6, n - 6);
			if (n <= 6 || text[0] == '\0' ||
			    send_path(path, sizeof path, text) == -1)
				axo_chatsess_complain(s, "usage: .send PATH");
			else
				axo_chatxfer_offer(s, path);
		} else {
			axo_chat_clean(text, 64, (const unsigned char *)line,
			    n);
			axo_chatsess_complain(s,
			    "unknown command %s (.help lists them)", text);
		}
		return;
	}
	if (n > 1 && line[0] == '.')
		line++, n--;
	axo_chatcmd_text(s, line, n);
}

void
axo_chatcmd_text(struct axo_chatsess *s, const char *line, size_t n)
{
	static char text[AXO_CHATCMD_LINE_MAX + 1];
	static char echo[AXO_CHATCMD_LINE_MAX + AXO_CHAT_NICK_MAX + 8];
	size_t len, cut, i, k;
	uint32_t c, seq = 0;
	unsigned parts = 0;

	if (s->quitting)
		return;
	if (n > AXO_CHATCMD_LINE_MAX) {
		axo_chatsess_complain(s, "not sent: a line of more than %d "
		    "bytes", AXO_CHATCMD_LINE_MAX);
		return;
	}
	len = axo_chat_clean(text, sizeof text, (const unsigned char *)line, n);
	if (len == 0)
		return;
	/* The window refuses a line when too much waits; line mode reads
	 * stdin only as fast as the link takes it, and refuses nothing. */
	if (s->o->tui && axo_chatsess_pending(s) > AXO_CHATSESS_SOFT) {
		axo_chatsess_complain(s, "not sent: too much waits to be sent "
		    "(%s)", s->down ? "the link is down" : "a transfer");
		return;
	}
	/* one message at most AXO_CHAT_TEXT_MAX bytes, cut between code
	 * points (text is well formed by now) */
	for (i = 0; i < len; i += cut) {
		cut = 0;
		while (i + cut < len) {
			k = axo_chat_utf8((unsigned char *)text + i + cut,
			    len - i - cut, &c);
			if (cut + k > AXO_CHAT_TEXT_MAX)
				break;
			cut += k;
		}
		axo_chatsess_send(s, AXO_CHAT_MSG, 0, text + i, cut, NULL, 0);
		seq = axo_chatsess_sent_msg(s);
		parts++;
	}
	/* split, not cut: the peer gets it all, and we say so */
	if (parts > 1)
		axo_chatsess_complain(s, "a line of %zu bytes went as %u "
		    "messages (%d bytes at most each)", len, parts,
		    AXO_CHAT_TEXT_MAX);
	/* marked pending until the peer's receipt covers its last part */
	if (s->o->tui) {
		snprintf(echo, sizeof echo, "<%s> %s", s->o->me, text);
		axo_tui_mine(echo, seq);
	}
}

void
axo_chatcmd_bytes(struct axo_chatcmd *u, struct axo_chatsess *s,
    const unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (u->len > 0 && u->line[u->len - 1] == '\r')
				u->len--;
			if (u->cut)
				axo_chatsess_complain(s, "not sent: a line of "
				    "more than %d bytes", AXO_CHATCMD_LINE_MAX);
			else
				axo_chatcmd_line(s, u->line, u->len);
			u->len = 0;
			u->cut = 0;
		} else if (u->len < AXO_CHATCMD_LINE_MAX) {
			u->line[u->len++] = (char)buf[i];
		} else
			u->cut = 1;
	}
}

void
axo_chatcmd_eof(struct axo_chatcmd *u, struct axo_chatsess *s)
{
	if (u->cut)
		axo_chatsess_complain(s, "not sent: a line of more than %d "
		    "bytes", AXO_CHATCMD_LINE_MAX);
	else if (u->len > 0) {
		axo_chatcmd_line(s, u->line, u->len);
		u->len = 0;
	}
}
