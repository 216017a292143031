/*
 * locale.c - amounts, times and yes/no answers on the screen as the
 * person's locale writes them ("1.400,00 EUR", "22.11.2026", "(j/n)" in
 * German).  The rules are the core's (money_format_styled,
 * money_parse_styled, l10n.h) over the C library's locale data; this file
 * only keeps what was read once at start, on the main thread (localeconv
 * is not thread-safe).  The command line never comes here: scripts keep
 * '.' whatever the locale.
 */
#include "tui_internal.h"

static struct money_style screen_style = { ".", "," };

void screen_locale_init(void)
{
	money_style_of_locale(&screen_style);
}

void screen_money(int64_t minor, const char *currency, char *buf,
                  size_t size)
{
	char amount[MONEY_TEXT_MAX];

	money_format_styled(minor, currency, &screen_style, true, amount,
	                    sizeof amount);
	snprintf(buf, size, "%s %s", amount, currency);
}

void screen_amount(int64_t minor, const char *currency, char *buf,
                   size_t size)
{
	money_format_styled(minor, currency, &screen_style, false, buf, size);
}

enum inv_rc screen_amount_parse(const char *text, const char *currency,
                                int64_t *minor, struct inv_err *err)
{
	return money_parse_styled(text, currency, &screen_style, minor, err);
}

enum inv_rc screen_audit_explain(struct store *st, const char *detail,
                                 char currency[4], char *out, size_t size,
                                 struct inv_err *err)
{
	return store_audit_explain_styled(st, detail, currency, &screen_style,
	                                  out, size, err);
}

void screen_revert_value(enum revert_part part, const struct invoice *inv,
                         char *buf, size_t size)
{
	if (part == REVERT_MONEY)
		screen_money(inv->total_minor, inv->currency, buf, size);
	else
		revert_part_value(part, inv, buf, size);
}
