/* SPDX-License-Identifier: GPL-2.0-only */
/* oopt.h: axo-onion's usage lines and --help. */
#ifndef AXO_OOPT_H
#define AXO_OOPT_H

#define U_LAUNCH "axo-onion launch [-q] [--client] -d DIR [-f TORRC] " \
	"[-s SOCKSPORT] [-c CONTROLPORT] [-O PID] [-t SECONDS] [--insecure-disk]"
#define U_PUBLISH "axo-onion publish [-q] -d DIR [-D SOCKDIR] " \
	"[-c CONTROL] [-v VPORT] [-o FD] [-a FD] [-t SECONDS] [--cookie FILE] " \
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
	"[-t SECONDS] [-l FD] PROG..."
#define U_ALL "axo-onion launch|publish|auth|unpublish|deauth|info|connect|" \
	"serve [OPTION...] [OPERAND...]"

/*
 * axo_oopt_help: "axo-onion CMD --help" prints CMD's usage line and its
 * options, one line each; with cmd NULL (or unknown), every usage line
 * and every subcommand's options.  Exits 0.
 */
__attribute__((noreturn))
void axo_oopt_help(const char *cmd);

#endif
