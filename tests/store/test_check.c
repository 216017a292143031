/*
 * test_check.c - `inved check` and the write guard through the core: each
 * way of switching the discipline off from another SQLite connection (a
 * dropped or altered trigger, a dropped index, a planted trigger, a row
 * a claim no write filled, a deleted audit row, an altered feed view, a
 * float in a money column) is
 * found by store_check_run, and refused by every write; the repair puts
 * schema objects right and leaves history damage reported.
 * The tampering is done through a second connection while the store's own
 * connection stays open, as a screen's would for hours.
 *
 * On PostgreSQL the check is pgcheck.c's and the damage is planted in
 * PostgreSQL's SQL by the superuser (testdb_su_exec): a dropped or
 * re-pointed or disabled trigger, an altered trigger function, a dropped
 * index, a planted trigger, deleted audit rows, an unaudited edit, totals
 * that differ from a recount.  What is SQLite's own (the claim, REAL in an
 * integer column) runs on SQLite only, and so does what the PostgreSQL
 * backend does not do yet (each a KNOWN DIFFERENCE below).  The write
 * guard refuses on both; the owner's own tampering (a trigger switched
 * off, a function rewritten) is PostgreSQL's alone.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "testdb.h"

static struct fixture fx;
static struct check_report rep;

static void setup(void)
{
	fixture_setup(&fx);
}

static void teardown(void)
{
	fixture_teardown(&fx);
}

/* SQL run by another connection (the sqlite3 shell, a script). */
static void raw(const char *sql)
{
	if (testdb_pg()) {
		testdb_su_exec(fx.path, sql);
		return;
	}
	{
	sqlite3 *db = fixture_raw(&fx);
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		ck_abort_msg("raw SQL failed: %s\n%s", msg, sql);
	sqlite3_close(db);
	}
}

/* The damage in each engine's SQL (PostgreSQL: as the superuser). */
static void damage(const char *sqlite_sql, const char *pg_sql)
{
	raw(testdb_pg() ? pg_sql : sqlite_sql);
}

/* PostgreSQL's trigger that keeps the audit of an edit, as the schema
 * installs it. */
#define PG_AFTER_UPDATE "CREATE TRIGGER invoices_after_update AFTER UPDATE " \
	"ON invoices FOR EACH ROW EXECUTE FUNCTION inved_invoices_after_update()"
/* A trigger function that does nothing, for a planted trigger. */
#define PG_QUIET "CREATE FUNCTION quiet() RETURNS trigger LANGUAGE plpgsql " \
	"AS $$ BEGIN RETURN NULL; END $$;"

static char *object_sql(const char *name)
{
	sqlite3 *db = fixture_raw(&fx);
	sqlite3_stmt *s = NULL;
	char *sql = NULL;

	ck_assert_msg(!testdb_pg(), "no schema text on PostgreSQL");
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT sql FROM sqlite_schema WHERE name = ?1", -1, &s, NULL),
		SQLITE_OK);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		sql = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_ptr_nonnull(sql);
	return sql;
}

/* Change a table the way a determined writer would: whatever triggers
 * guard it are dropped for the moment and put back word for word, so the
 * schema ends as it was. */
static void table_tamper(const char *table, const char *sql)
{
	sqlite3 *db = fixture_raw(&fx);
	sqlite3_stmt *s = NULL;
	char *names[16], *sqls[16], drop[160];
	size_t n = 0, i;

	ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
		"AND tbl_name = ?1", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW && n < 16) {
		names[n] = strdup((const char *)sqlite3_column_text(s, 0));
		sqls[n] = strdup((const char *)sqlite3_column_text(s, 1));
		n++;
	}
	sqlite3_finalize(s);
	for (i = 0; i < n; i++) {
		snprintf(drop, sizeof drop, "DROP TRIGGER \"%s\"", names[i]);
		ck_assert_int_eq(sqlite3_exec(db, drop, NULL, NULL, NULL),
		                 SQLITE_OK);
	}
	ck_assert_int_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_changes(db), 1);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(sqlite3_exec(db, sqls[i], NULL, NULL, NULL),
		                 SQLITE_OK);
		free(names[i]);
		free(sqls[i]);
	}
	ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(db);
}

static void audit_tamper(const char *sql)
{
	table_tamper("audit", sql);
}

static void audit_row_delete(long long seq)
{
	char sql[160];

	if (testdb_pg()) {
		/* the superuser's session fires no trigger */
		snprintf(sql, sizeof sql, "BEGIN; SET LOCAL "
		         "session_replication_role = replica; DELETE FROM audit "
		         "WHERE seq = %lld; COMMIT", seq);
		raw(sql);
		return;
	}
	snprintf(sql, sizeof sql, "DELETE FROM audit WHERE seq = %lld", seq);
	audit_tamper(sql);
}

static void check_now(void)
{
	struct inv_err err;

	ck_assert_int_eq(store_check_run(fx.st, &fx.alice, &rep, &err), INV_OK);
}

/* The finding of this kind whose object contains `object`, or NULL. */
static const struct check_finding *found(enum check_kind kind,
                                         const char *object)
{
	size_t i;

	for (i = 0; i < rep.n; i++)
		if (rep.f[i].kind == kind && strstr(rep.f[i].object, object))
			return &rep.f[i];
	return NULL;
}

static void expect_found(enum check_kind kind, const char *object)
{
	size_t i;

	if (found(kind, object))
		return;
	for (i = 0; i < rep.n; i++)
		fprintf(stderr, "  finding: [%s] %s: %s\n",
		        check_kind_name(rep.f[i].kind), rep.f[i].object,
		        rep.f[i].msg);
	ck_abort_msg("no %s finding for %s", check_kind_name(kind), object);
}

/* An edit of ACME-1002 by alice at its current version: the result, with
 * nothing written when it is refused. */
static enum inv_rc edit_1002(struct inv_err *err)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	static int serial;
	char name[32];
	struct invoice_input in = {.customer = name};
	struct write_result res;
	long long audits = fixture_count(&fx, "SELECT count(*) FROM audit");
	enum inv_rc rc;

	snprintf(name, sizeof name, "Guarded %d GmbH", ++serial);
	rc = store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, err);

	if (rc != INV_OK) {
		ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
		                 audits);
		ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version,
		                 inv.version);
	}
	return rc;
}

static void expect_refused(void)
{
	struct inv_err err;

	ck_assert_int_eq(edit_1002(&err), INV_DAMAGED);
	ck_assert_msg(strstr(err.msg, "inved check") != NULL, "%s", err.msg);
}

/* ---- an intact file ------------------------------------------------------ */

START_TEST(intact_demo_passes_the_check)
{
	struct inv_err err;

	check_now();
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(store_check(fx.st, &err), INV_OK);
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	check_now();
	ck_assert_uint_eq(rep.n, 0);
}
END_TEST

/* Whitespace, comments and letter case are not a difference. */
START_TEST(respelt_trigger_is_not_a_finding)
{
	char *sql, *p, *again;
	size_t j = 0;

	if (testdb_pg()) {
		/* the trigger function's body made again with its white space
		 * respelt */
		raw("DO $do$ DECLARE src text; BEGIN SELECT prosrc INTO src "
		    "FROM pg_proc WHERE proname = 'inved_invoices_after_update'; "
		    "EXECUTE format('CREATE OR REPLACE FUNCTION "
		    "inved_invoices_after_update() RETURNS trigger LANGUAGE "
		    "plpgsql SECURITY DEFINER SET search_path = public, pg_temp "
		    "AS %L', replace(replace(src, E'\\n', E'\\n    '), E'\\t', "
		    "'  ')); END $do$");
		ck_assert_int_eq(testdb_su_count(fx.path, "SELECT count(*) FROM "
			"pg_proc WHERE proname = 'inved_invoices_after_update' "
			"AND prosrc LIKE '%' || E'\\n    ' || '%'"), 1);
		check_now();
		ck_assert_uint_eq(rep.n, 0);
		return;
	}
	sql = object_sql("invoices_after_update_totals");
	again = malloc(strlen(sql) * 2 + 64);

	ck_assert(strncmp(sql, "CREATE TRIGGER ", 15) == 0);
	memcpy(again, "create   trigger ", 17);
	j = 17;
	for (p = sql + 15; *p; p++) {
		if (*p == '\n') {
			memcpy(again + j, "  -- respelt\n", 13);
			j += 13;
			continue;
		}
		again[j++] = *p;
	}
	again[j] = '\0';
	raw("DROP TRIGGER invoices_after_update_totals");
	raw(again);
	check_now();
	ck_assert_uint_eq(rep.n, 0);
	free(sql);
	free(again);
}
END_TEST

/* ---- each tampering: found and refused ----------------------------------- */

START_TEST(dropped_update_trigger_is_found_and_refused)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct write_result res;
	struct inv_err err;

	damage("DROP TRIGGER invoices_after_update",
	       "DROP TRIGGER invoices_after_update ON invoices");
	/* A foreign edit that forgets the version: with the trigger gone it
	 * no longer moves it, so a stale save would slip through. */
	raw("UPDATE invoices SET customer = 'Peer AG' WHERE number = "
	    "'ACME-1002' AND deleted_at IS NULL");
	check_now();
	expect_found(CHECK_SCHEMA_MISSING, "trigger invoices_after_update");
	ck_assert(found(CHECK_SCHEMA_MISSING, "invoices_after_update")
	          ->repairable);
	ck_assert_int_eq(store_archive(fx.st, &fx.alice, inv.id,
	                               inv.version, &res, &err),
	                 INV_DAMAGED);
	expect_refused();
}
END_TEST

START_TEST(altered_trigger_is_found_and_refused)
{
	/* Same name, the audit insert gone (PostgreSQL: the trigger runs a
	 * function of someone else's) */
	damage("DROP TRIGGER invoices_after_update;"
	       "CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices "
	       "BEGIN UPDATE invoices SET version = OLD.version + 1 "
	       "WHERE id = NEW.id AND NEW.version <= OLD.version; END;",
	       PG_QUIET "DROP TRIGGER invoices_after_update ON invoices;"
	       "CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices "
	       "FOR EACH ROW EXECUTE FUNCTION quiet()");
	check_now();
	expect_found(CHECK_SCHEMA_ALTERED, "trigger invoices_after_update");
	ck_assert(!found(CHECK_SCHEMA_MISSING, "invoices_after_update"));
	expect_refused();
}
END_TEST

/* PostgreSQL: the trigger's function rewritten (the audit insert gone),
 * or the trigger switched off by the table's owner (psql as the owner
 * role), is found, and the repair puts it back. */
START_TEST(altered_trigger_function_or_disabled_trigger_is_found)
{
	struct inv_err err;

	raw("CREATE OR REPLACE FUNCTION inved_invoices_after_update() RETURNS "
	    "trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = "
	    "public, pg_temp AS $$ BEGIN RETURN NULL; END $$");
	testdb_owner_exec(fx.path, "ALTER TABLE invoices DISABLE TRIGGER "
	                           "invoices_after_insert");
	check_now();
	expect_found(CHECK_SCHEMA_ALTERED, "function inved_invoices_after_update");
	expect_found(CHECK_SCHEMA_ALTERED, "trigger invoices_after_insert");
	ck_assert(found(CHECK_SCHEMA_ALTERED, "trigger invoices_after_insert")
	          ->repairable);
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	ck_assert_msg(rep.n == 0, "left: %s", rep.n ? rep.f[0].msg : "");
	ck_assert_uint_eq(rep.nrepaired, 2);
	ck_assert_int_eq(testdb_su_count(fx.path, "SELECT count(*) FROM "
		"pg_trigger WHERE tgname = 'invoices_after_insert' AND "
		"tgenabled = 'O'"), 1);
	ck_assert_int_eq(edit_1002(&err), INV_OK);
}
END_TEST

START_TEST(dropped_partial_unique_index_is_found_and_create_refused)
{
	struct invoice_input in = {.customer = "Twice", .total = "1"};
	struct write_result res;
	struct inv_err err;

	raw("DROP INDEX invoices_live_number");
	check_now();
	expect_found(CHECK_SCHEMA_MISSING, "index invoices_live_number");
	/* refused by the guard, before inved's own look for the live
	 * holder of the number */
	ck_assert_int_eq(store_create(fx.st, &fx.alice, "tok-1", "ACME-1001",
	                              &in, &res, &err),
	                 INV_DAMAGED);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices "
		"WHERE number = 'ACME-1001' AND deleted_at IS NULL"), 1);
}
END_TEST

/* The change feed is the audit read through the view changes and the index
 * audit_org: a view that shows other rows, or the index gone (every screen's
 * feed read would scan the audit), is what a feed that disagrees with the
 * audit has become; both are found and refused, and the repair puts them
 * back. */
START_TEST(altered_feed_view_or_dropped_feed_index_is_found_and_refused)
{
	struct inv_err err;

	/* KNOWN DIFFERENCE: the PostgreSQL check does not look at views;
	 * there only the index is tampered with */
	if (!testdb_pg())
		raw("DROP VIEW changes;"
		    "CREATE VIEW changes (seq, at, org_id, invoice_id, action) AS "
		    "SELECT seq, at, org_id, subject_id, action FROM audit "
		    "WHERE actor <> 'external'");
	raw("DROP INDEX audit_org");
	check_now();
	if (!testdb_pg())
		expect_found(CHECK_SCHEMA_ALTERED, "view changes");
	expect_found(CHECK_SCHEMA_MISSING, "index audit_org");
	expect_refused();
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	check_now();
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(edit_1002(&err), INV_OK);
}
END_TEST

/* A writer names itself in the audit row of its write (a claim, filled by
 * the triggers).  A claim planted with no write behind it names no one for
 * the next writer of another invoice, which is recorded as external, and
 * inved's own next write appends a claim of its own after it; the check
 * reports the empty claim as history damage. */
START_TEST(unfilled_claim_is_found_and_names_no_later_writer)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	char sql[400];
	struct inv_err err;

	snprintf(sql, sizeof sql, "INSERT INTO audit (at, org_id, "
		"actor_user_id, actor, action, subject_id, from_version, "
		"to_version, detail) VALUES ('now', %lld, %lld, 'alice', "
		"'invoice.edit', %lld, %lld, %lld, '')",
		(long long)inv.org_id, (long long)fx.alice.user_id,
		(long long)inv.id, (long long)inv.version,
		(long long)inv.version + 1);
	raw(sql);
	raw("UPDATE invoices SET customer = 'Shell AG' WHERE number = "
	    "'ACME-1003' AND deleted_at IS NULL");
	ck_assert_int_eq(fixture_count(&fx, "SELECT actor = 'external' FROM "
		"audit ORDER BY seq DESC LIMIT 1"), 1);
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert(strstr(found(CHECK_HISTORY, "ACME-1002")->msg, "claim"));
	ck_assert(!found(CHECK_HISTORY, "ACME-1002")->repairable);
	/* writes go on, each under its own name */
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit "
		"WHERE detail = ''"), 1);
	ck_assert_int_eq(fixture_count(&fx, "SELECT actor = 'alice' AND "
		"detail LIKE '%Guarded%' FROM audit ORDER BY seq DESC LIMIT 1"), 1);
}
END_TEST

START_TEST(planted_audit_trigger_is_found_and_refused)
{
	long long audits = fixture_count(&fx, "SELECT count(*) FROM audit");

	damage("CREATE TRIGGER audit_shredder AFTER INSERT ON audit "
	       "WHEN NEW.actor = 'alice' BEGIN SELECT 1; END",
	       PG_QUIET "CREATE TRIGGER audit_shredder AFTER INSERT ON audit "
	       "FOR EACH ROW WHEN (NEW.actor = 'alice') EXECUTE FUNCTION "
	       "quiet()");
	check_now();
	expect_found(CHECK_SCHEMA_EXTRA, "trigger audit_shredder");
	expect_refused();
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits);
}
END_TEST

START_TEST(deleted_audit_row_breaks_the_history)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input a = {.customer = "First"}, b = {.customer = "Second"};
	struct write_result res;
	struct inv_err err;
	long long seq;

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &a,
	                            0, &res, &err), INV_OK);
	seq = res.audit_seq;
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, res.row.version,
	                            &b, 0, &res, &err), INV_OK);
	check_now();
	ck_assert_uint_eq(rep.n, 0);
	audit_row_delete(seq);
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert(strstr(found(CHECK_HISTORY, "ACME-1002")->msg, "jumps"));
	/* the feed is the audit: it lost the row with it, nothing to disagree */
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM changes"),
	                 fixture_count(&fx, "SELECT count(*) FROM audit"));
	ck_assert(!found(CHECK_HISTORY, "ACME-1002")->repairable);
	/* a gap in the middle is for the check to find; writes go on */
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	/* the newest row gone: the history no longer reaches the version,
	 * which the next write of that invoice sees too */
	audit_row_delete(fixture_count(&fx, "SELECT max(seq) FROM audit"));
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert_int_eq(edit_1002(&err), INV_DAMAGED);
	ck_assert_str_eq(err.field, "history");
	ck_assert_msg(strstr(err.msg, "inved check") != NULL, "%s",
	              err.msg);
}
END_TEST

START_TEST(edit_while_trigger_was_off_breaks_the_history)
{
	char *sql = testdb_pg() ? strdup(PG_AFTER_UPDATE)
	                        : object_sql("invoices_after_update");
	struct write_result res;
	struct invoice inv;
	struct inv_err err;

	damage("DROP TRIGGER invoices_after_update",
	       "DROP TRIGGER invoices_after_update ON invoices");
	raw("UPDATE invoices SET customer = 'Unaudited', version = version + 1 "
	    "WHERE number = 'ACME-1003'");
	raw(sql); /* put back: the schema is intact again */
	check_now();
	ck_assert(!found(CHECK_SCHEMA_MISSING, "invoices_after_update"));
	expect_found(CHECK_HISTORY, "ACME-1003");
	/* and the unaudited invoice is not written on */
	inv = fixture_find(&fx, &fx.alice, "ACME-1003");
	ck_assert_int_eq(store_archive(fx.st, &fx.alice, inv.id,
	                               inv.version, &res, &err),
	                 INV_DAMAGED);
	ck_assert_str_eq(err.field, "history");
	free(sql);
}
END_TEST

START_TEST(old_values_must_follow_the_previous_new_ones)
{
	/* A forged audit row whose "old" customer is not what the history
	 * left: versions chain, values do not. */
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	char sql[600];

	snprintf(sql, sizeof sql,
	         "UPDATE invoices SET customer = 'Real' WHERE id = %lld",
	         (long long)inv.id);
	raw(sql);
	check_now();
	ck_assert_uint_eq(rep.n, 0);
	/* rewrite the newest row's detail to claim another old value */
	snprintf(sql, sizeof sql,
	         "UPDATE audit SET detail = json_object('customer', "
	         "json_object('old', 'Forged', 'new', 'Real')) WHERE seq = "
	         "(SELECT max(seq) FROM audit WHERE subject_id = %lld)",
	         (long long)inv.id);
	audit_tamper(sql);
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert(strstr(found(CHECK_HISTORY, "ACME-1002")->msg, "'Forged'"));
}
END_TEST

/* The check is of the whole file, but another org's invoices are named
 * by id only. */
START_TEST(other_orgs_invoices_are_named_by_id_only)
{
	struct inv_err err;
	size_t i;

	damage("DROP TRIGGER invoices_after_update;"
	       "UPDATE invoices SET customer = 'Quiet', version = version + 1 "
	       "WHERE number = 'ACME-1003';",
	       "DROP TRIGGER invoices_after_update ON invoices;"
	       "UPDATE invoices SET customer = 'Quiet', version = version + 1 "
	       "WHERE number = 'ACME-1003';");
	ck_assert_int_eq(store_check_run(fx.st, &fx.carol, &rep, &err), INV_OK);
	/* (on PostgreSQL row security shows carol no invoice of acme at
	 * all: the schema finding alone) */
	ck_assert_uint_gt(rep.n, testdb_pg() ? 0 : 1);
	for (i = 0; i < rep.n; i++) {
		ck_assert_msg(!strstr(rep.f[i].msg, "ACME-"), "%s", rep.f[i].msg);
		ck_assert_msg(!strstr(rep.f[i].object, "ACME-"), "%s",
		              rep.f[i].object);
	}
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1003");
}
END_TEST

START_TEST(float_in_money_columns_is_found)
{
	raw("PRAGMA ignore_check_constraints = ON;"
	    "UPDATE totals SET total_minor = total_minor + 0.5 "
	    "WHERE org_id = 2 AND state = 'active';");
	check_now();
	expect_found(CHECK_TYPE, "totals.total_minor");
	ck_assert(!found(CHECK_TYPE, "invoices.total_minor"));
	/* the schema's guards refuse a REAL even with checks off: a writer
	 * who lifts them for the moment */
	table_tamper("invoices", "PRAGMA ignore_check_constraints = ON;"
	             "UPDATE invoices SET total_minor = 12.5 "
	             "WHERE number = 'ACME-1003'");
	check_now();
	expect_found(CHECK_TYPE, "invoices.total_minor");
}
END_TEST

START_TEST(totals_differing_from_a_recount_are_found)
{
	raw("UPDATE totals SET count = count + 1 WHERE org_id = 1 "
	    "AND state = 'archived'");
	check_now();
	expect_found(CHECK_TOTALS, "totals acme");
}
END_TEST

START_TEST(altered_table_is_found_refused_and_not_rebuilt)
{
	struct inv_err err;

	raw("ALTER TABLE invoices ADD COLUMN note TEXT");
	check_now();
	expect_found(CHECK_SCHEMA_ALTERED, "table invoices");
	ck_assert(!found(CHECK_SCHEMA_ALTERED, "table invoices")->repairable);
	expect_refused();
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	expect_found(CHECK_SCHEMA_ALTERED, "table invoices");
}
END_TEST

/* Someone's own table, with its index and trigger, cannot change a write
 * to the invoices: no finding, no refusal.  An index of theirs on one of
 * inved's tables is another matter. */
START_TEST(own_tables_are_left_alone_but_not_indexes_on_ours)
{
	struct inv_err err;

	damage("CREATE TABLE scratch (a INTEGER, b TEXT);"
	       "CREATE INDEX scratch_b ON scratch(b);"
	       "CREATE TRIGGER scratch_log AFTER INSERT ON scratch "
	       "BEGIN SELECT 1; END;"
	       "CREATE VIEW scratch_view AS SELECT a FROM scratch;",
	       PG_QUIET "CREATE TABLE scratch (a integer, b text);"
	       "CREATE INDEX scratch_b ON scratch(b);"
	       "CREATE TRIGGER scratch_log AFTER INSERT ON scratch "
	       "FOR EACH ROW EXECUTE FUNCTION quiet();"
	       "CREATE VIEW scratch_view AS SELECT a FROM scratch;");
	check_now();
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	raw("CREATE INDEX invoices_by_customer ON invoices(customer)");
	check_now();
	expect_found(CHECK_SCHEMA_EXTRA, "index invoices_by_customer");
	expect_refused();
}
END_TEST

/* Every write path of the store refuses; drafts, an operator's unsaved
 * edits, are still kept. */
START_TEST(every_write_path_is_refused_but_drafts_are_kept)
{
	struct invoice act = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "New", .total = "1"};
	struct write_result res;
	struct draft cur, d;
	struct inv_err err;
	int64_t dv = 0;
	long long audits = fixture_count(&fx, "SELECT count(*) FROM audit");

	damage("DROP TRIGGER invoices_after_update_totals",
	       "DROP TRIGGER invoices_after_update ON invoices");
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, act.id, act.version, &in,
	                            0, &res, &err), INV_DAMAGED);
	ck_assert_int_eq(store_archive(fx.st, &fx.alice, act.id, act.version,
	                               &res, &err), INV_DAMAGED);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, act.id, act.version,
	                              &res, &err), INV_DAMAGED);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, act.id, act.version,
	                               &res, &err), INV_DAMAGED);
	ck_assert_int_eq(store_create(fx.st, &fx.alice, "tok-2", NULL, &in,
	                              &res, &err), INV_DAMAGED);
	ck_assert_int_eq(store_drift(fx.st, &fx.alice, act.id, &res, &err),
	                 INV_DAMAGED);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits);
	memset(&d, 0, sizeof d);
	d.invoice_id = act.id;
	d.base_version = act.version;
	snprintf(d.body, sizeof d.body, "{\"customer\":\"x\"}");
	ck_assert_int_eq(store_draft_save(fx.st, &fx.alice, &d, 0, &dv, &cur,
	                                  &err), INV_OK);
	ck_assert_int_eq(dv, 1);
}
END_TEST

/* ---- a long-lived connection --------------------------------------------- */

START_TEST(open_store_notices_tampering_after_it_opened)
{
	char *sql = testdb_pg() ? strdup(PG_AFTER_UPDATE)
	                        : object_sql("invoices_after_update");
	struct inv_err err;

	/* The store has written (and verified) before the tampering. */
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	damage("DROP TRIGGER invoices_after_update",
	       "DROP TRIGGER invoices_after_update ON invoices");
	expect_refused();
	/* put back word for word: the schema moved again, the store
	 * verifies again, and writes work */
	raw(sql);
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	/* the same for a trigger swapped for another of the same name */
	damage("DROP TRIGGER invoices_after_update;"
	       "CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices "
	       "BEGIN SELECT 1; END;",
	       PG_QUIET "DROP TRIGGER invoices_after_update ON invoices;"
	       "CREATE TRIGGER invoices_after_update AFTER UPDATE ON invoices "
	       "FOR EACH ROW EXECUTE FUNCTION quiet()");
	expect_refused();
	free(sql);
}
END_TEST

/* PostgreSQL: what the owner of the schema can do from psql to a store
 * that has written (and verified) already.  Switching the audit's
 * trigger off (DISABLE, or ENABLE REPLICA, under which it fires only for
 * replication) or rewriting its function is refused by the next write,
 * nothing written, in the SQLite guard's words; switched on again, or
 * repaired, writes go on.  A change the check does not mind (a function's
 * cost) moves the catalog too: the guard verifies again and writes. */
START_TEST(owner_tampering_on_an_open_store_is_refused)
{
	struct inv_err err;
	long long audits;

	ck_assert_int_eq(edit_1002(&err), INV_OK);
	testdb_owner_exec(fx.path, "ALTER TABLE invoices DISABLE TRIGGER "
	                           "invoices_after_update");
	expect_refused();
	ck_assert_int_eq(edit_1002(&err), INV_DAMAGED);
	ck_assert_str_eq(err.field, "schema");
	ck_assert_msg(strstr(err.msg, "write refused — run `inved check`: "
	                              "the trigger invoices_after_update "
	                              "differs") == err.msg, "%s", err.msg);
	testdb_owner_exec(fx.path, "ALTER TABLE invoices ENABLE TRIGGER "
	                           "invoices_after_update");
	ck_assert_int_eq(edit_1002(&err), INV_OK);

	testdb_owner_exec(fx.path, "ALTER TABLE invoices ENABLE REPLICA "
	                           "TRIGGER invoices_after_update");
	expect_refused();
	testdb_owner_exec(fx.path, "ALTER TABLE invoices ENABLE TRIGGER "
	                           "invoices_after_update");
	ck_assert_int_eq(edit_1002(&err), INV_OK);

	testdb_owner_exec(fx.path, "CREATE OR REPLACE FUNCTION "
	    "inved_invoices_after_update() RETURNS trigger LANGUAGE plpgsql "
	    "SECURITY DEFINER SET search_path = public, pg_temp AS "
	    "$$ BEGIN RETURN NULL; END $$");
	expect_refused();
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(edit_1002(&err), INV_OK);

	testdb_owner_exec(fx.path, "ALTER FUNCTION "
	                           "inved_invoices_after_update() COST 101");
	audits = fixture_count(&fx, "SELECT count(*) FROM audit");
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits + 1);
}
END_TEST

/* ---- the repair ---------------------------------------------------------- */

START_TEST(repair_needs_an_admin_and_changes_nothing_otherwise)
{
	struct inv_err err;

	damage("DROP TRIGGER invoices_after_update;"
	       "DROP INDEX audit_org",
	       "DROP TRIGGER invoices_after_update ON invoices;"
	       "DROP INDEX audit_org");
	ck_assert_int_eq(store_check_repair(fx.st, &fx.bob, &rep, &err),
	                 INV_FORBIDDEN);
	check_now();
	expect_found(CHECK_SCHEMA_MISSING, "invoices_after_update");
	expect_found(CHECK_SCHEMA_MISSING, "audit_org");
}
END_TEST

START_TEST(repair_reinstalls_schema_and_writes_work)
{
	struct inv_err err;
	long long audits;

	/* (PostgreSQL: the view aside, a KNOWN DIFFERENCE above) */
	damage("DROP TRIGGER invoices_after_update;"
	       "DROP INDEX invoices_live_number;"
	       "DROP TRIGGER invoices_after_delete;"
	       "CREATE TRIGGER invoices_after_delete AFTER DELETE ON invoices "
	       "BEGIN SELECT 1; END;"
	       "CREATE TRIGGER audit_shredder AFTER INSERT ON audit "
	       "BEGIN DELETE FROM audit WHERE seq = NEW.seq; END;"
	       "DROP VIEW changes",
	       PG_QUIET "DROP TRIGGER invoices_after_update ON invoices;"
	       "DROP INDEX invoices_live_number;"
	       "DROP TRIGGER invoices_after_delete ON invoices;"
	       "CREATE TRIGGER invoices_after_delete AFTER DELETE ON invoices "
	       "FOR EACH ROW EXECUTE FUNCTION quiet();"
	       "CREATE TRIGGER audit_shredder AFTER INSERT ON audit "
	       "FOR EACH ROW EXECUTE FUNCTION quiet()");
	expect_refused();
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	ck_assert_msg(rep.n == 0, "left: %s", rep.n ? rep.f[0].msg : "");
	ck_assert_uint_eq(rep.nrepaired, testdb_pg() ? 4 : 5);
	ck_assert_int_eq(fixture_count_sql(&fx, "SELECT count(*) FROM "
		"sqlite_schema WHERE type = 'view' AND name = 'changes'",
		"SELECT count(*) FROM pg_trigger t JOIN pg_proc p ON "
		"p.oid = t.tgfoid WHERE t.tgname = 'invoices_after_delete' AND "
		"p.proname = 'inved_invoices_after_delete'"), 1);
	ck_assert_int_eq(fixture_count_sql(&fx, "SELECT count(*) FROM "
		"sqlite_schema WHERE name = 'audit_shredder'",
		"SELECT count(*) FROM pg_trigger WHERE tgname = "
		"'audit_shredder'"), 0);
	audits = fixture_count(&fx, "SELECT count(*) FROM audit");
	ck_assert_int_eq(edit_1002(&err), INV_OK);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits + 1);
	check_now();
	ck_assert_uint_eq(rep.n, 0);
}
END_TEST

START_TEST(repair_leaves_history_damage_reported)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Once"};
	struct write_result res;
	struct inv_err err;
	long long audits;

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	audit_row_delete(res.audit_seq);
	damage("DROP TRIGGER invoices_after_update",
	       "DROP TRIGGER invoices_after_update ON invoices");
	audits = fixture_count(&fx, "SELECT count(*) FROM audit");
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	/* (on SQLite the invoice's history chain is relinked too, to the
	 * row before the removed one: its history reads what is left) */
	ck_assert_uint_eq(rep.nrepaired, testdb_pg() ? 1 : 2);
	ck_assert(!found(CHECK_SCHEMA_MISSING, "invoices_after_update"));
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 audits);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM changes"),
	                 audits);
	/* the schema is whole again, so writes work; the finding stays */
	ck_assert_int_eq(store_check(fx.st, &err), INV_DAMAGED);
}
END_TEST

/* Schema 5: an invoice's history is read along its chain (the invoice's
 * audit_tip, each row's prev_seq).  A link broken behind the triggers'
 * back is found (a history that reads short), the write guard still
 * reads the invoice's newest row, and the repair relinks the chain from
 * the audit, after which the whole history reads again and the check is
 * clean. */
START_TEST(broken_history_chain_is_found_and_relinked)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input a = {.customer = "First"}, b = {.customer = "Second"};
	struct audit_entry hist[16];
	struct write_result res;
	struct inv_err err;
	char sql[200];
	size_t n0, n;
	bool relinked = false;
	size_t i;

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &a,
	                            0, &res, &err), INV_OK);
	snprintf(sql, sizeof sql, "UPDATE audit SET prev_seq = NULL "
	         "WHERE seq = %lld", (long long)res.audit_seq);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, res.row.version,
	                            &b, 0, &res, &err), INV_OK);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, hist, 16,
	                                  &n0, &err), INV_OK);
	ck_assert_uint_ge(n0, 3);
	check_now();
	ck_assert_uint_eq(rep.n, 0);

	table_tamper("audit", sql);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, hist, 16,
	                                  &n, &err), INV_OK);
	ck_assert_uint_eq(n, 2); /* the chain ends at the cut */
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert(strstr(found(CHECK_HISTORY, "ACME-1002")->msg, "chain"));
	ck_assert(found(CHECK_HISTORY, "ACME-1002")->repairable);
	/* the newest row is still the invoice's: writes go on */
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, res.row.version,
	                            &a, 0, &res, &err), INV_OK);

	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	for (i = 0; i < rep.nrepaired; i++)
		relinked |= strstr(rep.repaired[i].msg, "relinked") != NULL;
	ck_assert(relinked);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, hist, 16,
	                                  &n, &err), INV_OK);
	ck_assert_uint_eq(n, n0 + 1);

	/* the invoice pointed elsewhere: found, refused, relinked */
	snprintf(sql, sizeof sql, "UPDATE invoices SET audit_tip = audit_tip - 1 "
	         "WHERE id = %lld", (long long)inv.id);
	table_tamper("invoices", sql);
	check_now();
	expect_found(CHECK_HISTORY, "ACME-1002");
	ck_assert(strstr(found(CHECK_HISTORY, "ACME-1002")->msg, "chain"));
	inv = res.row;
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version,
	                            &b, 0, &res, &err), INV_DAMAGED);
	ck_assert_str_eq(err.field, "history");
	ck_assert_int_eq(store_check_repair(fx.st, &fx.alice, &rep, &err),
	                 INV_OK);
	ck_assert_uint_eq(rep.n, 0);
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version,
	                            &b, 0, &res, &err), INV_OK);
}
END_TEST

static Suite *check_suite(void)
{
	Suite *s = suite_create("check");
	TCase *tc = tcase_create("check");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, intact_demo_passes_the_check);
	tcase_add_test(tc, respelt_trigger_is_not_a_finding);
	tcase_add_test(tc, dropped_update_trigger_is_found_and_refused);
	tcase_add_test(tc, altered_trigger_is_found_and_refused);
	tcase_add_test(tc, dropped_partial_unique_index_is_found_and_create_refused);
	tcase_add_test(tc, altered_feed_view_or_dropped_feed_index_is_found_and_refused);
	tcase_add_test(tc, planted_audit_trigger_is_found_and_refused);
	tcase_add_test(tc, deleted_audit_row_breaks_the_history);
	tcase_add_test(tc, edit_while_trigger_was_off_breaks_the_history);
	tcase_add_test(tc, other_orgs_invoices_are_named_by_id_only);
	tcase_add_test(tc, totals_differing_from_a_recount_are_found);
	tcase_add_test(tc, own_tables_are_left_alone_but_not_indexes_on_ours);
	tcase_add_test(tc, repair_needs_an_admin_and_changes_nothing_otherwise);
	tcase_add_test(tc, repair_reinstalls_schema_and_writes_work);
	tcase_add_test(tc, repair_leaves_history_damage_reported);
	tcase_add_test(tc, every_write_path_is_refused_but_drafts_are_kept);
	tcase_add_test(tc, open_store_notices_tampering_after_it_opened);
	suite_add_tcase(s, tc);
	if (testdb_pg()) {
		TCase *pg = tcase_create("postgresql");

		tcase_add_checked_fixture(pg, setup, teardown);
		tcase_add_test(pg,
			altered_trigger_function_or_disabled_trigger_is_found);
		tcase_add_test(pg, owner_tampering_on_an_open_store_is_refused);
		suite_add_tcase(s, pg);
		testdb_sqlite_only("check", 5, "the claim, REAL money and the "
		                   "history chain are SQLite's; KNOWN DIFFERENCE: "
		                   "no value chain, no table shape on PostgreSQL");
	} else {
		TCase *sq = tcase_create("sqlite");

		tcase_add_checked_fixture(sq, setup, teardown);
		/* SQLite's own: the claim by which inved names its writer in
		 * a file, a REAL in an integer column */
		tcase_add_test(sq, unfilled_claim_is_found_and_names_no_later_writer);
		tcase_add_test(sq, float_in_money_columns_is_found);
		/* KNOWN DIFFERENCE: the PostgreSQL check compares each
		 * invoice's versions, not each change's old values against
		 * the previous new ones; nor a table's columns */
		tcase_add_test(sq, old_values_must_follow_the_previous_new_ones);
		tcase_add_test(sq, altered_table_is_found_refused_and_not_rebuilt);
		/* the history chain is SQLite's (schema 5); PostgreSQL reads
		 * an invoice's audit by audit_subject */
		tcase_add_test(sq, broken_history_chain_is_found_and_relinked);
		suite_add_tcase(s, sq);
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(check_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
