/*
 * pty_fixture.c — a small ncursesw program that the driver's self-test
 * (test_pty.c) runs on a pseudo-terminal. It shows a fixed screen with
 * UTF-8 and CJK text, a reverse-video row and a bold word, names each key
 * it receives, prints its size after a resize, and exits on 'q'.
 *
 * Layout (rows are 0-based; the fixed rows are left out where they would
 * not fit, so it still draws at 20x6):
 *   0  size COLSxLINES
 *   1  Müller & Söhne — 12,50 €
 *   2  作者           (the cursor rests just after it, at column 4)
 *   3  selected row   (reverse video)
 *   4  key N: NAME    (N counts keys, so a repeated key is still seen)
 *   5  bold           (bold)
 *   6  40 '=' then 'x' (long runs of one character: ncurses may send them
 *      with the REP sequence)
 *   7  env TERM=... LC_ALL=... greeting=$PTY_FIXTURE_GREETING
 *
 * Arguments: a number to use as the exit status on 'q' (default 0);
 * --ignore-term to ignore SIGTERM, so that only SIGKILL ends it.
 * 'p' asks the terminal for the cursor position (CSI 6n) and shows the
 * answer as "DSR row;col", proving that query answers reach the program.
 */
#include <curses.h>
#include <limits.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

static int key_count;
static char last_key[64] = "none";

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v ? v : fallback;
}

static void draw(void)
{
	erase();
	mvprintw(0, 0, "size %dx%d", COLS, LINES);
	if (COLS >= 30)
		mvaddstr(1, 0, "Müller & Söhne — 12,50 €");
	mvaddstr(2, 0, "作者");
	attron(A_REVERSE);
	mvprintw(3, 0, "%-*s", COLS < 20 ? COLS : 20, "selected row");
	attroff(A_REVERSE);
	mvprintw(4, 0, "key %d: %s", key_count, last_key);
	attron(A_BOLD);
	mvaddstr(5, 0, "bold");
	attroff(A_BOLD);
	if (LINES > 8 && COLS >= 60) {
		mvprintw(6, 0, "%s",
		         "========================================x");
		mvprintw(7, 0, "env TERM=%s LC_ALL=%s greeting=%s",
		         env_or("TERM", "-"), env_or("LC_ALL", "-"),
		         env_or("PTY_FIXTURE_GREETING", "-"));
	}
	move(2, 4);
	refresh();
}

static void name_key(const char *name)
{
	key_count++;
	snprintf(last_key, sizeof last_key, "%s", name);
}

static void name_char(wchar_t wc)
{
	char mb[MB_LEN_MAX + 1];
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = wcrtomb(mb, wc, &st);
	if (n == (size_t)-1) {
		char code[32];

		snprintf(code, sizeof code, "code %ld", (long)wc);
		name_key(code);
		return;
	}
	mb[n] = '\0';
	key_count++;
	snprintf(last_key, sizeof last_key, "char %s", mb);
}

/*
 * Ask the terminal where the cursor is and read the answer straight from
 * the terminal, bypassing curses' key parsing: ESC [ row ; col R.
 */
static void ask_cursor_position(void)
{
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	char reply[32];
	size_t len = 0;
	int row, col;

	if (write(STDOUT_FILENO, "\x1b[6n", 4) != 4)
		return;
	while (len + 1 < sizeof reply && poll(&pfd, 1, 2000) > 0) {
		ssize_t n = read(STDIN_FILENO, reply + len, 1);

		if (n <= 0)
			break;
		len++;
		if (reply[len - 1] == 'R')
			break;
	}
	reply[len] = '\0';
	if (sscanf(reply, "\x1b[%d;%dR", &row, &col) == 2) {
		char name[32];

		snprintf(name, sizeof name, "DSR %d;%d", row, col);
		name_key(name);
	} else {
		name_key("DSR none");
	}
}

static const char *function_key_name(wint_t key)
{
	switch (key) {
	case KEY_F(1):
		return "F1";
	case KEY_F(2):
		return "F2";
	case KEY_UP:
		return "UP";
	case KEY_DOWN:
		return "DOWN";
	case KEY_LEFT:
		return "LEFT";
	case KEY_RIGHT:
		return "RIGHT";
	case KEY_HOME:
		return "HOME";
	case KEY_END:
		return "END";
	case KEY_PPAGE:
		return "PGUP";
	case KEY_NPAGE:
		return "PGDN";
	case KEY_BTAB:
		return "BTAB";
	case KEY_DC:
		return "DELETE";
	case KEY_IC:
		return "INSERT";
	case KEY_BACKSPACE:
		return "BACKSPACE";
	case KEY_ENTER:
		return "ENTER";
	default:
		return NULL;
	}
}

static const char *control_key_name(wint_t key)
{
	switch (key) {
	case 0x1b:
		return "ESC";
	case '\t':
		return "TAB";
	case 0x13:
		return "CTRL-S";
	case 0x15:
		return "CTRL-U";
	case '\r':
	case '\n':
		return "ENTER";
	case 0x7f:
	case 0x08:
		return "BACKSPACE";
	default:
		return NULL;
	}
}

int main(int argc, char **argv)
{
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--ignore-term") == 0)
			signal(SIGTERM, SIG_IGN);
		else
			status = atoi(argv[i]);
	}
	setlocale(LC_ALL, "");
	initscr();
	/* raw, not cbreak: with flow control on, Ctrl-S would stop output
	 * instead of reaching the program. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	draw();
	for (;;) {
		wint_t key;
		int r = get_wch(&key);
		const char *name;

		if (r == ERR)
			continue;
		if (r == KEY_CODE_YES) {
			if (key == KEY_RESIZE) {
				draw();
				continue;
			}
			name = function_key_name(key);
			if (name) {
				name_key(name);
			} else {
				char code[32];

				snprintf(code, sizeof code, "keycode %ld",
				         (long)key);
				name_key(code);
			}
		} else if (key == 'q') {
			break;
		} else if (key == 'p') {
			ask_cursor_position();
		} else if ((name = control_key_name(key)) != NULL) {
			name_key(name);
		} else {
			name_char((wchar_t)key);
		}
		draw();
	}
	endwin();
	return status;
}
