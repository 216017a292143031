/*
 * test_members.c - identity on a shared file, through the core: outside a
 * demo database the session is the logged-in account and no other name;
 * the demo marker cannot be planted by another writer once the file holds
 * an org (and a file of schema 1 gets the guard on open); `init --org` and
 * the member changes are guarded, audited, and keep the last admin.
 */
#include <check.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "testdb.h"

static struct fixture fx;
/* a team's database of the test (PostgreSQL: dropped at teardown) */
static char team_loc[300];

static void setup(void)
{
	fixture_setup(&fx);
	team_loc[0] = '\0';
}

static void teardown(void)
{
	if (testdb_pg() && team_loc[0])
		testdb_drop(team_loc);
	fixture_teardown(&fx);
}

/* The logged-in account: on PostgreSQL the connection's role, a login
 * role of the cluster's (tests/pg/lib.sh) that is not the database's
 * owner (the owner sees every org and makes none). */
#define PG_ACCOUNT "erin"

/* Other members of a team: on PostgreSQL a member is a login role the
 * server has (member add makes none), so two of lib.sh's. */
#define ZED (testdb_pg() ? "carol" : "zed")
#define YAN (testdb_pg() ? "dave" : "yan")

static const char *account(void)
{
	struct passwd *pw;

	if (testdb_pg())
		return PG_ACCOUNT;
	pw = getpwuid(geteuid());

	ck_assert_msg(pw != NULL, "this uid has no passwd entry");
	return pw->pw_name;
}

/* A database as a team makes it: `init --org team`, as the account. */
static struct store *team_db(const char *name, struct identity *admin)
{
	char path[400];
	struct store *st = NULL;
	struct inv_err err;
	bool already = true;

	snprintf(path, sizeof path, "%s/%s", fx.dir, name);
	if (testdb_pg()) {
		char *user;

		/* one per test: a new empty database, its schema made by the
		 * owner role, then the account's own connection */
		ck_assert(team_loc[0] == '\0');
		testdb_empty(team_loc, sizeof team_loc);
		ck_assert_int_eq(store_open(team_loc,
		                            &(struct store_options){
		                                STORE_OPEN_CREATE, 0},
		                            &st, &err), INV_OK);
		store_close(st);
		st = NULL;
		snprintf(path, sizeof path, "%s", team_loc);
		user = strstr(path, "user=");
		ck_assert_ptr_nonnull(user);
		snprintf(user, sizeof path - (size_t)(user - path),
		         "user=" PG_ACCOUNT);
	}
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_CREATE, 0},
	                            &st, &err),
	                 INV_OK);
	ck_assert_msg(store_org_create(st, NULL, "team", admin, &already, &err)
	              == INV_OK, "%s", err.msg);
	ck_assert(!already);
	return st;
}

static long long count_in(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long n = -1;

	if (testdb_pg())
		return testdb_su_count(path, sql);

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* ---- the acting user ----------------------------------------------------- */

START_TEST(outside_a_demo_database_the_session_is_the_logged_in_account)
{
	struct identity admin, who;
	struct inv_err err;
	struct store *st = team_db("team.db", &admin);

	ck_assert_str_eq(admin.user, account());
	ck_assert_int_eq(admin.role, ROLE_ADMIN);
	ck_assert(!store_is_demo(st));
	/* No name, or one's own: the account. */
	ck_assert_int_eq(store_identity(st, NULL, NULL, &who, &err), INV_OK);
	ck_assert_str_eq(who.user, account());
	ck_assert_int_eq(store_identity(st, account(), "team", &who, &err),
	                 INV_OK);
	/* Any other name, even one that is a member, is refused, saying why. */
	ck_assert_int_eq(store_member_add(st, &admin, "alice", ROLE_ADMIN, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(st, "alice", NULL, &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a demo database"));
	ck_assert_ptr_nonnull(strstr(err.msg, account()));
	ck_assert_int_eq(who.user_id, 0);
	store_close(st);
}
END_TEST

START_TEST(in_a_demo_database_a_name_picks_any_demo_user)
{
	struct identity who;
	struct inv_err err;

	char longest[NAME_MAX_BYTES + 1], longer[NAME_MAX_BYTES + 8];

	ck_assert(store_is_demo(fx.st));
	ck_assert_int_eq(store_identity(fx.st, "dave", NULL, &who, &err),
	                 INV_OK);
	ck_assert_str_eq(who.org, "globex");
	/* A name longer than any user's is nobody, not a cut copy of one. */
	memset(longest, 'a', NAME_MAX_BYTES);
	longest[NAME_MAX_BYTES] = '\0';
	snprintf(longer, sizeof longer, "%sbcd", longest);
	ck_assert_int_eq(store_member_add(fx.st, &fx.alice, longest,
	                                  ROLE_MEMBER, &err), INV_OK);
	ck_assert_int_eq(store_identity(fx.st, longest, NULL, &who, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(fx.st, longer, NULL, &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "unknown user"));
}
END_TEST

START_TEST(a_non_member_is_told_how_to_be_added_and_no_other_names)
{
	struct identity admin, who;
	struct inv_err err;
	enum inv_role was;
	struct store *st = team_db("team.db", &admin);

	ck_assert_int_eq(store_member_add(st, &admin, ZED, ROLE_ADMIN, &err),
	                 INV_OK);
	ck_assert_int_eq(store_member_add(st, &admin, YAN, ROLE_MEMBER, &err),
	                 INV_OK);
	/* The account leaves its own org; zed stays its admin. */
	ck_assert_int_eq(store_member_remove(st, &admin, account(), &was, &err),
	                 INV_OK);
	ck_assert_int_eq(was, ROLE_ADMIN);
	ck_assert_int_eq(store_identity(st, NULL, NULL, &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a member"));
	ck_assert_ptr_nonnull(strstr(err.msg, "inved member add"));
	ck_assert_ptr_null(strstr(err.msg, ZED));
	ck_assert_ptr_null(strstr(err.msg, YAN));
	ck_assert_ptr_null(strstr(err.msg, "admin)"));
	store_close(st);
}
END_TEST

/* The org's own audit rows (org.create, member.*) are not invoice history:
 * a team's file passes the integrity check after its members changed. */
START_TEST(a_team_file_with_member_changes_passes_the_check)
{
	struct identity admin;
	struct inv_err err;
	enum inv_role was;
	struct store *st = team_db("team.db", &admin);

	ck_assert_int_eq(store_member_add(st, &admin, ZED, ROLE_MEMBER, &err),
	                 INV_OK);
	ck_assert_int_eq(store_member_role(st, &admin, ZED, ROLE_ADMIN, &was,
	                                   &err), INV_OK);
	ck_assert_int_eq(store_member_remove(st, &admin, ZED, &was, &err),
	                 INV_OK);
	ck_assert_msg(store_check(st, &err) == INV_OK, "check: %s", err.msg);
	store_close(st);
}
END_TEST

/* ---- the demo marker ----------------------------------------------------- */

static void expect_refused(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	ck_assert_msg(rc != SQLITE_OK, "a foreign writer got through: %s", sql);
	sqlite3_free(msg);
}

/* PostgreSQL: the same writes through the database's owner role (psql),
 * each refused by the schema. */
static void expect_refused_pg(const char *loc, const char *sql)
{
	char msg[512];

	ck_assert_msg(!testdb_owner_try(loc, sql, msg, sizeof msg),
	              "a foreign writer got through: %s", sql);
}

START_TEST(a_foreign_writer_cannot_plant_the_demo_marker)
{
	struct identity admin, who;
	struct inv_err err;
	struct store *st = team_db("team.db", &admin);
	char path[400];
	sqlite3 *db = NULL;

	snprintf(path, sizeof path, "%s/team.db", fx.dir);
	if (testdb_pg()) {
		snprintf(path, sizeof path, "%s", team_loc);
		expect_refused_pg(path, "INSERT INTO meta VALUES ('demo', '1')");
		expect_refused_pg(path, "UPDATE meta SET key = 'demo', "
		                        "value = '1' WHERE key = 'schema_version'");
		expect_refused_pg(path, "INSERT INTO meta VALUES ('demo', '1') "
		                        "ON CONFLICT (key) DO UPDATE SET value = '1'");
		expect_refused_pg(path, "DELETE FROM orgs");
		expect_refused_pg(path, "BEGIN; DELETE FROM memberships; "
		                        "DELETE FROM orgs; INSERT INTO meta "
		                        "VALUES ('demo', '1'); COMMIT");
		goto after;
	}
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	/* The sqlite3 shell's defaults: no foreign keys, no recursive
	 * triggers. */
	sqlite3_exec(db, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
	expect_refused(db, "INSERT INTO meta VALUES ('demo', '1')");
	expect_refused(db, "INSERT OR REPLACE INTO meta VALUES ('demo', '1')");
	expect_refused(db, "REPLACE INTO meta VALUES ('demo', '1')");
	expect_refused(db, "UPDATE meta SET key = 'demo', value = '1' "
	                   "WHERE key = 'created_at'");
	expect_refused(db, "INSERT INTO meta VALUES ('demo', '1') "
	                   "ON CONFLICT (key) DO UPDATE SET value = '1'");
	/* Nor empty the orgs first to make the file look new. */
	expect_refused(db, "DELETE FROM orgs");
	expect_refused(db, "BEGIN; DELETE FROM memberships; DELETE FROM orgs; "
	                   "INSERT INTO meta VALUES ('demo', '1'); COMMIT");
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
after:
	ck_assert_int_eq(count_in(path, "SELECT count(*) FROM meta "
	                                "WHERE key = 'demo'"), 0);
	ck_assert_int_eq(count_in(path, "SELECT count(*) FROM orgs"), 1);
	ck_assert(!store_is_demo(st));
	ck_assert_int_eq(store_identity(st, "alice", NULL, &who, &err),
	                 INV_FORBIDDEN);
	store_close(st);
}
END_TEST

START_TEST(a_schema_1_file_gets_the_demo_marker_guard_on_open)
{
	struct identity admin;
	struct store *st = team_db("old.db", &admin);
	struct inv_err err;
	char path[400];
	sqlite3 *db = NULL;

	store_close(st);
	snprintf(path, sizeof path, "%s/old.db", fx.dir);
	/* What a file of schema 1 looked like: no guard. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	fixture_downgrade(db, 1);
	ck_assert_int_eq(sqlite3_exec(db,
		"PRAGMA user_version = 1",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	store_close(st);
	ck_assert_int_eq(count_in(path, "PRAGMA user_version"), 5);
	ck_assert_int_eq(count_in(path, "SELECT count(*) FROM sqlite_schema "
		"WHERE type = 'trigger' AND name IN ('meta_demo_insert', "
		"'meta_demo_update', 'orgs_before_delete')"), 3);
	/* The same text a new file gets. */
	ck_assert_int_eq(count_in(path, "SELECT count(*) FROM sqlite_schema "
		"WHERE name = 'meta_demo_insert' AND sql LIKE "
		"'%RAISE(ABORT, ''the demo marker is written only%'"), 1);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	expect_refused(db, "INSERT INTO meta VALUES ('demo', '1')");
	sqlite3_close(db);
}
END_TEST

START_TEST(init_org_is_refused_in_a_demo_database)
{
	struct identity who;
	struct inv_err err;
	bool already = false;

	ck_assert_int_eq(store_org_create(fx.st, NULL, "team", &who, &already,
	                                  &err), INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "demo database"));
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM orgs"), 2);
}
END_TEST

START_TEST(init_org_leaves_an_existing_org_to_its_admins)
{
	struct identity admin, who;
	struct inv_err err;
	enum inv_role was;
	bool already = false;
	struct store *st = team_db("team.db", &admin);

	/* Again by its admin: nothing changes. */
	ck_assert_int_eq(store_org_create(st, NULL, "team", &who, &already,
	                                  &err), INV_OK);
	ck_assert(already);
	/* Once the account is only a member, init cannot make it admin. */
	ck_assert_int_eq(store_member_add(st, &admin, ZED, ROLE_ADMIN, &err),
	                 INV_OK);
	ck_assert_int_eq(store_member_role(st, &admin, account(), ROLE_MEMBER,
	                                   &was, &err), INV_OK);
	ck_assert_int_eq(store_org_create(st, NULL, "team", &who, &already,
	                                  &err), INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	ck_assert_int_eq(store_identity(st, NULL, "team", &who, &err), INV_OK);
	ck_assert_int_eq(who.role, ROLE_MEMBER);
	/* Another name is refused outright. */
	ck_assert_int_eq(store_org_create(st, ZED, "other", &who, &already,
	                                  &err), INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "not a demo database"));
	store_close(st);
}
END_TEST

/* ---- members ------------------------------------------------------------- */

static long long audit_of(const char *action)
{
	char sql[200];

	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM audit WHERE action = '%s'", action);
	return fixture_count(&fx, sql);
}

START_TEST(only_an_admin_manages_members)
{
	struct member m[8];
	struct inv_err err;
	enum inv_role was;
	long long audit = fixture_count(&fx, "SELECT count(*) FROM audit");
	size_t n;

	ck_assert_int_eq(store_members(fx.st, &fx.bob, NULL, m, 8, &n, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(store_member_add(fx.st, &fx.bob, "erin", ROLE_MEMBER,
	                                  &err), INV_FORBIDDEN);
	ck_assert_int_eq(store_member_remove(fx.st, &fx.bob, "alice", &was,
	                                     &err), INV_FORBIDDEN);
	ck_assert_int_eq(store_member_role(fx.st, &fx.bob, "bob", ROLE_ADMIN,
	                                   &was, &err), INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "admin"));
	/* An admin of another org reaches only their own org's members. */
	ck_assert_int_eq(store_member_remove(fx.st, &fx.carol, "bob", &was,
	                                     &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_members(fx.st, &fx.carol, NULL, m, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m[0].user, "carol");
	ck_assert_str_eq(m[1].user, "dave");
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audit);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM memberships"),
	                 4);
}
END_TEST

START_TEST(member_changes_are_audited_and_refusals_write_nothing)
{
	struct member m[8];
	struct inv_err err;
	enum inv_role was;
	long long audit;
	size_t n;

	ck_assert_int_eq(store_member_add(fx.st, &fx.alice, "erin", ROLE_MEMBER,
	                                  &err), INV_OK);
	ck_assert_int_eq(audit_of("member.add"), 1);
	ck_assert_int_eq(fixture_count_sql(&fx, "SELECT count(*) FROM audit "
		"WHERE action = 'member.add' AND actor = 'alice' AND org_id = 1 "
		"AND json_extract(detail, '$.user') = 'erin' AND "
		"json_extract(detail, '$.role.new') = 'member' AND "
		"json_extract(detail, '$.role.old') IS NULL",
		"SELECT count(*) FROM audit "
		"WHERE action = 'member.add' AND actor = 'alice' AND org_id = 1 "
		"AND detail::jsonb #>> '{user}' = 'erin' AND "
		"detail::jsonb #>> '{role,new}' = 'member' AND "
		"detail::jsonb #>> '{role,old}' IS NULL"), 1);
	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "erin", ROLE_ADMIN,
	                                   &was, &err), INV_OK);
	ck_assert_int_eq(was, ROLE_MEMBER);
	ck_assert_int_eq(fixture_count_sql(&fx, "SELECT count(*) FROM audit "
		"WHERE action = 'member.role' AND json_extract(detail, "
		"'$.role.old') = 'member' AND json_extract(detail, '$.role.new') "
		"= 'admin'",
		"SELECT count(*) FROM audit "
		"WHERE action = 'member.role' AND detail::jsonb #>> '{role,old}' "
		"= 'member' AND detail::jsonb #>> '{role,new}' = 'admin'"), 1);
	ck_assert_int_eq(store_member_remove(fx.st, &fx.alice, "bob", &was,
	                                     &err), INV_OK);
	ck_assert_int_eq(was, ROLE_MEMBER);
	ck_assert_int_eq(audit_of("member.remove"), 1);
	ck_assert_int_eq(store_members(fx.st, &fx.alice, NULL, m, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m[0].user, "alice");
	ck_assert_str_eq(m[1].user, "erin");
	ck_assert_int_eq(m[1].role, ROLE_ADMIN);
	/* Keyset pages: after "alice" comes "erin" alone. */
	ck_assert_int_eq(store_members(fx.st, &fx.alice, "alice", m, 8, &n,
	                               &err), INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(m[0].user, "erin");

	audit = fixture_count(&fx, "SELECT count(*) FROM audit");
	ck_assert_int_eq(store_member_add(fx.st, &fx.alice, "erin", ROLE_MEMBER,
	                                  &err), INV_CONFLICT);
	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "erin", ROLE_ADMIN,
	                                   &was, &err), INV_CONFLICT);
	ck_assert_int_eq(store_member_remove(fx.st, &fx.alice, "bob", &was,
	                                     &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "dave", ROLE_ADMIN,
	                                   &was, &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_member_add(fx.st, &fx.alice, "bad name",
	                                  ROLE_MEMBER, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "login");
	ck_assert_int_eq(store_member_add(fx.st, &fx.alice, "\x1b[2J",
	                                  ROLE_MEMBER, &err), INV_INVALID);
	ck_assert_int_eq(store_member_add(fx.st, &fx.alice, "", ROLE_MEMBER,
	                                  &err), INV_INVALID);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audit);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM users "
	                                    "WHERE name = 'bad name'"), 0);
}
END_TEST

START_TEST(the_last_admin_can_be_neither_removed_nor_demoted)
{
	struct inv_err err;
	enum inv_role was;
	long long audit = fixture_count(&fx, "SELECT count(*) FROM audit");

	ck_assert_int_eq(store_member_remove(fx.st, &fx.alice, "alice", &was,
	                                     &err), INV_CONFLICT);
	ck_assert_ptr_nonnull(strstr(err.msg, "last admin"));
	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "alice",
	                                   ROLE_MEMBER, &was, &err),
	                 INV_CONFLICT);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audit);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM memberships "
	                                    "WHERE role = 'admin' AND "
	                                    "org_id = 1"), 1);
	/* With a second admin, either may go. */
	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "bob", ROLE_ADMIN,
	                                   &was, &err), INV_OK);
	ck_assert_int_eq(store_member_remove(fx.st, &fx.alice, "alice", &was,
	                                     &err), INV_OK);
	ck_assert_int_eq(was, ROLE_ADMIN);
}
END_TEST

START_TEST(a_role_taken_away_since_the_session_began_counts)
{
	struct identity bob_admin;
	struct inv_err err;
	enum inv_role was;

	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "bob", ROLE_ADMIN,
	                                   &was, &err), INV_OK);
	ck_assert_int_eq(store_identity(fx.st, "bob", NULL, &bob_admin, &err),
	                 INV_OK);
	ck_assert_int_eq(bob_admin.role, ROLE_ADMIN);
	/* Another terminal demotes bob; his open session still says admin. */
	ck_assert_int_eq(store_member_role(fx.st, &fx.alice, "bob", ROLE_MEMBER,
	                                   &was, &err), INV_OK);
	ck_assert_int_eq(store_member_add(fx.st, &bob_admin, "erin",
	                                  ROLE_ADMIN, &err), INV_FORBIDDEN);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM users "
	                                    "WHERE name = 'erin'"), 0);
}
END_TEST

static Suite *members_suite(void)
{
	Suite *s = suite_create("members");
	TCase *tc = tcase_create("identity");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
		outside_a_demo_database_the_session_is_the_logged_in_account);
	tcase_add_test(tc, in_a_demo_database_a_name_picks_any_demo_user);
	tcase_add_test(tc,
		a_non_member_is_told_how_to_be_added_and_no_other_names);
	tcase_add_test(tc, a_foreign_writer_cannot_plant_the_demo_marker);
	tcase_add_test(tc, init_org_is_refused_in_a_demo_database);
	tcase_add_test(tc, init_org_leaves_an_existing_org_to_its_admins);
	tcase_add_test(tc, only_an_admin_manages_members);
	tcase_add_test(tc,
		member_changes_are_audited_and_refusals_write_nothing);
	tcase_add_test(tc, the_last_admin_can_be_neither_removed_nor_demoted);
	tcase_add_test(tc, a_role_taken_away_since_the_session_began_counts);
	tcase_add_test(tc, a_team_file_with_member_changes_passes_the_check);
	suite_add_tcase(s, tc);
	/* a file that schema 1 made */
	if (!testdb_pg()) {
		TCase *file = tcase_create("file");

		tcase_add_checked_fixture(file, setup, teardown);
		tcase_add_test(file,
			a_schema_1_file_gets_the_demo_marker_guard_on_open);
		suite_add_tcase(s, file);
	} else {
		testdb_sqlite_only("members", 1, "a file of schema 1");
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(members_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
