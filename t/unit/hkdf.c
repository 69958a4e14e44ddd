/* SPDX-License-Identifier: GPL-2.0-only */
/* hkdf test: HKDF-SHA256 [salt|-] ikm info L, all hex; prints OKM hex. */
#include <stdio.h>
#include <string.h>

#include "axo.h"
#include "hkdf.h"

static size_t
hex(const char *s, unsigned char *out, size_t max)
{
	size_t n = strlen(s) / 2;

	if (n > max || !axo_scan_hex(s, out, n))
		axo_die(AXO_EXIT_USAGE, "bad hex");
	return n;
}

int
main(int argc, char **argv)
{
	unsigned char salt[256], ikm[256], info[256], okm[255 * 32];
	char out[2 * sizeof okm + 1];
	size_t sl, il, nl;
	unsigned long l;

	axo_init("hkdf");
	if (argc != 5 || !axo_scan_uint(argv[4], sizeof okm, &l))
		axo_usage("hkdf salt|- ikm info L");
	sl = strcmp(argv[1], "-") ? hex(argv[1], salt, sizeof salt) : 0;
	il = hex(argv[2], ikm, sizeof ikm);
	nl = hex(argv[3], info, sizeof info);
	if (axo_hkdf(okm, l, strcmp(argv[1], "-") ? salt : NULL, sl, ikm, il,
	    info, nl) != 0)
		axo_die(AXO_EXIT_USAGE, "L too large");
	axo_fmt_hex(out, okm, l);
	puts(out);
	return 0;
}
