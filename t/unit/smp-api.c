/* SPDX-License-Identifier: GPL-2.0-only */
/* smp-api test: lib/smp.c's contract: sizes, step order, dead states, replays. */
#include <stdio.h>
#include <string.h>

#include "axo.h"
#include "smp.h"

/*
 * Prints one line per check, "ok what" or "FAIL what", and exits 1 if
 * any failed; t/axo-smp.bats compares the whole output.
 */

static const unsigned char sid[32] = "smp-api test session id, 32 byte";
static const unsigned char sid2[32] = "smp-api test session id, 32 bytf";
static int failed;

static void
say(int ok, const char *what)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failed = 1;
}

static struct axo_smp *
mk(int initiator, const unsigned char *s, const char *secret)
{
	return axo_smp_new(initiator, s, 32, (const unsigned char *)"a", 1,
	    (const unsigned char *)"b", 1, (const unsigned char *)secret,
	    strlen(secret));
}

struct run {
	struct axo_smp *a, *b;
	unsigned char m1[AXO_SMP_MSG1_LEN], m2[AXO_SMP_MSG2_LEN];
	unsigned char m3[AXO_SMP_MSG3_LEN], m4[AXO_SMP_MSG4_LEN];
	int ma, mb;
};

/* An honest run up to and including message last. */
static int
run(struct run *r, const char *sa, const char *sb, int last)
{
	r->a = mk(1, sid, sa);
	r->b = mk(0, sid, sb);
	r->ma = r->mb = -1;
	if (axo_smp_step1(r->a, r->m1) != 0)
		return -1;
	if (last >= 2 && axo_smp_step2(r->b, r->m1, sizeof r->m1, r->m2) != 0)
		return -1;
	if (last >= 3 && axo_smp_step3(r->a, r->m2, sizeof r->m2, r->m3) != 0)
		return -1;
	if (last >= 4 && axo_smp_step4(r->b, r->m3, sizeof r->m3, r->m4,
	    &r->mb) != 0)
		return -1;
	if (last >= 5 && axo_smp_step5(r->a, r->m4, sizeof r->m4, &r->ma) != 0)
		return -1;
	return 0;
}

static void
done(struct run *r)
{
	axo_smp_free(r->a);
	axo_smp_free(r->b);
}

int
main(void)
{
	unsigned char big[AXO_SMP_SECRET_MAX + 1], m[AXO_SMP_MSG_MAX];
	unsigned char o[AXO_SMP_MSG_MAX];
	struct run r, s;
	struct axo_smp *st;
	int match = -1;

	axo_init("smp-api");
	memset(big, 'x', sizeof big);
	say(axo_smp_new(1, sid, 15, NULL, 0, NULL, 0, big, 1) == NULL &&
	    axo_smp_new(1, big, 65, NULL, 0, NULL, 0, big, 1) == NULL &&
	    axo_smp_new(1, sid, 32, big, 256, NULL, 0, big, 1) == NULL &&
	    axo_smp_new(1, sid, 32, NULL, 0, big, 256, big, 1) == NULL &&
	    axo_smp_new(1, sid, 32, NULL, 0, NULL, 0, big, 1025) == NULL,
	    "new refuses sizes out of range");
	st = axo_smp_new(1, big, 64, big, 255, big, 255, big, 1024);
	say(st != NULL, "new takes the largest sizes");
	axo_smp_free(st);
	say(axo_smp_msglen(0) == 0 && axo_smp_msglen(1) == 196 &&
	    axo_smp_msglen(2) == 356 && axo_smp_msglen(3) == 260 &&
	    axo_smp_msglen(4) == 100 && axo_smp_msglen(5) == 0,
	    "message sizes");

	say(run(&r, "s", "s", 5) == 0 && r.ma == 1 && r.mb == 1,
	    "equal secrets match on both sides");
	say(axo_smp_step5(r.a, r.m4, sizeof r.m4, &match) == -1 &&
	    strcmp(axo_smp_error(r.a), "step out of order") == 0,
	    "a finished state takes no more steps");
	done(&r);
	say(run(&r, "s", "t", 5) == 0 && r.ma == 0 && r.mb == 0,
	    "different secrets differ on both sides");
	done(&r);

	st = mk(0, sid, "s");
	say(axo_smp_step1(st, m) == -1 &&
	    strcmp(axo_smp_error(st), "step out of order") == 0,
	    "a responder cannot send message 1");
	axo_smp_free(st);
	run(&r, "s", "s", 1);
	say(axo_smp_step1(r.a, r.m1) == -1, "step1 runs once");
	say(axo_smp_step2(r.a, r.m1, sizeof r.m1, m) == -1,
	    "an initiator takes no message 1 (its own reflected)");
	done(&r);

	/* A state that failed once is dead: the honest message after it
	 * fails too. */
	run(&r, "s", "s", 1);
	memcpy(m, r.m1, sizeof r.m1);
	m[10] ^= 1;
	say(axo_smp_step2(r.b, m, sizeof r.m1, o) == -1 &&
	    axo_smp_step2(r.b, r.m1, sizeof r.m1, o) == -1 &&
	    strcmp(axo_smp_error(r.b), "step out of order") == 0,
	    "after a failure the state is dead");
	done(&r);

	/* Messages of another run (same secrets, same session) do not
	 * pass: proofs bind to the run's g2, g3 and Qa - Qb. */
	run(&r, "s", "s", 4);
	run(&s, "s", "s", 3);
	say(axo_smp_step4(s.b, r.m3, sizeof r.m3, m, &match) == -1 &&
	    strcmp(axo_smp_error(s.b), "proof of Pa, Qa fails") == 0,
	    "message 3 of another run is refused");
	done(&s);
	run(&s, "s", "s", 4);
	say(axo_smp_step5(s.a, r.m4, sizeof r.m4, &match) == -1 &&
	    strcmp(axo_smp_error(s.a), "proof of Rb fails") == 0,
	    "message 4 of another run is refused");
	done(&s);
	run(&s, "s", "s", 2);
	say(axo_smp_step3(s.a, r.m2, sizeof r.m2, m) == -1 &&
	    strcmp(axo_smp_error(s.a), "proof of Pb, Qb fails") == 0,
	    "message 2 of another run is refused");
	done(&s);
	done(&r);

	/* The session id is in the compared value only. */
	r.a = mk(1, sid, "s");
	r.b = mk(0, sid2, "s");
	say(axo_smp_step1(r.a, r.m1) == 0 &&
	    axo_smp_step2(r.b, r.m1, sizeof r.m1, r.m2) == 0 &&
	    axo_smp_step3(r.a, r.m2, sizeof r.m2, r.m3) == 0 &&
	    axo_smp_step4(r.b, r.m3, sizeof r.m3, r.m4, &r.mb) == 0 &&
	    axo_smp_step5(r.a, r.m4, sizeof r.m4, &r.ma) == 0 &&
	    r.ma == 0 && r.mb == 0,
	    "two session ids: every proof passes, the values differ");
	done(&r);

	/* Wrong lengths, whatever the bytes. */
	run(&r, "s", "s", 1);
	say(axo_smp_step2(r.b, r.m1, sizeof r.m1 - 1, m) == -1 &&
	    strcmp(axo_smp_error(r.b), "bad length") == 0,
	    "a short buffer is a bad length");
	done(&r);
	return failed;
}
