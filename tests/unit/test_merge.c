/*
 * test_merge.c - the three-way comparison behind the conflict panel: which
 * side changed what, when a merge is offered, and the merged row it offers
 * (the database's row and version with the operator's changes on top).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "money.h"

static struct invoice base, mine, theirs;
static struct merge_result res;

/* The row as the form loaded it: version 4 of ACME-1001. */
static void setup(void)
{
	memset(&base, 0, sizeof base);
	base.id = 17;
	base.org_id = 1;
	strcpy(base.number, "ACME-1001");
	strcpy(base.customer, "Müller & Söhne — Zürich");
	base.status = ST_DRAFT;
	base.total_minor = 1250;
	strcpy(base.currency, "EUR");
	base.version = 4;
	strcpy(base.created_at, "2026-01-01T09:00:00.000Z");
	strcpy(base.updated_at, "2026-01-02T09:00:00.000Z");
	mine = base;
	/* another terminal saved since: version 5, later timestamp */
	theirs = base;
	theirs.version = 5;
	strcpy(theirs.updated_at, "2026-01-03T10:00:00.000Z");
	memset(&res, 0xa5, sizeof res); /* prove every field is written */
}

START_TEST(diff_names_each_editable_field)
{
	struct invoice b = base;

	ck_assert_uint_eq(merge_diff(&base, &b), 0);
	strcpy(b.customer, "作者");
	ck_assert_uint_eq(merge_diff(&base, &b), MF_CUSTOMER);
	b.status = ST_PAID;
	ck_assert_uint_eq(merge_diff(&base, &b), MF_CUSTOMER | MF_STATUS);
	b.total_minor = 1;
	strcpy(b.currency, "USD");
	ck_assert_uint_eq(merge_diff(&base, &b), MF_ALL);
}
END_TEST

START_TEST(diff_ignores_version_and_timestamps_but_not_the_number)
{
	struct invoice b = base;
	struct merge_result r;
	struct invoice me = base;

	b.version = 99;
	strcpy(b.updated_at, "2030-01-01T00:00:00.000Z");
	strcpy(b.archived_at, "2030-01-01T00:00:00.000Z");
	ck_assert_uint_eq(merge_diff(&base, &b), 0);
	/* the number is a field of the form: renumbered elsewhere, it is
	 * their change, and a merge keeps it beside mine */
	strcpy(b.number, "ACME-9999");
	ck_assert_uint_eq(merge_diff(&base, &b), MF_NUMBER);
	strcpy(me.customer, "Mine Ltd");
	merge_fields(&base, &me, &b, &r);
	ck_assert(r.disjoint);
	ck_assert_str_eq(r.merged.number, "ACME-9999");
	ck_assert_str_eq(r.merged.customer, "Mine Ltd");
	/* both renumbered differently: a conflict the operator picks */
	strcpy(me.number, "ACME-7777");
	ck_assert_uint_eq(merge_conflicts(&base, &me, &b), MF_NUMBER);
}
END_TEST

START_TEST(picks_take_mine_or_theirs_per_field_where_both_changed)
{
	struct invoice out;

	/* both changed Customer and Status; only I changed nothing else */
	strcpy(mine.customer, "Mine GmbH");
	strcpy(theirs.customer, "Theirs AG");
	mine.status = ST_PAID;
	theirs.status = ST_VOID;
	ck_assert_uint_eq(merge_conflicts(&base, &mine, &theirs),
	                  MF_CUSTOMER | MF_STATUS);
	merge_pick(&base, &mine, &theirs, MF_CUSTOMER, &out);
	ck_assert_str_eq(out.customer, "Mine GmbH");
	ck_assert_int_eq(out.status, ST_VOID);
	ck_assert_int_eq(out.version, 5);
	merge_pick(&base, &mine, &theirs, MF_STATUS, &out);
	ck_assert_str_eq(out.customer, "Theirs AG");
	ck_assert_int_eq(out.status, ST_PAID);
}
END_TEST

START_TEST(picks_keep_fields_only_one_side_changed)
{
	struct invoice out;

	strcpy(mine.customer, "Mine GmbH");
	strcpy(theirs.customer, "Theirs AG");
	mine.status = ST_PAID;        /* only mine */
	theirs.total_minor = 7700;    /* only theirs */
	merge_pick(&base, &mine, &theirs, 0, &out);
	ck_assert_str_eq(out.customer, "Theirs AG");
	ck_assert_int_eq(out.status, ST_PAID);
	ck_assert_int_eq(out.total_minor, 7700);
	ck_assert_str_eq(out.currency, "EUR");
}
END_TEST

START_TEST(picks_move_total_and_currency_as_one_unit)
{
	struct invoice out;

	/* I typed a new total in EUR; they moved the invoice to JPY */
	mine.total_minor = 9900;
	theirs.total_minor = 1300;
	strcpy(theirs.currency, "JPY");
	ck_assert_uint_eq(merge_conflicts(&base, &mine, &theirs), MF_MONEY);
	merge_pick(&base, &mine, &theirs, MF_TOTAL, &out);
	ck_assert_int_eq(out.total_minor, 9900);
	ck_assert_str_eq(out.currency, "EUR");
	merge_pick(&base, &mine, &theirs, 0, &out);
	ck_assert_int_eq(out.total_minor, 1300);
	ck_assert_str_eq(out.currency, "JPY");
}
END_TEST

START_TEST(same_value_on_both_sides_is_no_conflict_to_pick)
{
	strcpy(mine.customer, "Same");
	strcpy(theirs.customer, "Same");
	ck_assert_uint_eq(merge_conflicts(&base, &mine, &theirs), 0);
}
END_TEST

START_TEST(disjoint_edits_merge_theirs_with_mine_on_top)
{
	strcpy(mine.customer, "作者");
	mine.total_minor = 9900;
	theirs.status = ST_SENT;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_CUSTOMER | MF_TOTAL);
	ck_assert_uint_eq(res.theirs, MF_STATUS);
	ck_assert(res.disjoint);
	ck_assert_str_eq(res.merged.customer, "作者");
	ck_assert_int_eq(res.merged.status, ST_SENT);
	ck_assert_int_eq(res.merged.total_minor, 9900);
	ck_assert_str_eq(res.merged.currency, "EUR");
}
END_TEST

START_TEST(merged_row_keeps_the_database_version_and_identity)
{
	mine.status = ST_PAID;
	theirs.total_minor = 5000;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert(res.disjoint);
	ck_assert_int_eq(res.merged.version, 5);
	ck_assert_int_eq(res.merged.id, 17);
	ck_assert_int_eq(res.merged.org_id, 1);
	ck_assert_str_eq(res.merged.number, "ACME-1001");
	ck_assert_str_eq(res.merged.updated_at, "2026-01-03T10:00:00.000Z");
	ck_assert_int_eq(res.merged.status, ST_PAID);
	ck_assert_int_eq(res.merged.total_minor, 5000);
}
END_TEST

START_TEST(same_field_changed_to_different_values_is_not_disjoint)
{
	strcpy(mine.customer, "Mine GmbH");
	strcpy(theirs.customer, "Theirs AG");

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_CUSTOMER);
	ck_assert_uint_eq(res.theirs, MF_CUSTOMER);
	ck_assert(!res.disjoint);
	/* still filled: mine's value on top of theirs */
	ck_assert_str_eq(res.merged.customer, "Mine GmbH");
	ck_assert_int_eq(res.merged.version, 5);
}
END_TEST

START_TEST(one_overlapping_field_spoils_otherwise_disjoint_edits)
{
	mine.status = ST_PAID;
	strcpy(mine.customer, "Mine GmbH");
	theirs.status = ST_VOID;
	theirs.total_minor = 7;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_STATUS | MF_CUSTOMER);
	ck_assert_uint_eq(res.theirs, MF_STATUS | MF_TOTAL);
	ck_assert(!res.disjoint);
}
END_TEST

START_TEST(same_value_on_both_sides_does_not_count_against_disjoint)
{
	mine.status = ST_PAID;
	strcpy(mine.customer, "Both Ltd");
	theirs.status = ST_PAID;
	strcpy(theirs.customer, "Both Ltd");
	theirs.total_minor = 4200;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_STATUS | MF_CUSTOMER);
	ck_assert_uint_eq(res.theirs, MF_STATUS | MF_CUSTOMER | MF_TOTAL);
	ck_assert(res.disjoint);
	ck_assert_int_eq(res.merged.status, ST_PAID);
	ck_assert_str_eq(res.merged.customer, "Both Ltd");
	ck_assert_int_eq(res.merged.total_minor, 4200);
}
END_TEST

START_TEST(no_edit_on_either_side_merges_to_theirs)
{
	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, 0);
	ck_assert_uint_eq(res.theirs, 0);
	ck_assert(res.disjoint);
	ck_assert_uint_eq(merge_diff(&res.merged, &theirs), 0);
	ck_assert_int_eq(res.merged.version, theirs.version);
	ck_assert_str_eq(res.merged.updated_at, theirs.updated_at);
}
END_TEST

START_TEST(only_mine_changed_merges_to_mine_at_their_version)
{
	strcpy(mine.customer, "Mine GmbH");
	mine.status = ST_VOID;
	mine.total_minor = 1;
	strcpy(mine.currency, "USD");

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_ALL);
	ck_assert_uint_eq(res.theirs, 0);
	ck_assert(res.disjoint);
	ck_assert_uint_eq(merge_diff(&res.merged, &mine), 0);
	ck_assert_int_eq(res.merged.version, 5);
}
END_TEST

START_TEST(both_totals_changed_collide_across_a_currency_switch)
{
	/* I typed 99.00 EUR; they switched the invoice to BHD, which rewrote
	 * the total as written (12.50 -> 12.500).  Both changed the total. */
	mine.total_minor = 9900;
	strcpy(theirs.currency, "BHD");
	theirs.total_minor = 12500;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_TOTAL);
	ck_assert_uint_eq(res.theirs, MF_TOTAL | MF_CURRENCY);
	ck_assert(!res.disjoint);
}
END_TEST

START_TEST(currency_of_the_same_decimals_takes_my_total_unchanged)
{
	mine.total_minor = 9900;
	strcpy(theirs.currency, "USD");

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert(res.disjoint);
	ck_assert_str_eq(res.merged.currency, "USD");
	ck_assert_int_eq(res.merged.total_minor, 9900);
}
END_TEST

START_TEST(total_and_currency_from_different_sides_keep_the_written_amount)
{
	/* A foreign writer changed only the currency (minor units kept);
	 * my new total 99.00 lands in BHD as 99.000, not 9.900: a total in
	 * minor units means nothing without its currency. */
	mine.total_minor = 9900;
	strcpy(theirs.currency, "BHD");

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_TOTAL);
	ck_assert_uint_eq(res.theirs, MF_CURRENCY);
	ck_assert(res.disjoint);
	ck_assert_str_eq(res.merged.currency, "BHD");
	ck_assert_int_eq(res.merged.total_minor, 99000);
}
END_TEST

START_TEST(total_that_cannot_be_written_in_the_other_currency_collides)
{
	/* 99.50 EUR has no JPY spelling: that is a real collision. */
	mine.total_minor = 9950;
	strcpy(theirs.currency, "JPY");

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_TOTAL);
	ck_assert_uint_eq(res.theirs, MF_CURRENCY);
	ck_assert(!res.disjoint);

	/* a whole amount carries: 99.00 EUR -> 99 JPY */
	setup();
	mine.total_minor = 9900;
	strcpy(theirs.currency, "JPY");
	merge_fields(&base, &mine, &theirs, &res);
	ck_assert(res.disjoint);
	ck_assert_int_eq(res.merged.total_minor, 99);

	/* the largest EUR total has no room for a third decimal in BHD */
	setup();
	mine.total_minor = MONEY_MAX_MINOR;
	strcpy(theirs.currency, "BHD");
	merge_fields(&base, &mine, &theirs, &res);
	ck_assert(!res.disjoint);
}
END_TEST

START_TEST(untouched_total_keeps_its_minor_units_under_my_currency)
{
	/* Nobody changed the total: my currency change applies as I made it
	 * and the total stays the minor units both rows hold. */
	strcpy(mine.currency, "BHD");
	theirs.status = ST_SENT;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_CURRENCY);
	ck_assert(res.disjoint);
	ck_assert_str_eq(res.merged.currency, "BHD");
	ck_assert_int_eq(res.merged.total_minor, 1250);
	ck_assert_int_eq(res.merged.status, ST_SENT);
}
END_TEST

START_TEST(their_total_is_carried_as_written_into_my_currency)
{
	/* They set 20.00 EUR; I switched to BHD without touching the total.
	 * Their amount is what stands, written in my currency: 20.000 BHD. */
	strcpy(mine.currency, "BHD");
	theirs.total_minor = 2000;

	merge_fields(&base, &mine, &theirs, &res);
	ck_assert_uint_eq(res.mine, MF_CURRENCY);
	ck_assert_uint_eq(res.theirs, MF_TOTAL);
	ck_assert(res.disjoint);
	ck_assert_str_eq(res.merged.currency, "BHD");
	ck_assert_int_eq(res.merged.total_minor, 20000);
}
END_TEST

START_TEST(write_set_is_what_i_changed_with_money_as_one_unit)
{
	ck_assert_uint_eq(merge_write_set(&base, &mine), 0);
	mine.status = ST_VOID;
	ck_assert_uint_eq(merge_write_set(&base, &mine), MF_STATUS);
	/* a changed total brings its currency, and the other way round */
	mine.total_minor = 9900;
	ck_assert_uint_eq(merge_write_set(&base, &mine), MF_STATUS | MF_MONEY);
	mine = base;
	strcpy(mine.currency, "USD");
	ck_assert_uint_eq(merge_write_set(&base, &mine), MF_MONEY);
}
END_TEST

START_TEST(replaced_names_only_their_changes_that_mine_overrides)
{
	/* they changed the status and the currency; I changed the customer
	 * and the total */
	theirs.status = ST_VOID;
	strcpy(theirs.currency, "JPY");
	theirs.total_minor = 13;
	strcpy(mine.customer, "Mine GmbH");
	mine.total_minor = 9900;

	/* my write replaces their money (one unit), not their status */
	ck_assert_uint_eq(merge_replaced(&base, &mine, &theirs,
	                                 merge_write_set(&base, &mine)),
	                  MF_MONEY);
	/* both sides setting the same value replaces nothing */
	mine = theirs;
	mine.version = base.version;
	strcpy(mine.customer, "Mine GmbH");
	ck_assert_uint_eq(merge_replaced(&base, &mine, &theirs,
	                                 merge_write_set(&base, &mine)), 0);
	/* a field they left alone is never theirs to lose */
	setup();
	mine.status = ST_PAID;
	ck_assert_uint_eq(merge_replaced(&base, &mine, &theirs, MF_ALL), 0);
}
END_TEST

START_TEST(field_labels_name_the_form_fields)
{
	ck_assert_str_eq(merge_field_label(MF_CUSTOMER), "Customer");
	ck_assert_str_eq(merge_field_label(MF_STATUS), "Status");
	ck_assert_str_eq(merge_field_label(MF_TOTAL), "Total");
	ck_assert_str_eq(merge_field_label(MF_CURRENCY), "Currency");
	ck_assert_str_eq(merge_field_label((enum merge_field)0), "");
}
END_TEST

static Suite *merge_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("three_way");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, diff_names_each_editable_field);
	tcase_add_test(tc, diff_ignores_version_and_timestamps_but_not_the_number);
	tcase_add_test(tc, disjoint_edits_merge_theirs_with_mine_on_top);
	tcase_add_test(tc, merged_row_keeps_the_database_version_and_identity);
	tcase_add_test(tc, same_field_changed_to_different_values_is_not_disjoint);
	tcase_add_test(tc, one_overlapping_field_spoils_otherwise_disjoint_edits);
	tcase_add_test(tc, same_value_on_both_sides_does_not_count_against_disjoint);
	tcase_add_test(tc, no_edit_on_either_side_merges_to_theirs);
	tcase_add_test(tc, only_mine_changed_merges_to_mine_at_their_version);
	tcase_add_test(tc, both_totals_changed_collide_across_a_currency_switch);
	tcase_add_test(tc, currency_of_the_same_decimals_takes_my_total_unchanged);
	tcase_add_test(tc, total_and_currency_from_different_sides_keep_the_written_amount);
	tcase_add_test(tc, total_that_cannot_be_written_in_the_other_currency_collides);
	tcase_add_test(tc, untouched_total_keeps_its_minor_units_under_my_currency);
	tcase_add_test(tc, their_total_is_carried_as_written_into_my_currency);
	tcase_add_test(tc, write_set_is_what_i_changed_with_money_as_one_unit);
	tcase_add_test(tc, replaced_names_only_their_changes_that_mine_overrides);
	tcase_add_test(tc, field_labels_name_the_form_fields);
	tcase_add_test(tc, picks_take_mine_or_theirs_per_field_where_both_changed);
	tcase_add_test(tc, picks_keep_fields_only_one_side_changed);
	tcase_add_test(tc, picks_move_total_and_currency_as_one_unit);
	tcase_add_test(tc, same_value_on_both_sides_is_no_conflict_to_pick);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(merge_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
