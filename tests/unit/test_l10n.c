/*
 * test_l10n.c - the answers and times of the person's locale, from the C
 * library's data: the keys that answer a question and the letters it
 * names, and how a stored time is written, in the C locale and in German.
 * Without the de_DE.UTF-8 locale the German tests say so and check only
 * that the locale cannot be set (there is nothing else to check).
 */
#include <check.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l10n.h"

#define GERMAN "de_DE.UTF-8"

static bool use_german(void)
{
	if (setlocale(LC_ALL, GERMAN))
		return true;
	fprintf(stderr, "note: %s is not installed; German not checked\n",
	        GERMAN);
	return false;
}

static void use_c(void)
{
	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C.UTF-8"));
}

START_TEST(c_locale_answers_y_and_n_only)
{
	char yes[L10N_KEY_MAX], no[L10N_KEY_MAX];

	use_c();
	ck_assert_int_eq(l10n_answer_of('y'), L10N_YES);
	ck_assert_int_eq(l10n_answer_of('Y'), L10N_YES);
	ck_assert_int_eq(l10n_answer_of('n'), L10N_NO);
	ck_assert_int_eq(l10n_answer_of('N'), L10N_NO);
	ck_assert_int_eq(l10n_answer_of('j'), L10N_NONE);
	ck_assert_int_eq(l10n_answer_of('x'), L10N_NONE);
	l10n_answer_keys(yes, no);
	ck_assert_str_eq(yes, "y");
	ck_assert_str_eq(no, "n");
}
END_TEST

START_TEST(german_answers_j_and_still_y)
{
	char yes[L10N_KEY_MAX], no[L10N_KEY_MAX];

	if (!use_german())
		return;
	l10n_answer_keys(yes, no);
	ck_assert_int_eq(l10n_answer_of('j'), L10N_YES);
	ck_assert_int_eq(l10n_answer_of('J'), L10N_YES);
	ck_assert_int_eq(l10n_answer_of('y'), L10N_YES);
	ck_assert_int_eq(l10n_answer_of('n'), L10N_NO);
	ck_assert_int_eq(l10n_answer_of('x'), L10N_NONE);
	setlocale(LC_ALL, "C");
	ck_assert_str_eq(yes, "j");
	ck_assert_str_eq(no, "n");
}
END_TEST

/* German's yes expression also matches "1" and "+", its no "0" and "-":
 * a digit typed by habit (a view key) must not answer a delete. */
START_TEST(only_letters_answer)
{
	const unsigned keys[] = { '1', '0', '+', '-', ' ', '\r', 0x1b };

	use_c();
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		ck_assert_int_eq(l10n_answer_of(keys[i]), L10N_NONE);
	if (!use_german())
		return;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		ck_assert_msg(l10n_answer_of(keys[i]) == L10N_NONE,
		              "key %u answered", keys[i]);
	setlocale(LC_ALL, "C");
}
END_TEST

START_TEST(c_locale_keeps_iso_times)
{
	const char *at = "2026-11-22T10:04:05.123Z";
	char buf[64];

	use_c();
	l10n_time(at, L10N_DATE, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-11-22");
	l10n_time(at, L10N_TIME, buf, sizeof buf);
	ck_assert_str_eq(buf, "10:04:05");
	l10n_time(at, L10N_DATETIME, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-11-22 10:04:05");
	/* a date alone is a date, and not a time */
	l10n_time("2026-11-22", L10N_DATE, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-11-22");
	l10n_time("2026-11-22", L10N_TIME, buf, sizeof buf);
	ck_assert_str_eq(buf, "2026-11-22");
}
END_TEST

START_TEST(german_writes_day_month_year)
{
	const char *at = "2026-11-22T10:04:05.123Z";
	char date[64], time[64], both[64], day[64];

	if (!use_german())
		return;
	l10n_time(at, L10N_DATE, date, sizeof date);
	l10n_time(at, L10N_TIME, time, sizeof time);
	l10n_time(at, L10N_DATETIME, both, sizeof both);
	l10n_time("2026-11-22", L10N_DATE, day, sizeof day);
	setlocale(LC_ALL, "C");
	ck_assert_str_eq(day, "22.11.2026");
	ck_assert_str_eq(date, "22.11.2026");
	ck_assert_str_eq(time, "10:04:05");
	ck_assert_str_eq(both, "22.11.2026 10:04:05");
}
END_TEST

/* Text from the database that is not a stored time is shown as it is,
 * and a short buffer is never overrun. */
START_TEST(what_is_not_a_time_is_copied)
{
	char buf[64], small[4];

	use_c();
	l10n_time("yesterday", L10N_DATE, buf, sizeof buf);
	ck_assert_str_eq(buf, "yesterday");
	l10n_time("", L10N_DATETIME, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
	l10n_time(NULL, L10N_DATE, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
	l10n_time("2026-11-22T10:04:05Z", L10N_DATE, small, sizeof small);
	ck_assert_uint_lt(strlen(small), sizeof small);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("l10n");
	TCase *tc = tcase_create("locale");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, c_locale_answers_y_and_n_only);
	tcase_add_test(tc, german_answers_j_and_still_y);
	tcase_add_test(tc, only_letters_answer);
	tcase_add_test(tc, c_locale_keeps_iso_times);
	tcase_add_test(tc, german_writes_day_month_year);
	tcase_add_test(tc, what_is_not_a_time_is_copied);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
