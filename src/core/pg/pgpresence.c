/*
 * pgpresence.c - who has which invoice open, on PostgreSQL, without
 * writing history: a registration is a row of the UNLOGGED table presence
 * and a session-level advisory lock that the registering connection holds
 * (data/schema-pg.sql, "-- presence --").  Liveness is the lock, not a
 * heartbeat: when a terminal is killed its server process ends and drops
 * the lock, and its row is no longer listed (and is swept by the next
 * registration in the org).  The table has no trigger, so a registration
 * is never audited and never in the change feed; entering and leaving send
 * the org's NOTIFY themselves (at commit, with no payload), so another
 * screen shows an open form at once, as SQLite's watch of its presence
 * directory does: the feed it then reads has nothing new, the presence
 * list it reads with it has.  A killed terminal sends nothing; its mark
 * goes at the screen's next recheck.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "i18n.h"
#include "pgmore.h"

struct presence {
	struct presence_base base; /* first: store_presence_leave's way back */
	struct pg_store *st;
	char id[24];
	char org[24];
	/* what it registered, to register again on a new session */
	struct identity who;
	int64_t invoice_id;
	char face[16];
	struct presence *next; /* the store's registrations */
};

/* Register p on its store's current session: a row and the advisory lock
 * that the session holds for it. */
static enum inv_rc presence_register(struct presence *p, struct inv_err *err)
{
	char org[24], inv[24], pid[24];
	const char *params[4] = {org, inv, p->face, pid};
	PGresult *r = NULL;
	enum inv_rc rc;

	pgm_int_text(org, p->who.org_id);
	pgm_int_text(inv, p->invoice_id);
	pgm_int_text(pid, (int64_t)getpid());
	rc = pgm_begin(p->st, &p->who, err);
	if (rc == INV_OK)
		rc = pgm_run(p->st, "SELECT inved_presence_enter($1, $2, $3, $4)",
		             4, params, &r, err);
	if (rc == INV_OK) {
		pgm_copy(p->id, sizeof p->id, r, 0, 0);
		PQclear(r);
		/* the org's other screens mark the form at once */
		rc = pgm_run(p->st, "SELECT pg_notify('inved_org_' || $1, '')",
		             1, params, NULL, err);
	}
	if (rc == INV_OK)
		rc = pgm_commit(p->st, err);
	else
		pgm_rollback(p->st);
	snprintf(p->org, sizeof p->org, "%s", org);
	return rc;
}

enum inv_rc pgstore_presence_enter(struct pg_store *st,
                                   const struct identity *who,
                                   int64_t invoice_id, const char *face,
                                   struct presence **out,
                                   struct inv_err *err)
{
	struct presence *p;
	enum inv_rc rc;

	*out = NULL;
	p = calloc(1, sizeof *p);
	if (!p)
		return inv_err_set(err, INV_ERROR, "", "%s", _("out of memory"));
	p->st = st;
	p->who = *who;
	p->invoice_id = invoice_id;
	snprintf(p->face, sizeof p->face, "%s", face ? face : "screen");
	rc = presence_register(p, err);
	if (rc != INV_OK) {
		char why[sizeof err->msg];

		snprintf(why, sizeof why, "%s", err->msg);
		free(p);
		return inv_err_set(err, rc, "",
			_("cannot register who has the invoice open in %s: %s"),
			PQdb(pgstore_conn(st)), why);
	}
	p->next = *pgstore_presences(st);
	*pgstore_presences(st) = p;
	*out = p;
	return INV_OK;
}

void pgstore_presence_renew(struct pg_store *st)
{
	struct inv_err err;

	/* a registration that cannot be made again is listed by nobody
	 * until the form is opened again: presence is a hint, never a lock */
	for (struct presence *p = *pgstore_presences(st); p; p = p->next)
		(void)presence_register(p, &err);
}

void pgstore_presence_leave(struct presence *p)
{
	const char *params[2];
	struct inv_err err = {0};

	if (!p)
		return;
	for (struct presence **at = pgstore_presences(p->st); *at;
	     at = &(*at)->next)
		if (*at == p) {
			*at = p->next;
			break;
		}
	params[0] = p->id;
	params[1] = p->org;
	/* a failure leaves the row to the lock: it goes with the connection */
	if (pgm_run(p->st, "SELECT inved_presence_leave($1), "
	                   "pg_notify('inved_org_' || $2, '')", 2, params,
	            NULL, &err) != INV_OK)
		pgm_rollback(p->st);
	free(p);
}

enum inv_rc pgstore_presence_list(struct pg_store *st,
                                  const struct identity *who,
                                  int64_t invoice_id,
                                  struct presence_entry *out, size_t max,
                                  size_t *n, struct inv_err *err)
{
	char org[24], inv[24], lim[24];
	const char *params[3] = {org, inv, lim};
	PGresult *r = NULL;
	enum inv_rc rc;
	int i;

	*n = 0;
	pgm_int_text(org, who->org_id);
	pgm_int_text(inv, invoice_id);
	pgm_int_text(lim, (int64_t)max);
	rc = pgm_begin(st, who, err);
	if (rc == INV_OK)
		rc = pgm_run(st,
			"SELECT user_name, face, "
			"to_char(since AT TIME ZONE 'UTC', "
			"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), client_pid, invoice_id "
			"FROM presence p WHERE org_id = $1 "
			"AND ($2::bigint = 0 OR invoice_id = $2) "
			"AND inved_presence_held(p.id, p.backend_pid) "
			"ORDER BY since, id LIMIT $3",
			3, params, &r, err);
	pgm_rollback(st);
	if (rc != INV_OK)
		return rc;
	for (i = 0; i < PQntuples(r) && (size_t)i < max; i++) {
		struct presence_entry *e = &out[i];

		memset(e, 0, sizeof *e);
		pgm_copy(e->user, sizeof e->user, r, i, 0);
		pgm_copy(e->face, sizeof e->face, r, i, 1);
		pgm_copy(e->since, sizeof e->since, r, i, 2);
		e->pid = (long)pgm_int(r, i, 3);
		e->invoice_id = pgm_int(r, i, 4);
	}
	*n = (size_t)i;
	PQclear(r);
	return INV_OK;
}
