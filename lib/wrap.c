/* SPDX-License-Identifier: GPL-2.0-only */
/* wrap.c: keep one session's stream across network links that come and go. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "ratchet.h"
#include "usock.h"
#include "wrap.h"

/*
 * The child speaks plaintext on two pipes: its fd 6 reads what the peer
 * sent, its fd 7 writes what goes to the peer.  Pipes, not a socket
 * pair, so that the child's close(7) is an end of stream we can see and
 * pass on as an authenticated FIN: a peer that only sees the network
 * close can tell truncation from the end.  The network is never
 * half-closed: a tor stream has no half-close (axo-onion(1)).
 *
 * Every byte the child writes has an offset in the stream.  A STREAM
 * record carries its offset and what we have received ("ack"); ACK
 * records carry the ack alone and are the keepalives; RESUME is the
 * first record on every link.  What the peer has not acknowledged stays
 * in a ring (sodium_malloc, AXO_WRAP_SEND_MAX) and is sealed again, as
 * new ratchet messages, on the next link: no record goes out twice, and
 * the receiver drops the bytes below its count (axotor(7)).
 */

#define LINGER_MS	5000	/* wait for the peer's FIN once we are done */
#define STOP_LINGER_MS	2000	/* told to stop: for the peer's ack of our end */
#define UNHEARD_MAX	400	/* records sealed unheard: lost ones < MAX_SKIP */
#define ACK_BYTES	(256u << 10)
#define ACK_RECS	32
#define ACK_DELAY_MS	200
#define CAND_MAX	4	/* connections not yet proved, server side */
#define BACKOFF_MAX_MS	30000
#define NETIN_CAP	(2 * AXO_FRAME_MAX)
#ifndef NETOUT_RECS
#define NETOUT_RECS	1
#endif
#define NETOUT_CAP	(NETOUT_RECS * AXO_FRAME_MAX)
#ifndef LINK_SNDBUF
#define LINK_SNDBUF	65536	/* SO_SNDBUF of a link socket (the kernel doubles it) */
#endif
#define KIDOUT_CAP	(4 * AXO_FRAME_MAXBODY)
/*
 * What we hold of our stream ahead of the link while a link is up: a
 * line the child writes waits behind all of it.  (The ring keeps what
 * the peer has not acknowledged, up to AXO_WRAP_SEND_MAX, for a new
 * link; what is not yet sent is the part a line waits behind.)  The
 * child's pipe, 16 KiB; read from it, one record's worth; sealed, one
 * record of 32 cells (AXO_WRAP_RECORD_CELLS); in the socket to tor, up
 * to 128 KiB, refilled when a quarter is left.  t/bench/transfer.sh
 * measured the sender of a 50 MiB .send: with four records of 128 cells
 * each, the system's 64 KiB pipe and socket buffer, a line typed then
 * took 157-202 ms; with one record of 128 cells each and a 64 KiB
 * socket, 104-117 ms; with these sizes 63-69 ms, against 60-64 ms there
 * and back for a ping on a second stream of the same circuit with
 * nothing of ours before it (what tor itself keeps in flight,
 * t/helpers/onionprobe): tor drains the socket as fast as its window
 * opens, so a line waits mostly in tor.  The socket's size made no
 * difference that the bench could see once it compared two builds on
 * one circuit (its "one circuit" rounds, then with wrap -R 0; three
 * runs of 32 KiB against 128 KiB, 22 rounds: the 50 MiB took
 * 0.91-1.04x as long, a line 72-85 against 75-86 ms); the 12% that
 * 64 KiB had seemed to cost was most likely the spread between two
 * circuits (64 KiB was not run again).  128 KiB stays, as the size
 * with the most runs behind it.  axo-chat writes a chunk only when
 * nothing else waits, so a line waits behind one chunk at most there.  A
 * link that is down still lets the child fill the ring.  NETOUT_RECS,
 * LINK_SNDBUF (0: the system's), KID_PIPE (0: the system's) and
 * READAHEAD_RECS may be set with -D to try other sizes against
 * t/bench/transfer.sh (BASE_BIN).
 */
#ifndef READAHEAD_RECS
#define READAHEAD_RECS	1
#endif
#ifndef KID_PIPE
#define KID_PIPE	16384	/* F_SETPIPE_SZ of the child's output */
#endif
#define READAHEAD	(READAHEAD_RECS * CHUNK_MAX)
#define ACK_LEN		8
#define STREAM_HDR	(ACK_LEN + 8 + 1)	/* ack, off, flags */
#define CHUNK_MAX	AXO_WRAP_RECORD_DATA
_Static_assert(CHUNK_MAX + STREAM_HDR + AXO_FRAME_MAX - AXO_FRAME_MAXDATA ==
    AXO_FRAME_CELL * AXO_WRAP_RECORD_CELLS, "a bulk record is whole cells");
#define FLAG_FIN	0x01

struct buf {
	unsigned char *p;
	size_t off, len, cap;
};

/* One network connection: fds 6 and 7 at first, then a socket. */
struct conn {
	int rfd, wfd;
	struct buf in, out;
	long long since, last_rx, last_tx;
	int rdone;		/* read EOF; writing may go on (no reconnect) */
	int proved;		/* an authentic record came on it */
};

struct wrap {
	struct axo_ratchet *r;
	const struct axo_wrap_opts *o;
	int reconnect;		/* links are replaced when they die */
	long long keep_ms;	/* keepalive period, 0 for none */
	struct conn ln;		/* the live link, ln.rfd -1 for none */
	struct conn cand[CAND_MAX];

	/* our stream: positions [base, end) in the ring; FIN is one more */
	unsigned char *ring;
	size_t rcap, rhead;	/* ring index of base */
	uint64_t base, sent, end, maxsent;
	int fin;		/* the child's output ended at end */
	int fin_acked;		/* and the peer has all of it */
	int fin_written;	/* all of it went into the link */

	/* the peer's stream */
	uint64_t rcvd, acked;	/* positions received; the last we acked */
	unsigned recs_unacked;
	long long ack_due;
	int peer_fin;
	unsigned unheard;	/* records sealed since the peer's last */

	struct buf kidout;
	unsigned char *tmp;
	int cin, cout;
	pid_t kid;
	int kid_done, kid_st;

	/* the link program (client side) */
	pid_t dpid;
	int dsock, derr, attempt;
	long long next_dial;
	char why[256];
	size_t whylen;

	long long down_since;	/* 0 while a link is up */
	int first;		/* no link proved yet: no "up" to report */
	long long linger;
	long long next_watch;
	int events;		/* our end of the child's event pipe */
	int sealable;		/* the link took a record this turn */
	int gone, authfail, net_failed, late, warned, stopped;
	unsigned long nrec;
};

static volatile sig_atomic_t got_sig, got_chld;
static const int stop_sigs[] = { SIGTERM, SIGINT, SIGHUP, 0 };
static const int chld_sigs[] = { SIGCHLD, 0 };

static void
on_sig(int sig)
{
	got_sig = sig;
}

static void
on_chld(int sig)
{
	(void)sig;
	got_chld = 1;
}

/* ---- buffers ---- */

static void
buf_init(struct buf *b, size_t cap)
{
	b->p = axo_xmalloc(cap);
	b->off = b->len = 0;
	b->cap = cap;
}

static void
buf_free(struct buf *b)
{
	if (b->p == NULL)
		return;
	sodium_memzero(b->p, b->cap);
	axo_free(b->p);
	b->p = NULL;
	b->off = b->len = b->cap = 0;
}

/* Room at the end for need bytes, compacting if that makes it. */
static unsigned char *
buf_room(struct buf *b, size_t need)
{
	if (b->off + b->len + need > b->cap && b->off > 0) {
		memmove(b->p, b->p + b->off, b->len);
		b->off = 0;
	}
	if (b->off + b->len + need > b->cap)
		return NULL;
	return b->p + b->off + b->len;
}

static void
buf_drop(struct buf *b, size_t n)
{
	b->off += n;
	b->len -= n;
	if (b->len == 0)
		b->off = 0;
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to set fd %d non-blocking",
		    fd);
}

/* fd as to for a program to come: dup2, or, when it is there already,
 * only without its close-on-exec (dup2 onto itself keeps that). */
static int
move_fd(int fd, int to)
{
	if (fd == to)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, to) == -1 ? -1 : 0;
}

/* In a child of ours: the signals as they were before wrap, then argv. */
__attribute__((noreturn))
static void
exec_child(char *const argv[], const sigset_t *mask)
{
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	axo_exec(argv);
}

/* ---- events for the child, warnings for the user ---- */

/*
 * One line on the child's event pipe (axo-ratchet(1) "EVENTS"), or, with
 * no pipe, a warning.  Best effort: the pipe is non-blocking and a child
 * that does not read (the SMP stage) loses nothing it needs.
 */
__attribute__((format(printf, 3, 4)))
static void
event(struct wrap *w, int warn, const char *fmt, ...)
{
	char line[400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = sizeof line - 2;
	if (w->events != -1) {
		line[n] = '\n';
		/* full or gone: the next event tells the state again */
		(void)!write(w->events, line, (size_t)n + 1);
	} else if (warn) {
		/* the same, in words, for a person reading stderr */
		line[n] = '\0';
		if (strncmp(line, "lost ", 5) == 0)
			axo_warn("link lost (%s), waiting for the next",
			    line + 5);
		else if (strncmp(line, "up ", 3) == 0)
			axo_warn("link back after %s ms", line + 3);
		else if (strncmp(line, "gone ", 5) == 0)
			axo_warn("gave up: %s", line + 5);
		else if (strncmp(line, "note ", 5) == 0)
			axo_warn("%s", line + 5);
		else
			axo_warn("%s", line);
	}
}

/* ---- connections ---- */

static void
conn_open(struct conn *c, int rfd, int wfd)
{
	c->rfd = rfd;
	c->wfd = wfd;
	if (LINK_SNDBUF > 0) {
		int sz = LINK_SNDBUF;

		/* a socket (not a pipe): its own queue counts too */
		(void)setsockopt(wfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	}
	buf_init(&c->in, NETIN_CAP);
	buf_init(&c->out, NETOUT_CAP);
	c->since = c->last_rx = c->last_tx = axo_clock_ms();
	c->rdone = c->proved = 0;
	nonblock(rfd);
	if (wfd != rfd)
		nonblock(wfd);
}

static void
conn_close(struct conn *c)
{
	if (c->rfd != -1)
		close(c->rfd);
	if (c->wfd != -1 && c->wfd != c->rfd)
		close(c->wfd);
	c->rfd = c->wfd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
}

/* ---- records out ---- */

/* Seals type and data[0..len) onto the link's output. */
static void
seal(struct wrap *w, int type, const unsigned char *data, size_t len)
{
	unsigned char *room = buf_room(&w->ln.out, AXO_FRAME_MAX);

	w->ln.out.len += axo_frame_seal(w->r, room, type, data, len);
	w->ln.last_tx = axo_clock_ms();
	w->unheard++;
	w->acked = w->rcvd;
	w->recs_unacked = 0;
	w->ack_due = 0;
}

/* ACK or RESUME: what we have received, alone. */
static void
seal_ack(struct wrap *w, int type)
{
	unsigned char a[ACK_LEN];

	put64(a, w->rcvd);
	seal(w, type, a, sizeof a);
}

static int
can_seal(struct wrap *w)
{
	return w->ln.rfd != -1 && w->ln.wfd != -1 &&
	    axo_ratchet_can_send(w->r) &&
	    buf_room(&w->ln.out, AXO_FRAME_MAX) != NULL;
}

/* Copies n ring bytes from stream position pos to out. */
static void
ring_get(const struct wrap *w, unsigned char *out, uint64_t pos, size_t n)
{
	size_t i = (w->rhead + (size_t)(pos - w->base)) % w->rcap;
	size_t k = w->rcap - i < n ? w->rcap - i : n;

	memcpy(out, w->ring + i, k);
	memcpy(out + k, w->ring, n - k);
}

/* Forgets the stream below pos: the peer has it, or nobody resends. */
static void
ring_drop(struct wrap *w, uint64_t pos)
{
	uint64_t upto = pos > w->end ? w->end : pos;

	if (upto <= w->base)
		return;
	w->rhead = (w->rhead + (size_t)(upto - w->base)) % w->rcap;
	w->base = upto;
	if (w->base == w->end)
		w->rhead = 0;
}

static void kid_read(struct wrap *);

/* Our stream onto the link, as far as the link and the bounds allow. */
static void
send_stream(struct wrap *w)
{
	unsigned char *p = w->tmp;
	size_t n;

	while (can_seal(w) && (!w->reconnect || w->unheard < UNHEARD_MAX)) {
		/*
		 * A record is padded to the next doubling of a cell: a
		 * short one sealed while the child has more in its pipe
		 * costs up to twice its bytes on the link (axo-chat writes
		 * 32 KiB chunks, just over half a record).  So take what
		 * the pipe holds first; an empty pipe seals what we have
		 * at once, so a line never waits for a timer.
		 */
		if (w->cin != -1 && !w->fin && w->sent <= w->end &&
		    w->end - w->sent < CHUNK_MAX && w->end - w->base < w->rcap)
			kid_read(w);
		if (w->sent < w->end) {
			n = w->end - w->sent > CHUNK_MAX ? CHUNK_MAX :
			    (size_t)(w->end - w->sent);
			p[ACK_LEN + 8] = 0;
			ring_get(w, p + STREAM_HDR, w->sent, n);
		} else if (w->fin && w->sent == w->end) {
			n = 0;
			p[ACK_LEN + 8] = FLAG_FIN;
		} else
			break;
		put64(p, w->rcvd);
		put64(p + ACK_LEN, w->sent);
		seal(w, AXO_FRAME_STREAM, p, STREAM_HDR + n);
		w->sent += n ? n : 1;
		if (w->sent > w->maxsent)
			w->maxsent = w->sent;
		/* Without reconnection nothing is sent again. */
		if (!w->reconnect)
			ring_drop(w, w->sent);
	}
	sodium_memzero(p, STREAM_HDR + CHUNK_MAX);
}

/* An ACK when one is due, or a keepalive when we have been quiet. */
static void
send_ack(struct wrap *w, long long now)
{
	if (!can_seal(w))
		return;
	/* Without reconnection the peer keeps nothing to send again: it
	 * needs no ACK, only a keepalive if asked. */
	if (w->reconnect && w->rcvd != w->acked &&
	    (w->recs_unacked >= ACK_RECS ||
	    w->rcvd - w->acked >= ACK_BYTES ||
	    (w->ack_due != 0 && now >= w->ack_due))) {
		seal_ack(w, AXO_FRAME_ACK);
		return;
	}
	if (w->keep_ms && w->ln.proved && now - w->ln.last_tx >= w->keep_ms)
		seal_ack(w, AXO_FRAME_ACK);
}

/* ---- records in ---- */

/* The peer has positions below a: forget them, skip past them. */
static int
take_ack(struct wrap *w, uint64_t a)
{
	if (a > w->maxsent)
		return -1;	/* it cannot have what we never sent */
	if (a > w->base)
		ring_drop(w, a);
	if (w->fin && a > w->end)
		w->fin_acked = 1;
	if (w->sent < a)
		w->sent = a;
	return 0;
}

static const char *
bad_record(struct wrap *w, int rc)
{
	static char why[128];

	if (rc == -AXO_RATCHET_ESKIP)
		snprintf(why, sizeof why, "record %lu skips more than %d "
		    "messages", w->nrec, AXO_RATCHET_MAX_SKIP);
	else if (rc == -AXO_RATCHET_EBODY)
		snprintf(why, sizeof why, "record %lu breaks the stream",
		    w->nrec);
	else
		snprintf(why, sizeof why, "record %lu from the network does "
		    "not authenticate", w->nrec);
	return why;
}

/*
 * One authentic record's body: 0, or -AXO_RATCHET_EBODY when the peer
 * broke the stream protocol (a gap, an ack beyond what we sent).
 */
static int
take_record(struct wrap *w, int type, unsigned char *d, size_t len)
{
	uint64_t off, skip;
	size_t n;
	int flags;

	if (type < AXO_FRAME_STREAM || len < ACK_LEN)
		return -AXO_RATCHET_EBODY;
	if (take_ack(w, get64(d)) == -1)
		return -AXO_RATCHET_EBODY;
	if (type == AXO_FRAME_RESUME) {
		/* The peer starts a link: it sends from what we have. */
		if (len != ACK_LEN)
			return -AXO_RATCHET_EBODY;
		/* the server answers in kind: the client learns our count */
		if (w->r->c.role == 1 && can_seal(w))
			seal_ack(w, AXO_FRAME_RESUME);
		return 0;
	}
	if (type == AXO_FRAME_ACK)
		return len == ACK_LEN ? 0 : -AXO_RATCHET_EBODY;
	if (len < STREAM_HDR || (d[ACK_LEN + 8] & ~FLAG_FIN) != 0 ||
	    ((d[ACK_LEN + 8] & FLAG_FIN) && len != STREAM_HDR))
		return -AXO_RATCHET_EBODY;
	off = get64(d + ACK_LEN);
	flags = d[ACK_LEN + 8];
	n = len - STREAM_HDR;
	/* a gap, or bytes after the end: not a stream */
	if (off > w->rcvd || (w->peer_fin && off == w->rcvd))
		return -AXO_RATCHET_EBODY;
	if (w->peer_fin)
		return 0;
	skip = w->rcvd - off;
	if (flags & FLAG_FIN) {
		if (skip == 0) {
			w->peer_fin = 1;
			w->rcvd++;
			w->ack_due = axo_clock_ms();	/* at once */
		}
		return 0;
	}
	if (skip >= n)
		return 0;	/* sent again, and we have it */
	memmove(d, d + STREAM_HDR + skip, n - (size_t)skip);
	n -= (size_t)skip;
	if (w->cout != -1) {
		memcpy(buf_room(&w->kidout, AXO_FRAME_MAXBODY), d, n);
		w->kidout.len += n;
	}
	w->rcvd += n;
	w->recs_unacked++;
	if (w->ack_due == 0)
		w->ack_due = axo_clock_ms() + ACK_DELAY_MS;
	return 0;
}

/*
 * Opens one whole record at the front of c->in into w->tmp: 1 opened
 * (*type, *len), 0 not whole yet, or -1 with *rc the ratchet's error
 * (-AXO_RATCHET_EAUTH too for bytes that are no record at all).
 */
static int
open_one(struct wrap *w, struct conn *c, int *type, size_t *len, int *rc)
{
	size_t size;

	if (c->in.len < 2)
		return 0;
	size = axo_frame_peek(c->in.p + c->in.off);
	if (size == 0) {
		*rc = -AXO_RATCHET_EAUTH;
		return -1;
	}
	if (c->in.len < size)
		return 0;
	w->nrec++;
	*rc = axo_frame_open(w->r, w->tmp, len, type, c->in.p + c->in.off,
	    size);
	buf_drop(&c->in, size);
	return *rc == 0 ? 1 : -1;
}

static void link_lost(struct wrap *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* The link is the peer's: the first authentic record came on it. */
static void
proved(struct wrap *w)
{
	w->ln.proved = 1;
	w->attempt = 0;
	if (w->down_since && !w->first)
		event(w, 1, "up %lld", axo_clock_ms() - w->down_since);
	w->down_since = 0;
	w->first = 0;
}

/* The link's records, as far as the child's buffer has room. */
static void
open_records(struct wrap *w)
{
	size_t len;
	int type, rc, k;

	while (w->ln.rfd != -1 &&
	    buf_room(&w->kidout, AXO_FRAME_MAXBODY) != NULL) {
		k = open_one(w, &w->ln, &type, &len, &rc);
		if (k == 0)
			break;
		if (k == 1)
			rc = take_record(w, type, w->tmp, len);
		sodium_memzero(w->tmp, AXO_FRAME_MAXBODY);
		if (rc != 0) {
			if (!w->reconnect) {
				w->authfail = rc;
				return;
			}
			link_lost(w, "%s", bad_record(w, rc));
			return;
		}
		w->unheard = 0;
		w->ln.last_rx = axo_clock_ms();
		if (!w->ln.proved)
			proved(w);
	}
}

/* ---- losing and getting links ---- */

static long long
backoff_ms(int attempt)
{
	long long ms = 1000;

	while (--attempt > 0 && ms < BACKOFF_MAX_MS)
		ms *= 2;
	return ms > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms;
}

static void
give_up(struct wrap *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dial_stop(struct wrap *w)
{
	if (w->dpid > 0)
		kill(w->dpid, SIGTERM);
	if (w->dsock != -1)
		close(w->dsock);
	if (w->derr != -1)
		close(w->derr);
	w->dsock = w->derr = -1;
}

static void
link_lost(struct wrap *w, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	/* The peer ended its stream and had ours, end included: it closes
	 * only then, so this is the end of the session, not a loss to
	 * report (the peer may still come back for an ack it missed). */
	int over = w->peer_fin && w->fin && w->sent > w->end;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	/* a link that never proved itself was a failed attempt */
	w->next_dial = axo_clock_ms() +
	    (w->ln.proved ? 0 : backoff_ms(w->attempt));
	conn_close(&w->ln);
	/* what the peer did not acknowledge goes again on the next link */
	w->sent = w->base;
	if (w->down_since == 0) {
		w->down_since = axo_clock_ms();
		if (!over)
			event(w, 1, "lost %s", why);
	}
}

static void
give_up(struct wrap *w, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (w->gone)
		return;
	w->gone = 1;
	event(w, 1, "gone %s", why);
	conn_close(&w->ln);
	for (i = 0; i < CAND_MAX; i++)
		conn_close(&w->cand[i]);
	dial_stop(w);
	/* the child's output has nowhere to go; its input ends */
	if (w->cin != -1) {
		close(w->cin);
		w->cin = -1;
	}
}

/* Runs the link program with the pass socket on its fd 7. */
static void
dial_start(struct wrap *w, const sigset_t *mask)
{
	int sp[2], ep[2], i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1 ||
	    pipe2(ep, O_CLOEXEC) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to make a socket pair");
	w->attempt++;
	w->whylen = 0;
	w->why[0] = '\0';
	event(w, 0, "retry %d", w->attempt);
	pid = fork();
	if (pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		for (i = 0; i < w->o->nclose; i++)
			close(w->o->close_fds[i]);
		if (nul == -1 || move_fd(nul, 0) == -1 || dup2(nul, 1) == -1 ||
		    move_fd(ep[1], 2) == -1 ||
		    move_fd(sp[1], AXO_WRAP_DIAL_FD) == -1)
			_exit(AXO_EXIT_TEMP);
		exec_child(w->o->dial, mask);
	}
	close(sp[1]);
	close(ep[1]);
	w->dpid = pid;
	w->dsock = sp[0];
	w->derr = ep[0];
	nonblock(w->derr);
}

/* The link program's words: the last line is the cause of a failure. */
static void
dial_said(struct wrap *w)
{
	char buf[512];
	ssize_t n;
	size_t i;

	while ((n = read(w->derr, buf, sizeof buf)) > 0) {
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] == '\n') {
				if (w->whylen > 0)
					w->why[w->whylen] = '\0';
				w->whylen = 0;
				continue;
			}
			if (w->whylen == 0)
				w->why[0] = '\0';
			if (w->whylen < sizeof w->why - 1 &&
			    (unsigned char)buf[i] >= 0x20)
				w->why[w->whylen++] = buf[i];
		}
	}
	if (n == 0) {
		close(w->derr);
		w->derr = -1;
	}
}

/* The pass socket is readable: a new link, or the program's failure. */
static void
dial_done(struct wrap *w)
{
	int fd = axo_usock_recv_fd(w->dsock);

	close(w->dsock);
	w->dsock = -1;
	if (fd == -1) {
		if (w->derr != -1)
			dial_said(w);
		w->next_dial = axo_clock_ms() + backoff_ms(w->attempt);
		return;
	}
	conn_open(&w->ln, fd, fd);
	seal_ack(w, AXO_FRAME_RESUME);
	send_stream(w);
}

/* A connection to the server: proved by its first record, a RESUME. */
static void
cand_read(struct wrap *w, int i)
{
	struct conn *c = &w->cand[i];
	unsigned char *room;
	size_t len;
	ssize_t n;
	int type, rc, k;

	room = buf_room(&c->in, AXO_FRAME_MAX);
	n = read(c->rfd, room, AXO_FRAME_MAX);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->in.len += (size_t)n;
	k = open_one(w, c, &type, &len, &rc);
	if (k == 0)
		return;
	if (k == 1 && type == AXO_FRAME_RESUME && len == ACK_LEN &&
	    get64(w->tmp) <= w->maxsent) {
		/* the peer: it replaces the link we have, if any */
		conn_close(&w->ln);
		w->ln = *c;
		c->rfd = c->wfd = -1;
		memset(&c->in, 0, sizeof c->in);
		memset(&c->out, 0, sizeof c->out);
		w->sent = w->base;
		take_ack(w, get64(w->tmp));
		sodium_memzero(w->tmp, len);
		w->ln.last_rx = axo_clock_ms();
		w->unheard = 0;
		proved(w);
		seal_ack(w, AXO_FRAME_RESUME);
		/* what came behind the RESUME */
		open_records(w);
		return;
	}
	/* garbage, a replay, another record: closed, session untouched */
	sodium_memzero(w->tmp, AXO_FRAME_MAXBODY);
	conn_close(c);
}

static void
cand_accept(struct wrap *w)
{
	char err[128];
	int fd, i, old = 0;

	fd = axo_usock_take(w->o->listen_fd, w->o->peer_uid, err, sizeof err);
	if (fd == -1) {
		if (errno == EPERM)
			event(w, 1, "note %s", err);
		return;
	}
	for (i = 0; i < CAND_MAX; i++) {
		if (w->cand[i].rfd == -1)
			break;
		if (w->cand[i].since < w->cand[old].since)
			old = i;
	}
	if (i == CAND_MAX) {
		conn_close(&w->cand[old]);
		i = old;
	}
	conn_open(&w->cand[i], fd, fd);
}

/* ---- the child ---- */


static pid_t
spawn(struct wrap *w, char *const argv[], const sigset_t *mask)
{
	int to_child[2], from_child[2], ev[2] = { -1, -1 }, i;
	pid_t pid;

	if (pipe2(to_child, O_CLOEXEC) == -1 ||
	    pipe2(from_child, O_CLOEXEC) == -1 ||
	    (w->o->events_fd != -1 && pipe2(ev, O_CLOEXEC) == -1))
		axo_diesys(AXO_EXIT_TEMP, "unable to make pipes");
	pid = fork();
	if (pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (pid == 0) {
		/* The child gets the plaintext pipes and none of the state
		 * fds, nor the network. */
		for (i = 0; i < w->o->nclose; i++)
			close(w->o->close_fds[i]);
		if (w->o->listen_fd != -1)
			close(w->o->listen_fd);
		if (move_fd(to_child[0], w->o->stream_fd != -1 ?
		    w->o->stream_fd : AXO_FD_NET_IN) == -1 ||
		    move_fd(from_child[1], w->o->stream_fd != -1 ?
		    w->o->stream_fd + 1 : AXO_FD_NET_OUT) == -1 ||
		    (ev[0] != -1 && move_fd(ev[0], w->o->events_fd) == -1))
			axo_diesys(AXO_EXIT_TEMP, "unable to move fds for %s",
			    argv[0]);
		exec_child(argv, mask);
	}
	close(to_child[0]);
	close(from_child[1]);
	/* none kept here, or the end of that stream would wait for ours */
	for (i = 0; i < 2; i++)
		if (w->o->stream_fd != -1 && w->o->theirs[i])
			close(AXO_FD_NET_IN + i);
	w->cout = to_child[1];
	w->cin = from_child[0];
	if (KID_PIPE > 0)
		(void)fcntl(w->cin, F_SETPIPE_SZ, KID_PIPE);
	nonblock(w->cin);
	nonblock(w->cout);
	if (ev[0] != -1) {
		close(ev[0]);
		w->events = ev[1];
		nonblock(w->events);
	}
	return pid;
}

/* The child's output into the ring. */
static void
kid_read(struct wrap *w)
{
	size_t used = (size_t)(w->end - w->base), at, n;
	ssize_t k;

	at = (w->rhead + used) % w->rcap;
	n = w->rcap - used;
	if (n > w->rcap - at)
		n = w->rcap - at;
	k = read(w->cin, w->ring + at, n);
	if (k > 0) {
		w->end += (size_t)k;
		return;
	}
	if (k == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	w->fin = 1;
	close(w->cin);
	w->cin = -1;
}

/* ---- the loop ---- */

/* A link's end in the words of "lost CAUSE": a peer (or its tor) that
 * closed or reset it is that, whichever way we noticed. */
static void
cut(struct wrap *w, const char *doing, int err)
{
	if (err == 0 || err == EPIPE)
		link_lost(w, "the connection closed");
	else if (err == ECONNRESET)
		link_lost(w, "the connection was reset");
	else
		link_lost(w, "unable to %s the network: %s", doing,
		    strerror(err));
}

static void
net_write(struct wrap *w)
{
	ssize_t n = write(w->ln.wfd, w->ln.out.p + w->ln.out.off,
	    w->ln.out.len);

	if (n > 0) {
		buf_drop(&w->ln.out, (size_t)n);
		if (w->ln.out.len == 0 && w->sent > w->end)
			w->fin_written = 1;
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (w->reconnect) {
		cut(w, "write to", errno);
		return;
	}
	/* After the peer's end of stream, or after all of ours, a peer
	 * that is gone is no failure: nobody reads there.  With -E the
	 * child says the loss in its words (no "Broken pipe" after
	 * axo-chat's "connection lost"). */
	if (!w->peer_fin && !w->fin_written) {
		if (w->events == -1)
			axo_warn("unable to write to the network: %s",
			    strerror(errno));
		w->net_failed = 1;
	}
	close(w->ln.wfd);
	if (w->ln.wfd == w->ln.rfd)
		w->ln.rfd = -1;
	w->ln.wfd = -1;
	buf_drop(&w->ln.out, w->ln.out.len);
	if (w->ln.rfd == -1)
		conn_close(&w->ln);
	/* The child's output has nowhere to go. */
	if (w->cin != -1) {
		close(w->cin);
		w->cin = -1;
	}
}

static void
net_read(struct wrap *w)
{
	unsigned char *room = buf_room(&w->ln.in, AXO_FRAME_MAX);
	ssize_t n = read(w->ln.rfd, room, AXO_FRAME_MAX);
	int err = errno;

	if (n > 0) {
		w->ln.in.len += (size_t)n;
		return;
	}
	if (n == -1 && (err == EAGAIN || err == EINTR))
		return;
	if (w->reconnect) {
		cut(w, "read from", n == 0 ? 0 : err);
		return;
	}
	if (n == -1)
		axo_warn("unable to read from the network: %s", strerror(err));
	w->ln.rdone = 1;
	/* Our side had finished and said so: the peer (or its tor) going
	 * away now cuts nothing that anyone here would read. */
	w->late = w->kid_done && w->cin == -1 && w->sent > w->end;
}

/* The earliest moment something is due, as a timeout for ppoll. */
static void
due(long long *t, long long at)
{
	if (at > 0 && (*t == 0 || at < *t))
		*t = at;
}

static void
timers(struct wrap *w, long long now)
{
	long long dead = 3 * w->keep_ms;
	int i;

	if (w->o->watch_pid > 0 && now >= w->next_watch) {
		w->next_watch = now + 1000;
		if (kill(w->o->watch_pid, 0) == -1 && errno == ESRCH)
			give_up(w, "our tor stopped (pid %ld)",
			    (long)w->o->watch_pid);
	}
	if (w->gone)
		return;
	/* A child that does not read keeps us from reading: not the
	 * link's fault. */
	if (w->ln.rfd != -1 && buf_room(&w->kidout, AXO_FRAME_MAXBODY) == NULL)
		w->ln.last_rx = now;
	if (!w->reconnect) {
		/* the one link falls silent: the session is over */
		if (w->ln.rfd != -1 && !w->ln.rdone && dead &&
		    now - w->ln.last_rx >= dead)
			give_up(w, "nothing heard for %lld s", dead / 1000);
		return;
	}
	if (w->ln.rfd != -1 && dead && now - w->ln.last_rx >= dead)
		link_lost(w, "nothing heard for %lld s", dead / 1000);
	for (i = 0; i < CAND_MAX; i++)
		if (w->cand[i].rfd != -1 && dead &&
		    now - w->cand[i].since >= dead)
			conn_close(&w->cand[i]);
	if (w->down_since && now - w->down_since >=
	    (long long)w->o->reconnect * 1000)
		give_up(w, "no link for %u s%s%s", w->o->reconnect,
		    w->why[0] ? ": " : "", w->why);
}

static long long
next_due(const struct wrap *w, long long now)
{
	long long t = 0;
	int i;

	if (w->o->watch_pid > 0)
		due(&t, w->next_watch);
	due(&t, w->linger);
	if (w->gone || !w->reconnect) {
		if (w->sealable && w->keep_ms && w->ln.proved)
			due(&t, w->ln.last_tx + w->keep_ms);
		if (!w->gone && w->keep_ms && w->ln.rfd != -1 && !w->ln.rdone)
			due(&t, w->ln.last_rx + 3 * w->keep_ms);
		return t;
	}
	if (w->ln.rfd != -1) {
		/* what we could not seal now waits for POLLOUT, not time */
		if (w->sealable) {
			due(&t, w->ack_due);
			if (w->keep_ms && w->ln.proved)
				due(&t, w->ln.last_tx + w->keep_ms);
		}
		if (w->keep_ms)
			due(&t, w->ln.last_rx + 3 * w->keep_ms);
	}
	for (i = 0; i < CAND_MAX; i++)
		if (w->cand[i].rfd != -1 && w->keep_ms)
			due(&t, w->cand[i].since + 3 * w->keep_ms);
	if (w->down_since) {
		due(&t, w->down_since + (long long)w->o->reconnect * 1000);
		if (w->o->dial != NULL && w->dpid <= 0 && w->ln.rfd == -1)
			due(&t, w->next_dial > now ? w->next_dial : now);
	}
	return t;
}

/* Is the session over for us?  Sets the linger when it has to wait. */
static int
finished(struct wrap *w, long long now)
{
	if (!w->kid_done)
		return 0;
	if (w->gone)
		return 1;
	/* no link ever proved itself (with -F, the peer may have no such
	 * stream): the peer acknowledged nothing of ours, nor can it */
	if (w->first)
		return 1;
	/* -F: the program's second stream, and a program that ended well
	 * had what it needed of it (axo-chat: the peer's GOT, its QUIT):
	 * no link is waited for */
	if (w->o->stream_fd != -1 && WIFEXITED(w->kid_st) &&
	    WEXITSTATUS(w->kid_st) == 0 && w->ln.rfd == -1)
		return 1;
	/* told to stop: the peer is told too, if the link takes our end
	 * within a moment (else it waits for a link until -R) */
	if (w->stopped) {
		if ((w->cin == -1 && w->sent > w->end && (w->fin_acked ||
		    w->peer_fin)) || w->ln.rfd == -1 || w->ln.rdone)
			return 1;
		if (w->linger == 0)
			w->linger = now + STOP_LINGER_MS;
		return now >= w->linger;
	}
	/*
	 * The child failed: its last words (the SMP stage's "n") still go
	 * if the link takes them now, but no ack is awaited and no new link
	 * made, and a pipe that what it left running holds open is not
	 * waited on past the linger.
	 */
	if (!WIFEXITED(w->kid_st) || WEXITSTATUS(w->kid_st) != 0) {
		/* written is not delivered: our caller stops tor right
		 * after us, so the peer's ack or end is waited for */
		/* no link now, and none is made: nothing can go */
		if (w->ln.rfd == -1 || (w->cin == -1 && w->sent > w->end &&
		    (w->fin_acked || w->peer_fin || w->ln.rdone)))
			return 1;
		if (w->linger == 0)
			w->linger = now + LINGER_MS;
		return now >= w->linger;
	}
	if (w->cin != -1)
		return 0;
	if (!w->reconnect) {
		if (w->ln.wfd != -1 && w->ln.out.len > 0)
			return 0;
		if (w->peer_fin || w->ln.rdone || w->ln.rfd == -1)
			return 1;
	} else if (!w->fin_acked) {
		/* unless the peer finished too, what we wrote must still
		 * cross, on this link or the next */
		if (!w->peer_fin)
			return 0;
	} else if (w->peer_fin)
		return 1;
	/* Done: linger (a bounded while) for the peer's end, so that ours
	 * crossed tor before our caller stops it. */
	if (w->linger == 0)
		w->linger = now + LINGER_MS;
	return now >= w->linger;
}

static void
reap(struct wrap *w)
{
	int st;

	got_chld = 0;
	if (!w->kid_done && waitpid(w->kid, &w->kid_st, WNOHANG) == w->kid)
		w->kid_done = 1;
	if (w->dpid > 0 && waitpid(w->dpid, &st, WNOHANG) == w->dpid) {
		w->dpid = 0;
		if (w->derr != -1)
			dial_said(w);
		if (w->dsock != -1) {
			/* it may have passed a link just before it went */
			struct pollfd p = { w->dsock, POLLIN, 0 };

			if (poll(&p, 1, 0) == 1)
				dial_done(w);
			else {
				close(w->dsock);
				w->dsock = -1;
				w->next_dial = axo_clock_ms() +
				    backoff_ms(w->attempt);
			}
		}
	}
}

int
axo_wrap_run(struct axo_ratchet *r, char *const argv[],
    const struct axo_wrap_opts *o)
{
	struct wrap w;
	struct pollfd pf[8 + CAND_MAX];
	struct timespec ts, *tmo;
	sigset_t orig;
	long long now, t;
	int ic, in, on, oc, il, id, ie, icand[CAND_MAX], nf, i;
	ssize_t n;

	memset(&w, 0, sizeof w);
	w.r = r;
	w.o = o;
	w.reconnect = o->reconnect > 0 &&
	    (o->listen_fd != -1 || o->dial != NULL);
	w.keep_ms = (long long)o->keepalive * 1000;
	w.dsock = w.derr = w.events = -1;
	w.ln.rfd = w.ln.wfd = -1;
	for (i = 0; i < CAND_MAX; i++)
		w.cand[i].rfd = w.cand[i].wfd = -1;

	axo_sig_catch(stop_sigs, on_sig, &orig);
	/* SIGCHLD, not a pidfd: valgrind and older kernels know no
	 * pidfd_open, and ppoll makes the signal as race-free. */
	axo_sig_catch(chld_sigs, on_chld, NULL);
	w.kid = spawn(&w, argv, &orig);

	w.rcap = AXO_WRAP_SEND_MAX;
	w.ring = axo_xmalloc(w.rcap);
	buf_init(&w.kidout, KIDOUT_CAP);
	w.tmp = axo_xmalloc(AXO_FRAME_MAXBODY);
	if (o->listen_fd != -1)
		nonblock(o->listen_fd);

	/*
	 * The first link is fds 6/7.  Alice starts every link with a
	 * RESUME (bob cannot send before hearing her, DR §4.1); on the
	 * server, with links to replace it, the first must prove itself
	 * like any other.
	 */
	if (o->stream_fd != -1) {
		/* no first link: the first comes as the next ones do */
		w.down_since = axo_clock_ms();
		w.first = 1;
	} else if (w.reconnect && r->c.role == 1 && o->listen_fd != -1) {
		conn_open(&w.cand[0], AXO_FD_NET_IN, AXO_FD_NET_OUT);
		w.down_since = axo_clock_ms();
		w.first = 1;
	} else {
		conn_open(&w.ln, AXO_FD_NET_IN, AXO_FD_NET_OUT);
		if (r->c.role == 0)
			seal_ack(&w, AXO_FRAME_RESUME);
	}

	for (;;) {
		now = axo_clock_ms();
		open_records(&w);
		if (w.authfail)
			break;
		if (got_sig) {
			kill(w.kid, got_sig);
			got_sig = 0;
			w.stopped = 1;
		}
		timers(&w, now);
		if (w.ln.rfd != -1 && w.ln.rdone && !w.peer_fin && !w.late &&
		    !w.warned && w.ln.in.len < 2) {
			w.warned = 1;
			/* with -E, the child's EOF tells it, and it the user */
			if (w.events == -1)
				axo_warn("the network closed before the end "
				    "of the stream");
		}
		if (w.kid_done && w.cout != -1) {
			close(w.cout);
			w.cout = -1;
		}
		if (w.cin != -1 && w.kid_done && !axo_ratchet_can_send(r)) {
			/* Its output can never be sent: bob never heard. */
			close(w.cin);
			w.cin = -1;
			w.fin = 1;
		}
		if (w.cout != -1 && w.kidout.len == 0 && (w.peer_fin ||
		    w.gone || (!w.reconnect && (w.ln.rfd == -1 ||
		    w.ln.rdone)))) {
			close(w.cout);
			w.cout = -1;
		}
		if (!w.gone) {
			send_stream(&w);
			send_ack(&w, now);
		}
		w.sealable = can_seal(&w);
		if (finished(&w, now))
			break;
		if (w.o->dial != NULL && w.reconnect && !w.gone &&
		    w.ln.rfd == -1 && w.dpid <= 0 && w.dsock == -1 &&
		    now >= w.next_dial)
			dial_start(&w, &orig);

		nf = 0;
		ic = in = on = oc = il = id = ie = -1;
		if (w.cin != -1 && !w.fin && w.end - w.base < w.rcap &&
		    (w.ln.wfd == -1 || w.end - w.sent < READAHEAD) &&
		    (w.reconnect || (w.ln.wfd != -1 &&
		    axo_ratchet_can_send(r))))
			pf[nf].fd = w.cin, pf[nf].events = POLLIN, ic = nf++;
		if (w.ln.rfd != -1 && !w.ln.rdone &&
		    buf_room(&w.kidout, AXO_FRAME_MAXBODY) != NULL &&
		    buf_room(&w.ln.in, AXO_FRAME_MAX) != NULL) {
			pf[nf].fd = w.ln.rfd, pf[nf].events = POLLIN;
			in = nf++;
		}
		if (w.ln.wfd != -1 && w.ln.out.len > 0) {
			pf[nf].fd = w.ln.wfd, pf[nf].events = POLLOUT;
			on = nf++;
		}
		if (w.cout != -1 && w.kidout.len > 0)
			pf[nf].fd = w.cout, pf[nf].events = POLLOUT, oc = nf++;
		if (w.reconnect && !w.gone && o->listen_fd != -1) {
			pf[nf].fd = o->listen_fd, pf[nf].events = POLLIN;
			il = nf++;
		}
		for (i = 0; i < CAND_MAX; i++) {
			icand[i] = -1;
			if (w.cand[i].rfd == -1)
				continue;
			pf[nf].fd = w.cand[i].rfd, pf[nf].events = POLLIN;
			icand[i] = nf++;
		}
		if (w.dsock != -1)
			pf[nf].fd = w.dsock, pf[nf].events = POLLIN, id = nf++;
		if (w.derr != -1)
			pf[nf].fd = w.derr, pf[nf].events = POLLIN, ie = nf++;
		if (nf == 0 && w.kid_done && next_due(&w, now) == 0)
			break;
		tmo = NULL;
		t = next_due(&w, now);
		if (t > 0) {
			t = t > now ? t - now : 0;
			ts.tv_sec = t / 1000;
			ts.tv_nsec = (long)(t % 1000) * 1000000;
			tmo = &ts;
		}
		if (ppoll(pf, (nfds_t)nf, tmo, &orig) == -1) {
			if (errno != EINTR)
				axo_diesys(AXO_EXIT_TEMP, "unable to poll");
			memset(pf, 0, sizeof pf);
		}
		if (got_chld)
			reap(&w);

		if (ic >= 0 && pf[ic].revents && w.cin != -1)
			kid_read(&w);
		if (on >= 0 && pf[on].revents && w.ln.wfd != -1)
			net_write(&w);
		if (in >= 0 && pf[in].revents && w.ln.rfd != -1)
			net_read(&w);
		if (oc >= 0 && pf[oc].revents && w.cout != -1) {
			n = write(w.cout, w.kidout.p + w.kidout.off,
			    w.kidout.len);
			if (n > 0)
				buf_drop(&w.kidout, (size_t)n);
			else if (n == -1 && errno != EAGAIN && errno != EINTR) {
				/* The child stopped reading: drop its input. */
				buf_drop(&w.kidout, w.kidout.len);
				close(w.cout);
				w.cout = -1;
			}
		}
		if (il >= 0 && pf[il].revents)
			cand_accept(&w);
		for (i = 0; i < CAND_MAX; i++)
			if (icand[i] >= 0 && pf[icand[i]].revents &&
			    w.cand[i].rfd != -1)
				cand_read(&w, i);
		if (ie >= 0 && pf[ie].revents && w.derr != -1)
			dial_said(&w);
		if (id >= 0 && pf[id].revents && w.dsock != -1)
			dial_done(&w);
	}

	if (w.authfail) {
		axo_warn("%s", bad_record(&w, w.authfail));
		if (w.cin != -1)
			close(w.cin);
		if (w.cout != -1)
			close(w.cout);
		w.cin = w.cout = -1;
		kill(w.kid, SIGTERM);
	}
	if (!w.kid_done && waitpid(w.kid, &w.kid_st, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to wait for %s", argv[0]);
	dial_stop(&w);
	if (w.dpid > 0)
		waitpid(w.dpid, NULL, 0);
	if (w.cin != -1)
		close(w.cin);
	if (w.cout != -1)
		close(w.cout);
	if (w.events != -1)
		close(w.events);
	conn_close(&w.ln);
	for (i = 0; i < CAND_MAX; i++)
		conn_close(&w.cand[i]);
	sodium_memzero(w.ring, w.rcap);
	axo_free(w.ring);
	buf_free(&w.kidout);
	axo_free(w.tmp);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (w.authfail)
		return AXO_EXIT_NO;
	if (WIFSIGNALED(w.kid_st))
		return 128 + WTERMSIG(w.kid_st);
	if (WEXITSTATUS(w.kid_st) != 0)
		return WEXITSTATUS(w.kid_st);
	/* -F: the program heard of a loss (-E) and had its say */
	if (o->stream_fd == -1 && (w.gone || w.net_failed ||
	    (!w.reconnect && w.ln.rdone && !w.peer_fin && !w.late)))
		return AXO_EXIT_TEMP;
	return 0;
}
