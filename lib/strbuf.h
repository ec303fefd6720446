/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growable string for the formatters. */
#ifndef POLICY_STRBUF_H
#define POLICY_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_json_str(struct strbuf *b, const char *s);	/* "..." escaped */
/* The string (caller frees), or NULL if memory ran out. */
char *sb_take(struct strbuf *b);

#endif
