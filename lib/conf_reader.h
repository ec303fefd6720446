/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounds-checked cursor over a byte buffer, with line/column tracking for
 * error messages. Every access goes through rd_peek()/rd_get(), which return
 * -1 at the end instead of reading past it: the parser never indexes the
 * buffer itself.
 */
#ifndef COMMON_CONF_READER_H
#define COMMON_CONF_READER_H

#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
	unsigned line;	/* 1-based */
	unsigned col;	/* 1-based, in bytes */
};

static inline void rd_init(struct rd *r, const void *buf, size_t len)
{
	r->p = buf;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	r->col = 1;
}

/* The next byte, or -1 at the end. */
static inline int rd_peek(const struct rd *r)
{
	return r->pos < r->len ? r->p[r->pos] : -1;
}

/* The byte `off` positions ahead, or -1 past the end. */
static inline int rd_peek_at(const struct rd *r, size_t off)
{
	return off < r->len - r->pos ? r->p[r->pos + off] : -1;
}

/* Consume one byte; -1 at the end (the cursor does not move). */
static inline int rd_get(struct rd *r)
{
	int c;

	if (r->pos >= r->len)
		return -1;
	c = r->p[r->pos++];
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	return c;
}

static inline int rd_eof(const struct rd *r)
{
	return r->pos >= r->len;
}

#endif
