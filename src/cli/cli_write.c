/*
 * cli_write.c - the commands that change an invoice: edit, archive,
 * restore, delete, create, revert and drift.  Each resolves REF, hands the write to
 * the store (which enforces every rule of SPEC 3) and reports what the
 * store decided; nothing here judges roles or versions itself.
 */
#include <inttypes.h>
#include <string.h>

#include "cli_internal.h"
#include "../core/rules.h"
#include "../core/store_demo.h"

enum write_op { OP_EDIT, OP_ARCHIVE, OP_RESTORE, OP_DELETE, OP_DRIFT };

static void write_json_ok(const struct write_result *res, bool with_repeat,
                          const char *request_id)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	if (with_repeat) {
		json_key(&j, "repeat");
		json_bool(&j, res->repeat);
		json_key(&j, "request_id");
		json_string(&j, request_id);
	}
	json_key(&j, "invoice");
	print_invoice_json(&j, &res->row);
	json_object_end(&j);
	json_finish(&j);
}

static void write_human_ok(enum write_op op, int64_t asked,
                           const struct invoice *row)
{
	char number[PRINT_VISIBLE_MAX(NUMBER_MAX_BYTES)];

	text_visible(number, sizeof number, row->number);
	switch (op) {
	case OP_EDIT:
		if (asked != row->version - 1)
			printf(_("Overwrote invoice %s (it was at version %" PRId64
			         ", not %" PRId64 "); the replaced values are "
			         "kept in its history.\n"),
			       number, row->version - 1, asked);
		else
			printf(_("Saved invoice %s: version %" PRId64 " → %" PRId64
			         ".\n"),
			       number, row->version - 1, row->version);
		print_invoice_block(stdout, row);
		break;
	case OP_ARCHIVE:
		printf(_("Archived invoice %s (now version %" PRId64 ").\n"),
		       number, row->version);
		break;
	case OP_RESTORE:
		printf(_("Restored invoice %s (now version %" PRId64 ").\n"),
		       number, row->version);
		break;
	case OP_DELETE:
		printf(_("Deleted invoice %s (id %" PRId64 ", now version %"
		         PRId64 "); an admin can bring it back with `inved "
		         "restore %" PRId64 " --version %" PRId64 "`.\n"),
		       number, row->id, row->version, row->id, row->version);
		break;
	case OP_DRIFT:
		printf(_("Drifted invoice %s: version %" PRId64 " → %" PRId64
		         ", as if another terminal had saved it.\n"),
		       number, row->version - 1, row->version);
		break;
	}
}

/* Whether retrying at the current version could succeed: not when the
 * row is already where the move would take it (or cannot start from). */
static bool write_retry_helps(enum write_op op, const struct invoice *cur)
{
	static const enum rule_op rule[] = {
		[OP_EDIT] = RULE_EDIT,
		[OP_ARCHIVE] = RULE_ARCHIVE,
		[OP_RESTORE] = RULE_RESTORE,
		[OP_DELETE] = RULE_DELETE,
	};

	if (op == OP_DRIFT)
		return false;
	return rule_life_allows(rule[op], invoice_life(cur));
}

/* Report the store's answer to a guarded write. */
static int write_report(struct cli *c, enum write_op op, int64_t asked,
                        enum inv_rc rc, const struct write_result *res,
                        const struct inv_err *err)
{
	if (rc != INV_OK)
		return cli_fail(c, rc, err, res->have_row ? &res->row : NULL,
		                res->have_row && write_retry_helps(op, &res->row)
		                        ? asked
		                        : 0);
	if (c->json)
		write_json_ok(res, false, NULL);
	else
		write_human_ok(op, asked, &res->row);
	return cli_end(c, 0);
}

static int write_need_ref(struct cli *c, int argc, char **argv)
{
	if (optind < argc)
		return cli_extra_args(c, argc, argv, 1);
	return cli_usage_error(c, "ref",
		_("%s needs REF (an invoice id or a live number such as "
		  "ACME-1001; see `inved list`)"),
		c->cmd);
}

static int write_need_version(struct cli *c, int64_t version)
{
	if (version > 0)
		return 0;
	return cli_usage_error(c, "version",
		_("%s needs --version N (the version you loaded; see `inved show "
		  "REF`)"),
		c->cmd);
}

static unsigned edit_write_set(const struct invoice_input *in)
{
	return (in->customer ? MF_CUSTOMER : 0u) |
	       (in->status ? MF_STATUS : 0u) | (in->total ? MF_TOTAL : 0u) |
	       (in->currency ? MF_CURRENCY : 0u) | (in->number ? MF_NUMBER : 0u);
}

/* Resolve REF, then run the write against the id it names. */
static int write_run(struct cli *c, enum write_op op, const char *ref,
                     int64_t version, const struct invoice_input *in,
                     int flags)
{
	struct write_result res;
	struct invoice inv;
	struct inv_err err;
	enum inv_rc rc = INV_ERROR;
	int code;

	memset(&res, 0, sizeof res);
	inv_err_clear(&err);
	code = cli_session_open(c);
	if (code)
		return code;
	code = cli_resolve(c, ref, &inv);
	if (code)
		goto out;
	switch (op) {
	case OP_EDIT:
		/* the set of fields to write is the options given: an
		 * overwrite replaces nothing the command line did not name */
		rc = store_edit_fields(c->st, &c->who, inv.id, version, in,
		                       edit_write_set(in), flags, &res, &err);
		break;
	case OP_ARCHIVE:
		rc = store_archive(c->st, &c->who, inv.id, version, &res, &err);
		break;
	case OP_RESTORE:
		rc = store_restore(c->st, &c->who, inv.id, version, &res, &err);
		break;
	case OP_DELETE:
		rc = store_delete(c->st, &c->who, inv.id, version, &res, &err);
		break;
	case OP_DRIFT:
		rc = store_drift(c->st, &c->who, inv.id, &res, &err);
		break;
	}
	code = write_report(c, op, version, rc, &res, &err);
out:
	cli_session_close(c);
	return code;
}

/* ---- edit ---------------------------------------------------------------- */

int cli_edit(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"version", required_argument, NULL, 'V'},
		{"customer", required_argument, NULL, 'c'},
		{"status", required_argument, NULL, 's'},
		{"total", required_argument, NULL, 't'},
		{"currency", required_argument, NULL, 'C'},
		{"number", required_argument, NULL, 'n'},
		{"overwrite", no_argument, NULL, 'o'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct invoice_input in = {0};
	int64_t version = 0;
	int ch, code, flags = 0;
	struct cli c;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'V':
			code = cli_parse_version(&c, optarg, &version);
			if (code)
				return code;
			break;
		case 'c': in.customer = optarg; break;
		case 's': in.status = optarg; break;
		case 't': in.total = optarg; break;
		case 'C': in.currency = optarg; break;
		case 'n': in.number = optarg; break;
		case 'o': flags |= WRITE_OVERWRITE; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = write_need_ref(&c, argc, argv);
	if (!code)
		code = write_need_version(&c, version);
	if (code)
		return code;
	if (!in.customer && !in.status && !in.total && !in.currency &&
	    !in.number)
		return cli_usage_error(&c, "usage",
			_("edit needs something to change: --customer, --status, "
			  "--total, --currency or --number"));
	return write_run(&c, OP_EDIT, argv[optind], version, &in, flags);
}

/* ---- archive, restore, delete -------------------------------------------- */

static int write_lifecycle(const struct cli_globals *g, int argc, char **argv,
                           enum write_op op)
{
	static const struct option opts[] = {
		{"version", required_argument, NULL, 'V'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int64_t version = 0;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'V':
			code = cli_parse_version(&c, optarg, &version);
			if (code)
				return code;
			break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = write_need_ref(&c, argc, argv);
	if (!code)
		code = write_need_version(&c, version);
	if (code)
		return code;
	return write_run(&c, op, argv[optind], version, NULL, 0);
}

int cli_archive(const struct cli_globals *g, int argc, char **argv)
{
	return write_lifecycle(g, argc, argv, OP_ARCHIVE);
}

int cli_restore(const struct cli_globals *g, int argc, char **argv)
{
	return write_lifecycle(g, argc, argv, OP_RESTORE);
}

int cli_delete(const struct cli_globals *g, int argc, char **argv)
{
	return write_lifecycle(g, argc, argv, OP_DELETE);
}

/* ---- drift --------------------------------------------------------------- */

int cli_drift(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = write_need_ref(&c, argc, argv);
	if (code)
		return code;
	return write_run(&c, OP_DRIFT, argv[optind], 0, NULL, 0);
}

/* ---- create -------------------------------------------------------------- */

static int create_report(struct cli *c, enum inv_rc rc,
                         const struct write_result *res,
                         const struct inv_err *err, const char *token)
{
	char number[PRINT_VISIBLE_MAX(NUMBER_MAX_BYTES)];

	if (rc != INV_OK)
		return cli_fail(c, rc, err, res->have_row ? &res->row : NULL, 0);
	text_visible(number, sizeof number, res->row.number);
	if (c->json)
		write_json_ok(res, true, token);
	else if (res->repeat)
		printf(_("Request %s was already handled: it created invoice %s "
		         "(id %" PRId64 "); nothing new was created.\n"),
		       token, number, res->row.id);
	else
		printf(_("Created invoice %s (id %" PRId64 ", version %" PRId64
		         "); request id %s.\n"),
		       number, res->row.id, res->row.version, token);
	return cli_end(c, 0);
}

static int create_run(struct cli *c, const char *token, const char *number,
                      const struct invoice_input *in)
{
	struct write_result res;
	struct inv_err err;
	char fresh[33];
	enum inv_rc rc;
	int code;

	memset(&res, 0, sizeof res);
	inv_err_clear(&err);
	if (!token) {
		/* A fresh token still guards against this one run being
		 * submitted twice; a script that retries passes its own. */
		store_new_token(fresh);
		token = fresh;
	}
	code = cli_session_open(c);
	if (code)
		return code;
	rc = store_create(c->st, &c->who, token, number, in, &res, &err);
	code = create_report(c, rc, &res, &err, token);
	cli_session_close(c);
	return code;
}

int cli_create(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"customer", required_argument, NULL, 'c'},
		{"total", required_argument, NULL, 't'},
		{"currency", required_argument, NULL, 'C'},
		{"status", required_argument, NULL, 's'},
		{"number", required_argument, NULL, 'n'},
		{"request-id", required_argument, NULL, 'r'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct invoice_input in = {0};
	const char *token = NULL, *number = NULL;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'c': in.customer = optarg; break;
		case 't': in.total = optarg; break;
		case 'C': in.currency = optarg; break;
		case 's': in.status = optarg; break;
		case 'n': number = optarg; break;
		case 'r': token = optarg; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = cli_extra_args(&c, argc, argv, 0);
	if (code)
		return code;
	if (!in.customer)
		return cli_usage_error(&c, "customer",
			_("create needs --customer NAME"));
	if (!in.total)
		return cli_usage_error(&c, "total",
			_("create needs --total AMOUNT (digits with '.' for "
			  "decimals, e.g. 1234.50)"));
	return create_run(&c, token, number, &in);
}

/* ---- revert -------------------------------------------------------------- */

static void revert_json(const struct revert_plan *plan, bool dry_run,
                        const struct write_result *res)
{
	struct json j;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "dry_run");
	json_bool(&j, dry_run);
	json_key(&j, "to_version");
	json_int(&j, plan->to_version);
	json_key(&j, "replaced");
	json_array_begin(&j);
	for (int p = 0; p < REVERT__COUNT; p++) {
		char old[CUSTOMER_MAX_BYTES + 32], new[CUSTOMER_MAX_BYTES + 32];

		if (!plan->changes[p])
			continue;
		revert_part_value((enum revert_part)p, &plan->current, old,
		                  sizeof old);
		revert_part_value((enum revert_part)p, &plan->target, new,
		                  sizeof new);
		json_object_begin(&j);
		json_key(&j, "field");
		json_string(&j, revert_part_key((enum revert_part)p));
		json_key(&j, "old");
		json_string(&j, old);
		json_key(&j, "new");
		json_string(&j, new);
		if (p == REVERT_MONEY) {
			json_key(&j, "old_total_minor");
			json_int(&j, plan->current.total_minor);
			json_key(&j, "old_currency");
			json_string(&j, plan->current.currency);
			json_key(&j, "new_total_minor");
			json_int(&j, plan->target.total_minor);
			json_key(&j, "new_currency");
			json_string(&j, plan->target.currency);
		}
		if (p == REVERT_STATUS) {
			json_key(&j, "old_status");
			json_string(&j, invoice_status_name(plan->current.status));
			json_key(&j, "new_status");
			json_string(&j, invoice_status_name(plan->target.status));
		}
		json_key(&j, "set_by");
		json_string_or_null(&j, plan->set_by[p][0] ? plan->set_by[p]
		                                           : NULL);
		json_key(&j, "set_in_version");
		if (plan->set_in[p])
			json_int(&j, plan->set_in[p]);
		else
			json_null(&j);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "invoice");
	print_invoice_json(&j, dry_run ? &plan->current : &res->row);
	json_object_end(&j);
	json_finish(&j);
}

static void revert_human(const struct revert_plan *plan, bool dry_run,
                         const struct write_result *res)
{
	char number[PRINT_VISIBLE_MAX(NUMBER_MAX_BYTES)];

	text_visible(number, sizeof number, plan->current.number);
	if (dry_run)
		printf(_("Reverting invoice %s (version %" PRId64 ") to its "
		         "values of version %" PRId64 " would replace:\n"),
		       number, plan->current.version, plan->to_version);
	else
		printf(_("Reverted invoice %s to its values of version %" PRId64
		         ": version %" PRId64 " → %" PRId64 ".  Replaced:\n"),
		       number, plan->to_version, plan->current.version,
		       res->row.version);
	for (int p = 0; p < REVERT__COUNT; p++) {
		char old[CUSTOMER_MAX_BYTES + 32], new[CUSTOMER_MAX_BYTES + 32];
		char cold[PRINT_VISIBLE_MAX(sizeof old)];
		char cnew[PRINT_VISIBLE_MAX(sizeof new)];

		if (!plan->changes[p])
			continue;
		revert_part_value((enum revert_part)p, &plan->current, old,
		                  sizeof old);
		revert_part_value((enum revert_part)p, &plan->target, new,
		                  sizeof new);
		text_visible(cold, sizeof cold, old);
		text_visible(cnew, sizeof cnew, new);
		printf("  %s: %s → %s", revert_part_label((enum revert_part)p),
		       cold, cnew);
		if (plan->set_by[p][0]) {
			char who[PRINT_VISIBLE_MAX(NAME_MAX_BYTES)];

			text_visible(who, sizeof who, plan->set_by[p]);
			printf(_(" (set by %s in version %" PRId64 ")"), who,
			       plan->set_in[p]);
		}
		putchar('\n');
	}
	if (dry_run)
		printf(_("Nothing was written.  Run it again without --dry-run "
		         "to save.\n"));
	else
		print_invoice_block(stdout, &res->row);
}

static int revert_run(struct cli *c, const char *ref, int64_t to_version,
                      int64_t version, bool dry_run)
{
	struct revert_plan plan;
	struct write_result res;
	struct invoice inv;
	struct inv_err err;
	enum inv_rc rc;
	int code;

	memset(&res, 0, sizeof res);
	inv_err_clear(&err);
	code = cli_session_open(c);
	if (code)
		return code;
	code = cli_resolve(c, ref, &inv);
	if (code)
		goto out;
	if (dry_run) {
		rc = store_revert_plan(c->st, &c->who, inv.id, to_version,
		                       &plan, &err);
		if (rc == INV_OK && plan.current.version != version) {
			res.row = plan.current;
			res.have_row = true;
			rc = inv_err_set(&err, INV_CONFLICT, "",
				_("invoice %s changed elsewhere (now version %"
				  PRId64 "); reload it and retry"),
				plan.current.number, plan.current.version);
		}
	} else {
		rc = store_revert(c->st, &c->who, inv.id, to_version, version,
		                  &plan, &res, &err);
	}
	if (rc != INV_OK) {
		code = cli_fail(c, rc, &err, res.have_row ? &res.row : NULL,
		                res.have_row && write_retry_helps(OP_EDIT,
		                                                  &res.row)
		                        ? version
		                        : 0);
		goto out;
	}
	if (c->json)
		revert_json(&plan, dry_run, &res);
	else
		revert_human(&plan, dry_run, &res);
	code = cli_end(c, 0);
out:
	cli_session_close(c);
	return code;
}

int cli_revert(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"to-version", required_argument, NULL, 'T'},
		{"version", required_argument, NULL, 'V'},
		{"dry-run", no_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int64_t version = 0, to_version = 0;
	bool dry_run = false;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 'T':
			if (!cli_parse_int(optarg, 1, INT64_MAX, &to_version))
				return cli_usage_error(&c, "to_version",
					_("revert: --to-version must be a "
					  "positive whole number (a version from "
					  "`inved history REF`), not '%s'"),
					optarg);
			break;
		case 'V':
			code = cli_parse_version(&c, optarg, &version);
			if (code)
				return code;
			break;
		case 'n': dry_run = true; break;
		case 'j': break;
		default: return cli_option_error(&c, ch, argv);
		}
	}
	code = write_need_ref(&c, argc, argv);
	if (!code)
		code = write_need_version(&c, version);
	if (code)
		return code;
	if (to_version <= 0)
		return cli_usage_error(&c, "to_version",
			_("revert needs --to-version N (a version from `inved "
			  "history REF`)"));
	return revert_run(&c, argv[optind], to_version, version, dry_run);
}
