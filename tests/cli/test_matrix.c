/*
 * test_matrix.c - the role and tenancy matrix of SPEC 3 through the
 * command line: every action (edit, edit --overwrite, archive, restore,
 * delete, show) x role (bob, member of acme; alice, its admin) x own org or
 * another's (a globex invoice, by id) x lifecycle state (active, archived,
 * deleted), at the current version and at a stale one.  Each cell runs the
 * real binary and asserts the exit code and the JSON error of SPEC 5; a
 * refused cell leaves every table as it was, a conflict carries the row as
 * it is.  The expected outcomes are those of tests/store/test_matrix.c,
 * which proves the same matrix through the core.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "store.h"

enum action { A_EDIT, A_OVERWRITE, A_ARCHIVE, A_RESTORE, A_DELETE, A_SHOW,
              A__N };
static const char *const action_name[A__N] = {"edit", "overwrite", "archive",
                                              "restore", "delete", "show"};
static const char *const life_name[LIFE__COUNT] = {"active", "archived",
                                                   "deleted"};

/* A caller of the row's own org at the current version: lifecycle, then
 * role, then version (SPEC 3). */
static enum inv_rc expect_current(enum action a, enum inv_life life,
                                  enum inv_role role)
{
	bool admin = role == ROLE_ADMIN;

	/* A member never reads a deleted invoice, not even through a
	 * refusal that would carry the row: to them it is not there. */
	if (life == LIFE_DELETED && !admin)
		return INV_NOT_FOUND;
	switch (a) {
	case A_EDIT:
		return life == LIFE_DELETED ? INV_NOT_FOUND : INV_OK;
	case A_OVERWRITE:
		if (life == LIFE_DELETED)
			return INV_NOT_FOUND;
		return admin ? INV_OK : INV_FORBIDDEN;
	case A_ARCHIVE:
		return life == LIFE_ACTIVE ? INV_OK : INV_CONFLICT;
	case A_RESTORE:
		if (life == LIFE_ACTIVE)
			return INV_CONFLICT;
		if (life == LIFE_DELETED && !admin)
			return INV_FORBIDDEN;
		return INV_OK;
	case A_DELETE:
		if (life == LIFE_DELETED)
			return INV_CONFLICT;
		return admin ? INV_OK : INV_FORBIDDEN;
	case A_SHOW:
		return INV_OK; /* by id, deleted rows included */
	case A__N:
		break;
	}
	return INV_ERROR;
}

/* A stale version: what would have succeeded is a conflict, except the
 * admin's overwrite, which exists to skip that check. */
static enum inv_rc expect_stale(enum action a, enum inv_life life,
                                enum inv_role role)
{
	enum inv_rc rc = expect_current(a, life, role);

	if (rc == INV_OK && a != A_OVERWRITE)
		return INV_CONFLICT;
	return rc;
}

static struct store *st;
static struct identity alice, carol;

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

	want = other ? INV_NOT_FOUND
	       : stale ? expect_stale(a, life, role)
	               : expect_current(a, life, role);
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

	ck_assert_int_eq(store_open(fx_db, STORE_OPEN_EXISTING, 0, &st, &err),
	                 INV_OK);
	ck_assert_int_eq(store_identity(st, "alice", "acme", &alice, &err),
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
