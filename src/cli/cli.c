/*
 * cli.c - the command table, the help texts, and the steps every command
 * shares: reading --json early, opening the store as the session's
 * identity, resolving a REF, and reporting failures with the exit codes of
 * SPEC 5.  The commands themselves live one file per group (cli_*.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"

struct cli_command {
	const char *name;
	int (*run)(const struct cli_globals *g, int argc, char **argv);
	const char *help; /* N_(): synopsis, then what it does and options */
};

static const struct cli_command commands[] = {
	{"init", cli_init, N_(
	"Usage: inved [--db PATH] init [--org ORG | --demo] [--json]\n"
	"\n"
	"Create the database (and, at the default path, its directory).  On a\n"
	"database that exists already, init keeps its data and only adds what\n"
	"is asked for.\n"
	"\n"
	"  --org ORG  create the org ORG with you (the logged-in account) as\n"
	"             its admin; ORG is 1 to 64 letters, digits, '.', '_' or\n"
	"             '-', and its invoices are numbered ORG-1001 onwards\n"
	"             (upper-cased); add the team with `inved member add`\n"
	"  --demo     add the demo orgs acme and globex, the users alice (acme\n"
	"             admin), bob (acme member), carol (globex admin) and dave\n"
	"             (globex member), and invoices in every state\n"
	"  --json     print one JSON object\n"
	"\n"
	"Without --org or --demo the database has no org yet, and no one can\n"
	"use it until `inved init --org ORG` makes one.\n")},
	{"list", cli_list, N_(
	"Usage: inved list [--view V] [--limit N] [--after ID] [--filter TEXT]\n"
	"                  [--json]\n"
	"\n"
	"List the invoices of a view in id order.  Without --limit every row is\n"
	"printed, read a page at a time; with --limit one page is printed and\n"
	"the id to continue after is reported.\n"
	"\n"
	"  --view V       active (default), archived, or all (admins only;\n"
	"                 deleted invoices included)\n"
	"  --limit N      print at most N rows (1 to 1000)\n"
	"  --after ID     start after this invoice id\n"
	"  --filter TEXT  only numbers or customers containing TEXT\n"
	"  --json         print one JSON object\n")},
	{"show", cli_show, N_(
	"Usage: inved show REF [--json]\n"
	"\n"
	"Show one invoice.  REF is an invoice id or a live invoice number such\n"
	"as ACME-1001; an admin's id may name a deleted invoice.\n")},
	{"edit", cli_edit, N_(
	"Usage: inved edit REF --version N [--customer S] [--status S]\n"
	"                  [--total A] [--currency C] [--number N]\n"
	"                  [--overwrite] [--json]\n"
	"\n"
	"Change an invoice.  The save is refused as a conflict when the invoice\n"
	"is no longer at version N; the refusal shows what it holds now.\n"
	"\n"
	"  --version N    the version you loaded (see `inved show REF`)\n"
	"  --customer S   the customer name\n"
	"  --status S     draft, sent, paid or void\n"
	"  --total A      digits with '.' for decimals, e.g. 1234.50\n"
	"  --currency C   an ISO 4217 code such as EUR, JPY or BHD\n"
	"  --number N     renumber: a number no other live invoice holds\n"
	"  --overwrite    save even when the version is stale (admins only)\n"
	"  --json         print one JSON object\n")},
	{"archive", cli_archive, N_(
	"Usage: inved archive REF --version N [--json]\n"
	"\n"
	"Archive an active invoice that is still at version N.\n")},
	{"restore", cli_restore, N_(
	"Usage: inved restore REF --version N [--json]\n"
	"\n"
	"Bring back an archived or deleted invoice that is still at version N\n"
	"(a deleted one needs an admin; give its numeric id as REF).\n")},
	{"delete", cli_delete, N_(
	"Usage: inved delete REF --version N [--json]\n"
	"\n"
	"Delete an invoice that is still at version N (admins only).  The row\n"
	"stays, and its number is free for a new invoice.\n")},
	{"create", cli_create, N_(
	"Usage: inved create --customer S --total A [--currency C] [--status S]\n"
	"                    [--number N] [--request-id T] [--json]\n"
	"\n"
	"Create an invoice.  Running it again with the same --request-id creates\n"
	"nothing and reports the invoice the first run made.\n"
	"\n"
	"  --customer S     the customer name\n"
	"  --total A        digits with '.' for decimals, e.g. 1234.50\n"
	"  --currency C     an ISO 4217 code (default EUR)\n"
	"  --status S       draft (default), sent, paid or void\n"
	"  --number N       the invoice number (default: the org's next one)\n"
	"  --request-id T   a token that makes retries safe (default: a new one)\n"
	"  --json           print one JSON object\n")},
	{"revert", cli_revert, N_(
	"Usage: inved revert REF --to-version N --version CUR [--dry-run]\n"
	"                    [--json]\n"
	"\n"
	"Write the values the invoice had at version N (number, customer,\n"
	"status, total and currency, read from its history) as a new version.\n"
	"A guarded edit like any other: refused as a conflict when the invoice\n"
	"is no longer at version CUR.  The lifecycle (archived, deleted) is\n"
	"never reverted.  The report lists every value replaced and who had\n"
	"set it.\n"
	"\n"
	"  --to-version N  the version whose values to bring back\n"
	"  --version CUR   the version you loaded (see `inved show REF`)\n"
	"  --dry-run       only list what would be replaced; write nothing\n"
	"  --json          print one JSON object\n")},
	{"history", cli_history, N_(
	"Usage: inved history REF [--json]\n"
	"\n"
	"The audit trail of one invoice, newest first.\n")},
	{"audit", cli_audit, N_(
	"Usage: inved audit [--tail N] [--json]\n"
	"\n"
	"The newest audit entries of the org, newest first.\n"
	"\n"
	"  --tail N   how many entries (1 to 1000, default 20)\n")},
	{"member", cli_member, N_(
	"Usage: inved member list [--json]\n"
	"       inved member add LOGIN [--role member|admin] [--json]\n"
	"       inved member remove LOGIN [--json]\n"
	"       inved member role LOGIN member|admin [--json]\n"
	"\n"
	"Manage who belongs to your org (admins only).  LOGIN is the login\n"
	"name of an account: outside demo databases inved acts as the\n"
	"logged-in account, so adding LOGIN lets that account work in the\n"
	"org.  Every change is recorded in the audit (member.add,\n"
	"member.remove, member.role).  The org's last admin can be neither\n"
	"removed nor made a member.\n"
	"\n"
	"  list          the members and their roles\n"
	"  add LOGIN     add an account (as a member unless --role admin)\n"
	"  remove LOGIN  take an account out of the org\n"
	"  role LOGIN R  give a member the role R (member or admin)\n"
	"  --json        print one JSON object\n")},
	{"watch", cli_watch, N_(
	"Usage: inved watch [--after SEQ] [--json]\n"
	"\n"
	"Print the org's changes as they are committed, by anyone, one line\n"
	"each, until interrupted (Ctrl-C, SIGTERM) or until the reader of its\n"
	"output goes away; both end it with exit status 0.  Each line holds,\n"
	"separated by tabs, the change number (SEQ), the action, the invoice\n"
	"id, its number, the version the change made, who made it, when, and\n"
	"the customer; '-' where the session may not read it (a deleted\n"
	"invoice, for a member) or where it does not apply (a member change).\n"
	"Number and customer are the invoice's as it is now.\n"
	"\n"
	"  --after SEQ  start after change SEQ (0: from the first change); to\n"
	"               resume a stream, give the last SEQ it printed.\n"
	"               Without it, only changes from now on are printed\n"
	"  --json       one JSON object per line with the keys seq, action,\n"
	"               invoice_id, number, version, actor, at and customer\n"
	"               (null where unknown)\n")},
	{"drift", cli_drift, N_(
	"Usage: inved drift REF [--json]\n"
	"\n"
	"Bump the invoice's version as if another terminal had saved it, so\n"
	"that the next save made against the old version conflicts (for\n"
	"demonstrations).\n")},
	{"copy", cli_copy, N_(
	"Usage: inved copy --from A --to B [--json]\n"
	"\n"
	"Copy a team's whole database from A to B, each an SQLite file or a\n"
	"postgresql:// URI: to move from one shared file to a PostgreSQL\n"
	"server, or back.  Every org, user, membership, invoice (with its id,\n"
	"version and lifecycle), audit row (with its time and actor), request\n"
	"id and draft is copied as it is, in one transaction on B; then B's\n"
	"integrity check runs (see `inved check`) and its result is printed\n"
	"with the number of rows of each kind.\n"
	"\n"
	"B must be empty: a new file, an empty PostgreSQL database (the schema\n"
	"is installed), or one made by `inved init` with no org.  A B that\n"
	"holds any row is refused (exit 3) and left as it was.  Copying reads\n"
	"and writes every org, so on PostgreSQL connect as the role that owns\n"
	"the schema.  Members' roles are not created: the administrator\n"
	"creates a login role for each user of B (see `inved member add`).\n"
	"\n"
	"  --from A  the database to copy (it is only read)\n"
	"  --to B    the empty database to copy into\n"
	"  --json    print one JSON object\n")},
	{"check", cli_check, N_(
	"Usage: inved check [--repair] [--json]\n"
	"\n"
	"Check the database's integrity: its tables, indexes, triggers and\n"
	"views are exactly the ones this version installs; every invoice's\n"
	"audit history (which is also the change feed) runs unbroken from its\n"
	"creation to its current version, each row filled by the write it\n"
	"names; the totals equal a recount; money columns hold whole numbers.\n"
	"Each problem found is named, and the exit status is 7.\n"
	"\n"
	"  --repair  (admins only) in one transaction, reinstall missing or\n"
	"            altered indexes, triggers and views and missing tables,\n"
	"            drop indexes and triggers on its tables that this version\n"
	"            does not install; says what it did.  Damage to the\n"
	"            history or the totals is reported, never repaired.\n"
	"  --json    print one JSON object\n")},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const struct cli_command *command_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < COMMAND_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

bool cli_command_known(const char *name)
{
	return command_find(name) != NULL || (name && strcmp(name, "help") == 0);
}

void cli_usage(FILE *out)
{
	fputs(_(
	"Usage: inved [OPTIONS] [COMMAND [ARGS]]\n"
	"\n"
	"A terminal invoice editor for operators who share one database.\n"
	"Without a command, inved opens the interactive screen.\n"
	"\n"
	"Commands:\n"
	"  init [--org ORG | --demo]     create the database; --org ORG makes you\n"
	"                                the admin of a new org ORG, --demo adds\n"
	"                                sample data\n"
	"  list [--view V] [--limit N] [--after ID] [--filter TEXT]\n"
	"                                list the invoices of a view\n"
	"  show REF                      show one invoice\n"
	"  edit REF --version N [--customer S] [--status S] [--total A]\n"
	"       [--currency C] [--number N] [--overwrite]\n"
	"                                change an invoice (guarded by version)\n"
	"  revert REF --to-version N --version CUR [--dry-run]\n"
	"                                bring back the values of version N\n"
	"  archive|restore|delete REF --version N\n"
	"                                move an invoice through its lifecycle\n"
	"  create --customer S --total A [--currency C] [--status S]\n"
	"         [--number N] [--request-id T]\n"
	"                                create an invoice (safe to retry)\n"
	"  history REF                   the audit trail of one invoice\n"
	"  audit [--tail N]              the newest audit entries of the org\n"
	"  member list|add|remove|role   manage the org's members (admins)\n"
	"  watch [--after SEQ]           print the org's changes as they happen\n"
	"  drift REF                     force version drift, as a peer save\n"
	"  check [--repair]              check the database's integrity; an\n"
	"                                admin's --repair reinstalls its\n"
	"                                triggers and indexes\n"
	"  copy --from A --to B          copy everything into an empty\n"
	"                                database (a file or postgresql:// URI)\n"
	"  help [COMMAND]                this text, or a command's own\n"
	"Every command takes --json (one JSON object on stdout) and --help.\n"
	"REF is an invoice id or a live invoice number such as ACME-1001.\n"
	"\n"
	"Options:\n"
	"  --db PATH     the database file\n"
	"  --user NAME   act as this user of a demo database (elsewhere you\n"
	"                act as the logged-in account, and NAME may only be\n"
	"                that account)\n"
	"  --org ORG     act in this org (default: the user's only one)\n"
	"  --view V      open the screen on active, archived or all\n"
	"  --open REF    open the screen with this invoice's form\n"
	"  --help        print this help and exit\n"
	"  --version     print the program's version and exit\n"
	"\n"
	"Exit status:\n"
	"  0 ok, 1 unexpected failure, 2 usage or invalid input, 3 conflict,\n"
	"  4 not found, 5 forbidden, 6 database busy, 7 the database fails its\n"
	"  integrity check (a write is refused; see `inved check`).\n"
	"\n"
	"Environment:\n"
	"  INVED_DB            the database when --db is not given; else\n"
	"                      $XDG_DATA_HOME/inved/invoices.db, else\n"
	"                      $HOME/.local/share/inved/invoices.db\n"
	"  INVED_USER          the user when --user is not given (the same\n"
	"                      rule as --user); else the logged-in account\n"
	"  INVED_BUSY_TIMEOUT  milliseconds to wait for a locked database\n"
	"  NO_COLOR            turn colours off in the screen\n"), out);
}

int cli_global_error(int argc, char **argv, const char *fmt, ...)
{
	struct cli c;
	struct inv_err err;
	va_list ap;
	int i;

	memset(&c, 0, sizeof c);
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			c.json = true;
	inv_err_clear(&err);
	snprintf(err.field, sizeof err.field, "usage");
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof err.msg, fmt, ap);
	va_end(ap);
	return cli_fail(&c, INV_INVALID, &err, NULL, 0);
}

/* `inved help [COMMAND]`. */
static int cli_help(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		cli_usage(stdout);
		return 0;
	}
	cmd = command_find(argv[1]);
	if (!cmd) {
		char name[PRINT_VISIBLE_MAX(64)];

		text_visible(name, sizeof name, argv[1]);
		fprintf(stderr, _("inved: no command '%s'; see `inved --help`\n"),
		        name);
		return 2;
	}
	fputs(_(cmd->help), stdout);
	return 0;
}

/* "-h", "--help", or an abbreviation of it that getopt_long would take
 * ("--h", "--he", "--hel"). */
static bool arg_asks_help(const char *arg)
{
	size_t n = strlen(arg);

	if (strcmp(arg, "-h") == 0)
		return true;
	return n >= 3 && strncmp(arg, "--help", n) == 0;
}

static bool args_ask_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (arg_asks_help(argv[i]))
			return true;
	return false;
}

/* --help is answered here, once, before any command runs: a command never
 * sees it, so none can print its help and then go on into its work (with no
 * store open, or with a row it never read).  It wins wherever it stands
 * before "--", even where an option's value was meant, and touches no
 * database. */
int cli_run(const struct cli_globals *g, int argc, char **argv)
{
	const struct cli_command *cmd = command_find(argv[0]);
	bool help = strcmp(argv[0], "help") == 0;

	if (!cmd && !help)
		return cli_global_error(argc, argv,
			_("no command '%s'; see `inved --help` for the commands"),
			argv[0]);
	if (args_ask_help(argc, argv)) {
		if (cmd)
			fputs(_(cmd->help), stdout);
		else
			cli_usage(stdout);
		return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
	}
	if (help)
		return cli_help(argc, argv);
	return cmd->run(g, argc, argv);
}

/* ---- common steps -------------------------------------------------------- */

void cli_begin(struct cli *c, const struct cli_globals *g, int argc,
               char **argv)
{
	int i;

	memset(c, 0, sizeof *c);
	c->g = g;
	c->cmd = argv[0];
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			c->json = true;
	/* 0, not 1: glibc then starts afresh, forgetting the global parse's
	 * position inside argv and its "+" mode. */
	optind = 0;
	opterr = 0;
}

void cli_store_options(const struct cli_globals *g, int flags,
                       struct store_options *out)
{
	out->flags = flags;
	out->busy_timeout_ms = g->busy_ms;
}

int cli_session_open(struct cli *c)
{
	struct store_options opt;
	struct inv_err err;
	enum inv_rc rc;

	inv_err_clear(&err);
	cli_store_options(c->g, STORE_OPEN_EXISTING, &opt);
	rc = store_open(c->g->db_path, &opt, &c->st, &err);
	if (rc != INV_OK)
		return cli_fail(c, rc, &err, NULL, 0);
	rc = store_identity(c->st, c->g->user, c->g->org, &c->who, &err);
	if (rc != INV_OK) {
		int code = cli_fail(c, rc, &err, NULL, 0);

		cli_session_close(c);
		return code;
	}
	return 0;
}

void cli_session_close(struct cli *c)
{
	store_close(c->st);
	c->st = NULL;
}

int cli_end(struct cli *c, int code)
{
	(void)c;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, _("inved: cannot write the output: %s\n"),
		        strerror(errno));
		return 1;
	}
	return code;
}

static void fail_json(const struct inv_err *err, enum inv_rc rc,
                      const struct invoice *current)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "error");
	json_string(&j, inv_rc_name(rc));
	json_key(&j, "message");
	json_string(&j, err->msg);
	if (err->field[0]) {
		json_key(&j, "field");
		json_string(&j, err->field);
	}
	if (current) {
		json_key(&j, "current");
		print_invoice_json(&j, current);
	}
	json_object_end(&j);
	json_finish(&j);
}

int cli_fail(struct cli *c, enum inv_rc rc, const struct inv_err *err,
             const struct invoice *current, int64_t asked_version)
{
	if (c->json) {
		fail_json(err, rc, current);
		return cli_end(c, inv_rc_exit_code(rc));
	}
	/* The message may quote what was typed: escapes never reach the
	 * terminal. */
	fputs("inved: ", stderr);
	print_text(stderr, err->msg[0] ? err->msg : _("unexpected failure"));
	fputc('\n', stderr);
	if (current) {
		fputs(_("The database holds now:\n"), stderr);
		print_invoice_block(stderr, current);
		if (asked_version > 0 && current->version != asked_version)
			fprintf(stderr,
			        _("If your change still applies, retry with "
			          "--version %" PRId64 ".\n"),
			        current->version);
	}
	return inv_rc_exit_code(rc);
}

int cli_usage_error(struct cli *c, const char *field, const char *fmt, ...)
{
	struct inv_err err;
	va_list ap;

	inv_err_clear(&err);
	err.rc = INV_INVALID;
	snprintf(err.field, sizeof err.field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof err.msg, fmt, ap);
	va_end(ap);
	return cli_fail(c, INV_INVALID, &err, NULL, 0);
}

int cli_option_error(struct cli *c, int ch, char **argv)
{
	/* getopt has stepped past the element it refused. */
	const char *opt = optind > 0 ? argv[optind - 1] : "";
	char shortopt[3] = {'-', (char)optopt, '\0'};

	if (strncmp(opt, "--", 2) != 0 && optopt > ' ' && optopt < 127)
		opt = shortopt;
	if (ch == ':')
		return cli_usage_error(c, "usage",
			_("%s: %s needs a value; see `inved %s --help`"),
			c->cmd, opt, c->cmd);
	return cli_usage_error(c, "usage",
		_("%s: unknown option '%s'; see `inved %s --help`"),
		c->cmd, opt, c->cmd);
}

int cli_option_once(struct cli *c, int ch, const struct option *opts)
{
	size_t i;

	if (ch <= 0 || ch >= (int)sizeof c->seen)
		return 0;
	for (i = 0; opts[i].name; i++) {
		if (opts[i].val != ch || opts[i].has_arg != required_argument)
			continue;
		if (!c->seen[ch]) {
			c->seen[ch] = true;
			return 0;
		}
		return cli_usage_error(c, opts[i].name,
			_("%s: --%s is given twice; give it once (see `inved %s "
			  "--help`)"),
			c->cmd, opts[i].name, c->cmd);
	}
	return 0;
}

int cli_extra_args(struct cli *c, int argc, char **argv, int want)
{
	if (argc - optind <= want)
		return 0;
	return cli_usage_error(c, "usage",
		_("%s: unexpected argument '%s'; see `inved %s --help`"),
		c->cmd, argv[optind + want], c->cmd);
}

bool cli_parse_int(const char *text, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;
	const char *p;

	if (!text || !*text)
		return false;
	for (p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		/* Stop before overflow: max is at most INT64_MAX.  The first
		 * test keeps a digit above a one-digit max from slipping
		 * through (max - digit) / 10 rounding up to 0. */
		if (max < *p - '0' || v > (max - (*p - '0')) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v < min)
		return false;
	*out = v;
	return true;
}

int cli_parse_version(struct cli *c, const char *text, int64_t *out)
{
	if (cli_parse_int(text, 1, INT64_MAX, out))
		return 0;
	return cli_usage_error(c, "version",
		_("%s: --version must be a positive whole number (the version "
		  "you loaded; see `inved show REF`), not '%s'"),
		c->cmd, text);
}

/* An id or an invoice number: printable ASCII without spaces, as the
 * core makes numbers. */
static bool ref_plausible(const char *ref)
{
	const char *p;

	for (p = ref; *p; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	return p != ref;
}

int cli_resolve(struct cli *c, const char *ref, struct invoice *out)
{
	struct inv_err err;
	enum inv_rc rc;

	if (!ref_plausible(ref))
		return cli_usage_error(c, "ref",
			_("%s: REF '%s' is neither an invoice id nor an invoice "
			  "number (such as ACME-1001); see `inved list`"),
			c->cmd, ref);
	inv_err_clear(&err);
	rc = store_find(c->st, &c->who, ref, out, &err);
	if (rc != INV_OK)
		return cli_fail(c, rc, &err, NULL, 0);
	return 0;
}

