/*
 * test_jsoncodec.c - the one JSON codec: every character written by the
 * core's escaping rule and read back exactly (every escape JSON has,
 * surrogate pairs, the lone surrogates the writer uses for bytes that are
 * not UTF-8), flat objects of strings and whole numbers, and every kind
 * of damaged input refused, naming where.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsoncodec.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Decode {"v": <json>} and return the member's text (static buffer), or
 * NULL when refused. */
static const char *decode_value(const char *json)
{
	static char buf[512];
	char text[512];
	struct json_member m[2];
	struct inv_err err;
	size_t n;

	snprintf(text, sizeof text, "{\"v\":%s}", json);
	if (json_flat_decode(text, m, COUNT(m), &n, buf, sizeof buf, &err) !=
	    INV_OK)
		return NULL;
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(m[0].key, "v");
	return m[0].text;
}

START_TEST(every_short_escape_decodes_to_its_character)
{
	const struct {
		const char *json, *text;
	} cases[] = {
		{ "\"\\\"\"", "\"" }, { "\"\\\\\"", "\\" }, { "\"\\/\"", "/" },
		{ "\"\\b\"", "\b" },  { "\"\\f\"", "\f" },  { "\"\\n\"", "\n" },
		{ "\"\\r\"", "\r" },  { "\"\\t\"", "\t" },
		{ "\"a\\r\\nb\\bc\\fd\"", "a\r\nb\bc\fd" },
	};

	for (size_t i = 0; i < COUNT(cases); i++) {
		const char *got = decode_value(cases[i].json);

		ck_assert_msg(got != NULL, "%s refused", cases[i].json);
		ck_assert_msg(strcmp(got, cases[i].text) == 0,
		              "%s decoded wrong", cases[i].json);
	}
}
END_TEST

START_TEST(unicode_escapes_and_surrogate_pairs_decode)
{
	const struct {
		const char *json, *text;
	} cases[] = {
		{ "\"\\u0041\"", "A" },
		{ "\"\\u00fc\"", "\xc3\xbc" },                /* ü */
		{ "\"\\u00FC\"", "\xc3\xbc" },                /* hex in capitals */
		{ "\"\\u202e\"", "\xe2\x80\xae" },            /* RLO */
		{ "\"\\u001b\"", "\x1b" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" }, /* U+1F600 */
		{ "\"\\uD834\\uDD1E\"", "\xf0\x9d\x84\x9e" }, /* U+1D11E */
		/* a pair whose low half is in the bad-byte range is a pair */
		{ "\"\\ud83d\\udc80\"", "\xf0\x9f\x92\x80" }, /* U+1F480 */
		{ "\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf" }, /* U+10FFFF */
		{ "\"M\xc3\xbcller\"", "M\xc3\xbcller" },     /* raw UTF-8 */
	};

	for (size_t i = 0; i < COUNT(cases); i++) {
		const char *got = decode_value(cases[i].json);

		ck_assert_msg(got != NULL, "%s refused", cases[i].json);
		ck_assert_msg(strcmp(got, cases[i].text) == 0,
		              "%s decoded wrong", cases[i].json);
	}
}
END_TEST

/* The writer escapes a byte that is not UTF-8 as \udcXX; the reader gives
 * the byte back. */
START_TEST(lone_surrogates_of_bad_bytes_decode_to_the_bytes)
{
	const char *got = decode_value("\"a\\udcffb\\udc80\"");

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, "a\xff" "b\x80");
}
END_TEST

START_TEST(other_lone_surrogates_are_refused)
{
	const char *const bad[] = {
		"\"\\ud800\"",          /* high alone */
		"\"\\ud83dx\"",         /* high then a letter */
		"\"\\ud83d\\u0041\"",   /* high then not a low */
		"\"\\ud83d\\ud83d\"",   /* high then high */
		"\"\\udc00\"",          /* low below the bad-byte range */
		"\"\\udc7f\"",          /* an ASCII byte is never bad */
		"\"\\ude00\"",          /* low above it */
	};

	for (size_t i = 0; i < COUNT(bad); i++)
		ck_assert_msg(decode_value(bad[i]) == NULL, "%s accepted",
		              bad[i]);
}
END_TEST

START_TEST(invalid_input_is_refused_naming_the_byte)
{
	const char *const bad[] = {
		"", "[]", "\"s\"", "{", "{\"a\"}", "{\"a\":}", "{\"a\" \"b\"}",
		"{\"a\":\"b\",}", "{\"a\":\"b\" \"c\":\"d\"}", "{a:\"b\"}",
		"{\"a\":'b'}", "{\"a\":\"b\"} x", "{\"a\":\"b\"}{}",
		"{\"a\":{\"b\":\"c\"}}", "{\"a\":[1]}", "{\"a\":true}",
		"{\"a\":null}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":01}",
		"{\"a\":-}", "{\"a\":+1}", "{\"a\":9223372036854775808}",
		"{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u00zz\"}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\\"}", "{\"a\":\"b}",
		"{\"a\":\"line\nbreak\"}", "{\"a\":\"tab\there\"}",
		"{\"a\":\"\xff\"}", "{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"b\",\"a\":\"c\"}",
	};
	char buf[256];
	struct json_member m[4];
	struct inv_err err;
	size_t n = 9;

	for (size_t i = 0; i < COUNT(bad); i++) {
		ck_assert_msg(json_flat_decode(bad[i], m, COUNT(m), &n, buf,
		                               sizeof buf, &err) == INV_INVALID,
		              "accepted: %s", bad[i]);
		ck_assert_uint_eq(n, 0);
		ck_assert_str_eq(err.field, "json");
		ck_assert_msg(strstr(err.msg, "at byte") != NULL, "%s",
		              err.msg);
	}
	ck_assert_int_eq(json_flat_decode("{\"a\":\"b\"} x", m, COUNT(m), &n,
	                                  buf, sizeof buf, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "at byte 10"));
}
END_TEST

START_TEST(flat_objects_of_strings_and_whole_numbers_decode)
{
	const char *text = " { \"customer\" : \"Initech\\u00a0GmbH\" ,\n"
	                   "\"total_minor\":140050,\"n\":-9223372036854775808,"
	                   "\"z\":0, \"\":\"\"}\t";
	char buf[256];
	struct json_member m[8];
	struct inv_err err;
	const struct json_member *t;
	size_t n;

	ck_assert_int_eq(json_flat_decode(text, m, COUNT(m), &n, buf,
	                                  sizeof buf, &err), INV_OK);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(m[0].key, "customer");
	ck_assert_int_eq(m[0].kind, JSON_STRING);
	ck_assert_str_eq(m[0].text, "Initech\xc2\xa0GmbH");
	t = json_member_find(m, n, "total_minor");
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->kind, JSON_INTEGER);
	ck_assert_int_eq(t->integer, 140050);
	ck_assert_str_eq(t->text, "140050");
	ck_assert_int_eq(json_member_find(m, n, "n")->integer, INT64_MIN);
	ck_assert_int_eq(json_member_find(m, n, "z")->integer, 0);
	ck_assert_str_eq(json_member_find(m, n, "")->text, "");
	ck_assert_ptr_null(json_member_find(m, n, "missing"));
	ck_assert_int_eq(json_flat_decode("{}", m, COUNT(m), &n, buf,
	                                  sizeof buf, &err), INV_OK);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(too_many_members_or_too_little_room_is_refused)
{
	const char *text = "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}";
	char buf[64], small[8];
	struct json_member m[2];
	struct inv_err err;
	size_t n;

	ck_assert_int_eq(json_flat_decode(text, m, 2, &n, buf, sizeof buf,
	                                  &err), INV_INVALID);
	ck_assert_int_eq(json_flat_decode(text, m, 3 - 1, &n, buf, sizeof buf,
	                                  NULL), INV_INVALID);
	ck_assert_int_eq(json_flat_decode("{\"key\":\"value\"}", m, 2, &n,
	                                  small, sizeof small, &err),
	                 INV_INVALID);
	/* strlen + 1 is always room enough */
	ck_assert_int_eq(json_flat_decode("{\"k\":\"v\"}", m, 2, &n, small,
	                                  strlen("{\"k\":\"v\"}") + 1, &err),
	                 INV_OK);
}
END_TEST

/* The writer's rule, character by character. */
START_TEST(quote_escapes_by_the_core_rule)
{
	const struct {
		const char *text, *json;
	} cases[] = {
		{ "", "\"\"" },
		{ "plain", "\"plain\"" },
		{ "\"\\/", "\"\\\"\\\\/\"" },
		{ "\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"" },
		{ "\x01\x1b\x7f", "\"\\u0001\\u001b\\u007f\"" },
		{ "\xc2\x9b", "\"\\u009b\"" },         /* C1 CSI */
		{ "\xe2\x80\xae", "\"\\u202e\"" },     /* RLO */
		{ "\xef\xbb\xbf", "\"\\ufeff\"" },     /* BOM */
		{ "M\xc3\xbcller \xe4\xbd\x9c", "\"M\xc3\xbcller \xe4\xbd\x9c\"" },
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
		{ "a\xff" "b", "\"a\\udcffb\"" },      /* not UTF-8 */
		{ "\xed\xa0\x80", "\"\\udced\\udca0\\udc80\"" }, /* a surrogate */
	};
	char buf[128];

	for (size_t i = 0; i < COUNT(cases); i++) {
		size_t len = json_quote(buf, sizeof buf, cases[i].text);

		ck_assert_str_eq(buf, cases[i].json);
		ck_assert_uint_eq(len, strlen(cases[i].json));
	}
}
END_TEST

/* Everything written reads back as the same bytes, whatever they are. */
START_TEST(quote_then_decode_round_trips_every_byte)
{
	char text[256 * 2], quoted[256 * 12], json[256 * 12 + 16], buf[2048];
	struct json_member m[1];
	struct inv_err err;
	size_t n, o = 0;

	for (int b = 1; b < 256; b++) {
		text[o++] = (char)b;
		if (b % 7 == 0)
			text[o++] = 'x';
	}
	text[o] = '\0';
	ck_assert_uint_lt(json_quote(quoted, sizeof quoted, text),
	                  sizeof quoted);
	snprintf(json, sizeof json, "{\"t\":%s}", quoted);
	ck_assert_msg(json_flat_decode(json, m, 1, &n, buf, sizeof buf,
	                               &err) == INV_OK, "%s", err.msg);
	ck_assert_str_eq(m[0].text, text);
	ck_assert(json_valid(json));
}
END_TEST

START_TEST(quote_never_cuts_an_escape)
{
	char buf[8];
	size_t len = json_quote(buf, sizeof buf, "ab\xe2\x80\xae");

	/* "ab\u202e" needs 11: what fits is whole units only */
	ck_assert_uint_eq(len, 10);
	ck_assert_str_eq(buf, "\"ab");
	len = json_quote(buf, 1, "x");
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(json_quote(NULL, 0, "xy"), 4);
}
END_TEST

START_TEST(valid_checks_any_shape_with_the_same_string_rules)
{
	const char *const good[] = {
		"{}", "[]", "0", "-1.5e+3", "\"s\"", "true", "null",
		" {\"a\":[1,{\"b\":null},\"\\ud83d\\ude00\"]} ",
		"{\"old\":\"X\\u2066\",\"new\":\"\\udcff\"}",
	};
	const char *const bad[] = {
		"", "{", "[1,]", "01", "tru", "\"\\ud800\"", "\"\\u0000\"",
		"\"\xff\"", "{} {}", "{\"a\" 1}", NULL,
	};
	char deep[200];

	for (size_t i = 0; i < COUNT(good); i++)
		ck_assert_msg(json_valid(good[i]), "refused: %s", good[i]);
	for (size_t i = 0; i < COUNT(bad); i++)
		ck_assert_msg(!json_valid(bad[i]), "accepted: %s",
		              bad[i] ? bad[i] : "NULL");
	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = '\0';
	ck_assert(!json_valid(deep));
	ck_assert(json_valid(deep + 1) == false); /* unbalanced */
	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	deep[128] = '\0';
	ck_assert(json_valid(deep));
}
END_TEST

/* jsonb's text of an audit detail made SQLite's: no spaces between
 * tokens, the listed keys first in their order (at every level), the
 * others after them as written, strings copied as they are escaped. */
START_TEST(compact_ordered_makes_sqlite_text_of_jsonb_text)
{
	static const char *const order[] = {"number", "customer", "old", "new",
	                                    NULL};
	char out[256];

	ck_assert(json_compact_ordered(
		"{\"customer\": {\"new\": \"A \\\"q\\\" \\\\ \\u0001\\n\", "
		"\"old\": null}, \"number\": {\"new\": \"N-2\", \"old\": \"N-1\"}, "
		"\"zz\": [1, 2, {\"b\": true, \"a\": -3}]}",
		order, out, sizeof out));
	ck_assert_str_eq(out,
		"{\"number\":{\"old\":\"N-1\",\"new\":\"N-2\"},"
		"\"customer\":{\"old\":null,\"new\":\"A \\\"q\\\" \\\\ \\u0001\\n\"},"
		"\"zz\":[1,2,{\"b\":true,\"a\":-3}]}");
	/* a key that only starts like a listed one is not it */
	ck_assert(json_compact_ordered("{\"numbers\": 1, \"new\": 2}", order,
	                               out, sizeof out));
	ck_assert_str_eq(out, "{\"new\":2,\"numbers\":1}");
	/* strings keep their spaces and escapes */
	ck_assert(json_compact_ordered("{ \"a b\" : \" x , y \" }", NULL, out,
	                               sizeof out));
	ck_assert_str_eq(out, "{\"a b\":\" x , y \"}");
	ck_assert(json_compact_ordered("{}", order, out, sizeof out));
	ck_assert_str_eq(out, "{}");
	/* not JSON, or no room: refused */
	ck_assert(!json_compact_ordered("{\"a\": ", order, out, sizeof out));
	ck_assert(!json_compact_ordered("{\"a\": 1}", order, out, 7));
	ck_assert(json_compact_ordered("{\"a\": 1}", order, out, 8));
	ck_assert_str_eq(out, "{\"a\":1}");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("jsoncodec");
	TCase *tc = tcase_create("codec");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_short_escape_decodes_to_its_character);
	tcase_add_test(tc, unicode_escapes_and_surrogate_pairs_decode);
	tcase_add_test(tc, lone_surrogates_of_bad_bytes_decode_to_the_bytes);
	tcase_add_test(tc, other_lone_surrogates_are_refused);
	tcase_add_test(tc, invalid_input_is_refused_naming_the_byte);
	tcase_add_test(tc, flat_objects_of_strings_and_whole_numbers_decode);
	tcase_add_test(tc, too_many_members_or_too_little_room_is_refused);
	tcase_add_test(tc, quote_escapes_by_the_core_rule);
	tcase_add_test(tc, quote_then_decode_round_trips_every_byte);
	tcase_add_test(tc, quote_never_cuts_an_escape);
	tcase_add_test(tc, valid_checks_any_shape_with_the_same_string_rules);
	tcase_add_test(tc, compact_ordered_makes_sqlite_text_of_jsonb_text);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
