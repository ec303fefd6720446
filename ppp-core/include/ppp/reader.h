/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounds-checked cursor over received bytes: every get fails instead of
 * reading past the end, so a length from the wire is never trusted before
 * it is checked.
 */
#ifndef PPP_READER_H
#define PPP_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ppp_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline void ppp_reader_init(struct ppp_reader *r, const uint8_t *p,
				   size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

static inline size_t ppp_reader_left(const struct ppp_reader *r)
{
	return r->len - r->off;
}

static inline bool ppp_get_u8(struct ppp_reader *r, uint8_t *v)
{
	if (ppp_reader_left(r) < 1)
		return false;
	*v = r->p[r->off++];
	return true;
}

static inline bool ppp_get_u16(struct ppp_reader *r, uint16_t *v)
{
	if (ppp_reader_left(r) < 2)
		return false;
	*v = (uint16_t)(r->p[r->off] << 8 | r->p[r->off + 1]);
	r->off += 2;
	return true;
}

static inline bool ppp_get_u32(struct ppp_reader *r, uint32_t *v)
{
	if (ppp_reader_left(r) < 4)
		return false;
	*v = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
	     (uint32_t)r->p[r->off + 2] << 8 | r->p[r->off + 3];
	r->off += 4;
	return true;
}

/* Point *out at the next n bytes and skip them. */
static inline bool ppp_get_bytes(struct ppp_reader *r, size_t n,
				 const uint8_t **out)
{
	if (ppp_reader_left(r) < n)
		return false;
	*out = r->p + r->off;
	r->off += n;
	return true;
}

/* Writer with a sticky overflow flag: building never writes past cap. */
struct ppp_writer {
	uint8_t *p;
	size_t cap;
	size_t len;
	bool overflow;
};

static inline void ppp_writer_init(struct ppp_writer *w, uint8_t *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

static inline void ppp_put_u8(struct ppp_writer *w, uint8_t v)
{
	if (w->len + 1 > w->cap) {
		w->overflow = true;
		return;
	}
	w->p[w->len++] = v;
}

static inline void ppp_put_u16(struct ppp_writer *w, uint16_t v)
{
	ppp_put_u8(w, (uint8_t)(v >> 8));
	ppp_put_u8(w, (uint8_t)v);
}

static inline void ppp_put_u32(struct ppp_writer *w, uint32_t v)
{
	ppp_put_u16(w, (uint16_t)(v >> 16));
	ppp_put_u16(w, (uint16_t)v);
}

static inline void ppp_put_bytes(struct ppp_writer *w, const void *b, size_t n)
{
	if (w->len + n > w->cap || w->len + n < w->len) {
		w->overflow = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		w->p[w->len + i] = ((const uint8_t *)b)[i];
	w->len += n;
}

#endif
