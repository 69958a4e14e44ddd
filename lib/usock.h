/* SPDX-License-Identifier: GPL-2.0-only */
/* usock.h: a unix stream socket that only our own uid (or tor's) may use. */
#ifndef AXO_USOCK_H
#define AXO_USOCK_H

#include <stddef.h>

/*
 * usock.c: listen binds and listens on tmp, then renames it to path, so
 * that the name appears only once connects succeed; umask 077, or with
 * gid other than -1 mode 0660 in group gid (a tor that runs as another
 * user, in a directory only that group may enter).  accept waits until
 * the deadline (axo_clock_ms() time) for one peer whose uid is ours or
 * peer (SO_PEERCRED; peer -1: ours only), refusing others with a
 * warning: the connected socket (close-on-exec), or -1 when the deadline
 * passed.  Both die 111 on system errors.
 */
int axo_usock_listen(const char *tmp, const char *path, long gid);
int axo_usock_accept(int lfd, long peer, long long deadline);

/*
 * usock_take: one accept on lfd, as accept does it (peer the same), without waiting:
 * the socket, or -1 with errno (EAGAIN: none waits; EPERM: refused, the
 * words in err).
 * usock_send_fd: sends fd over the unix socket sock (one byte, the fd as
 * SCM_RIGHTS): 0, or -1 and errno.  usock_recv_fd: receives one
 * (close-on-exec): the fd, or -1 with errno (EPIPE: the sender closed
 * without sending one).  A link program (axo-onion connect --pass) hands
 * its connection to axo-ratchet wrap this way.
 */
int axo_usock_take(int lfd, long peer, char *err, size_t errlen);
int axo_usock_send_fd(int sock, int fd);
int axo_usock_recv_fd(int sock);

#endif
