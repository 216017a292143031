/*
 * audit_explain.c - an audit entry's detail as a person reads it: "Total:
 * 1,250.00 → 1,400.00 EUR, Status: Sent → Paid", from its fields as a
 * backend's JSON functions took the detail apart (audit_explain.h), so
 * every backend says it alike.  The text is untrusted like all database
 * text: the faces draw it through their sanitizer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_explain.h"
#include "i18n.h"
#include "invoice.h"

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

void audit_explain_fields(const struct detail_field *f, size_t n,
                          const char *detail, char currency[4],
                          const struct money_style *style, char *out,
                          size_t size)
{
	char before[4], after[4];
	bool money = false;
	size_t o = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (n == 0) {
		/* not an object of fields: shown as stored */
		snprintf(out, size, "%s", strcmp(detail, "{}") ? detail : "");
		return;
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
}
