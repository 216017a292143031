/*
 * fixture.h - what the command line test programs beyond test_cli.c
 * share: a fresh demo database per test, running the binary on it as a
 * user, reading its JSON answer, and looking at the file itself (every
 * table's rows, or its raw bytes) to prove that a refused command wrote
 * nothing.
 */
#ifndef INVED_TEST_CLI_FIXTURE_H
#define INVED_TEST_CLI_FIXTURE_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jsonv.h"
#include "run.h"

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ENV(...) ((const char *const[]){__VA_ARGS__, NULL})

extern const char *fx_bin;  /* the inved binary */
extern char fx_dir[256];    /* this test's scratch directory */
extern char fx_db[320];     /* its demo database: a file, or on
                             * PostgreSQL a URI (testdb.h) */

/* A scratch directory and a fresh demo database: on SQLite a file in it
 * (a copy of the one fx_main prepared with `init --demo`, template.h), on
 * PostgreSQL a copy of the program's demo template (testdb.h); teardown
 * removes both. */
void fx_setup(void);
void fx_teardown(void);

/* inved --db DB [--user USER] args... with env changes (may be NULL). */
struct run fx_run(const char *const *env, const char *user,
                  const char *const *args);
#define AS(user, ...) fx_run(NULL, user, ARGS(__VA_ARGS__))

void fx_expect_code(const struct run *r, int code);
void fx_expect_in(const char *text, const char *needle);

/* Expect the exit code, parse stdout as one JSON object (the caller frees
 * it) and free the run. */
struct jv *fx_json(struct run r, int code);
const char *fx_jstr(const struct jv *o, const char *key);
int64_t fx_jint(const struct jv *o, const char *key);

/* The JSON error name for an exit code of SPEC 5. */
const char *fx_error_name(int code);

/* Every row of every table of the database at path, as text, read through
 * the SQLite C API (read-only), or for a PostgreSQL URI as the superuser
 * (testdb_su_dump): equal dumps mean nothing was written. */
char *fx_dump(const char *path);
/* How many rows the audit table holds (every org's). */
int64_t fx_audit_count(const char *path);
/* path is a postgresql:// or postgres:// URI. */
bool fx_is_uri(const char *path);

/* Run sql on this test's database as a foreign writer (not inved): the
 * sqlite3 C API, or on PostgreSQL the superuser (no member: its writes
 * are audited as 'external').  Fails the test on error. */
void fx_sql(const char *sql);
/* The first column of the first row of sql as a number (-1 when none). */
int64_t fx_sql_int(const char *sql);
/* How the database names itself in messages: the file's path, or on
 * PostgreSQL the database's name (a URI may hold a password). */
const char *fx_where(void);

/* The file's bytes, *len set (NULL when it cannot be read). */
unsigned char *fx_file_bytes(const char *path, size_t *len);

/* A copy of str under the test's scratch directory: fx_dir "/" name. */
const char *fx_path(char *buf, size_t len, const char *name);

/* Run the suite the way every test program here does; returns the exit
 * status for main(). */
int fx_main(Suite *s);

#endif
