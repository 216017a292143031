/*
 * demo.c - the demo dataset of `inved init --demo` (SPEC 5): orgs acme and
 * globex, users alice (acme admin), bob (acme member), carol (globex admin)
 * and dave (globex member), and invoices in every status and lifecycle
 * state, including a live and a deleted ACME-1001.
 *
 * The invoices are made through the same guarded writes the faces use, so
 * the demo's audit trail, change feed and totals are real ones.  All of it
 * is one transaction (each write a savepoint in it): a process killed half
 * way leaves no demo at all, never a part of one that says it is whole.
 *
 * Also here, the demonstrations of store_demo.h (a forced version drift,
 * a held write lock), each through a peer connection and refused outside
 * a demo database, and the tools call that adds members unguarded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "demo_data.h"
#include "sqlite_store.h"

static enum inv_rc demo_exec(struct sq_store *st, const char *sql,
                             struct inv_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? INV_OK : sq_sqlite_err(st, rc, err);
}

static enum inv_rc demo_make(struct sq_store *st, const struct identity *who,
                             const struct demo_invoice *d, const char *number,
                             int seq, struct inv_err *err)
{
	struct invoice_input in = {.customer = d->customer,
	                           .status = d->status,
	                           .total = d->total,
	                           .currency = d->currency};
	struct write_result res;
	char token[96];
	enum inv_rc rc;
	int64_t v;

	snprintf(token, sizeof token, "demo-%s-%d", who->org, seq);
	rc = sq_create(st, who, token, number, &in, &res, err);
	if (rc != INV_OK)
		return rc;
	v = res.row.version;
	if (d->fate == 'a' || d->fate == 'A') {
		rc = sq_lifecycle(st, who, RULE_ARCHIVE, res.row.id, v++, &res,
		                  err);
		if (rc != INV_OK)
			return rc;
	}
	if (d->fate == 'd' || d->fate == 'A')
		rc = sq_lifecycle(st, who, RULE_DELETE, res.row.id, v, &res, err);
	return rc;
}

static enum inv_rc demo_fill(struct sq_store *st, struct inv_err *err)
{
	struct identity alice, carol;
	sqlite3_stmt *s = NULL;
	enum inv_rc rc;
	int64_t orgs = -1;
	size_t i;

	/* Counted inside the transaction, so no other writer can add data
	 * between this look and the demo. */
	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM orgs", -1, &s,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		orgs = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (orgs < 0)
		return sq_sqlite_err(st, sqlite3_errcode(st->db), err);
	if (orgs > 0)
		return inv_err_set(err, INV_CONFLICT, "",
			_("%s already holds data; the demo goes into a new "
			  "database (choose another --db)"),
			st->path);
	/* The demo marker goes in first, while the file holds no org: the
	 * only moment the schema's triggers accept it (data/schema.sql). */
	rc = demo_exec(st,
		"INSERT INTO meta (key, value) VALUES ('demo', '1') "
		"  ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
		"INSERT INTO orgs (id, name, prefix) VALUES "
		"  (1, 'acme', 'ACME-'), (2, 'globex', 'GLOBEX-');"
		"INSERT INTO users (id, name) VALUES "
		"  (1, 'alice'), (2, 'bob'), (3, 'carol'), (4, 'dave');"
		"INSERT INTO memberships (user_id, org_id, role) VALUES "
		"  (1, 1, 'admin'), (2, 1, 'member'),"
		"  (3, 2, 'admin'), (4, 2, 'member');",
		err);
	if (rc == INV_OK)
		rc = sq_identity(st, "alice", "acme", &alice, err);
	if (rc == INV_OK)
		rc = sq_identity(st, "carol", "globex", &carol, err);
	/* The first ACME-1001 is deleted, which frees its number for the
	 * live one: the partial unique index at work. */
	if (rc == INV_OK)
		rc = demo_make(st, &alice, &demo_first_1001, NULL, 0, err);
	if (rc == INV_OK)
		rc = demo_make(st, &alice, &demo_second_1001, "ACME-1001", 1, err);
	for (i = 0; rc == INV_OK && i < demo_acme_count; i++)
		rc = demo_make(st, &alice, &demo_acme[i], NULL, (int)i + 2, err);
	for (i = 0; rc == INV_OK && i < demo_globex_count; i++)
		rc = demo_make(st, &carol, &demo_globex[i], NULL, (int)i, err);
	return rc;
}

enum inv_rc sq_seed_demo(struct sq_store *st, struct inv_err *err)
{
	enum inv_rc rc = sq_batch_begin(st, err);

	if (rc != INV_OK)
		return rc;
	rc = demo_fill(st, err);
	if (rc == INV_OK)
		return sq_batch_commit(st, err);
	sq_batch_rollback(st);
	return rc;
}

/* Every demo invoice leaves its creation claim behind (requests rows are
 * never removed), so a whole demo has exactly one filled claim per demo
 * invoice.  An `init --demo` of an earlier inved, killed half way, left the
 * demo marker with fewer. */
enum inv_rc sq_demo_present(struct sq_store *st, bool *present,
                            struct inv_err *err)
{
	const int64_t want = (int64_t)DEMO_INVOICES;
	sqlite3_stmt *s = NULL;
	int64_t claims = -1;
	int rc;

	*present = sq_is_demo(st);
	if (!*present)
		return INV_OK;
	rc = sqlite3_prepare_v2(st->db,
		"SELECT count(*) FROM requests WHERE token LIKE 'demo-%' "
		"AND invoice_id IS NOT NULL", -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		claims = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (claims < 0)
		return sq_sqlite_err(st, rc, err);
	if (claims < want)
		return inv_err_set(err, INV_CONFLICT, "",
			_("%s holds only part of the demo data (an earlier "
			  "`inved init --demo` was interrupted); make the demo in "
			  "a new database (choose another --db)"),
			st->path);
	return INV_OK;
}

enum inv_rc sq_add_member(struct sq_store *st, const char *user,
                          const char *org, enum inv_role role,
                          struct inv_err *err)
{
	static const char *const sql[] = {
		"INSERT INTO orgs (name, prefix) VALUES (?1, upper(?1) || '-') "
		"ON CONFLICT (name) DO NOTHING",
		"INSERT INTO users (name) VALUES (?2) "
		"ON CONFLICT (name) DO NOTHING",
		"INSERT INTO memberships (user_id, org_id, role) VALUES "
		"((SELECT id FROM users WHERE name = ?2), "
		"(SELECT id FROM orgs WHERE name = ?1), ?3) "
		"ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
	};
	enum inv_rc rc;
	size_t i;

	if (!identity_name_ok(user) || !identity_name_ok(org))
		return inv_err_set(err, INV_INVALID,
			identity_name_ok(user) ? "org" : "user",
			_("user and org names are 1 to %d characters of letters, "
			  "digits, '.', '_' and '-'"),
			NAME_MAX_BYTES);
	rc = sq_tx_begin(st, err);
	for (i = 0; rc == INV_OK && i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *s = NULL;
		int src = sqlite3_prepare_v2(st->db, sql[i], -1, &s, NULL);

		if (src == SQLITE_OK) {
			sqlite3_bind_text(s, 1, org, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 2, user, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 3, identity_role_name(role), -1,
			                  SQLITE_STATIC);
			src = sqlite3_step(s);
			if (src == SQLITE_DONE)
				src = SQLITE_OK;
		}
		sqlite3_finalize(s);
		if (src != SQLITE_OK)
			rc = sq_sqlite_err(st, src, err);
	}
	if (rc == INV_OK)
		rc = sq_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		sq_tx_rollback(st);
	return rc;
}

bool sq_is_demo(struct sq_store *st)
{
	sqlite3_stmt *s;
	bool demo = false;

	if (sq_stmt(st, SQL_META_GET, &s, NULL) != INV_OK)
		return false;
	sqlite3_bind_text(s, 1, "demo", -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		demo = sqlite3_column_int(s, 0) == 1;
	sqlite3_reset(s);
	return demo;
}

/* The demonstrations write on purpose what no user asked for (a version
 * bump, a held lock): they are for demo databases, never for real data.
 * The refusal names the database. */
static bool demo_refused(struct sq_store *st)
{
	return !sq_is_demo(st);
}

/* A peer write through a connection of its own: this connection's cached
 * reads stay as they were, like another terminal's would. */
enum inv_rc sq_drift(struct store *gst, const struct identity *who,
                     int64_t id, struct write_result *res,
                     struct inv_err *err)
{
	char at[TIME_TEXT_MAX];
	struct sq_store *st = gst->impl, *peer;
	struct store *gpeer = NULL;
	struct invoice cur;
	sqlite3_stmt *s;
	enum inv_rc rc;

	sq_result_reset(res);
	if (demo_refused(st))
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("forcing version drift is a demonstration for "
			  "databases made by `inved init --demo`; %s is not "
			  "one, so nothing was written"),
			st->path);
	rc = store_open_peer(gst, NULL, &gpeer, err);
	if (rc != INV_OK)
		return rc;
	peer = gpeer->impl;
	rc = sq_tx_begin(peer, err);
	if (rc != INV_OK)
		goto out;
	sq_now_text(at, sizeof at);
	rc = sq_row_load(peer, who->org_id, id, &cur, err);
	if (rc == INV_OK)
		rc = rule_check(RULE_DRIFT, &cur, who, cur.version, 0, err);
	if (rc == INV_OK)
		rc = sq_guard_row(peer, &cur, err);
	if (rc == INV_OK)
		rc = sq_claim(peer, who, "invoice.drift", at, &cur, &cur, 0,
		              err);
	if (rc == INV_OK) {
		rc = sq_stmt(peer, SQL_DRIFT, &s, err);
		if (rc == INV_OK) {
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_int64(s, 2, cur.version);
			sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, 4, peer->claim_seq);
			rc = sq_run_update(peer, s, &cur, &cur, err);
		}
	}
	if (rc == INV_OK)
		rc = sq_write_finish(peer, &cur, at, res, err);
	if (rc != INV_OK)
		sq_tx_rollback(peer);
out:
	store_close(gpeer);
	return rc;
}

enum inv_rc sq_hold_lock(struct store *gst, int ms, struct inv_err *err)
{
	struct store *gholder = NULL;
	struct sq_store *holder;
	struct timespec ts;
	enum inv_rc rc;

	rc = store_open_peer(gst, NULL, &gholder, err);
	if (rc != INV_OK)
		return rc;
	holder = gholder->impl;
	rc = demo_refused(holder)
		? inv_err_set(err, INV_FORBIDDEN, "",
			_("holding the write lock is a demonstration for "
			  "databases made by `inved init --demo`; %s is not "
			  "one"),
			holder->path)
		: INV_OK;
	if (rc == INV_OK)
		rc = sq_tx_begin(holder, err);
	if (rc == INV_OK) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		sq_tx_rollback(holder);
	}
	store_close(gholder);
	return rc;
}
