/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure parts of the metrics endpoint (metrics.h): Prometheus' text
 * exposition format (version 0.0.4) into a growable string, and the HTTP
 * request line of a scrape. No I/O: unit-tested and fuzzed.
 */
#ifndef L2TPD_METRICS_TEXT_H
#define L2TPD_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* "# HELP name help" and "# TYPE name type" (counter, gauge). */
void prom_family(struct strbuf *b, const char *name, const char *type, const char *help);
/* name{labels} value: labels NULL, or pairs "key", "value", ..., NULL.
 * Label values are escaped (\\, \", \n) and made valid UTF-8 (bytes that
 * are not become '?'): a user name a client chose cannot break the page. */
void prom_sample(struct strbuf *b, const char *name, uint64_t value, ...)
	__attribute__((sentinel));

/* What a scrape asks for. Reads at most len octets of buf. */
enum metrics_request {
	METRICS_REQ_INCOMPLETE,		/* no end of headers yet: read more */
	METRICS_REQ_METRICS,		/* GET or HEAD /metrics */
	METRICS_REQ_NOT_FOUND,		/* another path: 404 */
	METRICS_REQ_BAD_METHOD,		/* not GET or HEAD: 405 */
	METRICS_REQ_BAD,		/* not an HTTP/1.x request line: 400 */
};

/* RFC 9112 section 3: request-line = method SP request-target SP
 * HTTP-version CRLF; the headers end with an empty line. *head: the
 * method was HEAD (no body in the answer). */
enum metrics_request metrics_request_parse(const uint8_t *buf, size_t len, bool *head);

#endif
