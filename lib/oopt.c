/* SPDX-License-Identifier: GPL-2.0-only */
/* oopt.c: axo-onion's command line: usage lines, options, --help. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axo.h"
#include "onion.h"
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
	"-b                        VPORT+1 too, to files.sock: a second stream",
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
	"-L FD                     listen on files.sock too, for PROG on FD",
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

/* ---- the command line ---- */

static const char *usage_line = U_ALL;

__attribute__((noreturn)) static void
usage(void)
{
	axo_usage(usage_line);
}

/* The subcommand argv[1] names, its usage line and its options. */
static enum axo_oopt_cmd
subcommand(const char *cmd, const char **allowed)
{
	if (strcmp(cmd, "launch") == 0) {
		usage_line = U_LAUNCH;
		*allowed = "qCd:f:s:c:O:t:I";
		return AXO_OOPT_LAUNCH;
	} else if (strcmp(cmd, "publish") == 0) {
		usage_line = U_PUBLISH;
		*allowed = "qd:D:c:v:bo:a:t:KWI";
		return AXO_OOPT_PUBLISH;
	} else if (strcmp(cmd, "auth") == 0) {
		usage_line = U_AUTH;
		*allowed = "c:i:KWI";
		return AXO_OOPT_AUTH;
	} else if (strcmp(cmd, "unpublish") == 0 ||
	    strcmp(cmd, "deauth") == 0) {
		usage_line = U_UNPUBLISH;
		*allowed = "c:KW";
		return strcmp(cmd, "deauth") == 0 ? AXO_OOPT_DEAUTH :
		    AXO_OOPT_UNPUBLISH;
	} else if (strcmp(cmd, "info") == 0) {
		usage_line = U_INFO;
		*allowed = "c:KW";
		return AXO_OOPT_INFO;
	} else if (strcmp(cmd, "connect") == 0) {
		usage_line = U_CONNECT;
		*allowed = "qs:t:p";
		return AXO_OOPT_CONNECT;
	} else if (strcmp(cmd, "serve") == 0) {
		usage_line = U_SERVE;
		*allowed = "qd:D:u:t:lL";
		return AXO_OOPT_SERVE;
	}
	usage();
}

/* One option ch, with optarg, into o. */
static void
option(struct axo_oopt *o, int ch)
{
	unsigned long n;

	switch (ch) {
	case 'q': axo_info_quiet(1); break;
	case 'C': o->client = 1; break;
	case 'I': o->insecure = 1; break;
	case 'd': o->dir = optarg; break;
	case 'D': o->sockdir = optarg; break;
	case 'u':
		if (!axo_scan_uint(optarg, 4294967294UL, &n))
			usage();
		o->peer_uid = (long)n;
		break;
	case 'f': o->torrc = optarg; break;
	case 'K': o->cookie = optarg; break;
	case 's':
		if (!axo_scan_uint(optarg, 65535, &o->socks) || !o->socks)
			usage();
		o->have_socks = 1;
		break;
	case 'c':
		/* a control socket's path, except for launch */
		o->ctl = optarg;
		if (optarg[0] == '/' && o->cmd != AXO_OOPT_LAUNCH)
			o->control = 1;
		else if (!axo_scan_uint(optarg, 65535, &o->control) ||
		    !o->control)
			usage();
		o->have_control = 1;
		break;
	case 'O':
		if (!axo_scan_uint(optarg, 4194304, &o->owner) || !o->owner)
			usage();
		break;
	case 't':
		if (!axo_scan_uint(optarg, 86400, &o->timeout) || !o->timeout)
			usage();
		o->have_timeout = 1;
		break;
	case 'v':
		if (!axo_scan_uint(optarg, 65535, &o->vport) || !o->vport)
			usage();
		break;
	case 'o': o->outfd = axo_opt_fd(optarg, usage_line); break;
	case 'a': o->addrfd = axo_opt_fd(optarg, usage_line); break;
	case 'i': o->infd = axo_opt_fd(optarg, usage_line); break;
	case 'W': o->pwfd = axo_opt_fd(optarg, usage_line); break;
	case 'p': o->passfd = axo_opt_fd(optarg, usage_line); break;
	case 'l': o->listenfd = axo_opt_fd(optarg, usage_line); break;
	case 'L': o->filesfd = axo_opt_fd(optarg, usage_line); break;
	case 'b': o->files = 1; break;
	}
}

/*
 * launch: ports that tor picks among the free ones, unless given; the
 * others: the ports of the original, server side 9054/9055, client
 * 9154/9155.
 */
static void
ports(struct axo_oopt *o)
{
	if (!o->have_socks)
		o->socks = o->client ? 9154 : 9054;
	if (!o->have_control) {
		o->control = o->cmd == AXO_OOPT_AUTH || o->client ? 9155 : 9055;
		o->ctl = o->control == 9155 ? "9155" : "9055";
	}
	if (o->cmd == AXO_OOPT_LAUNCH) {
		if (!o->have_socks)
			o->socks = 0;
		if (!o->have_control)
			o->control = 0;
	}
	if (o->cmd == AXO_OOPT_CONNECT && !o->have_socks)
		o->socks = 9154;
}

/* The operands each subcommand takes, its time-out's default. */
static void
operands(struct axo_oopt *o)
{
	unsigned long t = 0;

	switch (o->cmd) {
	case AXO_OOPT_LAUNCH:
		if (o->nargs != 0 || o->dir == NULL)
			usage();
		if (o->socks != 0 && o->socks == o->control)
			usage();
		t = 300;
		break;
	case AXO_OOPT_PUBLISH:
		if (o->nargs != 0 || o->dir == NULL ||
		    (o->files && o->vport == 65535))
			usage();
		t = 120;
		break;
	case AXO_OOPT_AUTH:
	case AXO_OOPT_INFO:
		if (o->nargs != 0)
			usage();
		return;
	case AXO_OOPT_UNPUBLISH:
	case AXO_OOPT_DEAUTH:
		if (o->nargs != 1)
			usage();
		return;
	case AXO_OOPT_CONNECT:
		if (o->passfd == -1 ? o->nargs < 3 : o->nargs != 2)
			usage();
		t = 120;
		break;
	case AXO_OOPT_SERVE:
		if (o->nargs < 1 || o->dir == NULL ||
		    o->listenfd == AXO_FD_NET_IN ||
		    o->listenfd == AXO_FD_NET_OUT ||
		    o->filesfd == AXO_FD_NET_IN ||
		    o->filesfd == AXO_FD_NET_OUT ||
		    (o->filesfd != -1 && o->filesfd == o->listenfd))
			usage();
		t = 600;
		break;
	}
	if (!o->have_timeout)
		o->timeout = t;
}

void
axo_oopt_parse(int argc, char **argv, struct axo_oopt *o)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "client", no_argument, NULL, 'C' },
		{ "insecure-disk", no_argument, NULL, 'I' },
		{ "cookie", required_argument, NULL, 'K' },
		{ "password-fd", required_argument, NULL, 'W' },
		{ "pass", required_argument, NULL, 'p' },
		{ "keep-listening", required_argument, NULL, 'l' },
		{ "files-listening", required_argument, NULL, 'L' },
		{ "files", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	static const char optstring[] = "+hqd:D:u:f:s:c:O:t:v:bo:a:i:p:l:L:";
	unsigned char seen[AXO_OPT_MAX];
	const char *allowed, *cmd;
	int ch;

	opterr = 0;
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		axo_oopt_help(NULL);
	if (argc < 2)
		usage();
	cmd = argv[1];
	memset(o, 0, sizeof *o);
	o->cmd = subcommand(cmd, &allowed);
	memset(seen, 0, sizeof seen);
	o->pwfd = o->passfd = o->listenfd = o->filesfd = o->addrfd = -1;
	o->peer_uid = -1;
	o->outfd = AXO_FD_STATE_OUT;
	o->infd = AXO_FD_STATE_IN;
	o->vport = 80;
	o->owner = (unsigned long)getppid();
	argc--;
	argv++;
	/* "+": options first, then operands and PROG... untouched */
	while ((ch = getopt_long(argc, argv, optstring, lo, NULL)) != -1) {
		if (ch == 'h')
			axo_oopt_help(cmd);
		if (ch == '?')
			axo_opt_bad(argv, optstring, lo, usage_line);
		if (strchr(allowed, ch) == NULL)
			usage();
		axo_opt_once(seen, ch, usage_line);
		option(o, ch);
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	ports(o);
	operands(o);
}

void
axo_oopt_addr(const char *s, char out[AXO_ONION_ADDR_LEN + 1])
{
	size_t l = strlen(s);

	if (l == AXO_ONION_ADDR_LEN + 6 && strcmp(s + AXO_ONION_ADDR_LEN,
	    ".onion") == 0)
		l = AXO_ONION_ADDR_LEN;
	if (!axo_onion_addr_ok(s, l))
		axo_die(AXO_EXIT_USAGE, "not a v3 onion address: %.80s", s);
	memcpy(out, s, AXO_ONION_ADDR_LEN);
	out[AXO_ONION_ADDR_LEN] = '\0';
}
