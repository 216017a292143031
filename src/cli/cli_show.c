/*
 * cli_show.c - `inved show REF`: one invoice; for an admin, deleted ones
 * included when REF is their numeric id (the store's read rule).
 */
#include "cli_internal.h"

#define SHOW_PRESENCE_MAX 16

/* Who has the invoice open in a screen right now (never written to the
 * database; see store_presence_list). */
static void show_print(struct cli *c, const struct invoice *inv)
{
	struct presence_entry e[SHOW_PRESENCE_MAX];
	struct inv_err err;
	struct json j;
	size_t n = 0;

	if (store_presence_list(c->st, &c->who, inv->id, e, SHOW_PRESENCE_MAX,
	                        &n, &err) != INV_OK)
		n = 0;
	if (!c->json) {
		print_invoice_block(stdout, inv);
		for (size_t i = 0; i < n; i++) {
			fputs("  ", stdout);
			print_cell(stdout, i == 0 ? _("Open by:") : "", 11, false);
			fputc(' ', stdout);
			printf(_("%s (%s, since %s)\n"), e[i].user, e[i].face,
			       e[i].since);
		}
		return;
	}
	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "invoice");
	print_invoice_json(&j, inv);
	json_key(&j, "open_by");
	json_array_begin(&j);
	for (size_t i = 0; i < n; i++) {
		json_object_begin(&j);
		json_key(&j, "user");
		json_string(&j, e[i].user);
		json_key(&j, "face");
		json_string(&j, e[i].face);
		json_key(&j, "since");
		json_string(&j, e[i].since);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

int cli_ref_command(struct cli *c, const struct cli_globals *g, int argc,
                    char **argv, const char *missing, struct invoice *inv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int ch, code;

	cli_begin(c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'j': break;
		default: return cli_option_error(c, ch, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error(c, "ref", "%s", missing);
	code = cli_extra_args(c, argc, argv, 1);
	if (code)
		return code;
	code = cli_session_open(c);
	if (code)
		return code;
	code = cli_resolve(c, argv[optind], inv);
	if (code)
		cli_session_close(c);
	return code;
}

int cli_show(const struct cli_globals *g, int argc, char **argv)
{
	struct invoice inv;
	struct cli c;
	int code;

	code = cli_ref_command(&c, g, argc, argv,
		_("show needs REF (an invoice id or a live number such as "
		  "ACME-1001; see `inved list`)"), &inv);
	if (code)
		return code;
	show_print(&c, &inv);
	code = cli_end(&c, 0);
	cli_session_close(&c);
	return code;
}
