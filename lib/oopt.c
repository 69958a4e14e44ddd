/* SPDX-License-Identifier: GPL-2.0-only */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axo.h"
#include "oopt.h"

#define O_Q "-q                        no progress lines"
#define O_DIR "-d DIR                    the private directory (tmpfs, 0700)"
#define O_SOCKDIR "-D SOCKDIR                the socket's directory, for a tor of another user"
#define O_CTL "-c CONTROL                tor's control port or socket (9055, auth 9155)"
#define O_T "-t SECONDS                the time-out (1 to 86400)"
#define O_COOKIE "    --cookie FILE         the control cookie file"
#define O_PW "    --password-fd FD      the control password, read from FD"
#define O_INSECURE "    --insecure-disk       allow a directory or fd not on tmpfs"
#define O_HELP "-h, --help                this help"

static const char *const help_launch[] = {
	O_Q,
	"    --client              the client's tor (its ports are free ones too)",
	O_DIR,
	"-f TORRC                  more torrc lines (at most 64 KiB)",
	"-s SOCKSPORT              tor's SOCKS port (default: a free one)",
	"-c CONTROLPORT            tor's control port (default: a free one)",
	"-O PID                    tor ends when PID does (default: our parent)",
	O_T, O_INSECURE, O_HELP, NULL
};
static const char *const help_publish[] = {
	O_Q, O_DIR, O_SOCKDIR, O_CTL,
	"-v VPORT                  the onion's virtual port (80)",
	"-o FD                     the credential record out on FD (5)",
	"-a FD                     the onion's address on FD, once tor has it",
	O_T, O_COOKIE, O_PW, O_INSECURE, O_HELP, NULL
};
static const char *const help_auth[] = {
	O_CTL,
	"-i FD                     the credential record in on FD (4)",
	O_COOKIE, O_PW, O_INSECURE, O_HELP, NULL
};
static const char *const help_ctl[] = {
	O_CTL, O_COOKIE, O_PW, O_HELP, NULL
};
static const char *const help_connect[] = {
	O_Q,
	"-s SOCKSPORT              tor's SOCKS port (9154)",
	O_T,
	"    --pass FD             hand the connected socket over FD, exit 0",
	O_HELP, NULL
};
static const char *const help_serve[] = {
	O_Q, O_DIR, O_SOCKDIR,
	"-u UID                    accept connections from UID (tor's) too",
	O_T,
	"-l FD                     keep listening, the socket on FD for PROG",
	O_HELP, NULL
};

static const struct {
	const char *cmd, *usage;
	const char *const *opts;
} helps[] = {
	{ "launch", U_LAUNCH, help_launch },
	{ "publish", U_PUBLISH, help_publish },
	{ "auth", U_AUTH, help_auth },
	{ "unpublish", U_UNPUBLISH, help_ctl },
	{ "deauth", U_UNPUBLISH, help_ctl },
	{ "info", U_INFO, help_ctl },
	{ "connect", U_CONNECT, help_connect },
	{ "serve", U_SERVE, help_serve },
};

void
axo_oopt_help(const char *cmd)
{
	size_t i, n = sizeof helps / sizeof helps[0];
	const char *const *l;

	for (i = 0; i < n; i++)
		if (cmd != NULL && strcmp(cmd, helps[i].cmd) == 0)
			axo_help_opts(helps[i].usage, helps[i].opts);
	for (i = 0; i < n; i++)
		if (i == 0 || helps[i].usage != helps[i - 1].usage)
			printf("%s%s\n", i == 0 ? "usage: " : "       ",
			    helps[i].usage);
	for (i = 0; i < n; i++) {
		if (i > 0 && helps[i].usage == helps[i - 1].usage)
			continue;
		printf("\n%s options:\n", strcmp(helps[i].cmd, "unpublish") ?
		    helps[i].cmd : "unpublish, deauth");
		for (l = helps[i].opts; *l != NULL; l++)
			printf("  %s\n", *l);
	}
	exit(0);
}
