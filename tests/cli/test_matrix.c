/*
 * test_matrix.c - the role and tenancy matrix of SPEC 3 through the
 * command line: every action (edit, edit --overwrite, archive, restore,
 * delete, show) x role (bob, member of acme; alice, its admin) x own org or
 * another's (a globex invoice, by id) x lifecycle state (active, archived,
 * deleted), at the current version and at a stale one.  Each cell runs the
 * real binary and asserts the exit code and the JSON error of SPEC 5; a
 * refused cell leaves every table as it was, a conflict carries the row as
 * it is.  The expected outcomes are the core's rules (rules.h), whose
 * unit test spells the table out; tests/store/test_matrix.c proves the
 * same matrix through the core.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "rules.h"
#include "store.h"

enum action { A_EDIT, A_OVERWRITE, A_ARCHIVE, A_RESTORE, A_DELETE, A_SHOW,
              A__N };
static const char *const action_name[A__N] = {"edit", "overwrite", "archive",
                                              "restore", "delete", "show"};
static const char *const life_name[LIFE__COUNT] = {"active", "archived",
                                                   "deleted"};

static struct store *st;
static struct identity alice, bob, carol;

/* The expected outcome is the core's rule (rules.h, whose own test spells
 * the table out): the row as the store holds it, asked for by who at the
 * version the cell sends.  Show reads by the read rule. */
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

	if (a == A_SHOW)
		return rule_read(row, who, row->id, NULL);
	return rule_check(op[a], row, who, version,
	                  a == A_OVERWRITE ? WRITE_OVERWRITE : 0, NULL);
}


/* A fresh invoice of who's org in the given state, at version 2 or more
 * (so that a stale version, one below, is still a valid number). */
static struct invoice make_row(const struct identity *who,
                               enum inv_life life, int n)
{
	struct invoice_input in = {.customer = "Matrix", .total = "1.00"};
	struct invoice_input bump = {.status = "sent"};
	struct write_result res;
	struct inv_err err;
	char token[32];

	snprintf(token, sizeof token, "cli-matrix-%d", n);
	ck_assert_int_eq(store_create(st, who, token, NULL, &in, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(store_edit(st, who, res.row.id, res.row.version, &bump,
	                            0, &res, &err), INV_OK);
	if (life == LIFE_ARCHIVED)
		ck_assert_int_eq(store_archive(st, who, res.row.id,
		                               res.row.version, &res, &err),
		                 INV_OK);
	if (life == LIFE_DELETED)
		ck_assert_int_eq(store_delete(st, who, res.row.id,
		                              res.row.version, &res, &err),
		                 INV_OK);
	return res.row;
}

/* The command line for one cell, --json included. */
static void cell_args(enum action a, const char *id, const char *version,
                      const char **args)
{
	size_t n = 0;

	args[n++] = a == A_OVERWRITE ? "edit" : action_name[a];
	args[n++] = id;
	args[n++] = "--json";
	if (a != A_SHOW) {
		args[n++] = "--version";
		args[n++] = version;
	}
	if (a == A_EDIT || a == A_OVERWRITE) {
		args[n++] = "--customer";
		args[n++] = "Matrix changed";
	}
	if (a == A_OVERWRITE)
		args[n++] = "--overwrite";
	args[n] = NULL;
}

static void check_cell(enum action a, int life, int role, int other,
                       int stale, int *cell)
{
	const char *user = role ? "alice" : "bob";
	struct invoice row = make_row(other ? &carol : &alice,
	                              (enum inv_life)life, (*cell)++);
	char id[32], version[32], what[160];
	char *before = fx_dump(fx_db), *after;
	const char *args[12];
	enum inv_rc want;
	struct jv *v;
	struct run r;

	want = expect(a, &row, role ? &alice : &bob,
	              stale ? row.version - 1 : row.version);
	snprintf(id, sizeof id, "%" PRId64, row.id);
	snprintf(version, sizeof version, "%" PRId64,
	         stale ? row.version - 1 : row.version);
	snprintf(what, sizeof what,
	         "%s on a%s %s invoice of %s org by %s at %s version",
	         action_name[a], life == LIFE_ACTIVE ? "n" : "", life_name[life],
	         other ? "another" : "its", user,
	         stale ? "a stale" : "the current");
	cell_args(a, id, version, args);
	r = fx_run(NULL, user, args);
	ck_assert_msg(r.code == inv_rc_exit_code(want),
	              "%s: exit %d, want %d (%s)\n%s%s", what, r.code,
	              inv_rc_exit_code(want), inv_rc_name(want), r.out, r.err);
	v = fx_json(r, inv_rc_exit_code(want));
	after = fx_dump(fx_db);
	if (want == INV_OK) {
		struct jv *inv = jv_get(v, "invoice");

		ck_assert_msg(inv != NULL, "%s: no invoice", what);
		ck_assert_int_eq(fx_jint(inv, "id"), row.id);
		ck_assert_int_eq(fx_jint(inv, "version"),
		                 a == A_SHOW ? row.version : row.version + 1);
		if (a == A_SHOW)
			ck_assert_str_eq(before, after);
		else
			ck_assert_msg(strcmp(before, after) != 0,
			              "%s: reported saved, nothing written", what);
	} else {
		ck_assert_msg(strcmp(fx_jstr(v, "error"), inv_rc_name(want)) == 0,
		              "%s: error %s, want %s", what, fx_jstr(v, "error"),
		              inv_rc_name(want));
		ck_assert_msg(strcmp(before, after) == 0,
		              "%s: refused, yet the database changed", what);
		if (want == INV_CONFLICT) {
			struct jv *cur = jv_get(v, "current");

			ck_assert_msg(cur && cur->type == JV_OBJECT,
			              "%s: a conflict without the current row", what);
			ck_assert_int_eq(fx_jint(cur, "id"), row.id);
			ck_assert_int_eq(fx_jint(cur, "version"), row.version);
			ck_assert_str_eq(fx_jstr(cur, "lifecycle"), life_name[life]);
		} else {
			/* Nothing of another org's row may leak. */
			ck_assert_ptr_null(jv_get(v, "current"));
		}
	}
	jv_free(v);
	free(before);
	free(after);
}

START_TEST(every_cell_of_the_role_and_tenancy_matrix_through_the_binary)
{
	struct inv_err err;
	int cell = 0, a, life, role, other, stale;

	ck_assert_int_eq(store_open(fx_db,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(st, "alice", "acme", &alice, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(st, "bob", "acme", &bob, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(st, "carol", "globex", &carol, &err),
	                 INV_OK);
	for (a = 0; a < A__N; a++)
	for (life = 0; life < LIFE__COUNT; life++)
	for (role = 0; role < 2; role++)
	for (other = 0; other < 2; other++)
	for (stale = 0; stale < (a == A_SHOW ? 1 : 2); stale++)
		check_cell((enum action)a, life, role, other, stale, &cell);
	store_close(st);
	printf("matrix: %d cells through the binary\n", cell);
	ck_assert_int_eq(cell, (A__N - 1) * LIFE__COUNT * 2 * 2 * 2 +
	                       LIFE__COUNT * 2 * 2);
}
END_TEST

static Suite *matrix_suite(void)
{
	Suite *s = suite_create("cli-matrix");
	TCase *tc = tcase_create("cells");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_cell_of_the_role_and_tenancy_matrix_through_the_binary);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_main(matrix_suite());
}
