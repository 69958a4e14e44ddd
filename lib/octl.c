/* SPDX-License-Identifier: GPL-2.0-only */
/* octl.c: axo-onion's control connection: opened, authenticated. */
#include <string.h>

#include "axo.h"
#include "octl.h"
#include "torctl.h"

#define PW_MAX		256

int
axo_octl_exit(int kind)
{
	switch (kind) {
	case AXO_TORCTL_EREFUSED: return AXO_OCTL_EXIT_REFUSED;
	case AXO_TORCTL_EPROTO: return AXO_OCTL_EXIT_PROTO;
	default: return AXO_EXIT_TEMP;
	}
}

void
axo_octl_die(struct axo_torctl *c, int kind)
{
	axo_die(axo_octl_exit(kind), "%s", c->err);
}

/* Reads a password of at most PW_MAX bytes from fd, without its LF. */
static unsigned char *
read_password(long fd, size_t *len)
{
	unsigned char *pw;
	ssize_t n;

	axo_fd_need((int)fd, "control password");
	pw = axo_xmalloc(PW_MAX + 1);
	n = axo_readall((int)fd, pw, PW_MAX + 1);
	if (n == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to read the control password");
	if (n > PW_MAX)
		axo_die(AXO_EXIT_USAGE, "control password longer than %d bytes",
		    PW_MAX);
	if (n > 0 && pw[n - 1] == '\n')
		n--;
	if (memchr(pw, '\n', (size_t)n) != NULL ||
	    memchr(pw, '\r', (size_t)n) != NULL ||
	    memchr(pw, '\0', (size_t)n) != NULL)
		axo_die(AXO_EXIT_USAGE, "control password holds a line break or NUL");
	*len = (size_t)n;
	return pw;
}

void
axo_octl_open(struct axo_torctl *c, const char *ctl, const char *cookie,
    long pwfd, unsigned timeout_ms)
{
	unsigned char *pw = NULL;
	size_t pwlen = 0;
	int k;

	if (pwfd >= 0)
		pw = read_password(pwfd, &pwlen);
	axo_torctl_init(c);
	c->timeout_ms = timeout_ms;
	if ((k = axo_torctl_open_at(c, ctl)) != 0)
		axo_octl_die(c, k);
	k = axo_torctl_auth(c, cookie, pw, pwlen);
	if (pw != NULL)
		axo_free(pw);
	if (k != 0)
		axo_octl_die(c, k);
}
