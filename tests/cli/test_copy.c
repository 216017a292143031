/*
 * test_copy.c - `inved copy --from A --to B [--json]` between two SQLite
 * files, through the binary: a demo file given a history (edits by two
 * users, an overwrite, a drift, an archive, a delete and a restore, a
 * create with a request id, a draft) is copied into a new file; the
 * counts are reported, `check` passes on the copy, every row and every
 * trigger is the same, and every demo user's list, show, history and
 * audit in JSON read the same on both.  The copy goes on as a live file
 * (a guarded edit saves, a stale one conflicts, new ids and seqs follow
 * the old).  A target that is not empty is refused (exit 3) and left as
 * it was; a missing source is exit 4 and creates no target; usage errors
 * are exit 2.  The same round trip through PostgreSQL is
 * tests/pg/test_copy.sh.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static struct run run_on(const char *db, const char *user,
                         const char *const *args)
{
	const char *full[40];
	struct run r;
	size_t n = 0, i;

	full[n++] = "--db";
	full[n++] = db;
	if (user) {
		full[n++] = "--user";
		full[n++] = user;
	}
	for (i = 0; args[i] && n + 1 < sizeof full / sizeof full[0]; i++)
		full[n++] = args[i];
	full[n] = NULL;
	run_exec(&r, fx_bin, NULL, full);
	return r;
}

static struct run copy(const char *from, const char *to, bool json)
{
	struct run r;

	if (json)
		run_exec(&r, fx_bin, NULL,
		         ARGS("copy", "--from", from, "--to", to, "--json"));
	else
		run_exec(&r, fx_bin, NULL,
		         ARGS("copy", "--from", from, "--to", to));
	return r;
}

static void raw(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("raw SQL failed: %s\n%s", msg, sql);
	sqlite3_close(h);
}

/* The rows of a query as text, one line each (read-only). */
static char *query_text(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	size_t len = 0;
	char *out = calloc(1, 1);
	int c;

	ck_assert_int_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(h));
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (c = 0; c < sqlite3_column_count(s); c++) {
			const char *t = (const char *)sqlite3_column_text(s, c);
			size_t n = t ? strlen(t) : 4;

			out = realloc(out, len + n + 2);
			memcpy(out + len, t ? t : "NULL", n);
			len += n;
			out[len++] =
				c + 1 < sqlite3_column_count(s) ? '|' : '\n';
			out[len] = '\0';
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	return out;
}

static void text_cat(char **buf, size_t *len, const char *s)
{
	size_t n = strlen(s);

	*buf = realloc(*buf, *len + n + 1);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

/* Every demo user's JSON answers (and exit codes) on db: the lists, the
 * audit, and show and history of every invoice id. */
static char *views(const char *db)
{
	static const char *const users[] = {"alice", "bob", "carol", "dave"};
	static const char *const lists[][4] = {
		{"list", "--json", NULL, NULL},
		{"list", "--view", "archived", "--json"},
		{"list", "--view", "all", "--json"},
		{"audit", "--tail", "1000", "--json"},
	};
	char *ids = query_text(db, "SELECT id FROM invoices ORDER BY id");
	char *buf = calloc(1, 1), code[32];
	size_t len = 0, u, i;

	for (u = 0; u < 4; u++) {
		char *p, *save = NULL, *idcopy = strdup(ids);

		for (i = 0; i < 4; i++) {
			const char *args[5] = {lists[i][0], lists[i][1],
			                       lists[i][2], lists[i][3], NULL};
			struct run r = run_on(db, users[u], args);

			text_cat(&buf, &len, r.out);
			snprintf(code, sizeof code, "exit %d\n", r.code);
			text_cat(&buf, &len, code);
			run_free(&r);
		}
		for (p = strtok_r(idcopy, "\n", &save); p;
		     p = strtok_r(NULL, "\n", &save)) {
			struct run r = run_on(db, users[u],
			                      ARGS("show", p, "--json"));

			text_cat(&buf, &len, r.out);
			snprintf(code, sizeof code, "exit %d\n", r.code);
			text_cat(&buf, &len, code);
			run_free(&r);
			r = run_on(db, users[u], ARGS("history", p, "--json"));
			text_cat(&buf, &len, r.out);
			snprintf(code, sizeof code, "exit %d\n", r.code);
			text_cat(&buf, &len, code);
			run_free(&r);
		}
		free(idcopy);
	}
	free(ids);
	return buf;
}

static void expect_ok(struct run r)
{
	fx_expect_code(&r, 0);
	run_free(&r);
}

/* A history with every kind of write, and a draft. */
static void make_history(void)
{
	char sql[512];
	char *id;

	expect_ok(AS("bob", "edit", "ACME-1002", "--version", "1",
	             "--customer", "Initech AG"));
	expect_ok(AS("alice", "edit", "ACME-1002", "--version", "1", "--total",
	             "99.50", "--overwrite"));
	expect_ok(AS("alice", "drift", "ACME-1003"));
	expect_ok(AS("bob", "archive", "ACME-1003", "--version", "2"));
	expect_ok(AS("alice", "delete", "ACME-1006", "--version", "1"));
	id = query_text(fx_db,
		"SELECT id FROM invoices WHERE number = 'ACME-1006'");
	id[strcspn(id, "\n")] = '\0';
	expect_ok(AS("alice", "restore", id, "--version", "2"));
	free(id);
	expect_ok(AS("carol", "create", "--customer", "Wayne Ent.", "--total",
	             "12.34", "--currency", "USD", "--request-id", "copy-r1"));
	expect_ok(AS("carol", "edit", "GLOBEX-1001", "--version", "1",
	             "--status", "paid"));
	snprintf(sql, sizeof sql,
		"INSERT INTO drafts (user_id, org_id, invoice_id, token, "
		"version, base_version, base_body, body, saved_at) "
		"SELECT u.id, i.org_id, i.id, '', 3, i.version, "
		"'{\"customer\":\"Initech AG\"}', "
		"'{\"customer\":\"Initech SE\"}', "
		"'2026-12-02T10:41:05.000Z' "
		"FROM users u, invoices i WHERE u.name = 'bob' "
		"AND i.number = 'ACME-1002' AND i.deleted_at IS NULL");
	raw(fx_db, sql);
	expect_ok(AS("alice", "check"));
}

/* What must be the same row for row on source and copy. */
static const char *const same_sql[] = {
	"SELECT * FROM orgs ORDER BY id",
	"SELECT * FROM users ORDER BY id",
	"SELECT * FROM memberships ORDER BY user_id, org_id",
	"SELECT * FROM invoices ORDER BY id",
	"SELECT * FROM audit ORDER BY seq",
	"SELECT * FROM requests ORDER BY org_id, token",
	"SELECT * FROM drafts ORDER BY user_id, org_id, invoice_id, token",
	"SELECT * FROM totals WHERE count <> 0 ORDER BY org_id, state, "
	"currency",
	"SELECT key, value FROM meta WHERE key = 'demo'",
	"SELECT type, name, tbl_name, sql FROM sqlite_schema "
	"WHERE type IN ('trigger', 'index', 'view') ORDER BY name",
};

START_TEST(copy_keeps_every_row_view_and_trigger)
{
	char to[400];
	char *a, *b, *n;
	struct jv *o, *copied;
	size_t i;

	make_history();
	fx_path(to, sizeof to, "copy.db");
	o = fx_json(copy(fx_db, to, true), 0);
	ck_assert(jv_get(o, "ok")->b);
	ck_assert(jv_get(jv_get(o, "check"), "ok")->b);
	ck_assert_str_eq(fx_jstr(o, "from"), "sqlite");
	ck_assert_str_eq(fx_jstr(o, "to"), "sqlite");
	copied = jv_get(o, "copied");
	n = query_text(fx_db, "SELECT count(*) FROM invoices");
	ck_assert_int_eq(fx_jint(copied, "invoices"), atoll(n));
	free(n);
	n = query_text(fx_db, "SELECT count(*) FROM audit");
	ck_assert_int_eq(fx_jint(copied, "audit"), atoll(n));
	free(n);
	ck_assert_int_eq(fx_jint(copied, "orgs"), 2);
	ck_assert_int_eq(fx_jint(copied, "users"), 4);
	ck_assert_int_eq(fx_jint(copied, "memberships"), 4);
	ck_assert_int_eq(fx_jint(copied, "drafts"), 1);
	ck_assert_int_eq(fx_jint(copied, "meta"), 1);
	jv_free(o);

	for (i = 0; i < sizeof same_sql / sizeof same_sql[0]; i++) {
		a = query_text(fx_db, same_sql[i]);
		b = query_text(to, same_sql[i]);
		ck_assert_msg(strcmp(a, b) == 0, "%s differs:\n%s\n---\n%s",
		              same_sql[i], a, b);
		free(a);
		free(b);
	}
	expect_ok(run_on(to, "alice", ARGS("check")));
	a = views(fx_db);
	b = views(to);
	fx_expect_in(a, "invoice.overwrite");
	fx_expect_in(a, "invoice.drift");
	ck_assert_msg(strcmp(a, b) == 0, "the views differ:\n%s\n---\n%s", a,
	              b);
	free(a);
	free(b);
}
END_TEST

START_TEST(the_copy_goes_on_as_a_live_database)
{
	char to[400], want[64];
	struct run r;
	struct jv *o;
	char *max;

	make_history();
	fx_path(to, sizeof to, "copy.db");
	expect_ok(copy(fx_db, to, false));
	o = fx_json(run_on(to, "bob",
	                   ARGS("edit", "ACME-1005", "--version", "1",
	                        "--customer", "After", "--json")),
	            0);
	ck_assert_int_eq(fx_jint(jv_get(o, "invoice"), "version"), 2);
	jv_free(o);
	r = run_on(to, "alice", ARGS("edit", "ACME-1005", "--version", "1",
	                             "--customer", "Stale", "--json"));
	fx_expect_code(&r, 3);
	fx_expect_in(r.out, "\"customer\":\"After\"");
	run_free(&r);
	max = query_text(fx_db, "SELECT max(id) + 1 FROM invoices");
	snprintf(want, sizeof want, "\"id\":%lld,", atoll(max));
	free(max);
	r = run_on(to, "alice", ARGS("create", "--customer", "New", "--total",
	                             "1", "--json"));
	fx_expect_code(&r, 0);
	fx_expect_in(r.out, want);
	run_free(&r);
	r = run_on(to, "carol", ARGS("create", "--customer", "Wayne Ent.",
	                             "--total", "12.34", "--currency", "USD",
	                             "--request-id", "copy-r1", "--json"));
	fx_expect_code(&r, 0);
	fx_expect_in(r.out, "\"repeat\":true");
	run_free(&r);
	expect_ok(run_on(to, "alice", ARGS("check")));
}
END_TEST

START_TEST(a_non_empty_target_is_refused_and_left_as_it_was)
{
	char to[400];
	char *before, *after;
	struct run r;
	struct jv *o;

	fx_path(to, sizeof to, "other.db");
	expect_ok(run_on(to, NULL, ARGS("init", "--demo")));
	before = fx_dump(to);
	r = copy(fx_db, to, false);
	fx_expect_code(&r, 3);
	fx_expect_in(r.err, "is not empty");
	fx_expect_in(r.err, "nothing was written");
	run_free(&r);
	o = fx_json(copy(fx_db, to, true), 3);
	ck_assert_str_eq(fx_jstr(o, "error"), "conflict");
	jv_free(o);
	after = fx_dump(to);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);

	/* one row is enough: a user with no org */
	fx_path(to, sizeof to, "one.db");
	expect_ok(run_on(to, NULL, ARGS("init")));
	raw(to, "INSERT INTO users (name) VALUES ('zed')");
	before = fx_dump(to);
	r = copy(fx_db, to, false);
	fx_expect_code(&r, 3);
	run_free(&r);
	after = fx_dump(to);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(a_copy_that_fails_midway_leaves_the_target_empty_and_whole)
{
	static const char schema_sql[] =
		"SELECT type, name, sql FROM sqlite_schema ORDER BY name";
	char to[400], fresh[400];
	char *want, *got;
	struct run r;

	/* a membership of a user who does not exist: the target's foreign
	 * key refuses it after the orgs and users went in */
	raw(fx_db, "INSERT INTO memberships (user_id, org_id, role) "
	           "VALUES (999, 1, 'member')");
	fx_path(to, sizeof to, "half.db");
	fx_path(fresh, sizeof fresh, "fresh.db");
	expect_ok(run_on(to, NULL, ARGS("init")));
	expect_ok(run_on(fresh, NULL, ARGS("init")));
	r = copy(fx_db, to, false);
	ck_assert_int_ne(r.code, 0);
	run_free(&r);
	got = query_text(to, "SELECT (SELECT count(*) FROM orgs) + "
	                     "(SELECT count(*) FROM users) + "
	                     "(SELECT count(*) FROM invoices) + "
	                     "(SELECT count(*) FROM audit)");
	ck_assert_str_eq(got, "0\n");
	free(got);
	/* every trigger is back: the schema is a fresh file's */
	want = query_text(fresh, schema_sql);
	got = query_text(to, schema_sql);
	ck_assert_str_eq(got, want);
	free(want);
	free(got);
}
END_TEST

START_TEST(an_initialised_empty_target_is_taken)
{
	char to[400];
	char *a, *b;

	fx_path(to, sizeof to, "empty.db");
	expect_ok(run_on(to, NULL, ARGS("init")));
	expect_ok(copy(fx_db, to, false));
	a = query_text(fx_db, "SELECT * FROM audit ORDER BY seq");
	b = query_text(to, "SELECT * FROM audit ORDER BY seq");
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	expect_ok(run_on(to, "alice", ARGS("check")));
}
END_TEST

START_TEST(a_missing_source_is_not_found_and_creates_nothing)
{
	char from[400], to[400];
	struct run r;
	struct jv *o;

	fx_path(from, sizeof from, "nowhere.db");
	fx_path(to, sizeof to, "copy.db");
	r = copy(from, to, false);
	fx_expect_code(&r, 4);
	fx_expect_in(r.err, "nowhere.db");
	run_free(&r);
	o = fx_json(copy(from, to, true), 4);
	ck_assert_str_eq(fx_jstr(o, "error"), "not_found");
	jv_free(o);
	ck_assert_int_ne(access(to, F_OK), 0);
}
END_TEST

START_TEST(usage_errors_exit_2)
{
	struct run r;
	struct jv *o;

	run_exec(&r, fx_bin, NULL, ARGS("copy", "--from", fx_db));
	fx_expect_code(&r, 2);
	fx_expect_in(r.err, "--to");
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("copy", "--to", fx_db, "--json"));
	o = fx_json(r, 2);
	ck_assert_str_eq(fx_jstr(o, "field"), "from");
	jv_free(o);
	r = copy(fx_db, fx_db, false);
	fx_expect_code(&r, 2);
	fx_expect_in(r.err, "same database");
	run_free(&r);
	run_exec(&r, fx_bin, NULL,
	         ARGS("copy", "--from", fx_db, "--to", "a", "--to", "b"));
	fx_expect_code(&r, 2);
	run_free(&r);
}
END_TEST

static Suite *copy_suite(void)
{
	Suite *s = suite_create("cli-copy");
	TCase *tc = tcase_create("copy");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, copy_keeps_every_row_view_and_trigger);
	tcase_add_test(tc, the_copy_goes_on_as_a_live_database);
	tcase_add_test(tc, a_non_empty_target_is_refused_and_left_as_it_was);
	tcase_add_test(tc, an_initialised_empty_target_is_taken);
	tcase_add_test(tc,
	               a_copy_that_fails_midway_leaves_the_target_empty_and_whole);
	tcase_add_test(tc, a_missing_source_is_not_found_and_creates_nothing);
	tcase_add_test(tc, usage_errors_exit_2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_main(copy_suite());
}
