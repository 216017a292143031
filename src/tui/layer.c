/*
 * layer.c - the stack of overlays (form, conflict panel, inspector, help,
 * history, confirm questions), each a window on an ncurses panel.
 *
 * The top layer receives every key; the table under the stack keeps
 * updating (a peer's change still shows behind an open form).  Windows are
 * sized at draw time, so a resize needs nothing but the next frame.
 */
#include <assert.h>

#include "tui_internal.h"

struct layer *layer_top(struct app *a)
{
	return a->nlayers > 0 ? &a->layers[a->nlayers - 1] : NULL;
}

struct layer *layer_find(struct app *a, const struct layer_ops *ops)
{
	for (int i = a->nlayers - 1; i >= 0; i--)
		if (a->layers[i].ops == ops)
			return &a->layers[i];
	return NULL;
}

struct layer *layer_push(struct app *a, const struct layer_ops *ops,
                         void *data)
{
	struct layer *l;

	assert(app_on_main_thread());
	assert(a->nlayers >= 0 && a->nlayers <= LAYER_MAX);
	if (a->nlayers >= LAYER_MAX) {
		if (ops->release) {
			struct layer tmp = { .ops = ops, .data = data };
			ops->release(&tmp);
		}
		return NULL;
	}
	l = &a->layers[a->nlayers++];
	memset(l, 0, sizeof *l);
	l->ops = ops;
	l->data = data;
	a->dirty = true;
	return l;
}

static void layer_destroy(struct layer *l)
{
	if (l->pan)
		del_panel(l->pan);
	if (l->win)
		delwin(l->win);
	if (l->ops->release)
		l->ops->release(l);
	memset(l, 0, sizeof *l);
}

void layer_pop(struct app *a)
{
	if (a->nlayers == 0)
		return;
	layer_destroy(&a->layers[--a->nlayers]);
	a->dirty = true;
}

void layer_remove_ops(struct app *a, const struct layer_ops *ops)
{
	int i = 0;

	while (i < a->nlayers) {
		if (a->layers[i].ops != ops) {
			i++;
			continue;
		}
		layer_destroy(&a->layers[i]);
		memmove(&a->layers[i], &a->layers[i + 1],
		        (size_t)(a->nlayers - i - 1) * sizeof a->layers[0]);
		a->nlayers--;
		a->dirty = true;
	}
}

/* The rows of the form at its smallest (form.c). */
#define LAYER_MIN_LINES 10

void layer_place(struct layer *l, int h, int w)
{
	/* a terminal too short for the smallest form over the stage lends
	 * the panel the rows under it */
	int room = STAGE_LINES >= LAYER_MIN_LINES ? STAGE_LINES : LINES;
	int y, x;

	if (h > room)
		h = room;
	if (w > COLS)
		w = COLS;
	if (h < 1)
		h = 1;
	if (w < 1)
		w = 1;
	/* below the identity line and the tabs when the panel fits there,
	 * else as far up as it needs; on a terminal that short, centred */
	if (room == LINES)
		y = (LINES - h) / 2;
	else if (h <= room - 2)
		y = 2 + (room - 2 - h) / 2;
	else
		y = room - h;
	x = (COLS - w) / 2;
	if (!l->win) {
		l->win = newwin(h, w, y, x);
		l->pan = new_panel(l->win);
	} else if (getmaxy(l->win) != h || getmaxx(l->win) != w) {
		/* move first: a window may not grow past the screen edge */
		move_panel(l->pan, 0, 0);
		wresize(l->win, h, w);
		replace_panel(l->pan, l->win);
		move_panel(l->pan, y, x);
	} else {
		move_panel(l->pan, y, x);
	}
	werase(l->win);
	l->cursor_on = false;
}

void layer_free_all(struct app *a)
{
	while (a->nlayers > 0)
		layer_pop(a);
}
