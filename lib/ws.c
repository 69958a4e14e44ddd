/* SPDX-License-Identifier: GPL-2.0-only */
/* ws.c: a bounded WebSocket client (RFC 6455) on libwslay for the mailbox. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <wslay/wslay.h>

#include "axo.h"
#include "ws.h"

/* Mailbox messages are a few hundred bytes; 1 MiB is generous. */
#define WS_MAXMSG	(1u << 20)
#define WS_MAXHDR	8192

struct msgq {
	struct msgq *next;
	size_t len;
	char data[];
};

struct axo_ws {
	int fd;
	wslay_event_context_ptr ctx;
	unsigned char pre[WS_MAXHDR];	/* bytes read past the HTTP reply */
	size_t prelen, preoff;
	struct msgq *head, *tail;
	size_t queued;			/* bytes in the queue */
	char *cur;			/* the message handed out last */
	int err;			/* AXO_WS_E*, sticky */
	int timedout;			/* the last wait ran out (not sticky) */
	int eof;
	char why[160];
	/* The frame headers in the bytes handed to wslay (see scan()). */
	unsigned char hdr[14];
	size_t hlen;
	uint64_t skip;			/* payload bytes left in this frame */
	uint64_t msglen;		/* payload so far of this data message */
};


int
axo_ws_tcp(const char *host, const char *port, long long deadline)
{
	struct addrinfo hints, *res, *ai;
	socklen_t sl;
	int fd = -1, e = ECONNREFUSED, r, soerr;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd == -1) {
			e = errno;
			continue;
		}
		r = connect(fd, ai->ai_addr, ai->ai_addrlen);
		if (r == -1 && errno == EINPROGRESS) {
			r = axo_fd_wait(fd, POLLOUT, deadline);
			if (r == 0) {
				e = ETIMEDOUT;
				r = -1;
			} else if (r == 1) {
				sl = sizeof soerr;
				if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr,
				    &sl) == -1)
					soerr = errno;
				r = soerr ? -1 : 0;
				e = soerr;
			} else
				e = errno;
		} else if (r == -1)
			e = errno;
		if (r == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		errno = e;
	return fd;
}

static void
fail(struct axo_ws *ws, int err, const char *why)
{
	if (ws->err)
		return;
	/* a timeout ends one wait, not the connection: a close may follow */
	if (err == AXO_WS_ETIME) {
		ws->timedout = 1;
		snprintf(ws->why, sizeof ws->why, "%s", why);
		return;
	}
	ws->err = err;
	snprintf(ws->why, sizeof ws->why, "%s", why);
}

/* A failed recv or send: wslay tries again later, or gives up. */
static ssize_t
io_error(wslay_event_context_ptr ctx, struct axo_ws *ws)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else {
		fail(ws, AXO_WS_EIO, strerror(errno));
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	}
	return -1;
}

/*
 * Follows the frame headers (RFC 6455 5.2) in the bytes that recv_cb is
 * about to hand to wslay, and refuses a frame whose length is too large
 * as soon as its header is complete: wslay itself looks at the length
 * only once some payload has come too, so that a bare header of 16 MiB
 * would hold us until the deadline, and its own limit answers with a
 * close frame, not with our reason.  Fragments of one data message are
 * added up (control frames between them excepted).  -1 when too large.
 */
static int
scan(struct axo_ws *ws, const uint8_t *p, size_t n)
{
	uint64_t len;
	size_t need, k, i;
	int op;

	while (n > 0) {
		if (ws->skip > 0) {
			k = ws->skip < n ? (size_t)ws->skip : n;
			ws->skip -= k;
			p += k;
			n -= k;
			continue;
		}
		ws->hdr[ws->hlen++] = *p++;
		n--;
		if (ws->hlen < 2)
			continue;
		need = 2 + ((ws->hdr[1] & 0x7f) == 126 ? 2 :
		    (ws->hdr[1] & 0x7f) == 127 ? 8 : 0) +
		    ((ws->hdr[1] & 0x80) ? 4 : 0);
		if (ws->hlen < need)
			continue;
		len = ws->hdr[1] & 0x7f;
		if (len == 126)
			len = (uint64_t)ws->hdr[2] << 8 | ws->hdr[3];
		else if (len == 127)
			for (len = 0, i = 2; i < 10; i++)
				len = len << 8 | ws->hdr[i];
		op = ws->hdr[0] & 0x0f;
		ws->hlen = 0;
		if (len > WS_MAXMSG) {
			fail(ws, AXO_WS_EPROTO, "frame too large");
			return -1;
		}
		if (op == 0 || op == 1 || op == 2) {
			ws->msglen = op == 0 ? ws->msglen + len : len;
			if (ws->msglen > WS_MAXMSG) {
				fail(ws, AXO_WS_EPROTO, "message too large");
				return -1;
			}
		}
		ws->skip = len;
	}
	return 0;
}

static ssize_t
recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *arg)
{
	struct axo_ws *ws = arg;
	ssize_t r;
	size_t n;
	int one = 1;

	(void)flags;
	if (ws->preoff < ws->prelen) {
		n = ws->prelen - ws->preoff;
		if (n > len)
			n = len;
		memcpy(buf, ws->pre + ws->preoff, n);
		ws->preoff += n;
		if (scan(ws, buf, n) != 0) {
			wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
			return -1;
		}
		return (ssize_t)n;
	}
	r = read(ws->fd, buf, len);
	if (r > 0 && scan(ws, buf, (size_t)r) != 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	if (r > 0) {
		/*
		 * ACK at once: the relay (twisted, Nagle on) holds its next
		 * small message until our ACK, which Linux would delay 40 ms.
		 */
		(void)setsockopt(ws->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
		    sizeof one);
		return r;
	}
	if (r == 0) {
		ws->eof = 1;
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return io_error(ctx, ws);
}

static ssize_t
send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *arg)
{
	struct axo_ws *ws = arg;
	ssize_t r;

	/* header and payload in one segment */
	r = send(ws->fd, data, len, MSG_NOSIGNAL |
	    ((flags & WSLAY_MSG_MORE) ? MSG_MORE : 0));
	if (r >= 0)
		return r;
	return io_error(ctx, ws);
}

static int
genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *arg)
{
	(void)ctx;
	(void)arg;
	/* RFC 6455 5.3: an unpredictable masking key per frame. */
	randombytes_buf(buf, len);
	return 0;
}

static void
msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a,
    void *arg)
{
	struct axo_ws *ws = arg;
	struct msgq *q;

	switch (a->opcode) {
	case WSLAY_TEXT_FRAME:
		/* one read can bring many messages: bound what we hold */
		if (ws->queued + a->msg_length > 4 * WS_MAXMSG) {
			fail(ws, AXO_WS_EPROTO, "too many messages at once");
			wslay_event_shutdown_read(ctx);
			return;
		}
		q = malloc(sizeof *q + a->msg_length + 1);
		if (q == NULL) {
			fail(ws, AXO_WS_EIO, "out of memory");
			return;
		}
		q->next = NULL;
		q->len = a->msg_length;
		ws->queued += q->len;
		if (a->msg_length > 0)
			memcpy(q->data, a->msg, a->msg_length);
		q->data[a->msg_length] = '\0';
		if (ws->tail)
			ws->tail->next = q;
		else
			ws->head = q;
		ws->tail = q;
		break;
	case WSLAY_BINARY_FRAME:
		/* _rendezvous.py WSClient.onMessage asserts not isBinary. */
		fail(ws, AXO_WS_EPROTO, "binary message");
		break;
	case WSLAY_CONNECTION_CLOSE:
		fail(ws, AXO_WS_EIO, "relay closed the websocket");
		break;
	default:
		/* ping is answered by wslay; pong is ignored */
		break;
	}
}

static struct axo_ws *
ws_new(int fd)
{
	struct wslay_event_callbacks cb;
	struct axo_ws *ws;
	int one = 1;

	ws = calloc(1, sizeof *ws);
	if (ws == NULL)
		return NULL;
	ws->fd = fd;
	memset(&cb, 0, sizeof cb);
	cb.recv_callback = recv_cb;
	cb.send_callback = send_cb;
	cb.genmask_callback = genmask_cb;
	cb.on_msg_recv_callback = msg_cb;
	if (wslay_event_context_client_init(&ws->ctx, &cb, ws) != 0) {
		free(ws);
		return NULL;
	}
	/* scan() refuses larger ones first, with a reason */
	wslay_event_config_set_max_recv_msg_length(ws->ctx, WS_MAXMSG);
	/* small messages in a row: Nagle would hold each for an ACK */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return ws;
}

struct axo_ws *
axo_ws_attach(int fd)
{
	return ws_new(fd);
}

/*
 * SHA-1 (FIPS 180-4), only to check Sec-WebSocket-Accept (RFC 6455 4.1):
 * libsodium has no SHA-1 and the check is not a security boundary.
 */
#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
static void
sha1(unsigned char out[20], const unsigned char *in, size_t len)
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
	    0xc3d2e1f0 };
	uint32_t w[80], a, b, c, d, e, f, k, t;
	unsigned char blk[64];
	uint64_t bits = (uint64_t)len * 8;
	size_t off = 0, i, n;
	int last = 0, padded = 0;

	while (!last) {
		n = len - off < 64 ? len - off : 64;
		memset(blk, 0, 64);
		memcpy(blk, in + off, n);
		off += n;
		if (n < 64) {
			if (!padded)
				blk[n] = 0x80;
			padded = 1;
			if (n < 56) {
				for (i = 0; i < 8; i++)
					blk[63 - i] = (unsigned char)(bits >> (8 * i));
				last = 1;
			}
		}
		for (i = 0; i < 16; i++)
			w[i] = (uint32_t)blk[4 * i] << 24 |
			    (uint32_t)blk[4 * i + 1] << 16 |
			    (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
		for (i = 16; i < 80; i++)
			w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
		a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
		for (i = 0; i < 80; i++) {
			if (i < 20) {
				f = (b & c) | (~b & d);
				k = 0x5a827999;
			} else if (i < 40) {
				f = b ^ c ^ d;
				k = 0x6ed9eba1;
			} else if (i < 60) {
				f = (b & c) | (b & d) | (c & d);
				k = 0x8f1bbcdc;
			} else {
				f = b ^ c ^ d;
				k = 0xca62c1d6;
			}
			t = ROL(a, 5) + f + e + k + w[i];
			e = d; d = c; c = ROL(b, 30); b = a; a = t;
		}
		h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
	}
	for (i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(h[i] >> 8);
		out[4 * i + 3] = (unsigned char)h[i];
	}
}

/* a header's value, case-insensitive name, trimmed; NULL if absent */
static int
header(const char *reply, size_t len, const char *name, char *val,
    size_t vallen)
{
	const char *p = reply, *end = reply + len, *eol, *v;
	size_t nl = strlen(name), n;

	/* skip the status line */
	eol = memchr(p, '\n', (size_t)(end - p));
	if (eol == NULL)
		return 0;
	for (p = eol + 1; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' &&
		    strncasecmp(p, name, nl) == 0) {
			v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			n = (size_t)(eol - v);
			while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == ' ' ||
			    v[n - 1] == '\t'))
				n--;
			if (n >= vallen)
				return 0;
			memcpy(val, v, n);
			val[n] = '\0';
			return 1;
		}
		if (eol == end)
			break;
	}
	return 0;
}

int
axo_ws_check_reply(const char *reply, size_t len, const char *key)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char buf[128], want[64], val[128];
	unsigned char dig[20];
	size_t kl = strlen(key);

	/* RFC 6455 4.1: status 101, Upgrade, Connection, the accept hash. */
	if (len < 12 || (memcmp(reply, "HTTP/1.1 101", 12) != 0 &&
	    memcmp(reply, "HTTP/1.0 101", 12) != 0))
		return 0;
	if (!header(reply, len, "upgrade", val, sizeof val) ||
	    strcasecmp(val, "websocket") != 0)
		return 0;
	if (!header(reply, len, "connection", val, sizeof val) ||
	    strcasestr(val, "upgrade") == NULL)
		return 0;
	if (!header(reply, len, "sec-websocket-accept", val, sizeof val))
		return 0;
	if (kl + sizeof guid > sizeof buf)
		return 0;
	memcpy(buf, key, kl);
	memcpy(buf + kl, guid, sizeof guid);
	sha1(dig, (unsigned char *)buf, kl + sizeof guid - 1);
	sodium_bin2base64(want, sizeof want, dig, sizeof dig,
	    sodium_base64_VARIANT_ORIGINAL);
	return strcmp(want, val) == 0;
}

struct axo_ws *
axo_ws_open(int fd, const char *host, const char *port, const char *path,
    long long deadline, int *err, char *why, size_t whylen)
{
	struct axo_ws *ws;
	unsigned char nonce[16];
	char key[32], req[1024], rep[WS_MAXHDR];
	const char *e;
	size_t got = 0, off = 0;
	ssize_t r;
	int n;

	*err = AXO_WS_EIO;
	ws = ws_new(fd);
	if (ws == NULL) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	randombytes_buf(nonce, sizeof nonce);
	sodium_bin2base64(key, sizeof key, nonce, sizeof nonce,
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(req, sizeof req,
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s:%s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Pragma: no-cache\r\n"
	    "Cache-Control: no-cache\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n", path, host, port, key);
	if (n < 0 || (size_t)n >= sizeof req) {
		*err = AXO_WS_EPROTO;
		snprintf(why, whylen, "relay url too long");
		goto bad;
	}
	while (off < (size_t)n) {
		r = send(fd, req + off, (size_t)n - off, MSG_NOSIGNAL);
		if (r > 0) {
			off += (size_t)r;
			continue;
		}
		if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
			r = axo_fd_wait(fd, POLLOUT, deadline);
			if (r == 1)
				continue;
			if (r == 0)
				*err = AXO_WS_ETIME;
		}
		snprintf(why, whylen, "%s", *err == AXO_WS_ETIME ?
		    "timed out" : strerror(errno));
		goto bad;
	}
	/* Read up to the blank line; keep what follows for the frames. */
	for (;;) {
		e = got >= 4 ? memmem(rep, got, "\r\n\r\n", 4) : NULL;
		if (e != NULL)
			break;
		if (got == sizeof rep) {
			*err = AXO_WS_EPROTO;
			snprintf(why, whylen, "http reply too long");
			goto bad;
		}
		r = read(fd, rep + got, sizeof rep - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0) {
			snprintf(why, whylen, "relay closed the connection");
			goto bad;
		}
		if (errno == EAGAIN || errno == EINTR) {
			r = axo_fd_wait(fd, POLLIN, deadline);
			if (r == 1)
				continue;
			if (r == 0) {
				*err = AXO_WS_ETIME;
				snprintf(why, whylen, "timed out");
				goto bad;
			}
		}
		snprintf(why, whylen, "%s", strerror(errno));
		goto bad;
	}
	if (!axo_ws_check_reply(rep, (size_t)(e - rep) + 2, key)) {
		*err = AXO_WS_EPROTO;
		snprintf(why, whylen, "not a websocket upgrade reply");
		goto bad;
	}
	ws->prelen = got - (size_t)(e + 4 - rep);
	memcpy(ws->pre, e + 4, ws->prelen);
	*err = 0;
	return ws;
bad:
	ws->fd = -1;
	axo_ws_close(ws);
	return NULL;
}

/* push queued frames out, bounded */
static int
flush(struct axo_ws *ws, long long deadline)
{
	int r;

	while (!ws->err && wslay_event_want_write(ws->ctx)) {
		if (wslay_event_send(ws->ctx) != 0) {
			fail(ws, AXO_WS_EIO, "unable to send to the relay");
			break;
		}
		if (!wslay_event_want_write(ws->ctx))
			break;
		r = axo_fd_wait(ws->fd, POLLOUT, deadline);
		if (r == 0) {
			fail(ws, AXO_WS_ETIME, "timed out");
			return -1;
		} else if (r == -1)
			fail(ws, AXO_WS_EIO, strerror(errno));
	}
	return ws->err ? -1 : 0;
}

int
axo_ws_send(struct axo_ws *ws, const char *msg, size_t len, long long deadline)
{
	struct wslay_event_msg m;

	if (ws->err)
		return -1;
	/* Every mailbox message is one text frame (reference section 3). */
	m.opcode = WSLAY_TEXT_FRAME;
	m.msg = (const uint8_t *)msg;
	m.msg_length = len;
	if (wslay_event_queue_msg(ws->ctx, &m) != 0) {
		fail(ws, AXO_WS_EIO, "unable to queue a websocket frame");
		return -1;
	}
	return flush(ws, deadline);
}

int
axo_ws_recv(struct axo_ws *ws, const char **msg, size_t *len,
    long long deadline)
{
	struct msgq *q;
	int r;

	free(ws->cur);
	ws->cur = NULL;
	ws->timedout = 0;
	for (;;) {
		if (ws->head != NULL) {
			q = ws->head;
			ws->head = q->next;
			if (ws->head == NULL)
				ws->tail = NULL;
			ws->queued -= q->len;
			/* the struct is the allocation; hand out its data */
			ws->cur = (char *)q;
			*msg = q->data;
			*len = q->len;
			return 0;
		}
		if (ws->err)
			return -1;
		if (ws->eof) {
			fail(ws, AXO_WS_EIO, "relay closed the connection");
			return -1;
		}
		if (!wslay_event_want_read(ws->ctx)) {
			/* wslay stops reading after a protocol error */
			fail(ws, AXO_WS_EPROTO, "bad frame");
			return -1;
		}
		if (ws->preoff >= ws->prelen) {
			r = axo_fd_wait(ws->fd, POLLIN, deadline);
			if (r == 0) {
				fail(ws, AXO_WS_ETIME, "timed out");
				return -1;
			}
			if (r == -1) {
				fail(ws, AXO_WS_EIO, strerror(errno));
				return -1;
			}
		}
		if (wslay_event_recv(ws->ctx) != 0 && !ws->err && !ws->eof)
			fail(ws, AXO_WS_EPROTO, "bad frame");
		/* pongs and close replies queued by wslay */
		(void)flush(ws, deadline);
		if (ws->eof && ws->head == NULL && !ws->err)
			fail(ws, AXO_WS_EIO, "relay closed the connection");
	}
}

const char *
axo_ws_why(const struct axo_ws *ws)
{
	return ws->why;
}

int
axo_ws_err(const struct axo_ws *ws)
{
	return ws->err ? ws->err : ws->timedout ? AXO_WS_ETIME : 0;
}

void
axo_ws_close(struct axo_ws *ws)
{
	struct msgq *q;

	if (ws == NULL)
		return;
	while ((q = ws->head) != NULL) {
		ws->head = q->next;
		free(q);
	}
	free(ws->cur);
	wslay_event_context_free(ws->ctx);
	if (ws->fd != -1)
		close(ws->fd);
	free(ws);
}
