/*
 * revert.c - revert on SQLite: the plan (made by revert.h from the audit
 * history read here: an invoice's values at an earlier version, and who
 * set each value it replaces) and the guarded write that carries it out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revert.h"
#include "rules.h"
#include "sqlite_store.h"

/* ---- revert ---------------------------------------------------------- */

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

/* The revert source of an invoice of org on SQLite (revert.h). */
struct sq_revert_ctx {
	struct sq_store *st;
	int64_t org, id;
};

static enum inv_rc sq_revert_value(void *ctx, int64_t at, const char *field,
                                   char *text, size_t size, int64_t *number,
                                   char actor[NAME_MAX_BYTES + 1],
                                   int64_t *in_version, bool *found,
                                   struct inv_err *err)
{
	struct sq_revert_ctx *c = ctx;

	return audit_value(c->st, c->org, c->id, at, field, text, size,
	                   number, actor, in_version, found, err);
}

static enum inv_rc revert_fill(struct sq_store *st, const struct identity *who,
                               struct revert_plan *plan, struct inv_err *err)
{
	struct sq_revert_ctx ctx = {st, who->org_id, plan->current.id};
	struct revert_source src = {sq_revert_value, &ctx};

	return revert_plan_fill(plan, &src, err);
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
