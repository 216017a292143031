/*
 * money.c - the currency table, strict parsing of typed amounts into integer
 * minor units, and formatting them back.
 *
 * Every step is integer arithmetic with the bound checked before it can be
 * crossed: MONEY_MAX_MINOR is below INT64_MAX / 10, so "value * 10 + digit"
 * cannot overflow while value <= MONEY_MAX_MINOR, and a digit string of any
 * length is refused as out of range instead of wrapping.  No float, ever.
 */
#include <inttypes.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "money.h"

/*
 * ISO 4217 codes and their minor-unit exponents, in alphabetical order (the
 * order completion and cycling show).  Exponents follow the standard, not
 * local habit: HUF and CZK keep 2 decimals there even though cash rarely
 * uses them.
 */
#define CURRENCIES \
	X("AED", 2) X("ARS", 2) X("AUD", 2) X("BGN", 2) X("BHD", 3) \
	X("BRL", 2) X("CAD", 2) X("CHF", 2) X("CLP", 0) X("CNY", 2) \
	X("COP", 2) X("CZK", 2) X("DKK", 2) X("EGP", 2) X("EUR", 2) \
	X("GBP", 2) X("HKD", 2) X("HUF", 2) X("IDR", 2) X("ILS", 2) \
	X("INR", 2) X("IQD", 3) X("ISK", 0) X("JOD", 3) X("JPY", 0) \
	X("KES", 2) X("KRW", 0) X("KWD", 3) X("LYD", 3) X("MAD", 2) \
	X("MXN", 2) X("MYR", 2) X("NGN", 2) X("NOK", 2) X("NZD", 2) \
	X("OMR", 3) X("PEN", 2) X("PHP", 2) X("PKR", 2) X("PLN", 2) \
	X("QAR", 2) X("RON", 2) X("RSD", 2) X("SAR", 2) X("SEK", 2) \
	X("SGD", 2) X("THB", 2) X("TND", 3) X("TRY", 2) X("TWD", 2) \
	X("UAH", 2) X("UGX", 0) X("USD", 2) X("VND", 0) X("XAF", 0) \
	X("XOF", 0) X("ZAR", 2)

#define X(code, exp) code,
static const char *const currency_codes[] = {CURRENCIES};
#undef X
#define X(code, exp) exp,
static const signed char currency_exponents[] = {CURRENCIES};
#undef X

#define CURRENCY_COUNT (sizeof currency_codes / sizeof currency_codes[0])

_Static_assert(sizeof currency_exponents == CURRENCY_COUNT,
               "one exponent per currency code");
/* The overflow argument in the file comment depends on this. */
_Static_assert(MONEY_MAX_MINOR <= INT64_MAX / 10,
               "value * 10 + digit must not overflow below the maximum");

/* Exponent used to format an amount whose currency is not in the table. */
#define FALLBACK_EXPONENT 2

int money_exponent(const char *currency)
{
	size_t i;

	if (!currency)
		return -1;
	for (i = 0; i < CURRENCY_COUNT; i++)
		if (strcmp(currency_codes[i], currency) == 0)
			return currency_exponents[i];
	return -1;
}

bool money_currency_known(const char *currency)
{
	return money_exponent(currency) >= 0;
}

size_t money_currencies(const char *const **codes)
{
	if (codes)
		*codes = currency_codes;
	return CURRENCY_COUNT;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An example amount in the currency's own shape: 1234, 1234.50, 1234.500,
 * so a refusal shows what would have been accepted. */
static void amount_example(int exponent, const char *currency,
                           const struct money_style *style, char *buf,
                           size_t len)
{
	int64_t value = 123450;
	int e;

	for (e = 2; e < exponent; e++)
		value *= 10;
	if (exponent == 0)
		value = 1234;
	money_format_styled(value, currency, style, false, buf, len);
}

/* Refuse anything that is not digits[MARK digits], naming the first thing
 * that is wrong; on success *decimals is the number of digits after the
 * decimal mark. */
static enum inv_rc amount_check_shape(const char *text, int exponent,
                                      const char *currency,
                                      const struct money_style *style,
                                      size_t *decimals, struct inv_err *err)
{
	const char *mark = style->decimal;
	size_t mark_len = strlen(mark);
	const char *p;
	const char *dot = NULL;
	char example[MONEY_TEXT_MAX];

	amount_example(exponent, currency, style, example, sizeof example);
	if (*text == '\0')
		return inv_err_set(err, INV_INVALID, "total",
			_("enter an amount, e.g. %s"), example);
	if (*text == '-')
		return inv_err_set(err, INV_INVALID, "total",
			_("amounts cannot be negative"));
	if (*text == '+')
		return inv_err_set(err, INV_INVALID, "total",
			_("write the amount without a sign, e.g. %s"), example);
	for (p = text; *p; p++) {
		if (is_digit(*p))
			continue;
		if (strncmp(p, mark, mark_len) == 0) {
			if (dot)
				return inv_err_set(err, INV_INVALID, "total",
					_("an amount has at most one '%s', "
					  "e.g. %s"), mark, example);
			dot = p;
			p += mark_len - 1;
			continue;
		}
		/* the other of '.' and ',' (and the locale's own thousands
		 * separator) is a separator this input does not take */
		if (*p == '.' || *p == ',' ||
		    (style->group[0] &&
		     strncmp(p, style->group, strlen(style->group)) == 0))
			return inv_err_set(err, INV_INVALID, "total",
				_("use '%s' as the decimal separator and no "
				  "thousands separator, e.g. %s"), mark,
				example);
		if (*p == ' ' || *p == '\t')
			return inv_err_set(err, INV_INVALID, "total",
				_("write the amount without spaces, e.g. %s"),
				example);
		/* Only a printable ASCII character is safe to echo back. */
		if (*p > ' ' && *p < 0x7f)
			return inv_err_set(err, INV_INVALID, "total",
				_("'%c' cannot appear in an amount; use digits "
				  "and '%s', e.g. %s"), *p, mark, example);
		return inv_err_set(err, INV_INVALID, "total",
			_("an amount is digits and '%s' only, e.g. %s"), mark,
			example);
	}
	if (dot == text)
		return inv_err_set(err, INV_INVALID, "total",
			_("write a digit before '%s', e.g. 0%s5 rather than "
			  "%s5"), mark, mark, mark);
	if (dot && dot[mark_len] == '\0')
		return inv_err_set(err, INV_INVALID, "total",
			_("write the decimals after '%s' or leave the '%s' "
			  "out, e.g. %s"), mark, mark, example);
	*decimals = dot ? strlen(dot + mark_len) : 0;
	return INV_OK;
}

/* True when code is short printable ASCII, safe to quote in a message. */
static bool currency_quotable(const char *code)
{
	size_t i;

	for (i = 0; code[i]; i++)
		if (i >= 8 || code[i] <= ' ' || code[i] >= 0x7f ||
		    code[i] == '\'')
			return false;
	return i > 0;
}

/* Refusal of a currency that is not in the table, with a hint when only
 * the case is wrong ("eur"). */
static enum inv_rc currency_refuse(const char *currency, struct inv_err *err)
{
	char upper[4];
	size_t i;

	if (!currency || !currency_quotable(currency))
		return inv_err_set(err, INV_INVALID, "currency",
			_("unknown currency; use an ISO 4217 code such as "
			  "EUR, USD, JPY or BHD"));
	for (i = 0; i < 3 && currency[i]; i++)
		upper[i] = (currency[i] >= 'a' && currency[i] <= 'z')
		                   ? (char)(currency[i] - 'a' + 'A')
		                   : currency[i];
	upper[i] = '\0';
	if (currency[i] == '\0' && money_currency_known(upper))
		return inv_err_set(err, INV_INVALID, "currency",
			_("unknown currency '%s'; currency codes are written "
			  "in capitals: %s"), currency, upper);
	return inv_err_set(err, INV_INVALID, "currency",
		_("unknown currency '%s'; use an ISO 4217 code such as "
		  "EUR, USD, JPY or BHD"), currency);
}

enum inv_rc money_currency_check(const char *currency, struct inv_err *err)
{
	if (money_currency_known(currency))
		return INV_OK;
	return currency_refuse(currency, err);
}

enum inv_rc money_parse(const char *text, const char *currency, int64_t *minor,
                        struct inv_err *err)
{
	return money_parse_styled(text, currency, &money_style_plain, minor,
	                          err);
}

enum inv_rc money_parse_styled(const char *text, const char *currency,
                               const struct money_style *style,
                               int64_t *minor, struct inv_err *err)
{
	int exponent = money_exponent(currency);
	size_t decimals = 0;
	int64_t value = 0;
	char max_text[MONEY_TEXT_MAX];
	const char *p;
	int scale;
	enum inv_rc rc;

	if (exponent < 0)
		return currency_refuse(currency, err);
	if (!text)
		text = "";
	if (!style || !style->decimal[0])
		style = &money_style_plain;
	rc = amount_check_shape(text, exponent, currency, style, &decimals,
	                        err);
	if (rc != INV_OK)
		return rc;
	if (decimals > (size_t)exponent) {
		if (exponent == 0)
			return inv_err_set(err, INV_INVALID, "total",
				_("%s has no decimals; write a whole amount"),
				currency);
		return inv_err_set(err, INV_INVALID, "total",
			_("%s allows at most %d decimals"), currency, exponent);
	}

	/* Digits in order, the decimals padded with zeros up to the exponent:
	 * "12.5" EUR reads as 1,2,5,0 -> 1250.  The shape is checked: what is
	 * not a digit is the decimal mark. */
	scale = exponent - (int)decimals;
	for (p = text; *p; p++) {
		if (!is_digit(*p))
			continue;
		value = value * 10 + (*p - '0');
		if (value > MONEY_MAX_MINOR)
			goto out_of_range;
	}
	for (; scale > 0; scale--) {
		value *= 10;
		if (value > MONEY_MAX_MINOR)
			goto out_of_range;
	}
	if (minor)
		*minor = value;
	inv_err_clear(err);
	return INV_OK;

out_of_range:
	money_format_styled(MONEY_MAX_MINOR, currency, style, true, max_text,
	                    sizeof max_text);
	return inv_err_set(err, INV_INVALID, "total",
		_("the amount is out of range; the most an invoice can total is "
		  "%s %s"), max_text, currency);
}

const struct money_style money_style_plain = { ".", "," };

/* A mark of the locale that fits and is one character; else fallback. */
static void mark_copy(char *dst, const char *mark, const char *fallback)
{
	size_t n = mark ? strlen(mark) : 0;

	if (n == 0 || n >= MONEY_MARK_MAX || is_digit(mark[0]))
		mark = fallback;
	snprintf(dst, MONEY_MARK_MAX, "%s", mark);
}

void money_style_of_locale(struct money_style *style)
{
	const struct lconv *lc = localeconv();
	const char *dec = lc->mon_decimal_point, *grp = lc->mon_thousands_sep;

	if (!dec || !dec[0])
		dec = lc->decimal_point;
	if (!grp || !grp[0])
		grp = lc->thousands_sep;
	mark_copy(style->decimal, dec, ".");
	/* a locale without a thousands separator (the C locale) keeps the
	 * plain one; it must never be the decimal mark itself */
	mark_copy(style->group, grp,
	          strcmp(style->decimal, ",") == 0 ? "." : ",");
	if (strcmp(style->group, style->decimal) == 0)
		snprintf(style->group, sizeof style->group, "%s",
		         strcmp(style->decimal, ",") == 0 ? "." : ",");
}

/* Digits of |minor| with the decimal mark and `exponent` decimals into
 * buf; `group` inserts the thousands separator between thousands of the
 * whole part.  Works on the magnitude as unsigned so INT64_MIN is
 * formatted, not overflowed. */
void money_format_styled(int64_t minor, const char *currency,
                         const struct money_style *style, bool group,
                         char *buf, size_t len)
{
	int exponent = money_exponent(currency);
	uint64_t mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor
	                         : (uint64_t)minor;
	char digits[24];
	/* 20 digits, 6 separators, a mark and a sign */
	char out[24 + 7 * MONEY_MARK_MAX];
	size_t n, whole, i, o = 0, gl, dl;

	if (!buf || len == 0)
		return;
	if (!style || !style->decimal[0])
		style = &money_style_plain;
	gl = strlen(style->group);
	dl = strlen(style->decimal);
	if (exponent < 0)
		exponent = FALLBACK_EXPONENT;
	/* At least exponent + 1 digits, so 5 EUR cents reads "0.05". */
	n = (size_t)snprintf(digits, sizeof digits, "%0*" PRIu64,
	                     exponent + 1, mag);
	whole = n - (size_t)exponent;
	if (minor < 0)
		out[o++] = '-';
	for (i = 0; i < whole; i++) {
		if (group && i > 0 && (whole - i) % 3 == 0) {
			memcpy(out + o, style->group, gl);
			o += gl;
		}
		out[o++] = digits[i];
	}
	if (exponent > 0) {
		memcpy(out + o, style->decimal, dl);
		o += dl;
		for (; i < n; i++)
			out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
}

void money_format(int64_t minor, const char *currency, char *buf, size_t len)
{
	money_format_styled(minor, currency, &money_style_plain, false, buf,
	                    len);
}

void money_format_grouped(int64_t minor, const char *currency, char *buf,
                          size_t len)
{
	money_format_styled(minor, currency, &money_style_plain, true, buf,
	                    len);
}

/*
 * A total in minor units means nothing without its currency: 1250 is 12.50
 * EUR but 1.250 BHD.  When the merged row takes its total from one side and
 * its currency from the other, the amount is carried over as written (the
 * store's rule for a currency change), so 12.50 EUR under BHD becomes 12.500
 * BHD rather than 1.250.  Returns false when the amount has no exact
 * spelling in the merged currency (12.50 EUR as JPY) or would pass the
 * maximum: then the two edits really do collide, and *minor is unchanged.
 */
bool money_carry(int64_t *minor, const char *from, const char *to)
{
	int ef = money_exponent(from);
	int et = money_exponent(to);
	int64_t v = *minor;

	if (ef == et)
		return true;
	if (ef < 0 || et < 0 || v < 0)
		return false;
	for (; et > ef; ef++) {
		if (v > MONEY_MAX_MINOR / 10)
			return false;
		v *= 10;
	}
	for (; ef > et; ef--) {
		if (v % 10 != 0)
			return false;
		v /= 10;
	}
	*minor = v;
	return true;
}
