/* SPDX-License-Identifier: GPL-2.0-only */
/* masterkey.c: the master key (a wormhole code) as axo-pake reads it. */
#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "axo.h"
#include "masterkey.h"

char *
axo_masterkey_read(int fd)
{
	struct termios t, t0;
	char *code;
	ssize_t r;
	size_t len = 0, i;
	int tty = -1;

	code = axo_xmalloc(AXO_MASTERKEY_MAX + 2);
	if (fd == -1) {
		tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (tty == -1) {
			axo_die(AXO_EXIT_USAGE,
			    "no terminal to read the master key from: use -k FD");
		}
		if (tcgetattr(tty, &t0) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read terminal settings");
		t = t0;
		t.c_lflag &= ~(tcflag_t)ECHO;
		t.c_lflag |= ICANON;
		(void)!write(tty, "master key: ", 12);
		if (tcsetattr(tty, TCSAFLUSH, &t) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to turn echo off");
		fd = tty;
	}
	/* up to a newline or EOF; a key that long is not a wormhole code */
	while (len < AXO_MASTERKEY_MAX + 1) {
		r = read(fd, code + len, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to read the master key");
		if (r == 0 || code[len] == '\n')
			break;
		len++;
	}
	if (tty != -1) {
		(void)tcsetattr(tty, TCSAFLUSH, &t0);
		(void)!write(tty, "\n", 1);
		close(tty);
	}
	if (len > 0 && code[len - 1] == '\r')
		len--;
	code[len] = '\0';
	/* _code.py validate_code: digits, "-", then no spaces */
	for (i = 0; i < len && code[i] >= '0' && code[i] <= '9'; i++)
		;
	if (len > AXO_MASTERKEY_MAX || i == 0 || i > 16 || i + 1 >= len || code[i] != '-')
		goto bad;
	for (; i < len; i++)
		if (code[i] <= 0x20 || code[i] >= 0x7f)
			goto bad;
	return code;
bad:
	axo_die(AXO_EXIT_USAGE,
	    "bad master key: want digits, a hyphen and words, like 93-xyz1zy");
}
