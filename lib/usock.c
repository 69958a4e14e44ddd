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
axo_usock_listen(const char *tmp, const char *path, long gid)
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
	    listen(lfd, 4) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to listen on %s", tmp);
	/* for a tor of another user: its group may connect (the directory,
	 * 0750 in that group, keeps everybody else out) */
	if (gid != -1 && (chown(tmp, (uid_t)-1, (gid_t)gid) == -1 ||
	    chmod(tmp, 0660) == -1))
		axo_diesys(AXO_EXIT_TEMP, "unable to give group %ld %s", gid,
		    tmp);
	if (rename(tmp, path) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to rename %s", tmp);
	return lfd;
}

int
axo_usock_take(int lfd, long peer, char *err, size_t errlen)
{
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	socklen_t sl = sizeof cred;
	int fd;

	err[0] = '\0';
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd == -1)
		return -1;
	/* Only a process of ours, or the tor of uid peer, may be the peer. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == -1 ||
	    (cred.uid != geteuid() && (peer < 0 || cred.uid != (uid_t)peer))) {
		snprintf(err, errlen, "refused a connection from uid %ld",
		    (long)cred.uid);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

int
axo_usock_accept(int lfd, long peer, long long deadline)
{
	char err[128];
	int fd, r;

	for (;;) {
		r = axo_fd_wait(lfd, POLLIN, deadline);
		if (r == -1)
			axo_diesys(AXO_EXIT_TEMP, "unable to poll");
		if (r == 0)
			return -1;
		fd = axo_usock_take(lfd, peer, err, sizeof err);
		if (fd != -1)
			return fd;
		if (errno == EPERM)
			axo_warn("%s", err);
		else if (errno != EINTR && errno != ECONNABORTED &&
		    errno != EAGAIN)
			axo_diesys(AXO_EXIT_TEMP, "unable to accept");
	}
}

/*
 * A link program (axo-onion connect --pass) connects, hands the socket
 * to axo-ratchet wrap and exits: one byte with the fd as SCM_RIGHTS
 * (unix(7)), so that wrap keeps the session and axo-onion everything it
 * knows about tor and SOCKS.
 */
/* One byte and room for one fd: the message both ends use (the union
 * last: struct cmsghdr may end in a flexible array). */
struct fdmsg {
	struct msghdr m;
	struct iovec iov;
	char one;
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
};

static void
fdmsg_init(struct fdmsg *f)
{
	memset(f, 0, sizeof *f);
	f->one = 'L';
	f->iov.iov_base = &f->one;
	f->iov.iov_len = 1;
	f->m.msg_iov = &f->iov;
	f->m.msg_iovlen = 1;
	f->m.msg_control = f->u.b;
	f->m.msg_controllen = sizeof f->u.b;
}

int
axo_usock_send_fd(int sock, int fd)
{
	struct fdmsg f;
	struct cmsghdr *c;
	ssize_t n;

	fdmsg_init(&f);
	c = CMSG_FIRSTHDR(&f.m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &f.m, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int
axo_usock_recv_fd(int sock)
{
	struct fdmsg f;
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	fdmsg_init(&f);
	do
		n = recvmsg(sock, &f.m, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&f.m); c != NULL; c = CMSG_NXTHDR(&f.m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (n == 0 || fd == -1 || (f.m.msg_flags & MSG_CTRUNC)) {
		if (fd != -1)
			close(fd);
		errno = n == 0 ? EPIPE : EPROTO;
		return -1;
	}
	return fd;
}
