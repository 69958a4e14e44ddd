/* SPDX-License-Identifier: GPL-2.0-only */
/* link.c: handing a connected socket from one process to another, and taking one from tor. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axo.h"
#include "link.h"

/*
 * A link program (axo-onion connect --pass) connects, hands the socket
 * to axo-ratchet wrap and exits: one byte with the fd as SCM_RIGHTS
 * (unix(7)), so that wrap keeps the session and axo-onion everything it
 * knows about tor and SOCKS.
 */
int
axo_link_send_fd(int sock, int fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m;
	struct cmsghdr *c;
	struct iovec iov;
	char one = 'L';
	ssize_t n;

	memset(&u, 0, sizeof u);
	memset(&m, 0, sizeof m);
	iov.iov_base = &one;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = sizeof u.b;
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do
		n = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

int
axo_link_recv_fd(int sock)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m;
	struct cmsghdr *c;
	struct iovec iov;
	char one;
	ssize_t n;
	int fd = -1;

	memset(&m, 0, sizeof m);
	iov.iov_base = &one;
	iov.iov_len = 1;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.b;
	m.msg_controllen = sizeof u.b;
	do
		n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (n == 0 || fd == -1 || (m.msg_flags & MSG_CTRUNC)) {
		if (fd != -1)
			close(fd);
		errno = n == 0 ? EPIPE : EPROTO;
		return -1;
	}
	return fd;
}

int
axo_link_accept(int lfd, char *err, size_t errlen)
{
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	socklen_t sl = sizeof cred;
	int fd;

	err[0] = '\0';
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd == -1)
		return -1;
	/* Only a process of ours (tor) may be the peer of the onion's
	 * socket; the ratchet then decides whether it is the peer. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == -1 ||
	    cred.uid != geteuid()) {
		snprintf(err, errlen, "refused a connection from uid %ld",
		    (long)cred.uid);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}
