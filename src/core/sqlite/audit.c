/*
 * audit.c - an audit entry's detail as a person reads it: "Total: 1,250.00
 * → 1,400.00 EUR, Status: Sent → Paid", not the stored JSON.  The detail is
 * taken apart with the database's own JSON functions (json_each), so inved
 * keeps no JSON parser of its own for it; audit_explain.c says it.  The text is untrusted like all
 * database text: the faces draw it through their sanitizer.
 */
#include <stdio.h>
#include <string.h>

#include "audit_explain.h"
#include "sqlite_store.h"

static void field_read(sqlite3_stmt *s, int col, bool *has, bool *is_int,
                       int64_t *i, char *text, size_t size)
{
	const unsigned char *t;

	*has = sqlite3_column_type(s, col) != SQLITE_NULL;
	*is_int = sqlite3_column_type(s, col) == SQLITE_INTEGER;
	*i = sqlite3_column_int64(s, col);
	t = sqlite3_column_text(s, col);
	snprintf(text, size, "%s", t ? (const char *)t : "");
}

enum inv_rc sq_audit_explain(struct sq_store *st, const char *detail,
                             char currency[4],
                             const struct money_style *style, char *out,
                             size_t size, struct inv_err *err)
{
	static const char sql[] =
		"SELECT key, json_extract(value, '$.old'), "
		"json_extract(value, '$.new') FROM json_each(?1) "
		"WHERE json_valid(?1) AND json_type(?1) = 'object'";
	struct detail_field f[DETAIL_FIELDS_MAX];
	size_t n = 0;
	sqlite3_stmt *s = NULL;
	int rc;

	if (size == 0)
		return INV_OK;
	out[0] = '\0';
	rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return sq_sqlite_err(st, rc, err);
	sqlite3_bind_text(s, 1, detail, -1, SQLITE_STATIC);
	while (n < DETAIL_FIELDS_MAX && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(s, 0);

		memset(&f[n], 0, sizeof f[n]);
		snprintf(f[n].key, sizeof f[n].key, "%s",
		         k ? (const char *)k : "");
		field_read(s, 1, &f[n].has_old, &f[n].int_old, &f[n].iold,
		           f[n].old, sizeof f[n].old);
		field_read(s, 2, &f[n].has_new, &f[n].int_new, &f[n].inew,
		           f[n].new, sizeof f[n].new);
		n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_sqlite_err(st, rc, err);
	audit_explain_fields(f, n, detail, currency, style, out, size);
	return INV_OK;
}
