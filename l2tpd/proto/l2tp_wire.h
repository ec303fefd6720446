/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounds-checked cursor reader and writer for L2TP wire data.
 *
 * Every read goes through rd_u8/rd_u16/rd_u32/rd_bytes, which fail (return
 * false and leave the cursor where it was) instead of reading past the end.
 * The writer never writes past its capacity: an overflow sets a sticky flag
 * and later writes are ignored, so an encoder checks once at the end.
 */
#ifndef L2TP_WIRE_H
#define L2TP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct l2tp_rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static inline void l2tp_rd_init(struct l2tp_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
}

static inline size_t l2tp_rd_left(const struct l2tp_rd *r)
{
	return r->len - r->pos;
}

static inline bool l2tp_rd_u8(struct l2tp_rd *r, uint8_t *v)
{
	if (l2tp_rd_left(r) < 1)
		return false;
	*v = r->p[r->pos++];
	return true;
}

static inline bool l2tp_rd_u16(struct l2tp_rd *r, uint16_t *v)
{
	if (l2tp_rd_left(r) < 2)
		return false;
	*v = (uint16_t)(r->p[r->pos] << 8 | r->p[r->pos + 1]);
	r->pos += 2;
	return true;
}

static inline bool l2tp_rd_u32(struct l2tp_rd *r, uint32_t *v)
{
	if (l2tp_rd_left(r) < 4)
		return false;
	*v = (uint32_t)r->p[r->pos] << 24 | (uint32_t)r->p[r->pos + 1] << 16 |
	     (uint32_t)r->p[r->pos + 2] << 8 | (uint32_t)r->p[r->pos + 3];
	r->pos += 4;
	return true;
}

/* Hand out a pointer to the next n bytes and skip them. */
static inline bool l2tp_rd_bytes(struct l2tp_rd *r, size_t n, const uint8_t **out)
{
	if (l2tp_rd_left(r) < n)
		return false;
	if (out)
		*out = r->p + r->pos;
	r->pos += n;
	return true;
}

struct l2tp_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void l2tp_wr_init(struct l2tp_wr *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

static inline bool l2tp_wr_room(struct l2tp_wr *w, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void l2tp_wr_u8(struct l2tp_wr *w, uint8_t v)
{
	if (l2tp_wr_room(w, 1))
		w->p[w->len++] = v;
}

static inline void l2tp_wr_u16(struct l2tp_wr *w, uint16_t v)
{
	if (!l2tp_wr_room(w, 2))
		return;
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
}

static inline void l2tp_wr_u32(struct l2tp_wr *w, uint32_t v)
{
	l2tp_wr_u16(w, (uint16_t)(v >> 16));
	l2tp_wr_u16(w, (uint16_t)v);
}

static inline void l2tp_wr_bytes(struct l2tp_wr *w, const void *b, size_t n)
{
	if (!l2tp_wr_room(w, n))
		return;
	if (n)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

/* Overwrite a 16-bit field already written (length fields). */
static inline void l2tp_wr_put_u16_at(struct l2tp_wr *w, size_t at, uint16_t v)
{
	if (at + 2 <= w->len) {
		w->p[at] = (uint8_t)(v >> 8);
		w->p[at + 1] = (uint8_t)v;
	}
}

static inline uint16_t l2tp_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void l2tp_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
