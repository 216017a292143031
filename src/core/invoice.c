/*
 * invoice.c - status and lifecycle names, the UTF-8 rules, and the check of
 * a customer name as a person typed it (SPEC 7).  Nothing here touches
 * storage; the store calls these before it takes the write lock.
 */
#include <string.h>
#include <strings.h>

#include "i18n.h"
#include "invoice.h"

static const char *const status_names[ST__COUNT] = {
	"draft", "sent", "paid", "void",
};

static const char *const status_labels[ST__COUNT] = {
	N_("Draft"), N_("Sent"), N_("Paid"), N_("Void"),
};

static const char *const life_names[LIFE__COUNT] = {
	"active", "archived", "deleted",
};

enum inv_life invoice_life(const struct invoice *inv)
{
	/* Deleted wins over archived: a deleted row may keep its archive
	 * date, and it must never show up as merely archived. */
	if (inv->deleted_at[0] != '\0')
		return LIFE_DELETED;
	if (inv->archived_at[0] != '\0')
		return LIFE_ARCHIVED;
	return LIFE_ACTIVE;
}

const char *invoice_status_name(enum inv_status st)
{
	/* An out-of-range value is a bug; "unknown" fails the schema's CHECK
	 * instead of being stored as a plausible status. */
	if ((unsigned)st >= ST__COUNT)
		return "unknown";
	return status_names[st];
}

const char *invoice_status_label(enum inv_status st)
{
	if ((unsigned)st >= ST__COUNT)
		return "?";
	return _(status_labels[st]);
}

static const char *const life_labels[LIFE__COUNT] = {
	N_("active"), N_("archived"), N_("deleted"),
};

const char *invoice_life_label(enum inv_life life)
{
	if ((unsigned)life >= LIFE__COUNT)
		return "?";
	return _(life_labels[life]);
}

const char *invoice_life_name(enum inv_life life)
{
	if ((unsigned)life >= LIFE__COUNT)
		return "unknown";
	return life_names[life];
}

/* True when text is short, valid UTF-8 without a character that must not
 * reach a terminal raw (and without a quote): safe to quote back in a
 * message. */
static bool text_quotable(const char *text, size_t max_bytes)
{
	size_t len = strlen(text);
	size_t i = 0;
	uint32_t cp;

	if (len == 0 || len > max_bytes)
		return false;
	while (i < len) {
		i += text_decode(text + i, len - i, &cp);
		if (text_unsafe(cp) || cp == '\'')
			return false;
	}
	return true;
}

enum inv_rc invoice_status_parse(const char *text, enum inv_status *out,
                                 struct inv_err *err)
{
	int i;

	/* Case is forgiven ("Paid" from a person who read the label); the
	 * stored and printed form is always the lower-case name. */
	for (i = 0; text && i < ST__COUNT; i++) {
		if (strcasecmp(text, status_names[i]) == 0) {
			if (out)
				*out = (enum inv_status)i;
			inv_err_clear(err);
			return INV_OK;
		}
	}
	if (text && text_quotable(text, 32))
		return inv_err_set(err, INV_INVALID, "status",
			_("unknown status '%s'; use draft, sent, paid or void"),
			text);
	return inv_err_set(err, INV_INVALID, "status",
		_("unknown status; use draft, sent, paid or void"));
}

/* Characters that leave nothing visible: Unicode White_Space (controls,
 * the line separators and the zero-width characters are refused by
 * text_unsafe before this is asked), so a name of only those counts as
 * empty. */
static bool is_blank(uint32_t cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f ||
	       cp == 0x205f || cp == 0x3000;
}

enum inv_rc invoice_check_customer(const char *text, struct inv_err *err)
{
	size_t len, i = 0, chars = 0;
	bool visible = false;
	uint32_t cp = 0;

	if (!text)
		return inv_err_set(err, INV_INVALID, "customer",
			_("enter a customer name"));
	len = strlen(text);
	if (!utf8_valid(text, len))
		return inv_err_set(err, INV_INVALID, "customer",
			_("the customer name is not valid UTF-8; check the "
			  "terminal's encoding"));
	while (i < len) {
		i += text_decode(text + i, len - i, &cp);
		chars++;
		if (text_is_control(cp))
			return inv_err_set(err, INV_INVALID, "customer",
				_("the customer name cannot contain control "
				  "characters such as tabs or line breaks"));
		/* Bidi overrides and invisible characters make a name read
		 * as another one (SPEC 7); the same rule shows them escaped
		 * when a foreign writer stored them. */
		if (text_unsafe(cp))
			return inv_err_set(err, INV_INVALID, "customer",
				_("invisible or text-direction characters (here "
				  "U+%04X) are not allowed in a customer name"),
				(unsigned)cp);
		if (!is_blank(cp))
			visible = true;
	}
	if (!visible)
		return inv_err_set(err, INV_INVALID, "customer",
			_("enter a customer name; it cannot be empty or only "
			  "spaces"));
	if (chars > CUSTOMER_MAX_CHARS)
		return inv_err_set(err, INV_INVALID, "customer",
			_("the customer name is %zu characters long; at most "
			  "%d are allowed"),
			chars, CUSTOMER_MAX_CHARS);
	inv_err_clear(err);
	return INV_OK;
}
