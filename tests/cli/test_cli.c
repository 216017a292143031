/*
 * test_cli.c - the command line end to end (SPEC 5): every command run as
 * the real binary against a fresh demo database of its own, checking exit
 * codes, the JSON shapes, the messages a person reads, and that a refused
 * write leaves the database exactly as it was.
 */
#define _XOPEN_SOURCE 700 /* wcswidth */

#include <check.h>
#include <inttypes.h>
#include <locale.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "config.h"
#include "jsonv.h"
#include "run.h"
#include "template.h"
#include "testdb.h"

static const char *bin;
static char dir[256];
static char db[320];

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- running the binary -------------------------------------------------- */

/* inved [--db DB] [--user USER] args..., with env changes. */
static struct run run_full(const char *const *env, bool with_db,
                           const char *user, const char *const *args)
{
	const char *full[80];
	struct run r;
	size_t n = 0, i;

	if (with_db) {
		full[n++] = "--db";
		full[n++] = db;
	}
	if (user) {
		full[n++] = "--user";
		full[n++] = user;
	}
	for (i = 0; args[i] && n + 1 < sizeof full / sizeof full[0]; i++)
		full[n++] = args[i];
	full[n] = NULL;
	run_exec(&r, bin, env, full);
	return r;
}

/* As USER on the test's database. */
#define AS(user, ...) run_full(NULL, true, user, ARGS(__VA_ARGS__))
/* Plain inved with env changes, nothing added. */
#define RAW(env, ...) run_full(env, false, NULL, ARGS(__VA_ARGS__))

static void expect_code(const struct run *r, int code)
{
	ck_assert_msg(r->code == code,
	              "exit %d, expected %d\n--- stdout:\n%s\n--- stderr:\n%s",
	              r->code, code, r->out, r->err);
}

static void expect_in(const char *text, const char *needle)
{
	ck_assert_msg(strstr(text, needle) != NULL,
	              "expected to find \"%s\" in:\n%s", needle, text);
}

/* Run, expect the exit code, and return the output parsed as one JSON
 * object; the caller frees it. */
static struct jv *json_run(struct run r, int code)
{
	struct jv *v;

	expect_code(&r, code);
	v = jv_parse(r.out);
	ck_assert_msg(v != NULL && v->type == JV_OBJECT,
	              "stdout is not one JSON object:\n%s\n--- stderr:\n%s",
	              r.out, r.err);
	run_free(&r);
	return v;
}

static void run_expect(struct run r, int code)
{
	expect_code(&r, code);
	run_free(&r);
}

/* ---- reading JSON -------------------------------------------------------- */

static struct jv *jget(const struct jv *o, const char *key, enum jv_type t)
{
	struct jv *v = jv_get(o, key);

	ck_assert_msg(v != NULL, "key \"%s\" is missing", key);
	ck_assert_msg(v->type == t, "key \"%s\" has type %d, expected %d", key,
	              v->type, t);
	return v;
}

static const char *jstr(const struct jv *o, const char *key)
{
	return jget(o, key, JV_STRING)->s;
}

static int64_t jint(const struct jv *o, const char *key)
{
	struct jv *v = jget(o, key, JV_NUMBER);

	ck_assert_msg(v->integral, "key \"%s\" is not a whole number", key);
	return v->i;
}

static bool jbool(const struct jv *o, const char *key)
{
	return jget(o, key, JV_BOOL)->b;
}

static void jnull(const struct jv *o, const char *key)
{
	jget(o, key, JV_NULL);
}

/* `show REF --json` as user: the root (free it) and its invoice. */
static struct jv *show(const char *user, const char *ref, struct jv **inv)
{
	struct jv *root = json_run(AS(user, "show", ref, "--json"), 0);

	ck_assert(jbool(root, "ok"));
	*inv = jget(root, "invoice", JV_OBJECT);
	return root;
}

static int64_t show_int(const char *user, const char *ref, const char *key)
{
	struct jv *inv, *root = show(user, ref, &inv);
	int64_t v = jint(inv, key);

	jv_free(root);
	return v;
}

/* The string field of an invoice, copied into buf. */
static const char *show_str(const char *user, const char *ref,
                            const char *key, char *buf, size_t len)
{
	struct jv *inv, *root = show(user, ref, &inv);

	snprintf(buf, len, "%s", jstr(inv, key));
	jv_free(root);
	return buf;
}

static char *id_text(int64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, id);
	return buf;
}

/* The id of the deleted ACME-1001 (numbers reach only the live one). */
static int64_t deleted_acme_1001(void)
{
	struct jv *root = json_run(AS("alice", "list", "--view", "all",
	                              "--json"), 0);
	struct jv *rows = jget(root, "invoices", JV_ARRAY);
	int64_t id = 0;
	size_t i;

	for (i = 0; i < rows->n; i++) {
		struct jv *r = rows->items[i];

		if (strcmp(jstr(r, "number"), "ACME-1001") == 0 &&
		    strcmp(jstr(r, "lifecycle"), "deleted") == 0)
			id = jint(r, "id");
	}
	jv_free(root);
	ck_assert_int_gt(id, 0);
	return id;
}

/* Everything both demo orgs can see: their full lists and audit trails.
 * Equal snapshots mean nothing was written. */
static char *snapshot(void)
{
	static const char *const admins[] = {"alice", "carol"};
	size_t len = 0, i;
	char *all = NULL;

	for (i = 0; i < 2; i++) {
		struct run a = AS(admins[i], "audit", "--tail", "1000", "--json");
		struct run l = AS(admins[i], "list", "--view", "all", "--json");
		size_t add;

		expect_code(&a, 0);
		expect_code(&l, 0);
		add = strlen(a.out) + strlen(l.out);
		all = realloc(all, len + add + 1);
		ck_assert_ptr_nonnull(all);
		sprintf(all + len, "%s%s", a.out, l.out);
		len += add;
		run_free(&a);
		run_free(&l);
	}
	return all;
}

static size_t list_count(const char *user, const char *view)
{
	struct jv *root = json_run(AS(user, "list", "--view", view, "--json"),
	                           0);
	size_t n = jget(root, "invoices", JV_ARRAY)->n;

	jv_free(root);
	return n;
}

/* A plain SQLite connection: a foreign writer, or a lock holder. */
static sqlite3 *raw_db(void)
{
	sqlite3 *h = NULL;

	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	return h;
}

static void raw_exec(sqlite3 *h, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg ? msg : "?");
}

/* A foreign writer's statement: the sqlite3 C API, or on PostgreSQL the
 * superuser (no member: audited as 'external'). */
static void raw_sql(const char *sql)
{
	sqlite3 *h;

	if (testdb_pg()) {
		testdb_su_exec(db, sql);
		return;
	}
	h = raw_db();
	raw_exec(h, sql);
	sqlite3_close(h);
}

/* ---- fixture ------------------------------------------------------------- */

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/inved-cli-XXXXXX",
	         tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	if (testdb_pg()) {
		/* a copy of the program's demo database (testdb.h) */
		testdb_demo_copy(db, sizeof db);
		return;
	}
	snprintf(db, sizeof db, "%s/invoices.db", dir);
	template_copy(db);
}

static void teardown(void)
{
	char cmd[400];

	if (testdb_pg())
		testdb_drop(db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

/* ---- init, environment, identity ----------------------------------------- */

START_TEST(init_demo_reports_the_path_it_created)
{
	char path[400];
	struct run r;
	struct jv *v;

	/* a file, or on PostgreSQL an empty database of the server's */
	if (testdb_pg())
		testdb_empty(path, sizeof path);
	else
		snprintf(path, sizeof path, "%s/fresh.db", dir);
	r = RAW(NULL, "--db", path, "init", "--demo");
	expect_code(&r, 0);
	expect_in(r.out, path);
	run_free(&r);
	if (testdb_pg()) {
		testdb_drop(path);
		testdb_empty(path, sizeof path);
	} else {
		snprintf(path, sizeof path, "%s/fresh2.db", dir);
	}
	v = json_run(RAW(NULL, "--db", path, "init", "--demo", "--json"), 0);
	ck_assert(jbool(v, "ok"));
	ck_assert_str_eq(jstr(v, "path"), path);
	ck_assert(jbool(v, "created"));
	ck_assert(jbool(v, "demo"));
	jv_free(v);
	if (testdb_pg())
		testdb_drop(path);
}
END_TEST

START_TEST(init_on_existing_database_keeps_it)
{
	char *before = snapshot(), *after;
	struct run r;

	struct jv *v;

	r = RAW(NULL, "--db", db, "init");
	expect_code(&r, 0);
	expect_in(r.out, "already exists");
	expect_in(r.out, "kept");
	run_free(&r);
	/* The demo is there already: said so, and nothing seeded twice. */
	r = RAW(NULL, "--db", db, "init", "--demo");
	expect_code(&r, 0);
	expect_in(r.out, "already holds the demo");
	run_free(&r);
	v = json_run(RAW(NULL, "--db", db, "init", "--demo", "--json"), 0);
	ck_assert(!jbool(v, "created"));
	ck_assert(!jbool(v, "changed"));
	ck_assert(jbool(v, "demo"));
	jv_free(v);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(init_without_an_org_says_how_to_add_one)
{
	char path[400];
	struct run r;
	struct jv *v;

	snprintf(path, sizeof path, "%s/bare.db", dir);
	r = RAW(NULL, "--db", path, "init");
	expect_code(&r, 0);
	expect_in(r.out, path);
	expect_in(r.out, "no org yet");
	expect_in(r.out, "init --org ORG");
	run_free(&r);
	/* Nobody can use it yet, and the refusal says how to start. */
	r = RAW(NULL, "--db", path, "list");
	expect_code(&r, 5);
	expect_in(r.err, "no org yet");
	expect_in(r.err, "init --org ORG");
	run_free(&r);
	/* Again: still the hint, and the file is kept. */
	v = json_run(RAW(NULL, "--db", path, "init", "--json"), 0);
	ck_assert(!jbool(v, "created"));
	jnull(v, "org");
	jv_free(v);
	/* A schema without orgs still takes the demo. */
	run_expect(RAW(NULL, "--db", path, "init", "--demo"), 0);
	run_expect(RAW(NULL, "--db", path, "--user", "bob", "list"), 0);
}
END_TEST

/* The logged-in account: the name of the effective uid's passwd entry. */
static const char *account(void)
{
	struct passwd *pw = getpwuid(geteuid());

	ck_assert_msg(pw != NULL, "this uid has no passwd entry");
	return pw->pw_name;
}

START_TEST(init_org_makes_the_logged_in_account_admin_of_a_new_org)
{
	const char *me = account();
	char path[400];
	struct run r;
	struct jv *v, *inv;

	snprintf(path, sizeof path, "%s/zorg.db", dir);
	v = json_run(RAW(NULL, "--db", path, "init", "--org", "zorg", "--json"),
	             0);
	ck_assert(jbool(v, "created"));
	ck_assert(jbool(v, "changed"));
	ck_assert_str_eq(jstr(v, "org"), "zorg");
	ck_assert_str_eq(jstr(v, "admin"), me);
	jv_free(v);
	/* The account can work at once, as an admin (the All view is its). */
	v = json_run(RAW(NULL, "--db", path, "create", "--customer",
	                 "First customer", "--total", "10", "--json"), 0);
	inv = jget(v, "invoice", JV_OBJECT);
	ck_assert_str_eq(jstr(inv, "number"), "ZORG-1001");
	jv_free(v);
	run_expect(RAW(NULL, "--db", path, "list", "--view", "all"), 0);
	/* The audit names the account; naming yourself is fine. */
	v = json_run(RAW(NULL, "--db", path, "--user", me, "history",
	                 "ZORG-1001", "--json"), 0);
	ck_assert_str_eq(jstr(jv_at(jget(v, "audit", JV_ARRAY), 0), "actor"),
	                 me);
	jv_free(v);
	v = json_run(RAW(NULL, "--db", path, "member", "list", "--json"), 0);
	ck_assert_str_eq(jstr(jv_at(jget(v, "members", JV_ARRAY), 0), "user"),
	                 me);
	ck_assert_str_eq(jstr(jv_at(jget(v, "members", JV_ARRAY), 0), "role"),
	                 "admin");
	jv_free(v);

	/* Running it again keeps everything and says so. */
	r = RAW(NULL, "--db", path, "init", "--org", "zorg");
	expect_code(&r, 0);
	expect_in(r.out, "already an admin");
	run_free(&r);
	/* The global --org reads the same. */
	run_expect(RAW(NULL, "--db", path, "--org", "zorg", "init"), 0);
	r = RAW(NULL, "--db", path, "show", "ZORG-1001");
	expect_code(&r, 0);
	expect_in(r.out, "First customer");
	run_free(&r);
	/* A second org of the same account's beside it; then --org picks. */
	run_expect(RAW(NULL, "--db", path, "init", "--org", "yorg"), 0);
	run_expect(RAW(NULL, "--db", path, "--org", "yorg", "list"), 0);
	r = RAW(NULL, "--db", path, "list");
	expect_code(&r, 5);
	expect_in(r.err, "several orgs");
	run_free(&r);
	/* Another name is refused here, whatever it asks (another OS account
	 * trying to take zorg over is tested in test_cli_identity). */
	r = RAW(NULL, "--db", path, "--user", "yan", "init", "--org", "xorg");
	expect_code(&r, 5);
	expect_in(r.err, "not a demo database");
	run_free(&r);
	/* Names are checked; the demo cannot join a used database. */
	run_expect(RAW(NULL, "--db", path, "init", "--org", "no spaces"), 2);
	r = RAW(NULL, "--db", path, "init", "--demo");
	expect_code(&r, 3);
	expect_in(r.err, "already holds data");
	run_free(&r);
}
END_TEST

static int64_t raw_count(const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (testdb_pg())
		return testdb_su_count(db, sql);
	h = raw_db();
	ck_assert_int_eq(sqlite3_prepare_v2(h, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

/* A planted demo marker on an org-less file would make a team's org a
 * demo one; refusing init --org in a demo database makes that loud. */
START_TEST(init_org_is_refused_in_a_demo_database)
{
	char *before = snapshot(), *after;
	struct run r = RAW(NULL, "--db", db, "init", "--org", "team");

	expect_code(&r, 5);
	expect_in(r.err, "demo database");
	expect_in(r.err, "init --org team");
	run_free(&r);
	ck_assert_int_eq(raw_count("SELECT count(*) FROM orgs"), 2);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(init_creates_the_default_xdg_directory)
{
	char xdg[300], home[300], env1[320], env2[320], path[400];
	struct stat sb;

	snprintf(xdg, sizeof xdg, "%s/xdg", dir);
	snprintf(env1, sizeof env1, "XDG_DATA_HOME=%s", xdg);
	run_expect(RAW(((const char *const[]){"INVED_DB", env1, NULL}), "init"),
	           0);
	snprintf(path, sizeof path, "%s/inved/invoices.db", xdg);
	ck_assert_msg(stat(path, &sb) == 0, "%s was not created", path);

	/* Without XDG_DATA_HOME: ~/.local/share. */
	snprintf(home, sizeof home, "%s/home", dir);
	ck_assert_int_eq(mkdir(home, 0700), 0);
	snprintf(env2, sizeof env2, "HOME=%s", home);
	run_expect(RAW(((const char *const[]){"INVED_DB", "XDG_DATA_HOME", env2,
	                                      NULL}),
	               "init", "--demo"),
	           0);
	snprintf(path, sizeof path, "%s/.local/share/inved/invoices.db", home);
	ck_assert_msg(stat(path, &sb) == 0, "%s was not created", path);
	/* ... and later commands find it there. */
	run_expect(RAW(((const char *const[]){"INVED_DB", "XDG_DATA_HOME", env2,
	                                      "INVED_USER=alice", NULL}),
	               "list"),
	           0);
}
END_TEST

START_TEST(init_into_a_missing_directory_names_it)
{
	char path[400], missing[320];
	struct run r;

	snprintf(missing, sizeof missing, "%s/no/such", dir);
	snprintf(path, sizeof path, "%s/x.db", missing);
	r = RAW(NULL, "--db", path, "init");
	ck_assert_int_ne(r.code, 0);
	expect_in(r.err, missing);
	run_free(&r);
}
END_TEST

START_TEST(missing_database_names_the_path_and_the_fix)
{
	char path[400], name[400];
	struct stat sb;
	struct run r;
	struct jv *v;

	/* a missing file; on PostgreSQL a database without inved's schema,
	 * named in messages by its name (a URI may hold a password) */
	if (testdb_pg()) {
		testdb_empty(path, sizeof path);
		snprintf(name, sizeof name, "%s", strstr(path, ":///") + 4);
		name[strcspn(name, "?")] = '\0';
	} else {
		snprintf(path, sizeof path, "%s/missing.db", dir);
		snprintf(name, sizeof name, "%s", path);
	}
	r = RAW(NULL, "--db", path, "--user", "alice", "list");
	ck_assert_int_ne(r.code, 0);
	ck_assert_int_eq(r.code, 4);
	expect_in(r.err, name);
	expect_in(r.err, "inved init");
	run_free(&r);
	if (testdb_pg())
		ck_assert_msg(testdb_su_count(path, "SELECT count(*) FROM "
		                              "pg_tables WHERE schemaname = "
		                              "'public'") == 0,
		              "a read must not create the schema in %s", path);
	else
		ck_assert_msg(stat(path, &sb) != 0, "a read must not create %s",
		              path);

	v = json_run(RAW(NULL, "--db", path, "--user", "alice", "show", "1",
	                 "--json"), 4);
	ck_assert_str_eq(jstr(v, "error"), "not_found");
	expect_in(jstr(v, "message"), name);
	jv_free(v);
	if (testdb_pg())
		testdb_drop(path);
}
END_TEST

START_TEST(unknown_user_is_forbidden_naming_the_memberships)
{
	struct run r = AS("zed", "list");

	expect_code(&r, 5);
	expect_in(r.err, "zed");
	expect_in(r.err, "alice@acme");
	expect_in(r.err, "dave@globex");
	run_free(&r);
}
END_TEST

START_TEST(org_option_picks_a_membership_and_refuses_a_foreign_one)
{
	struct run r;

	/* --org is a global option: it goes before the command. */
	run_expect(AS("alice", "--org", "acme", "list"), 0);
	r = AS("alice", "--org", "globex", "list");
	expect_code(&r, 5);
	expect_in(r.err, "globex");
	expect_in(r.err, "acme");
	run_free(&r);
}
END_TEST

START_TEST(user_and_database_come_from_the_environment)
{
	char env_db[400];
	struct jv *v, *first;

	snprintf(env_db, sizeof env_db, "INVED_DB=%s", db);
	run_expect(RAW(((const char *const[]){env_db, "INVED_USER=bob", NULL}),
	               "edit", "ACME-1002", "--version", "1", "--status",
	               "paid"),
	           0);
	v = json_run(AS("alice", "history", "ACME-1002", "--json"), 0);
	first = jv_at(jget(v, "audit", JV_ARRAY), 0);
	ck_assert_ptr_nonnull(first);
	ck_assert_str_eq(jstr(first, "actor"), "bob");
	jv_free(v);
}
END_TEST

/* ---- help, version, usage ------------------------------------------------ */

START_TEST(help_and_version_exit_zero)
{
	struct run r = RAW(NULL, "--help");

	expect_code(&r, 0);
	expect_in(r.out, "Usage: inved");
	expect_in(r.out, "Exit status");
	expect_in(r.out, "INVED_DB");
	expect_in(r.out, "archive|restore|delete");
	run_free(&r);

	r = RAW(NULL, "--version");
	expect_code(&r, 0);
	ck_assert_str_eq(r.out, "inved " VERSION "\n");
	run_free(&r);

	r = RAW(NULL, "edit", "--help");
	expect_code(&r, 0);
	expect_in(r.out, "--overwrite");
	run_free(&r);

	r = RAW(NULL, "help", "audit");
	expect_code(&r, 0);
	expect_in(r.out, "--tail");
	run_free(&r);
}
END_TEST

START_TEST(unknown_commands_options_and_arguments_are_usage_errors)
{
	struct run r = AS("alice", "frob");

	expect_code(&r, 2);
	expect_in(r.err, "frob");
	run_free(&r);

	r = AS("alice", "list", "--bogus");
	expect_code(&r, 2);
	expect_in(r.err, "--bogus");
	expect_in(r.err, "inved list --help");
	run_free(&r);

	r = RAW(NULL, "--bogus");
	expect_code(&r, 2);
	expect_in(r.err, "--bogus");
	run_free(&r);

	r = AS("alice", "show", "ACME-1002", "extra");
	expect_code(&r, 2);
	expect_in(r.err, "extra");
	run_free(&r);

	r = AS("alice", "show");
	expect_code(&r, 2);
	expect_in(r.err, "REF");
	run_free(&r);

	r = AS("alice", "archive", "ACME-1002", "--version");
	expect_code(&r, 2);
	expect_in(r.err, "--version");
	run_free(&r);
}
END_TEST

START_TEST(usage_errors_answer_in_json_when_asked)
{
	struct jv *v = json_run(AS("alice", "edit", "ACME-1002", "--version",
	                           "abc", "--total", "1", "--json"), 2);

	ck_assert_str_eq(jstr(v, "error"), "invalid");
	ck_assert_str_eq(jstr(v, "field"), "version");
	expect_in(jstr(v, "message"), "--version");
	jv_free(v);

	v = json_run(AS("alice", "list", "--json", "--bogus"), 2);
	ck_assert_str_eq(jstr(v, "error"), "invalid");
	expect_in(jstr(v, "message"), "--bogus");
	jv_free(v);
}
END_TEST

/* ---- list ---------------------------------------------------------------- */

START_TEST(list_active_json_holds_only_active_rows_in_id_order)
{
	struct jv *v = json_run(AS("alice", "list", "--json"), 0);
	struct jv *rows = jget(v, "invoices", JV_ARRAY);
	int64_t last = 0;
	size_t i;

	ck_assert(jbool(v, "ok"));
	ck_assert_str_eq(jstr(v, "view"), "active");
	jnull(v, "next_after");
	ck_assert_uint_gt(rows->n, 0);
	for (i = 0; i < rows->n; i++) {
		struct jv *r = rows->items[i];

		ck_assert_str_eq(jstr(r, "lifecycle"), "active");
		ck_assert_int_gt(jint(r, "id"), last);
		last = jint(r, "id");
		ck_assert(strncmp(jstr(r, "number"), "ACME-", 5) == 0);
	}
	jv_free(v);
	/* All is exactly active + archived + deleted. */
	v = json_run(AS("alice", "list", "--view", "all", "--json"), 0);
	rows = jget(v, "invoices", JV_ARRAY);
	for (i = 0, last = 0; i < rows->n; i++)
		if (strcmp(jstr(rows->items[i], "lifecycle"), "deleted") == 0)
			last++;
	ck_assert_int_gt(last, 0);
	ck_assert_uint_eq(rows->n, list_count("alice", "active") +
	                           list_count("alice", "archived") +
	                           (size_t)last);
	jv_free(v);
}
END_TEST

START_TEST(list_view_all_as_member_is_forbidden)
{
	struct run r = AS("bob", "list", "--view", "all");
	struct jv *v;

	expect_code(&r, 5);
	expect_in(r.err, "admin");
	run_free(&r);
	v = json_run(AS("bob", "list", "--view", "all", "--json"), 5);
	ck_assert_str_eq(jstr(v, "error"), "forbidden");
	jv_free(v);
	run_expect(AS("bob", "list", "--view", "archived"), 0);
}
END_TEST

START_TEST(list_limit_pages_by_keyset_and_reports_where_to_continue)
{
	struct jv *all = json_run(AS("alice", "list", "--view", "all",
	                             "--json"), 0);
	struct jv *rows = jget(all, "invoices", JV_ARRAY);
	char after[32] = "0";
	size_t seen = 0, pages = 0;

	for (;;) {
		struct jv *page = json_run(AS("alice", "list", "--view", "all",
		                              "--limit", "3", "--after", after,
		                              "--json"), 0);
		struct jv *got = jget(page, "invoices", JV_ARRAY);
		struct jv *next = jv_get(page, "next_after");
		size_t i;

		ck_assert_uint_le(got->n, 3);
		for (i = 0; i < got->n; i++, seen++)
			ck_assert_int_eq(jint(got->items[i], "id"),
			                 jint(rows->items[seen], "id"));
		pages++;
		ck_assert_ptr_nonnull(next);
		if (next->type == JV_NULL) {
			jv_free(page);
			break;
		}
		ck_assert_uint_eq(got->n, 3);
		ck_assert_int_eq(jint(page, "next_after"),
		                 jint(got->items[2], "id"));
		id_text(jint(page, "next_after"), after, sizeof after);
		jv_free(page);
	}
	ck_assert_uint_eq(seen, rows->n);
	/* One row more than --limit is read, so a last full page already
	 * knows nothing follows: no empty page at the end. */
	ck_assert_uint_eq(pages, (rows->n + 2) / 3);
	jv_free(all);
}
END_TEST

START_TEST(list_streams_every_row_past_the_first_page)
{
	size_t before = list_count("alice", "active"), i, lines = 0;
	struct jv *v, *rows;
	int64_t last = 0;
	struct run r;

	/* 1200 rows by a foreign writer: more than two of the command's
	 * pages, so the keyset walk must carry on from page to page. */
	raw_sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	        "FROM n WHERE i < 1200) "
	        "INSERT INTO invoices (org_id, number, customer, status, "
	        "total_minor, currency) "
	        "SELECT (SELECT id FROM orgs WHERE name = 'acme'), "
	        "'BULK-' || i, 'Bulk customer ' || i, 'draft', i * 100, "
	        "'EUR' FROM n");
	v = json_run(AS("alice", "list", "--json"), 0);
	rows = jget(v, "invoices", JV_ARRAY);
	ck_assert_uint_eq(rows->n, before + 1200);
	for (i = 0; i < rows->n; i++) {
		ck_assert_int_gt(jint(rows->items[i], "id"), last);
		last = jint(rows->items[i], "id");
	}
	jnull(v, "next_after");
	jv_free(v);

	r = AS("alice", "list");
	expect_code(&r, 0);
	for (i = 0; r.out[i]; i++)
		lines += r.out[i] == '\n';
	ck_assert_uint_eq(lines, before + 1200 + 2); /* header and footer */
	run_free(&r);
}
END_TEST

/* Display columns of one line. */
static int line_width(const char *line, size_t len)
{
	wchar_t wide[512];
	char buf[1024];
	size_t n;

	snprintf(buf, sizeof buf, "%.*s", (int)len, line);
	n = mbstowcs(wide, buf, 512);
	ck_assert_uint_ne(n, (size_t)-1);
	return wcswidth(wide, n);
}

START_TEST(list_table_aligns_columns_and_marks_archived_and_deleted)
{
	struct run r = AS("alice", "list");
	const char *p, *nl;
	int width = -1, rows = 0;

	expect_code(&r, 0);
	expect_in(r.out, "Number");
	expect_in(r.out, "Customer");
	expect_in(r.out, "Status");
	expect_in(r.out, "Total");
	expect_in(r.out, "Version");
	expect_in(r.out, "1,200.00 EUR");
	expect_in(r.out, "株式会社 作者出版");
	/* Every line but the footer spans the same columns, wide characters
	 * and all. */
	for (p = r.out; (nl = strchr(p, '\n')) && nl[1]; p = nl + 1, rows++) {
		int w = line_width(p, (size_t)(nl - p));

		if (width < 0)
			width = w;
		ck_assert_msg(w == width, "line %d is %d columns, not %d:\n%s",
		              rows, w, width, r.out);
	}
	ck_assert_int_gt(rows, 2);
	run_free(&r);

	r = AS("alice", "list", "--view", "all");
	expect_code(&r, 0);
	expect_in(r.out, "deleted");
	expect_in(r.out, "archived 2");
	run_free(&r);
}
END_TEST

START_TEST(list_filter_matches_number_or_customer)
{
	struct jv *v = json_run(AS("alice", "list", "--filter", "initech",
	                           "--json"), 0);
	struct jv *rows = jget(v, "invoices", JV_ARRAY);
	struct run r;

	ck_assert_uint_eq(rows->n, 1);
	ck_assert_str_eq(jstr(rows->items[0], "number"), "ACME-1002");
	jv_free(v);
	v = json_run(AS("alice", "list", "--filter", "ACME-100", "--json"), 0);
	ck_assert_uint_gt(jget(v, "invoices", JV_ARRAY)->n, 1);
	jv_free(v);
	r = AS("alice", "list", "--filter", "no such thing");
	expect_code(&r, 0);
	expect_in(r.out, "No invoices");
	run_free(&r);
}
END_TEST

START_TEST(list_refuses_bad_view_limit_and_after)
{
	run_expect(AS("alice", "list", "--view", "bogus"), 2);
	run_expect(AS("alice", "list", "--limit", "0"), 2);
	run_expect(AS("alice", "list", "--limit", "abc"), 2);
	run_expect(AS("alice", "list", "--limit", "5000"), 2);
	run_expect(AS("alice", "list", "--after", "-1"), 2);
	run_expect(AS("alice", "list", "--after", "x"), 2);
}
END_TEST

/* ---- show ---------------------------------------------------------------- */

START_TEST(show_json_has_the_invoice_shape)
{
	struct jv *inv, *root = show("alice", "ACME-1002", &inv);
	char buf[64];

	ck_assert_int_gt(jint(inv, "id"), 0);
	ck_assert_str_eq(jstr(inv, "number"), "ACME-1002");
	ck_assert_str_eq(jstr(inv, "customer"), "Initech GmbH");
	ck_assert_str_eq(jstr(inv, "status"), "sent");
	ck_assert_str_eq(jstr(inv, "total"), "1200.00");
	ck_assert_int_eq(jint(inv, "total_minor"), 120000);
	ck_assert_str_eq(jstr(inv, "currency"), "EUR");
	ck_assert_int_eq(jint(inv, "version"), 1);
	ck_assert_str_eq(jstr(inv, "lifecycle"), "active");
	ck_assert_uint_gt(strlen(jstr(inv, "created_at")), 0);
	ck_assert_uint_gt(strlen(jstr(inv, "updated_at")), 0);
	jnull(inv, "archived_at");
	jnull(inv, "deleted_at");
	jv_free(root);
	/* Decimals follow the currency. */
	ck_assert_str_eq(show_str("alice", "ACME-1005", "total", buf,
	                          sizeof buf), "150000");
	ck_assert_str_eq(show_str("alice", "ACME-1006", "total", buf,
	                          sizeof buf), "812.125");
}
END_TEST

START_TEST(show_numeric_id_reaches_the_deleted_twin)
{
	int64_t gone = deleted_acme_1001();
	struct jv *inv, *root;
	char id[32];

	root = show("alice", id_text(gone, id, sizeof id), &inv);
	ck_assert_str_eq(jstr(inv, "number"), "ACME-1001");
	ck_assert_str_eq(jstr(inv, "lifecycle"), "deleted");
	ck_assert_uint_gt(strlen(jstr(inv, "deleted_at")), 0);
	jv_free(root);
	root = show("alice", "ACME-1001", &inv);
	ck_assert_str_eq(jstr(inv, "lifecycle"), "active");
	ck_assert_int_ne(jint(inv, "id"), gone);
	jv_free(root);
}
END_TEST

/* needle "  LABEL  value\n": the label, padded, and its value on one line */
static void expect_line(const char *out, const char *label,
                        const char *value)
{
	char line[256];

	snprintf(line, sizeof line, "\n  %-11s %s\n", label, value);
	expect_in(out, line);
}

START_TEST(show_human_output_labels_every_field)
{
	char id[32], created[64], updated[64], archived[64], deleted[64];
	char head[96];
	struct run r = AS("alice", "show", "ACME-1003");

	expect_code(&r, 0);
	id_text(show_int("alice", "ACME-1003", "id"), id, sizeof id);
	show_str("alice", "ACME-1003", "created_at", created, sizeof created);
	show_str("alice", "ACME-1003", "updated_at", updated, sizeof updated);
	snprintf(head, sizeof head, "Invoice ACME-1003 (id %s), version 1\n", id);
	ck_assert_msg(strncmp(r.out, head, strlen(head)) == 0,
	              "show does not begin with %s", head);
	expect_line(r.out, "Customer:", "Ærøskøbing Færge ApS");
	expect_line(r.out, "Status:", "Paid");
	expect_line(r.out, "Total:", "18,450.50 DKK");
	expect_line(r.out, "State:", "active");
	expect_line(r.out, "Created:", created);
	expect_line(r.out, "Updated:", updated);
	ck_assert_ptr_null(strstr(r.out, "Archived:"));
	ck_assert_ptr_null(strstr(r.out, "Deleted:"));
	run_free(&r);

	/* the two dates a moved invoice has get labels of their own */
	run_expect(AS("alice", "archive", "ACME-1003", "--version", "1"), 0);
	run_expect(AS("alice", "delete", "ACME-1003", "--version", "2"), 0);
	show_str("alice", id, "archived_at", archived, sizeof archived);
	show_str("alice", id, "deleted_at", deleted, sizeof deleted);
	show_str("alice", id, "updated_at", updated, sizeof updated);
	r = AS("alice", "show", id);
	expect_code(&r, 0);
	expect_line(r.out, "State:", "deleted");
	expect_line(r.out, "Created:", created);
	expect_line(r.out, "Updated:", updated);
	expect_line(r.out, "Archived:", archived);
	expect_line(r.out, "Deleted:", deleted);
	run_free(&r);
}
END_TEST

/* A restore or a delete at a version the invoice has moved past is a
 * conflict (exit 3) carrying the current row, and writes nothing:
 * user's move (restore, delete) of ACME-1002 at version `stale`: exit 3,
 * the current row (version now_version, lifecycle life) in the JSON,
 * and the database as it was, for the JSON and the text run alike. */
static void expect_stale_move(const char *user, const char *move,
                              const char *stale, int64_t now_version,
                              const char *life)
{
	char *before = snapshot(), *after;
	struct jv *v;

	v = json_run(AS(user, move, "ACME-1002", "--version", stale, "--json"),
	             3);
	ck_assert_str_eq(jstr(v, "error"), "conflict");
	ck_assert_int_eq(jint(jget(v, "current", JV_OBJECT), "version"),
	                 now_version);
	ck_assert_str_eq(jstr(jget(v, "current", JV_OBJECT), "lifecycle"),
	                 life);
	jv_free(v);
	run_expect(AS(user, move, "ACME-1002", "--version", stale), 3);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

START_TEST(stale_restore_is_a_conflict_and_writes_nothing)
{
	run_expect(AS("alice", "archive", "ACME-1002", "--version", "1"), 0);
	run_expect(AS("alice", "drift", "ACME-1002"), 0);
	expect_stale_move("bob", "restore", "2", 3, "archived");
}
END_TEST

START_TEST(stale_delete_is_a_conflict_and_writes_nothing)
{
	run_expect(AS("alice", "drift", "ACME-1002"), 0);
	expect_stale_move("alice", "delete", "1", 2, "active");
}
END_TEST

START_TEST(another_orgs_numeric_id_is_not_found)
{
	char id[32];
	struct jv *v;

	id_text(show_int("alice", "ACME-1002", "id"), id, sizeof id);
	v = json_run(AS("carol", "show", id, "--json"), 4);
	ck_assert_str_eq(jstr(v, "error"), "not_found");
	jv_free(v);
	run_expect(AS("carol", "edit", id, "--version", "1", "--total", "1"),
	           4);
	run_expect(AS("carol", "archive", id, "--version", "1"), 4);
	run_expect(AS("carol", "delete", id, "--version", "1"), 4);
	run_expect(AS("dave", "history", id), 4);
	run_expect(AS("dave", "drift", id), 4);
	ck_assert_int_eq(show_int("alice", "ACME-1002", "version"), 1);
}
END_TEST

START_TEST(unknown_ref_is_not_found)
{
	run_expect(AS("alice", "show", "NOPE-1"), 4);
	run_expect(AS("alice", "show", "999999"), 4);
	run_expect(AS("alice", "archive", "NOPE-1", "--version", "1"), 4);
}
END_TEST

/* ---- edit ---------------------------------------------------------------- */

START_TEST(edit_at_the_current_version_saves_and_adds_one)
{
	struct jv *v = json_run(AS("alice", "edit", "ACME-1002", "--version",
	                           "1", "--total", "1300.5", "--status", "Paid",
	                           "--json"), 0);
	struct jv *inv = jget(v, "invoice", JV_OBJECT);

	ck_assert(jbool(v, "ok"));
	ck_assert_int_eq(jint(inv, "version"), 2);
	ck_assert_str_eq(jstr(inv, "total"), "1300.50");
	ck_assert_int_eq(jint(inv, "total_minor"), 130050);
	ck_assert_str_eq(jstr(inv, "status"), "paid");
	ck_assert_str_eq(jstr(inv, "customer"), "Initech GmbH");
	jv_free(v);
	ck_assert_int_eq(show_int("bob", "ACME-1002", "version"), 2);
}
END_TEST

START_TEST(stale_edit_is_a_conflict_carrying_the_current_row)
{
	struct jv *v, *cur;
	char *before, *after, buf[64];

	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1",
	              "--customer", "Winner Ltd"),
	           0);
	before = snapshot();
	v = json_run(AS("bob", "edit", "ACME-1002", "--version", "1",
	                "--customer", "Loser Ltd", "--json"), 3);
	ck_assert_str_eq(jstr(v, "error"), "conflict");
	expect_in(jstr(v, "message"), "ACME-1002");
	cur = jget(v, "current", JV_OBJECT);
	ck_assert_int_eq(jint(cur, "version"), 2);
	ck_assert_str_eq(jstr(cur, "customer"), "Winner Ltd");
	jv_free(v);
	after = snapshot();
	ck_assert_str_eq(before, after);
	ck_assert_str_eq(show_str("alice", "ACME-1002", "customer", buf,
	                          sizeof buf), "Winner Ltd");
	free(before);
	free(after);
}
END_TEST

START_TEST(stale_edit_prints_the_current_row_and_the_retry_hint)
{
	struct run r;

	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1",
	              "--customer", "Winner Ltd"),
	           0);
	r = AS("bob", "edit", "ACME-1002", "--version", "1", "--customer",
	       "Loser Ltd");
	expect_code(&r, 3);
	expect_in(r.err, "inved: ");
	expect_in(r.err, "changed elsewhere");
	expect_in(r.err, "Winner Ltd");
	expect_in(r.err, "--version 2");
	ck_assert_str_eq(r.out, "");
	run_free(&r);
}
END_TEST

START_TEST(member_overwrite_is_forbidden_even_at_the_current_version)
{
	char *before = snapshot(), *after;
	struct jv *v;

	v = json_run(AS("bob", "edit", "ACME-1002", "--version", "1", "--total",
	                "5", "--overwrite", "--json"), 5);
	ck_assert_str_eq(jstr(v, "error"), "forbidden");
	jv_free(v);
	run_expect(AS("bob", "edit", "ACME-1002", "--version", "7", "--total",
	              "5", "--overwrite"),
	           5);
	after = snapshot();
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(show_int("alice", "ACME-1002", "total_minor"), 120000);
	free(before);
	free(after);
}
END_TEST

START_TEST(admin_overwrite_replaces_a_stale_version)
{
	struct jv *v, *entry;

	run_expect(AS("bob", "edit", "ACME-1002", "--version", "1", "--total",
	              "10"),
	           0);
	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1", "--total",
	              "77"),
	           3);
	v = json_run(AS("alice", "edit", "ACME-1002", "--version", "1",
	                "--total", "77", "--overwrite", "--json"), 0);
	ck_assert_int_eq(jint(jget(v, "invoice", JV_OBJECT), "version"), 3);
	ck_assert_str_eq(jstr(jget(v, "invoice", JV_OBJECT), "total"), "77.00");
	jv_free(v);
	v = json_run(AS("alice", "history", "ACME-1002", "--json"), 0);
	entry = jv_at(jget(v, "audit", JV_ARRAY), 0);
	ck_assert_ptr_nonnull(entry);
	ck_assert_str_eq(jstr(entry, "action"), "invoice.overwrite");
	/* The replaced value is kept for undoing by hand. */
	ck_assert_int_eq(jint(jget(jget(entry, "detail", JV_OBJECT),
	                           "total_minor", JV_OBJECT), "old"), 1000);
	jv_free(v);
}
END_TEST

START_TEST(admin_overwrite_writes_only_the_options_given)
{
	struct jv *v, *inv;

	/* bob voids the invoice; alice, on the stale version, overwrites
	 * only the customer: bob's status stays */
	run_expect(AS("bob", "edit", "ACME-1002", "--version", "1", "--status",
	              "void"),
	           0);
	v = json_run(AS("alice", "edit", "ACME-1002", "--version", "1",
	                "--customer", "Overwritten AG", "--overwrite", "--json"),
	             0);
	inv = jget(v, "invoice", JV_OBJECT);
	ck_assert_str_eq(jstr(inv, "customer"), "Overwritten AG");
	ck_assert_str_eq(jstr(inv, "status"), "void");
	ck_assert_str_eq(jstr(inv, "total"), "1200.00");
	jv_free(v);
}
END_TEST

START_TEST(edit_of_a_deleted_invoice_is_not_found)
{
	char id[32];

	id_text(deleted_acme_1001(), id, sizeof id);
	run_expect(AS("alice", "edit", id, "--version", "2", "--customer",
	              "Revived"),
	           4);
}
END_TEST

START_TEST(edit_needs_a_version_and_says_where_to_find_it)
{
	struct run r = AS("alice", "edit", "ACME-1002", "--total", "5");

	expect_code(&r, 2);
	expect_in(r.err, "--version N");
	expect_in(r.err, "inved show");
	run_free(&r);
	r = AS("alice", "edit", "ACME-1002", "--version", "1");
	expect_code(&r, 2);
	expect_in(r.err, "--customer");
	run_free(&r);
}
END_TEST

/* Each of these is refused with exit 2 and writes nothing. */
struct bad_input {
	const char *const args[12];
	const char *field; /* the JSON error's field, or NULL */
};

static const struct bad_input bad_inputs[] = {
	{{"edit", "ACME-1002", "--version", "1", "--total", "1,5"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", "-1"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", "abc"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", "1.234"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", "12.5",
	  "--currency", "JPY"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total",
	  "99999999999999999999"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", ""}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", " 1"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--total", "1e3"}, "total"},
	{{"edit", "ACME-1002", "--version", "1", "--customer", ""}, "customer"},
	{{"edit", "ACME-1002", "--version", "1", "--customer", "   "},
	 "customer"},
	{{"edit", "ACME-1002", "--version", "1", "--customer", "a\tb"},
	 "customer"},
	{{"edit", "ACME-1002", "--version", "1", "--customer", "a\nb"},
	 "customer"},
	{{"edit", "ACME-1002", "--version", "1", "--customer", "bad \xff\xfe"},
	 "customer"},
	{{"edit", "ACME-1002", "--version", "1", "--status", "nope"}, "status"},
	{{"edit", "ACME-1002", "--version", "1", "--currency", "XXX"},
	 "currency"},
	{{"edit", "ACME-1002", "--version", "1", "--currency", "eur"},
	 "currency"},
	{{"edit", "ACME-1002", "--version", "abc", "--total", "1"}, "version"},
	{{"edit", "ACME-1002", "--version", "0", "--total", "1"}, "version"},
	{{"edit", "ACME-1002", "--version", "-1", "--total", "1"}, "version"},
	{{"edit", "ACME-1002", "--version", "1.5", "--total", "1"}, "version"},
	{{"edit", "ACME-1002", "--version", "", "--total", "1"}, "version"},
	{{"edit", "ACME-1002", "--version", "1x", "--total", "1"}, "version"},
	{{"edit", "ACME-1002", "--version", "99999999999999999999", "--total",
	  "1"}, "version"},
	{{"archive", "ACME-1002", "--version", "one"}, "version"},
	{{"delete", "ACME-1002", "--version", "+1"}, "version"},
	{{"create", "--customer", "", "--total", "1"}, "customer"},
	{{"create", "--customer", "X", "--total", "1,00"}, "total"},
	{{"create", "--customer", "X", "--total", "1", "--currency", "ZZZ"},
	 "currency"},
	{{"create", "--customer", "X", "--total", "1", "--status", "bogus"},
	 "status"},
	{{"create", "--customer", "X", "--total", "1", "--request-id",
	  "has space"}, "request_id"},
	{{"create", "--customer", "X", "--total", "1", "--number", "1234"},
	 "number"},
};

START_TEST(invalid_input_is_refused_and_writes_nothing)
{
	char *before = snapshot(), *after, long_name[400];
	const char *args[16];
	size_t i, k;

	for (i = 0; i < sizeof bad_inputs / sizeof bad_inputs[0]; i++) {
		const struct bad_input *b = &bad_inputs[i];
		struct jv *v;

		for (k = 0; b->args[k]; k++)
			args[k] = b->args[k];
		args[k++] = "--json";
		args[k] = NULL;
		v = json_run(run_full(NULL, true, "alice", args), 2);
		ck_assert_str_eq(jstr(v, "error"), "invalid");
		ck_assert_msg(strcmp(jstr(v, "field"), b->field) == 0,
		              "case %zu (%s %s): field %s, expected %s", i,
		              b->args[0], b->args[k - 2], jstr(v, "field"),
		              b->field);
		ck_assert_uint_gt(strlen(jstr(v, "message")), 0);
		jv_free(v);
	}
	/* 121 characters (242 bytes): the limit counts characters. */
	for (i = 0, long_name[0] = '\0'; i < 121; i++)
		strcat(long_name, "é");
	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1",
	              "--customer", long_name),
	           2);
	long_name[240] = '\0'; /* 120 characters: accepted */
	after = snapshot();
	ck_assert_str_eq(before, after);
	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1",
	              "--customer", long_name),
	           0);
	free(before);
	free(after);
}
END_TEST

/* ---- lifecycle ------------------------------------------------------------ */

START_TEST(archive_and_restore_round_trip)
{
	struct jv *v = json_run(AS("bob", "archive", "ACME-1002", "--version",
	                           "1", "--json"), 0);
	struct jv *inv = jget(v, "invoice", JV_OBJECT);
	struct run r;

	ck_assert_str_eq(jstr(inv, "lifecycle"), "archived");
	ck_assert_int_eq(jint(inv, "version"), 2);
	ck_assert_uint_gt(strlen(jstr(inv, "archived_at")), 0);
	jv_free(v);
	r = AS("alice", "list", "--view", "archived");
	expect_in(r.out, "Initech GmbH");
	run_free(&r);
	r = AS("bob", "restore", "ACME-1002", "--version", "2");
	expect_code(&r, 0);
	expect_in(r.out, "Restored invoice ACME-1002");
	run_free(&r);
	ck_assert_int_eq(show_int("alice", "ACME-1002", "version"), 3);
}
END_TEST

START_TEST(stale_archive_is_a_conflict_carrying_the_current_row)
{
	struct jv *v, *cur;

	run_expect(AS("alice", "drift", "ACME-1002"), 0);
	v = json_run(AS("bob", "archive", "ACME-1002", "--version", "1",
	                "--json"), 3);
	ck_assert_str_eq(jstr(v, "error"), "conflict");
	cur = jget(v, "current", JV_OBJECT);
	ck_assert_int_eq(jint(cur, "version"), 2);
	ck_assert_str_eq(jstr(cur, "lifecycle"), "active");
	jv_free(v);
}
END_TEST

START_TEST(archiving_an_archived_invoice_is_a_conflict)
{
	int64_t version = show_int("alice", "ACME-1004", "version");
	char text[32];
	struct jv *v;

	id_text(version, text, sizeof text);
	v = json_run(AS("alice", "archive", "ACME-1004", "--version", text,
	                "--json"), 3);
	ck_assert_str_eq(jstr(jget(v, "current", JV_OBJECT), "lifecycle"),
	                 "archived");
	jv_free(v);
}
END_TEST

START_TEST(delete_as_member_is_forbidden)
{
	char *before = snapshot(), *after;
	struct jv *v = json_run(AS("bob", "delete", "ACME-1002", "--version",
	                           "1", "--json"), 5);

	ck_assert_str_eq(jstr(v, "error"), "forbidden");
	jv_free(v);
	after = snapshot();
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(admin_delete_frees_the_number_and_restore_takes_the_id)
{
	struct jv *v = json_run(AS("alice", "delete", "ACME-1002", "--version",
	                           "1", "--json"), 0);
	struct jv *inv = jget(v, "invoice", JV_OBJECT);
	char id[32];

	ck_assert_str_eq(jstr(inv, "lifecycle"), "deleted");
	ck_assert_int_eq(jint(inv, "version"), 2);
	id_text(jint(inv, "id"), id, sizeof id);
	jv_free(v);
	run_expect(AS("alice", "show", "ACME-1002"), 4);
	/* Restoring a deleted invoice is for admins: to a member it is not
	 * there at all. */
	run_expect(AS("bob", "restore", id, "--version", "2"), 4);
	v = json_run(AS("alice", "restore", id, "--version", "2", "--json"), 0);
	ck_assert_str_eq(jstr(jget(v, "invoice", JV_OBJECT), "lifecycle"),
	                 "active");
	jv_free(v);
	ck_assert_int_eq(show_int("alice", "ACME-1002", "version"), 3);
}
END_TEST

/* ---- create ---------------------------------------------------------------- */

START_TEST(create_allocates_the_next_number)
{
	struct jv *v = json_run(AS("bob", "create", "--customer", "Nouveau SA",
	                           "--total", "10", "--json"), 0);
	struct jv *inv = jget(v, "invoice", JV_OBJECT);
	char first[64];

	ck_assert(jbool(v, "ok"));
	ck_assert(!jbool(v, "repeat"));
	ck_assert_uint_eq(strlen(jstr(v, "request_id")), 32);
	ck_assert(strncmp(jstr(inv, "number"), "ACME-", 5) == 0);
	ck_assert_int_eq(jint(inv, "version"), 1);
	ck_assert_str_eq(jstr(inv, "status"), "draft");
	ck_assert_str_eq(jstr(inv, "currency"), "EUR");
	ck_assert_str_eq(jstr(inv, "total"), "10.00");
	snprintf(first, sizeof first, "%s", jstr(inv, "number"));
	jv_free(v);
	v = json_run(AS("bob", "create", "--customer", "Nouveau SA", "--total",
	                "812.125", "--currency", "BHD", "--status", "sent",
	                "--json"), 0);
	inv = jget(v, "invoice", JV_OBJECT);
	ck_assert_str_ne(jstr(inv, "number"), first);
	ck_assert_int_eq(jint(inv, "total_minor"), 812125);
	jv_free(v);
}
END_TEST

START_TEST(repeat_create_with_the_same_request_id_makes_one_invoice)
{
	size_t before = list_count("alice", "active");
	struct jv *a, *b;
	struct run r;

	a = json_run(AS("alice", "create", "--customer", "Once Only",
	                "--total", "5", "--request-id", "tok-1", "--json"), 0);
	b = json_run(AS("alice", "create", "--customer", "Once Only",
	                "--total", "5", "--request-id", "tok-1", "--json"), 0);
	ck_assert(!jbool(a, "repeat"));
	ck_assert(jbool(b, "repeat"));
	ck_assert_int_eq(jint(jget(a, "invoice", JV_OBJECT), "id"),
	                 jint(jget(b, "invoice", JV_OBJECT), "id"));
	jv_free(a);
	jv_free(b);
	r = AS("alice", "create", "--customer", "Once Only", "--total", "5",
	       "--request-id", "tok-1");
	expect_code(&r, 0);
	expect_in(r.out, "already handled");
	run_free(&r);
	ck_assert_uint_eq(list_count("alice", "active"), before + 1);
}
END_TEST

START_TEST(create_with_a_held_number_is_a_conflict_naming_the_holder)
{
	int64_t holder = show_int("alice", "ACME-1002", "id");
	struct jv *v = json_run(AS("alice", "create", "--customer", "Dup",
	                           "--total", "1", "--number", "ACME-1002",
	                           "--json"), 3);
	struct jv *cur = jget(v, "current", JV_OBJECT);

	ck_assert_str_eq(jstr(v, "error"), "conflict");
	ck_assert_int_eq(jint(cur, "id"), holder);
	ck_assert_str_eq(jstr(cur, "number"), "ACME-1002");
	jv_free(v);
}
END_TEST

START_TEST(create_needs_a_customer_and_a_total)
{
	struct run r = AS("alice", "create", "--total", "1");

	expect_code(&r, 2);
	expect_in(r.err, "--customer");
	run_free(&r);
	r = AS("alice", "create", "--customer", "X");
	expect_code(&r, 2);
	expect_in(r.err, "--total");
	run_free(&r);
}
END_TEST

/* ---- JSON text ------------------------------------------------------------ */

START_TEST(json_keeps_unicode_and_quotes_exactly)
{
	const char *name = "Zoë \"Q\" \\ 作者 — 😀 /x";
	struct jv *v = json_run(AS("alice", "create", "--customer", name,
	                           "--total", "1", "--json"), 0);
	char number[64], buf[128];

	snprintf(number, sizeof number, "%s",
	         jstr(jget(v, "invoice", JV_OBJECT), "number"));
	jv_free(v);
	ck_assert_str_eq(show_str("alice", number, "customer", buf, sizeof buf),
	                 name);
}
END_TEST

START_TEST(json_escapes_what_a_foreign_writer_stored)
{
	bool pg = testdb_pg();
	char buf[128];
	struct run r;

	/* Controls and a byte that is not UTF-8: inved never writes them,
	 * but another client of the file can.  PostgreSQL's text holds
	 * only UTF-8: there the controls alone. */
	raw_sql(pg ? "UPDATE invoices SET customer = 'a' || chr(10) || 'b' || "
	             "chr(9) || chr(1) || chr(27) || '[31mred' || "
	             "chr(127) || chr(133) || 'z' "
	             "WHERE number = 'ACME-1002' AND deleted_at IS NULL"
	           : "UPDATE invoices SET customer = 'a' || char(10) || 'b' || "
	             "char(9) || char(1) || char(27) || '[31mred' || "
	             "char(127) || char(133) || CAST(X'FF' AS TEXT) || 'z' "
	             "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	ck_assert_str_eq(show_str("alice", "ACME-1002", "customer", buf,
	                          sizeof buf),
	                 pg ? "a\nb\t\001\033[31mred\177\xc2\x85z"
	                    : "a\nb\t\001\033[31mred\177\xc2\x85\xffz");
	/* On a terminal the escape never arrives: each is shown visibly. */
	r = AS("alice", "show", "ACME-1002");
	expect_code(&r, 0);
	ck_assert_ptr_null(strchr(r.out, '\033'));
	expect_in(r.out, pg ? "a\\x0ab\\x09\\x01\\x1b[31mred\\x7f\\u0085z"
	                    : "a\\x0ab\\x09\\x01\\x1b[31mred\\x7f\\u0085\\xffz");
	run_free(&r);
	r = AS("alice", "list");
	expect_code(&r, 0);
	ck_assert_ptr_null(strchr(r.out, '\033'));
	run_free(&r);
}
END_TEST

/* ---- audit, history, drift ------------------------------------------------ */

START_TEST(history_lists_one_invoice_newest_first)
{
	struct jv *v, *audit, *e;
	int64_t id = show_int("alice", "ACME-1002", "id");
	struct run r;
	size_t i;

	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1",
	              "--status", "paid"),
	           0);
	run_expect(AS("alice", "edit", "ACME-1002", "--version", "2",
	              "--customer", "Initech AG"),
	           0);
	v = json_run(AS("alice", "history", "ACME-1002", "--json"), 0);
	ck_assert(jbool(v, "ok"));
	audit = jget(v, "audit", JV_ARRAY);
	ck_assert_uint_eq(audit->n, 3);
	for (i = 0; i < audit->n; i++) {
		e = audit->items[i];
		ck_assert_int_eq(jint(e, "subject_id"), id);
		ck_assert_str_eq(jstr(e, "number"), "ACME-1002");
		ck_assert_str_eq(jstr(e, "actor"), "alice");
		ck_assert_uint_gt(strlen(jstr(e, "at")), 0);
		jget(e, "detail", JV_OBJECT);
		if (i > 0)
			ck_assert_int_lt(jint(e, "seq"),
			                 jint(audit->items[i - 1], "seq"));
	}
	e = audit->items[0];
	ck_assert_str_eq(jstr(e, "action"), "invoice.edit");
	ck_assert_int_eq(jint(e, "from_version"), 2);
	ck_assert_int_eq(jint(e, "to_version"), 3);
	ck_assert_str_eq(jstr(jget(jget(e, "detail", JV_OBJECT), "customer",
	                           JV_OBJECT), "new"), "Initech AG");
	e = audit->items[2];
	ck_assert_str_eq(jstr(e, "action"), "invoice.create");
	ck_assert_int_eq(jint(e, "from_version"), 0);
	jv_free(v);

	r = AS("alice", "history", "ACME-1002");
	expect_code(&r, 0);
	expect_in(r.out, "invoice.edit");
	expect_in(r.out, "v2→v3");
	expect_in(r.out, "Initech AG");
	run_free(&r);
}
END_TEST

START_TEST(audit_tail_is_newest_first_limited_and_per_org)
{
	struct jv *v = json_run(AS("alice", "audit", "--tail", "3", "--json"),
	                        0);
	struct jv *audit = jget(v, "audit", JV_ARRAY);
	size_t i;

	ck_assert_uint_eq(audit->n, 3);
	for (i = 1; i < audit->n; i++)
		ck_assert_int_lt(jint(audit->items[i], "seq"),
		                 jint(audit->items[i - 1], "seq"));
	jv_free(v);
	v = json_run(AS("carol", "audit", "--tail", "1000", "--json"), 0);
	audit = jget(v, "audit", JV_ARRAY);
	ck_assert_uint_gt(audit->n, 0);
	for (i = 0; i < audit->n; i++)
		ck_assert(strncmp(jstr(audit->items[i], "number"), "ACME-", 5));
	jv_free(v);
	run_expect(AS("alice", "audit", "--tail", "0"), 2);
	run_expect(AS("alice", "audit", "--tail", "x"), 2);
}
END_TEST

START_TEST(audit_human_output_is_one_line_per_entry)
{
	struct run r = AS("alice", "audit", "--tail", "4");
	size_t lines = 0, i;

	expect_code(&r, 0);
	for (i = 0; r.out[i]; i++)
		lines += r.out[i] == '\n';
	ck_assert_uint_eq(lines, 4);
	expect_in(r.out, "alice");
	expect_in(r.out, "invoice.");
	expect_in(r.out, "→");
	run_free(&r);
}
END_TEST

START_TEST(drift_bumps_the_version_so_the_next_save_is_stale)
{
	struct jv *v = json_run(AS("alice", "drift", "ACME-1002", "--json"), 0);
	struct jv *e;

	ck_assert_int_eq(jint(jget(v, "invoice", JV_OBJECT), "version"), 2);
	jv_free(v);
	v = json_run(AS("alice", "history", "ACME-1002", "--json"), 0);
	e = jv_at(jget(v, "audit", JV_ARRAY), 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(jstr(e, "action"), "invoice.drift");
	jv_free(v);
	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1", "--total",
	              "3"),
	           3);
}
END_TEST

/* ---- faults and the screen's start-up ------------------------------------ */

START_TEST(locked_database_exits_busy_and_writes_nothing)
{
	/* SQLite's write lock; on PostgreSQL every invoice's row lock */
	struct testdb_conn *locks = testdb_pg()
		? testdb_su_hold(db, "BEGIN; SELECT count(*) FROM "
		                     "(SELECT 1 FROM invoices FOR UPDATE) l")
		: NULL;
	sqlite3 *h = locks ? NULL : raw_db();
	struct jv *v;

	if (h)
		raw_exec(h, "BEGIN IMMEDIATE");
	v = json_run(run_full(((const char *const[]){"INVED_BUSY_TIMEOUT=200",
	                                             NULL}),
	                      true, "alice",
	                      ARGS("edit", "ACME-1002", "--version", "1",
	                           "--total", "2", "--json")),
	             6);
	ck_assert_str_eq(jstr(v, "error"), "busy");
	jv_free(v);
	if (h) {
		raw_exec(h, "ROLLBACK");
		sqlite3_close(h);
	}
	testdb_release(locks);
	ck_assert_int_eq(show_int("alice", "ACME-1002", "version"), 1);
	run_expect(AS("alice", "edit", "ACME-1002", "--version", "1", "--total",
	              "2"),
	           0);
}
END_TEST

START_TEST(screen_view_all_for_a_member_is_refused_before_it_opens)
{
	struct run r = run_full(NULL, true, "bob", ARGS("--view", "all"));

	expect_code(&r, 5);
	expect_in(r.err, "admin");
	run_free(&r);
	r = run_full(NULL, true, "bob", ARGS("--view", "bogus"));
	expect_code(&r, 2);
	expect_in(r.err, "bogus");
	run_free(&r);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("commands");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, init_demo_reports_the_path_it_created);
	tcase_add_test(tc, init_on_existing_database_keeps_it);
	tcase_add_test(tc, init_org_is_refused_in_a_demo_database);
	tcase_add_test(tc, missing_database_names_the_path_and_the_fix);
	tcase_add_test(tc, unknown_user_is_forbidden_naming_the_memberships);
	tcase_add_test(tc, org_option_picks_a_membership_and_refuses_a_foreign_one);
	tcase_add_test(tc, user_and_database_come_from_the_environment);
	tcase_add_test(tc, help_and_version_exit_zero);
	tcase_add_test(tc, unknown_commands_options_and_arguments_are_usage_errors);
	tcase_add_test(tc, usage_errors_answer_in_json_when_asked);
	tcase_add_test(tc, list_active_json_holds_only_active_rows_in_id_order);
	tcase_add_test(tc, list_view_all_as_member_is_forbidden);
	tcase_add_test(tc, list_limit_pages_by_keyset_and_reports_where_to_continue);
	tcase_add_test(tc, list_streams_every_row_past_the_first_page);
	tcase_add_test(tc, list_table_aligns_columns_and_marks_archived_and_deleted);
	tcase_add_test(tc, list_filter_matches_number_or_customer);
	tcase_add_test(tc, list_refuses_bad_view_limit_and_after);
	tcase_add_test(tc, show_json_has_the_invoice_shape);
	tcase_add_test(tc, show_numeric_id_reaches_the_deleted_twin);
	tcase_add_test(tc, show_human_output_labels_every_field);
	tcase_add_test(tc, another_orgs_numeric_id_is_not_found);
	tcase_add_test(tc, unknown_ref_is_not_found);
	tcase_add_test(tc, edit_at_the_current_version_saves_and_adds_one);
	tcase_add_test(tc, stale_edit_is_a_conflict_carrying_the_current_row);
	tcase_add_test(tc, stale_restore_is_a_conflict_and_writes_nothing);
	tcase_add_test(tc, stale_delete_is_a_conflict_and_writes_nothing);
	tcase_add_test(tc, stale_edit_prints_the_current_row_and_the_retry_hint);
	tcase_add_test(tc, member_overwrite_is_forbidden_even_at_the_current_version);
	tcase_add_test(tc, admin_overwrite_replaces_a_stale_version);
	tcase_add_test(tc, admin_overwrite_writes_only_the_options_given);
	tcase_add_test(tc, edit_of_a_deleted_invoice_is_not_found);
	tcase_add_test(tc, edit_needs_a_version_and_says_where_to_find_it);
	tcase_add_test(tc, invalid_input_is_refused_and_writes_nothing);
	tcase_add_test(tc, archive_and_restore_round_trip);
	tcase_add_test(tc, stale_archive_is_a_conflict_carrying_the_current_row);
	tcase_add_test(tc, archiving_an_archived_invoice_is_a_conflict);
	tcase_add_test(tc, delete_as_member_is_forbidden);
	tcase_add_test(tc, admin_delete_frees_the_number_and_restore_takes_the_id);
	tcase_add_test(tc, create_allocates_the_next_number);
	tcase_add_test(tc, repeat_create_with_the_same_request_id_makes_one_invoice);
	tcase_add_test(tc, create_with_a_held_number_is_a_conflict_naming_the_holder);
	tcase_add_test(tc, create_needs_a_customer_and_a_total);
	tcase_add_test(tc, json_keeps_unicode_and_quotes_exactly);
	tcase_add_test(tc, json_escapes_what_a_foreign_writer_stored);
	tcase_add_test(tc, history_lists_one_invoice_newest_first);
	tcase_add_test(tc, audit_tail_is_newest_first_limited_and_per_org);
	tcase_add_test(tc, audit_human_output_is_one_line_per_entry);
	tcase_add_test(tc, drift_bumps_the_version_so_the_next_save_is_stale);
	tcase_add_test(tc, locked_database_exits_busy_and_writes_nothing);
	tcase_add_test(tc, screen_view_all_for_a_member_is_refused_before_it_opens);
	suite_add_tcase(s, tc);
	/* A team's SQLite file: its user is the OS account that runs inved
	 * (on PostgreSQL the connection's role, tests/pg), and where init
	 * puts the file (the XDG default, a missing directory). */
	if (!testdb_pg()) {
		TCase *file = tcase_create("file");

		tcase_add_checked_fixture(file, setup, teardown);
		tcase_set_timeout(file, 120);
		tcase_add_test(file, init_without_an_org_says_how_to_add_one);
		tcase_add_test(file, init_org_makes_the_logged_in_account_admin_of_a_new_org);
		tcase_add_test(file, init_creates_the_default_xdg_directory);
		tcase_add_test(file, init_into_a_missing_directory_names_it);
		suite_add_tcase(s, file);
	}
	testdb_sqlite_only("cli", 4, "a team file's OS-account identity at "
	                   "init, and where init puts the file");
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	setlocale(LC_ALL, "");
	bin = getenv("INVED_BIN");
	if (!bin || !*bin) {
		fprintf(stderr, "INVED_BIN is not set; run through meson test\n");
		return 77;
	}
	/* The tests say who and where on every command line (or set these
	 * themselves); what the caller's shell holds must not leak in. */
	unsetenv("INVED_DB");
	unsetenv("INVED_USER");
	unsetenv("INVED_BUSY_TIMEOUT");
	/* every test starts from a copy of one `init --demo` (on
	 * PostgreSQL testdb made it before main) */
	if (!testdb_pg() && !template_make(bin)) {
		template_remove();
		return EXIT_FAILURE;
	}
	sr = srunner_create(cli_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	template_remove();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
