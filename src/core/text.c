/*
 * text.c - see text.h: decoding UTF-8 strictly, and the visible form of
 * the characters that must never reach a terminal raw.
 */
#include <stdio.h>
#include <string.h>

#include "text.h"

/*
 * The lead byte fixes the allowed range of the second byte (RFC 3629,
 * section 4), which rules out overlongs, surrogates and values past
 * U+10FFFF in one test.
 */
size_t text_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t n, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* below is overlong */
		else if (c == 0xed)
			hi = 0x9f; /* above is a surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* below is overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above is past U+10FFFF */
	} else {
		/* 80..BF continuation without a lead; C0, C1 always overlong;
		 * F5..FF past U+10FFFF. */
		goto bad;
	}
	if (len < n || p[1] < lo || p[1] > hi)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		v = (v << 6) | (p[i] & 0x3f);
	}
	*cp = v;
	return n;
bad:
	*cp = TEXT_BAD_BYTE(c);
	return 1;
}

size_t text_encode(uint32_t cp, char out[4])
{
	if (TEXT_IS_BAD_BYTE(cp)) {
		out[0] = (char)(cp - 0xdc00u);
		return 1;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
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

bool text_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Format characters (Unicode category Cf) that change the order or the
 * joining of what is shown, or show nothing at all: a name that holds
 * them can read as another name. */
static bool text_is_invisible_format(uint32_t cp)
{
	return cp == 0x061c ||                    /* ARABIC LETTER MARK */
	       cp == 0x180e ||                    /* MONGOLIAN VOWEL SEP. */
	       (cp >= 0x200b && cp <= 0x200f) ||  /* ZWSP..RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||  /* LS, PS, LRE..RLO */
	       (cp >= 0x2060 && cp <= 0x2064) ||  /* WJ, invisible operators */
	       (cp >= 0x2066 && cp <= 0x206f) ||  /* LRI..PDI, deprecated */
	       cp == 0xfeff ||                    /* ZWNBSP, BOM */
	       (cp >= 0xfff9 && cp <= 0xfffb);    /* interlinear annotation */
}

bool text_unsafe(uint32_t cp)
{
	return text_is_control(cp) || text_is_invisible_format(cp) ||
	       TEXT_IS_BAD_BYTE(cp);
}

size_t text_escape(uint32_t cp, char out[TEXT_ESCAPE_MAX])
{
	int n;

	if (!text_unsafe(cp)) {
		size_t len = text_encode(cp, out);

		out[len] = '\0';
		return len;
	}
	if (cp < 0x80)
		n = snprintf(out, TEXT_ESCAPE_MAX, "\\x%02x", (unsigned)cp);
	else if (TEXT_IS_BAD_BYTE(cp))
		n = snprintf(out, TEXT_ESCAPE_MAX, "\\x%02x",
		             (unsigned)(cp - 0xdc00u));
	else
		n = snprintf(out, TEXT_ESCAPE_MAX, "\\u%04x", (unsigned)cp);
	return n > 0 ? (size_t)n : 0;
}

size_t text_visible(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src), i = 0, o = 0;
	bool full = size == 0;

	while (i < len) {
		char unit[TEXT_ESCAPE_MAX];
		uint32_t cp;
		size_t n;

		i += text_decode(src + i, len - i, &cp);
		n = text_escape(cp, unit);
		if (!full && o + n < size)
			memcpy(dst + o, unit, n);
		else if (!full) {
			dst[o] = '\0';
			full = true;
		}
		o += n;
	}
	if (!full)
		dst[o] = '\0';
	return o;
}

bool utf8_valid(const char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	if (!s)
		return len == 0;
	while (i < len) {
		i += text_decode(s + i, len - i, &cp);
		if (TEXT_IS_BAD_BYTE(cp))
			return false;
	}
	return true;
}

size_t utf8_length(const char *s)
{
	size_t n = 0;

	if (!s)
		return 0;
	/* Each character has exactly one byte that is not a continuation. */
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static unsigned char ascii_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

bool text_filter_match(const char *hay, size_t hay_len, const char *needle,
                       size_t needle_len)
{
	const unsigned char *h = (const unsigned char *)hay;
	const unsigned char *n = (const unsigned char *)needle;
	size_t i, j;

	if (needle_len > hay_len)
		return false;
	for (i = 0; i + needle_len <= hay_len; i++) {
		for (j = 0; j < needle_len; j++)
			if (ascii_fold(h[i + j]) != ascii_fold(n[j]))
				break;
		if (j == needle_len)
			return true;
	}
	return false;
}

void text_location_shown(char *dst, size_t size, const char *location)
{
	const char *scheme = strstr(location, "://");
	size_t o = 0;
	const char *p;

	if (size == 0)
		return;
	dst[0] = '\0';
	if (!scheme) {
		snprintf(dst, size, "%s", location);
		return;
	}
	p = location;
#define PUT(ch)                                                       \
	do {                                                          \
		if (o + 1 < size)                                     \
			dst[o++] = (ch);                              \
	} while (0)
#define PUTS(s)                                                       \
	do {                                                          \
		for (const char *q_ = (s); *q_; q_++)                 \
			PUT(*q_);                                     \
	} while (0)
	/* scheme:// */
	for (; p < scheme + 3; p++)
		PUT(*p);
	{
		/* the authority ends at the first / ? or # */
		size_t alen = strcspn(p, "/?#");
		const char *at = memchr(p, '@', alen);
		const char *colon = at ? memchr(p, ':', (size_t)(at - p))
		                       : NULL;

		if (colon) {
			for (; p < colon; p++)
				PUT(*p);
			PUTS(":***");
			p = at;
		}
	}
	while (*p) {
		/* a password= parameter, after ? or & */
		if ((*p == '?' || *p == '&') &&
		    strncmp(p + 1, "password=", 9) == 0) {
			PUT(*p);
			PUTS("password=***");
			p += 10;
			p += strcspn(p, "&#");
			continue;
		}
		PUT(*p);
		p++;
	}
#undef PUTS
#undef PUT
	dst[o] = '\0';
}
