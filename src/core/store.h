/*
 * store.h - the invoice store: the only door to the database.
 *
 * The faces see the core's own types and result codes, never SQLite's, so a
 * different backend can sit behind this interface.  Every write follows
 * SPEC 3: one BEGIN IMMEDIATE transaction that loads the row by (session org,
 * id) and checks tenancy, lifecycle, role and version in that order against
 * the row it just loaded; on success it writes the row with version + 1, the
 * audit row, the change-feed row and the totals, then commits.  A refused
 * write writes nothing.  On INV_CONFLICT the `current` out-parameter holds
 * the row as the database holds it now, read in the same transaction.
 *
 * A struct store is one connection; it is not shared between threads (open
 * one per thread).
 */
#ifndef INVED_STORE_H
#define INVED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "invoice.h"
#include "result.h"

struct store;

enum store_open_flags {
	STORE_OPEN_EXISTING = 0, /* the file must exist and be an inved db */
	STORE_OPEN_CREATE = 1,   /* create the file (and schema) if missing */
};

/* Open (and migrate forward) the database at path.  A database written by a
 * newer inved is refused (INV_ERROR) and left untouched; a missing file
 * without STORE_OPEN_CREATE is INV_NOT_FOUND; messages name the path and the
 * fix.  busy_timeout_ms <= 0 picks the default (STORE_BUSY_DEFAULT_MS, or
 * $INVED_BUSY_TIMEOUT). */
#define STORE_BUSY_DEFAULT_MS 5000
enum inv_rc store_open(const char *path, int flags, int busy_timeout_ms,
                       struct store **out, struct inv_err *err);
void store_close(struct store *st);
const char *store_path(const struct store *st);

/* Add the demo dataset (SPEC 5 `init --demo`).  Refuses (INV_CONFLICT) when
 * the database already holds orgs. */
enum inv_rc store_seed_demo(struct store *st, struct inv_err *err);
bool store_is_demo(struct store *st);

/* Make user a member of org with role, creating either when missing (a new
 * org numbers its invoices PREFIX-1001, PREFIX being its name upper-cased).
 * An existing membership takes the new role.  Names are 1..64 characters of
 * [A-Za-z0-9._-]. */
enum inv_rc store_add_member(struct store *st, const char *user,
                             const char *org, enum inv_role role,
                             struct inv_err *err);

/* ---- identity ---------------------------------------------------------- */

/* Resolve user (by name) and org (by name or numeric id; NULL = the user's
 * only membership).  Unknown user, no membership in that org, or several
 * memberships with org NULL: INV_FORBIDDEN with a message naming the
 * memberships that exist. */
enum inv_rc store_identity(struct store *st, const char *user, const char *org,
                           struct identity *out, struct inv_err *err);

/* All memberships (for the demo identity switcher), up to max. */
enum inv_rc store_memberships(struct store *st, struct membership *out,
                              size_t max, size_t *n, struct inv_err *err);

/* ---- reads ------------------------------------------------------------- */

enum inv_view { VIEW_ACTIVE = 0, VIEW_ARCHIVED, VIEW_ALL, VIEW__COUNT };
const char *store_view_name(enum inv_view v);               /* "active"... */
enum inv_rc store_view_parse(const char *s, enum inv_view *v,
                             struct inv_err *err);

enum page_dir {
	PAGE_AFTER,  /* rows with id > anchor, ascending */
	PAGE_BEFORE, /* rows with id < anchor, returned ascending */
	PAGE_FROM,   /* rows with id >= anchor, ascending */
};

/* One keyset page of a view, ordered by id.  `filter` (NULL or "") matches a
 * substring of number or customer, case-insensitively for ASCII.  VIEW_ALL
 * needs admin (INV_FORBIDDEN otherwise).  Fills up to `limit` rows. */
enum inv_rc store_page(struct store *st, const struct identity *who,
                       enum inv_view view, const char *filter, int64_t anchor,
                       enum page_dir dir, struct invoice *rows, size_t limit,
                       size_t *n, struct inv_err *err);

/* One invoice of the session's org by id, deleted rows included (the caller
 * looks at deleted_at).  Another org's id: INV_NOT_FOUND. */
enum inv_rc store_get(struct store *st, const struct identity *who, int64_t id,
                      struct invoice *out, struct inv_err *err);

/* REF is a numeric id or a live (not deleted) number of the session's org. */
enum inv_rc store_find(struct store *st, const struct identity *who,
                       const char *ref, struct invoice *out,
                       struct inv_err *err);

#define SUMMARY_MAX_CURRENCIES 32
struct summary_currency {
	char currency[4];
	int64_t count;
	int64_t total_minor;
};
struct summary {
	int64_t count[LIFE__COUNT]; /* active, archived, deleted */
	size_t ncur;                /* active invoices per currency */
	struct summary_currency cur[SUMMARY_MAX_CURRENCIES];
};

/* The summary of the session's org, read from the maintained totals table
 * (never a SUM over invoices). */
enum inv_rc store_summary(struct store *st, const struct identity *who,
                          struct summary *out, struct inv_err *err);

/* The same figures recounted from invoices: for tests and `inved check`. */
enum inv_rc store_summary_recount(struct store *st, const struct identity *who,
                                  struct summary *out, struct inv_err *err);

/* ---- writes ------------------------------------------------------------ */

/* Fields of an edit, as text a person typed; NULL leaves a field as it is.
 * The core validates them (customer rules, status name, currency code, the
 * total in the resulting currency).  Changing only the currency keeps the
 * amount as written ("12.50" EUR -> "12.50" BHD) and refuses when the new
 * currency has too few decimals for it. */
struct invoice_input {
	const char *customer;
	const char *status;
	const char *total;
	const char *currency;
};

enum write_flags {
	WRITE_OVERWRITE = 1, /* admin only: skip the version check */
};

struct write_result {
	struct invoice row;  /* INV_OK: the new row; INV_CONFLICT: the current */
	bool have_row;       /* row is meaningful */
	bool repeat;         /* create: the token was already claimed */
	int64_t audit_seq;   /* INV_OK: the audit row written */
	int64_t change_seq;  /* INV_OK: the change-feed row written */
};

enum inv_rc store_edit(struct store *st, const struct identity *who,
                       int64_t id, int64_t version,
                       const struct invoice_input *in, int flags,
                       struct write_result *res, struct inv_err *err);

enum inv_rc store_archive(struct store *st, const struct identity *who,
                          int64_t id, int64_t version, struct write_result *res,
                          struct inv_err *err);
enum inv_rc store_restore(struct store *st, const struct identity *who,
                          int64_t id, int64_t version, struct write_result *res,
                          struct inv_err *err);
enum inv_rc store_delete(struct store *st, const struct identity *who,
                         int64_t id, int64_t version, struct write_result *res,
                         struct inv_err *err);

/* Idempotent create (SPEC 3.3).  `token` (required, 1..64 printable ASCII)
 * is claimed atomically; a repeat returns the invoice the first call made
 * with res->repeat set.  `number` NULL allocates the org's next number in
 * the same transaction; a given number that a live invoice holds is
 * INV_CONFLICT with that invoice as the current row.  customer and total are
 * required; status defaults to draft, currency to EUR. */
enum inv_rc store_create(struct store *st, const struct identity *who,
                         const char *token, const char *number,
                         const struct invoice_input *in,
                         struct write_result *res, struct inv_err *err);

/* A fresh random request token (32 hex characters) into buf[33]. */
void store_new_token(char buf[33]);

/* Force version drift (SPEC 4.5): through a second connection to the same
 * file, bump the invoice's version as a peer save would (audited as
 * invoice.drift), leaving this connection's reads untouched. */
enum inv_rc store_drift(struct store *st, const struct identity *who,
                        int64_t id, struct write_result *res,
                        struct inv_err *err);

/* Hold the write lock for ms milliseconds through a second connection
 * (SPEC 4.5 `l`).  Blocks the calling thread; the TUI runs it on a thread
 * of its own. */
enum inv_rc store_hold_lock(const char *path, int ms, struct inv_err *err);

/* ---- audit ------------------------------------------------------------- */

#define AUDIT_DETAIL_MAX 2048
struct audit_entry {
	int64_t seq;
	char at[TIME_TEXT_MAX];
	char actor[NAME_MAX_BYTES + 1]; /* user name, or "external" */
	char action[32];                /* "invoice.archive", ... */
	int64_t subject_id;
	char number[NUMBER_MAX_BYTES + 1];
	int64_t from_version; /* 0 for a create */
	int64_t to_version;
	char detail[AUDIT_DETAIL_MAX]; /* JSON {"field":{"old":..,"new":..}} */
};

/* The newest `max` audit rows of the session's org, newest first; subject 0
 * for all invoices, else only that invoice's history. */
enum inv_rc store_audit_tail(struct store *st, const struct identity *who,
                             int64_t subject, struct audit_entry *out,
                             size_t max, size_t *n, struct inv_err *err);

/* ---- change feed ------------------------------------------------------- */

/* PRAGMA data_version of this connection: changes when another connection
 * commits.  Cheap enough to poll while idle. */
enum inv_rc store_data_version(struct store *st, int64_t *out,
                               struct inv_err *err);

/* Waking up on change, without polling: a descriptor for the face's
 * poll() that becomes readable when another connection may have committed
 * (SQLite: an inotify watch on the -wal file, the database file and their
 * directory; a PostgreSQL backend would hand out its LISTEN socket).  The
 * store keeps it; the caller only polls it.  Made on the first call; -1
 * when no watch can be had, and the caller then calls store_wakeup_check()
 * every STORE_WAKEUP_POLL_MS. */
#define STORE_WAKEUP_POLL_MS 250
int store_wakeup_fd(struct store *st);

/* After the descriptor was readable (or when *next_ms of the previous call
 * has passed): consume what woke it and say whether another connection
 * committed since the last call (*changed: read store_changes_since() from
 * the last position).  A lost or overflowed watch reports a change rather
 * than nothing.  *next_ms >= 0 asks to be called again after that many ms
 * even when the descriptor stays quiet (a commit seen being written is
 * confirmed once it is visible; polling); -1: only when it is readable. */
enum inv_rc store_wakeup_check(struct store *st, bool *changed, int *next_ms,
                               struct inv_err *err);

/* True when changes are found by polling, with the reason in why. */
bool store_wakeup_polling(struct store *st, char *why, size_t size);

struct change {
	int64_t seq;
	int64_t org_id;
	int64_t invoice_id;
	char action[32];
};

/* Changes of the session's org with seq > after, oldest first, up to max. */
enum inv_rc store_changes_since(struct store *st, const struct identity *who,
                                int64_t after, struct change *out, size_t max,
                                size_t *n, struct inv_err *err);
/* The newest change seq of the whole feed (0 when empty). */
enum inv_rc store_changes_head(struct store *st, int64_t *out,
                               struct inv_err *err);

/* ---- drafts (SPEC 4.4) ------------------------------------------------- */

#define DRAFT_BODY_MAX 4096
struct draft {
	int64_t invoice_id;   /* 0 for a new invoice's form */
	int64_t version;      /* the draft's own counter */
	int64_t base_version; /* the invoice version the form was loaded at */
	char body[DRAFT_BODY_MAX]; /* the form's fields as JSON */
	char saved_at[TIME_TEXT_MAX];
};

/* Save the draft of (who->user, invoice_id).  `version` is the draft version
 * this writer last saw (0 when it has none); a mismatch is INV_CONFLICT with
 * the stored draft in *current.  On success *new_version is the new one. */
enum inv_rc store_draft_save(struct store *st, const struct identity *who,
                             int64_t invoice_id, int64_t version,
                             int64_t base_version, const char *body,
                             int64_t *new_version, struct draft *current,
                             struct inv_err *err);
/* INV_NOT_FOUND when there is none. */
enum inv_rc store_draft_load(struct store *st, const struct identity *who,
                             int64_t invoice_id, struct draft *out,
                             struct inv_err *err);
enum inv_rc store_draft_discard(struct store *st, const struct identity *who,
                                int64_t invoice_id, struct inv_err *err);

/* ---- diagnostics ------------------------------------------------------- */

/* PRAGMA integrity_check == ok, and totals equal a recount for every org. */
enum inv_rc store_check(struct store *st, struct inv_err *err);

#endif
