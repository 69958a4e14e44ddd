/* SPDX-License-Identifier: GPL-2.0-only */
/* wordlist.h: the PGP word list of magic-wormhole's codes. */
#ifndef AXO_WORDLIST_H
#define AXO_WORDLIST_H

#include <stddef.h>

/*
 * axo_words_choose: n random words joined by "-" into out (max bytes,
 * the NUL included), as wormhole send makes the code after its
 * nameplate (_wordlist.py choose_words): odd words first, then even,
 * alternating, each byte from randombytes.  Returns the length, or 0
 * (out wiped) when max is too small.  out is a secret: axo_xmalloc it.
 */
size_t axo_words_choose(char *out, size_t max, int n);
/* the word of byte b in the odd list (parity 1) or the even list (0),
 * for the test that checks the table against wormhole's own */
const char *axo_words_word(int parity, unsigned char b);

#endif
