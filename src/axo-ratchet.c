/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-ratchet: the Double Ratchet as key generator, filters and wrapper. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
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
	"axo-ratchet keygen [-f] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet init -r alice|bob [-f] [-k fd] [-p pubkey] [-K keyfile] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet encrypt [-a] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet decrypt [-a] [-S file] [--insecure-disk]\n" \
	"       axo-ratchet wrap [-S file] [-l fd [-u uid]|-D dialprog... --] [-R seconds] [-A seconds] [-E fd] [-P pid] [--insecure-disk] prog...\n" \
	"       axo-ratchet id [-f] [-S file] [--insecure-disk]"

/* axo-ratchet's own exit codes (axo-ratchet(1)). */
#define EXIT_NOTYET	97	/* bob cannot send before alice's first record */
#define EXIT_TOOLARGE	98	/* message or input too large */

/* Input of one decrypt run, all or nothing. */
#define DECRYPT_MAX	(16UL << 20)

struct opts {
	const char *cmd;
	struct axo_state_io io;
	int armor, fprint, force, keyfd;
	const char *role, *peer, *keyfile;
	struct axo_wrap_opts w;
	int dial, have_keepalive;
};

__attribute__((noreturn))
static void
usage(void)
{
	axo_usage(USAGE);
}

/* "axo-ratchet: fatal: why", then the usage line; exit 100. */
__attribute__((noreturn, format(printf, 1, 2)))
static void
bad(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	axo_say_fatal("%s", why);
	usage();
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
static int
parse(int argc, char **argv, struct opts *o, const char *allowed)
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
		{ "watch-pid", required_argument, NULL, 'P' },
		{ "peer-uid", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	static const char all[] = "afkKprSIlDRAEPu";
	const char *cmd = o->cmd;
	unsigned seen = 0, bit;
	unsigned long n;
	char name[64];
	int c, li, isid = strcmp(cmd, "id") == 0;

	o->w.listen_fd = o->w.events_fd = -1;
	o->w.peer_uid = -1;
	o->w.reconnect = AXO_WRAP_RECONNECT;
	o->w.keepalive = AXO_WRAP_KEEPALIVE;
	opterr = 0;
	/* "+": stop at the first operand, which for wrap is prog; ":":
	 * a missing argument is ':', not '?' */
	for (;;) {
		li = -1;
		c = getopt_long(argc, argv, "+:afhk:K:p:r:S:l:DR:A:E:P:u:", lo, &li);
		if (c == -1)
			break;
		if (c == 'h') {
			printf("usage: %s\n", USAGE);
			exit(0);
		}
		if (c == '?') {
			if (optopt != 0)
				bad("unknown option -%c", optopt);
			bad("unknown option %s", spelled(argv, 0, name,
			    sizeof name));
		}
		if (c == ':')
			bad("option %s needs an argument", spelled(argv, optopt,
			    name, sizeof name));
		if (li >= 0)
			snprintf(name, sizeof name, "--%s", lo[li].name);
		else
			snprintf(name, sizeof name, "-%c", c);
		if ((c == FINGERPRINT && !isid) || (c == FORCE && isid))
			bad("%s takes no option %s", cmd, name);
		if (c == FINGERPRINT || c == FORCE)
			c = 'f';
		if (strchr(allowed, c) == NULL)
			bad("%s takes no option %s", cmd, name);
		/* each option at most once (minisign) */
		bit = 1u << (strchr(all, c) - all);
		if (seen & bit)
			bad("option %s is given twice", name);
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
				bad("-k needs a file descriptor number: %s",
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
		case 'u':
			/* a tor of another user (axo-onion serve -u) */
			if (!axo_scan_uint(optarg, 4294967294UL, &n))
				usage();
			o->w.peer_uid = (long)n;
			break;
		}
	}
	return optind;
}

/*
 * Reads and parses the state (axotor(7) "State file").  A wrap's marker
 * is refused unless mode is MARKER_OK (id): while its wrap runs, which
 * then holds the lock, as "in use" (111), else as the state of a session
 * that cannot go on (96).  With lk, the lock that we hold (LOCKED), which
 * a refusal lets go of first.
 */
enum { UNLOCKED, LOCKED, MARKER_OK };
static struct axo_ratchet *
load(const struct axo_state_io *io, int mode, struct axo_state_lock *held)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *buf;
	size_t len;
	int rc;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	len = axo_state_load(io, buf, AXO_RATCHET_STATE_MAX);
	r = axo_xmalloc(sizeof *r);
	rc = axo_ratchet_load(r, buf, len);
	axo_free(buf);
	if (rc != 0 && held != NULL && !(rc == 1 && mode == MARKER_OK))
		axo_state_unlock(held);
	if (rc < 0)
		axo_die(AXO_EXIT_STATE, "state is not a valid ratchet state");
	if (rc == 1 && mode != MARKER_OK) {
		if (io->path != NULL && mode == UNLOCKED) {
			/* dies 111 "in use" while its wrap runs */
			axo_state_lock(io, &lk, 0, 0);
			axo_state_unlock(&lk);
		}
		axo_say_fatal("state %s%swas left by a wrap that did not "
		    "finish: the session cannot go on",
		    io->path ? io->path : "", io->path ? " " : "");
		axo_hint("its keys may have been used: start a new session "
		    "(init -f)");
		_exit(AXO_EXIT_STATE);
	}
	return r;
}

/*
 * With -S, the state again, under the lock: the one that counts, for
 * another writer may have moved it on since the first look.
 */
static struct axo_ratchet *
relock(const struct axo_state_io *io, struct axo_state_lock *lk,
    struct axo_ratchet *r, int twice)
{
	axo_state_lock(io, lk, AXO_STATE_WAIT_MS, twice);
	if (io->path == NULL)
		return r;
	axo_free(r);
	return load(io, LOCKED, lk);
}

/* 1 when path holds a wrap's marker (its flags byte, axotor(7)): a lock
 * held on it is held for a session, not worth waiting for. */
static int
marked(const char *path)
{
	unsigned char head[42];
	ssize_t n;
	int fd;

	if (path == NULL ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) ==
	    -1)
		return 0;
	n = axo_readn(fd, head, sizeof head);
	close(fd);
	return n == (ssize_t)sizeof head && head[41] == AXO_RATCHET_IN_WRAP;
}

static int
commit(struct axo_state_lock *lk, const struct axo_ratchet *r, int flags)
{
	unsigned char *buf;
	int rc;

	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	rc = axo_state_commit(lk, buf, axo_ratchet_save(r, buf), flags);
	axo_free(buf);
	return rc;
}

static void
out(const void *buf, size_t len)
{
	if (axo_writeall(1, buf, len) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write output");
}

static int
do_keygen(struct opts *o)
{
	struct axo_state_lock lk;
	unsigned char *key;
	char hex[65];

	o->io.what = "key file";
	axo_state_need_out(&o->io);
	axo_state_need_new(&o->io, o->force);
	key = axo_xmalloc(AXO_RATCHET_KEYFILE);
	axo_ratchet_keygen(key);
	axo_state_lock(&o->io, &lk, AXO_STATE_WAIT_MS, 0);
	axo_state_need_new(&o->io, o->force);
	axo_state_commit(&lk, key, AXO_RATCHET_KEYFILE,
	    o->force ? 0 : AXO_STATE_NOREPLACE);
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
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *sk, *key, peer[32];
	ssize_t n;
	size_t klen;
	int bob;

	if (o->role == NULL)
		bad("init needs a role: -r alice or -r bob");
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
	axo_state_need_new(&o->io, o->force);

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
		kio.what = "key file";
		key = axo_xmalloc(AXO_RATCHET_KEYFILE + 1);
		klen = axo_state_load(&kio, key, AXO_RATCHET_KEYFILE + 1);
		if (axo_ratchet_init_bob(r, sk, key, klen) != 0)
			axo_die(AXO_EXIT_STATE, "key file is not a valid key");
		axo_free(key);
	} else if (axo_ratchet_init_alice(r, sk, peer) != 0)
		axo_die(AXO_EXIT_USAGE, "public key is not a usable X25519 key");
	axo_free(sk);
	axo_state_lock(&o->io, &lk, marked(o->io.path) ? 0 : AXO_STATE_WAIT_MS,
	    0);
	axo_state_need_new(&o->io, o->force);
	commit(&lk, r, o->force ? 0 : AXO_STATE_NOREPLACE);
	axo_free(r);
	return 0;
}

/*
 * encrypt and decrypt: the state first, then the output (issue 11).  A
 * crash between the two loses the output, which the peer sees as a
 * skipped message (encrypt) or which is not released (decrypt); it never
 * sends two messages under one key, nor releases a plaintext twice.
 */
static int
do_encrypt(struct opts *o)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *msg, *rec;
	char *line;
	ssize_t n;
	size_t size, alen;

	if (!o->armor && isatty(1)) {
		axo_say_fatal("refusing to write binary records to a terminal");
		axo_hint("use -a for armored text");
		exit(AXO_EXIT_USAGE);
	}
	r = load(&o->io, UNLOCKED, NULL);
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
	/* the message is in: now hold the state for as short as can be */
	r = relock(&o->io, &lk, r, 0);
	if (!axo_ratchet_can_send(r)) {
		axo_state_unlock(&lk);
		axo_die(EXIT_NOTYET, "bob cannot send before he has "
		    "decrypted a record from alice");
	}
	rec = axo_xmalloc(AXO_FRAME_MAX);
	size = axo_frame_seal(r, rec, AXO_FRAME_DATA, msg, (size_t)n);
	axo_free(msg);
	commit(&lk, r, 0);
	axo_free(r);
	if (o->armor) {
		/* the armor of a record is no secret: plain memory */
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

/*
 * One record of wrap's stream (axotor(7) "The stream of wrap"), opened
 * at pt + *ptoff: ACK and RESUME give nothing, STREAM its bytes past
 * those already taken (*pos, the stream position; -1 before the first),
 * so that what was sent again after a new link comes out once.  0, or
 * -AXO_RATCHET_EBODY for a malformed record or a gap.
 */
static int
stream_bytes(unsigned char *pt, size_t *ptoff, size_t dlen, int type,
    int64_t *pos)
{
	unsigned char *d = pt + *ptoff;
	uint64_t o = 0, skip;
	size_t n;
	int i;

	if (type != AXO_FRAME_STREAM)
		return dlen == 8 ? 0 : -AXO_RATCHET_EBODY;
	if (dlen < 17 || (d[16] & ~1) != 0 || ((d[16] & 1) && dlen != 17))
		return -AXO_RATCHET_EBODY;
	for (i = 8; i < 16; i++)
		o = o << 8 | d[i];
	if (*pos == -1)
		*pos = (int64_t)o;
	if (o > (uint64_t)*pos)
		return -AXO_RATCHET_EBODY;
	n = dlen - 17;
	if (d[16] & 1) {
		sodium_memzero(d, dlen);
		return 0;
	}
	skip = (uint64_t)*pos - o;
	if (skip < n) {
		memmove(d, d + 17 + skip, n - (size_t)skip);
		*ptoff += n - (size_t)skip;
		*pos += (int64_t)(n - skip);
	}
	sodium_memzero(pt + *ptoff, dlen - (skip < n ? n - (size_t)skip : 0));
	return 0;
}

static int
do_decrypt(struct opts *o)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *in, *bin, *pt;
	size_t len, off, rlen, ptoff = 0, dlen, nrec = 0;
	ssize_t n;
	int rc = 0, type;
	int64_t pos = -1;

	r = load(&o->io, UNLOCKED, NULL);
	axo_state_need_out(&o->io);
	/* records are no secret: plain memory, so that 16 MiB of input
	 * does not ask for 16 MiB of locked memory */
	in = malloc(DECRYPT_MAX);
	if (in == NULL)
		axo_diesys(AXO_EXIT_TEMP, "unable to allocate");
	n = axo_readall(0, in, DECRYPT_MAX);
	if (n == -1 && errno == EFBIG)
		axo_die(EXIT_TOOLARGE, "input too large: at most %lu bytes",
		    DECRYPT_MAX);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the input");
	len = (size_t)n;
	bin = in;
	if (o->armor) {
		bin = malloc(len + 1);
		if (bin == NULL)
			axo_diesys(AXO_EXIT_TEMP, "unable to allocate");
		len = unarmor(in, len, bin);
		if (len == (size_t)-1)
			axo_die(AXO_EXIT_NO, "input is not armored records");
	}
	r = relock(&o->io, &lk, r, 0);
	pt = axo_xmalloc(len + AXO_FRAME_MAXBODY);
	for (off = 0; off < len; off += rlen) {
		nrec++;
		rlen = len - off < 2 ? 0 : axo_frame_peek(bin + off);
		if (rlen == 0 || rlen > len - off) {
			rc = 1;
			break;
		}
		rc = axo_frame_open(r, pt + ptoff, &dlen, &type, bin + off,
		    rlen);
		if (rc != 0)
			break;
		/* END (type 1) carries nothing: its key is used, no output */
		if (type == AXO_FRAME_DATA)
			ptoff += dlen;
		/* a recording of wrap's stream gives its bytes, once each */
		else if (type != AXO_FRAME_END &&
		    (rc = stream_bytes(pt, &ptoff, dlen, type, &pos)) != 0)
			break;
	}
	if (rc != 0) {
		/* all or nothing: no state, no plaintext */
		axo_state_unlock(&lk);
		if (rc == 1)
			axo_die(AXO_EXIT_NO, "record %zu is malformed", nrec);
		if (rc == -AXO_RATCHET_ESKIP)
			axo_die(AXO_EXIT_NO,
			    "record %zu skips more than %d messages", nrec,
			    AXO_RATCHET_MAX_SKIP);
		if (rc == -AXO_RATCHET_EBODY)
			axo_die(AXO_EXIT_NO,
			    "record %zu has a bad padding or type", nrec);
		axo_die(AXO_EXIT_NO, "record %zu does not authenticate", nrec);
	}
	/* Every record authenticated: commit, and only then release. */
	commit(&lk, r, 0);
	axo_free(r);
	out(pt, ptoff);
	axo_free(pt);
	if (bin != in)
		free(bin);
	free(in);
	return 0;
}

static int
do_id(struct opts *o)
{
	static const char lbl[] = "axotor/v1 fingerprint";
	struct axo_ratchet *r;
	unsigned char fp[10];
	char hex[65];

	/* no lock: a state is only ever replaced whole; a running wrap's
	 * marker has the session id too */
	r = load(&o->io, MARKER_OK, NULL);
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

/*
 * wrap: a whole session in memory, so its state on disk is replaced,
 * before the first record, by a marker (AXO_RATCHET_IN_WRAP) that holds
 * no key and that every command but id refuses; the lock is held from
 * the first read to the last write.  When wrap ends, however it ends,
 * the real state replaces the marker.  Killed, wrap leaves the marker:
 * the session is over, and no key it may have used can be used again.
 * Everything that can fail before the session is checked before the
 * marker goes down, so that a typo does not end a session.
 *
 * What this asks of lib/wrap.c (axo_wrap_run): run the session on r in
 * memory and return its exit code on every path after the first record,
 * never save or touch the state itself (no fd 4/5, no path); leave in r
 * every key it used, sealed or opened, for the state written here; close
 * close_fds[] (the lock's fd, or fds 4 and 5) in every child it starts,
 * and start none that outlives it holding the lock.  If it dies instead
 * of returning, the marker stays: safe, but the session is lost.
 */
static int
do_wrap(struct opts *o, char **argv)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *buf;
	int closefds[3], nclose = 0, rc, i;

	/* -D: the words up to "--" are the link program */
	if (o->dial) {
		for (i = 0; argv[i] != NULL && strcmp(argv[i], "--") != 0; i++)
			;
		if (i == 0 || argv[i] == NULL || argv[i + 1] == NULL)
			bad("-D needs a link program, then --, then the program");
		argv[i] = NULL;
		o->w.dial = argv;
		argv += i + 1;
	}
	if (o->dial && o->w.listen_fd != -1)
		bad("-l and -D go not together");
	/* without a way to a new link, nothing is kept to send again;
	 * keepalives only when asked for */
	if (!o->dial && o->w.listen_fd == -1) {
		o->w.reconnect = 0;
		if (!o->have_keepalive)
			o->w.keepalive = 0;
	}
	if (o->w.listen_fd != -1)
		axo_fd_need(o->w.listen_fd, "listening socket");
	r = load(&o->io, UNLOCKED, NULL);
	axo_state_need_out(&o->io);
	axo_fd_need(AXO_FD_NET_IN, "network in");
	axo_fd_need(AXO_FD_NET_OUT, "network out");
	axo_exec_check(argv[0]);
	if (o->w.dial != NULL)
		axo_exec_check(o->w.dial[0]);
	r = relock(&o->io, &lk, r, 1);
	buf = axo_xmalloc(AXO_RATCHET_STATE_MAX);
	if (axo_state_commit(&lk, buf, axo_ratchet_mark(r, buf),
	    AXO_STATE_KEEP) != 0) {
		axo_state_unlock(&lk);
		axo_die(AXO_EXIT_TEMP, "state %s was replaced while wrap "
		    "was starting", o->io.path);
	}
	axo_free(buf);
	/* the children (the program, the link program) get no state fd
	 * and no lock (the lock fd is close-on-exec too) */
	if (o->io.path == NULL) {
		closefds[nclose++] = o->io.in;
		closefds[nclose++] = o->io.out;
	} else
		closefds[nclose++] = lk.fd;
	o->w.close_fds = closefds;
	o->w.nclose = nclose;
	rc = axo_wrap_run(r, argv, &o->w);
	/* Every record that moved was authenticated: keep the progress. */
	commit(&lk, r, 0);
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
	memset(&o, 0, sizeof o);
	axo_state_io_default(&o.io);
	o.cmd = cmd;
	if (strcmp(cmd, "keygen") == 0) {
		i = parse(argc, argv, &o, "fSI");
		if (i != argc)
			bad("unexpected operand: %s", argv[i]);
		return do_keygen(&o);
	}
	if (strcmp(cmd, "init") == 0) {
		i = parse(argc, argv, &o, "rfkpKSI");
		if (i != argc)
			bad("unexpected operand: %s", argv[i]);
		return do_init(&o);
	}
	if (strcmp(cmd, "encrypt") == 0 || strcmp(cmd, "decrypt") == 0) {
		i = parse(argc, argv, &o, "aSI");
		if (i != argc)
			bad("unexpected operand: %s", argv[i]);
		return cmd[0] == 'e' ? do_encrypt(&o) : do_decrypt(&o);
	}
	if (strcmp(cmd, "wrap") == 0) {
		i = parse(argc, argv, &o, "SIlDRAEPu");
		if (i == argc)
			bad("wrap needs a program to run");
		return do_wrap(&o, argv + i);
	}
	if (strcmp(cmd, "id") == 0) {
		i = parse(argc, argv, &o, "fSI");
		if (i != argc)
			bad("unexpected operand: %s", argv[i]);
		return do_id(&o);
	}
	bad("unknown command: %s", cmd);
}
