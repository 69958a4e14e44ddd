/* SPDX-License-Identifier: GPL-2.0-only */
/* socks5.c: a SOCKS5 client (RFC 1928) for tor's SocksPort, bounded in time. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "socks5.h"

void
axo_socks5_new_iso(char out[AXO_SOCKS5_ISO_LEN + 1])
{
	unsigned char r[AXO_SOCKS5_ISO_LEN / 2];

	randombytes_buf(r, sizeof r);
	axo_fmt_hex(out, r, sizeof r);
}

unsigned
axo_socks5_attempt_ms(long long left, unsigned long total_ms)
{
	unsigned long a = total_ms / 3;

	if (a < AXO_SOCKS5_ATTEMPT_MIN)
		a = AXO_SOCKS5_ATTEMPT_MIN;
	if (left < 1)
		return 1;
	return left < (long long)a ? (unsigned)left : (unsigned)a;
}

/*
 * The reply codes in words: RFC 1928 section 6 for 0x00-0x08, tor's
 * extended errors (torspec socks-extensions.txt, "Extended error codes",
 * given by a SocksPort with ExtendedErrors) for 0xF0-0xF7.
 */
const char *
axo_socks5_strrep(int rep)
{
	switch (rep) {
	case 0x00: return "succeeded";
	case 0x01: return "general SOCKS server failure";
	case 0x02: return "connection not allowed by ruleset";
	case 0x03: return "network unreachable";
	case 0x04: return "host unreachable";
	case 0x05: return "connection refused";
	case 0x06: return "TTL expired";
	case 0x07: return "command not supported";
	case 0x08: return "address type not supported";
	case 0xf0: return "onion service descriptor can not be found";
	case 0xf1: return "onion service descriptor is invalid";
	case 0xf2: return "onion service introduction failed";
	case 0xf3: return "onion service rendezvous failed";
	case 0xf4: return "onion service missing client authorization";
	case 0xf5: return "onion service wrong client authorization";
	case 0xf6: return "onion service invalid address";
	case 0xf7: return "onion service introduction timed out";
	default: return "unknown reply code";
	}
}

int
axo_socks5_retryable(int rep)
{
	/*
	 * Worth another try after a pause: the descriptor may not be on the
	 * HSDirs yet (0xF0, tornet.md gotcha 10), or one circuit failed
	 * (0xF2, 0xF3, 0xF7, 0x06 ttl/timeout).  Missing or wrong client
	 * authorization and a bad address are definite.
	 */
	return rep == 0xf0 || rep == 0xf2 || rep == 0xf3 || rep == 0xf7 ||
	    rep == 0x06;
}

int
axo_socks5_parse_reply(const unsigned char *buf, size_t len, int *rep,
    char *err, size_t errlen)
{
	size_t need;

	/* VER REP RSV ATYP BND.ADDR BND.PORT (RFC 1928 section 6) */
	if (len >= 1 && buf[0] != 0x05) {
		snprintf(err, errlen, "proxy sent a bad reply: version 0x%02x",
		    buf[0]);
		return -1;
	}
	if (len >= 2)
		*rep = buf[1];
	if (len >= 3 && buf[2] != 0x00) {
		snprintf(err, errlen, "proxy sent a bad reply: reserved byte 0x%02x",
		    buf[2]);
		return -1;
	}
	if (len < 5)
		return 0;
	switch (buf[3]) {
	case 0x01:
		need = 4 + 4 + 2;
		break;
	case 0x03:
		if (buf[4] == 0) {
			snprintf(err, errlen,
			    "proxy sent a bad reply: empty bound name");
			return -1;
		}
		need = 4 + 1 + buf[4] + 2;
		break;
	case 0x04:
		need = 4 + 16 + 2;
		break;
	default:
		snprintf(err, errlen,
		    "proxy sent a bad reply: address type 0x%02x", buf[3]);
		return -1;
	}
	if (len < need)
		return 0;
	return (int)need;
}

/*
 * Reads exactly len bytes before the deadline: 0, or with a message -1
 * (system error, time out) or -2 (EOF: the proxy broke the protocol).
 * Never reads past len: what follows the reply belongs to the stream.
 */
static int
read_exact(int fd, unsigned char *buf, size_t len,
    long long deadline, char *err, size_t errlen)
{
	size_t got = 0;
	ssize_t r;
	int w;

	while (got < len) {
		w = axo_fd_wait(fd, POLLIN, deadline);
		if (w == 0) {
			snprintf(err, errlen, "proxy did not reply in time");
			return -3;
		}
		if (w == -1) {
			snprintf(err, errlen, "unable to poll: %s",
			    strerror(errno));
			return -1;
		}
		r = read(fd, buf + got, len - got);
		if (r == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		/* a reset is the proxy closing on us, as an EOF is */
		if (r == -1 && errno == ECONNRESET)
			r = 0;
		if (r == -1) {
			snprintf(err, errlen, "unable to read from proxy: %s",
			    strerror(errno));
			return -1;
		}
		if (r == 0) {
			snprintf(err, errlen, "proxy closed the connection");
			return -2;
		}
		got += (size_t)r;
	}
	return 0;
}

static int
write_all(int fd, const unsigned char *buf, size_t len,
    long long deadline, char *err, size_t errlen)
{
	ssize_t w;
	int r;

	while (len > 0) {
		r = axo_fd_wait(fd, POLLOUT, deadline);
		if (r <= 0) {
			snprintf(err, errlen, "unable to write to proxy: %s",
			    r == 0 ? "timed out" : strerror(errno));
			return -1;
		}
		w = write(fd, buf, len);
		if (w == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w == -1 && (errno == EPIPE || errno == ECONNRESET)) {
			snprintf(err, errlen, "proxy closed the connection");
			return -2;
		}
		if (w == -1) {
			snprintf(err, errlen, "unable to write to proxy: %s",
			    strerror(errno));
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
axo_socks5_open(const char *proxy_host, uint16_t proxy_port,
    const char *host, uint16_t port, unsigned timeout_ms, int *rep,
    char *err, size_t errlen)
{
	return axo_socks5_open_iso(proxy_host, proxy_port, host, port,
	    timeout_ms, NULL, rep, err, errlen);
}

int
axo_socks5_open_iso(const char *proxy_host, uint16_t proxy_port,
    const char *host, uint16_t port, unsigned timeout_ms, const char *iso,
    int *rep, char *err, size_t errlen)
{
	struct sockaddr_in sa;
	long long deadline;
	unsigned char req[4 + 1 + 255 + 2], rbuf[4 + 1 + 255 + 2];
	size_t hlen, n, ilen = iso != NULL ? strlen(iso) : 0;
	socklen_t sl;
	int fd, r, soerr, fl;

	*rep = -1;
	if (errlen > 0)
		err[0] = '\0';
	hlen = strlen(host);
	if (hlen == 0 || hlen > 255) {
		snprintf(err, errlen, "host name must be 1 to 255 bytes");
		return -1;
	}
	if (ilen > 255) {
		snprintf(err, errlen, "isolation token longer than 255 bytes");
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons(proxy_port);
	if (inet_pton(AF_INET, proxy_host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "proxy address is not numeric IPv4: %s",
		    proxy_host);
		return -1;
	}
	deadline = axo_clock_ms() + timeout_ms;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "unable to create socket: %s",
		    strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		if (errno != EINPROGRESS) {
			snprintf(err, errlen, "unable to connect to proxy %s:%u: %s",
			    proxy_host, proxy_port, strerror(errno));
			goto fail;
		}
		r = axo_fd_wait(fd, POLLOUT, deadline);
		if (r <= 0) {
			snprintf(err, errlen, "unable to connect to proxy %s:%u: %s",
			    proxy_host, proxy_port,
			    r == 0 ? "timed out" : strerror(errno));
			goto fail;
		}
		sl = sizeof soerr;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1)
			soerr = errno;
		if (soerr != 0) {
			snprintf(err, errlen, "unable to connect to proxy %s:%u: %s",
			    proxy_host, proxy_port, strerror(soerr));
			goto fail;
		}
	}

	/*
	 * Greeting: version 5, "no authentication" (section 3), and with an
	 * isolation token "username/password" too: tor (IsolateSOCKSAuth, on
	 * by default) puts a stream with new credentials on a new circuit,
	 * so that a retry does not wait on the circuit that stalled.
	 */
	if ((r = write_all(fd, (const unsigned char *)(iso != NULL ?
	    "\x05\x02\x00\x02" : "\x05\x01\x00"), iso != NULL ? 4 : 3,
	    deadline, err, errlen)) != 0)
		goto failr;
	if ((r = read_exact(fd, rbuf, 2, deadline, err, errlen)) != 0)
		goto failr;
	if (rbuf[0] != 0x05) {
		snprintf(err, errlen, "proxy sent a bad reply: version 0x%02x",
		    rbuf[0]);
		goto bad;
	}
	if (rbuf[1] == 0x02 && iso != NULL) {
		/* RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD; tor takes any */
		n = 0;
		req[n++] = 0x01;
		req[n++] = (unsigned char)ilen;
		memcpy(req + n, iso, ilen);
		n += ilen;
		req[n++] = 0x01;
		req[n++] = 'x';
		if ((r = write_all(fd, req, n, deadline, err, errlen)) != 0 ||
		    (r = read_exact(fd, rbuf, 2, deadline, err, errlen)) != 0)
			goto failr;
		if (rbuf[0] != 0x01 || rbuf[1] != 0x00) {
			snprintf(err, errlen, "proxy refused the isolation "
			    "username (status 0x%02x)", rbuf[1]);
			goto bad;
		}
	} else if (rbuf[1] != 0x00) {
		snprintf(err, errlen,
		    "proxy refused every offered method (method 0x%02x)",
		    rbuf[1]);
		goto bad;
	}

	/* CONNECT to a domain name (ATYP 3) that the proxy resolves (4). */
	n = 0;
	req[n++] = 0x05;
	req[n++] = 0x01;
	req[n++] = 0x00;
	req[n++] = 0x03;
	req[n++] = (unsigned char)hlen;
	memcpy(req + n, host, hlen);
	n += hlen;
	req[n++] = (unsigned char)(port >> 8);
	req[n++] = (unsigned char)(port & 0xff);
	if ((r = write_all(fd, req, n, deadline, err, errlen)) != 0)
		goto failr;

	/* The reply's length is known after 5 bytes; read no further. */
	n = 5;
	if ((r = read_exact(fd, rbuf, n, deadline, err, errlen)) != 0)
		goto failr;
	r = axo_socks5_parse_reply(rbuf, n, rep, err, errlen);
	if (r == 0) {
		/* r == 0 means more bytes: the parser says how many in total */
		size_t total;

		total = rbuf[3] == 0x01 ? 10 : rbuf[3] == 0x04 ? 22 :
		    (size_t)7 + rbuf[4];
		if ((r = read_exact(fd, rbuf + n, total - n, deadline, err,
		    errlen)) != 0)
			goto failr;
		n = total;
		r = axo_socks5_parse_reply(rbuf, n, rep, err, errlen);
	}
	if (r <= 0) {
		if (r == 0)
			snprintf(err, errlen, "proxy sent a bad reply");
		goto bad;
	}
	if (*rep != 0x00) {
		snprintf(err, errlen, "proxy refused: %s (socks5 reply 0x%02x)",
		    axo_socks5_strrep(*rep), *rep);
		goto fail;
	}

	/* Connected: hand back a plain blocking socket. */
	fl = fcntl(fd, F_GETFL);
	if (fl == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		snprintf(err, errlen, "unable to set socket blocking: %s",
		    strerror(errno));
		*rep = -1;
		goto fail;
	}
	return fd;
failr:
	if (r == -2)
		goto bad;
	/* a proxy that took the connection but says nothing: a stall */
	*rep = r == -3 ? AXO_SOCKS5_STALL : -1;
	close(fd);
	return -1;
bad:
	*rep = -2;
fail:
	close(fd);
	return -1;
}

int
axo_socks5_connect(const char *proxy_host, uint16_t proxy_port,
    const char *host, uint16_t port, unsigned timeout_ms, char *err,
    size_t errlen)
{
	int rep;

	return axo_socks5_open(proxy_host, proxy_port, host, port,
	    timeout_ms, &rep, err, errlen);
}
