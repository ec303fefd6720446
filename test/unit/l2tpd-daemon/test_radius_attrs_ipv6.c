/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IPv6 attributes of a RADIUS Access-Accept (radius_attrs.h):
 * Framed-IPv6-Prefix (RFC 3162 2.3), Framed-IPv6-Pool (2.4),
 * Delegated-IPv6-Prefix (RFC 4818) into the policy request, checked
 * against our pools first so that a refusal names the attribute and why;
 * DNS-Server-IPv6-Address (RFC 6911) over the profile's ipv6_dns. */
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
	" clients { ipv4 = 192.0.2.10-192.0.2.20\n ipv6 = 2001:db8:1::/62 }\n"
	" v4only { ipv4 = 198.51.100.1-198.51.100.2 }\n"
	" lab { ipv6 = 2001:db8:2::/63 }\n"
	" delegated { ipv6 = 2001:db8:100::/55\n ipv6_prefix_length = 56 }\n"
	"}\n"
	"policies {\n"
	" all { permission = grant\n profile { pool = clients\n ipv6 = yes\n"
	"  ipv6_dns = 2001:db8::53\n ipv6_pd_pool = delegated } }\n"
	"}\n";

static policy_t *load(void)
{
	struct policy_error err;
	policy_t *p = NULL;

	assert_int_equal(policy_load_buffer("t.conf", policy_text, strlen(policy_text), NULL, &p,
					    &err), 0);
	return p;
}

static void set_prefix(uint8_t bytes[16], uint8_t *len, const char *addr, uint8_t l)
{
	assert_int_equal(inet_pton(AF_INET6, addr, bytes), 1);
	*len = l;
}

static const char *text(const struct policy_prefix *pf)
{
	static char buf[64];

	return policy_prefix_format(pf, buf, sizeof(buf));
}

static void framed_ipv6_prefix_goes_into_the_request(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	(void)state;
	set_prefix(r.framed_ipv6_prefix, &r.framed_ipv6_prefix_len, "2001:db8:1:3::", 64);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.has_framed_ipv6_prefix);
	assert_string_equal(text(&req.framed_ipv6_prefix), "2001:db8:1:3::/64");
	/* outside every pool: the server's own, accepted */
	memset(&req, 0, sizeof(req));
	set_prefix(r.framed_ipv6_prefix, &r.framed_ipv6_prefix_len, "2001:db8:77::", 64);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_string_equal(text(&req.framed_ipv6_prefix), "2001:db8:77::/64");
	policy_free(p);
}

static void a_framed_ipv6_prefix_other_than_a_64_is_refused_by_name(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	(void)state;
	set_prefix(r.framed_ipv6_prefix, &r.framed_ipv6_prefix_len, "2001:db8:1::", 56);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-IPv6-Prefix of length /56 cannot be honoured: it is "
				 "announced for SLAAC, which needs a /64");
	set_prefix(r.framed_ipv6_prefix, &r.framed_ipv6_prefix_len, "2001:db8:1::1", 128);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Framed-IPv6-Prefix of length /128 cannot be honoured"));
	assert_false(req.has_framed_ipv6_prefix);
	policy_free(p);
}

static void a_prefix_another_session_holds_is_refused_by_name(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	struct policy_decision d;
	char why[200];

	(void)state;
	set_prefix(r.framed_ipv6_prefix, &r.framed_ipv6_prefix_len, "2001:db8:1:2::", 64);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	req.user = "alice";
	assert_int_equal(policy_post_auth(p, &req, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	memset(&req, 0, sizeof(req));
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-IPv6-Prefix 2001:db8:1:2::/64 is in pool 'clients' and "
				 "held by another session");
	policy_decision_release(p, &d);
	memset(&req, 0, sizeof(req));
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	policy_free(p);
}

static void a_prefix_overlapping_a_pool_of_another_length_is_refused_by_name(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	(void)state;
	set_prefix(r.framed_ipv6_prefix, &r.framed_ipv6_prefix_len, "2001:db8:100:7::", 64);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-IPv6-Prefix 2001:db8:100:7::/64 overlaps pool "
				 "'delegated' without being one of its prefixes (another length)");
	memset(&r, 0, sizeof(r));
	set_prefix(r.delegated_prefix, &r.delegated_prefix_len, "2001:db8:1::", 56);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Delegated-IPv6-Prefix 2001:db8:1::/56 overlaps pool 'clients'"));
	policy_free(p);
}

static void bits_past_the_length_are_refused(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	(void)state;
	/* the parser keeps the octets the length covers; a /44 has half
	 * of its sixth octet past the length */
	set_prefix(r.delegated_prefix, &r.delegated_prefix_len, "2001:db8:f8::", 44);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Delegated-IPv6-Prefix 2001:db8:f8::/44 has bits set past its "
				 "length");
	set_prefix(r.delegated_prefix, &r.delegated_prefix_len, "2001:db8:f0::", 44);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.has_delegated_prefix);
	policy_free(p);
}

static void framed_ipv6_pool_names_a_pool_with_ipv6_or_is_refused(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	(void)state;
	snprintf(r.framed_ipv6_pool, sizeof(r.framed_ipv6_pool), "lab");
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.has_framed_ipv6_pool);
	assert_int_equal(req.framed_ipv6_pool, policy_pool_find(p, "lab"));
	memset(&req, 0, sizeof(req));
	snprintf(r.framed_ipv6_pool, sizeof(r.framed_ipv6_pool), "elsewhere");
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-IPv6-Pool 'elsewhere' names no pool of the policy file");
	snprintf(r.framed_ipv6_pool, sizeof(r.framed_ipv6_pool), "v4only");
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Framed-IPv6-Pool 'v4only' has no ipv6 prefix");
	assert_false(req.has_framed_ipv6_pool);
	policy_free(p);
}

static void delegated_prefix_is_64_or_shorter(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { 0 };
	struct policy_request req = { 0 };
	char why[200];

	(void)state;
	set_prefix(r.delegated_prefix, &r.delegated_prefix_len, "2001:db8:100:100::", 56);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), 0);
	assert_true(req.has_delegated_prefix);
	assert_string_equal(text(&req.delegated_prefix), "2001:db8:100:100::/56");
	memset(&req, 0, sizeof(req));
	set_prefix(r.delegated_prefix, &r.delegated_prefix_len, "2001:db8:100:100::", 80);
	assert_int_equal(radius_attrs_request(&r, p, &req, why, sizeof(why)), -1);
	assert_string_equal(why, "Delegated-IPv6-Prefix of length /80 cannot be honoured: a "
				 "delegated prefix is /64 or shorter");
	policy_free(p);
}

static void dns_server_ipv6_address_replaces_the_profiles_ipv6_dns(void **state)
{
	policy_t *p = load();
	struct radius_reply r = { .n_dns6 = 2 };
	struct radius_grant g;
	struct policy_decision d;
	struct policy_request req = { .user = "alice", .external_user = true };
	char why[200], a[64];

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1:53", r.dns6[0]), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2:53", r.dns6[1]), 1);
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), 0);
	assert_int_equal(g.n_dns6, 2);
	assert_int_equal(policy_post_auth(p, &req, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_int_equal(d.profile.n_ipv6_dns, 1);
	radius_attrs_profile_ipv6(&g, &d.profile);
	assert_int_equal(d.profile.n_ipv6_dns, 2);
	assert_string_equal(policy_ip_format(&d.profile.ipv6_dns[0], a, sizeof(a)), "2001:db8::1:53");
	assert_string_equal(policy_ip_format(&d.profile.ipv6_dns[1], a, sizeof(a)), "2001:db8::2:53");
	/* without the attribute: the profile's */
	memset(&r, 0, sizeof(r));
	assert_int_equal(radius_attrs_grant(&r, p, 0xc000020a, &g, why, sizeof(why)), 0);
	policy_decision_release(p, &d);
	assert_int_equal(policy_post_auth(p, &req, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	radius_attrs_profile_ipv6(&g, &d.profile);
	assert_int_equal(d.profile.n_ipv6_dns, 1);
	assert_string_equal(policy_ip_format(&d.profile.ipv6_dns[0], a, sizeof(a)), "2001:db8::53");
	policy_decision_release(p, &d);
	policy_free(p);
}

static void unused_ipv6_attributes_are_named(void **state)
{
	struct radius_reply r = { 0 };
	char names[160];

	(void)state;
	assert_false(radius_attrs_ipv6_ignored(&r, names, sizeof(names)));
	r.framed_ipv6_prefix_len = 64;
	r.delegated_prefix_len = 56;
	r.n_dns6 = 1;
	assert_true(radius_attrs_ipv6_ignored(&r, names, sizeof(names)));
	assert_string_equal(names, "Framed-IPv6-Prefix, Delegated-IPv6-Prefix, "
				   "DNS-Server-IPv6-Address");
	memset(&r, 0, sizeof(r));
	snprintf(r.framed_ipv6_pool, sizeof(r.framed_ipv6_pool), "lab");
	assert_true(radius_attrs_ipv6_ignored(&r, names, sizeof(names)));
	assert_string_equal(names, "Framed-IPv6-Pool");
	/* a short buffer: cut, never overrun */
	r.framed_ipv6_prefix_len = 64;
	r.delegated_prefix_len = 56;
	r.n_dns6 = 1;
	assert_true(radius_attrs_ipv6_ignored(&r, names, 12));
	assert_int_equal(strlen(names), 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(framed_ipv6_prefix_goes_into_the_request),
		cmocka_unit_test(a_framed_ipv6_prefix_other_than_a_64_is_refused_by_name),
		cmocka_unit_test(a_prefix_another_session_holds_is_refused_by_name),
		cmocka_unit_test(a_prefix_overlapping_a_pool_of_another_length_is_refused_by_name),
		cmocka_unit_test(bits_past_the_length_are_refused),
		cmocka_unit_test(framed_ipv6_pool_names_a_pool_with_ipv6_or_is_refused),
		cmocka_unit_test(delegated_prefix_is_64_or_shorter),
		cmocka_unit_test(dns_server_ipv6_address_replaces_the_profiles_ipv6_dns),
		cmocka_unit_test(unused_ipv6_attributes_are_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
