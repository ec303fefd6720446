/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What an Access-Accept grants (reply.h): every attribute the issue lists
 * read into values, what NPS and FreeRADIUS send by default accepted, and
 * each attribute that cannot be honoured refused by name. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reply.h"

static uint8_t buf[RADIUS_MAX_LEN];
static struct radius_writer W;

static void begin(void)
{
	radius_begin(&W, buf, sizeof(buf), RADIUS_ACCESS_ACCEPT, 1, NULL);
}

static int read_reply(struct radius_reply *r, char *why, size_t wl)
{
	struct radius_packet p;
	size_t n = radius_finish(&W, "s");

	assert_true(n > 0);
	assert_int_equal(radius_parse(buf, n, &p), RADIUS_OK);
	return radius_reply_read(&p, r, why, wl);
}

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static void every_attribute_is_read(void **state)
{
	static const uint8_t v6[] = { 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2 };
	static const uint8_t deleg[] = { 0, 56, 0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xbb, 0xcc };
	uint32_t a = ip("198.51.100.77"), dns = ip("192.0.2.53"), nbns = ip("192.0.2.54");
	struct radius_reply r;
	char why[128];

	begin();
	radius_put_u32(&W, RADIUS_SERVICE_TYPE, 2);
	radius_put_u32(&W, RADIUS_FRAMED_PROTOCOL, 1);
	radius_put(&W, RADIUS_FRAMED_IP_ADDRESS, &a, 4);
	radius_put_str(&W, RADIUS_FRAMED_ROUTE, "192.0.2.128/25 0.0.0.0 1");
	radius_put_str(&W, RADIUS_FRAMED_ROUTE, "203.0.113.0/24 198.51.100.1 5");
	radius_put_u32(&W, RADIUS_SESSION_TIMEOUT, 28800);
	radius_put_u32(&W, RADIUS_IDLE_TIMEOUT, 1800);
	radius_put_u32(&W, RADIUS_ACCT_INTERIM_INTERVAL, 30);	/* raised to 60 */
	radius_put_u32(&W, RADIUS_FRAMED_MTU, 1380);
	radius_put_str(&W, RADIUS_FILTER_ID, "contractors");
	radius_put_str(&W, RADIUS_FRAMED_POOL, "clients");
	radius_put(&W, RADIUS_CLASS, "\x01\x02nps-class", 11);
	radius_put(&W, RADIUS_FRAMED_IPV6_PREFIX, v6, sizeof(v6));
	radius_put(&W, RADIUS_DELEGATED_IPV6_PREFIX, deleg, sizeof(deleg));
	radius_put_str(&W, RADIUS_REPLY_MESSAGE, "Welcome, Alice");
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_PRIMARY_DNS_SERVER, &dns, 4);
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_PRIMARY_NBNS_SERVER, &nbns, 4);
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_SUCCESS,
		       "\x07S=0123456789ABCDEF0123456789ABCDEF01234567", 43);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(r.ip_kind, RADIUS_IP_STATIC);
	assert_int_equal(r.framed_ip, a);
	assert_int_equal(r.n_routes, 2);
	assert_int_equal(r.routes[0].dest, ip("192.0.2.128"));
	assert_int_equal(r.routes[0].prefix_len, 25);
	assert_int_equal(r.routes[0].gateway, 0);		/* the client's address */
	assert_int_equal(r.routes[1].metric, 5);
	assert_int_equal(r.session_timeout, 28800);
	assert_int_equal(r.idle_timeout, 1800);
	assert_int_equal(r.interim_interval, 60);		/* RFC 2869 5.16 */
	assert_int_equal(r.framed_mtu, 1380);
	assert_string_equal(r.filter_id, "contractors");
	assert_string_equal(r.framed_pool, "clients");
	assert_int_equal(r.n_class, 1);
	assert_int_equal(r.class_len[0], 11);
	assert_int_equal(r.framed_ipv6_prefix_len, 64);
	assert_memory_equal(r.framed_ipv6_prefix, "\x20\x01\x0d\xb8\0\x01\0\x02", 8);
	assert_int_equal(r.delegated_prefix_len, 56);
	assert_string_equal(r.reply_message, "Welcome, Alice");
	assert_int_equal(r.dns[0], dns);
	assert_int_equal(r.nbns[0], nbns);
	assert_int_equal(r.ms_chap2_success_len, 43);
	assert_int_equal(r.ms_chap2_success[0], 7);
}

static void pool_and_client_choice_addresses(void **state)
{
	uint32_t pick = 0xfeffffff, any = 0xffffffff;	/* 255.255.255.254/.255 */
	struct radius_reply r;
	char why[128];

	begin();
	radius_put(&W, RADIUS_FRAMED_IP_ADDRESS, &pick, 4);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(r.ip_kind, RADIUS_IP_FROM_POOL);
	begin();
	radius_put(&W, RADIUS_FRAMED_IP_ADDRESS, &any, 4);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(r.ip_kind, RADIUS_IP_CLIENT_CHOOSES);
}

static void what_nps_and_freeradius_send_by_default_is_accepted(void **state)
{
	struct radius_reply r;
	char why[128];
	uint8_t key[34] = { 0x80, 0x01 };

	begin();
	radius_put_u32(&W, RADIUS_SERVICE_TYPE, 2);
	radius_put_u32(&W, RADIUS_FRAMED_PROTOCOL, 1);
	radius_put_u32(&W, 13, 1);			/* Framed-Compression VJ */
	radius_put_str(&W, RADIUS_USER_NAME, "alice");
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 16, key, sizeof(key));	/* MS-MPPE-Send-Key */
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 17, key, sizeof(key));	/* MS-MPPE-Recv-Key */
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 7, "\0\0\0\1", 4);	/* Encryption-Policy */
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 8, "\0\0\0\6", 4);	/* Encryption-Types */
	/* NPS's default network policy: Multilink and BAP settings */
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 13, "\0\0\0\1", 4);	/* BAP-Usage allowed */
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 14, "\0\0\0\x32", 4);	/* Utilization 50 % */
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 15, "\0\0\0\x78", 4);	/* Drop-Time 120 s */
	radius_put_message_authenticator(&W);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(r.ip_kind, RADIUS_IP_NONE);
}

static void expect_refusal(const char *what)
{
	struct radius_reply r;
	char why[128];

	assert_int_equal(read_reply(&r, why, sizeof(why)), -1);
	if (!strstr(why, what))
		fail_msg("'%s' does not name '%s'", why, what);
}

static void what_cannot_be_honoured_is_refused_by_name(void **state)
{
	uint32_t zero = 0, mcast = ip("224.0.0.1");

	begin();
	radius_put_u32(&W, RADIUS_SERVICE_TYPE, 1);		/* Login */
	expect_refusal("Service-Type 1 is not Framed");
	begin();
	radius_put_u32(&W, RADIUS_FRAMED_PROTOCOL, 2);		/* SLIP */
	expect_refusal("Framed-Protocol 2 is not PPP");
	begin();
	radius_put(&W, RADIUS_FRAMED_IP_ADDRESS, &zero, 4);
	expect_refusal("Framed-IP-Address is not a unicast address");
	begin();
	radius_put(&W, RADIUS_FRAMED_IP_ADDRESS, &mcast, 4);
	expect_refusal("Framed-IP-Address is not a unicast address");
	begin();
	radius_put_u32(&W, 29, 1);				/* Termination-Action */
	expect_refusal("Termination-Action 1");
	begin();
	radius_put_u32(&W, 64, 3);				/* Tunnel-Type: a voluntary tunnel */
	expect_refusal("attribute 64 cannot be honoured");
	begin();
	radius_put_vsa(&W, 9, 1, "ip:addr-pool=x", 14);		/* Cisco-AVPair */
	expect_refusal("attributes of vendor 9");
	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 34, "\0\0\0\1", 4);
	expect_refusal("MS vendor attribute 34");
	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 13, "\0\0\0\2", 4);	/* BAP required */
	expect_refusal("MS-BAP-Usage");
	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, 14, "\0\x32", 2);
	expect_refusal("malformed MS attribute 14");
	begin();
	radius_put_u32(&W, RADIUS_FRAMED_MTU, 100);
	expect_refusal("Framed-MTU 100");
	begin();
	radius_put_str(&W, RADIUS_FRAMED_ROUTE, "192.0.2.1/24 0.0.0.0 1");	/* host bits */
	expect_refusal("malformed Framed-Route");
	begin();
	radius_put_str(&W, RADIUS_FRAMED_ROUTE, "192.0.2.0/24");		/* no gateway */
	expect_refusal("malformed Framed-Route");
	begin();
	radius_put(&W, RADIUS_FILTER_ID, "a\0b", 3);
	expect_refusal("Filter-Id");
	begin();
	radius_put(&W, RADIUS_SESSION_TIMEOUT, "\0\1", 2);
	expect_refusal("malformed Session-Timeout");
	begin();
	radius_put(&W, RADIUS_FRAMED_IPV6_PREFIX, "\0\x81", 2);		/* /129 */
	expect_refusal("malformed Framed-IPv6-Prefix");
	begin();
	for (int i = 0; i <= RADIUS_REPLY_MAX_ROUTES; i++)
		radius_put_str(&W, RADIUS_FRAMED_ROUTE, "192.0.2.0/24 0.0.0.0 1");
	expect_refusal("more than 16 Framed-Route");
}

/* RFC 6911 section 3.1: DNS-Server-IPv6-Address, 16 octets, may repeat;
 * the first three kept in order (RDNSS and DHCPv6 carry three here). */
static void dns_server_ipv6_addresses_are_read_in_order(void **state)
{
	uint8_t a[4][16];
	struct radius_reply r;
	char why[128];

	for (int i = 0; i < 4; i++) {
		char text[32];

		snprintf(text, sizeof(text), "2001:db8::%d:53", i + 1);
		assert_int_equal(inet_pton(AF_INET6, text, a[i]), 1);
	}
	begin();
	radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, a[0], 16);
	radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, a[1], 16);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(r.n_dns6, 2);
	assert_memory_equal(r.dns6[0], a[0], 16);
	assert_memory_equal(r.dns6[1], a[1], 16);
	begin();
	for (int i = 0; i < 4; i++)
		radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, a[i], 16);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(r.n_dns6, RADIUS_REPLY_MAX_DNS6);
	assert_memory_equal(r.dns6[2], a[2], 16);
}

static void a_malformed_dns_server_ipv6_address_is_refused(void **state)
{
	static const uint8_t unspecified[16], loopback[16] = { [15] = 1 };
	static const uint8_t link_local[16] = { 0xfe, 0x80, [15] = 0x53 };
	static const uint8_t multicast[16] = { 0xff, 0x02, [15] = 0xfb };
	static const uint8_t *const bad[] = { unspecified, loopback, link_local, multicast };
	static const uint8_t good[17] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };

	begin();
	radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, good, 15);	/* cut short */
	expect_refusal("malformed DNS-Server-IPv6-Address");
	begin();
	radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, good, 17);	/* one octet over */
	expect_refusal("malformed DNS-Server-IPv6-Address");
	begin();
	radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, good, 0);	/* empty */
	expect_refusal("malformed DNS-Server-IPv6-Address");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		begin();
		radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, good, 16);
		radius_put(&W, RADIUS_DNS_SERVER_IPV6_ADDRESS, bad[i], 16);
		expect_refusal("malformed DNS-Server-IPv6-Address");
	}
}

static void malformed_ipv6_prefixes_are_refused(void **state)
{
	/* RFC 3162 2.3: Reserved, Prefix-Length, then the prefix octets the
	 * length needs (a /64 needs 8); at most 16 */
	static const uint8_t short64[] = { 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0 };
	static const uint8_t long56[19] = { 0, 56, 0x20, 0x01, 0x0d, 0xb8, 0, 1 };

	begin();
	radius_put(&W, RADIUS_FRAMED_IPV6_PREFIX, short64, sizeof(short64));
	expect_refusal("malformed Framed-IPv6-Prefix");
	static const uint8_t zero_len[2] = { 0, 0 };

	begin();
	radius_put(&W, RADIUS_DELEGATED_IPV6_PREFIX, long56, 2);	/* a /56 without octets */
	expect_refusal("malformed Delegated-IPv6-Prefix");
	begin();
	radius_put(&W, RADIUS_DELEGATED_IPV6_PREFIX, zero_len, 2);	/* /0 */
	expect_refusal("malformed Delegated-IPv6-Prefix");
	begin();
	radius_put(&W, RADIUS_DELEGATED_IPV6_PREFIX, long56, 1);
	expect_refusal("malformed Delegated-IPv6-Prefix");
	begin();
	radius_put(&W, RADIUS_DELEGATED_IPV6_PREFIX, long56, sizeof(long56));	/* 17 octets */
	expect_refusal("malformed Delegated-IPv6-Prefix");
	begin();
	radius_put(&W, RADIUS_FRAMED_IPV6_POOL, "a\0b", 3);
	expect_refusal("malformed Framed-IPv6-Pool");
}

static struct radius_packet finish_parse(uint8_t code)
{
	struct radius_packet p;
	size_t n;

	buf[0] = code;
	n = radius_finish(&W, "s");
	assert_true(n > 0);
	assert_int_equal(radius_parse(buf, n, &p), RADIUS_OK);
	return p;
}

static void ms_chap2_success_is_passed_on_unchanged(void **state)
{
	struct radius_reply r;
	char why[128], s[43];

	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_SUCCESS,
		       "\x07S=0123456789ABCDEF0123456789abcdef01234567", 43);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(radius_ms_chap2_success(&r, s), 0);
	assert_string_equal(s, "S=0123456789ABCDEF0123456789abcdef01234567");
}

static void a_malformed_ms_chap2_success_is_refused(void **state)
{
	struct radius_reply r;
	char why[128], s[43];

	/* absent */
	begin();
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(radius_ms_chap2_success(&r, s), -1);
	/* one digit short */
	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_SUCCESS,
		       "\x07S=0123456789ABCDEF0123456789ABCDEF0123456", 42);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(radius_ms_chap2_success(&r, s), -1);
	/* not hex */
	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_SUCCESS,
		       "\x07S=0123456789ABCDEF0123456789ABCDEF0123456Z", 43);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(radius_ms_chap2_success(&r, s), -1);
	/* no "S=" */
	begin();
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_SUCCESS,
		       "\x07X=0123456789ABCDEF0123456789ABCDEF01234567", 43);
	assert_int_equal(read_reply(&r, why, sizeof(why)), 0);
	assert_int_equal(radius_ms_chap2_success(&r, s), -1);
}

static void ms_chap_error_code_and_text_reach_the_client_as_sent(void **state)
{
	static const char err[] = "\x07""E=648 R=0 C=00112233445566778899AABBCCDDEEFF V=3 "
				  "M=Password has expired";
	struct radius_packet p;
	struct radius_reject rej;

	radius_begin(&W, buf, sizeof(buf), RADIUS_ACCESS_REJECT, 1, NULL);
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_ERROR, err, sizeof(err) - 1);
	radius_put_str(&W, RADIUS_REPLY_MESSAGE, "Your password expired");
	p = finish_parse(RADIUS_ACCESS_REJECT);
	radius_reject_read(&p, &rej);
	assert_int_equal(rej.error, 648);
	assert_string_equal(rej.message, "Password has expired");
	assert_string_equal(rej.reply_message, "Your password expired");
}

static void each_windows_code_is_read(void **state)
{
	static const int codes[] = { 646, 647, 648, 649, 691, 709 };
	struct radius_packet p;
	struct radius_reject rej;
	char v[64];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int n = snprintf(v, sizeof(v), "%cE=%d R=0 V=3", 1, codes[i]);

		radius_begin(&W, buf, sizeof(buf), RADIUS_ACCESS_REJECT, 1, NULL);
		radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_ERROR, v, (size_t)n);
		p = finish_parse(RADIUS_ACCESS_REJECT);
		radius_reject_read(&p, &rej);
		assert_int_equal(rej.error, codes[i]);
		assert_string_equal(rej.message, "");
	}
}

static void a_malformed_ms_chap_error_gives_no_code(void **state)
{
	static const char *bad[] = {
		"\x01",			/* the Ident alone */
		"\x01" "691",			/* no E= */
		"\x01" "E=",			/* no digits */
		"\x01" "E=0 R=0",		/* zero */
		"\x01" "E=99999999999 R=0",	/* too long */
		"\x01" "E=691x R=0",		/* garbage after the code */
		"\x01" "E=70000 R=0",		/* out of range */
	};
	struct radius_packet p;
	struct radius_reject rej;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		radius_begin(&W, buf, sizeof(buf), RADIUS_ACCESS_REJECT, 1, NULL);
		radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_ERROR, bad[i],
			       strlen(bad[i]));
		p = finish_parse(RADIUS_ACCESS_REJECT);
		radius_reject_read(&p, &rej);
		assert_int_equal(rej.error, 0);
	}
	/* a reject with nothing: no code, no text */
	radius_begin(&W, buf, sizeof(buf), RADIUS_ACCESS_REJECT, 1, NULL);
	p = finish_parse(RADIUS_ACCESS_REJECT);
	radius_reject_read(&p, &rej);
	assert_int_equal(rej.error, 0);
	assert_string_equal(rej.message, "");
	assert_string_equal(rej.reply_message, "");
}

static void a_nul_in_the_text_ends_it(void **state)
{
	static const char err[] = "\x01" "E=691 R=0 V=3 M=bad\0hidden";
	struct radius_packet p;
	struct radius_reject rej;

	radius_begin(&W, buf, sizeof(buf), RADIUS_ACCESS_REJECT, 1, NULL);
	radius_put_vsa(&W, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_ERROR, err, sizeof(err) - 1);
	p = finish_parse(RADIUS_ACCESS_REJECT);
	radius_reject_read(&p, &rej);
	assert_int_equal(rej.error, 691);
	assert_string_equal(rej.message, "bad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_attribute_is_read),
		cmocka_unit_test(pool_and_client_choice_addresses),
		cmocka_unit_test(what_nps_and_freeradius_send_by_default_is_accepted),
		cmocka_unit_test(what_cannot_be_honoured_is_refused_by_name),
		cmocka_unit_test(dns_server_ipv6_addresses_are_read_in_order),
		cmocka_unit_test(a_malformed_dns_server_ipv6_address_is_refused),
		cmocka_unit_test(malformed_ipv6_prefixes_are_refused),
		cmocka_unit_test(ms_chap2_success_is_passed_on_unchanged),
		cmocka_unit_test(a_malformed_ms_chap2_success_is_refused),
		cmocka_unit_test(ms_chap_error_code_and_text_reach_the_client_as_sent),
		cmocka_unit_test(each_windows_code_is_read),
		cmocka_unit_test(a_malformed_ms_chap_error_gives_no_code),
		cmocka_unit_test(a_nul_in_the_text_ends_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
