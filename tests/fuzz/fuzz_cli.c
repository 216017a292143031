/*
 * fuzz_cli.c - libFuzzer target for the command line: the command
 * dispatch (cli_run) with every command's option parsing, REF resolution,
 * version and amount parsing, run as alice against a throwaway demo
 * database; and the pure parsers the commands share (cli_parse_int, the
 * view names, the REF lookup of the core).
 *
 * Input: the arguments after `inved --db DB --user alice`, one per line
 * ("show\nACME-1001").  The global options themselves are parsed in
 * main() and are not reached from here.
 *
 * What must hold:
 * - every run ends with one of the exit codes of SPEC 5 (0..6), and
 *   never crashes, leaks or reads out of bounds (the sanitizers);
 * - the database stays consistent (store_check) after whatever a run
 *   wrote; it is put back to the demo data before the next input;
 * - cli_parse_int accepts exactly the digit strings whose value lies in
 *   the bounds, and gives that value;
 * - store_find finds only rows of the session's org: by id when REF is
 *   all digits, else the live invoice with exactly that number; every
 *   refusal carries a printable message.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <locale.h>
#include <unistd.h>

#include "cli_internal.h"
#include "fuzz_db.h"
#include "fuzz_util.h"

#define ARGS_MAX 24
#define ARG_MAX 256
/* How often the database is checked whole (it costs a scan). */
#define CHECK_EVERY 512

static const char *db_path;  /* the one the commands run against */
static const char *ref_path; /* a second copy, never written */
static struct store *ref_st;
static struct identity alice;
static bool db_dirty;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct inv_err err;
	int null_fd;

	(void)argc;
	(void)argv;
	setlocale(LC_ALL, "C.UTF-8");
	/* The commands print; what they print is not the point here (their
	 * messages to stderr are silenced by run.sh's -close_fd_mask=2). */
	null_fd = open("/dev/null", O_WRONLY);
	if (null_fd < 0 || dup2(null_fd, STDOUT_FILENO) < 0)
		abort();
	close(null_fd);
	db_path = fuzz_db_create("cli.db");
	fuzz_db_snapshot(db_path);
	ref_path = fuzz_db_create("ref.db");
	memset(&err, 0, sizeof err);
	if (store_open(ref_path,
	               &(struct store_options){STORE_OPEN_EXISTING, 0},
	               &ref_st, &err) !=
	            INV_OK ||
	    store_identity(ref_st, "alice", NULL, &alice, &err) != INV_OK) {
		fprintf(stderr, "fuzz_cli: %s\n", err.msg);
		abort();
	}
	return 0;
}

/* The reference for cli_parse_int: digits only, compared as digit strings
 * so no arithmetic can overflow. */
static bool reference_int(const char *text, int64_t min, int64_t max,
                          int64_t *out)
{
	char maxdig[24];
	const char *p = text;
	size_t n;
	int64_t v = 0;

	if (!*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	while (text[0] == '0' && text[1])
		text++;
	n = strlen(text);
	snprintf(maxdig, sizeof maxdig, "%" PRId64, max);
	if (n > strlen(maxdig) ||
	    (n == strlen(maxdig) && strcmp(text, maxdig) > 0))
		return false;
	for (p = text; *p; p++)
		v = v * 10 + (*p - '0');
	if (v < min)
		return false;
	*out = v;
	return true;
}

static void check_parse_int(const char *arg)
{
	static const int64_t bounds[][2] = {
		{1, INT64_MAX}, {0, INT64_MAX}, {1, 1000}, {1, 9}, {0, 0},
	};

	for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		int64_t got = -7, want = -7;
		bool ok = cli_parse_int(arg, bounds[i][0], bounds[i][1], &got);

		FUZZ_ASSERT(ok == reference_int(arg, bounds[i][0],
		                                 bounds[i][1], &want));
		if (ok)
			FUZZ_ASSERT(got == want);
	}
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void check_find(const char *ref)
{
	struct invoice inv;
	struct inv_err err;
	enum inv_rc rc;

	memset(&err, 0, sizeof err);
	rc = store_find(ref_st, &alice, ref, &inv, &err);
	if (rc == INV_OK) {
		FUZZ_ASSERT(inv.org_id == alice.org_id);
		if (all_digits(ref))
			FUZZ_ASSERT(inv.id == strtoll(ref, NULL, 10));
		else
			FUZZ_ASSERT(strcmp(inv.number, ref) == 0 &&
			            invoice_life(&inv) != LIFE_DELETED);
		return;
	}
	FUZZ_ASSERT(rc == INV_NOT_FOUND || rc == INV_INVALID);
	FUZZ_ASSERT(err.msg[0] != '\0');
}

static void check_view(const char *arg)
{
	enum inv_view v = VIEW__COUNT;
	struct inv_err err;

	memset(&err, 0, sizeof err);
	if (store_view_parse(arg, &v, &err) == INV_OK)
		FUZZ_ASSERT(v < VIEW__COUNT &&
		            strcmp(store_view_name(v), arg) == 0);
	else
		FUZZ_ASSERT(err.rc == INV_INVALID && err.msg[0]);
}

/* Commands that cannot write, so the database need not be put back. */
static bool command_reads_only(const char *cmd)
{
	static const char *const readers[] = {
		"list", "show", "history", "audit", "help",
	};

	for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
		if (strcmp(cmd, readers[i]) == 0)
			return true;
	return false;
}

static void check_database(void)
{
	struct store *st = NULL;
	struct inv_err err;

	memset(&err, 0, sizeof err);
	FUZZ_ASSERT(store_open(db_path,
	                       &(struct store_options){STORE_OPEN_EXISTING, 0},
	                       &st, &err) ==
	            INV_OK);
	if (store_check(st, &err) != INV_OK) {
		fprintf(stderr, "fuzz_cli: invariant broken: the database "
		        "is not consistent: %s\n", err.msg);
		abort();
	}
	store_close(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char args[ARGS_MAX][ARG_MAX];
	static unsigned long runs;
	char *argv[ARGS_MAX + 1];
	struct cli_globals g;
	size_t start = 0, i;
	int argc = 0, code;

	if (size > ARGS_MAX * ARG_MAX)
		return 0;
	for (i = 0; i <= size && argc < ARGS_MAX; i++) {
		if (i < size && data[i] != '\n')
			continue;
		fuzz_cstr(args[argc], ARG_MAX, data + start, i - start);
		argv[argc] = args[argc];
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;

	for (i = 0; i < (size_t)argc; i++) {
		check_parse_int(argv[i]);
		check_view(argv[i]);
		check_find(argv[i]);
	}

	/* `watch` streams until a signal or a closed pipe by design: here it
	 * would only wait.  Its options and its ending are tested with real
	 * processes (tests/cli/test_watch.c). */
	if (argc > 0 && strcmp(argv[0], "watch") == 0)
		return 0;
	if (db_dirty) {
		fuzz_db_restore(db_path);
		db_dirty = false;
	}
	memset(&g, 0, sizeof g);
	g.db_path = db_path;
	g.user = "alice";
	code = cli_run(&g, argc, argv);
	FUZZ_ASSERT(code >= 0 && code <= 6);
	fflush(stdout);
	/* cli_run may have permuted argv; args[0] is still the command */
	if (!command_reads_only(args[0])) {
		db_dirty = true;
		if (++runs % CHECK_EVERY == 0)
			check_database();
	}
	return 0;
}
