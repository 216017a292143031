/*
 * test_screen.c - the screen as a whole (SPEC 4, 4.6): the first screen at
 * 80x24 cell for cell, sizes down to 20x6, the start-up state from the
 * command line, NO_COLOR, and leaving with q.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

/* '~' stands for any cell: the freshness ages tick while we look. */
static const char first_screen[] =
	" inved  alice @ acme · admin                                              demo\n"
	"  1 Active   2 Archived   3 All~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
	" Number      Customer                           Status           Total  Version\n"
	" ACME-1001   Müller & Söhne — Zürich            Sent         12.50 EUR        1\n"
	" ACME-1002   Initech GmbH                       Sent      1,200.00 EUR        1\n"
	" ACME-1003   Ærøskøbing Færge ApS               Paid     18,450.50 DKK        1\n"
	" ACME-1005   株式会社 作者出版                  Sent       150,000 JPY        1\n"
	" ACME-1006   Bahrain Pearl Trading W.L.L.       Draft      812.125 BHD        1\n"
	" ACME-1007   Café Olé & Co.                     Void         89.90 EUR        1\n"
	" ACME-1008   Stark Industries                   Sent    250,000.00 USD        1\n"
	" ACME-1010   Łódź Textiles Sp. z o.o.           Draft     7,300.00 PLN        1\n"
	" ACME-1013   Soylent Green Foods                Draft     2,100.00 CHF        1\n"
	" ACME-1014   Hooli                              Sent        999.00 USD        1\n"
	"\n\n\n\n\n\n\n\n\n"
	" 10 active · 2 archived · 3 deleted  | 812.125 BHD · 2,100.00 CHF         t 1/4\n"
	" Enter edit  n new  d delete  i inspect  / filter  h history  ? help  q quit";

static bool screen_is_first(struct pty *pty, void *arg)
{
	(void)arg;
	return pty_screen_matches(pty, first_screen, "~", NULL);
}

START_TEST(first_screen_shows_identity_tabs_table_summary_and_hints)
{
	struct pty *p = e2e_open("alice", NULL);
	char *diff = NULL;

	if (!e2e_wait(p, screen_is_first, NULL, E2E_WAIT_MS)) {
		pty_screen_matches(p, first_screen, "~", &diff);
		pty_dump(p, stderr);
		ck_abort_msg("the first screen differs:\n%s", diff ? diff : "");
	}
	/* the first invoice starts selected; the current tab stands out */
	e2e_wait_selected(p, E2E_FIRST_ROW);
	ck_assert(pty_cell_reverse(p, 1, 2));
	ck_assert(!pty_cell_reverse(p, 1, 13));
	e2e_quit(p);
}
END_TEST

START_TEST(too_small_terminal_shows_notice_and_recovers_with_form_intact)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, " (neu)");
	SEE(p, "Initech GmbH (neu)");

	pty_resize(p, 6, 20);
	SEE(p, "Terminal too small");
	SEE(p, "20x6, needs 40x12");
	LOSE(p, "Edit ACME-1002");
	/* keys meanwhile neither crash nor reach the hidden form */
	SEND(p, "xyz");
	SEE(p, "Terminal too small");

	pty_resize(p, E2E_ROWS, E2E_COLS);
	SEE_ROW(p, E2E_ROWS - 1, "quit");
	SEE(p, "Edit ACME-1002");
	SEE(p, "Initech GmbH (neu)");
	SEE(p, "Esc close");
	LOSE(p, "Terminal too small");
	NOT_SHOWN(p, "(neu)xyz");
	ck_assert(!pty_exited(p, NULL));

	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "y");
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

START_TEST(every_size_down_to_20x6_draws_without_crashing)
{
	struct pty *p = e2e_open("alice", NULL);
	char text[64];

	/* with a form open, the largest thing drawn over the table */
	e2e_select(p, "ACME-1005");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1005");
	/* the row count changes at every step, so each wait below needs a
	 * frame drawn at the new size */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i <= 18; i++) {
			int rows = pass == 0 ? E2E_ROWS - i : 6 + i;
			int cols = 20 + (rows - 6) * 60 / 18;

			pty_resize(p, rows, cols);
			if (rows >= 12 && cols >= 40) {
				SEE_ROW(p, rows - 1, "quit");
			} else {
				snprintf(text, sizeof text, "%dx%d, needs 40x12",
				         cols, rows);
				SEE(p, text);
				SEE(p, "Terminal too small");
			}
			ck_assert_msg(!pty_exited(p, NULL), "gone at %dx%d",
			              cols, rows);
		}
	}
	SEE(p, "Edit ACME-1005");
	SEE(p, "株式会社 作者出版");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1005");
	e2e_quit(p);
}
END_TEST

START_TEST(view_and_open_on_the_command_line_start_on_that_form)
{
	const char *const args[] = { "--view", "archived", "--open",
		                     "ACME-1004", NULL };
	struct pty *p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);
	int tab_row, tab_col;
	const char *r;

	SEE(p, "Edit ACME-1004");
	SEE(p, "Umbrella Logistics");
	SEE_ROW(p, E2E_ROWS - 1, "quit");
	/* the Archived tab is the current one */
	SEE(p, "2 Archived");
	tab_row = pty_find_row(p, "2 Archived");
	ck_assert_int_eq(tab_row, 1);
	r = strstr(e2e_row(p, tab_row), "2 Archived");
	tab_col = (int)(r - e2e_row(p, tab_row));
	ck_assert(pty_cell_reverse(p, tab_row, tab_col));
	ck_assert(!pty_cell_reverse(p, tab_row, 2));

	/* behind the form: the archived view, on that invoice (the form's
	 * last row goes last: then none of it is left) */
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1004");
	LOSE(p, "F2 save");
	SEE(p, "Archived on");
	e2e_wait_selected(p, e2e_row_of(p, "ACME-1004"));
	SEE(p, "Wayne Enterprises");
	NOT_SHOWN(p, "Initech GmbH");
	e2e_quit(p);
}
END_TEST

START_TEST(no_color_still_shows_table_and_selection)
{
	const char *const env[] = { "NO_COLOR=1", NULL };
	struct pty *p = e2e_spawn("alice", NULL, env, E2E_ROWS, E2E_COLS);

	SEE(p, "Initech GmbH");
	SEE_ROW(p, E2E_ROWS - 1, "quit");
	e2e_wait_selected(p, E2E_FIRST_ROW);
	SEND(p, "j");
	e2e_wait_selected(p, E2E_FIRST_ROW + 1);
	e2e_quit(p);
}
END_TEST

START_TEST(q_quits_with_status_0_and_restores_the_terminal)
{
	struct pty *p = e2e_open("alice", NULL);

	SEND(p, "q");
	/* leaving the alternate screen shows the terminal's own, empty */
	LOSE(p, "Initech GmbH");
	ck_assert(e2e_screen_blank(p));
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 0);
}
END_TEST

/* ---- the footer at 80 columns ---------------------------------------- */

static const char *const demo_currencies[] = { "BHD", "CHF", "DKK", "EUR",
                                               "JPY", "PLN", "USD" };
#define NDEMO_CUR (sizeof demo_currencies / sizeof demo_currencies[0])

/* Every currency's total is reachable at 80x24: `t` pages the footer,
 * which names the key and the page ("t 1/4"), and comes back to the
 * first page after the last. */
START_TEST(summary_pages_through_every_currency_with_t)
{
	struct pty *p = e2e_open("alice", NULL);
	const int row = E2E_ROWS - 2;
	bool seen[NDEMO_CUR] = { false };
	const char *mark;
	char want[32];
	int pages = 0;

	SEE_ROW(p, row, "t 1/");
	mark = strstr(e2e_row(p, row), "t 1/");
	ck_assert(mark != NULL);
	pages = atoi(mark + 4);
	ck_assert_msg(pages > 1 && pages <= (int)NDEMO_CUR, "%d pages", pages);
	for (int k = 1; k <= pages; k++) {
		const char *r;

		/* the row is drawn left to right: once the page's mark shows,
		 * so do its totals */
		snprintf(want, sizeof want, "t %d/%d", k, pages);
		SEE_ROW(p, row, want);
		r = e2e_row(p, row);
		/* whole totals only: a page never ends in a cut one */
		ck_assert_msg(strstr(r, "…") == NULL, "cut: %s", r);
		/* the counts stay on every page */
		ck_assert_msg(strstr(r, "10 active · 2 archived · 3 deleted"),
		              "no counts: %s", r);
		for (size_t i = 0; i < NDEMO_CUR; i++)
			if (strstr(r, demo_currencies[i]))
				seen[i] = true;
		SEND(p, "t");
	}
	snprintf(want, sizeof want, "t 1/%d", pages);
	SEE_ROW(p, row, want);
	for (size_t i = 0; i < NDEMO_CUR; i++)
		ck_assert_msg(seen[i], "%s never shown in the footer",
		              demo_currencies[i]);
	e2e_quit(p);
}
END_TEST

/* The keys a person needs stay in the hints at 80 columns. */
static void hints_hold_needed_keys(const char *user, bool admin)
{
	static const char *const keys[] = { "/ filter", "h history",
	                                    "i inspect", "? help", "q quit" };
	struct pty *p = e2e_open(user, NULL);
	const int row = E2E_ROWS - 1;

	SEE_ROW(p, row, "q quit");
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		SEE_ROW(p, row, keys[i]);
	if (admin)
		SEE_ROW(p, row, "d delete");
	e2e_quit(p);
}

START_TEST(hints_keep_needed_keys_at_80_columns_for_an_admin)
{
	hints_hold_needed_keys("alice", true);
}
END_TEST

START_TEST(hints_keep_needed_keys_at_80_columns_for_a_member)
{
	hints_hold_needed_keys("bob", false);
}
END_TEST

TCase *e2e_tcase_screen(void)
{
	TCase *tc = tcase_create("screen");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, first_screen_shows_identity_tabs_table_summary_and_hints);
	tcase_add_test(tc, too_small_terminal_shows_notice_and_recovers_with_form_intact);
	tcase_add_test(tc, every_size_down_to_20x6_draws_without_crashing);
	tcase_add_test(tc, view_and_open_on_the_command_line_start_on_that_form);
	tcase_add_test(tc, no_color_still_shows_table_and_selection);
	tcase_add_test(tc, q_quits_with_status_0_and_restores_the_terminal);
	tcase_add_test(tc, summary_pages_through_every_currency_with_t);
	tcase_add_test(tc, hints_keep_needed_keys_at_80_columns_for_an_admin);
	tcase_add_test(tc, hints_keep_needed_keys_at_80_columns_for_a_member);
	return tc;
}
