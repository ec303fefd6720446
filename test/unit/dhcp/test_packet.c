/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP messages (dhcp.h): a Windows client's DHCPINFORM, the ACK that
 * answers it with routes (RFC 3442's own encoding), option overload, and
 * every malformed form refused with its reason. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp.h"

static const uint8_t MAC[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* What Windows sends over the PPP link after it connects. */
static size_t windows_inform(uint8_t *buf)
{
	static const uint8_t prl[] = { 1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43 };
	static const uint8_t cid[] = { 0x01, 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
	struct dhcp_writer w;

	dhcp_begin(&w, buf, DHCP_MAX_LEN, DHCP_BOOTREQUEST, 0x3903f326, MAC, 6, DHCPINFORM);
	dhcp_set_addrs(&w, ip("198.51.100.10"), 0, 0, 0);
	dhcp_put(&w, DHCP_OPT_CLIENT_ID, cid, sizeof(cid));
	dhcp_put(&w, DHCP_OPT_VENDOR_CLASS, "MSFT 5.0", 8);
	dhcp_put(&w, DHCP_OPT_PARAM_LIST, prl, sizeof(prl));
	return dhcp_finish(&w);
}

static void a_windows_inform_round_trips(void **state)
{
	uint8_t buf[DHCP_MAX_LEN];
	struct dhcp_msg m;
	size_t n = windows_inform(buf);

	assert_int_equal(n, 300);		/* padded for BOOTP relays */
	assert_int_equal(dhcp_parse(buf, n, &m), DHCP_OK);
	assert_int_equal(m.op, DHCP_BOOTREQUEST);
	assert_int_equal(m.type, DHCPINFORM);
	assert_int_equal(m.xid, 0x3903f326);
	assert_int_equal(m.ciaddr, ip("198.51.100.10"));
	assert_memory_equal(m.chaddr, MAC, 6);
	assert_int_equal(m.client_id_len, 7);
	assert_int_equal(m.param_list_len, 12);
	assert_int_equal(m.param_list[9], DHCP_OPT_CLASSLESS_ROUTES);
}

static void routes_use_rfc_3442s_encoding(void **state)
{
	/* RFC 3442 section 4's examples: 10.17.0.0/16 via 10.0.0.1 is
	 * 16.10.17.10.0.0.1; the default route 0 then the router */
	const struct dhcp_route r[] = {
		{ ip("10.17.0.0"), 16, ip("10.0.0.1") },
		{ ip("0.0.0.0"), 0, ip("10.0.0.1") },
		{ ip("192.0.2.128"), 25, ip("198.51.100.1") },
	};
	static const uint8_t want[] = { 121, 21, 16, 10, 17, 10, 0, 0, 1, 0, 10, 0, 0, 1,
					25, 192, 0, 2, 128, 198, 51, 100, 1 };
	struct dhcp_route back[4];
	struct dhcp_writer w;
	uint8_t buf[DHCP_MAX_LEN];
	const uint8_t *v;
	uint8_t vlen;
	size_t n;

	dhcp_begin(&w, buf, sizeof(buf), DHCP_BOOTREPLY, 1, MAC, 6, DHCPACK);
	dhcp_put_routes(&w, DHCP_OPT_CLASSLESS_ROUTES, r, 3);
	dhcp_put_routes(&w, DHCP_OPT_MS_CLASSLESS_ROUTES, r, 3);
	dhcp_put(&w, DHCP_OPT_DOMAIN_NAME, "corp.example", 12);
	n = dhcp_finish(&w);
	assert_true(n > 0);
	assert_memory_equal(buf + 243, want, sizeof(want));
	v = dhcp_find_option(buf, n, DHCP_OPT_MS_CLASSLESS_ROUTES, &vlen);
	assert_non_null(v);
	assert_int_equal(dhcp_parse_routes(v, vlen, back, 4), 3);
	assert_int_equal(back[2].dest, ip("192.0.2.128"));
	assert_int_equal(back[2].prefix_len, 25);
	assert_int_equal(back[2].gateway, ip("198.51.100.1"));
	v = dhcp_find_option(buf, n, DHCP_OPT_DOMAIN_NAME, &vlen);
	assert_int_equal(vlen, 12);
	assert_memory_equal(v, "corp.example", 12);
}

static void malformed_routes_are_refused_whole(void **state)
{
	struct dhcp_route r[2];
	static const uint8_t wide[] = { 33, 1, 2, 3, 4, 5, 1, 2, 3, 4 };
	static const uint8_t host_bits[] = { 8, 11, 10, 0, 0, 1 };	/* 11.0.0.0/8: fine */
	static const uint8_t set_bits[] = { 16, 10, 17, 10, 0, 0, 1, 12, 10, 1, 10, 0, 0, 1 };
	static const uint8_t cut[] = { 24, 192, 0, 2, 10, 0 };

	assert_int_equal(dhcp_parse_routes(wide, sizeof(wide), r, 2), -1);
	assert_int_equal(dhcp_parse_routes(host_bits, sizeof(host_bits), r, 2), 1);
	/* 10.1.0.0/12: bits past the prefix set (RFC 3442 section 4) */
	assert_int_equal(dhcp_parse_routes(set_bits, sizeof(set_bits), r, 2), -1);
	assert_int_equal(dhcp_parse_routes(cut, sizeof(cut), r, 2), -1);
}

static void overloaded_options_are_read_from_file_then_sname(void **state)
{
	uint8_t buf[DHCP_MAX_LEN];
	struct dhcp_writer w;
	struct dhcp_msg m;
	uint8_t ov = 3;
	size_t n;

	dhcp_begin(&w, buf, sizeof(buf), DHCP_BOOTREPLY, 7, MAC, 6, DHCPACK);
	dhcp_put(&w, DHCP_OPT_OVERLOAD, &ov, 1);
	n = dhcp_finish(&w);
	/* file (offset 108): the server id; sname (offset 44): the lease time */
	memcpy(buf + 108, "\x36\x04\xc0\x00\x02\x01\xff", 7);
	memcpy(buf + 44, "\x33\x04\x00\x00\x0e\x10\xff", 7);
	assert_int_equal(dhcp_parse(buf, n, &m), DHCP_OK);
	assert_int_equal(m.server_id, ip("192.0.2.1"));
	assert_int_equal(m.lease_time, 3600);
}

static void malformed_messages_are_refused_with_their_reason(void **state)
{
	uint8_t buf[DHCP_MAX_LEN], b[DHCP_MAX_LEN];
	struct dhcp_msg m;
	size_t n = windows_inform(buf);

	assert_int_equal(dhcp_parse(buf, 239, &m), DHCP_E_SHORT);
	memcpy(b, buf, n);
	b[236] = 0;
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_COOKIE);
	memcpy(b, buf, n);
	b[0] = 3;
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_HEADER);
	memcpy(b, buf, n);
	b[244] = 250;				/* client id runs past the end */
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_OPTION);
	/* no END in the options field */
	memcpy(b, buf, n);
	memset(b + 240, 0, n - 240);
	b[240] = 53; b[241] = 1; b[242] = 8;
	for (size_t i = 243; i + 3 <= n; i += 3) {
		b[i] = 224; b[i + 1] = 1; b[i + 2] = 0;	/* site-specific filler */
	}
	assert_int_equal(dhcp_parse(b, n - (n - 243) % 3, &m), DHCP_E_OPTION);
	/* two message types */
	memcpy(b, buf, n);
	memcpy(b + 240, "\x35\x01\x08\x35\x01\x08\xff", 7);
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_DUPLICATE);
	/* two server identifiers */
	memcpy(b + 240, "\x35\x01\x05\x36\x04\x01\x02\x03\x04\x36\x04\x01\x02\x03\x04\xff", 16);
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_DUPLICATE);
	/* no message type, or a bad one */
	memcpy(b + 240, "\xff", 1);
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_MSG_TYPE);
	memcpy(b + 240, "\x35\x01\x09\xff", 4);
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_MSG_TYPE);
	/* an overload value out of 1-3 */
	memcpy(b + 240, "\x35\x01\x05\x34\x01\x04\xff", 7);
	assert_int_equal(dhcp_parse(b, n, &m), DHCP_E_OPTION);
}

static void the_writer_refuses_what_does_not_fit(void **state)
{
	uint8_t buf[DHCP_MAX_LEN], big[256] = { 0 };
	struct dhcp_route r = { 0, 33, 0 };
	struct dhcp_writer w;

	dhcp_begin(&w, buf, sizeof(buf), DHCP_BOOTREPLY, 1, MAC, 6, DHCPACK);
	dhcp_put(&w, DHCP_OPT_DOMAIN_NAME, big, 256);
	assert_int_equal(dhcp_finish(&w), 0);
	dhcp_begin(&w, buf, sizeof(buf), DHCP_BOOTREPLY, 1, MAC, 6, DHCPACK);
	dhcp_put_routes(&w, DHCP_OPT_CLASSLESS_ROUTES, &r, 1);
	assert_int_equal(dhcp_finish(&w), 0);
	dhcp_begin(&w, buf, 299, DHCP_BOOTREPLY, 1, MAC, 6, DHCPACK);
	assert_int_equal(dhcp_finish(&w), 0);
}

static void every_error_has_a_name(void **state)
{
	for (int e = 0; e < DHCP_E_MAX; e++)
		assert_string_not_equal(dhcp_err_name((enum dhcp_err)e), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_windows_inform_round_trips),
		cmocka_unit_test(routes_use_rfc_3442s_encoding),
		cmocka_unit_test(malformed_routes_are_refused_whole),
		cmocka_unit_test(overloaded_options_are_read_from_file_then_sname),
		cmocka_unit_test(malformed_messages_are_refused_with_their_reason),
		cmocka_unit_test(the_writer_refuses_what_does_not_fit),
		cmocka_unit_test(every_error_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
