/*
 * money.h - amounts as integer minor units of an ISO 4217 currency.
 *
 * No float ever holds money.  The number of decimals follows the currency
 * (EUR 2, JPY 0, BHD 3).  Input is strict: ASCII digits with an optional
 * single '.' and at most as many decimals as the currency has; no sign, no
 * comma, no spaces, no exponent.  Totals are never negative and never above
 * MONEY_MAX_MINOR (kept below 2^53 so a JSON reader's double holds it
 * exactly).
 */
#ifndef INVED_MONEY_H
#define INVED_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

#define MONEY_MAX_MINOR INT64_C(999999999999999) /* 15 digits */

/* Decimals of a known currency code (upper-case, 3 letters), or -1. */
int money_exponent(const char *currency);

/* The one rule for a total that changes currency (a currency edit, a merge
 * taking the total from one side and the currency from the other): the
 * amount is carried over as written, so 12.50 EUR becomes 12.500 BHD.
 * False, with *minor unchanged, when it has no exact spelling in `to`
 * (12.50 EUR as JPY) or would pass MONEY_MAX_MINOR. */
bool money_carry(int64_t *minor, const char *from, const char *to);
bool money_currency_known(const char *currency);
/* INV_OK for a known code; otherwise INV_INVALID with field "currency" and
 * a message that quotes the code only when it is safe to show on a
 * terminal (short printable ASCII), with a hint when only the case is
 * wrong. */
enum inv_rc money_currency_check(const char *currency, struct inv_err *err);

/* The known currency codes in a stable order (for completion and cycling);
 * returns how many there are and sets *codes to a static array. */
size_t money_currencies(const char *const **codes);

/* Parse `text` as an amount of `currency` into *minor.  On refusal returns
 * INV_INVALID with field "total" and a message that says what is wrong and
 * what is accepted (e.g. "JPY has no decimals"). */
enum inv_rc money_parse(const char *text, const char *currency, int64_t *minor,
                        struct inv_err *err);

/* Format minor units as plain digits with '.' and exactly the currency's
 * decimals: 123450 EUR -> "1234.50", 1234 JPY -> "1234".  buf of at least
 * MONEY_TEXT_MAX bytes.  Unknown currency formats with 2 decimals. */
#define MONEY_TEXT_MAX 32
void money_format(int64_t minor, const char *currency, char *buf, size_t len);

/* Same with thousands separators for display: "1,234.50". */
void money_format_grouped(int64_t minor, const char *currency, char *buf,
                          size_t len);

/*
 * How a screen writes amounts: the decimal mark and the thousands
 * separator of the person's locale ("1.234,50" in German).  The command
 * line never uses one: scripts read and write '.' whatever the locale
 * (money_parse, money_format above are money_style_plain).  Each mark is
 * one character, as UTF-8.
 */
#define MONEY_MARK_MAX 8
struct money_style {
	char decimal[MONEY_MARK_MAX];
	char group[MONEY_MARK_MAX];
};

/* '.' and ',': the style of the functions above. */
extern const struct money_style money_style_plain;

/* The style of the current LC_MONETARY (else LC_NUMERIC) locale, from the
 * C library's data (localeconv); the C locale, which has no thousands
 * separator, gets the plain one.  localeconv() is not thread-safe: read
 * it once, on the thread that set the locale. */
void money_style_of_locale(struct money_style *style);

/* money_format / money_format_grouped in a style. */
void money_format_styled(int64_t minor, const char *currency,
                         const struct money_style *style, bool group,
                         char *buf, size_t len);

/* money_parse in a style: the style's decimal mark in place of '.', and
 * messages and examples written in it.  A '.' or ',' that is not the
 * decimal mark is refused like a thousands separator, so "1.400" typed in
 * German is never read as 1.40. */
enum inv_rc money_parse_styled(const char *text, const char *currency,
                               const struct money_style *style,
                               int64_t *minor, struct inv_err *err);

#endif
