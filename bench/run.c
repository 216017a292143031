/*
 * run.c - inved-bench: measure the figures of SPEC 6 on a database made by
 * inved-bench-gen, each beside its raw-SQLite (or bare-terminal) yardstick
 * measured in the same run on the same file, and print one table.
 *
 *   inved-bench [--db PATH] [--invoices N] [--fresh] [--quick]
 *               [--compare A B [--runs R]]
 *   inved-bench --pg URI|auto [...]   the PostgreSQL figures (pg.c)
 *               [--inved PATH] [--bare PATH] [--gen PATH]
 *               [--user NAME] [--org NAME] [--seed N] [--only LIST]
 *
 * Without --db the file is $INVED_BENCH_DB, else invoices-N.db in
 * $XDG_CACHE_HOME/inved-bench (~/.cache/inved-bench); a missing file is
 * made first by running inved-bench-gen, so one command does it all.
 *
 * The figures, in SPEC order, each as the median of its runs with their
 * spread (min - max) and its yardstick with its own:
 *   1 start to first full screen: the real inved under a pseudo-terminal,
 *     from fork to the moment the summary and the key hints are on the
 *     libvterm screen; beside a bare curses program started the same way.
 *   2 page down anywhere: a real PgDn on the TUI's screen, from the key to
 *     the new page drawn, thousands of pages down the table; the TUI's CPU
 *     a PgDn beside it; store_page from random anchors and the same keyset
 *     SELECT run bare are the detail.
 *   3 summary read: store_summary; beside a plain read of the totals rows
 *     (the fair floor); the SUM ... GROUP BY over the org is the detail.
 *   4 guarded edit: store_get + store_edit at the loaded version on random
 *     invoices, as txn/s; beside a conditional UPDATE + audit INSERT in one
 *     BEGIN IMMEDIATE transaction, at the same synchronous=FULL, on
 *     full-size copies of invoices and audit without triggers
 *     (bare_invoices, bare_audit, with the same columns and indexes; see
 *     yard.c) in the same file.  The rounds alternate between the two.
 *   5 change seen by the other terminal: a TUI under a pseudo-terminal; this
 *     process edits the customer of the first row through the core and
 *     times from the start of its COMMIT (the commit hook) until the new
 *     text is on the TUI's screen.
 *   6 idle CPU of that TUI in 1 s slices over a quiet stretch (schedstat of
 *     all threads).
 *   7 its resident memory (VmRSS, VmHWM) after figure 2's walk.
 *   8 P processes x E guarded edits on 10 hot invoices, each adding one
 *     minor unit to a total: lost updates = landed - total increase must be
 *     0; beside the naive read-modify-write (SELECT, then UPDATE without the
 *     version guard), which loses some.
 *
 * --compare A B runs two builds' runners in turn and prints their figures
 * side by side (see compare_main).
 *
 * The write figures change the file (totals grow by a few units, audit
 * rows accrue); the yardstick's tables stay for the next run.  At the end
 * store_check must pass (integrity, totals against a recount).  Timing
 * never makes the exit status fail: it is 1 only for lost guarded updates,
 * a failed store_check, or when the benchmark itself cannot run.  The TUI figures are reported "n/a" when the
 * inved binary cannot be found or does not show its screen.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#ifdef INVED_BENCH_PG
#include "pg.h"
#endif
#include "store_demo.h"
#include "store_tools.h"
#include "term.h"
#include "tools.h"
#include "yard.h"

#define PAGE_ROWS 40
#define HOT_INVOICES 10
#define TERM_ROWS 24
#define TERM_COLS 80
#define SAMPLE_IDS 4096

struct opts {
	const char *db;
	const char *inved;
	const char *bare;
	const char *gen;
	long invoices; /* size of the file to make when it is missing */
	bool fresh;    /* make it again even when it exists */
	const char *user;
	const char *org;
	bool quick;
	uint64_t seed;
	unsigned only; /* bit n: run figure n; 0: all */
	/* sizes, set from --quick */
	int start_runs;
	int page_iters;
	int summary_iters;
	int summary_sum_runs;
	int edit_rounds;
	double edit_round_s;
	int change_count;
	int pgdn_count;
	double idle_s;
	int race_procs;
	int race_edits;
};

/* One line of the final table: the median of the figure's runs, their
 * spread (min - max, never one good run alone), a p99 or detail, and the
 * yardstick measured in the same run. */
struct fig {
	int num;
	char name[40];
	char median[24];
	char range[56];
	char p99[24];
	char target[24];
	char yard[96];
	char met[12];
};

static struct fig figs[16];
static int nfigs;
static int exit_code;

/* ---- small tools --------------------------------------------------------- */

static bool want(const struct opts *o, int fig)
{
	return o->only == 0 || (o->only & (1u << fig));
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)((bench_rng_next() >> 11) % (uint64_t)(hi - lo + 1));
}

/* Seconds as "12.3 ms", "17.0 us"... so every cell reads at a glance. */
static void fmt_dur(char *buf, size_t len, double s)
{
	if (isnan(s))
		snprintf(buf, len, "n/a");
	else if (s >= 1.0)
		snprintf(buf, len, "%.2f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f us", s * 1e6);
}

static struct fig *fig_add(int num, const char *name)
{
	struct fig *f = &figs[nfigs < 15 ? nfigs++ : 15];

	memset(f, 0, sizeof *f);
	f->num = num;
	snprintf(f->name, sizeof f->name, "%d %s", num, name);
	snprintf(f->median, sizeof f->median, "-");
	snprintf(f->range, sizeof f->range, "-");
	snprintf(f->p99, sizeof f->p99, "-");
	snprintf(f->yard, sizeof f->yard, "-");
	snprintf(f->met, sizeof f->met, "n/a");
	return f;
}

/* "12.3 ms - 20.1 ms" of durations v[0..n) (sorted by bench_pct()). */
static void fmt_range(char *buf, size_t len, const double *v, size_t n)
{
	char lo[24], hi[24];

	if (n == 0) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_dur(lo, sizeof lo, v[0]);
	fmt_dur(hi, sizeof hi, v[n - 1]);
	snprintf(buf, len, "%s - %s", lo, hi);
}

/* Median, spread and p99 of n durations, into the figure's cells. */
static void fig_spread(struct fig *f, double *v, size_t n)
{
	fmt_dur(f->median, sizeof f->median, bench_pct(v, n, 50));
	fmt_range(f->range, sizeof f->range, v, n);
	fmt_dur(f->p99, sizeof f->p99, bench_pct(v, n, 99));
}

/* "label 17.0 us [12.0 us - 40.1 us]": a yardstick with its spread. */
static void yard_spread(char *buf, size_t len, const char *label, double *v,
                        size_t n)
{
	char med[24], range[48];

	fmt_dur(med, sizeof med, bench_pct(v, n, 50));
	fmt_range(range, sizeof range, v, n);
	snprintf(buf, len, "%s %s [%s]", label, med, range);
}

static void fig_met(struct fig *f, bool met)
{
	snprintf(f->met, sizeof f->met, "%s", met ? "yes" : "NO");
}

static bool file_exists(const char *p)
{
	struct stat sb;

	return p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* dirname of this executable, for finding its siblings in the build. */
static void exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, ".");
		return;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

/* ---- raw SQLite ---------------------------------------------------------- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		bench_progress("cannot open %s: %s", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	/* the same durability as the store's connections */
	sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	return db;
}

static sqlite3_stmt *raw_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		bench_progress("cannot prepare %s: %s", sql, sqlite3_errmsg(db));
		return NULL;
	}
	return s;
}

static int64_t raw_int(sqlite3 *db, const char *sql, int64_t arg)
{
	sqlite3_stmt *s = raw_prepare(db, sql);
	int64_t v = -1;

	if (!s)
		return -1;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		bench_progress("%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The plan SQLite picks, one line, for the bench_notes. */
static void plan_note(sqlite3 *db, const char *label, const char *sql)
{
	char buf[512] = "", q[1200];
	sqlite3_stmt *s;
	size_t used = 0;

	snprintf(q, sizeof q, "EXPLAIN QUERY PLAN %s", sql);
	s = raw_prepare(db, q);
	if (!s)
		return;
	while (sqlite3_step(s) == SQLITE_ROW && used + 4 < sizeof buf) {
		int w = snprintf(buf + used, sizeof buf - used, "%s%s",
		                 used ? "; " : "", sqlite3_column_text(s, 3));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	sqlite3_finalize(s);
	bench_note("plan of %s: %s", label, buf);
}

/* ---- the shared context ---------------------------------------------------- */

struct ctx {
	struct opts *o;
	struct store *st;
	sqlite3 *raw;
	struct identity who;
	int64_t invoices;
	int64_t min_id, max_id;
	int64_t sample[SAMPLE_IDS]; /* non-deleted invoices of the org */
	size_t nsample;
};

/* Random live (not deleted) invoices of the session's org, for the edit
 * figures: a seek per pick, so the sample spreads over the whole file. */
static int sample_fill(struct ctx *c)
{
	sqlite3_stmt *s = raw_prepare(c->raw,
		"SELECT id FROM invoices WHERE org_id = ?1 AND id >= ?2 "
		"AND deleted_at IS NULL ORDER BY id LIMIT 1");

	if (!s)
		return -1;
	for (size_t i = 0; i < SAMPLE_IDS * 2 && c->nsample < SAMPLE_IDS; i++) {
		sqlite3_bind_int64(s, 1, c->who.org_id);
		sqlite3_bind_int64(s, 2, rng_range(c->min_id, c->max_id));
		if (sqlite3_step(s) == SQLITE_ROW)
			c->sample[c->nsample++] = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return c->nsample > 0 ? 0 : -1;
}

/* The text that adds one minor unit to row's total, in its currency. */
static void total_plus_one(const struct invoice *row, char *buf, size_t len)
{
	money_format(row->total_minor + 1, row->currency, buf, len);
}

/* ---- 1. start to first full screen --------------------------------------- */

static const char *const tui_ready[] = {"deleted", "quit", NULL};
static const char *const bare_ready[] = {"bare curses ready", NULL};

/* Fork to screen, in seconds; NAN when the screen never came. */
static double start_once(const char *const argv[], const char *const ready[],
                         bool report)
{
	double t0 = bench_now(), t1;
	struct term *t = term_spawn(argv, TERM_ROWS, TERM_COLS);
	bool ok;

	if (!t)
		return NAN;
	ok = term_wait(t, ready, 10000);
	t1 = bench_now();
	if (!ok && report) {
		bench_progress("%s did not show its screen within 10 s:", argv[0]);
		term_dump(t, stderr);
	}
	term_send(t, "q");
	term_close(t, 3000);
	return ok ? t1 - t0 : NAN;
}

static void tui_argv(const struct ctx *c, const char *argv[8])
{
	argv[0] = c->o->inved;
	argv[1] = "--db";
	argv[2] = c->o->db;
	argv[3] = "--user";
	argv[4] = c->who.user;
	argv[5] = "--org";
	argv[6] = c->who.org;
	argv[7] = NULL;
}

/* Returns whether the TUI came up at all (the later TUI figures need it). */
static bool fig_start(struct ctx *c)
{
	struct fig *f = fig_add(1, "start to first full screen");
	const char *argv[8], *bare_argv[2] = {c->o->bare, NULL};
	int n = c->o->start_runs, got = 0, bgot = 0;
	double *v = calloc((size_t)n, sizeof *v);
	double *b = calloc((size_t)n, sizeof *b);
	bool ok = false;

	snprintf(f->target, sizeof f->target, "<= 30 ms");
	if (!v || !b || !c->o->inved) {
		if (!c->o->inved)
			bench_note("figure 1, 5, 6, 7: no inved binary (give --inved "
			     "PATH or INVED_BIN)");
		goto out;
	}
	tui_argv(c, argv);
	bench_progress("1: start to first screen, %d runs each", n);
	/* one of each first, to load the files into the page cache */
	if (isnan(start_once(argv, tui_ready, true))) {
		bench_note("figure 1, 5, 6, 7: %s did not show the table screen",
		     c->o->inved);
		goto out;
	}
	ok = true;
	if (file_exists(c->o->bare))
		start_once(bare_argv, bare_ready, true);
	for (int i = 0; i < n; i++) {
		/* alternate which goes first, so neither always runs on the
		 * other's warm cache */
		for (int k = 0; k < 2; k++) {
			bool tui = (i + k) % 2 == 0;
			double d;

			if (!tui && !file_exists(c->o->bare))
				continue;
			d = start_once(tui ? argv : bare_argv,
			               tui ? tui_ready : bare_ready, false);
			if (isnan(d))
				continue;
			if (tui)
				v[got++] = d;
			else
				b[bgot++] = d;
		}
	}
	fig_spread(f, v, (size_t)got);
	yard_spread(f->yard, sizeof f->yard, "bare curses", b, (size_t)bgot);
	if (got > 0)
		fig_met(f, bench_pct(v, (size_t)got, 50) <= 0.030);
	if (got < n)
		bench_note("figure 1: %d of %d inved starts did not reach the screen",
		     n - got, n);
out:
	free(v);
	free(b);
	return ok;
}

/* ---- 2. page down anywhere ----------------------------------------------- */

#define PAGE_SQL                                                           \
	"SELECT id, org_id, number, customer, status, total_minor, currency, " \
	"version, created_at, updated_at, coalesce(archived_at, ''), "         \
	"coalesce(deleted_at, '') FROM invoices WHERE org_id = ?1 "            \
	"AND archived_at IS NULL AND deleted_at IS NULL AND id > ?2 "          \
	"ORDER BY id ASC LIMIT ?3"

/* The bare keyset page: step the rows and touch every column, copying
 * nothing. */
static double page_bare(sqlite3_stmt *s, int64_t org, int64_t anchor,
                        size_t *rows)
{
	double t0 = bench_now();
	size_t n = 0;

	sqlite3_bind_int64(s, 1, org);
	sqlite3_bind_int64(s, 2, anchor);
	sqlite3_bind_int64(s, 3, PAGE_ROWS);
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int col = 0; col < 12; col++)
			(void)sqlite3_column_text(s, col);
		n++;
	}
	sqlite3_reset(s);
	*rows = n;
	return bench_now() - t0;
}

static double page_store(struct ctx *c, struct invoice *rows, int64_t anchor,
                         size_t *n)
{
	struct inv_err err;
	double t0 = bench_now();

	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL, anchor, PAGE_AFTER,
	               rows, PAGE_ROWS, n, &err) != INV_OK) {
		bench_progress("store_page: %s", err.msg);
		return NAN;
	}
	return bench_now() - t0;
}

/* The library's read of a page (what PgDn asks the store for) beside the
 * bare keyset SELECT: the detail under figure 2, which is measured on the
 * screen (fig_pgdn). */
static void page_read_detail(struct ctx *c)
{
	int n = c->o->page_iters, warm = n / 10;
	double *v = calloc((size_t)n, sizeof *v);
	double *b = calloc((size_t)n, sizeof *b);
	struct invoice *rows = calloc(PAGE_ROWS, sizeof *rows);
	sqlite3_stmt *s = raw_prepare(c->raw, PAGE_SQL);
	char lib[128], bare[128];
	size_t got = 0, bare_rows = 0, short_pages = 0;

	if (!v || !b || !rows || !s)
		goto out;
	bench_progress("2: %d library page reads from random anchors", n);
	plan_note(c->raw, "the page", PAGE_SQL);
	for (int i = -warm; i < n; i++) {
		int64_t anchor = rng_range(c->min_id - 1, c->max_id);
		double ds, db;
		size_t k = 0;

		if (i % 2 == 0) {
			ds = page_store(c, rows, anchor, &got);
			db = page_bare(s, c->who.org_id, anchor, &k);
		} else {
			db = page_bare(s, c->who.org_id, anchor, &k);
			ds = page_store(c, rows, anchor, &got);
		}
		if (isnan(ds))
			goto out;
		if (got != k) {
			bench_progress("store_page gave %zu rows, the bare page %zu",
			         got, k);
			goto out;
		}
		if (i < 0)
			continue;
		v[i] = ds;
		b[i] = db;
		bare_rows += k;
		if (k < PAGE_ROWS)
			short_pages++;
	}
	yard_spread(lib, sizeof lib, "store_page", v, (size_t)n);
	yard_spread(bare, sizeof bare, "keyset SELECT", b, (size_t)n);
	bench_note("figure 2 (detail): the library read of 40 rows from random "
	     "anchors: %s, p99 %.1f us; %s",
	     lib, bench_pct(v, (size_t)n, 99) * 1e6, bare);
	bench_note("figure 2: %.1f rows a page on average (%zu pages shorter than "
	     "40, at the end of the range)",
	     (double)bare_rows / n, short_pages);
out:
	sqlite3_finalize(s);
	free(rows);
	free(v);
	free(b);
}

/* ---- 3. summary read ------------------------------------------------------- */

#define SUM_SQL                                                         \
	"SELECT currency, count(*), sum(total_minor) FROM invoices "        \
	"WHERE org_id = ?1 AND archived_at IS NULL AND deleted_at IS NULL " \
	"GROUP BY currency"

/* The fair floor of the summary: a plain read of the maintained totals
 * rows on a raw connection (what any program that keeps totals pays).  The
 * SUM over the org, the scan the design avoids, stays as the detail. */
#define TOTALS_SQL                                                    \
	"SELECT state, currency, count, total_minor FROM totals "     \
	"WHERE org_id = ?1 ORDER BY currency"

static void fig_summary(struct ctx *c)
{
	struct fig *f = fig_add(3, "summary read");
	int n = c->o->summary_iters, m = c->o->summary_sum_runs;
	double *v = calloc((size_t)n, sizeof *v);
	double *t = calloc((size_t)n, sizeof *t);
	double *b = calloc((size_t)m, sizeof *b);
	sqlite3_stmt *s = raw_prepare(c->raw, SUM_SQL);
	sqlite3_stmt *tot = raw_prepare(c->raw, TOTALS_SQL);
	struct summary sum;
	struct inv_err err;
	char scan[128];
	int64_t count_sum = 0;

	snprintf(f->target, sizeof f->target, "<= 0.1 ms");
	if (!v || !t || !b || !s || !tot)
		goto out;
	bench_progress("3: %d summaries and totals reads, %d SUMs", n, m);
	plan_note(c->raw, "the SUM", SUM_SQL);
	for (int i = -n / 10; i < n; i++) {
		double t0 = bench_now(), t1;

		if (store_summary(c->st, &c->who, &sum, &err) != INV_OK) {
			bench_progress("store_summary: %s", err.msg);
			goto out;
		}
		t1 = bench_now();
		sqlite3_bind_int64(tot, 1, c->who.org_id);
		while (sqlite3_step(tot) == SQLITE_ROW)
			for (int col = 0; col < 4; col++)
				(void)sqlite3_column_text(tot, col);
		sqlite3_reset(tot);
		if (i >= 0) {
			v[i] = t1 - t0;
			t[i] = bench_now() - t1;
		}
	}
	for (int i = 0; i < m; i++) {
		double t0 = bench_now();

		sqlite3_bind_int64(s, 1, c->who.org_id);
		count_sum = 0;
		while (sqlite3_step(s) == SQLITE_ROW)
			count_sum += sqlite3_column_int64(s, 1);
		sqlite3_reset(s);
		b[i] = bench_now() - t0;
	}
	fig_met(f, bench_pct(v, (size_t)n, 50) <= 0.0001);
	fig_spread(f, v, (size_t)n);
	yard_spread(f->yard, sizeof f->yard, "totals row read", t, (size_t)n);
	bench_note("figure 3: the summary takes %.2f x a plain read of the totals "
	     "rows (medians)",
	     bench_pct(v, (size_t)n, 50) / bench_pct(t, (size_t)n, 50));
	yard_spread(scan, sizeof scan, "SUM over the org (the scan it avoids)",
	            b, (size_t)m);
	bench_note("figure 3 (detail): %s", scan);
	if (count_sum != sum.count[LIFE_ACTIVE])
		bench_note("figure 3: the summary counts %" PRId64 " active, the SUM "
		     "%" PRId64 " (they must agree)",
		     sum.count[LIFE_ACTIVE], count_sum);
out:
	sqlite3_finalize(s);
	sqlite3_finalize(tot);
	free(v);
	free(t);
	free(b);
}

/* ---- 4. guarded edit throughput ------------------------------------------- */

/* The yardstick's tables (yard.c) are made once per file, before any other
 * connection is open, with a rollback journal so the copy is written once
 * rather than twice, and kept for later runs.  inved-bench-gen makes them
 * with the rest of the file; this is for a file that lacks them. */
static int bare_tables_build(const char *path)
{
	sqlite3 *db = raw_open(path);
	double t0 = bench_now();
	int rc = -1;

	if (!db)
		return -1;
	if (yard_ready(db)) {
		sqlite3_close(db);
		return 0;
	}
	bench_progress("copying invoices and audit into the yardstick's tables "
	         "(once per file)");
	/* WAL would write the copy twice; if another connection holds the
	 * file in WAL mode, the switch fails and the copy goes through WAL */
	raw_exec(db, "PRAGMA journal_mode = DELETE");
	raw_exec(db, "PRAGMA cache_size = -262144");
	if (raw_exec(db, "BEGIN IMMEDIATE") != 0)
		goto out;
	if (yard_build(db) != 0 || raw_exec(db, "COMMIT") != 0) {
		raw_exec(db, "ROLLBACK");
		goto out;
	}
	rc = 0;
	bench_progress("yardstick tables ready in %.1f s", bench_now() - t0);
out:
	raw_exec(db, "PRAGMA journal_mode = WAL");
	sqlite3_close(db);
	return rc;
}

struct bare_stmts {
	sqlite3_stmt *load, *begin, *update, *audit, *commit, *rollback;
};

static void bare_stmts_free(struct bare_stmts *b)
{
	sqlite3_finalize(b->load);
	sqlite3_finalize(b->begin);
	sqlite3_finalize(b->update);
	sqlite3_finalize(b->audit);
	sqlite3_finalize(b->commit);
	sqlite3_finalize(b->rollback);
}

static int bare_stmts_prepare(sqlite3 *db, struct bare_stmts *b)
{
	b->load = raw_prepare(db, "SELECT version, total_minor, org_id "
	                          "FROM bare_invoices WHERE id = ?1");
	b->begin = raw_prepare(db, "BEGIN IMMEDIATE");
	b->update = raw_prepare(db,
		"UPDATE bare_invoices SET total_minor = ?1, updated_at = "
		"strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), version = version + 1 "
		"WHERE id = ?2 AND version = ?3");
	b->audit = raw_prepare(db,
		"INSERT INTO bare_audit (at, org_id, actor_user_id, actor, "
		"action, subject_id, from_version, to_version, detail) VALUES "
		"(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2, ?3, "
		"'invoice.edit', ?4, ?5, ?5 + 1, json_object('total_minor', "
		"json_object('old', ?6, 'new', ?7)))");
	b->commit = raw_prepare(db, "COMMIT");
	b->rollback = raw_prepare(db, "ROLLBACK");
	return b->load && b->begin && b->update && b->audit && b->commit &&
	               b->rollback
	               ? 0
	               : -1;
}

static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* One bare edit: load (outside the transaction, like store_get), then the
 * conditional UPDATE and the audit INSERT in one transaction. */
static int bare_edit(struct ctx *c, struct bare_stmts *b, int64_t id)
{
	int64_t version, total, org;

	sqlite3_bind_int64(b->load, 1, id);
	if (sqlite3_step(b->load) != SQLITE_ROW) {
		sqlite3_reset(b->load);
		return -1;
	}
	version = sqlite3_column_int64(b->load, 0);
	total = sqlite3_column_int64(b->load, 1);
	org = sqlite3_column_int64(b->load, 2);
	sqlite3_reset(b->load);
	if (step_done(b->begin) != 0)
		return -1;
	sqlite3_bind_int64(b->update, 1, total + 1);
	sqlite3_bind_int64(b->update, 2, id);
	sqlite3_bind_int64(b->update, 3, version);
	if (step_done(b->update) != 0 || sqlite3_changes(c->raw) != 1)
		goto fail;
	sqlite3_bind_int64(b->audit, 1, org);
	sqlite3_bind_int64(b->audit, 2, c->who.user_id);
	sqlite3_bind_text(b->audit, 3, c->who.user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(b->audit, 4, id);
	sqlite3_bind_int64(b->audit, 5, version);
	sqlite3_bind_int64(b->audit, 6, total);
	sqlite3_bind_int64(b->audit, 7, total + 1);
	if (step_done(b->audit) != 0 || step_done(b->commit) != 0)
		goto fail;
	return 0;
fail:
	step_done(b->rollback);
	return -1;
}

static int guarded_edit(struct ctx *c, int64_t id)
{
	struct invoice row;
	struct invoice_input in = {0};
	struct write_result res;
	struct inv_err err;
	char total[MONEY_TEXT_MAX];

	if (store_get(c->st, &c->who, id, &row, &err) != INV_OK)
		return -1;
	total_plus_one(&row, total, sizeof total);
	in.total = total;
	if (store_edit(c->st, &c->who, id, row.version, &in, 0, &res, &err) !=
	    INV_OK) {
		bench_progress("store_edit %" PRId64 ": %s", id, err.msg);
		return -1;
	}
	return 0;
}

/* Pages each commit appends to the WAL: what a commit costs in I/O. */
struct wal_count {
	long commits;
	long frames;
	int last; /* frames in the WAL after the previous commit; -1 unknown */
};

static int wal_count_hook(void *arg, sqlite3 *db, const char *name, int n)
{
	struct wal_count *w = arg;

	if (w->last >= 0) {
		w->frames += n > w->last ? n - w->last : n;
		w->commits++;
	}
	w->last = n;
	/* a hook replaces SQLite's auto-checkpoint; do what it did */
	if (n >= 1000)
		sqlite3_wal_checkpoint(db, name);
	return SQLITE_OK;
}

static void fig_edit(struct ctx *c)
{
	struct wal_count wg = {0, 0, -1}, wb = {0, 0, -1};
	struct fig *f = fig_add(4, "guarded edit (txn/s)");
	struct bare_stmts b = {0};
	size_t cap = 1 << 20, nlat = 0;
	int rounds = c->o->edit_rounds;
	double *lat = calloc(cap, sizeof *lat);
	double *gr = calloc((size_t)rounds, sizeof *gr);
	double *br = calloc((size_t)rounds, sizeof *br);
	double *rr = calloc((size_t)rounds, sizeof *rr);
	long guarded_n = 0, bare_n = 0, errors = 0;
	char med[24], p99[24];

	snprintf(f->target, sizeof f->target, ">= 85 %% of bare");
	if (!lat || !gr || !br || !rr || !yard_ready(c->raw) ||
	    bare_stmts_prepare(c->raw, &b) != 0)
		goto out;
	bench_progress("4: %d rounds of %.1f s guarded, %.1f s bare",
	         c->o->edit_rounds, c->o->edit_round_s, c->o->edit_round_s);
	/* Rounds alternate the two loops, so load from elsewhere on the
	 * machine falls on both alike. */
	sqlite3_wal_hook((sqlite3 *)store_engine_handle(c->st), wal_count_hook, &wg);
	sqlite3_wal_hook(c->raw, wal_count_hook, &wb);
	for (int r = 0; r < rounds; r++) {
		double t0 = bench_now(), end = t0 + c->o->edit_round_s, t;
		long gn = 0, bn = 0;

		wg.last = -1;
		while ((t = bench_now()) < end) {
			int64_t id = c->sample[bench_rng_next() % c->nsample];

			if (guarded_edit(c, id) != 0) {
				errors++;
				continue;
			}
			if (nlat < cap)
				lat[nlat++] = bench_now() - t;
			gn++;
		}
		gr[r] = (double)gn / (bench_now() - t0);
		t0 = bench_now();
		end = t0 + c->o->edit_round_s;
		wb.last = -1;
		while (bench_now() < end) {
			int64_t id = c->sample[bench_rng_next() % c->nsample];

			if (bare_edit(c, &b, id) != 0) {
				errors++;
				continue;
			}
			bn++;
		}
		br[r] = (double)bn / (bench_now() - t0);
		/* each guarded round against the bare round beside it */
		rr[r] = br[r] > 0 ? gr[r] / br[r] : 0;
		guarded_n += gn;
		bare_n += bn;
	}
	{
		double g = bench_pct(gr, (size_t)rounds, 50);
		double y = bench_pct(br, (size_t)rounds, 50);
		double ratio = bench_pct(rr, (size_t)rounds, 50);

		snprintf(f->median, sizeof f->median, "%.0f txn/s", g);
		snprintf(f->range, sizeof f->range, "%.0f - %.0f", gr[0],
		         gr[rounds - 1]);
		snprintf(f->yard, sizeof f->yard,
		         "bare UPDATE+audit %.0f txn/s [%.0f - %.0f]", y, br[0],
		         br[rounds - 1]);
		snprintf(f->p99, sizeof f->p99, "%.0f %% of bare", ratio * 100);
		fig_met(f, ratio >= 0.85);
		bench_note("figure 4: guarded / bare, round by round: median %.0f %%, "
		     "min %.0f %%, max %.0f %% over %d rounds",
		     ratio * 100, rr[0] * 100, rr[rounds - 1] * 100, rounds);
	}
	fmt_dur(med, sizeof med, bench_pct(lat, nlat, 50));
	fmt_dur(p99, sizeof p99, bench_pct(lat, nlat, 99));
	bench_note("figure 4: %ld guarded edits (one each: median %s, p99 %s), %ld "
	     "bare; %ld failed",
	     guarded_n, med, p99, bare_n, errors);
	bench_note("figure 4: WAL pages a commit: guarded %.1f, bare %.1f",
	     wg.commits ? (double)wg.frames / (double)wg.commits : NAN,
	     wb.commits ? (double)wb.frames / (double)wb.commits : NAN);
out:
	sqlite3_wal_autocheckpoint((sqlite3 *)store_engine_handle(c->st), 1000);
	sqlite3_wal_autocheckpoint(c->raw, 1000);
	bare_stmts_free(&b);
	free(lat);
	free(gr);
	free(br);
	free(rr);
}

/* ---- 5, 6, 7: a live TUI --------------------------------------------------- */

/* utime + stime of all the process's threads, in seconds. */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long utime = 0, stime = 0;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return NAN;
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* the command name may hold spaces: fields start after its ')' */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	                        "%lu %lu", &utime, &stime) != 2)
		return NAN;
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Time on CPU of all the process's threads, in seconds, from the
 * nanosecond counters of /proc/PID/task/TID/schedstat; NAN when the kernel
 * does not keep them.  Clock ticks (10 ms) are too coarse for an idle
 * process that wakes twenty times a second for microseconds. */
static double proc_sched_s(pid_t pid)
{
	char path[64], file[400];
	unsigned long long ns, sum = 0;
	struct dirent *d;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return NAN;
	while ((d = readdir(dir)) != NULL) {
		FILE *fp;

		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "%s/%s/schedstat", path, d->d_name);
		fp = fopen(file, "r");
		if (!fp)
			continue;
		if (fscanf(fp, "%llu", &ns) == 1) {
			sum += ns;
			n++;
		}
		fclose(fp);
	}
	closedir(dir);
	return n > 0 ? (double)sum / 1e9 : NAN;
}

/* A "VmRSS:" style line of /proc/PID/status, in KiB; -1 if absent. */
static long proc_status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long v = -1;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof line, fp))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(fp);
	return v;
}

/* Pump the terminal for s seconds (a TUI must never block on output). */
static long term_drain(struct term *t, double s)
{
	double end = bench_now() + s;
	long bytes = 0;

	for (double left; (left = end - bench_now()) > 0;) {
		int n = term_pump(t, (int)(left * 1000) + 1);

		if (n < 0)
			break;
		bytes += n;
	}
	return bytes;
}

/* The clock of figure 5 starts when the writer's COMMIT starts: SQLite
 * calls the commit hook just before it writes the commit. */
static int commit_started(void *arg)
{
	*(double *)arg = bench_now();
	return 0;
}

static void fig_change(struct ctx *c, struct term *t)
{
	struct fig *f = fig_add(5, "change seen by other terminal");
	int n = c->o->change_count, got = 0;
	double *v = calloc((size_t)n, sizeof *v);
	double *after = calloc((size_t)n, sizeof *after), dv[5];
	double commit_t0 = NAN;
	struct invoice first, row;
	struct write_result res;
	struct inv_err err;
	sqlite3_stmt *s = raw_prepare(c->raw, "PRAGMA data_version");
	unsigned tag = (unsigned)(bench_rng_next() & 0xffff);
	size_t k;
	char med[24], detail[128];

	snprintf(f->target, sizeof f->target, "p99 <= 5 ms");
	if (!v || !after || !s)
		goto out;
	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL, 0, PAGE_AFTER, &first,
	               1, &k, &err) != INV_OK || k != 1) {
		bench_progress("no first row to change");
		goto out;
	}
	bench_progress("5: %d changes to %s seen on the TUI", n, first.number);
	sqlite3_commit_hook((sqlite3 *)store_engine_handle(c->st), commit_started, &commit_t0);
	for (int i = 0; i < n; i++) {
		char customer[64];
		const char *want[] = {customer, NULL};
		struct invoice_input in = {.customer = customer};
		double t_ret;

		/* changes land at any moment of the TUI's life: right after
		 * the last, or after its strip and re-checks went quiet */
		term_drain(t, 0.03 + (double)(bench_rng_next() % 1000) / 2000.0);
		snprintf(customer, sizeof customer, "Bench %04x [%d]", tag, i);
		commit_t0 = NAN;
		if (store_get(c->st, &c->who, first.id, &row, &err) != INV_OK ||
		    store_edit(c->st, &c->who, first.id, row.version, &in, 0,
		               &res, &err) != INV_OK) {
			bench_progress("edit %s: %s", first.number, err.msg);
			continue;
		}
		t_ret = bench_now();
		if (!term_wait(t, want, 3000) || isnan(commit_t0)) {
			bench_progress("change %d was not on screen after 3 s", i);
			term_dump(t, stderr);
			continue;
		}
		v[got] = bench_now() - commit_t0;
		after[got++] = bench_now() - t_ret;
	}
	sqlite3_commit_hook((sqlite3 *)store_engine_handle(c->st), NULL, NULL);
	if (got > 0)
		fig_met(f, bench_pct(v, (size_t)got, 99) <= 0.005);
	fig_spread(f, v, (size_t)got);
	yard_spread(detail, sizeof detail,
	            "from the commit's return (the old clock)", after,
	            (size_t)got);
	bench_note("figure 5 (detail): %s, p99 %.1f ms", detail,
	     bench_pct(after, (size_t)got, 99) * 1e3);
	if (got < n)
		bench_note("figure 5: %d of %d changes never reached the screen",
		     n - got, n);
	/* the yardstick: batches of data_version calls, median batch */
	for (int r = 0; r < 5; r++) {
		int calls = c->o->quick ? 20000 : 200000;
		double t1 = bench_now();

		for (int i = 0; i < calls; i++) {
			sqlite3_step(s);
			sqlite3_reset(s);
		}
		dv[r] = (bench_now() - t1) / calls;
	}
	fmt_dur(med, sizeof med, bench_pct(dv, 5, 50));
	snprintf(f->yard, sizeof f->yard,
	         "commit to inotify wake-up (SPEC: 1.7 ms p99); "
	         "data_version %s a call", med);
out:
	sqlite3_finalize(s);
	free(v);
	free(after);
}

/* CPU of the TUI while nothing happens, in 1 s slices over the stretch
 * (at least 10 s in a full run): the median slice, the spread, and the
 * whole stretch.  It starts shortly after the changes of figure 5, as an
 * operator's screen would sit after a peer's save. */
static void fig_idle(struct ctx *c, struct term *t)
{
	struct fig *f = fig_add(6, "idle CPU of an open TUI");
	pid_t pid = term_pid(t);
	int slices = (int)(c->o->idle_s + 0.5);
	double *v = calloc((size_t)(slices > 0 ? slices : 1), sizeof *v);
	double c0, c1, s0, s1, t0, wall, used, prev;
	long bytes = 0;
	int got = 0;

	snprintf(f->target, sizeof f->target, "<= 0.05 %% of a core");
	if (!v)
		return;
	bench_progress("6: idle for %d s", slices);
	term_wait_quiet(t, 300, 3000);
	c0 = proc_cpu_s(pid);
	s0 = proc_sched_s(pid);
	t0 = bench_now();
	prev = s0;
	for (int i = 0; i < slices; i++) {
		double ts = bench_now(), cur;

		bytes += term_drain(t, 1.0);
		cur = proc_sched_s(pid);
		if (!isnan(cur) && !isnan(prev))
			v[got++] = (cur - prev) / (bench_now() - ts) * 100;
		prev = cur;
	}
	wall = bench_now() - t0;
	c1 = proc_cpu_s(pid);
	s1 = proc_sched_s(pid);
	if (isnan(c0) || isnan(c1)) {
		free(v);
		return;
	}
	/* the nanosecond counters when there are any, else clock ticks */
	used = !isnan(s0) && !isnan(s1) ? s1 - s0 : c1 - c0;
	if (got > 0) {
		snprintf(f->median, sizeof f->median, "%.3f %% of a core",
		         bench_pct(v, (size_t)got, 50));
		snprintf(f->range, sizeof f->range, "%.3f - %.3f %%", v[0],
		         v[got - 1]);
	}
	snprintf(f->p99, sizeof f->p99, "%.0f s: %.3f %%", wall,
	         used / wall * 100);
	fig_met(f, used / wall <= 0.0005);
	bench_note("figure 6: %.4f s on CPU in %.1f s idle, %d slices of 1 s "
	     "(schedstat; clock ticks say %.2f s); the TUI wrote %ld bytes "
	     "meanwhile",
	     isnan(s0) || isnan(s1) ? NAN : s1 - s0, wall, got, c1 - c0, bytes);
	free(v);
}

/* Figure 2 the way an operator meets it: a real PgDn on the 80x24 screen,
 * from the key sent to the new page drawn (its first and last table rows
 * both changed), page after page down the table.  The TUI's CPU per PgDn
 * (drawing included) is the detail.  Figure 7 is read after this walk. */
#define TABLE_FIRST_ROW 3
/* below the table: the message row, the filter line, the summary and the
 * key hints */
#define TABLE_LAST_ROW (TERM_ROWS - 5)

static void fig_pgdn(struct ctx *c, struct term *t, int *pages_done)
{
	struct fig *f = fig_add(2, "page down anywhere (PgDn)");
	int n = c->o->pgdn_count, got = 0;
	double *v = calloc((size_t)n, sizeof *v);
	double s0, s1;
	char first[1024], last[1024], row[1024];

	*pages_done = 0;
	snprintf(f->target, sizeof f->target, "<= 1 ms");
	if (!v)
		return;
	bench_progress("2: %d PgDn on the screen", n);
	term_send(t, "g");
	term_wait_quiet(t, 200, 3000);
	s0 = proc_sched_s(term_pid(t));
	for (int i = 0; i < n; i++) {
		double t0, deadline;
		bool moved = false;

		term_row_text(t, TABLE_FIRST_ROW, first, sizeof first);
		term_row_text(t, TABLE_LAST_ROW, last, sizeof last);
		t0 = bench_now();
		term_send(t, "\x1b[6~");
		deadline = t0 + 3.0;
		while (!moved && bench_now() < deadline) {
			if (term_pump(t, 100) < 0)
				break;
			term_row_text(t, TABLE_FIRST_ROW, row, sizeof row);
			if (strcmp(row, first) == 0)
				continue;
			term_row_text(t, TABLE_LAST_ROW, row, sizeof row);
			moved = strcmp(row, last) != 0;
		}
		if (!moved) {
			bench_progress("PgDn %d did not move the table (its end?)", i);
			break;
		}
		v[got++] = bench_now() - t0;
	}
	s1 = proc_sched_s(term_pid(t));
	*pages_done = got;
	if (got > 0)
		fig_met(f, bench_pct(v, (size_t)got, 50) <= 0.001);
	fig_spread(f, v, (size_t)got);
	if (got > 0 && !isnan(s0) && !isnan(s1))
		snprintf(f->yard, sizeof f->yard,
		         "TUI CPU %.0f us a PgDn; library read below",
		         (s1 - s0) / got * 1e6);
	bench_note("figure 2: %d PgDn timed from the key to the new page on the "
	     "libvterm screen (the runner's own parsing included)", got);
	free(v);
}

/* Figure 7: resident memory after scrolling thousands of pages (fig_pgdn),
 * then the old reading after End, 5 x PgUp, Home as the detail. */
static void fig_memory(struct ctx *c, struct term *t, int pages)
{
	struct fig *f = fig_add(7, "resident memory of the TUI");
	pid_t pid = term_pid(t);
	long rss0 = proc_status_kib(pid, "VmRSS"), rss, hwm0, hwm;

	(void)c;
	snprintf(f->target, sizeof f->target, "<= 16 MiB");
	hwm0 = proc_status_kib(pid, "VmHWM");
	/* visit the far end of the million rows and come back part way */
	term_send(t, "G");
	term_wait_quiet(t, 200, 3000);
	for (int i = 0; i < 5; i++) {
		term_send(t, "\x1b[5~");
		term_wait_quiet(t, 100, 2000);
	}
	term_send(t, "g");
	term_wait_quiet(t, 200, 3000);
	rss = proc_status_kib(pid, "VmRSS");
	hwm = proc_status_kib(pid, "VmHWM");
	if (rss0 < 0 || hwm < 0)
		return;
	snprintf(f->median, sizeof f->median, "RSS %.1f MiB", (double)rss0 / 1024.0);
	snprintf(f->p99, sizeof f->p99, "HWM %.1f MiB", (double)hwm0 / 1024.0);
	snprintf(f->yard, sizeof f->yard, "after %d PgDn (one reading)",
	         pages);
	fig_met(f, hwm0 <= 16 * 1024);
	bench_note("figure 7 (detail): VmRSS %.1f MiB after %d PgDn; then %.1f MiB "
	     "after End, 5 x PgUp, Home; peak (VmHWM) %.1f MiB",
	     (double)rss0 / 1024.0, pages, (double)rss / 1024.0, (double)hwm / 1024.0);
}

static void fig_live(struct ctx *c, bool tui_ok)
{
	const char *argv[8];
	struct term *t = NULL;
	int pages = 0;

	if (tui_ok) {
		tui_argv(c, argv);
		t = term_spawn(argv, TERM_ROWS, TERM_COLS);
		if (t && !term_wait(t, tui_ready, 10000)) {
			bench_progress("the TUI did not show its screen:");
			term_dump(t, stderr);
			term_close(t, 1000);
			t = NULL;
		}
	}
	if (!t) {
		if (want(c->o, 2))
			snprintf(fig_add(2, "page down anywhere (PgDn)")->target,
			         sizeof figs[0].target, "<= 1 ms");
		if (want(c->o, 5))
			snprintf(fig_add(5, "change seen by other terminal")
			         ->target, sizeof figs[0].target, "p99 <= 5 ms");
		if (want(c->o, 6))
			snprintf(fig_add(6, "idle CPU of an open TUI")->target,
			         sizeof figs[0].target, "<= 0.05 %% of a core");
		if (want(c->o, 7))
			snprintf(fig_add(7, "resident memory of the TUI")->target,
			         sizeof figs[0].target, "<= 16 MiB");
		return;
	}
	if (want(c->o, 5))
		fig_change(c, t);
	if (want(c->o, 6))
		fig_idle(c, t);
	if (want(c->o, 2) || want(c->o, 7))
		fig_pgdn(c, t, &pages);
	if (want(c->o, 7))
		fig_memory(c, t, pages);
	term_send(t, "q");
	if (term_close(t, 3000) != 0)
		bench_note("the TUI did not leave cleanly on q");
}

/* ---- 8. the race ---------------------------------------------------------- */

struct tally {
	long landed, conflicts, busy, other;
};

/* One process of the guarded race: its own connection, as a terminal. */
static void race_guarded_child(const struct ctx *c, const int64_t *hot,
                               struct tally *t)
{
	struct store *st = NULL;
	struct identity who;
	struct inv_err err;

	if (store_open(c->o->db,
	               &(struct store_options){STORE_OPEN_EXISTING, 0},
	               &st, &err) != INV_OK ||
	    store_identity(st, c->who.user, c->who.org, &who, &err) != INV_OK) {
		t->other = c->o->race_edits;
		store_close(st);
		return;
	}
	for (int i = 0; i < c->o->race_edits; i++) {
		int64_t id = hot[bench_rng_next() % HOT_INVOICES];
		struct invoice row;
		struct invoice_input in = {0};
		struct write_result res;
		char total[MONEY_TEXT_MAX];
		enum inv_rc rc = store_get(st, &who, id, &row, &err);

		if (rc == INV_OK) {
			total_plus_one(&row, total, sizeof total);
			in.total = total;
			rc = store_edit(st, &who, id, row.version, &in, 0, &res,
			                &err);
		}
		if (rc == INV_OK)
			t->landed++;
		else if (rc == INV_CONFLICT)
			t->conflicts++;
		else if (rc == INV_BUSY)
			t->busy++;
		else
			t->other++;
	}
	store_close(st);
}

/* One process of the naive race: read, add one, write back, no guard. */
static void race_naive_child(const struct ctx *c, const int64_t *hot,
                             struct tally *t)
{
	sqlite3 *db = raw_open(c->o->db);
	sqlite3_stmt *rd, *wr;

	if (!db) {
		t->other = c->o->race_edits;
		return;
	}
	rd = raw_prepare(db, "SELECT total_minor FROM invoices WHERE id = ?1");
	wr = raw_prepare(db, "UPDATE invoices SET total_minor = ?1 "
	                     "WHERE id = ?2");
	for (int i = 0; rd && wr && i < c->o->race_edits; i++) {
		int64_t id = hot[bench_rng_next() % HOT_INVOICES], total;
		int rc;

		sqlite3_bind_int64(rd, 1, id);
		rc = sqlite3_step(rd);
		total = sqlite3_column_int64(rd, 0);
		sqlite3_reset(rd);
		if (rc != SQLITE_ROW) {
			t->other++;
			continue;
		}
		sqlite3_bind_int64(wr, 1, total + 1);
		sqlite3_bind_int64(wr, 2, id);
		rc = sqlite3_step(wr);
		sqlite3_reset(wr);
		if (rc == SQLITE_DONE)
			t->landed++;
		else if ((rc & 0xff) == SQLITE_BUSY)
			t->busy++;
		else
			t->other++;
	}
	sqlite3_finalize(rd);
	sqlite3_finalize(wr);
	sqlite3_close(db);
}

/* Sum of totals and of versions of the hot invoices. */
static int hot_sums(struct ctx *c, const int64_t *hot, int64_t *total,
                    int64_t *version)
{
	struct invoice row;
	struct inv_err err;

	*total = *version = 0;
	for (int i = 0; i < HOT_INVOICES; i++) {
		if (store_get(c->st, &c->who, hot[i], &row, &err) != INV_OK) {
			bench_progress("hot invoice %" PRId64 ": %s", hot[i], err.msg);
			return -1;
		}
		*total += row.total_minor;
		*version += row.version;
	}
	return 0;
}

/* Run P children at once (a start gate holds them until all exist) and
 * add up their tallies. */
static int race_run(struct ctx *c, const int64_t *hot, bool guarded,
                    struct tally *sum, double *secs)
{
	int gate[2], out[2], p = c->o->race_procs, rc = 0;
	pid_t *pids = calloc((size_t)p, sizeof *pids);
	double t0;

	memset(sum, 0, sizeof *sum);
	if (!pids || pipe(gate) != 0)
		return -1;
	if (pipe(out) != 0) {
		close(gate[0]);
		close(gate[1]);
		return -1;
	}
	fflush(NULL);
	for (int i = 0; i < p; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			struct tally t = {0, 0, 0, 0};
			char byte;
			ssize_t w;

			close(gate[1]);
			close(out[0]);
			bench_rng_state = (uint64_t)getpid() * UINT64_C(0x9E3779B97F4A7C15) | 1;
			while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
				;
			if (guarded)
				race_guarded_child(c, hot, &t);
			else
				race_naive_child(c, hot, &t);
			w = write(out[1], &t, sizeof t);
			_exit(w == (ssize_t)sizeof t ? 0 : 1);
		}
		if (pids[i] < 0)
			rc = -1;
	}
	close(gate[0]);
	close(out[1]);
	t0 = bench_now();
	close(gate[1]); /* open the gate */
	for (int i = 0; i < p; i++) {
		struct tally t;
		ssize_t n;

		if (pids[i] <= 0)
			continue;
		n = read(out[0], &t, sizeof t);
		if (n != (ssize_t)sizeof t) {
			rc = -1;
			continue;
		}
		sum->landed += t.landed;
		sum->conflicts += t.conflicts;
		sum->busy += t.busy;
		sum->other += t.other;
	}
	*secs = bench_now() - t0;
	for (int i = 0; i < p; i++) {
		int status;

		if (pids[i] > 0 && (waitpid(pids[i], &status, 0) != pids[i] ||
		                    !WIFEXITED(status) || WEXITSTATUS(status)))
			rc = -1;
	}
	close(out[0]);
	free(pids);
	return rc;
}

static void fig_race(struct ctx *c)
{
	struct fig *f = fig_add(8, "race: guarded edits");
	struct fig *g;
	struct invoice hot_rows[HOT_INVOICES];
	int64_t hot[HOT_INVOICES], t0, v0, t1, v1, lost, vlost;
	struct tally sum;
	struct inv_err err;
	size_t n = 0;
	double secs;
	char buf[64];

	snprintf(f->target, sizeof f->target, "0 lost");
	snprintf(buf, sizeof buf, "%d x %d on %d hot", c->o->race_procs,
	         c->o->race_edits, HOT_INVOICES);
	/* ten neighbours in the middle of the file */
	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL,
	               (c->min_id + c->max_id) / 2, PAGE_AFTER, hot_rows,
	               HOT_INVOICES, &n, &err) != INV_OK || n != HOT_INVOICES) {
		bench_progress("no hot invoices");
		exit_code = 1;
		return;
	}
	for (int i = 0; i < HOT_INVOICES; i++)
		hot[i] = hot_rows[i].id;
	bench_progress("8: %s guarded, then naive", buf);
	if (hot_sums(c, hot, &t0, &v0) != 0 ||
	    race_run(c, hot, true, &sum, &secs) != 0 ||
	    hot_sums(c, hot, &t1, &v1) != 0) {
		bench_progress("the guarded race did not run to the end");
		exit_code = 1;
		return;
	}
	lost = sum.landed - (t1 - t0);
	vlost = sum.landed - (v1 - v0);
	snprintf(f->median, sizeof f->median, "%" PRId64 " lost", lost);
	snprintf(f->p99, sizeof f->p99, "%ld landed", sum.landed);
	fig_met(f, lost == 0 && vlost == 0 && sum.other == 0);
	if (lost != 0 || vlost != 0)
		exit_code = 1;
	bench_note("figure 8: %s, guarded: %ld landed, %ld conflicts, %ld busy, %ld "
	     "other in %.1f s; total +%" PRId64 ", versions +%" PRId64,
	     buf, sum.landed, sum.conflicts, sum.busy, sum.other, secs, t1 - t0,
	     v1 - v0);

	g = fig_add(8, "race: naive read-modify-write");
	snprintf(g->target, sizeof g->target, "(loses updates)");
	if (hot_sums(c, hot, &t0, &v0) != 0 ||
	    race_run(c, hot, false, &sum, &secs) != 0 ||
	    hot_sums(c, hot, &t1, &v1) != 0) {
		bench_progress("the naive race did not run to the end");
		return;
	}
	snprintf(g->median, sizeof g->median, "%" PRId64 " lost",
	         sum.landed - (t1 - t0));
	snprintf(g->p99, sizeof g->p99, "%ld landed", sum.landed);
	snprintf(g->met, sizeof g->met, "-");
	snprintf(f->yard, sizeof f->yard, "naive: %" PRId64 " lost of %ld",
	         sum.landed - (t1 - t0), sum.landed);
	bench_note("figure 8: %s, naive: %ld landed, %ld busy, %ld other in %.1f s; "
	     "total +%" PRId64 " (%" PRId64 " updates lost)",
	     buf, sum.landed, sum.busy, sum.other, secs, t1 - t0,
	     sum.landed - (t1 - t0));
}

/* ---- --compare A B ------------------------------------------------------- */

/* Two builds measured in one call: each run of the whole benchmark (or of
 * --only's figures) is a child runner, the two builds taking turns (A B,
 * B A, A B ...) so drift of the machine falls on both; each figure is then
 * printed with its median over the runs and their spread, A beside B, and
 * the ratio B / A of the medians.  A build is a build directory (its
 * bench/inved-bench and src/inved: the library figures are then that
 * build's too) or an inved binary (this runner drives it: only the screen
 * figures 1, 2, 5, 6 and 7 can differ).  The table is read back by its
 * first two columns, which every version of this runner prints at the
 * same widths. */
#define COMPARE_RUNS_MAX 9
#define COMPARE_FIGS 24

struct build {
	const char *arg;
	char runner[4096];
	char inved[4096];
};

struct cmp_fig {
	char name[40];
	char text[2][COMPARE_RUNS_MAX][24];
	double val[2][COMPARE_RUNS_MAX];
	int n[2];
};

static struct cmp_fig cmp[COMPARE_FIGS];
static int ncmp;

static int build_resolve(const char *arg, struct build *b)
{
	struct stat sb;
	char self[4096];
	ssize_t n;

	b->arg = arg;
	if (stat(arg, &sb) != 0) {
		fprintf(stderr, "inved-bench: --compare: no %s\n", arg);
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		snprintf(b->runner, sizeof b->runner, "%s/bench/inved-bench", arg);
		snprintf(b->inved, sizeof b->inved, "%s/src/inved", arg);
		if (!file_exists(b->runner) || !file_exists(b->inved)) {
			fprintf(stderr, "inved-bench: --compare: %s is not a "
			        "build directory (no bench/inved-bench and "
			        "src/inved)\n", arg);
			return -1;
		}
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	snprintf(b->runner, sizeof b->runner, "%s", self);
	snprintf(b->inved, sizeof b->inved, "%s", arg);
	return 0;
}

/* "390.2 us" -> 3.902e-4; "1646 txn/s" -> 1646; NAN without a number. */
static double cell_value(const char *t)
{
	char *end;
	double v;

	while (*t && !(*t >= '0' && *t <= '9'))
		t++;
	if (!*t)
		return NAN;
	v = strtod(t, &end);
	if (end == t)
		return NAN;
	while (*end == ' ')
		end++;
	if (strncmp(end, "us", 2) == 0)
		return v * 1e-6;
	if (strncmp(end, "ms", 2) == 0)
		return v * 1e-3;
	return v;
}

static void trim_copy(char *dst, size_t len, const char *src, size_t n)
{
	while (n > 0 && *src == ' ') {
		src++;
		n--;
	}
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\n'))
		n--;
	snprintf(dst, len, "%.*s", (int)n, src);
}

static void compare_take(int side, const char *line)
{
	char name[40], med[24];
	struct cmp_fig *f = NULL;
	size_t len = strlen(line);

	if (len < 35 || line[0] < '1' || line[0] > '9')
		return;
	trim_copy(name, sizeof name, line, 33);
	trim_copy(med, sizeof med, line + 34, len - 34 < 18 ? len - 34 : 18);
	for (int i = 0; i < ncmp; i++)
		if (strcmp(cmp[i].name, name) == 0)
			f = &cmp[i];
	if (!f) {
		if (ncmp == COMPARE_FIGS)
			return;
		f = &cmp[ncmp++];
		snprintf(f->name, sizeof f->name, "%s", name);
	}
	if (f->n[side] == COMPARE_RUNS_MAX)
		return;
	snprintf(f->text[side][f->n[side]], sizeof f->text[0][0], "%s", med);
	f->val[side][f->n[side]++] = cell_value(med);
}

/* One child run; its table is read from its stdout, its progress goes to
 * our stderr. */
static int compare_run(int side, const struct build *b, const char *db,
                       const char *const extra[])
{
	const char *argv[24];
	int fds[2], status, k = 0;
	FILE *in;
	char line[1024];
	bool table = false;
	pid_t pid;

	argv[k++] = b->runner;
	argv[k++] = "--db";
	argv[k++] = db;
	argv[k++] = "--inved";
	argv[k++] = b->inved;
	for (int i = 0; extra[i] && k < 23; i++)
		argv[k++] = extra[i];
	argv[k] = NULL;
	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		close(fds[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	while (in && fgets(line, sizeof line, in)) {
		if (strncmp(line, "figure ", 7) == 0)
			table = true;
		else if (table && line[0] == '\n')
			table = false;
		else if (table)
			compare_take(side, line);
	}
	if (in)
		fclose(in);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* "text [lo - hi]" of one side's runs: the middle run by value. */
static void compare_cell(const struct cmp_fig *f, int side, char *buf,
                         size_t len, double *median)
{
	int idx[COMPARE_RUNS_MAX] = {0}, n = f->n[side];

	*median = NAN;
	if (n == 0) {
		snprintf(buf, len, "n/a");
		return;
	}
	for (int i = 0; i < n; i++)
		idx[i] = i;
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && f->val[side][idx[k - 1]] >
		                         f->val[side][idx[k]]; k--) {
			int tmp = idx[k];

			idx[k] = idx[k - 1];
			idx[k - 1] = tmp;
		}
	*median = f->val[side][idx[(n - 1) / 2]];
	if (n == 1)
		snprintf(buf, len, "%s", f->text[side][0]);
	else
		snprintf(buf, len, "%s [%s - %s]",
		         f->text[side][idx[(n - 1) / 2]], f->text[side][idx[0]],
		         f->text[side][idx[n - 1]]);
}

static int compare_main(const char *a, const char *b, int runs,
                        const char *db, const char *const extra[])
{
	struct build bs[2];
	int failed = 0;

	if (build_resolve(a, &bs[0]) != 0 || build_resolve(b, &bs[1]) != 0)
		return 2;
	for (int r = 0; r < runs; r++) {
		for (int k = 0; k < 2; k++) {
			int side = (r + k) % 2;

			bench_progress("compare: run %d of %d, %s", r + 1, runs,
			         side ? "B" : "A");
			if (compare_run(side, &bs[side], db, extra) != 0) {
				bench_progress("compare: the run of %s failed",
				         bs[side].arg);
				failed = 1;
			}
		}
	}
	printf("\ninved-bench --compare: %d runs of each, taking turns, on %s\n",
	       runs, db);
	printf("A = %s (runner %s)\nB = %s (runner %s)\n"
	       "each cell: the median run's median [the lowest - the highest "
	       "run's]\n\n", bs[0].arg, bs[0].runner, bs[1].arg, bs[1].runner);
	printf("%-33s %-44s %-44s %s\n", "figure", "A", "B", "B / A");
	for (int i = 0; i < ncmp; i++) {
		char ca[96], cb[96], ratio[16] = "-";
		double va, vb;

		compare_cell(&cmp[i], 0, ca, sizeof ca, &va);
		compare_cell(&cmp[i], 1, cb, sizeof cb, &vb);
		if (!isnan(va) && !isnan(vb) && va != 0)
			snprintf(ratio, sizeof ratio, "%.2f", vb / va);
		printf("%-33s %-44s %-44s %s\n", cmp[i].name, ca, cb, ratio);
	}
	return failed;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: inved-bench [--db PATH] [--invoices N] [--fresh] "
	        "[--quick]\n"
	        "                   [--compare A B [--runs R]]\n"
	        "                   [--inved PATH] [--bare PATH] [--gen PATH]\n"
	        "                   [--user NAME] [--org NAME] [--seed N] "
	        "[--only LIST]\n"
	        "  --db PATH     the database (default $INVED_BENCH_DB, else\n"
	        "                $XDG_CACHE_HOME/inved-bench/invoices-N.db); "
	        "made with\n"
	        "                inved-bench-gen when it does not exist\n"
	        "  --invoices N  invoices in a file made here (default "
	        "1000000,\n"
	        "                20000 with --quick)\n"
	        "  --fresh       make the file again even if it exists\n"
	        "  --quick       small iteration counts (for CI)\n"
	        "  --inved PATH  the inved binary (default $INVED_BIN, else "
	        "../src/inved\n"
	        "                next to this program)\n"
	        "  --bare PATH   the bare curses yardstick (default "
	        "inved-bench-bare\n"
	        "                next to this program)\n"
	        "  --gen PATH    the generator (default inved-bench-gen next to "
	        "this\n"
	        "                program)\n"
	        "  --user NAME   acting user (default alice)\n"
	        "  --org NAME    acting org (default acme)\n"
	        "  --only LIST   only these figures, e.g. 4 or 2,3\n"
	        "  --compare A B two builds side by side in one call: A and B "
	        "are build\n"
	        "                directories (bench/inved-bench and src/inved "
	        "in each)\n"
	        "                or inved binaries (then only the screen "
	        "figures differ);\n"
	        "                they take turns, --runs times each (default "
	        "3)\n"
	        "  --runs R      runs of each build with --compare (1 to 9)\n"
	        "       inved-bench --pg URI|auto [--quick] ... (--pg auto "
	        "--help)\n");
}

static void opts_sizes(struct opts *o)
{
	o->start_runs = o->quick ? 5 : 20;
	o->page_iters = o->quick ? 1000 : 5000;
	o->summary_iters = o->quick ? 2000 : 20000;
	o->summary_sum_runs = o->quick ? 3 : 5;
	o->edit_rounds = o->quick ? 2 : 5;
	o->edit_round_s = o->quick ? 0.5 : 1.0;
	o->change_count = o->quick ? 10 : 50;
	o->pgdn_count = o->quick ? 200 : 5000;
	o->idle_s = o->quick ? 2.0 : 12.0;
	o->race_procs = o->quick ? 2 : 8;
	o->race_edits = o->quick ? 200 : 2000;
}

/* The file to use when --db is not given: one per size, in the user's
 * cache, so a second run skips the generator. */
static void db_default(struct opts *o, char *buf, size_t len)
{
	const char *env = getenv("INVED_BENCH_DB");
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env && *env) {
		snprintf(buf, len, "%s", env);
	} else if (cache && *cache) {
		snprintf(buf, len, "%s/inved-bench/invoices-%ld.db", cache,
		         o->invoices);
	} else if (home && *home) {
		snprintf(buf, len, "%s/.cache/inved-bench/invoices-%ld.db", home,
		         o->invoices);
	} else {
		snprintf(buf, len, "%s/inved-bench-invoices-%ld.db",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		         o->invoices);
	}
	o->db = buf;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
	static char inved[4096], bare[4096], gen[4096], db[4096];
	char dir[3900];

	memset(o, 0, sizeof *o);
	o->user = "alice";
	o->org = "acme";
	o->seed = 42;
	o->invoices = -1;
	o->inved = getenv("INVED_BIN");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--quick") == 0) {
			o->quick = true;
		} else if (strcmp(a, "--fresh") == 0) {
			o->fresh = true;
		} else if (strcmp(a, "--db") == 0 && more) {
			o->db = argv[++i];
		} else if (strcmp(a, "--invoices") == 0 && more) {
			char *end;

			o->invoices = strtol(argv[++i], &end, 10);
			if (*end || o->invoices < 100 || o->invoices > 100000000L) {
				fprintf(stderr, "inved-bench: --invoices takes 100 "
				        "to 100000000\n");
				return 2;
			}
		} else if (strcmp(a, "--inved") == 0 && more) {
			o->inved = argv[++i];
		} else if (strcmp(a, "--bare") == 0 && more) {
			o->bare = argv[++i];
		} else if (strcmp(a, "--gen") == 0 && more) {
			o->gen = argv[++i];
		} else if (strcmp(a, "--user") == 0 && more) {
			o->user = argv[++i];
		} else if (strcmp(a, "--org") == 0 && more) {
			o->org = argv[++i];
		} else if (strcmp(a, "--only") == 0 && more) {
			/* "4" or "1,5,8": a subset, e.g. to profile one figure */
			for (const char *d = argv[++i]; *d; d++)
				if (*d >= '1' && *d <= '8')
					o->only |= 1u << (*d - '0');
		} else if (strcmp(a, "--seed") == 0 && more) {
			o->seed = strtoull(argv[++i], NULL, 10) | 1;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (o->invoices < 0)
		o->invoices = o->quick ? 20000 : 1000000;
	if (!o->db)
		db_default(o, db, sizeof db);
	exe_dir(dir, sizeof dir);
	if (!o->inved || !*o->inved) {
		snprintf(inved, sizeof inved, "%s/../src/inved", dir);
		o->inved = file_exists(inved) ? inved : NULL;
	}
	if (!o->bare) {
		snprintf(bare, sizeof bare, "%s/inved-bench-bare", dir);
		o->bare = bare;
	}
	if (!o->gen) {
		snprintf(gen, sizeof gen, "%s/inved-bench-gen", dir);
		o->gen = gen;
	}
	opts_sizes(o);
	return 0;
}

/* mkdir -p of the directory part of path. */
static int dir_make(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			bench_progress("cannot make %s: %s", buf, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* Run the generator when the file is missing (or --fresh). */
static int db_ensure(const struct opts *o)
{
	char count[32];
	pid_t pid;
	int status;

	if (file_exists(o->db) && !o->fresh)
		return 0;
	if (!file_exists(o->gen)) {
		fprintf(stderr, "inved-bench: %s does not exist and there is no "
		        "generator at %s (give --gen PATH)\n", o->db, o->gen);
		return -1;
	}
	if (dir_make(o->db) != 0)
		return -1;
	snprintf(count, sizeof count, "%ld", o->invoices);
	bench_progress("making %s with %s invoices (once; --fresh makes it again)",
	         o->db, count);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		/* its report goes to stderr with the rest of the progress */
		dup2(2, 1);
		execl(o->gen, o->gen, "--db", o->db, "--invoices", count,
		      "--force", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "inved-bench: %s could not make %s\n", o->gen,
		        o->db);
		return -1;
	}
	return 0;
}

static void table_print(const struct ctx *c)
{
	char date[64], host[128] = "?";
	time_t now = time(NULL);
	struct tm tm;
	double load[3] = {0, 0, 0};

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", &tm);
	gethostname(host, sizeof host - 1);
	getloadavg(load, 3);
	printf("\ninved-bench %s: %s, %" PRId64 " invoices, as %s @ %s\n",
	       c->o->quick ? "--quick" : "(full)", c->o->db, c->invoices,
	       c->who.user, c->who.org);
	printf("%s, %ld cores online, load average %.2f %.2f %.2f, "
	       "SQLite %s\n\n",
	       date, sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2],
	       sqlite3_libversion());
	/* the figures in SPEC order, whatever order they were measured in */
	for (int i = 1; i < nfigs; i++)
		for (int k = i; k > 0 && figs[k - 1].num > figs[k].num; k--) {
			struct fig tmp = figs[k];

			figs[k] = figs[k - 1];
			figs[k - 1] = tmp;
		}
	/* the first two columns keep their widths: --compare reads them */
	printf("%-33s %-18s %-22s %-16s %-20s %-4s  %s\n", "figure", "median",
	       "min - max", "p99 / detail", "target (SPEC 6)", "met",
	       "yardstick, same run: median [min - max]");
	for (int i = 0; i < nfigs; i++) {
		const struct fig *f = &figs[i];

		printf("%-33s %-18s %-22s %-16s %-20s %-4s  %s\n", f->name,
		       f->median, f->range, f->p99, f->target, f->met, f->yard);
	}
	if (bench_notes[0])
		printf("\n%s", bench_notes);
}

/* --compare A B [--runs R] and the options both children get (--db is
 * settled here, once, and the file made if it is missing). */
static int compare_args(int argc, char **argv)
{
	const char *a = NULL, *b = NULL, *extra[24];
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0, nextra = 0, runs = 3, rc;
	struct opts o;

	if (!rest)
		return 1;
	rest[nrest++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--compare") == 0 && i + 2 < argc) {
			a = argv[++i];
			b = argv[++i];
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			runs = atoi(argv[++i]);
		} else {
			rest[nrest++] = argv[i];
		}
	}
	if (!a || !b || runs < 1 || runs > COMPARE_RUNS_MAX) {
		usage(stderr);
		free(rest);
		return 2;
	}
	rc = opts_parse(nrest, rest, &o);
	if (rc == 0 && db_ensure(&o) != 0)
		rc = 1;
	for (int i = 1; rc == 0 && i < nrest && nextra < 22; i++) {
		/* each child is given its own build's inved, and the file */
		if ((strcmp(rest[i], "--db") == 0 ||
		     strcmp(rest[i], "--inved") == 0) && i + 1 < nrest) {
			i++;
			continue;
		}
		extra[nextra++] = rest[i];
	}
	extra[nextra] = NULL;
	if (rc == 0)
		rc = compare_main(a, b, runs, o.db, extra);
	free(rest);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct ctx c;
	struct inv_err err;
	bool tui_ok;
	int rc;

	/* as the inved process does, for both the guarded and the bare edit */
	store_process_setup();

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--compare") == 0)
			return compare_args(argc, argv);
	/* the PostgreSQL figures are a run of their own (pg.c) */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--pg") == 0) {
#ifdef INVED_BENCH_PG
			return pg_main(argc, argv);
#else
			fprintf(stderr, "inved-bench: built without libpq: no "
			        "PostgreSQL figures\n");
			return 77;
#endif
		}
	rc = opts_parse(argc, argv, &o);
	if (rc)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	memset(&c, 0, sizeof c);
	c.o = &o;
	bench_rng_state = o.seed * UINT64_C(0x9E3779B97F4A7C15) | 1;
	if (db_ensure(&o) != 0)
		return 1;
	if (want(&o, 4) && bare_tables_build(o.db) != 0) {
		fprintf(stderr, "inved-bench: cannot build the yardstick's "
		        "tables in %s\n", o.db);
		return 1;
	}
	if (store_open(o.db,
	               &(struct store_options){STORE_OPEN_EXISTING, 0},
	               &c.st, &err) != INV_OK ||
	    store_identity(c.st, o.user, o.org, &c.who, &err) != INV_OK) {
		fprintf(stderr, "inved-bench: %s\n", err.msg);
		store_close(c.st);
		return 1;
	}
	c.raw = store_engine_handle(c.st) ? raw_open(o.db) : NULL;
	if (!c.raw) {
		store_close(c.st);
		return 1;
	}
	c.invoices = raw_int(c.raw, "SELECT count(*) FROM invoices", 0);
	c.min_id = raw_int(c.raw, "SELECT min(id) FROM invoices", 0);
	c.max_id = raw_int(c.raw, "SELECT max(id) FROM invoices", 0);
	if (c.invoices <= 0 || sample_fill(&c) != 0) {
		fprintf(stderr, "inved-bench: %s holds no invoices of %s; make "
		        "it with inved-bench-gen\n", o.db, c.who.org);
		sqlite3_close(c.raw);
		store_close(c.st);
		return 1;
	}

	tui_ok = o.inved != NULL;
	if (want(&o, 1))
		tui_ok = fig_start(&c);
	if (want(&o, 2))
		page_read_detail(&c);
	if (want(&o, 3))
		fig_summary(&c);
	if (want(&o, 4))
		fig_edit(&c);
	if (want(&o, 2) || want(&o, 5) || want(&o, 6) || want(&o, 7))
		fig_live(&c, tui_ok);
	if (want(&o, 8))
		fig_race(&c);
	table_print(&c);

	if (store_check(c.st, &err) != INV_OK) {
		fprintf(stderr, "inved-bench: after the run: %s\n", err.msg);
		exit_code = 1;
	}
	sqlite3_close(c.raw);
	store_close(c.st);
	return exit_code;
}
