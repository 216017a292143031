/*
 * test_rules.c - the write rules of SPEC 3 (rules.h) against a table
 * written out here by hand: every operation x lifecycle state x role x
 * current or stale version, plus tenancy (another org's row, no row), the
 * All view and the lifecycle rule the faces ask on its own.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

enum act { T_EDIT, T_OVERWRITE, T_ARCHIVE, T_RESTORE, T_DELETE, T_REVERT,
           T_DRIFT, T__N };

static const char *const act_name[T__N] = {"edit", "overwrite", "archive",
                                           "restore", "delete", "revert",
                                           "drift"};
static const enum rule_op act_op[T__N] = {RULE_EDIT, RULE_EDIT,
                                          RULE_ARCHIVE, RULE_RESTORE,
                                          RULE_DELETE, RULE_REVERT,
                                          RULE_DRIFT};

#define O INV_OK
#define N INV_NOT_FOUND
#define C INV_CONFLICT
#define F INV_FORBIDDEN

/* [action][life: active, archived, deleted][member, admin][current,
 * stale].  A member never sees a deleted row (N); lifecycle refusals come
 * before role, role before version. */
static const enum inv_rc table[T__N][LIFE__COUNT][2][2] = {
	[T_EDIT] = {{{O, C}, {O, C}}, {{O, C}, {O, C}}, {{N, N}, {N, N}}},
	[T_OVERWRITE] = {{{F, F}, {O, O}}, {{F, F}, {O, O}}, {{N, N}, {N, N}}},
	[T_ARCHIVE] = {{{O, C}, {O, C}}, {{C, C}, {C, C}}, {{N, N}, {C, C}}},
	[T_RESTORE] = {{{C, C}, {C, C}}, {{O, C}, {O, C}}, {{N, N}, {O, C}}},
	[T_DELETE] = {{{F, F}, {O, C}}, {{F, F}, {O, C}}, {{N, N}, {C, C}}},
	[T_REVERT] = {{{O, C}, {O, C}}, {{O, C}, {O, C}}, {{N, N}, {N, N}}},
	[T_DRIFT] = {{{O, O}, {O, O}}, {{O, O}, {O, O}}, {{N, N}, {N, N}}},
};

static struct invoice row_in(enum inv_life life, int64_t org)
{
	struct invoice r;

	memset(&r, 0, sizeof r);
	r.id = 7;
	r.org_id = org;
	r.version = 4;
	snprintf(r.number, sizeof r.number, "ACME-1007");
	if (life != LIFE_ACTIVE)
		snprintf(r.archived_at, sizeof r.archived_at,
		         "2026-01-01T00:00:00Z");
	if (life == LIFE_DELETED)
		snprintf(r.deleted_at, sizeof r.deleted_at,
		         "2026-01-02T00:00:00Z");
	return r;
}

static struct identity who_as(enum inv_role role, int64_t org)
{
	struct identity w;

	memset(&w, 0, sizeof w);
	w.user_id = 1;
	w.org_id = org;
	w.role = role;
	snprintf(w.user, sizeof w.user, role ? "alice" : "bob");
	snprintf(w.org, sizeof w.org, "acme");
	return w;
}

START_TEST(every_cell_matches_the_table)
{
	for (int a = 0; a < T__N; a++)
	for (int life = 0; life < LIFE__COUNT; life++)
	for (int role = 0; role < 2; role++)
	for (int stale = 0; stale < 2; stale++) {
		struct invoice row = row_in((enum inv_life)life, 1);
		struct identity who = who_as((enum inv_role)role, 1);
		struct inv_err err = {0};
		enum inv_rc got;

		got = rule_check(act_op[a], &row, &who,
		                 stale ? row.version - 1 : row.version,
		                 a == T_OVERWRITE ? WRITE_OVERWRITE : 0, &err);
		ck_assert_msg(got == table[a][life][role][stale],
		              "%s of a %s row by a %s at the %s version: got "
		              "%s, want %s (%s)",
		              act_name[a], invoice_life_name((enum inv_life)life),
		              role ? "admin" : "member",
		              stale ? "stale" : "current", inv_rc_name(got),
		              inv_rc_name(table[a][life][role][stale]), err.msg);
		if (got != INV_OK)
			ck_assert_int_eq(err.rc, got);
	}
}
END_TEST

START_TEST(another_orgs_row_or_none_is_not_found)
{
	for (int a = 0; a < T__N; a++)
	for (int life = 0; life < LIFE__COUNT; life++) {
		struct invoice row = row_in((enum inv_life)life, 2);
		struct identity admin = who_as(ROLE_ADMIN, 1);
		struct inv_err err = {0};

		ck_assert_int_eq(rule_check(act_op[a], &row, &admin, row.version,
		                            0, &err), INV_NOT_FOUND);
		ck_assert_str_eq(err.msg, "invoice 7 not found");
		ck_assert_int_eq(rule_check(act_op[a], NULL, &admin, 1, 0, NULL),
		                 INV_NOT_FOUND);
	}
}
END_TEST

START_TEST(the_read_rule_hides_deleted_rows_from_members_only)
{
	struct identity member = who_as(ROLE_MEMBER, 1);
	struct identity admin = who_as(ROLE_ADMIN, 1);
	struct invoice del = row_in(LIFE_DELETED, 1);
	struct invoice arch = row_in(LIFE_ARCHIVED, 1);
	struct invoice other = row_in(LIFE_ACTIVE, 2);

	ck_assert_int_eq(rule_read(&del, &member, 7, NULL), INV_NOT_FOUND);
	ck_assert_int_eq(rule_read(&del, &admin, 7, NULL), INV_OK);
	ck_assert_int_eq(rule_read(&arch, &member, 7, NULL), INV_OK);
	ck_assert_int_eq(rule_read(&other, &admin, 7, NULL), INV_NOT_FOUND);
	ck_assert_int_eq(rule_read(NULL, &admin, 7, NULL), INV_NOT_FOUND);
}
END_TEST

START_TEST(refusals_say_which_check_refused)
{
	struct identity member = who_as(ROLE_MEMBER, 1);
	struct identity admin = who_as(ROLE_ADMIN, 1);
	struct invoice act = row_in(LIFE_ACTIVE, 1);
	struct invoice del = row_in(LIFE_DELETED, 1);
	struct inv_err err;

	rule_check(RULE_DELETE, &act, &member, 1, 0, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "deleting an invoice needs the "
	                                      "admin role"));
	rule_check(RULE_EDIT, &act, &member, 4, WRITE_OVERWRITE, &err);
	ck_assert_ptr_nonnull(strstr(err.msg, "overwriting needs the admin"));
	rule_check(RULE_RESTORE, &del, &member, 4, 0, &err);
	ck_assert_str_eq(err.msg, "invoice 7 not found");
	rule_check(RULE_EDIT, &del, &admin, 4, 0, &err);
	ck_assert_str_eq(err.msg, "invoice ACME-1007 is deleted; an admin can "
	                          "restore it first");
	rule_check(RULE_ARCHIVE, &del, &admin, 4, 0, &err);
	ck_assert_str_eq(err.msg, "invoice ACME-1007 is deleted (version 4); "
	                          "refresh to retry");
	rule_check(RULE_EDIT, &act, &admin, 3, 0, &err);
	ck_assert_str_eq(err.msg, "invoice ACME-1007 changed elsewhere (now "
	                          "version 4); reload it and retry");
	ck_assert_int_eq(rule_decide(RULE_DELETE, &del, &admin, 4, 0),
	                 RULE_WRONG_LIFE);
	ck_assert_int_eq(rule_decide(RULE_EDIT, &del, &admin, 4, 0),
	                 RULE_DELETED);
}
END_TEST

START_TEST(the_all_view_is_for_admins)
{
	struct identity member = who_as(ROLE_MEMBER, 1);
	struct identity admin = who_as(ROLE_ADMIN, 1);
	struct inv_err err;

	ck_assert_int_eq(rule_view(&member, VIEW_ALL, &err), INV_FORBIDDEN);
	ck_assert_str_eq(err.field, "view");
	ck_assert_int_eq(rule_view(&admin, VIEW_ALL, NULL), INV_OK);
	ck_assert_int_eq(rule_view(&member, VIEW_ACTIVE, NULL), INV_OK);
	ck_assert_int_eq(rule_view(&member, VIEW_ARCHIVED, NULL), INV_OK);
}
END_TEST

/* Managing members is for an admin as the store reads the membership at
 * the call, whatever the session began as. */
START_TEST(managing_members_is_for_a_current_admin)
{
	struct identity admin = who_as(ROLE_ADMIN, 1);
	struct inv_err err;

	ck_assert_int_eq(rule_member_admin(&admin, true, ROLE_ADMIN, NULL),
	                 INV_OK);
	ck_assert_int_eq(rule_member_admin(&admin, true, ROLE_MEMBER, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "admin role"));
	ck_assert_int_eq(rule_member_admin(&admin, false, ROLE_ADMIN, &err),
	                 INV_FORBIDDEN);
	ck_assert_ptr_nonnull(strstr(err.msg, "no longer a member"));
}
END_TEST

START_TEST(the_lifecycle_rule_alone)
{
	/* [op][life], whoever asks */
	static const bool allows[RULE__COUNT][LIFE__COUNT] = {
		[RULE_EDIT] = {true, true, false},
		[RULE_ARCHIVE] = {true, false, false},
		[RULE_RESTORE] = {false, true, true},
		[RULE_DELETE] = {true, true, false},
		[RULE_REVERT] = {true, true, false},
		[RULE_DRIFT] = {true, true, false},
	};

	for (int op = 0; op < RULE__COUNT; op++)
		for (int life = 0; life < LIFE__COUNT; life++)
			ck_assert_msg(rule_life_allows((enum rule_op)op,
			                               (enum inv_life)life) ==
			                      allows[op][life],
			              "op %d life %d", op, life);
}
END_TEST

START_TEST(the_role_rule_alone)
{
	struct identity member = who_as(ROLE_MEMBER, 1);
	struct identity admin = who_as(ROLE_ADMIN, 1);

	ck_assert(!rule_role_allows(RULE_DELETE, LIFE_ACTIVE, &member, 0));
	ck_assert(rule_role_allows(RULE_DELETE, LIFE_ACTIVE, &admin, 0));
	ck_assert(rule_role_allows(RULE_RESTORE, LIFE_ARCHIVED, &member, 0));
	ck_assert(!rule_role_allows(RULE_RESTORE, LIFE_DELETED, &member, 0));
	ck_assert(rule_role_allows(RULE_EDIT, LIFE_ACTIVE, &member, 0));
	ck_assert(!rule_role_allows(RULE_EDIT, LIFE_ACTIVE, &member,
	                            WRITE_OVERWRITE));
	ck_assert(rule_role_allows(RULE_EDIT, LIFE_ACTIVE, &admin,
	                           WRITE_OVERWRITE));
	ck_assert(rule_role_allows(RULE_ARCHIVE, LIFE_ACTIVE, &member, 0));
	ck_assert(rule_role_allows(RULE_DRIFT, LIFE_ACTIVE, &member, 0));
}
END_TEST

/* The write guard's history rule: the newest audit row must end at the
 * invoice's version and be no purge. */
START_TEST(a_history_that_does_not_reach_the_version_is_damage)
{
	struct invoice cur = {.id = 7, .version = 4};
	struct inv_err err = {0};

	snprintf(cur.number, sizeof cur.number, "ACME-1007");
	ck_assert_int_eq(rule_history_tip(&cur, 4, false, &err), INV_OK);
	ck_assert_int_eq(rule_history_tip(&cur, 3, false, &err), INV_DAMAGED);
	ck_assert_str_eq(err.field, "history");
	ck_assert_ptr_nonnull(strstr(err.msg, "inved check"));
	ck_assert_ptr_nonnull(strstr(err.msg, "ACME-1007"));
	ck_assert_ptr_nonnull(strstr(err.msg, "ends at version 3"));
	ck_assert_int_eq(rule_history_tip(&cur, 5, false, &err), INV_DAMAGED);
	ck_assert_int_eq(rule_history_tip(&cur, 4, true, &err), INV_DAMAGED);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_cell_matches_the_table);
	tcase_add_test(tc, another_orgs_row_or_none_is_not_found);
	tcase_add_test(tc, the_read_rule_hides_deleted_rows_from_members_only);
	tcase_add_test(tc, refusals_say_which_check_refused);
	tcase_add_test(tc, the_all_view_is_for_admins);
	tcase_add_test(tc, managing_members_is_for_a_current_admin);
	tcase_add_test(tc, the_lifecycle_rule_alone);
	tcase_add_test(tc, the_role_rule_alone);
	tcase_add_test(tc, a_history_that_does_not_reach_the_version_is_damage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
