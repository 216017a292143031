/*
 * drafts.c - the operator's unsaved edits (SPEC 4.4) on SQLite: one row
 * per (user, org, invoice, token) with a version of its own, saved
 * without the write guard so an edit is kept even when the invoice
 * cannot be saved.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "rules.h"
#include "sqlite_store.h"
#include "text.h"

/* ---- drafts -------------------------------------------------------------- */

/* token NULL: the newest draft of invoice_id whatever its token. */
static enum inv_rc draft_get(struct sq_store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct draft *out, bool *found,
                             struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*found = false;
	prc = sq_stmt(st, token ? SQL_DRAFT_GET
	                                       : SQL_DRAFT_NEWEST, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, invoice_id);
	if (token)
		sqlite3_bind_text(s, 4, token, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*found = true;
		memset(out, 0, sizeof *out);
		out->invoice_id = invoice_id;
		out->version = sqlite3_column_int64(s, 0);
		out->base_version = sqlite3_column_int64(s, 1);
		sq_copy_text(out->body, sizeof out->body, s, 2);
		sq_copy_text(out->saved_at, sizeof out->saved_at, s, 3);
		sq_copy_text(out->token, sizeof out->token, s, 4);
		sq_copy_text(out->base_body, sizeof out->base_body, s, 5);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

static bool draft_text_ok(const char *text)
{
	return text && strlen(text) < DRAFT_BODY_MAX &&
	       utf8_valid(text, strlen(text));
}

enum inv_rc sq_draft_save(struct sq_store *st, const struct identity *who,
                          const struct draft *d, int64_t version,
                          int64_t *new_version, struct draft *current,
                          struct inv_err *err)
{
	struct draft stored;
	sqlite3_stmt *s;
	bool found;
	enum inv_rc rc;
	enum inv_rc prc;

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
	rc = sq_tx_begin_unguarded(st, err);
	if (rc != INV_OK)
		return rc;
	rc = draft_get(st, who, d->invoice_id, d->token, &stored, &found, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, NULL);
	/* Two terminals of one operator: the one holding an older draft
	 * version is told, and shown the stored draft, instead of silently
	 * replacing it.  A draft that is gone (saved or discarded elsewhere)
	 * may be started afresh. */
	if (found && stored.version != version) {
		if (current)
			*current = stored;
		sq_tx_rollback(st);
		return inv_err_set(err, INV_CONFLICT, "draft",
			_("this draft was saved from another terminal at %s "
			  "(draft version %" PRId64 ")"),
			stored.saved_at, stored.version);
	}
	prc = sq_stmt(st, found ? SQL_DRAFT_UPDATE
	                                       : SQL_DRAFT_INSERT, &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, NULL);
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, d->invoice_id);
	sqlite3_bind_text(s, 4, d->token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, d->base_version);
	sqlite3_bind_text(s, 6, d->base_body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, d->body, -1, SQLITE_TRANSIENT);
	if (found)
		sqlite3_bind_int64(s, 8, version);
	rc = sq_stmt_done(st, s, err);
	if (rc == INV_OK)
		rc = sq_exec(st, SQL_COMMIT, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, NULL);
	*new_version = found ? stored.version + 1 : 1;
	return INV_OK;
}

enum inv_rc sq_draft_load(struct sq_store *st, const struct identity *who,
                          int64_t invoice_id, const char *token,
                          struct draft *out, struct inv_err *err)
{
	bool found;
	enum inv_rc rc;

	if (!token && invoice_id != 0)
		token = "";
	rc = draft_get(st, who, invoice_id, token, out, &found, err);
	if (rc == INV_OK && !found)
		return inv_err_set(err, INV_NOT_FOUND, "draft",
			_("no draft saved for this invoice"));
	return rc;
}

enum inv_rc sq_draft_discard(struct sq_store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	enum inv_rc prc;

	prc = sq_stmt(st, SQL_DRAFT_DELETE, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->user_id);
	sqlite3_bind_int64(s, 2, who->org_id);
	sqlite3_bind_int64(s, 3, invoice_id);
	sqlite3_bind_text(s, 4, token ? token : "", -1, SQLITE_TRANSIENT);
	return sq_stmt_done(st, s, err);
}
