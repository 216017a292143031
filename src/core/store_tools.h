/*
 * store_tools.h - calls for tools that stand beside the faces: the
 * benchmark's generator builds a database from nothing, and its runner
 * measures the engine beneath the store.  Not for the faces, which go
 * through store_org_create and the store_member_* calls (they check who
 * asks) and never touch an engine.
 */
#ifndef INVED_STORE_TOOLS_H
#define INVED_STORE_TOOLS_H

#include "store.h"

/* Make user a member of org with role, creating either when missing (a new
 * org numbers its invoices PREFIX-1001, PREFIX being its name upper-cased).
 * An existing membership takes the new role.  Names are 1..64 characters of
 * [A-Za-z0-9._-] (INV_INVALID otherwise).  Unguarded and unaudited. */
enum inv_rc store_add_member(struct store *st, const char *user,
                             const char *org, enum inv_role role,
                             struct inv_err *err);

/* The name of the backend serving st ("sqlite"). */
const char *store_backend_name(const struct store *st);

/* The engine's own connection beneath st (for "sqlite" a sqlite3 *), for a
 * benchmark that measures the engine or bulk-loads through it; NULL when
 * the backend offers none.  Whatever is done through it bypasses every
 * rule of the store. */
void *store_engine_handle(struct store *st);

#endif
