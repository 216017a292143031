/*
 * fuzz_util.h - what the libFuzzer targets share: an assertion that
 * reports the broken invariant and aborts (libFuzzer then saves the input
 * that broke it), turning fuzz bytes into C strings, and the check that a
 * message is safe to show on a terminal as it is.
 */
#ifndef INVED_TESTS_FUZZ_UTIL_H
#define INVED_TESTS_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invoice.h"

#define FUZZ_ASSERT(cond)                                                  \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",   \
			        __FILE__, __LINE__, #cond);                \
			abort();                                           \
		}                                                          \
	} while (0)

/* Copy n bytes of data into dst (size bytes) as a C string; a NUL byte in
 * the data ends the string there, as it would in argv or a C API. */
static inline void fuzz_cstr(char *dst, size_t size, const uint8_t *data,
                             size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size && data[i] != 0; i++)
		dst[i] = (char)data[i];
	dst[i] = '\0';
}

/* Valid UTF-8 with no C0 or C1 control character and no DEL: a message
 * that can be written to a terminal as it is. */
static inline bool fuzz_text_printable(const char *s)
{
	size_t len = strlen(s), i;

	if (!utf8_valid(s, len))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] < 0xa0)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
