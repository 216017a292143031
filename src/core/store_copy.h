/*
 * store_copy.h - moving a team's database from one location to another
 * (`inved copy --from A --to B`): from an SQLite file to PostgreSQL or
 * back, or between two of either.
 *
 * Every row is carried in one engine-neutral form (struct copy_record):
 * the orgs, users and memberships, every invoice with its id, version,
 * lifecycle and timestamps, every audit row (which is also the change
 * feed) with its seq, actor, action, versions, detail and time, the
 * request claims, the drafts, and the demo marker.  Timestamps travel as
 * the audit writes them ("2026-12-02T10:41:05.123Z").  What the target
 * derives (its totals, its feed position, its id sequences) it derives
 * again from the rows; presence is not history and is not carried.
 *
 * The source is read in one read transaction, the target written in one
 * write transaction, a batch at a time: a database of a million invoices
 * never sits in memory.  The target's triggers do not fire for the rows
 * (they would version, audit and feed them a second time): each backend
 * sets them aside inside its transaction and puts them back, unchanged,
 * before the commit.  Copying reads and writes every org, so it is the
 * operation of whoever owns both databases: on PostgreSQL the role that
 * owns the schema (row security would hide the rest from anyone else).
 */
#ifndef INVED_STORE_COPY_H
#define INVED_STORE_COPY_H

#include <stdint.h>

#include "store.h"

/* The kinds of rows, in the order they are copied. */
enum copy_kind {
	COPY_META,       /* the demo marker */
	COPY_ORG,
	COPY_USER,
	COPY_MEMBERSHIP,
	COPY_INVOICE,
	COPY_AUDIT,
	COPY_REQUEST,
	COPY_DRAFT,
	COPY__KINDS
};

/* "meta", "orgs", "users", "memberships", "invoices", "audit",
 * "requests", "drafts" (stable, for JSON). */
const char *copy_kind_name(enum copy_kind kind);

struct copy_report {
	/* the backends of source and target: "sqlite", "postgresql" */
	char from_backend[16];
	char to_backend[16];
	int64_t count[COPY__KINDS]; /* rows copied, per kind */
	struct check_report check;  /* `inved check` of the target, after */
};

/* Copy the database at `from` into the one at `to` (created when it does
 * not exist: a file, or the schema in an empty PostgreSQL database).
 * opt gives the busy timeout (flags are ignored).  The target must hold
 * no org, user, membership, invoice, audit row, request or draft:
 * otherwise INV_CONFLICT, and nothing is written.  A missing source is
 * INV_NOT_FOUND (nothing is created); from and to the same location
 * INV_INVALID.  A failure while writing rolls the target's transaction
 * back whole.  On INV_OK the copy is committed and out->check holds the
 * target's integrity check (out->check.n == 0 when it passes). */
enum inv_rc store_copy(const char *from, const char *to,
                       const struct store_options *opt,
                       struct copy_report *out, struct inv_err *err);

#endif
