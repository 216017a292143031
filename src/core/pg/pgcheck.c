/*
 * pgcheck.c - `inved check` and `check --repair` on PostgreSQL.
 *
 * What the schema should be is read from the compiled-in
 * data/schema-pg.sql: its statements are split (dollar-quoted bodies and
 * comments respected) and each CREATE FUNCTION, CREATE TRIGGER, CREATE
 * INDEX, CREATE POLICY and ALTER TABLE ... FORCE ROW LEVEL SECURITY is an
 * expected object.  What it is comes from pg_catalog.  A function is
 * compared by its body (pg_proc.prosrc) with runs of white space made one
 * space; a trigger by the function it runs and whether it is enabled (a
 * client that owns the table can point it elsewhere or switch it off);
 * the other objects by name and table.  On the schema's own tables
 * a trigger, index (not one backing a constraint) or policy the file does
 * not install is extra: it could change or skip a write.
 *
 * The write guard (pgstore_guard_verify) is this comparison of the
 * schema, run by a connection before its first write and again whenever
 * the catalog's digest (PG_GUARD_DIGEST, taken in the same snapshot) is
 * no longer the one it verified: each write reads the digest in its own
 * round trip, after its UPDATE and before its COMMIT (pgstore.c).
 *
 * History and totals are read as the caller's role, so row security
 * narrows them to what it may see (a member sees no deleted invoice, and
 * its totals' deleted rows are then not compared).  The repair runs the
 * file's own statements for what is missing or altered, drops what is
 * extra, and never writes a row of history or of the totals.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pgmore.h"

extern const char inved_schema_pg_sql[];

enum obj_type { OBJ_FUNCTION, OBJ_TRIGGER, OBJ_INDEX, OBJ_POLICY, OBJ_FORCE,
                OBJ_TABLE, OBJ_REVOKE, OBJ__COUNT };

static const char *const obj_word[OBJ__COUNT] = {
	"function", "trigger", "index", "policy", "row security", "table", "",
};

struct obj {
	enum obj_type type;
	char name[64];
	char table[64];
	char *body; /* a function's normalised body */
	char *sql;  /* the statement that installs it */
	bool seen;
};

struct objs {
	struct obj *v;
	size_t n, cap;
};

static void objs_free(struct objs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].body);
		free(o->v[i].sql);
	}
	free(o->v);
	memset(o, 0, sizeof *o);
}

/* Runs of white space as one space, trimmed; malloc'd or NULL. */
static char *normalise(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t i, j = 0;
	bool space = false;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (isspace((unsigned char)s[i])) {
			space = j > 0;
			continue;
		}
		if (space)
			out[j++] = ' ';
		space = false;
		out[j++] = s[i];
	}
	out[j] = '\0';
	return out;
}

/* The word at *p (an identifier, lower case as the file writes them)
 * into buf; *p moves past it and the white space after. */
static void word(const char **p, char *buf, size_t len)
{
	size_t n = 0;

	while (**p && (isalnum((unsigned char)**p) || **p == '_')) {
		if (n + 1 < len)
			buf[n++] = **p;
		(*p)++;
	}
	buf[n] = '\0';
	while (isspace((unsigned char)**p))
		(*p)++;
}

static bool take(const char **p, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(*p, kw, n) != 0)
		return false;
	*p += n;
	while (isspace((unsigned char)**p))
		(*p)++;
	return true;
}

/* Classify one statement (comments removed, trimmed, NUL-terminated). */
static bool classify(const char *s, struct obj *o)
{
	const char *p = s;
	char skip[64];

	memset(o, 0, sizeof *o);
	if (take(&p, "CREATE FUNCTION") ||
	    take(&p, "CREATE OR REPLACE FUNCTION")) {
		const char *a, *b;

		o->type = OBJ_FUNCTION;
		word(&p, o->name, sizeof o->name);
		a = strstr(p, "$$");
		b = a ? strstr(a + 2, "$$") : NULL;
		if (!b)
			return false;
		o->body = normalise(a + 2, (size_t)(b - a - 2));
		return o->body != NULL;
	}
	if (take(&p, "CREATE TRIGGER")) {
		char fn[64];

		o->type = OBJ_TRIGGER;
		word(&p, o->name, sizeof o->name);
		p = strstr(p, " ON ");
		if (!p)
			return false;
		p += 4;
		word(&p, o->table, sizeof o->table);
		/* what the catalog says of it: the function it runs */
		p = strstr(p, "EXECUTE FUNCTION ");
		if (!p)
			return false;
		p += 17;
		word(&p, fn, sizeof fn);
		o->body = strdup(fn);
		return o->body != NULL;
	}
	if (take(&p, "CREATE INDEX") || take(&p, "CREATE UNIQUE INDEX")) {
		o->type = OBJ_INDEX;
		word(&p, o->name, sizeof o->name);
		if (!take(&p, "ON"))
			return false;
		word(&p, o->table, sizeof o->table);
		return true;
	}
	if (take(&p, "CREATE POLICY")) {
		o->type = OBJ_POLICY;
		word(&p, o->name, sizeof o->name);
		if (!take(&p, "ON"))
			return false;
		word(&p, o->table, sizeof o->table);
		return true;
	}
	if (take(&p, "CREATE TABLE") || take(&p, "CREATE UNLOGGED TABLE")) {
		o->type = OBJ_TABLE;
		word(&p, o->name, sizeof o->name);
		return true;
	}
	if (take(&p, "ALTER TABLE")) {
		word(&p, o->table, sizeof o->table);
		o->type = OBJ_FORCE;
		snprintf(o->name, sizeof o->name, "%s", o->table);
		return strcmp(p, "FORCE ROW LEVEL SECURITY") == 0;
	}
	if (take(&p, "REVOKE ALL ON FUNCTION")) {
		o->type = OBJ_REVOKE;
		word(&p, skip, sizeof skip);
		return true;
	}
	return false;
}

static bool objs_add(struct objs *o, struct obj *x, const char *sql,
                     size_t len)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 64;
		struct obj *v = realloc(o->v, cap * sizeof *v);

		if (!v)
			return false;
		o->v = v;
		o->cap = cap;
	}
	x->sql = malloc(len + 1);
	if (!x->sql)
		return false;
	memcpy(x->sql, sql, len);
	x->sql[len] = '\0';
	o->v[o->n++] = *x;
	return true;
}

/* The objects the compiled-in schema installs.  A later definition of a
 * function (CREATE OR REPLACE) replaces an earlier one. */
static bool schema_objects(struct objs *out)
{
	const char *s = inved_schema_pg_sql;
	char *stmt = malloc(strlen(s) + 1);
	bool ok = stmt != NULL;

	memset(out, 0, sizeof *out);
	while (ok && *s) {
		size_t n = 0;
		bool dollar = false, quote = false;
		struct obj o;

		/* copy one statement without its comments */
		for (; *s; s++) {
			if (!dollar && !quote && s[0] == '-' && s[1] == '-') {
				while (*s && *s != '\n')
					s++;
				if (!*s)
					break;
			}
			if (!quote && s[0] == '$' && s[1] == '$') {
				dollar = !dollar;
				stmt[n++] = *s++;
			} else if (!dollar && *s == '\'') {
				quote = !quote;
			} else if (!dollar && !quote && *s == ';') {
				s++;
				break;
			}
			stmt[n++] = *s;
		}
		while (n > 0 && isspace((unsigned char)stmt[n - 1]))
			n--;
		stmt[n] = '\0';
		{
			const char *t = stmt;
			size_t i;

			while (isspace((unsigned char)*t))
				t++;
			if (!*t || !classify(t, &o))
				continue;
			if (o.type == OBJ_FUNCTION)
				for (i = 0; i < out->n; i++)
					if (out->v[i].type == OBJ_FUNCTION &&
					    strcmp(out->v[i].name, o.name) == 0) {
						free(out->v[i].body);
						free(out->v[i].sql);
						out->v[i] = out->v[--out->n];
						break;
					}
			ok = objs_add(out, &o, t, strlen(t));
			if (!ok)
				free(o.body);
		}
	}
	free(stmt);
	if (!ok)
		objs_free(out);
	return ok;
}

/* ---- findings -------------------------------------------------------------- */

static void finding(struct check_report *out, enum check_kind kind,
                    bool repairable, const char *object, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void finding(struct check_report *out, enum check_kind kind,
                    bool repairable, const char *object, const char *fmt, ...)
{
	struct check_finding *f;
	va_list ap;

	if (out->n == CHECK_FINDINGS_MAX) {
		out->more++;
		return;
	}
	f = &out->f[out->n++];
	f->kind = kind;
	f->repairable = repairable;
	snprintf(f->object, sizeof f->object, "%s", object);
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
}

static struct obj *find(struct objs *o, enum obj_type type, const char *name,
                        const char *table)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->v[i].type == type && strcmp(o->v[i].name, name) == 0 &&
		    (!table || strcmp(o->v[i].table, table) == 0))
			return &o->v[i];
	return NULL;
}

static bool our_table(struct objs *o, const char *table)
{
	return find(o, OBJ_TABLE, table, NULL) != NULL;
}

/* What pg_catalog holds, one query per kind: type, name, table, body (a
 * trigger's: the function it runs, and " disabled" when switched off). */
static const char catalog_sql[] =
	"SELECT 0, p.proname, '', p.prosrc FROM pg_proc p "
	"JOIN pg_namespace n ON n.oid = p.pronamespace "
	"WHERE n.nspname = 'public' "
	"UNION ALL SELECT 1, t.tgname, c.relname, f.proname::text || "
	"CASE WHEN t.tgenabled IN ('D', 'R') THEN ' disabled' ELSE '' END "
	"FROM pg_trigger t JOIN pg_proc f ON f.oid = t.tgfoid "
	"JOIN pg_class c ON c.oid = t.tgrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE n.nspname = 'public' AND NOT t.tgisinternal "
	"UNION ALL SELECT 2, ic.relname, c.relname, '' FROM pg_index i "
	"JOIN pg_class ic ON ic.oid = i.indexrelid "
	"JOIN pg_class c ON c.oid = i.indrelid "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE n.nspname = 'public' AND NOT EXISTS (SELECT 1 FROM "
	"pg_constraint k WHERE k.conindid = i.indexrelid) "
	"UNION ALL SELECT 3, policyname, tablename, '' FROM pg_policies "
	"WHERE schemaname = 'public' "
	"UNION ALL SELECT 4, c.relname, c.relname, '' FROM pg_class c "
	"JOIN pg_namespace n ON n.oid = c.relnamespace "
	"WHERE n.nspname = 'public' AND c.relkind = 'r' "
	"AND c.relrowsecurity AND c.relforcerowsecurity";

static enum inv_rc check_schema(struct pg_store *st, struct objs *want,
                                struct check_report *out, struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc = pgm_run(st, catalog_sql, 0, NULL, &r, err);
	char what[128];
	size_t i;
	int row;

	if (rc != INV_OK)
		return rc;
	for (i = 0; i < want->n; i++)
		want->v[i].seen = false;
	for (row = 0; row < PQntuples(r); row++) {
		enum obj_type type = (enum obj_type)pgm_int(r, row, 0);
		char name[64], table[64];
		struct obj *o;

		pgm_copy(name, sizeof name, r, row, 1);
		pgm_copy(table, sizeof table, r, row, 2);
		o = find(want, type, name, type == OBJ_FUNCTION ? NULL : table);
		if (o) {
			o->seen = true;
			if (type == OBJ_FUNCTION) {
				const char *src = PQgetvalue(r, row, 3);
				char *body = normalise(src, strlen(src));

				if (body && strcmp(body, o->body) != 0) {
					snprintf(what, sizeof what, "function %s", name);
					finding(out, CHECK_SCHEMA_ALTERED, true, what,
						_("the %s %s differs from the one this "
						  "version installs"),
						obj_word[type], name);
				}
				free(body);
			} else if (type == OBJ_TRIGGER &&
			           strcmp(PQgetvalue(r, row, 3), o->body) != 0) {
				snprintf(what, sizeof what, "trigger %s", name);
				finding(out, CHECK_SCHEMA_ALTERED, true, what,
					_("the %s %s differs from the one this "
					  "version installs"),
					obj_word[type], name);
			}
			continue;
		}
		if (type == OBJ_FUNCTION || type == OBJ_FORCE ||
		    !our_table(want, table))
			continue;
		snprintf(what, sizeof what, "%s %s", obj_word[type], name);
		finding(out, CHECK_SCHEMA_EXTRA, true, what,
			_("the %s %s on %s is not part of this version's schema"),
			obj_word[type], name, table);
	}
	PQclear(r);
	for (i = 0; i < want->n; i++) {
		struct obj *o = &want->v[i];

		if (o->seen || o->type == OBJ_TABLE || o->type == OBJ_REVOKE)
			continue;
		snprintf(what, sizeof what, "%s %s", obj_word[o->type], o->name);
		if (o->type == OBJ_FORCE)
			finding(out, CHECK_SCHEMA_ALTERED, true, what,
				_("row security on %s is not enabled and forced: a "
				  "role could see other orgs' rows"),
				o->name);
		else
			finding(out, CHECK_SCHEMA_MISSING, true, what,
				_("the %s %s is missing"), obj_word[o->type],
				o->name);
	}
	return INV_OK;
}

/* ---- the write guard ------------------------------------------------------- */

void pgstore_guard_release(struct pg_guard *g)
{
	free(g->tables);
	free(g->funcs);
	memset(g, 0, sizeof *g);
}

/* The oids the digest is taken over and the digest, then the schema's
 * comparison, all in one snapshot. */
static enum inv_rc guard_read(struct pg_store *st, struct objs *want,
                              struct pg_guard *g, struct check_report *out,
                              struct inv_err *err)
{
	PGresult *r = NULL;
	const char *params[2];
	enum inv_rc rc;

	rc = pgm_run(st,
		"SELECT (SELECT coalesce(array_agg(c.oid ORDER BY c.oid), '{}') "
		"FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
		"AND c.relkind = 'r')::text, "
		"(SELECT coalesce(array_agg(p.oid ORDER BY p.oid), '{}') "
		"FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace)"
		"::text",
		0, NULL, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return inv_err_set(err, INV_ERROR, "", "%s",
		                   _("the catalog read returned no row"));
	}
	pgstore_guard_release(g);
	g->tables = strdup(PQgetvalue(r, 0, 0));
	g->funcs = strdup(PQgetvalue(r, 0, 1));
	PQclear(r);
	r = NULL;
	if (!g->tables || !g->funcs) {
		pgstore_guard_release(g);
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	}
	params[0] = g->tables;
	params[1] = g->funcs;
	rc = pgm_run(st, "SELECT " PG_GUARD_DIGEST("$1", "$2"), 2, params, &r,
	             err);
	if (rc == INV_OK && PQntuples(r) == 1)
		pgm_copy(g->digest, sizeof g->digest, r, 0, 0);
	else if (rc == INV_OK)
		rc = inv_err_set(err, INV_ERROR, "", "%s",
		                 _("the catalog read returned no row"));
	PQclear(r);
	if (rc == INV_OK)
		rc = check_schema(st, want, out, err);
	if (rc != INV_OK)
		pgstore_guard_release(g);
	return rc;
}

enum inv_rc pgstore_guard_verify(struct pg_store *st, struct pg_guard *g,
                                 bool batch, struct inv_err *err)
{
	struct check_report *out = calloc(1, sizeof *out);
	struct objs want;
	enum inv_rc rc = INV_OK;

	g->ok = false;
	if (!out || !schema_objects(&want)) {
		free(out);
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	}
	if (!batch)
		rc = pgm_run(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		             0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = guard_read(st, &want, g, out, err);
	if (!batch)
		pgm_rollback(st);
	objs_free(&want);
	if (rc == INV_OK && out->n > 0)
		/* The point first: a screen shows the start of a long
		 * message.  The words are the SQLite guard's. */
		rc = inv_err_set(err, INV_DAMAGED, "schema",
			_("write refused — run `inved check`: %s in %s (an admin "
			  "can put it right with `inved check --repair`)"),
			out->f[0].msg, pgstore_where(st));
	else if (rc == INV_OK)
		g->ok = true;
	free(out);
	return rc;
}

/* Every visible invoice's audit chain: from version 0, each change from
 * the version the one before it ended at, ending at the invoice's.  An
 * invoice of another org than who's (the database's owner sees them all)
 * is named by id only, as on SQLite. */
static enum inv_rc check_history(struct pg_store *st,
                                 const struct identity *who,
                                 struct check_report *out,
                                 struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc;
	char what[128];
	int row;

	rc = pgm_run(st,
		"WITH a AS (SELECT a.subject_id, a.seq, a.from_version, "
		"a.to_version, lag(a.to_version) OVER w AS prev, "
		"row_number() OVER w AS rn, "
		"last_value(a.to_version) OVER (PARTITION BY a.subject_id "
		"ORDER BY a.seq ROWS BETWEEN UNBOUNDED PRECEDING AND "
		"UNBOUNDED FOLLOWING) AS last "
		"FROM audit a JOIN invoices i ON i.id = a.subject_id "
		"AND i.org_id = a.org_id WHERE a.action LIKE 'invoice.%' "
		"WINDOW w AS (PARTITION BY a.subject_id ORDER BY a.seq)) "
		"SELECT i.id, i.number, i.version, a.seq, a.from_version, "
		"coalesce(a.prev, 0), a.last, i.org_id FROM invoices i LEFT JOIN a "
		"ON a.subject_id = i.id AND ((a.rn = 1 AND a.from_version <> 0) "
		"OR (a.rn > 1 AND a.from_version <> a.prev) "
		"OR (a.rn = 1 AND a.last <> i.version)) "
		"WHERE a.seq IS NOT NULL OR NOT EXISTS (SELECT 1 FROM audit x "
		"WHERE x.subject_id = i.id AND x.org_id = i.org_id "
		"AND x.action LIKE 'invoice.%') ORDER BY i.id, a.seq",
		0, NULL, &r, err);
	if (rc != INV_OK)
		return rc;
	for (row = 0; row < PQntuples(r); row++) {
		char number[64];
		int64_t id = pgm_int(r, row, 0), version = pgm_int(r, row, 2);
		int64_t seq = pgm_int(r, row, 3), from = pgm_int(r, row, 4);
		int64_t prev = pgm_int(r, row, 5), last = pgm_int(r, row, 6);

		pgm_copy(number, sizeof number, r, row, 1);
		if (!who || who->org_id == pgm_int(r, row, 7))
			snprintf(what, sizeof what, _("invoice %" PRId64 " (%s)"),
			         id, number);
		else
			snprintf(what, sizeof what, _("invoice %" PRId64), id);
		if (PQgetisnull(r, row, 3))
			finding(out, CHECK_HISTORY, false, what,
				_("%s: the invoice has no audit history at all"),
				what);
		else if (from != prev)
			finding(out, CHECK_HISTORY, false, what,
				_("%s: its history jumps from version %" PRId64
				  " to a change from version %" PRId64 " (seq %"
				  PRId64 ")"),
				what, prev, from, seq);
		else
			finding(out, CHECK_HISTORY, false, what,
				_("%s: the invoice is at version %" PRId64 " but "
				  "its history ends at version %" PRId64),
				what, version, last);
	}
	PQclear(r);
	return INV_OK;
}

/* The kept totals against a recount of the invoices the caller sees. */
static enum inv_rc check_totals(struct pg_store *st,
                                const struct identity *who,
                                struct check_report *out,
                                struct inv_err *err)
{
	char own[24];
	const char *params[2] = {
		who && identity_at_least(who, ROLE_ADMIN) ? "t" : "f", own};
	PGresult *r = NULL;
	enum inv_rc rc;
	int row;

	/* another org's totals are named "-", as on SQLite */
	snprintf(own, sizeof own, "%" PRId64, who ? who->org_id : 0);
	rc = pgm_run(st,
		"SELECT CASE WHEN $2::bigint = 0 OR o.id = $2 THEN o.name "
		"ELSE '-' END, coalesce(k.state, c.state), "
		"coalesce(k.currency, c.currency), coalesce(k.count, 0), "
		"coalesce(k.total_minor, 0), coalesce(c.count, 0), "
		"coalesce(c.total_minor, 0) FROM totals k FULL JOIN "
		"(SELECT org_id, currency, inved_state(archived_at, deleted_at) "
		"AS state, count(*) AS count, sum(total_minor) AS total_minor "
		"FROM invoices GROUP BY 1, 2, 3) c "
		"ON c.org_id = k.org_id AND c.currency = k.currency "
		"AND c.state = k.state "
		"JOIN orgs o ON o.id = coalesce(k.org_id, c.org_id) "
		"WHERE (coalesce(k.count, 0) <> coalesce(c.count, 0) "
		"OR coalesce(k.total_minor, 0) <> coalesce(c.total_minor, 0)) "
		"AND ($1::boolean OR coalesce(k.state, c.state) <> 'deleted') "
		"ORDER BY 1, 2, 3",
		2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	for (row = 0; row < PQntuples(r); row++) {
		char org[64], state[16], cur[8], what[128], recount[24];

		pgm_copy(org, sizeof org, r, row, 0);
		pgm_copy(state, sizeof state, r, row, 1);
		pgm_copy(cur, sizeof cur, r, row, 2);
		snprintf(what, sizeof what, "totals %s %s %s", org, state, cur);
		pgm_copy(recount, sizeof recount, r, row, 6);
		finding(out, CHECK_TOTALS, false, what,
			_("%s: the kept totals say %" PRId64 " invoice(s) worth %"
			  PRId64 ", a recount gives %" PRId64 " worth %s"),
			what, pgm_int(r, row, 3), pgm_int(r, row, 4),
			pgm_int(r, row, 5), recount);
	}
	PQclear(r);
	return INV_OK;
}

static enum inv_rc check_all(struct pg_store *st, const struct identity *who,
                             struct objs *want, struct check_report *out,
                             struct inv_err *err)
{
	enum inv_rc rc;

	out->n = 0;
	out->more = 0;
	/* one snapshot for all of it */
	rc = pgm_run(st, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0,
	             NULL, NULL, err);
	if (rc == INV_OK && who && pgstore_is_demo(st)) {
		const char *params[1] = {who->user};

		rc = pgm_run(st, "SELECT set_config('inved.actor', $1, true)", 1,
		             params, NULL, err);
	}
	if (rc == INV_OK)
		rc = check_schema(st, want, out, err);
	if (rc == INV_OK)
		rc = check_history(st, who, out, err);
	if (rc == INV_OK)
		rc = check_totals(st, who, out, err);
	pgm_rollback(st);
	return rc;
}

enum inv_rc pgstore_check_run(struct pg_store *st, const struct identity *who,
                              struct check_report *out, struct inv_err *err)
{
	struct objs want;
	enum inv_rc rc;

	memset(out, 0, sizeof *out);
	if (!schema_objects(&want))
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	rc = check_all(st, who, &want, out, err);
	objs_free(&want);
	return rc;
}

/* ---- repair ---------------------------------------------------------------- */

static void repaired(struct check_report *out, const struct check_finding *f)
{
	struct check_finding *r;

	if (out->nrepaired == CHECK_FINDINGS_MAX)
		return;
	r = &out->repaired[out->nrepaired++];
	*r = *f;
	r->repairable = false;
	/* the words of the SQLite repair's report: the object is "KIND
	 * NAME", its name one identifier (a kind may be two words) */
	{
		char kind[sizeof f->object];
		const char *sp = strrchr(f->object, ' ');
		size_t n = sp ? (size_t)(sp - f->object) : 0;
		const char *name = sp ? sp + 1 : f->object;

		memcpy(kind, f->object, n);
		kind[n] = '\0';
		if (f->kind == CHECK_SCHEMA_EXTRA)
			snprintf(r->msg, sizeof r->msg, _("dropped the %s"),
			         f->object);
		else if (f->kind == CHECK_SCHEMA_MISSING)
			snprintf(r->msg, sizeof r->msg,
			         _("recreated the missing %s %s"), kind, name);
		else
			snprintf(r->msg, sizeof r->msg,
			         _("reinstalled the %s %s as this version installs "
			           "it"),
			         kind, name);
	}
}

/* Drop an object that is not the schema's: its names come from the
 * catalog, so they are quoted as identifiers. */
static enum inv_rc drop_extra(struct pg_store *st, const char *object,
                              struct inv_err *err)
{
	PGconn *c = pgstore_conn(st);
	const char *params[1] = {object};
	PGresult *r = NULL;
	char type[16], name[64], table[64], stmt[300];
	char *qn, *qt;
	int which;
	enum inv_rc rc;

	/* the object's table, from the catalog again */
	rc = pgm_run(st,
		"SELECT t, n, tb FROM (" /* same rows as catalog_sql */
		"SELECT 'trigger' AS t, t.tgname::text AS n, c.relname::text AS tb "
		"FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
		"JOIN pg_namespace ns ON ns.oid = c.relnamespace "
		"WHERE ns.nspname = 'public' AND NOT t.tgisinternal "
		"UNION ALL SELECT 'index', ic.relname, c.relname FROM pg_index i "
		"JOIN pg_class ic ON ic.oid = i.indexrelid "
		"JOIN pg_class c ON c.oid = i.indrelid "
		"JOIN pg_namespace ns ON ns.oid = c.relnamespace "
		"WHERE ns.nspname = 'public' "
		"UNION ALL SELECT 'policy', policyname, tablename "
		"FROM pg_policies WHERE schemaname = 'public') x "
		"WHERE t || ' ' || n = $1 LIMIT 1",
		1, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return INV_OK; /* gone meanwhile */
	}
	pgm_copy(type, sizeof type, r, 0, 0);
	pgm_copy(name, sizeof name, r, 0, 1);
	pgm_copy(table, sizeof table, r, 0, 2);
	PQclear(r);
	which = strcmp(type, "trigger") == 0 ? 0
	        : strcmp(type, "index") == 0 ? 1 : 2;
	qn = PQescapeIdentifier(c, name, strlen(name));
	qt = PQescapeIdentifier(c, table, strlen(table));
	if (!qn || !qt) {
		PQfreemem(qn);
		PQfreemem(qt);
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	}
	if (which == 0)
		snprintf(stmt, sizeof stmt, "DROP TRIGGER %s ON %s", qn, qt);
	else if (which == 1)
		snprintf(stmt, sizeof stmt, "DROP INDEX %s", qn);
	else
		snprintf(stmt, sizeof stmt, "DROP POLICY %s ON %s", qn, qt);
	PQfreemem(qn);
	PQfreemem(qt);
	return pgm_run(st, stmt, 0, NULL, NULL, err);
}

/* The file's statement for a missing or altered object. */
static enum inv_rc reinstall(struct pg_store *st, struct objs *want,
                             const struct check_finding *f,
                             struct inv_err *err)
{
	size_t i;

	for (i = 0; i < want->n; i++) {
		struct obj *o = &want->v[i];
		char what[128];

		if (o->type == OBJ_TABLE || o->type == OBJ_REVOKE)
			continue;
		snprintf(what, sizeof what, "%s %s", obj_word[o->type], o->name);
		if (strcmp(what, f->object) != 0)
			continue;
		if (o->type == OBJ_FUNCTION) {
			/* CREATE OR REPLACE keeps the function's grants */
			const char *rest = strstr(o->sql, "FUNCTION");
			size_t len = strlen(o->sql) + 16;
			char *sql = malloc(len);
			enum inv_rc rc;

			if (!sql || !rest) {
				free(sql);
				return inv_err_set(err, INV_ERROR, "", "%s",
				                   _("out of memory"));
			}
			snprintf(sql, len, "CREATE OR REPLACE %s", rest);
			rc = pgm_run(st, sql, 0, NULL, NULL, err);
			free(sql);
			return rc;
		}
		if (o->type == OBJ_TRIGGER) {
			/* an altered one goes first (a missing one is not
			 * there to drop) */
			char sql[200];
			enum inv_rc rc;

			snprintf(sql, sizeof sql, "DROP TRIGGER IF EXISTS %s ON %s",
			         o->name, o->table);
			rc = pgm_run(st, sql, 0, NULL, NULL, err);
			return rc == INV_OK ? pgm_run(st, o->sql, 0, NULL, NULL, err)
			                    : rc;
		}
		if (o->type == OBJ_FORCE) {
			enum inv_rc rc;
			char sql[160];

			snprintf(sql, sizeof sql,
			         "ALTER TABLE %s ENABLE ROW LEVEL SECURITY", o->table);
			rc = pgm_run(st, sql, 0, NULL, NULL, err);
			return rc == INV_OK ? pgm_run(st, o->sql, 0, NULL, NULL, err)
			                    : rc;
		}
		return pgm_run(st, o->sql, 0, NULL, NULL, err);
	}
	return INV_OK;
}

enum inv_rc pgstore_check_repair(struct pg_store *st,
                                 const struct identity *who,
                                 struct check_report *out,
                                 struct inv_err *err)
{
	struct check_report before;
	struct objs want;
	PGresult *r = NULL;
	enum inv_rc rc;
	size_t i;
	bool owner;

	memset(out, 0, sizeof *out);
	if (who && !identity_at_least(who, ROLE_ADMIN))
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("repairing the database needs the admin role; %s is a "
			  "member of %s"),
			who->user, who->org);
	rc = pgm_run(st, "SELECT inved_is_owner(), inved_owner()", 0, NULL, &r,
	             err);
	if (rc != INV_OK)
		return rc;
	owner = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	if (!owner) {
		char name[64];

		pgm_copy(name, sizeof name, r, 0, 1);
		PQclear(r);
		return inv_err_set(err, INV_FORBIDDEN, "role",
			_("repairing the schema needs the role that owns it, %s; "
			  "connect as %s to run `inved check --repair`"),
			name, name);
	}
	PQclear(r);
	if (!schema_objects(&want))
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	rc = check_all(st, who, &want, &before, err);
	if (rc == INV_OK)
		rc = pgm_run(st, "BEGIN", 0, NULL, NULL, err);
	for (i = 0; rc == INV_OK && i < before.n; i++) {
		const struct check_finding *f = &before.f[i];

		if (!f->repairable)
			continue;
		rc = f->kind == CHECK_SCHEMA_EXTRA
		             ? drop_extra(st, f->object, err)
		             : reinstall(st, &want, f, err);
		if (rc == INV_OK)
			repaired(out, f);
	}
	/* a function made afresh is callable by everyone until revoked */
	for (i = 0; rc == INV_OK && i < want.n; i++)
		if (want.v[i].type == OBJ_REVOKE)
			rc = pgm_run(st, want.v[i].sql, 0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pgm_commit(st, err);
	if (rc != INV_OK) {
		pgm_rollback(st);
		out->nrepaired = 0;
	} else {
		struct check_report after;

		rc = check_all(st, who, &want, &after, err);
		if (rc == INV_OK) {
			out->n = after.n;
			out->more = after.more;
			memcpy(out->f, after.f, sizeof out->f);
		}
	}
	objs_free(&want);
	return rc;
}
