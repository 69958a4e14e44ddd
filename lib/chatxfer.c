/* SPDX-License-Identifier: GPL-2.0-only */
/* chatxfer.c: a chat's file transfers: offers, answers, data (axo-chat). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "axo.h"
#include "chat.h"
#include "chatsess.h"
#include "chatxfer.h"
#include "tui.h"
#include "wrap.h"
#include "xfer.h"

/* SENT: ours, its END on the file stream, until the peer's GOT says it
 * came (or a REJECT that it did not): a QUIT on fd 7 could overtake it */
enum { FREE, OFFERED, ACTIVE, DROPPED, SENT };

static void show_offer(struct axo_chatsess *s);

void
axo_chatxfer_init(struct axo_chatxfer *t)
{
	memset(t, 0, sizeof *t);
	t->next_id = 1;
}

static void
fmt_size(char *out, size_t len, uint64_t n)
{
	static const char *unit[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, "%.1f %s", v, unit[u]);
}

int
axo_chatxfer_busy(const struct axo_chatsess *s)
{
	const struct axo_chatxfer *t = s->xf;
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++)
		if (t->xo[i].state != FREE || t->xi[i].state == ACTIVE ||
		    t->xi[i].state == DROPPED)
			return 1;
	return 0;
}

/* The status line of the window: the first transfer under way. */
void
axo_chatxfer_show(struct axo_chatsess *s)
{
	struct axo_chatxfer *t = s->xf;
	char line[AXO_CHAT_SAFE_MAX + 64], bar[11];
	struct axo_xfer *x = NULL;
	int i, p, more = 0;

	if (!s->o->tui)
		return;
	for (i = 0; i < 2 * AXO_XFER_MAX; i++) {
		struct axo_xfer *y = i < AXO_XFER_MAX ? &t->xo[i] :
		    &t->xi[i - AXO_XFER_MAX];

		if (y->state != ACTIVE)
			continue;
		if (x == NULL)
			x = y;
		else
			more++;
	}
	if (x == NULL) {
		axo_tui_progress(NULL);
		return;
	}
	p = x->size ? (int)(x->done * 100 / x->size) : 100;
	for (i = 0; i < 10; i++)
		bar[i] = i < p / 10 ? '#' : '-';
	bar[10] = '\0';
	/* "paused" first: a narrow status line still shows it */
	snprintf(line, sizeof line, "%s%s %s [%s] %d%%%s", s->down ||
	    (s->fdown && axo_chatsess_dataq(s) == &s->fout) ?
	    "paused: " : "", x->out ? "sending" : "receiving", x->name, bar, p,
	    more ? " +more" : "");
	axo_tui_progress(line);
}

static void
progress(struct axo_chatsess *s, struct axo_xfer *x, int *last)
{
	int p, q;

	if (s->o->tui) {
		p = x->size ? (int)(x->done * 100 / x->size) : 100;
		if (p != *last) {
			*last = p;
			axo_chatxfer_show(s);
		}
		return;
	}
	q = axo_xfer_step(x);
	if (q && !s->o->quiet)
		axo_chatsess_say(s, "%s %s: %d%%",
		    x->out ? "sending" : "receiving", x->name, q);
}

static void
release(struct axo_chatsess *s, struct axo_xfer *x)
{
	axo_xfer_close(x);
	x->state = FREE;
	axo_chatxfer_show(s);
}

/* A chunk message fills one bulk record of wrap (axo-ratchet(1)). */
#define CHUNK_SEND	(AXO_WRAP_RECORD_DATA - AXO_CHAT_HDR - 4)

/* Fill the queue with chunks of the transfers under way, in turn. */
void
axo_chatxfer_produce(struct axo_chatsess *s)
{
	struct axo_chatxfer *t = s->xf;
	unsigned char hash[32];
	char err[512], sz[32];
	struct axo_xfer *x;
	struct axo_chatq *q;
	ssize_t n;
	int i, k, any = 1;

	/* the file stream's queue, or fd 7's: a chunk only when it is
	 * empty (on fd 7, so that a typed line waits behind one at most) */
	while (any && !s->quitting) {
		q = axo_chatsess_dataq(s);
		if (q->dead || q->len - q->off >= AXO_CHATSESS_LOW)
			return;
		any = 0;
		for (k = 0; k < AXO_XFER_MAX; k++) {
			i = (t->turn + k) % AXO_XFER_MAX;
			if (t->xo[i].state == ACTIVE)
				break;
		}
		if (k == AXO_XFER_MAX)
			return;
		t->turn = i + 1;
		any = 1;
		x = &t->xo[i];
		if (x->done < x->size) {
			n = axo_xfer_send_read(x, s->msg + AXO_CHAT_HDR + 4,
			    CHUNK_SEND, err, sizeof err);
			if (n < 0) {
				axo_chatsess_fsend(s, AXO_CHAT_ABORT, x->id,
				    NULL, 0);
				axo_chatsess_complain(s,
				    "aborted sending %s: %s", x->name, err);
				release(s, x);
				continue;
			}
			axo_chatsess_fsend(s, AXO_CHAT_CHUNK, x->id,
			    s->msg + AXO_CHAT_HDR + 4, (size_t)n);
			progress(s, x, &t->pct_o[i]);
		}
		if (x->done == x->size) {
			axo_xfer_send_hash(x, hash);
			axo_chatsess_fsend(s, AXO_CHAT_END, x->id, hash, 32);
			fmt_size(sz, sizeof sz, x->size);
			axo_chatsess_say(s, "sent %s (%s)", x->name, sz);
			if (q == &s->fout) {
				axo_xfer_close(x);
				x->state = SENT;
				axo_chatxfer_show(s);
			} else
				release(s, x);
		}
	}
}

/*
 * A REJECT, with why in words the peer is shown ("" for the user's
 * own no): never our paths, only what went wrong (issue 13 item 8).
 */
static void
reject(struct axo_chatsess *s, uint32_t id, const char *why)
{
	size_t n = strlen(why);

	if (n > AXO_CHAT_REASON_MAX)
		n = AXO_CHAT_REASON_MAX;
	axo_chatsess_send(s, AXO_CHAT_REJECT, id, why, n, NULL, 0);
}

static void
accept_offer(struct axo_chatsess *s, int k)
{
	struct axo_xfer *x = &s->xf->xi[k];
	char err[512], sz[32];
	uint32_t id = x->id;
	uint64_t size = x->size;
	char name[AXO_CHAT_SAFE_MAX + 1];

	memcpy(name, x->name, sizeof name);
	fmt_size(sz, sizeof sz, size);
	if (axo_xfer_recv_open(x, s->o->dirfd, id, size,
	    (const unsigned char *)name, strlen(name), err,
	    sizeof err) == -1) {
		char why[128];

		snprintf(why, sizeof why, "unable to save it: %s",
		    strerror(errno));
		axo_chatsess_complain(s, "%s", err);
		reject(s, id, why);
		x->state = FREE;
		return;
	}
	x->state = ACTIVE;
	s->xf->pct_i[k] = -1;
	axo_chatsess_send(s, AXO_CHAT_ACCEPT, id, NULL, 0, NULL, 0);
	axo_chatsess_say(s, "receiving %s (%s) from %s into %s", name, sz,
	    s->o->peer, s->o->dir);
	axo_chatxfer_show(s);
}

/* The peer's oldest offer still unanswered (ids grow), or -1. */
static int
oldest_offer(const struct axo_chatxfer *t)
{
	int k, best = -1;

	for (k = 0; k < AXO_XFER_MAX; k++)
		if (t->xi[k].state == OFFERED && (best < 0 ||
		    t->xi[k].id < t->xi[best].id))
			best = k;
	return best;
}

void
axo_chatxfer_answer(struct axo_chatsess *s, int yes)
{
	struct axo_chatxfer *t = s->xf;
	int k = oldest_offer(t);

	if (k < 0) {
		axo_chatsess_complain(s, "no offer to %s",
		    yes ? "accept" : "reject");
		return;
	}
	if (yes)
		accept_offer(s, k);
	else {
		reject(s, t->xi[k].id, "");
		axo_chatsess_say(s, "rejected %s", t->xi[k].name);
		t->xi[k].state = FREE;
	}
	show_offer(s);
}

/*
 * The oldest open offer on the status line until it is answered: an
 * offer never takes the input line, so that no key typed for a message
 * answers it (issue 13, t/axo-chat.bats "an offer never eats keys").
 */
static void
show_offer(struct axo_chatsess *s)
{
	struct axo_chatxfer *t = s->xf;
	char q[AXO_CHAT_SAFE_MAX + 128], sz[32];
	int k, i, more = 0;

	if (!s->o->tui)
		return;
	k = oldest_offer(t);
	if (k < 0) {
		axo_tui_offer(NULL);
		return;
	}
	for (i = 0; i < AXO_XFER_MAX; i++)
		if (i != k && t->xi[i].state == OFFERED)
			more++;
	fmt_size(sz, sizeof sz, t->xi[k].size);
	snprintf(q, sizeof q, "%s offers %s (%s): .accept or .reject%s",
	    s->o->peer, t->xi[k].name, sz, more ? " +more" : "");
	axo_tui_offer(q);
}

static struct axo_xfer *
find(struct axo_xfer *set, uint32_t id, int *k)
{
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++)
		if (set[i].state != FREE && set[i].id == id) {
			if (k != NULL)
				*k = i;
			return &set[i];
		}
	return NULL;
}

static void
on_offer(struct axo_chatsess *s, const struct axo_chat_msg *m)
{
	struct axo_chatxfer *t = s->xf;
	char sz[32];
	struct axo_xfer *x;
	int k;

	if (find(t->xi, m->id, NULL) != NULL)
		axo_chatsess_violation(s, 98, "transfer id %lu offered twice",
		    (unsigned long)m->id);
	if (m->id > t->in_max)
		t->in_max = m->id;
	for (k = 0; k < AXO_XFER_MAX; k++)
		if (t->xi[k].state == FREE)
			break;
	x = k < AXO_XFER_MAX ? &t->xi[k] : NULL;
	if (x != NULL) {
		memset(x, 0, sizeof *x);
		x->fd = x->dirfd = -1;
		x->id = m->id;
		x->size = m->size;
		axo_chat_safe_name(x->name, m->data, m->len);
	}
	if (x == NULL) {
		char name[AXO_CHAT_SAFE_MAX + 1], why[64];

		axo_chat_safe_name(name, m->data, m->len);
		snprintf(why, sizeof why, "%d transfers under way",
		    AXO_XFER_MAX);
		reject(s, m->id, why);
		axo_chatsess_say(s,
		    "rejected %s from %s: %d transfers under way", name,
		    s->o->peer, AXO_XFER_MAX);
		return;
	}
	fmt_size(sz, sizeof sz, x->size);
	if (s->o->dirfd == -1) {
		reject(s, m->id, "no download directory");
		axo_chatsess_say(s,
		    "rejected %s (%s) from %s: no download directory (-d)",
		    x->name, sz, s->o->peer);
		return;
	}
	x->state = OFFERED;
	if (s->o->tui && !s->o->yes) {
		axo_chatsess_say(s, "%s offers %s (%s): .accept or .reject",
		    s->o->peer, x->name, sz);
		show_offer(s);
		return;
	}
	accept_offer(s, k);
}

static void
on_answer(struct axo_chatsess *s, const struct axo_chat_msg *m)
{
	struct axo_chatxfer *t = s->xf;
	struct axo_xfer *x = find(t->xo, m->id, NULL);
	char why[AXO_CHAT_REASON_MAX + 1];

	if (x == NULL) {
		/* we may have aborted it meanwhile */
		if (m->id < t->next_id)
			return;
		axo_chatsess_violation(s, 98,
		    "%s for transfer id %lu never offered",
		    m->type == AXO_CHAT_ACCEPT ? "accept" : "reject",
		    (unsigned long)m->id);
	}
	if (m->type == AXO_CHAT_ACCEPT) {
		if (x->state != OFFERED)
			axo_chatsess_violation(s, 98,
			    "transfer id %lu accepted twice",
			    (unsigned long)m->id);
		x->state = ACTIVE;
		axo_chatsess_say(s, "%s accepted %s", s->o->peer, x->name);
		axo_chatxfer_show(s);
		return;
	}
	/* the peer's why, cleaned again (it is the peer's text) */
	axo_chat_clean(why, sizeof why, m->data, m->len);
	if (x->state == OFFERED) {
		axo_chatsess_say(s, "%s rejected %s%s%s", s->o->peer, x->name,
		    why[0] ? ": " : "", why);
	} else {
		/* behind its data, where the peer looks for its end (one
		 * SENT has its end there already) */
		if (x->state == ACTIVE)
			axo_chatsess_fsend(s, AXO_CHAT_ABORT, x->id, NULL, 0);
		axo_chatsess_say(s, "%s stopped %s%s%s", s->o->peer, x->name,
		    why[0] ? ": " : "", why);
	}
	release(s, x);
}

/* The peer had the END of one we sent on the file stream. */
static void
on_got(struct axo_chatsess *s, const struct axo_chat_msg *m)
{
	struct axo_xfer *x = find(s->xf->xo, m->id, NULL);

	if (x == NULL) {
		/* ended meanwhile (.abort, a lost file stream) */
		if (m->id != 0 && m->id < s->xf->next_id)
			return;
		axo_chatsess_violation(s, 98, "got for transfer id %lu never "
		    "offered", (unsigned long)m->id);
	}
	if (x->state != SENT)
		axo_chatsess_violation(s, 98, "got for transfer id %lu before "
		    "its end", (unsigned long)m->id);
	release(s, x);
}

static void
on_data(struct axo_chatsess *s, const struct axo_chat_msg *m)
{
	struct axo_chatxfer *t = s->xf;
	char err[512], sz[32];
	struct axo_xfer *x;
	int k, rc;

	x = find(t->xi, m->id, &k);
	if (m->type == AXO_CHAT_ABORT) {
		/* an abort may cross our reject: unknown ids are let be */
		if (x == NULL)
			return;
		/* the answer to our own stop (.abort, a failed write): we
		 * said so then; it is not the peer's doing */
		if (x->state == DROPPED) {
			x->state = FREE;
			return;
		}
		axo_chatsess_say(s, "%s aborted %s", s->o->peer, x->name);
		release(s, x);
		show_offer(s);
		return;
	}
	/* the rest of one that ended (the file stream was lost, data and
	 * ABORT on two streams): let be */
	if (x == NULL && m->id != 0 && m->id <= t->in_max)
		return;
	if (x == NULL || x->state == OFFERED)
		axo_chatsess_violation(s, 98, "%s for transfer id %lu %s",
		    m->type == AXO_CHAT_CHUNK ? "data" : "end",
		    (unsigned long)m->id, x == NULL ? "never offered" :
		    "not accepted");
	if (x->state == DROPPED) {
		if (m->type == AXO_CHAT_END)
			x->state = FREE;
		return;
	}
	if (m->type == AXO_CHAT_CHUNK) {
		rc = axo_xfer_recv_write(x, m->data, m->len, err, sizeof err);
		if (rc == AXO_XFER_EOVER)
			axo_chatsess_violation(s, 98,
			    "more data than offered for %s", x->name);
		if (rc == -1) {
			char why[128];

			snprintf(why, sizeof why, "unable to write it: %s",
			    strerror(errno));
			axo_chatsess_complain(s, "%s", err);
			reject(s, x->id, why);
			axo_xfer_close(x);
			x->state = DROPPED;
			axo_chatxfer_show(s);
			return;
		}
		progress(s, x, &t->pct_i[k]);
		return;
	}
	rc = axo_xfer_recv_finish(x, m->data, err, sizeof err);
	if (rc == AXO_XFER_ESHORT)
		axo_chatsess_violation(s, 98,
		    "end of %s after %llu of %llu bytes", x->name,
		    (unsigned long long)x->done, (unsigned long long)x->size);
	fmt_size(sz, sizeof sz, x->size);
	if (rc == AXO_XFER_EHASH)
		axo_chatsess_complain(s, "%s from %s: sha256 mismatch, removed",
		    x->name, s->o->peer);
	else if (rc == -1)
		axo_chatsess_complain(s, "%s", err);
	else
		axo_chatsess_say(s, "saved %s from %s as %s/%s (%s, sha256 ok)",
		    x->name, s->o->peer, s->o->dir, x->final, sz);
	/* the peer waits for this when its data came on the file stream */
	if (s->o->files_fd != -1 && s->peer_files)
		axo_chatsess_send(s, AXO_CHAT_GOT, x->id, NULL, 0, NULL, 0);
	release(s, x);
}

void
axo_chatxfer_offer(struct axo_chatsess *s, const char *path)
{
	struct axo_chatxfer *t = s->xf;
	char err[512], sz[32];
	struct axo_xfer *x;
	int k;

	for (k = 0; k < AXO_XFER_MAX; k++)
		if (t->xo[k].state == FREE)
			break;
	if (k == AXO_XFER_MAX) {
		axo_chatsess_complain(s,
		    "unable to send %s: %d transfers under way", path,
		    AXO_XFER_MAX);
		return;
	}
	x = &t->xo[k];
	if (axo_xfer_send_open(x, path, t->next_id, err, sizeof err) == -1) {
		x->state = FREE;
		axo_chatsess_complain(s, "%s", err);
		return;
	}
	t->next_id++;
	x->state = OFFERED;
	t->pct_o[k] = -1;
	axo_chatsess_queue(s, axo_chat_put_offer(s->msg, x->id, x->size,
	    x->name, strlen(x->name)));
	fmt_size(sz, sizeof sz, x->size);
	axo_chatsess_say(s, "offering %s (%s) to %s", x->name, sz, s->o->peer);
}

void
axo_chatxfer_abort(struct axo_chatsess *s)
{
	struct axo_chatxfer *t = s->xf;
	int i, n = 0;

	for (i = 0; i < AXO_XFER_MAX; i++) {
		/* (one SENT is all sent: nothing to stop) */
		if (t->xo[i].state == ACTIVE) {
			/* behind its data (on the file stream, if any) */
			axo_chatsess_fsend(s, AXO_CHAT_ABORT, t->xo[i].id,
			    NULL, 0);
		} else if (t->xo[i].state == OFFERED) {
			/* behind its OFFER */
			axo_chatsess_send(s, AXO_CHAT_ABORT, t->xo[i].id, NULL,
			    0, NULL, 0);
		}
		if (t->xo[i].state == ACTIVE || t->xo[i].state == OFFERED) {
			axo_chatsess_say(s, "aborted sending %s",
			    t->xo[i].name);
			release(s, &t->xo[i]);
			n++;
		}
		if (t->xi[i].state == ACTIVE) {
			reject(s, t->xi[i].id, "");
			axo_chatsess_say(s, "stopped receiving %s",
			    t->xi[i].name);
			axo_xfer_close(&t->xi[i]);
			t->xi[i].state = DROPPED;
			n++;
		}
	}
	axo_chatxfer_show(s);
	if (n == 0)
		axo_chatsess_complain(s, "no transfer to abort");
}

void
axo_chatxfer_files_lost(struct axo_chatsess *s)
{
	struct axo_chatxfer *t = s->xf;
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++) {
		if (t->xo[i].state == ACTIVE) {
			axo_chatsess_send(s, AXO_CHAT_ABORT, t->xo[i].id, NULL,
			    0, NULL, 0);
			axo_chatsess_say(s, "aborted sending %s: the file "
			    "stream was lost; send it again", t->xo[i].name);
			release(s, &t->xo[i]);
		}
		if (t->xi[i].state == ACTIVE) {
			reject(s, t->xi[i].id, "the file stream was lost");
			axo_chatsess_say(s, "stopped receiving %s: the file "
			    "stream was lost", t->xi[i].name);
		}
		/* a stopped one's END will not come */
		if (t->xi[i].state == ACTIVE || t->xi[i].state == DROPPED)
			release(s, &t->xi[i]);
	}
}

void
axo_chatxfer_rx(struct axo_chatsess *s, const struct axo_chat_msg *m)
{
	switch (m->type) {
	case AXO_CHAT_OFFER:
		on_offer(s, m);
		break;
	case AXO_CHAT_ACCEPT:
	case AXO_CHAT_REJECT:
		on_answer(s, m);
		break;
	case AXO_CHAT_GOT:
		on_got(s, m);
		break;
	default:
		on_data(s, m);
	}
}

const char *
axo_chatxfer_unconfirmed(const struct axo_chatsess *s)
{
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++)
		if (s->xf->xo[i].state == SENT)
			return s->xf->xo[i].name;
	return NULL;
}

void
axo_chatxfer_release_all(struct axo_chatsess *s)
{
	struct axo_chatxfer *t = s->xf;
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++) {
		if (t->xo[i].state != FREE)
			release(s, &t->xo[i]);
		if (t->xi[i].state != FREE)
			release(s, &t->xi[i]);
	}
}

void
axo_chatxfer_close_all(struct axo_chatxfer *t)
{
	int i;

	for (i = 0; i < AXO_XFER_MAX; i++) {
		if (t->xi[i].state != FREE)
			axo_xfer_close(&t->xi[i]);
		if (t->xo[i].state != FREE)
			axo_xfer_close(&t->xo[i]);
		t->xi[i].state = t->xo[i].state = FREE;
	}
	axo_xfer_cleanup();
}
