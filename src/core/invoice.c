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

/* True when text is short, valid UTF-8 without control characters: safe to
 * quote back in a message shown on a terminal. */
static bool text_quotable(const char *text, size_t max_bytes)
{
	size_t len = strlen(text);
	size_t i;

	if (len == 0 || len > max_bytes || !utf8_valid(text, len))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c == 0x7f || c == '\'')
			return false;
		/* C1 controls are U+0080..U+009F, encoded C2 80..C2 9F. */
		if (c == 0xc2 && (unsigned char)text[i + 1] < 0xa0)
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

/*
 * Decode one well-formed UTF-8 sequence at s (len bytes available) into
 * *cp and return its length, or 0 when the bytes there are not UTF-8:
 * a stray continuation byte, a truncated sequence, an overlong encoding,
 * a surrogate (U+D800..U+DFFF) or a value above U+10FFFF.  The lead byte
 * fixes the allowed range of the second byte (RFC 3629, section 4), which
 * rules out overlongs, surrogates and values past U+10FFFF in one test.
 */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* below is overlong */
		else if (c == 0xed)
			hi = 0x9f; /* above is a surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* below is overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above is past U+10FFFF */
	} else {
		/* 80..BF continuation without a lead; C0, C1 always overlong;
		 * F5..FF past U+10FFFF. */
		return 0;
	}
	if (len < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return n;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp = 0;

	if (!s)
		return len == 0;
	while (i < len) {
		size_t n = utf8_decode(p + i, len - i, &cp);

		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

size_t utf8_length(const char *s)
{
	size_t n = 0;

	if (!s)
		return 0;
	/* Each character has exactly one byte that is not a continuation. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static bool is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Characters that leave nothing visible: Unicode White_Space (controls are
 * refused before this is asked) and the zero-width space and BOM, so a name
 * of only those counts as empty. */
static bool is_blank(uint32_t cp)
{
	return cp == 0x20 || cp == 0xa0 || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
	       cp == 0xfeff;
}

enum inv_rc invoice_check_customer(const char *text, struct inv_err *err)
{
	const unsigned char *p = (const unsigned char *)text;
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
		i += utf8_decode(p + i, len - i, &cp);
		chars++;
		if (is_control(cp))
			return inv_err_set(err, INV_INVALID, "customer",
				_("the customer name cannot contain control "
				  "characters such as tabs or line breaks"));
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
