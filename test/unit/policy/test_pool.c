/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address pools: leases in order, exhaustion as an explicit outcome, release
 * exactly once (double release detected and counted), static addresses
 * reserved, IPv6 prefixes delegated, and leases carried across a reload.
 */
#include "helpers.h"

static const char *fmt(const struct policy_ip *ip)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	return policy_ip_format(ip, buf[k], sizeof(buf[k]));
}

static void test_leases_hand_out_each_address_once_then_exhaust(void **state)
{
	policy_t *p = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.3, 192.0.2.10 } }\n");
	struct policy_ip ip;
	struct policy_pool_stats st;

	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "192.0.2.1");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "192.0.2.2");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "192.0.2.3");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "192.0.2.10");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), -1);
	assert_true(policy_pool_stats(p, 0, &st));
	assert_int_equal(st.size4, 4);
	assert_int_equal(st.in_use4, 4);
	assert_int_equal(st.exhausted, 1);
	policy_free(p);
}

static void test_released_address_is_leased_again(void **state)
{
	policy_t *p = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.2 } }\n");
	struct policy_ip a, b, c;

	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &a), 0);
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &b), 0);
	assert_int_equal(policy_pool_release(p, &a), POLICY_RELEASED);
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &c), 0);
	assert_string_equal(fmt(&c), "192.0.2.1");
	policy_free(p);
}

static void test_double_release_is_detected_and_counted(void **state)
{
	policy_t *p = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.2 } }\n");
	struct policy_ip a;
	struct policy_pool_stats st;

	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &a), 0);
	assert_int_equal(policy_pool_release(p, &a), POLICY_RELEASED);
	assert_int_equal(policy_pool_release(p, &a), POLICY_RELEASE_DOUBLE);
	policy_pool_stats(p, 0, &st);
	assert_int_equal(st.double_releases, 1);
	assert_int_equal(st.in_use4, 0);
	policy_free(p);
}

static void test_release_of_an_address_in_no_pool_is_counted(void **state)
{
	policy_t *p = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.2 } }\n");
	struct policy_ip x = ip_of("198.51.100.1");

	assert_int_equal(policy_pool_release(p, &x), POLICY_RELEASE_UNKNOWN);
	assert_int_equal(policy_unknown_releases(p), 1);
	policy_free(p);
}

static void test_static_addresses_are_reserved_out_of_pools(void **state)
{
	policy_t *p = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.3 } }\n"
			      "users { s { static_ipv4 = 192.0.2.2 } }\n");
	struct policy_ip a, b, s = ip_of("192.0.2.2");
	struct policy_pool_stats st;

	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &a), 0);
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &b), 0);
	assert_string_equal(fmt(&a), "192.0.2.1");
	assert_string_equal(fmt(&b), "192.0.2.3");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &a), -1);
	/* a static address is never released into the pool */
	assert_int_equal(policy_pool_release(p, &s), POLICY_RELEASE_RESERVED);
	policy_pool_stats(p, 0, &st);
	assert_int_equal(st.reserved4, 1);
	assert_int_equal(st.in_use4, 2);
	policy_free(p);
}

static void test_static_ipv6_address_reserves_its_whole_delegated_prefix(void **state)
{
	policy_t *p = load_ok("pools { a { ipv6 = 2001:db8::/63 } }\n"
			      "users { s { static_ipv6 = 2001:db8:0:0:abcd::1 } }\n");
	struct policy_ip ip;
	char buf[64];

	/* 2001:db8::/64 holds the static address: only ::1:0:0:0:0 is free */
	assert_int_equal(policy_pool_lease(p, 0, AF_INET6, &ip), 0);
	assert_string_equal(policy_ip_format(&ip, buf, sizeof(buf)), "2001:db8:0:1::");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET6, &ip), -1);
	policy_free(p);
}

static void test_large_pool_leases_across_bitmap_words(void **state)
{
	/* 10.0.0.0/20 = 4096 slots: 64 words, one summary word */
	policy_t *p = load_ok("pools { a { ipv4 = 10.0.0.0/20 } }\n");
	struct policy_ip ip, mid = ip_of("10.0.7.255");

	for (int i = 0; i < 4096; i++)
		assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "10.0.15.255");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), -1);
	assert_int_equal(policy_pool_release(p, &mid), POLICY_RELEASED);
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "10.0.7.255");
	policy_free(p);
}

static void test_ipv6_pool_delegates_prefixes(void **state)
{
	policy_t *p = load_ok("pools { a { ipv6 = 2001:db8:1::/62 } }\n");
	struct policy_ip ip;
	char buf[64];

	for (int i = 0; i < 4; i++)
		assert_int_equal(policy_pool_lease(p, 0, AF_INET6, &ip), 0);
	assert_string_equal(policy_ip_format(&ip, buf, sizeof(buf)), "2001:db8:1:3::");
	assert_int_equal(policy_pool_lease(p, 0, AF_INET6, &ip), -1);
	assert_int_equal(policy_pool_lease(p, 0, AF_INET, &ip), -1);	/* no IPv4 */
	ip = ip_of("2001:db8:1:2::");
	assert_int_equal(policy_pool_release(p, &ip), POLICY_RELEASED);
	ip = ip_of("2001:db8:1:2::1");	/* not a prefix start */
	assert_int_equal(policy_pool_release(p, &ip), POLICY_RELEASE_UNKNOWN);
	policy_free(p);
}

static void test_ipv6_pool_with_longer_delegation(void **state)
{
	policy_t *p = load_ok("pools { a { ipv6 = 2001:db8::/120\n ipv6_prefix_length = 128 } }\n");
	struct policy_ip ip;
	struct policy_pool_stats st;

	assert_int_equal(policy_pool_lease(p, 0, AF_INET6, &ip), 0);
	assert_int_equal(policy_pool_lease(p, 0, AF_INET6, &ip), 0);
	assert_string_equal(fmt(&ip), "2001:db8::1");
	policy_pool_stats(p, 0, &st);
	assert_int_equal(st.size6, 256);
	policy_free(p);
}

static void test_pool_exhaustion_is_an_explicit_decision(void **state)
{
	policy_t *p = load_ok("pools { one { ipv4 = 192.0.2.1 } }\n"
			      "users { a { dial_in = allow }\n b { dial_in = allow } }\n"
			      "policies { all { permission = grant\n profile { pool = one } } }\n");
	struct policy_request ra = { .user = "a" }, rb = { .user = "b" };
	struct policy_decision da, db;
	struct policy_explain x;

	assert_int_equal(policy_post_auth(p, &ra, POLICY_LEASE, &da, NULL), POLICY_GRANTED);
	policy_explain_init(&x);
	assert_int_equal(policy_post_auth(p, &rb, POLICY_LEASE, &db, &x), POLICY_DENY_POOL_EXHAUSTED);
	assert_int_equal(policy_reason_l2tp_result(db.reason), 4);
	bool said = false;
	for (size_t i = 0; i < x.n; i++)
		if (!strcmp(x.lines[i].text, "profile pool 'one' is exhausted (1 of 1 leased)"))
			said = true;
	assert_true(said);
	policy_explain_free(&x);
	/* the first session ends: the next one gets the address */
	policy_decision_release(p, &da);
	policy_decision_release(p, &da);	/* idempotent per decision */
	assert_int_equal(policy_post_auth(p, &rb, POLICY_LEASE, &db, NULL), POLICY_GRANTED);
	struct policy_pool_stats st;
	policy_pool_stats(p, 0, &st);
	assert_int_equal(st.double_releases, 0);
	policy_free(p);
}

static void test_second_pool_used_when_first_is_full(void **state)
{
	policy_t *p = load_ok("pools { one { ipv4 = 192.0.2.1 }\n two { ipv4 = 192.0.2.9 } }\n"
			      "users { a { dial_in = allow } }\n"
			      "policies { all { permission = grant\n profile { pool = one, two } } }\n");
	struct policy_request r = { .user = "a" };
	struct policy_decision d1, d2;

	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d1, NULL), POLICY_GRANTED);
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d2, NULL), POLICY_GRANTED);
	assert_string_equal(fmt(&d2.ipv4), "192.0.2.9");
	assert_string_equal(policy_pool_name(p, (unsigned)d2.ipv4_pool), "two");
	policy_free(p);
}

static void test_dry_run_does_not_lease(void **state)
{
	policy_t *p = load_ok("pools { one { ipv4 = 192.0.2.1 } }\n"
			      "users { a { dial_in = allow } }\n"
			      "policies { all { permission = grant\n profile { pool = one } } }\n");
	struct policy_request r = { .user = "a" };
	struct policy_decision d;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(policy_post_auth(p, &r, 0, &d, NULL), POLICY_GRANTED);
		assert_false(d.ipv4_leased);
		assert_string_equal(fmt(&d.ipv4), "192.0.2.1");
	}
	policy_free(p);
}

static void test_ipv6_exhaustion_turns_ipv6_off_for_the_session(void **state)
{
	policy_t *p = load_ok("pools { one { ipv4 = 192.0.2.0/30\n ipv6 = 2001:db8::/64 } }\n"
			      "users { a { dial_in = allow } }\n"
			      "policies { all { permission = grant\n profile { pool = one\n ipv6 = yes } } }\n");
	struct policy_request r = { .user = "a" };
	struct policy_decision d1, d2;
	char buf[64];

	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d1, NULL), POLICY_GRANTED);
	assert_true(d1.has_ipv6 && d1.profile.ipv6);
	assert_string_equal(policy_prefix_format(&d1.ipv6, buf, sizeof(buf)), "2001:db8::/64");
	assert_int_equal(policy_post_auth(p, &r, POLICY_LEASE, &d2, NULL), POLICY_GRANTED);
	assert_true(d2.has_ipv4);
	assert_false(d2.has_ipv6);
	assert_false(d2.profile.ipv6);
	policy_free(p);
}

/* ---- reload ------------------------------------------------------------------- */

struct orphans {
	int n;
	char last[64];
};

static void on_orphan(const struct policy_ip *ip, void *ctx)
{
	struct orphans *o = ctx;

	o->n++;
	policy_ip_format(ip, o->last, sizeof(o->last));
}

static void test_leases_survive_a_reload(void **state)
{
	policy_t *old = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.4 } }\n");
	policy_t *next = load_ok("pools { renamed { ipv4 = 192.0.2.1-192.0.2.8 } }\n");
	struct policy_ip ip;
	struct orphans o = {0};

	assert_int_equal(policy_pool_lease(old, 0, AF_INET, &ip), 0);
	assert_int_equal(policy_pool_lease(old, 0, AF_INET, &ip), 0);
	assert_int_equal(policy_adopt_leases(next, old, on_orphan, &o), 0);
	policy_free(old);
	/* the new pool does not hand out .1 or .2 again */
	assert_int_equal(policy_pool_lease(next, 0, AF_INET, &ip), 0);
	assert_string_equal(fmt(&ip), "192.0.2.3");
	/* and the old sessions release into the new pool */
	ip = ip_of("192.0.2.1");
	assert_int_equal(policy_pool_release(next, &ip), POLICY_RELEASED);
	policy_free(next);
}

static void test_reload_that_shrinks_a_pool_reports_orphans(void **state)
{
	policy_t *old = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.4 } }\n");
	policy_t *next = load_ok("pools { a { ipv4 = 192.0.2.1-192.0.2.2 } }\n"
				 "users { s { static_ipv4 = 192.0.2.1 } }\n");
	struct policy_ip ip;
	struct orphans o = {0};

	for (int i = 0; i < 3; i++)
		assert_int_equal(policy_pool_lease(old, 0, AF_INET, &ip), 0);
	/* .1 is now a static reservation, .3 is outside: two orphans */
	assert_int_equal(policy_adopt_leases(next, old, on_orphan, &o), 2);
	assert_int_equal(o.n, 2);
	assert_string_equal(o.last, "192.0.2.3");
	/* an orphan's release later is harmless and counted */
	ip = ip_of("192.0.2.3");
	assert_int_equal(policy_pool_release(next, &ip), POLICY_RELEASE_UNKNOWN);
	policy_free(old);
	policy_free(next);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leases_hand_out_each_address_once_then_exhaust),
		cmocka_unit_test(test_released_address_is_leased_again),
		cmocka_unit_test(test_double_release_is_detected_and_counted),
		cmocka_unit_test(test_release_of_an_address_in_no_pool_is_counted),
		cmocka_unit_test(test_static_addresses_are_reserved_out_of_pools),
		cmocka_unit_test(test_static_ipv6_address_reserves_its_whole_delegated_prefix),
		cmocka_unit_test(test_large_pool_leases_across_bitmap_words),
		cmocka_unit_test(test_ipv6_pool_delegates_prefixes),
		cmocka_unit_test(test_ipv6_pool_with_longer_delegation),
		cmocka_unit_test(test_pool_exhaustion_is_an_explicit_decision),
		cmocka_unit_test(test_second_pool_used_when_first_is_full),
		cmocka_unit_test(test_dry_run_does_not_lease),
		cmocka_unit_test(test_ipv6_exhaustion_turns_ipv6_off_for_the_session),
		cmocka_unit_test(test_leases_survive_a_reload),
		cmocka_unit_test(test_reload_that_shrinks_a_pool_reports_orphans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
