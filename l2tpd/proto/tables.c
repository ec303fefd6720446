/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control plane's tables: tunnels by our Tunnel ID, tunnels by peer
 * (SCCRQ retransmit detection), calls by (tunnel, session) ID, and the
 * random choice of a free ID.
 */
#include "l2tp_int.h"

#include "fnv.h"

#include <stdlib.h>
#include <string.h>

struct l2tp_tunnel *l2tpc_tunnel_lookup(const struct l2tp_ctx *ctx, uint16_t id)
{
	struct l2tp_tunnel **page = ctx->tunnels[id >> 8];

	return page ? page[id & 255] : NULL;
}

bool l2tpc_tunnel_slot_set(struct l2tp_ctx *ctx, uint16_t id, struct l2tp_tunnel *t)
{
	struct l2tp_tunnel ***page = &ctx->tunnels[id >> 8];

	if (!*page) {
		if (!t)
			return true;
		*page = calloc(256, sizeof(**page));
		if (!*page)
			return false;
	}
	(*page)[id & 255] = t;
	return true;
}

/* Peers' addresses come from the network: the hash starts from the
 * context's random seed (lib/fnv.h), so nobody can aim many addresses at
 * one slot of the rate table or one chain of the peer index. */
uint64_t l2tpc_host_key(const struct l2tp_ctx *ctx, const struct l2tp_addr *a)
{
	uint64_t h = ctx->hash_seed;

	h = fnv1a64(h, &a->family, 1);
	h = fnv1a64(h, a->addr, 16);
	h = fnv1a64(h, &a->mark, 4);
	return h | 1;
}

bool l2tpc_same_host(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return a->family == b->family && a->mark == b->mark &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

bool l2tpc_same_endpoint(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return l2tpc_same_host(a, b) && a->port == b->port;
}

static uint32_t peer_slot(const struct l2tp_ctx *ctx, const struct l2tp_addr *a,
			  uint16_t peer_tid)
{
	uint64_t h = l2tpc_host_key(ctx, a);

	h = fnv1a64(h, &a->port, 2);
	h = fnv1a64(h, &peer_tid, 2);
	return (uint32_t)(h ^ (h >> 32)) & ctx->peer_mask;
}

void l2tpc_peer_index_add(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	uint32_t i = peer_slot(ctx, &t->peer, t->peer_id);

	t->peer_next = ctx->peer_index[i];
	ctx->peer_index[i] = t;
	t->in_peer_index = true;
}

void l2tpc_peer_index_del(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	struct l2tp_tunnel **pp;

	if (!t->in_peer_index)
		return;
	for (pp = &ctx->peer_index[peer_slot(ctx, &t->peer, t->peer_id)]; *pp;
	     pp = &(*pp)->peer_next) {
		if (*pp == t) {
			*pp = t->peer_next;
			break;
		}
	}
	t->in_peer_index = false;
}

struct l2tp_tunnel *l2tpc_peer_index_find(struct l2tp_ctx *ctx, const struct l2tp_addr *a,
					  uint16_t peer_tid)
{
	for (struct l2tp_tunnel *t = ctx->peer_index[peer_slot(ctx, a, peer_tid)]; t;
	     t = t->peer_next)
		if (t->peer_id == peer_tid && l2tpc_same_endpoint(&t->peer, a))
			return t;
	return NULL;
}

void l2tpc_init_list_del(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	if (!t->in_init_list)
		return;
	for (struct l2tp_tunnel **pp = &ctx->initiating; *pp; pp = &(*pp)->init_next) {
		if (*pp == t) {
			*pp = t->init_next;
			break;
		}
	}
	t->in_init_list = false;
}

uint32_t l2tpc_session_slot(const struct l2tp_ctx *ctx, uint16_t tid, uint16_t sid)
{
	uint32_t k = (uint32_t)tid << 16 | sid;

	k *= 0x9e3779b1u;
	return (k ^ (k >> 15)) & ctx->shash_mask;
}

struct l2tp_session *l2tpc_session_find(const struct l2tp_ctx *ctx, uint16_t tid,
					uint16_t sid)
{
	for (struct l2tp_session *s = ctx->shash[l2tpc_session_slot(ctx, tid, sid)]; s;
	     s = s->hnext)
		if (s->id == sid && s->tunnel->id == tid)
			return s;
	return NULL;
}

void l2tpc_shash_grow(struct l2tp_ctx *ctx)
{
	uint32_t n = (ctx->shash_mask + 1) * 2;
	struct l2tp_session **nh = calloc(n, sizeof(*nh));
	uint32_t old = ctx->shash_mask + 1;
	struct l2tp_session **oh = ctx->shash;

	if (!nh)
		return; /* longer chains, still correct */
	ctx->shash = nh;
	ctx->shash_mask = n - 1;
	for (uint32_t i = 0; i < old; i++) {
		struct l2tp_session *s = oh[i];

		while (s) {
			struct l2tp_session *next = s->hnext;
			uint32_t j = l2tpc_session_slot(ctx, s->tunnel->id, s->id);

			s->hnext = nh[j];
			nh[j] = s;
			s = next;
		}
	}
	free(oh);
}

uint16_t l2tpc_random_id(struct l2tp_ctx *ctx, bool (*used)(struct l2tp_ctx *, uint16_t, void *),
			 void *arg)
{
	uint16_t id;

	/* Random (not sequential) IDs: a stale or forged message is unlikely
	 * to hit a live tunnel or session. */
	for (int i = 0; i < 32; i++) {
		if (!l2tpc_get_random(ctx, &id, sizeof(id))) {
			l2tpc_count(ctx, L2TP_R_NO_RANDOM);
			return 0;
		}
		if (id != 0 && !used(ctx, id, arg))
			return id;
	}
	/* Nearly full: probe linearly from a random start. */
	if (!l2tpc_get_random(ctx, &id, sizeof(id))) {
		l2tpc_count(ctx, L2TP_R_NO_RANDOM);
		return 0;
	}
	for (uint32_t i = 0; i < 65536; i++, id++)
		if (id != 0 && !used(ctx, id, arg))
			return id;
	return 0;
}
