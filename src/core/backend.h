/*
 * backend.h - the table a storage backend fills, in the manner of SQLite's
 * sqlite3_vfs: a struct of operations chosen when a location is opened.
 *
 * store.c holds the generic part of struct store and dispatches each call
 * of store.h to the table of the backend that accepted the location.  A
 * backend keeps its own connection state behind st->impl and includes this
 * header, the core's public headers and its own; nothing above store.c
 * includes a backend's headers or its engine's (sqlite3.h, libpq-fe.h).
 *
 * Every operation promises what its store.h counterpart documents, with the
 * same arguments; the rules (tenancy -> lifecycle -> role -> version, the
 * field rules) are decided by rules.h, called by the backend between
 * loading the row under its lock and writing it, so every backend refuses
 * in the same order with the same codes and messages.
 */
#ifndef INVED_BACKEND_H
#define INVED_BACKEND_H

#include "copy_record.h"
#include "rules.h"
#include "store.h"
#include "store_demo.h"

struct store_backend;

/* The first member of a backend's struct presence, so that
 * store_presence_leave(), which is given nothing else, finds the table. */
struct presence_base {
	const struct store_backend *be;
};

/* The generic part of a connection; the backend's own state is impl.
 * location and opt never change after store_open (store_open_peer reads
 * them from another thread). */
struct store {
	const struct store_backend *be;
	void *impl;
	char *location;            /* as given to store_open */
	struct store_options opt;  /* as given, busy timeout resolved */
};

struct store_backend {
	const char *name; /* "sqlite", "postgresql" */

	/* Whether this backend serves location ("postgresql://..." or a
	 * file path); the first table that accepts it is used. */
	bool (*accepts)(const char *location);

	/* Process-wide setup, once, before any thread starts. */
	void (*process_setup)(void);

	/* Connect st (be, location and opt already set): open, create when
	 * asked, migrate forward; fill st->impl.  close releases it. */
	enum inv_rc (*open)(struct store *st, struct inv_err *err);
	void (*close)(struct store *st);

	/* demonstrations and the demo dataset (store_demo.h) */
	enum inv_rc (*seed_demo)(struct store *st, struct inv_err *err);
	bool (*is_demo)(struct store *st);
	enum inv_rc (*demo_present)(struct store *st, bool *present,
	                            struct inv_err *err);
	enum inv_rc (*drift)(struct store *st, const struct identity *who,
	                     int64_t id, struct write_result *res,
	                     struct inv_err *err);
	enum inv_rc (*hold_lock)(struct store *st, int ms,
	                         struct inv_err *err);

	/* identity and members */
	enum inv_rc (*identity)(struct store *st, const char *user,
	                        const char *org, struct identity *out,
	                        struct inv_err *err);
	enum inv_rc (*org_create)(struct store *st, const char *user,
	                          const char *org, struct identity *out,
	                          bool *already, struct inv_err *err);
	enum inv_rc (*members)(struct store *st, const struct identity *who,
	                       const char *after, struct member *out,
	                       size_t max, size_t *n, struct inv_err *err);
	enum inv_rc (*member_add)(struct store *st, const struct identity *who,
	                          const char *login, enum inv_role role,
	                          struct inv_err *err);
	enum inv_rc (*member_remove)(struct store *st,
	                             const struct identity *who,
	                             const char *login, enum inv_role *was,
	                             struct inv_err *err);
	enum inv_rc (*member_role)(struct store *st, const struct identity *who,
	                           const char *login, enum inv_role role,
	                           enum inv_role *was, struct inv_err *err);
	enum inv_rc (*memberships)(struct store *st, struct membership *out,
	                           size_t max, size_t *n, struct inv_err *err);

	/* reads */
	enum inv_rc (*page)(struct store *st, const struct identity *who,
	                    enum inv_view view, const char *filter,
	                    int64_t anchor, enum page_dir dir,
	                    struct invoice *rows, size_t limit, size_t *n,
	                    struct inv_err *err);
	enum inv_rc (*get)(struct store *st, const struct identity *who,
	                   int64_t id, struct invoice *out,
	                   struct inv_err *err);
	enum inv_rc (*find)(struct store *st, const struct identity *who,
	                    const char *ref, struct invoice *out,
	                    struct inv_err *err);
	enum inv_rc (*summary)(struct store *st, const struct identity *who,
	                       struct summary *out, struct inv_err *err);
	enum inv_rc (*summary_recount)(struct store *st,
	                               const struct identity *who,
	                               struct summary *out,
	                               struct inv_err *err);

	/* guarded writes */
	enum inv_rc (*edit_fields)(struct store *st, const struct identity *who,
	                           int64_t id, int64_t version,
	                           const struct invoice_input *in,
	                           unsigned fields, int flags,
	                           struct write_result *res,
	                           struct inv_err *err);
	enum inv_rc (*lifecycle)(struct store *st, const struct identity *who,
	                         enum rule_op op, int64_t id, int64_t version,
	                         struct write_result *res,
	                         struct inv_err *err);
	enum inv_rc (*revert_plan)(struct store *st, const struct identity *who,
	                           int64_t id, int64_t to_version,
	                           struct revert_plan *out,
	                           struct inv_err *err);
	enum inv_rc (*revert)(struct store *st, const struct identity *who,
	                      int64_t id, int64_t to_version, int64_t version,
	                      struct revert_plan *plan,
	                      struct write_result *res, struct inv_err *err);
	enum inv_rc (*create)(struct store *st, const struct identity *who,
	                      const char *token, const char *number,
	                      const struct invoice_input *in,
	                      struct write_result *res, struct inv_err *err);

	/* audit */
	enum inv_rc (*audit_tail)(struct store *st, const struct identity *who,
	                          int64_t subject, struct audit_entry *out,
	                          size_t max, size_t *n, struct inv_err *err);
	enum inv_rc (*audit_explain)(struct store *st, const char *detail,
	                             char currency[4],
	                             const struct money_style *style,
	                             char *out, size_t size,
	                             struct inv_err *err);

	/* change feed and wake-up */
	int (*wakeup_fd)(struct store *st);
	enum inv_rc (*wakeup_check)(struct store *st, bool *changed,
	                            int *next_ms, struct inv_err *err);
	bool (*wakeup_polling)(struct store *st, char *why, size_t size);
	enum inv_rc (*changes_since)(struct store *st,
	                             const struct identity *who, int64_t after,
	                             struct change *out, size_t max, size_t *n,
	                             struct inv_err *err);
	enum inv_rc (*changes_head)(struct store *st, int64_t *out,
	                            struct inv_err *err);

	/* drafts */
	enum inv_rc (*draft_save)(struct store *st, const struct identity *who,
	                          const struct draft *d, int64_t version,
	                          int64_t *new_version, struct draft *current,
	                          struct inv_err *err);
	enum inv_rc (*draft_load)(struct store *st, const struct identity *who,
	                          int64_t invoice_id, const char *token,
	                          struct draft *out, struct inv_err *err);
	enum inv_rc (*draft_discard)(struct store *st,
	                             const struct identity *who,
	                             int64_t invoice_id, const char *token,
	                             struct inv_err *err);

	/* presence: a backend's struct presence begins with a struct
	 * presence_base naming its table */
	enum inv_rc (*presence_enter)(struct store *st,
	                              const struct identity *who,
	                              int64_t invoice_id, const char *face,
	                              struct presence **out,
	                              struct inv_err *err);
	void (*presence_leave)(struct presence *p);
	enum inv_rc (*presence_list)(struct store *st,
	                             const struct identity *who,
	                             int64_t invoice_id,
	                             struct presence_entry *out, size_t max,
	                             size_t *n, struct inv_err *err);

	/* integrity */
	enum inv_rc (*check_run)(struct store *st, const struct identity *who,
	                         struct check_report *out,
	                         struct inv_err *err);
	enum inv_rc (*check_repair)(struct store *st,
	                            const struct identity *who,
	                            struct check_report *out,
	                            struct inv_err *err);

	/* tools (store_tools.h): building a database from nothing, and the
	 * engine's own handle for a benchmark of the engine beneath */
	enum inv_rc (*add_member)(struct store *st, const char *user,
	                          const char *org, enum inv_role role,
	                          struct inv_err *err);
	void *(*engine_handle)(struct store *st);

	/* copying (store_copy.h): every row of every kind, in the order of
	 * enum copy_kind and each kind in key order, handed to sink in one
	 * read transaction (a PostgreSQL source needs the schema's owner,
	 * INV_FORBIDDEN otherwise). */
	enum inv_rc (*export_rows)(struct store *st, copy_sink *sink, void *ctx,
	                           struct inv_err *err);
	/* Into an empty database only (INV_CONFLICT naming what it holds):
	 * import_begin opens the one write transaction, refuses a database
	 * that holds any row, and sets the triggers aside; import_rows
	 * writes records as they are (ids, versions, audit seqs and times
	 * kept); import_end with commit derives the totals, the feed
	 * position and the id sequences, puts the triggers back and
	 * commits, else rolls everything back.  import_end always frees
	 * *state. */
	enum inv_rc (*import_begin)(struct store *st, void **state,
	                            struct inv_err *err);
	enum inv_rc (*import_rows)(struct store *st, void *state,
	                           const struct copy_record *recs, size_t n,
	                           struct inv_err *err);
	enum inv_rc (*import_end)(struct store *st, void *state, bool commit,
	                          struct inv_err *err);
};

/* The backends this build holds, in the order they are asked.  An
 * operation a table leaves NULL is refused by store.c (INV_ERROR, "... is
 * not available on the ... backend yet"). */
extern const struct store_backend store_backend_sqlite;
extern const struct store_backend store_backend_pg; /* with INVED_HAVE_PG */

#endif

