/* SPDX-License-Identifier: GPL-2.0-only */
/* state.h: state files on fds 4/5 or a path, replaced atomically. */
#ifndef AXO_STATE_H
#define AXO_STATE_H

#include <stddef.h>

/*
 * state.c: state files.  A state is read from one place and written to
 * another: by default fd 4 and fd 5 (opened by the shell on tmpfs), or a
 * path given with -S, read and then replaced atomically (PATH.new, then
 * rename).  Either way the place must be on tmpfs/ramfs unless insecure.
 * Commit discipline: a program reads, computes, authenticates, and only
 * then calls axo_state_save; on failure it saves nothing, and the old
 * state stays valid.
 */
struct axo_state_io {
	const char *path;	/* -S PATH, or NULL for fds */
	int in;			/* fd to read, default 4 */
	int out;		/* fd to write, default 5 */
	int insecure;		/* --insecure-disk */
};
void axo_state_io_default(struct axo_state_io *io);
/* Reads the whole state into buf (secure memory of max bytes) and
 * returns its length; dies 96 "state is too large" past max, 100 for a
 * missing or non-tmpfs place, 111 on I/O errors. */
size_t axo_state_load(const struct axo_state_io *io, unsigned char *buf,
    size_t max);
/* Writes the state: to fd io->out, or to io->path atomically.  Dies 111
 * on failure (the old state is then still in place). */
void axo_state_save(const struct axo_state_io *io, const unsigned char *buf,
    size_t len);
/* Checks, before any work, that the output place is usable. */
void axo_state_need_out(const struct axo_state_io *io);

#endif
