/* SPDX-License-Identifier: GPL-2.0-only */
/* torproc.h: a private tor process: its torrc, log, bootstrap and PID. */
#ifndef AXO_TORPROC_H
#define AXO_TORPROC_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * torproc.c: the tor of "axo-onion launch".  It runs in DIR with its
 * DataDirectory DIR/tor, its torrc DIR/torrc, its log DIR/tor.log (tor's
 * stdout and stderr), and is owned by the process owner (tor exits by
 * itself when that process dies, control-spec §3.23).  Nothing of it
 * reaches a disk that DIR is not on: AvoidDiskWrites, no fd of ours.
 * The program is $AXO_TOR, or tor on PATH.
 *
 * init fills the paths (dies 100 "directory name too long" when one does
 * not fit).  setup creates DataDirectory (dies 100 when it exists: a tor
 * was launched there already) and writes the torrc: ours, then the lines
 * of the file extra unless NULL (a text file of at most 64 KiB; dies 100
 * otherwise).  start forks and runs tor (dies 111 when it cannot fork).
 * bootstrap waits for 100% on the control port, with the cookie, until
 * timeout seconds from start, saying each new percentage (axo_info); a
 * port 0 is tor's choice ("auto"), read from DIR/control.port
 * (ControlPortWriteToFile) and GETINFO net/listeners/socks; it
 * returns 0, or a kind with words in tp->err: an AXO_TORCTL_E* for the
 * control port (EREFUSED: another tor answers on it; EPROTO: tor broke
 * the protocol), or one of the AXO_TORPROC_E* below.  env formats the
 * TOR_* lines of DIR/tor.env, which save replaces atomically (-1 and
 * errno on failure).  stop ends tor by its PID: TERM, a wait of at most
 * 5 s, then KILL; nothing when none runs.
 */
#define AXO_TORPROC_PATH_MAX	4096
#define AXO_TORPROC_ESIG	(-10)	/* *sig became non-zero */
#define AXO_TORPROC_EEXIT	(-11)	/* tor exited during start */
#define AXO_TORPROC_ETIME	(-12)	/* not bootstrapped within timeout */
struct axo_torproc {
	const char *dir;
	unsigned long socks, control;	/* its ports on 127.0.0.1; 0: auto */
	unsigned long owner;		/* __OwningControllerProcess */
	unsigned long timeout;		/* seconds, from start */
	const char *prog;
	pid_t pid;			/* -1 when none runs */
	long long t0;			/* axo_clock_ms() at start */
	int pct;			/* last bootstrap percentage, or -1 */
	char datadir[AXO_TORPROC_PATH_MAX], torrc[AXO_TORPROC_PATH_MAX];
	char log[AXO_TORPROC_PATH_MAX], env[AXO_TORPROC_PATH_MAX];
	char cookie[AXO_TORPROC_PATH_MAX], portfile[AXO_TORPROC_PATH_MAX];
	char err[1024];
};
void axo_torproc_init(struct axo_torproc *tp, const char *dir);
void axo_torproc_setup(struct axo_torproc *tp, const char *extra);
void axo_torproc_start(struct axo_torproc *tp);
int axo_torproc_bootstrap(struct axo_torproc *tp,
    const volatile sig_atomic_t *sig);
void axo_torproc_env(const struct axo_torproc *tp, char *out, size_t outlen);
int axo_torproc_save(const struct axo_torproc *tp, const char *text);
void axo_torproc_stop(struct axo_torproc *tp);

#endif
