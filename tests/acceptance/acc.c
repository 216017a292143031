/*
 * acc.c - the shared machinery of the acceptance tests (see acc.h): the
 * command line run beside a screen, peer writes, the freshness strip, the
 * inspector, and golden screens.
 *
 * Golden files hold the screen as text, one line per row. A '~' matches
 * any one cell. The masks are made when a file is written
 * (INVED_GOLDEN_UPDATE=1): the freshness strip on row 1, clock times and
 * dates anywhere; everything else is compared exactly, so a moved column
 * or a changed word fails the test with the differing rows printed.
 */
/* wcwidth() */
#define _XOPEN_SOURCE 700

#include "acc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wchar.h>

/* ---- the command line ------------------------------------------------ */

int acc_cli(const char *user, const char *const args[], char *out,
            size_t size)
{
	const char *bin = getenv("INVED_BIN");
	char path[400];
	const char *argv[32];
	size_t n = 0;
	int status = 0, fd;
	pid_t pid;

	ck_assert_msg(bin && bin[0], "INVED_BIN is not set");
	snprintf(path, sizeof path, "%s/cli.out", e2e.dir);
	argv[n++] = bin;
	argv[n++] = "--db";
	argv[n++] = e2e.db;
	if (user) { /* NULL: the logged-in account */
		argv[n++] = "--user";
		argv[n++] = user;
	}
	for (size_t i = 0; args && args[i] && n + 1 < 32; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	pid = fork();
	ck_assert_msg(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		unsetenv("INVED_BUSY_TIMEOUT");
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out && size > 0) {
		FILE *f = fopen(path, "r");
		size_t got = f ? fread(out, 1, size - 1, f) : 0;

		out[got] = '\0';
		if (f)
			fclose(f);
	}
	unlink(path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int64_t acc_peer_edit(const char *number, const char *customer,
                      const char *total)
{
	struct invoice row = e2e_invoice(number);
	struct invoice_input in = { .customer = customer, .total = total };
	struct write_result res;
	struct inv_err err;

	ck_assert_msg(store_edit(e2e.st, &e2e.alice, row.id, row.version, &in,
	                         0, &res, &err) == INV_OK, "peer edit: %s",
	              err.msg);
	return res.row.version;
}

/* ---- the freshness strip --------------------------------------------- */

const char *acc_strip(struct pty *pty)
{
	return e2e_row(pty, 1);
}

/* "0s" -> 0, "0.3s" -> 3, "20s" -> 200, "4m" -> 2400, "2h" -> 72000; -1 otherwise. */
static long age_tenths(const char *s)
{
	char *end;
	long whole = strtol(s, &end, 10);

	if (end == s)
		return -1;
	if (*end == '.') {
		long tenth = end[1] - '0';
		if (tenth < 0 || tenth > 9 || end[2] != 's')
			return -1;
		return whole * 10 + tenth;
	}
	switch (*end) {
	case 's':
		return whole * 10;
	case 'm':
		return whole * 600;
	case 'h':
		return whole * 36000;
	default:
		return -1;
	}
}

long acc_strip_age(struct pty *pty, const char *which)
{
	char key[32];
	const char *row = acc_strip(pty), *at;

	snprintf(key, sizeof key, "%s ", which);
	at = strstr(row, key);
	return at ? age_tenths(at + strlen(key)) : -1;
}

struct aged {
	long min;
};

static bool strip_aged(struct pty *pty, void *arg)
{
	const struct aged *a = arg;
	long l = acc_strip_age(pty, "list"), s = acc_strip_age(pty, "summary");

	return l >= a->min && s >= a->min;
}

void acc_wait_strip_aged(struct pty *pty, long min_tenths)
{
	struct aged a = { min_tenths };

	if (e2e_wait(pty, strip_aged, &a, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("the freshness strip never aged to %ld tenths: %s",
	             min_tenths, acc_strip(pty));
}

void acc_strip_fresh(struct pty *pty)
{
	long l = acc_strip_age(pty, "list"), s = acc_strip_age(pty, "summary");

	if (l >= 0 && l < 10 && s >= 0 && s < 10)
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("the strip is not fresh on the frame of the result: %s",
	             acc_strip(pty));
}

/* ---- the inspector ---------------------------------------------------- */

void acc_inspector_open(struct pty *pty)
{
	SEND(pty, "i");
	SEE(pty, "Inspector");
	SEE(pty, "Invalidation log");
}

void acc_inspector_close(struct pty *pty)
{
	SEND(pty, PTY_KEY_ESC);
	LOSE(pty, "Inspector");
	/* its bottom line too: a frame is written top to bottom, so the
	 * table rows under the panel (and the selection) are back */
	LOSE(pty, "hold lock 5 s");
}

int acc_rows_holding(struct pty *pty, const char *text)
{
	int rows, cols, n = 0;

	pty_pump(pty, 0);
	pty_size(pty, &rows, &cols);
	for (int r = 0; r < rows; r++)
		if (strstr(e2e_row(pty, r), text))
			n++;
	return n;
}

/* ---- golden screens --------------------------------------------------- */

#define MASK '~'
/* Row 1 holds the view tabs on the left; from this column on, the
 * freshness strip ("list 1s ago · summary 1s ago") changes with time. */
#define STRIP_COL 32

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Whether s starts with the shape of pattern: '9' a digit, anything else
 * itself. */
static bool shaped(const char *s, const char *pattern)
{
	for (; *pattern; s++, pattern++) {
		if (*pattern == '9' ? !is_digit(*s) : *s != *pattern)
			return false;
	}
	return true;
}

/* Mask clock times (12:34:56, 12:34:56.789) and dates (2026-01-31, and
 * 31.01.2026 in German): the audit tail, the invalidation log, "Archived
 * on" and draft times. */
static void mask_times(char *s)
{
	static const char *const shapes[] = {
		"99:99:99.999", "99:99:99", "9999-99-99", "99.99.9999",
	};

	for (char *p = s; *p; p++) {
		if (p > s && is_digit(p[-1]))
			continue;
		for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
			size_t n = strlen(shapes[i]);
			if (!shaped(p, shapes[i]) || is_digit(p[n]))
				continue;
			for (size_t k = 0; k < n; k++)
				if (is_digit(p[k]))
					p[k] = MASK;
			p += n - 1;
			break;
		}
	}
}

static bool is_box_char(wchar_t c)
{
	return c >= 0x2500 && c <= 0x257f;
}

/* Row 1 with the strip masked: the tabs kept, then every cell up to the
 * right edge a mask, except the borders of a panel drawn over it. */
static void mask_strip(const char *row, int cols, char *out, size_t size)
{
	mbstate_t st;
	const char *p = row;
	size_t o = 0;
	int col = 0;

	memset(&st, 0, sizeof st);
	while (*p && o + 8 < size) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, p, strlen(p), &st);
		int w;

		if (len == 0 || len > 4)
			break;
		w = wcwidth(wc);
		if (w < 0)
			w = 1;
		if (col < STRIP_COL || is_box_char(wc)) {
			memcpy(out + o, p, len);
			o += len;
		} else {
			for (int k = 0; k < w; k++)
				out[o++] = MASK;
		}
		col += w;
		p += len;
	}
	for (; col < cols && o + 1 < size; col++)
		out[o++] = col < STRIP_COL ? ' ' : MASK;
	out[o] = '\0';
}

/* The screen as golden text with its volatile parts masked. */
static char *golden_from_screen(struct pty *pty)
{
	char *screen = pty_screen_text(pty), *text, *line;
	size_t size;
	int rows, cols, row = 0;

	ck_assert(screen != NULL);
	pty_size(pty, &rows, &cols);
	size = strlen(screen) + (size_t)rows * (size_t)(cols + 2) + 1;
	text = calloc(1, size);
	ck_assert(text != NULL);
	/* rows are split by hand: strtok would skip the empty ones */
	line = screen;
	for (;;) {
		char *nl = strchr(line, '\n');
		char buf[1024];

		if (nl)
			*nl = '\0';
		/* the strip's ages: "list 0s ago", "Liste vor 0s" */
		if (row == 1 && (strstr(line, "ago") || strstr(line, " vor ")))
			mask_strip(line, cols, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "%s", line);
		mask_times(buf);
		strcat(text, buf);
		strcat(text, "\n");
		row++;
		if (!nl)
			break;
		line = nl + 1;
	}
	free(screen);
	return text;
}

static char *file_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool screen_is(struct pty *pty, void *arg)
{
	return pty_screen_matches(pty, arg, "~", NULL);
}

static void golden_update(struct pty *pty, const char *path, const char *name)
{
	char *text;
	FILE *f;

	/* the screen must have settled: nothing written for a while */
	ck_assert_msg(pty_wait_quiet(pty, 400, E2E_WAIT_MS),
	              "golden %s: the screen never settled", name);
	text = golden_from_screen(pty);
	ck_assert_msg(pty_screen_matches(pty, text, "~", NULL),
	              "golden %s: the masked screen does not match itself",
	              name);
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	fprintf(stderr, "golden %s written: %s\n", name, path);
	free(text);
}

void acc_golden_at(struct pty *pty, const char *name, const char *file,
                   int line)
{
	const char *dir = getenv("ACC_GOLDEN_DIR");
	const char *update = getenv("INVED_GOLDEN_UPDATE");
	char path[600], *expected, *diff = NULL;

	ck_assert_msg(dir && dir[0], "ACC_GOLDEN_DIR is not set");
	snprintf(path, sizeof path, "%s/%s.txt", dir, name);
	if (update && strcmp(update, "1") == 0) {
		golden_update(pty, path, name);
		return;
	}
	expected = file_read(path);
	ck_assert_msg(expected != NULL,
	              "%s:%d: golden %s is missing (%s); write it with "
	              "INVED_GOLDEN_UPDATE=1", file, line, name, path);
	if (!e2e_wait(pty, screen_is, expected, E2E_WAIT_MS)) {
		pty_screen_matches(pty, expected, "~", &diff);
		fprintf(stderr, "%s\n", diff ? diff : "");
		free(expected);
		ck_abort_msg("%s:%d: the screen differs from golden %s (%s); "
		             "if the change is intended, rewrite it with "
		             "INVED_GOLDEN_UPDATE=1",
		             file, line, name, path);
	}
	free(diff);
	free(expected);
}

/* ---- counting rows ---------------------------------------------------- */

struct holding {
	const char *text;
	int n;
};

static bool holding_is(struct pty *pty, void *arg)
{
	const struct holding *h = arg;

	return acc_rows_holding(pty, h->text) == h->n;
}

void acc_wait_rows_holding(struct pty *pty, const char *text, int n)
{
	struct holding h = { text, n };

	if (e2e_wait(pty, holding_is, &h, E2E_WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("the screen never had %d rows holding \"%s\" (it has %d)",
	             n, text, acc_rows_holding(pty, text));
}
