/*
 * l10n.c - see l10n.h: the answers and the times of the person's locale,
 * taken from the C library (nl_langinfo), never from a table of our own.
 */
#include <langinfo.h>
#include <locale.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#include "l10n.h"
#include "text.h"

static bool is_letter(uint32_t ch)
{
	if (ch < 0x80)
		return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
	return !text_unsafe(ch) && iswalpha((wint_t)ch);
}

/* True when the character ch matches the locale's expression. */
static bool answer_matches(const char *expr, uint32_t ch)
{
	char one[5];
	regex_t re;
	bool hit;

	if (!expr || !expr[0] ||
	    regcomp(&re, expr, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	one[text_encode(ch, one)] = '\0';
	hit = regexec(&re, one, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

enum l10n_answer l10n_answer_of(uint32_t ch)
{
	if (!is_letter(ch))
		return L10N_NONE;
	if (answer_matches(nl_langinfo(YESEXPR), ch))
		return L10N_YES;
	if (answer_matches(nl_langinfo(NOEXPR), ch))
		return L10N_NO;
	if (ch == 'y' || ch == 'Y')
		return L10N_YES;
	if (ch == 'n' || ch == 'N')
		return L10N_NO;
	return L10N_NONE;
}

/* The first letter the expression offers ("^[+1jJyY]" -> "j"), when it
 * answers to itself; else fallback. */
static void answer_key(const char *expr, const char *fallback,
                       char out[L10N_KEY_MAX])
{
	size_t len = expr ? strlen(expr) : 0, i = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = text_decode(expr + i, len - i, &cp);

		if (is_letter(cp) && answer_matches(expr, cp)) {
			out[text_encode(cp, out)] = '\0';
			return;
		}
		i += n;
	}
	snprintf(out, L10N_KEY_MAX, "%s", fallback);
}

void l10n_answer_keys(char yes[L10N_KEY_MAX], char no[L10N_KEY_MAX])
{
	answer_key(nl_langinfo(YESEXPR), "y", yes);
	answer_key(nl_langinfo(NOEXPR), "n", no);
}

static bool locale_is_c(const char *name)
{
	return !name || strcmp(name, "C") == 0 ||
	       strcmp(name, "POSIX") == 0 || strncmp(name, "C.", 2) == 0;
}

void l10n_time(const char *stored, enum l10n_when what, char *buf,
               size_t size)
{
	static const char *const iso[] = { "%Y-%m-%d", "%H:%M:%S",
	                                   "%Y-%m-%d %H:%M:%S" };
	struct tm tm;
	char fmt[64], tail;
	const char *date, *clock;
	size_t n = 0;
	int got = 0;

	if (size == 0)
		return;
	memset(&tm, 0, sizeof tm);
	if (stored)
		got = sscanf(stored, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year,
		             &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
		             &tm.tm_sec, &tail);
	/* a date alone is enough for a date */
	if (got < (what == L10N_DATE ? 3 : 6)) {
		snprintf(buf, size, "%s", stored ? stored : "");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	if (locale_is_c(setlocale(LC_TIME, NULL))) {
		snprintf(fmt, sizeof fmt, "%s", iso[what]);
	} else {
		date = nl_langinfo(D_FMT);
		clock = nl_langinfo(T_FMT);
		if (!date[0])
			date = iso[L10N_DATE];
		if (!clock[0])
			clock = iso[L10N_TIME];
		snprintf(fmt, sizeof fmt, "%s%s%s",
		         what == L10N_TIME ? "" : date,
		         what == L10N_DATETIME ? " " : "",
		         what == L10N_DATE ? "" : clock);
	}
	/* the format is the locale's own, from the C library */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(buf, size, fmt, &tm);
#pragma GCC diagnostic pop
	if (n == 0)
		snprintf(buf, size, "%s", stored);
}
