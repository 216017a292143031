/* pgtest.c - see pgtest.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "pgtest.h"

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
