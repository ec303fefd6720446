/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control plane's timers: one deadline per tunnel and per call in a
 * min-heap, O(log n), and the dispatch of those that are due.
 */
#include "l2tp_int.h"

#include <stdlib.h>

static bool heap_less(struct l2tp_ctx *ctx, uint32_t a, uint32_t b)
{
	return ctx->heap[a]->when < ctx->heap[b]->when;
}

static void heap_swap(struct l2tp_ctx *ctx, uint32_t a, uint32_t b)
{
	struct l2tp_timer *t = ctx->heap[a];

	ctx->heap[a] = ctx->heap[b];
	ctx->heap[b] = t;
	ctx->heap[a]->idx = a;
	ctx->heap[b]->idx = b;
}

static void heap_up(struct l2tp_ctx *ctx, uint32_t i)
{
	while (i > 0 && heap_less(ctx, i, (i - 1) / 2)) {
		heap_swap(ctx, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct l2tp_ctx *ctx, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < ctx->heap_len && heap_less(ctx, l, m))
			m = l;
		if (r < ctx->heap_len && heap_less(ctx, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(ctx, i, m);
		i = m;
	}
}

/* Make room for one more timer owner, so that l2tpc_timer_set never allocates. */
bool l2tpc_heap_reserve(struct l2tp_ctx *ctx, uint32_t owners)
{
	uint32_t cap;
	struct l2tp_timer **h;

	if (owners <= ctx->heap_cap)
		return true;
	cap = ctx->heap_cap ? ctx->heap_cap * 2 : 64;
	while (cap < owners)
		cap *= 2;
	h = realloc(ctx->heap, cap * sizeof(*h));
	if (!h)
		return false;
	ctx->heap = h;
	ctx->heap_cap = cap;
	return true;
}

void l2tpc_timer_set(struct l2tp_ctx *ctx, struct l2tp_timer *t, uint64_t when)
{
	if (t->when == L2TP_NEVER && when == L2TP_NEVER)
		return;
	if (when == L2TP_NEVER) {
		uint32_t i = t->idx, last = --ctx->heap_len;

		t->when = L2TP_NEVER;
		if (i != last) {
			ctx->heap[i] = ctx->heap[last];
			ctx->heap[i]->idx = i;
			heap_up(ctx, i);
			heap_down(ctx, ctx->heap[i]->idx);
		}
		return;
	}
	if (t->when == L2TP_NEVER) {
		t->when = when;
		t->idx = ctx->heap_len++;
		ctx->heap[t->idx] = t;
		heap_up(ctx, t->idx);
		return;
	}
	t->when = when;
	heap_up(ctx, t->idx);
	heap_down(ctx, t->idx);
}

uint64_t l2tp_ctx_next_deadline(const struct l2tp_ctx *ctx)
{
	return ctx->heap_len ? ctx->heap[0]->when : L2TP_NEVER;
}

void l2tp_ctx_run_timers(struct l2tp_ctx *ctx, uint64_t now)
{
	while (ctx->heap_len && ctx->heap[0]->when <= now) {
		struct l2tp_timer *tm = ctx->heap[0];

		if (tm->kind == TIMER_TUNNEL) {
			struct l2tp_tunnel *t = (struct l2tp_tunnel *)tm;

			/* take it out first: the handler re-arms what it needs */
			l2tpc_timer_set(ctx, tm, L2TP_NEVER);
			l2tpc_tunnel_timer(ctx, t, now);
		} else {
			l2tpc_timer_set(ctx, tm, L2TP_NEVER);
			l2tpc_session_timer(ctx, (struct l2tp_session *)tm, now);
		}
	}
}
