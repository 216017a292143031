/*
 * writer.c - the background writer: every write of the interface runs here,
 * on a thread with its own store connection, so a database locked by
 * another writer never freezes the screen (SPEC 4.1).
 *
 * The main thread queues requests (copied, with the identity they were made
 * under) and polls the notify pipe; the writer runs them in order, one at a
 * time, and posts each result to a second queue.  Order matters: a draft
 * discard queued after a save runs after it.  writer_busy_since() lets the
 * status line say that a write is waiting for the lock.
 *
 * Leaving waits for the writer with a deadline (writer_stop): a write
 * stuck on a lock is abandoned, not waited for.  Every thread started
 * here blocks the signals, so they reach the main thread's handler.
 *
 * The writer's connection is a peer of the screen's store
 * (store_open_peer), opened by writer_start on the caller's thread, so an
 * abandoned writer never reads the screen's store after the screen let
 * go of it; when that open fails, the thread tries again at each request
 * (and reports why to the screen).
 *
 * Also here: the notify pipe shared by the threads, and the detached
 * thread that holds the write lock for the inspector's `l`.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "tui_internal.h"

#define WQ_MAX 16
/* A write that waits for a lock is not in the operator's way (the screen
 * keeps working), so the writer waits longer than the command line does
 * unless the operator set $INVED_BUSY_TIMEOUT. */
#define WRITER_BUSY_MS 10000

struct writer {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake; /* a request was queued, or stop */
	pthread_cond_t room; /* a result was taken */
	pthread_cond_t gone; /* the thread is done (finished set) */
	struct store *main_st; /* the screen's, only read for its location */
	bool busy_given;
	struct store *st;
	struct wreq q[WQ_MAX];
	size_t qhead, qlen;
	struct wres done[WQ_MAX];
	size_t dhead, dlen;
	int64_t busy_since;
	bool stop;
	bool finished; /* the thread has left its loop and closed its store */
};

/* ---- notify pipe ------------------------------------------------------ */

static pthread_mutex_t notify_mu = PTHREAD_MUTEX_INITIALIZER;
static int notify_fd = -1;

void notify_set_fd(int fd)
{
	pthread_mutex_lock(&notify_mu);
	notify_fd = fd;
	pthread_mutex_unlock(&notify_mu);
}

void notify_post(char what)
{
	pthread_mutex_lock(&notify_mu);
	if (notify_fd >= 0) {
		/* the pipe is non-blocking: a full pipe already wakes the
		 * main loop, so a lost byte loses nothing */
		ssize_t rc = write(notify_fd, &what, 1);
		(void)rc;
	}
	pthread_mutex_unlock(&notify_mu);
}

/* ---- the writer thread ----------------------------------------------- */

static enum inv_rc writer_open(struct writer *w, struct inv_err *err)
{
	struct store_options opt = {STORE_OPEN_EXISTING, WRITER_BUSY_MS};

	if (w->st)
		return INV_OK;
	return store_open_peer(w->main_st, w->busy_given ? NULL : &opt, &w->st,
	                       err);
}

static void input_from_req(const struct wreq *r, struct invoice_input *in)
{
	in->customer = r->customer;
	in->status = r->status;
	in->total = r->total;
	in->currency = r->currency;
	/* written only when the request's set holds the number */
	in->number = r->kind == W_EDIT && r->number[0] ? r->number : NULL;
}

/* The draft of the request: a new invoice's keyed by its token. */
static enum inv_rc writer_draft_save(struct writer *w, const struct wreq *r,
                                     struct wres *out)
{
	struct draft *d = calloc(1, sizeof *d);
	enum inv_rc rc;

	if (!d)
		return inv_err_set(&out->err, INV_ERROR, "", _("out of memory"));
	d->invoice_id = r->id;
	text_copy(d->token, sizeof d->token, r->token);
	d->base_version = r->base_version;
	text_copy(d->base_body, sizeof d->base_body, r->base_body);
	text_copy(d->body, sizeof d->body, r->body);
	rc = store_draft_save(w->st, &r->who, d, r->version,
	                      &out->draft_version, &out->draft, &out->err);
	free(d);
	return rc;
}

static enum inv_rc writer_perform(struct writer *w, const struct wreq *r,
                                  struct wres *out)
{
	struct invoice_input in;
	struct inv_err *err = &out->err;
	enum inv_rc rc = writer_open(w, err);

	if (rc != INV_OK)
		return rc;
	input_from_req(r, &in);
	switch (r->kind) {
	case W_EDIT:
		return store_edit_fields(w->st, &r->who, r->id, r->version,
		                         &in, r->fields, r->flags, &out->res,
		                         err);
	case W_CREATE:
		return store_create(w->st, &r->who, r->token,
		                    r->number[0] ? r->number : NULL, &in,
		                    &out->res, err);
	case W_ARCHIVE:
		return store_archive(w->st, &r->who, r->id, r->version,
		                     &out->res, err);
	case W_RESTORE:
		return store_restore(w->st, &r->who, r->id, r->version,
		                     &out->res, err);
	case W_DELETE:
		return store_delete(w->st, &r->who, r->id, r->version,
		                    &out->res, err);
	case W_DRAFT_SAVE:
		return writer_draft_save(w, r, out);
	case W_DRAFT_DISCARD:
		return store_draft_discard(w->st, &r->who, r->id, r->token, err);
	case W_DRIFT:
		return store_drift(w->st, &r->who, r->id, &out->res, err);
	case W_REVERT:
		return store_revert(w->st, &r->who, r->id, r->to_version,
		                    r->version, NULL, &out->res, err);
	}
	return inv_err_set(err, INV_ERROR, "", "%s", _("Unknown request."));
}

static void writer_post(struct writer *w, struct wres *res)
{
	pthread_mutex_lock(&w->mu);
	while (w->dlen == WQ_MAX && !w->stop)
		pthread_cond_wait(&w->room, &w->mu);
	if (w->dlen == WQ_MAX) {
		/* stopping: nobody reads results any more */
		w->dhead = (w->dhead + 1) % WQ_MAX;
		w->dlen--;
	}
	w->done[(w->dhead + w->dlen) % WQ_MAX] = *res;
	w->dlen++;
	w->busy_since = 0;
	pthread_mutex_unlock(&w->mu);
	notify_post(NOTIFY_WRITER);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct wres *res = malloc(sizeof *res);

	if (!res)
		return NULL;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->qlen == 0 && !w->stop)
			pthread_cond_wait(&w->wake, &w->mu);
		if (w->qlen == 0)
			break;
		memset(res, 0, sizeof *res);
		res->req = w->q[w->qhead];
		w->qhead = (w->qhead + 1) % WQ_MAX;
		w->qlen--;
		w->busy_since = app_now();
		pthread_mutex_unlock(&w->mu);

		res->rc = writer_perform(w, &res->req, res);
		writer_post(w, res);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	free(res);
	if (w->st)
		store_close(w->st);
	w->st = NULL;
	pthread_mutex_lock(&w->mu);
	w->finished = true;
	pthread_cond_broadcast(&w->gone);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Threads of ours never take the process's signals: INT, TERM and HUP
 * must reach the main thread, whose handler wakes the loop (a signal
 * taken on a worker would interrupt its SQLite call instead).  A new
 * thread inherits the mask it was created under. */
static int thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* A condition waited on with a deadline on the monotonic clock, as
 * every interval of the interface is measured (writer_stop). */
static void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

struct writer *writer_start(struct store *st, bool busy_given, int notify_wr)
{
	struct writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->main_st = st;
	w->busy_given = busy_given;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->room, NULL);
	cond_init_monotonic(&w->gone);
	notify_set_fd(notify_wr);
	{
		struct inv_err err;

		/* now, while the screen's store is certainly there */
		(void)writer_open(w, &err);
	}
	if (thread_start(&w->thread, writer_main, w)) {
		if (w->st)
			store_close(w->st);
		free(w);
		return NULL;
	}
	return w;
}

bool writer_submit(struct writer *w, const struct wreq *req)
{
	bool ok = false;

	pthread_mutex_lock(&w->mu);
	if (w->qlen < WQ_MAX) {
		w->q[(w->qhead + w->qlen) % WQ_MAX] = *req;
		w->qlen++;
		ok = true;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->mu);
	return ok;
}

bool writer_take(struct writer *w, struct wres *out)
{
	bool ok = false;

	pthread_mutex_lock(&w->mu);
	if (w->dlen > 0) {
		*out = w->done[w->dhead];
		w->dhead = (w->dhead + 1) % WQ_MAX;
		w->dlen--;
		ok = true;
		pthread_cond_signal(&w->room);
	}
	pthread_mutex_unlock(&w->mu);
	return ok;
}

int64_t writer_busy_since(struct writer *w)
{
	int64_t since;

	pthread_mutex_lock(&w->mu);
	since = w->busy_since;
	pthread_mutex_unlock(&w->mu);
	return since;
}

bool writer_stop(struct writer *w, int timeout_ms)
{
	struct timespec until;
	bool finished;

	if (!w)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->wake);
	pthread_cond_broadcast(&w->room);
	while (!w->finished &&
	       pthread_cond_timedwait(&w->gone, &w->mu, &until) != ETIMEDOUT)
		;
	finished = w->finished;
	pthread_mutex_unlock(&w->mu);
	/* nothing more wakes the main loop, which is about to close it */
	notify_set_fd(-1);
	if (!finished) {
		/* a write still waits inside SQLite: the thread keeps w; the
		 * process's exit ends both, and its transaction never commits
		 * or commits whole */
		pthread_detach(w->thread);
		return false;
	}
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->room);
	pthread_cond_destroy(&w->gone);
	free(w);
	return true;
}

/* ---- holding the lock (inspector `l`) -------------------------------- */

struct hold {
	int ms;
	struct store *st; /* the thread's own peer: it may outlive the screen */
};

static void *hold_main(void *arg)
{
	struct hold *h = arg;
	struct inv_err err;

	store_hold_lock(h->st, h->ms, &err);
	store_close(h->st);
	free(h);
	notify_post(NOTIFY_LOCK);
	return NULL;
}

bool writer_hold_lock(struct store *st, int ms)
{
	struct hold *h = malloc(sizeof *h);
	struct inv_err err;
	pthread_t t;

	if (!h)
		return false;
	h->ms = ms;
	if (store_open_peer(st, NULL, &h->st, &err) != INV_OK) {
		free(h);
		return false;
	}
	if (thread_start(&t, hold_main, h)) {
		store_close(h->st);
		free(h);
		return false;
	}
	pthread_detach(t);
	return true;
}
