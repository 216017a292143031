/*
 * cli_member.c - `inved member list|add|remove|role`: an org's admin
 * manages who belongs to it, by login name.  The rules (admin only, the
 * last admin stays, one audited transaction per change) are the core's
 * (src/core/sqlite/members.c); this file reads the arguments and prints.
 */
#include <string.h>

#include "cli_internal.h"

#define MEMBER_PAGE 256

static const char *member_missing(const char *sub)
{
	if (strcmp(sub, "role") == 0)
		return _("member role needs LOGIN and the new role: `inved member "
		         "role LOGIN member|admin`");
	return strcmp(sub, "add") == 0
		? _("member add needs LOGIN (the login name of the account to "
		    "add)")
		: _("member remove needs LOGIN (see `inved member list`)");
}

static int member_parse_role(struct cli *c, const char *text,
                             enum inv_role *out)
{
	if (strcmp(text, "member") == 0) {
		*out = ROLE_MEMBER;
		return 0;
	}
	if (strcmp(text, "admin") == 0) {
		*out = ROLE_ADMIN;
		return 0;
	}
	return cli_usage_error(c, "role",
		_("member: the role is member or admin, not '%s'"), text);
}

/* ---- member list --------------------------------------------------------- */

static void member_print_json_page(struct json *j, const struct member *m,
                                   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_object_begin(j);
		json_key(j, "user");
		json_string(j, m[i].user);
		json_key(j, "role");
		json_string(j, identity_role_name(m[i].role));
		json_object_end(j);
	}
}

static int member_list(struct cli *c)
{
	struct member page[MEMBER_PAGE];
	char after[NAME_MAX_BYTES + 1] = "";
	struct inv_err err;
	struct json j;
	enum inv_rc rc;
	size_t n, total = 0;

	inv_err_clear(&err);
	/* The first page is read before anything is printed, so a refusal
	 * leaves stdout empty (or holds only the JSON error). */
	rc = store_members(c->st, &c->who, after, page, MEMBER_PAGE, &n, &err);
	if (rc != INV_OK)
		return cli_fail(c, rc, &err, NULL, 0);
	if (c->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "ok");
		json_bool(&j, true);
		json_key(&j, "org");
		json_string(&j, c->who.org);
		json_key(&j, "members");
		json_array_begin(&j);
	} else {
		char org[PRINT_VISIBLE_MAX(NAME_MAX_BYTES)];

		/* The org's name is read from the file: shown cleaned. */
		text_visible(org, sizeof org, c->who.org);
		printf(_("Members of %s:\n"), org);
	}
	while (rc == INV_OK && n > 0) {
		if (c->json) {
			member_print_json_page(&j, page, n);
		} else {
			for (size_t i = 0; i < n; i++) {
				fputs("  ", stdout);
				print_cell(stdout, page[i].user, 24, false);
				printf("  %s\n", identity_role_name(page[i].role));
			}
		}
		total += n;
		if (n < MEMBER_PAGE)
			break;
		snprintf(after, sizeof after, "%s", page[n - 1].user);
		rc = store_members(c->st, &c->who, after, page, MEMBER_PAGE, &n,
		                   &err);
	}
	if (c->json) {
		json_array_end(&j);
		json_object_end(&j);
		json_finish(&j);
	}
	if (rc != INV_OK) /* a later page failed: say so after what was shown */
		return cli_fail(c, rc, &err, NULL, 0);
	if (!c->json)
		printf(_("members: %zu\n"), total);
	return cli_end(c, 0);
}

/* ---- member add|remove|role ---------------------------------------------- */

static void member_report(struct cli *c, const char *action,
                          const char *login, const enum inv_role *role,
                          const enum inv_role *was)
{
	char org[PRINT_VISIBLE_MAX(NAME_MAX_BYTES)];
	struct json j;

	if (c->json) {
		json_init(&j, stdout);
		json_object_begin(&j);
		json_key(&j, "ok");
		json_bool(&j, true);
		json_key(&j, "action");
		json_string(&j, action);
		json_key(&j, "org");
		json_string(&j, c->who.org);
		json_key(&j, "user");
		json_string(&j, login);
		json_key(&j, "role");
		json_string_or_null(&j, role ? identity_role_name(*role) : NULL);
		json_key(&j, "was");
		json_string_or_null(&j, was ? identity_role_name(*was) : NULL);
		json_object_end(&j);
		json_finish(&j);
		return;
	}
	/* login passed the core's name check; the org name is read from the
	 * file, so it is shown cleaned. */
	text_visible(org, sizeof org, c->who.org);
	if (!was)
		printf(_("%s is now a member of %s, as %s.\n"), login, org,
		       identity_role_name(*role));
	else if (!role)
		printf(_("%s is no longer a member of %s (was %s).\n"), login,
		       org, identity_role_name(*was));
	else if (*role == ROLE_ADMIN)
		printf(_("%s is now an admin of %s (was %s).\n"), login, org,
		       identity_role_name(*was));
	else
		printf(_("%s is now a member of %s (was %s).\n"), login, org,
		       identity_role_name(*was));
}

static int member_change(struct cli *c, const char *sub, const char *login,
                         enum inv_role role)
{
	struct inv_err err;
	enum inv_role was = ROLE_MEMBER;
	enum inv_rc rc;

	inv_err_clear(&err);
	if (strcmp(sub, "add") == 0)
		rc = store_member_add(c->st, &c->who, login, role, &err);
	else if (strcmp(sub, "remove") == 0)
		rc = store_member_remove(c->st, &c->who, login, &was, &err);
	else
		rc = store_member_role(c->st, &c->who, login, role, &was, &err);
	if (rc != INV_OK)
		return cli_fail(c, rc, &err, NULL, 0);
	if (strcmp(sub, "add") == 0)
		member_report(c, "member.add", login, &role, NULL);
	else if (strcmp(sub, "remove") == 0)
		member_report(c, "member.remove", login, NULL, &was);
	else
		member_report(c, "member.role", login, &role, &was);
	return cli_end(c, 0);
}

/* ---- the command --------------------------------------------------------- */

/* What the words after `member` ask for; 0 or the exit code of a usage
 * error.  want: how many words the subcommand takes after its name. */
static int member_words(struct cli *c, int argc, char **argv,
                        const char *role_opt, enum inv_role *role)
{
	const char *sub = argv[optind];
	int want, code;

	if (strcmp(sub, "list") == 0)
		want = 1;
	else if (strcmp(sub, "add") == 0 || strcmp(sub, "remove") == 0)
		want = 2;
	else if (strcmp(sub, "role") == 0)
		want = 3;
	else
		return cli_usage_error(c, "usage",
			_("member: no subcommand '%s'; use list, add, remove or "
			  "role (see `inved member --help`)"),
			sub);
	if (argc - optind < want)
		return cli_usage_error(c, "login", "%s", member_missing(sub));
	code = cli_extra_args(c, argc, argv, want);
	if (code)
		return code;
	if (role_opt && strcmp(sub, "add") != 0)
		return cli_usage_error(c, "role",
			_("member: --role goes with `member add`; to change a "
			  "role use `inved member role LOGIN member|admin`"));
	if (role_opt)
		return member_parse_role(c, role_opt, role);
	if (want == 3)
		return member_parse_role(c, argv[optind + 2], role);
	return 0;
}

int cli_member(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"role", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	enum inv_role role = ROLE_MEMBER;
	const char *role_opt = NULL, *sub;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	/* getopt_long moves the words behind the options, so --help is seen
	 * wherever it stands, before anything is opened. */
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'r': role_opt = optarg; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(&c, "usage",
			_("member needs a subcommand: list, add LOGIN, remove "
			  "LOGIN or role LOGIN ROLE (see `inved member --help`)"));
	code = member_words(&c, argc, argv, role_opt, &role);
	if (code)
		return code;
	sub = argv[optind];
	code = cli_session_open(&c);
	if (code)
		return code;
	if (strcmp(sub, "list") == 0)
		code = member_list(&c);
	else
		code = member_change(&c, sub, argv[optind + 1], role);
	cli_session_close(&c);
	return code;
}
