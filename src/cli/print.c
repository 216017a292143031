/*
 * print.c - how an invoice looks on the command line: the JSON object of
 * SPEC 5, the labelled block of `show`, and the column cells of `list`
 * (display widths, so "株式会社" and "Ærøskøbing" line up).
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
	char total[PRINT_TOTAL_MAX], number[NUMBER_MAX_BYTES + 1];
	char id[32];

	print_total(inv, total, sizeof total);
	snprintf(id, sizeof id, "%" PRId64, inv->id);
	print_clean_copy(number, sizeof number, inv->number);
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
		json_raw(j, detail);
	else
		json_string(j, detail); /* cut short or foreign: keep it readable */
}

/* ---- column cells -------------------------------------------------------- */

/* Decode one UTF-8 character (bytes from the database are valid; a stray
 * byte counts as one column so the table still lines up). */
static size_t cell_decode(const unsigned char *s, uint32_t *cp)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, *cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, *cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, *cp = s[0] & 0x07;
	else
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static int cell_char_width(uint32_t cp)
{
	int w = wcwidth((wchar_t)cp);

	/* A locale that does not know the character (LANG=C) says -1; one
	 * column is the best guess and keeps the arithmetic sane. */
	return w < 0 ? 1 : w;
}

int print_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;
	uint32_t cp;

	while (*p) {
		p += cell_decode(p, &cp);
		w += cell_char_width(cp);
	}
	return w;
}

static bool cell_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Write n bytes of s with control characters shown as '?' and stray bytes
 * as U+FFFD: a name a foreign writer stored must not move the cursor or
 * recolour the terminal.  Each stand-in takes the one column that
 * cell_char_width() counted for it. */
static void print_clean(FILE *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		size_t len = cell_decode(p + i, &cp);

		if (cell_is_control(cp))
			fputc('?', out);
		else if (cp == 0xfffd && len == 1)
			fputs("\xef\xbf\xbd", out);
		else
			fwrite(p + i, 1, len, out);
		i += len;
	}
}

/* Bytes of s that fit in `width` columns. */
static size_t cell_fit(const char *s, int width, int *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t cp;

	*used = 0;
	while (p[n]) {
		size_t len = cell_decode(p + n, &cp);
		int w = cell_char_width(cp);

		if (*used + w > width)
			break;
		*used += w;
		n += len;
	}
	return n;
}

void print_clean_copy(char *dst, size_t len, const char *src)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t i = 0, j = 0;

	while (p[i] && j + 1 < len) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			dst[j++] = '?';
			i++;
		} else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
			dst[j++] = '?'; /* a C1 control in UTF-8 */
			i += 2;
		} else {
			dst[j++] = (char)p[i++];
		}
	}
	dst[j] = '\0';
}

void print_text(FILE *out, const char *s)
{
	print_clean(out, s, strlen(s));
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
