/*
 * yard.h - the tables of the guarded-edit yardstick: bare_invoices and
 * bare_audit, full-size copies of invoices and audit with the same columns
 * and indexes and no triggers.  Made by inved-bench-gen with the rest of
 * the file, or by inved-bench for a file that lacks them.
 */
#ifndef INVED_BENCH_YARD_H
#define INVED_BENCH_YARD_H

#include <stdbool.h>

#include <sqlite3.h>

/* True when both tables exist and bare_invoices holds as many rows as
 * invoices (a file that was regenerated, or copied into, has to be made
 * again). */
bool yard_ready(sqlite3 *db);

/* Drop and make both tables from the current invoices and audit, inside
 * the caller's transaction.  0, or -1 with the reason on stderr. */
int yard_build(sqlite3 *db);

#endif
