/* SPDX-License-Identifier: GPL-2.0-only */
/* state.h: state files on fds 4/5 or a path, replaced atomically. */
#ifndef AXO_STATE_H
#define AXO_STATE_H

#include <stddef.h>

/*
 * state.c: state files.  A state is read from one place and written to
 * another: by default fd 4 and fd 5 (opened by the shell on tmpfs), or a
 * path given with -S, read and then replaced atomically (PATH.new, then
 * rename).  Either way the place must be on tmpfs/ramfs unless insecure,
 * and a path must name a regular file, not a symbolic link.
 * Commit discipline (issue 11): a program reads, computes, authenticates,
 * commits the new state, and only then releases its output, so that a
 * crash loses output but never repeats a key; on failure it commits
 * nothing, and the old state stays valid.  With a path, every writer
 * holds an exclusive lock (axo_state_lock) from its read to its commit.
 */
struct axo_state_io {
	const char *path;	/* -S PATH, or NULL for fds */
	int in;			/* fd to read, default 4 */
	int out;		/* fd to write, default 5 */
	int insecure;		/* --insecure-disk */
	const char *what;	/* "state" or "key file", for messages */
};
void axo_state_io_default(struct axo_state_io *io);
/* Reads the whole state into buf (secure memory of max bytes) and
 * returns its length, taking no lock; dies 96 "state is too large" past
 * max, 100 for a missing fd, a symbolic link, a file that is not regular
 * (a FIFO) or not on tmpfs, 111 on I/O errors. */
size_t axo_state_load(const struct axo_state_io *io, unsigned char *buf,
    size_t max);
/* Checks, before any work, that the output place is usable: fd 5 open,
 * on tmpfs, not a terminal (dies 100). */
void axo_state_need_out(const struct axo_state_io *io);
/* For a new state (init, keygen): dies 100 if the path is a symbolic
 * link or not a regular file, or exists and force is 0. */
void axo_state_need_new(const struct axo_state_io *io, int force);
/*
 * The lock of a path: an OFD lock on PATH.new, waited for at most
 * wait_ms (then dies 111 "state PATH is in use"); PATH.new is emptied
 * under it.  With fds it does nothing, but with twice (a state written
 * again at the end, wrap) it dies 100 unless fd 5 is a regular file.
 * commit writes the state (fsync'd if insecure) and renames it onto PATH
 * (with NOREPLACE: dies 100 if PATH exists), releasing the lock; with
 * KEEP it takes the lock again for a second commit and returns -1 if
 * PATH was replaced by someone else in between.  With fds, commit writes
 * fd 5, the second time over the first.  unlock removes PATH.new
 * unwritten and releases.  Dies 111 on I/O errors.
 */
#define AXO_STATE_WAIT_MS	5000
#define AXO_STATE_NOREPLACE	1
#define AXO_STATE_KEEP		2
struct axo_state_lock {
	const struct axo_state_io *io;
	int fd;			/* PATH.new, locked, or -1 */
	int written;		/* fds: fd 5 written once already */
	char tmp[4096];		/* PATH.new */
};
void axo_state_lock(const struct axo_state_io *io, struct axo_state_lock *lk,
    int wait_ms, int twice);
int axo_state_commit(struct axo_state_lock *lk, const unsigned char *buf,
    size_t len, int flags);
void axo_state_unlock(struct axo_state_lock *lk);

#endif
