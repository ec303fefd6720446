/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control plane's timers: one deadline per tunnel and per call in lib's
 * min-heap (lib/timerheap.h), O(log n), and the dispatch of those that are
 * due.
 */
#include "l2tp_int.h"

/* Make room for every timer owner, so that l2tpc_timer_set never allocates. */
bool l2tpc_heap_reserve(struct l2tp_ctx *ctx, uint32_t owners)
{
	uint32_t cap = ctx->heap.cap ? ctx->heap.cap : 32;

	if (owners <= ctx->heap.cap)
		return true;
	/* doubling: one owner at a time must not mean a realloc each */
	while (cap < owners)
		cap *= 2;
	return timerheap_reserve(&ctx->heap, cap) == 0;
}

void l2tpc_timer_set(struct l2tp_ctx *ctx, struct l2tp_timer *t, uint64_t when)
{
	if (when == L2TP_NEVER) {
		timerheap_cancel(&ctx->heap, &t->node);
		return;
	}
	/* cannot fail: room for every owner was reserved when it was made */
	(void)timerheap_set(&ctx->heap, &t->node, when);
}

uint64_t l2tp_ctx_next_deadline(const struct l2tp_ctx *ctx)
{
	const struct timer_node *n = timerheap_peek(&ctx->heap);

	return n ? n->deadline : L2TP_NEVER;
}

void l2tp_ctx_run_timers(struct l2tp_ctx *ctx, uint64_t now)
{
	struct timer_node *n;

	/* popped first: the handler re-arms what it needs */
	while ((n = timerheap_pop_expired(&ctx->heap, now))) {
		struct l2tp_timer *tm = container_of(n, struct l2tp_timer, node);

		if (n->kind == TIMER_TUNNEL)
			l2tpc_tunnel_timer(ctx, (struct l2tp_tunnel *)tm, now);
		else
			l2tpc_session_timer(ctx, (struct l2tp_session *)tm, now);
	}
}
