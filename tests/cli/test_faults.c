/*
 * test_faults.c - SPEC 7's faults of the database file, through the
 * command line: a missing directory or file, a directory, a file that is
 * not SQLite or not ours, an empty, truncated or corrupted file, a schema
 * from a newer inved, a read-only file, and a database another process
 * keeps locked.  Each answer names the path and what to do, exits with its
 * defined code, never crashes, and never writes: the file's bytes (or
 * every table's rows) are compared before and after.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "testdb.h"

/* Every command, reading and writing, against one database. */
static const char *const every_command[][10] = {
	{"list", NULL},
	{"list", "--view", "all", "--json", NULL},
	{"show", "ACME-1002", NULL},
	{"show", "3", "--json", NULL},
	{"edit", "ACME-1002", "--version", "1", "--total", "3", NULL},
	{"edit", "ACME-1002", "--version", "1", "--total", "3", "--json", NULL},
	{"archive", "ACME-1002", "--version", "1", NULL},
	{"restore", "ACME-1004", "--version", "2", NULL},
	{"delete", "ACME-1002", "--version", "1", NULL},
	{"create", "--customer", "X", "--total", "1", NULL},
	{"history", "ACME-1002", NULL},
	{"audit", NULL},
	{"drift", "ACME-1002", NULL},
};

/* The file's bytes, kept to compare. */
struct bytes {
	unsigned char *data;
	size_t len;
	bool exists;
};

static struct bytes bytes_of(const char *path)
{
	struct bytes b;
	struct stat sb;

	b.exists = stat(path, &sb) == 0;
	b.data = fx_file_bytes(path, &b.len);
	return b;
}

static void expect_same_bytes(const char *path, struct bytes *before,
                              const char *what)
{
	struct bytes now = bytes_of(path);

	ck_assert_msg(now.exists == before->exists, "%s: %s %s", what, path,
	              now.exists ? "appeared" : "vanished");
	ck_assert_msg(now.len == before->len &&
	              (now.len == 0 || memcmp(now.data, before->data,
	                                      now.len) == 0),
	              "%s wrote to %s (%zu bytes, was %zu)", what, path, now.len,
	              before->len);
	free(now.data);
}

/* Run cmd as alice on path; the exit code and the message's words. */
static void expect_refusal(const char *path, const char *const *cmd, int code,
                           const char *const *needles)
{
	const char *args[24];
	size_t n = 0, i;
	bool json = false;
	struct run r;
	char what[256];

	args[n++] = "--db";
	args[n++] = path;
	args[n++] = "--user";
	args[n++] = "alice";
	for (i = 0; cmd[i]; i++) {
		json |= strcmp(cmd[i], "--json") == 0;
		args[n++] = cmd[i];
	}
	args[n] = NULL;
	snprintf(what, sizeof what, "%s %s", cmd[0], cmd[1] ? cmd[1] : "");
	run_exec(&r, fx_bin, NULL, args);
	ck_assert_msg(r.code == code, "%s on %s: exit %d, expected %d\n%s%s",
	              what, path, r.code, code, r.out, r.err);
	if (json) {
		struct jv *v = jv_parse(r.out);

		ck_assert_msg(v && v->type == JV_OBJECT, "%s: not JSON: %s", what,
		              r.out);
		ck_assert_str_eq(fx_jstr(v, "error"), fx_error_name(code));
		for (i = 0; needles[i]; i++)
			fx_expect_in(fx_jstr(v, "message"), needles[i]);
		jv_free(v);
	} else {
		for (i = 0; needles[i]; i++)
			fx_expect_in(r.err, needles[i]);
		ck_assert_msg(r.out[0] == '\0', "%s: printed %s", what, r.out);
	}
	run_free(&r);
}

/* Every command on path: refused alike, and the file untouched. */
static void expect_every_command_refused(const char *path, int code,
                                         const char *const *needles)
{
	struct bytes before = bytes_of(path);
	size_t i;

	for (i = 0; i < sizeof every_command / sizeof every_command[0]; i++) {
		expect_refusal(path, every_command[i], code, needles);
		expect_same_bytes(path, &before, every_command[i][0]);
	}
	free(before.data);
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* A copy of the demo database, checkpointed into one file. */
static void copy_demo(const char *path)
{
	size_t len;
	unsigned char *data;
	struct stat sb;
	char wal[400];

	snprintf(wal, sizeof wal, "%s-wal", fx_db);
	ck_assert_msg(stat(wal, &sb) != 0 || sb.st_size == 0,
	              "the demo database still has a WAL");
	data = fx_file_bytes(fx_db, &len);
	ck_assert_ptr_nonnull(data);
	write_file(path, data, len);
	free(data);
}

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

/* ---- where the file is not ----------------------------------------------- */

START_TEST(a_missing_directory_is_named_and_not_created)
{
	char dir[320], path[400];
	struct stat sb;
	struct run r;

	snprintf(dir, sizeof dir, "%s/no/such", fx_dir);
	snprintf(path, sizeof path, "%s/invoices.db", dir);
	expect_every_command_refused(path, 4,
		ARGS(path, "inved init"));
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init"));
	fx_expect_code(&r, 4);
	fx_expect_in(r.err, dir);
	fx_expect_in(r.err, "mkdir -p");
	run_free(&r);
	ck_assert_msg(stat(dir, &sb) != 0, "%s was created", dir);
}
END_TEST

START_TEST(a_missing_file_is_named_and_not_created)
{
	char path[400];

	fx_path(path, sizeof path, "missing.db");
	expect_every_command_refused(path, 4,
		ARGS(path, "inved init", "--db"));
}
END_TEST

START_TEST(a_directory_is_not_a_database)
{
	char path[400];

	fx_path(path, sizeof path, "adir");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	expect_every_command_refused(path, 1,
		ARGS(path, "is a directory", "--db"));
}
END_TEST

/* ---- files that are not an inved database -------------------------------- */

START_TEST(a_file_that_is_not_sqlite_is_refused_untouched)
{
	unsigned char junk[8192];
	char path[400];
	struct run r;
	size_t i;

	for (i = 0; i < sizeof junk; i++)
		junk[i] = (unsigned char)(i * 131 + 7);
	fx_path(path, sizeof path, "junk.db");
	write_file(path, junk, sizeof junk);
	expect_every_command_refused(path, 1,
		ARGS(path, "not a usable inved database", "backup"));
	/* init does not take it over either. */
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init", "--demo"));
	fx_expect_code(&r, 1);
	fx_expect_in(r.err, path);
	run_free(&r);
	expect_every_command_refused(path, 1, ARGS(path));
}
END_TEST

START_TEST(an_sqlite_file_of_another_program_is_refused_untouched)
{
	struct bytes before;
	char path[400];
	struct run r;

	/* A rollback-journal file: opening it in WAL mode would rewrite its
	 * header, so even that must wait until the file is known to be ours. */
	fx_path(path, sizeof path, "other.db");
	raw_sql(path, "CREATE TABLE notes (body TEXT);"
	              "INSERT INTO notes VALUES ('keep me');");
	expect_every_command_refused(path, 1,
		ARGS(path, "not an inved database", "not modified"));
	before = bytes_of(path);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init"));
	fx_expect_code(&r, 1);
	fx_expect_in(r.err, "not an inved database");
	run_free(&r);
	expect_same_bytes(path, &before, "init");
	free(before.data);
}
END_TEST

START_TEST(an_empty_file_asks_for_init_and_stays_empty)
{
	char path[400];
	struct run r;

	fx_path(path, sizeof path, "empty.db");
	write_file(path, "", 0);
	expect_every_command_refused(path, 4,
		ARGS(path, "no inved database yet", "inved init"));
	/* init makes it one. */
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "init", "--demo"));
	fx_expect_code(&r, 0);
	run_free(&r);
	run_exec(&r, fx_bin, NULL, ARGS("--db", path, "--user", "bob", "list"));
	fx_expect_code(&r, 0);
	run_free(&r);
}
END_TEST

START_TEST(a_truncated_file_is_refused_untouched)
{
	unsigned char *data;
	char path[400];
	size_t len;

	data = fx_file_bytes(fx_db, &len);
	ck_assert_ptr_nonnull(data);
	ck_assert_uint_gt(len, 5000);
	fx_path(path, sizeof path, "truncated.db");
	write_file(path, data, 5000);
	free(data);
	expect_every_command_refused(path, 1,
		ARGS(path, "not a usable inved database", "backup"));
}
END_TEST

/* Garbage over the pages of the invoice tables and their indexes (the
 * identity tables stay readable, so every command gets as far as the
 * invoices). */
START_TEST(a_corrupted_file_is_refused_untouched)
{
	unsigned char page[65536];
	sqlite3_stmt *s = NULL;
	sqlite3 *h = NULL;
	long pages[64], page_size = 0;
	size_t n = 0, i;
	char path[400];
	FILE *f;

	fx_path(path, sizeof path, "corrupt.db");
	copy_demo(path);
	ck_assert_int_eq(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &s,
	                                    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	page_size = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	ck_assert_int_eq(sqlite3_prepare_v2(h,
		"SELECT rootpage FROM sqlite_schema WHERE rootpage > 0 AND "
		"(tbl_name IN ('invoices', 'audit', 'totals', 'requests'))",
		-1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW && n < 64)
		pages[n++] = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	ck_assert_uint_ge(n, 4);
	ck_assert(page_size > 0 && page_size <= (long)sizeof page);

	memset(page, 0xa5, sizeof page);
	f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(fseek(f, (pages[i] - 1) * page_size, SEEK_SET), 0);
		ck_assert_uint_eq(fwrite(page, 1, (size_t)page_size, f),
		                  (size_t)page_size);
	}
	ck_assert_int_eq(fclose(f), 0);
	expect_every_command_refused(path, 1,
		ARGS(path, "not a usable inved database", "backup"));
}
END_TEST

START_TEST(a_database_from_a_newer_inved_is_refused_untouched)
{
	char path[400];

	fx_path(path, sizeof path, "newer.db");
	copy_demo(path);
	/* Out of WAL too, so a header rewrite would show. */
	raw_sql(path, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99;");
	expect_every_command_refused(path, 1,
		ARGS(path, "newer inved", "schema 99", "upgrade inved"));
	expect_refusal(path, ARGS("init"), 1, ARGS(path, "newer inved"));
	expect_refusal(path, ARGS("init", "--demo"), 1, ARGS("newer inved"));
}
END_TEST

/* The same on PostgreSQL: a database whose meta says a newer schema is
 * refused by every command, init included, and no row changes. */
START_TEST(a_server_database_from_a_newer_inved_is_refused_untouched)
{
	char *before, *after;
	size_t i;

	fx_sql("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
	before = fx_dump(fx_db);
	for (i = 0; i < sizeof every_command / sizeof every_command[0]; i++)
		expect_refusal(fx_db, every_command[i], 1,
		               ARGS(fx_where(), "newer inved", "schema 99",
		                    "upgrade inved"));
	expect_refusal(fx_db, ARGS("init"), 1, ARGS(fx_where(), "newer inved"));
	expect_refusal(fx_db, ARGS("init", "--demo"), 1, ARGS("newer inved"));
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* ---- a file that cannot be written ----------------------------------------- */

/* Root writes through file modes, so a read-only file is made immutable
 * (which stops root too) when the file system allows it.  Returns true
 * when the file is now read-only for the commands. */
static bool make_immutable(const char *path, bool on)
{
	int fd = open(path, O_RDONLY), flags = 0;
	bool ok = false;

	if (fd < 0)
		return false;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		ok = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
	}
	close(fd);
	return ok;
}

/* The writes, as a user who may read the file but not write it. */
static void expect_writes_refused(const char *path, long as_uid)
{
	static const char *const writes[][10] = {
		{"edit", "ACME-1002", "--version", "1", "--total", "3", NULL},
		{"archive", "ACME-1002", "--version", "1", NULL},
		{"restore", "ACME-1004", "--version", "2", NULL},
		{"delete", "ACME-1002", "--version", "1", NULL},
		{"create", "--customer", "X", "--total", "1", NULL},
		{"drift", "ACME-1002", NULL},
	};
	struct bytes before = bytes_of(path);
	size_t i;

	for (i = 0; i < sizeof writes / sizeof writes[0]; i++) {
		const char *args[24];
		size_t n = 0, k;
		struct run r;

		args[n++] = "--db";
		args[n++] = path;
		args[n++] = "--user";
		args[n++] = "alice";
		for (k = 0; writes[i][k]; k++)
			args[n++] = writes[i][k];
		args[n++] = "--json";
		args[n] = NULL;
		if (as_uid >= 0)
			run_exec_as(&r, (unsigned)as_uid, fx_bin, NULL, args);
		else
			run_exec(&r, fx_bin, NULL, args);
		ck_assert_msg(r.code == 1, "%s on a read-only file: exit %d\n%s%s",
		              writes[i][0], r.code, r.out, r.err);
		fx_expect_in(r.out, "\"error\":\"error\"");
		fx_expect_in(r.out, path);
		fx_expect_in(r.out, "cannot write");
		fx_expect_in(r.out, "permissions");
		run_free(&r);
		expect_same_bytes(path, &before, writes[i][0]);
	}
	free(before.data);
}

START_TEST(a_read_only_file_refuses_writes_by_name_and_keeps_its_bytes)
{
	char path[400];
	struct run r;

	fx_path(path, sizeof path, "readonly.db");
	copy_demo(path);
	if (geteuid() != 0) {
		ck_assert_int_eq(chmod(path, 0444), 0);
		expect_writes_refused(path, -1);
		return;
	}
	if (make_immutable(path, true)) {
		/* Reading stays possible: the directory takes the WAL index. */
		run_exec(&r, fx_bin, NULL,
		         ARGS("--db", path, "--user", "alice", "list"));
		fx_expect_code(&r, 0);
		run_free(&r);
		expect_writes_refused(path, -1);
		ck_assert(make_immutable(path, false));
		return;
	}
	/* No immutable flag here: drop to an unprivileged user, for whom the
	 * file modes hold. */
	ck_assert_int_eq(chmod(fx_dir, 0755), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	run_exec_as(&r, 65534, fx_bin, NULL, ARGS("--version"));
	if (r.code != 0) {
		run_free(&r);
		printf("SKIP read-only file: running as root, the file system "
		       "refuses the immutable flag, and the binary cannot run "
		       "as uid 65534\n");
		return;
	}
	run_free(&r);
	printf("read-only file: checked as uid 65534 (no immutable flag)\n");
	expect_writes_refused(path, 65534);
}
END_TEST

/* ---- a database another process keeps locked ----------------------------- */

static pid_t lock_holder;

/* A separate process takes the write lock (BEGIN IMMEDIATE) and keeps it
 * until release_write_lock() closes its pipe (or the test's death does);
 * returns once the lock is held. */
static int lock_release_fd = -1;
/* PostgreSQL: a connection that holds every invoice's and every org's
 * row lock (as `inved hold-lock` does; a create allocates its number
 * under its org's), the write lock's equivalent there. */
static struct testdb_conn *row_locks;

static void hold_write_lock(void)
{
	int fds[2], hold[2];
	char ok = 0;

	if (testdb_pg()) {
		row_locks = testdb_su_hold(fx_db, "BEGIN; SELECT count(*) FROM "
		                           "(SELECT 1 FROM invoices FOR UPDATE) l; "
		                           "SELECT count(*) FROM "
		                           "(SELECT 1 FROM orgs FOR UPDATE) o");
		return;
	}
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(pipe(hold), 0);
	lock_holder = fork();
	ck_assert_int_ge(lock_holder, 0);
	if (lock_holder == 0) {
		sqlite3 *h = NULL;

		close(fds[0]);
		close(hold[1]);
		if (sqlite3_open(fx_db, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		            SQLITE_OK)
			_exit(1);
		if (write(fds[1], "L", 1) != 1)
			_exit(1);
		/* end of file when the test lets go */
		while (read(hold[0], &ok, 1) > 0)
			;
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		_exit(0);
	}
	close(fds[1]);
	close(hold[0]);
	/* the commands the test runs must not keep the lock alive */
	fcntl(hold[1], F_SETFD, FD_CLOEXEC);
	lock_release_fd = hold[1];
	ck_assert_int_eq(read(fds[0], &ok, 1), 1);
	ck_assert_int_eq(ok, 'L');
	close(fds[0]);
}

static void release_write_lock(void)
{
	int status = 0;

	if (testdb_pg()) {
		testdb_release(row_locks);
		row_locks = NULL;
		return;
	}
	close(lock_release_fd);
	lock_release_fd = -1;
	ck_assert_int_eq(waitpid(lock_holder, &status, 0), lock_holder);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One write against the held lock: busy (6) after the timeout, the JSON
 * error, a message that says so, and nothing written. */
static void expect_busy(const char *const *env, const char *const *cmd,
                        double at_least)
{
	const char *args[24];
	double start, took;
	size_t n = 0, i;
	struct jv *v;
	struct run r;

	for (i = 0; cmd[i]; i++)
		args[n++] = cmd[i];
	args[n] = NULL;
	start = now_seconds();
	r = fx_run(env, "alice", args);
	took = now_seconds() - start;
	ck_assert_msg(r.code == 6, "%s while locked: exit %d\n%s%s", cmd[0],
	              r.code, r.out, r.err);
	/* only the lower bound: the lock is held until the test lets it go,
	 * so the answer came while it was held, however slow the machine */
	ck_assert_msg(took >= at_least,
	              "%s answered busy after %.3f s, before its timeout "
	              "(%.1f s)", cmd[0], took, at_least);
	run_free(&r);

	/* --json after the command's name. */
	n = 0;
	for (i = 0; cmd[i]; i++) {
		args[n++] = cmd[i];
		if (i == 0)
			args[n++] = "--json";
	}
	args[n] = NULL;
	v = fx_json(fx_run(env, "alice", args), 6);
	ck_assert_str_eq(fx_jstr(v, "error"), "busy");
	fx_expect_in(fx_jstr(v, "message"), "locked");
	fx_expect_in(fx_jstr(v, "message"), fx_where());
	fx_expect_in(fx_jstr(v, "message"), "nothing was written");
	jv_free(v);
}

START_TEST(every_write_on_a_locked_database_exits_busy_and_writes_nothing)
{
	static const char *const writes[][10] = {
		{"edit", "ACME-1002", "--version", "1", "--total", "2", NULL},
		{"edit", "ACME-1002", "--version", "1", "--total", "2",
		     "--overwrite", NULL},
		{"archive", "ACME-1002", "--version", "1", NULL},
		{"restore", "ACME-1004", "--version", "2", NULL},
		{"delete", "ACME-1002", "--version", "1", NULL},
		{"create", "--customer", "Locked out", "--total", "1", NULL},
		{"drift", "ACME-1002", NULL},
	};
	char *before = fx_dump(fx_db), *after;
	struct run r;
	size_t i;

	hold_write_lock();
	for (i = 0; i < sizeof writes / sizeof writes[0]; i++)
		expect_busy(ENV("INVED_BUSY_TIMEOUT=300"), writes[i], 0.3);
	/* Readers are not held up by a writer (WAL). */
	r = AS("bob", "show", "ACME-1002");
	fx_expect_code(&r, 0);
	run_free(&r);
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	free(after);
	release_write_lock();

	/* Once the lock is gone the same write goes through. */
	r = AS("alice", "edit", "ACME-1002", "--version", "1", "--total", "2");
	fx_expect_code(&r, 0);
	run_free(&r);
	free(before);
}
END_TEST

START_TEST(the_default_busy_timeout_waits_five_seconds_then_exits_busy)
{
	char *before = fx_dump(fx_db), *after;
	double start, took;
	struct run r;

	hold_write_lock();
	start = now_seconds();
	r = AS("alice", "archive", "ACME-1002", "--version", "1");
	took = now_seconds() - start;
	fx_expect_code(&r, 6);
	fx_expect_in(r.err, "locked");
	fx_expect_in(r.err, "5000 ms");
	run_free(&r);
	ck_assert_msg(took >= 5.0, "busy after %.3f s, before the 5 s default",
	              took);
	after = fx_dump(fx_db);
	ck_assert_str_eq(before, after);
	release_write_lock();
	free(before);
	free(after);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("cli-faults");
	TCase *tc = tcase_create("files");
	TCase *lock = tcase_create("lock");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_missing_directory_is_named_and_not_created);
	tcase_add_test(tc, a_missing_file_is_named_and_not_created);
	tcase_add_test(tc, a_directory_is_not_a_database);
	tcase_add_test(tc, a_file_that_is_not_sqlite_is_refused_untouched);
	tcase_add_test(tc, an_sqlite_file_of_another_program_is_refused_untouched);
	tcase_add_test(tc, an_empty_file_asks_for_init_and_stays_empty);
	tcase_add_test(tc, a_truncated_file_is_refused_untouched);
	tcase_add_test(tc, a_corrupted_file_is_refused_untouched);
	tcase_add_test(tc, a_database_from_a_newer_inved_is_refused_untouched);
	tcase_add_test(tc, a_read_only_file_refuses_writes_by_name_and_keeps_its_bytes);
	/* every case of "files" is about the SQLite file itself (a path,
	 * its bytes, its header, its permissions); on PostgreSQL only the
	 * held lock has an equivalent (row locks held by another
	 * connection) */
	testdb_add_sqlite_only(s, tc);
	testdb_sqlite_only("cli-faults", 10, "the database file's faults: "
	                   "a missing, foreign, empty, truncated, corrupt, "
	                   "newer or read-only file; a newer schema has its "
	                   "own case there");

	if (testdb_pg()) {
		TCase *server = tcase_create("server");

		tcase_add_checked_fixture(server, fx_setup, fx_teardown);
		tcase_set_timeout(server, 120);
		tcase_add_test(server,
		               a_server_database_from_a_newer_inved_is_refused_untouched);
		suite_add_tcase(s, server);
	}

	tcase_add_checked_fixture(lock, fx_setup, fx_teardown);
	tcase_set_timeout(lock, 120);
	tcase_add_test(lock, every_write_on_a_locked_database_exits_busy_and_writes_nothing);
	tcase_add_test(lock, the_default_busy_timeout_waits_five_seconds_then_exits_busy);
	suite_add_tcase(s, lock);
	return s;
}

int main(void)
{
	return fx_main(faults_suite());
}
