/*
 * write.c - the guarded writes of SPEC 3 on SQLite: edit, archive,
 * restore, delete and create.
 *
 * Every write is one BEGIN IMMEDIATE transaction that loads the row by
 * (session org, id) and asks rules.h (tenancy, lifecycle, role, version,
 * in that order) about the row it just loaded.  Only then does it name
 * itself (the audit row of the write, carrying its detail and chained to
 * the invoice's newest audit row, whose seq the write keeps from its own
 * insert) and touch the row, pointing it at that audit row (audit_tip);
 * the triggers of data/schema.sql check that audit row (which is also the
 * change-feed row) and write the totals inside the same transaction.  A refused write
 * rolls back, so it leaves no trace at all.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "money.h"
#include "rules.h"
#include "sqlite_store.h"

enum inv_rc sq_claim(struct sq_store *st, const struct identity *who,
                     const char *action, const char *at,
                     const struct invoice *cur, const struct invoice *next,
                     unsigned mask, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	enum inv_rc rc;

	rc = sq_stmt(st, cur ? SQL_AUDIT_CLAIM : SQL_AUDIT_CLAIM_CREATE, &s,
	             err);
	if (rc != INV_OK)
		return rc;
	sqlite3_bind_int64(s, 1, who->org_id);
	if (who->user_id > 0)
		sqlite3_bind_int64(s, 2, who->user_id);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_text(s, 3, who->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, cur ? cur->id : next->id);
	sqlite3_bind_text(s, 16, at, -1, SQLITE_STATIC);
	if (!cur)
		mask = CLAIM_NUMBER | CLAIM_CUSTOMER | CLAIM_STATUS |
		       CLAIM_TOTAL | CLAIM_CURRENCY;
	else
		sqlite3_bind_int64(s, 11, cur->version);
	if (mask & CLAIM_NUMBER)
		sqlite3_bind_text(s, 6, next->number, -1, SQLITE_STATIC);
	if (mask & CLAIM_CUSTOMER)
		sqlite3_bind_text(s, 7, next->customer, -1, SQLITE_STATIC);
	if (mask & CLAIM_STATUS)
		sqlite3_bind_text(s, 8, invoice_status_name(next->status), -1,
		                  SQLITE_STATIC);
	if (mask & CLAIM_TOTAL)
		sqlite3_bind_int64(s, 9, next->total_minor);
	if (mask & CLAIM_CURRENCY)
		sqlite3_bind_text(s, 10, next->currency, -1, SQLITE_STATIC);
	if (cur) {
		sqlite3_bind_int(s, 12, (mask & CLAIM_ARCHIVED) != 0);
		if (next->archived_at[0])
			sqlite3_bind_text(s, 13, next->archived_at, -1,
			                  SQLITE_STATIC);
		sqlite3_bind_int(s, 14, (mask & CLAIM_DELETED) != 0);
		if (next->deleted_at[0])
			sqlite3_bind_text(s, 15, next->deleted_at, -1,
			                  SQLITE_STATIC);
	}
	st->claim_seq = 0;
	rc = sq_stmt_done(st, s, err);
	if (rc == INV_OK && sqlite3_changes(st->db) != 1)
		rc = inv_err_set(err, INV_ERROR, "",
			_("the invoice moved while it was being written; "
			  "nothing was written"));
	if (rc == INV_OK)
		st->claim_seq = sqlite3_last_insert_rowid(st->db);
	return rc;
}

void sq_now_text(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	         tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	         tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* ---- writes -------------------------------------------------------------- */

static enum inv_rc number_live(struct sq_store *st, int64_t org,
                               const char *number, struct invoice *holder,
                               bool *taken, struct inv_err *err);

/* The number a write would give a live row must be free in the org: the
 * schema refuses a second live holder too, but this names the number (a
 * conflict with no current row: retrying at a newer version would not
 * help). */
static enum inv_rc number_free(struct sq_store *st, int64_t org,
                               const char *number, struct inv_err *err)
{
	bool taken = false;
	enum inv_rc rc = number_live(st, org, number, NULL, &taken, err);

	if (rc != INV_OK || !taken)
		return rc;
	return inv_err_set(err, INV_CONFLICT, "number",
		_("number %s is held by another live invoice; renumber "
		  "one of them (inved edit REF --number NEW) or delete "
		  "the other first"),
		number);
}

void sq_result_reset(struct write_result *res)
{
	memset(res, 0, sizeof *res);
}

/* The schema refuses a write that would take the count or the sum of a
 * totals row past the 64-bit range, or add to a sum that is no integer
 * any more (SQLite would silently make it a REAL): the one check of that
 * rule, for every writer.  Said here in the operator's words, naming the
 * row the invoice was going into; any other failure as SQLite's. */
static enum inv_rc write_failed(struct sq_store *st, int rc, const char *msg,
                                const struct invoice *next,
                                struct inv_err *err)
{
	if (rc == SQLITE_CONSTRAINT_TRIGGER && msg &&
	    strstr(msg, "inved: the totals would pass the 64-bit range"))
		return inv_err_set(err, INV_INVALID, "total",
			_("the sum of this org's %s invoices (%s) would pass "
			  "the 64-bit range; nothing was written"),
			next->currency, invoice_life_label(invoice_life(next)));
	return sq_sqlite_err(st, rc, err);
}

/* After the write: the row as stored and the audit row the write claimed,
 * then the commit.  The row is the one the write bound, value for value
 * (row, with the version moved by one and updated_at the write's time):
 * nothing else changes an invoice inside inved's write, since the
 * schema's triggers only touch it for a writer that forgot the version,
 * so it is not read back. */
enum inv_rc sq_write_finish(struct sq_store *st, const struct invoice *row,
                            const char *at, struct write_result *res,
                            struct inv_err *err)
{
	enum inv_rc rc;

	res->row = *row;
	res->row.version = row->version + 1;
	snprintf(res->row.updated_at, sizeof res->row.updated_at, "%s", at);
	/* the audit row is the one the write claimed, and it is the
	 * change-feed row too (schema 3) */
	res->audit_seq = st->claim_seq;
	res->change_seq = res->audit_seq;
	rc = sq_tx_commit(st, err);
	if (rc == INV_OK)
		res->have_row = true;
	return rc;
}

/* Refuse inside the transaction: roll back and hand the current row out. */
enum inv_rc sq_refuse(struct sq_store *st, enum inv_rc rc,
                      const struct invoice *current,
                      struct write_result *res)
{
	sq_tx_rollback(st);
	if (current && res) {
		res->row = *current;
		res->have_row = true;
	}
	return rc;
}

/* Run a guarded UPDATE.  `number` is the number the row will carry: when
 * the partial unique index refuses it, the message names it. */
enum inv_rc sq_run_update(struct sq_store *st, sqlite3_stmt *s,
                          const struct invoice *cur,
                          const struct invoice *next, struct inv_err *err)
{
	int rc = sqlite3_step(s);
	enum inv_rc ret = INV_OK;

	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		ret = inv_err_set(err, INV_CONFLICT, "number",
			_("number %s is held by another live invoice; renumber "
			  "one of them (inved edit REF --number NEW) or delete "
			  "the other first"),
			next->number);
	else if (rc != SQLITE_DONE)
		ret = write_failed(st, rc, sqlite3_errmsg(st->db), next, err);
	sqlite3_reset(s);
	if (ret != INV_OK)
		return ret;
	if (sqlite3_changes(st->db) != 1)
		return rule_stale(cur, err);
	return INV_OK;
}

/* The row a refused UPDATE hands out: the current one when the version
 * moved under it; none when the number is taken, which is not a stale
 * copy (the message names the number, and retrying at the current
 * version would only be refused again). */
static const struct invoice *stale_row(enum inv_rc rc,
                                       const struct inv_err *err,
                                       const struct invoice *cur)
{
	if (rc != INV_CONFLICT)
		return NULL;
	if (err && strcmp(err->field, "number") == 0)
		return NULL;
	return cur;
}

/* The moves of the lifecycle, in the order of their rule_op. */
enum inv_rc sq_lifecycle(struct sq_store *st, const struct identity *who,
                         enum rule_op op, int64_t id, int64_t version,
                         struct write_result *res, struct inv_err *err)
{
	static const char *const action[] = {
		[RULE_ARCHIVE] = "invoice.archive",
		[RULE_RESTORE] = "invoice.restore",
		[RULE_DELETE] = "invoice.delete",
	};
	static const enum stmt_id sql[] = {
		[RULE_ARCHIVE] = SQL_ARCHIVE,
		[RULE_RESTORE] = SQL_RESTORE,
		[RULE_DELETE] = SQL_DELETE,
	};
	struct invoice cur, next;
	char at[TIME_TEXT_MAX];
	enum inv_life life;
	unsigned mask;
	sqlite3_stmt *s;
	enum inv_rc rc;
	enum inv_rc prc;

	sq_result_reset(res);
	if (op != RULE_ARCHIVE && op != RULE_RESTORE && op != RULE_DELETE)
		return inv_err_set(err, INV_INVALID, "", "not a lifecycle move");
	rc = sq_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	/* The row of the session's org, loaded under the write lock; then
	 * tenancy, lifecycle, role and version (rules.h).  A conflict
	 * carries the row. */
	rc = sq_row_load(st, who->org_id, id, &cur, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	rc = rule_check(op, &cur, who, version, 0, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, rc == INV_CONFLICT ? &cur : NULL, res);
	life = invoice_life(&cur);
	/* 5. a restored number must be free (the schema refuses a second
	 * live holder, and that refusal is a conflict). */
	if (op == RULE_RESTORE && life == LIFE_DELETED) {
		rc = number_free(st, who->org_id, cur.number, err);
		if (rc != INV_OK)
			return sq_refuse(st, rc, NULL, res);
	}
	/* the row as the move leaves it, for the claim */
	next = cur;
	sq_now_text(at, sizeof at);
	if (op == RULE_ARCHIVE) {
		snprintf(next.archived_at, sizeof next.archived_at, "%s", at);
		mask = CLAIM_ARCHIVED;
	} else if (op == RULE_DELETE) {
		snprintf(next.deleted_at, sizeof next.deleted_at, "%s", at);
		mask = CLAIM_DELETED;
	} else {
		next.archived_at[0] = next.deleted_at[0] = '\0';
		mask = CLAIM_ARCHIVED | CLAIM_DELETED;
	}
	rc = sq_guard_row(st, &cur, err);
	if (rc == INV_OK)
		rc = sq_claim(st, who, action[op], at, &cur, &next, mask, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	prc = sq_stmt(st, sql[op], &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, res);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, version);
	sqlite3_bind_text(s, 3, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, st->claim_seq);
	rc = sq_run_update(st, s, &cur, &next, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, stale_row(rc, err, &cur), res);
	rc = sq_write_finish(st, &next, at, res, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, NULL);
	return INV_OK;
}

enum edit_field {
	EDIT_CUSTOMER = 1,
	EDIT_STATUS = 2,
	EDIT_TOTAL = 4,
	EDIT_CURRENCY = 8,
	EDIT_NUMBER = 16,
};

/* The write set of sq_edit_fields() is a merge_field mask. */
_Static_assert((int)EDIT_CUSTOMER == (int)MF_CUSTOMER &&
               (int)EDIT_STATUS == (int)MF_STATUS &&
               (int)EDIT_TOTAL == (int)MF_TOTAL &&
               (int)EDIT_CURRENCY == (int)MF_CURRENCY &&
               (int)EDIT_NUMBER == (int)MF_NUMBER,
               "edit bits are the merge field bits");

/* Which fields next changes from cur; 0 when none. */
static unsigned edit_mask(const struct invoice *cur, const struct invoice *next)
{
	return (strcmp(cur->customer, next->customer) ? EDIT_CUSTOMER : 0) |
	       (cur->status != next->status ? EDIT_STATUS : 0) |
	       (cur->total_minor != next->total_minor ? EDIT_TOTAL : 0) |
	       (strcmp(cur->currency, next->currency) ? EDIT_CURRENCY : 0) |
	       (strcmp(cur->number, next->number) ? EDIT_NUMBER : 0);
}

/* The guarded UPDATE that sets only the fields in mask, prepared once per
 * connection and mask.  Why not one statement that sets all four: SQLite
 * evaluates the CHECK constraints of every column named in SET, and the
 * status CHECK (an IN list) builds an ephemeral table on each run, a tenth
 * of an edit's CPU, spent on the edits that leave the status alone. */
static enum inv_rc edit_stmt(struct sq_store *st, unsigned mask,
                             sqlite3_stmt **out, struct inv_err *err)
{
	char sql[512];
	int rc;

	*out = NULL;
	if (st->edit[mask]) {
		sqlite3_reset(st->edit[mask]);
		sqlite3_clear_bindings(st->edit[mask]);
		*out = st->edit[mask];
		return INV_OK;
	}
	snprintf(sql, sizeof sql,
	         "UPDATE invoices SET %s%s%s%s%s%s "
	         "WHERE id = ?1 AND version = ?2",
	         mask & EDIT_NUMBER ? "number = ?7, " : "",
	         mask & EDIT_CUSTOMER ? "customer = ?3, " : "",
	         mask & EDIT_STATUS ? "status = ?4, " : "",
	         mask & EDIT_TOTAL ? "total_minor = ?5, " : "",
	         mask & EDIT_CURRENCY ? "currency = ?6, " : "",
	         "updated_at = ?8, version = version + 1, audit_tip = ?9");
	rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                        &st->edit[mask], NULL);
	if (rc != SQLITE_OK)
		return sq_sqlite_err(st, rc, err);
	*out = st->edit[mask];
	return INV_OK;
}

/* Checks 1-4 of SPEC 3 for an edit-like write (rules.h), against the row
 * loaded inside the open transaction.  On a refusal the transaction is
 * rolled back (a conflict hands the current row out in res). */
enum inv_rc sq_edit_guard(struct sq_store *st, const struct identity *who,
                          enum rule_op op, int64_t id, int64_t version,
                          int flags, struct invoice *cur,
                          struct write_result *res, struct inv_err *err)
{
	enum inv_rc rc = sq_row_load(st, who->org_id, id, cur, err);

	if (rc == INV_OK)
		rc = rule_check(op, cur, who, version, flags, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, rc == INV_CONFLICT ? cur : NULL, res);
	return INV_OK;
}

/* Write the fields in which next differs from cur (the row loaded in this
 * transaction) as the next version, audited as `action`, and commit. */
enum inv_rc sq_edit_write(struct sq_store *st, const struct identity *who,
                          const struct invoice *cur,
                          const struct invoice *next, const char *action,
                          struct write_result *res, struct inv_err *err)
{
	unsigned mask = edit_mask(cur, next);
	char at[TIME_TEXT_MAX];
	sqlite3_stmt *s;
	enum inv_rc rc;
	enum inv_rc prc;

	sq_now_text(at, sizeof at);
	if (mask == 0) {
		inv_err_set(err, INV_INVALID, "unchanged",
			_("nothing to change: the values given are the ones "
			  "invoice %s already has"),
			cur->number);
		return sq_refuse(st, INV_INVALID, NULL, res);
	}
	if (mask & EDIT_NUMBER) {
		rc = number_free(st, who->org_id, next->number, err);
		if (rc != INV_OK)
			return sq_refuse(st, rc, NULL, res);
	}
	rc = sq_guard_row(st, cur, err);
	if (rc == INV_OK)
		rc = sq_claim(st, who, action, at, cur, next, mask, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	prc = edit_stmt(st, mask, &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, res);
	sqlite3_bind_int64(s, 1, cur->id);
	sqlite3_bind_int64(s, 2, cur->version);
	if (mask & EDIT_CUSTOMER)
		sqlite3_bind_text(s, 3, next->customer, -1, SQLITE_STATIC);
	if (mask & EDIT_STATUS)
		sqlite3_bind_text(s, 4, invoice_status_name(next->status), -1,
		                  SQLITE_STATIC);
	if (mask & EDIT_TOTAL)
		sqlite3_bind_int64(s, 5, next->total_minor);
	if (mask & EDIT_CURRENCY)
		sqlite3_bind_text(s, 6, next->currency, -1, SQLITE_STATIC);
	if (mask & EDIT_NUMBER)
		sqlite3_bind_text(s, 7, next->number, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, st->claim_seq);
	rc = sq_run_update(st, s, cur, next, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, stale_row(rc, err, cur), res);
	{
		struct invoice row = *next;

		row.version = cur->version;
		rc = sq_write_finish(st, &row, at, res, err);
	}
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, NULL);
	return INV_OK;
}

enum inv_rc sq_edit_fields(struct sq_store *st, const struct identity *who,
                           int64_t id, int64_t version,
                           const struct invoice_input *given,
                           unsigned fields, int flags,
                           struct write_result *res, struct inv_err *err)
{
	bool overwrite = flags & WRITE_OVERWRITE;
	struct invoice_input in;
	struct invoice cur, next;
	enum inv_rc rc;

	sq_result_reset(res);
	rule_input_narrow(given, fields, &in);
	rc = rule_input_check(&in, err);
	if (rc != INV_OK)
		return rc;
	rc = sq_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	rc = sq_edit_guard(st, who, RULE_EDIT, id, version, flags, &cur, res,
	                   err);
	if (rc != INV_OK)
		return rc;
	rc = rule_input_apply(&in, &cur, &next, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	return sq_edit_write(st, who, &cur, &next,
	                     overwrite && cur.version != version
	                     ? "invoice.overwrite"
	                     : "invoice.edit",
	                     res, err);
}

static enum inv_rc number_live(struct sq_store *st, int64_t org,
                               const char *number, struct invoice *holder,
                               bool *taken, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*taken = false;
	prc = sq_stmt(st, SQL_NUMBER_LIVE, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_text(s, 2, number, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*taken = true;
		if (holder)
			sq_row_read(s, holder);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}

/* The org's next free number, allocated inside the create transaction so
 * two terminals creating at once never get the same one. */
static enum inv_rc number_allocate(struct sq_store *st, int64_t org, char *out,
                                   size_t len, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	char prefix[NUMBER_MAX_BYTES + 1];
	int64_t next;
	bool taken = true;
	enum inv_rc rc = INV_OK;
	int src;
	enum inv_rc prc;

	prc = sq_stmt(st, SQL_ORG_NEXT, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	src = sqlite3_step(s);
	if (src != SQLITE_ROW) {
		sqlite3_reset(s);
		return src == SQLITE_DONE
		               ? inv_err_set(err, INV_NOT_FOUND, "", _("no such org"))
		               : sq_sqlite_err(st, src, err);
	}
	sq_copy_text(prefix, sizeof prefix, s, 0);
	next = sqlite3_column_int64(s, 1);
	sqlite3_reset(s);
	/* Skip numbers someone chose by hand. */
	while (rc == INV_OK && taken) {
		int w = snprintf(out, len, "%s%" PRId64, prefix, next++);

		if (w < 0 || (size_t)w >= len)
			return inv_err_set(err, INV_ERROR, "number",
				_("the org's number prefix is too long"));
		rc = number_live(st, org, out, NULL, &taken, err);
	}
	if (rc != INV_OK)
		return rc;
	prc = sq_stmt(st, SQL_ORG_BUMP, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, next);
	return sq_stmt_done(st, s, err);
}

/* The token was claimed before: answer with the invoice it made. */
static enum inv_rc create_repeat(struct sq_store *st,
                                 const struct identity *who, const char *token,
                                 struct write_result *res, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int64_t id = 0;
	enum inv_rc rc;
	int src;
	enum inv_rc prc;

	prc = sq_stmt(st, SQL_CLAIM_LOOKUP, &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	src = sqlite3_step(s);
	if (src == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (src != SQLITE_ROW)
		return sq_refuse(st, sq_sqlite_err(st, src, err), NULL, res);
	rc = sq_row_load(st, who->org_id, id, &res->row, err);
	sq_tx_rollback(st);
	if (rc != INV_OK)
		return rc;
	res->have_row = true;
	res->repeat = true;
	return INV_OK;
}

enum inv_rc sq_create(struct sq_store *st, const struct identity *who,
                      const char *token, const char *number,
                      const struct invoice_input *in,
                      struct write_result *res, struct inv_err *err)
{
	struct invoice next, holder;
	char alloc[NUMBER_MAX_BYTES + 1], at[TIME_TEXT_MAX];
	sqlite3_stmt *s;
	bool taken;
	enum inv_rc rc;
	int64_t id;
	enum inv_rc prc;

	sq_result_reset(res);
	rc = rule_create_input(token, number, in, &next, err);
	if (rc != INV_OK)
		return rc;

	rc = sq_tx_begin(st, err);
	if (rc != INV_OK)
		return rc;
	/* The claim is one atomic statement: of two submits with one token,
	 * exactly one inserts the row; the other sees zero changes. */
	prc = sq_stmt(st, SQL_CLAIM, &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, who->user_id);
	rc = sq_stmt_done(st, s, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	if (sqlite3_changes(st->db) == 0)
		return create_repeat(st, who, token, res, err);

	if (number) {
		rc = number_live(st, who->org_id, number, &holder, &taken, err);
		if (rc == INV_OK && taken) {
			inv_err_set(err, INV_CONFLICT, "number",
				_("number %s is already held by a live invoice"),
				number);
			return sq_refuse(st, INV_CONFLICT, &holder, res);
		}
		snprintf(alloc, sizeof alloc, "%s", number);
	} else {
		rc = number_allocate(st, who->org_id, alloc, sizeof alloc, err);
	}
	if (rc == INV_OK)
		rc = sq_head_read(st, SQL_NEXT_ID, &id, err);
	if (rc == INV_OK) {
		next.id = id;
		snprintf(next.number, sizeof next.number, "%s", alloc);
		sq_now_text(at, sizeof at);
		rc = sq_claim(st, who, "invoice.create", at, NULL, &next, 0,
		              err);
	}
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	prc = sq_stmt(st, SQL_INSERT, &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, alloc, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, next.customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, invoice_status_name(next.status), -1,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, next.total_minor);
	sqlite3_bind_text(s, 6, next.currency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, id);
	sqlite3_bind_text(s, 8, at, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, st->claim_seq);
	{
		int src = sqlite3_step(s);

		rc = src == SQLITE_DONE
			? INV_OK
			: write_failed(st, src, sqlite3_errmsg(st->db), &next,
			               err);
		sqlite3_reset(s);
	}
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	prc = sq_stmt(st, SQL_CLAIM_FILL, &s, err);
	if (prc != INV_OK)
		return sq_refuse(st, prc, NULL, res);
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_text(s, 2, token, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, id);
	rc = sq_stmt_done(st, s, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, res);
	next.org_id = who->org_id;
	next.version = 0; /* the row is made at version 1 */
	snprintf(next.created_at, sizeof next.created_at, "%s", at);
	rc = sq_write_finish(st, &next, at, res, err);
	if (rc != INV_OK)
		return sq_refuse(st, rc, NULL, NULL);
	return INV_OK;
}
