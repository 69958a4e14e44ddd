/* SPDX-License-Identifier: GPL-2.0-only */
/* exec.c: chainload the next program, as execline and s6 do. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axo.h"

void
axo_exec(char *const argv[])
{
	execvp(argv[0], argv);
	if (errno == ENOENT)
		axo_diesys(AXO_EXIT_NOENT, "unable to exec %s", argv[0]);
	axo_diesys(AXO_EXIT_EXEC, "unable to exec %s", argv[0]);
}

void
axo_exec_ucspi(int fd, char *const argv[])
{
	if (fd != AXO_FD_NET_IN && dup2(fd, AXO_FD_NET_IN) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (fd != AXO_FD_NET_OUT && dup2(fd, AXO_FD_NET_OUT) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (fd != AXO_FD_NET_IN && fd != AXO_FD_NET_OUT)
		close(fd);
	/* dup2 clears close-on-exec, but the socket may already be 6 or 7 */
	else if (fcntl(fd, F_SETFD, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to clear close-on-exec");
	axo_exec(argv);
}

/* 0 when path is an executable regular file, else -1 and errno. */
static int
runnable(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	return access(path, X_OK);
}

void
axo_exec_check(const char *prog)
{
	char buf[4096];
	const char *path, *p, *end;
	size_t dl, pl = strlen(prog);
	int e = ENOENT;

	if (pl == 0) {
		errno = ENOENT;
		axo_diesys(AXO_EXIT_NOENT, "unable to exec %s", prog);
	}
	if (strchr(prog, '/') != NULL) {
		if (runnable(prog) == 0)
			return;
		e = errno;
	} else {
		/* execvp's search: PATH, or its default; "" is "." */
		path = getenv("PATH");
		if (path == NULL)
			path = "/bin:/usr/bin";
		for (p = path;; p = end + 1) {
			end = strchr(p, ':');
			if (end == NULL)
				end = p + strlen(p);
			dl = (size_t)(end - p);
			if (dl + 1 + pl < sizeof buf) {
				memcpy(buf, dl ? p : ".", dl ? dl : 1);
				dl = dl ? dl : 1;
				buf[dl] = '/';
				memcpy(buf + dl + 1, prog, pl + 1);
				if (runnable(buf) == 0)
					return;
				/* as execvp: one found but not runnable is
				 * EACCES, unless a later one runs */
				if (errno == EACCES)
					e = EACCES;
			}
			if (*end == '\0')
				break;
		}
	}
	errno = e;
	axo_diesys(e == ENOENT || e == ENOTDIR ? AXO_EXIT_NOENT :
	    AXO_EXIT_EXEC, "unable to exec %s", prog);
}
