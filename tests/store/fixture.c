/*
 * fixture.c - see fixture.h.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

void fixture_setup(struct fixture *fx)
{
	struct inv_err err;
	const char *tmp = getenv("TMPDIR");

	memset(fx, 0, sizeof *fx);
	snprintf(fx->dir, sizeof fx->dir, "%s/inved-test-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/t.db", fx->dir);
	ck_assert_int_eq(store_open(fx->path, STORE_OPEN_CREATE, 0, &fx->st,
	                            &err), INV_OK);
	if (store_seed_demo(fx->st, &err) != INV_OK)
		ck_abort_msg("seed: %s", err.msg);
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
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fx->dir);
}

sqlite3 *fixture_raw(const struct fixture *fx)
{
	sqlite3 *db = NULL;

	ck_assert_int_eq(sqlite3_open(fx->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

long long fixture_count(const struct fixture *fx, const char *sql)
{
	sqlite3 *db = fixture_raw(fx);
	sqlite3_stmt *s = NULL;
	long long v = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
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

void fixture_drop_schema2_triggers(sqlite3 *db)
{
	const char *p = strstr(inved_schema_sql, "\n-- schema 2 --\n");
	const char *key = "CREATE TRIGGER ";

	ck_assert_ptr_nonnull(p);
	while ((p = strstr(p, key))) {
		char name[128], sql[200];
		size_t n;

		p += strlen(key);
		n = strcspn(p, " \n");
		ck_assert_uint_lt(n, sizeof name);
		memcpy(name, p, n);
		name[n] = '\0';
		snprintf(sql, sizeof sql, "DROP TRIGGER %s", name);
		ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
		              "%s: %s", sql, sqlite3_errmsg(db));
	}
}
