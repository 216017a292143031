/*
 * copy_record.h - the engine-neutral form of a row in a copy (store_copy.h),
 * shared by the backends' export and import (backend.h) and copy.c.
 *
 * Each kind is one table with the same name and columns on every backend;
 * a record holds its column values as text in the order of copy_tables,
 * NULL for SQL NULL.  Column types: 'i' a 64-bit integer in decimal, 't'
 * text, 'T' a time as the audit writes it (UTC, milliseconds, "Z").
 */
#ifndef INVED_COPY_RECORD_H
#define INVED_COPY_RECORD_H

#include <stddef.h>

#include "result.h"
#include "store_copy.h"

#define COPY_COLS_MAX 12

struct copy_column {
	const char *name;
	char type; /* 'i', 't' or 'T' */
};

struct copy_table {
	const char *table;
	const char *order; /* ORDER BY of the export: each kind in key order */
	size_t ncols;
	struct copy_column col[COPY_COLS_MAX];
};

extern const struct copy_table copy_tables[COPY__KINDS];

struct copy_record {
	enum copy_kind kind;
	const char *v[COPY_COLS_MAX]; /* copy_tables[kind].ncols values */
};

/* Where an export hands each record; the values live only during the
 * call.  A failure stops the export and is its result. */
typedef enum inv_rc copy_sink(void *ctx, const struct copy_record *rec,
                                 struct inv_err *err);

/* The meta keys a copy leaves out: each database keeps its own. */
#define COPY_META_SKIP "('schema_version', 'created_at')"

#endif
