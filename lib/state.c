/* SPDX-License-Identifier: GPL-2.0-only */
/* state.c: reading, locking and atomically replacing state files on tmpfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "axo.h"
#include "state.h"

/*
 * The lock (issue 11): every writer of a state given by path holds an
 * exclusive OFD lock (fcntl F_OFD_SETLK, the whole file) on PATH.new, the
 * file it writes and then renames onto PATH, from before it reads PATH
 * until the rename.  Only the holder of that lock can replace PATH, so a
 * read-modify-write under it never loses an update nor sends two
 * messages under one key.  PATH.new is the one file every writer can
 * create, whether PATH exists yet or not (init, keygen); one left behind
 * by a crash is simply taken, locked and emptied.  A waiter may find that
 * the file it locked was renamed or removed meanwhile: having the lock,
 * it checks that PATH.new is still that file, and starts again if not.
 * Readers that only read (id) take no lock: PATH is only ever replaced
 * whole, by rename.
 */

void
axo_state_io_default(struct axo_state_io *io)
{
	io->path = NULL;
	io->in = AXO_FD_STATE_IN;
	io->out = AXO_FD_STATE_OUT;
	io->insecure = 0;
	io->what = "state";
}

/* Dies 100 unless path, open as fd, is a regular file on tmpfs. */
static void
check_path(const struct axo_state_io *io, const char *path, int fd)
{
	struct stat st;
	int r;

	if (fstat(fd, &st) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to stat %s %s", io->what,
		    path);
	if (!S_ISREG(st.st_mode))
		axo_die(AXO_EXIT_USAGE, "%s %s is not a regular file",
		    io->what, path);
	if (io->insecure)
		return;
	r = axo_fd_tmpfs(fd);
	if (r == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to stat %s %s", io->what,
		    path);
	if (r == 0)
		axo_die(AXO_EXIT_USAGE,
		    "%s %s is not on tmpfs: refusing to put secrets on a disk",
		    io->what, path);
}

/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
 * refused as not a regular file. */
static int
open_path(const struct axo_state_io *io, const char *path, int flags)
{
	int fd;

	fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd == -1 && errno == ELOOP)
		axo_die(AXO_EXIT_USAGE,
		    "%s %s is a symbolic link: refusing to follow it",
		    io->what, path);
	/* a directory, opened for writing (PATH.new) */
	if (fd == -1 && errno == EISDIR)
		axo_die(AXO_EXIT_USAGE, "%s is not a regular file", path);
	return fd;
}

size_t
axo_state_load(const struct axo_state_io *io, unsigned char *buf, size_t max)
{
	ssize_t n;
	int fd;

	if (io->path != NULL) {
		fd = open_path(io, io->path, O_RDONLY);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to open %s %s",
			    io->what, io->path);
		check_path(io, io->path, fd);
	} else {
		fd = io->in;
		axo_fd_need_tmpfs(fd, strcmp(io->what, "state") == 0 ?
		    "state in" : io->what, io->insecure);
	}
	n = axo_readall(fd, buf, max);
	if (n == -1 && errno == EFBIG)
		axo_die(AXO_EXIT_STATE, "%s is too large", io->what);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read %s", io->what);
	if (io->path != NULL)
		close(fd);
	return (size_t)n;
}

void
axo_state_need_out(const struct axo_state_io *io)
{
	if (io->path != NULL)
		return;
	axo_fd_need_tmpfs(io->out, strcmp(io->what, "state") == 0 ?
	    "state out" : io->what, io->insecure);
	if (isatty(io->out))
		axo_die(AXO_EXIT_USAGE, "refusing to write the %s to a terminal",
		    io->what);
}

void
axo_state_need_new(const struct axo_state_io *io, int force)
{
	struct stat st;

	if (io->path == NULL)
		return;
	if (lstat(io->path, &st) == -1) {
		if (errno == ENOENT)
			return;
		axo_diesys(AXO_EXIT_TEMP, "unable to stat %s %s", io->what,
		    io->path);
	}
	if (S_ISLNK(st.st_mode))
		axo_die(AXO_EXIT_USAGE,
		    "%s %s is a symbolic link: refusing to follow it",
		    io->what, io->path);
	if (!S_ISREG(st.st_mode))
		axo_die(AXO_EXIT_USAGE, "%s %s is not a regular file",
		    io->what, io->path);
	if (!force) {
		axo_say_fatal("%s %s exists: refusing to replace it", io->what,
		    io->path);
		axo_hint("-f replaces it");
		_exit(AXO_EXIT_USAGE);
	}
}

/* Still the file named tmp, and not unlinked? */
static int
same_file(int fd, const char *tmp)
{
	struct stat a, b;

	if (fstat(fd, &a) == -1 || lstat(tmp, &b) == -1)
		return 0;
	return a.st_nlink > 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static void
pause_ms(int ms)
{
	struct timespec ts = { 0, (long)ms * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
axo_state_lock(const struct axo_state_io *io, struct axo_state_lock *lk,
    int wait_ms, int twice)
{
	struct flock fl;
	struct stat st;
	long long deadline;
	int n, fd, ms = 1;

	lk->io = io;
	lk->fd = -1;
	lk->written = 0;
	lk->tmp[0] = '\0';
	if (io->path == NULL) {
		/* The caller's fd 5: it puts the file in place itself. */
		if (twice && (fstat(io->out, &st) == -1 ||
		    !S_ISREG(st.st_mode) || lseek(io->out, 0, SEEK_CUR) == -1))
			axo_die(AXO_EXIT_USAGE, "fd %d (state out) must be a "
			    "regular file, to be written again at the end",
			    io->out);
		return;
	}
	n = snprintf(lk->tmp, sizeof lk->tmp, "%s.new", io->path);
	if (n < 0 || (size_t)n >= sizeof lk->tmp)
		axo_die(AXO_EXIT_USAGE, "%s path is too long", io->what);
	deadline = axo_clock_ms() + wait_ms;
	for (;;) {
		fd = open_path(io, lk->tmp, O_RDWR | O_CREAT);
		if (fd == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to create %s",
			    lk->tmp);
		if (fstat(fd, &st) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to stat %s", lk->tmp);
		if (!S_ISREG(st.st_mode))
			axo_die(AXO_EXIT_USAGE, "%s is not a regular file",
			    lk->tmp);
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0) {
			if (same_file(fd, lk->tmp))
				break;
			close(fd);	/* renamed or removed meanwhile */
			continue;
		}
		if (errno != EAGAIN && errno != EACCES)
			axo_diesys(AXO_EXIT_TEMP, "unable to lock %s", lk->tmp);
		close(fd);
		if (axo_deadline_left(deadline) == 0)
			axo_die(AXO_EXIT_TEMP, "%s %s is in use", io->what,
			    io->path);
		pause_ms(ms < axo_deadline_left(deadline) ? ms :
		    axo_deadline_left(deadline));
		if (ms < 16)
			ms *= 2;
	}
	lk->fd = fd;
	/* Ours now; not on tmpfs means a disk: it goes, and we with it. */
	if (!io->insecure && axo_fd_tmpfs(fd) != 1) {
		(void)unlink(lk->tmp);
		axo_die(AXO_EXIT_USAGE,
		    "%s %s is not on tmpfs: refusing to put secrets on a disk",
		    io->what, io->path);
	}
	/* A stale PATH.new, left by a crash: emptied under the lock. */
	if (ftruncate(fd, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to empty %s", lk->tmp);
}

void
axo_state_unlock(struct axo_state_lock *lk)
{
	if (lk->fd == -1)
		return;
	/* Still locked: nobody else can be writing it. */
	(void)unlink(lk->tmp);
	close(lk->fd);
	lk->fd = -1;
}

/* Writes buf at the start of fd, which holds nothing else after. */
static int
put(int fd, const unsigned char *buf, size_t len, int again, int sync)
{
	if (again && (ftruncate(fd, 0) == -1 ||
	    lseek(fd, 0, SEEK_SET) == -1))
		return -1;
	if (axo_writeall(fd, buf, len) == -1)
		return -1;
	return sync ? fsync(fd) : 0;
}

int
axo_state_commit(struct axo_state_lock *lk, const unsigned char *buf,
    size_t len, int flags)
{
	const struct axo_state_io *io = lk->io;
	struct axo_state_lock next;
	struct stat a, b;
	int r;

	if (io->path == NULL) {
		if (put(io->out, buf, len, lk->written, io->insecure) == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to write %s",
			    io->what);
		lk->written = 1;
		return 0;
	}
	if (put(lk->fd, buf, len, 0, io->insecure) == -1) {
		(void)unlink(lk->tmp);
		axo_diesys(AXO_EXIT_TEMP, "unable to write %s", lk->tmp);
	}
	/* Without -f, an existing PATH stays: renameat2 says so atomically
	 * (the check under the lock already did, for our own kind). */
	r = -1;
	errno = EINVAL;
	if (flags & AXO_STATE_NOREPLACE)
		r = renameat2(AT_FDCWD, lk->tmp, AT_FDCWD, io->path,
		    RENAME_NOREPLACE);
	if (r == -1 && errno == EEXIST) {
		(void)unlink(lk->tmp);
		axo_die(AXO_EXIT_USAGE, "%s %s exists: refusing to replace it",
		    io->what, io->path);
	}
	if (r == -1 && rename(lk->tmp, io->path) == -1) {
		(void)unlink(lk->tmp);
		axo_diesys(AXO_EXIT_TEMP, "unable to rename %s to %s", lk->tmp,
		    io->path);
	}
	if (!(flags & AXO_STATE_KEEP)) {
		close(lk->fd);
		lk->fd = -1;
		return 0;
	}
	/*
	 * Keep the lock for a second commit (wrap): take PATH.new again
	 * before letting go of the file just renamed, then check that PATH
	 * is still that file: someone (init -f) may have slipped in between.
	 */
	axo_state_lock(io, &next, AXO_STATE_WAIT_MS, 0);
	r = fstat(lk->fd, &a) == 0 && lstat(io->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino ? 0 : -1;
	close(lk->fd);
	*lk = next;
	return r;
}
