/*
 * acc.h - what the acceptance tests share on top of the end-to-end
 * machinery (tests/e2e/e2e.h): running the command line beside an open
 * screen, peer writes through the core, the freshness strip and the
 * inspector read back, and golden screens kept as text files.
 *
 * The acceptance tests prove the behaviours the seed documents list,
 * translated to the terminal (tests/ACCEPTANCE.md maps each item to its
 * test). Like the e2e tests they wait for screen text or for a database
 * condition with generous deadlines, and never sleep for a fixed time.
 */
#ifndef INVED_TESTS_ACC_H
#define INVED_TESTS_ACC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "e2e.h"

/*
 * Run the built inved as a script would: inved --db DB --user USER args...
 * (user NULL: no --user, so the logged-in account)
 * Its standard output and error together go into out (may be NULL),
 * always terminated. Returns the exit status (-1 when a signal ended it).
 */
int acc_cli(const char *user, const char *const args[], char *out,
            size_t size);

/* A peer's edit of an acme invoice through the core, at its current
 * version, as another terminal's save would land. NULL fields are left
 * alone. Returns the new version. */
int64_t acc_peer_edit(const char *number, const char *customer,
                      const char *total);

/* Screen row 1 (tabs and the freshness strip) as it reads now. */
const char *acc_strip(struct pty *pty);
/* Age in tenths of a second of "list" or "summary" in the strip, or -1
 * when the strip does not show it. */
long acc_strip_age(struct pty *pty, const char *which);
/* Both ages in the strip are below one second now (no waiting: called on
 * the frame that reports a write). */
void acc_strip_fresh(struct pty *pty);
/* Wait until both ages in the strip are at least min_tenths (the strip
 * has aged, so a reset afterwards is visible). */
void acc_wait_strip_aged(struct pty *pty, long min_tenths);

/* Open the inspector (i) and wait for it. */
void acc_inspector_open(struct pty *pty);
/* Close it (Esc) and wait until it is gone. */
void acc_inspector_close(struct pty *pty);
/* How many invalidation log lines the open inspector shows with text in
 * them (e.g. "action  list:1"). */
int acc_rows_holding(struct pty *pty, const char *text);
/* Wait until exactly n screen rows hold text. */
void acc_wait_rows_holding(struct pty *pty, const char *text, int n);

/*
 * Compare the screen with tests/acceptance/golden/NAME.txt, cell for
 * cell, '~' in the file matching any one cell. Volatile parts (the
 * freshness strip, clock times, dates) are masked when a file is written.
 * With INVED_GOLDEN_UPDATE=1 in the environment the file is (re)written
 * from the screen once it has settled, and the test passes.
 */
#define GOLDEN(pty, name) acc_golden_at((pty), (name), __FILE__, __LINE__)
void acc_golden_at(struct pty *pty, const char *name, const char *file,
                   int line);

/* ---- the test cases, one function per file -------------------------- */

TCase *acc_tcase_conflict(void);
TCase *acc_tcase_lifecycle(void);
TCase *acc_tcase_freshness(void);
TCase *acc_tcase_drafts(void);
TCase *acc_tcase_inspector(void);
TCase *acc_tcase_golden(void);
TCase *acc_tcase_golden_de(void);

#endif
