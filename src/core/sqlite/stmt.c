/*
 * stmt.c - the SQLite backend's plumbing: the statement cache (every
 * statement prepared once per connection and handed out reset), the
 * mapping of SQLite's failures to inved's results and messages, and the
 * transactions: BEGIN IMMEDIATE with the write guard, savepoints inside a
 * batch, commit and rollback.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "sqlite_store.h"

static const char *const stmt_sql[SQL__COUNT] = {
	[SQL_BEGIN] = "BEGIN IMMEDIATE",
	[SQL_COMMIT] = "COMMIT",
	[SQL_ROLLBACK] = "ROLLBACK",
	[SQL_SAVEPOINT] = "SAVEPOINT store_write",
	[SQL_RELEASE] = "RELEASE store_write",
	[SQL_ROLLBACK_TO] = "ROLLBACK TO store_write",
	/* The claim of a change to an invoice (schema 4): the audit row of
	 * the write, with the detail the schema's trigger computes from the
	 * change (fields in its order, each value quoted by json_quote), the
	 * old values read from the row itself; ?16 is the write's time, which
	 * its UPDATE stores too (a C clock read is a fifth of the cost of
	 * SQLite's 'now').  ?6-?10 are the new values of
	 * the fields written (NULL: not written), ?12/?14 say archived_at or
	 * deleted_at are written with ?13/?15.  The trigger refuses a claim
	 * whose detail is not exactly this.  The claim is chained to the
	 * invoice's newest audit row (schema 5: prev_seq = audit_tip), and
	 * the write's UPDATE points the invoice at the claim.  (VALUES with
	 * two lookups of the row, not INSERT ... SELECT: SQLite stages the
	 * rows of an INSERT ... SELECT into a table with triggers in a
	 * temporary table first, which cost a quarter of the claim.) */
	[SQL_AUDIT_CLAIM] = "INSERT INTO audit (at, org_id, actor_user_id, "
	                    "actor, action, subject_id, from_version, "
	                    "to_version, prev_seq, detail) VALUES (?16, ?1, "
	                    "?2, ?3, ?4, ?5, ?11, ?11 + 1, (SELECT audit_tip "
	                    "FROM invoices WHERE id = ?5 AND org_id = ?1 "
	                    "AND version = ?11), (SELECT '{' || substr("
	                    "CASE WHEN ?6 IS NOT NULL AND number IS NOT ?6 "
	                    "THEN ',\"number\":{\"old\":' || json_quote(number) || "
	                    "',\"new\":' || json_quote(?6) || '}' ELSE '' END || "
	                    "CASE WHEN ?7 IS NOT NULL AND customer IS NOT ?7 "
	                    "THEN ',\"customer\":{\"old\":' || json_quote(customer) || "
	                    "',\"new\":' || json_quote(?7) || '}' ELSE '' END || "
	                    "CASE WHEN ?8 IS NOT NULL AND status IS NOT ?8 "
	                    "THEN ',\"status\":{\"old\":' || json_quote(status) || "
	                    "',\"new\":' || json_quote(?8) || '}' ELSE '' END || "
	                    "CASE WHEN ?9 IS NOT NULL AND total_minor IS NOT ?9 "
	                    "THEN ',\"total_minor\":{\"old\":' || json_quote(total_minor) || "
	                    "',\"new\":' || json_quote(?9) || '}' ELSE '' END || "
	                    "CASE WHEN ?10 IS NOT NULL AND currency IS NOT ?10 "
	                    "THEN ',\"currency\":{\"old\":' || json_quote(currency) || "
	                    "',\"new\":' || json_quote(?10) || '}' ELSE '' END || "
	                    "CASE WHEN ?12 AND archived_at IS NOT ?13 "
	                    "THEN ',\"archived_at\":{\"old\":' || json_quote(archived_at) || "
	                    "',\"new\":' || json_quote(?13) || '}' ELSE '' END || "
	                    "CASE WHEN ?14 AND deleted_at IS NOT ?15 "
	                    "THEN ',\"deleted_at\":{\"old\":' || json_quote(deleted_at) || "
	                    "',\"new\":' || json_quote(?15) || '}' ELSE '' END"
	                    ", 2) || '}' FROM invoices "
	                    "WHERE id = ?5 AND org_id = ?1 AND version = ?11))",
	/* The claim of a new invoice: its detail as the insert trigger
	 * computes it. */
	[SQL_AUDIT_CLAIM_CREATE] = "INSERT INTO audit (at, org_id, "
	        "actor_user_id, actor, action, subject_id, from_version, "
	        "to_version, detail) VALUES (?16, ?1, ?2, ?3, ?4, ?5, 0, 1, "
	        "'{\"number\":{\"old\":null,\"new\":' || json_quote(?6) || "
	        "'},\"customer\":{\"old\":null,\"new\":' || json_quote(?7) || "
	        "'},\"status\":{\"old\":null,\"new\":' || json_quote(?8) || "
	        "'},\"total_minor\":{\"old\":null,\"new\":' || "
	        "json_quote(?9) || "
	        "'},\"currency\":{\"old\":null,\"new\":' || json_quote(?10) || "
	        "'}}')",
	[SQL_NEXT_ID] = "SELECT coalesce(max(id), 0) + 1 FROM invoices",
	[SQL_ROW_BY_ID] = "SELECT " ROW_COLS " FROM invoices "
	                  "WHERE org_id = ?1 AND id = ?2",
	[SQL_ROW_BY_NUMBER] = "SELECT " ROW_COLS " FROM invoices "
	                      "WHERE org_id = ?1 AND number = ?2 "
	                      "AND deleted_at IS NULL",
	[SQL_ARCHIVE] = "UPDATE invoices SET archived_at = ?3, "
	                "updated_at = ?3, version = version + 1, "
	                "audit_tip = ?4 WHERE id = ?1 AND version = ?2",
	[SQL_RESTORE] = "UPDATE invoices SET archived_at = NULL, "
	                "deleted_at = NULL, updated_at = ?3, "
	                "version = version + 1, audit_tip = ?4 "
	                "WHERE id = ?1 AND version = ?2",
	[SQL_DELETE] = "UPDATE invoices SET deleted_at = ?3, "
	               "updated_at = ?3, version = version + 1, "
	               "audit_tip = ?4 WHERE id = ?1 AND version = ?2",
	[SQL_DRIFT] = "UPDATE invoices SET updated_at = ?3, "
	              "version = version + 1, audit_tip = ?4 "
	              "WHERE id = ?1 AND version = ?2",
	[SQL_CLAIM] = "INSERT INTO requests (org_id, token, user_id, at) "
	              "VALUES (?1, ?2, ?3, " NOW ") ON CONFLICT DO NOTHING",
	[SQL_CLAIM_LOOKUP] = "SELECT invoice_id FROM requests "
	                     "WHERE org_id = ?1 AND token = ?2",
	[SQL_CLAIM_FILL] = "UPDATE requests SET invoice_id = ?3 "
	                   "WHERE org_id = ?1 AND token = ?2",
	[SQL_ORG_NEXT] = "SELECT prefix, next_number FROM orgs WHERE id = ?1",
	[SQL_ORG_BUMP] = "UPDATE orgs SET next_number = ?2 WHERE id = ?1",
	[SQL_NUMBER_LIVE] = "SELECT " ROW_COLS " FROM invoices "
	                    "WHERE org_id = ?1 AND number = ?2 "
	                    "AND deleted_at IS NULL",
	[SQL_INSERT] = "INSERT INTO invoices (id, org_id, number, customer, "
	               "status, total_minor, currency, version, created_at, "
	               "updated_at, audit_tip) "
	               "VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6, 1, ?8, ?8, ?9)",
	[SQL_AUDIT_HEAD] = "SELECT coalesce(max(seq), 0) FROM audit",
	[SQL_TOTALS] = "SELECT state, currency, count, total_minor FROM totals "
	               "WHERE org_id = ?1 ORDER BY currency",
	[SQL_RECOUNT] =
		"SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted' "
		"WHEN archived_at IS NOT NULL THEN 'archived' ELSE 'active' END, "
		"currency, count(*), sum(total_minor) FROM invoices "
		"WHERE org_id = ?1 GROUP BY 1, 2 ORDER BY 2",
	[SQL_DATA_VERSION] = "PRAGMA data_version",
	/* The change feed is the audit (schema 3), read through audit_org. */
	[SQL_CHANGES_SINCE] = "SELECT seq, org_id, subject_id, action, actor, "
	                      "at, to_version "
	                      "FROM audit WHERE org_id = ?1 AND seq > ?2 "
	                      "ORDER BY seq LIMIT ?3",
	[SQL_AUDIT_ORG] =
		"SELECT a.seq, a.at, a.actor, a.action, a.subject_id, "
		"coalesce(i.number, ''), a.from_version, a.to_version, a.detail "
		"FROM audit a LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE a.org_id = ?1 AND (?4 OR i.deleted_at IS NULL) "
		"ORDER BY a.seq DESC LIMIT ?3",
	/* An invoice's history (schema 5): its chain, from the invoice's
	 * audit_tip back along prev_seq, each row found by its seq (the
	 * audit's primary key), never more rows than asked for. */
	[SQL_AUDIT_SUBJECT] =
		"WITH RECURSIVE chain(seq) AS ("
		"SELECT audit_tip FROM invoices WHERE id = ?2 AND org_id = ?1 "
		"UNION ALL SELECT a.prev_seq FROM chain c "
		"JOIN audit a ON a.seq = c.seq "
		"WHERE a.prev_seq IS NOT NULL AND a.subject_id = ?2 LIMIT ?3) "
		"SELECT a.seq, a.at, a.actor, a.action, a.subject_id, "
		"coalesce(i.number, ''), a.from_version, a.to_version, a.detail "
		"FROM chain c JOIN audit a ON a.seq = c.seq "
		"LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE a.org_id = ?1 AND a.subject_id = ?2 "
		"ORDER BY a.seq DESC",
	[SQL_USER_BY_NAME] = "SELECT id, name FROM users WHERE name = ?1",
	[SQL_MEMBERSHIP] =
		"SELECT o.id, o.name, m.role FROM memberships m "
		"JOIN orgs o ON o.id = m.org_id WHERE m.user_id = ?1 "
		"AND (o.name = ?2 OR CAST(o.id AS TEXT) = ?2)",
	[SQL_MEMBERSHIPS_OF] =
		"SELECT o.id, o.name, m.role FROM memberships m "
		"JOIN orgs o ON o.id = m.org_id WHERE m.user_id = ?1 "
		"ORDER BY o.name",
	[SQL_MEMBERSHIPS_ALL] =
		"SELECT u.name, o.name, m.role FROM memberships m "
		"JOIN orgs o ON o.id = m.org_id JOIN users u ON u.id = m.user_id "
		"ORDER BY o.name, m.role, u.name",
	[SQL_DRAFT_GET] = "SELECT version, base_version, body, saved_at, "
	                  "token, base_body "
	                  "FROM drafts WHERE user_id = ?1 AND org_id = ?2 "
	                  "AND invoice_id = ?3 AND token = ?4",
	[SQL_DRAFT_NEWEST] = "SELECT version, base_version, body, saved_at, "
	                     "token, base_body "
	                     "FROM drafts WHERE user_id = ?1 AND org_id = ?2 "
	                     "AND invoice_id = ?3 "
	                     "ORDER BY saved_at DESC, token LIMIT 1",
	[SQL_DRAFT_INSERT] =
		"INSERT INTO drafts (user_id, org_id, invoice_id, token, version, "
		"base_version, base_body, body, saved_at) "
		"VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, " NOW ")",
	[SQL_DRAFT_UPDATE] =
		"UPDATE drafts SET version = version + 1, base_version = ?5, "
		"base_body = ?6, body = ?7, saved_at = " NOW " WHERE user_id = ?1 "
		"AND org_id = ?2 AND invoice_id = ?3 AND token = ?4 "
		"AND version = ?8",
	[SQL_DRAFT_DELETE] = "DELETE FROM drafts WHERE user_id = ?1 "
	                     "AND org_id = ?2 AND invoice_id = ?3 AND token = ?4",
	[SQL_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[SQL_BEGIN_READ] = "BEGIN DEFERRED",
	/* The newest audit row of an invoice up to a version that touched a
	 * field (?4 '$.field'), and the value it left (?5 '$.field.new').  A
	 * claim no write filled (detail '') changed nothing. */
	/* (Schema 5: the invoice's chain, walked back from its audit_tip
	 * until the first row that matches.) */
	[SQL_AUDIT_VALUE] =
		"WITH RECURSIVE chain(seq, hit) AS ("
		"SELECT a.seq, a.to_version <= ?3 AND a.detail <> '' "
		"AND json_type(a.detail, ?4) IS NOT NULL "
		"FROM invoices i JOIN audit a ON a.seq = i.audit_tip "
		"WHERE i.id = ?2 AND i.org_id = ?1 AND a.subject_id = ?2 "
		"UNION ALL SELECT a.seq, a.to_version <= ?3 AND a.detail <> '' "
		"AND json_type(a.detail, ?4) IS NOT NULL "
		"FROM chain c JOIN audit p ON p.seq = c.seq "
		"JOIN audit a ON a.seq = p.prev_seq "
		"WHERE NOT c.hit AND a.subject_id = ?2) "
		"SELECT json_extract(a.detail, ?5), a.actor, a.to_version "
		"FROM chain c JOIN audit a ON a.seq = c.seq "
		"WHERE c.hit AND a.org_id = ?1 "
		"ORDER BY a.to_version DESC, a.seq DESC LIMIT 1",
};

/* ---- plumbing ------------------------------------------------------------ */

enum inv_rc sq_sqlite_err(struct sq_store *st, int rc, struct inv_err *err)
{
	const char *path = st && st->path ? st->path : "?";
	const char *detail = st && st->db ? sqlite3_errmsg(st->db)
	                                  : sqlite3_errstr(rc);
	int sys = st && st->db ? sqlite3_system_errno(st->db) : 0;

	/* A full disk met while growing the -shm or -wal file comes back as
	 * an I/O error (SQLITE_IOERR_SHMSIZE, _WRITE, ...); the operator needs
	 * to hear "full", not "input/output error". */
	if ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT))
		rc = SQLITE_FULL;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return inv_err_set(err, INV_BUSY, "",
			_("the database %s stayed locked by another writer for "
			  "more than %d ms; nothing was written — try again"),
			path, st ? st->busy_ms : 0);
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return inv_err_set(err, INV_ERROR, "",
			_("cannot write to %s (%s); check the permissions of the "
			  "file and of its directory"),
			path, detail);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return inv_err_set(err, INV_ERROR, "",
			_("%s is not a usable inved database (%s); restore it from "
			  "a backup or point --db elsewhere"),
			path, detail);
	case SQLITE_CANTOPEN:
		return inv_err_set(err, INV_ERROR, "",
			_("cannot open %s (%s); check that its directory exists "
			  "and is writable"),
			path, detail);
	case SQLITE_FULL:
		return inv_err_set(err, INV_ERROR, "",
			_("the disk holding %s is full; nothing was written"), path);
	case SQLITE_IOERR:
		return inv_err_set(err, INV_ERROR, "",
			_("input/output error on %s (%s)"), path, detail);
	default:
		break;
	}
	return inv_err_set(err, INV_ERROR, "", _("database error on %s: %s"),
	                   path, detail);
}

enum inv_rc sq_stmt(struct sq_store *st, enum stmt_id id, sqlite3_stmt **out,
                    struct inv_err *err)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc;

	*out = NULL;
	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		*out = s;
		return INV_OK;
	}
	rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
	                        SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK)
		return sq_sqlite_err(st, rc, err);
	st->stmt[id] = s;
	*out = s;
	return INV_OK;
}

/* Step a statement to completion (it returns no rows we need). */
enum inv_rc sq_stmt_done(struct sq_store *st, sqlite3_stmt *s,
                         struct inv_err *err)
{
	int rc = sqlite3_step(s);

	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

enum inv_rc sq_exec(struct sq_store *st, enum stmt_id id, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	enum inv_rc prc;

	prc = sq_stmt(st, id, &s, err);
	if (prc != INV_OK)
		return prc;
	return sq_stmt_done(st, s, err);
}

/* Inside sq_batch_begin() each write is a savepoint of the one outer
 * transaction: a refused write still leaves no trace, and nothing is
 * committed until sq_batch_commit(). */
enum inv_rc sq_tx_begin_unguarded(struct sq_store *st, struct inv_err *err)
{
	if (st->batch)
		return sq_exec(st, SQL_SAVEPOINT, err);
	return sq_exec(st, SQL_BEGIN, err);
}

/* The guard runs after BEGIN IMMEDIATE: holding the write lock, nobody can
 * change the schema between the verification and this write's commit. */
enum inv_rc sq_tx_begin(struct sq_store *st, struct inv_err *err)
{
	enum inv_rc rc = sq_tx_begin_unguarded(st, err);

	if (rc == INV_OK)
		rc = sq_guard(st, err);
	if (rc != INV_OK)
		sq_tx_rollback(st);
	return rc;
}

void sq_tx_rollback(struct sq_store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	if (st->batch) {
		sq_exec(st, SQL_ROLLBACK_TO, NULL);
		sq_exec(st, SQL_RELEASE, NULL);
		return;
	}
	sq_exec(st, SQL_ROLLBACK, NULL);
}

enum inv_rc sq_batch_begin(struct sq_store *st, struct inv_err *err)
{
	enum inv_rc rc = sq_exec(st, SQL_BEGIN, err);

	st->batch = rc == INV_OK;
	return rc;
}

enum inv_rc sq_batch_commit(struct sq_store *st, struct inv_err *err)
{
	enum inv_rc rc;

	st->batch = false;
	rc = sq_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		sq_tx_rollback(st);
	return rc;
}

void sq_batch_rollback(struct sq_store *st)
{
	st->batch = false;
	sq_tx_rollback(st);
}

/* Nothing to clear before the commit: the writer's name is in the audit
 * row of its own write (schema 3), which names the invoice and versions,
 * so a later writer that does not name itself is recorded as external. */
enum inv_rc sq_tx_commit(struct sq_store *st, struct inv_err *err)
{
	enum inv_rc rc = sq_exec(st, st->batch ? SQL_RELEASE : SQL_COMMIT,
	                         err);

	if (rc != INV_OK)
		sq_tx_rollback(st);
	return rc;
}

/* A column's text into dst, cut to fit like snprintf "%s" would cut it
 * (up to the first NUL, at most len - 1 bytes).  A plain copy: the rows of
 * every read and write pass through here, and snprintf's format machinery
 * was a few per cent of an edit's instructions. */
void sq_copy_text(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	size_t n = t ? strnlen(t, len - 1) : 0;

	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

enum inv_rc sq_head_read(struct sq_store *st, enum stmt_id id, int64_t *out,
                         struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	prc = sq_stmt(st, id, &s, err);
	if (prc != INV_OK)
		return prc;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

/* ---- open and migrate ---------------------------------------------------- */

enum inv_rc sq_query_int(struct sq_store *st, const char *sql, int64_t *out,
                         struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}
