/*
 * test_badinput.c - bad input typed into the edit form (SPEC 4.2, 7):
 * each is refused in place, with its message on the line right under the
 * field it is about, the form stays open, and the database is as it was
 * (the invoice's row and the audit trail compared through the core).
 *
 * One terminal session walks the whole table: after each case the fields
 * get their loaded values back, so every case meets a form in which only
 * its own input is wrong.
 */
#include <stdio.h>
#include <string.h>

#include "e2e.h"

enum field { F_CUSTOMER, F_STATUS, F_TOTAL, F_CURRENCY, F_NUMBER, F__COUNT };

static const char *const labels[F__COUNT] = {
	"Customer", "Status", "Total", "Currency", "Number",
};

/* ACME-1002 as the demo loads it into the form. */
static const char *const loaded[F__COUNT] = {
	"Initech GmbH", NULL, "1200.00", "EUR", "ACME-1002",
};

struct put {
	enum field field;
	const char *text; /* typed after Ctrl-U cleared the field */
};

struct bad_case {
	const char *what;
	struct put put[2]; /* the second is used when its text is set */
	bool submit;       /* F2; else the refusal comes while typing */
	enum field at;     /* the field the message sits under */
	const char *message;
};

#define EMPTY_NAME "enter a customer name; it cannot be empty"
#define UNKNOWN_CUR "Unknown currency; use an ISO 4217 code"
#define NOT_DIGITS "an amount is digits and '.' only"
#define OUT_OF_RANGE "the amount is out of range"
#define INVISIBLE "invisible or text-direction characters (here U+"
#define TOO_LONG "the customer name can have at most 120 characters"

/* 121 characters of 2, 3 and 4 bytes each */
#define R11(s) s s s s s s s s s s s
#define CHARS_121(s) R11(R11(s))

#define CUSTOMER(text, msg) \
	{ #text, {{F_CUSTOMER, text}, {0, NULL}}, true, F_CUSTOMER, msg }
#define TOTAL(text, msg) \
	{ #text, {{F_TOTAL, text}, {0, NULL}}, true, F_TOTAL, msg }
#define CURRENCY(text) \
	{ #text, {{F_CURRENCY, text}, {0, NULL}}, true, F_CURRENCY, UNKNOWN_CUR }
#define IN(cur, text, msg) \
	{ cur " " #text, {{F_CURRENCY, cur}, {F_TOTAL, text}}, true, F_TOTAL, \
	  msg }

static const struct bad_case bad_cases[] = {
	/* the customer: empty, only blanks, too long by characters */
	CUSTOMER("", EMPTY_NAME),
	CUSTOMER("   ", EMPTY_NAME),
	CUSTOMER("\u00a0\u00a0", EMPTY_NAME),           /* no-break spaces */
	CUSTOMER("\u3000", EMPTY_NAME),                 /* ideographic space */
	CUSTOMER("\u2003\u2002", EMPTY_NAME),           /* em, en space */
	/* SPEC 7: the form refuses what reads as another name, by the core's
	 * rule (the same one that escapes it on the screen). */
	CUSTOMER("\u202e", INVISIBLE "202E)"),            /* only an RLO */
	CUSTOMER("Acme\u2066Corp", INVISIBLE "2066)"),    /* an isolate */
	CUSTOMER("A\u200bB", INVISIBLE "200B)"),          /* zero-width */
	CUSTOMER("\ufeff", INVISIBLE "FEFF)"),          /* a lone BOM */
	{ "121 x é", {{F_CUSTOMER, CHARS_121("é")}, {0, NULL}}, false,
	  F_CUSTOMER, TOO_LONG },
	{ "121 x 作", {{F_CUSTOMER, CHARS_121("作")}, {0, NULL}}, false,
	  F_CUSTOMER, TOO_LONG },
	{ "121 x 😀", {{F_CUSTOMER, CHARS_121("😀")}, {0, NULL}}, false,
	  F_CUSTOMER, TOO_LONG },
	/* the total in EUR */
	TOTAL("", "enter an amount, e.g. 1234.50"),
	TOTAL("-5", "amounts cannot be negative"),
	TOTAL("-0.01", "amounts cannot be negative"),
	TOTAL("+5", "write the amount without a sign"),
	TOTAL("12,50", "use '.' as the decimal separator"),
	TOTAL("1,234.50", "use '.' as the decimal separator"),
	TOTAL("12.345", "EUR allows at most 2 decimals"),
	TOTAL("12.5.0", "an amount has at most one '.'"),
	TOTAL(".5", "write a digit before '.'"),
	TOTAL("5.", "write the decimals after '.'"),
	TOTAL("12 50", "write the amount without spaces"),
	TOTAL("12.50 ", "write the amount without spaces"),
	TOTAL("abc", "'a' cannot appear in an amount"),
	TOTAL("1e3", "'e' cannot appear in an amount"),
	TOTAL("0x10", "'x' cannot appear in an amount"),
	TOTAL("１２", NOT_DIGITS),                      /* full-width digits */
	TOTAL("١٢", NOT_DIGITS),                        /* Arabic-Indic */
	TOTAL("12€", NOT_DIGITS),
	TOTAL("10000000000000.00", OUT_OF_RANGE),
	TOTAL("99999999999999999999", OUT_OF_RANGE),
	/* the total in currencies of other decimals */
	IN("JPY", "12.5", "JPY has no decimals"),
	IN("JPY", "1000000000000000", OUT_OF_RANGE),
	IN("BHD", "1.2345", "BHD allows at most 3 decimals"),
	/* the currency */
	CURRENCY("XYZ"),
	CURRENCY(""),
	CURRENCY("EU"),
	CURRENCY("eu"),
	CURRENCY("€"),
	CURRENCY("123"),
	CURRENCY("U D"),
};

#define BAD_CASES (sizeof bad_cases / sizeof bad_cases[0])

struct session {
	struct pty *p;
	enum field cur; /* the field with the focus */
};

/* Tab to `field` and type text into it. */
static void put(struct session *s, enum field field, const char *text)
{
	while (s->cur != field) {
		SEND(s->p, PTY_KEY_TAB);
		s->cur = (s->cur + 1) % F__COUNT;
	}
	SEND(s->p, PTY_KEY_CTRL_U);
	if (*text)
		SEND(s->p, text);
}

struct under {
	const char *label, *message;
};

/* The message sits on the row right under its field's row (the focus
 * marker "> " names the field: the table's header also says Customer). */
static bool message_under_field(struct pty *p, void *arg)
{
	const struct under *u = arg;
	char marker[32];
	int field_row, msg_row;

	snprintf(marker, sizeof marker, "> %s", u->label);
	field_row = pty_find_row(p, marker);
	msg_row = pty_find_row(p, u->message);
	return field_row >= 0 && msg_row == field_row + 1;
}

static void same_invoice(const struct invoice *a, const struct invoice *b,
                         const char *what)
{
	ck_assert_msg(strcmp(a->customer, b->customer) == 0 &&
	              a->status == b->status &&
	              a->total_minor == b->total_minor &&
	              strcmp(a->currency, b->currency) == 0 &&
	              a->version == b->version &&
	              strcmp(a->updated_at, b->updated_at) == 0,
	              "case %s: the invoice changed", what);
}

START_TEST(bad_input_is_refused_next_to_its_field_and_nothing_written)
{
	static const char *const args[] = {"--open", "ACME-1002", NULL};
	struct invoice before = e2e_invoice("ACME-1002");
	size_t audits = e2e_audit_count();
	struct session s;

	s.p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);
	s.cur = F_CUSTOMER;
	SEE(s.p, "Edit ACME-1002");
	SEE_FIELD(s.p, "Total", "1200.00");

	for (size_t i = 0; i < BAD_CASES; i++) {
		const struct bad_case *c = &bad_cases[i];
		struct under u = {labels[c->at], c->message};
		struct invoice now;

		for (int k = 0; k < 2 && c->put[k].text; k++)
			put(&s, c->put[k].field, c->put[k].text);
		if (c->submit) {
			SEND(s.p, PTY_KEY_F2);
			s.cur = c->at; /* the focus goes to the field at fault */
		}
		if (!e2e_wait(s.p, message_under_field, &u, E2E_WAIT_MS)) {
			pty_dump(s.p, stderr);
			ck_abort_msg("case %zu (%s): no \"%s\" under %s", i,
			             c->what, c->message, labels[c->at]);
		}
		NOT_SHOWN(s.p, "Invoice saved.");
		SEE(s.p, "Edit ACME-1002");
		now = e2e_invoice("ACME-1002");
		same_invoice(&now, &before, c->what);
		ck_assert_msg(e2e_audit_count() == audits,
		              "case %s: an audit row was written", c->what);

		/* the loaded values back; the message goes with the edit */
		for (int k = 0; k < 2 && c->put[k].text; k++)
			put(&s, c->put[k].field, loaded[c->put[k].field]);
		LOSE(s.p, c->message);
	}
	fprintf(stderr, "bad input: %zu cases refused in the form\n",
	        (size_t)BAD_CASES);

	/* the form holds what it loaded: it leaves without asking */
	SEND(s.p, PTY_KEY_ESC);
	LOSE(s.p, "Edit ACME-1002");
	e2e_quit(s.p);
	{
		struct invoice end = e2e_invoice("ACME-1002");

		same_invoice(&end, &before, "at the end");
	}
	ck_assert_uint_eq(e2e_audit_count(), audits);
}
END_TEST

/* The line editor takes no control character at all, so none can reach
 * the name: C0 keys that edit nothing and C1 characters are dropped where
 * they are typed. */
START_TEST(control_characters_never_reach_the_customer_field)
{
	static const char *const args[] = {"--open", "ACME-1002", NULL};
	struct invoice before = e2e_invoice("ACME-1002");
	size_t audits = e2e_audit_count();
	struct pty *p = e2e_spawn("alice", args, NULL, E2E_ROWS, E2E_COLS);

	SEE(p, "Edit ACME-1002");
	SEND(p, PTY_KEY_CTRL_U "AB");
	/* FS GS RS US, then NEL and CSI as UTF-8 (U+0085, U+009B) */
	SEND(p, "\x1c\x1d\x1e\x1f" "\xc2\x85\xc2\x9b");
	SEND(p, "CD");
	SEE_FIELD(p, "Customer", "ABCD ");
	NOT_SHOWN(p, "AB?");
	SEND(p, PTY_KEY_F2);
	SEE(p, "Invoice saved.");
	ck_assert_str_eq(e2e_invoice("ACME-1002").customer, "ABCD");
	ck_assert_int_eq(e2e_invoice("ACME-1002").version, before.version + 1);
	ck_assert_uint_eq(e2e_audit_count(), audits + 1);
	e2e_quit(p);
}
END_TEST

TCase *e2e_tcase_badinput(void)
{
	TCase *tc = tcase_create("badinput");

	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, E2E_TEST_TIMEOUT);
	tcase_add_test(tc,
	               bad_input_is_refused_next_to_its_field_and_nothing_written);
	tcase_add_test(tc, control_characters_never_reach_the_customer_field);
	return tc;
}
