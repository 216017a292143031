/*
 * fixture.h - a fresh demo database per test, in a temporary directory of
 * its own, and the demo identities.
 */
#ifndef INVED_TEST_FIXTURE_H
#define INVED_TEST_FIXTURE_H

#include <sqlite3.h>

#include "store.h"
#include "store_demo.h"

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

/* Turn the file back into what schema `version` made: its triggers, views
 * and indexes exactly as the schema text before "-- schema version+1 --"
 * creates them, the tables it had that later versions dropped (filled as
 * the old triggers would have filled them), user_version = version.  The
 * tables both versions have keep their shape and rows, so a test that needs
 * an older table shape rebuilds it itself.  Opening the file then runs the
 * migration again. */
void fixture_downgrade(sqlite3 *db, int version);

#endif
