/*
 * test_conflict.c - two terminals on one database file, both editing
 * ACME-1002 (SPEC 4.3): the first save wins, the second opens the conflict
 * panel, and each of its ways out (Use latest, Merge, Overwrite anyway,
 * Esc) does what it says, checked on screen and in the database. Also the
 * one-terminal conflict that the inspector's forced drift sets up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

#define PANEL_TITLE "This invoice changed elsewhere while you were editing."

/* Start user's terminal and open ACME-1002's form in it. */
static struct pty *open_form(const char *user)
{
	struct pty *p = e2e_open(user, NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEE(p, "Esc close");
	return p;
}

/* In an open form (cursor on Customer), replace the customer. */
static void type_customer(struct pty *p, const char *customer)
{
	SEND(p, PTY_KEY_CTRL_U);
	SEND(p, customer);
	SEE_FIELD(p, "Customer", customer);
}

/* In an open form (cursor on Customer), replace the total. */
static void type_total(struct pty *p, const char *total)
{
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U);
	SEND(p, total);
	SEE_FIELD(p, "Total", total);
}

/* Terminal a saves a new customer; then b saves a new total on the
 * version it loaded, which is stale by then: b shows the panel. */
static void race(struct pty *a, struct pty *b)
{
	type_customer(a, "Initrode AG");
	type_total(b, "1300.00");
	SEND(a, PTY_KEY_F2);
	SEE(a, "Invoice saved.");
	LOSE(a, "Edit ACME-1002");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEE(b, "Keep editing");
}

START_TEST(stale_save_opens_panel_and_use_latest_lets_next_save_succeed)
{
	struct pty *a = open_form("alice");
	struct pty *b = open_form("bob");
	struct invoice row;
	size_t audits;

	race(a, b);
	/* the database's values beside the operator's, field by field,
	 * each marked where its side changed it */
	SEE(b, "Database now (v2)");
	SEE(b, "Yours (from v1)");
	ROW_HAS(b, "Initrode AG", "Initech GmbH");
	ROW_HAS(b, "Initrode AG", "* Initrode AG");
	ROW_HAS(b, "1,300.00 EUR", "1,200.00 EUR");
	ROW_HAS(b, "1,300.00 EUR", "* 1,300.00 EUR");
	/* a member: Use latest and Merge, never Overwrite */
	SEE(b, "u Use latest");
	SEE(b, "m Merge");
	NOT_SHOWN(b, "Overwrite");
	audits = e2e_audit_count();
	/* o does nothing for a member: the panel still takes the u */
	SEND(b, "o");
	SEND(b, "u");
	LOSE(b, PANEL_TITLE);
	SEE(b, "Took the latest values (v2); your edits are kept.");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	SEE(b, "Version 2");
	SEE_FIELD(b, "Customer", "Initrode AG");
	SEE_FIELD(b, "Total", "1200.00");

	/* the cursor is still on Total */
	SEND(b, PTY_KEY_CTRL_U "1350.00");
	SEE_FIELD(b, "Total", "1350.00");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	LOSE(b, "Edit ACME-1002");
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.customer, "Initrode AG");
	ck_assert_int_eq(row.total_minor, 135000);
	ck_assert_int_eq(row.version, 3);
	ck_assert_str_eq(e2e_audit_newest(row.id).action, "invoice.edit");
	ck_assert_str_eq(e2e_audit_newest(row.id).actor, "bob");
	/* and terminal a follows without a key */
	ROW_HAS(a, "ACME-1002", "1,350.00 EUR");
	e2e_quit(a);
	e2e_quit(b);
}
END_TEST

START_TEST(admin_overwrite_saves_own_values_and_is_audited_as_overwrite)
{
	struct pty *a = open_form("bob");
	struct pty *b = open_form("alice");
	struct audit_entry e;
	struct invoice row;

	race(a, b);
	SEE(b, "o Overwrite anyway");
	/* nothing is written before the question is answered */
	SEND(b, "o");
	SEE(b, "Save your changes over v2?");
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 2);
	SEND(b, "y");
	SEE(b, "Invoice saved.");
	LOSE(b, "Edit ACME-1002");
	row = e2e_invoice("ACME-1002");
	/* only what alice changed is written: bob's customer stays */
	ck_assert_str_eq(row.customer, "Initrode AG");
	ck_assert_int_eq(row.total_minor, 130000);
	ck_assert_int_eq(row.version, 3);
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.action, "invoice.overwrite");
	ck_assert_str_eq(e.actor, "alice");
	ck_assert_int_eq(e.from_version, 2);
	ck_assert_int_eq(e.to_version, 3);
	/* the values it replaced are kept; the customer was not touched */
	ck_assert_msg(strstr(e.detail, "120000") != NULL, "detail: %s",
	              e.detail);
	ck_assert_msg(strstr(e.detail, "customer") == NULL, "detail: %s",
	              e.detail);
	ROW_HAS(a, "ACME-1002", "1,300.00 EUR");
	ROW_HAS(a, "ACME-1002", "Initrode AG");
	e2e_quit(a);
	e2e_quit(b);
}
END_TEST

START_TEST(overwrite_keeps_their_other_fields_and_names_what_it_replaces)
{
	struct pty *a = open_form("bob");
	struct pty *b = open_form("alice");
	struct invoice row;
	struct audit_entry e;

	/* bob: a new customer and a total of 1,300.00; alice, on the same
	 * version: a total of 1,250.00 */
	type_customer(a, "Initrode AG");
	SEND(a, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "1300.00");
	SEE_FIELD(a, "Total", "1300.00");
	SEND(a, PTY_KEY_F2);
	SEE(a, "Invoice saved.");
	type_total(b, "1250.00");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEND(b, "o");
	SEE(b, "Replace bob's Total 1,300.00 EUR with 1,250.00 EUR? (y/n)");
	/* n writes nothing and leaves the form as it was */
	SEND(b, "n");
	LOSE(b, "Replace bob's Total");
	SEE_FIELD(b, "Total", "1250.00");
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 2);
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEND(b, "o");
	SEE(b, "Replace bob's Total 1,300.00 EUR with 1,250.00 EUR? (y/n)");
	SEND(b, "y");
	SEE(b, "Invoice saved.");
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.customer, "Initrode AG");
	ck_assert_int_eq(row.total_minor, 125000);
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.action, "invoice.overwrite");
	ck_assert_msg(strstr(e.detail, "130000") != NULL, "detail: %s",
	              e.detail);
	e2e_quit(a);
	e2e_quit(b);
}
END_TEST

START_TEST(merge_of_disjoint_edits_fills_form_for_review_and_saves_both)
{
	struct pty *a = open_form("alice");
	struct pty *b = open_form("bob");
	struct invoice row;
	size_t audits;

	race(a, b);
	audits = e2e_audit_count();
	SEND(b, "m");
	LOSE(b, PANEL_TITLE);
	SEE(b, "Merged onto v2: review, then save.");
	SEE(b, "Version 2");
	SEE_FIELD(b, "Customer", "Initrode AG");
	SEE_FIELD(b, "Total", "1300.00");
	/* never saved without the operator */
	ck_assert_uint_eq(e2e_audit_count(), audits);
	ck_assert_int_eq(e2e_invoice("ACME-1002").total_minor, 120000);

	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	LOSE(b, "Edit ACME-1002");
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.customer, "Initrode AG");
	ck_assert_int_eq(row.total_minor, 130000);
	ck_assert_int_eq(row.version, 3);
	ROW_HAS(b, "ACME-1002", "Initrode AG");
	ROW_HAS(b, "ACME-1002", "1,300.00 EUR");
	e2e_quit(a);
	e2e_quit(b);
}
END_TEST

START_TEST(esc_closes_panel_and_keeps_the_edits_in_the_form)
{
	struct pty *a = open_form("alice");
	struct pty *b = open_form("bob");
	struct invoice row;

	race(a, b);
	SEND(b, PTY_KEY_ESC);
	LOSE(b, PANEL_TITLE);
	SEE(b, "Edit ACME-1002");
	SEE(b, "Version 1");
	SEE_FIELD(b, "Total", "1300.00");
	SEE_FIELD(b, "Customer", "Initech GmbH");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.total_minor, 120000);
	ck_assert_int_eq(row.version, 2);
	/* still stale: saving again brings the panel back */
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEND(b, PTY_KEY_ESC);
	LOSE(b, PANEL_TITLE);
	SEND(b, PTY_KEY_ESC);
	SEE(b, "Discard unsaved changes? (y/n)");
	SEND(b, "y");
	LOSE(b, "Edit ACME-1002");
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 2);
	e2e_quit(a);
	e2e_quit(b);
}
END_TEST

START_TEST(same_field_changed_on_both_sides_offers_no_merge)
{
	struct pty *a = open_form("alice");
	struct pty *b = open_form("bob");

	type_total(a, "1250.00");
	type_total(b, "1300.00");
	SEND(a, PTY_KEY_F2);
	SEE(a, "Invoice saved.");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEE(b, "Both sides changed the same field, so there is no merge.");
	SEE(b, "Keep editing");
	NOT_SHOWN(b, "m Merge");
	ROW_HAS(b, "1,250.00 EUR", "* 1,300.00 EUR");
	/* m is not offered, so it does nothing: u still reaches the panel */
	SEND(b, "m");
	SEND(b, "u");
	SEE(b, "Took the latest values (v2); your edits are kept.");
	SEE_FIELD(b, "Total", "1250.00");
	ck_assert_int_eq(e2e_invoice("ACME-1002").total_minor, 125000);
	e2e_quit(a);
	SEND(b, PTY_KEY_ESC);
	LOSE(b, "Edit ACME-1002");
	e2e_quit(b);
}
END_TEST

START_TEST(edit_after_forced_drift_opens_the_conflict_panel)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "i");
	SEE(p, "force drift on ACME-1002");
	SEND(p, "f");
	SEE(p, "Drift forced");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEE(p, "Version 1");
	type_total(p, "1300.00");
	SEND(p, PTY_KEY_F2);
	SEE(p, PANEL_TITLE);
	SEE(p, "Database now (v2)");
	SEE(p, "o Overwrite anyway");
	SEND(p, "m");
	SEE(p, "Merged onto v2: review, then save.");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	ck_assert_int_eq(e2e_invoice("ACME-1002").total_minor, 130000);
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 3);
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_conflict(void)
{
	TCase *tc = tcase_create("conflict");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, stale_save_opens_panel_and_use_latest_lets_next_save_succeed);
	tcase_add_test(tc, admin_overwrite_saves_own_values_and_is_audited_as_overwrite);
	tcase_add_test(tc, overwrite_keeps_their_other_fields_and_names_what_it_replaces);
	tcase_add_test(tc, merge_of_disjoint_edits_fills_form_for_review_and_saves_both);
	tcase_add_test(tc, esc_closes_panel_and_keeps_the_edits_in_the_form);
	tcase_add_test(tc, same_field_changed_on_both_sides_offers_no_merge);
	tcase_add_test(tc, edit_after_forced_drift_opens_the_conflict_panel);
	return tc;
}
