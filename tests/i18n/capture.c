/*
 * capture.c - print what a program shows on a pseudo-terminal, as text.
 *
 * The README's screenshots are made with it, so they are the real screen
 * and not a drawing. It runs a program on a pty of a given size, plays a
 * script of steps, then prints the screen (trailing blanks trimmed):
 *
 *   inved-capture [--size ROWSxCOLS] [--env NAME=VALUE]... STEP... -- ARGV...
 *
 * Steps run in order after the program starts:
 *   --wait TEXT   wait (up to 10 s) until TEXT is on the screen
 *   --gone TEXT   wait until TEXT has left the screen
 *   --keys KEYS   send keys: plain text, with <Enter> <Esc> <Tab> <BTab>
 *                 <F2> <Up> <Down> <Left> <Right> <Home> <End> <PgUp>
 *                 <PgDn> <BS> <C-x> (Ctrl and a letter) standing for
 *                 the keys they name
 *   --sh COMMAND  run COMMAND with /bin/sh and wait for it (a second
 *                 terminal's save, say); a failure ends the capture
 * Before printing, it waits until the program has been quiet for 200 ms.
 * Exit status: 0 after printing, 1 when a step fails (the screen is
 * printed to stderr), 2 on a usage error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pty.h"

#define STEP_MS 10000

struct key_name {
	const char *name;
	const char *bytes;
};

static const struct key_name key_names[] = {
	{ "Enter", PTY_KEY_ENTER }, { "Esc", PTY_KEY_ESC },
	{ "Tab", PTY_KEY_TAB },     { "BTab", PTY_KEY_BTAB },
	{ "F2", PTY_KEY_F2 },       { "Up", PTY_KEY_UP },
	{ "Down", PTY_KEY_DOWN },   { "Left", PTY_KEY_LEFT },
	{ "Right", PTY_KEY_RIGHT }, { "Home", PTY_KEY_HOME },
	{ "End", PTY_KEY_END },     { "PgUp", PTY_KEY_PGUP },
	{ "PgDn", PTY_KEY_PGDN },   { "BS", PTY_KEY_BACKSPACE },
};

static void usage(void)
{
	fputs("usage: inved-capture [--size ROWSxCOLS] [--env NAME=VALUE]... "
	      "[--wait TEXT | --gone TEXT | --keys KEYS | --sh CMD]... "
	      "-- PROGRAM [ARGS]...\n", stderr);
}

/* Send one run of plain text, then one named key; returns false when
 * the program has gone or a name is unknown. A lone Esc is followed by
 * waiting for quiet, since only time tells it from a sequence. */
static bool send_keys(struct pty *pty, const char *keys)
{
	char plain[256];
	size_t n = 0;

	for (const char *p = keys; *p;) {
		const char *end = *p == '<' ? strchr(p, '>') : NULL;
		const char *bytes = NULL;
		char ctrl[2] = { 0, 0 };

		if (end) {
			size_t len = (size_t)(end - p - 1);

			if (len == 3 && p[1] == 'C' && p[2] == '-') {
				ctrl[0] = (char)(p[3] & 0x1f);
				bytes = ctrl;
			}
			for (size_t k = 0; !bytes && k < sizeof key_names /
			                                   sizeof key_names[0]; k++)
				if (strlen(key_names[k].name) == len &&
				    strncmp(key_names[k].name, p + 1, len) == 0)
					bytes = key_names[k].bytes;
		}
		if (!bytes) {
			if (n + 1 < sizeof plain)
				plain[n++] = *p;
			p++;
			continue;
		}
		plain[n] = '\0';
		if (n && !pty_send(pty, plain))
			return false;
		n = 0;
		if (!pty_send(pty, bytes))
			return false;
		if (strcmp(bytes, PTY_KEY_ESC) == 0)
			pty_wait_quiet(pty, 100, STEP_MS);
		p = end + 1;
	}
	plain[n] = '\0';
	return n == 0 || pty_send(pty, plain);
}

static bool run_step(struct pty *pty, const char *step, const char *arg)
{
	if (strcmp(step, "--wait") == 0)
		return pty_wait_text(pty, arg, STEP_MS);
	if (strcmp(step, "--gone") == 0)
		return pty_wait_gone(pty, arg, STEP_MS);
	if (strcmp(step, "--keys") == 0)
		return send_keys(pty, arg);
	if (strcmp(step, "--sh") == 0) {
		fflush(NULL);
		return system(arg) == 0;
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *envp[32];
	int rows = 24, cols = 80, ne = 0, first_step, dash, code = 0;
	struct pty *pty;
	char *screen;

	envp[ne++] = "NO_COLOR";
	envp[ne++] = "INVED_BUSY_TIMEOUT";
	for (dash = 1; dash < argc && strcmp(argv[dash], "--") != 0; dash++)
		;
	if (dash + 1 >= argc) {
		usage();
		return 2;
	}
	first_step = 1;
	while (first_step + 1 < dash) {
		if (strcmp(argv[first_step], "--size") == 0) {
			if (sscanf(argv[first_step + 1], "%dx%d", &rows, &cols) != 2 ||
			    rows < 2 || cols < 2) {
				usage();
				return 2;
			}
		} else if (strcmp(argv[first_step], "--env") == 0 && ne < 31) {
			envp[ne++] = argv[first_step + 1];
		} else {
			break;
		}
		first_step += 2;
	}
	envp[ne] = NULL;
	if ((dash - first_step) % 2 != 0) {
		usage();
		return 2;
	}
	pty = pty_spawn((const char *const *)argv + dash + 1, envp, rows, cols);
	if (!pty) {
		perror(argv[dash + 1]);
		return 1;
	}
	for (int i = first_step; i < dash; i += 2) {
		if (!run_step(pty, argv[i], argv[i + 1])) {
			fprintf(stderr, "inved-capture: step %s '%s' failed\n",
			        argv[i], argv[i + 1]);
			pty_dump(pty, stderr);
			code = 1;
			break;
		}
	}
	if (code == 0) {
		pty_wait_quiet(pty, 200, STEP_MS);
		screen = pty_screen_text(pty);
		if (!screen) {
			code = 1;
		} else {
			puts(screen);
			free(screen);
		}
	}
	pty_close(pty, 0);
	return code;
}
