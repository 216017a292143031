/*
 * test_crash.c - crash consistency: writer processes edit, archive, restore
 * and create on one file while the test kills them with SIGKILL at random
 * moments, at least KILLS times (KILLS_PG on PostgreSQL).  Afterwards the database must pass the
 * check (SQLite: integrity_check too); every write a writer reported as committed must be
 * there; every invoice's version must match its audit history (a chain
 * 0 -> 1 -> ... -> version with no gap and no extra link), so no state
 * change is without its audit row and no audit row without its change; and
 * the totals must equal a recount.
 *
 * The random choices (which writer dies, when, and what each writer does)
 * come from one seed, printed at the start; INVED_TEST_SEED=N replays a
 * run's choices (the kills still land where the scheduler has the writers).
 *
 * On PostgreSQL the same writers are clients killed mid-transaction; the
 * promise is the same (a killed writer leaves no half write), read back
 * with the same queries through a connection of the superuser's.
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
#include "testdb.h"

#define WRITERS 3
#define KILLS 200
/* A PostgreSQL writer spends its first milliseconds connecting: it lives
 * longer between kills there, and is killed fewer times, so that as many
 * writes land and the run stays short. */
#define KILLS_PG 100

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

/* The database as it is after the kills, read by a connection of its own
 * (SQLite: a plain one to the file; PostgreSQL: the superuser's, which
 * sees every row). */
struct reader {
	sqlite3 *db;
	struct testdb_conn *pg;
};

static void reader_open(struct reader *r)
{
	memset(r, 0, sizeof *r);
	if (testdb_pg()) {
		r->pg = testdb_connect(fx.path, true);
		ck_assert_ptr_nonnull(r->pg);
	} else {
		r->db = fixture_raw(&fx);
	}
}

static void reader_close(struct reader *r)
{
	testdb_conn_close(r->pg);
	if (r->db)
		sqlite3_close(r->db);
}

/* The first column of the first row of sql, -1 when none. */
static long long reader_number(struct reader *r, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (r->pg)
		return testdb_conn_count(r->pg, sql);
	ck_assert_msg(sqlite3_prepare_v2(r->db, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(r->db));
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void check_logs_against_db(struct reader *r, long *checked)
{
	char path[600];
	DIR *dir;
	struct dirent *de;

	dir = opendir(fx.dir);
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir)) != NULL) {
		char line[128], sql[200];
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
			snprintf(sql, sizeof sql, "SELECT version FROM invoices "
			         "WHERE id = %lld", id);
			ck_assert_msg(reader_number(r, sql) >= version,
			              "committed write %lld v%lld is missing", id,
			              version);
			snprintf(sql, sizeof sql, "SELECT count(*) FROM audit "
			         "WHERE subject_id = %lld AND to_version = %lld", id,
			         version);
			ck_assert_msg(reader_number(r, sql) == 1,
			              "committed write %lld v%lld has no audit row",
			              id, version);
			(*checked)++;
		}
		fclose(log);
	}
	closedir(dir);
}

/* For every invoice, its audit rows (oldest first) must chain from 0 to
 * its version, one link per version: each link goes up by one from where
 * the one before it ended (the first from 0), and the last ends at the
 * version.  Each query names the first invoice that breaks it (0: none). */
static void check_audit_chains(struct reader *r)
{
	ck_assert_int_eq(reader_number(r, "SELECT coalesce(min(subject_id), 0) "
		"FROM (SELECT subject_id, from_version, to_version, "
		"lag(to_version, 1, 0) OVER (PARTITION BY subject_id "
		"ORDER BY seq) AS prev FROM audit WHERE subject_id IN "
		"(SELECT id FROM invoices)) AS chain "
		"WHERE from_version <> prev OR to_version <> from_version + 1"),
		0);
	ck_assert_int_eq(reader_number(r, "SELECT coalesce(min(i.id), 0) "
		"FROM invoices i WHERE i.version <> coalesce((SELECT "
		"a.to_version FROM audit a WHERE a.subject_id = i.id "
		"ORDER BY a.seq DESC LIMIT 1), -1)"), 0);
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
	struct reader r;

	run_seed = seed_of_run();
	seed = run_seed;
	fprintf(stderr, "crash test seed %u (replay with INVED_TEST_SEED=%u)\n",
	        run_seed, run_seed);
	fixture_setup(&fx);
	store_close(fx.st);
	fx.st = NULL;
	for (i = 0; i < WRITERS; i++)
		pids[i] = writer_start(i);
	while (kills < (testdb_pg() ? KILLS_PG : KILLS)) {
		int victim = (int)(rand_r(&seed) % WRITERS);

		if (testdb_pg())
			sleep_ms(20 + (long)(rand_r(&seed) % 60));
		else
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
	reader_open(&r);
	check_logs_against_db(&r, &checked);
	check_audit_chains(&r);
	reader_close(&r);
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
