/* SPDX-License-Identifier: GPL-2.0-only */
/* torinfo.c: what a running tor is: its process, its user, its ports. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axo.h"
#include "torctl.h"
#include "torinfo.h"

/* "Uid:\tR\tE..." of /proc/PID/status: the real ids, or -1. */
static void
proc_ids(long pid, long *uid, long *gid)
{
	char path[64], buf[4096], *p;
	unsigned long n;
	ssize_t len;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	len = axo_readall(fd, (unsigned char *)buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return;
	buf[len] = '\0';
	if ((p = strstr(buf, "\nUid:\t")) != NULL &&
	    sscanf(p + 6, "%lu", &n) == 1)
		*uid = (long)n;
	if ((p = strstr(buf, "\nGid:\t")) != NULL &&
	    sscanf(p + 6, "%lu", &n) == 1)
		*gid = (long)n;
}

/* The first "127.0.0.1:PORT" of a list of QuotedStrings (§3.9). */
static unsigned long
first_socks(const char *v)
{
	const char *p = v;
	unsigned long port;
	char num[8];
	size_t i;

	while ((p = strstr(p, "127.0.0.1:")) != NULL) {
		p += 10;
		for (i = 0; i < sizeof num - 1 && p[i] >= '0' && p[i] <= '9';
		    i++)
			num[i] = p[i];
		num[i] = '\0';
		if (i > 0 && axo_scan_uint(num, 65535, &port) && port != 0)
			return port;
	}
	return 0;
}

int
axo_torinfo_get(struct axo_torctl *c, struct axo_torinfo *ti)
{
	struct ucred cred;
	struct passwd *pw;
	socklen_t sl = sizeof cred;
	unsigned long n;
	char v[1024];
	int k;

	memset(ti, 0, sizeof *ti);
	ti->pid = ti->uid = ti->gid = -1;
	if ((k = axo_torctl_getinfo(c, "version", v, sizeof v)) != 0)
		return k;
	/* its first word, and only characters a shell line can hold as
	 * they are (info writes TOR_VERSION=... for a shell to read) */
	snprintf(ti->version, sizeof ti->version, "%.*s", (int)strspn(v,
	    "0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-"),
	    v);
	if ((k = axo_torctl_getinfo(c, "process/pid", v, sizeof v)) != 0)
		return k;
	if (axo_scan_uint(v, 4194304, &n))
		ti->pid = (long)n;
	if ((k = axo_torctl_getinfo(c, "process/user", v, sizeof v)) != 0)
		return k;
	if (strlen(v) < sizeof ti->user && strspn(v,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
	    == strlen(v))
		memcpy(ti->user, v, strlen(v) + 1);
	if ((k = axo_torctl_getinfo(c, "net/listeners/socks", v,
	    sizeof v)) != 0)
		return k;
	ti->socks = first_socks(v);
	/* a unix control socket names its peer: tor, whatever its pid */
	if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == 0 &&
	    cred.pid > 0) {
		ti->uid = (long)cred.uid;
		ti->gid = (long)cred.gid;
		return 0;
	}
	if (ti->pid > 0)
		proc_ids(ti->pid, &ti->uid, &ti->gid);
	if (ti->uid == -1 && ti->user[0] != '\0' &&
	    (pw = getpwnam(ti->user)) != NULL) {
		ti->uid = (long)pw->pw_uid;
		ti->gid = (long)pw->pw_gid;
	}
	return 0;
}
