/*
 * test_backend.c - the dispatcher of store.c (backend.h) with a backend
 * table of this test's own that serves almost nothing: an operation its
 * table leaves NULL is refused as an error naming the operation and the
 * backend, never called; the few that answer without an error say "none"
 * (not a demo, no wake-up descriptor, polling).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "store_tools.h"

static int gets_served;

static enum inv_rc fake_get(struct store *st, const struct identity *who,
                            int64_t id, struct invoice *out,
                            struct inv_err *err)
{
	(void)st;
	(void)who;
	(void)err;
	gets_served++;
	memset(out, 0, sizeof *out);
	out->id = id;
	return INV_OK;
}

static const struct store_backend fake = {
	.name = "fake",
	.get = fake_get,
};

static struct store fake_store = {.be = &fake, .location = "fake://x"};

START_TEST(a_served_operation_is_called)
{
	struct identity who = {.org_id = 1};
	struct invoice inv;
	struct inv_err err = {0};

	gets_served = 0;
	ck_assert_int_eq(store_get(&fake_store, &who, 7, &inv, &err), INV_OK);
	ck_assert_int_eq(gets_served, 1);
	ck_assert_int_eq(inv.id, 7);
}
END_TEST

START_TEST(a_null_operation_is_an_error_naming_it_and_the_backend)
{
	struct identity who = {.org_id = 1};
	struct invoice inv;
	struct write_result res;
	struct summary sum;
	struct inv_err err = {0};
	int64_t head = 0;

	ck_assert_int_eq(store_find(&fake_store, &who, "X-1", &inv, &err),
	                 INV_ERROR);
	ck_assert_str_eq(err.msg, "find is not available on the fake backend yet");
	ck_assert_int_eq(store_summary_recount(&fake_store, &who, &sum, &err),
	                 INV_ERROR);
	ck_assert_str_eq(err.msg, "summary_recount is not available on the "
	                          "fake backend yet");
	ck_assert_int_eq(store_delete(&fake_store, &who, 7, 1, &res, &err),
	                 INV_ERROR);
	ck_assert_str_eq(err.msg,
	                 "lifecycle is not available on the fake backend yet");
	ck_assert_int_eq(store_changes_head(&fake_store, &head, &err),
	                 INV_ERROR);
	ck_assert_int_eq(store_seed_demo(&fake_store, &err), INV_ERROR);
	ck_assert_int_eq(store_add_member(&fake_store, "a", "b", ROLE_ADMIN,
	                                  &err),
	                 INV_ERROR);
	ck_assert_str_eq(err.msg,
	                 "add_member is not available on the fake backend yet");
}
END_TEST

START_TEST(null_answers_without_an_error_say_none)
{
	struct presence *p = (struct presence *)&fake_store;
	struct identity who = {.org_id = 1};
	struct inv_err err = {0};
	char why[128] = "";

	ck_assert(!store_is_demo(&fake_store));
	ck_assert_int_eq(store_wakeup_fd(&fake_store), -1);
	ck_assert(store_wakeup_polling(&fake_store, why, sizeof why));
	ck_assert(why[0] != '\0');
	ck_assert_ptr_null(store_engine_handle(&fake_store));
	ck_assert_int_eq(store_presence_enter(&fake_store, &who, 7, "cli", &p,
	                                      &err),
	                 INV_ERROR);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(store_backend_name(&fake_store), "fake");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("backend");
	TCase *tc = tcase_create("dispatch");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, a_served_operation_is_called);
	tcase_add_test(tc, a_null_operation_is_an_error_naming_it_and_the_backend);
	tcase_add_test(tc, null_answers_without_an_error_say_none);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
