/*
 * revert.c - naming and rendering the parts of an invoice that a revert
 * (and a confirmation that lists what it replaces) talks about.  Pure text
 * helpers; the revert itself is a guarded write in the store.
 */
#include <stdio.h>

#include "i18n.h"
#include "money.h"
#include "store.h"

const char *revert_part_label(enum revert_part part)
{
	static const char *const labels[REVERT__COUNT] = {
		[REVERT_NUMBER] = N_("Number"),
		[REVERT_CUSTOMER] = N_("Customer"),
		[REVERT_STATUS] = N_("Status"),
		[REVERT_MONEY] = N_("Total"),
	};

	return (unsigned)part < REVERT__COUNT ? _(labels[part]) : "";
}

const char *revert_part_key(enum revert_part part)
{
	static const char *const keys[REVERT__COUNT] = {
		[REVERT_NUMBER] = "number",
		[REVERT_CUSTOMER] = "customer",
		[REVERT_STATUS] = "status",
		[REVERT_MONEY] = "total",
	};

	return (unsigned)part < REVERT__COUNT ? keys[part] : "";
}

void revert_part_value(enum revert_part part, const struct invoice *inv,
                       char *buf, size_t len)
{
	char amount[MONEY_TEXT_MAX];

	switch (part) {
	case REVERT_NUMBER:
		snprintf(buf, len, "%s", inv->number);
		return;
	case REVERT_CUSTOMER:
		snprintf(buf, len, "%s", inv->customer);
		return;
	case REVERT_STATUS:
		snprintf(buf, len, "%s", invoice_status_label(inv->status));
		return;
	case REVERT_MONEY:
		money_format_grouped(inv->total_minor, inv->currency, amount,
		                     sizeof amount);
		snprintf(buf, len, "%s %s", amount, inv->currency);
		return;
	case REVERT__COUNT:
		break;
	}
	if (len)
		buf[0] = '\0';
}
