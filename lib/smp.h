/* SPDX-License-Identifier: GPL-2.0-only */
/* smp.h: the Socialist Millionaire Protocol on ristretto255 (axo-smp). */
#ifndef AXO_SMP_H
#define AXO_SMP_H

#include <stddef.h>

/*
 * smp.c: OTR's SMP on ristretto255 (axotor(7) "SOCIALIST MILLIONAIRE
 * PROTOCOL").  The initiator calls new, step1, step3, step5; the
 * responder new, step2, step4.  Each message is the whole frame (u16
 * length included) of axo_smp_msglen(n) bytes.  A step returns 0, or -1
 * when the message is malformed, an element invalid or a proof false
 * (axo_smp_error says which, in words fit for a message); after -1 the
 * state is dead.  step4 and step5 set *match.  new hashes the compared
 * value from the session id, the initiator's and the responder's ids
 * (by role, not mine/theirs) and the secret; it returns NULL for sizes
 * out of range, and dies 111 without secure memory.  The state lives in
 * axo_xmalloc memory; axo_smp_free wipes it.
 */
#define AXO_SMP_VERSION		1
#define AXO_SMP_SID_MIN		16
#define AXO_SMP_SID_MAX		64
#define AXO_SMP_ID_MAX		255
#define AXO_SMP_SECRET_MAX	1024
#define AXO_SMP_MSG1_LEN	(4 + 6 * 32)	/* 196 */
#define AXO_SMP_MSG2_LEN	(4 + 11 * 32)	/* 356 */
#define AXO_SMP_MSG3_LEN	(4 + 8 * 32)	/* 260 */
#define AXO_SMP_MSG4_LEN	(4 + 3 * 32)	/* 100 */
#define AXO_SMP_MSG_MAX		AXO_SMP_MSG2_LEN
struct axo_smp;
struct axo_smp *axo_smp_new(int initiator, const unsigned char *sid,
    size_t sidlen, const unsigned char *id_init, size_t id_init_len,
    const unsigned char *id_resp, size_t id_resp_len,
    const unsigned char *secret, size_t secretlen);
size_t axo_smp_msglen(int n);
int axo_smp_step1(struct axo_smp *st, unsigned char out[AXO_SMP_MSG1_LEN]);
int axo_smp_step2(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG2_LEN]);
int axo_smp_step3(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG3_LEN]);
int axo_smp_step4(struct axo_smp *st, const unsigned char *in, size_t inlen,
    unsigned char out[AXO_SMP_MSG4_LEN], int *match);
int axo_smp_step5(struct axo_smp *st, const unsigned char *in, size_t inlen,
    int *match);
const char *axo_smp_error(const struct axo_smp *st);
void axo_smp_free(struct axo_smp *st);
/* 1 when p is the canonical encoding (bit 255 clear) of a ristretto255
 * element other than the identity: the check of every element received */
int axo_smp_element_ok(const unsigned char p[32]);

#endif
