/*
 * pgyard.c - the PostgreSQL figures' database and yardsticks (pgyard.h).
 */
#include "pgyard.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A statement that must succeed; -1 with the server's reason otherwise. */
static int sql_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK ? 0 : -1;

	if (rc != 0)
		fprintf(stderr, "inved-bench: %.60s...: %s", sql,
		        PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

/* The first value of a one-row query as text into buf; -1 on failure. */
static int sql_text(PGconn *c, const char *sql, char *buf, size_t len)
{
	PGresult *r = PQexec(c, sql);
	int rc = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
		rc = 0;
	} else {
		fprintf(stderr, "inved-bench: %s: %s", sql,
		        PQresultErrorMessage(r));
	}
	PQclear(r);
	return rc;
}

/* value, percent-encoded for a URI's query, appended to buf */
static void uri_add(char *buf, size_t len, const char *key, const char *value)
{
	size_t o = strlen(buf);

	o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s=",
	                      strchr(buf, '?') ? "&" : "?", key);
	for (const char *p = value; *p && o + 4 < len; p++) {
		unsigned char ch = (unsigned char)*p;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("/._-", ch))
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, len - o, "%%%02X", ch);
	}
	if (o < len)
		buf[o] = '\0';
}

/* The URI of the run's database as its owner: the admin connection's
 * host, port, password and TLS settings, with the database and the user
 * replaced. */
static void db_uri(PGconn *admin, const struct pgyard_db *db, char *buf,
                   size_t len)
{
	static const char *const keep[] = {"host", "hostaddr", "port",
	                                   "password", "sslmode", "sslcert",
	                                   "sslkey", "sslrootcert", NULL};
	PQconninfoOption *opt = PQconninfo(admin);

	snprintf(buf, len, "postgresql:///%s", db->name);
	for (PQconninfoOption *o = opt; o && o->keyword; o++)
		for (int k = 0; keep[k]; k++)
			if (strcmp(o->keyword, keep[k]) == 0 && o->val &&
			    *o->val &&
			    /* a password only for the admin's own role */
			    (strcmp(o->keyword, "password") != 0 ||
			     strcmp(db->owner, PQuser(admin)) == 0))
				uri_add(buf, len, o->keyword, o->val);
	uri_add(buf, len, "user", db->owner);
	PQconninfoFree(opt);
}

static int settings_read(PGconn *c, struct pgyard_db *db)
{
	char ver[32], fs[8], sc[16], sb[16];

	if (sql_text(c, "SHOW server_version", ver, sizeof ver) != 0 ||
	    sql_text(c, "SHOW fsync", fs, sizeof fs) != 0 ||
	    sql_text(c, "SHOW synchronous_commit", sc, sizeof sc) != 0 ||
	    sql_text(c, "SHOW shared_buffers", sb, sizeof sb) != 0)
		return -1;
	snprintf(db->settings, sizeof db->settings,
	         "PostgreSQL %s, fsync %s, synchronous_commit %s, "
	         "shared_buffers %s",
	         ver, fs, sc, sb);
	return 0;
}

int pgyard_create(const char *admin_uri, struct pgyard_db *db)
{
	static int made;
	PGconn *c = PQconnectdb(admin_uri);
	char sql[512], super[8] = "off";
	PGconn *probe;
	int rc = -1;

	memset(db, 0, sizeof *db);
	snprintf(db->admin, sizeof db->admin, "%s", admin_uri);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "inved-bench: cannot connect to %s: %s",
		        admin_uri, PQerrorMessage(c));
		PQfinish(c);
		return -1;
	}
	snprintf(db->name, sizeof db->name, "inved_bench_%ld_%d",
	         (long)getpid(), made++);
	/* a role of the benchmark's own: no superuser, so row security
	 * filters its reads and writes as it does a member's; else (it may
	 * not be made, or may not connect) the admin's own role */
	for (int attempt = 0; attempt < 2 && rc != 0; attempt++) {
		if (attempt == 0 &&
		    sql_ok(c, "DO $$ BEGIN CREATE ROLE inved_bench LOGIN; "
		              "EXCEPTION WHEN duplicate_object OR "
		              "unique_violation THEN NULL; END $$") == 0)
			snprintf(db->owner, sizeof db->owner, "inved_bench");
		else if (attempt == 0)
			continue;
		else
			snprintf(db->owner, sizeof db->owner, "%s", PQuser(c));
		snprintf(sql, sizeof sql, "CREATE DATABASE %s OWNER \"%s\"",
		         db->name, db->owner);
		if (sql_ok(c, sql) != 0)
			continue;
		db_uri(c, db, db->uri, sizeof db->uri);
		probe = PQconnectdb(db->uri);
		if (PQstatus(probe) == CONNECTION_OK &&
		    settings_read(probe, db) == 0 &&
		    sql_text(probe, "SELECT rolsuper OR rolbypassrls FROM "
		                    "pg_roles WHERE rolname = current_user",
		             super, sizeof super) == 0) {
			rc = 0;
		} else {
			fprintf(stderr, "inved-bench: as %s: %s", db->owner,
			        PQerrorMessage(probe));
			pgyard_drop(db);
		}
		PQfinish(probe);
	}
	if (rc != 0) {
		fprintf(stderr, "inved-bench: no database could be made on %s\n",
		        admin_uri);
		goto out;
	}
	db->owner_is_super = super[0] == 't';
out:
	PQfinish(c);
	return rc;
}

void pgyard_drop(const struct pgyard_db *db)
{
	PGconn *c;
	char sql[160];

	if (!db->name[0])
		return;
	c = PQconnectdb(db->admin);
	if (PQstatus(c) == CONNECTION_OK) {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)",
		         db->name);
		sql_ok(c, sql);
	}
	PQfinish(c);
}

PGconn *pgyard_connect(const struct pgyard_db *db)
{
	PGconn *c = PQconnectdb(db->uri);

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "inved-bench: cannot connect to %s: %s", db->uri,
		        PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Customers and currencies of the rows made in sets: the same few the
 * SQLite generator uses most, enough that pages and totals vary. */
static const char fill_sql[] =
	"INSERT INTO invoices (org_id, number, customer, status, total_minor, "
	"currency) "
	"SELECT $1::bigint, 'BENCH-' || g, "
	" (ARRAY['Initech', 'Umbrella Corp', 'Hooli', 'Soylent', 'Globex', "
	"  'Müller GmbH', 'Åkesson AB', 'Σίσυφος ΑΕ'])[1 + g % 8] || ' ' || g,"
	" (ARRAY['draft', 'sent', 'paid', 'void'])[1 + g % 4],"
	" 100 + (g * 7919) % 1000000,"
	" (ARRAY['EUR', 'EUR', 'EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK'])"
	"  [1 + g % 8] "
	"FROM generate_series(1, $2::bigint) g";

static const char yard_sql[] =
	"SET client_min_messages = warning;"
	"DROP TABLE IF EXISTS bare_invoices;"
	"DROP TABLE IF EXISTS bare_audit;"
	"DROP SEQUENCE IF EXISTS bare_audit_seq;"
	"CREATE TABLE bare_invoices (LIKE invoices INCLUDING DEFAULTS "
	" INCLUDING CONSTRAINTS);"
	"INSERT INTO bare_invoices SELECT * FROM invoices ORDER BY id;"
	"CREATE TABLE bare_audit (LIKE audit INCLUDING DEFAULTS "
	" INCLUDING CONSTRAINTS);"
	"INSERT INTO bare_audit SELECT * FROM audit ORDER BY seq;"
	/* the indexes of invoices and audit, built after the copy */
	"ALTER TABLE bare_invoices ADD PRIMARY KEY (id);"
	"CREATE UNIQUE INDEX bare_live_number ON bare_invoices(org_id, number)"
	" WHERE deleted_at IS NULL;"
	"CREATE INDEX bare_active_page ON bare_invoices(org_id, id)"
	" WHERE archived_at IS NULL AND deleted_at IS NULL;"
	"CREATE INDEX bare_archived_page ON bare_invoices(org_id, id)"
	" WHERE archived_at IS NOT NULL AND deleted_at IS NULL;"
	"CREATE INDEX bare_org_page ON bare_invoices(org_id, id);"
	"ALTER TABLE bare_audit ADD PRIMARY KEY (seq);"
	"CREATE INDEX bare_audit_org ON bare_audit(org_id, seq);"
	"CREATE INDEX bare_audit_subject ON bare_audit(subject_id, seq);"
	"CREATE SEQUENCE bare_audit_seq AS bigint;"
	"SELECT setval('bare_audit_seq', coalesce(max(seq), 0) + 1) "
	" FROM bare_audit;"
	"ALTER TABLE bare_audit ALTER seq SET DEFAULT nextval('bare_audit_seq');"
	"ANALYZE invoices, audit, totals, feed_heads, bare_invoices, bare_audit;"
	"RESET client_min_messages;";

int pgyard_fill(PGconn *c, int64_t org_id, long n)
{
	char org[24], count[24];
	const char *params[2] = {org, count};
	PGresult *r;
	int rc;

	snprintf(org, sizeof org, "%" PRId64, org_id);
	snprintf(count, sizeof count, "%ld", n);
	r = PQexecParams(c, fill_sql, 2, NULL, params, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
	if (rc != 0)
		fprintf(stderr, "inved-bench: filling the invoices: %s",
		        PQresultErrorMessage(r));
	PQclear(r);
	if (rc == 0)
		rc = sql_ok(c, yard_sql);
	return rc;
}

/* ---- the guarded edit's yardstick ------------------------------------------ */

static const char bare_load_sql[] =
	"SELECT version, total_minor, org_id FROM bare_invoices WHERE id = $1";
static const char bare_update_sql[] =
	"UPDATE bare_invoices SET total_minor = $1, updated_at = now(), "
	"version = version + 1 WHERE id = $2 AND version = $3";
static const char bare_audit_sql[] =
	"INSERT INTO bare_audit (org_id, actor_user_id, actor, action, "
	"subject_id, from_version, to_version, detail) VALUES "
	"($1, $2, $3, 'invoice.edit', $4, $5, $5::bigint + 1, "
	"jsonb_build_object('total_minor', jsonb_build_object('old', "
	"$6::bigint, 'new', $7::bigint))::text)";

/* Prepared once per connection, as the store prepares its own. */
static int bare_prepare(PGconn *c)
{
	static const char *const sql[] = {bare_load_sql, bare_update_sql,
	                                  bare_audit_sql};
	static const int nparams[] = {1, 3, 7};
	PGresult *r = PQdescribePrepared(c, "bare0");
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

	PQclear(r);
	if (ok)
		return 0;
	for (int i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof name, "bare%d", i);
		r = PQprepare(c, name, sql[i], nparams[i], NULL);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			fprintf(stderr, "inved-bench: %s", PQresultErrorMessage(r));
		PQclear(r);
		if (!ok)
			return -1;
	}
	return 0;
}

int pgyard_bare_edit(PGconn *c, int64_t id, int64_t user_id,
                     const char *actor, const char *notify)
{
	const char *note[1] = {notify};
	int steps = notify ? 5 : 4;
	char idt[24], ver[24], total[24], old[24], org[24], uid[24];
	const char *load[1] = {idt};
	const char *upd[3] = {total, idt, ver};
	const char *aud[7] = {org, uid, actor, idt, ver, old, total};
	PGresult *r;
	int rc = 0, i;

	if (bare_prepare(c) != 0)
		return -1;
	snprintf(idt, sizeof idt, "%" PRId64, id);
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	r = PQexecPrepared(c, "bare0", 1, load, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "inved-bench: bare load %s: %s", idt,
		        PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	snprintf(ver, sizeof ver, "%s", PQgetvalue(r, 0, 0));
	snprintf(old, sizeof old, "%s", PQgetvalue(r, 0, 1));
	snprintf(org, sizeof org, "%s", PQgetvalue(r, 0, 2));
	snprintf(total, sizeof total, "%lld", strtoll(old, NULL, 10) + 1);
	PQclear(r);
	/* BEGIN, UPDATE, INSERT, COMMIT: one round trip, as the store sends
	 * its write and COMMIT */
	if (PQenterPipelineMode(c) != 1)
		return -1;
	if (PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQsendQueryPrepared(c, "bare1", 3, upd, NULL, NULL, 0) != 1 ||
	    PQsendQueryPrepared(c, "bare2", 7, aud, NULL, NULL, 0) != 1 ||
	    (notify && PQsendQueryParams(c, "SELECT pg_notify('"
	                                 PGYARD_CHANNEL "', $1)", 1, NULL,
	                                 note, NULL, NULL, 0) != 1) ||
	    PQsendQueryParams(c, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1 ||
	    PQpipelineSync(c) != 1) {
		fprintf(stderr, "inved-bench: bare edit: %s", PQerrorMessage(c));
		PQexitPipelineMode(c);
		return -1;
	}
	for (i = 0; i < steps; i++) {
		r = PQgetResult(c);
		if (!r || (PQresultStatus(r) != PGRES_COMMAND_OK &&
		           PQresultStatus(r) != PGRES_TUPLES_OK)) {
			if (rc == 0)
				fprintf(stderr, "inved-bench: bare edit: %s",
				        r ? PQresultErrorMessage(r)
				          : PQerrorMessage(c));
			rc = -1;
		} else if (i == 1 && strcmp(PQcmdTuples(r), "1") != 0) {
			/* the version moved under the bare edit: its audit
			 * row went in for nothing; counted as a failure */
			rc = -1;
		}
		PQclear(r);
		while (r && (r = PQgetResult(c)) != NULL)
			PQclear(r);
	}
	PQclear(PQgetResult(c)); /* the sync */
	if (PQexitPipelineMode(c) != 1)
		rc = -1;
	return rc;
}

PGconn *pgyard_listener(const struct pgyard_db *db)
{
	PGconn *c = pgyard_connect(db);

	if (c && (sql_ok(c, "LISTEN " PGYARD_CHANNEL) != 0 ||
	          PQsetnonblocking(c, 1) != 0)) {
		PQfinish(c);
		c = NULL;
	}
	return c;
}

int pgyard_notified(PGconn *c, int64_t *out, size_t max)
{
	PGnotify *n;
	size_t k = 0;

	if (PQconsumeInput(c) == 0)
		return -1;
	while ((n = PQnotifies(c)) != NULL) {
		if (k < max)
			out[k++] = strtoll(n->extra, NULL, 10);
		PQfreemem(n);
	}
	return (int)k;
}

/* ---- the race's yardstick -------------------------------------------------- */

int pgyard_naive_edit(PGconn *c, int64_t id)
{
	char idt[24], total[24];
	const char *rd[1] = {idt};
	const char *wr[2] = {total, idt};
	PGresult *r;
	int rc = -1;

	snprintf(idt, sizeof idt, "%" PRId64, id);
	r = PQexecParams(c, "SELECT total_minor FROM invoices WHERE id = $1", 1,
	                 NULL, rd, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
		snprintf(total, sizeof total, "%lld",
		         strtoll(PQgetvalue(r, 0, 0), NULL, 10) + 1);
		rc = 0;
	}
	PQclear(r);
	if (rc != 0)
		return -1;
	r = PQexecParams(c, "UPDATE invoices SET total_minor = $1 WHERE id = $2",
	                 2, NULL, wr, NULL, NULL, 0);
	rc = PQresultStatus(r) == PGRES_COMMAND_OK &&
	                     strcmp(PQcmdTuples(r), "1") == 0
	             ? 0
	             : -1;
	PQclear(r);
	return rc;
}

int64_t pgyard_audit_edits(PGconn *c, const int64_t *ids, size_t n,
                           int64_t after)
{
	char list[512] = "{", seq[24];
	const char *params[2] = {list, seq};
	size_t o = 1;
	PGresult *r;
	int64_t v = -1;

	for (size_t i = 0; i < n && o + 24 < sizeof list; i++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%" PRId64,
		                      i ? "," : "", ids[i]);
	snprintf(list + o, sizeof list - o, "}");
	snprintf(seq, sizeof seq, "%" PRId64, after);
	r = PQexecParams(c, "SELECT count(*) FROM audit WHERE subject_id = "
	                    "ANY($1::bigint[]) AND seq > $2 "
	                    "AND action = 'invoice.edit'",
	                 2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		fprintf(stderr, "inved-bench: counting audit rows: %s",
		        PQresultErrorMessage(r));
	PQclear(r);
	return v;
}

int64_t pgyard_audit_head(PGconn *c)
{
	char buf[24];

	if (sql_text(c, "SELECT coalesce(max(seq), 0) FROM audit", buf,
	             sizeof buf) != 0)
		return -1;
	return strtoll(buf, NULL, 10);
}
