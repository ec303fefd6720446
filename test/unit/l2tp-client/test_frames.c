/* SPDX-License-Identifier: GPL-2.0-or-later */
/* frames.c: ICMP echo over IPv4, PPP framing, MS-CHAPv2 Failure text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "frames.h"

#define SRC 0xC633640Au	/* 198.51.100.10 */
#define DST 0xC6336401u	/* 198.51.100.1 */

/* Turn a request we built into the reply the peer would send: swap the
 * addresses, type 0, fix both checksums (what a real stack does). */
static void make_reply(uint8_t *p)
{
	uint8_t tmp[4];
	uint16_t c;

	memcpy(tmp, p + 12, 4);
	memcpy(p + 12, p + 16, 4);
	memcpy(p + 16, tmp, 4);
	p[10] = p[11] = 0;
	c = inet_checksum(p, 20);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	p[20] = 0;
	p[22] = p[23] = 0;
	c = inet_checksum(p + 20, ICMP_HDR_LEN + ICMP_ECHO_PAYLOAD);
	p[22] = (uint8_t)(c >> 8);
	p[23] = (uint8_t)c;
}

static size_t reply(uint8_t *buf, uint16_t ident, uint16_t seq)
{
	size_t n = icmp_echo_build(buf, ICMP_ECHO_PACKET_LEN, SRC, DST, 7, ident, seq);

	make_reply(buf);
	return n;
}

static void test_checksum_of_rfc1071_example(void **state)
{
	/* RFC 1071 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2, complement 220d */
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	(void)state;
	assert_int_equal(inet_checksum(b, sizeof(b)), 0x220d);
}

static void test_checksum_pads_odd_length_with_zero(void **state)
{
	const uint8_t odd[] = {0x12, 0x34, 0x56};
	const uint8_t even[] = {0x12, 0x34, 0x56, 0x00};

	(void)state;
	assert_int_equal(inet_checksum(odd, 3), inet_checksum(even, 4));
}

static void test_echo_request_has_valid_headers(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];

	(void)state;
	assert_int_equal(icmp_echo_build(p, sizeof(p), SRC, DST, 9, 0x1234, 5), ICMP_ECHO_PACKET_LEN);
	assert_int_equal(p[0], 0x45);
	assert_int_equal(p[2] << 8 | p[3], ICMP_ECHO_PACKET_LEN);
	assert_int_equal(p[9], 1);				/* ICMP */
	assert_int_equal(inet_checksum(p, 20), 0);		/* header checksum verifies */
	assert_int_equal(p[20], 8);				/* echo request */
	assert_int_equal(inet_checksum(p + 20, ICMP_HDR_LEN + ICMP_ECHO_PAYLOAD), 0);
	assert_int_equal(p[24] << 8 | p[25], 0x1234);
	assert_int_equal(p[26] << 8 | p[27], 5);
	assert_memory_equal(p + 12, "\xC6\x33\x64\x0A", 4);
}

static void test_echo_request_refuses_small_buffer(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];

	(void)state;
	assert_int_equal(icmp_echo_build(p, sizeof(p) - 1, SRC, DST, 1, 1, 1), 0);
}

static void test_echo_reply_is_parsed(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 42, 3);
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_OK);
	assert_int_equal(r.src, DST);
	assert_int_equal(r.dst, SRC);
	assert_int_equal(r.ident, 42);
	assert_int_equal(r.seq, 3);
}

static void test_echo_request_is_not_a_reply(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	icmp_echo_build(p, sizeof(p), SRC, DST, 1, 1, 1);
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_NOT_ECHO_REPLY);
}

static void test_echo_reply_truncated_at_every_length(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	for (size_t n = 0; n < 20; n++)
		assert_int_equal(icmp_echo_reply_parse(p, n, &r), ECHO_R_TRUNCATED);
	/* shorter than Total Length says */
	for (size_t n = 20; n < sizeof(p); n++)
		assert_int_equal(icmp_echo_reply_parse(p, n, &r), ECHO_R_BAD_TOTAL_LENGTH);
}

static void test_echo_reply_not_ipv4(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[0] = 0x65;
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_NOT_IPV4);
}

static void test_echo_reply_header_length_below_20_or_past_end(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[0] = 0x44;
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_BAD_IHL);
	p[0] = 0x4f;	/* 60 bytes of header in a 60-byte packet: fine for IHL... */
	assert_int_equal(icmp_echo_reply_parse(p, 40, &r), ECHO_R_BAD_IHL);
}

static void test_echo_reply_total_length_inside_header(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[2] = 0;
	p[3] = 10;
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_BAD_TOTAL_LENGTH);
}

static void test_echo_reply_with_trailing_padding_is_accepted(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN + 8];
	struct echo_reply r;

	(void)state;
	memset(p, 0xee, sizeof(p));
	reply(p, 1, 2);
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_OK);
	assert_int_equal(r.seq, 2);
}

static void test_echo_reply_bad_ip_checksum(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[8] ^= 1;	/* TTL changed, checksum not */
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_BAD_IP_CHECKSUM);
}

static void test_echo_reply_bad_icmp_checksum(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[40] ^= 0xff;
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_BAD_ICMP_CHECKSUM);
}

static void refix_ip_checksum(uint8_t *p)
{
	uint16_t c;

	p[10] = p[11] = 0;
	c = inet_checksum(p, 20);
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
}

static void test_echo_reply_fragment_rejected(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[6] = 0x20;	/* MF */
	refix_ip_checksum(p);
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_FRAGMENT);
}

static void test_echo_reply_other_protocol_rejected(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[9] = 17;
	refix_ip_checksum(p);
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_NOT_ICMP);
}

static void test_echo_reply_icmp_header_cut_short(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN];
	struct echo_reply r;

	(void)state;
	reply(p, 1, 1);
	p[2] = 0;
	p[3] = 24;	/* 4 octets of ICMP */
	refix_ip_checksum(p);
	assert_int_equal(icmp_echo_reply_parse(p, sizeof(p), &r), ECHO_R_ICMP_TRUNCATED);
}

static void test_echo_reply_with_ip_options(void **state)
{
	uint8_t p[ICMP_ECHO_PACKET_LEN], q[ICMP_ECHO_PACKET_LEN + 4];
	struct echo_reply r;

	(void)state;
	reply(p, 5, 6);
	/* IHL 6: one word of NOP options between header and ICMP */
	memcpy(q, p, 20);
	memset(q + 20, 1, 4);
	memcpy(q + 24, p + 20, ICMP_ECHO_PACKET_LEN - 20);
	q[0] = 0x46;
	q[3] = (uint8_t)(ICMP_ECHO_PACKET_LEN + 4);
	q[10] = q[11] = 0;
	{
		uint16_t c = inet_checksum(q, 24);

		q[10] = (uint8_t)(c >> 8);
		q[11] = (uint8_t)c;
	}
	assert_int_equal(icmp_echo_reply_parse(q, sizeof(q), &r), ECHO_OK);
	assert_int_equal(r.ident, 5);
	assert_int_equal(r.seq, 6);
}

static void test_echo_request_is_answered_like_a_host(void **state)
{
	uint8_t req[ICMP_ECHO_PACKET_LEN], rep[ICMP_ECHO_PACKET_LEN + 4];
	struct echo_reply r;

	(void)state;
	icmp_echo_build(req, sizeof(req), SRC, DST, 3, 77, 9);
	assert_int_equal(icmp_echo_request_parse(req, sizeof(req), &r), ECHO_OK);
	assert_int_equal(icmp_echo_answer(req, sizeof(req), rep, sizeof(rep)), ICMP_ECHO_PACKET_LEN);
	assert_int_equal(icmp_echo_reply_parse(rep, ICMP_ECHO_PACKET_LEN, &r), ECHO_OK);
	assert_int_equal(r.src, DST);
	assert_int_equal(r.dst, SRC);
	assert_int_equal(r.ident, 77);
	assert_int_equal(r.seq, 9);
	assert_memory_equal(rep + 28, req + 28, ICMP_ECHO_PAYLOAD);
}

static void test_only_valid_echo_requests_are_answered(void **state)
{
	uint8_t req[ICMP_ECHO_PACKET_LEN], rep[ICMP_ECHO_PACKET_LEN];

	(void)state;
	reply(req, 1, 1);	/* a reply is not answered */
	assert_int_equal(icmp_echo_answer(req, sizeof(req), rep, sizeof(rep)), 0);
	icmp_echo_build(req, sizeof(req), SRC, DST, 3, 77, 9);
	assert_int_equal(icmp_echo_answer(req, sizeof(req) - 1, rep, sizeof(rep)), 0);
	assert_int_equal(icmp_echo_answer(req, sizeof(req), rep, sizeof(rep) - 1), 0);
}

static void test_echo_reject_names_cover_every_reason(void **state)
{
	(void)state;
	for (int r = 0; r < ECHO_R_MAX; r++)
		assert_non_null(echo_reject_name((enum echo_reject)r));
	assert_string_equal(echo_reject_name(ECHO_R_MAX), "?");
}

static void test_peel_full_and_compressed_framing(void **state)
{
	const uint8_t full[] = {0xff, 0x03, 0xc0, 0x21, 0x01};
	const uint8_t no_ac[] = {0xc0, 0x21, 0x01};
	const uint8_t pfc[] = {0x21, 0x45};
	const uint8_t both[] = {0xff, 0x03, 0x21, 0x45};
	uint16_t proto;
	size_t off;

	(void)state;
	assert_true(ppp_frame_peel(full, sizeof(full), &proto, &off));
	assert_int_equal(proto, 0xc021);
	assert_int_equal(off, 4);
	assert_true(ppp_frame_peel(no_ac, sizeof(no_ac), &proto, &off));
	assert_int_equal(proto, 0xc021);
	assert_int_equal(off, 2);
	assert_true(ppp_frame_peel(pfc, sizeof(pfc), &proto, &off));
	assert_int_equal(proto, 0x21);
	assert_int_equal(off, 1);
	assert_true(ppp_frame_peel(both, sizeof(both), &proto, &off));
	assert_int_equal(proto, 0x21);
	assert_int_equal(off, 3);
}

static void test_peel_truncated(void **state)
{
	const uint8_t ac_only[] = {0xff, 0x03};
	const uint8_t half_proto[] = {0xff, 0x03, 0xc0};
	uint16_t proto;
	size_t off;

	(void)state;
	assert_false(ppp_frame_peel(ac_only, 0, &proto, &off));
	assert_false(ppp_frame_peel(ac_only, sizeof(ac_only), &proto, &off));
	assert_false(ppp_frame_peel(half_proto, sizeof(half_proto), &proto, &off));
}

static size_t chap_frame(uint8_t *buf, uint8_t code, const char *text)
{
	size_t n = strlen(text);

	buf[0] = 0xff;
	buf[1] = 0x03;
	buf[2] = 0xc2;
	buf[3] = 0x23;
	buf[4] = code;
	buf[5] = 1;
	buf[6] = (uint8_t)((n + 4) >> 8);
	buf[7] = (uint8_t)(n + 4);
	memcpy(buf + 8, text, n);
	return 8 + n;
}

static void test_mschapv2_failure_code_and_message(void **state)
{
	uint8_t b[256];
	struct mschap_failure f;
	size_t n = chap_frame(b, 4, "E=691 R=1 C=00112233445566778899AABBCCDDEEFF V=3 M=Authentication failure");

	(void)state;
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_OK);
	assert_true(f.has_code);
	assert_int_equal(f.code, 691);
	assert_true(f.has_retry);
	assert_int_equal(f.retry, 1);
	assert_string_equal(f.message, "Authentication failure");
}

static void test_mschapv2_failure_without_message(void **state)
{
	uint8_t b[64];
	struct mschap_failure f;
	size_t n = chap_frame(b, 4, "E=649 R=0");

	(void)state;
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_OK);
	assert_int_equal(f.code, 649);
	assert_string_equal(f.message, "");
}

static void test_mschapv2_failure_message_non_printable_dropped_and_truncated(void **state)
{
	uint8_t b[400];
	char text[300];
	struct mschap_failure f;
	size_t n;

	(void)state;
	strcpy(text, "E=648 M=a\x01" "b");
	memset(text + strlen(text), 'x', 200);
	text[211] = '\0';
	n = chap_frame(b, 4, text);
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_OK);
	assert_int_equal(f.code, 648);
	assert_int_equal(strlen(f.message), sizeof(f.message) - 1);
	assert_memory_equal(f.message, "abxx", 4);
}

static void test_mschapv2_failure_garbage_code_is_not_a_code(void **state)
{
	uint8_t b[64];
	struct mschap_failure f;
	size_t n = chap_frame(b, 4, "E=abc E=");

	(void)state;
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_OK);
	assert_false(f.has_code);
}

static void test_chap_success_and_other_protocols_are_not_failures(void **state)
{
	uint8_t b[64];
	struct mschap_failure f;
	size_t n = chap_frame(b, 3, "S=00");

	(void)state;
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_NOT_FAILURE);
	b[2] = 0xc0;
	b[3] = 0x21;
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_NOT_CHAP);
}

static void test_chap_failure_length_past_frame_or_below_header(void **state)
{
	uint8_t b[64];
	struct mschap_failure f;
	size_t n = chap_frame(b, 4, "E=691");

	(void)state;
	assert_int_equal(chap_failure_parse(b, n - 1, &f), CHAP_F_BAD_LENGTH);
	b[7] = 3;
	assert_int_equal(chap_failure_parse(b, n, &f), CHAP_F_BAD_LENGTH);
	assert_int_equal(chap_failure_parse(b, 6, &f), CHAP_F_TRUNCATED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_of_rfc1071_example),
		cmocka_unit_test(test_checksum_pads_odd_length_with_zero),
		cmocka_unit_test(test_echo_request_has_valid_headers),
		cmocka_unit_test(test_echo_request_refuses_small_buffer),
		cmocka_unit_test(test_echo_reply_is_parsed),
		cmocka_unit_test(test_echo_request_is_not_a_reply),
		cmocka_unit_test(test_echo_reply_truncated_at_every_length),
		cmocka_unit_test(test_echo_reply_not_ipv4),
		cmocka_unit_test(test_echo_reply_header_length_below_20_or_past_end),
		cmocka_unit_test(test_echo_reply_total_length_inside_header),
		cmocka_unit_test(test_echo_reply_with_trailing_padding_is_accepted),
		cmocka_unit_test(test_echo_reply_bad_ip_checksum),
		cmocka_unit_test(test_echo_reply_bad_icmp_checksum),
		cmocka_unit_test(test_echo_reply_fragment_rejected),
		cmocka_unit_test(test_echo_reply_other_protocol_rejected),
		cmocka_unit_test(test_echo_reply_icmp_header_cut_short),
		cmocka_unit_test(test_echo_reply_with_ip_options),
		cmocka_unit_test(test_echo_request_is_answered_like_a_host),
		cmocka_unit_test(test_only_valid_echo_requests_are_answered),
		cmocka_unit_test(test_echo_reject_names_cover_every_reason),
		cmocka_unit_test(test_peel_full_and_compressed_framing),
		cmocka_unit_test(test_peel_truncated),
		cmocka_unit_test(test_mschapv2_failure_code_and_message),
		cmocka_unit_test(test_mschapv2_failure_without_message),
		cmocka_unit_test(test_mschapv2_failure_message_non_printable_dropped_and_truncated),
		cmocka_unit_test(test_mschapv2_failure_garbage_code_is_not_a_code),
		cmocka_unit_test(test_chap_success_and_other_protocols_are_not_failures),
		cmocka_unit_test(test_chap_failure_length_past_frame_or_below_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
