/*
 * revert.c - naming and rendering the parts of an invoice that a revert
 * (and a confirmation that lists what it replaces) talks about.  Pure text
 * helpers; and the plan of a revert (revert.h), which every backend makes
 * here from its own read of the audit history.  The revert itself is a
 * guarded write in the store.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
#include "revert.h"
#include "rules.h"
#include "store.h"

const char *revert_part_label(enum revert_part part)
{
	static const char *const labels[REVERT__COUNT] = {
		[REVERT_NUMBER] = N_("Number"),
		[REVERT_CUSTOMER] = N_("Customer"),
		[REVERT_STATUS] = N_("Status"),
		[REVERT_MONEY] = N_("Total"),
	};

	return (unsigned)part < REVERT__COUNT ? _(labels[part]) : "";
}

const char *revert_part_key(enum revert_part part)
{
	static const char *const keys[REVERT__COUNT] = {
		[REVERT_NUMBER] = "number",
		[REVERT_CUSTOMER] = "customer",
		[REVERT_STATUS] = "status",
		[REVERT_MONEY] = "total",
	};

	return (unsigned)part < REVERT__COUNT ? keys[part] : "";
}

void revert_part_value(enum revert_part part, const struct invoice *inv,
                       char *buf, size_t len)
{
	char amount[MONEY_TEXT_MAX];

	switch (part) {
	case REVERT_NUMBER:
		snprintf(buf, len, "%s", inv->number);
		return;
	case REVERT_CUSTOMER:
		snprintf(buf, len, "%s", inv->customer);
		return;
	case REVERT_STATUS:
		snprintf(buf, len, "%s", invoice_status_label(inv->status));
		return;
	case REVERT_MONEY:
		money_format_grouped(inv->total_minor, inv->currency, amount,
		                     sizeof amount);
		snprintf(buf, len, "%s %s", amount, inv->currency);
		return;
	case REVERT__COUNT:
		break;
	}
	if (len)
		buf[0] = '\0';
}

/* ---- the plan (revert.h) ---------------------------------------------- */

const char *const revert_fields[REVERT__COUNT][2] = {
	[REVERT_NUMBER] = {"number", NULL},
	[REVERT_CUSTOMER] = {"customer", NULL},
	[REVERT_STATUS] = {"status", NULL},
	[REVERT_MONEY] = {"total_minor", "currency"},
};

static enum inv_rc history_gap(struct inv_err *err, const struct invoice *cur,
                               int64_t v)
{
	return inv_err_set(err, INV_INVALID, "to_version",
		_("the history of invoice %s does not hold its values at "
		  "version %" PRId64 "; `inved check` tells what is missing"),
		cur->number, v);
}

enum inv_rc revert_plan_fill(struct revert_plan *plan,
                             const struct revert_source *src,
                             struct inv_err *err)
{
	struct invoice *cur = &plan->current, *t = &plan->target;
	int64_t v = plan->to_version;
	bool any = false;

	if (v < 1 || v >= cur->version)
		return inv_err_set(err, INV_INVALID, "to_version",
			_("invoice %s has versions 1 to %" PRId64 "; revert "
			  "to an earlier one than the current"),
			cur->number, cur->version);
	*t = *cur;
	for (int p = 0; p < REVERT__COUNT; p++) {
		char text[CUSTOMER_MAX_BYTES + 1], currency[8] = "";
		int64_t minor = 0, in_version = 0;
		char actor[NAME_MAX_BYTES + 1];
		bool found, found2 = true;
		enum inv_rc rc;

		if (p == REVERT_MONEY) {
			rc = src->value(src->ctx, v, revert_fields[p][0], NULL, 0,
			                &minor, actor, &in_version, &found, err);
			if (rc == INV_OK)
				rc = src->value(src->ctx, v, revert_fields[p][1],
				                currency, sizeof currency, NULL,
				                actor, &in_version, &found2, err);
		} else {
			rc = src->value(src->ctx, v, revert_fields[p][0], text,
			                sizeof text, NULL, actor, &in_version,
			                &found, err);
		}
		if (rc != INV_OK)
			return rc;
		if (!found || !found2)
			return history_gap(err, cur, v);
		switch (p) {
		case REVERT_NUMBER:
			if (strlen(text) >= sizeof t->number)
				return history_gap(err, cur, v);
			memcpy(t->number, text, strlen(text) + 1);
			break;
		case REVERT_CUSTOMER:
			snprintf(t->customer, sizeof t->customer, "%s", text);
			break;
		case REVERT_STATUS:
			if (invoice_status_parse(text, &t->status, NULL) != INV_OK)
				return history_gap(err, cur, v);
			break;
		case REVERT_MONEY:
			if (money_currency_check(currency, NULL) != INV_OK ||
			    minor < 0)
				return history_gap(err, cur, v);
			t->total_minor = minor;
			snprintf(t->currency, sizeof t->currency, "%s", currency);
			break;
		}
	}
	plan->changes[REVERT_NUMBER] = strcmp(cur->number, t->number) != 0;
	plan->changes[REVERT_CUSTOMER] = strcmp(cur->customer, t->customer) != 0;
	plan->changes[REVERT_STATUS] = cur->status != t->status;
	plan->changes[REVERT_MONEY] = cur->total_minor != t->total_minor ||
	                              strcmp(cur->currency, t->currency) != 0;
	/* Who set each value the revert replaces: the newest audit row up
	 * to the current version that touched it. */
	for (int p = 0; p < REVERT__COUNT; p++) {
		plan->set_by[p][0] = '\0';
		plan->set_in[p] = 0;
		if (!plan->changes[p])
			continue;
		any = true;
		for (int f = 0; f < 2 && revert_fields[p][f]; f++) {
			char actor[NAME_MAX_BYTES + 1] = "";
			int64_t in_version = 0;
			bool found;
			enum inv_rc rc = src->value(src->ctx, cur->version,
			                            revert_fields[p][f], NULL, 0,
			                            NULL, actor, &in_version,
			                            &found, err);

			if (rc != INV_OK)
				return rc;
			if (found && in_version > plan->set_in[p]) {
				plan->set_in[p] = in_version;
				snprintf(plan->set_by[p], sizeof plan->set_by[p],
				         "%s", actor);
			}
		}
	}
	if (!any)
		return inv_err_set(err, INV_INVALID, "unchanged",
			_("nothing to change: invoice %s already has the values "
			  "of version %" PRId64),
			cur->number, v);
	/* Historical values meet today's field rules like typed ones. */
	if (plan->changes[REVERT_CUSTOMER]) {
		enum inv_rc rc = invoice_check_customer(t->customer, err);

		if (rc != INV_OK)
			return rc;
	}
	if (plan->changes[REVERT_NUMBER]) {
		enum inv_rc rc = rule_number_check(t->number, err);

		if (rc != INV_OK)
			return rc;
	}
	return INV_OK;
}
