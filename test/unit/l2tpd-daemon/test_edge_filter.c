/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Internet-side filter's rules (edge_filter.h): what reaches the host
 * on the Internet-facing interfaces. The rules are loaded into a real
 * kernel by test/integration/daemon/test_internet_filter.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "edge_filter.h"

static struct edge_filter_config cfg(bool ipsec, bool icmp)
{
	struct edge_filter_config c = { .n_interfaces = 2, .icmp = icmp, .l2tp_needs_ipsec = ipsec,
					.l2tp_port = 1701 };

	strcpy(c.interfaces[0], "eth0");
	strcpy(c.interfaces[1], "wan1");
	return c;
}

static void only_ike_nat_t_esp_and_l2tp_over_ipsec_pass(void **state)
{
	struct edge_filter_config c = cfg(true, false);
	char buf[2048];

	assert_true(edge_filter_render(&c, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "iifname { \"eth0\", \"wan1\" } jump internet"));
	assert_non_null(strstr(buf, "udp dport { 500, 4500 } accept"));
	assert_non_null(strstr(buf, "meta l4proto esp accept"));
	assert_non_null(strstr(buf, "udp dport 1701 meta ipsec exists accept"));
	assert_non_null(strstr(buf, "ct state established,related accept"));
	assert_null(strstr(buf, "echo-request"));
	/* the last rule of the chain drops and counts */
	assert_non_null(strstr(buf, "counter name \"dropped\" drop\n  }\n}\n"));
}

static void without_require_ipsec_plain_l2tp_passes(void **state)
{
	struct edge_filter_config c = cfg(false, false);
	char buf[2048];

	c.l2tp_port = 11701;
	assert_true(edge_filter_render(&c, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "udp dport 11701 accept"));
	assert_null(strstr(buf, "ipsec exists"));
}

static void icmp_yes_answers_ping_on_both_families(void **state)
{
	struct edge_filter_config c = cfg(true, true);
	char buf[2048];

	assert_true(edge_filter_render(&c, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "icmp type echo-request accept"));
	assert_non_null(strstr(buf, "icmpv6 type echo-request accept"));
}

static void the_table_is_replaced_in_one_transaction(void **state)
{
	struct edge_filter_config c = cfg(true, false);
	char buf[2048];

	assert_true(edge_filter_render(&c, buf, sizeof(buf)) > 0);
	assert_memory_equal(buf, "add table inet l2tpd_edge\ndelete table inet l2tpd_edge\n"
			    "table inet l2tpd_edge {", 75);
	/* no interfaces: only the removal */
	c.n_interfaces = 0;
	assert_true(edge_filter_render(&c, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "add table inet l2tpd_edge\ndelete table inet l2tpd_edge\n");
}

static void a_small_buffer_is_refused(void **state)
{
	struct edge_filter_config c = cfg(true, true);
	char buf[100];

	assert_int_equal(edge_filter_render(&c, buf, sizeof(buf)), -1);
}

static void interface_names_are_checked(void **state)
{
	assert_true(edge_filter_ifname_ok("eth0"));
	assert_true(edge_filter_ifname_ok("enp3s0.100"));
	assert_true(edge_filter_ifname_ok("abcdefghijklmno"));		/* 15 */
	assert_false(edge_filter_ifname_ok("abcdefghijklmnop"));	/* 16 */
	assert_false(edge_filter_ifname_ok(""));
	assert_false(edge_filter_ifname_ok("eth0\""));
	assert_false(edge_filter_ifname_ok("eth0 } accept"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_ike_nat_t_esp_and_l2tp_over_ipsec_pass),
		cmocka_unit_test(without_require_ipsec_plain_l2tp_passes),
		cmocka_unit_test(icmp_yes_answers_ping_on_both_families),
		cmocka_unit_test(the_table_is_replaced_in_one_transaction),
		cmocka_unit_test(a_small_buffer_is_refused),
		cmocka_unit_test(interface_names_are_checked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
