/*
 * json.c - the JSON writer behind --json, and the syntax check used before
 * text from the database is embedded without quoting.
 *
 * Strings are written losslessly and never carry a character that must not
 * reach a terminal raw: every character text_unsafe() names (C0, DEL, C1,
 * bidi and invisible formatting characters) is escaped as \uXXXX, and so
 * are the JavaScript line separators among them.  A byte that is not part
 * of well-formed UTF-8 is written as the lone low surrogate \udc80..\udcff
 * of its value (the "surrogateescape" rule of PEP 383): no character
 * encodes to it, so a reader can tell it from U+FFFD or any real text and
 * get the stored bytes back.
 */
#include <inttypes.h>
#include <string.h>

#include "../core/text.h"
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->first[0] = true;
}

/* The separator owed before a value or a key at the current level. */
static void json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (!j->first[j->depth])
		fputc(',', j->out);
	j->first[j->depth] = false;
}

static void json_open(struct json *j, char c)
{
	json_sep(j);
	fputc(c, j->out);
	/* Deeper nesting is a bug in the caller; the writer stays inside its
	 * array instead of overrunning it, and the output shows the fault. */
	if (j->depth + 1 < JSON_DEPTH_MAX)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
}

void json_object_begin(struct json *j) { json_open(j, '{'); }
void json_object_end(struct json *j) { json_close(j, '}'); }
void json_array_begin(struct json *j) { json_open(j, '['); }
void json_array_end(struct json *j) { json_close(j, ']'); }

static void json_escape_ascii(FILE *out, unsigned char c)
{
	switch (c) {
	case '"': fputs("\\\"", out); break;
	case '\\': fputs("\\\\", out); break;
	case '\n': fputs("\\n", out); break;
	case '\r': fputs("\\r", out); break;
	case '\t': fputs("\\t", out); break;
	case '\b': fputs("\\b", out); break;
	case '\f': fputs("\\f", out); break;
	default:
		if (text_unsafe(c))
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

/* One character of a string's content (cp is what text_decode() made of
 * the n bytes at s). */
static void json_write_char(FILE *out, const char *s, size_t n, uint32_t cp)
{
	if (cp < 0x80)
		json_escape_ascii(out, (unsigned char)cp);
	else if (text_unsafe(cp))
		fprintf(out, "\\u%04x", (unsigned)cp); /* bad bytes: \udcXX */
	else
		fwrite(s, 1, n, out);
}

static void json_write_escaped(FILE *out, const char *s)
{
	size_t len = strlen(s), i = 0;

	fputc('"', out);
	while (i < len) {
		uint32_t cp;
		size_t n = text_decode(s + i, len - i, &cp);

		json_write_char(out, s + i, n, cp);
		i += n;
	}
	fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
	json_sep(j);
	json_write_escaped(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void json_string(struct json *j, const char *s)
{
	json_sep(j);
	json_write_escaped(j->out, s ? s : "");
}

void json_string_or_null(struct json *j, const char *s)
{
	if (!s || !*s)
		json_null(j);
	else
		json_string(j, s);
}

void json_int(struct json *j, int64_t v)
{
	json_sep(j);
	fprintf(j->out, "%" PRId64, v);
}

void json_bool(struct json *j, bool v)
{
	json_sep(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
	json_sep(j);
	fputs("null", j->out);
}

/* Whitespace between tokens is dropped (one object, one line), and a raw
 * unsafe character inside a string is escaped; escapes already there are
 * kept as they are. */
void json_embed(struct json *j, const char *text)
{
	size_t len = strlen(text), i = 0;
	bool in_string = false;

	json_sep(j);
	while (i < len) {
		unsigned char c = (unsigned char)text[i];
		uint32_t cp;
		size_t n;

		if (!in_string) {
			if (c == '"')
				in_string = true;
			if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
				fputc(c, j->out);
			i++;
			continue;
		}
		if (c == '\\') {
			fputc(c, j->out);
			fputc(text[i + 1], j->out);
			i += 2;
			continue;
		}
		if (c == '"')
			in_string = false;
		n = text_decode(text + i, len - i, &cp);
		if (text_unsafe(cp))
			fprintf(j->out, "\\u%04x", (unsigned)cp);
		else
			fwrite(text + i, 1, n, j->out);
		i += n;
	}
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}

/* ---- syntax check -------------------------------------------------------- */

struct json_scan {
	const char *p;
	int depth;
};

static bool scan_value(struct json_scan *s);

static void scan_ws(struct json_scan *s)
{
	while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')
		s->p++;
}

static bool scan_literal(struct json_scan *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s->p, word, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool scan_escape(struct json_scan *s)
{
	int i;

	s->p++; /* the backslash */
	if (*s->p && strchr("\"\\/bfnrt", *s->p)) {
		s->p++;
		return true;
	}
	if (*s->p != 'u')
		return false;
	s->p++;
	for (i = 0; i < 4; i++, s->p++)
		if (!is_hex(*s->p))
			return false;
	return true;
}

static bool scan_string(struct json_scan *s)
{
	const unsigned char *u;

	if (*s->p != '"')
		return false;
	s->p++;
	for (;;) {
		u = (const unsigned char *)s->p;
		if (*u == '"') {
			s->p++;
			return true;
		}
		if (*u < 0x20)
			return false; /* also the end of the text */
		if (*u == '\\') {
			if (!scan_escape(s))
				return false;
		} else if (*u >= 0x80) {
			uint32_t cp;

			s->p += text_decode(s->p, strlen(s->p), &cp);
			if (TEXT_IS_BAD_BYTE(cp))
				return false;
		} else {
			s->p++;
		}
	}
}

static bool scan_digits(struct json_scan *s)
{
	const char *start = s->p;

	while (*s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start;
}

static bool scan_number(struct json_scan *s)
{
	if (*s->p == '-')
		s->p++;
	if (*s->p == '0')
		s->p++;
	else if (!scan_digits(s))
		return false;
	if (*s->p == '.') {
		s->p++;
		if (!scan_digits(s))
			return false;
	}
	if (*s->p == 'e' || *s->p == 'E') {
		s->p++;
		if (*s->p == '+' || *s->p == '-')
			s->p++;
		if (!scan_digits(s))
			return false;
	}
	return true;
}

/* Members of an object (with_keys) or elements of an array, after the
 * opening bracket. */
static bool scan_members(struct json_scan *s, bool with_keys, char close)
{
	scan_ws(s);
	if (*s->p == close) {
		s->p++;
		return true;
	}
	for (;;) {
		if (with_keys) {
			scan_ws(s);
			if (!scan_string(s))
				return false;
			scan_ws(s);
			if (*s->p++ != ':')
				return false;
		}
		if (!scan_value(s))
			return false;
		scan_ws(s);
		if (*s->p == close) {
			s->p++;
			return true;
		}
		if (*s->p++ != ',')
			return false;
	}
}

static bool scan_value(struct json_scan *s)
{
	bool ok;

	scan_ws(s);
	switch (*s->p) {
	case '{':
	case '[':
		if (++s->depth > 64)
			return false;
		s->p++;
		ok = scan_members(s, s->p[-1] == '{', s->p[-1] == '{' ? '}' : ']');
		s->depth--;
		return ok;
	case '"':
		return scan_string(s);
	case 't':
		return scan_literal(s, "true");
	case 'f':
		return scan_literal(s, "false");
	case 'n':
		return scan_literal(s, "null");
	default:
		return scan_number(s);
	}
}

bool json_valid(const char *text)
{
	struct json_scan s = {text, 0};

	if (!text || !scan_value(&s))
		return false;
	scan_ws(&s);
	return *s.p == '\0';
}
