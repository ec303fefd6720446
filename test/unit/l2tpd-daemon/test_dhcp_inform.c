/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPINFORM on a client's link (dhcp_inform.h): a profile's options, the
 * decision for each datagram with its counted reason, and the per-session
 * rate limit with injected time. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dhcp_inform.h"

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static struct policy_ip pip(const char *s)
{
	struct policy_ip a;

	assert_true(policy_ip_parse(s, &a));
	return a;
}

static size_t msg(uint8_t *buf, uint8_t type, const char *ciaddr)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct dhcp_writer w;

	dhcp_begin(&w, buf, DHCP_MAX_LEN, DHCP_BOOTREQUEST, 7, mac, 6, type);
	dhcp_set_addrs(&w, ip(ciaddr), 0, 0, 0);
	return dhcp_finish(&w);
}

/* An IPv4 header to dst: a first fragment (MF set) of a UDP datagram with
 * a checksum nobody checked: only the destination may decide. */
static size_t fragment_to(uint8_t *p, const char *dst)
{
	uint32_t d = ip(dst), src = ip("198.51.100.10");

	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[6] = 0x20;		/* MF: more fragments */
	p[8] = 64;
	p[9] = IPPROTO_UDP;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &d, 4);
	p[21] = 68;
	p[23] = 67;
	return 28;
}

static void only_broadcast_or_our_address_is_taken(void **state)
{
	uint8_t p[28];
	uint32_t server = ip("192.0.2.1");

	(void)state;
	/* to a DHCP server on the LAN: forwarded even when it cannot be parsed */
	assert_false(dhcp_inform_addressed_to_us(p, fragment_to(p, "192.0.2.67"), server));
	/* to us or the limited broadcast: taken (and then parsed) */
	assert_true(dhcp_inform_addressed_to_us(p, fragment_to(p, "192.0.2.1"), server));
	assert_true(dhcp_inform_addressed_to_us(p, fragment_to(p, "255.255.255.255"), server));
	/* shorter than an IPv4 header, or not IPv4: never ours */
	assert_false(dhcp_inform_addressed_to_us(p, 19, server));
	fragment_to(p, "192.0.2.1");
	p[0] = 0x65;
	assert_false(dhcp_inform_addressed_to_us(p, 28, server));
}

static void profile_options(void **state)
{
	struct policy_prefix routes[2];
	struct policy_profile pr = { 0 };
	struct dhcp_inform_opts o;

	pr.dns[0] = pip("192.0.2.53");
	pr.dns[1] = pip("2001:db8::53");	/* not IPv4: not for DHCP */
	pr.n_dns = 2;
	pr.wins[0] = pip("192.0.2.55");
	pr.n_wins = 1;
	pr.dns_domain = "corp.example";
	assert_true(policy_prefix_parse("203.0.113.0/24", &routes[0]));
	assert_true(policy_prefix_parse("10.0.0.0/8", &routes[1]));
	pr.split_routes = routes;
	pr.n_split_routes = 2;
	dhcp_inform_opts_from_profile(&pr, &o);
	assert_int_equal(o.n_dns, 1);
	assert_int_equal(o.dns[0], ip("192.0.2.53"));
	assert_int_equal(o.n_nbns, 1);
	assert_int_equal(o.domain_len, 12);
	assert_memory_equal(o.domain, "corp.example", 12);
	assert_int_equal(o.n_routes, 2);
	assert_int_equal(o.routes[0].dest, ip("203.0.113.0"));
	assert_int_equal(o.routes[0].prefix_len, 24);
	assert_int_equal(o.routes[1].prefix_len, 8);
}

static enum dhcp_inform_count decide(const uint8_t *m, size_t n, const char *src,
				     uint16_t sport, size_t *out_len)
{
	static uint8_t out[DHCP_MAX_LEN];
	struct dhcp_inform_opts o = { .n_dns = 1, .dns = { ip("192.0.2.53") } };

	return dhcp_inform_decide(&o, ip(src), sport, ip("198.51.100.10"), ip("198.51.100.1"), m,
				  n, out, sizeof(out), out_len);
}

static void each_datagram_gets_its_reason(void **state)
{
	uint8_t m[DHCP_MAX_LEN + 300];
	size_t n, len;

	n = msg(m, DHCPINFORM, "198.51.100.10");
	assert_int_equal(decide(m, n, "198.51.100.10", 68, &len), DI_ANSWERED);
	assert_true(len >= 300);
	/* not from the session's address, or not from port 68 */
	assert_int_equal(decide(m, n, "198.51.100.11", 68, &len), DI_WRONG_SOURCE);
	assert_int_equal(len, 0);
	assert_int_equal(decide(m, n, "198.51.100.10", 67, &len), DI_WRONG_SOURCE);
	/* from the address, but ciaddr names another client */
	n = msg(m, DHCPINFORM, "198.51.100.12");
	assert_int_equal(decide(m, n, "198.51.100.10", 68, &len), DI_WRONG_SOURCE);
	/* a DHCP client trying to lease: we only answer INFORM */
	n = msg(m, DHCPDISCOVER, "0.0.0.0");
	assert_int_equal(decide(m, n, "198.51.100.10", 68, &len), DI_NOT_INFORM);
	n = msg(m, DHCPREQUEST, "198.51.100.10");
	assert_int_equal(decide(m, n, "198.51.100.10", 68, &len), DI_NOT_INFORM);
	/* malformed: short, no cookie, an option past the end */
	n = msg(m, DHCPINFORM, "198.51.100.10");
	assert_int_equal(decide(m, 100, "198.51.100.10", 68, &len), DI_MALFORMED);
	m[236] = 0;
	assert_int_equal(decide(m, n, "198.51.100.10", 68, &len), DI_MALFORMED);
	n = msg(m, DHCPINFORM, "198.51.100.10");
	m[243] = 200;			/* option 53's length runs past the message */
	memset(m + 244, 0, n - 244);
	assert_int_equal(decide(m, 250, "198.51.100.10", 68, &len), DI_MALFORMED);
	/* over-long: more than DHCP_MAX_LEN */
	n = msg(m, DHCPINFORM, "198.51.100.10");
	memset(m + n, 0, sizeof(m) - n);
	assert_int_equal(decide(m, DHCP_MAX_LEN + 1, "198.51.100.10", 68, &len), DI_MALFORMED);
	assert_int_equal(len, 0);
	assert_string_equal(dhcp_inform_count_name(DI_WRONG_SOURCE), "wrong-source");
}

static void rate_limit_is_a_burst_then_one_per_interval(void **state)
{
	uint64_t tat = 0, now = 1000000;

	for (int i = 0; i < DHCP_INFORM_BURST; i++)
		assert_true(dhcp_inform_allow(&tat, now));
	assert_false(dhcp_inform_allow(&tat, now));
	assert_false(dhcp_inform_allow(&tat, now + DHCP_INFORM_INTERVAL_MS - 1));
	assert_true(dhcp_inform_allow(&tat, now + DHCP_INFORM_INTERVAL_MS));
	assert_false(dhcp_inform_allow(&tat, now + DHCP_INFORM_INTERVAL_MS));
	/* a quiet minute refills the burst, no more */
	now += 60000;
	for (int i = 0; i < DHCP_INFORM_BURST; i++)
		assert_true(dhcp_inform_allow(&tat, now));
	assert_false(dhcp_inform_allow(&tat, now));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_broadcast_or_our_address_is_taken),
		cmocka_unit_test(profile_options),
		cmocka_unit_test(each_datagram_gets_its_reason),
		cmocka_unit_test(rate_limit_is_a_burst_then_one_per_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
