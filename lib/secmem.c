/* SPDX-License-Identifier: GPL-2.0-only */
/* secmem.c: guarded, locked memory for secrets, wiped on release. */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "axo.h"

void *
axo_xmalloc(size_t len)
{
	static int warned;
	void *p;
	int e;

	p = sodium_malloc(len);
	if (p == NULL)
		axo_diesys(AXO_EXIT_TEMP, "unable to allocate secure memory");
	/*
	 * sodium_malloc ignores a failed mlock: lock again (a no-op for
	 * pages already locked) to know, and say it once (issue 11), for
	 * what was meant never to reach a swap disk may now.
	 */
	if (!warned && sodium_mlock(p, len) != 0) {
		e = errno;
		warned = 1;
		axo_warn("unable to lock memory, secrets may be swapped to a "
		    "disk: %s", strerror(e));
		axo_hint("raise the limit of locked memory (ulimit -l)");
	}
	return p;
}

void
axo_free(void *p)
{
	/* sodium_free wipes the whole region before unmapping it. */
	sodium_free(p);
}
