/*
 * fuzz_money.c - libFuzzer target for the amount rules (src/core/money.h).
 *
 * Input: "CURRENCY\nAMOUNT" (the currency line is optional; without a
 * newline the input is an amount of EUR).  The first eight bytes also
 * give an arbitrary int64 to format.
 *
 * What must hold, checked against a reference written independently of
 * money.c (digit strings, no arithmetic that could overflow):
 * - an amount is accepted exactly when it is digits with at most one '.'
 *   followed by 1..exponent digits, and at most 15 significant digits of
 *   minor units (MONEY_MAX_MINOR);
 * - the accepted value is never negative, never above MONEY_MAX_MINOR,
 *   and equals the reference's;
 * - format then parse gives the same value back, and the formatted text is
 *   the canonical spelling (no leading zeros, exactly exponent decimals);
 * - the grouped format is the plain one with ',' between thousands;
 * - a refusal is INV_INVALID naming "total" or "currency" with a message
 *   that is valid UTF-8 and free of control characters (it is shown on a
 *   terminal as it is).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invoice.h"
#include "money.h"

#include "fuzz_util.h"

#define TEXT_MAX 256

/* The reference: the canonical minor-unit digits of text in a currency of
 * `exponent` decimals, or false when text is not an acceptable amount.
 * digits gets the value's digits without leading zeros ("0" for zero). */
static bool reference_parse(const char *text, int exponent, char *digits,
                            size_t size)
{
	size_t len = strlen(text), whole = 0, decimals = 0, n = 0, i;
	const char *dot = strchr(text, '.');

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if ((text[i] < '0' || text[i] > '9') && text[i] != '.')
			return false;
	if (dot) {
		if (strchr(dot + 1, '.'))
			return false;
		whole = (size_t)(dot - text);
		decimals = len - whole - 1;
		if (whole == 0 || decimals == 0)
			return false;
	} else {
		whole = len;
	}
	if (decimals > (size_t)exponent)
		return false;
	/* whole digits, the decimals, zeros up to the exponent */
	for (i = 0; i < len; i++) {
		if (text[i] == '.')
			continue;
		if (n == 0 && text[i] == '0')
			continue;
		if (n + 1 >= size)
			return false;
		digits[n++] = text[i];
	}
	for (i = decimals; i < (size_t)exponent; i++) {
		if (n == 0)
			break; /* zero stays zero */
		if (n + 1 >= size)
			return false;
		digits[n++] = '0';
	}
	if (n == 0)
		digits[n++] = '0';
	digits[n] = '\0';
	/* MONEY_MAX_MINOR is fifteen nines: at most fifteen digits fit */
	return n <= 15;
}

/* The canonical text of minor units given as digits: "123450", 2 ->
 * "1234.50"; "5", 2 -> "0.05". */
static void reference_format(const char *digits, int exponent, char *out,
                             size_t size)
{
	size_t n = strlen(digits), o = 0, i;
	char padded[64];

	/* at least exponent + 1 digits */
	for (i = n; i < (size_t)exponent + 1; i++)
		padded[o++] = '0';
	memcpy(padded + o, digits, n + 1);
	n = strlen(padded);
	o = 0;
	for (i = 0; i < n - (size_t)exponent; i++)
		out[o++] = padded[i];
	if (exponent > 0) {
		out[o++] = '.';
		for (; i < n; i++)
			out[o++] = padded[i];
	}
	out[o] = '\0';
	FUZZ_ASSERT(o < size);
}

static int64_t digits_value(const char *digits)
{
	int64_t v = 0;

	for (; *digits; digits++)
		v = v * 10 + (*digits - '0');
	return v;
}

static void check_refusal(enum inv_rc rc, const struct inv_err *err)
{
	FUZZ_ASSERT(rc == INV_INVALID);
	FUZZ_ASSERT(err->rc == INV_INVALID);
	FUZZ_ASSERT(strcmp(err->field, "total") == 0 ||
	            strcmp(err->field, "currency") == 0);
	FUZZ_ASSERT(fuzz_text_printable(err->msg));
}

/* The grouped text without its commas is the plain text, and the commas
 * sit every three digits of the whole part. */
static void check_grouped(const char *plain, const char *grouped)
{
	char stripped[MONEY_TEXT_MAX * 2];
	const char *dot = strchr(grouped, '.');
	size_t end = dot ? (size_t)(dot - grouped) : strlen(grouped);
	size_t o = 0, i, since = 0;

	for (i = 0; grouped[i]; i++)
		if (grouped[i] != ',')
			stripped[o++] = grouped[i];
	stripped[o] = '\0';
	FUZZ_ASSERT(strcmp(stripped, plain) == 0);
	/* walking the whole part backwards: a comma after every third digit */
	for (i = end; i > 0; i--) {
		char c = grouped[i - 1];

		if (c == ',') {
			FUZZ_ASSERT(since == 3);
			since = 0;
		} else if (c != '-') {
			since++;
			FUZZ_ASSERT(since <= 3);
		}
	}
}

static void check_format_any(int64_t value, const char *currency)
{
	char plain[MONEY_TEXT_MAX], grouped[MONEY_TEXT_MAX], back[MONEY_TEXT_MAX];
	struct inv_err err;
	int64_t again = -1;
	int exponent = money_exponent(currency);

	money_format(value, currency, plain, sizeof plain);
	money_format_grouped(value, currency, grouped, sizeof grouped);
	check_grouped(plain, grouped);
	if (exponent < 0 || value < 0 || value > MONEY_MAX_MINOR)
		return;
	FUZZ_ASSERT(money_parse(plain, currency, &again, &err) == INV_OK);
	FUZZ_ASSERT(again == value);
	money_format(again, currency, back, sizeof back);
	FUZZ_ASSERT(strcmp(back, plain) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char currency[TEXT_MAX], text[TEXT_MAX], digits[TEXT_MAX];
	char plain[MONEY_TEXT_MAX], expect[TEXT_MAX];
	const char *const *codes;
	size_t ncodes = money_currencies(&codes);
	const uint8_t *nl = memchr(data, '\n', size);
	struct inv_err err;
	int64_t minor = -1, raw = 0;
	enum inv_rc rc;
	int exponent;
	bool want;

	if (size >= TEXT_MAX)
		return 0;
	if (nl) {
		fuzz_cstr(currency, sizeof currency, data, (size_t)(nl - data));
		fuzz_cstr(text, sizeof text, nl + 1,
		          size - (size_t)(nl - data) - 1);
	} else {
		strcpy(currency, "EUR");
		fuzz_cstr(text, sizeof text, data, size);
	}
	exponent = money_exponent(currency);

	memset(&err, 0, sizeof err);
	rc = money_parse(text, currency, &minor, &err);
	if (exponent < 0) {
		check_refusal(rc, &err);
		FUZZ_ASSERT(strcmp(err.field, "currency") == 0);
		FUZZ_ASSERT(!money_currency_known(currency));
	} else {
		FUZZ_ASSERT(exponent <= 3);
		want = reference_parse(text, exponent, digits, sizeof digits);
		if (rc != INV_OK) {
			check_refusal(rc, &err);
			FUZZ_ASSERT(!want);
		} else {
			FUZZ_ASSERT(want);
			FUZZ_ASSERT(minor >= 0 && minor <= MONEY_MAX_MINOR);
			FUZZ_ASSERT(minor == digits_value(digits));
			money_format(minor, currency, plain, sizeof plain);
			reference_format(digits, exponent, expect,
			                 sizeof expect);
			FUZZ_ASSERT(strcmp(plain, expect) == 0);
			check_format_any(minor, currency);
		}
	}

	/* Formatting takes any int64 in any currency without harm; in range
	 * it round-trips in every known currency. */
	memcpy(&raw, data, size < sizeof raw ? size : sizeof raw);
	check_format_any(raw, currency);
	check_format_any(raw, codes[(size_t)(raw & 0x7fff) % ncodes]);
	if (raw < 0 && raw != INT64_MIN)
		check_format_any(-raw, codes[(size_t)size % ncodes]);
	check_format_any(raw % (MONEY_MAX_MINOR + 1) < 0
	                         ? -(raw % (MONEY_MAX_MINOR + 1))
	                         : raw % (MONEY_MAX_MINOR + 1),
	                 codes[(size_t)(raw >> 16 & 0x7fff) % ncodes]);
	return 0;
}
