/*
 * conflict.c - the conflict panel over the form (SPEC 4.3).
 *
 * Opened when a save comes back INV_CONFLICT: the core already read the
 * row it holds now, in the refusing transaction, so nothing is re-read
 * here.  The panel compares three rows — what the form was loaded from,
 * what the operator has, what the database has — and offers Use latest,
 * Merge (only when the two sides changed different fields), and Overwrite
 * anyway (only to admins; the core refuses a member's overwrite anyway).
 * Nothing here saves by itself except Overwrite, which is the operator's
 * explicit choice, asked once more with the values it replaces named, and
 * which writes only the fields the operator changed.
 */
#include "tui_internal.h"

struct conflict {
	struct invoice theirs;
	struct invoice mine;
	struct merge_result mr;
};

static const unsigned field_bits[4] = {
	MF_CUSTOMER, MF_STATUS, MF_TOTAL, MF_CURRENCY,
};

static void conflict_value(const struct invoice *r, unsigned field,
                           char *buf, size_t size)
{
	char amount[MONEY_TEXT_MAX];

	switch (field) {
	case MF_CUSTOMER:
		text_copy(buf, size, r->customer);
		break;
	case MF_STATUS:
		text_copy(buf, size, invoice_status_label(r->status));
		break;
	case MF_TOTAL:
		money_format_grouped(r->total_minor, r->currency, amount,
		                     sizeof amount);
		snprintf(buf, size, "%s %s", amount, r->currency);
		break;
	default:
		text_copy(buf, size, r->currency);
		break;
	}
}

static void conflict_use_latest(struct app *a, const struct conflict *c)
{
	struct form *f = a->form;

	form_load_row(f, &c->theirs);
	snprintf(f->message, sizeof f->message,
	         _("Took the latest values (v%lld); your edits were dropped."),
	         (long long)c->theirs.version);
	f->message_info = true;
	form_mark_edited(a);
}

static void conflict_merge(struct app *a, const struct conflict *c)
{
	struct form *f = a->form;
	struct form_values v;

	form_load_row(f, &c->theirs);
	text_copy(v.customer, sizeof v.customer, c->mr.merged.customer);
	text_copy(v.status, sizeof v.status, invoice_status_name(c->mr.merged.status));
	money_format(c->mr.merged.total_minor, c->mr.merged.currency, v.total,
	             sizeof v.total);
	text_copy(v.currency, sizeof v.currency, c->mr.merged.currency);
	form_values_set(f, &v);
	snprintf(f->message, sizeof f->message,
	         _("Merged onto v%lld: review, then save."),
	         (long long)c->theirs.version);
	f->message_info = true;
	form_mark_edited(a);
}

/* Who saved the version the database holds now, from its audit row
 * ("external" for a writer outside inved); "" when not found. */
static void conflict_saver(struct app *a, const struct invoice *theirs,
                           char *buf, size_t size)
{
	struct audit_entry *e = calloc(8, sizeof *e);
	struct inv_err err;
	size_t n = 0;

	buf[0] = '\0';
	if (!e)
		return;
	if (store_audit_tail(a->st, &a->who, theirs->id, e, 8, &n, &err) ==
	    INV_OK)
		for (size_t i = 0; i < n; i++)
			if (e[i].to_version == theirs->version) {
				text_copy(buf, size, e[i].actor);
				break;
			}
	free(e);
}

static void conflict_overwrite_answer(struct app *a, bool yes,
                                      int64_t serial)
{
	if (yes && a->form && a->form->serial == (uint64_t)serial)
		form_submit(a, WRITE_OVERWRITE);
}

/*
 * Overwrite writes only what the operator changed (the form's write set);
 * fields only the other side changed keep the database's values.  One
 * question names each value of theirs that will be replaced, and who set
 * it, before anything is written.
 */
static void conflict_overwrite_ask(struct app *a, const struct conflict *c)
{
	static const unsigned order[3] = { MF_CUSTOMER, MF_STATUS, MF_TOTAL };
	struct form *f = a->form;
	unsigned set = form_write_set(f);
	unsigned replaced = merge_replaced(&f->base, &c->mine, &c->theirs, set);
	char who[NAME_MAX_BYTES + 1], q[1536], theirs[CUSTOMER_MAX_BYTES + 64],
	     mine[CUSTOMER_MAX_BYTES + 64], part[1200];
	size_t o = 0;

	conflict_saver(a, &c->theirs, who, sizeof who);
	if (!who[0])
		text_copy(who, sizeof who, _("the other side"));
	q[0] = '\0';
	/* Total and Currency are one unit: the total names both */
	for (int i = 0; i < 3; i++) {
		unsigned bit = order[i];
		if (!(replaced & bit))
			continue;
		conflict_value(&c->theirs, bit, theirs, sizeof theirs);
		conflict_value(&c->mine, bit, mine, sizeof mine);
		if (o == 0)
			snprintf(part, sizeof part,
			         _("Replace %s's %s %s with %s"), who,
			         merge_field_label((enum merge_field)bit), theirs,
			         mine);
		else
			snprintf(part, sizeof part, _(", %s %s with %s"),
			         merge_field_label((enum merge_field)bit), theirs,
			         mine);
		o += (size_t)snprintf(q + o, sizeof q - o, "%s", part);
		if (o >= sizeof q)
			o = sizeof q - 1;
	}
	if (o == 0)
		snprintf(q, sizeof q,
		         _("Save your changes over v%lld? Fields you did not "
		           "change keep their values. (y/n)"),
		         (long long)c->theirs.version);
	else
		snprintf(q + o, sizeof q - o, "%s", _("? (y/n)"));
	confirm_open(a, q, conflict_overwrite_answer, (int64_t)f->serial);
}

static void conflict_key(struct app *a, struct layer *l, wint_t ch,
                         bool fkey)
{
	struct conflict c = *(struct conflict *)l->data;
	bool admin = identity_at_least(&a->who, ROLE_ADMIN);

	if (fkey)
		return;
	if (ch == KEY_ESC) {
		layer_pop(a);
		return;
	}
	if (!a->form)
		return;
	if (ch == 'u') {
		layer_pop(a);
		conflict_use_latest(a, &c);
	} else if (ch == 'm' && c.mr.disjoint) {
		layer_pop(a);
		conflict_merge(a, &c);
	} else if (ch == 'o' && admin) {
		layer_pop(a);
		conflict_overwrite_ask(a, &c);
	}
}

static void conflict_draw_rows(struct layer *l, const struct conflict *c,
                               int y, int colw)
{
	char buf[CUSTOMER_MAX_BYTES + 64];

	for (int i = 0; i < 4; i++, y++) {
		unsigned bit = field_bits[i];
		bool theirs = (c->mr.theirs & bit) != 0;
		bool mine = (c->mr.mine & bit) != 0;

		draw_text(l->win, y, 2, 10,
		          merge_field_label((enum merge_field)bit), ALIGN_LEFT);
		draw_str(l->win, y, 12, theirs ? "*" : " ", RO_MARK, 1);
		conflict_value(&c->theirs, bit, buf, sizeof buf);
		draw_text_role(l->win, y, 14, colw, buf, ALIGN_LEFT,
		               theirs ? RO_MARK : RO_NORMAL);
		draw_str(l->win, y, 15 + colw, mine ? "*" : " ", RO_MARK, 1);
		conflict_value(&c->mine, bit, buf, sizeof buf);
		draw_text_role(l->win, y, 17 + colw, colw, buf, ALIGN_LEFT,
		               mine ? RO_MARK : RO_NORMAL);
	}
}

static void conflict_draw(struct app *a, struct layer *l)
{
	struct conflict *c = l->data;
	bool admin = identity_at_least(&a->who, ROLE_ADMIN);
	struct draw_hint hints[4];
	size_t nh = 0;
	char head[96];
	int w = COLS - 2 > 78 ? 78 : COLS - 2, colw;

	layer_place(l, 12, w);
	w = getmaxx(l->win);
	draw_box(l->win, _("Conflict"));
	draw_str(l->win, 1, 2,
	         _("This invoice changed elsewhere while you were editing."),
	         RO_WARN, w - 4);
	colw = (w - 19) / 2;
	snprintf(head, sizeof head, _("Database now (v%lld)"),
	         (long long)c->theirs.version);
	draw_text_role(l->win, 3, 14, colw, head, ALIGN_LEFT, RO_HEADER);
	snprintf(head, sizeof head, _("Yours (from v%lld)"),
	         (long long)c->mine.version);
	draw_text_role(l->win, 3, 17 + colw, colw, head, ALIGN_LEFT,
	               RO_HEADER);
	conflict_draw_rows(l, c, 4, colw);
	if (!c->mr.disjoint)
		draw_str(l->win, 8, 2,
		         _("Both sides changed the same field, so there is no "
		           "merge."),
		         RO_NORMAL, w - 4);
	draw_str(l->win, 9, 2, _("* changed since the form was loaded"),
	         RO_MUTED, w - 4);
	hints[nh++] = (struct draw_hint){ "u", _("Use latest") };
	if (c->mr.disjoint)
		hints[nh++] = (struct draw_hint){ "m", _("Merge") };
	if (admin)
		hints[nh++] = (struct draw_hint){ "o", _("Overwrite anyway") };
	hints[nh++] = (struct draw_hint){ "Esc", _("Keep editing") };
	draw_hints(l->win, 10, 2, w - 4, hints, nh, nh);
}

static void conflict_release(struct layer *l)
{
	free(l->data);
}

static const struct layer_ops conflict_ops = {
	.draw = conflict_draw,
	.key = conflict_key,
	.release = conflict_release,
};

void conflict_open(struct app *a, const struct invoice *theirs)
{
	struct form *f = a->form;
	struct conflict *c;

	if (!f)
		return;
	layer_remove_ops(a, &conflict_ops);
	c = calloc(1, sizeof *c);
	if (!c)
		return;
	c->theirs = *theirs;
	if (!form_to_invoice(f, &c->mine))
		c->mine.total_minor = f->base.total_minor;
	c->mine.version = f->version;
	merge_fields(&f->base, &c->mine, &c->theirs, &c->mr);
	layer_push(a, &conflict_ops, c);
}
