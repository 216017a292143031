/*
 * test_drafts.c - seed 001 (draft autosave with its own version) and
 * seed 004 (a double-submitted form makes one record) at the terminal:
 * two terminals of one operator autosaving the same draft are each told
 * and shown both sides, never silently overwritten; a double F2 and a
 * double Enter in the create form make one invoice.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>


#include "acc.h"

#define DRAFT_PANEL "Your draft was saved from another terminal meanwhile."

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

struct draft_want {
	int64_t id;
	const char *text;
	int64_t version; /* the stored draft's version, when it holds text */
};

static bool draft_holds(struct pty *p, void *arg)
{
	struct draft_want *w = arg;
	struct draft d;
	struct inv_err err;

	(void)p;
	if (store_draft_load(e2e.st, &e2e.alice, w->id, NULL, &d, &err) != INV_OK ||
	    strstr(d.body, w->text) == NULL)
		return false;
	w->version = d.version;
	return true;
}

/* Wait until the stored draft holds text; returns its version. */
static int64_t wait_draft(struct pty *p, int64_t id, const char *text)
{
	struct draft_want w = { id, text, 0 };

	if (!e2e_wait(p, draft_holds, &w, E2E_WAIT_MS))
		ck_abort_msg("the stored draft never held \"%s\"", text);
	return w.version;
}

static void draft_is_still(int64_t id, const char *text, int64_t version)
{
	struct draft d;
	struct inv_err err;

	ck_assert(store_draft_load(e2e.st, &e2e.alice, id, NULL, &d, &err) == INV_OK);
	ck_assert_msg(strstr(d.body, text) != NULL, "draft: %s", d.body);
	ck_assert_int_eq(d.version, version);
}

START_TEST(two_terminals_of_one_operator_never_overwrite_a_draft_silently)
{
	struct pty *t1 = open_form("ACME-1002");
	struct pty *t2 = open_form("ACME-1002");
	int64_t id = e2e_invoice("ACME-1002").id, v1, v2;

	SEND(t1, PTY_KEY_CTRL_U "Entwurf Eins");
	SEE_FIELD(t1, "Customer", "Entwurf Eins");
	v1 = wait_draft(t1, id, "Entwurf Eins");

	/* the second terminal's autosave meets the first one's draft: it
	 * is told, and shown both, and the stored draft is not replaced */
	SEND(t2, PTY_KEY_CTRL_U "Entwurf Zwei");
	SEE(t2, DRAFT_PANEL);
	ROW_HAS(t2, "Entwurf Eins", "Entwurf Zwei");
	SEE(t2, "This form");
	draft_is_still(id, "Entwurf Eins", v1);
	/* keeping its own: saved over the stored version, knowingly */
	SEND(t2, "k");
	LOSE(t2, DRAFT_PANEL);
	SEE_FIELD(t2, "Customer", "Entwurf Zwei");
	v2 = wait_draft(t2, id, "Entwurf Zwei");
	ck_assert_int_gt(v2, v1);

	/* now the first terminal is the stale one, and is told in turn */
	SEND(t1, " plus");
	SEE(t1, DRAFT_PANEL);
	ROW_HAS(t1, "Entwurf Zwei", "Entwurf Eins plus");
	draft_is_still(id, "Entwurf Zwei", v2);
	/* taking the stored draft puts it in the form */
	SEND(t1, "t");
	LOSE(t1, DRAFT_PANEL);
	SEE_FIELD(t1, "Customer", "Entwurf Zwei");
	draft_is_still(id, "Entwurf Zwei", v2);
	/* nothing of it reached the invoice */
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "Initech GmbH");
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 1);

	for (int i = 0; i < 2; i++) {
		struct pty *t = i == 0 ? t1 : t2;

		SEND(t, PTY_KEY_ESC);
		SEE(t, "Discard unsaved changes? (y/n)");
		SEND(t, "y");
		LOSE(t, "Edit ACME-1002");
		e2e_quit(t);
	}
}
END_TEST

/* How many invoices of acme, deleted ones too, have this customer. */
static size_t invoices_named(const char *customer)
{
	struct invoice rows[8];
	struct inv_err err;
	size_t n = 0;

	ck_assert(store_page(e2e.st, &e2e.alice, VIEW_ALL, customer, 0,
	                     PAGE_FROM, rows, 8, &n, &err) == INV_OK);
	return n;
}

START_TEST(double_submit_of_the_create_form_makes_one_invoice)
{
	struct pty *p = e2e_open("alice", NULL);
	size_t audits = e2e_audit_count();

	/* F2 twice in one burst */
	SEND(p, "n");
	SEE(p, "New invoice");
	SEND(p, "Doppelt GmbH" PTY_KEY_TAB PTY_KEY_TAB "42.00");
	SEE_FIELD(p, "Total", "42.00");
	SEND(p, PTY_KEY_F2 PTY_KEY_F2);
	SEE(p, "Invoice created.");
	LOSE(p, "New invoice");
	SEE(p, "Doppelt GmbH");

	/* Enter twice on the last field, which submits */
	LOSE(p, "Invoice created.");
	SEND(p, "n");
	SEE(p, "New invoice");
	SEND(p, "Doppelt Enter AG" PTY_KEY_TAB PTY_KEY_TAB "7.00" PTY_KEY_TAB);
	SEE(p, "> Currency");
	SEND(p, "\r\r");
	SEE(p, "Invoice created.");
	LOSE(p, "New invoice");
	SEE(p, "Doppelt Enter AG");
	/* the second Enter went nowhere: no form opened behind the toast */
	NOT_SHOWN(p, "Edit ACME");
	NOT_SHOWN(p, "Invoice already created.");

	/* the writer works in order: once a later write has landed, any
	 * second create from those bursts would have landed before it */
	e2e_wait_selected(p, e2e_row_of(p, "Doppelt Enter AG"));
	SEND(p, "a");
	SEE(p, "Invoice archived.");
	ck_assert_uint_eq(invoices_named("Doppelt GmbH"), 1);
	ck_assert_uint_eq(invoices_named("Doppelt Enter AG"), 1);
	ck_assert_uint_eq(e2e_audit_count(), audits + 3);
	e2e_quit(p);
}
END_TEST

struct bob_draft {
	int64_t id;
	const char *text; /* NULL: wait until there is no draft */
};

static bool bob_draft_holds(struct pty *p, void *arg)
{
	struct bob_draft *w = arg;
	struct draft d;
	struct inv_err err;
	bool found;

	(void)p;
	found = store_draft_load(e2e.st, &e2e.bob, w->id, NULL, &d, &err) ==
	        INV_OK;
	if (!w->text)
		return !found;
	return found && strstr(d.body, w->text) != NULL;
}

static void wait_bob_draft(struct pty *p, int64_t id, const char *text)
{
	struct bob_draft w = { id, text };

	if (!e2e_wait(p, bob_draft_holds, &w, E2E_WAIT_MS))
		ck_abort_msg("bob's stored draft never held \"%s\"",
		             text ? text : "(none)");
}

static struct pty *open_form_as(const char *user, const char *number)
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

/*
 * The data-loss case of a stale draft: bob changes only the Status and his
 * terminal dies; alice saves a new Total from the command line (v1 -> v2);
 * bob restores the draft made on v1.  The form behaves as if it had stayed
 * open since v1: F2 meets the conflict panel, Merge keeps alice's Total and
 * bob's Status, and the audit shows nothing of hers replaced.
 */
START_TEST(stale_draft_restore_meets_the_conflict_panel_and_merges)
{
	struct pty *t = open_form_as("bob", "ACME-1013");
	struct invoice row = e2e_invoice("ACME-1013");
	const char *args[] = { "edit", "ACME-1013", "--version", "1",
	                       "--total", "2500.00", NULL };
	struct audit_entry e;
	char out[1024];

	ck_assert_int_eq(row.version, 1);
	ck_assert_int_eq(row.status, ST_DRAFT);
	/* bob: Status only, then his terminal is killed */
	SEND(t, PTY_KEY_TAB "s");
	SEE(t, "‹ Sent ›");
	wait_bob_draft(t, row.id, "\"sent\"");
	ck_assert_int_eq(pty_kill(t, SIGKILL), 0);
	pty_close(t, E2E_WAIT_MS);

	/* alice, from the command line: a new Total, v1 -> v2 */
	ck_assert_int_eq(acc_cli("alice", args, out, sizeof out), 0);
	ck_assert_int_eq(e2e_invoice("ACME-1013").version, 2);

	t = open_form_as("bob", "ACME-1013");
	SEE(t, "(made on v1, now v2)");
	SEND(t, "y");
	LOSE(t, "Restore unsaved draft");
	/* the form is where the draft was made: v1, its total 2,100.00 */
	SEE(t, "Version 1");
	SEE(t, "Changed elsewhere: v1 → v2");
	SEE_FIELD(t, "Total", "2100.00");
	SEE(t, "‹ Sent ›");
	SEND(t, PTY_KEY_F2);
	SEE(t, "This invoice changed elsewhere while you were editing.");
	/* theirs: alice's total; mine: bob's status, each marked */
	ROW_HAS(t, "* 2,500.00 CHF", "2,100.00 CHF");
	ROW_HAS(t, "* Sent", "Draft");
	ck_assert_int_eq(e2e_invoice("ACME-1013").version, 2);
	SEND(t, "m");
	SEE(t, "Merged onto v2: review, then save.");
	SEE_FIELD(t, "Total", "2500.00");
	SEE(t, "‹ Sent ›");
	SEND(t, PTY_KEY_F2);
	SEE(t, "Invoice saved.");
	row = e2e_invoice("ACME-1013");
	ck_assert_int_eq(row.version, 3);
	ck_assert_int_eq(row.total_minor, 250000);
	ck_assert_int_eq(row.status, ST_SENT);
	/* bob's save carries his Status and nothing of alice's Total */
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.actor, "bob");
	ck_assert_str_eq(e.action, "invoice.edit");
	ck_assert_msg(strstr(e.detail, "status") != NULL, "detail: %s",
	              e.detail);
	ck_assert_msg(strstr(e.detail, "total_minor") == NULL, "detail: %s",
	              e.detail);
	wait_bob_draft(t, row.id, NULL);
	e2e_quit(t);
}
END_TEST

/* The row of the draft panel that holds text, or -1. */
static int row_holding(struct pty *p, const char *text)
{
	for (int r = 0; r < E2E_ROWS; r++)
		if (strstr(e2e_row(p, r), text))
			return r;
	return -1;
}

/*
 * Two long customers that differ only at their ends: the draft conflict
 * panel shows both in full (wrapped over lines, never cut with an
 * ellipsis) and marks the field, so they cannot look identical.
 */
START_TEST(draft_conflict_shows_long_values_in_full_and_marks_them)
{
	static const char one[] =
		"Zürich (Bern) Holding AG für Logistik, Lager und Transport, "
		"Abteilung Nord";
	static const char two[] =
		"Zürich (Bern) Holding AG für Logistik, Lager und Transport, "
		"Abteilung Süd";
	struct pty *t1 = open_form("ACME-1002");
	struct pty *t2 = open_form("ACME-1002");
	int64_t id = e2e_invoice("ACME-1002").id;
	int nord, sud, mark;

	SEND(t1, PTY_KEY_CTRL_U);
	SEND(t1, one);
	SEE(t1, "Abteilung Nord");
	wait_draft(t1, id, "Abteilung Nord");
	SEND(t2, PTY_KEY_CTRL_U);
	SEND(t2, two);
	SEE(t2, DRAFT_PANEL);
	/* both ends are on screen, each on the panel's line for its side */
	SEE(t2, "Abteilung Nord");
	SEE(t2, "Abteilung Süd");
	nord = row_holding(t2, "Abteilung Nord");
	/* and nothing in the panel is cut short */
	for (int r = row_holding(t2, DRAFT_PANEL);
	     r <= row_holding(t2, "k keep mine"); r++)
		ck_assert_msg(strstr(e2e_row(t2, r), "…") == NULL,
		              "row %d cut: %s", r, e2e_row(t2, r));
	sud = row_holding(t2, "Abteilung Süd");
	ck_assert_int_eq(nord, sud);
	/* the field is marked as differing; equal ones are not */
	mark = row_holding(t2, "* Customer");
	ck_assert_int_ge(mark, 0);
	ck_assert_int_lt(mark, nord);
	ck_assert_int_eq(row_holding(t2, "* Status"), -1);
	SEE(t2, "* differs between the two");
	SEND(t2, "k");
	LOSE(t2, DRAFT_PANEL);
	for (int i = 0; i < 2; i++) {
		struct pty *t = i == 0 ? t1 : t2;

		SEND(t, PTY_KEY_ESC);
		SEE(t, "Discard unsaved changes? (y/n)");
		SEND(t, "y");
		LOSE(t, "Edit ACME-1002");
		e2e_quit(t);
	}
}
END_TEST

/* How many of alice's new-invoice drafts hold text (read beside the
 * core: the core loads one new-invoice draft at a time). */
static int new_drafts_holding(const char *text)
{
	char user[32];
	const char *v[2] = {user, text};

	snprintf(user, sizeof user, "%lld", (long long)e2e.alice.user_id);
	return (int)e2e_count(
		"SELECT count(*) FROM drafts WHERE invoice_id = 0 AND "
		"user_id = CAST(?1 AS INTEGER) AND instr(body, ?2) > 0",
		"SELECT count(*) FROM drafts WHERE invoice_id = 0 AND "
		"user_id = $1::bigint AND strpos(body, $2) > 0", 2, v);
}

struct new_draft_want {
	const char *text;
	int n;
};

static bool new_drafts_are(struct pty *p, void *arg)
{
	struct new_draft_want *w = arg;

	(void)p;
	return new_drafts_holding(w->text) == w->n;
}

static void wait_new_drafts(struct pty *p, const char *text, int n)
{
	struct new_draft_want w = { text, n };

	if (!e2e_wait(p, new_drafts_are, &w, E2E_WAIT_MS))
		ck_abort_msg("%d new-invoice drafts holding \"%s\", not %d",
		             new_drafts_holding(text), text, n);
}

static void open_create(struct pty *p)
{
	SEND(p, "n");
	SEE(p, "New invoice");
	SEE(p, "Esc close");
}

START_TEST(two_new_invoice_forms_keep_two_drafts)
{
	struct pty *t1 = e2e_open("alice", NULL);
	struct pty *t2 = e2e_open("alice", NULL);

	open_create(t1);
	open_create(t2);
	SEND(t1, "Erster Entwurf");
	SEE_FIELD(t1, "Customer", "Erster Entwurf");
	wait_new_drafts(t1, "Erster Entwurf", 1);
	SEND(t2, "Zweiter Entwurf");
	SEE_FIELD(t2, "Customer", "Zweiter Entwurf");
	wait_new_drafts(t2, "Zweiter Entwurf", 1);
	/* each form has its own draft: nobody is told of a clash */
	ck_assert_int_eq(new_drafts_holding("Entwurf"), 2);
	NOT_SHOWN(t2, DRAFT_PANEL);
	SEND(t1, " Plus");
	SEE_FIELD(t1, "Customer", "Erster Entwurf Plus");
	wait_new_drafts(t1, "Erster Entwurf Plus", 1);
	NOT_SHOWN(t1, DRAFT_PANEL);
	ck_assert_int_eq(new_drafts_holding("Zweiter Entwurf"), 1);
	/* both save; each leaves no draft behind */
	SEND(t1, PTY_KEY_TAB PTY_KEY_TAB "10.00" PTY_KEY_F2);
	SEE(t1, "Invoice created.");
	SEND(t2, PTY_KEY_TAB PTY_KEY_TAB "20.00" PTY_KEY_F2);
	SEE(t2, "Invoice created.");
	ck_assert_uint_eq(invoices_named("Erster Entwurf Plus"), 1);
	ck_assert_uint_eq(invoices_named("Zweiter Entwurf"), 1);
	wait_new_drafts(t2, "Entwurf", 0);
	e2e_quit(t1);
	e2e_quit(t2);
}
END_TEST

/* A restored new-invoice draft keeps its form's request token: submitted
 * from two forms, it makes one invoice, and the second is told so. */
START_TEST(restored_new_invoice_draft_submitted_twice_makes_one_invoice)
{
	struct pty *t1 = e2e_open("alice", NULL);
	struct pty *t2 = e2e_open("alice", NULL);

	open_create(t1);
	SEND(t1, "Wiederholt GmbH" PTY_KEY_TAB PTY_KEY_TAB "42.00");
	SEE_FIELD(t1, "Total", "42.00");
	wait_new_drafts(t1, "42.00", 1);
	SEND(t2, "n");
	SEE(t2, "Restore unsaved draft from");
	SEND(t2, "y");
	LOSE(t2, "Restore unsaved draft from");
	SEE_FIELD(t2, "Customer", "Wiederholt GmbH");
	SEND(t1, PTY_KEY_F2);
	SEE(t1, "Invoice created.");
	SEND(t2, PTY_KEY_F2);
	SEE(t2, "Invoice already created.");
	ck_assert_uint_eq(invoices_named("Wiederholt GmbH"), 1);
	e2e_quit(t1);
	e2e_quit(t2);
}
END_TEST

TCase *acc_tcase_drafts(void)
{
	TCase *tc = tcase_create("drafts");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, two_terminals_of_one_operator_never_overwrite_a_draft_silently);
	tcase_add_test(tc, double_submit_of_the_create_form_makes_one_invoice);
	tcase_add_test(tc, stale_draft_restore_meets_the_conflict_panel_and_merges);
	tcase_add_test(tc, draft_conflict_shows_long_values_in_full_and_marks_them);
	tcase_add_test(tc, two_new_invoice_forms_keep_two_drafts);
	tcase_add_test(tc, restored_new_invoice_draft_submitted_twice_makes_one_invoice);
	return tc;
}
