/*
 * demo_data.h - the demo dataset of `inved init --demo` (SPEC 5), one
 * table for every backend: orgs acme (alice admin, bob member) and globex
 * (carol admin, dave member), and their invoices in every status and
 * lifecycle state.  Each backend makes them through its own guarded
 * writes, in this order, so the demo's audit trail, feed and totals are
 * real ones and alike on every backend.
 */
#ifndef INVED_DEMO_DATA_H
#define INVED_DEMO_DATA_H

#include <stddef.h>

struct demo_invoice {
	const char *customer;
	const char *total;
	const char *currency;
	const char *status;
	char fate; /* 'a' archive, 'd' delete, 'A' archive then delete */
};

/* ACME-1001 twice: the first made and deleted, which frees its number for
 * the second (the partial unique index at work). */
extern const struct demo_invoice demo_first_1001, demo_second_1001;
/* ACME-1002 onwards, and GLOBEX-1001 onwards */
extern const struct demo_invoice demo_acme[];
extern const size_t demo_acme_count;
extern const struct demo_invoice demo_globex[];
extern const size_t demo_globex_count;

/* How many invoices the demo makes (each with one request claim). */
#define DEMO_INVOICES (2 + demo_acme_count + demo_globex_count)

#endif
