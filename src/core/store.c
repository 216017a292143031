/*
 * store.c - the SQLite store: opening and migrating the file, the cached
 * statements, identity, reads, and the guarded writes of SPEC 3.
 *
 * Every write is one BEGIN IMMEDIATE transaction that loads the row by
 * (session org, id) and checks tenancy, lifecycle, role and version, in that
 * order, against the row it just loaded.  Only then does it name itself
 * (the audit row of the write, appended with an empty detail) and touch the
 * row; the triggers of data/schema.sql fill that audit row (which is also
 * the change-feed row) and write the totals inside the same transaction.
 * A refused write rolls back, so it leaves no trace at all.
 *
 * Drafts, the change feed and the demo data live in feed.c and demo.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "money.h"
#include "store_internal.h"

extern const char inved_schema_sql[];

#define ROW_COLS                                                             \
	"id, org_id, number, customer, status, total_minor, currency, version, " \
	"created_at, updated_at, coalesce(archived_at, ''), "                    \
	"coalesce(deleted_at, '')"

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

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
	 * whose detail is not exactly this. */
	[SQL_AUDIT_CLAIM] = "INSERT INTO audit (at, org_id, actor_user_id, "
	                    "actor, action, subject_id, from_version, "
	                    "to_version, detail) VALUES (?16, ?1, ?2, ?3, ?4, "
	                    "?5, ?11, ?11 + 1, (SELECT '{' || substr("
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
	                "updated_at = ?3, version = version + 1 "
	                "WHERE id = ?1 AND version = ?2",
	[SQL_RESTORE] = "UPDATE invoices SET archived_at = NULL, "
	                "deleted_at = NULL, updated_at = ?3, "
	                "version = version + 1 WHERE id = ?1 AND version = ?2",
	[SQL_DELETE] = "UPDATE invoices SET deleted_at = ?3, "
	               "updated_at = ?3, version = version + 1 "
	               "WHERE id = ?1 AND version = ?2",
	[SQL_DRIFT] = "UPDATE invoices SET updated_at = ?3, "
	              "version = version + 1 WHERE id = ?1 AND version = ?2",
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
	               "updated_at) "
	               "VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6, 1, ?8, ?8)",
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
	[SQL_CHANGES_SINCE] = "SELECT seq, org_id, subject_id, action "
	                      "FROM audit WHERE org_id = ?1 AND seq > ?2 "
	                      "ORDER BY seq LIMIT ?3",
	[SQL_AUDIT_ORG] =
		"SELECT a.seq, a.at, a.actor, a.action, a.subject_id, "
		"coalesce(i.number, ''), a.from_version, a.to_version, a.detail "
		"FROM audit a LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE a.org_id = ?1 AND (?4 OR i.deleted_at IS NULL) "
		"ORDER BY a.seq DESC LIMIT ?3",
	[SQL_AUDIT_SUBJECT] =
		"SELECT a.seq, a.at, a.actor, a.action, a.subject_id, "
		"coalesce(i.number, ''), a.from_version, a.to_version, a.detail "
		"FROM audit a LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE a.org_id = ?1 AND a.subject_id = ?2 "
		"ORDER BY a.seq DESC LIMIT ?3",
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
	[SQL_AUDIT_VALUE] =
		"SELECT json_extract(detail, ?5), actor, to_version FROM audit "
		"WHERE org_id = ?1 AND subject_id = ?2 AND to_version <= ?3 "
		"AND detail <> '' AND json_type(detail, ?4) IS NOT NULL "
		"ORDER BY to_version DESC, seq DESC LIMIT 1",
	[SQL_TOTALS_BUCKET] = "SELECT count, total_minor FROM totals "
	                      "WHERE org_id = ?1 AND currency = ?2 AND state = ?3",
};

static const char *const view_names[VIEW__COUNT] = {"active", "archived",
                                                    "all"};

/* ---- plumbing ------------------------------------------------------------ */

enum inv_rc store_sqlite_err(struct store *st, int rc, struct inv_err *err)
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

sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id,
                         struct inv_err *err)
{
	sqlite3_stmt *s = st->stmt[id];
	int rc;

	if (s) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return s;
	}
	rc = sqlite3_prepare_v3(st->db, stmt_sql[id], -1,
	                        SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		store_sqlite_err(st, rc, err);
		return NULL;
	}
	st->stmt[id] = s;
	return s;
}

/* Step a statement to completion (it returns no rows we need). */
static enum inv_rc stmt_done(struct store *st, sqlite3_stmt *s,
                             struct inv_err *err)
{
	int rc = sqlite3_step(s);

	while (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

enum inv_rc store_exec(struct store *st, enum stmt_id id, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);

	if (!s)
		return err ? err->rc : INV_ERROR;
	return stmt_done(st, s, err);
}

/* Inside store_batch_begin() each write is a savepoint of the one outer
 * transaction: a refused write still leaves no trace, and nothing is
 * committed until store_batch_commit(). */
enum inv_rc store_tx_begin_unguarded(struct store *st, struct inv_err *err)
{
	if (st->batch)
		return store_exec(st, SQL_SAVEPOINT, err);
	return store_exec(st, SQL_BEGIN, err);
}

/* The guard runs after BEGIN IMMEDIATE: holding the write lock, nobody can
 * change the schema between the verification and this write's commit. */
enum inv_rc store_tx_begin(struct store *st, struct inv_err *err)
{
	enum inv_rc rc = store_tx_begin_unguarded(st, err);

	if (rc == INV_OK)
		rc = store_guard(st, err);
	if (rc != INV_OK)
		store_tx_rollback(st);
	return rc;
}

void store_tx_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return;
	if (st->batch) {
		store_exec(st, SQL_ROLLBACK_TO, NULL);
		store_exec(st, SQL_RELEASE, NULL);
		return;
	}
	store_exec(st, SQL_ROLLBACK, NULL);
}

enum inv_rc store_batch_begin(struct store *st, struct inv_err *err)
{
	enum inv_rc rc = store_exec(st, SQL_BEGIN, err);

	st->batch = rc == INV_OK;
	return rc;
}

enum inv_rc store_batch_commit(struct store *st, struct inv_err *err)
{
	enum inv_rc rc;

	st->batch = false;
	rc = store_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		store_tx_rollback(st);
	return rc;
}

void store_batch_rollback(struct store *st)
{
	st->batch = false;
	store_tx_rollback(st);
}

/* Nothing to clear before the commit: the writer's name is in the audit
 * row of its own write (schema 3), which names the invoice and versions,
 * so a later writer that does not name itself is recorded as external. */
enum inv_rc store_tx_commit(struct store *st, struct inv_err *err)
{
	enum inv_rc rc = store_exec(st, st->batch ? SQL_RELEASE : SQL_COMMIT,
	                            err);

	if (rc != INV_OK)
		store_tx_rollback(st);
	return rc;
}

enum inv_rc store_claim(struct store *st, const struct identity *who,
                        const char *action, const char *at,
                        const struct invoice *cur,
                        const struct invoice *next, unsigned mask,
                        struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, cur ? SQL_AUDIT_CLAIM
	                                     : SQL_AUDIT_CLAIM_CREATE, err);
	enum inv_rc rc;

	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->org_id);
	if (who->user_id > 0)
		sqlite3_bind_int64(s, 2, who->user_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_text(s, 3, who->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, cur ? cur->id : next->id);
	sqlite3_bind_text(s, 16, at, -1, SQLITE_STATIC);
	if (!cur)
		mask = CLAIM_NUMBER | CLAIM_CUSTOMER | CLAIM_STATUS |
		       CLAIM_TOTAL | CLAIM_CURRENCY;
	else
		sqlite3_bind_int64(s, 11, cur->version);
	if (mask & CLAIM_NUMBER)
		sqlite3_bind_text(s, 6, next->number, -1, SQLITE_STATIC);
	if (mask & CLAIM_CUSTOMER)
		sqlite3_bind_text(s, 7, next->customer, -1, SQLITE_STATIC);
	if (mask & CLAIM_STATUS)
		sqlite3_bind_text(s, 8, invoice_status_name(next->status), -1,
		                  SQLITE_STATIC);
	if (mask & CLAIM_TOTAL)
		sqlite3_bind_int64(s, 9, next->total_minor);
	if (mask & CLAIM_CURRENCY)
		sqlite3_bind_text(s, 10, next->currency, -1, SQLITE_STATIC);
	if (cur) {
		sqlite3_bind_int(s, 12, (mask & CLAIM_ARCHIVED) != 0);
		if (next->archived_at[0])
			sqlite3_bind_text(s, 13, next->archived_at, -1,
			                  SQLITE_STATIC);
		sqlite3_bind_int(s, 14, (mask & CLAIM_DELETED) != 0);
		if (next->deleted_at[0])
			sqlite3_bind_text(s, 15, next->deleted_at, -1,
			                  SQLITE_STATIC);
	}
	st->claim_seq = 0;
	rc = stmt_done(st, s, err);
	if (rc == INV_OK && sqlite3_changes(st->db) != 1)
		rc = inv_err_set(err, INV_ERROR, "",
			_("the invoice moved while it was being written; "
			  "nothing was written"));
	if (rc == INV_OK)
		st->claim_seq = sqlite3_last_insert_rowid(st->db);
	return rc;
}

void store_now_text(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* A column's text into dst, cut to fit like snprintf "%s" would cut it
 * (up to the first NUL, at most len - 1 bytes).  A plain copy: the rows of
 * every read and write pass through here, and snprintf's format machinery
 * was a few per cent of an edit's instructions. */
static void copy_text(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const char *t = (const char *)sqlite3_column_text(s, col);
	size_t n = t ? strnlen(t, len - 1) : 0;

	if (n > 0)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

static enum inv_status status_from_text(const char *t)
{
	enum inv_status st;

	if (invoice_status_parse(t, &st, NULL) != INV_OK)
		return ST_DRAFT;
	return st;
}

static void row_read(sqlite3_stmt *s, struct invoice *inv)
{
	char status[16];

	memset(inv, 0, sizeof *inv);
	inv->id = sqlite3_column_int64(s, 0);
	inv->org_id = sqlite3_column_int64(s, 1);
	copy_text(inv->number, sizeof inv->number, s, 2);
	copy_text(inv->customer, sizeof inv->customer, s, 3);
	copy_text(status, sizeof status, s, 4);
	inv->status = status_from_text(status);
	inv->total_minor = sqlite3_column_int64(s, 5);
	copy_text(inv->currency, sizeof inv->currency, s, 6);
	inv->version = sqlite3_column_int64(s, 7);
	copy_text(inv->created_at, sizeof inv->created_at, s, 8);
	copy_text(inv->updated_at, sizeof inv->updated_at, s, 9);
	copy_text(inv->archived_at, sizeof inv->archived_at, s, 10);
	copy_text(inv->deleted_at, sizeof inv->deleted_at, s, 11);
}

/* Load one row of the session's org.  Tenancy lives here: the org is part
 * of the key, so another org's id is simply not found. */
static enum inv_rc row_load(struct store *st, int64_t org, int64_t id,
                            struct invoice *out, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_ROW_BY_ID, err);
	int rc;

	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_read(s, out);
		sqlite3_reset(s);
		return INV_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return inv_err_set(err, INV_NOT_FOUND, "",
	                   _("invoice %" PRId64 " not found"), id);
}

static enum inv_rc head_read(struct store *st, enum stmt_id id, int64_t *out,
                             struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);
	int rc;

	if (!s)
		return err ? err->rc : INV_ERROR;
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

/* ---- open and migrate ---------------------------------------------------- */

enum inv_rc store_query_int(struct store *st, const char *sql, int64_t *out,
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
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

static enum inv_rc exec_sql(struct store *st, const char *sql,
                            struct inv_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

/* The tables of schema 1 that every later schema keeps (its change feed
 * and write_ctx went in schema 3; the feed is a view now, which a repair
 * puts back, so it is not asked for). */
#define SCHEMA_OURS_SQL                                                      \
	"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN " \
	"('meta', 'orgs', 'users', 'memberships', 'invoices', 'audit', "      \
	"'totals', 'requests', 'drafts')"
#define SCHEMA_OURS_TABLES 9

/* The refusals that need no write: a schema from a newer inved, an SQLite
 * file that is not ours, and (without create) a file with no schema yet.
 * Reads only, so store_open runs it before anything that could write (the
 * switch to WAL rewrites the file header): a refused file is left byte for
 * byte as it was.  *version is the file's user_version. */
static enum inv_rc schema_screen(struct store *st, bool create,
                                 int64_t *version, struct inv_err *err)
{
	int64_t tables = 0, app = 0;
	enum inv_rc rc;

	rc = store_query_int(st, "PRAGMA user_version", version, err);
	if (rc != INV_OK)
		return rc;
	/* user_version is a number any program may set: a file is ours when
	 * it also holds the tables every inved schema has, and names no other
	 * application in its header (inved sets no application_id). */
	rc = store_query_int(st, "PRAGMA application_id", &app, err);
	if (rc != INV_OK)
		return rc;
	if (*version != 0 || app != 0) {
		rc = store_query_int(st, SCHEMA_OURS_SQL, &tables, err);
		if (rc != INV_OK)
			return rc;
		if (tables != SCHEMA_OURS_TABLES || app != 0)
			return inv_err_set(err, INV_ERROR, "",
				_("%s is an SQLite file but not an inved database; "
				  "it was not modified — point --db at another file"),
				st->path);
	}
	if (*version > SCHEMA_VERSION)
		return inv_err_set(err, INV_ERROR, "",
			_("%s was written by a newer inved (schema %" PRId64
			  ", this inved knows up to %d); it was not modified — "
			  "upgrade inved to open it"),
			st->path, *version, SCHEMA_VERSION);
	if (*version != 0)
		return INV_OK;
	rc = store_query_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err);
	if (rc == INV_OK && tables > 0)
		return inv_err_set(err, INV_ERROR, "",
			_("%s is an SQLite file but not an inved database; "
			  "it was not modified — point --db at another file"),
			st->path);
	if (rc == INV_OK && !create)
		return inv_err_set(err, INV_NOT_FOUND, "",
			_("%s holds no inved database yet; create one with "
			  "`inved init` (or `inved init --demo`)"),
			st->path);
	return rc;
}

/* The steps from schema version `from` to SCHEMA_VERSION: the schema text
 * after its line "-- schema N --" for N = from + 1 (data/schema.sql keeps
 * each version's additions after such a line, in order). */
static enum inv_rc schema_steps(struct store *st, int64_t from,
                                struct inv_err *err)
{
	char mark[48];
	const char *step;

	snprintf(mark, sizeof mark, "\n-- schema %" PRId64 " --\n", from + 1);
	step = strstr(inved_schema_sql, mark);
	if (!step)
		return inv_err_set(err, INV_ERROR, "",
			_("%s has schema %" PRId64 ", which this inved cannot "
			  "bring up to date; it was not modified"),
			st->path, from);
	return exec_sql(st, step, err);
}

/* Bring the schema to SCHEMA_VERSION.  Run under BEGIN IMMEDIATE and
 * screen the file again inside it, so two processes opening a new file at
 * once apply the schema exactly once. */
static enum inv_rc schema_migrate(struct store *st, bool create,
                                  struct inv_err *err)
{
	int64_t version = 0;
	enum inv_rc rc;

	rc = schema_screen(st, create, &version, err);
	if (rc != INV_OK || version == SCHEMA_VERSION)
		return rc;

	rc = exec_sql(st, "BEGIN IMMEDIATE", err);
	if (rc != INV_OK)
		return rc;
	rc = schema_screen(st, create, &version, err);
	if (rc == INV_OK && version == 0) {
		/* A new file takes the whole schema, every version's part. */
		rc = exec_sql(st, inved_schema_sql, err);
		if (rc == INV_OK)
			rc = exec_sql(st,
				"INSERT INTO meta (key, value) VALUES "
				"('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
				err);
	} else if (rc == INV_OK && version < SCHEMA_VERSION) {
		rc = schema_steps(st, version, err);
	}
	if (rc == INV_OK && version < SCHEMA_VERSION) {
		char sql[64];

		snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		         SCHEMA_VERSION);
		rc = exec_sql(st, sql, err);
	}
	if (rc == INV_OK)
		rc = exec_sql(st, "COMMIT", err);
	if (rc != INV_OK)
		exec_sql(st, "ROLLBACK", NULL);
	return rc;
}

/* The last failure on this connection was the disk running out of room. */
static bool disk_full(struct store *st)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	int sys = sqlite3_system_errno(st->db);

	return code == SQLITE_FULL ||
	       (code == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT));
}

static int busy_default(void)
{
	const char *env = getenv("INVED_BUSY_TIMEOUT");
	long v;
	char *end;

	if (env && *env) {
		errno = 0;
		v = strtol(env, &end, 10);
		if (!errno && !*end && v > 0 && v < 3600000)
			return (int)v;
	}
	return STORE_BUSY_DEFAULT_MS;
}

void store_process_setup(void)
{
	/* SQLITE_MISUSE once SQLite is initialised: then it stays as it is */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The SQLite connection of st->path, with extended result codes and the
 * busy timeout. */
static enum inv_rc connection_open(struct store *st, int oflags,
                                   struct inv_err *err)
{
	int src = sqlite3_open_v2(st->path, &st->db, oflags, NULL);

	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, err);
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	return INV_OK;
}

enum inv_rc store_open(const char *path, int flags, int busy_timeout_ms,
                       struct store **out, struct inv_err *err)
{
	struct store *st;
	struct stat sb;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int64_t dummy = 0;
	enum inv_rc rc;

	*out = NULL;
	if (!path || !*path)
		return inv_err_set(err, INV_INVALID, "db",
			_("no database path given; use --db PATH or set INVED_DB"));
	if (stat(path, &sb) != 0) {
		if (!(flags & STORE_OPEN_CREATE))
			return inv_err_set(err, INV_NOT_FOUND, "",
				_("no database at %s; create one with `inved init "
				  "--demo` (or `inved init`), or point --db / INVED_DB "
				  "at an existing file"),
				path);
		oflags |= SQLITE_OPEN_CREATE;
	} else if (S_ISDIR(sb.st_mode)) {
		return inv_err_set(err, INV_ERROR, "",
			_("%s is a directory; --db needs a file path"), path);
	}

	st = calloc(1, sizeof *st);
	if (!st || !(st->path = strdup(path))) {
		free(st);
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	}
	st->busy_ms = busy_timeout_ms > 0 ? busy_timeout_ms : busy_default();
	rc = connection_open(st, oflags, err);
	if (rc != INV_OK)
		goto fail;

	/* Reads first: a file that is not SQLite, or not ours, or from a newer
	 * inved is reported before anything is written to it. */
	rc = store_query_int(st, "PRAGMA schema_version", &dummy, err);
	if (rc != INV_OK && disk_full(st)) {
		/* The disk filled up before the -shm file could be made: keep
		 * the WAL index in this process's memory instead (exclusive
		 * locking), so reads still work; a write that needs space
		 * still fails, and is named a full disk.  The mode must be set
		 * before the connection's first access, hence a new one. */
		sqlite3_close_v2(st->db);
		st->db = NULL;
		rc = connection_open(st, oflags, err);
		if (rc != INV_OK)
			goto fail;
		rc = exec_sql(st, "PRAGMA locking_mode = EXCLUSIVE", err);
		if (rc == INV_OK)
			rc = store_query_int(st, "PRAGMA schema_version", &dummy, err);
	}
	if (rc == INV_OK)
		rc = schema_screen(st, flags & STORE_OPEN_CREATE, &dummy, err);
	if (rc == INV_OK)
		rc = exec_sql(st, "PRAGMA journal_mode = WAL", err);
	if (rc == INV_OK)
		rc = exec_sql(st, "PRAGMA synchronous = FULL;"
		                  "PRAGMA foreign_keys = ON;"
		                  "PRAGMA recursive_triggers = OFF;",
		              err);
	if (rc == INV_OK)
		rc = schema_migrate(st, flags & STORE_OPEN_CREATE, err);
	if (rc != INV_OK)
		goto fail;
	*out = st;
	return INV_OK;
fail:
	store_close(st);
	return rc;
}

void store_close(struct store *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < SQL__COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	for (i = 0; i < PAGE_STMTS; i++)
		sqlite3_finalize(st->page[i]);
	for (i = 0; i < EDIT_STMTS; i++)
		sqlite3_finalize(st->edit[i]);
	store_guard_release(st);
	sqlite3_close_v2(st->db);
	store_wakeup_free(st->wake);
	free(st->path);
	free(st);
}

const char *store_path(const struct store *st)
{
	return st->path;
}

bool store_is_demo(struct store *st)
{
	sqlite3_stmt *s = store_stmt(st, SQL_META_GET, NULL);
	bool demo = false;

	if (!s)
		return false;
	sqlite3_bind_text(s, 1, "demo", -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		demo = sqlite3_column_int(s, 0) == 1;
	sqlite3_reset(s);
	return demo;
}

/* ---- identity ------------------------------------------------------------ */

static enum inv_role role_from_text(const unsigned char *t)
{
	return t && strcmp((const char *)t, "admin") == 0 ? ROLE_ADMIN
	                                                  : ROLE_MEMBER;
}

const char *identity_role_name(enum inv_role role)
{
	return role == ROLE_ADMIN ? "admin" : "member";
}

/* "alice@acme (admin), bob@acme (member)" for messages; user 0 = all. */
static void memberships_text(struct store *st, int64_t user_id, char *buf,
                             size_t len)
{
	sqlite3_stmt *s;
	size_t used = 0;
	int n = 0;

	buf[0] = '\0';
	s = store_stmt(st, user_id ? SQL_MEMBERSHIPS_OF : SQL_MEMBERSHIPS_ALL,
	               NULL);
	if (!s)
		return;
	if (user_id)
		sqlite3_bind_int64(s, 1, user_id);
	while (sqlite3_step(s) == SQLITE_ROW && used + 1 < len) {
		int w;

		if (n == 12) {
			snprintf(buf + used, len - used, ", …");
			break;
		}
		if (user_id)
			w = snprintf(buf + used, len - used, "%s%s (%s)",
			             n ? ", " : "", sqlite3_column_text(s, 1),
			             sqlite3_column_text(s, 2));
		else
			w = snprintf(buf + used, len - used, "%s%s@%s (%s)",
			             n ? ", " : "", sqlite3_column_text(s, 0),
			             sqlite3_column_text(s, 1),
			             sqlite3_column_text(s, 2));
		if (w < 0)
			break;
		used += (size_t)w;
		n++;
	}
	sqlite3_reset(s);
	if (n == 0)
		snprintf(buf, len, "%s", _("none"));
}

static enum inv_rc identity_not_member(struct store *st, const char *user,
                                       bool known, bool demo,
                                       struct inv_err *err);

/* Which user a session acts as (SPEC 6a).  Outside a demo database that
 * is the logged-in account and nobody else: a name given with --user or
 * INVED_USER must be that account's own.  A demo database (whose marker
 * only `init --demo` can write, see data/schema.sql) lets the name pick any
 * of its users; without a name it is the logged-in account there too. */
static enum inv_rc identity_user_name(struct store *st, const char *user,
                                      bool demo, char *out, size_t len,
                                      struct inv_err *err)
{
	char account[NAME_MAX_BYTES + 1];
	enum inv_rc rc;

	if (demo && user && *user) {
		/* A name no user can have matches none, never a cut copy. */
		if (!identity_name_ok(user))
			return identity_not_member(st, user, false, true, err);
		snprintf(out, len, "%s", user);
		return INV_OK;
	}
	rc = identity_account(account, sizeof account, err);
	if (rc != INV_OK)
		return rc;
	if (user && *user && strcmp(user, account) != 0)
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("--user (or INVED_USER) names '%s', but %s is not a "
			  "demo database: here you act as the account you are "
			  "logged in as, %s; drop --user and unset INVED_USER"),
			user, st->path, account);
	snprintf(out, len, "%s", account);
	return INV_OK;
}

static int64_t org_count(struct store *st)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM orgs", -1, &s,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Refusing someone who is not a member: say how to get in, never who is
 * (other people's memberships are not theirs to read).  A demo database,
 * whose users are public, lists them. */
static enum inv_rc identity_not_member(struct store *st, const char *user,
                                       bool known, bool demo,
                                       struct inv_err *err)
{
	char list[256];

	if (demo) {
		memberships_text(st, 0, list, sizeof list);
		if (known)
			return inv_err_set(err, INV_FORBIDDEN, "user",
				_("%s is not a member of any org in %s; memberships "
				  "that exist: %s — pick one with --user NAME (or "
				  "INVED_USER)"),
				user, st->path, list);
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("unknown user '%s' in %s; memberships that exist: %s — "
			  "pick one with --user NAME (or INVED_USER)"),
			user, st->path, list);
	}
	if (org_count(st) == 0)
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("%s holds no org yet; `inved --db %s init --org ORG` "
			  "makes you (%s) the admin of a new org ORG"),
			st->path, st->path, user);
	return inv_err_set(err, INV_FORBIDDEN, "user",
		_("%s is not a member of any org in %s; ask an admin of your "
		  "org to run `inved member add %s`"),
		user, st->path, user);
}

enum inv_rc store_identity(struct store *st, const char *user, const char *org,
                           struct identity *out, struct inv_err *err)
{
	bool demo = store_is_demo(st);
	char name[NAME_MAX_BYTES + 1];
	sqlite3_stmt *s;
	char list[256];
	enum inv_rc irc;
	int rc, rows = 0;

	memset(out, 0, sizeof *out);
	irc = identity_user_name(st, user, demo, name, sizeof name, err);
	if (irc != INV_OK)
		return irc;
	s = store_stmt(st, SQL_USER_BY_NAME, err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(s, 0);
		copy_text(out->user, sizeof out->user, s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	if (rc == SQLITE_DONE)
		return identity_not_member(st, name, false, demo, err);

	s = store_stmt(st, org && *org ? SQL_MEMBERSHIP : SQL_MEMBERSHIPS_OF,
	               err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, out->user_id);
	if (org && *org)
		sqlite3_bind_text(s, 2, org, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		rows++;
		out->org_id = sqlite3_column_int64(s, 0);
		copy_text(out->org, sizeof out->org, s, 1);
		out->role = role_from_text(sqlite3_column_text(s, 2));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	if (rows == 1)
		return INV_OK;

	/* Only the user's own memberships from here on. */
	memberships_text(st, out->user_id, list, sizeof list);
	out->org_id = 0;
	if (rows == 0 && !(org && *org))
		return identity_not_member(st, name, true, demo, err);
	if (org && *org)
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is not a member of org '%s'; %s's memberships: %s"),
			name, org, name, list);
	return inv_err_set(err, INV_FORBIDDEN, "org",
		_("%s is a member of several orgs (%s); choose one with --org"),
		name, list);
}

enum inv_rc store_memberships(struct store *st, struct membership *out,
                              size_t max, size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_MEMBERSHIPS_ALL, err);
	int rc;

	*n = 0;
	if (!s)
		return err ? err->rc : INV_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n >= max)
			continue;
		copy_text(out[*n].user, sizeof out[*n].user, s, 0);
		copy_text(out[*n].org, sizeof out[*n].org, s, 1);
		out[*n].role = role_from_text(sqlite3_column_text(s, 2));
		(*n)++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

/* ---- reads --------------------------------------------------------------- */

const char *store_view_name(enum inv_view v)
{
	return v < VIEW__COUNT ? view_names[v] : "?";
}

enum inv_rc store_view_parse(const char *s, enum inv_view *v,
                             struct inv_err *err)
{
	int i;

	for (i = 0; s && i < VIEW__COUNT; i++) {
		if (strcmp(s, view_names[i]) == 0) {
			*v = (enum inv_view)i;
			return INV_OK;
		}
	}
	return inv_err_set(err, INV_INVALID, "view",
		_("unknown view '%s'; use active, archived or all"),
		s ? s : "");
}

/* The partial indexes are used only when the query's WHERE names their
 * condition literally, so each view spells it out. */
static sqlite3_stmt *page_stmt(struct store *st, enum inv_view view,
                               enum page_dir dir, bool filter,
                               struct inv_err *err)
{
	static const char *const where[VIEW__COUNT] = {
		"AND archived_at IS NULL AND deleted_at IS NULL ",
		"AND archived_at IS NOT NULL AND deleted_at IS NULL ",
		"",
	};
	static const char *const order[3] = {
		"AND id > ?2 ORDER BY id ASC ",
		"AND id < ?2 ORDER BY id DESC ",
		"AND id >= ?2 ORDER BY id ASC ",
	};
	size_t k = ((size_t)view * 3 + (size_t)dir) * 2 + (filter ? 1 : 0);
	char sql[1024];
	int rc;

	if (st->page[k]) {
		sqlite3_reset(st->page[k]);
		sqlite3_clear_bindings(st->page[k]);
		return st->page[k];
	}
	snprintf(sql, sizeof sql,
	         "SELECT " ROW_COLS " FROM invoices WHERE org_id = ?1 %s%s%s"
	         "LIMIT ?3",
	         where[view],
	         filter ? "AND (number LIKE ?4 ESCAPE '\\' OR customer LIKE ?4 "
	                  "ESCAPE '\\') "
	                : "",
	         order[dir]);
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                        &st->page[k], NULL);
	if (rc != SQLITE_OK) {
		store_sqlite_err(st, rc, err);
		return NULL;
	}
	return st->page[k];
}

/* "%text%" with LIKE's wildcards escaped, so a filter is a plain
 * substring. */
static char *like_pattern(const char *text)
{
	size_t n = strlen(text), i, j = 0;
	char *p = malloc(2 * n + 3);

	if (!p)
		return NULL;
	p[j++] = '%';
	for (i = 0; i < n; i++) {
		if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
			p[j++] = '\\';
		p[j++] = text[i];
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

enum inv_rc store_page(struct store *st, const struct identity *who,
                       enum inv_view view, const char *filter, int64_t anchor,
                       enum page_dir dir, struct invoice *rows, size_t limit,
                       size_t *n, struct inv_err *err)
{
	bool has_filter = filter && *filter;
	char *pattern = NULL;
	sqlite3_stmt *s;
	int rc;
	size_t i;

	*n = 0;
	if (view >= VIEW__COUNT || dir > PAGE_FROM)
		return inv_err_set(err, INV_INVALID, "view", _("unknown view"));
	if (view == VIEW_ALL && !identity_at_least(who, ROLE_ADMIN))
		return inv_err_set(err, INV_FORBIDDEN, "view",
			_("the All view (deleted invoices included) is for admins; "
			  "%s is a member of %s"),
			who->user, who->org);
	if (limit == 0)
		return INV_OK;
	s = page_stmt(st, view, dir, has_filter, err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	if (has_filter && !(pattern = like_pattern(filter)))
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_int64(s, 2, anchor);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	if (has_filter)
		sqlite3_bind_text(s, 4, pattern, -1, SQLITE_TRANSIENT);
	free(pattern);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit)
		row_read(s, &rows[(*n)++]);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlite_err(st, rc, err);
	if (dir == PAGE_BEFORE) {
		for (i = 0; i < *n / 2; i++) {
			struct invoice tmp = rows[i];

			rows[i] = rows[*n - 1 - i];
			rows[*n - 1 - i] = tmp;
		}
	}
	return INV_OK;
}

/* The one read rule for a single invoice: a member never reads a deleted
 * one, however it is asked for (an id, a number, a history); to them it is
 * simply not there.  Admins see every row of their org. */
static enum inv_rc row_load_as(struct store *st, const struct identity *who,
                               int64_t id, struct invoice *out,
                               struct inv_err *err)
{
	enum inv_rc rc = row_load(st, who->org_id, id, out, err);

	if (rc == INV_OK && invoice_life(out) == LIFE_DELETED &&
	    !identity_at_least(who, ROLE_ADMIN)) {
		memset(out, 0, sizeof *out);
		return inv_err_set(err, INV_NOT_FOUND, "",
		                   _("invoice %" PRId64 " not found"), id);
	}
	return rc;
}

enum inv_rc store_get(struct store *st, const struct identity *who, int64_t id,
                      struct invoice *out, struct inv_err *err)
{
	return row_load_as(st, who, id, out, err);
}

enum inv_rc store_find(struct store *st, const struct identity *who,
                       const char *ref, struct invoice *out,
                       struct inv_err *err)
{
	sqlite3_stmt *s;
	size_t len = ref ? strlen(ref) : 0, i;
	bool digits = len > 0;
	int rc;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		return inv_err_set(err, INV_INVALID, "ref",
			_("REF must be an invoice id or a live invoice number "
			  "such as ACME-1001"));
	for (i = 0; i < len; i++)
		if (ref[i] < '0' || ref[i] > '9')
			digits = false;
	if (digits && len <= 18)
		return row_load_as(st, who, strtoll(ref, NULL, 10), out, err);

	s = store_stmt(st, SQL_ROW_BY_NUMBER, err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, ref, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		row_read(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return INV_OK;
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return inv_err_set(err, INV_NOT_FOUND, "ref",
		_("no live invoice numbered '%s' in %s"), ref, who->org);
}

static enum inv_life life_from_text(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "archived") == 0)
		return LIFE_ARCHIVED;
	if (t && strcmp((const char *)t, "deleted") == 0)
		return LIFE_DELETED;
	return LIFE_ACTIVE;
}

static enum inv_rc summary_read(struct store *st, enum stmt_id id,
                                const struct identity *who,
                                struct summary *out, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, id, err);
	int rc;

	memset(out, 0, sizeof *out);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->org_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		enum inv_life life = life_from_text(sqlite3_column_text(s, 0));
		int64_t count = sqlite3_column_int64(s, 2);

		out->count[life] += count;
		if (life != LIFE_ACTIVE || count == 0 ||
		    out->ncur >= SUMMARY_MAX_CURRENCIES)
			continue;
		copy_text(out->cur[out->ncur].currency,
		          sizeof out->cur[out->ncur].currency, s, 1);
		out->cur[out->ncur].count = count;
		out->cur[out->ncur].total_minor = sqlite3_column_int64(s, 3);
		out->ncur++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

enum inv_rc store_summary(struct store *st, const struct identity *who,
                          struct summary *out, struct inv_err *err)
{
	return summary_read(st, SQL_TOTALS, who, out, err);
}

enum inv_rc store_summary_recount(struct store *st, const struct identity *who,
                                  struct summary *out, struct inv_err *err)
{
	return summary_read(st, SQL_RECOUNT, who, out, err);
}

/* ---- writes -------------------------------------------------------------- */

static enum inv_rc number_live(struct store *st, int64_t org,
                               const char *number, struct invoice *holder,
                               bool *taken, struct inv_err *err);

/* The number a write would give a live row must be free in the org: the
 * schema refuses a second live holder too, but this names the number (a
 * conflict with no current row: retrying at a newer version would not
 * help). */
static enum inv_rc number_free(struct store *st, int64_t org,
                               const char *number, struct inv_err *err)
{
	bool taken = false;
	enum inv_rc rc = number_live(st, org, number, NULL, &taken, err);

	if (rc != INV_OK || !taken)
		return rc;
	return inv_err_set(err, INV_CONFLICT, "number",
		_("number %s is held by another live invoice; renumber "
		  "one of them (inved edit REF --number NEW) or delete "
		  "the other first"),
		number);
}

static void result_reset(struct write_result *res)
{
	memset(res, 0, sizeof *res);
}

static const char *const life_state[] = {
	[LIFE_ACTIVE] = "active",
	[LIFE_ARCHIVED] = "archived",
	[LIFE_DELETED] = "deleted",
};

/* Refuse a write that would take the count or the sum of a totals row past
 * the 64-bit range (SQLite would silently make the sum a REAL).  The row of
 * (org, currency, life) loses `leaving` and gains `arriving`, plus one row
 * when `adds_row`.  Read inside the write's transaction, so no other writer
 * can move the row between this check and the write. */
static enum inv_rc totals_room(struct store *st, int64_t org,
                               const char *currency, enum inv_life life,
                               int64_t leaving, int64_t arriving,
                               bool adds_row, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_TOTALS_BUCKET, err);
	bool full = false;
	int rc;

	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_text(s, 2, currency, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, life_state[life], -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		int64_t count = sqlite3_column_int64(s, 0);
		int64_t base = sqlite3_column_int64(s, 1);

		/* A sum that is no integer any more cannot be added to. */
		full = sqlite3_column_type(s, 1) != SQLITE_INTEGER ||
		       (adds_row && count == INT64_MAX);
		if (base > 0 && leaving > 0)
			base -= leaving < base ? leaving : base;
		if (base > 0 && arriving > INT64_MAX - base)
			full = true;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	if (full)
		return inv_err_set(err, INV_INVALID, "total",
			_("the sum of this org's %s invoices (%s) would pass "
			  "the 64-bit range; nothing was written"),
			currency, invoice_life_label(life));
	return INV_OK;
}

/* After the write: the row as stored and the audit row the write claimed,
 * then the commit.  The row is the one the write bound, value for value
 * (row, with the version moved by one and updated_at the write's time):
 * nothing else changes an invoice inside inved's write, since the
 * schema's triggers only touch it for a writer that forgot the version,
 * so it is not read back. */
static enum inv_rc write_finish(struct store *st, const struct invoice *row,
                                const char *at, struct write_result *res,
                                struct inv_err *err)
{
	enum inv_rc rc;

	res->row = *row;
	res->row.version = row->version + 1;
	snprintf(res->row.updated_at, sizeof res->row.updated_at, "%s", at);
	/* the audit row is the one the write claimed, and it is the
	 * change-feed row too (schema 3) */
	res->audit_seq = st->claim_seq;
	res->change_seq = res->audit_seq;
	rc = store_tx_commit(st, err);
	if (rc == INV_OK)
		res->have_row = true;
	return rc;
}

/* Refuse inside the transaction: roll back and hand the current row out. */
static enum inv_rc refuse(struct store *st, enum inv_rc rc,
                          const struct invoice *current,
                          struct write_result *res)
{
	store_tx_rollback(st);
	if (current && res) {
		res->row = *current;
		res->have_row = true;
	}
	return rc;
}

static enum inv_rc conflict_err(struct inv_err *err, const struct invoice *cur)
{
	return inv_err_set(err, INV_CONFLICT, "",
		_("invoice %s changed elsewhere (now version %" PRId64
		  "); reload it and retry"),
		cur->number, cur->version);
}

/* Run a guarded UPDATE.  `number` is the number the row will carry: when
 * the partial unique index refuses it, the message names it. */
static enum inv_rc run_update(struct store *st, sqlite3_stmt *s,
                              const struct invoice *cur, const char *number,
                              struct inv_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return inv_err_set(err, INV_CONFLICT, "number",
			_("number %s is held by another live invoice; renumber "
			  "one of them (inved edit REF --number NEW) or delete "
			  "the other first"),
			number);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	if (sqlite3_changes(st->db) != 1)
		return conflict_err(err, cur);
	return INV_OK;
}

/* The row a refused UPDATE hands out: the current one when the version
 * moved under it; none when the number is taken, which is not a stale
 * copy (the message names the number, and retrying at the current
 * version would only be refused again). */
static const struct invoice *stale_row(enum inv_rc rc,
                                       const struct inv_err *err,
                                       const struct invoice *cur)
{
	if (rc != INV_CONFLICT)
		return NULL;
	if (err && strcmp(err->field, "number") == 0)
		return NULL;
	return cur;
}

enum lifecycle_op { OP_ARCHIVE, OP_RESTORE, OP_DELETE };

static enum inv_rc lifecycle_move(struct store *st, const struct identity *who,
                                  int64_t id, int64_t version,
                                  enum lifecycle_op op,
                                  struct write_result *res,
                                  struct inv_err *err)
{
	static const char *const action[] = {"invoice.archive",
	                                     "invoice.restore",
	                                     "invoice.delete"};
	static const enum stmt_id sql[] = {SQL_ARCHIVE, SQL_RESTORE, SQL_DELETE};
	struct invoice cur, next;
	char at[TIME_TEXT_MAX];
	enum inv_life life;
	enum inv_role need = ROLE_MEMBER;
	unsigned mask;
	sqlite3_stmt *s;
	enum inv_rc rc;

	result_reset(res);
	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	/* 1. tenancy: looked up by (session org, id). */
	rc = row_load_as(st, who, id, &cur, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	/* 2. lifecycle: a row already where the move would take it, or one
	 * the move cannot start from, is a conflict carrying that row. */
	life = invoice_life(&cur);
	if ((op == OP_ARCHIVE && life != LIFE_ACTIVE) ||
	    (op == OP_RESTORE && life == LIFE_ACTIVE) ||
	    (op == OP_DELETE && life == LIFE_DELETED)) {
		inv_err_set(err, INV_CONFLICT, "",
			_("invoice %s is %s (version %" PRId64 "); refresh to "
			  "retry"),
			cur.number, invoice_life_label(life), cur.version);
		return refuse(st, INV_CONFLICT, &cur, res);
	}
	/* 3. role: checked before the version, so a member is told
	 * "forbidden" whatever version they hold. */
	if (op == OP_DELETE || (op == OP_RESTORE && life == LIFE_DELETED))
		need = ROLE_ADMIN;
	if (!identity_at_least(who, need)) {
		inv_err_set(err, INV_FORBIDDEN, "",
			op == OP_DELETE
				? _("deleting an invoice needs the admin role; %s is "
				    "a member of %s")
				: _("restoring a deleted invoice needs the admin role; "
				    "%s is a member of %s"),
			who->user, who->org);
		return refuse(st, INV_FORBIDDEN, NULL, res);
	}
	/* 4. version. */
	if (cur.version != version) {
		conflict_err(err, &cur);
		return refuse(st, INV_CONFLICT, &cur, res);
	}
	/* 5. a restored number must be free (the schema refuses a second
	 * live holder, and that refusal is a conflict). */
	if (op == OP_RESTORE && life == LIFE_DELETED) {
		rc = number_free(st, who->org_id, cur.number, err);
		if (rc != INV_OK)
			return refuse(st, rc, NULL, res);
	}
	/* 6. the totals row the invoice moves into has room for it. */
	rc = totals_room(st, who->org_id, cur.currency,
	                 op == OP_ARCHIVE ? LIFE_ARCHIVED
	                 : op == OP_DELETE ? LIFE_DELETED
	                                   : LIFE_ACTIVE,
	                 0, cur.total_minor, true, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	/* the row as the move leaves it, for the claim */
	next = cur;
	store_now_text(at, sizeof at);
	if (op == OP_ARCHIVE) {
		snprintf(next.archived_at, sizeof next.archived_at, "%s", at);
		mask = CLAIM_ARCHIVED;
	} else if (op == OP_DELETE) {
		snprintf(next.deleted_at, sizeof next.deleted_at, "%s", at);
		mask = CLAIM_DELETED;
	} else {
		next.archived_at[0] = next.deleted_at[0] = '\0';
		mask = CLAIM_ARCHIVED | CLAIM_DELETED;
	}
	rc = store_guard_row(st, &cur, err);
	if (rc == INV_OK)
		rc = store_claim(st, who, action[op], at, &cur, &next, mask,
		                 err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	s = store_stmt(st, sql[op], err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
	rc = run_update(st, s, &cur, cur.number, err);
	if (rc != INV_OK)
		return refuse(st, rc, stale_row(rc, err, &cur), res);
	rc = write_finish(st, &next, at, res, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	return INV_OK;
}

enum inv_rc store_archive(struct store *st, const struct identity *who,
                          int64_t id, int64_t version, struct write_result *res,
                          struct inv_err *err)
{
	return lifecycle_move(st, who, id, version, OP_ARCHIVE, res, err);
}

enum inv_rc store_restore(struct store *st, const struct identity *who,
                          int64_t id, int64_t version, struct write_result *res,
                          struct inv_err *err)
{
	return lifecycle_move(st, who, id, version, OP_RESTORE, res, err);
}

enum inv_rc store_delete(struct store *st, const struct identity *who,
                         int64_t id, int64_t version, struct write_result *res,
                         struct inv_err *err)
{
	return lifecycle_move(st, who, id, version, OP_DELETE, res, err);
}

static enum inv_rc number_check(const char *number, struct inv_err *err);

/* Validation that needs no row: runs before the transaction, so bad input
 * never takes the write lock. */
static enum inv_rc input_check(const struct invoice_input *in,
                               struct inv_err *err)
{
	enum inv_status status;
	enum inv_rc rc;

	if (in->number) {
		rc = number_check(in->number, err);
		if (rc != INV_OK)
			return rc;
	}
	if (in->customer) {
		rc = invoice_check_customer(in->customer, err);
		if (rc != INV_OK)
			return rc;
	}
	if (in->status) {
		rc = invoice_status_parse(in->status, &status, err);
		if (rc != INV_OK)
			return rc;
	}
	/* The code is quoted back only when it is safe on a terminal. */
	if (in->currency) {
		rc = money_currency_check(in->currency, err);
		if (rc != INV_OK)
			return rc;
	}
	/* The decimals a total may have depend on the currency; when the
	 * currency is not changing, input_apply() checks it against the row. */
	if (in->total && in->currency) {
		int64_t minor;

		rc = money_parse(in->total, in->currency, &minor, err);
		if (rc != INV_OK)
			return rc;
	}
	return INV_OK;
}

/* "12.50" -> "12.5", "12.00" -> "12": the amount as a person would write
 * it, so moving 12.00 EUR to JPY keeps 12. */
static void money_trim_zeros(char *text)
{
	char *dot = strchr(text, '.');
	size_t n;

	if (!dot)
		return;
	n = strlen(text);
	while (n > 0 && text[n - 1] == '0')
		text[--n] = '\0';
	if (n > 0 && text[n - 1] == '.')
		text[--n] = '\0';
}

/* Apply input onto a copy of the current row: the new field values. */
static enum inv_rc input_apply(const struct invoice_input *in,
                               const struct invoice *cur, struct invoice *out,
                               struct inv_err *err)
{
	const char *currency = in->currency ? in->currency : cur->currency;
	enum inv_rc rc;

	*out = *cur;
	if (in->number)
		snprintf(out->number, sizeof out->number, "%s", in->number);
	if (in->customer)
		snprintf(out->customer, sizeof out->customer, "%s", in->customer);
	if (in->status)
		invoice_status_parse(in->status, &out->status, NULL);
	snprintf(out->currency, sizeof out->currency, "%s", currency);
	if (in->total) {
		rc = money_parse(in->total, currency, &out->total_minor, err);
		if (rc != INV_OK)
			return rc;
	} else if (strcmp(currency, cur->currency) != 0) {
		/* Keep the amount as written: 12.50 EUR becomes 12.50 BHD. */
		char text[MONEY_TEXT_MAX];

		money_format(cur->total_minor, cur->currency, text, sizeof text);
		money_trim_zeros(text);
		rc = money_parse(text, currency, &out->total_minor, err);
		if (rc != INV_OK)
			return inv_err_set(err, INV_INVALID, "total",
				_("the total %s %s cannot be written in %s; give the "
				  "total again in %s"),
				text, cur->currency, currency, currency);
	}
	return INV_OK;
}

enum edit_field {
	EDIT_CUSTOMER = 1,
	EDIT_STATUS = 2,
	EDIT_TOTAL = 4,
	EDIT_CURRENCY = 8,
	EDIT_NUMBER = 16,
};

/* The write set of store_edit_fields() is a merge_field mask. */
_Static_assert((int)EDIT_CUSTOMER == (int)MF_CUSTOMER &&
               (int)EDIT_STATUS == (int)MF_STATUS &&
               (int)EDIT_TOTAL == (int)MF_TOTAL &&
               (int)EDIT_CURRENCY == (int)MF_CURRENCY &&
               (int)EDIT_NUMBER == (int)MF_NUMBER,
               "edit bits are the merge field bits");

/* Which fields next changes from cur; 0 when none. */
static unsigned edit_mask(const struct invoice *cur, const struct invoice *next)
{
	return (strcmp(cur->customer, next->customer) ? EDIT_CUSTOMER : 0) |
	       (cur->status != next->status ? EDIT_STATUS : 0) |
	       (cur->total_minor != next->total_minor ? EDIT_TOTAL : 0) |
	       (strcmp(cur->currency, next->currency) ? EDIT_CURRENCY : 0) |
	       (strcmp(cur->number, next->number) ? EDIT_NUMBER : 0);
}

/* The guarded UPDATE that sets only the fields in mask, prepared once per
 * connection and mask.  Why not one statement that sets all four: SQLite
 * evaluates the CHECK constraints of every column named in SET, and the
 * status CHECK (an IN list) builds an ephemeral table on each run, a tenth
 * of an edit's CPU, spent on the edits that leave the status alone. */
static sqlite3_stmt *edit_stmt(struct store *st, unsigned mask,
                               struct inv_err *err)
{
	char sql[512];
	int rc;

	if (st->edit[mask]) {
		sqlite3_reset(st->edit[mask]);
		sqlite3_clear_bindings(st->edit[mask]);
		return st->edit[mask];
	}
	snprintf(sql, sizeof sql,
	         "UPDATE invoices SET %s%s%s%s%s%s "
	         "WHERE id = ?1 AND version = ?2",
	         mask & EDIT_NUMBER ? "number = ?7, " : "",
	         mask & EDIT_CUSTOMER ? "customer = ?3, " : "",
	         mask & EDIT_STATUS ? "status = ?4, " : "",
	         mask & EDIT_TOTAL ? "total_minor = ?5, " : "",
	         mask & EDIT_CURRENCY ? "currency = ?6, " : "",
	         "updated_at = ?8, version = version + 1");
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                        &st->edit[mask], NULL);
	if (rc != SQLITE_OK) {
		store_sqlite_err(st, rc, err);
		return NULL;
	}
	return st->edit[mask];
}

/* Checks 1-4 of SPEC 3 for an edit-like write, in their order, against the
 * row loaded inside the open transaction.  On a refusal the transaction is
 * rolled back (a conflict hands the current row out in res). */
static enum inv_rc edit_guard(struct store *st, const struct identity *who,
                              int64_t id, int64_t version, bool overwrite,
                              struct invoice *cur, struct write_result *res,
                              struct inv_err *err)
{
	/* 1. tenancy */
	enum inv_rc rc = row_load_as(st, who, id, cur, err);

	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	/* 2. lifecycle: a deleted row is not there to edit. */
	if (invoice_life(cur) == LIFE_DELETED) {
		inv_err_set(err, INV_NOT_FOUND, "",
			_("invoice %s is deleted; an admin can restore it first"),
			cur->number);
		return refuse(st, INV_NOT_FOUND, NULL, res);
	}
	/* 3. role: checked before the version so a forged overwrite is
	 * refused even when the member's version is current. */
	if (overwrite && !identity_at_least(who, ROLE_ADMIN)) {
		inv_err_set(err, INV_FORBIDDEN, "",
			_("overwriting needs the admin role; %s is a member of %s"),
			who->user, who->org);
		return refuse(st, INV_FORBIDDEN, NULL, res);
	}
	/* 4. version */
	if (cur->version != version && !overwrite) {
		conflict_err(err, cur);
		return refuse(st, INV_CONFLICT, cur, res);
	}
	return INV_OK;
}

/* Write the fields in which next differs from cur (the row loaded in this
 * transaction) as the next version, audited as `action`, and commit. */
static enum inv_rc edit_write(struct store *st, const struct identity *who,
                              const struct invoice *cur,
                              const struct invoice *next, const char *action,
                              struct write_result *res, struct inv_err *err)
{
	unsigned mask = edit_mask(cur, next);
	char at[TIME_TEXT_MAX];
	sqlite3_stmt *s;
	enum inv_rc rc;

	store_now_text(at, sizeof at);
	if (mask == 0) {
		inv_err_set(err, INV_INVALID, "unchanged",
			_("nothing to change: the values given are the ones "
			  "invoice %s already has"),
			cur->number);
		return refuse(st, INV_INVALID, NULL, res);
	}
	if (mask & EDIT_NUMBER) {
		rc = number_free(st, who->org_id, next->number, err);
		if (rc != INV_OK)
			return refuse(st, rc, NULL, res);
	}
	/* The row stays in its lifecycle state; within one currency its old
	 * total leaves the sum the new one joins. */
	rc = totals_room(st, who->org_id, next->currency, invoice_life(cur),
	                 strcmp(cur->currency, next->currency) == 0
	                         ? cur->total_minor
	                         : 0,
	                 next->total_minor,
	                 strcmp(cur->currency, next->currency) != 0, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	rc = store_guard_row(st, cur, err);
	if (rc == INV_OK)
		rc = store_claim(st, who, action, at, cur, next, mask, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	s = edit_stmt(st, mask, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, cur->id);
	sqlite3_bind_int64(s, 2, cur->version);
	if (mask & EDIT_CUSTOMER)
		sqlite3_bind_text(s, 3, next->customer, -1, SQLITE_STATIC);
	if (mask & EDIT_STATUS)
		sqlite3_bind_text(s, 4, invoice_status_name(next->status), -1,
		                  SQLITE_STATIC);
	if (mask & EDIT_TOTAL)
		sqlite3_bind_int64(s, 5, next->total_minor);
	if (mask & EDIT_CURRENCY)
		sqlite3_bind_text(s, 6, next->currency, -1, SQLITE_STATIC);
	if (mask & EDIT_NUMBER)
		sqlite3_bind_text(s, 7, next->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	rc = run_update(st, s, cur, next->number, err);
	if (rc != INV_OK)
		return refuse(st, rc, stale_row(rc, err, cur), res);
	{
		struct invoice row = *next;

		row.version = cur->version;
		rc = write_finish(st, &row, at, res, err);
	}
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	return INV_OK;
}

/* The input narrowed to the write set: a value outside `fields` is not
 * written, whatever the face sent.  Total and Currency are one unit: an
 * amount is written with the currency it was typed in, so a set holding
 * either takes both when both are given. */
static void input_narrow(const struct invoice_input *in, unsigned fields,
                         struct invoice_input *out)
{
	if ((fields & (MF_TOTAL | MF_CURRENCY)) && in->total && in->currency)
		fields |= MF_TOTAL | MF_CURRENCY;
	out->customer = (fields & MF_CUSTOMER) ? in->customer : NULL;
	out->status = (fields & MF_STATUS) ? in->status : NULL;
	out->total = (fields & MF_TOTAL) ? in->total : NULL;
	out->currency = (fields & MF_CURRENCY) ? in->currency : NULL;
	out->number = (fields & MF_NUMBER) ? in->number : NULL;
}

enum inv_rc store_edit(struct store *st, const struct identity *who,
                       int64_t id, int64_t version,
                       const struct invoice_input *in, int flags,
                       struct write_result *res, struct inv_err *err)
{
	return store_edit_fields(st, who, id, version, in, MF_ALL | MF_NUMBER,
	                         flags, res, err);
}

enum inv_rc store_edit_fields(struct store *st, const struct identity *who,
                              int64_t id, int64_t version,
                              const struct invoice_input *given,
                              unsigned fields, int flags,
                              struct write_result *res, struct inv_err *err)
{
	bool overwrite = flags & WRITE_OVERWRITE;
	struct invoice_input in;
	struct invoice cur, next;
	enum inv_rc rc;

	result_reset(res);
	input_narrow(given, fields, &in);
	rc = input_check(&in, err);
	if (rc != INV_OK)
		return rc;
	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	rc = edit_guard(st, who, id, version, overwrite, &cur, res, err);
	if (rc != INV_OK)
		return rc;
	rc = input_apply(&in, &cur, &next, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	return edit_write(st, who, &cur, &next,
	                  overwrite && cur.version != version
	                          ? "invoice.overwrite"
	                          : "invoice.edit",
	                  res, err);
}

/* ---- revert ---------------------------------------------------------- */

/* The audit fields behind each part of a revert (money is two). */
static const char *const revert_fields[REVERT__COUNT][2] = {
	[REVERT_NUMBER] = {"number", NULL},
	[REVERT_CUSTOMER] = {"customer", NULL},
	[REVERT_STATUS] = {"status", NULL},
	[REVERT_MONEY] = {"total_minor", "currency"},
};

/* The value an audited field had at version `at` (the newest audit row up
 * to it that touched the field), who wrote it and in which version.
 * *found is false when no row touched it. */
static enum inv_rc audit_value(struct store *st, int64_t org, int64_t id,
                               int64_t at, const char *field, char *text,
                               size_t size, int64_t *number, char *actor,
                               int64_t *in_version, bool *found,
                               struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_AUDIT_VALUE, err);
	char path[40], newpath[48];
	int rc;

	*found = false;
	if (!s)
		return err ? err->rc : INV_ERROR;
	snprintf(path, sizeof path, "$.%s", field);
	snprintf(newpath, sizeof newpath, "$.%s.new", field);
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, at);
	sqlite3_bind_text(s, 4, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, newpath, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		if (text)
			copy_text(text, size, s, 0);
		if (number) {
			/* total_minor must be an integer in the history too:
			 * anything else is damage, never money. */
			if (sqlite3_column_type(s, 0) != SQLITE_INTEGER)
				*found = false;
			*number = sqlite3_column_int64(s, 0);
		}
		if (text && sqlite3_column_type(s, 0) != SQLITE_TEXT)
			*found = false;
		copy_text(actor, NAME_MAX_BYTES + 1, s, 1);
		*in_version = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

static enum inv_rc history_gap(struct inv_err *err, const struct invoice *cur,
                               int64_t v)
{
	return inv_err_set(err, INV_INVALID, "to_version",
		_("the history of invoice %s does not hold its values at "
		  "version %" PRId64 "; `inved check` tells what is missing"),
		cur->number, v);
}

/* Fill plan->target with the values of plan->to_version laid over
 * plan->current, and who set each current value.  Runs inside a
 * transaction (the write's, or a read's). */
static enum inv_rc revert_fill(struct store *st, const struct identity *who,
                               struct revert_plan *plan, struct inv_err *err)
{
	struct invoice *cur = &plan->current, *t = &plan->target;
	int64_t v = plan->to_version;
	bool any = false;

	if (v < 1 || v >= cur->version)
		return inv_err_set(err, INV_INVALID, "to_version",
			_("invoice %s has versions 1 to %" PRId64 "; revert "
			  "to an earlier one than the current"),
			cur->number, cur->version);
	*t = *cur;
	for (int p = 0; p < REVERT__COUNT; p++) {
		char text[CUSTOMER_MAX_BYTES + 1], currency[8] = "";
		int64_t minor = 0, in_version = 0;
		char actor[NAME_MAX_BYTES + 1];
		bool found, found2 = true;
		enum inv_rc rc;

		if (p == REVERT_MONEY) {
			rc = audit_value(st, who->org_id, cur->id, v,
			                 revert_fields[p][0], NULL, 0, &minor,
			                 actor, &in_version, &found, err);
			if (rc == INV_OK)
				rc = audit_value(st, who->org_id, cur->id, v,
				                 revert_fields[p][1], currency,
				                 sizeof currency, NULL, actor,
				                 &in_version, &found2, err);
		} else {
			rc = audit_value(st, who->org_id, cur->id, v,
			                 revert_fields[p][0], text, sizeof text,
			                 NULL, actor, &in_version, &found, err);
		}
		if (rc != INV_OK)
			return rc;
		if (!found || !found2)
			return history_gap(err, cur, v);
		switch (p) {
		case REVERT_NUMBER:
			if (strlen(text) >= sizeof t->number)
				return history_gap(err, cur, v);
			memcpy(t->number, text, strlen(text) + 1);
			break;
		case REVERT_CUSTOMER:
			snprintf(t->customer, sizeof t->customer, "%s", text);
			break;
		case REVERT_STATUS:
			if (invoice_status_parse(text, &t->status, NULL) != INV_OK)
				return history_gap(err, cur, v);
			break;
		case REVERT_MONEY:
			if (money_currency_check(currency, NULL) != INV_OK ||
			    minor < 0)
				return history_gap(err, cur, v);
			t->total_minor = minor;
			snprintf(t->currency, sizeof t->currency, "%s", currency);
			break;
		}
	}
	plan->changes[REVERT_NUMBER] = strcmp(cur->number, t->number) != 0;
	plan->changes[REVERT_CUSTOMER] = strcmp(cur->customer, t->customer) != 0;
	plan->changes[REVERT_STATUS] = cur->status != t->status;
	plan->changes[REVERT_MONEY] = cur->total_minor != t->total_minor ||
	                              strcmp(cur->currency, t->currency) != 0;
	/* Who set each value the revert replaces: the newest audit row up
	 * to the current version that touched it. */
	for (int p = 0; p < REVERT__COUNT; p++) {
		plan->set_by[p][0] = '\0';
		plan->set_in[p] = 0;
		if (!plan->changes[p])
			continue;
		any = true;
		for (int f = 0; f < 2 && revert_fields[p][f]; f++) {
			char actor[NAME_MAX_BYTES + 1] = "";
			int64_t in_version = 0;
			bool found;
			enum inv_rc rc = audit_value(st, who->org_id, cur->id,
			                             cur->version,
			                             revert_fields[p][f], NULL, 0,
			                             NULL, actor, &in_version,
			                             &found, err);

			if (rc != INV_OK)
				return rc;
			if (found && in_version > plan->set_in[p]) {
				plan->set_in[p] = in_version;
				snprintf(plan->set_by[p], sizeof plan->set_by[p],
				         "%s", actor);
			}
		}
	}
	if (!any)
		return inv_err_set(err, INV_INVALID, "unchanged",
			_("nothing to change: invoice %s already has the values "
			  "of version %" PRId64),
			cur->number, v);
	/* Historical values meet today's field rules like typed ones. */
	if (plan->changes[REVERT_CUSTOMER]) {
		enum inv_rc rc = invoice_check_customer(t->customer, err);

		if (rc != INV_OK)
			return rc;
	}
	if (plan->changes[REVERT_NUMBER]) {
		enum inv_rc rc = number_check(t->number, err);

		if (rc != INV_OK)
			return rc;
	}
	return INV_OK;
}

enum inv_rc store_revert_plan(struct store *st, const struct identity *who,
                              int64_t id, int64_t to_version,
                              struct revert_plan *out, struct inv_err *err)
{
	enum inv_rc rc;

	memset(out, 0, sizeof *out);
	out->to_version = to_version;
	rc = store_get(st, who, id, &out->current, err);
	if (rc != INV_OK)
		return rc;
	if (invoice_life(&out->current) == LIFE_DELETED)
		return inv_err_set(err, INV_NOT_FOUND, "",
			_("invoice %s is deleted; an admin can restore it first"),
			out->current.number);
	/* One snapshot for the several reads of the plan. */
	rc = store_exec(st, SQL_BEGIN_READ, err);
	if (rc != INV_OK)
		return rc;
	rc = revert_fill(st, who, out, err);
	store_tx_rollback(st);
	return rc;
}

enum inv_rc store_revert(struct store *st, const struct identity *who,
                         int64_t id, int64_t to_version, int64_t version,
                         struct revert_plan *plan, struct write_result *res,
                         struct inv_err *err)
{
	struct revert_plan local;
	enum inv_rc rc;

	if (!plan)
		plan = &local;
	memset(plan, 0, sizeof *plan);
	plan->to_version = to_version;
	result_reset(res);
	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	rc = edit_guard(st, who, id, version, false, &plan->current, res,
	                err);
	if (rc != INV_OK)
		return rc;
	rc = revert_fill(st, who, plan, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	return edit_write(st, who, &plan->current, &plan->target,
	                  "invoice.revert", res, err);
}

static enum inv_rc token_check(const char *token, struct inv_err *err)
{
	size_t len = token ? strlen(token) : 0, i;

	if (len == 0 || len > 64)
		goto bad;
	for (i = 0; i < len; i++)
		if (token[i] <= ' ' || token[i] > '~')
			goto bad;
	return INV_OK;
bad:
	return inv_err_set(err, INV_INVALID, "request_id",
		_("a request id is 1 to 64 printable ASCII characters without "
		  "spaces"));
}

static enum inv_rc number_check(const char *number, struct inv_err *err)
{
	size_t len = number ? strlen(number) : 0, i;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		goto bad;
	for (i = 0; i < len; i++)
		if (number[i] <= ' ' || number[i] > '~')
			goto bad;
	/* All digits would be read back as an id by store_find(). */
	for (i = 0; i < len; i++)
		if (number[i] < '0' || number[i] > '9')
			return INV_OK;
bad:
	return inv_err_set(err, INV_INVALID, "number",
		_("an invoice number is 1 to %d printable ASCII characters "
		  "without spaces, not only digits (e.g. ACME-1001)"),
		NUMBER_MAX_BYTES);
}

static enum inv_rc number_live(struct store *st, int64_t org,
                               const char *number, struct invoice *holder,
                               bool *taken, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_NUMBER_LIVE, err);
	int rc;

	*taken = false;
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_text(s, 2, number, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*taken = true;
		if (holder)
			row_read(s, holder);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

/* The org's next free number, allocated inside the create transaction so
 * two terminals creating at once never get the same one. */
static enum inv_rc number_allocate(struct store *st, int64_t org, char *out,
                                   size_t len, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_ORG_NEXT, err);
	char prefix[NUMBER_MAX_BYTES + 1];
	int64_t next;
	bool taken = true;
	enum inv_rc rc = INV_OK;
	int src;

	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, org);
	src = sqlite3_step(s);
	if (src != SQLITE_ROW) {
		sqlite3_reset(s);
		return src == SQLITE_DONE
		               ? inv_err_set(err, INV_NOT_FOUND, "", _("no such org"))
		               : store_sqlite_err(st, src, err);
	}
	copy_text(prefix, sizeof prefix, s, 0);
	next = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	/* Skip numbers someone chose by hand. */
	while (rc == INV_OK && taken) {
		int w = snprintf(out, len, "%s%" PRId64, prefix, next++);

		if (w < 0 || (size_t)w >= len)
			return inv_err_set(err, INV_ERROR, "number",
				_("the org's number prefix is too long"));
		rc = number_live(st, org, out, NULL, &taken, err);
	}
	if (rc != INV_OK)
		return rc;
	s = store_stmt(st, SQL_ORG_BUMP, err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, next);
	return stmt_done(st, s, err);
}

/* The token was claimed before: answer with the invoice it made. */
static enum inv_rc create_repeat(struct store *st, const struct identity *who,
                                 const char *token, struct write_result *res,
                                 struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CLAIM_LOOKUP, err);
	int64_t id = 0;
	enum inv_rc rc;
	int src;

	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (src != SQLITE_ROW)
		return refuse(st, store_sqlite_err(st, src, err), NULL, res);
	rc = row_load(st, who->org_id, id, &res->row, err);
	store_tx_rollback(st);
	if (rc != INV_OK)
		return rc;
	res->have_row = true;
	res->repeat = true;
	return INV_OK;
}

enum inv_rc store_create(struct store *st, const struct identity *who,
                         const char *token, const char *number,
                         const struct invoice_input *in,
                         struct write_result *res, struct inv_err *err)
{
	struct invoice_input full = *in;
	struct invoice next, holder;
	char alloc[NUMBER_MAX_BYTES + 1], at[TIME_TEXT_MAX];
	sqlite3_stmt *s;
	bool taken;
	enum inv_rc rc;
	int64_t id;

	result_reset(res);
	if (!full.customer)
		return inv_err_set(err, INV_INVALID, "customer",
			_("a new invoice needs a customer"));
	if (!full.total)
		return inv_err_set(err, INV_INVALID, "total",
			_("a new invoice needs a total"));
	if (!full.currency)
		full.currency = "EUR";
	if (!full.status)
		full.status = "draft";
	rc = token_check(token, err);
	if (rc == INV_OK && number)
		rc = number_check(number, err);
	if (rc == INV_OK)
		rc = input_check(&full, err);
	if (rc != INV_OK)
		return rc;
	memset(&next, 0, sizeof next);
	snprintf(next.currency, sizeof next.currency, "%s", full.currency);
	rc = input_apply(&full, &next, &next, err);
	if (rc != INV_OK)
		return rc;

	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	/* The claim is one atomic statement: of two submits with one token,
	 * exactly one inserts the row; the other sees zero changes. */
	s = store_stmt(st, SQL_CLAIM, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, who->user_id);
	rc = stmt_done(st, s, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	if (sqlite3_changes(st->db) == 0)
		return create_repeat(st, who, token, res, err);

	if (number) {
		rc = number_live(st, who->org_id, number, &holder, &taken, err);
		if (rc == INV_OK && taken) {
			inv_err_set(err, INV_CONFLICT, "number",
				_("number %s is already held by a live invoice"),
				number);
			return refuse(st, INV_CONFLICT, &holder, res);
		}
		snprintf(alloc, sizeof alloc, "%s", number);
	} else {
		rc = number_allocate(st, who->org_id, alloc, sizeof alloc, err);
	}
	if (rc == INV_OK)
		rc = totals_room(st, who->org_id, next.currency, LIFE_ACTIVE, 0,
		                 next.total_minor, true, err);
	if (rc == INV_OK)
		rc = head_read(st, SQL_NEXT_ID, &id, err);
	if (rc == INV_OK) {
		next.id = id;
		snprintf(next.number, sizeof next.number, "%s", alloc);
		store_now_text(at, sizeof at);
		rc = store_claim(st, who, "invoice.create", at, NULL, &next, 0,
		                 err);
	}
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	s = store_stmt(st, SQL_INSERT, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, alloc, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, next.customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, invoice_status_name(next.status), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, next.total_minor);
	sqlite3_bind_text(s, 6, next.currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, id);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	rc = stmt_done(st, s, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	s = store_stmt(st, SQL_CLAIM_FILL, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, id);
	rc = stmt_done(st, s, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	next.org_id = who->org_id;
	next.version = 0; /* the row is made at version 1 */
	snprintf(next.created_at, sizeof next.created_at, "%s", at);
	rc = write_finish(st, &next, at, res, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	return INV_OK;
}

void store_new_token(char buf[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = f ? fread(raw, 1, sizeof raw, f) : 0;
	size_t i;

	if (f)
		fclose(f);
	if (got != sizeof raw) {
		/* No urandom: time and pid still make a collision unlikely
		 * enough for a form token. */
		struct timespec ts;
		uint64_t x;

		clock_gettime(CLOCK_REALTIME, &ts);
		x = ((uint64_t)ts.tv_sec * 1000000007u) ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)getpid() << 32);
		for (i = 0; i < sizeof raw; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			raw[i] = (unsigned char)x;
		}
	}
	for (i = 0; i < sizeof raw; i++) {
		buf[2 * i] = hex[raw[i] >> 4];
		buf[2 * i + 1] = hex[raw[i] & 15];
	}
	buf[32] = '\0';
}

/* The demonstrations write on purpose what no user asked for (a version
 * bump, a held lock): they are for demo databases, never for real data.
 * `refusal` is the whole message, with one %s for the database path. */
static enum inv_rc demo_only(struct store *st, const char *refusal,
                             struct inv_err *err)
{
	if (store_is_demo(st))
		return INV_OK;
	return inv_err_set(err, INV_FORBIDDEN, "", refusal, st->path);
}

/* A peer write through a connection of its own: this connection's cached
 * reads stay as they were, like another terminal's would. */
enum inv_rc store_drift(struct store *st, const struct identity *who,
                        int64_t id, struct write_result *res,
                        struct inv_err *err)
{
	char at[TIME_TEXT_MAX];
	struct store *peer = NULL;
	struct invoice cur;
	sqlite3_stmt *s;
	enum inv_rc rc;

	result_reset(res);
	rc = demo_only(st,
		_("forcing version drift is a demonstration for databases made "
		  "by `inved init --demo`; %s is not one, so nothing was "
		  "written"),
		err);
	if (rc != INV_OK)
		return rc;
	rc = store_open(st->path, STORE_OPEN_EXISTING, st->busy_ms, &peer, err);
	if (rc != INV_OK)
		return rc;
	rc = store_tx_begin(peer, err);
	if (rc != INV_OK)
		goto out;
	store_now_text(at, sizeof at);
	rc = row_load_as(peer, who, id, &cur, err);
	if (rc == INV_OK && invoice_life(&cur) == LIFE_DELETED)
		rc = inv_err_set(err, INV_NOT_FOUND, "",
			_("invoice %s is deleted"), cur.number);
	if (rc == INV_OK)
		rc = store_guard_row(peer, &cur, err);
	if (rc == INV_OK)
		rc = store_claim(peer, who, "invoice.drift", at, &cur, &cur, 0,
		                 err);
	if (rc == INV_OK) {
		s = store_stmt(peer, SQL_DRIFT, err);
		if (!s)
			rc = err ? err->rc : INV_ERROR;
		else {
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_int64(s, 2, cur.version);
			sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
			rc = run_update(peer, s, &cur, cur.number, err);
		}
	}
	if (rc == INV_OK)
		rc = write_finish(peer, &cur, at, res, err);
	if (rc != INV_OK)
		store_tx_rollback(peer);
out:
	store_close(peer);
	return rc;
}

enum inv_rc store_hold_lock(const char *path, int ms, struct inv_err *err)
{
	struct store *holder = NULL;
	struct timespec ts;
	enum inv_rc rc;

	rc = store_open(path, STORE_OPEN_EXISTING, 0, &holder, err);
	if (rc != INV_OK)
		return rc;
	rc = demo_only(holder,
		_("holding the write lock is a demonstration for databases "
		  "made by `inved init --demo`; %s is not one"),
		err);
	if (rc == INV_OK)
		rc = store_tx_begin(holder, err);
	if (rc == INV_OK) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		store_tx_rollback(holder);
	}
	store_close(holder);
	return rc;
}

/* ---- audit --------------------------------------------------------------- */

enum inv_rc store_audit_tail(struct store *st, const struct identity *who,
                             int64_t subject, struct audit_entry *out,
                             size_t max, size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s;
	struct invoice row;
	enum inv_rc vrc;
	int rc;

	*n = 0;
	/* One invoice's history is read only by whom may read the invoice;
	 * the org's tail leaves out, for a member, the deleted ones' rows. */
	if (subject && (vrc = row_load_as(st, who, subject, &row, err)) != INV_OK)
		return vrc;
	s = store_stmt(st, subject ? SQL_AUDIT_SUBJECT : SQL_AUDIT_ORG, err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->org_id);
	if (subject)
		sqlite3_bind_int64(s, 2, subject);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	if (!subject)
		sqlite3_bind_int(s, 4, identity_at_least(who, ROLE_ADMIN));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		struct audit_entry *a = &out[(*n)++];

		a->seq = sqlite3_column_int64(s, 0);
		copy_text(a->at, sizeof a->at, s, 1);
		copy_text(a->actor, sizeof a->actor, s, 2);
		copy_text(a->action, sizeof a->action, s, 3);
		a->subject_id = sqlite3_column_int64(s, 4);
		copy_text(a->number, sizeof a->number, s, 5);
		a->from_version = sqlite3_column_int64(s, 6);
		a->to_version = sqlite3_column_int64(s, 7);
		copy_text(a->detail, sizeof a->detail, s, 8);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

/* ---- change feed --------------------------------------------------------- */

enum inv_rc store_data_version(struct store *st, int64_t *out,
                               struct inv_err *err)
{
	return head_read(st, SQL_DATA_VERSION, out, err);
}

enum inv_rc store_changes_head(struct store *st, int64_t *out,
                               struct inv_err *err)
{
	return head_read(st, SQL_AUDIT_HEAD, out, err);
}

enum inv_rc store_changes_since(struct store *st, const struct identity *who,
                                int64_t after, struct change *out, size_t max,
                                size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CHANGES_SINCE, err);
	int rc;

	*n = 0;
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		struct change *c = &out[(*n)++];

		c->seq = sqlite3_column_int64(s, 0);
		c->org_id = sqlite3_column_int64(s, 1);
		c->invoice_id = sqlite3_column_int64(s, 2);
		copy_text(c->action, sizeof c->action, s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

/* ---- drafts -------------------------------------------------------------- */

/* token NULL: the newest draft of invoice_id whatever its token. */
static enum inv_rc draft_get(struct store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct draft *out, bool *found,
                             struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, token ? SQL_DRAFT_GET
	                                       : SQL_DRAFT_NEWEST, err);
	int rc;

	*found = false;
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, invoice_id);
	if (token)
		sqlite3_bind_text(s, 4, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		memset(out, 0, sizeof *out);
		out->invoice_id = invoice_id;
		out->version = sqlite3_column_int64(s, 0);
		out->base_version = sqlite3_column_int64(s, 1);
		copy_text(out->body, sizeof out->body, s, 2);
		copy_text(out->saved_at, sizeof out->saved_at, s, 3);
		copy_text(out->token, sizeof out->token, s, 4);
		copy_text(out->base_body, sizeof out->base_body, s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

static bool draft_text_ok(const char *text)
{
	return text && strlen(text) < DRAFT_BODY_MAX &&
	       utf8_valid(text, strlen(text));
}

enum inv_rc store_draft_save(struct store *st, const struct identity *who,
                             const struct draft *d, int64_t version,
                             int64_t *new_version, struct draft *current,
                             struct inv_err *err)
{
	struct draft stored;
	sqlite3_stmt *s;
	bool found;
	enum inv_rc rc;

	if (!draft_text_ok(d->body) || !draft_text_ok(d->base_body))
		return inv_err_set(err, INV_INVALID, "draft",
			_("a draft is at most %d bytes of UTF-8"),
			DRAFT_BODY_MAX - 1);
	/* a new invoice's draft is keyed by its form's request token */
	if (d->invoice_id == 0 && token_check(d->token, err) != INV_OK)
		return INV_INVALID;
	if (d->invoice_id != 0 && d->token[0] &&
	    strcmp(d->token, DRAFT_DROPPED) != 0)
		return inv_err_set(err, INV_INVALID, "draft",
			_("only a new invoice's draft has a request token"));
	rc = store_tx_begin_unguarded(st, err);
	if (rc != INV_OK)
		return rc;
	rc = draft_get(st, who, d->invoice_id, d->token, &stored, &found, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	/* Two terminals of one operator: the one holding an older draft
	 * version is told, and shown the stored draft, instead of silently
	 * replacing it.  A draft that is gone (saved or discarded elsewhere)
	 * may be started afresh. */
	if (found && stored.version != version) {
		if (current)
			*current = stored;
		store_tx_rollback(st);
		return inv_err_set(err, INV_CONFLICT, "draft",
			_("this draft was saved from another terminal at %s "
			  "(draft version %" PRId64 ")"),
			stored.saved_at, stored.version);
	}
	s = store_stmt(st, found ? SQL_DRAFT_UPDATE : SQL_DRAFT_INSERT, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, NULL);
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, d->invoice_id);
	sqlite3_bind_text(s, 4, d->token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, d->base_version);
	sqlite3_bind_text(s, 6, d->base_body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, d->body, -1, SQLITE_TRANSIENT);
	if (found)
		sqlite3_bind_int64(s, 8, version);
	rc = stmt_done(st, s, err);
	if (rc == INV_OK)
		rc = store_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	*new_version = found ? stored.version + 1 : 1;
	return INV_OK;
}

enum inv_rc store_draft_load(struct store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct draft *out, struct inv_err *err)
{
	bool found;
	enum inv_rc rc;

	if (!token && invoice_id != 0)
		token = "";
	rc = draft_get(st, who, invoice_id, token, out, &found, err);
	if (rc == INV_OK && !found)
		return inv_err_set(err, INV_NOT_FOUND, "draft",
			_("no draft saved for this invoice"));
	return rc;
}

enum inv_rc store_draft_discard(struct store *st, const struct identity *who,
                                int64_t invoice_id, const char *token,
                                struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_DRAFT_DELETE, err);

	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, invoice_id);
	sqlite3_bind_text(s, 4, token ? token : "", -1, SQLITE_TRANSIENT);
	return stmt_done(st, s, err);
}
