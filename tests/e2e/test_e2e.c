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
