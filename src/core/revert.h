/*
 * revert.h - the plan of a revert, made once for every backend: which
 * audited fields carry each part, the values of an earlier version laid
 * over the current row, who set each value it replaces, and the field
 * rules the historical values meet.  A backend gives only the one read it
 * owns, the newest audit row of the invoice up to a version that touched
 * a field; it calls revert_plan_fill inside the transaction (or the
 * read's snapshot) that loaded plan->current.
 */
#ifndef INVED_REVERT_H
#define INVED_REVERT_H

#include "store.h"

/* The audit fields behind each part of a revert (money is two). */
extern const char *const revert_fields[REVERT__COUNT][2];

/* The value an audited field had at version `at` (the newest audit row of
 * the invoice up to it that touched the field, by to_version and then
 * seq): with text, a JSON string (else *found is false); with number, a
 * JSON integer (else *found is false).  actor and *in_version are the row's
 * actor and to_version.  *found false when no row touched the field. */
struct revert_source {
	enum inv_rc (*value)(void *ctx, int64_t at, const char *field,
	                     char *text, size_t size, int64_t *number,
	                     char actor[NAME_MAX_BYTES + 1],
	                     int64_t *in_version, bool *found,
	                     struct inv_err *err);
	void *ctx;
};

/* Fill plan->target with the values of plan->to_version laid over
 * plan->current, plan->changes, and who set each current value it
 * replaces.  INV_INVALID (field "to_version") when to_version is not an
 * earlier version or the history does not hold it, ("unchanged") when
 * nothing would change, or as the field rules refuse a value. */
enum inv_rc revert_plan_fill(struct revert_plan *plan,
                             const struct revert_source *src,
                             struct inv_err *err);

#endif
