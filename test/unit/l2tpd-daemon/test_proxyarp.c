/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-pool proxy ARP decision (proxyarp.h, docs/addresses.md "Clients
 * on the LAN subnet") against a made-up host: which pools lie inside a
 * directly connected subnet, and what yes, no and auto make of it. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proxyarp.h"

static uint32_t h(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/* eth0: the office LAN 192.0.2.0/24; eth1: 198.51.100.0/25 and a narrower
 * 198.51.100.0/27 on eth2; lo-like and point-to-point addresses are never
 * listed by rtnl_connected_subnets, a /32 can be (an address without a
 * subnet) and is never a LAN. */
static const struct rtnl_subnet host[] = {
	{ 0, 24, 2, "eth0" },
	{ 0, 25, 3, "eth1" },
	{ 0, 27, 4, "eth2" },
	{ 0, 32, 5, "dummy0" },
};

static struct rtnl_subnet subnets[4];

static int setup(void **state)
{
	(void)state;
	memcpy(subnets, host, sizeof(host));
	subnets[0].addr = h("192.0.2.1");
	subnets[1].addr = h("198.51.100.1");
	subnets[2].addr = h("198.51.100.2");
	subnets[3].addr = h("203.0.113.7");
	return 0;
}

static struct proxyarp_range range(const char *first, const char *last)
{
	struct proxyarp_range r = { h(first), h(last) };
	return r;
}

static void a_pool_inside_the_lan_subnet_is_answered_there(void **state)
{
	struct proxyarp_range r[] = { range("192.0.2.100", "192.0.2.149") };
	struct proxyarp_choice c = proxyarp_decide(POLICY_PROXY_ARP_AUTO, NULL, r, 1, subnets, 4);

	(void)state;
	assert_true(c.on);
	assert_int_equal(c.subnet, 0);
}

static void a_pool_outside_every_subnet_is_not(void **state)
{
	struct proxyarp_range r[] = { range("203.0.113.10", "203.0.113.20") };
	struct proxyarp_choice c = proxyarp_decide(POLICY_PROXY_ARP_AUTO, NULL, r, 1, subnets, 4);

	(void)state;
	assert_false(c.on);
	assert_int_equal(c.subnet, -1);
}

static void a_pool_that_straddles_the_subnet_edge_is_not_inside(void **state)
{
	struct proxyarp_range r[] = { range("192.0.2.250", "192.0.3.5") };

	(void)state;
	assert_false(proxyarp_decide(POLICY_PROXY_ARP_AUTO, NULL, r, 1, subnets, 4).on);
}

static void every_range_must_lie_in_the_same_subnet(void **state)
{
	struct proxyarp_range same[] = { range("192.0.2.10", "192.0.2.20"),
					 range("192.0.2.200", "192.0.2.210") };
	struct proxyarp_range split[] = { range("192.0.2.10", "192.0.2.20"),
					  range("203.0.113.10", "203.0.113.20") };

	(void)state;
	assert_int_equal(proxyarp_subnet_of(same, 2, subnets, 4), 0);
	assert_int_equal(proxyarp_subnet_of(split, 2, subnets, 4), -1);
	assert_false(proxyarp_decide(POLICY_PROXY_ARP_AUTO, NULL, split, 2, subnets, 4).on);
}

static void the_longest_connected_prefix_wins_as_in_the_route_lookup(void **state)
{
	struct proxyarp_range narrow[] = { range("198.51.100.10", "198.51.100.20") };
	struct proxyarp_range wide[] = { range("198.51.100.40", "198.51.100.50") };

	(void)state;
	assert_int_equal(proxyarp_subnet_of(narrow, 1, subnets, 4), 2);	/* eth2's /27 */
	assert_int_equal(proxyarp_subnet_of(wide, 1, subnets, 4), 1);	/* eth1's /25 */
}

static void a_host_address_without_a_subnet_is_no_lan(void **state)
{
	struct proxyarp_range r[] = { range("203.0.113.7", "203.0.113.7") };

	(void)state;
	assert_int_equal(proxyarp_subnet_of(r, 1, subnets, 4), -1);
}

static void no_turns_it_off_even_inside_the_lan(void **state)
{
	struct proxyarp_range r[] = { range("192.0.2.100", "192.0.2.149") };

	(void)state;
	assert_false(proxyarp_decide(POLICY_PROXY_ARP_NO, NULL, r, 1, subnets, 4).on);
	assert_false(proxyarp_decide(POLICY_PROXY_ARP_NO, "eth0", NULL, 0, subnets, 4).on);
}

static void yes_turns_it_on_even_outside_every_subnet(void **state)
{
	struct proxyarp_range r[] = { range("203.0.113.10", "203.0.113.20") };
	struct proxyarp_choice c = proxyarp_decide(POLICY_PROXY_ARP_YES, NULL, r, 1, subnets, 4);

	(void)state;
	assert_true(c.on);
	assert_int_equal(c.subnet, -1);		/* logged: no LAN for it today */
}

static void a_dhcp_pool_is_on_the_lan_by_nature(void **state)
{
	struct proxyarp_choice c = proxyarp_decide(POLICY_PROXY_ARP_AUTO, "eth1", NULL, 0,
						   subnets, 4);

	(void)state;
	assert_true(c.on);
	assert_int_equal(c.subnet, 1);
	/* its interface not (yet) up with an address: on all the same */
	c = proxyarp_decide(POLICY_PROXY_ARP_AUTO, "eth9", NULL, 0, subnets, 4);
	assert_true(c.on);
	assert_int_equal(c.subnet, -1);
}

static void a_host_without_subnets_answers_for_no_auto_pool(void **state)
{
	struct proxyarp_range r[] = { range("192.0.2.100", "192.0.2.149") };

	(void)state;
	assert_false(proxyarp_decide(POLICY_PROXY_ARP_AUTO, NULL, r, 1, NULL, 0).on);
	assert_int_equal(proxyarp_subnet_of(NULL, 0, subnets, 4), -1);	/* no IPv4 at all */
}

static void a_static_address_is_answered_as_a_host_of_a_connected_subnet(void **state)
{
	(void)state;
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("192.0.2.50")), 0);
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("198.51.100.20")), 2);
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("203.0.113.50")), -1);	/* routed */
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("192.0.2.0")), -1);	/* network */
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("192.0.2.255")), -1);	/* broadcast */
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("192.0.2.1")), -1);	/* ours */
	assert_int_equal(rtnl_subnet_holding(subnets, 4, h("203.0.113.7")), -1);	/* a /32 */
	assert_int_equal(rtnl_subnet_holding(NULL, 0, h("192.0.2.50")), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(a_pool_inside_the_lan_subnet_is_answered_there, setup),
		cmocka_unit_test_setup(a_pool_outside_every_subnet_is_not, setup),
		cmocka_unit_test_setup(a_pool_that_straddles_the_subnet_edge_is_not_inside, setup),
		cmocka_unit_test_setup(every_range_must_lie_in_the_same_subnet, setup),
		cmocka_unit_test_setup(the_longest_connected_prefix_wins_as_in_the_route_lookup, setup),
		cmocka_unit_test_setup(a_host_address_without_a_subnet_is_no_lan, setup),
		cmocka_unit_test_setup(no_turns_it_off_even_inside_the_lan, setup),
		cmocka_unit_test_setup(yes_turns_it_on_even_outside_every_subnet, setup),
		cmocka_unit_test_setup(a_dhcp_pool_is_on_the_lan_by_nature, setup),
		cmocka_unit_test_setup(a_host_without_subnets_answers_for_no_auto_pool, setup),
		cmocka_unit_test_setup(a_static_address_is_answered_as_a_host_of_a_connected_subnet,
				       setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
