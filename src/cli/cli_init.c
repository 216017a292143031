/*
 * cli_init.c - `inved init [--demo | --org ORG]`: create the database file
 * and its schema, then optionally the demo dataset or a first org with the
 * logged-in account as its admin.  Running it again keeps what the file
 * holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_internal.h"
#include "text.h"
#include "../core/store_demo.h"

/* mkdir -p of the directory part of path.  Only used for the default
 * location, where a first run on a fresh account finds no
 * ~/.local/share/inved yet; a --db path the operator chose is not
 * second-guessed. */
static enum inv_rc init_make_parent(const char *path, struct inv_err *err)
{
	char dir[4096];
	char *slash, *p;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return inv_err_set(err, INV_INVALID, "db",
			_("the database path is too long"));
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return INV_OK;
	*slash = '\0';
	for (p = dir + 1; ; p++) {
		bool end = *p == '\0';

		if (*p != '/' && !end)
			continue;
		*p = '\0';
		/* XDG asks for 0700 on the directories it names. */
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return inv_err_set(err, INV_ERROR, "db",
				_("cannot create the directory %s: %s; create it "
				  "or point --db / INVED_DB elsewhere"),
				dir, strerror(errno));
		if (end)
			return INV_OK;
		*p = '/';
	}
}

/* A --db in a directory that does not exist: say so, rather than
 * SQLite's "unable to open database file". */
static enum inv_rc init_check_parent(const char *path, struct inv_err *err)
{
	char dir[4096];
	struct stat sb;
	char *slash;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return inv_err_set(err, INV_INVALID, "db",
			_("the database path is too long"));
	slash = strrchr(dir, '/');
	if (!slash)
		return INV_OK;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
		return INV_OK;
	return inv_err_set(err, INV_NOT_FOUND, "db",
		_("the directory %s does not exist; create it first (mkdir -p "
		  "%s) or choose another --db"),
		dir, dir);
}

/* What init found and did, for the report. */
struct init_outcome {
	bool created;      /* the schema was made by this run */
	bool demo;         /* the database holds the demo */
	bool demo_already; /* --demo on a database that held it already */
	const char *org;   /* --org: the org the user administers */
	char admin[NAME_MAX_BYTES + 1]; /* --org: who that is */
	bool org_already;  /* the user was its admin before this run */
	bool has_orgs;     /* any membership exists (else print the hint) */
};

static void init_report_text(struct cli *c, const struct init_outcome *o)
{
	char path[1024];

	/* a server's URI is shown without its password */
	text_location_shown(path, sizeof path, c->g->db_path);

	if (o->created)
		printf(_("Created database %s\n"), path);
	else if (o->demo_already)
		printf(_("Database %s already holds the demo data; nothing was "
		         "changed.\n"),
		       path);
	else
		printf(_("Database %s already exists; its schema is up to date "
		         "and its data was kept.\n"),
		       path);
	if (o->demo && !o->demo_already)
		printf("%s\n",
		       _("Added the demo data: orgs acme and globex; users "
		         "alice (acme admin), bob (acme member), carol "
		         "(globex admin), dave (globex member). Try `inved "
		         "--user alice list`."));
	if (o->org && o->org_already)
		printf(_("%s is already an admin of org %s; nothing was "
		         "changed.\n"),
		       o->admin, o->org);
	else if (o->org)
		printf(_("%s is now the admin of org %s. Try `inved --db %s "
		         "create --customer NAME --total 10`, and add the team "
		         "with `inved --db %s member add LOGIN`.\n"),
		       o->admin, o->org, path, path);
	if (!o->has_orgs)
		printf(_("The database has no org yet: `inved --db %s init --org "
		         "ORG` makes you (the logged-in account) the admin of a "
		         "new org ORG (or `inved --db %s init --demo` adds sample "
		         "data).\n"),
		       path, path);
}

static void init_report(struct cli *c, const struct init_outcome *o)
{
	struct json j;

	if (!c->json) {
		init_report_text(c, o);
		return;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "path");
	{
		char shown[1024];

		text_location_shown(shown, sizeof shown, c->g->db_path);
		json_string(&j, shown);
	}
	json_key(&j, "created");
	json_bool(&j, o->created);
	json_key(&j, "demo");
	json_bool(&j, o->demo);
	json_key(&j, "changed");
	json_bool(&j, o->created || (o->demo && !o->demo_already) ||
	                  (o->org && !o->org_already));
	json_key(&j, "org");
	if (o->org)
		json_string(&j, o->org);
	else
		json_null(&j);
	json_key(&j, "admin");
	if (o->org)
		json_string(&j, o->admin);
	else
		json_null(&j);
	json_object_end(&j);
	json_finish(&j);
}

/* Whether any membership exists at all (else the report gives the hint).
 * Only the fact is used, never a name. */
static enum inv_rc init_has_orgs(struct cli *c, bool *has_orgs,
                                 struct inv_err *err)
{
	struct membership m;
	enum inv_rc rc;
	size_t n = 0;

	rc = store_memberships(c->st, &m, 1, &n, err);
	*has_orgs = rc == INV_OK && n > 0;
	return rc;
}

/* --org: make the logged-in account the admin of a new org.  An org that
 * exists is left to its admins: init must not be a way for anyone who can
 * reach the file to promote themselves (the core refuses it). */
static enum inv_rc init_org(struct cli *c, struct init_outcome *o,
                            struct inv_err *err)
{
	struct identity who;
	enum inv_rc rc;

	rc = store_org_create(c->st, c->g->user, o->org, &who,
	                      &o->org_already, err);
	if (rc != INV_OK)
		return rc;
	snprintf(o->admin, sizeof o->admin, "%s", who.user);
	o->has_orgs = true;
	return INV_OK;
}

static enum inv_rc init_demo(struct cli *c, struct init_outcome *o,
                             struct inv_err *err)
{
	bool present = false;
	enum inv_rc rc;

	o->demo = true;
	rc = store_demo_present(c->st, &present, err);
	if (rc != INV_OK)
		return rc;
	if (present) {
		o->has_orgs = true;
		o->demo_already = true;
		return INV_OK;
	}
	rc = store_seed_demo(c->st, err);
	if (rc != INV_OK)
		return rc;
	return init_has_orgs(c, &o->has_orgs, err);
}

static int init_run(struct cli *c, bool demo, const char *org)
{
	struct init_outcome o;
	struct inv_err err;
	struct stat sb;
	bool file = store_location_is_file(c->g->db_path);
	bool existed = file && stat(c->g->db_path, &sb) == 0 && sb.st_size > 0;
	enum inv_rc rc;

	memset(&o, 0, sizeof o);
	o.org = org;
	inv_err_clear(&err);
	if (existed || !file)
		rc = INV_OK; /* a server's database is the server's to make */
	else if (c->g->db_is_default)
		rc = init_make_parent(c->g->db_path, &err);
	else
		rc = init_check_parent(c->g->db_path, &err);
	if (rc == INV_OK && !file) {
		/* a server's database existed when it already holds inved's
		 * schema: opening it without CREATE says so */
		struct store_options opt;

		cli_store_options(c->g, STORE_OPEN_EXISTING, &opt);
		rc = store_open(c->g->db_path, &opt, &c->st, &err);
		existed = rc == INV_OK;
		if (rc == INV_NOT_FOUND) {
			inv_err_clear(&err);
			rc = INV_OK;
		}
	}
	if (rc == INV_OK && !c->st) {
		struct store_options opt;

		cli_store_options(c->g, STORE_OPEN_CREATE, &opt);
		rc = store_open(c->g->db_path, &opt, &c->st, &err);
	}
	o.created = rc == INV_OK && !existed;
	if (rc == INV_OK && demo)
		rc = init_demo(c, &o, &err);
	else if (rc == INV_OK && org)
		rc = init_org(c, &o, &err);
	else if (rc == INV_OK)
		rc = init_has_orgs(c, &o.has_orgs, &err);
	if (rc != INV_OK) {
		int code = cli_fail(c, rc, &err, NULL, 0);

		cli_session_close(c);
		return code;
	}
	cli_session_close(c);
	init_report(c, &o);
	return cli_end(c, 0);
}

int cli_init(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"demo", no_argument, NULL, 'd'},
		{"org", required_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *org = NULL;
	struct cli c;
	bool demo = false;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'd': demo = true; break;
		case 'o': org = optarg; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	/* `inved --org ACME init` reads as the same request. */
	if (org && g->org && strcmp(org, g->org) != 0)
		return cli_usage_error(&c, "org",
			_("init: --org %s before the command and --org %s after "
			  "it disagree; give it once"),
			g->org, org);
	if (!org)
		org = g->org;
	if (demo && org)
		return cli_usage_error(&c, "org",
			_("init: --demo brings its own orgs; use either --demo or "
			  "--org ORG"));
	return init_run(&c, demo, org);
}
