/* SPDX-License-Identifier: GPL-2.0-only */
/* exec.c: chainload the next program, as execline and s6 do. */
#include <errno.h>
#include <fcntl.h>
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

void
axo_exec_ucspi(int fd, char *const argv[])
{
	if (fd != AXO_FD_NET_IN && dup2(fd, AXO_FD_NET_IN) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (fd != AXO_FD_NET_OUT && dup2(fd, AXO_FD_NET_OUT) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to dup2");
	if (fd != AXO_FD_NET_IN && fd != AXO_FD_NET_OUT)
		close(fd);
	/* dup2 clears close-on-exec, but the socket may already be 6 or 7 */
	else if (fcntl(fd, F_SETFD, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to clear close-on-exec");
	axo_exec(argv);
}
