/*
 * text.c - UTF-8 to wide characters and back, and display widths.
 *
 * Decoding is the core's (text_decode), so a customer name decodes the
 * same way whatever LC_CTYPE says; only the display width (wcwidth) asks
 * the locale.  A byte that is not UTF-8 becomes the core's TEXT_BAD_BYTE
 * and turns back into the same byte, so editing a field loses nothing.
 * What must not reach a terminal raw (text_unsafe) is measured here as the
 * escape that is drawn in its place.
 */
#include "tui_internal.h"

size_t text_to_wide(const char *s, wchar_t *out, size_t max)
{
	size_t len = strlen(s), i = 0, n = 0;

	while (i < len && n < max) {
		uint32_t cp;

		i += text_decode(s + i, len - i, &cp);
		out[n++] = (wchar_t)cp;
	}
	return n;
}

void text_from_wide(const wchar_t *w, size_t n, char *out, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char enc[4];
		size_t used = text_encode((uint32_t)w[i], enc);

		if (o + used > size - 1)
			break;
		memcpy(out + o, enc, used);
		o += used;
	}
	out[o] = '\0';
}

int text_wchar_cols(wchar_t c)
{
	char shown[TEXT_ESCAPE_MAX];
	int w;

	if (text_unsafe((uint32_t)c))
		return (int)text_escape((uint32_t)c, shown);
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
