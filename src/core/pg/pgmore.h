/*
 * pgmore.h - drafts, presence and the integrity check of the PostgreSQL
 * backend, with the arguments and promises of their store.h counterparts
 * (a struct pg_store first instead of a struct store).
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

/* ---- shared by the files above (pgaccess.c) ------------------------------ */

/* st's connection.  Defined in pgstore.c beside struct pg_store; until it
 * is, pgaccess.c has a weak stand-in. */
PGconn *pgstore_conn(struct pg_store *st);

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
