/* SPDX-License-Identifier: GPL-2.0-only */
/* relay.h: axo-pake's session with a mailbox relay: reached, pumped,
 * closed, and its failures in the family's words and codes. */
#ifndef AXO_RELAY_H
#define AXO_RELAY_H

#include "wormhole.h"
#include "ws.h"

/* axo-pake's own exit codes (axo-pake(1) EXIT STATUS) */
#define AXO_RELAY_EXIT_PROTO	97	/* relay or peer broke the protocol */
#define AXO_RELAY_EXIT_REFUSED	98	/* crowded nameplate, service refused */
#define AXO_RELAY_EXIT_TIMEOUT	99	/* a wait ran out */

/*
 * Where the relay is: ws://HOST[:PORT][/PATH] (TLS, wss, is tor's job
 * here, not ours), reached direct or through tor's SOCKS5 port at
 * PHOST:PPORT (socks, for messages), which resolves HOST.
 * axo_relay_url and axo_relay_socks fill it from the options, or die
 * 100 "bad relay url" / "bad socks address".
 */
struct axo_relay_addr {
	char *host, *port, *path;
	const char *socks;
	char *phost;
	unsigned long pport;
	int direct;
};
void axo_relay_url(struct axo_relay_addr *a, const char *url);
void axo_relay_socks(struct axo_relay_addr *a, const char *socks);
void axo_relay_addr_free(struct axo_relay_addr *a);

/*
 * One exchange: the wormhole state machine (wormhole.c) on a WebSocket
 * (ws.c) to the relay.  conn_ms bounds every send and the reaching.
 * Every function dies rather than return a failure, with the relay
 * closed first where a close is worth sending, as the wormhole CLI's
 * moods say: a wrong code "scary" (exit 1), a crowded nameplate or a
 * refusal (98), a relay or peer off the protocol (97), a wait past its
 * deadline (99; "lonely" if no peer came), a lost relay (111).
 */
struct axo_relay {
	struct axo_wh *wh;
	struct axo_ws *ws;
	unsigned long conn_ms;
	int seen_peer;		/* the peer's PAKE message came */
};
/* axo_relay_new: the state machine for appid and code (NULL: one from
 * the relay, wormhole.h); the relay's motd is a warning, with no
 * control bytes.  Dies 111 without memory. */
void axo_relay_new(struct axo_relay *rl, const char *appid, const char *code,
    unsigned long conn_ms);
/* The relay reached and the WebSocket open (the SOCKS5 replies that say
 * "not yet", such as an onion's descriptor not fetched, tried again
 * until deadline). */
void axo_relay_reach(struct axo_relay *rl, const struct axo_relay_addr *a,
    long long deadline);
/* The next relay message into the state machine, waited for until
 * deadline; "timed out WHAT" when it passes. */
void axo_relay_pump(struct axo_relay *rl, long long deadline,
    const char *what);
/* Best effort: close with mood, wait briefly for "closed". */
void axo_relay_shut(struct axo_relay *rl, const char *mood);
/* Dies for the AXO_WH_E* code r, after the close its mood asks for. */
__attribute__((noreturn))
void axo_relay_fail(struct axo_relay *rl, int r);
/* "prog: fatal: WHY" with exit code, after an "errory" close. */
__attribute__((noreturn, format(printf, 3, 4)))
void axo_relay_die(struct axo_relay *rl, int code, const char *fmt, ...);
void axo_relay_free(struct axo_relay *rl);

#endif
