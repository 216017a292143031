/*
 * test_cache.c - the session's tags and their freshness, and the
 * invalidation log (SPEC 3.2): exact tag spelling, the list -> record ->
 * summary order, newest-first reading, and the ring that keeps the newest.
 */
#include <check.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"

static struct cache *c;

static void setup(void)
{
	c = cache_new();
	ck_assert_ptr_nonnull(c);
}

static void teardown(void)
{
	cache_free(c);
	c = NULL;
}

START_TEST(tags_are_spelled_exactly)
{
	char tag[CACHE_TAG_MAX];
	char tags[3][CACHE_TAG_MAX];

	cache_tag_list(1, tag);
	ck_assert_str_eq(tag, "list:1");
	cache_tag_record(1, 42, tag);
	ck_assert_str_eq(tag, "record:1:42");
	cache_tag_summary(7, tag);
	ck_assert_str_eq(tag, "summary:7");
	cache_tag_record(INT64_MAX, INT64_MAX, tag);
	ck_assert_str_eq(tag,
	                 "record:9223372036854775807:9223372036854775807");
	cache_tags_for_change(3, 1001, tags);
	ck_assert_str_eq(tags[0], "list:3");
	ck_assert_str_eq(tags[1], "record:3:1001");
	ck_assert_str_eq(tags[2], "summary:3");
}
END_TEST

START_TEST(fetched_tag_is_fresh_until_invalidated)
{
	ck_assert(!cache_fresh(c, "list:1"));
	ck_assert_int_eq(cache_fetched_at(c, "list:1"), 0);
	cache_fetched(c, "list:1", 1000);
	ck_assert(cache_fresh(c, "list:1"));
	ck_assert_int_eq(cache_fetched_at(c, "list:1"), 1000);
	cache_invalidate(c, "list:1", CACHE_SRC_ACTION, 1500);
	ck_assert(!cache_fresh(c, "list:1"));
	/* the fetch time stays: it is when the shown data was read */
	ck_assert_int_eq(cache_fetched_at(c, "list:1"), 1000);
	cache_fetched(c, "list:1", 2000);
	ck_assert(cache_fresh(c, "list:1"));
	ck_assert_int_eq(cache_fetched_at(c, "list:1"), 2000);
}
END_TEST

START_TEST(invalidation_touches_only_its_tag)
{
	cache_fetched(c, "list:1", 10);
	cache_fetched(c, "list:2", 10);
	cache_fetched(c, "record:1:5", 10);
	cache_invalidate(c, "list:1", CACHE_SRC_PEER, 20);
	ck_assert(!cache_fresh(c, "list:1"));
	ck_assert(cache_fresh(c, "list:2"));
	ck_assert(cache_fresh(c, "record:1:5"));
}
END_TEST

START_TEST(change_invalidates_list_record_summary_in_that_order)
{
	struct cache_log_entry log[8];
	size_t n;

	cache_fetched(c, "list:1", 10);
	cache_fetched(c, "record:1:9", 10);
	cache_fetched(c, "summary:1", 10);
	cache_fetched(c, "record:1:8", 10);
	cache_invalidate_change(c, 1, 9, CACHE_SRC_ACTION, 50);
	ck_assert(!cache_fresh(c, "list:1"));
	ck_assert(!cache_fresh(c, "record:1:9"));
	ck_assert(!cache_fresh(c, "summary:1"));
	ck_assert(cache_fresh(c, "record:1:8"));

	n = cache_log_tail(c, log, 8);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(cache_log_count(c), 3);
	/* newest first: summary was invalidated last */
	ck_assert_str_eq(log[0].tag, "summary:1");
	ck_assert_str_eq(log[1].tag, "record:1:9");
	ck_assert_str_eq(log[2].tag, "list:1");
	ck_assert_int_eq(log[2].source, CACHE_SRC_ACTION);
	ck_assert_int_eq(log[2].at_ms, 50);
}
END_TEST

START_TEST(change_in_one_org_leaves_another_org_fresh)
{
	cache_fetched(c, "list:2", 10);
	cache_fetched(c, "summary:2", 10);
	cache_fetched(c, "record:2:9", 10);
	cache_invalidate_change(c, 1, 9, CACHE_SRC_PEER, 50);
	ck_assert(cache_fresh(c, "list:2"));
	ck_assert(cache_fresh(c, "summary:2"));
	ck_assert(cache_fresh(c, "record:2:9"));
}
END_TEST

START_TEST(log_reads_newest_first_with_source_and_time)
{
	struct cache_log_entry log[4];

	cache_invalidate(c, "list:1", CACHE_SRC_ACTION, 100);
	cache_invalidate(c, "list:1", CACHE_SRC_PEER, 200);
	cache_invalidate(c, "summary:1", CACHE_SRC_PEER, 300);
	ck_assert_uint_eq(cache_log_tail(c, log, 4), 3);
	ck_assert_str_eq(log[0].tag, "summary:1");
	ck_assert_int_eq(log[0].at_ms, 300);
	ck_assert_int_eq(log[0].source, CACHE_SRC_PEER);
	ck_assert_int_eq(log[1].at_ms, 200);
	ck_assert_int_eq(log[1].source, CACHE_SRC_PEER);
	ck_assert_int_eq(log[2].at_ms, 100);
	ck_assert_int_eq(log[2].source, CACHE_SRC_ACTION);
	/* a shorter read gives the newest ones */
	ck_assert_uint_eq(cache_log_tail(c, log, 1), 1);
	ck_assert_int_eq(log[0].at_ms, 300);
	ck_assert_uint_eq(cache_log_tail(c, log, 0), 0);
}
END_TEST

START_TEST(invalidating_an_unfetched_tag_is_still_logged)
{
	struct cache_log_entry log[1];

	cache_invalidate(c, "record:1:77", CACHE_SRC_PEER, 5);
	ck_assert(!cache_fresh(c, "record:1:77"));
	ck_assert_uint_eq(cache_log_tail(c, log, 1), 1);
	ck_assert_str_eq(log[0].tag, "record:1:77");
}
END_TEST

START_TEST(ring_keeps_the_newest_entries_and_counts_them_all)
{
	struct cache_log_entry *log = calloc(CACHE_LOG_MAX + 10, sizeof *log);
	const size_t total = CACHE_LOG_MAX * 2 + 17;
	char tag[CACHE_TAG_MAX];
	size_t i, n;

	ck_assert_ptr_nonnull(log);
	for (i = 0; i < total; i++) {
		snprintf(tag, sizeof tag, "record:1:%zu", i);
		cache_invalidate(c, tag, CACHE_SRC_PEER, (int64_t)i);
	}
	ck_assert_uint_eq(cache_log_count(c), total);
	n = cache_log_tail(c, log, CACHE_LOG_MAX + 10);
	ck_assert_uint_eq(n, CACHE_LOG_MAX);
	for (i = 0; i < n; i++) {
		snprintf(tag, sizeof tag, "record:1:%zu", total - 1 - i);
		ck_assert_str_eq(log[i].tag, tag);
		ck_assert_int_eq(log[i].at_ms, (int64_t)(total - 1 - i));
	}
	free(log);
}
END_TEST

START_TEST(ring_at_exactly_its_size_holds_every_entry)
{
	struct cache_log_entry log[CACHE_LOG_MAX];
	size_t i;

	for (i = 0; i < CACHE_LOG_MAX; i++)
		cache_invalidate(c, "list:1", CACHE_SRC_ACTION, (int64_t)i);
	ck_assert_uint_eq(cache_log_tail(c, log, CACHE_LOG_MAX), CACHE_LOG_MAX);
	ck_assert_int_eq(log[0].at_ms, CACHE_LOG_MAX - 1);
	ck_assert_int_eq(log[CACHE_LOG_MAX - 1].at_ms, 0);
	cache_invalidate(c, "list:1", CACHE_SRC_ACTION, 9999);
	ck_assert_uint_eq(cache_log_tail(c, log, CACHE_LOG_MAX), CACHE_LOG_MAX);
	ck_assert_int_eq(log[0].at_ms, 9999);
	ck_assert_int_eq(log[CACHE_LOG_MAX - 1].at_ms, 1);
}
END_TEST

START_TEST(full_table_evicts_the_tag_fetched_longest_ago)
{
	char tag[CACHE_TAG_MAX];
	int i;

	/* far more tags than a session watches: the oldest make room and
	 * the newest stay fresh */
	for (i = 0; i < 1000; i++) {
		snprintf(tag, sizeof tag, "record:1:%d", i);
		cache_fetched(c, tag, 1000 + i);
	}
	ck_assert(cache_fresh(c, "record:1:999"));
	ck_assert_int_eq(cache_fetched_at(c, "record:1:999"), 1999);
	ck_assert(!cache_fresh(c, "record:1:0"));
	ck_assert_int_eq(cache_fetched_at(c, "record:1:0"), 0);

	/* a tag fetched again is young again and survives the next wave */
	cache_fetched(c, "list:1", 1);
	for (i = 0; i < 100; i++) {
		snprintf(tag, sizeof tag, "summary:%d", i);
		cache_fetched(c, tag, 5000 + i);
	}
	ck_assert(cache_fresh(c, "list:1"));
}
END_TEST

static int64_t clock_read_ms(clockid_t id)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(id, &ts), 0);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(source_names_and_clock)
{
	int64_t before, now, after, wall;

	ck_assert_str_eq(cache_source_name(CACHE_SRC_ACTION), "action");
	ck_assert_str_eq(cache_source_name(CACHE_SRC_PEER), "peer");
	/* ages and timeouts run on the monotonic clock (a wall clock set
	 * back must not make them negative), in milliseconds */
	before = clock_read_ms(CLOCK_MONOTONIC);
	now = cache_now_ms();
	after = clock_read_ms(CLOCK_MONOTONIC);
	ck_assert_int_ge(now, before);
	ck_assert_int_le(now, after);
	/* the wall clock, to show a time of day: after 2020-01-01 and
	 * before 2200, milliseconds, not seconds */
	before = clock_read_ms(CLOCK_REALTIME);
	wall = cache_wall_ms();
	after = clock_read_ms(CLOCK_REALTIME);
	ck_assert_int_ge(wall, before);
	ck_assert_int_le(wall, after);
	ck_assert_int_gt(wall, INT64_C(1577836800000));
	ck_assert_int_lt(wall, INT64_C(7258118400000));
}
END_TEST

START_TEST(null_cache_is_harmless)
{
	struct cache_log_entry log[1];

	cache_fetched(NULL, "list:1", 1);
	cache_invalidate(NULL, "list:1", CACHE_SRC_ACTION, 1);
	ck_assert(!cache_fresh(NULL, "list:1"));
	ck_assert_int_eq(cache_fetched_at(NULL, "list:1"), 0);
	ck_assert_uint_eq(cache_log_tail(NULL, log, 1), 0);
	ck_assert_uint_eq(cache_log_count(NULL), 0);
	cache_free(NULL);
}
END_TEST

static Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("tags");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tags_are_spelled_exactly);
	tcase_add_test(tc, fetched_tag_is_fresh_until_invalidated);
	tcase_add_test(tc, invalidation_touches_only_its_tag);
	tcase_add_test(tc, change_invalidates_list_record_summary_in_that_order);
	tcase_add_test(tc, change_in_one_org_leaves_another_org_fresh);
	tcase_add_test(tc, log_reads_newest_first_with_source_and_time);
	tcase_add_test(tc, invalidating_an_unfetched_tag_is_still_logged);
	tcase_add_test(tc, ring_keeps_the_newest_entries_and_counts_them_all);
	tcase_add_test(tc, ring_at_exactly_its_size_holds_every_entry);
	tcase_add_test(tc, full_table_evicts_the_tag_fetched_longest_ago);
	tcase_add_test(tc, source_names_and_clock);
	tcase_add_test(tc, null_cache_is_harmless);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cache_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
