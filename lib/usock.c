/* SPDX-License-Identifier: GPL-2.0-only */
/* usock.c: a unix stream socket that only our own uid may connect to. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "axo.h"
#include "usock.h"

int
axo_usock_listen(const char *tmp, const char *path)
{
	struct sockaddr_un sa;
	int lfd;

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(tmp) >= sizeof sa.sun_path)
		axo_die(AXO_EXIT_USAGE, "socket name too long: %s", tmp);
	memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to create a socket");
	unlink(tmp);
	umask(077);
	/* bound and listening before its name appears: no refused connect */
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    listen(lfd, 1) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to listen on %s", tmp);
	if (rename(tmp, path) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to rename %s", tmp);
	return lfd;
}

int
axo_usock_accept(int lfd, long long deadline)
{
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	socklen_t sl;
	int fd, r;

	for (;;) {
		r = axo_fd_wait(lfd, POLLIN, deadline);
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to poll");
		if (r == 0)
			return -1;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			axo_diesys(AXO_EXIT_TEMP, "unable to accept");
		}
		/* Only a process of ours (tor) may be the peer. */
		sl = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == -1 ||
		    cred.uid != geteuid()) {
			axo_warn("refused a connection from uid %ld",
			    (long)cred.uid);
			close(fd);
			continue;
		}
		return fd;
	}
}
