/*
 * jsoncodec.h - the one JSON codec of the program: strings written with
 * the core's escaping rule, flat objects of string and integer members
 * read back with every escape JSON has, and a syntax check for JSON text
 * that is passed on as it is.  The faces write through it (the command
 * line's --json, the screen's draft bodies) and read through it (drafts).
 * The audit detail is nested JSON written by the schema's triggers; it is
 * read with the database's own JSON functions (audit.c), not here, but
 * PostgreSQL's jsonb text of it is made SQLite's (json_compact_ordered).
 *
 * The writing rule is text.h's: '"' and '\' are escaped, so are \n \r \t
 * \b \f in their short forms, and every other character text_unsafe()
 * names (C0, DEL, C1, bidi and invisible formatting characters) is written
 * as \uXXXX, so the output never carries one raw.  A byte that is not part
 * of well-formed UTF-8 is written as the lone low surrogate \udc80..\udcff
 * of its value (PEP 383 "surrogateescape"): no character encodes to it,
 * so a reader gets the stored bytes back exactly, and this reader does.
 */
#ifndef INVED_JSONCODEC_H
#define INVED_JSONCODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

/* Longest escape of one character, NUL included: "\u202e". */
#define JSON_ESCAPE_MAX 8

/* The JSON form of the character at s (len > 0 bytes available) into out,
 * NUL-terminated; returns its length and sets *used to the bytes of s it
 * took (at least 1). */
size_t json_escape_char(const char *s, size_t len, char out[JSON_ESCAPE_MAX],
                        size_t *used);

/* src as a JSON string, quotes included, into dst (size bytes; always
 * NUL-terminated when size > 0, never cut inside an escape).  Returns the
 * length of the whole quoted string, so a result >= size means it was cut
 * (as snprintf). */
size_t json_quote(char *dst, size_t size, const char *src);

enum json_kind { JSON_STRING, JSON_INTEGER };

struct json_member {
	const char *key;   /* decoded */
	enum json_kind kind;
	const char *text;  /* decoded string, or the integer as written */
	int64_t integer;   /* JSON_INTEGER */
};

/*
 * Read text, one flat JSON object whose members are strings or whole
 * numbers, into m[0..*n) (at most max members, in the order written).
 * Keys and strings are decoded into buf (size bytes; strlen(text) + 1 is
 * always enough, for nothing decodes longer than it is written) and m
 * points into it.  Every escape is read: \" \\ \/ \b \f \n \r \t and
 * \uXXXX, with surrogate pairs joined; a lone \udc80..\udcff is the byte
 * the writer escaped that way.  Refused with INV_INVALID (field "json",
 * naming the byte where it went wrong): any other lone surrogate, \u0000,
 * a raw control character or a byte that is not UTF-8 inside a string,
 * nested values, true/false/null, fractions and exponents (the core keeps
 * no floats), integers beyond int64, a key given twice, more than max
 * members, text after the object, and a buf too small.
 */
enum inv_rc json_flat_decode(const char *text, struct json_member *m,
                             size_t max, size_t *n, char *buf, size_t size,
                             struct inv_err *err);

/* The first member named key, or NULL. */
const struct json_member *json_member_find(const struct json_member *m,
                                           size_t n, const char *key);

/* True when text is exactly one well-formed JSON value of any shape
 * (surrounding whitespace allowed, at most 64 levels deep) in valid
 * UTF-8, with the same string rules as json_flat_decode. */
bool json_valid(const char *text);

/* text (well-formed, as json_valid) again into dst (size bytes) without
 * white space between tokens, and every object's members named in order
 * (a NULL-terminated list of plain key names; may be NULL) first, in that
 * order, the others after them as written.  Strings, numbers and literals
 * are copied as they are escaped and written.  False, dst unspecified,
 * when text is not well-formed, an object has more than 64 members, or
 * the result does not fit. */
bool json_compact_ordered(const char *text, const char *const *order,
                          char *dst, size_t size);

#endif
