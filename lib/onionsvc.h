/* SPDX-License-Identifier: GPL-2.0-only */
/* onionsvc.h: our onion service through tor's control port (axo-onion). */
#ifndef AXO_ONIONSVC_H
#define AXO_ONIONSVC_H

#include "onion.h"
#include "torctl.h"

/*
 * onionsvc.c: an ephemeral v3 onion with client authorization, added on
 * a control connection that is open and authenticated (control-spec
 * §3.27, §4.1.25).  add asks tor for HS_DESC events, then ADD_ONION with
 * a new ed25519-v3 key, Flags=Detach,DiscardPK,V3Auth, the virtual port
 * vport to the unix socket sock (and vport+1 to sock2 unless NULL: a
 * second stream's), and ClientAuthV3 the x25519 public key
 * pk; the address lands in s->addr.  A reply with no address, or with the
 * onion's private key, is AXO_TORCTL_EPROTO.  wait reads the events until
 * a descriptor is uploaded to one hsdir (a client can find the onion
 * then) and says each upload (axo_info); when none is by the deadline
 * (axo_clock_ms() time) it takes the onion down again and returns
 * AXO_TORCTL_ETIME, with s->uploads and s->failed for the message.  done
 * turns the events off.  Each returns 0, or an AXO_TORCTL_E* kind with
 * words in c->err.
 */
struct axo_onionsvc {
	char addr[AXO_ONION_ADDR_LEN + 1];
	int uploaded, failed, uploads;
};
int axo_onionsvc_add(struct axo_onionsvc *s, struct axo_torctl *c,
    struct axo_torctl_reply *r, unsigned long vport, const char *sock,
    const char *sock2,
    const unsigned char pk[32]);
int axo_onionsvc_wait(struct axo_onionsvc *s, struct axo_torctl *c,
    struct axo_torctl_reply *r, long long deadline);
void axo_onionsvc_done(struct axo_torctl *c, struct axo_torctl_reply *r);

#endif
