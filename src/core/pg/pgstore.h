/*
 * pgstore.h - the PostgreSQL backend's calls (libpq), with the arguments
 * and promises of their store.h counterparts, on a connection of their
 * own (struct pg_store).  The store's table of backends holds them
 * (table.c): a struct store keeps a struct pg_store in its impl and each
 * call here is the backend's entry for the store.h call of the same name.
 *
 * The server holds identity and tenancy too (data/schema-pg.sql): outside
 * a demo database the acting user is the connection's role, and row-level
 * security shows a role only its orgs' rows.  The checks below are the
 * shared rules (rules.h), asked in the order of SPEC 3 so that every
 * refusal has the store's code and message; a refusal of the server's own
 * (SQLSTATE IV403, IV404, IV409, IV422) is said in the same words.
 */
#ifndef INVED_PGSTORE_H
#define INVED_PGSTORE_H

#include <stdbool.h>

#include "rules.h"
#include "store.h"

/* The schema version data/schema-pg.sql installs (meta schema_version). */
#define PG_SCHEMA_VERSION 5

struct pg_store;

/* Whether location names a PostgreSQL database (postgresql:// or
 * postgres://). */
bool pgstore_accepts(const char *location);

/* Connect to uri; with STORE_OPEN_CREATE install the schema into a
 * database that has none (in one transaction, as the connection's role,
 * which then owns it); migrate an older one forward; refuse a newer one
 * (INV_ERROR) and a database without the schema when not creating
 * (INV_NOT_FOUND).  busy_timeout_ms <= 0: STORE_BUSY_DEFAULT_MS; a row
 * lock held longer than that is INV_BUSY, nothing written. */
enum inv_rc pgstore_open(const char *uri, int flags, int busy_timeout_ms,
                         struct pg_store **out, struct inv_err *err);
void pgstore_close(struct pg_store *st);
bool pgstore_is_demo(struct pg_store *st);

/* store_seed_demo / store_demo_present (store_demo.h): the demo dataset
 * (demo_data.h) made through the guarded writes, all in one transaction,
 * as the connection's role (the database's owner), each write naming the
 * demo user it acts for. */
enum inv_rc pgstore_seed_demo(struct pg_store *st, struct inv_err *err);
enum inv_rc pgstore_demo_present(struct pg_store *st, bool *present,
                                 struct inv_err *err);

/* store_drift / store_hold_lock: through a connection of their own, in
 * a demo database only (INV_FORBIDDEN otherwise). */
enum inv_rc pgstore_drift(struct pg_store *st, const struct identity *who,
                          int64_t id, struct write_result *res,
                          struct inv_err *err);
enum inv_rc pgstore_hold_lock(struct pg_store *st, int ms,
                              struct inv_err *err);

/* store_org_create: through inved_org_create, as the connection's role. */
enum inv_rc pgstore_org_create(struct pg_store *st, const char *user,
                               const char *org, struct identity *out,
                               bool *already, struct inv_err *err);
/* store_add_member (store_tools.h): unguarded, as the database's owner. */
enum inv_rc pgstore_add_member(struct pg_store *st, const char *user,
                               const char *org, enum inv_role role,
                               struct inv_err *err);

/* store_identity: outside a demo database user (NULL: the connection's
 * role) must be the connection's role (INV_FORBIDDEN otherwise). */
enum inv_rc pgstore_identity(struct pg_store *st, const char *user,
                             const char *org, struct identity *out,
                             struct inv_err *err);

enum inv_rc pgstore_get(struct pg_store *st, const struct identity *who,
                        int64_t id, struct invoice *out, struct inv_err *err);
enum inv_rc pgstore_page(struct pg_store *st, const struct identity *who,
                         enum inv_view view, const char *filter,
                         int64_t anchor, enum page_dir dir,
                         struct invoice *rows, size_t limit, size_t *n,
                         struct inv_err *err);
enum inv_rc pgstore_summary(struct pg_store *st, const struct identity *who,
                            struct summary *out, struct inv_err *err);

/* The guarded writes: BEGIN; SELECT ... FOR UPDATE by (session org, id);
 * tenancy, lifecycle, role, version; the UPDATE with a claim naming the
 * action and a request token of the call's own; COMMIT.  A COMMIT whose
 * outcome is unknown is settled by the token (pgstore_write, pgmore.h). */
enum inv_rc pgstore_edit_fields(struct pg_store *st,
                                const struct identity *who, int64_t id,
                                int64_t version,
                                const struct invoice_input *in,
                                unsigned fields, int flags,
                                struct write_result *res,
                                struct inv_err *err);
/* archive, restore, delete (op RULE_ARCHIVE, RULE_RESTORE, RULE_DELETE) */
enum inv_rc pgstore_lifecycle(struct pg_store *st,
                              const struct identity *who, enum rule_op op,
                              int64_t id, int64_t version,
                              struct write_result *res, struct inv_err *err);
enum inv_rc pgstore_archive(struct pg_store *st, const struct identity *who,
                            int64_t id, int64_t version,
                            struct write_result *res, struct inv_err *err);
enum inv_rc pgstore_restore(struct pg_store *st, const struct identity *who,
                            int64_t id, int64_t version,
                            struct write_result *res, struct inv_err *err);
enum inv_rc pgstore_delete(struct pg_store *st, const struct identity *who,
                           int64_t id, int64_t version,
                           struct write_result *res, struct inv_err *err);

/* store_create: the request token is claimed first (requests), so a
 * retry of a create whose commit was lost finds its own invoice
 * (res->repeat) instead of making a second one or a conflict. */
enum inv_rc pgstore_create(struct pg_store *st, const struct identity *who,
                           const char *token, const char *number,
                           const struct invoice_input *in,
                           struct write_result *res, struct inv_err *err);

/* store_changes_since / store_changes_head: the feed of who's org. */
enum inv_rc pgstore_changes_since(struct pg_store *st,
                                  const struct identity *who, int64_t after,
                                  struct change *out, size_t max, size_t *n,
                                  struct inv_err *err);

/* The wake-up (store_wakeup_fd / store_wakeup_check): the session's own
 * connection LISTENs on who's org's channel (a terminal holds two
 * connections: this one, for reads and the wake-up, and its writer's); the
 * schema NOTIFYs it when a change of the org commits.  pgstore_wakeup_fd
 * is an epoll descriptor for the face's poll(), readable when the
 * connection's socket is or when a statement's reply brought notifications
 * along (-1 when nothing could be listened to); after it was readable,
 * pgstore_wakeup_check consumes what arrived and sets *changed.  A dropped
 * connection is made again (the same parameters, LISTEN again) and
 * reported as a change, so the caller reads the feed from its last
 * position. */
enum inv_rc pgstore_listen(struct pg_store *st, const struct identity *who,
                           struct inv_err *err);
/* Without pgstore_listen, it listens on the channels of every org an
 * identity resolved on this connection acts in (before any, of every org
 * the connection may see). */
int pgstore_wakeup_fd(struct pg_store *st);
enum inv_rc pgstore_wakeup_check(struct pg_store *st, bool *changed,
                                 struct inv_err *err);
/* After a statement on the session's connection (the backend's other
 * files run their own): notifications its reply brought along raise the
 * wake-up descriptor. */
void pgstore_note_notifies(struct pg_store *st);

/* store_find, store_summary_recount, store_changes_head,
 * store_audit_tail: as their store.h counterparts. */
enum inv_rc pgstore_find(struct pg_store *st, const struct identity *who,
                         const char *ref, struct invoice *out,
                         struct inv_err *err);
enum inv_rc pgstore_summary_recount(struct pg_store *st,
                                    const struct identity *who,
                                    struct summary *out, struct inv_err *err);
enum inv_rc pgstore_changes_head(struct pg_store *st, int64_t *out,
                                 struct inv_err *err);
enum inv_rc pgstore_audit_tail(struct pg_store *st, const struct identity *who,
                               int64_t subject, struct audit_entry *out,
                               size_t max, size_t *n, struct inv_err *err);

/* store_audit_explain: the detail's fields said by audit_explain.h. */
enum inv_rc pgstore_audit_explain(struct pg_store *st, const char *detail,
                                  char currency[4],
                                  const struct money_style *style, char *out,
                                  size_t size, struct inv_err *err);

/* The members of who's org, and (for a demo database's switcher) every
 * membership the connection may see. */
enum inv_rc pgstore_members(struct pg_store *st, const struct identity *who,
                            const char *after, struct member *out,
                            size_t max, size_t *n, struct inv_err *err);
enum inv_rc pgstore_memberships(struct pg_store *st, struct membership *out,
                                size_t max, size_t *n, struct inv_err *err);

/* store_member_add, _remove, _role: through the schema's functions
 * inved_member_add/_remove/_role (the server checks who, under the row
 * locks); their refusals (IV403, IV404, IV409, IV422) in the SQLite
 * backend's words. */
enum inv_rc pgstore_member_add(struct pg_store *st,
                               const struct identity *who, const char *login,
                               enum inv_role role, struct inv_err *err);
enum inv_rc pgstore_member_remove(struct pg_store *st,
                                  const struct identity *who,
                                  const char *login, enum inv_role *was,
                                  struct inv_err *err);
enum inv_rc pgstore_member_role(struct pg_store *st,
                                const struct identity *who,
                                const char *login, enum inv_role role,
                                enum inv_role *was, struct inv_err *err);

#endif
