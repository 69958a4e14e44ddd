/* SPDX-License-Identifier: GPL-2.0-only */
/* exec.c: chainload the next program, as execline and s6 do. */
#include <errno.h>
#include <unistd.h>

#include "axo.h"

void
axo_exec(char *const argv[])
{
	execvp(argv[0], argv);
	if (errno == ENOENT)
		axo_diesys(AXO_EXIT_NOENT, "unable to exec %s", argv[0]);
	axo_diesys(AXO_EXIT_EXEC, "unable to exec %s", argv[0]);
}
