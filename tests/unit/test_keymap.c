/*
 * test_keymap.c - the screens' keymaps (src/tui/keymap.c), the one table
 * per screen that the key handlers, the hint rows and the help panel all
 * read: a key is bound once per screen, the keys read before any screen
 * are bound on none, every line is documented, and the hint rows hold
 * what the screen showed before the tables (the admin's `d` included).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tui_internal.h"

START_TEST(no_key_is_bound_twice_on_one_screen)
{
	for (int s = 0; s < KM__COUNT; s++) {
		size_t n;
		const struct km_entry *e = keymap_entries((enum km_screen)s, &n);

		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < KM_KEYS && e[i].keys[k].action;
			     k++) {
				const struct km_key *key = &e[i].keys[k].key;
				/* the first binding of the key is this one */
				ck_assert_msg(keymap_action((enum km_screen)s,
				                            key->ch, key->fkey) ==
				              e[i].keys[k].action,
				              "%s: key %u of \"%s\" is bound before",
				              keymap_title((enum km_screen)s),
				              (unsigned)key->ch, e[i].keys_label);
				for (size_t j = i + 1; j < n; j++)
					for (size_t m = 0; m < KM_KEYS &&
					     e[j].keys[m].action; m++)
						ck_assert_msg(
							e[j].keys[m].key.ch != key->ch ||
							e[j].keys[m].key.fkey != key->fkey,
							"%s: key %u bound twice",
							keymap_title((enum km_screen)s),
							(unsigned)key->ch);
			}
	}
}
END_TEST

START_TEST(keys_read_before_any_screen_are_bound_on_none)
{
	size_t n;
	const struct km_entry *any = keymap_entries(KM_ANYWHERE, &n);

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < KM_KEYS && any[i].keys[k].action; k++)
			for (int s = 0; s < KM__COUNT; s++) {
				if (s == KM_ANYWHERE)
					continue;
				ck_assert_int_eq(keymap_action(
					(enum km_screen)s, any[i].keys[k].key.ch,
					any[i].keys[k].key.fkey), KA_NONE);
			}
}
END_TEST

START_TEST(every_line_is_documented)
{
	for (int s = 0; s < KM__COUNT; s++) {
		size_t n;
		const struct km_entry *e = keymap_entries((enum km_screen)s, &n);

		ck_assert(keymap_title((enum km_screen)s)[0] != '\0');
		ck_assert_uint_gt(n, 0);
		for (size_t i = 0; i < n; i++) {
			ck_assert(e[i].keys_label && e[i].keys_label[0]);
			ck_assert(e[i].help && e[i].help[0]);
			ck_assert(e[i].hint_pos == 0 || (e[i].hint_key && e[i].hint));
		}
	}
}
END_TEST

static void hint_row(bool admin, char *out, size_t size)
{
	struct draw_hint h[KM_HINTS_MAX];
	int drop[KM_HINTS_MAX];
	size_t n = keymap_hints(KM_TABLE, admin, h, drop, KM_HINTS_MAX);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, i ? "  " : "", size - strlen(out) - 1);
		strncat(out, h[i].key, size - strlen(out) - 1);
		strncat(out, " ", size - strlen(out) - 1);
		strncat(out, h[i].label, size - strlen(out) - 1);
	}
}

START_TEST(table_hints_are_the_rows_the_screen_showed)
{
	char row[512];

	hint_row(true, row, sizeof row);
	ck_assert_str_eq(row, "Enter edit  n new  a archive  r restore  "
	                      "d delete  i inspect  / filter  h history  "
	                      "? help  q quit");
	hint_row(false, row, sizeof row);
	ck_assert_str_eq(row, "Enter edit  n new  a archive  r restore  "
	                      "i inspect  / filter  h history  ? help  q quit");
}
END_TEST

START_TEST(the_key_named_for_an_action_is_the_key_bound_to_it)
{
	ck_assert_str_eq(keymap_key_of(KM_TABLE, KA_ARCHIVE), "a");
	ck_assert_int_eq(keymap_action(KM_TABLE, 'a', false), KA_ARCHIVE);
	ck_assert_str_eq(keymap_key_of(KM_TABLE, KA_RESTORE), "r");
	ck_assert_int_eq(keymap_action(KM_TABLE, 'r', false), KA_RESTORE);
	ck_assert_str_eq(keymap_key_of(KM_TABLE, KA_DELETE), "d");
	ck_assert_int_eq(keymap_action(KM_TABLE, 'd', false), KA_DELETE);
	ck_assert_str_eq(keymap_key_of(KM_CONFLICT, KA_PICK_THEIRS), "d");
	ck_assert_str_eq(keymap_key_of(KM_CONFLICT, KA_PICK_YOURS), "y");
	ck_assert_str_eq(keymap_key_of(KM_CONFLICT, KA_USE_LATEST), "u");
	/* a key code and the character with the same number differ */
	ck_assert_int_eq(keymap_action(KM_TABLE, KEY_DOWN, true), KA_DOWN);
	ck_assert_int_eq(keymap_action(KM_TABLE, KEY_DOWN, false), KA_NONE);
}
END_TEST

static Suite *keymap_suite(void)
{
	Suite *s = suite_create("keymap");
	TCase *tc = tcase_create("keymap");

	tcase_add_test(tc, no_key_is_bound_twice_on_one_screen);
	tcase_add_test(tc, keys_read_before_any_screen_are_bound_on_none);
	tcase_add_test(tc, every_line_is_documented);
	tcase_add_test(tc, table_hints_are_the_rows_the_screen_showed);
	tcase_add_test(tc, the_key_named_for_an_action_is_the_key_bound_to_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(keymap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
