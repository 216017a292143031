/*
 * cli_check.c - `inved check [--repair]`: prints what the store's integrity
 * check found (and, with --repair, what the repair did).  The rules and the
 * repair live in the core (src/core/sqlite/check.c); this file only prints.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"

static void findings_json(struct json *j, const struct check_finding *f,
                          size_t n, bool with_repairable)
{
	size_t i;

	json_array_begin(j);
	for (i = 0; i < n; i++) {
		json_object_begin(j);
		json_key(j, "kind");
		json_string(j, check_kind_name(f[i].kind));
		json_key(j, "object");
		json_string(j, f[i].object);
		json_key(j, "message");
		json_string(j, f[i].msg);
		if (with_repairable) {
			json_key(j, "repairable");
			json_bool(j, f[i].repairable);
		}
		json_object_end(j);
	}
	json_array_end(j);
}

static void check_json(const struct check_report *r, bool repair)
{
	struct json j;
	char msg[160];

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, r->n == 0);
	if (r->n > 0) {
		snprintf(msg, sizeof msg,
		         _("the check found %zu problem(s); see `inved check`"),
		         r->n + r->more);
		json_key(&j, "error");
		json_string(&j, inv_rc_name(INV_DAMAGED));
		json_key(&j, "message");
		json_string(&j, msg);
	}
	json_key(&j, "findings");
	findings_json(&j, r->f, r->n, true);
	json_key(&j, "more");
	json_int(&j, (int64_t)r->more);
	if (repair) {
		json_key(&j, "repaired");
		findings_json(&j, r->repaired, r->nrepaired, false);
	}
	json_object_end(&j);
	json_finish(&j);
}

static void check_human(const struct check_report *r, bool repair)
{
	bool repairable = false, lasting = false;
	size_t i;

	if (repair && r->nrepaired == 0)
		printf("%s\n", _("Repair: nothing needed repairing."));
	else if (repair)
		printf("%s\n", _("Repaired:"));
	for (i = 0; i < r->nrepaired; i++) {
		fputs("  - ", stdout);
		print_text(stdout, r->repaired[i].msg);
		fputc('\n', stdout);
	}
	if (r->n == 0) {
		printf("%s\n", _("All checks passed: the schema, every invoice's "
		                 "history (which is also the change feed), the "
		                 "totals and the money columns are as they should "
		                 "be."));
		return;
	}
	printf(_("Problems found: %zu\n"), r->n + r->more);
	for (i = 0; i < r->n; i++) {
		printf("  [%s] ", check_kind_name(r->f[i].kind));
		print_text(stdout, r->f[i].msg);
		fputc('\n', stdout);
		if (r->f[i].repairable)
			repairable = true;
		else
			lasting = true;
	}
	if (r->more)
		printf(_("  ... and %zu more\n"), r->more);
	if (repairable)
		printf("%s\n", _("An admin can reinstall the schema objects with "
		                 "`inved check --repair`."));
	if (lasting)
		printf("%s\n", _("Damage to the history, the totals or a table is "
		                 "reported, never repaired: compare with a backup "
		                 "to find out what happened."));
}

int cli_check(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"repair", no_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct check_report *r;
	struct inv_err err;
	bool repair = false;
	enum inv_rc rc;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r': repair = true; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	code = cli_session_open(&c);
	if (code)
		return code;
	r = calloc(1, sizeof *r);
	inv_err_clear(&err);
	if (!r)
		rc = inv_err_set(&err, INV_ERROR, "", _("out of memory"));
	else if (repair)
		rc = store_check_repair(c.st, &c.who, r, &err);
	else
		rc = store_check_run(c.st, &c.who, r, &err);
	if (rc != INV_OK) {
		code = cli_fail(&c, rc, &err, NULL, 0);
	} else {
		if (c.json)
			check_json(r, repair);
		else
			check_human(r, repair);
		code = cli_end(&c, r->n > 0 ? inv_rc_exit_code(INV_DAMAGED) : 0);
	}
	free(r);
	cli_session_close(&c);
	return code;
}
