/*
 * invoice.h - the invoice value, its enums, and the pure validation of the
 * fields a person types (customer text, status names).  No storage here.
 */
#ifndef INVED_INVOICE_H
#define INVED_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"
#include "text.h"

#define CUSTOMER_MAX_CHARS 120                     /* limit in characters */
#define CUSTOMER_MAX_BYTES (CUSTOMER_MAX_CHARS * 4) /* UTF-8 worst case */
#define NUMBER_MAX_BYTES 32
#define TIME_TEXT_MAX 32 /* "2026-11-22T10:04:05.123Z" */

enum inv_status { ST_DRAFT = 0, ST_SENT, ST_PAID, ST_VOID, ST__COUNT };
enum inv_life { LIFE_ACTIVE = 0, LIFE_ARCHIVED, LIFE_DELETED, LIFE__COUNT };

struct invoice {
	int64_t id;
	int64_t org_id;
	char number[NUMBER_MAX_BYTES + 1];
	char customer[CUSTOMER_MAX_BYTES + 1];
	enum inv_status status;
	int64_t total_minor;
	char currency[4];
	int64_t version;
	/* ISO-8601 UTC text as stored; "" means NULL. */
	char created_at[TIME_TEXT_MAX];
	char updated_at[TIME_TEXT_MAX];
	char archived_at[TIME_TEXT_MAX];
	char deleted_at[TIME_TEXT_MAX];
};

enum inv_life invoice_life(const struct invoice *inv);

/* "draft", "sent", "paid", "void" (stable, for storage and JSON). */
const char *invoice_status_name(enum inv_status st);
/* Translated label for screens ("Draft", ...). */
const char *invoice_status_label(enum inv_status st);
/* Parse a stable status name; INV_INVALID (field "status") if unknown. */
enum inv_rc invoice_status_parse(const char *text, enum inv_status *out,
                                 struct inv_err *err);

/* "active", "archived", "deleted". */
const char *invoice_life_name(enum inv_life life);
/* The lifecycle state in the user's language, for messages and screens. */
const char *invoice_life_label(enum inv_life life);

/* Customer rules (SPEC 7): valid UTF-8, no control characters, not empty or
 * only spaces, at most CUSTOMER_MAX_CHARS characters.  INV_INVALID with
 * field "customer" otherwise. */
enum inv_rc invoice_check_customer(const char *text, struct inv_err *err);

#endif
