/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deadlines for a fixed set of items 0..n-1 (the client's sessions): each
 * item is in the heap at most once, with one key; set, cancel and pop are
 * O(log n), peek is O(1). A thin index over lib/timerheap (the one
 * min-heap): one node per item, room reserved up front so that setting a
 * key never allocates.
 */
#ifndef L2TP_CLIENT_HEAP_H
#define L2TP_CLIENT_HEAP_H

#include <stdbool.h>
#include <stdint.h>

#include "timerheap.h"

#define HEAP_NONE UINT32_MAX

struct dheap {
	struct timerheap heap;
	struct timer_node *node;	/* node[item] */
	uint32_t n, cap;		/* n: items in the heap */
};

int dheap_init(struct dheap *h, uint32_t items);
void dheap_free(struct dheap *h);
/* Insert or move item to key. */
void dheap_set(struct dheap *h, uint32_t item, uint64_t key);
void dheap_cancel(struct dheap *h, uint32_t item);
bool dheap_contains(const struct dheap *h, uint32_t item);
/* Smallest key, UINT64_MAX when empty. */
uint64_t dheap_min(const struct dheap *h);
/* Remove and return the item with the smallest key if key <= now;
 * HEAP_NONE otherwise. */
uint32_t dheap_pop_due(struct dheap *h, uint64_t now);

#endif
