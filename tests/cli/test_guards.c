/*
 * test_guards.c - the command line where the file itself is at stake:
 * `init --demo` killed at random moments leaves the whole demo or none of
 * it; another program's SQLite file, of several shapes, is refused with
 * its bytes untouched (the switch to WAL included); a full disk is named
 * as one and reads still work; the demonstrations (`drift`) are refused
 * outside a demo database; a write that would overflow a 64-bit sum exits
 * `invalid`.
 */
#define _GNU_SOURCE /* unshare */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "testdb.h"

#define KILL_ROUNDS 40

/* ---- helpers ------------------------------------------------------------ */

static void raw_sql(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_close(h);
}

/* One text value from the file (NULL-safe, caller frees). */
static char *raw_text(const char *path, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	char *out;

	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(h));
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	out = strdup(sqlite3_column_text(s, 0)
	                     ? (const char *)sqlite3_column_text(s, 0)
	                     : "");
	sqlite3_finalize(s);
	sqlite3_close(h);
	return out;
}

static void remove_db(const char *path)
{
	char side[440];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-journal", path);
	unlink(side);
}

/* The name of the account running the tests: a user that names itself
 * in a database that is not a demo one. */
static const char *me(void)
{
	struct passwd *pw = getpwuid(geteuid());

	ck_assert_ptr_nonnull(pw);
	return pw->pw_name;
}

/* ---- init --demo, killed ---------------------------------------------------- */

/* What the demo is, without its clock times: every table's rows that do
 * not depend on when it was made. */
#define DEMO_PRINT                                                           \
	"SELECT (SELECT count(*) FROM meta WHERE key = 'demo') || '/' || "     \
	"(SELECT group_concat(name, ',') FROM (SELECT name FROM orgs "         \
	"ORDER BY id)) || '/' || (SELECT group_concat(name, ',') FROM "        \
	"(SELECT name FROM users ORDER BY id)) || '/' || (SELECT count(*) "   \
	"FROM memberships) || '/' || (SELECT group_concat(r, ';') FROM "       \
	"(SELECT number || ' ' || customer || ' ' || status || ' ' || "        \
	"total_minor || ' ' || currency || ' v' || version || ' ' || "        \
	"(archived_at IS NULL) || (deleted_at IS NULL) AS r FROM invoices "    \
	"ORDER BY id)) || '/' || (SELECT group_concat(r, ';') FROM (SELECT "   \
	"actor || ' ' || action || ' ' || subject_id || ' ' || from_version " \
	"|| '>' || to_version AS r FROM audit ORDER BY seq)) || '/' || "       \
	"(SELECT count(*) FROM changes) || '/' || (SELECT group_concat(r, "   \
	"';') FROM (SELECT org_id || currency || state || count || ' ' || "   \
	"total_minor AS r FROM totals ORDER BY 1)) || '/' || (SELECT "         \
	"count(*) FROM requests)"

/* No demo at all: the schema may be there, nothing else. */
#define DEMO_NONE                                                            \
	"SELECT (SELECT count(*) FROM meta WHERE key = 'demo') + (SELECT "     \
	"count(*) FROM orgs) + (SELECT count(*) FROM users) + (SELECT "        \
	"count(*) FROM invoices) + (SELECT count(*) FROM audit) + (SELECT "    \
	"count(*) FROM requests)"

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Starts `inved --db path init --demo` and kills it with SIGKILL after
 * delay_us; returns whether it had finished first. */
static bool init_demo_killed_after(const char *path, int64_t delay_us)
{
	int status = 0;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execl(fx_bin, fx_bin, "--db", path, "init", "--demo",
		      (char *)NULL);
		_exit(127);
	}
	if (delay_us > 0) {
		struct timespec ts = {(time_t)(delay_us / 1000000),
		                      (long)(delay_us % 1000000) * 1000};

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
	              "could not run %s", fx_bin);
	return WIFEXITED(status);
}

START_TEST(init_demo_killed_at_random_leaves_all_or_nothing)
{
	char path[400], *whole;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	int64_t t0, span;
	int round, none = 0, all = 0, finished = 0;
	struct run r;

	/* The demo as an uninterrupted run makes it, and how long such a run
	 * takes: the kills are spread over that span (a measure, never an
	 * expectation). */
	fx_path(path, sizeof path, "kill.db");
	t0 = now_us();
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init", "--demo"));
	span = now_us() - t0;
	fx_expect_code(&r, 0);
	run_free(&r);
	whole = raw_text(path, DEMO_PRINT);
	ck_assert_ptr_nonnull(strstr(whole, "1/acme,globex/"));

	for (round = 0; round < KILL_ROUNDS; round++) {
		struct stat sb;
		char *now;

		remove_db(path);
		finished += init_demo_killed_after(
			path, (int64_t)((unsigned)rand_r(&seed) % (unsigned)(span + 1)));
		if (stat(path, &sb) == 0 && sb.st_size > 0) {
			char *left = raw_text(path, "SELECT count(*) FROM "
				"sqlite_schema WHERE name = 'invoices'");

			if (strcmp(left, "1") == 0) {
				char *nothing = raw_text(path, DEMO_NONE);

				now = raw_text(path, DEMO_PRINT);
				ck_assert_msg(strcmp(nothing, "0") == 0 ||
				              strcmp(now, whole) == 0,
				              "round %d left part of a demo:\n%s\n"
				              "instead of all of it:\n%s",
				              round, now, whole);
				if (strcmp(nothing, "0") == 0)
					none++;
				else
					all++;
				free(nothing);
				free(now);
			}
			free(left);
		}
		/* a rerun finishes the job, whatever the kill left */
		run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init", "--demo"));
		fx_expect_code(&r, 0);
		run_free(&r);
		now = raw_text(path, DEMO_PRINT);
		ck_assert_msg(strcmp(now, whole) == 0,
		              "round %d: after the rerun\n%s\ninstead of\n%s",
		              round, now, whole);
		free(now);
	}
	printf("init --demo killed %d times over %" PRId64 " us: %d left no "
	       "demo, %d the whole demo, %d had finished\n",
	       KILL_ROUNDS, span, none, all, finished);
	free(whole);
}
END_TEST

/* What an earlier inved left when killed after its first commit: the orgs,
 * the users and the demo marker, and only some of the invoices. */
START_TEST(a_partial_demo_from_an_earlier_run_is_not_called_complete)
{
	char path[400], *before, *after;
	struct run r;

	/* the partial demo is planted into an SQLite file; on PostgreSQL
	 * only the whole demo's half runs (the seeding's all-or-nothing
	 * there is one transaction, tests/pg) */
	if (fx_is_uri(fx_db))
		goto whole;
	fx_path(path, sizeof path, "partial.db");
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init"));
	fx_expect_code(&r, 0);
	run_free(&r);
	raw_sql(path,
		"INSERT INTO meta (key, value) VALUES ('demo', '1');"
		"INSERT INTO orgs (id, name, prefix) VALUES "
		"  (1, 'acme', 'ACME-'), (2, 'globex', 'GLOBEX-');"
		"INSERT INTO users (id, name) VALUES "
		"  (1, 'alice'), (2, 'bob'), (3, 'carol'), (4, 'dave');"
		"INSERT INTO memberships (user_id, org_id, role) VALUES "
		"  (1, 1, 'admin'), (2, 1, 'member'),"
		"  (3, 2, 'admin'), (4, 2, 'member');"
		"INSERT INTO invoices (org_id, number, customer, total_minor, "
		"  currency) VALUES (1, 'ACME-1001', 'Vandelay Industries', "
		"  50000, 'EUR');"
		"INSERT INTO requests (org_id, token, user_id, invoice_id, at) "
		"  VALUES (1, 'demo-acme-0', 1, 1, 'then');");
	before = fx_dump(path);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init", "--demo"));
	fx_expect_code(&r, 3);
	fx_expect_in(r.err, "only part of the demo");
	ck_assert_ptr_null(strstr(r.out, "already holds the demo"));
	run_free(&r);
	after = fx_dump(path);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
whole:
	/* the whole demo, used a while, is still whole */
	r = AS("alice", "create", "--customer", "Later", "--total", "1");
	fx_expect_code(&r, 0);
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("--db", fx_db, "init", "--demo"));
	fx_expect_code(&r, 0);
	fx_expect_in(r.out, "already holds the demo");
	run_free(&r);
}
END_TEST

/* ---- another program's file ------------------------------------------------ */

/* The file's bytes (and whether its side files appeared). */
static unsigned char *bytes_of(const char *path, size_t *len)
{
	unsigned char *b = fx_file_bytes(path, len);

	ck_assert_ptr_nonnull(b);
	return b;
}

START_TEST(foreign_sqlite_files_are_refused_byte_for_byte)
{
	static const struct {
		const char *name;
		const char *sql;
	} shapes[] = {
		/* user_version says 1, the tables say otherwise */
		{"v1-notes.db", "CREATE TABLE notes (body TEXT);"
		                "INSERT INTO notes VALUES ('keep me');"
		                "PRAGMA user_version = 1;"},
		/* user_version 1 and no table at all */
		{"v1-empty.db", "PRAGMA user_version = 1;"},
		/* this inved's own version number */
		{"v2-notes.db", "CREATE TABLE notes (body TEXT);"
		                "PRAGMA user_version = 2;"},
		/* a newer-looking number: still not ours */
		{"v7-notes.db", "CREATE TABLE notes (body TEXT);"
		                "PRAGMA user_version = 7;"},
		/* some of our table names, not all */
		{"v1-half.db", "CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
		               "CREATE TABLE invoices (id INTEGER PRIMARY KEY);"
		               "PRAGMA user_version = 1;"},
		/* no table and no user_version, but another program's
		 * application_id in the header */
		{"app-id.db", "PRAGMA application_id = 1179603272;"},
		/* a file in WAL mode already (header bytes 18-19 are 2) */
		{"v1-wal.db", "PRAGMA journal_mode = WAL;"
		              "CREATE TABLE notes (body TEXT);"
		              "PRAGMA user_version = 1;"},
	};
	static const char *const commands[][8] = {
		{"init", NULL},
		{"init", "--demo", NULL},
		{"list", NULL},
		{"create", "--customer", "X", "--total", "1", NULL},
		{"audit", "--json", NULL},
	};
	size_t i, k;

	for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		char path[400], side[420];
		unsigned char *before;
		size_t len;
		struct stat sb;

		fx_path(path, sizeof path, shapes[i].name);
		raw_sql(path, shapes[i].sql);
		before = bytes_of(path, &len);
		ck_assert_uint_ge(len, 100);
		for (k = 0; k < sizeof commands / sizeof commands[0]; k++) {
			const char *args[16];
			unsigned char *now;
			size_t nlen, n = 0, a;
			struct run r;

			args[n++] = "--db";
			args[n++] = path;
			args[n++] = "--user";
			args[n++] = "alice";
			for (a = 0; commands[k][a]; a++)
				args[n++] = commands[k][a];
			args[n] = NULL;
			run_exec(&r, fx_bin, NULL, args);
			ck_assert_msg(r.code == 1, "%s %s: exit %d\n%s%s",
			              shapes[i].name, commands[k][0], r.code,
			              r.out, r.err);
			fx_expect_in(k == 4 ? r.out : r.err,
			             "not an inved database");
			run_free(&r);
			now = bytes_of(path, &nlen);
			ck_assert_msg(nlen == len && memcmp(now, before, len) == 0,
			              "%s %s changed the file (bytes 18-19 now "
			              "%d %d, were %d %d)",
			              shapes[i].name, commands[k][0],
			              nlen > 19 ? now[18] : -1,
			              nlen > 19 ? now[19] : -1, before[18],
			              before[19]);
			free(now);
			snprintf(side, sizeof side, "%s-wal", path);
			ck_assert_msg(stat(side, &sb) != 0 || sb.st_size == 0,
			              "%s %s left a WAL", shapes[i].name,
			              commands[k][0]);
		}
		free(before);
	}
}
END_TEST

/* ---- a full disk ------------------------------------------------------------ */

START_TEST(a_full_disk_is_named_and_reads_still_work)
{
	char mnt[400], path[420], fill[420];
	unsigned char *demo;
	size_t len;
	FILE *f;
	struct run r;
	char block[4096];
	const char *who = "alice";

	fx_path(mnt, sizeof mnt, "small");
	ck_assert_int_eq(mkdir(mnt, 0700), 0);
	/* A mount namespace of this test's own: the small disk goes away with
	 * the test process, even when the test fails half way. */
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0) {
		printf("a_full_disk_is_named_and_reads_still_work: skipped, "
		       "cannot mount a small tmpfs here (%s)\n", strerror(errno));
		return;
	}
	/* the demo, checkpointed into its one file, copied onto the small
	 * disk, and the rest of the disk filled */
	demo = bytes_of(fx_db, &len);
	snprintf(path, sizeof path, "%s/invoices.db", mnt);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(demo, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	free(demo);
	snprintf(fill, sizeof fill, "%s/fill", mnt);
	f = fopen(fill, "wb");
	ck_assert_ptr_nonnull(f);
	memset(block, 0, sizeof block);
	while (fwrite(block, 1, sizeof block, f) == sizeof block &&
	       fflush(f) == 0)
		;
	fclose(f);

	/* writes are refused as what they are */
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", who, "create",
	                                "--customer", "X", "--total", "1"));
	fx_expect_code(&r, 1);
	fx_expect_in(r.err, "is full");
	ck_assert_ptr_null(strstr(r.err, "input/output"));
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", who, "edit",
	                                "ACME-1002", "--version", "1",
	                                "--total", "3", "--json"));
	fx_expect_code(&r, 1);
	fx_expect_in(r.out, "is full");
	run_free(&r);
	/* and reads still answer */
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", who, "list"));
	fx_expect_code(&r, 0);
	fx_expect_in(r.out, "ACME-1002");
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", who, "show",
	                                "ACME-1002"));
	fx_expect_code(&r, 0);
	fx_expect_in(r.out, "Initech GmbH");
	run_free(&r);
	/* room again: the write lands */
	ck_assert_int_eq(unlink(fill), 0);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", who, "edit",
	                                "ACME-1002", "--version", "1",
	                                "--total", "3"));
	fx_expect_code(&r, 0);
	run_free(&r);
}
END_TEST

/* ---- demonstrations only in a demo ----------------------------------------- */

START_TEST(drift_is_refused_outside_a_demo_database)
{
	char path[400], *before, *after;
	const char *user = me();
	struct run r;

	fx_path(path, sizeof path, "plain.db");
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", user, "init",
	                                "--org", "zorg"));
	fx_expect_code(&r, 0);
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", user, "create",
	                                "--customer", "Zeta Oy", "--total",
	                                "5"));
	fx_expect_code(&r, 0);
	run_free(&r);
	before = raw_text(path, "SELECT group_concat(version || action) FROM "
	                        "invoices, audit");
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", user, "drift",
	                                "ZORG-1001"));
	fx_expect_code(&r, 5);
	fx_expect_in(r.err, "demo");
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", user, "drift",
	                                "ZORG-1001", "--json"));
	fx_expect_code(&r, 5);
	fx_expect_in(r.out, "\"error\":\"forbidden\"");
	run_free(&r);
	after = raw_text(path, "SELECT group_concat(version || action) FROM "
	                       "invoices, audit");
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* in the demo it is what it was */
	r = AS("alice", "drift", "ACME-1002");
	fx_expect_code(&r, 0);
	run_free(&r);
}
END_TEST

/* ---- 64-bit sums -------------------------------------------------------------- */

START_TEST(a_write_that_would_overflow_a_sum_exits_invalid)
{
	struct jv *v;
	char *before, *after;
	struct run r;

	/* another client's invoice fills the EUR sum to 50 below the top */
	if (fx_is_uri(fx_db))
		fx_sql("INSERT INTO invoices (org_id, number, customer, "
			"total_minor, currency) SELECT id, 'WHALE-1', 'Whale', "
			"9223372036854775807 - 50 - (SELECT total_minor FROM "
			"totals t WHERE t.org_id = o.id AND currency = 'EUR' "
			"AND state = 'active'), 'EUR' FROM orgs o "
			"WHERE name = 'acme'");
	else
		raw_sql(fx_db, "INSERT INTO invoices (org_id, number, customer, "
			"total_minor, currency) VALUES (1, 'WHALE-1', 'Whale', "
			"9223372036854775807 - 50 - (SELECT total_minor FROM totals "
			"WHERE org_id = 1 AND currency = 'EUR' AND state = 'active'), "
			"'EUR')");
	before = fx_dump(fx_db);
	v = fx_json(AS("alice", "create", "--customer", "One more", "--total",
	               "1.00", "--currency", "EUR", "--json"), 2);
	ck_assert_str_eq(fx_jstr(v, "error"), "invalid");
	ck_assert_str_eq(fx_jstr(v, "field"), "total");
	fx_expect_in(fx_jstr(v, "message"), "64-bit");
	jv_free(v);
	r = AS("alice", "edit", "ACME-1002", "--version", "1", "--total",
	       "1300.00");
	fx_expect_code(&r, 2);
	fx_expect_in(r.err, "64-bit");
	run_free(&r);
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* the footer's sums are still whole numbers (a PostgreSQL bigint
	 * is never anything else) */
	if (fx_is_uri(fx_db))
		return;
	after = raw_text(fx_db, "SELECT group_concat(typeof(total_minor)) "
	                        "FROM totals");
	ck_assert_ptr_null(strstr(after, "real"));
	free(after);
}
END_TEST

static Suite *guards_suite(void)
{
	Suite *s = suite_create("cli-guards");
	TCase *tc = tcase_create("guards");

	TCase *file = tcase_create("file");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 280);
	tcase_add_test(tc, a_partial_demo_from_an_earlier_run_is_not_called_complete);
	tcase_add_test(tc, a_write_that_would_overflow_a_sum_exits_invalid);
	suite_add_tcase(s, tc);
	/* SQLite files of their own: init --demo killed into a file, other
	 * programs' files, a full file system, and a team file made by the
	 * OS account (on PostgreSQL drift's refusal outside a demo is
	 * pgstore's, tests/pg) */
	tcase_add_checked_fixture(file, fx_setup, fx_teardown);
	tcase_set_timeout(file, 280);
	tcase_add_test(file, init_demo_killed_at_random_leaves_all_or_nothing);
	tcase_add_test(file, foreign_sqlite_files_are_refused_byte_for_byte);
	tcase_add_test(file, a_full_disk_is_named_and_reads_still_work);
	tcase_add_test(file, drift_is_refused_outside_a_demo_database);
	testdb_add_sqlite_only(s, file);
	testdb_sqlite_only("cli-guards", 4, "init --demo killed into a file, "
	                   "other programs' SQLite files, a full disk, drift "
	                   "in an OS-account team file");
	return s;
}

int main(void)
{
	return fx_main(guards_suite());
}
