/*
 * confirm.c - a yes/no question in a small panel ("Delete invoice
 * ACME-1004? (y/n)", "Discard unsaved changes? (y/n)", the draft offer).
 *
 * The answer is delivered after the panel is gone, so the callback may
 * open or close other layers freely.  Esc answers no.
 */
#include "tui_internal.h"

struct confirm {
	char question[2048]; /* an overwrite names whole values */
	confirm_fn fn;
	int64_t arg;
};

static void confirm_key(struct app *a, struct layer *l, wint_t ch, bool fkey)
{
	struct confirm c = *(struct confirm *)l->data;
	bool yes;

	if (fkey)
		return;
	if (ch == 'y' || ch == 'Y')
		yes = true;
	else if (ch == 'n' || ch == 'N' || ch == KEY_ESC)
		yes = false;
	else
		return;
	layer_pop(a);
	c.fn(a, yes, c.arg);
}

static void confirm_draw(struct app *a, struct layer *l)
{
	struct confirm *c = l->data;
	int w = text_cols(c->question) + 6, lines;

	(void)a;
	if (w < 30)
		w = 30;
	if (w > COLS - 2)
		w = COLS - 2;
	/* a long question (the values an overwrite replaces) wraps: every
	 * value it names is read in full before the answer */
	lines = draw_wrap(NULL, 0, 0, w - 4, c->question, RO_KEY, LINES - 4);
	layer_place(l, 4 + lines, w);
	w = getmaxx(l->win);
	draw_box(l->win, NULL);
	lines = draw_wrap(l->win, 1, 2, w - 4, c->question, RO_KEY,
	                  getmaxy(l->win) - 4);
	struct draw_hint hints[] = {
		{ "y", _("yes") },
		{ "n", _("no") },
	};
	draw_hints(l->win, 2 + lines, 2, w - 4, hints, 2, 2);
}

static void confirm_release(struct layer *l)
{
	free(l->data);
}

static const struct layer_ops confirm_ops = {
	.draw = confirm_draw,
	.key = confirm_key,
	.release = confirm_release,
};

void confirm_open(struct app *a, const char *question, confirm_fn fn,
                  int64_t arg)
{
	struct confirm *c = calloc(1, sizeof *c);

	if (!c)
		return;
	text_copy(c->question, sizeof c->question, question);
	c->fn = fn;
	c->arg = arg;
	layer_push(a, &confirm_ops, c);
}
