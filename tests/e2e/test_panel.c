/*
 * test_panel.c - the three-way conflict panel and what it keeps (issue:
 * nothing typed is ever lost): per-field picks where both sides changed a
 * field, the panel following the row while it is open, the edits Use
 * latest dropped kept in the database and brought back (also after the
 * terminal was killed), and an invoice archived or deleted from under an
 * open form.  The other side writes through the core on its own
 * connection, as another terminal or the command line would.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

#define PANEL_TITLE "This invoice changed elsewhere while you were editing."
#define KEY_CTRL_O "\x0f"
#define KEY_CTRL_R "\x12"
#define LONG_NAME "Globex Schweiz AG, Zweigniederlassung Bern"

static struct pty *open_form(const char *user, const char *number)
{
	struct pty *p = e2e_open(user, NULL);
	char title[64];

	e2e_select(p, number);
	SEND(p, "\r");
	snprintf(title, sizeof title, "Edit %s", number);
	SEE(p, title);
	SEE(p, "Esc close");
	return p;
}

/* In an open form (cursor on Customer), replace the total. */
static void type_total(struct pty *p, const char *total)
{
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U);
	SEND(p, total);
	SEE_FIELD(p, "Total", total);
}

/* A peer's write through the core, as alice on the test's connection. */
static int64_t peer_edit(const char *number, const char *customer,
                         const char *status)
{
	struct invoice row = e2e_invoice(number);
	struct invoice_input in = { .customer = customer, .status = status };
	struct write_result res;
	struct inv_err err;

	ck_assert_msg(store_edit(e2e.st, &e2e.alice, row.id, row.version, &in,
	                         0, &res, &err) == INV_OK, "peer edit: %s",
	              err.msg);
	return res.row.version;
}

struct draft_want {
	int64_t id;
	const struct identity *who;
	const char *token;
	const char *body_has; /* NULL: the draft is gone */
	int64_t base_version; /* 0: any */
};

static bool draft_is(struct pty *pty, void *arg)
{
	const struct draft_want *w = arg;
	struct draft *d = calloc(1, sizeof *d);
	struct inv_err err;
	enum inv_rc rc;
	bool ok;

	(void)pty;
	ck_assert_ptr_nonnull(d);
	rc = store_draft_load(e2e.st, w->who, w->id, w->token, d, &err);
	if (!w->body_has)
		ok = rc == INV_NOT_FOUND;
	else
		ok = rc == INV_OK && strstr(d->body, w->body_has) &&
		     (w->base_version == 0 ||
		      d->base_version == w->base_version);
	free(d);
	return ok;
}

static void wait_draft(struct pty *p, const struct draft_want *w)
{
	ck_assert_msg(e2e_wait(p, draft_is, (void *)w, E2E_WAIT_MS),
	              "draft %s of invoice %lld never became %s",
	              w->token[0] ? w->token : "(form)", (long long)w->id,
	              w->body_has ? w->body_has : "gone");
}

/* alice saves Customer and Status; bob changed both differently: bob
 * keeps his Customer, takes alice's Status, and F2 saves exactly that. */
START_TEST(per_field_pick_saves_the_chosen_combination)
{
	struct pty *b = open_form("bob", "ACME-1002");
	struct invoice row;
	struct audit_entry e;

	SEND(b, PTY_KEY_CTRL_U LONG_NAME);
	SEE_FIELD(b, "Customer", LONG_NAME);
	SEND(b, PTY_KEY_TAB "  ");
	SEE(b, "‹ Void ›");
	peer_edit("ACME-1002", "Initrode AG", "paid");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEE(b, "v2: saved by alice at ");
	ROW_HAS(b, "Initrode AG", "Globex Schweiz");
	SEE(b, "Picks: Customer → database · Status → database");
	/* too long for its column, and read in full below the rows */
	ck_assert_ptr_null(strstr(e2e_row(b, e2e_row_of(b, "Initrode AG")),
	                          LONG_NAME));
	ROW_HAS(b, "Yours:", LONG_NAME);
	ROW_HAS(b, "* Paid", "* Void");
	SEE(b, "d database");
	SEE(b, "y yours");
	/* the selection starts on the first field both changed: Customer */
	SEND(b, "y");
	SEE(b, "Picks: Customer → yours · Status → database");
	SEND(b, PTY_KEY_TAB);
	ROW_HAS(b, ">Status", "* Void");
	SEND(b, "y");
	SEE(b, "Picks: Customer → yours · Status → yours");
	SEND(b, "d");
	SEE(b, "Picks: Customer → yours · Status → database");
	/* nothing is written by picking, nor by filling the form */
	SEND(b, "\r");
	LOSE(b, PANEL_TITLE);
	SEE(b, "Your picks over v2: review, then save with F2.");
	SEE(b, "Version 2");
	SEE_FIELD(b, "Customer", LONG_NAME);
	SEE(b, "‹ Paid ›");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 2);
	ck_assert_str_eq(row.customer, "Initrode AG");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 3);
	ck_assert_str_eq(row.customer, LONG_NAME);
	ck_assert_int_eq(row.status, ST_PAID);
	ck_assert_int_eq(row.total_minor, 120000);
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.actor, "bob");
	ck_assert_str_eq(e.action, "invoice.edit");
	ck_assert_int_eq(e.from_version, 2);
	ck_assert_int_eq(e.to_version, 3);
	/* only the customer changed over v2: alice's status is not in it */
	ck_assert_ptr_nonnull(strstr(e.detail, "customer"));
	ck_assert_ptr_null(strstr(e.detail, "status"));
	e2e_quit(b);
}
END_TEST

/* A third save while the panel is open: the panel shows it, and Merge
 * works on it, so the next save goes through. */
START_TEST(live_panel_follows_a_save_made_while_it_is_open)
{
	struct pty *b = open_form("bob", "ACME-1002");
	struct invoice row;

	type_total(b, "1300.00");
	e2e_peer_set_customer("ACME-1002", "Initrode AG");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEE(b, "Database now (v2)");
	ROW_HAS(b, "Initrode AG", "Initech GmbH");
	e2e_peer_set_customer("ACME-1002", "Umbrella Corp");
	SEE(b, "Database now (v3)");
	ROW_HAS(b, "* Umbrella Corp", "Initech GmbH");
	SEE(b, "v3: saved by alice at ");
	NOT_SHOWN(b, "Database now (v2)");
	SEND(b, "m");
	LOSE(b, PANEL_TITLE);
	SEE(b, "Merged onto v3: review, then save.");
	SEE(b, "Version 3");
	SEE_FIELD(b, "Customer", "Umbrella Corp");
	SEE_FIELD(b, "Total", "1300.00");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 4);
	ck_assert_str_eq(row.customer, "Umbrella Corp");
	ck_assert_int_eq(row.total_minor, 130000);
	e2e_quit(b);
}
END_TEST

/* Use latest on a version that arrived while the panel was open; the
 * dropped total is kept in the database, survives SIGKILL, and is brought
 * back over the latest values by the key the form names. */
START_TEST(use_latest_keeps_dropped_edits_across_a_killed_terminal)
{
	struct pty *b = open_form("bob", "ACME-1002");
	int64_t id = e2e_invoice("ACME-1002").id;
	struct draft_want dropped = { id, &e2e.bob, DRAFT_DROPPED, "1300.00",
	                              0 };
	struct draft_want form = { id, &e2e.bob, "", "1200.00", 3 };
	struct invoice row;

	type_total(b, "1300.00");
	e2e_peer_set_customer("ACME-1002", "Initrode AG");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	e2e_peer_set_customer("ACME-1002", "Umbrella Corp");
	SEE(b, "Database now (v3)");
	SEND(b, "u");
	LOSE(b, PANEL_TITLE);
	SEE(b, "Took the latest values (v3); your edits are kept.");
	SEE(b, "Version 3");
	SEE_FIELD(b, "Total", "1200.00");
	SEE(b, "Ctrl-R bring back your edits");
	/* kept in the database at once, beside the form's own draft */
	wait_draft(b, &dropped);
	wait_draft(b, &form);
	ck_assert_int_eq(pty_kill(b, SIGKILL), 0);
	pty_close(b, E2E_WAIT_MS);

	b = open_form("bob", "ACME-1002");
	SEE(b, "Ctrl-R bring back your edits");
	SEE_FIELD(b, "Total", "1200.00");
	SEND(b, KEY_CTRL_R);
	SEE(b, "Your dropped edits are back: review, then save with F2.");
	SEE_FIELD(b, "Total", "1300.00");
	SEE_FIELD(b, "Customer", "Umbrella Corp");
	SEE(b, "Version 3");
	LOSE(b, "Ctrl-R bring back");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 4);
	ck_assert_str_eq(row.customer, "Umbrella Corp");
	ck_assert_int_eq(row.total_minor, 130000);
	dropped.body_has = NULL;
	wait_draft(b, &dropped);
	e2e_quit(b);
}
END_TEST

/* Archived, then deleted, by someone else while a member's form is open:
 * said at once, the edits kept as a draft, the save answered clearly. */
START_TEST(moved_out_from_under_a_members_form)
{
	struct pty *b = open_form("bob", "ACME-1002");
	struct invoice row = e2e_invoice("ACME-1002");
	struct draft_want form = { row.id, &e2e.bob, "", "1300.00", 1 };
	struct write_result res;
	struct inv_err err;

	type_total(b, "1300.00");
	ck_assert_int_eq(store_archive(e2e.st, &e2e.alice, row.id, row.version,
	                               &res, &err), INV_OK);
	SEE(b, "ACME-1002 was archived elsewhere (v2); your edits stay as a "
	       "draft.");
	wait_draft(b, &form);
	NOT_SHOWN(b, "Ctrl-O");
	SEND(b, PTY_KEY_F2);
	SEE(b, "This invoice was archived elsewhere while you were editing.");
	ROW_HAS(b, "State", "archived");
	SEND(b, PTY_KEY_ESC);
	LOSE(b, "This invoice was archived elsewhere");
	ck_assert_int_eq(store_delete(e2e.st, &e2e.alice, row.id, 2, &res,
	                              &err), INV_OK);
	SEE(b, "ACME-1002 was deleted elsewhere; your edits stay as a draft.");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Not saved: ");
	SEE(b, "Your edits are kept as a draft.");
	SEE(b, "Edit ACME-1002");
	wait_draft(b, &form);
	ck_assert_int_eq(e2e_invoice_id(row.id).version, 3);
	SEND(b, PTY_KEY_ESC);
	SEE(b, "Discard unsaved changes? (y/n)");
	SEND(b, "y");
	LOSE(b, "Edit ACME-1002");
	e2e_quit(b);
}
END_TEST

/* An admin whose invoice was deleted meanwhile restores it from the form
 * (a guarded restore) and saves the edits onto it. */
START_TEST(admin_restores_and_applies_an_invoice_deleted_meanwhile)
{
	struct pty *a = open_form("alice", "ACME-1003");
	struct invoice row = e2e_invoice("ACME-1003");
	struct write_result res;
	struct inv_err err;

	type_total(a, "19000.00");
	ck_assert_int_eq(store_delete(e2e.st, &e2e.alice, row.id, row.version,
	                              &res, &err), INV_OK);
	SEE(a, "ACME-1003 was deleted elsewhere (v2); your edits stay as a "
	       "draft.");
	SEE(a, "Ctrl-O restore and apply");
	SEND(a, KEY_CTRL_O);
	SEE(a, "Restored at v3: press F2 to save your edits.");
	SEE(a, "Version 3");
	SEE_FIELD(a, "Total", "19000.00");
	row = e2e_invoice_id(row.id);
	ck_assert_int_eq(row.version, 3);
	ck_assert_str_eq(row.deleted_at, "");
	ck_assert_int_eq(row.total_minor, 1845050);
	SEND(a, PTY_KEY_F2);
	SEE(a, "Invoice saved.");
	row = e2e_invoice_id(row.id);
	ck_assert_int_eq(row.version, 4);
	ck_assert_int_eq(row.total_minor, 1900000);
	ck_assert_str_eq(e2e_audit_newest(row.id).actor, "alice");
	e2e_quit(a);
}
END_TEST

/* A renumbering elsewhere shows in the panel's Number row, and a merge
 * keeps it (the form never writes the number). */
START_TEST(panel_shows_a_number_changed_elsewhere)
{
	struct pty *b = open_form("bob", "ACME-1002");
	struct invoice row = e2e_invoice("ACME-1002");
	struct invoice_input in = { .number = "ACME-2002" };
	struct write_result res;
	struct inv_err err;

	type_total(b, "1300.00");
	ck_assert_msg(store_edit(e2e.st, &e2e.alice, row.id, row.version, &in,
	                         0, &res, &err) == INV_OK, "renumber: %s",
	              err.msg);
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	ROW_HAS(b, "Number", "* ACME-2002");
	ROW_HAS(b, "Number", "ACME-1002");
	SEE(b, "m Merge");
	SEND(b, "m");
	SEE(b, "Merged onto v2: review, then save.");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	row = e2e_invoice_id(row.id);
	ck_assert_str_eq(row.number, "ACME-2002");
	ck_assert_int_eq(row.total_minor, 130000);
	ck_assert_int_eq(row.version, 3);
	e2e_quit(b);
}
END_TEST

TCase *e2e_tcase_panel(void)
{
	TCase *tc = tcase_create("panel");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, per_field_pick_saves_the_chosen_combination);
	tcase_add_test(tc, live_panel_follows_a_save_made_while_it_is_open);
	tcase_add_test(tc, use_latest_keeps_dropped_edits_across_a_killed_terminal);
	tcase_add_test(tc, moved_out_from_under_a_members_form);
	tcase_add_test(tc, admin_restores_and_applies_an_invoice_deleted_meanwhile);
	tcase_add_test(tc, panel_shows_a_number_changed_elsewhere);
	return tc;
}
