/*
 * json.h - a small streaming JSON writer for the command line's --json
 * output.  Strings are written by the core's codec (core/jsoncodec.h),
 * which also checks JSON text that is embedded as it is (the audit
 * detail, json_valid).  Nothing here knows about invoices.
 */
#ifndef INVED_CLI_JSON_H
#define INVED_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/jsoncodec.h"

#define JSON_DEPTH_MAX 16

struct json {
	FILE *out;
	int depth;
	bool first[JSON_DEPTH_MAX]; /* no value written yet at this level */
	bool after_key;             /* the next value follows a key */
};

void json_init(struct json *j, FILE *out);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);
/* "" is written as null: the core keeps NULL timestamps as "". */
void json_string_or_null(struct json *j, const char *s);
void json_int(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* text must be one complete JSON value (see json_valid); it is written on
 * one line, with any raw character that must not reach a terminal escaped
 * (text_unsafe). */
void json_embed(struct json *j, const char *text);

/* Ends the top-level value with a newline. */
void json_finish(struct json *j);

#endif
