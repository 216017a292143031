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

static size_t json_put_string(char *out, size_t size, size_t o,
                              const char *s)
{
	static const char hex[] = "0123456789abcdef";

	if (o < size)
		out[o++] = '"';
	for (; *s && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			out[o++] = '\\';
			out[o++] = 'u';
			out[o++] = '0';
			out[o++] = '0';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (o < size)
		out[o++] = '"';
	return o;
}

void draft_body_encode(const struct form_values *v, char *out, size_t size)
{
	const char *keys[5] = { "customer", "status", "total", "currency",
		                "number" };
	const char *vals[5] = { v->customer, v->status, v->total, v->currency,
		                v->number };
	size_t o = 0;

	if (size < 2)
		return;
	out[o++] = '{';
	for (int i = 0; i < 5; i++) {
		if (i > 0 && o < size)
			out[o++] = ',';
		o = json_put_string(out, size, o, keys[i]);
		if (o < size)
			out[o++] = ':';
		o = json_put_string(out, size, o, vals[i]);
	}
	if (o < size)
		out[o++] = '}';
	if (o >= size)
		o = size - 1;
	out[o] = '\0';
}

static const char *json_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read a JSON string at p into out; returns the position after it, or
 * NULL when p does not hold one. */
static const char *json_get_string(const char *p, char *out, size_t size)
{
	size_t o = 0;

	if (*p++ != '"')
		return NULL;
	while (*p && *p != '"') {
		char c = *p++;
		if (c == '\\') {
			char e = *p++;
			if (e == 'u') {
				int cp = 0;
				for (int i = 0; i < 4; i++) {
					int h = hex_val(*p++);
					if (h < 0)
						return NULL;
					cp = cp * 16 + h;
				}
				wchar_t wc = (wchar_t)cp;
				char enc[8];
				text_from_wide(&wc, 1, enc, sizeof enc);
				for (char *q = enc; *q && o + 1 < size; q++)
					out[o++] = *q;
				continue;
			}
			c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
			if (!e)
				return NULL;
		}
		if (o + 1 < size)
			out[o++] = c;
	}
	if (*p != '"')
		return NULL;
	out[o] = '\0';
	return p + 1;
}

bool draft_body_decode(const char *body, struct form_values *v)
{
	const char *p = json_skip_ws(body);
	char key[32];

	memset(v, 0, sizeof *v);
	if (*p++ != '{')
		return false;
	for (;;) {
		char *dst;
		size_t size;

		p = json_skip_ws(p);
		if (*p == '}')
			return true;
		p = json_get_string(p, key, sizeof key);
		if (!p)
			return false;
		p = json_skip_ws(p);
		if (*p++ != ':')
			return false;
		p = json_skip_ws(p);
		if (strcmp(key, "customer") == 0)
			dst = v->customer, size = sizeof v->customer;
		else if (strcmp(key, "status") == 0)
			dst = v->status, size = sizeof v->status;
		else if (strcmp(key, "total") == 0)
			dst = v->total, size = sizeof v->total;
		else if (strcmp(key, "currency") == 0)
			dst = v->currency, size = sizeof v->currency;
		else if (strcmp(key, "number") == 0)
			dst = v->number, size = sizeof v->number;
		else
			return false;
		p = json_get_string(p, dst, size);
		if (!p)
			return false;
		p = json_skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return false;
	}
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
	if (h > LINES)
		h = LINES;
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
