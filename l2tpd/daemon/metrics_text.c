/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prometheus text exposition and the scrape's request line (metrics_text.h). */
#include "metrics_text.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

void prom_family(struct strbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Length of the valid UTF-8 sequence at p (RFC 3629), 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f))
			return 0;	/* overlong, or a UTF-16 surrogate */
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if ((p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;	/* overlong, or above U+10FFFF */
		return 4;
	}
	return 0;
}

static void label_value(struct strbuf *b, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;

	while (*p) {
		size_t n = utf8_len(p);

		if (*p == '\\')
			sb_printf(b, "\\\\");
		else if (*p == '"')
			sb_printf(b, "\\\"");
		else if (*p == '\n')
			sb_printf(b, "\\n");
		else if (n == 0 || *p < 0x20 || *p == 0x7f)
			sb_printf(b, "?");
		else
			sb_printf(b, "%.*s", (int)n, (const char *)p);
		p += n ? n : 1;
	}
}

void prom_sample(struct strbuf *b, const char *name, uint64_t value, ...)
{
	const char *key;
	bool first = true;
	va_list ap;

	sb_printf(b, "%s", name);
	va_start(ap, value);
	while ((key = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);

		sb_printf(b, "%s%s=\"", first ? "{" : ",", key);
		label_value(b, v ? v : "");
		sb_printf(b, "\"");
		first = false;
	}
	va_end(ap);
	sb_printf(b, "%s %" PRIu64 "\n", first ? "" : "}", value);
}

static bool tchar(uint8_t c)
{
	/* RFC 9110 section 5.6.2 token characters */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

enum metrics_request metrics_request_parse(const uint8_t *buf, size_t len, bool *head)
{
	size_t i = 0, m_end, t_start, t_end, end = 0;
	bool found = false;

	*head = false;
	/* the end of the headers: an empty line (CRLF CRLF, or bare LF LF,
	 * RFC 9112 section 2.2 lets a recipient accept a bare LF) */
	for (size_t k = 0; k + 1 < len; k++) {
		if (buf[k] == '\n' && buf[k + 1] == '\n') {
			found = true;
			break;
		}
		if (k + 3 < len && !memcmp(buf + k, "\r\n\r\n", 4)) {
			found = true;
			break;
		}
	}
	if (!found)
		return METRICS_REQ_INCOMPLETE;
	while (end < len && buf[end] != '\r' && buf[end] != '\n')
		end++;
	/* method */
	while (i < end && tchar(buf[i]))
		i++;
	m_end = i;
	if (m_end == 0 || i >= end || buf[i] != ' ')
		return METRICS_REQ_BAD;
	t_start = ++i;
	while (i < end && buf[i] > ' ' && buf[i] < 0x7f)
		i++;
	t_end = i;
	if (t_end == t_start || i >= end || buf[i] != ' ')
		return METRICS_REQ_BAD;
	i++;
	if (end - i != 8 || memcmp(buf + i, "HTTP/1.", 7) != 0 || (buf[i + 7] != '0' && buf[i + 7] != '1'))
		return METRICS_REQ_BAD;
	if (m_end == 4 && !memcmp(buf, "HEAD", 4))
		*head = true;
	else if (!(m_end == 3 && !memcmp(buf, "GET", 3)))
		return METRICS_REQ_BAD_METHOD;
	/* the path, without a query */
	for (i = t_start; i < t_end && buf[i] != '?'; i++)
		;
	if (i - t_start == 8 && !memcmp(buf + t_start, "/metrics", 8))
		return METRICS_REQ_METRICS;
	return METRICS_REQ_NOT_FOUND;
}
