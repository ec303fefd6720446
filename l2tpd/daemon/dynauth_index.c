/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The sessions' indexes for dynamic authorization (dynauth_index.h). */
#include "dynauth_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

#define MIN_BUCKETS 64

static uint32_t hash_u32(const struct das_index *ix, uint32_t v)
{
	return fnv1a32(ix->seed, &v, sizeof(v));
}

static uint32_t hash_str(const struct das_index *ix, const char *s)
{
	return fnv1a32_str(ix->seed, s);
}

void das_index_init(struct das_index *ix, uint32_t seed)
{
	memset(ix, 0, sizeof(*ix));
	ix->seed = seed;
}

static void link_entry(struct das_index *ix, struct das_index_entry *e)
{
	for (int k = 0; k < DAS_IX_N; k++) {
		struct das_index_entry **b = &ix->bucket[k][e->hash[k] & (ix->n_buckets - 1)];

		e->next[k] = *b;
		*b = e;
	}
}

/* Double the buckets; a failed allocation keeps the old ones (longer
 * chains, still correct). */
static void grow(struct das_index *ix)
{
	struct das_index_entry **old = ix->bucket[DAS_IX_SERIAL], **nb[DAS_IX_N];
	uint32_t n_old = ix->n_buckets, n_new = n_old ? n_old * 2 : MIN_BUCKETS;

	if (n_new < n_old)
		return;
	for (int k = 0; k < DAS_IX_N; k++) {
		nb[k] = calloc(n_new, sizeof(*nb[k]));
		if (!nb[k]) {
			while (k--)
				free(nb[k]);
			return;
		}
	}
	for (int k = 1; k < DAS_IX_N; k++)
		free(ix->bucket[k]);
	for (int k = 0; k < DAS_IX_N; k++)
		ix->bucket[k] = nb[k];
	ix->n_buckets = n_new;
	/* every entry is in the serial table: walk it once, link into all */
	for (uint32_t i = 0; i < n_old; i++) {
		struct das_index_entry *e = old[i], *next;

		for (; e; e = next) {
			next = e->next[DAS_IX_SERIAL];
			link_entry(ix, e);
		}
	}
	free(old);
}

struct das_index_entry *das_index_add(struct das_index *ix, void *owner, uint32_t serial,
				      uint32_t nas_port, uint32_t framed_ip, const char *user,
				      const char *calling)
{
	struct das_index_entry *e;

	if (ix->n >= ix->n_buckets)
		grow(ix);
	if (!ix->n_buckets || !(e = calloc(1, sizeof(*e))))
		return NULL;
	e->owner = owner;
	e->serial = serial;
	e->nas_port = nas_port;
	e->framed_ip = framed_ip;
	e->user = user;
	snprintf(e->calling, sizeof(e->calling), "%s", calling);
	e->hash[DAS_IX_SERIAL] = hash_u32(ix, serial);
	e->hash[DAS_IX_NAS_PORT] = hash_u32(ix, nas_port);
	e->hash[DAS_IX_FRAMED_IP] = hash_u32(ix, framed_ip);
	e->hash[DAS_IX_USER] = hash_str(ix, user);
	e->hash[DAS_IX_CALLING] = hash_str(ix, e->calling);
	link_entry(ix, e);
	ix->n++;
	return e;
}

static void unlink_entry(struct das_index *ix, struct das_index_entry *e, int k)
{
	struct das_index_entry **pp = &ix->bucket[k][e->hash[k] & (ix->n_buckets - 1)];

	while (*pp && *pp != e)
		pp = &(*pp)->next[k];
	if (*pp)
		*pp = e->next[k];
}

void das_index_remove(struct das_index *ix, struct das_index_entry *e)
{
	for (int k = 0; k < DAS_IX_N; k++)
		unlink_entry(ix, e, k);
	ix->n--;
	free(e);
}

void das_index_set_framed_ip(struct das_index *ix, struct das_index_entry *e,
			     uint32_t framed_ip)
{
	struct das_index_entry **b;

	if (e->framed_ip == framed_ip)
		return;
	unlink_entry(ix, e, DAS_IX_FRAMED_IP);
	e->framed_ip = framed_ip;
	e->hash[DAS_IX_FRAMED_IP] = hash_u32(ix, framed_ip);
	b = &ix->bucket[DAS_IX_FRAMED_IP][e->hash[DAS_IX_FRAMED_IP] & (ix->n_buckets - 1)];
	e->next[DAS_IX_FRAMED_IP] = *b;
	*b = e;
}

struct das_index_entry *das_index_owner(const struct das_index *ix, const void *owner,
					uint32_t serial)
{
	struct das_index_entry *e;

	if (!ix->n_buckets)
		return NULL;
	e = ix->bucket[DAS_IX_SERIAL][hash_u32(ix, serial) & (ix->n_buckets - 1)];
	while (e && e->owner != owner)
		e = e->next[DAS_IX_SERIAL];
	return e;
}

static bool has_u32(const struct das_index_entry *e, enum das_index_key k, uint32_t v)
{
	switch (k) {
	case DAS_IX_SERIAL: return e->serial == v;
	case DAS_IX_NAS_PORT: return e->nas_port == v;
	case DAS_IX_FRAMED_IP: return e->framed_ip == v;
	default: return false;
	}
}

void das_index_lookup_u32(const struct das_index *ix, enum das_index_key k, uint32_t v,
			  das_index_visit_fn visit, void *ctx)
{
	uint32_t h;

	if (!ix->n_buckets || k >= DAS_IX_USER)
		return;
	h = hash_u32(ix, v);
	for (struct das_index_entry *e = ix->bucket[k][h & (ix->n_buckets - 1)], *next; e;
	     e = next) {
		next = e->next[k];	/* visit may not remove, but need not know that */
		if (e->hash[k] == h && has_u32(e, k, v) && !visit(ctx, e))
			return;
	}
}

void das_index_lookup_str(const struct das_index *ix, enum das_index_key k, const char *s,
			  das_index_visit_fn visit, void *ctx)
{
	uint32_t h;

	if (!ix->n_buckets || (k != DAS_IX_USER && k != DAS_IX_CALLING))
		return;
	h = hash_str(ix, s);
	for (struct das_index_entry *e = ix->bucket[k][h & (ix->n_buckets - 1)], *next; e;
	     e = next) {
		next = e->next[k];
		if (e->hash[k] == h && !strcmp(k == DAS_IX_USER ? e->user : e->calling, s) &&
		    !visit(ctx, e))
			return;
	}
}

void das_index_walk(const struct das_index *ix, das_index_visit_fn visit, void *ctx)
{
	for (uint32_t i = 0; i < ix->n_buckets; i++)
		for (struct das_index_entry *e = ix->bucket[DAS_IX_SERIAL][i], *next; e; e = next) {
			next = e->next[DAS_IX_SERIAL];
			if (!visit(ctx, e))
				return;
		}
}

void das_index_free(struct das_index *ix)
{
	for (uint32_t i = 0; i < ix->n_buckets; i++) {
		struct das_index_entry *e = ix->bucket[DAS_IX_SERIAL][i], *next;

		for (; e; e = next) {
			next = e->next[DAS_IX_SERIAL];
			free(e);
		}
	}
	for (int k = 0; k < DAS_IX_N; k++)
		free(ix->bucket[k]);
	das_index_init(ix, ix->seed);
}
