/*
 * test_golden_de.c - the main screens at 80x24 in German, compared cell
 * for cell with golden/de_*.txt like the English ones (test_golden.c):
 * the table with German amounts ("1.200,00 EUR"), an edit form holding
 * the total in the German decimal mark ("1200,00"), and a confirmation
 * asking with the German answer keys ("(j/n)").
 *
 * The screen runs under de_DE.UTF-8 with the catalogues the build
 * compiled ($INVED_LOCALEDIR). main() leaves this case out, saying why,
 * where that locale is not installed or the build has no translations.
 */
#include <stdio.h>
#include <stdlib.h>

#include "acc.h"

static struct pty *open_german(const char *user)
{
	static char localedir[1100];
	const char *env[] = { "LC_ALL=de_DE.UTF-8", "LANG=de_DE.UTF-8",
	                      "LANGUAGE", localedir, NULL };
	struct pty *p;

	snprintf(localedir, sizeof localedir, "INVED_LOCALEDIR=%s",
	         getenv("INVED_LOCALEDIR") ? getenv("INVED_LOCALEDIR") : "");
	p = e2e_spawn(user, NULL, env, E2E_ROWS, E2E_COLS);
	SEE(p, "ACME-1001");
	SEE_ROW(p, E2E_ROWS - 1, "q Ende");
	return p;
}

START_TEST(golden_de_table)
{
	struct pty *p = open_german("alice");

	SEE(p, "1.200,00 EUR");
	SEE(p, "250.000,00 USD");
	GOLDEN(p, "de_table");
	e2e_quit(p);
}
END_TEST

START_TEST(golden_de_edit_form)
{
	struct pty *p = open_german("alice");

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "ACME-1002 bearbeiten");
	SEE(p, "1200,00");
	GOLDEN(p, "de_edit_form");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "ACME-1002 bearbeiten");
	e2e_quit(p);
}
END_TEST

START_TEST(golden_de_confirm)
{
	struct pty *p = open_german("alice");

	e2e_select(p, "ACME-1002");
	SEND(p, "d");
	SEE(p, "ACME-1002");
	SEE(p, "(j/n)");
	GOLDEN(p, "de_confirm");
	SEND(p, "n");
	LOSE(p, "(j/n)");
	e2e_quit(p);
}
END_TEST

TCase *acc_tcase_golden_de(void)
{
	TCase *tc = tcase_create("golden_de");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, golden_de_table);
	tcase_add_test(tc, golden_de_edit_form);
	tcase_add_test(tc, golden_de_confirm);
	return tc;
}
