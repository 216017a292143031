/*
 * test_acceptance.c - runs the acceptance tests: the behaviours the seed
 * documents list, proved end to end through a pseudo-terminal against the
 * built inved ($INVED_BIN), each test in a process of its own on a fresh
 * demo database. tests/ACCEPTANCE.md maps every seed item to its test.
 * With INVED_TEST_BACKEND=pg every test runs on PostgreSQL instead
 * (testdb.h, registered as acceptance-pg), the same golden files compared.
 */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "acc.h"

/* The German screens need the de_DE.UTF-8 locale and compiled
 * catalogues; without them they are left out, and the log says so. */
static bool german_available(void)
{
	const char *dir = getenv("INVED_LOCALEDIR");
	bool ok;

	if (!dir || !dir[0]) {
		printf("note: no translations in this build (INVED_LOCALEDIR "
		       "unset): the German golden screens are not checked\n");
		return false;
	}
	ok = setlocale(LC_ALL, "de_DE.UTF-8") != NULL;
	setlocale(LC_ALL, "");
	if (!ok)
		printf("note: the de_DE.UTF-8 locale is not installed: the "
		       "German golden screens are not checked\n");
	return ok;
}

static Suite *acc_suite(void)
{
	Suite *s = suite_create("acceptance");

	suite_add_tcase(s, acc_tcase_conflict());
	suite_add_tcase(s, acc_tcase_lifecycle());
	suite_add_tcase(s, acc_tcase_freshness());
	suite_add_tcase(s, acc_tcase_drafts());
	suite_add_tcase(s, acc_tcase_inspector());
	suite_add_tcase(s, acc_tcase_golden());
	if (german_available())
		suite_add_tcase(s, acc_tcase_golden_de());
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* golden files are UTF-8: widths are measured in the C.UTF-8 the
	 * test environment sets */
	setlocale(LC_ALL, "");
	sr = srunner_create(acc_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
