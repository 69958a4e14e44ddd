/* SPDX-License-Identifier: GPL-2.0-only */
/* ws_frame: libFuzzer target for lib/ws.c, the relay's bytes after the upgrade. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "ws.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input starting with "HTTP/" is an upgrade reply for axo_ws_check_reply
 * (the RFC 6455 1.3 sample key); anything else is what a relay sends
 * after the handshake, read through a socket pair as from the network
 * until the end: frames, fragments, pings, closes.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct axo_ws *ws;
	const char *m;
	size_t n, off = 0;
	ssize_t w;
	int sv[2], i;

	if (!init) {
		if (sodium_init() < 0)
			return 0;
		init = 1;
	}
	if (size >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		(void)axo_ws_check_reply((const char *)data, size,
		    "dGhlIHNhbXBsZSBub25jZQ==");
		return 0;
	}
	/* a socket pair buffers well over 64 KiB: one write, no reader */
	if (size > 65536 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return 0;
	while (off < size) {
		w = write(sv[1], data + off, size - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	shutdown(sv[1], SHUT_WR);
	ws = axo_ws_attach(sv[0]);
	if (ws == NULL) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	/* the oracle: no message handed out is longer than the 1 MiB that
	 * ws.c refuses at the header (issue 11) */
	for (i = 0; i < 4096; i++) {
		if (axo_ws_recv(ws, &m, &n, axo_clock_ms() + 100) != 0)
			break;
		if (n > (1u << 20) || strlen(m) > n)
			abort();
	}
	axo_ws_close(ws);
	close(sv[1]);
	return 0;
}
