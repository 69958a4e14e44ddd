/* SPDX-License-Identifier: GPL-2.0-only */
/* wrap.c: run a program with its fds 6/7 encrypted onto the network fds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "ratchet.h"
#include "wrap.h"

/*
 * The child speaks plaintext on two pipes: its fd 6 reads what the peer
 * sent, its fd 7 writes what goes to the peer.  Pipes, not a socket pair,
 * so that the child's close(7) is an end of stream we can see and pass
 * on as an authenticated END record: a peer that only sees the network
 * close can tell truncation from the end.  The network itself is never
 * half-closed: a tor stream has no half-close, and ending our writing
 * would end the peer's too (axo-onion(1)); the END records do that job.
 */

/* Seconds to wait for the peer's END once our side is done. */
#define AXO_WRAP_LINGER	5

struct buf {
	unsigned char *p;
	size_t off, len, cap;
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

static void
buf_init(struct buf *b, size_t cap)
{
	b->p = axo_xmalloc(cap);
	b->off = b->len = 0;
	b->cap = cap;
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
nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to set fd %d non-blocking",
		    fd);
}

static pid_t
spawn(char *const argv[], int to_child[2], int from_child[2],
    int close_fds[], int nclose, const sigset_t *mask)
{
	pid_t pid;
	int i;

	if (pipe2(to_child, O_CLOEXEC) == -1 ||
	    pipe2(from_child, O_CLOEXEC) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to make pipes");
	pid = fork();
	if (pid == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to fork");
	if (pid > 0)
		return pid;
	/* The child gets the plaintext pipes and none of the state fds. */
	for (i = 0; i < nclose; i++)
		close(close_fds[i]);
	if (dup2(to_child[0], AXO_FD_NET_IN) == -1 ||
	    dup2(from_child[1], AXO_FD_NET_OUT) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to move fds for %s", argv[0]);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	axo_exec(argv);
}

int
axo_wrap_run(struct axo_ratchet *r, char *const argv[], int close_fds[],
    int nclose)
{
	struct buf netout, netin, kidout;
	struct pollfd pf[5];
	sigset_t orig;
	unsigned char *tmp, *room;
	int to_child[2], from_child[2], cin, cout, st = 0, rc, type;
	int child_done = 0, net_eof = 0, got_end = 0, net_dead = 0;
	int net_failed = 0, authfail = 0, warned = 0, late = 0, ic, in, on, oc, nf;
	int ms;
	unsigned long nrec = 0;
	struct timespec wait, *tmo;
	long long linger = 0;
	size_t size, dlen;
	ssize_t n;
	pid_t pid;

	axo_sig_catch(stop_sigs, on_sig, &orig);
	/* SIGCHLD, not a pidfd: valgrind and older kernels know no
	 * pidfd_open, and ppoll makes the signal as race-free. */
	axo_sig_catch(chld_sigs, on_chld, NULL);

	/* Signals stay blocked but in ppoll, so none is lost between a
	 * check of got_sig and the wait. */
	pid = spawn(argv, to_child, from_child, close_fds, nclose, &orig);
	close(to_child[0]);
	close(from_child[1]);
	cout = to_child[1];
	cin = from_child[0];
	nonblock(cin);
	nonblock(cout);
	nonblock(AXO_FD_NET_IN);
	nonblock(AXO_FD_NET_OUT);

	buf_init(&netout, 4 * AXO_FRAME_MAX);
	buf_init(&netin, 2 * AXO_FRAME_MAX);
	buf_init(&kidout, 4 * AXO_FRAME_MAXBODY);
	tmp = axo_xmalloc(AXO_FRAME_MAXDATA);

	/* Alice speaks first, even if her program does not: bob cannot
	 * send a byte before her first record (DR §4.1). */
	if (r->c.role == 0 && r->c.ns == 0 && r->c.pn == 0 && r->c.step == 0) {
		room = buf_room(&netout, AXO_FRAME_MAX);
		netout.len += axo_frame_seal(r, room, AXO_FRAME_DATA, tmp, 0);
	}

	for (;;) {
		tmo = NULL;
		/* Records are opened as room for their plaintext allows, not
		 * only when bytes arrive: some may wait in netin. */
		while (!got_end && netin.len >= 2 &&
		    buf_room(&kidout, AXO_FRAME_MAXBODY) != NULL) {
			size = axo_frame_peek(netin.p + netin.off);
			if (size == 0) {
				authfail = 1;
				break;
			}
			if (netin.len < size)
				break;
			room = buf_room(&kidout, AXO_FRAME_MAXBODY);
			nrec++;
			rc = axo_frame_open(r, room, &dlen, &type,
			    netin.p + netin.off, size);
			buf_drop(&netin, size);
			if (rc != 0) {
				authfail = rc == -AXO_RATCHET_ESKIP ? 2 : 1;
				break;
			}
			if (type == AXO_FRAME_END)
				got_end = 1;
			else if (cout != -1)
				kidout.len += dlen;
			else
				sodium_memzero(room, dlen);	/* nobody reads */
		}
		if (authfail)
			break;
		if (net_eof && !got_end && !late && !warned) {
			warned = 1;
			axo_warn("the network closed before the end of the "
			    "stream");
		}
		if (got_sig) {
			kill(pid, got_sig);
			got_sig = 0;
		}
		/*
		 * Done: but linger (a bounded while) until the peer's END
		 * comes back, so that ours, and what came before it, crossed
		 * tor before our caller stops tor.
		 */
		if (child_done && cin == -1 && (netout.len == 0 || net_dead)) {
			if (got_end || net_eof || net_dead)
				break;
			if (linger == 0)
				linger = axo_clock_ms() + AXO_WRAP_LINGER * 1000;
			else if (axo_deadline_left(linger) == 0)
				break;
			ms = axo_deadline_left(linger);
			wait.tv_sec = ms / 1000;
			wait.tv_nsec = (long)(ms % 1000) * 1000000;
			tmo = &wait;
		}
		if (child_done && cout != -1) {
			close(cout);
			cout = -1;
		}
		if (cin != -1 && child_done && !axo_ratchet_can_send(r)) {
			/* Its output can never be sent: bob never heard. */
			close(cin);
			cin = -1;
			continue;
		}
		if (cout != -1 && kidout.len == 0 && (net_eof || got_end)) {
			close(cout);
			cout = -1;
		}
		nf = 0;
		ic = in = on = oc = -1;
		if (cin != -1 && !net_dead && axo_ratchet_can_send(r) &&
		    buf_room(&netout, AXO_FRAME_MAX) != NULL) {
			pf[nf].fd = cin, pf[nf].events = POLLIN, ic = nf++;
		}
		if (!net_eof && !got_end &&
		    buf_room(&kidout, AXO_FRAME_MAXBODY) != NULL &&
		    buf_room(&netin, AXO_FRAME_MAX) != NULL) {
			pf[nf].fd = AXO_FD_NET_IN, pf[nf].events = POLLIN;
			in = nf++;
		}
		if (netout.len > 0 && !net_dead) {
			pf[nf].fd = AXO_FD_NET_OUT, pf[nf].events = POLLOUT;
			on = nf++;
		}
		if (cout != -1 && kidout.len > 0) {
			pf[nf].fd = cout, pf[nf].events = POLLOUT, oc = nf++;
		}
		if (nf == 0 && child_done)
			break;
		if (ppoll(pf, nf, tmo, &orig) == -1) {
			if (errno != EINTR)
				axo_diesys(AXO_EXIT_TEMP, "unable to poll");
			memset(pf, 0, sizeof pf);
		}
		if (got_chld) {
			got_chld = 0;
			if (!child_done && waitpid(pid, &st, WNOHANG) == pid)
				child_done = 1;
		}

		if (ic >= 0 && pf[ic].revents) {
			n = read(cin, tmp, AXO_FRAME_MAXDATA);
			if (n > 0) {
				room = buf_room(&netout, AXO_FRAME_MAX);
				netout.len += axo_frame_seal(r, room,
				    AXO_FRAME_DATA, tmp, (size_t)n);
			} else if (n == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				room = buf_room(&netout, AXO_FRAME_MAX);
				netout.len += axo_frame_seal(r, room,
				    AXO_FRAME_END, tmp, 0);
				close(cin);
				cin = -1;
			}
		}
		if (on >= 0 && pf[on].revents) {
			n = write(AXO_FD_NET_OUT, netout.p + netout.off,
			    netout.len);
			if (n > 0)
				buf_drop(&netout, (size_t)n);
			else if (n == -1 && errno != EAGAIN && errno != EINTR) {
				/* After the peer's end of stream, a peer that
				 * is gone is no failure: nobody reads there. */
				if (!got_end) {
					axo_warn("unable to write to the "
					    "network: %s", strerror(errno));
					net_failed = 1;
				}
				net_dead = 1;
				buf_drop(&netout, netout.len);
				/* The child's output has nowhere to go. */
				if (cin != -1) {
					close(cin);
					cin = -1;
				}
			}
		}
		if (in >= 0 && pf[in].revents) {
			room = buf_room(&netin, AXO_FRAME_MAX);
			n = read(AXO_FD_NET_IN, room, AXO_FRAME_MAX);
			if (n > 0)
				netin.len += (size_t)n;
			else if (n == 0 || (errno != EAGAIN &&
			    errno != EINTR)) {
				if (n == -1)
					axo_warn("unable to read from the "
					    "network: %s", strerror(errno));
				net_eof = 1;
				/* Our side had finished and said so: the peer
				 * (or its tor) going away now cuts nothing that
				 * anyone here would read. */
				late = child_done && cin == -1;
			}
		}
		if (oc >= 0 && pf[oc].revents) {
			n = write(cout, kidout.p + kidout.off, kidout.len);
			if (n > 0)
				buf_drop(&kidout, (size_t)n);
			else if (n == -1 && errno != EAGAIN && errno != EINTR) {
				/* The child stopped reading: drop its input. */
				buf_drop(&kidout, kidout.len);
				close(cout);
				cout = -1;
			}
		}
	}

	if (authfail) {
		if (authfail == 2)
			axo_warn("record %lu skips more than %d messages", nrec,
			    AXO_RATCHET_MAX_SKIP);
		else
			axo_warn("record %lu from the network does not "
			    "authenticate", nrec);
		if (cin != -1)
			close(cin);
		if (cout != -1)
			close(cout);
		cin = cout = -1;
		kill(pid, SIGTERM);
	}
	if (!child_done && waitpid(pid, &st, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to wait for %s", argv[0]);
	if (cin != -1)
		close(cin);
	if (cout != -1)
		close(cout);
	sodium_memzero(tmp, AXO_FRAME_MAXDATA);
	axo_free(tmp);
	axo_free(netout.p);
	axo_free(netin.p);
	axo_free(kidout.p);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (authfail)
		return AXO_EXIT_NO;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	if (WEXITSTATUS(st) != 0)
		return WEXITSTATUS(st);
	if (net_failed || (net_eof && !got_end && !late))
		return AXO_EXIT_TEMP;
	return 0;
}
