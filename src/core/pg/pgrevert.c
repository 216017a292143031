/*
 * pgrevert.c - revert on PostgreSQL: the plan (revert.h, from the audit's
 * details read here) and the guarded write that carries it out, with the
 * SQLite backend's checks, codes and messages.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgmore.h"
#include "revert.h"
#include "rules.h"

/* The revert source of one invoice of one org (revert.h). */
struct pg_revert_ctx {
	struct pg_store *st;
	int64_t org, id;
};

/* The newest audit row of the invoice up to version `at` whose detail
 * names field: the field's new value, its JSON type, the row's actor and
 * version.  The detail is the schema's own JSON text. */
static enum inv_rc pg_revert_value(void *ctx, int64_t at, const char *field,
                                   char *text, size_t size, int64_t *number,
                                   char actor[NAME_MAX_BYTES + 1],
                                   int64_t *in_version, bool *found,
                                   struct inv_err *err)
{
	struct pg_revert_ctx *c = ctx;
	char org[24], idt[24], upto[24];
	const char *params[4] = {org, idt, upto, field};
	const char *type, *value;
	PGresult *r = NULL;
	enum inv_rc rc;

	*found = false;
	pgm_int_text(org, c->org);
	pgm_int_text(idt, c->id);
	pgm_int_text(upto, at);
	rc = pgm_run(c->st,
		"SELECT coalesce(jsonb_typeof(d -> $4 -> 'new'), ''), "
		"d -> $4 ->> 'new', actor, to_version FROM (SELECT "
		"detail::jsonb AS d, actor, to_version, seq FROM audit "
		"WHERE org_id = $1 AND subject_id = $2 AND to_version <= $3 "
		"AND detail <> '') a WHERE d -> $4 IS NOT NULL "
		"ORDER BY to_version DESC, seq DESC LIMIT 1",
		4, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return INV_OK;
	}
	*found = true;
	type = PQgetvalue(r, 0, 0);
	value = PQgetisnull(r, 0, 1) ? "" : PQgetvalue(r, 0, 1);
	if (text) {
		/* a text field must be a JSON string in the history too */
		if (strcmp(type, "string") != 0)
			*found = false;
		pgm_copy(text, size, r, 0, 1);
	}
	if (number) {
		/* total_minor must be an integer in the history too: anything
		 * else is damage, never money */
		char *end = NULL;
		long long v;

		errno = 0;
		v = strtoll(value, &end, 10);
		if (strcmp(type, "number") != 0 || !*value || *end ||
		    errno == ERANGE)
			*found = false;
		*number = (int64_t)v;
	}
	pgm_copy(actor, NAME_MAX_BYTES + 1, r, 0, 2);
	*in_version = pgm_int(r, 0, 3);
	PQclear(r);
	return INV_OK;
}

static void revert_source(struct pg_revert_ctx *ctx,
                          struct revert_source *src, struct pg_store *st,
                          const struct identity *who, int64_t id)
{
	ctx->st = st;
	ctx->org = who->org_id;
	ctx->id = id;
	src->value = pg_revert_value;
	src->ctx = ctx;
}

enum inv_rc pgstore_revert_plan(struct pg_store *st,
                                const struct identity *who, int64_t id,
                                int64_t to_version, struct revert_plan *out,
                                struct inv_err *err)
{
	struct pg_revert_ctx ctx;
	struct revert_source src;
	enum inv_rc rc;

	memset(out, 0, sizeof *out);
	out->to_version = to_version;
	rc = pgstore_get(st, who, id, &out->current, err);
	if (rc != INV_OK)
		return rc;
	/* read-only: the rules as the write would meet them now */
	rc = rule_check(RULE_REVERT, &out->current, who,
	                out->current.version, 0, err);
	if (rc != INV_OK)
		return rc;
	/* One snapshot for the several reads of the plan. */
	rc = pgm_run(st, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
	             0, NULL, NULL, err);
	if (rc != INV_OK)
		return rc;
	revert_source(&ctx, &src, st, who, id);
	rc = revert_plan_fill(out, &src, err);
	pgm_rollback(st);
	return rc;
}

struct revert_write {
	struct revert_plan *plan;
	const struct identity *who;
};

/* The revert's row: the plan made again from the row just locked. */
static enum inv_rc revert_make(struct pg_store *st, void *ctx,
                               const struct invoice *cur,
                               struct invoice *next, const char **action,
                               struct inv_err *err)
{
	struct revert_write *rw = ctx;
	struct pg_revert_ctx sctx;
	struct revert_source src;
	enum inv_rc rc;

	(void)action;
	rw->plan->current = *cur;
	revert_source(&sctx, &src, st, rw->who, cur->id);
	rc = revert_plan_fill(rw->plan, &src, err);
	if (rc == INV_OK)
		*next = rw->plan->target;
	return rc;
}

enum inv_rc pgstore_revert(struct pg_store *st, const struct identity *who,
                           int64_t id, int64_t to_version, int64_t version,
                           struct revert_plan *plan, struct write_result *res,
                           struct inv_err *err)
{
	struct revert_plan local;
	struct revert_write rw;
	struct pg_write w = {.op = RULE_REVERT, .id = id, .version = version,
	                     .action = "invoice.revert", .make = revert_make,
	                     .ctx = &rw};

	if (!plan)
		plan = &local;
	memset(plan, 0, sizeof *plan);
	plan->to_version = to_version;
	rw.plan = plan;
	rw.who = who;
	w.loaded = &plan->current;
	return pgstore_write(st, who, &w, res, err);
}
