/*
 * lineedit.c - a one-line text editor that behaves like a shell prompt.
 *
 * Hand-written rather than built on the ncurses form library: form keeps
 * its buffer as cells and edits wide characters poorly (a field that holds
 * "Müller & Söhne — Zürich" or "作者" loses its cursor position or splits a
 * double-width character when it scrolls), and it cannot tell the core's
 * character limit from a column limit.  Here the text is a wchar_t array,
 * the cursor moves by character, and drawing measures columns with
 * wcwidth so the cursor always sits where the terminal shows it.
 *
 * Keys: Left/Right (^B/^F), Home/End (^A/^E), Backspace, Delete (^D),
 * ^U clears the field, ^K cuts to the end, ^W deletes the word before the
 * cursor; any printable character is inserted.
 */
#include <wctype.h>

#include "tui_internal.h"

void lineedit_init(struct lineedit *le, int max, bool upper)
{
	memset(le, 0, sizeof *le);
	if (max <= 0 || max > LINEEDIT_MAX)
		max = LINEEDIT_MAX;
	le->max = max;
	le->upper = upper;
}

void lineedit_set(struct lineedit *le, const char *s)
{
	le->len = (int)text_to_wide(s, le->buf, (size_t)le->max);
	le->cur = le->len;
	le->scroll = 0;
}

void lineedit_get(const struct lineedit *le, char *out, size_t size)
{
	text_from_wide(le->buf, (size_t)le->len, out, size);
}

static bool lineedit_insert(struct lineedit *le, wchar_t c)
{
	if (le->len >= le->max)
		return false;
	if (le->upper)
		c = (wchar_t)towupper((wint_t)c);
	memmove(le->buf + le->cur + 1, le->buf + le->cur,
	        (size_t)(le->len - le->cur) * sizeof le->buf[0]);
	le->buf[le->cur++] = c;
	le->len++;
	return true;
}

/* Remove the characters [from, to). */
static bool lineedit_cut(struct lineedit *le, int from, int to)
{
	if (from < 0)
		from = 0;
	if (to > le->len)
		to = le->len;
	if (from >= to)
		return false;
	memmove(le->buf + from, le->buf + to,
	        (size_t)(le->len - to) * sizeof le->buf[0]);
	le->len -= to - from;
	le->cur = from;
	return true;
}

static int lineedit_word_start(const struct lineedit *le)
{
	int i = le->cur;

	while (i > 0 && iswspace((wint_t)le->buf[i - 1]))
		i--;
	while (i > 0 && !iswspace((wint_t)le->buf[i - 1]))
		i--;
	return i;
}

static bool is_insertable(wint_t ch)
{
	/* A surrogate is no character; TEXT_BAD_BYTE stands for a byte
	 * only when it came from the text the field was given. */
	if (ch >= 0xd800 && ch <= 0xdfff)
		return false;
	return !text_is_control((uint32_t)ch);
}

static bool lineedit_fkey(struct lineedit *le, wint_t ch, bool *changed)
{
	switch (ch) {
	case KEY_LEFT:
		if (le->cur > 0)
			le->cur--;
		return true;
	case KEY_RIGHT:
		if (le->cur < le->len)
			le->cur++;
		return true;
	case KEY_HOME:
		le->cur = 0;
		return true;
	case KEY_END:
		le->cur = le->len;
		return true;
	case KEY_BACKSPACE:
		*changed = lineedit_cut(le, le->cur - 1, le->cur);
		return true;
	case KEY_DC:
		*changed = lineedit_cut(le, le->cur, le->cur + 1);
		return true;
	default:
		return false;
	}
}

bool lineedit_key(struct lineedit *le, wint_t ch, bool fkey, bool *changed)
{
	*changed = false;
	if (fkey)
		return lineedit_fkey(le, ch, changed);
	switch (ch) {
	case CTRL('b'):
		return lineedit_fkey(le, KEY_LEFT, changed);
	case CTRL('f'):
		return lineedit_fkey(le, KEY_RIGHT, changed);
	case CTRL('a'):
		return lineedit_fkey(le, KEY_HOME, changed);
	case CTRL('e'):
		return lineedit_fkey(le, KEY_END, changed);
	case 0x7f:
	case CTRL('h'):
		return lineedit_fkey(le, KEY_BACKSPACE, changed);
	case CTRL('d'):
		return lineedit_fkey(le, KEY_DC, changed);
	case CTRL('u'):
		*changed = le->len > 0;
		le->len = le->cur = le->scroll = 0;
		return true;
	case CTRL('k'):
		*changed = lineedit_cut(le, le->cur, le->len);
		return true;
	case CTRL('w'):
		*changed = lineedit_cut(le, lineedit_word_start(le), le->cur);
		return true;
	default:
		if (!is_insertable(ch))
			return false;
		*changed = lineedit_insert(le, (wchar_t)ch);
		return true;
	}
}

static int cols_between(const struct lineedit *le, int from, int to)
{
	int cols = 0;

	for (int i = from; i < to; i++)
		cols += text_wchar_cols(le->buf[i]);
	return cols;
}

/* Keep the cursor inside the visible columns; the last column is kept
 * free for the cursor itself when it sits at the end. */
static void lineedit_scroll_fix(struct lineedit *le, int width)
{
	if (cols_between(le, 0, le->len) < width) {
		le->scroll = 0;
		return;
	}
	if (le->cur < le->scroll)
		le->scroll = le->cur;
	while (le->scroll < le->cur &&
	       cols_between(le, le->scroll, le->cur) >= width)
		le->scroll++;
}

int lineedit_draw(struct lineedit *le, WINDOW *w, int y, int x, int width,
                  enum draw_role role)
{
	attr_t at = draw_attr(role);
	int used = 0, i;

	if (width <= 0)
		return x;
	lineedit_scroll_fix(le, width);
	wattron(w, at);
	wmove(w, y, x);
	for (i = le->scroll; i < le->len; i++) {
		int cw = text_wchar_cols(le->buf[i]);
		wchar_t c = le->buf[i];
		if (used + cw > width)
			break;
		if (text_unsafe((uint32_t)c)) {
			/* Shown as its escape (one cursor step), never raw. */
			char shown[TEXT_ESCAPE_MAX];

			text_escape((uint32_t)c, shown);
			waddstr(w, shown);
		} else {
			waddnwstr(w, &c, 1);
		}
		used += cw;
	}
	while (used < width) {
		waddch(w, ' ');
		used++;
	}
	wattroff(w, at);
	return x + cols_between(le, le->scroll, le->cur);
}
