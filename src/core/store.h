/*
 * store.h - the invoice store: the only door to the database.
 *
 * The faces see the core's own types and result codes, never an engine's:
 * store_open picks the backend that serves a location (backend.h; SQLite
 * for a file path), and every call below promises the same whichever it
 * is.  Every write follows SPEC 3: one transaction that loads the row by
 * (session org, id) under the write lock and asks rules.h (tenancy,
 * lifecycle, role, version, in that order) about the row it just loaded;
 * on success it writes the row with version + 1, the audit row (which is
 * also the change-feed row) and the totals, then commits.  A refused write
 * writes nothing.  On INV_CONFLICT the `current` out-parameter holds the
 * row as the database holds it now, read in the same transaction.
 *
 * A struct store is one connection; it is not shared between threads (open
 * one per thread, or a peer with store_open_peer).  The demonstrations are
 * in store_demo.h, the tools' calls in store_tools.h.
 */
#ifndef INVED_STORE_H
#define INVED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "identity.h"
#include "invoice.h"
#include "merge.h"
#include "result.h"

struct store;

enum store_open_flags {
	STORE_OPEN_EXISTING = 0, /* the file must exist and be an inved db */
	STORE_OPEN_CREATE = 1,   /* create the file (and schema) if missing */
};

/* Each backend's process-wide settings, once at the start of a process,
 * before any other store call and before any thread starts (SQLite: its
 * memory statistics are turned off; nothing reads them, and keeping them
 * takes a global mutex on every allocation, a tenth of an edit's
 * instructions).  Later calls, or calls after an engine is in use, change
 * nothing. */
void store_process_setup(void);

#define STORE_BUSY_DEFAULT_MS 5000

/* How a location is opened.  The core reads no environment: a face that
 * honours $INVED_BUSY_TIMEOUT puts it here. */
struct store_options {
	int flags;           /* enum store_open_flags */
	int busy_timeout_ms; /* how long a write waits for another writer;
	                      * <= 0: STORE_BUSY_DEFAULT_MS */
};

/* Open (and migrate forward) the database at location (a file path for
 * SQLite).  opt NULL: an existing database, the default busy timeout.  A
 * database written by a newer inved is refused (INV_ERROR) and left
 * untouched; a missing one without STORE_OPEN_CREATE is INV_NOT_FOUND;
 * messages name the location and the fix. */
enum inv_rc store_open(const char *location, const struct store_options *opt,
                       struct store **out, struct inv_err *err);

/* Another connection to the location st was opened at (for a thread of
 * its own, or a peer that must not share st's transaction), never made
 * by reopening a path the caller holds.  opt NULL: st's options; else
 * those, except that the peer never creates.  Reads only st's location
 * and options, which never change after store_open, so a thread other
 * than st's may call it. */
enum inv_rc store_open_peer(struct store *st, const struct store_options *opt,
                            struct store **out, struct inv_err *err);
void store_close(struct store *st);

/* Whether location names a file (served by the SQLite backend) rather
 * than a server's URI such as postgresql://...: only a file has a
 * directory to check before init. */
bool store_location_is_file(const char *location);

/* The location as given to store_open, for messages. */
const char *store_location(const struct store *st);


/* ---- identity ---------------------------------------------------------- */

/* Resolve the session's identity (SPEC 6a).  Outside a demo database the
 * acting user is the logged-in account (identity_account); user, when
 * given (--user, INVED_USER), must name that same account, else
 * INV_FORBIDDEN saying why.  In a database made by `init --demo`, user
 * picks any of its users (NULL: the logged-in account).  org is a name or
 * numeric id; NULL means the user's only membership.  A user who is not a
 * member is told how to be added, never who else is (a demo database,
 * whose users are public, lists its memberships). */
enum inv_rc store_identity(struct store *st, const char *user, const char *org,
                           struct identity *out, struct inv_err *err);

/* `init --org`: make the new org `org` with the logged-in account as its
 * admin, in one audited transaction; user (may be NULL) follows the rule of
 * store_identity.  When the account is already an admin of org, nothing
 * changes and *already is set.  An org that exists otherwise is
 * INV_FORBIDDEN (it belongs to its admins), and so is a demo database (a
 * team's org goes into a file of its own).  *out is the new identity. */
enum inv_rc store_org_create(struct store *st, const char *user,
                             const char *org, struct identity *out,
                             bool *already, struct inv_err *err);

/* ---- members (`inved member`): the admin of who's org only --------------- */

struct member {
	char user[NAME_MAX_BYTES + 1];
	enum inv_role role;
};

/* Members of who's org in name order, those after `after` (NULL or "":
 * from the start), up to max; *n is how many were filled. */
enum inv_rc store_members(struct store *st, const struct identity *who,
                          const char *after, struct member *out, size_t max,
                          size_t *n, struct inv_err *err);

/* Each is one guarded transaction that checks, against what the database
 * holds inside it, that who is still an admin of the org (INV_FORBIDDEN),
 * that login is a valid name (INV_INVALID, field "login"), and that the
 * change is one: adding a member twice, removing or re-roling someone who
 * is not a member (INV_NOT_FOUND), giving the role they have, or removing
 * or demoting the org's last admin is refused (INV_CONFLICT) and writes
 * nothing.  The change and its audit row (member.add, member.remove,
 * member.role; actor who) commit together.  *was (may be NULL) is the role
 * before. */
enum inv_rc store_member_add(struct store *st, const struct identity *who,
                             const char *login, enum inv_role role,
                             struct inv_err *err);
enum inv_rc store_member_remove(struct store *st, const struct identity *who,
                                const char *login, enum inv_role *was,
                                struct inv_err *err);
enum inv_rc store_member_role(struct store *st, const struct identity *who,
                              const char *login, enum inv_role role,
                              enum inv_role *was, struct inv_err *err);

/* All memberships of every org, up to max: for the demo identity switcher
 * and the demo's own listing only, never shown outside a demo database. */
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

/* One keyset page of a view, ordered by id.  `filter` (NULL or "") keeps
 * the rows whose number or customer holds it as text_filter_match()
 * (text.h) defines: ASCII letters in either case, every other byte only
 * itself, no wildcards.  VIEW_ALL needs admin (rules.h: INV_FORBIDDEN
 * otherwise).  Fills up to `limit` rows. */
enum inv_rc store_page(struct store *st, const struct identity *who,
                       enum inv_view view, const char *filter, int64_t anchor,
                       enum page_dir dir, struct invoice *rows, size_t limit,
                       size_t *n, struct inv_err *err);

/* One invoice of the session's org by id; for an admin deleted rows
 * included (the caller looks at deleted_at), for a member a deleted row is
 * INV_NOT_FOUND, as is another org's id.  The writes load their row by the
 * same rule, so a refusal never carries a deleted row to a member. */
enum inv_rc store_get(struct store *st, const struct identity *who, int64_t id,
                      struct invoice *out, struct inv_err *err);

/* REF is a numeric id (read as store_get does) or a live (not deleted)
 * number of the session's org. */
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
	const char *number; /* renumber; the partial unique index judges */
};

enum write_flags {
	WRITE_OVERWRITE = 1, /* admin only: skip the version check */
};

/* A write knows its own audit and change-feed rows from the row it
 * inserted, never by reading the newest seq (another writer may have
 * committed after it). */
struct write_result {
	struct invoice row;  /* INV_OK: the new row; INV_CONFLICT: the current */
	bool have_row;       /* row is meaningful */
	bool repeat;         /* create: the token was already claimed */
	int64_t audit_seq;   /* INV_OK: the audit row written */
	int64_t change_seq;  /* INV_OK: the change-feed row (= audit_seq) */
};

/* Write the given fields of `in` (those not NULL). */
enum inv_rc store_edit(struct store *st, const struct identity *who,
                       int64_t id, int64_t version,
                       const struct invoice_input *in, int flags,
                       struct write_result *res, struct inv_err *err);

/* As store_edit, writing only the fields in `fields` (a mask of enum
 * merge_field): a value outside the set is not written, whatever `in`
 * holds, so a face sends the set of fields the operator changed and an
 * overwrite replaces nothing else.  Total and Currency are one unit: a set
 * holding either writes both when `in` gives both. */
enum inv_rc store_edit_fields(struct store *st, const struct identity *who,
                              int64_t id, int64_t version,
                              const struct invoice_input *in,
                              unsigned fields, int flags,
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

/* ---- revert ----------------------------------------------------------- */

/* The editable parts of an invoice a revert can move.  Total and currency
 * are one unit: an amount means nothing without its currency. */
enum revert_part {
	REVERT_NUMBER = 0,
	REVERT_CUSTOMER,
	REVERT_STATUS,
	REVERT_MONEY,
	REVERT__COUNT
};

/* What `revert` would write, read from the audit history: the invoice's
 * values at version `to_version`, laid over the current row (lifecycle and
 * everything else stay as they are).  For each part that differs, who set
 * the value being replaced and in which version. */
struct revert_plan {
	struct invoice current;   /* the row now */
	struct invoice target;    /* current with the parts of to_version */
	int64_t to_version;
	bool changes[REVERT__COUNT];
	char set_by[REVERT__COUNT][NAME_MAX_BYTES + 1]; /* "" when unknown */
	int64_t set_in[REVERT__COUNT];                  /* version; 0 unknown */
};

/* "Total", translated; "total" for JSON keys; the part's value in row as a
 * person reads it ("1,300.00 EUR", "Sent"), untrusted text as stored. */
const char *revert_part_label(enum revert_part part);
const char *revert_part_key(enum revert_part part);
void revert_part_value(enum revert_part part, const struct invoice *inv,
                       char *buf, size_t len);

/* Read-only: the plan a revert to to_version would carry out now (for a
 * confirmation).  INV_INVALID when to_version is not an earlier version of
 * the invoice, when nothing would change, or when the history does not
 * reach it; INV_NOT_FOUND as store_get(). */
enum inv_rc store_revert_plan(struct store *st, const struct identity *who,
                              int64_t id, int64_t to_version,
                              struct revert_plan *out, struct inv_err *err);

/* Write the values of to_version as a new version: a guarded edit (the
 * same tenancy, lifecycle, role and version checks, `version` being the
 * version the operator saw), audited as invoice.revert.  The plan is made
 * again inside the write's transaction and returned in *plan (may be
 * NULL); res as store_edit(). */
enum inv_rc store_revert(struct store *st, const struct identity *who,
                         int64_t id, int64_t to_version, int64_t version,
                         struct revert_plan *plan, struct write_result *res,
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
 * for all invoices, else only that invoice's history.  A member reads no
 * deleted invoice: its history is INV_NOT_FOUND, and the org's rows about
 * deleted invoices are left out. */
enum inv_rc store_audit_tail(struct store *st, const struct identity *who,
                             int64_t subject, struct audit_entry *out,
                             size_t max, size_t *n, struct inv_err *err);

/* An entry's detail as a person reads it ("Total: 1,250.00 → 1,400.00
 * EUR, Status: Sent → Paid") into out.  currency is the invoice's currency
 * before the entry ("" when unknown) and comes back as the one after it, so
 * a caller walking the history oldest first formats each amount in the
 * currency it was written in.  A detail that is not an object of fields is
 * copied as stored.  The text is untrusted: draw it sanitized. */
enum inv_rc store_audit_explain(struct store *st, const char *detail,
                                char currency[4], char *out, size_t size,
                                struct inv_err *err);
struct money_style;
/* The same with the amounts in a style (the screen's locale, money.h);
 * store_audit_explain writes them plain, as the command line does. */
enum inv_rc store_audit_explain_styled(struct store *st, const char *detail,
                                       char currency[4],
                                       const struct money_style *style,
                                       char *out, size_t size,
                                       struct inv_err *err);

/* ---- change feed ------------------------------------------------------- */

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
	/* the feed is the audit: who made the change, when, and the version
	 * it made (0 for an org's own rows) */
	char actor[NAME_MAX_BYTES + 1];
	char at[TIME_TEXT_MAX];
	int64_t to_version;
};

/* Changes of the session's org with seq > after, oldest first, up to max.
 *
 * The feed reader's promise: a reader that keeps as its position the last
 * seq this call (or store_changes_head) gave it never skips a commit.  A
 * backend hands out a change only once every change with a smaller seq is
 * either visible or will never be: a commit that becomes visible later
 * always carries a seq above every position already handed out, however
 * the writers' transactions interleave.  (SQLite: writers are serialised
 * by the write lock and a seq is taken inside the writer's transaction, so
 * seq order is commit order; a backend whose writers commit side by side
 * holds positions back to below its oldest write still in flight.) */
enum inv_rc store_changes_since(struct store *st, const struct identity *who,
                                int64_t after, struct change *out, size_t max,
                                size_t *n, struct inv_err *err);
/* The position after the newest change of the whole feed (0 when empty),
 * under the same promise: no commit becomes visible later below it. */
enum inv_rc store_changes_head(struct store *st, int64_t *out,
                               struct inv_err *err);

/* ---- drafts (SPEC 4.4) ------------------------------------------------- */

#define DRAFT_BODY_MAX 4096
#define DRAFT_TOKEN_MAX 64
/* The token of an edit form's dropped edits: what the operator had typed
 * when Use latest took the database's values, kept beside the form's own
 * draft (token "") until brought back, saved or discarded. */
#define DRAFT_DROPPED "dropped"
struct draft {
	int64_t invoice_id;   /* 0 for a new invoice's form */
	/* "" for an edit form (DRAFT_DROPPED for its dropped edits); a new
	 * invoice's form keeps its request token, so each such form has a
	 * draft of its own */
	char token[DRAFT_TOKEN_MAX + 1];
	int64_t version;      /* the draft's own counter */
	int64_t base_version; /* the invoice version the form was loaded at */
	/* the values the form was loaded from (at base_version), as JSON in
	 * the body's shape; "" when unknown (drafts of older files) */
	char base_body[DRAFT_BODY_MAX];
	char body[DRAFT_BODY_MAX]; /* the form's fields as JSON */
	char saved_at[TIME_TEXT_MAX];
};

/* Save d (invoice_id, token, base_version, base_body, body) as the draft of
 * (who->user, d->invoice_id, d->token).  `version` is the draft version
 * this writer last saw (0 when it has none); a mismatch is INV_CONFLICT
 * with the stored draft in *current.  On success *new_version is the new
 * one. */
enum inv_rc store_draft_save(struct store *st, const struct identity *who,
                             const struct draft *d, int64_t version,
                             int64_t *new_version, struct draft *current,
                             struct inv_err *err);
/* The draft of (who->user, invoice_id, token); token NULL with invoice 0
 * takes the newest new-invoice draft, whatever its token (NULL otherwise
 * means "").  INV_NOT_FOUND when there is none. */
enum inv_rc store_draft_load(struct store *st, const struct identity *who,
                             int64_t invoice_id, const char *token,
                             struct draft *out, struct inv_err *err);
/* token NULL means "" (an edit form's draft). */
enum inv_rc store_draft_discard(struct store *st, const struct identity *who,
                                int64_t invoice_id, const char *token,
                                struct inv_err *err);

/* ---- presence ----------------------------------------------------------- */

/* Who has an invoice open (issue: presence).  Registering writes nothing to
 * the database: no audit, no change feed, no wake-up of other terminals; a
 * registration lives as long as its holder (a killed terminal leaves no
 * ghost).  Scoped to the session's org.  A failure to register is
 * reported but harmless: a save never depends on presence. */
struct presence;
struct presence_entry {
	char user[NAME_MAX_BYTES + 1];
	char face[16];   /* "screen" */
	char since[24];  /* ISO-8601 UTC, "2026-12-02T10:41:05Z" */
	long pid;        /* the holder's process (to tell one's own) */
	int64_t invoice_id;
};
enum inv_rc store_presence_enter(struct store *st, const struct identity *who,
                                 int64_t invoice_id, const char *face,
                                 struct presence **out, struct inv_err *err);
void store_presence_leave(struct presence *p);
/* Live registrations of the session's org; invoice_id 0 for every invoice. */
enum inv_rc store_presence_list(struct store *st, const struct identity *who,
                                int64_t invoice_id,
                                struct presence_entry *out, size_t max,
                                size_t *n, struct inv_err *err);

/* ---- integrity check (`inved check`) ----------------------------------- */

/* What the check looks at, one kind per finding. */
enum check_kind {
	CHECK_INTEGRITY,      /* PRAGMA integrity_check */
	CHECK_SCHEMA_MISSING, /* a table, index, trigger or view is gone */
	CHECK_SCHEMA_ALTERED, /* ... is there with other SQL */
	CHECK_SCHEMA_EXTRA,   /* an index or trigger on one of its tables
	                       * that this version does not install */
	CHECK_HISTORY,        /* an invoice's audit chain is broken */
	CHECK_TOTALS,         /* the kept totals differ from a recount */
	CHECK_TYPE,           /* a money or count column holds a non-integer */
	CHECK__COUNT
};

/* "integrity", "schema_missing", ... (stable, for JSON). */
const char *check_kind_name(enum check_kind kind);

#define CHECK_FINDINGS_MAX 64
struct check_finding {
	enum check_kind kind;
	char object[128]; /* "trigger invoices_after_update", "invoice 3" */
	char msg[320];    /* translated, one line */
	bool repairable;  /* `check --repair` can put it right */
};

struct check_report {
	size_t n;    /* findings (after the repair, when one ran) */
	size_t more; /* findings beyond the array, counted only */
	struct check_finding f[CHECK_FINDINGS_MAX];
	size_t nrepaired; /* what the repair did, one entry per step */
	struct check_finding repaired[CHECK_FINDINGS_MAX];
};

/* Check the whole file, read-only, in one read transaction: the schema
 * objects are exactly the ones this version installs (their SQL compared
 * after normalising whitespace, comments and case, against the schema
 * compiled into the binary), with no other index or trigger on its tables
 * (someone's own tables, and what belongs to them, are left alone: they
 * cannot change a write to the invoices); every invoice's audit history
 * (which is also the change feed) runs unbroken from its creation to its
 * current version, with each change's old values the previous change's new
 * ones and each row filled by the write it names; the totals equal a
 * recount; money and count
 * columns hold integers.  INV_OK means the check ran: out->n == 0 when all
 * hold.  who (may be NULL) only decides which invoices are named by number
 * (those of the session's org). */
enum inv_rc store_check_run(struct store *st, const struct identity *who,
                            struct check_report *out, struct inv_err *err);

/* Admin only (INV_FORBIDDEN otherwise).  In one transaction: reinstall
 * missing or altered indexes, triggers and views and missing tables from
 * the compiled-in schema, drop indexes and triggers on its tables that
 * this version does not install; out->repaired says what was done.
 * Damage to history, the totals or the column types, and altered tables,
 * are reported, never
 * changed.
 * Then the check runs again: out->n is what remains. */
enum inv_rc store_check_repair(struct store *st, const struct identity *who,
                               struct check_report *out, struct inv_err *err);

/* store_check_run for callers that only need a verdict: INV_OK when all
 * hold, else INV_DAMAGED naming the first finding. */
enum inv_rc store_check(struct store *st, struct inv_err *err);

#endif
