/* SPDX-License-Identifier: GPL-2.0-only */
/* ropt.h: axo-ratchet's command line: subcommands, options, --help. */
#ifndef AXO_ROPT_H
#define AXO_ROPT_H

#include "state.h"
#include "wrap.h"

/*
 * ropt.c: the words of axo-ratchet(1)'s SYNOPSIS.  One struct holds
 * what any subcommand was given; axo_ropt_parse fills it from the
 * options after the subcommand (o->cmd, argv[0]), each taken at most
 * once, and returns the index of the first operand (for wrap, prog).
 * allowed lists the options of o->cmd by their short letters ('I' for
 * --insecure-disk, 'f' for --force or, for id, --fingerprint).  An
 * unknown option, one without its argument, one of another subcommand
 * or one given twice is "axo-ratchet: fatal: ..." and the usage line
 * (100), not getopt's words (issue 11); -h is axo_ropt_help(o->cmd).
 */
struct axo_ropt {
	const char *cmd;
	struct axo_state_io io;		/* -S, --insecure-disk */
	int armor, fprint, force, keyfd;
	const char *role, *peer, *keyfile;
	struct axo_wrap_opts w;		/* -l -R -A -E -P, and -D's program */
	int dial, have_keepalive;
};
int axo_ropt_parse(int argc, char **argv, struct axo_ropt *o,
    const char *allowed);
/* the usage lines on stderr, exit 100 */
__attribute__((noreturn))
void axo_ropt_usage(void);
/* "axo-ratchet: fatal: why", then the usage lines; exit 100 */
__attribute__((noreturn, format(printf, 1, 2)))
void axo_ropt_bad(const char *fmt, ...);
/* --help (cmd NULL): the usage lines, then each subcommand's options,
 * one line each; CMD --help: that subcommand's line and options.  On
 * stdout, exit 0 (issue 13). */
__attribute__((noreturn))
void axo_ropt_help(const char *cmd);

#endif
