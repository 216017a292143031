/*
 * feed.c - following other connections' writes through PRAGMA data_version
 * and the change feed, and turning them into tag invalidations (SPEC 3.2).
 *
 * data_version only moves when another connection commits, so the idle
 * cost is one cheap pragma per poll; the feed itself is read only when it
 * moved, and only for the session's org, so an edit in org A never
 * invalidates anything of org B.
 */
#include <string.h>

#include "feed.h"

enum inv_rc feed_init(struct feed *f, struct store *st, struct inv_err *err)
{
	enum inv_rc rc;

	memset(f, 0, sizeof *f);
	rc = store_data_version(st, &f->data_version, err);
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
	int64_t dv = 0;
	size_t got, i;
	enum inv_rc rc;

	*n = 0;
	rc = store_data_version(st, &dv, err);
	if (rc != INV_OK)
		return rc;
	/* data_version moves when another connection commits (a peer, or
	 * this session's own writer connection); the own-seq list tells the
	 * two apart. */
	if (dv == f->data_version)
		return INV_OK;
	f->data_version = dv;
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
