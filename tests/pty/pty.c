/*
 * pty.c — the pseudo-terminal test driver (see pty.h).
 *
 * One struct pty is one child on one pseudo-terminal plus the libvterm
 * screen that shows what it wrote. Everything is driven from the caller's
 * thread: output is read only inside pty_pump and the waits built on it,
 * so the screen changes only when a test asks it to.
 *
 * Written against libvterm 0.1.4 (Debian 12); newer releases renamed some
 * callbacks. The screen buffer is read directly with
 * vterm_screen_get_cell; the only callback registered is settermprop, to
 * follow the alternate screen and the cursor's visibility.
 *
 * What does not live here: anything about inved. The self-test is
 * test_pty.c with its fixture pty_fixture.c.
 */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h> /* the C library's, for forkpty: see meson.build */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <vterm.h>

extern char **environ;

/*
 * Longest single poll() while waiting: output wakes us at once anyway,
 * the slice only bounds how late a deadline is noticed.
 */
#define PTY_SLICE_MS 50
/* How long a child gets to act on SIGTERM before SIGKILL. */
#define PTY_TERM_GRACE_MS 1000
/* How long pty_send keeps trying to hand over its bytes. */
#define PTY_SEND_MS 5000
/* Before a resize: how long the program must have been silent, and the
 * longest we wait for that. */
#define PTY_RESIZE_QUIET_MS 50
#define PTY_RESIZE_WAIT_MS  2000
/* Stop one pump after this much output so a chatty child cannot pin us. */
#define PTY_PUMP_MAX (1 << 20)

/* libvterm marks the right half of a wide character with this value. */
#define PTY_WIDE_TAIL ((uint32_t)-1)

struct pty {
	pid_t pid;
	int fd;   /* the master side; -1 once closed */
	bool eof; /* the child's side is closed: no more output */
	bool reaped;
	bool signalled; /* we sent a signal: its death is expected */
	int wstatus;    /* waitpid status once reaped, -1 if unknown */
	int rows, cols;
	VTerm *vt;
	VTermScreen *screen;
	VTermState *state;
	bool altscreen;      /* the program switched to the alternate screen */
	bool cursor_visible; /* as the program last set it */
	struct pty *next; /* in the list of live sessions */
};

static int on_termprop(VTermProp prop, VTermValue *val, void *user)
{
	struct pty *pty = user;

	if (prop == VTERM_PROP_ALTSCREEN)
		pty->altscreen = val->boolean;
	else if (prop == VTERM_PROP_CURSORVISIBLE)
		pty->cursor_visible = val->boolean;
	return 1;
}

static const VTermScreenCallbacks screen_callbacks = {
	.settermprop = on_termprop,
};

bool pty_alt_screen(struct pty *pty)
{
	return pty->altscreen;
}

bool pty_cursor_visible(struct pty *pty)
{
	return pty->cursor_visible;
}

bool pty_tty_modes(struct pty *pty, bool *echo, bool *canonical)
{
	struct termios t;

	/* On a master, Linux answers with the terminal's (the slave's)
	 * settings, which outlive the child while the master is open. */
	if (pty->fd < 0 || tcgetattr(pty->fd, &t) != 0)
		return false;
	*echo = (t.c_lflag & ECHO) != 0;
	*canonical = (t.c_lflag & ICANON) != 0;
	return true;
}

/*
 * Live sessions, so that a test that fails (Check exits the test process)
 * still kills and reaps its children at exit instead of leaving them to
 * hang on a terminal nobody reads.
 */
static struct pty *live_ptys;
static bool cleanup_registered;

/* A growable byte buffer; oom sticks once an allocation fails. */
struct strbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int ms_until(long long deadline)
{
	long long left = deadline - now_ms();

	if (left < 0)
		return 0;
	return left > PTY_SLICE_MS ? PTY_SLICE_MS : (int)left;
}

static void strbuf_put(struct strbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void strbuf_puts(struct strbuf *b, const char *s)
{
	strbuf_put(b, s, strlen(s));
}

/* Returns the text (never NULL unless memory ran out); the caller frees. */
static char *strbuf_take(struct strbuf *b)
{
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	if (!b->p)
		strbuf_put(b, "", 0);
	return b->oom ? NULL : b->p;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	/* Not a character a terminal can show: stand in U+FFFD. */
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Bytes in the UTF-8 sequence that starts with lead (1 for stray bytes). */
static size_t utf8_seq_len(unsigned char lead)
{
	if (lead >= 0xF0 && lead < 0xF8)
		return 4;
	if (lead >= 0xE0)
		return lead < 0xF0 ? 3 : 1;
	if (lead >= 0xC0)
		return 2;
	return 1;
}

static bool get_cell(struct pty *pty, int row, int col, VTermScreenCell *cell)
{
	VTermPos pos = {.row = row, .col = col};

	if (row < 0 || row >= pty->rows || col < 0 || col >= pty->cols)
		return false;
	memset(cell, 0, sizeof *cell);
	return vterm_screen_get_cell(pty->screen, pos, cell) != 0;
}

static bool cell_is_blank(const VTermScreenCell *cell)
{
	return cell->chars[0] == 0 || cell->chars[0] == ' ';
}

/*
 * The cell's text as UTF-8: its base character and any combining marks,
 * or a space for an empty cell. Returns the length (at most 24 bytes).
 */
static size_t cell_text(const VTermScreenCell *cell, char out[24])
{
	size_t n = 0;

	if (cell->chars[0] == 0 || cell->chars[0] == PTY_WIDE_TAIL) {
		out[0] = ' ';
		return 1;
	}
	for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i]; i++)
		n += utf8_encode(cell->chars[i], out + n);
	return n;
}

/*
 * Append one row as UTF-8. The right half of a wide character is skipped
 * (the character was written for the left half), so the text reads as it
 * was printed and, untrimmed, spans exactly cols columns.
 */
static void render_row(struct pty *pty, int row, bool trim, struct strbuf *b)
{
	size_t start = b->len, keep = b->len;

	for (int col = 0; col < pty->cols; col++) {
		VTermScreenCell cell;
		char text[24];

		if (!get_cell(pty, row, col, &cell))
			break;
		if (cell.chars[0] == PTY_WIDE_TAIL)
			continue;
		strbuf_put(b, text, cell_text(&cell, text));
		if (!cell_is_blank(&cell))
			keep = b->len;
		if (cell.width == 2)
			col++;
	}
	if (trim && !b->oom) {
		b->len = keep > start ? keep : start;
		b->p[b->len] = '\0';
	}
}

/*
 * Write all of bytes to the master. When drain is true, output that is
 * ready meanwhile is read first: a child blocked writing to a full
 * terminal does not read its input, and we would wait on each other.
 * Query answers pass drain=false, because they are written from inside
 * a pump.
 */
static bool write_master(struct pty *pty, const char *bytes, size_t len,
                         bool drain)
{
	long long deadline = now_ms() + PTY_SEND_MS;

	while (len > 0) {
		struct pollfd pfd = {.fd = pty->fd, .events = POLLOUT};
		int r;

		if (pty->fd < 0)
			return false;
		if (drain && !pty->eof)
			pfd.events |= POLLIN;
		r = poll(&pfd, 1, ms_until(deadline));
		if (r < 0 && errno != EINTR)
			return false;
		if (r <= 0) {
			if (now_ms() >= deadline)
				return false;
			continue;
		}
		if (pfd.revents & POLLOUT) {
			ssize_t n = write(pty->fd, bytes, len);

			if (n > 0) {
				bytes += n;
				len -= (size_t)n;
			} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
				return false;
			}
		} else if (drain && (pfd.revents & POLLIN)) {
			pty_pump(pty, 0);
		} else if (pfd.revents & (POLLHUP | POLLERR)) {
			return false;
		}
	}
	return true;
}

/*
 * Hand libvterm's replies (cursor position reports, device attributes)
 * back to the program: one that asks and gets no answer waits forever.
 */
static void answer_queries(struct pty *pty)
{
	char out[256];
	size_t n;

	while ((n = vterm_output_read(pty->vt, out, sizeof out)) > 0)
		write_master(pty, out, n, false);
}

static void feed(struct pty *pty, const char *bytes, size_t len)
{
	vterm_input_write(pty->vt, bytes, len);
	answer_queries(pty);
}

int pty_pump(struct pty *pty, int timeout_ms)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int total = 0;

	if (!pty || pty->fd < 0 || pty->eof)
		return -1;
	for (;;) {
		struct pollfd pfd = {.fd = pty->fd, .events = POLLIN};
		char buf[4096];
		ssize_t n;
		int r;

		/* Once output came, take only what is already there. */
		r = poll(&pfd, 1, total > 0 ? 0 : ms_until(deadline));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return total > 0 ? total : -1;
		}
		if (r == 0) {
			if (total > 0 || now_ms() >= deadline)
				return total;
			continue;
		}
		n = read(pty->fd, buf, sizeof buf);
		if (n > 0) {
			feed(pty, buf, (size_t)n);
			total += (int)n;
			if (total >= PTY_PUMP_MAX)
				return total;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		/*
		 * Linux reports EIO (not 0) on the master once every holder of
		 * the child's side has closed it: the child has gone.
		 */
		pty->eof = true;
		return total > 0 ? total : -1;
	}
}

typedef bool screen_test(struct pty *pty, int row, const char *text);

static bool screen_has(struct pty *pty, int row, const char *text)
{
	char *s = pty_screen_text(pty);
	bool found = s && strstr(s, text) != NULL;

	(void)row;
	free(s);
	return found;
}

static bool screen_lacks(struct pty *pty, int row, const char *text)
{
	char *s = pty_screen_text(pty);
	bool lacks = s && strstr(s, text) == NULL;

	(void)row;
	free(s);
	return lacks;
}

static bool row_has(struct pty *pty, int row, const char *text)
{
	struct strbuf b = {0};
	bool found;

	if (row < 0 || row >= pty->rows)
		return false;
	render_row(pty, row, true, &b);
	found = !b.oom && strstr(b.p ? b.p : "", text) != NULL;
	free(b.p);
	return found;
}

static bool row_is(struct pty *pty, int row, const char *text)
{
	struct strbuf b = {0};
	bool same;

	if (row < 0 || row >= pty->rows)
		return false;
	render_row(pty, row, true, &b);
	same = !b.oom && strcmp(b.p ? b.p : "", text) == 0;
	free(b.p);
	return same;
}

/*
 * Read output until test holds or the deadline passes. Output already
 * waiting is read before the first look, so a stale screen never passes
 * for the current one. When the child has gone the screen cannot change
 * any more: answer at once instead of waiting out the deadline.
 */
static bool wait_for(struct pty *pty, screen_test *test, int row,
                     const char *text, int timeout_ms)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	if (!pty || !text)
		return false;
	pty_pump(pty, 0);
	for (;;) {
		if (test(pty, row, text))
			return true;
		if (pty->eof || now_ms() >= deadline)
			return false;
		if (pty_pump(pty, ms_until(deadline)) < 0)
			return test(pty, row, text);
	}
}

bool pty_wait_text(struct pty *pty, const char *text, int timeout_ms)
{
	return wait_for(pty, screen_has, 0, text, timeout_ms);
}

bool pty_wait_gone(struct pty *pty, const char *text, int timeout_ms)
{
	return wait_for(pty, screen_lacks, 0, text, timeout_ms);
}

bool pty_wait_row_text(struct pty *pty, int row, const char *text,
                       int timeout_ms)
{
	return wait_for(pty, row_has, row, text, timeout_ms);
}

bool pty_wait_row_is(struct pty *pty, int row, const char *text, int timeout_ms)
{
	return wait_for(pty, row_is, row, text, timeout_ms);
}

bool pty_wait_quiet(struct pty *pty, int quiet_ms, int timeout_ms)
{
	long long start = now_ms();
	long long deadline = start + (timeout_ms > 0 ? timeout_ms : 0);
	long long last = start;

	if (!pty)
		return false;
	for (;;) {
		long long now = now_ms();
		long long wait;
		int n;

		if (now - last >= quiet_ms)
			return true;
		if (now >= deadline)
			return false;
		wait = last + quiet_ms - now;
		if (wait > deadline - now)
			wait = deadline - now;
		n = pty_pump(pty, (int)wait);
		if (n < 0)
			return true; /* the child has gone: quiet for good */
		if (n > 0)
			last = now_ms();
	}
}

bool pty_send(struct pty *pty, const char *bytes)
{
	if (!pty || !bytes)
		return false;
	return write_master(pty, bytes, strlen(bytes), true);
}

bool pty_send_ctrl(struct pty *pty, char letter)
{
	char key[2] = {(char)(letter & 0x1F), '\0'};

	if (key[0] == 0)
		return false; /* Ctrl-@ would be an empty string */
	return pty_send(pty, key);
}

char *pty_screen_text(struct pty *pty)
{
	struct strbuf b = {0};

	for (int row = 0; row < pty->rows; row++) {
		if (row > 0)
			strbuf_put(&b, "\n", 1);
		render_row(pty, row, true, &b);
	}
	return strbuf_take(&b);
}

int pty_row_text(struct pty *pty, int row, char *buf, size_t len)
{
	struct strbuf b = {0};
	size_t n;

	if (!pty || row < 0 || row >= pty->rows || !buf || len == 0)
		return -1;
	render_row(pty, row, true, &b);
	if (b.oom) {
		free(b.p);
		return -1;
	}
	n = b.len;
	if (n >= len) {
		/* Cut before a character that does not fit whole. */
		n = len - 1;
		while (n > 0 && ((unsigned char)b.p[n] & 0xC0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(buf, b.p, n);
	buf[n] = '\0';
	free(b.p);
	return (int)n;
}

int pty_find_row(struct pty *pty, const char *text)
{
	for (int row = 0; pty && text && row < pty->rows; row++)
		if (row_has(pty, row, text))
			return row;
	return -1;
}

bool pty_cell_reverse(struct pty *pty, int row, int col)
{
	VTermScreenCell cell;

	return pty && get_cell(pty, row, col, &cell) && cell.attrs.reverse;
}

bool pty_cell_bold(struct pty *pty, int row, int col)
{
	VTermScreenCell cell;

	return pty && get_cell(pty, row, col, &cell) && cell.attrs.bold;
}

void pty_cursor(struct pty *pty, int *row, int *col)
{
	VTermPos pos;

	vterm_state_get_cursorpos(pty->state, &pos);
	if (row)
		*row = pos.row;
	if (col)
		*col = pos.col;
}

void pty_size(struct pty *pty, int *rows, int *cols)
{
	if (rows)
		*rows = pty->rows;
	if (cols)
		*cols = pty->cols;
}

pid_t pty_pid(struct pty *pty)
{
	return pty->pid;
}

void pty_resize(struct pty *pty, int rows, int cols)
{
	struct winsize ws = {
	    .ws_row = (unsigned short)rows,
	    .ws_col = (unsigned short)cols,
	};

	if (!pty || rows <= 0 || cols <= 0)
		return;
	/*
	 * ncurses 6.4 can lose a SIGWINCH that lands while it is writing a
	 * refresh: it takes the new size but get_wch never returns
	 * KEY_RESIZE, so a program that redraws only on KEY_RESIZE keeps the
	 * old screen until its next key. Letting the program finish what it
	 * is drawing first makes the resize land while it waits for input.
	 * Leftover output read now would also land on a screen of the wrong
	 * size.
	 */
	pty_wait_quiet(pty, PTY_RESIZE_QUIET_MS, PTY_RESIZE_WAIT_MS);
	vterm_set_size(pty->vt, rows, cols);
	answer_queries(pty);
	pty->rows = rows;
	pty->cols = cols;
	if (pty->fd >= 0)
		ioctl(pty->fd, TIOCSWINSZ, &ws);
}

static bool try_reap(struct pty *pty)
{
	int st;
	pid_t r;

	if (pty->reaped)
		return true;
	do
		r = waitpid(pty->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == pty->pid) {
		pty->wstatus = st;
		pty->reaped = true;
	} else if (r < 0) {
		/* Reaped behind our back (ECHILD): gone, status unknown. */
		pty->wstatus = -1;
		pty->reaped = true;
	}
	return pty->reaped;
}

static int exit_code(int wstatus)
{
	if (wstatus != -1 && WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	return -1;
}

int pty_kill(struct pty *pty, int sig)
{
	if (!pty || try_reap(pty))
		return -1;
	pty->signalled = true;
	return kill(pty->pid, sig);
}

bool pty_exited(struct pty *pty, int *status)
{
	if (!pty || !try_reap(pty))
		return false;
	if (status)
		*status = exit_code(pty->wstatus);
	return true;
}

/*
 * Wait for the child to exit until deadline. Its output is read meanwhile
 * (a child stuck writing to a full terminal never gets to exit); once its
 * side of the terminal is closed there is nothing left to poll, so the
 * wait falls back to short sleeps between waitpid calls.
 */
static bool wait_exit(struct pty *pty, long long deadline)
{
	while (!try_reap(pty)) {
		int slice = ms_until(deadline);

		if (slice <= 0)
			return false;
		if (!pty->eof && pty->fd >= 0) {
			pty_pump(pty, slice < 10 ? slice : 10);
		} else {
			struct timespec ts = {0, 5 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
	}
	return true;
}

static void unlink_live(struct pty *pty)
{
	for (struct pty **p = &live_ptys; *p; p = &(*p)->next) {
		if (*p == pty) {
			*p = pty->next;
			break;
		}
	}
}

static void reap_blocking(struct pty *pty)
{
	int st;
	pid_t r;

	if (pty->reaped)
		return;
	do
		r = waitpid(pty->pid, &st, 0);
	while (r < 0 && errno == EINTR);
	pty->wstatus = r == pty->pid ? st : -1;
	pty->reaped = true;
}

int pty_close(struct pty *pty, int timeout_ms)
{
	int code;

	if (!pty)
		return -1;
	if (!wait_exit(pty, now_ms() + (timeout_ms > 0 ? timeout_ms : 0))) {
		pty->signalled = true;
		kill(pty->pid, SIGTERM);
		if (!wait_exit(pty, now_ms() + PTY_TERM_GRACE_MS)) {
			kill(pty->pid, SIGKILL);
			reap_blocking(pty);
		}
	}
	/* A crash would otherwise read as a bare -1 in a failed test. */
	if (!pty->signalled && pty->wstatus != -1 && WIFSIGNALED(pty->wstatus))
		fprintf(stderr, "pty: child %ld ended by signal %d\n",
		        (long)pty->pid, WTERMSIG(pty->wstatus));
	code = exit_code(pty->wstatus);
	if (pty->fd >= 0)
		close(pty->fd);
	vterm_free(pty->vt);
	unlink_live(pty);
	free(pty);
	return code;
}

/* At exit, children of sessions a failed test never closed are killed. */
static void cleanup_live(void)
{
	for (struct pty *pty = live_ptys; pty; pty = pty->next) {
		if (!try_reap(pty)) {
			kill(pty->pid, SIGKILL);
			reap_blocking(pty);
		}
		if (pty->fd >= 0) {
			close(pty->fd);
			pty->fd = -1;
		}
	}
}

static bool env_name_is(const char *entry, const char *name, size_t len)
{
	return strncmp(entry, name, len) == 0 &&
	       (entry[len] == '=' || entry[len] == '\0');
}

static void env_remove(char **env, size_t *n, const char *name, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < *n; i++)
		if (!env_name_is(env[i], name, len))
			env[w++] = env[i];
	*n = w;
}

/*
 * The child's environment: ours, then the fixed terminal settings, then
 * the caller's entries. The array points into environ and envp_extra;
 * only the array itself is allocated.
 */
static char **env_build(const char *const envp_extra[])
{
	static const char *const fixed[] = {
	    "TERM=xterm-256color",
	    "LC_ALL=C.UTF-8",
	    "LINES",
	    "COLUMNS",
	};
	size_t count = 0, extra = 0, n = 0;
	char **env;

	while (environ && environ[count])
		count++;
	while (envp_extra && envp_extra[extra])
		extra++;
	env = calloc(count + extra + 4 + 1, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < count; i++)
		env[n++] = environ[i];
	for (size_t i = 0; i < 4 + extra; i++) {
		const char *e = i < 4 ? fixed[i] : envp_extra[i - 4];
		const char *eq = strchr(e, '=');
		size_t len = eq ? (size_t)(eq - e) : strlen(e);

		env_remove(env, &n, e, len);
		if (eq)
			env[n++] = (char *)e;
	}
	env[n] = NULL;
	return env;
}

/* Runs in the child between fork and exec: async-signal-safe calls only. */
static _Noreturn void child_exec(const char *const argv[], char **env,
                                 int errfd)
{
	static const int sigs[] = {
	    SIGHUP,  SIGINT,   SIGQUIT, SIGTERM, SIGPIPE, SIGALRM,
	    SIGCHLD, SIGWINCH, SIGTSTP, SIGTTIN, SIGTTOU,
	};
	sigset_t none;
	int err;

	/* The test runner may have ignored or blocked signals; exec keeps
	 * both, and a program under test should start with the defaults. */
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	environ = env;
	execvp(argv[0], (char *const *)argv);
	err = errno;
	if (write(errfd, &err, sizeof err) < 0)
		_exit(127);
	_exit(127);
}

struct pty *pty_spawn(const char *const argv[], const char *const envp_extra[],
                      int rows, int cols)
{
	struct winsize ws = {
	    .ws_row = (unsigned short)rows,
	    .ws_col = (unsigned short)cols,
	};
	struct pty *pty = NULL;
	char **env = NULL;
	int errpipe[2] = {-1, -1};
	int master = -1, err = 0;
	ssize_t n;
	pid_t pid;

	if (!argv || !argv[0] || rows <= 0 || cols <= 0 || rows > 0xFFFF ||
	    cols > 0xFFFF) {
		errno = EINVAL;
		return NULL;
	}
	pty = calloc(1, sizeof *pty);
	env = env_build(envp_extra);
	if (!pty || !env) {
		err = ENOMEM;
		goto fail;
	}
	pty->fd = -1;
	pty->rows = rows;
	pty->cols = cols;
	pty->vt = vterm_new(rows, cols);
	if (!pty->vt) {
		err = ENOMEM;
		goto fail;
	}
	vterm_set_utf8(pty->vt, 1);
	pty->screen = vterm_obtain_screen(pty->vt);
	pty->state = vterm_obtain_state(pty->vt);
	/* Without the alternate screen, curses' output lands in a buffer
	 * nobody reads back. */
	vterm_screen_enable_altscreen(pty->screen, 1);
	pty->cursor_visible = true;
	vterm_screen_set_callbacks(pty->screen, &screen_callbacks, pty);
	vterm_screen_reset(pty->screen, 1);

	/* exec failure comes back over this pipe; a successful exec closes
	 * it (close-on-exec) and the read below sees end of file. */
	if (pipe(errpipe) < 0 || fcntl(errpipe[0], F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(errpipe[1], F_SETFD, FD_CLOEXEC) < 0) {
		err = errno;
		goto fail;
	}
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		err = errno;
		goto fail;
	}
	if (pid == 0) {
		close(errpipe[0]);
		child_exec(argv, env, errpipe[1]);
	}
	pty->pid = pid;
	pty->fd = master;
	close(errpipe[1]);
	errpipe[1] = -1;
	do
		n = read(errpipe[0], &err, sizeof err);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof err) {
		reap_blocking(pty);
		goto fail;
	}
	err = 0;
	/*
	 * Close-on-exec, so that a second session's child does not hold this
	 * master open (it would keep this child from seeing a hang-up);
	 * non-blocking, so that reads and writes are paced by poll alone.
	 */
	if (fcntl(master, F_SETFD, FD_CLOEXEC) < 0 ||
	    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK) < 0) {
		err = errno;
		kill(pid, SIGKILL);
		reap_blocking(pty);
		goto fail;
	}
	close(errpipe[0]);
	free(env);
	if (!cleanup_registered && atexit(cleanup_live) == 0)
		cleanup_registered = true;
	pty->next = live_ptys;
	live_ptys = pty;
	return pty;

fail:
	if (errpipe[0] >= 0)
		close(errpipe[0]);
	if (errpipe[1] >= 0)
		close(errpipe[1]);
	if (pty && pty->fd >= 0)
		close(pty->fd);
	if (pty && pty->vt)
		vterm_free(pty->vt);
	free(pty);
	free(env);
	errno = err ? err : EIO;
	return NULL;
}

static void dump_rule(struct pty *pty, FILE *out)
{
	fputs("   +", out);
	for (int col = 0; col < pty->cols; col++)
		fputc('-', out);
	fputs("+\n", out);
}

void pty_dump(struct pty *pty, FILE *out)
{
	int crow, ccol;

	if (!pty || !out)
		return;
	pty_cursor(pty, &crow, &ccol);
	fprintf(out, "screen %dx%d (cols x rows), cursor at row %d col %d%s\n",
	        pty->cols, pty->rows, crow, ccol,
	        pty->eof ? ", program has exited" : "");
	dump_rule(pty, out);
	for (int row = 0; row < pty->rows; row++) {
		struct strbuf b = {0};

		render_row(pty, row, false, &b);
		fprintf(out, "%2d |%s|\n", row, b.oom || !b.p ? "" : b.p);
		free(b.p);
	}
	dump_rule(pty, out);
}

/* Is the character at p (within end) one of the mask characters? */
static bool is_mask(const char *p, const char *end, const char *mask)
{
	size_t n = utf8_seq_len((unsigned char)*p);
	size_t mlen;

	if (!mask || n > (size_t)(end - p))
		return false;
	/* UTF-8 synchronises itself: a whole sequence found in a valid
	 * string starts on a character boundary. */
	mlen = strlen(mask);
	for (size_t i = 0; i + n <= mlen; i++)
		if (memcmp(mask + i, p, n) == 0)
			return true;
	return false;
}

/*
 * Compare one row with one expected line. Returns -1 when they match,
 * else the first column that differs.
 */
static int match_row(struct pty *pty, int row, const char *line, size_t len,
                     const char *mask)
{
	const char *p = line, *end = line + len;
	int col = 0;

	while (col < pty->cols) {
		VTermScreenCell cell;
		char text[24];
		size_t n;

		if (!get_cell(pty, row, col, &cell))
			return col;
		if (p == end) {
			/* Past the expected text the row must be blank; the
			 * right half of a wide character is not blank. */
			if (cell.chars[0] == PTY_WIDE_TAIL ||
			    !cell_is_blank(&cell))
				return col;
			col++;
			continue;
		}
		if (is_mask(p, end, mask)) {
			p += utf8_seq_len((unsigned char)*p);
			col++;
			continue;
		}
		if (cell.chars[0] == PTY_WIDE_TAIL)
			return col;
		n = cell_text(&cell, text);
		if ((size_t)(end - p) < n || memcmp(p, text, n) != 0)
			return col;
		p += n;
		col += cell.width == 2 ? 2 : 1;
	}
	return p == end ? -1 : col;
}

bool pty_screen_matches(struct pty *pty, const char *expected,
                        const char *mask_chars, char **diff)
{
	struct strbuf report = {0};
	const char *line = expected;
	size_t total = expected ? strlen(expected) : 0;
	const char *end = expected ? expected + total : NULL;
	bool ok = true;

	if (diff)
		*diff = NULL;
	if (!pty || !expected)
		return false;
	/* One final newline ends the last row rather than adding a row. */
	if (total > 0 && end[-1] == '\n')
		end--;
	for (int row = 0; row < pty->rows; row++) {
		const char *nl = line < end
		                     ? memchr(line, '\n', (size_t)(end - line))
		                     : NULL;
		size_t len = line < end ? (size_t)((nl ? nl : end) - line) : 0;
		int col = match_row(pty, row, line, len, mask_chars);

		if (col >= 0) {
			struct strbuf got = {0};
			char head[64];

			ok = false;
			render_row(pty, row, true, &got);
			snprintf(head, sizeof head,
			         "row %d differs from column %d\n", row, col);
			strbuf_puts(&report, head);
			strbuf_puts(&report, "  expected |");
			strbuf_put(&report, line, len);
			strbuf_puts(&report, "|\n  screen   |");
			strbuf_puts(&report, got.oom || !got.p ? "" : got.p);
			strbuf_puts(&report, "|\n");
			free(got.p);
		}
		line = nl ? nl + 1 : end;
	}
	if (line < end) {
		ok = false;
		strbuf_puts(&report,
		            "expected text has more rows than the screen\n");
	}
	if (!ok && diff) {
		char *dumped = NULL;
		size_t dumped_len = 0;
		FILE *mem = open_memstream(&dumped, &dumped_len);

		if (mem) {
			pty_dump(pty, mem);
			fclose(mem);
			strbuf_put(&report, dumped, dumped_len);
		}
		free(dumped);
		*diff = strbuf_take(&report);
	} else {
		free(report.p);
	}
	return ok;
}
