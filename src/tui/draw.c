/*
 * draw.c - colours and the drawing helpers every screen uses.
 *
 * Colours follow the terminal's own (use_default_colors) and are off when
 * NO_COLOR is set to anything non-empty (no-color.org); every role then
 * falls back to plain attributes (bold, reverse, dim) so nothing is lost.
 * All text goes through draw_text(), which shows it as the core's
 * text_visible() does and measures in display columns (wcwidth), so
 * "Müller & Söhne — Zürich" and "作者" truncate and align right.
 */
#include "tui_internal.h"

static attr_t role_attr[RO__COUNT];

static void role_set(enum draw_role r, short pair, short fg, short bg,
                     attr_t with_color, attr_t without_color, bool color)
{
	if (color && pair > 0) {
		init_pair(pair, fg, bg);
		role_attr[r] = COLOR_PAIR(pair) | with_color;
	} else {
		role_attr[r] = color ? with_color : without_color;
	}
}

void draw_init_colors(void)
{
	const char *no_color = getenv("NO_COLOR");
	bool color = has_colors() && !(no_color && no_color[0]);

	if (color) {
		start_color();
		use_default_colors();
	}
	role_set(RO_NORMAL, 0, 0, 0, A_NORMAL, A_NORMAL, color);
	role_set(RO_TITLE, 1, COLOR_CYAN, -1, A_BOLD, A_BOLD, color);
	role_set(RO_TAB, 0, 0, 0, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD,
	         color);
	role_set(RO_HEADER, 0, 0, 0, A_BOLD | A_UNDERLINE,
	         A_BOLD | A_UNDERLINE, color);
	role_set(RO_SELECTED, 0, 0, 0, A_REVERSE, A_REVERSE, color);
	role_set(RO_MUTED, 0, 0, 0, A_DIM, A_NORMAL, color);
	role_set(RO_KEY, 0, 0, 0, A_BOLD, A_BOLD, color);
	role_set(RO_OK, 2, COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE,
	         color);
	role_set(RO_ERROR, 3, COLOR_WHITE, COLOR_RED, A_BOLD,
	         A_REVERSE | A_BOLD, color);
	role_set(RO_WARN, 4, COLOR_YELLOW, -1, A_BOLD, A_BOLD, color);
	role_set(RO_DELETED, 5, COLOR_RED, -1, A_BOLD, A_BOLD, color);
	role_set(RO_ARCHIVED, 6, COLOR_CYAN, -1, A_NORMAL, A_NORMAL, color);
	role_set(RO_MARK, 4, COLOR_YELLOW, -1, A_BOLD, A_BOLD, color);
	role_set(RO_INPUT, 0, 0, 0, A_UNDERLINE, A_UNDERLINE, color);
	role_set(RO_FIELDERR, 5, COLOR_RED, -1, A_BOLD, A_BOLD, color);
}

attr_t draw_attr(enum draw_role role)
{
	if (role < 0 || role >= RO__COUNT)
		return A_NORMAL;
	return role_attr[role];
}

static void pad(WINDOW *w, int n)
{
	while (n-- > 0)
		waddch(w, ' ');
}

void draw_text(WINDOW *w, int y, int x, int width, const char *s,
               enum draw_align align)
{
	char shown[4096];
	wchar_t buf[1024];
	size_t n, keep = 0;
	int cols = 0, used = 0, left;

	if (width <= 0)
		return;
	/* What must not reach the terminal raw (controls that would move its
	 * cursor, bidi overrides that would reorder the line, bytes that are
	 * not UTF-8) is drawn as its escape: the core refuses them in input,
	 * but a foreign writer may have stored them. */
	text_visible(shown, sizeof shown, s);
	n = text_to_wide(shown, buf, sizeof buf / sizeof buf[0]);
	for (size_t i = 0; i < n; i++)
		cols += text_wchar_cols(buf[i]);
	if (cols <= width) {
		keep = n;
		used = cols;
	} else {
		/* leave one column for the ellipsis */
		for (keep = 0; keep < n; keep++) {
			int cw = text_wchar_cols(buf[keep]);
			if (used + cw > width - 1)
				break;
			used += cw;
		}
		/* a combining mark belongs with the character before it */
		while (keep < n && text_wchar_cols(buf[keep]) == 0)
			keep++;
	}
	left = 0;
	if (cols <= width && align == ALIGN_RIGHT)
		left = width - used;
	else if (cols <= width && align == ALIGN_CENTER)
		left = (width - used) / 2;
	wmove(w, y, x);
	pad(w, left);
	if (keep > 0)
		waddnwstr(w, buf, (int)keep);
	if (cols > width) {
		waddnwstr(w, L"\u2026", 1);
		used++;
	}
	pad(w, width - left - used);
}

void draw_text_role(WINDOW *w, int y, int x, int width, const char *s,
                    enum draw_align align, enum draw_role role)
{
	attr_t at = draw_attr(role);

	wattron(w, at);
	draw_text(w, y, x, width, s, align);
	wattroff(w, at);
}

int draw_str(WINDOW *w, int y, int x, const char *s, enum draw_role role,
             int limit)
{
	int room = getmaxx(w) - x, cols = text_cols(s);

	if (limit > 0 && limit < room)
		room = limit;
	if (room <= 0)
		return x;
	if (cols > room)
		cols = room;
	draw_text_role(w, y, x, cols, s, ALIGN_LEFT, role);
	return x + cols;
}

void draw_box(WINDOW *w, const char *title)
{
	int width = getmaxx(w);

	box(w, 0, 0);
	if (title && title[0] && width > 6) {
		char buf[256];
		snprintf(buf, sizeof buf, " %s ", title);
		draw_str(w, 0, 2, buf, RO_KEY, width - 4);
	}
}

static int hint_cols(const struct draw_hint *h)
{
	return text_cols(h->key) + 1 + text_cols(h->label);
}

void draw_hints(WINDOW *w, int y, int x, int width,
                const struct draw_hint *hints, size_t n, size_t keep)
{
	bool show[32] = { false };
	int used = 0, end = x + width, start = x;

	if (n > 32)
		n = 32;
	if (keep > n)
		keep = n;
	for (size_t i = n - keep; i < n; i++) {
		show[i] = true;
		used += hint_cols(&hints[i]) + 2;
	}
	for (size_t i = 0; i < n - keep; i++) {
		int c = hint_cols(&hints[i]) + 2;
		if (used + c > width)
			continue;
		show[i] = true;
		used += c;
	}
	for (size_t i = 0; i < n && x < end; i++) {
		if (!show[i])
			continue;
		if (x > start)
			x += 2;
		x = draw_str(w, y, x, hints[i].key, RO_KEY, end - x);
		x = draw_str(w, y, x, " ", RO_NORMAL, end - x);
		x = draw_str(w, y, x, hints[i].label, RO_NORMAL, end - x);
	}
}

void draw_hints_ranked(WINDOW *w, int y, int x, int width,
                       const struct draw_hint *hints, const int *drop,
                       size_t n)
{
	bool show[32];
	int end = x + width, start = x;

	if (n > 32)
		n = 32;
	for (size_t i = 0; i < n; i++)
		show[i] = true;
	for (;;) {
		int used = 0, top = 0;
		for (size_t i = 0; i < n; i++) {
			if (!show[i])
				continue;
			used += hint_cols(&hints[i]) + (used > 0 ? 2 : 0);
			if (drop[i] > top)
				top = drop[i];
		}
		if (used <= width || top == 0)
			break;
		for (size_t i = 0; i < n; i++)
			if (drop[i] == top)
				show[i] = false;
	}
	for (size_t i = 0; i < n && x < end; i++) {
		if (!show[i])
			continue;
		if (x > start)
			x += 2;
		x = draw_str(w, y, x, hints[i].key, RO_KEY, end - x);
		x = draw_str(w, y, x, " ", RO_NORMAL, end - x);
		x = draw_str(w, y, x, hints[i].label, RO_NORMAL, end - x);
	}
}

/* Steps an operator can use: seconds for the first ten, then tens of
 * seconds, minutes, hours.  Each step is a repaint of an idle screen, so
 * none is finer than it needs to be (no tenths). */
static int64_t age_unit(int64_t ms)
{
	if (ms < 10000)
		return 1000;
	if (ms < 60000)
		return 10000;
	if (ms < 3600000)
		return 60000;
	return 3600000;
}

void draw_age(int64_t ms, char *buf, size_t size)
{
	int64_t unit;

	if (ms < 0)
		ms = 0;
	unit = age_unit(ms);
	ms -= ms % unit;
	if (ms < 60000)
		snprintf(buf, size, "%ds", (int)(ms / 1000));
	else if (ms < 3600000)
		snprintf(buf, size, "%dm", (int)(ms / 60000));
	else
		snprintf(buf, size, "%dh", (int)(ms / 3600000));
}

/* Where the line starting at buf[from] ends: as many characters as fit in
 * width columns, broken after the last space when the text goes on. */
static size_t wrap_end(const wchar_t *buf, size_t n, size_t from, int width)
{
	size_t i = from, space = 0;
	int used = 0;

	for (; i < n; i++) {
		int cw = text_wchar_cols(buf[i]);
		if (used + cw > width)
			break;
		used += cw;
		if (buf[i] == L' ')
			space = i + 1;
	}
	if (i < n && space > from)
		i = space;
	/* a combining mark belongs with the character before it */
	while (i < n && text_wchar_cols(buf[i]) == 0)
		i++;
	return i > from ? i : from + 1;
}

int draw_wrap(WINDOW *w, int y, int x, int width, const char *s,
              enum draw_role role, int max_lines)
{
	char shown[4096];
	wchar_t buf[1024];
	size_t n, from = 0;
	int lines = 0;
	attr_t at = draw_attr(role);

	if (width <= 0 || max_lines <= 0)
		return 0;
	/* the same escapes as draw_text(): nothing raw reaches the terminal */
	text_visible(shown, sizeof shown, s);
	n = text_to_wide(shown, buf, sizeof buf / sizeof buf[0]);
	do {
		size_t end = wrap_end(buf, n, from, width);
		int used = 0;

		if (w) {
			wmove(w, y + lines, x);
			wattron(w, at);
			waddnwstr(w, buf + from, (int)(end - from));
			wattroff(w, at);
		}
		for (size_t i = from; i < end; i++)
			used += text_wchar_cols(buf[i]);
		if (w)
			pad(w, width - used);
		from = end;
		lines++;
	} while (from < n && lines < max_lines);
	return lines;
}

/* The text changes when the age crosses the next step, so the strip
 * repaints only then. */
int64_t draw_age_next(int64_t ms)
{
	int64_t unit;

	if (ms < 0)
		ms = 0;
	unit = age_unit(ms);
	return (ms / unit + 1) * unit - ms;
}
