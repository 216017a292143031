/*
 * draft.c - the form's autosaved draft (SPEC 4.4): its JSON body, the
 * offer to restore it when a form opens, and the panel shown when an
 * autosave finds that another terminal of the same operator saved the
 * same draft in between (draft versions, seed 001).
 *
 * The body is a flat JSON object of four strings; the decoder reads only
 * that shape (what the encoder writes) and refuses anything else, so a
 * damaged body is simply not offered.
 */
#include "tui_internal.h"

/* ---- the body ---------------------------------------------------------- */

/* The body's members, in the order they are written. */
static const char *const body_keys[5] = { "customer", "status", "total",
	                                  "currency", "number" };

/* Where each member of the body goes in v (index as body_keys). */
static char *body_slot(struct form_values *v, int i, size_t *size)
{
	switch (i) {
	case 0: *size = sizeof v->customer; return v->customer;
	case 1: *size = sizeof v->status; return v->status;
	case 2: *size = sizeof v->total; return v->total;
	case 3: *size = sizeof v->currency; return v->currency;
	default: *size = sizeof v->number; return v->number;
	}
}

/* A body that does not fit is cut short, and then refused by the decoder
 * (so never offered): the form's values are bounded well below
 * DRAFT_BODY_MAX even with every character escaped. */
void draft_body_encode(const struct form_values *v, char *out, size_t size)
{
	struct form_values copy = *v;
	size_t o = 0;

	if (size < 2)
		return;
	out[o++] = '{';
	for (int i = 0; i < 5 && o < size; i++) {
		size_t slot_size;
		const char *val = body_slot(&copy, i, &slot_size);

		if (i > 0 && o < size)
			out[o++] = ',';
		o += json_quote(out + o, size - o, body_keys[i]);
		if (o < size)
			out[o++] = ':';
		if (o < size)
			o += json_quote(out + o, size - o, val);
	}
	if (o < size)
		out[o++] = '}';
	if (o >= size)
		o = size - 1;
	out[o] = '\0';
}

/* The body back, by the core's JSON codec: a flat object of the five
 * strings (missing ones empty); anything else is refused. */
bool draft_body_decode(const char *body, struct form_values *v)
{
	char buf[DRAFT_BODY_MAX];
	struct json_member m[5];
	size_t n;

	memset(v, 0, sizeof *v);
	if (strlen(body) >= sizeof buf ||
	    json_flat_decode(body, m, 5, &n, buf, sizeof buf, NULL) != INV_OK)
		return false;
	for (size_t k = 0; k < n; k++) {
		int i = 0;
		size_t size;
		char *dst;

		while (i < 5 && strcmp(body_keys[i], m[k].key) != 0)
			i++;
		if (i == 5 || m[k].kind != JSON_STRING)
			return false;
		dst = body_slot(v, i, &size);
		text_copy(dst, size, m[k].text);
	}
	return true;
}

/* "2026-11-22T10:04:05.123Z" -> "2026-11-22 10:04:05" ("22.11.2026
 * 10:04:05" in German) */
static void draft_time(const char *at, char *buf, size_t size)
{
	l10n_time(at, L10N_DATETIME, buf, size);
}

static bool values_equal(const struct form_values *x,
                         const struct form_values *y)
{
	return strcmp(x->customer, y->customer) == 0 &&
	       strcmp(x->status, y->status) == 0 &&
	       strcmp(x->total, y->total) == 0 &&
	       strcmp(x->currency, y->currency) == 0 &&
	       strcmp(x->number, y->number) == 0;
}

/* ---- offering a stored draft ----------------------------------------- */

/* The row the draft was made from: the invoice as it is now, with the
 * values and version the draft's form had loaded.  False when the draft
 * does not carry them (a draft of an older file). */
static bool draft_base_row(const struct draft *d, const struct invoice *now,
                           struct invoice *out)
{
	struct form_values bv;
	struct inv_err err;

	*out = *now;
	out->version = d->base_version;
	if (!d->base_body[0] || !draft_body_decode(d->base_body, &bv))
		return false;
	text_copy(out->customer, sizeof out->customer, bv.customer);
	if (invoice_status_parse(bv.status, &out->status, &err) != INV_OK)
		return false;
	text_copy(out->currency, sizeof out->currency, bv.currency);
	if (bv.number[0])
		text_copy(out->number, sizeof out->number, bv.number);
	return screen_amount_parse(bv.total, bv.currency, &out->total_minor,
	                           &err) == INV_OK;
}

/*
 * A draft made on vN of an invoice now at vM > N is restored as if the
 * form had stayed open since vN: its base is vN's values and a save is
 * made against vN, so it meets the conflict panel (with Merge when the
 * changes are disjoint) instead of laying the whole body over vM.
 */
static void draft_rebase(struct form *f, const struct draft *d)
{
	struct invoice now = f->base, base;

	if (!draft_base_row(d, &now, &base))
		base = now, base.version = d->base_version;
	f->base = base;
	f->version = d->base_version;
	snprintf(f->notice, sizeof f->notice,
	         _("Changed elsewhere: v%lld → v%lld"),
	         (long long)d->base_version, (long long)now.version);
}

static void draft_discard_offer(struct app *a, const struct form *f)
{
	struct wreq req;

	memset(&req, 0, sizeof req);
	req.kind = W_DRAFT_DISCARD;
	req.who = a->who;
	req.id = f->create ? 0 : f->base.id;
	text_copy(req.token, sizeof req.token, f->offer.token);
	app_submit(a, &req);
}

static void draft_restore_answer(struct app *a, bool yes, int64_t serial)
{
	struct form *f = a->form;
	struct form_values v;

	if (!f || f->serial != (uint64_t)serial)
		return;
	if (yes && draft_body_decode(f->offer.body, &v)) {
		if (f->create && f->offer.token[0])
			/* the restored form submits with the draft's token:
			 * a second submit is still a repeat */
			text_copy(f->token, sizeof f->token, f->offer.token);
		else if (f->create)
			/* a draft from before drafts had tokens: the form
			 * keeps its own, and saves the draft under it */
			draft_discard_offer(a, f);
		else if (f->offer.base_version != f->version)
			draft_rebase(f, &f->offer);
		form_values_set(f, &v);
		f->draft_version = f->offer.version;
		return;
	}
	/* declined: the stored draft goes, so it is not offered again */
	draft_discard_offer(a, f);
	if (!f->create)
		f->draft_version = 0;
}

void draft_offer_restore(struct app *a)
{
	struct form *f = a->form;
	struct form_values stored, now;
	struct inv_err err;
	char when[32], q[256];

	if (!f)
		return;
	/* a new invoice's form is offered the newest new-invoice draft,
	 * whatever its token; an edit form the draft of its invoice */
	if (store_draft_load(a->st, &a->who, f->create ? 0 : f->base.id,
	                     f->create ? NULL : "", &f->offer, &err) != INV_OK)
		return;
	if (!f->create)
		f->draft_version = f->offer.version;
	if (!draft_body_decode(f->offer.body, &stored))
		return;
	form_values_get(f, &now);
	if (values_equal(&stored, &now))
		return; /* nothing in it that the form does not show */
	draft_time(f->offer.saved_at, when, sizeof when);
	if (!f->create && f->offer.base_version != f->version)
		snprintf(q, sizeof q,
		         _("Restore unsaved draft from %s (made on v%lld, now "
		           "v%lld)?"),
		         when, (long long)f->offer.base_version,
		         (long long)f->version);
	else
		snprintf(q, sizeof q, _("Restore unsaved draft from %s?"),
		         when);
	confirm_open(a, q, draft_restore_answer, (int64_t)f->serial);
}

/* ---- the draft conflict panel ---------------------------------------- */

static void status_label(const char *name, char *buf, size_t size)
{
	enum inv_status st;
	struct inv_err err;

	if (invoice_status_parse(name, &st, &err) == INV_OK)
		text_copy(buf, size, invoice_status_label(st));
	else
		text_copy(buf, size, name);
}

struct draft_conflict {
	struct form_values stored;
	int64_t version;
	char when[32];
};

static void draftconf_keep_mine(struct app *a, struct draft_conflict *d)
{
	struct form *f = a->form;

	/* save over at the stored version, right away */
	f->draft_version = d->version;
	f->draft_pending = true;
	f->last_key_ms = 0;
}

static void draftconf_take_stored(struct app *a, struct draft_conflict *d)
{
	struct form *f = a->form;

	form_values_set(f, &d->stored);
	f->draft_version = d->version;
	f->draft_pending = false;
}

static void draftconf_key(struct app *a, struct layer *l, wint_t ch,
                          bool fkey)
{
	struct draft_conflict d = *(struct draft_conflict *)l->data;

	if (fkey)
		return;
	if (ch != 'k' && ch != 't' && ch != KEY_ESC)
		return;
	layer_pop(a);
	if (!a->form)
		return;
	if (ch == 't')
		draftconf_take_stored(a, &d);
	else
		draftconf_keep_mine(a, &d);
}

/* Lines the field row i needs: both values in full, wrapped in colw. */
static int draftconf_row_lines(const char *sv, const char *mv, int colw)
{
	int a = draw_wrap(NULL, 0, 0, colw, sv, RO_NORMAL, 64);
	int b = draw_wrap(NULL, 0, 0, colw, mv, RO_NORMAL, 64);

	return a > b ? a : b;
}

/* Both values of every field are shown in full (wrapped, never cut), and
 * the fields that differ are marked, so two drafts that look alike at a
 * glance cannot hide a difference. */
static void draftconf_draw(struct app *a, struct layer *l)
{
	static const char *const labels[5] = {
		N_("Customer"), N_("Status"), N_("Total"), N_("Currency"),
		N_("Number"),
	};
	struct draft_conflict *d = l->data;
	struct form_values mine;
	const char *sv[5], *mv[5];
	char head[128], sst[64], mst[64];
	int w = COLS - 2 > 78 ? 78 : COLS - 2, colw, y = 1, h, room;

	if (!a->form)
		return;
	form_values_get(a->form, &mine);
	status_label(d->stored.status, sst, sizeof sst);
	status_label(mine.status, mst, sizeof mst);
	sv[0] = d->stored.customer, sv[1] = sst;
	sv[2] = d->stored.total, sv[3] = d->stored.currency;
	mv[0] = mine.customer, mv[1] = mst;
	mv[2] = mine.total, mv[3] = mine.currency;
	sv[4] = d->stored.number, mv[4] = mine.number;
	colw = (w - 16) / 2;
	h = 8;
	for (int i = 0; i < 5; i++)
		h += draftconf_row_lines(sv[i], mv[i], colw);
	layer_place(l, h, w);
	w = getmaxx(l->win);
	h = getmaxy(l->win);
	colw = (w - 16) / 2;
	draw_box(l->win, _("Draft"));
	draw_str(l->win, y++, 2,
	         _("Your draft was saved from another terminal meanwhile."),
	         RO_WARN, w - 4);
	y++;
	snprintf(head, sizeof head, _("Stored draft, saved %s"), d->when);
	draw_text_role(l->win, y, 14, colw, head, ALIGN_LEFT, RO_HEADER);
	draw_text_role(l->win, y++, 15 + colw, colw, _("This form"),
	               ALIGN_LEFT, RO_HEADER);
	room = h - 3;
	for (int i = 0; i < 5 && y < room; i++) {
		bool diff = strcmp(sv[i], mv[i]) != 0;
		enum draw_role r = diff ? RO_MARK : RO_NORMAL;
		int n1, n2;

		draw_str(l->win, y, 2, diff ? "*" : " ", RO_MARK, 1);
		draw_text(l->win, y, 4, 9, _(labels[i]), ALIGN_LEFT);
		n1 = draw_wrap(l->win, y, 14, colw, sv[i], r, room - y);
		n2 = draw_wrap(l->win, y, 15 + colw, colw, mv[i], r, room - y);
		y += n1 > n2 ? n1 : n2;
	}
	if (y < room)
		draw_str(l->win, y, 2, _("* differs between the two"),
		         RO_MUTED, w - 4);
	struct draw_hint hints[] = {
		{ "k", _("keep mine") },
		{ "t", _("take the stored draft") },
		{ "Esc", _("keep mine") },
	};
	draw_hints(l->win, h - 2, 2, w - 4, hints, 3, 2);
}

static void draftconf_release(struct layer *l)
{
	free(l->data);
}

static const struct layer_ops draftconf_ops = {
	.draw = draftconf_draw,
	.key = draftconf_key,
	.release = draftconf_release,
};

void draft_conflict_open(struct app *a, const struct draft *stored)
{
	struct draft_conflict *d;

	if (!a->form || layer_find(a, &draftconf_ops))
		return;
	d = calloc(1, sizeof *d);
	if (!d)
		return;
	if (!draft_body_decode(stored->body, &d->stored)) {
		free(d);
		a->form->draft_version = stored->version;
		return;
	}
	d->version = stored->version;
	/* the date is today's; the time says which edit it is */
	l10n_time(stored->saved_at, L10N_TIME, d->when, sizeof d->when);
	layer_push(a, &draftconf_ops, d);
}
