/*
 * fixture.h - a fresh demo database per test, and the demo identities.
 * Each test has a temporary directory of its own; on SQLite the database
 * is a file in it, on PostgreSQL (testdb.h) a copy of the program's demo
 * template, its URI in path, dropped at teardown.
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

/* Another plain SQLite connection to the same file (a foreign writer);
 * SQLite only (fails the test on PostgreSQL). */
sqlite3 *fixture_raw(const struct fixture *fx);
/* The first column of the first row of sql (-1 when none), read by a
 * connection of its own (PostgreSQL: the superuser's, which sees every
 * row). */
long long fixture_count(const struct fixture *fx, const char *sql);
/* fixture_count with the query spelt for each engine (pg_sql on
 * PostgreSQL). */
long long fixture_count_sql(const struct fixture *fx, const char *sqlite_sql,
                            const char *pg_sql);
/* Run sql as a writer that is not inved: a plain SQLite connection to the
 * file, or on PostgreSQL the database's owner role, which the schema's
 * triggers and checks bind as they bind any client.  pg_sql is the
 * PostgreSQL spelling (NULL: the same text).  Fails the test on error. */
void fixture_exec(const struct fixture *fx, const char *sqlite_sql,
                  const char *pg_sql);
/* The same; false, with the engine's message in msg, when refused. */
bool fixture_try(const struct fixture *fx, const char *sqlite_sql,
                 const char *pg_sql, char *msg, size_t size);
/* Whether an audit detail records field going from old_json to new_json
 * (JSON values as written: "\"paid\"", "1250", "null"), in the text
 * both backends hand out: {"f":{"old":..,"new":..}}. */
bool fixture_detail_has(const char *detail, const char *field,
                        const char *old_json, const char *new_json);
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
