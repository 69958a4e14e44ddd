/* SPDX-License-Identifier: GPL-2.0-only */
/* torctl.h: a client of tor's control port (axo-onion). */
#ifndef AXO_TORCTL_H
#define AXO_TORCTL_H

#include <stddef.h>
#include <stdint.h>

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
/* A unix control socket (ControlSocket, Debian's /run/tor/control). */
int axo_torctl_open_unix(struct axo_torctl *c, const char *path);
/* where: an absolute path (a control socket) or a port on 127.0.0.1. */
int axo_torctl_open_at(struct axo_torctl *c, const char *where);
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

#endif
