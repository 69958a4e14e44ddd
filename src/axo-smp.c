/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-smp: the Socialist Millionaire Protocol with a peer on fds 6 and 7. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "smp.h"

#define USAGE "axo-smp [-i] [-s fd] [-t seconds] [--id name] " \
	"[--peer-id name] --session-id hex"

#define EXIT_PROOF	97	/* malformed message or false proof */

static const char *const opts_help[] = {
	"-i, --initiator           send the first message",
	"-s, --secret-fd FD        read the secret from FD (else the terminal)",
	"-t, --timeout SECONDS     wait at most this long for each message (120)",
	"    --id NAME             our name, bound into the proofs",
	"    --peer-id NAME        the peer's name, bound into the proofs",
	"    --session-id HEX      the session's id, from axo-ratchet id (required)",
	"-h, --help                this help",
	NULL
};

static long timeout_ms = 120000;

/* The terminal, while its echo is off, so that a signal restores it. */
static int tty = -1;
static struct termios tty_old;

static void
tty_restore(int sig)
{
	tcsetattr(tty, TCSAFLUSH, &tty_old);
	(void)!write(tty, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Reads one line from the terminal with echo off, as signify and
 * minisign read passphrases.  Returns its length (newline excluded).
 */
static size_t
read_tty(unsigned char *buf, size_t max)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct termios t;
	size_t len = 0;
	ssize_t r;
	unsigned char c;
	size_t i;

	tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty == -1)
		axo_die(AXO_EXIT_USAGE,
		    "no terminal to read the secret from: use -s fd");
	if (tcgetattr(tty, &tty_old) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read terminal settings");
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], tty_restore);
	t = tty_old;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ICANON;
	if (tcsetattr(tty, TCSAFLUSH, &t) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to turn terminal echo off");
	(void)!write(tty, "secret: ", 8);
	for (;;) {
		r = read(tty, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (len < max)
			buf[len] = c;
		len++;
	}
	c = 0;
	tcsetattr(tty, TCSAFLUSH, &tty_old);
	(void)!write(tty, "\n", 1);
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	close(tty);
	if (r == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the secret");
	if (len > max)
		axo_die(AXO_EXIT_USAGE, "the secret is too long (over %d bytes)",
		    AXO_SMP_SECRET_MAX);
	return len;
}

/* Reads the secret from fd to its end; strips one trailing newline. */
static size_t
read_secret(int fd, unsigned char *buf, size_t max)
{
	ssize_t n;

	axo_fd_need(fd, "secret");
	n = axo_readall(fd, buf, max + 1);
	if (n == -1 && errno == EFBIG)
		axo_die(AXO_EXIT_USAGE, "the secret is too long (over %d bytes)",
		    AXO_SMP_SECRET_MAX);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the secret");
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if ((size_t)n > max)
		axo_die(AXO_EXIT_USAGE, "the secret is too long (over %d bytes)",
		    AXO_SMP_SECRET_MAX);
	return (size_t)n;
}

/* Reads into buf until it holds want bytes, waiting until deadline. */
static void
fill(int n, unsigned char *buf, size_t *got, size_t want, long long deadline)
{
	struct pollfd p = { AXO_FD_NET_IN, POLLIN, 0 };
	ssize_t r;

	while (*got < want) {
		if (axo_deadline_left(deadline) == 0)
			axo_die(AXO_EXIT_TEMP, "timed out waiting for message %d",
			    n);
		r = poll(&p, 1, axo_deadline_left(deadline));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to poll fd 6");
		if (r == 0)
			continue;
		r = read(AXO_FD_NET_IN, buf + *got, want - *got);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read message %d", n);
		if (r == 0) {
			if (*got == 0)
				axo_die(AXO_EXIT_TEMP,
				    "peer hung up before message %d", n);
			axo_die(AXO_EXIT_TEMP, "peer hung up in message %d", n);
		}
		*got += (size_t)r;
	}
}

/*
 * Reads message n: the u16 length first, refused unless it is the one
 * size of message n, so that no more than that is ever read; then the
 * rest.  Bytes after it are left unread.
 */
static void
recv_msg(int n, unsigned char *buf)
{
	size_t got = 0, want = axo_smp_msglen(n);
	long long deadline = axo_clock_ms() + timeout_ms;

	fill(n, buf, &got, 2, deadline);
	if (((size_t)buf[0] << 8 | buf[1]) != want - 2)
		axo_die(EXIT_PROOF, "message %d: bad length", n);
	fill(n, buf, &got, want, deadline);
}

static void
send_msg(int n, const unsigned char *buf)
{
	if (axo_writeall(AXO_FD_NET_OUT, buf, axo_smp_msglen(n)) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write message %d", n);
}

/* A failed step: the state is wiped before the message. */
static void
check(struct axo_smp *st, int r, int n)
{
	char why[128];

	if (r == 0)
		return;
	snprintf(why, sizeof why, "%s", axo_smp_error(st));
	axo_smp_free(st);
	axo_die(EXIT_PROOF, "message %d: %s", n, why);
}

int
main(int argc, char **argv)
{
	enum { OPT_SID = 256, OPT_ID, OPT_PEER };
	static const struct option longopts[] = {
		{ "initiator", no_argument, NULL, 'i' },
		{ "secret-fd", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "session-id", required_argument, NULL, OPT_SID },
		{ "id", required_argument, NULL, OPT_ID },
		{ "peer-id", required_argument, NULL, OPT_PEER },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char sid[AXO_SMP_SID_MAX], *secret;
	unsigned char in[AXO_SMP_MSG_MAX], out[AXO_SMP_MSG_MAX];
	const char *sidhex = NULL, *me = "", *peer = "";
	unsigned long secret_fd = 0, secs;
	unsigned char seen[AXO_OPT_MAX] = { 0 };
	int initiator = 0, have_fd = 0, c, match = 0;
	size_t sidlen, secretlen;
	struct axo_smp *st;

	axo_init("axo-smp");
	opterr = 0;	/* our words, not getopt's */
	while ((c = getopt_long(argc, argv, "is:t:h", longopts, NULL)) != -1) {
		axo_opt_once(seen, c, USAGE);
		switch (c) {
		case 'i':
			initiator = 1;
			break;
		case 's':
			if (!axo_scan_uint(optarg, 1000000, &secret_fd))
				axo_usage(USAGE);
			have_fd = 1;
			break;
		case 't':
			if (!axo_scan_uint(optarg, 86400, &secs) || secs == 0)
				axo_usage(USAGE);
			timeout_ms = (long)secs * 1000;
			break;
		case OPT_SID:
			sidhex = optarg;
			break;
		case OPT_ID:
			me = optarg;
			break;
		case OPT_PEER:
			peer = optarg;
			break;
		case 'h':
			axo_help_opts(USAGE, opts_help);
		default:
			axo_opt_bad(argv, "is:t:h", longopts, USAGE);
		}
	}
	if (optind != argc || sidhex == NULL)
		axo_usage(USAGE);
	sidlen = strlen(sidhex) / 2;
	if (sidlen < AXO_SMP_SID_MIN || sidlen > AXO_SMP_SID_MAX ||
	    !axo_scan_hex(sidhex, sid, sidlen))
		axo_die(AXO_EXIT_USAGE,
		    "the session id must be %d to %d bytes in hex",
		    AXO_SMP_SID_MIN, AXO_SMP_SID_MAX);
	if (strlen(me) > AXO_SMP_ID_MAX || strlen(peer) > AXO_SMP_ID_MAX)
		axo_die(AXO_EXIT_USAGE, "an id is longer than %d bytes",
		    AXO_SMP_ID_MAX);
	axo_fd_need(AXO_FD_NET_IN, "network input");
	axo_fd_need(AXO_FD_NET_OUT, "network output");

	secret = axo_xmalloc(AXO_SMP_SECRET_MAX + 1);
	if (have_fd)
		secretlen = read_secret((int)secret_fd, secret,
		    AXO_SMP_SECRET_MAX);
	else
		secretlen = read_tty(secret, AXO_SMP_SECRET_MAX);
	if (secretlen == 0)
		axo_die(AXO_EXIT_USAGE, "the secret is empty");
	/* The ids go in by role, so that both sides hash the same bytes. */
	st = axo_smp_new(initiator, sid, sidlen,
	    (const unsigned char *)(initiator ? me : peer),
	    strlen(initiator ? me : peer),
	    (const unsigned char *)(initiator ? peer : me),
	    strlen(initiator ? peer : me), secret, secretlen);
	axo_free(secret);
	if (st == NULL)
		axo_die(AXO_EXIT_USAGE, "bad session id, id or secret size");

	if (initiator) {
		check(st, axo_smp_step1(st, out), 1);
		send_msg(1, out);
		recv_msg(2, in);
		check(st, axo_smp_step3(st, in, axo_smp_msglen(2), out), 2);
		send_msg(3, out);
		recv_msg(4, in);
		check(st, axo_smp_step5(st, in, axo_smp_msglen(4), &match), 4);
	} else {
		recv_msg(1, in);
		check(st, axo_smp_step2(st, in, axo_smp_msglen(1), out), 1);
		send_msg(2, out);
		recv_msg(3, in);
		check(st, axo_smp_step4(st, in, axo_smp_msglen(3), out,
		    &match), 3);
		/* The initiator learns the result from message 4: send it
		 * whatever the outcome. */
		send_msg(4, out);
	}
	axo_smp_free(st);
	if (!match)
		axo_die(AXO_EXIT_NO, "the secrets differ");
	return AXO_EXIT_OK;
}
