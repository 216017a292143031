/*
 * test_pgstore.c - the PostgreSQL backend's calls against a real server
 * (run by tests/pg/run_c.sh, which gives the cluster and the login roles
 * alice, bob, carol, dave, erin and an owner role in INVED_PG_*).
 *
 * Each test makes a database of its own as the cluster's superuser, has
 * the backend install the schema as the owner role, seeds two orgs, and
 * then calls the backend as the members' own roles: a superuser skips row
 * security, so only the setup and the read-back of what a role cannot see
 * use it.
 */
#include <check.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "pgtest.h"

#include "money.h"
#include "pgmore.h"
#include "pgstore.h"
#include "store_demo.h"
#include "store_tools.h"

static struct pg_store *open_as(const char *user, int flags, int busy_ms,
                                enum inv_rc want)
{
	char uri[512];
	struct pg_store *st = NULL;
	struct inv_err err = {0};
	enum inv_rc rc;

	pgtest_uri(uri, sizeof uri, pgtest_db, user);
	rc = pgstore_open(uri, flags, busy_ms, &st, &err);
	ck_assert_msg(rc == want, "open as %s: %s (%s)", user, inv_rc_name(rc),
	              err.msg);
	return st;
}

/* A fresh database with the schema and two orgs (pgtest.h). */
static void setup(void)
{
	pgtest_fixture_make("c");
}

static void teardown(void)
{
}

START_TEST(test_open_create_and_versions)
{
	struct pg_store *st;

	ck_assert_str_eq(pgtest_su_value("SELECT value FROM meta "
	                          "WHERE key = 'schema_version'"),
	                 "5");
	ck_assert_str_eq(pgtest_su_value("SELECT pg_get_userbyid(relowner) "
	                          "FROM pg_class WHERE relname = 'invoices'"),
	                 pgtest_env("INVED_PG_OWNER"));
	/* opening again finds it current */
	st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	ck_assert(!pgstore_is_demo(st));
	pgstore_close(st);
	/* a newer schema is refused and left as it is */
	{
		PGconn *c = pgtest_raw(pgtest_env("INVED_PG_OWNER"));

		pgtest_sql_ok(c, "UPDATE meta SET value = '99' "
		          "WHERE key = 'schema_version'");
		PQfinish(c);
	}
	open_as("bob", STORE_OPEN_EXISTING, 0, INV_ERROR);
	ck_assert_str_eq(pgtest_su_value("SELECT value FROM meta "
	                          "WHERE key = 'schema_version'"),
	                 "99");
}
END_TEST

START_TEST(test_empty_database_needs_create)
{
	char sql[200];
	PGconn *c = pgtest_raw("postgres");

	snprintf(sql, sizeof sql, "CREATE DATABASE %s_e OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	strcat(pgtest_db, "_e");
	open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_EXISTING, 0, INV_NOT_FOUND);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM pg_tables "
	                          "WHERE schemaname = 'public'"),
	                 "0");
}
END_TEST

START_TEST(test_identity_is_the_role)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who;
	struct inv_err err = {0};

	who = pgtest_who(st, NULL);
	ck_assert_str_eq(who.user, "bob");
	ck_assert_str_eq(who.org, "acme");
	ck_assert_int_eq(who.role, ROLE_MEMBER);
	/* outside a demo database no one else can be named */
	ck_assert_int_eq(pgstore_identity(st, "alice", NULL, &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_str_eq(err.field, "user");
	/* nor another org */
	ck_assert_int_eq(pgstore_identity(st, NULL, "globex", &who, &err),
	                 INV_FORBIDDEN);
	pgstore_close(st);
}
END_TEST

START_TEST(test_reads_see_the_org_only)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	struct invoice rows[10], one;
	struct summary sum;
	struct inv_err err = {0};
	size_t n = 0;

	ck_assert_int_eq(pgstore_page(st, &who, VIEW_ACTIVE, NULL, 0,
	                              PAGE_AFTER, rows, 10, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(rows[0].number, "ACME-1001");
	ck_assert_str_eq(rows[1].number, "ACME-1002");
	ck_assert_int_eq(pgstore_page(st, &who, VIEW_ACTIVE, "umbr", 0,
	                              PAGE_AFTER, rows, 10, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(rows[0].customer, "Umbrella");
	ck_assert_int_eq(pgstore_page(st, &who, VIEW_ALL, NULL, 0, PAGE_AFTER,
	                              rows, 10, &n, &err),
	                 INV_FORBIDDEN);
	/* another org's id is not found, even named directly */
	ck_assert_int_eq(pgstore_get(st, &who, pgtest_id_of("GLOBEX-1001"), &one,
	                             &err),
	                 INV_NOT_FOUND);
	/* a forged identity of the other org still reads nothing: the
	 * server's row security holds it too */
	who.org_id = strtoll(pgtest_su_value("SELECT id FROM orgs "
	                              "WHERE name = 'globex'"),
	                     NULL, 10);
	ck_assert_int_eq(pgstore_page(st, &who, VIEW_ACTIVE, NULL, 0,
	                              PAGE_AFTER, rows, 10, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 0);
	who = pgtest_who(st, NULL);
	ck_assert_int_eq(pgstore_summary(st, &who, &sum, &err), INV_OK);
	ck_assert_int_eq(sum.count[LIFE_ACTIVE], 2);
	ck_assert_uint_eq(sum.ncur, 1);
	ck_assert_int_eq(sum.cur[0].total_minor, 130000);
	pgstore_close(st);
}
END_TEST

START_TEST(test_guarded_edit)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	struct invoice_input in = {.customer = "Initech AG"};
	struct write_result res;
	struct inv_err err = {0};
	struct change ch[8];
	size_t n = 0;
	int64_t id = pgtest_id_of("ACME-1001");
	char sql[256];

	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_OK);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, 2);
	ck_assert_str_eq(res.row.customer, "Initech AG");
	snprintf(sql, sizeof sql,
	         "SELECT actor || ' ' || action || ' ' || db_role FROM audit "
	         "WHERE seq = %" PRId64,
	         res.audit_seq);
	ck_assert_str_eq(pgtest_su_value(sql), "bob invoice.edit bob");
	/* the feed names it */
	ck_assert_int_eq(pgstore_changes_since(st, &who, res.audit_seq - 1, ch,
	                                       8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ch[0].invoice_id, id);
	/* a save against version 1 now conflicts, with the current row */
	in.customer = "Stale";
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, 2);
	ck_assert_str_eq(res.row.customer, "Initech AG");
	/* a member's forged overwrite is forbidden, even at the current
	 * version */
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 2, &in, MF_ALL,
	                                     WRITE_OVERWRITE, &res, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_delete(st, &who, id, 2, &res, &err),
	                 INV_FORBIDDEN);
	/* a bad amount is invalid and writes nothing */
	in.customer = NULL;
	in.total = "12.345";
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 2, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_INVALID);
	snprintf(sql, sizeof sql,
	         "SELECT version || customer FROM invoices WHERE id = %" PRId64,
	         id);
	ck_assert_str_eq(pgtest_su_value(sql), "2Initech AG");
	pgstore_close(st);

	/* the admin deletes; the member then finds nothing */
	st = open_as("alice", STORE_OPEN_EXISTING, 0, INV_OK);
	who = pgtest_who(st, NULL);
	ck_assert_int_eq(pgstore_delete(st, &who, id, 2, &res, &err), INV_OK);
	ck_assert_int_eq(res.row.version, 3);
	ck_assert_int_eq(pgstore_archive(st, &who, id, 3, &res, &err),
	                 INV_CONFLICT);
	pgstore_close(st);
	st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	who = pgtest_who(st, NULL);
	ck_assert_int_eq(pgstore_get(st, &who, id, &res.row, &err),
	                 INV_NOT_FOUND);
	pgstore_close(st);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM totals t WHERE "
	                          "count <> (SELECT count(*) FROM invoices i "
	                          "WHERE i.org_id = t.org_id "
	                          "AND i.currency = t.currency "
	                          "AND inved_state(archived_at, deleted_at) "
	                          "= t.state)"),
	                 "0");
}
END_TEST

/* A row lock held past the busy timeout is INV_BUSY, nothing written. */
START_TEST(test_lock_past_timeout_is_busy)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 50, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	struct invoice_input in = {.customer = "Busy"};
	struct write_result res;
	struct inv_err err = {0};
	int64_t id = pgtest_id_of("ACME-1002");
	PGconn *holder = pgtest_raw("alice");
	char sql[200], audit_before[32];

	snprintf(audit_before, sizeof audit_before, "%s",
	         pgtest_su_value("SELECT count(*) FROM audit"));
	snprintf(sql, sizeof sql,
	         "SELECT 1 FROM invoices WHERE id = %" PRId64 " FOR UPDATE", id);
	pgtest_sql_ok(holder, "BEGIN");
	pgtest_sql_ok(holder, sql);
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_BUSY);
	ck_assert_int_eq(inv_rc_exit_code(INV_BUSY), 6);
	pgtest_sql_ok(holder, "ROLLBACK");
	PQfinish(holder);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM audit"), audit_before);
	/* once the lock is gone the same edit goes through */
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_OK);
	pgstore_close(st);
}
END_TEST

START_TEST(test_member_add_by_admin_only)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	struct inv_err err = {0};

	ck_assert_int_eq(pgstore_member_add(st, &who, "carol", ROLE_MEMBER,
	                                    &err),
	                 INV_FORBIDDEN);
	pgstore_close(st);
	st = open_as("alice", STORE_OPEN_EXISTING, 0, INV_OK);
	who = pgtest_who(st, NULL);
	ck_assert_int_eq(pgstore_member_add(st, &who, "carol", ROLE_MEMBER,
	                                    &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_member_add(st, &who, "carol", ROLE_MEMBER,
	                                    &err),
	                 INV_CONFLICT);
	pgstore_close(st);
	/* carol, a member of two orgs now, picks one */
	st = open_as("carol", STORE_OPEN_EXISTING, 0, INV_OK);
	ck_assert_int_eq(pgstore_identity(st, NULL, NULL, &who, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_identity(st, NULL, "acme", &who, &err),
	                 INV_OK);
	ck_assert_int_eq(who.role, ROLE_MEMBER);
	pgstore_close(st);
}
END_TEST

START_TEST(test_number_rules)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	struct invoice_input in = {.number = "ACME-1001"};
	struct write_result res;
	struct inv_err err = {0};
	int64_t id = pgtest_id_of("ACME-1002");

	/* the partial unique index: a live number is held once */
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_NUMBER,
	                                     0, &res, &err),
	                 INV_CONFLICT);
	ck_assert_str_eq(err.field, "number");
	ck_assert(!res.have_row);
	in.number = "1234";
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_NUMBER,
	                                     0, &res, &err),
	                 INV_INVALID);
	in.number = "ACME-1002b";
	ck_assert_int_eq(pgstore_edit_fields(st, &who, id, 1, &in, MF_NUMBER,
	                                     0, &res, &err),
	                 INV_OK);
	ck_assert_str_eq(res.row.number, "ACME-1002b");
	pgstore_close(st);
}
END_TEST

/* In a demo database the session names its user, as --user does on
 * SQLite, and the audit names that user. */
START_TEST(test_demo_names_its_user)
{
	char sql[160];
	PGconn *c = pgtest_raw("postgres");
	struct pg_store *st;
	struct identity who;
	struct invoice_input in = {.customer = "Demo"};
	struct write_result res;
	struct inv_err err = {0};

	snprintf(sql, sizeof sql, "CREATE DATABASE %s_d OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	strcat(pgtest_db, "_d");
	st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_CREATE, 0, INV_OK);
	pgstore_close(st);
	c = pgtest_raw(pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, "INSERT INTO meta VALUES ('demo', '1');"
	          "INSERT INTO orgs (name, prefix) VALUES ('acme', 'ACME-');"
	          "INSERT INTO users (name) VALUES ('bob');"
	          "INSERT INTO memberships SELECT u.id, o.id, 'member' "
	          "FROM users u, orgs o;"
	          "INSERT INTO invoices (org_id, number, customer, total_minor, "
	          "currency) SELECT id, 'ACME-1001', 'Initech', 100, 'EUR' "
	          "FROM orgs");
	PQfinish(c);
	st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_EXISTING, 0, INV_OK);
	ck_assert(pgstore_is_demo(st));
	ck_assert_int_eq(pgstore_identity(st, "bob", NULL, &who, &err), INV_OK);
	ck_assert_int_eq(pgstore_edit_fields(st, &who, pgtest_id_of("ACME-1001"), 1,
	                                     &in, MF_ALL, 0, &res, &err),
	                 INV_OK);
	snprintf(sql, sizeof sql,
	         "SELECT actor || ' ' || action FROM audit WHERE seq = %" PRId64,
	         res.audit_seq);
	ck_assert_str_eq(pgtest_su_value(sql), "bob invoice.edit");
	pgstore_close(st);
}
END_TEST

/* Wait for fd to be readable: generous, never asserted as a time. */
static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 60000) == 1;
}

/* A change another terminal commits wakes the listener's socket, and the
 * feed then holds it (NOTIFY only after the commit: tests/pg/test_notify.sh). */
START_TEST(test_wakeup_on_commit)
{
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct identity wb, wa = pgtest_who(alice, NULL);
	struct invoice_input in = {.customer = "Woken"};
	struct write_result res;
	struct inv_err err = {0};
	struct change ch[4];
	size_t n = 0;
	bool changed = true;
	int64_t id = pgtest_id_of("ACME-1001");

	/* the first call listens (the store's store_wakeup_fd): on the
	 * session's org once its identity is known */
	wb = pgtest_who(bob, NULL);
	ck_assert_int_ge(pgstore_wakeup_fd(bob), 0);
	ck_assert_int_eq(pgstore_wakeup_check(bob, &changed, &err), INV_OK);
	ck_assert(!changed);
	ck_assert_int_eq(pgstore_edit_fields(alice, &wa, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_OK);
	ck_assert(readable(pgstore_wakeup_fd(bob)));
	ck_assert_int_eq(pgstore_wakeup_check(bob, &changed, &err), INV_OK);
	ck_assert(changed);
	ck_assert_int_eq(pgstore_changes_since(bob, &wb, res.audit_seq - 1, ch,
	                                       4, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ch[0].seq, res.audit_seq);
	pgstore_close(alice);
	pgstore_close(bob);
}
END_TEST

/* Whether fd is readable within ms (the negative answer waits it out). */
static bool readable_within(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

/* The listener's own statements read the notification off the socket
 * with their reply (libpq keeps it): the wake-up descriptor must still
 * wake the next poll, or the screen would sleep through the change. */
START_TEST(test_wakeup_after_a_read_took_the_notice)
{
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct identity wb, wa = pgtest_who(alice, NULL);
	struct invoice_input in = {.customer = "Read along"};
	struct write_result res;
	struct inv_err err = {0};
	struct invoice inv;
	bool changed = true;
	int64_t id = pgtest_id_of("ACME-1001");
	int fd;

	wb = pgtest_who(bob, NULL);
	fd = pgstore_wakeup_fd(bob);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pgstore_wakeup_check(bob, &changed, &err), INV_OK);
	ck_assert(!changed);
	ck_assert_int_eq(pgstore_edit_fields(alice, &wa, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_OK);
	/* the notice is on bob's socket now; bob's read takes it along */
	ck_assert(readable(PQsocket(pgstore_conn(bob))));
	ck_assert_int_eq(pgstore_get(bob, &wb, id, &inv, &err), INV_OK);
	ck_assert_str_eq(inv.customer, "Read along");
	ck_assert_int_eq(pgstore_wakeup_fd(bob), fd);
	ck_assert(readable_within(fd, 5000));
	ck_assert_int_eq(pgstore_wakeup_check(bob, &changed, &err), INV_OK);
	ck_assert(changed);
	/* and once taken, the descriptor is quiet again */
	ck_assert(!readable_within(fd, 200));
	pgstore_close(alice);
	pgstore_close(bob);
}
END_TEST

/* The listening session is killed by the server: the next check connects
 * again, says "changed" (the feed must be read, notices of the gap are
 * lost), and the next commit wakes the same descriptor again. */
START_TEST(test_wakeup_survives_a_dropped_connection)
{
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct identity wb, wa = pgtest_who(alice, NULL);
	struct invoice_input in = {.customer = "After the drop"};
	struct write_result res;
	struct inv_err err = {0};
	struct invoice inv;
	bool changed = false;
	int64_t id = pgtest_id_of("ACME-1001");
	char sql[128];
	int fd;

	wb = pgtest_who(bob, NULL);
	fd = pgstore_wakeup_fd(bob);
	ck_assert_int_ge(fd, 0);
	snprintf(sql, sizeof sql, "SELECT pg_terminate_backend(%d)",
	         PQbackendPID(pgstore_conn(bob)));
	ck_assert_str_eq(pgtest_su_value(sql), "t");
	ck_assert(readable(fd));
	ck_assert_int_eq(pgstore_wakeup_check(bob, &changed, &err), INV_OK);
	ck_assert(changed);
	ck_assert_int_eq(pgstore_get(bob, &wb, id, &inv, &err), INV_OK);
	ck_assert_int_eq(pgstore_edit_fields(alice, &wa, id, inv.version, &in,
	                                     MF_ALL, 0, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_wakeup_fd(bob), fd);
	ck_assert(readable(fd));
	ck_assert_int_eq(pgstore_wakeup_check(bob, &changed, &err), INV_OK);
	ck_assert(changed);
	pgstore_close(alice);
	pgstore_close(bob);
}
END_TEST

/* A terminal's store, listening, and its writer's peer: two server
 * sessions, no more. */
START_TEST(test_a_terminal_holds_two_connections)
{
	char uri[512], sql[256];
	struct store *st = NULL, *peer = NULL;
	struct identity who;
	struct inv_err err = {0};

	pgtest_uri(uri, sizeof uri, pgtest_db, "bob");
	ck_assert_int_eq(store_open(uri, &(struct store_options){0, 0}, &st,
	                            &err), INV_OK);
	ck_assert_int_eq(store_identity(st, "bob", NULL, &who, &err), INV_OK);
	ck_assert_int_ge(store_wakeup_fd(st), 0);
	ck_assert_int_eq(store_open_peer(st, NULL, &peer, &err), INV_OK);
	snprintf(sql, sizeof sql,
	         "SELECT count(*) FROM pg_stat_activity WHERE datname = '%s' "
	         "AND usename = 'bob'", pgtest_db);
	ck_assert_str_eq(pgtest_su_value(sql), "2");
	store_close(peer);
	store_close(st);
}
END_TEST

/* Processes that each load, add one to the total and save against the
 * version they loaded, retrying on conflict, on two hot invoices: every
 * save that reported ok is in the total (no lost update), and the version
 * moved once per save. */
#define RACE_PROCS 4
#define RACE_EDITS 40

static void race_child(int fd, int64_t ids[2])
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	int64_t done[2] = {0, 0};
	int i;

	for (i = 0; i < RACE_EDITS; i++) {
		int k = i % 2;

		for (;;) {
			struct invoice cur;
			struct write_result res;
			struct inv_err err = {0};
			struct invoice_input in = {0};
			char total[32];
			enum inv_rc rc;

			ck_assert_int_eq(pgstore_get(st, &who, ids[k], &cur, &err),
			                 INV_OK);
			snprintf(total, sizeof total, "%" PRId64 ".%02" PRId64,
			         (cur.total_minor + 1) / 100,
			         (cur.total_minor + 1) % 100);
			in.total = total;
			rc = pgstore_edit_fields(st, &who, ids[k], cur.version, &in,
			                         MF_TOTAL, 0, &res, &err);
			if (rc == INV_OK) {
				done[k]++;
				break;
			}
			ck_assert_msg(rc == INV_CONFLICT, "%s", err.msg);
		}
	}
	pgstore_close(st);
	ck_assert(write(fd, done, sizeof done) == (ssize_t)sizeof done);
}

START_TEST(test_no_lost_updates)
{
	int64_t ids[2] = {pgtest_id_of("ACME-1001"), pgtest_id_of("ACME-1002")};
	int64_t before[2], saves[2] = {0, 0};
	char sql[160];
	int p[2], i, k;

	for (k = 0; k < 2; k++) {
		snprintf(sql, sizeof sql,
		         "SELECT total_minor FROM invoices WHERE id = %" PRId64,
		         ids[k]);
		before[k] = strtoll(pgtest_su_value(sql), NULL, 10);
	}
	ck_assert_int_eq(pipe(p), 0);
	for (i = 0; i < RACE_PROCS; i++) {
		pid_t pid = fork();

		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(p[0]);
			race_child(p[1], ids);
			_exit(0);
		}
	}
	close(p[1]);
	for (i = 0; i < RACE_PROCS; i++) {
		int64_t done[2];
		int status;

		ck_assert(read(p[0], done, sizeof done) == (ssize_t)sizeof done);
		saves[0] += done[0];
		saves[1] += done[1];
		ck_assert_int_gt(wait(&status), 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	close(p[0]);
	ck_assert_int_eq(saves[0] + saves[1], RACE_PROCS * RACE_EDITS);
	for (k = 0; k < 2; k++) {
		char want[64];

		snprintf(want, sizeof want, "%" PRId64 " %" PRId64, saves[k],
		         saves[k]);
		snprintf(sql, sizeof sql,
		         "SELECT (total_minor - %" PRId64 ") || ' ' || "
		         "(version - 1) FROM invoices WHERE id = %" PRId64,
		         before[k], ids[k]);
		ck_assert_str_eq(pgtest_su_value(sql), want);
	}
}
END_TEST

/* A create carries its request token: a retry (a commit whose outcome was
 * lost) finds its own invoice instead of making another. */
START_TEST(test_create_is_idempotent)
{
	struct pg_store *st = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who = pgtest_who(st, NULL);
	struct invoice_input in = {.customer = "Soylent", .total = "42.50"};
	struct write_result res, again;
	struct inv_err err = {0};
	char sql[160];

	ck_assert_int_eq(pgstore_create(st, &who, "tok-1", NULL, &in, &res,
	                                &err),
	                 INV_OK);
	ck_assert(!res.repeat);
	ck_assert_str_eq(res.row.number, "ACME-1003"); /* 1001, 1002 taken */
	ck_assert_int_eq(res.row.total_minor, 4250);
	ck_assert_str_eq(res.row.currency, "EUR");
	snprintf(sql, sizeof sql,
	         "SELECT actor || ' ' || action FROM audit WHERE seq = %" PRId64,
	         res.audit_seq);
	ck_assert_str_eq(pgtest_su_value(sql), "bob invoice.create");
	ck_assert_int_eq(pgstore_create(st, &who, "tok-1", NULL, &in, &again,
	                                &err),
	                 INV_OK);
	ck_assert(again.repeat);
	ck_assert_int_eq(again.row.id, res.row.id);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM invoices"), "4");
	/* a number a live invoice holds: a conflict carrying the holder */
	ck_assert_int_eq(pgstore_create(st, &who, "tok-2", "ACME-1001", &in,
	                                &res, &err),
	                 INV_CONFLICT);
	ck_assert(res.have_row);
	ck_assert_str_eq(res.row.customer, "Initech");
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM requests "
	                          "WHERE token = 'tok-2'"),
	                 "0");
	ck_assert_int_eq(pgstore_create(st, &who, "bad token", NULL, &in, &res,
	                                &err),
	                 INV_INVALID);
	pgstore_close(st);
}
END_TEST

/* The refusals are the shared rules' (rules.h), checked in their order:
 * what the backend says is what rule_check says for the row it loaded. */
START_TEST(test_refusals_are_the_shared_rules)
{
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity wb = pgtest_who(bob, NULL);
	struct invoice_input in = {.customer = "Stale"};
	struct write_result res;
	struct inv_err err = {0}, want = {0};
	struct invoice cur;
	int64_t id = pgtest_id_of("ACME-1001");

	ck_assert_int_eq(pgstore_get(bob, &wb, id, &cur, &err), INV_OK);
	/* role before version: a member's stale delete is forbidden */
	ck_assert_int_eq(pgstore_delete(bob, &wb, id, 7, &res, &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(rule_check(RULE_DELETE, &cur, &wb, 7, 0, &want),
	                 INV_FORBIDDEN);
	ck_assert_str_eq(err.msg, want.msg);
	ck_assert(!res.have_row);
	/* a stale edit is a conflict carrying the current row */
	ck_assert_int_eq(pgstore_edit_fields(bob, &wb, id, 7, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_CONFLICT);
	ck_assert_int_eq(rule_check(RULE_EDIT, &cur, &wb, 7, 0, &want),
	                 INV_CONFLICT);
	ck_assert_str_eq(err.msg, want.msg);
	ck_assert(res.have_row);
	ck_assert_int_eq(res.row.version, cur.version);
	/* a field rule refuses before any transaction, in the rule's words */
	in.customer = "";
	ck_assert_int_eq(pgstore_edit_fields(bob, &wb, id, 1, &in, MF_ALL, 0,
	                                     &res, &err),
	                 INV_INVALID);
	ck_assert_int_eq(rule_input_check(&in, &want), INV_INVALID);
	ck_assert_str_eq(err.msg, want.msg);
	pgstore_close(bob);
}
END_TEST

/* The server refuses what the session's stale identity still allows (an
 * admin demoted since): IV403 is said as the rules say it for a member. */
START_TEST(test_server_refusal_in_the_rules_words)
{
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct identity wa = pgtest_who(alice, NULL);
	struct write_result res;
	struct inv_err err = {0};
	PGconn *c = pgtest_raw(pgtest_env("INVED_PG_OWNER"));
	char sql[200];

	pgtest_sql_ok(c, "UPDATE memberships SET role = 'member' WHERE user_id = "
	          "(SELECT id FROM users WHERE name = 'alice')");
	PQfinish(c);
	ck_assert_int_eq(wa.role, ROLE_ADMIN);
	ck_assert_int_eq(pgstore_delete(alice, &wa, pgtest_id_of("ACME-1001"), 1, &res,
	                                &err),
	                 INV_FORBIDDEN);
	ck_assert_str_eq(err.msg, "deleting an invoice needs the admin role; "
	                          "alice is a member of acme");
	snprintf(sql, sizeof sql, "SELECT count(*) FROM invoices "
	                          "WHERE deleted_at IS NOT NULL");
	ck_assert_str_eq(pgtest_su_value(sql), "0");
	pgstore_close(alice);
}
END_TEST

START_TEST(test_find_and_recount)
{
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity wb = pgtest_who(bob, NULL);
	struct invoice inv;
	struct summary kept, counted;
	struct inv_err err = {0};
	char ref[24];

	ck_assert_int_eq(pgstore_find(bob, &wb, "ACME-1002", &inv, &err),
	                 INV_OK);
	ck_assert_str_eq(inv.customer, "Umbrella");
	snprintf(ref, sizeof ref, "%" PRId64, inv.id);
	ck_assert_int_eq(pgstore_find(bob, &wb, ref, &inv, &err), INV_OK);
	ck_assert_str_eq(inv.number, "ACME-1002");
	/* another org's number, and its id, are not there for bob */
	ck_assert_int_eq(pgstore_find(bob, &wb, "GLOBEX-1001", &inv, &err),
	                 INV_NOT_FOUND);
	ck_assert_str_eq(err.msg, "no live invoice numbered 'GLOBEX-1001' in "
	                          "acme");
	snprintf(ref, sizeof ref, "%" PRId64, pgtest_id_of("GLOBEX-1001"));
	ck_assert_int_eq(pgstore_find(bob, &wb, ref, &inv, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(pgstore_find(bob, &wb, "", &inv, &err), INV_INVALID);
	/* the recount from the rows agrees with the kept totals */
	ck_assert_int_eq(pgstore_summary(bob, &wb, &kept, &err), INV_OK);
	ck_assert_int_eq(pgstore_summary_recount(bob, &wb, &counted, &err),
	                 INV_OK);
	ck_assert_int_eq(counted.count[LIFE_ACTIVE], 2);
	ck_assert_int_eq(counted.count[LIFE_ACTIVE], kept.count[LIFE_ACTIVE]);
	ck_assert_uint_eq(counted.ncur, 1);
	ck_assert_int_eq(counted.cur[0].total_minor, 130000);
	ck_assert_int_eq(counted.cur[0].total_minor, kept.cur[0].total_minor);
	pgstore_close(bob);
}
END_TEST

START_TEST(test_audit_tail_and_head)
{
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct pg_store *dave = open_as("dave", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity wa = pgtest_who(alice, NULL), wb = pgtest_who(bob, NULL);
	struct invoice_input in = {.customer = "Initech SE"};
	struct write_result edit, del;
	struct audit_entry a[16];
	struct inv_err err = {0};
	int64_t id1 = pgtest_id_of("ACME-1001"), id2 = pgtest_id_of("ACME-1002");
	int64_t head = 0;
	size_t n = 0, i;

	ck_assert_int_eq(pgstore_edit_fields(alice, &wa, id1, 1, &in, MF_ALL, 0,
	                                     &edit, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_delete(alice, &wa, id2, 1, &del, &err), INV_OK);
	/* one invoice's history, newest first */
	ck_assert_int_eq(pgstore_audit_tail(bob, &wb, id1, a, 16, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(a[0].seq, edit.audit_seq);
	ck_assert_str_eq(a[0].actor, "alice");
	ck_assert_str_eq(a[0].action, "invoice.edit");
	ck_assert_str_eq(a[0].number, "ACME-1001");
	ck_assert_int_eq(a[0].to_version, 2);
	ck_assert(strstr(a[0].detail, "Initech SE") != NULL);
	/* the setup's rows were written by SQL, not by inved */
	ck_assert_str_eq(a[1].action, "invoice.external_create");
	/* a member reads no deleted invoice's history, nor its rows in the
	 * org's tail; the admin does */
	ck_assert_int_eq(pgstore_audit_tail(bob, &wb, id2, a, 16, &n, &err),
	                 INV_NOT_FOUND);
	ck_assert_int_eq(pgstore_audit_tail(bob, &wb, 0, a, 16, &n, &err),
	                 INV_OK);
	for (i = 0; i < n; i++)
		ck_assert_int_ne(a[i].subject_id, id2);
	ck_assert_int_eq(pgstore_audit_tail(alice, &wa, 0, a, 16, &n, &err),
	                 INV_OK);
	ck_assert_int_eq(a[0].seq, del.audit_seq);
	/* the head: the newest change a connection may see */
	ck_assert_int_eq(pgstore_changes_head(bob, &head, &err), INV_OK);
	ck_assert_int_eq(head, del.audit_seq);
	ck_assert_int_eq(pgstore_changes_head(dave, &head, &err), INV_OK);
	ck_assert_int_lt(head, edit.audit_seq);
	pgstore_close(dave);
	pgstore_close(bob);
	pgstore_close(alice);
}
END_TEST

START_TEST(test_members_list_remove_role)
{
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct pg_store *bob = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity wa = pgtest_who(alice, NULL), wb = pgtest_who(bob, NULL);
	struct member m[8];
	struct membership all[8];
	struct inv_err err = {0};
	enum inv_role was = ROLE_ADMIN;
	size_t n = 0;

	ck_assert_int_eq(pgstore_members(alice, &wa, NULL, m, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(m[0].user, "alice");
	ck_assert_int_eq(m[0].role, ROLE_ADMIN);
	ck_assert_str_eq(m[1].user, "bob");
	ck_assert_int_eq(pgstore_members(alice, &wa, "alice", m, 8, &n, &err),
	                 INV_OK);
	ck_assert_uint_eq(n, 1);
	/* row security: bob's connection sees acme's memberships only */
	ck_assert_int_eq(pgstore_memberships(bob, all, 8, &n, &err), INV_OK);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(all[i].org, "acme");
	/* a member manages no members */
	ck_assert_int_eq(pgstore_member_remove(bob, &wb, "alice", &was, &err),
	                 INV_FORBIDDEN);
	ck_assert_str_eq(err.msg, "managing members needs the admin role; bob "
	                          "is a member of acme");
	/* the last admin stays */
	ck_assert_int_eq(pgstore_member_role(alice, &wa, "alice", ROLE_MEMBER,
	                                     &was, &err),
	                 INV_CONFLICT);
	ck_assert_str_eq(err.field, "login");
	ck_assert_int_eq(pgstore_member_add(alice, &wa, "bob", ROLE_ADMIN,
	                                    &err),
	                 INV_CONFLICT);
	ck_assert_str_eq(err.msg, "bob is already a member of acme (member); "
	                          "change the role with `inved member role bob "
	                          "ROLE`");
	ck_assert_int_eq(pgstore_member_role(alice, &wa, "bob", ROLE_MEMBER,
	                                     &was, &err),
	                 INV_CONFLICT);
	ck_assert_str_eq(err.field, "role");
	was = ROLE_ADMIN;
	ck_assert_int_eq(pgstore_member_role(alice, &wa, "bob", ROLE_ADMIN,
	                                     &was, &err),
	                 INV_OK);
	ck_assert_int_eq(was, ROLE_MEMBER);
	ck_assert_int_eq(pgstore_member_remove(alice, &wa, "bob", &was, &err),
	                 INV_OK);
	ck_assert_int_eq(was, ROLE_ADMIN);
	ck_assert_int_eq(pgstore_member_remove(alice, &wa, "bob", &was, &err),
	                 INV_NOT_FOUND);
	ck_assert_str_eq(err.msg, "bob is not a member of acme; see `inved "
	                          "member list`");
	ck_assert_str_eq(pgtest_su_value("SELECT string_agg(action, ',' ORDER BY seq) "
	                          "FROM audit WHERE subject_id = 0"),
	                 "member.role,member.remove");
	pgstore_close(bob);
	pgstore_close(alice);
}
END_TEST

START_TEST(test_org_create_as_the_role)
{
	struct pg_store *dave = open_as("dave", STORE_OPEN_EXISTING, 0, INV_OK);
	struct pg_store *own = open_as(pgtest_env("INVED_PG_OWNER"),
	                               STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity who;
	struct inv_err err = {0};
	bool already = true;

	ck_assert_int_eq(pgstore_org_create(dave, NULL, "initech", &who,
	                                    &already, &err),
	                 INV_OK);
	ck_assert(!already);
	ck_assert_str_eq(who.user, "dave");
	ck_assert_str_eq(who.org, "initech");
	ck_assert_int_eq(who.role, ROLE_ADMIN);
	ck_assert_int_eq(pgstore_org_create(dave, NULL, "initech", &who,
	                                    &already, &err),
	                 INV_OK);
	ck_assert(already);
	/* an org of others, another name, the schema's owner */
	ck_assert_int_eq(pgstore_org_create(dave, NULL, "acme", &who, &already,
	                                    &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_org_create(dave, "bob", "x", &who, &already,
	                                    &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_org_create(own, NULL, "hooli", &who, &already,
	                                    &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_org_create(dave, NULL, "bad name", &who,
	                                    &already, &err),
	                 INV_INVALID);
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM orgs"), "3");
	pgstore_close(own);
	pgstore_close(dave);
}
END_TEST

/* The demo, made in a new database through the guarded writes: the same
 * data as SQLite's, its claims complete, and a second seed refused. */
START_TEST(test_seed_demo)
{
	char sql[160];
	PGconn *c = pgtest_raw("postgres");
	struct pg_store *st;
	struct identity who;
	struct membership m[8];
	struct inv_err err = {0};
	bool present = true;
	size_t n = 0;

	snprintf(sql, sizeof sql, "CREATE DATABASE %s_s OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	strcat(pgtest_db, "_s");
	st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_CREATE, 0, INV_OK);
	ck_assert(!pgstore_is_demo(st));
	ck_assert_int_eq(pgstore_demo_present(st, &present, &err), INV_OK);
	ck_assert(!present);
	ck_assert_int_eq(pgstore_seed_demo(st, &err), INV_OK);
	ck_assert(pgstore_is_demo(st));
	ck_assert_int_eq(pgstore_demo_present(st, &present, &err), INV_OK);
	ck_assert(present);
	ck_assert_int_eq(pgstore_memberships(st, m, 8, &n, &err), INV_OK);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(pgstore_seed_demo(st, &err), INV_CONFLICT);
	pgstore_close(st);
	/* the rows, as made by the demo's users through the guarded writes */
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM invoices"), "19");
	ck_assert_str_eq(pgtest_su_value("SELECT count(*) FROM invoices "
	                          "WHERE deleted_at IS NOT NULL"),
	                 "4");
	ck_assert_str_eq(pgtest_su_value("SELECT customer FROM invoices WHERE number = "
	                          "'ACME-1001' AND deleted_at IS NULL"),
	                 "Müller & Söhne — Zürich");
	ck_assert_str_eq(pgtest_su_value("SELECT string_agg(DISTINCT actor, ',') "
	                          "FROM audit"),
	                 "alice,carol");
	/* a demo database names its user */
	st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_EXISTING, 0, INV_OK);
	ck_assert_int_eq(pgstore_identity(st, "bob", NULL, &who, &err), INV_OK);
	ck_assert_str_eq(who.org, "acme");
	pgstore_close(st);
}
END_TEST

START_TEST(test_add_member_tool)
{
	struct pg_store *own = open_as(pgtest_env("INVED_PG_OWNER"),
	                               STORE_OPEN_EXISTING, 0, INV_OK);
	struct pg_store *dave;
	struct identity who;
	struct inv_err err = {0};

	ck_assert_msg(pgstore_add_member(own, "dave", "umbrella", ROLE_ADMIN,
	                                 &err) == INV_OK,
	              "%s", err.msg);
	ck_assert_int_eq(pgstore_add_member(own, "dave", "bad org", ROLE_ADMIN,
	                                    &err),
	                 INV_INVALID);
	pgstore_close(own);
	dave = open_as("dave", STORE_OPEN_EXISTING, 0, INV_OK);
	ck_assert_int_eq(pgstore_identity(dave, NULL, "umbrella", &who, &err),
	                 INV_OK);
	ck_assert_int_eq(who.role, ROLE_ADMIN);
	ck_assert_str_eq(pgtest_su_value("SELECT prefix FROM orgs "
	                          "WHERE name = 'umbrella'"),
	                 "UMBRELLA-");
	pgstore_close(dave);
}
END_TEST

/* The detail said alike on both backends: the same detail text explained
 * by the PostgreSQL backend and by a SQLite store. */
START_TEST(test_audit_explain_as_sqlite)
{
	struct pg_store *alice = open_as("alice", STORE_OPEN_EXISTING, 0,
	                                 INV_OK);
	struct identity wa = pgtest_who(alice, NULL);
	struct invoice_input in = {.total = "1400.00", .status = "paid",
	                           .currency = "USD"};
	struct store_options opt = {STORE_OPEN_CREATE, 0};
	struct write_result res;
	struct audit_entry a[2];
	struct store *sq = NULL;
	struct inv_err err = {0};
	char path[] = "/tmp/inved-explain-XXXXXX";
	char pg_text[512], sq_text[512], pg_cur[4] = "EUR", sq_cur[4] = "EUR";
	const char *odd[] = {"{}", "not json", "[1,2]", "{\"x\":{\"old\":1}}"};
	size_t n = 0, i;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	unlink(path);
	ck_assert_msg(store_open(path, &opt, &sq, &err) == INV_OK, "%s", err.msg);
	ck_assert_int_eq(pgstore_edit_fields(alice, &wa, pgtest_id_of("ACME-1001"), 1,
	                                     &in, MF_ALL, 0, &res, &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_audit_tail(alice, &wa, res.row.id, a, 1, &n,
	                                    &err),
	                 INV_OK);
	ck_assert_int_eq(pgstore_audit_explain(alice, a[0].detail, pg_cur,
	                                       &money_style_plain, pg_text,
	                                       sizeof pg_text, &err),
	                 INV_OK);
	ck_assert_int_eq(store_audit_explain(sq, a[0].detail, sq_cur, sq_text,
	                                     sizeof sq_text, &err),
	                 INV_OK);
	ck_assert_str_eq(pg_text, sq_text);
	ck_assert_str_eq(pg_cur, "USD");
	ck_assert_str_eq(pg_cur, sq_cur);
	ck_assert_msg(strstr(pg_text, "1,250.00 EUR → 1,400.00 USD") &&
	                      strstr(pg_text, "Sent → Paid") == NULL &&
	                      strstr(pg_text, "Draft → Paid"),
	              "%s", pg_text);
	for (i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		ck_assert_int_eq(pgstore_audit_explain(alice, odd[i], pg_cur,
		                                       &money_style_plain,
		                                       pg_text, sizeof pg_text,
		                                       &err),
		                 INV_OK);
		ck_assert_int_eq(store_audit_explain(sq, odd[i], sq_cur, sq_text,
		                                     sizeof sq_text, &err),
		                 INV_OK);
		ck_assert_str_eq(pg_text, sq_text);
	}
	store_close(sq);
	unlink(path);
	pgstore_close(alice);
}
END_TEST

/* Through the store's table: a postgresql:// location is served by this
 * backend, revert included. */
START_TEST(test_the_store_table_serves_the_uri)
{
	char uri[512];
	struct store_options opt = {STORE_OPEN_EXISTING, 0};
	struct store *st = NULL;
	struct identity who;
	struct invoice inv;
	struct write_result res;
	struct inv_err err = {0};

	pgtest_uri(uri, sizeof uri, pgtest_db, "bob");
	ck_assert_msg(store_open(uri, &opt, &st, &err) == INV_OK, "%s", err.msg);
	ck_assert_str_eq(store_backend_name(st), "postgresql");
	ck_assert(!store_location_is_file(uri));
	ck_assert_int_eq(store_identity(st, NULL, NULL, &who, &err), INV_OK);
	ck_assert_int_eq(store_find(st, &who, "ACME-1002", &inv, &err), INV_OK);
	ck_assert_str_eq(inv.customer, "Umbrella");
	/* revert is served: at version 1 there is nothing earlier, said as
	 * on SQLite */
	ck_assert_int_eq(store_revert(st, &who, inv.id, 1, inv.version, NULL,
	                              &res, &err),
	                 INV_INVALID);
	ck_assert_str_eq(err.field, "to_version");
	ck_assert_str_eq(err.msg, "invoice ACME-1002 has versions 1 to 1; "
	                          "revert to an earlier one than the current");
	store_close(st);
}
END_TEST

/* The demonstrations, in a demo database only: a peer's version drift
 * (audited as the demo user's), and every row's lock held so that a
 * guarded write past its busy timeout is busy. */
START_TEST(test_drift_and_hold_lock)
{
	char sql[200];
	PGconn *c = pgtest_raw("postgres");
	struct pg_store *plain = open_as("bob", STORE_OPEN_EXISTING, 0, INV_OK);
	struct identity wp = pgtest_who(plain, NULL), who;
	struct pg_store *st;
	struct invoice cur;
	struct write_result res;
	struct inv_err err = {0};
	int64_t id;
	pid_t pid;
	int status, tries;
	enum inv_rc rc = INV_OK;

	ck_assert_int_eq(pgstore_drift(plain, &wp, pgtest_id_of("ACME-1001"), &res,
	                               &err),
	                 INV_FORBIDDEN);
	ck_assert_int_eq(pgstore_hold_lock(plain, 10, &err), INV_FORBIDDEN);
	pgstore_close(plain);
	snprintf(sql, sizeof sql, "CREATE DATABASE %s_h OWNER %s", pgtest_db,
	         pgtest_env("INVED_PG_OWNER"));
	pgtest_sql_ok(c, sql);
	PQfinish(c);
	strcat(pgtest_db, "_h");
	st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_CREATE, 0, INV_OK);
	ck_assert_int_eq(pgstore_seed_demo(st, &err), INV_OK);
	ck_assert_int_eq(pgstore_identity(st, "bob", NULL, &who, &err), INV_OK);
	id = pgtest_id_of("ACME-1002");
	ck_assert_int_eq(pgstore_drift(st, &who, id, &res, &err), INV_OK);
	ck_assert_int_eq(res.row.version, 2);
	snprintf(sql, sizeof sql,
	         "SELECT actor || ' ' || action FROM audit WHERE seq = %" PRId64,
	         res.audit_seq);
	ck_assert_str_eq(pgtest_su_value(sql), "bob invoice.drift");
	pgstore_close(st);

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_EXISTING, 0,
		             INV_OK);
		_exit(pgstore_hold_lock(st, 8000, &err) == INV_OK ? 0 : 1);
	}
	/* edits with a short busy timeout go through until the holder has
	 * the locks; then one is busy and writes nothing */
	st = open_as(pgtest_env("INVED_PG_OWNER"), STORE_OPEN_EXISTING, 100, INV_OK);
	ck_assert_int_eq(pgstore_identity(st, "bob", NULL, &who, &err), INV_OK);
	for (tries = 0; tries < 5000; tries++) {
		struct invoice_input in = {.customer = tries % 2 ? "A" : "B"};

		ck_assert_int_eq(pgstore_get(st, &who, id, &cur, &err), INV_OK);
		rc = pgstore_edit_fields(st, &who, id, cur.version, &in,
		                         MF_CUSTOMER, 0, &res, &err);
		if (rc != INV_OK)
			break;
	}
	ck_assert_msg(rc == INV_BUSY, "%s: %s", inv_rc_name(rc), err.msg);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(pgstore_get(st, &who, id, &res.row, &err), INV_OK);
	ck_assert_int_eq(res.row.version, cur.version);
	pgstore_close(st);
}
END_TEST

static Suite *pgstore_suite(void)
{
	Suite *s = suite_create("pgstore");
	TCase *tc = tcase_create("backend");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_open_create_and_versions);
	tcase_add_test(tc, test_empty_database_needs_create);
	tcase_add_test(tc, test_identity_is_the_role);
	tcase_add_test(tc, test_reads_see_the_org_only);
	tcase_add_test(tc, test_guarded_edit);
	tcase_add_test(tc, test_lock_past_timeout_is_busy);
	tcase_add_test(tc, test_member_add_by_admin_only);
	tcase_add_test(tc, test_number_rules);
	tcase_add_test(tc, test_demo_names_its_user);
	tcase_add_test(tc, test_wakeup_on_commit);
	tcase_add_test(tc, test_wakeup_after_a_read_took_the_notice);
	tcase_add_test(tc, test_wakeup_survives_a_dropped_connection);
	tcase_add_test(tc, test_a_terminal_holds_two_connections);
	tcase_add_test(tc, test_no_lost_updates);
	tcase_add_test(tc, test_create_is_idempotent);
	tcase_add_test(tc, test_refusals_are_the_shared_rules);
	tcase_add_test(tc, test_server_refusal_in_the_rules_words);
	tcase_add_test(tc, test_find_and_recount);
	tcase_add_test(tc, test_audit_tail_and_head);
	tcase_add_test(tc, test_members_list_remove_role);
	tcase_add_test(tc, test_org_create_as_the_role);
	tcase_add_test(tc, test_seed_demo);
	tcase_add_test(tc, test_add_member_tool);
	tcase_add_test(tc, test_audit_explain_as_sqlite);
	tcase_add_test(tc, test_the_store_table_serves_the_uri);
	tcase_add_test(tc, test_drift_and_hold_lock);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pgstore_suite());
	int failed;

	srand((unsigned)getpid());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
