/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Binary min-heap of item deadlines: see heap.h. */
#include "heap.h"

#include <stdlib.h>

int dheap_init(struct dheap *h, uint32_t items)
{
	h->n = 0;
	h->cap = items;
	h->item = calloc(items ? items : 1, sizeof(*h->item));
	h->key = calloc(items ? items : 1, sizeof(*h->key));
	h->pos = malloc((items ? items : 1) * sizeof(*h->pos));
	if (!h->item || !h->key || !h->pos) {
		dheap_free(h);
		return -1;
	}
	for (uint32_t i = 0; i < items; i++)
		h->pos[i] = HEAP_NONE;
	return 0;
}

void dheap_free(struct dheap *h)
{
	free(h->item);
	free(h->key);
	free(h->pos);
	h->item = h->pos = NULL;
	h->key = NULL;
	h->n = h->cap = 0;
}

static void place(struct dheap *h, uint32_t i, uint32_t item, uint64_t key)
{
	h->item[i] = item;
	h->key[i] = key;
	h->pos[item] = i;
}

static void sift_up(struct dheap *h, uint32_t i)
{
	uint32_t item = h->item[i];
	uint64_t key = h->key[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (h->key[parent] <= key)
			break;
		place(h, i, h->item[parent], h->key[parent]);
		i = parent;
	}
	place(h, i, item, key);
}

static void sift_down(struct dheap *h, uint32_t i)
{
	uint32_t item = h->item[i];
	uint64_t key = h->key[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->key[c + 1] < h->key[c])
			c++;
		if (key <= h->key[c])
			break;
		place(h, i, h->item[c], h->key[c]);
		i = c;
	}
	place(h, i, item, key);
}

bool dheap_contains(const struct dheap *h, uint32_t item)
{
	return item < h->cap && h->pos[item] != HEAP_NONE;
}

void dheap_set(struct dheap *h, uint32_t item, uint64_t key)
{
	uint32_t i;

	if (item >= h->cap)
		return;
	i = h->pos[item];
	if (i == HEAP_NONE) {
		i = h->n++;
		place(h, i, item, key);
		sift_up(h, i);
		return;
	}
	if (key < h->key[i]) {
		h->key[i] = key;
		sift_up(h, i);
	} else {
		h->key[i] = key;
		sift_down(h, i);
	}
}

void dheap_cancel(struct dheap *h, uint32_t item)
{
	uint32_t i, last;

	if (!dheap_contains(h, item))
		return;
	i = h->pos[item];
	h->pos[item] = HEAP_NONE;
	last = --h->n;
	if (i == last)
		return;
	place(h, i, h->item[last], h->key[last]);
	/* the moved item may belong above or below its new place */
	if (i > 0 && h->key[(i - 1) / 2] > h->key[i])
		sift_up(h, i);
	else
		sift_down(h, i);
}

uint64_t dheap_min(const struct dheap *h)
{
	return h->n ? h->key[0] : UINT64_MAX;
}

uint32_t dheap_pop_due(struct dheap *h, uint64_t now)
{
	uint32_t item;

	if (!h->n || h->key[0] > now)
		return HEAP_NONE;
	item = h->item[0];
	dheap_cancel(h, item);
	return item;
}
