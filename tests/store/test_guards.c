/*
 * test_guards.c - the schema's guards against other writers of the file,
 * driven through the real `sqlite3` shell the way an import script would:
 * REPLACE conflict resolution, tampering with the audit and the change
 * feed, moving an invoice to another org, jumping its version, REAL money
 * and totals that would pass the 64-bit range.  Each refused statement
 * leaves every table as it was and the totals equal to a recount.  Also:
 * the core's own refusal of an overflowing write, and a schema-1 file
 * brought forward on open.
 *
 * On PostgreSQL the foreign writer is a client of the database's owner
 * role (as psql would be), bound by the same guards; what is SQLite's own
 * (REPLACE, PRAGMA ignore_check_constraints, the claim by which inved
 * names its writer in a file, older files' migrations) runs on SQLite
 * only.
 */
#include <check.h>
#include <poll.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "feed.h"
#include "fixture.h"
#include "testdb.h"

extern const char inved_schema_sql[];

static struct fixture fx;

static void setup(void)
{
	fixture_setup(&fx);
}

static void teardown(void)
{
	fixture_teardown(&fx);
}

/* ---- helpers ------------------------------------------------------------ */

/* Runs `sqlite3 -bail PATH SQL` with stdin closed; returns the exit status
 * and fills err (stderr, NUL-terminated). */
static int shell(const char *path, const char *sql, char *err, size_t len)
{
	int pipefd[2], status = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	/* PostgreSQL: the statements through a client of the owner role */
	if (testdb_pg())
		return testdb_owner_try(path, sql, err, len) ? 0 : 1;
	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		close(pipefd[1]);
		close(0);
		execlp("sqlite3", "sqlite3", "-bail", path, sql, (char *)NULL);
		fprintf(stderr, "cannot run the sqlite3 shell (install the "
		                "sqlite3 package)\n");
		_exit(127);
	}
	close(pipefd[1]);
	while (got + 1 < len &&
	       (n = read(pipefd[0], err + got, len - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(pipefd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(!(WIFEXITED(status) && WEXITSTATUS(status) == 127),
	              "%s", err);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Every row of every table, as text: equal dumps mean nothing changed. */
/* Every table's rows; with chain false, without the history chain's
 * columns (schema 5), which a migration from an older file fills in. */
static char *dump_as(const char *path, bool chain)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *t = NULL, *s = NULL;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (testdb_pg())
		return testdb_su_dump(path);
	f = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT name FROM sqlite_schema WHERE type = 'table' "
		"ORDER BY name", -1, &t, NULL), SQLITE_OK);
	while (sqlite3_step(t) == SQLITE_ROW) {
		char sql[200];
		int i;

		snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1, 2",
		         (const char *)sqlite3_column_text(t, 0));
		fprintf(f, "[%s]\n", sqlite3_column_text(t, 0));
		ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL),
		                 SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(s); i++)
				if (chain || (strcmp(sqlite3_column_name(s, i),
				                     "audit_tip") != 0 &&
				              strcmp(sqlite3_column_name(s, i),
				                     "prev_seq") != 0))
				fprintf(f, "%s|",
				        sqlite3_column_text(s, i)
				                ? (const char *)sqlite3_column_text(s, i)
				                : "NULL");
			fputc('\n', f);
		}
		sqlite3_finalize(s);
	}
	sqlite3_finalize(t);
	sqlite3_close(db);
	fclose(f);
	return out;
}

static char *dump(const char *path)
{
	return dump_as(path, true);
}

/* The totals table holds integers and, row by row, what a recount of the
 * invoices gives (rows counted down to zero aside). */
static void assert_totals_are_a_recount(void)
{
	ck_assert_int_eq(fixture_count_sql(&fx,
		"SELECT count(*) FROM totals WHERE typeof(count) <> 'integer' "
		"OR typeof(total_minor) <> 'integer'",
		/* a bigint column holds integers only: its type */
		"SELECT count(*) FROM information_schema.columns WHERE "
		"table_name = 'totals' AND column_name IN ('count', "
		"'total_minor') AND data_type <> 'bigint'"), 0);
	ck_assert_int_eq(fixture_count(&fx,
		"WITH recount AS (SELECT org_id, currency, "
		"  CASE WHEN deleted_at IS NOT NULL THEN 'deleted' "
		"       WHEN archived_at IS NOT NULL THEN 'archived' "
		"       ELSE 'active' END AS state, "
		"  count(*) AS count, sum(total_minor) AS total_minor "
		"  FROM invoices GROUP BY 1, 2, 3), "
		"kept AS (SELECT org_id, currency, state, count, total_minor "
		"  FROM totals WHERE count <> 0) "
		"SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT "
		"SELECT * FROM recount) AS more) + (SELECT count(*) FROM "
		"(SELECT * FROM recount EXCEPT SELECT * FROM kept) AS fewer)"),
		0);
}

/* The statement is refused by the shell with an inved guard's message,
 * and the file's tables are as they were. */
static void expect_refused(const char *sql, const char *needle)
{
	char *before = dump(fx.path), *after;
	char err[4096];
	int code = shell(fx.path, sql, err, sizeof err);

	ck_assert_msg(code != 0, "the shell accepted: %s", sql);
	ck_assert_msg(strstr(err, needle), "%s: said %s, not %s", sql, err,
	              needle);
	after = dump(fx.path);
	ck_assert_msg(strcmp(before, after) == 0, "%s changed the file", sql);
	free(before);
	free(after);
	assert_totals_are_a_recount();
}

static void expect_accepted(const char *sql)
{
	char err[4096];

	ck_assert_msg(shell(fx.path, sql, err, sizeof err) == 0, "%s: %s", sql,
	              err);
}

static int64_t id_of(const char *number)
{
	char sql[200];

	snprintf(sql, sizeof sql, "SELECT id FROM invoices WHERE number = '%s' "
	         "AND deleted_at IS NULL", number);
	return fixture_count(&fx, sql);
}

/* ---- REPLACE -------------------------------------------------------------- */

START_TEST(replace_from_the_shell_is_refused_and_changes_nothing)
{
	char sql[20][400];
	int64_t live = id_of("ACME-1002");
	int64_t gone = fixture_count(&fx, "SELECT id FROM invoices WHERE "
		"number = 'ACME-1001' AND deleted_at IS NOT NULL");
	size_t n = 0, i;

	ck_assert_int_gt(gone, 0);
	/* a colliding id, spelled three ways */
	snprintf(sql[n++], sizeof sql[0],
		"INSERT OR REPLACE INTO invoices (id, org_id, number, customer, "
		"total_minor, currency) VALUES (%" PRId64 ", 1, 'IMP-1', 'Imp', "
		"1, 'EUR')", live);
	snprintf(sql[n++], sizeof sql[0],
		"REPLACE INTO invoices (id, org_id, number, customer, "
		"total_minor, currency) VALUES (%" PRId64 ", 1, 'IMP-1', 'Imp', "
		"1, 'EUR')", live);
	snprintf(sql[n++], sizeof sql[0],
		"INSERT OR REPLACE INTO invoices (id, org_id, number, customer, "
		"total_minor, currency, deleted_at) VALUES (%" PRId64 ", 1, "
		"'IMP-1', 'Imp', 1, 'EUR', '2026-01-01')", gone);
	/* a colliding live number */
	snprintf(sql[n++], sizeof sql[0],
		"INSERT OR REPLACE INTO invoices (org_id, number, customer, "
		"total_minor, currency) VALUES (1, 'ACME-1002', 'Imp', 1, "
		"'EUR')");
	snprintf(sql[n++], sizeof sql[0],
		"UPDATE OR REPLACE invoices SET number = 'ACME-1002' "
		"WHERE number = 'ACME-1003'");
	/* a restore whose number is live again */
	snprintf(sql[n++], sizeof sql[0],
		"UPDATE OR REPLACE invoices SET deleted_at = NULL "
		"WHERE id = %" PRId64, gone);
	/* an id moved onto another */
	snprintf(sql[n++], sizeof sql[0],
		"UPDATE OR REPLACE invoices SET id = %" PRId64 " "
		"WHERE number = 'ACME-1003'", live);
	for (i = 0; i < n; i++)
		expect_refused(sql[i], "inved: ");
	ck_assert_int_eq(id_of("ACME-1002"), live);
}
END_TEST

/* ---- audit and change feed ------------------------------------------------- */

START_TEST(the_audit_and_the_feed_are_append_only)
{
	static const char *const sql[] = {
		"UPDATE audit SET actor = 'nobody' WHERE seq = 1",
		"UPDATE OR REPLACE audit SET seq = 2 WHERE seq = 1",
		"DELETE FROM audit WHERE seq = 1",
		"DELETE FROM audit",
		"INSERT OR REPLACE INTO audit (seq, at, org_id, actor, action, "
		"subject_id, from_version, to_version) VALUES (1, 'now', 1, "
		"'nobody', 'invoice.edit', 1, 0, 1)",
		/* a filled detail stays as it is, the newest row's too */
		"UPDATE audit SET detail = '{}' WHERE seq = 1",
		"UPDATE audit SET detail = '{}' "
		"WHERE seq = (SELECT max(seq) FROM audit)",
		"UPDATE audit SET detail = '' "
		"WHERE seq = (SELECT max(seq) FROM audit)",
	};
	/* the feed is a view of the audit: nothing to write through it */
	static const char *const feed[] = {
		"UPDATE changes SET action = 'x' WHERE seq = 1",
		"DELETE FROM changes WHERE seq = 1",
		("INSERT OR REPLACE INTO changes (seq, at, org_id, invoice_id, "
		 "action) VALUES (1, 'now', 1, 1, 'x')"),
	};
	/* PostgreSQL: the same in its SQL (no OR REPLACE; an insert's seq is
	 * always the server's, so one cannot land on an old row), and the
	 * feed view writes through to the audit, where the guard stands */
	static const char *const sql_pg[] = {
		"UPDATE audit SET actor = 'nobody' WHERE seq = 1",
		"UPDATE audit SET seq = 2 WHERE seq = 1",
		"DELETE FROM audit WHERE seq = 1",
		"DELETE FROM audit",
		"TRUNCATE audit",
		"UPDATE audit SET detail = '{}' WHERE seq = 1",
		"UPDATE audit SET detail = '{}' "
		"WHERE seq = (SELECT max(seq) FROM audit)",
		"UPDATE audit SET detail = '' "
		"WHERE seq = (SELECT max(seq) FROM audit)",
		"UPDATE changes SET action = 'x' WHERE seq = 1",
		"DELETE FROM changes WHERE seq = 1",
	};
	size_t i;

	if (testdb_pg()) {
		for (i = 0; i < sizeof sql_pg / sizeof sql_pg[0]; i++)
			expect_refused(sql_pg[i], "append-only");
	} else {
		for (i = 0; i < sizeof sql / sizeof sql[0]; i++)
			expect_refused(sql[i], "append-only");
		for (i = 0; i < sizeof feed / sizeof feed[0]; i++)
			expect_refused(feed[i], "view");
	}
	/* appending stays possible: the triggers' own rows, for instance */
	expect_accepted("UPDATE invoices SET customer = 'Appended' "
	                "WHERE number = 'ACME-1002'");
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit WHERE "
		"actor = 'external' AND action = 'invoice.external_edit'"), 1);
}
END_TEST

/* ---- org moves and version jumps --------------------------------------------- */

START_TEST(a_foreign_move_to_another_org_is_refused)
{
	expect_refused("UPDATE invoices SET org_id = 2 WHERE number = "
	               "'ACME-1002'", "another org");
	expect_refused("UPDATE invoices SET org_id = 2, version = version + 1 "
	               "WHERE number = 'ACME-1002'", "another org");
}
END_TEST

START_TEST(a_foreign_version_jump_is_refused)
{
	struct invoice before = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice after;

	expect_refused("UPDATE invoices SET version = version + 2 "
	               "WHERE number = 'ACME-1002'", "exactly one");
	expect_refused("UPDATE invoices SET version = 1000, customer = 'Jump' "
	               "WHERE number = 'ACME-1002'", "exactly one");
	expect_refused("UPDATE invoices SET version = version - 1 "
	               "WHERE number = 'ACME-1002'", "exactly one");
	/* (PostgreSQL rounds a fraction into the bigint column before any
	 * trigger sees it: there the version moves by a whole one) */
	if (!testdb_pg())
		expect_refused("UPDATE invoices SET version = version + 0.5 "
		               "WHERE number = 'ACME-1002'", "exactly one");
	/* one step, or none (then the trigger takes it), is a write like any
	 * other: audited as external, one version on */
	expect_accepted("UPDATE invoices SET version = version + 1, "
	                "customer = 'Step' WHERE number = 'ACME-1002'");
	expect_accepted("UPDATE invoices SET customer = 'Forgot' "
	                "WHERE number = 'ACME-1002'");
	after = fixture_find(&fx, &fx.alice, "ACME-1002");
	ck_assert_int_eq(after.version, before.version + 2);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit WHERE "
		"actor = 'external' AND to_version = from_version + 1"), 2);
	assert_totals_are_a_recount();
}
END_TEST

/* ---- money that is no integer, sums past the 64-bit range ----------------- */

START_TEST(money_stays_integer_even_with_checks_switched_off)
{
	expect_refused("PRAGMA ignore_check_constraints = ON;"
	               "INSERT INTO invoices (org_id, number, customer, "
	               "total_minor, currency) VALUES (1, 'IMP-1', 'Imp', 1.5, "
	               "'EUR')", "integer");
	expect_refused("PRAGMA ignore_check_constraints = ON;"
	               "UPDATE invoices SET total_minor = 2.5 "
	               "WHERE number = 'ACME-1002'", "integer");
	expect_refused("PRAGMA ignore_check_constraints = ON;"
	               "UPDATE invoices SET total_minor = -3 "
	               "WHERE number = 'ACME-1002'", "integer");
}
END_TEST

/* An external invoice that fills the EUR row of `state` to 50 below the
 * 64-bit ceiling. */
static void fill_to_the_ceiling(const char *state, const char *number)
{
	char sql[800];

	snprintf(sql, sizeof sql,
		"INSERT INTO invoices (org_id, number, customer, total_minor, "
		"currency, archived_at) VALUES (1, '%s', 'Whale', "
		"9223372036854775807 - 50 - coalesce((SELECT total_minor FROM "
		"totals WHERE org_id = 1 AND currency = 'EUR' AND state = '%s'), "
		"0), 'EUR', %s)",
		number, state,
		strcmp(state, "archived") == 0 ? "'2026-01-01'" : "NULL");
	expect_accepted(sql);
	assert_totals_are_a_recount();
}

/* What the engine says of a sum past the 64-bit range: SQLite's trigger
 * says it in inved's words, PostgreSQL's bigint arithmetic in its own. */
#define PAST_64_BITS (testdb_pg() ? "bigint out of range" : "64-bit")

START_TEST(a_totals_sum_past_64_bits_is_refused_by_the_triggers)
{
	fill_to_the_ceiling("active", "WHALE-1");
	expect_refused("INSERT INTO invoices (org_id, number, customer, "
	               "total_minor, currency) VALUES (1, 'IMP-1', 'Imp', 51, "
	               "'EUR')", PAST_64_BITS);
	expect_refused("UPDATE invoices SET total_minor = total_minor + 51 "
	               "WHERE number = 'ACME-1001'", PAST_64_BITS);
	expect_refused("UPDATE invoices SET currency = 'EUR', "
	               "total_minor = 100 WHERE number = 'ACME-1003'",
	               PAST_64_BITS);
	/* within one row the old total leaves as the new one joins */
	expect_accepted("UPDATE invoices SET total_minor = total_minor + 50 "
	                "WHERE number = 'ACME-1001'");
	fill_to_the_ceiling("archived", "WHALE-2");
	expect_refused("UPDATE invoices SET archived_at = '2026-02-02' "
	               "WHERE number = 'ACME-1002'", PAST_64_BITS);
	assert_totals_are_a_recount();
}
END_TEST

START_TEST(a_totals_sum_past_64_bits_is_refused_by_the_core)
{
	struct invoice_input add = {.customer = "Imp", .total = "1.00",
	                            .currency = "EUR"};
	struct invoice_input raise = {.total = "100.00"};
	struct write_result res;
	struct inv_err err;
	struct invoice inv;
	char *before;

	fill_to_the_ceiling("active", "WHALE-1");
	before = dump(fx.path);
	ck_assert_int_eq(store_create(fx.st, &fx.alice, "t-whale", NULL, &add,
	                              &res, &err), INV_INVALID);
	ck_assert_str_eq(err.field, "total");
	ck_assert_ptr_nonnull(strstr(err.msg, "64-bit"));
	inv = fixture_find(&fx, &fx.alice, "ACME-1001");
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version,
	                            &raise, 0, &res, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "64-bit"));
	fill_to_the_ceiling("archived", "WHALE-2");
	free(before);
	before = dump(fx.path);
	inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	ck_assert_int_eq(store_archive(fx.st, &fx.alice, inv.id, inv.version,
	                               &res, &err), INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "64-bit"));
	{
		char *after = dump(fx.path);

		ck_assert_str_eq(before, after);
		free(after);
	}
	free(before);
	assert_totals_are_a_recount();
	/* a write that keeps within the range still lands */
	raise.total = "0.01";
	inv = fixture_find(&fx, &fx.alice, "ACME-1001");
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version,
	                            &raise, 0, &res, &err), INV_OK);
}
END_TEST

/* ---- inved's own writes still pass -------------------------------------------- */

START_TEST(inveds_own_writes_pass_the_guards)
{
	struct invoice_input in = {.total = "7.00"};
	struct write_result res;
	struct inv_err err;
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	int64_t gone = fixture_count(&fx, "SELECT id FROM invoices WHERE "
		"number = 'ACME-1001' AND deleted_at IS NOT NULL");

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	ck_assert_int_eq(store_archive(fx.st, &fx.alice, inv.id,
	                               res.row.version, &res, &err), INV_OK);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, inv.id,
	                               res.row.version, &res, &err), INV_OK);
	ck_assert_int_eq(store_delete(fx.st, &fx.alice, inv.id,
	                              res.row.version, &res, &err), INV_OK);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, inv.id,
	                               res.row.version, &res, &err), INV_OK);
	/* restoring a number that is live again is a conflict, as before */
	inv = (struct invoice){0};
	ck_assert_int_eq(store_get(fx.st, &fx.alice, gone, &inv, &err), INV_OK);
	ck_assert_int_eq(store_restore(fx.st, &fx.alice, gone, inv.version,
	                               &res, &err), INV_CONFLICT);
	ck_assert_str_eq(err.field, "number");
	assert_totals_are_a_recount();
}
END_TEST

/* A row given a seq below the newest would sit behind every feed reader's
 * position and never be read: the audit grows only at its end.  A gap left
 * by a far-ahead seq stays a gap. */
START_TEST(an_audit_row_below_the_head_is_refused)
{
	char sql[400];
	int64_t head = fixture_count(&fx, "SELECT max(seq) FROM audit");

	if (testdb_pg()) {
		/* the server stamps every row's seq at the end, whatever the
		 * writer gave: a row below the head cannot be written */
		snprintf(sql, sizeof sql, "INSERT INTO audit (seq, at, org_id, "
			"actor, action, subject_id, from_version, to_version) "
			"VALUES (%" PRId64 ", now(), 1, 'x', 'invoice.edit', 1, 0, "
			"1); INSERT INTO audit (seq, at, org_id, actor, action, "
			"subject_id, from_version, to_version) VALUES (-1, now(), "
			"1, 'x', 'invoice.edit', 1, 0, 1)", head - 1);
		expect_accepted(sql);
		snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE "
		         "actor = 'x' AND seq > %" PRId64, head);
		ck_assert_int_eq(fixture_count(&fx, sql), 2);
		expect_accepted("UPDATE invoices SET customer = 'After' "
		                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
		ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit "
			"WHERE seq = (SELECT max(seq) FROM audit) AND "
			"actor = 'external'"), 1);
		return;
	}
	snprintf(sql, sizeof sql, "INSERT INTO audit (seq, at, org_id, actor, "
		"action, subject_id, from_version, to_version) VALUES (%" PRId64
		", 'now', 1, 'x', 'invoice.edit', 1, 0, 1)", head + 100);
	expect_accepted(sql);
	snprintf(sql, sizeof sql, "INSERT INTO audit (seq, at, org_id, actor, "
		"action, subject_id, from_version, to_version) VALUES (%" PRId64
		", 'now', 1, 'x', 'invoice.edit', 1, 0, 1)", head + 50);
	expect_refused(sql, "grows only at its end");
	expect_refused("INSERT INTO audit (seq, at, org_id, actor, action, "
		"subject_id, from_version, to_version) VALUES (-1, 'now', 1, "
		"'x', 'invoice.edit', 1, 0, 1)", "grows only at its end");
	/* the triggers' own rows still go on at the end */
	expect_accepted("UPDATE invoices SET customer = 'After the gap' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	ck_assert_int_eq(fixture_count(&fx, "SELECT max(seq) FROM audit"),
	                 head + 101);
}
END_TEST

/* A claim (an audit row with an empty detail, naming the writer of the
 * change about to be made) can be filled only while it is the newest row,
 * and only its detail: once another write came after it, or with any other
 * column changed, the audit is append-only again. */
START_TEST(a_claim_must_describe_its_change_and_the_audit_never_changes)
{
	/* A claim for ACME-1003's next version saying its customer becomes
	 * `name`, in the text the schema's trigger computes, chained to the
	 * invoice's newest audit row (prev_seq, schema 5: `%s` its link); the
	 * change points the invoice at the claim. */
	static const char claim_fmt[] =
		"INSERT INTO audit (at, org_id, actor_user_id, actor, action, "
		"subject_id, from_version, to_version, detail, prev_seq) "
		"SELECT 'now', "
		"org_id, NULL, 'someone', 'invoice.edit', id, version, "
		"version + 1, '{\"customer\":{\"old\":' || json_quote(customer) "
		"|| ',\"new\":' || json_quote('%s') || '}}', %s FROM invoices "
		"WHERE number = 'ACME-1003' AND deleted_at IS NULL; ";
	static const char change_fmt[] =
		"UPDATE invoices SET customer = '%s', version = version + 1%s "
		"WHERE number = 'ACME-1003' AND deleted_at IS NULL;";
	static const char tip[] =
		", audit_tip = (SELECT max(seq) FROM audit)";
	char sql[1024];
	int64_t rows = fixture_count(&fx, "SELECT count(*) FROM audit");

	/* no audit row changes, not even an empty detail being filled */
	expect_refused("BEGIN; INSERT INTO audit (at, org_id, actor, action, "
		"subject_id, from_version, to_version, detail) VALUES ('now', 1, "
		"'x', 'invoice.edit', 999999, 0, 1, ''); UPDATE audit SET "
		"detail = '{}' WHERE seq = (SELECT max(seq) FROM audit); "
		"COMMIT;", "append-only");
	/* a claim that says something else than the change: refused */
	snprintf(sql, sizeof sql, "BEGIN; ");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), claim_fmt,
	         "Claimed", "audit_tip");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), change_fmt,
	         "Written", tip);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " COMMIT;");
	expect_refused(sql, "does not describe");
	/* a true claim that is not chained to the invoice's newest audit
	 * row (schema 5), or whose change does not point the invoice at it,
	 * or a change that points the invoice at any row by itself: refused,
	 * so the history chain cannot be forged */
	snprintf(sql, sizeof sql, "BEGIN; ");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), claim_fmt,
	         "Written", "audit_tip - 1");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), change_fmt,
	         "Written", tip);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " COMMIT;");
	expect_refused(sql, "does not describe");
	snprintf(sql, sizeof sql, "BEGIN; ");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), claim_fmt,
	         "Written", "audit_tip");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), change_fmt,
	         "Written", "");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " COMMIT;");
	expect_refused(sql, "does not describe");
	expect_refused("UPDATE invoices SET audit_tip = 1 WHERE number = "
	               "'ACME-1003' AND deleted_at IS NULL", "does not describe");
	expect_refused("UPDATE invoices SET customer = 'X', audit_tip = NULL "
	               "WHERE number = 'ACME-1003' AND deleted_at IS NULL",
	               "does not describe");
	expect_refused("INSERT INTO invoices (org_id, number, customer, status, "
	               "total_minor, currency, audit_tip) VALUES (1, 'ACME-7', "
	               "'C', 'draft', 1, 'EUR', (SELECT max(seq) FROM audit))",
	               "does not describe");
	/* the true claim, chained, with the change it describes names its
	 * writer */
	snprintf(sql, sizeof sql, "BEGIN; ");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), claim_fmt,
	         "Written", "audit_tip");
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), change_fmt,
	         "Written", tip);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " COMMIT;");
	expect_accepted(sql);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit"),
	                 rows + 1);
	ck_assert_int_eq(fixture_count(&fx, "SELECT actor = 'someone' FROM "
		"audit ORDER BY seq DESC LIMIT 1"), 1);
	/* a write that claims nothing is external, whatever came before */
	expect_accepted("UPDATE invoices SET customer = 'Later' WHERE "
	                "number = 'ACME-1002' AND deleted_at IS NULL");
	ck_assert_int_eq(fixture_count(&fx, "SELECT actor = 'external' FROM "
		"audit ORDER BY seq DESC LIMIT 1"), 1);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit "
		"WHERE detail = ''"), 0);
	/* both writes are on their invoices' chains: the invoice names its
	 * newest row, which links to the row before */
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices i "
		"JOIN audit a ON a.seq = i.audit_tip JOIN audit p "
		"ON p.seq = a.prev_seq WHERE i.number IN ('ACME-1002', "
		"'ACME-1003') AND i.deleted_at IS NULL AND a.subject_id = i.id "
		"AND p.subject_id = i.id AND a.from_version = p.to_version "
		"AND a.seq = (SELECT max(seq) FROM audit b "
		"WHERE b.subject_id = i.id)"), 2);
}
END_TEST

/* ---- foreign writers and the feed --------------------------------------- */

/* What the screen's feed reports after the shell wrote: read with the
 * store's own connection, as an open screen would. */
static size_t feed_read(struct feed *f, struct change *out, size_t max)
{
	struct inv_err err;
	size_t n = 0;
	struct pollfd p = {.fd = store_wakeup_fd(fx.st), .events = POLLIN};

	/* the wake-up first, as the screen waits for it (a NOTIFY arrives a
	 * moment after its commit; SQLite's watch at once): a read that
	 * expects nothing waits out the deadline */
	if (p.fd >= 0)
		(void)poll(&p, 1, testdb_pg() ? 2000 : 0);

	ck_assert_int_eq(feed_poll(f, fx.st, &fx.alice, NULL, out, max, &n,
	                           &err), INV_OK);
	return n;
}

/* The sqlite3 shell edits, creates and deletes behind an open store: each
 * write is versioned, audited as external, in the screen's feed and in the
 * totals, with no help from inved. */
START_TEST(a_shell_write_is_versioned_audited_fed_and_totalled)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct change got[16];
	struct feed f;
	struct inv_err err;
	char sql[300];
	size_t n;

	ck_assert_int_eq(feed_init(&f, fx.st, &err), INV_OK);
	snprintf(sql, sizeof sql, "UPDATE invoices SET total_minor = "
	         "total_minor + 7 WHERE id = %" PRId64, inv.id);
	expect_accepted(sql);
	/* versioned although the shell left the version alone */
	ck_assert_int_eq(fixture_find(&fx, &fx.alice, "ACME-1002").version,
	                 inv.version + 1);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE "
		"subject_id = %" PRId64 " AND actor = 'external' AND "
		"actor_user_id IS NULL AND action = 'invoice.external_edit' AND "
		"from_version = %" PRId64 " AND to_version = %" PRId64,
		inv.id, inv.version, inv.version + 1);
	ck_assert_int_eq(fixture_count(&fx, sql), 1);
	n = feed_read(&f, got, 16);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(got[0].invoice_id, inv.id);
	ck_assert_str_eq(got[0].action, "invoice.external_edit");
	assert_totals_are_a_recount();

	expect_accepted("INSERT INTO invoices (org_id, number, customer, "
		"total_minor, currency) VALUES (1, 'SHELL-1', 'Shell GmbH', 990, "
		"'EUR'); DELETE FROM invoices WHERE number = 'SHELL-1'");
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM audit WHERE "
		"actor = 'external' AND action IN ('invoice.external_create', "
		"'invoice.purge')"), 2);
	n = feed_read(&f, got, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(got[0].action, "invoice.external_create");
	ck_assert_str_eq(got[1].action, "invoice.purge");
	ck_assert_int_eq(got[0].invoice_id, got[1].invoice_id);
	assert_totals_are_a_recount();
	/* nothing more: each write was reported once */
	ck_assert_uint_eq(feed_read(&f, got, 16), 0);
	ck_assert_int_eq(store_check(fx.st, &err), INV_OK);
}
END_TEST

/* Commits of the shell and of the store, interleaved with reads of the
 * feed, in bursts larger than one read's batch: every audit row of the org
 * after the start is reported exactly once, in order, and the other org's
 * never. */
START_TEST(the_feed_reader_misses_no_commit)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1003");
	static struct change got[512];
	struct feed f;
	struct inv_err err;
	int64_t start, expect, seen = 0, last = 0;
	static char burst[70 * 160];
	char sql[300];
	size_t len = 0;
	int round, i;

	for (i = 0; i < 70; i++)
		len += (size_t)snprintf(burst + len, sizeof burst - len,
			"UPDATE invoices SET customer = customer || '.' WHERE id = "
			"(SELECT min(id) FROM invoices WHERE org_id = %d AND "
			"deleted_at IS NULL);", 1 + i % 2);
	ck_assert_uint_lt(len, sizeof burst - 1);
	ck_assert_int_eq(feed_init(&f, fx.st, &err), INV_OK);
	start = fixture_count(&fx, "SELECT max(seq) FROM audit");
	for (round = 0; round < 4; round++) {
		size_t n;

		/* one shell call of 70 commits (one a statement) in both
		 * orgs; on PostgreSQL one client, a commit a statement */
		if (testdb_pg()) {
			struct testdb_conn *c = testdb_connect(fx.path, false);
			char *stmt, *save = NULL, *copy = strdup(burst);

			ck_assert_ptr_nonnull(c);
			ck_assert_ptr_nonnull(copy);
			for (stmt = strtok_r(copy, ";", &save); stmt;
			     stmt = strtok_r(NULL, ";", &save))
				testdb_conn_exec(c, stmt);
			free(copy);
			testdb_conn_close(c);
		} else {
			expect_accepted(burst);
		}
		/* and the store's own writes between them */
		for (i = 0; i < 3; i++) {
			char name[32];
			struct invoice_input in = {.customer = name};
			struct write_result res;

			inv = fixture_find(&fx, &fx.alice, "ACME-1003");
			snprintf(name, sizeof name, "Own write %d-%d", round, i);
			ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id,
				inv.version, &in, 0, &res, &err), INV_OK);
		}
		n = feed_read(&f, got, 512);
		for (i = 0; i < (int)n; i++) {
			ck_assert_int_gt(got[i].seq, last);
			ck_assert_int_eq(got[i].org_id, fx.alice.org_id);
			last = got[i].seq;
		}
		seen += (int64_t)n;
	}
	snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE seq > %"
	         PRId64 " AND org_id = %" PRId64, start, fx.alice.org_id);
	expect = fixture_count(&fx, sql);
	ck_assert_int_eq(expect, 4 * (35 + 3));
	ck_assert_int_eq(seen, expect);
	ck_assert_int_eq(f.last_seq, fixture_count(&fx, "SELECT max(seq) FROM "
		"audit WHERE org_id = 1"));
}
END_TEST

/* ---- migration ---------------------------------------------------------- */

/* A schema-2 file (its own change-feed table beside the audit) with a
 * history: opened by this version, the feed table becomes the view of the
 * audit, every audit row is kept, history and revert read as before, the
 * feed goes on from a screen's old position, and the check passes. */
START_TEST(a_schema_2_file_migrates_with_its_history_and_feed)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Before the move"};
	struct audit_entry hist[16];
	struct change got[16];
	struct write_result res;
	struct check_report rep;
	struct store *st = NULL;
	struct inv_err err;
	struct feed f;
	char *audit_before, *audit_after;
	int64_t pos;
	size_t n;
	sqlite3 *db;

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	expect_accepted("UPDATE invoices SET customer = 'Shell before' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	pos = fixture_count(&fx, "SELECT max(seq) FROM audit");
	store_close(fx.st);
	fx.st = NULL;
	db = fixture_raw(&fx);
	fixture_downgrade(db, 2);
	sqlite3_close(db);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM "
		"sqlite_schema WHERE type = 'table' AND name = 'changes'"), 1);
	ck_assert_int_eq(fixture_count(&fx, "PRAGMA user_version"), 2);
	/* schema 2 as it was: a shell write lands in both tables */
	expect_accepted("UPDATE invoices SET customer = 'Shell in v2' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM changes"),
	                 fixture_count(&fx, "SELECT count(*) FROM audit"));
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM write_ctx"),
	                 0);
	audit_before = dump(fx.path);
	/* the old feed's rows are the one thing that goes (and the empty
	 * write_ctx, the last table) */
	{
		char *from = strstr(audit_before, "[changes]\n");
		char *to = from ? strchr(from + 10, '[') : NULL;

		ck_assert_ptr_nonnull(to);
		memmove(from, to, strlen(to) + 1);
		from = strstr(audit_before, "[write_ctx]\n");
		ck_assert_ptr_nonnull(from);
		ck_assert_str_eq(from, "[write_ctx]\n");
		*from = '\0';
	}

	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &fx.st,
	                            &err), INV_OK);
	ck_assert_int_eq(fixture_count(&fx, "PRAGMA user_version"), 5);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM "
		"sqlite_schema WHERE type = 'view' AND name = 'changes'"), 1);
	/* every table but the old feed as it was, row for row (and the
	 * history chain filled in, which the check below walks) */
	audit_after = dump_as(fx.path, false);
	ck_assert_msg(strcmp(audit_before, audit_after) == 0,
	              "the migration changed the rows of a table");
	free(audit_before);
	free(audit_after);
	/* the history of the invoice, newest first, by its index */
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, hist, 16,
	                                  &n, &err), INV_OK);
	ck_assert_uint_ge(n, 3);
	ck_assert_str_eq(hist[0].actor, "external");
	ck_assert_str_eq(hist[2].actor, "alice");
	/* a screen that was at pos before the move reads on from there */
	memset(&f, 0, sizeof f);
	ck_assert_int_eq(feed_init(&f, fx.st, &err), INV_OK);
	f.last_seq = pos;
	f.next_ms = 0;
	expect_accepted("UPDATE invoices SET customer = 'Shell in v3' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	n = feed_read(&f, got, 16);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(got[0].invoice_id, inv.id);
	ck_assert_int_eq(got[1].invoice_id, inv.id);
	ck_assert_int_eq(got[1].seq, got[0].seq + 1);
	ck_assert_int_eq(store_check_run(fx.st, &fx.alice, &rep, &err), INV_OK);
	ck_assert_uint_eq(rep.n, 0);
	/* and a second open finds nothing to do */
	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	store_close(st);
	(void)res;
}
END_TEST

/* A file as schema 1 left it: the schema text before its "-- schema 2 --"
 * line, user_version 1, and an invoice written by another client. */
static void make_schema1_file(const char *path)
{
	const char *mark = strstr(inved_schema_sql, "\n-- schema 2 --\n");
	sqlite3 *db = NULL;
	char *v1;

	ck_assert_ptr_nonnull(mark);
	v1 = strndup(inved_schema_sql, (size_t)(mark - inved_schema_sql));
	ck_assert_ptr_nonnull(v1);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
		"INSERT INTO meta (key, value) VALUES ('created_at', 'then');"
		"INSERT INTO orgs (id, name, prefix) VALUES (1, 'old', 'OLD-');"
		"INSERT INTO users (id, name) VALUES (1, 'olga');"
		"INSERT INTO memberships VALUES (1, 1, 'admin');"
		"INSERT INTO invoices (org_id, number, customer, total_minor, "
		"currency) VALUES (1, 'OLD-1', 'Kept', 100, 'EUR');"
		"PRAGMA user_version = 1;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(v1);
}

START_TEST(a_schema_1_file_gets_the_guards_on_open)
{
	char path[400], err_text[4096];
	struct store *st = NULL;
	struct inv_err err;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int triggers = 0;

	snprintf(path, sizeof path, "%s/v1.db", fx.dir);
	make_schema1_file(path);
	/* schema 1 lets REPLACE through: the hole this version closes */
	ck_assert_int_eq(shell(path, "INSERT OR REPLACE INTO invoices (id, "
		"org_id, number, customer, total_minor, currency) SELECT id, 1, "
		"'OLD-2', 'Gone', 5, 'EUR' FROM invoices WHERE number = 'OLD-1'",
		err_text, sizeof err_text), 0);
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	store_close(st);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT (SELECT user_version "
		"FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema "
		"WHERE type = 'trigger' AND name IN ('invoices_before_insert', "
		"'invoices_before_update', "
		"'audit_before_insert', 'audit_before_update', "
		"'audit_before_delete', 'audit_after_insert')), "
		"(SELECT count(*) FROM invoices WHERE number = 'OLD-2')",
		-1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(s, 0), 5);
	triggers = sqlite3_column_int(s, 1);
	ck_assert_int_eq(sqlite3_column_int(s, 2), 1);
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_int_eq(triggers, 6);
	/* and now the same statement is refused */
	ck_assert_int_ne(shell(path, "INSERT OR REPLACE INTO invoices (id, "
		"org_id, number, customer, total_minor, currency) SELECT id, 1, "
		"'OLD-3', 'Gone', 5, 'EUR' FROM invoices WHERE number = 'OLD-2'",
		err_text, sizeof err_text), 0);
	ck_assert_ptr_nonnull(strstr(err_text, "inved: "));
	/* a second open finds nothing to do */
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	store_close(st);
}
END_TEST

/* A fresh file and a migrated one hold the same schema objects. */
/* A file of schema 4 (history read by the index audit_subject) gets its
 * history chain on open, in one pass: every invoice's history reads as
 * before, row for row, the check finds every link where it belongs, the
 * index is gone, and writes of every kind go on along the chain. */
START_TEST(a_schema_4_file_gets_its_history_chain)
{
	struct invoice inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	struct invoice_input in = {.customer = "Before v5"};
	struct audit_entry before[16], after[16];
	struct write_result res;
	struct check_report rep;
	struct inv_err err;
	char *rows_before, *rows_after;
	size_t nb, na, i;
	sqlite3 *db;

	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	expect_accepted("UPDATE invoices SET customer = 'Shell in v5' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, before, 16,
	                                  &nb, &err), INV_OK);
	ck_assert_uint_ge(nb, 3);
	store_close(fx.st);
	fx.st = NULL;
	db = fixture_raw(&fx);
	fixture_downgrade(db, 4);
	sqlite3_close(db);
	ck_assert_int_eq(fixture_count(&fx, "PRAGMA user_version"), 4);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM sqlite_schema "
		"WHERE name = 'audit_subject'"), 1);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM "
		"pragma_table_info('invoices') WHERE name = 'audit_tip'"), 0);
	/* schema 4 as it was: the shell writes, audited */
	expect_accepted("UPDATE invoices SET customer = 'Shell in v4' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	rows_before = dump_as(fx.path, false);

	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &fx.st, &err), INV_OK);
	ck_assert_int_eq(fixture_count(&fx, "PRAGMA user_version"), 5);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM sqlite_schema "
		"WHERE name = 'audit_subject'"), 0);
	rows_after = dump_as(fx.path, false);
	ck_assert_str_eq(rows_before, rows_after);
	free(rows_before);
	free(rows_after);
	/* every invoice points at its newest row */
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices i "
		"WHERE audit_tip IS NOT (SELECT max(seq) FROM audit a "
		"WHERE a.subject_id = i.id)"), 0);
	ck_assert_int_eq(store_check_run(fx.st, &fx.alice, &rep, &err), INV_OK);
	ck_assert_uint_eq(rep.n, 0);
	/* the history reads along the chain: the shell's v4 write, then
	 * what it read before, seq for seq */
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, after, 16,
	                                  &na, &err), INV_OK);
	ck_assert_uint_eq(na, nb + 1);
	ck_assert_str_eq(after[0].actor, "external");
	for (i = 0; i < nb; i++)
		ck_assert_int_eq(after[i + 1].seq, before[i].seq);
	/* and writes go on: inved's, the shell's, each on the chain */
	inv = fixture_find(&fx, &fx.alice, "ACME-1002");
	in.customer = "After v5";
	ck_assert_int_eq(store_edit(fx.st, &fx.alice, inv.id, inv.version, &in,
	                            0, &res, &err), INV_OK);
	expect_accepted("UPDATE invoices SET customer = 'Shell after v5' "
	                "WHERE number = 'ACME-1002' AND deleted_at IS NULL");
	expect_accepted("INSERT INTO invoices (org_id, number, customer, status, "
	                "total_minor, currency) VALUES (1, 'ACME-9001', 'Shell', "
	                "'draft', 100, 'EUR')");
	expect_accepted("DELETE FROM invoices WHERE number = 'ACME-9001'");
	ck_assert_int_eq(store_audit_tail(fx.st, &fx.alice, inv.id, after, 16,
	                                  &na, &err), INV_OK);
	ck_assert_uint_eq(na, nb + 3);
	ck_assert_int_eq(store_check_run(fx.st, &fx.alice, &rep, &err), INV_OK);
	ck_assert_uint_eq(rep.n, 0);
}
END_TEST

START_TEST(a_migrated_file_has_the_schema_of_a_new_one)
{
	char path[400];
	struct store *st = NULL;
	struct inv_err err;
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *fresh = NULL, *migrated = NULL;
	const char *q = "SELECT group_concat(type || ' ' || name || ' ' || "
	                "coalesce(sql, ''), char(10)) FROM (SELECT * FROM "
	                "sqlite_schema ORDER BY type, name)";

	snprintf(path, sizeof path, "%s/v1.db", fx.dir);
	make_schema1_file(path);
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &st, &err),
	                 INV_OK);
	store_close(st);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	migrated = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_int_eq(sqlite3_open(fx.path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, q, -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	fresh = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sqlite3_close(db);
	ck_assert_str_eq(migrated, fresh);
	free(migrated);
	free(fresh);
}
END_TEST

/* ---- the demo, one transaction ------------------------------------------------ */

/* A demo that fails half way (here: its org is taken after the schema
 * check, by a foreign writer's table) leaves nothing of itself. */
START_TEST(a_demo_that_fails_half_way_leaves_nothing)
{
	char path[400];
	struct store *st = NULL;
	struct inv_err err;
	sqlite3 *db = NULL;

	if (testdb_pg()) {
		char loc[300];

		/* an empty database with the schema, and the foreign trigger
		 * written by the superuser */
		testdb_empty(loc, sizeof loc);
		ck_assert_int_eq(store_open(loc, &(struct store_options){
		                                STORE_OPEN_CREATE, 0},
		                            &st, &err), INV_OK);
		testdb_su_exec(loc, "CREATE FUNCTION stop_tenth() RETURNS "
			"trigger LANGUAGE plpgsql AS $$ BEGIN IF (SELECT count(*) "
			"FROM invoices) >= 9 THEN RAISE EXCEPTION 'stopped'; END "
			"IF; RETURN NEW; END $$; CREATE TRIGGER stop_tenth BEFORE "
			"INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION "
			"stop_tenth()");
		ck_assert_int_ne(store_seed_demo(st, &err), INV_OK);
		store_close(st);
		ck_assert_int_eq(testdb_su_count(loc, "SELECT (SELECT count(*) "
			"FROM invoices) + (SELECT count(*) FROM orgs) + (SELECT "
			"count(*) FROM users) + (SELECT count(*) FROM audit) + "
			"(SELECT count(*) FROM meta WHERE key = 'demo')"), 0);
		testdb_drop(loc);
		return;
	}
	snprintf(path, sizeof path, "%s/half.db", fx.dir);
	ck_assert_int_eq(store_open(path,
	                            &(struct store_options){STORE_OPEN_CREATE, 0},
	                            &st, &err),
	                 INV_OK);
	/* A foreign trigger that refuses the demo's tenth invoice. */
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db,
		"CREATE TRIGGER stop_tenth BEFORE INSERT ON invoices "
		"WHEN (SELECT count(*) FROM invoices) >= 9 "
		"BEGIN SELECT RAISE(ABORT, 'stopped'); END;",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_ne(store_seed_demo(st, &err), INV_OK);
	store_close(st);
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	{
		sqlite3_stmt *s = NULL;

		ck_assert_int_eq(sqlite3_prepare_v2(db,
			"SELECT (SELECT count(*) FROM invoices) + (SELECT count(*) "
			"FROM orgs) + (SELECT count(*) FROM users) + (SELECT "
			"count(*) FROM audit) + (SELECT count(*) FROM meta WHERE "
			"key = 'demo')", -1, &s, NULL), SQLITE_OK);
		ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
		ck_assert_int_eq(sqlite3_column_int(s, 0), 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
}
END_TEST

static Suite *guards_suite(void)
{
	Suite *s = suite_create("guards");
	TCase *tc = tcase_create("guards");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, the_audit_and_the_feed_are_append_only);
	tcase_add_test(tc, a_foreign_move_to_another_org_is_refused);
	tcase_add_test(tc, a_foreign_version_jump_is_refused);
	tcase_add_test(tc, a_totals_sum_past_64_bits_is_refused_by_the_triggers);
	tcase_add_test(tc, a_totals_sum_past_64_bits_is_refused_by_the_core);
	tcase_add_test(tc, inveds_own_writes_pass_the_guards);
	tcase_add_test(tc, an_audit_row_below_the_head_is_refused);
	tcase_add_test(tc, a_shell_write_is_versioned_audited_fed_and_totalled);
	tcase_add_test(tc, the_feed_reader_misses_no_commit);
	tcase_add_test(tc, a_demo_that_fails_half_way_leaves_nothing);
	suite_add_tcase(s, tc);
	if (!testdb_pg()) {
		TCase *file = tcase_create("sqlite");

		tcase_add_checked_fixture(file, setup, teardown);
		tcase_set_timeout(file, 120);
		tcase_add_test(file,
			replace_from_the_shell_is_refused_and_changes_nothing);
		tcase_add_test(file,
			money_stays_integer_even_with_checks_switched_off);
		tcase_add_test(file,
			a_claim_must_describe_its_change_and_the_audit_never_changes);
		tcase_add_test(file,
			a_schema_2_file_migrates_with_its_history_and_feed);
		tcase_add_test(file, a_schema_1_file_gets_the_guards_on_open);
		tcase_add_test(file, a_migrated_file_has_the_schema_of_a_new_one);
		tcase_add_test(file, a_schema_4_file_gets_its_history_chain);
		suite_add_tcase(s, file);
	} else {
		testdb_sqlite_only("guards", 7, "SQLite's REPLACE and "
		                   "ignore_check_constraints, the claim that names "
		                   "inved's writer in a file, files of schema 1, "
		                   "2 and 4");
	}
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(guards_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
