/*
 * print.c - how an invoice looks on the command line: the JSON object of
 * SPEC 5, the labelled block of `show`, and the column cells of `list`
 * (display widths, so "株式会社" and "Ærøskøbing" line up).  Every text
 * from the database is written through the core's text_escape(), so what
 * must not reach a terminal raw is shown as an escape (`\u202e`).
 */
/* wcwidth() is an X/Open interface; the build's feature macros stop at
 * POSIX. */
#define _XOPEN_SOURCE 700

#include <inttypes.h>
#include <string.h>
#include <wchar.h>

#include "cli_internal.h"

void print_invoice_json(struct json *j, const struct invoice *inv)
{
	char total[MONEY_TEXT_MAX];

	money_format(inv->total_minor, inv->currency, total, sizeof total);
	json_object_begin(j);
	json_key(j, "id");
	json_int(j, inv->id);
	json_key(j, "number");
	json_string(j, inv->number);
	json_key(j, "customer");
	json_string(j, inv->customer);
	json_key(j, "status");
	json_string(j, invoice_status_name(inv->status));
	json_key(j, "total");
	json_string(j, total);
	json_key(j, "total_minor");
	json_int(j, inv->total_minor);
	json_key(j, "currency");
	json_string(j, inv->currency);
	json_key(j, "version");
	json_int(j, inv->version);
	json_key(j, "lifecycle");
	json_string(j, invoice_life_name(invoice_life(inv)));
	json_key(j, "created_at");
	json_string_or_null(j, inv->created_at);
	json_key(j, "updated_at");
	json_string_or_null(j, inv->updated_at);
	json_key(j, "archived_at");
	json_string_or_null(j, inv->archived_at);
	json_key(j, "deleted_at");
	json_string_or_null(j, inv->deleted_at);
	json_object_end(j);
}

void print_total(const struct invoice *inv, char *buf, size_t len)
{
	char amount[MONEY_TEXT_MAX];

	money_format_grouped(inv->total_minor, inv->currency, amount,
	                     sizeof amount);
	snprintf(buf, len, "%s %s", amount, inv->currency);
}

static void block_line(FILE *out, const char *label, const char *value)
{
	/* The label is padded by display width: translations differ in
	 * length and may not be ASCII. */
	fputs("  ", out);
	print_cell(out, label, 11, false);
	fputc(' ', out);
	print_text(out, value);
	fputc('\n', out);
}

void print_invoice_block(FILE *out, const struct invoice *inv)
{
	char total[PRINT_TOTAL_MAX], number[PRINT_VISIBLE_MAX(NUMBER_MAX_BYTES)];
	char id[32];

	print_total(inv, total, sizeof total);
	snprintf(id, sizeof id, "%" PRId64, inv->id);
	text_visible(number, sizeof number, inv->number);
	fprintf(out, _("Invoice %s (id %s), version %" PRId64 "\n"), number,
	        id, inv->version);
	block_line(out, _("Customer:"), inv->customer);
	block_line(out, _("Status:"), invoice_status_label(inv->status));
	block_line(out, _("Total:"), total);
	block_line(out, _("State:"), invoice_life_label(invoice_life(inv)));
	block_line(out, _("Created:"), inv->created_at);
	block_line(out, _("Updated:"), inv->updated_at);
	if (inv->archived_at[0])
		block_line(out, _("Archived:"), inv->archived_at);
	if (inv->deleted_at[0])
		block_line(out, _("Deleted:"), inv->deleted_at);
}

void print_detail_json(struct json *j, const char *detail)
{
	if (!detail || !*detail)
		json_null(j);
	else if (json_valid(detail))
		json_embed(j, detail);
	else
		json_string(j, detail); /* cut short or foreign: keep it readable */
}

/* ---- column cells -------------------------------------------------------- */

/* What a character shows: an unsafe one (text_unsafe) its escape, one
 * column per byte; any other its own width. */
static int cell_cols(uint32_t cp, size_t shown_len)
{
	int w;

	if (text_unsafe(cp))
		return (int)shown_len;
	w = wcwidth((wchar_t)cp);
	/* A locale that does not know the character (LANG=C) says -1; one
	 * column is the best guess and keeps the arithmetic sane. */
	return w < 0 ? 1 : w;
}

int print_width(const char *s)
{
	size_t len = strlen(s), i = 0;
	int w = 0;

	while (i < len) {
		char shown[TEXT_ESCAPE_MAX];
		uint32_t cp;

		i += text_decode(s + i, len - i, &cp);
		w += cell_cols(cp, text_escape(cp, shown));
	}
	return w;
}

/* Write n bytes of s as text_visible() shows them: a name a foreign writer
 * stored must not move the cursor, recolour the terminal or reorder the
 * line. */
static void print_clean(FILE *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char shown[TEXT_ESCAPE_MAX];
		uint32_t cp;

		i += text_decode(s + i, n - i, &cp);
		fwrite(shown, 1, text_escape(cp, shown), out);
	}
}

/* Bytes of s whose visible form fits in `width` columns. */
static size_t cell_fit(const char *s, int width, int *used)
{
	size_t len = strlen(s), n = 0;

	*used = 0;
	while (n < len) {
		char shown[TEXT_ESCAPE_MAX];
		uint32_t cp;
		size_t take = text_decode(s + n, len - n, &cp);
		int w = cell_cols(cp, text_escape(cp, shown));

		if (*used + w > width)
			break;
		*used += w;
		n += take;
	}
	return n;
}

void print_text(FILE *out, const char *s)
{
	print_clean(out, s, strlen(s));
}

void print_prefix(FILE *out, const char *s, int width)
{
	int used;

	print_clean(out, s, cell_fit(s, width, &used));
}

void print_cell(FILE *out, const char *s, int width, bool right_align)
{
	int w = print_width(s), used, pad;
	size_t n;

	if (width <= 0)
		return;
	if (w <= width) {
		pad = width - w;
		if (right_align)
			fprintf(out, "%*s", pad, "");
		print_text(out, s);
		if (!right_align)
			fprintf(out, "%*s", pad, "");
		return;
	}
	/* Too wide: keep what fits in width - 1 columns, then "…". */
	n = cell_fit(s, width - 1, &used);
	print_clean(out, s, n);
	fputs("…", out);
	fprintf(out, "%*s", width - 1 - used, "");
}
