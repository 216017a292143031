/*
 * revert.c - revert on SQLite: the plan (an invoice's values at an
 * earlier version, read from the audit history, and who set each value
 * it replaces) and the guarded write that carries it out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "money.h"
#include "rules.h"
#include "sqlite_store.h"

/* ---- revert ---------------------------------------------------------- */

/* The audit fields behind each part of a revert (money is two). */
static const char *const revert_fields[REVERT__COUNT][2] = {
	[REVERT_NUMBER] = {"number", NULL},
	[REVERT_CUSTOMER] = {"customer", NULL},
	[REVERT_STATUS] = {"status", NULL},
	[REVERT_MONEY] = {"total_minor", "currency"},
};

/* The value an audited field had at version `at` (the newest audit row up
 * to it that touched the field), who wrote it and in which version.
 * *found is false when no row touched it. */
static enum inv_rc audit_value(struct sq_store *st, int64_t org, int64_t id,
                               int64_t at, const char *field, char *text,
                               size_t size, int64_t *number, char *actor,
                               int64_t *in_version, bool *found,
                               struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	char path[40], newpath[48];
	int rc;
	enum inv_rc prc;

	*found = false;
	prc = sq_stmt(st, SQL_AUDIT_VALUE, &s, err);
	if (prc != INV_OK)
		return prc;
	snprintf(path, sizeof path, "$.%s", field);
	snprintf(newpath, sizeof newpath, "$.%s.new", field);
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_int64(s, 3, at);
	sqlite3_bind_text(s, 4, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, newpath, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		if (text)
			sq_copy_text(text, size, s, 0);
		if (number) {
			/* total_minor must be an integer in the history too:
			 * anything else is damage, never money. */
			if (sqlite3_column_type(s, 0) != SQLITE_INTEGER)
				*found = false;
			*number = sqlite3_column_int64(s, 0);
		}
		if (text && sqlite3_column_type(s, 0) != SQLITE_TEXT)
			*found = false;
		sq_copy_text(actor, NAME_MAX_BYTES + 1, s, 1);
		*in_version = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

static enum inv_rc history_gap(struct inv_err *err, const struct invoice *cur,
                               int64_t v)
{
	return inv_err_set(err, INV_INVALID, "to_version",
		_("the history of invoice %s does not hold its values at "
		  "version %" PRId64 "; `inved check` tells what is missing"),
		cur->number, v);
}

/* Fill plan->target with the values of plan->to_version laid over
 * plan->current, and who set each current value.  Runs inside a
 * transaction (the write's, or a read's). */
static enum inv_rc revert_fill(struct sq_store *st, const struct identity *who,
                               struct revert_plan *plan, struct inv_err *err)
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
			rc = audit_value(st, who->org_id, cur->id, v,
			                 revert_fields[p][0], NULL, 0, &minor,
			                 actor, &in_version, &found, err);
			if (rc == INV_OK)
				rc = audit_value(st, who->org_id, cur->id, v,
				                 revert_fields[p][1], currency,
				                 sizeof currency, NULL, actor,
				                 &in_version, &found2, err);
		} else {
			rc = audit_value(st, who->org_id, cur->id, v,
			                 revert_fields[p][0], text, sizeof text,
			                 NULL, actor, &in_version, &found, err);
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
			enum inv_rc rc = audit_value(st, who->org_id, cur->id,
			                             cur->version,
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

enum inv_rc sq_revert_plan(struct sq_store *st, const struct identity *who,
                           int64_t id, int64_t to_version,
                           struct revert_plan *out, struct inv_err *err)
{
	enum inv_rc rc;

	memset(out, 0, sizeof *out);
	out->to_version = to_version;
	rc = sq_get(st, who, id, &out->current, err);
	if (rc != INV_OK)
		return rc;
	/* read-only: the rules as the write would meet them now */
	rc = rule_check(RULE_REVERT, &out->current, who,
	                out->current.version, 0, err);
	if (rc != INV_OK)
		return rc;
	/* One snapshot for the several reads of the plan. */
	rc = sq_exec(st, SQL_BEGIN_READ, err);
	if (rc != INV_OK)
		return rc;
	rc = revert_fill(st, who, out, err);
	sq_tx_rollback(st);
	return rc;
}

enum inv_rc sq_revert(struct sq_store *st, const struct identity *who,
                      int64_t id, int64_t to_version, int64_t version,
                      struct revert_plan *plan, struct write_result *res,
                      struct inv_err *err)
{
	struct revert_plan local;
	enum inv_rc rc;

	if (!plan)
		plan = &local;
	memset(plan, 0, sizeof *plan);
	plan->to_version = to_version;
	sq_result_reset(res);
	rc = sq_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	rc = sq_edit_guard(st, who, RULE_REVERT, id, version, 0, &plan->current,
	                   res, err);
	if (rc != INV_OK)
		return rc;
	rc = revert_fill(st, who, plan, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	return sq_edit_write(st, who, &plan->current, &plan->target,
	                     "invoice.revert", res, err);
}
