/*
 * test_identity.c - identity on a shared file, end to end (SPEC 6a).
 *
 * Outside a demo database the acting user is the logged-in account: the
 * second account here is a real other uid (nobody, 65534), not a name on
 * the command line.  It cannot act as anyone else, is not shown who the
 * members are, and works once an admin adds it, with the audit naming it.
 * Then `inved member` as a role matrix on a demo database, its help, and
 * the demo marker that a foreign sqlite3 writer cannot plant.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fixture.h"
#include "testdb.h"

#define OTHER_UID 65534u

/* getpwuid's answer is overwritten by the next call: keep copies. */
static const char *account(void)
{
	static char name[256];
	struct passwd *pw = getpwuid(geteuid());

	ck_assert_msg(pw != NULL, "this uid has no passwd entry");
	snprintf(name, sizeof name, "%s", pw->pw_name);
	return name;
}

/* The name of OTHER_UID, or NULL when the system has none. */
static const char *other_account(void)
{
	static char name[256];
	struct passwd *pw = getpwuid(OTHER_UID);

	if (!pw)
		return NULL;
	snprintf(name, sizeof name, "%s", pw->pw_name);
	return name;
}

/* The binary the other uid runs: a copy in the test's own directory, so a
 * build tree the other uid cannot enter (a checkout under /root) does not
 * stop the test. */
static char other_bin[400];

/* inved --db path args..., as this process's account or as uid. */
static struct run run_on(const char *path, long uid,
                         const char *const *env, const char *const *args)
{
	const char *full[40];
	struct run r;
	size_t n = 0;

	full[n++] = "--db";
	full[n++] = path;
	for (size_t i = 0; args[i] && n + 1 < 40; i++)
		full[n++] = args[i];
	full[n] = NULL;
	if (uid >= 0)
		run_exec_as(&r, (unsigned)uid, other_bin, env, full);
	else
		run_exec(&r, fx_bin, env, full);
	return r;
}

#define ME(path, ...) run_on(path, -1, NULL, ARGS(__VA_ARGS__))
#define OTHER(path, ...) run_on(path, OTHER_UID, NULL, ARGS(__VA_ARGS__))

static void expect(struct run r, int code, const char *needle)
{
	fx_expect_code(&r, code);
	if (needle)
		fx_expect_in(code ? r.err : r.out, needle);
	run_free(&r);
}

/* Hand the directory and everything in it to the other uid, so the file
 * modes are no reason for a refusal: what refuses is the identity rule. */
static void give_to_other(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "chown -R %u:%u '%s'", OTHER_UID, OTHER_UID,
	         dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Whether this run can switch a child to OTHER_UID and run inved there;
 * prints the reason when not. */
static bool other_uid_usable(void)
{
	unsigned char *data;
	struct run r;
	size_t len;
	bool ok;
	FILE *f;

	if (geteuid() != 0) {
		printf("SKIP another OS account: the test is not root, so it "
		       "cannot run inved as uid %u\n", OTHER_UID);
		return false;
	}
	if (!other_account()) {
		printf("SKIP another OS account: uid %u has no passwd entry\n",
		       OTHER_UID);
		return false;
	}
	ck_assert_int_eq(chmod(fx_dir, 0755), 0);
	fx_path(other_bin, sizeof other_bin, "inved");
	data = fx_file_bytes(fx_bin, &len);
	ck_assert_ptr_nonnull(data);
	f = fopen(other_bin, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(data);
	ck_assert_int_eq(chmod(other_bin, 0755), 0);
	run_exec_as(&r, OTHER_UID, other_bin, NULL, ARGS("--version"));
	ok = r.code == 0;
	run_free(&r);
	if (!ok)
		printf("SKIP another OS account: uid %u cannot run a copy of "
		       "inved in %s (is /tmp mounted noexec?)\n",
		       OTHER_UID, fx_dir);
	return ok;
}

/* A team's database: made by this account with `init --org acme`, one
 * invoice in it, and the directory given to the other uid. */
static void team_db(char *dir, size_t dlen, char *path, size_t plen)
{
	fx_path(dir, dlen, "team");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(path, plen, "%s/team.db", dir);
	expect(ME(path, "init", "--org", "acme"), 0, "admin of org acme");
	expect(ME(path, "create", "--customer", "Root Ltd", "--total", "5"), 0,
	       NULL);
}

START_TEST(another_account_cannot_act_as_someone_else)
{
	char dir[400], path[420], *before, *after;
	const char *me = account(), *other;
	struct run r;

	if (!other_uid_usable())
		return;
	other = other_account();
	team_db(dir, sizeof dir, path, sizeof path);
	give_to_other(dir);
	before = fx_dump(path);

	/* As another user of the org, the admin included: refused, saying
	 * why, and nothing is written. */
	r = OTHER(path, "--user", me, "create", "--customer", "Forged",
	          "--total", "1");
	fx_expect_code(&r, 5);
	fx_expect_in(r.err, "not a demo database");
	fx_expect_in(r.err, other);
	run_free(&r);
	r = run_on(path, OTHER_UID, ENV("INVED_USER=alice"),
	           ARGS("create", "--customer", "Forged", "--total", "1",
	                "--json"));
	fx_expect_code(&r, 5);
	fx_expect_in(r.out, "\"error\":\"forbidden\"");
	fx_expect_in(r.out, "not a demo database");
	run_free(&r);
	expect(OTHER(path, "--user", me, "member", "add", other), 5,
	       "not a demo database");
	/* Nor take the org over through init. */
	expect(OTHER(path, "init", "--org", "acme"), 5, "already exists");
	after = fx_dump(path);
	ck_assert_str_eq(before, after);
	free(after);

	/* As itself: not a member, told how to get in, and not who is. */
	r = OTHER(path, "list");
	fx_expect_code(&r, 5);
	fx_expect_in(r.err, "not a member");
	fx_expect_in(r.err, "inved member add");
	fx_expect_in(r.err, other);
	ck_assert_msg(strstr(r.err, me) == NULL, "names %s: %s", me, r.err);
	ck_assert_msg(strstr(r.err, "admin)") == NULL, "names roles: %s",
	              r.err);
	run_free(&r);
	after = fx_dump(path);
	ck_assert_str_eq(before, after);
	free(after);
	free(before);
}
END_TEST

START_TEST(another_account_works_as_itself_once_added)
{
	char dir[400], path[420];
	const char *me = account(), *other;
	struct jv *v, *first;

	if (!other_uid_usable())
		return;
	other = other_account();
	team_db(dir, sizeof dir, path, sizeof path);
	expect(ME(path, "member", "add", other), 0, "now a member of acme");
	give_to_other(dir);

	/* Naming oneself is fine; the audit records the account. */
	expect(OTHER(path, "--user", other, "create", "--customer",
	             "Nobody Ltd", "--total", "7"), 0, NULL);
	expect(OTHER(path, "list"), 0, "Nobody Ltd");
	v = fx_json(ME(path, "audit", "--tail", "1", "--json"), 0);
	first = jv_at(jv_get(v, "audit"), 0);
	ck_assert_ptr_nonnull(first);
	ck_assert_str_eq(fx_jstr(first, "actor"), other);
	ck_assert_str_eq(fx_jstr(first, "action"), "invoice.create");
	jv_free(v);
	/* A member, not an admin: members are not theirs to manage, and the
	 * admin is still nobody else's to be. */
	expect(OTHER(path, "member", "list"), 5, "admin");
	expect(OTHER(path, "member", "add", "mallory"), 5, "admin");
	expect(OTHER(path, "--user", me, "list"), 5, "not a demo database");
	/* Made admin, it manages members, audited under its name. */
	expect(ME(path, "member", "role", other, "admin"), 0, "an admin");
	give_to_other(dir);
	expect(OTHER(path, "member", "add", "mallory"), 0, "mallory");
	v = fx_json(ME(path, "audit", "--tail", "1", "--json"), 0);
	first = jv_at(jv_get(v, "audit"), 0);
	ck_assert_str_eq(fx_jstr(first, "actor"), other);
	ck_assert_str_eq(fx_jstr(first, "action"), "member.add");
	jv_free(v);
}
END_TEST

/* ---- the demo marker ----------------------------------------------------- */

/* The sqlite3 shell when it is installed, else the same statements
 * through the library: a writer that is not inved. */
static int foreign_write(const char *path, const char *sql)
{
	static const char *const shells[] = {"/usr/bin/sqlite3",
	                                     "/usr/local/bin/sqlite3", NULL};
	sqlite3 *db = NULL;
	int rc;

	for (size_t i = 0; shells[i]; i++) {
		struct run r;

		if (access(shells[i], X_OK) != 0)
			continue;
		run_exec(&r, shells[i], NULL, ARGS(path, sql));
		rc = r.code;
		run_free(&r);
		return rc;
	}
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

START_TEST(a_foreign_writer_cannot_plant_the_demo_marker)
{
	char dir[400], path[420], *before, *after;
	static const char *const plants[] = {
		"INSERT INTO meta VALUES ('demo', '1');",
		"INSERT OR REPLACE INTO meta VALUES ('demo', '1');",
		"UPDATE meta SET key = 'demo', value = '1' "
		"WHERE key = 'created_at';",
		"PRAGMA foreign_keys = OFF; BEGIN; DELETE FROM memberships; "
		"DELETE FROM orgs; INSERT INTO meta VALUES ('demo', '1'); "
		"COMMIT;",
	};

	fx_path(dir, sizeof dir, "team");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	snprintf(path, sizeof path, "%s/team.db", dir);
	expect(ME(path, "init", "--org", "acme"), 0, NULL);
	before = fx_dump(path);
	for (size_t i = 0; i < sizeof plants / sizeof plants[0]; i++)
		ck_assert_msg(foreign_write(path, plants[i]) != 0,
		              "planted: %s", plants[i]);
	after = fx_dump(path);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* So the file is still no demo: --user stays refused, by the
	 * commands and by the screen, which asks the same core before it
	 * takes the terminal. */
	expect(ME(path, "--user", "alice", "list"), 5, "not a demo database");
	expect(ME(path, "--user", "alice"), 5, "not a demo database");
	expect(run_on(path, -1, ENV("INVED_USER=alice"), ARGS("--view", "all")),
	       5, "not a demo database");
}
END_TEST

START_TEST(a_name_on_a_demo_database_picks_its_user)
{
	struct jv *v = fx_json(AS("carol", "member", "list", "--json"), 0);

	ck_assert_str_eq(fx_jstr(v, "org"), "globex");
	jv_free(v);
}
END_TEST

/* ---- inved member: who may, and what is refused ------------------------ */

START_TEST(member_commands_are_for_the_orgs_admin)
{
	char *before = fx_dump(fx_db), *after;
	struct jv *v;

	expect(AS("bob", "member", "list"), 5, "admin role");
	expect(AS("bob", "member", "add", "erin"), 5, "admin role");
	expect(AS("bob", "member", "remove", "alice"), 5, "admin role");
	expect(AS("bob", "member", "role", "bob", "admin"), 5, "admin role");
	expect(AS("dave", "member", "add", "erin"), 5, "admin role");
	v = fx_json(AS("bob", "member", "list", "--json"), 5);
	ck_assert_str_eq(fx_jstr(v, "error"), "forbidden");
	jv_free(v);
	/* An admin of another org does not reach this one's members. */
	expect(AS("carol", "member", "remove", "bob"), 4, "not a member");
	expect(AS("carol", "member", "role", "alice", "member"), 4,
	       "not a member");
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(member_list_shows_only_the_orgs_members)
{
	struct jv *v, *m;
	struct run r = AS("alice", "member", "list");

	fx_expect_code(&r, 0);
	fx_expect_in(r.out, "Members of acme");
	fx_expect_in(r.out, "alice");
	fx_expect_in(r.out, "bob");
	ck_assert_ptr_null(strstr(r.out, "carol"));
	ck_assert_ptr_null(strstr(r.out, "dave"));
	run_free(&r);
	v = fx_json(AS("alice", "member", "list", "--json"), 0);
	ck_assert_str_eq(fx_jstr(v, "org"), "acme");
	m = jv_get(v, "members");
	ck_assert_str_eq(fx_jstr(jv_at(m, 0), "user"), "alice");
	ck_assert_str_eq(fx_jstr(jv_at(m, 0), "role"), "admin");
	ck_assert_str_eq(fx_jstr(jv_at(m, 1), "user"), "bob");
	ck_assert_str_eq(fx_jstr(jv_at(m, 1), "role"), "member");
	ck_assert_ptr_null(jv_at(m, 2));
	jv_free(v);
}
END_TEST

START_TEST(member_changes_are_made_and_audited)
{
	struct jv *v, *first;

	v = fx_json(AS("alice", "member", "add", "erin", "--role", "admin",
	               "--json"), 0);
	ck_assert_str_eq(fx_jstr(v, "action"), "member.add");
	ck_assert_str_eq(fx_jstr(v, "user"), "erin");
	ck_assert_str_eq(fx_jstr(v, "role"), "admin");
	jv_free(v);
	v = fx_json(AS("alice", "audit", "--tail", "1", "--json"), 0);
	first = jv_at(jv_get(v, "audit"), 0);
	ck_assert_str_eq(fx_jstr(first, "actor"), "alice");
	ck_assert_str_eq(fx_jstr(first, "action"), "member.add");
	jv_free(v);
	/* erin, an admin now, manages the org in turn. */
	expect(AS("erin", "member", "role", "bob", "admin"), 0, "(was member)");
	v = fx_json(AS("erin", "member", "remove", "bob", "--json"), 0);
	ck_assert_str_eq(fx_jstr(v, "was"), "admin");
	jv_free(v);
	expect(AS("bob", "list"), 5, "not a member");
	/* With erin an admin, alice may step down and leave. */
	expect(AS("alice", "member", "role", "alice", "member"), 0,
	       "a member of acme");
	expect(AS("erin", "member", "remove", "alice"), 0, "no longer");
}
END_TEST

START_TEST(member_refusals_name_the_problem_and_write_nothing)
{
	char *before = fx_dump(fx_db), *after;

	expect(AS("alice", "member", "add", "bob"), 3, "already a member");
	expect(AS("alice", "member", "role", "bob", "member"), 3, "already");
	expect(AS("alice", "member", "remove", "alice"), 3, "last admin");
	expect(AS("alice", "member", "role", "alice", "member"), 3,
	       "last admin");
	expect(AS("carol", "member", "remove", "carol"), 3, "last admin");
	expect(AS("alice", "member", "remove", "zed"), 4, "not a member");
	expect(AS("alice", "member", "add", "bad name"), 2, "login name");
	expect(AS("alice", "member", "add", "\x1b]0;x\x07"), 2, "login name");
	expect(AS("alice", "member", "add", "erin", "--role", "boss"), 2,
	       "member or admin");
	expect(AS("alice", "member", "role", "bob", "boss"), 2,
	       "member or admin");
	expect(AS("alice", "member", "remove", "bob", "--role", "admin"), 2,
	       "--role goes with");
	expect(AS("alice", "member"), 2, "needs a subcommand");
	expect(AS("alice", "member", "frob"), 2, "no subcommand 'frob'");
	expect(AS("alice", "member", "add"), 2, "needs LOGIN");
	expect(AS("alice", "member", "role", "bob"), 2, "needs LOGIN");
	expect(AS("alice", "member", "list", "extra"), 2,
	       "unexpected argument 'extra'");
	expect(AS("alice", "member", "add", "erin", "--bogus"), 2,
	       "unknown option '--bogus'");
	expect(AS("alice", "member", "add", "erin", "--role", "admin",
	          "--role", "member"), 2, "--role is given twice");
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(member_help_prints_the_usage_and_touches_nothing)
{
	static const char *const forms[][5] = {
		{"member", "--help", NULL},
		{"member", "list", "--help", NULL},
		{"member", "add", "erin", "--help", NULL},
		{"member", "remove", "--help", "--json", NULL},
		{"help", "member", NULL},
	};
	char missing[400], *before = fx_dump(fx_db), *after;
	struct stat sb;

	fx_path(missing, sizeof missing, "missing.db");
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		struct run r = fx_run(NULL, "bob", forms[i]);
		struct run m = run_on(missing, -1, NULL, forms[i]);

		fx_expect_code(&r, 0);
		ck_assert_msg(strncmp(r.out, "Usage: inved member", 19) == 0,
		              "%s", r.out);
		ck_assert_ptr_null(strstr(r.out, "{"));
		ck_assert_str_eq(r.err, "");
		fx_expect_code(&m, 0);
		ck_assert_str_eq(m.out, r.out);
		run_free(&r);
		run_free(&m);
	}
	ck_assert_msg(stat(missing, &sb) != 0, "help created %s", missing);
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

static Suite *identity_suite(void)
{
	Suite *s = suite_create("identity");
	TCase *tc = tcase_create("identity");
	TCase *file = tcase_create("file");

	/* The SQLite file's identity: the OS account that runs inved is the
	 * user outside a demo, and the demo marker a foreign sqlite3 writer
	 * cannot plant.  On PostgreSQL the user is the connection's role
	 * (tests/pg/test_roles.sh, test_tenancy.sh) and the marker's
	 * trigger is proved by tests/pg/test_foreign.sh. */
	tcase_add_checked_fixture(file, fx_setup, fx_teardown);
	tcase_set_timeout(file, 120);
	tcase_add_test(file, another_account_cannot_act_as_someone_else);
	tcase_add_test(file, another_account_works_as_itself_once_added);
	tcase_add_test(file, a_foreign_writer_cannot_plant_the_demo_marker);
	testdb_add_sqlite_only(s, file);
	testdb_sqlite_only("cli-identity", 3, "the file's OS-account identity "
	                   "and its demo marker against the sqlite3 shell");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_name_on_a_demo_database_picks_its_user);
	tcase_add_test(tc, member_commands_are_for_the_orgs_admin);
	tcase_add_test(tc, member_list_shows_only_the_orgs_members);
	tcase_add_test(tc, member_changes_are_made_and_audited);
	tcase_add_test(tc, member_refusals_name_the_problem_and_write_nothing);
	tcase_add_test(tc, member_help_prints_the_usage_and_touches_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_main(identity_suite());
}
