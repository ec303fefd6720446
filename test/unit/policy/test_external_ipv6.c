/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IPv6 an external server (RADIUS) assigns (docs/radius.md "Local
 * policy and the RADIUS answer"): Framed-IPv6-Prefix (RFC 3162 2.3) for
 * the link, Framed-IPv6-Pool (2.4) instead of the profile's pool, and
 * Delegated-IPv6-Prefix (RFC 4818) for DHCPv6-PD; each taken out of the
 * pool that holds it, refused when a session holds it, given as it is
 * outside every pool, and used only by a profile with ipv6 = yes. */
#include <arpa/inet.h>

#include "helpers.h"

#define FILE_TEXT                                                              \
	"pools {\n"                                                            \
	" clients { ipv4 = 192.0.2.10-192.0.2.20\n ipv6 = 2001:db8:1::/62 }\n" \
	" lab { ipv6 = 2001:db8:2::/63 }\n"                                    \
	" delegated { ipv6 = 2001:db8:100::/55\n ipv6_prefix_length = 56 }\n" \
	"}\n"                                                                  \
	"policies {\n"                                                         \
	" 1-v4only { conditions { user = ~\"^v4-\" }\n permission = grant\n"   \
	"  profile { pool = clients } }\n"                                     \
	" 2-all { permission = grant\n"                                        \
	"  profile { pool = clients\n ipv6 = yes\n"                            \
	"   ipv6_pd_pool = delegated } }\n"                                    \
	"}\n"

static enum policy_reason decide(policy_t *p, const char *user, const struct policy_request *extra,
				 struct policy_decision *d)
{
	struct policy_request r = *extra;

	r.user = user;
	r.now = utc("2026-12-03T12:00Z");
	r.external_user = true;
	return policy_post_auth(p, &r, POLICY_LEASE, d, NULL);
}

static struct policy_prefix prefix_of(const char *s)
{
	struct policy_prefix pf;

	assert_true(policy_prefix_parse(s, &pf));
	return pf;
}

static const char *text(const struct policy_prefix *pf)
{
	static char buf[64];

	return policy_prefix_format(pf, buf, sizeof(buf));
}

static uint64_t in_use6(policy_t *p, const char *pool)
{
	struct policy_pool_stats st;

	assert_true(policy_pool_stats(p, (unsigned)policy_pool_find(p, pool), &st));
	return st.in_use6;
}

static void framed_ipv6_prefix_in_a_pool_is_taken_out_of_it_once(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request extra = { .has_framed_ipv6_prefix = true,
					.framed_ipv6_prefix = prefix_of("2001:db8:1:2::/64") };
	struct policy_request none = { 0 };
	struct policy_decision d1, d2, d3;

	(void)state;
	assert_int_equal(decide(p, "alice", &extra, &d1), POLICY_GRANTED);
	assert_string_equal(text(&d1.ipv6), "2001:db8:1:2::/64");
	assert_true(d1.has_ipv6 && d1.ipv6_leased);
	assert_int_equal(d1.ipv6_source, POLICY_SRC_EXTERNAL);
	assert_int_equal(d1.ipv6_pool, policy_pool_find(p, "clients"));
	assert_int_equal(in_use6(p, "clients"), 1);
	/* a second session with it is refused */
	assert_int_equal(decide(p, "bob", &extra, &d2), POLICY_DENY_NO_ADDRESS);
	policy_decision_release(p, &d2);
	/* the pool does not hand it out */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(decide(p, "carl", &none, &d3), POLICY_GRANTED);
		assert_string_not_equal(text(&d3.ipv6), "2001:db8:1:2::/64");
	}
	policy_decision_release(p, &d1);
	assert_int_equal(in_use6(p, "clients"), 3);
	/* released: it can be given again */
	assert_int_equal(decide(p, "bob", &extra, &d2), POLICY_GRANTED);
	policy_decision_release(p, &d2);
	policy_free(p);
}

static void framed_ipv6_prefix_outside_the_pools_is_given_as_is(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request extra = { .has_framed_ipv6_prefix = true,
					.framed_ipv6_prefix = prefix_of("2001:db8:77::/64") };
	struct policy_decision d;

	(void)state;
	assert_int_equal(decide(p, "alice", &extra, &d), POLICY_GRANTED);
	assert_string_equal(text(&d.ipv6), "2001:db8:77::/64");
	assert_true(d.has_ipv6);
	assert_false(d.ipv6_leased);
	assert_int_equal(d.ipv6_pool, -1);
	assert_int_equal(in_use6(p, "clients"), 0);
	policy_decision_release(p, &d);
	assert_int_equal(policy_unknown_releases(p), 0);
	policy_free(p);
}

static void a_prefix_inside_a_pool_of_another_length_is_refused(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	/* a /64 of the /56 delegation pool: it would overlap a /56 the
	 * pool delegates to someone else */
	struct policy_request extra = { .has_framed_ipv6_prefix = true,
					.framed_ipv6_prefix = prefix_of("2001:db8:100:1::/64") };
	struct policy_decision d;
	int idx;

	(void)state;
	assert_int_equal(policy_prefix_lookup(p, &extra.framed_ipv6_prefix, &idx),
			 POLICY_PREFIX_MISFIT);
	assert_int_equal(idx, policy_pool_find(p, "delegated"));
	assert_int_equal(decide(p, "alice", &extra, &d), POLICY_DENY_NO_ADDRESS);
	policy_decision_release(p, &d);
	assert_int_equal(in_use6(p, "delegated"), 0);
	/* one that covers a whole pool is no slot of it either */
	extra.framed_ipv6_prefix = prefix_of("2001:db8:1::/48");
	assert_int_equal(policy_prefix_lookup(p, &extra.framed_ipv6_prefix, &idx),
			 POLICY_PREFIX_MISFIT);
	policy_free(p);
}

static void framed_ipv6_pool_replaces_the_profiles_pool_without_fallback(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request extra = { .has_framed_ipv6_pool = true };
	struct policy_decision d1, d2, d3;

	(void)state;
	extra.framed_ipv6_pool = (uint16_t)policy_pool_find(p, "lab");
	assert_int_equal(decide(p, "alice", &extra, &d1), POLICY_GRANTED);
	assert_string_equal(text(&d1.ipv6), "2001:db8:2::/64");
	assert_int_equal(d1.ipv6_source, POLICY_SRC_EXTERNAL);
	assert_int_equal(d1.ipv6_pool, policy_pool_find(p, "lab"));
	/* the IPv4 address still comes from the profile's pool */
	assert_true(d1.has_ipv4);
	assert_int_equal(d1.ipv4_pool, policy_pool_find(p, "clients"));
	assert_int_equal(decide(p, "bob", &extra, &d2), POLICY_GRANTED);
	assert_string_equal(text(&d2.ipv6), "2001:db8:2:1::/64");
	/* exhausted: no fall-back to the profile's pool; IPv6 is off for
	 * the session, as with the profile's pools empty */
	assert_int_equal(decide(p, "carl", &extra, &d3), POLICY_GRANTED);
	assert_false(d3.has_ipv6);
	assert_false(d3.profile.ipv6);
	assert_int_equal(in_use6(p, "clients"), 0);
	policy_decision_release(p, &d1);
	policy_decision_release(p, &d2);
	policy_decision_release(p, &d3);
	policy_free(p);
}

static void delegated_prefix_is_held_from_the_grant_and_returned(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request extra = { .has_delegated_prefix = true,
					.delegated_prefix = prefix_of("2001:db8:100:100::/56") };
	struct policy_decision d1, d2;
	struct policy_prefix got;

	(void)state;
	assert_int_equal(decide(p, "alice", &extra, &d1), POLICY_GRANTED);
	assert_true(d1.has_delegated && d1.delegated_leased);
	assert_string_equal(text(&d1.delegated), "2001:db8:100:100::/56");
	/* the link's /64 comes from the profile's pool as before */
	assert_string_equal(text(&d1.ipv6), "2001:db8:1::/64");
	assert_int_equal(in_use6(p, "delegated"), 1);
	/* the pool delegates its other prefix, never this one */
	assert_int_equal(policy_pool_lease_prefix(p, (unsigned)policy_pool_find(p, "delegated"),
						  &got), 0);
	assert_string_equal(text(&got), "2001:db8:100::/56");
	/* a second session with it is refused */
	assert_int_equal(decide(p, "bob", &extra, &d2), POLICY_DENY_NO_ADDRESS);
	policy_decision_release(p, &d2);
	policy_decision_release(p, &d1);
	assert_false(d1.delegated_leased);
	assert_int_equal(in_use6(p, "delegated"), 1);
	assert_int_equal(policy_pool_release(p, &got.ip), POLICY_RELEASED);
	policy_free(p);
}

static void a_delegated_prefix_outside_the_pools_is_given_as_is(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request extra = { .has_delegated_prefix = true,
					.delegated_prefix = prefix_of("2001:db8:f00::/48") };
	struct policy_decision d;

	(void)state;
	assert_int_equal(decide(p, "alice", &extra, &d), POLICY_GRANTED);
	assert_true(d.has_delegated);
	assert_false(d.delegated_leased);
	assert_string_equal(text(&d.delegated), "2001:db8:f00::/48");
	policy_decision_release(p, &d);
	assert_int_equal(policy_unknown_releases(p), 0);
	policy_free(p);
}

static void ipv6_attributes_enable_nothing_the_profile_forbids(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request extra = { .has_framed_ipv6_prefix = true,
					.framed_ipv6_prefix = prefix_of("2001:db8:1:3::/64"),
					.has_delegated_prefix = true,
					.delegated_prefix = prefix_of("2001:db8:100:100::/56") };
	struct policy_decision d;

	(void)state;
	assert_int_equal(decide(p, "v4-dave", &extra, &d), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "1-v4only");
	assert_false(d.profile.ipv6);
	assert_false(d.has_ipv6);
	assert_false(d.has_delegated);
	assert_int_equal(in_use6(p, "clients"), 0);
	assert_int_equal(in_use6(p, "delegated"), 0);
	policy_decision_release(p, &d);
	policy_free(p);
}

static void a_refused_delegated_prefix_leaves_the_links_prefix_to_release(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_request first = { .has_delegated_prefix = true,
					.delegated_prefix = prefix_of("2001:db8:100::/56") };
	struct policy_request extra = { .has_framed_ipv6_prefix = true,
					.framed_ipv6_prefix = prefix_of("2001:db8:1:1::/64"),
					.has_delegated_prefix = true,
					.delegated_prefix = prefix_of("2001:db8:100::/56") };
	struct policy_decision d1, d2;

	(void)state;
	assert_int_equal(decide(p, "alice", &first, &d1), POLICY_GRANTED);
	assert_int_equal(decide(p, "bob", &extra, &d2), POLICY_DENY_NO_ADDRESS);
	/* what the denied decision took goes back with it */
	policy_decision_release(p, &d2);
	assert_int_equal(in_use6(p, "clients"), 1);	/* alice's /64 */
	policy_decision_release(p, &d1);
	assert_int_equal(in_use6(p, "clients"), 0);
	assert_int_equal(in_use6(p, "delegated"), 0);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(framed_ipv6_prefix_in_a_pool_is_taken_out_of_it_once),
		cmocka_unit_test(framed_ipv6_prefix_outside_the_pools_is_given_as_is),
		cmocka_unit_test(a_prefix_inside_a_pool_of_another_length_is_refused),
		cmocka_unit_test(framed_ipv6_pool_replaces_the_profiles_pool_without_fallback),
		cmocka_unit_test(delegated_prefix_is_held_from_the_grant_and_returned),
		cmocka_unit_test(a_delegated_prefix_outside_the_pools_is_given_as_is),
		cmocka_unit_test(ipv6_attributes_enable_nothing_the_profile_forbids),
		cmocka_unit_test(a_refused_delegated_prefix_leaves_the_links_prefix_to_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
