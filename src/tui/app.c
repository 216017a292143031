/*
 * app.c - tui_run(): the screen's state, the event loop, key dispatch, the
 * writer's results, and the frame (identity line, tabs and freshness, the
 * table, summary, hints, then the layers and toasts on top).
 *
 * The loop never blocks on anything but poll(): the terminal, the notify
 * pipe (the writer thread, the lock holder, signals), the store's wake-up
 * descriptor (another connection committed) and a timeout.  There is no
 * periodic timer: the timeout is the nearest of the things that are due
 * at a known time — the freshness strip's text turning over, a toast
 * going, an autosave, the "waiting" status of a write, a re-check the
 * feed asked for — and none at all when nothing is.  Stale tags drive the
 * re-reads, and a frame is drawn only when something changed.
 *
 * Signals (INT, TERM, HUP) only write a byte to the notify pipe; the loop
 * saves an open form's draft and leaves through the normal exit, which
 * restores the terminal.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "tui_internal.h"

#define WAITING_AFTER_MS 150
/* How long leaving waits for the writer thread: a write stuck on a lock
 * (the writer's busy timeout is longer) must not hold the shell.  `q`
 * already waited for the answers with the screen up. */
#define WRITER_STOP_MS 1000
/* a request queued but not yet started: look again this soon */
#define WAITING_QUEUED_MS 20
/* the least time between two reads of the wake-up: a foreign writer's
 * bulk transaction, a write() at a time, wakes the screen at most this
 * often (its events pile up in the meantime, nothing is lost) */
#define WAKEUP_GAP_MS 1
#define FEED_BATCH 64

static volatile sig_atomic_t signal_caught;
static int signal_fd = -1;
/* The thread that runs tui_run(): the only one that may touch curses,
 * the cache, the feed and app->st (tui_internal.h). */
static pthread_t main_thread;
static bool main_thread_set;

bool app_on_main_thread(void)
{
	return main_thread_set && pthread_equal(pthread_self(), main_thread);
}

int64_t app_now(void)
{
	return cache_now_ms();
}

bool app_too_small(void)
{
	return COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES;
}

bool app_waiting(struct app *a)
{
	int64_t since = a->writer ? writer_busy_since(a->writer) : 0;

	return since > 0 && app_now() - since >= WAITING_AFTER_MS;
}

static bool wreq_is_invoice_write(enum wreq_kind k)
{
	return k == W_EDIT || k == W_CREATE || k == W_ARCHIVE ||
	       k == W_RESTORE || k == W_DELETE || k == W_REVERT;
}

bool app_submit(struct app *a, struct wreq *req)
{
	if (!a->writer || !writer_submit(a->writer, req)) {
		toast_show(a, TOAST_ERROR,
		           _("Too many writes are waiting; try again shortly."));
		return false;
	}
	/* The feed is not read while an own write is in flight, so the
	 * write is noted as our own before the feed can meet it. */
	if (wreq_is_invoice_write(req->kind))
		a->writes_inflight++;
	a->requests_out++;
	a->dirty = true;
	return true;
}

void app_own_write(struct app *a, const struct wres *r)
{
	cache_invalidate_change(a->cache, r->req.who.org_id, r->res.row.id,
	                        CACHE_SRC_ACTION, app_now());
	feed_note_own(&a->feed, r->res.change_seq);
	overwritten_note_own(a, r);
}

/* ---- reads ------------------------------------------------------------ */

static void app_reload_summary(struct app *a)
{
	char tag[CACHE_TAG_MAX];
	struct inv_err err;

	cache_tag_summary(a->who.org_id, tag);
	if (store_summary(a->st, &a->who, &a->sum, &err) == INV_OK)
		a->have_sum = true;
	else
		toast_show(a, TOAST_ERROR, err.msg);
	cache_fetched(a->cache, tag, app_now());
	a->dirty = true;
}

/* Re-read what a stale tag (or a local reason) says is out of date. */
static void app_refresh_stale(struct app *a)
{
	char tag[CACHE_TAG_MAX];

	cache_tag_list(a->who.org_id, tag);
	if (a->table.reload || !cache_fresh(a->cache, tag))
		table_reload(a);
	cache_tag_summary(a->who.org_id, tag);
	if (!a->have_sum || !cache_fresh(a->cache, tag))
		app_reload_summary(a);
	if (a->form && !a->form->create) {
		cache_tag_record(a->who.org_id, a->form->base.id, tag);
		if (!cache_fresh(a->cache, tag))
			form_check_record(a);
	}
}

/* One read: feed_poll reads every change since the last and leaves
 * nothing for a second call (it would find the wake-up quiet). */
static void app_feed_poll(struct app *a)
{
	struct change changes[FEED_BATCH];
	struct inv_err err;
	size_t n;

	if (feed_poll(&a->feed, a->st, &a->who, a->cache, changes, FEED_BATCH,
	              &n, &err) == INV_OK) {
		overwritten_check(a, changes, n);
		history_on_changes(a, changes, n);
	}
	presence_refresh(a);
}

/* ---- views, identity, lifecycle ---------------------------------------- */

void app_set_view(struct app *a, enum inv_view v)
{
	if (v == a->view)
		return;
	a->view = v;
	a->table.top_id = 0;
	a->table.sel = 0;
	a->table.n = 0;
	a->table.reload = true;
	a->dirty = true;
}

bool app_switch_identity(struct app *a, const char *user, const char *org)
{
	struct identity who;
	struct inv_err err;
	char msg[256];

	if (store_identity(a->st, user, org, &who, &err) != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		return false;
	}
	a->who = who;
	a->undo.id = 0;
	if (rule_view(&who, a->view, NULL) != INV_OK)
		a->view = VIEW_ACTIVE;
	table_reset(a);
	a->have_sum = false;
	snprintf(msg, sizeof msg, _("Now acting as %s @ %s (%s)."), who.user,
	         who.org, identity_role_name(who.role));
	toast_show(a, TOAST_INFO, msg);
	return true;
}

static void app_lifecycle_submit(struct app *a, enum wreq_kind kind,
                                 const struct invoice *row)
{
	struct wreq req;

	memset(&req, 0, sizeof req);
	req.kind = kind;
	req.who = a->who;
	req.id = row->id;
	req.version = row->version;
	if (!app_submit(a, &req))
		return;
	/* optimistic: the row leaves on this frame (SPEC 4.1) */
	if (kind == W_ARCHIVE && a->view == VIEW_ACTIVE)
		table_hide(a, row->id);
}

static void app_delete_answer(struct app *a, bool yes, int64_t id)
{
	struct table *t = &a->table;

	if (!yes)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->rows[i].id == id) {
			app_lifecycle_submit(a, W_DELETE, &t->rows[i]);
			return;
		}
	}
	toast_show(a, TOAST_ERROR, _("That invoice is no longer shown."));
}

/* Refusals the screen can see for itself need no write at all: the
 * store's own rules (rules.h), said the screen's way. */
static const char *app_lifecycle_refusal(struct app *a, enum wreq_kind kind,
                                         const struct invoice *row)
{
	enum rule_op op = kind == W_ARCHIVE   ? RULE_ARCHIVE
	                  : kind == W_RESTORE ? RULE_RESTORE
	                                      : RULE_DELETE;
	enum rule_verdict v;

	if (kind != W_ARCHIVE && kind != W_RESTORE && kind != W_DELETE)
		return NULL;
	v = rule_decide(op, row, &a->who, row->version, 0);
	switch (v) {
	case RULE_OK:
	case RULE_STALE:
		return NULL;
	case RULE_ADMIN_ONLY:
	case RULE_HIDDEN: /* a deleted row a member cannot see */
		if (kind == W_ARCHIVE)
			return _("A deleted invoice cannot be archived.");
		return kind == W_DELETE
		               ? _("Only an admin can delete invoices.")
		               : _("Only an admin can restore a deleted invoice.");
	case RULE_DELETED:
	case RULE_WRONG_LIFE:
		break;
	}
	switch (kind) {
	case W_ARCHIVE:
		return row->deleted_at[0]
		               ? _("A deleted invoice cannot be archived.")
		               : _("This invoice is already archived.");
	case W_RESTORE:
		return _("This invoice is neither archived nor deleted.");
	default:
		return _("This invoice is already deleted.");
	}
}

void app_lifecycle(struct app *a, enum wreq_kind kind)
{
	const struct invoice *row = table_selected(a);
	const char *why;
	char q[256];

	if (!row) {
		toast_show(a, TOAST_INFO, _("No invoice selected."));
		return;
	}
	why = app_lifecycle_refusal(a, kind, row);
	if (why) {
		toast_show(a, TOAST_ERROR, why);
		return;
	}
	if (kind == W_DELETE) {
		snprintf(q, sizeof q, _("Delete invoice %s?"),
		         row->number);
		confirm_open(a, q, app_delete_answer, row->id);
		return;
	}
	app_lifecycle_submit(a, kind, row);
}

/* "Invoice archived. u undo": the archive's own message with the key
 * that takes it back, as the hints name keys. */
static const char *app_undo_offer(void)
{
	static char buf[TOAST_TEXT];

	snprintf(buf, sizeof buf, "%s %s", _("Invoice archived."),
	         _("u undo"));
	return buf;
}

void app_undo_archive(struct app *a)
{
	struct wreq req;

	/* the offer is taken, or has lapsed: its toast goes either way */
	toast_withdraw(a, app_undo_offer());
	if (a->undo.id == 0 || app_now() >= a->undo.until_ms) {
		a->undo.id = 0;
		toast_show(a, TOAST_INFO, _("Nothing to undo."));
		return;
	}
	/* guarded like any restore: if the invoice moved since the
	 * archive, the core refuses and nothing is written */
	memset(&req, 0, sizeof req);
	req.kind = W_RESTORE;
	req.who = a->who;
	req.id = a->undo.id;
	req.version = a->undo.version;
	a->undo.id = 0;
	if (app_submit(a, &req))
		a->table.want_sel = req.id;
}

/* Whether the table of this view lists a row in the state of row. */
static bool app_view_lists(const struct app *a, const struct invoice *row)
{
	enum inv_life life = invoice_life(row);

	return a->view == VIEW_ALL ||
	       (a->view == VIEW_ACTIVE && life == LIFE_ACTIVE) ||
	       (a->view == VIEW_ARCHIVED && life == LIFE_ARCHIVED);
}

/* A lifecycle action met a newer version: the table is re-read at once
 * (its reload is set), so the toast says so and names the key that tries
 * again on the row now shown; a row this view does not list (an undone
 * archive, say) gets no key to press. */
static void app_stale_toast(struct app *a, const struct wres *r)
{
	char msg[TOAST_TEXT];
	const char *key = keymap_key_of(KM_TABLE,
	                                app_lifecycle_action(r->req.kind));

	if (!r->res.have_row)
		snprintf(msg, sizeof msg,
		         _("This invoice changed elsewhere; refreshed — %s "
		           "tries again."),
		         key);
	else if (app_view_lists(a, &r->res.row))
		snprintf(msg, sizeof msg,
		         _("%s changed elsewhere; refreshed to v%lld — %s "
		           "tries again."),
		         r->res.row.number, (long long)r->res.row.version, key);
	else
		snprintf(msg, sizeof msg,
		         _("%s changed elsewhere (now v%lld); nothing was "
		           "changed."),
		         r->res.row.number, (long long)r->res.row.version);
	toast_show(a, TOAST_ERROR, msg);
}

static void app_lifecycle_result(struct app *a, const struct wres *r)
{
	static const char *const done[] = {
		[W_ARCHIVE] = N_("Invoice archived."),
		[W_RESTORE] = N_("Invoice restored."),
		[W_DELETE] = N_("Invoice deleted."),
	};

	table_unhide(a, r->req.id);
	table_drift_unmark(a, r->req.id);
	a->table.reload = true;
	/* a refused row comes back, and so does the selection on it */
	if (r->rc != INV_OK && r->req.kind == W_ARCHIVE)
		a->table.want_sel = r->req.id;
	if (r->rc == INV_OK && r->req.kind == W_ARCHIVE) {
		app_own_write(a, r);
		/* an archive is one key away: it can be taken back for as
		 * long as the toast says so */
		a->undo.id = r->res.row.id;
		a->undo.version = r->res.row.version;
		a->undo.until_ms = app_now() + UNDO_MS;
		toast_show_for(a, TOAST_OK, app_undo_offer(), UNDO_MS);
	} else if (r->rc == INV_OK) {
		app_own_write(a, r);
		toast_show(a, TOAST_OK, _(done[r->req.kind]));
	} else if (r->rc == INV_CONFLICT && strcmp(r->err.field, "number")) {
		app_stale_toast(a, r);
	} else {
		toast_show(a, TOAST_ERROR, r->err.msg);
	}
}

static void app_drift_result(struct app *a, const struct wres *r)
{
	char msg[256];

	if (r->rc != INV_OK) {
		table_drift_unmark(a, r->req.id);
		toast_show(a, TOAST_ERROR, r->err.msg);
		return;
	}
	snprintf(msg, sizeof msg,
	         _("Drift forced: %s is v%lld elsewhere; this screen still "
	           "shows v%lld."),
	         r->res.row.number, (long long)r->res.row.version,
	         (long long)r->req.version);
	toast_show_about(a, TOAST_INFO, msg, r->req.id);
}

static void app_on_result(struct app *a, const struct wres *r)
{
	if (wreq_is_invoice_write(r->req.kind) && a->writes_inflight > 0)
		a->writes_inflight--;
	if (a->requests_out > 0)
		a->requests_out--;
	switch (r->req.kind) {
	case W_EDIT:
	case W_CREATE:
	case W_DRAFT_SAVE:
		form_on_result(a, r);
		break;
	case W_RESTORE:
		if (r->req.form_serial)
			form_on_restore(a, r);
		app_lifecycle_result(a, r);
		break;
	case W_ARCHIVE:
	case W_DELETE:
		app_lifecycle_result(a, r);
		break;
	case W_DRIFT:
		app_drift_result(a, r);
		break;
	case W_REVERT:
		history_on_revert(a, r);
		break;
	case W_DRAFT_DISCARD:
		break;
	}
	/* a write `q` waited for was refused: its toast goes with the
	 * screen, so the refusal is said after it, as the command line
	 * would say it */
	if (a->finishing && r->rc != INV_OK &&
	    wreq_is_invoice_write(r->req.kind))
		text_copy(a->leave_msg, sizeof a->leave_msg, r->err.msg);
	/* the writes `q` waited for are done: leave now */
	if (a->finishing && a->requests_out == 0)
		a->quit = true;
	a->dirty = true;
}

void app_interrupt(struct app *a, int code)
{
	a->draft_kept = form_draft_save_now(a);
	a->quit = true;
	a->exit_code = code;
}

void app_quit(struct app *a)
{
	if (a->requests_out == 0 || a->finishing) {
		a->quit = true;
		return;
	}
	a->finishing = true;
	toast_show_for(a, TOAST_INFO,
	               _("Finishing a write before quitting… q quits now."),
	               INT32_MAX);
}

enum km_action app_lifecycle_action(enum wreq_kind kind)
{
	switch (kind) {
	case W_ARCHIVE:
		return KA_ARCHIVE;
	case W_RESTORE:
		return KA_RESTORE;
	case W_DELETE:
		return KA_DELETE;
	default:
		return KA_NONE;
	}
}

/* ---- the frame --------------------------------------------------------- */

static void app_strip_text(struct app *a, int64_t now, char *buf,
                           size_t size)
{
	char tag[CACHE_TAG_MAX], list[16], sum[16];

	if (app_waiting(a)) {
		text_copy(buf, size, _("waiting for the database lock…"));
		return;
	}
	cache_tag_list(a->who.org_id, tag);
	draw_age(now - cache_fetched_at(a->cache, tag), list, sizeof list);
	cache_tag_summary(a->who.org_id, tag);
	draw_age(now - cache_fetched_at(a->cache, tag), sum, sizeof sum);
	snprintf(buf, size, _("list %s ago · summary %s ago"), list, sum);
}

static void app_draw_identity(struct app *a, WINDOW *w)
{
	char buf[256];
	int x;

	snprintf(buf, sizeof buf, " inved  %s @ %s · %s", a->who.user,
	         a->who.org, identity_role_name(a->who.role));
	draw_text_role(w, 0, 0, COLS, buf, ALIGN_LEFT, RO_TITLE);
	if (a->demo) {
		const char *demo = _("demo");
		x = COLS - text_cols(demo) - 3;
		if (x > text_cols(buf) + 1)
			draw_text_role(w, 0, x, text_cols(demo) + 2, demo,
			               ALIGN_CENTER, RO_WARN);
	}
}

static void app_draw_tabs(struct app *a, WINDOW *w, int64_t now)
{
	static const char *const names[VIEW__COUNT] = {
		N_("Active"), N_("Archived"), N_("All"),
	};
	int views = rule_view(&a->who, VIEW_ALL, NULL) == INV_OK ? 3 : 2;
	char buf[96];
	int x = 1;

	for (int v = 0; v < views; v++) {
		snprintf(buf, sizeof buf, " %d %s ", v + 1, _(names[v]));
		x = draw_str(w, 1, x, buf, v == (int)a->view ? RO_TAB : RO_NORMAL,
		             0) + 1;
	}
	app_strip_text(a, now, a->strip, sizeof a->strip);
	const char *strip = a->strip;
	int sw = text_cols(strip);
	/* narrow screens: the ages without the words around them */
	if (COLS - sw - 1 <= x && !app_waiting(a)) {
		char tag[CACHE_TAG_MAX], l[16], s[16];
		cache_tag_list(a->who.org_id, tag);
		draw_age(now - cache_fetched_at(a->cache, tag), l, sizeof l);
		cache_tag_summary(a->who.org_id, tag);
		draw_age(now - cache_fetched_at(a->cache, tag), s, sizeof s);
		snprintf(buf, sizeof buf, "%s · %s", l, s);
		strip = buf;
		sw = text_cols(strip);
	}
	if (COLS - sw - 1 > x)
		draw_text_role(w, 1, COLS - sw - 1, sw, strip, ALIGN_LEFT,
		               app_waiting(a) ? RO_WARN : RO_MUTED);
}

/* One currency's total as the footer shows it: "812.125 BHD". */
static void summary_part(const struct summary_currency *c, char *buf,
                         size_t size)
{
	screen_money(c->total_minor, c->currency, buf, size);
}

/* The currency after the last one that fits in cols from `first`: at
 * least one, so a page always moves on. */
static size_t summary_page_end(const struct app *a, size_t first, int cols)
{
	char part[128];
	int used = 0;
	size_t i;

	for (i = first; i < a->sum.ncur; i++) {
		int c;
		summary_part(&a->sum.cur[i], part, sizeof part);
		c = text_cols(part) + (i > first ? 3 : 1);
		if (i > first && used + c > cols)
			break;
		used += c;
	}
	return i;
}

/* The counts, then the currencies of one page.  When not every currency
 * fits, the footer keeps SUMMARY_MARK_COLS at its end for "t 2/3": `t`
 * turns the page (summary_next_page). */
#define SUMMARY_MARK_COLS 9

static void summary_counts(const struct app *a, char *buf, size_t size)
{
	/* counts first: they must survive a narrow screen */
	snprintf(buf, size,
	         _(" %lld active · %lld archived · %lld deleted  |"),
	         (long long)a->sum.count[LIFE_ACTIVE],
	         (long long)a->sum.count[LIFE_ARCHIVED],
	         (long long)a->sum.count[LIFE_DELETED]);
}

/* Columns for the currencies; *paged when they need more than one page. */
static int summary_avail(const struct app *a, bool *paged)
{
	char counts[256];
	int avail;

	summary_counts(a, counts, sizeof counts);
	avail = COLS - text_cols(counts);
	*paged = a->sum.ncur > 0 &&
	         summary_page_end(a, 0, avail) < a->sum.ncur;
	if (*paged)
		avail -= SUMMARY_MARK_COLS;
	return avail < 1 ? 1 : avail;
}

/* Which page holds `first` (0-based) and how many there are; `first`
 * moves to its page's start (a resize changes the pages). */
static void summary_pages(struct app *a, int avail, size_t *page,
                          size_t *pages)
{
	size_t from = 0;

	*page = 0;
	*pages = 0;
	if (a->sum_first >= a->sum.ncur)
		a->sum_first = 0;
	while (from < a->sum.ncur) {
		size_t end = summary_page_end(a, from, avail);
		if (a->sum_first >= from && a->sum_first < end) {
			a->sum_first = from;
			*page = *pages;
		}
		(*pages)++;
		from = end;
	}
}

void summary_next_page(struct app *a)
{
	bool paged;
	int avail;
	size_t end;

	if (!a->have_sum)
		return;
	avail = summary_avail(a, &paged);
	if (!paged) {
		a->sum_first = 0;
		return;
	}
	end = summary_page_end(a, a->sum_first, avail);
	a->sum_first = end < a->sum.ncur ? end : 0;
}

static void app_draw_summary(struct app *a, WINDOW *w, int y)
{
	char buf[1024], part[160], mark[32];
	size_t o, page, pages, end;
	bool paged;
	int avail, cw, x;

	if (!a->have_sum)
		return;
	summary_counts(a, buf, sizeof buf);
	cw = text_cols(buf);
	avail = summary_avail(a, &paged);
	summary_pages(a, avail, &page, &pages);
	end = paged ? summary_page_end(a, a->sum_first, avail) : a->sum.ncur;
	o = strlen(buf);
	for (size_t i = a->sum_first; i < end && o + 1 < sizeof buf; i++) {
		char one[128];
		summary_part(&a->sum.cur[i], one, sizeof one);
		snprintf(part, sizeof part, "%s%s",
		         i == a->sum_first ? " " : " · ", one);
		text_copy(buf + o, sizeof buf - o, part);
		o += strlen(buf + o);
	}
	if (!paged) {
		draw_text(w, y, 0, COLS, buf, ALIGN_LEFT);
		return;
	}
	draw_text(w, y, 0, cw + avail, buf, ALIGN_LEFT);
	snprintf(mark, sizeof mark, " %zu/%zu", page + 1, pages);
	x = COLS - 1 - text_cols(mark) - 1;
	x = draw_str(w, y, x, "t", RO_KEY, COLS - x);
	draw_str(w, y, x, mark, RO_MUTED, COLS - x);
}

static void app_draw_hints(struct app *a, WINDOW *w, int y)
{
	struct draw_hint hints[KM_HINTS_MAX];
	int drop[KM_HINTS_MAX];
	size_t n;

	/* the highest rank gives way first; `?` and `q` never do, and the
	 * help they open names every key */
	/* the admin-only keys are offered when the rule allows deleting */
	n = keymap_hints(KM_TABLE,
	                 rule_role_allows(RULE_DELETE, LIFE_ACTIVE, &a->who, 0),
	                 hints, drop, KM_HINTS_MAX);
	draw_hints_ranked(w, y, 1, COLS - 1, hints, drop, n);
}

static void app_draw_too_small(struct app *a)
{
	char buf[64];

	for (int i = 0; i < a->nlayers; i++)
		if (a->layers[i].pan)
			hide_panel(a->layers[i].pan);
	for (int i = 0; i < a->ntoasts; i++)
		if (a->toasts[i].pan)
			hide_panel(a->toasts[i].pan);
	werase(a->base);
	snprintf(buf, sizeof buf, _("%dx%d, needs %dx%d"), COLS, LINES,
	         TUI_MIN_COLS, TUI_MIN_LINES);
	draw_text_role(a->base, LINES / 2, 0, COLS,
	               _("Terminal too small"), ALIGN_CENTER, RO_WARN);
	if (LINES / 2 + 1 < LINES)
		draw_text_role(a->base, LINES / 2 + 1, 0, COLS, buf + 0,
		               ALIGN_CENTER, RO_MUTED);
}

static void app_cursor(struct app *a, int filter_x)
{
	static int shown = -1;
	struct layer *top = layer_top(a);
	int want = 0;

	if (top && top->cursor_on && top->win) {
		setsyx(getbegy(top->win) + top->cursor_y,
		       getbegx(top->win) + top->cursor_x);
		want = 1;
	} else if (!top && filter_x >= 0) {
		setsyx(FILTER_ROW, filter_x);
		want = 1;
	}
	if (want != shown) {
		curs_set(want);
		shown = want;
	}
}

static void app_draw(struct app *a)
{
	int64_t now = app_now();
	int filter_x = -1;

	assert(app_on_main_thread());
	a->dirty = false;
	a->strip_dirty = false;
	if (app_too_small()) {
		app_strip_text(a, now, a->strip, sizeof a->strip);
		app_draw_too_small(a);
		update_panels();
		app_cursor(a, -1);
		doupdate();
		return;
	}
	werase(a->base);
	app_draw_identity(a, a->base);
	app_draw_tabs(a, a->base, now);
	table_draw(a, a->base, 2, STAGE_LINES - 2);
	filter_x = table_draw_filter(a, a->base, FILTER_ROW);
	app_draw_summary(a, a->base, SUMMARY_ROW);
	app_draw_hints(a, a->base, HINTS_ROW);
	for (int i = 0; i < a->nlayers; i++) {
		struct layer *l = &a->layers[i];
		l->ops->draw(a, l);
		if (l->pan)
			show_panel(l->pan);
	}
	toast_draw(a);
	update_panels();
	a->filter_x = filter_x;
	app_cursor(a, filter_x);
	doupdate();
}

/* Only the freshness strip turned over (the one thing an idle screen
 * repaints): its row alone is drawn again, unless an overlay is open or
 * the screen is too small, when the whole frame is. */
static void app_draw_strip(struct app *a)
{
	if (a->nlayers > 0 || app_too_small()) {
		app_draw(a);
		return;
	}
	a->strip_dirty = false;
	wmove(a->base, 1, 0);
	wclrtoeol(a->base);
	app_draw_tabs(a, a->base, app_now());
	update_panels();
	app_cursor(a, a->filter_x);
	doupdate();
}

/* ---- input ------------------------------------------------------------- */

static void app_resize(struct app *a)
{
	wresize(a->base, LINES, COLS);
	replace_panel(a->base_pan, a->base);
	a->table.reload = true;
	a->dirty = true;
}

static void app_redraw_all(struct app *a)
{
	clearok(curscr, TRUE);
	a->table.reload = true;
	a->have_sum = false;
	a->dirty = true;
	presence_refresh(a);
}

static void app_key(struct app *a, wint_t ch, bool fkey)
{
	struct layer *top = layer_top(a);

	a->dirty = true;
	if (fkey && ch == KEY_RESIZE) {
		app_resize(a);
		return;
	}
	switch (keymap_action(KM_ANYWHERE, ch, fkey)) {
	case KA_INTERRUPT:
		a->said_kept = true;
		app_interrupt(a, 130);
		return;
	case KA_REDRAW:
		app_redraw_all(a);
		return;
	default:
		break;
	}
	if (app_too_small()) {
		if (!top && keymap_action(KM_TABLE, ch, fkey) == KA_QUIT)
			app_quit(a);
		return;
	}
	if (top)
		top->ops->key(a, top, ch, fkey);
	else
		table_key(a, ch, fkey);
}

/* Returns how many keys were read. */
static int app_read_keys(struct app *a)
{
	wint_t ch;
	int i;

	for (i = 0; i < 1024 && !a->quit; i++) {
		int rc = wget_wch(a->base, &ch);
		if (rc == ERR)
			break;
		app_key(a, ch, rc == KEY_CODE_YES);
	}
	return i;
}

static void app_read_notify(struct app *a)
{
	struct wres *r = malloc(sizeof *r);
	char buf[64];
	ssize_t n;

	while ((n = read(a->notify_rd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == NOTIFY_LOCK)
				toast_show(a, TOAST_INFO,
				           _("Write lock released."));
	}
	while (r && a->writer && writer_take(a->writer, r))
		app_on_result(a, r);
	free(r);
	if (signal_caught && !a->quit)
		app_interrupt(a, 128 + (int)signal_caught);
}

/* Everything that happens with time rather than with input.  The feed is
 * asked on every wake-up (one PRAGMA when nothing moved): whatever woke
 * the loop, a change never waits for a later one. */
static void app_tick(struct app *a)
{
	int64_t now = app_now();
	char strip[sizeof a->strip];

	toast_expire(a, now);
	if (a->writes_inflight == 0)
		app_feed_poll(a);
	form_autosave_tick(a, now);
	app_strip_text(a, now, strip, sizeof strip);
	if (strcmp(strip, a->strip) != 0)
		a->strip_dirty = true;
}

/* Milliseconds until the freshness strip's text turns over. */
static int64_t app_strip_next(struct app *a, int64_t now)
{
	char tag[CACHE_TAG_MAX];
	int64_t l, s;

	if (app_waiting(a))
		return -1;
	cache_tag_list(a->who.org_id, tag);
	l = draw_age_next(now - cache_fetched_at(a->cache, tag));
	cache_tag_summary(a->who.org_id, tag);
	s = draw_age_next(now - cache_fetched_at(a->cache, tag));
	return l < s ? l : s;
}

/* Until the status line should say that a write waits for the lock. */
static int64_t app_waiting_next(struct app *a, int64_t now)
{
	int64_t since;

	if (a->requests_out == 0 || !a->writer || app_waiting(a))
		return -1;
	since = writer_busy_since(a->writer);
	if (since == 0)
		return WAITING_QUEUED_MS;
	return since + WAITING_AFTER_MS - now;
}

static void timeout_min(int64_t *t, int64_t next)
{
	if (next < 0)
		return;
	if (*t < 0 || next < *t)
		*t = next;
}

/* The wake-up descriptor to poll now, or -1: none while an own write is
 * in flight (the feed waits for its result, which wakes the loop), nor
 * within WAKEUP_GAP_MS of the last time it woke the loop. */
static bool app_wakeup_resting(struct app *a, int64_t now)
{
	return now - a->wakeup_ms < WAKEUP_GAP_MS;
}

static int app_wakeup_fd(struct app *a, int64_t now)
{
	if (a->writes_inflight > 0 || app_wakeup_resting(a, now))
		return -1;
	return feed_wait_fd(&a->feed, a->st);
}

/* The nearest thing due at a known time, or -1 (sleep until an event). */
static int app_timeout(struct app *a, int64_t now)
{
	int64_t t = -1;

	if (a->writes_inflight == 0) {
		timeout_min(&t, feed_wait_ms(&a->feed, now));
		/* the descriptor is left out for the gap: come back for it */
		if (app_wakeup_resting(a, now))
			timeout_min(&t, a->wakeup_ms + WAKEUP_GAP_MS - now);
	}
	timeout_min(&t, toast_next_ms(a, now));
	timeout_min(&t, form_autosave_due(a, now));
	timeout_min(&t, app_strip_next(a, now));
	timeout_min(&t, app_waiting_next(a, now));
	timeout_min(&t, presence_next_ms(a, now));
	if (t > INT32_MAX)
		t = INT32_MAX;
	return (int)t;
}

static void app_loop(struct app *a)
{
	int empty = 0;

	while (!a->quit) {
		struct pollfd fds[3] = {
			{ .fd = 0, .events = POLLIN },
			{ .fd = a->notify_rd, .events = POLLIN },
			{ .fd = -1, .events = POLLIN },
		};
		int64_t now;
		int rc;

		app_refresh_stale(a);
		if (a->dirty)
			app_draw(a);
		else if (a->strip_dirty)
			app_draw_strip(a);
		/* one clock for the descriptor and the timeout: a descriptor
		 * left out is always come back for */
		now = app_now();
		fds[2].fd = app_wakeup_fd(a, now);
		rc = poll(fds, 3, app_timeout(a, now));
		if (rc < 0 && errno != EINTR)
			break;
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			/* the terminal went away: keep the draft, leave */
			app_interrupt(a, 129);
			break;
		}
		/* EINTR may be SIGWINCH: let curses report KEY_RESIZE */
		if (rc < 0 || (fds[0].revents & POLLIN)) {
			int keys = app_read_keys(a);
			/* readable, yet no key, again and again: input ended */
			if (keys > 0 || rc < 0)
				empty = 0;
			else if (++empty > 100) {
				app_interrupt(a, 129);
				break;
			}
		}
		if (rc < 0 || (fds[1].revents & POLLIN))
			app_read_notify(a);
		if (fds[2].revents & POLLIN)
			a->wakeup_ms = app_now();
		app_tick(a);
	}
}

/* ---- start and finish ------------------------------------------------- */

static void on_signal(int sig)
{
	char c = NOTIFY_SIGNAL;

	signal_caught = sig;
	if (signal_fd >= 0) {
		ssize_t rc = write(signal_fd, &c, 1);
		(void)rc;
	}
}

static void signals_install(struct sigaction old[3])
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
}

static void signals_restore(const struct sigaction old[3])
{
	static const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };

	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
}

static bool pipe_open(struct app *a)
{
	int fds[2];

	if (pipe(fds) != 0)
		return false;
	for (int i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
	}
	a->notify_rd = fds[0];
	a->notify_wr = fds[1];
	return true;
}

/* Customer names are UTF-8 whatever the environment says; a terminal
 * started with no locale at all still gets them right. */
static void locale_ensure_utf8(void)
{
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	if (cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0))
		return;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
}

static bool screen_start(struct app *a)
{
	if (!newterm(NULL, stdout, stdin))
		return false;
	raw(); /* ^S and ^C reach the program (no XON/XOFF, no ISIG) */
	noecho();
	nonl();
	set_escdelay(25);
	curs_set(0);
	draw_init_colors();
	refresh(); /* clear once; stdscr is never drawn on again */
	a->base = newwin(LINES, COLS, 0, 0);
	a->base_pan = new_panel(a->base);
	keypad(a->base, TRUE);
	nodelay(a->base, TRUE);
	return true;
}

static void screen_stop(struct app *a)
{
	layer_free_all(a);
	a->form = NULL;
	toast_free_all(a);
	if (a->base_pan)
		del_panel(a->base_pan);
	if (a->base)
		delwin(a->base);
	endwin();
}

static void app_open_ref(struct app *a, const char *ref)
{
	struct invoice row;
	struct inv_err err;

	if (store_find(a->st, &a->who, ref, &row, &err) != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		return;
	}
	if (row.deleted_at[0]) {
		toast_show(a, TOAST_ERROR,
		           _("A deleted invoice cannot be edited."));
		return;
	}
	/* the form opens over the view that holds the invoice, so closing
	 * it leaves the row selected where it lives */
	if (row.archived_at[0])
		app_set_view(a, VIEW_ARCHIVED);
	table_select_id(a, row.id);
	form_open_edit(a, &row);
}

static struct app *app_new(struct store *st, const struct identity *who,
                           const struct tui_options *opt)
{
	struct app *a = calloc(1, sizeof *a);
	struct inv_err err;

	if (!a)
		return NULL;
	a->st = st;
	a->who = *who;
	a->view = opt ? opt->view : VIEW_ACTIVE;
	a->cache = cache_new();
	a->notify_rd = a->notify_wr = -1;
	if (!a->cache || !pipe_open(a)) {
		fprintf(stderr, "inved: %s\n", _("out of resources"));
		goto fail;
	}
	if (feed_init(&a->feed, st, &err) != INV_OK) {
		char shown[sizeof err.msg * 4];

		text_visible(shown, sizeof shown, err.msg);
		fprintf(stderr, "inved: %s\n", shown);
		goto fail;
	}
	a->demo = store_is_demo(st);
	table_reset(a);
	return a;
fail:
	if (a->cache)
		cache_free(a->cache);
	if (a->notify_rd >= 0) {
		close(a->notify_rd);
		close(a->notify_wr);
	}
	free(a);
	return NULL;
}

/* Returns false when a write was abandoned (writer_stop's deadline). */
static bool app_free(struct app *a)
{
	bool stopped = writer_stop(a->writer, WRITER_STOP_MS);

	signal_fd = -1;
	close(a->notify_rd);
	close(a->notify_wr);
	cache_free(a->cache);
	free(a);
	return stopped;
}

int tui_run(struct store *st, const struct identity *who,
            const struct tui_options *opt)
{
	struct sigaction old[3];
	struct app *a;
	int code;

	if (opt && rule_view(who, opt->view, NULL) != INV_OK) {
		char user[sizeof who->user * 4], org[sizeof who->org * 4];

		text_visible(user, sizeof user, who->user);
		text_visible(org, sizeof org, who->org);
		fprintf(stderr,
		        _("inved: the All view is for admins; %s is a member "
		          "of %s. Use --view active or --view archived.\n"),
		        user, org);
		return inv_rc_exit_code(INV_FORBIDDEN);
	}
	main_thread = pthread_self();
	main_thread_set = true;
	locale_ensure_utf8();
	screen_locale_init();
	a = app_new(st, who, opt);
	if (!a)
		return 1;
	a->writer = writer_start(st, opt && opt->busy_given, a->notify_wr);
	signal_fd = a->notify_wr;
	signals_install(old);
	if (!screen_start(a)) {
		signals_restore(old);
		fprintf(stderr, "inved: %s\n",
		        _("cannot start the terminal interface (is TERM set "
		          "and is this a terminal?)"));
		app_free(a);
		return 1;
	}
	app_refresh_stale(a);
	/* the marks of forms open elsewhere are in the first frame, not
	 * left to the first wake-up (on PostgreSQL nothing may come for a
	 * second: no file watch fires at our own start) */
	presence_refresh(a);
	if (opt && opt->open_ref && opt->open_ref[0])
		app_open_ref(a, opt->open_ref);
	a->dirty = true;
	app_loop(a);
	screen_stop(a);
	signals_restore(old);
	code = a->exit_code;
	if (a->leave_msg[0]) {
		char shown[sizeof a->leave_msg * 4];

		text_visible(shown, sizeof shown, a->leave_msg);
		fprintf(stderr, "inved: %s\n", shown);
	}
	if (a->said_kept && a->draft_kept)
		fprintf(stderr, "inved: %s\n",
		        _("interrupted; your unsaved edits were kept as a draft, "
		          "offered when you open that form again."));
	if (!app_free(a))
		fprintf(stderr, "inved: %s\n",
		        _("a write still waiting for the database was abandoned "
		          "at quitting; it took effect in full or not at all "
		          "(inved show tells which)."));
	return code;
}
