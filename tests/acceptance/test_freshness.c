/*
 * test_freshness.c - seed 002 (read-your-writes) at the terminal: the
 * operator's own save or archive shows on the very frame that reports it,
 * with the freshness strip reset and the new values in the table; the
 * inspector's invalidation log holds exactly three `action` entries per
 * write (list, record of that invoice only, summary); and an edit in one
 * org leaves another org's terminal untouched.
 */
#include <stdio.h>
#include <string.h>

#include "acc.h"

/* Screen rows of the open inspector's log holding source and tag, top
 * (newest) first: the row numbers into rows, their count returned. */
static int log_rows(struct pty *p, const char *source, const char *tag,
                    int rows[], int max)
{
	char text[96];
	int n = 0, height, width;

	snprintf(text, sizeof text, "%-6s  %s", source, tag);
	pty_size(p, &height, &width);
	for (int r = 0; r < height && n < max; r++) {
		const char *row = e2e_row(p, r);
		const char *at = strstr(row, text);
		size_t k = strlen(text);

		/* the tag ends where the row's text does (list:1 is not
		 * list:12) */
		if (at && (at[k] == ' ' || at[k] == '\0' ||
		           strncmp(at + k, "│", 3) == 0))
			rows[n++] = r;
	}
	return n;
}

static int log_row(struct pty *p, const char *source, const char *tag)
{
	int rows[4];

	ck_assert_msg(log_rows(p, source, tag, rows, 4) == 1,
	              "the log has not exactly one \"%s %s\"", source, tag);
	return rows[0];
}

/* The inspector's log holds *arg entries with source action. */
static bool action_rows_are(struct pty *pty, void *arg)
{
	return acc_rows_holding(pty, "action  ") == *(const int *)arg;
}

START_TEST(own_save_and_archive_show_fresh_on_the_frame_that_reports_them)
{
	/* tall enough for the inspector to list two writes' entries */
	struct pty *p = e2e_spawn("alice", NULL, NULL, 40, 100);
	/* a record's entry names its invoice by number */
	const char *tag_a = "invoice ACME-1002", *tag_b = "invoice ACME-1003";
	int r_sum, r_rec, r_list;

	SEE(p, "ACME-1014");
	/* the strip has aged, so a reset is seen */
	acc_wait_strip_aged(p, 10);
	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "1300");
	SEE_FIELD(p, "Total", "1300");
	acc_wait_strip_aged(p, 10);
	SEND(p, PTY_KEY_F2);
	/* the toast sits below the table and the strip, and a frame is
	 * written top to bottom: once it shows, the rest of that frame is
	 * on screen, and must already hold the save */
	SEE(p, "Invoice saved.");
	NOT_SHOWN(p, "Edit ACME-1002");
	ck_assert_msg(strstr(e2e_row(p, pty_find_row(p, "ACME-1002")),
	                     "1,300.00 EUR") != NULL,
	              "the saved total is not on the frame: %s",
	              e2e_row(p, pty_find_row(p, "ACME-1002")));
	acc_strip_fresh(p);

	/* three entries for the one write, newest first: summary, the
	 * record of ACME-1002 (not of ACME-1003), list; none from the feed */
	acc_inspector_open(p);
	SEE(p, "summary:1");
	ck_assert_msg(e2e_wait(p, action_rows_are, &(int){3}, E2E_WAIT_MS),
	              "the log never showed three action entries");
	r_sum = log_row(p, "action", "summary:1");
	r_rec = log_row(p, "action", tag_a);
	r_list = log_row(p, "action", "list:1");
	ck_assert_int_eq(r_rec, r_sum + 1);
	ck_assert_int_eq(r_list, r_rec + 1);
	ck_assert_int_eq(acc_rows_holding(p, "action  "), 3);
	ck_assert_int_eq(acc_rows_holding(p, "peer    "), 0);
	ck_assert_int_eq(acc_rows_holding(p, tag_b), 0);
	NOT_SHOWN(p, "record:");
	acc_inspector_close(p);

	/* an archive: the row leaves and the strip resets on the frame of
	 * its toast; three more entries, this time for ACME-1003 */
	acc_wait_strip_aged(p, 10);
	e2e_select(p, "ACME-1003");
	SEND(p, "a");
	SEE(p, "Invoice archived.");
	NOT_SHOWN(p, "Ærøskøbing");
	acc_strip_fresh(p);
	acc_inspector_open(p);
	SEE(p, tag_b);
	/* the inspector may arrive over more than one read of the pty */
	ck_assert_msg(e2e_wait(p, action_rows_are, &(int){6}, E2E_WAIT_MS),
	              "the log never showed six action entries");
	ck_assert_int_eq(log_row(p, "action", tag_b),
	                 log_row(p, "action", tag_a) - 3);
	ck_assert_int_eq(acc_rows_holding(p, "peer    "), 0);
	acc_inspector_close(p);

	/* the record of ACME-1002 is read afresh when its form opens */
	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Version 2");
	SEE_FIELD(p, "Total", "1300.00");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

struct monotonic {
	long last;
	long target;
	bool reset;
};

/* The strip's list age grows until target; a drop means a re-read. */
static bool ages_on(struct pty *p, void *arg)
{
	struct monotonic *m = arg;
	long l = acc_strip_age(p, "list");

	if (l < 0)
		return false;
	if (l < m->last) {
		m->reset = true;
		return true;
	}
	m->last = l;
	return l >= m->target;
}

START_TEST(an_edit_in_one_org_leaves_another_orgs_terminal_untouched)
{
	struct pty *c = e2e_spawn("carol", NULL, NULL, E2E_ROWS, E2E_COLS);
	struct pty *a;
	struct monotonic m = { 0, 0, false };
	struct invoice g;
	struct invoice_input in = { .customer = "Kwik-E-Mart Nord" };
	struct write_result res;
	struct inv_err err;

	SEE(c, "GLOBEX-1002");
	acc_wait_strip_aged(c, 10);
	a = e2e_open("alice", NULL);
	e2e_select(a, "ACME-1002");
	SEND(a, "\r");
	SEE(a, "Edit ACME-1002");
	SEND(a, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U "1300" PTY_KEY_F2);
	SEE(a, "Invoice saved.");
	/* and a peer's write in acme too */
	acc_peer_edit("ACME-1005", "Peer KK", NULL);
	SEE(a, "Peer KK");

	/* carol's strip keeps ageing through a whole second after both
	 * writes (her terminal reads the feed every 50 ms meanwhile) */
	m.last = acc_strip_age(c, "list");
	m.target = m.last + 10;
	if (!e2e_wait(c, ages_on, &m, E2E_WAIT_MS) || m.reset) {
		pty_dump(c, stderr);
		ck_abort_msg("globex's strip %s after an acme write: %s",
		             m.reset ? "was reset" : "stopped", acc_strip(c));
	}
	NOT_SHOWN(c, "ACME");
	/* her invalidation log is empty... */
	acc_inspector_open(c);
	SEE_ROW(c, e2e_row_of(c, "── Invalidation log") + 1, "(empty)");
	/* ...until her own org moves: then globex tags only, from the feed */
	ck_assert(store_find(e2e.st, &e2e.carol, "GLOBEX-1002", &g, &err) ==
	          INV_OK);
	ck_assert(store_edit(e2e.st, &e2e.carol, g.id, g.version, &in, 0, &res,
	                     &err) == INV_OK);
	SEE(c, "peer    list:2");
	SEE(c, "peer    summary:2");
	NOT_SHOWN(c, "list:1");
	NOT_SHOWN(c, "summary:1");
	SEE(c, "peer    invoice GLOBEX-1002");
	NOT_SHOWN(c, "invoice ACME");
	NOT_SHOWN(c, "invoice #");
	ck_assert_int_eq(acc_rows_holding(c, "peer    "), 3);
	acc_inspector_close(c);
	SEE(c, "Kwik-E-Mart Nord");
	e2e_quit(a);
	e2e_quit(c);
}
END_TEST

TCase *acc_tcase_freshness(void)
{
	TCase *tc = tcase_create("freshness");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, own_save_and_archive_show_fresh_on_the_frame_that_reports_them);
	tcase_add_test(tc, an_edit_in_one_org_leaves_another_orgs_terminal_untouched);
	return tc;
}
