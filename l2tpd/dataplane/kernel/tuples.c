/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel tunnels by UDP 4-tuple: see tuples.h (moved from the daemon's net.c). */
#include "tuples.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fnv.h"

struct dpk_tuple {
	struct dpk_tuple *next;
	struct l2tp_addr local, peer;	/* ports set, marks ignored */
	uint16_t id;
};

/* The peer's address and port come from the network: seeded. */
static uint32_t tuple_hash(const struct dpk_tuples *s, const struct l2tp_addr *local,
			   const struct l2tp_addr *peer)
{
	size_t alen = peer->family == AF_INET6 ? 16 : 4;
	uint8_t ports[4] = { (uint8_t)peer->port, (uint8_t)(peer->port >> 8),
			     (uint8_t)local->port, (uint8_t)(local->port >> 8) };
	uint32_t h = fnv1a32(s->seed, peer->addr, alen);

	h = fnv1a32(h, local->addr, alen);
	return fnv1a32(h, ports, sizeof(ports));
}

static bool tuple_eq(const struct dpk_tuple *n, const struct l2tp_addr *local,
		     const struct l2tp_addr *peer)
{
	size_t alen = peer->family == AF_INET6 ? 16 : 4;

	return n->peer.family == peer->family && n->local.family == local->family &&
	       n->peer.port == peer->port && n->local.port == local->port &&
	       !memcmp(n->peer.addr, peer->addr, alen) && !memcmp(n->local.addr, local->addr, alen);
}

static int tuples_grow(struct dpk_tuples *s)
{
	size_t cap = s->cap ? 2 * s->cap : 64;
	struct dpk_tuple **b = calloc(cap, sizeof(*b));

	if (!b)
		return -1;
	if (!s->cap)
		s->seed = fnv1a32_seeded(hash_random_seed());
	for (size_t i = 0; i < s->cap; i++) {
		struct dpk_tuple *n = s->buckets[i], *next;
		for (; n; n = next) {
			next = n->next;
			uint32_t j = tuple_hash(s, &n->local, &n->peer) & (cap - 1);
			n->next = b[j];
			b[j] = n;
		}
	}
	free(s->buckets);
	s->buckets = b;
	s->cap = cap;
	return 0;
}

int dpk_tuples_claim(struct dpk_tuples *s, const struct l2tp_addr *local,
		     const struct l2tp_addr *peer, uint16_t id)
{
	struct dpk_tuple *n;

	if (s->cap) {
		for (n = s->buckets[tuple_hash(s, local, peer) & (s->cap - 1)]; n; n = n->next)
			if (tuple_eq(n, local, peer))
				return n->id;
	}
	if (s->count >= s->cap && tuples_grow(s))
		return -1;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -1;
	n->local = *local;
	n->peer = *peer;
	n->local.mark = n->peer.mark = 0;
	n->id = id;
	uint32_t j = tuple_hash(s, local, peer) & (s->cap - 1);
	n->next = s->buckets[j];
	s->buckets[j] = n;
	s->count++;
	return 0;
}

void dpk_tuples_release(struct dpk_tuples *s, const struct l2tp_addr *local,
			const struct l2tp_addr *peer, uint16_t id)
{
	if (!s->cap)
		return;
	for (struct dpk_tuple **p = &s->buckets[tuple_hash(s, local, peer) & (s->cap - 1)]; *p;
	     p = &(*p)->next) {
		if (tuple_eq(*p, local, peer) && (*p)->id == id) {
			struct dpk_tuple *n = *p;
			*p = n->next;
			free(n);
			s->count--;
			return;
		}
	}
}

void dpk_tuples_free(struct dpk_tuples *s)
{
	for (size_t i = 0; i < s->cap; i++) {
		struct dpk_tuple *n = s->buckets[i], *next;
		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(s->buckets);
	memset(s, 0, sizeof(*s));
}
