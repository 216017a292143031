/*
 * gen.c - inved-bench-gen: build a large inved database for the benchmark.
 *
 *   inved-bench-gen --db PATH [--invoices N] [--seed S] [--force]
 *                   [--no-yardstick] [--check]
 *
 * A demo database (marked as `init --demo` marks one, so the runner may act
 * as any of its users): two orgs (acme, globex) and the users alice, bob
 * (acme admin, member), carol and dave (globex admin, member), made through
 * the store's own store_open and store_add_member (store_tools.h); then N
 * invoices, loaded through the SQLite connection beneath the store
 * (store_engine_handle), in every status, every lifecycle state and a spread of currencies, with live and deleted rows
 * sharing a number the way the partial unique index allows.  The result is
 * the same for the same seed, so two runs measure the same file.
 *
 * How the rows go in, and why this way.  Row by row through the schema's
 * triggers costs about 25 us an invoice (each trigger program builds its
 * audit JSON, looks for the writer's claim, upserts the totals and grows
 * six indexes in random order), half a minute for a million.  So the load
 * works in sets instead, inside one transaction with a rollback journal (a
 * fresh file has almost nothing to journal, where WAL would write every
 * page twice) and a large page cache:
 *   1. keep the text of the invoice triggers and of the indexes on
 *      invoices and audit from sqlite_schema, then drop them;
 *   2. insert the invoices with one prepared statement;
 *   3. write their audit rows (the change feed is a view of them) and
 *      totals with one INSERT ... SELECT each, in the very shape the insert
 *      trigger writes;
 *   4. create the indexes again (from sorted rows, far cheaper than growing
 *      them one insert at a time) and the triggers from the kept text.
 * Step 3 restates what the insert trigger does, so it is checked against
 * the real thing before the commit: one more invoice goes in through the
 * restored trigger, its audit and feed rows must equal what the set
 * statements make for it, the totals of every org must equal a recount,
 * and then it is rolled back to a savepoint.  After the commit the file
 * goes back to WAL and every invoice must have exactly one audit row and
 * one feed row; --check adds store_check (PRAGMA integrity_check and the
 * totals again), which on a million rows costs more than the load itself.
 * The yardstick tables of inved-bench are made here too (yard.c), while
 * the rollback journal and the large cache are in force.  The load runs at
 * synchronous=OFF: a generator that dies is simply run again.
 *
 * Every row is imported at version 1, as rows arriving from another system
 * would be: the audit row says so (from 0 to 1).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store_demo.h"
#include "store_tools.h"
#include "yard.h"

#define DEFAULT_INVOICES 1000000L

/* The SQLite connection beneath the store: the generator bulk-loads
 * through it (store_tools.h), bypassing the guarded writes on purpose. */
static sqlite3 *engine(struct store *st)
{
	return store_engine_handle(st);
}

struct gen_org {
	const char *name;
	const char *prefix; /* as store_add_member makes it */
	int64_t id;
	int64_t next;       /* next number to hand out */
};

struct gen_opts {
	const char *db;
	long invoices;
	uint64_t seed;
	int force;
	bool yard;
	bool check;
};

/* xorshift64*: fast, and the same sequence on every machine. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static unsigned rng_below(unsigned n)
{
	return (unsigned)((rng_next() >> 33) % n);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: inved-bench-gen --db PATH [--invoices N] [--seed S] "
	        "[--force]\n"
	        "                       [--no-yardstick] [--check]\n"
	        "  --db PATH      the database to create (must not exist unless "
	        "--force)\n"
	        "  --invoices N   how many invoices (default %ld)\n"
	        "  --seed S       random seed (default 1)\n"
	        "  --force        replace PATH (and its -wal and -shm) if it "
	        "exists\n"
	        "  --no-yardstick leave out the tables of inved-bench's "
	        "guarded-edit\n"
	        "                 yardstick (it makes them when it needs them)\n"
	        "  --check        also run store_check (PRAGMA integrity_check "
	        "and the\n"
	        "                 totals against a recount) on the finished "
	        "file\n",
	        DEFAULT_INVOICES);
}

static int opts_parse(int argc, char **argv, struct gen_opts *o)
{
	o->db = NULL;
	o->invoices = DEFAULT_INVOICES;
	o->seed = 1;
	o->force = 0;
	o->yard = true;
	o->check = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		char *end;

		if (strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--force") == 0) {
			o->force = 1;
		} else if (strcmp(a, "--check") == 0) {
			o->check = true;
		} else if (strcmp(a, "--no-yardstick") == 0) {
			o->yard = false;
		} else if (strcmp(a, "--db") == 0 && i + 1 < argc) {
			o->db = argv[++i];
		} else if (strcmp(a, "--invoices") == 0 && i + 1 < argc) {
			errno = 0;
			o->invoices = strtol(argv[++i], &end, 10);
			if (errno || *end || o->invoices < 1 ||
			    o->invoices > 100000000L) {
				fprintf(stderr, "inved-bench-gen: --invoices takes "
				        "1 to 100000000\n");
				return 2;
			}
		} else if (strcmp(a, "--seed") == 0 && i + 1 < argc) {
			o->seed = strtoull(argv[++i], NULL, 10);
			if (o->seed == 0)
				o->seed = 1;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!o->db) {
		usage(stderr);
		return 2;
	}
	return 0;
}

static int remove_db(const char *path)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char p[4096];

	for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		snprintf(p, sizeof p, "%s%s", path, suffix[i]);
		if (unlink(p) != 0 && errno != ENOENT) {
			fprintf(stderr, "inved-bench-gen: cannot remove %s: %s\n",
			        p, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int exec_or_report(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "inved-bench-gen: %s: %s\n", sql,
		        msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int org_lookup(sqlite3 *db, struct gen_org *org)
{
	sqlite3_stmt *s = NULL;
	int ok = 0;

	if (sqlite3_prepare_v2(db, "SELECT id, prefix, next_number FROM orgs "
	                       "WHERE name = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, org->name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		org->id = sqlite3_column_int64(s, 0);
		org->next = sqlite3_column_int64(s, 2);
		ok = strcmp((const char *)sqlite3_column_text(s, 1),
		            org->prefix) == 0;
	}
	sqlite3_finalize(s);
	if (!ok)
		fprintf(stderr, "inved-bench-gen: org %s is not as expected\n",
		        org->name);
	return ok ? 0 : -1;
}

/* Customers: plain ASCII, Latin accents, CJK and Arabic, so the pages the
 * benchmark reads carry the UTF-8 the screens must handle. */
static const char *const customers[] = {
	"Initech GmbH",          "Ærøskøbing Færge ApS",  "Umbrella Logistics",
	"株式会社 作者出版",     "Bahrain Pearl Trading", "Café Olé & Co.",
	"Stark Industries",      "Wayne Enterprises",     "Łódź Textiles",
	"Cyberdyne Systems",     "Tyrell Corporation",    "Soylent Foods",
	"Hooli",                 "Müller & Söhne",        "Vandelay Industries",
	"Springfield Nuclear",   "Kwik-E-Mart",           "Duff Brewery",
	"Moe's Tavern",          "Globo Gym",             "شركة الخليج",
	"Acme Anvils",           "Oceanic Airlines",      "Dunder Mifflin",
};

struct gen_currency {
	const char *code;
	unsigned weight;
};

/* Weighted so that a few currencies dominate, like a real ledger. */
static const struct gen_currency currencies[] = {
	{"EUR", 40}, {"USD", 25}, {"GBP", 10}, {"CHF", 6}, {"JPY", 6},
	{"DKK", 5},  {"PLN", 5},  {"BHD", 3},
};

static const char *currency_pick(void)
{
	unsigned r = rng_below(100);

	for (size_t i = 0; i < sizeof currencies / sizeof currencies[0]; i++) {
		if (r < currencies[i].weight)
			return currencies[i].code;
		r -= currencies[i].weight;
	}
	return "EUR";
}

static const char *const statuses[] = {"draft", "sent", "paid", "void"};

/* ISO-8601 UTC with milliseconds, the form the store writes. */
static void time_text(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

/*
 * The rows.  Ids ascend with time and the two orgs interleave (two thirds
 * acme), as two companies writing into one file would.  80 % of rows are
 * active, 15 % archived, 5 % deleted; half the deleted rows give their
 * number back to the org, so the next invoice of that org reuses it (a
 * live and a deleted row with one number, as in the demo's ACME-1001).
 */
static int rows_insert(sqlite3 *db, struct gen_org orgs[2], long n)
{
	static const char sql[] =
		"INSERT INTO invoices (org_id, number, customer, status, "
		"total_minor, currency, version, created_at, updated_at, "
		"archived_at, deleted_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?9, ?10)";
	const time_t start = 1546300800; /* 2019-01-01 */
	sqlite3_stmt *s = NULL;
	char number[NUMBER_MAX_BYTES + 1], customer[CUSTOMER_MAX_BYTES + 1];
	char created[TIME_TEXT_MAX], updated[TIME_TEXT_MAX];
	const size_t ncust = sizeof customers / sizeof customers[0];
	int rc = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "inved-bench-gen: %s\n", sqlite3_errmsg(db));
		return -1;
	}
	for (long i = 0; i < n; i++) {
		struct gen_org *org = &orgs[i % 3 == 2 ? 1 : 0];
		/* about 6 years of invoices whatever n is */
		time_t t = start + (time_t)((double)i * (190000000.0 / (double)n));
		unsigned life = rng_below(100);
		const char *currency = currency_pick();
		int64_t total = (int64_t)(rng_next() >> 40) % 5000000;
		bool reuse = false;

		snprintf(number, sizeof number, "%s%" PRId64, org->prefix,
		         org->next);
		snprintf(customer, sizeof customer, "%s %ld",
		         customers[rng_below((unsigned)ncust)], i + 1);
		time_text(t, created, sizeof created);
		time_text(t + 86400, updated, sizeof updated);
		sqlite3_bind_int64(s, 1, org->id);
		sqlite3_bind_text(s, 2, number, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, customer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, statuses[rng_below(4)], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, total);
		sqlite3_bind_text(s, 6, currency, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, created, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, updated, -1, SQLITE_STATIC);
		if (life >= 80 && life < 95)
			sqlite3_bind_text(s, 9, updated, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 9);
		if (life >= 95) {
			sqlite3_bind_text(s, 10, updated, -1, SQLITE_STATIC);
			reuse = life >= 98;
		} else {
			sqlite3_bind_null(s, 10);
		}
		if (sqlite3_step(s) != SQLITE_DONE) {
			fprintf(stderr, "inved-bench-gen: row %ld: %s\n", i + 1,
			        sqlite3_errmsg(db));
			rc = -1;
			break;
		}
		sqlite3_reset(s);
		if (!reuse)
			org->next++;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Later creations must not walk through a million taken numbers. */
static int orgs_bump(sqlite3 *db, const struct gen_org orgs[2])
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "UPDATE orgs SET next_number = ?2 "
	                       "WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return -1;
	for (int i = 0; i < 2 && rc == 0; i++) {
		sqlite3_bind_int64(s, 1, orgs[i].id);
		sqlite3_bind_int64(s, 2, orgs[i].next + 1);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = -1;
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

/* ---- the load in sets ---------------------------------------------------- */

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

/* What the insert trigger leaves for an invoice imported under the claim
 * (NULL, 'bench', 'invoice.import'), as the columns of a SELECT over
 * invoices.  Checked against the trigger itself by canary_check. */
#define AUDIT_COLS                                                            \
	"org_id, NULL, 'bench', 'invoice.import', id, 0, version, "               \
	"json_object("                                                            \
	"'number', json_object('old', NULL, 'new', number), "                     \
	"'customer', json_object('old', NULL, 'new', customer), "                 \
	"'status', json_object('old', NULL, 'new', status), "                     \
	"'total_minor', json_object('old', NULL, 'new', total_minor), "           \
	"'currency', json_object('old', NULL, 'new', currency))"
#define CHANGES_COLS "org_id, id, 'invoice.import'"
#define STATE_OF                                                              \
	"CASE WHEN deleted_at IS NOT NULL THEN 'deleted' "                        \
	"WHEN archived_at IS NOT NULL THEN 'archived' ELSE 'active' END"

/* The triggers and indexes the load sets aside, as sqlite_schema holds
 * them, so whatever data/schema.sql says is what comes back. */
struct kept {
	char *sql[32];
	char *drop[32];
	int n;
};

static void kept_free(struct kept *k)
{
	for (int i = 0; i < k->n; i++) {
		sqlite3_free(k->sql[i]);
		sqlite3_free(k->drop[i]);
	}
	k->n = 0;
}

static int schema_set_aside(sqlite3 *db, struct kept *k)
{
	sqlite3_stmt *s = NULL;
	int rc = 0;

	k->n = 0;
	if (sqlite3_prepare_v2(db,
		"SELECT type, name, sql FROM sqlite_schema "
		"WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
		"AND tbl_name IN ('invoices', 'audit', 'changes') "
		"ORDER BY type = 'trigger', name", -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(s, 0);

		if (k->n == (int)(sizeof k->sql / sizeof k->sql[0])) {
			rc = -1;
			break;
		}
		k->sql[k->n] = sqlite3_mprintf("%s", sqlite3_column_text(s, 2));
		/* identifiers cannot be bound; %w quotes the schema's own name */
		k->drop[k->n] = sqlite3_mprintf(
			"DROP %s \"%w\"",
			strcmp(type, "index") == 0 ? "INDEX" : "TRIGGER",
			sqlite3_column_text(s, 1));
		k->n++;
		if (!k->sql[k->n - 1] || !k->drop[k->n - 1])
			rc = -1;
	}
	sqlite3_finalize(s);
	for (int i = 0; rc == 0 && i < k->n; i++)
		rc = exec_or_report(db, k->drop[i]);
	return rc;
}

/* Indexes first (they sort before the triggers), then the triggers. */
static int schema_restore(sqlite3 *db, const struct kept *k)
{
	for (int i = 0; i < k->n; i++)
		if (exec_or_report(db, k->sql[i]) != 0)
			return -1;
	return 0;
}

static int step_id(sqlite3 *db, const char *sql, int64_t id)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
	}
	if (rc != 0)
		fprintf(stderr, "inved-bench-gen: %s: %s\n", sql,
		        sqlite3_errmsg(db));
	sqlite3_finalize(s);
	return rc;
}

static int64_t int_id(sqlite3 *db, const char *sql, int64_t id)
{
	sqlite3_stmt *s = NULL;
	int64_t v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) == SQLITE_ROW)
			v = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

/* Audit (which is also the change feed, read through the view changes)
 * and totals of the invoices from id first on, one statement each, in id
 * order as the trigger would have written them. */
static int sets_insert(sqlite3 *db, int64_t first)
{
	int64_t head = int_id(db, "SELECT coalesce(max(seq), 0) FROM audit "
	                          "WHERE ?1", 1);

	/* each invoice's history chain (schema 5) is its one creation
	 * row: no prev_seq, and the invoice pointed at it */
	return head < 0 || step_id(db,
		"INSERT INTO audit (at, org_id, actor_user_id, actor, action, "
		"subject_id, from_version, to_version, detail) "
		"SELECT " NOW ", " AUDIT_COLS " FROM invoices WHERE id >= ?1 "
		"ORDER BY id", first) ||
	       step_id(db,
		"UPDATE invoices SET audit_tip = a.seq "
		"FROM (SELECT seq, subject_id FROM audit WHERE seq > ?1) AS a "
		"WHERE invoices.id = a.subject_id", head) ||
	       step_id(db,
		"INSERT INTO totals (org_id, currency, state, count, total_minor) "
		"SELECT org_id, currency, " STATE_OF ", count(*), "
		"sum(total_minor) FROM invoices WHERE id >= ?1 GROUP BY 1, 2, 3 "
		"ON CONFLICT DO UPDATE SET count = count + excluded.count, "
		"total_minor = total_minor + excluded.total_minor", first)
	       ? -1 : 0;
}

/*
 * The set statements restate the insert trigger; this proves they still
 * agree with it.  One more invoice (a copy of the first, with a free
 * number) goes in through the restored trigger under the same claim (the
 * audit row the writer appends before the insert, which the trigger fills);
 * its audit and feed rows must be what AUDIT_COLS and CHANGES_COLS make of
 * it, and the totals must equal a recount.  Then it is rolled back.
 */
static int canary_check(sqlite3 *db, const struct gen_org *org, int64_t first)
{
	char number[NUMBER_MAX_BYTES + 1], *claim;
	sqlite3_stmt *s = NULL;
	int64_t id = -1, differ = -1;
	int rc = -1;

	snprintf(number, sizeof number, "%s%" PRId64, org->prefix, org->next);
	/* the claim carries the detail the trigger checks it against (since
	 * schema 4): the copy of row `first` under the new number */
	claim = sqlite3_mprintf(
		"INSERT INTO audit (at, org_id, actor_user_id, actor, action, "
		"subject_id, from_version, to_version, detail) "
		"SELECT %s, org_id, NULL, 'bench', 'invoice.import', "
		"(SELECT max(id) + 1 FROM invoices), 0, 1, json_object("
		"'number', json_object('old', NULL, 'new', %Q), "
		"'customer', json_object('old', NULL, 'new', customer), "
		"'status', json_object('old', NULL, 'new', status), "
		"'total_minor', json_object('old', NULL, 'new', total_minor), "
		"'currency', json_object('old', NULL, 'new', currency)) "
		"FROM invoices WHERE id = ?1", NOW, number);
	if (!claim || exec_or_report(db, "SAVEPOINT canary") != 0 ||
	    step_id(db, claim, first) != 0) {
		sqlite3_free(claim);
		return -1;
	}
	sqlite3_free(claim);
	if (sqlite3_prepare_v2(db,
		"INSERT INTO invoices (org_id, number, customer, status, "
		"total_minor, currency, version, created_at, updated_at, "
		"archived_at, deleted_at, audit_tip) SELECT org_id, ?2, "
		"customer, status, total_minor, currency, 1, created_at, "
		"updated_at, archived_at, deleted_at, "
		"(SELECT max(seq) FROM audit) FROM invoices WHERE id = ?1", -1,
		&s, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_int64(s, 1, first);
		sqlite3_bind_text(s, 2, number, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(db);
	}
	sqlite3_finalize(s);
	if (id > 0)
		differ = int_id(db,
			"WITH recount AS MATERIALIZED ("
			" SELECT org_id, currency, " STATE_OF ", count(*),"
			" sum(total_minor) FROM invoices GROUP BY 1, 2, 3) "
			"SELECT (SELECT count(*) FROM ("
			" SELECT org_id, actor_user_id, actor, action, subject_id,"
			" from_version, to_version, detail FROM audit"
			" WHERE subject_id = ?1"
			" EXCEPT SELECT " AUDIT_COLS " FROM invoices WHERE id = ?1))"
			"+ (SELECT count(*) FROM ("
			" SELECT org_id, invoice_id, action FROM changes"
			" WHERE invoice_id = ?1"
			" EXCEPT SELECT " CHANGES_COLS " FROM invoices WHERE id = ?1))"
			"+ (SELECT count(*) FROM ("
			" SELECT org_id, currency, state, count, total_minor"
			" FROM totals WHERE count > 0 EXCEPT SELECT * FROM recount))"
			"+ (SELECT count(*) FROM (SELECT * FROM recount EXCEPT"
			" SELECT org_id, currency, state, count, total_minor"
			" FROM totals WHERE count > 0))"
			"+ (SELECT count(*) != 1 FROM audit WHERE subject_id = ?1)"
			"+ (SELECT count(*) != 1 FROM changes WHERE invoice_id = ?1)",
			id);
	if (differ == 0)
		rc = 0;
	else
		fprintf(stderr, "inved-bench-gen: the set load no longer writes "
		        "what the insert trigger of the schema writes; bring "
		        "AUDIT_COLS and CHANGES_COLS in gen.c in step with "
		        "data/schema.sql\n");
	if (exec_or_report(db, "ROLLBACK TO canary; RELEASE canary") != 0)
		rc = -1;
	return rc;
}

/* Every invoice has exactly one audit row and one feed row. */
static int counts_check(sqlite3 *db)
{
	int64_t n = int_id(db, "SELECT count(*) FROM invoices WHERE ?1", 1);

	if (n == int_id(db, "SELECT count(*) FROM audit WHERE ?1", 1) &&
	    n == int_id(db, "SELECT count(*) FROM changes WHERE ?1", 1) &&
	    n == int_id(db, "SELECT count(DISTINCT subject_id) FROM audit "
	                    "WHERE ?1", 1))
		return 0;
	fprintf(stderr, "inved-bench-gen: audit or change-feed rows do not "
	        "match the invoices one for one\n");
	return -1;
}

/* Seconds each step of the load took, for the closing line. */
static double phase_t[5];

static void phase_end(int i, double *t)
{
	double now = now_s();

	phase_t[i] = now - *t;
	*t = now;
}

/* The whole load, inside the caller's transaction. */
static int load(sqlite3 *db, struct gen_org orgs[2], long n, bool yard)
{
	double t = now_s();
	struct kept k = {.n = 0};
	int64_t first = int_id(db, "SELECT coalesce(max(id), 0) + 1 "
	                           "FROM invoices WHERE ?1", 1);
	int rc = -1;

	if (first < 1 || schema_set_aside(db, &k) != 0)
		goto out;
	if (rows_insert(db, orgs, n) != 0)
		goto out;
	phase_end(0, &t);
	if (sets_insert(db, first) != 0)
		goto out;
	phase_end(1, &t);
	if (schema_restore(db, &k) != 0)
		goto out;
	kept_free(&k);
	phase_end(2, &t);
	if (canary_check(db, &orgs[0], first) != 0 || orgs_bump(db, orgs) != 0)
		goto out;
	phase_end(3, &t);
	if (yard && yard_build(db) != 0)
		goto out;
	phase_end(4, &t);
	rc = 0;
out:
	kept_free(&k);
	return rc;
}

static int members_add(struct store *st)
{
	static const struct {
		const char *user, *org;
		enum inv_role role;
	} m[] = {
		{"alice", "acme", ROLE_ADMIN},
		{"bob", "acme", ROLE_MEMBER},
		{"carol", "globex", ROLE_ADMIN},
		{"dave", "globex", ROLE_MEMBER},
	};
	struct inv_err err;

	/* The file is a demo database: its users are the demo's, and the
	 * runner acts as any of them (--user), which only a demo database
	 * allows.  The marker goes in the way `init --demo` writes it, before
	 * the first org; the schema refuses it afterwards. */
	if (exec_or_report(engine(st), "INSERT INTO meta (key, value) "
	                           "VALUES ('demo', '1')") != 0)
		return -1;
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		if (store_add_member(st, m[i].user, m[i].org, m[i].role, &err) !=
		    INV_OK) {
			fprintf(stderr, "inved-bench-gen: %s\n", err.msg);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gen_org orgs[2] = {
		{"acme", "ACME-", 0, 0},
		{"globex", "GLOBEX-", 0, 0},
	};
	struct gen_opts o;
	struct store *st = NULL;
	struct inv_err err;
	double t0, t1, t2;
	int rc;

	rc = opts_parse(argc, argv, &o);
	if (rc)
		return rc;
	rng_state = o.seed * UINT64_C(0x9E3779B97F4A7C15) | 1;
	if (access(o.db, F_OK) == 0) {
		if (!o.force) {
			fprintf(stderr, "inved-bench-gen: %s exists; use --force to "
			        "replace it\n", o.db);
			return 2;
		}
		if (remove_db(o.db) != 0)
			return 1;
	}
	if (store_open(o.db, &(struct store_options){STORE_OPEN_CREATE, 0},
	               &st, &err) != INV_OK) {
		fprintf(stderr, "inved-bench-gen: %s\n", err.msg);
		return 1;
	}
	if (!engine(st)) {
		fprintf(stderr, "inved-bench-gen: %s is not served by the "
		        "SQLite backend\n", o.db);
		store_close(st);
		return 1;
	}
	rc = 1;
	if (members_add(st) != 0 || org_lookup(engine(st), &orgs[0]) != 0 ||
	    org_lookup(engine(st), &orgs[1]) != 0)
		goto out;

	t0 = now_s();
	if (exec_or_report(engine(st), "PRAGMA journal_mode = DELETE;"
	                           "PRAGMA cache_size = -3145728;"
	                           "PRAGMA synchronous = OFF;"
	                           "PRAGMA temp_store = MEMORY;"
	                           "BEGIN IMMEDIATE") != 0)
		goto out;
	if (load(engine(st), orgs, o.invoices, o.yard) != 0 ||
	    exec_or_report(engine(st), "COMMIT") != 0) {
		exec_or_report(engine(st), "ROLLBACK");
		goto out;
	}
	if (exec_or_report(engine(st), "PRAGMA journal_mode = WAL;"
	                           "PRAGMA cache_size = -2000;") != 0)
		goto out;
	t1 = now_s();
	if (o.check && store_check(st, &err) != INV_OK) {
		fprintf(stderr, "inved-bench-gen: check failed: %s\n", err.msg);
		goto out;
	}
	if (counts_check(engine(st)) != 0)
		goto out;
	t2 = now_s();
	printf("inved-bench-gen: %s: %ld invoices (acme %" PRId64
	       ", globex %" PRId64 " numbers) in %.1f s; %s in %.1f s\n",
	       o.db, o.invoices, orgs[0].next - 1001, orgs[1].next - 1001,
	       t1 - t0, o.check ? "store_check ok" : "counts ok", t2 - t1);
	printf("inved-bench-gen: invoices %.1f s, audit + feed + totals %.1f s, "
	       "indexes and triggers %.1f s, trigger check %.1f s, yardstick "
	       "tables %.1f s, commit %.1f s\n",
	       phase_t[0], phase_t[1], phase_t[2], phase_t[3], phase_t[4],
	       t1 - t0 - phase_t[0] - phase_t[1] - phase_t[2] - phase_t[3] -
	               phase_t[4]);
	rc = 0;
out:
	store_close(st);
	/* a half-made file must not pass for a finished one */
	if (rc != 0)
		remove_db(o.db);
	return rc;
}
