/*
 * test_inspector.c - the inspector's demonstrations (SPEC 4.5) that the
 * seeds' hand checks lean on: `s` walks the demo identities (and is
 * refused outside a demo database), and `l` holds the write lock while a
 * save waits, the form and the strip say so, and keys keep working.
 * (`f`, force drift, is proved by tests/e2e: see tests/ACCEPTANCE.md.)
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>


#include "acc.h"
#include "testdb.h"

START_TEST(s_switches_identity_through_the_demo_memberships)
{
	struct pty *p = e2e_open("alice", NULL);

	acc_inspector_open(p);
	SEE(p, "Identity  alice @ acme · admin  (demo database)");
	SEE(p, "Switch    s → acme:member (bob)");
	SEND(p, "s");
	SEE(p, "Now acting as bob @ acme (member).");
	SEE(p, "Identity  bob @ acme · member");
	SEE(p, "Switch    s → globex:admin (carol)");
	acc_inspector_close(p);
	/* the whole screen acts as bob: no All tab, no delete */
	SEE_ROW(p, 0, "bob @ acme · member");
	SEE_ROW(p, 1, "summary");
	NOT_SHOWN(p, "3 All");
	ck_assert(strstr(e2e_row(p, E2E_ROWS - 1), "delete") == NULL);
	e2e_select(p, "ACME-1002");
	SEND(p, "d");
	SEE(p, "Only an admin can delete invoices.");
	/* as the member, a conflict from a forced drift: the panel, but no
	 * Overwrite anyway */
	acc_inspector_open(p);
	SEND(p, "f");
	SEE(p, "Drift forced: ACME-1002 is v2 elsewhere");
	acc_inspector_close(p);
	SEND(p, "\r");
	SEE(p, "Version 1");
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "1300" PTY_KEY_F2);
	SEE(p, "This invoice changed elsewhere while you were editing.");
	SEE(p, "u Use latest");
	NOT_SHOWN(p, "Overwrite");
	SEND(p, "u");
	SEE(p, "Took the latest values (v2)");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");

	/* on to globex: its own invoices, nothing of acme */
	acc_inspector_open(p);
	SEND(p, "s");
	SEE(p, "Identity  carol @ globex · admin");
	acc_inspector_close(p);
	SEE(p, "GLOBEX-1001");
	LOSE(p, "ACME-");
	SEE_ROW(p, 1, "3 All");
	SEE(p, " 2 active · 1 archived · 1 deleted");
	e2e_quit(p);
}
END_TEST

/* A database of one org, made as an operator would: the logged-in account
 * is its admin, and no --user anywhere.  Opens the screen on it and fills
 * who with the inspector's identity line. */
static struct pty *plain_db_screen(char *who, size_t size)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *const init[] = { "init", "--org", "zorg", NULL };
	const char *const create[] = { "create", "--customer", "Zeta Oy",
		                       "--total", "5.00", NULL };
	char out[1024];
	int rc;

	ck_assert_msg(pw != NULL, "this uid has no passwd entry");
	/* the fixture's demo database is not this test's */
	store_close(e2e.st);
	e2e.st = NULL;
	if (testdb_pg()) {
		/* the acting user is the connection's role: the schema's
		 * owner makes the schema in an empty database, then a login
		 * role of the run's (tests/pg/lib.sh), no superuser and not
		 * the owner, makes its org and is its admin */
		const char *const schema[] = { "init", NULL };
		char *user;

		snprintf(who, size, "Identity  erin @ zorg · admin");
		testdb_drop(e2e.db);
		testdb_empty(e2e.db, sizeof e2e.db);
		rc = acc_cli(NULL, schema, out, sizeof out);
		ck_assert_msg(rc == 0, "init: exit %d: %s", rc, out);
		user = strstr(e2e.db, "&user=");
		ck_assert_ptr_nonnull(user);
		snprintf(user, sizeof e2e.db - (size_t)(user - e2e.db),
		         "&user=erin");
	} else {
		snprintf(who, size, "Identity  %s @ zorg · admin",
		         pw->pw_name);
		snprintf(e2e.db, sizeof e2e.db, "%s/plain.db", e2e.dir);
	}
	rc = acc_cli(NULL, init, out, sizeof out);
	ck_assert_msg(rc == 0, "init: exit %d: %s", rc, out);
	rc = acc_cli(NULL, create, out, sizeof out);
	ck_assert_msg(rc == 0, "create: exit %d: %s", rc, out);
	return e2e_spawn(NULL, NULL, NULL, E2E_ROWS, E2E_COLS);
}

START_TEST(s_is_refused_outside_a_demo_database)
{
	char who[300];
	struct pty *p = plain_db_screen(who, sizeof who);

	SEE(p, "Zeta Oy");
	NOT_SHOWN(p, "demo");
	acc_inspector_open(p);
	SEE(p, who);
	NOT_SHOWN(p, "Switch    s");
	NOT_SHOWN(p, "switch identity");
	SEND(p, "s");
	SEE(p, "Switching identity is for demo databases only.");
	SEE(p, who);
	acc_inspector_close(p);
	e2e_quit(p);
}
END_TEST

/* The demonstrations write what nobody asked for, so outside a demo
 * database they are neither offered nor run. */
START_TEST(f_and_l_are_refused_outside_a_demo_database)
{
	char who[300];
	struct pty *p = plain_db_screen(who, sizeof who);

	SEE(p, "Zeta Oy");
	acc_inspector_open(p);
	SEE(p, who);
	NOT_SHOWN(p, "force drift");
	NOT_SHOWN(p, "hold lock");
	SEND(p, "f");
	SEE(p, "Forcing version drift is for demo databases only.");
	SEND(p, "l");
	SEE(p, "Holding the write lock is for demo databases only.");
	acc_inspector_close(p);
	e2e_quit(p);
	/* nothing was written: every invoice at version 1, no drift */
	ck_assert_int_eq(e2e_count("SELECT max(version) FROM invoices",
	                           "SELECT max(version) FROM invoices", 0,
	                           NULL), 1);
	ck_assert_int_eq(e2e_count("SELECT count(*) FROM audit WHERE "
	                           "action = 'invoice.drift'",
	                           "SELECT count(*) FROM audit WHERE "
	                           "action = 'invoice.drift'", 0, NULL), 0);
}
END_TEST

START_TEST(l_holds_the_lock_while_a_save_waits_and_keys_keep_working)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	acc_inspector_open(p);
	SEND(p, "l");
	SEE(p, "Holding the write lock for 5 seconds.");
	ck_assert(e2e_wait(p, e2e_lock_held, NULL, E2E_WAIT_MS));
	acc_inspector_close(p);

	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_CTRL_U "Gesperrt GmbH");
	SEE_FIELD(p, "Customer", "Gesperrt GmbH");
	SEND(p, PTY_KEY_F2);
	/* the form and the strip both say why nothing has happened yet */
	SEE(p, "Waiting for the database lock…");
	SEE_ROW(p, 1, "waiting for the database lock…");
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "Initech GmbH");
	/* keys still work: the focus moves while the save waits */
	SEND(p, PTY_KEY_TAB);
	SEE(p, "> Status");
	SEND(p, PTY_KEY_TAB);
	SEE(p, "> Total");
	/* the lock goes, the save lands */
	SEE(p, "Invoice saved.");
	LOSE(p, "Edit ACME-1002");
	ROW_HAS(p, "ACME-1002", "Gesperrt GmbH");
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "Gesperrt GmbH");
	e2e_quit(p);
}
END_TEST

/* The audit tail's columns line up for every action, the longest
 * (invoice.overwrite) too: each row's number and versions start in the
 * same column as every other row's. */
START_TEST(audit_tail_columns_align_for_every_action)
{
	const char *args[] = { "edit", "ACME-1002", "--version", "7",
	                       "--customer", "Initech AG", "--overwrite",
	                       NULL };
	char out[4096];
	struct pty *p;
	int top, bottom, rows = 0;
	long num_col = -1, ver_col = -1;

	ck_assert_msg(acc_cli("alice", args, out, sizeof out) == 0, "%s", out);
	p = e2e_open("alice", NULL);
	acc_inspector_open(p);
	SEE(p, "invoice.overwrite");
	top = e2e_row_of(p, "── Audit tail");
	bottom = e2e_row_of(p, "── Invalidation log");
	for (int r = top + 1; r < bottom; r++) {
		const char *row = e2e_row(p, r);
		const char *num = strstr(row, "ACME-");
		const char *ver = strstr(row, " v");

		ck_assert_msg(num && ver, "row %d: %s", r, row);
		if (num_col < 0) {
			num_col = num - row;
			ver_col = ver - row;
		}
		ck_assert_msg(num - row == num_col && ver - row == ver_col,
		              "row %d out of line: %s", r, row);
		rows++;
	}
	ck_assert_int_ge(rows, 2);
	ck_assert_int_eq(acc_rows_holding(p, "invoice.overwrite"), 1);
	acc_inspector_close(p);
	e2e_quit(p);
}
END_TEST

TCase *acc_tcase_inspector(void)
{
	TCase *tc = tcase_create("inspector");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, s_switches_identity_through_the_demo_memberships);
	tcase_add_test(tc, s_is_refused_outside_a_demo_database);
	tcase_add_test(tc, f_and_l_are_refused_outside_a_demo_database);
	tcase_add_test(tc, l_holds_the_lock_while_a_save_waits_and_keys_keep_working);
	tcase_add_test(tc, audit_tail_columns_align_for_every_action);
	return tc;
}
