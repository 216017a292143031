/*
 * cache.h - the session's cached reads named by tags, and the invalidation
 * log (SPEC 3.2).
 *
 * Tags: "list:ORG", "record:ORG:ID", "summary:ORG".  The cache does not hold
 * the data (the faces do); it holds for each tag whether it is fresh and
 * when it was fetched, and it logs each invalidation (tag, source, time)
 * after the invalidation happened.  A write invalidates exactly the three
 * tags of its (org, invoice); a change read from the feed does the same
 * with source `peer`.
 */
#ifndef INVED_CACHE_H
#define INVED_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CACHE_TAG_MAX 64
#define CACHE_LOG_MAX 256 /* ring buffer of the newest invalidations */

enum cache_source { CACHE_SRC_ACTION = 0, CACHE_SRC_PEER = 1 };

struct cache_log_entry {
	char tag[CACHE_TAG_MAX];
	enum cache_source source;
	int64_t at_ms; /* cache_now_ms() when it was logged */
};

struct cache;

struct cache *cache_new(void);
void cache_free(struct cache *c);

void cache_tag_list(int64_t org, char tag[CACHE_TAG_MAX]);
void cache_tag_record(int64_t org, int64_t id, char tag[CACHE_TAG_MAX]);
void cache_tag_summary(int64_t org, char tag[CACHE_TAG_MAX]);
/* The three tags one change to (org, id) moves, in the order they are
 * invalidated: list, record, summary. */
void cache_tags_for_change(int64_t org, int64_t id,
                           char tags[3][CACHE_TAG_MAX]);

/* Record that the data behind tag was fetched now (makes it fresh). */
void cache_fetched(struct cache *c, const char *tag, int64_t now_ms);
/* Fresh: fetched and not invalidated since. */
bool cache_fresh(const struct cache *c, const char *tag);
/* When tag was last fetched (0 if never). */
int64_t cache_fetched_at(const struct cache *c, const char *tag);

/* Mark tag stale, then append (tag, source, now) to the log. */
void cache_invalidate(struct cache *c, const char *tag,
                      enum cache_source source, int64_t now_ms);
/* Invalidate the three tags of a change to (org, id). */
void cache_invalidate_change(struct cache *c, int64_t org, int64_t id,
                             enum cache_source source, int64_t now_ms);

/* Newest-first copy of up to max log entries; returns how many. */
size_t cache_log_tail(const struct cache *c, struct cache_log_entry *out,
                      size_t max);
/* Total invalidations logged since cache_new (not capped by the ring). */
uint64_t cache_log_count(const struct cache *c);

const char *cache_source_name(enum cache_source s); /* "action", "peer" */

/* Milliseconds on the monotonic clock (CLOCK_MONOTONIC): the clock of
 * every age, timeout and the log's at_ms; only differences mean anything. */
int64_t cache_now_ms(void);
/* Wall-clock milliseconds since the epoch, to show a cache_now_ms() time
 * as a time of day: wall - (cache_now_ms() - t). */
int64_t cache_wall_ms(void);

#endif
