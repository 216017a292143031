/*
 * pg.c - inved-bench --pg: the figures of the PostgreSQL backend, each
 * beside its bare yardstick on the same server, in the same run, on a
 * fresh database the runner makes (and drops) for the purpose.
 *
 *   inved-bench --pg URI|auto [--quick] [--runs R] [--invoices N]
 *               [--procs P] [--edits E] [--changes N] [--only LIST]
 *               [--seed N] [--keep]
 *
 * URI reaches the server as a role that may create databases (and, to act
 * as a role that is no superuser, roles); `auto` starts a throwaway
 * cluster of its own with tests/pg/cluster.sh (fsync turned on for the
 * figures) and stops it at the end.  The figures bear the numbers of their
 * SQLite counterparts (run.c), so --only 4,5,8 reads the same:
 *   4 guarded edit: store_get + store_edit_fields adding one minor unit to
 *     the total of a random invoice, as txn/s in 1 s rounds; beside it, in
 *     rounds that alternate with those, the bare edit on a raw libpq
 *     connection: a load, then BEGIN, UPDATE bare_invoices ... WHERE id = $
 *     AND version = $, INSERT INTO bare_audit, COMMIT in one round trip, on
 *     copies of invoices and audit without triggers (pgyard.c), at the
 *     server's one synchronous_commit.
 *   5 change seen by the other terminal: another process with its own
 *     store waits on store_wakeup_fd (the LISTEN socket) as the screen
 *     does, then store_wakeup_check and store_changes_since from its last
 *     position, and stamps each change when it has it; this process edits
 *     the customer of the first invoice and starts the clock before it
 *     calls the edit (PostgreSQL has no commit hook to start it at the
 *     COMMIT, so the clock also holds the edit's load round trip and its
 *     UPDATE: the figure errs high).  p50 and p99 of each run; beside them
 *     the bare edit with pg_notify in its transaction, seen by a raw
 *     LISTEN in another process, timed the same way.
 *   8 race: P processes (default 8) with a store each, E guarded edits each
 *     (default 2,000) on 10 neighbouring invoices, an edit retried after a
 *     conflict by reading the row again until it lands; then the lost
 *     updates, counted four ways: landed - the versions' increase, landed -
 *     the totals' increase, landed - the audit rows of those edits, landed
 *     - the feed's changes of them.  Beside it, once, the naive
 *     read-modify-write on raw connections (SELECT, then UPDATE without a
 *     guard), which loses some.
 * Each figure over several runs (--runs, default 3; figure 4 over 5
 * rounds a run): the median with the lowest and the highest.  Exit 1 when an update was lost or
 * store_check fails afterwards, 77 when `auto` finds no server binaries,
 * never because of a timing.
 */
#include "pg.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "money.h"
#include "pgyard.h"
#include "store.h"
#include "tools.h"
#include "store_tools.h"

#define HOT 10
#define RUNS_MAX 9

struct pg_opts {
	const char *server; /* a URI, or "auto" */
	const char *cluster_sh;
	bool quick, keep;
	int runs;
	long invoices;
	int procs, edits, changes;
	int edit_rounds;
	double edit_round_s;
	unsigned only;
	uint64_t seed;
};

struct pg_fig {
	char name[40], median[32], range[64], p99[32], target[24], met[12];
	char yard[160];
};

static struct pg_fig figs[8];
static int nfigs;
static int exit_code;
/* ---- small tools ------------------------------------------------------------ */

static void fmt_dur(char *buf, size_t len, double s)
{
	if (isnan(s))
		snprintf(buf, len, "n/a");
	else if (s >= 1.0)
		snprintf(buf, len, "%.2f s", s);
	else if (s >= 1e-3)
		snprintf(buf, len, "%.2f ms", s * 1e3);
	else
		snprintf(buf, len, "%.1f us", s * 1e6);
}

/* "median [min - max]" of durations v[0..n) */
static void fmt_spread(char *buf, size_t len, double *v, size_t n)
{
	char med[24], lo[24], hi[24];

	fmt_dur(med, sizeof med, bench_pct(v, n, 50));
	fmt_dur(lo, sizeof lo, n ? v[0] : NAN);
	fmt_dur(hi, sizeof hi, n ? v[n - 1] : NAN);
	snprintf(buf, len, "%s [%s - %s]", med, lo, hi);
}

/* The median and the range cells of a figure from its runs' values. */
static void fill_cells(struct pg_fig *f, double *v, size_t n)
{
	char lo[24], hi[24];

	fmt_dur(f->median, sizeof f->median, bench_pct(v, n, 50));
	fmt_dur(lo, sizeof lo, n ? v[0] : NAN);
	fmt_dur(hi, sizeof hi, n ? v[n - 1] : NAN);
	snprintf(f->range, sizeof f->range, "%s - %s", lo, hi);
}

static struct pg_fig *fig_add(int num, const char *name)
{
	struct pg_fig *f = &figs[nfigs < 7 ? nfigs++ : 7];

	memset(f, 0, sizeof *f);
	snprintf(f->name, sizeof f->name, "%d %s", num, name);
	snprintf(f->median, sizeof f->median, "-");
	snprintf(f->range, sizeof f->range, "-");
	snprintf(f->p99, sizeof f->p99, "-");
	snprintf(f->yard, sizeof f->yard, "-");
	snprintf(f->met, sizeof f->met, "n/a");
	return f;
}

static bool want(const struct pg_opts *o, int fig)
{
	return o->only == 0 || (o->only & (1u << fig));
}

/* ---- the throwaway cluster (auto) ---------------------------------------- */

static char cluster_uri[1024];
static const char *cluster_script;

/* cluster.sh ARG [URI]: its first line of output into out (may be NULL);
 * its exit status, or -1. */
static int cluster_run(const char *arg, const char *uri, char *out,
                       size_t len)
{
	int fd[2], status;
	pid_t pid;
	ssize_t n = 0, got;

	if (pipe(fd) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(fd[0]);
		dup2(fd[1], 1);
		close(fd[1]);
		execlp("bash", "bash", cluster_script, arg, uri, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	if (pid < 0) {
		close(fd[0]);
		return -1;
	}
	while (out && (size_t)n + 1 < len &&
	       ((got = read(fd[0], out + n, len - 1 - (size_t)n)) > 0 ||
	        (got < 0 && errno == EINTR)))
		n += got > 0 ? got : 0;
	if (out) {
		out[n] = '\0';
		out[strcspn(out, "\n")] = '\0';
	}
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cluster_stop(void)
{
	if (cluster_uri[0]) {
		cluster_run("stop", cluster_uri, NULL, 0);
		cluster_uri[0] = '\0';
	}
}

static void on_signal(int sig)
{
	/* the cluster would outlive the run; fork and exec are
	 * async-signal-safe */
	if (cluster_uri[0]) {
		pid_t pid = fork();

		if (pid == 0) {
			execlp("bash", "bash", cluster_script, "stop", cluster_uri,
			       (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	_exit(128 + sig);
}

/* ---- the run's context ------------------------------------------------------ */

struct pgctx {
	struct pg_opts *o;
	struct pgyard_db db;
	struct store *st;
	PGconn *raw;
	struct identity who;
	int64_t min_id, max_id;
};

static void total_plus_one(const struct invoice *row, char *buf, size_t len)
{
	money_format(row->total_minor + 1, row->currency, buf, len);
}

/* The guarded edit of the figures: the row as a terminal loads it, then
 * the edit of its amount at the loaded version. */
static enum inv_rc guarded_edit(struct store *st, const struct identity *who,
                                int64_t id, struct inv_err *err)
{
	struct invoice row;
	struct invoice_input in = {0};
	struct write_result res;
	char total[MONEY_TEXT_MAX];
	enum inv_rc rc = store_get(st, who, id, &row, err);

	if (rc != INV_OK)
		return rc;
	total_plus_one(&row, total, sizeof total);
	in.total = total;
	in.currency = row.currency;
	return store_edit_fields(st, who, id, row.version, &in, MF_MONEY, 0,
	                         &res, err);
}

/* ---- 4. guarded edit -------------------------------------------------------- */

static void fig_edit(struct pgctx *c)
{
	struct pg_fig *f = fig_add(4, "guarded edit (txn/s)");
	int rounds = c->o->edit_rounds * c->o->runs;
	double *gr = calloc((size_t)rounds, sizeof *gr);
	double *br = calloc((size_t)rounds, sizeof *br);
	double *rr = calloc((size_t)rounds, sizeof *rr);
	size_t cap = 1 << 20, nlat = 0;
	double *lat = calloc(cap, sizeof *lat);
	long gn_all = 0, bn_all = 0, errors = 0;
	struct inv_err err;
	char med[24], p99[24];

	snprintf(f->target, sizeof f->target, "(SQLite: >= 85 %%)");
	if (!gr || !br || !rr || !lat)
		goto out;
	bench_progress("4: %d rounds of %.1f s guarded, %.1f s bare", rounds,
	         c->o->edit_round_s, c->o->edit_round_s);
	for (int r = 0; r < rounds; r++) {
		double t0 = bench_now(), end = t0 + c->o->edit_round_s, t;
		long gn = 0, bn = 0;

		while ((t = bench_now()) < end) {
			int64_t id = c->min_id +
			             (int64_t)(bench_rng_next() %
			                       (uint64_t)(c->max_id - c->min_id + 1));

			if (guarded_edit(c->st, &c->who, id, &err) != INV_OK) {
				if (errors++ < 3)
					bench_progress("guarded edit %" PRId64 ": %s", id,
					         err.msg);
				continue;
			}
			if (nlat < cap)
				lat[nlat++] = bench_now() - t;
			gn++;
		}
		gr[r] = (double)gn / (bench_now() - t0);
		t0 = bench_now();
		end = t0 + c->o->edit_round_s;
		while (bench_now() < end) {
			int64_t id = c->min_id +
			             (int64_t)(bench_rng_next() %
			                       (uint64_t)(c->max_id - c->min_id + 1));

			if (pgyard_bare_edit(c->raw, id, c->who.user_id,
			                     c->who.user, NULL) != 0) {
				errors++;
				continue;
			}
			bn++;
		}
		br[r] = (double)bn / (bench_now() - t0);
		rr[r] = br[r] > 0 ? gr[r] / br[r] : 0;
		gn_all += gn;
		bn_all += bn;
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
		snprintf(f->met, sizeof f->met, "-");
		bench_note("figure 4: guarded / bare, round by round: median %.0f %%, "
		     "min %.0f %%, max %.0f %% over %d rounds of %.1f s",
		     ratio * 100, rr[0] * 100, rr[rounds - 1] * 100, rounds,
		     c->o->edit_round_s);
	}
	fmt_dur(med, sizeof med, bench_pct(lat, nlat, 50));
	fmt_dur(p99, sizeof p99, bench_pct(lat, nlat, 99));
	bench_note("figure 4: %ld guarded edits (one each: median %s, p99 %s), %ld "
	     "bare; %ld failed",
	     gn_all, med, p99, bn_all, errors);
out:
	free(gr);
	free(br);
	free(rr);
	free(lat);
}

/* ---- 5. change seen by the other terminal ------------------------------------ */

struct seen {
	int64_t seq;
	double at;
};

/* The other terminal: its own store, woken by the LISTEN socket, reading
 * the feed from its last position as the screen's loop does; each change
 * is written to out with the moment it was in hand.  Until stop is
 * readable (closed). */
static int watcher(const char *uri, const struct identity *who0, int ready,
                   int out, int stop)
{
	struct store *st = NULL;
	struct identity who;
	struct inv_err err;
	int64_t pos = 0;
	int fd, next_ms = -1;
	char byte = 1;

	if (store_open(uri, NULL, &st, &err) != INV_OK ||
	    store_identity(st, who0->user, who0->org, &who, &err) != INV_OK ||
	    store_changes_head(st, &pos, &err) != INV_OK) {
		fprintf(stderr, "inved-bench: the watcher: %s\n", err.msg);
		return 1;
	}
	fd = store_wakeup_fd(st);
	if (fd < 0) {
		fprintf(stderr, "inved-bench: the watcher has no wake-up "
		        "descriptor\n");
		return 1;
	}
	if (write(ready, &byte, 1) != 1)
		return 1;
	for (;;) {
		struct pollfd p[2] = {{fd, POLLIN, 0}, {stop, POLLIN, 0}};
		struct change ch[64];
		bool changed = false;
		size_t n;

		if (poll(p, 2, next_ms) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents)
			break;
		if (store_wakeup_check(st, &changed, &next_ms, &err) != INV_OK) {
			fprintf(stderr, "inved-bench: the watcher: %s\n", err.msg);
			return 1;
		}
		/* the descriptor may be new after a reconnect */
		fd = store_wakeup_fd(st);
		while (changed) {
			if (store_changes_since(st, &who, pos, ch, 64, &n,
			                        &err) != INV_OK) {
				fprintf(stderr, "inved-bench: the watcher: %s\n",
				        err.msg);
				return 1;
			}
			for (size_t i = 0; i < n; i++) {
				struct seen s = {ch[i].seq, bench_now()};

				if (write(out, &s, sizeof s) != (ssize_t)sizeof s)
					return 1;
				pos = ch[i].seq;
			}
			changed = n == 64;
		}
	}
	store_close(st);
	return 0;
}

/* The yardstick's watcher: a raw connection LISTENing on the bare
 * edit's channel; each payload (the writer's counter) is written to out
 * with the moment it arrived. */
static int bare_watcher(const struct pgyard_db *db, int ready, int out,
                        int stop)
{
	PGconn *c = pgyard_listener(db);
	char byte = 1;

	if (!c || write(ready, &byte, 1) != 1)
		return 1;
	for (;;) {
		struct pollfd p[2] = {{PQsocket(c), POLLIN, 0},
		                      {stop, POLLIN, 0}};
		int64_t got[64];
		int n;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents)
			break;
		n = pgyard_notified(c, got, 64);
		if (n < 0)
			return 1;
		for (int i = 0; i < n; i++) {
			struct seen s = {got[i], bench_now()};

			if (write(out, &s, sizeof s) != (ssize_t)sizeof s)
				return 1;
		}
	}
	PQfinish(c);
	return 0;
}

/* Wait up to ms for the watcher's report of seq. */
static bool seen_wait(int in, int64_t seq, double *at, int ms)
{
	double end = bench_now() + ms / 1e3;

	for (;;) {
		struct pollfd p = {in, POLLIN, 0};
		struct seen s;
		int left = (int)((end - bench_now()) * 1e3);

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return false;
		if (read(in, &s, sizeof s) != (ssize_t)sizeof s)
			return false;
		if (s.seq == seq) {
			*at = s.at;
			return true;
		}
	}
}

/* One run of n changes, through the store or (bare) the yardstick's
 * edit with its NOTIFY; the latencies into v, those from the commit's
 * return into after; how many were seen. */
static int change_run(struct pgctx *c, const struct invoice *first, int n,
                      double *v, double *after, int run, bool bare)
{
	int ready[2], seen[2], stop[2], got = 0, status;
	unsigned tag = (unsigned)(bench_rng_next() & 0xffff);
	pid_t pid;
	char byte;

	if (pipe(ready) != 0 || pipe(seen) != 0 || pipe(stop) != 0)
		return 0;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(ready[0]);
		close(seen[0]);
		close(stop[1]);
		_exit(bare ? bare_watcher(&c->db, ready[1], seen[1], stop[0])
		           : watcher(c->db.uri, &c->who, ready[1], seen[1],
		                     stop[0]));
	}
	close(ready[1]);
	close(seen[1]);
	close(stop[0]);
	if (pid < 0 || read(ready[0], &byte, 1) != 1) {
		bench_progress("the watcher did not start");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		char customer[64];
		struct invoice_input in = {.customer = customer};
		struct invoice row;
		struct write_result res;
		struct inv_err err;
		struct timespec gap;
		double t0, t_ret, at;
		long ms = 5 + (long)(bench_rng_next() % 46);

		/* changes at any moment: 5 to 50 ms apart */
		gap.tv_sec = 0;
		gap.tv_nsec = ms * 1000000L;
		nanosleep(&gap, NULL);
		snprintf(customer, sizeof customer, "Bench %04x [%d.%d]", tag,
		         run, i);
		if (bare) {
			char payload[24];

			snprintf(payload, sizeof payload, "%d", i + 1);
			t0 = bench_now();
			if (pgyard_bare_edit(c->raw, first->id, c->who.user_id,
			                     c->who.user, payload) != 0)
				continue;
			t_ret = bench_now();
			if (!seen_wait(seen[0], i + 1, &at, 3000)) {
				bench_progress("bare change %d was not seen after 3 s",
				         i + 1);
				continue;
			}
			v[got] = at - t0;
			after[got++] = at - t_ret;
			continue;
		}
		if (store_get(c->st, &c->who, first->id, &row, &err) != INV_OK) {
			bench_progress("get %s: %s", first->number, err.msg);
			continue;
		}
		t0 = bench_now();
		if (store_edit_fields(c->st, &c->who, first->id, row.version,
		                      &in, MF_CUSTOMER, 0, &res,
		                      &err) != INV_OK) {
			bench_progress("edit %s: %s", first->number, err.msg);
			continue;
		}
		t_ret = bench_now();
		if (!seen_wait(seen[0], res.change_seq, &at, 3000)) {
			bench_progress("change %" PRId64 " was not seen after 3 s",
			         res.change_seq);
			continue;
		}
		v[got] = at - t0;
		after[got++] = at - t_ret;
	}
out:
	close(stop[1]);
	close(ready[0]);
	close(seen[0]);
	if (pid > 0 && (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	                WEXITSTATUS(status) != 0))
		bench_progress("the watcher failed");
	return got;
}

static void fig_change(struct pgctx *c)
{
	struct pg_fig *f = fig_add(5, "change seen, NOTIFY (p50)");
	struct pg_fig *g = fig_add(5, "change seen, NOTIFY (p99)");
	int n = c->o->changes, runs = c->o->runs, total = 0;
	double *v = calloc((size_t)n, sizeof *v);
	double *after = calloc((size_t)n, sizeof *after);
	double p50[RUNS_MAX], p99[RUNS_MAX], a50[RUNS_MAX], a99[RUNS_MAX];
	double b50[RUNS_MAX], b99[RUNS_MAX];
	struct invoice first;
	struct inv_err err;
	size_t k;
	char buf[80], buf2[80];

	snprintf(f->target, sizeof f->target, "(SQLite: p99 5 ms)");
	snprintf(g->target, sizeof g->target, "(SQLite: p99 5 ms)");
	if (!v || !after)
		goto out;
	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL, 0, PAGE_AFTER, &first,
	               1, &k, &err) != INV_OK || k != 1) {
		bench_progress("no first row to change");
		goto out;
	}
	bench_progress("5: %d runs of %d changes to %s seen by another process",
	         runs, n, first.number);
	for (int r = 0; r < runs; r++) {
		int got = change_run(c, &first, n, v, after, r, false);

		total += got;
		if (got < n) {
			/* a timing (3 s each), never a failure of the run */
			bench_note("figure 5: run %d: %d of %d changes not seen within "
			     "3 s", r + 1, n - got, n);
		}
		p50[r] = bench_pct(v, (size_t)got, 50);
		p99[r] = bench_pct(v, (size_t)got, 99);
		a50[r] = bench_pct(after, (size_t)got, 50);
		a99[r] = bench_pct(after, (size_t)got, 99);
		/* the yardstick's run right after, so load falls on both */
		got = change_run(c, &first, n, v, after, r, true);
		b50[r] = bench_pct(v, (size_t)got, 50);
		b99[r] = bench_pct(v, (size_t)got, 99);
	}
	fill_cells(f, p50, (size_t)runs);
	fill_cells(g, p99, (size_t)runs);
	snprintf(f->p99, sizeof f->p99, "runs of %d", n);
	snprintf(g->p99, sizeof g->p99, "runs of %d", n);
	snprintf(f->met, sizeof f->met, "-");
	snprintf(g->met, sizeof g->met, "-");
	fmt_spread(buf, sizeof buf, b50, (size_t)runs);
	fmt_spread(buf2, sizeof buf2, b99, (size_t)runs);
	snprintf(f->yard, sizeof f->yard, "bare UPDATE+audit+NOTIFY %s", buf);
	snprintf(g->yard, sizeof g->yard, "bare UPDATE+audit+NOTIFY %s",
	         buf2);
	fmt_spread(buf, sizeof buf, a50, (size_t)runs);
	fmt_spread(buf2, sizeof buf2, a99, (size_t)runs);
	bench_note("figure 5 (detail): from the edit's return (the old clock; "
	     "below 0 when the other process has the change before the "
	     "writer has its answer): p50 %s, p99 %s",
	     buf, buf2);
	bench_note("figure 5: %d changes seen in %d runs; the clock starts before "
	     "store_edit_fields is called (its load round trip and its UPDATE "
	     "included)",
	     total, runs);
out:
	free(v);
	free(after);
}

/* ---- 8. race ---------------------------------------------------------------- */

struct tally {
	long landed, conflicts, busy, other;
};

static void race_guarded_child(const struct pgctx *c, const int64_t *hot,
                               struct tally *t)
{
	struct store *st = NULL;
	struct identity who;
	struct inv_err err;

	if (store_open(c->db.uri, NULL, &st, &err) != INV_OK ||
	    store_identity(st, c->who.user, c->who.org, &who, &err) != INV_OK) {
		fprintf(stderr, "inved-bench: a racer: %s\n", err.msg);
		t->other = c->o->edits;
		store_close(st);
		return;
	}
	for (int i = 0; i < c->o->edits; i++) {
		int64_t id = hot[bench_rng_next() % HOT];
		enum inv_rc rc;
		int tries = 0;

		/* a conflict means another terminal saved first: read the
		 * row again and add one to what is there now */
		while ((rc = guarded_edit(st, &who, id, &err)) == INV_CONFLICT ||
		       rc == INV_BUSY) {
			if (rc == INV_CONFLICT)
				t->conflicts++;
			else
				t->busy++;
			if (++tries >= 10000)
				break;
		}
		if (rc == INV_OK)
			t->landed++;
		else {
			if (t->other++ < 3)
				fprintf(stderr, "inved-bench: a racer: %s\n",
				        err.msg);
		}
	}
	store_close(st);
}

static void race_naive_child(const struct pgctx *c, const int64_t *hot,
                             struct tally *t)
{
	PGconn *raw = pgyard_connect(&c->db);

	for (int i = 0; raw && i < c->o->edits; i++) {
		if (pgyard_naive_edit(raw, hot[bench_rng_next() % HOT]) == 0)
			t->landed++;
		else
			t->other++;
	}
	if (!raw)
		t->other = c->o->edits;
	PQfinish(raw);
}

/* P children at once behind a start gate; their tallies added up. */
static int race_run(struct pgctx *c, const int64_t *hot, bool guarded,
                    struct tally *sum, double *secs)
{
	int gate[2], out[2], p = c->o->procs, rc = 0;
	pid_t *pids = calloc((size_t)p, sizeof *pids);
	double t0;

	memset(sum, 0, sizeof *sum);
	if (!pids || pipe(gate) != 0) {
		free(pids);
		return -1;
	}
	if (pipe(out) != 0) {
		close(gate[0]);
		close(gate[1]);
		free(pids);
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
			bench_rng_state = (uint64_t)getpid() *
			                    UINT64_C(0x9E3779B97F4A7C15) |
			            1;
			while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
				;
			if (guarded)
				race_guarded_child(c, hot, &t);
			else
				race_naive_child(c, hot, &t);
			w = write(out[1], &t, sizeof t);
			/* never close the parent's connections: _exit */
			_exit(w == (ssize_t)sizeof t ? 0 : 1);
		}
		if (pids[i] < 0)
			rc = -1;
	}
	close(gate[0]);
	close(out[1]);
	t0 = bench_now();
	close(gate[1]);
	for (int i = 0; i < p; i++) {
		struct tally t;

		if (pids[i] <= 0)
			continue;
		if (read(out[0], &t, sizeof t) != (ssize_t)sizeof t) {
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

static int hot_sums(struct pgctx *c, const int64_t *hot, int64_t *total,
                    int64_t *version)
{
	struct invoice row;
	struct inv_err err;

	*total = *version = 0;
	for (int i = 0; i < HOT; i++) {
		if (store_get(c->st, &c->who, hot[i], &row, &err) != INV_OK) {
			bench_progress("hot invoice %" PRId64 ": %s", hot[i], err.msg);
			return -1;
		}
		*total += row.total_minor;
		*version += row.version;
	}
	return 0;
}

/* Edits of the hot invoices in the feed after position from. */
static int64_t feed_edits(struct pgctx *c, const int64_t *hot, int64_t from)
{
	struct change ch[256];
	struct inv_err err;
	int64_t count = 0, pos = from;
	size_t n;

	do {
		if (store_changes_since(c->st, &c->who, pos, ch, 256, &n, &err) !=
		    INV_OK) {
			bench_progress("the feed: %s", err.msg);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			pos = ch[i].seq;
			if (strcmp(ch[i].action, "invoice.edit") != 0)
				continue;
			for (int h = 0; h < HOT; h++)
				if (ch[i].invoice_id == hot[h])
					count++;
		}
	} while (n == 256);
	return count;
}

static void fig_race(struct pgctx *c)
{
	struct pg_fig *f = fig_add(8, "race: guarded edits");
	struct invoice rows[HOT];
	int64_t hot[HOT];
	double rate[RUNS_MAX];
	long conflicts[RUNS_MAX];
	int64_t lost_all = 0;
	struct inv_err err;
	size_t n = 0;
	int runs = c->o->runs, done = 0;
	char what[64];

	snprintf(f->target, sizeof f->target, "0 lost");
	snprintf(what, sizeof what, "%d x %d on %d hot", c->o->procs,
	         c->o->edits, HOT);
	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL,
	               (c->min_id + c->max_id) / 2, PAGE_AFTER, rows, HOT, &n,
	               &err) != INV_OK || n != HOT) {
		bench_progress("no hot invoices");
		exit_code = 1;
		return;
	}
	for (int i = 0; i < HOT; i++)
		hot[i] = rows[i].id;
	bench_progress("8: %d runs of %s guarded, then one naive", runs, what);
	for (int r = 0; r < runs; r++) {
		int64_t t0, v0, t1, v1, audit0, feed0, audits, feeds;
		struct tally s;
		double secs;
		int64_t lost[4];

		audit0 = pgyard_audit_head(c->raw);
		if (hot_sums(c, hot, &t0, &v0) != 0 ||
		    store_changes_head(c->st, &feed0, &err) != INV_OK ||
		    audit0 < 0 || race_run(c, hot, true, &s, &secs) != 0 ||
		    hot_sums(c, hot, &t1, &v1) != 0) {
			bench_progress("the guarded race did not run to the end");
			exit_code = 1;
			return;
		}
		audits = pgyard_audit_edits(c->raw, hot, HOT, audit0);
		feeds = feed_edits(c, hot, feed0);
		lost[0] = s.landed - (v1 - v0);
		lost[1] = s.landed - (t1 - t0);
		lost[2] = s.landed - audits;
		lost[3] = s.landed - feeds;
		for (int k = 0; k < 4; k++)
			if (lost[k] != 0 || audits < 0 || feeds < 0)
				exit_code = 1;
		if (s.other != 0)
			exit_code = 1;
		lost_all += llabs(lost[0]) + llabs(lost[1]) + llabs(lost[2]) +
		            llabs(lost[3]);
		rate[r] = (double)s.landed / secs;
		conflicts[r] = s.conflicts;
		done++;
		bench_note("figure 8: run %d, %s: %ld landed, %ld conflicts (retried), "
		     "%ld busy, %ld failed in %.1f s (%.0f edits/s); versions "
		     "+%" PRId64 ", totals +%" PRId64 ", audit rows %" PRId64
		     ", feed changes %" PRId64 ": lost %" PRId64 "/%" PRId64
		     "/%" PRId64 "/%" PRId64,
		     r + 1, what, s.landed, s.conflicts, s.busy, s.other, secs,
		     rate[r], v1 - v0, t1 - t0, audits, feeds, lost[0], lost[1],
		     lost[2], lost[3]);
	}
	if (done == 0)
		return;
	{
		double cf[RUNS_MAX];

		for (int r = 0; r < done; r++)
			cf[r] = (double)conflicts[r];
		bench_pct(cf, (size_t)done, 50);
		snprintf(f->median, sizeof f->median, "%" PRId64 " lost",
		         lost_all);
		bench_pct(rate, (size_t)done, 50);
		snprintf(f->range, sizeof f->range, "%.0f [%.0f - %.0f] ed/s",
		         bench_pct(rate, (size_t)done, 50), rate[0], rate[done - 1]);
		snprintf(f->p99, sizeof f->p99, "%.0f conflicts",
		         bench_pct(cf, (size_t)done, 50));
		snprintf(f->met, sizeof f->met, "%s", lost_all == 0 ? "yes" : "NO");
	}
	/* the yardstick: the same race without the guard, once */
	{
		int64_t t0, v0, t1, v1;
		struct tally s;
		double secs;

		if (hot_sums(c, hot, &t0, &v0) != 0 ||
		    race_run(c, hot, false, &s, &secs) != 0 ||
		    hot_sums(c, hot, &t1, &v1) != 0) {
			bench_progress("the naive race did not run to the end");
			return;
		}
		snprintf(f->yard, sizeof f->yard,
		         "naive: %" PRId64 " lost of %ld (%.0f ed/s)",
		         s.landed - (t1 - t0), s.landed, (double)s.landed / secs);
		bench_note("figure 8: naive, %s: %ld landed, %ld failed in %.1f s; "
		     "totals +%" PRId64 " (%" PRId64 " updates lost)",
		     what, s.landed, s.other, secs, t1 - t0,
		     s.landed - (t1 - t0));
	}
}

/* ---- the run ---------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: inved-bench --pg URI|auto [--quick] [--runs R] "
	        "[--invoices N]\n"
	        "                   [--procs P] [--edits E] [--changes N] "
	        "[--only LIST]\n"
	        "                   [--seed N] [--keep] [--cluster PATH]\n"
	        "  --pg URI      a server (postgresql://...) whose role may "
	        "create\n"
	        "                databases; auto: a throwaway cluster of "
	        "its own\n"
	        "  --runs R      runs of each figure (1 to %d; default 3, 1 "
	        "with --quick)\n"
	        "  --invoices N  invoices in the fresh database (default "
	        "20000)\n"
	        "  --procs P, --edits E  the race (default 8 x 2000)\n"
	        "  --changes N   changes a run of figure 5 (default 200)\n"
	        "  --only LIST   of the figures 4, 5, 8\n"
	        "  --keep        keep the database (it is dropped otherwise)\n"
	        "  --cluster PATH  tests/pg/cluster.sh, for auto\n",
	        RUNS_MAX);
}

static int opts_parse(int argc, char **argv, struct pg_opts *o)
{
	int runs = -1, procs = -1, edits = -1, changes = -1;

	memset(o, 0, sizeof *o);
	o->invoices = -1;
	o->seed = 42;
	o->cluster_sh = getenv("INVED_PG_CLUSTER_SH");
#ifdef INVED_BENCH_CLUSTER_SH
	if (!o->cluster_sh || !*o->cluster_sh)
		o->cluster_sh = INVED_BENCH_CLUSTER_SH;
#endif
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--pg") == 0 && more) {
			o->server = argv[++i];
		} else if (strcmp(a, "--quick") == 0) {
			o->quick = true;
		} else if (strcmp(a, "--keep") == 0) {
			o->keep = true;
		} else if (strcmp(a, "--runs") == 0 && more) {
			runs = atoi(argv[++i]);
		} else if (strcmp(a, "--invoices") == 0 && more) {
			o->invoices = atol(argv[++i]);
		} else if (strcmp(a, "--procs") == 0 && more) {
			procs = atoi(argv[++i]);
		} else if (strcmp(a, "--edits") == 0 && more) {
			edits = atoi(argv[++i]);
		} else if (strcmp(a, "--changes") == 0 && more) {
			changes = atoi(argv[++i]);
		} else if (strcmp(a, "--cluster") == 0 && more) {
			o->cluster_sh = argv[++i];
		} else if (strcmp(a, "--only") == 0 && more) {
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
	o->runs = runs > 0 ? runs : o->quick ? 1 : 3;
	o->procs = procs > 0 ? procs : o->quick ? 2 : 8;
	o->edits = edits > 0 ? edits : o->quick ? 200 : 2000;
	o->changes = changes > 0 ? changes : o->quick ? 20 : 200;
	if (o->invoices < 0)
		o->invoices = o->quick ? 2000 : 20000;
	o->edit_rounds = o->quick ? 2 : 5;
	o->edit_round_s = o->quick ? 0.5 : 1.0;
	if (!o->server || o->runs > RUNS_MAX || o->invoices < HOT * 2 ||
	    o->invoices > 100000000L || o->procs > 64) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static void table_print(const struct pgctx *c)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	double load[3] = {0, 0, 0};

	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M %Z", &tm);
	getloadavg(load, 3);
	printf("\ninved-bench --pg%s: a fresh database of %ld invoices, "
	       "as %s @ %s%s\n",
	       c->o->quick ? " --quick" : "", c->o->invoices, c->who.user,
	       c->who.org,
	       c->db.owner_is_super ? " (a superuser: row security skipped)"
	                            : " (a role under row security)");
	printf("%s; %s, %ld cores online, load average %.2f %.2f %.2f; "
	       "%d run(s) a figure\n\n",
	       c->db.settings, date, sysconf(_SC_NPROCESSORS_ONLN), load[0],
	       load[1], load[2], c->o->runs);
	printf("%-33s %-18s %-22s %-16s %-20s %-4s  %s\n", "figure", "median",
	       "min - max", "p99 / detail", "target (SQLite's)", "met",
	       "yardstick, same run: median [min - max]");
	for (int i = 0; i < nfigs; i++) {
		const struct pg_fig *f = &figs[i];

		printf("%-33s %-18s %-22s %-16s %-20s %-4s  %s\n", f->name,
		       f->median, f->range, f->p99, f->target, f->met, f->yard);
	}
	if (bench_notes[0])
		printf("\n%s", bench_notes);
}

/* Make the database, its acting member, its invoices and the yardstick's
 * tables; open the store on it. */
static int setup(struct pgctx *c)
{
	struct inv_err err;
	struct invoice row;
	size_t n;
	double t0 = bench_now();

	bool own = strcmp(c->o->server, "auto") == 0;

	if (pgyard_create(own ? cluster_uri : c->o->server, &c->db) != 0)
		return -1;
	bench_progress("database %s, acting as %s", c->db.name, c->db.owner);
	if (store_open(c->db.uri,
	               &(struct store_options){STORE_OPEN_CREATE, 0}, &c->st,
	               &err) != INV_OK ||
	    store_add_member(c->st, c->db.owner, "bench", ROLE_ADMIN, &err) !=
	            INV_OK ||
	    store_identity(c->st, NULL, "bench", &c->who, &err) != INV_OK) {
		bench_progress("%s", err.msg);
		return -1;
	}
	c->raw = pgyard_connect(&c->db);
	if (!c->raw || pgyard_fill(c->raw, c->who.org_id, c->o->invoices) != 0)
		return -1;
	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL, 0, PAGE_AFTER, &row,
	               1, &n, &err) != INV_OK || n != 1)
		return -1;
	c->min_id = row.id;
	if (store_page(c->st, &c->who, VIEW_ACTIVE, NULL, INT64_MAX,
	               PAGE_BEFORE, &row, 1, &n, &err) != INV_OK || n != 1)
		return -1;
	c->max_id = row.id;
	bench_progress("%ld invoices and the yardstick's tables in %.1f s",
	         c->o->invoices, bench_now() - t0);
	return 0;
}

int pg_main(int argc, char **argv)
{
	struct pg_opts o;
	struct pgctx c;
	struct inv_err err;
	int rc = opts_parse(argc, argv, &o);

	if (rc)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	memset(&c, 0, sizeof c);
	c.o = &o;
	bench_rng_state = o.seed * UINT64_C(0x9E3779B97F4A7C15) | 1;
	if (strcmp(o.server, "auto") == 0) {
		if (!o.cluster_sh) {
			fprintf(stderr, "inved-bench: --pg auto needs "
			        "tests/pg/cluster.sh (--cluster PATH)\n");
			return 1;
		}
		cluster_script = o.cluster_sh;
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		signal(SIGHUP, on_signal);
		bench_progress("starting a throwaway cluster (fsync on)");
		/* commits that reach the disk, as SQLite's synchronous=FULL */
		setenv("INVED_PG_FSYNC", "on", 1);
		rc = cluster_run("start", NULL, cluster_uri, sizeof cluster_uri);
		if (rc != 0 || !cluster_uri[0]) {
			cluster_uri[0] = '\0';
			/* 77: no server binaries, the test runner's "skipped" */
			return rc == 77 ? 77 : 1;
		}
		/* the cluster's own database is not ours to fill */
	}
	if (setup(&c) != 0) {
		exit_code = 1;
		goto out;
	}
	if (want(&o, 4))
		fig_edit(&c);
	if (want(&o, 5))
		fig_change(&c);
	if (want(&o, 8))
		fig_race(&c);
	table_print(&c);
	fflush(stdout);
	if (store_check(c.st, &err) != INV_OK) {
		fprintf(stderr, "inved-bench: after the run: %s\n", err.msg);
		exit_code = 1;
	}
out:
	PQfinish(c.raw);
	store_close(c.st);
	if (!o.keep)
		pgyard_drop(&c.db);
	else if (c.db.name[0])
		bench_progress("kept %s", c.db.uri);
	cluster_stop();
	return exit_code;
}
