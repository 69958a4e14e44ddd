/* SPDX-License-Identifier: GPL-2.0-only */
/* proc.c: process set-up, messages and small parsers of the family. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sodium.h>

#include "axo.h"

static const char *prog = "axo";
static int quiet;

void
axo_init(const char *name)
{
	struct rlimit rl = { 0, 0 };

	prog = name;
	/* No core file may carry a key to a disk. */
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to disable core dumps");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		axo_diesys(AXO_EXIT_TEMP, "unable to make the process undumpable");
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		axo_diesys(AXO_EXIT_TEMP, "unable to ignore SIGPIPE");
	if (sodium_init() < 0)
		axo_die(AXO_EXIT_TEMP, "unable to initialise libsodium");
}

void
axo_sig_catch(const int *sigs, void (*handler)(int), sigset_t *orig)
{
	struct sigaction sa;
	sigset_t set;
	int i;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&set);
	for (i = 0; sigs[i] != 0; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, orig);
	for (i = 0; sigs[i] != 0; i++)
		sigaction(sigs[i], &sa, NULL);
}

__attribute__((format(printf, 2, 0)))
static void
vsay(const char *kind, const char *fmt, va_list ap, const char *sys)
{
	char line[1024];
	int n, m;

	n = snprintf(line, sizeof line, "%s: %s: ", prog, kind);
	if (n < 0 || (size_t)n >= sizeof line)
		n = 0;
	m = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (m < 0)
		m = 0;
	n += m;
	if ((size_t)n >= sizeof line - 1)
		n = sizeof line - 2;
	if (sys != NULL)
		n += snprintf(line + n, sizeof line - 1 - n, ": %s", sys);
	if ((size_t)n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* One write, so that lines from two programs do not interleave. */
	(void)!write(2, line, n);
}

void
axo_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("fatal", fmt, ap, NULL);
	va_end(ap);
	_exit(code);
}

void
axo_diesys(int code, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsay("fatal", fmt, ap, strerror(e));
	va_end(ap);
	_exit(code);
}

void
axo_say_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("fatal", fmt, ap, NULL);
	va_end(ap);
}

void
axo_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning", fmt, ap, NULL);
	va_end(ap);
}

void
axo_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("hint", fmt, ap, NULL);
	va_end(ap);
}

void
axo_info_quiet(int on)
{
	quiet = on;
}

void
axo_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vsay("info", fmt, ap, NULL);
	va_end(ap);
}

void
axo_usage(const char *usage)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof line, "%s: usage: %s\n", prog, usage);
	if (n > 0 && (size_t)n < sizeof line)
		(void)!write(2, line, n);
	_exit(AXO_EXIT_USAGE);
}

void
axo_help(const char *usage)
{
	printf("usage: %s\n", usage);
	exit(0);
}

void
axo_help_opts(const char *usage, const char *const *opts)
{
	printf("usage: %s\n\noptions:\n", usage);
	for (; *opts != NULL; opts++)
		printf("  %s\n", *opts);
	exit(0);
}

static int
known(int c, const char *optstring, const struct option *lo)
{
	if (c != ':' && strchr(optstring, c) != NULL)
		return 1;
	for (; lo != NULL && lo->name != NULL; lo++)
		if (lo->val == c && lo->flag == NULL)
			return 1;
	return 0;
}

void
axo_opt_bad(char *const *argv, const char *optstring,
    const struct option *lo, const char *usage)
{
	const char *a = optind > 0 ? argv[optind - 1] : "";
	int n;

	if (a == NULL)
		a = "";
	n = (int)strcspn(a, "=");
	if (optopt == 0)
		fprintf(stderr, "%s: unknown option %.*s\n", prog, n, a);
	else if (!known(optopt, optstring, lo))
		fprintf(stderr, "%s: unknown option -%c\n", prog, optopt);
	else if (strncmp(a, "--", 2) == 0 && a[n] == '=')
		fprintf(stderr, "%s: option %.*s takes no argument\n", prog, n,
		    a);
	else if (strncmp(a, "--", 2) == 0)
		fprintf(stderr, "%s: option %.*s needs an argument\n", prog, n,
		    a);
	else
		fprintf(stderr, "%s: option -%c needs an argument\n", prog,
		    optopt);
	axo_usage(usage);
}

void
axo_opt_once(unsigned char seen[AXO_OPT_MAX], int c, const char *usage)
{
	if (c < 0 || c >= AXO_OPT_MAX || seen[c])
		axo_usage(usage);
	seen[c] = 1;
}

int
axo_opt_fd(const char *s, const char *usage)
{
	unsigned long n;

	if (!axo_scan_uint(s, 1023, &n))
		axo_usage(usage);
	return (int)n;
}

int
axo_scan_uint(const char *s, unsigned long max, unsigned long *n)
{
	unsigned long v = 0;

	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		if (v > (max - (unsigned long)(*s - '0')) / 10)
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*n = v;
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
axo_scan_hex(const char *s, unsigned char *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (strlen(s) != 2 * len)
		return 0;
	for (i = 0; i < len; i++) {
		hi = hexval((unsigned char)s[2 * i]);
		lo = hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

void
axo_fmt_hex(char *out, const unsigned char *in, size_t len)
{
	sodium_bin2hex(out, 2 * len + 1, in, len);
}
