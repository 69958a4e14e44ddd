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

#define USAGE "axo-pake send|recv [-dv] [-k fd] [-i fd] [-o fd] " \
	"[-K fd] [-V fd] [-a appid] [-r url] [-s host:port] [-t sec] " \
	"[-c sec] [--insecure-disk]"

#define DEF_APPID	"axotor/v1"
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
	return axo_ws_send(ws, json, len, axo_ws_now() + (long long)conn_ms);
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
	dl = axo_ws_now() + 2000;
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

static int
fdarg(const char *s)
{
	return (int)num(s, 1023);
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

int
main(int argc, char **argv)
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
	const char *appid = DEF_APPID, *relay = DEF_RELAY, *socks = DEF_SOCKS;
	char *host, *port, *path, *phost, *code, err[256], why[256];
	char vhex[65];
	unsigned char *rec = NULL, *skey, ver[32];
	const unsigned char *data;
	unsigned long peer_ms = 300000, pport;
	int c, sending, kfd = -1, in = 0, out = 1, kout = AXO_FD_STATE_OUT;
	int vfd = -1, verify = 0, direct = 0, insecure = 0, werr;
	int fd, told = 0;
	unsigned char seen[128] = { 0 };
	long long deadline;
	ssize_t rlen = 0;
	size_t len;
	json_t *j, *o;
	const char *txt;

	axo_init("axo-pake");
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: %s\n", USAGE);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		axo_usage(USAGE);
	sending = !strcmp(argv[1], "send");
	argv++;
	argc--;
	opterr = 0;	/* our usage line, not getopt's words */
	while ((c = getopt_long(argc, argv, "+k:i:o:K:vV:a:r:s:dt:c:h", lo,
	    NULL)) != -1) {
		/* each option once (minisign) */
		if (c > 0 && c < 128 && c != '?' && c != 'h') {
			if (seen[c])
				axo_usage(USAGE);
			seen[c] = 1;
		}
		switch (c) {
		case 'k': kfd = fdarg(optarg); break;
		case 'i':
			if (!sending)
				axo_usage(USAGE);
			in = fdarg(optarg);
			break;
		case 'o':
			if (sending)
				axo_usage(USAGE);
			out = fdarg(optarg);
			break;
		case 'K': kout = fdarg(optarg); break;
		case 'v': verify = 1; break;
		case 'V': vfd = fdarg(optarg); break;
		case 'a': appid = optarg; break;
		case 'r': relay = optarg; break;
		case 's': socks = optarg; break;
		case 'd': direct = 1; break;
		case 't': peer_ms = num(optarg, 86400) * 1000; break;
		case 'c': conn_ms = num(optarg, 3600) * 1000; break;
		case 'D': insecure = 1; break;
		case 'h':
			printf("usage: %s\n", USAGE);
			return 0;
		default: axo_usage(USAGE);
		}
	}
	if (optind != argc || peer_ms == 0 || conn_ms == 0 ||
	    (direct && seen['s']) || *appid == '\0')
		axo_usage(USAGE);
	parse_url(relay, &host, &port, &path);
	phost = NULL;
	pport = 0;
	if (!direct)
		parse_hostport(socks, &phost, &pport);
	/* every fd checked before any work */
	if (kfd != -1)
		axo_fd_need(kfd, "master key");
	axo_fd_need(sending ? in : out, "record");
	axo_fd_need_tmpfs(kout, "session key", insecure);
	if (vfd != -1)
		axo_fd_need(vfd, "verifier");

	code = read_code(kfd);
	wh = axo_wh_new(appid, code, tx, say, NULL);
	if (wh == NULL)
		axo_die(AXO_EXIT_TEMP, "out of memory");
	axo_free(code);
	if (sending) {
		rec = axo_xmalloc(MAXREC);
		rlen = axo_readall(in, rec, MAXREC);
		if (rlen == -1 && errno == EFBIG)
			axo_die(AXO_EXIT_USAGE, "record too large: at most %d bytes",
			    MAXREC);
		if (rlen == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read the record");
		if (rlen == 0)
			axo_die(AXO_EXIT_USAGE, "empty record");
		/* cmd_send.py _build_offer: {"offer": {"message": text}} */
		if (axo_wh_offer(wh, rec, (size_t)rlen) != 0)
			axo_die(AXO_EXIT_USAGE, "record is not UTF-8 text");
		axo_free(rec);
	}

	/* the relay: through tor's SOCKS5 (hostname resolved by tor), or not */
	deadline = axo_ws_now() + (long long)conn_ms;
	if (direct) {
		fd = axo_ws_tcp(host, port, deadline);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to reach the relay %s:%s",
			    host, port);
	} else {
		fd = axo_socks5_connect(phost, (uint16_t)pport, host,
		    (uint16_t)strtoul(port, NULL, 10), (unsigned)conn_ms, err,
		    sizeof err);
		if (fd == -1)
			axo_die(AXO_EXIT_TEMP,
			    "unable to reach the relay %s:%s through %s: %s",
			    host, port, socks, err);
	}
	ws = axo_ws_open(fd, host, port, path, deadline, &werr, why, sizeof why);
	if (ws == NULL) {
		if (werr == AXO_WS_ETIME)
			axo_die(EX_TIMEOUT, "timed out connecting to the relay");
		axo_die(werr == AXO_WS_EPROTO ? EX_PROTO : AXO_EXIT_TEMP,
		    "unable to open a websocket to the relay: %s", why);
	}
	/* the welcome comes at once; then the peer may take its time */
	pump(deadline, "waiting for the relay");
	deadline = axo_ws_now() + (long long)peer_ms;
	for (;;) {
		if (axo_wh_next(wh, &data, &len))
			break;
		pump(deadline, "waiting for the peer");
		seen_peer = axo_wh_paired(wh);
		if (!told && axo_wh_verified(wh)) {
			told = 1;
			/* _receive.py W_got_verifier: as wormhole --verify */
			axo_wh_derive(wh, "wormhole:verifier", ver, sizeof ver);
			axo_fmt_hex(vhex, ver, sizeof ver);
			if (verify)
				dprintf(2, "axo-pake: verifier: %s\n", vhex);
			if (vfd != -1) {
				vhex[64] = '\n';
				put(vfd, vhex, 65, "verifier");
			}
		}
	}
	/* data is the peer's first app message (phase "0") */
	j = json_loadb((const char *)data, len, 0, NULL);
	if (!json_is_object(j)) {
		shut("errory");
		axo_die(EX_PROTO, "peer sent a bad message");
	}
	txt = json_string_value(json_object_get(j, "error"));
	if (txt != NULL) {
		shut("errory");
		axo_die(EX_PROTO, "peer reported an error: %.160s", txt);
	}
	skey = axo_xmalloc(32);
	if (axo_wh_derive(wh, PURPOSE, skey, 32) != 0)
		axo_die(EX_PROTO, "no key");
	if (sending) {
		txt = json_string_value(json_object_get(json_object_get(j,
		    "answer"), "message_ack"));
		if (txt == NULL || strcmp(txt, "ok") != 0) {
			shut("errory");
			axo_die(EX_PROTO, "peer sent a bad answer");
		}
		put(kout, skey, 32, "session key");
	} else {
		o = json_object_get(j, "offer");
		txt = json_string_value(json_object_get(o, "message"));
		if (txt == NULL) {
			/* cmd_receive.py: what we cannot take is refused */
			axo_wh_queue(wh, (const unsigned char *)
			    "{\"error\": \"unknown offer type\"}", 31);
			shut("errory");
			axo_die(EX_PROTO, "peer sent no record (a file offer?)");
		}
		put(out, txt, json_string_length(json_object_get(o, "message")),
		    "record");
		put(kout, skey, 32, "session key");
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
	free(host);
	free(port);
	free(path);
	free(phost);
	return 0;
}
