/* SPDX-License-Identifier: GPL-2.0-only */
/* axo.h: the internal API shared by the axo-* programs. */
#ifndef AXO_H
#define AXO_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/types.h>

/*
 * The exit-code table of the whole family (README, every man page).
 * 96-99 are each program's own protocol errors, documented on its page.
 */
#define AXO_EXIT_OK	0	/* success */
#define AXO_EXIT_NO	1	/* a definite no: bad MAC, mismatch */
#define AXO_EXIT_STATE	96	/* a state file that is not a valid state */
#define AXO_EXIT_PROTO0	96	/* 96-99: program-specific codes */
#define AXO_EXIT_USAGE	100	/* bad usage: options, operands, fds */
#define AXO_EXIT_TEMP	111	/* system or temporary failure */
#define AXO_EXIT_EXEC	126	/* chainload: PROG found, exec failed */
#define AXO_EXIT_NOENT	127	/* chainload: PROG not found */

/* The fds of the family (shared/STYLE.md "Program interface"). */
#define AXO_FD_STATE_IN		4
#define AXO_FD_STATE_OUT	5
#define AXO_FD_NET_IN		6
#define AXO_FD_NET_OUT		7

/*
 * proc.c: process set-up and messages.
 * axo_init: names the program for messages (errmsg_iam), turns core
 * dumps off (RLIMIT_CORE 0, PR_SET_DUMPABLE 0) so that no secret reaches
 * a disk through a crash, ignores SIGPIPE (writes report EPIPE), and
 * initialises libsodium.  Dies 111 on failure.
 */
void axo_init(const char *prog);

/*
 * axo_sig_catch: catch each signal of sigs (ending in 0) with handler,
 * and keep it blocked, so that it is only taken while the caller waits
 * in ppoll(..., orig): none is lost between a check of its flag and the
 * wait.  The mask from before is stored in *orig unless orig is NULL.
 */
void axo_sig_catch(const int *sigs, void (*handler)(int), sigset_t *orig);

/*
 * Messages follow "prog: fatal: what: why", lower case, no period, never
 * a secret.  They go to fd 2 (errmsg), never to stdout.
 */
__attribute__((noreturn, format(printf, 2, 3)))
void axo_die(int code, const char *fmt, ...);
/* as axo_die, with ": strerror(errno)" appended */
__attribute__((noreturn, format(printf, 2, 3)))
void axo_diesys(int code, const char *fmt, ...);
/* "prog: fatal: ..." without exiting, for a hint or usage line after */
__attribute__((format(printf, 1, 2)))
void axo_say_fatal(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void axo_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void axo_hint(const char *fmt, ...);
/* "prog: usage: USAGE", exit 100 */
__attribute__((noreturn))
void axo_usage(const char *usage);

/*
 * Whole-string unsigned parse: 1 and *n set when s is all digits and
 * fits in max, else 0.
 */
int axo_scan_uint(const char *s, unsigned long max, unsigned long *n);
/* Exactly 2*len hex digits into out: 1, else 0. */
int axo_scan_hex(const char *s, unsigned char *out, size_t len);
/* len bytes as 2*len lower-case hex digits and a NUL into out. */
void axo_fmt_hex(char *out, const unsigned char *in, size_t len);

/*
 * secmem.c: memory for secrets.  Guarded, locked, never swapped
 * (sodium_malloc); dies 111 when none can be had.  axo_free wipes.
 * When the memory cannot be locked (ulimit -l), a warning says so, once
 * a process: libsodium itself carries on silently.
 */
void *axo_xmalloc(size_t len);
void axo_free(void *p);

/*
 * fd.c: file descriptors.
 * axo_fd_need: dies 100 "missing fd N (what)" unless fd is open.
 * axo_fd_tmpfs: 1 if fd is on tmpfs or ramfs, 0 if not, -1 on error.
 * axo_fd_need_tmpfs: axo_fd_need, then dies 100 unless the fd is on
 * tmpfs/ramfs or insecure is set (--insecure-disk).  Pipes, sockets and
 * terminals pass: they are not a disk.
 */
void axo_fd_need(int fd, const char *what);
int axo_fd_tmpfs(int fd);
void axo_fd_need_tmpfs(int fd, const char *what, int insecure);

/*
 * Read fd to EOF into buf (at most max bytes).  Returns the length; -1
 * with errno EFBIG when there is more than max, or the read error.
 */
ssize_t axo_readall(int fd, unsigned char *buf, size_t max);
/* Read exactly len bytes: len, 0 at EOF before any byte, -1 otherwise
 * (errno EPIPE for a short read that hit EOF). */
ssize_t axo_readn(int fd, unsigned char *buf, size_t len);
/* Write all of buf, retrying on EINTR/EAGAIN-less partial writes: 0 or -1. */
int axo_writeall(int fd, const void *buf, size_t len);

/*
 * state.c: state files.  A state is read from one place and written to
 * another: by default fd 4 and fd 5 (opened by the shell on tmpfs), or a
 * path given with -S, read and then replaced atomically (PATH.new, then
 * rename).  Either way the place must be on tmpfs/ramfs unless insecure,
 * and a path must name a regular file, not a symbolic link.
 * Commit discipline (issue 11): a program reads, computes, authenticates,
 * commits the new state, and only then releases its output, so that a
 * crash loses output but never repeats a key; on failure it commits
 * nothing, and the old state stays valid.  With a path, every writer
 * holds an exclusive lock (axo_state_lock) from its read to its commit.
 */
struct axo_state_io {
	const char *path;	/* -S PATH, or NULL for fds */
	int in;			/* fd to read, default 4 */
	int out;		/* fd to write, default 5 */
	int insecure;		/* --insecure-disk */
	const char *what;	/* "state" or "key file", for messages */
};
void axo_state_io_default(struct axo_state_io *io);
/* Reads the whole state into buf (secure memory of max bytes) and
 * returns its length, taking no lock; dies 96 "state is too large" past
 * max, 100 for a missing fd, a symbolic link, a file that is not regular
 * (a FIFO) or not on tmpfs, 111 on I/O errors. */
size_t axo_state_load(const struct axo_state_io *io, unsigned char *buf,
    size_t max);
/* Checks, before any work, that the output place is usable: fd 5 open,
 * on tmpfs, not a terminal (dies 100). */
void axo_state_need_out(const struct axo_state_io *io);
/* For a new state (init, keygen): dies 100 if the path is a symbolic
 * link or not a regular file, or exists and force is 0. */
void axo_state_need_new(const struct axo_state_io *io, int force);
/*
 * The lock of a path: an OFD lock on PATH.new, waited for at most
 * wait_ms (then dies 111 "state PATH is in use"); PATH.new is emptied
 * under it.  With fds it does nothing, but with twice (a state written
 * again at the end, wrap) it dies 100 unless fd 5 is a regular file.
 * commit writes the state (fsync'd if insecure) and renames it onto PATH
 * (with NOREPLACE: dies 100 if PATH exists), releasing the lock; with
 * KEEP it takes the lock again for a second commit and returns -1 if
 * PATH was replaced by someone else in between.  With fds, commit writes
 * fd 5, the second time over the first.  unlock removes PATH.new
 * unwritten and releases.  Dies 111 on I/O errors.
 */
#define AXO_STATE_WAIT_MS	5000
#define AXO_STATE_NOREPLACE	1
#define AXO_STATE_KEEP		2
struct axo_state_lock {
	const struct axo_state_io *io;
	int fd;			/* PATH.new, locked, or -1 */
	int written;		/* fds: fd 5 written once already */
	char tmp[4096];		/* PATH.new */
};
void axo_state_lock(const struct axo_state_io *io, struct axo_state_lock *lk,
    int wait_ms, int twice);
int axo_state_commit(struct axo_state_lock *lk, const unsigned char *buf,
    size_t len, int flags);
void axo_state_unlock(struct axo_state_lock *lk);

/*
 * hkdf.c: HKDF-SHA256 (RFC 5869); libsodium 1.0.18 has none.
 * out_len at most 255*32.  salt may be NULL (then 32 zero bytes).
 */
void axo_hkdf_extract(unsigned char prk[32], const unsigned char *salt,
    size_t salt_len, const unsigned char *ikm, size_t ikm_len);
int axo_hkdf_expand(unsigned char *out, size_t out_len,
    const unsigned char prk[32], const unsigned char *info, size_t info_len);
int axo_hkdf(unsigned char *out, size_t out_len, const unsigned char *salt,
    size_t salt_len, const unsigned char *ikm, size_t ikm_len,
    const unsigned char *info, size_t info_len);

/*
 * deadline.c: time limits.  A deadline is axo_clock_ms() + a timeout.
 * axo_deadline_left: the milliseconds left, 0 when past (for poll).
 * axo_fd_wait: waits for events on fd until the deadline: 1 ready,
 * 0 timed out, -1 error (errno); EINTR is waited through.
 */
long long axo_clock_ms(void);
int axo_deadline_left(long long deadline);
int axo_fd_wait(int fd, short events, long long deadline);

/*
 * exec.c: chainloading.  Replaces the process with argv[0] searched on
 * PATH; when that fails, dies 127 (not found) or 126 (other failure).
 */
__attribute__((noreturn))
void axo_exec(char *const argv[]);
/* Dies as axo_exec would (127, 126) when prog is not an executable file,
 * searched on PATH as execvp does, but runs nothing: for a chainloader
 * that has to know before it commits to anything (wrap). */
void axo_exec_check(const char *prog);

/*
 * socks5.c: a SOCKS5 client (RFC 1928), no authentication, CONNECT with
 * the host name resolved by the proxy (ATYP 3), as Tor wants.  Connects
 * to the proxy at proxy_host:proxy_port (a numeric IPv4 address), asks it
 * for host:port, and returns the connected socket, or -1 with a message
 * for the user (the proxy's own reply code in words) in err.  Every read
 * is bounded by timeout_ms.  Implemented with the axo-onion issue.
 */
int axo_socks5_connect(const char *proxy_host, uint16_t proxy_port,
    const char *host, uint16_t port, unsigned timeout_ms, char *err,
    size_t errlen);

/* --- ratchet.c, frame.c: the Double Ratchet (axo-ratchet) --- */

/*
 * ratchet.c: the Double Ratchet with header encryption (Signal DR spec,
 * revision 1, §3 and §4), X25519, KDF_RK = HKDF-SHA256, KDF_CK =
 * HMAC-SHA256 with 0x01/0x02, XChaCha20-Poly1305 with random nonces for
 * headers and bodies, AD = the session id.  axotor(7) has every byte.
 */
#define AXO_RATCHET_MAX_SKIP	1000	/* keys skipped in one chain, §3.5 */
#define AXO_RATCHET_MAX_STORED	1000	/* skipped keys kept at most, §6.4 */
#define AXO_RATCHET_KEEP_STEPS	4	/* DH steps a skipped key survives:
					 * stored at s, gone at s + 5 */
#define AXO_RATCHET_HDR		40	/* header: dh 32, pn 4, n 4 */
#define AXO_RATCHET_EHDR	80	/* nonce 24, header 40, tag 16 */
#define AXO_RATCHET_OVERHEAD	(AXO_RATCHET_EHDR + 24 + 16)
#define AXO_RATCHET_KEYFILE	72	/* magic 8, secret key 32, public 32 */

struct axo_ratchet_skipped {
	unsigned char hk[32];
	uint32_t n;
	uint32_t step;		/* the receive step it was stored in */
	unsigned char mk[32];
};

/* The part of the state that one decryption replaces as a whole. */
struct axo_ratchet_core {
	unsigned char sid[32];	/* session id: AD of every AEAD */
	unsigned char role;	/* 0 alice (sends first), 1 bob */
	unsigned char flags;	/* AXO_RATCHET_HAVE_* */
	unsigned char dhs_sk[32], dhs_pk[32], dhr[32];
	unsigned char rk[32], cks[32], ckr[32];
	unsigned char hks[32], hkr[32], nhks[32], nhkr[32];
	uint32_t ns, nr, pn;
	uint32_t step;		/* DH ratchet steps taken on receipt */
};

struct axo_ratchet {
	struct axo_ratchet_core c;
	uint32_t nskipped;	/* oldest first */
	struct axo_ratchet_skipped skipped[AXO_RATCHET_MAX_STORED];
	/* scratch for one decryption, never saved */
	uint32_t nfresh;
	struct axo_ratchet_skipped fresh[2 * AXO_RATCHET_MAX_SKIP];
};
#define AXO_RATCHET_HAVE_DHR	0x01
#define AXO_RATCHET_HAVE_CKS	0x02
#define AXO_RATCHET_HAVE_CKR	0x04
#define AXO_RATCHET_HAVE_HKS	0x08
#define AXO_RATCHET_HAVE_HKR	0x10
#define AXO_RATCHET_IN_WRAP	0x80	/* the marker state of a running wrap */
#define AXO_RATCHET_STATE_FIXED	384
#define AXO_RATCHET_STATE_MAX	(AXO_RATCHET_STATE_FIXED + \
	AXO_RATCHET_MAX_STORED * 72)

/* Errors of axo_ratchet_decrypt, as negative numbers. */
#define AXO_RATCHET_EAUTH	1	/* does not authenticate (or replay) */
#define AXO_RATCHET_ESKIP	2	/* more than MAX_SKIP messages skipped */
#define AXO_RATCHET_EBODY	3	/* authentic, but a bad padding or type */

/* A new X25519 key pair as a key file (keygen). */
void axo_ratchet_keygen(unsigned char key[AXO_RATCHET_KEYFILE]);
/* The public key of a key file; -1 if it is not one. */
int axo_ratchet_keyfile_pub(const unsigned char *key, size_t len,
    unsigned char pub[32]);
/*
 * Initialise from the 32-byte session key sk.  alice needs bob's public
 * key (peer); bob his own key file (key, len).  -1 on a bad key file or a
 * low-order peer key.
 */
int axo_ratchet_init_alice(struct axo_ratchet *r, const unsigned char sk[32],
    const unsigned char peer[32]);
int axo_ratchet_init_bob(struct axo_ratchet *r, const unsigned char sk[32],
    const unsigned char *key, size_t len);
/* 1 when a message can be sent: bob has to hear from alice first. */
int axo_ratchet_can_send(const struct axo_ratchet *r);
/*
 * Encrypt pt (ptlen bytes, the padded body) into out, which takes
 * AXO_RATCHET_OVERHEAD + ptlen bytes.  The caller checks can_send.
 */
void axo_ratchet_encrypt(struct axo_ratchet *r, unsigned char *out,
    const unsigned char *pt, size_t ptlen);
/*
 * Decrypt in (inlen bytes: encrypted header and body) into pt, which
 * takes inlen - AXO_RATCHET_OVERHEAD bytes.  0, or -AXO_RATCHET_E*; on
 * an error r is unchanged and pt holds nothing.
 */
int axo_ratchet_decrypt(struct axo_ratchet *r, unsigned char *pt,
    const unsigned char *in, size_t inlen);
/* Serialise into buf (AXO_RATCHET_STATE_MAX bytes): the length. */
size_t axo_ratchet_save(const struct axo_ratchet *r, unsigned char *buf);
/* Parse and check a state: 0, 1 for the marker of a wrap (only sid and
 * role set), or -1 when it is not a valid state. */
int axo_ratchet_load(struct axo_ratchet *r, const unsigned char *buf,
    size_t len);
/* The marker of r: AXO_RATCHET_STATE_FIXED bytes into buf. */
size_t axo_ratchet_mark(const struct axo_ratchet *r, unsigned char *buf);

/*
 * frame.c: records on the wire.  A record is a 2-byte length, then the
 * ratchet message; its whole size is one of the buckets, 498 (Tor's relay
 * cell payload) times 1, 2, 4, ..., 128, so that lengths leak only the
 * bucket.  The body is a type byte, the data, and ISO/IEC 7816-4 padding
 * (sodium_pad) to the bucket.
 */
#define AXO_FRAME_CELL		498
#define AXO_FRAME_MAX		(AXO_FRAME_CELL * 128)	/* 63744 */
#define AXO_FRAME_MAXBODY	(AXO_FRAME_MAX - 2 - AXO_RATCHET_OVERHEAD)
#define AXO_FRAME_MAXDATA	(AXO_FRAME_MAXBODY - 2)	/* 63620 */
#define AXO_FRAME_DATA		0	/* type: data */
#define AXO_FRAME_END		1	/* type: end of stream */

/* The whole record size for len data bytes (0 when too large). */
size_t axo_frame_size(size_t len);
/* Seal type and data into one record at out (axo_frame_size(len)
 * bytes; data may lie inside out). */
size_t axo_frame_seal(struct axo_ratchet *r, unsigned char *out, int type,
    const unsigned char *data, size_t len);
/*
 * The size of the record starting at in, from its 2-byte prefix: 0 if
 * the prefix is not a bucket (then the stream is not ours).
 */
size_t axo_frame_peek(const unsigned char in[2]);
/*
 * Open the record in (inlen bytes, from axo_frame_peek).  On success
 * returns 0 with *type and the data at out (AXO_FRAME_MAXBODY bytes),
 * *len set; else -AXO_RATCHET_E*, and r is unchanged, but for EBODY: a
 * record that authenticates with a bad padding or type.
 */
int axo_frame_open(struct axo_ratchet *r, unsigned char *out, size_t *len,
    int *type, const unsigned char *in, size_t inlen);

/*
 * wrap.c: the chainloader loop of "axo-ratchet wrap": runs argv with its
 * fds 6/7 on plaintext pipes, and moves records over the network fds 6/7.
 * Returns the exit code for the program.
 */
int axo_wrap_run(struct axo_ratchet *r, char *const argv[], int close_fds[],
    int nclose);


/* --- smp.c: the Socialist Millionaire Protocol (axo-smp) --- */

/*
 * smp.c: OTR's SMP on ristretto255 (axotor(7) "SOCIALIST MILLIONAIRE
 * PROTOCOL").  The initiator calls new, step1, step3, step5; the
 * responder new, step2, step4.  Each message is the whole frame (u16
 * length included) of axo_smp_msglen(n) bytes.  A step returns 0, or -1
 * when the message is malformed, an element invalid or a proof false
 * (axo_smp_error says which, in words fit for a message); after -1 the
 * state is dead.  step4 and step5 set *match.  new hashes the compared
 * value from the session id, the initiator's and the responder's ids
 * (by role, not mine/theirs) and the secret; it returns NULL for sizes
 * out of range, and dies 111 without secure memory.  The state lives in
 * axo_xmalloc memory; axo_smp_free wipes it.
 */
#define AXO_SMP_VERSION		1
#define AXO_SMP_SID_MIN		16
#define AXO_SMP_SID_MAX		64
#define AXO_SMP_ID_MAX		255
#define AXO_SMP_SECRET_MAX	1024
#define AXO_SMP_MSG1_LEN	(4 + 6 * 32)	/* 196 */
#define AXO_SMP_MSG2_LEN	(4 + 11 * 32)	/* 356 */
#define AXO_SMP_MSG3_LEN	(4 + 8 * 32)	/* 260 */
#define AXO_SMP_MSG4_LEN	(4 + 3 * 32)	/* 100 */
#define AXO_SMP_MSG_MAX		AXO_SMP_MSG2_LEN
struct axo_smp;
struct axo_smp *axo_smp_new(int initiator, const unsigned char *sid,
    size_t sidlen, const unsigned char *id_init, size_t id_init_len,
    const unsigned char *id_resp, size_t id_resp_len,
    const unsigned char *secret, size_t secretlen);
size_t axo_smp_msglen(int n);
int axo_smp_step1(struct axo_smp *st, unsigned char out[AXO_SMP_MSG1_LEN]);
int axo_smp_step2(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG2_LEN]);
int axo_smp_step3(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG3_LEN]);
int axo_smp_step4(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG4_LEN], int *match);
int axo_smp_step5(struct axo_smp *st, const unsigned char *in, size_t inlen,
    int *match);
const char *axo_smp_error(const struct axo_smp *st);
void axo_smp_free(struct axo_smp *st);
/* 1 when p is the canonical encoding (bit 255 clear) of a ristretto255
 * element other than the identity: the check of every element received */
int axo_smp_element_ok(const unsigned char p[32]);

/* --- spake2.c, wormhole.c, ws.c: magic-wormhole (axo-pake) --- */

/*
 * spake2.c: symmetric SPAKE2 on Ed25519 as python-spake2 0.8 does it
 * (shared reference wormhole-protocol.md 6.2).  start: pw is the whole
 * code, id the appid; entropy is 64 bytes read big-endian as python's
 * entropy_f(64), or NULL for randombytes (only tests pass it).  msg is
 * 'S' || X*.  finish: 0 and the 32-byte key, or AXO_SPAKE2_EBAD (not a
 * symmetric message, not a valid point) or AXO_SPAKE2_EREFLECT (our own
 * message came back).  The struct holds secrets: put it in axo_xmalloc
 * memory and wipe it.
 */
#define AXO_SPAKE2_MSGLEN	33
#define AXO_SPAKE2_EBAD		(-1)
#define AXO_SPAKE2_EREFLECT	(-2)
struct axo_spake2 {
	unsigned char pw[32];		/* password scalar, little-endian */
	unsigned char x[32];		/* our secret scalar */
	unsigned char xs[32];		/* X*, our element */
	unsigned char pwhash[32];	/* SHA256(pw) */
	unsigned char idhash[32];	/* SHA256(idSymmetric) */
};
int axo_spake2_start(struct axo_spake2 *s, const unsigned char *pw,
    size_t pwlen, const unsigned char *id, size_t idlen,
    const unsigned char entropy[64], unsigned char msg[AXO_SPAKE2_MSGLEN]);
int axo_spake2_finish(struct axo_spake2 *s, const unsigned char *msg,
    size_t len, unsigned char key[32]);
void axo_spake2_wipe(struct axo_spake2 *s);
/* 1 when p is the canonical encoding of an Ed25519 point of the
 * prime-order subgroup other than the identity (finish's check of Y*) */
int axo_spake2_element_ok(const unsigned char p[32]);

/*
 * ws.c: a WebSocket client (RFC 6455) on libwslay, over a connected
 * stream socket.  Every call is bounded by the deadline (a CLOCK_MONOTONIC
 * time in ms, axo_clock_ms() + timeout).  Errors return -1 with the kind
 * in *err (AXO_WS_E*) and words in ws->why.
 * axo_ws_tcp: connects to a host (name or address) and port, -1 and
 * errno on failure.  axo_ws_open: the HTTP/1.1 upgrade (checks 101 and
 * Sec-WebSocket-Accept), then frames; NULL on failure.  axo_ws_attach:
 * frames only, no handshake (the fuzz target).  axo_ws_recv returns the
 * next whole text message (reassembled from fragments, pings answered)
 * in *msg (owned by ws, valid until the next call).
 */
#define AXO_WS_EIO	1	/* I/O error or connection closed */
#define AXO_WS_ETIME	2	/* deadline passed */
#define AXO_WS_EPROTO	3	/* bad handshake, bad frame, binary message */
struct axo_ws;
int axo_ws_tcp(const char *host, const char *port, long long deadline);
struct axo_ws *axo_ws_open(int fd, const char *host, const char *port,
    const char *path, long long deadline, int *err, char *why, size_t whylen);
struct axo_ws *axo_ws_attach(int fd);
int axo_ws_send(struct axo_ws *ws, const char *msg, size_t len,
    long long deadline);
int axo_ws_recv(struct axo_ws *ws, const char **msg, size_t *len,
    long long deadline);
const char *axo_ws_why(const struct axo_ws *ws);
int axo_ws_err(const struct axo_ws *ws);
void axo_ws_close(struct axo_ws *ws);
/* the server's handshake reply: 1 if it accepts key, else 0 (fuzzed) */
int axo_ws_check_reply(const char *reply, size_t len, const char *key);

/*
 * wormhole.c: the magic-wormhole mailbox client (reference sections 4-7)
 * as a state machine.  axo_wh_rx takes one message from the relay and
 * sends what follows through the send callback; it returns 0 or an
 * AXO_WH_E* code, with words in axo_wh_why.  The application phases
 * "0", "1", ... go out with axo_wh_queue (held until the peer's version
 * phase verified the key) and come in, in order and de-duplicated,
 * through axo_wh_next.  Outcome codes map to exit codes in axo-pake.c.
 */
#define AXO_WH_EPROTO	1	/* protocol violation by relay or peer */
#define AXO_WH_ERELAY	2	/* the relay said error */
#define AXO_WH_ECROWD	3	/* nameplate crowded */
#define AXO_WH_EPERM	4	/* relay wants a permission we lack */
#define AXO_WH_EMISMATCH 5	/* key confirmation failed: wrong code */
#define AXO_WH_EPEER	6	/* the peer sent {"error": ...} */
#define AXO_WH_ESYS	7	/* send callback or memory failed */
struct axo_wh;
typedef int (*axo_wh_send_fn)(void *arg, const char *json, size_t len);
typedef void (*axo_wh_say_fn)(void *arg, const char *motd);
struct axo_wh *axo_wh_new(const char *appid, const char *code,
    axo_wh_send_fn send, axo_wh_say_fn say, void *arg);
int axo_wh_rx(struct axo_wh *wh, const char *msg, size_t len);
int axo_wh_queue(struct axo_wh *wh, const unsigned char *data, size_t len);
/* queue the text offer {"offer": {"message": text}} of the wormhole
 * CLI (reference section 7): -1 when text is not UTF-8 */
int axo_wh_offer(struct axo_wh *wh, const unsigned char *text, size_t len);
/* the next in-order peer phase: 1 and *data (owned by wh), or 0 */
int axo_wh_next(struct axo_wh *wh, const unsigned char **data, size_t *len);
/* paired: the peer's PAKE message came (a key, not yet confirmed);
 * verified: a peer message opened with it */
int axo_wh_paired(const struct axo_wh *wh);
int axo_wh_verified(const struct axo_wh *wh);
int axo_wh_closed(const struct axo_wh *wh);
/* close {mailbox, mood}: happy, lonely, scary, errory */
int axo_wh_close(struct axo_wh *wh, const char *mood);
const char *axo_wh_why(const struct axo_wh *wh);
/* derive_key(key, purpose, len) of the PAKE key; -1 before the key */
int axo_wh_derive(const struct axo_wh *wh, const char *purpose,
    unsigned char *out, size_t len);
void axo_wh_free(struct axo_wh *wh);
/* the pieces, for the vectors: _key.py derive_key, derive_phase_key,
 * and encrypt_data with a chosen nonce */
void axo_wh_derive_key(unsigned char *out, size_t len,
    const unsigned char key[32], const char *purpose);
void axo_wh_phase_key(unsigned char out[32], const unsigned char key[32],
    const char *side, const char *phase);

/* --- torctl.c: tor's control port (axo-onion) --- */

/*
 * torctl.c: a client of tor's control port (torspec control-spec).  What
 * tor sends is untrusted: replies are parsed strictly (§2.3), bounded in
 * size and lines, and every wait is bounded by c->timeout_ms.  The
 * functions return 0, or one of the AXO_TORCTL_E* kinds with a message
 * for the user in c->err (tor's own text for a refusal; never a secret).
 */
#define AXO_TORCTL_REPLY_MAX	16384	/* bytes of one reply */
#define AXO_TORCTL_LINES_MAX	64	/* lines of one reply */
#define AXO_TORCTL_PATH_MAX	1024	/* a cookie file's path */
#define AXO_TORCTL_ESYS		(-1)	/* system error: 111 */
#define AXO_TORCTL_EPROTO	(-2)	/* malformed, oversized, cut reply */
#define AXO_TORCTL_EREFUSED	(-3)	/* tor said no (4xx/5xx), auth failed */
#define AXO_TORCTL_ETIME	(-4)	/* no reply in time: 111 */

struct axo_torctl_reply {
	int code;		/* the status code of every line */
	size_t nlines;
	char *line[AXO_TORCTL_LINES_MAX];	/* each line's text, in text */
	char text[AXO_TORCTL_REPLY_MAX];
};

struct axo_torctl {
	int fd;
	unsigned timeout_ms;	/* bound of each command (default 30 s) */
	size_t len;
	unsigned char buf[AXO_TORCTL_REPLY_MAX];
	/* called with each event (650) that arrives before a reply */
	void (*event)(void *arg, const struct axo_torctl_reply *r);
	void *arg;
	char err[512];
};

/*
 * One reply in buf[0..len): its length when complete (r filled: each
 * line's text after "NNN-", a "+" line's data joined to it with "\n"),
 * 0 when more bytes are needed, -1 with a message when malformed.
 */
int axo_torctl_parse_reply(const unsigned char *buf, size_t len,
    struct axo_torctl_reply *r, char *err, size_t errlen);
/*
 * Finds KEY=VALUE in a reply line's text (VALUE a word or a QuotedString,
 * §2.1.1, unescaped into out): 1 found, 0 absent, -1 malformed or longer
 * than outlen - 1.
 */
int axo_torctl_kv(const char *line, const char *key, char *out,
    size_t outlen);
void axo_torctl_init(struct axo_torctl *c);
int axo_torctl_open(struct axo_torctl *c, const char *host, uint16_t port);
void axo_torctl_close(struct axo_torctl *c);
/*
 * Authenticates (§3.5, §3.21, §3.24): with the password when one is
 * given (HASHEDPASSWORD); else SAFECOOKIE with cookie_path or the cookie
 * file tor names (tor's hash checked first); else plain COOKIE, only with
 * a cookie_path the user gave; else NULL when tor offers it.
 */
int axo_torctl_auth(struct axo_torctl *c, const char *cookie_path,
    const unsigned char *password, size_t pwlen);
/* Sends one command line; reads its reply, passing earlier events to
 * c->event.  A reply that is not 2xx is AXO_TORCTL_EREFUSED. */
int axo_torctl_cmd(struct axo_torctl *c, const char *cmd,
    struct axo_torctl_reply *r);
/* Reads the next reply within timeout_ms. */
int axo_torctl_read(struct axo_torctl *c, struct axo_torctl_reply *r,
    unsigned timeout_ms);
/* Reads the next reply, which must be an event (650). */
int axo_torctl_wait_event(struct axo_torctl *c, struct axo_torctl_reply *r,
    unsigned timeout_ms);
/* GETINFO key (§3.9): its value into out. */
int axo_torctl_getinfo(struct axo_torctl *c, const char *key, char *out,
    size_t outlen);

/*
 * onion.c: v3 addresses, client-auth keys and the credential record that
 * axo-onion publish writes and axo-onion auth reads (axotor(7)):
 *   "axo-onion-cred-v1" SP ADDRESS SP KEY LF
 * ADDRESS the 56-character v3 address without ".onion", KEY the
 * client-auth x25519 private key in padded base64 (44 characters), as
 * ONION_CLIENT_AUTH_ADD takes it; 120 bytes in all.
 */
#define AXO_ONION_CRED_MAGIC	"axo-onion-cred-v1"
#define AXO_ONION_ADDR_LEN	56
#define AXO_ONION_KEY_B64	44
#define AXO_ONION_CRED_LEN	(sizeof AXO_ONION_CRED_MAGIC - 1 + 1 + \
	AXO_ONION_ADDR_LEN + 1 + AXO_ONION_KEY_B64 + 1)
/* RFC 4648 base32, upper case, unpadded, and a NUL (out: 8*len/5 + 2). */
void axo_onion_base32(char *out, const unsigned char *in, size_t len);
/* 1 if s[0..len) looks like a v3 address (56 of [a-z2-7], version 3). */
int axo_onion_addr_ok(const char *s, size_t len);
void axo_onion_cred_fmt(char out[AXO_ONION_CRED_LEN + 1], const char *addr,
    const unsigned char sk[32]);
/* Strict: 1 and addr (57 bytes), b64 (45), sk filled, else 0. */
int axo_onion_cred_parse(const unsigned char *buf, size_t len, char *addr,
    char *b64, unsigned char sk[32]);

/*
 * socks5.c, beyond axo_socks5_connect (whose socket is close-on-exec and
 * blocking once connected).
 * axo_socks5_open: the same, and *rep is set to the proxy's reply code
 * (0x00-0xff) when the proxy gave one, -2 when the proxy broke the
 * protocol (a malformed reply, EOF within it), else -1 (a system error,
 * no reply in time); the message for the user is in err either way.
 * axo_socks5_parse_reply: the CONNECT reply in buf[0..len) (RFC 1928
 * section 6), untrusted: returns its whole length when complete, 0 when
 * more bytes are needed, -1 with a message when malformed.  *rep is set
 * as soon as the second byte is there.
 * axo_socks5_strrep: a reply code in words, tor's extended errors
 * (0xF0-0xF7, torspec socks-extensions) included.
 * axo_socks5_retryable: 1 for codes worth another try after a pause
 * (descriptor not found yet, a failed circuit), 0 for definite ones.
 */
int axo_socks5_open(const char *proxy_host, uint16_t proxy_port,
    const char *host, uint16_t port, unsigned timeout_ms, int *rep,
    char *err, size_t errlen);
int axo_socks5_parse_reply(const unsigned char *buf, size_t len, int *rep,
    char *err, size_t errlen);
const char *axo_socks5_strrep(int rep);
int axo_socks5_retryable(int rep);

/* --- chat.c, xfer.c, tui.c, chatloop.c: the chat window (axo-chat) --- */

/*
 * chat.c: the in-chat protocol (axotor(7) "CHAT PROTOCOL").  A message is
 * type u8, payload length u32 big-endian, payload; each type has its own
 * bounds, checked from the header alone.  Transfer ids are the offerer's,
 * never 0.
 */
#define AXO_CHAT_VERSION	1
#define AXO_CHAT_HDR		5
#define AXO_CHAT_NICK_MAX	64
#define AXO_CHAT_TEXT_MAX	4096
#define AXO_CHAT_NAME_MAX	255
#define AXO_CHAT_SAFE_MAX	200	/* a cleaned name, room for .part- */
#define AXO_CHAT_CHUNK_MAX	32768
#define AXO_CHAT_MSG_MAX	(AXO_CHAT_HDR + 4 + AXO_CHAT_CHUNK_MAX)
#define AXO_CHAT_FILE_MAX	(1ULL << 40)	/* 1 TiB an offer */
#define AXO_CHAT_HELLO		1	/* version u8, nick */
#define AXO_CHAT_MSG		2	/* text */
#define AXO_CHAT_QUIT		3	/* empty */
#define AXO_CHAT_OFFER		16	/* id, size u64, name */
#define AXO_CHAT_ACCEPT		17	/* id */
#define AXO_CHAT_REJECT		18	/* id: no, or stop sending */
#define AXO_CHAT_CHUNK		19	/* id, data */
#define AXO_CHAT_END		20	/* id, sha256 of the whole file */
#define AXO_CHAT_ABORT		21	/* id: the offerer gives up */

struct axo_chat_msg {
	int type;
	uint32_t id;
	uint64_t size;			/* OFFER */
	const unsigned char *data;	/* nick, text, name, chunk, hash */
	size_t len;
};
/*
 * One message at buf[0..len): its whole length when complete, 0 when more
 * bytes are needed (never more than AXO_CHAT_MSG_MAX in all), -1 with
 * words in err when malformed: unknown type, a length out of the type's
 * bounds, id 0, a nick or text that is not printable UTF-8 (no C0, DEL
 * or C1 control), a name with NUL, a size over AXO_CHAT_FILE_MAX.
 */
int axo_chat_parse(const unsigned char *buf, size_t len,
    struct axo_chat_msg *m, char *err, size_t errlen);
/* Builds a message at out (AXO_CHAT_MSG_MAX bytes): the id for types
 * from OFFER on, then a and b.  Returns its length. */
size_t axo_chat_put(unsigned char *out, int type, uint32_t id,
    const unsigned char *a, size_t alen, const unsigned char *b, size_t blen);
size_t axo_chat_put_offer(unsigned char *out, uint32_t id, uint64_t size,
    const char *name, size_t namelen);
/* One well-formed UTF-8 sequence (RFC 3629): its length, or 0. */
size_t axo_chat_utf8(const unsigned char *s, size_t n, uint32_t *cp);
/* 1 when s is well-formed UTF-8 without control characters. */
int axo_chat_text_ok(const unsigned char *s, size_t n);
/* s as printable text into out (NUL-terminated): ill-formed bytes and
 * controls dropped, tabs made spaces.  Returns the length. */
size_t axo_chat_clean(char *out, size_t outlen, const unsigned char *s,
    size_t n);
/* A peer's file name as a safe basename: the last component after any
 * / or \, without controls, ill-formed UTF-8 and leading dots or spaces,
 * at most AXO_CHAT_SAFE_MAX bytes, "file" when nothing is left. */
size_t axo_chat_safe_name(char out[AXO_CHAT_SAFE_MAX + 1],
    const unsigned char *s, size_t n);

/*
 * xfer.c: one file transfer.  Outgoing: send_open (a regular file, its
 * cleaned basename as the name offered), send_read (the next bytes,
 * hashed; -1 on a read error or a file that shrank), send_hash.
 * Incoming: recv_open creates DIR/.NAME.part-XXXXXXXX (O_EXCL, O_NOFOLLOW,
 * 0600) under the cleaned name; recv_write appends (AXO_XFER_EOVER past
 * the offered size); recv_finish checks the size (AXO_XFER_ESHORT) and
 * the SHA-256 (AXO_XFER_EHASH, file removed) and moves the file to NAME,
 * NAME.1, ... NAME.999 without replacing any (x->final).  close removes
 * an unfinished partial file; cleanup removes every one still open (for
 * exit paths).  step: 25, 50 or 75 when a new quarter is done, else 0.
 */
#define AXO_XFER_MAX	4	/* transfers at once in each direction */
#define AXO_XFER_EOVER	(-2)
#define AXO_XFER_ESHORT	(-3)
#define AXO_XFER_EHASH	(-4)
struct axo_xfer {
	uint32_t id;
	int state;		/* the session's */
	int out;		/* 1 outgoing, 0 incoming */
	int fd, dirfd;
	int step, placed;
	uint64_t size, done;
	void *hash;		/* crypto_hash_sha256_state */
	char name[AXO_CHAT_SAFE_MAX + 1];
	char part[AXO_CHAT_SAFE_MAX + 32];
	char final[AXO_CHAT_SAFE_MAX + 8];
};
int axo_xfer_send_open(struct axo_xfer *x, const char *path, uint32_t id,
    char *err, size_t errlen);
ssize_t axo_xfer_send_read(struct axo_xfer *x, unsigned char *buf,
    size_t max, char *err, size_t errlen);
void axo_xfer_send_hash(struct axo_xfer *x, unsigned char out[32]);
int axo_xfer_recv_open(struct axo_xfer *x, int dirfd, uint32_t id,
    uint64_t size, const unsigned char *name, size_t namelen, char *err,
    size_t errlen);
int axo_xfer_recv_write(struct axo_xfer *x, const unsigned char *data,
    size_t len, char *err, size_t errlen);
int axo_xfer_recv_finish(struct axo_xfer *x, const unsigned char hash[32],
    char *err, size_t errlen);
int axo_xfer_step(struct axo_xfer *x);
void axo_xfer_close(struct axo_xfer *x);
void axo_xfer_cleanup(void);

/*
 * tui.c: the chat window on the terminal (stdin, stdout): messages in a
 * scroll region, a status line (green, or red when SMP failed), the input
 * line at the bottom, drawn again after every message.  start makes the
 * terminal raw (-1 if it cannot); stop restores it and must be called on
 * every exit path.  print adds a line already clean of controls (PEER
 * and MINE lines are "<nick> text").  input feeds the bytes read from the
 * terminal; each finished line, or the answer ("y" or "n") to the
 * question that ask put in place of the input line, goes to fn.
 */
#define AXO_TUI_NOTE	0
#define AXO_TUI_PEER	1
#define AXO_TUI_MINE	2
#define AXO_TUI_LINE	0
#define AXO_TUI_ANSWER	1
typedef void (*axo_tui_fn)(void *arg, int kind, const char *line,
    size_t len);
int axo_tui_start(int red, const char *me, const char *peer);
void axo_tui_stop(void);
void axo_tui_print(int kind, const char *line);
void axo_tui_progress(const char *s);
void axo_tui_ask(const char *question);
void axo_tui_redraw(void);
void axo_tui_flush(void);
void axo_tui_input(const unsigned char *buf, size_t n, axo_tui_fn fn,
    void *arg);

/*
 * chatloop.c: the chat session on fds 6/7, the terminal or stdin/stdout
 * (axo-chat(1)).  Returns only through exit: 0 after a quit on either
 * side, 97 a malformed message, 98 a message out of place, 111 the
 * connection lost, 128+n a signal.
 */
struct axo_chat_opts {
	const char *me, *peer;	/* shown names, clean */
	int red;		/* the status line red: SMP failed */
	int dirfd;		/* where files go, or -1 */
	const char *dir;	/* its name, for messages */
	int yes;		/* accept offers without asking */
	int quiet;		/* no progress lines in line mode */
	int tui;		/* interactive */
	const char *verifier;	/* the PAKE verifier text, or NULL */
};
__attribute__((noreturn))
void axo_chat_run(const struct axo_chat_opts *o);

#endif
