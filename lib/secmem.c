/* SPDX-License-Identifier: GPL-2.0-only */
/* secmem.c: guarded, locked memory for secrets, wiped on release. */
#include <sodium.h>

#include "axo.h"

void *
axo_xmalloc(size_t len)
{
	void *p;

	p = sodium_malloc(len);
	if (p == NULL)
		axo_diesys(AXO_EXIT_TEMP, "unable to allocate secure memory");
	return p;
}

void
axo_free(void *p)
{
	/* sodium_free wipes the whole region before unmapping it. */
	sodium_free(p);
}
