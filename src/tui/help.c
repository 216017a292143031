/*
 * help.c - `?`: every key of every screen, in one scrollable panel, read
 * from the screens' keymaps (keymap.c): what is bound is what is shown.
 */
#include "tui_internal.h"

/* A section heading (entry NULL) or one line of a screen's keymap. */
struct help_line {
	enum km_screen screen;
	const struct km_entry *entry;
};

#define HELP_MAX 96

struct help {
	int scroll;
	struct help_line lines[HELP_MAX];
	int n;
};

static void help_build(struct help *h)
{
	h->n = 0;
	for (int s = 0; s < KM__COUNT; s++) {
		size_t n;
		const struct km_entry *e = keymap_entries((enum km_screen)s, &n);

		if (h->n + 1 + (int)n > HELP_MAX)
			break;
		h->lines[h->n++] = (struct help_line){ (enum km_screen)s, NULL };
		for (size_t i = 0; i < n; i++)
			h->lines[h->n++] = (struct help_line){ (enum km_screen)s,
			                                       &e[i] };
	}
}

static void help_key(struct app *a, struct layer *l, wint_t ch, bool fkey)
{
	struct help *h = l->data;
	int page = getmaxy(l->win) - 3, max = h->n - page;

	if (max < 0)
		max = 0;
	switch (keymap_action(KM_HELP, ch, fkey)) {
	case KA_CLOSE:
		layer_pop(a);
		return;
	case KA_DOWN:
		h->scroll++;
		break;
	case KA_UP:
		h->scroll--;
		break;
	case KA_PAGE_DOWN:
		h->scroll += page;
		break;
	case KA_PAGE_UP:
		h->scroll -= page;
		break;
	default:
		break;
	}
	if (h->scroll > max)
		h->scroll = max;
	if (h->scroll < 0)
		h->scroll = 0;
}

static void help_draw(struct app *a, struct layer *l)
{
	struct help *h = l->data;
	int w = COLS - 2 > 72 ? 72 : COLS - 2;
	int height = h->n + 3, keyw = 16, y = 1;

	(void)a;
	layer_place(l, height, w);
	w = getmaxx(l->win);
	height = getmaxy(l->win);
	draw_box(l->win, _("Keys"));
	for (int i = h->scroll; i < h->n && y < height - 2; i++, y++) {
		const struct help_line *hl = &h->lines[i];
		if (!hl->entry) {
			draw_str(l->win, y, 2, keymap_title(hl->screen),
			         RO_HEADER, w - 4);
			continue;
		}
		draw_text_role(l->win, y, 3, keyw, hl->entry->keys_label,
		               ALIGN_LEFT, RO_KEY);
		draw_str(l->win, y, 4 + keyw, _(hl->entry->help), RO_NORMAL,
		         w - 6 - keyw);
	}
	draw_str(l->win, height - 2, 2,
	         h->n > height - 3 ? _("↑↓ scroll · Esc close")
	                                 : _("Esc close"),
	         RO_MUTED, w - 4);
}

static void help_release(struct layer *l)
{
	free(l->data);
}

static const struct layer_ops help_ops = {
	.draw = help_draw,
	.key = help_key,
	.release = help_release,
};

void help_open(struct app *a)
{
	struct help *h = calloc(1, sizeof *h);

	if (!h)
		return;
	help_build(h);
	layer_push(a, &help_ops, h);
}
