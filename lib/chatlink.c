/* SPDX-License-Identifier: GPL-2.0-only */
/* chatlink.c: the link under a chat, as axo-ratchet wrap reports it (axo-chat). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "axo.h"
#include "chat.h"
#include "chatlink.h"
#include "chatsess.h"
#include "chatxfer.h"
#include "tui.h"

void
axo_chatlink_init(struct axo_chatlink *k, int fd)
{
	k->fd = fd;
	k->len = 0;
	k->files = 0;
}

/* The status line while the link is down: "... (attempt 3, 0:12)". */
void
axo_chatlink_tick(struct axo_chatsess *s)
{
	char st[256], tries[32] = "";
	long long secs;

	if (!s->o->tui || !s->down)
		return;
	secs = (axo_clock_ms() - s->down_since) / 1000;
	if (s->attempt > 0)
		snprintf(tries, sizeof tries, "attempt %d, ", s->attempt);
	snprintf(st, sizeof st, "connection to %s lost, %s (%s%lld:%02lld)",
	    s->o->peer, s->attempt > 0 ? "reconnecting" : "waiting",
	    tries, secs / 60, secs % 60);
	axo_tui_link(st);
}

long long
axo_chatlink_next(const struct axo_chatsess *s)
{
	long long gone;

	if (!s->o->tui || !s->down)
		return 0;
	gone = axo_clock_ms() - s->down_since;
	return s->down_since + (gone / 1000 + 1) * 1000;
}

/* The file stream's wrap: only "paused" on the status line; its loss
 * for good (fgone) is the loop's to act on (chatloop.c). */
static void
files_event(struct axo_chatsess *s, const char *line, const char *cause)
{
	if (strcmp(line, "gone") == 0 && s->fgone[0] == '\0')
		snprintf(s->fgone, sizeof s->fgone, "%s", cause[0] ? cause :
		    "its wrap gave up");
	if (strcmp(line, "lost") == 0)
		s->fdown = 1;
	else if (strcmp(line, "up") == 0)
		s->fdown = 0;
	else
		return;
	axo_chatxfer_show(s);
}

static void
event(struct axo_chatlink *k, struct axo_chatsess *s, char *line)
{
	char *arg = strchr(line, ' ');
	char cause[300];
	long long ms;

	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = line + strlen(line);
	axo_chat_clean(cause, sizeof cause, (const unsigned char *)arg,
	    strlen(arg));
	if (k->files) {
		files_event(s, line, cause);
		return;
	}
	if (strcmp(line, "lost") == 0 && !s->down) {
		s->down = 1;
		s->down_since = axo_clock_ms();
		s->attempt = 0;
		axo_chatsess_say(s, "connection to %s lost (%s), reconnecting",
		    s->o->peer, cause);
		axo_chatlink_tick(s);
		axo_chatxfer_show(s);
	} else if (strcmp(line, "retry") == 0 && s->down) {
		if (sscanf(cause, "%d", &s->attempt) != 1)
			s->attempt = 0;
		axo_chatlink_tick(s);
	} else if (strcmp(line, "up") == 0 && s->down) {
		if (sscanf(cause, "%lld", &ms) != 1 || ms < 0)
			ms = axo_clock_ms() - s->down_since;
		s->down = 0;
		s->attempt = 0;
		if (s->o->tui)
			axo_tui_link(NULL);
		axo_chatsess_say(s, "reconnected to %s after %.1f s",
		    s->o->peer, (double)ms / 1000);
		axo_chatxfer_show(s);
		/* the wait for receipts starts again with the link */
		if (s->quitting)
			s->quit_deadline = axo_clock_ms() +
			    AXO_CHATSESS_QUIT_MS;
	} else if (strcmp(line, "gone") == 0)
		snprintf(s->gone, sizeof s->gone, "%s", cause);
}

ssize_t
axo_chatlink_read(struct axo_chatlink *k, struct axo_chatsess *s)
{
	ssize_t n;
	char *nl;

	n = read(k->fd, k->buf + k->len, sizeof k->buf - 1 - k->len);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		close(k->fd);
		k->fd = -1;
		return 0;
	}
	if (n < 0)
		return n;
	k->len += (size_t)n;
	k->buf[k->len] = '\0';
	while ((nl = memchr(k->buf, '\n', k->len)) != NULL) {
		*nl = '\0';
		event(k, s, k->buf);
		k->len -= (size_t)(nl + 1 - k->buf);
		memmove(k->buf, nl + 1, k->len);
	}
	/* a line longer than the buffer is no event of wrap's */
	if (k->len == sizeof k->buf - 1)
		k->len = 0;
	return n;
}

void
axo_chatlink_drain(struct axo_chatlink *k, struct axo_chatsess *s)
{
	int i;

	/* wrap writes "gone" before it ends fd 6, so that is in the pipe
	 * by now; the fd is non-blocking, and a bounded count of reads */
	for (i = 0; i < 64 && k->fd != -1; i++)
		if (axo_chatlink_read(k, s) <= 0)
			break;
}
