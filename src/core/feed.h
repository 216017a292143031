/*
 * feed.h - watching other terminals' writes (SPEC 3.2).
 *
 * An idle face sleeps on feed_wait_fd() (the store's wake-up descriptor)
 * with feed_wait_ms() as its timeout, and calls feed_poll() when either
 * comes round (calling it more often is harmless: it costs one PRAGMA
 * data_version when nothing moved).  When another connection has
 * committed, it reads the change feed of the session's org from the last
 * sequence it saw and invalidates exactly the tags that moved, with source
 * `peer`.  The session's own writes are in the feed too; feed_note_own()
 * marks them so they are not counted twice (they were invalidated as
 * `action`).
 */
#ifndef INVED_FEED_H
#define INVED_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "identity.h"
#include "result.h"
#include "store.h"

#define FEED_OWN_MAX 64

struct feed {
	int64_t last_seq;     /* newest change seq seen */
	int next_ms;          /* from the last store_wakeup_check() */
	int64_t checked_ms;   /* when that was */
	int64_t own[FEED_OWN_MAX]; /* change seqs of this session's writes */
	size_t nown;
};

/* Start watching from the feed's current head. */
enum inv_rc feed_init(struct feed *f, struct store *st, struct inv_err *err);

/* Note the change seq of a write this session made. */
void feed_note_own(struct feed *f, int64_t change_seq);

/* If anything moved since the last call, read the org's new changes,
 * invalidate their tags as `peer` in c, and copy them (own writes excluded)
 * into out (up to max; *n set).  *n = 0 when nothing moved. */
enum inv_rc feed_poll(struct feed *f, struct store *st,
                      const struct identity *who, struct cache *c,
                      struct change *out, size_t max, size_t *n,
                      struct inv_err *err);

/* What the face waits on: the descriptor (-1: none, wait by time alone)
 * and how long at most before feed_poll() is due again (-1: no limit). */
int feed_wait_fd(struct feed *f, struct store *st);
int feed_wait_ms(const struct feed *f, int64_t now_ms);

#endif
