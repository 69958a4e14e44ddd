/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-ratchet: the Double Ratchet as key generator, filters and wrapper. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <textcode.h>

#include "axo.h"
#include "ratchet.h"
#include "state.h"
#include "wrap.h"

#define USAGE \
	"axo-ratchet keygen [-S file] [--insecure-disk]\n" \
	"       axo-ratchet init -r alice|bob [-k fd] [-p pubkey] [-K keyfile] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet encrypt [-a] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet decrypt [-a] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet wrap [-S file] [-l fd | -D dialprog... --] [-R seconds] [-A seconds] [-E fd] [-P pid] [--insecure-disk] prog...\n" \
	"       axo-ratchet id [-f] [-S file] [--insecure-disk]"

/* axo-ratchet's own exit codes (axo-ratchet(1)). */
#define EXIT_NOTYET	97	/* bob cannot send before alice's first record */
#define EXIT_TOOLARGE	98	/* message or input too large */

/* Input of one decrypt run, all or nothing. */
#define DECRYPT_MAX	(16UL << 20)

struct opts {
	struct axo_state_io io;
	int armor, fprint, keyfd;
	const char *role, *peer, *keyfile;
	struct axo_wrap_opts w;
	int dial, have_keepalive;
};

static void
usage(void)
{
	axo_usage(USAGE);
}

static int
parse(int argc, char **argv, struct opts *o, const char *allowed)
{
	static const struct option lo[] = {
		{ "armor", no_argument, NULL, 'a' },
		{ "fingerprint", no_argument, NULL, 'f' },
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
		{ "watch-pid", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char seen[AXO_OPT_MAX] = { 0 };
	unsigned long n;
	int c;

	memset(o, 0, sizeof *o);
	axo_state_io_default(&o->io);
	o->keyfd = 0;
	o->w.listen_fd = o->w.events_fd = -1;
	o->w.reconnect = AXO_WRAP_RECONNECT;
	o->w.keepalive = AXO_WRAP_KEEPALIVE;
	/* "+": stop at the first operand, which for wrap is prog. */
	opterr = 0;	/* our words, not getopt's */
	while ((c = getopt_long(argc, argv, "+afhk:K:p:r:S:l:DR:A:E:P:", lo, NULL))
	    != -1) {
		if (c == 'h')
			axo_help(USAGE);
		if (c == '?')
			axo_opt_bad(argv, "+afhk:K:p:r:S:l:DR:A:E:P:", lo, USAGE);
		if (strchr(allowed, c) == NULL)
			usage();
		axo_opt_once(seen, c, USAGE);
		switch (c) {
		case 'a': o->armor = 1; break;
		case 'f': o->fprint = 1; break;
		case 'I': o->io.insecure = 1; break;
		case 'k': o->keyfd = axo_opt_fd(optarg, USAGE); break;
		case 'K': o->keyfile = optarg; break;
		case 'p': o->peer = optarg; break;
		case 'r': o->role = optarg; break;
		case 'S': o->io.path = optarg; break;
		case 'D': o->dial = 1; break;
		case 'l':
		case 'E':
			if (!axo_scan_uint(optarg, 1023, &n) || n < 3)
				usage();
			*(c == 'l' ? &o->w.listen_fd : &o->w.events_fd) = (int)n;
			break;
		case 'R':
		case 'A':
			if (!axo_scan_uint(optarg, 86400, &n))
				usage();
			*(c == 'R' ? &o->w.reconnect : &o->w.keepalive) =
			    (unsigned)n;
			o->have_keepalive |= c == 'A';
			break;
		case 'P':
			if (!axo_scan_uint(optarg, 1UL << 22, &n) || n < 2)
				usage();
			o->w.watch_pid = (pid_t)n;
			break;
		}
	}
	return optind;
}

static struct axo_ratchet *
load(const struct axo_state_io *io)
{
	struct axo_ratchet *r;
	unsigned char *buf;
	size_t len;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	len = axo_state_load(io, buf, AXO_RATCHET_STATE_MAX);
	r = axo_xmalloc(sizeof *r);
	if (axo_ratchet_load(r, buf, len) != 0)
		axo_die(AXO_EXIT_STATE, "state is not a valid ratchet state");
	axo_free(buf);
	return r;
}

static void
save(const struct axo_state_io *io, const struct axo_ratchet *r)
{
	unsigned char *buf;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	axo_state_save(io, buf, axo_ratchet_save(r, buf));
	axo_free(buf);
}

static int
do_keygen(struct opts *o)
{
	unsigned char *key;
	char hex[65];

	axo_state_need_out(&o->io);
	key = axo_xmalloc(AXO_RATCHET_KEYFILE);
	axo_ratchet_keygen(key);
	axo_state_save(&o->io, key, AXO_RATCHET_KEYFILE);
	axo_fmt_hex(hex, key + 40, 32);
	axo_free(key);
	printf("%s\n", hex);
	if (fflush(stdout) != 0 || ferror(stdout))
		axo_diesys(AXO_EXIT_TEMP, "unable to write the public key");
	return 0;
}

static int
do_init(struct opts *o)
{
	struct axo_state_io kio;
	struct axo_ratchet *r;
	unsigned char *sk, *key, peer[32];
	ssize_t n;
	size_t klen;
	int bob;

	if (o->role == NULL)
		usage();
	if (strcmp(o->role, "alice") == 0)
		bob = 0;
	else if (strcmp(o->role, "bob") == 0)
		bob = 1;
	else
		axo_die(AXO_EXIT_USAGE, "role must be alice or bob: %s", o->role);
	if (bob && o->peer != NULL)
		axo_die(AXO_EXIT_USAGE, "-p is alice's: bob has his own key");
	if (!bob && o->keyfile != NULL)
		axo_die(AXO_EXIT_USAGE, "-K is bob's: alice needs -p");
	if (!bob && o->peer == NULL)
		axo_die(AXO_EXIT_USAGE, "alice needs bob's public key (-p)");
	if (!bob && !axo_scan_hex(o->peer, peer, 32))
		axo_die(AXO_EXIT_USAGE,
		    "public key must be 64 hex digits: %s", o->peer);
	axo_fd_need_tmpfs(o->keyfd, "session key", o->io.insecure);
	axo_state_need_out(&o->io);

	sk = axo_xmalloc(33);
	n = axo_readall(o->keyfd, sk, 33);
	if (n == -1 && errno != EFBIG)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the session key");
	if (n != 32)
		axo_die(AXO_EXIT_USAGE, "session key must be exactly 32 bytes");
	r = axo_xmalloc(sizeof *r);
	if (bob) {
		kio = o->io;
		kio.path = o->keyfile;
		key = axo_xmalloc(AXO_RATCHET_KEYFILE + 1);
		klen = axo_state_load(&kio, key, AXO_RATCHET_KEYFILE + 1);
		if (axo_ratchet_init_bob(r, sk, key, klen) != 0)
			axo_die(AXO_EXIT_STATE, "key file is not a valid key");
		axo_free(key);
	} else if (axo_ratchet_init_alice(r, sk, peer) != 0)
		axo_die(AXO_EXIT_USAGE, "public key is not a usable X25519 key");
	axo_free(sk);
	save(&o->io, r);
	axo_free(r);
	return 0;
}

static void
out(const void *buf, size_t len)
{
	if (axo_writeall(1, buf, len) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write output");
}

static int
do_encrypt(struct opts *o)
{
	struct axo_ratchet *r;
	unsigned char *msg, *rec;
	char *line;
	ssize_t n;
	size_t size, alen;

	if (!o->armor && isatty(1)) {
		axo_warn("refusing to write binary records to a terminal");
		axo_hint("use -a for armored text");
		exit(AXO_EXIT_USAGE);
	}
	r = load(&o->io);
	axo_state_need_out(&o->io);
	if (!axo_ratchet_can_send(r))
		axo_die(EXIT_NOTYET,
		    "bob cannot send before he has decrypted a record from alice");
	msg = axo_xmalloc(AXO_FRAME_MAXDATA + 1);
	n = axo_readall(0, msg, AXO_FRAME_MAXDATA);
	if (n == -1 && errno == EFBIG)
		axo_die(EXIT_TOOLARGE, "message too large: at most %d bytes",
		    AXO_FRAME_MAXDATA);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the message");
	rec = axo_xmalloc(AXO_FRAME_MAX);
	size = axo_frame_seal(r, rec, AXO_FRAME_DATA, msg, (size_t)n);
	axo_free(msg);
	/* Output first: exit 0 means record and state are both out. */
	if (o->armor) {
		line = malloc(fmt_base64(NULL, NULL, size) + 1);
		if (line == NULL)
			axo_diesys(AXO_EXIT_TEMP, "unable to allocate");
		alen = fmt_base64(line, (const char *)rec, size);
		line[alen++] = '\n';
		out(line, alen);
		free(line);
	} else
		out(rec, size);
	axo_free(rec);
	save(&o->io, r);
	axo_free(r);
	return 0;
}

/* Armored input: one base64 record a line; blank lines are skipped. */
static size_t
unarmor(unsigned char *in, size_t len, unsigned char *bin)
{
	size_t i = 0, j, blen = 0, got, used;

	while (i < len) {
		for (j = i; j < len && in[j] != '\n'; j++)
			;
		if (j > i && in[j - 1] == '\r')
			in[j - 1] = '\n';
		if (j > i) {
			used = scan_base64((const char *)in + i,
			    (char *)bin + blen, &got);
			if (i + used < j && in[i + used] != '\n')
				return (size_t)-1;
			blen += got;
		}
		i = j + 1;
	}
	return blen;
}

static int
do_decrypt(struct opts *o)
{
	struct axo_ratchet *r;
	unsigned char *in, *bin, *pt;
	size_t len, off, rlen, ptoff = 0, dlen, nrec = 0;
	ssize_t n;
	int rc, type;

	r = load(&o->io);
	axo_state_need_out(&o->io);
	in = axo_xmalloc(DECRYPT_MAX);
	n = axo_readall(0, in, DECRYPT_MAX);
	if (n == -1 && errno == EFBIG)
		axo_die(EXIT_TOOLARGE, "input too large: at most %lu bytes",
		    DECRYPT_MAX);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the input");
	len = (size_t)n;
	bin = in;
	if (o->armor) {
		bin = axo_xmalloc(len + 1);
		len = unarmor(in, len, bin);
		if (len == (size_t)-1)
			axo_die(AXO_EXIT_NO, "input is not armored records");
	}
	pt = axo_xmalloc(len + AXO_FRAME_MAXBODY);
	for (off = 0; off < len; off += rlen) {
		nrec++;
		rlen = len - off < 2 ? 0 : axo_frame_peek(bin + off);
		if (rlen == 0 || rlen > len - off)
			axo_die(AXO_EXIT_NO, "record %zu is malformed", nrec);
		rc = axo_frame_open(r, pt + ptoff, &dlen, &type, bin + off,
		    rlen);
		if (rc == -AXO_RATCHET_ESKIP)
			axo_die(AXO_EXIT_NO,
			    "record %zu skips more than %d messages", nrec,
			    AXO_RATCHET_MAX_SKIP);
		if (rc == -AXO_RATCHET_EBODY)
			axo_die(AXO_EXIT_NO,
			    "record %zu has a bad padding or type", nrec);
		if (rc != 0)
			axo_die(AXO_EXIT_NO, "record %zu does not authenticate",
			    nrec);
		if (type == AXO_FRAME_DATA)
			ptoff += dlen;
	}
	/* Every record authenticated: now, and only now, release. */
	out(pt, ptoff);
	save(&o->io, r);
	axo_free(pt);
	if (bin != in)
		axo_free(bin);
	axo_free(in);
	axo_free(r);
	return 0;
}

static int
do_id(struct opts *o)
{
	static const char lbl[] = "axotor/v1 fingerprint";
	struct axo_ratchet *r;
	unsigned char fp[10];
	char hex[65];

	r = load(&o->io);
	if (o->fprint) {
		crypto_generichash(fp, sizeof fp, r->c.sid, 32,
		    (const unsigned char *)lbl, sizeof lbl - 1);
		axo_fmt_hex(hex, fp, sizeof fp);
		printf("%.4s %.4s %.4s %.4s %.4s\n", hex, hex + 4, hex + 8,
		    hex + 12, hex + 16);
	} else {
		axo_fmt_hex(hex, r->c.sid, 32);
		printf("%s\n", hex);
	}
	axo_free(r);
	if (fflush(stdout) != 0 || ferror(stdout))
		axo_diesys(AXO_EXIT_TEMP, "unable to write output");
	return 0;
}

static int
do_wrap(struct opts *o, char **argv)
{
	static const int closefds[2] = { AXO_FD_STATE_IN, AXO_FD_STATE_OUT };
	struct axo_ratchet *r;
	int rc, i;

	/* -D: the words up to "--" are the link program */
	if (o->dial) {
		for (i = 0; argv[i] != NULL && strcmp(argv[i], "--") != 0; i++)
			;
		if (i == 0 || argv[i] == NULL || argv[i + 1] == NULL)
			usage();
		argv[i] = NULL;
		o->w.dial = argv;
		argv += i + 1;
	}
	if (o->dial && o->w.listen_fd != -1)
		usage();
	/* without a way to a new link, nothing is kept to send again;
	 * keepalives only when asked for */
	if (!o->dial && o->w.listen_fd == -1) {
		o->w.reconnect = 0;
		if (!o->have_keepalive)
			o->w.keepalive = 0;
	}
	if (o->w.listen_fd != -1)
		axo_fd_need(o->w.listen_fd, "listening socket");
	r = load(&o->io);
	axo_state_need_out(&o->io);
	axo_fd_need(AXO_FD_NET_IN, "network in");
	axo_fd_need(AXO_FD_NET_OUT, "network out");
	o->w.close_fds = closefds;
	o->w.nclose = o->io.path ? 0 : 2;
	rc = axo_wrap_run(r, argv, &o->w);
	/* Every record that moved was authenticated: keep the progress. */
	save(&o->io, r);
	axo_free(r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	const char *cmd;
	int i;

	axo_init("axo-ratchet");
	if (argc < 2)
		usage();
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		axo_help(USAGE);
	argc--, argv++;
	if (strcmp(cmd, "keygen") == 0) {
		i = parse(argc, argv, &o, "SI");
		if (i != argc)
			usage();
		return do_keygen(&o);
	}
	if (strcmp(cmd, "init") == 0) {
		i = parse(argc, argv, &o, "rkpKSI");
		if (i != argc)
			usage();
		return do_init(&o);
	}
	if (strcmp(cmd, "encrypt") == 0 || strcmp(cmd, "decrypt") == 0) {
		i = parse(argc, argv, &o, "aSI");
		if (i != argc)
			usage();
		return cmd[0] == 'e' ? do_encrypt(&o) : do_decrypt(&o);
	}
	if (strcmp(cmd, "wrap") == 0) {
		i = parse(argc, argv, &o, "SIlDRAEP");
		if (i == argc)
			usage();
		return do_wrap(&o, argv + i);
	}
	if (strcmp(cmd, "id") == 0) {
		i = parse(argc, argv, &o, "fSI");
		if (i != argc)
			usage();
		return do_id(&o);
	}
	usage();
}
