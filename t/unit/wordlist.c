/* SPDX-License-Identifier: GPL-2.0-only */
/* wordlist test: "table" prints byte, even word, odd word, one line a
 * byte; "choose N" prints N words as axo_words_choose makes them. */
#include <stdio.h>
#include <string.h>

#include "axo.h"
#include "wordlist.h"

int
main(int argc, char **argv)
{
	char out[256];
	unsigned long n;
	int b;

	axo_init("wordlist");
	if (argc == 2 && strcmp(argv[1], "table") == 0) {
		for (b = 0; b < 256; b++)
			printf("%02X %s %s\n", b, axo_words_word(0,
			    (unsigned char)b), axo_words_word(1,
			    (unsigned char)b));
		return 0;
	}
	if (argc != 3 || strcmp(argv[1], "choose") != 0 ||
	    !axo_scan_uint(argv[2], 64, &n))
		axo_usage("wordlist table | wordlist choose N");
	if (axo_words_choose(out, sizeof out, (int)n) == 0 && n > 0)
		axo_die(AXO_EXIT_TEMP, "no room");
	printf("%s\n", out);
	return 0;
}
