/*
 * cache.c - freshness of the session's cached reads, by tag, and the log of
 * invalidations (SPEC 3.2).  The data itself lives in the faces; this file
 * only knows which tags are fresh, when they were fetched, and what was
 * invalidated, by whom and when.
 *
 * A session watches a handful of tags (one list, one summary, the records
 * on screen), so the table is a small array searched linearly; when it is
 * full the tag fetched longest ago makes room.  The log is a ring of the
 * newest CACHE_LOG_MAX invalidations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"

#define CACHE_TAGS_MAX 256

struct cache_tag {
	char tag[CACHE_TAG_MAX];
	bool fresh;
	int64_t fetched_ms;
	uint64_t stamp; /* order of the last fetch, for eviction */
};

struct cache {
	struct cache_tag tags[CACHE_TAGS_MAX];
	size_t ntags;
	uint64_t next_stamp;
	struct cache_log_entry log[CACHE_LOG_MAX];
	uint64_t logged; /* entries ever appended; the next goes at logged % max */
};

struct cache *cache_new(void)
{
	return calloc(1, sizeof(struct cache));
}

void cache_free(struct cache *c)
{
	free(c);
}

void cache_tag_list(int64_t org, char tag[CACHE_TAG_MAX])
{
	snprintf(tag, CACHE_TAG_MAX, "list:%" PRId64, org);
}

void cache_tag_record(int64_t org, int64_t id, char tag[CACHE_TAG_MAX])
{
	snprintf(tag, CACHE_TAG_MAX, "record:%" PRId64 ":%" PRId64, org, id);
}

void cache_tag_summary(int64_t org, char tag[CACHE_TAG_MAX])
{
	snprintf(tag, CACHE_TAG_MAX, "summary:%" PRId64, org);
}

void cache_tags_for_change(int64_t org, int64_t id,
                           char tags[3][CACHE_TAG_MAX])
{
	cache_tag_list(org, tags[0]);
	cache_tag_record(org, id, tags[1]);
	cache_tag_summary(org, tags[2]);
}

/* Copy a tag, cut at CACHE_TAG_MAX - 1 bytes (the tags this module spells
 * are at most 48). */
static void tag_copy(char dst[CACHE_TAG_MAX], const char *src)
{
	size_t n = strnlen(src, CACHE_TAG_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Index of tag in the table, or c->ntags when it is not there. */
static size_t tag_index(const struct cache *c, const char *tag)
{
	size_t i;

	for (i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i].tag, tag) == 0)
			break;
	return i;
}

/* A slot for a tag not yet in the table: a free one, else the one fetched
 * longest ago (it is the least likely to be on screen). */
static struct cache_tag *tag_slot(struct cache *c)
{
	struct cache_tag *oldest;
	size_t i;

	if (c->ntags < CACHE_TAGS_MAX)
		return &c->tags[c->ntags++];
	oldest = &c->tags[0];
	for (i = 1; i < CACHE_TAGS_MAX; i++)
		if (c->tags[i].stamp < oldest->stamp)
			oldest = &c->tags[i];
	return oldest;
}

void cache_fetched(struct cache *c, const char *tag, int64_t now_ms)
{
	struct cache_tag *t;
	size_t i;

	if (!c || !tag)
		return;
	i = tag_index(c, tag);
	if (i < c->ntags) {
		t = &c->tags[i];
	} else {
		t = tag_slot(c);
		tag_copy(t->tag, tag);
	}
	t->fresh = true;
	t->fetched_ms = now_ms;
	t->stamp = ++c->next_stamp;
}

bool cache_fresh(const struct cache *c, const char *tag)
{
	size_t i;

	if (!c || !tag)
		return false;
	i = tag_index(c, tag);
	return i < c->ntags && c->tags[i].fresh;
}

int64_t cache_fetched_at(const struct cache *c, const char *tag)
{
	size_t i;

	if (!c || !tag)
		return 0;
	i = tag_index(c, tag);
	return i < c->ntags ? c->tags[i].fetched_ms : 0;
}

void cache_invalidate(struct cache *c, const char *tag,
                      enum cache_source source, int64_t now_ms)
{
	struct cache_log_entry *e;
	size_t i;

	if (!c || !tag)
		return;
	/* Stale first, logged after: the log never claims an invalidation
	 * that a reader of the tag could still miss.  A tag never fetched
	 * is already not fresh and takes no slot, but is still logged. */
	i = tag_index(c, tag);
	if (i < c->ntags)
		c->tags[i].fresh = false;
	e = &c->log[c->logged % CACHE_LOG_MAX];
	tag_copy(e->tag, tag);
	e->source = source;
	e->at_ms = now_ms;
	c->logged++;
}

void cache_invalidate_change(struct cache *c, int64_t org, int64_t id,
                             enum cache_source source, int64_t now_ms)
{
	char tags[3][CACHE_TAG_MAX];
	int i;

	cache_tags_for_change(org, id, tags);
	for (i = 0; i < 3; i++)
		cache_invalidate(c, tags[i], source, now_ms);
}

size_t cache_log_tail(const struct cache *c, struct cache_log_entry *out,
                      size_t max)
{
	size_t kept, n, i;

	if (!c || !out)
		return 0;
	kept = c->logged < CACHE_LOG_MAX ? (size_t)c->logged : CACHE_LOG_MAX;
	n = max < kept ? max : kept;
	for (i = 0; i < n; i++)
		out[i] = c->log[(c->logged - 1 - i) % CACHE_LOG_MAX];
	return n;
}

uint64_t cache_log_count(const struct cache *c)
{
	return c ? c->logged : 0;
}

const char *cache_source_name(enum cache_source s)
{
	return s == CACHE_SRC_PEER ? "peer" : "action";
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Ages, timeouts and deadlines are differences of this clock: a wall
 * clock set back (NTP, a person) would make an age negative and a timer
 * wait for the hours it was set back. */
int64_t cache_now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t cache_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}
