/* SPDX-License-Identifier: GPL-2.0-only */
/* torctl.c: tor's control port: connect, authenticate, commands, events. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "torctl.h"

/*
 * Everything tor sends is untrusted input (a wrong port may reach anyone):
 * replies are parsed strictly after control-spec §2.3 and bounded
 * (AXO_TORCTL_REPLY_MAX bytes, AXO_TORCTL_LINES_MAX lines), and every wait
 * is bounded by the connection's timeout.
 */

__attribute__((format(printf, 3, 4))) static int
fail(struct axo_torctl *c, int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	return kind;
}

__attribute__((format(printf, 3, 4))) static void
perr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * One reply, control-spec §2.3:
 *   Reply = *(MidReplyLine / DataReplyLine) EndReplyLine
 *   MidReplyLine = StatusCode "-" ReplyLine
 *   DataReplyLine = StatusCode "+" ReplyLine CmdData
 *   EndReplyLine = StatusCode SP ReplyLine
 * with the same 3-digit StatusCode on every line, CRLF line ends, and
 * CmdData ending at a line "." (a leading "." of a data line doubled,
 * §2.4).  Text may hold printable ASCII and tabs only: anything else is
 * refused rather than passed to a terminal.
 */
int
axo_torctl_parse_reply(const unsigned char *buf, size_t len,
    struct axo_torctl_reply *r, char *err, size_t errlen)
{
	size_t pos = 0, out = 0, eol, i, ll;
	int code = -1, lc, indata = 0;
	unsigned char sep;

	r->code = 0;
	r->nlines = 0;
	for (;;) {
		/* find the end of this line */
		for (eol = pos; eol < len && buf[eol] != '\n'; eol++)
			;
		if (eol == len) {
			if (len - pos >= AXO_TORCTL_REPLY_MAX) {
				perr(err, errlen, "control reply too long");
				return -1;
			}
			return 0;
		}
		if (eol == pos || buf[eol - 1] != '\r') {
			perr(err, errlen,
			    "control reply line does not end in CRLF");
			return -1;
		}
		ll = eol - 1 - pos;	/* line length without CRLF */
		for (i = pos; i < pos + ll; i++)
			if ((buf[i] < 0x20 || buf[i] > 0x7e) && buf[i] != '\t') {
				perr(err, errlen,
				    "control reply holds a control or non-ascii byte");
				return -1;
			}
		if (indata) {
			const unsigned char *p = buf + pos;

			if (ll == 1 && p[0] == '.') {
				indata = 0;
				pos = eol + 1;
				continue;
			}
			if (ll > 0 && p[0] == '.') {
				p++;
				ll--;
			}
			/* data lines join the text of their "+" line */
			if (out + 1 + ll + 1 > sizeof r->text) {
				perr(err, errlen, "control reply too long");
				return -1;
			}
			r->text[out - 1] = '\n';
			memcpy(r->text + out, p, ll);
			out += ll;
			r->text[out++] = '\0';
			pos = eol + 1;
			continue;
		}
		if (ll < 4 || buf[pos] < '2' || buf[pos] > '6' ||
		    buf[pos + 1] < '0' || buf[pos + 1] > '9' ||
		    buf[pos + 2] < '0' || buf[pos + 2] > '9') {
			perr(err, errlen, "control reply line has no status code");
			return -1;
		}
		lc = (buf[pos] - '0') * 100 + (buf[pos + 1] - '0') * 10 +
		    (buf[pos + 2] - '0');
		if (code == -1)
			code = lc;
		else if (lc != code) {
			perr(err, errlen,
			    "control reply mixes status codes %d and %d", code, lc);
			return -1;
		}
		sep = buf[pos + 3];
		if (sep != ' ' && sep != '-' && sep != '+') {
			perr(err, errlen, "control reply line has a bad separator");
			return -1;
		}
		if (r->nlines == AXO_TORCTL_LINES_MAX) {
			perr(err, errlen, "control reply has too many lines");
			return -1;
		}
		if (out + (ll - 4) + 1 > sizeof r->text) {
			perr(err, errlen, "control reply too long");
			return -1;
		}
		r->line[r->nlines++] = r->text + out;
		memcpy(r->text + out, buf + pos + 4, ll - 4);
		out += ll - 4;
		r->text[out++] = '\0';
		pos = eol + 1;
		if (sep == '+')
			indata = 1;
		else if (sep == ' ') {
			r->code = code;
			return (int)pos;
		}
	}
}

int
axo_torctl_kv(const char *line, const char *key, char *out, size_t outlen)
{
	size_t kl = strlen(key), o = 0;
	const char *p = line;

	/* KEY=VALUE pairs separated by spaces, §2.1; a key is a whole word */
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		if (strncmp(p, key, kl) == 0 && p[kl] == '=')
			break;
		/* skip this word, which may hold a quoted string */
		while (*p != '\0' && *p != ' ') {
			if (*p == '"') {
				p++;
				while (*p != '\0' && *p != '"') {
					if (*p == '\\' && p[1] != '\0')
						p++;
					p++;
				}
				if (*p == '\0')
					return -1;
			}
			p++;
		}
	}
	p += kl + 1;
	if (*p == '"') {
		/* QuotedString, §2.1.1: backslash escapes; we keep \\ \" \n \t */
		for (p++; *p != '"'; p++) {
			char ch = *p;

			if (ch == '\0')
				return -1;
			if (ch == '\\') {
				p++;
				switch (*p) {
				case '\\': ch = '\\'; break;
				case '"': ch = '"'; break;
				case 'n': ch = '\n'; break;
				case 't': ch = '\t'; break;
				case 'r': ch = '\r'; break;
				default: return -1;
				}
			}
			if (o + 1 >= outlen)
				return -1;
			out[o++] = ch;
		}
		p++;
		if (*p != '\0' && *p != ' ')
			return -1;
	} else {
		for (; *p != '\0' && *p != ' '; p++) {
			if (*p == '"')
				return -1;
			if (o + 1 >= outlen)
				return -1;
			out[o++] = *p;
		}
	}
	if (outlen == 0)
		return -1;
	out[o] = '\0';
	return 1;
}

void
axo_torctl_init(struct axo_torctl *c)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout_ms = 30000;
}

int
axo_torctl_open(struct axo_torctl *c, const char *host, uint16_t port)
{
	struct sockaddr_in sa;
	long long dl;
	struct pollfd p;
	socklen_t sl;
	int fd, r, soerr;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return fail(c, AXO_TORCTL_ESYS,
		    "control address is not numeric IPv4: %s", host);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return fail(c, AXO_TORCTL_ESYS, "unable to create socket: %s",
		    strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		if (errno != EINPROGRESS) {
			r = errno;
			close(fd);
			return fail(c, AXO_TORCTL_ESYS,
			    "unable to connect to control port %s:%u: %s",
			    host, port, strerror(r));
		}
		dl = axo_clock_ms() + c->timeout_ms;
		do {
			p.fd = fd;
			p.events = POLLOUT;
			r = poll(&p, 1, axo_deadline_left(dl));
		} while (r == -1 && errno == EINTR);
		soerr = r == 0 ? ETIMEDOUT : r == -1 ? errno : 0;
		sl = sizeof soerr;
		if (r > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		if (soerr != 0) {
			close(fd);
			return fail(c, AXO_TORCTL_ESYS,
			    "unable to connect to control port %s:%u: %s",
			    host, port, strerror(soerr));
		}
	}
	c->fd = fd;
	c->len = 0;
	return 0;
}

int
axo_torctl_open_unix(struct axo_torctl *c, const char *path)
{
	struct sockaddr_un sa;
	int fd, e;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path)
		return fail(c, AXO_TORCTL_ESYS, "control socket name too long: "
		    "%.80s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return fail(c, AXO_TORCTL_ESYS, "unable to create socket: %s",
		    strerror(errno));
	/* a unix connect does not wait on the network: at once or never */
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		e = errno;
		close(fd);
		return fail(c, AXO_TORCTL_ESYS,
		    "unable to connect to control socket %s: %s%s", path,
		    strerror(e), e == EACCES ?
		    " (tor's group may reach it: are you in it?)" : "");
	}
	c->fd = fd;
	c->len = 0;
	return 0;
}

int
axo_torctl_open_at(struct axo_torctl *c, const char *where)
{
	unsigned long port;

	if (where[0] == '/')
		return axo_torctl_open_unix(c, where);
	if (!axo_scan_uint(where, 65535, &port) || port == 0)
		return fail(c, AXO_TORCTL_ESYS,
		    "not a control port or socket path: %.80s", where);
	return axo_torctl_open(c, "127.0.0.1", (uint16_t)port);
}

void
axo_torctl_close(struct axo_torctl *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	sodium_memzero(c->buf, sizeof c->buf);
	c->len = 0;
}

int
axo_torctl_read(struct axo_torctl *c, struct axo_torctl_reply *r,
    unsigned timeout_ms)
{
	long long dl;
	struct pollfd p;
	ssize_t n;
	int k;

	dl = axo_clock_ms() + timeout_ms;
	for (;;) {
		k = axo_torctl_parse_reply(c->buf, c->len, r, c->err,
		    sizeof c->err);
		if (k < 0)
			return AXO_TORCTL_EPROTO;
		if (k > 0) {
			memmove(c->buf, c->buf + k, c->len - (size_t)k);
			c->len -= (size_t)k;
			return 0;
		}
		if (c->len == sizeof c->buf)
			return fail(c, AXO_TORCTL_EPROTO, "control reply too long");
		p.fd = c->fd;
		p.events = POLLIN;
		k = poll(&p, 1, axo_deadline_left(dl));
		if (k == -1 && errno == EINTR)
			continue;
		if (k == -1)
			return fail(c, AXO_TORCTL_ESYS, "unable to poll: %s",
			    strerror(errno));
		if (k == 0)
			return fail(c, AXO_TORCTL_ETIME,
			    "tor's control port did not reply in time");
		n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* a reset is tor closing on us, as an EOF is */
		if (n == -1 && errno == ECONNRESET)
			n = 0;
		if (n == -1)
			return fail(c, AXO_TORCTL_ESYS,
			    "unable to read from control port: %s",
			    strerror(errno));
		if (n == 0)
			return fail(c, AXO_TORCTL_EPROTO,
			    c->len == 0 ? "tor closed the control connection" :
			    "tor closed the control connection within a reply");
		c->len += (size_t)n;
	}
}

static int
send_all(struct axo_torctl *c, const char *s, size_t len)
{
	long long dl;
	struct pollfd p;
	ssize_t w;
	int k;

	dl = axo_clock_ms() + c->timeout_ms;
	while (len > 0) {
		p.fd = c->fd;
		p.events = POLLOUT;
		k = poll(&p, 1, axo_deadline_left(dl));
		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return fail(c, AXO_TORCTL_ESYS,
			    "unable to write to control port: %s",
			    k == 0 ? "timed out" : strerror(errno));
		w = write(c->fd, s, len);
		if (w == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w == -1 && (errno == EPIPE || errno == ECONNRESET))
			return fail(c, AXO_TORCTL_EPROTO,
			    "tor closed the control connection");
		if (w == -1)
			return fail(c, AXO_TORCTL_ESYS,
			    "unable to write to control port: %s",
			    strerror(errno));
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

int
axo_torctl_cmd(struct axo_torctl *c, const char *cmd,
    struct axo_torctl_reply *r)
{
	size_t len = strlen(cmd), i;
	long long dl;
	char name[32];
	int k;

	/* A command is one line: a CR or LF in it would smuggle another. */
	for (i = 0; i < len; i++)
		if (cmd[i] == '\r' || cmd[i] == '\n')
			return fail(c, AXO_TORCTL_ESYS,
			    "control command holds a line break");
	/* its first word names it in messages (never its arguments) */
	for (i = 0; i < len && i < sizeof name - 1 && cmd[i] != ' '; i++)
		name[i] = cmd[i];
	name[i] = '\0';
	if ((k = send_all(c, cmd, len)) != 0 || (k = send_all(c, "\r\n", 2)) != 0)
		return k;
	/* one deadline for the reply, however many events come first */
	dl = axo_clock_ms() + c->timeout_ms;
	for (;;) {
		/* a reply already buffered is read without a wait: check */
		if (axo_deadline_left(dl) == 0)
			return fail(c, AXO_TORCTL_ETIME,
			    "tor's control port did not reply in time");
		k = axo_torctl_read(c, r, (unsigned)axo_deadline_left(dl));
		if (k != 0)
			return k;
		/* asynchronous events may come before the reply, §4.1 */
		if (r->code == 650) {
			if (c->event != NULL)
				c->event(c->arg, r);
			continue;
		}
		break;
	}
	if (r->code / 100 != 2)
		return fail(c, AXO_TORCTL_EREFUSED, "tor refused %s: %d %s",
		    name, r->code, r->nlines ? r->line[r->nlines - 1] : "");
	return 0;
}

int
axo_torctl_wait_event(struct axo_torctl *c, struct axo_torctl_reply *r,
    unsigned timeout_ms)
{
	int k;

	k = axo_torctl_read(c, r, timeout_ms);
	if (k != 0)
		return k;
	if (r->code != 650)
		return fail(c, AXO_TORCTL_EPROTO,
		    "tor sent a reply %d where an event was due", r->code);
	return 0;
}

/* The cookie is 32 bytes (control-spec §3.24 COOKIEFILE). */
static int
read_cookie(struct axo_torctl *c, const char *path, unsigned char cookie[32])
{
	unsigned char extra;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return fail(c, AXO_TORCTL_ESYS,
		    "unable to open control cookie %s: %s", path,
		    strerror(errno));
	n = axo_readn(fd, cookie, 32);
	if (n == 32 && read(fd, &extra, 1) != 0)
		n = -2;
	close(fd);
	if (n != 32)
		return fail(c, AXO_TORCTL_EPROTO,
		    "control cookie %s is not 32 bytes", path);
	return 0;
}

static void
hmac(unsigned char out[32], const char *key, const unsigned char *cookie,
    const unsigned char cn[32], const unsigned char sn[32])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key,
	    strlen(key));
	crypto_auth_hmacsha256_update(&st, cookie, 32);
	crypto_auth_hmacsha256_update(&st, cn, 32);
	crypto_auth_hmacsha256_update(&st, sn, 32);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof st);
}

/* Is METHOD in the comma-separated list? */
static int
has_method(const char *list, const char *m)
{
	size_t ml = strlen(m);
	const char *p = list;

	while (*p) {
		if (strncmp(p, m, ml) == 0 && (p[ml] == ',' || p[ml] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

struct authsecrets {
	unsigned char cookie[32], cn[32], sn[32], mac[32], want[32];
	char cmd[640];	/* AUTHENTICATE and a quoted 256-byte password */
	char kvbuf[160];
};

static int
safecookie(struct axo_torctl *c, struct axo_torctl_reply *r,
    const char *path, struct authsecrets *s)
{
	char hex[65];
	const char *p;
	int k;

	if ((k = read_cookie(c, path, s->cookie)) != 0)
		return k;
	randombytes_buf(s->cn, 32);
	axo_fmt_hex(hex, s->cn, 32);
	snprintf(s->cmd, sizeof s->cmd, "AUTHCHALLENGE SAFECOOKIE %s", hex);
	if ((k = axo_torctl_cmd(c, s->cmd, r)) != 0)
		return k;
	/* "250 AUTHCHALLENGE SERVERHASH=... SERVERNONCE=..." (§3.24) */
	p = r->line[r->nlines - 1];
	if (strncmp(p, "AUTHCHALLENGE ", 14) != 0 ||
	    axo_torctl_kv(p + 14, "SERVERHASH", s->kvbuf, sizeof s->kvbuf) != 1 ||
	    !axo_scan_hex(s->kvbuf, s->want, 32) ||
	    axo_torctl_kv(p + 14, "SERVERNONCE", s->kvbuf, sizeof s->kvbuf) != 1 ||
	    !axo_scan_hex(s->kvbuf, s->sn, 32))
		return fail(c, AXO_TORCTL_EPROTO,
		    "tor sent a malformed AUTHCHALLENGE reply");
	/* Check the server knows the cookie before we prove we do. */
	hmac(s->mac, "Tor safe cookie authentication server-to-controller hash",
	    s->cookie, s->cn, s->sn);
	if (sodium_memcmp(s->mac, s->want, 32) != 0)
		return fail(c, AXO_TORCTL_EREFUSED,
		    "tor's SAFECOOKIE server hash is wrong: this is not the tor "
		    "of cookie %s", path);
	hmac(s->mac, "Tor safe cookie authentication controller-to-server hash",
	    s->cookie, s->cn, s->sn);
	memcpy(s->cmd, "AUTHENTICATE ", 13);
	axo_fmt_hex(s->cmd + 13, s->mac, 32);
	return axo_torctl_cmd(c, s->cmd, r);
}

int
axo_torctl_auth(struct axo_torctl *c, const char *cookie_path,
    const unsigned char *password, size_t pwlen)
{
	struct axo_torctl_reply *r;
	struct authsecrets *s;
	char methods[128], *path;
	size_t i, o;
	int k, v1 = 0;

	r = axo_xmalloc(sizeof *r);
	s = axo_xmalloc(sizeof *s);
	path = axo_xmalloc(AXO_TORCTL_PATH_MAX);
	methods[0] = '\0';
	path[0] = '\0';
	/* PROTOCOLINFO, §3.21: which methods, where the cookie lives */
	if ((k = axo_torctl_cmd(c, "PROTOCOLINFO 1", r)) != 0)
		goto out;
	for (i = 0; i < r->nlines; i++) {
		const char *l = r->line[i];

		if (strcmp(l, "PROTOCOLINFO 1") == 0)
			v1 = 1;
		if (strncmp(l, "AUTH ", 5) == 0) {
			if (axo_torctl_kv(l + 5, "METHODS", methods,
			    sizeof methods) != 1) {
				k = fail(c, AXO_TORCTL_EPROTO,
				    "tor sent a malformed PROTOCOLINFO reply");
				goto out;
			}
			if (axo_torctl_kv(l + 5, "COOKIEFILE", path,
			    AXO_TORCTL_PATH_MAX) == -1) {
				k = fail(c, AXO_TORCTL_EPROTO,
				    "tor sent a malformed PROTOCOLINFO reply");
				goto out;
			}
		}
	}
	if (!v1 || methods[0] == '\0') {
		k = fail(c, AXO_TORCTL_EPROTO,
		    "tor sent a malformed PROTOCOLINFO reply");
		goto out;
	}
	if (password != NULL) {
		if (!has_method(methods, "HASHEDPASSWORD")) {
			k = fail(c, AXO_TORCTL_EREFUSED,
			    "tor does not accept a password (methods %s)",
			    methods);
			goto out;
		}
		/* AUTHENTICATE QuotedString, §3.5 */
		o = 0;
		memcpy(s->cmd, "AUTHENTICATE \"", 14);
		o = 14;
		for (i = 0; i < pwlen; i++) {
			if (o + 4 > sizeof s->cmd) {
				k = fail(c, AXO_TORCTL_ESYS, "password too long");
				goto out;
			}
			if (password[i] == '"' || password[i] == '\\')
				s->cmd[o++] = '\\';
			s->cmd[o++] = (char)password[i];
		}
		s->cmd[o++] = '"';
		s->cmd[o] = '\0';
		k = axo_torctl_cmd(c, s->cmd, r);
	} else if (has_method(methods, "SAFECOOKIE") &&
	    (cookie_path != NULL || path[0] != '\0')) {
		k = safecookie(c, r, cookie_path != NULL ? cookie_path : path, s);
	} else if (has_method(methods, "COOKIE") && cookie_path != NULL) {
		/*
		 * Plain COOKIE sends the file's bytes: only for a file the
		 * user named, never one the other end named.
		 */
		if ((k = read_cookie(c, cookie_path, s->cookie)) != 0)
			goto out;
		memcpy(s->cmd, "AUTHENTICATE ", 13);
		axo_fmt_hex(s->cmd + 13, s->cookie, 32);
		k = axo_torctl_cmd(c, s->cmd, r);
	} else if (has_method(methods, "NULL")) {
		k = axo_torctl_cmd(c, "AUTHENTICATE", r);
	} else {
		k = fail(c, AXO_TORCTL_EREFUSED,
		    "no usable authentication method (tor offers %s)%s", methods,
		    has_method(methods, "HASHEDPASSWORD") ?
		    ": give a password" : "");
	}
out:
	axo_free(path);
	axo_free(s);
	axo_free(r);
	return k;
}

int
axo_torctl_getinfo(struct axo_torctl *c, const char *key, char *out,
    size_t outlen)
{
	struct axo_torctl_reply *r;
	char cmd[128];
	size_t kl = strlen(key), vl;
	int k;

	r = axo_xmalloc(sizeof *r);
	snprintf(cmd, sizeof cmd, "GETINFO %s", key);
	k = axo_torctl_cmd(c, cmd, r);
	if (k == 0) {
		/* "250-key=value" then "250 OK" (§3.9) */
		if (r->nlines < 2 || strncmp(r->line[0], key, kl) != 0 ||
		    r->line[0][kl] != '=' ||
		    (vl = strlen(r->line[0] + kl + 1)) >= outlen)
			k = fail(c, AXO_TORCTL_EPROTO,
			    "tor sent a malformed GETINFO reply");
		else
			memcpy(out, r->line[0] + kl + 1, vl + 1);
	}
	axo_free(r);
	return k;
}
