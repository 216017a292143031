/*
 * term.h - the benchmark's pseudo-terminal reader: start a program under
 * forkpty, feed what it writes into a libvterm screen, and tell the moment
 * given text is on that screen.
 *
 * Deliberately smaller than the test driver in tests/pty: the benchmark
 * needs no cell attributes or screen comparisons, only "is this text on
 * screen yet", answered right after each read so the time stamp is the
 * time the bytes arrived.  It builds whether or not the tests are
 * configured.
 */
#ifndef INVED_BENCH_TERM_H
#define INVED_BENCH_TERM_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

struct term;

/* Start argv[0] (a path) on a new pseudo-terminal of rows x cols, with
 * TERM=xterm-256color and LC_ALL=C.UTF-8 and without LINES and COLUMNS.
 * NULL when the terminal cannot be made or the fork fails. */
struct term *term_spawn(const char *const argv[], int rows, int cols);

/* Wait up to timeout_ms for output and feed all that is ready to the
 * screen.  Bytes read, 0 at the deadline, -1 once the child's side closed. */
int term_pump(struct term *t, int timeout_ms);

/* True when every text of the NULL-terminated list is on some row. */
bool term_shows(struct term *t, const char *const texts[]);

/* The text of one screen row (UTF-8, trailing blanks as the screen has
 * them) into buf. */
void term_row_text(struct term *t, int row, char *buf, size_t len);

/* Pump until term_shows(texts) or the deadline; false at the deadline or
 * when the child's side closed first. */
bool term_wait(struct term *t, const char *const texts[], int timeout_ms);

/* Pump until nothing arrived for quiet_ms (or timeout_ms passed). */
void term_wait_quiet(struct term *t, int quiet_ms, int timeout_ms);

/* Write bytes to the program's input. */
bool term_send(struct term *t, const char *bytes);

pid_t term_pid(const struct term *t);

/* Print the screen, for a figure that could not be measured. */
void term_dump(struct term *t, FILE *out);

/* Wait up to timeout_ms for the child to leave on its own, then SIGTERM,
 * then SIGKILL; reap it and free everything.  The exit status, or -1. */
int term_close(struct term *t, int timeout_ms);

#endif
