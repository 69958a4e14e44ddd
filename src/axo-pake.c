/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-pake: carry one credential record over a magic-wormhole mailbox. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "axo.h"
#include "socks5.h"
#include "wormhole.h"
#include "ws.h"

#define USAGE "axo-pake send|recv [-dv] [-k fd] [-i fd] [-o fd] " \
	"[-K fd] [-V fd] [-a appid] [-r url] [-s host:port] [-t sec] " \
	"[-c sec] [--insecure-disk]"

#define DEF_APPID	"axotor/v1"

static const char *const opts_help[] = {
	"send | recv               give the record (send) or take it (recv)",
	"-k, --key-fd FD           the master key on FD (else the terminal)",
	"-i, --in FD               send: the record from FD (default stdin)",
	"-o, --out FD              recv: the record to FD (default stdout)",
	"-K, --key-out FD          the session key to FD (default 5)",
	"-v, --verify              print the verifier on stderr",
	"-V, --verify-fd FD        write the verifier in hex to FD",
	"-a, --appid APPID         the wormhole application id (axotor/v1)",
	"-r, --relay URL           the mailbox server, ws://host:port/path",
	"-s, --socks HOST:PORT     tor's SOCKS5 port (127.0.0.1:9050)",
	"-d, --direct              reach the relay without tor",
	"-t, --timeout SECONDS     wait at most this long for the peer (300)",
	"-c, --connect-timeout SECONDS  for reaching the relay (60)",
	"    --insecure-disk       allow the session key on a disk",
	"-h, --help                this help",
	NULL
};
#define DEF_RELAY	"ws://relay.magic-wormhole.io:4000/v1"
#define DEF_SOCKS	"127.0.0.1:9050"
#define PURPOSE		"axotor/v1/session"
#define TEXT_APPID	"lothar.com/wormhole/text-or-file-xfer"
#define MAXREC		65536	/* a credential record is a few hundred bytes */
#define MAXCODE		128

/* exit codes of axo-pake (man page EXIT STATUS) */
#define EX_PROTO	97	/* relay or peer broke the protocol; relay error */
#define EX_REFUSED	98	/* crowded nameplate, relay refuses service */
#define EX_TIMEOUT	99	/* a wait ran out */

static struct axo_wh *wh;
static struct axo_ws *ws;
static unsigned long conn_ms = 60000;
static int seen_peer;

static int
tx(void *arg, const char *json, size_t len)
{
	(void)arg;
	return axo_ws_send(ws, json, len, axo_clock_ms() + (long long)conn_ms);
}

static void
say(void *arg, const char *motd)
{
	char line[201];
	size_t i;

	(void)arg;
	/* A relay's words reach a terminal: no control bytes. */
	for (i = 0; motd[i] != '\0' && i < sizeof line - 1; i++)
		line[i] = (motd[i] >= 0x20 && motd[i] < 0x7f) ? motd[i] : '?';
	line[i] = '\0';
	axo_warn("relay says: %s", line);
}

/* best effort: close with mood, wait briefly for "closed", drop TCP */
static void
shut(const char *mood)
{
	long long dl;
	const char *m;
	size_t n;

	if (ws == NULL || wh == NULL || (axo_ws_err(ws) != 0 &&
	    axo_ws_err(ws) != AXO_WS_ETIME))
		return;
	if (axo_wh_close(wh, mood) != 0)
		return;
	dl = axo_clock_ms() + 2000;
	while (!axo_wh_closed(wh) && axo_ws_recv(ws, &m, &n, dl) == 0)
		(void)axo_wh_rx(wh, m, n);
}

__attribute__((noreturn))
static void
fail_wh(int r)
{
	const char *why = axo_wh_why(wh);

	switch (r) {
	case AXO_WH_EMISMATCH:
		/* _boss.py close_scared */
		shut("scary");
		axo_die(AXO_EXIT_NO, "%s", why);
	case AXO_WH_ECROWD:
		shut("errory");
		axo_die(EX_REFUSED, "%s", why);
	case AXO_WH_EPERM:
		shut("unwelcome");
		axo_die(EX_REFUSED, "%s", why);
	case AXO_WH_ESYS:
		shut("errory");
		axo_die(AXO_EXIT_TEMP, "%s", why);
	default:
		shut(r == AXO_WH_EPROTO && !axo_wh_verified(wh) ? "scary" :
		    "errory");
		axo_die(EX_PROTO, "%s", why);
	}
}

__attribute__((noreturn))
static void
fail_ws(const char *what)
{
	switch (axo_ws_err(ws)) {
	case AXO_WS_ETIME:
		shut(seen_peer ? "errory" : "lonely");
		axo_die(EX_TIMEOUT, "timed out %s", what);
	case AXO_WS_EPROTO:
		axo_die(EX_PROTO, "relay broke the websocket protocol: %s",
		    axo_ws_why(ws));
	default:
		axo_die(AXO_EXIT_TEMP, "lost the relay: %s", axo_ws_why(ws));
	}
}

/* one relay message into the state machine */
static void
pump(long long deadline, const char *what)
{
	const char *m;
	size_t n;
	int r;

	if (axo_ws_recv(ws, &m, &n, deadline) != 0)
		fail_ws(what);
	r = axo_wh_rx(wh, m, n);
	if (r != 0)
		fail_wh(r);
}

static unsigned long
num(const char *s, unsigned long max)
{
	unsigned long n;

	if (!axo_scan_uint(s, max, &n))
		axo_usage(USAGE);
	return n;
}

/* ws://host[:port][/path]: TLS (wss) is Tor's job here, not ours */
static void
parse_url(const char *url, char **host, char **port, char **path)
{
	const char *h, *e, *c;

	if (strncmp(url, "ws://", 5) != 0)
		axo_die(AXO_EXIT_USAGE, "bad relay url: want ws://host:port/path");
	h = url + 5;
	e = h + strcspn(h, "/");
	c = memchr(h, ':', (size_t)(e - h));
	if ((c ? c : e) == h)
		axo_die(AXO_EXIT_USAGE, "bad relay url: want ws://host:port/path");
	*host = strndup(h, (size_t)((c ? c : e) - h));
	*port = c ? strndup(c + 1, (size_t)(e - c - 1)) : strdup("80");
	*path = strdup(*e ? e : "/");
	if (!*host || !*port || !*path)
		axo_die(AXO_EXIT_TEMP, "out of memory");
	if (strcmp(*port, "0") == 0 || !axo_scan_uint(*port, 65535,
	    &(unsigned long){ 0 }))
		axo_die(AXO_EXIT_USAGE, "bad relay url: want ws://host:port/path");
}

static void
parse_hostport(const char *s, char **host, unsigned long *port)
{
	const char *c = strrchr(s, ':');

	if (c == NULL || c == s || !axo_scan_uint(c + 1, 65535, port) ||
	    *port == 0)
		axo_die(AXO_EXIT_USAGE, "bad socks address: want host:port");
	*host = strndup(s, (size_t)(c - s));
	if (*host == NULL)
		axo_die(AXO_EXIT_TEMP, "out of memory");
}

/* The master key, from fd or the terminal without echo; never argv. */
static char *
read_code(int fd)
{
	struct termios t, t0;
	char *code;
	ssize_t r;
	size_t len = 0, i;
	int tty = -1;

	code = axo_xmalloc(MAXCODE + 2);
	if (fd == -1) {
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty == -1) {
			axo_die(AXO_EXIT_USAGE,
			    "no terminal to read the master key from: use -k FD");
		}
		if (tcgetattr(tty, &t0) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read terminal settings");
		t = t0;
		t.c_lflag &= ~(tcflag_t)ECHO;
		t.c_lflag |= ICANON;
		(void)!write(tty, "master key: ", 12);
		if (tcsetattr(tty, TCSAFLUSH, &t) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to turn echo off");
		fd = tty;
	}
	/* up to a newline or EOF; a key that long is not a wormhole code */
	while (len < MAXCODE + 1) {
		r = read(fd, code + len, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read the master key");
		if (r == 0 || code[len] == '\n')
			break;
		len++;
	}
	if (tty != -1) {
		(void)tcsetattr(tty, TCSAFLUSH, &t0);
		(void)!write(tty, "\n", 1);
		close(tty);
	}
	if (len > 0 && code[len - 1] == '\r')
		len--;
	code[len] = '\0';
	/* _code.py validate_code: digits, "-", then no spaces */
	for (i = 0; i < len && code[i] >= '0' && code[i] <= '9'; i++)
		;
	if (len > MAXCODE || i == 0 || i > 16 || i + 1 >= len || code[i] != '-')
		goto bad;
	for (; i < len; i++)
		if (code[i] <= 0x20 || code[i] >= 0x7f)
			goto bad;
	return code;
bad:
	axo_die(AXO_EXIT_USAGE,
	    "bad master key: want digits, a hyphen and words, like 93-xyz1zy");
}

static void
put(int fd, const void *buf, size_t len, const char *what)
{
	if (axo_writeall(fd, buf, len) != 0)
		axo_diesys(AXO_EXIT_TEMP, "unable to write the %s", what);
}

struct opts {
	const char *appid, *relay, *socks;
	char *host, *port, *path, *phost;	/* from relay and socks */
	unsigned long pport, peer_ms;
	int sending, kfd, in, out, kout, vfd, verify, direct, insecure;
};

static void
options(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key-fd", required_argument, NULL, 'k' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "key-out", required_argument, NULL, 'K' },
		{ "verify", no_argument, NULL, 'v' },
		{ "verify-fd", required_argument, NULL, 'V' },
		{ "appid", required_argument, NULL, 'a' },
		{ "relay", required_argument, NULL, 'r' },
		{ "socks", required_argument, NULL, 's' },
		{ "direct", no_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect-timeout", required_argument, NULL, 'c' },
		{ "insecure-disk", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char seen[AXO_OPT_MAX] = { 0 };
	int c;

	memset(o, 0, sizeof *o);
	o->appid = DEF_APPID;
	o->relay = DEF_RELAY;
	o->socks = DEF_SOCKS;
	o->peer_ms = 300000;
	o->kfd = -1;
	o->out = 1;
	o->kout = AXO_FD_STATE_OUT;
	o->vfd = -1;
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		axo_help_opts(USAGE, opts_help);
	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		axo_usage(USAGE);
	o->sending = !strcmp(argv[1], "send");
	argv++;
	argc--;
	opterr = 0;	/* our usage line, not getopt's words */
	while ((c = getopt_long(argc, argv, "+k:i:o:K:vV:a:r:s:dt:c:h", lo,
	    NULL)) != -1) {
		axo_opt_once(seen, c, USAGE);
		switch (c) {
		case 'k': o->kfd = axo_opt_fd(optarg, USAGE); break;
		case 'i':
			if (!o->sending)
				axo_usage(USAGE);
			o->in = axo_opt_fd(optarg, USAGE);
			break;
		case 'o':
			if (o->sending)
				axo_usage(USAGE);
			o->out = axo_opt_fd(optarg, USAGE);
			break;
		case 'K': o->kout = axo_opt_fd(optarg, USAGE); break;
		case 'v': o->verify = 1; break;
		case 'V': o->vfd = axo_opt_fd(optarg, USAGE); break;
		case 'a': o->appid = optarg; break;
		case 'r': o->relay = optarg; break;
		case 's': o->socks = optarg; break;
		case 'd': o->direct = 1; break;
		case 't': o->peer_ms = num(optarg, 86400) * 1000; break;
		case 'c': conn_ms = num(optarg, 3600) * 1000; break;
		case 'D': o->insecure = 1; break;
		case 'h': axo_help_opts(USAGE, opts_help);
		default: axo_opt_bad(argv, "+k:i:o:K:vV:a:r:s:dt:c:h", lo, USAGE);
		}
	}
	if (optind != argc || o->peer_ms == 0 || conn_ms == 0 ||
	    (o->direct && seen['s']) || *o->appid == '\0')
		axo_usage(USAGE);
	parse_url(o->relay, &o->host, &o->port, &o->path);
	if (!o->direct)
		parse_hostport(o->socks, &o->phost, &o->pport);
	/* every fd checked before any work */
	if (o->kfd != -1)
		axo_fd_need(o->kfd, "master key");
	/* the record carries onion credentials: no disk for it either */
	if (o->sending)
		axo_fd_need(o->in, "record");
	else
		axo_fd_need_tmpfs(o->out, "record", o->insecure);
	axo_fd_need_tmpfs(o->kout, "session key", o->insecure);
	if (o->vfd != -1)
		axo_fd_need(o->vfd, "verifier");
}

/* send: the record, checked and queued before the relay is reached */
static void
offer(const struct opts *o)
{
	unsigned char *rec;
	ssize_t len;

	rec = axo_xmalloc(MAXREC);
	len = axo_readall(o->in, rec, MAXREC);
	if (len == -1 && errno == EFBIG)
		axo_die(AXO_EXIT_USAGE, "record too large: at most %d bytes",
		    MAXREC);
	if (len == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the record");
	if (len == 0)
		axo_die(AXO_EXIT_USAGE, "empty record");
	/* cmd_send.py _build_offer: {"offer": {"message": text}} */
	if (axo_wh_offer(wh, rec, (size_t)len) != 0)
		axo_die(AXO_EXIT_USAGE, "record is not UTF-8 text");
	axo_free(rec);
}

/* the relay: through tor's SOCKS5 (the name resolved by tor), or direct */
static void
reach(const struct opts *o, long long deadline)
{
	char err[256], why[256], iso[AXO_SOCKS5_ISO_LEN + 1];
	int fd, werr, rep, pause;

	if (o->direct) {
		fd = axo_ws_tcp(o->host, o->port, deadline);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to reach the relay %s:%s",
			    o->host, o->port);
	} else {
		/*
		 * A relay that is an onion may not be fetchable at once (tor's
		 * 0xF0 and kin): try again, as axo-onion connect does, until
		 * the deadline.
		 */
		for (pause = 250;; pause = pause < 1000 ? pause * 2 : 1000) {
			/* a circuit of its own each time, bounded: a stalled
			 * one is left for a new one (axo_socks5_open_iso) */
			axo_socks5_new_iso(iso);
			fd = axo_socks5_open_iso(o->phost, (uint16_t)o->pport,
			    o->host, (uint16_t)strtoul(o->port, NULL, 10),
			    axo_socks5_attempt_ms(axo_deadline_left(deadline),
			    conn_ms), iso, &rep, err, sizeof err);
			if (fd == -1 && rep == AXO_SOCKS5_STALL &&
			    axo_deadline_left(deadline) >= 1000) {
				axo_info("the relay: %s; again on a new circuit",
				    err);
				continue;
			}
			if (fd != -1 || rep < 0 || !axo_socks5_retryable(rep) ||
			    axo_deadline_left(deadline) <= pause)
				break;
			usleep((useconds_t)pause * 1000);
		}
		if (fd == -1)
			axo_die(AXO_EXIT_TEMP,
			    "unable to reach the relay %s:%s through %s: %s",
			    o->host, o->port, o->socks, err);
	}
	ws = axo_ws_open(fd, o->host, o->port, o->path, deadline, &werr, why,
	    sizeof why);
	if (ws == NULL) {
		if (werr == AXO_WS_ETIME)
			axo_die(EX_TIMEOUT, "timed out connecting to the relay");
		axo_die(werr == AXO_WS_EPROTO ? EX_PROTO : AXO_EXIT_TEMP,
		    "unable to open a websocket to the relay: %s", why);
	}
}

/* _receive.py W_got_verifier: the value wormhole --verify shows */
static void
tell_verifier(const struct opts *o)
{
	unsigned char ver[32];
	char hex[2 * sizeof ver + 2];

	(void)axo_wh_derive(wh, "wormhole:verifier", ver, sizeof ver);
	axo_fmt_hex(hex, ver, sizeof ver);
	if (o->verify)
		dprintf(2, "axo-pake: verifier: %s\n", hex);
	if (o->vfd != -1) {
		hex[2 * sizeof ver] = '\n';
		put(o->vfd, hex, 2 * sizeof ver + 1, "verifier");
	}
}

/* runs the mailbox until the peer's phase 0 is in: *j, a JSON object */
static json_t *
exchange(const struct opts *o)
{
	const unsigned char *data;
	long long deadline;
	size_t len;
	json_t *j;
	int told = 0;

	deadline = axo_clock_ms() + (long long)conn_ms;
	reach(o, deadline);
	/* the welcome comes at once; then the peer may take its time */
	pump(deadline, "waiting for the relay");
	deadline = axo_clock_ms() + (long long)o->peer_ms;
	while (!axo_wh_next(wh, &data, &len)) {
		pump(deadline, "waiting for the peer");
		seen_peer = axo_wh_paired(wh);
		if (!told && axo_wh_verified(wh)) {
			told = 1;
			tell_verifier(o);
		}
	}
	j = json_loadb((const char *)data, len, 0, NULL);
	if (!json_is_object(j)) {
		shut("errory");
		axo_die(EX_PROTO, "peer sent a bad message");
	}
	/* cmd_send.py, cmd_receive.py: either side may send an error */
	if (json_string_value(json_object_get(j, "error")) != NULL) {
		shut("errory");
		axo_die(EX_PROTO, "peer reported an error: %.160s",
		    json_string_value(json_object_get(j, "error")));
	}
	return j;
}

int
main(int argc, char **argv)
{
	struct opts o;
	unsigned char *skey;
	const char *txt;
	json_t *j, *m;
	char *code;

	axo_init("axo-pake");
	options(&o, argc, argv);
	code = read_code(o.kfd);
	wh = axo_wh_new(o.appid, code, tx, say, NULL);
	if (wh == NULL)
		axo_die(AXO_EXIT_TEMP, "out of memory");
	axo_free(code);
	if (o.sending)
		offer(&o);
	j = exchange(&o);
	skey = axo_xmalloc(32);
	/* the session key: derive_key of the PAKE key, not the master key */
	if (axo_wh_derive(wh, PURPOSE, skey, 32) != 0)
		axo_die(EX_PROTO, "no key");
	if (o.sending) {
		/* cmd_send.py _handle_answer: message_ack must be "ok" */
		txt = json_string_value(json_object_get(json_object_get(j,
		    "answer"), "message_ack"));
		if (txt == NULL && json_object_get(j, "offer") != NULL) {
			/* both sent an offer: both sides were started with
			 * send (axotor -s on both) */
			shut("errory");
			axo_die(EX_PROTO, "the peer sent an offer, not an "
			    "answer: it seems to be a server too (-s on both "
			    "sides?)");
		}
		if (txt == NULL || strcmp(txt, "ok") != 0) {
			shut("errory");
			axo_die(EX_PROTO, "peer sent a bad answer");
		}
		put(o.kout, skey, 32, "session key");
	} else {
		m = json_object_get(json_object_get(j, "offer"), "message");
		if (!json_is_string(m)) {
			/* cmd_receive.py: what we cannot take is refused */
			(void)axo_wh_queue(wh, (const unsigned char *)
			    "{\"error\": \"unknown offer type\"}", 31);
			shut("errory");
			axo_die(EX_PROTO, "peer sent no record (a file offer?)");
		}
		put(o.out, json_string_value(m), json_string_length(m), "record");
		put(o.kout, skey, 32, "session key");
		/* cmd_receive.py _handle_text: the sender waits for this */
		if (axo_wh_queue(wh, (const unsigned char *)
		    "{\"answer\": {\"message_ack\": \"ok\"}}", 33) != 0)
			fail_wh(AXO_WH_ESYS);
	}
	json_decref(j);
	axo_free(skey);
	shut("happy");
	axo_wh_free(wh);
	axo_ws_close(ws);
	free(o.host);
	free(o.port);
	free(o.path);
	free(o.phost);
	return 0;
}
