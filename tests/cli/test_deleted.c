/*
 * test_deleted.c - a member never reads a deleted invoice, by any path of
 * the command line: `show` and `history` by numeric id answer not found
 * (exit 4, JSON error "not_found"), the writes that would carry the row
 * back in a refusal do too, and `audit` leaves the deleted invoices' rows
 * out.  An admin reads all of it.  The deleted invoices are the demo's,
 * found through the admin's All view rather than named here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define MAX_DELETED 16

struct deleted {
	int64_t id[MAX_DELETED];
	int64_t version[MAX_DELETED];
	size_t n;
};

static void deleted_find(struct deleted *d)
{
	struct jv *v = fx_json(AS("alice", "list", "--view", "all", "--json"), 0);
	struct jv *rows = jv_get(v, "invoices");
	size_t i;

	ck_assert_ptr_nonnull(rows);
	d->n = 0;
	for (i = 0; i < rows->n; i++) {
		struct jv *r = rows->items[i];

		if (strcmp(fx_jstr(r, "lifecycle"), "deleted") != 0)
			continue;
		ck_assert_uint_lt(d->n, MAX_DELETED);
		d->id[d->n] = fx_jint(r, "id");
		d->version[d->n++] = fx_jint(r, "version");
	}
	jv_free(v);
	/* The demo has deleted invoices; without them this proves nothing. */
	ck_assert_uint_ge(d->n, 2);
}

static void expect_not_found(const char *what, const char *const *args)
{
	struct run r = fx_run(NULL, "bob", args);
	struct jv *v;

	ck_assert_msg(r.code == 4, "%s: exit %d, want 4\n%s%s", what, r.code,
	              r.out, r.err);
	v = fx_json(r, 4);
	ck_assert_str_eq(fx_jstr(v, "error"), "not_found");
	ck_assert_ptr_null(jv_get(v, "current"));
	jv_free(v);
}

START_TEST(member_reads_of_a_deleted_invoice_are_not_found)
{
	struct deleted d;
	size_t k;

	deleted_find(&d);
	for (k = 0; k < d.n; k++) {
		char id[32], ver[32];
		struct run r;

		snprintf(id, sizeof id, "%" PRId64, d.id[k]);
		snprintf(ver, sizeof ver, "%" PRId64, d.version[k]);
		expect_not_found("show", ARGS("show", id, "--json"));
		expect_not_found("history", ARGS("history", id, "--json"));
		expect_not_found("restore", ARGS("restore", id, "--version", ver,
		                                 "--json"));
		expect_not_found("archive", ARGS("archive", id, "--version", ver,
		                                 "--json"));
		expect_not_found("edit", ARGS("edit", id, "--version", ver,
		                              "--customer", "X", "--json"));
		/* The text answers say the same, and print no part of it. */
		r = AS("bob", "show", id);
		fx_expect_code(&r, 4);
		ck_assert_str_eq(r.out, "");
		run_free(&r);
		r = AS("bob", "history", id);
		fx_expect_code(&r, 4);
		ck_assert_str_eq(r.out, "");
		run_free(&r);
	}
}
END_TEST

static bool audit_mentions(const char *user, const struct deleted *d)
{
	struct jv *v = fx_json(AS(user, "audit", "--tail", "1000", "--json"), 0);
	struct jv *rows = jv_get(v, "audit");
	bool found = false;
	size_t i, k;

	ck_assert_ptr_nonnull(rows);
	ck_assert_uint_ge(rows->n, 1);
	for (i = 0; i < rows->n; i++)
		for (k = 0; k < d->n; k++)
			if (fx_jint(rows->items[i], "subject_id") == d->id[k])
				found = true;
	jv_free(v);
	return found;
}

START_TEST(member_audit_leaves_deleted_invoices_out)
{
	struct deleted d;

	deleted_find(&d);
	ck_assert_msg(!audit_mentions("bob", &d),
	              "bob's audit shows a deleted invoice");
	ck_assert_msg(audit_mentions("alice", &d),
	              "alice's audit misses the deleted invoices");
}
END_TEST

START_TEST(admin_reads_deleted_invoices)
{
	struct deleted d;
	size_t k;

	deleted_find(&d);
	for (k = 0; k < d.n; k++) {
		char id[32];
		struct jv *v, *a;

		snprintf(id, sizeof id, "%" PRId64, d.id[k]);
		v = fx_json(AS("alice", "show", id, "--json"), 0);
		ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "lifecycle"),
		                 "deleted");
		jv_free(v);
		v = fx_json(AS("alice", "history", id, "--json"), 0);
		a = jv_get(v, "audit");
		ck_assert_ptr_nonnull(a);
		ck_assert_uint_ge(a->n, 1);
		ck_assert_str_eq(fx_jstr(a->items[0], "action"), "invoice.delete");
		jv_free(v);
	}
}
END_TEST

static Suite *deleted_suite(void)
{
	Suite *s = suite_create("cli-deleted");
	TCase *tc = tcase_create("deleted");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, member_reads_of_a_deleted_invoice_are_not_found);
	tcase_add_test(tc, member_audit_leaves_deleted_invoices_out);
	tcase_add_test(tc, admin_reads_deleted_invoices);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_main(deleted_suite());
}
