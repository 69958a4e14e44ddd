/* SPDX-License-Identifier: GPL-2.0-only */
/* socks5: test driver of lib/socks5.c, copies stdin to the stream and back. */
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axo.h"
#include "socks5.h"

#define USAGE "socks5 proxyport host port timeout_ms"

/*
 * Connects through the SOCKS5 proxy on 127.0.0.1:proxyport, writes all of
 * stdin to the stream, shuts down its write side, then copies the stream
 * to stdout until EOF.  Exit 0; 1 when the proxy answered with a refusal
 * (the code is in the message); 99 when it broke the protocol; 111 for
 * any other failure.
 */
int
main(int argc, char **argv)
{
	unsigned long pp, port, to;
	unsigned char buf[65536];
	char err[256];
	ssize_t r;
	int fd, rep;

	axo_init("socks5");
	if (argc != 5 || !axo_scan_uint(argv[1], 65535, &pp) ||
	    !axo_scan_uint(argv[3], 65535, &port) ||
	    !axo_scan_uint(argv[4], 600000, &to))
		axo_usage(USAGE);
	fd = axo_socks5_open("127.0.0.1", (uint16_t)pp, argv[2],
	    (uint16_t)port, (unsigned)to, &rep, err, sizeof err);
	if (fd == -1)
		axo_die(rep > 0 ? AXO_EXIT_NO : rep == -2 ? 99 : AXO_EXIT_TEMP,
		    "%s", err);
	while ((r = read(0, buf, sizeof buf)) > 0)
		if (axo_writeall(fd, buf, (size_t)r) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to write");
	if (r == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read stdin");
	shutdown(fd, SHUT_WR);
	while ((r = read(fd, buf, sizeof buf)) > 0)
		if (axo_writeall(1, buf, (size_t)r) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to write stdout");
	if (r == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read stream");
	return 0;
}
