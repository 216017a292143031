/*
 * test_crash.c - crash consistency: writer processes edit, archive, restore
 * and create on one file while the test kills them with SIGKILL at random
 * moments, at least KILLS times.  Afterwards the file must pass
 * integrity_check; every write a writer reported as committed must be
 * there; every invoice's version must match its audit history (a chain
 * 0 -> 1 -> ... -> version with no gap and no extra link), so no state
 * change is without its audit row and no audit row without its change; and
 * the totals must equal a recount.
 *
 * The random choices (which writer dies, when, and what each writer does)
 * come from one seed, printed at the start; INVED_TEST_SEED=N replays a
 * run's choices (the kills still land where the scheduler has the writers).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#define WRITERS 3
#define KILLS 200

static struct fixture fx;
/* the run's seed, and how many writers it has started (each gets a seed of
 * its own from both) */
static unsigned run_seed;
static unsigned started;

/* INVED_TEST_SEED when it is a number, else the clock. */
static unsigned seed_of_run(void)
{
	const char *env = getenv("INVED_TEST_SEED");
	char *end = NULL;
	unsigned long v;

	if (env && *env) {
		errno = 0;
		v = strtoul(env, &end, 10);
		if (!errno && end && !*end && v <= 0xffffffffUL)
			return (unsigned)v;
		fprintf(stderr, "INVED_TEST_SEED=%s is not a number; "
		        "using the clock\n", env);
	}
	return (unsigned)time(NULL);
}

/* Each writer process appends "id version\n" to a log of its own after
 * every write the core reported committed, one write(2) per line.  A kill
 * between commit and append only loses a log line, never makes one up; a
 * line cut short by the kill has no newline and is not read back, and since
 * a restarted writer gets a new log, a torn line can never run into the
 * next process's first line. */
static void writer_run(int slot)
{
	struct store *st = NULL;
	struct identity who;
	struct inv_err err;
	char path[400];
	int log;
	unsigned seed = run_seed ^ (started * 2654435761u);
	long n = 0;

	snprintf(path, sizeof path, "%s/writer-%d-%d.log", fx.dir, slot,
	         (int)getpid());
	log = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (log < 0)
		_exit(2);
	if (store_open(fx.path,
	               &(struct store_options){STORE_OPEN_EXISTING, 60000},
	               &st, &err) != INV_OK ||
	    store_identity(st, "alice", NULL, &who, &err) != INV_OK)
		_exit(3);
	for (;;) {
		struct invoice page[16];
		struct write_result res;
		size_t got;
		enum inv_rc rc;
		int op = (int)(rand_r(&seed) % 5);
		char total[24], token[48];

		if (store_page(st, &who, VIEW_ALL, NULL,
		               (int64_t)(rand_r(&seed) % 40), PAGE_AFTER, page, 16,
		               &got, &err) != INV_OK || got == 0)
			continue;
		struct invoice *row = &page[(size_t)rand_r(&seed) % got];

		snprintf(total, sizeof total, "%u.00", rand_r(&seed) % 5000);
		switch (op) {
		case 0: {
			struct invoice_input in = {.total = total};

			rc = store_edit(st, &who, row->id, row->version, &in, 0, &res,
			                &err);
			break;
		}
		case 1:
			rc = store_archive(st, &who, row->id, row->version, &res, &err);
			break;
		case 2:
			rc = store_restore(st, &who, row->id, row->version, &res, &err);
			break;
		case 3:
			rc = store_delete(st, &who, row->id, row->version, &res, &err);
			break;
		default: {
			struct invoice_input in = {.customer = "Crash Test",
			                           .total = total};

			snprintf(token, sizeof token, "crash-%d-%d-%ld", slot,
			         (int)getpid(), n++);
			rc = store_create(st, &who, token, NULL, &in, &res, &err);
			break;
		}
		}
		if (rc == INV_OK && res.have_row) {
			char line[64];
			int len = snprintf(line, sizeof line,
			                   "%" PRId64 " %" PRId64 "\n", res.row.id,
			                   res.row.version);

			if (len > 0 && write(log, line, (size_t)len) != len)
				_exit(4);
		}
	}
}

static pid_t writer_start(int slot)
{
	pid_t pid;

	started++;
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		writer_run(slot);
	return pid;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void check_logs_against_db(sqlite3 *db, long *checked)
{
	sqlite3_stmt *s = NULL;
	char path[600];
	DIR *dir;
	struct dirent *de;

	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT (SELECT version FROM invoices WHERE id = ?1), "
		"(SELECT count(*) FROM audit WHERE subject_id = ?1 "
		" AND to_version = ?2)", -1, &s, NULL), SQLITE_OK);
	dir = opendir(fx.dir);
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)) != NULL) {
		char line[128];
		FILE *log;

		if (strncmp(de->d_name, "writer-", 7) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", fx.dir, de->d_name);
		log = fopen(path, "r");
		if (!log)
			continue;
		while (fgets(line, sizeof line, log)) {
			long long id, version;

			/* A line without its newline was cut by the kill. */
			if (!strchr(line, '\n'))
				break;
			ck_assert_msg(sscanf(line, "%lld %lld", &id, &version) == 2,
			              "unreadable log line in %s", de->d_name);
			sqlite3_bind_int64(s, 1, id);
			sqlite3_bind_int64(s, 2, version);
			ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
			ck_assert_msg(sqlite3_column_int64(s, 0) >= version,
			              "committed write %lld v%lld is missing", id,
			              version);
			ck_assert_msg(sqlite3_column_int64(s, 1) == 1,
			              "committed write %lld v%lld has no audit row",
			              id, version);
			sqlite3_reset(s);
			(*checked)++;
		}
		fclose(log);
	}
	closedir(dir);
	sqlite3_finalize(s);
}

/* For every invoice, its audit rows (oldest first) must chain from 0 to
 * its version, one link per version. */
static void check_audit_chains(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	long long id = -1, expect_from = 0, version = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(db,
		"SELECT i.id, i.version, a.from_version, a.to_version "
		"FROM invoices i JOIN audit a ON a.subject_id = i.id "
		"ORDER BY i.id, a.seq", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		long long rid = sqlite3_column_int64(s, 0);

		if (rid != id) {
			ck_assert_msg(id < 0 || expect_from == version,
			              "invoice %lld at v%lld but audit ends at v%lld",
			              id, version, expect_from);
			id = rid;
			version = sqlite3_column_int64(s, 1);
			expect_from = 0;
		}
		ck_assert_msg(sqlite3_column_int64(s, 2) == expect_from,
		              "invoice %lld: audit gap at v%lld", id, expect_from);
		expect_from = sqlite3_column_int64(s, 3);
		ck_assert_int_eq(expect_from, sqlite3_column_int64(s, 2) + 1);
	}
	ck_assert_msg(id < 0 || expect_from == version,
	              "invoice %lld at v%lld but audit ends at v%lld", id, version,
	              expect_from);
	sqlite3_finalize(s);
	ck_assert_int_eq(fixture_count(&fx, "SELECT count(*) FROM invoices i "
		"WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.subject_id = i.id)"),
		0);
}

START_TEST(sigkill_at_random_moments_loses_no_committed_write)
{
	pid_t pids[WRITERS];
	unsigned seed;
	struct inv_err err;
	long checked = 0;
	int kills = 0, i, status;
	sqlite3 *db;

	run_seed = seed_of_run();
	seed = run_seed;
	fprintf(stderr, "crash test seed %u (replay with INVED_TEST_SEED=%u)\n",
	        run_seed, run_seed);
	fixture_setup(&fx);
	store_close(fx.st);
	fx.st = NULL;
	for (i = 0; i < WRITERS; i++)
		pids[i] = writer_start(i);
	while (kills < KILLS) {
		int victim = (int)(rand_r(&seed) % WRITERS);

		sleep_ms(2 + (long)(rand_r(&seed) % 15));
		kill(pids[victim], SIGKILL);
		ck_assert_int_eq(waitpid(pids[victim], &status, 0), pids[victim]);
		ck_assert(WIFSIGNALED(status));
		kills++;
		pids[victim] = writer_start(victim);
	}
	for (i = 0; i < WRITERS; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}

	ck_assert_int_eq(store_open(fx.path,
	                            &(struct store_options){STORE_OPEN_EXISTING, 0},
	                            &fx.st,
	                            &err), INV_OK);
	ck_assert_msg(store_check(fx.st, &err) == INV_OK, "%s", err.msg);
	db = fixture_raw(&fx);
	check_logs_against_db(db, &checked);
	check_audit_chains(db);
	sqlite3_close(db);
	fprintf(stderr, "crash: %d kills survived, %ld committed writes "
	        "checked, %lld audit rows\n", kills, checked,
	        fixture_count(&fx, "SELECT count(*) FROM audit"));
	ck_assert_int_gt(checked, 0);
	fixture_teardown(&fx);
}
END_TEST

static Suite *crash_suite(void)
{
	Suite *s = suite_create("crash");
	TCase *tc = tcase_create("sigkill");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, sigkill_at_random_moments_loses_no_committed_write);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(crash_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
