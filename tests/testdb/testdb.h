/*
 * testdb.h - which backend a test program runs against, and on
 * PostgreSQL its databases.
 *
 * Every store, command-line, end-to-end and acceptance program runs twice:
 * on SQLite (its own files, as it always did) and, registered a second
 * time in the pg suite through tests/pg/run_c.sh, with
 * INVED_TEST_BACKEND=pg on the run's throwaway cluster (PGHOST, PGPORT and
 * INVED_PG_OWNER set by run_c.sh).  There a program makes one demo
 * database with the real binary's `init --demo` before its tests
 * (testdb_template_make), and each test starts from a copy of it
 * (CREATE DATABASE ... TEMPLATE), owned by a role that is no superuser.
 *
 * What a test needs that only one engine has (a file's bytes, the -wal
 * file, a raw sqlite3 handle) stays in test cases the program adds only on
 * SQLite; the program says on stdout how many it left out and why.
 */
#ifndef INVED_TESTDB_H
#define INVED_TESTDB_H

#include <stdbool.h>
#include <stddef.h>

/* true when this run is the PostgreSQL one (INVED_TEST_BACKEND=pg). */
bool testdb_pg(void);

/* "sqlite" or "postgresql", for messages. */
const char *testdb_backend(void);

/* PostgreSQL: make this program's demo template with `bin --db URI init
 * --demo`.  From main, before the tests: false (and why on stderr) on
 * failure.  On SQLite it does nothing and returns true. */
bool testdb_template_make(const char *bin);
/* Drop the template (from main, after the tests). */
void testdb_template_remove(void);

/* PostgreSQL: a fresh copy of the demo template for one test; its URI (as
 * the owner) into loc.  Fails the test on error. */
void testdb_demo_copy(char *loc, size_t size);
/* PostgreSQL: a fresh empty database (no schema yet); its URI into loc. */
void testdb_empty(char *loc, size_t size);
/* PostgreSQL: drop the database of loc (WITH (FORCE)). */
void testdb_drop(const char *loc);

/* PostgreSQL: run sql in loc's database as the cluster's superuser (row
 * security does not apply: a foreign writer with every right, or a look
 * at every row).  Fails the test on error. */
void testdb_su_exec(const char *loc, const char *sql);
/* ... the first column of the first row as a number (-1 when none). */
long long testdb_su_count(const char *loc, const char *sql);
/* ... as the owner role (a foreign writer bound by the schema's rules). */
void testdb_owner_exec(const char *loc, const char *sql);
/* Run sql as the owner; false with the server's message in msg. */
bool testdb_owner_try(const char *loc, const char *sql, char *msg,
                      size_t size);
/* Every row of every table of loc's database, as text, table by table in
 * name order (the superuser's view): equal dumps mean nothing was
 * written.  The caller frees it. */
char *testdb_su_dump(const char *loc);

/* PostgreSQL: a connection of its own to loc's database, held across
 * statements (a transaction left open, a lock held, a writer in a child
 * process): as the superuser, or as the owner role (a foreign writer
 * bound by the schema's triggers).  NULL (and why on stderr) on failure;
 * usable in a forked child, where nothing may fail the test. */
struct testdb_conn;
struct testdb_conn *testdb_connect(const char *loc, bool superuser);
/* Run sql (one or more statements); false with the server's message. */
bool testdb_conn_try(struct testdb_conn *c, const char *sql, char *msg,
                     size_t size);
/* The same, failing the test on error. */
void testdb_conn_exec(struct testdb_conn *c, const char *sql);
/* The first column of the first row as a number (-1 when none, or on
 * error). */
long long testdb_conn_count(struct testdb_conn *c, const char *sql);
void testdb_conn_close(struct testdb_conn *c);
/* As the superuser, a held connection that has run sql (say "BEGIN;
 * SELECT ... FOR UPDATE") and keeps what it took (a lock, an open
 * transaction) until testdb_release rolls back and closes it.  Fails the
 * test on error. */
struct testdb_conn *testdb_su_hold(const char *loc, const char *sql);
void testdb_release(struct testdb_conn *c);

/* Add tc to s on SQLite; on PostgreSQL free it unrun (a TCase never
 * added to a suite is never freed). */
struct Suite;
struct TCase;
void testdb_add_sqlite_only(struct Suite *s, struct TCase *tc);

/* Print "# NAME: N tests run on SQLite only (why)" on PostgreSQL. */
void testdb_sqlite_only(const char *what, int n, const char *why);

/* A held superuser connection (testdb_connect(loc, true)), failing the
 * test when it cannot be made. */
struct testdb_conn *testdb_su_connect(const char *loc);
/* Run sql with n text parameters ($1..); false with the server's message
 * in msg.  first (may be NULL): the first column of the first row as a
 * number, -1 when none. */
bool testdb_conn_try_params(struct testdb_conn *c, const char *sql, int n,
                            const char *const values[], long long *first,
                            char *msg, size_t size);
/* ... failing the test on error. */
void testdb_conn_exec_params(struct testdb_conn *c, const char *sql, int n,
                             const char *const values[]);

#endif
