/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 Prefix Delegation's pools (docs/addresses.md): a profile's
 * ipv6_pd_pool, its errors with file:line, prefixes leased from it in
 * order and returned, carried across a reload, and shown by policy test. */
#include <arpa/inet.h>
#include <sys/socket.h>

#include "helpers.h"

#define POOLS	"pools {\n" \
		" clients { ipv4 = 198.51.100.10-198.51.100.20\n ipv6 = 2001:db8:1::/48 }\n" \
		" delegated { ipv6 = 2001:db8:100::/54\n ipv6_prefix_length = 56 }\n" \
		" spare { ipv6 = 2001:db8:200::/56\n ipv6_prefix_length = 56 } }\n"
#define USERS	"users { a { dial_in = allow } }\n"

static const char pd_policy[] = POOLS USERS
	"policies { all { permission = grant\n profile { pool = clients\n ipv6 = yes\n"
	" ipv6_pd_pool = delegated, spare } } }\n";

static void want_prefix(const struct policy_prefix *p, const char *text, uint8_t len)
{
	uint8_t want[16];

	assert_int_equal(inet_pton(AF_INET6, text, want), 1);
	assert_int_equal(p->ip.family, AF_INET6);
	assert_memory_equal(p->ip.bytes, want, 16);
	assert_int_equal(p->len, len);
}

static void the_profile_names_its_delegation_pools_in_order(void **state)
{
	policy_t *p = load_ok(pd_policy);
	struct policy_request r = { .user = "a" };
	struct policy_decision d;

	(void)state;
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_int_equal(d.profile.n_ipv6_pd_pools, 2);
	assert_string_equal(policy_pool_name(p, d.profile.ipv6_pd_pools[0]), "delegated");
	assert_string_equal(policy_pool_name(p, d.profile.ipv6_pd_pools[1]), "spare");
	/* the session's /64 comes from its own pool; nothing is delegated
	 * at the grant */
	want_prefix(&d.ipv6, "2001:db8:1::", 64);
	{
		struct policy_pool_stats st;

		assert_true(policy_pool_stats(p, 1, &st));
		assert_int_equal(st.in_use6, 0);
		assert_int_equal(st.size6, 4);
	}
	policy_decision_release(p, &d);
	policy_free(p);
}

static void prefixes_are_leased_until_the_pool_is_empty_and_returned(void **state)
{
	policy_t *p = load_ok(pd_policy);
	struct policy_prefix got[5];

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(policy_pool_lease_prefix(p, 1, &got[i]), 0);
	want_prefix(&got[0], "2001:db8:100::", 56);
	want_prefix(&got[1], "2001:db8:100:100::", 56);
	want_prefix(&got[3], "2001:db8:100:300::", 56);
	assert_int_equal(policy_pool_lease_prefix(p, 1, &got[4]), -1);
	/* the next pool of the list has its own */
	assert_int_equal(policy_pool_lease_prefix(p, 2, &got[4]), 0);
	want_prefix(&got[4], "2001:db8:200::", 56);
	assert_int_equal(policy_pool_release(p, &got[1].ip), POLICY_RELEASED);
	assert_int_equal(policy_pool_release(p, &got[1].ip), POLICY_RELEASE_DOUBLE);
	assert_int_equal(policy_pool_lease_prefix(p, 1, &got[1]), 0);
	want_prefix(&got[1], "2001:db8:100:100::", 56);
	/* a pool without ipv6, or none at that index */
	assert_int_equal(policy_pool_lease_prefix(p, 7, &got[4]), -1);
	policy_free(p);
	p = load_ok("pools { four { ipv4 = 192.0.2.1 } }\n");
	assert_int_equal(policy_pool_lease_prefix(p, 0, &got[4]), -1);
	policy_free(p);
}

static void delegated_prefixes_survive_a_reload(void **state)
{
	policy_t *old = load_ok(pd_policy), *next = load_ok(pd_policy);
	struct policy_prefix a, b;

	(void)state;
	assert_int_equal(policy_pool_lease_prefix(old, 1, &a), 0);
	assert_int_equal(policy_adopt_leases(next, old, NULL, NULL), 0);
	policy_free(old);
	/* held in the new file's pool: the next lease is another prefix */
	assert_int_equal(policy_pool_lease_prefix(next, 1, &b), 0);
	want_prefix(&b, "2001:db8:100:100::", 56);
	assert_int_equal(policy_pool_release(next, &a.ip), POLICY_RELEASED);
	policy_free(next);
}

static void bad_delegation_pools_are_refused_at_their_line(void **state)
{
	(void)state;
	load_fails(POOLS "policies { p { permission = grant\n profile { ipv6 = yes\n"
		   "  ipv6_pd_pool = nowhere } } }\n",
		   POLICY_ERR_REFERENCE,
		   "t.conf:10:18: expected a pool defined in 'pools', got 'nowhere'");
	load_fails("pools { four { ipv4 = 192.0.2.1 } }\n"
		   "policies { p { permission = grant\n profile { ipv6 = yes\n"
		   "  ipv6_pd_pool = four } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:4:18: pool 'four' (t.conf:1) has no 'ipv6' prefixes to delegate");
	load_fails("pools { slaac { ipv6 = 2001:db8::/48\n ipv6_prefix_length = 80 } }\n"
		   "policies { p { permission = grant\n profile { ipv6 = yes\n"
		   "  ipv6_pd_pool = slaac } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:5:18: pool 'slaac' (t.conf:1) delegates /80: a delegated prefix must "
		   "be /64 or shorter (ipv6_prefix_length)");
	load_fails(POOLS "policies { p { permission = grant\n profile {\n"
		   "  ipv6_pd_pool = delegated } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:10:3: 'ipv6_pd_pool' needs 'ipv6 = yes' in the same profile: prefixes "
		   "are delegated over the client's IPv6 link");
	load_fails(POOLS "policies { p { permission = grant\n profile { ipv6 = yes\n"
		   "  ipv6_pd_pool = spare, spare } } }\n",
		   POLICY_ERR_DUPLICATE,
		   "t.conf:10:25: pool 'spare' is named twice in 'ipv6_pd_pool'");
}

static void policy_test_shows_where_prefixes_are_delegated_from(void **state)
{
	policy_t *p = load_ok(pd_policy);
	struct policy_request r = { .user = "a" };
	struct policy_decision d;
	struct policy_explain x;
	char *text, *json;
	bool seen = false;

	(void)state;
	policy_explain_init(&x);
	assert_int_equal(policy_post_auth(p, &r, 0, &d, &x), POLICY_GRANTED);
	text = policy_format_text(p, 0, &d, &x);
	json = policy_format_json(p, 0, &d, &x);
	assert_non_null(strstr(text, "  ipv6 delegation: pool delegated (on request)\n"
				     "  ipv6 delegation: pool spare (on request)\n"));
	assert_non_null(strstr(json, "\"ipv6_pd_pools\":[\"delegated\",\"spare\"]"));
	for (size_t i = 0; i < x.n; i++)
		if (!strcmp(x.lines[i].key, "delegation") &&
		    strstr(x.lines[i].text, "a /56 from pool 'delegated' (0 of 4 leased) when "
					    "the client asks by DHCPv6, else:"))
			seen = true;
	assert_true(seen);
	free(text);
	free(json);
	policy_explain_free(&x);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_profile_names_its_delegation_pools_in_order),
		cmocka_unit_test(prefixes_are_leased_until_the_pool_is_empty_and_returned),
		cmocka_unit_test(delegated_prefixes_survive_a_reload),
		cmocka_unit_test(bad_delegation_pools_are_refused_at_their_line),
		cmocka_unit_test(policy_test_shows_where_prefixes_are_delegated_from),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
