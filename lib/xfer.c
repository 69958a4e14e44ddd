/* SPDX-License-Identifier: GPL-2.0-only */
/* xfer.c: files over the chat: reading, partial files, hashes, safe names. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"
#include "chat.h"
#include "xfer.h"

/*
 * A received file is written as DIR/.NAME.part-XXXXXXXX (O_EXCL,
 * O_NOFOLLOW, 0600), hashed as it comes, and only when the sender's
 * SHA-256 matches moved to NAME, NAME.1, NAME.2, ... without ever
 * replacing a file (renameat2 RENAME_NOREPLACE, or link and unlink where
 * the file system has no such rename).  Partial files are listed here so
 * that every exit path can remove them (axo_xfer_cleanup).
 */

#define NPARTIAL	(2 * AXO_XFER_MAX)
static struct axo_xfer *partial[NPARTIAL];

static void
reg(struct axo_xfer *x)
{
	size_t i;

	for (i = 0; i < NPARTIAL; i++)
		if (partial[i] == NULL) {
			partial[i] = x;
			return;
		}
}

static void
unreg(struct axo_xfer *x)
{
	size_t i;

	for (i = 0; i < NPARTIAL; i++)
		if (partial[i] == x)
			partial[i] = NULL;
}

static void
seterr(char *err, size_t errlen, const char *what, const char *name)
{
	snprintf(err, errlen, "%s %s: %s", what, name, strerror(errno));
}

int
axo_xfer_send_open(struct axo_xfer *x, const char *path, uint32_t id,
    char *err, size_t errlen)
{
	struct stat st;
	const char *base;
	size_t len;

	memset(x, 0, sizeof *x);
	x->fd = -1;
	x->dirfd = -1;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	base = path + len;
	while (base > path && base[-1] != '/')
		base--;
	axo_chat_safe_name(x->name, (const unsigned char *)base,
	    (size_t)(path + len - base));
	x->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (x->fd == -1) {
		seterr(err, errlen, "unable to open", path);
		return -1;
	}
	if (fstat(x->fd, &st) == -1) {
		seterr(err, errlen, "unable to stat", path);
		close(x->fd);
		x->fd = -1;
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > AXO_CHAT_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
		    "larger than 1 TiB" : "not a regular file");
		close(x->fd);
		x->fd = -1;
		return -1;
	}
	x->size = (uint64_t)st.st_size;
	x->id = id;
	x->out = 1;
	x->hash = malloc(sizeof(crypto_hash_sha256_state));
	if (x->hash == NULL) {
		seterr(err, errlen, "unable to send", path);
		close(x->fd);
		x->fd = -1;
		return -1;
	}
	crypto_hash_sha256_init(x->hash);
	return 0;
}

ssize_t
axo_xfer_send_read(struct axo_xfer *x, unsigned char *buf, size_t max,
    char *err, size_t errlen)
{
	uint64_t left = x->size - x->done;
	ssize_t n;

	if ((uint64_t)max > left)
		max = (size_t)left;
	if (max == 0)
		return 0;
	do
		n = read(x->fd, buf, max);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		seterr(err, errlen, "unable to read", x->name);
		return -1;
	}
	if (n == 0) {
		/* the offer promised more: the file shrank under us */
		snprintf(err, errlen, "%s shrank while being sent", x->name);
		return -1;
	}
	crypto_hash_sha256_update(x->hash, buf, (unsigned long long)n);
	x->done += (uint64_t)n;
	return n;
}

void
axo_xfer_send_hash(struct axo_xfer *x, unsigned char out[32])
{
	crypto_hash_sha256_final(x->hash, out);
}

int
axo_xfer_recv_open(struct axo_xfer *x, int dirfd, uint32_t id, uint64_t size,
    const unsigned char *name, size_t namelen, char *err, size_t errlen)
{
	unsigned char rnd[4];
	char hex[9];
	int tries;

	memset(x, 0, sizeof *x);
	x->fd = -1;
	x->dirfd = dirfd;
	x->id = id;
	x->size = size;
	axo_chat_safe_name(x->name, name, namelen);
	for (tries = 0; tries < 8; tries++) {
		randombytes_buf(rnd, sizeof rnd);
		axo_fmt_hex(hex, rnd, sizeof rnd);
		snprintf(x->part, sizeof x->part, ".%s.part-%s", x->name, hex);
		x->fd = openat(dirfd, x->part, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
		if (x->fd != -1 || errno != EEXIST)
			break;
	}
	if (x->fd == -1) {
		seterr(err, errlen, "unable to create a partial file for",
		    x->name);
		return -1;
	}
	reg(x);
	x->hash = malloc(sizeof(crypto_hash_sha256_state));
	if (x->hash == NULL) {
		seterr(err, errlen, "unable to receive", x->name);
		axo_xfer_close(x);
		return -1;
	}
	crypto_hash_sha256_init(x->hash);
	return 0;
}

int
axo_xfer_recv_write(struct axo_xfer *x, const unsigned char *data,
    size_t len, char *err, size_t errlen)
{
	if ((uint64_t)len > x->size - x->done)
		return AXO_XFER_EOVER;
	if (axo_writeall(x->fd, data, len) == -1) {
		seterr(err, errlen, "unable to write", x->part);
		return -1;
	}
	crypto_hash_sha256_update(x->hash, data, len);
	x->done += len;
	return 0;
}

/* Moves the partial file to its name, never over an existing file. */
static int
place(struct axo_xfer *x)
{
	const char *dot;
	int i, stem;

	/* "report (1).pdf" keeps the extension, as browsers name a second
	 * download; a leading dot (".profile") is no extension */
	dot = strrchr(x->name, '.');
	if (dot == NULL || dot == x->name)
		dot = x->name + strlen(x->name);
	stem = (int)(dot - x->name);
	for (i = 0; i < 1000; i++) {
		if (i == 0)
			snprintf(x->final, sizeof x->final, "%s", x->name);
		else
			snprintf(x->final, sizeof x->final, "%.*s (%d)%s",
			    stem, x->name, i, dot);
		if (renameat2(x->dirfd, x->part, x->dirfd, x->final,
		    RENAME_NOREPLACE) == 0)
			return 0;
		if (errno == EEXIST)
			continue;
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		/* no RENAME_NOREPLACE here: a link fails on a name too */
		if (linkat(x->dirfd, x->part, x->dirfd, x->final, 0) == 0) {
			unlinkat(x->dirfd, x->part, 0);
			return 0;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int
axo_xfer_recv_finish(struct axo_xfer *x, const unsigned char hash[32],
    char *err, size_t errlen)
{
	unsigned char mine[32];

	if (x->done != x->size)
		return AXO_XFER_ESHORT;
	crypto_hash_sha256_final(x->hash, mine);
	if (sodium_memcmp(mine, hash, 32) != 0) {
		axo_xfer_close(x);
		return AXO_XFER_EHASH;
	}
	if (close(x->fd) == -1) {
		x->fd = -1;
		seterr(err, errlen, "unable to write", x->part);
		axo_xfer_close(x);
		return -1;
	}
	x->fd = -1;
	if (place(x) == -1) {
		seterr(err, errlen, "unable to name", x->name);
		axo_xfer_close(x);
		return -1;
	}
	x->placed = 1;
	axo_xfer_close(x);
	return 0;
}

int
axo_xfer_step(struct axo_xfer *x)
{
	int step;

	if (x->size == 0)
		return 0;
	step = (int)(x->done * 4 / x->size);
	if (step > x->step && step < 4) {
		x->step = step;
		return step * 25;
	}
	return 0;
}

void
axo_xfer_close(struct axo_xfer *x)
{
	if (x->fd != -1)
		close(x->fd);
	x->fd = -1;
	if (!x->out && !x->placed && x->part[0] != '\0' && x->dirfd != -1)
		unlinkat(x->dirfd, x->part, 0);
	x->part[0] = '\0';
	unreg(x);
	free(x->hash);
	x->hash = NULL;
}

void
axo_xfer_cleanup(void)
{
	size_t i;

	for (i = 0; i < NPARTIAL; i++)
		if (partial[i] != NULL) {
			if (partial[i]->part[0] != '\0')
				unlinkat(partial[i]->dirfd, partial[i]->part,
				    0);
			partial[i] = NULL;
		}
}
