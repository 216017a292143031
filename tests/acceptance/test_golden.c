/*
 * test_golden.c - the main screens at 80x24 compared cell for cell with
 * the text files under tests/acceptance/golden/: the table, the edit form,
 * the conflict panel as a member and as an admin sees it, the inspector,
 * the help, and a toast on its own row above the summary. Rewrite them after an intended change with
 * INVED_GOLDEN_UPDATE=1 (tests/ACCEPTANCE.md).
 */
#include "acc.h"

START_TEST(golden_table)
{
	struct pty *p = e2e_open("alice", NULL);

	SEE(p, "ACME-1014");
	SEE(p, "10 active · 2 archived · 3 deleted");
	GOLDEN(p, "table");
	e2e_quit(p);
}
END_TEST

START_TEST(golden_edit_form)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEE(p, "Esc close");
	GOLDEN(p, "edit_form");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

/* user's form on ACME-1002 gets total typed in; a peer then saves
 * (customer and/or total); F2 meets the panel. */
static struct pty *conflict_screen(const char *user, const char *total,
                                   const char *peer_customer,
                                   const char *peer_total)
{
	struct pty *p = e2e_open(user, NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Version 1");
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U);
	SEND(p, total);
	SEE_FIELD(p, "Total", total);
	acc_peer_edit("ACME-1002", peer_customer, peer_total);
	/* the quiet notice first, so the frame under the panel is settled */
	SEE(p, "Changed elsewhere: v1 → v2");
	SEND(p, PTY_KEY_F2);
	SEE(p, "This invoice changed elsewhere while you were editing.");
	SEE(p, "Keep editing");
	return p;
}

START_TEST(golden_conflict_member)
{
	struct pty *p = conflict_screen("bob", "1300", "Initrode AG", NULL);

	SEE(p, "m Merge");
	GOLDEN(p, "conflict_member");
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Discard unsaved changes? (y/n)");
	SEND(p, "y");
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

START_TEST(golden_conflict_admin)
{
	struct pty *p = conflict_screen("alice", "1250", NULL, "1300");

	SEE(p, "o Overwrite anyway");
	GOLDEN(p, "conflict_admin");
	SEND(p, "u");
	SEE(p, "Took the latest values (v2)");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

START_TEST(golden_inspector)
{
	struct pty *p = e2e_open("alice", NULL);

	acc_inspector_open(p);
	SEE(p, "Partial unique index");
	GOLDEN(p, "inspector");
	acc_inspector_close(p);
	e2e_quit(p);
}
END_TEST

START_TEST(golden_help)
{
	struct pty *p = e2e_open("alice", NULL);

	SEND(p, "?");
	SEE(p, "Keys");
	SEE(p, "Esc close");
	GOLDEN(p, "help");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "move the selection");
	e2e_quit(p);
}
END_TEST

START_TEST(golden_toast)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "a");
	/* the archive's toast lasts as long as its undo: long enough */
	SEE(p, "Invoice archived. u undo");
	LOSE(p, "Initech GmbH");
	SEE(p, "9 active · 3 archived · 3 deleted");
	GOLDEN(p, "toast");
	e2e_quit(p);
}
END_TEST

TCase *acc_tcase_golden(void)
{
	TCase *tc = tcase_create("golden");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, golden_table);
	tcase_add_test(tc, golden_edit_form);
	tcase_add_test(tc, golden_conflict_member);
	tcase_add_test(tc, golden_conflict_admin);
	tcase_add_test(tc, golden_inspector);
	tcase_add_test(tc, golden_help);
	tcase_add_test(tc, golden_toast);
	return tc;
}
