/*
 * sqlite_store.h - what the SQLite backend's own files share: the
 * connection (struct sq_store, which the generic store holds as st->impl),
 * the statement cache, the transactions, and each file's calls.  Not for
 * anything above the backend table (backend.h); the backend's own tests
 * may include it.
 *
 * Where things live: open.c (open, migrate, close), stmt.c (statements,
 * errors, transactions), identity.c and members.c (who acts, who belongs),
 * reads.c, write.c (the guarded writes), revert.c, drafts.c, check.c (the
 * integrity check and the write guard), audit.c (an entry's detail as
 * text), demo.c (the demo data and the demonstrations), feed.c and
 * wakeup.c (the change feed and waking up on it), presence.c, and
 * table.c (the backend table).
 */
#ifndef INVED_SQLITE_STORE_H
#define INVED_SQLITE_STORE_H

#include <sqlite3.h>

#include "backend.h"
#include "rules.h"
#include "store.h"
#include "store_demo.h"

#define SCHEMA_VERSION 5

/* The columns sq_row_read() reads, in its order. */
#define ROW_COLS                                                             \
	"id, org_id, number, customer, status, total_minor, currency, version, " \
	"created_at, updated_at, coalesce(archived_at, ''), "                    \
	"coalesce(deleted_at, '')"

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

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
	SQL__COUNT
};

/* 3 views x 3 directions x (no filter, filter) */
#define PAGE_STMTS (VIEW__COUNT * 3 * 2)

/* the guarded edit, one per subset of the five editable fields */
#define EDIT_STMTS 32

struct sq_store {
	sqlite3 *db;
	const char *path; /* the generic store's location, for messages */
	int busy_ms;
	bool batch; /* inside sq_batch_begin(): writes are savepoints */
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
	struct sq_wakeup *wake; /* wakeup.c; NULL until first asked for */
};

/* PRAGMA data_version of this connection: changes when another connection
 * commits.  Cheap enough to poll while idle. */
enum inv_rc sq_data_version(struct sq_store *st, int64_t *out,
                            struct inv_err *err);

/* The directory the registrations live in (malloc'd; NULL without
 * memory): the wake-up watches it, so a form opening or closing
 * elsewhere wakes an idle screen. */
char *sq_presence_dir(struct sq_store *st);

/* wakeup.c: release the watch (sq_close). */
struct sq_wakeup;
void sq_wakeup_free(struct sq_wakeup *w);

/* The cached statement id into *out, prepared on first use and reset
 * before it is handed out; the failure to prepare it otherwise (*out
 * NULL). */
enum inv_rc sq_stmt(struct sq_store *st, enum stmt_id id, sqlite3_stmt **out,
                    struct inv_err *err);

/* Map a SQLite failure to a result and a message that names the file. */
enum inv_rc sq_sqlite_err(struct sq_store *st, int rc, struct inv_err *err);

/* The first column of the first row of sql (a PRAGMA, a count), run
 * uncached; *out is left alone when there is no row. */
enum inv_rc sq_query_int(struct sq_store *st, const char *sql, int64_t *out,
                         struct inv_err *err);

/* Run one cached statement that returns no rows. */
enum inv_rc sq_exec(struct sq_store *st, enum stmt_id id, struct inv_err *err);

/* BEGIN IMMEDIATE, then the write guard: a file whose triggers, indexes or
 * views fail the check is refused with INV_DAMAGED (rolled back). */
enum inv_rc sq_tx_begin(struct sq_store *st, struct inv_err *err);
/* BEGIN IMMEDIATE without the guard: for drafts (an operator's unsaved
 * edits are kept even when the invoice cannot be saved) and the repair. */
enum inv_rc sq_tx_begin_unguarded(struct sq_store *st, struct inv_err *err);

/* The write guard (check.c), run inside the write transaction: cheap (one
 * PRAGMA schema_version) unless the schema moved since it last passed. */
enum inv_rc sq_guard(struct sq_store *st, struct inv_err *err);
/* Relink every invoice's history chain (schema 5) from the audit, inside
 * the caller's write transaction; *changed counts the links written.  An
 * SQLite result code. */
int sq_chain_rebuild(struct sq_store *st, int64_t *changed);
/* The per-row part of the guard, for a write about to change cur: the
 * invoice's newest audit row, which its audit_tip names, must lead to its
 * current version (two key lookups), else a change went unaudited or an
 * audit row was removed. */
enum inv_rc sq_guard_row(struct sq_store *st, const struct invoice *cur,
                         struct inv_err *err);
void sq_guard_release(struct sq_store *st);
enum inv_rc sq_tx_commit(struct sq_store *st, struct inv_err *err);
void sq_tx_rollback(struct sq_store *st);

/* One transaction around many guarded writes (the demo data): all of them
 * land at sq_batch_commit(), or none. */
enum inv_rc sq_batch_begin(struct sq_store *st, struct inv_err *err);
enum inv_rc sq_batch_commit(struct sq_store *st, struct inv_err *err);
void sq_batch_rollback(struct sq_store *st);

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
 * (sq_now_text), which the write stores as updated_at.  Must come right
 * before that change. */
enum inv_rc sq_claim(struct sq_store *st, const struct identity *who,
                     const char *action, const char *at,
                     const struct invoice *cur, const struct invoice *next,
                     unsigned mask, struct inv_err *err);

/* The time now as the schema writes it ("2026-12-02T10:41:05.123Z"),
 * for values a claim must name before the write stores them. */
void sq_now_text(char *buf, size_t len);

/* Make user a member of org with role, creating either when missing (a new
 * org numbers its invoices PREFIX-1001, PREFIX being its name upper-cased).
 * An existing membership takes the new role.  Names are 1..64 characters of
 * [A-Za-z0-9._-].  Unguarded and unaudited: for tools that build a database
 * from nothing (the benchmark's generator).  The faces go through
 * sq_org_create and the sq_member_* calls, which check who asks. */
enum inv_rc sq_add_member(struct sq_store *st, const char *user,
                          const char *org, enum inv_role role,
                          struct inv_err *err);

/* open.c: process setup, open (and migrate) and close. */
void sq_process_setup(void);
/* Open the file of gst->location with gst->opt (the path is borrowed:
 * the generic store outlives its impl). */
enum inv_rc sq_open(const struct store *gst, struct sq_store **out,
                    struct inv_err *err);
void sq_close(struct sq_store *st);

/* stmt.c: step a statement to its end; a column's text cut to fit; the
 * single integer a cached statement returns. */
enum inv_rc sq_stmt_done(struct sq_store *st, sqlite3_stmt *s,
                         struct inv_err *err);
void sq_copy_text(char *dst, size_t len, sqlite3_stmt *s, int col);
enum inv_rc sq_head_read(struct sq_store *st, enum stmt_id id, int64_t *out,
                         struct inv_err *err);

/* identity.c: the table's identity calls (store.h). */
enum inv_rc sq_identity(struct sq_store *st, const char *user, const char *org,
                        struct identity *out, struct inv_err *err);
enum inv_rc sq_memberships(struct sq_store *st, struct membership *out,
                           size_t max, size_t *n, struct inv_err *err);

/* members.c: the table's member calls (store.h). */
enum inv_rc sq_org_create(struct sq_store *st, const char *user,
                          const char *org, struct identity *out,
                          bool *already, struct inv_err *err);
enum inv_rc sq_members(struct sq_store *st, const struct identity *who,
                       const char *after, struct member *out, size_t max,
                       size_t *n, struct inv_err *err);
enum inv_rc sq_member_add(struct sq_store *st, const struct identity *who,
                          const char *login, enum inv_role role,
                          struct inv_err *err);
enum inv_rc sq_member_remove(struct sq_store *st, const struct identity *who,
                             const char *login, enum inv_role *was,
                             struct inv_err *err);
enum inv_rc sq_member_role(struct sq_store *st, const struct identity *who,
                           const char *login, enum inv_role role,
                           enum inv_role *was, struct inv_err *err);

/* reads.c: the table's reads (store.h), and the row helpers the writes
 * share: a row from a statement, a row of the org by id (INV_NOT_FOUND
 * naming it), and that row under the read rule (rules.h). */
void sq_row_read(sqlite3_stmt *s, struct invoice *inv);
enum inv_rc sq_row_load(struct sq_store *st, int64_t org, int64_t id,
                        struct invoice *out, struct inv_err *err);
enum inv_rc sq_page(struct sq_store *st, const struct identity *who,
                    enum inv_view view, const char *filter, int64_t anchor,
                    enum page_dir dir, struct invoice *rows, size_t limit,
                    size_t *n, struct inv_err *err);
enum inv_rc sq_row_load_as(struct sq_store *st, const struct identity *who,
                           int64_t id, struct invoice *out,
                           struct inv_err *err);
enum inv_rc sq_get(struct sq_store *st, const struct identity *who, int64_t id,
                   struct invoice *out, struct inv_err *err);
enum inv_rc sq_find(struct sq_store *st, const struct identity *who,
                    const char *ref, struct invoice *out,
                    struct inv_err *err);
enum inv_rc sq_summary(struct sq_store *st, const struct identity *who,
                       struct summary *out, struct inv_err *err);
enum inv_rc sq_summary_recount(struct sq_store *st, const struct identity *who,
                               struct summary *out, struct inv_err *err);
enum inv_rc sq_audit_tail(struct sq_store *st, const struct identity *who,
                          int64_t subject, struct audit_entry *out,
                          size_t max, size_t *n, struct inv_err *err);

/* write.c: the guarded writes (store.h), and the steps revert and the
 * demonstrations share: a cleared result, the row re-read and committed
 * (the audit seq being the write's own claim), a refusal that rolls back
 * and hands the current row out, a guarded UPDATE, and an edit-like
 * write's checks (rules.h) and write. */
void sq_result_reset(struct write_result *res);
enum inv_rc sq_write_finish(struct sq_store *st, const struct invoice *row,
                            const char *at, struct write_result *res,
                            struct inv_err *err);
enum inv_rc sq_refuse(struct sq_store *st, enum inv_rc rc,
                      const struct invoice *current,
                      struct write_result *res);
enum inv_rc sq_run_update(struct sq_store *st, sqlite3_stmt *s,
                          const struct invoice *cur,
                          const struct invoice *next, struct inv_err *err);
enum inv_rc sq_lifecycle(struct sq_store *st, const struct identity *who,
                         enum rule_op op, int64_t id, int64_t version,
                         struct write_result *res, struct inv_err *err);
enum inv_rc sq_edit_guard(struct sq_store *st, const struct identity *who,
                          enum rule_op op, int64_t id, int64_t version,
                          int flags, struct invoice *cur,
                          struct write_result *res, struct inv_err *err);
enum inv_rc sq_edit_write(struct sq_store *st, const struct identity *who,
                          const struct invoice *cur,
                          const struct invoice *next, const char *action,
                          struct write_result *res, struct inv_err *err);
enum inv_rc sq_edit_fields(struct sq_store *st, const struct identity *who,
                           int64_t id, int64_t version,
                           const struct invoice_input *given,
                           unsigned fields, int flags,
                           struct write_result *res, struct inv_err *err);
enum inv_rc sq_create(struct sq_store *st, const struct identity *who,
                      const char *token, const char *number,
                      const struct invoice_input *in,
                      struct write_result *res, struct inv_err *err);

/* revert.c: the table's revert calls (store.h). */
enum inv_rc sq_revert_plan(struct sq_store *st, const struct identity *who,
                           int64_t id, int64_t to_version,
                           struct revert_plan *out, struct inv_err *err);
enum inv_rc sq_revert(struct sq_store *st, const struct identity *who,
                      int64_t id, int64_t to_version, int64_t version,
                      struct revert_plan *plan, struct write_result *res,
                      struct inv_err *err);

/* drafts.c: the table's draft calls (store.h). */
enum inv_rc sq_draft_save(struct sq_store *st, const struct identity *who,
                          const struct draft *d, int64_t version,
                          int64_t *new_version, struct draft *current,
                          struct inv_err *err);
enum inv_rc sq_draft_load(struct sq_store *st, const struct identity *who,
                          int64_t invoice_id, const char *token,
                          struct draft *out, struct inv_err *err);
enum inv_rc sq_draft_discard(struct sq_store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct inv_err *err);

/* feed.c: the change feed (store.h, and the reader's promise there). */
enum inv_rc sq_changes_head(struct sq_store *st, int64_t *out,
                            struct inv_err *err);
enum inv_rc sq_changes_since(struct sq_store *st, const struct identity *who,
                             int64_t after, struct change *out, size_t max,
                             size_t *n, struct inv_err *err);

/* wakeup.c: the wake-up (store.h). */
int sq_wakeup_fd(struct sq_store *st);
enum inv_rc sq_wakeup_check(struct sq_store *st, bool *changed, int *next_ms,
                            struct inv_err *err);
bool sq_wakeup_polling(struct sq_store *st, char *why, size_t size);

/* presence.c: the table's presence calls (store.h). */
enum inv_rc sq_presence_enter(struct sq_store *st, const struct identity *who,
                              int64_t invoice_id, const char *face,
                              struct presence **out, struct inv_err *err);
void sq_presence_leave(struct presence *p);
enum inv_rc sq_presence_list(struct sq_store *st, const struct identity *who,
                             int64_t invoice_id,
                             struct presence_entry *out, size_t max,
                             size_t *n, struct inv_err *err);

/* check.c: the integrity check and its repair (store.h). */
enum inv_rc sq_check_run(struct sq_store *st, const struct identity *who,
                         struct check_report *out, struct inv_err *err);
enum inv_rc sq_check_repair(struct sq_store *st, const struct identity *who,
                            struct check_report *out, struct inv_err *err);

/* audit.c: an audit entry's detail as a person reads it (store.h). */
enum inv_rc sq_audit_explain(struct sq_store *st, const char *detail,
                             char currency[4],
                             const struct money_style *style, char *out,
                             size_t size, struct inv_err *err);

/* demo.c: the demo data and the demonstrations (store_demo.h), which
 * open their peer through the generic store; the tools' unguarded member
 * (store_tools.h). */
enum inv_rc sq_seed_demo(struct sq_store *st, struct inv_err *err);
enum inv_rc sq_demo_present(struct sq_store *st, bool *present,
                            struct inv_err *err);
bool sq_is_demo(struct sq_store *st);
enum inv_rc sq_drift(struct store *gst, const struct identity *who,
                     int64_t id, struct write_result *res,
                     struct inv_err *err);
enum inv_rc sq_hold_lock(struct store *gst, int ms, struct inv_err *err);

/* The backend table (table.c). */
extern const struct store_backend store_backend_sqlite;

/* copy.c: the backend table's export_rows and import_* (backend.h). */
enum inv_rc sq_export_rows(struct sq_store *st, copy_sink *sink, void *ctx,
                           struct inv_err *err);
enum inv_rc sq_import_begin(struct sq_store *st, void **state,
                            struct inv_err *err);
enum inv_rc sq_import_rows(struct sq_store *st, void *state,
                           const struct copy_record *recs, size_t n,
                           struct inv_err *err);
enum inv_rc sq_import_end(struct sq_store *st, void *state, bool commit,
                          struct inv_err *err);

#endif
