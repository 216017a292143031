/*
 * test_presence.c - two terminals on one file: an open form is seen by the
 * other terminal (a mark on the table row, a line in its own form, and
 * `inved show`), across orgs it is not, and a killed terminal leaves no
 * ghost.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static struct pty *open_form(const char *user, const char *number)
{
	struct pty *p = e2e_open(user, NULL);
	char title[64];

	e2e_select(p, number);
	SEND(p, "\r");
	snprintf(title, sizeof title, "Edit %s", number);
	SEE(p, title);
	return p;
}

/* The first screen column of the row holding text reads mark. */
static bool row_marked(struct pty *pty, void *arg)
{
	const char *text = arg;
	char buf[512];
	int row = pty_find_row(pty, text);

	if (row < 0 || pty_row_text(pty, row, buf, sizeof buf) < 0)
		return false;
	return strncmp(buf, "•", strlen("•")) == 0;
}

static bool row_unmarked(struct pty *pty, void *arg)
{
	const char *text = arg;
	char buf[512];
	int row = pty_find_row(pty, text);

	if (row < 0 || pty_row_text(pty, row, buf, sizeof buf) < 0)
		return false;
	return buf[0] == ' ';
}

START_TEST(an_open_form_is_seen_by_the_other_terminal_and_by_show)
{
	struct pty *a = open_form("alice", "ACME-1002");
	struct pty *b = e2e_open("bob", NULL);
	char cmd[600];
	FILE *f;
	char out[4096];
	size_t n;

	/* in bob's first frame already (e2e_open has waited for all of it,
	 * down to the key line): read at start, not at a later wake-up */
	ck_assert_msg(e2e_wait(b, row_marked, "ACME-1002", 0),
	              "bob's first frame did not mark ACME-1002 as open");
	ck_assert(e2e_wait(b, row_unmarked, "ACME-1003", 100));
	/* bob opens it too: his form names alice */
	e2e_select(b, "ACME-1002");
	SEND(b, "\r");
	SEE(b, "Edit ACME-1002");
	SEE(b, "alice is editing this too (since");
	/* and alice's idle form names bob: the presence directory's watch
	 * wakes her screen */
	SEE(a, "bob is editing this too (since");
	/* the command line names both */
	snprintf(cmd, sizeof cmd, "'%s' --db '%s' --user bob show ACME-1002",
	         getenv("INVED_BIN"), e2e.db);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	ck_assert_int_eq(pclose(f), 0);
	ck_assert_msg(strstr(out, "Open by:") && strstr(out, "alice (screen") &&
	                      strstr(out, "bob (screen"),
	              "show said: %s", out);
	/* alice closes her form: bob's line goes with it */
	SEND(a, PTY_KEY_ESC);
	LOSE(a, "Edit ACME-1002");
	LOSE(b, "alice is editing this too");
	e2e_quit(a);
	SEND(b, PTY_KEY_ESC);
	e2e_quit(b);
}
END_TEST

START_TEST(a_killed_terminal_leaves_no_ghost)
{
	struct pty *a = open_form("alice", "ACME-1002");
	struct pty *b = e2e_open("bob", NULL);

	ck_assert(e2e_wait(b, row_marked, "ACME-1002", E2E_WAIT_MS));
	pty_kill(a, SIGKILL);
	pty_close(a, 2000);
	/* no event tells of a death: the mark goes at the next recheck */
	ck_assert_msg(e2e_wait(b, row_unmarked, "ACME-1002", E2E_WAIT_MS),
	              "the killed terminal's mark stayed");
	e2e_select(b, "ACME-1002");
	SEND(b, "\r");
	SEE(b, "Edit ACME-1002");
	NOT_SHOWN(b, "editing this too");
	SEND(b, PTY_KEY_ESC);
	e2e_quit(b);
}
END_TEST

START_TEST(presence_does_not_cross_orgs)
{
	struct pty *a = open_form("alice", "ACME-1002");
	struct pty *c = e2e_spawn("carol", NULL, NULL, E2E_ROWS, E2E_COLS);
	char buf[512];

	SEE(c, "GLOBEX-");
	/* carol sees globex only; no row of hers is marked */
	SEND(c, "\x0c");
	pty_wait_quiet(c, 300, 3000);
	for (int r = E2E_FIRST_ROW; r < E2E_ROWS - 2; r++) {
		ck_assert_int_ge(pty_row_text(c, r, buf, sizeof buf), 0);
		ck_assert_msg(strncmp(buf, "•", strlen("•")) != 0,
		              "carol's row %d is marked: %s", r, buf);
	}
	SEND(a, PTY_KEY_ESC);
	e2e_quit(a);
	e2e_quit(c);
}
END_TEST

TCase *e2e_tcase_presence(void)
{
	TCase *tc = tcase_create("presence");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, an_open_form_is_seen_by_the_other_terminal_and_by_show);
	tcase_add_test(tc, a_killed_terminal_leaves_no_ghost);
	tcase_add_test(tc, presence_does_not_cross_orgs);
	return tc;
}
