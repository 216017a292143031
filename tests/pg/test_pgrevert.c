/*
 * test_pgrevert.c - revert on the PostgreSQL backend, and a guarded write
 * whose COMMIT's outcome is unknown, against a real server (run by
 * tests/pg/run_c.sh, which gives the cluster and the login roles in
 * INVED_PG_*).
 *
 * Each test makes a database of its own as the cluster's superuser, has
 * the backend install the schema as the owner role, seeds two orgs (acme:
 * alice admin, bob member; globex: carol admin, dave member) and calls the
 * backend as the members' own roles; the superuser only sets up and reads
 * back.  Revert is compared with the SQLite backend run through the same
 * store calls; the unknown outcome is made by the test-only fault of
 * INVED_PG_FAULT (pgmore.h).
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgtest.h"

#include "backend.h"
#include "pgmore.h"
#include "store_demo.h"

/* A fresh database with the schema and two orgs (pgtest.h). */
static void setup(void)
{
	pgtest_fixture_make("m");
}

static void teardown(void)
{
}


static struct write_result edit_ok(struct pg_store *st,
                                   const struct identity *who, int64_t id,
                                   int64_t version, struct invoice_input in,
                                   int flags)
{
	struct write_result res;
	struct inv_err err = {0};
	enum inv_rc rc = pgstore_edit_fields(st, who, id, version, &in,
	                                     MF_ALL | MF_NUMBER, flags, &res,
	                                     &err);

	ck_assert_msg(rc == INV_OK, "edit: %s", err.msg);
	return res;
}

/* The number of the invoice's audit rows that meet `also` (SQL, "TRUE"
 * for all). */
static long long audits(int64_t id, const char *also)
{
	char sql[400];

	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM audit WHERE subject_id = %lld AND (%s)",
	         (long long)id, also);
	return strtoll(pgtest_su_value(sql), NULL, 10);
}

/* ---- revert -------------------------------------------------------------- */

START_TEST(test_revert_restores_the_fields_audited_and_fed)
{
	struct pg_store *a = pgtest_store_as("alice"), *b = pgtest_store_as("bob");
	struct identity wa = pgtest_who(a, NULL), wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1001");
	struct revert_plan plan;
	struct write_result res;
	struct audit_entry tail;
	struct change ch[4];
	struct summary kept, recount;
	struct inv_err err = {0};
	size_t n = 0;

	edit_ok(a, &wa, id, 1, (struct invoice_input){.customer = "Initech AG",
	        .status = "sent", .total = "1300.00", .currency = "USD"}, 0);
	edit_ok(b, &wb, id, 2, (struct invoice_input){.number = "ACME-1101"}, 0);
	/* the plan: every part back, and who set each value it replaces */
	ck_assert_int_eq(pgstore_revert_plan(b, &wb, id, 1, &plan, &err),
	                 INV_OK);
	ck_assert_int_eq(plan.current.version, 3);
	for (int p = 0; p < REVERT__COUNT; p++)
		ck_assert(plan.changes[p]);
	ck_assert_str_eq(plan.set_by[REVERT_NUMBER], "bob");
	ck_assert_int_eq(plan.set_in[REVERT_NUMBER], 3);
	ck_assert_str_eq(plan.set_by[REVERT_CUSTOMER], "alice");
	ck_assert_int_eq(plan.set_in[REVERT_CUSTOMER], 2);
	ck_assert_str_eq(plan.set_by[REVERT_MONEY], "alice");
	ck_assert_str_eq(plan.target.number, "ACME-1001");
	ck_assert_str_eq(plan.target.customer, "Initech");
	ck_assert_int_eq(plan.target.status, ST_DRAFT);
	ck_assert_int_eq(plan.target.total_minor, 125000);
	ck_assert_str_eq(plan.target.currency, "EUR");
	/* the plan wrote nothing and left no transaction open */
	ck_assert_int_eq(audits(id, "TRUE"), 3);
	ck_assert_int_eq(PQtransactionStatus(pgstore_conn(b)), PQTRANS_IDLE);

	memset(&plan, 0, sizeof plan);
	ck_assert_msg(pgstore_revert(b, &wb, id, 1, 3, &plan, &res, &err) ==
	                      INV_OK,
	              "%s", err.msg);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, 4);
	ck_assert_str_eq(res.row.number, "ACME-1001");
	ck_assert_str_eq(res.row.customer, "Initech");
	ck_assert_int_eq(res.row.status, ST_DRAFT);
	ck_assert_int_eq(res.row.total_minor, 125000);
	ck_assert_str_eq(res.row.currency, "EUR");
	ck_assert_str_eq(plan.set_by[REVERT_NUMBER], "bob");
	ck_assert_str_eq(pgtest_su_value("SELECT number || ' ' || customer || ' ' || "
	                          "status || ' ' || total_minor || ' ' || "
	                          "currency || ' ' || version FROM invoices "
	                          "WHERE number = 'ACME-1001'"),
	                 "ACME-1001 Initech draft 125000 EUR 4");
	/* one audit row, the revert's, which is the feed's row too */
	ck_assert_int_eq(audits(id, "TRUE"), 4);
	ck_assert_int_eq(pgstore_audit_tail(b, &wb, id, &tail, 1, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(tail.action, "invoice.revert");
	ck_assert_str_eq(tail.actor, "bob");
	ck_assert_int_eq(tail.from_version, 3);
	ck_assert_int_eq(tail.to_version, 4);
	ck_assert_int_eq(tail.seq, res.audit_seq);
	ck_assert_int_eq(res.change_seq, res.audit_seq);
	ck_assert_int_eq(pgstore_changes_since(a, &wa, res.audit_seq - 1, ch, 4,
	                                       &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ch[0].action, "invoice.revert");
	ck_assert_int_eq(ch[0].invoice_id, id);
	ck_assert_int_eq(ch[0].to_version, 4);
	/* the totals moved with it */
	ck_assert_int_eq(pgstore_summary(a, &wa, &kept, &err), INV_OK);
	ck_assert_int_eq(pgstore_summary_recount(a, &wa, &recount, &err),
	                 INV_OK);
	ck_assert_uint_eq(kept.ncur, recount.ncur);
	ck_assert_uint_eq(kept.ncur, 1);
	ck_assert_str_eq(kept.cur[0].currency, "EUR");
	ck_assert_int_eq(kept.cur[0].total_minor, 130000);
	ck_assert_int_eq(recount.cur[0].total_minor, 130000);
	pgstore_close(a);
	pgstore_close(b);
}
END_TEST

START_TEST(test_stale_revert_is_a_conflict_with_the_current_row)
{
	struct pg_store *a = pgtest_store_as("alice"), *b = pgtest_store_as("bob");
	struct identity wa = pgtest_who(a, NULL), wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1002");
	struct write_result res;
	struct inv_err err = {0};

	edit_ok(b, &wb, id, 1, (struct invoice_input){.total = "60.00"}, 0);
	edit_ok(b, &wb, id, 2, (struct invoice_input){.status = "paid"}, 0);
	ck_assert_int_eq(pgstore_revert(a, &wa, id, 1, 2, NULL, &res, &err),
	                 INV_CONFLICT);
	ck_assert_str_eq(err.msg, "invoice ACME-1002 changed elsewhere (now "
	                          "version 3); reload it and retry");
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, 3);
	ck_assert_int_eq(res.row.status, ST_PAID);
	ck_assert_int_eq(res.row.total_minor, 6000);
	/* nothing written, no transaction left open */
	ck_assert_int_eq(audits(id, "TRUE"), 3);
	ck_assert_str_eq(pgtest_su_value("SELECT version FROM invoices "
	                          "WHERE number = 'ACME-1002'"), "3");
	ck_assert_int_eq(PQtransactionStatus(pgstore_conn(a)), PQTRANS_IDLE);
	/* at the version it saw, the same revert goes through */
	ck_assert_int_eq(pgstore_revert(a, &wa, id, 1, 3, NULL, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(res.row.version, 4);
	ck_assert_int_eq(res.row.status, ST_DRAFT);
	ck_assert_int_eq(res.row.total_minor, 5000);
	pgstore_close(a);
	pgstore_close(b);
}
END_TEST

/* An admin's overwrite is undone by a member's revert, which names who
 * set each value; the lifecycle is never reverted; a deleted invoice is
 * not there to revert, for the admin as for the member. */
START_TEST(test_revert_of_an_overwrite_and_the_roles)
{
	struct pg_store *a = pgtest_store_as("alice"), *b = pgtest_store_as("bob");
	struct identity wa = pgtest_who(a, NULL), wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1002");
	struct revert_plan plan;
	struct write_result res;
	struct audit_entry tail;
	struct inv_err err = {0};
	size_t n = 0;

	edit_ok(b, &wb, id, 1, (struct invoice_input){.total = "1300"}, 0);
	/* alice overwrites from a stale copy: her total replaces bob's */
	res = edit_ok(a, &wa, id, 1, (struct invoice_input){.total = "999",
	              .customer = "Umbrella AG"}, WRITE_OVERWRITE);
	ck_assert_int_eq(res.row.version, 3);
	ck_assert_int_eq(pgstore_audit_tail(a, &wa, id, &tail, 1, &n, &err),
	                 INV_OK);
	ck_assert_str_eq(tail.action, "invoice.overwrite");
	/* a member may not overwrite, so a member's revert is guarded by
	 * the version */
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 2, 2, NULL, &res, &err),
	                 INV_CONFLICT);
	ck_assert_int_eq(pgstore_revert_plan(b, &wb, id, 2, &plan, &err),
	                 INV_OK);
	ck_assert(plan.changes[REVERT_MONEY]);
	ck_assert(plan.changes[REVERT_CUSTOMER]);
	ck_assert(!plan.changes[REVERT_STATUS]);
	ck_assert(!plan.changes[REVERT_NUMBER]);
	ck_assert_str_eq(plan.set_by[REVERT_MONEY], "alice");
	ck_assert_int_eq(plan.set_in[REVERT_MONEY], 3);
	ck_assert_int_eq(plan.target.total_minor, 130000);
	ck_assert_str_eq(plan.target.customer, "Umbrella");
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 2, 3, NULL, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(res.row.version, 4);
	ck_assert_int_eq(res.row.total_minor, 130000);
	ck_assert_str_eq(res.row.customer, "Umbrella");
	ck_assert_int_eq(pgstore_audit_tail(b, &wb, id, &tail, 1, &n, &err),
	                 INV_OK);
	ck_assert_str_eq(tail.action, "invoice.revert");
	ck_assert_str_eq(tail.actor, "bob");
	ck_assert_ptr_nonnull(strstr(tail.detail, "\"old\":99900"));
	/* the lifecycle stays as it is */
	ck_assert_int_eq(pgstore_lifecycle(b, &wb, RULE_ARCHIVE, id, 4, &res,
	                                   &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 1, 5, NULL, &res, &err),
	                 INV_OK);
	ck_assert(res.row.archived_at[0] != '\0');
	ck_assert_int_eq(res.row.total_minor, 5000);
	/* deleted: not found for either role, plan or write */
	ck_assert_int_eq(pgstore_lifecycle(a, &wa, RULE_DELETE, id, 6, &res,
	                                   &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_revert(a, &wa, id, 1, 7, NULL, &res, &err),
	                 INV_NOT_FOUND);
	ck_assert(!res.have_row);
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 1, 7, NULL, &res, &err),
	                 INV_NOT_FOUND);
	ck_assert(!res.have_row);
	ck_assert_int_eq(pgstore_revert_plan(b, &wb, id, 1, &plan, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(audits(id, "TRUE"), 7);
	pgstore_close(a);
	pgstore_close(b);
}
END_TEST

START_TEST(test_revert_of_another_orgs_invoice_is_not_found)
{
	struct pg_store *c = pgtest_store_as("carol"), *d = pgtest_store_as("dave");
	struct pg_store *a = pgtest_store_as("alice");
	struct identity wc = pgtest_who(c, NULL), wd = pgtest_who(d, NULL);
	struct identity wa = pgtest_who(a, NULL);
	int64_t acme = pgtest_id_of("ACME-1001"), globex = pgtest_id_of("GLOBEX-1001");
	struct revert_plan plan;
	struct write_result res;
	struct identity forged;
	struct inv_err err = {0};

	edit_ok(a, &wa, acme, 1, (struct invoice_input){.customer = "X"}, 0);
	ck_assert_int_eq(pgstore_revert(c, &wc, acme, 1, 2, NULL, &res, &err),
	                 INV_NOT_FOUND);
	ck_assert(!res.have_row);
	ck_assert_int_eq(pgstore_revert_plan(d, &wd, acme, 1, &plan, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(pgstore_revert(a, &wa, globex, 1, 1, NULL, &res, &err),
	                 INV_NOT_FOUND);
	/* an identity naming acme on carol's connection: row security
	 * still hides acme's rows from her role */
	forged = wc;
	forged.org_id = wa.org_id;
	ck_assert_int_eq(pgstore_revert(c, &forged, acme, 1, 2, NULL, &res,
	                                &err),
	                 INV_NOT_FOUND);
	ck_assert_str_eq(pgtest_su_value("SELECT customer || ' ' || version FROM "
	                          "invoices WHERE number = 'ACME-1001'"),
	                 "X 2");
	pgstore_close(a);
	pgstore_close(c);
	pgstore_close(d);
}
END_TEST

/* The history is read from the audit's JSON: a value that is missing, or
 * no integer where money is, is a gap, said as SQLite says it. */
START_TEST(test_revert_with_a_gap_or_damage_in_the_history)
{
	struct pg_store *b = pgtest_store_as("bob");
	struct identity wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1001"), id2 = pgtest_id_of("ACME-1002");
	struct write_result res;
	struct inv_err err = {0};
	char sql[400];

	edit_ok(b, &wb, id, 1, (struct invoice_input){.customer = "Z"}, 0);
	edit_ok(b, &wb, id2, 1, (struct invoice_input){.customer = "Z"}, 0);
	/* a superuser lifts the append-only guard, damages the creation's
	 * rows and puts the guard back */
	snprintf(sql, sizeof sql,
	         "ALTER TABLE audit DISABLE TRIGGER audit_before_update;"
	         "DELETE FROM audit WHERE subject_id = %lld "
	         "AND from_version = 0;"
	         "UPDATE audit SET detail = replace(detail, "
	         "'\"total_minor\": {\"new\": 5000', "
	         "'\"total_minor\": {\"new\": 50.5') WHERE subject_id = %lld "
	         "AND from_version = 0;"
	         "ALTER TABLE audit ENABLE TRIGGER audit_before_update",
	         (long long)id, (long long)id2);
	pgtest_su_exec(sql);
	ck_assert_ptr_nonnull(strstr(pgtest_value_as(pgtest_env("INVED_PG_OWNER"),
		"SELECT detail FROM audit WHERE from_version = 0 AND "
		"subject_id = (SELECT id FROM invoices WHERE number = "
		"'ACME-1002')"), "50.5"));
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 1, 2, NULL, &res, &err),
	                 INV_INVALID);
	ck_assert_str_eq(err.field, "to_version");
	ck_assert_str_eq(err.msg, "the history of invoice ACME-1001 does not "
	                          "hold its values at version 1; `inved "
	                          "check` tells what is missing");
	ck_assert_int_eq(pgstore_revert(b, &wb, id2, 1, 2, NULL, &res, &err),
	                 INV_INVALID);
	ck_assert_ptr_nonnull(strstr(err.msg, "does not hold"));
	ck_assert_str_eq(pgtest_su_value("SELECT string_agg(version::text, ' ' "
	                          "ORDER BY id) FROM invoices "
	                          "WHERE number LIKE 'ACME-%'"),
	                 "2 2");
	pgstore_close(b);
}
END_TEST

/* A row lock held past the busy timeout: busy, nothing written. */
START_TEST(test_revert_behind_a_held_lock_is_busy)
{
	char uri[512], sql[200];
	struct pg_store *b = NULL;
	struct identity wb;
	int64_t id = pgtest_id_of("ACME-1001");
	struct write_result res;
	struct inv_err err = {0};
	PGconn *holder;

	pgtest_uri(uri, sizeof uri, pgtest_db, "bob");
	ck_assert_int_eq(pgstore_open(uri, STORE_OPEN_EXISTING, 200, &b, &err),
	                 INV_OK);
	wb = pgtest_who(b, NULL);
	edit_ok(b, &wb, id, 1, (struct invoice_input){.customer = "Held"}, 0);
	holder = pgtest_raw("alice");
	snprintf(sql, sizeof sql,
	         "BEGIN; SELECT id FROM invoices WHERE id = %lld FOR UPDATE",
	         (long long)id);
	pgtest_sql_ok(holder, sql);
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 1, 2, NULL, &res, &err),
	                 INV_BUSY);
	ck_assert_ptr_nonnull(strstr(err.msg, "stayed locked by another writer "
	                                      "for more than 200 ms"));
	ck_assert(!res.have_row);
	pgtest_sql_ok(holder, "ROLLBACK");
	PQfinish(holder);
	ck_assert_int_eq(audits(id, "TRUE"), 2);
	ck_assert_int_eq(PQtransactionStatus(pgstore_conn(b)), PQTRANS_IDLE);
	ck_assert_int_eq(pgstore_revert(b, &wb, id, 1, 2, NULL, &res, &err),
	                 INV_OK);
	pgstore_close(b);
}
END_TEST

/* ---- the same revert on both backends ------------------------------------ */

/* What a revert scenario told, for comparing the two backends. */
struct told {
	struct revert_plan p2, p1;
	struct invoice row, after_stale;
	enum inv_rc rc[8];
	char msg[8][sizeof ((struct inv_err *)0)->msg];
	struct audit_entry tail;
};

static void scenario(struct store *sa, struct store *sb, struct store *sc,
                     const struct identity *wa, const struct identity *wb,
                     const struct identity *wc, struct told *t)
{
	struct invoice_input in = {.customer = "Acme Tools", .total = "100.00",
	                           .currency = "EUR"};
	struct write_result res;
	struct inv_err err;
	struct revert_plan plan;
	int64_t id;
	size_t n = 0;
	int k = 0;

	memset(t, 0, sizeof *t);
#define TOLD(call) (t->rc[k] = (call), snprintf(t->msg[k], sizeof t->msg[k], \
                    "%s", err.msg), k++)
	ck_assert_msg(store_create(sa, wa, "tok-1", "ACME-7001", &in, &res,
	                           &err) == INV_OK, "%s", err.msg);
	id = res.row.id;
	ck_assert_int_eq(store_edit(sb, wb, id, 1, &(struct invoice_input){
	                 .total = "130.00", .status = "sent"}, 0, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(store_edit(sa, wa, id, 1, &(struct invoice_input){
	                 .total = "999", .customer = "Tools AG"},
	                 WRITE_OVERWRITE, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(store_edit(sb, wb, id, 3, &(struct invoice_input){
	                 .number = "ACME-7002"}, 0, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(store_revert_plan(sb, wb, id, 2, &t->p2, &err),
	                 INV_OK);
	ck_assert_int_eq(store_revert_plan(sb, wb, id, 1, &t->p1, &err),
	                 INV_OK);
	TOLD(store_revert_plan(sb, wb, id, 4, &plan, &err));
	TOLD(store_revert_plan(sb, wb, id, 0, &plan, &err));
	TOLD(store_revert(sb, wb, id, 1, 3, NULL, &res, &err));
	t->after_stale = res.row;
	TOLD(store_revert(sb, wb, id, 2, 4, NULL, &res, &err));
	t->row = res.row;
	TOLD(store_revert(sb, wb, id, 2, 5, NULL, &res, &err));
	TOLD(store_revert(sb, wb, id, 9, 5, NULL, &res, &err));
	TOLD(store_revert(sc, wc, id, 1, 5, NULL, &res, &err));
#undef TOLD
	ck_assert_int_eq(store_audit_tail(sb, wb, id, &t->tail, 1, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
}

static void same_plan(const struct revert_plan *p, const struct revert_plan *q)
{
	ck_assert_int_eq(p->to_version, q->to_version);
	ck_assert_int_eq(p->current.version, q->current.version);
	ck_assert_str_eq(p->target.number, q->target.number);
	ck_assert_str_eq(p->target.customer, q->target.customer);
	ck_assert_int_eq(p->target.status, q->target.status);
	ck_assert_int_eq(p->target.total_minor, q->target.total_minor);
	ck_assert_str_eq(p->target.currency, q->target.currency);
	for (int i = 0; i < REVERT__COUNT; i++) {
		ck_assert_int_eq(p->changes[i], q->changes[i]);
		ck_assert_str_eq(p->set_by[i], q->set_by[i]);
		ck_assert_int_eq(p->set_in[i], q->set_in[i]);
	}
}

START_TEST(test_revert_as_on_sqlite)
{
	char uri[512], path[] = "/tmp/inved-revert-XXXXXX";
	struct store_options mk = {STORE_OPEN_CREATE, 0};
	struct store_options ex = {STORE_OPEN_EXISTING, 0};
	struct store *sq = NULL, *pa = NULL, *pb = NULL, *pc = NULL;
	struct identity qa, qb, qc, wa, wb, wc;
	struct told pg, sl;
	struct inv_err err = {0};
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	/* the demo's orgs and members (a demo database lets a session name
	 * its user, as the roles do on the server) */
	ck_assert_msg(store_open(path, &mk, &sq, &err) == INV_OK, "%s", err.msg);
	ck_assert_msg(store_seed_demo(sq, &err) == INV_OK, "%s", err.msg);
	ck_assert_int_eq(store_identity(sq, "alice", NULL, &qa, &err), INV_OK);
	ck_assert_int_eq(store_identity(sq, "bob", NULL, &qb, &err), INV_OK);
	ck_assert_int_eq(store_identity(sq, "carol", NULL, &qc, &err), INV_OK);
	scenario(sq, sq, sq, &qa, &qb, &qc, &sl);
	store_close(sq);
	unlink(path);

	pgtest_uri(uri, sizeof uri, pgtest_db, "alice");
	ck_assert_int_eq(store_open(uri, &ex, &pa, &err), INV_OK);
	pgtest_uri(uri, sizeof uri, pgtest_db, "bob");
	ck_assert_int_eq(store_open(uri, &ex, &pb, &err), INV_OK);
	pgtest_uri(uri, sizeof uri, pgtest_db, "carol");
	ck_assert_int_eq(store_open(uri, &ex, &pc, &err), INV_OK);
	ck_assert_int_eq(store_identity(pa, NULL, NULL, &wa, &err), INV_OK);
	ck_assert_int_eq(store_identity(pb, NULL, NULL, &wb, &err), INV_OK);
	ck_assert_int_eq(store_identity(pc, NULL, NULL, &wc, &err), INV_OK);
	/* each member's calls go through the member's own connection */
	scenario(pa, pb, pc, &wa, &wb, &wc, &pg);
	store_close(pa);
	store_close(pb);
	store_close(pc);

	same_plan(&pg.p2, &sl.p2);
	same_plan(&pg.p1, &sl.p1);
	ck_assert_str_eq(pg.p2.set_by[REVERT_MONEY], "alice");
	ck_assert_str_eq(pg.p1.set_by[REVERT_NUMBER], "bob");
	for (int k = 0; k < 7; k++) {
		ck_assert_int_eq(pg.rc[k], sl.rc[k]);
		if (pg.rc[k] != INV_OK && pg.rc[k] != INV_NOT_FOUND)
			ck_assert_str_eq(pg.msg[k], sl.msg[k]);
	}
	ck_assert_int_eq(pg.rc[2], INV_CONFLICT);
	ck_assert_int_eq(pg.after_stale.version, sl.after_stale.version);
	ck_assert_int_eq(pg.rc[3], INV_OK);
	ck_assert_int_eq(pg.rc[4], INV_INVALID);
	ck_assert_int_eq(pg.rc[6], INV_NOT_FOUND);
	ck_assert_str_eq(pg.row.number, sl.row.number);
	ck_assert_str_eq(pg.row.customer, sl.row.customer);
	ck_assert_int_eq(pg.row.status, sl.row.status);
	ck_assert_int_eq(pg.row.total_minor, sl.row.total_minor);
	ck_assert_str_eq(pg.row.currency, sl.row.currency);
	ck_assert_int_eq(pg.row.version, sl.row.version);
	ck_assert_str_eq(pg.tail.action, sl.tail.action);
	ck_assert_str_eq(pg.tail.actor, sl.tail.actor);
	ck_assert_int_eq(pg.tail.from_version, sl.tail.from_version);
	ck_assert_int_eq(pg.tail.to_version, sl.tail.to_version);
}
END_TEST

/* ---- a COMMIT whose outcome is unknown ----------------------------------- */

/* A store of user's opened with INVED_PG_FAULT set to fault (read once,
 * at the open). */
static struct pg_store *open_faulty(const char *user, const char *fault)
{
	struct pg_store *st;

	ck_assert_int_eq(setenv("INVED_PG_FAULT", fault, 1), 0);
	st = pgtest_store_as(user);
	ck_assert_int_eq(unsetenv("INVED_PG_FAULT"), 0);
	return st;
}

static int backend_pid(struct pg_store *st)
{
	return PQbackendPID(pgstore_conn(st));
}

/* The reply of a COMMIT that happened is lost: the retry finds the
 * write's own token and answers with its row, once; no conflict with
 * itself, no second write. */
START_TEST(test_lost_commit_reply_is_the_save_once)
{
	struct pg_store *b = open_faulty("bob", "commit-lost");
	struct identity wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1001");
	int pid = backend_pid(b);
	struct invoice_input in = {.customer = "Initech Lost"};
	struct write_result res;
	struct inv_err err = {0};
	char sql[32];

	ck_assert_msg(pgstore_edit_fields(b, &wb, id, 1, &in, MF_ALL, 0, &res,
	                                  &err) == INV_OK,
	              "%s", err.msg);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, 2);
	ck_assert_str_eq(res.row.customer, "Initech Lost");
	ck_assert(!res.repeat);
	/* the connection was made again: the same PGconn, a new session */
	ck_assert_int_ne(backend_pid(b), pid);
	ck_assert_int_eq(audits(id, "TRUE"), 2);
	ck_assert_int_eq(audits(id, "to_version = 2 AND "
	                        "request ~ '^[0-9a-f]{32}$' AND "
	                        "action = 'invoice.edit' AND actor = 'bob'"), 1);
	ck_assert_int_eq(audits(id, "to_version = 2"), 1);
	ck_assert_int_eq(audits(id, "to_version = 2 AND seq = (SELECT max(seq) "
	                            "FROM audit)"),
	                 1);
	ck_assert_str_eq(pgtest_su_value("SELECT max(seq) FROM audit"),
	                 (snprintf(sql, sizeof sql, "%lld",
	                           (long long)res.audit_seq), sql));
	ck_assert_str_eq(pgtest_su_value("SELECT customer || ' ' || version FROM "
	                          "invoices WHERE number = 'ACME-1001'"),
	                 "Initech Lost 2");
	/* the fault fired once; the store goes on as before */
	in.customer = "Initech Again";
	ck_assert_int_eq(pgstore_edit_fields(b, &wb, id, 2, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_OK);
	ck_assert_int_eq(res.row.version, 3);
	ck_assert_int_eq(audits(id, "TRUE"), 3);
	pgstore_close(b);
}
END_TEST

/* The server process ends before the COMMIT: nothing was written, so
 * the retry, not finding its token, makes the write, once. */
START_TEST(test_dropped_commit_is_made_again_once)
{
	struct pg_store *b = open_faulty("bob", "commit-dropped");
	struct identity wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1002");
	int pid = backend_pid(b);
	struct invoice_input in = {.total = "77.00"};
	struct write_result res;
	struct inv_err err = {0};
	char sql[200];

	ck_assert_msg(pgstore_edit_fields(b, &wb, id, 1, &in, MF_ALL, 0, &res,
	                                  &err) == INV_OK,
	              "%s", err.msg);
	ck_assert_int_eq(res.row.version, 2);
	ck_assert_int_eq(res.row.total_minor, 7700);
	ck_assert_int_ne(backend_pid(b), pid);
	/* the first server process is gone */
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM pg_stat_activity WHERE pid = %d", pid);
	ck_assert_str_eq(pgtest_su_value(sql), "0");
	ck_assert_int_eq(audits(id, "TRUE"), 2);
	ck_assert_int_eq(audits(id, "to_version = 2 AND request IS NOT NULL"), 1);
	ck_assert_str_eq(pgtest_su_value("SELECT total_minor || ' ' || version FROM "
	                          "invoices WHERE number = 'ACME-1002'"),
	                 "7700 2");
	ck_assert_str_eq(pgtest_su_value("SELECT total_minor FROM totals WHERE "
	                          "state = 'active' AND currency = 'EUR' AND "
	                          "org_id = (SELECT id FROM orgs "
	                          "WHERE name = 'acme')"),
	                 "132700");
	pgstore_close(b);
}
END_TEST

/* The lifecycle moves and revert carry a token too. */
START_TEST(test_lost_reply_of_archive_and_revert)
{
	struct pg_store *a = pgtest_store_as("alice");
	struct identity wa = pgtest_who(a, NULL);
	struct pg_store *b;
	struct identity wb;
	int64_t id = pgtest_id_of("ACME-1002");
	struct write_result res;
	struct inv_err err = {0};

	edit_ok(a, &wa, id, 1, (struct invoice_input){.customer = "U2"}, 0);
	b = open_faulty("bob", "commit-lost");
	wb = pgtest_who(b, NULL);
	ck_assert_msg(pgstore_lifecycle(b, &wb, RULE_ARCHIVE, id, 2, &res,
	                                &err) == INV_OK,
	              "%s", err.msg);
	ck_assert_int_eq(res.row.version, 3);
	ck_assert(res.row.archived_at[0] != '\0');
	pgstore_close(b);
	b = open_faulty("bob", "commit-lost");
	ck_assert_msg(pgstore_revert(b, &wb, id, 1, 3, NULL, &res, &err) ==
	                      INV_OK,
	              "%s", err.msg);
	ck_assert_int_eq(res.row.version, 4);
	ck_assert_str_eq(res.row.customer, "Umbrella");
	ck_assert(res.row.archived_at[0] != '\0');
	pgstore_close(b);
	b = open_faulty("alice", "commit-dropped");
	ck_assert_msg(pgstore_lifecycle(b, &wa, RULE_DELETE, id, 4, &res,
	                                &err) == INV_OK,
	              "%s", err.msg);
	ck_assert_int_eq(res.row.version, 5);
	ck_assert(res.row.deleted_at[0] != '\0');
	pgstore_close(b);
	ck_assert_int_eq(audits(id, "TRUE"), 5);
	ck_assert_int_eq(audits(id, "request IS NOT NULL"), 4);
	pgstore_close(a);
}
END_TEST

/* When the connection cannot be made again, the outcome is unknown and
 * the error says so, naming the request token. */
START_TEST(test_unknown_outcome_when_reconnecting_fails)
{
	struct pg_store *b = open_faulty("bob", "commit-lost");
	struct identity wb = pgtest_who(b, NULL);
	int64_t id = pgtest_id_of("ACME-1001");
	struct invoice_input in = {.customer = "Nobody Knows"};
	struct write_result res;
	struct inv_err err = {0};
	char sql[200], uri[512];
	const char *tok;
	PGconn *c;

	snprintf(sql, sizeof sql,
	         "ALTER DATABASE %s ALLOW_CONNECTIONS false", pgtest_db);
	pgtest_uri(uri, sizeof uri, "postgres", "postgres");
	c = PQconnectdb(uri);
	pgtest_sql_ok(c, sql);
	ck_assert_int_eq(pgstore_edit_fields(b, &wb, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_ERROR);
	snprintf(sql, sizeof sql,
	         "ALTER DATABASE %s ALLOW_CONNECTIONS true", pgtest_db);
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	ck_assert(!res.have_row);
	ck_assert_msg(strstr(err.msg, "whether it was saved is unknown"),
	              "%s", err.msg);
	tok = strstr(err.msg, "(request ");
	ck_assert_msg(tok != NULL, "%s", err.msg);
	tok += strlen("(request ");
	ck_assert_uint_eq(strspn(tok, "0123456789abcdef"), 32);
	/* it was saved (the reply was lost), under that token */
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM audit WHERE request = '%.32s'", tok);
	ck_assert_str_eq(pgtest_su_value(sql), "1");
	pgstore_close(b);
}
END_TEST

/* An older database gets the token's column, index and trigger when
 * opened, and `check` finds the schema as the file installs it. */
START_TEST(test_schema_3_is_migrated_forward)
{
	char sql[256], uri[512], *text, *cut;
	const char *path = pgtest_env("INVED_PG_SCHEMA");
	struct pg_store *st = NULL;
	struct check_report rep;
	struct identity who;
	struct inv_err err = {0};
	FILE *f = fopen(path, "rb");
	long len;
	PGconn *c;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)len + 1);
	ck_assert_uint_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	cut = strstr(text, "\n-- schema 4 --\n");
	ck_assert_ptr_nonnull(cut);
	cut[1] = '\0';
	snprintf(pgtest_db, sizeof pgtest_db, "m3_%ld_%d", (long)getpid(),
	         rand() % 100000);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_uri(uri, sizeof uri, "postgres", "postgres");
	c = PQconnectdb(uri);
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	/* the schema as version 3 installed it */
	c = pgtest_raw(pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, text);
	pgtest_sql_ok(c, "INSERT INTO orgs (name, prefix) VALUES "
	                 "('acme', 'ACME-'); INSERT INTO users (name) VALUES "
	                 "('bob'); INSERT INTO memberships (user_id, org_id, "
	                 "role) SELECT u.id, o.id, 'admin' FROM users u, orgs o;"
	                 "INSERT INTO invoices (org_id, number, customer, "
	                 "total_minor, currency) SELECT id, 'ACME-1', 'Old', 1, "
	                 "'EUR' FROM orgs");
	PQfinish(c);
	free(text);
	ck_assert_str_eq(pgtest_su_value("SELECT value FROM meta "
	                          "WHERE key = 'schema_version'"), "3");
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM information_schema."
	                          "columns WHERE table_name = 'audit' AND "
	                          "column_name = 'request'"), "0");
	/* opened by the owner: migrated */
	pgtest_uri(uri, sizeof uri, pgtest_db, pgtest_env("INVED_PG_OWNER"));
	ck_assert_msg(pgstore_open(uri, STORE_OPEN_EXISTING, 0, &st, &err) ==
	                      INV_OK,
	              "%s", err.msg);
	pgstore_close(st);
	ck_assert_str_eq(pgtest_su_value("SELECT value FROM meta "
	                          "WHERE key = 'schema_version'"), "5");
	st = open_faulty("bob", "commit-lost");
	who = pgtest_who(st, NULL);
	{
		struct invoice_input in = {.customer = "New"};
		struct write_result res;

		ck_assert_msg(pgstore_edit_fields(st, &who,
		                                  pgtest_id_of("ACME-1"), 1, &in,
		                                  MF_ALL, 0, &res, &err) ==
		                      INV_OK,
		              "%s", err.msg);
		ck_assert_int_eq(res.row.version, 2);
	}
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM audit "
	                          "WHERE request IS NOT NULL"), "1");
	ck_assert_int_eq(pgstore_check_run(st, &who, &rep, &err), INV_OK);
	ck_assert_msg(rep.n == 0, "%s: %s", rep.n ? rep.f[0].object : "",
	              rep.n ? rep.f[0].msg : "");
	pgstore_close(st);
}
END_TEST

static Suite *pgrevert_suite(void)
{
	Suite *s = suite_create("pgrevert");
	TCase *tc = tcase_create("revert");
	TCase *tu = tcase_create("unknown-outcome");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_revert_restores_the_fields_audited_and_fed);
	tcase_add_test(tc, test_stale_revert_is_a_conflict_with_the_current_row);
	tcase_add_test(tc, test_revert_of_an_overwrite_and_the_roles);
	tcase_add_test(tc, test_revert_of_another_orgs_invoice_is_not_found);
	tcase_add_test(tc, test_revert_with_a_gap_or_damage_in_the_history);
	tcase_add_test(tc, test_revert_behind_a_held_lock_is_busy);
	tcase_add_test(tc, test_revert_as_on_sqlite);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tu, setup, teardown);
	tcase_set_timeout(tu, 60);
	tcase_add_test(tu, test_lost_commit_reply_is_the_save_once);
	tcase_add_test(tu, test_dropped_commit_is_made_again_once);
	tcase_add_test(tu, test_lost_reply_of_archive_and_revert);
	tcase_add_test(tu, test_unknown_outcome_when_reconnecting_fails);
	tcase_add_test(tu, test_schema_3_is_migrated_forward);
	suite_add_tcase(s, tu);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pgrevert_suite());
	int failed;

	srand((unsigned)getpid());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
