/*
 * pgstore.c - the PostgreSQL backend (libpq): opening and migrating a
 * database, identity, reads, and the guarded writes of SPEC 3.
 *
 * A guarded write is one transaction at READ COMMITTED: the row is loaded
 * by (session org, id) with SELECT ... FOR UPDATE, so no other writer can
 * move it until this one commits; tenancy, lifecycle, role and version are
 * checked against it in that order; then inved names its action with
 * SET LOCAL inved.action (the schema's triggers record the connection's
 * role as the actor, write the audit row, which is also the change-feed
 * row, and the totals) and runs the UPDATE, which still carries
 * `AND version = loaded` as a second guard.  A lock held by another writer
 * past the busy timeout (lock_timeout, SQLSTATE 55P03) is INV_BUSY, and
 * the rolled-back transaction wrote nothing.  Each write carries a request
 * token of its own into its audit row; when the connection drops after
 * the COMMIT was sent, the connection is made again and the token tells
 * whether the write committed (pgstore_write, pgmore.h).
 *
 * The write guard, as the SQLite backend's: a connection compares the
 * schema with data/schema-pg.sql before its first write (pgcheck.c) and
 * keeps the digest of the catalog rows that comparison looks at; every
 * guarded write then asserts, after its UPDATE and before its COMMIT in
 * the same round trip, that the digest is unchanged and that the
 * invoice's newest audit row is the one this write made, so a switched
 * off or re-pointed trigger, a rewritten function, a dropped index or
 * policy stops the write (it is verified again, and refused as
 * INV_DAMAGED when the schema differs).  Under the row's lock the
 * invoice's newest audit row must also end at the version loaded (a
 * change without its audit row, or a removed audit row): the history's
 * guard.  A create or a membership change reads the digest in a round
 * trip of its own before its transaction.
 *
 * Every statement has its parameters bound (PQexecParams); text read back
 * is copied bounded, never trusted to fit.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "i18n.h"
#include "money.h"
#include "audit_explain.h"
#include "demo_data.h"
#include "jsoncodec.h"
#include "pgmore.h"
#include "pgstore.h"
#include "rules.h"

extern const char inved_schema_pg_sql[];

#define PG_STMTS 24

struct pg_store {
	PGconn *conn;
	char *uri;
	char listen_sql[1024]; /* LISTEN on the org's NOTIFY channel(s) */
	bool listening;  /* conn has run listen_sql */
	/* the wake-up descriptor: an epoll set of conn's socket and wake_ev,
	 * an eventfd raised when a statement's reply brought notifications
	 * along (libpq keeps them, and the socket is quiet again) */
	int wake_ep, wake_ev, wake_sock;
	struct presence *presences; /* live registrations (pgpresence.c) */
	int64_t org;      /* the org of the identity last resolved, or 0 */
	/* statements prepared on this connection, named "s<index>", by the
	 * address of their (static) text */
	const char *prepared[PG_STMTS];
	int nprepared;
	int busy_ms;
	bool demo;
	bool batch; /* inside the demo's one transaction: a write is a
	             * savepoint of it, not a transaction of its own */
	enum pg_fault fault; /* INVED_PG_FAULT, until it fired once */
	char role[NAME_MAX_BYTES + 1]; /* the connection's role */
	char state[6]; /* the SQLSTATE of the last failure ("" for libpq's) */
	char where[128];               /* the database, for messages */
	struct pg_guard guard; /* the schema as last verified */
	/* the guard statement of each write, its oids written in (so it is
	 * planned once), prepared on the connection as "g<guard_gen>" */
	char *guard_sql;
	unsigned guard_gen;
	bool guard_prepared;
};

struct presence **pgstore_presences(struct pg_store *st)
{
	return &st->presences;
}

/* The connection, for the backend's other files (pgmore.h). */
PGconn *pgstore_conn(struct pg_store *st)
{
	return st->conn;
}

const char *pgstore_where(struct pg_store *st)
{
	return st->where;
}

#define ROW_COLS                                                           \
	"id, org_id, number, customer, status, total_minor, currency, "        \
	"version, inved_time_text(created_at), inved_time_text(updated_at), "  \
	"coalesce(inved_time_text(archived_at), ''), "                        \
	"coalesce(inved_time_text(deleted_at), '')"

bool pgstore_accepts(const char *location)
{
	return location && (strncmp(location, "postgresql://", 13) == 0 ||
	                    strncmp(location, "postgres://", 11) == 0);
}

/* ---- results and errors ------------------------------------------------ */

/* The first line of a server or libpq message, for one-line errors. */
static void first_line(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	if (src)
		while (src[n] && src[n] != '\n' && n + 1 < len)
			n++;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Map a failed result to the store's codes.  The schema's own refusals
 * carry SQLSTATEs of class IV (data/schema-pg.sql); the rest are the
 * server's. */
static enum inv_rc pg_fail(struct pg_store *st, const PGresult *r,
                           struct inv_err *err)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
	                    : NULL;
	char line[400];
	enum inv_rc rc = INV_ERROR;

	first_line(line, sizeof line,
	           msg ? msg : PQerrorMessage(st->conn));
	if (!state)
		state = "";
	snprintf(st->state, sizeof st->state, "%s", state);
	if (strcmp(state, "55P03") == 0)
		return inv_err_set(err, INV_BUSY, "",
			_("the database %s stayed locked by another writer for "
			  "more than %d ms; nothing was written — try again"),
			PQdb(st->conn), st->busy_ms);
	if (strcmp(state, "IV403") == 0 || strcmp(state, "42501") == 0 ||
	    strcmp(state, "42000") == 0)
		rc = INV_FORBIDDEN;
	else if (strcmp(state, "IV404") == 0)
		rc = INV_NOT_FOUND;
	else if (strcmp(state, "IV409") == 0 || strcmp(state, "23505") == 0 ||
	         strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		rc = INV_CONFLICT;
	else if (strcmp(state, "IV422") == 0 || strcmp(state, "23514") == 0 ||
	         strcmp(state, "22003") == 0)
		rc = INV_INVALID;
	return inv_err_set(err, rc, "", "%s: %s", st->where, line);
}

/* Run one statement with text parameters; *out (may be NULL) receives the
 * result, which the caller clears.  INV_OK for a command or rows. */
static enum inv_rc pg_run(struct pg_store *st, const char *sql, int n,
                          const char *const *params, PGresult **out,
                          struct inv_err *err)
{
	PGresult *r = PQexecParams(st->conn, sql, n, NULL, params, NULL, NULL,
	                           0);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum inv_rc rc = INV_OK;

	pgstore_note_notifies(st);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = pg_fail(st, r, err);
	if (out && rc == INV_OK)
		*out = r;
	else
		PQclear(r);
	return rc;
}

/* One statement of a pipeline, and its result (the caller clears it). */
struct pg_step {
	const char *sql;
	int n;
	const char *const *params;
	PGresult *res;
	const char *name; /* NULL, or a statement prepared by that name */
};

/* The prepared statement of sql (a static text: its address is its key),
 * prepared on first use; -1 when the cache is full or preparing failed
 * (the statement then runs unprepared and reports its own error). */
static int stmt_slot(struct pg_store *st, const char *sql, int n)
{
	char name[16];
	PGresult *r;
	int i;

	for (i = 0; i < st->nprepared; i++)
		if (st->prepared[i] == sql)
			return i;
	if (st->nprepared == PG_STMTS)
		return -1;
	snprintf(name, sizeof name, "s%d", st->nprepared);
	r = PQprepare(st->conn, name, sql, n, NULL);
	i = PQresultStatus(r) == PGRES_COMMAND_OK ? st->nprepared++ : -1;
	PQclear(r);
	if (i >= 0)
		st->prepared[i] = sql;
	return i;
}

/* Send steps as one pipeline, one round trip to the server for them all.
 * Each step's rows land in its res; after the first failure (whose code
 * is returned) the server skips the rest, whose res stay NULL. */
static enum inv_rc pg_pipeline(struct pg_store *st, struct pg_step *steps,
                               int n, struct inv_err *err)
{
	enum inv_rc rc = INV_OK;
	PGresult *r;
	int i;

	int slot[8];

	assert(n <= 8);
	for (i = 0; i < n; i++) {
		steps[i].res = NULL;
		slot[i] = steps[i].name ? 0
		                        : stmt_slot(st, steps[i].sql, steps[i].n);
	}
	if (PQenterPipelineMode(st->conn) != 1)
		return pg_fail(st, NULL, err);
	for (i = 0; i < n; i++) {
		char name[16];
		int ok;

		snprintf(name, sizeof name, "s%d", slot[i]);
		ok = steps[i].name
		             ? PQsendQueryPrepared(st->conn, steps[i].name,
		                                   steps[i].n, steps[i].params,
		                                   NULL, NULL, 0)
		     : slot[i] >= 0
		             ? PQsendQueryPrepared(st->conn, name, steps[i].n,
		                                   steps[i].params, NULL, NULL, 0)
		             : PQsendQueryParams(st->conn, steps[i].sql,
		                                 steps[i].n, NULL, steps[i].params,
		                                 NULL, NULL, 0);
		if (ok != 1)
			break;
	}
	if (i < n || PQpipelineSync(st->conn) != 1) {
		/* the connection is gone; libpq says why */
		rc = pg_fail(st, NULL, err);
		PQexitPipelineMode(st->conn);
		return rc;
	}
	for (i = 0; i < n; i++) {
		ExecStatusType s;

		r = PQgetResult(st->conn);
		s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
		if (rc == INV_OK && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK))
			steps[i].res = r;
		else {
			if (rc == INV_OK)
				rc = pg_fail(st, r, err);
			PQclear(r);
		}
		/* a statement's results end with NULL */
		while (r && (r = PQgetResult(st->conn)) != NULL)
			PQclear(r);
	}
	r = PQgetResult(st->conn); /* the sync */
	PQclear(r);
	pgstore_note_notifies(st);
	if (PQexitPipelineMode(st->conn) != 1 && rc == INV_OK)
		rc = pg_fail(st, NULL, err);
	return rc;
}

static void copy_value(char *dst, size_t len, const PGresult *r, int row,
                       int col)
{
	const char *t = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
	size_t n = strnlen(t, len - 1);

	memcpy(dst, t, n);
	dst[n] = '\0';
}

static int64_t int_value(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col)
	               ? 0
	               : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static void row_read(const PGresult *r, int row, struct invoice *inv)
{
	char status[16];

	memset(inv, 0, sizeof *inv);
	inv->id = int_value(r, row, 0);
	inv->org_id = int_value(r, row, 1);
	copy_value(inv->number, sizeof inv->number, r, row, 2);
	copy_value(inv->customer, sizeof inv->customer, r, row, 3);
	copy_value(status, sizeof status, r, row, 4);
	if (invoice_status_parse(status, &inv->status, NULL) != INV_OK)
		inv->status = ST_DRAFT;
	inv->total_minor = int_value(r, row, 5);
	copy_value(inv->currency, sizeof inv->currency, r, row, 6);
	inv->version = int_value(r, row, 7);
	copy_value(inv->created_at, sizeof inv->created_at, r, row, 8);
	copy_value(inv->updated_at, sizeof inv->updated_at, r, row, 9);
	copy_value(inv->archived_at, sizeof inv->archived_at, r, row, 10);
	copy_value(inv->deleted_at, sizeof inv->deleted_at, r, row, 11);
}

/* ---- opening ----------------------------------------------------------- */

/* The statements of data/schema-pg.sql from the line "-- schema N --" up
 * to the next such line (N 0: the whole file, the newest schema for an
 * empty database), malloc'd; NULL when the file has no such part or
 * without memory. */
static char *schema_part(int n)
{
	const char *start = inved_schema_pg_sql, *end;
	char mark[32];
	char *out;

	if (n > 0) {
		snprintf(mark, sizeof mark, "\n-- schema %d --\n", n);
		start = strstr(inved_schema_pg_sql, mark);
		if (!start)
			return NULL;
		start += strlen(mark);
	}
	end = n > 0 ? strstr(start, "\n-- schema ") : NULL;
	if (!end)
		end = start + strlen(start);
	out = malloc((size_t)(end - start) + 1);
	if (!out)
		return NULL;
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	return out;
}

/* Run a script of statements (no parameters) as one transaction. */
static enum inv_rc run_script(struct pg_store *st, const char *sql,
                              struct inv_err *err)
{
	PGresult *r = PQexec(st->conn, "BEGIN");
	enum inv_rc rc = INV_OK;

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_fail(st, r, err);
	PQclear(r);
	if (rc != INV_OK)
		return rc;
	r = PQexec(st->conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = pg_fail(st, r, err);
	PQclear(r);
	r = PQexec(st->conn, rc == INV_OK ? "COMMIT" : "ROLLBACK");
	if (rc == INV_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_fail(st, r, err);
	PQclear(r);
	return rc;
}

/* Install the schema, or migrate it forward, or refuse a newer one. */
static enum inv_rc schema_ready(struct pg_store *st, bool create,
                                struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc;
	int64_t have = 0;

	rc = pg_run(st, "SELECT to_regclass('public.meta') IS NOT NULL", 0,
	            NULL, &r, err);
	if (rc != INV_OK)
		return rc;
	if (strcmp(PQgetvalue(r, 0, 0), "t") == 0) {
		PQclear(r);
		r = NULL;
		rc = pg_run(st, "SELECT value::bigint FROM meta "
		                "WHERE key = 'schema_version'",
		            0, NULL, &r, err);
		if (rc != INV_OK)
			return rc;
		if (PQntuples(r) == 1)
			have = int_value(r, 0, 0);
	}
	PQclear(r);
	if (have > PG_SCHEMA_VERSION)
		return inv_err_set(err, INV_ERROR, "",
			_("%s was written by a newer inved (schema %" PRId64
			  ", this inved knows up to %d); it was not modified — "
			  "upgrade inved to open it"),
			st->where, have, PG_SCHEMA_VERSION);
	if (have == 0 && !create)
		return inv_err_set(err, INV_NOT_FOUND, "",
			_("%s holds no inved database; create one with `inved "
			  "init`"),
			st->where);
	for (int v = (int)have; v < PG_SCHEMA_VERSION; v++) {
		/* version 0 is an empty database: the whole schema */
		char *part = schema_part(v == 0 ? 0 : v + 1);

		if (!part)
			return inv_err_set(err, INV_ERROR, "",
				_("%s has schema %d, which this inved cannot "
				  "migrate"),
				st->where, v);
		rc = run_script(st, part, err);
		free(part);
		if (rc != INV_OK)
			return rc;
		if (v == 0)
			break; /* the whole file is the newest schema */
	}
	return INV_OK;
}

/* The test-only fault of INVED_PG_FAULT (pgmore.h), read once per open. */
static enum pg_fault fault_from_env(void)
{
	const char *f = getenv("INVED_PG_FAULT");

	if (!f)
		return PG_FAULT_NONE;
	if (strcmp(f, "commit-lost") == 0)
		return PG_FAULT_COMMIT_LOST;
	if (strcmp(f, "commit-dropped") == 0)
		return PG_FAULT_COMMIT_DROPPED;
	return PG_FAULT_NONE;
}

enum inv_rc pgstore_open(const char *uri, int flags, int busy_timeout_ms,
                         struct pg_store **out, struct inv_err *err)
{
	struct pg_store *st;
	PGresult *r = NULL;
	enum inv_rc rc;

	*out = NULL;
	if (!pgstore_accepts(uri))
		return inv_err_set(err, INV_INVALID, "db",
			_("%s is not a postgresql:// URI"), uri ? uri : "");
	st = calloc(1, sizeof *st);
	if (!st)
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	st->busy_ms = busy_timeout_ms > 0 ? busy_timeout_ms
	                                  : STORE_BUSY_DEFAULT_MS;
	st->wake_ep = st->wake_ev = st->wake_sock = -1;
	st->uri = strdup(uri);
	if (!st->uri) {
		free(st);
		return inv_err_set(err, INV_ERROR, "", _("out of memory"));
	}
	st->fault = fault_from_env();
	st->conn = PQconnectdb(uri);
	if (!st->conn || PQstatus(st->conn) != CONNECTION_OK) {
		char line[400];

		first_line(line, sizeof line,
		           st->conn ? PQerrorMessage(st->conn) : "");
		rc = inv_err_set(err, INV_ERROR, "",
			_("cannot connect to the PostgreSQL database: %s"), line);
		pgstore_close(st);
		return rc;
	}
	snprintf(st->where, sizeof st->where, "database %s", PQdb(st->conn));
	rc = pg_run(st, "SELECT session_user, "
	                "set_config('search_path', 'public', false)",
	            0, NULL, &r, err);
	if (rc == INV_OK) {
		copy_value(st->role, sizeof st->role, r, 0, 0);
		PQclear(r);
		r = NULL;
		rc = schema_ready(st, flags & STORE_OPEN_CREATE, err);
	}
	if (rc == INV_OK)
		rc = pg_run(st, "SELECT inved_is_demo()", 0, NULL, &r, err);
	if (rc != INV_OK) {
		pgstore_close(st);
		return rc;
	}
	st->demo = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
	PQclear(r);
	*out = st;
	return INV_OK;
}

void pgstore_close(struct pg_store *st)
{
	if (!st)
		return;
	if (st->conn)
		PQfinish(st->conn);
	if (st->wake_ep >= 0)
		close(st->wake_ep);
	if (st->wake_ev >= 0)
		close(st->wake_ev);
	pgstore_guard_release(&st->guard);
	free(st->guard_sql);
	free(st->uri);
	free(st);
}

bool pgstore_is_demo(struct pg_store *st)
{
	return st->demo;
}

/* ---- identity ---------------------------------------------------------- */

static enum inv_role role_from_text(const char *t)
{
	return strcmp(t, "admin") == 0 ? ROLE_ADMIN : ROLE_MEMBER;
}

/* The wake-up listens on the channel of every org an identity of this
 * connection acts in (a demo database's switcher, a caller with several
 * sessions), as SQLite's wake-up sees every commit: the org resolved last
 * is not the only one whose feed is read.  A listener already connected
 * listens on the new channel at once; if it cannot, it is dropped, and the
 * next check connects again and reports a change. */
static void listen_add(struct pg_store *st, int64_t org)
{
	char one[48], *at;
	size_t used = strlen(st->listen_sql), n;
	PGresult *r;

	n = (size_t)snprintf(one, sizeof one, "LISTEN inved_org_%" PRId64, org);
	for (at = strstr(st->listen_sql, one); at; at = strstr(at + 1, one))
		if (at[n] == '\0' || at[n] == ';')
			return;
	if (used + n + 3 > sizeof st->listen_sql)
		return;
	snprintf(st->listen_sql + used, sizeof st->listen_sql - used, "%s%s",
	         used ? "; " : "", one);
	if (!st->listening)
		return;
	r = PQexec(st->conn, one);
	pgstore_note_notifies(st);
	/* the next check listens again, and reports a change */
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		st->listening = false;
	PQclear(r);
}

/* "alice@acme (admin), bob@acme (member)" for messages, or with a user
 * "acme (admin)": that user's own; as the SQLite backend says them. */
static void memberships_text(struct pg_store *st, int64_t user_id, char *buf,
                             size_t len)
{
	char uid[24];
	const char *params[1] = {uid};
	PGresult *r = NULL;
	size_t used = 0;
	int i;

	buf[0] = '\0';
	snprintf(uid, sizeof uid, "%" PRId64, user_id);
	if (pg_run(st, user_id
	               ? "SELECT '', o.name, m.role FROM memberships m "
	                 "JOIN orgs o ON o.id = m.org_id WHERE m.user_id = $1 "
	                 "ORDER BY o.name"
	               : "SELECT u.name, o.name, m.role FROM memberships m "
	                 "JOIN orgs o ON o.id = m.org_id "
	                 "JOIN users u ON u.id = m.user_id "
	                 "ORDER BY o.name, m.role, u.name",
	           user_id ? 1 : 0, params, &r, NULL) != INV_OK)
		return;
	for (i = 0; i < PQntuples(r) && used + 1 < len; i++) {
		int w;

		if (i == 12) {
			snprintf(buf + used, len - used, ", …");
			break;
		}
		if (user_id)
			w = snprintf(buf + used, len - used, "%s%s (%s)",
			             i ? ", " : "", PQgetvalue(r, i, 1),
			             PQgetvalue(r, i, 2));
		else
			w = snprintf(buf + used, len - used, "%s%s@%s (%s)",
			             i ? ", " : "", PQgetvalue(r, i, 0),
			             PQgetvalue(r, i, 1), PQgetvalue(r, i, 2));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (PQntuples(r) == 0)
		snprintf(buf, len, "%s", _("none"));
	PQclear(r);
}

/* One number a query gives (-1 when it fails or gives none). */
static int64_t query_number(struct pg_store *st, const char *sql,
                            const char *param)
{
	const char *params[1] = {param};
	PGresult *r = NULL;
	int64_t v = -1;

	if (pg_run(st, sql, param ? 1 : 0, params, &r, NULL) != INV_OK)
		return -1;
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = int_value(r, 0, 0);
	PQclear(r);
	return v;
}

/* Refusing someone who is not a member: say how to get in, never who is
 * (other people's memberships are not theirs to read).  A demo database,
 * whose users are public, lists them.  The SQLite backend's words. */
static enum inv_rc identity_not_member(struct pg_store *st, const char *user,
                                       bool known, struct inv_err *err)
{
	char list[256];

	if (st->demo) {
		memberships_text(st, 0, list, sizeof list);
		if (known)
			return inv_err_set(err, INV_FORBIDDEN, "user",
				_("%s is not a member of any org in %s; memberships "
				  "that exist: %s — pick one with --user NAME (or "
				  "INVED_USER)"),
				user, st->where, list);
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("unknown user '%s' in %s; memberships that exist: %s — "
			  "pick one with --user NAME (or INVED_USER)"),
			user, st->where, list);
	}
	/* (Whether the database holds any org at all is not the caller's
	 * to see here: row security shows a role only its own orgs.) */
	return inv_err_set(err, INV_FORBIDDEN, "user",
		_("%s is not a member of any org in %s; ask an admin of your "
		  "org to run `inved member add %s`"),
		user, st->where, user);
}

enum inv_rc pgstore_identity(struct pg_store *st, const char *user,
                             const char *org, struct identity *out,
                             struct inv_err *err)
{
	const char *name = st->role;
	const char *params[2];
	PGresult *r = NULL;
	enum inv_rc rc;

	memset(out, 0, sizeof *out);
	if (user && *user && strcmp(user, st->role) != 0) {
		if (!st->demo)
			return inv_err_set(err, INV_FORBIDDEN, "user",
				_("--user (or INVED_USER) names '%s', but %s is "
				  "not a demo database: here you act as the account "
				  "you are logged in as, %s; drop --user and unset "
				  "INVED_USER"),
				user, st->where, st->role);
		name = user;
	}
	params[0] = name;
	params[1] = org && *org ? org : NULL;
	rc = pg_run(st,
		"SELECT u.id, o.id, o.name, m.role FROM users u "
		"JOIN memberships m ON m.user_id = u.id "
		"JOIN orgs o ON o.id = m.org_id "
		"WHERE u.name = $1 AND ($2::text IS NULL OR o.name = $2 "
		"OR o.id::text = $2) ORDER BY o.name LIMIT 2",
		2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) != 1) {
		int64_t uid = query_number(st, "SELECT id FROM users "
		                               "WHERE name = $1", name);
		char list[256];
		bool none = PQntuples(r) == 0;

		PQclear(r);
		/* a user with no membership (or none at all) is told how to
		 * get in; a member, which orgs are theirs */
		if (uid < 0 || (none && !params[1]))
			return identity_not_member(st, name, uid >= 0, err);
		memberships_text(st, uid, list, sizeof list);
		if (none)
			return inv_err_set(err, INV_FORBIDDEN, "org",
				_("%s is not a member of org '%s'; %s's "
				  "memberships: %s"),
				name, org, name, list);
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is a member of several orgs (%s); choose one with "
			  "--org"),
			name, list);
	}
	out->user_id = int_value(r, 0, 0);
	snprintf(out->user, sizeof out->user, "%s", name);
	out->org_id = int_value(r, 0, 1);
	copy_value(out->org, sizeof out->org, r, 0, 2);
	out->role = role_from_text(PQgetvalue(r, 0, 3));
	PQclear(r);
	st->org = out->org_id;
	listen_add(st, out->org_id);
	return INV_OK;
}

/* ---- reads ------------------------------------------------------------- */

static void int_text(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%" PRId64, v);
}

/* Load one row of the session's org (a write loads it under its lock,
 * begin_load); a deleted row is not found for a member. */
static enum inv_rc row_load(struct pg_store *st, const struct identity *who,
                            int64_t id, struct invoice *out,
                            struct inv_err *err)
{
	char org[24], idt[24];
	const char *params[2] = {org, idt};
	PGresult *r = NULL;
	enum inv_rc rc;

	int_text(org, who->org_id);
	int_text(idt, id);
	rc = pg_run(st,
		"SELECT " ROW_COLS " FROM invoices WHERE org_id = $1 AND id = $2",
		2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		memset(out, 0, sizeof *out);
		return rule_not_found(id, err);
	}
	row_read(r, 0, out);
	PQclear(r);
	rc = rule_read(out, who, id, err);
	if (rc != INV_OK)
		memset(out, 0, sizeof *out);
	return rc;
}

enum inv_rc pgstore_get(struct pg_store *st, const struct identity *who,
                        int64_t id, struct invoice *out, struct inv_err *err)
{
	return row_load(st, who, id, out, err);
}

/* "%text%" with LIKE's wildcards escaped: a plain substring. */
static char *like_pattern(const char *text)
{
	size_t n = strlen(text), i, j = 0;
	char *p = malloc(2 * n + 3);

	if (!p)
		return NULL;
	p[j++] = '%';
	for (i = 0; i < n; i++) {
		if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
			p[j++] = '\\';
		p[j++] = text[i];
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

enum inv_rc pgstore_page(struct pg_store *st, const struct identity *who,
                         enum inv_view view, const char *filter,
                         int64_t anchor, enum page_dir dir,
                         struct invoice *rows, size_t limit, size_t *n,
                         struct inv_err *err)
{
	static const char *const where[VIEW__COUNT] = {
		"AND archived_at IS NULL AND deleted_at IS NULL ",
		"AND archived_at IS NOT NULL AND deleted_at IS NULL ",
		"",
	};
	static const char *const order[3] = {
		"AND id > $2 ORDER BY id ASC ",
		"AND id < $2 ORDER BY id DESC ",
		"AND id >= $2 ORDER BY id ASC ",
	};
	char sql[1024], org[24], anc[24], lim[24];
	const char *params[4] = {org, anc, lim, NULL};
	char *pattern = NULL;
	PGresult *r = NULL;
	enum inv_rc rc;
	int i, count;

	*n = 0;
	if ((int)view < 0 || view >= VIEW__COUNT || (int)dir < 0 ||
	    dir > PAGE_FROM)
		return inv_err_set(err, INV_INVALID, "view", _("unknown view"));
	rc = rule_view(who, view, err);
	if (rc != INV_OK)
		return rc;
	if (filter && *filter) {
		pattern = like_pattern(filter);
		if (!pattern)
			return inv_err_set(err, INV_ERROR, "",
			                   _("out of memory"));
		params[3] = pattern;
	}
	/* ILIKE folds more than ASCII; SQLite's LIKE folds ASCII only. */
	snprintf(sql, sizeof sql,
	         "SELECT " ROW_COLS " FROM invoices WHERE org_id = $1 %s%s%s"
	         "LIMIT $3",
	         where[view],
	         pattern ? "AND (number ILIKE $4 OR customer ILIKE $4) " : "",
	         order[dir]);
	int_text(org, who->org_id);
	int_text(anc, anchor);
	int_text(lim, (int64_t)limit);
	rc = pg_run(st, sql, pattern ? 4 : 3, params, &r, err);
	free(pattern);
	if (rc != INV_OK)
		return rc;
	count = PQntuples(r);
	for (i = 0; i < count && (size_t)i < limit; i++) {
		/* PAGE_BEFORE reads downwards; hand the page out ascending */
		int at = dir == PAGE_BEFORE ? count - 1 - i : i;

		row_read(r, at, &rows[i]);
	}
	*n = (size_t)i;
	PQclear(r);
	return INV_OK;
}

/* The summary from sql, rows of (state, currency, count, total) of who's
 * org ordered by currency: the kept totals, or a recount. */
static enum inv_rc summary_read(struct pg_store *st, const struct identity *who,
                                const char *sql, struct summary *out,
                                struct inv_err *err)
{
	char org[24];
	const char *params[1] = {org};
	PGresult *r = NULL;
	enum inv_rc rc;
	int i;

	memset(out, 0, sizeof *out);
	int_text(org, who->org_id);
	rc = pg_run(st, sql, 1, params, &r, err);
	if (rc != INV_OK)
		return rc;
	for (i = 0; i < PQntuples(r); i++) {
		const char *state = PQgetvalue(r, i, 0);
		enum inv_life life = strcmp(state, "archived") == 0
		                             ? LIFE_ARCHIVED
		                     : strcmp(state, "deleted") == 0
		                             ? LIFE_DELETED
		                             : LIFE_ACTIVE;
		int64_t count = int_value(r, i, 2);

		out->count[life] += count;
		if (life != LIFE_ACTIVE || count == 0 ||
		    out->ncur >= SUMMARY_MAX_CURRENCIES)
			continue;
		copy_value(out->cur[out->ncur].currency,
		           sizeof out->cur[out->ncur].currency, r, i, 1);
		out->cur[out->ncur].count = count;
		out->cur[out->ncur].total_minor = int_value(r, i, 3);
		out->ncur++;
	}
	PQclear(r);
	return INV_OK;
}

enum inv_rc pgstore_summary(struct pg_store *st, const struct identity *who,
                            struct summary *out, struct inv_err *err)
{
	return summary_read(st, who,
		"SELECT state, currency, count, total_minor "
		"FROM totals WHERE org_id = $1 ORDER BY currency", out, err);
}

enum inv_rc pgstore_changes_since(struct pg_store *st,
                                  const struct identity *who, int64_t after,
                                  struct change *out, size_t max, size_t *n,
                                  struct inv_err *err)
{
	char org[24], aft[24], lim[24];
	const char *params[3] = {org, aft, lim};
	PGresult *r = NULL;
	enum inv_rc rc;
	int i;

	*n = 0;
	int_text(org, who->org_id);
	int_text(aft, after);
	int_text(lim, (int64_t)max);
	rc = pg_run(st, "SELECT seq, org_id, subject_id, action, actor, "
	                "inved_time_text(at), to_version FROM audit "
	                "WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
	            3, params, &r, err);
	if (rc != INV_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && (size_t)i < max; i++) {
		out[i].seq = int_value(r, i, 0);
		out[i].org_id = int_value(r, i, 1);
		out[i].invoice_id = int_value(r, i, 2);
		copy_value(out[i].action, sizeof out[i].action, r, i, 3);
		copy_value(out[i].actor, sizeof out[i].actor, r, i, 4);
		copy_value(out[i].at, sizeof out[i].at, r, i, 5);
		out[i].to_version = int_value(r, i, 6);
	}
	*n = (size_t)i;
	PQclear(r);
	return INV_OK;
}

/* ---- the guarded writes -------------------------------------------------- */

static void tx_rollback(struct pg_store *st)
{
	PQclear(PQexec(st->conn, st->batch ? "ROLLBACK TO SAVEPOINT inved_w"
	                                   : "ROLLBACK"));
}

/* A write's first and last statement: its own transaction, or inside the
 * demo's one transaction a savepoint of it. */
static const char *tx_start_sql(const struct pg_store *st)
{
	return st->batch ? "SAVEPOINT inved_w" : "BEGIN";
}

static const char *tx_end_sql(const struct pg_store *st)
{
	return st->batch ? "RELEASE SAVEPOINT inved_w" : "COMMIT";
}

/* BEGIN, with the busy timeout as the lock timeout and, in a demo
 * database, the user the session acts for (outside one the server takes
 * the connection's role, whatever is set). */
static enum inv_rc tx_begin(struct pg_store *st, const struct identity *who,
                            struct inv_err *err)
{
	char timeout[32];
	const char *params[2] = {timeout, who->user};
	PGresult *r = PQexec(st->conn, tx_start_sql(st));
	enum inv_rc rc = INV_OK;

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_fail(st, r, err);
	PQclear(r);
	if (rc != INV_OK)
		return rc;
	snprintf(timeout, sizeof timeout, "%dms", st->busy_ms);
	rc = pg_run(st, st->demo
	                ? "SELECT set_config('lock_timeout', $1, true), "
	                  "set_config('inved.actor', $2, true)"
	                : "SELECT set_config('lock_timeout', $1, true)",
	            st->demo ? 2 : 1, params, NULL, err);
	if (rc != INV_OK)
		tx_rollback(st);
	return rc;
}

/* ---- the write guard ---------------------------------------------------- */

/* The schema verified, unless it was since the last change the guard saw
 * (the first write of a connection verifies; a write whose digest moved
 * clears ok). */
static enum inv_rc guard_schema(struct pg_store *st, struct inv_err *err)
{
	static const char head[] = "SELECT 1 / ((";
	static const char tail[] =
		" = $1) AND coalesce((SELECT to_version FROM audit "
		"WHERE subject_id = $2 ORDER BY subject_id DESC, seq DESC "
		"LIMIT 1) = $3::bigint, false))::int";
	static const char digest[] = PG_GUARD_DIGEST("\x01", "\x02");
	enum inv_rc rc;
	size_t len;
	char *sql;
	const char *p;

	if (st->guard.ok)
		return INV_OK;
	rc = pgstore_guard_verify(st, &st->guard, st->batch, err);
	if (rc != INV_OK)
		return rc;
	/* the oids are the server's array text: digits, commas, braces */
	if (strspn(st->guard.tables, "0123456789,{}") !=
	            strlen(st->guard.tables) ||
	    strspn(st->guard.funcs, "0123456789,{}") != strlen(st->guard.funcs)) {
		st->guard.ok = false;
		return inv_err_set(err, INV_ERROR, "", "%s",
		                   _("the catalog read returned no row"));
	}
	len = sizeof head + sizeof digest + sizeof tail +
	      6 * (strlen(st->guard.tables) + strlen(st->guard.funcs) + 2);
	sql = malloc(len);
	if (!sql) {
		st->guard.ok = false;
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	}
	/* the digest with '{...}' in the places of its parameters */
	len = (size_t)snprintf(sql, 16, "%s", head);
	for (p = digest; *p; p++) {
		if (*p == '\x01' || *p == '\x02')
			len += (size_t)sprintf(sql + len, "'%s'",
			                       *p == '\x01' ? st->guard.tables
			                                    : st->guard.funcs);
		else
			sql[len++] = *p;
	}
	strcpy(sql + len, tail);
	free(st->guard_sql);
	st->guard_sql = sql;
	st->guard_prepared = false;
	return INV_OK;
}

/* The guard statement prepared on the connection (once per verification
 * and connection), named into name. */
static enum inv_rc guard_prepare(struct pg_store *st, char name[16],
                                 struct inv_err *err)
{
	PGresult *r;
	enum inv_rc rc = INV_OK;

	if (!st->guard_prepared) {
		st->guard_gen++;
		snprintf(name, 16, "g%u", st->guard_gen);
		r = PQprepare(st->conn, name, st->guard_sql, 3, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_fail(st, r, err);
		PQclear(r);
		st->guard_prepared = rc == INV_OK;
	}
	snprintf(name, 16, "g%u", st->guard_gen);
	return rc;
}

/* For the writes that do not carry the digest in their own round trip
 * (a create, a membership's change): the digest read now, the schema
 * verified again when it moved. */
static enum inv_rc guard_fresh(struct pg_store *st, struct inv_err *err)
{
	const char *params[2];
	PGresult *r = NULL;
	enum inv_rc rc = guard_schema(st, err);
	bool moved;

	if (rc != INV_OK || !st->guard.ok)
		return rc;
	params[0] = st->guard.tables;
	params[1] = st->guard.funcs;
	rc = pg_run(st, "SELECT " PG_GUARD_DIGEST("$1", "$2"), 2, params, &r,
	            err);
	if (rc != INV_OK)
		return rc;
	moved = PQntuples(r) != 1 ||
	        strcmp(PQgetvalue(r, 0, 0), st->guard.digest) != 0;
	PQclear(r);
	if (!moved)
		return INV_OK;
	st->guard.ok = false;
	return guard_schema(st, err);
}


/* tx_begin and the row's load under its lock, in one round trip; the
 * row as it is (a deleted one too: rule_check decides who may see it),
 * and the newest row of its history (*tip, *purged: guard_row's). */
static enum inv_rc begin_load(struct pg_store *st, const struct identity *who,
                              int64_t id, struct invoice *out, int64_t *tip,
                              bool *purged, struct inv_err *err)
{
	char timeout[32], org[24], idt[24];
	const char *cfg[2] = {timeout, who->user};
	const char *key[2] = {org, idt};
	struct pg_step steps[4] = {
		{tx_start_sql(st), 0, NULL, NULL, NULL},
		{st->demo ? "SELECT set_config('lock_timeout', $1, true), "
		            "set_config('inved.actor', $2, true)"
		          : "SELECT set_config('lock_timeout', $1, true)",
		 st->demo ? 2 : 1, cfg, NULL, NULL},
		{"SELECT " ROW_COLS " FROM invoices "
		 "WHERE org_id = $1 AND id = $2 FOR UPDATE",
		 2, key, NULL, NULL},
		/* after the lock: an index walk from the end of the
		 * invoice's rows (audit_subject, which the ORDER BY names
		 * whole so no plan sorts them) that stops at once; an
		 * invoice's id is never the org rows' subject 0 */
		{"SELECT to_version, action = 'invoice.purge' FROM audit "
		 "WHERE subject_id = $1 "
		 "ORDER BY subject_id DESC, seq DESC LIMIT 1",
		 1, key + 1, NULL, NULL},
	};
	enum inv_rc rc;
	int i;

	*tip = 0;
	*purged = false;
	snprintf(timeout, sizeof timeout, "%dms", st->busy_ms);
	int_text(org, who->org_id);
	int_text(idt, id);
	rc = pg_pipeline(st, steps, 4, err);
	if (rc == INV_OK && PQntuples(steps[2].res) != 1)
		rc = rule_not_found(id, err);
	/* whether the caller may see or move it is rule_check's */
	if (rc == INV_OK)
		row_read(steps[2].res, 0, out);
	if (rc == INV_OK && PQntuples(steps[3].res) == 1) {
		*tip = int_value(steps[3].res, 0, 0);
		*purged = strcmp(PQgetvalue(steps[3].res, 0, 1), "t") == 0;
	}
	for (i = 0; i < 4; i++)
		PQclear(steps[i].res);
	if (rc != INV_OK) {
		memset(out, 0, sizeof *out);
		tx_rollback(st);
	}
	return rc;
}

static enum inv_rc tx_commit(struct pg_store *st, struct inv_err *err)
{
	PGresult *r = PQexec(st->conn, tx_end_sql(st));
	enum inv_rc rc = INV_OK;

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_fail(st, r, err);
	PQclear(r);
	/* what was held back during the transaction comes now */
	pgstore_note_notifies(st);
	return rc;
}

static void result_reset(struct write_result *res)
{
	if (res)
		memset(res, 0, sizeof *res);
}

/* Roll back and hand the current row out (a conflict's). */
static enum inv_rc refuse(struct pg_store *st, enum inv_rc rc,
                          const struct invoice *current,
                          struct write_result *res)
{
	tx_rollback(st);
	if (current && res) {
		res->row = *current;
		res->have_row = true;
	}
	return rc;
}

/* The server refused a write the rules allowed (IV403: the role changed
 * since the session's identity was read): say it as the rules say it for
 * the role the server holds, a member. */
static void server_forbade(enum rule_op op, const struct invoice *cur,
                           const struct identity *who, int flags,
                           struct inv_err *err)
{
	struct identity member = *who;

	member.role = ROLE_MEMBER;
	if (rule_check(op, cur, &member, cur->version, flags, err) !=
	    INV_FORBIDDEN)
		inv_err_set(err, INV_FORBIDDEN, "",
			_("%s is no longer a member of %s"), who->user,
			who->org);
}

/* The totals' bigint arithmetic raised (22003): a write that would take
 * an org's sum past the 64-bit range, said in the SQLite store's words,
 * naming the row the invoice was going into. */
static void totals_overflow(struct pg_store *st, enum inv_rc rc,
                            const struct invoice *next, struct inv_err *err)
{
	if (rc == INV_INVALID && err && strcmp(st->state, "22003") == 0)
		inv_err_set(err, INV_INVALID, "total",
			_("the sum of this org's %s invoices (%s) would pass "
			  "the 64-bit range; nothing was written"),
			next->currency, invoice_life_label(invoice_life(next)));
}

/* The claimed UPDATE of the loaded row, its new row into res, and the
 * audit row the triggers wrote for it; then COMMIT.  token (NULL: none)
 * is the write's request token, which the trigger keeps in the audit row.
 * *unknown (may be NULL when token is) is set when the COMMIT was sent
 * and its outcome is unknown: the connection is bad after it, or the
 * test-only fault said so (pgmore.h); the caller then reconnects and
 * looks the token up. */
static enum inv_rc write_row(struct pg_store *st, const struct identity *who,
                             enum rule_op op, int flags, const char *action,
                             const char *sql, int nparams,
                             const struct invoice *cur,
                             const struct invoice *next, const char *token,
                             bool *unknown, bool *moved,
                             struct write_result *res, struct inv_err *err)
{
	char idt[24], ver[24], total[24], to[24];
	const char *params[7] = {idt, ver, next->number, next->customer,
	                         invoice_status_name(next->status), total,
	                         next->currency};
	const char *claim[2] = {action, token ? token : ""};
	const char *seq[1] = {idt};
	const char *guard[3] = {st->guard.digest, idt, to};
	char gname[16];
	/* the claim, the write, the audit row the triggers wrote, the
	 * guard, the commit: one round trip */
	struct pg_step steps[6] = {
		{"SELECT set_config('inved.action', $1, true), "
		 "set_config('inved.request', $2, true)",
		 2, claim, NULL, NULL},
		{sql, nparams, params, NULL, NULL},
		/* the newest of the invoice's rows (an index walk from the
		 * end that stops at once: the row is ours, locked) */
		{"SELECT seq, to_version FROM audit WHERE subject_id = $1 "
		 "ORDER BY subject_id DESC, seq DESC LIMIT 1",
		 1, seq, NULL, NULL},
		/* The guard, after the UPDATE (guard_schema's statement): the
		 * schema's digest is the one verified and the invoice's newest
		 * audit row is this write's, or the statement fails (division
		 * by zero, 22012) and the COMMIT after it is not run.  The
		 * UPDATE holds its table's lock, so no trigger of the table
		 * can change between it and this reading. */
		{"", 3, guard, NULL, gname},
		{tx_end_sql(st), 0, NULL, NULL, NULL},
		{NULL, 0, NULL, NULL, NULL},
	};
	/* the fault fires once, on a write that can recover from it */
	enum pg_fault fault = token && unknown && !st->batch ? st->fault
	                                                     : PG_FAULT_NONE;
	int nsteps = 5;
	enum inv_rc rc;
	int i;

	if (moved)
		*moved = false;
	if (!st->guard.ok || !st->guard_sql)
		return inv_err_set(err, INV_ERROR, "", "%s",
		                   _("the schema was not verified before a write"));
	rc = guard_prepare(st, gname, err);
	if (rc != INV_OK) {
		tx_rollback(st);
		return rc;
	}
	if (fault != PG_FAULT_NONE)
		st->fault = PG_FAULT_NONE;
	if (fault == PG_FAULT_COMMIT_DROPPED) {
		/* the server process ends before the COMMIT reaches it: the
		 * transaction is rolled back and the client sees the
		 * connection drop after sending the COMMIT */
		steps[5] = steps[4];
		steps[4] = (struct pg_step){
			"SELECT pg_terminate_backend(pg_backend_pid()), "
			"pg_sleep(10)",
			0, NULL, NULL, NULL};
		nsteps = 6;
	}
	int_text(idt, cur->id);
	int_text(ver, cur->version);
	int_text(total, next->total_minor);
	int_text(to, cur->version + 1);
	rc = pg_pipeline(st, steps, nsteps, err);
	if (rc != INV_OK && steps[2].res && !steps[3].res &&
	    strcmp(st->state, "22012") == 0) {
		/* the guard failed: verified again by the caller, or (a
		 * caller that does not write again) refused */
		st->guard.ok = false;
		if (moved)
			*moved = true;
		else
			rc = inv_err_set(err, INV_DAMAGED, "schema",
				_("write refused — run `inved check`: %s in %s (an "
				  "admin can put it right with `inved check "
				  "--repair`)"),
				_("the schema changed during the write"),
				st->where);
	}
	totals_overflow(st, rc, next, err);
	if (unknown && token && !st->batch &&
	    ((rc != INV_OK && PQstatus(st->conn) == CONNECTION_BAD) ||
	     (rc == INV_OK && fault == PG_FAULT_COMMIT_LOST))) {
		/* COMMIT was sent; its reply is lost (the fault: the commit
		 * happened and the reply is thrown away) */
		*unknown = true;
		for (i = 0; i < nsteps; i++)
			PQclear(steps[i].res);
		return INV_ERROR;
	}
	if (rc == INV_CONFLICT && err && strstr(err->msg, "invoices_live_number"))
		inv_err_set(err, INV_CONFLICT, "number",
			_("number %s is held by another live invoice; renumber "
			  "one of them (inved edit REF --number NEW) or delete "
			  "the other first"),
			next->number);
	else if (rc == INV_FORBIDDEN)
		server_forbade(op, cur, who, flags, err);
	/* The row was locked since its load, so the guarded UPDATE meets
	 * the version it checked; a row count of 0 would be a bug. */
	if (rc == INV_OK && PQntuples(steps[1].res) != 1)
		rc = inv_err_set(err, INV_ERROR, "",
		                 _("%s: the locked invoice was not updated"),
		                 st->where);
	if (rc == INV_OK && (PQntuples(steps[2].res) != 1 ||
	                     int_value(steps[2].res, 0, 1) != cur->version + 1))
		rc = inv_err_set(err, INV_ERROR, "",
		                 _("%s: the write of invoice %s left no audit row"),
		                 st->where, cur->number);
	if (rc == INV_OK && res) {
		row_read(steps[1].res, 0, &res->row);
		res->audit_seq = int_value(steps[2].res, 0, 0);
		res->change_seq = res->audit_seq;
		res->have_row = true;
	}
	for (i = 0; i < nsteps; i++)
		PQclear(steps[i].res);
	if (rc != INV_OK)
		tx_rollback(st);
	return rc;
}

/* ---- a write whose commit's outcome is unknown --------------------------- */

/* Connect st's connection again (the same PGconn, so the terminal still
 * holds at most two connections), as pgstore_open left it, LISTENing
 * again when it listened: pg_reconnect, with the wake-up below. */
static enum inv_rc pg_reconnect(struct pg_store *st, struct inv_err *err);

static enum inv_rc reconnect(struct pg_store *st, struct inv_err *err)
{
	return pg_reconnect(st, err);
}

static enum inv_rc outcome_unknown(struct pg_store *st, int64_t id,
                                   const char *token, const char *why,
                                   struct inv_err *err)
{
	char reason[sizeof err->msg];

	snprintf(reason, sizeof reason, "%s", why ? why : "");
	return inv_err_set(err, INV_ERROR, "",
		_("%s: the connection dropped while the save of invoice %"
		  PRId64 " was committing, and whether it was saved is "
		  "unknown (request %s; %s); look at its history "
		  "(`inved history %" PRId64 "`) before saving again"),
		st->where, id, token, reason, id);
}

/* Whether the audit holds the row of token's write; the row that write
 * left into res.  Inside the retry's transaction, after the invoice's
 * row lock: a commit of the first try still under way has ended. */
static enum inv_rc request_find(struct pg_store *st,
                                const struct identity *who,
                                const struct pg_write *w, const char *token,
                                const struct invoice *cur,
                                const struct invoice *next, bool *found,
                                struct write_result *res,
                                struct inv_err *err)
{
	char org[24];
	const char *params[2] = {org, token};
	PGresult *r = NULL;
	enum inv_rc rc;
	int64_t to;

	*found = false;
	int_text(org, who->org_id);
	rc = pg_run(st, "SELECT seq, to_version, inved_time_text(at) "
	                "FROM audit WHERE org_id = $1 AND request = $2",
	            2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	*found = PQntuples(r) == 1;
	if (!*found) {
		PQclear(r);
		return INV_OK;
	}
	to = int_value(r, 0, 1);
	if (cur->version == to) {
		res->row = *cur; /* nothing was written since */
	} else {
		/* the row as the write left it, before later saves */
		res->row = *next;
		res->row.version = to;
		copy_value(res->row.updated_at, sizeof res->row.updated_at, r,
		           0, 2);
		if (w->op == RULE_ARCHIVE)
			copy_value(res->row.archived_at,
			           sizeof res->row.archived_at, r, 0, 2);
		else if (w->op == RULE_DELETE)
			copy_value(res->row.deleted_at,
			           sizeof res->row.deleted_at, r, 0, 2);
		else if (w->op == RULE_RESTORE)
			res->row.archived_at[0] = res->row.deleted_at[0] = '\0';
	}
	res->audit_seq = int_value(r, 0, 0);
	res->change_seq = res->audit_seq;
	res->have_row = true;
	PQclear(r);
	return INV_OK;
}

/* The edit's UPDATE: every editable field, guarded by the version. */
static const char edit_sql[] =
	"UPDATE invoices SET number = $3, customer = $4, status = $5, "
	"total_minor = $6, currency = $7, version = $2::bigint + 1, "
	"updated_at = now() WHERE id = $1 AND version = $2 "
	"RETURNING " ROW_COLS;

/* One try of w.  With `retry`, the try after a commit of unknown outcome:
 * once the row is locked, token's audit row says whether the first try
 * committed; only when it did not is the write made again.  *moved: the
 * write's guard found the schema's digest moved (or no audit row), and
 * nothing was written. */
static enum inv_rc write_try(struct pg_store *st, const struct identity *who,
                             const struct pg_write *w, const char *token,
                             bool retry, struct invoice *next,
                             bool *unknown, bool *moved,
                             struct write_result *res, struct inv_err *err)
{
	const char *action = w->action;
	struct invoice cur;
	enum inv_rc rc;
	int64_t tip = 0;
	bool purged = false;

	struct inv_err why;

	inv_err_clear(&why);
	rc = guard_schema(st, err);
	if (rc != INV_OK)
		return rc;
	rc = begin_load(st, who, w->id, &cur, &tip, &purged,
	                retry ? &why : err);
	if (rc != INV_OK)
		return retry ? outcome_unknown(st, w->id, token, why.msg, err)
		             : rc;
	if (retry) {
		bool found = false;

		rc = request_find(st, who, w, token, &cur, next, &found, res,
		                  &why);
		if (rc != INV_OK || found)
			tx_rollback(st);
		if (rc != INV_OK)
			return outcome_unknown(st, w->id, token, why.msg, err);
		if (found)
			return INV_OK;
	}
	if (w->loaded)
		*w->loaded = cur;
	rc = rule_check(w->op, &cur, who, w->version, w->flags, err);
	if (rc != INV_OK)
		return refuse(st, rc, rc == INV_CONFLICT ? &cur : NULL, res);
	*next = cur;
	if (w->make) {
		rc = w->make(st, w->ctx, &cur, next, &action, err);
		if (rc != INV_OK)
			return refuse(st, rc, NULL, res);
	}
	rc = rule_history_tip(&cur, tip, purged, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	return write_row(st, who, w->op, w->flags, action,
	                 w->sql ? w->sql : edit_sql, w->sql ? w->nparams : 7,
	                 &cur, next, token, unknown, moved, res, err);
}

enum inv_rc pgstore_write(struct pg_store *st, const struct identity *who,
                          const struct pg_write *w, struct write_result *res,
                          struct inv_err *err)
{
	char token[PG_TOKEN_SIZE];
	struct invoice next;
	enum inv_rc rc;

	int moves = 0;

	result_reset(res);
	memset(&next, 0, sizeof next);
	store_new_token(token);
	for (int attempt = 0;;) {
		bool unknown = false, moved = false;
		struct inv_err why;

		rc = write_try(st, who, w, token, attempt > 0, &next, &unknown,
		               &moved, res, err);
		if (moved) {
			/* the schema changed since it was verified: verify it
			 * again and write again (a grant moves the digest too) */
			result_reset(res);
			if (++moves < 3)
				continue;
			return inv_err_set(err, INV_DAMAGED, "schema",
				_("write refused — run `inved check`: %s in %s (an "
				  "admin can put it right with `inved check "
				  "--repair`)"),
				_("the write's audit row was not written"),
				st->where);
		}
		if (!unknown)
			return rc;
		result_reset(res);
		inv_err_clear(&why);
		if (reconnect(st, &why) != INV_OK)
			return outcome_unknown(st, w->id, token, why.msg, err);
		if (attempt > 0)
			return outcome_unknown(st, w->id, token,
				_("it dropped again on the retry"), err);
		attempt++;
	}
}

struct edit_ctx {
	const struct invoice_input *in;
	int64_t version;
	bool overwrite;
};

/* The edit's row: the given fields over the loaded row. */
static enum inv_rc edit_make(struct pg_store *st, void *ctx,
                             const struct invoice *cur, struct invoice *next,
                             const char **action, struct inv_err *err)
{
	const struct edit_ctx *e = ctx;
	enum inv_rc rc = rule_input_apply(e->in, cur, next, err);

	(void)st;
	if (rc != INV_OK)
		return rc;
	if (strcmp(cur->number, next->number) == 0 &&
	    strcmp(cur->customer, next->customer) == 0 &&
	    cur->status == next->status &&
	    cur->total_minor == next->total_minor &&
	    strcmp(cur->currency, next->currency) == 0)
		return inv_err_set(err, INV_INVALID, "unchanged",
			_("nothing to change: the values given are the ones "
			  "invoice %s already has"),
			cur->number);
	*action = e->overwrite && cur->version != e->version
	                  ? "invoice.overwrite"
	                  : "invoice.edit";
	return INV_OK;
}

enum inv_rc pgstore_edit_fields(struct pg_store *st,
                                const struct identity *who, int64_t id,
                                int64_t version,
                                const struct invoice_input *given,
                                unsigned fields, int flags,
                                struct write_result *res,
                                struct inv_err *err)
{
	struct invoice_input in;
	struct edit_ctx e = {&in, version, flags & WRITE_OVERWRITE};
	struct pg_write w = {.op = RULE_EDIT, .id = id, .version = version,
	                     .flags = flags, .action = "invoice.edit",
	                     .make = edit_make, .ctx = &e};
	enum inv_rc rc;

	result_reset(res);
	rule_input_narrow(given, fields, &in);
	rc = rule_input_check(&in, err);
	if (rc != INV_OK)
		return rc;
	return pgstore_write(st, who, &w, res, err);
}

enum inv_rc pgstore_lifecycle(struct pg_store *st,
                              const struct identity *who, enum rule_op op,
                              int64_t id, int64_t version,
                              struct write_result *res, struct inv_err *err)
{
	static const char *const action[] = {
		[RULE_ARCHIVE] = "invoice.archive",
		[RULE_RESTORE] = "invoice.restore",
		[RULE_DELETE] = "invoice.delete",
	};
	static const char *const sql[] = {
		[RULE_ARCHIVE] = "UPDATE invoices SET archived_at = now(), "
		               "updated_at = now(), version = $2::bigint + 1 "
		               "WHERE id = $1 AND version = $2 "
		               "RETURNING " ROW_COLS,
		[RULE_RESTORE] = "UPDATE invoices SET archived_at = NULL, "
		               "deleted_at = NULL, updated_at = now(), "
		               "version = $2::bigint + 1 "
		               "WHERE id = $1 AND version = $2 "
		               "RETURNING " ROW_COLS,
		[RULE_DELETE] = "UPDATE invoices SET deleted_at = now(), "
		              "updated_at = now(), version = $2::bigint + 1 "
		              "WHERE id = $1 AND version = $2 "
		              "RETURNING " ROW_COLS,
	};
	struct pg_write w = {.op = op, .id = id, .version = version};

	result_reset(res);
	if (op != RULE_ARCHIVE && op != RULE_RESTORE && op != RULE_DELETE)
		return inv_err_set(err, INV_INVALID, "", "not a lifecycle move");
	w.action = action[op];
	w.sql = sql[op];
	w.nparams = 2;
	return pgstore_write(st, who, &w, res, err);
}

enum inv_rc pgstore_archive(struct pg_store *st, const struct identity *who,
                            int64_t id, int64_t version,
                            struct write_result *res, struct inv_err *err)
{
	return pgstore_lifecycle(st, who, RULE_ARCHIVE, id, version, res, err);
}

enum inv_rc pgstore_restore(struct pg_store *st, const struct identity *who,
                            int64_t id, int64_t version,
                            struct write_result *res, struct inv_err *err)
{
	return pgstore_lifecycle(st, who, RULE_RESTORE, id, version, res, err);
}

enum inv_rc pgstore_delete(struct pg_store *st, const struct identity *who,
                           int64_t id, int64_t version,
                           struct write_result *res, struct inv_err *err)
{
	return pgstore_lifecycle(st, who, RULE_DELETE, id, version, res, err);
}

/* ---- idempotent create (SPEC 3.3) --------------------------------------- */

/* The live invoice of the org holding number, if any, into *holder. */
static enum inv_rc number_holder(struct pg_store *st, int64_t org,
                                 const char *number, struct invoice *holder,
                                 bool *taken, struct inv_err *err)
{
	char orgt[24];
	const char *params[2] = {orgt, number};
	PGresult *r = NULL;
	enum inv_rc rc;

	int_text(orgt, org);
	rc = pg_run(st, "SELECT " ROW_COLS " FROM invoices WHERE org_id = $1 "
	                "AND number = $2 AND deleted_at IS NULL",
	            2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	*taken = PQntuples(r) == 1;
	if (*taken)
		row_read(r, 0, holder);
	PQclear(r);
	return INV_OK;
}

/* The org's next free number, its counter row locked by the UPDATE until
 * the commit, so two creates never take the same one; numbers someone
 * chose by hand are skipped. */
static enum inv_rc number_allocate(struct pg_store *st, int64_t org,
                                   char *out, size_t len, struct inv_err *err)
{
	char orgt[24], nextt[24];
	const char *params[2] = {orgt, nextt};
	char prefix[NUMBER_MAX_BYTES + 1];
	struct invoice holder;
	PGresult *r = NULL;
	int64_t next;
	bool taken = true;
	enum inv_rc rc;

	int_text(orgt, org);
	rc = pg_run(st, "SELECT prefix, next_number FROM orgs WHERE id = $1 "
	                "FOR UPDATE",
	            1, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return inv_err_set(err, INV_NOT_FOUND, "", _("no such org"));
	}
	copy_value(prefix, sizeof prefix, r, 0, 0);
	next = int_value(r, 0, 1);
	PQclear(r);
	while (rc == INV_OK && taken) {
		int w = snprintf(out, len, "%s%" PRId64, prefix, next++);

		if (w < 0 || (size_t)w >= len)
			return inv_err_set(err, INV_ERROR, "number",
				_("the org's number prefix is too long"));
		rc = number_holder(st, org, out, &holder, &taken, err);
	}
	if (rc != INV_OK)
		return rc;
	int_text(nextt, next);
	return pg_run(st, "UPDATE orgs SET next_number = $2 WHERE id = $1", 2,
	              params, NULL, err);
}

/* The token was claimed before (this call's own earlier save, whose
 * commit may have been reported lost): answer with the invoice it made. */
static enum inv_rc create_repeat(struct pg_store *st,
                                 const struct identity *who,
                                 const char *token, struct write_result *res,
                                 struct inv_err *err)
{
	char orgt[24];
	const char *params[2] = {orgt, token};
	PGresult *r = NULL;
	int64_t id;
	enum inv_rc rc;

	int_text(orgt, who->org_id);
	rc = pg_run(st, "SELECT invoice_id FROM requests "
	                "WHERE org_id = $1 AND token = $2",
	            2, params, &r, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	id = PQntuples(r) == 1 ? int_value(r, 0, 0) : 0;
	PQclear(r);
	rc = row_load(st, who, id, &res->row, err);
	tx_rollback(st);
	if (rc != INV_OK)
		return rc;
	res->have_row = true;
	res->repeat = true;
	return INV_OK;
}

enum inv_rc pgstore_create(struct pg_store *st, const struct identity *who,
                           const char *token, const char *number,
                           const struct invoice_input *in,
                           struct write_result *res, struct inv_err *err)
{
	struct invoice next, holder;
	char alloc[NUMBER_MAX_BYTES + 1], orgt[24], uid[24], total[24];
	char idt[24];
	const char *claim[3] = {orgt, token, uid};
	const char *fill[3] = {orgt, token, idt};
	const char *audit[2] = {orgt, idt};
	const char *row[6] = {orgt, alloc, NULL, NULL, total, NULL};
	PGresult *r = NULL;
	bool taken;
	enum inv_rc rc;

	result_reset(res);
	rc = rule_create_input(token, number, in, &next, err);
	if (rc != INV_OK)
		return rc;

	int_text(orgt, who->org_id);
	int_text(uid, who->user_id);
	rc = guard_fresh(st, err);
	if (rc != INV_OK)
		return rc;
	rc = tx_begin(st, who, err);
	if (rc != INV_OK)
		return rc;
	/* The claim is one statement: of two submits with one token exactly
	 * one inserts; the other waits for it to end and inserts nothing. */
	rc = pg_run(st, "INSERT INTO requests (org_id, token, user_id) "
	                "VALUES ($1, $2, $3) ON CONFLICT (org_id, token) "
	                "DO NOTHING RETURNING token",
	            3, claim, &r, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	taken = PQntuples(r) == 0;
	PQclear(r);
	r = NULL;
	if (taken)
		return create_repeat(st, who, token, res, err);
	if (number) {
		rc = number_holder(st, who->org_id, number, &holder, &taken, err);
		if (rc == INV_OK && taken) {
			inv_err_set(err, INV_CONFLICT, "number",
				_("number %s is already held by a live invoice"),
				number);
			return refuse(st, INV_CONFLICT, &holder, res);
		}
		snprintf(alloc, sizeof alloc, "%s", number);
	} else {
		rc = number_allocate(st, who->org_id, alloc, sizeof alloc, err);
	}
	if (rc == INV_OK)
		rc = pg_run(st, "SELECT set_config('inved.action', "
		                "'invoice.create', true)",
		            0, NULL, NULL, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	row[2] = next.customer;
	row[3] = invoice_status_name(next.status);
	int_text(total, next.total_minor);
	row[5] = next.currency;
	rc = pg_run(st, "INSERT INTO invoices (org_id, number, customer, status, "
	                "total_minor, currency) VALUES ($1, $2, $3, $4, $5, $6) "
	                "RETURNING " ROW_COLS,
	            6, row, &r, err);
	totals_overflow(st, rc, &next, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, res);
	row_read(r, 0, &res->row);
	PQclear(r);
	r = NULL;
	int_text(idt, res->row.id);
	rc = pg_run(st, "UPDATE requests SET invoice_id = $3 "
	                "WHERE org_id = $1 AND token = $2",
	            3, fill, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(st, "SELECT max(seq) FROM audit WHERE org_id = $1 "
		                "AND subject_id = $2 AND from_version = 0",
		            2, audit, &r, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
		/* the insert's trigger did not run: nothing is kept */
		PQclear(r);
		inv_err_set(err, INV_DAMAGED, "schema",
			_("write refused — run `inved check`: %s in %s (an "
			  "admin can put it right with `inved check "
			  "--repair`)"),
			_("the write's audit row was not written"), st->where);
		return refuse(st, INV_DAMAGED, NULL, NULL);
	}
	res->audit_seq = int_value(r, 0, 0);
	res->change_seq = res->audit_seq;
	PQclear(r);
	rc = tx_commit(st, err);
	if (rc != INV_OK)
		return refuse(st, rc, NULL, NULL);
	res->have_row = true;
	return INV_OK;
}

/* ---- waking up on change ------------------------------------------------- */

void pgstore_note_notifies(struct pg_store *st)
{
	PGnotify *note;
	bool any = false;

	if (!st->listening)
		return;
	while ((note = PQnotifies(st->conn)) != NULL) {
		any = true;
		PQfreemem(note);
	}
	if (any && st->wake_ev >= 0) {
		uint64_t one = 1;
		ssize_t w = write(st->wake_ev, &one, sizeof one);

		(void)w; /* a counter already raised stays raised */
	}
}

/* Watch conn's current socket in the epoll set (a reconnect may change
 * it). */
static enum inv_rc wake_watch(struct pg_store *st, struct inv_err *err)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int sock = PQsocket(st->conn);

	if (st->wake_sock >= 0 && st->wake_sock != sock)
		epoll_ctl(st->wake_ep, EPOLL_CTL_DEL, st->wake_sock, NULL);
	if (sock < 0 || sock == st->wake_sock)
		return INV_OK;
	ev.data.fd = sock;
	if (epoll_ctl(st->wake_ep, EPOLL_CTL_ADD, sock, &ev) != 0 &&
	    errno != EEXIST)
		return inv_err_set(err, INV_ERROR, "", "epoll: %s",
		                   strerror(errno));
	st->wake_sock = sock;
	return INV_OK;
}

/* LISTEN on the session's connection itself: a terminal holds two
 * connections, this one (reads and the wake-up) and its writer's.  The
 * reads here are short statements outside any transaction, so a
 * notification is delivered between them; one that arrives with a
 * statement's reply is noted on the eventfd (pgstore_note_notifies). */
static enum inv_rc listen_start(struct pg_store *st, struct inv_err *err)
{
	struct epoll_event ev = {.events = EPOLLIN};
	PGresult *r;
	enum inv_rc rc = INV_OK;

	if (st->wake_ep < 0) {
		st->wake_ep = epoll_create1(EPOLL_CLOEXEC);
		st->wake_ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		ev.data.fd = st->wake_ev;
		if (st->wake_ep < 0 || st->wake_ev < 0 ||
		    epoll_ctl(st->wake_ep, EPOLL_CTL_ADD, st->wake_ev, &ev) != 0)
			return inv_err_set(err, INV_ERROR, "", "epoll: %s",
			                   strerror(errno));
	}
	r = PQexec(st->conn, st->listen_sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = pg_fail(st, r, err);
	PQclear(r);
	if (rc == INV_OK)
		rc = wake_watch(st, err);
	st->listening = rc == INV_OK;
	return rc;
}

/* The connection dropped: connect again with the same parameters, set the
 * session up as pgstore_open did, forget the statements prepared on the
 * old session and LISTEN again.  Notifications are not kept for a session
 * that was away, so the caller reads the feed from its last position. */
static enum inv_rc pg_reconnect(struct pg_store *st, struct inv_err *err)
{
	bool listened = st->listening;
	enum inv_rc rc;

	/* the new socket may get the old one's number: watch it anew */
	if (st->wake_sock >= 0)
		epoll_ctl(st->wake_ep, EPOLL_CTL_DEL, st->wake_sock, NULL);
	st->wake_sock = -1;
	PQreset(st->conn);
	st->nprepared = 0;
	st->guard_prepared = false;
	st->listening = false;
	if (PQstatus(st->conn) != CONNECTION_OK) {
		char line[400];

		first_line(line, sizeof line, PQerrorMessage(st->conn));
		return inv_err_set(err, INV_ERROR, "",
			_("cannot connect to the PostgreSQL database: %s"), line);
	}
	rc = pg_run(st, "SELECT set_config('search_path', 'public', false)",
	            0, NULL, NULL, err);
	if (rc == INV_OK)
		pgstore_presence_renew(st);
	if (rc == INV_OK && listened) {
		uint64_t one = 1;

		rc = listen_start(st, err);
		/* what the gap held is read from the feed: wake the reader */
		if (rc == INV_OK && write(st->wake_ev, &one, sizeof one) < 0)
			rc = inv_err_set(err, INV_ERROR, "", "eventfd: %s",
			                 strerror(errno));
	}
	return rc;
}

enum inv_rc pgstore_listen(struct pg_store *st, const struct identity *who,
                           struct inv_err *err)
{
	snprintf(st->listen_sql, sizeof st->listen_sql,
	         "LISTEN inved_org_%" PRId64, who->org_id);
	return listen_start(st, err);
}

/* The LISTEN before an identity is resolved (listen_add plans the rest):
 * of every org the connection may see (a change of one of them wakes the
 * caller, which then reads its own feed). */
static bool listen_plan(struct pg_store *st)
{
	PGresult *r = NULL;
	size_t o = 0;
	int i;

	st->listen_sql[0] = '\0';
	if (pg_run(st, "SELECT id FROM orgs ORDER BY id LIMIT 32", 0, NULL, &r,
	           NULL) != INV_OK)
		return false;
	for (i = 0; i < PQntuples(r); i++) {
		int w = snprintf(st->listen_sql + o, sizeof st->listen_sql - o,
		                 "%sLISTEN inved_org_%" PRId64, i ? "; " : "",
		                 int_value(r, i, 0));

		if (w < 0 || (size_t)w >= sizeof st->listen_sql - o)
			break;
		o += (size_t)w;
	}
	PQclear(r);
	return o > 0;
}

int pgstore_wakeup_fd(struct pg_store *st)
{
	/* made on the first call */
	if (!st->listening &&
	    (st->listen_sql[0] != '\0' || listen_plan(st)) &&
	    listen_start(st, NULL) != INV_OK)
		return -1;
	if (!st->listening)
		return -1;
	/* what came with the last statement's reply wakes the poll at once */
	pgstore_note_notifies(st);
	return st->wake_ep;
}

enum inv_rc pgstore_wakeup_check(struct pg_store *st, bool *changed,
                                 struct inv_err *err)
{
	PGnotify *note;
	uint64_t count;
	struct pollfd p = {.fd = -1, .events = POLLIN};
	bool woke;

	*changed = false;
	if (!st->listening) {
		/* nothing listened yet (no org to listen for, or it failed):
		 * try again; a new listener may have missed a change, so the
		 * caller reads the feed */
		if (st->listen_sql[0] == '\0' && !listen_plan(st))
			return INV_OK;
		*changed = true;
		return PQstatus(st->conn) == CONNECTION_OK
		               ? listen_start(st, err)
		               : pg_reconnect(st, err);
	}
	if (read(st->wake_ev, &count, sizeof count) == (ssize_t)sizeof count)
		*changed = true;
	p.fd = PQsocket(st->conn);
	woke = poll(&p, 1, 0) == 1;
	if (PQconsumeInput(st->conn) == 0 ||
	    PQstatus(st->conn) != CONNECTION_OK) {
		*changed = true;
		return pg_reconnect(st, err);
	}
	while ((note = PQnotifies(st->conn)) != NULL) {
		woke = false;
		*changed = true;
		PQfreemem(note);
	}
	/* The socket woke us with no notification: a server that ends the
	 * session sends its error first and closes after, so what was read
	 * may be the error alone.  One empty statement tells. */
	if (woke) {
		PQclear(PQexec(st->conn, ""));
		pgstore_note_notifies(st);
		if (PQstatus(st->conn) != CONNECTION_OK) {
			*changed = true;
			return pg_reconnect(st, err);
		}
	}
	return INV_OK;
}

/* ---- more reads ---------------------------------------------------------- */

enum inv_rc pgstore_find(struct pg_store *st, const struct identity *who,
                         const char *ref, struct invoice *out,
                         struct inv_err *err)
{
	char org[24];
	const char *params[2] = {org, ref};
	size_t len = ref ? strlen(ref) : 0, i;
	bool digits = len > 0;
	PGresult *r = NULL;
	enum inv_rc rc;

	if (len == 0 || len > NUMBER_MAX_BYTES)
		return inv_err_set(err, INV_INVALID, "ref",
			_("REF must be an invoice id or a live invoice number "
			  "such as ACME-1001"));
	for (i = 0; i < len; i++)
		if (ref[i] < '0' || ref[i] > '9')
			digits = false;
	if (digits && len <= 18)
		return row_load(st, who, strtoll(ref, NULL, 10), out, err);
	int_text(org, who->org_id);
	rc = pg_run(st, "SELECT " ROW_COLS " FROM invoices WHERE org_id = $1 "
	                "AND number = $2 AND deleted_at IS NULL",
	            2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	if (PQntuples(r) == 1) {
		row_read(r, 0, out);
		PQclear(r);
		return INV_OK;
	}
	PQclear(r);
	return inv_err_set(err, INV_NOT_FOUND, "ref",
		_("no live invoice numbered '%s' in %s"), ref, who->org);
}

enum inv_rc pgstore_summary_recount(struct pg_store *st,
                                    const struct identity *who,
                                    struct summary *out, struct inv_err *err)
{
	return summary_read(st, who,
		"SELECT inved_state(archived_at, deleted_at), currency, "
		"count(*), sum(total_minor) FROM invoices "
		"WHERE org_id = $1 GROUP BY 1, 2 ORDER BY 2", out, err);
}

/* Within an org seq order is commit order (the schema takes a seq after
 * the lock on the org's feed head), so the newest seq the connection can
 * see is a position no later commit of its orgs falls below. */
enum inv_rc pgstore_changes_head(struct pg_store *st, int64_t *out,
                                 struct inv_err *err)
{
	PGresult *r = NULL;
	enum inv_rc rc;

	*out = 0;
	rc = pg_run(st, "SELECT coalesce(max(seq), 0) FROM audit", 0, NULL, &r,
	            err);
	if (rc != INV_OK)
		return rc;
	*out = int_value(r, 0, 0);
	PQclear(r);
	return INV_OK;
}

enum inv_rc pgstore_audit_tail(struct pg_store *st, const struct identity *who,
                               int64_t subject, struct audit_entry *out,
                               size_t max, size_t *n, struct inv_err *err)
{
	char org[24], subj[24], lim[24];
	const char *params[4] = {org, subj, lim, NULL};
	struct invoice row;
	PGresult *r = NULL;
	enum inv_rc rc;
	int i;

	*n = 0;
	/* One invoice's history is read only by whom may read the invoice;
	 * the org's tail leaves out, for a member, the deleted ones' rows. */
	if (subject && (rc = row_load(st, who, subject, &row, err)) != INV_OK)
		return rc;
	int_text(org, who->org_id);
	int_text(subj, subject);
	int_text(lim, (int64_t)max);
	params[3] = identity_at_least(who, ROLE_ADMIN) ? "t" : "f";
	rc = pg_run(st,
		"SELECT a.seq, inved_time_text(a.at), a.actor, a.action, "
		"a.subject_id, coalesce(i.number, ''), a.from_version, "
		"a.to_version, a.detail FROM audit a "
		"LEFT JOIN invoices i ON i.id = a.subject_id "
		"WHERE a.org_id = $1 AND ($2::bigint = 0 OR a.subject_id = $2) "
		"AND ($2::bigint <> 0 OR $4::boolean OR a.subject_id = 0 "
		"OR (i.id IS NOT NULL AND i.deleted_at IS NULL)) "
		"ORDER BY a.seq DESC LIMIT $3",
		4, params, &r, err);
	if (rc != INV_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && (size_t)i < max; i++) {
		struct audit_entry *a = &out[i];

		a->seq = int_value(r, i, 0);
		copy_value(a->at, sizeof a->at, r, i, 1);
		copy_value(a->actor, sizeof a->actor, r, i, 2);
		copy_value(a->action, sizeof a->action, r, i, 3);
		a->subject_id = int_value(r, i, 4);
		copy_value(a->number, sizeof a->number, r, i, 5);
		a->from_version = int_value(r, i, 6);
		a->to_version = int_value(r, i, 7);
		copy_value(a->detail, sizeof a->detail, r, i, 8);
		pgstore_detail_text(a->detail, sizeof a->detail);
	}
	*n = (size_t)i;
	PQclear(r);
	return INV_OK;
}

/* ---- members ------------------------------------------------------------- */

/* The one asking must be an admin of the org now, not only when the
 * session began (rules.c: rule_member_admin). */
static enum inv_rc member_admin_check(struct pg_store *st,
                                      const struct identity *who,
                                      struct inv_err *err)
{
	char org[24], uid[24];
	const char *params[2] = {org, uid};
	PGresult *r = NULL;
	enum inv_role role = ROLE_MEMBER;
	bool found;
	enum inv_rc rc;

	int_text(org, who->org_id);
	int_text(uid, who->user_id);
	rc = pg_run(st, "SELECT role FROM memberships WHERE org_id = $1 "
	                "AND user_id = $2",
	            2, params, &r, err);
	if (rc != INV_OK)
		return rc;
	found = PQntuples(r) == 1;
	if (found)
		role = role_from_text(PQgetvalue(r, 0, 0));
	PQclear(r);
	return rule_member_admin(who, found, role, err);
}

enum inv_rc pgstore_members(struct pg_store *st, const struct identity *who,
                            const char *after, struct member *out,
                            size_t max, size_t *n, struct inv_err *err)
{
	char org[24], lim[24];
	const char *params[3] = {org, after && *after ? after : "", lim};
	PGresult *r = NULL;
	enum inv_rc rc;
	int i;

	*n = 0;
	int_text(org, who->org_id);
	int_text(lim, (int64_t)max);
	rc = member_admin_check(st, who, err);
	if (rc != INV_OK)
		return rc;
	rc = pg_run(st, "SELECT u.name, m.role FROM memberships m "
	                "JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 "
	                "AND u.name > $2 ORDER BY u.name COLLATE \"C\" LIMIT $3",
	            3, params, &r, err);
	if (rc != INV_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && (size_t)i < max; i++) {
		copy_value(out[i].user, sizeof out[i].user, r, i, 0);
		out[i].role = role_from_text(PQgetvalue(r, i, 1));
	}
	*n = (size_t)i;
	PQclear(r);
	return INV_OK;
}

enum inv_rc pgstore_memberships(struct pg_store *st, struct membership *out,
                                size_t max, size_t *n, struct inv_err *err)
{
	char lim[24];
	const char *params[1] = {lim};
	PGresult *r = NULL;
	enum inv_rc rc;
	int i;

	*n = 0;
	int_text(lim, (int64_t)max);
	rc = pg_run(st, "SELECT u.name, o.name, m.role FROM memberships m "
	                "JOIN users u ON u.id = m.user_id "
	                "JOIN orgs o ON o.id = m.org_id "
	                "ORDER BY o.name, u.name LIMIT $1",
	            1, params, &r, err);
	if (rc != INV_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && (size_t)i < max; i++) {
		copy_value(out[i].user, sizeof out[i].user, r, i, 0);
		copy_value(out[i].org, sizeof out[i].org, r, i, 1);
		out[i].role = role_from_text(PQgetvalue(r, i, 2));
	}
	*n = (size_t)i;
	PQclear(r);
	return INV_OK;
}

/* The schema's refusal of a membership change (IV403, IV404, IV409,
 * IV422) said as the SQLite backend says it. */
static enum inv_rc member_refused(struct pg_store *st,
                                  const struct identity *who,
                                  const char *login, const char *role,
                                  const char *was, enum inv_rc rc,
                                  struct inv_err *err)
{
	const char *state = st->state;

	if (!err)
		return rc;
	if (strcmp(state, "IV403") == 0)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("managing members needs the admin role; %s is a member "
			  "of %s"),
			who->user, who->org);
	if (strcmp(state, "IV422") == 0)
		return inv_err_set(err, INV_INVALID, "login",
			_("a login name is 1 to %d characters of letters, digits, "
			  "'.', '_' and '-'"),
			NAME_MAX_BYTES);
	if (strcmp(state, "IV404") == 0 && strstr(err->msg, "no login role"))
		return inv_err_set(err, INV_NOT_FOUND, "login",
			_("there is no login role %s on this server; its "
			  "administrator creates it first (CREATE ROLE %s LOGIN)"),
			login, login);
	if (strcmp(state, "IV404") == 0)
		return inv_err_set(err, INV_NOT_FOUND, "login",
			_("%s is not a member of %s; see `inved member list`"),
			login, who->org);
	if (strcmp(state, "IV409") == 0 && strstr(err->msg, "last admin"))
		return inv_err_set(err, INV_CONFLICT, "login",
			_("%s is the last admin of %s; make another member an "
			  "admin first (`inved member role NAME admin`)"),
			login, who->org);
	if (strcmp(state, "IV409") == 0 && role && !was) {
		char org[24];
		const char *params[2] = {org, login};
		PGresult *r = NULL;
		enum inv_role had = ROLE_MEMBER;

		int_text(org, who->org_id);
		if (pg_run(st, "SELECT m.role FROM memberships m JOIN users u "
		               "ON u.id = m.user_id WHERE m.org_id = $1 "
		               "AND u.name = $2",
		           2, params, &r, NULL) == INV_OK) {
			if (PQntuples(r) == 1)
				had = role_from_text(PQgetvalue(r, 0, 0));
			PQclear(r);
		}
		return inv_err_set(err, INV_CONFLICT, "login",
			_("%s is already a member of %s (%s); change the role "
			  "with `inved member role %s ROLE`"),
			login, who->org, identity_role_name(had), login);
	}
	if (strcmp(state, "IV409") == 0 && role)
		return inv_err_set(err, INV_CONFLICT, "role",
			strcmp(role, "admin") == 0
				? _("%s is already an admin of %s; nothing to change")
				: _("%s is already a member of %s; nothing to change"),
			login, who->org);
	return rc;
}

/* One membership function of the schema in a transaction of its own; its
 * text result (the role before) into was. */
static enum inv_rc member_call(struct pg_store *st, const struct identity *who,
                               const char *sql, const char *login,
                               const char *role, enum inv_role *was,
                               struct inv_err *err)
{
	char org[24];
	const char *params[3] = {org, login, role};
	PGresult *r = NULL;
	enum inv_rc rc;

	if (!identity_name_ok(login))
		return inv_err_set(err, INV_INVALID, "login",
			_("a login name is 1 to %d characters of letters, digits, "
			  "'.', '_' and '-'"),
			NAME_MAX_BYTES);
	int_text(org, who->org_id);
	rc = guard_fresh(st, err);
	if (rc != INV_OK)
		return rc;
	rc = tx_begin(st, who, err);
	if (rc != INV_OK)
		return rc;
	rc = pg_run(st, sql, role ? 3 : 2, params, &r, err);
	if (rc != INV_OK) {
		tx_rollback(st);
		return member_refused(st, who, login, role, was ? "" : NULL, rc,
		                      err);
	}
	if (was)
		*was = role_from_text(PQntuples(r) ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return tx_commit(st, err);
}

enum inv_rc pgstore_member_add(struct pg_store *st,
                               const struct identity *who, const char *login,
                               enum inv_role role, struct inv_err *err)
{
	return member_call(st, who, "SELECT inved_member_add($1, $2, $3)",
	                   login, identity_role_name(role), NULL, err);
}

enum inv_rc pgstore_member_remove(struct pg_store *st,
                                  const struct identity *who,
                                  const char *login, enum inv_role *was,
                                  struct inv_err *err)
{
	enum inv_role w = ROLE_MEMBER;
	enum inv_rc rc = member_call(st, who,
		"SELECT inved_member_remove($1, $2)", login, NULL, &w, err);

	if (rc == INV_OK && was)
		*was = w;
	return rc;
}

enum inv_rc pgstore_member_role(struct pg_store *st,
                                const struct identity *who,
                                const char *login, enum inv_role role,
                                enum inv_role *was, struct inv_err *err)
{
	enum inv_role w = ROLE_MEMBER;
	enum inv_rc rc = member_call(st, who,
		"SELECT inved_member_role($1, $2, $3)", login,
		identity_role_name(role), &w, err);

	if (rc == INV_OK && was)
		*was = w;
	return rc;
}

/* ---- orgs and the tools' members ----------------------------------------- */

enum inv_rc pgstore_org_create(struct pg_store *st, const char *user,
                               const char *org, struct identity *out,
                               bool *already, struct inv_err *err)
{
	const char *params[1] = {org};
	PGresult *r = NULL;
	enum inv_rc rc;

	*already = false;
	memset(out, 0, sizeof *out);
	if (!identity_name_ok(org))
		return inv_err_set(err, INV_INVALID, "org",
			_("user and org names are 1 to %d characters of letters, "
			  "digits, '.', '_' and '-'"),
			NAME_MAX_BYTES);
	if (st->demo)
		return inv_err_set(err, INV_FORBIDDEN, "org",
			_("%s is a demo database (made by `inved init --demo`); "
			  "a team's org goes into a database of its own: `inved "
			  "--db NEW.db init --org %s`"),
			st->where, org);
	if (user && *user && strcmp(user, st->role) != 0)
		return inv_err_set(err, INV_FORBIDDEN, "user",
			_("--user (or INVED_USER) names '%s', but %s is not a "
			  "demo database: here you act as the account you are "
			  "logged in as, %s; drop --user and unset INVED_USER"),
			user, st->where, st->role);
	rc = guard_fresh(st, err);
	if (rc != INV_OK)
		return rc;
	rc = pg_run(st, "BEGIN", 0, NULL, NULL, err);
	if (rc != INV_OK)
		return rc;
	rc = pg_run(st, "SELECT org, already FROM inved_org_create($1)", 1,
	            params, &r, err);
	if (rc != INV_OK) {
		tx_rollback(st);
		if (strcmp(st->state, "IV403") == 0 && err &&
		    strstr(err->msg, "owns the schema"))
			return inv_err_set(err, INV_FORBIDDEN, "user",
				_("%s owns the schema of %s and sees every org; "
				  "an org is made by a member's own login role"),
				st->role, st->where);
		if (strcmp(st->state, "IV403") == 0)
			return inv_err_set(err, INV_FORBIDDEN, "org",
				_("org %s already exists in %s and %s is not its "
				  "admin; init --org only creates a new org (ask an "
				  "admin of %s, or choose another name)"),
				org, st->where, st->role, org);
		return rc;
	}
	*already = PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 1), "t") == 0;
	PQclear(r);
	rc = tx_commit(st, err);
	if (rc == INV_OK)
		rc = pgstore_identity(st, NULL, org, out, err);
	return rc;
}

enum inv_rc pgstore_add_member(struct pg_store *st, const char *user,
                               const char *org, enum inv_role role,
                               struct inv_err *err)
{
	static const char *const sql[] = {
		"INSERT INTO orgs (name, prefix) VALUES ($1, upper($1) || '-') "
		"ON CONFLICT (name) DO NOTHING",
		"INSERT INTO users (name) VALUES ($1) "
		"ON CONFLICT (name) DO NOTHING",
		"INSERT INTO memberships (user_id, org_id, role) VALUES "
		"((SELECT id FROM users WHERE name = $2), "
		"(SELECT id FROM orgs WHERE name = $1), $3) "
		"ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role",
	};
	const char *params[3] = {org, user, identity_role_name(role)};
	/* each statement's own parameters: the org, the user, all three */
	static const int first[] = {0, 1, 0}, count[] = {1, 1, 3};
	enum inv_rc rc;
	size_t i;

	if (!identity_name_ok(user) || !identity_name_ok(org))
		return inv_err_set(err, INV_INVALID,
			identity_name_ok(user) ? "org" : "user",
			_("user and org names are 1 to %d characters of letters, "
			  "digits, '.', '_' and '-'"),
			NAME_MAX_BYTES);
	rc = pg_run(st, "BEGIN", 0, NULL, NULL, err);
	for (i = 0; rc == INV_OK && i < sizeof sql / sizeof sql[0]; i++)
		rc = pg_run(st, sql[i], count[i], params + first[i], NULL, err);
	if (rc == INV_OK)
		return tx_commit(st, err);
	tx_rollback(st);
	return rc;
}

/* ---- the demo dataset ---------------------------------------------------- */

static enum inv_rc demo_make(struct pg_store *st, const struct identity *who,
                             const struct demo_invoice *d, const char *number,
                             int seq, struct inv_err *err)
{
	struct invoice_input in = {.customer = d->customer,
	                           .status = d->status,
	                           .total = d->total,
	                           .currency = d->currency};
	struct write_result res;
	char token[96];
	enum inv_rc rc;
	int64_t v;

	snprintf(token, sizeof token, "demo-%s-%d", who->org, seq);
	rc = pgstore_create(st, who, token, number, &in, &res, err);
	if (rc != INV_OK)
		return rc;
	v = res.row.version;
	if (d->fate == 'a' || d->fate == 'A') {
		rc = pgstore_lifecycle(st, who, RULE_ARCHIVE, res.row.id, v++,
		                       &res, err);
		if (rc != INV_OK)
			return rc;
	}
	if (d->fate == 'd' || d->fate == 'A')
		rc = pgstore_lifecycle(st, who, RULE_DELETE, res.row.id, v, &res,
		                       err);
	return rc;
}

static enum inv_rc demo_fill(struct pg_store *st, struct inv_err *err)
{
	struct identity alice, carol;
	PGresult *r = NULL;
	enum inv_rc rc;
	size_t i;

	/* Counted inside the transaction; the marker's trigger refuses it
	 * once any org exists, so a second seeder fails there. */
	rc = pg_run(st, "SELECT count(*) FROM orgs", 0, NULL, &r, err);
	if (rc != INV_OK)
		return rc;
	i = (size_t)int_value(r, 0, 0);
	PQclear(r);
	if (i > 0)
		return inv_err_set(err, INV_CONFLICT, "",
			_("%s already holds data; the demo goes into a new "
			  "database (choose another --db)"),
			st->where);
	rc = pg_run(st,
		"INSERT INTO meta (key, value) VALUES ('demo', '1') "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(st,
			"INSERT INTO orgs (name, prefix) VALUES "
			"('acme', 'ACME-'), ('globex', 'GLOBEX-')",
			0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(st,
			"INSERT INTO users (name) VALUES "
			"('alice'), ('bob'), ('carol'), ('dave')",
			0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(st,
			"INSERT INTO memberships (user_id, org_id, role) "
			"SELECT u.id, o.id, v.role FROM (VALUES "
			"('alice', 'acme', 'admin'), ('bob', 'acme', 'member'), "
			"('carol', 'globex', 'admin'), "
			"('dave', 'globex', 'member')) AS v(u, o, role) "
			"JOIN users u ON u.name = v.u JOIN orgs o ON o.name = v.o",
			0, NULL, NULL, err);
	if (rc != INV_OK)
		return rc;
	st->demo = true; /* the writes below name their user (inved.actor) */
	rc = pgstore_identity(st, "alice", "acme", &alice, err);
	if (rc == INV_OK)
		rc = pgstore_identity(st, "carol", "globex", &carol, err);
	if (rc == INV_OK)
		rc = demo_make(st, &alice, &demo_first_1001, NULL, 0, err);
	if (rc == INV_OK)
		rc = demo_make(st, &alice, &demo_second_1001, "ACME-1001", 1,
		               err);
	for (i = 0; rc == INV_OK && i < demo_acme_count; i++)
		rc = demo_make(st, &alice, &demo_acme[i], NULL, (int)i + 2, err);
	for (i = 0; rc == INV_OK && i < demo_globex_count; i++)
		rc = demo_make(st, &carol, &demo_globex[i], NULL, (int)i, err);
	return rc;
}

/* The demo is one transaction (each write a savepoint of it): a process
 * killed half way leaves no demo at all. */
enum inv_rc pgstore_seed_demo(struct pg_store *st, struct inv_err *err)
{
	bool was_demo = st->demo;
	enum inv_rc rc = pg_run(st, "BEGIN", 0, NULL, NULL, err);

	if (rc != INV_OK)
		return rc;
	st->batch = true;
	rc = demo_fill(st, err);
	st->batch = false;
	if (rc == INV_OK)
		rc = tx_commit(st, err);
	if (rc == INV_OK)
		return INV_OK;
	tx_rollback(st);
	st->demo = was_demo;
	st->org = 0;
	return rc;
}

/* Every demo invoice leaves its creation claim behind, so a whole demo
 * has exactly one filled claim per demo invoice. */
enum inv_rc pgstore_demo_present(struct pg_store *st, bool *present,
                                 struct inv_err *err)
{
	PGresult *r = NULL;
	int64_t claims;
	enum inv_rc rc;

	*present = st->demo;
	if (!*present)
		return INV_OK;
	rc = pg_run(st, "SELECT count(*) FROM requests WHERE token LIKE 'demo-%' "
	                "AND invoice_id IS NOT NULL",
	            0, NULL, &r, err);
	if (rc != INV_OK)
		return rc;
	claims = int_value(r, 0, 0);
	PQclear(r);
	if (claims < (int64_t)DEMO_INVOICES)
		return inv_err_set(err, INV_CONFLICT, "",
			_("%s holds only part of the demo data (an earlier "
			  "`inved init --demo` was interrupted); make the demo in "
			  "a new database (choose another --db)"),
			st->where);
	return INV_OK;
}

/* ---- the audit detail as a person reads it ------------------------------- */

/* The detail as the SQLite backend writes it.  The triggers build it as
 * jsonb, whose text puts a space after ':' and ',' and orders keys by
 * length; SQLite's json_object writes none and keeps the order given.
 * Strings are escaped alike by both (jsonb's escape_json and SQLite's
 * json_quote: \" \\ \b \f \n \r \t, \u00xx for the other control
 * characters, everything else as it is), so they are copied as they are;
 * only the spaces go and the members are put in SQLite's order. */
void pgstore_detail_text(char *detail, size_t size)
{
	static const char *const order[] = {
		"number", "customer", "status", "total_minor", "currency",
		"archived_at", "deleted_at", "user", "role", "old", "new", NULL,
	};
	char *tmp = size ? malloc(size) : NULL;

	if (tmp && json_compact_ordered(detail, order, tmp, size))
		memcpy(detail, tmp, strlen(tmp) + 1);
	free(tmp);
}

static void detail_side(const PGresult *r, int row, int col, bool *has,
                        bool *is_int, int64_t *i, char *text, size_t size)
{
	const char *type = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
	const char *v = PQgetisnull(r, row, col + 1)
	                        ? ""
	                        : PQgetvalue(r, row, col + 1);
	char *end = NULL;

	*has = *type && strcmp(type, "null") != 0;
	*i = 0;
	*is_int = false;
	if (strcmp(type, "number") == 0 && *v) {
		long long x = strtoll(v, &end, 10);

		*is_int = end && *end == '\0';
		*i = *is_int ? (int64_t)x : 0;
	}
	snprintf(text, size, "%s", v);
}

/* Taken apart with the server's json functions (json, not jsonb: the keys
 * in the order written, as SQLite's json_each gives them) after the
 * core's codec found it well-formed, so no text makes the cast fail. */
enum inv_rc pgstore_audit_explain(struct pg_store *st, const char *detail,
                                  char currency[4],
                                  const struct money_style *style, char *out,
                                  size_t size, struct inv_err *err)
{
	struct detail_field f[DETAIL_FIELDS_MAX];
	const char *params[1] = {detail};
	PGresult *r = NULL;
	size_t n = 0;
	enum inv_rc rc;
	int i;

	if (size == 0)
		return INV_OK;
	out[0] = '\0';
	if (detail && json_valid(detail)) {
		rc = pg_run(st,
			"SELECT e.key, json_typeof(e.value -> 'old'), "
			"e.value ->> 'old', json_typeof(e.value -> 'new'), "
			"e.value ->> 'new' FROM json_each(CASE WHEN "
			"json_typeof($1::json) = 'object' THEN $1::json "
			"ELSE '{}'::json END) e",
			1, params, &r, err);
		if (rc != INV_OK)
			return rc;
		for (i = 0; i < PQntuples(r) && n < DETAIL_FIELDS_MAX; i++, n++) {
			memset(&f[n], 0, sizeof f[n]);
			copy_value(f[n].key, sizeof f[n].key, r, i, 0);
			detail_side(r, i, 1, &f[n].has_old, &f[n].int_old,
			            &f[n].iold, f[n].old, sizeof f[n].old);
			detail_side(r, i, 3, &f[n].has_new, &f[n].int_new,
			            &f[n].inew, f[n].new, sizeof f[n].new);
		}
		PQclear(r);
	}
	audit_explain_fields(f, n, detail ? detail : "", currency, style, out,
	                     size);
	return INV_OK;
}

/* ---- the demonstrations (store_demo.h) ---------------------------------- */

/* A peer write through a connection of its own, as another terminal's:
 * the version bumped under the row's lock, audited as invoice.drift. */
enum inv_rc pgstore_drift(struct pg_store *st, const struct identity *who,
                          int64_t id, struct write_result *res,
                          struct inv_err *err)
{
	struct pg_store *peer = NULL;
	struct invoice cur;
	enum inv_rc rc;
	int64_t tip = 0;
	bool purged = false;

	result_reset(res);
	if (!st->demo)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("forcing version drift is a demonstration for "
			  "databases made by `inved init --demo`; %s is not "
			  "one, so nothing was written"),
			st->where);
	rc = pgstore_open(st->uri, STORE_OPEN_EXISTING, st->busy_ms, &peer,
	                  err);
	if (rc != INV_OK)
		return rc;
	rc = guard_schema(peer, err);
	if (rc == INV_OK)
		rc = begin_load(peer, who, id, &cur, &tip, &purged, err);
	if (rc == INV_OK) {
		rc = rule_check(RULE_DRIFT, &cur, who, cur.version, 0, err);
		if (rc == INV_OK)
			rc = rule_history_tip(&cur, tip, purged, err);
		if (rc != INV_OK)
			tx_rollback(peer);
	}
	if (rc == INV_OK)
		rc = write_row(peer, who, RULE_DRIFT, 0, "invoice.drift",
			"UPDATE invoices SET version = $2::bigint + 1, "
			"updated_at = now() WHERE id = $1 AND version = $2 "
			"RETURNING " ROW_COLS,
			2, &cur, &cur, NULL, NULL, NULL, res, err);
	pgstore_close(peer);
	return rc;
}

/* Every invoice's and every org's row lock, held by a connection of its
 * own for ms: each guarded write waits for it and, past its busy timeout,
 * is busy; a create too (its number is allocated under the org's row
 * lock), as under SQLite's write lock. */
enum inv_rc pgstore_hold_lock(struct pg_store *st, int ms, struct inv_err *err)
{
	struct pg_store *holder = NULL;
	char secs[32];
	const char *params[1] = {secs};
	enum inv_rc rc;

	if (!st->demo)
		return inv_err_set(err, INV_FORBIDDEN, "",
			_("holding the write lock is a demonstration for "
			  "databases made by `inved init --demo`; %s is not "
			  "one"),
			st->where);
	rc = pgstore_open(st->uri, STORE_OPEN_EXISTING, st->busy_ms, &holder,
	                  err);
	if (rc != INV_OK)
		return rc;
	snprintf(secs, sizeof secs, "%d.%03d", ms / 1000, ms % 1000);
	rc = pg_run(holder, "BEGIN", 0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(holder, "SELECT count(*) FROM "
		                    "(SELECT 1 FROM invoices FOR UPDATE) l",
		            0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(holder, "SELECT count(*) FROM "
		                    "(SELECT 1 FROM orgs FOR UPDATE) l",
		            0, NULL, NULL, err);
	if (rc == INV_OK)
		rc = pg_run(holder, "SELECT pg_sleep($1::float8)", 1, params,
		            NULL, err);
	tx_rollback(holder);
	pgstore_close(holder);
	return rc;
}
