/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 messages (RFC 8415 sections 8 and 21, RFC 3646 section 3): a
 * client's Solicit for a delegated prefix read field by field, an answer
 * written octet by octet, round trips, every malformed form refused with
 * its reason, and the IPv6/UDP framing checked against a checksum computed
 * outside this code. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp6.h"

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* What `dhclient -6 -P` sends first: Solicit, xid 0x123456, a DUID-LLT
 * Client Identifier, Elapsed Time 0, ORO (DNS servers, domain list), an
 * IA_PD with IAID 0x01020304 and a /56 hint of ::. */
static const uint8_t solicit[] = {
	0x01, 0x12, 0x34, 0x56,
	0x00, 0x01, 0x00, 0x0e,			/* Client Identifier, 14 */
	0x00, 0x01, 0x00, 0x01, 0x2c, 0x4a, 0x11, 0x22,	/* DUID-LLT, Ethernet, time */
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02,	/* MAC */
	0x00, 0x08, 0x00, 0x02, 0x00, 0x00,	/* Elapsed Time 0 */
	0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18,	/* ORO: 23, 24 */
	0x00, 0x19, 0x00, 0x29,			/* IA_PD, 41 */
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x1a, 0x00, 0x19,			/* IA Prefix, 25 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x38,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static void solicit_from_a_real_client_parses(void **state)
{
	struct dhcp6_msg m;

	(void)state;
	assert_int_equal(dhcp6_parse(solicit, sizeof(solicit), &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_SOLICIT);
	assert_int_equal(m.xid, 0x123456);
	assert_non_null(m.client_id);
	assert_int_equal(m.client_id_len, 14);
	assert_memory_equal(m.client_id, solicit + 8, 14);
	assert_null(m.server_id);
	assert_true(m.has_elapsed_time);
	assert_int_equal(m.elapsed_time, 0);
	assert_true(m.has_oro);
	assert_int_equal(m.n_oro, 2);
	assert_true(dhcp6_requested(&m, DHCP6_OPT_DNS_SERVERS));
	assert_false(dhcp6_requested(&m, DHCP6_OPT_IA_PD));
	assert_false(m.rapid_commit);
	assert_int_equal(m.n_ia_pd, 1);
	assert_int_equal(m.ia_pd_seen, 1);
	assert_int_equal(m.ia_pd[0].iaid, 0x01020304);
	assert_int_equal(m.ia_pd[0].n_prefixes, 1);
	assert_int_equal(m.ia_pd[0].prefixes[0].len, 56);
	assert_int_equal(m.n_ia_na, 0);
	assert_string_equal(dhcp6_type_name(m.type), "solicit");
}

static void advertise_is_written_as_the_rfc_says(void **state)
{
	static const uint8_t duid[] = { 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
					14, 15, 16 };	/* DUID-UUID, RFC 6355 */
	static const uint8_t want[] = {
		0x02, 0xab, 0xcd, 0xef,
		0x00, 0x01, 0x00, 0x03, 0x00, 0x03, 0x07,	/* Client Identifier */
		0x00, 0x02, 0x00, 0x12, 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		13, 14, 15, 16,				/* Server Identifier */
		0x00, 0x07, 0x00, 0x01, 0xff,		/* Preference 255 */
		0x00, 0x19, 0x00, 0x29,			/* IA_PD */
		0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x00, 0x16, 0x80,
		0x00, 0x1a, 0x00, 0x19,			/* IA Prefix */
		0x00, 0x00, 0x1c, 0x20, 0x00, 0x01, 0x51, 0x80, 0x38,
		0x20, 0x01, 0x0d, 0xb8, 0x01, 0x00, 0x05, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x19, 0x00, 0x25,			/* IA_PD with a status */
		0x00, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x0d, 0x00, 0x15, 0x00, 0x06,	/* Status Code NoPrefixAvail */
		'n', 'o', ' ', 'p', 'r', 'e', 'f', 'i', 'x', ' ', 'a', 'v', 'a', 'i', 'l', 'a',
		'b', 'l', 'e',
		0x00, 0x17, 0x00, 0x10,			/* DNS Recursive Name Server */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x53,
	};
	static const uint8_t client[] = { 0x00, 0x03, 0x07 };
	struct dhcp6_out o;
	uint8_t out[512];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.type = DHCP6_ADVERTISE;
	o.xid = 0xabcdef;
	o.client_id = client;
	o.client_id_len = sizeof(client);
	o.server_id = duid;
	o.server_id_len = sizeof(duid);
	o.has_preference = true;
	o.preference = 255;
	o.n_ia_pd = 2;
	o.ia_pd[0].iaid = 0xaabbccdd;
	o.ia_pd[0].t1 = 3600;
	o.ia_pd[0].t2 = 5760;
	o.ia_pd[0].n_prefixes = 1;
	o.ia_pd[0].prefixes[0].preferred = 7200;
	o.ia_pd[0].prefixes[0].valid = 86400;
	o.ia_pd[0].prefixes[0].len = 56;
	/* bits past /56 are cleared on the wire */
	a6("2001:db8:100:5ff::1", o.ia_pd[0].prefixes[0].prefix);
	o.ia_pd[1].iaid = 9;
	o.ia_pd[1].has_status = true;
	o.ia_pd[1].status = DHCP6_NO_PREFIX_AVAIL;
	o.n_dns = 1;
	a6("2001:db8::53", o.dns[0]);
	assert_int_equal(dhcp6_build(&o, out, sizeof(out)), sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
}

static void every_part_round_trips(void **state)
{
	static const uint8_t cid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 2 }, sid[] = { 0, 4, 9, 9 };
	struct dhcp6_out o;
	struct dhcp6_msg m;
	uint8_t out[1024];
	size_t n;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.type = DHCP6_REPLY;
	o.xid = 0xffffff;
	o.client_id = cid;
	o.client_id_len = sizeof(cid);
	o.server_id = sid;
	o.server_id_len = sizeof(sid);
	o.rapid_commit = o.reconf_accept = true;
	o.has_elapsed_time = true;
	o.elapsed_time = 65535;
	o.n_oro = 2;
	o.oro[0] = 23;
	o.oro[1] = 25;
	o.has_status = true;
	o.status = DHCP6_SUCCESS;
	o.status_text = "fine";
	o.n_ia_na = 1;
	o.ia_na[0].iaid = 77;
	o.ia_na[0].has_status = true;
	o.ia_na[0].status = DHCP6_NO_ADDRS_AVAIL;
	o.n_ia_pd = 1;
	o.ia_pd[0].iaid = 5;
	o.ia_pd[0].t1 = 1;
	o.ia_pd[0].t2 = 2;
	o.ia_pd[0].n_prefixes = 2;
	o.ia_pd[0].prefixes[0].len = 48;
	a6("2001:db8:7::", o.ia_pd[0].prefixes[0].prefix);
	o.ia_pd[0].prefixes[0].preferred = 10;
	o.ia_pd[0].prefixes[0].valid = 20;
	o.ia_pd[0].prefixes[1].len = 128;
	a6("2001:db8::1", o.ia_pd[0].prefixes[1].prefix);
	o.ia_pd[0].prefixes[1].has_status = true;
	o.ia_pd[0].prefixes[1].status = DHCP6_NO_BINDING;
	o.n_dns = 3;
	a6("2001:db8::1", o.dns[0]);
	a6("2001:db8::2", o.dns[1]);
	a6("2001:db8::3", o.dns[2]);
	n = dhcp6_build(&o, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp6_parse(out, n, &m), DHCP6_OK);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_int_equal(m.xid, 0xffffff);
	assert_int_equal(m.client_id_len, sizeof(cid));
	assert_memory_equal(m.client_id, cid, sizeof(cid));
	assert_int_equal(m.server_id_len, sizeof(sid));
	assert_true(m.rapid_commit && m.reconf_accept);
	assert_int_equal(m.elapsed_time, 65535);
	assert_true(dhcp6_requested(&m, 25));
	assert_true(m.has_status);
	assert_int_equal(m.status, DHCP6_SUCCESS);
	assert_int_equal(m.n_ia_na, 1);
	assert_int_equal(m.ia_na[0].iaid, 77);
	assert_int_equal(m.ia_na[0].status, DHCP6_NO_ADDRS_AVAIL);
	assert_int_equal(m.n_ia_pd, 1);
	assert_int_equal(m.ia_pd[0].t2, 2);
	assert_int_equal(m.ia_pd[0].n_prefixes, 2);
	assert_memory_equal(m.ia_pd[0].prefixes[0].prefix, o.ia_pd[0].prefixes[0].prefix, 16);
	assert_int_equal(m.ia_pd[0].prefixes[0].valid, 20);
	assert_int_equal(m.ia_pd[0].prefixes[1].len, 128);
	assert_true(m.ia_pd[0].prefixes[1].has_status);
	assert_int_equal(m.ia_pd[0].prefixes[1].status, DHCP6_NO_BINDING);
	assert_int_equal(m.n_dns, 3);
	assert_memory_equal(m.dns[2], o.dns[2], 16);
}

static void inconsistent_or_too_small_is_not_built(void **state)
{
	static const uint8_t shortid[] = { 0, 1 };
	struct dhcp6_out o;
	uint8_t out[64];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.type = DHCP6_REPLY;
	assert_int_equal(dhcp6_build(&o, out, sizeof(out)), 4);
	assert_int_equal(dhcp6_build(&o, out, 3), 0);
	o.xid = 0x1000000;
	assert_int_equal(dhcp6_build(&o, out, sizeof(out)), 0);
	o.xid = 1;
	o.client_id = shortid;
	o.client_id_len = 2;
	assert_int_equal(dhcp6_build(&o, out, sizeof(out)), 0);
	o.client_id = NULL;
	o.n_ia_pd = 1;
	o.ia_pd[0].n_prefixes = 1;
	o.ia_pd[0].prefixes[0].len = 129;
	assert_int_equal(dhcp6_build(&o, out, sizeof(out)), 0);
	o.ia_pd[0].prefixes[0].len = 64;
	assert_int_equal(dhcp6_build(&o, out, 40), 0);	/* 4 + 16 + 29: does not fit */
	o.n_dns = DHCP6_MAX_DNS + 1;
	assert_int_equal(dhcp6_build(&o, out, sizeof(out)), 0);
}

/* A copy of the Solicit with bytes changed, to parse. */
static enum dhcp6_result parse_edit(size_t at, const uint8_t *b, size_t n)
{
	uint8_t buf[sizeof(solicit)];
	struct dhcp6_msg m;

	memcpy(buf, solicit, sizeof(buf));
	memcpy(buf + at, b, n);
	return dhcp6_parse(buf, sizeof(buf), &m);
}

/* The 4-octet header and one option of code, length and value. */
static enum dhcp6_result parse_one(uint16_t code, uint16_t len, const uint8_t *v, size_t vlen)
{
	uint8_t buf[256] = { DHCP6_SOLICIT, 0, 0, 1 };
	struct dhcp6_msg m;

	buf[4] = (uint8_t)(code >> 8);
	buf[5] = (uint8_t)code;
	buf[6] = (uint8_t)(len >> 8);
	buf[7] = (uint8_t)len;
	memcpy(buf + 8, v, vlen);
	return dhcp6_parse(buf, 8 + vlen, &m);
}

static void malformed_messages_are_refused(void **state)
{
	static const uint8_t zeros[200];
	uint8_t big[DHCP6_MAX_LEN + 1] = { DHCP6_SOLICIT };
	uint8_t relay[] = { DHCP6_RELAY_FORW, 0, 0, 0 }, b[64];
	struct dhcp6_msg m;

	(void)state;
	assert_int_equal(dhcp6_parse(solicit, 3, &m), DHCP6_R_TRUNCATED);
	assert_int_equal(dhcp6_parse(big, sizeof(big), &m), DHCP6_R_TOO_LONG);
	assert_int_equal(dhcp6_parse(relay, 4, &m), DHCP6_R_RELAY);
	relay[0] = DHCP6_RELAY_REPL;
	assert_int_equal(dhcp6_parse(relay, 4, &m), DHCP6_R_RELAY);
	relay[0] = 0;
	assert_int_equal(dhcp6_parse(relay, 4, &m), DHCP6_R_BAD_TYPE);
	relay[0] = 14;
	assert_int_equal(dhcp6_parse(relay, 4, &m), DHCP6_R_BAD_TYPE);
	/* an option header cut short, a value past the end */
	assert_int_equal(dhcp6_parse(solicit, 6, &m), DHCP6_R_BAD_OPTION);
	assert_int_equal(dhcp6_parse(solicit, 8, &m), DHCP6_R_BAD_OPTION);
	assert_int_equal(dhcp6_parse(solicit, sizeof(solicit) - 1, &m), DHCP6_R_BAD_OPTION);
	/* the IA Prefix's length past its IA_PD (the message is long enough) */
	assert_int_equal(parse_edit(36, (const uint8_t[]){ 0x00, 0x19, 0x00, 0x28 }, 4),
			 DHCP6_R_BAD_OPTION);
	/* fixed sizes */
	assert_int_equal(parse_one(DHCP6_OPT_RAPID_COMMIT, 1, zeros, 1), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_RECONF_ACCEPT, 1, zeros, 1), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_ELAPSED_TIME, 1, zeros, 1), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_ELAPSED_TIME, 3, zeros, 3), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_PREFERENCE, 2, zeros, 2), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_ORO, 3, zeros, 3), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_DNS_SERVERS, 15, zeros, 15), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_STATUS_CODE, 1, zeros, 1), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 11, zeros, 11), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_IA_NA, 11, zeros, 11), DHCP6_R_BAD_LENGTH);
	assert_int_equal(parse_one(DHCP6_OPT_IA_TA, 3, zeros, 3), DHCP6_R_BAD_LENGTH);
	/* DUIDs: 3 to 130 octets (section 11.1) */
	assert_int_equal(parse_one(DHCP6_OPT_CLIENTID, 2, zeros, 2), DHCP6_R_BAD_DUID);
	assert_int_equal(parse_one(DHCP6_OPT_SERVERID, 0, zeros, 0), DHCP6_R_BAD_DUID);
	assert_int_equal(parse_one(DHCP6_OPT_CLIENTID, 131, zeros, 131), DHCP6_R_BAD_DUID);
	assert_int_equal(parse_one(DHCP6_OPT_CLIENTID, 130, zeros, 130), DHCP6_OK);
	/* an IA Prefix too short or longer than 128 bits, inside an IA_PD */
	memset(b, 0, sizeof(b));
	b[12] = 0x00, b[13] = 0x1a, b[14] = 0x00, b[15] = 0x18;
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 12 + 4 + 24, b, 40), DHCP6_R_BAD_LENGTH);
	b[15] = 0x19;
	b[16 + 8] = 129;
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 12 + 4 + 25, b, 41), DHCP6_R_BAD_PREFIX);
	b[16 + 8] = 128;
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 12 + 4 + 25, b, 41), DHCP6_OK);
	/* a Status Code inside an IA Prefix, cut short */
	b[15] = 25 + 4 + 1;
	b[41] = 0x00, b[42] = 0x0d, b[43] = 0x00, b[44] = 0x01;
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 12 + 4 + 30, b, 46), DHCP6_R_BAD_LENGTH);
	/* a nested option whose value runs past its IA_PD */
	memset(b, 0, sizeof(b));
	b[12] = 0x00, b[13] = 0x0d, b[14] = 0x00, b[15] = 0x08;
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 12 + 4 + 2, b, 18), DHCP6_R_BAD_OPTION);
	/* two Status Codes in one IA */
	b[15] = 0x02;
	b[18] = 0x00, b[19] = 0x0d, b[20] = 0x00, b[21] = 0x02;
	assert_int_equal(parse_one(DHCP6_OPT_IA_PD, 12 + 6 + 6, b, 24), DHCP6_R_DUPLICATE);
}

static void duplicates_are_refused(void **state)
{
	uint8_t buf[sizeof(solicit) + 64];
	struct dhcp6_msg m;
	size_t n = sizeof(solicit);

	(void)state;
	/* a second Client Identifier */
	memcpy(buf, solicit, n);
	memcpy(buf + n, solicit + 4, 18);
	assert_int_equal(dhcp6_parse(buf, n + 18, &m), DHCP6_R_DUPLICATE);
	/* a second ORO, Elapsed Time */
	memcpy(buf + n, solicit + 28, 8);
	assert_int_equal(dhcp6_parse(buf, n + 8, &m), DHCP6_R_DUPLICATE);
	memcpy(buf + n, solicit + 22, 6);
	assert_int_equal(dhcp6_parse(buf, n + 6, &m), DHCP6_R_DUPLICATE);
	/* a second IA_PD with the same IAID; with another IAID it is kept */
	memcpy(buf + n, solicit + 36, 45);
	assert_int_equal(dhcp6_parse(buf, n + 45, &m), DHCP6_R_DUPLICATE);
	buf[n + 7] = 0x05;
	assert_int_equal(dhcp6_parse(buf, n + 45, &m), DHCP6_OK);
	assert_int_equal(m.n_ia_pd, 2);
	assert_int_equal(m.ia_pd[1].iaid, 0x01020305);
}

static void many_ias_are_counted_and_the_first_kept(void **state)
{
	uint8_t buf[4 + 10 * 16];
	struct dhcp6_msg m;
	size_t n = 4;

	(void)state;
	memset(buf, 0, sizeof(buf));
	buf[0] = DHCP6_SOLICIT;
	for (uint8_t i = 0; i < 10; i++) {
		buf[n + 1] = DHCP6_OPT_IA_PD;
		buf[n + 3] = 12;
		buf[n + 7] = i;		/* IAID i */
		n += 16;
	}
	assert_int_equal(dhcp6_parse(buf, n, &m), DHCP6_OK);
	assert_int_equal(m.ia_pd_seen, 10);
	assert_int_equal(m.n_ia_pd, DHCP6_MAX_IA);
	assert_int_equal(m.ia_pd[3].iaid, 3);
}

static void unknown_options_are_skipped(void **state)
{
	static const uint8_t v[5] = { 1, 2, 3, 4, 5 };

	(void)state;
	assert_int_equal(parse_one(0xfff0, 5, v, 5), DHCP6_OK);
	assert_int_equal(parse_one(39, 0, v, 0), DHCP6_OK);	/* FQDN, empty */
	assert_string_equal(dhcp6_result_name(DHCP6_R_BAD_DUID), "bad-duid");
	assert_string_equal(dhcp6_type_name(200), "?");
}

/* Reply fe80::1 port 547 -> fe80::2 port 546, payload 07 12 34 56:
 * checksum 0xc324 computed outside this code (Python, RFC 1071 over
 * RFC 8200 section 8.1's pseudo-header). */
static void udp_framing_has_the_right_checksum(void **state)
{
	static const uint8_t pl[] = { 7, 0x12, 0x34, 0x56 };
	uint8_t src[16], dst[16], pkt[128];
	struct dhcp6_udp u;
	size_t n;

	(void)state;
	a6("fe80::1", src);
	a6("fe80::2", dst);
	n = dhcp6_udp_build(pkt, sizeof(pkt), src, dst, 255, 547, 546, pl, sizeof(pl));
	assert_int_equal(n, 40 + 8 + 4);
	assert_int_equal(pkt[0], 0x60);
	assert_int_equal(pkt[4] << 8 | pkt[5], 12);
	assert_int_equal(pkt[6], 17);
	assert_int_equal(pkt[7], 255);
	assert_int_equal(pkt[46] << 8 | pkt[47], 0xc324);
	assert_int_equal(dhcp6_udp_parse(pkt, n, &u), DHCP6_UDP_OK);
	assert_memory_equal(u.src, src, 16);
	assert_memory_equal(u.dst, dst, 16);
	assert_int_equal(u.sport, 547);
	assert_int_equal(u.dport, 546);
	assert_int_equal(u.len, 4);
	assert_memory_equal(u.payload, pl, 4);
	assert_false(dhcp6_udp_to_server(pkt, n));	/* to 546 */
	/* trailing link padding past Payload Length is ignored */
	assert_int_equal(dhcp6_udp_parse(pkt, n + 3, &u), DHCP6_UDP_OK);
	assert_int_equal(dhcp6_udp_build(pkt, 51, src, dst, 255, 547, 546, pl, 4), 0);
}

static void malformed_udp_is_refused(void **state)
{
	static const uint8_t pl[] = { 1, 0, 0, 1 };
	uint8_t src[16], dst[16], pkt[128], bad[128];
	struct dhcp6_udp u;
	size_t n;

	(void)state;
	a6("fe80::2", src);
	a6("ff02::1:2", dst);
	n = dhcp6_udp_build(pkt, sizeof(pkt), src, dst, 1, 546, 547, pl, sizeof(pl));
	assert_true(dhcp6_udp_to_server(pkt, n));
	assert_false(dhcp6_udp_to_server(pkt, 47));
	assert_int_equal(dhcp6_udp_parse(pkt, n, &u), DHCP6_UDP_OK);
	assert_int_equal(dhcp6_udp_parse(pkt, 39, &u), DHCP6_UDP_SHORT);
	/* Payload Length past the packet, UDP length past the payload, or
	 * shorter than the UDP header */
	assert_int_equal(dhcp6_udp_parse(pkt, n - 1, &u), DHCP6_UDP_SHORT);
	memcpy(bad, pkt, n);
	bad[45] = 13;
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_SHORT);
	bad[45] = 7;
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_SHORT);
	memcpy(bad, pkt, n);
	bad[5] = 4;
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_SHORT);
	/* not IPv6, not UDP (an extension header is not followed) */
	memcpy(bad, pkt, n);
	bad[0] = 0x40;
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_NOT_UDP);
	assert_false(dhcp6_udp_to_server(bad, n));
	bad[0] = 0x60;
	bad[6] = 0;		/* Hop-by-Hop */
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_NOT_UDP);
	assert_false(dhcp6_udp_to_server(bad, n));
	/* a wrong checksum, a zero one (RFC 8200 section 8.1) */
	memcpy(bad, pkt, n);
	bad[n - 1] ^= 1;
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_CHECKSUM);
	memcpy(bad, pkt, n);
	bad[46] = bad[47] = 0;
	assert_int_equal(dhcp6_udp_parse(bad, n, &u), DHCP6_UDP_CHECKSUM);
	assert_string_equal(dhcp6_udp_err_name(DHCP6_UDP_CHECKSUM), "checksum");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(solicit_from_a_real_client_parses),
		cmocka_unit_test(advertise_is_written_as_the_rfc_says),
		cmocka_unit_test(every_part_round_trips),
		cmocka_unit_test(inconsistent_or_too_small_is_not_built),
		cmocka_unit_test(malformed_messages_are_refused),
		cmocka_unit_test(duplicates_are_refused),
		cmocka_unit_test(many_ias_are_counted_and_the_first_kept),
		cmocka_unit_test(unknown_options_are_skipped),
		cmocka_unit_test(udp_framing_has_the_right_checksum),
		cmocka_unit_test(malformed_udp_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
