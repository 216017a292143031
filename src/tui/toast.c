/*
 * toast.c - short messages on the message row, a row of their own between
 * the stage and the filter line, that go by themselves after TOAST_MS.
 * The newest sits rightmost; older ones stand to its left while the row
 * has room (at most TOAST_MAX, the oldest making room).  Each toast is its
 * own one-line panel; no panel reaches the message row, so a toast covers
 * neither a panel's border nor the summary nor the hints.
 *
 * A toast that speaks of what the screen shows of an invoice ("this
 * screen still shows v1") is tied to it and taken back when the screen
 * shows otherwise: a toast never outlives what it says.
 */
#include <assert.h>

#include "tui_internal.h"

static void toast_destroy(struct toast *t)
{
	if (t->pan)
		del_panel(t->pan);
	if (t->win)
		delwin(t->win);
	t->pan = NULL;
	t->win = NULL;
}

static void toast_drop(struct app *a, int i)
{
	toast_destroy(&a->toasts[i]);
	memmove(&a->toasts[i], &a->toasts[i + 1],
	        (size_t)(a->ntoasts - i - 1) * sizeof a->toasts[0]);
	a->ntoasts--;
	memset(&a->toasts[a->ntoasts], 0, sizeof a->toasts[0]);
}

void toast_show(struct app *a, enum toast_kind kind, const char *text)
{
	toast_show_for(a, kind, text, TOAST_MS);
}

void toast_show_for(struct app *a, enum toast_kind kind, const char *text,
                    int64_t ms)
{
	struct toast *t;

	assert(app_on_main_thread());
	/* the same message again only restarts its clock */
	if (a->ntoasts > 0) {
		t = &a->toasts[a->ntoasts - 1];
		if (t->kind == kind && strcmp(t->text, text) == 0) {
			t->expires_ms = app_now() + ms;
			a->dirty = true;
			return;
		}
	}
	if (a->ntoasts == TOAST_MAX)
		toast_drop(a, 0);
	t = &a->toasts[a->ntoasts++];
	memset(t, 0, sizeof *t);
	text_copy(t->text, sizeof t->text, text);
	t->kind = kind;
	t->expires_ms = app_now() + ms;
	a->dirty = true;
}

void toast_show_about(struct app *a, enum toast_kind kind, const char *text,
                      int64_t id)
{
	toast_show(a, kind, text);
	/* toast_show leaves the toast saying text newest */
	if (a->ntoasts > 0)
		a->toasts[a->ntoasts - 1].about = id;
}

void toast_withdraw_about(struct app *a, int64_t id)
{
	int i = 0;

	while (i < a->ntoasts) {
		int64_t about = a->toasts[i].about;
		if (about != 0 && (id == 0 || about == id)) {
			toast_drop(a, i);
			a->dirty = true;
		} else {
			i++;
		}
	}
}

void toast_withdraw(struct app *a, const char *text)
{
	int i = 0;

	while (i < a->ntoasts) {
		if (strcmp(a->toasts[i].text, text) == 0) {
			toast_drop(a, i);
			a->dirty = true;
		} else {
			i++;
		}
	}
}

bool toast_expire(struct app *a, int64_t now)
{
	bool any = false;
	int i = 0;

	while (i < a->ntoasts) {
		if (a->toasts[i].expires_ms <= now) {
			toast_drop(a, i);
			any = true;
		} else {
			i++;
		}
	}
	if (any)
		a->dirty = true;
	return any;
}

int64_t toast_next_ms(struct app *a, int64_t now)
{
	int64_t next = -1;

	for (int i = 0; i < a->ntoasts; i++) {
		int64_t left = a->toasts[i].expires_ms - now;
		if (left < 0)
			left = 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

static enum draw_role toast_role(enum toast_kind k)
{
	switch (k) {
	case TOAST_OK:
		return RO_OK;
	case TOAST_ERROR:
		return RO_ERROR;
	default:
		return RO_SELECTED;
	}
}

static void toast_place(struct toast *t, int y, int x, int w)
{
	if (!t->win) {
		t->win = newwin(1, w, y, x);
		t->pan = new_panel(t->win);
		return;
	}
	if (getmaxx(t->win) != w) {
		move_panel(t->pan, 0, 0);
		wresize(t->win, 1, w);
		replace_panel(t->pan, t->win);
	}
	move_panel(t->pan, y, x);
}

static void toast_hide(struct toast *t)
{
	if (t->pan)
		hide_panel(t->pan);
}

void toast_draw(struct app *a)
{
	int right = COLS - 1; /* the column after the room left */
	bool full = MESSAGE_ROW < 0 || COLS < 4;

	for (int i = a->ntoasts - 1; i >= 0; i--) {
		struct toast *t = &a->toasts[i];
		int w = text_cols(t->text) + 2;
		char buf[TOAST_TEXT + 4];

		/* the newest is always shown (cut to the row if it must be);
		 * an older one only whole, and only where the row has room */
		if (w > COLS - 2)
			w = COLS - 2;
		if (full || (i < a->ntoasts - 1 && right - w < 1)) {
			full = true;
			toast_hide(t);
			continue;
		}
		toast_place(t, MESSAGE_ROW, right - w, w);
		right -= w + 1;
		show_panel(t->pan);
		top_panel(t->pan);
		snprintf(buf, sizeof buf, " %s", t->text);
		draw_text_role(t->win, 0, 0, w, buf, ALIGN_LEFT,
		               toast_role(t->kind));
	}
}

void toast_free_all(struct app *a)
{
	while (a->ntoasts > 0)
		toast_drop(a, 0);
}
