/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The growing string of the formatters and the one JSON string escaper
 * (policy explanations, l2tpctl, the control socket). */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

void sb_init_fixed(struct strbuf *b, char *buf, size_t size)
{
	b->s = buf;
	b->n = 0;
	b->cap = size;
	b->oom = false;
	b->fixed = true;
	if (size)
		buf[0] = '\0';
}

void sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->n;
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->n : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->n += (size_t)n;
			return;
		}
		if (b->fixed) {
			b->oom = true;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap - b->n <= (size_t)n)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

/* A JSON string: escapes per RFC 8259 section 7; bytes that are not valid
 * UTF-8 (a user name in another encoding) become U+FFFD, so the output is
 * always valid JSON. */
void sb_json_str(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p);

	sb_printf(b, "\"");
	while (*p) {
		unsigned char c = *p;
		size_t n;

		if (c == '"' || c == '\\')
			sb_printf(b, "\\%c", c);
		else if (c == '\n')
			sb_printf(b, "\\n");
		else if (c == '\t')
			sb_printf(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			sb_printf(b, "\\u%04x", c);
		else if ((n = text_utf8_len(p, left)) == 0)
			sb_printf(b, "\\ufffd");
		else {
			sb_printf(b, "%.*s", (int)n, (const char *)p);
			p += n;
			left -= n;
			continue;
		}
		p++;
		left--;
	}
	sb_printf(b, "\"");
}

char *sb_take(struct strbuf *b)
{
	if (b->oom || !b->s) {
		free(b->s);
		if (b->oom)
			return NULL;
		return strdup("");
	}
	return b->s;
}

