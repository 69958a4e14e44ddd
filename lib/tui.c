/* SPDX-License-Identifier: GPL-2.0-only */
/* tui.c: the chat window: scroll region, status line, input line editing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>
#include <locale.h>

#include "axo.h"
#include "chat.h"
#include "tui.h"

/*
 * The screen: rows 1..H-2 are a scroll region (DECSTBM) that only
 * messages enter, row H-1 the status line in the session's colour, row H
 * the input line.  A message is printed at the bottom of the region and
 * the status and input lines are drawn again after it, so that incoming
 * text never breaks what the user is typing.  Every text that reaches
 * this module is already clean of control characters (chat.c); the
 * escape sequences written here are ours alone.  The terminal is raw
 * (no echo, no signals from keys) and restored by axo_tui_stop, which
 * every exit path calls.
 */

/* ^C and ^D do not end the chat: it ends for both, so only .quit does */
#define QUIT_HINT	"* .quit ends the chat, for both sides"
#define LINE_FULL	"* the line is full (65536 bytes): the rest is not taken"
#define PASTE_LONG	"* not taken: a paste of more than 65536 bytes"
#define HIST	1024		/* lines kept, to redraw and scroll back */
#define RECALL	100		/* our own lines that Up and Down recall */
/* A lone Esc is dropped after this long; an Esc then a key within it is
 * Alt and that key (readline's keyseq-timeout, irssi's esc time-out) */
#define ESC_MS	300
#define OBUF	16384

static struct {
	int active;
	struct termios orig;
	int rows, cols, red, verified;
	char me[AXO_CHAT_NICK_MAX + 1], peer[AXO_CHAT_NICK_MAX + 1];
	char in[AXO_TUI_LINE_MAX + 1];
	int full;		/* said that the line is full */
	/* a bracketed paste (xterm mode 2004): gathered, then put in the
	 * line if it is one line, else held until ^Y sends it or ^N drops it */
	int pasting, pover;
	char paste[AXO_TUI_LINE_MAX + 1];
	size_t plen;
	char *held;		/* a paste of several lines, or NULL */
	size_t heldlen, heldn;
	size_t inlen, cur;
	int esc;		/* 0, 1 after ESC, 2 inside CSI or SS3 */
	long long esc_at;	/* when the ESC came */
	char escbuf[8];
	size_t esclen;
	char offer[AXO_CHAT_SAFE_MAX + 128];	/* an open offer, or "" */
	char progress[AXO_CHAT_SAFE_MAX + 64];
	char link[256];		/* the link is down: the status line says so */
	uint32_t delivered;	/* our messages the peer has */
	char *hist[HIST];
	int hkind[HIST];
	uint32_t hseq[HIST];	/* our message's number, pending past delivered */
	size_t hnext;
	size_t back;		/* lines scrolled back (PageUp), 0 at the end */
	char *recall[RECALL];	/* our lines, for Up and Down */
	size_t rnext, rpos;	/* rpos == rnext: the draft, not a recall */
	char draft[AXO_TUI_LINE_MAX + 1];	/* kept while recalling */
	char ob[OBUF];
	size_t olen;
} t;

static void paste_end(void);

void
axo_tui_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < t.olen) {
		n = write(1, t.ob + off, t.olen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	t.olen = 0;
}

static void
put(const char *s, size_t n)
{
	if (n > OBUF) {
		axo_tui_flush();
		t.olen = 0;
		memcpy(t.ob, s, OBUF);
		t.olen = OBUF;
		axo_tui_flush();
		return;
	}
	if (t.olen + n > OBUF)
		axo_tui_flush();
	memcpy(t.ob + t.olen, s, n);
	t.olen += n;
}

static void
puts_(const char *s)
{
	put(s, strlen(s));
}

__attribute__((format(printf, 1, 2)))
static void
putf(const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/*
 * Columns of UTF-8 text: wcwidth of each code point (0 for combining
 * marks, 2 for wide ones), 1 for what it does not know.  The text is
 * well formed here (chat.c cleaned it, or the user typed it); a stray
 * byte counts as one column.
 */
static size_t
cpw(const char *s, size_t n, size_t *k)
{
	uint32_t c;
	int w;

	*k = axo_chat_utf8((const unsigned char *)s, n, &c);
	if (*k == 0) {
		*k = 1;
		return 1;
	}
	w = wcwidth((wchar_t)c);
	return w < 0 ? 1 : (size_t)w;
}

static size_t
width(const char *s, size_t n)
{
	size_t i, k, w = 0;

	for (i = 0; i < n; i += k)
		w += cpw(s + i, n - i, &k);
	return w;
}

/* The byte offset where the columns before it reach col, at most. */
static size_t
upto(const char *s, size_t n, size_t col)
{
	size_t i, k, w = 0, cw;

	for (i = 0; i < n; i += k) {
		cw = cpw(s + i, n - i, &k);
		if (w + cw > col)
			return i;
		w += cw;
	}
	return n;
}

static void
getsize(void)
{
	struct winsize ws;

	t.rows = 24, t.cols = 80;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		t.rows = ws.ws_row;
		t.cols = ws.ws_col;
	}
	if (t.rows < 3)
		t.rows = 3;
	/* draw for the real width, however narrow (t/axo-chat.bats "a
	 * 12-column window"): a wider guess would wrap the input line */
	if (t.cols < 4)
		t.cols = 4;
}

static void
draw_bottom(void)
{
	char st[512];
	size_t n, w, skip, vis, avail, k;
	const char *prompt;

	char back[64] = "", pastemsg[96];

	snprintf(pastemsg, sizeof pastemsg, "paste of %zu lines: ^Y sends "
	    "%zu messages, ^N drops it", t.heldn, t.heldn);
	if (t.back > 0)
		snprintf(back, sizeof back, " | scrolled back %zu (PageDown)",
		    t.back);
	n = (size_t)snprintf(st, sizeof st, " %s <-> %s | %s | %s%s%s%s",
	    t.me, t.peer, t.link[0] ? t.link : t.red ?
	    "SMP FAILED: not verified" : t.verified ?
	    "encrypted, verified (SMP)" : "encrypted, not verified",
	    t.held ? pastemsg : t.offer[0] ? t.offer : ".help",
	    t.progress[0] ? " | " : "", t.progress, back);
	if (n >= sizeof st)
		n = sizeof st - 1;
	n = upto(st, n, (size_t)t.cols);
	w = width(st, n);
	putf("\033[%d;1H\033[0m\033[2K", t.rows - 1);
	/* yellow while the link is down, then green or red again */
	puts_(t.link[0] ? "\033[30;43m" : t.red ? "\033[1;97;41m" :
	    "\033[30;42m");
	put(st, n);
	for (; w < (size_t)t.cols; w++)
		put(" ", 1);
	puts_("\033[0m");

	putf("\033[%d;1H\033[2K", t.rows);
	prompt = "> ";
	puts_(prompt);
	avail = (size_t)t.cols - 3;
	w = width(t.in, t.cur);
	/* scroll the line sideways so that the cursor stays in sight */
	skip = 0;
	n = 0;
	while (w - skip > avail && n < t.cur)
		skip += cpw(t.in + n, t.cur - n, &k), n += k;
	vis = upto(t.in + n, t.inlen - n, avail + 1);
	put(t.in + n, vis);
	putf("\033[%d;%zuH", t.rows, 3 + w - skip);
}

static void
draw_line(int kind, const char *line, uint32_t seq)
{
	const char *sp;

	putf("\033[%d;1H\n", t.rows - 2);
	switch (kind) {
	case AXO_TUI_PEER:
	case AXO_TUI_MINE:
		/* "<nick> text": the nick in colour */
		sp = line + strlen(kind == AXO_TUI_PEER ? t.peer : t.me) + 2;
		if (sp > line + strlen(line))
			sp = line + strlen(line);
		puts_(kind == AXO_TUI_PEER ? "\033[1;35m" : "\033[1;34m");
		put(line, (size_t)(sp - line));
		puts_("\033[0m");
		puts_(sp);
		/* not yet delivered: a mark that the receipt clears */
		if (kind == AXO_TUI_MINE && seq > t.delivered)
			puts_(" \033[2m...\033[0m");
		break;
	default:
		puts_("\033[33m");
		puts_(line);
		puts_("\033[0m");
	}
}

static void
add(int kind, const char *line, uint32_t seq)
{
	size_t i = t.hnext % HIST;

	free(t.hist[i]);
	t.hist[i] = strdup(line);
	t.hkind[i] = kind;
	t.hseq[i] = seq;
	t.hnext++;
	if (!t.active)
		return;
	/* scrolled back: the view stays where it is, the status line
	 * counts the lines below it */
	if (t.back > 0) {
		if (t.back < HIST - (size_t)t.rows)
			t.back++;
		draw_bottom();
		axo_tui_flush();
		return;
	}
	draw_line(kind, line, seq);
	draw_bottom();
	axo_tui_flush();
}

void
axo_tui_print(int kind, const char *line)
{
	add(kind, line, 0);
}

void
axo_tui_mine(const char *line, uint32_t seq)
{
	add(AXO_TUI_MINE, line, seq);
}

void
axo_tui_delivered(uint32_t upto)
{
	size_t n, i;
	int shown = 0;

	/* a redraw only when a line on the screen loses its mark */
	n = t.hnext < HIST ? t.hnext : HIST;
	if (t.active && n > (size_t)t.rows - 2)
		n = (size_t)t.rows - 2;
	for (i = t.hnext - n; i < t.hnext; i++)
		if (t.back == 0 && t.hkind[i % HIST] == AXO_TUI_MINE &&
		    t.hseq[i % HIST] > t.delivered && t.hseq[i % HIST] <= upto)
			shown = 1;
	t.delivered = upto;
	if (shown)
		axo_tui_redraw();
}

void
axo_tui_link(const char *down)
{
	snprintf(t.link, sizeof t.link, "%s", down ? down : "");
	if (!t.active)
		return;
	draw_bottom();
	axo_tui_flush();
}

void
axo_tui_redraw(void)
{
	size_t n, i, first;

	if (!t.active)
		return;
	getsize();
	putf("\033[r\033[0m\033[2J\033[1;%dr", t.rows - 2);
	n = t.hnext < HIST ? t.hnext : HIST;
	if (t.back > n - (n > 0))
		t.back = n > 0 ? n - 1 : 0;
	n -= t.back;
	if (n > (size_t)t.rows - 2)
		n = (size_t)t.rows - 2;
	first = t.hnext - t.back - n;
	for (i = first; i < t.hnext - t.back; i++)
		if (t.hist[i % HIST] != NULL)
			draw_line(t.hkind[i % HIST], t.hist[i % HIST],
			    t.hseq[i % HIST]);
	draw_bottom();
	axo_tui_flush();
}

void
axo_tui_progress(const char *s)
{
	snprintf(t.progress, sizeof t.progress, "%s", s ? s : "");
	if (!t.active)
		return;
	draw_bottom();
	axo_tui_flush();
}

void
axo_tui_offer(const char *s)
{
	snprintf(t.offer, sizeof t.offer, "%s", s ? s : "");
	if (!t.active)
		return;
	draw_bottom();
	axo_tui_flush();
}

int
axo_tui_start(int trust, const char *me, const char *peer)
{
	struct termios raw;

	if (tcgetattr(0, &t.orig) == -1)
		return -1;
	/* wcwidth knows UTF-8 only under a UTF-8 locale: take the user's
	 * if it is one, else C.UTF-8 (the terminal gets UTF-8 from us) */
	if (setlocale(LC_CTYPE, "") == NULL || wcwidth(0x4e00) != 2)
		setlocale(LC_CTYPE, "C.UTF-8");
	raw = t.orig;
	/* no echo, no line discipline, no signals from keys (^C is a key
	 * here), no flow control, no CR translation; output untouched */
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
	raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | ISTRIP |
	    BRKINT);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSADRAIN, &raw) == -1)
		return -1;
	t.active = 1;
	t.red = trust == AXO_TUI_RED;
	t.verified = trust == AXO_TUI_VERIFIED;
	/* bracketed paste: a paste comes between ESC [200~ and ESC [201~ */
	puts_("\033[?2004h");
	snprintf(t.me, sizeof t.me, "%s", me);
	snprintf(t.peer, sizeof t.peer, "%s", peer);
	axo_tui_redraw();
	return 0;
}

void
axo_tui_stop(void)
{
	if (!t.active)
		return;
	t.active = 0;
	t.olen = 0;
	puts_("\033[?2004l");
	putf("\033[r\033[0m\033[%d;1H\033[J", t.rows - 1);
	axo_tui_flush();
	tcsetattr(0, TCSADRAIN, &t.orig);
}

/* Code points before the cursor (for ^W and backspace). */
static size_t
prev_cp(size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)t.in[i] & 0xc0) == 0x80)
		i--;
	return i;
}

static size_t
next_cp(size_t i)
{
	if (i >= t.inlen)
		return t.inlen;
	i++;
	while (i < t.inlen && ((unsigned char)t.in[i] & 0xc0) == 0x80)
		i++;
	return i;
}

static void
cut(size_t from, size_t to)
{
	memmove(t.in + from, t.in + to, t.inlen - to);
	t.inlen -= to - from;
	t.cur = from;
}

/* The start of the word before i, or after it (words: not spaces). */
static size_t
word_back(size_t i)
{
	while (i > 0 && t.in[i - 1] == ' ')
		i--;
	while (i > 0 && t.in[i - 1] != ' ')
		i--;
	return i;
}

static size_t
word_fwd(size_t i)
{
	while (i < t.inlen && t.in[i] == ' ')
		i++;
	while (i < t.inlen && t.in[i] != ' ')
		i++;
	return i;
}

static void
set_line(const char *s)
{
	t.inlen = t.cur = strlen(s);
	memcpy(t.in, s, t.inlen);
}

/* Up and Down: our earlier lines, then the draft again. */
static void
recall(int older)
{
	size_t have = t.rnext < RECALL ? t.rnext : RECALL;

	if (older) {
		if (t.rpos == t.rnext - have)
			return;
		if (t.rpos == t.rnext) {
			memcpy(t.draft, t.in, t.inlen);
			t.draft[t.inlen] = '\0';
		}
		t.rpos--;
		set_line(t.recall[t.rpos % RECALL]);
	} else {
		if (t.rpos == t.rnext)
			return;
		t.rpos++;
		set_line(t.rpos == t.rnext ? t.draft :
		    t.recall[t.rpos % RECALL]);
	}
}

static void
keep(const char *line)
{
	size_t i = t.rnext % RECALL;

	free(t.recall[i]);
	t.recall[i] = strdup(line);
	if (t.recall[i] == NULL)
		return;
	t.rnext++;
	t.rpos = t.rnext;
}

/* PageUp and PageDown: a window less one line at a time. */
static void
page(int up)
{
	size_t step = t.rows > 4 ? (size_t)t.rows - 3 : 1;

	if (up)
		t.back += step;
	else
		t.back = t.back > step ? t.back - step : 0;
	axo_tui_redraw();
}

static void
escape_done(void)
{
	const char *e = t.escbuf;

	if (!strcmp(e, "200~")) {
		t.pasting = 1;
		t.plen = 0;
		t.pover = 0;
		return;
	}
	if (!strcmp(e, "201~")) {
		if (t.pasting)
			paste_end();
		return;
	}
	if (t.pasting)
		return;
	if (!strcmp(e, "C") && t.cur < t.inlen)
		t.cur = next_cp(t.cur);
	else if (!strcmp(e, "D"))
		t.cur = prev_cp(t.cur);
	else if (!strcmp(e, "A"))
		recall(1);
	else if (!strcmp(e, "B"))
		recall(0);
	else if (!strcmp(e, "5~"))
		page(1);
	else if (!strcmp(e, "6~"))
		page(0);
	else if (!strcmp(e, "1;5D") || !strcmp(e, "1;3D"))
		t.cur = word_back(t.cur);
	else if (!strcmp(e, "1;5C") || !strcmp(e, "1;3C"))
		t.cur = word_fwd(t.cur);
	else if (!strcmp(e, "H") || !strcmp(e, "1~") || !strcmp(e, "7~"))
		t.cur = 0;
	else if (!strcmp(e, "F") || !strcmp(e, "4~") || !strcmp(e, "8~"))
		t.cur = t.inlen;
	else if (!strcmp(e, "3~") && t.cur < t.inlen)
		cut(t.cur, next_cp(t.cur));
}

/* Text into the line at the cursor, while it fits. */
static void
insert(const char *p, size_t n)
{
	if (t.inlen + n > AXO_TUI_LINE_MAX) {
		if (!t.full)
			add(AXO_TUI_NOTE, LINE_FULL, 0);
		t.full = 1;
		return;
	}
	memmove(t.in + t.cur + n, t.in + t.cur, t.inlen - t.cur);
	memcpy(t.in + t.cur, p, n);
	t.cur += n;
	t.inlen += n;
}

/*
 * The end of a paste: one line goes into the input line; several are
 * held, on the status line, until ^Y sends them (each a message, never a
 * command) or ^N drops them, as weechat asks (issue 13 item 4).
 */
static void
paste_end(void)
{
	size_t i, lines = 1;

	t.pasting = 0;
	while (t.plen > 0 && t.paste[t.plen - 1] == '\n')
		t.plen--;
	if (t.pover) {
		add(AXO_TUI_NOTE, PASTE_LONG, 0);
		return;
	}
	for (i = 0; i < t.plen; i++)
		if (t.paste[i] == '\n')
			lines++;
	if (lines == 1) {
		insert(t.paste, t.plen);
		return;
	}
	if (t.held != NULL) {
		add(AXO_TUI_NOTE, "* a paste waits: ^Y sends it, ^N drops it",
		    0);
		return;
	}
	t.held = malloc(t.plen + 1);
	if (t.held == NULL)
		return;
	memcpy(t.held, t.paste, t.plen);
	t.held[t.plen] = '\0';
	t.heldlen = t.plen;
	t.heldn = lines;
}

static void
held_send(axo_tui_fn fn, void *arg)
{
	char *base = t.held, *p, *e, *end = t.held + t.heldlen;

	t.held = NULL;
	for (p = base; p < end; p = e + 1) {
		e = memchr(p, '\n', (size_t)(end - p));
		if (e == NULL)
			e = end;
		*e = '\0';
		if (e > p)
			fn(arg, AXO_TUI_TEXT, p, (size_t)(e - p));
	}
	free(base);
}

/* Alt and a key (Esc, then the key within ESC_MS): 1 if it is ours. */
static int
meta(unsigned char c)
{
	switch (c) {
	case 'b':
		t.cur = word_back(t.cur);
		return 1;
	case 'f':
		t.cur = word_fwd(t.cur);
		return 1;
	case 'd':
		cut(t.cur, word_fwd(t.cur));
		return 1;
	case 8:
	case 0x7f:
		cut(word_back(t.cur), t.cur);
		return 1;
	}
	return 0;
}

long long
axo_tui_deadline(void)
{
	return t.esc == 1 ? t.esc_at + ESC_MS : 0;
}

void
axo_tui_tick(void)
{
	if (t.esc == 1 && axo_clock_ms() >= t.esc_at + ESC_MS)
		t.esc = 0;
}

void
axo_tui_input(const unsigned char *buf, size_t n, axo_tui_fn fn, void *arg)
{
	size_t i, j;
	unsigned char c;

	/* a lone Esc long ago is not the start of what comes now */
	axo_tui_tick();
	for (i = 0; i < n; i++) {
		c = buf[i];
		if (t.esc == 1) {
			t.esc = 0;
			if (c == '[' || c == 'O') {
				t.esc = 2;
				t.esclen = 0;
				continue;
			}
			if (meta(c))
				continue;
			/* Alt and a key we do not know: the key alone,
			 * never eaten */
			if (c == 0x1b) {
				t.esc = 1;
				t.esc_at = axo_clock_ms();
				continue;
			}
		}
		if (t.esc == 2) {
			if (t.esclen < sizeof t.escbuf - 1)
				t.escbuf[t.esclen++] = (char)c;
			if (c >= 0x40 && c <= 0x7e) {
				t.escbuf[t.esclen] = '\0';
				t.esc = 0;
				escape_done();
			}
			continue;
		}
		if (c == 0x1b) {
			t.esc = 1;
			t.esc_at = axo_clock_ms();
			continue;
		}
		if (t.pasting) {
			if (c == '\r')
				c = '\n';
			if (c == '\t')
				c = ' ';
			if (c < 0x20 && c != '\n')
				continue;
			if (t.plen < AXO_TUI_LINE_MAX)
				t.paste[t.plen++] = (char)c;
			else
				t.pover = 1;
			continue;
		}
		switch (c) {
		case '\r':
		case '\n':
			if (t.inlen > 0) {
				t.in[t.inlen] = '\0';
				j = t.inlen;
				t.inlen = t.cur = 0;
				t.full = 0;
				keep(t.in);
				fn(arg, AXO_TUI_LINE, t.in, j);
			}
			break;
		case 1:		/* ^A */
			t.cur = 0;
			break;
		case 5:		/* ^E */
			t.cur = t.inlen;
			break;
		case 2:		/* ^B */
			t.cur = prev_cp(t.cur);
			break;
		case 6:		/* ^F */
			t.cur = next_cp(t.cur);
			break;
		case 3:		/* ^C: clear the line, and say how to leave */
			t.inlen = t.cur = 0;
			t.rpos = t.rnext;
			add(AXO_TUI_NOTE, QUIT_HINT, 0);
			break;
		case 4:		/* ^D: ends the chat for both: only .quit does */
			if (t.inlen == 0)
				add(AXO_TUI_NOTE, QUIT_HINT, 0);
			else if (t.cur < t.inlen)
				cut(t.cur, next_cp(t.cur));
			break;
		case 8:
		case 0x7f:
			if (t.cur > 0)
				cut(prev_cp(t.cur), t.cur);
			break;
		case 11:	/* ^K */
			t.inlen = t.cur;
			break;
		case 12:	/* ^L */
			axo_tui_redraw();
			break;
		case 16:	/* ^P, ^N: as Up and Down */
			recall(1);
			break;
		case 14:	/* ^N drops a held paste */
			if (t.held != NULL) {
				free(t.held);
				t.held = NULL;
				add(AXO_TUI_NOTE, "* paste dropped", 0);
			} else
				recall(0);
			break;
		case 25:	/* ^Y sends a held paste */
			if (t.held != NULL)
				held_send(fn, arg);
			break;
		case 21:	/* ^U */
			cut(0, t.cur);
			break;
		case 23:	/* ^W: the word before the cursor */
			cut(word_back(t.cur), t.cur);
			break;
		case '\t':
			c = ' ';
			/* FALLTHROUGH */
		default:
			if (c < 0x20)
				break;
			insert((const char *)&c, 1);
		}
	}
	if (!t.active)
		return;
	draw_bottom();
	axo_tui_flush();
}
