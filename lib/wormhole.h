/* SPDX-License-Identifier: GPL-2.0-only */
/* wormhole.h: the magic-wormhole mailbox client as a state machine. */
#ifndef AXO_WORMHOLE_H
#define AXO_WORMHOLE_H

#include <stddef.h>

/*
 * wormhole.c: the magic-wormhole mailbox client (reference sections 4-7)
 * as a state machine.  axo_wh_rx takes one message from the relay and
 * sends what follows through the send callback; it returns 0 or an
 * AXO_WH_E* code, with words in axo_wh_why.  The application phases
 * "0", "1", ... go out with axo_wh_queue (held until the peer's version
 * phase verified the key) and come in, in order and de-duplicated,
 * through axo_wh_next.  Outcome codes map to exit codes in axo-pake.c.
 */
#define AXO_WH_EPROTO	1	/* protocol violation by relay or peer */
#define AXO_WH_ERELAY	2	/* the relay said error */
#define AXO_WH_ECROWD	3	/* nameplate crowded */
#define AXO_WH_EPERM	4	/* relay wants a permission we lack */
#define AXO_WH_EMISMATCH 5	/* key confirmation failed: wrong code */
#define AXO_WH_EPEER	6	/* the peer sent {"error": ...} */
#define AXO_WH_ESYS	7	/* send callback or memory failed */
struct axo_wh;
typedef int (*axo_wh_send_fn)(void *arg, const char *json, size_t len);
typedef void (*axo_wh_say_fn)(void *arg, const char *motd);
/* code NULL: the relay allocates a nameplate ("allocate", reference
 * section 4) and the code is made from it as wormhole send does (the
 * nameplate and two words of the PGP list), to read with axo_wh_code */
struct axo_wh *axo_wh_new(const char *appid, const char *code,
    axo_wh_send_fn send, axo_wh_say_fn say, void *arg);
/* the code, once known (given, or allocated: after the "allocated"
 * message), else NULL; a secret, owned by wh */
const char *axo_wh_code(const struct axo_wh *wh);
int axo_wh_rx(struct axo_wh *wh, const char *msg, size_t len);
int axo_wh_queue(struct axo_wh *wh, const unsigned char *data, size_t len);
/* queue the text offer {"offer": {"message": text}} of the wormhole
 * CLI (reference section 7): -1 when text is not UTF-8 */
int axo_wh_offer(struct axo_wh *wh, const unsigned char *text, size_t len);
/* the next in-order peer phase: 1 and *data (owned by wh), or 0 */
int axo_wh_next(struct axo_wh *wh, const unsigned char **data, size_t *len);
/* paired: the peer's PAKE message came (a key, not yet confirmed);
 * verified: a peer message opened with it */
int axo_wh_paired(const struct axo_wh *wh);
int axo_wh_verified(const struct axo_wh *wh);
int axo_wh_closed(const struct axo_wh *wh);
/* close {mailbox, mood}: happy, lonely, scary, errory */
int axo_wh_close(struct axo_wh *wh, const char *mood);
const char *axo_wh_why(const struct axo_wh *wh);
/* derive_key(key, purpose, len) of the PAKE key; -1 before the key */
int axo_wh_derive(const struct axo_wh *wh, const char *purpose,
    unsigned char *out, size_t len);
void axo_wh_free(struct axo_wh *wh);
/* the pieces, for the vectors: _key.py derive_key, derive_phase_key,
 * and encrypt_data with a chosen nonce */
void axo_wh_derive_key(unsigned char *out, size_t len,
    const unsigned char key[32], const char *purpose);
void axo_wh_phase_key(unsigned char out[32], const unsigned char key[32],
    const char *side, const char *phase);

#endif
