/*
 * test_conflict.c - seed 000 ("two tabs, one winner") at the terminal:
 * two terminals race one invoice and the inspector shows the winner's
 * bump; a member who forges an overwrite on the command line is refused
 * while their panel stays as it was; another org's invoice id is not
 * found, neither when a screen is opened on it (--open) nor at the write.
 */
#include <stdio.h>
#include <string.h>

#include "acc.h"

#define PANEL_TITLE "This invoice changed elsewhere while you were editing."

static struct pty *open_form(const char *user, const char *number)
{
	struct pty *p = e2e_open(user, NULL);
	char title[64];

	snprintf(title, sizeof title, "Edit %s", number);
	e2e_select(p, number);
	SEND(p, "\r");
	SEE(p, title);
	SEE(p, "Esc close");
	return p;
}

START_TEST(two_terminals_first_save_wins_and_the_inspector_shows_the_bump)
{
	struct pty *a = open_form("alice", "ACME-1002");
	struct pty *b = open_form("bob", "ACME-1002");
	struct invoice row;

	SEND(a, PTY_KEY_CTRL_U "Initrode AG");
	SEE_FIELD(a, "Customer", "Initrode AG");
	SEND(b, PTY_KEY_TAB " ");
	SEE(b, "‹ Paid ›");
	SEND(a, PTY_KEY_F2);
	SEE(a, "Invoice saved.");
	LOSE(a, "Edit ACME-1002");
	/* the winner's bump, in its own inspector's audit tail */
	acc_inspector_open(a);
	ROW_HAS(a, "invoice.edit", "ACME-1002");
	ROW_HAS(a, "invoice.edit", "v1→v2");
	ROW_HAS(a, "invoice.edit", "alice");
	acc_inspector_close(a);

	/* the second save is refused and nothing moves */
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	SEE(b, "Database now (v2)");
	ROW_HAS(b, "* Initrode AG", "Initech GmbH");
	ROW_HAS(b, "* Paid", "Sent");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 2);
	ck_assert_int_eq(row.status, ST_SENT);
	/* Use latest: the database's values and version; the next save
	 * succeeds */
	SEND(b, "u");
	LOSE(b, PANEL_TITLE);
	SEE(b, "Version 2");
	SEE_FIELD(b, "Customer", "Initrode AG");
	SEE(b, "‹ Sent ›");
	/* the cursor stayed on Status */
	SEND(b, " ");
	SEE(b, "‹ Paid ›");
	SEND(b, PTY_KEY_F2);
	SEE(b, "Invoice saved.");
	row = e2e_invoice("ACME-1002");
	ck_assert_int_eq(row.version, 3);
	ck_assert_int_eq(row.status, ST_PAID);
	ck_assert_str_eq(row.customer, "Initrode AG");
	/* and the winner's screen follows */
	ROW_HAS(a, "ACME-1002", "Paid");
	e2e_quit(a);
	e2e_quit(b);
}
END_TEST

START_TEST(member_forging_overwrite_on_the_command_line_is_refused)
{
	struct pty *b = open_form("bob", "ACME-1002");
	struct invoice before, after;
	char out[2048], ver[32];
	size_t audits;
	int rc;

	SEND(b, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "1300");
	SEE_FIELD(b, "Total", "1300");
	acc_peer_edit("ACME-1002", NULL, "1250");
	SEE(b, "Changed elsewhere: v1 → v2");
	SEND(b, PTY_KEY_F2);
	SEE(b, PANEL_TITLE);
	/* the screen offers a member no overwrite */
	SEE(b, "u Use latest");
	NOT_SHOWN(b, "Overwrite");

	/* so bob forges it on the command line: refused at the current
	 * version (the role is checked before the version) and at his
	 * stale one, and the row is untouched */
	before = e2e_invoice("ACME-1002");
	audits = e2e_audit_count();
	snprintf(ver, sizeof ver, "%lld", (long long)before.version);
	{
		const char *const args[] = { "edit", "ACME-1002", "--version",
			                     ver, "--total", "1300",
			                     "--overwrite", NULL };
		rc = acc_cli("bob", args, out, sizeof out);
	}
	ck_assert_msg(rc == 5, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "admin") != NULL, "%s", out);
	{
		const char *const args[] = { "edit", "ACME-1002", "--version",
			                     "1", "--total", "1300",
			                     "--overwrite", NULL };
		rc = acc_cli("bob", args, out, sizeof out);
	}
	ck_assert_msg(rc == 5, "stale forged overwrite: exit %d: %s", rc, out);
	after = e2e_invoice("ACME-1002");
	ck_assert_int_eq(after.version, before.version);
	ck_assert_int_eq(after.total_minor, 125000);
	ck_assert_uint_eq(e2e_audit_count(), audits);

	/* bob's panel is as it was: his edits kept, o still not his */
	SEE(b, PANEL_TITLE);
	ROW_HAS(b, "1,250.00 EUR", "* 1,300.00 EUR");
	SEND(b, "o");
	SEND(b, PTY_KEY_ESC);
	LOSE(b, PANEL_TITLE);
	SEE(b, "Version 1");
	SEE_FIELD(b, "Total", "1300");
	ck_assert_int_eq(e2e_invoice("ACME-1002").total_minor, 125000);
	SEND(b, PTY_KEY_ESC);
	SEE(b, "Discard unsaved changes? (y/n)");
	SEND(b, "y");
	LOSE(b, "Edit ACME-1002");
	e2e_quit(b);
}
END_TEST

START_TEST(another_orgs_id_is_not_found_on_open_and_at_the_write)
{
	struct invoice acme = e2e_invoice("ACME-1002");
	struct pty *a = e2e_open("alice", NULL);
	struct pty *c;
	char id[32], msg[64], out[2048];
	size_t audits = e2e_audit_count();
	int rc;

	snprintf(id, sizeof id, "%lld", (long long)acme.id);
	/* carol of globex opens a screen on acme's id: her own table, a
	 * not-found notice, no form, and nothing of acme on show */
	{
		const char *const args[] = { "--open", id, NULL };
		c = e2e_spawn("carol", args, NULL, E2E_ROWS, E2E_COLS);
	}
	SEE(c, "carol @ globex · admin");
	SEE(c, "GLOBEX-1001");
	snprintf(msg, sizeof msg, "invoice %s not found", id);
	SEE(c, msg);
	NOT_SHOWN(c, "Edit ");
	NOT_SHOWN(c, "ACME");
	NOT_SHOWN(c, "Initech");
	e2e_quit(c);
	/* and by number */
	{
		const char *const args[] = { "--open", "ACME-1002", NULL };
		c = e2e_spawn("carol", args, NULL, E2E_ROWS, E2E_COLS);
	}
	SEE(c, "GLOBEX-1001");
	SEE(c, "no live invoice numbered 'ACME-1002' in globex");
	NOT_SHOWN(c, "Edit ");
	e2e_quit(c);

	/* a forged write with that id, at its true version: not found,
	 * exit 4, the acme row untouched */
	{
		const char *const args[] = { "edit", id, "--version", "1",
			                     "--customer", "Globex Takeover",
			                     NULL };
		rc = acc_cli("carol", args, out, sizeof out);
	}
	ck_assert_msg(rc == 4, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "not found") != NULL, "%s", out);
	{
		const char *const args[] = { "archive", id, "--version", "1",
			                     NULL };
		rc = acc_cli("dave", args, out, sizeof out);
	}
	ck_assert_msg(rc == 4, "archive: exit %d: %s", rc, out);
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 1);
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "Initech GmbH");
	ck_assert_uint_eq(e2e_audit_count(), audits);
	/* the acme screen shows the row as it was */
	ROW_ENDS(a, "ACME-1002", " 1");
	NOT_SHOWN(a, "Globex Takeover");

	/* while carol can still edit her own org's invoice */
	{
		const char *const args[] = { "edit", "GLOBEX-1002", "--version",
			                     "1", "--customer", "Kwik-E-Mart 2",
			                     NULL };
		rc = acc_cli("carol", args, out, sizeof out);
	}
	ck_assert_msg(rc == 0, "own edit: exit %d: %s", rc, out);
	e2e_quit(a);
}
END_TEST

TCase *acc_tcase_conflict(void)
{
	TCase *tc = tcase_create("conflict");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, two_terminals_first_save_wins_and_the_inspector_shows_the_bump);
	tcase_add_test(tc, member_forging_overwrite_on_the_command_line_is_refused);
	tcase_add_test(tc, another_orgs_id_is_not_found_on_open_and_at_the_write);
	return tc;
}
