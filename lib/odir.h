/* SPDX-License-Identifier: GPL-2.0-only */
/* odir.h: axo-onion's directories: the private one, the socket's, the
 * socket's path in it, and whether the tor can reach it. */
#ifndef AXO_ODIR_H
#define AXO_ODIR_H

#include <stddef.h>

#include "torinfo.h"

/*
 * The private directory (-d): ours, mode 0700 (the unix socket and
 * tor's cookie live there), on tmpfs unless insecure (--insecure-disk),
 * and a name of letters, digits and /._-+ only, which Port=VPORT,
 * unix:PATH keeps as one word of ADD_ONION (control-spec §3.27).  Dies
 * 100 otherwise (axo_dir_need_private's words, or "directory DIR: only
 * letters, digits and /._-+ please").
 */
void axo_odir_check(const char *dir, int insecure);

/*
 * The socket's directory for a tor of another user (-D): ours, a real
 * directory (lstat), its group the one tor runs in, mode 0750 or
 * tighter: tor's group may enter it, nobody else, and nobody but us may
 * write in it; its name as axo_odir_check's.  Returns its group; dies
 * 100 otherwise.
 */
long axo_odir_check_sock(const char *dir);

/*
 * out = DIR/NAME, the path of a unix socket: dies 100 "directory name
 * too long: DIR" when it does not fit in outlen, "directory name too
 * long for a socket: DIR" when it does not fit in sun_path.
 */
void axo_odir_sock(char *out, size_t outlen, const char *dir,
    const char *name);

/*
 * A tor that runs as another user (Debian's debian-tor) cannot enter
 * our 0700 private directory dir: it would refuse every connection to
 * the onion (a client sees "host unreachable").  With ti, who the tor
 * is (torinfo.h), this dies 100 with what to do, before anything is
 * published: give -D (sockdir NULL), or a -D of tor's group (sgid, its
 * group as axo_odir_check_sock returned it).  A tor of our uid, or one
 * whose uid nothing tells, passes.
 */
void axo_odir_need_reach(const struct axo_torinfo *ti, const char *dir,
    const char *sockdir, long sgid);

#endif
