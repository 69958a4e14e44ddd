/* SPDX-License-Identifier: GPL-2.0-only */
/* flip: copy stdin to stdout with the byte at OFFSET xored with MASK. */
#include <stdio.h>

#include "axo.h"

int
main(int argc, char **argv)
{
	unsigned long off, mask = 1, i = 0;
	int c;

	axo_init("flip");
	if (argc < 2 || argc > 3 || !axo_scan_uint(argv[1], ~0UL, &off) ||
	    (argc == 3 && (!axo_scan_uint(argv[2], 255, &mask) || !mask)))
		axo_usage("flip offset [mask] <in >out");
	while ((c = getchar()) != EOF) {
		if (i++ == off)
			c ^= (int)mask;
		putchar(c);
	}
	if (off >= i)
		axo_die(AXO_EXIT_USAGE, "offset %lu is past the end", off);
	return fflush(stdout) != 0;
}
