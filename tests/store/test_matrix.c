/*
 * test_matrix.c - the role and tenancy matrix of SPEC 3 through the core:
 * every action x role (member, admin) x own org / other org x lifecycle
 * state, at the current version and at a stale one, asserting the exact
 * outcome of each cell and that a refused cell writes nothing.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rules.h"

enum action { A_EDIT, A_OVERWRITE, A_ARCHIVE, A_RESTORE, A_DELETE, A__N };
static const char *const action_name[A__N] = {"edit", "overwrite", "archive",
                                              "restore", "delete"};
static const char *const life_name[LIFE__COUNT] = {"active", "archived",
                                                   "deleted"};

/* The expected result is the core's rule (rules.h, whose unit test spells
 * the table out), asked with the row as the store holds it: tenancy,
 * lifecycle, role, version, in that order. */
static enum inv_rc expect(enum action a, const struct invoice *row,
                          const struct identity *who, int64_t version)
{
	static const enum rule_op op[A__N] = {
		[A_EDIT] = RULE_EDIT,
		[A_OVERWRITE] = RULE_EDIT,
		[A_ARCHIVE] = RULE_ARCHIVE,
		[A_RESTORE] = RULE_RESTORE,
		[A_DELETE] = RULE_DELETE,
	};

	return rule_check(op[a], row, who, version,
	                  a == A_OVERWRITE ? WRITE_OVERWRITE : 0, NULL);
}

static struct invoice make_row(struct fixture *fx, enum inv_life life, int n)
{
	struct invoice_input in = {.customer = "Matrix", .total = "1.00"};
	struct write_result res;
	struct inv_err err;
	char token[32];

	snprintf(token, sizeof token, "matrix-%d", n);
	ck_assert_int_eq(store_create(fx->st, &fx->alice, token, NULL, &in, &res,
	                              &err), INV_OK);
	if (life == LIFE_ARCHIVED)
		ck_assert_int_eq(store_archive(fx->st, &fx->alice, res.row.id,
		                               res.row.version, &res, &err),
		                 INV_OK);
	if (life == LIFE_DELETED)
		ck_assert_int_eq(store_delete(fx->st, &fx->alice, res.row.id,
		                              res.row.version, &res, &err),
		                 INV_OK);
	return res.row;
}

static enum inv_rc run_action(struct fixture *fx, enum action a,
                              const struct identity *who, int64_t id,
                              int64_t version, struct write_result *res,
                              struct inv_err *err)
{
	struct invoice_input in = {.customer = "Matrix changed"};

	switch (a) {
	case A_EDIT:
		return store_edit(fx->st, who, id, version, &in, 0, res, err);
	case A_OVERWRITE:
		return store_edit(fx->st, who, id, version, &in, WRITE_OVERWRITE,
		                  res, err);
	case A_ARCHIVE:
		return store_archive(fx->st, who, id, version, res, err);
	case A_RESTORE:
		return store_restore(fx->st, who, id, version, res, err);
	case A_DELETE:
		return store_delete(fx->st, who, id, version, res, err);
	case A__N:
		break;
	}
	return INV_ERROR;
}

START_TEST(every_cell_of_the_role_and_tenancy_matrix)
{
	struct fixture fx;
	int cell = 0, stale, a, life, role, other;

	fixture_setup(&fx);
	for (a = 0; a < A__N; a++)
	for (life = 0; life < LIFE__COUNT; life++)
	for (role = 0; role < 2; role++)
	for (other = 0; other < 2; other++)
	for (stale = 0; stale < 2; stale++) {
		const struct identity *who =
			other ? (role ? &fx.carol : &fx.dave)
			      : (role ? &fx.alice : &fx.bob);
		struct invoice row = make_row(&fx, (enum inv_life)life, cell++);
		struct invoice after;
		struct write_result res;
		struct inv_err err;
		long long audits = fixture_count(&fx, "SELECT count(*) FROM audit");
		enum inv_rc want, got;

		want = expect((enum action)a, &row, who,
		              stale ? row.version - 1 : row.version);
		got = run_action(&fx, (enum action)a, who, row.id,
		                 stale ? row.version - 1 : row.version, &res,
		                 &err);
		ck_assert_msg(got == want,
		              "%s on a %s row by %s of %s org at %s version: got "
		              "%s, want %s (%s)",
		              action_name[a], life_name[life],
		              role ? "admin" : "member", other ? "another" : "its",
		              stale ? "a stale" : "the current", inv_rc_name(got),
		              inv_rc_name(want), err.msg);
		ck_assert_int_eq(store_get(fx.st, &fx.alice, row.id, &after, &err),
		                 INV_OK);
		if (got == INV_OK) {
			ck_assert_int_eq(after.version, row.version + 1);
			ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM "
			                                    "audit"), audits + 1);
		} else {
			ck_assert_int_eq(after.version, row.version);
			ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM "
			                                    "audit"), audits);
			/* a conflict carries the row as it is now */
			if (got == INV_CONFLICT) {
				ck_assert(res.have_row);
				ck_assert_int_eq(res.row.version, row.version);
			}
		}
	}
	ck_assert_int_eq(cell, A__N * LIFE__COUNT * 2 * 2 * 2);
	fixture_teardown(&fx);
}
END_TEST

static Suite *matrix_suite(void)
{
	Suite *s = suite_create("matrix");
	TCase *tc = tcase_create("cells");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_cell_of_the_role_and_tenancy_matrix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(matrix_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
