/*
 * rules.c - the write rules of SPEC 3 (tenancy -> lifecycle -> role ->
 * version) and their messages, decided from the row as loaded.  Pure: no
 * database, no clock; every backend and every face asks here.
 */
#include <inttypes.h>

#include "i18n.h"
#include "rules.h"

bool rule_life_allows(enum rule_op op, enum inv_life life)
{
	switch (op) {
	case RULE_ARCHIVE:
		return life == LIFE_ACTIVE;
	case RULE_RESTORE:
		return life != LIFE_ACTIVE;
	case RULE_DELETE:
	case RULE_EDIT:
	case RULE_REVERT:
	case RULE_DRIFT:
		return life != LIFE_DELETED;
	case RULE__COUNT:
		break;
	}
	return false;
}

bool rule_needs_admin(enum rule_op op, enum inv_life life, int flags)
{
	switch (op) {
	case RULE_DELETE:
		return true;
	case RULE_RESTORE:
		return life == LIFE_DELETED;
	case RULE_EDIT:
		return (flags & WRITE_OVERWRITE) != 0;
	case RULE_ARCHIVE:
	case RULE_REVERT:
	case RULE_DRIFT:
	case RULE__COUNT:
		break;
	}
	return false;
}

/* Only an edit may skip the version, and only as an overwrite; the
 * demo's drift bumps whatever version the row has. */
static bool rule_checks_version(enum rule_op op, int flags)
{
	if (op == RULE_DRIFT)
		return false;
	return !(op == RULE_EDIT && (flags & WRITE_OVERWRITE));
}

enum rule_verdict rule_decide(enum rule_op op, const struct invoice *row,
                              const struct identity *who,
                              int64_t client_version, int flags)
{
	enum inv_life life;

	/* 1. tenancy: the org is part of the key; a member never reads a
	 * deleted row, not even through a refusal that would carry it. */
	if (!row || row->org_id != who->org_id)
		return RULE_HIDDEN;
	life = invoice_life(row);
	if (life == LIFE_DELETED && !identity_at_least(who, ROLE_ADMIN))
		return RULE_HIDDEN;
	/* 2. lifecycle: a deleted row is not there to edit; a move that
	 * cannot start from the row's state is a conflict carrying it. */
	if (!rule_life_allows(op, life))
		return op == RULE_ARCHIVE || op == RULE_RESTORE ||
		               op == RULE_DELETE
		               ? RULE_WRONG_LIFE
		               : RULE_DELETED;
	/* 3. role, before the version: a member is told "forbidden"
	 * whatever version they hold, and a forged overwrite is refused
	 * even at the current version. */
	if (rule_needs_admin(op, life, flags) &&
	    !identity_at_least(who, ROLE_ADMIN))
		return RULE_ADMIN_ONLY;
	/* 4. version */
	if (rule_checks_version(op, flags) && row->version != client_version)
		return RULE_STALE;
	return RULE_OK;
}

enum inv_rc rule_not_found(int64_t id, struct inv_err *err)
{
	return inv_err_set(err, INV_NOT_FOUND, "",
	                   _("invoice %" PRId64 " not found"), id);
}

enum inv_rc rule_stale(const struct invoice *cur, struct inv_err *err)
{
	return inv_err_set(err, INV_CONFLICT, "",
		_("invoice %s changed elsewhere (now version %" PRId64
		  "); reload it and retry"),
		cur->number, cur->version);
}

static enum inv_rc rule_forbidden(enum rule_op op, const struct identity *who,
                                  struct inv_err *err)
{
	const char *fmt =
		op == RULE_DELETE
			? _("deleting an invoice needs the admin role; %s is a "
			    "member of %s")
		: op == RULE_RESTORE
			? _("restoring a deleted invoice needs the admin role; "
			    "%s is a member of %s")
			: _("overwriting needs the admin role; %s is a member "
			    "of %s");

	return inv_err_set(err, INV_FORBIDDEN, "", fmt, who->user, who->org);
}

enum inv_rc rule_check(enum rule_op op, const struct invoice *row,
                       const struct identity *who, int64_t client_version,
                       int flags, struct inv_err *err)
{
	switch (rule_decide(op, row, who, client_version, flags)) {
	case RULE_OK:
		return INV_OK;
	case RULE_HIDDEN:
		return rule_not_found(row ? row->id : 0, err);
	case RULE_DELETED:
		if (op == RULE_DRIFT)
			return inv_err_set(err, INV_NOT_FOUND, "",
			                   _("invoice %s is deleted"), row->number);
		return inv_err_set(err, INV_NOT_FOUND, "",
			_("invoice %s is deleted; an admin can restore it first"),
			row->number);
	case RULE_WRONG_LIFE:
		return inv_err_set(err, INV_CONFLICT, "",
			_("invoice %s is %s (version %" PRId64 "); refresh to "
			  "retry"),
			row->number, invoice_life_label(invoice_life(row)),
			row->version);
	case RULE_ADMIN_ONLY:
		return rule_forbidden(op, who, err);
	case RULE_STALE:
		return rule_stale(row, err);
	}
	return inv_err_set(err, INV_ERROR, "", "rule_check: unknown verdict");
}

enum inv_rc rule_read(const struct invoice *row, const struct identity *who,
                      int64_t id, struct inv_err *err)
{
	if (!row || row->org_id != who->org_id ||
	    (invoice_life(row) == LIFE_DELETED &&
	     !identity_at_least(who, ROLE_ADMIN)))
		return rule_not_found(id, err);
	return INV_OK;
}

enum inv_rc rule_view(const struct identity *who, enum inv_view view,
                      struct inv_err *err)
{
	if (view == VIEW_ALL && !identity_at_least(who, ROLE_ADMIN))
		return inv_err_set(err, INV_FORBIDDEN, "view",
			_("the All view (deleted invoices included) is for admins; "
			  "%s is a member of %s"),
			who->user, who->org);
	return INV_OK;
}
