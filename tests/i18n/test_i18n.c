/*
 * test_i18n.c - inved speaks German when the locale asks for it: the
 * screen (tabs, column headings, key hints, a toast, the help panel and
 * the conflict panel) through a pseudo-terminal, and the command line
 * (help, a listing, a refusal).
 *
 * The uninstalled binary ($INVED_BIN) finds the catalogues the build
 * compiled through INVED_LOCALEDIR, the build's po directory, which comes
 * as the first argument. Without the de_DE.UTF-8 locale on the machine
 * the suite cannot run: it says so and exits 77, which meson reports as
 * skipped (never as a pass).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pty.h"

#define LOCALE_DE "de_DE.UTF-8"
#define WAIT_MS 8000

static const char *localedir;
static char localedir_env[1024];
/* base: made by main, removed by main with whatever a failed test left in
 * it; dir: one test's own directory inside it. */
static char base[256], dir[300], db[340];

/* ---- fixture: a demo database in a directory of its own ---------------- */

/* Run the binary with args under the given locale, collecting what it
 * writes to stdout and stderr into out. Returns the exit status. */
static int run_inved(const char *locale, const char *const args[], char *out,
                     size_t len)
{
	const char *argv[24];
	int fd[2], status, n = 0;
	size_t used = 0;
	ssize_t got;
	pid_t pid;

	argv[n++] = getenv("INVED_BIN");
	for (int i = 0; args[i] && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	ck_assert_msg(argv[0] && argv[0][0], "INVED_BIN is not set");
	ck_assert_int_eq(pipe(fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		dup2(fd[1], STDERR_FILENO);
		close(fd[0]);
		close(fd[1]);
		setenv("LC_ALL", locale, 1);
		setenv("LANG", locale, 1);
		unsetenv("LANGUAGE");
		setenv("INVED_LOCALEDIR", localedir, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fd[1]);
	while ((got = read(fd[0], out + used, len - 1 - used)) > 0)
		used += (size_t)got;
	out[used] = '\0';
	close(fd[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void dir_remove(void)
{
	static const char *const names[] = { "demo.db", "demo.db-wal",
	                                     "demo.db-shm", "demo.db-journal" };
	char path[400];

	if (!dir[0])
		return;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
	dir[0] = '\0';
}

static void setup(void)
{
	const char *init[] = { "--db", db, "init", "--demo", NULL };
	char out[4096];

	snprintf(dir, sizeof dir, "%s/test-XXXXXX", base);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	atexit(dir_remove);
	snprintf(db, sizeof db, "%s/demo.db", dir);
	ck_assert_msg(run_inved("C.UTF-8", init, out, sizeof out) == 0,
	              "init --demo: %s", out);
}

static void teardown(void)
{
	dir_remove();
}

/* ---- the screen -------------------------------------------------------- */

static struct pty *open_de(const char *user, const char *const extra[])
{
	const char *argv[16];
	const char *envp[] = { "LC_ALL=" LOCALE_DE, "LANG=" LOCALE_DE,
	                       "LANGUAGE", localedir_env, "NO_COLOR",
	                       "INVED_BUSY_TIMEOUT", NULL };
	struct pty *pty;
	int n = 0;

	argv[n++] = getenv("INVED_BIN");
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--user";
	argv[n++] = user;
	for (int i = 0; extra && extra[i] && n < 15; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pty = pty_spawn(argv, envp, 24, 80);
	ck_assert_msg(pty != NULL, "cannot start inved: %s", strerror(errno));
	return pty;
}

#define SEE(pty, text) see_at((pty), (text), __LINE__)

static void see_at(struct pty *pty, const char *text, int line)
{
	if (pty_wait_text(pty, text, WAIT_MS))
		return;
	pty_dump(pty, stderr);
	ck_abort_msg("line %d: the screen never showed \"%s\"", line, text);
}

static void send(struct pty *pty, const char *keys)
{
	ck_assert_msg(pty_send(pty, keys), "could not send keys");
}

/* The table row drawn in reverse video (the selection), or -1. */
static int selected_row(struct pty *pty)
{
	char buf[256];

	for (int r = 3; r < 21; r++)
		if (pty_cell_reverse(pty, r, 1) &&
		    pty_row_text(pty, r, buf, sizeof buf) > 0)
			return r;
	return -1;
}

/* Move the selection with j onto the row holding text, waiting after
 * each key for the reverse video to move. */
static void select_row(struct pty *pty, const char *text)
{
	for (int tries = 0; tries < 30; tries++) {
		int row, now;

		SEE(pty, text);
		row = pty_find_row(pty, text);
		now = selected_row(pty);
		if (now == row)
			return;
		send(pty, "j");
		for (int w = 0; w < WAIT_MS / 10 && selected_row(pty) == now; w++)
			pty_pump(pty, 10);
	}
	pty_dump(pty, stderr);
	ck_abort_msg("could not select the row of %s", text);
}

START_TEST(table_speaks_german)
{
	struct pty *pty = open_de("alice", NULL);

	SEE(pty, "ACME-1001");
	/* tabs, column headings, a status, the key hints */
	SEE(pty, "1 Aktiv");
	SEE(pty, "2 Archiviert");
	SEE(pty, "3 Alle");
	SEE(pty, "Nummer");
	SEE(pty, "Kunde");
	SEE(pty, "Betrag");
	SEE(pty, "Versendet");
	SEE(pty, "q Ende");
	SEE(pty, "? Hilfe");
	/* a toast */
	select_row(pty, "ACME-1002");
	send(pty, "a");
	SEE(pty, "Rechnung archiviert.");
	/* the help panel */
	send(pty, "?");
	SEE(pty, "Tasten");
	SEE(pty, "Auswahl bewegen");
	send(pty, PTY_KEY_ESC);
	if (!pty_wait_gone(pty, "Auswahl bewegen", WAIT_MS)) {
		pty_dump(pty, stderr);
		ck_abort_msg("the help panel did not close");
	}
	send(pty, "q");
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
}
END_TEST

/* The German labels are longer: at 80 columns the hints give way in
 * their order and keep the keys a person needs, for an admin and for a
 * member. */
static void hints_keep_needed_keys_de(const char *user, bool admin)
{
	static const char *const keys[] = { "/ Filter", "h Verlauf",
	                                    "i Inspektor", "? Hilfe",
	                                    "q Ende" };
	struct pty *pty = open_de(user, NULL);
	char row[512];

	SEE(pty, "q Ende");
	ck_assert(pty_row_text(pty, 23, row, sizeof row) > 0);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		ck_assert_msg(strstr(row, keys[i]) != NULL,
		              "\"%s\" missing from the hints: %s", keys[i], row);
	ck_assert_msg((strstr(row, "d löschen") != NULL) == admin,
	              "d löschen %s: %s", admin ? "missing" : "shown", row);
	send(pty, "q");
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
}

START_TEST(hints_keep_needed_keys_in_german_for_an_admin)
{
	hints_keep_needed_keys_de("alice", true);
}
END_TEST

START_TEST(hints_keep_needed_keys_in_german_for_a_member)
{
	hints_keep_needed_keys_de("bob", false);
}
END_TEST

START_TEST(conflict_panel_speaks_german)
{
	const char *open[] = { "--open", "ACME-1002", NULL };
	const char *peer[] = { "--db", db, "--user", "bob", "edit", "ACME-1002",
	                       "--version", "1", "--customer", "Initech AG",
	                       NULL };
	struct pty *pty = open_de("alice", open);
	char out[4096];

	SEE(pty, "ACME-1002 bearbeiten");
	SEE(pty, "Version 1");
	ck_assert_msg(run_inved("C.UTF-8", peer, out, sizeof out) == 0,
	              "the peer's edit failed: %s", out);
	SEE(pty, "Anderswo geändert: v1 → v2");
	send(pty, PTY_KEY_CTRL_U);
	send(pty, "Initech Deutschland");
	send(pty, PTY_KEY_F2);
	SEE(pty, "Diese Rechnung wurde anderswo geändert, während Sie");
	SEE(pty, "Datenbank jetzt (v2)");
	SEE(pty, "u Neueste nehmen");
	send(pty, "u");
	SEE(pty, "Die neuesten Werte übernommen (v2)");
	send(pty, PTY_KEY_ESC);
	SEE(pty, "ACME-1001");
	send(pty, "q");
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
}
END_TEST

/* ---- the command line -------------------------------------------------- */

START_TEST(command_line_speaks_german)
{
	const char *help[] = { "--help", NULL };
	const char *list[] = { "--db", db, "--user", "bob", "list", NULL };
	const char *del[] = { "--db", db, "--user", "bob", "delete",
	                      "ACME-1002", "--version", "1", NULL };
	char out[16384];

	ck_assert_int_eq(run_inved(LOCALE_DE, help, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "Aufruf: inved") &&
	              strstr(out, "Rückgabewert:"), "--help: %s", out);
	ck_assert_int_eq(run_inved(LOCALE_DE, list, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "Nummer") && strstr(out, "Kunde") &&
	              strstr(out, "Versendet"), "list: %s", out);
	/* a refusal: named in German, the exit code unchanged */
	ck_assert_int_eq(run_inved(LOCALE_DE, del, out, sizeof out), 5);
	ck_assert_msg(strstr(out, "braucht die Rolle admin"), "delete: %s",
	              out);
}
END_TEST

/* The same binary in the C locale stays English: the German above came
 * from the catalogue, not from the sources. */
START_TEST(command_line_stays_english_in_c_locale)
{
	const char *help[] = { "--help", NULL };
	char out[16384];

	ck_assert_int_eq(run_inved("C.UTF-8", help, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "Usage: inved") && !strstr(out, "Aufruf"),
	              "--help: %s", out);
}
END_TEST


/* ---- German formatting ------------------------------------------------- */

/* Amounts on the screen are written the German way, and the form takes
 * what it shows: "1400,50" typed is saved as 1,400.50 EUR, and the
 * history says so in German money. */
START_TEST(form_takes_the_german_decimal_mark)
{
	const char *open[] = { "--open", "ACME-1002", NULL };
	const char *show[] = { "--db", db, "--user", "alice", "show",
	                       "ACME-1002", "--json", NULL };
	struct pty *pty = open_de("alice", open);
	char out[8192];

	SEE(pty, "ACME-1002 bearbeiten");
	SEE(pty, "1200,00");
	send(pty, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U);
	send(pty, "1400,50");
	SEE(pty, "1400,50");
	send(pty, PTY_KEY_F2);
	SEE(pty, "Rechnung gespeichert.");
	SEE(pty, "1.400,50 EUR");
	/* the history of the saved invoice (selected after the save) says
	 * the change in the same money */
	send(pty, "h");
	SEE(pty, "1.200,00 → 1.400,50 EUR");
	/* the revert to the first version asks in the same money, and
	 * with German answer keys */
	send(pty, "j");
	send(pty, "v");
	SEE(pty, "(j/n)");
	SEE(pty, "1.400,50 EUR");
	SEE(pty, "1.200,00 EUR");
	send(pty, "n");
	if (!pty_wait_gone(pty, "(j/n)", WAIT_MS)) {
		pty_dump(pty, stderr);
		ck_abort_msg("n did not answer the revert question");
	}
	send(pty, PTY_KEY_ESC);
	if (!pty_wait_gone(pty, "1.200,00 →", WAIT_MS)) {
		pty_dump(pty, stderr);
		ck_abort_msg("the history did not close");
	}
	send(pty, "q");
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
	ck_assert_int_eq(run_inved(LOCALE_DE, show, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\"total_minor\":140050"), "show: %s", out);
}
END_TEST

/* In German '.' groups thousands: "1400.50" is refused in the form (never
 * read as 1400.50 or as 140050), with the German mark in the message. */
START_TEST(form_refuses_the_dot_in_german)
{
	const char *open[] = { "--open", "ACME-1002", NULL };
	struct pty *pty = open_de("alice", open);

	SEE(pty, "ACME-1002 bearbeiten");
	send(pty, PTY_KEY_TAB PTY_KEY_TAB PTY_KEY_CTRL_U);
	send(pty, "1400.50");
	SEE(pty, "1400.50");
	send(pty, PTY_KEY_F2);
	SEE(pty, "','");
	SEE(pty, "1234,50");
	send(pty, PTY_KEY_ESC);
	SEE(pty, "(j/n)");
	send(pty, "j");
	SEE(pty, "ACME-1001");
	send(pty, "q");
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
}
END_TEST

/* The question names German's keys; j answers yes, and y still does.
 * The selection is never moved (the first row is selected on start), and
 * each answer is read in the summary's count. */
START_TEST(confirm_asks_j_n_and_takes_j_and_y)
{
	struct pty *pty = open_de("alice", NULL);

	SEE(pty, "ACME-1001");
	SEE(pty, "10 aktiv");
	send(pty, "d");
	SEE(pty, "Rechnung ACME-1001 löschen? (j/n)");
	SEE(pty, "j ja");
	send(pty, "j");
	SEE(pty, "9 aktiv");
	if (!pty_wait_gone(pty, "(j/n)", WAIT_MS)) {
		pty_dump(pty, stderr);
		ck_abort_msg("j did not answer the question");
	}
	send(pty, "d");
	SEE(pty, "(j/n)");
	send(pty, "y");
	SEE(pty, "8 aktiv");
	if (!pty_wait_gone(pty, "(j/n)", WAIT_MS)) {
		pty_dump(pty, stderr);
		ck_abort_msg("y did not answer the question");
	}
	send(pty, "q");
	ck_assert_int_eq(pty_close(pty, WAIT_MS), 0);
}
END_TEST

/* Scripts read and write '.' whatever the locale (SPEC 2): the command
 * line in German prints 1,200.00 and refuses "1400,50". */
START_TEST(command_line_keeps_the_dot_in_german)
{
	const char *list[] = { "--db", db, "--user", "alice", "list", NULL };
	const char *comma[] = { "--db", db, "--user", "alice", "edit",
	                        "ACME-1002", "--version", "1", "--total",
	                        "1400,50", NULL };
	const char *dot[] = { "--db", db, "--user", "alice", "edit",
	                      "ACME-1002", "--version", "1", "--total",
	                      "1400.50", "--json", NULL };
	char out[16384];

	ck_assert_int_eq(run_inved(LOCALE_DE, list, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "1,200.00") && !strstr(out, "1.200,00"),
	              "list: %s", out);
	ck_assert_int_eq(run_inved(LOCALE_DE, comma, out, sizeof out), 2);
	ck_assert_int_eq(run_inved(LOCALE_DE, dot, out, sizeof out), 0);
	ck_assert_msg(strstr(out, "\"total_minor\":140050"), "edit: %s", out);
}
END_TEST

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char mo[1100];
	struct stat sb;
	SRunner *sr;
	Suite *s;
	TCase *tc;
	int failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BUILD_PO_DIR\n", argv[0]);
		return 2;
	}
	localedir = argv[1];
	snprintf(localedir_env, sizeof localedir_env, "INVED_LOCALEDIR=%s",
	         localedir);
	if (!setlocale(LC_ALL, LOCALE_DE)) {
		printf("SKIP: the %s locale is not available on this machine, "
		       "so the German screens cannot be tested. On Debian: "
		       "uncomment '%s UTF-8' in /etc/locale.gen and run "
		       "locale-gen (.ci/run does this).\n",
		       LOCALE_DE, LOCALE_DE);
		return 77;
	}
	setlocale(LC_ALL, "C");
	/* A missing catalogue is a build fault, not a reason to skip. */
	snprintf(mo, sizeof mo, "%s/de/LC_MESSAGES/inved.mo", localedir);
	if (stat(mo, &sb) != 0) {
		fprintf(stderr, "the German catalogue %s was not built: %s\n", mo,
		        strerror(errno));
		return 1;
	}

	snprintf(base, sizeof base, "%s/inved-i18n-XXXXXX",
	         tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		perror(base);
		return 1;
	}

	s = suite_create("i18n");
	tc = tcase_create("german");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, table_speaks_german);
	tcase_add_test(tc, conflict_panel_speaks_german);
	tcase_add_test(tc, command_line_speaks_german);
	tcase_add_test(tc, command_line_stays_english_in_c_locale);
	tcase_add_test(tc, hints_keep_needed_keys_in_german_for_an_admin);
	tcase_add_test(tc, hints_keep_needed_keys_in_german_for_a_member);
	tcase_add_test(tc, form_takes_the_german_decimal_mark);
	tcase_add_test(tc, form_refuses_the_dot_in_german);
	tcase_add_test(tc, confirm_asks_j_n_and_takes_j_and_y);
	tcase_add_test(tc, command_line_keeps_the_dot_in_german);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(base, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	return failed == 0 ? 0 : 1;
}
