/* SPDX-License-Identifier: GPL-2.0-only */
/* chatloop.c: the chat session of axo-chat: one poll loop over the user and fds 6/7. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "axo.h"
#include "chat.h"
#include "chatloop.h"
#include "tui.h"
#include "xfer.h"

/*
 * One loop polls the user (terminal or stdin), fd 6 and fd 7.  Writes
 * to fd 7 are non-blocking from one bounded queue; file chunks enter it
 * only while less than two messages wait, so a typed line waits behind
 * at most two chunks and chat goes on during a transfer.  The peer's
 * bytes are parsed strictly (chat.c) and every message is checked
 * against the state of the transfers it names (axotor(7) "CHAT
 * PROTOCOL").  fd 6 reaches EOF both when the peer's side ends and when
 * the network is cut (axo-ratchet wrap): only a QUIT message makes the
 * difference, so EOF without one is a lost connection (111).
 */

#define OUTQ_SOFT	(1024 * 1024)	/* typed lines refused past this */
#define OUTQ_LOW	(2 * AXO_CHAT_MSG_MAX)
#define QUIT_WAIT_MS	5000

enum { FREE, OFFERED, ACTIVE, DROPPED };

static const struct axo_chat_opts *o;
static unsigned char inb[AXO_CHAT_MSG_MAX];
static size_t inlen;
static unsigned char *outq;
static size_t outoff, outlen, outcap;
static unsigned char msg[AXO_CHAT_MSG_MAX];
static int out_dead, got_hello, quitting, stdin_eof;
static long long quit_deadline;
static struct axo_xfer xo[AXO_XFER_MAX], xi[AXO_XFER_MAX];
static int pct_o[AXO_XFER_MAX], pct_i[AXO_XFER_MAX];
static uint32_t next_id = 1;
static int asking = -1;
static char line[AXO_CHAT_TEXT_MAX + 1];
static size_t linelen;
static int line_long;
static volatile sig_atomic_t got_sig, got_winch;

static size_t pending(void);

static const int stop_sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, 0 };
static const int winch_sigs[] = { SIGWINCH, 0 };

static void
on_sig(int sig)
{
	got_sig = sig;
}

static void
on_winch(int sig)
{
	(void)sig;
	got_winch = 1;
}

/* Every way out: the terminal back, no partial file left. */
static void
cleanup(void)
{
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++) {
		if (xi[i].state != FREE)
			axo_xfer_close(&xi[i]);
		if (xo[i].state != FREE)
			axo_xfer_close(&xo[i]);
		xi[i].state = xo[i].state = FREE;
	}
	axo_xfer_cleanup();
	if (o->tui)
		axo_tui_stop();
	else
		fflush(stdout);
}

__attribute__((noreturn, format(printf, 2, 3)))
static void
die(int code, const char *fmt, ...)
{
	char buf[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	cleanup();
	axo_die(code, "%s", buf);
}

__attribute__((noreturn, format(printf, 2, 3)))
static void
violation(int code, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	die(code, "protocol violation by %s: %s", o->peer, buf);
}

__attribute__((noreturn))
static void
finish(void)
{
	ssize_t n;

	/* what is queued goes if it can without waiting (the peer may
	 * have quit: nobody may read it) */
	while (!out_dead && pending() > 0) {
		n = write(AXO_FD_NET_OUT, outq + outoff, pending());
		if (n <= 0)
			break;
		outoff += (size_t)n;
	}
	cleanup();
	close(AXO_FD_NET_OUT);
	exit(0);
}

/* An event for the user: a line in the window, or "* ..." on stdout. */
__attribute__((format(printf, 1, 2)))
static void
say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (o->tui) {
		char note[1030];

		snprintf(note, sizeof note, "* %s", buf);
		axo_tui_print(AXO_TUI_NOTE, note);
	} else {
		printf("* %s\n", buf);
		fflush(stdout);
	}
}

/* A local error (a file that cannot be sent...): in the window, or a
 * warning on stderr in line mode. */
__attribute__((format(printf, 1, 2)))
static void
complain(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (o->tui)
		say("%s", buf);
	else
		axo_warn("%s", buf);
}

static void
fmt_size(char *out, size_t len, uint64_t n)
{
	static const char *unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, "%.1f %s", v, unit[u]);
}

static size_t
pending(void)
{
	return outlen - outoff;
}

static void
enqueue_raw(size_t n)
{
	size_t want;

	if (outoff > 0 && outoff == outlen)
		outoff = outlen = 0;
	if (outlen + n > outcap) {
		if (outoff > 0) {
			memmove(outq, outq + outoff, outlen - outoff);
			outlen -= outoff;
			outoff = 0;
		}
		if (outlen + n > outcap) {
			want = outcap ? outcap : 4 * AXO_CHAT_MSG_MAX;
			while (want < outlen + n)
				want *= 2;
			outq = realloc(outq, want);
			if (outq == NULL)
				die(AXO_EXIT_TEMP, "out of memory");
			outcap = want;
		}
	}
	memcpy(outq + outlen, msg, n);
	outlen += n;
}

static void
send_msg(int type, uint32_t id, const void *a, size_t alen, const void *b,
    size_t blen)
{
	if (out_dead)
		return;
	enqueue_raw(axo_chat_put(msg, type, id, a, alen, b, blen));
}

static int
busy(void)
{
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++)
		if (xo[i].state != FREE || xi[i].state == ACTIVE ||
		    xi[i].state == DROPPED)
			return 1;
	return 0;
}

/* The status line of the window: the first transfer under way. */
static void
show_progress(void)
{
	char s[AXO_CHAT_SAFE_MAX + 64], bar[11];
	struct axo_xfer *x = NULL;
	int i, p, more = 0;

	if (!o->tui)
		return;
	for (i = 0; i < 2 * AXO_XFER_MAX; i++) {
		struct axo_xfer *y = i < AXO_XFER_MAX ? &xo[i] :
		    &xi[i - AXO_XFER_MAX];

		if (y->state != ACTIVE)
			continue;
		if (x == NULL)
			x = y;
		else
			more++;
	}
	if (x == NULL) {
		axo_tui_progress(NULL);
		return;
	}
	p = x->size ? (int)(x->done * 100 / x->size) : 100;
	for (i = 0; i < 10; i++)
		bar[i] = i < p / 10 ? '#' : '-';
	bar[10] = '\0';
	snprintf(s, sizeof s, "%s %s [%s] %d%%%s", x->out ? "sending" :
	    "receiving", x->name, bar, p, more ? " +more" : "");
	axo_tui_progress(s);
}

static void
progress(struct axo_xfer *x, int *last)
{
	int p, q;

	if (o->tui) {
		p = x->size ? (int)(x->done * 100 / x->size) : 100;
		if (p != *last) {
			*last = p;
			show_progress();
		}
		return;
	}
	q = axo_xfer_step(x);
	if (q && !o->quiet)
		say("%s %s: %d%%", x->out ? "sending" : "receiving", x->name,
		    q);
}

static void
release(struct axo_xfer *x)
{
	axo_xfer_close(x);
	x->state = FREE;
	show_progress();
}

/* Fill the queue with chunks of the transfers under way, in turn. */
static void
produce(void)
{
	static int turn;
	unsigned char hash[32];
	char err[512], sz[32];
	struct axo_xfer *x;
	ssize_t n;
	int i, k, any = 1;

	while (any && !quitting && !out_dead && pending() < OUTQ_LOW) {
		any = 0;
		for (k = 0; k < AXO_XFER_MAX; k++) {
			i = (turn + k) % AXO_XFER_MAX;
			if (xo[i].state == ACTIVE)
				break;
		}
		if (k == AXO_XFER_MAX)
			return;
		turn = i + 1;
		any = 1;
		x = &xo[i];
		if (x->done < x->size) {
			n = axo_xfer_send_read(x, msg + AXO_CHAT_HDR + 4,
			    AXO_CHAT_CHUNK_MAX, err, sizeof err);
			if (n < 0) {
				send_msg(AXO_CHAT_ABORT, x->id, NULL, 0, NULL,
				    0);
				complain("aborted sending %s: %s", x->name,
				    err);
				release(x);
				continue;
			}
			send_msg(AXO_CHAT_CHUNK, x->id, msg + AXO_CHAT_HDR + 4,
			    (size_t)n, NULL, 0);
			progress(x, &pct_o[i]);
		}
		if (x->done == x->size) {
			axo_xfer_send_hash(x, hash);
			send_msg(AXO_CHAT_END, x->id, hash, 32, NULL, 0);
			fmt_size(sz, sizeof sz, x->size);
			say("sent %s (%s)", x->name, sz);
			release(x);
		}
	}
}

static void
start_quit(void)
{
	int i;

	/* QUIT ends every transfer on both sides: no ABORT needed */
	for (i = 0; i < AXO_XFER_MAX; i++) {
		if (xo[i].state != FREE)
			release(&xo[i]);
		if (xi[i].state != FREE)
			release(&xi[i]);
	}
	send_msg(AXO_CHAT_QUIT, 0, NULL, 0, NULL, 0);
	quitting = 1;
	quit_deadline = axo_clock_ms() + QUIT_WAIT_MS;
}

static void ask_next(void);

static void
accept_offer(int k)
{
	struct axo_xfer *x = &xi[k];
	char err[512], sz[32];
	uint32_t id = x->id;
	uint64_t size = x->size;
	char name[AXO_CHAT_SAFE_MAX + 1];

	memcpy(name, x->name, sizeof name);
	fmt_size(sz, sizeof sz, size);
	if (axo_xfer_recv_open(x, o->dirfd, id, size,
	    (const unsigned char *)name, strlen(name), err,
	    sizeof err) == -1) {
		complain("%s", err);
		send_msg(AXO_CHAT_REJECT, id, NULL, 0, NULL, 0);
		x->state = FREE;
		return;
	}
	x->state = ACTIVE;
	pct_i[k] = -1;
	send_msg(AXO_CHAT_ACCEPT, id, NULL, 0, NULL, 0);
	say("receiving %s (%s) from %s into %s", name, sz, o->peer, o->dir);
	show_progress();
}

static void
answer(int yes)
{
	int k = asking;

	asking = -1;
	if (k < 0 || xi[k].state != OFFERED)
		return;
	if (yes)
		accept_offer(k);
	else {
		send_msg(AXO_CHAT_REJECT, xi[k].id, NULL, 0, NULL, 0);
		say("rejected %s", xi[k].name);
		xi[k].state = FREE;
	}
	ask_next();
}

static void
ask_next(void)
{
	char q[AXO_CHAT_SAFE_MAX + 128], sz[32];
	int k;

	if (asking >= 0)
		return;
	for (k = 0; k < AXO_XFER_MAX; k++)
		if (xi[k].state == OFFERED)
			break;
	if (k == AXO_XFER_MAX) {
		axo_tui_ask(NULL);
		return;
	}
	asking = k;
	fmt_size(sz, sizeof sz, xi[k].size);
	snprintf(q, sizeof q, "accept %s (%s) from %s? (y/N) ", xi[k].name,
	    sz, o->peer);
	axo_tui_ask(q);
}

static struct axo_xfer *
find(struct axo_xfer *set, uint32_t id, int *k)
{
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++)
		if (set[i].state != FREE && set[i].id == id) {
			if (k != NULL)
				*k = i;
			return &set[i];
		}
	return NULL;
}

static void
on_offer(const struct axo_chat_msg *m)
{
	char sz[32];
	struct axo_xfer *x;
	int k;

	if (find(xi, m->id, NULL) != NULL)
		violation(98, "transfer id %lu offered twice",
		    (unsigned long)m->id);
	for (k = 0; k < AXO_XFER_MAX; k++)
		if (xi[k].state == FREE)
			break;
	x = k < AXO_XFER_MAX ? &xi[k] : NULL;
	if (x != NULL) {
		memset(x, 0, sizeof *x);
		x->fd = x->dirfd = -1;
		x->id = m->id;
		x->size = m->size;
		axo_chat_safe_name(x->name, m->data, m->len);
	}
	if (x == NULL) {
		char name[AXO_CHAT_SAFE_MAX + 1];

		axo_chat_safe_name(name, m->data, m->len);
		send_msg(AXO_CHAT_REJECT, m->id, NULL, 0, NULL, 0);
		say("rejected %s from %s: %d transfers under way", name,
		    o->peer, AXO_XFER_MAX);
		return;
	}
	fmt_size(sz, sizeof sz, x->size);
	if (o->dirfd == -1) {
		send_msg(AXO_CHAT_REJECT, m->id, NULL, 0, NULL, 0);
		say("rejected %s (%s) from %s: no download directory (-d)",
		    x->name, sz, o->peer);
		return;
	}
	x->state = OFFERED;
	if (o->tui && !o->yes) {
		say("%s offers %s (%s)", o->peer, x->name, sz);
		ask_next();
		return;
	}
	accept_offer(k);
}

static void
on_answer(const struct axo_chat_msg *m)
{
	struct axo_xfer *x = find(xo, m->id, NULL);

	if (x == NULL) {
		/* we may have aborted it meanwhile */
		if (m->id < next_id)
			return;
		violation(98, "%s for transfer id %lu never offered",
		    m->type == AXO_CHAT_ACCEPT ? "accept" : "reject",
		    (unsigned long)m->id);
	}
	if (m->type == AXO_CHAT_ACCEPT) {
		if (x->state != OFFERED)
			violation(98, "transfer id %lu accepted twice",
			    (unsigned long)m->id);
		x->state = ACTIVE;
		say("%s accepted %s", o->peer, x->name);
		show_progress();
		return;
	}
	if (x->state == OFFERED) {
		say("%s rejected %s", o->peer, x->name);
	} else {
		send_msg(AXO_CHAT_ABORT, x->id, NULL, 0, NULL, 0);
		say("%s stopped %s", o->peer, x->name);
	}
	release(x);
}

static void
on_data(const struct axo_chat_msg *m)
{
	char err[512], sz[32];
	struct axo_xfer *x;
	int k, rc;

	x = find(xi, m->id, &k);
	if (m->type == AXO_CHAT_ABORT) {
		/* an abort may cross our reject: unknown ids are let be */
		if (x == NULL)
			return;
		say("%s aborted %s", o->peer, x->name);
		release(x);
		if (k == asking) {
			asking = -1;
			ask_next();
		}
		return;
	}
	if (x == NULL || x->state == OFFERED)
		violation(98, "%s for transfer id %lu %s",
		    m->type == AXO_CHAT_CHUNK ? "data" : "end",
		    (unsigned long)m->id, x == NULL ? "never offered" :
		    "not accepted");
	if (x->state == DROPPED) {
		if (m->type == AXO_CHAT_END)
			x->state = FREE;
		return;
	}
	if (m->type == AXO_CHAT_CHUNK) {
		rc = axo_xfer_recv_write(x, m->data, m->len, err, sizeof err);
		if (rc == AXO_XFER_EOVER)
			violation(98, "more data than offered for %s",
			    x->name);
		if (rc == -1) {
			complain("%s", err);
			send_msg(AXO_CHAT_REJECT, x->id, NULL, 0, NULL, 0);
			axo_xfer_close(x);
			x->state = DROPPED;
			show_progress();
			return;
		}
		progress(x, &pct_i[k]);
		return;
	}
	rc = axo_xfer_recv_finish(x, m->data, err, sizeof err);
	if (rc == AXO_XFER_ESHORT)
		violation(98, "end of %s after %llu of %llu bytes", x->name,
		    (unsigned long long)x->done, (unsigned long long)x->size);
	fmt_size(sz, sizeof sz, x->size);
	if (rc == AXO_XFER_EHASH)
		complain("%s from %s: sha256 mismatch, removed", x->name,
		    o->peer);
	else if (rc == -1)
		complain("%s", err);
	else
		say("saved %s from %s as %s/%s (%s, sha256 ok)", x->name,
		    o->peer, o->dir, x->final, sz);
	release(x);
}

static void
handle(const struct axo_chat_msg *m)
{
	char text[AXO_CHAT_TEXT_MAX + AXO_CHAT_NICK_MAX + 8];
	char nick[AXO_CHAT_NICK_MAX + 1];

	if (!got_hello && m->type != AXO_CHAT_HELLO)
		violation(98, "a message of type %d before hello", m->type);
	switch (m->type) {
	case AXO_CHAT_HELLO:
		if (got_hello)
			violation(98, "a second hello");
		got_hello = 1;
		axo_chat_clean(nick, sizeof nick, m->data, m->len);
		if (strcmp(nick, o->peer) != 0)
			say("%s calls itself \"%s\"", o->peer, nick);
		break;
	case AXO_CHAT_MSG:
		if (o->tui) {
			snprintf(text, sizeof text, "<%s> ", o->peer);
			axo_chat_clean(text + strlen(text),
			    sizeof text - strlen(text), m->data, m->len);
			axo_tui_print(AXO_TUI_PEER, text);
		} else {
			axo_chat_clean(text, sizeof text, m->data, m->len);
			printf("<%s> %s\n", o->peer, text);
			fflush(stdout);
		}
		break;
	case AXO_CHAT_QUIT:
		say("%s has quit the chat", o->peer);
		finish();
	case AXO_CHAT_OFFER:
		on_offer(m);
		break;
	case AXO_CHAT_ACCEPT:
	case AXO_CHAT_REJECT:
		on_answer(m);
		break;
	default:
		on_data(m);
	}
}

static void
cmd_send(const char *path)
{
	char err[512], sz[32];
	struct axo_xfer *x;
	int k;

	for (k = 0; k < AXO_XFER_MAX; k++)
		if (xo[k].state == FREE)
			break;
	if (k == AXO_XFER_MAX) {
		complain("unable to send %s: %d transfers under way", path,
		    AXO_XFER_MAX);
		return;
	}
	x = &xo[k];
	if (axo_xfer_send_open(x, path, next_id, err, sizeof err) == -1) {
		x->state = FREE;
		complain("%s", err);
		return;
	}
	next_id++;
	x->state = OFFERED;
	pct_o[k] = -1;
	enqueue_raw(axo_chat_put_offer(msg, x->id, x->size, x->name,
	    strlen(x->name)));
	fmt_size(sz, sizeof sz, x->size);
	say("offering %s (%s) to %s", x->name, sz, o->peer);
}

static void
cmd_abort(void)
{
	int i, n = 0;

	for (i = 0; i < AXO_XFER_MAX; i++) {
		if (xo[i].state != FREE) {
			send_msg(AXO_CHAT_ABORT, xo[i].id, NULL, 0, NULL, 0);
			say("aborted sending %s", xo[i].name);
			release(&xo[i]);
			n++;
		}
		if (xi[i].state == ACTIVE) {
			send_msg(AXO_CHAT_REJECT, xi[i].id, NULL, 0, NULL, 0);
			say("stopped receiving %s", xi[i].name);
			axo_xfer_close(&xi[i]);
			xi[i].state = DROPPED;
			n++;
		}
	}
	show_progress();
	if (n == 0)
		complain("no transfer to abort");
}

static const char *const help[] = {
	"commands:",
	"  .send PATH   offer a file to the peer",
	"  .abort       stop every transfer under way",
	"  .verify      show the PAKE verifier, to compare out of band",
	"  .help        this list",
	"  .quit        end the chat, for both sides",
	"  ..text       send a line that starts with a dot",
};

/* A line of the user: a command or a message. */
static void
user_line(const char *s, size_t n)
{
	char text[AXO_CHAT_TEXT_MAX + 1];
	char echo[AXO_CHAT_TEXT_MAX + AXO_CHAT_NICK_MAX + 8];
	size_t len, cut, i, k;
	uint32_t c;

	if (quitting)
		return;
	if (n > 0 && s[0] == '.' && !(n > 1 && s[1] == '.')) {
		if (n == 5 && !memcmp(s, ".quit", 5)) {
			start_quit();
		} else if (n == 5 && !memcmp(s, ".help", 5)) {
			for (i = 0; i < sizeof help / sizeof help[0]; i++)
				say("%s", help[i]);
		} else if (n == 7 && !memcmp(s, ".verify", 7)) {
			if (o->verifier != NULL)
				say("verifier: %s", o->verifier);
			else
				say("no verifier was given (-V)");
		} else if (n == 6 && !memcmp(s, ".abort", 6)) {
			cmd_abort();
		} else if ((n == 5 && !memcmp(s, ".send", 5)) ||
		    (n > 5 && !memcmp(s, ".send ", 6))) {
			if (n > 6)
				axo_chat_clean(text, sizeof text,
				    (const unsigned char *)s + 6, n - 6);
			if (n <= 6 || text[0] == '\0')
				complain("usage: .send PATH");
			else
				cmd_send(text);
		} else {
			axo_chat_clean(text, 64, (const unsigned char *)s, n);
			complain("unknown command %s (.help lists them)",
			    text);
		}
		return;
	}
	if (n > 1 && s[0] == '.')
		s++, n--;
	len = axo_chat_clean(text, sizeof text, (const unsigned char *)s, n);
	if (len == 0)
		return;
	if (pending() > OUTQ_SOFT) {
		complain("not sent: too much waits to be sent");
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
		send_msg(AXO_CHAT_MSG, 0, text + i, cut, NULL, 0);
	}
	if (o->tui) {
		snprintf(echo, sizeof echo, "<%s> %s", o->me, text);
		axo_tui_print(AXO_TUI_MINE, echo);
	}
}

static void
tui_cb(void *arg, int kind, const char *s, size_t n)
{
	(void)arg;
	if (kind == AXO_TUI_ANSWER)
		answer(s[0] == 'y');
	else
		user_line(s, n);
}

/* Line mode: complete lines from stdin; an over-long one is cut. */
static void
stdin_bytes(const unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (linelen > 0 && line[linelen - 1] == '\r')
				linelen--;
			if (line_long)
				complain("a line of more than %d bytes was cut",
				    AXO_CHAT_TEXT_MAX);
			user_line(line, linelen);
			linelen = 0;
			line_long = 0;
		} else if (linelen < AXO_CHAT_TEXT_MAX) {
			line[linelen++] = (char)buf[i];
		} else
			line_long = 1;
	}
}

static void
lost(void)
{
	die(AXO_EXIT_TEMP, "connection to %s lost", o->peer);
}

static void
net_bytes(void)
{
	struct axo_chat_msg m;
	char err[256];
	size_t off = 0;
	int n;

	for (;;) {
		n = axo_chat_parse(inb + off, inlen - off, &m, err,
		    sizeof err);
		if (n < 0)
			violation(97, "%s", err);
		if (n == 0)
			break;
		off += (size_t)n;
		handle(&m);
	}
	memmove(inb, inb + off, inlen - off);
	inlen -= off;
}

static void
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		die(AXO_EXIT_TEMP, "unable to make fd %d non-blocking", fd);
}

void
axo_chat_run(const struct axo_chat_opts *opts)
{
	struct pollfd pf[3];
	struct timespec ts, *tp;
	sigset_t orig;
	unsigned char buf[4096];
	long long left;
	int nf, iu, i6, i7, sig;
	ssize_t n;

	o = opts;
	axo_sig_catch(stop_sigs, on_sig, &orig);
	axo_sig_catch(winch_sigs, on_winch, NULL);
	nonblock(AXO_FD_NET_IN);
	nonblock(AXO_FD_NET_OUT);
	if (!o->tui)
		setvbuf(stdout, NULL, _IOLBF, 0);
	else if (axo_tui_start(o->red, o->me, o->peer) == -1)
		die(AXO_EXIT_TEMP, "unable to set up the terminal");

	{
		unsigned char hello[1 + AXO_CHAT_NICK_MAX];

		hello[0] = AXO_CHAT_VERSION;
		memcpy(hello + 1, o->me, strlen(o->me));
		send_msg(AXO_CHAT_HELLO, 0, hello, 1 + strlen(o->me), NULL,
		    0);
	}
	if (o->tui)
		say("chat with %s: .help lists the commands", o->peer);

	for (;;) {
		if (got_sig) {
			sig = got_sig;
			cleanup();
			signal(sig, SIG_DFL);
			sigprocmask(SIG_SETMASK, &orig, NULL);
			raise(sig);
			_exit(128 + sig);
		}
		if (got_winch) {
			got_winch = 0;
			axo_tui_redraw();
		}
		produce();
		if (!o->tui && stdin_eof && !quitting && !busy())
			start_quit();
		if (quitting && (pending() == 0 || out_dead ||
		    axo_clock_ms() >= quit_deadline))
			finish();

		nf = 0;
		iu = i6 = i7 = -1;
		if (!stdin_eof && !quitting) {
			pf[nf].fd = 0, pf[nf].events = POLLIN, iu = nf++;
		}
		if (inlen < sizeof inb) {
			pf[nf].fd = AXO_FD_NET_IN, pf[nf].events = POLLIN;
			i6 = nf++;
		}
		if (pending() > 0 && !out_dead) {
			pf[nf].fd = AXO_FD_NET_OUT, pf[nf].events = POLLOUT;
			i7 = nf++;
		}
		tp = NULL;
		if (quitting) {
			left = quit_deadline - axo_clock_ms();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tp = &ts;
		}
		if (ppoll(pf, (nfds_t)nf, tp, &orig) == -1) {
			if (errno != EINTR)
				die(AXO_EXIT_TEMP, "unable to poll: %s",
				    strerror(errno));
			continue;
		}

		if (i7 >= 0 && pf[i7].revents) {
			n = write(AXO_FD_NET_OUT, outq + outoff, pending());
			if (n > 0)
				outoff += (size_t)n;
			else if (n == -1 && errno != EAGAIN && errno != EINTR) {
				/* the peer may have quit: read what it said
				 * before deciding (EOF without QUIT: lost) */
				out_dead = 1;
				outoff = outlen = 0;
			}
		}
		if (i6 >= 0 && pf[i6].revents) {
			n = read(AXO_FD_NET_IN, inb + inlen, sizeof inb - inlen);
			if (n > 0) {
				inlen += (size_t)n;
				net_bytes();
			} else if (n == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				if (quitting)
					finish();
				lost();
			}
		}
		if (iu >= 0 && pf[iu].revents) {
			n = read(0, buf, sizeof buf);
			if (n > 0) {
				if (o->tui)
					axo_tui_input(buf, (size_t)n, tui_cb,
					    NULL);
				else
					stdin_bytes(buf, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				stdin_eof = 1;
				if (o->tui)
					start_quit();
				else if (linelen > 0) {
					user_line(line, linelen);
					linelen = 0;
				}
			}
		}
	}
}
