/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A login an external server (RADIUS) authenticated (docs/radius.md "Local
 * policy and the RADIUS answer"): no local user is needed or consulted, the
 * policies still decide (conditions, permission, profile) as for dial_in =
 * policy, and the server's address (Framed-IP-Address, Framed-Pool)
 * replaces the profile's. */
#include "helpers.h"

#define FILE_TEXT                                                              \
	"pools {\n"                                                            \
	" office { ipv4 = 192.0.2.10-192.0.2.11 }\n"                           \
	" guests { ipv4 = 198.51.100.1 }\n"                                    \
	"}\n"                                                                  \
	"groups { staff { } }\n"                                               \
	"users {\n"                                                            \
	" local { dial_in = deny\n disabled = yes }\n"                         \
	"}\n"                                                                  \
	"policies {\n"                                                         \
	" 1-nobody-at-night { conditions { time = 00:00-06:00 }\n"             \
	"  permission = deny }\n"                                              \
	" 2-contractors { conditions { user = ~\"^ext-\" }\n"                  \
	"  permission = deny }\n"                                              \
	" 3-staff { conditions { group = staff }\n permission = grant\n"       \
	"  profile { pool = guests } }\n"                                      \
	" 4-radius { permission = grant\n"                                     \
	"  profile { pool = office\n idle_timeout = 5m } }\n"                  \
	"}\n"

static enum policy_reason decide_external(policy_t *p, const char *user, const char *when,
					  const struct policy_request *extra,
					  struct policy_decision *d)
{
	struct policy_request r = { 0 };

	if (extra)
		r = *extra;
	r.user = user;
	r.now = utc(when);
	r.external_user = true;
	return policy_post_auth(p, &r, POLICY_LEASE, d, NULL);
}

static void an_external_user_needs_no_local_user_and_gets_the_profile(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	char ip[64];

	assert_int_equal(decide_external(p, "alice", "2026-12-03T12:00Z", NULL, &d), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "4-radius");
	assert_int_equal(d.profile.idle_timeout, 300);
	assert_true(d.has_ipv4 && d.ipv4_leased);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "192.0.2.10");
	policy_decision_release(p, &d);
	policy_free(p);
}

static void local_users_are_not_consulted_for_an_external_user(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	struct policy_request r = { .user = "local", .now = utc("2026-12-03T12:00Z") };

	/* the same name, authenticated locally: disabled */
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d, NULL),
			 POLICY_DENY_ACCOUNT_DISABLED);
	/* authenticated by the server: the local account plays no part */
	assert_int_equal(decide_external(p, "local", "2026-12-03T12:00Z", NULL, &d), POLICY_GRANTED);
	policy_decision_release(p, &d);
	policy_free(p);
}

static void local_policy_conditions_still_refuse(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;

	assert_int_equal(decide_external(p, "alice", "2026-12-03T03:00Z", NULL, &d), POLICY_DENY_POLICY);
	assert_string_equal(d.policy_name, "1-nobody-at-night");
	assert_int_equal(policy_reason_mschap_error(d.reason), 649);
	assert_int_equal(decide_external(p, "EXT-Bob", "2026-12-03T12:00Z", NULL, &d),
			 POLICY_DENY_POLICY);
	assert_string_equal(d.policy_name, "2-contractors");
	policy_free(p);
}

static void groups_brought_by_the_request_select_policies(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	const char *groups[] = { "staff" };
	struct policy_request extra = { .groups = groups, .n_groups = 1 };
	char ip[64];

	assert_int_equal(decide_external(p, "carol", "2026-12-03T12:00Z", &extra, &d), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "3-staff");
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "198.51.100.1");
	policy_decision_release(p, &d);
	policy_free(p);
}

static void framed_ip_address_in_a_pool_is_taken_out_of_it_once(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d1, d2, d3;
	struct policy_request extra = { .has_framed_ipv4 = true, .framed_ipv4 = ip_of("192.0.2.11") };
	char ip[64];

	assert_int_equal(decide_external(p, "alice", "2026-12-03T12:00Z", &extra, &d1), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d1.ipv4, ip, sizeof(ip)), "192.0.2.11");
	assert_int_equal(d1.ipv4_source, POLICY_SRC_EXTERNAL);
	assert_true(d1.ipv4_leased);
	/* a second session with the same address is refused */
	assert_int_equal(decide_external(p, "bob", "2026-12-03T12:00Z", &extra, &d2),
			 POLICY_DENY_NO_ADDRESS);
	/* the pool does not hand it out */
	assert_int_equal(decide_external(p, "carl", "2026-12-03T12:00Z", NULL, &d3), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d3.ipv4, ip, sizeof(ip)), "192.0.2.10");
	policy_decision_release(p, &d1);
	/* released: the address can be given again */
	assert_int_equal(decide_external(p, "bob", "2026-12-03T12:00Z", &extra, &d2), POLICY_GRANTED);
	policy_decision_release(p, &d2);
	policy_decision_release(p, &d3);
	policy_free(p);
}

static void framed_ip_address_outside_the_pools_is_given_as_is(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	struct policy_request extra = { .has_framed_ipv4 = true, .framed_ipv4 = ip_of("203.0.113.9") };
	char ip[64];

	assert_int_equal(decide_external(p, "alice", "2026-12-03T12:00Z", &extra, &d), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "203.0.113.9");
	assert_false(d.ipv4_leased);
	assert_int_equal(d.ipv4_pool, -1);
	policy_free(p);
}

static void framed_pool_replaces_the_profiles_pool_without_fallback(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d1, d2;
	struct policy_request extra = { .has_framed_pool = true };
	char ip[64];

	extra.framed_pool = (uint16_t)policy_pool_find(p, "guests");
	assert_int_equal(decide_external(p, "alice", "2026-12-03T12:00Z", &extra, &d1), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d1.ipv4, ip, sizeof(ip)), "198.51.100.1");
	assert_int_equal(d1.ipv4_source, POLICY_SRC_EXTERNAL);
	/* exhausted: refused, the profile's pool is not tried instead */
	assert_int_equal(decide_external(p, "bob", "2026-12-03T12:00Z", &extra, &d2),
			 POLICY_DENY_POOL_EXHAUSTED);
	policy_decision_release(p, &d1);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_external_user_needs_no_local_user_and_gets_the_profile),
		cmocka_unit_test(local_users_are_not_consulted_for_an_external_user),
		cmocka_unit_test(local_policy_conditions_still_refuse),
		cmocka_unit_test(groups_brought_by_the_request_select_policies),
		cmocka_unit_test(framed_ip_address_in_a_pool_is_taken_out_of_it_once),
		cmocka_unit_test(framed_ip_address_outside_the_pools_is_given_as_is),
		cmocka_unit_test(framed_pool_replaces_the_profiles_pool_without_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
