/* SPDX-License-Identifier: GPL-2.0-only */
/* torinfo.h: what a running tor is: its process, its user, its ports. */
#ifndef AXO_TORINFO_H
#define AXO_TORINFO_H

#include <sys/types.h>

#include "torctl.h"

/*
 * torinfo.c: asks a tor on an open, authenticated control connection
 * who it is (control-spec §3.9 GETINFO version, process/pid,
 * process/user, net/listeners/socks).  Its uid and gid come from the
 * control socket's peer (SO_PEERCRED) when c is a unix socket, else from
 * /proc/PID/status, else from the user's name in the password database;
 * -1 when none tells.  socks is its first SocksPort on 127.0.0.1, 0 when
 * it has none there.  user and version hold only [0-9A-Za-z._-] (what
 * tor sends is untrusted).  Returns 0, or an AXO_TORCTL_E* kind with
 * words in c->err.
 */
struct axo_torinfo {
	long pid;
	long uid, gid;
	unsigned long socks;
	char user[64];		/* "" when tor has no User option */
	char version[64];
};
int axo_torinfo_get(struct axo_torctl *c, struct axo_torinfo *ti);

#endif
