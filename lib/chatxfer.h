/* SPDX-License-Identifier: GPL-2.0-only */
/* chatxfer.h: a chat's file transfers: offers, answers, data (axo-chat). */
#ifndef AXO_CHATXFER_H
#define AXO_CHATXFER_H

#include <stdint.h>

#include "chat.h"
#include "chatsess.h"
#include "xfer.h"

/*
 * chatxfer.c: the transfer state machine of axotor(7) "CHAT PROTOCOL"
 * over the files of xfer.c, at most AXO_XFER_MAX each way.  Ours: offer
 * (.send PATH) queues an OFFER; an ACCEPT makes it active, and produce
 * then fills the data queue (the file stream's, else fd 7's:
 * axo_chatsess_dataq) with its chunks (in turn with the others, only
 * while less than AXO_CHATSESS_LOW waits, so that typed lines go on
 * during a transfer; each chunk fills one record of wrap) and its END; a
 * REJECT ends it, its ABORT behind its data.  The peer's: an OFFER is rejected (no -d, too many
 * under way), accepted (-y, line mode), or left open in the window, the
 * oldest on the status line, until answer (the user's .accept or
 * .reject) takes it, the oldest first; CHUNK and END fill and check the
 * file; ABORT ends it.  abort (.abort) stops every transfer under way.
 * rx takes the messages from OFFER on, checked against the state of the
 * transfer they name: a message out of place is a violation (98).  busy:
 * any transfer under way.  release_all ends them all without a message
 * (QUIT does); close_all only closes the files, for the exit paths.
 * Progress is on the status line of the window, or in quarters on stdout
 * in line mode (not -q).
 */
struct axo_chatxfer {
	struct axo_xfer xo[AXO_XFER_MAX];	/* ours */
	struct axo_xfer xi[AXO_XFER_MAX];	/* the peer's */
	int pct_o[AXO_XFER_MAX], pct_i[AXO_XFER_MAX];	/* shown last */
	uint32_t next_id;	/* of our next offer */
	uint32_t in_max;	/* the peer's highest offer id */
	int turn;		/* ours to read from next */
};
void axo_chatxfer_init(struct axo_chatxfer *t);
void axo_chatxfer_offer(struct axo_chatsess *s, const char *path);
void axo_chatxfer_abort(struct axo_chatsess *s);
void axo_chatxfer_answer(struct axo_chatsess *s, int yes);
void axo_chatxfer_produce(struct axo_chatsess *s);
void axo_chatxfer_rx(struct axo_chatsess *s, const struct axo_chat_msg *m);
int axo_chatxfer_busy(const struct axo_chatsess *s);
/* The name of one of ours all sent on the file stream whose GOT has
 * not come, or NULL. */
const char *axo_chatxfer_unconfirmed(const struct axo_chatsess *s);
/* The file stream is lost: what went there may never arrive.  Ours
 * under way are aborted, the peer's stopped (told on fd 7); say so. */
void axo_chatxfer_files_lost(struct axo_chatsess *s);
/* the progress of the first transfer on the status line ("paused" while
 * the link is down) */
void axo_chatxfer_show(struct axo_chatsess *s);
void axo_chatxfer_release_all(struct axo_chatsess *s);
void axo_chatxfer_close_all(struct axo_chatxfer *t);

#endif
