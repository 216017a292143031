/*
 * test_invoice.c - the customer rules of SPEC 7 (UTF-8, control characters,
 * blank names, a limit counted in characters), the UTF-8 validator on its
 * own, and the status and lifecycle names.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "invoice.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* n copies of the UTF-8 sequence ch, NUL-terminated, into a fresh buffer. */
static char *repeat(const char *ch, size_t n)
{
	size_t w = strlen(ch);
	char *s = malloc(w * n + 1);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * w, ch, w);
	s[w * n] = '\0';
	return s;
}

static void assert_customer_ok(const char *name)
{
	struct inv_err err;

	memset(&err, 0, sizeof err);
	ck_assert_msg(invoice_check_customer(name, &err) == INV_OK,
	              "'%s' refused: %s", name, err.msg);
}

static void assert_customer_refused(const char *name, const char *says)
{
	struct inv_err err;

	memset(&err, 0, sizeof err);
	ck_assert_int_eq(invoice_check_customer(name, &err), INV_INVALID);
	ck_assert_int_eq(err.rc, INV_INVALID);
	ck_assert_str_eq(err.field, "customer");
	ck_assert_msg(strstr(err.msg, says), "message \"%s\" lacks \"%s\"",
	              err.msg, says);
}

START_TEST(accented_and_cjk_names_are_accepted)
{
	assert_customer_ok("Müller & Söhne — Zürich");
	assert_customer_ok("作者");
	assert_customer_ok("Jørgen Ødegård");
	assert_customer_ok("Ελληνική Εταιρεία");
	assert_customer_ok("شركة");
	assert_customer_ok("Café 🍰 Ltd"); /* a 4-byte character */
	assert_customer_ok("A");
	assert_customer_ok("  padded  ");
}
END_TEST

START_TEST(customer_limit_counts_characters_not_bytes)
{
	/* "ä" is 2 bytes, "作" 3, "😀" 4: 120 of any is exactly the limit
	 * whatever it weighs in bytes, and one more is refused. */
	const char *letters[] = {"a", "\xc3\xa4", "\xe4\xbd\x9c",
	                         "\xf0\x9f\x98\x80"};
	size_t i;

	for (i = 0; i < COUNT(letters); i++) {
		char *at_limit = repeat(letters[i], CUSTOMER_MAX_CHARS);
		char *over = repeat(letters[i], CUSTOMER_MAX_CHARS + 1);

		ck_assert_uint_eq(utf8_length(at_limit), CUSTOMER_MAX_CHARS);
		ck_assert_uint_le(strlen(at_limit), CUSTOMER_MAX_BYTES);
		assert_customer_ok(at_limit);
		assert_customer_refused(over, "at most 120");
		assert_customer_refused(over, "121 characters");
		free(at_limit);
		free(over);
	}
}
END_TEST

START_TEST(empty_and_blank_names_are_refused)
{
	assert_customer_refused("", "enter a customer name");
	assert_customer_refused(" ", "enter a customer name");
	assert_customer_refused("     ", "enter a customer name");
	assert_customer_refused("\xc2\xa0", "enter a customer name"); /* NBSP */
	assert_customer_refused("\xe3\x80\x80", "enter a customer name");
	assert_customer_refused("\xe2\x80\x83 \xe2\x80\x8a", "enter a customer");
	assert_customer_refused(NULL, "enter a customer name");
}
END_TEST

START_TEST(control_characters_are_refused)
{
	const char *names[] = {
		"Tab\there", "Line\nbreak", "Carriage\rreturn", "Bell\a",
		"\x1b[31mRed", "Del\x7f", "C1 \xc2\x80 start", "C1 \xc2\x9f end",
		"\x01",
	};
	size_t i;

	for (i = 0; i < COUNT(names); i++)
		assert_customer_refused(names[i], "control characters");
	/* U+00A0 is the first character past the C1 block: not a control */
	assert_customer_ok("No\xc2\xa0" "break");
}
END_TEST

/* SPEC 7: a name that reads as another name (a right-to-left override, an
 * isolate, a zero-width character) is refused like a control. */
START_TEST(bidi_and_invisible_characters_are_refused)
{
	const char *names[] = {
		"\xe2\x80\xae",                 /* only U+202E RLO */
		"Acme\xe2\x80\xae" "dlroW",     /* an override inside */
		"\xd8\x9c" "Acme",               /* U+061C ARABIC LETTER MARK */
		"A\xe2\x80\x8b" "B",            /* U+200B ZWSP */
		"A\xe2\x80\x8c" "B",            /* U+200C ZWNJ */
		"A\xe2\x80\x8d" "B",            /* U+200D ZWJ */
		"A\xe2\x80\x8e" "B",            /* U+200E LRM */
		"A\xe2\x80\x8f" "B",            /* U+200F RLM */
		"A\xe2\x80\xa8" "B",            /* U+2028 LINE SEPARATOR */
		"A\xe2\x80\xa9" "B",            /* U+2029 PARAGRAPH SEP. */
		"A\xe2\x80\xaa" "B",            /* U+202A LRE */
		"A\xe2\x81\xa6" "B",            /* U+2066 LRI */
		"A\xe2\x81\xa9" "B",            /* U+2069 PDI */
		"A\xe2\x81\xa0" "B",            /* U+2060 WORD JOINER */
		"\xef\xbb\xbf" "Acme",          /* U+FEFF BOM */
	};
	size_t i;

	for (i = 0; i < COUNT(names); i++)
		assert_customer_refused(names[i], "text-direction");
	/* Their neighbours are ordinary text. */
	assert_customer_ok("A\xe2\x80\xaf" "B");  /* U+202F NNBSP */
	assert_customer_ok("A\xe2\x80\x90" "B");  /* U+2010 HYPHEN */
	assert_customer_ok("A\xe2\x81\x9f" "B");  /* U+205F MMSP */
	assert_customer_ok("\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9"); /* Arabic */
}
END_TEST

START_TEST(invalid_utf8_names_are_refused)
{
	const char *names[] = {
		"\xff\xfe", "Caf\xe9", "trunc\xc3", "\xe4\xbd", "\x80",
		"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
	};
	size_t i;

	for (i = 0; i < COUNT(names); i++)
		assert_customer_refused(names[i], "not valid UTF-8");
}
END_TEST

START_TEST(a_refusal_never_echoes_the_bytes)
{
	struct inv_err err;

	ck_assert_int_eq(invoice_check_customer("\x1b]0;pwned\a", &err),
	                 INV_INVALID);
	ck_assert_ptr_null(strchr(err.msg, '\x1b'));
	ck_assert_int_eq(invoice_status_parse("\x1b[2J", NULL, &err),
	                 INV_INVALID);
	ck_assert_ptr_null(strchr(err.msg, '\x1b'));
}
END_TEST

START_TEST(utf8_valid_accepts_every_well_formed_length)
{
	const char *ok[] = {
		"", "ascii", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
		"\xed\x9f\xbf",      /* U+D7FF, just below the surrogates */
		"\xee\x80\x80",      /* U+E000, just above them */
		"\xef\xbf\xbf",      /* U+FFFF */
		"\xf0\x90\x80\x80",  /* U+10000 */
		"\xf4\x8f\xbf\xbf",  /* U+10FFFF, the last code point */
		"Müller & Söhne — Zürich", "作者",
	};
	size_t i;

	for (i = 0; i < COUNT(ok); i++)
		ck_assert_msg(utf8_valid(ok[i], strlen(ok[i])), "case %zu", i);
}
END_TEST

START_TEST(utf8_valid_refuses_overlongs_surrogates_and_beyond)
{
	const char *bad[] = {
		"\xc0\x80",             /* overlong NUL */
		"\xc1\xbf",             /* overlong U+007F */
		"\xe0\x80\xaf",         /* overlong '/' in 3 bytes */
		"\xe0\x9f\xbf",         /* overlong U+07FF */
		"\xf0\x80\x80\xaf",     /* overlong '/' in 4 bytes */
		"\xf0\x8f\xbf\xbf",     /* overlong U+FFFF */
		"\xed\xa0\x80",         /* U+D800, high surrogate */
		"\xed\xbf\xbf",         /* U+DFFF, low surrogate */
		"\xed\xa0\xbd\xed\xb8\x80", /* a CESU-8 surrogate pair */
		"\xf4\x90\x80\x80",     /* U+110000 */
		"\xf5\x80\x80\x80",     /* lead byte past the range */
		"\xf8\x88\x80\x80\x80", /* 5-byte form */
		"\xfe", "\xff",
		"\x80", "\xbf",         /* continuation without a lead */
		"\xc3",                 /* truncated 2-byte */
		"\xe4\xbd",             /* truncated 3-byte */
		"\xf0\x9f\x98",         /* truncated 4-byte */
		"\xc3\x28",             /* lead followed by ASCII */
		"\xe4\x28\x9c",
		"a\xc3",                /* truncated at the end */
	};
	size_t i;

	for (i = 0; i < COUNT(bad); i++)
		ck_assert_msg(!utf8_valid(bad[i], strlen(bad[i])), "case %zu", i);
}
END_TEST

START_TEST(utf8_valid_respects_the_length_given)
{
	/* the last character cut by len is a truncated sequence */
	ck_assert(!utf8_valid("\xe4\xbd\x9c", 2));
	ck_assert(utf8_valid("\xe4\xbd\x9c", 3));
	ck_assert(utf8_valid("ab\xff", 2));
}
END_TEST

START_TEST(utf8_length_counts_characters)
{
	ck_assert_uint_eq(utf8_length(""), 0);
	ck_assert_uint_eq(utf8_length("abc"), 3);
	ck_assert_uint_eq(utf8_length("作者"), 2);
	ck_assert_uint_eq(utf8_length("Müller & Söhne — Zürich"), 23);
	ck_assert_uint_eq(utf8_length("\xf0\x9f\x98\x80"), 1);
}
END_TEST

START_TEST(status_names_parse_back)
{
	enum inv_status st;
	struct inv_err err;
	int i;

	for (i = 0; i < ST__COUNT; i++) {
		ck_assert_int_eq(invoice_status_parse(
		                         invoice_status_name((enum inv_status)i),
		                         &st, &err), INV_OK);
		ck_assert_int_eq(st, i);
	}
	ck_assert_str_eq(invoice_status_name(ST_DRAFT), "draft");
	ck_assert_str_eq(invoice_status_name(ST_SENT), "sent");
	ck_assert_str_eq(invoice_status_name(ST_PAID), "paid");
	ck_assert_str_eq(invoice_status_name(ST_VOID), "void");
	/* a person who read the label may type it */
	ck_assert_int_eq(invoice_status_parse("Paid", &st, &err), INV_OK);
	ck_assert_int_eq(st, ST_PAID);
}
END_TEST

START_TEST(unknown_status_is_refused_on_field_status)
{
	const char *bad[] = {"lost", "", "paid ", " draft", "voided", "d"};
	enum inv_status st = ST_SENT;
	struct inv_err err;
	size_t i;

	for (i = 0; i < COUNT(bad); i++) {
		ck_assert_int_eq(invoice_status_parse(bad[i], &st, &err),
		                 INV_INVALID);
		ck_assert_str_eq(err.field, "status");
		ck_assert_ptr_nonnull(strstr(err.msg, "draft, sent, paid or void"));
	}
	ck_assert_int_eq(invoice_status_parse(NULL, &st, &err), INV_INVALID);
	ck_assert_int_eq(st, ST_SENT); /* untouched by a refusal */
	ck_assert_int_eq(invoice_status_parse("lost", &st, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "'lost'"));
}
END_TEST

START_TEST(status_labels_are_capitalised)
{
	ck_assert_str_eq(invoice_status_label(ST_DRAFT), "Draft");
	ck_assert_str_eq(invoice_status_label(ST_SENT), "Sent");
	ck_assert_str_eq(invoice_status_label(ST_PAID), "Paid");
	ck_assert_str_eq(invoice_status_label(ST_VOID), "Void");
}
END_TEST

START_TEST(life_follows_deleted_then_archived)
{
	struct invoice inv;

	memset(&inv, 0, sizeof inv);
	ck_assert_int_eq(invoice_life(&inv), LIFE_ACTIVE);
	strcpy(inv.archived_at, "2026-01-02T03:04:05.000Z");
	ck_assert_int_eq(invoice_life(&inv), LIFE_ARCHIVED);
	/* a deleted row that was archived first is deleted */
	strcpy(inv.deleted_at, "2026-02-02T03:04:05.000Z");
	ck_assert_int_eq(invoice_life(&inv), LIFE_DELETED);
	inv.archived_at[0] = '\0';
	ck_assert_int_eq(invoice_life(&inv), LIFE_DELETED);
	ck_assert_str_eq(invoice_life_name(LIFE_ACTIVE), "active");
	ck_assert_str_eq(invoice_life_name(LIFE_ARCHIVED), "archived");
	ck_assert_str_eq(invoice_life_name(LIFE_DELETED), "deleted");
}
END_TEST

static Suite *invoice_suite(void)
{
	Suite *s = suite_create("invoice");
	TCase *customer = tcase_create("customer");
	TCase *utf8 = tcase_create("utf8");
	TCase *names = tcase_create("names");

	tcase_add_test(customer, accented_and_cjk_names_are_accepted);
	tcase_add_test(customer, customer_limit_counts_characters_not_bytes);
	tcase_add_test(customer, empty_and_blank_names_are_refused);
	tcase_add_test(customer, control_characters_are_refused);
	tcase_add_test(customer, bidi_and_invisible_characters_are_refused);
	tcase_add_test(customer, invalid_utf8_names_are_refused);
	tcase_add_test(customer, a_refusal_never_echoes_the_bytes);
	suite_add_tcase(s, customer);

	tcase_add_test(utf8, utf8_valid_accepts_every_well_formed_length);
	tcase_add_test(utf8, utf8_valid_refuses_overlongs_surrogates_and_beyond);
	tcase_add_test(utf8, utf8_valid_respects_the_length_given);
	tcase_add_test(utf8, utf8_length_counts_characters);
	suite_add_tcase(s, utf8);

	tcase_add_test(names, status_names_parse_back);
	tcase_add_test(names, unknown_status_is_refused_on_field_status);
	tcase_add_test(names, status_labels_are_capitalised);
	tcase_add_test(names, life_follows_deleted_then_archived);
	suite_add_tcase(s, names);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(invoice_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
