/* SPDX-License-Identifier: GPL-2.0-only */
/* spake2-kat: recomputes the last field of each t/vectors/spake2.txt line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "axo.h"
#include "spake2.h"
#include "wormhole.h"

/*
 * Reads vector lines on stdin (format: t/vectors/gen-spake2.py) and
 * prints each with its last field computed by lib/spake2.c and
 * lib/wormhole.c, so that "diff" against the file is the test.
 */

#define MAXF	8
#define MAXB	512

static size_t
unhex(const char *s, unsigned char *out)
{
	size_t n = strlen(s) / 2;

	if (n > MAXB || !axo_scan_hex(s, out, n))
		axo_die(AXO_EXIT_USAGE, "bad hex: %.40s", s);
	return n;
}

static void
pr(char **f, int nf, const unsigned char *out, size_t len)
{
	char hex[2 * MAXB + 1];
	int i;

	for (i = 0; i < nf - 1; i++)
		printf("%s ", f[i]);
	axo_fmt_hex(hex, out, len);
	printf("%s\n", hex);
}

int
main(void)
{
	static char line[8192];
	unsigned char a[MAXB], b[MAXB], c[MAXB], d[MAXB], e[MAXB], out[MAXB];
	unsigned char ent[64], key[32];
	char s1[MAXB + 1], s2[MAXB + 1], *f[MAXF], *p;
	struct axo_spake2 *sp;
	size_t la, lb, lc, ld, le;
	unsigned long n;
	int nf, r;

	axo_init("spake2-kat");
	sp = axo_xmalloc(sizeof *sp);
	while (fgets(line, sizeof line, stdin) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		nf = 0;
		for (p = strtok(line, " "); p && nf < MAXF; p = strtok(NULL, " "))
			f[nf++] = p;
		if (nf == 5 && !strcmp(f[0], "start")) {
			la = unhex(f[1], a);
			lb = unhex(f[2], b);
			if (unhex(f[3], ent) != 64)
				axo_die(AXO_EXIT_USAGE, "entropy is 64 bytes");
			if (axo_spake2_start(sp, a, la, b, lb, ent, out) != 0)
				axo_die(1, "start failed");
			pr(f, nf, out, AXO_SPAKE2_MSGLEN);
		} else if (nf == 6 && !strcmp(f[0], "finish")) {
			la = unhex(f[1], a);
			lb = unhex(f[2], b);
			if (unhex(f[3], ent) != 64)
				axo_die(AXO_EXIT_USAGE, "entropy is 64 bytes");
			lc = unhex(f[4], c);
			if (axo_spake2_start(sp, a, la, b, lb, ent, out) != 0)
				axo_die(1, "start failed");
			r = axo_spake2_finish(sp, c, lc, key);
			if (r != 0)
				axo_die(1, "finish failed: %d", r);
			pr(f, nf, key, 32);
		} else if (nf == 5 && !strcmp(f[0], "derive")) {
			if (unhex(f[1], key) != 32 ||
			    !axo_scan_uint(f[3], MAXB, &n))
				axo_die(AXO_EXIT_USAGE, "bad derive line");
			lb = unhex(f[2], b);
			memcpy(s1, b, lb);
			s1[lb] = '\0';
			axo_wh_derive_key(out, n, key, s1);
			pr(f, nf, out, n);
		} else if (nf == 5 && !strcmp(f[0], "phasekey")) {
			if (unhex(f[1], key) != 32)
				axo_die(AXO_EXIT_USAGE, "bad phasekey line");
			lb = unhex(f[2], b);
			lc = unhex(f[3], c);
			memcpy(s1, b, lb);
			s1[lb] = '\0';
			memcpy(s2, c, lc);
			s2[lc] = '\0';
			axo_wh_phase_key(out, key, s1, s2);
			pr(f, nf, out, 32);
		} else if (nf == 7 && !strcmp(f[0], "seal")) {
			if (unhex(f[1], key) != 32)
				axo_die(AXO_EXIT_USAGE, "bad seal line");
			lb = unhex(f[2], b);
			lc = unhex(f[3], c);
			ld = unhex(f[4], d);
			le = unhex(f[5], e);
			if (ld != 24 || le + 40 > MAXB)
				axo_die(AXO_EXIT_USAGE, "bad seal line");
			memcpy(s1, b, lb);
			s1[lb] = '\0';
			memcpy(s2, c, lc);
			s2[lc] = '\0';
			/* _key.py encrypt_data: nonce || secretbox(pt) */
			axo_wh_phase_key(a, key, s1, s2);
			memcpy(out, d, 24);
			crypto_secretbox_easy(out + 24, e, le, d, a);
			pr(f, nf, out, le + 40);
		} else
			axo_die(AXO_EXIT_USAGE, "bad vector line: %.20s", line);
	}
	axo_free(sp);
	return 0;
}
