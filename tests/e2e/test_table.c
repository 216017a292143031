/*
 * test_table.c - the invoice table (SPEC 4.1, 4.5): moving the selection,
 * the filter, help, history, new, archive, restore, delete, the views a
 * member and an admin get, rows another terminal changed, the stale
 * archive after a forced drift, and optimistic archive under a held lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "e2e.h"

/* Row of the table holding number, and whether it also holds text. */
static bool row_has(struct pty *pty, const char *number, const char *text)
{
	int row = pty_find_row(pty, number);

	return row >= 0 && strstr(e2e_row(pty, row), text) != NULL;
}

static int rows_holding(struct pty *pty, const char *text)
{
	int rows, cols, n = 0;

	pty_size(pty, &rows, &cols);
	for (int r = 0; r < rows; r++)
		if (strstr(e2e_row(pty, r), text))
			n++;
	return n;
}

START_TEST(j_k_and_arrows_move_the_reverse_video_selection)
{
	struct pty *p = e2e_open("alice", NULL);
	const int first = E2E_FIRST_ROW;

	e2e_wait_selected(p, first);
	ck_assert(!pty_cell_reverse(p, first + 1, 1));
	SEND(p, "j");
	e2e_wait_selected(p, first + 1);
	ck_assert(!pty_cell_reverse(p, first, 1));
	ck_assert(strstr(e2e_row(p, first + 1), "ACME-1002") != NULL);
	SEND(p, "j");
	e2e_wait_selected(p, first + 2);
	SEND(p, "k");
	e2e_wait_selected(p, first + 1);
	SEND(p, PTY_KEY_DOWN);
	e2e_wait_selected(p, first + 2);
	SEND(p, PTY_KEY_UP);
	e2e_wait_selected(p, first + 1);
	/* the whole row is reversed, not just its first cell */
	ck_assert(pty_cell_reverse(p, first + 1, 40));
	ck_assert(pty_cell_reverse(p, first + 1, 75));
	/* G and g: the last and the first invoice */
	SEND(p, "G");
	e2e_wait_selected(p, e2e_row_of(p, "ACME-1014"));
	SEND(p, "g");
	e2e_wait_selected(p, first);
	/* k at the top stays there */
	SEND(p, "k");
	SEND(p, "j");
	e2e_wait_selected(p, first + 1);
	e2e_quit(p);
}
END_TEST

START_TEST(slash_filter_narrows_rows_and_esc_clears_it)
{
	struct pty *p = e2e_open("alice", NULL);

	SEND(p, "/");
	SEE(p, "Filter:");
	SEND(p, "initech");
	SEE_ROW(p, E2E_FIRST_ROW, "Initech GmbH");
	ROW_IS(p, E2E_FIRST_ROW + 1, "");
	LOSE(p, "Ærøskøbing Færge ApS");
	LOSE(p, "ACME-1001");
	/* Enter keeps the filter; it stays on show */
	SEND(p, "\r");
	SEE(p, "Filter: initech  (/ change, Esc clear)");
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Ærøskøbing Færge ApS");
	LOSE(p, "Filter:");
	/* by number, and a filter that matches nothing */
	SEND(p, "/1013");
	LOSE(p, "Initech GmbH");
	SEE(p, "Soylent Green Foods");
	SEND(p, PTY_KEY_CTRL_U "zzz");
	SEE(p, "No invoices match the filter.");
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Initech GmbH");
	SEE(p, "Hooli");
	e2e_quit(p);
}
END_TEST

START_TEST(question_mark_shows_help_listing_the_keys)
{
	struct pty *p = e2e_open("alice", NULL);

	SEND(p, "?");
	SEE(p, "Keys");
	SEE(p, "move the selection");
	SEE(p, "filter by number or customer");
	SEE(p, "history of the selected invoice");
	SEE(p, "↑↓ scroll · Esc close");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "move the selection");
	SEE(p, "Initech GmbH");
	e2e_quit(p);
}
END_TEST

START_TEST(h_shows_the_audit_history_of_the_selected_invoice)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_peer_set_customer("ACME-1002", "Peer Co");
	SEE(p, "Peer Co");
	e2e_select(p, "ACME-1002");
	SEND(p, "h");
	SEE(p, "History of ACME-1002");
	SEE(p, "invoice.edit");
	SEE(p, "Customer:\u00a0Initech GmbH → Peer Co");
	SEE(p, "invoice.create");
	SEE(p, "v1→v2");
	SEE(p, "v0→v1");
	SEE(p, "↑↓ select · v revert to the selected version · Esc close");
	/* only this invoice's trail: two entries */
	ck_assert_int_eq(rows_holding(p, "invoice."), 2);
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "History of ACME-1002");
	e2e_quit(p);
}
END_TEST

START_TEST(n_creates_an_invoice_that_is_then_selected)
{
	struct pty *p = e2e_open("alice", NULL);
	size_t before = e2e_view_count(VIEW_ACTIVE);
	struct invoice made;
	struct inv_err err;
	size_t n = 0;

	SEND(p, "n");
	SEE(p, "New invoice");
	SEND(p, "Neue Kunde AG" PTY_KEY_TAB PTY_KEY_TAB "99.00" PTY_KEY_F2);
	SEE(p, "Invoice created.");
	LOSE(p, "New invoice");
	ck_assert_uint_eq(e2e_view_count(VIEW_ACTIVE), before + 1);
	ck_assert(store_page(e2e.st, &e2e.alice, VIEW_ACTIVE, "Neue Kunde AG", 0,
	                     PAGE_FROM, &made, 1, &n, &err) == INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(made.total_minor, 9900);
	ck_assert_str_eq(made.currency, "EUR");
	ck_assert_int_eq(made.status, ST_DRAFT);
	/* on screen, and selected */
	e2e_wait_selected(p, e2e_row_of(p, "Neue Kunde AG"));
	ck_assert(row_has(p, made.number, "Neue Kunde AG"));
	e2e_quit(p);
}
END_TEST

START_TEST(a_archives_the_row_away_and_r_restores_it)
{
	struct pty *p = e2e_open("alice", NULL);
	struct invoice row;

	e2e_select(p, "ACME-1002");
	SEND(p, "a");
	SEE(p, "Invoice archived.");
	LOSE(p, "Initech GmbH");
	row = e2e_invoice("ACME-1002");
	ck_assert(row.archived_at[0] != '\0');
	ck_assert_uint_eq(e2e_view_count(VIEW_ACTIVE), 9);

	SEND(p, "2");
	SEE(p, "Initech GmbH");
	SEE(p, "Archived on");
	e2e_select(p, "Initech GmbH");
	SEND(p, "r");
	SEE(p, "Invoice restored.");
	LOSE(p, "Initech GmbH");
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.archived_at, "");
	SEND(p, "1");
	SEE(p, "Initech GmbH");
	e2e_quit(p);
}
END_TEST

START_TEST(d_asks_an_admin_first_then_deletes)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t id;

	e2e_select(p, "ACME-1002");
	id = e2e_invoice("ACME-1002").id;
	SEND(p, "d");
	SEE(p, "Delete invoice ACME-1002? (y/n)");
	SEND(p, "n");
	LOSE(p, "Delete invoice ACME-1002?");
	SEE(p, "Initech GmbH");
	ck_assert_str_eq(e2e_invoice_id(id).deleted_at, "");

	SEND(p, "d");
	SEE(p, "Delete invoice ACME-1002? (y/n)");
	SEND(p, "y");
	SEE(p, "Invoice deleted.");
	LOSE(p, "Initech GmbH");
	ck_assert(e2e_invoice_id(id).deleted_at[0] != '\0');
	e2e_quit(p);
}
END_TEST

START_TEST(member_gets_no_delete_and_no_all_tab)
{
	struct pty *p = e2e_open("bob", NULL);
	const char *tabs;

	SEE(p, "bob @ acme · member");
	SEE_ROW(p, 1, "summary"); /* drawn after the tabs */
	tabs = e2e_row(p, 1);
	ck_assert_msg(strstr(tabs, "All") == NULL, "tabs: %s", tabs);
	ck_assert(strstr(e2e_row(p, E2E_ROWS - 1), "delete") == NULL);
	ck_assert(strstr(e2e_row(p, E2E_ROWS - 1), "archive") != NULL);

	/* 3 is refused; the view stays Active */
	SEND(p, "3");
	SEE(p, "The All view is for admins only.");
	NOT_SHOWN(p, "Vandelay Industries");
	ck_assert(pty_cell_reverse(p, 1, 2));

	e2e_select(p, "ACME-1002");
	SEND(p, "d");
	SEE(p, "Only an admin can delete invoices.");
	ck_assert_str_eq(e2e_invoice("ACME-1002").deleted_at, "");

	/* Tab goes Active, Archived, and round to Active again */
	SEND(p, PTY_KEY_TAB);
	SEE(p, "Archived on");
	SEE(p, "Umbrella");
	LOSE(p, "Initech GmbH");
	SEND(p, PTY_KEY_TAB);
	SEE(p, "Initech GmbH");
	NOT_SHOWN(p, "Vandelay Industries");
	NOT_SHOWN(p, "Deleted");
	e2e_quit(p);
}
END_TEST

START_TEST(admin_gets_the_all_tab_with_deleted_rows)
{
	struct pty *p = e2e_open("alice", NULL);

	SEE_ROW(p, 1, "3 All");
	NOT_SHOWN(p, "Vandelay");
	SEND(p, "3");
	/* the State column says which rows are not active */
	SEE(p, "Vandelay");
	ROW_ENDS(p, "Vandelay", "Deleted");
	ROW_ENDS(p, "Umbrella", "Archived");
	SEE(p, "Initech GmbH");
	e2e_quit(p);
}
END_TEST

START_TEST(member_asking_for_all_view_on_command_line_is_refused_with_5)
{
	const char *const args[] = { "--view", "all", NULL };
	struct pty *p = e2e_spawn("bob", args, NULL, E2E_ROWS, E2E_COLS);

	SEE(p, "All view");
	SEE(p, "admin");
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 5);
}
END_TEST

START_TEST(peer_write_shows_in_the_open_table_without_a_key)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t v;

	SEE(p, "Initech GmbH");
	v = e2e_peer_set_customer("ACME-1002", "Peer Co");
	ck_assert_int_eq(v, 2);
	SEE(p, "Peer Co");
	LOSE(p, "Initech GmbH");
	ck_assert(row_has(p, "ACME-1002", "Peer Co"));
	/* the Version column follows */
	ROW_ENDS(p, "ACME-1002", " 2");
	e2e_quit(p);
}
END_TEST

START_TEST(peer_write_shows_a_quiet_notice_in_the_open_form)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t v = e2e_invoice("ACME-1002").version, nv;
	char notice[96];
	int row;

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEE(p, "Initech GmbH");
	nv = e2e_peer_set_customer("ACME-1002", "Peer Co");
	ck_assert_int_eq(nv, v + 1);
	snprintf(notice, sizeof notice, "Changed elsewhere: v%lld → v%lld",
	         (long long)v, (long long)nv);
	SEE(p, notice);
	/* the operator's fields are left alone */
	row = e2e_row_of(p, "Customer  Initech GmbH");
	ck_assert(strstr(e2e_row(p, row), "Peer Co") == NULL);
	NOT_SHOWN(p, "Peer Co");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	SEE(p, "Peer Co");
	e2e_quit(p);
}
END_TEST

START_TEST(archive_after_forced_drift_toasts_and_brings_the_row_back)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t id = e2e_invoice("ACME-1002").id;
	int row;

	e2e_select(p, "ACME-1002");
	SEND(p, "i");
	SEE(p, "Inspector");
	SEE(p, "force drift on ACME-1002");
	SEND(p, "f");
	SEE(p, "Drift forced: ACME-1002 is v2 elsewhere; this screen still "
	       "shows v1.");
	ck_assert_int_eq(e2e_invoice_id(id).version, 2);
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	/* the table still shows v1, as the drift intends */
	ROW_ENDS(p, "ACME-1002", " 1");

	SEND(p, "a");
	/* the toast says the row was read again and names the key */
	SEE(p, "ACME-1002 changed elsewhere; refreshed to v2 — a tries again.");
	NOT_SHOWN(p, "This invoice changed elsewhere while you were editing.");
	NOT_SHOWN(p, "Invoice archived.");
	/* back in the table, selected, at the version the database holds */
	SEE(p, "Initech GmbH");
	ROW_ENDS(p, "ACME-1002", " 2");
	row = e2e_row_of(p, "ACME-1002");
	e2e_wait_selected(p, row);
	ck_assert_str_eq(e2e_invoice_id(id).archived_at, "");
	ck_assert_int_eq(e2e_invoice_id(id).version, 2);
	e2e_quit(p);
}
END_TEST

START_TEST(archive_under_held_lock_leaves_at_once_and_keys_keep_working)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t id = e2e_invoice("ACME-1002").id;

	SEND(p, "i");
	SEE(p, "Inspector");
	SEND(p, "l");
	SEE(p, "Holding the write lock for 5 seconds.");
	/* the toast comes as the holder starts; wait for the lock itself */
	ck_assert(e2e_wait(p, e2e_lock_held, NULL, E2E_WAIT_MS));
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	e2e_select(p, "ACME-1002");
	SEND(p, "a");
	/* the row leaves on the key press, while the write waits */
	LOSE(p, "Initech GmbH");
	SEE(p, "waiting for the database lock…");
	ck_assert_str_eq(e2e_invoice_id(id).archived_at, "");
	/* the screen is not frozen: the selection still moves */
	e2e_wait_selected(p, E2E_FIRST_ROW + 1);
	SEND(p, "k");
	e2e_wait_selected(p, E2E_FIRST_ROW);
	SEND(p, "?");
	SEE(p, "move the selection");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "move the selection");
	/* once the lock goes, the archive lands */
	SEE(p, "Invoice archived.");
	LOSE(p, "waiting for the database lock…");
	ck_assert(e2e_invoice_id(id).archived_at[0] != '\0');
	NOT_SHOWN(p, "Initech GmbH");
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_table(void)
{
	TCase *tc = tcase_create("table");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, j_k_and_arrows_move_the_reverse_video_selection);
	tcase_add_test(tc, slash_filter_narrows_rows_and_esc_clears_it);
	tcase_add_test(tc, question_mark_shows_help_listing_the_keys);
	tcase_add_test(tc, h_shows_the_audit_history_of_the_selected_invoice);
	tcase_add_test(tc, n_creates_an_invoice_that_is_then_selected);
	tcase_add_test(tc, a_archives_the_row_away_and_r_restores_it);
	tcase_add_test(tc, d_asks_an_admin_first_then_deletes);
	tcase_add_test(tc, member_gets_no_delete_and_no_all_tab);
	tcase_add_test(tc, admin_gets_the_all_tab_with_deleted_rows);
	tcase_add_test(tc, member_asking_for_all_view_on_command_line_is_refused_with_5);
	tcase_add_test(tc, peer_write_shows_in_the_open_table_without_a_key);
	tcase_add_test(tc, peer_write_shows_a_quiet_notice_in_the_open_form);
	tcase_add_test(tc, archive_after_forced_drift_toasts_and_brings_the_row_back);
	tcase_add_test(tc, archive_under_held_lock_leaves_at_once_and_keys_keep_working);
	return tc;
}
