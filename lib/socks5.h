/* SPDX-License-Identifier: GPL-2.0-only */
/* socks5.h: a SOCKS5 client for tor (RFC 1928, torspec socks-extensions). */
#ifndef AXO_SOCKS5_H
#define AXO_SOCKS5_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * socks5.c, beyond axo_socks5_connect (whose socket is close-on-exec and
 * blocking once connected).
 * axo_socks5_open: the same, and *rep is set to the proxy's reply code
 * (0x00-0xff) when the proxy gave one, -2 when the proxy broke the
 * protocol (a malformed reply, EOF within it), else -1 or -3 (a system
 * error, no reply in time); the message for the user is in err.
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
/*
 * axo_socks5_open_iso: axo_socks5_open, offering iso (unless NULL) as
 * a SOCKS username (RFC 1929) that tor isolates streams by: each attempt
 * with a new token (axo_socks5_new_iso) gets a new circuit.  *rep is
 * AXO_SOCKS5_STALL when the proxy took the connection and then said
 * nothing in time (a stalled circuit: worth a new attempt), -1 for the
 * other system errors.  axo_socks5_attempt_ms: how long one attempt may
 * take, left ms being left of a deadline of total_ms: a third of it, at
 * least AXO_SOCKS5_ATTEMPT_MIN, at most left (at least 1).
 */
#define AXO_SOCKS5_STALL	(-3)
#define AXO_SOCKS5_ISO_LEN	32
#define AXO_SOCKS5_ATTEMPT_MIN	15000UL
int axo_socks5_open_iso(const char *proxy_host, uint16_t proxy_port,
    const char *host, uint16_t port, unsigned timeout_ms, const char *iso,
    int *rep, char *err, size_t errlen);
void axo_socks5_new_iso(char out[AXO_SOCKS5_ISO_LEN + 1]);
unsigned axo_socks5_attempt_ms(long long left, unsigned long total_ms);
int axo_socks5_parse_reply(const unsigned char *buf, size_t len, int *rep,
    char *err, size_t errlen);
const char *axo_socks5_strrep(int rep);
int axo_socks5_retryable(int rep);

#endif
