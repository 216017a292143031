/*
 * reads.c - reading invoices: keyset pages of a view (with inved's filter
 * rule), one invoice by id or number under the read rule (rules.h), the
 * summary from the kept totals or recounted, and the audit tail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "rules.h"
#include "sqlite_store.h"

static enum inv_status status_from_text(const char *t)
{
	enum inv_status st;

	if (invoice_status_parse(t, &st, NULL) != INV_OK)
		return ST_DRAFT;
	return st;
}

void sq_row_read(sqlite3_stmt *s, struct invoice *inv)
{
	char status[16];

	memset(inv, 0, sizeof *inv);
	inv->id = sqlite3_column_int64(s, 0);
	inv->org_id = sqlite3_column_int64(s, 1);
	sq_copy_text(inv->number, sizeof inv->number, s, 2);
	sq_copy_text(inv->customer, sizeof inv->customer, s, 3);
	sq_copy_text(status, sizeof status, s, 4);
	inv->status = status_from_text(status);
	inv->total_minor = sqlite3_column_int64(s, 5);
	sq_copy_text(inv->currency, sizeof inv->currency, s, 6);
	inv->version = sqlite3_column_int64(s, 7);
	sq_copy_text(inv->created_at, sizeof inv->created_at, s, 8);
	sq_copy_text(inv->updated_at, sizeof inv->updated_at, s, 9);
	sq_copy_text(inv->archived_at, sizeof inv->archived_at, s, 10);
	sq_copy_text(inv->deleted_at, sizeof inv->deleted_at, s, 11);
}

/* Load one row of the session's org.  Tenancy lives here: the org is part
 * of the key, so another org's id is simply not found. */
enum inv_rc sq_row_load(struct sq_store *st, int64_t org, int64_t id,
                        struct invoice *out, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	prc = sq_stmt(st, SQL_ROW_BY_ID, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sq_row_read(s, out);
		sqlite3_reset(s);
		return INV_OK;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return rule_not_found(id, err);
}

/* The partial indexes are used only when the query's WHERE names their
 * condition literally, so each view spells it out. */
static enum inv_rc page_stmt(struct sq_store *st, enum inv_view view,
                             enum page_dir dir, bool filter,
                             sqlite3_stmt **out, struct inv_err *err)
{
	static const char *const where[VIEW__COUNT] = {
		"AND archived_at IS NULL AND deleted_at IS NULL ",
		"AND archived_at IS NOT NULL AND deleted_at IS NULL ",
		"",
	};
	static const char *const order[3] = {
		"AND id > ?2 ORDER BY id ASC ",
		"AND id < ?2 ORDER BY id DESC ",
		"AND id >= ?2 ORDER BY id ASC ",
	};
	size_t k = ((size_t)view * 3 + (size_t)dir) * 2 + (filter ? 1 : 0);
	char sql[1024];
	int rc;

	*out = NULL;
	if (st->page[k]) {
		sqlite3_reset(st->page[k]);
		sqlite3_clear_bindings(st->page[k]);
		*out = st->page[k];
		return INV_OK;
	}
	snprintf(sql, sizeof sql,
	         "SELECT " ROW_COLS " FROM invoices WHERE org_id = ?1 %s%s%s"
	         "LIMIT ?3",
	         where[view],
	         filter ? "AND (inved_filter(number, ?4) "
	                  "OR inved_filter(customer, ?4)) "
	                : "",
	         order[dir]);
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                        &st->page[k], NULL);
	if (rc != SQLITE_OK)
		return sq_sqlite_err(st, rc, err);
	*out = st->page[k];
	return INV_OK;
}

enum inv_rc sq_page(struct sq_store *st, const struct identity *who,
                    enum inv_view view, const char *filter, int64_t anchor,
                    enum page_dir dir, struct invoice *rows, size_t limit,
                    size_t *n, struct inv_err *err)
{
	bool has_filter = filter && *filter;
	sqlite3_stmt *s;
	int rc;
	size_t i;
	enum inv_rc prc;

	*n = 0;
	if (view >= VIEW__COUNT || dir > PAGE_FROM)
		return inv_err_set(err, INV_INVALID, "view", _("unknown view"));
	if (rule_view(who, view, err) != INV_OK)
		return INV_FORBIDDEN;
	if (limit == 0)
		return INV_OK;
	prc = page_stmt(st, view, dir, has_filter, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_int64(s, 2, anchor);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	if (has_filter)
		sqlite3_bind_text(s, 4, filter, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < limit)
		sq_row_read(s, &rows[(*n)++]);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_sqlite_err(st, rc, err);
	if (dir == PAGE_BEFORE) {
		for (i = 0; i < *n / 2; i++) {
			struct invoice tmp = rows[i];

			rows[i] = rows[*n - 1 - i];
			rows[*n - 1 - i] = tmp;
		}
	}
	return INV_OK;
}

/* The one read rule for a single invoice: a member never reads a deleted
 * one, however it is asked for (an id, a number, a history); to them it is
 * simply not there.  Admins see every row of their org. */
enum inv_rc sq_row_load_as(struct sq_store *st, const struct identity *who,
                           int64_t id, struct invoice *out,
                           struct inv_err *err)
{
	enum inv_rc rc = sq_row_load(st, who->org_id, id, out, err);

	if (rc == INV_OK && (rc = rule_read(out, who, id, err)) != INV_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

enum inv_rc sq_get(struct sq_store *st, const struct identity *who, int64_t id,
                   struct invoice *out, struct inv_err *err)
{
	return sq_row_load_as(st, who, id, out, err);
}

enum inv_rc sq_find(struct sq_store *st, const struct identity *who,
                    const char *ref, struct invoice *out,
                    struct inv_err *err)
{
	sqlite3_stmt *s;
	size_t len = ref ? strlen(ref) : 0, i;
	bool digits = len > 0;
	int rc;
	enum inv_rc prc;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		return inv_err_set(err, INV_INVALID, "ref",
			_("REF must be an invoice id or a live invoice number "
			  "such as ACME-1001"));
	for (i = 0; i < len; i++)
		if (ref[i] < '0' || ref[i] > '9')
			digits = false;
	if (digits && len <= 18)
		return sq_row_load_as(st, who, strtoll(ref, NULL, 10), out, err);

	prc = sq_stmt(st, SQL_ROW_BY_NUMBER, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, ref, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		sq_row_read(s, out);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return INV_OK;
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return inv_err_set(err, INV_NOT_FOUND, "ref",
		_("no live invoice numbered '%s' in %s"), ref, who->org);
}

static enum inv_life life_from_text(const unsigned char *t)
{
	if (t && strcmp((const char *)t, "archived") == 0)
		return LIFE_ARCHIVED;
	if (t && strcmp((const char *)t, "deleted") == 0)
		return LIFE_DELETED;
	return LIFE_ACTIVE;
}

static enum inv_rc summary_read(struct sq_store *st, enum stmt_id id,
                                const struct identity *who,
                                struct summary *out, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	memset(out, 0, sizeof *out);
	prc = sq_stmt(st, id, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->org_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		enum inv_life life = life_from_text(sqlite3_column_text(s, 0));
		int64_t count = sqlite3_column_int64(s, 2);

		out->count[life] += count;
		if (life != LIFE_ACTIVE || count == 0 ||
		    out->ncur >= SUMMARY_MAX_CURRENCIES)
			continue;
		sq_copy_text(out->cur[out->ncur].currency,
		             sizeof out->cur[out->ncur].currency, s, 1);
		out->cur[out->ncur].count = count;
		out->cur[out->ncur].total_minor = sqlite3_column_int64(s, 3);
		out->ncur++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

enum inv_rc sq_summary(struct sq_store *st, const struct identity *who,
                       struct summary *out, struct inv_err *err)
{
	return summary_read(st, SQL_TOTALS, who, out, err);
}

enum inv_rc sq_summary_recount(struct sq_store *st, const struct identity *who,
                               struct summary *out, struct inv_err *err)
{
	return summary_read(st, SQL_RECOUNT, who, out, err);
}

/* ---- audit --------------------------------------------------------------- */

enum inv_rc sq_audit_tail(struct sq_store *st, const struct identity *who,
                          int64_t subject, struct audit_entry *out,
                          size_t max, size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s;
	struct invoice row;
	enum inv_rc vrc;
	int rc;
	enum inv_rc prc;

	*n = 0;
	/* One invoice's history is read only by whom may read the invoice;
	 * the org's tail leaves out, for a member, the deleted ones' rows. */
	if (subject && (vrc = sq_row_load_as(st, who, subject, &row, err)) != INV_OK)
		return vrc;
	prc = sq_stmt(st, subject ? SQL_AUDIT_SUBJECT
	                                         : SQL_AUDIT_ORG, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->org_id);
	if (subject)
		sqlite3_bind_int64(s, 2, subject);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	if (!subject)
		sqlite3_bind_int(s, 4, identity_at_least(who, ROLE_ADMIN));
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		struct audit_entry *a = &out[(*n)++];

		a->seq = sqlite3_column_int64(s, 0);
		sq_copy_text(a->at, sizeof a->at, s, 1);
		sq_copy_text(a->actor, sizeof a->actor, s, 2);
		sq_copy_text(a->action, sizeof a->action, s, 3);
		a->subject_id = sqlite3_column_int64(s, 4);
		sq_copy_text(a->number, sizeof a->number, s, 5);
		a->from_version = sqlite3_column_int64(s, 6);
		a->to_version = sqlite3_column_int64(s, 7);
		sq_copy_text(a->detail, sizeof a->detail, s, 8);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}
