/*
 * pgyard.h - what the PostgreSQL figures (pg.c) need from the server
 * beneath the store: a fresh database of their own, filled in sets, and the
 * yardsticks measured on a raw libpq connection to it.  The figures
 * themselves go through store.h only; this is the one file of the runner
 * that speaks libpq, as yard.c is for SQLite.
 *
 * The yardstick tables bare_invoices and bare_audit are copies of invoices
 * and audit (same columns, same indexes, no triggers, no row security),
 * made once the invoices are loaded, so the bare UPDATE and audit INSERT
 * touch tables and indexes of the same size as the guarded edit.
 */
#ifndef INVED_BENCH_PGYARD_H
#define INVED_BENCH_PGYARD_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* The database made for one run, on the server an admin URI reaches. */
struct pgyard_db {
	char name[64];   /* inved_bench_<pid>_<n> */
	char owner[64];  /* the role that owns it (and acts in the figures) */
	char uri[1024];  /* postgresql:///name?host=...&port=...&user=owner */
	char admin[1024];
	char settings[256]; /* "PostgreSQL 15.8, fsync on, ..." */
	int owner_is_super; /* the acting role skips row security */
};

/* Make a new empty database on the server admin_uri reaches, owned by the
 * role inved_bench (made when missing; a role that is no superuser, so
 * row security applies to it as to a member), or by the admin's own role
 * when it may not make roles.  0, or -1 with the reason on stderr. */
int pgyard_create(const char *admin_uri, struct pgyard_db *db);

/* Drop the database (its connections ended first).  Quiet on failure. */
void pgyard_drop(const struct pgyard_db *db);

/* A raw connection to the run's database as its owner, or NULL with the
 * reason on stderr. */
PGconn *pgyard_connect(const struct pgyard_db *db);

/* Add n invoices to org (id org_id) in one transaction through the
 * schema's triggers (audit, totals and feed as for any writer), then make
 * the yardstick tables from invoices and audit.  0 or -1. */
int pgyard_fill(PGconn *c, int64_t org_id, long n);

/* One bare edit of bare_invoices row id: its load (outside the
 * transaction, as store_get), then one transaction of the conditional
 * UPDATE ... WHERE id = $ AND version = $ and the audit INSERT, sent
 * together (pipeline); notify (may be NULL) is sent on PGYARD_CHANNEL in
 * the same transaction, so it is delivered when it commits.  0, or -1
 * (the reason on stderr). */
#define PGYARD_CHANNEL "inved_bench_bare"
int pgyard_bare_edit(PGconn *c, int64_t id, int64_t user_id,
                     const char *actor, const char *notify);

/* The bare edit's listener: a connection that LISTENs on PGYARD_CHANNEL
 * (non-blocking; poll PQsocket), or NULL.  pgyard_notified consumes what
 * arrived and puts the payloads (numbers) into out; how many, -1 when the
 * connection failed. */
PGconn *pgyard_listener(const struct pgyard_db *db);
int pgyard_notified(PGconn *c, int64_t *out, size_t max);

/* One naive read-modify-write of invoices row id: SELECT total_minor, then
 * UPDATE ... SET total_minor = read + 1 WHERE id = $ with no version
 * guard, each its own transaction.  0 landed, -1 failed. */
int pgyard_naive_edit(PGconn *c, int64_t id);

/* Rows of audit whose subject is one of ids[0..n) with seq > after and
 * action invoice.edit; -1 on failure. */
int64_t pgyard_audit_edits(PGconn *c, const int64_t *ids, size_t n,
                           int64_t after);

/* The highest seq of audit (0 when empty), -1 on failure. */
int64_t pgyard_audit_head(PGconn *c);

#endif
