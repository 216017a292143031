/*
 * open.c - opening a database file: the refusals that need no write (not
 * SQLite, not inved's, a newer schema), WAL and the pragmas, the
 * migration forward under BEGIN IMMEDIATE, inved's SQL functions, and
 * closing.  A refused file is left byte for byte as it was.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "sqlite_store.h"
#include "text.h"

extern const char inved_schema_sql[];

static enum inv_rc sq_exec_sql(struct sq_store *st, const char *sql,
                               struct inv_err *err)
{
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return sq_sqlite_err(st, rc, err);
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
 * Reads only, so sq_open runs it before anything that could write (the
 * switch to WAL rewrites the file header): a refused file is left byte for
 * byte as it was.  *version is the file's user_version. */
static enum inv_rc schema_screen(struct sq_store *st, bool create,
                                 int64_t *version, struct inv_err *err)
{
	int64_t tables = 0, app = 0;
	enum inv_rc rc;

	rc = sq_query_int(st, "PRAGMA user_version", version, err);
	if (rc != INV_OK)
		return rc;
	/* user_version is a number any program may set: a file is ours when
	 * it also holds the tables every inved schema has, and names no other
	 * application in its header (inved sets no application_id). */
	rc = sq_query_int(st, "PRAGMA application_id", &app, err);
	if (rc != INV_OK)
		return rc;
	if (*version != 0 || app != 0) {
		rc = sq_query_int(st, SCHEMA_OURS_SQL, &tables, err);
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
	rc = sq_query_int(st, "SELECT count(*) FROM sqlite_schema", &tables, err);
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
static enum inv_rc schema_steps(struct sq_store *st, int64_t from,
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
	return sq_exec_sql(st, step, err);
}

/* Bring the schema to SCHEMA_VERSION.  Run under BEGIN IMMEDIATE and
 * screen the file again inside it, so two processes opening a new file at
 * once apply the schema exactly once. */
static enum inv_rc schema_migrate(struct sq_store *st, bool create,
                                  struct inv_err *err)
{
	int64_t version = 0;
	enum inv_rc rc;

	rc = schema_screen(st, create, &version, err);
	if (rc != INV_OK || version == SCHEMA_VERSION)
		return rc;

	rc = sq_exec_sql(st, "BEGIN IMMEDIATE", err);
	if (rc != INV_OK)
		return rc;
	rc = schema_screen(st, create, &version, err);
	if (rc == INV_OK && version == 0) {
		/* A new file takes the whole schema, every version's part. */
		rc = sq_exec_sql(st, inved_schema_sql, err);
		if (rc == INV_OK)
			rc = sq_exec_sql(st,
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
		rc = sq_exec_sql(st, sql, err);
	}
	if (rc == INV_OK)
		rc = sq_exec_sql(st, "COMMIT", err);
	if (rc != INV_OK)
		sq_exec_sql(st, "ROLLBACK", NULL);
	return rc;
}

/* The last failure on this connection was the disk running out of room. */
static bool disk_full(struct sq_store *st)
{
	int code = sqlite3_extended_errcode(st->db) & 0xff;
	int sys = sqlite3_system_errno(st->db);

	return code == SQLITE_FULL ||
	       (code == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT));
}

void sq_process_setup(void)
{
	/* SQLITE_MISUSE once SQLite is initialised: then it stays as it is */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* inved_filter(text, needle): inved's filter rule (text.h), not LIKE's,
 * whose case folding depends on how SQLite was built (ICU) and on a
 * pragma.  NULL text matches nothing. */
static void filter_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *hay = (const char *)sqlite3_value_text(argv[0]);
	const char *needle = (const char *)sqlite3_value_text(argv[1]);
	size_t hay_len = (size_t)sqlite3_value_bytes(argv[0]);
	size_t needle_len = (size_t)sqlite3_value_bytes(argv[1]);

	(void)argc;
	sqlite3_result_int(ctx, hay && needle &&
	                        text_filter_match(hay, hay_len, needle,
	                                          needle_len));
}

/* The SQLite connection of st->path, with extended result codes, the
 * busy timeout and inved's functions. */
static enum inv_rc connection_open(struct sq_store *st, int oflags,
                                   struct inv_err *err)
{
	int src = sqlite3_open_v2(st->path, &st->db, oflags, NULL);

	if (src != SQLITE_OK)
		return sq_sqlite_err(st, src, err);
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, st->busy_ms);
	src = sqlite3_create_function(st->db, "inved_filter", 2,
	                              SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	                                      SQLITE_INNOCUOUS,
	                              NULL, filter_fn, NULL, NULL);
	if (src != SQLITE_OK)
		return sq_sqlite_err(st, src, err);
	return INV_OK;
}

enum inv_rc sq_open(const struct store *gst, struct sq_store **out,
                    struct inv_err *err)
{
	const char *path = gst->location;
	int flags = gst->opt.flags;
	struct sq_store *st;
	struct stat sb;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int64_t dummy = 0;
	enum inv_rc rc;

	*out = NULL;
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
	if (!st)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	st->path = path;
	st->busy_ms = gst->opt.busy_timeout_ms;
	rc = connection_open(st, oflags, err);
	if (rc != INV_OK)
		goto fail;

	/* Reads first: a file that is not SQLite, or not ours, or from a newer
	 * inved is reported before anything is written to it. */
	rc = sq_query_int(st, "PRAGMA schema_version", &dummy, err);
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
		rc = sq_exec_sql(st, "PRAGMA locking_mode = EXCLUSIVE", err);
		if (rc == INV_OK)
			rc = sq_query_int(st, "PRAGMA schema_version", &dummy, err);
	}
	if (rc == INV_OK)
		rc = schema_screen(st, flags & STORE_OPEN_CREATE, &dummy, err);
	if (rc == INV_OK)
		rc = sq_exec_sql(st, "PRAGMA journal_mode = WAL", err);
	if (rc == INV_OK)
		rc = sq_exec_sql(st, "PRAGMA synchronous = FULL;"
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
	sq_close(st);
	return rc;
}

void sq_close(struct sq_store *st)
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
	sq_guard_release(st);
	sqlite3_close_v2(st->db);
	sq_wakeup_free(st->wake);
	free(st);
}

