/*
 * jsoncodec.c - see jsoncodec.h: writing JSON strings by the core's
 * escaping rule, reading flat objects back, and checking JSON syntax.
 *
 * One string reader serves both the decoder and the syntax check (which
 * reads into no buffer), so the two can never disagree on what a string
 * may hold.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "jsoncodec.h"
#include "text.h"

/* ---- writing ------------------------------------------------------------ */

size_t json_escape_char(const char *s, size_t len, char out[JSON_ESCAPE_MAX],
                        size_t *used)
{
	const char *shortform = NULL;
	uint32_t cp;
	size_t n = text_decode(s, len, &cp);
	int w;

	*used = n;
	switch (cp) {
	case '"': shortform = "\\\""; break;
	case '\\': shortform = "\\\\"; break;
	case '\n': shortform = "\\n"; break;
	case '\r': shortform = "\\r"; break;
	case '\t': shortform = "\\t"; break;
	case '\b': shortform = "\\b"; break;
	case '\f': shortform = "\\f"; break;
	default: break;
	}
	if (shortform) {
		memcpy(out, shortform, 3);
		return 2;
	}
	if (text_unsafe(cp)) {
		/* a bad byte is U+DC80..U+DCFF already: \udcXX */
		w = snprintf(out, JSON_ESCAPE_MAX, "\\u%04x", (unsigned)cp);
		return w > 0 ? (size_t)w : 0;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

/* Append a unit to dst while it fits whole; past the first that does
 * not, only count. */
static void quote_put(char *dst, size_t size, size_t *o, size_t *fit,
                      const char *unit, size_t n)
{
	if (*fit == *o && *o + n < size) {
		memcpy(dst + *o, unit, n);
		*fit += n;
	}
	*o += n;
}

size_t json_quote(char *dst, size_t size, const char *src)
{
	size_t len = src ? strlen(src) : 0, i = 0, o = 0, fit = 0;
	char unit[JSON_ESCAPE_MAX];

	quote_put(dst, size, &o, &fit, "\"", 1);
	while (i < len) {
		size_t used, n = json_escape_char(src + i, len - i, unit, &used);

		quote_put(dst, size, &o, &fit, unit, n);
		i += used;
	}
	quote_put(dst, size, &o, &fit, "\"", 1);
	if (size > 0)
		dst[fit] = '\0';
	return o;
}

/* ---- reading ------------------------------------------------------------ */

enum json_fault {
	JF_NONE,
	JF_OBJECT,
	JF_STRING,
	JF_COLON,
	JF_COMMA,
	JF_VALUE,
	JF_ESCAPE,
	JF_SURROGATE,
	JF_RAW,
	JF_NUMBER,
	JF_TWICE,
	JF_MANY,
	JF_TRAILING,
	JF_ROOM,
	JF_DEEP,
};

static const char *const fault_text[] = {
	[JF_NONE] = "",
	[JF_OBJECT] = N_("a JSON object was expected"),
	[JF_STRING] = N_("a string was expected"),
	[JF_COLON] = N_("':' was expected"),
	[JF_COMMA] = N_("',' or the end of the object was expected"),
	[JF_VALUE] = N_("a string or a whole number was expected"),
	[JF_ESCAPE] = N_("an escape JSON does not have"),
	[JF_SURROGATE] = N_("a surrogate without its pair"),
	[JF_RAW] = N_("a control character or a byte that is not UTF-8"),
	[JF_NUMBER] = N_("a number that is not a whole number in range"),
	[JF_TWICE] = N_("a key given twice"),
	[JF_MANY] = N_("more members than expected"),
	[JF_TRAILING] = N_("text after the end"),
	[JF_ROOM] = N_("more text than there is room for"),
	[JF_DEEP] = N_("nested too deeply"),
};

struct json_reader {
	const char *start, *p, *end;
	char *buf; /* NULL: check only */
	size_t size, o;
	int depth;
	enum json_fault fault;
	size_t fault_at;
};

static bool reader_fail(struct json_reader *r, enum json_fault f)
{
	if (r->fault == JF_NONE) {
		r->fault = f;
		r->fault_at = (size_t)(r->p - r->start);
	}
	return false;
}

static void reader_ws(struct json_reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' ||
	       *r->p == '\r')
		r->p++;
}

static bool reader_put(struct json_reader *r, const char *s, size_t n)
{
	if (!r->buf)
		return true;
	if (r->o + n >= r->size)
		return reader_fail(r, JF_ROOM);
	memcpy(r->buf + r->o, s, n);
	r->o += n;
	return true;
}

static bool hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		uint32_t h;

		if (c >= '0' && c <= '9')
			h = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			h = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			h = (uint32_t)(c - 'A' + 10);
		else
			return false;
		*v = *v * 16 + h;
	}
	return true;
}

/* \uXXXX at r->p (the backslash), with a following low half when it is a
 * high surrogate; the character (or the escaped byte) is put. */
static bool reader_unicode(struct json_reader *r)
{
	uint32_t cp, lo;
	char enc[4];

	if (!hex4(r->p + 2, &cp))
		return reader_fail(r, JF_ESCAPE);
	if (cp == 0)
		return reader_fail(r, JF_ESCAPE); /* C strings end at NUL */
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (r->p[6] != '\\' || r->p[7] != 'u' || !hex4(r->p + 8, &lo) ||
		    lo < 0xdc00 || lo > 0xdfff)
			return reader_fail(r, JF_SURROGATE);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		r->p += 6;
	} else if (cp >= 0xdc00 && cp <= 0xdfff && !TEXT_IS_BAD_BYTE(cp)) {
		return reader_fail(r, JF_SURROGATE);
	}
	r->p += 6;
	/* text_encode turns a TEXT_BAD_BYTE back into its byte */
	return reader_put(r, enc, text_encode(cp, enc));
}

/* A string at r->p into the buffer, NUL-terminated; *out (may be NULL)
 * points at it there. */
static bool reader_string(struct json_reader *r, const char **out)
{
	size_t begin = r->o;

	if (*r->p != '"')
		return reader_fail(r, JF_STRING);
	r->p++;
	for (;;) {
		unsigned char c = (unsigned char)*r->p;
		const char *one = NULL;
		uint32_t cp;
		size_t n;

		if (c == '"')
			break;
		if (c < 0x20)
			return reader_fail(r, JF_RAW); /* also the text's end */
		if (c != '\\') {
			n = text_decode(r->p, (size_t)(r->end - r->p), &cp);
			if (TEXT_IS_BAD_BYTE(cp))
				return reader_fail(r, JF_RAW);
			if (!reader_put(r, r->p, n))
				return false;
			r->p += n;
			continue;
		}
		switch (r->p[1]) {
		case '"': one = "\""; break;
		case '\\': one = "\\"; break;
		case '/': one = "/"; break;
		case 'b': one = "\b"; break;
		case 'f': one = "\f"; break;
		case 'n': one = "\n"; break;
		case 'r': one = "\r"; break;
		case 't': one = "\t"; break;
		case 'u':
			if (!reader_unicode(r))
				return false;
			continue;
		default:
			return reader_fail(r, JF_ESCAPE);
		}
		if (!reader_put(r, one, 1))
			return false;
		r->p += 2;
	}
	r->p++;
	if (r->buf) {
		if (r->o >= r->size)
			return reader_fail(r, JF_ROOM);
		r->buf[r->o++] = '\0';
		if (out)
			*out = r->buf + begin;
	}
	return true;
}

/* A JSON number at r->p; whole numbers in int64 give *v and *whole. */
static bool reader_number(struct json_reader *r, int64_t *v, bool *whole)
{
	const char *at = r->p;
	uint64_t mag = 0, limit = (uint64_t)INT64_MAX;
	bool neg = false, over = false;

	*whole = true;
	if (*r->p == '-') {
		neg = true;
		limit += 1;
		r->p++;
	}
	if (*r->p < '0' || *r->p > '9')
		return reader_fail(r, JF_VALUE);
	if (*r->p == '0' && r->p[1] >= '0' && r->p[1] <= '9')
		return reader_fail(r, JF_NUMBER); /* no leading zeros */
	for (; *r->p >= '0' && *r->p <= '9'; r->p++) {
		uint64_t d = (uint64_t)(*r->p - '0');

		if (mag > (limit - d) / 10)
			over = true;
		else
			mag = mag * 10 + d;
	}
	if (*r->p == '.' || *r->p == 'e' || *r->p == 'E') {
		*whole = false;
		if (*r->p == '.') {
			r->p++;
			if (*r->p < '0' || *r->p > '9')
				return reader_fail(r, JF_NUMBER);
			while (*r->p >= '0' && *r->p <= '9')
				r->p++;
		}
		if (*r->p == 'e' || *r->p == 'E') {
			r->p++;
			if (*r->p == '+' || *r->p == '-')
				r->p++;
			if (*r->p < '0' || *r->p > '9')
				return reader_fail(r, JF_NUMBER);
			while (*r->p >= '0' && *r->p <= '9')
				r->p++;
		}
	}
	if (over)
		*whole = false;
	if (*whole)
		*v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN
		                                           : -(int64_t)mag)
		         : (int64_t)mag;
	if (r->buf && *whole && !reader_put(r, at, (size_t)(r->p - at)))
		return false;
	return true;
}

enum inv_rc json_flat_decode(const char *text, struct json_member *m,
                             size_t max, size_t *n, char *buf, size_t size,
                             struct inv_err *err)
{
	struct json_reader r;

	memset(&r, 0, sizeof r);
	*n = 0;
	if (!text)
		text = "";
	r.start = r.p = text;
	r.end = text + strlen(text);
	r.buf = buf;
	r.size = size;
	if (!buf || size == 0) {
		reader_fail(&r, JF_ROOM);
		goto refused;
	}
	reader_ws(&r);
	if (*r.p != '{') {
		reader_fail(&r, JF_OBJECT);
		goto refused;
	}
	r.p++;
	reader_ws(&r);
	if (*r.p == '}') {
		r.p++;
		goto end;
	}
	for (;;) {
		struct json_member one;
		bool whole;

		memset(&one, 0, sizeof one);
		reader_ws(&r);
		if (!reader_string(&r, &one.key))
			goto refused;
		reader_ws(&r);
		if (*r.p != ':') {
			reader_fail(&r, JF_COLON);
			goto refused;
		}
		r.p++;
		reader_ws(&r);
		if (json_member_find(m, *n, one.key)) {
			reader_fail(&r, JF_TWICE);
			goto refused;
		}
		if (*r.p == '"') {
			one.kind = JSON_STRING;
			if (!reader_string(&r, &one.text))
				goto refused;
		} else {
			const char *at = r.p;
			size_t from = r.o;

			one.kind = JSON_INTEGER;
			if (!reader_number(&r, &one.integer, &whole))
				goto refused;
			if (!whole) {
				r.p = at;
				reader_fail(&r, JF_NUMBER);
				goto refused;
			}
			if (r.o >= r.size) {
				reader_fail(&r, JF_ROOM);
				goto refused;
			}
			r.buf[r.o++] = '\0';
			one.text = r.buf + from;
		}
		if (*n >= max) {
			reader_fail(&r, JF_MANY);
			goto refused;
		}
		m[(*n)++] = one;
		reader_ws(&r);
		if (*r.p == '}') {
			r.p++;
			break;
		}
		if (*r.p != ',') {
			reader_fail(&r, JF_COMMA);
			goto refused;
		}
		r.p++;
	}
end:
	reader_ws(&r);
	if (*r.p != '\0') {
		reader_fail(&r, JF_TRAILING);
		goto refused;
	}
	inv_err_clear(err);
	return INV_OK;
refused:
	*n = 0;
	return inv_err_set(err, INV_INVALID, "json",
		_("JSON refused at byte %zu: %s"), r.fault_at,
		_(fault_text[r.fault]));
}

const struct json_member *json_member_find(const struct json_member *m,
                                           size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].key, key) == 0)
			return &m[i];
	return NULL;
}

/* ---- the syntax check --------------------------------------------------- */

static bool reader_value(struct json_reader *r);

static bool reader_literal(struct json_reader *r, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(r->p, word, n) != 0)
		return reader_fail(r, JF_VALUE);
	r->p += n;
	return true;
}

/* Members of an object (with_keys) or elements of an array, after the
 * opening bracket. */
static bool reader_members(struct json_reader *r, bool with_keys, char close)
{
	reader_ws(r);
	if (*r->p == close) {
		r->p++;
		return true;
	}
	for (;;) {
		if (with_keys) {
			reader_ws(r);
			if (!reader_string(r, NULL))
				return false;
			reader_ws(r);
			if (*r->p != ':')
				return reader_fail(r, JF_COLON);
			r->p++;
		}
		if (!reader_value(r))
			return false;
		reader_ws(r);
		if (*r->p == close) {
			r->p++;
			return true;
		}
		if (*r->p != ',')
			return reader_fail(r, JF_COMMA);
		r->p++;
	}
}

static bool reader_value(struct json_reader *r)
{
	int64_t v;
	bool whole, ok;
	char open;

	reader_ws(r);
	switch (*r->p) {
	case '{':
	case '[':
		if (++r->depth > 64)
			return reader_fail(r, JF_DEEP);
		open = *r->p++;
		ok = reader_members(r, open == '{', open == '{' ? '}' : ']');
		r->depth--;
		return ok;
	case '"':
		return reader_string(r, NULL);
	case 't':
		return reader_literal(r, "true");
	case 'f':
		return reader_literal(r, "false");
	case 'n':
		return reader_literal(r, "null");
	default:
		return reader_number(r, &v, &whole);
	}
}

bool json_valid(const char *text)
{
	struct json_reader r;

	if (!text)
		return false;
	memset(&r, 0, sizeof r);
	r.start = r.p = text;
	r.end = text + strlen(text);
	if (!reader_value(&r))
		return false;
	reader_ws(&r);
	return *r.p == '\0';
}

/* ---- compact text, members in a given order ----------------------------- */

struct compact_out {
	char *dst;
	size_t size, o;
	bool ok;
};

static void compact_put(struct compact_out *c, const char *s, size_t n)
{
	if (!c->ok || c->o + n >= c->size) {
		c->ok = false;
		return;
	}
	memcpy(c->dst + c->o, s, n);
	c->o += n;
}

static const char *compact_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The end of the string token at p (its opening quote). */
static const char *compact_string_end(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : p;
}

/* The end of the value at p (no white space before it); the text is
 * known to be well-formed. */
static const char *compact_value_end(const char *p)
{
	int depth = 0;

	do {
		if (*p == '"') {
			p = compact_string_end(p);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		else if (depth == 0) {
			/* a number or a literal */
			while (*p && !strchr(" \t\n\r,]}", *p))
				p++;
			return p;
		}
		p++;
	} while (*p && depth > 0);
	return p;
}

static void compact_value(struct compact_out *c, const char *p,
                          const char *const *order);

#define COMPACT_MEMBERS_MAX 64

/* The object at p ('{'): its members, those named in order first in that
 * order, the rest as written. */
static void compact_object(struct compact_out *c, const char *p,
                           const char *const *order)
{
	const char *key[COMPACT_MEMBERS_MAX], *val[COMPACT_MEMBERS_MAX];
	bool done[COMPACT_MEMBERS_MAX];
	size_t n = 0, i, k, out = 0;

	p = compact_ws(p + 1);
	while (*p && *p != '}') {
		if (n == COMPACT_MEMBERS_MAX) {
			c->ok = false;
			return;
		}
		key[n] = p;
		p = compact_ws(compact_string_end(p));
		p = compact_ws(p + 1); /* ':' */
		val[n] = p;
		done[n] = false;
		n++;
		p = compact_ws(compact_value_end(p));
		if (*p == ',')
			p = compact_ws(p + 1);
	}
	compact_put(c, "{", 1);
	for (k = 0; order && order[k]; k++)
		for (i = 0; i < n; i++) {
			size_t len = strlen(order[k]);

			if (done[i] || strncmp(key[i] + 1, order[k], len) != 0 ||
			    key[i][len + 1] != '"')
				continue;
			done[i] = true;
			if (out++)
				compact_put(c, ",", 1);
			compact_put(c, key[i],
			            (size_t)(compact_string_end(key[i]) - key[i]));
			compact_put(c, ":", 1);
			compact_value(c, val[i], order);
		}
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		if (out++)
			compact_put(c, ",", 1);
		compact_put(c, key[i],
		            (size_t)(compact_string_end(key[i]) - key[i]));
		compact_put(c, ":", 1);
		compact_value(c, val[i], order);
	}
	compact_put(c, "}", 1);
}

static void compact_value(struct compact_out *c, const char *p,
                          const char *const *order)
{
	p = compact_ws(p);
	if (*p == '{') {
		compact_object(c, p, order);
	} else if (*p == '[') {
		size_t out = 0;

		compact_put(c, "[", 1);
		p = compact_ws(p + 1);
		while (*p && *p != ']') {
			if (out++)
				compact_put(c, ",", 1);
			compact_value(c, p, order);
			p = compact_ws(compact_value_end(p));
			if (*p == ',')
				p = compact_ws(p + 1);
		}
		compact_put(c, "]", 1);
	} else {
		/* a string as it is escaped, a number, a literal */
		compact_put(c, p, (size_t)(compact_value_end(p) - p));
	}
}

bool json_compact_ordered(const char *text, const char *const *order,
                          char *dst, size_t size)
{
	struct compact_out c = {dst, size, 0, true};

	if (!dst || size == 0 || !json_valid(text))
		return false;
	compact_value(&c, text, order);
	if (!c.ok)
		return false;
	dst[c.o] = '\0';
	return true;
}
