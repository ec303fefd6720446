/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: pool lease/release/reload driven by the input bytes and
 * checked against a shadow model. A lease never hands out an address that
 * is already out; a release is RELEASED exactly once; counters agree.
 *
 * Input: a sequence of 2-byte operations (op, arg).
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

struct shadow {
	struct policy_ip ip[MAX_OUT];
	size_t n;
};

static long find(const struct shadow *s, const struct policy_ip *ip)
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(&s->ip[i], ip, sizeof(*ip)))
			return (long)i;
	return -1;
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_error err;
	struct shadow s = { .n = 0 };
	policy_t *p = NULL;

	if (policy_load_buffer("pool.conf", config, sizeof(config) - 1, NULL, &p, &err))
		__builtin_trap();
	for (size_t i = 0; i + 1 < size; i += 2) {
		uint8_t op = data[i] % 4, arg = data[i + 1];
		struct policy_ip ip;

		switch (op) {
		case 0: {	/* lease */
			unsigned pool = arg & 1;
			int family = (arg & 2) ? AF_INET6 : AF_INET;
			if (policy_pool_lease(p, pool, family, &ip) == 0) {
				if (find(&s, &ip) >= 0 || s.n == MAX_OUT)
					__builtin_trap();	/* handed out twice */
				s.ip[s.n++] = ip;
			}
			break;
		}
		case 1:		/* release one that is out */
			if (s.n) {
				size_t k = arg % s.n;
				if (policy_pool_release(p, &s.ip[k]) != POLICY_RELEASED)
					__builtin_trap();
				s.ip[k] = s.ip[--s.n];
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
				s.ip[k] = s.ip[--s.n];
			break;
		}
		case 3: {	/* reload: leases carry over */
			policy_t *next = NULL;
			if (policy_load_buffer("pool.conf", config, sizeof(config) - 1, NULL,
					       &next, &err))
				__builtin_trap();
			if (policy_adopt_leases(next, p, NULL, NULL) != 0)
				__builtin_trap();
			policy_free(p);
			p = next;
			break;
		}
		}
		check_counts(p, &s);
	}
	policy_free(p);
	return 0;
}
