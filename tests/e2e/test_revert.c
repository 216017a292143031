/*
 * test_revert.c - bringing values back (issue: nothing typed is lost):
 * the history panel reverts the selected version after a confirmation
 * that names each value it replaces and who set it; a terminal whose save
 * is overwritten by someone else is told who and what; a restore blocked
 * by a live number says so instead of "changed elsewhere".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

START_TEST(history_reverts_the_selected_version_after_confirmation)
{
	struct pty *p;
	struct invoice row;
	struct audit_entry e;
	size_t audits;

	e2e_peer_set_customer("ACME-1002", "Peer Renamed Ltd");
	p = e2e_open("bob", NULL);
	e2e_select(p, "ACME-1002");
	SEND(p, "h");
	SEE(p, "History of ACME-1002");
	SEE(p, "v revert");
	/* newest first: the rename is selected; move to the creation */
	SEND(p, "j");
	SEND(p, "v");
	SEE(p, "Revert ACME-1002 to version 1 (now v2)?");
	SEE(p, "Replace alice's Customer Peer Renamed Ltd with Initech GmbH");
	/* no: nothing is written */
	audits = e2e_audit_count();
	SEND(p, "n");
	LOSE(p, "Revert ACME-1002");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	SEND(p, "v");
	SEE(p, "Revert ACME-1002 to version 1 (now v2)?");
	SEND(p, "y");
	SEE(p, "Reverted ACME-1002 to the values of version 1 (now v3).");
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.customer, "Initech GmbH");
	ck_assert_int_eq(row.version, 3);
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.action, "invoice.revert");
	ck_assert_str_eq(e.actor, "bob");
	/* the open history shows the revert at once */
	SEE(p, "invoice.revert");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "History of ACME-1002");
	ROW_HAS(p, "ACME-1002", "Initech GmbH");
	e2e_quit(p);
}
END_TEST

START_TEST(a_save_overwritten_elsewhere_is_named_in_a_toast)
{
	struct pty *p = e2e_open("bob", NULL);
	struct invoice_input in = {.total = "999"};
	struct write_result res;
	struct inv_err err;
	struct invoice row;

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U);
	SEND(p, "1300");
	SEE_FIELD(p, "Total", "1300");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	LOSE(p, "Edit ACME-1002");
	/* alice overwrites from the copy she loaded at version 1 */
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 2);
	ck_assert_int_eq(store_edit(e2e.st, &e2e.alice, row.id, 1, &in,
	                            WRITE_OVERWRITE, &res, &err),
	                 INV_OK);
	SEE(p, "alice overwrote your Total: 1,300.00 EUR → 999.00 EUR");
	SEE(p, "h history");
	e2e_quit(p);
}
END_TEST

START_TEST(an_ordinary_later_edit_is_not_reported_as_an_overwrite)
{
	struct pty *p = e2e_open("bob", NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_CTRL_U);
	SEND(p, "Bob Co");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	LOSE(p, "Edit ACME-1002");
	/* alice edits on top of bob's version: she saw his save */
	e2e_peer_set_customer("ACME-1002", "Alice Co");
	ROW_HAS(p, "ACME-1002", "Alice Co");
	NOT_SHOWN(p, "overwrote");
	e2e_quit(p);
}
END_TEST

START_TEST(restore_blocked_by_a_live_number_says_so)
{
	struct pty *p = e2e_open("alice", NULL);

	SEND(p, "3");
	SEE(p, "Vandelay");
	e2e_select(p, "Vandelay");
	SEND(p, "r");
	SEE(p, "number ACME-1001 is held by another live invoice");
	NOT_SHOWN(p, "changed elsewhere");
	ck_assert(e2e_invoice_id(1).deleted_at[0] != '\0');
	e2e_quit(p);
}
END_TEST

/* The open history speaks money and words, in the currency each amount
 * was written in, and follows the invoice when it moves elsewhere. */
START_TEST(history_speaks_money_and_follows_the_invoice)
{
	struct pty *p = e2e_open("bob", NULL);
	struct invoice row = e2e_invoice("ACME-1002");
	struct invoice_input total = {.total = "1300"};
	struct invoice_input yen = {.total = "1300", .currency = "JPY"};
	struct write_result res;
	struct inv_err err;

	e2e_select(p, "ACME-1002");
	SEND(p, "h");
	SEE(p, "History of ACME-1002");
	SEE(p, "Total:\u00a01,200.00 EUR");
	SEE(p, "Status:\u00a0Sent");
	NOT_SHOWN(p, "total_minor");
	ck_assert_int_eq(store_edit(e2e.st, &e2e.alice, row.id, row.version,
	                            &total, 0, &res, &err), INV_OK);
	/* no key pressed: the panel follows the change */
	SEE(p, "Total:\u00a01,200.00 → 1,300.00 EUR");
	ck_assert_int_eq(store_edit(e2e.st, &e2e.alice, row.id, res.row.version,
	                            &yen, 0, &res, &err), INV_OK);
	SEE(p, "Total:\u00a01,300.00 EUR → 1,300 JPY");
	SEND(p, PTY_KEY_ESC);
	e2e_quit(p);
}
END_TEST

/* JSON text without the blanks between its tokens (those inside strings
 * kept). */
static void json_compact(const char *in, char *out, size_t size)
{
	bool str = false, esc = false;
	size_t n = 0;

	for (; *in && n + 1 < size; in++) {
		if (!str && (*in == ' ' || *in == '\n' || *in == '\t'))
			continue;
		if (str && esc)
			esc = false;
		else if (str && *in == '\\')
			esc = true;
		else if (*in == '"')
			str = !str;
		out[n++] = *in;
	}
	out[n] = '\0';
}

/* The form's Number field renumbers, guarded and audited; a number a live
 * invoice holds is refused at the field, naming it, and nothing is
 * written. */
START_TEST(the_form_renumbers_and_names_a_number_in_use)
{
	struct pty *p = e2e_open("bob", NULL);
	char detail[AUDIT_DETAIL_MAX];
	struct audit_entry e;
	struct invoice row;
	size_t audits = e2e_audit_count();

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_TAB);
	SEE(p, "> Number");
	SEND(p, PTY_KEY_CTRL_U "ACME-1003");
	SEE_FIELD(p, "Number", "ACME-1003");
	SEND(p, PTY_KEY_F2);
	SEE(p, "number ACME-1003 is held by another live invoice");
	NOT_SHOWN(p, "changed elsewhere");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	SEND(p, PTY_KEY_CTRL_U "ACME-2002");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	ROW_HAS(p, "ACME-2002", "Initech GmbH");
	row = e2e_invoice("ACME-2002");
	ck_assert_int_eq(row.version, 2);
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.action, "invoice.edit");
	/* the same JSON value on both backends; PostgreSQL's jsonb writes it
	 * with blanks after the colons and commas and its keys in its own
	 * order, so the test reads it without the blanks between tokens */
	json_compact(e.detail, detail, sizeof detail);
	ck_assert_msg(strstr(detail, "\"number\":{") != NULL &&
	              strstr(detail, "\"new\":\"ACME-2002\"") != NULL &&
	              strstr(detail, "\"old\":\"ACME-1002\"") != NULL,
	              "detail: %s", e.detail);
	e2e_quit(p);
}
END_TEST

/* `revert` itself: on PostgreSQL not yet (the backend refuses it with
 * "... is not available on the postgresql backend yet"), so this case is
 * left out of the PostgreSQL run until the backend has it. */
TCase *e2e_tcase_needs_revert(void)
{
	TCase *tc = tcase_create("needs_revert");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, history_reverts_the_selected_version_after_confirmation);
	return tc;
}

TCase *e2e_tcase_revert(void)
{
	TCase *tc = tcase_create("revert");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, a_save_overwritten_elsewhere_is_named_in_a_toast);
	tcase_add_test(tc, an_ordinary_later_edit_is_not_reported_as_an_overwrite);
	tcase_add_test(tc, restore_blocked_by_a_live_number_says_so);
	tcase_add_test(tc, history_speaks_money_and_follows_the_invoice);
	tcase_add_test(tc, the_form_renumbers_and_names_a_number_in_use);
	return tc;
}
