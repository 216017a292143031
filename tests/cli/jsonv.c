/*
 * jsonv.c - see jsonv.h.  Recursive descent; \u escapes (surrogate pairs
 * included) are decoded to UTF-8 so tests compare text as a person sees it.
 */
#include <stdlib.h>
#include <string.h>

#include "invoice.h"
#include "jsonv.h"

struct jp {
	const char *p;
	int depth;
};

static struct jv *jp_value(struct jp *jp);

static void jp_ws(struct jp *jp)
{
	while (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' ||
	       *jp->p == '\r')
		jp->p++;
}

static struct jv *jv_new(enum jv_type t)
{
	struct jv *v = calloc(1, sizeof *v);

	if (v)
		v->type = t;
	return v;
}

void jv_free(struct jv *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jv_free(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->s);
	free(v);
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode \uXXXX (and a following low surrogate) at p (after the 'u'). */
static int jp_unicode(struct jp *jp, char *out, size_t *len)
{
	unsigned cp, lo;

	if (hex4(jp->p, &cp) != 0)
		return -1;
	jp->p += 4;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (jp->p[0] != '\\' || jp->p[1] != 'u' ||
		    hex4(jp->p + 2, &lo) != 0 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		jp->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc80 && cp <= 0xdcff) {
		/* inved's rule for a stored byte that is not UTF-8: the
		 * lone low surrogate of its value; the byte comes back. */
		out[(*len)++] = (char)(cp - 0xdc00);
		return 0;
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return -1;
	}
	*len += utf8_put(out + *len, cp);
	return 0;
}

static char *jp_string(struct jp *jp)
{
	const char *start = jp->p + 1;
	char *out;
	size_t len = 0;

	if (*jp->p != '"')
		return NULL;
	/* Decoded text is never longer than its escaped form. */
	out = malloc(strlen(start) + 1);
	if (!out)
		return NULL;
	jp->p = start;
	for (;;) {
		unsigned char c = (unsigned char)*jp->p;

		if (c == '"')
			break;
		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			out[len++] = (char)c;
			jp->p++;
			continue;
		}
		jp->p++;
		switch (*jp->p++) {
		case '"': out[len++] = '"'; break;
		case '\\': out[len++] = '\\'; break;
		case '/': out[len++] = '/'; break;
		case 'b': out[len++] = '\b'; break;
		case 'f': out[len++] = '\f'; break;
		case 'n': out[len++] = '\n'; break;
		case 'r': out[len++] = '\r'; break;
		case 't': out[len++] = '\t'; break;
		case 'u':
			if (jp_unicode(jp, out, &len) != 0)
				goto bad;
			break;
		default:
			goto bad;
		}
	}
	/* The document itself must be UTF-8; the decoded text may hold the
	 * bytes a \udcXX escape stood for. */
	if (!utf8_valid(start, (size_t)(jp->p - start)))
		goto bad;
	jp->p++;
	out[len] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static struct jv *jp_number(struct jp *jp)
{
	const char *start = jp->p;
	struct jv *v;
	bool integral = true;

	if (*jp->p == '-')
		jp->p++;
	if (*jp->p < '0' || *jp->p > '9')
		return NULL;
	if (*jp->p == '0')
		jp->p++;
	else
		while (*jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	if (*jp->p == '.') {
		integral = false;
		jp->p++;
		if (*jp->p < '0' || *jp->p > '9')
			return NULL;
		while (*jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	if (*jp->p == 'e' || *jp->p == 'E') {
		integral = false;
		jp->p++;
		if (*jp->p == '+' || *jp->p == '-')
			jp->p++;
		if (*jp->p < '0' || *jp->p > '9')
			return NULL;
		while (*jp->p >= '0' && *jp->p <= '9')
			jp->p++;
	}
	v = jv_new(JV_NUMBER);
	if (v) {
		v->integral = integral;
		v->i = strtoll(start, NULL, 10);
	}
	return v;
}

static bool jv_push(struct jv *v, char *key, struct jv *item)
{
	struct jv **items = realloc(v->items, (v->n + 1) * sizeof *items);
	char **keys;

	if (!items)
		return false;
	v->items = items;
	if (v->type == JV_OBJECT) {
		keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
		if (!keys)
			return false;
		v->keys = keys;
		v->keys[v->n] = key;
	}
	v->items[v->n++] = item;
	return true;
}

static struct jv *jp_container(struct jp *jp, bool object)
{
	struct jv *v = jv_new(object ? JV_OBJECT : JV_ARRAY);
	char close = object ? '}' : ']';

	if (!v || ++jp->depth > 64)
		goto bad;
	jp->p++;
	jp_ws(jp);
	if (*jp->p == close) {
		jp->p++;
		jp->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jv *item;

		jp_ws(jp);
		if (object) {
			key = jp_string(jp);
			if (!key)
				goto bad;
			jp_ws(jp);
			if (*jp->p++ != ':') {
				free(key);
				goto bad;
			}
		}
		item = jp_value(jp);
		if (!item || !jv_push(v, key, item)) {
			free(key);
			jv_free(item);
			goto bad;
		}
		jp_ws(jp);
		if (*jp->p == close) {
			jp->p++;
			jp->depth--;
			return v;
		}
		if (*jp->p++ != ',')
			goto bad;
	}
bad:
	jv_free(v);
	return NULL;
}

static struct jv *jp_literal(struct jp *jp, const char *word, enum jv_type t,
                             bool b)
{
	struct jv *v;

	if (strncmp(jp->p, word, strlen(word)) != 0)
		return NULL;
	jp->p += strlen(word);
	v = jv_new(t);
	if (v)
		v->b = b;
	return v;
}

static struct jv *jp_value(struct jp *jp)
{
	struct jv *v;
	char *s;

	jp_ws(jp);
	switch (*jp->p) {
	case '{': return jp_container(jp, true);
	case '[': return jp_container(jp, false);
	case 't': return jp_literal(jp, "true", JV_BOOL, true);
	case 'f': return jp_literal(jp, "false", JV_BOOL, false);
	case 'n': return jp_literal(jp, "null", JV_NULL, false);
	case '"':
		s = jp_string(jp);
		if (!s)
			return NULL;
		v = jv_new(JV_STRING);
		if (!v) {
			free(s);
			return NULL;
		}
		v->s = s;
		return v;
	default:
		return jp_number(jp);
	}
}

struct jv *jv_parse(const char *text)
{
	struct jp jp = {text, 0};
	struct jv *v;

	if (!text)
		return NULL;
	v = jp_value(&jp);
	if (!v)
		return NULL;
	jp_ws(&jp);
	if (*jp.p != '\0') {
		jv_free(v);
		return NULL;
	}
	return v;
}

struct jv *jv_get(const struct jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != JV_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

struct jv *jv_at(const struct jv *v, size_t i)
{
	if (!v || v->type != JV_ARRAY || i >= v->n)
		return NULL;
	return v->items[i];
}
