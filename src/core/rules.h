/*
 * rules.h - the write rules of SPEC 3, decided once: tenancy -> lifecycle
 * -> role -> version, as pure functions of (operation, the row as loaded,
 * the identity, the client's version, flags); and the field rules of what
 * a write may carry.
 *
 * A backend calls rule_check() between loading the row under its write
 * lock and writing it, so every backend refuses in the same order with the
 * same codes and messages.  The faces ask the same functions whether a key
 * is worth offering (rule_decide, rule_life_allows, rule_view), and the
 * tests' oracles compare the store's answers with them.  Nothing here
 * reads a database, the clock or the environment.
 */
#ifndef INVED_RULES_H
#define INVED_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "identity.h"
#include "invoice.h"
#include "result.h"
#include "store.h"

enum rule_op {
	RULE_EDIT,    /* flags may hold WRITE_OVERWRITE */
	RULE_ARCHIVE,
	RULE_RESTORE,
	RULE_DELETE,
	RULE_REVERT,  /* an edit that writes an earlier version's values */
	RULE_DRIFT,   /* the demo's peer save: no role, no version */
	RULE__COUNT
};

/* The outcome of the rules, before any message: which check refused. */
enum rule_verdict {
	RULE_OK = 0,
	RULE_HIDDEN,     /* tenancy: no row, another org's, or a deleted row
	                  * a member may not read -> INV_NOT_FOUND */
	RULE_DELETED,    /* lifecycle: an edit of a deleted row
	                  * -> INV_NOT_FOUND */
	RULE_WRONG_LIFE, /* lifecycle: the move cannot start from the row's
	                  * state (or it is already there) -> INV_CONFLICT */
	RULE_ADMIN_ONLY, /* role -> INV_FORBIDDEN */
	RULE_STALE,      /* version -> INV_CONFLICT */
};

/* Whether op may start from lifecycle state life, whoever asks: archive
 * from active; restore from archived or deleted; delete from active or
 * archived; edit, revert and drift from anything but deleted. */
bool rule_life_allows(enum rule_op op, enum inv_life life);

/* Whether op on a row in state life needs the admin role (with flags, for
 * the overwrite): delete, restoring a deleted row, and overwriting. */
bool rule_needs_admin(enum rule_op op, enum inv_life life, int flags);

/* Whether who's role lets them do op on a row in state life (with flags,
 * for the overwrite): what a face asks before offering a key. */
bool rule_role_allows(enum rule_op op, enum inv_life life,
                      const struct identity *who, int flags);

/* The checks in their order against row as loaded (NULL: none).  The
 * version is checked last, so a member is told "forbidden" whatever
 * version they hold, and a forged overwrite is refused even at the
 * current version. */
enum rule_verdict rule_decide(enum rule_op op, const struct invoice *row,
                              const struct identity *who,
                              int64_t client_version, int flags);

/* rule_decide() with its result code and message in err (may be NULL).
 * On INV_CONFLICT the caller hands row out as the current row.  row NULL
 * is INV_NOT_FOUND; a backend that found nothing for the id it looked up
 * says so with rule_not_found(id), which names it. */
enum inv_rc rule_check(enum rule_op op, const struct invoice *row,
                       const struct identity *who, int64_t client_version,
                       int flags, struct inv_err *err);

/* The read rule: a row of who's org, and for a member never a deleted
 * one (to them it is not there); INV_NOT_FOUND naming id otherwise. */
enum inv_rc rule_read(const struct invoice *row, const struct identity *who,
                      int64_t id, struct inv_err *err);

/* "invoice ID not found": the refusal of a row that is not there. */
enum inv_rc rule_not_found(int64_t id, struct inv_err *err);

/* The version refusal for cur, the row as it is now (INV_CONFLICT): also
 * what a backend says when a guarded UPDATE finds the version moved. */
enum inv_rc rule_stale(const struct invoice *cur, struct inv_err *err);

/* The All view (deleted invoices included) is for admins: INV_FORBIDDEN
 * otherwise. */
enum inv_rc rule_view(const struct identity *who, enum inv_view view,
                      struct inv_err *err);

/* Managing members (listing them included) is for an admin of the org
 * now, not only when the session began: found and role are who's
 * membership as the store reads it at the call (found false: gone, or
 * another user of that name).  INV_FORBIDDEN otherwise. */
enum inv_rc rule_member_admin(const struct identity *who, bool found,
                              enum inv_role role, struct inv_err *err);

/* ---- the field rules: what a write may carry, checked before any
 * transaction so bad input never takes the write lock ---- */

/* A request token: 1 to 64 printable ASCII characters without spaces
 * (INV_INVALID, field "request_id"). */
enum inv_rc rule_token_check(const char *token, struct inv_err *err);

/* An invoice number: 1 to NUMBER_MAX_BYTES printable ASCII characters
 * without spaces, not only digits (store_find reads digits as an id). */
enum inv_rc rule_number_check(const char *number, struct inv_err *err);

/* The write guard's rule for one invoice, on every backend: the newest
 * audit row of the invoice (tip: its to_version, purged: whether it
 * records a purge) must end at the version the invoice holds, else the
 * history lost a change and the write is refused as damaged (INV_DAMAGED,
 * field "history", naming `inved check`). */
enum inv_rc rule_history_tip(const struct invoice *cur, int64_t tip,
                             bool purged, struct inv_err *err);

/* The fields of in that are given, each by its own rule (number, customer,
 * status name, currency code, and the total when its currency is given). */
enum inv_rc rule_input_check(const struct invoice_input *in,
                             struct inv_err *err);

/* in laid over cur into *out (out may be cur): the row a write would
 * leave.  Changing only the currency keeps the amount as written and
 * refuses a currency with too few decimals for it. */
/* The field rules of a new invoice (store_create), before any backend
 * looks at the database: the request token and a given number are well
 * formed, a customer and a total are given (status defaults to draft,
 * currency to EUR), every field passes its rule; *next is the new row's
 * values (no id, number or times yet: the number is the backend's to
 * allocate or check). */
enum inv_rc rule_create_input(const char *token, const char *number,
                              const struct invoice_input *in,
                              struct invoice *next, struct inv_err *err);

enum inv_rc rule_input_apply(const struct invoice_input *in,
                             const struct invoice *cur, struct invoice *out,
                             struct inv_err *err);

/* in narrowed to the write set `fields` (a mask of enum merge_field): a
 * value outside it is not written.  Total and Currency are one unit. */
void rule_input_narrow(const struct invoice_input *in, unsigned fields,
                       struct invoice_input *out);

#endif
