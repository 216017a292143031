/* pgtest.c - see pgtest.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "pgtest.h"
#include "store_demo.h"

char pgtest_db[64];

const char *pgtest_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v && *v, "%s is not set (run through run_c.sh)", name);
	return v;
}

void pgtest_uri(char *buf, size_t len, const char *dbname, const char *user)
{
	snprintf(buf, len, "postgresql:///%s?host=%s&port=%s&user=%s", dbname,
	         pgtest_env("PGHOST"), pgtest_env("PGPORT"), user);
}

PGconn *pgtest_raw(const char *user)
{
	char uri[512];
	PGconn *c;

	pgtest_uri(uri, sizeof uri, pgtest_db, user);
	c = PQconnectdb(uri);
	ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
	return c;
}

void pgtest_sql_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);

	ck_assert_msg(s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK, "%s: %s",
	              sql, PQresultErrorMessage(r));
	PQclear(r);
}

const char *pgtest_value_as(const char *user, const char *sql)
{
	static char buf[512];
	PGconn *c = pgtest_raw(user);
	PGresult *r = PQexec(c, sql);

	ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
	              PQresultErrorMessage(r));
	snprintf(buf, sizeof buf, "%s",
	         PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	PQfinish(c);
	return buf;
}

const char *pgtest_su_value(const char *sql)
{
	return pgtest_value_as("postgres", sql);
}

void pgtest_su_exec(const char *sql)
{
	PGconn *c = pgtest_raw("postgres");

	pgtest_sql_ok(c, sql);
	PQfinish(c);
}

struct pg_store *pgtest_store_as(const char *user)
{
	char uri[512];
	struct pg_store *st = NULL;
	struct inv_err err = {0};
	enum inv_rc rc;

	pgtest_uri(uri, sizeof uri, pgtest_db, user);
	rc = pgstore_open(uri, STORE_OPEN_EXISTING, 0, &st, &err);
	ck_assert_msg(rc == INV_OK, "open as %s: %s", user, err.msg);
	return st;
}

struct identity pgtest_who(struct pg_store *st, const char *user)
{
	struct identity who;
	struct inv_err err = {0};
	enum inv_rc rc = pgstore_identity(st, user, NULL, &who, &err);

	ck_assert_msg(rc == INV_OK, "identity: %s", err.msg);
	return who;
}
