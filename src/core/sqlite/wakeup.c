/*
 * wakeup.c - the SQLite store's wake-up: how an idle face learns that
 * another connection committed, without polling (SPEC 3.2, store.h).
 *
 * An inotify descriptor watches three things: the -wal file (a WAL commit
 * writes its frames there), the database file (a checkpoint, or a writer
 * in rollback-journal mode), and their directory, for a -wal or -journal
 * file that is created, deleted or renamed (the watch on a -wal that was
 * replaced would otherwise follow the old file into silence).  A fourth
 * watch on the presence directory (presence.c) wakes the face when a form
 * opens or closes elsewhere; that is no commit, so it only wakes.  The face
 * poll()s the descriptor; sq_wakeup_check() then reads the events and
 * confirms with PRAGMA data_version, which moves exactly when another
 * connection committed.
 *
 * The invariant is that no commit goes unseen:
 * - A commit's last write to the -wal comes before it is visible (the
 *   fsync and the wal-index update follow), so an event whose commit is
 *   not yet visible is checked again, at growing intervals, for
 *   WAKEUP_SETTLE_MS after the last event.  The watch's creation counts
 *   as such an event: a commit that wrote its frames just before the
 *   watch was armed has no event of its own.
 * - A queue overflow (IN_Q_OVERFLOW), a replaced -wal or database file, or
 *   a read error re-arms every watch and reports a change, so the caller
 *   reads the change feed from its last position: never silence.
 * - Where no watch can be had at all (no inotify, no room for a watch, or
 *   INVED_NO_INOTIFY set), the face polls data_version every
 *   STORE_WAKEUP_POLL_MS, and sq_wakeup_describe() says so.
 *
 * INVED_NO_INOTIFY=1 and INVED_TEST_INOTIFY_OVERFLOW=1 (every batch of
 * events is treated as an overflowed queue, its events lost) are testing
 * aids for these fall-backs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cache.h"
#include "i18n.h"
#include "sqlite_store.h"

/* How long after the last event a commit may still become visible (its
 * fsync under load), and the longest gap between two checks meanwhile.
 * For the first WAKEUP_FINE_MS the checks come every millisecond, so a
 * commit is seen within a millisecond of becoming visible even when its
 * fsync takes a tenth of a second on a busy disk (measured: with 20 ms,
 * one change in fifty was seen 100-275 ms late, the gaps having grown
 * while the fsync ran); a check costs a few microseconds, so this is
 * about a millisecond of CPU an event.  After that the gaps double. */
#define WAKEUP_SETTLE_MS 30000
#define WAKEUP_FINE_MS 250
#define WAKEUP_STEP_MAX_MS 2000

struct sq_wakeup {
	int fd;          /* inotify, or -1 when polling */
	int wd_dir, wd_db, wd_wal, wd_pres;
	char *path;      /* the database file, symbolic links resolved */
	char *dir;       /* its directory */
	char *base;      /* the database's file name */
	char *wal;       /* full path of the -wal file */
	char *pres;      /* the presence directory (presence.c) */
	int64_t dv;      /* data_version at the last check */
	int64_t last_event_ms; /* 0: not settling */
	int64_t recheck_ms;    /* when to check again while settling */
	int64_t step_ms;
	bool test_overflow;
	char why[160]; /* polling: the reason */
};

static bool env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0") != 0;
}

static void wakeup_poll_mode(struct sq_wakeup *w, const char *why)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	w->wd_dir = w->wd_db = w->wd_wal = w->wd_pres = -1;
	snprintf(w->why, sizeof w->why, "%s", why);
}

/* The watch on the -wal follows whichever file holds that name now; a
 * missing -wal (rollback-journal mode, or before the first connection
 * made it) is no failure: the directory watch sees it being created. */
static bool wakeup_arm(struct sq_wakeup *w)
{
	const uint32_t file_mask = IN_MODIFY | IN_DELETE_SELF | IN_MOVE_SELF;
	const uint32_t dir_mask =
		IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO;
	char why[160];
	int wd;

	/* the same file keeps its watch (and wd); a new one gets its own,
	 * and the old file's watch goes */
	wd = inotify_add_watch(w->fd, w->wal, file_mask);
	if (wd < 0 && errno != ENOENT)
		goto fail;
	if (w->wd_wal >= 0 && w->wd_wal != wd)
		inotify_rm_watch(w->fd, w->wd_wal);
	w->wd_wal = wd;
	wd = inotify_add_watch(w->fd, w->path, file_mask);
	if (wd < 0)
		goto fail;
	if (w->wd_db >= 0 && w->wd_db != wd)
		inotify_rm_watch(w->fd, w->wd_db);
	w->wd_db = wd;
	if (w->wd_dir < 0)
		w->wd_dir = inotify_add_watch(w->fd, w->dir, dir_mask);
	if (w->wd_dir < 0)
		goto fail;
	/* no presence directory yet: the directory watch sees it made */
	if (w->wd_pres < 0)
		w->wd_pres = inotify_add_watch(w->fd, w->pres,
		                               dir_mask | IN_ONLYDIR);
	return true;
fail:
	snprintf(why, sizeof why, _("no file watch (%s)"), strerror(errno));
	wakeup_poll_mode(w, why);
	return false;
}

static struct sq_wakeup *wakeup_new(struct sq_store *st)
{
	struct sq_wakeup *w = calloc(1, sizeof *w);
	const char *slash;
	size_t len;

	if (!w)
		return NULL;
	w->fd = -1;
	w->wd_dir = w->wd_db = w->wd_wal = w->wd_pres = -1;
	/* SQLite keeps the -wal beside the file a symbolic link points to */
	w->path = realpath(st->path, NULL);
	if (!w->path)
		w->path = strdup(st->path);
	if (!w->path) {
		free(w);
		return NULL;
	}
	slash = strrchr(w->path, '/');
	w->base = strdup(slash ? slash + 1 : w->path);
	len = slash ? (size_t)(slash - w->path) : 0;
	w->dir = slash ? strndup(w->path, len ? len : 1) : strdup(".");
	w->wal = malloc(strlen(w->path) + 5);
	w->pres = sq_presence_dir(st);
	if (!w->base || !w->dir || !w->wal || !w->pres) {
		sq_wakeup_free(w);
		return NULL;
	}
	sprintf(w->wal, "%s-wal", w->path);
	w->test_overflow = env_set("INVED_TEST_INOTIFY_OVERFLOW");
	if (env_set("INVED_NO_INOTIFY")) {
		wakeup_poll_mode(w, _("inotify disabled by INVED_NO_INOTIFY"));
	} else if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
		char why[160];

		snprintf(why, sizeof why, _("no inotify (%s)"),
		         strerror(errno));
		wakeup_poll_mode(w, why);
	} else {
		wakeup_arm(w);
	}
	return w;
}

void sq_wakeup_free(struct sq_wakeup *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	free(w->path);
	free(w->base);
	free(w->dir);
	free(w->wal);
	free(w->pres);
	free(w);
}

/* Created on first use, with data_version as the baseline: the caller
 * starts from "nothing changed yet". */
static enum inv_rc wakeup_get(struct sq_store *st, struct sq_wakeup **out,
                              struct inv_err *err)
{
	enum inv_rc rc;

	if (!st->wake) {
		st->wake = wakeup_new(st);
		if (!st->wake)
			return inv_err_set(err, INV_ERROR, "", _("out of memory"));
		rc = sq_data_version(st, &st->wake->dv, err);
		if (rc != INV_OK)
			return rc;
		/* A commit in flight now may have written its frames before
		 * the watch was armed (no event will come for them) and become
		 * visible only after this baseline: the start settles as an
		 * event does, so such a commit is confirmed once visible. */
		st->wake->last_event_ms = cache_now_ms();
		st->wake->step_ms = 1;
		st->wake->recheck_ms = st->wake->last_event_ms + 1;
	}
	*out = st->wake;
	return INV_OK;
}

int sq_wakeup_fd(struct sq_store *st)
{
	struct sq_wakeup *w = NULL;

	if (wakeup_get(st, &w, NULL) != INV_OK)
		return -1;
	return w->fd;
}

/* Does a directory entry's name concern this database? */
static bool wakeup_our_name(const struct sq_wakeup *w, const char *name)
{
	size_t n = strlen(w->base);

	if (strncmp(name, w->base, n) != 0)
		return false;
	return name[n] == '\0' || strcmp(name + n, "-wal") == 0 ||
	       strcmp(name + n, "-journal") == 0 ||
	       strcmp(name + n, ".presence") == 0;
}

/* Read every queued event.  *seen: something of ours moved; *rearm: a
 * watched file was replaced or events were lost. */
static void wakeup_read(struct sq_wakeup *w, bool *seen, bool *rearm)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		if (w->test_overflow) {
			/* as a full queue would: the events are gone */
			*seen = *rearm = true;
			continue;
		}
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				*seen = *rearm = true;
			} else if (ev->wd == w->wd_dir) {
				if (ev->len && wakeup_our_name(w, ev->name))
					*seen = *rearm = true;
			} else if (ev->wd == w->wd_wal || ev->wd == w->wd_db) {
				*seen = true;
				if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
				                IN_IGNORED))
					*rearm = true;
			}
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		char why[160];

		snprintf(why, sizeof why, _("the file watch failed (%s)"),
		         strerror(errno));
		wakeup_poll_mode(w, why);
		*seen = *rearm = true;
	}
}

enum inv_rc sq_wakeup_check(struct sq_store *st, bool *changed, int *next_ms,
                            struct inv_err *err)
{
	struct sq_wakeup *w = NULL;
	int64_t dv = 0, now;
	bool seen = false, rearm = false;
	enum inv_rc rc;

	*changed = false;
	*next_ms = -1;
	rc = wakeup_get(st, &w, err);
	if (rc != INV_OK)
		return rc;
	now = cache_now_ms();
	if (w->fd >= 0)
		wakeup_read(w, &seen, &rearm);
	if (rearm && w->fd >= 0)
		wakeup_arm(w);
	/* read after the events: a commit whose events were just consumed
	 * is either visible now or checked again below */
	rc = sq_data_version(st, &dv, err);
	if (rc != INV_OK)
		return rc;
	*changed = dv != w->dv || rearm;
	w->dv = dv;
	if (w->fd < 0) {
		*next_ms = STORE_WAKEUP_POLL_MS;
		return INV_OK;
	}
	if (seen) {
		w->last_event_ms = now;
		w->step_ms = 1;
		w->recheck_ms = now + 1;
	} else if (w->last_event_ms && now >= w->recheck_ms) {
		if (now - w->last_event_ms >= WAKEUP_FINE_MS)
			w->step_ms = w->step_ms * 2 > WAKEUP_STEP_MAX_MS
			             ? WAKEUP_STEP_MAX_MS : w->step_ms * 2;
		w->recheck_ms = now + w->step_ms;
	}
	if (w->last_event_ms && now - w->last_event_ms > WAKEUP_SETTLE_MS)
		w->last_event_ms = 0;
	if (w->last_event_ms)
		*next_ms = (int)(w->recheck_ms > now ? w->recheck_ms - now : 0);
	return INV_OK;
}

bool sq_wakeup_polling(struct sq_store *st, char *why, size_t size)
{
	struct sq_wakeup *w = NULL;

	if (wakeup_get(st, &w, NULL) != INV_OK || w->fd >= 0)
		return false;
	snprintf(why, size, "%s", w->why);
	return true;
}
