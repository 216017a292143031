/*
 * main.c - the program's entry: locale and translations, the global
 * options and the defaults behind them (SPEC 5), then the hand-over to a
 * command (src/cli) or to the interactive screen (src/tui).
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <malloc.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli/cli.h"
#include "core/i18n.h"
#include "core/rules.h"
#include "core/store.h"
#include "core/text.h"
#include "tui/tui.h"

#define PATH_TEXT_MAX 4096

struct main_opts {
	struct cli_globals g;
	const char *view;
	const char *open_ref;
	char db_buf[PATH_TEXT_MAX];
};

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* $XDG_DATA_HOME/inved/invoices.db, else ~/.local/share/inved/invoices.db.
 * A relative XDG_DATA_HOME is ignored, as the XDG spec asks. */
static const char *default_db_path(char *buf, size_t len)
{
	const char *xdg = env_nonempty("XDG_DATA_HOME");
	const char *home = env_nonempty("HOME");
	int w;

	if (xdg && xdg[0] == '/') {
		w = snprintf(buf, len, "%s/inved/invoices.db", xdg);
	} else {
		if (!home) {
			struct passwd *pw = getpwuid(geteuid());

			home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
		}
		if (!home)
			return NULL;
		w = snprintf(buf, len, "%s/.local/share/inved/invoices.db", home);
	}
	return w > 0 && (size_t)w < len ? buf : NULL;
}

/* $INVED_BUSY_TIMEOUT: milliseconds a write waits for another writer.
 * Set but not a number from 1 to 3599999: the store's default, still
 * counted as given (the screen's writer then waits no longer either). */
static int busy_from_env(void)
{
	const char *env = getenv("INVED_BUSY_TIMEOUT");
	char *end;
	long v;

	if (!env)
		return 0;
	errno = 0;
	v = *env ? strtol(env, &end, 10) : 0;
	if (*env && !errno && !*end && v > 0 && v < 3600000)
		return (int)v;
	return STORE_BUSY_DEFAULT_MS;
}

/* Fill in what the command line left open from the environment. */
static int resolve_defaults(struct main_opts *o)
{
	o->g.busy_ms = busy_from_env();
	if (!o->g.db_path)
		o->g.db_path = env_nonempty("INVED_DB");
	if (!o->g.db_path) {
		o->g.db_path = default_db_path(o->db_buf, sizeof o->db_buf);
		o->g.db_is_default = true;
	}
	if (!o->g.db_path) {
		fprintf(stderr, "inved: %s\n",
		        _("cannot tell where the database lives (no HOME or "
		          "XDG_DATA_HOME); use --db PATH or set INVED_DB"));
		return 2;
	}
	/* No name at all means the logged-in account, which the core reads
	 * from the system itself (store_identity). */
	if (!o->g.user)
		o->g.user = env_nonempty("INVED_USER");
	return 0;
}

/* Where a global option with a value is kept, or NULL for the others. */
static const char **global_slot(struct main_opts *o, int ch)
{
	switch (ch) {
	case 'd': return &o->g.db_path;
	case 'u': return &o->g.user;
	case 'o': return &o->g.org;
	case 'w': return &o->view;
	case 'O': return &o->open_ref;
	default: return NULL;
	}
}

/* Returns -1 to go on, else the exit code (after --help, --version or a
 * usage error). */
static int parse_globals(struct main_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"user", required_argument, NULL, 'u'},
		{"org", required_argument, NULL, 'o'},
		{"view", required_argument, NULL, 'w'},
		{"open", required_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int ch;

	/* "+": stop at the command, whose options are its own. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		const char **slot = global_slot(o, ch);

		/* Which of two values was meant cannot be told: refuse. */
		if (slot && *slot) {
			size_t k;

			for (k = 0; opts[k].val != ch; k++)
				;
			return cli_global_error(argc, argv,
				_("--%s is given twice; give it once"),
				opts[k].name);
		}
		if (slot) {
			*slot = optarg;
			continue;
		}
		switch (ch) {
		case 'h':
			cli_usage(stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		case 'V':
			printf("inved %s\n", VERSION);
			return fflush(stdout) == 0 ? 0 : 1;
		case ':':
			return cli_global_error(argc, argv,
				_("%s needs a value; see `inved --help`"),
				argv[optind - 1]);
		default:
			return cli_global_error(argc, argv,
				_("unknown option '%s'; see `inved --help`"),
				argv[optind - 1]);
		}
	}
	return -1;
}

/* "inved: MESSAGE" on stderr; the message may quote what the database
 * holds (a user or org name), so it is shown as text_visible() makes it. */
static void error_line(const char *msg)
{
	char shown[sizeof ((struct inv_err *)0)->msg * 4];

	text_visible(shown, sizeof shown, msg);
	fprintf(stderr, "inved: %s\n", shown);
}

static int run_tui(const struct main_opts *o)
{
	struct tui_options topt = {VIEW_ACTIVE, o->open_ref, o->g.busy_ms > 0};
	struct store_options sopt;
	struct identity who;
	struct store *st = NULL;
	struct inv_err err;
	enum inv_rc rc;
	int code;

	inv_err_clear(&err);
	if (o->view && store_view_parse(o->view, &topt.view, &err) != INV_OK) {
		error_line(err.msg);
		return 2;
	}
	cli_store_options(&o->g, STORE_OPEN_EXISTING, &sopt);
	rc = store_open(o->g.db_path, &sopt, &st, &err);
	if (rc == INV_OK)
		rc = store_identity(st, o->g.user, o->g.org, &who, &err);
	if (rc == INV_OK && rule_view(&who, topt.view, NULL) != INV_OK)
		rc = inv_err_set(&err, INV_FORBIDDEN, "view",
			_("the All view (deleted invoices included) is for "
			  "admins; %s is a member of %s. Use --view active or "
			  "--view archived."),
			who.user, who.org);
	if (rc != INV_OK) {
		error_line(err.msg);
		store_close(st);
		return inv_rc_exit_code(rc);
	}
	code = tui_run(st, &who, &topt);
	store_close(st);
	return code;
}

/* An edit allocates and frees a few hundred KiB (SQLite's statements,
 * page cache and journal buffers); left to its defaults glibc gives the
 * top of the heap back after each step and asks for it again on the next,
 * a brk and fresh page faults each way.  Keeping a few MiB (a fraction of
 * the resident budget of SPEC 6) spares the `inved edit` process and the
 * screen's writer thread that churn.  mallopt is process-wide, so the
 * writer thread's arena keeps them too. */
#define HEAP_TRIM_THRESHOLD (4 << 20)
#define HEAP_TOP_PAD (1 << 20)

static void heap_settle(void)
{
	mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD);
	mallopt(M_TOP_PAD, HEAP_TOP_PAD);
}

int main(int argc, char **argv)
{
	struct main_opts o;
	int code;

	heap_settle();
	store_process_setup();
	setlocale(LC_ALL, "");
#ifdef ENABLE_NLS
	/* INVED_LOCALEDIR: catalogues of an uninstalled build (build/po),
	 * for testing translations before `meson install`. */
	bindtextdomain(GETTEXT_PACKAGE, env_nonempty("INVED_LOCALEDIR")
	                                ? env_nonempty("INVED_LOCALEDIR")
	                                : LOCALEDIR);
	textdomain(GETTEXT_PACKAGE);
#endif
	memset(&o, 0, sizeof o);
	code = parse_globals(&o, argc, argv);
	if (code >= 0)
		return code;
	code = resolve_defaults(&o);
	if (code)
		return code;
	if (optind < argc) {
		if ((o.view || o.open_ref) && cli_command_known(argv[optind])) {
			return cli_global_error(argc, argv, "%s",
				_("--view and --open set up the interactive "
				  "screen; a command takes its own options "
				  "(e.g. `inved list --view archived`)"));
		}
		return cli_run(&o.g, argc - optind, argv + optind);
	}
	return run_tui(&o);
}
