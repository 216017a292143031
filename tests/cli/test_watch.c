/*
 * test_watch.c - `inved watch`: a real watch process reads the change
 * feed while other processes write.  It prints each change of its org once,
 * in order, from the head on or after --after SEQ; --json lines decode;
 * untrusted text is shown escaped; another org's changes never appear;
 * SIGINT, SIGTERM and a closed output pipe end it with exit 0, and losing
 * the membership ends it as forbidden.
 *
 * The tests wait for lines with poll(), never for time: a bound on each
 * wait only keeps a broken watch from hanging the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"

/* A line the watch should print comes within this (a hang guard only). */
#define LINE_WAIT_MS 60000

struct watcher {
	pid_t pid;
	int out, err; /* read ends; -1 once closed */
	char buf[65536];
	size_t len;
};

/* inved --db DB --user USER [env] watch args... with stdout and stderr on
 * pipes the test reads; closed_out: stdout is a pipe no one reads. */
static void watch_start_out(struct watcher *w, const char *const *env,
                            const char *user, const char *const *args,
                            bool closed_out)
{
	int po[2], pe[2];
	const char *argv[32];
	size_t n = 0, i;

	memset(w, 0, sizeof *w);
	argv[n++] = fx_bin;
	argv[n++] = "--db";
	argv[n++] = fx_db;
	argv[n++] = "--user";
	argv[n++] = user;
	argv[n++] = "watch";
	for (i = 0; args && args[i] && n + 1 < sizeof argv / sizeof argv[0]; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ck_assert_int_eq(pipe(po), 0);
	ck_assert_int_eq(pipe(pe), 0);
	if (closed_out) { /* no reader at all, from the start */
		close(po[0]);
		po[0] = -1;
	}
	w->pid = fork();
	ck_assert_int_ge(w->pid, 0);
	if (w->pid == 0) {
		if (dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
			_exit(126);
		if (po[0] >= 0)
			close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		for (i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		execv(fx_bin, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	w->out = po[0];
	w->err = pe[0];
}

static void watch_start(struct watcher *w, const char *const *env,
                        const char *user, const char *const *args)
{
	watch_start_out(w, env, user, args, false);
}

/* The next line of the watch's stdout (without its newline) into line;
 * false when none came within ms (or the output ended). */
static bool watch_line_within(struct watcher *w, char *line, size_t size,
                              int ms)
{
	for (;;) {
		char *nl = memchr(w->buf, '\n', w->len);
		struct pollfd p = {w->out, POLLIN, 0};
		ssize_t got;
		int r;

		if (nl) {
			size_t n = (size_t)(nl - w->buf);

			ck_assert_uint_lt(n, size);
			memcpy(line, w->buf, n);
			line[n] = '\0';
			w->len -= n + 1;
			memmove(w->buf, nl + 1, w->len);
			return true;
		}
		if (w->out < 0)
			return false;
		r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(r, 0);
		if (r == 0)
			return false;
		ck_assert_uint_lt(w->len, sizeof w->buf - 1);
		got = read(w->out, w->buf + w->len, sizeof w->buf - 1 - w->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			close(w->out);
			w->out = -1;
			continue;
		}
		w->len += (size_t)got;
	}
}

static void watch_line(struct watcher *w, char *line, size_t size)
{
	ck_assert_msg(watch_line_within(w, line, size, LINE_WAIT_MS),
	              "the watch printed no line");
}

/* What the watch said on stderr (all of it; it must have ended). */
static void watch_read_err(struct watcher *w, char *text, size_t size)
{
	size_t len = 0;
	ssize_t got;

	while (len + 1 < size &&
	       (got = read(w->err, text + len, size - 1 - len)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		ck_assert_int_gt(got, 0);
		len += (size_t)got;
	}
	text[len] = '\0';
}

/* Wait for the watch to end; its exit status (128 + signal when killed). */
static int watch_wait(struct watcher *w)
{
	int status = 0;

	while (waitpid(w->pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	w->pid = 0;
	if (w->out >= 0)
		close(w->out);
	w->out = -1;
	return WIFEXITED(status) ? WEXITSTATUS(status)
	                         : 128 + WTERMSIG(status);
}

/* Wait (up to LINE_WAIT_MS, a hang guard) for the watch to end on its
 * own, keeping what it says on stderr in err; its exit status. */
static int watch_ends(struct watcher *w, char *err, size_t size)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = {w->err, POLLIN, 0};
		ssize_t got;
		int r = poll(&p, 1, LINE_WAIT_MS);

		if (r < 0 && errno == EINTR)
			continue;
		ck_assert_msg(r > 0, "the watch did not end");
		ck_assert_uint_lt(len + 1, size);
		got = read(w->err, err + len, size - 1 - len);
		if (got < 0 && errno == EINTR)
			continue;
		ck_assert_int_ge(got, 0);
		if (got == 0)
			break;
		len += (size_t)got;
	}
	err[len] = '\0';
	return watch_wait(w);
}

static int watch_stop(struct watcher *w, int sig)
{
	ck_assert_int_eq(kill(w->pid, sig), 0);
	return watch_wait(w);
}

static void watch_end(struct watcher *w)
{
	if (w->pid > 0) {
		kill(w->pid, SIGKILL);
		watch_wait(w);
	}
	if (w->err >= 0)
		close(w->err);
	w->err = -1;
}

/* ---- the database -------------------------------------------------------- */

/* The newest change seq of the whole database. */
static int64_t head_seq(void)
{
	return fx_sql_int("SELECT coalesce(max(seq), 0) FROM audit");
}

/* A foreign writer (not inved) sets the customer of ref's live row. */
static void foreign_customer(const char *ref, const char *customer)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;

	if (fx_is_uri(fx_db)) {
		/* psql's way: the text as a literal, quotes doubled */
		char sql[1024], *p = sql;
		const char *c;

		p += sprintf(p, "WITH u AS (UPDATE invoices SET customer = '");
		for (c = customer; *c && p < sql + 900; c++) {
			if (*c == '\'')
				*p++ = '\'';
			*p++ = *c;
		}
		snprintf(p, (size_t)(sql + sizeof sql - p),
		         "' WHERE number = '%s' AND deleted_at IS NULL "
		         "RETURNING 1) SELECT count(*) FROM u", ref);
		ck_assert_int_eq(fx_sql_int(sql), 1);
		return;
	}
	ck_assert_int_eq(sqlite3_open(fx_db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "UPDATE invoices SET customer = "
	                                    "?1 WHERE number = ?2 AND "
	                                    "deleted_at IS NULL", -1, &s, NULL),
	                 SQLITE_OK);
	sqlite3_bind_text(s, 1, customer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, ref, -1, SQLITE_STATIC);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_DONE);
	ck_assert_int_eq(sqlite3_changes(h), 1);
	sqlite3_finalize(s);
	sqlite3_close(h);
}

/* user edits ref's total at its current version; the new change's seq. */
static int64_t edit_total(const char *user, const char *ref,
                          const char *total)
{
	struct jv *v = fx_json(AS(user, "show", ref, "--json"), 0);
	char ver[32];
	struct run r;

	snprintf(ver, sizeof ver, "%" PRId64,
	         fx_jint(jv_get(v, "invoice"), "version"));
	jv_free(v);
	r = AS(user, "edit", ref, "--version", ver, "--total", total);
	fx_expect_code(&r, 0);
	run_free(&r);
	return head_seq();
}

/* The fields of a text line, split at its tabs (the line is changed). */
#define WATCH_FIELDS 8
static void split_fields(char *line, char *f[WATCH_FIELDS])
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		char *tab = strchr(p, '\t');

		ck_assert_msg(n < WATCH_FIELDS, "more than %d fields",
		              WATCH_FIELDS);
		f[n++] = p;
		if (!tab)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	ck_assert_msg(n == WATCH_FIELDS, "%zu fields, want %d", n,
	              WATCH_FIELDS);
}

static int64_t line_seq(const char *line)
{
	return strtoll(line, NULL, 10);
}

/* ---- tests --------------------------------------------------------------- */

/* Without --after the stream starts at the head: none of the changes made
 * before it started (the demo's, and one edit) is printed; the first line
 * is a change made while it runs, by another process, and the next edit
 * follows it in order.  The test cannot see when the watch has read the
 * head, so it edits until a line comes. */
START_TEST(watch_from_now_prints_changes_other_processes_commit)
{
	struct watcher w;
	char line[4096], *f[WATCH_FIELDS];
	int64_t before = edit_total("alice", "ACME-1002", "10"), seq = 0;
	int tries;

	watch_start(&w, NULL, "alice", NULL);
	for (tries = 0; tries < 400; tries++) {
		seq = edit_total("bob", "ACME-1002", tries % 2 ? "11" : "12");
		if (watch_line_within(&w, line, sizeof line, 150))
			break;
	}
	ck_assert_msg(tries < 400, "the watch printed nothing");
	ck_assert_msg(line_seq(line) > before,
	              "the watch printed a change from before it started: %s",
	              line);
	/* the line is one of the edits made while it ran: the last one, or
	 * an earlier one whose line came late */
	ck_assert_int_le(line_seq(line), seq);
	split_fields(line, f);
	ck_assert_str_eq(f[1], "invoice.edit");
	ck_assert_str_eq(f[3], "ACME-1002");
	ck_assert_str_eq(f[5], "bob");
	ck_assert_str_eq(f[7], "Initech GmbH");
	/* every later change, in order, each once */
	while (line_seq(line) < seq) {
		int64_t prev = line_seq(line);

		watch_line(&w, line, sizeof line);
		ck_assert_int_gt(line_seq(line), prev);
	}
	ck_assert_int_eq(line_seq(line), seq);
	seq = edit_total("alice", "ACME-1003", "7");
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), seq);
	split_fields(line, f);
	ck_assert_str_eq(f[3], "ACME-1003");
	ck_assert_str_eq(f[5], "alice");
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	watch_end(&w);
}
END_TEST

/* --after SEQ resumes: a second stream started after the last seq the
 * first printed shows exactly the changes made in between, in order, none
 * twice; --after 0 is the whole feed of the org from its first change. */
START_TEST(watch_after_resumes_where_a_stream_stopped)
{
	struct watcher w;
	char line[4096], after[32];
	int64_t head = head_seq(), s1, s2, s3, s4;

	snprintf(after, sizeof after, "%" PRId64, head);
	watch_start(&w, NULL, "alice", ARGS("--after", after));
	s1 = edit_total("alice", "ACME-1002", "20");
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), s1);
	ck_assert_int_eq(watch_stop(&w, SIGTERM), 0);
	watch_end(&w);

	/* two changes while no one watches */
	s2 = edit_total("alice", "ACME-1002", "21");
	s3 = edit_total("bob", "ACME-1003", "22");
	snprintf(after, sizeof after, "%" PRId64, s1);
	watch_start(&w, NULL, "alice", ARGS("--after", after));
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), s2);
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), s3);
	/* and on to what comes next */
	s4 = edit_total("bob", "ACME-1002", "23");
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), s4);
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	watch_end(&w);

	/* from the start: the demo's first change of acme comes first */
	watch_start(&w, NULL, "alice", ARGS("--after", "0"));
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), 1);
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	watch_end(&w);
}
END_TEST

/* Who, when and the version come with the change itself (the feed is the
 * audit), however many later changes followed it on the same invoice
 * before the stream printed it. */
START_TEST(watch_names_who_made_an_old_change)
{
	struct watcher w;
	char line[4096], after[32], *f[WATCH_FIELDS];
	int64_t first;
	int i;

	first = edit_total("bob", "ACME-1003", "30");
	for (i = 0; i < 40; i++) {
		char total[16];

		snprintf(total, sizeof total, "%d", 31 + i);
		edit_total("alice", "ACME-1003", total);
	}
	snprintf(after, sizeof after, "%" PRId64, first - 1);
	watch_start(&w, NULL, "alice", ARGS("--after", after));
	watch_line(&w, line, sizeof line);
	split_fields(line, f);
	ck_assert_int_eq(line_seq(f[0]), first);
	ck_assert_str_eq(f[1], "invoice.edit");
	ck_assert_str_eq(f[3], "ACME-1003");
	ck_assert_str_eq(f[4], "v2");
	ck_assert_str_eq(f[5], "bob");
	ck_assert_int_eq((int)strlen(f[6]), 24); /* ISO-8601, ms */
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	watch_end(&w);
}
END_TEST

/* --json: one object per line that decodes, with every key present and
 * null where the session may not read the invoice (a member and a deleted
 * one). */
START_TEST(watch_json_lines_decode_with_stable_keys)
{
	static const char *const keys[] = {"seq", "action", "invoice_id",
		"number", "version", "actor", "at", "customer"};
	struct watcher w, m;
	char line[4096], after[32];
	struct jv *v, *inv;
	int64_t id, version, seq;
	size_t k;

	snprintf(after, sizeof after, "%" PRId64, head_seq());
	watch_start(&w, NULL, "alice", ARGS("--json", "--after", after));
	watch_start(&m, NULL, "bob", ARGS("--after", after, "--json"));
	seq = edit_total("bob", "ACME-1002", "30.50");
	v = fx_json(AS("alice", "show", "ACME-1002", "--json"), 0);
	inv = jv_get(v, "invoice");
	id = fx_jint(inv, "id");
	version = fx_jint(inv, "version");
	jv_free(v);

	watch_line(&w, line, sizeof line);
	v = jv_parse(line);
	ck_assert_msg(v && v->type == JV_OBJECT, "not one JSON object: %s",
	              line);
	ck_assert_uint_eq(v->n, sizeof keys / sizeof keys[0]);
	for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
		ck_assert_msg(jv_get(v, keys[k]), "no key %s in %s", keys[k], line);
	ck_assert_int_eq(fx_jint(v, "seq"), seq);
	ck_assert_str_eq(fx_jstr(v, "action"), "invoice.edit");
	ck_assert_int_eq(fx_jint(v, "invoice_id"), id);
	ck_assert_str_eq(fx_jstr(v, "number"), "ACME-1002");
	ck_assert_int_eq(fx_jint(v, "version"), version);
	ck_assert_str_eq(fx_jstr(v, "actor"), "bob");
	ck_assert_str_eq(fx_jstr(v, "customer"), "Initech GmbH");
	ck_assert_uint_eq(strlen(fx_jstr(v, "at")), 24); /* ISO-8601, ms */
	jv_free(v);

	/* deleted by the admin: the member's line names only the change */
	{
		char ver[32];
		struct run r;

		snprintf(ver, sizeof ver, "%" PRId64, version);
		r = AS("alice", "delete", "ACME-1002", "--version", ver);
		fx_expect_code(&r, 0);
		run_free(&r);
	}
	seq = head_seq();
	watch_line(&m, line, sizeof line); /* bob's own edit */
	watch_line(&m, line, sizeof line);
	v = jv_parse(line);
	ck_assert_msg(v && v->type == JV_OBJECT, "not JSON: %s", line);
	ck_assert_int_eq(fx_jint(v, "seq"), seq);
	ck_assert_str_eq(fx_jstr(v, "action"), "invoice.delete");
	ck_assert_int_eq(fx_jint(v, "invoice_id"), id);
	for (k = 3; k < sizeof keys / sizeof keys[0]; k++)
		ck_assert_msg(jv_get(v, keys[k])->type == JV_NULL,
		              "a member reads %s of a deleted invoice: %s",
		              keys[k], line);
	jv_free(v);
	/* the admin reads it all */
	watch_line(&w, line, sizeof line);
	v = jv_parse(line);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(fx_jint(v, "seq"), seq);
	ck_assert_str_eq(fx_jstr(v, "number"), "ACME-1002");
	ck_assert_str_eq(fx_jstr(v, "actor"), "alice");
	jv_free(v);
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	ck_assert_int_eq(watch_stop(&m, SIGINT), 0);
	watch_end(&w);
	watch_end(&m);
}
END_TEST

/* SIGINT, SIGTERM and SIGHUP end a waiting watch with exit 0 and nothing
 * on stderr. */
START_TEST(watch_ends_with_zero_on_sigint_sigterm_and_sighup)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct watcher w;
	char line[4096], err[4096], after[32];
	size_t i;

	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		int64_t seq;

		snprintf(after, sizeof after, "%" PRId64, head_seq());
		watch_start(&w, NULL, "alice", ARGS("--after", after));
		/* a line proves it is running and waiting */
		seq = edit_total("alice", "ACME-1002", i % 2 ? "40" : "41");
		watch_line(&w, line, sizeof line);
		ck_assert_int_eq(line_seq(line), seq);
		ck_assert_int_eq(watch_stop(&w, sigs[i]), 0);
		watch_read_err(&w, err, sizeof err);
		ck_assert_str_eq(err, "");
		watch_end(&w);
	}
}
END_TEST

/* `inved watch | head -1`: once the reader has gone, the watch ends with
 * exit 0 (not killed by SIGPIPE), at the latest when the next change is
 * written. */
START_TEST(watch_ends_with_zero_when_its_reader_closes_the_pipe)
{
	struct watcher w;
	char line[4096], err[4096], after[32];
	int64_t seq;

	snprintf(after, sizeof after, "%" PRId64, head_seq());
	watch_start(&w, NULL, "alice", ARGS("--after", after));
	seq = edit_total("alice", "ACME-1002", "50");
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), seq);
	close(w.out);
	w.out = -1;
	edit_total("alice", "ACME-1002", "51");
	ck_assert_int_eq(watch_ends(&w, err, sizeof err), 0);
	ck_assert_str_eq(err, "");
	watch_end(&w);
}
END_TEST

/* A pipe whose reader is gone before the first line is written: the
 * write fails (EPIPE, not a killing SIGPIPE) and the watch ends with 0. */
START_TEST(watch_ends_with_zero_when_its_first_write_finds_no_reader)
{
	struct watcher w;
	char err[4096];

	watch_start_out(&w, NULL, "alice", ARGS("--after", "0"), true);
	ck_assert_int_eq(watch_ends(&w, err, sizeof err), 0);
	ck_assert_str_eq(err, "");
	watch_end(&w);
}
END_TEST

/* Without a file watch (the documented fallback: polling the store every
 * STORE_WAKEUP_POLL_MS) the stream is the same. */
START_TEST(watch_without_inotify_polls_and_prints_the_same)
{
	static const char *const env[] = {"INVED_NO_INOTIFY=1", NULL};
	struct watcher w;
	char line[4096], after[32];
	int64_t seq;

	snprintf(after, sizeof after, "%" PRId64, head_seq());
	watch_start(&w, env, "alice", ARGS("--after", after));
	seq = edit_total("bob", "ACME-1002", "60");
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), seq);
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	watch_end(&w);
}
END_TEST

/* A customer written by another client with an escape sequence, a bidi
 * override and a tab is printed visibly escaped: no raw control or bidi
 * character reaches the terminal, and the line keeps its eight fields. */
START_TEST(watch_shows_hostile_text_escaped)
{
	struct watcher w;
	char line[4096], after[32], *f[WATCH_FIELDS];
	int64_t seq;
	const char *p;

	snprintf(after, sizeof after, "%" PRId64, head_seq());
	watch_start(&w, NULL, "alice", ARGS("--after", after));
	foreign_customer("ACME-1002", "Evil\x1b[2J\xe2\x80\xae" "cba\tX");
	seq = head_seq();
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), seq);
	for (p = line; *p; p++)
		ck_assert_msg(*p == '\t' || (unsigned char)*p >= 0x20,
		              "a raw control byte 0x%02x in: %s",
		              (unsigned char)*p, line);
	ck_assert_ptr_null(strstr(line, "\xe2\x80\xae"));
	split_fields(line, f);
	ck_assert_str_eq(f[1], "invoice.external_edit");
	ck_assert_str_eq(f[5], "external");
	ck_assert_str_eq(f[7], "Evil\\x1b[2J\\u202ecba\\x09X");
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	watch_end(&w);
}
END_TEST

/* A watch shows its own org only: globex's change, committed first, never
 * appears in acme's stream, whose first line is acme's change after it. */
START_TEST(watch_never_shows_another_orgs_changes)
{
	struct watcher w, g;
	char line[4096], after[32];
	int64_t theirs, ours;

	snprintf(after, sizeof after, "%" PRId64, head_seq());
	watch_start(&w, NULL, "alice", ARGS("--after", after));
	watch_start(&g, NULL, "dave", ARGS("--after", after));
	theirs = edit_total("carol", "GLOBEX-1001", "70");
	ours = edit_total("bob", "ACME-1002", "71");
	ck_assert_int_lt(theirs, ours);
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), ours);
	ck_assert_ptr_null(strstr(line, "GLOBEX"));
	watch_line(&g, line, sizeof line);
	ck_assert_int_eq(line_seq(line), theirs);
	ck_assert_ptr_null(strstr(line, "ACME"));
	/* and so on: each stream's next line is its own org's next change */
	ours = edit_total("alice", "ACME-1003", "72");
	theirs = edit_total("dave", "GLOBEX-1002", "73");
	watch_line(&g, line, sizeof line);
	ck_assert_int_eq(line_seq(line), theirs);
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), ours);
	ck_assert_int_eq(watch_stop(&w, SIGINT), 0);
	ck_assert_int_eq(watch_stop(&g, SIGINT), 0);
	watch_end(&w);
	watch_end(&g);
}
END_TEST

/* The stream lasts as long as the membership: a member removed from the
 * org is told, and the watch ends as forbidden (exit 5). */
START_TEST(watch_ends_as_forbidden_when_the_member_is_removed)
{
	struct watcher w;
	char line[4096], err[4096], after[32];
	struct run r;
	int64_t seq;

	snprintf(after, sizeof after, "%" PRId64, head_seq());
	watch_start(&w, NULL, "bob", ARGS("--after", after));
	seq = edit_total("alice", "ACME-1002", "80");
	watch_line(&w, line, sizeof line);
	ck_assert_int_eq(line_seq(line), seq);
	r = AS("alice", "member", "remove", "bob");
	fx_expect_code(&r, 0);
	run_free(&r);
	ck_assert_int_eq(watch_ends(&w, err, sizeof err), 5);
	fx_expect_in(err, "bob");
	watch_end(&w);
}
END_TEST

START_TEST(watch_refuses_bad_options)
{
	static const char *const bad[][3] = {
		{"--after", "-1", NULL},
		{"--after", "x", NULL},
		{"--after", "", NULL},
		{"extra", NULL, NULL},
		{"--bogus", NULL, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct run r = fx_run(NULL, "alice",
		                      ARGS("watch", bad[i][0], bad[i][1]));

		ck_assert_msg(r.code == 2, "watch %s %s: exit %d\n%s", bad[i][0],
		              bad[i][1] ? bad[i][1] : "", r.code, r.err);
		ck_assert_str_eq(r.out, "");
		run_free(&r);
	}
	{
		struct jv *v = fx_json(AS("alice", "watch", "--after", "x",
		                          "--json"), 2);

		ck_assert_str_eq(fx_jstr(v, "error"), "invalid");
		ck_assert_str_eq(fx_jstr(v, "field"), "after");
		jv_free(v);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli-watch");
	TCase *tc = tcase_create("watch");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, watch_from_now_prints_changes_other_processes_commit);
	tcase_add_test(tc, watch_after_resumes_where_a_stream_stopped);
	tcase_add_test(tc, watch_names_who_made_an_old_change);
	tcase_add_test(tc, watch_json_lines_decode_with_stable_keys);
	tcase_add_test(tc, watch_ends_with_zero_on_sigint_sigterm_and_sighup);
	tcase_add_test(tc, watch_ends_with_zero_when_its_reader_closes_the_pipe);
	tcase_add_test(tc, watch_ends_with_zero_when_its_first_write_finds_no_reader);
	tcase_add_test(tc, watch_without_inotify_polls_and_prints_the_same);
	tcase_add_test(tc, watch_shows_hostile_text_escaped);
	tcase_add_test(tc, watch_never_shows_another_orgs_changes);
	tcase_add_test(tc, watch_ends_as_forbidden_when_the_member_is_removed);
	tcase_add_test(tc, watch_refuses_bad_options);
	suite_add_tcase(s, tc);
	return fx_main(s);
}
