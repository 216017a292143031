/*
 * confirm.c - a yes/no question in a small panel ("Delete invoice
 * ACME-1004? (y/n)", "Discard unsaved changes? (y/n)", the draft offer).
 *
 * The answer is delivered after the panel is gone, so the callback may
 * open or close other layers freely.  Esc answers no.
 */
#include "tui_internal.h"

struct confirm {
	char question[512];
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

/* The question may hold several lines ('\n'): a revert lists each value
 * it replaces on a line of its own. */
static void confirm_draw(struct app *a, struct layer *l)
{
	struct confirm *c = l->data;
	char line[sizeof c->question];
	const char *p = c->question;
	int w = 30, lines = 0, y = 1;

	(void)a;
	while (*p) {
		size_t n = strcspn(p, "\n");
		int cols;

		memcpy(line, p, n);
		line[n] = '\0';
		cols = text_cols(line) + 6;
		if (cols > w)
			w = cols;
		lines++;
		p += n + (p[n] == '\n');
	}
	if (w > COLS - 2)
		w = COLS - 2;
	layer_place(l, lines + 4, w);
	w = getmaxx(l->win);
	draw_box(l->win, NULL);
	for (p = c->question; *p && y < getmaxy(l->win) - 3; y++) {
		size_t n = strcspn(p, "\n");

		memcpy(line, p, n);
		line[n] = '\0';
		draw_str(l->win, y, 2, line, RO_KEY, w - 4);
		p += n + (p[n] == '\n');
	}
	struct draw_hint hints[] = {
		{ "y", _("yes") },
		{ "n", _("no") },
	};
	draw_hints(l->win, getmaxy(l->win) - 2, 2, w - 4, hints, 2, 2);
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
