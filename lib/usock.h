/* SPDX-License-Identifier: GPL-2.0-only */
/* usock.h: a unix stream socket that only our own uid may connect to. */
#ifndef AXO_USOCK_H
#define AXO_USOCK_H

/*
 * usock.c: listen binds and listens on tmp, then renames it to path, so
 * that the name appears only once connects succeed; umask 077.  accept
 * waits until the deadline (axo_clock_ms() time) for one peer whose uid
 * is ours (SO_PEERCRED), refusing others with a warning: the connected
 * socket (close-on-exec), or -1 when the deadline passed.  Both die 111
 * on system errors.
 */
int axo_usock_listen(const char *tmp, const char *path);
int axo_usock_accept(int lfd, long long deadline);

#endif
