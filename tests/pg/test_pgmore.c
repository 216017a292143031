/*
 * test_pgmore.c - drafts, presence and the integrity check of the
 * PostgreSQL backend against a real server (run by tests/pg/run_c.sh,
 * which gives the cluster and the login roles in INVED_PG_*).
 *
 * Each test makes a database of its own as the cluster's superuser, has
 * the backend install the schema as the owner role, seeds two orgs
 * (acme: alice admin, bob member; globex: carol admin, dave member), and
 * calls the backend as the members' own roles; the superuser only sets up
 * and reads back what a role cannot see.
 */
#include <check.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgtest.h"

#include "backend.h"
#include "pgmore.h"

static bool sql_fails(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);

	PQclear(r);
	return s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK;
}

/* A fresh database with the schema and two orgs (pgtest.h). */
static void setup(void)
{
	pgtest_fixture_make("m");
}

static void teardown(void)
{
}

static struct draft draft_of(int64_t invoice_id, const char *token,
                             const char *body)
{
	struct draft d;

	memset(&d, 0, sizeof d);
	d.invoice_id = invoice_id;
	snprintf(d.token, sizeof d.token, "%s", token);
	d.base_version = 1;
	snprintf(d.base_body, sizeof d.base_body, "{\"customer\":\"Initech\"}");
	snprintf(d.body, sizeof d.body, "%s", body);
	return d;
}

/* ---- drafts ---------------------------------------------------------------- */

START_TEST(test_draft_version_checked)
{
	struct pg_store *a = pgtest_store_as("bob"), *b = pgtest_store_as("bob");
	struct identity who = pgtest_who(a, NULL);
	int64_t id = pgtest_id_of("ACME-1001"), v1 = 0, v2 = 0, vx = 0;
	struct draft d = draft_of(id, "", "{\"customer\":\"one\"}"), cur, got;
	struct inv_err err = {0};

	ck_assert_int_eq(pgstore_draft_save(a, &who, &d, 0, &v1, &cur, &err),
	                 INV_OK);
	ck_assert_int_eq(v1, 1);
	/* the other terminal of the same operator, still at version 0 */
	snprintf(d.body, sizeof d.body, "{\"customer\":\"two\"}");
	memset(&cur, 0, sizeof cur);
	ck_assert_int_eq(pgstore_draft_save(b, &who, &d, 0, &vx, &cur, &err),
	                 INV_CONFLICT);
	ck_assert_str_eq(cur.body, "{\"customer\":\"one\"}");
	ck_assert_int_eq(cur.version, 1);
	ck_assert(cur.saved_at[0] != '\0');
	/* nothing replaced */
	ck_assert_int_eq(pgstore_draft_load(b, &who, id, NULL, &got, &err),
	                 INV_OK);
	ck_assert_str_eq(got.body, "{\"customer\":\"one\"}");
	ck_assert_str_eq(got.base_body, "{\"customer\":\"Initech\"}");
	ck_assert_int_eq(got.base_version, 1);
	/* with the version it saw it goes on */
	ck_assert_int_eq(pgstore_draft_save(b, &who, &d, 1, &v2, &cur, &err),
	                 INV_OK);
	ck_assert_int_eq(v2, 2);
	ck_assert_int_eq(pgstore_draft_load(a, &who, id, "", &got, &err),
	                 INV_OK);
	ck_assert_str_eq(got.body, "{\"customer\":\"two\"}");
	ck_assert_int_eq(got.version, 2);
	/* a draft is no change: nothing audited */
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM audit"), "3");
	pgstore_close(a);
	pgstore_close(b);
}
END_TEST

START_TEST(test_draft_tokens_and_newest)
{
	struct pg_store *st = pgtest_store_as("bob");
	struct identity who = pgtest_who(st, NULL);
	int64_t id = pgtest_id_of("ACME-1001"), v = 0;
	struct draft d, got;
	struct inv_err err = {0};

	/* an edit form's draft has no token, save the dropped edits' */
	d = draft_of(id, "tok-x", "{}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_INVALID);
	d = draft_of(id, DRAFT_DROPPED, "{\"dropped\":1}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_OK);
	/* a new invoice's draft needs its form's request token */
	d = draft_of(0, "bad token", "{}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_INVALID);
	d = draft_of(0, "", "{}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_INVALID);
	/* invalid UTF-8 is refused */
	d = draft_of(0, "tok-a", "{\"c\":\"\xff\"}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_INVALID);
	d = draft_of(0, "tok-a", "{\"n\":\"a\"}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_OK);
	d = draft_of(0, "tok-b", "{\"n\":\"b\"}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_OK);
	/* NULL token with invoice 0: the newest new-invoice draft */
	ck_assert_int_eq(pgstore_draft_load(st, &who, 0, NULL, &got, &err),
	                 INV_OK);
	ck_assert_str_eq(got.token, "tok-b");
	ck_assert_str_eq(got.body, "{\"n\":\"b\"}");
	/* saving tok-a again makes it the newest */
	d = draft_of(0, "tok-a", "{\"n\":\"a2\"}");
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 1, &v, NULL, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_draft_load(st, &who, 0, NULL, &got, &err),
	                 INV_OK);
	ck_assert_str_eq(got.token, "tok-a");
	/* NULL token with an invoice: the edit form's draft (""), not the
	 * dropped edits */
	ck_assert_int_eq(pgstore_draft_load(st, &who, id, NULL, &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(pgstore_draft_load(st, &who, id, DRAFT_DROPPED, &got,
	                                    &err),
	                 INV_OK);
	ck_assert_str_eq(got.body, "{\"dropped\":1}");
	/* discard one token: the other stays */
	ck_assert_int_eq(pgstore_draft_discard(st, &who, 0, "tok-a", &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_draft_load(st, &who, 0, "tok-a", &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(pgstore_draft_load(st, &who, 0, NULL, &got, &err),
	                 INV_OK);
	ck_assert_str_eq(got.token, "tok-b");
	/* a discarded draft may be started afresh from version 0 */
	ck_assert_int_eq(pgstore_draft_save(st, &who, &d, 0, &v, NULL, &err),
	                 INV_OK);
	ck_assert_int_eq(v, 1);
	pgstore_close(st);
}
END_TEST

START_TEST(test_draft_is_its_user_alone)
{
	struct pg_store *b = pgtest_store_as("bob"), *a = pgtest_store_as("alice");
	struct identity bob = pgtest_who(b, NULL), alice = pgtest_who(a, NULL);
	int64_t id = pgtest_id_of("ACME-1001"), v = 0;
	struct draft d = draft_of(id, "", "{\"secret\":1}"), got;
	struct inv_err err = {0};
	char sql[300];

	ck_assert_int_eq(pgstore_draft_save(b, &bob, &d, 0, &v, NULL, &err),
	                 INV_OK);
	/* alice, an admin of the same org, sees none of bob's drafts */
	ck_assert_int_eq(pgstore_draft_load(a, &alice, id, NULL, &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_str_eq(pgtest_value_as("alice", "SELECT count(*) FROM drafts"), "0");
	ck_assert_str_eq(pgtest_value_as("bob", "SELECT count(*) FROM drafts"), "1");
	/* nor through any client can she write one in his name, nor change
	 * or discard his */
	{
		PGconn *c = pgtest_raw("alice");

		snprintf(sql, sizeof sql,
		         "INSERT INTO drafts (user_id, org_id, invoice_id, "
		         "version, base_version, body) VALUES (%" PRId64
		         ", %" PRId64 ", %" PRId64 ", 1, 1, '{}')",
		         bob.user_id, bob.org_id, id + 1);
		ck_assert(sql_fails(c, sql));
		pgtest_sql_ok(c, "UPDATE drafts SET body = 'x'");
		pgtest_sql_ok(c, "DELETE FROM drafts");
		PQfinish(c);
	}
	/* alice's store call acts on her own drafts only */
	ck_assert_int_eq(pgstore_draft_discard(a, &alice, id, NULL, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_draft_load(b, &bob, id, NULL, &got, &err),
	                 INV_OK);
	ck_assert_str_eq(got.body, "{\"secret\":1}");
	/* a member of another org cannot see it either */
	ck_assert_str_eq(pgtest_value_as("dave", "SELECT count(*) FROM drafts"), "0");
	ck_assert_int_eq(pgstore_draft_discard(b, &bob, id, NULL, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_draft_load(b, &bob, id, NULL, &got, &err),
	                 INV_NOT_FOUND);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM drafts"), "0");
	pgstore_close(a);
	pgstore_close(b);
}
END_TEST

/* ---- presence ------------------------------------------------------------- */

static int listed(struct pg_store *st, const struct identity *who,
                  int64_t invoice_id, struct presence_entry *out)
{
	size_t n = 0;
	struct inv_err err = {0};

	ck_assert_msg(pgstore_presence_list(st, who, invoice_id, out, 8, &n,
	                                    &err) == INV_OK,
	              "list: %s", err.msg);
	return (int)n;
}

START_TEST(test_presence_lists_the_org)
{
	struct pg_store *b = pgtest_store_as("bob"), *a = pgtest_store_as("alice"),
	                *d = pgtest_store_as("dave");
	struct identity bob = pgtest_who(b, NULL), alice = pgtest_who(a, NULL),
	                dave = pgtest_who(d, NULL);
	int64_t id = pgtest_id_of("ACME-1001");
	struct presence_entry e[8];
	struct presence *p = NULL;
	struct inv_err err = {0};

	ck_assert_int_eq(listed(a, &alice, 0, e), 0);
	ck_assert_int_eq(pgstore_presence_enter(b, &bob, id, "screen", &p, &err),
	                 INV_OK);
	ck_assert_int_eq(listed(a, &alice, id, e), 1);
	ck_assert_str_eq(e[0].user, "bob");
	ck_assert_str_eq(e[0].face, "screen");
	ck_assert_int_eq(e[0].invoice_id, id);
	ck_assert_int_eq(e[0].pid, (long)getpid());
	ck_assert_int_eq((int)strlen(e[0].since), 20);
	ck_assert_int_eq(e[0].since[19], 'Z');
	ck_assert_int_eq(listed(a, &alice, 0, e), 1);
	ck_assert_int_eq(listed(a, &alice, id + 1, e), 0);
	/* another org sees nothing, through any client */
	ck_assert_int_eq(listed(d, &dave, 0, e), 0);
	ck_assert_str_eq(pgtest_value_as("dave", "SELECT count(*) FROM presence"), "0");
	/* no client writes the table but through the functions */
	{
		PGconn *c = pgtest_raw("bob");

		char sql[160];

		ck_assert(sql_fails(c, "DELETE FROM presence"));
		/* nor registers in an org it is not a member of */
		snprintf(sql, sizeof sql,
		         "SELECT inved_presence_enter(%" PRId64 ", 1, 'screen', 1)",
		         dave.org_id);
		ck_assert(sql_fails(c, sql));
		ck_assert(sql_fails(c, "INSERT INTO presence (id, org_id, "
		                       "user_name, invoice_id, face, client_pid) "
		                       "VALUES (99, 1, 'carol', 1, 'x', 1)"));
		PQfinish(c);
	}
	pgstore_presence_leave(p);
	ck_assert_int_eq(listed(a, &alice, 0, e), 0);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM presence"), "0");
	pgstore_close(a);
	pgstore_close(b);
	pgstore_close(d);
}
END_TEST

/* Wait for one notification on c; its payload into buf. */
static void next_notify(PGconn *c, char *buf, size_t len)
{
	PGnotify *n;

	for (;;) {
		struct pollfd pfd = {PQsocket(c), POLLIN, 0};

		ck_assert(PQconsumeInput(c) == 1);
		n = PQnotifies(c);
		if (n)
			break;
		ck_assert(poll(&pfd, 1, 60000) == 1);
	}
	snprintf(buf, len, "%s", n->extra);
	PQfreemem(n);
}

/* Entering and leaving wake the org's screens (a NOTIFY with no payload
 * each, as SQLite's presence directory wakes its watchers) yet write no
 * history: no audit row, no feed position. */
START_TEST(test_presence_wakes_the_org_but_writes_no_history)
{
	struct pg_store *b = pgtest_store_as("bob");
	struct identity bob = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1001");
	PGconn *listener = pgtest_raw("alice"), *probe = pgtest_raw("alice");
	struct presence *p = NULL;
	struct inv_err err = {0};
	char sql[120], payload[64], audit[32], heads[64];

	snprintf(audit, sizeof audit, "%s",
	         pgtest_su_value("SELECT count(*) FROM audit"));
	snprintf(heads, sizeof heads, "%s",
	         pgtest_su_value("SELECT string_agg(seq::text, ',' ORDER BY org_id) "
	                  "FROM feed_heads"));
	snprintf(sql, sizeof sql, "LISTEN inved_org_%" PRId64, bob.org_id);
	pgtest_sql_ok(listener, sql);
	ck_assert_int_eq(pgstore_presence_enter(b, &bob, id, "screen", &p, &err),
	                 INV_OK);
	pgstore_presence_leave(p);
	/* notifications arrive in commit order: the registration's and the
	 * leave's come before the probe, committed after them */
	snprintf(sql, sizeof sql, "NOTIFY inved_org_%" PRId64 ", 'probe'",
	         bob.org_id);
	pgtest_sql_ok(probe, sql);
	next_notify(listener, payload, sizeof payload);
	ck_assert_str_eq(payload, "");
	next_notify(listener, payload, sizeof payload);
	ck_assert_str_eq(payload, "");
	next_notify(listener, payload, sizeof payload);
	ck_assert_str_eq(payload, "probe");
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM audit"), audit);
	ck_assert_str_eq(pgtest_su_value("SELECT string_agg(seq::text, ',' "
	                          "ORDER BY org_id) FROM feed_heads"),
	                 heads);
	ck_assert_str_eq(pgtest_su_value("SELECT relpersistence FROM pg_class "
	                          "WHERE relname = 'presence'"),
	                 "u");
	PQfinish(listener);
	PQfinish(probe);
	pgstore_close(b);
}
END_TEST

START_TEST(test_presence_killed_holder_leaves_no_ghost)
{
	struct pg_store *a = pgtest_store_as("alice");
	struct identity alice = pgtest_who(a, NULL);
	int64_t id = pgtest_id_of("ACME-1002");
	struct presence_entry e[8];
	int ready[2];
	char c;
	pid_t child;
	int status, tries;

	ck_assert(pipe(ready) == 0);
	child = fork();
	ck_assert(child >= 0);
	if (child == 0) {
		struct pg_store *b = pgtest_store_as("bob");
		struct identity bob = pgtest_who(b, NULL);
		struct presence *p = NULL;
		struct inv_err err = {0};

		close(ready[0]);
		if (pgstore_presence_enter(b, &bob, id, "screen", &p, &err) !=
		    INV_OK)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	ck_assert(read(ready[0], &c, 1) == 1);
	close(ready[0]);
	ck_assert_int_eq(listed(a, &alice, id, e), 1);
	ck_assert_int_eq(e[0].pid, (long)child);
	kill(child, SIGKILL);
	ck_assert(waitpid(child, &status, 0) == child);
	/* the server notices the closed connection on its own: wait for its
	 * process to end (no time is asserted; the test's timeout bounds it) */
	for (tries = 0; listed(a, &alice, id, e) != 0; tries++)
		usleep(20000);
	/* the row may still be there, but it is no one: the next
	 * registration sweeps it */
	{
		struct pg_store *b = pgtest_store_as("bob");
		struct identity bob = pgtest_who(b, NULL);
		struct presence *p = NULL;
		struct inv_err err = {0};

		ck_assert_int_eq(pgstore_presence_enter(b, &bob, id + 1, "screen",
		                                        &p, &err),
		                 INV_OK);
		ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM presence"), "1");
		ck_assert_int_eq(listed(a, &alice, 0, e), 1);
		ck_assert_int_eq(e[0].invoice_id, id + 1);
		/* closing the connection without leaving: gone too */
		pgstore_close(b);
		free(p);
	}
	for (tries = 0; listed(a, &alice, 0, e) != 0; tries++)
		usleep(20000);
	pgstore_close(a);
}
END_TEST

/* The server ends a terminal's session: its registration goes with the
 * session's lock, and comes back when the store connects again. */
START_TEST(test_presence_comes_back_after_a_reconnect)
{
	struct pg_store *a = pgtest_store_as("alice"), *b = pgtest_store_as("bob");
	struct identity alice = pgtest_who(a, NULL), bob = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1002");
	struct presence_entry e[8];
	struct presence *p = NULL;
	struct inv_err err = {0};
	struct pollfd pfd = {.events = POLLIN};
	bool changed = false;
	char sql[96];

	ck_assert_int_eq(pgstore_presence_enter(b, &bob, id, "screen", &p, &err),
	                 INV_OK);
	pfd.fd = pgstore_wakeup_fd(b);
	ck_assert_int_ge(pfd.fd, 0);
	ck_assert_int_eq(listed(a, &alice, id, e), 1);
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)",
	         PQbackendPID(pgstore_conn(b)));
	ck_assert_str_eq(pgtest_su_value(sql), "t");
	while (listed(a, &alice, id, e) != 0)
		usleep(20000);
	ck_assert_int_eq(poll(&pfd, 1, 60000), 1);
	ck_assert_int_eq(pgstore_wakeup_check(b, &changed, &err), INV_OK);
	ck_assert(changed);
	ck_assert_int_eq(listed(a, &alice, id, e), 1);
	ck_assert_str_eq(e[0].user, "bob");
	pgstore_presence_leave(p);
	ck_assert_int_eq(listed(a, &alice, id, e), 0);
	pgstore_close(b);
	pgstore_close(a);
}
END_TEST


/* ---- check and repair ---------------------------------------------------- */

static struct check_report report;

/* Run the check as user (NULL: the owner, with no identity); the number of
 * findings. */
static size_t checked(const char *user)
{
	struct pg_store *st = pgtest_store_as(user ? user : pgtest_env("INVED_PG_OWNER"));
	struct identity who;
	struct inv_err err = {0};

	if (user)
		who = pgtest_who(st, NULL);
	ck_assert_msg(pgstore_check_run(st, user ? &who : NULL, &report,
	                                &err) == INV_OK,
	              "check: %s", err.msg);
	pgstore_close(st);
	return report.n;
}

static bool found(enum check_kind kind, const char *object)
{
	size_t i;

	for (i = 0; i < report.n; i++)
		if (report.f[i].kind == kind &&
		    strcmp(report.f[i].object, object) == 0)
			return true;
	return false;
}

static size_t schema_findings(void)
{
	size_t i, n = 0;

	for (i = 0; i < report.n; i++)
		n += report.f[i].kind == CHECK_SCHEMA_MISSING ||
		     report.f[i].kind == CHECK_SCHEMA_ALTERED ||
		     report.f[i].kind == CHECK_SCHEMA_EXTRA;
	return n;
}

static void dump(void)
{
	size_t i;

	for (i = 0; i < report.n; i++)
		fprintf(stderr, "finding %s %s: %s\n",
		        check_kind_name(report.f[i].kind), report.f[i].object,
		        report.f[i].msg);
}

static struct inv_err repair_err;

static enum inv_rc repair_as(const char *user)
{
	struct pg_store *st = pgtest_store_as(user ? user : pgtest_env("INVED_PG_OWNER"));
	struct identity who;
	struct inv_err *err = &repair_err;
	enum inv_rc rc;

	if (user)
		who = pgtest_who(st, NULL);
	rc = pgstore_check_repair(st, user ? &who : NULL, &report, err);
	pgstore_close(st);
	return rc;
}

START_TEST(test_check_clean_for_every_role)
{
	/* with a deleted invoice, which a member does not see */
	{
		PGconn *c = pgtest_raw("alice");

		pgtest_sql_ok(c, "UPDATE invoices SET deleted_at = now(), "
		          "version = version + 1 WHERE number = 'ACME-1002'");
		PQfinish(c);
	}
	if (checked("bob") != 0)
		dump();
	ck_assert_uint_eq(checked("bob"), 0);
	ck_assert_uint_eq(checked("alice"), 0);
	ck_assert_uint_eq(checked("dave"), 0);
	ck_assert_uint_eq(checked(NULL), 0);
}
END_TEST

START_TEST(test_check_finds_and_repairs_the_schema)
{
	const char *count_sql = "SELECT count(*) FROM audit";
	char audit[32];

	pgtest_su_exec("DROP TRIGGER invoices_after_update ON invoices;"
	        "CREATE OR REPLACE FUNCTION inved_time_text(p timestamptz) "
	        "RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'x' $$;"
	        "CREATE FUNCTION sneak() RETURNS trigger LANGUAGE plpgsql AS "
	        "$$ BEGIN RETURN NULL; END $$;"
	        "CREATE TRIGGER sneak BEFORE UPDATE ON invoices "
	        "FOR EACH ROW EXECUTE FUNCTION sneak();"
	        "DROP INDEX invoices_org_page;"
	        "CREATE INDEX sneak_idx ON invoices(customer);"
	        "CREATE POLICY sneak_pol ON invoices USING (true);"
	        "ALTER TABLE drafts NO FORCE ROW LEVEL SECURITY;"
	        "DROP POLICY presence_tenancy ON presence");
	snprintf(audit, sizeof audit, "%s", pgtest_su_value(count_sql));
	checked("bob");
	ck_assert(found(CHECK_SCHEMA_MISSING, "trigger invoices_after_update"));
	ck_assert(found(CHECK_SCHEMA_ALTERED, "function inved_time_text"));
	ck_assert(found(CHECK_SCHEMA_EXTRA, "trigger sneak"));
	ck_assert(found(CHECK_SCHEMA_MISSING, "index invoices_org_page"));
	ck_assert(found(CHECK_SCHEMA_EXTRA, "index sneak_idx"));
	ck_assert(found(CHECK_SCHEMA_EXTRA, "policy sneak_pol"));
	ck_assert(found(CHECK_SCHEMA_ALTERED, "row security drafts"));
	ck_assert(found(CHECK_SCHEMA_MISSING, "policy presence_tenancy"));
	ck_assert_uint_eq(schema_findings(), 8);
	/* the extra policy shows bob globex's invoice, but not its history */
	ck_assert_uint_eq(report.n, 9);
	/* a member may not repair, nor an admin whose role does not own the
	 * schema; nothing changes */
	ck_assert_int_eq(repair_as("bob"), INV_FORBIDDEN);
	ck_assert_int_eq(repair_as("alice"), INV_FORBIDDEN);
	ck_assert_msg(strstr(repair_err.msg, pgtest_env("INVED_PG_OWNER")) != NULL,
	              "%s", repair_err.msg);
	checked("alice");
	ck_assert_uint_eq(schema_findings(), 8);
	/* the owner puts it right */
	ck_assert_int_eq(repair_as(NULL), INV_OK);
	ck_assert_uint_eq(report.nrepaired, 8);
	if (report.n)
		dump();
	ck_assert_uint_eq(report.n, 0);
	ck_assert_uint_eq(checked("bob"), 0);
	ck_assert_str_eq(pgtest_su_value("SELECT relforcerowsecurity FROM pg_class "
	                          "WHERE relname = 'drafts'"),
	                 "t");
	/* the reinstalled function is no one's to call but the triggers' */
	ck_assert_str_eq(pgtest_su_value("SELECT has_function_privilege('bob', "
	                          "'inved_writer(bigint, text)', 'EXECUTE')"),
	                 "f");
	/* the repair wrote no history */
	ck_assert_str_eq(pgtest_su_value(count_sql), audit);
	/* and the reinstalled trigger audits again */
	{
		PGconn *c = pgtest_raw("bob");

		pgtest_sql_ok(c, "UPDATE invoices SET customer = 'Initrode', "
		          "version = version + 1 WHERE number = 'ACME-1001'");
		PQfinish(c);
	}
	ck_assert_int_eq(strtoll(pgtest_su_value(count_sql), NULL, 10),
	                 strtoll(audit, NULL, 10) + 1);
	ck_assert_uint_eq(checked("bob"), 0);
}
END_TEST

START_TEST(test_check_history_and_totals_reported_never_touched)
{
	char sql[400], label[64], label1[64];
	int64_t id = pgtest_id_of("ACME-1002"), id1 = pgtest_id_of("ACME-1001");

	{
		PGconn *c = pgtest_raw("bob");

		pgtest_sql_ok(c, "UPDATE invoices SET customer = 'Initrode', "
		          "version = version + 1 WHERE number = 'ACME-1001'");
		pgtest_sql_ok(c, "UPDATE invoices SET customer = 'Initech', "
		          "version = version + 1 WHERE number = 'ACME-1001'");
		PQfinish(c);
	}
	snprintf(sql, sizeof sql,
	         "SET session_replication_role = replica;"
	         "UPDATE audit SET from_version = 5, to_version = 6 "
	         "WHERE seq = (SELECT max(seq) - 1 FROM audit "
	         "WHERE subject_id = %" PRId64 ");", id1);
	pgtest_su_exec(sql);
	snprintf(sql, sizeof sql,
	         "SET session_replication_role = replica;"
	         "UPDATE audit SET to_version = 7 WHERE subject_id = %" PRId64
	         ";"
	         "UPDATE totals SET count = count + 2 WHERE currency = 'EUR' "
	         "AND state = 'active' AND org_id = (SELECT id FROM orgs "
	         "WHERE name = 'acme')",
	         id);
	pgtest_su_exec(sql);
	checked("bob");
	snprintf(label, sizeof label, "invoice %" PRId64 " (ACME-1002)", id);
	ck_assert(found(CHECK_HISTORY, label));
	snprintf(label1, sizeof label1, "invoice %" PRId64 " (ACME-1001)", id1);
	/* both ends of the altered row: 1 -> 5, then 6 -> 2 */
	ck_assert(found(CHECK_HISTORY, label1));
	ck_assert(found(CHECK_TOTALS, "totals acme active EUR"));
	ck_assert_uint_eq(report.n, 4);
	/* globex's member sees none of acme's damage */
	ck_assert_uint_eq(checked("dave"), 0);
	/* the repair reports it and leaves it */
	ck_assert_int_eq(repair_as(NULL), INV_OK);
	ck_assert_uint_eq(report.nrepaired, 0);
	ck_assert_uint_eq(report.n, 4);
	snprintf(sql, sizeof sql,
	         "SELECT to_version FROM audit WHERE subject_id = %" PRId64, id);
	ck_assert_str_eq(pgtest_su_value(sql), "7");
	ck_assert_str_eq(pgtest_su_value("SELECT count FROM totals t JOIN orgs o "
	                          "ON o.id = t.org_id WHERE o.name = 'acme' "
	                          "AND state = 'active'"),
	                 "4");
}
END_TEST

/* In a demo database the owner's connection acts for the user --user
 * names: presence names that user, and repairing is for an admin even
 * though the connection owns the schema. */
START_TEST(test_demo_acts_for_its_user)
{
	char sql[160];
	PGconn *c = pgtest_raw("postgres");
	struct pg_store *st;
	struct identity bob, alice;
	struct presence_entry e[8];
	struct presence *p = NULL;
	struct inv_err err = {0};

	snprintf(sql, sizeof sql, "CREATE DATABASE %s_d OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	strcat(pgtest_db, "_d");
	{
		char uri[512];

		pgtest_uri(uri, sizeof uri, pgtest_db, pgtest_env("INVED_PG_OWNER"));
		ck_assert(pgstore_open(uri, STORE_OPEN_CREATE, 0, &st, &err) ==
		          INV_OK);
		pgstore_close(st);
	}
	c = pgtest_raw(pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, "INSERT INTO meta VALUES ('demo', '1');"
	          "INSERT INTO orgs (name, prefix) VALUES ('acme', 'ACME-');"
	          "INSERT INTO users (name) VALUES ('alice'), ('bob');"
	          "INSERT INTO memberships SELECT u.id, o.id, "
	          "CASE u.name WHEN 'alice' THEN 'admin' ELSE 'member' END "
	          "FROM users u, orgs o");
	PQfinish(c);
	st = pgtest_store_as(pgtest_env("INVED_PG_OWNER"));
	ck_assert(pgstore_is_demo(st));
	ck_assert_int_eq(pgstore_identity(st, "bob", NULL, &bob, &err), INV_OK);
	ck_assert_int_eq(pgstore_identity(st, "alice", NULL, &alice, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_presence_enter(st, &bob, 0, "screen", &p, &err),
	                 INV_OK);
	ck_assert_int_eq(listed(st, &alice, 0, e), 1);
	ck_assert_str_eq(e[0].user, "bob");
	pgstore_presence_leave(p);
	ck_assert_int_eq(pgstore_check_repair(st, &bob, &report, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_check_repair(st, &alice, &report, &err),
	                 INV_OK);
	ck_assert_uint_eq(report.n, 0);
	pgstore_close(st);
}
END_TEST

static Suite *pgmore_suite(void)
{
	Suite *s = suite_create("pgmore");
	TCase *tc = tcase_create("drafts-presence-check");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_draft_version_checked);
	tcase_add_test(tc, test_draft_tokens_and_newest);
	tcase_add_test(tc, test_draft_is_its_user_alone);
	tcase_add_test(tc, test_presence_lists_the_org);
	tcase_add_test(tc, test_presence_wakes_the_org_but_writes_no_history);
	tcase_add_test(tc, test_presence_killed_holder_leaves_no_ghost);
	tcase_add_test(tc, test_presence_comes_back_after_a_reconnect);
	tcase_add_test(tc, test_check_clean_for_every_role);
	tcase_add_test(tc, test_check_finds_and_repairs_the_schema);
	tcase_add_test(tc, test_check_history_and_totals_reported_never_touched);
	tcase_add_test(tc, test_demo_acts_for_its_user);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pgmore_suite());
	int failed;

	srand((unsigned)getpid());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
