/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-chat: the chat window (or line filter) on fds 6 and 7. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "axo.h"
#include "chat.h"
#include "chatloop.h"

#define USAGE "axo-chat [-n nick] [-p peernick] [-c green|red] [--verified] " \
	"[-d dir] [-y] [-V file] [-e fd] [-b fd] [--receipts] [-q]"

#define VERIFIER_MAX	1024

static const char *const opts_help[] = {
	"-n, --nick NICK           our nick (default me)",
	"-p, --peer NICK           the peer's nick as we show it (default peer)",
	"-c, --color green|red     the colour of the status line",
	"    --verified            SMP matched: \"verified (SMP)\" on the status line",
	"-d, --download-dir DIR    where received files go",
	"-y, --accept              accept every offer without asking",
	"-V, --verifier FILE       the verifier that .verify shows",
	"-e, --events-fd FD        the link events of axo-ratchet wrap",
	"-b, --files-fd FD         file data on FD and FD+1, its wrap's events on FD+2",
	"    --receipts            \"* delivered N\" lines in line mode",
	"-q, --quiet               no progress lines in line mode",
	"-h, --help                this help",
	NULL
};

static void
need_nick(const char *s, const char *what)
{
	size_t n = strlen(s);

	if (n == 0 || n > AXO_CHAT_NICK_MAX ||
	    !axo_chat_text_ok((const unsigned char *)s, n))
		axo_die(AXO_EXIT_USAGE, "%s must be 1 to %d bytes of printable "
		    "UTF-8", what, AXO_CHAT_NICK_MAX);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "nick", required_argument, NULL, 'n' },
		{ "peer", required_argument, NULL, 'p' },
		{ "color", required_argument, NULL, 'c' },
		{ "download-dir", required_argument, NULL, 'd' },
		{ "accept", no_argument, NULL, 'y' },
		{ "verifier", required_argument, NULL, 'V' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "events-fd", required_argument, NULL, 'e' },
		{ "files-fd", required_argument, NULL, 'b' },
		{ "receipts", no_argument, NULL, 'R' },
		{ "verified", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static char verifier[VERIFIER_MAX + 1];
	unsigned char raw[VERIFIER_MAX];
	struct axo_chat_opts o;
	const char *vfile = NULL;
	unsigned char seen[AXO_OPT_MAX] = { 0 };
	int c, fd;
	ssize_t n;

	axo_init("axo-chat");
	memset(&o, 0, sizeof o);
	o.me = "me";
	o.peer = "peer";
	o.dirfd = o.events_fd = o.files_fd = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "n:p:c:d:yV:qe:b:h", longopts,
	    NULL)) != -1) {
		axo_opt_once(seen, c, USAGE);
		switch (c) {
		case 'n':
			o.me = optarg;
			break;
		case 'p':
			o.peer = optarg;
			break;
		case 'c':
			if (!strcmp(optarg, "red"))
				o.red = 1;
			else if (strcmp(optarg, "green") != 0)
				axo_usage(USAGE);
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'y':
			o.yes = 1;
			break;
		case 'V':
			vfile = optarg;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'e':
			o.events_fd = axo_opt_fd(optarg, USAGE);
			break;
		case 'b':
			o.files_fd = axo_opt_fd(optarg, USAGE);
			break;
		case 'R':
			o.receipts = 1;
			break;
		case 'v':
			o.verified = 1;
			break;
		case 'h':
			axo_help_opts(USAGE, opts_help);
		default:
			axo_opt_bad(argv, "n:p:c:d:yV:qe:b:h", longopts, USAGE);
		}
	}
	if (optind != argc)
		axo_usage(USAGE);
	need_nick(o.me, "a nick");
	need_nick(o.peer, "a peer's nick");
	axo_fd_need(AXO_FD_NET_IN, "from the peer");
	axo_fd_need(AXO_FD_NET_OUT, "to the peer");
	if (o.events_fd != -1)
		axo_fd_need(o.events_fd, "link events");
	if (o.files_fd != -1) {
		/* three fds, none of the others (0-2, 6, 7, -e's) */
		if (o.files_fd < 3)
			axo_usage(USAGE);
		if (o.files_fd + 2 >= AXO_FD_NET_IN &&
		    o.files_fd <= AXO_FD_NET_OUT)
			axo_die(AXO_EXIT_USAGE, "-b %d takes fds %d to %d: "
			    "6 and 7 are the chat's", o.files_fd, o.files_fd,
			    o.files_fd + 2);
		if (o.events_fd >= o.files_fd && o.events_fd <= o.files_fd + 2)
			axo_die(AXO_EXIT_USAGE, "-e %d is one of -b's fds",
			    o.events_fd);
		axo_fd_need(o.files_fd, "file data from the peer");
		axo_fd_need(o.files_fd + 1, "file data to the peer");
		axo_fd_need(o.files_fd + 2, "the file stream's events");
	}
	o.tui = isatty(0) && isatty(1);

	if (vfile != NULL) {
		fd = open(vfile, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to open %s", vfile);
		n = axo_readall(fd, raw, sizeof raw);
		if (n == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read %s", vfile);
		close(fd);
		while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
			n--;
		axo_chat_clean(verifier, sizeof verifier, raw, (size_t)n);
		o.verifier = verifier;
	}
	/* Without -d an interactive user is asked for each file, which
	 * then goes into the current directory; a script gets none. */
	if (o.dir == NULL && o.tui)
		o.dir = ".";
	if (o.dir != NULL) {
		o.dirfd = open(o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (o.dirfd == -1)
			axo_diesys(AXO_EXIT_TEMP,
			    "unable to open download directory %s", o.dir);
	}
	axo_chat_run(&o);
}
