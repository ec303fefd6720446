/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The example files in docs/examples/policy load, and decide what their
 * comments say: examples never rot.
 */
#include "helpers.h"

static policy_t *load_example(const char *name)
{
	struct policy_error err;
	char path[512];
	policy_t *p = NULL;

	snprintf(path, sizeof(path), "%s/%s", EXAMPLES_DIR, name);
	if (policy_load(path, &p, &err) != 0) {
		print_error("%s\n", err.msg);
		fail();
	}
	return p;
}

static enum policy_reason decide(policy_t *p, const char *user, const char *peer,
				 const char *when, uint32_t auth,
				 const char **policy)
{
	struct policy_request r = { .user = user, .tunnel = POLICY_TUNNEL_L2TP,
				    .auth_method = auth ? auth : POLICY_AUTH_MSCHAPV2 };
	struct policy_decision d;
	enum policy_reason reason;

	r.peer = ip_of(peer);
	r.server = ip_of("198.51.100.1");
	assert_true(policy_parse_time(p, when, &r.now));
	reason = policy_post_auth(p, &r, 0, &d, NULL);
	*policy = d.policy_name;
	return reason;
}

static void test_office_example_loads_with_its_included_users(void **state)
{
	policy_t *p = load_example("office.conf");
	struct policy_counts c;

	policy_get_counts(p, &c);
	assert_int_equal(c.users, 6);
	assert_int_equal(c.groups, 3);
	assert_int_equal(c.pools, 2);
	assert_int_equal(c.policies, 4);
	assert_string_equal(policy_timezone(p), "Europe/Berlin");
	policy_free(p);
}

static void test_office_example_decisions(void **state)
{
	policy_t *p = load_example("office.conf");
	const char *pol;

	/* times are local (Europe/Berlin): 2026-11-25 is a Wednesday */
	assert_int_equal(decide(p, "alice", "198.51.100.7", "2026-11-28T23:00", 0, &pol), POLICY_GRANTED);
	assert_string_equal(pol, "1-admins");
	assert_int_equal(decide(p, "bob", "198.51.100.7", "2026-11-25T10:00", 0, &pol), POLICY_GRANTED);
	assert_string_equal(pol, "3-staff-weekdays");
	assert_int_equal(decide(p, "bob", "198.51.100.7", "2026-11-29T10:00", 0, &pol),
			 POLICY_DENY_POLICY);	/* Sunday: falls to 4-nobody-else */
	assert_string_equal(pol, "4-nobody-else");
	assert_int_equal(decide(p, "carol", "203.0.113.50", "2026-11-25T10:00", 0, &pol), POLICY_GRANTED);
	assert_string_equal(pol, "2-contractors");
	assert_int_equal(decide(p, "carol", "198.51.100.7", "2026-11-25T10:00", 0, &pol),
			 POLICY_DENY_POLICY);
	assert_int_equal(decide(p, "dave", "198.51.100.7", "2026-11-25T10:00", 0, &pol),
			 POLICY_DENY_ACCOUNT_DISABLED);
	assert_int_equal(decide(p, "erin", "198.51.100.7", "2026-11-25T10:00", 0, &pol),
			 POLICY_DENY_PASSWORD_EXPIRED);
	assert_int_equal(decide(p, "frank", "198.51.100.7", "2026-11-25T10:00", 0, &pol),
			 POLICY_DENY_USER_DIAL_IN);
	assert_int_equal(decide(p, "bob", "198.51.100.7", "2026-11-25T10:00", POLICY_AUTH_PAP, &pol),
			 POLICY_DENY_AUTH_METHOD);	/* PAP is off on this server */
	assert_int_equal(decide(p, "carol", "203.0.113.50", "2026-11-25T10:00", POLICY_AUTH_EAP, &pol),
			 POLICY_DENY_AUTH_METHOD);	/* on, but her profile says mschapv2 */
	policy_free(p);
}

static void test_minimal_example_grants_alice(void **state)
{
	policy_t *p = load_example("minimal.conf");
	const char *pol;

	assert_int_equal(decide(p, "alice", "198.51.100.7", "2026-11-25T10:00", 0, &pol), POLICY_GRANTED);
	assert_string_equal(pol, "everyone");
	policy_free(p);
}

static void test_certificates_example_night_shift(void **state)
{
	policy_t *p = load_example("certificates.conf");
	struct policy_request r = {
		.user = "nina", .tunnel = POLICY_TUNNEL_L2TP, .auth_method = POLICY_AUTH_MSCHAPV2,
		.ike_identity = "nb-17.laptops.example.com",
		.cert_subject = "CN=nb-17.laptops.example.com, O=Example",
		.cert_issuer = "CN=Example Root CA, O=Example",
	};
	struct policy_decision d;

	r.server = ip_of("198.51.100.1");
	assert_true(policy_parse_time(p, "2026-11-27T23:30", &r.now));	/* Friday night */
	assert_int_equal(policy_post_auth(p, &r, 0, &d, NULL), POLICY_GRANTED);
	assert_true(policy_parse_time(p, "2026-11-28T05:59", &r.now));	/* into Saturday */
	assert_int_equal(policy_post_auth(p, &r, 0, &d, NULL), POLICY_GRANTED);
	assert_true(policy_parse_time(p, "2026-11-28T12:00", &r.now));
	assert_int_equal(policy_post_auth(p, &r, 0, &d, NULL), POLICY_DENY_OUTSIDE_HOURS);
	/* her PAP password is "password" (the example says so) */
	assert_true(user_pap_ok(policy_find_user(p, "nina"), "password", 8));
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_office_example_loads_with_its_included_users),
		cmocka_unit_test(test_office_example_decisions),
		cmocka_unit_test(test_minimal_example_grants_alice),
		cmocka_unit_test(test_certificates_example_night_shift),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
