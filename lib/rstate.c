/* SPDX-License-Identifier: GPL-2.0-only */
/* rstate.c: axo-ratchet's state file: load, lock, a wrap's marker, commit. */
#include <fcntl.h>
#include <unistd.h>

#include "axo.h"
#include "ratchet.h"
#include "rstate.h"
#include "state.h"

struct axo_ratchet *
axo_rstate_load(const struct axo_state_io *io, int mode,
    struct axo_state_lock *held)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *buf;
	size_t len;
	int rc;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	len = axo_state_load(io, buf, AXO_RATCHET_STATE_MAX);
	r = axo_xmalloc(sizeof *r);
	rc = axo_ratchet_load(r, buf, len);
	axo_free(buf);
	if (rc != 0 && held != NULL &&
	    !(rc == 1 && mode == AXO_RSTATE_MARKER_OK))
		axo_state_unlock(held);
	if (rc < 0)
		axo_die(AXO_EXIT_STATE, "state is not a valid ratchet state");
	if (rc == 1 && mode != AXO_RSTATE_MARKER_OK) {
		if (io->path != NULL && mode == AXO_RSTATE_UNLOCKED) {
			/* dies 111 "in use" while its wrap runs */
			axo_state_lock(io, &lk, 0, 0);
			axo_state_unlock(&lk);
		}
		axo_say_fatal("state %s%swas left by a wrap that did not "
		    "finish: the session cannot go on",
		    io->path ? io->path : "", io->path ? " " : "");
		axo_hint("its keys may have been used: start a new session "
		    "(init -f)");
		_exit(AXO_EXIT_STATE);
	}
	return r;
}

struct axo_ratchet *
axo_rstate_relock(const struct axo_state_io *io, struct axo_state_lock *lk,
    struct axo_ratchet *r, int twice)
{
	axo_state_lock(io, lk, AXO_STATE_WAIT_MS, twice);
	if (io->path == NULL)
		return r;
	axo_free(r);
	return axo_rstate_load(io, AXO_RSTATE_LOCKED, lk);
}

int
axo_rstate_marked(const char *path)
{
	unsigned char head[42];
	ssize_t n;
	int fd;

	if (path == NULL ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		return 0;
	n = axo_readn(fd, head, sizeof head);
	close(fd);
	return n == (ssize_t)sizeof head && head[41] == AXO_RATCHET_IN_WRAP;
}

int
axo_rstate_commit(struct axo_state_lock *lk, const struct axo_ratchet *r,
    int flags)
{
	unsigned char *buf;
	int rc;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	rc = axo_state_commit(lk, buf, axo_ratchet_save(r, buf), flags);
	axo_free(buf);
	return rc;
}

void
axo_rstate_mark(struct axo_state_lock *lk, const struct axo_ratchet *r)
{
	unsigned char *buf;
	int rc;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	rc = axo_state_commit(lk, buf, axo_ratchet_mark(r, buf),
	    AXO_STATE_KEEP);
	axo_free(buf);
	if (rc != 0) {
		axo_state_unlock(lk);
		axo_die(AXO_EXIT_TEMP, "state %s was replaced while wrap "
		    "was starting", lk->io->path);
	}
}
