/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "timerheap.h"

#include <stdlib.h>

void timerheap_init(struct timerheap *h)
{
	h->nodes = NULL;
	h->len = h->cap = 0;
}

void timerheap_free(struct timerheap *h)
{
	for (uint32_t i = 0; i < h->len; i++)
		h->nodes[i]->index = 0;
	free(h->nodes);
	timerheap_init(h);
}

static int grow(struct timerheap *h, uint32_t cap)
{
	struct timer_node **nodes = realloc(h->nodes, cap * sizeof(*nodes));

	if (!nodes)
		return -1;
	h->nodes = nodes;
	h->cap = cap;
	return 0;
}

int timerheap_reserve(struct timerheap *h, uint32_t n)
{
	return n > h->cap ? grow(h, n) : 0;
}

static void place(struct timerheap *h, uint32_t i, struct timer_node *n)
{
	h->nodes[i] = n;
	n->index = i + 1;
}

static void sift_up(struct timerheap *h, uint32_t i)
{
	struct timer_node *n = h->nodes[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (h->nodes[parent]->deadline <= n->deadline)
			break;
		place(h, i, h->nodes[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct timerheap *h, uint32_t i)
{
	struct timer_node *n = h->nodes[i];

	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= h->len)
			break;
		if (child + 1 < h->len && h->nodes[child + 1]->deadline < h->nodes[child]->deadline)
			child++;
		if (n->deadline <= h->nodes[child]->deadline)
			break;
		place(h, i, h->nodes[child]);
		i = child;
	}
	place(h, i, n);
}

int timerheap_set(struct timerheap *h, struct timer_node *n, uint64_t deadline)
{
	if (n->index) {
		uint64_t old = n->deadline;
		n->deadline = deadline;
		if (deadline < old)
			sift_up(h, n->index - 1);
		else
			sift_down(h, n->index - 1);
		return 0;
	}
	if (h->len == h->cap && grow(h, h->cap ? h->cap * 2 : 64) < 0)
		return -1;
	n->deadline = deadline;
	place(h, h->len++, n);
	sift_up(h, h->len - 1);
	return 0;
}

void timerheap_cancel(struct timerheap *h, struct timer_node *n)
{
	uint32_t i;
	struct timer_node *last;

	if (!n->index)
		return;
	i = n->index - 1;
	n->index = 0;
	last = h->nodes[--h->len];
	if (i == h->len)
		return;
	place(h, i, last);
	if (i > 0 && h->nodes[(i - 1) / 2]->deadline > last->deadline)
		sift_up(h, i);
	else
		sift_down(h, i);
}

struct timer_node *timerheap_peek(const struct timerheap *h)
{
	return h->len ? h->nodes[0] : NULL;
}

struct timer_node *timerheap_pop_expired(struct timerheap *h, uint64_t now)
{
	struct timer_node *n = timerheap_peek(h);

	if (!n || n->deadline > now)
		return NULL;
	timerheap_cancel(h, n);
	return n;
}
