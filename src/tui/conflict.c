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

/* The rows of the panel: the editable units (Total and Currency are one;
 * the number), then the lifecycle, which only the other side can have
 * changed here. */
enum { CR_CUSTOMER, CR_STATUS, CR_MONEY, CR_NUMBER, CR_STATE, CR__COUNT };

static const unsigned row_bits[CR__COUNT] = {
	MF_CUSTOMER, MF_STATUS, MF_MONEY, MF_NUMBER, 0,
};

struct conflict {
	struct invoice base;   /* what the form was loaded from (vN) */
	struct invoice theirs; /* the newest row the database holds (vM) */
	struct invoice mine;   /* what the operator typed */
	bool gone;             /* the row is no longer readable (deleted) */
	struct merge_result mr;
	unsigned conflicts;    /* units both sides changed differently */
	unsigned keep_mine;    /* the operator's picks among conflicts */
	int sel;               /* the selected row */
	char saver[160];       /* "v5: saved by alice at 10:41 UTC" */
};

static void conflict_value(const struct invoice *r, unsigned field,
                           char *buf, size_t size)
{

	switch (field) {
	case MF_CUSTOMER:
		text_copy(buf, size, r->customer);
		break;
	case MF_STATUS:
		text_copy(buf, size, invoice_status_label(r->status));
		break;
	case MF_TOTAL:
	case MF_MONEY:
		screen_money(r->total_minor, r->currency, buf, size);
		break;
	case MF_NUMBER:
		text_copy(buf, size, r->number);
		break;
	case 0:
		text_copy(buf, size, invoice_life_label(invoice_life(r)));
		break;
	default:
		text_copy(buf, size, r->currency);
		break;
	}
}

static const char *conflict_row_label(int row)
{
	switch (row) {
	case CR_NUMBER:
		return _("Number");
	case CR_STATE:
		return _("State");
	default:
		return merge_field_label((enum merge_field)(row_bits[row] &
		                                            ~(unsigned)MF_CURRENCY));
	}
}

/* Whether a row's value differs between two rows. */
static bool conflict_row_differs(int row, const struct invoice *x,
                                 const struct invoice *y)
{
	if (row == CR_NUMBER)
		return strcmp(x->number, y->number) != 0;
	if (row == CR_STATE)
		return invoice_life(x) != invoice_life(y);
	return (merge_diff(x, y) & row_bits[row]) != 0;
}

/* Who wrote the version the database holds now, and how, from its audit
 * row: "v5: saved by alice at 10:41 UTC", or by an external writer (one
 * outside inved).  Whether a save came from the screen or the command
 * line is not recorded, so it is not claimed. */
static void conflict_saver(struct app *a, struct conflict *c)
{
	struct audit_entry *e = calloc(8, sizeof *e);
	struct inv_err err;
	size_t n = 0;

	c->saver[0] = '\0';
	if (!e)
		return;
	if (store_audit_tail(a->st, &a->who, c->theirs.id, e, 8, &n, &err) ==
	    INV_OK)
		for (size_t i = 0; i < n; i++) {
			const char *act = e[i].action, *how;
			char at[12];
			if (e[i].to_version != c->theirs.version)
				continue;
			how = strcmp(act, "invoice.archive") == 0 ? _("archived")
			    : strcmp(act, "invoice.delete") == 0 ? _("deleted")
			    : strcmp(act, "invoice.restore") == 0 ? _("restored")
			    : strcmp(act, "invoice.revert") == 0 ? _("reverted")
			    : strcmp(act, "invoice.overwrite") == 0
			            ? _("overwritten")
			            : _("saved");
			/* "2026-11-22T10:04:05.123Z" -> "10:04:05" */
			l10n_time(e[i].at, L10N_TIME, at, sizeof at);
			if (strcmp(e[i].actor, "external") == 0)
				snprintf(c->saver, sizeof c->saver,
				         _("v%lld: %s by an external writer at "
				           "%s UTC"),
				         (long long)c->theirs.version, how, at);
			else
				snprintf(c->saver, sizeof c->saver,
				         _("v%lld: %s by %s at %s UTC"),
				         (long long)c->theirs.version, how,
				         e[i].actor, at);
			break;
		}
	free(e);
}

/* The name of who wrote the newest version, for the overwrite question. */
static void conflict_saver_name(struct app *a, const struct conflict *c,
                                char *buf, size_t size)
{
	struct audit_entry *e = calloc(8, sizeof *e);
	struct inv_err err;
	size_t n = 0;

	buf[0] = '\0';
	if (!e)
		return;
	if (store_audit_tail(a->st, &a->who, c->theirs.id, e, 8, &n, &err) ==
	    INV_OK)
		for (size_t i = 0; i < n; i++)
			if (e[i].to_version == c->theirs.version) {
				text_copy(buf, size, e[i].actor);
				break;
			}
	free(e);
}

/* Compare the three rows again (on open, and when the row moved on). */
static void conflict_compute(struct app *a, struct conflict *c)
{
	unsigned old = c->conflicts;

	merge_fields(&c->base, &c->mine, &c->theirs, &c->mr);
	c->conflicts = merge_conflicts(&c->base, &c->mine, &c->theirs);
	/* a pick stays for a field still in conflict; a new conflict starts
	 * on the database's side, the safe default */
	c->keep_mine &= c->conflicts & old;
	conflict_saver(a, c);
}

static void conflict_use_latest(struct app *a, const struct conflict *c)
{
	struct form *f = a->form;
	bool kept = form_keep_dropped(a);

	form_load_row(f, &c->theirs);
	if (kept)
		snprintf(f->message, sizeof f->message,
		         _("Took the latest values (v%lld); your edits are "
		           "kept."),
		         (long long)c->theirs.version);
	else
		snprintf(f->message, sizeof f->message,
		         _("Took the latest values (v%lld)."),
		         (long long)c->theirs.version);
	f->message_info = true;
	form_mark_edited(a);
}

/* Fill the form with row's editable values over the newest row as base. */
static void conflict_fill(struct app *a, const struct conflict *c,
                          const struct invoice *row, const char *msg)
{
	struct form *f = a->form;
	struct form_values v;

	form_load_row(f, &c->theirs);
	form_values_of_row(row, &v);
	form_values_set(f, &v);
	text_copy(f->message, sizeof f->message, msg);
	f->message_info = true;
	form_mark_edited(a);
}

static void conflict_merge(struct app *a, const struct conflict *c)
{
	char msg[160];

	snprintf(msg, sizeof msg, _("Merged onto v%lld: review, then save."),
	         (long long)c->theirs.version);
	conflict_fill(a, c, &c->mr.merged, msg);
}

static void conflict_apply_picks(struct app *a, const struct conflict *c)
{
	struct invoice out;
	char msg[160];

	merge_pick(&c->base, &c->mine, &c->theirs, c->keep_mine, &out);
	snprintf(msg, sizeof msg,
	         _("Your picks over v%lld: review, then save with F2."),
	         (long long)c->theirs.version);
	conflict_fill(a, c, &out, msg);
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
	static const unsigned order[4] = { MF_CUSTOMER, MF_STATUS, MF_TOTAL,
		                           MF_NUMBER };
	struct form *f = a->form;
	unsigned set = form_write_set(f);
	unsigned replaced = merge_replaced(&c->base, &c->mine, &c->theirs, set);
	char who[NAME_MAX_BYTES + 1], q[1536], theirs[CUSTOMER_MAX_BYTES + 64],
	     mine[CUSTOMER_MAX_BYTES + 64], part[1200];
	size_t o = 0;

	conflict_saver_name(a, c, who, sizeof who);
	if (!who[0])
		text_copy(who, sizeof who, _("the other side"));
	q[0] = '\0';
	/* Total and Currency are one unit: the total names both */
	for (int i = 0; i < 4; i++) {
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
		           "change keep their values."),
		         (long long)c->theirs.version);
	else
		/* the question mark ends the list of replacements (" ?" in
		 * French) */
		snprintf(q + o, sizeof q - o, "%s", _("?"));
	confirm_open(a, q, conflict_overwrite_answer, (int64_t)f->serial);
}

/* Move the selection to the next row that differs anywhere (step 1 or
 * -1); rows nobody changed are skipped. */
static void conflict_move(struct conflict *c, int step)
{
	for (int i = 1; i <= CR__COUNT; i++) {
		int r = (c->sel + step * i + CR__COUNT * 2) % CR__COUNT;
		if (conflict_row_differs(r, &c->base, &c->theirs) ||
		    conflict_row_differs(r, &c->base, &c->mine)) {
			c->sel = r;
			return;
		}
	}
}

static void conflict_pick(struct conflict *c, bool mine)
{
	unsigned bit = row_bits[c->sel];

	if (!(c->conflicts & bit))
		return;
	if (mine)
		c->keep_mine |= bit;
	else
		c->keep_mine &= ~bit;
}

static void conflict_key(struct app *a, struct layer *l, wint_t ch,
                         bool fkey)
{
	struct conflict *lc = l->data;
	struct conflict c;
	bool may_overwrite = rule_role_allows(RULE_EDIT, LIFE_ACTIVE,
	                                      &a->who, WRITE_OVERWRITE);

	enum km_action act = keymap_action(KM_CONFLICT, ch, fkey);

	if (act == KA_CLOSE) {
		layer_pop(a);
		return;
	}
	if (!a->form)
		return;
	switch (act) {
	case KA_FIELD_NEXT:
		conflict_move(lc, 1);
		return;
	case KA_FIELD_PREV:
		conflict_move(lc, -1);
		return;
	default:
		break;
	}
	/* the arrows pick even when the invoice is gone; the letters act
	 * only on an invoice that is still there */
	if (fkey && (act == KA_PICK_THEIRS || act == KA_PICK_YOURS)) {
		conflict_pick(lc, act == KA_PICK_YOURS);
		return;
	}
	if (fkey || lc->gone)
		return;
	c = *lc;
	switch (act) {
	case KA_PICK_THEIRS:
	case KA_PICK_YOURS:
		conflict_pick(lc, act == KA_PICK_YOURS);
		break;
	case KA_APPLY:
		if (c.conflicts) {
			layer_pop(a);
			conflict_apply_picks(a, &c);
		}
		break;
	case KA_USE_LATEST:
		layer_pop(a);
		conflict_use_latest(a, &c);
		break;
	case KA_MERGE:
		if (c.mr.disjoint) {
			layer_pop(a);
			conflict_merge(a, &c);
		}
		break;
	case KA_OVERWRITE:
		if (may_overwrite) {
			layer_pop(a);
			conflict_overwrite_ask(a, &c);
		}
		break;
	default:
		break;
	}
}

/* One row: the label, then loaded, database now and yours, with a mark
 * before each side's value that changed since the form was loaded, and
 * the pick where both sides changed it. */
static void conflict_draw_row(struct layer *l, const struct conflict *c,
                              int row, int y, int lw, int cw)
{
	char buf[CUSTOMER_MAX_BYTES + 64];
	bool editable = row_bits[row] != 0 && row != CR_NUMBER;
	const struct invoice *yours = editable ? &c->mine : &c->base;
	bool theirs_ch = conflict_row_differs(row, &c->base, &c->theirs);
	bool mine_ch = conflict_row_differs(row, &c->base, yours);
	bool both = (c->conflicts & row_bits[row]) != 0 && editable;
	bool sel = c->sel == row;
	int x0 = 12, x1 = x0 + lw + 2, x2 = x1 + cw + 2;

	draw_str(l->win, y, 1, sel ? ">" : " ", RO_KEY, 1);
	draw_text_role(l->win, y, 2, 9, conflict_row_label(row), ALIGN_LEFT,
	               sel ? RO_KEY : RO_NORMAL);
	conflict_value(&c->base, row_bits[row], buf, sizeof buf);
	draw_text_role(l->win, y, x0, lw, buf, ALIGN_LEFT, RO_MUTED);
	draw_str(l->win, y, x1 - 2, theirs_ch ? "*" : " ", RO_MARK, 1);
	conflict_value(&c->theirs, row_bits[row], buf, sizeof buf);
	if (c->gone && row == CR_STATE)
		text_copy(buf, sizeof buf, invoice_life_label(LIFE_DELETED));
	draw_text_role(l->win, y, x1, cw, buf, ALIGN_LEFT,
	               theirs_ch ? RO_MARK : RO_NORMAL);
	draw_str(l->win, y, x2 - 2, mine_ch ? "*" : " ", RO_MARK, 1);
	conflict_value(yours, row_bits[row], buf, sizeof buf);
	draw_text_role(l->win, y, x2, cw, buf, ALIGN_LEFT,
	               mine_ch ? RO_MARK : RO_NORMAL);
	/* the side a pick takes is the one drawn selected */
	if (both) {
		bool m = (c->keep_mine & row_bits[row]) != 0;
		conflict_value(m ? yours : &c->theirs, row_bits[row], buf,
		               sizeof buf);
		draw_text_role(l->win, y, m ? x2 : x1, cw, buf, ALIGN_LEFT,
		               RO_SELECTED);
	}
}

/* The selected row's values in full, wrapped (a column cuts long ones). */
static int conflict_draw_detail(WINDOW *win, const struct conflict *c,
                                int y, int w, int max)
{
	static const char *const heads[3] = {
		N_("Loaded:"), N_("Database:"), N_("Yours:"),
	};
	bool editable = row_bits[c->sel] != 0 && c->sel != CR_NUMBER;
	const struct invoice *rows[3] = {
		&c->base, &c->theirs, editable ? &c->mine : &c->base,
	};
	char buf[CUSTOMER_MAX_BYTES + 64];
	int used = 0;

	for (int i = 0; i < 3 && used < max; i++) {
		conflict_value(rows[i], row_bits[c->sel], buf, sizeof buf);
		if (win)
			draw_text_role(win, y + used, 2, 10, _(heads[i]),
			               ALIGN_LEFT, RO_MUTED);
		used += draw_wrap(win, win ? y + used : 0, 12, w - 14, buf,
		                  RO_NORMAL, max - used > 2 ? 2 : max - used);
	}
	return used;
}

/* "Picks: Customer → yours · Status → database": what Enter fills in. */
static void conflict_draw_picks(WINDOW *win, const struct conflict *c, int y,
                                int w)
{
	char line[256], part[96];
	size_t o;

	if (!c->conflicts)
		return;
	o = (size_t)snprintf(line, sizeof line, "%s", _("Picks:"));
	for (int r = 0; r < CR__COUNT && o < sizeof line; r++) {
		if (!(c->conflicts & row_bits[r]) || r == CR_NUMBER)
			continue;
		snprintf(part, sizeof part,
		         (c->keep_mine & row_bits[r]) ? _("%s → yours")
		                                      : _("%s → database"),
		         conflict_row_label(r));
		o += (size_t)snprintf(line + o, sizeof line - o, "%s%s",
		                      o > strlen(_("Picks:")) ? " · " : " ",
		                      part);
	}
	draw_str(win, y, 2, line, RO_KEY, w - 4);
}

static void conflict_draw(struct app *a, struct layer *l)
{
	struct conflict *c = l->data;
	bool may_overwrite = rule_role_allows(RULE_EDIT, LIFE_ACTIVE,
	                                      &a->who, WRITE_OVERWRITE);
	struct draw_hint hints[5], picks[4];
	size_t nh = 0, np = 0;
	char head[96];
	const char *lead;
	int w = COLS - 2 > 78 ? 78 : COLS - 2, lw, cw, h, y, detail;
	enum inv_life life = invoice_life(&c->theirs);

	detail = conflict_draw_detail(NULL, c, 0, w, 6);
	h = 11 + CR__COUNT + detail;
	layer_place(l, h, w);
	w = getmaxx(l->win);
	h = getmaxy(l->win);
	/* the loaded column is the narrower: the other two are compared */
	lw = (w - 17) * 28 / 100;
	cw = (w - 17 - lw) / 2;
	draw_box(l->win, _("Conflict"));
	lead = c->gone || life == LIFE_DELETED
	       ? _("This invoice was deleted elsewhere while you were editing.")
	       : life == LIFE_ARCHIVED && invoice_life(&c->base) != LIFE_ARCHIVED
	       ? _("This invoice was archived elsewhere while you were "
	           "editing.")
	       : _("This invoice changed elsewhere while you were editing.");
	draw_str(l->win, 1, 2, lead, RO_WARN, w - 4);
	if (c->saver[0])
		draw_str(l->win, 2, 2, c->saver, RO_MUTED, w - 4);
	snprintf(head, sizeof head, _("Loaded (v%lld)"),
	         (long long)c->base.version);
	draw_text_role(l->win, 4, 12, lw, head, ALIGN_LEFT, RO_HEADER);
	snprintf(head, sizeof head, _("Database now (v%lld)"),
	         (long long)c->theirs.version);
	draw_text_role(l->win, 4, 12 + lw + 2, cw, head, ALIGN_LEFT,
	               RO_HEADER);
	snprintf(head, sizeof head, _("Yours (from v%lld)"),
	         (long long)c->base.version);
	draw_text_role(l->win, 4, 12 + lw + cw + 4, cw, head, ALIGN_LEFT,
	               RO_HEADER);
	y = 5;
	for (int r = 0; r < CR__COUNT; r++)
		conflict_draw_row(l, c, r, y++, lw, cw);
	conflict_draw_picks(l->win, c, y++, w);
	y += conflict_draw_detail(l->win, c, y, w, h - y - 4);
	draw_str(l->win, 3, 2, _("* changed since the form was loaded"),
	         RO_MUTED, w - 4);
	if (!c->mr.disjoint)
		draw_str(l->win, h - 4, 2,
		         _("Both sides changed the same field, so there is no "
		           "merge."),
		         RO_NORMAL, w - 4);
	/* the keys as the keymap binds them; which apply, the panel says */
	if (c->conflicts) {
		picks[np++] = (struct draw_hint){
			keymap_key_of(KM_CONFLICT, KA_FIELD_NEXT), _("field") };
		picks[np++] = (struct draw_hint){
			keymap_key_of(KM_CONFLICT, KA_PICK_THEIRS),
			_("database") };
		picks[np++] = (struct draw_hint){
			keymap_key_of(KM_CONFLICT, KA_PICK_YOURS), _("yours") };
		picks[np++] = (struct draw_hint){
			keymap_key_of(KM_CONFLICT, KA_APPLY), _("use picks") };
		draw_hints(l->win, h - 3, 2, w - 4, picks, np, np);
	} else {
		picks[np++] = (struct draw_hint){
			keymap_key_of(KM_CONFLICT, KA_FIELD_NEXT),
			_("show the next field in full") };
		draw_hints(l->win, h - 3, 2, w - 4, picks, np, np);
	}
	if (!c->gone) {
		hints[nh++] = (struct draw_hint){
			keymap_key_of(KM_CONFLICT, KA_USE_LATEST),
			_("Use latest") };
		if (c->mr.disjoint)
			hints[nh++] = (struct draw_hint){
				keymap_key_of(KM_CONFLICT, KA_MERGE), _("Merge") };
		if (may_overwrite)
			hints[nh++] = (struct draw_hint){
				keymap_key_of(KM_CONFLICT, KA_OVERWRITE),
				_("Overwrite anyway") };
	}
	hints[nh++] = (struct draw_hint){ keymap_key_of(KM_CONFLICT, KA_CLOSE),
	                                  _("Keep editing") };
	draw_hints(l->win, h - 2, 2, w - 4, hints, nh, nh);
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
	c->base = f->base;
	c->theirs = *theirs;
	if (!form_to_invoice(f, &c->mine))
		c->mine.total_minor = f->base.total_minor;
	c->mine.version = f->version;
	conflict_compute(a, c);
	c->sel = CR__COUNT - 1;
	conflict_move(c, 1);
	/* the first field both sides changed is where the picking starts */
	for (int r = 0; r < CR__COUNT; r++)
		if (c->conflicts & row_bits[r]) {
			c->sel = r;
			break;
		}
	layer_push(a, &conflict_ops, c);
}

bool conflict_is_open(struct app *a)
{
	return layer_find(a, &conflict_ops) != NULL;
}

/*
 * The row moved again while the panel is open (the change feed said so):
 * the panel compares against the newest row from now on, so Use latest,
 * Merge and the picks work on it and the next save does not conflict
 * again.  row NULL: the row is no longer readable (deleted, as a member).
 */
void conflict_refresh(struct app *a, const struct invoice *row)
{
	struct layer *l = layer_find(a, &conflict_ops);
	struct conflict *c;

	if (!l)
		return;
	c = l->data;
	if (!row) {
		c->gone = true;
		a->dirty = true;
		return;
	}
	if (row->version == c->theirs.version && !c->gone)
		return;
	c->gone = false;
	c->theirs = *row;
	conflict_compute(a, c);
	a->dirty = true;
}
