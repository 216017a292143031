/*
 * feed.c - following other connections' writes through the store's
 * wake-up (an event, confirmed by PRAGMA data_version) and the change
 * feed, and turning them into tag invalidations (SPEC 3.2).
 *
 * The feed itself is read only when another connection committed, and
 * only for the session's org, so an edit in org A never invalidates
 * anything of org B.  Its position is the last sequence seen, so a
 * wake-up that reports a change it cannot confirm (a lost watch) costs
 * one read that finds nothing, never a missed row.
 */
#include <string.h>

#include "feed.h"

enum inv_rc feed_init(struct feed *f, struct store *st, struct inv_err *err)
{
	enum inv_rc rc;

	bool changed;

	memset(f, 0, sizeof *f);
	/* the baseline first: a commit after it is either in the head or
	 * reported by the next check */
	rc = store_wakeup_check(st, &changed, &f->next_ms, err);
	f->checked_ms = cache_now_ms();
	if (rc == INV_OK)
		rc = store_changes_head(st, &f->last_seq, err);
	return rc;
}

void feed_note_own(struct feed *f, int64_t change_seq)
{
	if (change_seq <= 0)
		return;
	if (f->nown == FEED_OWN_MAX) {
		memmove(f->own, f->own + 1, (FEED_OWN_MAX - 1) * sizeof f->own[0]);
		f->nown--;
	}
	f->own[f->nown++] = change_seq;
}

/* An own write is consumed when seen, so the list stays short. */
static bool feed_take_own(struct feed *f, int64_t seq)
{
	size_t i;

	for (i = 0; i < f->nown; i++) {
		if (f->own[i] == seq) {
			f->own[i] = f->own[--f->nown];
			return true;
		}
	}
	return false;
}

#define FEED_BATCH 64

enum inv_rc feed_poll(struct feed *f, struct store *st,
                      const struct identity *who, struct cache *c,
                      struct change *out, size_t max, size_t *n,
                      struct inv_err *err)
{
	struct change batch[FEED_BATCH];
	bool changed = false;
	size_t got, i;
	enum inv_rc rc;

	*n = 0;
	rc = store_wakeup_check(st, &changed, &f->next_ms, err);
	f->checked_ms = cache_now_ms();
	if (rc != INV_OK)
		return rc;
	/* another connection committed (a peer, or this session's own writer
	 * connection); the own-seq list tells the two apart */
	if (!changed)
		return INV_OK;
	do {
		rc = store_changes_since(st, who, f->last_seq, batch, FEED_BATCH,
		                         &got, err);
		if (rc != INV_OK)
			return rc;
		for (i = 0; i < got; i++) {
			f->last_seq = batch[i].seq;
			if (feed_take_own(f, batch[i].seq))
				continue;
			if (c)
				cache_invalidate_change(c, batch[i].org_id,
				                        batch[i].invoice_id,
				                        CACHE_SRC_PEER,
				                        cache_now_ms());
			if (*n < max)
				out[(*n)++] = batch[i];
		}
	} while (got == FEED_BATCH);
	return INV_OK;
}

int feed_wait_fd(struct feed *f, struct store *st)
{
	(void)f;
	return store_wakeup_fd(st);
}

int feed_wait_ms(const struct feed *f, int64_t now_ms)
{
	int64_t left;

	if (f->next_ms < 0)
		return -1;
	left = f->checked_ms + f->next_ms - now_ms;
	return left < 0 ? 0 : (int)left;
}
