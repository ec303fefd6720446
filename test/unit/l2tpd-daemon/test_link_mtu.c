/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PPP link MTU that fits an L2TP/IPsec path (link_mtu.h), and the TCP
 * MSS clamping rules derived from it (mss_clamp.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "link_mtu.h"
#include "mss_clamp.h"

static void a_1500_path_gives_1398_over_ipv4_and_1382_over_ipv6(void **state)
{
	/* IPv4: 1500 - 20 (IP) - 8 (NAT-T) - 8 (ESP) - 16 (IV) - 16 (ICV) = 1432,
	 * whole blocks 1424, minus 2 trailer = 1422 for UDP 8 + L2TP 12 + PPP 4
	 * + payload: 1398. IPv6: 20 more octets of IP header, 1412 -> 1408 ->
	 * 1406 - 24 = 1382. Transport mode: no second IP header. */
	assert_int_equal(link_mru_for_path(1500, AF_INET), 1398);
	assert_int_equal(link_mru_for_path(1500, AF_INET6), 1382);
}

static void the_result_always_fits_the_path(void **state)
{
	for (unsigned path = 700; path <= 9000; path++) {
		unsigned mru = link_mru_for_path((uint16_t)path, AF_INET);
		/* rebuild the datagram: payload + PPP + L2TP + UDP + trailer,
		 * padded to 16, + IP + NAT-T + ESP + IV + ICV */
		unsigned esp = mru + 4 + 12 + 8 + 2;

		esp += (16 - esp % 16) % 16;
		assert_true(20 + 8 + 8 + 16 + esp + 16 <= path);
		/* and one octet more would not */
		esp = mru + 1 + 4 + 12 + 8 + 2;
		esp += (16 - esp % 16) % 16;
		assert_true(20 + 8 + 8 + 16 + esp + 16 > path || mru == 576);
	}
}

static void tiny_paths_give_the_ipv4_minimum(void **state)
{
	assert_int_equal(link_mru_for_path(576, AF_INET), 576);
	assert_int_equal(link_mru_for_path(100, AF_INET6), 576);
}

static void clamp_rules_follow_the_link_mtu(void **state)
{
	struct mss_clamp_config c = { .on = true, .link_mtu = 1398 };
	char buf[2048];

	assert_true(mss_clamp_render(&c, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "oifname \"l2tp*\" tcp flags syn / syn,rst tcp option maxseg "
				    "size set rt mtu"));
	assert_non_null(strstr(buf, "oifname \"ppp*\" tcp flags syn / syn,rst"));
	/* RFC 879: MSS = MTU - 40 (IPv4), - 60 (IPv6) */
	assert_non_null(strstr(buf, "iifname \"l2tp*\" meta nfproto ipv4 tcp flags syn / syn,rst "
				    "tcp option maxseg size > 1358 tcp option maxseg size set 1358"));
	assert_non_null(strstr(buf, "meta nfproto ipv6 tcp flags syn / syn,rst tcp option maxseg "
				    "size > 1338 tcp option maxseg size set 1338"));
	assert_null(strstr(buf, "vpn0"));
	c.shared_ifname = "vpn0";
	assert_true(mss_clamp_render(&c, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "oifname \"vpn0\""));
	c.on = false;
	assert_true(mss_clamp_render(&c, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "add table inet l2tpd_mss\ndelete table inet l2tpd_mss\n");
	assert_int_equal(mss_clamp_render(&c, buf, 10), -1);
}

/* A session device's own MTU (RADIUS Framed-MTU): its chain, filled
 * afresh, and its element, in one transaction; taken away by name. */
static void a_framed_mtu_clamps_the_clients_syns_to_its_mss(void **state)
{
	struct mss_clamp_config c = { .on = true, .link_mtu = 1398 };
	char buf[2048];

	assert_true(mss_clamp_render(&c, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "map framed_mtu { type ifname : verdict; }"));
	/* before the link's rules, which only lower further */
	assert_true(strstr(buf, "iifname vmap @framed_mtu") <
		    strstr(buf, "iifname \"l2tp*\" meta nfproto ipv4"));
	assert_true(mss_clamp_render_session("l2tp7-9", 1200, true, buf, sizeof(buf)) > 0);
	assert_string_equal(buf,
			    "add chain inet l2tpd_mss mtu_1200\n"
			    "flush chain inet l2tpd_mss mtu_1200\n"
			    "add rule inet l2tpd_mss mtu_1200 meta nfproto ipv4 tcp flags syn / "
			    "syn,rst tcp option maxseg size > 1160 tcp option maxseg size set 1160\n"
			    "add rule inet l2tpd_mss mtu_1200 meta nfproto ipv6 tcp flags syn / "
			    "syn,rst tcp option maxseg size > 1140 tcp option maxseg size set 1140\n"
			    "add element inet l2tpd_mss framed_mtu { \"l2tp7-9\" : jump mtu_1200 }\n");
	assert_true(mss_clamp_render_session("l2tp7-9", 1200, false, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "delete element inet l2tpd_mss framed_mtu { \"l2tp7-9\" }\n");
	assert_int_equal(mss_clamp_render_session("bad\"name", 1200, true, buf, sizeof(buf)), -1);
	assert_int_equal(mss_clamp_render_session("l2tp7-9", 1200, true, buf, 40), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_1500_path_gives_1398_over_ipv4_and_1382_over_ipv6),
		cmocka_unit_test(the_result_always_fits_the_path),
		cmocka_unit_test(tiny_paths_give_the_ipv4_minimum),
		cmocka_unit_test(clamp_rules_follow_the_link_mtu),
		cmocka_unit_test(a_framed_mtu_clamps_the_clients_syns_to_its_mss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
