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
	struct audit_entry e[HISTORY_MAX];
	size_t n;
	int scroll;
};

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

static void history_key(struct app *a, struct layer *l, wint_t ch,
                        bool fkey)
{
	struct history *h = l->data;
	int page = (getmaxy(l->win) - 4) / 2, max = (int)h->n - page;

	if (max < 0)
		max = 0;
	if (!fkey && (ch == KEY_ESC || ch == 'q' || ch == 'h')) {
		layer_pop(a);
		return;
	}
	if ((fkey && ch == KEY_DOWN) || (!fkey && ch == 'j'))
		h->scroll++;
	else if ((fkey && ch == KEY_UP) || (!fkey && ch == 'k'))
		h->scroll--;
	else if (fkey && ch == KEY_NPAGE)
		h->scroll += page;
	else if (fkey && ch == KEY_PPAGE)
		h->scroll -= page;
	if (h->scroll > max)
		h->scroll = max;
	if (h->scroll < 0)
		h->scroll = 0;
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
	draw_box(l->win, h->title);
	if (h->n == 0)
		draw_str(l->win, y, 2, _("No history."), RO_MUTED, w - 4);
	/* two lines an entry: what happened, then what changed */
	for (int i = h->scroll; i < (int)h->n && y < height - 2; i++) {
		history_line(&h->e[i], buf, sizeof buf);
		draw_text(l->win, y++, 2, w - 4, buf, ALIGN_LEFT);
		history_detail(h->e[i].detail, buf, sizeof buf);
		if (buf[0] && y < height - 2)
			draw_text_role(l->win, y++, 4, w - 6, buf, ALIGN_LEFT,
			               RO_MUTED);
	}
	draw_str(l->win, height - 2, 2, _("↑↓ scroll · Esc close"), RO_MUTED,
	         w - 4);
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

void history_open(struct app *a, const struct invoice *row)
{
	struct history *h = calloc(1, sizeof *h);
	struct inv_err err;

	if (!h)
		return;
	snprintf(h->title, sizeof h->title, _("History of %s"), row->number);
	if (store_audit_tail(a->st, &a->who, row->id, h->e, HISTORY_MAX,
	                     &h->n, &err) != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		free(h);
		return;
	}
	layer_push(a, &history_ops, h);
}
