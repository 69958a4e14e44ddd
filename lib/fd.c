/* SPDX-License-Identifier: GPL-2.0-only */
/* fd.c: checking and moving bytes on the file descriptors of the family. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "axo.h"

void
axo_fd_need(int fd, const char *what)
{
	if (fcntl(fd, F_GETFD) == -1)
		axo_die(AXO_EXIT_USAGE, "missing fd %d (%s)", fd, what);
}

int
axo_fd_tmpfs(int fd)
{
	struct statfs sf;
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	/* Only regular files and directories live on a file system. */
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 1;
	if (fstatfs(fd, &sf) == -1)
		return -1;
	return sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC;
}

void
axo_fd_need_tmpfs(int fd, const char *what, int insecure)
{
	int r;

	axo_fd_need(fd, what);
	if (insecure)
		return;
	r = axo_fd_tmpfs(fd);
	if (r == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to stat fd %d (%s)", fd, what);
	if (r == 0)
		axo_die(AXO_EXIT_USAGE,
		    "fd %d (%s) is not on tmpfs: refusing to put secrets on a disk",
		    fd, what);
}

void
axo_dir_need_private(const char *dir, int insecure)
{
	struct stat st;
	int fd, r;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		axo_diesys(AXO_EXIT_USAGE, "unable to open directory %s", dir);
	if (fstat(fd, &st) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to stat %s", dir);
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		axo_die(AXO_EXIT_USAGE, "directory %s must be ours and mode 0700",
		    dir);
	if (!insecure) {
		r = axo_fd_tmpfs(fd);
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to stat %s", dir);
		if (r == 0)
			axo_die(AXO_EXIT_USAGE,
			    "directory %s is not on tmpfs: refusing to put secrets "
			    "on a disk", dir);
	}
	close(fd);
}

ssize_t
axo_readall(int fd, unsigned char *buf, size_t max)
{
	size_t len = 0;
	ssize_t r;
	unsigned char probe;

	for (;;) {
		/* Full: one more byte means the input is too large. */
		if (len == max)
			r = read(fd, &probe, 1);
		else
			r = read(fd, buf + len, max - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			return (ssize_t)len;
		if (len == max) {
			errno = EFBIG;
			return -1;
		}
		len += (size_t)r;
	}
}

ssize_t
axo_readn(int fd, unsigned char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len) {
		r = read(fd, buf + got, len - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0) {
			if (got == 0)
				return 0;
			errno = EPIPE;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
axo_writeall(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}
