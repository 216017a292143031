/*
 * test_presence.c - who has which invoice open: registered without a
 * database write, scoped to the org, gone the moment its holder dies (a
 * SIGKILLed process leaves no ghost), and hostile files in the presence
 * directory are skipped, never trusted (SQLite; on PostgreSQL a
 * registration is a row and a lock of the server's, and the directory
 * does not exist).
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "testdb.h"

static struct fixture fx;

static void setup(void) { fixture_setup(&fx); }
static void teardown(void) { fixture_teardown(&fx); }

static size_t listed(const struct identity *who, int64_t id)
{
	struct presence_entry e[16];
	struct inv_err err;
	size_t n;

	ck_assert_int_eq(store_presence_list(fx.st, who, id, e, 16, &n, &err),
	                 INV_OK);
	return n;
}

START_TEST(an_open_form_is_listed_for_its_org_only_and_writes_nothing)
{
	struct invoice row = fixture_find(&fx, &fx.alice, "ACME-1002");
	long long audits = fixture_count(&fx, "SELECT count(*) FROM audit");
	long long changes = fixture_count(&fx, "SELECT count(*) FROM changes");
	struct presence_entry e[4];
	struct presence *p;
	struct inv_err err;
	size_t n;

	ck_assert_uint_eq(listed(&fx.bob, row.id), 0);
	ck_assert_int_eq(store_presence_enter(fx.st, &fx.alice, row.id,
	                                      "screen", &p, &err), INV_OK);
	ck_assert_int_eq(store_presence_list(fx.st, &fx.bob, row.id, e, 4, &n,
	                                     &err), INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(e[0].user, "alice");
	ck_assert_str_eq(e[0].face, "screen");
	ck_assert_int_eq(e[0].invoice_id, row.id);
	ck_assert_int_eq(e[0].pid, getpid());
	ck_assert_uint_eq(strlen(e[0].since), 20);
	/* every invoice of the org, and nothing for another org */
	ck_assert_uint_eq(listed(&fx.bob, 0), 1);
	ck_assert_uint_eq(listed(&fx.bob, row.id + 1), 0);
	ck_assert_uint_eq(listed(&fx.carol, 0), 0);
	ck_assert_uint_eq(listed(&fx.carol, row.id), 0);
	/* never the audit, never the change feed */
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM changes"),
	                 changes);
	store_presence_leave(p);
	ck_assert_uint_eq(listed(&fx.bob, row.id), 0);
}
END_TEST

START_TEST(a_killed_holder_leaves_no_ghost)
{
	struct invoice row = fixture_find(&fx, &fx.alice, "ACME-1002");
	int ready[2], status;
	char byte;
	pid_t pid;

	ck_assert_int_eq(pipe(ready), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *st;
		struct presence *p;
		struct inv_err err;

		close(ready[0]);
		if (store_open(fx.path,
		               &(struct store_options){STORE_OPEN_EXISTING, 0},
		               &st, &err) ||
		    store_presence_enter(st, &fx.bob, row.id, "screen", &p,
		                         &err))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	ck_assert_int_eq(read(ready[0], &byte, 1), 1);
	close(ready[0]);
	ck_assert_uint_eq(listed(&fx.alice, row.id), 1);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	/* at once: liveness is the lock, which died with its holder (on
	 * PostgreSQL the holder's server process, which ends a moment after
	 * it notices the closed connection: waited for, no time asserted,
	 * the test's timeout bounds it) */
	if (testdb_pg())
		while (listed(&fx.alice, row.id) != 0)
			usleep(20000);
	ck_assert_uint_eq(listed(&fx.alice, row.id), 0);
	/* and the ghost's registration is gone: on PostgreSQL its row is
	 * swept by the next registration in the org */
	if (testdb_pg()) {
		struct presence *p;
		struct inv_err err;

		ck_assert_int_eq(store_presence_enter(fx.st, &fx.alice, row.id,
		                                      "screen", &p, &err),
		                 INV_OK);
		ck_assert_int_eq(testdb_su_count(fx.path, "SELECT count(*) "
		                                          "FROM presence"), 1);
		store_presence_leave(p);
	} else {
		char cmd[400];

		snprintf(cmd, sizeof cmd,
		         "test -z \"$(ls -A '%s.presence')\"", fx.path);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

/* A registration file with body, held as a live screen holds it. */
static int held_file(const char *path, const char *body)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	ssize_t len = (ssize_t)strlen(body);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, body, (size_t)len), len);
	ck_assert_int_eq(flock(fd, LOCK_EX), 0);
	return fd;
}

START_TEST(hostile_files_in_the_presence_directory_are_skipped)
{
	struct invoice row = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct presence *p;
	struct inv_err err;
	char dir[400], path[500];
	int fd, fd2;

	/* make the directory the way a screen does */
	ck_assert_int_eq(store_presence_enter(fx.st, &fx.alice, row.id,
	                                      "screen", &p, &err), INV_OK);
	snprintf(dir, sizeof dir, "%s.presence", fx.path);
	/* a symlink to a file somebody holds open elsewhere */
	snprintf(path, sizeof path, "%s/o%lld-i%lld-p1-link", dir,
	         (long long)fx.alice.org_id, (long long)row.id);
	ck_assert_int_eq(symlink("/etc/passwd", path), 0);
	/* a FIFO (opening it must not block the screen) */
	snprintf(path, sizeof path, "%s/o%lld-i%lld-p2-fifo", dir,
	         (long long)fx.alice.org_id, (long long)row.id);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	/* a held file whose body carries an escape sequence */
	snprintf(path, sizeof path, "%s/o%lld-i%lld-p3-evil", dir,
	         (long long)fx.alice.org_id, (long long)row.id);
	fd = held_file(path, "inved-presence 1\t\x1b[2Jmallory\tscreen\t"
	                     "2026-12-02T10:41:05Z\t3\n");
	/* the control: the same shape with a clean name is listed */
	snprintf(path, sizeof path, "%s/o%lld-i%lld-p4-fine", dir,
	         (long long)fx.alice.org_id, (long long)row.id);
	fd2 = held_file(path, "inved-presence 1\tmallory\tscreen\t"
	                      "2026-12-02T10:41:05Z\t4\n");
	/* alice's own registration and the clean one */
	ck_assert_uint_eq(listed(&fx.bob, row.id), 2);
	close(fd2);
	close(fd);
	store_presence_leave(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("presence");
	TCase *tc = tcase_create("presence");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, an_open_form_is_listed_for_its_org_only_and_writes_nothing);
	tcase_add_test(tc, a_killed_holder_leaves_no_ghost);
	suite_add_tcase(s, tc);
	/* SQLite keeps registrations as files in a directory beside the
	 * database; PostgreSQL as rows, which no one else can plant */
	if (!testdb_pg()) {
		TCase *dir = tcase_create("directory");

		tcase_add_checked_fixture(dir, setup, teardown);
		tcase_set_timeout(dir, 60);
		tcase_add_test(dir,
			hostile_files_in_the_presence_directory_are_skipped);
		suite_add_tcase(s, dir);
	} else {
		testdb_sqlite_only("presence", 1, "the presence directory's "
		                   "hostile files");
	}
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
