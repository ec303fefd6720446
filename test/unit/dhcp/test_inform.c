/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCPACK to a DHCPINFORM (RFC 2131 section 4.3.5) from a profile's
 * options, and the IPv4/UDP framing around DHCP on a PPP link, with every
 * malformed form refused with its reason. */
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

/* What Windows sends, with a parameter request list of its own choice. */
static size_t inform(uint8_t *buf, uint8_t type, const char *ciaddr, const uint8_t *prl,
		     size_t prl_len)
{
	struct dhcp_writer w;

	dhcp_begin(&w, buf, DHCP_MAX_LEN, DHCP_BOOTREQUEST, 0x3903f326, MAC, 6, type);
	dhcp_set_addrs(&w, ip(ciaddr), 0, 0, 0);
	dhcp_set_flags(&w, 0x8000);
	dhcp_put(&w, DHCP_OPT_VENDOR_CLASS, "MSFT 5.0", 8);
	if (prl)
		dhcp_put(&w, DHCP_OPT_PARAM_LIST, prl, prl_len);
	return dhcp_finish(&w);
}

static const uint8_t WINDOWS_PRL[] = { 1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43 };

static void profile(struct dhcp_inform_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->dns[0] = ip("192.0.2.53");
	o->dns[1] = ip("192.0.2.54");
	o->n_dns = 2;
	o->nbns[0] = ip("192.0.2.55");
	o->n_nbns = 1;
	memcpy(o->domain, "corp.example", 12);
	o->domain_len = 12;
	o->routes[0] = (struct dhcp_route){ .dest = ip("192.0.2.0"), .prefix_len = 24 };
	o->routes[1] = (struct dhcp_route){ .dest = ip("10.0.0.0"), .prefix_len = 8 };
	o->n_routes = 2;
}

static enum dhcp_inform_result answer(const struct dhcp_inform_opts *o, const uint8_t *req,
				      size_t n, uint8_t *out, size_t *out_len)
{
	struct dhcp_msg m;

	assert_int_equal(dhcp_parse(req, n, &m), DHCP_OK);
	return dhcp_inform_answer(o, &m, n, ip("198.51.100.10"), ip("198.51.100.1"), out,
				  DHCP_MAX_LEN, out_len);
}

static void windows_inform_gets_the_profile(void **state)
{
	uint8_t req[DHCP_MAX_LEN], out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o;
	struct dhcp_route r[4];
	struct dhcp_msg m;
	const uint8_t *v;
	uint8_t vlen;
	size_t n = inform(req, DHCPINFORM, "198.51.100.10", WINDOWS_PRL, sizeof(WINDOWS_PRL)), len;

	profile(&o);
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_ANSWER);
	assert_int_equal(dhcp_parse(out, len, &m), DHCP_OK);
	/* RFC 2131 table 3, DHCPACK to a DHCPINFORM */
	assert_int_equal(m.op, DHCP_BOOTREPLY);
	assert_int_equal(m.type, DHCPACK);
	assert_int_equal(m.xid, 0x3903f326);
	assert_int_equal(m.flags, 0x8000);
	assert_int_equal(m.ciaddr, ip("198.51.100.10"));
	assert_int_equal(m.yiaddr, 0);
	assert_int_equal(m.lease_time, 0);
	assert_null(dhcp_find_option(out, len, DHCP_OPT_LEASE_TIME, &vlen));
	assert_int_equal(m.server_id, ip("198.51.100.1"));
	assert_memory_equal(m.chaddr, MAC, 6);

	/* the exact options, in their order */
	static const uint8_t want[] = {
		53, 1, 5,
		54, 4, 198, 51, 100, 1,
		6, 8, 192, 0, 2, 53, 192, 0, 2, 54,
		15, 12, 'c', 'o', 'r', 'p', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		44, 4, 192, 0, 2, 55,
		/* RFC 3442 section 4: width, significant octets, router */
		121, 14, 24, 192, 0, 2, 198, 51, 100, 1, 8, 10, 198, 51, 100, 1,
		249, 14, 24, 192, 0, 2, 198, 51, 100, 1, 8, 10, 198, 51, 100, 1,
		255,
	};
	assert_memory_equal(out + 240, want, sizeof(want));
	assert_int_equal(len, 240 + sizeof(want));	/* past 300: no padding */

	v = dhcp_find_option(out, len, DHCP_OPT_MS_CLASSLESS_ROUTES, &vlen);
	assert_non_null(v);
	assert_int_equal(dhcp_parse_routes(v, vlen, r, 4), 2);
	assert_int_equal(r[1].dest, ip("10.0.0.0"));
	assert_int_equal(r[1].prefix_len, 8);
	assert_int_equal(r[1].gateway, ip("198.51.100.1"));
}

static void only_what_the_client_asked_for(void **state)
{
	static const uint8_t prl[] = { 249, 6 };	/* an older Windows: no 121, no 15 */
	uint8_t req[DHCP_MAX_LEN], out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o;
	uint8_t vlen;
	size_t n = inform(req, DHCPINFORM, "198.51.100.10", prl, sizeof(prl)), len;

	profile(&o);
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_ANSWER);
	assert_non_null(dhcp_find_option(out, len, DHCP_OPT_MS_CLASSLESS_ROUTES, &vlen));
	assert_non_null(dhcp_find_option(out, len, DHCP_OPT_DNS, &vlen));
	assert_non_null(dhcp_find_option(out, len, DHCP_OPT_SERVER_ID, &vlen));
	assert_null(dhcp_find_option(out, len, DHCP_OPT_CLASSLESS_ROUTES, &vlen));
	assert_null(dhcp_find_option(out, len, DHCP_OPT_DOMAIN_NAME, &vlen));
	assert_null(dhcp_find_option(out, len, DHCP_OPT_NBNS, &vlen));

	/* no list at all: everything the profile has */
	n = inform(req, DHCPINFORM, "198.51.100.10", NULL, 0);
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_ANSWER);
	assert_non_null(dhcp_find_option(out, len, DHCP_OPT_CLASSLESS_ROUTES, &vlen));
	assert_non_null(dhcp_find_option(out, len, DHCP_OPT_DOMAIN_NAME, &vlen));
	assert_int_equal(vlen, 12);
}

static void an_empty_profile_still_acks(void **state)
{
	uint8_t req[DHCP_MAX_LEN], out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o = { 0 };
	uint8_t vlen;
	size_t n = inform(req, DHCPINFORM, "198.51.100.10", WINDOWS_PRL, sizeof(WINDOWS_PRL)), len;

	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_ANSWER);
	assert_non_null(dhcp_find_option(out, len, DHCP_OPT_SERVER_ID, &vlen));
	assert_null(dhcp_find_option(out, len, DHCP_OPT_DNS, &vlen));
	assert_null(dhcp_find_option(out, len, DHCP_OPT_MS_CLASSLESS_ROUTES, &vlen));
}

static void the_most_routes_one_option_holds(void **state)
{
	uint8_t req[DHCP_MAX_LEN], out[DHCP_MAX_LEN];
	struct dhcp_route r[DHCP_INFORM_MAX_ROUTES];
	struct dhcp_inform_opts o = { 0 };
	const uint8_t *v;
	uint8_t vlen;
	size_t n = inform(req, DHCPINFORM, "198.51.100.10", NULL, 0), len;

	/* 28 host routes: 9 octets each, 252 of 255 */
	for (unsigned i = 0; i < 28; i++)
		o.routes[i] = (struct dhcp_route){ .dest = htonl(0xc0000200u + i), .prefix_len = 32 };
	o.n_routes = 28;
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_ANSWER);
	v = dhcp_find_option(out, len, DHCP_OPT_CLASSLESS_ROUTES, &vlen);
	assert_non_null(v);
	assert_int_equal(dhcp_parse_routes(v, vlen, r, DHCP_INFORM_MAX_ROUTES), 28);
	/* one more does not fit in one option: refused, never cut short */
	o.routes[28] = (struct dhcp_route){ .dest = ip("192.0.2.100"), .prefix_len = 32 };
	o.n_routes = 29;
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_TOO_BIG);
	assert_int_equal(len, 0);
}

static void only_inform_is_answered(void **state)
{
	static const uint8_t types[] = { DHCPDISCOVER, DHCPREQUEST, DHCPDECLINE, DHCPRELEASE };
	uint8_t req[DHCP_MAX_LEN], out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o;
	size_t n, len;

	profile(&o);
	for (size_t i = 0; i < sizeof(types); i++) {
		n = inform(req, types[i], "198.51.100.10", NULL, 0);
		assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_NOT_INFORM);
		assert_int_equal(len, 0);
	}
	/* a reply that claims to be an INFORM */
	n = inform(req, DHCPINFORM, "198.51.100.10", NULL, 0);
	req[0] = DHCP_BOOTREPLY;
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_NOT_INFORM);
}

static void another_clients_address_is_refused(void **state)
{
	uint8_t req[DHCP_MAX_LEN], out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o;
	size_t n, len;

	profile(&o);
	n = inform(req, DHCPINFORM, "198.51.100.11", NULL, 0);
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_WRONG_CLIENT);
	n = inform(req, DHCPINFORM, "0.0.0.0", NULL, 0);
	assert_int_equal(answer(&o, req, n, out, &len), DHCP_INFORM_WRONG_CLIENT);
}

static void over_long_is_refused(void **state)
{
	uint8_t req[DHCP_MAX_LEN + 100], out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o;
	struct dhcp_msg m;
	size_t n = inform(req, DHCPINFORM, "198.51.100.10", NULL, 0), len;

	profile(&o);
	assert_int_equal(dhcp_parse(req, n, &m), DHCP_OK);
	assert_int_equal(dhcp_inform_answer(&o, &m, DHCP_MAX_LEN + 1, ip("198.51.100.10"),
					    ip("198.51.100.1"), out, sizeof(out), &len),
			 DHCP_INFORM_TOO_BIG);
	/* no room for the answer */
	assert_int_equal(dhcp_inform_answer(&o, &m, n, ip("198.51.100.10"), ip("198.51.100.1"),
					    out, 100, &len),
			 DHCP_INFORM_TOO_BIG);
}

/* ---- IPv4/UDP ---- */

static size_t datagram(uint8_t *pkt, size_t cap)
{
	uint8_t req[DHCP_MAX_LEN];
	size_t n = inform(req, DHCPINFORM, "198.51.100.10", NULL, 0);

	return dhcp_udp_build(pkt, cap, ip("198.51.100.10"), INADDR_BROADCAST, 68, 67, req, n);
}

static void udp_round_trips(void **state)
{
	uint8_t pkt[2048];
	struct dhcp_udp u;
	struct dhcp_msg m;
	size_t n = datagram(pkt, sizeof(pkt));

	assert_int_equal(n, 328);
	assert_int_equal(dhcp_udp_parse(pkt, n, &u), DHCP_UDP_OK);
	assert_int_equal(u.src, ip("198.51.100.10"));
	assert_int_equal(u.dst, INADDR_BROADCAST);
	assert_int_equal(u.sport, 68);
	assert_int_equal(u.dport, 67);
	assert_int_equal(u.len, 300);
	assert_ptr_equal(u.payload, pkt + 28);
	assert_int_equal(dhcp_parse(u.payload, u.len, &m), DHCP_OK);
	/* trailing octets past the IP total length (PPP padding) are ignored */
	assert_int_equal(dhcp_udp_parse(pkt, n + 3, &u), DHCP_UDP_OK);
	assert_int_equal(u.len, 300);
	/* no UDP checksum (0) is allowed by RFC 768 */
	pkt[26] = pkt[27] = 0;
	assert_int_equal(dhcp_udp_parse(pkt, n, &u), DHCP_UDP_OK);
	/* too small a buffer to build in */
	assert_int_equal(datagram(pkt, 300), 0);
}

static void udp_malformed(void **state)
{
	uint8_t pkt[2048], bad[2048];
	struct dhcp_udp u;
	size_t n = datagram(pkt, sizeof(pkt));

	assert_int_equal(dhcp_udp_parse(pkt, 19, &u), DHCP_UDP_SHORT);
	assert_int_equal(dhcp_udp_parse(pkt, n - 1, &u), DHCP_UDP_SHORT);	/* total length > len */
	memcpy(bad, pkt, n);
	bad[0] = 0x65;						/* IPv6 nibble */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_NOT_UDP);
	memcpy(bad, pkt, n);
	bad[0] = 0x44;						/* IHL 4 */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_SHORT);
	memcpy(bad, pkt, n);
	bad[9] = 6;						/* TCP */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_NOT_UDP);
	memcpy(bad, pkt, n);
	bad[6] = 0x20;						/* more fragments */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_FRAGMENT);
	memcpy(bad, pkt, n);
	bad[7] = 1;						/* an offset */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_FRAGMENT);
	memcpy(bad, pkt, n);
	bad[8] = 63;						/* TTL changed: header checksum */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_CHECKSUM);
	memcpy(bad, pkt, n);
	bad[300] ^= 1;						/* payload: UDP checksum */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_CHECKSUM);
	memcpy(bad, pkt, n);
	bad[24] = 0x02;						/* UDP length past the packet */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_SHORT);
	memcpy(bad, pkt, n);
	bad[24] = 0;
	bad[25] = 7;						/* UDP length under its header */
	assert_int_equal(dhcp_udp_parse(bad, n, &u), DHCP_UDP_SHORT);
	memcpy(bad, pkt, 20);
	bad[2] = 0;
	bad[3] = 24;						/* room for half a UDP header */
	bad[10] = bad[11] = 0;
	assert_int_not_equal(dhcp_udp_parse(bad, 24, &u), DHCP_UDP_OK);
	assert_string_equal(dhcp_udp_err_name(DHCP_UDP_FRAGMENT), "IP fragment");
	assert_string_equal(dhcp_inform_result_name(DHCP_INFORM_WRONG_CLIENT),
			    "ciaddr is not the client's address");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows_inform_gets_the_profile),
		cmocka_unit_test(only_what_the_client_asked_for),
		cmocka_unit_test(an_empty_profile_still_acks),
		cmocka_unit_test(the_most_routes_one_option_holds),
		cmocka_unit_test(only_inform_is_answered),
		cmocka_unit_test(another_clients_address_is_refused),
		cmocka_unit_test(over_long_is_refused),
		cmocka_unit_test(udp_round_trips),
		cmocka_unit_test(udp_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
