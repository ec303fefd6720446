/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Item deadlines over lib/timerheap: see heap.h. */
#include "heap.h"

#include <stdlib.h>

int dheap_init(struct dheap *h, uint32_t items)
{
	timerheap_init(&h->heap);
	h->n = 0;
	h->cap = items;
	h->node = calloc(items ? items : 1, sizeof(*h->node));
	if (!h->node || timerheap_reserve(&h->heap, items) < 0) {
		dheap_free(h);
		return -1;
	}
	return 0;
}

void dheap_free(struct dheap *h)
{
	timerheap_free(&h->heap);
	free(h->node);
	h->node = NULL;
	h->n = h->cap = 0;
}

bool dheap_contains(const struct dheap *h, uint32_t item)
{
	return item < h->cap && h->node[item].index != 0;
}

void dheap_set(struct dheap *h, uint32_t item, uint64_t key)
{
	if (item >= h->cap)
		return;
	/* cannot fail: dheap_init reserved room for every item */
	(void)timerheap_set(&h->heap, &h->node[item], key);
	h->n = h->heap.len;
}

void dheap_cancel(struct dheap *h, uint32_t item)
{
	if (item < h->cap)
		timerheap_cancel(&h->heap, &h->node[item]);
	h->n = h->heap.len;
}

uint64_t dheap_min(const struct dheap *h)
{
	const struct timer_node *n = timerheap_peek(&h->heap);

	return n ? n->deadline : UINT64_MAX;
}

uint32_t dheap_pop_due(struct dheap *h, uint64_t now)
{
	struct timer_node *n = timerheap_pop_expired(&h->heap, now);

	h->n = h->heap.len;
	return n ? (uint32_t)(n - h->node) : HEAP_NONE;
}
