/* SPDX-License-Identifier: GPL-2.0-only */
/* state.c: reading and atomically replacing state files on tmpfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "axo.h"
#include "state.h"

void
axo_state_io_default(struct axo_state_io *io)
{
	io->path = NULL;
	io->in = AXO_FD_STATE_IN;
	io->out = AXO_FD_STATE_OUT;
	io->insecure = 0;
}

size_t
axo_state_load(const struct axo_state_io *io, unsigned char *buf, size_t max)
{
	ssize_t n;
	int fd;

	if (io->path != NULL) {
		fd = open(io->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to open state %s",
			    io->path);
		axo_fd_need_tmpfs(fd, "state", io->insecure);
	} else {
		fd = io->in;
		axo_fd_need_tmpfs(fd, "state in", io->insecure);
	}
	n = axo_readall(fd, buf, max);
	if (n == -1 && errno == EFBIG)
		axo_die(AXO_EXIT_STATE, "state is too large");
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read state");
	if (io->path != NULL)
		close(fd);
	return (size_t)n;
}

void
axo_state_need_out(const struct axo_state_io *io)
{
	if (io->path == NULL)
		axo_fd_need_tmpfs(io->out, "state out", io->insecure);
}

void
axo_state_save(const struct axo_state_io *io, const unsigned char *buf,
    size_t len)
{
	char tmp[4096];
	int fd, n;

	if (io->path == NULL) {
		if (axo_writeall(io->out, buf, len) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to write state");
		return;
	}
	/* skalibs openwritenclose: write PATH.new, then rename over PATH. */
	n = snprintf(tmp, sizeof tmp, "%s.new", io->path);
	if (n < 0 || (size_t)n >= sizeof tmp)
		axo_die(AXO_EXIT_USAGE, "state path is too long");
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to create %s", tmp);
	if (!io->insecure && axo_fd_tmpfs(fd) != 1) {
		(void)unlink(tmp);
		axo_die(AXO_EXIT_USAGE,
		    "%s is not on tmpfs: refusing to put secrets on a disk", tmp);
	}
	if (axo_writeall(fd, buf, len) == -1 ||
	    (io->insecure && fsync(fd) == -1) || close(fd) == -1) {
		(void)unlink(tmp);
		axo_diesys(AXO_EXIT_TEMP, "unable to write %s", tmp);
	}
	if (rename(tmp, io->path) == -1) {
		(void)unlink(tmp);
		axo_diesys(AXO_EXIT_TEMP, "unable to rename %s to %s", tmp,
		    io->path);
	}
}
