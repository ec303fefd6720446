/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A pool's proxy_arp key (docs/addresses.md "Clients on the LAN subnet"):
 * yes, no or auto (the default), its errors with file:line, and the IPv4
 * ranges the daemon's auto decision reads. */
#include <arpa/inet.h>

#include "helpers.h"

static uint32_t h(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

static void proxy_arp_is_auto_unless_said(void **state)
{
	policy_t *p = load_ok("pools {\n a { ipv4 = 192.0.2.10-192.0.2.20 }\n"
			      " b { ipv4 = 192.0.2.32/28\n proxy_arp = yes }\n"
			      " c { ipv4 = 198.51.100.0/24\n proxy_arp = no }\n"
			      " d { dhcp_interface = eth1 }\n"
			      " e { ipv4 = 203.0.113.1\n proxy_arp = auto } }\n");

	(void)state;
	assert_int_equal(policy_pool_proxy_arp(p, 0), POLICY_PROXY_ARP_AUTO);
	assert_int_equal(policy_pool_proxy_arp(p, 1), POLICY_PROXY_ARP_YES);
	assert_int_equal(policy_pool_proxy_arp(p, 2), POLICY_PROXY_ARP_NO);
	assert_int_equal(policy_pool_proxy_arp(p, 3), POLICY_PROXY_ARP_AUTO);
	assert_int_equal(policy_pool_proxy_arp(p, 4), POLICY_PROXY_ARP_AUTO);
	assert_int_equal(policy_pool_proxy_arp(p, 5), POLICY_PROXY_ARP_NO);	/* no such pool */
	policy_free(p);
}

static void the_ipv4_ranges_of_a_pool_are_listed_in_host_order(void **state)
{
	policy_t *p = load_ok("pools {\n a { ipv4 = 192.0.2.10-192.0.2.20, 192.0.2.32/28 }\n"
			      " d { dhcp_interface = eth1 }\n"
			      " six { ipv6 = 2001:db8::/48 } }\n");
	uint32_t first, last;

	(void)state;
	assert_true(policy_pool_ipv4_range(p, 0, 0, &first, &last));
	assert_int_equal(first, h("192.0.2.10"));
	assert_int_equal(last, h("192.0.2.20"));
	assert_true(policy_pool_ipv4_range(p, 0, 1, &first, &last));
	assert_int_equal(first, h("192.0.2.32"));
	assert_int_equal(last, h("192.0.2.47"));
	assert_false(policy_pool_ipv4_range(p, 0, 2, &first, &last));
	assert_false(policy_pool_ipv4_range(p, 1, 0, &first, &last));	/* DHCP: no range */
	assert_false(policy_pool_ipv4_range(p, 2, 0, &first, &last));	/* IPv6 only */
	assert_false(policy_pool_ipv4_range(p, 3, 0, &first, &last));	/* no such pool */
	policy_free(p);
}

static void a_bad_proxy_arp_is_refused_at_its_line(void **state)
{
	(void)state;
	load_fails("pools {\n a {\n  ipv4 = 192.0.2.1\n  proxy_arp = sometimes } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:4:15: expected yes, no or auto for 'proxy_arp', got 'sometimes'");
	load_fails("pools {\n a {\n  ipv4 = 192.0.2.1\n  proxy_arp = yes, no } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:4:3: expected one yes, no or auto for 'proxy_arp', got 2 values");
}

static void policy_test_shows_the_pools_proxy_arp(void **state)
{
	policy_t *p = load_ok("pools {\n on { ipv4 = 192.0.2.10-192.0.2.20\n proxy_arp = yes }\n"
			      " off { ipv4 = 198.51.100.10\n proxy_arp = no }\n"
			      " lan { dhcp_interface = eth1 } }\n"
			      "users { a { dial_in = allow } }\n"
			      "policies { all { permission = grant\n profile { pool = on } } }\n");
	struct policy_request r = { .user = "a" };
	struct policy_decision d;
	char *text;

	(void)state;
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv4 address:    192.0.2.10 (pool on)\n"
				     "  ipv4 source:     profile pool on\n"
				     "  proxy arp:       yes\n"));
	free(text);
	policy_decision_release(p, &d);
	policy_free(p);

	p = load_ok("pools { lan { dhcp_interface = eth1 } }\n"
		    "users { a { dial_in = allow\n static_ipv4 = 203.0.113.5 } }\n"
		    "policies { all { permission = grant\n profile { pool = lan } } }\n");
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv4 address:    203.0.113.5 (static)\n"
				     "  ipv4 source:     user static\n"
				     "  proxy arp:       auto (on if the address is in a subnet of "
				     "the host's LAN; l2tpd --check)\n"));
	free(text);
	policy_decision_release(p, &d);
	policy_free(p);

	p = load_ok("pools { lan { dhcp_interface = eth1 } }\n"
		    "users { a { dial_in = allow } }\n"
		    "policies { all { permission = grant\n profile { pool = lan } } }\n");
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  proxy arp:       auto (on: a DHCP pool)\n"));
	free(text);
	policy_decision_release(p, &d);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proxy_arp_is_auto_unless_said),
		cmocka_unit_test(the_ipv4_ranges_of_a_pool_are_listed_in_host_order),
		cmocka_unit_test(a_bad_proxy_arp_is_refused_at_its_line),
		cmocka_unit_test(policy_test_shows_the_pools_proxy_arp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
