/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: pool lease/release/reload driven by the input bytes and
 * checked against a shadow model. A lease never hands out an address that
 * is already out; a release is RELEASED exactly once; counters agree.
 *
 * Input: a sequence of 2-byte operations (op, arg).
 *
 * Speed: the policy text is parsed and built twice per process, not per
 * input and per reload (that was ~500 full loads per 4 KiB input, about 200
 * executions a second). A reload adopts the leases into the other, empty
 * object and empties the old one by releasing what the shadow holds; at the
 * end of each input both objects are proven empty again (every address
 * leases exactly once, then all are released), so no state leaks from one
 * input into the next and a crash reproduces from its input alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] =
	"pools {\n"
	"  a { ipv4 = 192.0.2.1-192.0.2.70, 192.0.2.100-192.0.2.103\n"
	"      ipv6 = 2001:db8::/61 }\n"
	"  b { ipv4 = 198.51.100.0/30 }\n"
	"}\n"
	"users { s { static_ipv4 = 192.0.2.2 } }\n";

#define MAX_OUT 256
#define N_POOLS 2

/* Every address the pools can hold has a small key: 192.0.2.x,
 * 198.51.100.x, and the eight /64 of 2001:db8::/61. The shadow finds an
 * address by its key in O(1): a linear memcmp search cost more than the
 * pool code under test. */
#define N_KEYS (256 + 256 + 8)

struct shadow {
	struct policy_ip ip[MAX_OUT];
	size_t n;
	uint16_t pos[N_KEYS];	/* index + 1 in ip[], 0: not out */
};

static int key_of(const struct policy_ip *ip)
{
	static const uint8_t v6[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0 };

	if (ip->family == AF_INET && ip->bytes[0] == 192 && ip->bytes[1] == 0 &&
	    ip->bytes[2] == 2)
		return ip->bytes[3];
	if (ip->family == AF_INET && ip->bytes[0] == 198 && ip->bytes[1] == 51 &&
	    ip->bytes[2] == 100)
		return 256 + ip->bytes[3];
	if (ip->family == AF_INET6 && !memcmp(ip->bytes, v6, 7) && ip->bytes[7] < 8)
		return 512 + ip->bytes[7];
	return -1;
}

static long find(const struct shadow *s, const struct policy_ip *ip)
{
	int k = key_of(ip);

	return k < 0 ? -1 : (long)s->pos[k] - 1;
}

static void add(struct shadow *s, const struct policy_ip *ip)
{
	int k = key_of(ip);

	/* out of every pool, handed out twice, or more than exist */
	if (k < 0 || s->pos[k] || s->n == MAX_OUT)
		__builtin_trap();
	s->ip[s->n++] = *ip;
	s->pos[k] = (uint16_t)s->n;
}

static void drop(struct shadow *s, size_t i)
{
	s->pos[key_of(&s->ip[i])] = 0;
	s->ip[i] = s->ip[--s->n];
	if (i < s->n)
		s->pos[key_of(&s->ip[i])] = (uint16_t)(i + 1);
}

static void check_counts(policy_t *p, const struct shadow *s)
{
	struct policy_pool_stats a, b;
	uint64_t out = 0;

	policy_pool_stats(p, 0, &a);
	policy_pool_stats(p, 1, &b);
	out = a.in_use4 + a.in_use6 + b.in_use4 + b.in_use6;
	if (out != s->n)
		__builtin_trap();
}

static policy_t *load(void)
{
	struct policy_error err;
	policy_t *p = NULL;

	if (policy_load_buffer("pool.conf", config, sizeof(config) - 1, NULL, &p, &err))
		__builtin_trap();
	return p;
}

/* Release in p everything the shadow holds: p is empty afterwards. */
static void release_each(policy_t *p, const struct shadow *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (policy_pool_release(p, &s->ip[i]) != POLICY_RELEASED)
			__builtin_trap();
}

static void release_all(policy_t *p, struct shadow *s)
{
	release_each(p, s);
	while (s->n)
		drop(s, s->n - 1);
}

/* An empty object: each pool hands out exactly its free addresses, each
 * once, then is exhausted; all go back. */
static void check_empty(policy_t *p)
{
	struct shadow s = { .n = 0, .pos = { 0 } };

	check_counts(p, &s);
	for (unsigned pool = 0; pool < N_POOLS; pool++) {
		struct policy_pool_stats st;
		uint64_t got4 = 0, got6 = 0;
		struct policy_ip ip;

		if (!policy_pool_stats(p, pool, &st))
			__builtin_trap();
		while (policy_pool_lease(p, pool, AF_INET, &ip) == 0) {
			add(&s, &ip);
			got4++;
		}
		while (policy_pool_lease(p, pool, AF_INET6, &ip) == 0) {
			add(&s, &ip);
			got6++;
		}
		if (got4 != st.size4 - st.reserved4 || got6 != st.size6 - st.reserved6)
			__builtin_trap();
		release_all(p, &s);
	}
	check_counts(p, &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* two objects of the same text, built once: the one in use and the
	 * empty one a reload adopts into */
	static policy_t *objs[2];
	struct shadow s = { .n = 0, .pos = { 0 } };
	policy_t *p, *spare;

	if (!objs[0]) {
		objs[0] = load();
		objs[1] = load();
	}
	p = objs[0];
	spare = objs[1];
	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i] % 4, arg = data[i + 1];
		struct policy_ip ip;

		switch (op) {
		case 0: {	/* lease */
			unsigned pool = arg & 1;
			int family = (arg & 2) ? AF_INET6 : AF_INET;
			if (policy_pool_lease(p, pool, family, &ip) == 0)
				add(&s, &ip);	/* traps if handed out twice */
			break;
		}
		case 1:		/* release one that is out */
			if (s.n) {
				size_t k = arg % s.n;
				if (policy_pool_release(p, &s.ip[k]) != POLICY_RELEASED)
					__builtin_trap();
				drop(&s, k);
			}
			break;
		case 2: {	/* release an arbitrary IPv4 address near the pools */
			policy_ip_parse(arg & 1 ? "198.51.100.0" : "192.0.2.0", &ip);
			ip.bytes[3] = (uint8_t)(arg & 0x7f);
			enum policy_release_result r = policy_pool_release(p, &ip);
			long k = find(&s, &ip);
			if ((k >= 0) != (r == POLICY_RELEASED))
				__builtin_trap();
			if (k >= 0)
				drop(&s, (size_t)k);
			break;
		}
		case 3: {	/* reload: leases carry over into the empty object */
			policy_t *old = p;
			if (policy_adopt_leases(spare, p, NULL, NULL) != 0)
				__builtin_trap();
			p = spare;
			/* the old object gives back exactly what moved and is
			 * the empty spare of the next reload */
			release_each(old, &s);
			{
				struct shadow none = { .n = 0, .pos = { 0 } };
				check_counts(old, &none);
			}
			spare = old;
			break;
		}
		}
		check_counts(p, &s);
	}
	release_all(p, &s);
	check_empty(p);
	check_empty(spare);
	objs[0] = p;
	objs[1] = spare;
	return 0;
}
