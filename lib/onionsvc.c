/* SPDX-License-Identifier: GPL-2.0-only */
/* onionsvc.c: our onion service through tor's control port (axo-onion). */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "axo.h"
#include "onion.h"
#include "onionsvc.h"
#include "torctl.h"

/* Words of an event line, at most n: split in place. */
static size_t
words(char *s, char **w, size_t n)
{
	size_t k = 0;

	while (*s && k < n) {
		while (*s == ' ')
			*s++ = '\0';
		if (*s == '\0')
			break;
		w[k++] = s;
		while (*s && *s != ' ')
			s++;
	}
	return k;
}

/* "650 HS_DESC ACTION ADDR AUTH HSDIR ..." (control-spec §4.1.25) */
static void
hs_desc(void *arg, const struct axo_torctl_reply *r)
{
	struct axo_onionsvc *s = arg;
	char line[1024], *w[8], *nick;
	size_t n;

	if (r->nlines != 1 || strlen(r->line[0]) >= sizeof line)
		return;
	memcpy(line, r->line[0], strlen(r->line[0]) + 1);
	n = words(line, w, 8);
	if (n < 4 || strcmp(w[0], "HS_DESC") != 0 || strcmp(w[2], s->addr) != 0)
		return;
	nick = n >= 5 ? strchr(w[4], '~') : NULL;
	nick = nick != NULL ? nick + 1 : (n >= 5 ? w[4] : "?");
	if (strlen(nick) > 40)
		nick[40] = '\0';
	/* one line for the uploads, not one for each hsdir (tor starts
	 * several at once, one per replica): the first that lands says it */
	if (strcmp(w[1], "UPLOAD") == 0) {
		s->uploads++;
	} else if (strcmp(w[1], "UPLOADED") == 0) {
		s->uploaded++;
		if (s->uploaded == 1)
			axo_info("descriptor uploaded to hsdir %s (%d upload%s "
			    "started)", nick, s->uploads,
			    s->uploads == 1 ? "" : "s");
	} else if (strcmp(w[1], "FAILED") == 0) {
		s->failed++;
		axo_info("descriptor upload to hsdir %s failed", nick);
	}
}

static int
proto(struct axo_torctl *c, const char *what)
{
	snprintf(c->err, sizeof c->err, "%s", what);
	return AXO_TORCTL_EPROTO;
}

int
axo_onionsvc_add(struct axo_onionsvc *s, struct axo_torctl *c,
    struct axo_torctl_reply *r, unsigned long vport, const char *sock,
    const char *sock2, const unsigned char pk[32])
{
	char pkb32[64], *cmd, port2[4200] = "";
	size_t i;
	int k, gotid = 0;

	memset(s, 0, sizeof *s);
	axo_onion_base32(pkb32, pk, 32);
	c->event = hs_desc;
	c->arg = s;
	if ((k = axo_torctl_cmd(c, "SETEVENTS HS_DESC", r)) != 0)
		return k;
	/*
	 * Detach: the onion outlives this control connection, so that
	 * publish can exit and hand the record on; it lives as long as tor
	 * (ours dies with the session) or until "unpublish".  DiscardPK:
	 * tor never tells us the onion's private key (§3.27).
	 */
	if (sock2 != NULL)
		snprintf(port2, sizeof port2, " Port=%lu,unix:%s", vport + 1,
		    sock2);
	cmd = axo_xmalloc(12288);
	snprintf(cmd, 12288, "ADD_ONION NEW:ED25519-V3 "
	    "Flags=Detach,DiscardPK,V3Auth Port=%lu,unix:%s%s ClientAuthV3=%s",
	    vport, sock, port2, pkb32);
	k = axo_torctl_cmd(c, cmd, r);
	axo_free(cmd);
	if (k != 0)
		return k;
	for (i = 0; i < r->nlines; i++) {
		if (strncmp(r->line[i], "ServiceID=", 10) == 0) {
			if (gotid || !axo_onion_addr_ok(r->line[i] + 10,
			    strlen(r->line[i] + 10)))
				return proto(c,
				    "tor sent a malformed ADD_ONION reply");
			memcpy(s->addr, r->line[i] + 10, AXO_ONION_ADDR_LEN + 1);
			gotid = 1;
		}
		if (strncmp(r->line[i], "PrivateKey=", 11) == 0) {
			sodium_memzero(r, sizeof *r);
			return proto(c, "tor sent the onion's private key "
			    "despite DiscardPK");
		}
	}
	if (!gotid)
		return proto(c, "tor sent a malformed ADD_ONION reply");
	return 0;
}

int
axo_onionsvc_wait(struct axo_onionsvc *s, struct axo_torctl *c,
    struct axo_torctl_reply *r, long long deadline)
{
	char cmd[128];
	long long left;
	int k;

	/* Wait for the first HS_DESC UPLOADED: then a client can find it. */
	while (s->uploaded == 0) {
		left = deadline - axo_clock_ms();
		if (left <= 0)
			break;
		k = axo_torctl_read(c, r, (unsigned)left);
		if (k == AXO_TORCTL_ETIME)
			break;
		if (k != 0)
			return k;
		if (r->code != 650) {
			snprintf(c->err, sizeof c->err,
			    "tor sent a reply %d where an event was due",
			    r->code);
			return AXO_TORCTL_EPROTO;
		}
		hs_desc(s, r);
	}
	if (s->uploaded == 0) {
		/* Not reachable: take it down rather than leave it in tor. */
		snprintf(cmd, sizeof cmd, "DEL_ONION %s", s->addr);
		c->event = NULL;
		c->timeout_ms = 5000;
		(void)axo_torctl_cmd(c, cmd, r);
		return AXO_TORCTL_ETIME;
	}
	return 0;
}

void
axo_onionsvc_done(struct axo_torctl *c, struct axo_torctl_reply *r)
{
	c->event = NULL;
	(void)axo_torctl_cmd(c, "SETEVENTS", r);
}
