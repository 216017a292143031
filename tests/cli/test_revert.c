/*
 * test_revert.c - `inved revert` and `inved edit --number` through the
 * binary: the JSON lists every replaced value and who had set it, a stale
 * --version exits 3 and writes nothing, --dry-run writes nothing, and a
 * restore blocked by a live number says so and names it.
 */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "testdb.h"

START_TEST(revert_json_lists_each_replaced_value_and_its_author)
{
	struct jv *v, *rep, *item;
	size_t found = 0;

	jv_free(fx_json(AS("bob", "edit", "ACME-1002", "--version", "1",
	                   "--total", "1300", "--json"), 0));
	jv_free(fx_json(AS("alice", "edit", "ACME-1002", "--version", "1",
	                   "--total", "999", "--overwrite", "--json"), 0));
	v = fx_json(AS("bob", "revert", "ACME-1002", "--to-version", "2",
	               "--version", "3", "--json"), 0);
	ck_assert_int_eq(fx_jint(v, "to_version"), 2);
	rep = jv_get(v, "replaced");
	ck_assert_ptr_nonnull(rep);
	for (size_t i = 0; (item = jv_at(rep, i)); i++) {
		ck_assert_str_eq(fx_jstr(item, "field"), "total");
		ck_assert_str_eq(fx_jstr(item, "old"), "999.00 EUR");
		ck_assert_str_eq(fx_jstr(item, "new"), "1,300.00 EUR");
		ck_assert_str_eq(fx_jstr(item, "set_by"), "alice");
		ck_assert_int_eq(fx_jint(item, "set_in_version"), 3);
		ck_assert_int_eq(fx_jint(item, "new_total_minor"), 130000);
		found++;
	}
	ck_assert_uint_eq(found, 1);
	ck_assert_int_eq(fx_jint(jv_get(v, "invoice"), "version"), 4);
	ck_assert_int_eq(fx_jint(jv_get(v, "invoice"), "total_minor"), 130000);
	jv_free(v);
	v = fx_json(AS("bob", "history", "ACME-1002", "--json"), 0);
	item = jv_at(jv_get(v, "audit"), 0);
	ck_assert_ptr_nonnull(item);
	ck_assert_str_eq(fx_jstr(item, "action"), "invoice.revert");
	ck_assert_str_eq(fx_jstr(item, "actor"), "bob");
	jv_free(v);
}
END_TEST

START_TEST(stale_revert_exits_3_and_writes_nothing)
{
	char *before;
	struct run r;

	jv_free(fx_json(AS("bob", "edit", "ACME-1002", "--version", "1",
	                   "--total", "1300", "--json"), 0));
	jv_free(fx_json(AS("bob", "edit", "ACME-1002", "--version", "2",
	                   "--status", "paid", "--json"), 0));
	before = fx_dump(fx_db);
	r = AS("alice", "revert", "ACME-1002", "--to-version", "1",
	       "--version", "2");
	fx_expect_code(&r, 3);
	fx_expect_in(r.err, "version 3");
	run_free(&r);
	r = AS("alice", "revert", "ACME-1002", "--to-version", "1",
	       "--version", "3", "--dry-run");
	fx_expect_code(&r, 0);
	fx_expect_in(r.out, "Nothing was written");
	fx_expect_in(r.out, "1,300.00 EUR → 1,200.00 EUR");
	fx_expect_in(r.out, "set by bob in version 2");
	run_free(&r);
	{
		char *after = fx_dump(fx_db);

		ck_assert_str_eq(before, after);
		free(after);
	}
	free(before);
}
END_TEST

START_TEST(revert_usage_errors_exit_2)
{
	struct run r = AS("alice", "revert", "ACME-1002", "--version", "1");

	fx_expect_code(&r, 2);
	fx_expect_in(r.err, "--to-version");
	run_free(&r);
	r = AS("alice", "revert", "ACME-1002", "--to-version", "1");
	fx_expect_code(&r, 2);
	run_free(&r);
	r = AS("alice", "revert", "ACME-1002", "--to-version", "-1",
	       "--version", "1");
	fx_expect_code(&r, 2);
	fx_expect_in(r.err, "--to-version must be");
	run_free(&r);
	r = AS("alice", "revert", "ACME-1002", "--to-version", "1",
	       "--version", "1");
	fx_expect_code(&r, 2); /* nothing earlier than version 1 */
	run_free(&r);
}
END_TEST

START_TEST(restore_blocked_by_live_number_names_it_then_renumber_unblocks)
{
	struct jv *v;
	struct run r;

	/* the demo has a deleted ACME-1001 (id 1) and a live one */
	r = AS("alice", "restore", "1", "--version", "2");
	fx_expect_code(&r, 3);
	fx_expect_in(r.err, "number ACME-1001 is held by another live invoice");
	fx_expect_in(r.err, "--number");
	ck_assert_ptr_null(strstr(r.err, "retry with --version"));
	run_free(&r);
	v = fx_json(AS("alice", "restore", "1", "--version", "2", "--json"), 3);
	ck_assert_str_eq(fx_jstr(v, "error"), "conflict");
	ck_assert_str_eq(fx_jstr(v, "field"), "number");
	jv_free(v);
	v = fx_json(AS("alice", "edit", "ACME-1001", "--version", "1",
	               "--number", "ACME-1001-B", "--json"), 0);
	ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "number"), "ACME-1001-B");
	jv_free(v);
	v = fx_json(AS("alice", "restore", "1", "--version", "2", "--json"), 0);
	ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "number"), "ACME-1001");
	jv_free(v);
	r = AS("alice", "edit", "ACME-1001-B", "--version", "2", "--number",
	       "ACME-1001");
	fx_expect_code(&r, 3);
	run_free(&r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli-revert");
	TCase *tc = tcase_create("revert");
	TCase *nr = tcase_create("needs_revert");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, restore_blocked_by_live_number_names_it_then_renumber_unblocks);
	suite_add_tcase(s, tc);
	/* revert and its plan, on both backends */
	tcase_add_checked_fixture(nr, fx_setup, fx_teardown);
	tcase_set_timeout(nr, 120);
	tcase_add_test(nr, revert_json_lists_each_replaced_value_and_its_author);
	tcase_add_test(nr, stale_revert_exits_3_and_writes_nothing);
	tcase_add_test(nr, revert_usage_errors_exit_2);
	suite_add_tcase(s, nr);
	return fx_main(s);
}
