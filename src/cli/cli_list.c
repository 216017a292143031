/*
 * cli_list.c - `inved list`: the rows of a view in id order, read by keyset
 * pages (SPEC 3.1) so that even a million invoices stream through a fixed
 * amount of memory.  With --limit it prints one page and the id to go on
 * after.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"

#define LIST_PAGE 500       /* rows per read when streaming a whole view */
#define LIST_LIMIT_MAX 1000 /* largest --limit */
#define LIST_CUSTOMER_MAX 40 /* widest Customer column; longer names are cut */

struct list_opts {
	enum inv_view view;
	int64_t limit; /* 0: the whole view */
	int64_t after;
	const char *filter;
};

/* The output in progress: column widths fixed by the first page (later
 * pages cannot move columns already printed), or the open JSON object. */
struct list_out {
	struct cli *c;
	const struct list_opts *o;
	struct json j;
	int w_number, w_customer, w_status, w_total;
	size_t count;
};

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void list_widths(struct list_out *lo, const struct invoice *rows,
                        size_t n)
{
	char total[PRINT_TOTAL_MAX];
	size_t i;
	int s;

	lo->w_number = print_width(_("Number"));
	lo->w_customer = print_width(_("Customer"));
	lo->w_status = print_width(_("Status"));
	lo->w_total = print_width(_("Total"));
	for (s = 0; s < ST__COUNT; s++)
		lo->w_status = max_int(lo->w_status,
		                       print_width(invoice_status_label(
		                               (enum inv_status)s)));
	for (i = 0; i < n; i++) {
		print_total(&rows[i], total, sizeof total);
		lo->w_number = max_int(lo->w_number, print_width(rows[i].number));
		lo->w_customer = max_int(lo->w_customer,
		                         print_width(rows[i].customer));
		lo->w_total = max_int(lo->w_total, print_width(total));
	}
	if (lo->w_customer > LIST_CUSTOMER_MAX)
		lo->w_customer = LIST_CUSTOMER_MAX;
}

static void list_human_header(struct list_out *lo)
{
	print_cell(stdout, _("Number"), lo->w_number, false);
	fputs("  ", stdout);
	print_cell(stdout, _("Customer"), lo->w_customer, false);
	fputs("  ", stdout);
	print_cell(stdout, _("Status"), lo->w_status, false);
	fputs("  ", stdout);
	print_cell(stdout, _("Total"), lo->w_total, true);
	fputs("  ", stdout);
	print_cell(stdout, _("Version"), print_width(_("Version")), true);
	fputs("\n", stdout);
}

static void list_human_row(struct list_out *lo, const struct invoice *inv)
{
	char total[PRINT_TOTAL_MAX], version[24];
	enum inv_life life = invoice_life(inv);

	print_total(inv, total, sizeof total);
	snprintf(version, sizeof version, "%" PRId64, inv->version);
	print_cell(stdout, inv->number, lo->w_number, false);
	fputs("  ", stdout);
	print_cell(stdout, inv->customer, lo->w_customer, false);
	fputs("  ", stdout);
	print_cell(stdout, invoice_status_label(inv->status), lo->w_status,
	           false);
	fputs("  ", stdout);
	print_cell(stdout, total, lo->w_total, true);
	fputs("  ", stdout);
	print_cell(stdout, version, print_width(_("Version")), true);
	if (life == LIFE_DELETED) {
		printf("  %s", _("deleted"));
	} else if (life == LIFE_ARCHIVED) {
		printf("  %s ", _("archived"));
		print_prefix(stdout, inv->archived_at, 10); /* the date */
	}
	fputs("\n", stdout);
}

static void list_start(struct list_out *lo, const struct invoice *rows,
                       size_t n)
{
	if (lo->c->json) {
		/* "ok" comes last: if a later page fails, the object can still
		 * end as a failure without contradicting itself. */
		json_init(&lo->j, stdout);
		json_object_begin(&lo->j);
		json_key(&lo->j, "view");
		json_string(&lo->j, store_view_name(lo->o->view));
		json_key(&lo->j, "invoices");
		json_array_begin(&lo->j);
		return;
	}
	list_widths(lo, rows, n);
	if (n > 0)
		list_human_header(lo);
}

static void list_rows(struct list_out *lo, const struct invoice *rows,
                      size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (lo->c->json)
			print_invoice_json(&lo->j, &rows[i]);
		else
			list_human_row(lo, &rows[i]);
	}
	lo->count += n;
}

static void list_human_footer(struct list_out *lo, int64_t next_after)
{
	const char *view = store_view_name(lo->o->view);

	if (lo->count == 0 && lo->o->filter && *lo->o->filter)
		printf(_("No invoices in the %s view match '%s'.\n"), view,
		       lo->o->filter);
	else if (lo->count == 0)
		printf(_("No invoices in the %s view.\n"), view);
	else if (next_after)
		printf(_("Shown: %zu. More follow; continue with --after %"
		         PRId64 ".\n"),
		       lo->count, next_after);
	else
		printf(_("Shown: %zu.\n"), lo->count);
}

static void list_finish(struct list_out *lo, int64_t next_after)
{
	if (!lo->c->json) {
		list_human_footer(lo, next_after);
		return;
	}
	json_array_end(&lo->j);
	json_key(&lo->j, "next_after");
	if (next_after)
		json_int(&lo->j, next_after);
	else
		json_null(&lo->j);
	json_key(&lo->j, "ok");
	json_bool(&lo->j, true);
	json_object_end(&lo->j);
	json_finish(&lo->j);
}

/* A page after the first failed (the database stayed locked, say): the
 * rows already printed stay, and the JSON object ends as a failure. */
static int list_fail_midway(struct list_out *lo, enum inv_rc rc,
                            const struct inv_err *err)
{
	if (!lo->c->json)
		return cli_fail(lo->c, rc, err, NULL, 0);
	json_array_end(&lo->j);
	json_key(&lo->j, "next_after");
	json_null(&lo->j);
	json_key(&lo->j, "ok");
	json_bool(&lo->j, false);
	json_key(&lo->j, "error");
	json_string(&lo->j, inv_rc_name(rc));
	json_key(&lo->j, "message");
	json_string(&lo->j, err->msg);
	json_object_end(&lo->j);
	json_finish(&lo->j);
	return cli_end(lo->c, inv_rc_exit_code(rc));
}

static int list_run(struct cli *c, const struct list_opts *o)
{
	/* One row more than --limit tells whether another page follows. */
	size_t cap = o->limit ? (size_t)o->limit + 1 : LIST_PAGE;
	struct list_out lo = {.c = c, .o = o};
	struct invoice *rows = calloc(cap, sizeof *rows);
	int64_t anchor = o->after, next_after = 0;
	bool started = false;
	struct inv_err err;
	enum inv_rc rc;
	size_t n;
	int code;

	if (!rows) {
		inv_err_set(&err, INV_ERROR, "", _("out of memory"));
		return cli_fail(c, INV_ERROR, &err, NULL, 0);
	}
	for (;;) {
		rc = store_page(c->st, &c->who, o->view, o->filter, anchor,
		                PAGE_AFTER, rows, cap, &n, &err);
		if (rc != INV_OK) {
			code = started ? list_fail_midway(&lo, rc, &err)
			               : cli_fail(c, rc, &err, NULL, 0);
			goto out;
		}
		if (!started)
			list_start(&lo, rows, n);
		started = true;
		if (o->limit) {
			if (n > (size_t)o->limit) {
				n = (size_t)o->limit;
				next_after = rows[n - 1].id;
			}
			list_rows(&lo, rows, n);
			break;
		}
		list_rows(&lo, rows, n);
		if (n < cap)
			break;
		anchor = rows[n - 1].id;
	}
	list_finish(&lo, next_after);
	code = cli_end(c, 0);
out:
	free(rows);
	return code;
}

/* A filter is matched as text: bytes that are not UTF-8, controls or
 * invisible formatting characters could never be what a person meant. */
static bool list_filter_ok(const char *text)
{
	size_t len = strlen(text), i = 0;
	uint32_t cp;

	while (i < len) {
		i += text_decode(text + i, len - i, &cp);
		if (text_unsafe(cp))
			return false;
	}
	return true;
}

int cli_list(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"view", required_argument, NULL, 'v'},
		{"limit", required_argument, NULL, 'l'},
		{"after", required_argument, NULL, 'a'},
		{"filter", required_argument, NULL, 'f'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct list_opts o = {VIEW_ACTIVE, 0, 0, NULL};
	struct inv_err err;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'v':
			if (store_view_parse(optarg, &o.view, &err) != INV_OK)
				return cli_fail(&c, INV_INVALID, &err, NULL, 0);
			break;
		case 'l':
			if (!cli_parse_int(optarg, 1, LIST_LIMIT_MAX, &o.limit))
				return cli_usage_error(&c, "limit",
					_("list: --limit must be a whole number from 1 "
					  "to %d, not '%s'"),
					LIST_LIMIT_MAX, optarg);
			break;
		case 'a':
			if (!cli_parse_int(optarg, 0, INT64_MAX, &o.after))
				return cli_usage_error(&c, "after",
					_("list: --after must be an invoice id (a whole "
					  "number), not '%s'"),
					optarg);
			break;
		case 'f':
			if (!list_filter_ok(optarg))
				return cli_usage_error(&c, "filter",
					_("list: --filter must be UTF-8 text without "
					  "control characters"));
			o.filter = optarg;
			break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	code = cli_session_open(&c);
	if (code)
		return code;
	code = list_run(&c, &o);
	cli_session_close(&c);
	return code;
}
