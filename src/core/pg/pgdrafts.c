/*
 * pgdrafts.c - the operator's unsaved edits (SPEC 4.4) on PostgreSQL: one
 * row per (user, org, invoice, token) with a version of its own, saved
 * without the write guard so an edit is kept even when the invoice cannot
 * be saved.  Row security (drafts_own) shows a role its own drafts only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "pgmore.h"
#include "rules.h"
#include "text.h"

#define DRAFT_COLS                                                         \
	"version, base_version, body, inved_time_text(saved_at), token, "      \
	"base_body"

/* token NULL: the newest draft of invoice_id whatever its token.  lock:
 * hold the row until the transaction ends. */
static enum inv_rc draft_get(struct pg_store *st, const struct identity *who,
                             int64_t invoice_id, const char *token, bool lock,
                             struct draft *out, bool *found,
                             struct inv_err *err)
{
	char uid[24], org[24], inv[24];
	const char *params[4] = {uid, org, inv, token};
	PGresult *r = NULL;
	enum inv_rc rc;

	*found = false;
	pgm_int_text(uid, who->user_id);
	pgm_int_text(org, who->org_id);
	pgm_int_text(inv, invoice_id);
	if (token)
		rc = pgm_run(st, lock
			? "SELECT " DRAFT_COLS " FROM drafts WHERE user_id = $1 "
			  "AND org_id = $2 AND invoice_id = $3 AND token = $4 "
			  "FOR UPDATE"
			: "SELECT " DRAFT_COLS " FROM drafts WHERE user_id = $1 "
			  "AND org_id = $2 AND invoice_id = $3 AND token = $4",
			4, params, &r, err);
	else
		rc = pgm_run(st,
			"SELECT " DRAFT_COLS " FROM drafts WHERE user_id = $1 "
			"AND org_id = $2 AND invoice_id = $3 "
			"ORDER BY saved_at DESC, token DESC LIMIT 1",
			3, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) == 1) {
		*found = true;
		memset(out, 0, sizeof *out);
		out->invoice_id = invoice_id;
		out->version = pgm_int(r, 0, 0);
		out->base_version = pgm_int(r, 0, 1);
		pgm_copy(out->body, sizeof out->body, r, 0, 2);
		pgm_copy(out->saved_at, sizeof out->saved_at, r, 0, 3);
		pgm_copy(out->token, sizeof out->token, r, 0, 4);
		pgm_copy(out->base_body, sizeof out->base_body, r, 0, 5);
	}
	PQclear(r);
	return INV_OK;
}

static bool draft_text_ok(const char *text)
{
	return text && strlen(text) < DRAFT_BODY_MAX &&
	       utf8_valid(text, strlen(text));
}

static enum inv_rc draft_conflict(struct pg_store *st,
                                  const struct draft *stored,
                                  struct draft *current, struct inv_err *err)
{
	if (current)
		*current = *stored;
	pgm_rollback(st);
	return inv_err_set(err, INV_CONFLICT, "draft",
		_("this draft was saved from another terminal at %s "
		  "(draft version %" PRId64 ")"),
		stored->saved_at, stored->version);
}

enum inv_rc pgstore_draft_save(struct pg_store *st, const struct identity *who,
                               const struct draft *d, int64_t version,
                               int64_t *new_version, struct draft *current,
                               struct inv_err *err)
{
	char uid[24], org[24], inv[24], base[24], ver[24];
	const char *params[8] = {uid, org, inv, d->token, base, d->base_body,
	                         d->body, ver};
	struct draft stored;
	PGresult *r = NULL;
	bool found;
	enum inv_rc rc;

	if (!draft_text_ok(d->body) || !draft_text_ok(d->base_body))
		return inv_err_set(err, INV_INVALID, "draft",
			_("a draft is at most %d bytes of UTF-8"),
			DRAFT_BODY_MAX - 1);
	/* a new invoice's draft is keyed by its form's request token */
	if (d->invoice_id == 0 && rule_token_check(d->token, err) != INV_OK)
		return INV_INVALID;
	if (d->invoice_id != 0 && d->token[0] &&
	    strcmp(d->token, DRAFT_DROPPED) != 0)
		return inv_err_set(err, INV_INVALID, "draft",
			_("only a new invoice's draft has a request token"));
	pgm_int_text(uid, who->user_id);
	pgm_int_text(org, who->org_id);
	pgm_int_text(inv, d->invoice_id);
	pgm_int_text(base, d->base_version);
	pgm_int_text(ver, version);
	rc = pgm_begin(st, who, err);
	if (rc != INV_OK)
		return rc;
	rc = draft_get(st, who, d->invoice_id, d->token, true, &stored, &found,
	               err);
	if (rc != INV_OK) {
		pgm_rollback(st);
		return rc;
	}
	/* Two terminals of one operator: the one holding an older draft
	 * version is told, and shown the stored draft, instead of silently
	 * replacing it.  A draft that is gone may be started afresh. */
	if (found && stored.version != version)
		return draft_conflict(st, &stored, current, err);
	if (found)
		rc = pgm_run(st,
			"UPDATE drafts SET version = $8::bigint + 1, "
			"base_version = $5, base_body = $6, body = $7, "
			"saved_at = now() WHERE user_id = $1 AND org_id = $2 "
			"AND invoice_id = $3 AND token = $4 AND version = $8 "
			"RETURNING version",
			8, params, &r, err);
	else
		/* two first saves at once: the second inserts nothing and is
		 * told about the first */
		rc = pgm_run(st,
			"INSERT INTO drafts (user_id, org_id, invoice_id, token, "
			"version, base_version, base_body, body) "
			"VALUES ($1, $2, $3, $4, 1, $5, $6, $7) "
			"ON CONFLICT DO NOTHING RETURNING version",
			7, params, &r, err);
	if (rc != INV_OK) {
		pgm_rollback(st);
		return rc;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		pgm_rollback(st);
		rc = draft_get(st, who, d->invoice_id, d->token, false, &stored,
		               &found, err);
		if (rc != INV_OK)
			return rc;
		if (!found)
			return inv_err_set(err, INV_CONFLICT, "draft",
				_("this draft was discarded from another terminal"));
		return draft_conflict(st, &stored, current, err);
	}
	*new_version = pgm_int(r, 0, 0);
	PQclear(r);
	return pgm_commit(st, err);
}

enum inv_rc pgstore_draft_load(struct pg_store *st, const struct identity *who,
                               int64_t invoice_id, const char *token,
                               struct draft *out, struct inv_err *err)
{
	bool found;
	enum inv_rc rc;

	if (!token && invoice_id != 0)
		token = "";
	rc = pgm_begin(st, who, err);
	if (rc != INV_OK)
		return rc;
	rc = draft_get(st, who, invoice_id, token, false, out, &found, err);
	pgm_rollback(st);
	if (rc == INV_OK && !found)
		return inv_err_set(err, INV_NOT_FOUND, "draft",
			_("no draft saved for this invoice"));
	return rc;
}

enum inv_rc pgstore_draft_discard(struct pg_store *st,
                                  const struct identity *who,
                                  int64_t invoice_id, const char *token,
                                  struct inv_err *err)
{
	char uid[24], org[24], inv[24];
	const char *params[4] = {uid, org, inv, token ? token : ""};
	enum inv_rc rc;

	pgm_int_text(uid, who->user_id);
	pgm_int_text(org, who->org_id);
	pgm_int_text(inv, invoice_id);
	rc = pgm_begin(st, who, err);
	if (rc == INV_OK)
		rc = pgm_run(st, "DELETE FROM drafts WHERE user_id = $1 "
		                 "AND org_id = $2 AND invoice_id = $3 "
		                 "AND token = $4",
		             4, params, NULL, err);
	if (rc != INV_OK) {
		pgm_rollback(st);
		return rc;
	}
	return pgm_commit(st, err);
}
