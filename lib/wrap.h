/* SPDX-License-Identifier: GPL-2.0-only */
/* wrap.h: the chainloader loop of "axo-ratchet wrap". */
#ifndef AXO_WRAP_H
#define AXO_WRAP_H

#include "ratchet.h"

/*
 * wrap.c: the chainloader loop of "axo-ratchet wrap": runs argv with its
 * fds 6/7 on plaintext pipes, and moves records over the network fds 6/7.
 * Returns the exit code for the program.
 */
int axo_wrap_run(struct axo_ratchet *r, char *const argv[], int close_fds[],
    int nclose);

#endif
