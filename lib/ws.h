/* SPDX-License-Identifier: GPL-2.0-only */
/* ws.h: a WebSocket client (RFC 6455) on libwslay. */
#ifndef AXO_WS_H
#define AXO_WS_H

#include <stddef.h>

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

#endif
