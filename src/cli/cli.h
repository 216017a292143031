/*
 * cli.h - the command line face (SPEC 5): what main() hands over once the
 * global options are read.  The TUI is not reached from here; main()
 * chooses between the two faces.
 */
#ifndef INVED_CLI_H
#define INVED_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* The global options, resolved by main() from the command line and the
 * environment. */
struct cli_globals {
	const char *db_path;
	bool db_is_default; /* from XDG/HOME, not --db or INVED_DB */
	const char *user;   /* --user or INVED_USER; NULL: the logged-in
	                     * account (the core's rule, store_identity) */
	const char *org;    /* NULL: the user's only membership */
	int busy_ms;        /* $INVED_BUSY_TIMEOUT; 0 when not set */
};

struct store_options;
/* The options every command opens the database with (flags, and the busy
 * timeout of the globals). */
void cli_store_options(const struct cli_globals *g, int flags,
                       struct store_options *out);

/* Run the command argv[0] with its arguments; returns the exit code. */
int cli_run(const struct cli_globals *g, int argc, char **argv);

/* True when name is a command (so main can tell a typo from a command). */
bool cli_command_known(const char *name);

/* Report a usage error found before any command took over (a global
 * option, an unknown command): as the JSON error object when --json is
 * among argv, else "inved: MESSAGE" on stderr.  Returns 2. */
int cli_global_error(int argc, char **argv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The program's usage text: commands, global options, exit codes and
 * environment. */
void cli_usage(FILE *out);

#endif
