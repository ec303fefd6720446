/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Intrusive 32-bit-key hash table: see u32_htab.h. */
#include "u32_htab.h"

#include <errno.h>
#include <stdlib.h>

/* Fibonacci hashing: multiply by 2^32/phi and keep the top bits, which
 * spreads consecutive ids (tunnel << 16 | session) over all buckets. */
static size_t slot(unsigned bits, uint32_t key)
{
	return (size_t)((key * 2654435769u) >> (32 - bits));
}

int u32_htab_init(struct u32_htab *h, unsigned bits)
{
	if (bits < 4)
		bits = 4;
	h->buckets = calloc((size_t)1 << bits, sizeof(*h->buckets));
	if (!h->buckets)
		return -ENOMEM;
	h->bits = bits;
	h->count = 0;
	return 0;
}

void u32_htab_fini(struct u32_htab *h)
{
	free(h->buckets);
	h->buckets = NULL;
	h->count = 0;
}

struct u32_hnode *u32_htab_find(const struct u32_htab *h, uint32_t key)
{
	struct u32_hnode *n = h->buckets[slot(h->bits, key)];

	while (n && n->key != key)
		n = n->next;
	return n;
}

static int grow(struct u32_htab *h)
{
	unsigned bits = h->bits + 1;
	struct u32_hnode **nb;

	if (bits > 30)
		return 0;
	nb = calloc((size_t)1 << bits, sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	for (size_t i = 0; i < (size_t)1 << h->bits; i++) {
		struct u32_hnode *n = h->buckets[i], *next;

		for (; n; n = next) {
			size_t j = slot(bits, n->key);

			next = n->next;
			n->next = nb[j];
			nb[j] = n;
		}
	}
	free(h->buckets);
	h->buckets = nb;
	h->bits = bits;
	return 0;
}

int u32_htab_insert(struct u32_htab *h, struct u32_hnode *n)
{
	size_t i = slot(h->bits, n->key);

	n->next = h->buckets[i];
	h->buckets[i] = n;
	h->count++;
	/* Keep the load at most 1: chains stay short. A failed grow leaves
	 * a fuller (still correct) table. */
	if (h->count > (size_t)1 << h->bits)
		return grow(h);
	return 0;
}

void u32_htab_remove(struct u32_htab *h, struct u32_hnode *n)
{
	struct u32_hnode **pp = &h->buckets[slot(h->bits, n->key)];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			h->count--;
			return;
		}
	}
}
