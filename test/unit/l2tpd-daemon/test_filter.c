/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile packet filters rendered as nftables commands (filter.c): rule
 * order, permit as return, deny as drop, the default last, prefixes
 * masked to their network, port sets, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "filter.h"

static struct policy_prefix prefix(const char *text, unsigned len)
{
	struct policy_prefix p;

	memset(&p, 0, sizeof(p));
	p.ip.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p.ip.family, text, p.ip.bytes), 1);
	p.len = (uint8_t)len;
	return p;
}

static void render(const struct policy_filter *f, char *buf, size_t len)
{
	char err[128] = "";
	int n = filter_render_chain(f, "g1_p0_in", buf, len, err, sizeof(err));

	if (n < 0)
		fail_msg("render failed: %s", err);
	assert_int_equal((size_t)n, strlen(buf));
}

static void default_permit_without_rules_needs_no_filter(void **state)
{
	struct policy_filter f = { .default_permit = true };

	assert_false(filter_needed(&f));
	assert_false(filter_needed(NULL));
	f.default_permit = false;
	assert_true(filter_needed(&f));
}

static void empty_filter_is_its_default_alone(void **state)
{
	struct policy_filter f = { .default_permit = false };
	char buf[512];

	render(&f, buf, sizeof(buf));
	assert_string_equal(buf, "add chain inet l2tpd g1_p0_in\n"
				 "add rule inet l2tpd g1_p0_in drop comment \"default\"\n");
}

static void rules_keep_file_order_and_permit_returns(void **state)
{
	struct policy_port_range web[] = { { 80, 80 }, { 443, 443 }, { 8000, 8080 } };
	struct policy_filter_rule rules[] = {
		{ .name = "web", .permit = true, .has_dst = true, .dst = prefix("192.0.2.0", 24),
		  .proto = 6, .ports = web, .n_ports = 3 },
		{ .name = "no-lan", .permit = false, .has_src = true, .src = prefix("10.0.0.0", 8),
		  .proto = -1 },
	};
	struct policy_filter f = { .default_permit = true, .rules = rules, .n_rules = 2 };
	char buf[1024];

	assert_true(filter_needed(&f));
	render(&f, buf, sizeof(buf));
	assert_string_equal(buf,
		"add chain inet l2tpd g1_p0_in\n"
		"add rule inet l2tpd g1_p0_in ip daddr 192.0.2.0/24 meta l4proto 6 "
		"th dport { 80, 443, 8000-8080 } return comment \"web\"\n"
		"add rule inet l2tpd g1_p0_in ip saddr 10.0.0.0/8 drop comment \"no-lan\"\n"
		"add rule inet l2tpd g1_p0_in return comment \"default\"\n");
}

static void host_bits_are_masked_and_ipv6_uses_ip6(void **state)
{
	struct policy_filter_rule rules[] = {
		{ .name = "v4", .permit = true, .has_src = true, .src = prefix("198.51.100.77", 25),
		  .proto = 1 },
		{ .name = "v6", .permit = false, .has_src = true, .src = prefix("2001:db8::1", 32),
		  .has_dst = true, .dst = prefix("2001:db8:1::5", 48), .proto = 58 },
	};
	struct policy_filter f = { .default_permit = false, .rules = rules, .n_rules = 2 };
	char buf[1024];

	render(&f, buf, sizeof(buf));
	assert_non_null(strstr(buf, " ip saddr 198.51.100.0/25 meta l4proto 1 return"));
	assert_non_null(strstr(buf, " ip6 saddr 2001:db8::/32 ip6 daddr 2001:db8:1::/48 "
				    "meta l4proto 58 drop"));
}

static void rule_names_cannot_break_out_of_the_comment(void **state)
{
	struct policy_filter_rule rules[] = {
		{ .name = "a\" ; flush ruleset ; \"", .permit = true, .proto = -1 },
	};
	struct policy_filter f = { .default_permit = true, .rules = rules, .n_rules = 1 };
	char buf[512];

	render(&f, buf, sizeof(buf));
	assert_null(strstr(buf, "flush ruleset"));
	assert_non_null(strstr(buf, "comment \"a____flush_ruleset____\""));
}

static void mixed_families_in_one_rule_are_refused(void **state)
{
	struct policy_filter_rule rules[] = {
		{ .name = "odd", .permit = true, .has_src = true, .src = prefix("192.0.2.0", 24),
		  .has_dst = true, .dst = prefix("2001:db8::", 32), .proto = -1 },
	};
	struct policy_filter f = { .default_permit = true, .rules = rules, .n_rules = 1 };
	char buf[512], err[128];

	assert_int_equal(filter_render_chain(&f, "c", buf, sizeof(buf), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mixes IPv4 and IPv6"));
}

static void a_buffer_too_small_is_an_error_not_a_cut_rule(void **state)
{
	struct policy_filter f = { .default_permit = false };
	char buf[40], err[128];

	assert_int_equal(filter_render_chain(&f, "g1_p0_in", buf, sizeof(buf), err, sizeof(err)), -1);
	assert_string_equal(err, "filter too large");
}

/* Nothing in clear (filter.h): the output-hook guard of require_ipsec. */
static void cleartext_guard_drops_udp_from_l2tp_ports_without_ipsec(void **state)
{
	const uint16_t ports[] = { 1701, 1701 };
	char buf[1024];
	int n = filter_render_cleartext_guard(ports, 2, buf, sizeof(buf));

	assert_int_equal((size_t)n, strlen(buf));
	assert_string_equal(buf,
		"add counter inet l2tpd cleartext_l2tp\n"
		"add chain inet l2tpd cleartext_guard { type filter hook output priority -1; "
		"policy accept; }\n"
		"add rule inet l2tpd cleartext_guard udp sport { 1701 } rt ipsec missing counter "
		"name cleartext_l2tp drop comment \"no IPsec SA\"\n");
}

static void cleartext_guard_covers_the_listening_port_too(void **state)
{
	const uint16_t ports[] = { 1701, 11701 };
	char buf[1024];

	assert_true(filter_render_cleartext_guard(ports, 2, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "udp sport { 1701, 11701 } rt ipsec missing"));
	assert_int_equal(filter_render_cleartext_guard(ports, 2, buf, 40), -1);
	assert_int_equal(filter_render_cleartext_guard(ports, 0, buf, sizeof(buf)), -1);
}

static void counter_packets_are_read_from_nft_output(void **state)
{
	assert_int_equal(filter_parse_counter_packets("table inet l2tpd {\n\tcounter cleartext_l2tp {\n"
						      "\t\tpackets 2 bytes 96\n\t}\n}\n"), 2);
	assert_int_equal(filter_parse_counter_packets("packets 0 bytes 0"), 0);
	assert_int_equal(filter_parse_counter_packets("packets x"), -1);
	assert_int_equal(filter_parse_counter_packets("packets 99999999999999999999"), -1);
	assert_int_equal(filter_parse_counter_packets(""), -1);
	assert_int_equal(filter_parse_counter_packets(NULL), -1);
}

/* A CoA Filter-Id (filters_replace): the old element leaves and the new
 * one comes in one transaction, per direction, delete before add (a map
 * holds one element per key); a direction that has nothing to change
 * gets no command. */
static void replace_is_one_batch_deleting_before_adding(void **state)
{
	char buf[1024];
	int n;

	(void)state;
	n = filter_render_replace("ppp7", true, "g1_p2_in", true, "g1_p2_out", buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
			    "delete element inet l2tpd sessions_in { \"ppp7\" }\n"
			    "add element inet l2tpd sessions_in { \"ppp7\" : jump g1_p2_in }\n"
			    "delete element inet l2tpd sessions_out { \"ppp7\" }\n"
			    "add element inet l2tpd sessions_out { \"ppp7\" : jump g1_p2_out }\n");
	/* the new policy filters nothing inbound: only the delete there;
	 * the session had no outbound filter: only the add there */
	filter_render_replace("ppp7", true, NULL, false, "g1_p3_out", buf, sizeof(buf));
	assert_string_equal(buf,
			    "delete element inet l2tpd sessions_in { \"ppp7\" }\n"
			    "add element inet l2tpd sessions_out { \"ppp7\" : jump g1_p3_out }\n");
	assert_int_equal(filter_render_replace("ppp7", false, NULL, false, NULL, buf, sizeof(buf)),
			 0);
	/* too small: an error, never a batch cut between delete and add */
	assert_int_equal(filter_render_replace("ppp7", true, "g1_p2_in", false, NULL, buf, 60), -1);
}

/* Without nftables nothing changes: the session's chains stay as given. */
static void replace_without_filters_changes_nothing(void **state)
{
	struct policy_filter deny = { .default_permit = false }, none = { .default_permit = true };
	struct filter_chain *in = NULL, *out = NULL;
	char err[128];

	(void)state;
	assert_int_equal(filters_replace(NULL, "ppp7", 1, &deny, &none, &in, &out, err,
					 sizeof(err)),
			 -1);
	assert_string_equal(err, "no filter support");
	assert_null(in);
	assert_null(out);
	/* nothing before, nothing after: nothing to do, even without nftables */
	assert_int_equal(filters_replace(NULL, "ppp7", 1, &none, &none, &in, &out, err,
					 sizeof(err)),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cleartext_guard_drops_udp_from_l2tp_ports_without_ipsec),
		cmocka_unit_test(cleartext_guard_covers_the_listening_port_too),
		cmocka_unit_test(counter_packets_are_read_from_nft_output),
		cmocka_unit_test(default_permit_without_rules_needs_no_filter),
		cmocka_unit_test(empty_filter_is_its_default_alone),
		cmocka_unit_test(rules_keep_file_order_and_permit_returns),
		cmocka_unit_test(host_bits_are_masked_and_ipv6_uses_ip6),
		cmocka_unit_test(rule_names_cannot_break_out_of_the_comment),
		cmocka_unit_test(mixed_families_in_one_rule_are_refused),
		cmocka_unit_test(a_buffer_too_small_is_an_error_not_a_cut_rule),
		cmocka_unit_test(replace_is_one_batch_deleting_before_adding),
		cmocka_unit_test(replace_without_filters_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
