/*
 * table.c - the invoice table (SPEC 4.1): keyset paging, selection, the
 * filter, and the table's keys.
 *
 * Only the visible page is held (rows[], at most one screen), anchored at
 * the id of its first row.  Moving past an edge reads one keyset page
 * before or after the rows held, so paging costs the same anywhere in a
 * million rows.  A reload re-reads the page from its anchor and keeps the
 * selection on the same invoice when it is still there.
 *
 * Two deliberate departures from what the database says, both temporary:
 * rows in hidden[] are left out while their optimistic archive is in
 * flight, and rows in drift[] are shown as this screen showed them before
 * a forced version drift (SPEC 4.5), until the next action on them.
 */
#include <assert.h>

#include "tui_internal.h"

int table_height(void)
{
	/* the stage less the tabs and the header */
	int h = STAGE_LINES - 3;

	if (h < 1)
		h = 1;
	if (h > TABLE_ROWS_MAX)
		h = TABLE_ROWS_MAX;
	return h;
}

static bool table_is_hidden(const struct table *t, int64_t id)
{
	for (size_t i = 0; i < t->nhidden; i++)
		if (t->hidden[i] == id)
			return true;
	return false;
}

const struct invoice *table_drift_find(struct app *a, int64_t id)
{
	struct table *t = &a->table;

	for (size_t i = 0; i < t->ndrift; i++)
		if (t->drift[i].id == id)
			return &t->drift[i].shown;
	return NULL;
}

/* Read a page into t->scratch, drop hidden rows, keep `want` of them
 * nearest the anchor and put drifted rows back as they were shown.
 * Returns how many rows scratch holds. */
static size_t table_fetch(struct app *a, int64_t anchor, enum page_dir dir,
                          size_t want)
{
	struct table *t = &a->table;
	struct inv_err err;
	size_t n = 0, kept = 0;
	enum inv_rc rc;

	/* scratch holds a page and the rows hidden from it */
	assert(want <= TABLE_ROWS_MAX && t->nhidden <= TABLE_HIDDEN_MAX);
	rc = store_page(a->st, &a->who, a->view, t->filter, anchor, dir,
	                t->scratch, want + t->nhidden, &n, &err);
	if (rc != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (!table_is_hidden(t, t->scratch[i].id))
			t->scratch[kept++] = t->scratch[i];
	if (kept > want) {
		/* before the anchor the nearest rows are the last ones */
		if (dir == PAGE_BEFORE)
			memmove(t->scratch, t->scratch + (kept - want),
			        want * sizeof t->scratch[0]);
		kept = want;
	}
	for (size_t i = 0; i < kept; i++) {
		const struct invoice *shown =
			table_drift_find(a, t->scratch[i].id);
		if (shown)
			t->scratch[i] = *shown;
	}
	return kept;
}

/* The page's invariants: at most one screen of rows, within rows[], and
 * the selection on one of them (or 0 on an empty page). */
static void table_assert_bounds(const struct table *t)
{
	assert(t->n <= TABLE_ROWS_MAX);
	assert(t->sel >= 0 && (t->n == 0 || (size_t)t->sel < t->n));
	assert(t->nhidden <= TABLE_HIDDEN_MAX);
	assert(t->ndrift <= TABLE_DRIFT_MAX);
}

static void table_fetched(struct app *a)
{
	char tag[CACHE_TAG_MAX];

	cache_tag_list(a->who.org_id, tag);
	cache_fetched(a->cache, tag, app_now());
	a->table.top_id = a->table.n > 0 ? a->table.rows[0].id : 0;
	a->dirty = true;
}

/* Put k scratch rows in front of the page, keeping at most h rows. */
static void table_prepend(struct table *t, size_t k, size_t h)
{
	size_t keep = t->n;

	if (k > h)
		k = h;
	if (keep + k > h)
		keep = h - k;
	memmove(t->rows + k, t->rows, keep * sizeof t->rows[0]);
	memcpy(t->rows, t->scratch, k * sizeof t->rows[0]);
	t->n = keep + k;
}

static void table_select_index_of(struct table *t, int64_t id)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->rows[i].id == id) {
			t->sel = (int)i;
			return;
		}
	}
	if (t->sel >= (int)t->n)
		t->sel = (int)t->n - 1;
	if (t->sel < 0)
		t->sel = 0;
}

void table_reload(struct app *a)
{
	struct table *t = &a->table;
	size_t h = (size_t)table_height(), k;
	int64_t sel_id = 0;

	if (t->n > 0 && t->sel >= 0 && (size_t)t->sel < t->n)
		sel_id = t->rows[t->sel].id;
	if (t->want_sel) {
		sel_id = t->want_sel;
		t->want_sel = 0;
	}
	k = table_fetch(a, t->top_id, PAGE_FROM, h);
	memcpy(t->rows, t->scratch, k * sizeof t->rows[0]);
	t->n = k;
	/* the page's end moved up (rows left the view): fill from above */
	if (t->n < h && t->top_id > 0) {
		k = table_fetch(a, t->n > 0 ? t->rows[0].id : t->top_id,
		                PAGE_BEFORE, h - t->n);
		table_prepend(t, k, h);
	}
	table_select_index_of(t, sel_id);
	t->reload = false;
	table_fetched(a);
}

void table_reset(struct app *a)
{
	struct table *t = &a->table;

	t->n = 0;
	t->sel = 0;
	t->top_id = 0;
	t->nhidden = 0;
	t->ndrift = 0;
	/* no row is shown as it was any more: nor is a toast about one */
	toast_withdraw_about(a, 0);
	t->filter[0] = '\0';
	t->filter_editing = false;
	lineedit_init(&t->filter_le, 64, false);
	t->reload = true;
}

void table_select_id(struct app *a, int64_t id)
{
	struct table *t = &a->table;
	size_t h = (size_t)table_height(), k;

	k = table_fetch(a, id, PAGE_BEFORE, h / 2);
	memcpy(t->rows, t->scratch, k * sizeof t->rows[0]);
	t->n = k;
	k = table_fetch(a, id, PAGE_FROM, h - t->n);
	memcpy(t->rows + t->n, t->scratch, k * sizeof t->rows[0]);
	t->n += k;
	if (t->n < h && t->n > 0) {
		k = table_fetch(a, t->rows[0].id, PAGE_BEFORE, h - t->n);
		table_prepend(t, k, h);
	}
	t->sel = 0;
	table_select_index_of(t, id);
	t->reload = false;
	table_fetched(a);
}

const struct invoice *table_selected(struct app *a)
{
	struct table *t = &a->table;

	if (t->n == 0 || t->sel < 0 || (size_t)t->sel >= t->n)
		return NULL;
	return &t->rows[t->sel];
}

void table_hide(struct app *a, int64_t id)
{
	struct table *t = &a->table;
	size_t i;

	if (t->nhidden < TABLE_HIDDEN_MAX && !table_is_hidden(t, id))
		t->hidden[t->nhidden++] = id;
	/* leave the page on the same frame; the reload fills the gap */
	for (i = 0; i < t->n; i++) {
		if (t->rows[i].id != id)
			continue;
		memmove(t->rows + i, t->rows + i + 1,
		        (t->n - i - 1) * sizeof t->rows[0]);
		t->n--;
		break;
	}
	if (t->sel >= (int)t->n && t->sel > 0)
		t->sel = (int)t->n - 1;
	t->reload = true;
	a->dirty = true;
}

void table_unhide(struct app *a, int64_t id)
{
	struct table *t = &a->table;

	for (size_t i = 0; i < t->nhidden; i++) {
		if (t->hidden[i] != id)
			continue;
		t->hidden[i] = t->hidden[--t->nhidden];
		t->reload = true;
		return;
	}
}

void table_drift_mark(struct app *a, const struct invoice *shown)
{
	struct table *t = &a->table;

	table_drift_unmark(a, shown->id);
	if (t->ndrift == TABLE_DRIFT_MAX) {
		toast_withdraw_about(a, t->drift[0].id);
		memmove(t->drift, t->drift + 1,
		        (TABLE_DRIFT_MAX - 1) * sizeof t->drift[0]);
		t->ndrift--;
	}
	t->drift[t->ndrift].id = shown->id;
	t->drift[t->ndrift].shown = *shown;
	t->ndrift++;
}

bool table_drift_unmark(struct app *a, int64_t id)
{
	struct table *t = &a->table;

	for (size_t i = 0; i < t->ndrift; i++) {
		if (t->drift[i].id != id)
			continue;
		memmove(t->drift + i, t->drift + i + 1,
		        (t->ndrift - i - 1) * sizeof t->drift[0]);
		t->ndrift--;
		t->reload = true;
		/* the row is shown as it is now: "still shows vN" is over */
		toast_withdraw_about(a, id);
		return true;
	}
	return false;
}

/* ---- moving ----------------------------------------------------------- */

/* Read up to count rows after the page; returns by how many rows the page
 * slid (rows dropped at the top). */
static size_t table_slide_down(struct app *a, size_t count)
{
	struct table *t = &a->table;
	size_t h = (size_t)table_height(), k, total, shift;

	if (t->n == 0)
		return 0;
	k = table_fetch(a, t->rows[t->n - 1].id, PAGE_AFTER, count);
	total = t->n + k;
	shift = total > h ? total - h : 0;
	memmove(t->rows, t->rows + shift, (t->n - shift) * sizeof t->rows[0]);
	memcpy(t->rows + (t->n - shift), t->scratch, k * sizeof t->rows[0]);
	t->n = total - shift;
	table_fetched(a);
	return shift;
}

/* Read up to count rows before the page; returns how many came in. */
static size_t table_slide_up(struct app *a, size_t count)
{
	struct table *t = &a->table;
	size_t k;

	if (t->n == 0)
		return 0;
	k = table_fetch(a, t->rows[0].id, PAGE_BEFORE, count);
	table_prepend(t, k, (size_t)table_height());
	table_fetched(a);
	return k;
}

static void table_clamp(struct table *t, long sel)
{
	if (sel >= (long)t->n)
		sel = (long)t->n - 1;
	if (sel < 0)
		sel = 0;
	t->sel = (int)sel;
}

static void table_down(struct app *a, size_t step)
{
	struct table *t = &a->table;
	size_t shift;

	if (t->n == 0)
		return;
	if (step == 1 && (size_t)t->sel + 1 < t->n) {
		t->sel++;
		return;
	}
	shift = table_slide_down(a, step);
	table_clamp(t, (long)t->sel + (long)step - (long)shift);
}

static void table_up(struct app *a, size_t step)
{
	struct table *t = &a->table;
	size_t k;

	if (t->n == 0)
		return;
	if (step == 1 && t->sel > 0) {
		t->sel--;
		return;
	}
	k = table_slide_up(a, step);
	table_clamp(t, (long)t->sel + (long)k - (long)step);
}

static void table_home(struct app *a)
{
	a->table.top_id = 0;
	a->table.sel = 0;
	a->table.n = 0;
	table_reload(a);
}

static void table_end(struct app *a)
{
	struct table *t = &a->table;
	size_t k = table_fetch(a, INT64_MAX, PAGE_BEFORE,
	                       (size_t)table_height());

	memcpy(t->rows, t->scratch, k * sizeof t->rows[0]);
	t->n = k;
	table_clamp(t, (long)k - 1);
	table_fetched(a);
}

/* ---- the filter ------------------------------------------------------- */

static void table_filter_apply(struct app *a)
{
	struct table *t = &a->table;

	lineedit_get(&t->filter_le, t->filter, sizeof t->filter);
	t->top_id = 0;
	t->sel = 0;
	t->n = 0;
	table_reload(a);
}

static void table_filter_key(struct app *a, wint_t ch, bool fkey)
{
	struct table *t = &a->table;
	bool changed = false;

	if (!fkey && ch == KEY_ESC) {
		lineedit_set(&t->filter_le, "");
		t->filter_editing = false;
		table_filter_apply(a);
		return;
	}
	if ((!fkey && (ch == '\n' || ch == '\r')) || (fkey && ch == KEY_ENTER)) {
		t->filter_editing = false;
		return;
	}
	if (fkey && (ch == KEY_UP || ch == KEY_DOWN)) {
		t->filter_editing = false;
		table_key(a, ch, fkey);
		return;
	}
	lineedit_key(&t->filter_le, ch, fkey, &changed);
	if (changed)
		table_filter_apply(a);
}

/* ---- keys ------------------------------------------------------------- */

static void table_edit_selected(struct app *a)
{
	const struct invoice *row = table_selected(a);
	const struct invoice *shown;
	struct invoice fresh;
	struct inv_err err;

	if (!row) {
		toast_show(a, TOAST_INFO, _("No invoice selected."));
		return;
	}
	if (row->deleted_at[0]) {
		toast_show(a, TOAST_ERROR,
		           _("A deleted invoice cannot be edited."));
		return;
	}
	/* A drifted row opens as it was shown, so the save is stale on
	 * purpose (the one-terminal conflict demonstration). */
	shown = table_drift_find(a, row->id);
	if (shown) {
		fresh = *shown;
		table_drift_unmark(a, row->id);
		form_open_edit(a, &fresh);
		return;
	}
	if (store_get(a->st, &a->who, row->id, &fresh, &err) != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		return;
	}
	form_open_edit(a, &fresh);
}

static void table_history_selected(struct app *a)
{
	const struct invoice *row = table_selected(a);

	if (!row) {
		toast_show(a, TOAST_INFO, _("No invoice selected."));
		return;
	}
	history_open(a, row);
}

static void table_view_key(struct app *a, int n)
{
	if (rule_view(&a->who, (enum inv_view)n, NULL) != INV_OK) {
		toast_show(a, TOAST_ERROR,
		           _("The All view is for admins only."));
		return;
	}
	app_set_view(a, (enum inv_view)n);
}

static void table_view_next(struct app *a)
{
	int n = (int)a->view + 1;

	if (n >= VIEW__COUNT ||
	    rule_view(&a->who, (enum inv_view)n, NULL) != INV_OK)
		n = VIEW_ACTIVE;
	app_set_view(a, (enum inv_view)n);
}

/* The table's keys, as keymap.c binds them. */
static bool table_action(struct app *a, enum km_action act)
{
	struct table *t = &a->table;
	size_t page = (size_t)table_height();

	switch (act) {
	case KA_DOWN:
		table_down(a, 1);
		return true;
	case KA_UP:
		table_up(a, 1);
		return true;
	case KA_PAGE_DOWN:
		table_down(a, page);
		return true;
	case KA_PAGE_UP:
		table_up(a, page);
		return true;
	case KA_FIRST:
		table_home(a);
		return true;
	case KA_LAST:
		table_end(a);
		return true;
	case KA_EDIT:
		table_edit_selected(a);
		return true;
	case KA_NEW:
		form_open_create(a);
		return true;
	case KA_ARCHIVE:
		app_lifecycle(a, W_ARCHIVE);
		return true;
	case KA_RESTORE:
		app_lifecycle(a, W_RESTORE);
		return true;
	case KA_UNDO:
		app_undo_archive(a);
		return true;
	case KA_DELETE:
		app_lifecycle(a, W_DELETE);
		return true;
	case KA_HISTORY:
		table_history_selected(a);
		return true;
	case KA_INSPECT:
		inspector_open(a);
		return true;
	case KA_SUMMARY_PAGE:
		summary_next_page(a);
		return true;
	case KA_HELP:
		help_open(a);
		return true;
	case KA_QUIT:
		app_quit(a);
		return true;
	case KA_VIEW_ACTIVE:
		table_view_key(a, VIEW_ACTIVE);
		return true;
	case KA_VIEW_ARCHIVED:
		table_view_key(a, VIEW_ARCHIVED);
		return true;
	case KA_VIEW_ALL:
		table_view_key(a, VIEW_ALL);
		return true;
	case KA_VIEW_NEXT:
		table_view_next(a);
		return true;
	case KA_FILTER:
		lineedit_set(&t->filter_le, t->filter);
		t->filter_editing = true;
		return true;
	case KA_FILTER_CLEAR:
		if (t->filter[0]) {
			lineedit_set(&t->filter_le, "");
			table_filter_apply(a);
		}
		return true;
	default:
		return false;
	}
}

bool table_key(struct app *a, wint_t ch, bool fkey)
{
	if (a->table.filter_editing) {
		table_filter_key(a, ch, fkey);
		return true;
	}
	return table_action(a, keymap_action(KM_TABLE, ch, fkey));
}

/* ---- drawing ---------------------------------------------------------- */

/* Column widths come from the screen's width, the view and the labels,
 * not from the rows on the page: paging or a peer's edit never moves a
 * column.  Only a value wider than its column's room (a total of ten
 * million, a foreign date) widens it: a total is never cut. */
#define NUMBER_COLS 10   /* "ACME-10000" */
#define NUMBER_COLS_MAX 16
#define TOTAL_COLS 14    /* "250,000.00 USD" */
#define CUSTOMER_MIN_COLS 28

struct table_cols {
	int gap;
	int num_w, cust_w, st_w, tot_w, ver_w, life_w;
	bool ver, life;
};

static void row_total(const struct invoice *r, char *buf, size_t size)
{
	screen_money(r->total_minor, r->currency, buf, size);
}

/* The life column: in the Archived view the date (its header says
 * "Archived on"), in the All view the state. */
static const char *life_header(enum inv_view v)
{
	return v == VIEW_ARCHIVED ? _("Archived on") : _("State");
}

static void row_life(enum inv_view v, const struct invoice *r, char *buf,
                     size_t size, enum draw_role *role)
{
	buf[0] = '\0';
	*role = RO_NORMAL;
	if (r->deleted_at[0]) {
		text_copy(buf, size, _("Deleted"));
		*role = RO_DELETED;
	} else if (r->archived_at[0]) {
		if (v == VIEW_ARCHIVED) {
			char stored[11];

			/* the date part only, bounded like any text from the
			 * database, so a damaged value cannot widen the
			 * column; written as the locale writes dates */
			snprintf(stored, sizeof stored, "%.10s",
			         r->archived_at);
			l10n_time(stored, L10N_DATE, buf, size);
		} else {
			text_copy(buf, size, _("Archived"));
		}
		*role = RO_ARCHIVED;
	}
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int table_fixed_cols(const struct table_cols *c)
{
	int fixed = 1 + c->num_w + c->gap + c->gap + c->st_w + c->gap +
	            c->tot_w + 1;

	if (c->ver)
		fixed += c->gap + c->ver_w;
	if (c->life)
		fixed += c->gap + c->life_w;
	return fixed;
}

static void table_layout(struct app *a, int width, struct table_cols *c)
{
	/* tried in order until the Customer has its room: the narrow gap,
	 * then the version left out (the form and the history show it) */
	static const struct {
		int gap;
		bool ver;
	} tries[] = { { 2, true }, { 1, true }, { 2, false }, { 1, false } };
	struct table *t = &a->table;
	char buf[128];

	memset(c, 0, sizeof *c);
	c->num_w = max_int(text_cols(_("Number")), NUMBER_COLS);
	c->st_w = text_cols(_("Status"));
	c->tot_w = max_int(text_cols(_("Total")), TOTAL_COLS);
	c->ver_w = text_cols(_("Version"));
	for (int s = 0; s < ST__COUNT; s++)
		c->st_w = max_int(c->st_w,
		                  text_cols(invoice_status_label((enum inv_status)s)));
	c->life = a->view != VIEW_ACTIVE;
	if (a->view == VIEW_ARCHIVED)
		c->life_w = max_int(text_cols(life_header(a->view)),
		                    text_cols("0000-00-00"));
	else
		c->life_w = max_int(text_cols(life_header(a->view)),
		                    max_int(text_cols(_("Archived")),
		                            text_cols(_("Deleted"))));
	for (size_t i = 0; i < t->n; i++) {
		const struct invoice *r = &t->rows[i];
		c->num_w = max_int(c->num_w, text_cols(r->number));
		row_total(r, buf, sizeof buf);
		c->tot_w = max_int(c->tot_w, text_cols(buf));
		snprintf(buf, sizeof buf, "%lld", (long long)r->version);
		c->ver_w = max_int(c->ver_w, text_cols(buf));
		if (c->life) {
			enum draw_role role;
			row_life(a->view, r, buf, sizeof buf, &role);
			c->life_w = max_int(c->life_w, text_cols(buf));
		}
	}
	if (c->num_w > NUMBER_COLS_MAX)
		c->num_w = NUMBER_COLS_MAX;
	for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
		c->gap = tries[i].gap;
		c->ver = tries[i].ver;
		c->cust_w = width - table_fixed_cols(c);
		if (c->cust_w >= CUSTOMER_MIN_COLS)
			return;
	}
	if (c->cust_w < 8 && c->life) {
		c->life = false;
		c->cust_w += 1 + c->life_w;
	}
	if (c->cust_w < 1)
		c->cust_w = 1;
}

static void table_draw_header(WINDOW *w, int y, const struct table_cols *c,
                              int width, enum inv_view v)
{
	int x = 1;

	wattron(w, draw_attr(RO_HEADER));
	draw_text(w, y, 0, width, "", ALIGN_LEFT);
	draw_text(w, y, x, c->num_w, _("Number"), ALIGN_LEFT);
	x += c->num_w + c->gap;
	draw_text(w, y, x, c->cust_w, _("Customer"), ALIGN_LEFT);
	x += c->cust_w + c->gap;
	draw_text(w, y, x, c->st_w, _("Status"), ALIGN_LEFT);
	x += c->st_w + c->gap;
	draw_text(w, y, x, c->tot_w, _("Total"), ALIGN_RIGHT);
	x += c->tot_w + c->gap;
	if (c->ver) {
		draw_text(w, y, x, c->ver_w, _("Version"), ALIGN_RIGHT);
		x += c->ver_w + c->gap;
	}
	if (c->life)
		draw_text(w, y, x, c->life_w, life_header(v), ALIGN_LEFT);
	wattroff(w, draw_attr(RO_HEADER));
}

static void table_draw_row(WINDOW *w, int y, const struct invoice *r,
                           const struct table_cols *c, int width,
                           enum inv_view v, bool selected,
                           bool open_elsewhere)
{
	char buf[128];
	enum draw_role life_role;
	int x = 1;

	if (selected)
		wattron(w, A_REVERSE);
	draw_text(w, y, 0, width, "", ALIGN_LEFT);
	/* the margin column: open in another terminal */
	if (open_elsewhere)
		draw_text(w, y, 0, 1, "•", ALIGN_LEFT);
	draw_text(w, y, x, c->num_w, r->number, ALIGN_LEFT);
	x += c->num_w + c->gap;
	draw_text(w, y, x, c->cust_w, r->customer, ALIGN_LEFT);
	x += c->cust_w + c->gap;
	draw_text(w, y, x, c->st_w, invoice_status_label(r->status),
	          ALIGN_LEFT);
	x += c->st_w + c->gap;
	row_total(r, buf, sizeof buf);
	draw_text(w, y, x, c->tot_w, buf, ALIGN_RIGHT);
	x += c->tot_w + c->gap;
	if (c->ver) {
		snprintf(buf, sizeof buf, "%lld", (long long)r->version);
		draw_text(w, y, x, c->ver_w, buf, ALIGN_RIGHT);
		x += c->ver_w + c->gap;
	}
	if (c->life) {
		row_life(v, r, buf, sizeof buf, &life_role);
		if (buf[0]) {
			attr_t at = draw_attr(life_role);
			wattron(w, at);
			draw_text(w, y, x, c->life_w, buf, ALIGN_LEFT);
			wattroff(w, at);
		}
	}
	if (selected)
		wattroff(w, A_REVERSE);
}

void table_draw(struct app *a, WINDOW *w, int y, int h)
{
	struct table *t = &a->table;
	struct table_cols c;
	int width = getmaxx(w);

	table_assert_bounds(t);
	table_layout(a, width, &c);
	table_draw_header(w, y, &c, width, a->view);
	if (t->n == 0) {
		const char *empty = t->filter[0]
			? _("No invoices match the filter.")
			: _("No invoices in this view.");
		draw_text_role(w, y + 2, 2, width - 4, empty, ALIGN_LEFT,
		               RO_MUTED);
		return;
	}
	for (int i = 0; i < (int)t->n && i < h - 1; i++)
		table_draw_row(w, y + 1 + i, &t->rows[i], &c, width, a->view,
		               i == t->sel,
		               presence_open_elsewhere(a, t->rows[i].id));
}

/* The line above the summary: the filter prompt, the active filter.
 * Returns the cursor's column while the filter is being typed, else -1. */
int table_draw_filter(struct app *a, WINDOW *w, int y)
{
	struct table *t = &a->table;
	int width = getmaxx(w), x, fw;

	if (t->filter_editing) {
		x = draw_str(w, y, 1, _("Filter:"), RO_KEY, 0) + 1;
		fw = width - x - 1;
		if (fw > 40)
			fw = 40;
		if (fw < 1)
			return -1;
		int cx = lineedit_draw(&t->filter_le, w, y, x, fw, RO_HEADER);
		draw_str(w, y, x + fw + 2, _("Enter keep · Esc clear"), RO_MUTED,
		         0);
		return cx;
	}
	if (t->filter[0]) {
		char buf[LINEEDIT_MAX * 4 + 64];
		snprintf(buf, sizeof buf, _("Filter: %s  (/ change, Esc clear)"),
		         t->filter);
		draw_str(w, y, 1, buf, RO_MUTED, width - 2);
	}
	return -1;
}
