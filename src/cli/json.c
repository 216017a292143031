/*
 * json.c - the JSON writer behind --json, and the syntax check used before
 * text from the database is embedded without quoting.
 *
 * Strings are always written as valid UTF-8: control characters (C0, DEL
 * and C1) and the two JavaScript line separators are escaped, and a byte
 * that is not part of a well-formed UTF-8 sequence becomes U+FFFD, so a
 * reader never chokes on what a foreign writer put in a customer name.
 */
#include <inttypes.h>
#include <string.h>

#include "../core/invoice.h"
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

/* Length of the UTF-8 sequence a lead byte announces, 0 for a byte that
 * cannot start one. */
static size_t utf8_seq_len(unsigned char c)
{
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

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
		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
}

static void json_write_escaped(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0;

	fputc('"', out);
	while (i < len) {
		size_t n;

		if (p[i] < 0x80) {
			json_escape_ascii(out, p[i++]);
			continue;
		}
		n = utf8_seq_len(p[i]);
		if (n == 0 || i + n > len || !utf8_valid(s + i, n)) {
			fputs("\\ufffd", out);
			i++;
			continue;
		}
		if (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			fprintf(out, "\\u%04x", p[i + 1]); /* C1 control */
		else if (n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 &&
		         (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
			fprintf(out, "\\u%04x", 0x2000 + (p[i + 2] - 0x80));
		else
			fwrite(p + i, 1, n, out);
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

void json_raw(struct json *j, const char *text)
{
	json_sep(j);
	fputs(text, j->out);
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
			size_t n = utf8_seq_len(*u);

			if (n == 0 || strnlen(s->p, n) < n ||
			    !utf8_valid(s->p, n))
				return false;
			s->p += n;
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
