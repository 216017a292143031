/*
 * test_wakeup.c - a peer's write reaches the open table however the screen
 * is woken: with no file watch at all (INVED_NO_INOTIFY, the screen polls
 * and its inspector says so), with a watch whose every batch of events is
 * lost as an overflowing queue loses them (INVED_TEST_INOTIFY_OVERFLOW),
 * and after a foreign writer truncated the -wal file with a checkpoint
 * (on PostgreSQL, where NOTIFY wakes the screen: a foreign writer's psql).
 */
#include <sqlite3.h>
#include <string.h>

#include "e2e.h"
#include "testdb.h"

START_TEST(peer_write_shows_without_a_file_watch_and_the_inspector_says_so)
{
	const char *const env[] = { "INVED_NO_INOTIFY=1", NULL };
	struct pty *p = e2e_spawn("alice", NULL, env, E2E_ROWS, E2E_COLS);

	SEE(p, "Initech GmbH");
	e2e_peer_set_customer("ACME-1002", "Polled Co");
	SEE(p, "Polled Co");
	e2e_peer_set_customer("ACME-1003", "Polled Again");
	SEE(p, "Polled Again");
	SEND(p, "i");
	SEE(p, "Invalidation log");
	if (testdb_pg()) {
		/* a file watch has no part on PostgreSQL: the screen is
		 * woken by the server's NOTIFY, and does not say it polls */
		SEE(p, "Identity  alice @ acme");
		NOT_SHOWN(p, "polling every");
	} else {
		SEE(p, "polling every 250 ms");
		SEE(p, "INVED_NO_INOTIFY");
	}
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Invalidation log");
	e2e_quit(p);
}
END_TEST

START_TEST(peer_writes_show_when_the_watch_loses_its_events)
{
	const char *const env[] = { "INVED_TEST_INOTIFY_OVERFLOW=1", NULL };
	struct pty *p = e2e_spawn("alice", NULL, env, E2E_ROWS, E2E_COLS);

	SEE(p, "Initech GmbH");
	e2e_peer_set_customer("ACME-1002", "Overflow Co");
	SEE(p, "Overflow Co");
	e2e_peer_set_customer("ACME-1002", "Overflow Twice");
	SEE(p, "Overflow Twice");
	/* a watch, however lossy, is no reason to say the screen polls */
	SEND(p, "i");
	SEE(p, "Invalidation log");
	NOT_SHOWN(p, "polling every");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Invalidation log");
	e2e_quit(p);
}
END_TEST

START_TEST(foreign_write_after_a_truncating_checkpoint_shows)
{
	struct pty *p = e2e_open("alice", NULL);
	sqlite3 *db = NULL;

	SEE(p, "Initech GmbH");
	ck_assert_int_eq(sqlite3_open(e2e.db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)",
	                              NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "UPDATE invoices SET customer = "
	                                  "'Truncated Co' WHERE number = "
	                                  "'ACME-1002' AND deleted_at IS NULL",
	                              NULL, NULL, NULL), SQLITE_OK);
	SEE(p, "Truncated Co");
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE); "
	                                  "UPDATE invoices SET customer = "
	                                  "'Truncated Twice' WHERE number = "
	                                  "'ACME-1002' AND deleted_at IS NULL",
	                              NULL, NULL, NULL), SQLITE_OK);
	SEE(p, "Truncated Twice");
	sqlite3_close(db);
	e2e_quit(p);
}
END_TEST

/* PostgreSQL: a foreign writer's psql (the schema's owner, bound by its
 * triggers) reaches the open table, twice: the triggers version it, audit
 * it as `external` and feed it, and their NOTIFY wakes the screen. */
START_TEST(foreign_write_through_psql_shows)
{
	struct pty *p = e2e_open("alice", NULL);

	SEE(p, "Initech GmbH");
	testdb_owner_exec(e2e.db, "UPDATE invoices SET customer = 'Psql Co' "
	                          "WHERE number = 'ACME-1002' AND "
	                          "deleted_at IS NULL");
	SEE(p, "Psql Co");
	testdb_owner_exec(e2e.db, "UPDATE invoices SET customer = 'Psql Twice' "
	                          "WHERE number = 'ACME-1002' AND "
	                          "deleted_at IS NULL");
	SEE(p, "Psql Twice");
	ROW_ENDS(p, "Psql Twice", " 3");
	ck_assert_str_eq(e2e_audit_newest(e2e_invoice("ACME-1002").id).actor,
	                 "external");
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_wakeup(void)
{
	TCase *tc = tcase_create("wakeup");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc,
		peer_write_shows_without_a_file_watch_and_the_inspector_says_so);
	tcase_add_test(tc, peer_writes_show_when_the_watch_loses_its_events);
	if (testdb_pg())
		tcase_add_test(tc, foreign_write_through_psql_shows);
	else /* the -wal file is SQLite's */
		tcase_add_test(tc,
		               foreign_write_after_a_truncating_checkpoint_shows);
	return tc;
}
