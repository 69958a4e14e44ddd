/* SPDX-License-Identifier: GPL-2.0-only */
/* relay.c: axo-pake's session with a mailbox relay. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axo.h"
#include "relay.h"
#include "socks5.h"
#include "wormhole.h"
#include "ws.h"

#define BAD_URL	"bad relay url: want ws://host:port/path"

void
axo_relay_url(struct axo_relay_addr *a, const char *url)
{
	const char *h, *e, *c;

	if (strncmp(url, "ws://", 5) != 0)
		axo_die(AXO_EXIT_USAGE, BAD_URL);
	h = url + 5;
	e = h + strcspn(h, "/");
	c = memchr(h, ':', (size_t)(e - h));
	if ((c ? c : e) == h)
		axo_die(AXO_EXIT_USAGE, BAD_URL);
	a->host = strndup(h, (size_t)((c ? c : e) - h));
	a->port = c ? strndup(c + 1, (size_t)(e - c - 1)) : strdup("80");
	a->path = strdup(*e ? e : "/");
	if (!a->host || !a->port || !a->path)
		axo_die(AXO_EXIT_TEMP, "out of memory");
	if (strcmp(a->port, "0") == 0 || !axo_scan_uint(a->port, 65535,
	    &(unsigned long){ 0 }))
		axo_die(AXO_EXIT_USAGE, BAD_URL);
}

void
axo_relay_socks(struct axo_relay_addr *a, const char *s)
{
	const char *c = strrchr(s, ':');

	a->socks = s;
	if (c == NULL || c == s || !axo_scan_uint(c + 1, 65535, &a->pport) ||
	    a->pport == 0)
		axo_die(AXO_EXIT_USAGE, "bad socks address: want host:port");
	a->phost = strndup(s, (size_t)(c - s));
	if (a->phost == NULL)
		axo_die(AXO_EXIT_TEMP, "out of memory");
}

void
axo_relay_addr_free(struct axo_relay_addr *a)
{
	free(a->host);
	free(a->port);
	free(a->path);
	free(a->phost);
}

static int
tx(void *arg, const char *json, size_t len)
{
	struct axo_relay *rl = arg;

	return axo_ws_send(rl->ws, json, len,
	    axo_clock_ms() + (long long)rl->conn_ms);
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

void
axo_relay_new(struct axo_relay *rl, const char *appid, const char *code,
    unsigned long conn_ms)
{
	memset(rl, 0, sizeof *rl);
	rl->conn_ms = conn_ms;
	rl->wh = axo_wh_new(appid, code, tx, say, rl);
	if (rl->wh == NULL)
		axo_die(AXO_EXIT_TEMP, "out of memory");
}

/* best effort: close with mood, wait briefly for "closed", drop TCP */
void
axo_relay_shut(struct axo_relay *rl, const char *mood)
{
	long long dl;
	const char *m;
	size_t n;

	if (rl->ws == NULL || rl->wh == NULL || (axo_ws_err(rl->ws) != 0 &&
	    axo_ws_err(rl->ws) != AXO_WS_ETIME))
		return;
	if (axo_wh_close(rl->wh, mood) != 0)
		return;
	dl = axo_clock_ms() + 2000;
	while (!axo_wh_closed(rl->wh) && axo_ws_recv(rl->ws, &m, &n, dl) == 0)
		(void)axo_wh_rx(rl->wh, m, n);
}

void
axo_relay_fail(struct axo_relay *rl, int r)
{
	const char *why = axo_wh_why(rl->wh);

	switch (r) {
	case AXO_WH_EMISMATCH:
		/* _boss.py close_scared */
		axo_relay_shut(rl, "scary");
		axo_die(AXO_EXIT_NO, "%s", why);
	case AXO_WH_ECROWD:
		axo_relay_shut(rl, "errory");
		axo_die(AXO_RELAY_EXIT_REFUSED, "%s", why);
	case AXO_WH_EPERM:
		axo_relay_shut(rl, "unwelcome");
		axo_die(AXO_RELAY_EXIT_REFUSED, "%s", why);
	case AXO_WH_ESYS:
		axo_relay_shut(rl, "errory");
		axo_die(AXO_EXIT_TEMP, "%s", why);
	default:
		axo_relay_shut(rl, r == AXO_WH_EPROTO &&
		    !axo_wh_verified(rl->wh) ? "scary" : "errory");
		axo_die(AXO_RELAY_EXIT_PROTO, "%s", why);
	}
}

void
axo_relay_die(struct axo_relay *rl, int code, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	axo_relay_shut(rl, "errory");
	axo_die(code, "%s", why);
}

__attribute__((noreturn))
static void
fail_ws(struct axo_relay *rl, const char *what)
{
	switch (axo_ws_err(rl->ws)) {
	case AXO_WS_ETIME:
		axo_relay_shut(rl, rl->seen_peer ? "errory" : "lonely");
		axo_die(AXO_RELAY_EXIT_TIMEOUT, "timed out %s", what);
	case AXO_WS_EPROTO:
		axo_die(AXO_RELAY_EXIT_PROTO,
		    "relay broke the websocket protocol: %s",
		    axo_ws_why(rl->ws));
	default:
		axo_die(AXO_EXIT_TEMP, "lost the relay: %s",
		    axo_ws_why(rl->ws));
	}
}

void
axo_relay_pump(struct axo_relay *rl, long long deadline, const char *what)
{
	const char *m;
	size_t n;
	int r;

	if (axo_ws_recv(rl->ws, &m, &n, deadline) != 0)
		fail_ws(rl, what);
	r = axo_wh_rx(rl->wh, m, n);
	if (r != 0)
		axo_relay_fail(rl, r);
	rl->seen_peer = axo_wh_paired(rl->wh);
}

/* the relay: through tor's SOCKS5 (the name resolved by tor), or direct */
void
axo_relay_reach(struct axo_relay *rl, const struct axo_relay_addr *a,
    long long deadline)
{
	char err[256], why[256], iso[AXO_SOCKS5_ISO_LEN + 1];
	int fd, werr, rep, pause;

	if (a->direct) {
		fd = axo_ws_tcp(a->host, a->port, deadline);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP,
			    "unable to reach the relay %s:%s", a->host,
			    a->port);
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
			fd = axo_socks5_open_iso(a->phost, (uint16_t)a->pport,
			    a->host, (uint16_t)strtoul(a->port, NULL, 10),
			    axo_socks5_attempt_ms(axo_deadline_left(deadline),
			    rl->conn_ms), iso, &rep, err, sizeof err);
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
			    a->host, a->port, a->socks, err);
	}
	rl->ws = axo_ws_open(fd, a->host, a->port, a->path, deadline, &werr,
	    why, sizeof why);
	if (rl->ws == NULL) {
		if (werr == AXO_WS_ETIME)
			axo_die(AXO_RELAY_EXIT_TIMEOUT,
			    "timed out connecting to the relay");
		axo_die(werr == AXO_WS_EPROTO ? AXO_RELAY_EXIT_PROTO :
		    AXO_EXIT_TEMP, "unable to open a websocket to the relay: %s",
		    why);
	}
}

void
axo_relay_free(struct axo_relay *rl)
{
	axo_wh_free(rl->wh);
	axo_ws_close(rl->ws);
	rl->wh = NULL;
	rl->ws = NULL;
}
