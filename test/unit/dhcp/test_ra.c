/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Router Advertisements as built for a client's link (RFC 4861 section
 * 4.2, RFC 8106 section 5.1), checked against checksums computed
 * independently; Router Solicitations validated as RFC 4861 section 6.1.1
 * says, each malformed form refused with its reason; and the schedule of
 * section 6.2.4 and 6.2.6. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipv6_ll.h"
#include "ra.h"

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* An RS from fe80::200:5eff:fe10:1 to ff02::2, no options; checksum 0x1e26
 * computed outside this code (Python, RFC 1071 over the pseudo-header). */
static size_t rs(uint8_t *p)
{
	memset(p, 0, 48);
	p[0] = 0x60;
	p[5] = 8;
	p[6] = 58;
	p[7] = 255;
	a6("fe80::200:5eff:fe10:1", p + 8);
	a6("ff02::2", p + 24);
	p[40] = 133;
	p[42] = 0x1e;
	p[43] = 0x26;
	return 48;
}

static void params(struct ra_params *p)
{
	memset(p, 0, sizeof(*p));
	a6("fe80::1", p->src);
	a6("ff02::1", p->dst);
	p->cur_hop_limit = 64;
	p->other = true;
	p->router_lifetime = 1800;
	p->has_prefix = true;
	a6("2001:db8:1:2::", p->prefix);
	p->prefix_len = 64;
	p->valid_lifetime = 86400;
	p->preferred_lifetime = 14400;
	a6("2001:db8::53", p->rdnss[0]);
	p->n_rdnss = 1;
	p->rdnss_lifetime = 1800;
}

static void advertisement_is_as_the_rfcs_say(void **state)
{
	struct ra_params p;
	uint8_t out[RA_MAX_LEN], want[16];
	size_t n;

	(void)state;
	params(&p);
	n = ra_build(&p, out, sizeof(out));
	assert_int_equal(n, 40 + 72);
	assert_int_equal(out[0], 0x60);
	assert_int_equal(out[4] << 8 | out[5], 72);
	assert_int_equal(out[6], 58);
	assert_int_equal(out[7], 255);	/* section 6.1.2 */
	assert_memory_equal(out + 8, p.src, 16);
	assert_memory_equal(out + 24, p.dst, 16);
	/* the checksum computed outside this code */
	assert_int_equal(out[42] << 8 | out[43], 0xeb55);
	assert_int_equal(out[40], 134);
	assert_int_equal(out[45], 0x40);	/* O, not M */
	assert_int_equal(out[46] << 8 | out[47], 1800);
	/* PIO: type 3, length 4, /64, L and A */
	assert_int_equal(out[56], 3);
	assert_int_equal(out[57], 4);
	assert_int_equal(out[58], 64);
	assert_int_equal(out[59], 0xc0);
	a6("2001:db8:1:2::", want);
	assert_memory_equal(out + 72, want, 16);
	/* RDNSS: type 25, length 3 */
	assert_int_equal(out[88], 25);
	assert_int_equal(out[89], 3);
	a6("2001:db8::53", want);
	assert_memory_equal(out + 96, want, 16);
}

static void advertisement_round_trips(void **state)
{
	struct ra_params p;
	struct ra_info in;
	uint8_t out[RA_MAX_LEN], icmp[RA_MAX_LEN];
	size_t n;

	(void)state;
	params(&p);
	p.managed = true;
	p.mtu = 1382;
	a6("2001:db8::54", p.rdnss[1]);
	a6("2001:db8::55", p.rdnss[2]);
	p.n_rdnss = 3;
	/* host bits past the prefix are not sent */
	p.prefix[15] = 0x99;
	n = ra_build(&p, out, sizeof(out));
	assert_int_equal(n, RA_MAX_LEN);
	assert_int_equal(ra_parse(out, n, &in), RA_OK);
	assert_true(in.managed && in.other);
	assert_int_equal(in.router_lifetime, 1800);
	assert_true(in.has_prefix && in.on_link && in.autonomous);
	assert_int_equal(in.prefix_len, 64);
	assert_int_equal(in.prefix[15], 0);
	assert_int_equal(in.valid_lifetime, 86400);
	assert_int_equal(in.preferred_lifetime, 14400);
	assert_int_equal(in.mtu, 1382);
	assert_int_equal(in.n_rdnss, 3);
	assert_memory_equal(in.rdnss[2], p.rdnss[2], 16);
	assert_int_equal(in.rdnss_lifetime, 1800);
	/* the ICMPv6 message alone is the same octets */
	assert_int_equal(ra_build_icmp(&p, icmp, sizeof(icmp)), n - 40);
	assert_memory_equal(icmp, out + 40, n - 40);
}

static void advertisement_without_options(void **state)
{
	struct ra_params p;
	struct ra_info in;
	uint8_t out[RA_MAX_LEN];
	size_t n;

	(void)state;
	params(&p);
	p.has_prefix = false;
	p.n_rdnss = 0;
	p.router_lifetime = 0;
	n = ra_build(&p, out, sizeof(out));
	assert_int_equal(n, 56);
	assert_int_equal(ra_parse(out, n, &in), RA_OK);
	assert_false(in.has_prefix);
	assert_int_equal(in.n_rdnss, 0);
	assert_int_equal(in.router_lifetime, 0);
}

static void inconsistent_or_too_small_is_not_built(void **state)
{
	struct ra_params p;
	uint8_t out[RA_MAX_LEN];

	(void)state;
	params(&p);
	assert_int_equal(ra_build(&p, out, 40 + 71), 0);
	assert_int_equal(ra_build(&p, out, 39), 0);
	assert_int_equal(ra_build_icmp(&p, out, 71), 0);
	p.preferred_lifetime = p.valid_lifetime + 1;
	assert_int_equal(ra_build(&p, out, sizeof(out)), 0);
	params(&p);
	p.n_rdnss = RA_MAX_RDNSS + 1;
	assert_int_equal(ra_build(&p, out, sizeof(out)), 0);
	params(&p);
	p.prefix_len = 129;
	assert_int_equal(ra_build(&p, out, sizeof(out)), 0);
}

static void solicitation_is_accepted(void **state)
{
	uint8_t p[64], want[16];
	struct ra_rs r;
	size_t n = rs(p);

	(void)state;
	assert_true(ra_is_rs(p, n));
	assert_int_equal(ra_rs_parse(p, n, &r), RA_OK);
	a6("fe80::200:5eff:fe10:1", want);
	assert_memory_equal(r.src, want, 16);
	a6("ff02::2", want);
	assert_memory_equal(r.dst, want, 16);
	assert_false(r.has_sllao);
	/* trailing link padding past Payload Length is ignored */
	assert_int_equal(ra_rs_parse(p, n + 4, &r), RA_OK);
	/* the ICMPv6 part alone, as a raw socket gives it */
	assert_int_equal(ra_rs_parse_icmp(p + 40, 8, 255, p + 8, &r), RA_OK);
	assert_int_equal(ra_rs_parse_icmp(p + 40, 8, 255, NULL, &r), RA_OK);
}

static void solicitation_as_a_host_builds_it(void **state)
{
	uint8_t p[64], want[64];
	struct ra_rs r;

	(void)state;
	rs(want);
	assert_int_equal(ra_build_rs(want + 8, p, 47), 0);
	assert_int_equal(ra_build_rs(want + 8, p, sizeof(p)), 48);
	assert_memory_equal(p, want, 48);	/* the checksum computed outside */
	assert_int_equal(ra_rs_parse(p, 48, &r), RA_OK);
}

/* Refix the checksum after an edit, so that the reason under test is the
 * one reported. */
static void refix(uint8_t *p, size_t icmp_len)
{
	uint32_t acc = 0;

	p[42] = p[43] = 0;
	for (size_t i = 8; i < 40; i += 2)
		acc += (uint32_t)p[i] << 8 | p[i + 1];
	acc += (uint32_t)icmp_len + 58;
	for (size_t i = 0; i < icmp_len; i += 2)
		acc += (uint32_t)p[40 + i] << 8 | (i + 1 < icmp_len ? p[40 + i + 1] : 0);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	p[42] = (uint8_t)(~acc >> 8);
	p[43] = (uint8_t)~acc;
}

static void malformed_solicitations(void **state)
{
	uint8_t p[96];
	struct ra_rs r;
	size_t n;

	(void)state;
	/* short: no IPv6 header, no ICMPv6 header */
	n = rs(p);
	for (size_t l = 0; l < 40; l++)
		assert_int_equal(ra_rs_parse(p, l, &r), RA_R_TRUNCATED);
	assert_false(ra_is_rs(p, 40));
	/* Payload Length past the packet */
	assert_int_equal(ra_rs_parse(p, 47, &r), RA_R_BAD_LENGTH);
	/* Payload Length under 8 */
	p[5] = 4;
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_TRUNCATED);
	n = rs(p);
	p[0] = 0x45;
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_NOT_IPV6);
	assert_false(ra_is_rs(p, n));
	n = rs(p);
	p[6] = 0;	/* hop-by-hop options first: not followed */
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_NOT_ICMPV6);
	n = rs(p);
	p[7] = 254;	/* it crossed a router */
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_HOP_LIMIT);
	n = rs(p);
	p[43] ^= 1;
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_BAD_CHECKSUM);
	/* bad code */
	n = rs(p);
	p[41] = 1;
	refix(p, 8);
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_BAD_CODE);
	/* another type */
	n = rs(p);
	p[40] = 135;
	refix(p, 8);
	assert_false(ra_is_rs(p, n));
	assert_int_equal(ra_rs_parse(p, n, &r), RA_R_WRONG_TYPE);
	/* an option of length 0 */
	n = rs(p);
	memset(p + 48, 0, 8);
	p[48] = 1;
	p[5] = 16;
	refix(p, 16);
	assert_int_equal(ra_rs_parse(p, 56, &r), RA_R_BAD_OPTION);
	/* a truncated option: length 2 (16 octets) in 8 */
	p[49] = 2;
	refix(p, 16);
	assert_int_equal(ra_rs_parse(p, 56, &r), RA_R_BAD_OPTION);
	/* one octet of an option */
	p[5] = 9;
	p[49] = 1;
	refix(p, 9);
	assert_int_equal(ra_rs_parse(p, 57, &r), RA_R_BAD_OPTION);
	/* a good source link-layer option is taken */
	p[5] = 16;
	p[48] = 1;
	p[49] = 1;
	refix(p, 16);
	assert_int_equal(ra_rs_parse(p, 56, &r), RA_OK);
	assert_true(r.has_sllao);
	/* ... but not from the unspecified address (section 6.1.1) */
	memset(p + 8, 0, 16);
	refix(p, 16);
	assert_int_equal(ra_rs_parse(p, 56, &r), RA_R_SLLAO_UNSPEC);
	/* the ICMPv6 part alone: hop limit from the socket */
	n = rs(p);
	assert_int_equal(ra_rs_parse_icmp(p + 40, 8, 64, NULL, &r), RA_R_HOP_LIMIT);
	assert_int_equal(ra_rs_parse_icmp(p + 40, 7, 255, NULL, &r), RA_R_TRUNCATED);
	assert_string_equal(ra_result_name(RA_R_BAD_OPTION), "bad-option");
	assert_string_equal(ra_result_name(RA_R_MAX), "?");
}

static void malformed_advertisements(void **state)
{
	struct ra_params p;
	struct ra_info in;
	uint8_t out[RA_MAX_LEN];
	size_t n;

	(void)state;
	params(&p);
	n = ra_build(&p, out, sizeof(out));
	/* RDNSS of even length */
	out[89] = 2;
	refix(out, n - 40);
	assert_int_equal(ra_parse(out, n, &in), RA_R_BAD_OPTION);
	out[89] = 3;
	/* PIO of the wrong length */
	out[57] = 3;
	refix(out, n - 40);
	assert_int_equal(ra_parse(out, n, &in), RA_R_BAD_OPTION);
	out[57] = 4;
	/* not from a link-local address */
	out[8] = 0x20;
	refix(out, n - 40);
	assert_int_equal(ra_parse(out, n, &in), RA_R_NOT_LINK_LOCAL);
	out[8] = 0xfe;
	refix(out, n - 40);
	assert_int_equal(ra_parse(out, n, &in), RA_OK);
	assert_int_equal(ra_parse(out, 40 + 15, &in), RA_R_BAD_LENGTH);
}

static void schedule(void **state)
{
	(void)state;
	/* the first three: at most 16 s apart */
	for (unsigned i = 0; i < RA_MAX_INITIAL_ADVERTS; i++) {
		assert_int_equal(ra_interval_ms(i, 0), RA_MAX_INITIAL_INTERVAL_MS);
		assert_int_equal(ra_interval_ms(i, UINT32_MAX), RA_MAX_INITIAL_INTERVAL_MS);
	}
	/* then between MinRtrAdvInterval and MaxRtrAdvInterval */
	assert_int_equal(ra_interval_ms(3, 0), RA_MIN_INTERVAL_MS);
	assert_int_equal(ra_interval_ms(3, RA_MAX_INTERVAL_MS - RA_MIN_INTERVAL_MS),
			 RA_MAX_INTERVAL_MS);
	for (uint32_t r = 0; r < 100000; r += 777) {
		uint64_t t = ra_interval_ms(10, r * 4099u);
		assert_true(t >= RA_MIN_INTERVAL_MS && t <= RA_MAX_INTERVAL_MS);
	}
	/* solicited: now, unless one left less than 3 s ago */
	assert_int_equal(ra_solicited_at(1000, 0), 1000);
	assert_int_equal(ra_solicited_at(10000, 9000), 12000);
	assert_int_equal(ra_solicited_at(12000, 9000), 12000);
	assert_int_equal(ra_solicited_at(20000, 9000), 20000);
}

static void link_local_from_identifier(void **state)
{
	uint8_t a[16], want[16];

	(void)state;
	/* the octet that leads on the wire is the most significant */
	ipv6_link_local(0x02005efffe100001ull, a);
	a6("fe80::200:5eff:fe10:1", want);
	assert_memory_equal(a, want, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(advertisement_is_as_the_rfcs_say),
		cmocka_unit_test(advertisement_round_trips),
		cmocka_unit_test(advertisement_without_options),
		cmocka_unit_test(inconsistent_or_too_small_is_not_built),
		cmocka_unit_test(solicitation_is_accepted),
		cmocka_unit_test(solicitation_as_a_host_builds_it),
		cmocka_unit_test(malformed_solicitations),
		cmocka_unit_test(malformed_advertisements),
		cmocka_unit_test(schedule),
		cmocka_unit_test(link_local_from_identifier),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
