/*
 * copy.c - the SQLite backend's part of a copy (store_copy.h): every row
 * read out in one read transaction, and an empty file filled in one write
 * transaction.
 *
 * The rows arrive with their history already written: an invoice at
 * version 5 comes with the five audit rows that made it.  The triggers on
 * invoices would audit each insert a second time (or refuse it, its claim
 * not being the newest audit row), so the import drops them inside its
 * transaction and creates them again, from the very SQL the file held,
 * before it commits: no other connection ever sees the file without them
 * (the transaction holds the write lock throughout), and a failure rolls
 * the drop back with everything else.  The audit's own guards stay: the
 * rows go in seq order, which they accept.  The totals are recounted from
 * the invoices at the end, as the triggers would have kept them, and the
 * history chain (schema 5) is linked from the audit rows.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_record.h"
#include "i18n.h"
#include "sqlite_store.h"

/* "SELECT c1, c2 FROM t ... ORDER BY ..." or "INSERT INTO t (c1, c2)
 * VALUES (?1, ?2)" for kind, from copy_tables (no value is spliced in). */
static void kind_sql(enum copy_kind kind, bool insert, char *buf, size_t len)
{
	const struct copy_table *t = &copy_tables[kind];
	size_t c, used;

	used = insert ? (size_t)snprintf(buf, len, "INSERT INTO %s (", t->table)
	              : (size_t)snprintf(buf, len, "SELECT ");
	for (c = 0; c < t->ncols && used < len; c++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		                         c ? ", " : "", t->col[c].name);
	if (used >= len)
		return;
	if (!insert) {
		snprintf(buf + used, len - used, " FROM %s%s ORDER BY %s",
		         t->table,
		         kind == COPY_META ? " WHERE key NOT IN " COPY_META_SKIP
		                           : "",
		         t->order);
		return;
	}
	used += (size_t)snprintf(buf + used, len - used, ") VALUES (");
	for (c = 0; c < t->ncols && used < len; c++)
		used += (size_t)snprintf(buf + used, len - used, "%s?%zu",
		                         c ? ", " : "", c + 1);
	if (used < len)
		snprintf(buf + used, len - used, "%s",
		         kind == COPY_META
		                 ? ") ON CONFLICT (key) DO UPDATE SET "
		                   "value = excluded.value"
		                 : ")");
}

static enum inv_rc export_kind(struct sq_store *st, enum copy_kind kind,
                               copy_sink *sink, void *ctx,
                               struct inv_err *err)
{
	const struct copy_table *t = &copy_tables[kind];
	struct copy_record rec;
	sqlite3_stmt *s = NULL;
	enum inv_rc rc = INV_OK;
	char sql[512];
	int src;
	size_t c;

	kind_sql(kind, false, sql, sizeof sql);
	src = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (src != SQLITE_OK)
		return sq_sqlite_err(st, src, err);
	memset(&rec, 0, sizeof rec);
	rec.kind = kind;
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		for (c = 0; c < t->ncols; c++)
			rec.v[c] = sqlite3_column_type(s, (int)c) == SQLITE_NULL
			                   ? NULL
			                   : (const char *)sqlite3_column_text(
			                             s, (int)c);
		rc = sink(ctx, &rec, err);
		if (rc != INV_OK)
			break;
	}
	if (rc == INV_OK && src != SQLITE_DONE)
		rc = sq_sqlite_err(st, src, err);
	sqlite3_finalize(s);
	return rc;
}

enum inv_rc sq_export_rows(struct sq_store *st, copy_sink *sink, void *ctx,
                           struct inv_err *err)
{
	enum inv_rc rc = sq_exec(st, SQL_BEGIN_READ, err);
	int kind;

	for (kind = 0; rc == INV_OK && kind < COPY__KINDS; kind++)
		rc = export_kind(st, (enum copy_kind)kind, sink, ctx, err);
	if (rc == INV_OK)
		rc = sq_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK && !sqlite3_get_autocommit(st->db))
		sq_exec(st, SQL_ROLLBACK, NULL);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

struct sq_import {
	sqlite3_stmt *ins[COPY__KINDS];
	size_t ntrig;
	char **trig_name;
	char **trig_sql;
};

static void import_free(struct sq_import *im)
{
	size_t i;

	if (!im)
		return;
	for (i = 0; i < COPY__KINDS; i++)
		sqlite3_finalize(im->ins[i]);
	for (i = 0; i < im->ntrig; i++) {
		free(im->trig_name[i]);
		free(im->trig_sql[i]);
	}
	free(im->trig_name);
	free(im->trig_sql);
	free(im);
}

/* INV_CONFLICT unless the file holds no row a copy would write. */
static enum inv_rc import_empty(struct sq_store *st, struct inv_err *err)
{
	static const char sql[] =
		"SELECT (SELECT count(*) FROM orgs), "
		"(SELECT count(*) FROM users), "
		"(SELECT count(*) FROM memberships), "
		"(SELECT count(*) FROM invoices), "
		"(SELECT count(*) FROM audit), "
		"(SELECT count(*) FROM requests), "
		"(SELECT count(*) FROM drafts)";
	sqlite3_stmt *s = NULL;
	int64_t n[7] = {0};
	int src, i;
	bool any = false;

	src = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (src != SQLITE_OK)
		return sq_sqlite_err(st, src, err);
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		for (i = 0; i < 7; i++) {
			n[i] = sqlite3_column_int64(s, i);
			any = any || n[i] != 0;
		}
	sqlite3_finalize(s);
	if (src != SQLITE_ROW)
		return sq_sqlite_err(st, src, err);
	if (any)
		return inv_err_set(err, INV_CONFLICT, "to",
			_("%s is not empty (%" PRId64 " org(s), %" PRId64
			  " user(s), %" PRId64 " invoice(s), %" PRId64
			  " audit row(s)); a copy goes only into an empty "
			  "database — nothing was written"),
			st->path, n[0], n[1], n[3], n[4]);
	return INV_OK;
}

/* The triggers on invoices, kept (name and SQL, in the order the file
 * holds them) and dropped. */
static enum inv_rc triggers_set_aside(struct sq_store *st,
                                      struct sq_import *im,
                                      struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0, i;
	int src;

	src = sqlite3_prepare_v2(st->db,
		"SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' "
		"AND tbl_name = 'invoices' ORDER BY rowid", -1, &s, NULL);
	if (src != SQLITE_OK)
		return sq_sqlite_err(st, src, err);
	while ((src = sqlite3_step(s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *text = (const char *)sqlite3_column_text(s, 1);

		if (im->ntrig == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **a = realloc(im->trig_name, ncap * sizeof *a);

			if (a)
				im->trig_name = a;
			a = a ? realloc(im->trig_sql, ncap * sizeof *a) : NULL;
			if (!a)
				break;
			im->trig_sql = a;
			cap = ncap;
		}
		im->trig_name[im->ntrig] = strdup(name ? name : "");
		im->trig_sql[im->ntrig] = strdup(text ? text : "");
		im->ntrig++;
		if (!im->trig_name[im->ntrig - 1] ||
		    !im->trig_sql[im->ntrig - 1])
			break;
	}
	sqlite3_finalize(s);
	if (src != SQLITE_DONE && src != SQLITE_ROW)
		return sq_sqlite_err(st, src, err);
	if (src == SQLITE_ROW)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	for (i = 0; i < im->ntrig; i++) {
		char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"",
		                             im->trig_name[i]);

		if (!drop)
			return inv_err_set(err, INV_ERROR, "",
			                   _("out of memory"));
		src = sqlite3_exec(st->db, drop, NULL, NULL, NULL);
		sqlite3_free(drop);
		if (src != SQLITE_OK)
			return sq_sqlite_err(st, src, err);
	}
	return INV_OK;
}

enum inv_rc sq_import_begin(struct sq_store *st, void **state,
                            struct inv_err *err)
{
	struct sq_import *im = calloc(1, sizeof *im);
	enum inv_rc rc;
	int kind;

	*state = NULL;
	if (!im)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	rc = sq_tx_begin(st, err);
	if (rc != INV_OK) {
		free(im);
		return rc;
	}
	rc = import_empty(st, err);
	for (kind = 0; rc == INV_OK && kind < COPY__KINDS; kind++) {
		char sql[512];
		int src;

		kind_sql((enum copy_kind)kind, true, sql, sizeof sql);
		src = sqlite3_prepare_v2(st->db, sql, -1, &im->ins[kind], NULL);
		if (src != SQLITE_OK)
			rc = sq_sqlite_err(st, src, err);
	}
	if (rc == INV_OK)
		rc = triggers_set_aside(st, im, err);
	if (rc != INV_OK) {
		sq_tx_rollback(st);
		import_free(im);
		return rc;
	}
	*state = im;
	return INV_OK;
}

/* A whole decimal number, or false. */
static bool parse_i64(const char *t, sqlite3_int64 *out)
{
	char *end = NULL;
	long long v;

	if (!t || !*t)
		return false;
	v = strtoll(t, &end, 10);
	if (*end)
		return false;
	*out = v;
	return true;
}

enum inv_rc sq_import_rows(struct sq_store *st, void *state,
                           const struct copy_record *recs, size_t n,
                           struct inv_err *err)
{
	struct sq_import *im = state;
	size_t i, c;

	for (i = 0; i < n; i++) {
		const struct copy_table *t = &copy_tables[recs[i].kind];
		sqlite3_stmt *s = im->ins[recs[i].kind];
		int src = SQLITE_OK;

		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		for (c = 0; c < t->ncols && src == SQLITE_OK; c++) {
			const char *v = recs[i].v[c];
			sqlite3_int64 x;
			int pos = (int)c + 1;

			if (!v)
				src = sqlite3_bind_null(s, pos);
			else if (t->col[c].type == 'i' && parse_i64(v, &x))
				src = sqlite3_bind_int64(s, pos, x);
			else
				src = sqlite3_bind_text(s, pos, v, -1,
				                        SQLITE_STATIC);
		}
		if (src == SQLITE_OK)
			src = sqlite3_step(s);
		if (src != SQLITE_DONE) {
			enum inv_rc rc = sq_sqlite_err(st, src, err);

			sqlite3_reset(s);
			return rc;
		}
	}
	return INV_OK;
}

enum inv_rc sq_import_end(struct sq_store *st, void *state, bool commit,
                          struct inv_err *err)
{
	static const char totals[] =
		"DELETE FROM totals; "
		"INSERT INTO totals (org_id, currency, state, count, "
		"total_minor) SELECT org_id, currency, "
		"CASE WHEN deleted_at IS NOT NULL THEN 'deleted' "
		"WHEN archived_at IS NOT NULL THEN 'archived' "
		"ELSE 'active' END, count(*), sum(total_minor) FROM invoices "
		"GROUP BY 1, 2, 3";
	struct sq_import *im = state;
	enum inv_rc rc = INV_OK;
	size_t i;
	int src;

	if (!commit || !im) {
		sq_tx_rollback(st);
		import_free(im);
		return INV_OK;
	}
	for (i = 0; i < COPY__KINDS; i++) {
		sqlite3_finalize(im->ins[i]);
		im->ins[i] = NULL;
	}
	src = sqlite3_exec(st->db, totals, NULL, NULL, NULL);
	/* the history chain (schema 5), linked from the audit rows as
	 * they came: the copy's form carries none (a PostgreSQL source has
	 * no chain) */
	if (src == SQLITE_OK) {
		int64_t linked;

		src = sq_chain_rebuild(st, &linked);
	}
	for (i = 0; src == SQLITE_OK && i < im->ntrig; i++)
		src = sqlite3_exec(st->db, im->trig_sql[i], NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		rc = sq_sqlite_err(st, src, err);
		sq_tx_rollback(st);
	} else {
		rc = sq_tx_commit(st, err);
	}
	import_free(im);
	return rc;
}
