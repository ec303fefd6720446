/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP pools in the policy file (docs/addresses.md): the keys and their
 * errors with file:line, the address walk through the daemon's lease
 * source, a dry run without one, and releases that find their way back. */
#include <arpa/inet.h>

#include "helpers.h"

#define USERS "users { a { dial_in = allow } }\n"

static void dhcp_pool_keys_are_read(void **state)
{
	policy_t *p = load_ok("pools {\n lan { dhcp_interface = eth1 }\n"
			      " far { dhcp_interface = eth2\n dhcp_block = 25\n"
			      "  dhcp_server = 198.51.100.2 }\n"
			      " v4 { ipv4 = 192.0.2.10-192.0.2.20 } }\n");
	struct policy_dhcp_pool d;
	struct in_addr a;

	assert_true(policy_pool_dhcp(p, 0, &d));
	assert_string_equal(d.interface, "eth1");
	assert_int_equal(d.block, 10);		/* as RRAS takes them */
	assert_int_equal(d.server, 0);		/* broadcast on the LAN */
	assert_true(policy_pool_dhcp(p, 1, &d));
	assert_int_equal(d.block, 25);
	inet_pton(AF_INET, "198.51.100.2", &a);
	assert_int_equal(d.server, a.s_addr);
	assert_false(policy_pool_dhcp(p, 2, &d));	/* a static pool */
	assert_false(policy_pool_dhcp(p, 3, &d));
	policy_free(p);
}

static void dhcp_pool_errors_name_file_and_line(void **state)
{
	load_fails("pools {\n a {\n  dhcp_block = 5\n  ipv4 = 192.0.2.1 } }\n", POLICY_ERR_VALUE,
		   "t.conf:3:3: 'dhcp_block' needs 'dhcp_interface' in pools.a");
	load_fails("pools {\n a {\n  ipv4 = 192.0.2.1\n  dhcp_interface = eth1 } }\n",
		   POLICY_ERR_CONFLICT,
		   "t.conf:4:3: pools.a: a DHCP pool takes its IPv4 addresses from the server, "
		   "not from 'ipv4'");
	load_fails("pools {\n a { dhcp_interface = eth1 }\n b { dhcp_interface = eth1 } }\n",
		   POLICY_ERR_CONFLICT,
		   "t.conf:3:6: pool 'a' uses DHCP on eth1 too (t.conf:2): one DHCP pool per "
		   "interface");
	load_fails("pools {\n a { dhcp_interface = eth1\n dhcp_block = 0 } }\n", POLICY_ERR_VALUE,
		   "t.conf:3:15: expected a number from 1 to 1000 for 'dhcp_block', got '0'");
	load_fails("pools {\n a { dhcp_interface = eth1, eth2 } }\n", POLICY_ERR_VALUE,
		   "t.conf:2:29: expected one interface name for 'dhcp_interface'");
	load_fails("pools {\n a { dhcp_interface = \"a/b\" } }\n", POLICY_ERR_VALUE,
		   "t.conf:2:23: expected an interface name for 'dhcp_interface'");
	load_fails("pools {\n a { dhcp_interface = eth1\n dhcp_server = 2001:db8::1 } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:3:16: expected an IPv4 address for 'dhcp_server', got '2001:db8::1'");
}

static void dry_run_grants_from_the_dhcp_server_without_an_address(void **state)
{
	policy_t *p = load_ok("pools { lan { dhcp_interface = eth1 } }\n" USERS
			      "policies { all { permission = grant\n profile { pool = lan } } }\n");
	struct policy_request r = { .user = "a" };
	struct policy_decision d;
	struct policy_explain x;
	bool said = false;

	policy_explain_init(&x);
	/* no lease source (l2tpctl policy test): even with POLICY_LEASE */
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, &x), POLICY_GRANTED);
	assert_true(d.ipv4_dhcp);
	assert_false(d.has_ipv4);
	assert_false(d.ipv4_leased);
	assert_int_equal(d.ipv4_pool, 0);
	for (size_t i = 0; i < x.n; i++)
		if (!strcmp(x.lines[i].text, "from the DHCP server on eth1 (profile DHCP pool 'lan'; leased "
					     "when the session starts)"))
			said = true;
	assert_true(said);
	char *text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "ipv4 address:    from the DHCP server on eth1 (pool lan)\n"));
	free(text);
	char *json = policy_format_json(p, 0, &d, NULL);
	assert_non_null(strstr(json, "\"ipv4\":null,\"ipv4_pool\":\"lan\""));
	free(json);
	policy_explain_free(&x);
	policy_free(p);
}

/* A fake daemon: a few addresses, handed out in order. */
struct source {
	const char *addrs[4];
	size_t n, next;
	int lent, returned;
	unsigned last_pool;
};

static int src_lease(void *ctx, unsigned pool, const char *name, struct policy_ip *out)
{
	struct source *s = ctx;

	s->last_pool = pool;
	assert_string_equal(name, "lan");
	if (s->next >= s->n)
		return -1;
	*out = ip_of(s->addrs[s->next++]);
	s->lent++;
	return 0;
}

static bool src_release(void *ctx, const struct policy_ip *ip)
{
	struct source *s = ctx;

	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(ip_of(s->addrs[i]).bytes, ip->bytes, 4)) {
			s->returned++;
			return true;
		}
	return false;
}

static void leases_come_from_the_source_and_go_back_to_it(void **state)
{
	policy_t *p = load_ok("pools { lan { dhcp_interface = eth1 } }\n" USERS
			      "policies { all { permission = grant\n profile { pool = lan } } }\n");
	struct source s = { .addrs = { "192.0.2.100" }, .n = 1 };
	struct policy_lease_source src = { src_lease, src_release, &s };
	struct policy_request r = { .user = "a" };
	struct policy_decision d1, d2;
	char b[64];

	policy_set_lease_source(p, &src);
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d1, NULL), POLICY_GRANTED);
	assert_true(d1.has_ipv4 && d1.ipv4_leased && d1.ipv4_dhcp);
	assert_string_equal(policy_ip_format(&d1.ipv4, b, sizeof(b)), "192.0.2.100");
	/* none ready: the seed's "no free address in the pool" (649, CDN 4) */
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d2, NULL),
			 POLICY_DENY_POOL_EXHAUSTED);
	assert_int_equal(policy_reason_mschap_error(d2.reason), 649);
	/* the session's end: the daemon's release reaches the source */
	assert_int_equal(policy_pool_release(p, &d1.ipv4), POLICY_RELEASED);
	assert_int_equal(s.returned, 1);
	assert_int_equal(policy_unknown_releases(p), 0);
	/* an address of nobody's is still an unknown release */
	struct policy_ip other = ip_of("203.0.113.9");
	assert_int_equal(policy_pool_release(p, &other), POLICY_RELEASE_UNKNOWN);
	assert_int_equal(policy_unknown_releases(p), 1);
	/* a decision released (a refusal after the lease) goes back too */
	s.next = 0;
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d1, NULL), POLICY_GRANTED);
	policy_decision_release(p, &d1);
	assert_int_equal(s.returned, 2);
	policy_free(p);
}

static void a_static_pool_after_an_empty_dhcp_pool_is_used(void **state)
{
	policy_t *p = load_ok("pools { lan { dhcp_interface = eth1 }\n"
			      " spare { ipv4 = 198.51.100.10 } }\n" USERS
			      "policies { all { permission = grant\n profile { pool = lan, spare } } }\n");
	struct source s = { .n = 0 };
	struct policy_lease_source src = { src_lease, src_release, &s };
	struct policy_request r = { .user = "a" };
	struct policy_decision d;
	char b[64];

	policy_set_lease_source(p, &src);
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_false(d.ipv4_dhcp);
	assert_string_equal(policy_ip_format(&d.ipv4, b, sizeof(b)), "198.51.100.10");
	assert_string_equal(policy_pool_name(p, (unsigned)d.ipv4_pool), "spare");
	/* the static pool's address is not the source's to take back */
	assert_int_equal(policy_pool_release(p, &d.ipv4), POLICY_RELEASED);
	assert_int_equal(s.returned, 0);
	policy_free(p);
}

static void a_dhcp_pool_may_carry_ipv6_prefixes(void **state)
{
	policy_t *p = load_ok("pools { lan { dhcp_interface = eth1\n ipv6 = 2001:db8:1::/48 } }\n"
			      USERS "policies { all { permission = grant\n"
			      " profile { pool = lan\n ipv6 = yes } } }\n");
	struct source s = { .addrs = { "192.0.2.100" }, .n = 1 };
	struct policy_lease_source src = { src_lease, src_release, &s };
	struct policy_request r = { .user = "a" };
	struct policy_decision d;

	policy_set_lease_source(p, &src);
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_true(d.ipv4_dhcp);
	assert_true(d.has_ipv6);
	policy_decision_release(p, &d);
	assert_int_equal(s.returned, 1);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dhcp_pool_keys_are_read),
		cmocka_unit_test(dhcp_pool_errors_name_file_and_line),
		cmocka_unit_test(dry_run_grants_from_the_dhcp_server_without_an_address),
		cmocka_unit_test(leases_come_from_the_source_and_go_back_to_it),
		cmocka_unit_test(a_static_pool_after_an_empty_dhcp_pool_is_used),
		cmocka_unit_test(a_dhcp_pool_may_carry_ipv6_prefixes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
