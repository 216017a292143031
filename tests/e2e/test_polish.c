/*
 * test_polish.c - the screen's finish at 80x24: toasts on a row of their
 * own that never outlive what they say, columns that keep the Customer
 * readable and do not move with the data, `--open` of an archived
 * invoice, leaving with a write still out (q, a second q, Ctrl-C), and
 * the worker threads that never take the process's signals.
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "e2e.h"

#define MESSAGE_ROW (E2E_ROWS - 4)
#define SUMMARY_ROW (E2E_ROWS - 2)
#define HINTS_ROW (E2E_ROWS - 1)

static const char summary_line[] =
	" 10 active · 2 archived · 3 deleted  | 812.125 BHD · 2,100.00 CHF"
	"         t 1/4";
static const char hints_line[] =
	" Enter edit  n new  d delete  i inspect  / filter  h history  ? help"
	"  q quit";

static bool row_reads(struct pty *p, int row, const char *text)
{
	char buf[1024];

	pty_row_text(p, row, buf, sizeof buf);
	return strcmp(buf, text) == 0;
}

struct toast_probe {
	const char *toast;
};

/* The toast shows on the message row while the summary and the hints
 * read whole: one screen holding all three. */
static bool toast_beside_summary(struct pty *p, void *arg)
{
	const struct toast_probe *t = arg;

	return strstr(e2e_row(p, MESSAGE_ROW), t->toast) != NULL &&
	       row_reads(p, SUMMARY_ROW, summary_line) &&
	       row_reads(p, HINTS_ROW, hints_line);
}

START_TEST(toast_has_a_row_of_its_own_above_summary_and_hints)
{
	struct pty *p = e2e_open("alice", NULL);
	struct toast_probe t = { "Nothing to undo." };

	SEE_ROW(p, SUMMARY_ROW, "t 1/4");
	SEND(p, "u");
	if (!e2e_wait(p, toast_beside_summary, &t, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("the toast is not on the message row with the "
		             "summary and the hints whole beside it");
	}
	e2e_quit(p);
}
END_TEST

/* The inspector's bottom border reads whole while a toast shows, on a
 * row below it. */
static bool toast_below_border(struct pty *p, void *arg)
{
	const struct toast_probe *t = arg;
	int toast = pty_find_row(p, t->toast), border = pty_find_row(p, "└");
	const char *row;

	if (toast < 0 || border < 0 || toast <= border)
		return false;
	row = e2e_row(p, border);
	return strncmp(row, " └", strlen(" └")) == 0 &&
	       strlen(row) >= strlen("┘") &&
	       strcmp(row + strlen(row) - strlen("┘"), "┘") == 0;
}

START_TEST(toast_never_covers_a_panels_border)
{
	struct pty *p = e2e_open("alice", NULL);
	struct toast_probe t = { "Holding the write lock" };

	SEND(p, "i");
	SEE(p, "Inspector");
	SEND(p, "l");
	if (!e2e_wait(p, toast_below_border, &t, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("the toast covers the inspector's border, or is "
		             "not below it");
	}
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	e2e_quit(p);
}
END_TEST

START_TEST(drift_toast_goes_when_the_row_shows_the_new_version)
{
	/* wide enough for the newer toast and the drift's side by side */
	struct pty *p = e2e_spawn("alice", NULL, NULL, E2E_ROWS, 200);

	SEE(p, "ACME-1001");

	e2e_select(p, "ACME-1002");
	SEND(p, "i");
	SEE(p, "force drift on ACME-1002");
	SEND(p, "f");
	SEE(p, "this screen still shows v1.");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	ROW_ENDS(p, "ACME-1002", " 1");
	/* the stale archive brings the row back as it is now: v2 */
	SEND(p, "a");
	ROW_ENDS(p, "ACME-1002", " 2");
	SEE(p, "a tries again.");
	/* the frame that shows v2 no longer says "still shows v1" (the
	 * toast would otherwise stay its three seconds) */
	ck_assert(pty_wait_quiet(p, 50, E2E_WAIT_MS));
	NOT_SHOWN(p, "still shows v1");
	e2e_quit(p);
}
END_TEST

/* Column of text in the table's header row, or -1. */
static int header_col(struct pty *p, const char *text)
{
	const char *row = e2e_row(p, E2E_HEADER_ROW);
	const char *at = strstr(row, text);

	return at ? (int)(at - row) : -1;
}

START_TEST(archived_and_all_views_keep_the_customer_readable)
{
	struct pty *p = e2e_open("alice", NULL);
	int cust, status;

	SEND(p, "2");
	SEE_ROW(p, E2E_HEADER_ROW, "Archived on");
	SEE(p, "Umbrella Logistics");
	cust = header_col(p, "Customer");
	status = header_col(p, "Status");
	ck_assert_msg(cust > 0 && status - cust >= 29,
	              "the Archived view's Customer is %d columns wide",
	              status - cust - 1);
	ROW_HAS(p, "ACME-1004", "2026-");

	SEND(p, "3");
	SEE_ROW(p, E2E_HEADER_ROW, "State");
	/* the longest demo name whole, beside the state column */
	ROW_HAS(p, "Bahrain Pearl Trading W.L.L.", "Draft");
	ROW_ENDS(p, "Vandelay Industries", "Deleted");
	cust = header_col(p, "Customer");
	status = header_col(p, "Status");
	ck_assert_msg(cust > 0 && status - cust >= 29,
	              "the All view's Customer is %d columns wide",
	              status - cust - 1);
	e2e_quit(p);
}
END_TEST

START_TEST(column_widths_do_not_follow_the_rows_shown)
{
	struct pty *p = e2e_open("alice", NULL);
	char header[256];

	SEE(p, "250,000.00 USD");
	snprintf(header, sizeof header, "%s", e2e_row(p, E2E_HEADER_ROW));
	/* a page of one short total: the columns stay where they were */
	SEND(p, "/");
	SEND(p, "Hooli");
	LOSE(p, "Initech GmbH");
	SEE(p, "999.00 USD");
	ROW_IS(p, E2E_HEADER_ROW, header);
	SEND(p, PTY_KEY_ESC);
	SEE(p, "Initech GmbH");
	ROW_IS(p, E2E_HEADER_ROW, header);
	e2e_quit(p);
}
END_TEST

START_TEST(open_of_an_archived_invoice_opens_over_the_archived_view)
{
	const char *const args[] = { "--open", "ACME-1004", NULL };
	struct pty *p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);
	const char *r;
	int col;

	SEE(p, "Edit ACME-1004");
	SEE_ROW(p, E2E_ROWS - 1, "quit");
	r = strstr(e2e_row(p, 1), "2 Archived");
	ck_assert(r != NULL);
	col = (int)(r - e2e_row(p, 1));
	ck_assert_msg(pty_cell_reverse(p, 1, col),
	              "the Archived tab is not the current one");
	SEND(p, PTY_KEY_ESC);
	/* the form's last row goes last: then none of it is left */
	LOSE(p, "Edit ACME-1004");
	LOSE(p, "F2 save");
	SEE_ROW(p, E2E_HEADER_ROW, "Archived on");
	e2e_wait_selected(p, e2e_row_of(p, "ACME-1004"));
	NOT_SHOWN(p, "Initech GmbH");
	e2e_quit(p);
}
END_TEST

/* An archive of ACME-1002 that waits for the lock the test holds. */
static struct pty *archive_waiting(struct e2e_lock **lock)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	*lock = e2e_lock_take();
	SEND(p, "a");
	LOSE(p, "Initech GmbH");
	SEE(p, "waiting for the database lock…");
	return p;
}

START_TEST(q_with_a_write_pending_says_it_is_finishing)
{
	struct e2e_lock *lock;
	struct pty *p = archive_waiting(&lock);
	int64_t id = e2e_invoice("ACME-1002").id;

	SEND(p, "q");
	SEE(p, "Finishing a write before quitting… q quits now.");
	/* the screen stays up, not blank, while the write waits */
	ck_assert(pty_alt_screen(p));
	SEE_ROW(p, SUMMARY_ROW, "active");
	e2e_lock_release(lock);
	/* the write lands, then the program leaves by itself */
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 0);
	ck_assert(e2e_invoice_id(id).archived_at[0] != '\0');
}
END_TEST

START_TEST(second_q_leaves_and_says_the_write_was_abandoned)
{
	struct e2e_lock *lock;
	struct pty *p = archive_waiting(&lock);
	int64_t id = e2e_invoice("ACME-1002").id;

	SEND(p, "q");
	SEE(p, "Finishing a write before quitting");
	SEND(p, "q");
	/* the lock is still held: leaving does not wait for the write */
	SEE(p, "was abandoned at quitting");
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 0);
	e2e_lock_release(lock);
	ck_assert_str_eq(e2e_invoice_id(id).archived_at, "");
}
END_TEST

START_TEST(a_write_refused_while_finishing_is_said_after_the_screen)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t id = e2e_invoice("ACME-1002").id;
	struct e2e_lock *lock;

	/* a stale archive (forced drift) that waits for the test's lock */
	e2e_select(p, "ACME-1002");
	SEND(p, "i");
	SEE(p, "force drift on ACME-1002");
	SEND(p, "f");
	SEE(p, "this screen still shows v1.");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	lock = e2e_lock_take();
	SEND(p, "a");
	SEE(p, "waiting for the database lock…");
	SEND(p, "q");
	SEE(p, "Finishing a write before quitting");
	e2e_lock_release(lock);
	/* refused, the program leaves, and the shell is told why */
	SEE(p, "inved: invoice ACME-1002 changed elsewhere");
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 0);
	ck_assert_str_eq(e2e_invoice_id(id).archived_at, "");
}
END_TEST

START_TEST(ctrl_c_says_the_draft_was_kept)
{
	const char *const args[] = { "--open", "ACME-1002", NULL };
	struct pty *p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);

	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_CTRL_U);
	SEND(p, "Abgebrochen GmbH");
	SEE_FIELD(p, "Customer", "Abgebrochen GmbH");
	SEND(p, "\x03");
	SEE(p, "your unsaved edits were kept as a draft");
	ck_assert(!pty_alt_screen(p));
	ck_assert_int_eq(pty_close(p, E2E_WAIT_MS), 130);
}
END_TEST

/* A quiet sign under the fields when the draft was kept, and the draft
 * is really there: the command line's own read of the database. */
START_TEST(the_form_says_quietly_when_the_draft_was_kept)
{
	const char *const args[] = { "--open", "ACME-1002", NULL };
	struct pty *p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);

	SEE(p, "Edit ACME-1002");
	ck_assert_int_lt(pty_find_row(p, "Draft kept at"), 0);
	SEND(p, PTY_KEY_CTRL_U);
	SEND(p, "Kept Draft Ltd");
	SEE_FIELD(p, "Customer", "Kept Draft Ltd");
	SEE(p, "Draft kept at");
	ck_assert_int_eq(e2e_count("SELECT count(*) FROM drafts WHERE body "
	                           "LIKE '%Kept Draft Ltd%'",
	                           "SELECT count(*) FROM drafts WHERE body "
	                           "LIKE '%Kept Draft Ltd%'", 0, NULL), 1);
	SEND(p, PTY_KEY_ESC);
	pty_close(p, E2E_WAIT_MS);
}
END_TEST

/* SigBlk of one thread of pid, or false when it cannot be read. */
static bool thread_blocked(int pid, const char *tid, unsigned long long *mask)
{
	char path[512], line[256];
	FILE *f;
	bool found = false;

	snprintf(path, sizeof path, "/proc/%d/task/%s/status", pid, tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "SigBlk: %llx", mask) == 1)
			found = true;
	fclose(f);
	return found;
}

/* Every thread but the main one blocks INT, TERM and HUP; *threads
 * counts the others.  False while some thread lets one through. */
static bool workers_block_signals(struct pty *p, void *arg)
{
	int *threads = arg, pid = (int)pty_pid(p);
	char path[64];
	DIR *d;
	struct dirent *e;
	bool ok = true;
	const unsigned long long want = (1ULL << (SIGINT - 1)) |
	                                (1ULL << (SIGTERM - 1)) |
	                                (1ULL << (SIGHUP - 1));

	*threads = 0;
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	d = opendir(path);
	if (!d)
		return false;
	while ((e = readdir(d))) {
		unsigned long long mask = 0;
		if (e->d_name[0] == '.' || atoi(e->d_name) == pid)
			continue;
		if (!thread_blocked(pid, e->d_name, &mask) ||
		    (mask & want) != want)
			ok = false;
		(*threads)++;
	}
	closedir(d);
	return ok;
}

START_TEST(worker_threads_never_take_the_process_signals)
{
	struct pty *p = e2e_open("alice", NULL);
	int threads = 0;

	/* the writer runs from the start; `l` adds the lock holder */
	SEND(p, "i");
	SEE(p, "Inspector");
	SEND(p, "l");
	SEE(p, "Holding the write lock");
	if (!e2e_wait(p, workers_block_signals, &threads, E2E_WAIT_MS))
		ck_abort_msg("a worker thread does not block SIGINT, SIGTERM "
		             "and SIGHUP");
	ck_assert_int_ge(threads, 2);
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Inspector");
	e2e_quit(p);
}
END_TEST

START_TEST(help_names_every_key_the_table_binds)
{
	struct pty *p = e2e_open("alice", NULL);

	SEND(p, "?");
	SEE(p, "move the selection");
	/* bound all along, named only since the keymap drives the help */
	SEE(p, "PgUp PgDn ^B ^F");
	SEE(p, "1 2 3 Tab S-Tab");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "move the selection");
	/* ^F pages as the help says: from the first row to the last */
	SEND(p, "\x06");
	e2e_wait_selected(p, e2e_row_of(p, "ACME-1014"));
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_polish(void)
{
	TCase *tc = tcase_create("polish");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, toast_has_a_row_of_its_own_above_summary_and_hints);
	tcase_add_test(tc, toast_never_covers_a_panels_border);
	tcase_add_test(tc, drift_toast_goes_when_the_row_shows_the_new_version);
	tcase_add_test(tc, archived_and_all_views_keep_the_customer_readable);
	tcase_add_test(tc, column_widths_do_not_follow_the_rows_shown);
	tcase_add_test(tc,
	               open_of_an_archived_invoice_opens_over_the_archived_view);
	tcase_add_test(tc, q_with_a_write_pending_says_it_is_finishing);
	tcase_add_test(tc, second_q_leaves_and_says_the_write_was_abandoned);
	tcase_add_test(tc,
	               a_write_refused_while_finishing_is_said_after_the_screen);
	tcase_add_test(tc, ctrl_c_says_the_draft_was_kept);
	tcase_add_test(tc, the_form_says_quietly_when_the_draft_was_kept);
	tcase_add_test(tc, worker_threads_never_take_the_process_signals);
	tcase_add_test(tc, help_names_every_key_the_table_binds);
	return tc;
}
