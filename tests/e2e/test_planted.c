/*
 * test_planted.c - text another client planted in the database (the
 * sqlite3 shell, or on PostgreSQL psql as the superuser) is
 * shown on the screen as visible escapes and never takes effect (SPEC 7):
 * in the table, the Archived view, the edit form (which also refuses to
 * save it), the history panel and the inspector's audit tail.  The
 * terminal is libvterm's: an escape that reached it would clear the
 * screen, hide text or reverse the line instead of being read.  The last
 * tests show the screen's side of the read rule for deleted invoices.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "testdb.h"

/* ESC [ 2 J clears the screen; U+202E reverses what follows; CSI (U+009B)
 * 7m would reverse video; 0xFF is not UTF-8. */
#define CUSTOMER "A\x1b[2J\xe2\x80\xae" "B\xc2\x9b" "7m\xff"
#define CUSTOMER_SHOWN "A\\x1b[2J\\u202eB\\u009b7m\\xff"
/* Ten bytes: the history shows an entry's first ten as its date. */
#define AT "\x1b[2J\xe2\x80\xae" "202"
#define AT_SHOWN "\\x1b[2J\\u202e202"
#define ACTOR "mal\x1b[8m"      /* ESC [ 8 m hides what follows */
#define ACTOR_SHOWN "mal\\x1b[8m"
#define DETAIL "{\"customer\":{\"old\":\"X\xe2\x81\xa6\"," \
	"\"new\":\"Y\x1b[7m\"}}"
/* not valid JSON (a raw control character in a string): shown as stored,
 * every unsafe character as its escape */
#define DETAIL_SHOWN "\"old\":\"X\\u2066\",\"new\":\"Y\\x1b[7m\""
#define ARCHIVED "\x1b[2J\xe2\x80\xae" "2026-01-01"
#define ARCHIVED_SHOWN "\\x1b[2J\\u202e2"
/* PostgreSQL holds text as valid UTF-8 only, and its dates as dates: the
 * customer there is the same without the stray byte, and no date can be
 * planted (the audit's time is the server's, archived_at a timestamp) */
#define PG_CUSTOMER "A\x1b[2J\xe2\x80\xae" "B\xc2\x9b" "7m"
#define PG_CUSTOMER_SHOWN "A\\x1b[2J\\u202eB\\u009b7m"

static void plant_sql(sqlite3 *h, const char *sql, const char *a,
                      const char *b, const char *c)
{
	sqlite3_stmt *s = NULL;
	const char *v[3] = {a, b, c};
	int i;

	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(h));
	for (i = 0; i < 3; i++)
		if (v[i])
			sqlite3_bind_text(s, i + 1, v[i], (int)strlen(v[i]),
			                  SQLITE_STATIC);
	ck_assert_msg(sqlite3_step(s) == SQLITE_DONE, "%s: %s", sql,
	              sqlite3_errmsg(h));
	sqlite3_finalize(s);
}

/* As the sqlite3 shell or a script would: past the core, bytes as they
 * are. */
static void plant(void)
{
	sqlite3 *h = NULL;

	if (testdb_pg()) { /* as psql or a script would, the superuser */
		struct testdb_conn *c = testdb_su_connect(e2e.db);
		const char *cust[1] = {PG_CUSTOMER};
		const char *audit[2] = {ACTOR, DETAIL};

		testdb_conn_exec_params(c, "UPDATE invoices SET customer = $1 WHERE "
		                    "number = 'ACME-1002' AND deleted_at IS NULL",
		                 1, cust);
		testdb_conn_exec_params(c, "INSERT INTO audit (org_id, actor_user_id, "
		                    "actor, action, subject_id, from_version, "
		                    "to_version, detail) SELECT org_id, NULL, $1, "
		                    "'invoice.edit', id, version, version, $2 "
		                    "FROM invoices WHERE number = 'ACME-1002' "
		                    "AND deleted_at IS NULL", 2, audit);
		testdb_conn_close(c);
		return;
	}

	ck_assert_int_eq(sqlite3_open(e2e.db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 10000);
	plant_sql(h, "UPDATE invoices SET customer = ?1 WHERE number = "
	             "'ACME-1002' AND deleted_at IS NULL", CUSTOMER, NULL, NULL);
	plant_sql(h, "UPDATE invoices SET archived_at = ?1 WHERE number = "
	             "'ACME-1004'", ARCHIVED, NULL, NULL);
	/* the audit row on the invoice's history chain (schema 5), as a
	 * writer with every right puts it there: the trigger that refuses
	 * moving audit_tip without a claim set aside and put back */
	ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	                 SQLITE_OK);
	plant_sql(h, "INSERT INTO audit (at, org_id, actor_user_id, actor, "
	             "action, subject_id, from_version, to_version, detail, "
	             "prev_seq) "
	             "SELECT ?1, org_id, NULL, ?2, 'invoice.edit', id, version, "
	             "version, ?3, audit_tip FROM invoices WHERE number = "
	             "'ACME-1002' AND deleted_at IS NULL", AT, ACTOR, DETAIL);
	{
		sqlite3_stmt *s = NULL;
		char *trigger;

		ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT sql FROM "
			"sqlite_schema WHERE name = 'invoices_after_update'", -1,
			&s, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		trigger = strdup((const char *)sqlite3_column_text(s, 0));
		ck_assert_ptr_nonnull(trigger);
		sqlite3_finalize(s);
		ck_assert_int_eq(sqlite3_exec(h, "DROP TRIGGER "
			"invoices_after_update; UPDATE invoices SET audit_tip = "
			"(SELECT max(seq) FROM audit) WHERE number = 'ACME-1002' "
			"AND deleted_at IS NULL", NULL, NULL, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_exec(h, trigger, NULL, NULL, NULL),
		                 SQLITE_OK);
		free(trigger);
	}
	ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
}

/* Nothing planted arrived raw, and no escape took effect: the identity
 * line is still where it was drawn, not cleared or reversed. */
static void screen_untouched(struct pty *p)
{
	char *screen = pty_screen_text(p);

	ck_assert_ptr_nonnull(screen);
	ck_assert_msg(strstr(screen, "\xe2\x80\xae") == NULL &&
	              strstr(screen, "\xe2\x81\xa6") == NULL &&
	              strstr(screen, "\xc2\x9b") == NULL,
	              "a bidi or C1 character reached the screen:\n%s", screen);
	free(screen);
	ck_assert_msg(strncmp(e2e_row(p, 0), " inved  alice @ acme", 20) == 0,
	              "the identity line is gone: %s", e2e_row(p, 0));
	ck_assert(!pty_cell_reverse(p, 0, 1));
}

START_TEST(planted_text_is_shown_visibly_in_every_screen)
{
	bool pg = testdb_pg();
	const char *customer = pg ? PG_CUSTOMER : CUSTOMER;
	const char *shown = pg ? PG_CUSTOMER_SHOWN : CUSTOMER_SHOWN;
	struct pty *p;
	struct invoice before;

	plant();
	before = e2e_invoice("ACME-1002");
	p = e2e_open("alice", NULL);
	/* the table */
	SEE(p, shown);
	screen_untouched(p);
	ROW_HAS(p, shown, "ACME-1002");
	if (!pg) {
		/* the Archived view, its date column */
		SEND(p, "2");
		SEE(p, ARCHIVED_SHOWN);
		screen_untouched(p);
		SEND(p, "1");
		/* the archived invoice's date leaves with the Archived
		 * view: only then is the selection on the Active view's
		 * rows */
		LOSE(p, ARCHIVED_SHOWN);
		SEE(p, shown);
	}
	/* the history panel */
	e2e_select(p, shown);
	SEND(p, "h");
	if (!pg)
		SEE(p, AT_SHOWN);
	SEE(p, ACTOR_SHOWN);
	SEE(p, DETAIL_SHOWN);
	screen_untouched(p);
	SEND(p, PTY_KEY_ESC);
	LOSE(p, ACTOR_SHOWN);
	/* the inspector's audit tail */
	SEND(p, "i");
	SEE(p, ACTOR_SHOWN);
	screen_untouched(p);
	SEND(p, PTY_KEY_ESC);
	LOSE(p, ACTOR_SHOWN);
	/* the form shows it as escapes too, and will not save it */
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	SEE_FIELD(p, "Customer", shown);
	screen_untouched(p);
	SEND(p, PTY_KEY_F2);
	/* the text came back as it was: the stray byte, or on PostgreSQL
	 * (no such byte) the escape character */
	SEE(p, pg ? "cannot contain control characters" : "not valid UTF-8");
	NOT_SHOWN(p, "Invoice saved.");
	ck_assert_int_eq(e2e_invoice_id(before.id).version, before.version);
	ck_assert_str_eq(e2e_invoice_id(before.id).customer, customer);
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

/* SPEC 3.1 and the read rule: on the screen too a member never reads a
 * deleted invoice (--open by its id finds nothing), while an admin does
 * (and is told it cannot be edited). */
START_TEST(screen_hides_a_deleted_invoice_from_a_member_only)
{
	struct invoice gone = e2e_invoice("ACME-1002");
	struct write_result res;
	struct inv_err err;
	char id[32], notfound[64];
	const char *args[] = {"--open", id, NULL};
	struct pty *p;

	ck_assert_int_eq(store_delete(e2e.st, &e2e.alice, gone.id, gone.version,
	                              &res, &err), INV_OK);
	snprintf(id, sizeof id, "%lld", (long long)gone.id);
	snprintf(notfound, sizeof notfound, "invoice %s not found", id);
	p = e2e_open("bob", args);
	SEE(p, notfound);
	NOT_SHOWN(p, "Edit ACME-1002");
	e2e_quit(p);
	p = e2e_open("alice", args);
	SEE(p, "A deleted invoice cannot be edited.");
	e2e_quit(p);
}
END_TEST

/* A member's open form learns that the invoice was deleted elsewhere,
 * without reading the deleted row. */
START_TEST(member_form_says_when_its_invoice_is_deleted_elsewhere)
{
	struct pty *p = e2e_open("bob", NULL);
	struct invoice row = e2e_invoice("ACME-1002");
	struct write_result res;
	struct inv_err err;

	e2e_select(p, "ACME-1002");
	SEND(p, "\r");
	SEE(p, "Edit ACME-1002");
	ck_assert_int_eq(store_delete(e2e.st, &e2e.alice, row.id, row.version,
	                              &res, &err), INV_OK);
	SEE(p, "ACME-1002 was deleted elsewhere; your edits stay as a draft.");
	SEND(p, PTY_KEY_ESC);
	LOSE(p, "Edit ACME-1002");
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_planted(void)
{
	TCase *tc = tcase_create("planted");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc, planted_text_is_shown_visibly_in_every_screen);
	tcase_add_test(tc, screen_hides_a_deleted_invoice_from_a_member_only);
	tcase_add_test(tc, member_form_says_when_its_invoice_is_deleted_elsewhere);
	return tc;
}
