/*
 * store_demo.h - what only a demonstration asks of the store: the demo
 * dataset of `inved init --demo` (SPEC 5) and the two demonstrations of
 * SPEC 4.5, a forced version drift and a held write lock.  They write on
 * purpose what no user asked for, so they refuse (INV_FORBIDDEN) on a
 * database that `init --demo` did not make.  Every backend serves them
 * through its table (backend.h); the faces include this header only where
 * they offer a demonstration.
 */
#ifndef INVED_STORE_DEMO_H
#define INVED_STORE_DEMO_H

#include "store.h"

/* Add the demo dataset (SPEC 5 `init --demo`).  Refuses (INV_CONFLICT) when
 * the database already holds orgs. */
enum inv_rc store_seed_demo(struct store *st, struct inv_err *err);
bool store_is_demo(struct store *st);
/* Whether the database holds the demo: *present false when it holds none,
 * true when it holds all of it; INV_CONFLICT when it holds a part. */
enum inv_rc store_demo_present(struct store *st, bool *present,
                               struct inv_err *err);

/* Force version drift (SPEC 4.5): through a peer connection
 * (store_open_peer), bump the invoice's version as a peer save would
 * (audited as invoice.drift), leaving this connection's reads untouched. */
enum inv_rc store_drift(struct store *st, const struct identity *who,
                        int64_t id, struct write_result *res,
                        struct inv_err *err);

/* Hold the store's write lock (every guarded write waits for it) for ms
 * milliseconds through a peer connection (SPEC 4.5 `l`).  Blocks the calling
 * thread; the TUI runs it on a thread of its own (st is only read for its
 * location, as store_open_peer allows). */
enum inv_rc store_hold_lock(struct store *st, int ms, struct inv_err *err);

#endif
