/*
 * merge.c - the three-way comparison behind the conflict panel (SPEC 4.3):
 * which editable fields each side changed since the form was loaded, whether
 * the two sides can be merged, and the merged row offered for review.
 * Nothing is saved here; the operator saves the merged form or not.
 */
#include <string.h>

#include "i18n.h"
#include "merge.h"
#include "money.h"

static const struct {
	enum merge_field field;
	const char *label;
} field_labels[] = {
	{MF_CUSTOMER, N_("Customer")},
	{MF_STATUS, N_("Status")},
	{MF_TOTAL, N_("Total")},
	{MF_CURRENCY, N_("Currency")},
	{MF_NUMBER, N_("Number")},
};

unsigned merge_diff(const struct invoice *a, const struct invoice *b)
{
	unsigned mask = 0;

	if (strcmp(a->customer, b->customer) != 0)
		mask |= MF_CUSTOMER;
	if (a->status != b->status)
		mask |= MF_STATUS;
	if (a->total_minor != b->total_minor)
		mask |= MF_TOTAL;
	if (strcmp(a->currency, b->currency) != 0)
		mask |= MF_CURRENCY;
	if (strcmp(a->number, b->number) != 0)
		mask |= MF_NUMBER;
	return mask;
}

void merge_fields(const struct invoice *base, const struct invoice *mine,
                  const struct invoice *theirs, struct merge_result *out)
{
	const struct invoice *total_from;
	struct invoice *m = &out->merged;

	out->mine = merge_diff(base, mine);
	out->theirs = merge_diff(base, theirs);
	out->disjoint =
		(out->mine & out->theirs & merge_diff(mine, theirs)) == 0;

	/* theirs carries the database's id, version and timestamps: the merged
	 * form saves against the version the database holds now. */
	*m = *theirs;
	if (out->mine & MF_CUSTOMER)
		memcpy(m->customer, mine->customer, sizeof m->customer);
	if (out->mine & MF_STATUS)
		m->status = mine->status;
	if (out->mine & MF_NUMBER)
		memcpy(m->number, mine->number, sizeof m->number);
	if (out->mine & MF_CURRENCY)
		memcpy(m->currency, mine->currency, sizeof m->currency);
	/* The total comes from the side that changed it (theirs when neither
	 * did); only a changed total is carried into the other side's
	 * currency, so a total nobody touched keeps its minor units. */
	total_from = (out->mine & MF_TOTAL) ? mine : theirs;
	m->total_minor = total_from->total_minor;
	if (((out->mine | out->theirs) & MF_TOTAL) &&
	    !money_carry(&m->total_minor, total_from->currency, m->currency))
		out->disjoint = false;
}

static unsigned money_unit(unsigned mask)
{
	return (mask & MF_MONEY) ? mask | MF_MONEY : mask;
}

unsigned merge_write_set(const struct invoice *base,
                         const struct invoice *mine)
{
	return money_unit(merge_diff(base, mine));
}

unsigned merge_replaced(const struct invoice *base, const struct invoice *mine,
                        const struct invoice *theirs, unsigned fields)
{
	unsigned theirs_changed = money_unit(merge_diff(base, theirs));
	unsigned differ = money_unit(merge_diff(mine, theirs));

	return money_unit(fields) & theirs_changed & differ;
}

unsigned merge_conflicts(const struct invoice *base,
                         const struct invoice *mine,
                         const struct invoice *theirs)
{
	return money_unit(merge_diff(base, mine)) &
	       money_unit(merge_diff(base, theirs)) &
	       money_unit(merge_diff(mine, theirs));
}

void merge_pick(const struct invoice *base, const struct invoice *mine,
                const struct invoice *theirs, unsigned keep_mine,
                struct invoice *out)
{
	unsigned changed = money_unit(merge_diff(base, mine));
	unsigned take = changed & ~(merge_conflicts(base, mine, theirs) &
	                            ~money_unit(keep_mine));

	*out = *theirs;
	if (take & MF_CUSTOMER)
		memcpy(out->customer, mine->customer, sizeof out->customer);
	if (take & MF_STATUS)
		out->status = mine->status;
	if (take & MF_NUMBER)
		memcpy(out->number, mine->number, sizeof out->number);
	if (take & MF_MONEY) {
		out->total_minor = mine->total_minor;
		memcpy(out->currency, mine->currency, sizeof out->currency);
	}
}

const char *merge_field_label(enum merge_field f)
{
	size_t i;

	for (i = 0; i < sizeof field_labels / sizeof field_labels[0]; i++)
		if (field_labels[i].field == f)
			return _(field_labels[i].label);
	return "";
}
