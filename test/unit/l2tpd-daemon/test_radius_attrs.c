/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a RADIUS Access-Accept changes of a session (radius_attrs.h): the
 * address into the policy request, the overrides after the grant, and
 * every attribute that cannot be carried out refused by name. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "radius_attrs.h"

static const char policy_text[] =
	"pools {\n"
	" office { ipv4 = 192.0.2.10-192.0.2.20 }\n"
	"}\n"
	"policies {\n"
	" guests { conditions { user = nobody }\n permission = deny\n"
	"  profile { filter_in { default = deny } } }\n"
	" all { permission = grant\n profile { pool = office } }\n"
	"}\n";

static policy_t *load(void)
{
	struct policy_error err;
	policy_t *p = NULL;

	assert_int_equal(policy_load_buffer("t.conf", policy_text, strlen(policy_text), NULL, &p,
					    &err), 0);
	return p;
}

static uint32_t be(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void an_accept_without_attributes_changes_nothing(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	struct radius_grant g;
	char why[200];

	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.external_user);
	assert_false(req.has_framed_ipv4);
	assert_false(req.has_framed_pool);
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), 0);
	assert_int_equal(g.session_timeout, 0);
	assert_int_equal(g.idle_timeout, 0);
	assert_int_equal(g.n_routes, 0);
	assert_int_equal(g.filter_policy, -1);
	assert_false(g.client_chooses);
	policy_free(p);
}

static void framed_ip_address_and_pool_go_into_the_request(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { .ip_kind = RADIUS_IP_STATIC, .framed_ip = be("192.0.2.15") };
	struct policy_request req = { 0 };
	char why[200];

	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.has_framed_ipv4);
	assert_int_equal(req.framed_ipv4.family, AF_INET);
	assert_memory_equal(req.framed_ipv4.bytes, &r.framed_ip, 4);

	memset(&r, 0, sizeof(r));
	memset(&req, 0, sizeof(req));
	snprintf(r.framed_pool, sizeof(r.framed_pool), "office");
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.has_framed_pool);
	assert_int_equal(req.framed_pool, policy_pool_find(p, "office"));

	/* 255.255.255.254: the pools, as without the attribute */
	memset(&r, 0, sizeof(r));
	memset(&req, 0, sizeof(req));
	r.ip_kind = RADIUS_IP_FROM_POOL;
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_false(req.has_framed_ipv4);
	assert_false(req.has_framed_pool);
	policy_free(p);
}

static void a_framed_pool_we_do_not_have_is_refused_by_name(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	snprintf(r.framed_pool, sizeof(r.framed_pool), "elsewhere");
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-Pool 'elsewhere' names no pool of the policy file");
	policy_free(p);
}

/* Framed-MTU is no longer the request's business: decided after the
 * policy (radius_attrs_framed_mtu), whatever its value. */
static void framed_mtu_does_not_refuse_the_request(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	r.framed_mtu = 1300;
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	policy_free(p);
}

/* RFC 2865 5.12, honoured as other LNSs do: a smaller MTU is the session
 * device's; a larger one (or none) changes nothing. */
static void a_smaller_mtu_lowers_the_session_device(void **state)
{
	uint16_t set = 1;
	char why[300] = "";

	assert_int_equal(radius_attrs_framed_mtu(0, 1398, false, NULL, &set, why, sizeof(why)), 0);
	assert_int_equal(set, 0);
	assert_int_equal(radius_attrs_framed_mtu(1500, 1398, true, NULL, &set, why, sizeof(why)), 0);
	assert_int_equal(set, 0);
	assert_int_equal(radius_attrs_framed_mtu(1398, 1398, false, "x", &set, why, sizeof(why)), 0);
	assert_int_equal(set, 0);
	assert_int_equal(radius_attrs_framed_mtu(1300, 1398, false, NULL, &set, why, sizeof(why)), 0);
	assert_int_equal(set, 1300);
	/* the least each family takes */
	assert_int_equal(radius_attrs_framed_mtu(576, 1398, false, NULL, &set, why, sizeof(why)), 0);
	assert_int_equal(set, 576);
	assert_int_equal(radius_attrs_framed_mtu(1280, 1398, true, NULL, &set, why, sizeof(why)), 0);
	assert_int_equal(set, 1280);
}

static void an_mtu_too_small_or_without_a_device_is_refused_by_name(void **state)
{
	uint16_t set = 1;
	char why[300];

	assert_int_equal(radius_attrs_framed_mtu(575, 1398, false, NULL, &set, why, sizeof(why)),
			 -1);
	assert_int_equal(set, 0);
	assert_string_equal(why, "Framed-MTU 575 is below 576, the datagram every IPv4 host must "
			    "take (RFC 791)");
	/* IPv4 only, 1000 is fine; with IPv6 on the session it is not */
	assert_int_equal(radius_attrs_framed_mtu(1000, 1398, false, NULL, &set, why, sizeof(why)),
			 0);
	assert_int_equal(radius_attrs_framed_mtu(1279, 1398, true, NULL, &set, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "Framed-MTU 1279 is below 1280, the least link MTU of IPv6 "
			    "(RFC 8200 section 5), and the session has IPv6");
	/* a shared device: every session's, its MTU is not one user's */
	assert_int_equal(radius_attrs_framed_mtu(1300, 1398, false,
						 "the shared TUN (userspace.tun = shared)", &set,
						 why, sizeof(why)),
			 -1);
	assert_int_equal(set, 0);
	assert_string_equal(why, "Framed-MTU 1300 is below the link's 1398 and cannot be "
			    "honoured: the shared TUN (userspace.tun = shared) has no device of "
			    "the session's own whose MTU could be lowered (LCP settled the "
			    "link's before authentication)");
}

static void timeouts_dns_and_nbns_override_the_profile(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { .session_timeout = 3600, .idle_timeout = 600,
				  .interim_interval = 300,
				  .dns = { be("192.0.2.53"), be("192.0.2.54") },
				  .nbns = { be("192.0.2.55"), 0 } };
	struct radius_grant g;
	char why[200];

	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), 0);
	assert_int_equal(g.session_timeout, 3600);
	assert_int_equal(g.idle_timeout, 600);
	assert_int_equal(g.interim_interval, 300);
	assert_int_equal(g.dns[0], 0xc0000235);
	assert_int_equal(g.dns[1], 0xc0000236);
	assert_int_equal(g.nbns[0], 0xc0000237);
	assert_int_equal(g.nbns[1], 0);
	policy_free(p);
}

static void framed_routes_and_the_netmask_network_go_through_the_client(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { .n_routes = 2, .framed_netmask = be("255.255.255.248") };
	struct radius_grant g;
	char why[200], pf[64];

	r.routes[0] = (struct radius_route){ .dest = be("198.51.100.0"), .prefix_len = 24 };
	r.routes[1] = (struct radius_route){ .dest = be("203.0.113.0"), .prefix_len = 25,
					     .gateway = be("192.0.2.10"), .metric = 3 };
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), 0);
	assert_int_equal(g.n_routes, 3);
	assert_string_equal(policy_prefix_format(&g.routes[0], pf, sizeof(pf)), "198.51.100.0/24");
	assert_string_equal(policy_prefix_format(&g.routes[1], pf, sizeof(pf)), "203.0.113.0/25");
	/* RFC 2865 5.9: 192.0.2.10/29's network */
	assert_string_equal(policy_prefix_format(&g.routes[2], pf, sizeof(pf)), "192.0.2.8/29");
	policy_free(p);
}

static void a_route_via_someone_else_is_refused_by_name(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { .n_routes = 1 };
	struct radius_grant g;
	char why[200];

	r.routes[0] = (struct radius_route){ .dest = be("198.51.100.0"), .prefix_len = 24,
					     .gateway = be("192.0.2.1") };
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Framed-Route via 192.0.2.1 cannot be honoured"));
	memset(&r, 0, sizeof(r));
	r.framed_netmask = be("255.0.255.0");
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-IP-Netmask is not a contiguous mask");
	policy_free(p);
}

static void filter_id_names_the_policy_whose_filters_apply(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct radius_grant g;
	char why[200];

	snprintf(r.filter_id, sizeof(r.filter_id), "guests");
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), 0);
	assert_int_equal(g.filter_policy, 0);
	snprintf(r.filter_id, sizeof(r.filter_id), "acl-101");
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Filter-Id 'acl-101' names no policy of the policy file"));
	policy_free(p);
}

static void the_client_may_choose_its_address(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { .ip_kind = RADIUS_IP_CLIENT_CHOOSES };
	struct policy_request req = { 0 };
	struct radius_grant g;
	char why[200];

	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_false(req.has_framed_ipv4);	/* a pool's, for a client that asks none */
	assert_int_equal(radius_attrs_grant(&r, p, 0, &g, why, sizeof(why)), 0);
	assert_true(g.client_chooses);
	/* the netmask's network needs the address, not known yet */
	r.framed_netmask = be("255.255.255.0");
	assert_int_equal(radius_attrs_grant(&r, p, 0, &g, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Framed-IP-Netmask needs the client's address"));
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_accept_without_attributes_changes_nothing),
		cmocka_unit_test(framed_ip_address_and_pool_go_into_the_request),
		cmocka_unit_test(a_framed_pool_we_do_not_have_is_refused_by_name),
		cmocka_unit_test(framed_mtu_does_not_refuse_the_request),
		cmocka_unit_test(a_smaller_mtu_lowers_the_session_device),
		cmocka_unit_test(an_mtu_too_small_or_without_a_device_is_refused_by_name),
		cmocka_unit_test(timeouts_dns_and_nbns_override_the_profile),
		cmocka_unit_test(framed_routes_and_the_netmask_network_go_through_the_client),
		cmocka_unit_test(a_route_via_someone_else_is_refused_by_name),
		cmocka_unit_test(filter_id_names_the_policy_whose_filters_apply),
		cmocka_unit_test(the_client_may_choose_its_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
