/*
 * pgaccess.c - what pgdrafts.c, pgpresence.c and pgcheck.c share: running
 * a statement with bound parameters on the backend's connection, mapping
 * its failure to the store's codes, and transactions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pgmore.h"

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

enum inv_rc pgm_fail(struct pg_store *st, const PGresult *r,
                            struct inv_err *err)
{
	PGconn *c = pgstore_conn(st);
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
	                    : NULL;
	char line[400];
	enum inv_rc rc = INV_ERROR;

	first_line(line, sizeof line, msg ? msg : PQerrorMessage(c));
	if (!state)
		state = "";
	if (strcmp(state, "55P03") == 0)
		rc = INV_BUSY;
	else if (strcmp(state, "IV403") == 0 || strcmp(state, "42501") == 0 ||
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
	return inv_err_set(err, rc, "", "database %s: %s", PQdb(c), line);
}

enum inv_rc pgm_run(struct pg_store *st, const char *sql, int n,
                    const char *const *params, PGresult **out,
                    struct inv_err *err)
{
	PGresult *r = PQexecParams(pgstore_conn(st), sql, n, NULL, params,
	                           NULL, NULL, 0);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	enum inv_rc rc = INV_OK;

	pgstore_note_notifies(st);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = pgm_fail(st, r, err);
	if (out && rc == INV_OK)
		*out = r;
	else
		PQclear(r);
	return rc;
}

enum inv_rc pgm_begin(struct pg_store *st, const struct identity *who,
                      struct inv_err *err)
{
	const char *params[1] = {who->user};
	enum inv_rc rc = pgm_run(st, "BEGIN", 0, NULL, NULL, err);

	if (rc == INV_OK && pgstore_is_demo(st))
		rc = pgm_run(st, "SELECT set_config('inved.actor', $1, true)", 1,
		             params, NULL, err);
	if (rc != INV_OK)
		pgm_rollback(st);
	return rc;
}

enum inv_rc pgm_commit(struct pg_store *st, struct inv_err *err)
{
	enum inv_rc rc = pgm_run(st, "COMMIT", 0, NULL, NULL, err);

	if (rc != INV_OK)
		pgm_rollback(st);
	return rc;
}

void pgm_rollback(struct pg_store *st)
{
	PGconn *c = pgstore_conn(st);

	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		PQclear(PQexec(c, "ROLLBACK"));
}

void pgm_copy(char *dst, size_t len, const PGresult *r, int row, int col)
{
	const char *t = PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
	size_t n = strnlen(t, len - 1);

	memcpy(dst, t, n);
	dst[n] = '\0';
}

int64_t pgm_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col)
	               ? 0
	               : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

void pgm_int_text(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%" PRId64, v);
}
