/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-ratchet: the Double Ratchet as key generator, filters and wrapper. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "ratchet.h"
#include "records.h"
#include "ropt.h"
#include "rstate.h"
#include "state.h"
#include "wrap.h"

/* axo-ratchet's own exit codes (axo-ratchet(1)). */
#define EXIT_NOTYET	97	/* bob cannot send before alice's first record */
#define EXIT_TOOLARGE	98	/* message or input too large */

/* Input of one decrypt run, all or nothing. */
#define DECRYPT_MAX	(16UL << 20)

static void
out(const void *buf, size_t len)
{
	if (axo_writeall(1, buf, len) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to write output");
}

static int
do_keygen(struct axo_ropt *o)
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
do_init(struct axo_ropt *o)
{
	struct axo_state_io kio;
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *sk, *key, peer[32];
	ssize_t n;
	size_t klen;
	int bob;

	if (o->role == NULL)
		axo_ropt_bad("init needs a role: -r alice or -r bob");
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
	axo_state_lock(&o->io, &lk, axo_rstate_marked(o->io.path) ? 0 : AXO_STATE_WAIT_MS,
	    0);
	axo_state_need_new(&o->io, o->force);
	axo_rstate_commit(&lk, r, o->force ? 0 : AXO_STATE_NOREPLACE);
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
do_encrypt(struct axo_ropt *o)
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
	r = axo_rstate_load(&o->io, AXO_RSTATE_UNLOCKED, NULL);
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
	r = axo_rstate_relock(&o->io, &lk, r, 0);
	if (!axo_ratchet_can_send(r)) {
		axo_state_unlock(&lk);
		axo_die(EXIT_NOTYET, "bob cannot send before he has "
		    "decrypted a record from alice");
	}
	rec = axo_xmalloc(AXO_FRAME_MAX);
	size = axo_frame_seal(r, rec, AXO_FRAME_DATA, msg, (size_t)n);
	axo_free(msg);
	axo_rstate_commit(&lk, r, 0);
	axo_free(r);
	if (o->armor) {
		/* the armor of a record is no secret: plain memory */
		line = axo_records_armor(rec, size, &alen);
		if (line == NULL)
			axo_diesys(AXO_EXIT_TEMP, "unable to allocate");
		out(line, alen);
		free(line);
	} else
		out(rec, size);
	axo_free(rec);
	return 0;
}

static int
do_decrypt(struct axo_ropt *o)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	unsigned char *in, *bin, *pt;
	size_t len, ptlen, nrec;
	ssize_t n;
	int rc;

	r = axo_rstate_load(&o->io, AXO_RSTATE_UNLOCKED, NULL);
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
		len = axo_records_unarmor(in, len, bin);
		if (len == (size_t)-1)
			axo_die(AXO_EXIT_NO, "input is not armored records");
	}
	r = axo_rstate_relock(&o->io, &lk, r, 0);
	pt = axo_xmalloc(len + AXO_FRAME_MAXBODY);
	rc = axo_records_open(r, bin, len, pt, &ptlen, &nrec);
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
	axo_rstate_commit(&lk, r, 0);
	axo_free(r);
	out(pt, ptlen);
	axo_free(pt);
	if (bin != in)
		free(bin);
	free(in);
	return 0;
}

static int
do_id(struct axo_ropt *o)
{
	static const char lbl[] = "axotor/v1 fingerprint";
	struct axo_ratchet *r;
	unsigned char fp[10];
	char hex[65];

	/* no lock: a state is only ever replaced whole; a running wrap's
	 * marker has the session id too */
	r = axo_rstate_load(&o->io, AXO_RSTATE_MARKER_OK, NULL);
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
do_wrap(struct axo_ropt *o, char **argv)
{
	struct axo_state_lock lk;
	struct axo_ratchet *r;
	int closefds[3], nclose = 0, rc, i;

	/* -F: fds 6/7 as they were given, before any of ours opened */
	for (i = 0; i < 2; i++)
		o->w.theirs[i] = fcntl(AXO_FD_NET_IN + i, F_GETFD) != -1;

	/* -D: the words up to "--" are the link program */
	if (o->dial) {
		for (i = 0; argv[i] != NULL && strcmp(argv[i], "--") != 0; i++)
			;
		if (i == 0 || argv[i] == NULL || argv[i + 1] == NULL)
			axo_ropt_bad("-D needs a link program, then --, then the program");
		argv[i] = NULL;
		o->w.dial = argv;
		argv += i + 1;
	}
	if (o->dial && o->w.listen_fd != -1)
		axo_ropt_bad("-l and -D go not together");
	/* -F: no first link on 6/7, so the links are all new ones */
	if (o->w.stream_fd != -1 && ((!o->dial && o->w.listen_fd == -1) ||
	    o->w.reconnect == 0))
		axo_ropt_bad("-F needs -l or -D, and -R above 0");
	if (o->w.stream_fd != -1 && o->w.events_fd != -1 &&
	    (o->w.events_fd == o->w.stream_fd ||
	    o->w.events_fd == o->w.stream_fd + 1 ||
	    o->w.events_fd == AXO_FD_NET_IN || o->w.events_fd == AXO_FD_NET_OUT))
		axo_ropt_bad("-E %d is one of prog's stream fds",
		    o->w.events_fd);
	/* without a way to a new link, nothing is kept to send again;
	 * keepalives only when asked for */
	if (!o->dial && o->w.listen_fd == -1) {
		o->w.reconnect = 0;
		if (!o->have_keepalive)
			o->w.keepalive = 0;
	}
	if (o->w.listen_fd != -1)
		axo_fd_need(o->w.listen_fd, "listening socket");
	r = axo_rstate_load(&o->io, AXO_RSTATE_UNLOCKED, NULL);
	axo_state_need_out(&o->io);
	if (o->w.stream_fd == -1) {
		axo_fd_need(AXO_FD_NET_IN, "network in");
		axo_fd_need(AXO_FD_NET_OUT, "network out");
	}
	axo_exec_check(argv[0]);
	if (o->w.dial != NULL)
		axo_exec_check(o->w.dial[0]);
	r = axo_rstate_relock(&o->io, &lk, r, 1);
	axo_rstate_mark(&lk, r);
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
	axo_rstate_commit(&lk, r, 0);
	axo_free(r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct axo_ropt o;
	const char *cmd;
	int i;

	axo_init("axo-ratchet");
	if (argc < 2)
		axo_ropt_usage();
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		axo_ropt_help(NULL);
	argc--, argv++;
	memset(&o, 0, sizeof o);
	axo_state_io_default(&o.io);
	o.cmd = cmd;
	if (strcmp(cmd, "keygen") == 0) {
		i = axo_ropt_parse(argc, argv, &o, "fSI");
		if (i != argc)
			axo_ropt_bad("unexpected operand: %s", argv[i]);
		return do_keygen(&o);
	}
	if (strcmp(cmd, "init") == 0) {
		i = axo_ropt_parse(argc, argv, &o, "rfkpKSI");
		if (i != argc)
			axo_ropt_bad("unexpected operand: %s", argv[i]);
		return do_init(&o);
	}
	if (strcmp(cmd, "encrypt") == 0 || strcmp(cmd, "decrypt") == 0) {
		i = axo_ropt_parse(argc, argv, &o, "aSI");
		if (i != argc)
			axo_ropt_bad("unexpected operand: %s", argv[i]);
		return cmd[0] == 'e' ? do_encrypt(&o) : do_decrypt(&o);
	}
	if (strcmp(cmd, "wrap") == 0) {
		i = axo_ropt_parse(argc, argv, &o, "SIlDRAEFPu");
		if (i == argc)
			axo_ropt_bad("wrap needs a program to run");
		return do_wrap(&o, argv + i);
	}
	if (strcmp(cmd, "id") == 0) {
		i = axo_ropt_parse(argc, argv, &o, "fSI");
		if (i != argc)
			axo_ropt_bad("unexpected operand: %s", argv[i]);
		return do_id(&o);
	}
	if (cmd[0] == '-')
		axo_ropt_bad("unknown option %.*s", (int)strcspn(cmd, "="), cmd);
	axo_ropt_bad("unknown command: %s", cmd);
}
