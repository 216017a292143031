/*
 * overwritten.c - telling an operator that someone replaced their save.
 *
 * The screen remembers the rows its own edits and reverts wrote.  When the
 * change feed reports an overwrite or a revert of one of them by someone
 * else, the operator gets a toast naming who and what ("alice overwrote
 * your Total: 1,300.00 EUR → 999.00 EUR · h history"): an ordinary later
 * edit was made on top of their save and is no news, but an overwrite was
 * made without seeing it.
 */
#include "tui_internal.h"

void overwritten_note_own(struct app *a, const struct wres *r)
{
	struct owned_save *o = NULL;

	if (r->rc != INV_OK || !r->res.have_row ||
	    (r->req.kind != W_EDIT && r->req.kind != W_REVERT))
		return;
	for (size_t i = 0; i < a->nowned; i++)
		if (a->owned[i].row.id == r->res.row.id)
			o = &a->owned[i];
	if (!o) {
		if (a->nowned == OWNED_MAX) {
			/* forget the oldest */
			memmove(&a->owned[0], &a->owned[1],
			        (OWNED_MAX - 1) * sizeof a->owned[0]);
			a->nowned--;
		}
		o = &a->owned[a->nowned++];
	}
	o->row = r->res.row;
}

static void overwritten_forget(struct app *a, size_t i)
{
	memmove(&a->owned[i], &a->owned[i + 1],
	        (a->nowned - i - 1) * sizeof a->owned[0]);
	a->nowned--;
}

/* The newest overwrite or revert by someone else after our version, if
 * any. */
static bool overwritten_entry(struct app *a, const struct invoice *ours,
                              struct audit_entry *out)
{
	struct audit_entry e[8];
	struct inv_err err;
	size_t n;

	if (store_audit_tail(a->st, &a->who, ours->id, e, 8, &n, &err) != INV_OK)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (e[i].to_version <= ours->version)
			break;
		if (strcmp(e[i].actor, a->who.user) == 0)
			continue;
		if (strcmp(e[i].action, "invoice.overwrite") == 0 ||
		    strcmp(e[i].action, "invoice.revert") == 0) {
			*out = e[i];
			return true;
		}
	}
	return false;
}

static void overwritten_toast(struct app *a, const struct invoice *ours,
                              const struct audit_entry *e)
{
	struct invoice now;
	struct inv_err err;
	char msg[768], what[512] = "";
	char old[CUSTOMER_MAX_BYTES + 32], new[CUSTOMER_MAX_BYTES + 32];
	size_t o = 0;

	if (store_get(a->st, &a->who, ours->id, &now, &err) != INV_OK)
		return;
	for (int p = 0; p < REVERT__COUNT && o < sizeof what; p++) {
		screen_revert_value((enum revert_part)p, ours, old, sizeof old);
		screen_revert_value((enum revert_part)p, &now, new, sizeof new);
		if (strcmp(old, new) == 0)
			continue;
		o += (size_t)snprintf(what + o, sizeof what - o, "%s%s: %s → %s",
		                      o ? ", " : "",
		                      revert_part_label((enum revert_part)p), old,
		                      new);
	}
	if (!what[0])
		return;
	snprintf(msg, sizeof msg,
	         strcmp(e->action, "invoice.revert") == 0
	                 ? _("%s reverted your %s · h history")
	                 : _("%s overwrote your %s · h history"),
	         e->actor, what);
	toast_show(a, TOAST_ERROR, msg);
}

void overwritten_check(struct app *a, const struct change *c, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (strcmp(c[k].action, "invoice.overwrite") != 0 &&
		    strcmp(c[k].action, "invoice.revert") != 0)
			continue;
		for (size_t i = 0; i < a->nowned; i++) {
			struct audit_entry e;

			if (a->owned[i].row.id != c[k].invoice_id)
				continue;
			if (overwritten_entry(a, &a->owned[i].row, &e))
				overwritten_toast(a, &a->owned[i].row, &e);
			overwritten_forget(a, i);
			break;
		}
	}
}
