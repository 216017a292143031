/*
 * term.c - the benchmark's pseudo-terminal reader (see term.h).
 *
 * Written against libvterm 0.1.4.  The screen is read back one row at a
 * time with vterm_screen_get_text, which gives UTF-8; a text is looked for
 * within a row, never across rows.
 */
#include "term.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vterm.h>

struct term {
	pid_t pid;
	int fd;
	bool eof;
	bool reaped;
	int status;
	int rows, cols;
	VTerm *vt;
	VTermScreen *screen;
};

static long long clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Answers the terminal owes the program (cursor reports and the like). */
static void term_output(const char *s, size_t len, void *user)
{
	struct term *t = user;

	while (len > 0 && t->fd >= 0) {
		ssize_t w = write(t->fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

struct term *term_spawn(const char *const argv[], int rows, int cols)
{
	struct winsize ws = {.ws_row = (unsigned short)rows,
	                     .ws_col = (unsigned short)cols};
	struct term *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->rows = rows;
	t->cols = cols;
	t->vt = vterm_new(rows, cols);
	if (!t->vt) {
		free(t);
		return NULL;
	}
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, term_output, t);
	t->screen = vterm_obtain_screen(t->vt);
	vterm_screen_reset(t->screen, 1);

	t->pid = forkpty(&t->fd, NULL, NULL, &ws);
	if (t->pid < 0) {
		vterm_free(t->vt);
		free(t);
		return NULL;
	}
	if (t->pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		unsetenv("LINES");
		unsetenv("COLUMNS");
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return t;
}

int term_pump(struct term *t, int timeout_ms)
{
	char buf[65536];
	struct pollfd p = {.fd = t->fd, .events = POLLIN};
	int total = 0;
	int rc;

	if (t->eof)
		return -1;
	rc = poll(&p, 1, timeout_ms);
	if (rc <= 0)
		return 0;
	/* Read what is ready now, without waiting for more. */
	for (;;) {
		ssize_t n = read(t->fd, buf, sizeof buf);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* EIO: the child's side is closed */
			if (n == 0 || errno != EAGAIN)
				t->eof = total == 0;
			break;
		}
		vterm_input_write(t->vt, buf, (size_t)n);
		total += (int)n;
		p.revents = 0;
		if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
			break;
	}
	return t->eof ? -1 : total;
}

void term_row_text(struct term *t, int row, char *buf, size_t len)
{
	VTermRect r = {.start_row = row, .end_row = row + 1, .start_col = 0,
	               .end_col = t->cols};
	size_t n = vterm_screen_get_text(t->screen, buf, len - 1, r);

	buf[n < len ? n : len - 1] = '\0';
}

bool term_shows(struct term *t, const char *const texts[])
{
	char row[4096];
	bool seen[16] = {false};
	size_t want = 0, got = 0;

	while (texts[want] && want < 16)
		want++;
	for (int y = 0; y < t->rows && got < want; y++) {
		term_row_text(t, y, row, sizeof row);
		for (size_t i = 0; i < want; i++) {
			if (!seen[i] && strstr(row, texts[i])) {
				seen[i] = true;
				got++;
			}
		}
	}
	return got == want;
}

bool term_wait(struct term *t, const char *const texts[], int timeout_ms)
{
	long long end = clock_ms() + timeout_ms;

	if (term_shows(t, texts))
		return true;
	for (;;) {
		long long left = end - clock_ms();
		int n;

		if (left <= 0)
			return false;
		n = term_pump(t, (int)left);
		if (n < 0)
			return term_shows(t, texts);
		if (n > 0 && term_shows(t, texts))
			return true;
	}
}

void term_wait_quiet(struct term *t, int quiet_ms, int timeout_ms)
{
	long long end = clock_ms() + timeout_ms;

	while (clock_ms() < end) {
		if (term_pump(t, quiet_ms) <= 0)
			return;
	}
}

bool term_send(struct term *t, const char *bytes)
{
	size_t len = strlen(bytes);

	while (len > 0) {
		ssize_t w = write(t->fd, bytes, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			term_pump(t, 10);
			continue;
		}
		if (w <= 0)
			return false;
		bytes += w;
		len -= (size_t)w;
	}
	return true;
}

pid_t term_pid(const struct term *t)
{
	return t->pid;
}

void term_dump(struct term *t, FILE *out)
{
	char row[4096];

	fprintf(out, "+-- screen %dx%d --\n", t->cols, t->rows);
	for (int y = 0; y < t->rows; y++) {
		term_row_text(t, y, row, sizeof row);
		fprintf(out, "|%s\n", row);
	}
	fprintf(out, "+--\n");
}

static bool term_reap(struct term *t)
{
	if (!t->reaped && waitpid(t->pid, &t->status, WNOHANG) == t->pid)
		t->reaped = true;
	return t->reaped;
}

int term_close(struct term *t, int timeout_ms)
{
	long long end;
	int sig = SIGTERM;

	if (!t)
		return -1;
	end = clock_ms() + timeout_ms;
	for (int round = 0; round < 3 && !term_reap(t); round++) {
		while (!term_reap(t) && clock_ms() < end) {
			/* keep reading, so a program drawing its last frame
			 * never blocks on a full terminal */
			if (term_pump(t, 20) < 0 && !term_reap(t)) {
				struct timespec ts = {0, 5000000};

				nanosleep(&ts, NULL);
			}
		}
		if (term_reap(t))
			break;
		kill(t->pid, sig);
		sig = SIGKILL;
		end = clock_ms() + 1000;
	}
	if (!t->reaped && waitpid(t->pid, &t->status, 0) == t->pid)
		t->reaped = true;
	close(t->fd);
	t->fd = -1;
	vterm_free(t->vt);
	{
		int status = t->status;
		bool exited = t->reaped && WIFEXITED(status);

		free(t);
		return exited ? WEXITSTATUS(status) : -1;
	}
}
