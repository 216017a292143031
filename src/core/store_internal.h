/*
 * store_internal.h - what the store's own files (store.c, feed.c, demo.c)
 * share: the connection struct and the statement cache.  Not for faces.
 */
#ifndef INVED_STORE_INTERNAL_H
#define INVED_STORE_INTERNAL_H

#include <sqlite3.h>

#include "store.h"

#define SCHEMA_VERSION 4

enum stmt_id {
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL_AUDIT_CLAIM,
	SQL_AUDIT_CLAIM_CREATE,
	SQL_NEXT_ID,
	SQL_ROW_BY_ID,
	SQL_ROW_BY_NUMBER,
	SQL_ARCHIVE,
	SQL_RESTORE,
	SQL_DELETE,
	SQL_DRIFT,
	SQL_CLAIM,
	SQL_CLAIM_LOOKUP,
	SQL_CLAIM_FILL,
	SQL_ORG_NEXT,
	SQL_ORG_BUMP,
	SQL_NUMBER_LIVE,
	SQL_INSERT,
	SQL_AUDIT_HEAD,
	SQL_TOTALS,
	SQL_RECOUNT,
	SQL_DATA_VERSION,
	SQL_CHANGES_SINCE,
	SQL_AUDIT_ORG,
	SQL_AUDIT_SUBJECT,
	SQL_USER_BY_NAME,
	SQL_MEMBERSHIP,
	SQL_MEMBERSHIPS_OF,
	SQL_MEMBERSHIPS_ALL,
	SQL_DRAFT_GET,
	SQL_DRAFT_NEWEST,
	SQL_DRAFT_INSERT,
	SQL_DRAFT_UPDATE,
	SQL_DRAFT_DELETE,
	SQL_META_GET,
	SQL_AUDIT_VALUE,
	SQL_BEGIN_READ,
	SQL_SAVEPOINT,
	SQL_RELEASE,
	SQL_ROLLBACK_TO,
	SQL_TOTALS_BUCKET,
	SQL__COUNT
};

/* 3 views x 3 directions x (no filter, filter) */
#define PAGE_STMTS (VIEW__COUNT * 3 * 2)

/* the guarded edit, one per subset of the five editable fields */
#define EDIT_STMTS 32

struct store {
	sqlite3 *db;
	char *path;
	int busy_ms;
	bool batch; /* inside store_batch_begin(): writes are savepoints */
	int64_t claim_seq; /* the audit row of the write under way */
	sqlite3_stmt *stmt[SQL__COUNT];
	sqlite3_stmt *page[PAGE_STMTS];
	sqlite3_stmt *edit[EDIT_STMTS];
	/* The write guard (check.c): the PRAGMA schema_version at which the
	 * schema last verified intact; re-verified when it moved. */
	bool guard_ok;
	int64_t guard_schema_version;
	sqlite3_stmt *guard_stmt;
	sqlite3_stmt *guard_tip_stmt;
	struct store_wakeup *wake; /* wakeup.c; NULL until first asked for */
};

/* wakeup.c: release the watch (store_close). */
struct store_wakeup;
void store_wakeup_free(struct store_wakeup *w);

/* The cached statement id, prepared on first use and reset before it is
 * handed out; NULL with err filled when preparing fails. */
sqlite3_stmt *store_stmt(struct store *st, enum stmt_id id,
                         struct inv_err *err);

/* Map a SQLite failure to a result and a message that names the file. */
enum inv_rc store_sqlite_err(struct store *st, int rc, struct inv_err *err);

/* The first column of the first row of sql (a PRAGMA, a count), run
 * uncached; *out is left alone when there is no row. */
enum inv_rc store_query_int(struct store *st, const char *sql, int64_t *out,
                            struct inv_err *err);

/* Run one cached statement that returns no rows. */
enum inv_rc store_exec(struct store *st, enum stmt_id id, struct inv_err *err);

/* BEGIN IMMEDIATE, then the write guard: a file whose triggers, indexes or
 * views fail the check is refused with INV_DAMAGED (rolled back). */
enum inv_rc store_tx_begin(struct store *st, struct inv_err *err);
/* BEGIN IMMEDIATE without the guard: for drafts (an operator's unsaved
 * edits are kept even when the invoice cannot be saved) and the repair. */
enum inv_rc store_tx_begin_unguarded(struct store *st, struct inv_err *err);

/* The write guard (check.c), run inside the write transaction: cheap (one
 * PRAGMA schema_version) unless the schema moved since it last passed. */
enum inv_rc store_guard(struct store *st, struct inv_err *err);
/* The per-row part of the guard, for a write about to change cur: the
 * invoice's newest audit row must lead to its current version (one index
 * lookup), else a change went unaudited or an audit row was removed. */
enum inv_rc store_guard_row(struct store *st, const struct invoice *cur,
                            struct inv_err *err);
void store_guard_release(struct store *st);
enum inv_rc store_tx_commit(struct store *st, struct inv_err *err);
void store_tx_rollback(struct store *st);

/* One transaction around many guarded writes (the demo data): all of them
 * land at store_batch_commit(), or none. */
enum inv_rc store_batch_begin(struct store *st, struct inv_err *err);
enum inv_rc store_batch_commit(struct store *st, struct inv_err *err);
void store_batch_rollback(struct store *st);

/* The parts of an invoice a claim says are written (the edit bits are
 * the merge field bits). */
enum claim_bits {
	CLAIM_CUSTOMER = 1,
	CLAIM_STATUS = 2,
	CLAIM_TOTAL = 4,
	CLAIM_CURRENCY = 8,
	CLAIM_NUMBER = 16,
	CLAIM_ARCHIVED = 32,
	CLAIM_DELETED = 64,
};

/* Name the writer of the change this transaction is about to make: its
 * audit row, appended now with the detail of the change, which the
 * schema's triggers check against the change as it really happens (a
 * claim that does not describe it makes the write fail).  cur is the row
 * as loaded in this transaction and next the row as it will be, of which
 * the parts in mask are written; cur NULL claims the creation of next
 * (next->id being the id it will get).  at is the write's time
 * (store_now_text), which the write stores as updated_at.  Must come right
 * before that change. */
enum inv_rc store_claim(struct store *st, const struct identity *who,
                        const char *action, const char *at,
                        const struct invoice *cur,
                        const struct invoice *next, unsigned mask,
                        struct inv_err *err);

/* The time now as the schema writes it ("2026-12-02T10:41:05.123Z"),
 * for values a claim must name before the write stores them. */
void store_now_text(char *buf, size_t len);

/* Make user a member of org with role, creating either when missing (a new
 * org numbers its invoices PREFIX-1001, PREFIX being its name upper-cased).
 * An existing membership takes the new role.  Names are 1..64 characters of
 * [A-Za-z0-9._-].  Unguarded and unaudited: for tools that build a database
 * from nothing (the benchmark's generator).  The faces go through
 * store_org_create and the store_member_* calls, which check who asks. */
enum inv_rc store_add_member(struct store *st, const char *user,
                             const char *org, enum inv_role role,
                             struct inv_err *err);

#endif
