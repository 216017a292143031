/*
 * pgcopy.c - the PostgreSQL backend's part of a copy (store_copy.h).
 *
 * Export: one REPEATABLE READ, READ ONLY transaction (one snapshot for
 * every kind), each kind read through a cursor a batch at a time, so a
 * large database is never held in memory.  Only the schema's owner sees
 * every org through row security, so only the owner may copy.
 *
 * Import: one transaction of the owner, which locks the schema's tables
 * against every other writer, refuses a database that holds any row, and
 * disables the user triggers of invoices and audit until its end: the
 * rows arrive with their history written already (an invoice at version 5
 * with the five audit rows that made it), so the triggers must neither
 * audit them again nor give the audit rows new seqs, times and logins.
 * The triggers are enabled again before the commit (ALTER TABLE is
 * transactional: no other session ever sees them disabled, and a failure
 * rolls it back with the rows).  Then what the triggers would have kept is
 * derived from the rows: the totals recounted, each org's feed head at
 * its newest seq, and the audit and id sequences moved past the ids taken,
 * so the next write continues the history instead of colliding with it.
 * Rows go over as one prepared INSERT per batch of a kind, each column an
 * array parameter (COPY FROM is refused on tables with row security, and
 * a statement per row costs a policy check and a round trip each).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pgmore.h"

#define FETCH_ROWS "500"

/* "SELECT ... FROM t ORDER BY ..." (times as the audit writes them) or
 * "INSERT INTO t (...) SELECT * FROM unnest($1::bigint[], ...)" for kind,
 * from copy_tables: each parameter an array of one column's values, so a
 * batch of rows is one statement.  No value is spliced in. */
static void kind_sql(enum copy_kind kind, bool insert, char *buf, size_t len)
{
	const struct copy_table *t = &copy_tables[kind];
	size_t c, used;

	used = insert ? (size_t)snprintf(buf, len, "INSERT INTO %s (", t->table)
	              : (size_t)snprintf(buf, len, "SELECT ");
	for (c = 0; c < t->ncols && used < len; c++) {
		if (insert || t->col[c].type != 'T')
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			                         c ? ", " : "", t->col[c].name);
		else
			used += (size_t)snprintf(buf + used, len - used,
			                         "%sinved_time_text(%s)",
			                         c ? ", " : "", t->col[c].name);
	}
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
	used += (size_t)snprintf(buf + used, len - used,
	                         ") SELECT * FROM unnest(");
	for (c = 0; c < t->ncols && used < len; c++)
		used += (size_t)snprintf(buf + used, len - used, "%s$%zu::%s[]",
		                         c ? ", " : "", c + 1,
		                         t->col[c].type == 'i'   ? "bigint"
		                         : t->col[c].type == 'T' ? "timestamptz"
		                                                 : "text");
	if (used < len)
		snprintf(buf + used, len - used, "%s",
		         kind == COPY_META
		                 ? ") ON CONFLICT (key) DO UPDATE SET "
		                   "value = excluded.value"
		                 : ")");
}

/* INV_FORBIDDEN unless the connection's role owns the schema. */
static enum inv_rc need_owner(struct pg_store *st, bool reading,
                              struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc = pgm_run(st, "SELECT inved_is_owner()", 0, NULL, &r,
	                         err);
	bool owner;

	if (rc != INV_OK)
		return rc;
	owner = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	if (owner)
		return INV_OK;
	if (reading)
		return inv_err_set(err, INV_FORBIDDEN, "from",
			_("copying from database %s needs the role that owns "
			  "its schema (row security shows any other role only "
			  "its own orgs); connect as that role"),
			PQdb(pgstore_conn(st)));
	return inv_err_set(err, INV_FORBIDDEN, "to",
		_("copying into database %s needs the role that owns its "
		  "schema (row security shows any other role only its own "
		  "orgs); connect as that role"),
		PQdb(pgstore_conn(st)));
}

static enum inv_rc export_kind(struct pg_store *st, enum copy_kind kind,
                               copy_sink *sink, void *ctx,
                               struct inv_err *err)
{
	const struct copy_table *t = &copy_tables[kind];
	char sql[600], select[512];
	struct copy_record rec;
	enum inv_rc rc;
	int rows;

	kind_sql(kind, false, select, sizeof select);
	snprintf(sql, sizeof sql,
	         "DECLARE inved_copy NO SCROLL CURSOR FOR %s", select);
	rc = pgm_run(st, sql, 0, NULL, NULL, err);
	if (rc != INV_OK)
		return rc;
	memset(&rec, 0, sizeof rec);
	rec.kind = kind;
	do {
		PGresult *r = NULL;
		int row;
		size_t c;

		rc = pgm_run(st, "FETCH " FETCH_ROWS " FROM inved_copy", 0,
		             NULL, &r, err);
		if (rc != INV_OK)
			return rc;
		rows = PQntuples(r);
		for (row = 0; rc == INV_OK && row < rows; row++) {
			char *detail = NULL;

			for (c = 0; c < t->ncols; c++) {
				rec.v[c] = PQgetisnull(r, row, (int)c)
				                   ? NULL
				                   : PQgetvalue(r, row, (int)c);
				/* the detail as the SQLite backend writes it, so
				 * a copy reads the same on either side */
				if (kind == COPY_AUDIT && rec.v[c] && !detail &&
				    strcmp(t->col[c].name, "detail") == 0 &&
				    (detail = strdup(rec.v[c])) != NULL) {
					pgstore_detail_text(detail,
					                    strlen(detail) + 1);
					rec.v[c] = detail;
				}
			}
			rc = sink(ctx, &rec, err);
			free(detail);
		}
		PQclear(r);
	} while (rc == INV_OK && rows > 0);
	if (rc == INV_OK)
		rc = pgm_run(st, "CLOSE inved_copy", 0, NULL, NULL, err);
	return rc;
}

enum inv_rc pgstore_export_rows(struct pg_store *st, copy_sink *sink,
                                void *ctx, struct inv_err *err)
{
	enum inv_rc rc = pgm_run(st,
		"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL,
		NULL, err);
	int kind;

	if (rc == INV_OK)
		rc = need_owner(st, true, err);
	for (kind = 0; rc == INV_OK && kind < COPY__KINDS; kind++)
		rc = export_kind(st, (enum copy_kind)kind, sink, ctx, err);
	if (rc == INV_OK)
		rc = pgm_commit(st, err);
	else
		pgm_rollback(st);
	return rc;
}

/* ---- import ------------------------------------------------------------- */

struct pg_import {
	bool prepared[COPY__KINDS];
};

static void stmt_name(char buf[32], int kind)
{
	snprintf(buf, 32, "inved_copy_%d", kind);
}

static void import_close(struct pg_store *st, struct pg_import *im)
{
	int kind;

	if (!im)
		return;
	for (kind = 0; kind < COPY__KINDS; kind++) {
		char name[32], sql[64];

		if (!im->prepared[kind])
			continue;
		stmt_name(name, kind);
		snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
		PQclear(PQexec(pgstore_conn(st), sql));
	}
	free(im);
}

/* INV_CONFLICT unless the database holds no row a copy would write. */
static enum inv_rc import_empty(struct pg_store *st, struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc = pgm_run(st,
		"SELECT (SELECT count(*) FROM orgs), "
		"(SELECT count(*) FROM users), "
		"(SELECT count(*) FROM memberships), "
		"(SELECT count(*) FROM invoices), "
		"(SELECT count(*) FROM audit), "
		"(SELECT count(*) FROM requests), "
		"(SELECT count(*) FROM drafts)",
		0, NULL, &r, err);
	int64_t n[7] = {0};
	bool any = false;
	int i;

	if (rc != INV_OK)
		return rc;
	for (i = 0; i < 7 && PQntuples(r) == 1; i++) {
		n[i] = pgm_int(r, 0, i);
		any = any || n[i] != 0;
	}
	PQclear(r);
	if (any)
		return inv_err_set(err, INV_CONFLICT, "to",
			_("database %s is not empty (%" PRId64 " org(s), "
			  "%" PRId64 " user(s), %" PRId64 " invoice(s), "
			  "%" PRId64 " audit row(s)); a copy goes only into an empty "
			  "database — nothing was written"),
			PQdb(pgstore_conn(st)), n[0], n[1], n[3], n[4]);
	return INV_OK;
}

enum inv_rc pgstore_import_begin(struct pg_store *st, int busy_ms,
                                 void **state, struct inv_err *err)
{
	struct pg_import *im = calloc(1, sizeof *im);
	char ms[24];
	const char *params[1] = {ms};
	enum inv_rc rc;
	int kind;

	*state = NULL;
	if (!im)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	snprintf(ms, sizeof ms, "%d", busy_ms > 0 ? busy_ms
	                                          : STORE_BUSY_DEFAULT_MS);
	rc = pgm_run(st, "BEGIN", 0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pgm_run(st,
		             "SELECT set_config('lock_timeout', $1, true)", 1,
		             params, NULL, err);
	if (rc == INV_OK)
		rc = need_owner(st, false, err);
	if (rc == INV_OK)
		rc = pgm_run(st,
			"LOCK TABLE meta, orgs, users, memberships, invoices, "
			"audit, feed_heads, totals, requests, drafts "
			"IN EXCLUSIVE MODE",
			0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = import_empty(st, err);
	if (rc == INV_OK)
		rc = pgm_run(st, "ALTER TABLE invoices DISABLE TRIGGER USER", 0,
		             NULL, NULL, err);
	if (rc == INV_OK)
		rc = pgm_run(st, "ALTER TABLE audit DISABLE TRIGGER USER", 0,
		             NULL, NULL, err);
	for (kind = 0; rc == INV_OK && kind < COPY__KINDS; kind++) {
		char name[32], sql[512];
		PGresult *r;

		stmt_name(name, kind);
		kind_sql((enum copy_kind)kind, true, sql, sizeof sql);
		r = PQprepare(pgstore_conn(st), name, sql,
		              (int)copy_tables[kind].ncols, NULL);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			im->prepared[kind] = true;
		else
			rc = pgm_fail(st, r, err);
		PQclear(r);
	}
	if (rc != INV_OK) {
		pgm_rollback(st);
		import_close(st, im);
		return rc;
	}
	*state = im;
	return INV_OK;
}

/* A growing text. */
struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void text_put(struct text *t, const char *p, size_t n)
{
	if (t->failed)
		return;
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		char *s;

		while (cap < t->len + n + 1)
			cap *= 2;
		s = realloc(t->s, cap);
		if (!s) {
			t->failed = true;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

/* Column c of recs[0..n) as an array literal: {"v1","v2",NULL}, each
 * value quoted with \ before " and \. */
static void array_literal(struct text *t, const struct copy_record *recs,
                          size_t n, size_t c)
{
	size_t i;

	t->len = 0;
	text_put(t, "{", 1);
	for (i = 0; i < n; i++) {
		const char *v = recs[i].v[c], *p;

		if (i > 0)
			text_put(t, ",", 1);
		if (!v) {
			text_put(t, "NULL", 4);
			continue;
		}
		text_put(t, "\"", 1);
		for (p = v; *p; p++) {
			size_t run = strcspn(p, "\"\\");

			text_put(t, p, run);
			p += run;
			if (!*p)
				break;
			text_put(t, "\\", 1);
			text_put(t, p, 1);
		}
		text_put(t, "\"", 1);
	}
	text_put(t, "}", 1);
}

/* recs[0..n), all of one kind, as one INSERT. */
static enum inv_rc import_run(struct pg_store *st,
                              const struct copy_record *recs, size_t n,
                              struct inv_err *err)
{
	const struct copy_table *t = &copy_tables[recs[0].kind];
	struct text col[COPY_COLS_MAX];
	const char *params[COPY_COLS_MAX];
	enum inv_rc rc = INV_OK;
	char name[32];
	PGresult *r;
	size_t c;

	memset(col, 0, sizeof col);
	for (c = 0; c < t->ncols; c++) {
		array_literal(&col[c], recs, n, c);
		if (col[c].failed)
			rc = inv_err_set(err, INV_ERROR, "",
			                 _("out of memory"));
		params[c] = col[c].s;
	}
	if (rc == INV_OK) {
		stmt_name(name, (int)recs[0].kind);
		r = PQexecPrepared(pgstore_conn(st), name, (int)t->ncols,
		                   params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pgm_fail(st, r, err);
		PQclear(r);
	}
	for (c = 0; c < t->ncols; c++)
		free(col[c].s);
	return rc;
}

enum inv_rc pgstore_import_rows(struct pg_store *st, void *state,
                                const struct copy_record *recs, size_t n,
                                struct inv_err *err)
{
	enum inv_rc rc = INV_OK;
	size_t i = 0, j;

	(void)state;
	while (rc == INV_OK && i < n) {
		for (j = i + 1; j < n && recs[j].kind == recs[i].kind; j++)
			;
		rc = import_run(st, recs + i, j - i, err);
		i = j;
	}
	return rc;
}

/* The schema's owner sees every org through row security, so it is the
 * database's administrator and never a member (inved_member_add refuses
 * to make it one): a team whose users include the owner's login is
 * refused, outside a demo database, whose users are names only. */
static enum inv_rc owner_not_member(struct pg_store *st, struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc = pgm_run(st,
		"SELECT u.name FROM users u "
		"JOIN memberships m ON m.user_id = u.id "
		"WHERE u.name = inved_owner() "
		"AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'demo') "
		"LIMIT 1",
		0, NULL, &r, err);

	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) == 1)
		rc = inv_err_set(err, INV_FORBIDDEN, "to",
			_("the copy makes %s a member, but that role owns the "
			  "schema of database %s and sees every org; copy as a "
			  "role of its own (the database's administrator) — "
			  "nothing was written"),
			PQgetvalue(r, 0, 0), PQdb(pgstore_conn(st)));
	PQclear(r);
	return rc;
}

enum inv_rc pgstore_import_end(struct pg_store *st, void *state, bool commit,
                               struct inv_err *err)
{
	static const char *const finish[] = {
		"DELETE FROM totals",
		"INSERT INTO totals (org_id, currency, state, count, "
		"total_minor) SELECT org_id, currency, "
		"inved_state(archived_at, deleted_at), count(*), "
		"sum(total_minor) FROM invoices GROUP BY 1, 2, 3",
		"INSERT INTO feed_heads (org_id, seq) "
		"SELECT o.id, coalesce(max(a.seq), 0) FROM orgs o "
		"LEFT JOIN audit a ON a.org_id = o.id GROUP BY o.id "
		"ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq",
		"SELECT setval('audit_seq', max(seq)) FROM audit "
		"HAVING count(*) > 0",
		"SELECT setval(pg_get_serial_sequence('public.orgs', 'id'), "
		"max(id)) FROM orgs HAVING count(*) > 0",
		"SELECT setval(pg_get_serial_sequence('public.users', 'id'), "
		"max(id)) FROM users HAVING count(*) > 0",
		"SELECT setval(pg_get_serial_sequence('public.invoices', 'id'),"
		" max(id)) FROM invoices HAVING count(*) > 0",
		"ALTER TABLE invoices ENABLE TRIGGER USER",
		"ALTER TABLE audit ENABLE TRIGGER USER",
	};
	struct pg_import *im = state;
	enum inv_rc rc = INV_OK;
	size_t i;

	if (!commit || !im) {
		pgm_rollback(st);
		import_close(st, im);
		return INV_OK;
	}
	rc = owner_not_member(st, err);
	for (i = 0; rc == INV_OK && i < sizeof finish / sizeof finish[0]; i++)
		rc = pgm_run(st, finish[i], 0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pgm_commit(st, err);
	else
		pgm_rollback(st);
	import_close(st, im);
	return rc;
}
