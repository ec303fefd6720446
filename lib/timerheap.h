/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A binary min-heap of deadlines: one per timer user (session timers), so
 * arming, moving and cancelling cost O(log n) and finding the next expiry
 * O(1), whatever the number of sessions. The event loop keeps one timer at
 * the heap's minimum. A node is embedded in its owner (container_of).
 */
#ifndef COMMON_TIMERHEAP_H
#define COMMON_TIMERHEAP_H

#include <stddef.h>
#include <stdint.h>

struct timer_node {
	uint64_t deadline;	/* ms; meaningful while armed */
	uint32_t index;		/* position in the heap + 1; 0 = not armed */
	uint32_t kind;		/* the owner's: which of its timers this is */
};

struct timerheap {
	struct timer_node **nodes;
	uint32_t len, cap;
};

void timerheap_init(struct timerheap *h);
void timerheap_free(struct timerheap *h);
/* Make room for n nodes in all, so that arming up to n never allocates.
 * Returns 0 or -1 on allocation failure. */
int timerheap_reserve(struct timerheap *h, uint32_t n);
/* Arm or move a node. Returns 0 or -1 on allocation failure. */
int timerheap_set(struct timerheap *h, struct timer_node *n, uint64_t deadline);
void timerheap_cancel(struct timerheap *h, struct timer_node *n);
/* The earliest node, or NULL. */
struct timer_node *timerheap_peek(const struct timerheap *h);
/* Remove and return the earliest node if its deadline is <= now. */
struct timer_node *timerheap_pop_expired(struct timerheap *h, uint64_t now);

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
