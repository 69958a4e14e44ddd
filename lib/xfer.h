/* SPDX-License-Identifier: GPL-2.0-only */
/* xfer.h: one file transfer, sending or receiving (axo-chat). */
#ifndef AXO_XFER_H
#define AXO_XFER_H

#include <stdint.h>
#include <sys/types.h>

#include "chat.h"

/*
 * xfer.c: one file transfer.  Outgoing: send_open (a regular file, its
 * cleaned basename as the name offered), send_read (the next bytes,
 * hashed; -1 on a read error or a file that shrank), send_hash.
 * Incoming: recv_open creates DIR/.NAME.part-XXXXXXXX (O_EXCL, O_NOFOLLOW,
 * 0600) under the cleaned name; recv_write appends (AXO_XFER_EOVER past
 * the offered size); recv_finish checks the size (AXO_XFER_ESHORT) and
 * the SHA-256 (AXO_XFER_EHASH, file removed) and moves the file to NAME,
 * NAME.1, ... NAME.999 without replacing any (x->final).  close removes
 * an unfinished partial file; cleanup removes every one still open (for
 * exit paths).  step: 25, 50 or 75 when a new quarter is done, else 0.
 */
#define AXO_XFER_MAX	4	/* transfers at once in each direction */
#define AXO_XFER_EOVER	(-2)
#define AXO_XFER_ESHORT	(-3)
#define AXO_XFER_EHASH	(-4)
struct axo_xfer {
	uint32_t id;
	int state;		/* the session's */
	int out;		/* 1 outgoing, 0 incoming */
	int fd, dirfd;
	int step, placed;
	uint64_t size, done;
	void *hash;		/* crypto_hash_sha256_state */
	char name[AXO_CHAT_SAFE_MAX + 1];
	char part[AXO_CHAT_SAFE_MAX + 32];
	char final[AXO_CHAT_SAFE_MAX + 8];
};
int axo_xfer_send_open(struct axo_xfer *x, const char *path, uint32_t id,
    char *err, size_t errlen);
ssize_t axo_xfer_send_read(struct axo_xfer *x, unsigned char *buf,
    size_t max, char *err, size_t errlen);
void axo_xfer_send_hash(struct axo_xfer *x, unsigned char out[32]);
int axo_xfer_recv_open(struct axo_xfer *x, int dirfd, uint32_t id,
    uint64_t size, const unsigned char *name, size_t namelen, char *err,
    size_t errlen);
int axo_xfer_recv_write(struct axo_xfer *x, const unsigned char *data,
    size_t len, char *err, size_t errlen);
int axo_xfer_recv_finish(struct axo_xfer *x, const unsigned char hash[32],
    char *err, size_t errlen);
int axo_xfer_step(struct axo_xfer *x);
void axo_xfer_close(struct axo_xfer *x);
void axo_xfer_cleanup(void);

#endif
