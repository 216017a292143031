/* pgtest.c - see pgtest.h. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

void pgtest_fixture_make(const char *prefix)
{
	char uri[512], sql[256];
	struct pg_store *st = NULL;
	struct inv_err err = {0};
	PGconn *c;

	snprintf(pgtest_db, sizeof pgtest_db, "%s_%ld_%d", prefix,
	         (long)getpid(), rand() % 100000);
	pgtest_uri(uri, sizeof uri, "postgres", "postgres");
	c = PQconnectdb(uri);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	/* the schema, installed by the backend as the owner */
	pgtest_uri(uri, sizeof uri, pgtest_db, pgtest_env("INVED_PG_OWNER"));
	ck_assert_msg(pgstore_open(uri, STORE_OPEN_CREATE, 0, &st, &err) ==
	                      INV_OK,
	              "create: %s", err.msg);
	pgstore_close(st);
	c = pgtest_raw(pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c,
		"INSERT INTO orgs (name, prefix) VALUES ('acme', 'ACME-'), "
		"('globex', 'GLOBEX-');"
		"INSERT INTO users (name) VALUES ('alice'), ('bob'), ('carol'), "
		"('dave');"
		"INSERT INTO memberships (user_id, org_id, role) "
		"SELECT u.id, o.id, r.role FROM (VALUES "
		"('alice', 'acme', 'admin'), ('bob', 'acme', 'member'), "
		"('carol', 'globex', 'admin'), ('dave', 'globex', 'member')) "
		"AS r(u, o, role) JOIN users u ON u.name = r.u "
		"JOIN orgs o ON o.name = r.o;"
		"INSERT INTO invoices (org_id, number, customer, total_minor, "
		"currency) SELECT o.id, v.n, v.c, v.t, 'EUR' FROM (VALUES "
		"('acme', 'ACME-1001', 'Initech', 125000), "
		"('acme', 'ACME-1002', 'Umbrella', 5000), "
		"('globex', 'GLOBEX-1001', 'Wayne', 990000)) AS v(o, n, c, t) "
		"JOIN orgs o ON o.name = v.o ORDER BY v.n");
	PQfinish(c);
}

int64_t pgtest_id_of(const char *number)
{
	char sql[200];

	snprintf(sql, sizeof sql,
	         "SELECT id FROM invoices WHERE number = '%s' "
	         "AND deleted_at IS NULL",
	         number);
	return strtoll(pgtest_su_value(sql), NULL, 10);
}
