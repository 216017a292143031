/*
 * form.c - the edit and create form (SPEC 4.2) and its autosave timing.
 *
 * The form keeps the row it was loaded from (`base`) and the version a
 * save is made against; both change only when the operator takes the
 * database's values (Use latest, Merge) — a peer's change shows as a quiet
 * notice and never touches what the operator typed.  Saves go through the
 * writer thread; while one is in flight the fields do not take edits, so
 * what is saved is what is on the screen.
 *
 * The create form carries a request token made when it opens: a second
 * submit sends the same token, and the core answers with the invoice the
 * first one made (SPEC 3.3).
 */
#include <time.h>

#include "tui_internal.h"

#define AUTOSAVE_PAUSE_MS 1000

static const char *const field_labels[FF__COUNT] = {
	N_("Customer"), N_("Status"), N_("Total"), N_("Currency"), N_("Number"),
};

static const char *const field_names[FF__COUNT] = {
	"customer", "status", "total", "currency", "number",
};

void form_values_get(const struct form *f, struct form_values *v)
{
	lineedit_get(&f->customer, v->customer, sizeof v->customer);
	text_copy(v->status, sizeof v->status, invoice_status_name(f->status));
	lineedit_get(&f->total, v->total, sizeof v->total);
	lineedit_get(&f->currency, v->currency, sizeof v->currency);
	lineedit_get(&f->number, v->number, sizeof v->number);
}

void form_values_set(struct form *f, const struct form_values *v)
{
	enum inv_status st;
	struct inv_err err;

	lineedit_set(&f->customer, v->customer);
	lineedit_set(&f->total, v->total);
	lineedit_set(&f->currency, v->currency);
	/* a draft from before the number was a field of the form carries
	 * none: the form keeps the number it has */
	if (v->number[0] || f->create)
		lineedit_set(&f->number, v->number);
	if (invoice_status_parse(v->status, &st, &err) == INV_OK)
		f->status = st;
}

void form_values_of_row(const struct invoice *row, struct form_values *v)
{
	text_copy(v->customer, sizeof v->customer, row->customer);
	text_copy(v->status, sizeof v->status, invoice_status_name(row->status));
	if (row->id == 0 && row->total_minor == 0)
		v->total[0] = '\0'; /* a new invoice starts empty */
	else
		screen_amount(row->total_minor, row->currency, v->total,
		              sizeof v->total);
	text_copy(v->currency, sizeof v->currency, row->currency);
	text_copy(v->number, sizeof v->number, row->number);
}

static void form_clear_errors(struct form *f)
{
	for (int i = 0; i < FF__COUNT; i++)
		f->error[i][0] = '\0';
	f->message[0] = '\0';
	f->message_info = false;
}

void form_load_row(struct form *f, const struct invoice *row)
{
	struct form_values v;

	f->base = *row;
	f->version = row->version;
	if (row->version > f->seen_version)
		f->seen_version = row->version;
	form_values_of_row(row, &v);
	form_values_set(f, &v);
	form_clear_errors(f);
	f->notice[0] = '\0';
}

bool form_dirty(const struct form *f)
{
	struct form_values now, then;

	form_values_get(f, &now);
	form_values_of_row(&f->base, &then);
	return strcmp(now.customer, then.customer) != 0 ||
	       strcmp(now.status, then.status) != 0 ||
	       strcmp(now.total, then.total) != 0 ||
	       strcmp(now.currency, then.currency) != 0 ||
	       strcmp(now.number, then.number) != 0;
}

bool form_to_invoice(const struct form *f, struct invoice *out)
{
	struct form_values v;
	struct inv_err err;

	form_values_get(f, &v);
	*out = f->base;
	text_copy(out->customer, sizeof out->customer, v.customer);
	out->status = f->status;
	text_copy(out->currency, sizeof out->currency, v.currency);
	text_copy(out->number, sizeof out->number, v.number);
	return screen_amount_parse(v.total, v.currency, &out->total_minor,
	                           &err) == INV_OK;
}

static struct form *form_new(struct app *a)
{
	struct form *f = calloc(1, sizeof *f);

	if (!f)
		return NULL;
	f->serial = ++a->form_serial;
	lineedit_init(&f->customer, CUSTOMER_MAX_CHARS, false);
	lineedit_init(&f->total, 24, false);
	lineedit_init(&f->currency, 3, true);
	lineedit_init(&f->number, NUMBER_MAX_BYTES, false);
	f->field = FF_CUSTOMER;
	return f;
}

/* ---- dropped edits ------------------------------------------------------ */

static bool form_dropped_alloc(struct form *f)
{
	if (!f->dropped)
		f->dropped = calloc(2, sizeof *f->dropped);
	return f->dropped != NULL;
}

/* Edits dropped by an earlier Use latest, kept in the database: offered
 * again whenever the invoice's form opens, until dealt with. */
static void form_load_dropped(struct app *a, struct form *f)
{
	struct draft *d = calloc(1, sizeof *d);
	struct inv_err err;

	if (!d)
		return;
	if (store_draft_load(a->st, &a->who, f->base.id, DRAFT_DROPPED, d,
	                     &err) == INV_OK &&
	    form_dropped_alloc(f) &&
	    draft_body_decode(d->body, &f->dropped[0])) {
		if (!d->base_body[0] ||
		    !draft_body_decode(d->base_body, &f->dropped[1]))
			form_values_of_row(&f->base, &f->dropped[1]);
		f->has_dropped = true;
	}
	free(d);
}

bool form_keep_dropped(struct app *a)
{
	struct form *f = a->form;
	struct draft *d, *cur;
	struct form_values v, base;
	struct inv_err err;
	int64_t nv, ver = 0;
	enum inv_rc rc;

	if (!f || f->create || !form_dirty(f) || !form_dropped_alloc(f))
		return false;
	d = calloc(2, sizeof *d);
	if (!d)
		return false;
	cur = d + 1;
	form_values_get(f, &v);
	form_values_of_row(&f->base, &base);
	d->invoice_id = f->base.id;
	text_copy(d->token, sizeof d->token, DRAFT_DROPPED);
	d->base_version = f->version;
	draft_body_encode(&base, d->base_body, sizeof d->base_body);
	draft_body_encode(&v, d->body, sizeof d->body);
	/* the newest dropped edits replace older ones: load the stored
	 * version first, so the save is made against it */
	if (store_draft_load(a->st, &a->who, f->base.id, DRAFT_DROPPED, cur,
	                     &err) == INV_OK)
		ver = cur->version;
	rc = store_draft_save(a->st, &a->who, d, ver, &nv, cur, &err);
	if (rc == INV_CONFLICT)
		rc = store_draft_save(a->st, &a->who, d, cur->version, &nv, cur,
		                      &err);
	free(d);
	if (rc != INV_OK) {
		toast_show(a, TOAST_ERROR, err.msg);
		return false;
	}
	f->dropped[0] = v;
	f->dropped[1] = base;
	f->has_dropped = true;
	return true;
}

static void form_forget_dropped(struct app *a, struct form *f)
{
	struct wreq req;

	if (!f->has_dropped)
		return;
	f->has_dropped = false;
	memset(&req, 0, sizeof req);
	req.kind = W_DRAFT_DISCARD;
	req.who = a->who;
	req.id = f->base.id;
	text_copy(req.token, sizeof req.token, DRAFT_DROPPED);
	app_submit(a, &req);
}

/* Lay the dropped edits over the form as typed edits: each field the
 * operator had changed takes the value typed then (Total and Currency
 * together); the base stays the row the form holds now. */
static void form_bring_back(struct app *a, struct form *f)
{
	struct form_values v;
	const struct form_values *t, *b;

	if (!f->has_dropped || f->saving)
		return;
	t = &f->dropped[0];
	b = &f->dropped[1];
	form_values_get(f, &v);
	if (strcmp(t->customer, b->customer) != 0)
		text_copy(v.customer, sizeof v.customer, t->customer);
	if (strcmp(t->status, b->status) != 0)
		text_copy(v.status, sizeof v.status, t->status);
	if (strcmp(t->total, b->total) != 0 ||
	    strcmp(t->currency, b->currency) != 0) {
		text_copy(v.total, sizeof v.total, t->total);
		text_copy(v.currency, sizeof v.currency, t->currency);
	}
	form_values_set(f, &v);
	/* they are the form's edits now, autosaved as its draft */
	form_forget_dropped(a, f);
	text_copy(f->message, sizeof f->message,
	          _("Your dropped edits are back: review, then save with F2."));
	f->message_info = true;
	form_mark_edited(a);
}

/* ---- moved out from under the form ------------------------------------ */

/* An admin's restore-and-apply: a guarded restore at the version this
 * form saw the invoice archived or deleted at. */
static void form_restore_apply(struct app *a, struct form *f)
{
	struct wreq req;

	if (f->moved == LIFE_ACTIVE || f->saving ||
	    !identity_at_least(&a->who, ROLE_ADMIN))
		return;
	memset(&req, 0, sizeof req);
	req.kind = W_RESTORE;
	req.form_serial = f->serial;
	req.who = a->who;
	req.id = f->base.id;
	req.version = f->seen_version;
	if (app_submit(a, &req))
		f->saving = true;
}

void form_on_restore(struct app *a, const struct wres *r)
{
	struct form *f = a->form;
	const struct invoice *row = &r->res.row;

	if (!f || f->serial != r->req.form_serial)
		return;
	f->saving = false;
	if (r->rc != INV_OK) {
		text_copy(f->message, sizeof f->message, r->err.msg);
		f->message_info = false;
		return;
	}
	f->moved = LIFE_ACTIVE;
	f->seen_version = row->version;
	f->notice[0] = '\0';
	if (merge_diff(&f->base, row) == 0) {
		/* nobody changed a field since the form was loaded: the
		 * edits apply to the restored row as they stand */
		f->base = *row;
		f->version = row->version;
		snprintf(f->message, sizeof f->message,
		         _("Restored at v%lld: press F2 to save your edits."),
		         (long long)row->version);
	} else {
		snprintf(f->message, sizeof f->message,
		         _("Restored at v%lld; fields changed elsewhere too: "
		           "F2 shows the conflict."),
		         (long long)row->version);
	}
	f->message_info = true;
}

static void form_push(struct app *a, struct form *f)
{
	char tag[CACHE_TAG_MAX];

	if (!layer_push(a, &form_layer_ops, f))
		return;
	a->form = f;
	if (!f->create) {
		cache_tag_record(a->who.org_id, f->base.id, tag);
		cache_fetched(a->cache, tag, app_now());
	}
	presence_form_enter(a, f);
	if (!f->create)
		form_load_dropped(a, f);
	draft_offer_restore(a);
}

void form_open_edit(struct app *a, const struct invoice *row)
{
	struct form *f;

	if (a->form)
		return;
	f = form_new(a);
	if (!f)
		return;
	form_load_row(f, row);
	f->seen_version = row->version;
	form_push(a, f);
}

void form_open_create(struct app *a)
{
	struct invoice blank;
	struct form *f;

	if (a->form)
		return;
	f = form_new(a);
	if (!f)
		return;
	memset(&blank, 0, sizeof blank);
	blank.status = ST_DRAFT;
	snprintf(blank.currency, sizeof blank.currency, "EUR");
	form_load_row(f, &blank);
	f->create = true;
	store_new_token(f->token);
	form_push(a, f);
}

/* Close the form and every layer above it (its questions and panels). */
void form_close(struct app *a)
{
	struct layer *l = layer_find(a, &form_layer_ops);

	if (!l)
		return;
	while (layer_top(a) != l)
		layer_pop(a);
	layer_pop(a);
	a->form = NULL;
}

static int64_t form_draft_id(const struct form *f)
{
	return f->create ? 0 : f->base.id;
}

/* A new invoice's draft is keyed by the form's request token. */
static const char *form_draft_token(const struct form *f)
{
	return f->create ? f->token : "";
}

static void form_draft_discard(struct app *a, struct form *f)
{
	struct wreq req;

	memset(&req, 0, sizeof req);
	req.kind = W_DRAFT_DISCARD;
	req.who = a->who;
	req.id = form_draft_id(f);
	text_copy(req.token, sizeof req.token, form_draft_token(f));
	app_submit(a, &req);
}

void form_mark_edited(struct app *a)
{
	struct form *f = a->form;

	if (!f)
		return;
	f->draft_pending = true;
	f->last_key_ms = app_now();
}

/* ---- saving ----------------------------------------------------------- */

static int form_field_of(const char *name)
{
	for (int i = 0; i < FF__COUNT; i++)
		if (strcmp(field_names[i], name) == 0)
			return i;
	return -1;
}

/* The same rules the core applies, checked here first so the message sits
 * next to the field at once; the core checks again on save. */
static bool form_validate(struct form *f)
{
	struct form_values v;
	struct inv_err err;
	int64_t minor;
	int first = -1;

	form_values_get(f, &v);
	form_clear_errors(f);
	if (invoice_check_customer(v.customer, &err) != INV_OK) {
		text_copy(f->error[FF_CUSTOMER], sizeof f->error[0], err.msg);
		first = FF_CUSTOMER;
	}
	if (!money_currency_known(v.currency)) {
		snprintf(f->error[FF_CURRENCY], sizeof f->error[0], "%s",
		         _("Unknown currency; use an ISO 4217 code such as "
		           "EUR, USD or JPY."));
		if (first < 0)
			first = FF_CURRENCY;
	} else if (screen_amount_parse(v.total, v.currency, &minor, &err) !=
	           INV_OK) {
		text_copy(f->error[FF_TOTAL], sizeof f->error[0], err.msg);
		if (first < 0 || first == FF_CURRENCY)
			first = FF_TOTAL;
	}
	/* an edit keeps a number (a new invoice may leave it to the org);
	 * the core judges its form and the live-number index its use */
	if (!f->create && !v.number[0]) {
		snprintf(f->error[FF_NUMBER], sizeof f->error[0], "%s",
		         _("An invoice needs a number."));
		if (first < 0)
			first = FF_NUMBER;
	}
	if (first >= 0)
		f->field = first;
	return first < 0;
}

unsigned form_write_set(const struct form *f)
{
	struct invoice mine;

	if (f->create)
		return MF_ALL;
	/* only what the operator changed since the form's base is written,
	 * so a save (or an overwrite) never puts back a stale value */
	if (!form_to_invoice(f, &mine)) {
		/* a total that does not parse was typed: the money goes
		 * (and the core refuses it), the rest by what changed */
		mine.total_minor = f->base.total_minor;
		return merge_write_set(&f->base, &mine) | MF_MONEY;
	}
	return merge_write_set(&f->base, &mine);
}

void form_submit(struct app *a, int flags)
{
	struct form *f = a->form;
	struct form_values v;
	struct wreq req;
	int64_t minor;

	if (!f || f->saving)
		return;
	if (!form_validate(f))
		return;
	/* the core refuses a write that changes nothing; so does the form,
	 * without asking it */
	if (!f->create && !(flags & WRITE_OVERWRITE) && !form_dirty(f)) {
		form_draft_discard(a, f);
		form_close(a);
		toast_show(a, TOAST_INFO, _("No changes to save."));
		return;
	}
	form_values_get(f, &v);
	memset(&req, 0, sizeof req);
	req.kind = f->create ? W_CREATE : W_EDIT;
	req.form_serial = f->serial;
	req.who = a->who;
	req.id = f->base.id;
	req.version = f->version;
	req.flags = flags;
	req.fields = form_write_set(f);
	text_copy(req.customer, sizeof req.customer, v.customer);
	text_copy(req.status, sizeof req.status, v.status);
	/* the core reads what the command line writes: the amount goes as
	 * the form read it, in '.' whatever the locale showed */
	if (screen_amount_parse(v.total, v.currency, &minor, NULL) == INV_OK)
		money_format(minor, v.currency, req.total, sizeof req.total);
	else
		text_copy(req.total, sizeof req.total, v.total);
	text_copy(req.currency, sizeof req.currency, v.currency);
	text_copy(req.number, sizeof req.number, v.number);
	text_copy(req.token, sizeof req.token, f->token);
	if (app_submit(a, &req))
		f->saving = true;
}

static void form_saved(struct app *a, const struct wres *r)
{
	struct form *f = a->form;
	bool mine = f && f->serial == r->req.form_serial;

	/* SPEC 3.2: the commit happened; invalidate, then show the result */
	if (!r->res.repeat)
		app_own_write(a, r);
	if (mine) {
		form_draft_discard(a, f);
		form_forget_dropped(a, f);
		form_close(a);
	}
	if (r->req.kind == W_CREATE)
		toast_show(a, TOAST_OK, r->res.repeat
		           ? _("Invoice already created.")
		           : _("Invoice created."));
	else
		toast_show(a, TOAST_OK, _("Invoice saved."));
	table_select_id(a, r->res.row.id);
}

static void form_refused(struct app *a, struct form *f, const struct wres *r)
{
	int field;

	switch (r->rc) {
	case INV_CONFLICT:
		/* a number another live invoice holds: said at the field,
		 * naming it; not a stale copy */
		if (strcmp(r->err.field, "number") == 0) {
			text_copy(f->error[FF_NUMBER], sizeof f->error[0],
			          r->err.msg);
			f->field = FF_NUMBER;
			return;
		}
		if (!f->create && r->res.have_row) {
			conflict_open(a, &r->res.row);
			return;
		}
		break;
	case INV_INVALID:
		field = form_field_of(r->err.field);
		if (field >= 0) {
			text_copy(f->error[field], sizeof f->error[0], r->err.msg);
			f->field = field;
			return;
		}
		break;
	case INV_NOT_FOUND:
		/* the invoice went from under the form: the edits stay */
		snprintf(f->message, sizeof f->message,
		         _("Not saved: %s. Your edits are kept as a draft."),
		         r->err.msg);
		f->message_info = false;
		f->draft_pending = true;
		f->last_key_ms = 0;
		toast_show(a, TOAST_ERROR, f->message);
		return;
	default:
		break;
	}
	text_copy(f->message, sizeof f->message, r->err.msg);
	f->message_info = false;
	toast_show(a, TOAST_ERROR, r->err.msg);
}

static void form_draft_result(struct app *a, struct form *f,
                              const struct wres *r)
{
	f->draft_saving = false;
	if (r->rc == INV_OK) {
		time_t now = time(NULL);
		struct tm tm;

		f->draft_version = r->draft_version;
		/* the quiet sign under the fields (form_draw_message) */
		if (localtime_r(&now, &tm))
			strftime(f->draft_saved, sizeof f->draft_saved, "%H:%M",
			         &tm);
	}
	else if (r->rc == INV_CONFLICT)
		draft_conflict_open(a, &r->draft);
	/* other failures stay quiet: the next pause in typing retries */
	else
		f->draft_pending = true;
}

void form_on_result(struct app *a, const struct wres *r)
{
	struct form *f = a->form;
	bool mine = f && f->serial == r->req.form_serial;

	if (r->req.kind == W_DRAFT_SAVE) {
		if (mine)
			form_draft_result(a, f, r);
		return;
	}
	if (mine)
		f->saving = false;
	if (r->rc == INV_OK) {
		form_saved(a, r);
		return;
	}
	if (mine)
		form_refused(a, f, r);
	else
		toast_show(a, TOAST_ERROR, r->err.msg);
}

/* Archived or deleted by someone else: say so at once, and keep what was
 * typed as a draft now (the next autosave tick writes it). */
static void form_moved_out(struct app *a, struct form *f, enum inv_life life,
                           int64_t version)
{
	if (life == LIFE_DELETED)
		snprintf(f->notice, sizeof f->notice,
		         version > 0 ? _("%s was deleted elsewhere (v%lld); your "
		                         "edits stay as a draft.")
		                     : _("%s was deleted elsewhere; your edits "
		                         "stay as a draft."),
		         f->base.number, (long long)version);
	else
		snprintf(f->notice, sizeof f->notice,
		         _("%s was archived elsewhere (v%lld); your edits stay "
		           "as a draft."),
		         f->base.number, (long long)version);
	f->moved = life;
	if (form_dirty(f)) {
		f->draft_pending = true;
		f->last_key_ms = 0;
	}
	a->dirty = true;
}

void form_check_record(struct app *a)
{
	struct form *f = a->form;
	char tag[CACHE_TAG_MAX];
	struct invoice row;
	struct inv_err err;
	enum inv_rc rc;
	enum inv_life life;

	if (!f || f->create)
		return;
	cache_tag_record(a->who.org_id, f->base.id, tag);
	rc = store_get(a->st, &a->who, f->base.id, &row, &err);
	cache_fetched(a->cache, tag, app_now());
	if (rc == INV_NOT_FOUND && f->seen_version >= 0) {
		/* Deleted elsewhere, and a member no longer reads it. */
		f->seen_version = -1;
		form_moved_out(a, f, LIFE_DELETED, 0);
		conflict_refresh(a, NULL);
		return;
	}
	if (rc != INV_OK || row.version == f->seen_version)
		return;
	f->seen_version = row.version;
	conflict_refresh(a, &row);
	life = invoice_life(&row);
	if (life != LIFE_ACTIVE && life != invoice_life(&f->base)) {
		form_moved_out(a, f, life, row.version);
		return;
	}
	f->moved = LIFE_ACTIVE;
	snprintf(f->notice, sizeof f->notice, _("Changed elsewhere: v%lld → v%lld"),
	         (long long)f->version, (long long)row.version);
	a->dirty = true;
}

/* ---- drafts timing ---------------------------------------------------- */

static void form_draft_request(struct app *a, struct form *f,
                               struct wreq *req)
{
	struct form_values v, base;

	form_values_get(f, &v);
	form_values_of_row(&f->base, &base);
	memset(req, 0, sizeof *req);
	req->kind = W_DRAFT_SAVE;
	req->form_serial = f->serial;
	req->who = a->who;
	req->id = form_draft_id(f);
	text_copy(req->token, sizeof req->token, form_draft_token(f));
	req->version = f->draft_version;
	req->base_version = f->version;
	draft_body_encode(&v, req->body, sizeof req->body);
	/* the values the form was loaded from go with it: a draft restored
	 * after the invoice moved on is saved as a three-way merge */
	draft_body_encode(&base, req->base_body, sizeof req->base_body);
}

int64_t form_autosave_due(struct app *a, int64_t now)
{
	struct form *f = a->form;
	int64_t due;

	if (!f || !f->draft_pending || f->draft_saving || f->saving)
		return -1;
	due = f->last_key_ms + AUTOSAVE_PAUSE_MS - now;
	return due < 0 ? 0 : due;
}

void form_autosave_tick(struct app *a, int64_t now)
{
	struct form *f = a->form;
	struct wreq req;

	if (form_autosave_due(a, now) != 0)
		return;
	form_draft_request(a, f, &req);
	if (app_submit(a, &req)) {
		f->draft_saving = true;
		f->draft_pending = false;
	}
}

bool form_draft_save_now(struct app *a)
{
	struct form *f = a->form;
	struct wreq *req;
	struct draft *d, *cur;
	struct inv_err err;
	int64_t nv;
	enum inv_rc rc = INV_ERROR;

	if (!f || (!f->draft_pending && !form_dirty(f)))
		return false;
	req = malloc(sizeof *req);
	d = calloc(2, sizeof *d);
	if (!req || !d)
		goto out;
	cur = d + 1;
	form_draft_request(a, f, req);
	d->invoice_id = req->id;
	text_copy(d->token, sizeof d->token, req->token);
	d->base_version = req->base_version;
	text_copy(d->base_body, sizeof d->base_body, req->base_body);
	text_copy(d->body, sizeof d->body, req->body);
	rc = store_draft_save(a->st, &a->who, d, req->version, &nv, cur, &err);
	/* leaving for good: what this screen shows is the newest thought */
	if (rc == INV_CONFLICT)
		rc = store_draft_save(a->st, &a->who, d, cur->version, &nv,
		                      cur, &err);
out:
	free(d);
	free(req);
	return rc == INV_OK;
}

/* ---- the layer -------------------------------------------------------- */

static void form_leave_answer(struct app *a, bool yes, int64_t serial)
{
	struct form *f = a->form;

	if (!yes || !f || f->serial != (uint64_t)serial)
		return;
	form_draft_discard(a, f);
	form_close(a);
}

static void form_leave(struct app *a, struct form *f)
{
	if (f->saving)
		return;
	if (form_dirty(f)) {
		confirm_open(a, _("Discard unsaved changes?"),
		             form_leave_answer, (int64_t)f->serial);
		return;
	}
	if (f->draft_version > 0 || f->draft_saving)
		form_draft_discard(a, f);
	form_close(a);
}

static void form_status_step(struct form *f, int step)
{
	f->status = (enum inv_status)(((int)f->status + step + ST__COUNT) %
	                              ST__COUNT);
}

/* A letter picks the status whose name starts with it (d, s, p, v). */
static bool form_status_letter(struct form *f, wint_t ch)
{
	for (int s = 0; s < ST__COUNT; s++) {
		const char *name = invoice_status_name((enum inv_status)s);
		if ((wint_t)name[0] == ch) {
			f->status = (enum inv_status)s;
			return true;
		}
	}
	return false;
}

static bool form_status_key(struct form *f, wint_t ch, bool fkey)
{
	if (fkey && ch == KEY_LEFT) {
		form_status_step(f, -1);
		return true;
	}
	if ((fkey && ch == KEY_RIGHT) || (!fkey && ch == ' ')) {
		form_status_step(f, 1);
		return true;
	}
	return !fkey && form_status_letter(f, ch);
}

static struct lineedit *form_line(struct form *f, int field)
{
	switch (field) {
	case FF_CUSTOMER:
		return &f->customer;
	case FF_TOTAL:
		return &f->total;
	case FF_CURRENCY:
		return &f->currency;
	case FF_NUMBER:
		return &f->number;
	default:
		return NULL;
	}
}

static void form_edit_key(struct app *a, struct form *f, wint_t ch,
                          bool fkey)
{
	struct lineedit *le = form_line(f, f->field);
	bool changed = false, handled = false;

	if (f->saving)
		return;
	if (le)
		handled = lineedit_key(le, ch, fkey, &changed);
	else
		changed = form_status_key(f, ch, fkey);
	if (changed) {
		f->error[f->field][0] = '\0';
		form_mark_edited(a);
	} else if (handled && !fkey && ch >= 0x20 && ch != 0x7f &&
	           le == &f->customer && le->len >= le->max) {
		/* SPEC 7: an over-long name is refused with a message, not
		 * cut without a word */
		snprintf(f->error[FF_CUSTOMER], sizeof f->error[0],
		         _("the customer name can have at most %d characters"),
		         CUSTOMER_MAX_CHARS);
	}
}

static void form_move(struct form *f, int step)
{
	f->field = (f->field + step + FF__COUNT) % FF__COUNT;
}

static void form_layer_key(struct app *a, struct layer *l, wint_t ch,
                           bool fkey)
{
	struct form *f = l->data;
	bool enter = (!fkey && (ch == '\n' || ch == '\r')) ||
	             (fkey && ch == KEY_ENTER);

	switch (keymap_action(KM_FORM, ch, fkey)) {
	case KA_CLOSE:
		form_leave(a, f);
		return;
	case KA_DROPPED_BACK:
		form_bring_back(a, f);
		return;
	case KA_DROPPED_FORGET:
		form_forget_dropped(a, f);
		return;
	case KA_RESTORE_KEEP:
		form_restore_apply(a, f);
		return;
	case KA_SAVE:
		form_submit(a, 0);
		return;
	case KA_FIELD_NEXT:
		form_move(f, 1);
		return;
	case KA_FIELD_PREV:
		form_move(f, -1);
		return;
	default:
		break;
	}
	/* Enter and the editing keys depend on the field they are in */
	if (enter && f->field == FF__COUNT - 1)
		form_submit(a, 0);
	else if (enter)
		form_move(f, 1);
	else
		form_edit_key(a, f, ch, fkey);
}

static int form_label_cols(void)
{
	int w = 0;

	for (int i = 0; i < FF__COUNT; i++) {
		int c = text_cols(_(field_labels[i]));
		if (c > w)
			w = c;
	}
	return w;
}

static void form_draw_title(struct form *f, WINDOW *win, int w)
{
	char title[128], ver[64];

	if (f->create) {
		text_copy(title, sizeof title, _("New invoice"));
		ver[0] = '\0';
	} else {
		snprintf(title, sizeof title, _("Edit %s"), f->base.number);
		snprintf(ver, sizeof ver, _("Version %lld"),
		         (long long)f->version);
	}
	draw_box(win, title);
	if (ver[0]) {
		char buf[80];
		snprintf(buf, sizeof buf, " %s ", ver);
		int x = w - 2 - text_cols(buf);
		if (x > 2 + text_cols(title) + 3)
			draw_str(win, 0, x, buf, RO_KEY, 0);
	}
}

/* Draw one field's input; returns the cursor column (or -1). */
static int form_draw_input(struct form *f, WINDOW *win, int field, int y,
                           int x, int width)
{
	struct lineedit *le = form_line(f, field);
	bool focus = f->field == field;
	char buf[64];

	if (le) {
		if (field == FF_TOTAL && width > 24)
			width = 24;
		if (field == FF_CURRENCY && width > 5)
			width = 5;
		return lineedit_draw(le, win, y, x, width, RO_INPUT);
	}
	snprintf(buf, sizeof buf, "‹ %s ›", invoice_status_label(f->status));
	draw_str(win, y, x, buf, focus ? RO_SELECTED : RO_INPUT, width);
	return x + 2;
}

/* The line under the fields: saving, the refusal, or (when the fields
 * have no room for their own) the first field error. */
static void form_draw_message(struct app *a, struct form *f, WINDOW *win,
                              int y, int w, bool spaced)
{
	char buf[600];

	if (f->saving) {
		draw_str(win, y, 2, app_waiting(a)
		         ? _("Waiting for the database lock…")
		         : _("Saving…"), RO_WARN, w - 4);
		return;
	}
	if (f->message[0]) {
		draw_str(win, y, 2, f->message,
		         f->message_info ? RO_WARN : RO_FIELDERR, w - 4);
		return;
	}
	if (!spaced) {
		for (int i = 0; i < FF__COUNT; i++) {
			if (!f->error[i][0])
				continue;
			snprintf(buf, sizeof buf, "%s: %s", _(field_labels[i]),
			         f->error[i]);
			draw_str(win, y, 2, buf, RO_FIELDERR, w - 4);
			return;
		}
	}
	/* nothing else to say: a quiet sign that the edits are safe */
	if (f->draft_saved[0]) {
		snprintf(buf, sizeof buf, _("Draft kept at %s"),
		         f->draft_saved);
		draw_str(win, y, 2, buf, RO_MUTED, w - 4);
	}
}

/* The keys that undo what happened to the form: bring back dropped edits,
 * restore an invoice moved out from under it (admins). */
static void form_draw_offers(struct app *a, struct form *f, WINDOW *win,
                             int y, int w)
{
	struct draw_hint h[3];
	size_t n = 0;

	if (y >= getmaxy(win) - 2)
		return;
	if (f->moved != LIFE_ACTIVE && identity_at_least(&a->who, ROLE_ADMIN))
		h[n++] = (struct draw_hint){ "Ctrl-O", _("restore and apply") };
	if (f->has_dropped) {
		h[n++] = (struct draw_hint){ "Ctrl-R",
		                             _("bring back your edits") };
		h[n++] = (struct draw_hint){ "Ctrl-X", _("forget them") };
	}
	if (n)
		draw_hints(win, y, 2, w - 4, h, n, n);
}

static void form_layer_draw(struct app *a, struct layer *l)
{
	struct draw_hint th[KM_HINTS_MAX];
	int drop[KM_HINTS_MAX];
	size_t nth;
	struct form *f = l->data;
	bool spaced = STAGE_LINES >= 17;
	int w = COLS - 2 > 74 ? 74 : COLS - 2;
	int labw = form_label_cols(), y, ix, iw, cx = -1, cy = 0;
	int lines[FF__COUNT], extra = 0;

	/* a field's error is shown whole, wrapped under the field; the form
	 * grows by its extra lines while the screen has room for them */
	ix = 3 + labw + 2;
	for (int i = 0; i < FF__COUNT; i++) {
		int room = STAGE_LINES - 17 - extra;
		lines[i] = 1;
		if (!spaced || !f->error[i][0] || room <= 0)
			continue;
		lines[i] = draw_wrap(NULL, 0, 0, w - ix - 1, f->error[i],
		                     RO_FIELDERR, 1 + room);
		extra += lines[i] - 1;
	}
	layer_place(l, spaced ? 17 + extra : 10, w);
	w = getmaxx(l->win);
	form_draw_title(f, l->win, w);
	if (spaced && f->others[0])
		draw_str(l->win, 1, 2, f->others, RO_WARN, w - 4);
	iw = w - ix - 2;
	y = spaced ? 2 : 1;
	for (int i = 0; i < FF__COUNT; i++) {
		bool focus = f->field == i;
		draw_str(l->win, y, 1, focus ? ">" : " ", RO_KEY, 0);
		draw_str(l->win, y, 3, _(field_labels[i]),
		         focus ? RO_KEY : RO_NORMAL, labw + 1);
		int c = form_draw_input(f, l->win, i, y, ix, iw);
		if (focus) {
			cx = c;
			cy = y;
		}
		if (spaced && f->error[i][0])
			draw_wrap(l->win, y + 1, ix, w - ix - 1, f->error[i],
			          RO_FIELDERR, lines[i]);
		y += spaced ? 1 + lines[i] : 1;
	}
	if (f->notice[0])
		draw_str(l->win, y, 2, f->notice, RO_WARN, w - 4);
	form_draw_message(a, f, l->win, y + 1, w, spaced);
	form_draw_offers(a, f, l->win, y + 2, w);
	nth = keymap_hints(KM_FORM, identity_at_least(&a->who, ROLE_ADMIN), th,
	                   drop, KM_HINTS_MAX);
	draw_hints(l->win, getmaxy(l->win) - 2, 2, w - 4, th, nth, 2);
	if (cx >= 0 && cx < w) {
		l->cursor_on = true;
		l->cursor_y = cy;
		l->cursor_x = cx;
	}
}

static void form_layer_release(struct layer *l)
{
	struct form *f = l->data;

	presence_form_leave(f);
	free(f->dropped);
	free(f);
}

const struct layer_ops form_layer_ops = {
	.draw = form_layer_draw,
	.key = form_layer_key,
	.release = form_layer_release,
};
