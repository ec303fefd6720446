/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address pools: each family of a pool is a list of slots (IPv4 addresses of
 * start-end ranges, or IPv6 prefixes of `deleg_len` carved from configured
 * prefixes) tracked by a two-level bitmap: `used` has one bit per slot,
 * `full` one bit per `used` word with no free slot. A lease scans `full`
 * from a hint for a word with a free slot, then that word: O(slots / 4096)
 * in the worst case, O(1) in practice. Release maps the address to its slot
 * by binary search over the ranges: O(log ranges).
 */
#include "policy_int.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

int addr_pool_init(struct arena *a, struct addr_pool *ap)
{
	uint64_t total = 0;

	for (size_t i = 0; i < ap->n_ranges; i++) {
		ap->ranges[i].base = total;
		total += ap->ranges[i].count;
	}
	ap->total = total;
	ap->n_words = (size_t)((total + 63) / 64);
	ap->n_full_words = (ap->n_words + 63) / 64;
	ap->used = arena_alloc(a, (ap->n_words ? ap->n_words : 1) * 8);
	ap->reserved = arena_alloc(a, (ap->n_words ? ap->n_words : 1) * 8);
	ap->full = arena_alloc(a, (ap->n_full_words ? ap->n_full_words : 1) * 8);
	if (!ap->used || !ap->reserved || !ap->full)
		return -1;
	/* bits past the last slot are permanently used, never handed out */
	if (total % 64)
		ap->used[ap->n_words - 1] = ~0ull << (total % 64);
	if (ap->n_words % 64)
		ap->full[ap->n_full_words - 1] = ~0ull << (ap->n_words % 64);
	return 0;
}

/* IPv6 addresses as 128-bit numbers (network order: bytes[0] is the most
 * significant), so that slot arithmetic is a few word operations instead
 * of loops over single bits: a release or a reload maps every address. */
typedef unsigned __int128 u128;

static u128 u128_load(const uint8_t b[16])
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = (v << 8) | b[i];
	return v;
}

static void u128_store(uint8_t b[16], u128 v)
{
	for (int i = 15; i >= 0; i--) {
		b[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* The low n bits set (n <= 128). */
static u128 u128_low(unsigned n)
{
	return n >= 128 ? ~(u128)0 : ((u128)1 << n) - 1;
}

/* slot -> address: IPv4 start + i; IPv6 start + (i << (128 - deleg_len)) */
void addr_pool_addr(const struct addr_pool *ap, uint64_t slot,
		    struct policy_ip *out)
{
	size_t lo = 0, hi = ap->n_ranges;
	const struct pool_range *r;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (ap->ranges[mid].base <= slot)
			lo = mid;
		else
			hi = mid;
	}
	r = &ap->ranges[lo];
	*out = r->start;
	uint64_t off = slot - r->base;
	if (ap->family == AF_INET) {
		uint32_t v = ((uint32_t)out->bytes[0] << 24) | ((uint32_t)out->bytes[1] << 16) |
			     ((uint32_t)out->bytes[2] << 8) | out->bytes[3];
		v += (uint32_t)off;
		out->bytes[0] = (uint8_t)(v >> 24);
		out->bytes[1] = (uint8_t)(v >> 16);
		out->bytes[2] = (uint8_t)(v >> 8);
		out->bytes[3] = (uint8_t)v;
		return;
	}
	/* add off << (128 - deleg_len) to the 128-bit address */
	unsigned shift = 128u - ap->deleg_len;
	u128_store(out->bytes, u128_load(out->bytes) +
			       (shift < 128 ? (u128)off << shift : 0));
}

static int cmp_in_range(const struct addr_pool *ap, const struct pool_range *r,
			const struct policy_ip *ip, uint64_t *off)
{
	if (ap->family == AF_INET) {
		uint32_t s = ((uint32_t)r->start.bytes[0] << 24) | ((uint32_t)r->start.bytes[1] << 16) |
			     ((uint32_t)r->start.bytes[2] << 8) | r->start.bytes[3];
		uint32_t v = ((uint32_t)ip->bytes[0] << 24) | ((uint32_t)ip->bytes[1] << 16) |
			     ((uint32_t)ip->bytes[2] << 8) | ip->bytes[3];
		if (v < s)
			return -1;
		if ((uint64_t)(v - s) >= r->count)
			return 1;
		*off = v - s;
		return 0;
	}
	u128 v = u128_load(ip->bytes), start = u128_load(r->start.bytes);
	u128 net = ~u128_low(128u - r->prefix_len);	/* the prefix's bits */
	if ((v & net) != (start & net))
		return v < start ? -1 : 1;
	/* the slot is bits [prefix_len, deleg_len) of the address; bits past
	 * deleg_len are the host part of a prefix and must be zero */
	unsigned host = 128u - ap->deleg_len;
	if (v & u128_low(host))
		return 1;
	uint64_t idx = (uint64_t)((host < 128 ? v >> host : 0) &
				  u128_low(ap->deleg_len - r->prefix_len));
	if (idx >= r->count)
		return 1;
	*off = idx;
	return 0;
}

int addr_pool_slot(const struct addr_pool *ap, const struct policy_ip *ip,
		   uint64_t *slot)
{
	size_t lo = 0, hi = ap->n_ranges;
	uint64_t off;

	if (!ap->family || ip->family != ap->family)
		return -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_in_range(ap, &ap->ranges[mid], ip, &off);
		if (c == 0) {
			*slot = ap->ranges[mid].base + off;
			return 0;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

bool addr_pool_test(const struct addr_pool *ap, uint64_t slot)
{
	return (ap->used[slot / 64] >> (slot % 64)) & 1;
}

void addr_pool_mark(struct addr_pool *ap, uint64_t slot)
{
	size_t w = (size_t)(slot / 64);

	ap->used[w] |= 1ull << (slot % 64);
	if (ap->used[w] == ~0ull)
		ap->full[w / 64] |= 1ull << (w % 64);
	ap->in_use++;
}

static void unmark(struct addr_pool *ap, uint64_t slot)
{
	size_t w = (size_t)(slot / 64);

	ap->used[w] &= ~(1ull << (slot % 64));
	ap->full[w / 64] &= ~(1ull << (w % 64));
	ap->in_use--;
}

static int find_free(const struct addr_pool *ap, uint64_t *slot, size_t *fw)
{
	for (size_t k = 0; k < ap->n_full_words; k++) {
		size_t f = (ap->hint + k) % ap->n_full_words;
		uint64_t free_words = ~ap->full[f];
		if (!free_words)
			continue;
		size_t w = f * 64 + (size_t)__builtin_ctzll(free_words);
		uint64_t free_bits = ~ap->used[w];
		*slot = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(free_bits);
		*fw = f;
		return 0;
	}
	return -1;
}

int addr_pool_peek(const struct addr_pool *ap, struct policy_ip *out)
{
	uint64_t slot;
	size_t fw;

	if (!ap->family || find_free(ap, &slot, &fw))
		return -1;
	addr_pool_addr(ap, slot, out);
	return 0;
}

int addr_pool_lease(struct addr_pool *ap, struct policy_ip *out)
{
	uint64_t slot;
	size_t fw;

	if (!ap->family)
		return -1;
	if (find_free(ap, &slot, &fw)) {
		ap->exhausted++;
		return -1;
	}
	addr_pool_mark(ap, slot);
	ap->hint = fw;
	addr_pool_addr(ap, slot, out);
	return 0;
}

int addr_pool_reserve(struct addr_pool *ap, const struct policy_ip *ip)
{
	uint64_t slot;

	if (addr_pool_slot(ap, ip, &slot))
		return -1;
	if (addr_pool_test(ap, slot))
		return 1;	/* already reserved */
	addr_pool_mark(ap, slot);
	ap->reserved[slot / 64] |= 1ull << (slot % 64);
	ap->n_reserved++;
	return 0;
}

enum policy_release_result addr_pool_release(struct addr_pool *ap,
					     const struct policy_ip *ip)
{
	uint64_t slot;

	if (addr_pool_slot(ap, ip, &slot))
		return POLICY_RELEASE_UNKNOWN;
	if ((ap->reserved[slot / 64] >> (slot % 64)) & 1)
		return POLICY_RELEASE_RESERVED;
	if (!addr_pool_test(ap, slot)) {
		/* a second release would hand the address to two sessions */
		ap->double_releases++;
		return POLICY_RELEASE_DOUBLE;
	}
	unmark(ap, slot);
	return POLICY_RELEASED;
}

static bool ranges_overlap(const struct addr_pool *a, const struct pool_range *x,
			   const struct addr_pool *b, const struct pool_range *y)
{
	struct policy_ip last;
	uint64_t off;

	if (a->family == AF_INET6) {
		unsigned len = x->prefix_len < y->prefix_len ? x->prefix_len : y->prefix_len;
		struct policy_prefix p = { .ip = x->start, .len = (uint8_t)len };
		return policy_prefix_contains(&p, &y->start);
	}
	/* IPv4 ranges: y's start or end inside x, or x inside y */
	(void)b;
	if (cmp_in_range(a, x, &y->start, &off) == 0)
		return true;
	last = y->start;
	{
		struct addr_pool tmp = *a;
		struct pool_range r = *y;
		r.base = 0;
		tmp.ranges = &r;
		tmp.n_ranges = 1;
		addr_pool_addr(&tmp, y->count - 1, &last);
	}
	if (cmp_in_range(a, x, &last, &off) == 0)
		return true;
	return cmp_in_range(a, y, &x->start, &off) == 0;
}

bool addr_pool_overlaps(const struct addr_pool *a, const struct addr_pool *b)
{
	if (!a->family || a->family != b->family)
		return false;
	for (size_t i = 0; i < a->n_ranges; i++)
		for (size_t j = 0; j < b->n_ranges; j++)
			if (ranges_overlap(a, &a->ranges[i], b, &b->ranges[j]))
				return true;
	return false;
}

/* ---- public, policy-level ----------------------------------------------- */

static struct addr_pool *family_of(struct pool *pl, int family)
{
	if (family == AF_INET)
		return &pl->v4;
	if (family == AF_INET6)
		return &pl->v6;
	return NULL;
}

int policy_pool_lease(policy_t *p, unsigned pool_index, int family,
		      struct policy_ip *out)
{
	struct addr_pool *ap;

	if (pool_index >= p->n_pools)
		return -1;
	ap = family_of(&p->pools[pool_index], family);
	return ap ? addr_pool_lease(ap, out) : -1;
}

int policy_pool_lease_prefix(policy_t *p, unsigned pool_index, struct policy_prefix *out)
{
	struct addr_pool *ap;

	if (pool_index >= p->n_pools)
		return -1;
	ap = &p->pools[pool_index].v6;
	if (ap->family != AF_INET6 || addr_pool_lease(ap, &out->ip))
		return -1;
	out->len = ap->deleg_len;
	return 0;
}

enum policy_release_result policy_pool_release(policy_t *p,
					       const struct policy_ip *ip)
{
	for (size_t i = 0; i < p->n_pools; i++) {
		struct addr_pool *ap = family_of(&p->pools[i], ip->family);
		uint64_t slot;
		if (ap && addr_pool_slot(ap, ip, &slot) == 0)
			return addr_pool_release(ap, ip);
	}
	/* in no static pool: an address of a DHCP pool goes back to the daemon */
	if (p->lease_src.release && p->lease_src.release(p->lease_src.ctx, ip))
		return POLICY_RELEASED;
	p->unknown_releases++;
	return POLICY_RELEASE_UNKNOWN;
}

int policy_pool_claim(policy_t *p, const struct policy_ip *ip)
{
	for (size_t i = 0; i < p->n_pools; i++) {
		struct addr_pool *ap = family_of(&p->pools[i], ip->family);
		uint64_t slot;

		if (!ap || !ap->family || addr_pool_slot(ap, ip, &slot))
			continue;
		if (addr_pool_test(ap, slot))
			return -1;	/* leased, or reserved for a static user */
		addr_pool_mark(ap, slot);
		return 0;
	}
	return 1;
}

/* Does pfx overlap one of the pool's configured prefixes? Two prefixes
 * overlap when they agree on the shorter one's bits. */
static bool touches(const struct addr_pool *ap, const struct policy_prefix *pfx)
{
	for (size_t i = 0; i < ap->n_ranges; i++) {
		const struct pool_range *r = &ap->ranges[i];
		struct policy_prefix q = { .ip = r->start,
					   .len = r->prefix_len < pfx->len ? r->prefix_len : pfx->len };

		if (policy_prefix_contains(&q, &pfx->ip))
			return true;
	}
	return false;
}

enum policy_prefix_state policy_prefix_lookup(const policy_t *p, const struct policy_prefix *pfx,
					      int *pool_index)
{
	*pool_index = -1;
	if (pfx->ip.family != AF_INET6)
		return POLICY_PREFIX_OUTSIDE;
	for (size_t i = 0; i < p->n_pools; i++) {
		const struct addr_pool *ap = &p->pools[i].v6;
		uint64_t slot;

		if (ap->family != AF_INET6 || !touches(ap, pfx))
			continue;
		/* pools do not overlap (build.c): this is the only one */
		*pool_index = (int)i;
		if (pfx->len != ap->deleg_len || addr_pool_slot(ap, &pfx->ip, &slot))
			return POLICY_PREFIX_MISFIT;
		return addr_pool_test(ap, slot) ? POLICY_PREFIX_IN_USE : POLICY_PREFIX_FREE;
	}
	return POLICY_PREFIX_OUTSIDE;
}

uint64_t policy_unknown_releases(const policy_t *p)
{
	return p->unknown_releases;
}

bool policy_pool_stats(const policy_t *p, unsigned pool_index,
		       struct policy_pool_stats *st)
{
	const struct pool *pl;

	if (pool_index >= p->n_pools)
		return false;
	pl = &p->pools[pool_index];
	memset(st, 0, sizeof(*st));
	st->size4 = pl->v4.total;
	st->in_use4 = pl->v4.in_use - pl->v4.n_reserved;
	st->reserved4 = pl->v4.n_reserved;
	st->size6 = pl->v6.total;
	st->in_use6 = pl->v6.in_use - pl->v6.n_reserved;
	st->reserved6 = pl->v6.n_reserved;
	st->double_releases = pl->v4.double_releases + pl->v6.double_releases;
	st->exhausted = pl->v4.exhausted + pl->v6.exhausted;
	return true;
}

const char *policy_pool_name(const policy_t *p, unsigned pool_index)
{
	return pool_index < p->n_pools ? p->pools[pool_index].name : NULL;
}

int policy_pool_find(const policy_t *p, const char *name)
{
	/* linear: pools are few (a handful per server), looked up by
	 * l2tpctl and at load, never per login */
	for (size_t i = 0; i < p->n_pools; i++)
		if (strcmp(p->pools[i].name, name) == 0)
			return (int)i;
	return -1;
}

size_t policy_server_pools(const policy_t *p, const uint16_t **pools)
{
	*pools = p->server_pools;
	return p->n_server_pools;
}

static size_t adopt_family(policy_t *next, const struct addr_pool *old,
			   int family,
			   void (*on_orphan)(const struct policy_ip *, void *),
			   void *ctx)
{
	size_t orphans = 0;

	for (size_t w = 0; w < old->n_words; w++) {
		uint64_t bits = old->used[w] & ~old->reserved[w];
		while (bits) {
			uint64_t slot = (uint64_t)w * 64 + (uint64_t)__builtin_ctzll(bits);
			struct policy_ip ip;
			bool carried = false;

			bits &= bits - 1;
			if (slot >= old->total)
				break;
			addr_pool_addr(old, slot, &ip);
			for (size_t i = 0; i < next->n_pools && !carried; i++) {
				struct addr_pool *ap = family_of(&next->pools[i], family);
				uint64_t s;
				if (ap->family && addr_pool_slot(ap, &ip, &s) == 0) {
					if (!addr_pool_test(ap, s))
						addr_pool_mark(ap, s);
					/* reserved now (a static user): orphan */
					carried = !((ap->reserved[s / 64] >> (s % 64)) & 1);
					break;
				}
			}
			if (!carried) {
				orphans++;
				if (on_orphan)
					on_orphan(&ip, ctx);
			}
		}
	}
	return orphans;
}

size_t policy_adopt_leases(policy_t *next, const policy_t *old,
			   void (*on_orphan)(const struct policy_ip *ip, void *ctx),
			   void *ctx)
{
	size_t orphans = 0;

	for (size_t i = 0; i < old->n_pools; i++) {
		orphans += adopt_family(next, &old->pools[i].v4, AF_INET, on_orphan, ctx);
		orphans += adopt_family(next, &old->pools[i].v6, AF_INET6, on_orphan, ctx);
	}
	return orphans;
}

bool policy_pool_dhcp(const policy_t *p, unsigned pool_index, struct policy_dhcp_pool *out)
{
	const struct pool *pl;

	if (pool_index >= p->n_pools || !p->pools[pool_index].dhcp_interface)
		return false;
	pl = &p->pools[pool_index];
	out->interface = pl->dhcp_interface;
	out->block = pl->dhcp_block;
	out->server = pl->dhcp_server;
	return true;
}

enum policy_proxy_arp policy_pool_proxy_arp(const policy_t *p, unsigned pool_index)
{
	if (pool_index >= p->n_pools)
		return POLICY_PROXY_ARP_NO;
	return (enum policy_proxy_arp)p->pools[pool_index].proxy_arp;
}

bool policy_pool_ipv4_range(const policy_t *p, unsigned pool_index, size_t i,
			    uint32_t *first, uint32_t *last)
{
	const struct addr_pool *ap;
	uint32_t start;

	if (pool_index >= p->n_pools)
		return false;
	ap = &p->pools[pool_index].v4;
	if (ap->family != AF_INET || i >= ap->n_ranges || !ap->ranges[i].count)
		return false;
	memcpy(&start, ap->ranges[i].start.bytes, 4);
	*first = ntohl(start);
	*last = *first + (uint32_t)(ap->ranges[i].count - 1);
	return true;
}

void policy_set_lease_source(policy_t *p, const struct policy_lease_source *src)
{
	if (src)
		p->lease_src = *src;
	else
		memset(&p->lease_src, 0, sizeof(p->lease_src));
}
