/*
 * test_draftbody.c - the screen's draft body goes through the core's JSON
 * codec: what a form holds comes back byte for byte (carriage returns,
 * backspaces and form feeds as themselves, not as the letters r, b and
 * f), and a body of another shape is not offered.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/tui_internal.h"

START_TEST(body_round_trips_every_kind_of_character)
{
	struct form_values v, back;
	char body[DRAFT_BODY_MAX];

	memset(&v, 0, sizeof v);
	strcpy(v.customer, "A\r\nB\bC\fD\t\"q\" \\ M\xc3\xbcller \xe2\x80\xae"
	                   "\xf0\x9f\x98\x80 \xff");
	strcpy(v.status, "sent");
	strcpy(v.total, "1400,50");
	strcpy(v.currency, "EUR");
	strcpy(v.number, "ACME-1002");
	draft_body_encode(&v, body, sizeof body);
	ck_assert_ptr_null(strchr(body, '\r'));
	ck_assert(json_valid(body));
	ck_assert(draft_body_decode(body, &back));
	ck_assert_str_eq(back.customer, v.customer);
	ck_assert_str_eq(back.status, v.status);
	ck_assert_str_eq(back.total, v.total);
	ck_assert_str_eq(back.currency, v.currency);
	ck_assert_str_eq(back.number, v.number);
}
END_TEST

/* A body another writer made with the short escapes reads them as the
 * characters they stand for. */
START_TEST(short_escapes_read_as_their_characters)
{
	struct form_values v;

	ck_assert(draft_body_decode("{\"customer\":\"a\\rb\\bc\\fd\\/e\","
	                            "\"number\":\"\\u0041\\ud83d\\ude00\"}",
	                            &v));
	ck_assert_str_eq(v.customer, "a\rb\bc\fd/e");
	ck_assert_str_eq(v.number, "A\xf0\x9f\x98\x80");
	ck_assert_str_eq(v.status, "");
}
END_TEST

START_TEST(bodies_of_another_shape_are_refused)
{
	const char *const bad[] = {
		"", "[]", "{\"customer\":1}", "{\"colour\":\"red\"}",
		"{\"customer\":\"a\"", "{\"customer\":\"\\ud800\"}",
		"{\"customer\":{\"x\":\"y\"}}",
	};
	struct form_values v;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(!draft_body_decode(bad[i], &v), "accepted: %s",
		              bad[i]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("draftbody");
	TCase *tc = tcase_create("body");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, body_round_trips_every_kind_of_character);
	tcase_add_test(tc, short_escapes_read_as_their_characters);
	tcase_add_test(tc, bodies_of_another_shape_are_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
