/*
 * help.c - `?`: every key of every screen, in one scrollable panel.
 * Keep this list in step with the key handlers (table.c, form.c,
 * conflict.c, inspector.c).
 */
#include "tui_internal.h"

struct help_line {
	const char *key;  /* NULL: a section heading in text */
	const char *text;
};

static const struct help_line help_lines[] = {
	{ NULL, N_("Table") },
	{ "↑ ↓  j k", N_("move the selection") },
	{ "PgUp PgDn", N_("page up and down") },
	{ "Home End  g G", N_("first and last invoice") },
	{ "1 2 3  Tab", N_("views: Active, Archived, All (admins)") },
	{ "/", N_("filter by number or customer; Esc clears") },
	{ "Enter  e", N_("edit the selected invoice") },
	{ "n", N_("new invoice") },
	{ "a", N_("archive") },
	{ "u", N_("undo the archive while its toast offers it") },
	{ "r", N_("restore an archived or (admins) a deleted invoice") },
	{ "d", N_("delete (admins; asks first)") },
	{ "h", N_("history of the selected invoice") },
	{ "i", N_("inspector") },
	{ "t", N_("next page of currency totals in the summary") },
	{ "^L", N_("re-read everything and redraw") },
	{ "?", N_("this help") },
	{ "q", N_("quit") },
	{ NULL, N_("Edit form") },
	{ "Tab ↓  S-Tab ↑", N_("next and previous field") },
	{ "← → Home End", N_("move in a text field") },
	{ "Backspace Del", N_("delete a character") },
	{ "^U  ^K  ^W", N_("clear the field, cut to the end, cut a word") },
	{ "Space ← →", N_("cycle the status") },
	{ "F2  ^S", N_("save") },
	{ "Enter", N_("next field; saves on the last one") },
	{ "Esc", N_("close (asks when there are unsaved edits)") },
	{ "^R  ^X", N_("bring back, or forget, edits Use latest dropped") },
	{ "^O", N_("restore an invoice moved away meanwhile, keep the edits "
	           "(admins)") },
	{ NULL, N_("Conflict panel") },
	{ "Tab ↓  S-Tab ↑", N_("select a field; its values are shown in full") },
	{ "d 1  y 2  ← →", N_("pick the database's value or yours") },
	{ "Enter", N_("fill the form with your picks, for review") },
	{ "u", N_("use latest: take the database's values (yours are kept)") },
	{ "m", N_("merge: both sides' changes, for review") },
	{ "o", N_("overwrite with your changes (admins; asks first)") },
	{ "Esc", N_("keep editing") },
	{ NULL, N_("History") },
	{ "↑ ↓  j k", N_("select a version") },
	{ "v", N_("revert to the selected version (asks first)") },
	{ "Esc  h", N_("close") },
	{ NULL, N_("Inspector") },
	{ "f", N_("force version drift on the selected invoice") },
	{ "l", N_("hold the write lock for 5 seconds") },
	{ "s", N_("switch identity (demo databases)") },
	{ "Esc  i", N_("close") },
	{ NULL, N_("Anywhere") },
	{ "^C", N_("quit, keeping the draft of an open form") },
};

#define HELP_N (sizeof help_lines / sizeof help_lines[0])

struct help {
	int scroll;
};

static void help_key(struct app *a, struct layer *l, wint_t ch, bool fkey)
{
	struct help *h = l->data;
	int page = getmaxy(l->win) - 3, max = (int)HELP_N - page;

	if (max < 0)
		max = 0;
	if ((!fkey && (ch == KEY_ESC || ch == 'q' || ch == '?')) ||
	    (fkey && ch == KEY_F(1))) {
		layer_pop(a);
		return;
	}
	if ((fkey && ch == KEY_DOWN) || (!fkey && ch == 'j'))
		h->scroll++;
	else if ((fkey && ch == KEY_UP) || (!fkey && ch == 'k'))
		h->scroll--;
	else if (fkey && ch == KEY_NPAGE)
		h->scroll += page;
	else if (fkey && ch == KEY_PPAGE)
		h->scroll -= page;
	if (h->scroll > max)
		h->scroll = max;
	if (h->scroll < 0)
		h->scroll = 0;
}

static void help_draw(struct app *a, struct layer *l)
{
	struct help *h = l->data;
	int w = COLS - 2 > 72 ? 72 : COLS - 2;
	int height = (int)HELP_N + 3, keyw = 16, y = 1;

	(void)a;
	layer_place(l, height, w);
	w = getmaxx(l->win);
	height = getmaxy(l->win);
	draw_box(l->win, _("Keys"));
	for (int i = h->scroll; i < (int)HELP_N && y < height - 2; i++, y++) {
		const struct help_line *hl = &help_lines[i];
		if (!hl->key) {
			draw_str(l->win, y, 2, _(hl->text), RO_HEADER, w - 4);
			continue;
		}
		draw_text_role(l->win, y, 3, keyw, hl->key, ALIGN_LEFT, RO_KEY);
		draw_str(l->win, y, 4 + keyw, _(hl->text), RO_NORMAL,
		         w - 6 - keyw);
	}
	draw_str(l->win, height - 2, 2,
	         (int)HELP_N > height - 3 ? _("↑↓ scroll · Esc close")
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

	if (h)
		layer_push(a, &help_ops, h);
}
