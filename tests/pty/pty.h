/*
 * pty.h — a pseudo-terminal test driver: run a program under forkpty,
 * feed what it writes into a libvterm screen, send it keys, and read the
 * screen back as a person would see it.
 *
 * Used by the end-to-end tests (tests/e2e/) and tested on its own by
 * tests/pty/test_pty.c against a tiny ncursesw fixture. It knows nothing
 * about inved itself.
 *
 * Rows and columns are 0-based. Text in and out is UTF-8. A wide (CJK)
 * character takes two cells on screen but appears once in the text that
 * the read-back functions return, so "作者" matches as written.
 *
 * Every wait takes a deadline in milliseconds and returns false when it
 * passes; nothing here sleeps for a fixed time.
 */
#ifndef INVED_TESTS_PTY_H
#define INVED_TESTS_PTY_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * Keys as xterm-256color sends them. ncurses switches the terminal into
 * keypad (application) mode with smkx, so the arrows and Home/End are the
 * ESC O forms. Those are the only forms it knows from terminfo: ESC [ A
 * reaches an ncurses 6.4 program as three keys (Esc, '[', 'A').
 */
#define PTY_KEY_F1        "\x1bOP"
#define PTY_KEY_F2        "\x1bOQ"
#define PTY_KEY_F3        "\x1bOR"
#define PTY_KEY_F4        "\x1bOS"
#define PTY_KEY_UP        "\x1bOA"
#define PTY_KEY_DOWN      "\x1bOB"
#define PTY_KEY_RIGHT     "\x1bOC"
#define PTY_KEY_LEFT      "\x1bOD"
#define PTY_KEY_HOME      "\x1bOH"
#define PTY_KEY_END       "\x1bOF"
#define PTY_KEY_PGUP      "\x1b[5~"
#define PTY_KEY_PGDN      "\x1b[6~"
#define PTY_KEY_INSERT    "\x1b[2~"
#define PTY_KEY_DELETE    "\x1b[3~"
#define PTY_KEY_BACKSPACE "\x7f"
#define PTY_KEY_ESC       "\x1b"
#define PTY_KEY_TAB       "\t"
#define PTY_KEY_BTAB      "\x1b[Z"
#define PTY_KEY_ENTER     "\r"
#define PTY_KEY_SPACE     " "
#define PTY_KEY_CTRL_S    "\x13"
#define PTY_KEY_CTRL_U    "\x15"
/*
 * A lone Esc is told apart from the start of a sequence only by time
 * (the program's ESCDELAY): wait for its effect on the screen before
 * sending the next key.
 */

struct pty;

/*
 * Start argv[0] (searched in PATH) on a new pseudo-terminal of the given
 * size. The child inherits this process's environment with TERM set to
 * xterm-256color, LC_ALL to C.UTF-8, and LINES and COLUMNS removed (they
 * would override the window size in curses). envp_extra, which may be
 * NULL, then applies "NAME=value" entries on top; an entry "NAME" without
 * '=' removes NAME. Returns NULL with errno set when the pseudo-terminal
 * cannot be made or the program cannot be executed.
 */
struct pty *pty_spawn(const char *const argv[], const char *const envp_extra[],
                      int rows, int cols);

/*
 * Wait up to timeout_ms for output, then read all that is ready and feed
 * it to the screen. Returns the number of bytes read (0 when nothing came
 * before the deadline), or -1 once the child's side has closed.
 */
int pty_pump(struct pty *pty, int timeout_ms);

/* Pump until text appears anywhere on the screen; false at the deadline. */
bool pty_wait_text(struct pty *pty, const char *text, int timeout_ms);
/* Pump until text is nowhere on the screen; false at the deadline. */
bool pty_wait_gone(struct pty *pty, const char *text, int timeout_ms);
/* Pump until row contains text; false at the deadline. */
bool pty_wait_row_text(struct pty *pty, int row, const char *text,
                       int timeout_ms);
/*
 * Pump until row reads exactly text (trailing blanks ignored). Prefer it
 * to pty_wait_row_text when a row is rewritten in place: a read can land
 * after the new text and before the rest of the old one is erased.
 */
bool pty_wait_row_is(struct pty *pty, int row, const char *text,
                     int timeout_ms);
/*
 * Pump until the program has written nothing for quiet_ms; false when it
 * kept writing until the deadline. Use before comparing a whole screen.
 */
bool pty_wait_quiet(struct pty *pty, int quiet_ms, int timeout_ms);

/*
 * Write bytes to the program's input. Output that arrives meanwhile is
 * read so that a program blocked on a full terminal cannot stall us.
 * False when the bytes could not all be written (the child has gone).
 */
bool pty_send(struct pty *pty, const char *bytes);
/* Send Ctrl-letter, e.g. pty_send_ctrl(pty, 'u') for Ctrl-U. */
bool pty_send_ctrl(struct pty *pty, char letter);

/*
 * The whole screen as UTF-8, one line per row joined by '\n' (no final
 * newline), trailing blanks of each row removed. The caller frees it.
 * NULL only when memory runs out.
 */
char *pty_screen_text(struct pty *pty);
/*
 * One row, trimmed like pty_screen_text, into buf (always NUL-terminated,
 * cut at a character boundary when too small). Returns the length written,
 * or -1 when row is off the screen.
 */
int pty_row_text(struct pty *pty, int row, char *buf, size_t len);
/* The first row whose text contains text, or -1. */
int pty_find_row(struct pty *pty, const char *text);

/* Attributes of one cell; false for a cell off the screen. */
bool pty_cell_reverse(struct pty *pty, int row, int col);
bool pty_cell_bold(struct pty *pty, int row, int col);
/* Where the terminal's cursor is (whether or not it is visible). */
void pty_cursor(struct pty *pty, int *row, int *col);
/* Whether the program has the alternate screen up (smcup without rmcup),
 * and whether it left the cursor visible, as far as the output read so far
 * tells. */
bool pty_alt_screen(struct pty *pty);
bool pty_cursor_visible(struct pty *pty);
/*
 * The terminal's line discipline now: echo and canonical (line) input, as
 * a shell expects them back when a full-screen program has gone. False
 * when they cannot be read (the session is closed).
 */
bool pty_tty_modes(struct pty *pty, bool *echo, bool *canonical);
void pty_size(struct pty *pty, int *rows, int *cols);
pid_t pty_pid(struct pty *pty);

/*
 * Change the window size. First waits (up to 2 s) until the program has
 * written nothing for 50 ms: ncurses 6.4 can miss a SIGWINCH that arrives
 * in the middle of a refresh. Then the screen is resized, then the
 * kernel's window size, which sends the child SIGWINCH; so the redraw
 * lands on a screen that already has the new size.
 */
void pty_resize(struct pty *pty, int rows, int cols);

/* Send a signal to the child, if it has not been reaped. 0 or -1. */
int pty_kill(struct pty *pty, int sig);
/*
 * Reap the child if it has exited, without waiting. True when it has, with
 * *status (may be NULL) set as pty_close returns it.
 */
bool pty_exited(struct pty *pty, int *status);

/*
 * End the session: wait up to timeout_ms for the child to exit on its own
 * (reading its output meanwhile), then SIGTERM, then SIGKILL; reap it,
 * close the terminal and free everything. Returns the child's exit status,
 * or -1 when a signal ended it. pty may be NULL (returns -1).
 */
int pty_close(struct pty *pty, int timeout_ms);

/* Print the screen inside a frame, with size and cursor, for a failure. */
void pty_dump(struct pty *pty, FILE *out);

/*
 * Compare the screen with expected, cell for cell. expected holds one line
 * per row ('\n' between rows); rows and columns it leaves out must be
 * blank on screen. A character of mask_chars (NULL: none) in expected
 * matches whatever one cell holds — a wide character takes two cells, so
 * two mask characters. On a mismatch, *diff (when diff is not NULL) gets
 * a report the caller frees; on a match it is set to NULL.
 */
bool pty_screen_matches(struct pty *pty, const char *expected,
                        const char *mask_chars, char **diff);

#endif
