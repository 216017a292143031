/*
 * cli_audit.c - the audit trail: `inved history REF` (one invoice) and
 * `inved audit [--tail N]` (the org), newest first.  The detail is the
 * store's JSON of old and new values, embedded as JSON in --json output.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli_internal.h"

#define AUDIT_TAIL_DEFAULT 20
#define AUDIT_TAIL_MAX 1000
#define HISTORY_MAX 1000 /* entries of one invoice shown at most */

static void audit_json(const struct audit_entry *a, size_t n)
{
	struct json j;
	size_t i;

	json_init(&j, stdout);
	json_object_begin(&j);
	json_key(&j, "ok");
	json_bool(&j, true);
	json_key(&j, "audit");
	json_array_begin(&j);
	for (i = 0; i < n; i++) {
		json_object_begin(&j);
		json_key(&j, "seq");
		json_int(&j, a[i].seq);
		json_key(&j, "at");
		json_string(&j, a[i].at);
		json_key(&j, "actor");
		json_string(&j, a[i].actor);
		json_key(&j, "action");
		json_string(&j, a[i].action);
		json_key(&j, "subject_id");
		json_int(&j, a[i].subject_id);
		json_key(&j, "number");
		json_string(&j, a[i].number);
		json_key(&j, "from_version");
		json_int(&j, a[i].from_version);
		json_key(&j, "to_version");
		json_int(&j, a[i].to_version);
		json_key(&j, "detail");
		print_detail_json(&j, a[i].detail);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_object_end(&j);
	json_finish(&j);
}

struct audit_widths {
	int seq, actor, action, number;
};

static void audit_measure(const struct audit_entry *a, size_t n,
                          struct audit_widths *w)
{
	char seq[24];
	size_t i;
	int v;

	memset(w, 0, sizeof *w);
	for (i = 0; i < n; i++) {
		snprintf(seq, sizeof seq, "%" PRId64, a[i].seq);
		if ((v = print_width(seq)) > w->seq)
			w->seq = v;
		if ((v = print_width(a[i].actor)) > w->actor)
			w->actor = v;
		if ((v = print_width(a[i].action)) > w->action)
			w->action = v;
		if ((v = print_width(a[i].number)) > w->number)
			w->number = v;
	}
}

/* One line per entry: seq, time, actor, action, number, vA→vB, detail. */
static void audit_human(const struct audit_entry *a, size_t n)
{
	struct audit_widths w;
	char seq[24], versions[64];
	size_t i;

	if (n == 0) {
		printf("%s\n", _("No audit entries."));
		return;
	}
	audit_measure(a, n, &w);
	for (i = 0; i < n; i++) {
		snprintf(seq, sizeof seq, "%" PRId64, a[i].seq);
		snprintf(versions, sizeof versions, "v%" PRId64 "→v%" PRId64,
		         a[i].from_version, a[i].to_version);
		print_cell(stdout, seq, w.seq, true);
		fputs("  ", stdout);
		print_text(stdout, a[i].at);
		fputs("  ", stdout);
		print_cell(stdout, a[i].actor, w.actor, false);
		fputs("  ", stdout);
		print_cell(stdout, a[i].action, w.action, false);
		fputs("  ", stdout);
		print_cell(stdout, a[i].number, w.number, false);
		printf("  %s  ", versions);
		print_text(stdout, a[i].detail);
		fputc('\n', stdout);
	}
}

/* Read up to max entries (subject 0: the whole org) and print them; one
 * slot more than max tells whether older entries were left out. */
static int audit_run(struct cli *c, int64_t subject, size_t max)
{
	struct audit_entry *a = calloc(max + 1, sizeof *a);
	struct inv_err err;
	enum inv_rc rc;
	size_t n = 0;
	bool more;

	if (!a) {
		inv_err_set(&err, INV_ERROR, "", _("out of memory"));
		return cli_fail(c, INV_ERROR, &err, NULL, 0);
	}
	rc = store_audit_tail(c->st, &c->who, subject, a, max + 1, &n, &err);
	if (rc != INV_OK) {
		free(a);
		return cli_fail(c, rc, &err, NULL, 0);
	}
	more = n > max;
	if (more)
		n = max;
	if (c->json) {
		audit_json(a, n);
	} else {
		audit_human(a, n);
		if (more && subject)
			printf(_("(only the newest %zu entries are shown)\n"), n);
	}
	free(a);
	return cli_end(c, 0);
}

int cli_history(const struct cli_globals *g, int argc, char **argv)
{
	struct invoice inv;
	struct cli c;
	int code;

	code = cli_ref_command(&c, g, argc, argv,
		_("history needs REF (an invoice id or a live number such "
		  "as ACME-1001; see `inved list`)"), &inv);
	if (code)
		return code;
	code = audit_run(&c, inv.id, HISTORY_MAX);
	cli_session_close(&c);
	return code;
}

int cli_audit(const struct cli_globals *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"tail", required_argument, NULL, 't'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int64_t tail = AUDIT_TAIL_DEFAULT;
	struct cli c;
	int ch, code;

	cli_begin(&c, g, argc, argv);
	while ((ch = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		code = cli_option_once(&c, ch, opts);
		if (code)
			return code;
		switch (ch) {
		case 't':
			if (!cli_parse_int(optarg, 1, AUDIT_TAIL_MAX, &tail))
				return cli_usage_error(&c, "tail",
					_("audit: --tail must be a whole number from 1 "
					  "to %d, not '%s'"),
					AUDIT_TAIL_MAX, optarg);
			break;
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
	code = audit_run(&c, 0, (size_t)tail);
	cli_session_close(&c);
	return code;
}
