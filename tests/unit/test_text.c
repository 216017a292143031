/*
 * test_text.c - the core's one sanitizer for untrusted text (text.h): the
 * strict decoder, which characters must never reach a terminal raw, their
 * visible escapes, and that text_visible() lets none of them through for
 * any character or byte there is.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* True when s holds no byte sequence that decodes to an unsafe
 * character: what a terminal may be given. */
static bool all_safe(const char *s)
{
	size_t len = strlen(s), i = 0;
	uint32_t cp;

	while (i < len) {
		i += text_decode(s + i, len - i, &cp);
		if (text_unsafe(cp))
			return false;
	}
	return true;
}

static void expect_visible(const char *in, const char *want)
{
	char out[256];
	size_t n = text_visible(out, sizeof out, in);

	ck_assert_str_eq(out, want);
	ck_assert_uint_eq(n, strlen(want));
}

START_TEST(decode_takes_well_formed_characters_whole)
{
	uint32_t cp;

	ck_assert_uint_eq(text_decode("A", 1, &cp), 1);
	ck_assert_uint_eq(cp, 'A');
	ck_assert_uint_eq(text_decode("\xc3\xa9", 2, &cp), 2);
	ck_assert_uint_eq(cp, 0xe9);
	ck_assert_uint_eq(text_decode("\xe2\x80\xae", 3, &cp), 3);
	ck_assert_uint_eq(cp, 0x202e);
	ck_assert_uint_eq(text_decode("\xf0\x9f\x8d\xb0", 4, &cp), 4);
	ck_assert_uint_eq(cp, 0x1f370);
}
END_TEST

START_TEST(decode_turns_each_bad_byte_into_its_own_stand_in)
{
	static const char *const bad[] = {
		"\xff", "\x80", "\xc0\xaf", "\xc3", "\xe0\x80\x80",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
		"\xe2\x80", "\xe2\x28\xa1",
	};
	size_t i;
	uint32_t cp;

	for (i = 0; i < COUNT(bad); i++) {
		ck_assert_uint_eq(text_decode(bad[i], strlen(bad[i]), &cp), 1);
		ck_assert_msg(cp == TEXT_BAD_BYTE(bad[i][0]),
		              "case %zu: U+%04X", i, (unsigned)cp);
		ck_assert(text_unsafe(cp));
	}
	/* A well-formed character cut by the length given is bad too. */
	ck_assert_uint_eq(text_decode("\xc3\xa9", 1, &cp), 1);
	ck_assert_uint_eq(cp, TEXT_BAD_BYTE(0xc3));
}
END_TEST

START_TEST(encode_gives_a_bad_byte_back_exactly)
{
	char out[4];
	unsigned b;

	for (b = 0x80; b <= 0xff; b++) {
		ck_assert_uint_eq(text_encode(TEXT_BAD_BYTE(b), out), 1);
		ck_assert_uint_eq((unsigned char)out[0], b);
	}
	ck_assert_uint_eq(text_encode(0x202e, out), 3);
	ck_assert(memcmp(out, "\xe2\x80\xae", 3) == 0);
	/* Any other surrogate is not text. */
	ck_assert_uint_eq(text_encode(0xd800, out), 3);
	ck_assert(memcmp(out, "\xef\xbf\xbd", 3) == 0);
}
END_TEST

START_TEST(controls_bidi_and_invisible_characters_are_unsafe)
{
	static const uint32_t unsafe[] = {
		0x00, 0x09, 0x0a, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f,
		0x061c, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028,
		0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2064,
		0x2066, 0x2067, 0x2068, 0x2069, 0x206f, 0xfeff, 0xfff9, 0xfffb,
	};
	static const uint32_t safe[] = {
		' ', 'A', '~', 0xa0, 0xe9, 0x061b, 0x061d, 0x200a, 0x2010,
		0x2027, 0x202f, 0x205f, 0x2065, 0x2070, 0x3000, 0xfefe, 0xfff8,
		0xfffc, 0xfffd, 0x1f370,
	};
	size_t i;

	for (i = 0; i < COUNT(unsafe); i++)
		ck_assert_msg(text_unsafe(unsafe[i]), "U+%04X is let through",
		              (unsigned)unsafe[i]);
	for (i = 0; i < COUNT(safe); i++)
		ck_assert_msg(!text_unsafe(safe[i]), "U+%04X is escaped",
		              (unsigned)safe[i]);
	ck_assert(text_is_control(0x1b) && text_is_control(0x9b));
	ck_assert(!text_is_control(0x202e));
}
END_TEST

START_TEST(each_unsafe_character_has_a_visible_escape)
{
	char out[TEXT_ESCAPE_MAX];

	ck_assert_uint_eq(text_escape(0x1b, out), 4);
	ck_assert_str_eq(out, "\\x1b");
	ck_assert_uint_eq(text_escape(0x7f, out), 4);
	ck_assert_str_eq(out, "\\x7f");
	ck_assert_uint_eq(text_escape(0x9b, out), 6);
	ck_assert_str_eq(out, "\\u009b");
	ck_assert_uint_eq(text_escape(0x202e, out), 6);
	ck_assert_str_eq(out, "\\u202e");
	ck_assert_uint_eq(text_escape(TEXT_BAD_BYTE(0xff), out), 4);
	ck_assert_str_eq(out, "\\xff");
	ck_assert_uint_eq(text_escape('A', out), 1);
	ck_assert_str_eq(out, "A");
	ck_assert_uint_eq(text_escape(0x4f5c, out), 3);
	ck_assert_str_eq(out, "作");
}
END_TEST

START_TEST(visible_text_keeps_ordinary_text_and_escapes_the_rest)
{
	expect_visible("Müller & Söhne — Zürich", "Müller & Söhne — Zürich");
	expect_visible("株式会社 作者出版", "株式会社 作者出版");
	expect_visible("\x1b[31mred", "\\x1b[31mred");
	expect_visible("a\xc2\x9b" "2J", "a\\u009b2J");
	expect_visible("Evil\xe2\x80\xae" "cod.exe", "Evil\\u202ecod.exe");
	expect_visible("\xe2\x81\xa6" "x\xe2\x81\xa9", "\\u2066x\\u2069");
	expect_visible("a\xe2\x80\x8b" "b", "a\\u200bb");
	expect_visible("del\x7f", "del\\x7f");
	expect_visible("Caf\xe9 \xff", "Caf\\xe9 \\xff");
	expect_visible("", "");
}
END_TEST

START_TEST(visible_text_is_cut_between_units_and_says_its_length)
{
	char out[8];

	/* "ab" + "\u202e" (6) does not fit in 7 bytes: cut before it. */
	ck_assert_uint_eq(text_visible(out, sizeof out, "ab\xe2\x80\xae" "c"),
	                  9);
	ck_assert_str_eq(out, "ab");
	ck_assert_uint_eq(text_visible(out, 5, "\x1b\x1b"), 8);
	ck_assert_str_eq(out, "\\x1b");
	ck_assert_uint_eq(text_visible(out, 3, "作作"), 6);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(text_visible(NULL, 0, "abc"), 3);
}
END_TEST

/* Every code point, alone and between letters, and every byte: nothing
 * unsafe survives, and what is safe is kept as it was. */
START_TEST(no_unsafe_character_survives_text_visible)
{
	char in[16], out[64];
	uint32_t cp;
	unsigned b;

	for (cp = 1; cp <= 0x10ffff; cp++) {
		size_t n;

		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		in[0] = 'a';
		n = 1 + text_encode(cp, in + 1);
		in[n++] = 'z';
		in[n] = '\0';
		text_visible(out, sizeof out, in);
		/* Plain tests: a ck_assert per code point costs a message to
		 * the runner each time. */
		if (!all_safe(out))
			ck_abort_msg("U+%04X came through", (unsigned)cp);
		if (!text_unsafe(cp) && strcmp(in, out) != 0)
			ck_abort_msg("U+%04X was changed", (unsigned)cp);
		if (text_unsafe(cp) && out[1] != '\\')
			ck_abort_msg("U+%04X is not escaped", (unsigned)cp);
	}
	for (b = 1; b <= 0xff; b++) {
		in[0] = (char)b;
		in[1] = '\0';
		text_visible(out, sizeof out, in);
		if (!all_safe(out))
			ck_abort_msg("byte %02x came through", b);
	}
}
END_TEST

START_TEST(utf8_valid_agrees_with_the_decoder)
{
	ck_assert(utf8_valid("Zürich 作 🍰", strlen("Zürich 作 🍰")));
	ck_assert(!utf8_valid("Caf\xe9", 4));
	ck_assert(!utf8_valid("\xed\xa0\x80", 3));
	ck_assert(utf8_valid("", 0));
	ck_assert(utf8_valid(NULL, 0));
}
END_TEST

static bool matches(const char *hay, const char *needle)
{
	return text_filter_match(hay, strlen(hay), needle, strlen(needle));
}

START_TEST(filter_folds_ascii_letters_only)
{
	ck_assert(matches("Initech GmbH", "gmbh"));
	ck_assert(matches("initech gmbh", "GMBH"));
	ck_assert(matches("ACME-1002", "acme-100"));
	ck_assert(matches("Müller & Söhne", "SÖHNE") == false);
	ck_assert(matches("Müller & Söhne", "söhne"));
	ck_assert(matches("Müller & Söhne", "sÖhne") == false);
	/* non-ASCII letters: only their own bytes */
	ck_assert(matches("Ærøskøbing", "ærø") == false);
	ck_assert(matches("Ærøskøbing", "Ærø"));
	ck_assert(matches("ærøskøbing", "ÆRØ") == false);
	ck_assert(matches("Ærøskøbing", "RØ") == false);
	ck_assert(matches("Ærøskøbing", "rø"));
	ck_assert(matches("Straße", "STRASSE") == false);
	ck_assert(matches("ΔΈΛΤΑ", "δέλτα") == false);
}
END_TEST

START_TEST(filter_wildcards_are_plain_characters)
{
	ck_assert(matches("100% Pure", "0%"));
	ck_assert(matches("100 Pure", "%") == false);
	ck_assert(matches("a_b", "_"));
	ck_assert(matches("ab", "_") == false);
	ck_assert(matches("ab", "a_") == false);
	ck_assert(matches("back\\slash", "\\"));
	ck_assert(matches("backslash", "\\") == false);
	ck_assert(matches("x", "[x]") == false);
	ck_assert(matches("anything", ""));
	ck_assert(matches("", ""));
	ck_assert(matches("", "a") == false);
	ck_assert(matches("ab", "abc") == false);
}
END_TEST

/* A server's URI is shown without its password, wherever it stands. */
START_TEST(location_shown_hides_the_password)
{
	char out[256];

	text_location_shown(out, sizeof out, "demo.db");
	ck_assert_str_eq(out, "demo.db");
	text_location_shown(out, sizeof out,
	                    "postgresql://bob:s3cret@db.example/inved");
	ck_assert_str_eq(out, "postgresql://bob:***@db.example/inved");
	text_location_shown(out, sizeof out,
	                    "postgres://bob@db/inved?password=s3cret&sslmode=x");
	ck_assert_str_eq(out, "postgres://bob@db/inved?password=***&sslmode=x");
	text_location_shown(out, sizeof out,
	                    "postgresql:///inved?host=/tmp/x&password=p");
	ck_assert_str_eq(out, "postgresql:///inved?host=/tmp/x&password=***");
	text_location_shown(out, sizeof out, "postgresql://h/db?user=a:b@c");
	ck_assert_str_eq(out, "postgresql://h/db?user=a:b@c");
	ck_assert(strstr(out, "s3cret") == NULL);
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, decode_takes_well_formed_characters_whole);
	tcase_add_test(tc, decode_turns_each_bad_byte_into_its_own_stand_in);
	tcase_add_test(tc, encode_gives_a_bad_byte_back_exactly);
	tcase_add_test(tc, controls_bidi_and_invisible_characters_are_unsafe);
	tcase_add_test(tc, each_unsafe_character_has_a_visible_escape);
	tcase_add_test(tc, visible_text_keeps_ordinary_text_and_escapes_the_rest);
	tcase_add_test(tc, visible_text_is_cut_between_units_and_says_its_length);
	tcase_add_test(tc, no_unsafe_character_survives_text_visible);
	tcase_add_test(tc, utf8_valid_agrees_with_the_decoder);
	tcase_add_test(tc, filter_folds_ascii_letters_only);
	tcase_add_test(tc, filter_wildcards_are_plain_characters);
	tcase_add_test(tc, location_shown_hides_the_password);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
