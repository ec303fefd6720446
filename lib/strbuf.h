/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one string builder of the formatters: sb_printf appends, and a
 * failure is sticky (checked once at the end, not after every call).
 *
 * Two modes:
 * - growing (struct strbuf b = { 0 }): the buffer is reallocated as it
 *   fills; oom says memory ran out; sb_take hands the string over.
 * - fixed (sb_init_fixed): writes into the caller's buffer and never past
 *   its size; oom then says the text did not fit (the buffer holds a cut,
 *   NUL-terminated prefix). For text that goes to a fixed-size place (an
 *   nft command line, a netlink attribute).
 */
#ifndef COMMON_STRBUF_H
#define COMMON_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s;
	size_t n, cap;
	bool oom;	/* out of memory, or (fixed) did not fit: sticky */
	bool fixed;	/* s is the caller's, never reallocated */
};

/* Fixed mode over buf[0..size): buf is "" from here on (if size > 0). */
void sb_init_fixed(struct strbuf *b, char *buf, size_t size);

void sb_printf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_json_str(struct strbuf *b, const char *s);	/* "..." escaped */
/* The string (caller frees), or NULL if memory ran out. */
char *sb_take(struct strbuf *b);

#endif
