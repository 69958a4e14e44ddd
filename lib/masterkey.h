/* SPDX-License-Identifier: GPL-2.0-only */
/* masterkey.h: the master key (a wormhole code) as axo-pake reads it. */
#ifndef AXO_MASTERKEY_H
#define AXO_MASTERKEY_H

#define AXO_MASTERKEY_MAX	128	/* bytes; longer is no wormhole code */

/*
 * axo_masterkey_read: the master key from fd, up to a newline or the
 * end (a CR before the newline dropped), or, with fd -1, from /dev/tty
 * after "master key: " with echo off; never from argv.  Checked as
 * _code.py validate_code: 1 to 16 digits, "-", then printable ASCII
 * without spaces, at most AXO_MASTERKEY_MAX bytes.  Returns it in
 * axo_xmalloc'd memory (axo_free it); dies 100 "bad master key", or
 * without a terminal, 111 when it cannot be read.
 */
char *axo_masterkey_read(int fd);

#endif
