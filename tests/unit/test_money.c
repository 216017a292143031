/*
 * test_money.c - amounts as a person or a script types them, for currencies
 * with 0, 2 and 3 decimals: what is accepted and what it is worth, what is
 * refused and on which field, and that formatting reads back exactly.
 */
#include <check.h>
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

/* A row either parses to `minor`, or is refused on `field`; `says`, when
 * set, must appear in the message. */
struct row {
	const char *text;
	const char *currency;
	int64_t minor; /* -1: refused */
	const char *field;
	const char *says;
};

#define OK(t, c, v) {t, c, v, NULL, NULL}
#define NO(t, c, f, s) {t, c, -1, f, s}

/* Currencies without decimals: JPY KRW ISK CLP VND. */
static const struct row rows_exp0[] = {
	OK("0", "JPY", 0),
	OK("00", "JPY", 0),
	OK("1", "JPY", 1),
	OK("7", "KRW", 7),
	OK("1234", "JPY", 1234),
	OK("007", "JPY", 7),
	OK("1000000", "KRW", 1000000),
	OK("5000", "ISK", 5000),
	OK("250000", "CLP", 250000),
	OK("99000", "VND", 99000),
	OK("000000000000000000000000000042", "JPY", 42),
	OK("999999999999998", "JPY", 999999999999998),
	OK("999999999999999", "JPY", 999999999999999),
	OK("0999999999999999", "KRW", 999999999999999),
	NO("1.5", "JPY", "total", "JPY has no decimals"),
	NO("1.0", "JPY", "total", "JPY has no decimals"),
	NO("1.00", "JPY", "total", "JPY has no decimals"),
	NO("0.5", "KRW", "total", "KRW has no decimals"),
	NO("12.345", "ISK", "total", "ISK has no decimals"),
	NO("1234.", "JPY", "total", NULL),
	NO(".5", "JPY", "total", "digit before '.'"),
	NO(".", "JPY", "total", NULL),
	NO("", "JPY", "total", "enter an amount"),
	NO("-1", "JPY", "total", "amounts cannot be negative"),
	NO("-0", "JPY", "total", "amounts cannot be negative"),
	NO("+1", "JPY", "total", "without a sign"),
	NO("1,000", "JPY", "total", "'.' as the decimal separator"),
	NO("1 000", "JPY", "total", "without spaces"),
	NO(" 5", "JPY", "total", "without spaces"),
	NO("5 ", "JPY", "total", "without spaces"),
	NO("1e3", "JPY", "total", "'e' cannot appear"),
	NO("1E3", "JPY", "total", "'E' cannot appear"),
	NO("0x10", "JPY", "total", NULL),
	NO("abc", "JPY", "total", NULL),
	NO("12a", "KRW", "total", NULL),
	NO("1.2.3", "JPY", "total", "at most one '.'"),
	NO("\xef\xbc\x91\xef\xbc\x92", "JPY", "total", "digits and '.' only"),
	NO("1000000000000000", "JPY", "total", "999,999,999,999,999 JPY"),
	NO("9999999999999999", "KRW", "total", "out of range"),
	NO("9223372036854775807", "JPY", "total", "out of range"),
	NO("99999999999999999999999999999999", "JPY", "total", "out of range"),
	NO("12", "jpy", "currency", "in capitals: JPY"),
	NO("12", "YEN", "currency", "unknown currency 'YEN'"),
	NO("12", "", "currency", "unknown currency"),
};

/* Two decimals: EUR and its many siblings. */
static const struct row rows_exp2[] = {
	OK("0", "EUR", 0),
	OK("0.0", "EUR", 0),
	OK("0.00", "EUR", 0),
	OK("1", "EUR", 100),
	OK("1.5", "EUR", 150),
	OK("1.50", "EUR", 150),
	OK("1234", "EUR", 123400),
	OK("1234.5", "EUR", 123450),
	OK("1234.50", "EUR", 123450),
	OK("007.50", "EUR", 750),
	OK("0.01", "EUR", 1),
	OK("0.1", "EUR", 10),
	OK("99.99", "USD", 9999),
	OK("5", "GBP", 500),
	OK("12.3", "CHF", 1230),
	OK("42", "SEK", 4200),
	OK("1.05", "PLN", 105),
	OK("250000", "HUF", 25000000),
	OK("19.9", "CZK", 1990),
	OK("000000000000000000000001.00", "EUR", 100),
	OK("9999999999999", "EUR", 999999999999900),
	OK("9999999999999.9", "EUR", 999999999999990),
	OK("9999999999999.99", "EUR", 999999999999999),
	NO("12.345", "EUR", "total", "EUR allows at most 2 decimals"),
	NO("0.001", "USD", "total", "USD allows at most 2 decimals"),
	NO("1.500", "EUR", "total", "EUR allows at most 2 decimals"),
	NO("1234.", "EUR", "total", "decimals after '.'"),
	NO(".5", "EUR", "total", "digit before '.'"),
	NO(".50", "EUR", "total", "digit before '.'"),
	NO("", "EUR", "total", "e.g. 1234.50"),
	NO("1,50", "EUR", "total", "'.' as the decimal separator"),
	NO("1,234.50", "EUR", "total", "'.' as the decimal separator"),
	NO("-5", "EUR", "total", "amounts cannot be negative"),
	NO("-0.01", "EUR", "total", "amounts cannot be negative"),
	NO("+5", "EUR", "total", "without a sign"),
	NO("12.5-", "EUR", "total", "'-' cannot appear"),
	NO("1 234.50", "EUR", "total", "without spaces"),
	NO("12.50\t", "EUR", "total", "without spaces"),
	NO("1e3", "EUR", "total", NULL),
	NO("1.5e2", "EUR", "total", NULL),
	NO("NaN", "EUR", "total", NULL),
	NO("inf", "EUR", "total", NULL),
	NO("1_000", "EUR", "total", "'_' cannot appear"),
	NO("1'000", "CHF", "total", "''' cannot appear"),
	NO("$5", "USD", "total", "'$' cannot appear"),
	NO("12.5\xe2\x82\xac", "EUR", "total", "digits and '.' only"),
	NO("\xd9\xa1\xd9\xa2", "EUR", "total", "digits and '.' only"),
	NO("1..5", "EUR", "total", "at most one '.'"),
	NO("10000000000000", "EUR", "total", "9,999,999,999,999.99 EUR"),
	NO("10000000000000.00", "EUR", "total", "out of range"),
	NO("99999999999999999999", "EUR", "total", "out of range"),
	NO("92233720368547758.07", "EUR", "total", "out of range"),
	NO("1.50", "XXX", "currency", "unknown currency 'XXX'"),
	NO("1.50", "eur", "currency", "in capitals: EUR"),
	NO("1.50", "EURO", "currency", "unknown currency"),
	NO("1.50", "E\x1b[2J", "currency", NULL),
};

/* Three decimals: BHD KWD OMR JOD TND IQD LYD. */
static const struct row rows_exp3[] = {
	OK("0", "BHD", 0),
	OK("0.000", "BHD", 0),
	OK("1", "BHD", 1000),
	OK("1.5", "BHD", 1500),
	OK("1.25", "BHD", 1250),
	OK("1.250", "BHD", 1250),
	OK("1.001", "KWD", 1001),
	OK("0.001", "OMR", 1),
	OK("0.01", "JOD", 10),
	OK("12.345", "KWD", 12345),
	OK("007.500", "TND", 7500),
	OK("1234.5", "IQD", 1234500),
	OK("99", "LYD", 99000),
	OK("999999999999", "BHD", 999999999999000),
	OK("999999999999.9", "BHD", 999999999999900),
	OK("999999999999.99", "BHD", 999999999999990),
	OK("999999999999.999", "BHD", 999999999999999),
	OK("0000000000000000000000.001", "BHD", 1),
	NO("1.2345", "BHD", "total", "BHD allows at most 3 decimals"),
	NO("0.0001", "KWD", "total", "KWD allows at most 3 decimals"),
	NO("1.0000", "OMR", "total", "OMR allows at most 3 decimals"),
	NO("1234.", "BHD", "total", "e.g. 1234.500"),
	NO(".5", "BHD", "total", "digit before '.'"),
	NO(".125", "JOD", "total", "digit before '.'"),
	NO("", "BHD", "total", "enter an amount"),
	NO("1,250", "BHD", "total", "'.' as the decimal separator"),
	NO("1,5", "KWD", "total", "'.' as the decimal separator"),
	NO("-1.5", "BHD", "total", "amounts cannot be negative"),
	NO("-", "BHD", "total", "amounts cannot be negative"),
	NO("+1.5", "BHD", "total", "without a sign"),
	NO("+", "BHD", "total", "without a sign"),
	NO("1 .5", "BHD", "total", "without spaces"),
	NO("1. 5", "BHD", "total", "without spaces"),
	NO("1e-3", "BHD", "total", NULL),
	NO("0x1p3", "BHD", "total", NULL),
	NO("one", "BHD", "total", NULL),
	NO("1.5.0", "TND", "total", "at most one '.'"),
	NO("1.5BHD", "BHD", "total", "'B' cannot appear"),
	NO("1.5\n", "BHD", "total", "digits and '.' only"),
	NO("1000000000000", "BHD", "total", "999,999,999,999.999 BHD"),
	NO("1000000000000.000", "BHD", "total", "out of range"),
	NO("999999999999.9999", "BHD", "total", "at most 3 decimals"),
	NO("9223372036854775.807", "BHD", "total", "out of range"),
	NO("18446744073709551616", "BHD", "total", "out of range"),
	NO("1.5", "bhd", "currency", "in capitals: BHD"),
	NO("1.5", "BD", "currency", "unknown currency 'BD'"),
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void check_row(const struct row *r, int i)
{
	const int64_t untouched = INT64_C(-777);
	int64_t minor = untouched;
	struct inv_err err;
	enum inv_rc rc;

	memset(&err, 0, sizeof err);
	rc = money_parse(r->text, r->currency, &minor, &err);
	if (r->minor >= 0) {
		ck_assert_msg(rc == INV_OK, "row %d '%s' %s refused: %s", i,
		              r->text, r->currency, err.msg);
		ck_assert_msg(minor == r->minor,
		              "row %d '%s' %s: %" PRId64 " != %" PRId64, i,
		              r->text, r->currency, minor, r->minor);
		return;
	}
	ck_assert_msg(rc == INV_INVALID, "row %d '%s' %s accepted as %" PRId64,
	              i, r->text, r->currency, minor);
	ck_assert_msg(err.rc == INV_INVALID, "row %d: err.rc not set", i);
	ck_assert_msg(strcmp(err.field, r->field) == 0,
	              "row %d '%s': field '%s', want '%s'", i, r->text,
	              err.field, r->field);
	ck_assert_msg(err.msg[0] != '\0', "row %d: no message", i);
	ck_assert_msg(!r->says || strstr(err.msg, r->says),
	              "row %d '%s': message \"%s\" lacks \"%s\"", i, r->text,
	              err.msg, r->says);
	ck_assert_msg(minor == untouched, "row %d: refused parse wrote %" PRId64,
	              i, minor);
}

START_TEST(exponent0_amounts_table)
{
	check_row(&rows_exp0[_i], _i);
}
END_TEST

START_TEST(exponent2_amounts_table)
{
	check_row(&rows_exp2[_i], _i);
}
END_TEST

START_TEST(exponent3_amounts_table)
{
	check_row(&rows_exp3[_i], _i);
}
END_TEST

START_TEST(each_table_has_forty_rows_both_ways)
{
	const struct {
		const struct row *rows;
		size_t n;
		const char *currency;
	} tables[] = {
		{rows_exp0, COUNT(rows_exp0), "JPY"},
		{rows_exp2, COUNT(rows_exp2), "EUR"},
		{rows_exp3, COUNT(rows_exp3), "BHD"},
	};
	size_t t, i;

	for (t = 0; t < COUNT(tables); t++) {
		size_t ok = 0, no = 0;

		ck_assert_uint_ge(tables[t].n, 40);
		for (i = 0; i < tables[t].n; i++) {
			const struct row *r = &tables[t].rows[i];

			if (r->minor >= 0) {
				ok++;
				/* every accepted row is in a currency of the
				 * table's exponent */
				ck_assert_int_eq(money_exponent(r->currency),
				                 money_exponent(tables[t].currency));
			} else {
				no++;
			}
		}
		ck_assert_uint_ge(ok, 10);
		ck_assert_uint_ge(no, 25);
	}
}
END_TEST

START_TEST(jpy_refuses_decimals)
{
	struct inv_err err;
	int64_t v;

	ck_assert_int_eq(money_parse("100.5", "JPY", &v, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "total");
	ck_assert_ptr_nonnull(strstr(err.msg, "JPY has no decimals"));
}
END_TEST

START_TEST(eur_refuses_a_third_decimal_naming_the_limit)
{
	struct inv_err err;
	int64_t v;

	ck_assert_int_eq(money_parse("12.345", "EUR", &v, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "total");
	ck_assert_ptr_nonnull(strstr(err.msg, "EUR allows at most 2 decimals"));
}
END_TEST

START_TEST(comma_and_sign_get_their_own_messages)
{
	struct inv_err err;
	int64_t v;

	ck_assert_int_eq(money_parse("1,50", "EUR", &v, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "use '.' as the decimal separator"));
	ck_assert_int_eq(money_parse("-5", "EUR", &v, &err), INV_INVALID);
	ck_assert_str_eq(err.msg, "amounts cannot be negative");
}
END_TEST

START_TEST(maximum_is_accepted_and_one_above_is_out_of_range)
{
	const struct {
		const char *currency;
		const char *max;
		const char *above;
		const char *shown;
	} edges[] = {
		{"JPY", "999999999999999", "1000000000000000",
		 "999,999,999,999,999 JPY"},
		{"EUR", "9999999999999.99", "10000000000000.00",
		 "9,999,999,999,999.99 EUR"},
		{"BHD", "999999999999.999", "1000000000000.000",
		 "999,999,999,999.999 BHD"},
	};
	struct inv_err err;
	int64_t v;
	size_t i;

	for (i = 0; i < COUNT(edges); i++) {
		ck_assert_int_eq(money_parse(edges[i].max, edges[i].currency, &v,
		                             &err), INV_OK);
		ck_assert_int_eq(v, MONEY_MAX_MINOR);
		ck_assert_int_eq(money_parse(edges[i].above, edges[i].currency,
		                             &v, &err), INV_INVALID);
		ck_assert_str_eq(err.field, "total");
		ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
		ck_assert_ptr_nonnull(strstr(err.msg, edges[i].shown));
	}
}
END_TEST

START_TEST(digit_strings_past_int64_are_out_of_range_not_wrapped)
{
	/* 2^64 + 100 would wrap to 100 with unchecked arithmetic; INT64_MAX
	 * and its neighbours must not sneak through either. */
	const char *huge[] = {
		"18446744073709551716",
		"9223372036854775807",
		"9223372036854775808",
		"92233720368547758.08",
		"100000000000000000000000000000000000000000000000000000000000",
	};
	char digits[4097];
	struct inv_err err;
	int64_t v = 0;
	size_t i;

	for (i = 0; i < COUNT(huge); i++) {
		ck_assert_int_eq(money_parse(huge[i], "EUR", &v, &err),
		                 INV_INVALID);
		ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
		ck_assert_int_eq(v, 0);
	}
	memset(digits, '9', sizeof digits - 1);
	digits[sizeof digits - 1] = '\0';
	ck_assert_int_eq(money_parse(digits, "JPY", &v, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "out of range"));
}
END_TEST

START_TEST(decimals_scale_up_to_the_currency)
{
	/* The decimals typed are padded, never shifted: 0.5 is half a unit
	 * in every currency that has decimals. */
	struct inv_err err;
	int64_t v;

	ck_assert_int_eq(money_parse("0.5", "EUR", &v, &err), INV_OK);
	ck_assert_int_eq(v, 50);
	ck_assert_int_eq(money_parse("0.5", "BHD", &v, &err), INV_OK);
	ck_assert_int_eq(v, 500);
	ck_assert_int_eq(money_parse("0.05", "KWD", &v, &err), INV_OK);
	ck_assert_int_eq(v, 50);
}
END_TEST

START_TEST(format_writes_exactly_the_currency_decimals)
{
	const struct {
		int64_t minor;
		const char *currency;
		const char *plain;
		const char *grouped;
	} cases[] = {
		{123450, "EUR", "1234.50", "1,234.50"},
		{123456750, "EUR", "1234567.50", "1,234,567.50"},
		{0, "EUR", "0.00", "0.00"},
		{5, "EUR", "0.05", "0.05"},
		{100, "USD", "1.00", "1.00"},
		{99999, "GBP", "999.99", "999.99"},
		{100000, "GBP", "1000.00", "1,000.00"},
		{1234, "JPY", "1234", "1,234"},
		{0, "JPY", "0", "0"},
		{999, "KRW", "999", "999"},
		{1000, "KRW", "1000", "1,000"},
		{1, "BHD", "0.001", "0.001"},
		{0, "BHD", "0.000", "0.000"},
		{1234567, "KWD", "1234.567", "1,234.567"},
		{MONEY_MAX_MINOR, "JPY", "999999999999999", "999,999,999,999,999"},
		{MONEY_MAX_MINOR, "EUR", "9999999999999.99", "9,999,999,999,999.99"},
		{MONEY_MAX_MINOR, "BHD", "999999999999.999", "999,999,999,999.999"},
		/* unknown currencies fall back to two decimals */
		{123450, "XXX", "1234.50", "1,234.50"},
		{7, NULL, "0.07", "0.07"},
	};
	char buf[MONEY_TEXT_MAX];
	size_t i;

	for (i = 0; i < COUNT(cases); i++) {
		money_format(cases[i].minor, cases[i].currency, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].plain);
		money_format_grouped(cases[i].minor, cases[i].currency, buf,
		                     sizeof buf);
		ck_assert_str_eq(buf, cases[i].grouped);
	}
}
END_TEST

START_TEST(format_then_parse_round_trips_in_every_currency)
{
	const int64_t values[] = {
		0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 12345, 123450,
		1000000, 987654321, 100000000000000, MONEY_MAX_MINOR - 1,
		MONEY_MAX_MINOR,
	};
	const char *const *codes;
	size_t n = money_currencies(&codes);
	char buf[MONEY_TEXT_MAX];
	struct inv_err err;
	int64_t back;
	size_t c, i;

	for (c = 0; c < n; c++) {
		for (i = 0; i < COUNT(values); i++) {
			money_format(values[i], codes[c], buf, sizeof buf);
			ck_assert_msg(money_parse(buf, codes[c], &back, &err) ==
			                      INV_OK,
			              "%s %s: %s", buf, codes[c], err.msg);
			ck_assert_int_eq(back, values[i]);
		}
	}
}
END_TEST

START_TEST(format_never_overruns_a_short_buffer)
{
	char buf[8];

	memset(buf, 'x', sizeof buf);
	money_format_grouped(MONEY_MAX_MINOR, "EUR", buf, 5);
	ck_assert_str_eq(buf, "9,99");
	ck_assert_int_eq(buf[5], 'x');
	money_format(INT64_MIN, "EUR", buf, sizeof buf);
	ck_assert_int_eq(buf[0], '-');
	ck_assert_uint_eq(strlen(buf), sizeof buf - 1);
}
END_TEST

START_TEST(currency_table_holds_the_required_codes_with_their_decimals)
{
	const char *zero[] = {"JPY", "KRW", "ISK", "CLP", "VND"};
	const char *two[] = {"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK",
	                     "PLN", "CZK", "HUF", "CAD", "AUD", "NZD", "CNY",
	                     "INR", "BRL", "MXN", "ZAR", "TRY", "ILS", "SGD",
	                     "HKD", "AED", "SAR", "THB"};
	const char *three[] = {"BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"};
	const char *const *codes;
	size_t n = money_currencies(&codes);
	size_t i, j;

	ck_assert_uint_ge(n, 40);
	for (i = 0; i < COUNT(zero); i++)
		ck_assert_int_eq(money_exponent(zero[i]), 0);
	for (i = 0; i < COUNT(two); i++)
		ck_assert_int_eq(money_exponent(two[i]), 2);
	for (i = 0; i < COUNT(three); i++)
		ck_assert_int_eq(money_exponent(three[i]), 3);
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(strlen(codes[i]), 3);
		for (j = 0; j < 3; j++)
			ck_assert(codes[i][j] >= 'A' && codes[i][j] <= 'Z');
		ck_assert(money_currency_known(codes[i]));
		/* stable order: sorted, hence no duplicates */
		if (i > 0)
			ck_assert_int_lt(strcmp(codes[i - 1], codes[i]), 0);
	}
}
END_TEST

START_TEST(unknown_currency_codes_have_no_exponent)
{
	ck_assert_int_eq(money_exponent("eur"), -1);
	ck_assert_int_eq(money_exponent("EU"), -1);
	ck_assert_int_eq(money_exponent("EURO"), -1);
	ck_assert_int_eq(money_exponent(""), -1);
	ck_assert_int_eq(money_exponent(NULL), -1);
	ck_assert(!money_currency_known("XXX"));
}
END_TEST

START_TEST(parse_accepts_a_null_error_and_null_text)
{
	int64_t v = 3;

	ck_assert_int_eq(money_parse("1.50", "EUR", &v, NULL), INV_OK);
	ck_assert_int_eq(v, 150);
	ck_assert_int_eq(money_parse("1,50", "EUR", &v, NULL), INV_INVALID);
	ck_assert_int_eq(money_parse(NULL, "EUR", &v, NULL), INV_INVALID);
	ck_assert_int_eq(money_parse("1", NULL, &v, NULL), INV_INVALID);
	ck_assert_int_eq(v, 150);
}
END_TEST


/* ---- amounts on a screen, in the locale's marks ------------------------ */

static const struct money_style german = { ",", "." };
/* Arabic's decimal mark and thousands separator: marks of more than one
 * byte are whole characters, never cut */
static const struct money_style arabic = { "\u066b", "\u066c" };

START_TEST(styled_format_writes_the_style_marks)
{
	const struct {
		int64_t minor;
		const char *currency;
		const struct money_style *style;
		const char *grouped, *plain;
	} cases[] = {
		{ 140000, "EUR", &german, "1.400,00", "1400,00" },
		{ 1845050, "DKK", &german, "18.450,50", "18450,50" },
		{ 150000, "JPY", &german, "150.000", "150000" },
		{ 812125, "BHD", &german, "812,125", "812,125" },
		{ 5, "EUR", &german, "0,05", "0,05" },
		{ 123456789, "USD", &arabic, "1\u066c234\u066c567\u066b89",
		  "1234567\u066b89" },
		{ 140000, "EUR", &money_style_plain, "1,400.00", "1400.00" },
	};
	char buf[MONEY_TEXT_MAX * 2];

	for (size_t i = 0; i < COUNT(cases); i++) {
		money_format_styled(cases[i].minor, cases[i].currency,
		                    cases[i].style, true, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].grouped);
		money_format_styled(cases[i].minor, cases[i].currency,
		                    cases[i].style, false, buf, sizeof buf);
		ck_assert_str_eq(buf, cases[i].plain);
	}
}
END_TEST

START_TEST(styled_parse_reads_the_locale_decimal_mark)
{
	struct inv_err err;
	int64_t v = 0;

	ck_assert_int_eq(money_parse_styled("1400,50", "EUR", &german, &v,
	                                    &err), INV_OK);
	ck_assert_int_eq(v, 140050);
	ck_assert_int_eq(money_parse_styled("1400,5", "EUR", &german, &v,
	                                    &err), INV_OK);
	ck_assert_int_eq(v, 140050);
	ck_assert_int_eq(money_parse_styled("812,125", "BHD", &german, &v,
	                                    &err), INV_OK);
	ck_assert_int_eq(v, 812125);
	ck_assert_int_eq(money_parse_styled("12\u066b5", "EUR", &arabic, &v,
	                                    &err), INV_OK);
	ck_assert_int_eq(v, 1250);
	/* the command line's parse keeps '.' only */
	ck_assert_int_eq(money_parse("1400,50", "EUR", &v, &err), INV_INVALID);
}
END_TEST

/* "1.400" typed in German means fourteen hundred, never 1.40: the '.' is
 * refused and the message names the locale's mark with an example in it. */
START_TEST(styled_parse_refuses_the_other_mark_in_the_locale_words)
{
	struct inv_err err;
	int64_t v = 7;

	ck_assert_int_eq(money_parse_styled("1.400", "EUR", &german, &v, &err),
	                 INV_INVALID);
	ck_assert_str_eq(err.field, "total");
	ck_assert_ptr_nonnull(strstr(err.msg,
		"use ',' as the decimal separator"));
	ck_assert_ptr_nonnull(strstr(err.msg, "1234,50"));
	ck_assert_int_eq(money_parse_styled("1400.50", "EUR", &german, &v,
	                                    &err), INV_INVALID);
	ck_assert_int_eq(money_parse_styled("1,4,0", "EUR", &german, &v, &err),
	                 INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "at most one ','"));
	ck_assert_int_eq(money_parse_styled(",5", "EUR", &german, &v, &err),
	                 INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "0,5 rather than ,5"));
	ck_assert_int_eq(money_parse_styled("5,", "EUR", &german, &v, &err),
	                 INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "after ','"));
	ck_assert_int_eq(money_parse_styled("1,234", "EUR", &german, &v, &err),
	                 INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "EUR allows at most 2"));
	ck_assert_int_eq(money_parse_styled("99999999999999,99", "EUR", &german,
	                                    &v, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "9.999.999.999.999,99 EUR"));
	ck_assert_int_eq(v, 7);
}
END_TEST

START_TEST(styled_format_then_parse_round_trips_in_every_currency)
{
	const char *const *codes;
	size_t n = money_currencies(&codes);
	const int64_t values[] = { 0, 1, 5, 99, 100, 123456, 99999999,
	                           MONEY_MAX_MINOR };
	const struct money_style *styles[] = { &german, &arabic };
	struct inv_err err;
	char buf[MONEY_TEXT_MAX * 2];

	for (size_t s = 0; s < COUNT(styles); s++)
		for (size_t c = 0; c < n; c++)
			for (size_t i = 0; i < COUNT(values); i++) {
				int64_t back = -1;

				money_format_styled(values[i], codes[c],
				                    styles[s], false, buf,
				                    sizeof buf);
				ck_assert_msg(money_parse_styled(buf, codes[c],
				              styles[s], &back, &err) == INV_OK,
				              "%s %s: %s", buf, codes[c], err.msg);
				ck_assert_int_eq(back, values[i]);
			}
}
END_TEST

/* The marks come from the C library's locale data: the C locale has no
 * thousands separator of its own and keeps the plain style; German gives
 * ',' and '.'. */
/* A total changing currency keeps the amount as written, or is refused
 * with the total unchanged (the one rule of edits and merges). */
START_TEST(carry_keeps_the_amount_as_written_or_refuses)
{
	int64_t v = 1250;

	ck_assert(money_carry(&v, "EUR", "BHD"));
	ck_assert_int_eq(v, 12500); /* 12.50 EUR -> 12.500 BHD */
	ck_assert(money_carry(&v, "BHD", "EUR"));
	ck_assert_int_eq(v, 1250);
	ck_assert(!money_carry(&v, "EUR", "JPY")); /* 12.50 has no yen */
	ck_assert_int_eq(v, 1250);
	v = 1200;
	ck_assert(money_carry(&v, "EUR", "JPY"));
	ck_assert_int_eq(v, 12);
	ck_assert(money_carry(&v, "JPY", "USD"));
	ck_assert_int_eq(v, 1200);
	v = MONEY_MAX_MINOR;
	ck_assert(!money_carry(&v, "EUR", "BHD")); /* past the maximum */
	ck_assert_int_eq(v, MONEY_MAX_MINOR);
	ck_assert(money_carry(&v, "EUR", "USD"));
	ck_assert_int_eq(v, MONEY_MAX_MINOR);
	ck_assert(!money_carry(&v, "EUR", "XXX")); /* not a currency */
}
END_TEST

START_TEST(locale_style_comes_from_the_c_library)
{
	struct money_style st;

	ck_assert_ptr_nonnull(setlocale(LC_ALL, "C"));
	money_style_of_locale(&st);
	ck_assert_str_eq(st.decimal, ".");
	ck_assert_str_eq(st.group, ",");
	if (!setlocale(LC_ALL, "de_DE.UTF-8")) {
		fprintf(stderr, "note: de_DE.UTF-8 is not installed; the German "
		        "half of locale_style_comes_from_the_c_library was not "
		        "run\n");
		return;
	}
	money_style_of_locale(&st);
	setlocale(LC_ALL, "C");
	ck_assert_str_eq(st.decimal, ",");
	ck_assert_str_eq(st.group, ".");
}
END_TEST

static Suite *money_suite(void)
{
	Suite *s = suite_create("money");
	TCase *table = tcase_create("table");
	TCase *rules = tcase_create("rules");

	tcase_add_loop_test(table, exponent0_amounts_table, 0,
	                    (int)COUNT(rows_exp0));
	tcase_add_loop_test(table, exponent2_amounts_table, 0,
	                    (int)COUNT(rows_exp2));
	tcase_add_loop_test(table, exponent3_amounts_table, 0,
	                    (int)COUNT(rows_exp3));
	tcase_add_test(table, each_table_has_forty_rows_both_ways);
	suite_add_tcase(s, table);

	tcase_add_test(rules, jpy_refuses_decimals);
	tcase_add_test(rules, eur_refuses_a_third_decimal_naming_the_limit);
	tcase_add_test(rules, comma_and_sign_get_their_own_messages);
	tcase_add_test(rules, maximum_is_accepted_and_one_above_is_out_of_range);
	tcase_add_test(rules, digit_strings_past_int64_are_out_of_range_not_wrapped);
	tcase_add_test(rules, decimals_scale_up_to_the_currency);
	tcase_add_test(rules, format_writes_exactly_the_currency_decimals);
	tcase_add_test(rules, format_then_parse_round_trips_in_every_currency);
	tcase_add_test(rules, format_never_overruns_a_short_buffer);
	tcase_add_test(rules, currency_table_holds_the_required_codes_with_their_decimals);
	tcase_add_test(rules, unknown_currency_codes_have_no_exponent);
	tcase_add_test(rules, parse_accepts_a_null_error_and_null_text);
	tcase_add_test(rules, styled_format_writes_the_style_marks);
	tcase_add_test(rules, styled_parse_reads_the_locale_decimal_mark);
	tcase_add_test(rules, styled_parse_refuses_the_other_mark_in_the_locale_words);
	tcase_add_test(rules, styled_format_then_parse_round_trips_in_every_currency);
	tcase_add_test(rules, locale_style_comes_from_the_c_library);
	tcase_add_test(rules, carry_keeps_the_amount_as_written_or_refuses);
	suite_add_tcase(s, rules);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(money_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
