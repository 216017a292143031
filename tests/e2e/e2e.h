/*
 * e2e.h - what the end-to-end tests of the terminal interface share: a
 * fresh demo database for each test (a file in a temporary directory of
 * its own, or with INVED_TEST_BACKEND=pg a copy of the program's demo
 * database on PostgreSQL, testdb.h), the built inved ($INVED_BIN) started
 * on a pseudo-terminal with --db naming it, waits on the
 * screen that abort the test with the screen printed, and reads of the
 * database through the core to check what a screen claims.
 *
 * Every test runs in its own process (Check's fork mode). Terminals a
 * failing test leaves open are killed and reaped by the pty driver at
 * exit, and the temporary directory goes with them.
 */
#ifndef INVED_TESTS_E2E_H
#define INVED_TESTS_E2E_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pty.h"
#include "store.h"
#include "store_demo.h"

/* Generous: a wait returns as soon as the screen shows what it waits for,
 * so a long deadline costs nothing unless the test is failing. */
#define E2E_WAIT_MS 8000
/* A whole test; well above the slowest sequence of waits. */
#define E2E_TEST_TIMEOUT 90

#define E2E_ROWS 24
#define E2E_COLS 80
/* Screen rows of the table at any size: header, then the invoices. */
#define E2E_HEADER_ROW 2
#define E2E_FIRST_ROW 3

struct e2e {
	char dir[256];
	char db[512]; /* a file, or on PostgreSQL a URI (testdb.h) */
	struct store *st; /* the test's own connection, for checks */
	struct identity alice, bob, carol, dave;
};

/* The fixture of the running test (one process per test). */
extern struct e2e e2e;

/* Checked fixture: the directory, the demo database, the identities. */
void e2e_setup(void);
void e2e_teardown(void);

/*
 * Start inved --db DB --user USER [args...] on a rows x cols terminal
 * (user NULL: no --user, so the logged-in account).
 * args and env (NAME=value, or NAME to unset) may be NULL. NO_COLOR and
 * INVED_BUSY_TIMEOUT are unset unless env sets them, so a run does not
 * depend on the caller's environment.
 */
struct pty *e2e_spawn(const char *user, const char *const args[],
                      const char *const env[], int rows, int cols);
/* e2e_spawn at 80x24, then wait for the table's first invoice. */
struct pty *e2e_open(const char *user, const char *const args[]);
/* Quit with q and check the exit status is 0. */
void e2e_quit(struct pty *pty);

/* Waits that fail the test, printing the screen, at the deadline. */
#define SEE(pty, text) e2e_see_at((pty), (text), __FILE__, __LINE__)
#define LOSE(pty, text) e2e_lose_at((pty), (text), __FILE__, __LINE__)
#define SEE_ROW(pty, row, text) \
	e2e_see_row_at((pty), (row), (text), __FILE__, __LINE__)
/* The screen does not show text now (after reading what is waiting). */
#define NOT_SHOWN(pty, text) e2e_not_shown_at((pty), (text), __FILE__, __LINE__)
#define SEND(pty, keys) e2e_send_at((pty), (keys), __FILE__, __LINE__)
/* The row holding text comes to end with suffix (e.g. a version). */
#define ROW_ENDS(pty, text, suffix) \
	e2e_row_ends_at((pty), (text), (suffix), __FILE__, __LINE__)
/* The edit form shows value in the field labelled label. */
#define SEE_FIELD(pty, label, value) \
	e2e_see_field_at((pty), (label), (value), __FILE__, __LINE__)
/* The row holding text comes to hold also. */
#define ROW_HAS(pty, text, also) \
	e2e_row_has_at((pty), (text), (also), __FILE__, __LINE__)
/* Screen row `row` comes to read exactly text (trailing blanks trimmed). */
#define ROW_IS(pty, row, text) \
	e2e_row_is_at((pty), (row), (text), __FILE__, __LINE__)

void e2e_see_at(struct pty *pty, const char *text, const char *file,
                int line);
void e2e_lose_at(struct pty *pty, const char *text, const char *file,
                 int line);
void e2e_see_row_at(struct pty *pty, int row, const char *text,
                    const char *file, int line);
void e2e_not_shown_at(struct pty *pty, const char *text, const char *file,
                      int line);
void e2e_send_at(struct pty *pty, const char *keys, const char *file,
                 int line);
void e2e_row_ends_at(struct pty *pty, const char *text, const char *suffix,
                     const char *file, int line);
void e2e_see_field_at(struct pty *pty, const char *label, const char *value,
                      const char *file, int line);
void e2e_row_has_at(struct pty *pty, const char *text, const char *also,
                    const char *file, int line);
void e2e_row_is_at(struct pty *pty, int row, const char *text,
                   const char *file, int line);

/* Pump the terminal until cond holds; false at the deadline. The
 * condition may look at the screen or at the database. */
typedef bool e2e_cond(struct pty *pty, void *arg);
bool e2e_wait(struct pty *pty, e2e_cond *cond, void *arg, int timeout_ms);

/* The screen row holding text, waiting for it; fails the test if none. */
int e2e_row_of(struct pty *pty, const char *text);
/* The table row drawn in reverse video (the selection), or -1. */
int e2e_selected_row(struct pty *pty);
/* Move the selection with j/k onto the row holding text, waiting for the
 * reverse video to land there. */
void e2e_select(struct pty *pty, const char *text);
/* Wait until the selection is on screen row `row`. */
void e2e_wait_selected(struct pty *pty, int row);
/* Text of one screen row (static buffer, valid until the next call). */
const char *e2e_row(struct pty *pty, int row);
/* True when the whole screen is blank (the terminal's normal screen). */
bool e2e_screen_blank(struct pty *pty);

/* ---- the database, read through the core --------------------------- */

/* A live invoice of acme by number; fails the test when missing. */
struct invoice e2e_invoice(const char *number);
/* An invoice of acme by id, deleted or not. */
struct invoice e2e_invoice_id(int64_t id);
/* How many audit rows acme has (all invoices). */
size_t e2e_audit_count(void);
/* The newest audit row of one invoice; fails the test when none. */
struct audit_entry e2e_audit_newest(int64_t id);
/* Invoices of acme in a view, as alice sees them. */
size_t e2e_view_count(enum inv_view view);
/* A peer's edit through the core (another connection, as another
 * terminal would save): the invoice's customer at its current version.
 * Returns the new version. */
int64_t e2e_peer_set_customer(const char *number, const char *customer);

/* ---- the database beside the core: SQLite or PostgreSQL ------------ */

/* The first column of the first row of a query read beside the core, with
 * n text parameters: sqlite_sql (?1..) on SQLite, pg_sql ($1..) on
 * PostgreSQL as the superuser, who sees every row.  -1 when no row. */
long long e2e_count(const char *sqlite_sql, const char *pg_sql, int n,
                    const char *const values[]);

/* The database's write lock held by the test's own connection until
 * e2e_lock_release: on SQLite BEGIN IMMEDIATE, on PostgreSQL every
 * invoice's row lock (as the inspector's `l` holds it on either). */
struct e2e_lock;
struct e2e_lock *e2e_lock_take(void);
void e2e_lock_release(struct e2e_lock *lock);
/* An e2e_cond: someone else holds that lock now (a write of ours would
 * wait).  arg is unused. */
bool e2e_lock_held(struct pty *pty, void *arg);

/* ---- the test cases, one function per file -------------------------- */

TCase *e2e_tcase_conflict(void);
TCase *e2e_tcase_planted(void);
TCase *e2e_tcase_table(void);
TCase *e2e_tcase_form(void);
TCase *e2e_tcase_screen(void);
TCase *e2e_tcase_signals(void);
TCase *e2e_tcase_badinput(void);
TCase *e2e_tcase_revert(void);
TCase *e2e_tcase_needs_revert(void);
TCase *e2e_tcase_presence(void);
TCase *e2e_tcase_guard(void);
TCase *e2e_tcase_wakeup(void);
TCase *e2e_tcase_panel(void);
TCase *e2e_tcase_polish(void);

#endif
