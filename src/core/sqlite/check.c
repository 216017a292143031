/*
 * check.c - the integrity check behind `inved check`, its repair, and the
 * write guard that refuses to write to a file whose safeguards are gone.
 *
 * The expected schema is listed nowhere in C: it is the compiled-in
 * data/schema.sql, run into an in-memory database, whose sqlite_schema rows
 * (type, name, table, SQL) are compared with the file's, the SQL after
 * normalising whitespace, comments and letter case.  So the check follows
 * every change to schema.sql by itself.
 *
 * The write guard (sq_guard) runs that comparison inside the write
 * transaction, but only when PRAGMA schema_version moved since it last
 * passed (a screen stays open for hours while someone may run the sqlite3
 * shell); otherwise it costs one pragma.
 *
 * The check (sq_check_run) only reads, in one read transaction.  The
 * repair puts back schema objects and relinks the history chain of schema
 * 5 (derived from the audit like an index); the history and the totals it
 * reports and leaves as they are, because "fixing" them would erase the evidence of
 * what happened.  Since schema 3 the change feed is the audit itself, so it
 * cannot disagree with it (the view named changes and the index audit_org
 * it is read through are schema objects), and a writer names itself in the
 * audit row of its write: a claim no write filled is history damage.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "sqlite_store.h"

/* The audit rows of invoices: the org's own rows (org.create, member.*,
 * subject 0, no feed row) are not an invoice's history. */
#define CHECK_INVOICE_ROWS(t) \
	"NOT (" t "subject_id = 0 AND (" t "action = 'org.create' OR " \
	"substr(" t "action, 1, 7) = 'member.'))"

extern const char inved_schema_sql[];

/* ---- schema objects ------------------------------------------------------ */

struct schema_obj {
	char *type, *name, *tbl;
	char *sql;  /* as stored: what the repair runs */
	char *norm; /* normalised: what is compared */
	bool matched;
};

struct schema_set {
	struct schema_obj *o;
	size_t n;
};

/* Every object a person or a program made; SQLite's own (sqlite_stat1,
 * autoindexes) follow from the rest. */
static const char schema_query[] =
	"SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema "
	"WHERE type IN ('table', 'index', 'trigger', 'view') "
	"AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid";

static bool ident_char(int c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* The SQL with comments dropped, whitespace kept only between two words,
 * and letters lower-cased outside quotes: two spellings of one statement
 * compare equal, a changed word, operator or literal does not. */
static char *sql_normalise(const char *in)
{
	char *out = malloc(strlen(in) + 1), *o = out;
	bool space = false;
	int prev = 0;

	if (!out)
		return NULL;
	while (*in) {
		int c = (unsigned char)*in;

		if (c == '-' && in[1] == '-') {
			while (*in && *in != '\n')
				in++;
			space = true;
			continue;
		}
		if (c == '/' && in[1] == '*') {
			in += 2;
			while (*in && !(in[0] == '*' && in[1] == '/'))
				in++;
			in += *in ? 2 : 0;
			space = true;
			continue;
		}
		if (isspace(c)) {
			in++;
			space = true;
			continue;
		}
		if (space && o > out &&
		    ((ident_char(prev) && ident_char(c)) ||
		     (prev == '-' && c == '-') || (prev == '/' && c == '*')))
			*o++ = ' ';
		space = false;
		if (c == '\'' || c == '"' || c == '`' || c == '[') {
			char close = c == '[' ? ']' : (char)c;

			*o++ = *in++;
			while (*in) {
				if (*in == close && close != ']' && in[1] == close) {
					*o++ = *in++;
					*o++ = *in++;
					continue;
				}
				if (*in == close)
					break;
				*o++ = *in++;
			}
			if (*in)
				*o++ = *in++;
			prev = close;
			continue;
		}
		*o++ = (char)(c < 0x80 ? tolower(c) : c);
		prev = c;
		in++;
	}
	while (o > out && o[-1] == ';')
		o--;
	*o = '\0';
	return out;
}

static void schema_free(struct schema_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->o[i].type);
		free(set->o[i].name);
		free(set->o[i].tbl);
		free(set->o[i].sql);
		free(set->o[i].norm);
	}
	free(set->o);
	set->o = NULL;
	set->n = 0;
}

static char *dup_col(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	return strdup(t ? (const char *)t : "");
}

/* The objects of db; an SQLite result code. */
static int schema_load(sqlite3 *db, struct schema_set *out)
{
	sqlite3_stmt *s = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof *out);
	rc = sqlite3_prepare_v2(db, schema_query, -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct schema_obj *o;

		if (out->n == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			void *p = realloc(out->o, ncap * sizeof *out->o);

			if (!p) {
				rc = SQLITE_NOMEM;
				break;
			}
			out->o = p;
			cap = ncap;
		}
		o = &out->o[out->n++];
		memset(o, 0, sizeof *o);
		o->type = dup_col(s, 0);
		o->name = dup_col(s, 1);
		o->tbl = dup_col(s, 2);
		o->sql = dup_col(s, 3);
		o->norm = o->sql ? sql_normalise(o->sql) : NULL;
		if (!o->type || !o->name || !o->tbl || !o->sql || !o->norm) {
			rc = SQLITE_NOMEM;
			break;
		}
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK)
		schema_free(out);
	return rc;
}

/* What this version installs: the compiled-in schema, run into a private
 * in-memory database. */
static enum inv_rc schema_expected(struct sq_store *st, struct schema_set *out,
                                   struct inv_err *err)
{
	sqlite3 *mem = NULL;
	int rc = sqlite3_open(":memory:", &mem);

	memset(out, 0, sizeof *out);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(mem, inved_schema_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = schema_load(mem, out);
	sqlite3_close(mem);
	if (rc != SQLITE_OK)
		return inv_err_set(err, INV_ERROR, "",
			_("cannot build the expected schema to check %s against "
			  "(%s)"),
			st->path, sqlite3_errstr(rc));
	return INV_OK;
}

static enum inv_rc schema_actual(struct sq_store *st, struct schema_set *out,
                                 struct inv_err *err)
{
	int rc = schema_load(st->db, out);

	if (rc != SQLITE_OK)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

static struct schema_obj *schema_find(struct schema_set *set,
                                      const struct schema_obj *like)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->o[i].type, like->type) == 0 &&
		    strcasecmp(set->o[i].name, like->name) == 0)
			return &set->o[i];
	return NULL;
}

/* Whether an object the file has beyond the wanted ones touches the
 * wanted tables: an index or trigger on one of them.  Someone's own table,
 * and the indexes, triggers and views that belong to it, cannot change what
 * a write to the invoices does (every write there is seen by the triggers
 * checked here), so they are left alone: a file may keep a scratch table of
 * its own, or the benchmark's yardstick tables. */
static bool schema_on_ours(struct schema_set *want, const struct schema_obj *o)
{
	size_t i;

	if (strcmp(o->type, "index") != 0 && strcmp(o->type, "trigger") != 0)
		return false;
	for (i = 0; i < want->n; i++)
		if (strcmp(want->o[i].type, "table") == 0 &&
		    strcasecmp(want->o[i].name, o->tbl) == 0)
			return true;
	return false;
}

/* One difference between the wanted and the present schema.  o is the
 * wanted object for MISSING and ALTERED, the present one for EXTRA. */
typedef bool (*schema_diff_fn)(void *ctx, enum check_kind kind,
                               const struct schema_obj *o);

/* Calls fn for each difference, in the wanted schema's order (so tables
 * come before their indexes and triggers), then the extras; stops when fn
 * returns false. */
static void schema_diff(struct schema_set *want, struct schema_set *have,
                        schema_diff_fn fn, void *ctx)
{
	size_t i;

	for (i = 0; i < have->n; i++)
		have->o[i].matched = false;
	for (i = 0; i < want->n; i++) {
		struct schema_obj *w = &want->o[i], *h = schema_find(have, w);
		bool go = true;

		if (!h)
			go = fn(ctx, CHECK_SCHEMA_MISSING, w);
		else {
			h->matched = true;
			if (strcasecmp(w->tbl, h->tbl) != 0 ||
			    strcmp(w->norm, h->norm) != 0)
				go = fn(ctx, CHECK_SCHEMA_ALTERED, w);
		}
		if (!go)
			return;
	}
	for (i = 0; i < have->n; i++)
		if (!have->o[i].matched && schema_on_ours(want, &have->o[i]) &&
		    !fn(ctx, CHECK_SCHEMA_EXTRA, &have->o[i]))
			return;
}

/* The finding's sentence for a schema difference. */
static void schema_diff_text(enum check_kind kind, const struct schema_obj *o,
                             char *buf, size_t len)
{
	if (kind == CHECK_SCHEMA_MISSING)
		snprintf(buf, len, _("the %s %s is missing"), o->type, o->name);
	else if (kind == CHECK_SCHEMA_ALTERED)
		snprintf(buf, len,
		         _("the %s %s differs from the one this version installs"),
		         o->type, o->name);
	else
		snprintf(buf, len,
		         _("the %s %s on %s is not part of this version's schema"),
		         o->type, o->name, o->tbl);
}

/* ---- the write guard ----------------------------------------------------- */

struct guard_ctx {
	bool bad;
	char what[256];
};

static bool guard_diff(void *ctx, enum check_kind kind,
                       const struct schema_obj *o)
{
	struct guard_ctx *g = ctx;

	g->bad = true;
	schema_diff_text(kind, o, g->what, sizeof g->what);
	return false;
}

static enum inv_rc guard_schema_version(struct sq_store *st, int64_t *out,
                                        struct inv_err *err)
{
	int rc;

	if (!st->guard_stmt) {
		rc = sqlite3_prepare_v3(st->db, "PRAGMA schema_version", -1,
		                        SQLITE_PREPARE_PERSISTENT, &st->guard_stmt,
		                        NULL);
		if (rc != SQLITE_OK)
			return sq_sqlite_err(st, rc, err);
	}
	rc = sqlite3_step(st->guard_stmt);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st->guard_stmt, 0) : 0;
	sqlite3_reset(st->guard_stmt);
	if (rc != SQLITE_ROW)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

static enum inv_rc guard_refuse(struct sq_store *st, const char *what,
                                struct inv_err *err)
{
	/* The point first: a screen shows the start of a long message. */
	return inv_err_set(err, INV_DAMAGED, "schema",
		_("write refused — run `inved check`: %s in %s (an admin can put "
		  "it right with `inved check --repair`)"),
		what, st->path);
}

/* The full verification: the schema. */
static enum inv_rc guard_verify(struct sq_store *st, struct inv_err *err)
{
	struct schema_set want, have;
	struct guard_ctx g;
	enum inv_rc rc;

	memset(&g, 0, sizeof g);
	rc = schema_expected(st, &want, err);
	if (rc != INV_OK)
		return rc;
	rc = schema_actual(st, &have, err);
	if (rc != INV_OK) {
		schema_free(&want);
		return rc;
	}
	schema_diff(&want, &have, guard_diff, &g);
	schema_free(&want);
	schema_free(&have);
	if (g.bad)
		return guard_refuse(st, g.what, err);
	return INV_OK;
}

enum inv_rc sq_guard(struct sq_store *st, struct inv_err *err)
{
	int64_t version = 0;
	enum inv_rc rc = guard_schema_version(st, &version, err);

	if (rc != INV_OK)
		return rc;
	if (st->guard_ok && version == st->guard_schema_version)
		return INV_OK;
	st->guard_ok = false;
	rc = guard_verify(st, err);
	if (rc == INV_OK) {
		st->guard_ok = true;
		st->guard_schema_version = version;
	}
	return rc;
}

enum inv_rc sq_guard_row(struct sq_store *st, const struct invoice *cur,
                         struct inv_err *err)
{
	int64_t tip = 0;
	bool purged = false;
	int rc;

	if (!st->guard_tip_stmt) {
		rc = sqlite3_prepare_v3(st->db,
			/* the invoice's newest audit row, by its chain
			 * (schema 5): the invoice's audit_tip, looked up by
			 * seq.  A claim no write filled is not on the chain;
			 * it is for the check to report. */
			"SELECT a.to_version, a.action = 'invoice.purge' "
			"FROM invoices i JOIN audit a ON a.seq = i.audit_tip "
			"WHERE i.id = ?1 AND a.subject_id = ?1 "
			"AND a.detail <> ''", -1,
			SQLITE_PREPARE_PERSISTENT, &st->guard_tip_stmt, NULL);
		if (rc != SQLITE_OK)
			return sq_sqlite_err(st, rc, err);
	}
	sqlite3_bind_int64(st->guard_tip_stmt, 1, cur->id);
	rc = sqlite3_step(st->guard_tip_stmt);
	if (rc == SQLITE_ROW) {
		tip = sqlite3_column_int64(st->guard_tip_stmt, 0);
		purged = sqlite3_column_int(st->guard_tip_stmt, 1) != 0;
		rc = SQLITE_DONE;
	}
	sqlite3_reset(st->guard_tip_stmt);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return rule_history_tip(cur, tip, purged, err);
}

void sq_guard_release(struct sq_store *st)
{
	sqlite3_finalize(st->guard_tip_stmt);
	st->guard_tip_stmt = NULL;
	sqlite3_finalize(st->guard_stmt);
	st->guard_stmt = NULL;
	st->guard_ok = false;
}

/* ---- the check ----------------------------------------------------------- */

struct checker {
	struct sq_store *st;
	const struct identity *who;
	struct check_report *out;
};

__attribute__((format(printf, 5, 0)))
static void finding_fill(struct check_finding *f, enum check_kind kind,
                         bool repairable, const char *object,
                         const char *fmt, va_list ap)
{
	memset(f, 0, sizeof *f);
	f->kind = kind;
	f->repairable = repairable;
	snprintf(f->object, sizeof f->object, "%s", object);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
}

static void finding_add(struct checker *c, enum check_kind kind,
                        bool repairable, const char *object,
                        const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void finding_add(struct checker *c, enum check_kind kind,
                        bool repairable, const char *object,
                        const char *fmt, ...)
{
	va_list ap;

	if (c->out->n >= CHECK_FINDINGS_MAX) {
		c->out->more++;
		return;
	}
	va_start(ap, fmt);
	finding_fill(&c->out->f[c->out->n++], kind, repairable, object, fmt,
	             ap);
	va_end(ap);
}

static void repaired_add(struct check_report *out, enum check_kind kind,
                         const char *object, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void repaired_add(struct check_report *out, enum check_kind kind,
                         const char *object, const char *fmt, ...)
{
	va_list ap;

	if (out->nrepaired >= CHECK_FINDINGS_MAX)
		return;
	va_start(ap, fmt);
	finding_fill(&out->repaired[out->nrepaired++], kind, true, object, fmt,
	             ap);
	va_end(ap);
}

/* "invoice 3 (ACME-1003)"; an invoice of another org than the session's
 * is named by id only. */
static void invoice_label(const struct checker *c, int64_t org, int64_t id,
                          const char *number, char *buf, size_t len)
{
	if (number && *number && (!c->who || c->who->org_id == org))
		snprintf(buf, len, _("invoice %" PRId64 " (%s)"), id, number);
	else
		snprintf(buf, len, _("invoice %" PRId64), id);
}

/* A query of one section failed to run, most likely because a table or
 * column it reads is gone (a schema finding names that); said so, and the
 * section is skipped. */
static enum inv_rc section_failed(struct checker *c, enum check_kind kind,
                                  int rc, struct inv_err *err)
{
	int code = rc & 0xff;

	if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR ||
	    code == SQLITE_NOMEM || code == SQLITE_FULL || code == SQLITE_CORRUPT ||
	    code == SQLITE_NOTADB)
		return sq_sqlite_err(c->st, rc, err);
	finding_add(c, kind, false, check_kind_name(kind),
	            _("the %s check could not run: %s"), check_kind_name(kind),
	            sqlite3_errmsg(c->st->db));
	return INV_OK;
}

static enum inv_rc check_integrity(struct checker *c, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(c->st->db, "PRAGMA integrity_check(10)", -1,
	                            &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(s, 0);

		if (t && strcmp(t, "ok") != 0)
			finding_add(c, CHECK_INTEGRITY, false, "integrity_check",
			            _("SQLite's integrity check: %s"), t);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(c->st, rc, err);
	return INV_OK;
}

static bool check_diff(void *ctx, enum check_kind kind,
                       const struct schema_obj *o)
{
	struct checker *c = ctx;
	char object[128], text[256];
	/* Tables are neither dropped nor rebuilt: they hold data. */
	bool table = strcmp(o->type, "table") == 0;
	bool repairable = kind == CHECK_SCHEMA_MISSING || !table;

	snprintf(object, sizeof object, "%s %s", o->type, o->name);
	schema_diff_text(kind, o, text, sizeof text);
	finding_add(c, kind, repairable, object, "%s", text);
	return true;
}

static enum inv_rc check_schema(struct checker *c, struct inv_err *err)
{
	struct schema_set want, have;
	enum inv_rc rc = schema_expected(c->st, &want, err);

	if (rc != INV_OK)
		return rc;
	rc = schema_actual(c->st, &have, err);
	if (rc == INV_OK)
		schema_diff(&want, &have, check_diff, c);
	schema_free(&want);
	schema_free(&have);
	return rc;
}

/* ---- history: every invoice's audit chain -------------------------------- */

/* The fields the audit detail carries old and new values of. */
#define HIST_FIELDS 7
static const char *const hist_field[HIST_FIELDS] = {
	"number", "customer", "status", "total_minor", "currency",
	"archived_at", "deleted_at",
};
#define HIST_VALUE_MAX 1024

/* Where one invoice's walk through its audit rows stands.  Values are
 * SQL quote() texts, so 5, 5.0, '5' and NULL all differ. */
struct hist {
	int64_t subject;
	bool any;      /* a row was seen */
	bool reported; /* one history finding per invoice is enough */
	bool purged;   /* the last row removed the invoice */
	int64_t last_to, last_seq;
	/* the chain (schema 5): the row before in the walk (0: none), the
	 * invoice's audit_tip (0: NULL), one chain finding per invoice */
	int64_t chain_last, tip;
	bool chain_bad;
	char chain_msg[320]; /* reported at the end, when nothing worse is */
	bool known[HIST_FIELDS];
	char value[HIST_FIELDS][HIST_VALUE_MAX];
	/* the invoice as it is now */
	bool exists;
	int64_t org, version;
	char number[NUMBER_MAX_BYTES + 1];
	char current[HIST_FIELDS][HIST_VALUE_MAX];
	char label[96];
};

/* Columns: 0 subject, 1 seq, 2 audit org, 3 action, 4 from, 5 to,
 * 6 detail valid (2: empty, an unfilled claim), 7 invoice exists, 8 invoice org, 9 number, 10 version,
 * then per field: has, old, new, current; then the row's prev_seq and
 * the invoice's audit_tip. */
#define HIST_COL_FIELD 11
#define HIST_COL_PREV (HIST_COL_FIELD + 4 * HIST_FIELDS)
#define HIST_COL_TIP (HIST_COL_PREV + 1)
static char *hist_sql(void)
{
	size_t len = 1024 + HIST_FIELDS * 400, used;
	char *sql = malloc(len);
	int i;

	if (!sql)
		return NULL;
	used = (size_t)snprintf(sql, len,
		"SELECT a.subject_id, a.seq, a.org_id, a.action, a.from_version, "
		"a.to_version, CASE WHEN a.detail = '' THEN 2 "
		"ELSE json_valid(a.detail) END, i.id IS NOT NULL, i.org_id, "
		"i.number, i.version");
	for (i = 0; i < HIST_FIELDS; i++)
		used += (size_t)snprintf(sql + used, len - used,
			", CASE WHEN json_valid(a.detail) THEN "
			"json_type(a.detail, '$.%s') IS NOT NULL END"
			", CASE WHEN json_valid(a.detail) THEN "
			"quote(json_extract(a.detail, '$.%s.old')) END"
			", CASE WHEN json_valid(a.detail) THEN "
			"quote(json_extract(a.detail, '$.%s.new')) END"
			", quote(i.%s)",
			hist_field[i], hist_field[i], hist_field[i], hist_field[i]);
	snprintf(sql + used, len - used,
		", a.prev_seq, i.audit_tip"
		" FROM audit a LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE " CHECK_INVOICE_ROWS("a.")
		" ORDER BY a.subject_id, a.seq");
	return sql;
}

static void col_copy(char *dst, size_t len, sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

static void hist_report(struct checker *c, struct hist *h, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

static void hist_report(struct checker *c, struct hist *h, const char *fmt,
                        ...)
{
	char msg[320];
	va_list ap;

	if (h->reported)
		return;
	h->reported = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	finding_add(c, CHECK_HISTORY, false, h->label, "%s: %s", h->label, msg);
}

/* The chain of schema 5 is derived from the audit alone (each row linked
 * to the invoice's row before it, a creation to none, the invoice to its
 * newest), like an index: a wrong link is damage that the repair rebuilds
 * from the audit, with no evidence lost.  It is reported only for an
 * invoice whose history has no worse finding (a removed audit row breaks
 * the chain too, and the history finding names the cause). */
static void chain_report(struct hist *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void chain_report(struct hist *h, const char *fmt, ...)
{
	va_list ap;

	if (h->chain_bad)
		return;
	h->chain_bad = true;
	va_start(ap, fmt);
	vsnprintf(h->chain_msg, sizeof h->chain_msg, fmt, ap);
	va_end(ap);
}

/* The walk of one invoice ends: its history must lead to the row as it is
 * now (or to its removal, when it is gone). */
static void hist_judge(struct checker *c, struct hist *h);

static void hist_finish(struct checker *c, struct hist *h)
{
	if (h->exists && h->tip != h->chain_last)
		chain_report(h,
			_("the invoice names seq %" PRId64 " as its newest audit "
			  "row, but that is seq %" PRId64 " (a broken history "
			  "chain)"),
			h->tip, h->chain_last);
	hist_judge(c, h);
	if (h->chain_bad && !h->reported)
		finding_add(c, CHECK_HISTORY, true, h->label, "%s: %s",
		            h->label, h->chain_msg);
}

/* The history of the walk, against the invoice as it is now. */
static void hist_judge(struct checker *c, struct hist *h)
{
	int i;

	if (h->reported || !h->any)
		return;
	if (!h->exists) {
		if (!h->purged)
			hist_report(c, h,
				_("the invoice is gone, but its history (last seq "
				  "%" PRId64 ") does not record its removal"),
				h->last_seq);
		return;
	}
	if (h->purged) {
		hist_report(c, h,
			_("the invoice is there, but its history ends with its "
			  "removal (seq %" PRId64 ")"),
			h->last_seq);
		return;
	}
	if (h->last_to != h->version) {
		hist_report(c, h,
			_("the invoice is at version %" PRId64 " but its history ends "
			  "at version %" PRId64 " (seq %" PRId64 "): a change was "
			  "made without its audit row, or audit rows were removed"),
			h->version, h->last_to, h->last_seq);
		return;
	}
	for (i = 0; i < HIST_FIELDS; i++)
		if (h->known[i] && strcmp(h->value[i], h->current[i]) != 0) {
			hist_report(c, h,
				_("%s is %s, but its history's last value is %s: a "
				  "change was made without its audit row"),
				hist_field[i], h->current[i], h->value[i]);
			return;
		}
}

static void hist_start(struct checker *c, struct hist *h, sqlite3_stmt *s)
{
	int i;

	memset(h, 0, sizeof *h);
	h->subject = sqlite3_column_int64(s, 0);
	h->exists = sqlite3_column_int(s, 7) != 0;
	h->org = h->exists ? sqlite3_column_int64(s, 8)
	                   : sqlite3_column_int64(s, 2);
	col_copy(h->number, sizeof h->number, s, 9);
	h->version = sqlite3_column_int64(s, 10);
	for (i = 0; i < HIST_FIELDS; i++)
		col_copy(h->current[i], HIST_VALUE_MAX, s,
		         HIST_COL_FIELD + 4 * i + 3);
	invoice_label(c, h->org, h->subject, h->exists ? h->number : NULL,
	              h->label, sizeof h->label);
	h->tip = sqlite3_column_int64(s, HIST_COL_TIP);
}

static void hist_step(struct checker *c, struct hist *h, sqlite3_stmt *s)
{
	int64_t seq = sqlite3_column_int64(s, 1);
	const char *action = (const char *)sqlite3_column_text(s, 3);
	int64_t from = sqlite3_column_int64(s, 4), to = sqlite3_column_int64(s, 5);
	bool create = from == 0;
	int64_t prev = sqlite3_column_int64(s, HIST_COL_PREV);
	int i;

	if (prev != (create ? 0 : h->chain_last))
		chain_report(h,
			_("the audit row seq %" PRId64 " links to seq %" PRId64
			  " as the row before it, but that is seq %" PRId64
			  " (a broken history chain)"),
			seq, prev, create ? 0 : h->chain_last);
	h->chain_last = seq;
	if (h->reported)
		return;
	if (!h->any && !create)
		hist_report(c, h,
			_("its history starts at version %" PRId64 " (seq %" PRId64
			  "), not at its creation: earlier audit rows are missing"),
			from, seq);
	else if (h->any && h->purged && !create)
		hist_report(c, h,
			_("its history goes on after its removal at version %" PRId64
			  " (seq %" PRId64 ")"),
			from, seq);
	else if (h->any && !h->purged && from != h->last_to)
		hist_report(c, h,
			_("its history jumps from version %" PRId64 " (seq %" PRId64
			  ") to version %" PRId64 " (seq %" PRId64 "): audit rows "
			  "are missing"),
			h->last_to, h->last_seq, from, seq);
	else if (to <= from)
		hist_report(c, h,
			_("the audit row seq %" PRId64 " goes from version %" PRId64
			  " to version %" PRId64),
			seq, from, to);
	else if (sqlite3_column_int(s, 6) == 2)
		hist_report(c, h,
			_("the audit row seq %" PRId64 " names the writer of a "
			  "change that was never made (a claim no write filled)"),
			seq);
	else if (sqlite3_column_int(s, 6) == 0)
		hist_report(c, h,
			_("the audit row seq %" PRId64 " holds no valid detail"), seq);
	if (h->reported)
		return;
	if (create)
		memset(h->known, 0, sizeof h->known);
	for (i = 0; i < HIST_FIELDS; i++) {
		int col = HIST_COL_FIELD + 4 * i;
		char old[HIST_VALUE_MAX];

		if (sqlite3_column_int(s, col) == 0)
			continue;
		col_copy(old, sizeof old, s, col + 1);
		if (!create && h->known[i] && strcmp(old, h->value[i]) != 0) {
			hist_report(c, h,
				_("the audit row seq %" PRId64 " says %s was %s, but the "
				  "history before it left %s"),
				seq, hist_field[i], old, h->value[i]);
			return;
		}
		col_copy(h->value[i], HIST_VALUE_MAX, s, col + 2);
		h->known[i] = true;
	}
	h->any = true;
	h->last_to = to;
	h->last_seq = seq;
	h->purged = action && strcmp(action, "invoice.purge") == 0;
}

static enum inv_rc check_history(struct checker *c, struct inv_err *err)
{
	char *sql = hist_sql();
	struct hist *h = calloc(1, sizeof *h);
	sqlite3_stmt *s = NULL;
	bool started = false;
	int rc;

	if (!sql || !h) {
		free(sql);
		free(h);
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	}
	rc = sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL);
	free(sql);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!started || sqlite3_column_int64(s, 0) != h->subject) {
			if (started)
				hist_finish(c, h);
			hist_start(c, h, s);
			started = true;
		}
		hist_step(c, h, s);
		rc = SQLITE_OK;
	}
	if (rc == SQLITE_DONE && started)
		hist_finish(c, h);
	sqlite3_finalize(s);
	free(h);
	if (rc != SQLITE_DONE)
		return section_failed(c, CHECK_HISTORY, rc, err);

	/* Invoices with no audit row at all (the subjects gathered once:
	 * the audit has no index by subject since schema 5). */
	rc = sqlite3_prepare_v2(c->st->db,
		"SELECT i.id, i.org_id, i.number FROM invoices i LEFT JOIN "
		"(SELECT DISTINCT subject_id FROM audit) a "
		"ON a.subject_id = i.id WHERE a.subject_id IS NULL "
		"ORDER BY i.id", -1, &s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		char label[96];

		invoice_label(c, sqlite3_column_int64(s, 1),
		              sqlite3_column_int64(s, 0),
		              (const char *)sqlite3_column_text(s, 2), label,
		              sizeof label);
		finding_add(c, CHECK_HISTORY, false, label,
		            _("%s: the invoice has no audit history at all"), label);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return section_failed(c, CHECK_HISTORY, rc, err);
	return INV_OK;
}

/* ---- the totals, the types ---------------------------------------------- */

/* The recount sums the high and low 32 bits of each total apart, so it
 * cannot overflow even where the kept sum did (SQLite's sum() would stop
 * with an error there). */
static enum inv_rc check_totals(struct checker *c, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(c->st->db,
		"WITH r AS (SELECT org_id, currency, "
		"  CASE WHEN deleted_at IS NOT NULL THEN 'deleted' "
		"       WHEN archived_at IS NOT NULL THEN 'archived' "
		"       ELSE 'active' END AS state, count(*) AS n, "
		"  sum(total_minor >> 32) AS hi, "
		"  sum(total_minor & 4294967295) AS lo "
		"  FROM invoices GROUP BY 1, 2, 3) "
		"SELECT coalesce(k.org_id, r.org_id), "
		"  coalesce(k.currency, r.currency), coalesce(k.state, r.state), "
		"  coalesce(k.count, 0), coalesce(k.total_minor, 0), "
		"  coalesce(r.n, 0), coalesce(r.hi, 0), coalesce(r.lo, 0), "
		"  (SELECT name FROM orgs WHERE id = coalesce(k.org_id, r.org_id)) "
		"FROM totals k FULL JOIN r ON k.org_id = r.org_id "
		"  AND k.currency = r.currency AND k.state = r.state "
		"ORDER BY 1, 2, 3",
		-1, &s, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t kept_n = sqlite3_column_int64(s, 3);
		int64_t kept = sqlite3_column_int64(s, 4);
		int64_t n = sqlite3_column_int64(s, 5);
		int64_t hi = sqlite3_column_int64(s, 6);
		int64_t lo = sqlite3_column_int64(s, 7);
		int64_t org = sqlite3_column_int64(s, 0);
		char object[128], recount[48];
		const char *name = (const char *)sqlite3_column_text(s, 8);

		rc = SQLITE_OK;
		hi += lo >> 32;
		lo &= 0xffffffff;
		if (kept_n == n && (kept >> 32) == hi && (kept & 0xffffffff) == lo)
			continue;
		if (hi >= INT32_MIN && hi <= INT32_MAX)
			snprintf(recount, sizeof recount, "%" PRId64,
			         (int64_t)((uint64_t)hi << 32 | (uint64_t)lo));
		else
			snprintf(recount, sizeof recount, "%s",
			         _("more than 64 bits hold"));
		snprintf(object, sizeof object, "totals %s %s %s",
		         name && (!c->who || c->who->org_id == org)
		                 ? name
		                 : "-",
		         (const char *)sqlite3_column_text(s, 1),
		         (const char *)sqlite3_column_text(s, 2));
		finding_add(c, CHECK_TOTALS, false, object,
			_("%s: the kept totals say %" PRId64 " invoice(s) worth %"
			  PRId64 ", a recount gives %" PRId64 " worth %s"),
			object, kept_n, kept, n, recount);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return section_failed(c, CHECK_TOTALS, rc, err);
	return INV_OK;
}

/* Money and counts are integers (SPEC 2: never a float); the columns are
 * named here because their meaning, not the schema text, makes them so. */
static enum inv_rc check_types(struct checker *c, struct inv_err *err)
{
	static const char *const cols[][2] = {
		{"invoices", "total_minor"},
		{"invoices", "version"},
		{"totals", "total_minor"},
		{"totals", "count"},
	};
	size_t i;

	for (i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		char sql[160], object[64];
		sqlite3_stmt *s = NULL;
		int rc;

		snprintf(sql, sizeof sql,
		         "SELECT count(*) FROM %s WHERE typeof(%s) != 'integer'",
		         cols[i][0], cols[i][1]);
		rc = sqlite3_prepare_v2(c->st->db, sql, -1, &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
			int64_t n = sqlite3_column_int64(s, 0);

			snprintf(object, sizeof object, "%s.%s", cols[i][0],
			         cols[i][1]);
			if (n > 0)
				finding_add(c, CHECK_TYPE, false, object,
					_("%s holds %" PRId64 " value(s) that are not "
					  "whole numbers"),
					object, n);
			rc = SQLITE_DONE;
		}
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			enum inv_rc r = section_failed(c, CHECK_TYPE, rc, err);

			if (r != INV_OK)
				return r;
		}
	}
	return INV_OK;
}

/* The sections in order; each returns INV_OK when it ran (findings or
 * not), an error only when the file could not be read. */
static enum inv_rc check_all(struct checker *c, struct inv_err *err)
{
	enum inv_rc (*const section[])(struct checker *, struct inv_err *) = {
		check_integrity, check_schema, check_history,
		check_totals, check_types,
	};
	enum inv_rc rc = INV_OK;
	size_t i;
	int src;

	/* One read transaction: every section sees the same snapshot, and a
	 * write in flight elsewhere is not seen half done. */
	src = sqlite3_exec(c->st->db, "BEGIN", NULL, NULL, NULL);
	if (src != SQLITE_OK)
		return sq_sqlite_err(c->st, src, err);
	for (i = 0; rc == INV_OK && i < sizeof section / sizeof section[0]; i++)
		rc = section[i](c, err);
	sqlite3_exec(c->st->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}

enum inv_rc sq_check_run(struct sq_store *st, const struct identity *who,
                         struct check_report *out, struct inv_err *err)
{
	struct checker c = {st, who, out};

	memset(out, 0, sizeof *out);
	return check_all(&c, err);
}

/* ---- the history chain (schema 5) ---------------------------------------- */

/* Every link of the chain from the audit itself, in one pass: a row
 * links to its invoice's row before it (a creation to none), an invoice
 * to its newest row.  Only links that differ are written.  The same rule
 * as the migration to schema 5 in data/schema.sql. */
static const char chain_rebuild_sql[] =
	"UPDATE audit SET prev_seq = c.p "
	"FROM (SELECT seq, CASE WHEN from_version = 0 THEN NULL "
	"ELSE lag(seq) OVER (PARTITION BY subject_id ORDER BY seq) END AS p "
	"FROM audit WHERE " CHECK_INVOICE_ROWS("") ") AS c "
	"WHERE c.seq = audit.seq AND audit.prev_seq IS NOT c.p; "
	"UPDATE invoices SET audit_tip = t.m "
	"FROM (SELECT i.id, a.m FROM invoices i LEFT JOIN "
	"(SELECT subject_id, max(seq) AS m FROM audit "
	"WHERE " CHECK_INVOICE_ROWS("") " GROUP BY subject_id) a "
	"ON a.subject_id = i.id) AS t "
	"WHERE t.id = invoices.id AND invoices.audit_tip IS NOT t.m";

/* The guards that refuse those writes to everyone else (the audit is
 * append-only; audit_tip moves only with a claim) are set aside for the
 * rebuild, inside the caller's write transaction, and put back from the
 * SQL the file held: no other connection sees the file without them. */
static const char *const chain_guards[] = {
	"audit_before_update", "invoices_after_update",
};

int sq_chain_rebuild(struct sq_store *st, int64_t *changed)
{
	char *kept[sizeof chain_guards / sizeof chain_guards[0]] = {NULL};
	const size_t nguards = sizeof kept / sizeof kept[0];
	sqlite3_int64 before;
	sqlite3_stmt *s = NULL;
	size_t i;
	int rc;

	*changed = 0;
	rc = sqlite3_prepare_v2(st->db,
		"SELECT sql FROM sqlite_schema WHERE type = 'trigger' "
		"AND name = ?1", -1, &s, NULL);
	for (i = 0; rc == SQLITE_OK && i < nguards; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, chain_guards[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(s, 0);

			kept[i] = sqlite3_mprintf("%s", t ? (const char *)t : "");
			rc = kept[i] ? SQLITE_OK : SQLITE_NOMEM;
		} else if (rc == SQLITE_DONE) {
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	for (i = 0; rc == SQLITE_OK && i < nguards; i++) {
		char *drop;

		if (!kept[i])
			continue;
		drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", chain_guards[i]);
		rc = drop ? sqlite3_exec(st->db, drop, NULL, NULL, NULL)
		          : SQLITE_NOMEM;
		sqlite3_free(drop);
	}
	before = sqlite3_total_changes64(st->db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, chain_rebuild_sql, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		*changed = sqlite3_total_changes64(st->db) - before;
	for (i = 0; i < nguards; i++) {
		if (rc == SQLITE_OK && kept[i])
			rc = sqlite3_exec(st->db, kept[i], NULL, NULL, NULL);
		sqlite3_free(kept[i]);
	}
	return rc;
}

/* ---- the repair ---------------------------------------------------------- */

struct repair_step {
	enum check_kind kind;
	const struct schema_obj *o;
};

struct repair_plan {
	struct repair_step *step;
	size_t n, cap;
	bool nomem;
};

static bool plan_diff(void *ctx, enum check_kind kind,
                      const struct schema_obj *o)
{
	struct repair_plan *p = ctx;

	if (strcmp(o->type, "table") == 0 && kind != CHECK_SCHEMA_MISSING)
		return true; /* reported by the check, not touched */
	if (p->n == p->cap) {
		size_t ncap = p->cap ? 2 * p->cap : 16;
		void *q = realloc(p->step, ncap * sizeof *p->step);

		if (!q) {
			p->nomem = true;
			return false;
		}
		p->step = q;
		p->cap = ncap;
	}
	p->step[p->n].kind = kind;
	p->step[p->n].o = o;
	p->n++;
	return true;
}

static const char *drop_keyword(const char *type)
{
	if (strcmp(type, "trigger") == 0)
		return "TRIGGER";
	if (strcmp(type, "index") == 0)
		return "INDEX";
	return "VIEW";
}

static int repair_drop(struct sq_store *st, const struct schema_obj *o)
{
	/* The name comes from the file: quoted with %w, never pasted. */
	char *sql = sqlite3_mprintf("DROP %s IF EXISTS \"%w\"",
	                            drop_keyword(o->type), o->name);
	int rc;

	if (!sql)
		return SQLITE_NOMEM;
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	return rc;
}

/* Drops first (an extra object may hold a name this version needs), then
 * the wanted objects in the schema's own order. */
static int repair_schema(struct sq_store *st, struct repair_plan *p,
                         struct check_report *out)
{
	char object[128];
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; rc == SQLITE_OK && i < p->n; i++) {
		const struct schema_obj *o = p->step[i].o;

		if (p->step[i].kind == CHECK_SCHEMA_MISSING)
			continue;
		rc = repair_drop(st, o);
		snprintf(object, sizeof object, "%s %s", o->type, o->name);
		if (rc == SQLITE_OK && p->step[i].kind == CHECK_SCHEMA_EXTRA)
			repaired_add(out, CHECK_SCHEMA_EXTRA, object,
				_("dropped the %s %s on %s, which this version does not "
				  "install"),
				o->type, o->name, o->tbl);
	}
	for (i = 0; rc == SQLITE_OK && i < p->n; i++) {
		const struct schema_obj *o = p->step[i].o;

		if (p->step[i].kind == CHECK_SCHEMA_EXTRA)
			continue;
		rc = sqlite3_exec(st->db, o->sql, NULL, NULL, NULL);
		snprintf(object, sizeof object, "%s %s", o->type, o->name);
		if (rc == SQLITE_OK)
			repaired_add(out, p->step[i].kind, object,
				p->step[i].kind == CHECK_SCHEMA_MISSING
					? _("recreated the missing %s %s")
					: _("reinstalled the %s %s as this version "
					    "installs it"),
				o->type, o->name);
	}
	return rc;
}

enum inv_rc sq_check_repair(struct sq_store *st, const struct identity *who,
                            struct check_report *out, struct inv_err *err)
{
	struct schema_set want, have;
	struct repair_plan plan;
	struct check_report *done;
	enum inv_rc rc;
	int src;

	memset(out, 0, sizeof *out);
	if (!who || !identity_at_least(who, ROLE_ADMIN))
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("repairing the database needs the admin role; %s is a "
			  "member of %s"),
			who ? who->user : "?", who ? who->org : "?");
	done = calloc(1, sizeof *done);
	if (!done)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	memset(&plan, 0, sizeof plan);
	memset(&have, 0, sizeof have);
	rc = schema_expected(st, &want, err);
	if (rc != INV_OK) {
		free(done);
		return rc;
	}
	/* One transaction: the repair happens whole or not at all, and no
	 * writer slips in between the comparison and the fix. */
	rc = sq_tx_begin_unguarded(st, err);
	if (rc == INV_OK)
		rc = schema_actual(st, &have, err);
	if (rc == INV_OK) {
		schema_diff(&want, &have, plan_diff, &plan);
		int64_t relinked = 0;

		src = plan.nomem ? SQLITE_NOMEM : repair_schema(st, &plan, done);
		/* the history chain, rebuilt from the audit (the schema is
		 * as this version installs it by now) */
		if (src == SQLITE_OK)
			src = sq_chain_rebuild(st, &relinked);
		if (src == SQLITE_OK && relinked > 0)
			repaired_add(done, CHECK_HISTORY, "history chain",
				_("relinked %" PRId64 " row(s) of the history "
				  "chain from the audit"),
				relinked);
		if (src == SQLITE_OK)
			rc = sq_exec(st, SQL_COMMIT, err);
		else
			rc = sq_sqlite_err(st, src, err);
	}
	if (rc != INV_OK) {
		sq_tx_rollback(st);
		done->nrepaired = 0;
	}
	st->guard_ok = false;
	free(plan.step);
	schema_free(&want);
	schema_free(&have);
	if (rc == INV_OK)
		rc = sq_check_run(st, who, out, err);
	if (rc == INV_OK) {
		out->nrepaired = done->nrepaired;
		memcpy(out->repaired, done->repaired,
		       done->nrepaired * sizeof done->repaired[0]);
	}
	free(done);
	return rc;
}
