/*
 * history.c - `h`: the audit trail of one invoice, newest first (time,
 * actor, action, vA→vB, what changed).  Read once when the panel opens;
 * the audit detail's JSON ({"field":{"old":..,"new":..}}) is shown as
 * "field: old → new".
 */
#include "tui_internal.h"

#define HISTORY_MAX 64

struct history {
	char title[96];
	int64_t id; /* the invoice */
	struct audit_entry e[HISTORY_MAX];
	size_t n;
	int scroll;
	int sel; /* the selected entry */
};

/* The revert the confirmation asks about (main thread only; one
 * confirmation is open at a time). */
static struct {
	int64_t id, to_version, version;
} pending;

/* Copy a JSON scalar or string at p to out; returns the position after. */
static const char *detail_scalar(const char *p, char *out, size_t size,
                                 size_t *o)
{
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			if (*o + 1 < size)
				out[(*o)++] = *p;
			p++;
		}
		return *p ? p + 1 : p;
	}
	while (*p && *p != ',' && *p != '}') {
		if (*o + 1 < size)
			out[(*o)++] = *p;
		p++;
	}
	return p;
}

static void detail_put(char *out, size_t size, size_t *o, const char *s)
{
	while (*s && *o + 1 < size)
		out[(*o)++] = *s++;
}

/* Flatten {"a":{"old":x,"new":y},"b":..} to "a: x → y, b: ..".  Anything
 * it does not understand is copied as it is. */
static void history_detail(const char *json, char *out, size_t size)
{
	const char *p = json;
	size_t o = 0;
	int depth = 0;
	bool first = true;
	char key[64];

	while (*p) {
		if (*p == '{') {
			depth++;
			p++;
		} else if (*p == '}') {
			depth--;
			p++;
		} else if (*p == ',' || *p == ' ' || *p == ':') {
			p++;
		} else if (*p == '"') {
			size_t k = 0;
			p = detail_scalar(p, key, sizeof key, &k);
			key[k] = '\0';
			while (*p == ' ' || *p == ':')
				p++;
			if (*p == '{') {
				if (!first)
					detail_put(out, size, &o, ", ");
				detail_put(out, size, &o, key);
				detail_put(out, size, &o, ": ");
				first = false;
				continue;
			}
			if (depth >= 2 && strcmp(key, "new") == 0)
				detail_put(out, size, &o, " → ");
			else if (depth < 2 || strcmp(key, "old") != 0) {
				if (!first && depth < 2)
					detail_put(out, size, &o, ", ");
				detail_put(out, size, &o, key);
				detail_put(out, size, &o, ": ");
			}
			first = false;
			p = detail_scalar(p, out, size, &o);
		} else {
			p = detail_scalar(p, out, size, &o);
		}
	}
	out[o < size ? o : size - 1] = '\0';
}

static void history_line(const struct audit_entry *e, char *buf,
                         size_t size)
{
	snprintf(buf, size, "%.10s %.8s  %-8s  %-18s  v%lld→v%lld", e->at,
	         strlen(e->at) > 11 ? e->at + 11 : "", e->actor, e->action,
	         (long long)e->from_version, (long long)e->to_version);
}

static void history_revert_ask(struct app *a, struct history *h);

/* Keep the selected entry on screen (two lines an entry). */
static void history_follow(struct history *h, int page)
{
	if (h->sel >= (int)h->n)
		h->sel = (int)h->n - 1;
	if (h->sel < 0)
		h->sel = 0;
	if (h->sel < h->scroll)
		h->scroll = h->sel;
	if (page > 0 && h->sel >= h->scroll + page)
		h->scroll = h->sel - page + 1;
	if (h->scroll < 0)
		h->scroll = 0;
}

static void history_key(struct app *a, struct layer *l, wint_t ch,
                        bool fkey)
{
	struct history *h = l->data;
	int page = (getmaxy(l->win) - 4) / 2;

	if (!fkey && (ch == KEY_ESC || ch == 'q' || ch == 'h')) {
		layer_pop(a);
		return;
	}
	if (!fkey && ch == 'v') {
		history_revert_ask(a, h);
		return;
	}
	if ((fkey && ch == KEY_DOWN) || (!fkey && ch == 'j'))
		h->sel++;
	else if ((fkey && ch == KEY_UP) || (!fkey && ch == 'k'))
		h->sel--;
	else if (fkey && ch == KEY_NPAGE)
		h->sel += page;
	else if (fkey && ch == KEY_PPAGE)
		h->sel -= page;
	history_follow(h, page);
}

static void history_draw(struct app *a, struct layer *l)
{
	struct history *h = l->data;
	char buf[AUDIT_DETAIL_MAX + 256];
	int w = COLS - 2, height = 2 * (int)h->n + 4, y = 1;

	(void)a;
	if (height < 6)
		height = 6;
	layer_place(l, height, w);
	height = getmaxy(l->win);
	w = getmaxx(l->win);
	history_follow(h, (height - 4) / 2);
	draw_box(l->win, h->title);
	if (h->n == 0)
		draw_str(l->win, y, 2, _("No history."), RO_MUTED, w - 4);
	/* two lines an entry: what happened, then what changed */
	for (int i = h->scroll; i < (int)h->n && y < height - 2; i++) {
		history_line(&h->e[i], buf, sizeof buf);
		if (i == h->sel)
			draw_text_role(l->win, y++, 2, w - 4, buf, ALIGN_LEFT,
			               RO_SELECTED);
		else
			draw_text(l->win, y++, 2, w - 4, buf, ALIGN_LEFT);
		history_detail(h->e[i].detail, buf, sizeof buf);
		if (buf[0] && y < height - 2)
			draw_text_role(l->win, y++, 4, w - 6, buf, ALIGN_LEFT,
			               RO_MUTED);
	}
	draw_str(l->win, height - 2, 2,
	         _("↑↓ select · v revert to the selected version · Esc close"),
	         RO_MUTED, w - 4);
}

static void history_release(struct layer *l)
{
	free(l->data);
}

static const struct layer_ops history_ops = {
	.draw = history_draw,
	.key = history_key,
	.release = history_release,
};

static enum inv_rc history_read(struct app *a, struct history *h,
                                struct inv_err *err)
{
	return store_audit_tail(a->st, &a->who, h->id, h->e, HISTORY_MAX,
	                        &h->n, err);
}

void history_open(struct app *a, const struct invoice *row)
{
	struct history *h = calloc(1, sizeof *h);
	struct inv_err err;

	if (!h)
		return;
	h->id = row->id;
	snprintf(h->title, sizeof h->title, _("History of %s"), row->number);
	if (history_read(a, h, &err) != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		free(h);
		return;
	}
	layer_push(a, &history_ops, h);
}

static void history_revert_answer(struct app *a, bool yes, int64_t arg)
{
	struct wreq req;

	(void)arg;
	if (!yes)
		return;
	memset(&req, 0, sizeof req);
	req.kind = W_REVERT;
	req.who = a->who;
	req.id = pending.id;
	req.version = pending.version;
	req.to_version = pending.to_version;
	app_submit(a, &req);
}

/* Ask before a revert, naming every value it replaces and who set it;
 * the write itself is guarded by the version shown here. */
static void history_revert_ask(struct app *a, struct history *h)
{
	struct revert_plan plan;
	struct inv_err err;
	char q[1024], old[CUSTOMER_MAX_BYTES + 32], new[CUSTOMER_MAX_BYTES + 32];
	size_t o;

	if (h->n == 0)
		return;
	if (store_revert_plan(a->st, &a->who, h->id, h->e[h->sel].to_version,
	                      &plan, &err) != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		return;
	}
	o = (size_t)snprintf(q, sizeof q,
	                     _("Revert %s to version %lld (now v%lld)?"),
	                     plan.current.number, (long long)plan.to_version,
	                     (long long)plan.current.version);
	for (int p = 0; p < REVERT__COUNT && o < sizeof q; p++) {
		if (!plan.changes[p])
			continue;
		revert_part_value((enum revert_part)p, &plan.current, old,
		                  sizeof old);
		revert_part_value((enum revert_part)p, &plan.target, new,
		                  sizeof new);
		if (plan.set_by[p][0])
			o += (size_t)snprintf(q + o, sizeof q - o,
				_("\nReplace %s's %s %s with %s"), plan.set_by[p],
				revert_part_label((enum revert_part)p), old, new);
		else
			o += (size_t)snprintf(q + o, sizeof q - o,
				_("\nReplace %s %s with %s"),
				revert_part_label((enum revert_part)p), old, new);
	}
	pending.id = h->id;
	pending.to_version = plan.to_version;
	pending.version = plan.current.version;
	confirm_open(a, q, history_revert_answer, 0);
}

void history_on_revert(struct app *a, const struct wres *r)
{
	struct layer *l = layer_find(a, &history_ops);
	char msg[256];
	struct inv_err err;

	if (r->rc != INV_OK) {
		toast_show(a, TOAST_ERROR, r->err.msg);
		return;
	}
	app_own_write(a, r);
	a->table.reload = true;
	snprintf(msg, sizeof msg,
	         _("Reverted %s to the values of version %lld (now v%lld)."),
	         r->res.row.number, (long long)r->req.to_version,
	         (long long)r->res.row.version);
	toast_show(a, TOAST_OK, msg);
	if (l) {
		struct history *h = l->data;

		if (history_read(a, h, &err) != INV_OK)
			toast_show(a, TOAST_ERROR, err.msg);
		h->sel = 0;
		h->scroll = 0;
	}
}
