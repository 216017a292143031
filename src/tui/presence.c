/*
 * presence.c (screen) - showing who else has an invoice open: the open
 * form's line ("alice is editing this too (since 10:41)") and the table's
 * mark on rows open in another terminal.  Registering and listing are the
 * store's (src/core/sqlite/presence.c); this file only reads the list when the
 * screen wakes anyway (a form opens, the change feed moves, Ctrl-L), so
 * presence costs no timer of its own.
 */
#include <time.h>
#include <unistd.h>

#include "tui_internal.h"

#define PRESENCE_LIST_MAX 64
/* How soon a mark of a terminal that was killed goes away. */
#define PRESENCE_RECHECK_MS 3000

/* "10:41" in local time from "2026-12-02T10:41:05Z"; "" when malformed. */
static void presence_since_local(const char *iso, char *out, size_t size)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof tm);
	out[0] = '\0';
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
	           &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1 || !localtime_r(&t, &tm))
		return;
	strftime(out, size, "%H:%M", &tm);
}

void presence_form_enter(struct app *a, struct form *f)
{
	struct inv_err err;

	if (f->create || f->presence)
		return;
	/* A failure only costs the courtesy; the form works without it. */
	if (store_presence_enter(a->st, &a->who, f->base.id, "screen",
	                         &f->presence, &err) != INV_OK)
		f->presence = NULL;
	presence_refresh(a);
}

void presence_form_leave(struct form *f)
{
	store_presence_leave(f->presence);
	f->presence = NULL;
}

void presence_refresh(struct app *a)
{
	struct presence_entry e[PRESENCE_LIST_MAX];
	struct form *f = a->form;
	struct inv_err err;
	long me = (long)getpid();
	size_t n, others = 0, first = 0;
	char since[16];
	int64_t before[OPEN_ELSEWHERE_MAX];
	size_t nbefore = a->nopen_elsewhere;
	char others_before[sizeof f->others];

	memcpy(before, a->open_elsewhere, nbefore * sizeof before[0]);
	snprintf(others_before, sizeof others_before, "%s",
	         f ? f->others : "");
	a->presence_ms = app_now();
	if (store_presence_list(a->st, &a->who, 0, e, PRESENCE_LIST_MAX, &n,
	                        &err) != INV_OK)
		n = 0;
	a->nopen_elsewhere = 0;
	for (size_t i = 0; i < n; i++) {
		if (e[i].pid == me)
			continue;
		if (a->nopen_elsewhere < OPEN_ELSEWHERE_MAX)
			a->open_elsewhere[a->nopen_elsewhere++] = e[i].invoice_id;
		if (f && !f->create && e[i].invoice_id == f->base.id) {
			if (others++ == 0)
				first = i;
		}
	}
	if (f) {
		f->others[0] = '\0';
		if (others > 0)
			presence_since_local(e[first].since, since,
			                     sizeof since);
		if (others == 1)
			snprintf(f->others, sizeof f->others,
			         _("%s is editing this too (since %s)"),
			         e[first].user, since);
		else if (others > 1)
			snprintf(f->others, sizeof f->others,
			         _("%s and %zu more are editing this too"),
			         e[first].user, others - 1);
	}
	/* redraw only when what is shown changed */
	if (nbefore != a->nopen_elsewhere ||
	    memcmp(before, a->open_elsewhere, nbefore * sizeof before[0]) ||
	    strcmp(others_before, f ? f->others : "") != 0)
		a->dirty = true;
}

int64_t presence_next_ms(const struct app *a, int64_t now)
{
	int64_t due = a->presence_ms + PRESENCE_RECHECK_MS - now;

	if (a->nopen_elsewhere == 0 && !(a->form && a->form->others[0]))
		return -1;
	return due > 0 ? due : 0;
}

bool presence_open_elsewhere(const struct app *a, int64_t id)
{
	for (size_t i = 0; i < a->nopen_elsewhere; i++)
		if (a->open_elsewhere[i] == id)
			return true;
	return false;
}
