/*
 * test_badinput.c - SPEC 7 through the command line: a table of inputs a
 * person or a script can get wrong, for every command.  Each row is run as
 * the real binary twice, as text and with --json, and must be refused with
 * the exit code of SPEC 5 and a message that names the problem, while the
 * database stays exactly as it was (every row of every table compared
 * before and after).  The last tests check the edges from the other side:
 * a customer at the limit in multibyte characters is accepted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define LIMIT 120 /* CUSTOMER_MAX_CHARS, in characters */

/* Long names, built before the table is read. */
static char over_ascii[LIMIT + 2], over_2byte[(LIMIT + 1) * 2 + 1],
	over_3byte[(LIMIT + 1) * 3 + 1], over_4byte[(LIMIT + 1) * 4 + 1],
	ref_33[34], token_65[66];

static void fill(char *dst, const char *unit, int times)
{
	size_t n = strlen(unit);
	int i;

	for (i = 0; i < times; i++)
		memcpy(dst + (size_t)i * n, unit, n);
	dst[(size_t)times * n] = '\0';
}

static void build_long_inputs(void)
{
	fill(over_ascii, "a", LIMIT + 1);
	fill(over_2byte, "é", LIMIT + 1);
	fill(over_3byte, "作", LIMIT + 1);
	fill(over_4byte, "😀", LIMIT + 1);
	fill(ref_33, "A", 33);
	fill(token_65, "t", 65);
}

struct bad {
	const char *user;
	const char *args[14]; /* NULL-terminated */
	int code;             /* SPEC 5 exit code */
	const char *needle;   /* the message names the problem */
	const char *field;    /* the JSON "field", or NULL not to check */
};

#define EDIT(...) {"edit", "ACME-1002", "--version", "1", __VA_ARGS__, NULL}
#define CREATE(...) {"create", __VA_ARGS__, NULL}

static const struct bad rows[] = {
	/* ---- customer: empty, long (in characters), not UTF-8, controls */
	{"alice", EDIT("--customer", ""), 2, "enter a customer name", "customer"},
	{"alice", EDIT("--customer", "   "), 2, "only spaces", "customer"},
	{"alice", EDIT("--customer", "\xe3\x80\x80\xc2\xa0"), 2, "only spaces",
	 "customer"},
	{"alice", EDIT("--customer", over_ascii), 2, "121 characters long",
	 "customer"},
	{"alice", EDIT("--customer", over_2byte), 2, "121 characters long",
	 "customer"},
	{"alice", EDIT("--customer", over_3byte), 2, "121 characters long",
	 "customer"},
	{"alice", EDIT("--customer", over_4byte), 2, "121 characters long",
	 "customer"},
	{"alice", EDIT("--customer", "Acme \xff"), 2, "not valid UTF-8",
	 "customer"},
	{"alice", EDIT("--customer", "Acme \xc0\xaf"), 2, "not valid UTF-8",
	 "customer"},
	{"alice", EDIT("--customer", "\xed\xa0\x80"), 2, "not valid UTF-8",
	 "customer"},
	{"alice", EDIT("--customer", "Acme \xe2\x82"), 2, "not valid UTF-8",
	 "customer"},
	{"alice", EDIT("--customer", "\xf4\x90\x80\x80"), 2, "not valid UTF-8",
	 "customer"},
	{"alice", EDIT("--customer", "\x80oops"), 2, "not valid UTF-8",
	 "customer"},
	{"alice", EDIT("--customer", "Acme\nCorp"), 2, "control characters",
	 "customer"},
	{"alice", EDIT("--customer", "Acme\tCorp"), 2, "control characters",
	 "customer"},
	{"alice", EDIT("--customer", "Acme\rCorp"), 2, "control characters",
	 "customer"},
	{"alice", EDIT("--customer", "\x1b[31mRed"), 2, "control characters",
	 "customer"},
	{"alice", EDIT("--customer", "Acme\x7f"), 2, "control characters",
	 "customer"},
	{"alice", EDIT("--customer", "Acme\xc2\x85"), 2, "control characters",
	 "customer"},
	{"alice", EDIT("--customer", "\x01"), 2, "control characters",
	 "customer"},
	{"bob", CREATE("--customer", "", "--total", "1"), 2,
	 "enter a customer name", "customer"},
	{"bob", CREATE("--customer", over_2byte, "--total", "1"), 2,
	 "121 characters long", "customer"},
	{"bob", CREATE("--customer", "\xff\xfe", "--total", "1"), 2,
	 "not valid UTF-8", "customer"},
	{"bob", CREATE("--customer", "a\nb", "--total", "1"), 2,
	 "control characters", "customer"},

	/* ---- status ------------------------------------------------------ */
	{"alice", EDIT("--status", "bogus"), 2, "unknown status", "status"},
	{"alice", EDIT("--status", ""), 2, "unknown status", "status"},
	{"alice", EDIT("--status", "paid "), 2, "unknown status", "status"},
	{"alice", EDIT("--status", "drafts"), 2, "unknown status", "status"},
	{"alice", EDIT("--status", "pa\xffid"), 2, "unknown status", "status"},
	{"alice", EDIT("--status", "\x1b[2J"), 2, "unknown status", "status"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--status", "open"),
	 2, "unknown status", "status"},

	/* ---- currency ---------------------------------------------------- */
	{"alice", EDIT("--currency", "EURO"), 2, "unknown currency",
	 "currency"},
	{"alice", EDIT("--currency", "ABC"), 2, "unknown currency",
	 "currency"},
	{"alice", EDIT("--currency", "eur"), 2, "unknown currency 'eur'",
	 "currency"},
	{"alice", EDIT("--currency", ""), 2, "unknown currency", "currency"},
	{"alice", EDIT("--currency", "€"), 2, "unknown currency", "currency"},
	{"alice", EDIT("--currency", "978"), 2, "unknown currency",
	 "currency"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--currency", "US"),
	 2, "unknown currency", "currency"},
	/* 12.50 EUR has no whole JPY amount to become. */
	{"alice", {"edit", "ACME-1001", "--version", "1", "--currency", "JPY",
	           NULL}, 2, "cannot be written in JPY", "total"},

	/* ---- total ------------------------------------------------------- */
	{"alice", EDIT("--total", "1,00"), 2, "decimal separator", "total"},
	{"alice", EDIT("--total", "1.000,00"), 2, "decimal separator",
	 "total"},
	{"alice", EDIT("--total", "-1"), 2, "negative", "total"},
	{"alice", EDIT("--total", "-0"), 2, "negative", "total"},
	{"alice", EDIT("--total", "+1"), 2, "without a sign", "total"},
	{"alice", EDIT("--total", "1.234"), 2, "at most 2 decimals", "total"},
	{"alice", EDIT("--total", "abc"), 2, "'a' cannot appear", "total"},
	{"alice", EDIT("--total", ""), 2, "enter an amount", "total"},
	{"alice", EDIT("--total", "1e3"), 2, "'e' cannot appear", "total"},
	{"alice", EDIT("--total", "1..2"), 2, "at most one '.'", "total"},
	{"alice", EDIT("--total", ".5"), 2, "digit before '.'", "total"},
	{"alice", EDIT("--total", "1."), 2, "decimals after '.'", "total"},
	{"alice", EDIT("--total", " 1"), 2, "without spaces", "total"},
	{"alice", EDIT("--total", "1 000"), 2, "without spaces", "total"},
	{"alice", EDIT("--total", "0x10"), 2, "'x' cannot appear", "total"},
	{"alice", EDIT("--total", "NaN"), 2, "'N' cannot appear", "total"},
	{"alice", EDIT("--total", "inf"), 2, "'i' cannot appear", "total"},
	{"alice", EDIT("--total", "１２"), 2, "digits and '.' only", "total"},
	{"alice", EDIT("--total", "12\x1b"), 2, "digits and '.' only",
	 "total"},
	{"alice", EDIT("--total", "9999999999999999"), 2, "out of range",
	 "total"},
	{"alice", EDIT("--total", "10000000000000.00"), 2, "out of range",
	 "total"},
	{"alice", EDIT("--total", "99999999999999999999999"), 2,
	 "out of range", "total"},
	{"alice", {"edit", "ACME-1005", "--version", "1", "--total", "1.5",
	           NULL}, 2, "JPY has no decimals", "total"},
	{"alice", {"edit", "ACME-1006", "--version", "1", "--total", "1.2345",
	           NULL}, 2, "BHD allows at most 3 decimals", "total"},
	{"alice", EDIT("--currency", "JPY", "--total", "10.5"), 2,
	 "JPY has no decimals", "total"},
	{"bob", CREATE("--customer", "X", "--total", "1,5"), 2,
	 "decimal separator", "total"},
	{"bob", CREATE("--customer", "X", "--total", "-3"), 2, "negative",
	 "total"},
	{"bob", CREATE("--customer", "X", "--total", "1.999"), 2,
	 "at most 2 decimals", "total"},
	{"bob", CREATE("--customer", "X", "--total", ""), 2,
	 "enter an amount", "total"},

	/* ---- version ----------------------------------------------------- */
	{"alice", {"edit", "ACME-1002", "--version", "abc", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "-1", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "0", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "1.5", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "99999999999999999999",
	           "--total", "1", NULL}, 2, "positive whole number",
	 "version"},
	{"alice", {"edit", "ACME-1002", "--version", "9223372036854775808",
	           "--total", "1", NULL}, 2, "positive whole number",
	 "version"},
	{"alice", {"edit", "ACME-1002", "--version", "", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", " 1", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "+1", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "0x1", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "1e3", "--total", "1",
	           NULL}, 2, "positive whole number", "version"},
	{"alice", {"archive", "ACME-1002", "--version", "x", NULL}, 2,
	 "positive whole number", "version"},
	{"alice", {"restore", "ACME-1004", "--version", "-3", NULL}, 2,
	 "positive whole number", "version"},
	{"alice", {"delete", "ACME-1002", "--version", "", NULL}, 2,
	 "positive whole number", "version"},
	/* A whole number, but not the version the invoice is at. */
	{"alice", {"edit", "ACME-1002", "--version", "99", "--total", "1",
	           NULL}, 3, "changed elsewhere", NULL},
	{"alice", {"archive", "ACME-1002", "--version", "2", NULL}, 3,
	 "changed elsewhere", NULL},

	/* ---- REF ----------------------------------------------------------- */
	{"alice", {"show", "NOPE-1", NULL}, 4, "NOPE-1", "ref"},
	{"alice", {"show", "999999", NULL}, 4, "not found", NULL},
	{"alice", {"show", "0", NULL}, 4, "not found", NULL},
	{"alice", {"show", "99999999999999999999", NULL}, 4,
	 "99999999999999999999", "ref"},
	{"alice", {"show", "acme-1002", NULL}, 4, "acme-1002", "ref"},
	{"alice", {"show", "-1", NULL}, 2, "unknown option '-1'", "usage"},
	{"alice", {"show", "", NULL}, 2, "REF", "ref"},
	{"alice", {"show", "ACME 1002", NULL}, 2, "neither an invoice id",
	 "ref"},
	{"alice", {"show", "\x1b[31m", NULL}, 2, "neither an invoice id",
	 "ref"},
	{"alice", {"show", "ACME-1002\xff", NULL}, 2, "neither an invoice id",
	 "ref"},
	{"alice", {"show", ref_33, NULL}, 2, "REF must be", "ref"},
	{"alice", {"edit", "NOPE-1", "--version", "1", "--total", "1", NULL},
	 4, "NOPE-1", "ref"},
	{"alice", {"archive", "999999", "--version", "1", NULL}, 4,
	 "not found", NULL},
	{"alice", {"restore", "NOPE-1", "--version", "1", NULL}, 4, "NOPE-1",
	 "ref"},
	{"alice", {"delete", "NOPE-1", "--version", "1", NULL}, 4, "NOPE-1",
	 "ref"},
	{"alice", {"history", "NOPE-1", NULL}, 4, "NOPE-1", "ref"},
	{"alice", {"drift", "NOPE-1", NULL}, 4, "NOPE-1", "ref"},
	{"alice", {"history", "", NULL}, 2, "REF", "ref"},
	{"alice", {"drift", "a\tb", NULL}, 2, "neither an invoice id", "ref"},

	/* ---- missing arguments and values -------------------------------- */
	{"alice", {"show", NULL}, 2, "show needs REF", "ref"},
	{"alice", {"edit", NULL}, 2, "edit needs REF", "ref"},
	{"alice", {"edit", "ACME-1002", "--total", "1", NULL}, 2,
	 "needs --version", "version"},
	{"alice", {"edit", "ACME-1002", "--version", "1", NULL}, 2,
	 "something to change", "usage"},
	{"alice", {"edit", "ACME-1002", "--version", NULL}, 2,
	 "--version needs a value", "usage"},
	{"alice", {"edit", "ACME-1002", "--version", "1", "--customer", NULL},
	 2, "--customer needs a value", "usage"},
	{"alice", {"archive", NULL}, 2, "archive needs REF", "ref"},
	{"alice", {"archive", "ACME-1002", NULL}, 2, "needs --version",
	 "version"},
	{"alice", {"restore", "ACME-1004", NULL}, 2, "needs --version",
	 "version"},
	{"alice", {"delete", "ACME-1002", NULL}, 2, "needs --version",
	 "version"},
	{"bob", {"create", NULL}, 2, "--customer", "customer"},
	{"bob", {"create", "--customer", "X", NULL}, 2, "--total", "total"},
	{"bob", {"create", "--total", "1", NULL}, 2, "--customer", "customer"},
	{"alice", {"history", NULL}, 2, "history needs REF", "ref"},
	{"alice", {"drift", NULL}, 2, "drift needs REF", "ref"},
	{"alice", {"audit", "--tail", NULL}, 2, "--tail needs a value",
	 "usage"},
	{"alice", {"list", "--view", NULL}, 2, "--view needs a value",
	 "usage"},

	/* ---- stray options and arguments --------------------------------- */
	{"alice", {"show", "ACME-1002", "--version", "1", NULL}, 2,
	 "unknown option '--version'", "usage"},
	{"alice", {"archive", "ACME-1002", "--version", "1", "--customer", "X",
	           NULL}, 2, "unknown option '--customer'", "usage"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--overwrite"), 2,
	 "unknown option '--overwrite'", "usage"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--version", "1"), 2,
	 "unknown option '--version'", "usage"},
	{"alice", {"list", "--tail", "5", NULL}, 2, "unknown option '--tail'",
	 "usage"},
	{"alice", {"audit", "--view", "all", NULL}, 2,
	 "unknown option '--view'", "usage"},
	{"alice", {"history", "ACME-1002", "--limit", "3", NULL}, 2,
	 "unknown option '--limit'", "usage"},
	{"alice", {"drift", "ACME-1002", "--version", "1", NULL}, 2,
	 "unknown option '--version'", "usage"},
	{"alice", {"show", "ACME-1002", "ACME-1003", NULL}, 2,
	 "unexpected argument 'ACME-1003'", "usage"},
	{"alice", {"edit", "ACME-1002", "extra", "--version", "1", "--total",
	           "1", NULL}, 2, "unexpected argument 'extra'", "usage"},
	{"bob", CREATE("extra", "--customer", "X", "--total", "1"), 2,
	 "unexpected argument 'extra'", "usage"},
	{"alice", {"list", "extra", NULL}, 2, "unexpected argument 'extra'",
	 "usage"},
	{"alice", {"audit", "extra", NULL}, 2, "unexpected argument 'extra'",
	 "usage"},
	{"alice", {"archive", "ACME-1002", "--version", "1", "-x", NULL}, 2,
	 "unknown option '-x'", "usage"},
	{"alice", EDIT("--total", "1", "--bogus"), 2,
	 "unknown option '--bogus'", "usage"},
	{"alice", {"init", "extra", NULL}, 2, "unexpected argument 'extra'",
	 "usage"},
	{"alice", {"frob", NULL}, 2, "no command 'frob'", NULL},
	{"alice", {"--bogus", "list", NULL}, 2, "unknown option '--bogus'",
	 NULL},

	/* ---- an option given twice: which one was meant? ----------------- */
	{"alice", EDIT("--customer", "A", "--customer", "B"), 2,
	 "--customer is given twice", "customer"},
	{"alice", {"edit", "ACME-1002", "--version", "1", "--version", "1",
	           "--total", "1", NULL}, 2, "--version is given twice",
	 "version"},
	{"alice", EDIT("--total", "1", "--total", "2"), 2,
	 "--total is given twice", "total"},
	{"alice", EDIT("--status", "paid", "--status", "void"), 2,
	 "--status is given twice", "status"},
	{"alice", EDIT("--currency", "EUR", "--currency", "USD"), 2,
	 "--currency is given twice", "currency"},
	{"bob", CREATE("--customer", "A", "--customer", "B", "--total", "1"),
	 2, "--customer is given twice", "customer"},
	{"bob", CREATE("--customer", "A", "--total", "1", "--request-id", "a",
	               "--request-id", "b"), 2, "--request-id is given twice",
	 "request-id"},
	{"alice", {"list", "--view", "active", "--view", "archived", NULL}, 2,
	 "--view is given twice", "view"},
	{"alice", {"list", "--limit", "1", "--limit", "2", NULL}, 2,
	 "--limit is given twice", "limit"},
	{"alice", {"audit", "--tail", "1", "--tail", "2", NULL}, 2,
	 "--tail is given twice", "tail"},
	{"alice", {"archive", "ACME-1002", "--version", "1", "--version", "1",
	           NULL}, 2, "--version is given twice", "version"},
	{"alice", {"init", "--org", "a", "--org", "b", NULL}, 2,
	 "--org is given twice", "org"},
	{"alice", {"--db", "elsewhere.db", "list", NULL}, 2,
	 "--db is given twice", NULL},
	{"alice", {"--user", "bob", "list", NULL}, 2, "--user is given twice",
	 NULL},

	/* ---- list, audit --------------------------------------------------- */
	{"alice", {"list", "--view", "bogus", NULL}, 2, "unknown view 'bogus'",
	 "view"},
	{"alice", {"list", "--limit", "0", NULL}, 2, "--limit must be",
	 "limit"},
	{"alice", {"list", "--limit", "1001", NULL}, 2, "--limit must be",
	 "limit"},
	{"alice", {"list", "--limit", "-1", NULL}, 2, "--limit must be",
	 "limit"},
	{"alice", {"list", "--after", "x", NULL}, 2, "--after must be",
	 "after"},
	{"alice", {"list", "--after", "-1", NULL}, 2, "--after must be",
	 "after"},
	{"alice", {"list", "--filter", "\xff", NULL}, 2, "UTF-8", "filter"},
	{"alice", {"list", "--filter", "\x1b[2J", NULL}, 2,
	 "control characters", "filter"},
	{"bob", {"list", "--view", "all", NULL}, 5, "admin", NULL},
	{"alice", {"audit", "--tail", "0", NULL}, 2, "--tail must be", "tail"},
	{"alice", {"audit", "--tail", "1001", NULL}, 2, "--tail must be",
	 "tail"},
	{"alice", {"audit", "--tail", "abc", NULL}, 2, "--tail must be",
	 "tail"},
	{"alice", {"audit", "--tail", "99999999999999999999", NULL}, 2,
	 "--tail must be", "tail"},

	/* ---- create: request ids and numbers ----------------------------- */
	{"bob", CREATE("--customer", "X", "--total", "1", "--request-id", ""),
	 2, "request id", "request_id"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--request-id",
	               "has space"), 2, "request id", "request_id"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--request-id",
	               token_65), 2, "request id", "request_id"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--number", ""), 2,
	 "invoice number", "number"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--number", "1234"),
	 2, "not only digits", "number"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--number",
	               "ACME 9"), 2, "invoice number", "number"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--number", ref_33),
	 2, "invoice number", "number"},
	{"bob", CREATE("--customer", "X", "--total", "1", "--number",
	               "ACME-1002"), 3, "ACME-1002", NULL},

	/* ---- who may ------------------------------------------------------- */
	{"bob", EDIT("--total", "1", "--overwrite"), 5, "admin", NULL},
	{"bob", {"delete", "ACME-1002", "--version", "1", NULL}, 5, "admin",
	 NULL},
	{"zed", {"list", NULL}, 5, "unknown user 'zed'", "user"},
	{"alice", {"--org", "globex", "list", NULL}, 5,
	 "not a member of org 'globex'", "org"},
	{"bob", {"init", "--org", "acme", NULL}, 5, "demo database", "org"},
	{"alice", {"init", "--org", "bad name!", NULL}, 2, "user and org names",
	 "org"},
	{"alice", {"init", "--demo", "--org", "x", NULL}, 2, "either --demo",
	 "org"},
};

#define ROW_COUNT (sizeof rows / sizeof rows[0])

static const char *const commands[] = {"init", "list", "show", "edit",
                                       "archive", "restore", "delete",
                                       "create", "history", "audit",
                                       "drift", NULL};

/* Where the command's name is in args, or -1 (none: a global error). */
static int command_at(const char *const *args)
{
	int i, k;

	for (i = 0; args[i]; i++)
		for (k = 0; commands[k]; k++)
			if (strcmp(args[i], commands[k]) == 0)
				return i;
	return -1;
}

static void describe(const struct bad *b, char *buf, size_t len)
{
	size_t used = 0, i;

	used += (size_t)snprintf(buf, len, "[%s]", b->user);
	for (i = 0; b->args[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, " '%s'",
		                         b->args[i]);
}

/* One row as text: the code, the message on stderr, nothing on stdout. */
static void check_text(const struct bad *b, const char *what)
{
	struct run r = fx_run(NULL, b->user, b->args);

	ck_assert_msg(r.code == b->code, "%s: exit %d, expected %d\n%s%s", what,
	              r.code, b->code, r.out, r.err);
	ck_assert_msg(strstr(r.err, b->needle) != NULL,
	              "%s: the message does not say \"%s\":\n%s", what,
	              b->needle, r.err);
	ck_assert_msg(strncmp(r.err, "inved: ", 7) == 0, "%s: %s", what, r.err);
	ck_assert_msg(r.out[0] == '\0', "%s: stdout holds %s", what, r.out);
	/* Whatever was typed, no escape reaches the terminal. */
	ck_assert_msg(strchr(r.err, '\033') == NULL, "%s: raw escape in %s",
	              what, r.err);
	run_free(&r);
}

/* The same with --json right after the command's name: one JSON object
 * naming the error, the message and the field. */
static void check_json(const struct bad *b, const char *what)
{
	const char *args[20];
	int at = command_at(b->args), i, n = 0;
	struct jv *v;
	struct run r;

	for (i = 0; b->args[i]; i++) {
		args[n++] = b->args[i];
		if (i == at)
			args[n++] = "--json";
	}
	if (at < 0) /* no command: a global error, --json at the end */
		args[n++] = "--json";
	args[n] = NULL;
	r = fx_run(NULL, b->user, args);
	ck_assert_msg(r.code == b->code, "%s --json: exit %d, expected %d\n%s%s",
	              what, r.code, b->code, r.out, r.err);
	v = jv_parse(r.out);
	ck_assert_msg(v && v->type == JV_OBJECT, "%s --json: not JSON: %s%s",
	              what, r.out, r.err);
	ck_assert_str_eq(fx_jstr(v, "error"), fx_error_name(b->code));
	ck_assert_msg(strstr(fx_jstr(v, "message"), b->needle) != NULL,
	              "%s --json: the message does not say \"%s\": %s", what,
	              b->needle, fx_jstr(v, "message"));
	if (b->field)
		ck_assert_str_eq(fx_jstr(v, "field"), b->field);
	jv_free(v);
	run_free(&r);
}

START_TEST(every_bad_input_is_refused_by_name_and_writes_nothing)
{
	char *before = fx_dump(fx_db), *after, what[1024];
	size_t i, tried = 0;

	build_long_inputs();
	for (i = 0; i < ROW_COUNT; i++) {
		const struct bad *b = &rows[i];

		describe(b, what, sizeof what);
		check_text(b, what);
		check_json(b, what);
		after = fx_dump(fx_db);
		ck_assert_msg(strcmp(before, after) == 0,
		              "%s changed the database", what);
		free(after);
		tried++;
	}
	printf("bad input: %zu inputs refused, database unchanged\n", tried);
	ck_assert_uint_ge(tried, 100);
	free(before);
}
END_TEST

/* The limit counts characters: 120 of them pass however many bytes each
 * takes, in an edit and in a create. */
START_TEST(a_customer_at_the_limit_in_multibyte_characters_is_accepted)
{
	static const char *const units[] = {"a", "é", "作", "😀"};
	char name[LIMIT * 4 + 1], version[32];
	int64_t audits = fx_audit_count(fx_db);
	struct jv *v, *inv;
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		fill(name, units[i], LIMIT);
		snprintf(version, sizeof version, "%zu", i + 1);
		v = fx_json(AS("alice", "edit", "ACME-1002", "--version", version,
		               "--customer", name, "--json"), 0);
		inv = jv_get(v, "invoice");
		ck_assert_ptr_nonnull(inv);
		ck_assert_str_eq(fx_jstr(inv, "customer"), name);
		ck_assert_int_eq(fx_jint(inv, "version"), (int64_t)i + 2);
		jv_free(v);
		v = fx_json(AS("bob", "create", "--customer", name, "--total", "1",
		               "--json"), 0);
		ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "customer"), name);
		jv_free(v);
	}
	/* One audit row per write, no more. */
	ck_assert_int_eq(fx_audit_count(fx_db), audits + 8);
}
END_TEST

/* The edges of the other inputs, accepted: the most an amount can be,
 * the currency's full decimals, a status in capitals, a REF by id. */
START_TEST(inputs_at_their_edges_are_accepted)
{
	struct jv *v;

	v = fx_json(AS("alice", "edit", "ACME-1002", "--version", "1", "--total",
	               "9999999999999.99", "--json"), 0);
	ck_assert_int_eq(fx_jint(jv_get(v, "invoice"), "total_minor"),
	                 INT64_C(999999999999999));
	jv_free(v);
	v = fx_json(AS("alice", "edit", "ACME-1006", "--version", "1", "--total",
	               "0.001", "--status", "PAID", "--json"), 0);
	ck_assert_int_eq(fx_jint(jv_get(v, "invoice"), "total_minor"), 1);
	ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "status"), "paid");
	jv_free(v);
	v = fx_json(AS("bob", "create", "--customer", "Zero", "--total", "0",
	               "--currency", "JPY", "--json"), 0);
	ck_assert_int_eq(fx_jint(jv_get(v, "invoice"), "total_minor"), 0);
	jv_free(v);
}
END_TEST

static Suite *badinput_suite(void)
{
	Suite *s = suite_create("cli-badinput");
	TCase *tc = tcase_create("refusals");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, every_bad_input_is_refused_by_name_and_writes_nothing);
	tcase_add_test(tc, a_customer_at_the_limit_in_multibyte_characters_is_accepted);
	tcase_add_test(tc, inputs_at_their_edges_are_accepted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_main(badinput_suite());
}
