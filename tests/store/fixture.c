/*
 * fixture.c - see fixture.h.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "testdb.h"

void fixture_setup(struct fixture *fx)
{
	struct inv_err err;
	const char *tmp = getenv("TMPDIR");

	memset(fx, 0, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "%s/inved-test-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	if (testdb_pg()) {
		/* a copy of the program's demo database (testdb.h) */
		testdb_demo_copy(fx->path, sizeof fx->path);
		if (store_open(fx->path, &(struct store_options){0, 0},
		               &fx->st, &err) != INV_OK)
			ck_abort_msg("open %s: %s", fx->path, err.msg);
	} else {
		snprintf(fx->path, sizeof fx->path, "%s/t.db", fx->dir);
		ck_assert_int_eq(store_open(fx->path,
		                            &(struct store_options){
		                                STORE_OPEN_CREATE, 0},
		                            &fx->st, &err), INV_OK);
		if (store_seed_demo(fx->st, &err) != INV_OK)
			ck_abort_msg("seed: %s", err.msg);
	}
	ck_assert_int_eq(store_identity(fx->st, "alice", NULL, &fx->alice,
	                                &err), INV_OK);
	ck_assert_int_eq(store_identity(fx->st, "bob", NULL, &fx->bob, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(fx->st, "carol", NULL, &fx->carol,
	                                &err), INV_OK);
	ck_assert_int_eq(store_identity(fx->st, "dave", NULL, &fx->dave, &err),
	                 INV_OK);
}

void fixture_teardown(struct fixture *fx)
{
	char cmd[400];

	store_close(fx->st);
	fx->st = NULL;
	if (testdb_pg())
		testdb_drop(fx->path);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->dir);
}

sqlite3 *fixture_raw(const struct fixture *fx)
{
	sqlite3 *db = NULL;

	ck_assert_msg(!testdb_pg(), "a raw SQLite connection on PostgreSQL");
	ck_assert_int_eq(sqlite3_open(fx->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

long long fixture_count(const struct fixture *fx, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (testdb_pg())
		return testdb_su_count(fx->path, sql);
	db = fixture_raw(fx);

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

long long fixture_count_sql(const struct fixture *fx, const char *sqlite_sql,
                            const char *pg_sql)
{
	return fixture_count(fx, testdb_pg() ? pg_sql : sqlite_sql);
}

bool fixture_try(const struct fixture *fx, const char *sqlite_sql,
                 const char *pg_sql, char *msg, size_t size)
{
	sqlite3 *db;
	bool ok;

	if (testdb_pg())
		return testdb_owner_try(fx->path, pg_sql ? pg_sql : sqlite_sql,
		                        msg, size);
	db = fixture_raw(fx);
	ok = sqlite3_exec(db, sqlite_sql, NULL, NULL, NULL) == SQLITE_OK;
	snprintf(msg, size, "%s", ok ? "" : sqlite3_errmsg(db));
	sqlite3_close(db);
	return ok;
}

void fixture_exec(const struct fixture *fx, const char *sqlite_sql,
                  const char *pg_sql)
{
	char msg[1024];

	ck_assert_msg(fixture_try(fx, sqlite_sql, pg_sql, msg, sizeof msg),
	              "%s: %s", testdb_pg() && pg_sql ? pg_sql : sqlite_sql, msg);
}

bool fixture_detail_has(const char *detail, const char *field,
                        const char *old_json, const char *new_json)
{
	char want[512];

	/* the same text on both backends */
	snprintf(want, sizeof want, "\"%s\":{\"old\":%s,\"new\":%s}",
	         field, old_json, new_json);
	return strstr(detail, want) != NULL;
}

struct invoice fixture_find(struct fixture *fx, const struct identity *who,
                            const char *number)
{
	struct invoice inv;
	struct inv_err err;

	if (store_find(fx->st, who, number, &inv, &err) != INV_OK)
		ck_abort_msg("find %s: %s", number, err.msg);
	return inv;
}

extern const char inved_schema_sql[];

static void exec_or_abort(sqlite3 *db, const char *sql)
{
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(db));
}

/* The schema objects of an older version: the schema text before the line
 * that starts the next version, run into a database in memory. */
static sqlite3 *schema_of(int version)
{
	char mark[32];
	const char *end;
	char *text;
	sqlite3 *mem = NULL;

	snprintf(mark, sizeof mark, "\n-- schema %d --\n", version + 1);
	end = strstr(inved_schema_sql, mark);
	ck_assert_ptr_nonnull(end);
	text = strndup(inved_schema_sql, (size_t)(end - inved_schema_sql));
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(sqlite3_open(":memory:", &mem), SQLITE_OK);
	exec_or_abort(mem, text);
	free(text);
	return mem;
}

void fixture_downgrade(sqlite3 *db, int version)
{
	sqlite3 *mem = schema_of(version);
	sqlite3_stmt *s = NULL;
	bool feed_table = false;
	char *sql, *drop[64];
	size_t ndrop = 0, i;

	exec_or_abort(db, "BEGIN IMMEDIATE");
	/* every trigger, view and index of ours goes ... */
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT CASE type WHEN 'view' THEN 'DROP VIEW ' "
		"WHEN 'trigger' THEN 'DROP TRIGGER ' ELSE 'DROP INDEX ' END "
		"|| name FROM sqlite_schema WHERE type IN ('view', 'trigger', "
		"'index') AND sql IS NOT NULL ORDER BY type = 'index'",
		-1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && ndrop < 64) {
		drop[ndrop] = strdup((const char *)sqlite3_column_text(s, 0));
		ck_assert_ptr_nonnull(drop[ndrop]);
		ndrop++;
	}
	sqlite3_finalize(s);
	for (i = 0; i < ndrop; i++) {
		exec_or_abort(db, drop[i]);
		free(drop[i]);
	}
	/* ... the columns a later version added go (schema 5's history
	 * chain: invoices.audit_tip, audit.prev_seq) ... */
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT t.name, c.name FROM sqlite_schema t, "
		"pragma_table_info(t.name) c WHERE t.type = 'table' "
		"AND t.name IN ('invoices', 'audit')", -1, &s, NULL),
		SQLITE_OK);
	ndrop = 0;
	while (sqlite3_step(s) == SQLITE_ROW && ndrop < 64) {
		const char *table = (const char *)sqlite3_column_text(s, 0);
		const char *column = (const char *)sqlite3_column_text(s, 1);
		sqlite3_stmt *q = NULL;
		int old;

		ck_assert_int_eq(sqlite3_prepare_v2(mem,
			"SELECT (SELECT count(*) FROM sqlite_schema "
			"WHERE type = 'table' AND name = ?1), "
			"(SELECT count(*) FROM pragma_table_info(?1) "
			"WHERE name = ?2)", -1, &q, NULL), SQLITE_OK);
		sqlite3_bind_text(q, 1, table, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, column, -1, SQLITE_TRANSIENT);
		ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
		old = sqlite3_column_int(q, 0) && !sqlite3_column_int(q, 1);
		sqlite3_finalize(q);
		if (old) {
			drop[ndrop] = sqlite3_mprintf(
				"ALTER TABLE \"%w\" DROP COLUMN \"%w\"", table,
				column);
			ck_assert_ptr_nonnull(drop[ndrop]);
			ndrop++;
		}
	}
	sqlite3_finalize(s);
	for (i = 0; i < ndrop; i++) {
		exec_or_abort(db, drop[i]);
		sqlite3_free(drop[i]);
	}
	/* ... the tables the old version had and this one has not come
	 * back (the change feed, filled from the audit as its triggers would
	 * have written it), then its indexes, views and triggers */
	ck_assert_int_eq(sqlite3_prepare_v2(mem,
		"SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL "
		"ORDER BY type = 'trigger', rowid", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		bool table = strcmp(type, "table") == 0;
		sqlite3_stmt *q = NULL;
		int have = 0;

		if (table) {
			ck_assert_int_eq(sqlite3_prepare_v2(db,
				"SELECT count(*) FROM sqlite_schema WHERE name = ?1",
				-1, &q, NULL), SQLITE_OK);
			sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
			ck_assert_int_eq(sqlite3_step(q), SQLITE_ROW);
			have = sqlite3_column_int(q, 0);
			sqlite3_finalize(q);
			if (have)
				continue;
			feed_table |= strcmp(name, "changes") == 0;
		}
		if (strcmp(type, "trigger") == 0 && feed_table) {
			exec_or_abort(db, "INSERT INTO changes (seq, at, org_id, "
				"invoice_id, action) SELECT seq, at, org_id, "
				"subject_id, action FROM audit ORDER BY seq");
			feed_table = false;
		}
		sql = strdup((const char *)sqlite3_column_text(s, 2));
		exec_or_abort(db, sql);
		free(sql);
	}
	sqlite3_finalize(s);
	sqlite3_close(mem);
	sql = sqlite3_mprintf("PRAGMA user_version = %d; COMMIT", version);
	exec_or_abort(db, sql);
	sqlite3_free(sql);
}
