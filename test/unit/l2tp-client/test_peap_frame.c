/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The test client's PEAPv0 framing (test/tools/l2tp-client/peap_frame.c):
 * the server's bytes parsed with every length checked (Flags and TLS
 * Message Length, fragments against it, tunnelled EAP, EAP-MSCHAPv2,
 * TLVs), and our fragments, Response and Result built as the drafts say.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "peap_frame.h"

static void test_flags_and_length_are_split(void **state)
{
	static const uint8_t start[] = { 0x20 };
	static const uint8_t first[] = { 0xC0, 0, 0, 0x07, 0xD0, 0x16, 0x03 };
	static const uint8_t plain[] = { 0x00, 0x17 };
	struct peap_frag f;

	(void)state;
	assert_int_equal(peap_frag_parse(start, sizeof(start), &f), PEAP_F_OK);
	assert_true(f.flags & PEAP_FLAG_S);
	assert_int_equal(f.version, 0);
	assert_int_equal(f.len, 0);
	assert_int_equal(peap_frag_parse(first, sizeof(first), &f), PEAP_F_OK);
	assert_true(f.has_length);
	assert_int_equal(f.tls_length, 2000);
	assert_int_equal(f.len, 2);
	assert_int_equal(f.data[0], 0x16);
	assert_int_equal(peap_frag_parse(plain, sizeof(plain), &f), PEAP_F_OK);
	assert_false(f.has_length);
	assert_int_equal(f.len, 1);
}

static void test_malformed_flags_and_lengths_are_refused(void **state)
{
	static const uint8_t short_len[] = { 0x80, 0, 0, 1 };
	static const uint8_t huge[] = { 0x80, 0x00, 0x01, 0x00, 0x01, 0x16 };
	static const uint8_t max[] = { 0x80, 0x00, 0x01, 0x00, 0x00 };
	struct peap_frag f;

	(void)state;
	assert_int_equal(peap_frag_parse(NULL, 0, &f), PEAP_F_EMPTY);
	assert_int_equal(peap_frag_parse(short_len, sizeof(short_len), &f), PEAP_F_TRUNCATED);
	assert_int_equal(peap_frag_parse(short_len, 1, &f), PEAP_F_TRUNCATED);
	assert_int_equal(peap_frag_parse(huge, sizeof(huge), &f), PEAP_F_TOO_LONG);
	assert_int_equal(peap_frag_parse(max, sizeof(max), &f), PEAP_F_OK);
	assert_int_equal(f.tls_length, PEAP_MAX_MESSAGE);
}

static void frag(struct peap_frag *f, uint8_t flags, bool has_len, uint32_t total, size_t len)
{
	static const uint8_t bytes[2048];

	memset(f, 0, sizeof(*f));
	f->flags = flags;
	f->has_length = has_len;
	f->tls_length = total;
	f->data = bytes;
	f->len = len;
}

static void test_fragments_add_up_to_the_announced_length(void **state)
{
	struct peap_reasm r = { 0 };
	struct peap_frag f;
	bool done;

	(void)state;
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 2500, 1000);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	assert_false(done);
	frag(&f, PEAP_FLAG_M, false, 0, 1000);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	assert_false(done);
	frag(&f, 0, false, 0, 500);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	assert_true(done);
	/* the next message starts afresh */
	assert_int_equal(r.total, 0);
	assert_int_equal(r.got, 0);
	/* an unfragmented message without L (RFC 5216 3.1 allows it) */
	frag(&f, 0, false, 0, 300);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	assert_true(done);
}

static void test_fragments_past_or_short_of_the_length_are_refused(void **state)
{
	struct peap_reasm r = { 0 };
	struct peap_frag f;
	bool done;

	(void)state;
	/* past it */
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 1500, 1000);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	frag(&f, 0, false, 0, 501);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OVERRUN);
	assert_false(done);
	assert_int_equal(r.got, 0);	/* reset after an error */
	/* the first fragment alone longer than the length */
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 100, 101);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OVERRUN);
	/* short of it */
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 1500, 1000);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	frag(&f, 0, false, 0, 499);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_SHORT);
	/* L again, with another length */
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 1500, 1000);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 1600, 100);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_LENGTH_CHANGED);
	/* L first seen after bytes already beyond it */
	frag(&f, PEAP_FLAG_M, false, 0, 1000);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OK);
	frag(&f, PEAP_FLAG_L | PEAP_FLAG_M, true, 900, 10);
	assert_int_equal(peap_reasm_add(&r, &f, &done), PEAP_F_OVERRUN);
}

static void test_endless_fragments_without_length_stop_at_the_bound(void **state)
{
	struct peap_reasm r = { 0 };
	struct peap_frag f;
	enum peap_frame_err e = PEAP_F_OK;
	bool done;
	int i;

	(void)state;
	frag(&f, PEAP_FLAG_M, false, 0, 1024);
	for (i = 0; i < 1000 && e == PEAP_F_OK; i++)
		e = peap_reasm_add(&r, &f, &done);
	assert_int_equal(e, PEAP_F_OVERRUN);
	assert_int_equal(i, PEAP_MAX_MESSAGE / 1024 + 1);
}

static void test_our_fragments_carry_l_then_m(void **state)
{
	uint8_t msg[2500], out[1000];
	size_t off = 0, got = 0;
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	n = peap_frag_build(msg, sizeof(msg), &off, out, sizeof(out));
	assert_int_equal(n, 1000);
	assert_int_equal(out[0], PEAP_FLAG_L | PEAP_FLAG_M);
	assert_int_equal(out[1] << 24 | out[2] << 16 | out[3] << 8 | out[4], 2500);
	assert_memory_equal(out + 5, msg, 995);
	got += 995;
	n = peap_frag_build(msg, sizeof(msg), &off, out, sizeof(out));
	assert_int_equal(n, 1000);
	assert_int_equal(out[0], PEAP_FLAG_M);
	assert_memory_equal(out + 1, msg + got, 999);
	got += 999;
	n = peap_frag_build(msg, sizeof(msg), &off, out, sizeof(out));
	assert_int_equal(n, 1 + 506);
	assert_int_equal(out[0], 0);
	assert_memory_equal(out + 1, msg + got, 506);
	assert_int_equal(off, sizeof(msg));
	/* a message that fits goes whole, without L */
	off = 0;
	n = peap_frag_build(msg, 999, &off, out, sizeof(out));
	assert_int_equal(n, 1000);
	assert_int_equal(out[0], 0);
	/* no room for a header and one octet */
	off = 0;
	assert_int_equal(peap_frag_build(msg, sizeof(msg), &off, out, 5), -1);
	assert_int_equal(peap_frag_build(msg, sizeof(msg), &off, out, 1), -1);
	off = sizeof(msg) + 1;
	assert_int_equal(peap_frag_build(msg, sizeof(msg), &off, out, sizeof(out)), -1);
}

static void test_inner_compressed_and_full_forms(void **state)
{
	static const uint8_t comp_mschap[] = { 26, 1, 7, 0, 4 };
	static const uint8_t comp_ident[] = { 1 };
	static const uint8_t full_ident[] = { 1, 0x33, 0, 5, 1 };
	static const uint8_t full_tlv[] = { 1, 0x34, 0, 11, 33, 0x80, 3, 0, 2, 0, 1 };
	struct peap_inner in;

	(void)state;
	assert_int_equal(peap_inner_parse(comp_mschap, sizeof(comp_mschap), 9, &in), PEAP_I_OK);
	assert_false(in.full_header);
	assert_int_equal(in.type, 26);
	assert_int_equal(in.id, 9);
	assert_int_equal(in.len, 4);
	assert_int_equal(peap_inner_parse(comp_ident, 1, 9, &in), PEAP_I_OK);
	assert_int_equal(in.type, 1);
	assert_int_equal(in.len, 0);
	assert_int_equal(peap_inner_parse(full_ident, sizeof(full_ident), 9, &in), PEAP_I_OK);
	assert_true(in.full_header);
	assert_int_equal(in.type, 1);
	assert_int_equal(in.id, 0x33);
	assert_int_equal(in.len, 0);
	assert_int_equal(peap_inner_parse(full_tlv, sizeof(full_tlv), 9, &in), PEAP_I_OK);
	assert_true(in.full_header);
	assert_int_equal(in.type, 33);
	assert_int_equal(in.id, 0x34);
	assert_int_equal(in.len, 6);
}

static void test_inner_bad_lengths_are_refused(void **state)
{
	static const uint8_t tlv_past[] = { 1, 0x34, 0, 12, 33, 0x80, 3, 0, 2, 0, 1 };
	static const uint8_t tlv_short[] = { 1, 0x34, 0, 4, 33, 0x80 };
	static const uint8_t tlv_response[] = { 2, 0x34, 0, 6, 33, 0x80 };
	struct peap_inner in;

	(void)state;
	assert_int_equal(peap_inner_parse(NULL, 0, 1, &in), PEAP_I_EMPTY);
	assert_int_equal(peap_inner_parse(tlv_past, sizeof(tlv_past), 1, &in), PEAP_I_BAD_LENGTH);
	assert_int_equal(peap_inner_parse(tlv_short, sizeof(tlv_short), 1, &in), PEAP_I_BAD_LENGTH);
	assert_int_equal(peap_inner_parse(tlv_response, sizeof(tlv_response), 1, &in),
			 PEAP_I_NOT_REQUEST);
}

static void test_mschapv2_challenge_success_failure(void **state)
{
	/* FreeRADIUS's Challenge: id 0x54, MS-Length 37, 16 octets, name */
	static const uint8_t ch[] = { 1, 0x54, 0, 0x25, 0x10,
		0x97, 0x35, 0x34, 0x89, 0x0f, 0x82, 0x05, 0xd4, 0x28, 0x6a, 0x1a, 0x4e,
		0x0d, 0xa0, 0xbf, 0xdf, 'f', 'r', 'e', 'e', 'r', 'a', 'd', 'i', 'u', 's',
		'-', '3', '.', '2', '.', '1' };
	static const uint8_t ok[] = { 3, 0x54, 0, 8, 'S', '=', '1', '2' };
	static const uint8_t no[] = { 4, 0x54, 0, 13, 'E', '=', '6', '9', '1', ' ', 'R', '=', '1' };
	struct peap_mschapv2 m;

	(void)state;
	assert_int_equal(peap_mschapv2_parse(ch, sizeof(ch), &m), PEAP_M_OK);
	assert_int_equal(m.opcode, MSCHAPV2_OP_CHALLENGE);
	assert_int_equal(m.ms_id, 0x54);
	assert_int_equal(m.challenge[0], 0x97);
	assert_int_equal(m.name_len, 16);
	assert_memory_equal(m.name, "freeradius-3.2.1", 16);
	assert_int_equal(peap_mschapv2_parse(ok, sizeof(ok), &m), PEAP_M_OK);
	assert_int_equal(m.opcode, MSCHAPV2_OP_SUCCESS);
	assert_int_equal(m.message_len, 4);
	assert_int_equal(peap_mschapv2_parse(no, sizeof(no), &m), PEAP_M_OK);
	assert_int_equal(m.opcode, MSCHAPV2_OP_FAILURE);
	assert_int_equal(peap_failure_code(m.message, m.message_len), 691);
}

static void test_mschapv2_malformed(void **state)
{
	static const uint8_t short_hdr[] = { 1, 0x54, 0 };
	static const uint8_t ms_past[] = { 3, 0x54, 0, 9, 'S', '=', '1', '2' };
	static const uint8_t ms_under[] = { 3, 0x54, 0, 3, 'S' };
	static const uint8_t vsize[] = { 1, 0x54, 0, 0x15, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,
					 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t ch_short[] = { 1, 0x54, 0, 0x14, 0x10, 1, 2, 3, 4, 5, 6, 7, 8,
					    9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t no_vsize[] = { 1, 0x54, 0, 4 };
	static const uint8_t response[] = { 2, 0x54, 0, 4 };
	struct peap_mschapv2 m;

	(void)state;
	assert_int_equal(peap_mschapv2_parse(short_hdr, sizeof(short_hdr), &m), PEAP_M_TRUNCATED);
	assert_int_equal(peap_mschapv2_parse(ms_past, sizeof(ms_past), &m), PEAP_M_BAD_LENGTH);
	assert_int_equal(peap_mschapv2_parse(ms_under, sizeof(ms_under), &m), PEAP_M_BAD_LENGTH);
	assert_int_equal(peap_mschapv2_parse(vsize, sizeof(vsize), &m), PEAP_M_BAD_VALUE_SIZE);
	/* MS-Length cuts the Challenge short though the bytes are there */
	assert_int_equal(peap_mschapv2_parse(ch_short, sizeof(ch_short), &m), PEAP_M_TRUNCATED);
	assert_int_equal(peap_mschapv2_parse(no_vsize, sizeof(no_vsize), &m), PEAP_M_TRUNCATED);
	assert_int_equal(peap_mschapv2_parse(response, sizeof(response), &m), PEAP_M_OPCODE);
}

static void test_mschapv2_response_layout(void **state)
{
	uint8_t pc[16], nt[24], out[64];
	int n;

	(void)state;
	memset(pc, 0x11, sizeof(pc));
	memset(nt, 0x22, sizeof(nt));
	n = peap_mschapv2_response(0x54, pc, nt, (const uint8_t *)"alice", 5, out, sizeof(out));
	/* draft-kamath-pppext-eap-mschapv2 2.2, and what FreeRADIUS took */
	assert_int_equal(n, 59);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 0x54);
	assert_int_equal(out[2] << 8 | out[3], 59);
	assert_int_equal(out[4], 49);
	assert_memory_equal(out + 5, pc, 16);
	assert_int_equal(out[21], 0);
	assert_int_equal(out[28], 0);
	assert_memory_equal(out + 29, nt, 24);
	assert_int_equal(out[53], 0);
	assert_memory_equal(out + 54, "alice", 5);
	assert_int_equal(peap_mschapv2_response(0x54, pc, nt, (const uint8_t *)"alice", 5,
						out, 58), -1);
}

static void test_result_tlv(void **state)
{
	static const uint8_t success[] = { 0x80, 3, 0, 2, 0, 1 };
	static const uint8_t failure[] = { 0x00, 3, 0, 2, 0, 2 };
	static const uint8_t with_optional[] = { 0x00, 7, 0, 1, 0xAA, 0x80, 3, 0, 2, 0, 1 };
	static const uint8_t crypto_binding[] = { 0x80, 12, 0, 0, 0x80, 3, 0, 2, 0, 1 };
	static const uint8_t truncated_hdr[] = { 0x80, 3, 0 };
	static const uint8_t value_past[] = { 0x80, 3, 0, 3, 0, 1 };
	static const uint8_t bad_len[] = { 0x80, 3, 0, 1, 0 };
	static const uint8_t bad_status[] = { 0x80, 3, 0, 2, 0, 3 };
	static const uint8_t none[] = { 0x00, 7, 0, 0 };
	uint16_t st;

	(void)state;
	assert_int_equal(peap_tlv_result(success, sizeof(success), &st), PEAP_T_OK);
	assert_int_equal(st, PEAP_RESULT_SUCCESS);
	assert_int_equal(peap_tlv_result(failure, sizeof(failure), &st), PEAP_T_OK);
	assert_int_equal(st, PEAP_RESULT_FAILURE);
	assert_int_equal(peap_tlv_result(with_optional, sizeof(with_optional), &st), PEAP_T_OK);
	assert_int_equal(st, PEAP_RESULT_SUCCESS);
	assert_int_equal(peap_tlv_result(crypto_binding, sizeof(crypto_binding), &st),
			 PEAP_T_UNKNOWN_MANDATORY);
	assert_int_equal(peap_tlv_result(truncated_hdr, sizeof(truncated_hdr), &st),
			 PEAP_T_TRUNCATED);
	assert_int_equal(peap_tlv_result(value_past, sizeof(value_past), &st), PEAP_T_TRUNCATED);
	assert_int_equal(peap_tlv_result(bad_len, sizeof(bad_len), &st), PEAP_T_BAD_RESULT);
	assert_int_equal(peap_tlv_result(bad_status, sizeof(bad_status), &st), PEAP_T_BAD_RESULT);
	assert_int_equal(peap_tlv_result(none, sizeof(none), &st), PEAP_T_NO_RESULT);
	assert_int_equal(peap_tlv_result(NULL, 0, &st), PEAP_T_NO_RESULT);
}

static void test_result_response_is_a_whole_eap_packet(void **state)
{
	static const uint8_t want[] = { 2, 0x77, 0, 11, 33, 0x80, 3, 0, 2, 0, 1 };
	uint8_t out[PEAP_RESULT_RESPONSE_LEN];

	(void)state;
	peap_result_response(0x77, PEAP_RESULT_SUCCESS, out);
	assert_memory_equal(out, want, sizeof(want));
}

static void test_failure_code(void **state)
{
	static const char a[] = "E=691 R=1 C=00 V=3 M=Authentication rejected";
	static const char b[] = "M=x E=649";
	static const char c[] = "XE=12";
	static const char d[] = "E=";
	static const char e[] = "E=99999999999999999999";

	(void)state;
	assert_int_equal(peap_failure_code((const uint8_t *)a, strlen(a)), 691);
	assert_int_equal(peap_failure_code((const uint8_t *)b, strlen(b)), 649);
	assert_int_equal(peap_failure_code((const uint8_t *)c, strlen(c)), 0);
	assert_int_equal(peap_failure_code((const uint8_t *)d, strlen(d)), 0);
	assert_true(peap_failure_code((const uint8_t *)e, strlen(e)) < 1000000000u);
	assert_int_equal(peap_failure_code(NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_and_length_are_split),
		cmocka_unit_test(test_malformed_flags_and_lengths_are_refused),
		cmocka_unit_test(test_fragments_add_up_to_the_announced_length),
		cmocka_unit_test(test_fragments_past_or_short_of_the_length_are_refused),
		cmocka_unit_test(test_endless_fragments_without_length_stop_at_the_bound),
		cmocka_unit_test(test_our_fragments_carry_l_then_m),
		cmocka_unit_test(test_inner_compressed_and_full_forms),
		cmocka_unit_test(test_inner_bad_lengths_are_refused),
		cmocka_unit_test(test_mschapv2_challenge_success_failure),
		cmocka_unit_test(test_mschapv2_malformed),
		cmocka_unit_test(test_mschapv2_response_layout),
		cmocka_unit_test(test_result_tlv),
		cmocka_unit_test(test_result_response_is_a_whole_eap_packet),
		cmocka_unit_test(test_failure_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
