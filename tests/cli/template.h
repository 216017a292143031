/*
 * template.h - one demo database per test program instead of one per
 * test: `inved init --demo` runs once, before the tests, into a scratch
 * file that is checkpointed (its -wal folded into the file and gone), and
 * each test starts from a byte copy of that file.  The copy is the same
 * database init --demo makes: the demo's users, orgs and invoices, at
 * version 1, with their audit rows.
 */
#ifndef INVED_TEST_CLI_TEMPLATE_H
#define INVED_TEST_CLI_TEMPLATE_H

#include <stdbool.h>

/* Run bin --db FILE init --demo into a fresh scratch directory and
 * checkpoint the file.  Outside any test (from main): on failure it says
 * why on stderr and returns false. */
bool template_make(const char *bin);

/* Copy the prepared file to path (which must not exist); inside a test,
 * a failure fails the test. */
void template_copy(const char *path);

/* Remove the scratch directory (from main, after the tests: a forked
 * test must not remove what its siblings still copy). */
void template_remove(void);

#endif
