/*
 * confirm.c - a yes/no question in a small panel ("Delete invoice
 * ACME-1004? (y/n)", "Discard unsaved changes? (y/n)", the draft offer).
 *
 * The question may hold several lines ('\n'); each wraps to the panel.
 * The answer keys are the locale's ("(j/n)" in German), named after the
 * question's first line; 'y' and 'n' answer in every locale (l10n.h).
 * The answer is delivered after the panel is gone, so the callback may
 * open or close other layers freely.  Esc answers no.
 */
#include "tui_internal.h"

struct confirm {
	char question[2048]; /* an overwrite names whole values */
	char yes[L10N_KEY_MAX], no[L10N_KEY_MAX];
	confirm_fn fn;
	int64_t arg;
};

static void confirm_key(struct app *a, struct layer *l, wint_t ch, bool fkey)
{
	struct confirm c = *(struct confirm *)l->data;
	bool yes;

	if (fkey)
		return;
	if (ch == KEY_ESC)
		yes = false;
	else if (l10n_answer_of((uint32_t)ch) == L10N_YES)
		yes = true;
	else if (l10n_answer_of((uint32_t)ch) == L10N_NO)
		yes = false;
	else
		return;
	layer_pop(a);
	c.fn(a, yes, c.arg);
}

/* Wrap each of the question's lines ('\n' separates them: a revert names
 * each value it replaces on a line of its own) into the panel from row y;
 * with w NULL only count.  Returns the rows used. */
static int confirm_wrap(WINDOW *w, int y, int width, const char *q,
                        int max_lines)
{
	char line[sizeof ((struct confirm *)0)->question];
	int used = 0;

	while (*q && used < max_lines) {
		size_t n = strcspn(q, "\n");

		memcpy(line, q, n);
		line[n] = '\0';
		used += draw_wrap(w, y + used, 2, width, line, RO_KEY,
		                  max_lines - used);
		q += n + (q[n] == '\n');
	}
	return used;
}

static void confirm_draw(struct app *a, struct layer *l)
{
	struct confirm *c = l->data;
	const char *p = c->question;
	int w = 30, lines;

	(void)a;
	while (*p) {
		char line[sizeof c->question];
		size_t n = strcspn(p, "\n");

		memcpy(line, p, n);
		line[n] = '\0';
		if (text_cols(line) + 6 > w)
			w = text_cols(line) + 6;
		p += n + (p[n] == '\n');
	}
	if (w > COLS - 2)
		w = COLS - 2;
	/* a long question (the values an overwrite replaces) wraps: every
	 * value it names is read in full before the answer */
	lines = confirm_wrap(NULL, 0, w - 4, c->question, STAGE_LINES - 4);
	layer_place(l, 4 + lines, w);
	w = getmaxx(l->win);
	draw_box(l->win, NULL);
	lines = confirm_wrap(l->win, 1, w - 4, c->question,
	                     getmaxy(l->win) - 4);
	struct draw_hint hints[] = {
		{ c->yes, _("yes") },
		{ c->no, _("no") },
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
	size_t first = strcspn(question, "\n");

	if (!c)
		return;
	l10n_answer_keys(c->yes, c->no);
	/* "Delete invoice ACME-1004? (y/n)", the rest of the lines after */
	snprintf(c->question, sizeof c->question, "%.*s (%s/%s)%s", (int)first,
	         question, c->yes, c->no, question + first);
	c->fn = fn;
	c->arg = arg;
	layer_push(a, &confirm_ops, c);
}
