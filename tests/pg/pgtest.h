/*
 * pgtest.h - what the PostgreSQL backend's C tests share: the cluster from
 * the environment run_c.sh sets (PGHOST, PGPORT), a URI for a database and
 * a role, a raw libpq connection to the test's database as a role, and a
 * statement that must succeed.  Each failure ends the test with its
 * message.
 */
#ifndef INVED_PGTEST_H
#define INVED_PGTEST_H

#include <stddef.h>

#include <libpq-fe.h>

/* The test's own database (each test program makes one). */
extern char pgtest_db[64];

const char *pgtest_env(const char *name);
void pgtest_uri(char *buf, size_t len, const char *dbname, const char *user);
PGconn *pgtest_raw(const char *user);
void pgtest_sql_ok(PGconn *c, const char *sql);

#endif
