/*
 * json.c - the JSON writer behind --json: the nesting and the separators.
 * Every string goes out through the core's codec (json_escape_char), so
 * the command line writes exactly what the core's reader takes back:
 * losslessly, and never with a character that must not reach a terminal
 * raw (the rule is in core/jsoncodec.h).
 */
#include <inttypes.h>
#include <string.h>

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

static void json_write_escaped(FILE *out, const char *s)
{
	size_t len = strlen(s), i = 0;

	fputc('"', out);
	while (i < len) {
		char unit[JSON_ESCAPE_MAX];
		size_t used, n = json_escape_char(s + i, len - i, unit, &used);

		fwrite(unit, 1, n, out);
		i += used;
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
		char unit[JSON_ESCAPE_MAX];
		size_t n, used;

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
		if (c == '"') {
			in_string = false;
			fputc(c, j->out);
			i++;
			continue;
		}
		/* the text is valid JSON (json_valid), so no raw control is
		 * left in a string: the codec escapes only what is unsafe */
		n = json_escape_char(text + i, len - i, unit, &used);
		fwrite(unit, 1, n, j->out);
		i += used;
	}
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}
