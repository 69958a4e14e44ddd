/* SPDX-License-Identifier: GPL-2.0-only */
/* oopt.h: axo-onion's command line: usage lines, options, --help. */
#ifndef AXO_OOPT_H
#define AXO_OOPT_H

#include "onion.h"

#define U_LAUNCH "axo-onion launch [-q] [--client] -d DIR [-f TORRC] " \
	"[-s SOCKSPORT] [-c CONTROLPORT] [-O PID] [-t SECONDS] [--insecure-disk]"
#define U_PUBLISH "axo-onion publish [-q] -d DIR [-D SOCKDIR] " \
	"[-c CONTROL] [-v VPORT] [-b] [-o FD] [-a FD] [-t SECONDS] [--cookie FILE] " \
	"[--password-fd FD] [--insecure-disk]"
#define U_AUTH "axo-onion auth [-c CONTROL] [-i FD] [--cookie FILE] " \
	"[--password-fd FD] [--insecure-disk]"
#define U_UNPUBLISH "axo-onion unpublish|deauth [-c CONTROL] " \
	"[--cookie FILE] [--password-fd FD] ADDR"
#define U_INFO "axo-onion info [-c CONTROL] [--cookie FILE] " \
	"[--password-fd FD]"
#define U_CONNECT "axo-onion connect [-q] [-s SOCKSPORT] [-t SECONDS] " \
	"ADDR PORT PROG... | --pass FD ADDR PORT"
#define U_SERVE "axo-onion serve [-q] -d DIR [-D SOCKDIR -u UID] " \
	"[-t SECONDS] [-l FD] [-L FD] PROG..."
#define U_ALL "axo-onion launch|publish|auth|unpublish|deauth|info|connect|" \
	"serve [OPTION...] [OPERAND...]"

/* the subcommands, as axo_oopt_parse tells them apart */
enum axo_oopt_cmd {
	AXO_OOPT_LAUNCH, AXO_OOPT_PUBLISH, AXO_OOPT_AUTH, AXO_OOPT_UNPUBLISH,
	AXO_OOPT_DEAUTH, AXO_OOPT_INFO, AXO_OOPT_CONNECT, AXO_OOPT_SERVE
};

/*
 * What any subcommand was given.  fds not given are -1 (outfd 5, infd
 * 4); ctl is -c as given, or the default control port's number as a
 * string, control its number (1 for a control socket's path); timeout
 * is -t or the subcommand's default (launch 300, publish and connect
 * 120, serve 600; auth, unpublish, deauth and info take none: 0).
 */
struct axo_oopt {
	enum axo_oopt_cmd cmd;
	const char *dir, *sockdir, *torrc, *cookie;
	const char *ctl;		/* -c: a port or a control socket */
	long peer_uid;
	unsigned long socks, control, owner, timeout, vport, outfd, infd;
	long pwfd, passfd, listenfd, filesfd, addrfd;
	int client, insecure, files;
	int have_socks, have_control, have_timeout;
	char **args;			/* the operands, then PROG... */
	int nargs;
};

/*
 * axo_oopt_parse: the command line of axo-onion(1) (argv[1] the
 * subcommand) into o, as its SYNOPSIS has it: each option at most once
 * and only where its subcommand takes it, options before the operands,
 * the number of operands the subcommand takes, -d where it is needed,
 * launch's two ports apart, serve's -l not fd 6 or 7.  -q takes effect
 * at once (axo_info_quiet).  Anything else is the subcommand's usage
 * line (or, before one is known, U_ALL), exit 100; -h and
 * --help are axo_oopt_help.  Ports left out are the original's: server
 * side 9054/9055, client (--client, auth) 9154/9155, connect's SOCKS
 * port 9154; launch's are free ones (0).
 */
void axo_oopt_parse(int argc, char **argv, struct axo_oopt *o);

/*
 * axo_oopt_addr: an ADDR operand, a v3 address with or without
 * ".onion", the bare address (56 characters and a NUL) into out; else
 * "not a v3 onion address: ADDR", exit 100.
 */
void axo_oopt_addr(const char *s, char out[AXO_ONION_ADDR_LEN + 1]);

/*
 * axo_oopt_help: "axo-onion CMD --help" prints CMD's usage line and its
 * options, one line each; with cmd NULL (or unknown), every usage line
 * and every subcommand's options.  Exits 0.
 */
__attribute__((noreturn))
void axo_oopt_help(const char *cmd);

#endif
