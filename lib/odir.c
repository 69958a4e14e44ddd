/* SPDX-License-Identifier: GPL-2.0-only */
/* odir.c: axo-onion's directories and the socket's path in them. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "axo.h"
#include "odir.h"
#include "torinfo.h"

void
axo_odir_check(const char *dir, int insecure)
{
	size_t i;

	axo_dir_need_private(dir, insecure);
	for (i = 0; dir[i] != '\0'; i++)
		if (!((dir[i] >= 'a' && dir[i] <= 'z') ||
		    (dir[i] >= 'A' && dir[i] <= 'Z') ||
		    (dir[i] >= '0' && dir[i] <= '9') ||
		    strchr("/._-+", dir[i]) != NULL))
			axo_die(AXO_EXIT_USAGE,
			    "directory %s: only letters, digits and /._-+ please",
			    dir);
}

long
axo_odir_check_sock(const char *dir)
{
	struct stat st;
	size_t i;

	if (lstat(dir, &st) == -1)
		axo_diesys(AXO_EXIT_USAGE, "socket directory %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0027) != 0)
		axo_die(AXO_EXIT_USAGE, "socket directory %s must be ours, "
		    "mode 0750 or tighter", dir);
	for (i = 0; dir[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789/._-+", dir[i]) == NULL)
			axo_die(AXO_EXIT_USAGE,
			    "directory %s: only letters, digits and /._-+ please",
			    dir);
	return (long)st.st_gid;
}

void
axo_odir_sock(char *out, size_t outlen, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, name) >= outlen)
		axo_die(AXO_EXIT_USAGE, "directory name too long: %s", dir);
	if (strlen(out) >= sizeof ((struct sockaddr_un *)0)->sun_path)
		axo_die(AXO_EXIT_USAGE, "directory name too long for a socket: %s",
		    dir);
}

void
axo_odir_need_reach(const struct axo_torinfo *ti, const char *dir,
    const char *sockdir, long sgid)
{
	char who[128];

	if (ti->uid < 0 || ti->uid == (long)geteuid())
		return;
	if (ti->user[0] != '\0')
		snprintf(who, sizeof who, "%s (uid %ld)", ti->user, ti->uid);
	else
		snprintf(who, sizeof who, "uid %ld", ti->uid);
	if (sockdir == NULL)
		axo_die(AXO_EXIT_USAGE, "tor runs as %s and cannot reach a socket "
		    "in %s: give -D, a directory of tor's group (gid %ld), mode "
		    "0750", who, dir, ti->gid);
	if (sgid != ti->gid)
		axo_die(AXO_EXIT_USAGE, "tor runs as %s: socket directory %s "
		    "must be of its group, gid %ld (it is %ld)", who, sockdir,
		    ti->gid, sgid);
}
