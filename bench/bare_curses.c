/*
 * bare_curses.c - the yardstick for "start to first full screen": the least
 * a curses program does before a person sees something (initialise the
 * terminal, print one line, refresh), then wait for a key.  Started through
 * the same pseudo-terminal as inved, it gives the floor that terminal set-up
 * and process start cost on this machine.
 */
#include <curses.h>
#include <locale.h>

int main(void)
{
	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	mvaddstr(0, 0, "bare curses ready");
	refresh();
	getch();
	endwin();
	return 0;
}
