/*
 * text.c - UTF-8 to wide characters and back, and display widths.
 *
 * The conversions are done by hand rather than with mbstowcs() so that a
 * customer name decodes the same way whatever LC_CTYPE says; only the
 * display width (wcwidth) asks the locale.  Malformed input never stops
 * the screen: a bad byte becomes U+FFFD.
 */
#include "tui_internal.h"

#define REPLACEMENT 0xFFFD

/* Decode one character at s (len bytes left); returns bytes used (>= 1). */
static size_t utf8_decode_one(const unsigned char *s, size_t len,
                              uint32_t *cp)
{
	uint32_t c = s[0];
	size_t need;
	uint32_t min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		need = 1, min = 0x80, c &= 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		need = 2, min = 0x800, c &= 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		need = 3, min = 0x10000, c &= 0x07;
	} else {
		*cp = REPLACEMENT;
		return 1;
	}
	if (len < need + 1) {
		*cp = REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = REPLACEMENT;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = REPLACEMENT;
	*cp = c;
	return need + 1;
}

size_t text_to_wide(const char *s, wchar_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), n = 0;

	while (len > 0 && n < max) {
		uint32_t cp;
		size_t used = utf8_decode_one(p, len, &cp);
		out[n++] = (wchar_t)cp;
		p += used;
		len -= used;
	}
	return n;
}

/* Encode one code point; returns bytes written (0 when it does not fit). */
static size_t utf8_encode_one(uint32_t c, char *out, size_t room)
{
	if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		c = REPLACEMENT;
	if (c < 0x80 && room >= 1) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800 && room >= 2) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c >= 0x800 && c < 0x10000 && room >= 3) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	if (c >= 0x10000 && room >= 4) {
		out[0] = (char)(0xF0 | (c >> 18));
		out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[3] = (char)(0x80 | (c & 0x3F));
		return 4;
	}
	return 0;
}

void text_from_wide(const wchar_t *w, size_t n, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t used = utf8_encode_one((uint32_t)w[i], out + o,
		                              size - 1 - o);
		if (used == 0)
			break;
		o += used;
	}
	out[o] = '\0';
}

int text_wchar_cols(wchar_t c)
{
	int w;

	if (c < 0x20 || c == 0x7f)
		return 1; /* drawn as a replacement, never as a control */
	w = wcwidth(c);
	if (w < 0)
		return 1;
	return w;
}

int text_cols(const char *s)
{
	wchar_t buf[512];
	size_t n = text_to_wide(s, buf, sizeof buf / sizeof buf[0]);
	int cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += text_wchar_cols(buf[i]);
	return cols;
}

void text_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (size == 0)
		return;
	if (len >= size) {
		len = size - 1;
		/* do not end inside a UTF-8 sequence */
		while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
}
