/*
 * text.h - untrusted text: the one UTF-8 decoder of the program, and the
 * one rule for which characters must never reach a terminal as they are.
 *
 * Text read from the database may have been written by any SQLite client:
 * it may hold escape sequences, C1 controls, bidi overrides that reorder
 * what a person reads, invisible characters and bytes that are not UTF-8.
 * Every face shows such text through text_visible() (or, character by
 * character, text_escape()), so each of those characters is shown as a
 * visible escape (`\x1b`, `\u202e`) and ordinary text is left as it is.
 * The same rule (text_unsafe) refuses them in input.  Pure functions: no
 * locale, no allocation, no printing.
 */
#ifndef INVED_TEXT_H
#define INVED_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A byte that is not part of well-formed UTF-8 decodes to U+DC80..U+DCFF
 * (byte 0x80..0xFF; an ASCII byte is always well-formed), the lone low
 * surrogate of the "surrogateescape" convention (PEP 383).  Well-formed
 * UTF-8 never yields a surrogate, so the byte can be told apart from every
 * character and written back exactly (text_encode). */
#define TEXT_BAD_BYTE(b) (0xdc00u + (uint32_t)(unsigned char)(b))
#define TEXT_IS_BAD_BYTE(cp) ((cp) >= 0xdc80u && (cp) <= 0xdcffu)

/* Longest visible escape, NUL included: "\u202e". */
#define TEXT_ESCAPE_MAX 8

/* Decode the character at s (len > 0 bytes available) into *cp; returns
 * the bytes it took, always at least 1.  Overlong forms, surrogates, values
 * past U+10FFFF and truncated sequences are not UTF-8: their first byte is
 * returned alone as TEXT_BAD_BYTE. */
size_t text_decode(const char *s, size_t len, uint32_t *cp);

/* Encode cp as UTF-8 into out; returns the bytes written (1 to 4).  A
 * TEXT_BAD_BYTE becomes its original byte again; any other surrogate or a
 * value past U+10FFFF becomes U+FFFD. */
size_t text_encode(uint32_t cp, char out[4]);

/* True for what must never reach a terminal raw: C0 controls, DEL, C1
 * controls, the bidi and invisible formatting characters (U+061C, U+180E,
 * U+200B..U+200F, U+2028..U+202E, U+2060..U+2064, U+2066..U+206F, U+FEFF,
 * U+FFF9..U+FFFB) and bytes that are not UTF-8. */
bool text_unsafe(uint32_t cp);

/* True for the controls among them (C0, DEL, C1). */
bool text_is_control(uint32_t cp);

/* The visible form of cp into out (NUL-terminated); returns its length.
 * Controls below U+0080 and bad bytes are "\xHH" (a bad byte is 80..FF,
 * so the two never meet), the other unsafe characters "\uHHHH"; a safe
 * character is its own UTF-8. */
size_t text_escape(uint32_t cp, char out[TEXT_ESCAPE_MAX]);

/* src with every unsafe character replaced by its escape, into dst (size
 * bytes, always NUL-terminated when size > 0, never cut inside a character
 * or an escape).  Returns the length of the whole visible form, so a
 * result >= size means it was cut (as snprintf). */
size_t text_visible(char *dst, size_t size, const char *src);

/* True when s (len bytes) is well-formed UTF-8 (no overlongs, no
 * surrogates). */
bool utf8_valid(const char *s, size_t len);

/* Number of UTF-8 characters in s (s must be valid UTF-8). */
size_t utf8_length(const char *s);

/* The list's filter (store_page): whether needle occurs in hay as a run
 * of bytes where an ASCII letter matches itself in either case and every
 * other byte only itself, so a non-ASCII letter matches only its own
 * encoding ("ø" never "Ø") and '%', '_' and '\' are plain characters.
 * An empty needle occurs everywhere.  inved's rule, not a database's:
 * every backend filters exactly so. */
/* A database location as it may be shown: a URI's password, in its user
 * information (scheme://user:PASSWORD@host) or as a password= parameter,
 * becomes "***"; anything else is copied.  Cut to size like snprintf. */
void text_location_shown(char *dst, size_t size, const char *location);

bool text_filter_match(const char *hay, size_t hay_len, const char *needle,
                       size_t needle_len);

#endif
