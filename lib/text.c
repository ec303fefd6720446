/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

size_t text_utf8_len(const unsigned char *s, size_t len)
{
	size_t n;
	uint32_t cp;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* RFC 3629 section 3: no overlong forms, no surrogates, <= U+10FFFF */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A valid multi-octet sequence that still must not be shown as is: C1
 * controls, line and paragraph separators, bidirectional embeddings,
 * overrides and isolates. */
static bool hidden_code_point(const unsigned char *s, size_t n)
{
	uint32_t cp;

	if (n == 2) {
		cp = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
		return cp >= 0x80 && cp <= 0x9f;
	}
	if (n != 3)
		return false;
	cp = ((uint32_t)(s[0] & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	return (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

/* The item at p[0..len): how many input octets it takes (*in) and whether
 * it is kept as is (else it is written as \xNN, one octet). */
static bool item(const unsigned char *p, size_t len, unsigned flags, size_t *in)
{
	unsigned char c = p[0];
	size_t n = text_utf8_len(p, len);
	bool keep;

	if (c < 0x80)
		keep = c >= 0x20 && c < 0x7f &&
		       !((flags & TEXT_ESC_QUOTES) && (c == '\\' || c == '\'' || c == '"'));
	else
		keep = n > 1 && !hidden_code_point(p, n);
	*in = keep ? n : 1;
	return keep;
}

char *text_escape(char *dst, size_t size, const char *src, size_t len, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(src ? src : "");
	const size_t marker = sizeof(TEXT_CUT_MARKER) - 1;
	size_t o = 0, total = 0, n;
	bool cut;

	if (size == 0)
		return dst;
	if (!src)
		len = 0;
	/* first the whole length: only a string that does not fit is cut,
	 * and then with room kept for the marker */
	for (size_t i = 0; i < len; i += n)
		total += item(p + i, len - i, flags, &n) ? n : 4;
	cut = total + 1 > size;
	for (size_t i = 0; i < len; i += n) {
		bool keep = item(p + i, len - i, flags, &n);
		size_t need = keep ? n : 4;

		if (cut && o + need + marker + 1 > size) {
			if (o + marker + 1 <= size) {
				memcpy(dst + o, TEXT_CUT_MARKER, marker);
				o += marker;
			}
			break;
		}
		if (keep) {
			memcpy(dst + o, p + i, n);
			o += n;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[p[i] >> 4];
			dst[o++] = hex[p[i] & 15];
		}
	}
	dst[o] = 0;
	return dst;
}

const char *text_safe(char *dst, size_t size, const char *s)
{
	return text_escape(dst, size, s, s ? strlen(s) : 0, TEXT_ESC_QUOTES);
}
