/*
 * fixture.h - a fresh demo database per test, in a temporary directory of
 * its own, and the demo identities.
 */
#ifndef INVED_TEST_FIXTURE_H
#define INVED_TEST_FIXTURE_H

#include <sqlite3.h>

#include "store.h"

struct fixture {
	char dir[256];
	char path[300];
	struct store *st;
	struct identity alice, bob, carol, dave;
};

/* Creates the directory and the demo database, opens the store and
 * resolves the four demo identities; aborts the test on failure. */
void fixture_setup(struct fixture *fx);
void fixture_teardown(struct fixture *fx);

/* Another plain SQLite connection to the same file (a foreign writer). */
sqlite3 *fixture_raw(const struct fixture *fx);
long long fixture_count(const struct fixture *fx, const char *sql);
/* Find a live demo invoice by number; aborts the test when missing. */
struct invoice fixture_find(struct fixture *fx, const struct identity *who,
                            const char *number);

/* Drop every trigger the schema's "-- schema 2 --" part creates, so that,
 * with user_version set back to 1, the file opens as a schema 1 file and
 * the migration runs again. */
void fixture_drop_schema2_triggers(sqlite3 *db);

#endif
