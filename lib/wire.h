/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one bounds-checked cursor reader and writer of wire data (network
 * byte order): L2TP (l2tpd/proto), the user-space data plane, the test
 * client, the l2tpd <-> charon plugin messages (lib/ipsec_msg.c).
 * ppp-core keeps its own (include/ppp/reader.h): it builds standalone,
 * without lib/ (docs/development.md "lib/").
 *
 * Every read goes through rd_u8/rd_u16/rd_u32/rd_bytes, which fail (return
 * false and leave the cursor where it was) instead of reading past the end.
 * The writer never writes past its capacity: an overflow sets a sticky flag
 * and later writes are ignored, so an encoder checks once at the end.
 */
#ifndef COMMON_WIRE_H
#define COMMON_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct wire_rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static inline void wire_rd_init(struct wire_rd *r, const uint8_t *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
}

static inline size_t wire_rd_left(const struct wire_rd *r)
{
	return r->len - r->pos;
}

static inline bool wire_rd_u8(struct wire_rd *r, uint8_t *v)
{
	if (wire_rd_left(r) < 1)
		return false;
	*v = r->p[r->pos++];
	return true;
}

static inline bool wire_rd_u16(struct wire_rd *r, uint16_t *v)
{
	if (wire_rd_left(r) < 2)
		return false;
	*v = (uint16_t)(r->p[r->pos] << 8 | r->p[r->pos + 1]);
	r->pos += 2;
	return true;
}

static inline bool wire_rd_u32(struct wire_rd *r, uint32_t *v)
{
	if (wire_rd_left(r) < 4)
		return false;
	*v = (uint32_t)r->p[r->pos] << 24 | (uint32_t)r->p[r->pos + 1] << 16 |
	     (uint32_t)r->p[r->pos + 2] << 8 | (uint32_t)r->p[r->pos + 3];
	r->pos += 4;
	return true;
}

/* Hand out a pointer to the next n bytes and skip them. */
static inline bool wire_rd_bytes(struct wire_rd *r, size_t n, const uint8_t **out)
{
	if (wire_rd_left(r) < n)
		return false;
	if (out)
		*out = r->p + r->pos;
	r->pos += n;
	return true;
}

struct wire_wr {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void wire_wr_init(struct wire_wr *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

static inline bool wire_wr_room(struct wire_wr *w, size_t n)
{
	if (w->overflow || w->cap - w->len < n) {
		w->overflow = true;
		return false;
	}
	return true;
}

static inline void wire_wr_u8(struct wire_wr *w, uint8_t v)
{
	if (wire_wr_room(w, 1))
		w->p[w->len++] = v;
}

static inline void wire_wr_u16(struct wire_wr *w, uint16_t v)
{
	if (!wire_wr_room(w, 2))
		return;
	w->p[w->len++] = (uint8_t)(v >> 8);
	w->p[w->len++] = (uint8_t)v;
}

static inline void wire_wr_u32(struct wire_wr *w, uint32_t v)
{
	wire_wr_u16(w, (uint16_t)(v >> 16));
	wire_wr_u16(w, (uint16_t)v);
}

static inline void wire_wr_bytes(struct wire_wr *w, const void *b, size_t n)
{
	if (!wire_wr_room(w, n))
		return;
	if (n)
		memcpy(w->p + w->len, b, n);
	w->len += n;
}

/* Overwrite a 16-bit field already written (length fields). */
static inline void wire_wr_put_u16_at(struct wire_wr *w, size_t at, uint16_t v)
{
	if (at + 2 <= w->len) {
		w->p[at] = (uint8_t)(v >> 8);
		w->p[at + 1] = (uint8_t)v;
	}
}

static inline uint16_t wire_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wire_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#endif
