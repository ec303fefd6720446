/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Server-wide address assignment (issue 15 item 1; docs/addresses.md):
 * server.pool is the address source of a login whose deciding profile and
 * user name none, as the Windows RRAS "IP Address Assignment" page sets
 * it. A user's or profile's static address and a profile's pool still win;
 * several server pools are tried in order; the explanation says why. */
#include "helpers.h"

/* Two server pools of one and two addresses, a profile pool, a user with
 * a static address. The default (catch-all) policy names no pool. */
#define FILE_TEXT                                                              \
	"server { pool = small, big }\n"                                       \
	"pools {\n"                                                            \
	" small { ipv4 = 192.0.2.1 }\n"                                        \
	" big { ipv4 = 192.0.2.10-192.0.2.11 }\n"                              \
	" staff { ipv4 = 198.51.100.1-198.51.100.9 }\n"                        \
	"}\n"                                                                  \
	"groups { staff { } }\n"                                               \
	"users {\n"                                                            \
	" a { dial_in = allow }\n"                                             \
	" b { dial_in = allow }\n"                                             \
	" c { dial_in = allow }\n"                                             \
	" d { dial_in = allow }\n"                                             \
	" s { dial_in = allow\n static_ipv4 = 203.0.113.7 }\n"                 \
	" w { dial_in = allow\n groups = staff }\n"                            \
	"}\n"                                                                  \
	"policies {\n"                                                         \
	" staff { conditions { group = staff }\n permission = grant\n"         \
	"  profile { pool = staff } }\n"                                       \
	" default { permission = grant }\n"                                    \
	"}\n"

static bool said(const struct policy_explain *x, const char *text)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->lines[i].text, text))
			return true;
	for (size_t i = 0; i < x->n; i++)
		print_error("  explanation: %s\n", x->lines[i].text);
	return false;
}

static enum policy_reason decide(policy_t *p, const char *user, unsigned flags,
				 struct policy_decision *d, struct policy_explain *x)
{
	struct policy_request r = { .user = user, .now = utc("2026-12-03T12:00Z") };

	return policy_post_auth(p, &r, flags, d, x);
}

static void server_pool_serves_a_profile_without_pool(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	struct policy_explain x;
	char ip[64];

	policy_explain_init(&x);
	assert_int_equal(decide(p, "a", POLICY_LEASE, &d, &x), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "default");
	assert_true(d.has_ipv4);
	assert_true(d.ipv4_leased);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "192.0.2.1");
	assert_int_equal(d.ipv4_source, POLICY_SRC_SERVER_POOL);
	assert_string_equal(policy_pool_name(p, (unsigned)d.ipv4_pool), "small");
	assert_true(said(&x, "profile names no pool: 192.0.2.1 from server pool 'small' "
			     "(0 of 1 leased)"));

	char *text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv4 address:    192.0.2.1 (pool small)\n"
				     "  ipv4 source:     server pool small\n"));
	free(text);
	char *json = policy_format_json(p, 0, &d, NULL);
	assert_non_null(strstr(json, "\"ipv4_pool\":\"small\",\"ipv4_source\":\"server pool\","
				     "\"ipv4_dhcp\":false"));
	free(json);
	policy_decision_release(p, &d);
	policy_explain_free(&x);
	policy_free(p);
}

static void profile_pool_wins(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	struct policy_explain x;
	char ip[64];

	policy_explain_init(&x);
	assert_int_equal(decide(p, "w", 0, &d, &x), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "staff");
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "198.51.100.1");
	assert_int_equal(d.ipv4_source, POLICY_SRC_PROFILE_POOL);
	assert_true(said(&x, "198.51.100.1 from profile pool 'staff' (0 of 9 leased) "
			     "(not leased: dry run)"));
	char *text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv4 source:     profile pool staff\n"));
	free(text);
	policy_explain_free(&x);
	policy_free(p);
}

static void static_addresses_win(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision d;
	struct policy_explain x;
	char ip[64];

	policy_explain_init(&x);
	assert_int_equal(decide(p, "s", POLICY_LEASE, &d, &x), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "203.0.113.7");
	assert_int_equal(d.ipv4_source, POLICY_SRC_USER_STATIC);
	assert_false(d.ipv4_leased);
	assert_int_equal(d.ipv4_pool, -1);
	assert_true(said(&x, "203.0.113.7 (static, from the user)"));
	char *text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv4 source:     user static\n"));
	free(text);
	policy_explain_free(&x);
	policy_free(p);

	/* a profile's static address wins over the server's pools too */
	p = load_ok("server { pool = one }\npools { one { ipv4 = 192.0.2.1 } }\n"
		    "users { a { dial_in = allow } }\n"
		    "policies { all { permission = grant\n"
		    " profile { static_ipv4 = 198.51.100.5 } } }\n");
	assert_int_equal(decide(p, "a", POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "198.51.100.5");
	assert_int_equal(d.ipv4_source, POLICY_SRC_PROFILE_STATIC);
	policy_free(p);
}

static void exhaustion_moves_to_the_next_server_pool(void **state)
{
	policy_t *p = load_ok(FILE_TEXT);
	struct policy_decision da, db, dc, dd;
	struct policy_explain x;
	char ip[64];

	assert_int_equal(decide(p, "a", POLICY_LEASE, &da, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&da.ipv4, ip, sizeof(ip)), "192.0.2.1");
	policy_explain_init(&x);
	assert_int_equal(decide(p, "b", POLICY_LEASE, &db, &x), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&db.ipv4, ip, sizeof(ip)), "192.0.2.10");
	assert_string_equal(policy_pool_name(p, (unsigned)db.ipv4_pool), "big");
	assert_true(said(&x, "profile names no pool: server pool 'small' is exhausted "
			     "(1 of 1 leased): the next one is tried"));
	assert_true(said(&x, "profile names no pool: 192.0.2.10 from server pool 'big' "
			     "(0 of 2 leased)"));
	policy_explain_free(&x);
	assert_int_equal(decide(p, "c", POLICY_LEASE, &dc, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&dc.ipv4, ip, sizeof(ip)), "192.0.2.11");

	/* all exhausted: refused as a temporary lack of addresses (CDN
	 * result 4), as a profile's exhausted pools are, and said why */
	policy_explain_init(&x);
	assert_int_equal(decide(p, "d", POLICY_LEASE, &dd, &x), POLICY_DENY_POOL_EXHAUSTED);
	assert_int_equal(policy_reason_l2tp_result(dd.reason), 4);
	assert_true(said(&x, "profile names no pool: server pool 'big' is exhausted "
			     "(2 of 2 leased)"));
	assert_true(said(&x, "every server pool is exhausted"));
	policy_explain_free(&x);

	/* one ends: its address is the next one's */
	policy_decision_release(p, &db);
	assert_int_equal(decide(p, "d", POLICY_LEASE, &dd, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&dd.ipv4, ip, sizeof(ip)), "192.0.2.10");
	policy_decision_release(p, &da);
	policy_decision_release(p, &dc);
	policy_decision_release(p, &dd);
	policy_free(p);
}

static void exhausted_profile_pool_does_not_fall_back(void **state)
{
	struct policy_explain x0;
	struct policy_decision d0, d1;
	policy_t *p0 = load_ok("pools { one { ipv4 = 192.0.2.1 } }\n"
			       "users { a { dial_in = allow }\n b { dial_in = allow } }\n"
			       "policies { all { permission = grant\n profile { pool = one } } }\n");

	/* without a server.pool there is nothing to fall back to: not said */
	assert_int_equal(decide(p0, "a", POLICY_LEASE, &d0, NULL), POLICY_GRANTED);
	policy_explain_init(&x0);
	assert_int_equal(decide(p0, "b", POLICY_LEASE, &d1, &x0), POLICY_DENY_POOL_EXHAUSTED);
	assert_true(said(&x0, "every profile pool is exhausted"));
	policy_explain_free(&x0);
	policy_decision_release(p0, &d0);
	policy_free(p0);

	policy_t *p = load_ok("server { pool = wide }\n"
			      "pools { one { ipv4 = 192.0.2.1 }\n wide { ipv4 = 198.51.100.0/24 } }\n"
			      "users { a { dial_in = allow }\n b { dial_in = allow } }\n"
			      "policies { all { permission = grant\n profile { pool = one } } }\n");
	struct policy_decision da, db;
	struct policy_explain x;

	assert_int_equal(decide(p, "a", POLICY_LEASE, &da, NULL), POLICY_GRANTED);
	policy_explain_init(&x);
	assert_int_equal(decide(p, "b", POLICY_LEASE, &db, &x), POLICY_DENY_POOL_EXHAUSTED);
	assert_true(said(&x, "every profile pool is exhausted (the profile's pools override "
			     "server.pool: no fall-back)"));
	policy_explain_free(&x);
	policy_decision_release(p, &da);
	policy_free(p);
}

static void no_source_at_all_is_no_address(void **state)
{
	policy_t *p = load_ok("users { a { dial_in = allow } }\n"
			      "policies { all { permission = grant } }\n");
	struct policy_decision d;
	struct policy_explain x;

	policy_explain_init(&x);
	assert_int_equal(decide(p, "a", POLICY_LEASE, &d, &x), POLICY_DENY_NO_ADDRESS);
	assert_int_equal(policy_reason_l2tp_result(d.reason), 5);
	assert_true(said(&x, "no IPv4 pool and no static address in the profile or user, "
			     "and no server.pool"));
	policy_explain_free(&x);
	policy_free(p);

	/* a server.pool of IPv6 prefixes only gives no IPv4 address */
	p = load_ok("server { pool = six }\npools { six { ipv6 = 2001:db8::/48 } }\n"
		    "users { a { dial_in = allow } }\n"
		    "policies { all { permission = grant } }\n");
	policy_explain_init(&x);
	assert_int_equal(decide(p, "a", POLICY_LEASE, &d, &x), POLICY_DENY_NO_ADDRESS);
	assert_true(said(&x, "no IPv4 pool and no static address in the profile or user, "
			     "and server.pool names no IPv4 pool"));
	policy_explain_free(&x);
	policy_free(p);
}

/* A user whose own dial_in = allow overrides a deny policy gets that
 * policy's profile; with no pool in it, the server's pool. */
static void user_allow_over_a_deny_policy(void **state)
{
	policy_t *p = load_ok("server { pool = office }\n"
			      "pools { office { ipv4 = 192.0.2.10-192.0.2.20 } }\n"
			      "users { boss { dial_in = allow } }\n"
			      "policies { nobody { permission = deny } }\n");
	struct policy_decision d;
	char ip[64];

	assert_int_equal(decide(p, "boss", POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "nobody");
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "192.0.2.10");
	assert_int_equal(d.ipv4_source, POLICY_SRC_SERVER_POOL);
	policy_decision_release(p, &d);
	policy_free(p);
}

/* Per family: a profile naming only an IPv6 pool takes its IPv4 address
 * from the server's pools, and its IPv6 prefix from its own. */
static void per_family_fallback(void **state)
{
	policy_t *p = load_ok("server { pool = v4, both }\n"
			      "pools { v4 { ipv4 = 192.0.2.1 }\n"
			      " both { ipv4 = 192.0.2.20\n ipv6 = 2001:db8:2::/48 }\n"
			      " six { ipv6 = 2001:db8:1::/48 } }\n"
			      "users { a { dial_in = allow }\n b { dial_in = allow } }\n"
			      "policies { p6 { conditions { user = a }\n permission = grant\n"
			      "  profile { pool = six\n ipv6 = yes } }\n"
			      " any { permission = grant\n profile { ipv6 = yes } } }\n");
	struct policy_decision d;
	struct policy_explain x;
	char ip[64];

	policy_explain_init(&x);
	assert_int_equal(decide(p, "a", 0, &d, &x), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "192.0.2.1");
	assert_int_equal(d.ipv4_source, POLICY_SRC_SERVER_POOL);
	assert_true(said(&x, "profile names no pool of this family: 192.0.2.1 from server pool "
			     "'v4' (0 of 1 leased) (not leased: dry run)"));
	assert_true(d.has_ipv6);
	assert_int_equal(d.ipv6_source, POLICY_SRC_PROFILE_POOL);
	assert_string_equal(policy_prefix_format(&d.ipv6, ip, sizeof(ip)), "2001:db8:1::/64");
	policy_explain_free(&x);

	/* a profile with no pool: IPv6 from the first server pool that has
	 * IPv6 (v4 has none) */
	assert_int_equal(decide(p, "b", 0, &d, NULL), POLICY_GRANTED);
	assert_true(d.has_ipv6);
	assert_int_equal(d.ipv6_source, POLICY_SRC_SERVER_POOL);
	assert_string_equal(policy_pool_name(p, (unsigned)d.ipv6_pool), "both");
	char *text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv6 source:     server pool both\n"));
	free(text);
	policy_free(p);
}

static void a_dhcp_pool_as_the_server_source(void **state)
{
	policy_t *p = load_ok("server { pool = lan }\npools { lan { dhcp_interface = eth1 } }\n"
			      "users { a { dial_in = allow } }\n"
			      "policies { all { permission = grant } }\n");
	struct policy_decision d;
	struct policy_explain x;

	policy_explain_init(&x);
	assert_int_equal(decide(p, "a", 0, &d, &x), POLICY_GRANTED);
	assert_true(d.ipv4_dhcp);
	assert_int_equal(d.ipv4_source, POLICY_SRC_SERVER_POOL);
	assert_true(said(&x, "profile names no pool: from the DHCP server on eth1 (server DHCP "
			     "pool 'lan'; leased when the session starts)"));
	char *text = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(text, "  ipv4 source:     server DHCP pool lan\n"));
	free(text);
	policy_explain_free(&x);
	policy_free(p);
}

static void bad_server_pool_refused_with_file_and_line(void **state)
{
	load_fails("server {\n pool = nowhere\n}\npools { a { ipv4 = 192.0.2.1 } }\n",
		   POLICY_ERR_REFERENCE,
		   "t.conf:2:9: expected a pool defined in 'pools', got 'nowhere'");
	load_fails("server {\n pool = a, a\n}\npools { a { ipv4 = 192.0.2.1 } }\n",
		   POLICY_ERR_DUPLICATE, "t.conf:2:12: pool 'a' is named twice in 'pool'");
	load_fails("server {\n pools = a\n}\npools { a { ipv4 = 192.0.2.1 } }\n",
		   POLICY_ERR_UNKNOWN_KEY,
		   "t.conf:2:2: expected one of timezone, auth_methods, cleartext_passwords, "
		   "default_dial_in, pool in server, got key 'pools'");
}

/* A reload that changes server.pool: the new pools serve new sessions,
 * the leases of sessions up are carried (policy_adopt_leases) and go back
 * to their pool when those sessions end. */
static void reload_changes_the_source_for_new_sessions(void **state)
{
	static const char *const pools = "pools { a { ipv4 = 192.0.2.1-192.0.2.9 }\n"
					 " b { ipv4 = 198.51.100.1-198.51.100.9 } }\n"
					 "users { u { dial_in = allow } }\n"
					 "policies { all { permission = grant } }\n";
	char t1[512], t2[512], ip[64];
	struct policy_decision old, neu;
	struct policy_pool_stats st;

	snprintf(t1, sizeof(t1), "server { pool = a }\n%s", pools);
	snprintf(t2, sizeof(t2), "server { pool = b }\n%s", pools);
	policy_t *p1 = load_ok(t1), *p2 = load_ok(t2);
	const uint16_t *list;

	assert_int_equal(policy_server_pools(p2, &list), 1);
	assert_string_equal(policy_pool_name(p2, list[0]), "b");
	assert_int_equal(decide(p1, "u", POLICY_LEASE, &old, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&old.ipv4, ip, sizeof(ip)), "192.0.2.1");
	assert_int_equal(policy_adopt_leases(p2, p1, NULL, NULL), 0);
	policy_free(p1);
	assert_int_equal(decide(p2, "u", POLICY_LEASE, &neu, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&neu.ipv4, ip, sizeof(ip)), "198.51.100.1");
	assert_true(policy_pool_stats(p2, 0, &st));
	assert_int_equal(st.in_use4, 1);	/* the old session's, carried */
	policy_decision_release(p2, &old);
	assert_true(policy_pool_stats(p2, 0, &st));
	assert_int_equal(st.in_use4, 0);
	assert_int_equal(st.double_releases, 0);
	policy_decision_release(p2, &neu);
	policy_free(p2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_pool_serves_a_profile_without_pool),
		cmocka_unit_test(profile_pool_wins),
		cmocka_unit_test(static_addresses_win),
		cmocka_unit_test(exhaustion_moves_to_the_next_server_pool),
		cmocka_unit_test(exhausted_profile_pool_does_not_fall_back),
		cmocka_unit_test(no_source_at_all_is_no_address),
		cmocka_unit_test(user_allow_over_a_deny_policy),
		cmocka_unit_test(per_family_fallback),
		cmocka_unit_test(a_dhcp_pool_as_the_server_source),
		cmocka_unit_test(bad_server_pool_refused_with_file_and_line),
		cmocka_unit_test(reload_changes_the_source_for_new_sessions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
