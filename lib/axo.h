/* SPDX-License-Identifier: GPL-2.0-only */
/* axo.h: what every program of the family shares. */
#ifndef AXO_H
#define AXO_H

#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

/*
 * The exit-code table of the whole family (README, every man page).
 * 96-99 are each program's own protocol errors, documented on its page.
 */
#define AXO_EXIT_OK	0	/* success */
#define AXO_EXIT_NO	1	/* a definite no: bad MAC, mismatch */
#define AXO_EXIT_STATE	96	/* a state file that is not a valid state */
#define AXO_EXIT_PROTO0	96	/* 96-99: program-specific codes */
#define AXO_EXIT_USAGE	100	/* bad usage: options, operands, fds */
#define AXO_EXIT_TEMP	111	/* system or temporary failure */
#define AXO_EXIT_EXEC	126	/* chainload: PROG found, exec failed */
#define AXO_EXIT_NOENT	127	/* chainload: PROG not found */

/* The fds of the family (shared/STYLE.md "Program interface"). */
#define AXO_FD_STATE_IN		4
#define AXO_FD_STATE_OUT	5
#define AXO_FD_NET_IN		6
#define AXO_FD_NET_OUT		7

/*
 * proc.c: process set-up and messages.
 * axo_init: names the program for messages (errmsg_iam), turns core
 * dumps off (RLIMIT_CORE 0, PR_SET_DUMPABLE 0) so that no secret reaches
 * a disk through a crash, ignores SIGPIPE (writes report EPIPE), and
 * initialises libsodium.  Dies 111 on failure.
 */
void axo_init(const char *prog);

/*
 * axo_sig_catch: catch each signal of sigs (ending in 0) with handler,
 * and keep it blocked, so that it is only taken while the caller waits
 * in ppoll(..., orig): none is lost between a check of its flag and the
 * wait.  The mask from before is stored in *orig unless orig is NULL.
 */
void axo_sig_catch(const int *sigs, void (*handler)(int), sigset_t *orig);

/*
 * Messages follow "prog: fatal: what: why", lower case, no period, never
 * a secret.  They go to fd 2 (errmsg), never to stdout.
 */
__attribute__((noreturn, format(printf, 2, 3)))
void axo_die(int code, const char *fmt, ...);
/* as axo_die, with ": strerror(errno)" appended */
__attribute__((noreturn, format(printf, 2, 3)))
void axo_diesys(int code, const char *fmt, ...);
/* "prog: fatal: ..." without exiting, for a hint or usage line after */
__attribute__((format(printf, 1, 2)))
void axo_say_fatal(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void axo_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2)))
void axo_hint(const char *fmt, ...);
/* "prog: info: ..." (progress), unless axo_info_quiet(1) was called
 * (a program's -q). */
__attribute__((format(printf, 1, 2)))
void axo_info(const char *fmt, ...);
void axo_info_quiet(int on);
/* "prog: usage: USAGE", exit 100 */
__attribute__((noreturn))
void axo_usage(const char *usage);

/*
 * Options, the family's way.  axo_help: "usage: USAGE" on stdout, exit 0
 * (-h, --help).  axo_opt_once: the usage line, exit 100, when option c (a
 * getopt_long return below AXO_OPT_MAX) comes a second time (minisign);
 * seen holds a byte per option, zero at first.  axo_opt_fd: an fd
 * operand, 0 to 1023, else the usage line.
 */
#define AXO_OPT_MAX	512
__attribute__((noreturn))
void axo_help(const char *usage);
/*
 * axo_help_opts: the usage line, then opts (one line an option, NULL at
 * the end) on stdout, exit 0.  axo_opt_bad: for a '?' of getopt_long
 * (opterr 0): "prog: unknown option --foo" or "prog: option -n needs an
 * argument", then the usage line, exit 100.
 */
struct option;
__attribute__((noreturn))
void axo_help_opts(const char *usage, const char *const *opts);
__attribute__((noreturn))
void axo_opt_bad(char *const *argv, const char *optstring,
    const struct option *lo, const char *usage);
void axo_opt_once(unsigned char seen[AXO_OPT_MAX], int c, const char *usage);
int axo_opt_fd(const char *s, const char *usage);

/*
 * Whole-string unsigned parse: 1 and *n set when s is all digits and
 * fits in max, else 0.
 */
int axo_scan_uint(const char *s, unsigned long max, unsigned long *n);
/* Exactly 2*len hex digits into out: 1, else 0. */
int axo_scan_hex(const char *s, unsigned char *out, size_t len);
/* len bytes as 2*len lower-case hex digits and a NUL into out. */
void axo_fmt_hex(char *out, const unsigned char *in, size_t len);

/*
 * secmem.c: memory for secrets.  Guarded, locked, never swapped
 * (sodium_malloc); dies 111 when none can be had.  axo_free wipes.
 * When the memory cannot be locked (ulimit -l), a warning says so, once
 * a process: libsodium itself carries on silently.
 */
void *axo_xmalloc(size_t len);
void axo_free(void *p);

/*
 * fd.c: file descriptors.
 * axo_fd_need: dies 100 "missing fd N (what)" unless fd is open.
 * axo_fd_tmpfs: 1 if fd is on tmpfs or ramfs, 0 if not, -1 on error.
 * axo_fd_need_tmpfs: axo_fd_need, then dies 100 unless the fd is on
 * tmpfs/ramfs or insecure is set (--insecure-disk).  Pipes, sockets and
 * terminals pass: they are not a disk.
 */
void axo_fd_need(int fd, const char *what);
int axo_fd_tmpfs(int fd);
void axo_fd_need_tmpfs(int fd, const char *what, int insecure);
/* A private directory: dies 100 unless dir is ours, mode 0700, and on
 * tmpfs/ramfs or insecure is set; 111 when it cannot be checked. */
void axo_dir_need_private(const char *dir, int insecure);

/*
 * Read fd to EOF into buf (at most max bytes).  Returns the length; -1
 * with errno EFBIG when there is more than max, or the read error.
 */
ssize_t axo_readall(int fd, unsigned char *buf, size_t max);
/* Read exactly len bytes: len, 0 at EOF before any byte, -1 otherwise
 * (errno EPIPE for a short read that hit EOF). */
ssize_t axo_readn(int fd, unsigned char *buf, size_t len);
/* Write all of buf, retrying on EINTR/EAGAIN-less partial writes: 0 or -1. */
int axo_writeall(int fd, const void *buf, size_t len);

/*
 * deadline.c: time limits.  A deadline is axo_clock_ms() + a timeout.
 * axo_deadline_left: the milliseconds left, 0 when past (for poll).
 * axo_fd_wait: waits for events on fd until the deadline: 1 ready,
 * 0 timed out, -1 error (errno); EINTR is waited through.
 */
long long axo_clock_ms(void);
int axo_deadline_left(long long deadline);
int axo_fd_wait(int fd, short events, long long deadline);
/* Sleeps ms milliseconds (nothing for ms <= 0), through EINTR. */
void axo_sleep_ms(long ms);

/*
 * exec.c: chainloading.  Replaces the process with argv[0] searched on
 * PATH; when that fails, dies 127 (not found) or 126 (other failure).
 */
__attribute__((noreturn))
void axo_exec(char *const argv[]);
/* Dies as axo_exec would (127, 126) when prog is not an executable file,
 * searched on PATH as execvp does, but runs nothing: for a chainloader
 * that has to know before it commits to anything (wrap). */
void axo_exec_check(const char *prog);
/* Puts the connection fd on fds 6 and 7 (UCSPI, tcpclient(1)), closes
 * fd itself unless it is one of them, then axo_exec; dies 111 when the
 * fds cannot be set up. */
__attribute__((noreturn))
void axo_exec_ucspi(int fd, char *const argv[]);

#endif
