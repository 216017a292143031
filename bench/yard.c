/*
 * yard.c - the tables of the guarded-edit yardstick (see yard.h).
 *
 * Why full-size copies: the bare conditional UPDATE and audit INSERT must
 * seek B-trees of the same depth, miss the same page cache and grow audit
 * indexes of the same size as the guarded edit, so that the two differ only
 * in the work the store adds (the row check, the change feed, the totals,
 * the write context).  Tables of a few thousand rows would sit in the page
 * cache and flatter the yardstick by about a third.
 */
#include "yard.h"

#include <stdio.h>

static const char yard_schema[] =
	"DROP TABLE IF EXISTS bare_invoices;"
	"DROP TABLE IF EXISTS bare_audit;"
	"CREATE TABLE bare_invoices ("
	" id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, number TEXT NOT NULL,"
	" customer TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'draft'"
	"  CHECK (status IN ('draft', 'sent', 'paid', 'void')),"
	" total_minor INTEGER NOT NULL"
	"  CHECK (typeof(total_minor) = 'integer' AND total_minor >= 0),"
	" currency TEXT NOT NULL CHECK (length(currency) = 3),"
	" version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL, archived_at TEXT, deleted_at TEXT);"
	"CREATE TABLE bare_audit ("
	" seq INTEGER PRIMARY KEY, at TEXT NOT NULL, org_id INTEGER NOT NULL,"
	" actor_user_id INTEGER, actor TEXT NOT NULL, action TEXT NOT NULL,"
	" subject_id INTEGER NOT NULL, from_version INTEGER NOT NULL,"
	" to_version INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT '{}');"
	/* (the columns by name: inved's tables carry its history chain,
	 * audit_tip and prev_seq, which a bare program does not keep) */
	"INSERT INTO bare_invoices SELECT id, org_id, number, customer, status,"
	" total_minor, currency, version, created_at, updated_at, archived_at,"
	" deleted_at FROM invoices ORDER BY id;"
	"INSERT INTO bare_audit SELECT seq, at, org_id, actor_user_id, actor,"
	" action, subject_id, from_version, to_version, detail FROM audit"
	" ORDER BY seq;"
	/* after the copy: an index built from sorted rows costs far less than
	 * one grown an insert at a time */
	"CREATE UNIQUE INDEX bare_live_number ON bare_invoices(org_id, number)"
	" WHERE deleted_at IS NULL;"
	"CREATE INDEX bare_active_page ON bare_invoices(org_id, id)"
	" WHERE archived_at IS NULL AND deleted_at IS NULL;"
	"CREATE INDEX bare_archived_page ON bare_invoices(org_id, id)"
	" WHERE archived_at IS NOT NULL AND deleted_at IS NULL;"
	"CREATE INDEX bare_org_page ON bare_invoices(org_id, id);"
	"CREATE INDEX bare_audit_org ON bare_audit(org_id, seq);"
	"CREATE INDEX bare_audit_subject ON bare_audit(subject_id, seq);";

static long long yard_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

bool yard_ready(sqlite3 *db)
{
	if (yard_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = "
	                 "'table' AND name IN ('bare_invoices', "
	                 "'bare_audit')") != 2)
		return false;
	return yard_int(db, "SELECT count(*) FROM bare_invoices") ==
	       yard_int(db, "SELECT count(*) FROM invoices");
}

int yard_build(sqlite3 *db)
{
	char *msg = NULL;

	if (sqlite3_exec(db, yard_schema, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "the yardstick's tables: %s\n",
		        msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}
