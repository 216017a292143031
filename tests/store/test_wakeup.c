/*
 * test_wakeup.c - the store's wake-up descriptor (store.h): it becomes
 * readable when another process commits, and no change is missed when the
 * watch is unavailable (INVED_NO_INOTIFY), when its queue overflows
 * (INVED_TEST_INOTIFY_OVERFLOW, every batch of events lost as a full queue
 * loses them), when the -wal file is replaced, or when a foreign writer
 * truncates the -wal with a checkpoint.
 *
 * On PostgreSQL the descriptor is the socket of a connection that LISTENs
 * (the schema NOTIFYs on commit): the same promise, a commit of another
 * process or of a foreign writer wakes it, and a lost listening
 * connection is reported as a change and listened again.  What is about
 * SQLite's files (inotify switched off or overflowed, the -wal replaced
 * or truncated, a symbolic link) runs on SQLite only.
 *
 * Waits are for the descriptor to become readable, with generous
 * deadlines; nothing is timed.
 */
#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feed.h"
#include "fixture.h"
#include "testdb.h"

#define WAIT_MS 10000

static struct fixture fx;

static void setup(void)
{
	unsetenv("INVED_NO_INOTIFY");
	unsetenv("INVED_TEST_INOTIFY_OVERFLOW");
	fixture_setup(&fx);
}

static void teardown(void)
{
	fixture_teardown(&fx);
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* Consume what is pending, so the next readiness is news. */
static void drain(struct store *st)
{
	struct inv_err err;
	bool changed;
	int next;

	ck_assert_int_eq(store_wakeup_check(st, &changed, &next, &err), INV_OK);
}

/* Check as a face would: on readiness or when asked to, until a change
 * is reported or the deadline passes. */
static bool wait_changed(struct store *st)
{
	struct inv_err err;
	bool changed = false;
	int next = -1;

	for (int waited = 0; waited < WAIT_MS;) {
		int t = next < 0 || next > 500 ? 500 : next;

		if (readable(store_wakeup_fd(st), t) || next >= 0) {
			ck_assert_int_eq(store_wakeup_check(st, &changed, &next,
			                                    &err), INV_OK);
			if (changed)
				return true;
		}
		waited += t;
	}
	return false;
}

static void peer_edit(const char *number, const char *customer)
{
	struct store *peer = NULL;
	struct invoice inv = fixture_find(&fx, &fx.bob, number);
	struct invoice_input in = {.customer = customer};
	struct write_result res;
	struct inv_err err;

	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &peer,
	                            &err), INV_OK);
	ck_assert_int_eq(store_edit(peer, &fx.bob, inv.id, inv.version, &in, 0,
	                            &res, &err), INV_OK);
	store_close(peer);
}

/* The feed of acme holds an edit of number after position after. */
static bool feed_has(int64_t after, const char *number)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, number);
	struct change ch[16];
	struct inv_err err;
	size_t n;

	ck_assert_int_eq(store_changes_since(fx.st, &fx.bob, after, ch, 16, &n,
	                                     &err), INV_OK);
	for (size_t i = 0; i < n; i++)
		if (ch[i].invoice_id == inv.id)
			return true;
	return false;
}

START_TEST(wakeup_fd_becomes_readable_after_a_commit_from_another_process)
{
	struct invoice before = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct inv_err err;
	int fd = store_wakeup_fd(fx.st), status;
	int64_t head;
	bool changed;
	int next;
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(store_changes_head(fx.st, &head, &err), INV_OK);
	drain(fx.st);
	/* idle: nothing to read, and nothing reported */
	ck_assert(!readable(fd, 0));
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(!changed);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct store *st = NULL;
		struct identity bob;
		struct invoice_input in = {.customer = "Woken Ltd"};
		struct write_result res;

		if (store_open(fx.path,
		               &(struct store_options){STORE_OPEN_EXISTING, 0},
		               &st, &err) ||
		    store_identity(st, "bob", NULL, &bob, &err) ||
		    store_edit(st, &bob, before.id, before.version, &in, 0, &res,
		               &err))
			_exit(1);
		store_close(st);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_msg(readable(fd, WAIT_MS),
	              "the wake-up descriptor stayed quiet after a commit");
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(changed);
	/* an event is checked again later: a commit whose frames were just
	 * written may become visible only after its fsync (SQLite; a NOTIFY
	 * arrives only after its commit, so there is nothing to confirm) */
	if (!testdb_pg())
		ck_assert_int_ge(next, 0);
	ck_assert(feed_has(head, "ACME-1002"));
	ck_assert(!store_wakeup_polling(fx.st, (char[160]){0}, 160));
}
END_TEST

START_TEST(no_change_is_missed_without_inotify)
{
	struct inv_err err;
	char why[160];
	bool changed;
	int next;
	int64_t head;

	setenv("INVED_NO_INOTIFY", "1", 1);
	ck_assert_int_eq(store_wakeup_fd(fx.st), -1);
	ck_assert(store_wakeup_polling(fx.st, why, sizeof why));
	ck_assert_ptr_nonnull(strstr(why, "INVED_NO_INOTIFY"));
	ck_assert_int_eq(store_changes_head(fx.st, &head, &err), INV_OK);
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(!changed);
	/* no descriptor: the face is told to come back, never to sleep */
	ck_assert_int_eq(next, STORE_WAKEUP_POLL_MS);
	peer_edit("ACME-1002", "Polled Ltd");
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(changed);
	ck_assert(feed_has(head, "ACME-1002"));
}
END_TEST

/* Move the -wal file away under the watch (the connection keeps it),
 * make a new one, write to it: each step must wake, the write through a
 * watch that followed the new file.  The old file is put back
 * before the store closes. */
static void replaced_wal_is_watched_again(void)
{
	char wal[320], old[330];
	struct inv_err err;
	bool changed;
	int fd = store_wakeup_fd(fx.st), next, f;

	ck_assert_int_ge(fd, 0);
	snprintf(wal, sizeof wal, "%s-wal", fx.path);
	snprintf(old, sizeof old, "%s-wal.old", fx.path);
	drain(fx.st);
	/* gone: the watch has no file to follow until one is made */
	ck_assert_int_eq(rename(wal, old), 0);
	ck_assert(readable(fd, WAIT_MS));
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(changed);
	/* made again: seen through the directory, and a change to read for */
	f = open(wal, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	ck_assert_int_ge(f, 0);
	ck_assert_int_eq(close(f), 0);
	ck_assert(readable(fd, WAIT_MS));
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(changed);
	f = open(wal, O_WRONLY | O_APPEND);
	ck_assert_int_ge(f, 0);
	ck_assert_int_eq(write(f, "x", 1), 1);
	ck_assert_int_eq(close(f), 0);
	ck_assert_msg(readable(fd, WAIT_MS),
	              "a write to the new -wal file did not wake");
	drain(fx.st);
	ck_assert_int_eq(unlink(wal), 0);
	ck_assert_int_eq(rename(old, wal), 0);
}

/* A commit may write its frames to the -wal just before the watch is
 * armed (no event comes for them) and become visible only after the
 * baseline is read: the first check after the watch is made asks to be
 * called again, as after an event, so that commit is seen once visible
 * rather than with the next one.  (`inved watch` started beside a writer
 * met exactly this and printed nothing.) */
START_TEST(a_new_wakeup_is_checked_again_for_a_commit_in_flight)
{
	struct inv_err err;
	bool changed;
	int next = -1;

	ck_assert_int_ge(store_wakeup_fd(fx.st), 0);
	ck_assert_int_eq(store_wakeup_check(fx.st, &changed, &next, &err),
	                 INV_OK);
	ck_assert(!changed);
	/* (SQLite.  PostgreSQL has no such window: a commit before the
	 * LISTEN is visible to the baseline read after it, one after it is
	 * notified.) */
	if (!testdb_pg())
		ck_assert_int_ge(next, 0);
	/* and what it waits for is seen when it comes */
	peer_edit("ACME-1002", "In Flight Ltd");
	ck_assert(wait_changed(fx.st));
}
END_TEST

START_TEST(a_replaced_wal_file_is_watched_again)
{
	replaced_wal_is_watched_again();
}
END_TEST

START_TEST(an_overflowed_watch_is_rearmed_and_reports_a_change)
{
	setenv("INVED_TEST_INOTIFY_OVERFLOW", "1", 1);
	replaced_wal_is_watched_again();
}
END_TEST

START_TEST(a_commit_after_a_truncating_checkpoint_wakes)
{
	sqlite3 *raw = fixture_raw(&fx);
	struct inv_err err;
	struct stat sb;
	char wal[320];
	int64_t head;

	snprintf(wal, sizeof wal, "%s-wal", fx.path);

	ck_assert_int_ge(store_wakeup_fd(fx.st), 0);
	ck_assert_int_eq(store_changes_head(fx.st, &head, &err), INV_OK);
	drain(fx.st);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA wal_checkpoint(TRUNCATE)",
	                              NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(stat(wal, &sb), 0);
	ck_assert_int_eq(sb.st_size, 0);
	drain(fx.st);
	/* a foreign writer's plain UPDATE, through the triggers */
	ck_assert_int_eq(sqlite3_exec(raw, "UPDATE invoices SET customer = "
	                                   "'Truncated Ltd' WHERE number = "
	                                   "'ACME-1003' AND deleted_at IS NULL",
	                              NULL, NULL, NULL), SQLITE_OK);
	ck_assert_msg(wait_changed(fx.st),
	              "a commit after a TRUNCATE checkpoint was not seen");
	ck_assert(feed_has(head, "ACME-1003"));
	sqlite3_close(raw);
}
END_TEST

/* A writer that is not inved (the sqlite3 shell, psql) wakes the
 * descriptor too: the schema's triggers write its change (and on
 * PostgreSQL NOTIFY it). */
START_TEST(a_foreign_writers_commit_wakes)
{
	struct inv_err err;
	int64_t head;

	ck_assert_int_ge(store_wakeup_fd(fx.st), 0);
	ck_assert_int_eq(store_changes_head(fx.st, &head, &err), INV_OK);
	drain(fx.st);
	fixture_exec(&fx, "UPDATE invoices SET customer = 'Foreign Ltd' "
	                  "WHERE number = 'ACME-1003' AND deleted_at IS NULL",
	             NULL);
	ck_assert_msg(wait_changed(fx.st),
	              "a foreign writer's commit was not seen");
	ck_assert(feed_has(head, "ACME-1003"));
}
END_TEST

/* A connection whose session moves to another org after its wake-up was
 * made (a demo database's org switcher) is woken by that org's commits
 * too (PostgreSQL: it listens on the new org's channel at once). */
START_TEST(a_session_moved_to_another_org_is_woken_for_it)
{
	struct store *st = NULL;
	struct identity carol, bob;
	struct inv_err err;
	int64_t head;
	int fd;

	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err), INV_OK);
	ck_assert_int_eq(store_identity(st, "carol", NULL, &carol, &err),
	                 INV_OK);
	fd = store_wakeup_fd(st);
	ck_assert_int_ge(fd, 0);
	drain(st);
	ck_assert_int_eq(store_identity(st, "bob", NULL, &bob, &err), INV_OK);
	ck_assert_int_ne(bob.org_id, carol.org_id);
	ck_assert_int_eq(store_changes_head(st, &head, &err), INV_OK);
	peer_edit("ACME-1002", "Switched Ltd");
	ck_assert_msg(readable(fd, WAIT_MS),
	              "a commit of the org switched to did not wake");
	ck_assert(wait_changed(st));
	store_close(st);
	ck_assert(feed_has(head, "ACME-1002"));
}
END_TEST

/* PostgreSQL: the listening connection dropped (the server restarted, a
 * network cut, an administrator's pg_terminate_backend) wakes the caller,
 * is reported as a change (notifications are not kept for a listener that
 * was away: the feed is read from the last position), and is made again,
 * so a later commit wakes as before. */
START_TEST(a_lost_listener_is_reported_and_listened_again)
{
	struct inv_err err;
	int fd = store_wakeup_fd(fx.st);
	int64_t head;

	ck_assert_int_ge(fd, 0);
	drain(fx.st);
	ck_assert_int_eq(testdb_su_count(fx.path, "SELECT count(*) FROM "
		"(SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		"WHERE datname = current_database() AND query LIKE 'LISTEN%') "
		"AS gone"), 1);
	ck_assert_msg(readable(fd, WAIT_MS),
	              "a dropped listener did not wake the caller");
	/* (the server's farewell and the end of the connection may come in
	 * two reads: checked as a face checks, while it is readable) */
	ck_assert_msg(wait_changed(fx.st),
	              "a dropped listener was not reported as a change");
	ck_assert_int_eq(store_changes_head(fx.st, &head, &err), INV_OK);
	drain(fx.st);
	peer_edit("ACME-1002", "After The Cut Ltd");
	ck_assert_msg(wait_changed(fx.st),
	              "a commit after the listener came back was not seen");
	ck_assert(feed_has(head, "ACME-1002"));
}
END_TEST

START_TEST(a_database_reached_through_a_symbolic_link_wakes)
{
	char link[320], sub[300];
	struct store *st = NULL;
	struct inv_err err;
	int fd;

	/* the link lives elsewhere: the -wal is beside the file it names */
	snprintf(sub, sizeof sub, "%s/links", fx.dir);
	snprintf(link, sizeof link, "%s/invoices.db", sub);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(symlink(fx.path, link), 0);
	ck_assert_int_eq(store_open(link,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	fd = store_wakeup_fd(st);
	ck_assert_int_ge(fd, 0);
	drain(st);
	peer_edit("ACME-1002", "Linked Ltd");
	ck_assert_msg(readable(fd, WAIT_MS),
	              "a commit did not wake a store opened through a link");
	ck_assert(wait_changed(st));
	store_close(st);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(rmdir(sub), 0);
}
END_TEST

static Suite *wakeup_suite(void)
{
	Suite *s = suite_create("wakeup");
	TCase *tc = tcase_create("wakeup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
		wakeup_fd_becomes_readable_after_a_commit_from_another_process);
	tcase_add_test(tc, a_new_wakeup_is_checked_again_for_a_commit_in_flight);
	tcase_add_test(tc, a_foreign_writers_commit_wakes);
	tcase_add_test(tc, a_session_moved_to_another_org_is_woken_for_it);
	suite_add_tcase(s, tc);
	if (testdb_pg()) {
		TCase *listen = tcase_create("listen");

		tcase_add_checked_fixture(listen, setup, teardown);
		tcase_add_test(listen,
			a_lost_listener_is_reported_and_listened_again);
		suite_add_tcase(s, listen);
		testdb_sqlite_only("wakeup", 5, "inotify on the database's "
		                   "files: switched off, overflowed, the -wal "
		                   "replaced or truncated, a symbolic link");
	} else {
		TCase *file = tcase_create("file");

		tcase_add_checked_fixture(file, setup, teardown);
		tcase_add_test(file, no_change_is_missed_without_inotify);
		tcase_add_test(file, a_replaced_wal_file_is_watched_again);
		tcase_add_test(file,
			an_overflowed_watch_is_rearmed_and_reports_a_change);
		tcase_add_test(file, a_commit_after_a_truncating_checkpoint_wakes);
		tcase_add_test(file,
			a_database_reached_through_a_symbolic_link_wakes);
		suite_add_tcase(s, file);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(wakeup_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
