/*
 * history.c - `h`: the audit trail of one invoice, newest first (time,
 * actor, action, vA→vB, what changed in words and money: "Total: 1,250.00
 * → 1,400.00 EUR", explained by the core).  Read when the panel opens and
 * again whenever the invoice moves while it is open; `v` reverts to the
 * selected version after a confirmation.
 */
#include "tui_internal.h"

#define HISTORY_MAX 64

struct history {
	char title[96];
	int64_t id; /* the invoice */
	struct audit_entry e[HISTORY_MAX];
	char said[HISTORY_MAX][AUDIT_DETAIL_MAX]; /* each entry explained */
	size_t n;
	int scroll;
	int sel; /* the selected entry */
};

/* The revert the confirmation asks about (main thread only; one
 * confirmation is open at a time). */
static struct {
	int64_t id, to_version, version;
} pending;

static void history_line(const struct audit_entry *e, char *buf,
                         size_t size)
{
	char when[64];

	l10n_time(e->at, L10N_DATETIME, when, sizeof when);
	snprintf(buf, size, "%s  %-8s  %-18s  v%lld→v%lld", when, e->actor,
	         e->action, (long long)e->from_version,
	         (long long)e->to_version);
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
	int page = (getmaxy(l->win) - 6) / 2;

	switch (keymap_action(KM_HISTORY, ch, fkey)) {
	case KA_CLOSE:
		layer_pop(a);
		return;
	case KA_REVERT:
		history_revert_ask(a, h);
		return;
	case KA_DOWN:
		h->sel++;
		break;
	case KA_UP:
		h->sel--;
		break;
	case KA_PAGE_DOWN:
		h->sel += page;
		break;
	case KA_PAGE_UP:
		h->sel -= page;
		break;
	default:
		break;
	}
	history_follow(h, page);
}

static void history_draw(struct app *a, struct layer *l)
{
	struct history *h = l->data;
	char buf[AUDIT_DETAIL_MAX + 256];
	/* two lines an entry, and room for the selected one's detail to
	 * wrap onto two more */
	int w = COLS - 2, height = 2 * (int)h->n + 6, y = 1;

	(void)a;
	if (height < 6)
		height = 6;
	layer_place(l, height, w);
	height = getmaxy(l->win);
	w = getmaxx(l->win);
	history_follow(h, (height - 6) / 2);
	draw_box(l->win, h->title);
	if (h->n == 0)
		draw_str(l->win, y, 2, _("No history."), RO_MUTED, w - 4);
	/* two lines an entry: what happened, then what changed (read in
	 * full, wrapped, for the selected entry) */
	for (int i = h->scroll; i < (int)h->n && y < height - 2; i++) {
		history_line(&h->e[i], buf, sizeof buf);
		if (i == h->sel)
			draw_text_role(l->win, y++, 2, w - 4, buf, ALIGN_LEFT,
			               RO_SELECTED);
		else
			draw_text(l->win, y++, 2, w - 4, buf, ALIGN_LEFT);
		if (h->said[i][0] && i == h->sel && y < height - 2)
			y += draw_wrap(l->win, y, 4, w - 6, h->said[i],
			               RO_MUTED, height - 2 - y < 3 ? height - 2 - y
			                                            : 3);
		else if (h->said[i][0] && y < height - 2)
			draw_text_role(l->win, y++, 4, w - 6, h->said[i],
			               ALIGN_LEFT, RO_MUTED);
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

/* Read the trail and explain each entry, oldest first, so each amount is
 * written in the currency it had then.  When the trail is longer than the
 * panel holds, the oldest shown entry starts from the invoice's currency
 * now (the best guess there is without its start). */
static enum inv_rc history_read(struct app *a, struct history *h,
                                struct inv_err *err)
{
	char currency[4] = "";
	struct invoice now;
	enum inv_rc rc;

	rc = store_audit_tail(a->st, &a->who, h->id, h->e, HISTORY_MAX, &h->n,
	                      err);
	if (rc != INV_OK)
		return rc;
	if (h->n == HISTORY_MAX &&
	    store_get(a->st, &a->who, h->id, &now, NULL) == INV_OK)
		snprintf(currency, sizeof currency, "%s", now.currency);
	for (size_t i = h->n; i-- > 0;) {
		rc = screen_audit_explain(a->st, h->e[i].detail, currency,
		                          h->said[i], sizeof h->said[i], err);
		if (rc != INV_OK)
			return rc;
	}
	return INV_OK;
}

void history_on_changes(struct app *a, const struct change *c, size_t n)
{
	struct layer *l = layer_find(a, &history_ops);
	struct history *h = l ? l->data : NULL;
	struct inv_err err;

	for (size_t i = 0; h && i < n; i++) {
		if (c[i].invoice_id != h->id)
			continue;
		if (history_read(a, h, &err) != INV_OK)
			toast_show(a, TOAST_ERROR, err.msg);
		a->dirty = true;
		return;
	}
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
		screen_revert_value((enum revert_part)p, &plan.current, old,
		                    sizeof old);
		screen_revert_value((enum revert_part)p, &plan.target, new,
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
