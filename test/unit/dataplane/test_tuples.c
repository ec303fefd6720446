/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel data path's tunnels by UDP 4-tuple (kernel/tuples.h): a second kernel
 * tunnel from the same NAT address and port must be recognised, because
 * Linux before 6.10 would hand all its data to the first tunnel's socket
 * (docs/ipsec-nat.md).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tuples.h"

static struct l2tp_addr v4(const char *ip, uint16_t port, uint32_t mark)
{
	struct l2tp_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.port = port;
	a.mark = mark;
	assert_int_equal(inet_pton(AF_INET, ip, a.addr), 1);
	return a;
}

static struct l2tp_addr v6(const char *ip, uint16_t port)
{
	struct l2tp_addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.port = port;
	assert_int_equal(inet_pton(AF_INET6, ip, a.addr), 1);
	return a;
}

static void second_tunnel_from_same_address_and_port_gets_the_first_ones_id(void **state)
{
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0), nat = v4("192.0.2.100", 1701, 0);

	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 100), 0);
	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 200), 100);
	assert_int_equal(s.count, 1);
	dpk_tuples_free(&s);
}

static void marks_do_not_tell_tuples_apart(void **state)
{
	/* the kernel's socket lookup ignores marks: two clients behind one
	 * NAT differ only in mark, and still collide */
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0);
	struct l2tp_addr a = v4("192.0.2.100", 1701, 1), b = v4("192.0.2.100", 1701, 2);

	assert_int_equal(dpk_tuples_claim(&s, &local, &a, 7), 0);
	assert_int_equal(dpk_tuples_claim(&s, &local, &b, 8), 7);
	dpk_tuples_free(&s);
}

static void another_port_address_or_local_address_is_free(void **state)
{
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0), local2 = v4("192.0.2.2", 1701, 0);
	struct l2tp_addr nat = v4("192.0.2.100", 1701, 0);
	struct l2tp_addr other_port = v4("192.0.2.100", 1702, 0), other_host = v4("192.0.2.101", 1701, 0);

	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 1), 0);
	assert_int_equal(dpk_tuples_claim(&s, &local, &other_port, 2), 0);
	assert_int_equal(dpk_tuples_claim(&s, &local, &other_host, 3), 0);
	assert_int_equal(dpk_tuples_claim(&s, &local2, &nat, 4), 0);
	assert_int_equal(s.count, 4);
	dpk_tuples_free(&s);
}

static void ipv6_and_ipv4_tuples_are_distinct(void **state)
{
	struct dpk_tuples s = { 0 };
	struct l2tp_addr l6 = v6("2001:db8::1", 1701), p6 = v6("2001:db8::100", 1701);
	struct l2tp_addr l4 = v4("0.0.0.0", 1701, 0), p4 = v4("0.0.0.0", 1701, 0);

	/* all-zero IPv4 bytes equal the first bytes of ::; the family decides */
	struct l2tp_addr z6 = v6("::", 1701);
	assert_int_equal(dpk_tuples_claim(&s, &l4, &p4, 1), 0);
	assert_int_equal(dpk_tuples_claim(&s, &z6, &z6, 2), 0);
	assert_int_equal(dpk_tuples_claim(&s, &l6, &p6, 3), 0);
	assert_int_equal(dpk_tuples_claim(&s, &l6, &p6, 4), 3);
	dpk_tuples_free(&s);
}

static void release_by_another_tunnel_keeps_the_owner(void **state)
{
	/* the refused tunnel ends first: the first keeps its claim */
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0), nat = v4("192.0.2.100", 1701, 0);

	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 100), 0);
	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 200), 100);
	dpk_tuples_release(&s, &local, &nat, 200);
	assert_int_equal(s.count, 1);
	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 300), 100);
	dpk_tuples_free(&s);
}

static void release_by_the_owner_frees_the_tuple(void **state)
{
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0), nat = v4("192.0.2.100", 1701, 0);

	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 100), 0);
	dpk_tuples_release(&s, &local, &nat, 100);
	assert_int_equal(s.count, 0);
	assert_int_equal(dpk_tuples_claim(&s, &local, &nat, 200), 0);
	dpk_tuples_free(&s);
}

static void release_on_an_empty_set_does_nothing(void **state)
{
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0), nat = v4("192.0.2.100", 1701, 0);

	dpk_tuples_release(&s, &local, &nat, 1);
	assert_int_equal(s.count, 0);
	dpk_tuples_free(&s);
}

static void twenty_thousand_tunnels_all_found_and_all_released(void **state)
{
	/* growth keeps every entry findable; 20,000 peers from two /24s
	 * times many ports */
	struct dpk_tuples s = { 0 };
	struct l2tp_addr local = v4("192.0.2.1", 1701, 0);
	char ip[32];

	for (unsigned i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%u", i % 250);
		struct l2tp_addr p = v4(ip, (uint16_t)(1024 + i / 250), 0);
		assert_int_equal(dpk_tuples_claim(&s, &local, &p, (uint16_t)(i + 1)), 0);
	}
	assert_int_equal(s.count, 20000);
	for (unsigned i = 0; i < 20000; i++) {
		snprintf(ip, sizeof(ip), "198.51.100.%u", i % 250);
		struct l2tp_addr p = v4(ip, (uint16_t)(1024 + i / 250), 0);
		assert_int_equal(dpk_tuples_claim(&s, &local, &p, 65535), (int)(i + 1));
		dpk_tuples_release(&s, &local, &p, (uint16_t)(i + 1));
	}
	assert_int_equal(s.count, 0);
	dpk_tuples_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(second_tunnel_from_same_address_and_port_gets_the_first_ones_id),
		cmocka_unit_test(marks_do_not_tell_tuples_apart),
		cmocka_unit_test(another_port_address_or_local_address_is_free),
		cmocka_unit_test(ipv6_and_ipv4_tuples_are_distinct),
		cmocka_unit_test(release_by_another_tunnel_keeps_the_owner),
		cmocka_unit_test(release_by_the_owner_frees_the_tuple),
		cmocka_unit_test(release_on_an_empty_set_does_nothing),
		cmocka_unit_test(twenty_thousand_tunnels_all_found_and_all_released),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
