/*
 * cli_copy.c - `inved copy --from A --to B`: moves a team's database from
 * one location to another (an SQLite file, a postgresql:// URI) with
 * store_copy (store_copy.h), then prints what was copied and what the
 * target's integrity check found.  Locations are not echoed: a URI may
 * carry a password.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../core/store_copy.h"
#include "cli_internal.h"

/* The kinds as a person reads them, in the order of enum copy_kind. */
static const char *kind_label(enum copy_kind kind)
{
	switch (kind) {
	case COPY_META: return _("settings");
	case COPY_ORG: return _("orgs");
	case COPY_USER: return _("users");
	case COPY_MEMBERSHIP: return _("memberships");
	case COPY_INVOICE: return _("invoices");
	case COPY_AUDIT: return _("audit rows");
	case COPY_REQUEST: return _("request ids");
	case COPY_DRAFT: return _("drafts");
	default: return "?";
	}
}

static void copy_json(const struct copy_report *r)
{
	const struct check_report *c = &r->check;
	struct json j;
	size_t i;
	int k;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, c->n == 0);
	if (c->n > 0) {
		char msg[200];

		snprintf(msg, sizeof msg,
		         _("the copy was made, but the target's check found "
		           "%zu problem(s); see `inved check` on it"),
		         c->n + c->more);
		json_key(&j, "error");
		json_string(&j, inv_rc_name(INV_DAMAGED));
		json_key(&j, "message");
		json_string(&j, msg);
	}
	json_key(&j, "from");
	json_string(&j, r->from_backend);
	json_key(&j, "to");
	json_string(&j, r->to_backend);
	json_key(&j, "copied");
	json_object_begin(&j);
	for (k = 0; k < COPY__KINDS; k++) {
		json_key(&j, copy_kind_name((enum copy_kind)k));
		json_int(&j, r->count[k]);
	}
	json_object_end(&j);
	json_key(&j, "check");
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, c->n == 0);
	json_key(&j, "findings");
	json_array_begin(&j);
	for (i = 0; i < c->n; i++) {
		json_object_begin(&j);
		json_key(&j, "kind");
		json_string(&j, check_kind_name(c->f[i].kind));
		json_key(&j, "object");
		json_string(&j, c->f[i].object);
		json_key(&j, "message");
		json_string(&j, c->f[i].msg);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "more");
	json_int(&j, (int64_t)c->more);
	json_object_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

static void copy_human(const struct copy_report *r)
{
	const struct check_report *c = &r->check;
	size_t i;
	int k;

	/* TRANSLATORS: the backends, e.g. "Copied from sqlite to
	 * postgresql:" */
	printf(_("Copied from %s to %s:\n"), r->from_backend, r->to_backend);
	for (k = 0; k < COPY__KINDS; k++) {
		fputs("  ", stdout);
		print_cell(stdout, kind_label((enum copy_kind)k), 14, false);
		printf(" %10" PRId64 "\n", r->count[k]);
	}
	if (c->n == 0) {
		printf("%s\n", _("The target passes `inved check`: its schema, "
		                 "every invoice's history and its totals "
		                 "are as they should be."));
		return;
	}
	printf(_("The target's check found problems: %zu\n"), c->n + c->more);
	for (i = 0; i < c->n; i++) {
		printf("  [%s] ", check_kind_name(c->f[i].kind));
		print_text(stdout, c->f[i].msg);
		fputc('\n', stdout);
	}
	if (c->more)
		printf(_("  ... and %zu more\n"), c->more);
}

int cli_copy(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *from = NULL, *to = NULL;
	struct store_options opt;
	struct copy_report *r;
	struct inv_err err;
	enum inv_rc rc;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	if (!from || !*from)
		return cli_usage_error(&c, "from",
			_("copy: --from names the database to copy (a file or "
			  "a postgresql:// URI); see `inved copy --help`"));
	if (!to || !*to)
		return cli_usage_error(&c, "to",
			_("copy: --to names the empty database to copy into (a "
			  "file or a postgresql:// URI); see `inved copy "
			  "--help`"));
	r = calloc(1, sizeof *r);
	inv_err_clear(&err);
	if (!r)
		return cli_fail(&c, inv_err_set(&err, INV_ERROR, "",
		                                _("out of memory")),
		                &err, NULL, 0);
	cli_store_options(g, STORE_OPEN_EXISTING, &opt);
	rc = store_copy(from, to, &opt, r, &err);
	if (rc != INV_OK) {
		code = cli_fail(&c, rc, &err, NULL, 0);
	} else {
		if (c.json)
			copy_json(r);
		else
			copy_human(r);
		code = cli_end(&c, r->check.n > 0
		                           ? inv_rc_exit_code(INV_DAMAGED)
		                           : 0);
	}
	free(r);
	return code;
}
