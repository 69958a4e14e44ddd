/* SPDX-License-Identifier: GPL-2.0-only */
/* tui.h: the chat window on the terminal (axo-chat). */
#ifndef AXO_TUI_H
#define AXO_TUI_H

#include <stddef.h>
#include <stdint.h>

/*
 * tui.c: the chat window on the terminal (stdin, stdout): messages in a
 * scroll region, a status line (green, or red when SMP failed), the input
 * line at the bottom, drawn again after every message.  start makes the
 * terminal raw (-1 if it cannot); stop restores it and must be called on
 * every exit path.  print adds a line already clean of controls (PEER
 * and MINE lines are "<nick> text").  input feeds the bytes read from the
 * terminal; each finished line goes to fn.  Nothing ever takes the
 * input line from the user: what waits for an answer is on the status
 * line, and answered by a command.
 */
#define AXO_TUI_NOTE	0
#define AXO_TUI_PEER	1
#define AXO_TUI_MINE	2
#define AXO_TUI_LINE	0
#define AXO_TUI_TEXT	1	/* a pasted line: text, never a command */
#define AXO_TUI_LINE_MAX	65536	/* the input line, a paste */
typedef void (*axo_tui_fn)(void *arg, int kind, const char *line,
    size_t len);
/* start's trust: green "verified (SMP)", green "not verified", red */
#define AXO_TUI_UNVERIFIED	0
#define AXO_TUI_VERIFIED	1
#define AXO_TUI_RED		2
int axo_tui_start(int trust, const char *me, const char *peer);
void axo_tui_stop(void);
void axo_tui_print(int kind, const char *line);
/*
 * mine: one of our lines, our message number seq: it shows a pending
 * mark ("...") until delivered(n) with n >= seq.  link: the status line
 * turns yellow with the text while the link is down; NULL when it is up.
 */
void axo_tui_mine(const char *line, uint32_t seq);
void axo_tui_delivered(uint32_t upto);
void axo_tui_link(const char *down);
void axo_tui_progress(const char *s);
/* offer: the peer's open offer on the status line, NULL when none */
void axo_tui_offer(const char *s);
void axo_tui_redraw(void);
/*
 * deadline: when a lone Esc times out (axo_clock_ms), 0 when none waits;
 * the loop polls no longer than that and then calls tick, which drops it.
 */
long long axo_tui_deadline(void);
void axo_tui_tick(void);
void axo_tui_flush(void);
void axo_tui_input(const unsigned char *buf, size_t n, axo_tui_fn fn,
    void *arg);

#endif
