/*
 * merge.h - three-way comparison of an invoice's editable fields, for the
 * conflict panel (SPEC 4.3).  `base` is the row the form was loaded from,
 * `mine` the operator's values, `theirs` the row the database holds now.
 */
#ifndef INVED_MERGE_H
#define INVED_MERGE_H

#include <stdbool.h>

#include "invoice.h"

enum merge_field {
	MF_CUSTOMER = 1u << 0,
	MF_STATUS = 1u << 1,
	MF_TOTAL = 1u << 2,
	MF_CURRENCY = 1u << 3,
	/* The number: merged and picked like the others; the live-number
	 * index judges it when it is written. */
	MF_NUMBER = 1u << 4,
};
#define MF_ALL (MF_CUSTOMER | MF_STATUS | MF_TOTAL | MF_CURRENCY)
/* Total and Currency are one unit: an amount means nothing without the
 * currency it was written in. */
#define MF_MONEY (MF_TOTAL | MF_CURRENCY)

/* Mask of editable fields whose values differ between a and b. */
unsigned merge_diff(const struct invoice *a, const struct invoice *b);

struct merge_result {
	unsigned mine;     /* fields the operator changed since base */
	unsigned theirs;   /* fields the database changed since base */
	bool disjoint;     /* no field changed by both to different values */
	struct invoice merged; /* theirs with mine's changed fields on top;
	                        * version = theirs.version */
};

/* A field both sides changed to the same value does not count against
 * `disjoint`.  merged is filled whether or not the sides are disjoint. */
void merge_fields(const struct invoice *base, const struct invoice *mine,
                  const struct invoice *theirs, struct merge_result *out);

/* The set of fields a save of `mine` writes: those changed since base,
 * with Total and Currency as one unit (either brings both), so the amount
 * is written with the currency the operator saw it in.  A field the
 * operator left alone is never in it. */
unsigned merge_write_set(const struct invoice *base,
                         const struct invoice *mine);

/* The fields of `fields` whose value in `theirs` a write of `mine` would
 * replace: theirs changed it since base and mine holds something else
 * (both sides setting the same value replaces nothing).  Total and
 * Currency count as one unit. */
unsigned merge_replaced(const struct invoice *base, const struct invoice *mine,
                        const struct invoice *theirs, unsigned fields);

/* The units both sides changed to different values since base (Total and
 * Currency as one unit): the fields the operator has to pick for. */
unsigned merge_conflicts(const struct invoice *base,
                         const struct invoice *mine,
                         const struct invoice *theirs);

/* The combination of per-field picks: theirs (its id and version, so a
 * save is made against the row the database holds now) with every unit
 * only the operator changed taken from mine, and every unit both changed
 * taken from mine when it is in keep_mine, else left as theirs.  Total
 * and Currency travel together, so an amount never lands under a currency
 * it was not written in. */
void merge_pick(const struct invoice *base, const struct invoice *mine,
                const struct invoice *theirs, unsigned keep_mine,
                struct invoice *out);

/* Translated field label: "Customer", "Status", "Total", "Currency". */
const char *merge_field_label(enum merge_field f);

#endif
