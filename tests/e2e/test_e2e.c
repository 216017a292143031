/*
 * test_e2e.c - runs the end-to-end tests of the terminal interface: each
 * test in a process of its own, against a fresh demo database, with the
 * inved named by $INVED_BIN; on SQLite, or with INVED_TEST_BACKEND=pg on
 * PostgreSQL (testdb.h).
 */
#include <stdlib.h>

#include "e2e.h"
#include "testdb.h"

static Suite *e2e_suite(void)
{
	Suite *s = suite_create("e2e");

	suite_add_tcase(s, e2e_tcase_conflict());
	suite_add_tcase(s, e2e_tcase_table());
	suite_add_tcase(s, e2e_tcase_form());
	suite_add_tcase(s, e2e_tcase_screen());
	suite_add_tcase(s, e2e_tcase_signals());
	suite_add_tcase(s, e2e_tcase_badinput());
	suite_add_tcase(s, e2e_tcase_revert());
	suite_add_tcase(s, e2e_tcase_needs_revert());
	suite_add_tcase(s, e2e_tcase_presence());
	suite_add_tcase(s, e2e_tcase_planted());
	/* KNOWN DIFFERENCE: the PostgreSQL backend has no write guard yet
	 * (SQLite's sq_guard / sq_guard_row: the schema as made and the
	 * history's tip checked before every write).  With the schema's
	 * owner's DROP TRIGGER invoices_after_update, a save from the screen
	 * lands there at version 2 with no audit row, where SQLite refuses it
	 * naming `inved check`.  The tests hold the PostgreSQL tampering
	 * already (test_guard.c); add the case when the backend guards. */
	if (!testdb_pg())
		suite_add_tcase(s, e2e_tcase_guard());
	suite_add_tcase(s, e2e_tcase_wakeup());
	suite_add_tcase(s, e2e_tcase_panel());
	suite_add_tcase(s, e2e_tcase_polish());
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(e2e_suite());
	int failed;

	testdb_sqlite_only("e2e guard", 2,
	                   "KNOWN DIFFERENCE: no write guard on the "
	                   "PostgreSQL backend yet");
	testdb_sqlite_only("e2e wakeup", 1,
	                   "a checkpoint truncating the -wal file; on "
	                   "PostgreSQL a psql write is seen instead");

	/* a stuck terminal or a failed wait must not touch the next test */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
