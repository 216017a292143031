/*
 * test_form.c - the edit form (SPEC 4.2, 4.4): refusing invalid input in
 * place, editing and saving UTF-8 text, fields and status keys, asking
 * before unsaved edits are dropped, and drafts that outlive a killed or
 * hung-up terminal.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "money.h"

static struct pty *open_form(const char *number)
{
	struct pty *p = e2e_open("alice", NULL);
	char title[64];

	snprintf(title, sizeof title, "Edit %s", number);
	e2e_select(p, number);
	SEND(p, "\r");
	SEE(p, title);
	SEE(p, "Esc close");
	return p;
}

/* Byte offset of text in screen row `row` (rows compared share their
 * prefix, so offsets compare as columns). */
static long offset_in_row(struct pty *p, int row, const char *text)
{
	const char *r = e2e_row(p, row);
	const char *at = strstr(r, text);

	ck_assert_msg(at != NULL, "row %d lacks \"%s\": %s", row, text, r);
	return at - r;
}

START_TEST(invalid_total_is_refused_next_to_the_field_and_nothing_written)
{
	struct pty *p = open_form("ACME-1002");
	size_t audits = e2e_audit_count();
	int total_row, msg_row;
	long total_col;

	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "12,50");
	SEE_FIELD(p, "Total", "12,50");
	SEND(p, PTY_KEY_F2);
	SEE(p, "use '.' as the decimal separator");
	/* right under the field, where the input starts */
	total_row = e2e_row_of(p, "Total     12,50");
	msg_row = e2e_row_of(p, "use '.' as the decimal separator");
	ck_assert_int_eq(msg_row, total_row + 1);
	total_col = offset_in_row(p, total_row, "12,50");
	ck_assert_int_eq(offset_in_row(p, msg_row, "use '.'"), total_col);
	/* the form stays, and the database is as it was */
	SEE(p, "Edit ACME-1002");
	NOT_SHOWN(p, "Invoice saved.");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	ck_assert_int_eq(e2e_invoice("ACME-1002").total_minor, 120000);
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 1);

	/* corrected, it saves; the message goes with the first key */
	SEND(p, PTY_KEY_BACKSPACE);
	LOSE(p, "use '.' as the decimal separator");
	SEND(p, PTY_KEY_BACKSPACE PTY_KEY_BACKSPACE ".50");
	SEE_FIELD(p, "Total", "12.50");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	ck_assert_int_eq(e2e_invoice("ACME-1002").total_minor, 1250);
	ck_assert_uint_eq(e2e_audit_count(), audits + 1);
	e2e_quit(p);
}
END_TEST

/* A field error longer than its row is wrapped under the field, whole,
 * and the fields below it move down rather than cover it. */
START_TEST(long_total_error_is_shown_whole_under_the_field)
{
	struct pty *p = open_form("ACME-1002");
	char max[MONEY_TEXT_MAX], want[256], said[1024] = "";
	int total_row, cur_row;
	long col;

	money_format_grouped(MONEY_MAX_MINOR, "EUR", max, sizeof max);
	snprintf(want, sizeof want, "the amount is out of range; the most an "
	         "invoice can total is %s EUR", max);
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "99999999999999999");
	SEE_FIELD(p, "Total", "99999999999999999");
	SEND(p, PTY_KEY_F2);
	SEE(p, "out of range");
	SEE(p, max);
	total_row = e2e_row_of(p, "Total     9999");
	cur_row = e2e_row_of(p, "Currency  EUR");
	ck_assert_int_gt(cur_row, total_row + 2);
	col = offset_in_row(p, total_row + 1, "the amount");
	for (int r = total_row + 1; r < cur_row; r++) {
		char line[512];
		const char *row = e2e_row(p, r);
		char *bar;

		if ((long)strlen(row) <= col)
			continue;
		snprintf(line, sizeof line, "%s", row + col);
		bar = strstr(line, "│");
		if (bar)
			*bar = '\0';
		for (size_t n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
			line[n - 1] = '\0';
		if (!line[0])
			continue;
		if (said[0])
			strcat(said, " ");
		strncat(said, line, sizeof said - strlen(said) - 1);
	}
	ck_assert_str_eq(said, want);
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 1);
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "y");
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

struct cursor_at {
	int row, col;
};

static bool cursor_is(struct pty *p, void *arg)
{
	const struct cursor_at *want = arg;
	int row, col;

	pty_cursor(p, &row, &col);
	return row == want->row && col == want->col;
}

static bool row_lacks_sohne(struct pty *p, void *arg)
{
	return strstr(e2e_row(p, *(int *)arg), "Söhne") == NULL;
}

START_TEST(utf8_customer_edits_by_character_saves_and_shows_in_table)
{
	static const char name[] = "Müller & Söhne — Zürich 作者";
	struct pty *p = open_form("ACME-1002");
	struct cursor_at want;
	struct invoice row;
	int field_row;

	SEND(p, PTY_KEY_CTRL_U);
	SEND(p, name);
	SEE_FIELD(p, "Customer", name);
	/* the cursor sits after the text as the terminal shows it: two
	 * columns for each of 作者 */
	field_row = e2e_row_of(p, "Customer  Müller");
	want.row = field_row;
	want.col = (int)offset_in_row(p, field_row, "Customer") +
	           10 + 28 - 2; /* "│" is 3 bytes, 1 column */
	if (!e2e_wait(p, cursor_is, &want, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("the cursor is not at row %d col %d", want.row,
		             want.col);
	}
	/* Home, then seven characters right (past the ü), cut the rest,
	 * and type it again */
	SEND(p, PTY_KEY_HOME);
	SEND(p, PTY_KEY_RIGHT PTY_KEY_RIGHT PTY_KEY_RIGHT PTY_KEY_RIGHT
	        PTY_KEY_RIGHT PTY_KEY_RIGHT PTY_KEY_RIGHT "\x0b");
	SEE_FIELD(p, "Customer", "Müller ");
	if (!e2e_wait(p, row_lacks_sohne, &field_row, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("^K left the rest of the field");
	}
	SEND(p, "& Söhne — Zürich 作者");
	SEE_FIELD(p, "Customer", name);
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	LOSE(p, "Edit ACME-1002");
	/* back on the table, on the saved invoice */
	ROW_HAS(p, "ACME-1002", name);
	e2e_wait_selected(p, e2e_row_of(p, "ACME-1002"));
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.customer, name);
	ck_assert_int_eq(row.version, 2);
	e2e_quit(p);
}
END_TEST

/* " AMOUNT EUR" as the summary shows alice's org's active EUR total now. */
static void eur_summary_text(char *buf, size_t len)
{
	struct summary sum;
	struct inv_err err;
	char amount[MONEY_TEXT_MAX];

	ck_assert_int_eq(store_summary(e2e.st, &e2e.alice, &sum, &err), INV_OK);
	for (size_t i = 0; i < sum.ncur; i++)
		if (strcmp(sum.cur[i].currency, "EUR") == 0) {
			money_format_grouped(sum.cur[i].total_minor, "EUR", amount,
			                     sizeof amount);
			snprintf(buf, len, " %s EUR", amount);
			return;
		}
	ck_abort_msg("the demo org has no active EUR total");
}

/* The toast and the summary row holding the saved total, on one screen. */
static bool saved_with_total(struct pty *p, void *arg)
{
	int height, width;

	pty_size(p, &height, &width);
	return pty_find_row(p, "Invoice saved.") >= 0 &&
	       strstr(e2e_row(p, height - 2), (const char *)arg) != NULL;
}

/* The caches are invalidated after the commit, not before it: the frame
 * that says "Invoice saved." already sums the saved total. */
START_TEST(summary_shows_the_saved_total_with_the_saved_toast)
{
	/* wide enough for every currency of the summary */
	struct pty *p = e2e_spawn("alice", NULL, NULL, E2E_ROWS, 200);
	char before[64], after[64];
	int height, width;

	eur_summary_text(before, sizeof before);
	pty_size(p, &height, &width);
	SEE(p, "ACME-1002");
	SEE_ROW(p, height - 2, before);
	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "1300");
	SEE_FIELD(p, "Total", "1300");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	eur_summary_text(after, sizeof after);
	ck_assert_str_ne(before, after);
	if (!e2e_wait(p, saved_with_total, after, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("under \"Invoice saved.\" the summary shows %s, "
		             "not the saved%s", e2e_row(p, height - 2), after);
	}
	e2e_quit(p);
}
END_TEST

START_TEST(fields_move_with_tab_and_arrows_and_space_cycles_status)
{
	struct pty *p = open_form("ACME-1002");

	SEE(p, "> Customer");
	SEND(p, PTY_KEY_TAB);
	SEE(p, "> Status");
	SEND(p, " ");
	SEE(p, "‹ Paid ›");
	SEND(p, PTY_KEY_RIGHT);
	SEE(p, "‹ Void ›");
	SEND(p, PTY_KEY_LEFT);
	SEE(p, "‹ Paid ›");
	SEND(p, PTY_KEY_DOWN);
	SEE(p, "> Total");
	SEND(p, PTY_KEY_BTAB PTY_KEY_UP);
	SEE(p, "> Customer");
	SEND(p, PTY_KEY_UP);
	SEE(p, "> Number");
	/* Ctrl-S saves as F2 does */
	SEND(p, PTY_KEY_CTRL_S);
	SEE(p, "Invoice saved.");
	ck_assert_int_eq(e2e_invoice("ACME-1002").status, ST_PAID);
	ROW_HAS(p, "ACME-1002", "Paid");
	e2e_quit(p);
}
END_TEST

START_TEST(esc_with_unsaved_edits_asks_before_leaving)
{
	struct pty *p = open_form("ACME-1002");
	size_t audits = e2e_audit_count();

	SEND(p, " und Partner");
	SEE_FIELD(p, "Customer", "Initech GmbH und Partner");
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "n");
	LOSE(p, "Discard unsaved changes?");
	SEE(p, "Edit ACME-1002");
	SEE_FIELD(p, "Customer", "Initech GmbH und Partner");
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "y");
	LOSE(p, "Edit ACME-1002");
	LOSE(p, "und Partner");
	SEE(p, "Initech GmbH");
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "Initech GmbH");
	ck_assert_uint_eq(e2e_audit_count(), audits);

	/* without edits, Esc leaves at once */
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	NOT_SHOWN(p, "Discard");
	e2e_quit(p);
}
END_TEST

struct draft_want {
	int64_t id;
	const char *text; /* NULL: no draft at all */
};

static bool draft_is(struct pty *p, void *arg)
{
	const struct draft_want *w = arg;
	struct draft d;
	struct inv_err err;
	enum inv_rc rc;

	(void)p;
	rc = store_draft_load(e2e.st, &e2e.alice, w->id, NULL, &d, &err);
	if (!w->text)
		return rc == INV_NOT_FOUND;
	return rc == INV_OK && strstr(d.body, w->text) != NULL;
}

static void wait_draft(struct pty *p, int64_t id, const char *text)
{
	struct draft_want w = { id, text };

	if (e2e_wait(p, draft_is, &w, E2E_WAIT_MS))
		return;
	ck_abort_msg(text ? "no draft holding \"%s\"" : "a draft is left%s",
	             text ? text : "");
}

static bool terminal_restored(struct pty *p, void *arg)
{
	(void)arg;
	return e2e_screen_blank(p);
}

START_TEST(draft_autosaved_survives_sigterm_and_restores_on_reopen)
{
	struct pty *p = open_form("ACME-1002");
	int64_t id = e2e_invoice("ACME-1002").id;

	SEND(p, PTY_KEY_CTRL_U "Entwurf Kunde GmbH");
	SEE_FIELD(p, "Customer", "Entwurf Kunde GmbH");
	/* the pause in typing saves the draft by itself */
	wait_draft(p, id, "Entwurf Kunde GmbH");
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "Initech GmbH");

	ck_assert_int_eq(pty_kill(p, SIGTERM), 0);
	if (!e2e_wait(p, terminal_restored, NULL, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("the terminal was not given back");
	}
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 128 + SIGTERM);
	wait_draft(NULL, id, "Entwurf Kunde GmbH");

	p = open_form("ACME-1002");
	SEE(p, "Restore unsaved draft from");
	SEND(p, "y");
	LOSE(p, "Restore unsaved draft from");
	SEE_FIELD(p, "Customer", "Entwurf Kunde GmbH");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer,
	                 "Entwurf Kunde GmbH");
	/* a saved form leaves no draft behind */
	wait_draft(p, id, NULL);
	e2e_quit(p);
}
END_TEST

START_TEST(draft_kept_on_hangup_and_declining_the_offer_discards_it)
{
	struct pty *p = open_form("ACME-1002");
	int64_t id = e2e_invoice("ACME-1002").id;

	SEND(p, PTY_KEY_CTRL_U "Aufgelegt AG");
	SEE_FIELD(p, "Customer", "Aufgelegt AG");
	/* at once, without waiting for the autosave */
	ck_assert_int_eq(pty_kill(p, SIGHUP), 0);
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 128 + SIGHUP);
	wait_draft(NULL, id, "Aufgelegt AG");

	p = open_form("ACME-1002");
	SEE(p, "Restore unsaved draft from");
	SEND(p, "n");
	LOSE(p, "Restore unsaved draft from");
	SEE_FIELD(p, "Customer", "Initech GmbH");
	wait_draft(p, id, NULL);
	/* nothing to discard now: Esc leaves without asking */
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);

	/* and the next opening offers nothing */
	p = open_form("ACME-1002");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	NOT_SHOWN(p, "Restore unsaved draft");
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_form(void)
{
	TCase *tc = tcase_create("form");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, invalid_total_is_refused_next_to_the_field_and_nothing_written);
	tcase_add_test(tc, long_total_error_is_shown_whole_under_the_field);
	tcase_add_test(tc, utf8_customer_edits_by_character_saves_and_shows_in_table);
	tcase_add_test(tc, fields_move_with_tab_and_arrows_and_space_cycles_status);
	tcase_add_test(tc, summary_shows_the_saved_total_with_the_saved_toast);
	tcase_add_test(tc, esc_with_unsaved_edits_asks_before_leaving);
	tcase_add_test(tc, draft_autosaved_survives_sigterm_and_restores_on_reopen);
	tcase_add_test(tc, draft_kept_on_hangup_and_declining_the_offer_discards_it);
	return tc;
}
