/* SPDX-License-Identifier: GPL-2.0-only */
/* chatloop.c: the chat session of axo-chat: one poll loop, user and fds 6/7. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "axo.h"
#include "chat.h"
#include "chatcmd.h"
#include "chatlink.h"
#include "chatloop.h"
#include "chatsess.h"
#include "chatxfer.h"
#include "tui.h"

/*
 * One loop polls the user (terminal or stdin), fd 6 and fd 7.  Writes
 * to fd 7 are non-blocking from one bounded queue; a file chunk enters it
 * only when nothing waits, so a typed line waits behind one chunk at
 * most and chat goes on during a transfer.  The peer's
 * bytes are parsed strictly (chat.c) and every message is checked
 * against the state of the transfers it names (axotor(7) "CHAT
 * PROTOCOL").  fd 6 reaches EOF both when the peer's side ends and when
 * the network is cut (axo-ratchet wrap): only a QUIT message makes the
 * difference, so EOF without one is a lost connection (111).  wrap
 * replaces a link that dies and says so on the events fd (chatlink.c);
 * fd 6 and 7 go on.  Every MSG is confirmed by the peer's RECEIPT, and a
 * quit ends with 0 only once the peer has them all.  Line mode reads
 * stdin only while little waits for fd 7, so a fast pipe is held back
 * by the link, never cut.  The loop
 * polls and dispatches: the transfers are chatxfer.c's, the user's lines
 * chatcmd.c's, and what they share (the queues, the words for the user)
 * chatsess.c's.  With -b it polls the file stream too (in, out, its
 * wrap's events): the peer's transfer data comes there, and ours goes
 * there once the peer said FILES, so no chunk is ever before a line.
 */

/* The session and its parts, and the bytes of fd 6 (and of the file
 * stream) not yet parsed. */
struct loop {
	struct axo_chatsess s;
	struct axo_chatxfer xf;
	struct axo_chatcmd cmd;
	struct axo_chatlink link, flink;
	unsigned char inb[AXO_CHAT_MSG_MAX];
	size_t inlen;
	unsigned char finb[AXO_CHAT_MSG_MAX];
	size_t finlen;
	int got_hello, stdin_eof, files_eof;
};

static volatile sig_atomic_t got_sig, got_winch;

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

static void files_lost(struct loop *l, const char *why);

/* One message of the peer, in its place. */
static void
handle(struct loop *l, const struct axo_chat_msg *m)
{
	struct axo_chatsess *s = &l->s;
	const struct axo_chat_opts *o = s->o;
	char text[AXO_CHAT_TEXT_MAX + AXO_CHAT_NICK_MAX + 8];
	char nick[AXO_CHAT_NICK_MAX + 1];

	if (!l->got_hello && m->type != AXO_CHAT_HELLO)
		axo_chatsess_violation(s, 98,
		    "a message of type %d before hello", m->type);
	switch (m->type) {
	case AXO_CHAT_HELLO:
		if (l->got_hello)
			axo_chatsess_violation(s, 98, "a second hello");
		l->got_hello = 1;
		axo_chat_clean(nick, sizeof nick, m->data, m->len);
		if (strcmp(nick, o->peer) != 0)
			axo_chatsess_say(s, "%s calls itself \"%s\"", o->peer,
			    nick);
		break;
	case AXO_CHAT_MSG:
		s->nrcvd++;
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
	case AXO_CHAT_RECEIPT:
		axo_chatsess_delivered(s, m->size);
		break;
	case AXO_CHAT_FILES:
		if (s->peer_files)
			axo_chatsess_violation(s, 98, "a second files");
		s->peer_files = 1;
		/* ours was lost before the peer said it had one */
		if (s->files_lost)
			axo_chatsess_send(s, AXO_CHAT_NOFILES, 0, NULL, 0,
			    NULL, 0);
		break;
	case AXO_CHAT_NOFILES:
		if (!s->peer_files || s->peer_nofiles)
			axo_chatsess_violation(s, 98, "%s",
			    s->peer_files ? "a second nofiles" :
			    "nofiles before files");
		s->peer_nofiles = 1;
		files_lost(l, NULL);
		break;
	case AXO_CHAT_QUIT:
		axo_chatsess_say(s, "%s has quit the chat", o->peer);
		axo_chatsess_receipt(s);
		axo_chatsess_end(s);
	default:
		axo_chatxfer_rx(s, m);
	}
}

static void
tui_cb(void *arg, int kind, const char *line, size_t n)
{
	struct loop *l = arg;

	if (kind == AXO_TUI_TEXT)
		axo_chatcmd_text(&l->s, line, n);
	else
		axo_chatcmd_line(&l->s, line, n);
}

/* The whole messages of buf[0..*len) to take, the rest kept at its start:
 * a malformed one ends the chat (97). */
static void
messages(struct loop *l, unsigned char *buf, size_t *len,
    void (*take)(struct loop *, const struct axo_chat_msg *))
{
	struct axo_chat_msg m;
	char err[256];
	size_t off = 0;
	int n;

	for (;;) {
		n = axo_chat_parse(buf + off, *len - off, &m, err, sizeof err);
		if (n < 0)
			axo_chatsess_violation(&l->s, 97, "%s", err);
		if (n == 0)
			break;
		off += (size_t)n;
		take(l, &m);
	}
	memmove(buf, buf + off, *len - off);
	*len -= off;
}

static void
net_bytes(struct loop *l)
{
	messages(l, l->inb, &l->inlen, handle);
	axo_chatsess_receipt(&l->s);
}

/* fd 6 ended without a QUIT: the link is gone, and wrap said why. */
__attribute__((noreturn))
static void
lost(struct axo_chatsess *s)
{
	char why[400];
	uint32_t n = axo_chatsess_undelivered(s);

	if (strncmp(s->gone, "our tor", 7) == 0)
		snprintf(why, sizeof why, "%s", s->gone);
	else if (s->gone[0] != '\0')
		snprintf(why, sizeof why, "connection to %s lost (%s)",
		    s->o->peer, s->gone);
	else
		snprintf(why, sizeof why, "connection to %s lost", s->o->peer);
	if (n > 0)
		axo_chatsess_die(s, AXO_EXIT_TEMP, "%s; %lu message%s not "
		    "delivered", why, (unsigned long)n, n == 1 ? "" : "s");
	axo_chatsess_die(s, AXO_EXIT_TEMP, "%s", why);
}

/*
 * The file stream is lost for good: its wrap gave up (why), or the
 * peer's did (NOFILES, why NULL).  The session goes on without it: our
 * data goes on fd 7 from here on, the peer is told (once it has said
 * FILES), and what was under way on it ends (chatxfer.c).
 */
static void
files_lost(struct loop *l, const char *why)
{
	struct axo_chatsess *s = &l->s;

	if (s->files_lost || s->quitting)
		return;
	/* without our tor the chat cannot go on either */
	if (why != NULL && strncmp(why, "our tor", 7) == 0) {
		axo_chatlink_drain(&l->link, s);
		if (s->gone[0] == '\0')
			snprintf(s->gone, sizeof s->gone, "%s", why);
		lost(s);
	}
	s->files_lost = 1;
	s->fdown = 0;
	l->files_eof = 1;
	s->fout.dead = 1;
	s->fout.off = s->fout.len = 0;
	if (why != NULL) {
		if (s->peer_files)
			axo_chatsess_send(s, AXO_CHAT_NOFILES, 0, NULL, 0,
			    NULL, 0);
		axo_chatsess_say(s, "the file stream to %s is lost (%s); "
		    "files go with the chat", s->o->peer, why);
	} else
		axo_chatsess_say(s, "%s lost the file stream; files go with "
		    "the chat", s->o->peer);
	axo_chatxfer_files_lost(s);
}

/* The file stream: our transfers' data, nothing else. */
static void
file_message(struct loop *l, const struct axo_chat_msg *m)
{
	if (m->type != AXO_CHAT_CHUNK && m->type != AXO_CHAT_END &&
	    m->type != AXO_CHAT_ABORT)
		axo_chatsess_violation(&l->s, 98, "a message of type %d on the "
		    "file stream", m->type);
	axo_chatxfer_rx(&l->s, m);
}

/* The file stream's data, or its end: the session's when the peer uses
 * it (the peer closes it only as it goes, after QUIT or lost). */
static void
files_input(struct loop *l)
{
	struct axo_chatsess *s = &l->s;
	ssize_t n;

	n = read(s->o->files_fd, l->finb + l->finlen,
	    sizeof l->finb - l->finlen);
	if (n > 0) {
		l->finlen += (size_t)n;
		messages(l, l->finb, &l->finlen, file_message);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		l->files_eof = 1;
		/* its wrap's "gone" is in the pipe by now, if it gave up
		 * (then the loop goes on without it) */
		axo_chatlink_drain(&l->flink, s);
		if (s->fgone[0] == '\0' && s->peer_files && !s->quitting) {
			/* the peer ended it: the peer is going */
			axo_chatlink_drain(&l->link, s);
			if (s->gone[0] == '\0')
				snprintf(s->gone, sizeof s->gone,
				    "the file stream ended");
			lost(s);
		}
	}
}

/* fd 6: the peer's messages, or EOF (after QUIT, or a lost link). */
static void
net_input(struct loop *l)
{
	struct axo_chatsess *s = &l->s;
	ssize_t n;

	n = read(AXO_FD_NET_IN, l->inb + l->inlen, sizeof l->inb - l->inlen);
	if (n > 0) {
		l->inlen += (size_t)n;
		net_bytes(l);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		axo_chatlink_drain(&l->link, s);
		if (s->quitting && s->gone[0] == '\0')
			axo_chatsess_end(s);
		lost(s);
	}
}

/* The user: keys for the window, or lines in line mode.  At EOF the
 * window quits; line mode passes on its last line and quits once no
 * transfer is under way. */
static void
user_input(struct loop *l)
{
	struct axo_chatsess *s = &l->s;
	unsigned char buf[4096];
	ssize_t n;

	n = read(0, buf, sizeof buf);
	if (n > 0) {
		if (s->o->tui)
			axo_tui_input(buf, (size_t)n, tui_cb, l);
		else
			axo_chatcmd_bytes(&l->cmd, s, buf, (size_t)n);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		l->stdin_eof = 1;
		if (s->o->tui)
			axo_chatsess_quit(s);
		else
			axo_chatcmd_eof(&l->cmd, s);
	}
}

static void
nonblock(struct axo_chatsess *s, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		axo_chatsess_die(s, AXO_EXIT_TEMP,
		    "unable to make fd %d non-blocking", fd);
}
void
axo_chat_run(const struct axo_chat_opts *opts)
{
	struct pollfd pf[7];
	struct timespec ts, *tp;
	sigset_t orig;
	long long left;
	long long next;
	int nf, iu, i6, i7, ie, ifi, ifo, ife, sig;
	static struct loop l;
	struct axo_chatsess *s = &l.s;
	const struct axo_chat_opts *o = opts;

	s->o = opts;
	s->xf = &l.xf;
	axo_chatxfer_init(&l.xf);
	axo_chatlink_init(&l.link, o->events_fd);
	if (o->events_fd != -1)
		nonblock(s, o->events_fd);
	s->out.fd = AXO_FD_NET_OUT;
	s->fout.fd = -1;
	axo_chatlink_init(&l.flink, -1);
	if (o->files_fd != -1) {
		s->fout.fd = o->files_fd + 1;
		axo_chatlink_init(&l.flink, o->files_fd + 2);
		l.flink.files = 1;
		nonblock(s, o->files_fd);
		nonblock(s, o->files_fd + 1);
		nonblock(s, o->files_fd + 2);
	}
	axo_sig_catch(stop_sigs, on_sig, &orig);
	axo_sig_catch(winch_sigs, on_winch, NULL);
	nonblock(s, AXO_FD_NET_IN);
	nonblock(s, AXO_FD_NET_OUT);
	if (!o->tui)
		setvbuf(stdout, NULL, _IOLBF, 0);
	else if (axo_tui_start(o->red ? AXO_TUI_RED : o->verified ?
	    AXO_TUI_VERIFIED : AXO_TUI_UNVERIFIED, o->me, o->peer) == -1)
		axo_chatsess_die(s, AXO_EXIT_TEMP,
		    "unable to set up the terminal");

	{
		unsigned char hello[1 + AXO_CHAT_NICK_MAX];

		hello[0] = AXO_CHAT_VERSION;
		memcpy(hello + 1, o->me, strlen(o->me));
		axo_chatsess_send(s, AXO_CHAT_HELLO, 0, hello,
		    1 + strlen(o->me), NULL, 0);
		if (o->files_fd != -1)
			axo_chatsess_send(s, AXO_CHAT_FILES, 0, NULL, 0, NULL,
			    0);
	}
	if (o->tui)
		axo_chatsess_say(s, "chat with %s: .help lists the commands",
		    o->peer);

	for (;;) {
		if (got_sig) {
			sig = got_sig;
			axo_chatsess_cleanup(s);
			signal(sig, SIG_DFL);
			sigprocmask(SIG_SETMASK, &orig, NULL);
			raise(sig);
			_exit(128 + sig);
		}
		if (got_winch) {
			got_winch = 0;
			axo_tui_redraw();
		}
		/* the file stream's wrap gave up: on without it */
		if (s->fgone[0] != '\0')
			files_lost(&l, s->fgone);
		axo_chatxfer_produce(s);
		if (!o->tui && l.stdin_eof && !s->quitting &&
		    !axo_chatxfer_busy(s))
			axo_chatsess_quit(s);
		if (s->quit_wait && !s->quitting &&
		    axo_chatxfer_unconfirmed(s) == NULL)
			axo_chatsess_quit(s);
		/* quitting: until the peer's end shows it had the QUIT (fd 6
		 * ends), or, while linked, it had the time to */
		if (s->quitting && (s->out.dead ||
		    (!s->down && axo_clock_ms() >= s->quit_deadline)))
			axo_chatsess_end(s);
		axo_chatlink_tick(s);
		if (o->tui)
			axo_tui_tick();

		nf = 0;
		iu = i6 = i7 = ie = ifi = ifo = ife = -1;
		/* line mode: stdin only as fast as fd 7 takes it */
		if (!l.stdin_eof && !s->quitting && (o->tui ||
		    axo_chatsess_pending(s) < AXO_CHATSESS_SOFT)) {
			pf[nf].fd = 0, pf[nf].events = POLLIN, iu = nf++;
		}
		if (l.inlen < sizeof l.inb) {
			pf[nf].fd = AXO_FD_NET_IN, pf[nf].events = POLLIN;
			i6 = nf++;
		}
		if (axo_chatsess_pending(s) > 0 && !s->out.dead) {
			pf[nf].fd = AXO_FD_NET_OUT, pf[nf].events = POLLOUT;
			i7 = nf++;
		}
		if (l.link.fd != -1) {
			pf[nf].fd = l.link.fd, pf[nf].events = POLLIN;
			ie = nf++;
		}
		if (o->files_fd != -1 && !l.files_eof &&
		    l.finlen < sizeof l.finb) {
			pf[nf].fd = o->files_fd, pf[nf].events = POLLIN;
			ifi = nf++;
		}
		if (s->fout.fd != -1 && !s->fout.dead &&
		    s->fout.len > s->fout.off) {
			pf[nf].fd = s->fout.fd, pf[nf].events = POLLOUT;
			ifo = nf++;
		}
		if (l.flink.fd != -1) {
			pf[nf].fd = l.flink.fd, pf[nf].events = POLLIN;
			ife = nf++;
		}
		tp = NULL;
		next = axo_chatlink_next(s);
		if (o->tui && axo_tui_deadline() > 0 && (next == 0 ||
		    axo_tui_deadline() < next))
			next = axo_tui_deadline();
		if (s->quitting && !s->down && (next == 0 ||
		    s->quit_deadline < next))
			next = s->quit_deadline;
		if (next > 0) {
			left = next - axo_clock_ms();
			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tp = &ts;
		}
		if (ppoll(pf, (nfds_t)nf, tp, &orig) == -1) {
			if (errno != EINTR)
				axo_chatsess_die(s, AXO_EXIT_TEMP,
				    "unable to poll: %s", strerror(errno));
			continue;
		}

		/* wrap's last word comes before the end of fd 6 */
		if (ie >= 0 && pf[ie].revents)
			axo_chatlink_read(&l.link, s);
		if (ife >= 0 && pf[ife].revents)
			axo_chatlink_read(&l.flink, s);
		if (i7 >= 0 && pf[i7].revents)
			axo_chatsess_write(&s->out);
		if (ifo >= 0 && pf[ifo].revents)
			axo_chatsess_write(&s->fout);
		if (ifi >= 0 && pf[ifi].revents)
			files_input(&l);
		if (i6 >= 0 && pf[i6].revents)
			net_input(&l);
		if (iu >= 0 && pf[iu].revents)
			user_input(&l);
	}
}
