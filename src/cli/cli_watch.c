/*
 * cli_watch.c - `inved watch [--json] [--after SEQ]`: the session org's
 * change feed as a stream for scripts, one line per change, flushed as it
 * is written.
 *
 * The command sleeps in poll() on the store's wake-up descriptor
 * (store_wakeup_fd), never on a timer, except where the store has no
 * descriptor and asks to be polled (STORE_WAKEUP_POLL_MS).  It reads the
 * feed from the last sequence it printed, so nothing committed after the
 * start is missed, and `--after SEQ` resumes a stream where an earlier one
 * stopped.  SIGINT, SIGTERM and SIGHUP, and a reader that went away (the
 * pipe to `head -1` closed), end it with exit 0: a stream has no natural
 * end, so being stopped is its normal one.  The identity is read again
 * before each batch, so a watch ends (forbidden) once its user is no longer
 * a member of the org.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_internal.h"

#define WATCH_BATCH 64

/* Set by the signal handler; the self-pipe wakes the poll() it may have
 * arrived outside of. */
static volatile sig_atomic_t watch_signal;
static int watch_pipe[2] = {-1, -1};

static void watch_on_signal(int sig)
{
	int saved = errno;

	watch_signal = sig;
	if (write(watch_pipe[1], "", 1) < 0) {
		/* full: a byte is already waiting */
	}
	errno = saved;
}

/* The self-pipe and the handlers.  No SA_RESTART: a write blocked on a
 * full pipe returns, so a signal ends even a stalled stream.  A closed
 * pipe is an error on write (EPIPE), not a signal that kills. */
static bool watch_signals_install(void)
{
	static const int stops[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	size_t i;

	if (pipe(watch_pipe) != 0)
		return false;
	for (i = 0; i < 2; i++) {
		int fl = fcntl(watch_pipe[i], F_GETFL);

		if (fl < 0 || fcntl(watch_pipe[i], F_SETFL, fl | O_NONBLOCK) < 0 ||
		    fcntl(watch_pipe[i], F_SETFD, FD_CLOEXEC) < 0)
			return false;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = watch_on_signal;
	for (i = 0; i < sizeof stops / sizeof stops[0]; i++)
		if (sigaction(stops[i], &sa, NULL) != 0)
			return false;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL) == 0;
}

static void watch_signals_remove(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	for (i = 0; i < 2; i++) {
		if (watch_pipe[i] >= 0)
			close(watch_pipe[i]);
		watch_pipe[i] = -1;
	}
}

/* The stream is over: what stdio still holds (a line cut short by a
 * signal, or one the closed pipe refused) goes nowhere, so the flush at
 * exit can neither block on a stalled reader nor raise SIGPIPE. */
static void watch_output_close(void)
{
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
}

/* What one line says about a change beyond the feed's own fields; the
 * parts the session may not read (a deleted invoice for a member, a row
 * removed by another client) stay unknown. */
struct watch_line {
	const struct change *ch;
	bool have_row;
	struct invoice row;         /* the invoice as it is now */
	bool known;                 /* who, when and the version may be shown */
};

struct watch {
	struct cli *c;
	int64_t pos;                /* the newest seq printed */
	int next_ms;                /* from the baseline's wake-up check */
};

static enum inv_rc watch_describe(struct watch *w, const struct change *ch,
                                  struct watch_line *l, struct inv_err *err)
{
	enum inv_rc rc;

	memset(l, 0, sizeof *l);
	l->ch = ch;
	/* the feed row is the audit row, so it names who, when and the
	 * version; of an invoice the session may not read (a deleted one, for
	 * a member) only what the feed itself says is shown */
	l->known = ch->invoice_id == 0;
	if (ch->invoice_id) {
		rc = store_get(w->c->st, &w->c->who, ch->invoice_id, &l->row, err);
		if (rc == INV_NOT_FOUND)
			return INV_OK;
		if (rc != INV_OK)
			return rc;
		l->have_row = true;
		l->known = true;
	}
	return INV_OK;
}

static void watch_json_text(struct json *j, const char *key, bool known,
                            const char *s)
{
	json_key(j, key);
	if (known)
		json_string(j, s);
	else
		json_null(j);
}

static void watch_print_json(const struct watch_line *l)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "seq");
	json_int(&j, l->ch->seq);
	json_key(&j, "action");
	json_string(&j, l->ch->action);
	json_key(&j, "invoice_id");
	if (l->ch->invoice_id)
		json_int(&j, l->ch->invoice_id);
	else
		json_null(&j);
	watch_json_text(&j, "number", l->have_row, l->row.number);
	json_key(&j, "version");
	if (l->known && l->ch->invoice_id)
		json_int(&j, l->ch->to_version);
	else
		json_null(&j);
	watch_json_text(&j, "actor", l->known, l->ch->actor);
	watch_json_text(&j, "at", l->known, l->ch->at);
	watch_json_text(&j, "customer", l->have_row, l->row.customer);
	json_object_end(&j);
	json_finish(&j);
}

/* One field and the tab after it: untrusted text shown visibly (a tab in
 * it is escaped, so the tabs between fields are never ambiguous), "-"
 * where unknown. */
static void watch_field(const char *s, bool known, bool last)
{
	print_text(stdout, known && *s ? s : "-");
	fputc(last ? '\n' : '\t', stdout);
}

static void watch_print_text(const struct watch_line *l)
{
	char num[24];

	snprintf(num, sizeof num, "%" PRId64, l->ch->seq);
	watch_field(num, true, false);
	watch_field(l->ch->action, true, false);
	snprintf(num, sizeof num, "%" PRId64, l->ch->invoice_id);
	watch_field(num, l->ch->invoice_id != 0, false);
	watch_field(l->row.number, l->have_row, false);
	snprintf(num, sizeof num, "v%" PRId64, l->ch->to_version);
	watch_field(num, l->known && l->ch->invoice_id, false);
	watch_field(l->ch->actor, l->known, false);
	watch_field(l->ch->at, l->known, false);
	watch_field(l->row.customer, l->have_row, true);
}

/* How a write to stdout ended: 0 written, 1 the stream is over (the
 * reader left, or a signal came while it was blocked), -1 an error. */
static int watch_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	if (watch_signal || errno == EPIPE)
		return 1;
	return -1;
}

/* Print every change after w->pos.  Returns 0 to go on, else the exit
 * code (after reporting). */
static int watch_drain(struct watch *w, bool *over)
{
	struct change ch[WATCH_BATCH];
	struct watch_line l;
	struct inv_err err;
	enum inv_rc rc;
	size_t n, i;

	inv_err_clear(&err);
	/* the membership that allows the stream is the one of now */
	rc = store_identity(w->c->st, w->c->g->user, w->c->g->org, &w->c->who,
	                    &err);
	if (rc != INV_OK)
		return cli_fail(w->c, rc, &err, NULL, 0);
	do {
		rc = store_changes_since(w->c->st, &w->c->who, w->pos, ch,
		                         WATCH_BATCH, &n, &err);
		if (rc != INV_OK)
			return cli_fail(w->c, rc, &err, NULL, 0);
		for (i = 0; i < n && !watch_signal; i++) {
			int wr;

			rc = watch_describe(w, &ch[i], &l, &err);
			if (rc != INV_OK)
				return cli_fail(w->c, rc, &err, NULL, 0);
			if (w->c->json)
				watch_print_json(&l);
			else
				watch_print_text(&l);
			wr = watch_flush();
			if (wr > 0) {
				*over = true;
				return 0;
			}
			if (wr < 0)
				return cli_end(w->c, 1);
			w->pos = ch[i].seq;
		}
	} while (n == WATCH_BATCH && !watch_signal);
	return 0;
}

/* Wait for a change, a signal or the reader's going away, and print what
 * changed; returns the exit code. */
static int watch_loop(struct watch *w)
{
	struct inv_err err;
	int wake = store_wakeup_fd(w->c->st);
	int next_ms = w->next_ms;
	int out = STDOUT_FILENO;
	bool over = false;
	int code;

	code = watch_drain(w, &over);
	while (code == 0 && !over && !watch_signal) {
		/* events 0 on stdout: poll still reports POLLERR (a pipe
		 * whose reader closed) and POLLHUP (a hung-up terminal) */
		struct pollfd p[3] = {
			{watch_pipe[0], POLLIN, 0},
			{out, 0, 0},
			{wake, POLLIN, 0},
		};
		bool changed = false;
		enum inv_rc rc;

		if (poll(p, wake >= 0 ? 3 : 2, next_ms) < 0) {
			if (errno == EINTR)
				continue;
			inv_err_set(&err, INV_ERROR, "", "%s", strerror(errno));
			return cli_fail(w->c, INV_ERROR, &err, NULL, 0);
		}
		if (p[1].revents & (POLLERR | POLLHUP))
			break;
		if (p[1].revents & POLLNVAL)
			out = -1; /* no stdout at all: its writes will say */
		if (p[0].revents)
			break;
		rc = store_wakeup_check(w->c->st, &changed, &next_ms, &err);
		if (rc != INV_OK)
			return cli_fail(w->c, rc, &err, NULL, 0);
		if (wake < 0 && next_ms < 0)
			next_ms = STORE_WAKEUP_POLL_MS;
		if (changed)
			code = watch_drain(w, &over);
	}
	return code;
}

int cli_watch(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"after", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct watch w;
	struct inv_err err;
	struct cli c;
	int64_t after = -1;
	enum inv_rc rc;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'a':
			if (!cli_parse_int(optarg, 0, INT64_MAX, &after))
				return cli_usage_error(&c, "after",
					_("watch: --after must be a change number "
					  "(0 or more; 0 is from the start), not "
					  "'%s'"),
					optarg);
			break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	code = cli_session_open(&c);
	if (code)
		return code;
	memset(&w, 0, sizeof w);
	w.c = &c;
	inv_err_clear(&err);
	if (!watch_signals_install()) {
		inv_err_set(&err, INV_ERROR, "", "%s", strerror(errno));
		code = cli_fail(&c, INV_ERROR, &err, NULL, 0);
		goto out;
	}
	/* The wake-up's baseline is taken before the head is read: a commit
	 * between the two is either at or below the head, or reported by a
	 * later check (the first check asks to be called again soon, for a
	 * commit that was in flight while the watch was being made). */
	{
		bool changed;

		rc = store_wakeup_check(c.st, &changed, &w.next_ms, &err);
		if (rc != INV_OK) {
			code = cli_fail(&c, rc, &err, NULL, 0);
			goto out;
		}
	}
	w.pos = after;
	if (after < 0) {
		rc = store_changes_head(c.st, &w.pos, &err);
		if (rc != INV_OK) {
			code = cli_fail(&c, rc, &err, NULL, 0);
			goto out;
		}
	}
	code = watch_loop(&w);
	if (code == 0)
		watch_output_close();
out:
	watch_signals_remove();
	cli_session_close(&c);
	return code;
}
