/* SPDX-License-Identifier: GPL-2.0-only */
/* element test: smp|spake2 HEX: is it an element the protocol takes? */
#include <stdio.h>
#include <string.h>

#include "axo.h"
#include "smp.h"
#include "spake2.h"

/*
 * Prints "yes" (exit 0) or "no" (exit 1) for one 32-byte encoding, as
 * lib/smp.c (ristretto255) or lib/spake2.c (Ed25519) decides on receipt;
 * t/axo-smp.bats and t/axo-pake.bats give it the encodings of issue 11.
 */
int
main(int argc, char **argv)
{
	unsigned char e[32];
	int ok;

	axo_init("element");
	if (argc != 3 || !axo_scan_hex(argv[2], e, sizeof e))
		axo_usage("element smp|spake2 hex");
	if (strcmp(argv[1], "smp") == 0)
		ok = axo_smp_element_ok(e);
	else if (strcmp(argv[1], "spake2") == 0)
		ok = axo_spake2_element_ok(e);
	else
		axo_usage("element smp|spake2 hex");
	printf("%s\n", ok ? "yes" : "no");
	return ok ? 0 : 1;
}
