/* SPDX-License-Identifier: GPL-2.0-only */
/* axo-pake: carry one credential record over a magic-wormhole mailbox. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "axo.h"
#include "masterkey.h"
#include "relay.h"
#include "wormhole.h"

#define USAGE "axo-pake send|recv [-dv] [-k fd | -A fd] [-i fd] [-o fd] " \
	"[-K fd] [-F fd] [-V fd] [-a appid] [-r url] [-s host:port] [-t sec] " \
	"[-c sec] [--insecure-disk]"

#define OPTSTRING	"+k:A:i:o:K:F:vV:a:r:s:dt:c:h"
#define DEF_APPID	"axotor/v1"

static const char *const opts_help[] = {
	"send | recv               give the record (send) or take it (recv)",
	"-k, --key-fd FD           the master key on FD (else the terminal)",
	"-A, --allocate FD         no key: a code from the relay, written to FD",
	"-i, --in FD               send: the record from FD (default stdin)",
	"-o, --out FD              recv: the record to FD (default stdout)",
	"-K, --key-out FD          the session key to FD (default 5)",
	"-F, --files-key-out FD    a second key, for a second stream, to FD",
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
#define PURPOSE_FILES	"axotor/v1/files"	/* -F: axotor's file stream */
#define TEXT_APPID	"lothar.com/wormhole/text-or-file-xfer"
#define MAXREC		65536	/* a credential record is a few hundred bytes */

static unsigned long
num(const char *s, unsigned long max)
{
	unsigned long n;

	if (!axo_scan_uint(s, max, &n))
		axo_usage(USAGE);
	return n;
}

static void
put(int fd, const void *buf, size_t len, const char *what)
{
	if (axo_writeall(fd, buf, len) != 0)
		axo_diesys(AXO_EXIT_TEMP, "unable to write the %s", what);
}

struct opts {
	const char *appid, *relay, *socks;
	struct axo_relay_addr addr;	/* from relay, socks and direct */
	unsigned long peer_ms, conn_ms;
	int sending, kfd, afd, in, out, kout, fout, vfd, verify, direct;
	int insecure;
};

static void
options(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "key-fd", required_argument, NULL, 'k' },
		{ "allocate", required_argument, NULL, 'A' },
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "key-out", required_argument, NULL, 'K' },
		{ "files-key-out", required_argument, NULL, 'F' },
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
	o->conn_ms = 60000;
	o->kfd = -1;
	o->afd = -1;
	o->out = 1;
	o->kout = AXO_FD_STATE_OUT;
	o->fout = -1;
	o->vfd = -1;
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		axo_help_opts(USAGE, opts_help);
	opterr = 0;	/* our usage line, not getopt's words */
	if (argc >= 2 && argv[1][0] == '-' && argv[1][1] != '\0') {
		/* before send or recv, an unknown option names itself too */
		if (getopt_long(argc, argv, OPTSTRING, lo, NULL) == '?')
			axo_opt_bad(argv, OPTSTRING, lo, USAGE);
		axo_usage(USAGE);
	}
	if (argc < 2 || (strcmp(argv[1], "send") && strcmp(argv[1], "recv")))
		axo_usage(USAGE);
	o->sending = !strcmp(argv[1], "send");
	argv++;
	argc--;
	while ((c = getopt_long(argc, argv, OPTSTRING, lo,
	    NULL)) != -1) {
		axo_opt_once(seen, c, USAGE);
		switch (c) {
		case 'k': o->kfd = axo_opt_fd(optarg, USAGE); break;
		case 'A': o->afd = axo_opt_fd(optarg, USAGE); break;
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
		case 'F': o->fout = axo_opt_fd(optarg, USAGE); break;
		case 'v': o->verify = 1; break;
		case 'V': o->vfd = axo_opt_fd(optarg, USAGE); break;
		case 'a': o->appid = optarg; break;
		case 'r': o->relay = optarg; break;
		case 's': o->socks = optarg; break;
		case 'd': o->direct = 1; break;
		case 't': o->peer_ms = num(optarg, 86400) * 1000; break;
		case 'c': o->conn_ms = num(optarg, 3600) * 1000; break;
		case 'D': o->insecure = 1; break;
		case 'h': axo_help_opts(USAGE, opts_help);
		default: axo_opt_bad(argv, OPTSTRING, lo, USAGE);
		}
	}
	if (optind != argc || o->peer_ms == 0 || o->conn_ms == 0 ||
	    (o->direct && seen['s']) || (seen['k'] && seen['A']) ||
	    o->fout == o->kout ||
	    *o->appid == '\0')
		axo_usage(USAGE);
	axo_relay_url(&o->addr, o->relay);
	o->addr.direct = o->direct;
	if (!o->direct)
		axo_relay_socks(&o->addr, o->socks);
	/* every fd checked before any work */
	if (o->kfd != -1)
		axo_fd_need(o->kfd, "master key");
	if (o->afd != -1)
		axo_fd_need(o->afd, "code");
	/* the record carries onion credentials: no disk for it either */
	if (o->sending)
		axo_fd_need(o->in, "record");
	else
		axo_fd_need_tmpfs(o->out, "record", o->insecure);
	axo_fd_need_tmpfs(o->kout, "session key", o->insecure);
	if (o->fout != -1)
		axo_fd_need_tmpfs(o->fout, "files key", o->insecure);
	if (o->vfd != -1)
		axo_fd_need(o->vfd, "verifier");
}

/* send: the record, checked and queued before the relay is reached */
static void
offer(const struct opts *o, struct axo_relay *rl)
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
	if (axo_wh_offer(rl->wh, rec, (size_t)len) != 0)
		axo_die(AXO_EXIT_USAGE, "record is not UTF-8 text");
	axo_free(rec);
}

/* _receive.py W_got_verifier: the value wormhole --verify shows */
static void
tell_verifier(const struct opts *o, struct axo_relay *rl)
{
	unsigned char ver[32];
	char hex[2 * sizeof ver + 2];

	(void)axo_wh_derive(rl->wh, "wormhole:verifier", ver, sizeof ver);
	axo_fmt_hex(hex, ver, sizeof ver);
	if (o->verify)
		dprintf(2, "axo-pake: verifier: %s\n", hex);
	if (o->vfd != -1) {
		hex[2 * sizeof ver] = '\n';
		put(o->vfd, hex, 2 * sizeof ver + 1, "verifier");
	}
}

/*
 * -A: the code the relay's nameplate gave, as soon as it is known, for
 * the user to read to the peer; then the fd is closed, so that a reader
 * of a pipe sees its end.
 */
static void
tell_code(struct opts *o, struct axo_relay *rl)
{
	const char *code;

	if (o->afd == -1 || (code = axo_wh_code(rl->wh)) == NULL)
		return;
	put(o->afd, code, strlen(code), "code");
	put(o->afd, "\n", 1, "code");
	close(o->afd);
	o->afd = -1;
}

/* runs the mailbox until the peer's phase 0 is in: *j, a JSON object */
static json_t *
exchange(struct opts *o, struct axo_relay *rl)
{
	const unsigned char *data;
	long long deadline;
	size_t len;
	json_t *j;
	int told = 0;

	deadline = axo_clock_ms() + (long long)o->conn_ms;
	axo_relay_reach(rl, &o->addr, deadline);
	/* the welcome comes at once; then the peer may take its time */
	axo_relay_pump(rl, deadline, "waiting for the relay");
	/* -A: the relay's "allocated" follows our bind at once */
	while (o->afd != -1 && axo_wh_code(rl->wh) == NULL)
		axo_relay_pump(rl, deadline,
		    "waiting for the relay to allocate a nameplate");
	tell_code(o, rl);
	deadline = axo_clock_ms() + (long long)o->peer_ms;
	while (!axo_wh_next(rl->wh, &data, &len)) {
		axo_relay_pump(rl, deadline, "waiting for the peer");
		if (!told && axo_wh_verified(rl->wh)) {
			told = 1;
			tell_verifier(o, rl);
		}
	}
	j = json_loadb((const char *)data, len, 0, NULL);
	if (!json_is_object(j))
		axo_relay_die(rl, AXO_RELAY_EXIT_PROTO,
		    "peer sent a bad message");
	/* cmd_send.py, cmd_receive.py: either side may send an error */
	if (json_string_value(json_object_get(j, "error")) != NULL)
		axo_relay_die(rl, AXO_RELAY_EXIT_PROTO,
		    "peer reported an error: %.160s",
		    json_string_value(json_object_get(j, "error")));
	return j;
}

int
main(int argc, char **argv)
{
	struct axo_relay rl;
	struct opts o;
	unsigned char *skey, *fkey;
	const char *txt;
	json_t *j, *m;
	char *code = NULL;

	axo_init("axo-pake");
	options(&o, argc, argv);
	if (o.afd == -1)
		code = axo_masterkey_read(o.kfd);
	axo_relay_new(&rl, o.appid, code, o.conn_ms);
	if (code != NULL)
		axo_free(code);
	if (o.sending)
		offer(&o, &rl);
	j = exchange(&o, &rl);
	skey = axo_xmalloc(32);
	/* the session key: derive_key of the PAKE key, not the master key */
	fkey = axo_xmalloc(32);
	if (axo_wh_derive(rl.wh, PURPOSE, skey, 32) != 0 ||
	    axo_wh_derive(rl.wh, PURPOSE_FILES, fkey, 32) != 0)
		axo_die(AXO_RELAY_EXIT_PROTO, "no key");
	if (o.sending) {
		/* cmd_send.py _handle_answer: message_ack must be "ok" */
		txt = json_string_value(json_object_get(json_object_get(j,
		    "answer"), "message_ack"));
		/* both sent an offer: both sides were started with send
		 * (axotor -s on both) */
		if (txt == NULL && json_object_get(j, "offer") != NULL)
			axo_relay_die(&rl, AXO_RELAY_EXIT_PROTO, "the peer sent "
			    "an offer, not an answer: it seems to be a server "
			    "too (-s on both sides?)");
		if (txt == NULL || strcmp(txt, "ok") != 0)
			axo_relay_die(&rl, AXO_RELAY_EXIT_PROTO,
			    "peer sent a bad answer");
		put(o.kout, skey, 32, "session key");
		if (o.fout != -1)
			put(o.fout, fkey, 32, "files key");
	} else {
		m = json_object_get(json_object_get(j, "offer"), "message");
		if (!json_is_string(m)) {
			/* cmd_receive.py: what we cannot take is refused */
			(void)axo_wh_queue(rl.wh, (const unsigned char *)
			    "{\"error\": \"unknown offer type\"}", 31);
			axo_relay_die(&rl, AXO_RELAY_EXIT_PROTO,
			    "peer sent no record (a file offer?)");
		}
		put(o.out, json_string_value(m), json_string_length(m), "record");
		put(o.kout, skey, 32, "session key");
		if (o.fout != -1)
			put(o.fout, fkey, 32, "files key");
		/* cmd_receive.py _handle_text: the sender waits for this */
		if (axo_wh_queue(rl.wh, (const unsigned char *)
		    "{\"answer\": {\"message_ack\": \"ok\"}}", 33) != 0)
			axo_relay_fail(&rl, AXO_WH_ESYS);
	}
	json_decref(j);
	axo_free(skey);
	axo_free(fkey);
	axo_relay_shut(&rl, "happy");
	axo_relay_free(&rl);
	axo_relay_addr_free(&o.addr);
	return 0;
}
