/*
 * rules.c - the write rules of SPEC 3 (tenancy -> lifecycle -> role ->
 * version) and their messages, decided from the row as loaded, and the
 * field rules of what a write may carry.  Pure: no database, no clock;
 * every backend and every face asks here.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
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

bool rule_role_allows(enum rule_op op, enum inv_life life,
                      const struct identity *who, int flags)
{
	return !rule_needs_admin(op, life, flags) ||
	       identity_at_least(who, ROLE_ADMIN);
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
	if (!rule_role_allows(op, life, who, flags))
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
	if (op == RULE_DELETE)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("deleting an invoice needs the admin role; %s is a "
			  "member of %s"),
			who->user, who->org);
	if (op == RULE_RESTORE)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("restoring a deleted invoice needs the admin role; "
			  "%s is a member of %s"),
			who->user, who->org);
	return inv_err_set(err, INV_FORBIDDEN, "",
		_("overwriting needs the admin role; %s is a member of %s"),
		who->user, who->org);
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

enum inv_rc rule_member_admin(const struct identity *who, bool found,
                              enum inv_role role, struct inv_err *err)
{
	if (!found)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("%s is no longer a member of %s"), who->user,
			who->org);
	if (role != ROLE_ADMIN)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("managing members needs the admin role; %s is a member "
			  "of %s"),
			who->user, who->org);
	return INV_OK;
}

/* ---- the field rules ------------------------------------------------- */

/* Validation that needs no row: runs before the transaction, so bad input
 * never takes the write lock. */
enum inv_rc rule_input_check(const struct invoice_input *in,
                             struct inv_err *err)
{
	enum inv_status status;
	enum inv_rc rc;

	if (in->number) {
		rc = rule_number_check(in->number, err);
		if (rc != INV_OK)
			return rc;
	}
	if (in->customer) {
		rc = invoice_check_customer(in->customer, err);
		if (rc != INV_OK)
			return rc;
	}
	if (in->status) {
		rc = invoice_status_parse(in->status, &status, err);
		if (rc != INV_OK)
			return rc;
	}
	/* The code is quoted back only when it is safe on a terminal. */
	if (in->currency) {
		rc = money_currency_check(in->currency, err);
		if (rc != INV_OK)
			return rc;
	}
	/* The decimals a total may have depend on the currency; when the
	 * currency is not changing, rule_input_apply() checks it against
	 * the row. */
	if (in->total && in->currency) {
		int64_t minor;

		rc = money_parse(in->total, in->currency, &minor, err);
		if (rc != INV_OK)
			return rc;
	}
	return INV_OK;
}

/* "12.50" -> "12.5", "12.00" -> "12": the amount as a person would write
 * it, so moving 12.00 EUR to JPY keeps 12. */
static void money_trim_zeros(char *text)
{
	char *dot = strchr(text, '.');
	size_t n;

	if (!dot)
		return;
	n = strlen(text);
	while (n > 0 && text[n - 1] == '0')
		text[--n] = '\0';
	if (n > 0 && text[n - 1] == '.')
		text[--n] = '\0';
}

/* Apply input onto a copy of the current row: the new field values. */
enum inv_rc rule_input_apply(const struct invoice_input *in,
                             const struct invoice *cur, struct invoice *out,
                             struct inv_err *err)
{
	const char *currency = in->currency ? in->currency : cur->currency;
	enum inv_rc rc;

	*out = *cur;
	if (in->number)
		snprintf(out->number, sizeof out->number, "%s", in->number);
	if (in->customer)
		snprintf(out->customer, sizeof out->customer, "%s", in->customer);
	if (in->status)
		invoice_status_parse(in->status, &out->status, NULL);
	snprintf(out->currency, sizeof out->currency, "%s", currency);
	if (in->total) {
		rc = money_parse(in->total, currency, &out->total_minor, err);
		if (rc != INV_OK)
			return rc;
	} else if (strcmp(currency, cur->currency) != 0 &&
	           !money_carry(&out->total_minor, cur->currency, currency)) {
		/* the amount as written, for the message */
		char text[MONEY_TEXT_MAX];

		money_format(cur->total_minor, cur->currency, text, sizeof text);
		money_trim_zeros(text);
		return inv_err_set(err, INV_INVALID, "total",
			_("the total %s %s cannot be written in %s; give the "
			  "total again in %s"),
			text, cur->currency, currency, currency);
	}
	return INV_OK;
}

/* The input narrowed to the write set: a value outside `fields` is not
 * written, whatever the face sent.  Total and Currency are one unit: an
 * amount is written with the currency it was typed in, so a set holding
 * either takes both when both are given. */
void rule_input_narrow(const struct invoice_input *in, unsigned fields,
                       struct invoice_input *out)
{
	if ((fields & (MF_TOTAL | MF_CURRENCY)) && in->total && in->currency)
		fields |= MF_TOTAL | MF_CURRENCY;
	out->customer = (fields & MF_CUSTOMER) ? in->customer : NULL;
	out->status = (fields & MF_STATUS) ? in->status : NULL;
	out->total = (fields & MF_TOTAL) ? in->total : NULL;
	out->currency = (fields & MF_CURRENCY) ? in->currency : NULL;
	out->number = (fields & MF_NUMBER) ? in->number : NULL;
}

enum inv_rc rule_token_check(const char *token, struct inv_err *err)
{
	size_t len = token ? strlen(token) : 0, i;

	if (len == 0 || len > 64)
		goto bad;
	for (i = 0; i < len; i++)
		if (token[i] <= ' ' || token[i] > '~')
			goto bad;
	return INV_OK;
bad:
	return inv_err_set(err, INV_INVALID, "request_id",
		_("a request id is 1 to 64 printable ASCII characters without "
		  "spaces"));
}

enum inv_rc rule_number_check(const char *number, struct inv_err *err)
{
	size_t len = number ? strlen(number) : 0, i;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		goto bad;
	for (i = 0; i < len; i++)
		if (number[i] <= ' ' || number[i] > '~')
			goto bad;
	/* All digits would be read back as an id by store_find(). */
	for (i = 0; i < len; i++)
		if (number[i] < '0' || number[i] > '9')
			return INV_OK;
bad:
	return inv_err_set(err, INV_INVALID, "number",
		_("an invoice number is 1 to %d printable ASCII characters "
		  "without spaces, not only digits (e.g. ACME-1001)"),
		NUMBER_MAX_BYTES);
}

enum inv_rc rule_create_input(const char *token, const char *number,
                              const struct invoice_input *in,
                              struct invoice *next, struct inv_err *err)
{
	struct invoice_input full = *in;
	enum inv_rc rc;

	if (!full.customer)
		return inv_err_set(err, INV_INVALID, "customer",
			_("a new invoice needs a customer"));
	if (!full.total)
		return inv_err_set(err, INV_INVALID, "total",
			_("a new invoice needs a total"));
	if (!full.currency)
		full.currency = "EUR";
	if (!full.status)
		full.status = "draft";
	full.number = NULL; /* given apart, and judged below */
	rc = rule_token_check(token, err);
	if (rc == INV_OK && number)
		rc = rule_number_check(number, err);
	if (rc == INV_OK)
		rc = rule_input_check(&full, err);
	if (rc != INV_OK)
		return rc;
	memset(next, 0, sizeof *next);
	snprintf(next->currency, sizeof next->currency, "%s", full.currency);
	return rule_input_apply(&full, next, next, err);
}

enum inv_rc rule_history_tip(const struct invoice *cur, int64_t tip,
                             bool purged, struct inv_err *err)
{
	if (tip == cur->version && !purged)
		return INV_OK;
	return inv_err_set(err, INV_DAMAGED, "history",
		_("write refused — run `inved check`: the history of invoice %s "
		  "ends at version %" PRId64 " but the invoice is at version %"
		  PRId64 " (a change without its audit row, or a removed audit "
		  "row)"),
		cur->number, tip, cur->version);
}
