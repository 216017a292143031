/*
 * pgmore.h - drafts, presence, the integrity check and revert of the
 * PostgreSQL backend, and the guarded write revert shares with the edits,
 * with the arguments and promises of their store.h counterparts (a struct
 * pg_store first instead of a struct store).
 */
#ifndef INVED_PGMORE_H
#define INVED_PGMORE_H

#include <libpq-fe.h>

#include "copy_record.h"
#include "pgstore.h"

/* ---- drafts (store_draft_save / _load / _discard) ------------------------ */

enum inv_rc pgstore_draft_save(struct pg_store *st, const struct identity *who,
                               const struct draft *d, int64_t version,
                               int64_t *new_version, struct draft *current,
                               struct inv_err *err);
enum inv_rc pgstore_draft_load(struct pg_store *st, const struct identity *who,
                               int64_t invoice_id, const char *token,
                               struct draft *out, struct inv_err *err);
enum inv_rc pgstore_draft_discard(struct pg_store *st,
                                  const struct identity *who,
                                  int64_t invoice_id, const char *token,
                                  struct inv_err *err);

/* ---- presence (store_presence_enter / _leave / _list) -------------------- */

/* A registration is a row of the UNLOGGED table presence, keyed by the
 * server process of st's connection, and a session-level advisory lock
 * that this connection holds for it: the row is listed only while the lock
 * is held, so a killed terminal (whose server process ends, and its locks
 * with it) leaves no ghost.  Nothing is audited, fed or notified.  The
 * struct pg_store must outlive its registrations. */
enum inv_rc pgstore_presence_enter(struct pg_store *st,
                                   const struct identity *who,
                                   int64_t invoice_id, const char *face,
                                   struct presence **out,
                                   struct inv_err *err);
void pgstore_presence_leave(struct presence *p);
/* After the session was made again (its locks went with the old one):
 * register each of st's live registrations again. */
void pgstore_presence_renew(struct pg_store *st);
/* The head of st's list of live registrations (pgpresence.c's). */
struct presence **pgstore_presences(struct pg_store *st);
enum inv_rc pgstore_presence_list(struct pg_store *st,
                                  const struct identity *who,
                                  int64_t invoice_id,
                                  struct presence_entry *out, size_t max,
                                  size_t *n, struct inv_err *err);

/* ---- integrity check (store_check_run / store_check_repair) -------------- */

/* The functions, triggers, indexes and policies the compiled-in
 * data/schema-pg.sql installs are compared with pg_catalog (a function's
 * body after normalising whitespace), tables with policies must have row
 * security enabled and forced; every invoice the caller can see has an
 * unbroken audit chain ending at its version; the kept totals equal a
 * recount of what the caller can see. */
enum inv_rc pgstore_check_run(struct pg_store *st, const struct identity *who,
                              struct check_report *out, struct inv_err *err);
/* Admin only; the schema's DDL needs the schema's owner, so a member's or
 * another admin's role is refused by the server (INV_FORBIDDEN).  Reinstalls
 * missing or altered functions, missing triggers, indexes and policies,
 * drops extra triggers, indexes and policies on the schema's tables, and
 * forces row security again; history and totals are never touched. */
enum inv_rc pgstore_check_repair(struct pg_store *st,
                                 const struct identity *who,
                                 struct check_report *out,
                                 struct inv_err *err);

/* ---- the write guard (pgcheck.c) ------------------------------------------ */

/* What the guard knows of a schema it verified: the digest of the catalog
 * rows the check looks at (PG_GUARD_DIGEST), and the oids it was taken
 * over, as array literals ("{16384,16390}"). */
struct pg_guard {
	bool ok;
	char digest[33];
	char *tables; /* the tables of schema public */
	char *funcs;  /* the functions of schema public */
};

/* The digest, an SQL expression of two oid[] parameters T and F: md5 over
 * each function's row version (CREATE OR REPLACE, ALTER FUNCTION and a
 * re-creation all change it), each trigger's on the tables (DISABLE,
 * ENABLE REPLICA, a re-pointed function, a drop, an addition), the tables'
 * indexes by oid and name, their policies' row versions and their row
 * security flags.  Every lookup is by an indexed oid: cheap enough to run
 * in every write's own round trip. */
#define PG_GUARD_DIGEST(T, F)                                                \
	"(SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM ("        \
	"SELECT 'f' || p.oid || ':' || p.xmin::text FROM pg_proc p "            \
	"WHERE p.oid = ANY(" F "::oid[]) "                                      \
	"UNION ALL SELECT 't' || t.oid || ':' || t.xmin::text FROM pg_trigger t " \
	"WHERE t.tgrelid = ANY(" T "::oid[]) "                                  \
	"UNION ALL SELECT 'i' || i.indexrelid || ':' || ic.relname "            \
	"FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "            \
	"WHERE i.indrelid = ANY(" T "::oid[]) "                                 \
	"UNION ALL SELECT 'p' || y.oid || ':' || y.xmin::text FROM pg_policy y " \
	"WHERE y.polrelid = ANY(" T "::oid[]) "                                 \
	"UNION ALL SELECT 'r' || c.oid || ':' || c.relname || ':' || "          \
	"c.relrowsecurity::text || c.relforcerowsecurity::text FROM pg_class c " \
	"WHERE c.oid = ANY(" T "::oid[])) g(x))"

/* Compare the schema with the one data/schema-pg.sql installs, as `inved
 * check` does; when it matches, g records the catalog's digest (taken in
 * the same snapshot) and is ok.  A difference is INV_DAMAGED, said as the
 * SQLite backend's write guard says it.  Inside the demo's one transaction
 * (batch) it reads in that transaction. */
enum inv_rc pgstore_guard_verify(struct pg_store *st, struct pg_guard *g,
                                 bool batch, struct inv_err *err);
void pgstore_guard_release(struct pg_guard *g);

/* ---- the guarded writes of one invoice (pgstore.c) ---------------------- */

/* The row an edit-like write makes of the row it loaded (under its lock,
 * after the rules passed), inside the write's transaction; it may name
 * another action than the write's. */
typedef enum inv_rc (*pg_write_make)(struct pg_store *st, void *ctx,
                                     const struct invoice *cur,
                                     struct invoice *next,
                                     const char **action,
                                     struct inv_err *err);

struct pg_write {
	enum rule_op op;
	int64_t id, version; /* the row, and the version the caller saw */
	int flags;           /* WRITE_OVERWRITE */
	const char *action;  /* the audit's action, unless make names one */
	/* The UPDATE ... RETURNING the row, parameters id, version, number,
	 * customer, status, total, currency (nparams of them); NULL: the
	 * edit's, which writes the five fields of next. */
	const char *sql;
	int nparams;
	pg_write_make make; /* NULL: next is the loaded row */
	void *ctx;
	struct invoice *loaded; /* NULL, or where the loaded row goes */
};

/* Length of a write's request token (store_new_token: 32 hex digits)
 * and its NUL. */
#define PG_TOKEN_SIZE 33

/* A guarded write (pgstore.h): BEGIN; the row by (session org, id) FOR
 * UPDATE; rule_check(op) against it; make; the claimed UPDATE, with the
 * write's request token (16 random bytes) kept by the schema's trigger in
 * the write's audit row (audit.request); COMMIT.  When the COMMIT's outcome
 * is unknown (the connection is bad after it was sent), the connection is
 * made again (the same PGconn: still at most two per terminal) and the
 * write tried once more: under the row's lock the token is looked up
 * first; found, the first try committed and that is the answer (INV_OK,
 * its row and audit seq, once); not found, nothing was written and the
 * write runs again, which may now meet someone else's save.  A reconnect
 * or look-up that fails, or a second drop, is INV_ERROR saying the outcome
 * is unknown and naming the token. */
enum inv_rc pgstore_write(struct pg_store *st, const struct identity *who,
                          const struct pg_write *w, struct write_result *res,
                          struct inv_err *err);

/* A test-only fault, from the environment variable INVED_PG_FAULT read
 * when a store is opened; it fires once, on the store's first guarded
 * write of one invoice (not a create, not the demo's seeding):
 *   commit-lost     the COMMIT succeeds and its reply is thrown away, as
 *                   if the connection dropped after the server committed;
 *   commit-dropped  the server process is ended (pg_terminate_backend)
 *                   after the UPDATE and before the COMMIT, so the write
 *                   does not commit and the connection drops.
 * Any other value, or none, is no fault. */
enum pg_fault {
	PG_FAULT_NONE,
	PG_FAULT_COMMIT_LOST,
	PG_FAULT_COMMIT_DROPPED,
};

/* ---- revert (store_revert_plan / store_revert), pgrevert.c -------------- */

/* The plan is made by revert.h from the audit's details (the newest row up
 * to a version that touched each field); the revert is a pgstore_write
 * audited as invoice.revert, its plan made again under the row's lock. */
enum inv_rc pgstore_revert_plan(struct pg_store *st,
                                const struct identity *who, int64_t id,
                                int64_t to_version, struct revert_plan *out,
                                struct inv_err *err);
enum inv_rc pgstore_revert(struct pg_store *st, const struct identity *who,
                           int64_t id, int64_t to_version, int64_t version,
                           struct revert_plan *plan, struct write_result *res,
                           struct inv_err *err);

/* ---- shared by the files above (pgaccess.c) ------------------------------ */

/* st's connection.  Defined in pgstore.c beside struct pg_store; until it
 * is, pgaccess.c has a weak stand-in. */
PGconn *pgstore_conn(struct pg_store *st);
/* An audit detail as the triggers stored it (jsonb's text) made the text
 * the SQLite backend stores for the same change, in place; left as it is
 * when it is not well-formed JSON. */
void pgstore_detail_text(char *detail, size_t size);
/* "database NAME", for messages. */
const char *pgstore_where(struct pg_store *st);

/* Run sql with text parameters on st's connection; *out (may be NULL)
 * gets the rows, which the caller clears.  A failure is mapped to the
 * store's codes as pgstore.c does. */
/* A failed result (NULL: the connection's own error) as the store's code
 * and a message naming the database. */
enum inv_rc pgm_fail(struct pg_store *st, const PGresult *r,
                     struct inv_err *err);
enum inv_rc pgm_run(struct pg_store *st, const char *sql, int n,
                    const char *const *params, PGresult **out,
                    struct inv_err *err);
/* BEGIN, and in a demo database name who as the actor (inved.actor). */
enum inv_rc pgm_begin(struct pg_store *st, const struct identity *who,
                      struct inv_err *err);
enum inv_rc pgm_commit(struct pg_store *st, struct inv_err *err);
void pgm_rollback(struct pg_store *st);
void pgm_copy(char *dst, size_t len, const PGresult *r, int row, int col);
int64_t pgm_int(const PGresult *r, int row, int col);
void pgm_int_text(char buf[24], int64_t v);

/* ---- copying (backend.h's export_rows and import_*; pgcopy.c) --------- */

enum inv_rc pgstore_export_rows(struct pg_store *st, copy_sink *sink,
                                void *ctx, struct inv_err *err);
enum inv_rc pgstore_import_begin(struct pg_store *st, int busy_ms,
                                 void **state, struct inv_err *err);
enum inv_rc pgstore_import_rows(struct pg_store *st, void *state,
                                const struct copy_record *recs, size_t n,
                                struct inv_err *err);
enum inv_rc pgstore_import_end(struct pg_store *st, void *state,
                               bool commit, struct inv_err *err);

#endif
