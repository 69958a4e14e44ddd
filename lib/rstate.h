/* SPDX-License-Identifier: GPL-2.0-only */
/* rstate.h: axo-ratchet's state file: load, lock, a wrap's marker, commit. */
#ifndef AXO_RSTATE_H
#define AXO_RSTATE_H

#include "ratchet.h"
#include "state.h"

/*
 * rstate.c: the ratchet state of axo-ratchet's commands in the state
 * files of state.c (axotor(7) "State file").  Every function dies with
 * the family's words and codes rather than return a failure.
 *
 * axo_rstate_load: reads and parses the state into a new axo_xmalloc'd
 * ratchet.  A wrap's marker (AXO_RATCHET_IN_WRAP) is refused unless mode
 * is AXO_RSTATE_MARKER_OK (id): while its wrap runs, which then holds
 * the lock, as "in use" (111), else as the state of a session that
 * cannot go on (96, with a hint).  With held, the lock that we hold
 * (AXO_RSTATE_LOCKED), which a refusal lets go of first.  A state that
 * does not parse dies 96.
 */
#define AXO_RSTATE_UNLOCKED	0
#define AXO_RSTATE_LOCKED	1
#define AXO_RSTATE_MARKER_OK	2
struct axo_ratchet *axo_rstate_load(const struct axo_state_io *io, int mode,
    struct axo_state_lock *held);
/*
 * axo_rstate_relock: takes the lock (axo_state_lock, AXO_STATE_WAIT_MS;
 * twice for a state written again at the end) and, with -S, loads the
 * state again under it, freeing r: the one that counts, for another
 * writer may have moved it on since the first look.  With fds, r.
 */
struct axo_ratchet *axo_rstate_relock(const struct axo_state_io *io,
    struct axo_state_lock *lk, struct axo_ratchet *r, int twice);
/* 1 when path holds a wrap's marker (its flags byte): a lock held on
 * it is held for a session, not worth waiting for (init -f). */
int axo_rstate_marked(const char *path);
/* axo_state_commit of r's state with flags: its return. */
int axo_rstate_commit(struct axo_state_lock *lk, const struct axo_ratchet *r,
    int flags);
/*
 * axo_rstate_mark: for a wrap, the marker in place of the state (no key
 * in it), the lock kept for the real state at the end
 * (axo_rstate_commit).  Dies 111 when the state was replaced while the
 * wrap was starting, the lock let go of.
 */
void axo_rstate_mark(struct axo_state_lock *lk, const struct axo_ratchet *r);

#endif
