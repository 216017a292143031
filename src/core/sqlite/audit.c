/*
 * audit.c - an audit entry's detail as a person reads it: "Total: 1,250.00
 * → 1,400.00 EUR, Status: Sent → Paid", not the stored JSON.  The detail is
 * taken apart with the database's own JSON functions (json_each), so inved
 * keeps no JSON parser of its own for it.  The text is untrusted like all
 * database text: the faces draw it through their sanitizer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
#include "sqlite_store.h"

/* One changed field of a detail, as json_each() gives it. */
struct detail_field {
	char key[32];
	bool has_old, has_new;     /* not JSON null */
	bool int_old, int_new;     /* an integer */
	int64_t iold, inew;
	char old[CUSTOMER_MAX_BYTES + 1], new[CUSTOMER_MAX_BYTES + 1];
};

#define DETAIL_FIELDS_MAX 16

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

__attribute__((format(printf, 4, 5)))
static size_t put(char *out, size_t size, size_t o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o >= size)
		return o;
	va_start(ap, fmt);
	w = vsnprintf(out + o, size - o, fmt, ap);
	va_end(ap);
	return w < 0 ? o : o + (size_t)w;
}

static const char *status_text(const char *name)
{
	enum inv_status st;

	return invoice_status_parse(name, &st, NULL) == INV_OK
	               ? invoice_status_label(st)
	               : name;
}

/* "old → new" of one field into the phrase buffer; money is formatted in
 * the currency of its side. */
static size_t phrase(const struct detail_field *f, const char *cur_before,
                     const char *cur_after, const struct money_style *style,
                     char *out, size_t size, size_t o)
{
	char a[MONEY_TEXT_MAX + 8], b[MONEY_TEXT_MAX + 8];
	const char *label = NULL, *from = f->old, *to = f->new;

	if (strcmp(f->key, "total_minor") == 0) {
		label = _("Total");
		if (f->int_old) {
			money_format_styled(f->iold, cur_before, style, true,
			                    a, sizeof a);
			if (strcmp(cur_before, cur_after) != 0)
				snprintf(a + strlen(a), sizeof a - strlen(a),
				         " %s", cur_before);
			from = a;
		}
		if (f->int_new) {
			money_format_styled(f->inew, cur_after, style, true,
			                    b, sizeof b);
			snprintf(b + strlen(b), sizeof b - strlen(b), " %s",
			         cur_after);
			to = b;
		}
	} else if (strcmp(f->key, "customer") == 0) {
		label = _("Customer");
	} else if (strcmp(f->key, "number") == 0) {
		label = _("Number");
	} else if (strcmp(f->key, "currency") == 0) {
		label = _("Currency");
	} else if (strcmp(f->key, "status") == 0) {
		label = _("Status");
		from = status_text(f->old);
		to = status_text(f->new);
	} else if (strcmp(f->key, "archived_at") == 0) {
		return put(out, size, o, "%s%s%s", o ? ", " : "",
		           f->has_new ? _("archived") : _("out of the archive"),
		           "");
	} else if (strcmp(f->key, "deleted_at") == 0) {
		return put(out, size, o, "%s%s%s", o ? ", " : "",
		           f->has_new ? _("deleted") : _("restored"), "");
	} else {
		label = f->key; /* a key this version does not know */
	}
	/* a no-break space keeps a label with its value when the line wraps */
	o = put(out, size, o, "%s%s:\u00a0%s", o ? ", " : "", label, "");
	if (f->has_old && f->has_new)
		return put(out, size, o, "%s → %s%s", from, to, "");
	if (f->has_new)
		return put(out, size, o, "%s%s%s", to, "", "");
	return put(out, size, o, "%s%s%s", from, " → —", "");
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
	char before[4], after[4];
	bool money = false;
	size_t n = 0, o = 0;
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
	if (n == 0) {
		/* not an object of fields: shown as stored */
		snprintf(out, size, "%s", strcmp(detail, "{}") ? detail : "");
		return INV_OK;
	}
	/* the currency each side of the entry is written in */
	snprintf(before, sizeof before, "%s", currency);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(f[i].key, "currency") == 0 && f[i].has_old)
			snprintf(before, sizeof before, "%s", f[i].old);
		if (strcmp(f[i].key, "total_minor") == 0)
			money = true;
	}
	snprintf(after, sizeof after, "%s", before);
	for (size_t i = 0; i < n; i++)
		if (strcmp(f[i].key, "currency") == 0 && f[i].has_new)
			snprintf(after, sizeof after, "%s", f[i].new);
	for (size_t i = 0; i < n; i++) {
		/* with the total, the currency is said with its amounts */
		if (money && strcmp(f[i].key, "currency") == 0)
			continue;
		o = phrase(&f[i], before, after, style, out, size, o);
	}
	snprintf(currency, 4, "%s", after);
	return INV_OK;
}
