/*
 * test_pty.c — the pseudo-terminal driver's own tests (Check).
 *
 * Each test runs the ncursesw fixture (pty_fixture.c, path given as the
 * first argument) on a pseudo-terminal and checks what the driver reads
 * back: text, attributes, keys, resizes, exit status and the golden-screen
 * comparison. Every wait has a deadline; on a failed wait the screen is
 * printed to stderr before the test fails.
 */
#include "pty.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

/* Generous: the same waits must pass under valgrind and sanitizers. */
#define WAIT_MS 10000

static const char *fixture_path;

#define MUST_SEE(pty, text)                                                    \
	do {                                                                   \
		if (!pty_wait_text((pty), (text), WAIT_MS)) {                  \
			pty_dump((pty), stderr);                               \
			ck_abort_msg("screen never showed \"%s\"", (text));    \
		}                                                              \
	} while (0)

#define MUST_SEE_ROW_IS(pty, row, text)                                        \
	do {                                                                   \
		if (!pty_wait_row_is((pty), (row), (text), WAIT_MS)) {         \
			pty_dump((pty), stderr);                               \
			ck_abort_msg("row %d never read \"%s\"", (row),        \
			             (text));                                  \
		}                                                              \
	} while (0)

#define MUST_SEE_ROW(pty, row, text)                                           \
	do {                                                                   \
		if (!pty_wait_row_text((pty), (row), (text), WAIT_MS)) {       \
			pty_dump((pty), stderr);                               \
			ck_abort_msg("row %d never showed \"%s\"", (row),      \
			             (text));                                  \
		}                                                              \
	} while (0)

static long long elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* Start the fixture and wait for its first screen. arg may be NULL. */
static struct pty *start_fixture(const char *arg, const char *const env[],
                                 int rows, int cols)
{
	const char *argv[] = {fixture_path, arg, NULL};
	char size[32];
	struct pty *pty = pty_spawn(argv, env, rows, cols);

	ck_assert_msg(pty != NULL, "cannot start %s: %s", fixture_path,
	              strerror(errno));
	snprintf(size, sizeof size, "size %dx%d", cols, rows);
	MUST_SEE(pty, size);
	/* Output can be read half-way through a refresh: wait for the row
	 * drawn last at every size, so rows 0-5 are complete. */
	MUST_SEE_ROW_IS(pty, 5, "bold");
	return pty;
}

/* Quit the fixture the normal way and check it exited with status. */
static void quit_fixture(struct pty *pty, int status)
{
	ck_assert(pty_send(pty, "q"));
	ck_assert_int_eq(pty_close(pty, WAIT_MS), status);
}

static void assert_row(struct pty *pty, int row, const char *expected)
{
	char buf[512];

	ck_assert_int_ge(pty_row_text(pty, row, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, expected);
}

static void assert_no_child(pid_t pid)
{
	int st;

	ck_assert_int_eq(waitpid(pid, &st, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

START_TEST(first_screen_reads_back_utf8_and_cjk_intact)
{
	static const char first_rows[] = "size 80x24\n"
	                                 "Müller & Söhne — 12,50 €\n"
	                                 "作者\n"
	                                 "selected row\n"
	                                 "key 0: none\n"
	                                 "bold\n";
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	char *screen;
	int row, col;

	MUST_SEE(pty, "Müller & Söhne — 12,50 €");
	MUST_SEE(pty, "作者");
	ck_assert(pty_wait_quiet(pty, 100, WAIT_MS));
	assert_row(pty, 1, "Müller & Söhne — 12,50 €");
	assert_row(pty, 2, "作者");
	ck_assert_int_eq(pty_find_row(pty, "作者"), 2);
	ck_assert_int_eq(pty_find_row(pty, "nowhere"), -1);

	/* Two wide characters take four columns. */
	pty_cursor(pty, &row, &col);
	ck_assert_int_eq(row, 2);
	ck_assert_int_eq(col, 4);

	screen = pty_screen_text(pty);
	ck_assert_ptr_nonnull(screen);
	ck_assert_msg(strncmp(screen, first_rows, strlen(first_rows)) == 0,
	              "screen starts differently:\n%s", screen);
	/* 24 rows, joined by 23 newlines, no final one. */
	{
		int newlines = 0;

		for (const char *p = screen; *p; p++)
			newlines += *p == '\n';
		ck_assert_int_eq(newlines, 23);
	}
	free(screen);
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(row_text_is_cut_at_a_character_boundary)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	char small[8];

	MUST_SEE(pty, "作者");
	/* "作" is 3 bytes; 7 bytes of room hold "作" and not half of "者". */
	ck_assert_int_eq(pty_row_text(pty, 2, small, sizeof small), 6);
	ck_assert_str_eq(small, "作者");
	ck_assert_int_eq(pty_row_text(pty, 2, small, 6), 3);
	ck_assert_str_eq(small, "作");
	ck_assert_int_eq(pty_row_text(pty, 24, small, sizeof small), -1);
	ck_assert_int_eq(pty_row_text(pty, -1, small, sizeof small), -1);
	quit_fixture(pty, 0);
}
END_TEST

static const struct {
	const char *bytes;
	const char *name;
} keys[] = {
    {PTY_KEY_F2, "F2"},
    {PTY_KEY_UP, "UP"},
    {PTY_KEY_DOWN, "DOWN"},
    {PTY_KEY_RIGHT, "RIGHT"},
    {PTY_KEY_LEFT, "LEFT"},
    {PTY_KEY_HOME, "HOME"},
    {PTY_KEY_END, "END"},
    {PTY_KEY_PGUP, "PGUP"},
    {PTY_KEY_PGDN, "PGDN"},
    {PTY_KEY_ESC, "ESC"},
    {PTY_KEY_TAB, "TAB"},
    {PTY_KEY_BTAB, "BTAB"},
    {PTY_KEY_CTRL_U, "CTRL-U"},
    {PTY_KEY_CTRL_S, "CTRL-S"},
    {PTY_KEY_ENTER, "ENTER"},
    {PTY_KEY_BACKSPACE, "BACKSPACE"},
    {PTY_KEY_DELETE, "DELETE"},
    {PTY_KEY_F1, "F1"},
    {"ü", "char ü"},
    {"€", "char €"},
    {"作", "char 作"},
    {"a", "char a"},
};

START_TEST(each_key_arrives_as_the_program_expects)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	char want[64];
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		ck_assert(pty_send(pty, keys[i].bytes));
		snprintf(want, sizeof want, "key %zu: %s", i + 1, keys[i].name);
		MUST_SEE_ROW_IS(pty, 4, want);
	}
	ck_assert(pty_send_ctrl(pty, 'u'));
	snprintf(want, sizeof want, "key %zu: CTRL-U", i + 1);
	MUST_SEE_ROW_IS(pty, 4, want);
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(reverse_and_bold_attributes_are_read_per_cell)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	int row;

	MUST_SEE(pty, "selected row");
	row = pty_find_row(pty, "selected row");
	ck_assert_int_eq(row, 3);
	/* The whole padded width is reverse, blanks included. */
	for (int col = 0; col < 20; col++)
		ck_assert_msg(pty_cell_reverse(pty, row, col),
		              "column %d not reverse", col);
	ck_assert(!pty_cell_reverse(pty, row, 20));
	ck_assert(!pty_cell_reverse(pty, 2, 0));
	ck_assert(!pty_cell_reverse(pty, 4, 0));
	ck_assert(pty_cell_bold(pty, 5, 0));
	ck_assert(pty_cell_bold(pty, 5, 3));
	ck_assert(!pty_cell_bold(pty, 5, 4));
	ck_assert(!pty_cell_bold(pty, 3, 0));
	/* Off the screen is never set. */
	ck_assert(!pty_cell_reverse(pty, 24, 0));
	ck_assert(!pty_cell_bold(pty, 0, 80));
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(resize_to_smallest_and_back_is_seen)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	char *diff = NULL;
	int rows, cols;

	MUST_SEE(pty, "Müller");
	pty_resize(pty, 6, 20);
	pty_size(pty, &rows, &cols);
	ck_assert_int_eq(rows, 6);
	ck_assert_int_eq(cols, 20);
	MUST_SEE(pty, "size 20x6");
	ck_assert(pty_wait_gone(pty, "Müller", WAIT_MS));
	ck_assert(pty_wait_quiet(pty, 100, WAIT_MS));
	ck_assert_msg(pty_screen_matches(pty,
	                                 "size 20x6\n"
	                                 "\n"
	                                 "作者\n"
	                                 "selected row\n"
	                                 "key 0: none\n"
	                                 "bold\n",
	                                 NULL, &diff),
	              "%s", diff ? diff : "");

	pty_resize(pty, 24, 80);
	MUST_SEE(pty, "size 80x24");
	MUST_SEE(pty, "Müller & Söhne — 12,50 €");
	MUST_SEE(pty, "========================================x");
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(close_reaps_the_child_and_returns_its_status)
{
	struct pty *pty = start_fixture("7", NULL, 24, 80);
	pid_t pid = pty_pid(pty);
	int status = 0;

	ck_assert(!pty_exited(pty, &status));
	quit_fixture(pty, 7);
	assert_no_child(pid);
}
END_TEST

START_TEST(close_kills_a_child_that_does_not_exit)
{
	struct pty *pty = start_fixture("--ignore-term", NULL, 24, 80);
	pid_t pid = pty_pid(pty);
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* SIGTERM is ignored, so only the SIGKILL after the grace ends it. */
	ck_assert_int_eq(pty_close(pty, 100), -1);
	ck_assert_int_lt(elapsed_ms(&t0), 5000);
	assert_no_child(pid);
}
END_TEST

START_TEST(kill_then_close_reports_the_signal)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	pid_t pid = pty_pid(pty);

	ck_assert(!pty_exited(pty, NULL));
	ck_assert_int_eq(pty_kill(pty, SIGKILL), 0);
	ck_assert_int_eq(pty_close(pty, WAIT_MS), -1);
	assert_no_child(pid);
}
END_TEST

START_TEST(wait_text_gives_up_at_its_deadline)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	struct timespec t0;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!pty_wait_text(pty, "text that never appears", 300));
	ms = elapsed_ms(&t0);
	ck_assert_int_ge(ms, 290);
	ck_assert_int_lt(ms, 3000);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!pty_wait_gone(pty, "作者", 200));
	ck_assert(!pty_wait_row_text(pty, 0, "作者", 200));
	ms = elapsed_ms(&t0);
	ck_assert_int_ge(ms, 390);
	ck_assert_int_lt(ms, 3000);
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(waits_end_early_once_the_child_has_exited)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	struct timespec t0;

	ck_assert(pty_send(pty, "q"));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert(!pty_wait_text(pty, "text that never appears", WAIT_MS));
	ck_assert_int_lt(elapsed_ms(&t0), WAIT_MS / 2);
	ck_assert_int_eq(pty_pump(pty, 0), -1);
	ck_assert(pty_wait_quiet(pty, 100, 1000));
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
}
END_TEST

START_TEST(terminal_queries_are_answered)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);

	MUST_SEE(pty, "作者");
	/* The fixture asks for the cursor position; it rests at row 2,
	 * column 4, which the terminal reports 1-based. */
	ck_assert(pty_send(pty, "p"));
	MUST_SEE_ROW_IS(pty, 4, "key 1: DSR 3;5");
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(environment_is_set_overridden_and_removed)
{
	static const char *const greet[] = {
	    "PTY_FIXTURE_GREETING=Grüße 作者",
	    NULL,
	};
	static const char *const override[] = {
	    "PTY_FIXTURE_GREETING=x",
	    "LC_ALL=C.utf8",
	    "PTY_FIXTURE_GREETING",
	    NULL,
	};
	struct pty *pty;

	/* LINES and COLUMNS would override the window size in curses. */
	setenv("LINES", "5", 1);
	setenv("COLUMNS", "30", 1);
	pty = start_fixture(NULL, NULL, 24, 80);
	MUST_SEE_ROW(pty, 7,
	             "env TERM=xterm-256color LC_ALL=C.UTF-8 greeting=-");
	quit_fixture(pty, 0);

	pty = start_fixture(NULL, greet, 24, 80);
	MUST_SEE_ROW(pty, 7, "greeting=Grüße 作者");
	quit_fixture(pty, 0);

	pty = start_fixture(NULL, override, 24, 80);
	MUST_SEE_ROW(pty, 7, "LC_ALL=C.utf8 greeting=-");
	quit_fixture(pty, 0);
}
END_TEST

static const char golden[] =
    "size ??x??\n"
    "Müller & Söhne — 12,50 €\n"
    "作者\n"
    "selected row\n"
    "key 0: none\n"
    "bold\n"
    "========================================x\n"
    "env TERM=xterm-256color LC_ALL=C.UTF-8 greeting=-\n";

START_TEST(golden_screen_matches_with_a_mask)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	char *diff = NULL;

	MUST_SEE(pty, "greeting=");
	ck_assert(pty_wait_quiet(pty, 100, WAIT_MS));
	ck_assert_msg(pty_screen_matches(pty, golden, "?", &diff), "%s",
	              diff ? diff : "");
	ck_assert_ptr_null(diff);
	/* Without the mask the size line is compared literally. */
	ck_assert(!pty_screen_matches(pty, golden, NULL, NULL));
	ck_assert(pty_screen_matches(pty, "size 80x24\n", "?", NULL) == false);
	quit_fixture(pty, 0);
}
END_TEST

static bool matches_with_row2(struct pty *pty, const char *row2, char **diff)
{
	char expected[512];

	snprintf(expected, sizeof expected,
	         "size 80x24\n"
	         "Müller & Söhne — 12,50 €\n"
	         "%s\n"
	         "selected row\n"
	         "key 0: none\n"
	         "bold\n"
	         "========================================x\n"
	         "env TERM=xterm-256color LC_ALL=C.UTF-8 greeting=-",
	         row2);
	return pty_screen_matches(pty, expected, "?", diff);
}

START_TEST(golden_compare_counts_wide_characters_as_two_cells)
{
	struct pty *pty = start_fixture(NULL, NULL, 24, 80);
	char *diff = NULL;

	MUST_SEE(pty, "greeting=");
	ck_assert(pty_wait_quiet(pty, 100, WAIT_MS));
	ck_assert(matches_with_row2(pty, "作者", NULL));
	ck_assert(matches_with_row2(pty, "????", NULL));
	ck_assert(matches_with_row2(pty, "??者", NULL));
	ck_assert(matches_with_row2(pty, "作??", NULL));
	/* One mask covers only the left half of a wide character. */
	ck_assert(!matches_with_row2(pty, "?者", NULL));
	ck_assert(!matches_with_row2(pty, "??", NULL));
	ck_assert(!matches_with_row2(pty, "作者 x", NULL));
	ck_assert(!matches_with_row2(pty, "作家", &diff));
	ck_assert_ptr_nonnull(diff);
	ck_assert_msg(strstr(diff, "row 2 differs from column 2") != NULL, "%s",
	              diff);
	ck_assert_msg(strstr(diff, "screen   |作者|") != NULL, "%s", diff);
	free(diff);
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(golden_compare_rejects_extra_rows)
{
	struct pty *pty = start_fixture(NULL, NULL, 6, 20);
	char *diff = NULL;

	ck_assert(pty_wait_quiet(pty, 100, WAIT_MS));
	ck_assert(pty_screen_matches(
	    pty, "size 20x6\n\n作者\nselected row\nkey 0: none\nbold", NULL,
	    NULL));
	ck_assert(!pty_screen_matches(
	    pty, "size 20x6\n\n作者\nselected row\nkey 0: none\nbold\nmore",
	    NULL, &diff));
	ck_assert_ptr_nonnull(diff);
	ck_assert_msg(strstr(diff, "more rows than the screen") != NULL, "%s",
	              diff);
	free(diff);
	quit_fixture(pty, 0);
}
END_TEST

START_TEST(spawn_reports_a_program_that_cannot_run)
{
	const char *argv[] = {"/nonexistent/pty-fixture", NULL};
	const char *empty[] = {NULL};

	errno = 0;
	ck_assert_ptr_null(pty_spawn(argv, NULL, 24, 80));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(pty_spawn(empty, NULL, 24, 80));
	ck_assert_int_eq(errno, EINVAL);
	/* The failed child was reaped. */
	{
		int st;

		ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
		ck_assert_int_eq(errno, ECHILD);
	}
}
END_TEST

START_TEST(two_sessions_run_side_by_side)
{
	struct pty *a = start_fixture("3", NULL, 24, 80);
	struct pty *b = start_fixture("4", NULL, 10, 60);

	ck_assert(pty_send(b, PTY_KEY_F2));
	MUST_SEE_ROW_IS(b, 4, "key 1: F2");
	ck_assert(pty_wait_row_is(a, 4, "key 0: none", WAIT_MS));
	ck_assert(pty_wait_row_text(a, 4, "none", WAIT_MS));
	/* a's child exits although b's child was started after it: b's child
	 * does not hold a's terminal open. */
	quit_fixture(a, 3);
	quit_fixture(b, 4);
}
END_TEST

static Suite *pty_suite(void)
{
	Suite *s = suite_create("pty");
	TCase *tc = tcase_create("driver");

	/* Above the slowest wait, which is WAIT_MS. */
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, first_screen_reads_back_utf8_and_cjk_intact);
	tcase_add_test(tc, row_text_is_cut_at_a_character_boundary);
	tcase_add_test(tc, each_key_arrives_as_the_program_expects);
	tcase_add_test(tc, reverse_and_bold_attributes_are_read_per_cell);
	tcase_add_test(tc, resize_to_smallest_and_back_is_seen);
	tcase_add_test(tc, close_reaps_the_child_and_returns_its_status);
	tcase_add_test(tc, close_kills_a_child_that_does_not_exit);
	tcase_add_test(tc, kill_then_close_reports_the_signal);
	tcase_add_test(tc, wait_text_gives_up_at_its_deadline);
	tcase_add_test(tc, waits_end_early_once_the_child_has_exited);
	tcase_add_test(tc, terminal_queries_are_answered);
	tcase_add_test(tc, environment_is_set_overridden_and_removed);
	tcase_add_test(tc, golden_screen_matches_with_a_mask);
	tcase_add_test(tc, golden_compare_counts_wide_characters_as_two_cells);
	tcase_add_test(tc, golden_compare_rejects_extra_rows);
	tcase_add_test(tc, spawn_reports_a_program_that_cannot_run);
	tcase_add_test(tc, two_sessions_run_side_by_side);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	SRunner *sr;
	int failed;

	fixture_path = argc > 1 ? argv[1] : getenv("PTY_FIXTURE");
	if (!fixture_path) {
		fprintf(stderr, "usage: %s PATH-OF-pty_fixture\n", argv[0]);
		return 2;
	}
	sr = srunner_create(pty_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
