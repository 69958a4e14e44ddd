/* SPDX-License-Identifier: GPL-2.0-only */
/* link.h: handing a connected socket between processes (axo-onion, axo-ratchet wrap). */
#ifndef AXO_LINK_H
#define AXO_LINK_H

#include <stddef.h>

/*
 * axo_link_send_fd: sends fd over the unix socket sock (one byte, the fd
 * as SCM_RIGHTS): 0, or -1 and errno.
 * axo_link_recv_fd: receives one such fd (close-on-exec): the fd, or -1
 * with errno (EPIPE: the sender closed without sending one).
 * axo_link_accept: accepts one connection on the listening unix socket
 * lfd (close-on-exec), only from a process of our own uid (tor): the fd,
 * or -1 with errno (EPERM with words in err for a refused peer).
 */
int axo_link_send_fd(int sock, int fd);
int axo_link_recv_fd(int sock);
int axo_link_accept(int lfd, char *err, size_t errlen);

#endif
