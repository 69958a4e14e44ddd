/* SPDX-License-Identifier: GPL-2.0-only */
/* smp-bench: one whole SMP run, both sides in one process: lib/smp.c against libotr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>
#include <libotr/proto.h>
#include <libotr/sm.h>

#include "axo.h"
#include "smp.h"

/*
 * Built by t/bench/smp.sh, never by make: it links libotr (-lotr), which
 * the programs do not.  Usage: smp-bench [runs].  Each run is the whole
 * protocol, both roles, all four messages, from the secret to the
 * verdict: for us axo_smp_new twice, step1..step5, free; for libotr
 * state_init twice, otrl_sm_step1, 2a, 2b, 3, 4, 5, free (its 1536-bit
 * MODP group, SHA-256 as OTRv3 has it).  Prints the median and the
 * fastest run of each in microseconds, and the ratios.
 * Both must find equal secrets equal and different ones different, or
 * the bench fails: a bench of a broken run measures nothing.
 */

static const unsigned char sid[32] = "axotor smp bench session id 32b";

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* 1 for a match, 0 for a mismatch, -1 for a failure. */
static int
ours(const char *sa, const char *sb)
{
	unsigned char m1[AXO_SMP_MSG1_LEN], m2[AXO_SMP_MSG2_LEN];
	unsigned char m3[AXO_SMP_MSG3_LEN], m4[AXO_SMP_MSG4_LEN];
	struct axo_smp *a, *b;
	int ma = -1, mb = -1, r;

	a = axo_smp_new(1, sid, sizeof sid, NULL, 0, NULL, 0,
	    (const unsigned char *)sa, strlen(sa));
	b = axo_smp_new(0, sid, sizeof sid, NULL, 0, NULL, 0,
	    (const unsigned char *)sb, strlen(sb));
	r = axo_smp_step1(a, m1) || axo_smp_step2(b, m1, sizeof m1, m2) ||
	    axo_smp_step3(a, m2, sizeof m2, m3) ||
	    axo_smp_step4(b, m3, sizeof m3, m4, &mb) ||
	    axo_smp_step5(a, m4, sizeof m4, &ma);
	axo_smp_free(a);
	axo_smp_free(b);
	if (r != 0 || ma != mb)
		return -1;
	return ma;
}

static int
otr(const char *sa, const char *sb)
{
	OtrlSMState a, b;
	unsigned char *m1 = NULL, *m2 = NULL, *m3 = NULL, *m4 = NULL;
	int l1, l2, l3, l4, r;

	otrl_sm_state_new(&a);
	otrl_sm_state_new(&b);
	otrl_sm_state_init(&a);
	otrl_sm_state_init(&b);
	/* libotr 4.1 says "differ" from steps 4 and 5 with an error code
	 * and sm_prog_state FAILED; a cheat with state CHEATED. */
	r = otrl_sm_step1(&a, (const unsigned char *)sa, (int)strlen(sa),
	    &m1, &l1) ||
	    otrl_sm_step2a(&b, m1, l1, 0) ||
	    otrl_sm_step2b(&b, (const unsigned char *)sb, (int)strlen(sb),
	    &m2, &l2) ||
	    otrl_sm_step3(&a, m2, l2, &m3, &l3);
	if (r == 0) {
		(void)otrl_sm_step4(&b, m3, l3, &m4, &l4);
		if (m4 != NULL)
			(void)otrl_sm_step5(&a, m4, l4);
	}
	free(m1);
	free(m2);
	free(m3);
	free(m4);
	if (r != 0 || a.sm_prog_state != b.sm_prog_state)
		r = -1;
	else
		r = a.sm_prog_state == OTRL_SMP_PROG_SUCCEEDED ? 1 :
		    a.sm_prog_state == OTRL_SMP_PROG_FAILED ? 0 : -1;
	otrl_sm_state_free(&a);
	otrl_sm_state_free(&b);
	return r;
}

static void
measure(const char *name, int (*f)(const char *, const char *), int runs,
    double *median, double *best)
{
	double *t, t0;
	int i;

	t = calloc((size_t)runs, sizeof *t);
	if (t == NULL)
		axo_die(AXO_EXIT_TEMP, "out of memory");
	if (f("swordfish", "swordfish") != 1 || f("swordfish", "swordfisk") != 0)
		axo_die(AXO_EXIT_TEMP, "%s: a check run gave a wrong verdict",
		    name);
	for (i = 0; i < runs; i++) {
		t0 = now_us();
		if (f("swordfish", "swordfish") != 1)
			axo_die(AXO_EXIT_TEMP, "%s: a run failed", name);
		t[i] = now_us() - t0;
	}
	qsort(t, (size_t)runs, sizeof *t, cmp);
	*median = t[runs / 2];
	*best = t[0];
	free(t);
}

int
main(int argc, char **argv)
{
	unsigned long runs = 200;
	double om, ob, lm, lb;

	axo_init("smp-bench");
	OTRL_INIT;
	otrl_sm_init();
	if (argc > 2 || (argc == 2 && (!axo_scan_uint(argv[1], 100000, &runs) ||
	    runs == 0)))
		axo_usage("smp-bench [runs]");
	/* Interleave nothing: each library gets the CPU to itself in turn. */
	measure("axo-smp", ours, (int)runs, &om, &ob);
	measure("libotr", otr, (int)(runs / 10 ? runs / 10 : 1), &lm, &lb);
	printf("| implementation | group | median µs per run | fastest µs |\n");
	printf("|---|---|---:|---:|\n");
	printf("| lib/smp.c (axo-smp) | ristretto255 | %.0f | %.0f |\n", om, ob);
	printf("| libotr %s otrl_sm_step1..5 | 1536-bit MODP | %.0f | %.0f |\n",
	    OTRL_VERSION, lm, lb);
	/* The fastest runs are the least disturbed by a busy machine. */
	printf("\naxo-smp is %.1fx faster than libotr by the medians, "
	    "%.1fx by the fastest runs\n(%lu runs of ours, %lu of libotr, "
	    "both sides in one process)\n", lm / om, lb / ob, runs,
	    runs / 10 ? runs / 10 : 1);
	return 0;
}
