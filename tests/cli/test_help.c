/*
 * test_help.c - `--help` answers every command the same way: the command's
 * usage on stdout, nothing on stderr, exit 0, and no database touched.
 *
 * The commands are not listed here: they are read from `inved help`, so a
 * command added to the overview is covered the day it appears.  Each is
 * run with --help alone, after --json, before --json, abbreviated (as
 * getopt_long would take it) and behind a REF, against the demo database
 * (which must stay byte-identical, with no -wal or -shm left behind) and
 * against a database path that does not exist (which must not appear).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "testdb.h"

#define MAX_COMMANDS 64

struct names {
	char name[MAX_COMMANDS][32];
	size_t n;
};

/* The command names of the overview's "Commands:" section: each entry
 * starts two spaces in, "archive|restore|delete" names three. */
static void commands_from_overview(const char *text, struct names *out)
{
	const char *line = strstr(text, "\nCommands:\n");

	out->n = 0;
	ck_assert_msg(line != NULL, "no Commands: section in:\n%s", text);
	line = strchr(line + 1, '\n') + 1;
	while (*line == ' ') {
		const char *end = strchr(line, '\n');

		if (line[1] == ' ' && line[2] >= 'a' && line[2] <= 'z') {
			const char *p = line + 2;

			while (*p >= 'a' && *p <= 'z') {
				size_t len = 0;

				ck_assert_uint_lt(out->n, MAX_COMMANDS);
				while (p[len] >= 'a' && p[len] <= 'z')
					len++;
				ck_assert_uint_lt(len, sizeof out->name[0]);
				memcpy(out->name[out->n], p, len);
				out->name[out->n++][len] = '\0';
				p += len;
				if (*p == '|')
					p++;
			}
		}
		if (!end)
			break;
		line = end + 1;
	}
}

static char *run_ok(const char *const *args)
{
	struct run r;
	char *out;

	run_exec(&r, fx_bin, NULL, args);
	fx_expect_code(&r, 0);
	ck_assert_msg(r.err[0] == '\0', "stderr:\n%s", r.err);
	out = r.out;
	free(r.err);
	return out;
}

static bool file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* One run: exit 0, nothing on stderr, exactly the usage on stdout. */
static void help_form(const char *expect, const char *const *args)
{
	char *out = run_ok(args);
	char line[512];
	size_t i, n = 0;

	for (i = 0; args[i]; i++)
		n += (size_t)snprintf(line + n, n < sizeof line ? sizeof line - n
		                                                  : 0,
		                      " %s", args[i]);
	ck_assert_msg(strcmp(out, expect) == 0,
	              "inved%s printed:\n%s\n--- expected:\n%s", line, out,
	              expect);
	free(out);
}

/* Every help form of every command against db; the caller checks the
 * database afterwards. */
static void every_help_form(const char *db)
{
	char *overview = run_ok(ARGS("help"));
	struct names cmds;
	size_t i;

	commands_from_overview(overview, &cmds);
	/* Parsing can only fail towards fewer names: these must be there. */
	ck_assert_uint_ge(cmds.n, 12);
	for (i = 0; i <= cmds.n; i++) {
		/* i == cmds.n: no command at all, the overview. */
		const char *cmd = i < cmds.n ? cmds.name[i] : NULL;
		char *expect;

		if (cmd && strcmp(cmd, "help") != 0)
			expect = run_ok(ARGS("help", cmd));
		else
			expect = strdup(overview);
		ck_assert_ptr_nonnull(expect);
		ck_assert_msg(strncmp(expect, "Usage: inved", 12) == 0,
		              "%s: not a usage text:\n%s", cmd ? cmd : "-",
		              expect);
		if (cmd) {
			help_form(expect, ARGS("--db", db, cmd, "--help"));
			help_form(expect, ARGS("--db", db, cmd, "--help", "--json"));
			help_form(expect, ARGS("--db", db, cmd, "--json", "--help"));
			help_form(expect, ARGS("--db", db, cmd, "--hel", "--json"));
			help_form(expect, ARGS("--db", db, "--user", "bob", cmd, "1",
			                       "--json", "-h"));
			help_form(expect, ARGS("--db", db, cmd, "1", "--version",
			                       "1", "--help"));
		} else {
			help_form(expect, ARGS("--db", db, "--help"));
			help_form(expect, ARGS("--db", db, "--help", "--json"));
			help_form(expect, ARGS("--help", "--db", db));
			help_form(expect, ARGS("--db", db, "--user", "bob", "--hel"));
			help_form(expect, ARGS("--db", db, "-h", "--json"));
			help_form(expect, ARGS("--db", db, "--help", "list"));
		}
		free(expect);
	}
	free(overview);
}

START_TEST(help_of_every_command_leaves_the_database_as_it_was)
{
	char wal[400], shm[400];
	unsigned char *before, *after;
	size_t nb, na;

	if (fx_is_uri(fx_db)) {
		/* every row as it was, and help never connects: a server
		 * that is not there answers it just the same */
		char *rows = fx_dump(fx_db), *now;

		every_help_form(fx_db);
		now = fx_dump(fx_db);
		ck_assert_str_eq(rows, now);
		free(rows);
		free(now);
		every_help_form("postgresql:///nowhere?host=/nonexistent"
		                "&port=1&connect_timeout=1");
		return;
	}
	snprintf(wal, sizeof wal, "%s-wal", fx_db);
	snprintf(shm, sizeof shm, "%s-shm", fx_db);
	before = fx_file_bytes(fx_db, &nb);
	ck_assert_ptr_nonnull(before);
	ck_assert(!file_exists(wal) && !file_exists(shm));
	every_help_form(fx_db);
	after = fx_file_bytes(fx_db, &na);
	ck_assert_ptr_nonnull(after);
	ck_assert_msg(nb == na && memcmp(before, after, nb) == 0,
	              "the database file changed");
	ck_assert_msg(!file_exists(wal) && !file_exists(shm),
	              "the database was opened (a -wal or -shm file exists)");
	free(before);
	free(after);
}
END_TEST

START_TEST(help_of_every_command_creates_no_database)
{
	char missing[400];

	fx_path(missing, sizeof missing, "nowhere/missing.db");
	every_help_form(missing);
	fx_path(missing, sizeof missing, "nowhere");
	ck_assert_msg(!file_exists(missing), "help created %s", missing);
}
END_TEST

/* The default path too: --help must not create $XDG_DATA_HOME/inved. */
START_TEST(help_creates_no_default_database_directory)
{
	char xdg[400], env[420], dir[420];
	const char *cmds[] = {"list", "show", "history", "init", NULL};
	size_t i;

	fx_path(xdg, sizeof xdg, "xdg");
	ck_assert_int_eq(mkdir(xdg, 0700), 0);
	snprintf(env, sizeof env, "XDG_DATA_HOME=%s", xdg);
	for (i = 0; cmds[i]; i++) {
		struct run r;

		run_exec(&r, fx_bin, ENV(env), ARGS(cmds[i], "--help", "--json"));
		fx_expect_code(&r, 0);
		fx_expect_in(r.out, "Usage: inved");
		ck_assert_str_eq(r.err, "");
		run_free(&r);
	}
	snprintf(dir, sizeof dir, "%s/inved", xdg);
	ck_assert_msg(!file_exists(dir), "help created %s", dir);
}
END_TEST

/* After "--" the word is an argument, not a request for help. */
START_TEST(help_after_double_dash_is_an_argument)
{
	struct jv *o = fx_json(AS("alice", "show", "--json", "--", "--help"), 4);

	ck_assert_str_eq(fx_jstr(o, "error"), "not_found");
	jv_free(o);
}
END_TEST

static Suite *help_suite(void)
{
	Suite *s = suite_create("cli-help");
	TCase *tc = tcase_create("help");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, help_of_every_command_leaves_the_database_as_it_was);
	tcase_add_test(tc, help_after_double_dash_is_an_argument);
	suite_add_tcase(s, tc);
	/* files help must not create: no database is involved */
	if (!testdb_pg()) {
		TCase *file = tcase_create("file");

		tcase_add_checked_fixture(file, fx_setup, fx_teardown);
		tcase_set_timeout(file, 300);
		tcase_add_test(file, help_of_every_command_creates_no_database);
		tcase_add_test(file, help_creates_no_default_database_directory);
		suite_add_tcase(s, file);
	}
	testdb_sqlite_only("cli-help", 2, "help creates no database file and "
	                   "no default directory: no server database is "
	                   "involved");
	return s;
}

int main(void)
{
	return fx_main(help_suite());
}
