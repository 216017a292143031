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
#include <stdint.h>

#include <libpq-fe.h>

#include "pgstore.h"

/* The test's own database (each test program makes one). */
extern char pgtest_db[64];

const char *pgtest_env(const char *name);
void pgtest_uri(char *buf, size_t len, const char *dbname, const char *user);
PGconn *pgtest_raw(const char *user);
void pgtest_sql_ok(PGconn *c, const char *sql);

/* The first value of sql run as user in the test's database, as text
 * (a static buffer); as the superuser (row security does not apply). */
const char *pgtest_value_as(const char *user, const char *sql);
const char *pgtest_su_value(const char *sql);
/* sql as the superuser, which must succeed. */
void pgtest_su_exec(const char *sql);
/* The backend opened on the test's database as user (which must work),
 * and the identity user (NULL: the connection's role) resolves to. */
struct pg_store *pgtest_store_as(const char *user);
struct identity pgtest_who(struct pg_store *st, const char *user);

/* The database of one test (pgtest_db, named PREFIX_PID_N): made by the
 * superuser for the owner role, the schema installed by the backend as
 * the owner, then orgs acme (alice admin, bob member; ACME-1001 and
 * ACME-1002) and globex (carol admin, dave member; GLOBEX-1001). */
void pgtest_fixture_make(const char *prefix);
/* The id of the live invoice with this number (the superuser's view). */
int64_t pgtest_id_of(const char *number);

#endif
