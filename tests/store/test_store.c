/*
 * test_store.c - every write rule of SPEC 3, through the core, on a fresh
 * demo database per test: tenancy, lifecycle, role and version in that
 * order; conflicts carry the current row; refused writes leave no trace;
 * totals equal a recount after every kind of write, foreign ones included.
 */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache.h"
#include "config.h"
#include "feed.h"
#include "fixture.h"
#include "sqlite_store.h"
#include "store_tools.h"
#include "testdb.h"
#include "text.h"

static struct fixture fx;

static void setup(void)
{
	fixture_setup(&fx);
}

static void teardown(void)
{
	fixture_teardown(&fx);
}

static long long audit_rows(void)
{
	return fixture_count(&fx, "SELECT count(*) FROM audit");
}

static long long change_rows(void)
{
	return fixture_count(&fx, "SELECT count(*) FROM changes");
}

static void assert_totals_match(const struct identity *who)
{
	struct summary kept, counted;
	struct inv_err err;
	size_t i;

	ck_assert_int_eq(store_summary(fx.st, who, &kept, &err), INV_OK);
	ck_assert_int_eq(store_summary_recount(fx.st, who, &counted, &err),
	                 INV_OK);
	for (i = 0; i < LIFE__COUNT; i++)
		ck_assert_int_eq(kept.count[i], counted.count[i]);
	ck_assert_uint_eq(kept.ncur, counted.ncur);
	for (i = 0; i < kept.ncur; i++) {
		ck_assert_str_eq(kept.cur[i].currency, counted.cur[i].currency);
		ck_assert_int_eq(kept.cur[i].count, counted.cur[i].count);
		ck_assert_int_eq(kept.cur[i].total_minor,
		                 counted.cur[i].total_minor);
	}
	ck_assert_int_eq(store_check(fx.st, &err), INV_OK);
}

/* ---- demo data ---------------------------------------------------------- */

START_TEST(demo_has_live_and_deleted_acme_1001)
{
	ck_assert_int_eq(fixture_count(&fx,
		"SELECT count(*) FROM invoices WHERE number = 'ACME-1001'"), 2);
	ck_assert_int_eq(fixture_count(&fx,
		"SELECT count(*) FROM invoices WHERE number = 'ACME-1001' "
		"AND deleted_at IS NOT NULL"), 1);
	ck_assert_int_ge(fixture_count(&fx,
		"SELECT count(*) FROM invoices WHERE org_id = 1"), 12);
	for (const char *const *st = (const char *const[]){"draft", "sent",
	         "paid", "void", NULL}; *st; st++) {
		char sql[160];

		snprintf(sql, sizeof sql, "SELECT count(*) FROM invoices WHERE "
		         "org_id = 1 AND status = '%s'", *st);
		ck_assert_int_ge(fixture_count(&fx, sql), 1);
	}
	ck_assert_int_ge(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE org_id = 1 AND archived_at IS NOT NULL "
		"AND deleted_at IS NULL"), 1);
	ck_assert_int_ge(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE org_id = 2"), 3);
	ck_assert(store_is_demo(fx.st));
	assert_totals_match(&fx.alice);
	assert_totals_match(&fx.carol);
}
END_TEST

/* ---- version ------------------------------------------------------------- */

START_TEST(stale_edit_returns_current_row)
{
	struct invoice loaded = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input bob_in = {.customer = "Bob's Customer"};
	struct invoice_input alice_in = {.total = "1.00"};
	struct write_result res;
	struct inv_err err;
	long long audits;

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &bob_in, 0, &res, &err), INV_OK);
	ck_assert_int_eq(res.row.version, loaded.version + 1);
	audits = audit_rows();

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, loaded.id, loaded.version,
	                            &alice_in, 0, &res, &err), INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, loaded.version + 1);
	ck_assert_str_eq(res.row.customer, "Bob's Customer");
	ck_assert_int_eq(res.row.total_minor, loaded.total_minor);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").total_minor,
	                 loaded.total_minor);
}
END_TEST

START_TEST(edit_bumps_version_by_exactly_one_and_audits_old_and_new)
{
	struct invoice loaded = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct invoice_input in = {.customer = "Initech AG", .status = "paid"};
	struct audit_entry a;
	struct write_result res;
	struct inv_err err;
	size_t n;

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &in, 0, &res, &err), INV_OK);
	ck_assert_int_eq(res.row.version, loaded.version + 1);
	ck_assert_int_eq(res.row.status, ST_PAID);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.bob, loaded.id, &a, 1, &n,
	                                  &err), INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(a.seq, res.audit_seq);
	ck_assert_str_eq(a.actor, "bob");
	ck_assert_str_eq(a.action, "invoice.edit");
	ck_assert_int_eq(a.from_version, loaded.version);
	ck_assert_int_eq(a.to_version, loaded.version + 1);
	ck_assert_msg(fixture_detail_has(a.detail, "customer", "\"Initech GmbH\"",
	                                 "\"Initech AG\""), "%s", a.detail);
	ck_assert_msg(fixture_detail_has(a.detail, "status", "\"sent\"",
	                                 "\"paid\""), "%s", a.detail);
	ck_assert_ptr_null(strstr(a.detail, "total_minor"));
}
END_TEST

START_TEST(edit_without_a_change_is_refused)
{
	struct invoice loaded = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct invoice_input in = {.customer = loaded.customer};
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows();

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &in, 0, &res, &err), INV_INVALID);
	ck_assert_int_eq(audit_rows(), audits);
}
END_TEST

/* ---- role ---------------------------------------------------------------- */

START_TEST(member_overwrite_forbidden_even_at_current_version)
{
	struct invoice loaded = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct invoice_input in = {.customer = "Forged"};
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows();

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &in, WRITE_OVERWRITE, &res, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_str_eq(fixture_find(&fx, &fx.bob, "ACME-1002").customer,
	                 loaded.customer);
}
END_TEST

START_TEST(member_overwrite_at_stale_version_is_forbidden_not_conflict)
{
	struct invoice loaded = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct invoice_input in = {.customer = "Forged"};
	struct write_result res;
	struct inv_err err;

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id,
	                            loaded.version - 1 > 0 ? loaded.version - 1
	                                                   : 99,
	                            &in, WRITE_OVERWRITE, &res, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(fixture_find(&fx, &fx.bob, "ACME-1002").version,
	                 loaded.version);
}
END_TEST

START_TEST(admin_overwrite_applies_and_audits_replaced_values)
{
	struct invoice loaded = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input bob_in = {.customer = "Winner Ltd"};
	struct invoice_input alice_in = {.customer = "Overwriter Ltd"};
	struct audit_entry a;
	struct write_result res;
	struct inv_err err;
	size_t n;

	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &bob_in, 0, &res, &err), INV_OK);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, loaded.id, loaded.version,
	                            &alice_in, WRITE_OVERWRITE, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(res.row.version, loaded.version + 2);
	ck_assert_str_eq(res.row.customer, "Overwriter Ltd");
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, loaded.id, &a, 1,
	                                  &n, &err), INV_OK);
	ck_assert_str_eq(a.action, "invoice.overwrite");
	ck_assert_msg(fixture_detail_has(a.detail, "customer", "\"Winner Ltd\"",
	                                 "\"Overwriter Ltd\""), "%s", a.detail);
}
END_TEST

START_TEST(overwrite_writes_only_the_field_set)
{
	struct invoice loaded = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input bob_in = {.status = "void"};
	/* alice's form still holds the status she loaded: a face that sends
	 * every field must not put it back over bob's */
	struct invoice_input alice_in = {
		.customer = "Overwriter Ltd",
		.status = invoice_status_name(loaded.status),
		.total = "1.00",
		.currency = "EUR",
	};
	struct audit_entry a;
	struct write_result res;
	struct inv_err err;
	size_t n;

	ck_assert_int_ne(loaded.status, ST_VOID);
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &bob_in, 0, &res, &err), INV_OK);
	ck_assert_int_eq(store_edit_fields(fx.st, &fx.alice, loaded.id,
	                                   loaded.version, &alice_in,
	                                   MF_CUSTOMER, WRITE_OVERWRITE, &res,
	                                   &err), INV_OK);
	ck_assert_str_eq(res.row.customer, "Overwriter Ltd");
	ck_assert_int_eq(res.row.status, ST_VOID);
	ck_assert_int_eq(res.row.total_minor, loaded.total_minor);
	ck_assert_str_eq(res.row.currency, loaded.currency);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, loaded.id, &a, 1,
	                                  &n, &err), INV_OK);
	ck_assert_str_eq(a.action, "invoice.overwrite");
	ck_assert_ptr_nonnull(strstr(a.detail, "customer"));
	ck_assert_ptr_null(strstr(a.detail, "status"));
	ck_assert_ptr_null(strstr(a.detail, "total"));
}
END_TEST

START_TEST(edit_never_writes_a_field_outside_the_set)
{
	struct invoice loaded = fixture_find(&fx, &fx.bob, "ACME-1003");
	struct invoice_input in = {
		.customer = "Not Me Ltd",
		.status = "void",
		.total = "3.00",
		.currency = "USD",
	};
	struct write_result res;
	struct inv_err err;

	ck_assert_int_ne(loaded.status, ST_VOID);
	ck_assert_int_eq(store_edit_fields(fx.st, &fx.bob, loaded.id,
	                                   loaded.version, &in, MF_STATUS, 0,
	                                   &res, &err), INV_OK);
	ck_assert_int_eq(res.row.status, ST_VOID);
	ck_assert_str_eq(res.row.customer, loaded.customer);
	ck_assert_int_eq(res.row.total_minor, loaded.total_minor);
	ck_assert_str_eq(res.row.currency, loaded.currency);
	/* an empty set writes nothing: there is nothing to change */
	ck_assert_int_eq(store_edit_fields(fx.st, &fx.bob, loaded.id,
	                                   res.row.version, &in, 0, 0, &res,
	                                   &err), INV_INVALID);
	ck_assert_str_eq(err.field, "unchanged");
}
END_TEST

START_TEST(total_and_currency_are_written_as_one_unit)
{
	struct invoice loaded = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input to_jpy = {.total = "1300", .currency = "JPY"};
	struct invoice_input mine = {.total = "12.50", .currency = "EUR"};
	struct write_result res;
	struct inv_err err;

	/* someone moved the invoice to JPY; my 12.50 EUR is written with
	 * its currency, never laid over JPY as 12.50 of something else */
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, loaded.id, loaded.version,
	                            &to_jpy, 0, &res, &err), INV_OK);
	ck_assert_int_eq(store_edit_fields(fx.st, &fx.alice, loaded.id,
	                                   loaded.version, &mine, MF_TOTAL,
	                                   WRITE_OVERWRITE, &res, &err), INV_OK);
	ck_assert_str_eq(res.row.currency, "EUR");
	ck_assert_int_eq(res.row.total_minor, 1250);
	/* a face that gives only the total keeps the row's currency */
	mine.currency = NULL;
	mine.total = "13.00";
	ck_assert_int_eq(store_edit_fields(fx.st, &fx.alice, loaded.id,
	                                   res.row.version, &mine, MF_TOTAL, 0,
	                                   &res, &err), INV_OK);
	ck_assert_str_eq(res.row.currency, "EUR");
	ck_assert_int_eq(res.row.total_minor, 1300);
}
END_TEST

/* ---- tenancy ------------------------------------------------------------- */

START_TEST(other_org_id_not_found_at_read_and_write)
{
	struct invoice acme = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Globex takeover"};
	struct invoice got;
	struct write_result res;
	struct inv_err err;
	char ref[32];
	long long audits = audit_rows();

	ck_assert_int_eq(store_get(fx.st, &fx.carol, acme.id, &got, &err),
	                 INV_NOT_FOUND);
	snprintf(ref, sizeof ref, "%lld", (long long)acme.id);
	ck_assert_int_eq(store_find(fx.st, &fx.carol, ref, &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(store_find(fx.st, &fx.carol, "ACME-1002", &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(store_edit(fx.st, &fx.carol, acme.id, acme.version,
	                            &in, WRITE_OVERWRITE, &res, &err),
	                 INV_NOT_FOUND);
	ck_assert(!res.have_row);
	ck_assert_int_eq(store_archive(fx.st, &fx.carol, acme.id, acme.version,
	                               &res, &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_delete(fx.st, &fx.carol, acme.id, acme.version,
	                              &res, &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_drift(fx.st, &fx.carol, acme.id, &res, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(audit_rows(), audits);
}
END_TEST

/* ---- lifecycle ----------------------------------------------------------- */

START_TEST(deleted_row_not_found_for_edit)
{
	struct invoice_input in = {.customer = "Back from the dead"};
	struct write_result res;
	struct inv_err err;
	long long id = fixture_count(&fx, "SELECT id FROM invoices WHERE "
	                                  "number = 'ACME-1001' AND deleted_at "
	                                  "IS NOT NULL");
	long long v = fixture_count(&fx, "SELECT version FROM invoices WHERE "
	                                 "number = 'ACME-1001' AND deleted_at "
	                                 "IS NOT NULL");

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, id, v, &in, 0, &res,
	                            &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, id, v, &in,
	                            WRITE_OVERWRITE, &res, &err), INV_NOT_FOUND);
}
END_TEST

START_TEST(archive_restore_delete_move_and_audit_once_each)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows(), changes = change_rows();

	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version, &res,
	                               &err), INV_OK);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ARCHIVED);
	ck_assert_int_eq(res.row.version, inv.version + 1);
	ck_assert_int_eq(audit_rows(), audits + 1);
	ck_assert_int_eq(change_rows(), changes + 1);
	assert_totals_match(&fx.alice);
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, inv.version + 1,
	                               &res, &err), INV_OK);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ACTIVE);
	assert_totals_match(&fx.alice);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, inv.version + 2,
	                              &res, &err), INV_OK);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_DELETED);
	assert_totals_match(&fx.alice);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, inv.id,
	                               inv.version + 3, &res, &err), INV_OK);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ACTIVE);
	ck_assert_int_eq(res.row.version, inv.version + 4);
	ck_assert_int_eq(audit_rows(), audits + 4);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit WHERE "
		"action IN ('invoice.archive','invoice.restore','invoice.delete') "
		"AND seq > (SELECT max(seq) - 4 FROM audit)"), 4);
	assert_totals_match(&fx.alice);
}
END_TEST

/* A write hands back the row exactly as the database now holds it, field
 * for field, for every kind of write (the store builds it from what it
 * bound instead of reading it back). */
static void assert_result_is_stored(const struct write_result *res)
{
	struct invoice got;
	struct inv_err err;

	ck_assert(res->have_row);
	ck_assert_int_eq(store_get(fx.st, &fx.alice, res->row.id, &got, &err),
	                 INV_OK);
	ck_assert_int_eq(got.id, res->row.id);
	ck_assert_int_eq(got.org_id, res->row.org_id);
	ck_assert_str_eq(got.number, res->row.number);
	ck_assert_str_eq(got.customer, res->row.customer);
	ck_assert_int_eq(got.status, res->row.status);
	ck_assert_int_eq(got.total_minor, res->row.total_minor);
	ck_assert_str_eq(got.currency, res->row.currency);
	ck_assert_int_eq(got.version, res->row.version);
	ck_assert_str_eq(got.created_at, res->row.created_at);
	ck_assert_str_eq(got.updated_at, res->row.updated_at);
	ck_assert_str_eq(got.archived_at, res->row.archived_at);
	ck_assert_str_eq(got.deleted_at, res->row.deleted_at);
	/* and the audit row it names is the write's, at that version */
	ck_assert_int_eq(fixture_count(&fx, "SELECT to_version FROM audit "
		"ORDER BY seq DESC LIMIT 1"), res->row.version);
	ck_assert_int_eq(fixture_count(&fx, "SELECT max(seq) FROM audit"),
	                 res->audit_seq);
}

START_TEST(every_write_returns_the_row_as_stored)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Stored Ltd", .total = "12.5",
	                           .currency = "JPY", .status = "paid"};
	struct invoice_input rename = {.number = "ACME-9002"};
	struct write_result res;
	struct inv_err err;
	char token[33];

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_INVALID);
	in.total = "13";
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, res.row.version,
	                            &rename, 0, &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, res.row.version,
	                               &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, res.row.version,
	                               &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, res.row.version,
	                              &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, inv.id,
	                               res.row.version, &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_drift(fx.st, &fx.alice, inv.id, &res, &err),
	                 INV_OK);
	assert_result_is_stored(&res);
	store_new_token(token);
	in.total = "99.5";
	in.currency = "EUR";
	ck_assert_int_eq(store_create(fx.st, &fx.alice, token, NULL, &in, &res,
	                              &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_check(fx.st, &err), INV_OK);
}
END_TEST

/* The same for a revert (on both backends). */
START_TEST(a_revert_returns_the_row_as_stored)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Stored Ltd", .total = "13",
	                           .currency = "JPY", .status = "paid"};
	struct write_result res;
	struct inv_err err;

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, res.row.version,
	                               &res, &err), INV_OK);
	ck_assert_int_eq(store_revert(fx.st, &fx.alice, inv.id, inv.version,
	                              res.row.version, NULL, &res, &err), INV_OK);
	assert_result_is_stored(&res);
	ck_assert_int_eq(store_check(fx.st, &err), INV_OK);
}
END_TEST

START_TEST(move_into_current_state_is_conflict)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits;

	/* restore of an active row */
	audits = audit_rows();
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, inv.version, &res,
	                               &err), INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, inv.version);
	/* archive of an archived row */
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version, &res,
	                               &err), INV_OK);
	audits = audit_rows();
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version + 1,
	                               &res, &err), INV_CONFLICT);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ARCHIVED);
	/* delete of a deleted row */
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, inv.version + 1,
	                              &res, &err), INV_OK);
	audits = audit_rows();
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, inv.version + 2,
	                              &res, &err), INV_CONFLICT);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_DELETED);
	ck_assert_int_eq(audit_rows(), audits);
}
END_TEST

/* A restore or a delete at a version the row has moved past is a
 * conflict carrying the current row, and nothing is written. */
START_TEST(stale_restore_is_conflict_with_current_row)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits;

	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version, &res,
	                               &err), INV_OK);
	ck_assert_int_eq(store_drift(fx.st, &fx.alice, inv.id, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(res.row.version, inv.version + 2);
	audits = audit_rows();
	memset(&res, 0, sizeof res);
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, inv.version + 1,
	                               &res, &err), INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, inv.version + 2);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ARCHIVED);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE number = 'ACME-1002' AND archived_at IS NOT NULL"), 1);
}
END_TEST

START_TEST(stale_delete_is_conflict_with_current_row)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits;

	ck_assert_int_eq(store_drift(fx.st, &fx.bob, inv.id, &res, &err), INV_OK);
	audits = audit_rows();
	memset(&res, 0, sizeof res);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, inv.version,
	                              &res, &err), INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, inv.version + 1);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ACTIVE);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE number = 'ACME-1002' AND deleted_at IS NULL"), 1);
	assert_totals_match(&fx.alice);
}
END_TEST

START_TEST(stale_archive_is_conflict_with_current_row)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits;

	ck_assert_int_eq(store_drift(fx.st, &fx.bob, inv.id, &res, &err), INV_OK);
	ck_assert_int_eq(res.row.version, inv.version + 1);
	audits = audit_rows();
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version, &res,
	                               &err), INV_CONFLICT);
	ck_assert_int_eq(res.row.version, inv.version + 1);
	ck_assert_int_eq(invoice_life(&res.row), LIFE_ACTIVE);
	ck_assert_int_eq(audit_rows(), audits);
}
END_TEST

/* Every read of one invoice, and the audit, answer a member as if a
 * deleted invoice were not there; an admin reads it. */
START_TEST(member_reads_of_a_deleted_invoice_find_nothing)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002"), got;
	struct audit_entry tail[64];
	struct write_result res;
	struct inv_err err;
	char ref[32];
	size_t n, i;
	bool seen;

	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, inv.version,
	                              &res, &err), INV_OK);
	snprintf(ref, sizeof ref, "%lld", (long long)inv.id);
	ck_assert_int_eq(store_get(fx.st, &fx.bob, inv.id, &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(store_find(fx.st, &fx.bob, ref, &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.bob, inv.id, tail, 64, &n,
	                                  &err), INV_NOT_FOUND);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.bob, 0, tail, 64, &n, &err),
	                 INV_OK);
	for (i = 0; i < n; i++)
		ck_assert_msg(tail[i].subject_id != inv.id,
		              "the org's audit shows a member entry %lld of the "
		              "deleted invoice", (long long)tail[i].seq);

	ck_assert_int_eq(store_get(fx.st, &fx.alice, inv.id, &got, &err), INV_OK);
	ck_assert_str_ne(got.deleted_at, "");
	ck_assert_int_eq(store_find(fx.st, &fx.alice, ref, &got, &err), INV_OK);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, tail, 64, &n,
	                                  &err), INV_OK);
	ck_assert_uint_ge(n, 1);
	ck_assert_str_eq(tail[0].action, "invoice.delete");
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, 0, tail, 64, &n,
	                                  &err), INV_OK);
	for (seen = false, i = 0; i < n; i++)
		seen = seen || tail[i].subject_id == inv.id;
	ck_assert(seen);
}
END_TEST

START_TEST(member_delete_is_forbidden_and_a_deleted_row_is_not_there_for_members)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows();

	ck_assert_int_eq(store_delete(fx.st, &fx.bob, inv.id, inv.version, &res,
	                              &err), INV_FORBIDDEN);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id, inv.version,
	                              &res, &err), INV_OK);
	audits = audit_rows();
	/* A member never reads a deleted row, not even through a refusal
	 * that would carry it: not found, at any version, no row. */
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, inv.version + 1,
	                               &res, &err), INV_NOT_FOUND);
	ck_assert(!res.have_row);
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, inv.version,
	                               &res, &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version + 1,
	                               &res, &err), INV_NOT_FOUND);
	ck_assert(!res.have_row);
	ck_assert_int_eq(audit_rows(), audits);
}
END_TEST

START_TEST(member_may_archive_and_restore_archived)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct write_result res;
	struct inv_err err;

	ck_assert_int_eq(store_archive(fx.st, &fx.bob, inv.id, inv.version, &res,
	                               &err), INV_OK);
	ck_assert_int_eq(store_restore(fx.st, &fx.bob, inv.id, inv.version + 1,
	                               &res, &err), INV_OK);
}
END_TEST

/* ---- numbers and creation ------------------------------------------------ */

START_TEST(number_reused_after_soft_delete_and_unique_while_live)
{
	struct invoice_input in = {.customer = "Reuse GmbH", .total = "10"};
	struct write_result res, again;
	struct inv_err err;
	int64_t first;

	ck_assert_int_eq(store_create(fx.st, &fx.alice, "t-reuse-1", "ACME-7777",
	                              &in, &res, &err), INV_OK);
	first = res.row.id;
	/* a second live ACME-7777 is refused, carrying the holder */
	ck_assert_int_eq(store_create(fx.st, &fx.alice, "t-reuse-2", "ACME-7777",
	                              &in, &again, &err), INV_CONFLICT);
	ck_assert_int_eq(again.row.id, first);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, first, res.row.version,
	                              &res, &err), INV_OK);
	ck_assert_int_eq(store_create(fx.st, &fx.alice, "t-reuse-3", "ACME-7777",
	                              &in, &again, &err), INV_OK);
	ck_assert_int_ne(again.row.id, first);
	/* restoring the deleted one would make two live: refused */
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, first, res.row.version,
	                               &res, &err), INV_CONFLICT);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE number = 'ACME-7777' AND deleted_at IS NULL"), 1);
}
END_TEST

/* A sum some other writer turned into a REAL (or that would pass the
 * 64-bit range) takes no more money: the schema refuses the write and the
 * store says so in the operator's words, for the total field, naming the
 * sum; nothing is written.  A write that leaves the money alone goes on. */
START_TEST(a_sum_that_is_no_integer_takes_no_more_money)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input more = {.total = "1300"};
	struct invoice_input name = {.customer = "Renamed Ltd"};
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows();

	/* SQLite: a REAL in the sum; PostgreSQL's bigint holds no fraction,
	 * so the sum is put one step below the 64-bit limit there (as the
	 * superuser: the totals are the triggers' to write) */
	if (testdb_pg())
		testdb_su_exec(fx.path, "UPDATE totals SET total_minor = "
			"9223372036854775807 - 100 WHERE org_id = 1 AND "
			"currency = 'EUR' AND state = 'active'");
	else
		fixture_exec(&fx, "UPDATE totals SET total_minor = "
			"total_minor + 0.5 WHERE org_id = 1 AND currency = 'EUR' "
			"AND state = 'active'", NULL);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version,
	                            &more, 0, &res, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "total");
	ck_assert_ptr_nonnull(strstr(err.msg, "64-bit"));
	ck_assert_ptr_nonnull(strstr(err.msg, "EUR"));
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version,
	                 inv.version);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version,
	                            &name, 0, &res, &err), INV_OK);
}
END_TEST

START_TEST(partial_unique_index_refuses_second_live_number_for_any_writer)
{
	char msg[512];

	ck_assert(!fixture_try(&fx, "INSERT INTO invoices (org_id, number, "
	                            "customer, total_minor, currency) VALUES "
	                            "(1, 'ACME-1002', 'Dup', 1, 'EUR')", NULL,
	                       msg, sizeof msg));
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE number = 'ACME-1002' AND deleted_at IS NULL"), 1);
}
END_TEST

/* Text from the file is untrusted: a foreign writer's customer longer
 * than the row's buffer comes back cut to the buffer, the first
 * CUSTOMER_MAX_BYTES bytes of what is stored, terminated. */
START_TEST(overlong_foreign_text_is_cut_to_the_buffer)
{
	struct invoice row = fixture_find(&fx, &fx.alice, "ACME-1002");
	char *longer = malloc(CUSTOMER_MAX_BYTES * 2 + 1);
	char sql[CUSTOMER_MAX_BYTES * 2 + 100];
	struct inv_err err;

	ck_assert_ptr_nonnull(longer);
	memset(longer, 'x', CUSTOMER_MAX_BYTES * 2);
	longer[0] = 'A';
	longer[CUSTOMER_MAX_BYTES - 1] = 'B';
	longer[CUSTOMER_MAX_BYTES] = 'C';
	longer[CUSTOMER_MAX_BYTES * 2] = '\0';
	/* letters only: the text is a plain literal */
	snprintf(sql, sizeof sql, "UPDATE invoices SET customer = '%s' "
	         "WHERE id = %lld", longer, (long long)row.id);
	fixture_exec(&fx, sql, NULL);
	ck_assert_int_eq(store_get(fx.st, &fx.alice, row.id, &row, &err),
	                 INV_OK);
	ck_assert_uint_eq(strlen(row.customer), CUSTOMER_MAX_BYTES);
	ck_assert_int_eq(row.customer[0], 'A');
	ck_assert_int_eq(row.customer[CUSTOMER_MAX_BYTES - 1], 'B');
	free(longer);
}
END_TEST

START_TEST(repeat_create_returns_the_same_invoice)
{
	struct invoice_input in = {.customer = "Once Only", .total = "5.00"};
	struct write_result a, b;
	struct inv_err err;
	long long invoices = fixture_count(&fx, "SELECT count(*) FROM invoices");
	long long audits;

	ck_assert_int_eq(store_create(fx.st, &fx.bob, "double-enter", NULL, &in,
	                              &a, &err), INV_OK);
	ck_assert(!a.repeat);
	audits = audit_rows();
	ck_assert_int_eq(store_create(fx.st, &fx.bob, "double-enter", NULL, &in,
	                              &b, &err), INV_OK);
	ck_assert(b.repeat);
	ck_assert_int_eq(b.row.id, a.row.id);
	ck_assert_str_eq(b.row.number, a.row.number);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices"),
	                 invoices + 1);
	ck_assert_int_eq(audit_rows(), audits);
}
END_TEST

START_TEST(create_allocates_next_number_per_org)
{
	struct invoice_input in = {.customer = "Next", .total = "1"};
	struct write_result a, b, c;
	struct inv_err err;

	ck_assert_int_eq(store_create(fx.st, &fx.bob, "n1", NULL, &in, &a, &err),
	                 INV_OK);
	ck_assert_int_eq(store_create(fx.st, &fx.bob, "n2", NULL, &in, &b, &err),
	                 INV_OK);
	ck_assert_int_eq(store_create(fx.st, &fx.dave, "n1", NULL, &in, &c, &err),
	                 INV_OK);
	ck_assert(!c.repeat); /* tokens are per org */
	ck_assert_str_ne(a.row.number, b.row.number);
	ck_assert(strncmp(a.row.number, "ACME-", 5) == 0);
	ck_assert(strncmp(c.row.number, "GLOBEX-", 7) == 0);
	ck_assert_int_eq(a.row.version, 1);
}
END_TEST

/* ---- input --------------------------------------------------------------- */

START_TEST(invalid_input_is_refused_and_writes_nothing)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	char long_name[CUSTOMER_MAX_CHARS * 2 + 8];
	const struct {
		struct invoice_input in;
		const char *field;
	} cases[] = {
		{{.customer = ""}, "customer"},
		{{.customer = "   "}, "customer"},
		{{.customer = "Tab\there"}, "customer"},
		{{.customer = "\xff\xfe"}, "customer"},
		{{.customer = long_name}, "customer"},
		{{.status = "lost"}, "status"},
		{{.currency = "XXX"}, "currency"},
		{{.currency = "eur"}, "currency"},
		{{.total = "-5"}, "total"},
		{{.total = "1,50"}, "total"},
		{{.total = "12.345"}, "total"},
		{{.total = "abc"}, "total"},
		{{.total = "99999999999999999999"}, "total"},
		{{.total = "1.5", .currency = "JPY"}, "total"},
	};
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows();
	size_t i;

	for (i = 0; i < CUSTOMER_MAX_CHARS + 1; i++) {
		long_name[2 * i] = (char)0xc3; /* "ä" x 121: 121 characters */
		long_name[2 * i + 1] = (char)0xa4;
	}
	long_name[2 * (CUSTOMER_MAX_CHARS + 1)] = '\0';
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_msg(store_edit(fx.st, &fx.bob, inv.id, inv.version,
		                         &cases[i].in, 0, &res, &err) == INV_INVALID,
		              "case %zu accepted", i);
		ck_assert_msg(strcmp(err.field, cases[i].field) == 0,
		              "case %zu: field %s", i, err.field);
		ck_assert_msg(err.msg[0] != '\0', "case %zu: no message", i);
	}
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(fixture_find(&fx, &fx.bob, "ACME-1002").version,
	                 inv.version);
}
END_TEST

START_TEST(customer_limit_counts_characters_not_bytes)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	char name[CUSTOMER_MAX_CHARS * 3 + 1];
	struct invoice_input in = {.customer = name};
	struct write_result res;
	struct inv_err err;
	size_t i;

	for (i = 0; i < CUSTOMER_MAX_CHARS; i++) /* "作" is 3 bytes */
		memcpy(name + 3 * i, "\xe4\xbd\x9c", 3);
	name[3 * CUSTOMER_MAX_CHARS] = '\0';
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, inv.id, inv.version, &in, 0,
	                            &res, &err), INV_OK);
	ck_assert_str_eq(res.row.customer, name);
}
END_TEST

START_TEST(currency_change_keeps_the_written_amount)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1001");
	struct invoice_input bhd = {.currency = "BHD"};
	struct invoice_input jpy = {.currency = "JPY"};
	struct write_result res;
	struct inv_err err;

	ck_assert_str_eq(inv.currency, "EUR");
	ck_assert_int_eq(inv.total_minor, 1250);
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, inv.id, inv.version, &jpy, 0,
	                            &res, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "total");
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, inv.id, inv.version, &bhd, 0,
	                            &res, &err), INV_OK);
	ck_assert_int_eq(res.row.total_minor, 12500);
	/* a whole amount moves to JPY as written */
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, inv.id, res.row.version,
	                            &(struct invoice_input){.total = "12"},
	                            0, &res, &err), INV_OK);
	ck_assert_int_eq(store_edit(fx.st, &fx.bob, inv.id, res.row.version,
	                            &jpy, 0, &res, &err), INV_OK);
	ck_assert_int_eq(res.row.total_minor, 12);
	assert_totals_match(&fx.bob);
}
END_TEST

/* ---- foreign writers ----------------------------------------------------- */

START_TEST(foreign_write_bumps_version_audits_external_and_feeds)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Too late"};
	struct audit_entry a;
	struct change ch[4];
	struct write_result res;
	struct inv_err err;
	int64_t head = 0;
	size_t n;

	ck_assert_int_eq(store_changes_head(fx.st, &head, &err), INV_OK);
	fixture_exec(&fx, "UPDATE invoices SET total_minor = total_minor + 100 "
	                  "WHERE number = 'ACME-1002'", NULL);
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version,
	                 inv.version + 1);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, &a, 1, &n,
	                                  &err), INV_OK);
	ck_assert_str_eq(a.actor, "external");
	ck_assert_str_eq(a.action, "invoice.external_edit");
	ck_assert_int_eq(a.to_version, inv.version + 1);
	ck_assert_ptr_nonnull(strstr(a.detail, "total_minor"));
	ck_assert_int_eq(store_changes_since(fx.st, &fx.alice, head, ch, 4, &n,
	                                     &err), INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ch[0].invoice_id, inv.id);
	/* a save made against the old version now conflicts */
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_CONFLICT);
	assert_totals_match(&fx.alice);
}
END_TEST

/* The feed reader's promise (store.h): a writer whose transaction started
 * earlier, with its audit row taken but not committed, holds back every
 * later writer, so a reader's position can never pass its seq; once it
 * commits, its row is the next the reader sees, and the later write comes
 * after it.  Each write knows its own row from its insert. */
START_TEST(feed_position_never_passes_a_write_still_in_flight)
{
	struct invoice a = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice b = fixture_find(&fx, &fx.alice, "ACME-1003");
	struct invoice_input in1 = {.customer = "Started first"};
	struct invoice_input in2 = {.customer = "Started second"};
	struct store_options quick = {STORE_OPEN_EXISTING, 50};
	struct store *early = NULL, *late = NULL, *reader = NULL;
	struct testdb_conn *early_pg = NULL;
	struct write_result r1, r2;
	struct change ch[8];
	struct inv_err err;
	int64_t head = 0, head2 = 0;
	size_t n;

	ck_assert_int_eq(store_open_peer(fx.st, NULL, &early, &err), INV_OK);
	ck_assert_int_eq(store_open_peer(fx.st, &quick, &late, &err), INV_OK);
	ck_assert_int_eq(store_open_peer(fx.st, NULL, &reader, &err), INV_OK);
	ck_assert_int_eq(store_changes_head(reader, &head, &err), INV_OK);

	/* the earlier transaction: its write done, its commit not yet (on
	 * PostgreSQL a client's open transaction: inved's own commit at once) */
	if (testdb_pg()) {
		char sql[200];

		early_pg = testdb_connect(fx.path, false);
		ck_assert_ptr_nonnull(early_pg);
		snprintf(sql, sizeof sql, "BEGIN; UPDATE invoices SET customer = "
		         "'Started first' WHERE id = %lld", (long long)a.id);
		testdb_conn_exec(early_pg, sql);
		memset(&r1, 0, sizeof r1);
		r1.audit_seq = testdb_conn_count(early_pg, "SELECT max(seq) "
		                                           "FROM audit");
	} else {
		ck_assert_int_eq(sq_batch_begin(early->impl, &err), INV_OK);
		ck_assert_int_eq(store_edit(early, &fx.alice, a.id, a.version,
		                            &in1, 0, &r1, &err), INV_OK);
		ck_assert_int_eq(r1.change_seq, r1.audit_seq);
	}
	ck_assert_int_gt(r1.audit_seq, head);

	/* a later writer cannot take a seq past it ... */
	ck_assert_int_eq(store_edit(late, &fx.alice, b.id, b.version, &in2, 0,
	                            &r2, &err), INV_BUSY);
	/* ... and the reader's position does not move past it */
	ck_assert_int_eq(store_changes_head(reader, &head2, &err), INV_OK);
	ck_assert_int_eq(head2, head);
	ck_assert_int_eq(store_changes_since(reader, &fx.alice, head, ch, 8, &n,
	                                     &err), INV_OK);
	ck_assert_uint_eq(n, 0);

	if (early_pg)
		testdb_conn_exec(early_pg, "COMMIT");
	else
		ck_assert_int_eq(sq_batch_commit(early->impl, &err), INV_OK);
	ck_assert_int_eq(store_edit(late, &fx.alice, b.id, b.version, &in2, 0,
	                            &r2, &err), INV_OK);
	ck_assert_int_gt(r2.audit_seq, r1.audit_seq);

	ck_assert_int_eq(store_changes_since(reader, &fx.alice, head, ch, 8, &n,
	                                     &err), INV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ch[0].seq, r1.audit_seq);
	ck_assert_int_eq(ch[0].invoice_id, a.id);
	ck_assert_int_eq(ch[1].seq, r2.audit_seq);
	ck_assert_int_eq(ch[1].invoice_id, b.id);
	testdb_conn_close(early_pg);
	store_close(reader);
	store_close(late);
	store_close(early);
}
END_TEST

START_TEST(totals_equal_recount_after_foreign_insert_update_delete)
{
	fixture_exec(&fx,
		"INSERT INTO invoices (org_id, number, customer, total_minor, "
		"currency) VALUES (1, 'EXT-1', 'Shell', 777, 'SEK');"
		"UPDATE invoices SET currency = 'NOK' WHERE number = 'EXT-1';"
		"UPDATE invoices SET archived_at = '2026-01-01' WHERE number = "
		"'ACME-1003';"
		"UPDATE invoices SET deleted_at = '2026-01-02' WHERE number = "
		"'ACME-1005';"
		"UPDATE invoices SET customer = 'Renamed' WHERE number = "
		"'ACME-1006';"
		"DELETE FROM invoices WHERE number = 'ACME-1007';", NULL);
	assert_totals_match(&fx.alice);
	assert_totals_match(&fx.carol);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit WHERE "
		"actor = 'external'"), 6);
}
END_TEST

/* ---- reads --------------------------------------------------------------- */

START_TEST(keyset_pages_walk_a_view_without_gaps)
{
	struct invoice page[3], all[64];
	struct inv_err err;
	size_t n, total = 0, i;
	int64_t anchor = 0;

	do {
		ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ACTIVE, NULL,
		                            anchor, PAGE_AFTER, page, 3, &n, &err),
		                 INV_OK);
		for (i = 0; i < n; i++) {
			ck_assert_int_eq(invoice_life(&page[i]), LIFE_ACTIVE);
			ck_assert_int_gt(page[i].id, anchor);
			all[total++] = page[i];
			anchor = page[i].id;
		}
	} while (n == 3);
	ck_assert_int_eq((long long)total, fixture_count(&fx,
		"SELECT count(*) FROM invoices WHERE org_id = 1 AND "
		"archived_at IS NULL AND deleted_at IS NULL"));
	/* and backwards from the end gives the last page in order */
	ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ACTIVE, NULL,
	                            INT64_MAX, PAGE_BEFORE, page, 3, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(page[2].id, all[total - 1].id);
	ck_assert_int_eq(page[0].id, all[total - 3].id);
}
END_TEST

START_TEST(all_view_is_for_admins_and_shows_deleted)
{
	struct invoice page[64];
	struct inv_err err;
	size_t n, i, deleted = 0;

	ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ALL, NULL, 0,
	                            PAGE_AFTER, page, 64, &n, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(store_page(fx.st, &fx.alice, VIEW_ALL, NULL, 0,
	                            PAGE_AFTER, page, 64, &n, &err), INV_OK);
	for (i = 0; i < n; i++)
		deleted += invoice_life(&page[i]) == LIFE_DELETED;
	ck_assert_uint_ge(deleted, 2);
	ck_assert_int_eq(store_page(fx.st, &fx.alice, VIEW_ARCHIVED, NULL, 0,
	                            PAGE_AFTER, page, 64, &n, &err), INV_OK);
	ck_assert_uint_ge(n, 1);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(invoice_life(&page[i]), LIFE_ARCHIVED);
}
END_TEST

START_TEST(filter_matches_number_or_customer_substring)
{
	struct invoice page[16];
	struct inv_err err;
	size_t n;

	ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ACTIVE, "söhne", 0,
	                            PAGE_AFTER, page, 16, &n, &err), INV_OK);
	ck_assert_uint_eq(n, 1); /* ASCII letters fold case */
	ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ACTIVE, "Söhne", 0,
	                            PAGE_AFTER, page, 16, &n, &err), INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ACTIVE, "acme-1002", 0,
	                            PAGE_AFTER, page, 16, &n, &err), INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(store_page(fx.st, &fx.bob, VIEW_ACTIVE, "%", 0,
	                            PAGE_AFTER, page, 16, &n, &err), INV_OK);
	ck_assert_uint_eq(n, 0); /* wildcards are literal */
}
END_TEST

/* The filter is inved's rule (text_filter_match), whatever the
 * database's own LIKE would do: ASCII letters fold, other letters match
 * only themselves, wildcard characters are plain. */
START_TEST(filter_follows_inveds_case_rule_not_the_databases)
{
	static const struct {
		const char *filter;
		size_t want;
	} cases[] = {
		{"zyx_ølk", 0},   /* ø is not Ø */
		{"ZYX_Ølk", 1},   /* Z, Y, X fold; Ø is itself */
		{"zYx_Ølk 7%\\q", 1},
		{"x_Ø", 1},
		{"x%Ø", 0},       /* % is a percent sign, not "anything" */
		{"yx?", 0},
		{"7_", 0},        /* _ is an underscore, not "one character" */
		{"%\\", 1},
		{"\\Q", 1},
		{"ÆRØSKØBING", 0},
		{"Ærøskøbing", 1},
		{"ærøskøbing", 0},
	};
	struct invoice_input in = {.customer = "Zyx_Ølk 7%\\q", .total = "1"};
	struct invoice page[16];
	struct write_result res;
	struct inv_err err;
	size_t n, i;

	ck_assert_int_eq(store_create(fx.st, &fx.alice, "filter-rule", NULL,
	                              &in, &res, &err), INV_OK);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ck_assert_int_eq(store_page(fx.st, &fx.alice, VIEW_ALL,
		                            cases[i].filter, 0, PAGE_AFTER, page,
		                            16, &n, &err), INV_OK);
		ck_assert_msg(n == cases[i].want, "filter '%s': %zu rows, want %zu",
		              cases[i].filter, n, cases[i].want);
		ck_assert(text_filter_match(
			n ? page[0].customer : in.customer,
			strlen(n ? page[0].customer : in.customer),
			cases[i].filter, strlen(cases[i].filter)) == (n == 1));
	}
}
END_TEST

/* ---- identity ------------------------------------------------------------ */

START_TEST(unknown_user_and_foreign_org_are_forbidden_naming_memberships)
{
	struct identity who;
	struct inv_err err;

	ck_assert_int_eq(store_identity(fx.st, "mallory", NULL, &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "alice@acme (admin)"));
	ck_assert_int_eq(store_identity(fx.st, "bob", "globex", &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "acme (member)"));
	ck_assert_int_eq(store_identity(fx.st, "bob", "acme", &who, &err),
	                 INV_OK);
	ck_assert_int_eq(who.role, ROLE_MEMBER);
	ck_assert_int_eq(store_identity(fx.st, "alice", "1", &who, &err),
	                 INV_OK);
	ck_assert_int_eq(who.role, ROLE_ADMIN);
}
END_TEST

/* ---- file handling ------------------------------------------------------- */

/* A location is opened by the first backend that accepts it: a file path
 * by SQLite (backend.h), a postgresql:// URI by PostgreSQL where this
 * build has it; a URI no backend of this build serves is refused before
 * anything is created. */
START_TEST(location_picks_its_backend)
{
	static const char pg[] = "postgresql:///inved?host=/nonexistent-inved";
	struct store_options create = {STORE_OPEN_CREATE, 0};
	struct store *st = NULL;
	struct inv_err err;

	ck_assert_int_eq(store_open("mysql://localhost/inved", &create, &st,
	                            &err), INV_INVALID);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err.msg, "mysql://localhost/inved"));
	ck_assert_int_eq(access("mysql:", F_OK), -1);
	ck_assert(!store_location_is_file(pg));
	ck_assert(store_location_is_file(fx.path) == !testdb_pg());
#ifdef INVED_HAVE_PG
	/* the PostgreSQL backend tries the server, and says it is not there */
	ck_assert_int_eq(store_open(pg, &create, &st, &err), INV_ERROR);
	ck_assert_ptr_nonnull(strstr(err.msg, "PostgreSQL"));
#else
	ck_assert_int_eq(store_open(pg, &create, &st, &err), INV_INVALID);
#endif
	ck_assert_ptr_null(st);
	ck_assert_int_eq(access("postgresql:", F_OK), -1);
	ck_assert_int_eq(store_open("", &create, &st, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "db");
	ck_assert_int_eq(store_open(fx.path, NULL, &st, &err), INV_OK);
	ck_assert_str_eq(store_backend_name(st), testdb_backend());
	ck_assert_str_eq(store_location(st), fx.path);
	/* SQLite hands out its handle (the benchmark's); PostgreSQL none */
	if (!testdb_pg())
		ck_assert_ptr_nonnull(store_engine_handle(st));
	store_close(st);
}
END_TEST

START_TEST(newer_schema_is_refused_and_left_untouched)
{
	static const char pg_version[] = "SELECT value::bigint FROM meta "
		"WHERE key = 'schema_version'";
	struct store *st = NULL;
	struct inv_err err;

	if (testdb_pg())
		testdb_su_exec(fx.path, "UPDATE meta SET value = '99' "
		                        "WHERE key = 'schema_version'");
	else
		fixture_exec(&fx, "PRAGMA user_version = 99", NULL);
	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_CREATE, 0},
	                            &st, &err),
	                 INV_ERROR);
	ck_assert_ptr_null(st);
	ck_assert_ptr_nonnull(strstr(err.msg, "newer inved"));
	ck_assert_int_eq(fixture_count_sql(&fx, "PRAGMA user_version",
	                                   pg_version), 99);
}
END_TEST

START_TEST(schema_1_drafts_migrate_with_their_rows)
{
	sqlite3 *db = fixture_raw(&fx);
	struct store *st = NULL;
	struct draft d;
	struct inv_err err;

	/* the file as schema 1 left it: drafts without token or base */
	fixture_downgrade(db, 1);
	ck_assert_int_eq(sqlite3_exec(db,
		"DROP TABLE drafts;"
		"CREATE TABLE drafts (user_id INTEGER NOT NULL, org_id INTEGER "
		"NOT NULL, invoice_id INTEGER NOT NULL, version INTEGER NOT NULL, "
		"base_version INTEGER NOT NULL, body TEXT NOT NULL, saved_at TEXT "
		"NOT NULL, PRIMARY KEY (user_id, org_id, invoice_id)) WITHOUT ROWID;"
		"INSERT INTO drafts SELECT u.id, m.org_id, 7, 3, 2, '{}', "
		"'2026-01-01T00:00:00.000Z' FROM users u JOIN memberships m ON "
		"m.user_id = u.id WHERE u.name = 'bob';"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	ck_assert_int_eq(fixture_count(&fx, "PRAGMA user_version"),
	                 SCHEMA_VERSION);
	ck_assert_int_eq(store_draft_load(st, &fx.bob, 7, "", &d, &err), INV_OK);
	ck_assert_int_eq(d.version, 3);
	ck_assert_int_eq(d.base_version, 2);
	ck_assert_str_eq(d.base_body, "");
	store_close(st);
}
END_TEST

START_TEST(missing_and_foreign_files_are_named_in_the_error)
{
	struct store *st = NULL;
	struct inv_err err;
	char path[400];
	FILE *f;

	snprintf(path, sizeof path, "%s/nope.db", fx.dir);
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
	ck_assert_ptr_nonnull(strstr(err.msg, "inved init"));
	snprintf(path, sizeof path, "%s/text.db", fx.dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("this is not a database, just some words in a file\n", f);
	for (int i = 0; i < 100; i++)
		fputs("padding padding padding padding padding padding\n", f);
	fclose(f);
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_ERROR);
	ck_assert_ptr_nonnull(strstr(err.msg, path));
}
END_TEST

/* The settings of one of the store's own connections, read on it, and a
 * dangling reference written on it refused by the foreign keys. */
static void assert_connection_rules(struct store *gst)
{
	struct sq_store *st = gst->impl;
	struct inv_err err;
	int64_t v = -1;
	long long before = fixture_count(&fx, "SELECT count(*) FROM memberships");
	int rc;

	ck_assert_int_eq(sq_query_int(st, "PRAGMA synchronous", &v, &err),
	                 INV_OK);
	ck_assert_int_eq(v, 2); /* FULL */
	v = -1;
	ck_assert_int_eq(sq_query_int(st, "PRAGMA foreign_keys", &v, &err),
	                 INV_OK);
	ck_assert_int_eq(v, 1);
	rc = sqlite3_exec(st->db, "INSERT INTO memberships (user_id, org_id, "
		"role) VALUES (987654, 987654, 'member')", NULL, NULL, NULL);
	ck_assert_int_eq(rc, SQLITE_CONSTRAINT_FOREIGNKEY);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM memberships"),
	                 before);
}

START_TEST(wal_full_sync_and_foreign_keys_are_on)
{
	struct store *second = NULL;
	struct inv_err err;

	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM "
		"pragma_journal_mode WHERE journal_mode = 'wal'"), 1);
	/* the newest schema (since 3 the audit is the change feed) */
	ck_assert_int_eq(fixture_count(&fx, "PRAGMA user_version"),
	                 SCHEMA_VERSION);
	/* the first connection, and a second one on the same file (as the
	 * screen's writer opens) */
	assert_connection_rules(fx.st);
	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &second, &err), INV_OK);
	assert_connection_rules(second);
	store_close(second);
}
END_TEST

/* The schema refuses a negative total from a writer that is not inved:
 * the guard triggers first, and the column's CHECK under them (a writer
 * that drops the triggers still meets it); the file is left as it was. */
START_TEST(negative_total_from_a_foreign_writer_is_refused)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	sqlite3 *db;
	long long audits = audit_rows();
	long long rows = fixture_count(&fx, "SELECT count(*) FROM invoices");
	static const char insert[] = "INSERT INTO invoices (org_id, number, "
		"customer, total_minor, currency) SELECT org_id, 'NEG-1', 'x', "
		"-5, 'EUR' FROM invoices LIMIT 1";
	char update[200];
	struct inv_err err;

	snprintf(update, sizeof update, "UPDATE invoices SET total_minor = -1 "
	         "WHERE id = %lld", (long long)inv.id);
	if (testdb_pg()) {
		struct testdb_conn *su = testdb_connect(fx.path, true);
		char msg[512];

		/* as the schema stands: refused */
		ck_assert(!fixture_try(&fx, update, NULL, msg, sizeof msg));
		ck_assert(!fixture_try(&fx, insert, NULL, msg, sizeof msg));
		/* with the guard triggers dropped (in a transaction rolled
		 * back after): the CHECK itself refuses */
		ck_assert_ptr_nonnull(su);
		testdb_conn_exec(su, "BEGIN;"
			"DROP TRIGGER invoices_before_insert ON invoices;"
			"DROP TRIGGER invoices_before_update ON invoices;"
			"SAVEPOINT s");
		ck_assert(!testdb_conn_try(su, update, msg, sizeof msg));
		ck_assert_msg(strstr(msg, "check constraint"), "%s", msg);
		testdb_conn_exec(su, "ROLLBACK TO s");
		ck_assert(!testdb_conn_try(su, insert, msg, sizeof msg));
		ck_assert_msg(strstr(msg, "check constraint"), "%s", msg);
		testdb_conn_exec(su, "ROLLBACK");
		testdb_conn_close(su);
		goto after;
	}
	db = fixture_raw(&fx);
	/* as the file stands: refused */
	ck_assert_int_ne(sqlite3_exec(db, update, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_errcode(db), SQLITE_CONSTRAINT);
	ck_assert_int_ne(sqlite3_exec(db, insert, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_errcode(db), SQLITE_CONSTRAINT);
	/* with the guard triggers dropped: the CHECK itself refuses */
	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE;"
		"DROP TRIGGER invoices_before_insert;"
		"DROP TRIGGER invoices_before_update;", NULL, NULL, NULL),
		SQLITE_OK);
	ck_assert_int_ne(sqlite3_exec(db, update, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
	ck_assert_int_ne(sqlite3_exec(db, insert, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_CHECK);
	ck_assert_int_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
after:
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").total_minor,
	                 inv.total_minor);
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version,
	                 inv.version);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices"),
	                 rows);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices "
	                               "WHERE total_minor < 0"), 0);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_int_eq(store_check(fx.st, &err), INV_OK);
	assert_totals_match(&fx.alice);
}
END_TEST

/* ---- drafts -------------------------------------------------------------- */

/* Save body as who's draft of invoice id (token "" for an edit form). */
static enum inv_rc draft_put(const struct identity *who, int64_t id,
                             const char *token, int64_t version,
                             int64_t base_version, const char *body,
                             int64_t *nv, struct draft *cur)
{
	static struct draft d;
	struct inv_err err;

	memset(&d, 0, sizeof d);
	d.invoice_id = id;
	snprintf(d.token, sizeof d.token, "%s", token);
	d.base_version = base_version;
	snprintf(d.base_body, sizeof d.base_body, "{\"customer\":\"base\"}");
	snprintf(d.body, sizeof d.body, "%s", body);
	return store_draft_save(fx.st, who, &d, version, nv, cur, &err);
}

START_TEST(stale_draft_save_is_conflict_with_stored_draft)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct draft cur, loaded;
	struct inv_err err;
	int64_t v1, v2, v;

	ck_assert_int_eq(draft_put(&fx.bob, inv.id, "", 0, inv.version,
	                           "{\"customer\":\"A\"}", &v1, &cur), INV_OK);
	ck_assert_int_eq(v1, 1);
	/* terminal 2 of the same operator, having seen v1 */
	ck_assert_int_eq(draft_put(&fx.bob, inv.id, "", v1, inv.version,
	                           "{\"customer\":\"B\"}", &v2, &cur), INV_OK);
	ck_assert_int_eq(v2, 2);
	/* terminal 1 still believes v1: told, and shown the stored draft */
	ck_assert_int_eq(draft_put(&fx.bob, inv.id, "", v1, inv.version,
	                           "{\"customer\":\"C\"}", &v, &cur),
	                 INV_CONFLICT);
	ck_assert_int_eq(cur.version, 2);
	ck_assert_str_eq(cur.body, "{\"customer\":\"B\"}");
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, "", &loaded,
	                                  &err), INV_OK);
	ck_assert_str_eq(loaded.body, "{\"customer\":\"B\"}");
	/* drafts are per user */
	ck_assert_int_eq(store_draft_load(fx.st, &fx.alice, inv.id, "", &loaded,
	                                  &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_draft_discard(fx.st, &fx.bob, inv.id, "", &err),
	                 INV_OK);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, "", &loaded,
	                                  &err), INV_NOT_FOUND);
}
END_TEST

START_TEST(draft_keeps_the_base_it_was_made_from)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct draft cur, loaded;
	struct inv_err err;
	int64_t v1;

	ck_assert_int_eq(draft_put(&fx.bob, inv.id, "", 0, inv.version,
	                           "{\"customer\":\"A\"}", &v1, &cur), INV_OK);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, NULL, &loaded,
	                                  &err), INV_OK);
	ck_assert_int_eq(loaded.base_version, inv.version);
	ck_assert_str_eq(loaded.base_body, "{\"customer\":\"base\"}");
	ck_assert_str_eq(loaded.token, "");
	/* an edit form's draft has no token */
	ck_assert_int_eq(draft_put(&fx.bob, inv.id, "tok", 0, inv.version,
	                           "{}", &v1, &cur), INV_INVALID);
}
END_TEST

/* Use latest keeps the operator's dropped edits as a second draft of the
 * invoice, beside (never instead of) the form's own draft. */
START_TEST(dropped_edits_are_a_draft_of_their_own_beside_the_forms)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct draft cur, loaded;
	struct inv_err err;
	int64_t vf, vd;

	ck_assert_int_eq(draft_put(&fx.bob, inv.id, "", 0, inv.version,
	                           "{\"customer\":\"form\"}", &vf, &cur),
	                 INV_OK);
	ck_assert_int_eq(draft_put(&fx.bob, inv.id, DRAFT_DROPPED, 0,
	                           inv.version, "{\"customer\":\"dropped\"}",
	                           &vd, &cur), INV_OK);
	ck_assert_int_eq(vd, 1);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, "", &loaded,
	                                  &err), INV_OK);
	ck_assert_str_eq(loaded.body, "{\"customer\":\"form\"}");
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, DRAFT_DROPPED,
	                                  &loaded, &err), INV_OK);
	ck_assert_str_eq(loaded.body, "{\"customer\":\"dropped\"}");
	ck_assert_str_eq(loaded.base_body, "{\"customer\":\"base\"}");
	/* an edit form's draft without a token still means the form's */
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, NULL,
	                                  &loaded, &err), INV_OK);
	ck_assert_str_eq(loaded.body, "{\"customer\":\"form\"}");
	/* discarding the dropped edits leaves the form's draft */
	ck_assert_int_eq(store_draft_discard(fx.st, &fx.bob, inv.id,
	                                     DRAFT_DROPPED, &err), INV_OK);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, DRAFT_DROPPED,
	                                  &loaded, &err), INV_NOT_FOUND);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, inv.id, "", &loaded,
	                                  &err), INV_OK);
}
END_TEST

START_TEST(new_invoice_drafts_are_keyed_by_their_token)
{
	struct draft cur, loaded;
	struct inv_err err;
	int64_t va, vb;

	/* two new-invoice forms of one operator: two drafts, no conflict */
	ck_assert_int_eq(draft_put(&fx.bob, 0, "token-a", 0, 0,
	                           "{\"customer\":\"A\"}", &va, &cur), INV_OK);
	ck_assert_int_eq(draft_put(&fx.bob, 0, "token-b", 0, 0,
	                           "{\"customer\":\"B\"}", &vb, &cur), INV_OK);
	ck_assert_int_eq(va, 1);
	ck_assert_int_eq(vb, 1);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM drafts "
	                                    "WHERE invoice_id = 0"), 2);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, 0, "token-a", &loaded,
	                                  &err), INV_OK);
	ck_assert_str_eq(loaded.body, "{\"customer\":\"A\"}");
	ck_assert_str_eq(loaded.token, "token-a");
	/* no token: the newest new-invoice draft, with its token */
	ck_assert_int_eq(draft_put(&fx.bob, 0, "token-a", va, 0,
	                           "{\"customer\":\"A2\"}", &va, &cur),
	                 INV_OK);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, 0, NULL, &loaded,
	                                  &err), INV_OK);
	ck_assert(strcmp(loaded.token, "token-a") == 0 ||
	          strcmp(loaded.token, "token-b") == 0);
	/* discarding one leaves the other */
	ck_assert_int_eq(store_draft_discard(fx.st, &fx.bob, 0, "token-a",
	                                     &err), INV_OK);
	ck_assert_int_eq(store_draft_load(fx.st, &fx.bob, 0, NULL, &loaded,
	                                  &err), INV_OK);
	ck_assert_str_eq(loaded.token, "token-b");
	/* a new invoice's draft needs its token */
	ck_assert_int_eq(draft_put(&fx.bob, 0, "", 0, 0, "{}", &va, &cur),
	                 INV_INVALID);
}
END_TEST

/* ---- change feed and tags ------------------------------------------------ */

/* Wait (at most 5 s) for st's wake-up descriptor to say another
 * connection committed: SQLite's inotify says so as the commit writes,
 * PostgreSQL's NOTIFY arrives a moment after it. */
static void wakeup_wait(struct store *st)
{
	struct pollfd p = {.fd = store_wakeup_fd(st), .events = POLLIN};

	if (p.fd >= 0)
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
}

START_TEST(feed_invalidates_exactly_the_moved_tags_of_own_org)
{
	struct store *peer = NULL;
	struct cache *c = cache_new();
	struct feed f;
	struct change ch[8];
	struct cache_log_entry log[8];
	struct invoice a = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice g = fixture_find(&fx, &fx.carol, "GLOBEX-1001");
	struct invoice_input in = {.customer = "Peer edit"};
	struct write_result res;
	struct inv_err err;
	char tag[CACHE_TAG_MAX];
	size_t n;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(feed_init(&f, fx.st, &err), INV_OK);
	ck_assert_int_eq(feed_poll(&f, fx.st, &fx.alice, c, ch, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &peer,
	                            &err), INV_OK);
	/* a globex edit moves nothing for an acme session */
	ck_assert_int_eq(store_edit(peer, &fx.carol, g.id, g.version, &in, 0,
	                            &res, &err), INV_OK);
	wakeup_wait(fx.st);
	ck_assert_int_eq(feed_poll(&f, fx.st, &fx.alice, c, ch, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(cache_log_count(c), 0);
	ck_assert_int_eq(store_edit(peer, &fx.bob, a.id, a.version, &in, 0, &res,
	                            &err), INV_OK);
	wakeup_wait(fx.st);
	ck_assert_int_eq(feed_poll(&f, fx.st, &fx.alice, c, ch, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ch[0].invoice_id, a.id);
	ck_assert_uint_eq(cache_log_tail(c, log, 8), 3);
	cache_tag_summary(1, tag);
	ck_assert_str_eq(log[0].tag, tag);
	ck_assert_int_eq(log[0].source, CACHE_SRC_PEER);
	cache_tag_record(1, a.id, tag);
	ck_assert_str_eq(log[1].tag, tag);
	cache_tag_list(1, tag);
	ck_assert_str_eq(log[2].tag, tag);
	/* an own write, noted, is not counted again as a peer's */
	ck_assert_int_eq(store_edit(peer, &fx.bob, a.id, a.version + 1,
	                            &(struct invoice_input){.customer = "Own"},
	                            0, &res, &err), INV_OK);
	feed_note_own(&f, res.change_seq);
	ck_assert_int_eq(feed_poll(&f, fx.st, &fx.alice, c, ch, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(cache_log_count(c), 3);
	store_close(peer);
	cache_free(c);
}
END_TEST


START_TEST(locked_database_is_busy_and_writes_nothing)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct invoice_input in = {.customer = "Never written"};
	struct store *st = NULL;
	struct write_result res;
	struct inv_err err;
	long long audits = audit_rows();
	int fds[2], hold[2], status;
	char ready;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(pipe(hold), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0 && testdb_pg()) {
		/* hold the row's lock (a client's open transaction), say so,
		 * then keep it until the test closes the other pipe */
		struct testdb_conn *c = testdb_connect(fx.path, false);
		char sql[200];

		close(hold[1]);
		snprintf(sql, sizeof sql, "BEGIN; SELECT id FROM invoices "
		         "WHERE id = %lld FOR UPDATE", (long long)inv.id);
		if (!c || !testdb_conn_try(c, sql, NULL, 0))
			_exit(2);
		if (write(fds[1], "x", 1) != 1)
			_exit(3);
		while (read(hold[0], &ready, 1) > 0)
			;
		testdb_conn_close(c);
		_exit(0);
	}
	if (pid == 0) {
		sqlite3 *db = fixture_raw(&fx);

		/* hold the write lock, say so, then keep it until the test
		 * closes the other pipe */
		close(hold[1]);
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			_exit(2);
		if (write(fds[1], "x", 1) != 1)
			_exit(3);
		while (read(hold[0], &ready, 1) > 0)
			;
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(db);
		_exit(0);
	}
	close(fds[1]);
	close(hold[0]);
	ck_assert_int_eq(read(fds[0], &ready, 1), 1);
	close(fds[0]);
	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 300},
	                            &st, &err),
	                 INV_OK);
	ck_assert_int_eq(store_edit(st, &fx.bob, inv.id, inv.version, &in, 0,
	                            &res, &err), INV_BUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "locked"));
	ck_assert_int_eq(inv_rc_exit_code(INV_BUSY), 6);
	store_close(st);
	close(hold[1]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(audit_rows(), audits);
	ck_assert_str_eq(fixture_find(&fx, &fx.bob, "ACME-1002").customer,
	                 inv.customer);
}
END_TEST

/* The busy timeout is the options' (the faces read $INVED_BUSY_TIMEOUT,
 * the core reads no environment); a peer keeps its store's options unless
 * given its own, and opens the same location. */
START_TEST(busy_timeout_comes_from_the_options_and_peers_keep_them)
{
	struct invoice inv = fixture_find(&fx, &fx.bob, "ACME-1002");
	struct invoice_input in = {.customer = "Waited"};
	struct store_options fifty = {STORE_OPEN_EXISTING, 50};
	struct store_options forty = {STORE_OPEN_EXISTING, 40};
	struct store *holder = NULL, *st = NULL, *same = NULL, *own = NULL;
	struct testdb_conn *holder_pg = NULL;
	struct write_result res;
	struct inv_err err;

	ck_assert_int_eq(setenv("INVED_BUSY_TIMEOUT", "77", 1), 0);
	ck_assert_int_eq(store_open(fx.path, &fifty, &st, &err), INV_OK);
	ck_assert_int_eq(store_open_peer(st, NULL, &same, &err), INV_OK);
	ck_assert_int_eq(store_open_peer(st, &forty, &own, &err), INV_OK);
	ck_assert_str_eq(store_location(same), store_location(st));
	ck_assert_str_eq(store_location(own), fx.path);
	ck_assert_int_eq(store_open_peer(fx.st, NULL, &holder, &err), INV_OK);
	if (testdb_pg()) {
		char sql[200];

		/* a client holding the row's lock */
		holder_pg = testdb_connect(fx.path, false);
		ck_assert_ptr_nonnull(holder_pg);
		snprintf(sql, sizeof sql, "BEGIN; SELECT id FROM invoices "
		         "WHERE id = %lld FOR UPDATE", (long long)inv.id);
		testdb_conn_exec(holder_pg, sql);
	} else {
		ck_assert_int_eq(sq_batch_begin(holder->impl, &err), INV_OK);
		ck_assert_int_eq(store_edit(holder, &fx.bob, inv.id, inv.version,
		                            &in, 0, &res, &err), INV_OK);
	}

	ck_assert_int_eq(store_edit(st, &fx.bob, inv.id, inv.version, &in, 0,
	                            &res, &err), INV_BUSY);
	ck_assert_msg(strstr(err.msg, " 50 ms") != NULL, "%s", err.msg);
	ck_assert_int_eq(store_edit(same, &fx.bob, inv.id, inv.version, &in, 0,
	                            &res, &err), INV_BUSY);
	ck_assert_msg(strstr(err.msg, " 50 ms") != NULL, "%s", err.msg);
	ck_assert_int_eq(store_edit(own, &fx.bob, inv.id, inv.version, &in, 0,
	                            &res, &err), INV_BUSY);
	ck_assert_msg(strstr(err.msg, " 40 ms") != NULL, "%s", err.msg);

	if (holder_pg)
		testdb_conn_close(holder_pg);
	else
		sq_batch_rollback(holder->impl);
	unsetenv("INVED_BUSY_TIMEOUT");
	store_close(holder);
	store_close(own);
	store_close(same);
	store_close(st);
}
END_TEST

START_TEST(truncated_file_is_reported_not_crashed_on)
{
	struct store *st = NULL;
	struct inv_err err;
	sqlite3 *db = fixture_raw(&fx);

	/* fold the WAL into the main file so the cut hits real data */
	ck_assert_int_eq(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)",
	                              NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	store_close(fx.st);
	fx.st = NULL;
	ck_assert_int_eq(truncate(fx.path, 5000), 0);
	if (store_open(fx.path,
	               &(struct store_options){STORE_OPEN_EXISTING, 0},
	               &st, &err) == INV_OK) {
		struct identity who;
		struct summary sum;
		enum inv_rc rc = store_identity(st, "alice", NULL, &who, &err);

		if (rc == INV_OK)
			rc = store_summary(st, &who, &sum, &err);
		if (rc == INV_OK)
			rc = store_check(st, &err);
		ck_assert_int_ne(rc, INV_OK);
		store_close(st);
	}
	ck_assert_ptr_nonnull(strstr(err.msg, fx.path));
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("rules");
	TCase *file = tcase_create("file");
	TCase *revert = tcase_create("needs_revert");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, demo_has_live_and_deleted_acme_1001);
	tcase_add_test(tc, stale_edit_returns_current_row);
	tcase_add_test(tc, edit_bumps_version_by_exactly_one_and_audits_old_and_new);
	tcase_add_test(tc, edit_without_a_change_is_refused);
	tcase_add_test(tc, member_overwrite_forbidden_even_at_current_version);
	tcase_add_test(tc, member_overwrite_at_stale_version_is_forbidden_not_conflict);
	tcase_add_test(tc, admin_overwrite_applies_and_audits_replaced_values);
	tcase_add_test(tc, overwrite_writes_only_the_field_set);
	tcase_add_test(tc, edit_never_writes_a_field_outside_the_set);
	tcase_add_test(tc, total_and_currency_are_written_as_one_unit);
	tcase_add_test(tc, other_org_id_not_found_at_read_and_write);
	tcase_add_test(tc, deleted_row_not_found_for_edit);
	tcase_add_test(tc, archive_restore_delete_move_and_audit_once_each);
	tcase_add_test(tc, every_write_returns_the_row_as_stored);
	tcase_add_test(tc, a_sum_that_is_no_integer_takes_no_more_money);
	tcase_add_test(tc, move_into_current_state_is_conflict);
	tcase_add_test(tc, stale_archive_is_conflict_with_current_row);
	tcase_add_test(tc, stale_restore_is_conflict_with_current_row);
	tcase_add_test(tc, stale_delete_is_conflict_with_current_row);
	tcase_add_test(tc, member_delete_is_forbidden_and_a_deleted_row_is_not_there_for_members);
	tcase_add_test(tc, member_reads_of_a_deleted_invoice_find_nothing);
	tcase_add_test(tc, member_may_archive_and_restore_archived);
	tcase_add_test(tc, number_reused_after_soft_delete_and_unique_while_live);
	tcase_add_test(tc, partial_unique_index_refuses_second_live_number_for_any_writer);
	tcase_add_test(tc, repeat_create_returns_the_same_invoice);
	tcase_add_test(tc, create_allocates_next_number_per_org);
	tcase_add_test(tc, invalid_input_is_refused_and_writes_nothing);
	tcase_add_test(tc, customer_limit_counts_characters_not_bytes);
	tcase_add_test(tc, currency_change_keeps_the_written_amount);
	tcase_add_test(tc, foreign_write_bumps_version_audits_external_and_feeds);
	tcase_add_test(tc, feed_position_never_passes_a_write_still_in_flight);
	tcase_add_test(tc, busy_timeout_comes_from_the_options_and_peers_keep_them);
	tcase_add_test(tc, location_picks_its_backend);
	tcase_add_test(tc, totals_equal_recount_after_foreign_insert_update_delete);
	tcase_add_test(tc, keyset_pages_walk_a_view_without_gaps);
	tcase_add_test(tc, all_view_is_for_admins_and_shows_deleted);
	tcase_add_test(tc, filter_matches_number_or_customer_substring);
	tcase_add_test(tc, filter_follows_inveds_case_rule_not_the_databases);
	tcase_add_test(tc, unknown_user_and_foreign_org_are_forbidden_naming_memberships);
	tcase_add_test(tc, newer_schema_is_refused_and_left_untouched);
	tcase_add_test(tc, negative_total_from_a_foreign_writer_is_refused);
	tcase_add_test(tc, stale_draft_save_is_conflict_with_stored_draft);
	tcase_add_test(tc, draft_keeps_the_base_it_was_made_from);
	tcase_add_test(tc, dropped_edits_are_a_draft_of_their_own_beside_the_forms);
	tcase_add_test(tc, new_invoice_drafts_are_keyed_by_their_token);
	tcase_add_test(tc, feed_invalidates_exactly_the_moved_tags_of_own_org);
	tcase_add_test(tc, locked_database_is_busy_and_writes_nothing);
	tcase_add_test(tc, overlong_foreign_text_is_cut_to_the_buffer);
	suite_add_tcase(s, tc);
	/* the SQLite file itself: its name, its pragmas, an older schema's
	 * file, a cut file */
	tcase_add_checked_fixture(file, setup, teardown);
	tcase_set_timeout(file, 60);
	tcase_add_test(file, missing_and_foreign_files_are_named_in_the_error);
	tcase_add_test(file, wal_full_sync_and_foreign_keys_are_on);
	tcase_add_test(file, schema_1_drafts_migrate_with_their_rows);
	tcase_add_test(file, truncated_file_is_reported_not_crashed_on);
	testdb_add_sqlite_only(s, file);
	testdb_sqlite_only("store", 4, "the SQLite file: its name, "
	                   "pragmas, schema 1, a cut file");
	tcase_add_checked_fixture(revert, setup, teardown);
	tcase_set_timeout(revert, 60);
	tcase_add_test(revert, a_revert_returns_the_row_as_stored);
	suite_add_tcase(s, revert);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
