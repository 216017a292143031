/*
 * test_lifecycle.c - seed 003 (archive, restore, soft-delete) at the
 * terminal: every move shows in the inspector's row counts and audit tail
 * together, with the same counts in the summary line and the maintained
 * totals; the colliding ACME-1001 pair under All; and a stale archive
 * whose optimistic removal is seen before the row comes back with a
 * toast, never the conflict panel.
 */
#include <stdio.h>
#include <string.h>


#include "acc.h"

struct audit_top {
	const char *action;
	const char *versions;
};

/* The first line under the inspector's "Audit tail" heading holds the
 * action, ACME-1002 and the versions. */
static bool audit_top_is(struct pty *p, void *arg)
{
	const struct audit_top *want = arg;
	int row = pty_find_row(p, "── Audit tail");
	const char *r;

	if (row < 0)
		return false;
	r = e2e_row(p, row + 1);
	return strstr(r, want->action) && strstr(r, "ACME-1002") &&
	       strstr(r, want->versions) && strstr(r, "alice");
}

/* Open the inspector, check counts and the newest audit row, close. */
static void inspect(struct pty *p, const char *counts, const char *action,
                    const char *versions)
{
	struct audit_top want = { action, versions };
	char line[128];

	acc_inspector_open(p);
	snprintf(line, sizeof line, "Rows      %s", counts);
	SEE(p, line);
	if (action && !e2e_wait(p, audit_top_is, &want, E2E_WAIT_MS)) {
		pty_dump(p, stderr);
		ck_abort_msg("the audit tail does not start with %s %s", action,
		             versions);
	}
	acc_inspector_close(p);
}

/* The maintained totals agree with what the screens say. */
static void counts_are(long long active, long long archived,
                       long long deleted)
{
	struct summary sum;
	struct inv_err err;

	ck_assert(store_summary(e2e.st, &e2e.alice, &sum, &err) == INV_OK);
	ck_assert_int_eq(sum.count[LIFE_ACTIVE], active);
	ck_assert_int_eq(sum.count[LIFE_ARCHIVED], archived);
	ck_assert_int_eq(sum.count[LIFE_DELETED], deleted);
}

START_TEST(archive_restore_delete_move_counts_and_audit_tail_together)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t id = e2e_invoice("ACME-1002").id;
	size_t audits = e2e_audit_count();

	inspect(p, "active 10 · archived 2 · deleted 3", NULL, NULL);

	/* each move resets both ages of the strip on the frame of its toast
	 * (seed 002), so the strip must have aged before it */
	e2e_select(p, "ACME-1002");
	acc_wait_strip_aged(p, 10);
	SEND(p, "a");
	SEE(p, "Invoice archived.");
	acc_strip_fresh(p);
	LOSE(p, "Initech GmbH");
	SEE(p, " 9 active · 3 archived · 3 deleted");
	inspect(p, "active 9 · archived 3 · deleted 3", "invoice.archive",
	        "v1→v2");
	counts_are(9, 3, 3);
	ck_assert_uint_eq(e2e_audit_count(), audits + 1);

	/* under Archived, with its date, and r restores it */
	SEND(p, "2");
	ROW_HAS(p, "ACME-1002", "Initech GmbH");
	SEE(p, "Archived on");
	e2e_select(p, "ACME-1002");
	acc_wait_strip_aged(p, 10);
	SEND(p, "r");
	SEE(p, "Invoice restored.");
	acc_strip_fresh(p);
	LOSE(p, "Initech GmbH");
	SEE(p, " 10 active · 2 archived · 3 deleted");
	inspect(p, "active 10 · archived 2 · deleted 3", "invoice.restore",
	        "v2→v3");
	counts_are(10, 2, 3);
	ck_assert_uint_eq(e2e_audit_count(), audits + 2);

	/* the admin's soft delete: gone from Active, badged under All */
	SEND(p, "1");
	e2e_select(p, "ACME-1002");
	SEND(p, "d");
	SEE(p, "Delete invoice ACME-1002? (y/n)");
	acc_wait_strip_aged(p, 10);
	SEND(p, "y");
	SEE(p, "Invoice deleted.");
	acc_strip_fresh(p);
	LOSE(p, "Initech GmbH");
	SEE(p, " 9 active · 2 archived · 4 deleted");
	inspect(p, "active 9 · archived 2 · deleted 4", "invoice.delete",
	        "v3→v4");
	counts_are(9, 2, 4);
	ck_assert_uint_eq(e2e_audit_count(), audits + 3);
	SEND(p, "3");
	ROW_ENDS(p, "Initech GmbH", "Deleted");

	/* and restored from the deleted state, back to Active */
	e2e_select(p, "Initech GmbH");
	/* the first restore's toast must be gone, or it would be mistaken
	 * for this one's */
	LOSE(p, "Invoice restored.");
	acc_wait_strip_aged(p, 10);
	SEND(p, "r");
	SEE(p, "Invoice restored.");
	acc_strip_fresh(p);
	SEE(p, " 10 active · 2 archived · 3 deleted");
	inspect(p, "active 10 · archived 2 · deleted 3", "invoice.restore",
	        "v4→v5");
	counts_are(10, 2, 3);
	ck_assert_uint_eq(e2e_audit_count(), audits + 4);
	ck_assert_str_eq(e2e_invoice_id(id).deleted_at, "");
	ck_assert_int_eq(e2e_invoice_id(id).version, 5);
	e2e_quit(p);
}
END_TEST

START_TEST(colliding_acme_1001_pair_shows_under_all_for_an_admin)
{
	struct pty *p = e2e_open("alice", NULL);
	struct pty *b;
	int first, second;

	/* Active: one ACME-1001 */
	SEE(p, "ACME-1001");
	ck_assert_int_eq(acc_rows_holding(p, "ACME-1001"), 1);
	SEND(p, "3");
	SEE(p, "Vandelay");
	/* All: the live one and the deleted one, same number */
	acc_wait_rows_holding(p, "ACME-1001", 2);
	first = e2e_row_of(p, "ACME-1001");
	second = -1;
	for (int r = first + 1; r < E2E_ROWS - 3; r++)
		if (strstr(e2e_row(p, r), "ACME-1001"))
			second = r;
	ck_assert_int_gt(second, first);
	ck_assert_msg((strstr(e2e_row(p, first), "Deleted") != NULL) !=
	              (strstr(e2e_row(p, second), "Deleted") != NULL),
	              "exactly one of the pair is deleted:\n%s\n%s",
	              e2e_row(p, first), e2e_row(p, second));
	/* the inspector says why both may exist */
	acc_inspector_open(p);
	SEE(p, "invoices(org_id, number) WHERE deleted_at IS NULL");
	SEE(p, "deleted ACME-1001 keeps its number, and a live one may exist");
	acc_inspector_close(p);
	e2e_quit(p);

	/* a member sees one, and no All */
	b = e2e_open("bob", NULL);
	ck_assert_int_eq(acc_rows_holding(b, "ACME-1001"), 1);
	SEND(b, "3");
	SEE(b, "The All view is for admins only.");
	ck_assert_int_eq(acc_rows_holding(b, "ACME-1001"), 1);
	e2e_quit(b);
}
END_TEST

START_TEST(stale_archive_leaves_at_once_then_returns_with_a_toast)
{
	struct pty *p = e2e_open("alice", NULL);
	int64_t id = e2e_invoice("ACME-1002").id;

	/* drift, then hold the lock, so the optimistic removal stays on
	 * screen long enough to be seen before the refusal comes back */
	e2e_select(p, "ACME-1002");
	acc_inspector_open(p);
	SEND(p, "f");
	SEE(p, "Drift forced: ACME-1002 is v2 elsewhere");
	ck_assert_int_eq(e2e_invoice_id(id).version, 2);
	SEND(p, "l");
	SEE(p, "Holding the write lock for 5 seconds.");
	ck_assert(e2e_wait(p, e2e_lock_held, NULL, E2E_WAIT_MS));
	acc_inspector_close(p);
	ROW_ENDS(p, "ACME-1002", " 1");

	SEND(p, "a");
	LOSE(p, "Initech GmbH");
	SEE(p, "waiting for the database lock…");
	/* the lock goes, the stale archive is refused: the row is back,
	 * the toast says why, and there is no conflict panel */
	SEE(p, "ACME-1002 changed elsewhere; refreshed to v2 — a tries again.");
	SEE(p, "Initech GmbH");
	ROW_ENDS(p, "ACME-1002", " 2");
	NOT_SHOWN(p, "while you were editing");
	NOT_SHOWN(p, "Invoice archived.");
	ck_assert_str_eq(e2e_invoice_id(id).archived_at, "");
	/* refreshed, the retry lands */
	e2e_select(p, "ACME-1002");
	SEND(p, "a");
	SEE(p, "Invoice archived.");
	LOSE(p, "Initech GmbH");
	ck_assert(e2e_invoice_id(id).archived_at[0] != '\0');
	e2e_quit(p);
}
END_TEST

/* After `a` the toast offers `u`: a guarded restore at the version the
 * archive wrote.  A second `u` has nothing left to undo; an archive whose
 * invoice moved since is not undone over the newer version. */
START_TEST(archive_toast_offers_undo_as_a_guarded_restore)
{
	struct pty *p = e2e_open("bob", NULL);
	struct invoice row = e2e_invoice("ACME-1002");
	struct audit_entry e;

	e2e_select(p, "ACME-1002");
	SEND(p, "a");
	SEE(p, "Invoice archived. u undo");
	LOSE(p, "Initech GmbH");
	SEND(p, "u");
	SEE(p, "Invoice restored.");
	SEE(p, "Initech GmbH");
	/* the offer is taken: its toast is gone */
	LOSE(p, "u undo");
	row = e2e_invoice("ACME-1002");
	ck_assert_str_eq(row.archived_at, "");
	ck_assert_int_eq(row.version, 3);
	e = e2e_audit_newest(row.id);
	ck_assert_str_eq(e.action, "invoice.restore");
	ck_assert_int_eq(e.from_version, 2);
	SEND(p, "u");
	SEE(p, "Nothing to undo.");
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, 3);

	/* archived again, then changed elsewhere: the undo is refused */
	e2e_select(p, "ACME-1002");
	SEND(p, "a");
	SEE(p, "Invoice archived. u undo");
	e2e_peer_set_customer("ACME-1002", "Moved On AG");
	SEND(p, "u");
	/* the archived row is not in this view: no key to press for it */
	SEE(p, "ACME-1002 changed elsewhere (now v5); nothing was changed.");
	row = e2e_invoice_id(row.id);
	ck_assert_str_ne(row.archived_at, "");
	ck_assert_str_eq(row.customer, "Moved On AG");
	ck_assert_int_eq(row.version, 5);
	e2e_quit(p);
}
END_TEST

/* `d` still asks before it deletes. */
START_TEST(delete_keeps_its_question)
{
	struct pty *p = e2e_open("alice", NULL);

	e2e_select(p, "ACME-1002");
	SEND(p, "d");
	SEE(p, "Delete invoice ACME-1002? (y/n)");
	SEND(p, "n");
	LOSE(p, "Delete invoice ACME-1002?");
	ck_assert_str_eq(e2e_invoice("ACME-1002").deleted_at, "");
	e2e_quit(p);
}
END_TEST

TCase *acc_tcase_lifecycle(void)
{
	TCase *tc = tcase_create("lifecycle");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, archive_restore_delete_move_counts_and_audit_tail_together);
	tcase_add_test(tc, colliding_acme_1001_pair_shows_under_all_for_an_admin);
	tcase_add_test(tc, stale_archive_leaves_at_once_then_returns_with_a_toast);
	tcase_add_test(tc, archive_toast_offers_undo_as_a_guarded_restore);
	tcase_add_test(tc, delete_keeps_its_question);
	return tc;
}
