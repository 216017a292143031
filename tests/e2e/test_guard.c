/*
 * test_guard.c - a screen left open while someone switches the discipline
 * off with the sqlite3 shell: its next save and its next archive are
 * refused with a message that names `inved check`, and nothing is written.
 * On PostgreSQL the same tampering is the schema owner's psql, and the
 * same refusal follows.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "e2e.h"
#include "testdb.h"

static void raw(const char *sql, const char *pg_sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (testdb_pg()) { /* the schema's owner, as its psql would */
		testdb_owner_exec(e2e.db, pg_sql);
		return;
	}

	ck_assert_int_eq(sqlite3_open(e2e.db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("raw SQL failed: %s", msg);
	sqlite3_close(db);
}

START_TEST(save_on_a_tampered_file_is_refused_naming_inved_check)
{
	struct pty *p = e2e_open("alice", NULL);
	size_t audits = e2e_audit_count();

	/* the screen has been open a while; now the trigger goes */
	raw("DROP TRIGGER invoices_after_update",
	    "DROP TRIGGER invoices_after_update ON invoices");
	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_CTRL_U "Tampered Ltd");
	SEE_FIELD(p, "Customer", "Tampered Ltd");
	SEND(p, PTY_KEY_F2);
	SEE(p, "write refused");
	SEE(p, "inved check");
	/* the form stays with the operator's edits, nothing was saved */
	SEE(p, "Edit ACME-1002");
	SEE_FIELD(p, "Customer", "Tampered Ltd");
	NOT_SHOWN(p, "Invoice saved.");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 1);
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "y");
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

START_TEST(archive_on_a_tampered_file_comes_back_with_the_reason)
{
	struct pty *p = e2e_open("alice", NULL);
	size_t audits = e2e_audit_count();

	raw("CREATE TRIGGER audit_shredder AFTER INSERT ON audit "
	    "BEGIN SELECT 1; END",
	    "CREATE FUNCTION shred() RETURNS trigger LANGUAGE plpgsql AS "
	    "$$BEGIN RETURN NULL; END$$; "
	    "CREATE TRIGGER audit_shredder AFTER INSERT ON audit "
	    "FOR EACH ROW EXECUTE FUNCTION shred()");
	e2e_select(p, "ACME-1003");
	SEND(p, "a");
	SEE(p, "inved check");
	/* optimistic removal undone: the row is back */
	SEE(p, "ACME-1003");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	ck_assert_int_eq(e2e_invoice("ACME-1003").version, 1);
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_guard(void)
{
	TCase *tc = tcase_create("guard");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, save_on_a_tampered_file_is_refused_naming_inved_check);
	tcase_add_test(tc, archive_on_a_tampered_file_comes_back_with_the_reason);
	return tc;
}
