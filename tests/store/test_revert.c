/*
 * test_revert.c - revert and renumber: the values of an earlier version
 * come back from the audit history as a guarded, audited edit; an
 * overwrite can always be undone; the partial unique index judges a new
 * number.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "testdb.h"

static struct fixture fx;

static void setup(void) { fixture_setup(&fx); }
static void teardown(void) { fixture_teardown(&fx); }

static struct invoice edit_ok(const struct identity *who, int64_t id,
                              int64_t version, struct invoice_input in,
                              int flags)
{
	struct write_result res;
	struct inv_err err;

	ck_assert_msg(store_edit(fx.st, who, id, version, &in, flags, &res,
	                         &err) == INV_OK,
	              "edit: %s", err.msg);
	return res.row;
}

/* A writer that is not inved (the sqlite3 shell, psql). */
static void raw_exec(const char *sql)
{
	fixture_exec(&fx, sql, NULL);
}

/* Run sql with the audit's delete guard lifted, then reinstall the guard
 * with its exact text, as a writer who can alter the schema could (on
 * PostgreSQL the superuser, whose session fires no trigger). */
static void raw_exec_unguarded(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	char *guard = NULL, *msg = NULL;

	if (testdb_pg()) {
		char all[512];

		snprintf(all, sizeof all, "BEGIN; SET LOCAL "
		         "session_replication_role = replica; %s; COMMIT", sql);
		testdb_su_exec(fx.path, all);
		return;
	}
	db = fixture_raw(&fx);

	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT sql FROM sqlite_master WHERE name = 'audit_before_delete'",
		-1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		guard = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (guard)
		ck_assert_int_eq(sqlite3_exec(db,
			"DROP TRIGGER audit_before_delete", NULL, NULL, NULL),
			SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK,
	              "%s: %s", sql, msg ? msg : "");
	if (guard)
		ck_assert_int_eq(sqlite3_exec(db, guard, NULL, NULL, NULL),
		                 SQLITE_OK);
	free(guard);
	sqlite3_close(db);
}

START_TEST(revert_undoes_an_overwrite_and_names_who_set_each_value)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice v2, v3;
	struct revert_plan plan;
	struct write_result res;
	struct audit_entry a;
	struct inv_err err;
	size_t n;

	v2 = edit_ok(&fx.bob, v1.id, 1, (struct invoice_input){.total = "1300"},
	             0);
	/* alice overwrites from a stale copy: her Total replaces bob's */
	v3 = edit_ok(&fx.alice, v1.id, 1,
	             (struct invoice_input){.total = "999", .customer = "Initech AG"},
	             WRITE_OVERWRITE);
	ck_assert_int_eq(v3.version, 3);
	ck_assert_int_eq(store_revert_plan(fx.st, &fx.bob, v1.id, 2, &plan,
	                                   &err), INV_OK);
	ck_assert(plan.changes[REVERT_MONEY]);
	ck_assert(plan.changes[REVERT_CUSTOMER]);
	ck_assert(!plan.changes[REVERT_STATUS]);
	ck_assert(!plan.changes[REVERT_NUMBER]);
	ck_assert_str_eq(plan.set_by[REVERT_MONEY], "alice");
	ck_assert_int_eq(plan.set_in[REVERT_MONEY], 3);
	ck_assert_int_eq(plan.target.total_minor, 130000);
	ck_assert_str_eq(plan.target.customer, "Initech GmbH");

	ck_assert_int_eq(store_revert(fx.st, &fx.bob, v1.id, 2, 3, NULL, &res,
	                              &err), INV_OK);
	ck_assert_int_eq(res.row.version, 4);
	ck_assert_int_eq(res.row.total_minor, v2.total_minor);
	ck_assert_str_eq(res.row.customer, "Initech GmbH");
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.bob, v1.id, &a, 1, &n,
	                                  &err), INV_OK);
	ck_assert_str_eq(a.action, "invoice.revert");
	ck_assert_str_eq(a.actor, "bob");
	ck_assert_int_eq(a.from_version, 3);
	ck_assert_int_eq(a.to_version, 4);
	ck_assert_msg(fixture_detail_has(a.detail, "total_minor", "99900",
	                                 "130000"), "%s", a.detail);
}
END_TEST

START_TEST(stale_revert_is_a_conflict_and_writes_nothing)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits;

	edit_ok(&fx.bob, v1.id, 1, (struct invoice_input){.total = "1300"}, 0);
	edit_ok(&fx.bob, v1.id, 2, (struct invoice_input){.status = "paid"}, 0);
	audits = fixture_count(&fx, "SELECT count(*) FROM audit");
	ck_assert_int_eq(store_revert(fx.st, &fx.alice, v1.id, 1, 2, NULL, &res,
	                              &err), INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, 3);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits);
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version, 3);
}
END_TEST

START_TEST(revert_reads_a_foreign_writers_edit_from_the_history)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	char sql[256];

	/* an external writer (the sqlite3 shell) changes currency and total */
	snprintf(sql, sizeof sql,
	         "UPDATE invoices SET total_minor = 5000, currency = 'JPY' "
	         "WHERE id = %lld", (long long)v1.id);
	raw_exec(sql);
	/* then alice renames the customer on top of it */
	edit_ok(&fx.alice, v1.id, 2,
	        (struct invoice_input){.customer = "Initech KK"}, 0);
	/* back to v2: the foreign values stay, the customer returns */
	ck_assert_int_eq(store_revert(fx.st, &fx.alice, v1.id, 2, 3, NULL, &res,
	                              &err), INV_OK);
	ck_assert_str_eq(res.row.currency, "JPY");
	ck_assert_int_eq(res.row.total_minor, 5000);
	ck_assert_str_eq(res.row.customer, "Initech GmbH");
	/* back to v1: total and currency return as one unit */
	ck_assert_int_eq(store_revert(fx.st, &fx.alice, v1.id, 1, 4, NULL, &res,
	                              &err), INV_OK);
	ck_assert_str_eq(res.row.currency, "EUR");
	ck_assert_int_eq(res.row.total_minor, 120000);
}
END_TEST

START_TEST(revert_keeps_the_lifecycle_and_refuses_deleted_rows)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;

	edit_ok(&fx.bob, v1.id, 1, (struct invoice_input){.customer = "X Ltd"},
	        0);
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, v1.id, 2, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(store_revert(fx.st, &fx.bob, v1.id, 1, 3, NULL, &res,
	                              &err), INV_OK);
	ck_assert_str_eq(res.row.customer, "Initech GmbH");
	ck_assert(res.row.archived_at[0] != '\0');
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, v1.id, 4, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(store_revert(fx.st, &fx.alice, v1.id, 1, 5, NULL, &res,
	                              &err), INV_NOT_FOUND);
}
END_TEST

START_TEST(revert_to_the_current_or_a_future_version_is_invalid)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct revert_plan plan;
	struct inv_err err;

	edit_ok(&fx.bob, v1.id, 1, (struct invoice_input){.customer = "Y"}, 0);
	ck_assert_int_eq(store_revert(fx.st, &fx.bob, v1.id, 2, 2, NULL, &res,
	                              &err), INV_INVALID);
	ck_assert_int_eq(store_revert(fx.st, &fx.bob, v1.id, 9, 2, NULL, &res,
	                              &err), INV_INVALID);
	ck_assert_int_eq(store_revert_plan(fx.st, &fx.bob, v1.id, 0, &plan,
	                                   &err), INV_INVALID);
	/* another org's invoice is simply not there */
	ck_assert_int_eq(store_revert(fx.st, &fx.carol, v1.id, 1, 2, NULL, &res,
	                              &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_revert_plan(fx.st, &fx.carol, v1.id, 1, &plan,
	                                   &err), INV_NOT_FOUND);
}
END_TEST

START_TEST(revert_with_a_gap_in_the_history_is_refused)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	char sql[256];

	edit_ok(&fx.bob, v1.id, 1, (struct invoice_input){.customer = "Z"}, 0);
	/* a hostile writer who lifts the append-only guard, removes the
	 * creation's audit row and puts the guard back as it was */
	snprintf(sql, sizeof sql,
	         "DELETE FROM audit WHERE subject_id = %lld AND from_version = 0",
	         (long long)v1.id);
	raw_exec_unguarded(sql);
	ck_assert_int_eq(store_revert(fx.st, &fx.bob, v1.id, 1, 2, NULL, &res,
	                              &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not hold"));
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version, 2);
}
END_TEST

START_TEST(renumber_is_guarded_audited_and_judged_by_the_live_index)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input taken = {.number = "ACME-1003"};
	struct invoice_input digits = {.number = "1234"};
	struct write_result res;
	struct audit_entry a;
	struct inv_err err;
	struct invoice row;
	size_t n;

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, v1.id, 1, &taken, 0, &res,
	                            &err), INV_CONFLICT);
	ck_assert_str_eq(err.field, "number");
	ck_assert_ptr_nonnull(strstr(err.msg, "ACME-1003"));
	/* not a stale copy: no current row to retry at */
	ck_assert(!res.have_row);
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, v1.id, 1, &digits, 0, &res,
	                            &err), INV_INVALID);
	row = edit_ok(&fx.bob, v1.id, 1,
	              (struct invoice_input){.number = "ACME-2002"}, 0);
	ck_assert_str_eq(row.number, "ACME-2002");
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.bob, v1.id, &a, 1, &n,
	                                  &err), INV_OK);
	ck_assert_msg(fixture_detail_has(a.detail, "number", "\"ACME-1002\"",
	                                 "\"ACME-2002\""), "%s", a.detail);
}
END_TEST

START_TEST(a_renumber_is_reverted_to_the_freed_number)
{
	struct invoice v1 = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;

	edit_ok(&fx.bob, v1.id, 1, (struct invoice_input){.number = "ACME-2002"},
	        0);
	/* the old number is free again; revert brings it back */
	ck_assert_int_eq(store_revert(fx.st, &fx.bob, v1.id, 1, 2, NULL, &res,
	                              &err), INV_OK);
	ck_assert_str_eq(res.row.number, "ACME-1002");
}
END_TEST

START_TEST(restore_blocked_by_a_live_number_names_it_and_renumber_unblocks)
{
	/* the demo holds a deleted ACME-1001 (id 1) beside a live one */
	struct invoice live = fixture_find(&fx, &fx.alice, "ACME-1001");
	struct write_result res;
	struct inv_err err;
	struct invoice dead;

	ck_assert_int_eq(store_get(fx.st, &fx.alice, 1, &dead, &err), INV_OK);
	ck_assert(dead.deleted_at[0] != '\0');
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, dead.id, dead.version,
	                               &res, &err), INV_CONFLICT);
	ck_assert_str_eq(err.field, "number");
	ck_assert_ptr_nonnull(strstr(err.msg, "ACME-1001"));
	edit_ok(&fx.alice, live.id, live.version,
	        (struct invoice_input){.number = "ACME-1001-B"}, 0);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, dead.id, dead.version,
	                               &res, &err), INV_OK);
	ck_assert_str_eq(res.row.number, "ACME-1001");
}
END_TEST

static Suite *revert_suite(void)
{
	Suite *s = suite_create("revert");
	TCase *tc = tcase_create("renumber");
	TCase *rv = tcase_create("needs_revert");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, renumber_is_guarded_audited_and_judged_by_the_live_index);
	tcase_add_test(tc, restore_blocked_by_a_live_number_names_it_and_renumber_unblocks);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(rv, setup, teardown);
	tcase_set_timeout(rv, 60);
	tcase_add_test(rv, revert_undoes_an_overwrite_and_names_who_set_each_value);
	tcase_add_test(rv, stale_revert_is_a_conflict_and_writes_nothing);
	tcase_add_test(rv, revert_reads_a_foreign_writers_edit_from_the_history);
	tcase_add_test(rv, revert_keeps_the_lifecycle_and_refuses_deleted_rows);
	tcase_add_test(rv, revert_to_the_current_or_a_future_version_is_invalid);
	tcase_add_test(rv, revert_with_a_gap_in_the_history_is_refused);
	tcase_add_test(rv, a_renumber_is_reverted_to_the_freed_number);
	suite_add_tcase(s, rv);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(revert_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
