/*
 * test_planted.c - text another SQLite client planted in the database
 * never reaches the terminal raw (SPEC 7).  Escape sequences, C1 controls,
 * DEL, bidi overrides and isolates, zero-width characters and bytes that
 * are not UTF-8 are written straight into a demo database through the
 * SQLite C API - a customer, a number, a currency, the timestamps, an
 * archived_at, and audit rows (time, actor, action and detail) - and then
 * every command that prints runs over them, as text and as JSON.  Nothing
 * it prints on stdout or stderr may hold one of those characters raw (the
 * check below is this file's own, not the program's rule), the text output
 * shows them as visible escapes, and the JSON decodes back to exactly the
 * stored bytes.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* Every kind of hostile text at once; each holds a byte that is not
 * UTF-8, so the lossless JSON rule is exercised everywhere. */
#define HOSTILE_CUSTOMER "Acme\x1b[2J\x1b]0;owned\x07" "\xc2\x9b" "31m" \
	"\x7f\xe2\x80\xae" "gpj.exe\xe2\x81\xa6" "x\xe2\x80\x8b\xd8\x9c" \
	"\xef\xbb\xbf" "\xff\xfe" "z"
#define HOSTILE_NUMBER "N-\xe2\x80\xae" "1\x1b[5m\xc2\x85\xfe"
/* Three characters in three bytes: the column holds no more. */
#define HOSTILE_CURRENCY "\x1b" "E\x7f"
#define HOSTILE_TIME "2026\x1b[31m-\xe2\x81\xa7" "01\xe2\x80\x8f\xc2\x9b\xff"
#define HOSTILE_ACTOR "mallory\x1b[8m\xe2\x80\xae"
#define HOSTILE_ACTION "invoice.\xe2\x80\xad" "edit\x7f"
/* Valid JSON holding raw hostile characters inside its strings. */
#define HOSTILE_DETAIL_JSON "{\"customer\":{\"old\":\"a\xc2\x9b" "b\", " \
	"\"new\":\"\xe2\x80\xae" "c\xe2\x80\xa8" "d\xe2\x81\xa9\"}}"
/* Not JSON at all. */
#define HOSTILE_DETAIL_TEXT "\x1b[H\x1b[2Jrm -rf \xe2\x80\xae\xff\n."

/* PostgreSQL's text holds only UTF-8 and its times are timestamps: there
 * the same texts without the bytes that are not UTF-8, and no planted
 * time (the row is archived at a real one). */
#define PG_CUSTOMER "Acme\x1b[2J\x1b]0;owned\x07" "\xc2\x9b" "31m" \
	"\x7f\xe2\x80\xae" "gpj.exe\xe2\x81\xa6" "x\xe2\x80\x8b\xd8\x9c" \
	"\xef\xbb\xbf" "z"
#define PG_NUMBER "N-\xe2\x80\xae" "1\x1b[5m\xc2\x85"
#define PG_DETAIL_TEXT "\x1b[H\x1b[2Jrm -rf \xe2\x80\xae\n."

/* What this run planted: the SQLite texts, or PostgreSQL's. */
static const char *h_customer = HOSTILE_CUSTOMER;
static const char *h_number = HOSTILE_NUMBER;
static const char *h_detail_text = HOSTILE_DETAIL_TEXT;

/* ---- this file's own idea of what a terminal must not be given ------ */

/* Decode one character of well-formed UTF-8; 0 when it is not. */
static size_t own_decode(const unsigned char *p, uint32_t *cp)
{
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf && (p[1] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x1f) << 6) | (p[1] & 0x3f);
		return 2;
	}
	if (p[0] >= 0xe0 && p[0] <= 0xef && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x0f) << 12) |
		      ((uint32_t)(p[1] & 0x3f) << 6) | (p[2] & 0x3f);
		return *cp >= 0x800 && (*cp < 0xd800 || *cp > 0xdfff) ? 3 : 0;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
		*cp = ((uint32_t)(p[0] & 0x07) << 18) |
		      ((uint32_t)(p[1] & 0x3f) << 12) |
		      ((uint32_t)(p[2] & 0x3f) << 6) | (p[3] & 0x3f);
		return *cp >= 0x10000 && *cp <= 0x10ffff ? 4 : 0;
	}
	return 0;
}

static bool own_forbidden(uint32_t cp)
{
	return (cp < 0x20 && cp != '\n') || (cp >= 0x7f && cp <= 0x9f) ||
	       cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

static void expect_terminal_safe(const char *what, const char *stream,
                                 const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t off = 0;

	while (p[off]) {
		uint32_t cp;
		size_t n = own_decode(p + off, &cp);

		ck_assert_msg(n > 0, "%s: %s has a byte that is not UTF-8 (%02x) "
		              "at %zu:\n%s", what, stream, p[off], off, text);
		ck_assert_msg(!own_forbidden(cp),
		              "%s: %s has U+%04X raw at %zu:\n%s", what, stream,
		              (unsigned)cp, off, text);
		off += n;
	}
}

/* Run as alice (an admin: she sees every view) and check both streams. */
static struct run run_safe(const char *user, const char *const *args)
{
	struct run r = fx_run(NULL, user, args);
	char what[256];
	size_t i, n = 0;

	for (i = 0; args[i] && n < sizeof what - 1; i++)
		n += (size_t)snprintf(what + n, sizeof what - n, " %s", args[i]);
	ck_assert_msg(r.code == 0 || r.code == 3 || r.code == 2,
	              "%s: exit %d\n%s%s", what, r.code, r.out, r.err);
	expect_terminal_safe(what, "stdout", r.out);
	expect_terminal_safe(what, "stderr", r.err);
	return r;
}

static void safe(const char *user, const char *const *args)
{
	struct run r = run_safe(user, args);

	run_free(&r);
}

/* ---- planting ------------------------------------------------------------ */

struct planted {
	int64_t customer_id, number_id, currency_id, archived_id;
	int64_t seq_json, seq_text; /* the planted audit rows */
};

static void bind_bytes(sqlite3_stmt *s, int i, const char *text)
{
	/* Explicit length: the bytes go in as they are, valid or not. */
	ck_assert_int_eq(sqlite3_bind_text(s, i, text, (int)strlen(text),
	                                   SQLITE_STATIC), SQLITE_OK);
}

static void plant_exec(sqlite3 *h, const char *sql, const char *a,
                       int64_t id)
{
	sqlite3_stmt *s = NULL;
	int rc;

	ck_assert_msg(sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK,
	              "%s: %s", sql, sqlite3_errmsg(h));
	if (a)
		bind_bytes(s, 1, a);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	ck_assert_msg(rc == SQLITE_DONE, "%s: %s", sql, sqlite3_errmsg(h));
	sqlite3_finalize(s);
}

static int64_t id_of(sqlite3 *h, const char *number)
{
	sqlite3_stmt *s = NULL;
	int64_t id;

	ck_assert_int_eq(sqlite3_prepare_v2(h,
		"SELECT id FROM invoices WHERE number = ?1 AND deleted_at IS NULL",
		-1, &s, NULL), SQLITE_OK);
	bind_bytes(s, 1, number);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return id;
}

/* An audit row planted on the invoice's history chain (schema 5), as a
 * writer with every right puts it there past the triggers (the one that
 * refuses moving audit_tip without a claim is set aside for the moment
 * and put back word for word); its seq. */
static int64_t plant_audit(sqlite3 *h, int64_t subject, const char *detail)
{
	sqlite3_stmt *s = NULL;
	char *trigger = NULL, sql[120];
	int64_t seq;

	ck_assert_int_eq(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	                 SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(h,
		"INSERT INTO audit (at, org_id, actor_user_id, actor, action, "
		"subject_id, from_version, to_version, detail, prev_seq) "
		"SELECT ?1, org_id, NULL, ?2, ?3, id, version, version, ?4, "
		"audit_tip FROM invoices WHERE id = ?5", -1, &s, NULL), SQLITE_OK);
	bind_bytes(s, 1, HOSTILE_TIME);
	bind_bytes(s, 2, HOSTILE_ACTOR);
	bind_bytes(s, 3, HOSTILE_ACTION);
	bind_bytes(s, 4, detail);
	sqlite3_bind_int64(s, 5, subject);
	ck_assert_msg(sqlite3_step(s) == SQLITE_DONE, "%s", sqlite3_errmsg(h));
	sqlite3_finalize(s);
	seq = sqlite3_last_insert_rowid(h);
	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_schema "
		"WHERE name = 'invoices_after_update'", -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	trigger = strdup((const char *)sqlite3_column_text(s, 0));
	ck_assert_ptr_nonnull(trigger);
	sqlite3_finalize(s);
	snprintf(sql, sizeof sql, "DROP TRIGGER invoices_after_update; "
	         "UPDATE invoices SET audit_tip = %" PRId64 " WHERE id = %"
	         PRId64, seq, subject);
	ck_assert_msg(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK, "%s",
	              sqlite3_errmsg(h));
	ck_assert_int_eq(sqlite3_exec(h, trigger, NULL, NULL, NULL), SQLITE_OK);
	free(trigger);
	ck_assert_int_eq(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL),
	                 SQLITE_OK);
	return seq;
}

/* sql with each '?' replaced by the next text as a quoted literal. */
static void pg_plant(const char *sql, const char *const *texts)
{
	char buf[2048], *o = buf;
	const char *c;

	for (c = sql; *c && o < buf + sizeof buf - 200; c++) {
		const char *t;

		if (*c != '?') {
			*o++ = *c;
			continue;
		}
		*o++ = '\'';
		for (t = *texts++; *t && o < buf + sizeof buf - 200; t++) {
			if (*t == '\'')
				*o++ = '\'';
			*o++ = *t;
		}
		*o++ = '\'';
	}
	*o = '\0';
	fx_sql(buf);
}

static int64_t pg_id_of(const char *number)
{
	char sql[200];

	snprintf(sql, sizeof sql, "SELECT id FROM invoices WHERE number = "
	         "'%s' AND deleted_at IS NULL", number);
	return fx_sql_int(sql);
}

/* An audit row as the superuser writes it past the audit's triggers (a
 * client with every right); its seq. */
static int64_t pg_plant_audit(int64_t subject, const char *detail)
{
	char sql[1024], *o = sql;
	const char *texts[] = {HOSTILE_ACTOR, HOSTILE_ACTION, detail}, *t;
	size_t i;

	o += sprintf(o, "SET session_replication_role = replica; "
	             "INSERT INTO audit (seq, at, org_id, actor_user_id, actor, "
	             "action, subject_id, from_version, to_version, detail) "
	             "SELECT nextval('audit_seq'), now(), org_id, NULL");
	for (i = 0; i < 3; i++) {
		o += sprintf(o, ", '");
		for (t = texts[i]; *t; t++) {
			if (*t == '\'')
				*o++ = '\'';
			*o++ = *t;
		}
		*o++ = '\'';
		*o = '\0';
		if (i == 1)
			o += sprintf(o, ", id, version, version");
	}
	snprintf(o, (size_t)(sql + sizeof sql - o),
	         " FROM invoices WHERE id = %" PRId64 " RETURNING seq",
	         subject);
	return fx_sql_int(sql);
}

static void plant_pg(struct planted *p)
{
	char sql[200];

	h_customer = PG_CUSTOMER;
	h_number = PG_NUMBER;
	h_detail_text = PG_DETAIL_TEXT;
	p->customer_id = pg_id_of("ACME-1002");
	p->number_id = pg_id_of("ACME-1003");
	p->currency_id = pg_id_of("ACME-1007");
	p->archived_id = pg_id_of("ACME-1004");
	snprintf(sql, sizeof sql, "UPDATE invoices SET customer = ? "
	         "WHERE id = %" PRId64, p->customer_id);
	pg_plant(sql, (const char *const[]){PG_CUSTOMER});
	snprintf(sql, sizeof sql, "UPDATE invoices SET number = ? "
	         "WHERE id = %" PRId64, p->number_id);
	pg_plant(sql, (const char *const[]){PG_NUMBER});
	snprintf(sql, sizeof sql, "UPDATE invoices SET currency = ? "
	         "WHERE id = %" PRId64, p->currency_id);
	pg_plant(sql, (const char *const[]){HOSTILE_CURRENCY});
	snprintf(sql, sizeof sql, "UPDATE invoices SET archived_at = now() "
	         "WHERE id = %" PRId64 " AND archived_at IS NULL",
	         p->archived_id);
	fx_sql(sql);
	p->seq_json = pg_plant_audit(p->customer_id, HOSTILE_DETAIL_JSON);
	p->seq_text = pg_plant_audit(p->customer_id, PG_DETAIL_TEXT);
}

static void plant(struct planted *p)
{
	sqlite3 *h = NULL;

	if (fx_is_uri(fx_db)) {
		plant_pg(p);
		return;
	}

	ck_assert_int_eq(sqlite3_open(fx_db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 10000);
	p->customer_id = id_of(h, "ACME-1002");
	p->number_id = id_of(h, "ACME-1003");
	p->currency_id = id_of(h, "ACME-1007");
	p->archived_id = id_of(h, "ACME-1004");
	plant_exec(h, "UPDATE invoices SET customer = ?1 WHERE id = ?2",
	           HOSTILE_CUSTOMER, p->customer_id);
	plant_exec(h, "UPDATE invoices SET number = ?1 WHERE id = ?2",
	           HOSTILE_NUMBER, p->number_id);
	plant_exec(h, "UPDATE invoices SET currency = ?1 WHERE id = ?2",
	           HOSTILE_CURRENCY, p->currency_id);
	plant_exec(h, "UPDATE invoices SET archived_at = ?1, created_at = ?1 "
	              "WHERE id = ?2", HOSTILE_TIME, p->archived_id);
	p->seq_json = plant_audit(h, p->customer_id, HOSTILE_DETAIL_JSON);
	p->seq_text = plant_audit(h, p->customer_id, HOSTILE_DETAIL_TEXT);
	ck_assert_int_eq(sqlite3_close(h), SQLITE_OK);
}

static char *id_text(int64_t id, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRId64, id);
	return buf;
}

/* ---- the commands -------------------------------------------------------- */

START_TEST(planted_text_reaches_no_terminal_raw)
{
	static const char *const views[] = {"active", "archived", "all"};
	struct planted p;
	char a[32], b[32], c[32], d[32];
	const char *ids[4];
	struct run r;
	size_t i;

	plant(&p);
	ids[0] = id_text(p.customer_id, a, sizeof a);
	ids[1] = id_text(p.number_id, b, sizeof b);
	ids[2] = id_text(p.currency_id, c, sizeof c);
	ids[3] = id_text(p.archived_id, d, sizeof d);
	for (i = 0; i < 3; i++) {
		safe("alice", ARGS("list", "--view", views[i]));
		safe("alice", ARGS("list", "--view", views[i], "--json"));
		safe("alice", ARGS("list", "--view", views[i], "--limit",
		                   "3"));
	}
	safe("bob", ARGS("list", "--view", "archived"));
	safe("alice", ARGS("list", "--filter", "Acme"));
	for (i = 0; i < 4; i++) {
		safe("alice", ARGS("show", ids[i]));
		safe("alice", ARGS("show", ids[i], "--json"));
		safe("alice", ARGS("history", ids[i]));
		safe("alice", ARGS("history", ids[i], "--json"));
		/* A stale save: the refusal prints the row as it is now. */
		r = run_safe("alice", ARGS("edit", ids[i], "--version", "1",
		                           "--status", "void"));
		ck_assert_int_eq(r.code, 3);
		run_free(&r);
		r = run_safe("alice", ARGS("edit", ids[i], "--version", "1",
		                           "--status", "void", "--json"));
		ck_assert_int_eq(r.code, 3);
		run_free(&r);
		safe("alice", ARGS("drift", ids[i]));
	}
	safe("alice", ARGS("audit", "--tail", "100"));
	safe("alice", ARGS("audit", "--tail", "100", "--json"));
	safe("bob", ARGS("audit"));
	/* Typed input that echoes back in a refusal. */
	r = run_safe("alice", ARGS("create", "--customer", HOSTILE_CUSTOMER,
	                           "--total", "1"));
	ck_assert_int_eq(r.code, 2);
	run_free(&r);
	r = run_safe("alice", ARGS("list", "--filter", HOSTILE_NUMBER));
	ck_assert_int_eq(r.code, 2);
	run_free(&r);
	r = run_safe("alice", ARGS("show", HOSTILE_NUMBER));
	ck_assert_int_eq(r.code, 2);
	run_free(&r);
	r = run_safe("alice", ARGS("help", HOSTILE_ACTION));
	ck_assert_int_eq(r.code, 2);
	run_free(&r);
}
END_TEST

/* Shown visibly, not dropped: the escapes say what was there. */
START_TEST(planted_text_is_shown_as_visible_escapes)
{
	struct planted p;
	char id[32];
	struct run r;

	bool pg = fx_is_uri(fx_db);

	plant(&p);
	r = run_safe("alice", ARGS("show", id_text(p.customer_id, id,
	                                           sizeof id)));
	fx_expect_in(r.out, "Acme\\x1b[2J\\x1b]0;owned\\x07\\u009b31m\\x7f"
	                    "\\u202egpj.exe\\u2066x\\u200b\\u061c\\ufeff");
	fx_expect_in(r.out, pg ? "\\ufeffz" : "\\ufeff\\xff\\xfez");
	run_free(&r);
	r = run_safe("alice", ARGS("list", "--view", "all"));
	fx_expect_in(r.out, pg ? "N-\\u202e1\\x1b[5m\\u0085"
	                       : "N-\\u202e1\\x1b[5m\\u0085\\xfe");
	fx_expect_in(r.out, "\\x1bE\\x7f");
	/* archived_at's first ten columns: the date, were it one */
	if (!pg)
		fx_expect_in(r.out, "archived 2026\\x1b[3\n");
	run_free(&r);
	r = run_safe("alice", ARGS("list", "--view", "archived"));
	if (!pg)
		fx_expect_in(r.out, "archived 2026\\x1b[3\n");
	run_free(&r);
	r = run_safe("alice", ARGS("audit", "--tail", "100"));
	if (!pg)
		fx_expect_in(r.out,
		             "2026\\x1b[31m-\\u206701\\u200f\\u009b\\xff");
	fx_expect_in(r.out, "mallory\\x1b[8m\\u202e");
	fx_expect_in(r.out, pg ? "\\x1b[H\\x1b[2Jrm -rf \\u202e\\x0a."
	                       : "\\x1b[H\\x1b[2Jrm -rf \\u202e\\xff\\x0a.");
	fx_expect_in(r.out, "\"new\":\"\\u202ec\\u2028d\\u2069\"");
	run_free(&r);
	r = run_safe("alice", ARGS("history", id));
	if (!pg)
		fx_expect_in(r.out,
		             "2026\\x1b[31m-\\u206701\\u200f\\u009b\\xff");
	fx_expect_in(r.out, "mallory\\x1b[8m\\u202e");
	run_free(&r);
}
END_TEST

static const struct jv *audit_entry(const struct jv *list, int64_t seq)
{
	size_t i;

	for (i = 0; list && i < list->n; i++)
		if (fx_jint(list->items[i], "seq") == seq)
			return list->items[i];
	ck_abort_msg("audit entry %" PRId64 " missing", seq);
	return NULL;
}

/* JSON loses nothing: every planted string decodes back to its bytes. */
START_TEST(planted_text_decodes_back_exactly_from_json)
{
	const char *lists[] = {"history", "audit"};
	struct planted p;
	struct jv *v, *inv, *e;
	char id[32];
	size_t k;

	plant(&p);
	v = fx_json(AS("alice", "show", id_text(p.customer_id, id, sizeof id),
	               "--json"), 0);
	ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "customer"),
	                 h_customer);
	jv_free(v);
	v = fx_json(AS("alice", "show", id_text(p.number_id, id, sizeof id),
	               "--json"), 0);
	ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "number"), h_number);
	jv_free(v);
	v = fx_json(AS("alice", "show", id_text(p.currency_id, id, sizeof id),
	               "--json"), 0);
	ck_assert_str_eq(fx_jstr(jv_get(v, "invoice"), "currency"),
	                 HOSTILE_CURRENCY);
	jv_free(v);
	v = fx_json(AS("alice", "list", "--view", "archived", "--json"), 0);
	inv = NULL;
	for (k = 0; k < jv_get(v, "invoices")->n; k++)
		if (fx_jint(jv_get(v, "invoices")->items[k], "id") ==
		    p.archived_id)
			inv = jv_get(v, "invoices")->items[k];
	ck_assert_ptr_nonnull(inv);
	if (!fx_is_uri(fx_db)) { /* a PostgreSQL time is a timestamp */
		ck_assert_str_eq(fx_jstr(inv, "archived_at"), HOSTILE_TIME);
		ck_assert_str_eq(fx_jstr(inv, "created_at"), HOSTILE_TIME);
	}
	jv_free(v);
	/* A stale save's JSON refusal carries the row, losslessly too. */
	v = fx_json(AS("alice", "edit", id_text(p.customer_id, id, sizeof id),
	               "--version", "1", "--status", "void", "--json"), 3);
	ck_assert_str_eq(fx_jstr(jv_get(v, "current"), "customer"),
	                 h_customer);
	jv_free(v);
	for (k = 0; k < 2; k++) {
		const struct jv *d;

		id_text(p.customer_id, id, sizeof id);
		v = k == 0 ? fx_json(AS("alice", "history", id, "--json"), 0)
		           : fx_json(AS("alice", "audit", "--tail", "100",
		                        "--json"), 0);
		e = (struct jv *)audit_entry(jv_get(v, "audit"), p.seq_json);
		if (!fx_is_uri(fx_db))
			ck_assert_str_eq(fx_jstr(e, "at"), HOSTILE_TIME);
		ck_assert_str_eq(fx_jstr(e, "actor"), HOSTILE_ACTOR);
		ck_assert_str_eq(fx_jstr(e, "action"), HOSTILE_ACTION);
		/* Valid JSON stays JSON, its strings intact. */
		d = jv_get(jv_get(e, "detail"), "customer");
		ck_assert_msg(d != NULL, "%s: the detail is not embedded",
		              lists[k]);
		ck_assert_str_eq(fx_jstr(d, "old"), "a\xc2\x9b" "b");
		ck_assert_str_eq(fx_jstr(d, "new"),
		                 "\xe2\x80\xae" "c\xe2\x80\xa8" "d\xe2\x81\xa9");
		e = (struct jv *)audit_entry(jv_get(v, "audit"), p.seq_text);
		ck_assert_str_eq(fx_jstr(e, "detail"), h_detail_text);
		jv_free(v);
	}
}
END_TEST

static Suite *planted_suite(void)
{
	Suite *s = suite_create("cli-planted");
	TCase *tc = tcase_create("planted");

	tcase_add_checked_fixture(tc, fx_setup, fx_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, planted_text_reaches_no_terminal_raw);
	tcase_add_test(tc, planted_text_is_shown_as_visible_escapes);
	tcase_add_test(tc, planted_text_decodes_back_exactly_from_json);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fx_main(planted_suite());
}
