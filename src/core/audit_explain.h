/*
 * audit_explain.h - an audit entry's detail (JSON {"field":{"old":..,
 * "new":..}}, written by the schema's triggers) as a person reads it.  A
 * backend takes the detail apart with its database's JSON functions into
 * struct detail_field, one per key, and audit_explain_fields() says them;
 * store_audit_explain() documents the result.
 */
#ifndef INVED_AUDIT_EXPLAIN_H
#define INVED_AUDIT_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "money.h"
#include "store.h"

/* One changed field of a detail, as json_each() gives it. */
struct detail_field {
	char key[32];
	bool has_old, has_new;     /* not JSON null */
	bool int_old, int_new;     /* an integer */
	int64_t iold, inew;
	char old[CUSTOMER_MAX_BYTES + 1], new[CUSTOMER_MAX_BYTES + 1];
};

#define DETAIL_FIELDS_MAX 16

/* The fields f[0..n) of detail into out ("" when size allows nothing);
 * n 0: detail is not an object of fields and is copied as stored ("{}" as
 * nothing).  currency: the invoice's currency before the entry, set to
 * the one after it. */
void audit_explain_fields(const struct detail_field *f, size_t n,
                          const char *detail, char currency[4],
                          const struct money_style *style, char *out,
                          size_t size);

#endif
