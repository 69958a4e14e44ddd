/* SPDX-License-Identifier: GPL-2.0-only */
/* ropt.c: axo-ratchet's command line: subcommands, options, --help. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axo.h"
#include "ropt.h"

#define U_KEYGEN "axo-ratchet keygen [-f] [-S file] [--insecure-disk]"
#define U_INIT "axo-ratchet init -r alice|bob [-f] [-k fd] [-p pubkey] " \
	"[-K keyfile] [-S file] [--insecure-disk]"
#define U_ENCRYPT "axo-ratchet encrypt [-a] [-S file] [--insecure-disk]"
#define U_DECRYPT "axo-ratchet decrypt [-a] [-S file] [--insecure-disk]"
#define U_WRAP "axo-ratchet wrap [-S file] [-l fd [-u uid]|-D dialprog... --] " \
	"[-R seconds] [-A seconds] [-E fd] [-F fd] [-P pid] [--insecure-disk] " \
	"prog..."
#define U_ID "axo-ratchet id [-f] [-S file] [--insecure-disk]"
#define USAGE U_KEYGEN "\n       " U_INIT "\n       " U_ENCRYPT \
	"\n       " U_DECRYPT "\n       " U_WRAP "\n       " U_ID

/* --help: each subcommand's options, one line each (issue 13) */
#define O_INSECURE "    --insecure-disk       allow a state file not on tmpfs"
#define O_HELP "-h, --help                this help"
static const char *const help_keygen[] = {
	"-f, --force               replace an existing key file",
	"-S, --state FILE          the key file (else written on fd 5)",
	O_INSECURE, O_HELP, NULL
};
static const char *const help_init[] = {
	"-r, --role alice|bob      which side this is",
	"-f, --force               replace an existing state file",
	"-k, --key-fd FD           the session key on FD (default 0)",
	"-p, --peer PUBKEY         alice: bob's public key, 64 hex digits",
	"-K, --keyfile FILE        bob: his key file (else fd 4)",
	"-S, --state FILE          the state file (else written on fd 5)",
	O_INSECURE, O_HELP, NULL
};
static const char *const help_crypt[] = {
	"-a, --armor               records as lines of base64",
	"-S, --state FILE          the state, replaced atomically (else fds 4, 5)",
	O_INSECURE, O_HELP, NULL
};
static const char *const help_wrap[] = {
	"-S, --state FILE          the state, replaced atomically (else fds 4, 5)",
	"-l, --listen-fd FD        new links from the listening socket FD",
	"-u, --peer-uid UID        and from a tor of that uid too",
	"-D, --dial                new links from dialprog, up to --",
	"-R, --reconnect SECONDS   give up after this long without a link (600)",
	"-A, --keepalive SECONDS   a keepalive after this long idle (10)",
	"-E, --events-fd FD        the link's events to prog on its FD",
	"-F, --stream-fd FD        prog's stream on FD and FD+1, not 6/7; no first link",
	"-P, --watch-pid PID       end the session when PID is gone",
	O_INSECURE, O_HELP, NULL
};
static const char *const help_id[] = {
	"-f, --fingerprint         a short fingerprint, for reading aloud",
	"-S, --state FILE          the state (else fd 4)",
	O_INSECURE, O_HELP, NULL
};
static const struct {
	const char *cmd, *usage;
	const char *const *opts;
} helps[] = {
	{ "keygen", U_KEYGEN, help_keygen },
	{ "init", U_INIT, help_init },
	{ "encrypt", U_ENCRYPT, help_crypt },
	{ "decrypt", U_DECRYPT, help_crypt },
	{ "wrap", U_WRAP, help_wrap },
	{ "id", U_ID, help_id },
};

void
axo_ropt_usage(void)
{
	axo_usage(USAGE);
}

void
axo_ropt_help(const char *cmd)
{
	size_t i, n = sizeof helps / sizeof helps[0];
	const char *const *l;

	for (i = 0; i < n; i++)
		if (cmd != NULL && strcmp(cmd, helps[i].cmd) == 0)
			axo_help_opts(helps[i].usage, helps[i].opts);
	printf("usage: %s\n", USAGE);
	for (i = 0; i < n; i++) {
		if (i > 0 && helps[i].opts == helps[i - 1].opts)
			continue;
		printf("\n%s%s%s options:\n", helps[i].cmd,
		    i + 1 < n && helps[i + 1].opts == helps[i].opts ? ", " : "",
		    i + 1 < n && helps[i + 1].opts == helps[i].opts ?
		    helps[i + 1].cmd : "");
		for (l = helps[i].opts; *l != NULL; l++)
			printf("  %s\n", *l);
	}
	exit(0);
}

void
axo_ropt_bad(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	axo_say_fatal("%s", why);
	axo_ropt_usage();
}

/* The option that getopt could not take, as the user spelled it: after
 * an unknown long option or one without its argument, optind has moved
 * past it; a short one is -c. */
static const char *
spelled(char **argv, int c, char *buf, size_t len)
{
	const char *a = optind > 0 ? argv[optind - 1] : "";

	if (strncmp(a, "--", 2) == 0 && a[2] != '\0')
		snprintf(buf, len, "%.*s", (int)strcspn(a, "="), a);
	else
		snprintf(buf, len, "-%c", c);
	return buf;
}

/*
 * getopt_long with our own messages (opterr 0): an unknown option, a
 * missing argument, an option of another subcommand, one given twice,
 * each "axo-ratchet: fatal: ..." and the usage line (issue 11).  'f' is
 * --fingerprint for id, --force for keygen and init.
 */
int
axo_ropt_parse(int argc, char **argv, struct axo_ropt *o, const char *allowed)
{
	enum { FINGERPRINT = 1000, FORCE };
	static const struct option lo[] = {
		{ "armor", no_argument, NULL, 'a' },
		{ "fingerprint", no_argument, NULL, FINGERPRINT },
		{ "force", no_argument, NULL, FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ "key-fd", required_argument, NULL, 'k' },
		{ "keyfile", required_argument, NULL, 'K' },
		{ "peer", required_argument, NULL, 'p' },
		{ "role", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 'S' },
		{ "insecure-disk", no_argument, NULL, 'I' },
		{ "listen-fd", required_argument, NULL, 'l' },
		{ "dial", no_argument, NULL, 'D' },
		{ "reconnect", required_argument, NULL, 'R' },
		{ "keepalive", required_argument, NULL, 'A' },
		{ "events-fd", required_argument, NULL, 'E' },
		{ "stream-fd", required_argument, NULL, 'F' },
		{ "watch-pid", required_argument, NULL, 'P' },
		{ "peer-uid", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	static const char all[] = "afkKprSIlDRAEPuF";
	const char *cmd = o->cmd;
	unsigned seen = 0, bit;
	unsigned long n;
	char name[64];
	int c, li, isid = strcmp(cmd, "id") == 0;

	o->w.listen_fd = o->w.events_fd = o->w.stream_fd = -1;
	o->w.peer_uid = -1;
	o->w.reconnect = AXO_WRAP_RECONNECT;
	o->w.keepalive = AXO_WRAP_KEEPALIVE;
	opterr = 0;
	/* "+": stop at the first operand, which for wrap is prog; ":":
	 * a missing argument is ':', not '?' */
	for (;;) {
		li = -1;
		c = getopt_long(argc, argv, "+:afhk:K:p:r:S:l:DR:A:E:F:P:u:", lo, &li);
		if (c == -1)
			break;
		if (c == 'h')
			axo_ropt_help(cmd);
		if (c == '?') {
			if (optopt != 0)
				axo_ropt_bad("unknown option -%c", optopt);
			axo_ropt_bad("unknown option %s", spelled(argv, 0, name,
			    sizeof name));
		}
		if (c == ':')
			axo_ropt_bad("option %s needs an argument", spelled(argv, optopt,
			    name, sizeof name));
		if (li >= 0)
			snprintf(name, sizeof name, "--%s", lo[li].name);
		else
			snprintf(name, sizeof name, "-%c", c);
		if ((c == FINGERPRINT && !isid) || (c == FORCE && isid))
			axo_ropt_bad("%s takes no option %s", cmd, name);
		if (c == FINGERPRINT || c == FORCE)
			c = 'f';
		if (strchr(allowed, c) == NULL)
			axo_ropt_bad("%s takes no option %s", cmd, name);
		/* each option at most once (minisign) */
		bit = 1u << (strchr(all, c) - all);
		if (seen & bit)
			axo_ropt_bad("option %s is given twice", name);
		seen |= bit;
		switch (c) {
		case 'a': o->armor = 1; break;
		case 'f':
			if (isid)
				o->fprint = 1;
			else
				o->force = 1;
			break;
		case 'I': o->io.insecure = 1; break;
		case 'k':
			if (!axo_scan_uint(optarg, 1023, &n))
				axo_ropt_bad("-k needs a file descriptor number: %s",
				    optarg);
			o->keyfd = (int)n;
			break;
		case 'K': o->keyfile = optarg; break;
		case 'p': o->peer = optarg; break;
		case 'r': o->role = optarg; break;
		case 'S': o->io.path = optarg; break;
		case 'D': o->dial = 1; break;
		case 'l':
		case 'E':
			if (!axo_scan_uint(optarg, 1023, &n) || n < 3)
				axo_ropt_usage();
			*(c == 'l' ? &o->w.listen_fd : &o->w.events_fd) = (int)n;
			break;
		case 'F':
			/* FD and FD+1, neither 6/7 (they pass on) nor 0-2 */
			if (!axo_scan_uint(optarg, 1022, &n) || n < 3 ||
			    (n >= 5 && n <= 7))
				axo_ropt_usage();
			o->w.stream_fd = (int)n;
			break;
		case 'R':
		case 'A':
			if (!axo_scan_uint(optarg, 86400, &n))
				axo_ropt_usage();
			*(c == 'R' ? &o->w.reconnect : &o->w.keepalive) =
			    (unsigned)n;
			o->have_keepalive |= c == 'A';
			break;
		case 'P':
			if (!axo_scan_uint(optarg, 1UL << 22, &n) || n < 2)
				axo_ropt_usage();
			o->w.watch_pid = (pid_t)n;
			break;
		case 'u':
			/* a tor of another user (axo-onion serve -u) */
			if (!axo_scan_uint(optarg, 4294967294UL, &n))
				axo_ropt_usage();
			o->w.peer_uid = (long)n;
			break;
		}
	}
	return optind;
}

