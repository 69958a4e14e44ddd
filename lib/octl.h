/* SPDX-License-Identifier: GPL-2.0-only */
/* octl.h: axo-onion's control connection: opened, authenticated, and
 * its failures as axo-onion's exit codes. */
#ifndef AXO_OCTL_H
#define AXO_OCTL_H

#include "torctl.h"

/* axo-onion's own exit codes (axo-onion(1) EXIT STATUS) */
#define AXO_OCTL_EXIT_REFUSED	97	/* tor refused a command or auth */
#define AXO_OCTL_EXIT_UNREACH	98	/* the onion could not be reached */
#define AXO_OCTL_EXIT_PROTO	99	/* tor or the proxy broke its protocol */

/* The exit code of an AXO_TORCTL_E* kind: refused 97, off the protocol
 * 99, anything else (time, system) 111. */
int axo_octl_exit(int kind);
/* "axo-onion: fatal: " and c->err, exit axo_octl_exit(kind). */
__attribute__((noreturn))
void axo_octl_die(struct axo_torctl *c, int kind);

/*
 * axo_octl_open: c initialised, connected to ctl (-c: a port on
 * 127.0.0.1 or a control socket's path) and authenticated, each reply
 * waited for at most timeout_ms; or dies as axo_octl_die.  The password
 * (--password-fd, pwfd -1 when not given) is read first: at most 256
 * bytes from pwfd, one LF at its end dropped, no other line break or
 * NUL in it (else 100; an fd that is not open is a usage error too);
 * it lives in secure memory, freed once tor has answered.  cookie:
 * --cookie, or NULL (axo_torctl_auth says which ways that leaves).
 */
void axo_octl_open(struct axo_torctl *c, const char *ctl, const char *cookie,
    long pwfd, unsigned timeout_ms);

#endif
