/*
 * l10n.h - what the C library's locale data says about how a person
 * answers a question and reads a time: the letters of yes and no
 * (LC_MESSAGES: YESEXPR, NOEXPR) and how a date and a clock time are
 * written (LC_TIME: D_FMT, T_FMT).  Amounts are money.h's
 * (money_style_of_locale).  Nothing here prints; the screen asks.
 */
#ifndef INVED_L10N_H
#define INVED_L10N_H

#include <stddef.h>
#include <stdint.h>

enum l10n_answer { L10N_NONE, L10N_YES, L10N_NO };

/* What the key ch (a Unicode code point) answers to a yes/no question:
 * the locale's yes or no, and 'y'/'n' in every locale, so a habit or a
 * script typed in English still works.  Only letters answer: German's yes
 * also matches "1" and "+", and a stray digit key must never confirm a
 * delete. */
enum l10n_answer l10n_answer_of(uint32_t ch);

#define L10N_KEY_MAX 8
/* The keys a question names: the first letter of the locale's yes and no
 * expressions ("j" and "n" in German), "y" and "n" where there is none. */
void l10n_answer_keys(char yes[L10N_KEY_MAX], char no[L10N_KEY_MAX]);

enum l10n_when {
	L10N_DATE,     /* "22.11.2026" in German, "2026-11-22" in C */
	L10N_TIME,     /* "10:04:05" */
	L10N_DATETIME, /* both, date first */
};

/* A stored time ("2026-11-22T10:04:05.123Z", UTC as stored) as the locale
 * writes it.  The C and POSIX locales keep ISO 8601, which reads the same
 * everywhere (their own D_FMT, "%m/%d/%y", does not).  For a date, the
 * date part ("2026-11-22") is enough.  A text that is not such a time is
 * copied as it is. */
void l10n_time(const char *stored, enum l10n_when what, char *buf,
               size_t size);

#endif
