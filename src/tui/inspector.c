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
};

static void inspector_load(struct app *a, struct inspector *in)
{
	struct inv_err err;

	in->log_seen = cache_log_count(a->cache);
	in->loaded = true;
	if (store_audit_tail(a->st, &a->who, 0, in->audit, INSPECT_AUDIT,
	                     &in->naudit, &err) != INV_OK)
		in->naudit = 0;
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
	if (writer_hold_lock(store_path(a->st), 5000))
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

	if (fkey)
		return;
	switch (ch) {
	case KEY_ESC:
	case 'i':
	case 'q':
		layer_pop(a);
		break;
	case 'f':
		inspector_drift(a);
		break;
	case 'l':
		inspector_hold(a);
		break;
	case 's':
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

static void log_time(int64_t ms, char *buf, size_t size)
{
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

static int inspector_draw_audit(struct inspector *in, WINDOW *w, int y,
                                int rows, int width)
{
	char buf[256];

	inspector_heading(w, y++, _("Audit tail"), width);
	if (in->naudit == 0 && rows > 0)
		draw_str(w, y++, 4, _("(empty)"), RO_MUTED, width - 2);
	for (size_t i = 0; i < in->naudit && (int)i < rows; i++) {
		const struct audit_entry *e = &in->audit[i];
		snprintf(buf, sizeof buf, "%.8s  %-8s  %-16s  %-10s  v%lld→v%lld",
		         strlen(e->at) > 11 ? e->at + 11 : e->at, e->actor,
		         e->action, e->number, (long long)e->from_version,
		         (long long)e->to_version);
		draw_str(w, y++, 4, buf, RO_NORMAL, width - 2);
	}
	return y;
}

static int inspector_draw_log(struct app *a, WINDOW *w, int y, int rows,
                              int width)
{
	struct cache_log_entry log[INSPECT_LOG];
	size_t n = cache_log_tail(a->cache, log, INSPECT_LOG);
	char buf[1024], at[32];

	inspector_heading(w, y++, _("Invalidation log"), width);
	if (n == 0 && rows > 0)
		draw_str(w, y++, 4, _("(empty)"), RO_MUTED, width - 2);
	for (size_t i = 0; i < n && (int)i < rows; i++) {
		log_time(log[i].at_ms, at, sizeof at);
		snprintf(buf, sizeof buf, "%s  %-6s  %s", at,
		         cache_source_name(log[i].source), log[i].tag);
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
	int w = COLS - 2 > 90 ? 90 : COLS - 2, h = LINES - 2, y = 1, width;
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
	index_rows = h >= 22 ? 3 : 1;
	fixed = (h - 1) - y - 3 - index_rows - 2;
	each = fixed / 2;
	if (each < 0)
		each = 0;
	y = inspector_draw_audit(in, l->win, y, each, width);
	y = inspector_draw_log(a, l->win, y, fixed - each, width);
	inspector_draw_index(l->win, y, index_rows, width);
	snprintf(drift, sizeof drift, _("force drift on %s"), sel ? sel->number : "—");
	struct draw_hint hints[] = {
		{ "f", drift },
		{ "l", _("hold lock 5 s") },
		{ "s", _("switch identity") },
		{ "Esc", _("close") },
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
