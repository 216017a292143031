/*
 * inspector.c - `i`: a panel for understanding and demonstrating what the
 * program does (SPEC 4.5): who is acting, the row counts per lifecycle
 * state, the audit tail, the invalidation log, the partial unique index,
 * and, in a demo database only, three demonstrations — force version
 * drift (`f`), hold the write lock (`l`), switch identity (`s`).
 *
 * A screen that cannot be woken by the database (no file watch) says so
 * here, with the reason.
 *
 * The audit tail is re-read only when the invalidation log has moved
 * (cache_log_count), so an open inspector follows every write without
 * querying on each frame.
 */
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "tui_internal.h"

#define INSPECT_AUDIT 12
#define INSPECT_LOG 12
#define INSPECT_MEMBERS 32

struct inspector {
	uint64_t log_seen;
	bool loaded;
	struct audit_entry audit[INSPECT_AUDIT];
	size_t naudit;
	struct membership members[INSPECT_MEMBERS];
	size_t nmembers;
	/* the invalidation log as shown: a record's tag by invoice number */
	struct cache_log_entry log[INSPECT_LOG];
	char logwhat[INSPECT_LOG][NUMBER_MAX_BYTES + 32];
	size_t nlog;
};

/* The number of invoice `id` for the log: from the table, the audit tail,
 * or a read; "#id" when this identity cannot see it. */
static void inspector_number(struct app *a, struct inspector *in,
                             int64_t id, char *buf, size_t size)
{
	struct invoice row;
	struct inv_err err;

	for (size_t i = 0; i < a->table.n; i++)
		if (a->table.rows[i].id == id) {
			text_copy(buf, size, a->table.rows[i].number);
			return;
		}
	for (size_t i = 0; i < in->naudit; i++)
		if (in->audit[i].subject_id == id && in->audit[i].number[0]) {
			text_copy(buf, size, in->audit[i].number);
			return;
		}
	if (store_get(a->st, &a->who, id, &row, &err) == INV_OK) {
		text_copy(buf, size, row.number);
		return;
	}
	snprintf(buf, size, "#%" PRId64, id);
}

/* "record:ORG:ID" reads "invoice ACME-1003"; the other tags as they are. */
static void inspector_log_what(struct app *a, struct inspector *in,
                               const char *tag, char *buf, size_t size)
{
	int64_t org, id;
	char number[NUMBER_MAX_BYTES + 16];

	if (sscanf(tag, "record:%" SCNd64 ":%" SCNd64, &org, &id) == 2) {
		inspector_number(a, in, id, number, sizeof number);
		snprintf(buf, size, _("invoice %s"), number);
		return;
	}
	text_copy(buf, size, tag);
}

static void inspector_load(struct app *a, struct inspector *in)
{
	struct inv_err err;

	in->log_seen = cache_log_count(a->cache);
	in->loaded = true;
	if (store_audit_tail(a->st, &a->who, 0, in->audit, INSPECT_AUDIT,
	                     &in->naudit, &err) != INV_OK)
		in->naudit = 0;
	in->nlog = cache_log_tail(a->cache, in->log, INSPECT_LOG);
	for (size_t i = 0; i < in->nlog; i++)
		inspector_log_what(a, in, in->log[i].tag, in->logwhat[i],
		                   sizeof in->logwhat[i]);
}

/* The membership the switcher moves to next. */
static const struct membership *inspector_next_member(struct app *a,
                                                      struct inspector *in)
{
	size_t cur = 0;

	if (in->nmembers == 0)
		return NULL;
	for (size_t i = 0; i < in->nmembers; i++)
		if (strcmp(in->members[i].user, a->who.user) == 0 &&
		    strcmp(in->members[i].org, a->who.org) == 0)
			cur = i;
	return &in->members[(cur + 1) % in->nmembers];
}

static void inspector_drift(struct app *a)
{
	const struct invoice *row = table_selected(a);
	struct wreq req;

	if (!a->demo) {
		toast_show(a, TOAST_ERROR,
		           _("Forcing version drift is for demo databases only."));
		return;
	}
	if (!row) {
		toast_show(a, TOAST_INFO, _("No invoice selected."));
		return;
	}
	/* Marked before the write is queued: the feed may see the drift
	 * before the writer's answer arrives, and the table must keep
	 * showing the old version either way. */
	table_drift_mark(a, row);
	memset(&req, 0, sizeof req);
	req.kind = W_DRIFT;
	req.who = a->who;
	req.id = row->id;
	req.version = row->version;
	if (!app_submit(a, &req))
		table_drift_unmark(a, row->id);
}

static void inspector_hold(struct app *a)
{
	if (!a->demo) {
		toast_show(a, TOAST_ERROR,
		           _("Holding the write lock is for demo databases only."));
		return;
	}
	if (writer_hold_lock(a->st, 5000))
		toast_show(a, TOAST_INFO,
		           _("Holding the write lock for 5 seconds."));
	else
		toast_show(a, TOAST_ERROR, _("Could not start the lock holder."));
}

static void inspector_switch(struct app *a, struct inspector *in)
{
	const struct membership *m = inspector_next_member(a, in);
	struct membership copy;

	if (!a->demo) {
		toast_show(a, TOAST_ERROR,
		           _("Switching identity is for demo databases only."));
		return;
	}
	if (!m)
		return;
	copy = *m;
	if (app_switch_identity(a, copy.user, copy.org))
		in->loaded = false;
}

static void inspector_key(struct app *a, struct layer *l, wint_t ch,
                          bool fkey)
{
	struct inspector *in = l->data;

	switch (keymap_action(KM_INSPECTOR, ch, fkey)) {
	case KA_CLOSE:
		layer_pop(a);
		break;
	case KA_DRIFT:
		inspector_drift(a);
		break;
	case KA_HOLD_LOCK:
		inspector_hold(a);
		break;
	case KA_SWITCH:
		inspector_switch(a, in);
		break;
	default:
		break;
	}
}

static void inspector_heading(WINDOW *w, int y, const char *text, int width)
{
	char buf[128];

	snprintf(buf, sizeof buf, "── %s ", text);
	draw_str(w, y, 2, buf, RO_HEADER, width);
}

/* A log entry's time of day: its monotonic time moved onto the wall
 * clock by how long ago it was. */
static void log_time(int64_t at, char *buf, size_t size)
{
	int64_t ms = cache_wall_ms() - (cache_now_ms() - at);
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min,
	         tm.tm_sec, (int)(ms % 1000));
}

static int inspector_draw_identity(struct app *a, struct inspector *in,
                                   WINDOW *w, int y, int width)
{
	char buf[256], why[160];
	const struct membership *m;

	snprintf(buf, sizeof buf, _("Identity  %s @ %s · %s%s"), a->who.user,
	         a->who.org, identity_role_name(a->who.role),
	         a->demo ? _("  (demo database)") : "");
	draw_str(w, y++, 2, buf, RO_NORMAL, width);
	m = a->demo ? inspector_next_member(a, in) : NULL;
	if (m) {
		snprintf(buf, sizeof buf, _("Switch    s → %s:%s (%s)"), m->org,
		         identity_role_name(m->role), m->user);
		draw_str(w, y++, 2, buf, RO_MUTED, width);
	}
	if (a->have_sum) {
		snprintf(buf, sizeof buf,
		         _("Rows      active %lld · archived %lld · deleted %lld"),
		         (long long)a->sum.count[LIFE_ACTIVE],
		         (long long)a->sum.count[LIFE_ARCHIVED],
		         (long long)a->sum.count[LIFE_DELETED]);
		draw_str(w, y++, 2, buf, RO_NORMAL, width);
	}
	/* said only when the screen cannot be woken by the database */
	if (store_wakeup_polling(a->st, why, sizeof why)) {
		snprintf(buf, sizeof buf,
		         _("Changes   polling every %d ms: %s"),
		         STORE_WAKEUP_POLL_MS, why);
		draw_str(w, y++, 2, buf, RO_WARN, width);
	}
	return y;
}

/* The widest of one audit column among the rows shown, at most cap: as
 * drawn, with what the database holds raw shown as its escapes. */
static int audit_col(const struct inspector *in, size_t rows, size_t off,
                     int cap)
{
	char shown[512];
	int widest = 1;

	for (size_t i = 0; i < in->naudit && i < rows; i++) {
		const char *s = (const char *)&in->audit[i] + off;
		int c;
		text_visible(shown, sizeof shown, s);
		c = text_cols(shown);
		if (c > widest)
			widest = c;
	}
	return widest < cap ? widest : cap;
}

/* One column for each part, as wide as its widest entry shown (capped),
 * so every action lines up whatever its name's length. */
static int inspector_draw_audit(struct inspector *in, WINDOW *w, int y,
                                int rows, int width)
{
	size_t shown = rows > 0 ? (size_t)rows : 0;
	int cw = audit_col(in, shown, offsetof(struct audit_entry, actor), 16);
	int aw = audit_col(in, shown, offsetof(struct audit_entry, action), 20);
	int nw = audit_col(in, shown, offsetof(struct audit_entry, number), 16);
	int end = 4 + width - 2;
	char buf[64];

	inspector_heading(w, y++, _("Audit tail"), width);
	if (in->naudit == 0 && rows > 0)
		draw_str(w, y++, 4, _("(empty)"), RO_MUTED, width - 2);
	for (size_t i = 0; i < in->naudit && i < shown; i++, y++) {
		const struct audit_entry *e = &in->audit[i];
		int x = 4;

		l10n_time(e->at, L10N_TIME, buf, sizeof buf);
		draw_text(w, y, x, 8 < end - x ? 8 : end - x, buf, ALIGN_LEFT);
		x += 10;
		if (x < end)
			draw_text(w, y, x, cw < end - x ? cw : end - x, e->actor,
			          ALIGN_LEFT);
		x += cw + 2;
		if (x < end)
			draw_text(w, y, x, aw < end - x ? aw : end - x, e->action,
			          ALIGN_LEFT);
		x += aw + 2;
		if (x < end)
			draw_text(w, y, x, nw < end - x ? nw : end - x, e->number,
			          ALIGN_LEFT);
		x += nw + 2;
		snprintf(buf, sizeof buf, "v%lld→v%lld",
		         (long long)e->from_version, (long long)e->to_version);
		if (x < end)
			draw_str(w, y, x, buf, RO_NORMAL, end - x);
	}
	return y;
}

static int inspector_draw_log(struct inspector *in, WINDOW *w, int y,
                              int rows, int width)
{
	char buf[1024], at[32];

	inspector_heading(w, y++, _("Invalidation log"), width);
	if (in->nlog == 0 && rows > 0)
		draw_str(w, y++, 4, _("(empty)"), RO_MUTED, width - 2);
	for (size_t i = 0; i < in->nlog && (int)i < rows; i++) {
		log_time(in->log[i].at_ms, at, sizeof at);
		snprintf(buf, sizeof buf, "%s  %-6s  %s", at,
		         cache_source_name(in->log[i].source), in->logwhat[i]);
		draw_str(w, y++, 4, buf, RO_NORMAL, width - 2);
	}
	return y;
}

static int inspector_draw_index(WINDOW *w, int y, int rows, int width)
{
	static const char *const lines[] = {
		N_("invoices(org_id, number) WHERE deleted_at IS NULL"),
		N_("A number is unique only among rows that are not deleted: a"),
		N_("deleted ACME-1001 keeps its number, and a live one may exist "
		   "too."),
	};

	inspector_heading(w, y++, _("Partial unique index"), width);
	for (int i = 0; i < 3 && i < rows; i++)
		draw_str(w, y++, 4, _(lines[i]), i == 0 ? RO_KEY : RO_NORMAL,
		         width - 2);
	return y;
}

static void inspector_draw(struct app *a, struct layer *l)
{
	struct inspector *in = l->data;
	const struct invoice *sel = table_selected(a);
	char drift[96];
	int w = COLS - 2 > 90 ? 90 : COLS - 2, h = STAGE_LINES - 2, y = 1, width;
	int fixed, each, index_rows;

	if (!in->loaded || in->log_seen != cache_log_count(a->cache))
		inspector_load(a, in);
	layer_place(l, h, w);
	w = getmaxx(l->win);
	h = getmaxy(l->win);
	width = w - 4;
	draw_box(l->win, _("Inspector"));
	y = inspector_draw_identity(a, in, l->win, y, width);
	/* rows left for the lists after headings, the index and the keys */
	index_rows = h >= 18 ? 3 : 1;
	fixed = (h - 1) - y - 3 - index_rows - 2;
	each = fixed / 2;
	if (each < 0)
		each = 0;
	y = inspector_draw_audit(in, l->win, y, each, width);
	y = inspector_draw_log(in, l->win, y, fixed - each, width);
	inspector_draw_index(l->win, y, index_rows, width);
	snprintf(drift, sizeof drift, _("force drift on %s"), sel ? sel->number : "—");
	struct draw_hint hints[] = {
		{ keymap_key_of(KM_INSPECTOR, KA_DRIFT), drift },
		{ keymap_key_of(KM_INSPECTOR, KA_HOLD_LOCK), _("hold lock 5 s") },
		{ keymap_key_of(KM_INSPECTOR, KA_SWITCH), _("switch identity") },
		{ keymap_key_of(KM_INSPECTOR, KA_CLOSE), _("close") },
	};
	/* The demonstrations write, so they exist only in a demo database. */
	if (a->demo)
		draw_hints(l->win, h - 2, 2, width, hints, 4, 4);
	else
		draw_hints(l->win, h - 2, 2, width, hints + 3, 1, 1);
}

static void inspector_release(struct layer *l)
{
	free(l->data);
}

static const struct layer_ops inspector_ops = {
	.draw = inspector_draw,
	.key = inspector_key,
	.release = inspector_release,
};

void inspector_open(struct app *a)
{
	struct inspector *in = calloc(1, sizeof *in);
	struct inv_err err;

	if (!in)
		return;
	if (a->demo &&
	    store_memberships(a->st, in->members, INSPECT_MEMBERS,
	                      &in->nmembers, &err) != INV_OK)
		in->nmembers = 0;
	layer_push(a, &inspector_ops, in);
}
