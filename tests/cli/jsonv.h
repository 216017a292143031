/*
 * jsonv.h - a small JSON reader for the command line tests: parses one
 * document into a tree strictly (a trailing byte, a raw control character
 * or invalid UTF-8 in a string fails the parse), so the tests can assert
 * that --json printed exactly one well-formed object and look inside it.
 */
#ifndef INVED_TEST_JSONV_H
#define INVED_TEST_JSONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	bool b;
	bool integral;    /* a number written without fraction or exponent */
	int64_t i;        /* the number when integral */
	char *s;          /* JV_STRING: decoded UTF-8 */
	size_t n;         /* JV_ARRAY, JV_OBJECT: members */
	char **keys;      /* JV_OBJECT */
	struct jv **items;
};

/* \udc80..\udcff alone (inved's escape of a byte that is not UTF-8) is
 * decoded to that byte, so a string compares equal to what was stored. */
/* NULL when text is not exactly one JSON value (whitespace around it and
 * one trailing newline are fine). */
struct jv *jv_parse(const char *text);
void jv_free(struct jv *v);

/* Member of an object, or NULL (also when v is not an object). */
struct jv *jv_get(const struct jv *v, const char *key);
/* Element of an array, or NULL. */
struct jv *jv_at(const struct jv *v, size_t i);

#endif
