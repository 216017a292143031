/*
 * fuzz_fields.c - libFuzzer target for the edit form's fields: the rules a
 * customer, status, total and currency must keep (src/core/invoice.h,
 * money.h), the line editor the form types them with (src/tui/lineedit.c),
 * the draft body that keeps unsaved values (src/tui/draft.c), and the
 * core's edit path that applies them (store_edit) on a throwaway database.
 *
 * Input: four lines - customer, status, total, currency - then, after a
 * fourth newline, keys for the line editor: UTF-8 characters (control
 * characters included), ESC plus a byte for a function key, and 0xFF plus
 * three bytes for any code point at all (surrogates, beyond U+10FFFF).
 *
 * What must hold:
 * - the customer rule accepts exactly valid UTF-8 of 1..120 characters,
 *   without C0/C1 controls, that is not only blanks (an oracle built on
 *   the C library's mbrtowc, not on invoice.c's decoder);
 * - the status accepts exactly the four names, in any case;
 * - the line editor never holds more than its limit, and what it gives
 *   back is valid UTF-8 without control characters it did not start with;
 * - a draft body decodes to the values it was encoded from, and any bytes
 *   at all decode without harm;
 * - store_edit saves exactly when every rule holds and something changed,
 *   reads back the values given, and otherwise refuses with INV_INVALID
 *   naming the first field at fault (customer, status, currency, total)
 *   and leaves the version as it was;
 * - every refusal message is printable as it is.
 */
#include <locale.h>
#include <strings.h>
#include <wchar.h>

#include "tui_internal.h"
#include "fuzz_db.h"
#include "fuzz_util.h"

/* Accepted edits pile up audit rows; start afresh after this many. */
#define WRITES_PER_DB 20000

static const char *db_path;
static struct store *st;
static struct identity alice;
static struct invoice row; /* ACME-1002 as the database holds it */
static unsigned long writes;

static void db_open(void)
{
	struct inv_err err;

	memset(&err, 0, sizeof err);
	if (store_open(db_path,
	               &(struct store_options){STORE_OPEN_EXISTING, 0},
	               &st, &err) != INV_OK ||
	    store_identity(st, "alice", NULL, &alice, &err) != INV_OK ||
	    store_find(st, &alice, "ACME-1002", &row, &err) != INV_OK) {
		fprintf(stderr, "fuzz_fields: %s\n", err.msg);
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setlocale(LC_ALL, "C.UTF-8");
	db_path = fuzz_db_create("fields.db");
	fuzz_db_snapshot(db_path);
	db_open();
	return 0;
}

/* ---- the oracle -------------------------------------------------------- */

static bool oracle_blank(wchar_t c)
{
	return c == 0x20 || c == 0xa0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200b) || c == 0x2028 || c == 0x2029 ||
	       c == 0x202f || c == 0x205f || c == 0x3000 || c == 0xfeff;
}

/* The customer rule, decoded by the C library's UTF-8 (C.UTF-8 refuses
 * overlongs; surrogates and values past U+10FFFF are refused here). */
static bool oracle_customer(const char *s)
{
	mbstate_t ps;
	size_t len = strlen(s), chars = 0;
	bool visible = false;

	memset(&ps, 0, sizeof ps);
	while (len > 0) {
		wchar_t c;
		size_t n = mbrtowc(&c, s, len, &ps);

		if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
			return false;
		/* glibc still decodes the old five- and six-byte forms */
		if ((c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return false;
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
			return false;
		/* bidi and invisible formatting characters (SPEC 7) */
		if (c == 0x061c || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
		    (c >= 0x2028 && c <= 0x202e) ||
		    (c >= 0x2060 && c <= 0x2064) ||
		    (c >= 0x2066 && c <= 0x206f) || c == 0xfeff ||
		    (c >= 0xfff9 && c <= 0xfffb))
			return false;
		if (!oracle_blank(c))
			visible = true;
		chars++;
		s += n;
		len -= n;
	}
	return visible && chars <= CUSTOMER_MAX_CHARS;
}

static bool oracle_status(const char *s)
{
	return strcasecmp(s, "draft") == 0 || strcasecmp(s, "sent") == 0 ||
	       strcasecmp(s, "paid") == 0 || strcasecmp(s, "void") == 0;
}

static bool has_control(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			return true;
		if (c == 0xc2 && (unsigned char)s[1] >= 0x80 &&
		    (unsigned char)s[1] < 0xa0)
			return true;
	}
	return false;
}

/* ---- the line editor ----------------------------------------------------- */

static const int fkeys[] = {
	KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END,
	KEY_BACKSPACE, KEY_DC, KEY_UP, KEY_F(2),
};

/* Feed the keys in data to le. */
static void type_keys(struct lineedit *le, const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size) {
		bool fkey = false, changed = true;
		wint_t ch;
		uint8_t b = data[i];

		if (b == 0x1b && i + 1 < size) {
			ch = (wint_t)fkeys[data[i + 1] % 8];
			fkey = true;
			i += 2;
		} else if (b == 0xff && i + 3 < size) {
			ch = (wint_t)((uint32_t)data[i + 1] << 16 |
			              (uint32_t)data[i + 2] << 8 | data[i + 3]);
			i += 4;
		} else if (b >= 0x80) {
			mbstate_t ps;
			wchar_t wc;
			size_t n;

			memset(&ps, 0, sizeof ps);
			n = mbrtowc(&wc, (const char *)data + i, size - i, &ps);
			if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
				ch = b; /* a lone byte reads as Latin-1 */
				i++;
			} else {
				ch = (wint_t)wc;
				i += n;
			}
		} else {
			ch = b;
			i++;
		}
		lineedit_key(le, ch, fkey, &changed);
		FUZZ_ASSERT(le->len >= 0 && le->len <= le->max);
		FUZZ_ASSERT(le->cur >= 0 && le->cur <= le->len);
	}
}

static void check_lineedit(const char *start, int max, bool upper,
                           const uint8_t *keys, size_t nkeys, char *out,
                           size_t size)
{
	struct lineedit le;

	lineedit_init(&le, max, upper);
	lineedit_set(&le, start);
	type_keys(&le, keys, nkeys);
	lineedit_get(&le, out, size);
	/* A stray byte it was given comes back as it was (for the core to
	 * refuse); typing never makes one. */
	if (utf8_valid(start, strlen(start)))
		FUZZ_ASSERT(utf8_valid(out, strlen(out)));
	FUZZ_ASSERT(utf8_length(out) <= (size_t)max);
	if (!has_control(start))
		FUZZ_ASSERT(!has_control(out));
}

/* ---- the draft body ------------------------------------------------------ */

static void check_draft(const char *customer, const char *status,
                        const char *total, const char *currency)
{
	struct form_values v, back;
	char body[DRAFT_BODY_MAX];

	text_copy(v.customer, sizeof v.customer, customer);
	text_copy(v.status, sizeof v.status, status);
	text_copy(v.total, sizeof v.total, total);
	text_copy(v.currency, sizeof v.currency, currency);
	draft_body_encode(&v, body, sizeof body);
	FUZZ_ASSERT(draft_body_decode(body, &back));
	FUZZ_ASSERT(strcmp(v.customer, back.customer) == 0);
	FUZZ_ASSERT(strcmp(v.status, back.status) == 0);
	FUZZ_ASSERT(strcmp(v.total, back.total) == 0);
	FUZZ_ASSERT(strcmp(v.currency, back.currency) == 0);
}

/* ---- the core's edit path ------------------------------------------------ */

static void check_edit(const char *customer, const char *status,
                       const char *total, const char *currency)
{
	struct invoice_input in = {.customer = customer, .status = status,
	                           .total = total, .currency = currency};
	struct write_result res;
	struct invoice now;
	struct inv_err err, e2;
	enum inv_status want_status = ST_DRAFT;
	int64_t want_total = 0;
	const char *first = NULL;
	enum inv_rc rc;

	memset(&err, 0, sizeof err);
	memset(&e2, 0, sizeof e2);
	if (!oracle_customer(customer))
		first = "customer";
	else if (!oracle_status(status))
		first = "status";
	else if (!money_currency_known(currency))
		first = "currency";
	else if (money_parse(total, currency, &want_total, &e2) != INV_OK)
		first = "total";
	if (!first)
		invoice_status_parse(status, &want_status, NULL);
	if (!first && strcmp(customer, row.customer) == 0 &&
	    want_status == row.status && want_total == row.total_minor &&
	    strcmp(currency, row.currency) == 0)
		first = "unchanged";

	rc = store_edit(st, &alice, row.id, row.version, &in, 0, &res, &err);
	if (first) {
		if (rc != INV_INVALID || strcmp(err.field, first) != 0)
			fprintf(stderr, "fuzz_fields: want %s, got %d %s: %s\n",
			        first, (int)rc, err.field, err.msg);
		FUZZ_ASSERT(rc == INV_INVALID);
		FUZZ_ASSERT(strcmp(err.field, first) == 0);
		FUZZ_ASSERT(fuzz_text_printable(err.msg));
		FUZZ_ASSERT(store_get(st, &alice, row.id, &now, &err) ==
		            INV_OK);
		FUZZ_ASSERT(now.version == row.version);
		return;
	}
	if (rc != INV_OK)
		fprintf(stderr, "fuzz_fields: refused %d %s: %s\n", (int)rc,
		        err.field, err.msg);
	FUZZ_ASSERT(rc == INV_OK);
	FUZZ_ASSERT(res.row.version == row.version + 1);
	FUZZ_ASSERT(store_get(st, &alice, row.id, &now, &err) == INV_OK);
	FUZZ_ASSERT(strcmp(now.customer, customer) == 0);
	FUZZ_ASSERT(now.status == want_status);
	FUZZ_ASSERT(now.total_minor == want_total);
	FUZZ_ASSERT(strcmp(now.currency, currency) == 0);
	FUZZ_ASSERT(now.version == res.row.version);
	row = now;
	if (++writes % WRITES_PER_DB == 0) {
		store_close(st);
		fuzz_db_restore(db_path);
		db_open();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char field[4][CUSTOMER_MAX_BYTES * 2];
	char typed[CUSTOMER_MAX_BYTES + 1], code[8];
	struct form_values v;
	char *whole;
	size_t start = 0, i, n = 0;
	struct inv_err err;
	bool ok;

	if (size > 4096)
		return 0;
	for (i = 0; i < 4; i++)
		field[i][0] = '\0';
	for (i = 0; i < size && n < 4; i++) {
		if (data[i] != '\n')
			continue;
		fuzz_cstr(field[n], sizeof field[n], data + start, i - start);
		n++;
		start = i + 1;
	}
	if (n < 4) {
		fuzz_cstr(field[n], sizeof field[n], data + start,
		          size - start);
		start = size;
	}

	/* the rules on their own */
	memset(&err, 0, sizeof err);
	ok = invoice_check_customer(field[0], &err) == INV_OK;
	FUZZ_ASSERT(ok == oracle_customer(field[0]));
	if (!ok)
		FUZZ_ASSERT(strcmp(err.field, "customer") == 0 &&
		            fuzz_text_printable(err.msg));
	ok = invoice_status_parse(field[1], NULL, &err) == INV_OK;
	FUZZ_ASSERT(ok == oracle_status(field[1]));
	if (!ok)
		FUZZ_ASSERT(strcmp(err.field, "status") == 0 &&
		            fuzz_text_printable(err.msg));

	/* typed through the form's editors, then the rule on what they give */
	check_lineedit(field[0], CUSTOMER_MAX_CHARS, false, data + start,
	               size - start, typed, sizeof typed);
	FUZZ_ASSERT((invoice_check_customer(typed, &err) == INV_OK) ==
	            oracle_customer(typed));
	check_lineedit(field[3], 3, true, data + start, size - start, code,
	               sizeof code);

	check_draft(field[0], field[1], field[2], field[3]);
	check_draft(typed, field[1], field[2], code);
	whole = malloc(size + 1);
	FUZZ_ASSERT(whole);
	memcpy(whole, data, size);
	whole[size] = '\0';
	draft_body_decode(whole, &v);
	free(whole);

	check_edit(field[0], field[1], field[2], field[3]);
	return 0;
}
