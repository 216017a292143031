/*
 * cli_init.c - `inved init [--demo]`: create the database file and its
 * schema, and optionally the demo dataset.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_internal.h"

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

static void init_report(struct cli *c, bool created, bool demo)
{
	struct json j;

	if (!c->json) {
		if (!created)
			printf(_("Database %s already exists; its schema is up "
			         "to date.\n"),
			       c->g->db_path);
		else
			printf(_("Created database %s\n"), c->g->db_path);
		if (demo)
			printf("%s\n",
			       _("Added the demo data: orgs acme and globex; users "
			         "alice (acme admin), bob (acme member), carol "
			         "(globex admin), dave (globex member). Try `inved "
			         "--user alice list`."));
		return;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "path");
	json_string(&j, c->g->db_path);
	json_key(&j, "created");
	json_bool(&j, created);
	json_key(&j, "demo");
	json_bool(&j, demo);
	json_object_end(&j);
	json_finish(&j);
}

static int init_run(struct cli *c, bool demo)
{
	struct inv_err err;
	struct stat sb;
	bool existed = stat(c->g->db_path, &sb) == 0;
	enum inv_rc rc;

	inv_err_clear(&err);
	if (existed)
		rc = INV_OK;
	else if (c->g->db_is_default)
		rc = init_make_parent(c->g->db_path, &err);
	else
		rc = init_check_parent(c->g->db_path, &err);
	if (rc == INV_OK)
		rc = store_open(c->g->db_path, STORE_OPEN_CREATE, 0, &c->st,
		                &err);
	if (rc == INV_OK && demo)
		rc = store_seed_demo(c->st, &err);
	if (rc != INV_OK) {
		int code = cli_fail(c, rc, &err, NULL, 0);

		cli_session_close(c);
		return code;
	}
	cli_session_close(c);
	init_report(c, !existed, demo);
	return cli_end(c, 0);
}

int cli_init(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"demo", no_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli c;
	bool demo = false;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': demo = true; break;
		case 'j': break;
		case 'h': return cli_help_command(&c);
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	return init_run(&c, demo);
}
