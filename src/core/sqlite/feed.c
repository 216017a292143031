/*
 * feed.c - the change feed on SQLite: the audit rows of the session's org
 * after a position, the head of the feed, and PRAGMA data_version, which
 * the wake-up (wakeup.c) confirms a commit with.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

/* ---- change feed --------------------------------------------------------- */

enum inv_rc sq_data_version(struct sq_store *st, int64_t *out,
                            struct inv_err *err)
{
	return sq_head_read(st, SQL_DATA_VERSION, out, err);
}

/* The feed reader's promise (store.h) on SQLite: a seq is the audit row's
 * rowid, taken by the INSERT of sq_claim() inside a BEGIN IMMEDIATE
 * transaction, and only one connection holds that write lock at a time.
 * A transaction that started earlier has either committed (its rows are
 * visible, below every later seq) or still holds the lock, so no later
 * writer can have taken a larger seq yet.  Hence seq order is commit
 * order, and max(seq) of a reader's snapshot is a position no later
 * commit can fall below (tests/store/test_store.c
 * feed_position_never_passes_a_write_still_in_flight). */
enum inv_rc sq_changes_head(struct sq_store *st, int64_t *out,
                            struct inv_err *err)
{
	return sq_head_read(st, SQL_AUDIT_HEAD, out, err);
}

enum inv_rc sq_changes_since(struct sq_store *st, const struct identity *who,
                             int64_t after, struct change *out, size_t max,
                             size_t *n, struct inv_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	enum inv_rc prc;

	*n = 0;
	prc = sq_stmt(st, SQL_CHANGES_SINCE, &s, err);
	if (prc != INV_OK)
		return prc;
	sqlite3_bind_int64(s, 1, who->org_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < max) {
		struct change *c = &out[(*n)++];

		c->seq = sqlite3_column_int64(s, 0);
		c->org_id = sqlite3_column_int64(s, 1);
		c->invoice_id = sqlite3_column_int64(s, 2);
		sq_copy_text(c->action, sizeof c->action, s, 3);
		sq_copy_text(c->actor, sizeof c->actor, s, 4);
		sq_copy_text(c->at, sizeof c->at, s, 5);
		c->to_version = sqlite3_column_int64(s, 6);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sq_sqlite_err(st, rc, err);
	return INV_OK;
}
