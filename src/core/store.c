/*
 * store.c - the SQLite store: opening and migrating the file, the cached
 * statements, identity, reads, and the guarded writes of SPEC 3.
 *
 * Every write is one BEGIN IMMEDIATE transaction that loads the row by
 * (session org, id) and checks tenancy, lifecycle, role and version, in that
 * order, against the row it just loaded.  Only then does it name itself in
 * write_ctx and touch the row; the triggers of data/schema.sql write the
 * audit row, the change-feed row and the totals inside the same transaction.
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
	[SQL_CTX_SET] = "INSERT OR REPLACE INTO write_ctx "
	                "(id, actor_user_id, actor, action) VALUES (1, ?, ?, ?)",
	[SQL_CTX_CLEAR] = "DELETE FROM write_ctx",
	[SQL_ROW_BY_ID] = "SELECT " ROW_COLS " FROM invoices "
	                  "WHERE org_id = ?1 AND id = ?2",
	[SQL_ROW_BY_NUMBER] = "SELECT " ROW_COLS " FROM invoices "
	                      "WHERE org_id = ?1 AND number = ?2 "
	                      "AND deleted_at IS NULL",
	[SQL_ARCHIVE] = "UPDATE invoices SET archived_at = " NOW ", "
	                "updated_at = " NOW ", version = version + 1 "
	                "WHERE id = ?1 AND version = ?2",
	[SQL_RESTORE] = "UPDATE invoices SET archived_at = NULL, "
	                "deleted_at = NULL, updated_at = " NOW ", "
	                "version = version + 1 WHERE id = ?1 AND version = ?2",
	[SQL_DELETE] = "UPDATE invoices SET deleted_at = " NOW ", "
	               "updated_at = " NOW ", version = version + 1 "
	               "WHERE id = ?1 AND version = ?2",
	[SQL_DRIFT] = "UPDATE invoices SET updated_at = " NOW ", "
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
	[SQL_INSERT] = "INSERT INTO invoices (org_id, number, customer, status, "
	               "total_minor, currency, version, created_at, updated_at) "
	               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, " NOW ", " NOW ")",
	[SQL_AUDIT_HEAD] = "SELECT coalesce(max(seq), 0) FROM audit",
	[SQL_CHANGES_HEAD] = "SELECT coalesce(max(seq), 0) FROM changes",
	[SQL_TOTALS] = "SELECT state, currency, count, total_minor FROM totals "
	               "WHERE org_id = ?1 ORDER BY currency",
	[SQL_RECOUNT] =
		"SELECT CASE WHEN deleted_at IS NOT NULL THEN 'deleted' "
		"WHEN archived_at IS NOT NULL THEN 'archived' ELSE 'active' END, "
		"currency, count(*), sum(total_minor) FROM invoices "
		"WHERE org_id = ?1 GROUP BY 1, 2 ORDER BY 2",
	[SQL_DATA_VERSION] = "PRAGMA data_version",
	[SQL_CHANGES_SINCE] = "SELECT seq, org_id, invoice_id, action "
	                      "FROM changes WHERE org_id = ?1 AND seq > ?2 "
	                      "ORDER BY seq LIMIT ?3",
	[SQL_AUDIT_ORG] =
		"SELECT a.seq, a.at, a.actor, a.action, a.subject_id, "
		"coalesce(i.number, ''), a.from_version, a.to_version, a.detail "
		"FROM audit a LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE a.org_id = ?1 ORDER BY a.seq DESC LIMIT ?3",
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
	[SQL_DRAFT_GET] = "SELECT version, base_version, body, saved_at "
	                  "FROM drafts WHERE user_id = ?1 AND org_id = ?2 "
	                  "AND invoice_id = ?3",
	[SQL_DRAFT_INSERT] =
		"INSERT INTO drafts (user_id, org_id, invoice_id, version, "
		"base_version, body, saved_at) "
		"VALUES (?1, ?2, ?3, 1, ?4, ?5, " NOW ")",
	[SQL_DRAFT_UPDATE] =
		"UPDATE drafts SET version = version + 1, base_version = ?4, "
		"body = ?5, saved_at = " NOW " WHERE user_id = ?1 "
		"AND org_id = ?2 AND invoice_id = ?3 AND version = ?6",
	[SQL_DRAFT_DELETE] = "DELETE FROM drafts WHERE user_id = ?1 "
	                     "AND org_id = ?2 AND invoice_id = ?3",
	[SQL_META_GET] = "SELECT value FROM meta WHERE key = ?1",
};

static const char *const view_names[VIEW__COUNT] = {"active", "archived",
                                                    "all"};

/* ---- plumbing ------------------------------------------------------------ */

enum inv_rc store_sqlite_err(struct store *st, int rc, struct inv_err *err)
{
	const char *path = st && st->path ? st->path : "?";
	const char *detail = st && st->db ? sqlite3_errmsg(st->db)
	                                  : sqlite3_errstr(rc);

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

enum inv_rc store_tx_begin(struct store *st, struct inv_err *err)
{
	return store_exec(st, SQL_BEGIN, err);
}

void store_tx_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		store_exec(st, SQL_ROLLBACK, NULL);
}

/* write_ctx is emptied before every commit, so a later writer that does not
 * name itself is recorded as external, never as us. */
enum inv_rc store_tx_commit(struct store *st, struct inv_err *err)
{
	enum inv_rc rc = store_exec(st, SQL_CTX_CLEAR, err);

	if (rc == INV_OK)
		rc = store_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		store_tx_rollback(st);
	return rc;
}

enum inv_rc store_ctx_set(struct store *st, int64_t user_id, const char *actor,
                          const char *action, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_CTX_SET, err);

	if (!s)
		return err ? err->rc : INV_ERROR;
	if (user_id > 0)
		sqlite3_bind_int64(s, 1, user_id);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
	return stmt_done(st, s, err);
}

static void copy_text(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
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

static enum inv_rc pragma_int(struct store *st, const char *sql, int64_t *out,
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

/* The refusals that need no write: a schema from a newer inved, an SQLite
 * file that is not ours, and (without create) a file with no schema yet.
 * Reads only, so store_open runs it before anything that could write (the
 * switch to WAL rewrites the file header): a refused file is left byte for
 * byte as it was.  *version is the file's user_version. */
static enum inv_rc schema_screen(struct store *st, bool create,
                                 int64_t *version, struct inv_err *err)
{
	int64_t tables = 0;
	enum inv_rc rc;

	rc = pragma_int(st, "PRAGMA user_version", version, err);
	if (rc != INV_OK)
		return rc;
	if (*version > SCHEMA_VERSION)
		return inv_err_set(err, INV_ERROR, "",
			_("%s was written by a newer inved (schema %" PRId64
			  ", this inved knows up to %d); it was not modified — "
			  "upgrade inved to open it"),
			st->path, *version, SCHEMA_VERSION);
	if (*version != 0)
		return INV_OK;
	rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err);
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
		rc = exec_sql(st, inved_schema_sql, err);
		if (rc == INV_OK)
			rc = exec_sql(st,
				"INSERT INTO meta (key, value) VALUES "
				"('created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));"
				"PRAGMA user_version = 1;",
				err);
	}
	/* Later versions add their steps here: if (version == 1) {...} */
	if (rc == INV_OK)
		rc = exec_sql(st, "COMMIT", err);
	if (rc != INV_OK)
		exec_sql(st, "ROLLBACK", NULL);
	return rc;
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

enum inv_rc store_open(const char *path, int flags, int busy_timeout_ms,
                       struct store **out, struct inv_err *err)
{
	struct store *st;
	struct stat sb;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int64_t dummy = 0;
	enum inv_rc rc;
	int src;

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
	src = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (src != SQLITE_OK) {
		rc = store_sqlite_err(st, src, err);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);

	/* Reads first: a file that is not SQLite, or not ours, or from a newer
	 * inved is reported before anything is written to it. */
	rc = pragma_int(st, "PRAGMA schema_version", &dummy, err);
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

enum inv_rc store_identity(struct store *st, const char *user, const char *org,
                           struct identity *out, struct inv_err *err)
{
	sqlite3_stmt *s;
	char list[256];
	int rc, rows = 0;

	memset(out, 0, sizeof *out);
	if (!user || !*user)
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("no user given; use --user NAME or set INVED_USER"));
	s = store_stmt(st, SQL_USER_BY_NAME, err);
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_text(s, 1, user, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->user_id = sqlite3_column_int64(s, 0);
		copy_text(out->user, sizeof out->user, s, 1);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	if (rc == SQLITE_DONE) {
		memberships_text(st, 0, list, sizeof list);
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("unknown user '%s' in %s; memberships that exist: %s — "
			  "pick one with --user NAME (or INVED_USER)"),
			user, st->path, list);
	}

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

	memberships_text(st, out->user_id, list, sizeof list);
	out->org_id = 0;
	if (org && *org)
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is not a member of org '%s'; %s's memberships: %s"),
			user, org, user, list);
	if (rows == 0)
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is not a member of any org; ask an admin to add "
			  "them"),
			user);
	return inv_err_set(err, INV_FORBIDDEN, "org",
		_("%s is a member of several orgs (%s); choose one with --org"),
		user, list);
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

enum inv_rc store_get(struct store *st, const struct identity *who, int64_t id,
                      struct invoice *out, struct inv_err *err)
{
	return row_load(st, who->org_id, id, out, err);
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
		return row_load(st, who->org_id, strtoll(ref, NULL, 10), out, err);

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

static void result_reset(struct write_result *res)
{
	memset(res, 0, sizeof *res);
}

/* After the write: re-read the row as stored and the sequence numbers the
 * triggers assigned, still inside the transaction. */
static enum inv_rc write_finish(struct store *st, const struct identity *who,
                                int64_t id, struct write_result *res,
                                struct inv_err *err)
{
	enum inv_rc rc = row_load(st, who->org_id, id, &res->row, err);

	if (rc == INV_OK)
		rc = head_read(st, SQL_AUDIT_HEAD, &res->audit_seq, err);
	if (rc == INV_OK)
		rc = head_read(st, SQL_CHANGES_HEAD, &res->change_seq, err);
	if (rc == INV_OK)
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

static enum inv_rc run_update(struct store *st, sqlite3_stmt *s,
                              const struct invoice *cur, struct inv_err *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return inv_err_set(err, INV_CONFLICT, "number",
			_("number %s is held by another live invoice; delete or "
			  "renumber that one first"),
			cur->number);
	if (rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	if (sqlite3_changes(st->db) != 1)
		return conflict_err(err, cur);
	return INV_OK;
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
	struct invoice cur;
	enum inv_life life;
	enum inv_role need = ROLE_MEMBER;
	sqlite3_stmt *s;
	enum inv_rc rc;

	result_reset(res);
	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	/* 1. tenancy: looked up by (session org, id). */
	rc = row_load(st, who->org_id, id, &cur, err);
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
	rc = store_ctx_set(st, who->user_id, who->user, action[op], err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	s = store_stmt(st, sql[op], err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	rc = run_update(st, s, &cur, err);
	if (rc != INV_OK)
		return refuse(st, rc, rc == INV_CONFLICT ? &cur : NULL, res);
	rc = write_finish(st, who, id, res, err);
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

/* Validation that needs no row: runs before the transaction, so bad input
 * never takes the write lock. */
static enum inv_rc input_check(const struct invoice_input *in,
                               struct inv_err *err)
{
	enum inv_status status;
	enum inv_rc rc;

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
};

/* Which fields next changes from cur; 0 when none. */
static unsigned edit_mask(const struct invoice *cur, const struct invoice *next)
{
	return (strcmp(cur->customer, next->customer) ? EDIT_CUSTOMER : 0) |
	       (cur->status != next->status ? EDIT_STATUS : 0) |
	       (cur->total_minor != next->total_minor ? EDIT_TOTAL : 0) |
	       (strcmp(cur->currency, next->currency) ? EDIT_CURRENCY : 0);
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
	         "UPDATE invoices SET %s%s%s%s%s WHERE id = ?1 AND version = ?2",
	         mask & EDIT_CUSTOMER ? "customer = ?3, " : "",
	         mask & EDIT_STATUS ? "status = ?4, " : "",
	         mask & EDIT_TOTAL ? "total_minor = ?5, " : "",
	         mask & EDIT_CURRENCY ? "currency = ?6, " : "",
	         "updated_at = " NOW ", version = version + 1");
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                        &st->edit[mask], NULL);
	if (rc != SQLITE_OK) {
		store_sqlite_err(st, rc, err);
		return NULL;
	}
	return st->edit[mask];
}

static bool row_fields_equal(const struct invoice *a, const struct invoice *b)
{
	return strcmp(a->customer, b->customer) == 0 && a->status == b->status &&
	       a->total_minor == b->total_minor &&
	       strcmp(a->currency, b->currency) == 0;
}

enum inv_rc store_edit(struct store *st, const struct identity *who,
                       int64_t id, int64_t version,
                       const struct invoice_input *in, int flags,
                       struct write_result *res, struct inv_err *err)
{
	bool overwrite = flags & WRITE_OVERWRITE;
	struct invoice cur, next;
	sqlite3_stmt *s;
	unsigned mask;
	enum inv_rc rc;

	result_reset(res);
	rc = input_check(in, err);
	if (rc != INV_OK)
		return rc;
	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	/* 1. tenancy */
	rc = row_load(st, who->org_id, id, &cur, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	/* 2. lifecycle: a deleted row is not there to edit. */
	if (invoice_life(&cur) == LIFE_DELETED) {
		inv_err_set(err, INV_NOT_FOUND, "",
			_("invoice %s is deleted; an admin can restore it first"),
			cur.number);
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
	if (cur.version != version && !overwrite) {
		conflict_err(err, &cur);
		return refuse(st, INV_CONFLICT, &cur, res);
	}
	rc = input_apply(in, &cur, &next, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	if (row_fields_equal(&cur, &next)) {
		inv_err_set(err, INV_INVALID, "unchanged",
			_("nothing to change: the values given are the ones "
			  "invoice %s already has"),
			cur.number);
		return refuse(st, INV_INVALID, NULL, res);
	}
	rc = store_ctx_set(st, who->user_id, who->user,
	                   overwrite && cur.version != version
	                           ? "invoice.overwrite"
	                           : "invoice.edit",
	                   err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	mask = edit_mask(&cur, &next);
	s = edit_stmt(st, mask, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, cur.version);
	if (mask & EDIT_CUSTOMER)
		sqlite3_bind_text(s, 3, next.customer, -1, SQLITE_STATIC);
	if (mask & EDIT_STATUS)
		sqlite3_bind_text(s, 4, invoice_status_name(next.status), -1,
		                  SQLITE_STATIC);
	if (mask & EDIT_TOTAL)
		sqlite3_bind_int64(s, 5, next.total_minor);
	if (mask & EDIT_CURRENCY)
		sqlite3_bind_text(s, 6, next.currency, -1, SQLITE_STATIC);
	rc = run_update(st, s, &cur, err);
	if (rc != INV_OK)
		return refuse(st, rc, rc == INV_CONFLICT ? &cur : NULL, res);
	rc = write_finish(st, who, id, res, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	return INV_OK;
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
	char alloc[NUMBER_MAX_BYTES + 1];
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
		rc = store_ctx_set(st, who->user_id, who->user, "invoice.create",
		                   err);
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
	rc = stmt_done(st, s, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	id = sqlite3_last_insert_rowid(st->db);
	s = store_stmt(st, SQL_CLAIM_FILL, err);
	if (!s)
		return refuse(st, err ? err->rc : INV_ERROR, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, id);
	rc = stmt_done(st, s, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	rc = write_finish(st, who, id, res, err);
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

/* A peer write through a connection of its own: this connection's cached
 * reads stay as they were, like another terminal's would. */
enum inv_rc store_drift(struct store *st, const struct identity *who,
                        int64_t id, struct write_result *res,
                        struct inv_err *err)
{
	struct store *peer = NULL;
	struct invoice cur;
	sqlite3_stmt *s;
	enum inv_rc rc;

	result_reset(res);
	rc = store_open(st->path, STORE_OPEN_EXISTING, st->busy_ms, &peer, err);
	if (rc != INV_OK)
		return rc;
	rc = store_tx_begin(peer, err);
	if (rc != INV_OK)
		goto out;
	rc = row_load(peer, who->org_id, id, &cur, err);
	if (rc == INV_OK && invoice_life(&cur) == LIFE_DELETED)
		rc = inv_err_set(err, INV_NOT_FOUND, "",
			_("invoice %s is deleted"), cur.number);
	if (rc == INV_OK)
		rc = store_ctx_set(peer, who->user_id, who->user, "invoice.drift",
		                   err);
	if (rc == INV_OK) {
		s = store_stmt(peer, SQL_DRIFT, err);
		if (!s)
			rc = err ? err->rc : INV_ERROR;
		else {
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_int64(s, 2, cur.version);
			rc = run_update(peer, s, &cur, err);
		}
	}
	if (rc == INV_OK)
		rc = write_finish(peer, who, id, res, err);
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
	sqlite3_stmt *s = store_stmt(st, subject ? SQL_AUDIT_SUBJECT
	                                         : SQL_AUDIT_ORG,
	                             err);
	int rc;

	*n = 0;
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->org_id);
	if (subject)
		sqlite3_bind_int64(s, 2, subject);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
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
	return head_read(st, SQL_CHANGES_HEAD, out, err);
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

static enum inv_rc draft_get(struct store *st, const struct identity *who,
                             int64_t invoice_id, struct draft *out,
                             bool *found, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_DRAFT_GET, err);
	int rc;

	*found = false;
	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, invoice_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		memset(out, 0, sizeof *out);
		out->invoice_id = invoice_id;
		out->version = sqlite3_column_int64(s, 0);
		out->base_version = sqlite3_column_int64(s, 1);
		copy_text(out->body, sizeof out->body, s, 2);
		copy_text(out->saved_at, sizeof out->saved_at, s, 3);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlite_err(st, rc, err);
	return INV_OK;
}

enum inv_rc store_draft_save(struct store *st, const struct identity *who,
                             int64_t invoice_id, int64_t version,
                             int64_t base_version, const char *body,
                             int64_t *new_version, struct draft *current,
                             struct inv_err *err)
{
	struct draft stored;
	sqlite3_stmt *s;
	bool found;
	enum inv_rc rc;

	if (!body || strlen(body) >= DRAFT_BODY_MAX ||
	    !utf8_valid(body, strlen(body)))
		return inv_err_set(err, INV_INVALID, "draft",
			_("a draft is at most %d bytes of UTF-8"),
			DRAFT_BODY_MAX - 1);
	rc = store_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	rc = draft_get(st, who, invoice_id, &stored, &found, err);
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
	sqlite3_bind_int64(s, 3, invoice_id);
	sqlite3_bind_int64(s, 4, base_version);
	sqlite3_bind_text(s, 5, body, -1, SQLITE_TRANSIENT);
	if (found)
		sqlite3_bind_int64(s, 6, version);
	rc = stmt_done(st, s, err);
	if (rc == INV_OK)
		rc = store_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	*new_version = found ? stored.version + 1 : 1;
	return INV_OK;
}

enum inv_rc store_draft_load(struct store *st, const struct identity *who,
                             int64_t invoice_id, struct draft *out,
                             struct inv_err *err)
{
	bool found;
	enum inv_rc rc = draft_get(st, who, invoice_id, out, &found, err);

	if (rc == INV_OK && !found)
		return inv_err_set(err, INV_NOT_FOUND, "draft",
			_("no draft saved for this invoice"));
	return rc;
}

enum inv_rc store_draft_discard(struct store *st, const struct identity *who,
                                int64_t invoice_id, struct inv_err *err)
{
	sqlite3_stmt *s = store_stmt(st, SQL_DRAFT_DELETE, err);

	if (!s)
		return err ? err->rc : INV_ERROR;
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, invoice_id);
	return stmt_done(st, s, err);
}

/* ---- diagnostics --------------------------------------------------------- */

static bool summary_equal(const struct summary *a, const struct summary *b)
{
	size_t i;

	if (a->ncur != b->ncur)
		return false;
	for (i = 0; i < LIFE__COUNT; i++)
		if (a->count[i] != b->count[i])
			return false;
	for (i = 0; i < a->ncur; i++)
		if (strcmp(a->cur[i].currency, b->cur[i].currency) != 0 ||
		    a->cur[i].count != b->cur[i].count ||
		    a->cur[i].total_minor != b->cur[i].total_minor)
			return false;
	return true;
}

enum inv_rc store_check(struct store *st, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	struct identity who;
	struct summary kept, counted;
	enum inv_rc rc = INV_OK;
	int src;

	src = sqlite3_prepare_v2(st->db, "PRAGMA integrity_check", -1, &s, NULL);
	if (src == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
		rc = inv_err_set(err, INV_ERROR, "",
			_("integrity check of %s failed: %s"), st->path,
			sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, err);
	if (rc != INV_OK)
		return rc;

	src = sqlite3_prepare_v2(st->db, "SELECT id, name FROM orgs", -1, &s,
	                         NULL);
	if (src != SQLITE_OK)
		return store_sqlite_err(st, src, err);
	memset(&who, 0, sizeof who);
	while (rc == INV_OK && sqlite3_step(s) == SQLITE_ROW) {
		who.org_id = sqlite3_column_int64(s, 0);
		copy_text(who.org, sizeof who.org, s, 1);
		rc = store_summary(st, &who, &kept, err);
		if (rc == INV_OK)
			rc = store_summary_recount(st, &who, &counted, err);
		if (rc == INV_OK && !summary_equal(&kept, &counted))
			rc = inv_err_set(err, INV_ERROR, "",
				_("the totals of org %s differ from a recount"),
				who.org);
	}
	sqlite3_finalize(s);
	return rc;
}
