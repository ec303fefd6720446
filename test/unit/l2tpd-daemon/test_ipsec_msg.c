/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin <-> l2tpd message codec (lib/ipsec-msg/l2tp_ipsec_msg.h,
 * docs/ipsec.md): what is accepted, and every reason a message is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "l2tp_ipsec_msg.h"

static const uint8_t V4_PEER[4] = { 203, 0, 113, 7 };
static const uint8_t V4_LOCAL[4] = { 192, 0, 2, 1 };

static uint8_t buf[L2TP_IPSEC_MSG_MAX + 16];
static struct l2tp_ipsec_msg M;

/* A complete IKE_UP as the plugin sends it. */
static size_t ike_up(void)
{
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_IKE_UP);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, 42);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_PEER_ADDR, 4, V4_PEER);
	l2tp_ipsec_put_u16(&w, L2TP_IPSEC_A_PEER_PORT, 4500);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_LOCAL_ADDR, 4, V4_LOCAL);
	l2tp_ipsec_put_u16(&w, L2TP_IPSEC_A_LOCAL_PORT, 4500);
	l2tp_ipsec_put_u8(&w, L2TP_IPSEC_A_IKE_VERSION, 1);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_LOCAL_ID, "vpn.example.com");
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_REMOTE_ID, "C=CH, O=Example, CN=laptop-7");
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_CERT_SUBJECT, "C=CH, O=Example, CN=laptop-7");
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_CERT_ISSUER, "C=CH, O=Example, CN=Example CA");
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_NAME, "l2tp-cert");
	return l2tp_ipsec_end(&w);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Append a raw attribute and fix the header length. */
static size_t append_raw(size_t len, uint16_t type, const void *v, uint16_t n)
{
	put_be16(buf + len, type);
	put_be16(buf + len + 2, n);
	memcpy(buf + len + 4, v, n);
	len += 4 + n;
	put_be16(buf + 2, (uint16_t)len);
	return len;
}

static size_t header_only(uint8_t type)
{
	buf[0] = L2TP_IPSEC_VERSION;
	buf[1] = type;
	put_be16(buf + 2, 4);
	return 4;
}

static void ike_up_round_trips_every_attribute(void **state)
{
	size_t n = ike_up();

	assert_true(n > 0);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_int_equal(M.type, L2TP_IPSEC_IKE_UP);
	assert_int_equal(M.ike_id, 42);
	assert_int_equal(M.peer.family, 4);
	assert_memory_equal(M.peer.addr, V4_PEER, 4);
	assert_int_equal(M.peer_port, 4500);
	assert_int_equal(M.local.family, 4);
	assert_memory_equal(M.local.addr, V4_LOCAL, 4);
	assert_int_equal(M.ike_version, 1);
	assert_int_equal(M.remote_id.len, strlen("C=CH, O=Example, CN=laptop-7"));
	assert_memory_equal(M.remote_id.p, "C=CH, O=Example, CN=laptop-7", M.remote_id.len);
	assert_memory_equal(M.cert_issuer.p, "C=CH, O=Example, CN=Example CA", M.cert_issuer.len);
	assert_memory_equal(M.name.p, "l2tp-cert", M.name.len);
	assert_true(l2tp_ipsec_has(&M, L2TP_IPSEC_A_CERT_SUBJECT));
	assert_false(l2tp_ipsec_has(&M, L2TP_IPSEC_A_MARK_IN));
}

static void child_up_carries_marks_encap_and_ipv6_peer(void **state)
{
	struct l2tp_ipsec_writer w;
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	size_t n;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_CHILD_UP);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, 7);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_CHILD_ID, 9);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_PEER_ADDR, 6, v6);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_MARK_IN, 0x2);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_MARK_OUT, 0x2);
	l2tp_ipsec_put_u8(&w, L2TP_IPSEC_A_ENCAP, 1);
	n = l2tp_ipsec_end(&w);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_int_equal(M.child_id, 9);
	assert_int_equal(M.peer.family, 6);
	assert_memory_equal(M.peer.addr, v6, 16);
	assert_int_equal(M.mark_in, 2);
	assert_int_equal(M.mark_out, 2);
	assert_int_equal(M.encap, 1);
}

static void hello_and_replay_end_need_no_attributes(void **state)
{
	assert_int_equal(l2tp_ipsec_parse(buf, header_only(L2TP_IPSEC_HELLO), &M), L2TP_IPSEC_OK);
	assert_int_equal(l2tp_ipsec_parse(buf, header_only(L2TP_IPSEC_REPLAY_END), &M),
			 L2TP_IPSEC_OK);
}

static void header_shorter_than_four_octets_is_truncated(void **state)
{
	header_only(L2TP_IPSEC_HELLO);
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_TRUNCATED_HEADER);
}

static void other_protocol_version_is_refused(void **state)
{
	header_only(L2TP_IPSEC_HELLO);
	buf[0] = 2;
	assert_int_equal(l2tp_ipsec_parse(buf, 4, &M), L2TP_IPSEC_R_BAD_VERSION);
	buf[0] = 0;
	assert_int_equal(l2tp_ipsec_parse(buf, 4, &M), L2TP_IPSEC_R_BAD_VERSION);
}

static void length_field_must_equal_the_packet_size(void **state)
{
	size_t n = ike_up();

	assert_int_equal(l2tp_ipsec_parse(buf, n - 1, &M), L2TP_IPSEC_R_BAD_LENGTH);
	put_be16(buf + 2, (uint16_t)(n + 1));
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_LENGTH);
	put_be16(buf + 2, 0);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_LENGTH);
}

static void message_over_the_maximum_is_refused(void **state)
{
	header_only(L2TP_IPSEC_HELLO);
	assert_int_equal(l2tp_ipsec_parse(buf, L2TP_IPSEC_MSG_MAX + 1, &M), L2TP_IPSEC_R_TOO_LONG);
}

static void unknown_message_type_is_refused(void **state)
{
	assert_int_equal(l2tp_ipsec_parse(buf, header_only(0), &M), L2TP_IPSEC_R_UNKNOWN_TYPE);
	assert_int_equal(l2tp_ipsec_parse(buf, header_only(99), &M), L2TP_IPSEC_R_UNKNOWN_TYPE);
}

static void attribute_header_past_the_end_is_truncated(void **state)
{
	size_t n = header_only(L2TP_IPSEC_HELLO);

	buf[n] = 0;
	buf[n + 1] = 1;
	buf[n + 2] = 0;
	put_be16(buf + 2, (uint16_t)(n + 3));
	assert_int_equal(l2tp_ipsec_parse(buf, n + 3, &M), L2TP_IPSEC_R_ATTR_TRUNCATED);
}

static void attribute_value_past_the_end_is_truncated(void **state)
{
	size_t n = header_only(L2TP_IPSEC_HELLO);

	n = append_raw(n, L2TP_IPSEC_A_SOFTWARE, "abc", 3);
	put_be16(buf + 4 + 2, 200);	/* claims 200 octets, 3 follow */
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_TRUNCATED);
}

static void duplicate_attribute_is_refused(void **state)
{
	uint8_t id[4] = { 0, 0, 0, 1 };
	size_t n = header_only(L2TP_IPSEC_IKE_DOWN);

	n = append_raw(n, L2TP_IPSEC_A_IKE_ID, id, 4);
	n = append_raw(n, L2TP_IPSEC_A_IKE_ID, id, 4);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_DUPLICATE);
}

static void integer_of_the_wrong_size_is_refused(void **state)
{
	uint8_t v[5] = { 0 };

	size_t n = append_raw(header_only(L2TP_IPSEC_IKE_DOWN), L2TP_IPSEC_A_IKE_ID, v, 3);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_BAD_SIZE);
	n = append_raw(header_only(L2TP_IPSEC_IKE_DOWN), L2TP_IPSEC_A_IKE_ID, v, 0);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_BAD_SIZE);
	n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_PEER_PORT, v, 4);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_BAD_SIZE);
	n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_ENCAP, v, 2);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_BAD_SIZE);
}

static void address_of_neither_4_nor_16_octets_is_refused(void **state)
{
	uint8_t v[16] = { 0 };

	size_t n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_PEER_ADDR, v, 5);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_BAD_SIZE);
	n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_LOCAL_ADDR, v, 0);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_ATTR_BAD_SIZE);
}

static void string_with_nul_or_control_character_is_refused(void **state)
{
	size_t n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_SOFTWARE, "a\0b", 3);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_STRING);
	n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_SOFTWARE, "a\nb", 3);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_STRING);
	n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_SOFTWARE, "a\x7f", 2);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_STRING);
}

static void string_longer_than_the_maximum_is_refused(void **state)
{
	static char s[L2TP_IPSEC_STR_MAX + 1];

	memset(s, 'x', sizeof(s));
	size_t n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_SOFTWARE, s, sizeof(s));
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_STRING);
	n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_SOFTWARE, s, sizeof(s) - 1);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
}

static void empty_string_is_accepted_and_present(void **state)
{
	size_t n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_SOFTWARE, "", 0);

	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_true(l2tp_ipsec_has(&M, L2TP_IPSEC_A_SOFTWARE));
	assert_int_equal(M.software.len, 0);
}

static void ike_version_other_than_1_or_2_is_refused(void **state)
{
	uint8_t v = 3;
	size_t n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_IKE_VERSION, &v, 1);

	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_VALUE);
}

static void encap_flag_other_than_0_or_1_is_refused(void **state)
{
	uint8_t v = 2;
	size_t n = append_raw(header_only(L2TP_IPSEC_HELLO), L2TP_IPSEC_A_ENCAP, &v, 1);

	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_BAD_VALUE);
}

static void each_type_requires_its_attributes(void **state)
{
	uint8_t id[4] = { 0, 0, 0, 5 };

	assert_int_equal(l2tp_ipsec_parse(buf, header_only(L2TP_IPSEC_IKE_UP), &M),
			 L2TP_IPSEC_R_MISSING_ATTR);
	assert_int_equal(l2tp_ipsec_parse(buf, header_only(L2TP_IPSEC_IKE_DOWN), &M),
			 L2TP_IPSEC_R_MISSING_ATTR);
	assert_int_equal(l2tp_ipsec_parse(buf, header_only(L2TP_IPSEC_DELETE_IKE_SA), &M),
			 L2TP_IPSEC_R_MISSING_ATTR);
	/* CHILD_DOWN needs the CHILD id too, not only the IKE id */
	size_t n = append_raw(header_only(L2TP_IPSEC_CHILD_DOWN), L2TP_IPSEC_A_IKE_ID, id, 4);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_MISSING_ATTR);
	n = append_raw(n, L2TP_IPSEC_A_CHILD_ID, id, 4);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	/* CHILD_UP needs the peer address */
	n = append_raw(header_only(L2TP_IPSEC_CHILD_UP), L2TP_IPSEC_A_IKE_ID, id, 4);
	n = append_raw(n, L2TP_IPSEC_A_CHILD_ID, id, 4);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_R_MISSING_ATTR);
}

static void unknown_attributes_are_skipped_and_counted(void **state)
{
	size_t n = header_only(L2TP_IPSEC_HELLO);

	n = append_raw(n, 999, "future", 6);
	n = append_raw(n, L2TP_IPSEC_A_MAX, "", 0);
	n = append_raw(n, L2TP_IPSEC_A_SOFTWARE, "l2tp-plugin", 11);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_int_equal(M.unknown_attrs, 2);
	assert_memory_equal(M.software.p, "l2tp-plugin", 11);
}

static void writer_cuts_long_strings_at_a_character_boundary(void **state)
{
	static char s[L2TP_IPSEC_STR_MAX + 8];
	struct l2tp_ipsec_writer w;
	size_t n;

	/* 'x' then two-octet characters (U+00E9) so the limit falls inside one */
	s[0] = 'x';
	for (size_t i = 1; i + 1 < sizeof(s) - 1; i += 2) {
		s[i] = (char)0xc3;
		s[i + 1] = (char)0xa9;
	}
	s[sizeof(s) - 1] = 0;
	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_HELLO);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_SOFTWARE, s);
	n = l2tp_ipsec_end(&w);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_true(M.software.len <= L2TP_IPSEC_STR_MAX);
	assert_int_equal(M.software.len % 2, 1);	/* 'x' + whole characters */
}

static void writer_replaces_control_characters(void **state)
{
	struct l2tp_ipsec_writer w;
	size_t n;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_HELLO);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_SOFTWARE, "a\nb\tc");
	n = l2tp_ipsec_end(&w);
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_memory_equal(M.software.p, "a?b?c", 5);
}

static void writer_that_runs_out_of_room_produces_nothing(void **state)
{
	struct l2tp_ipsec_writer w;
	uint8_t small[10];

	l2tp_ipsec_begin(&w, small, sizeof(small), L2TP_IPSEC_IKE_DOWN);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, 1);
	assert_int_not_equal(w.len, 0);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_CHILD_ID, 1);
	assert_int_equal(l2tp_ipsec_end(&w), 0);
	l2tp_ipsec_begin(&w, small, 3, L2TP_IPSEC_HELLO);
	assert_int_equal(l2tp_ipsec_end(&w), 0);
}

static void every_reason_and_type_has_a_name(void **state)
{
	for (int r = 0; r < L2TP_IPSEC_R_MAX; r++)
		assert_string_not_equal(l2tp_ipsec_reason_name((enum l2tp_ipsec_reason)r), "?");
	assert_string_equal(l2tp_ipsec_type_name(L2TP_IPSEC_DELETE_IKE_SA), "DELETE_IKE_SA");
	assert_string_equal(l2tp_ipsec_type_name(200), "?");
}

/* ---- what the plugin accepts from l2tpd (l2tp_ipsec_parse_request) ---- */

static size_t delete_ike_sa(uint32_t id)
{
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_DELETE_IKE_SA);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, id);
	return l2tp_ipsec_end(&w);
}

static void plugin_accepts_a_delete_request_with_its_ike_id(void **state)
{
	size_t n = delete_ike_sa(42);

	(void)state;
	assert_int_equal(l2tp_ipsec_parse_request(buf, n, &M), L2TP_IPSEC_OK);
	assert_int_equal(M.type, L2TP_IPSEC_DELETE_IKE_SA);
	assert_int_equal(M.ike_id, 42);
}

static void plugin_refuses_a_report_it_only_sends(void **state)
{
	size_t n = ike_up();

	(void)state;
	/* well-formed, but l2tpd never sends IKE_UP: charon must not act */
	assert_int_equal(l2tp_ipsec_parse(buf, n, &M), L2TP_IPSEC_OK);
	assert_int_equal(l2tp_ipsec_parse_request(buf, n, &M), L2TP_IPSEC_R_WRONG_DIRECTION);
	n = header_only(L2TP_IPSEC_HELLO);
	assert_int_equal(l2tp_ipsec_parse_request(buf, n, &M), L2TP_IPSEC_R_WRONG_DIRECTION);
}

static void plugin_refuses_ike_id_zero(void **state)
{
	size_t n = delete_ike_sa(0);

	(void)state;
	/* charon's unique ids start at 1: 0 names no IKE_SA */
	assert_int_equal(l2tp_ipsec_parse_request(buf, n, &M), L2TP_IPSEC_R_BAD_VALUE);
}

static void plugin_refuses_a_delete_request_without_an_id(void **state)
{
	size_t n = header_only(L2TP_IPSEC_DELETE_IKE_SA);

	(void)state;
	assert_int_equal(l2tp_ipsec_parse_request(buf, n, &M), L2TP_IPSEC_R_MISSING_ATTR);
}

static void plugin_refuses_malformed_requests_with_the_parsers_reason(void **state)
{
	size_t n = delete_ike_sa(7);

	(void)state;
	assert_int_equal(l2tp_ipsec_parse_request(buf, n - 1, &M), L2TP_IPSEC_R_BAD_LENGTH);
	n = append_raw(n, L2TP_IPSEC_A_IKE_ID, "\0\0\0\x08", 4);
	assert_int_equal(l2tp_ipsec_parse_request(buf, n, &M), L2TP_IPSEC_R_ATTR_DUPLICATE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ike_up_round_trips_every_attribute),
		cmocka_unit_test(child_up_carries_marks_encap_and_ipv6_peer),
		cmocka_unit_test(hello_and_replay_end_need_no_attributes),
		cmocka_unit_test(header_shorter_than_four_octets_is_truncated),
		cmocka_unit_test(other_protocol_version_is_refused),
		cmocka_unit_test(length_field_must_equal_the_packet_size),
		cmocka_unit_test(message_over_the_maximum_is_refused),
		cmocka_unit_test(unknown_message_type_is_refused),
		cmocka_unit_test(attribute_header_past_the_end_is_truncated),
		cmocka_unit_test(attribute_value_past_the_end_is_truncated),
		cmocka_unit_test(duplicate_attribute_is_refused),
		cmocka_unit_test(integer_of_the_wrong_size_is_refused),
		cmocka_unit_test(address_of_neither_4_nor_16_octets_is_refused),
		cmocka_unit_test(string_with_nul_or_control_character_is_refused),
		cmocka_unit_test(string_longer_than_the_maximum_is_refused),
		cmocka_unit_test(empty_string_is_accepted_and_present),
		cmocka_unit_test(ike_version_other_than_1_or_2_is_refused),
		cmocka_unit_test(encap_flag_other_than_0_or_1_is_refused),
		cmocka_unit_test(each_type_requires_its_attributes),
		cmocka_unit_test(unknown_attributes_are_skipped_and_counted),
		cmocka_unit_test(writer_cuts_long_strings_at_a_character_boundary),
		cmocka_unit_test(writer_replaces_control_characters),
		cmocka_unit_test(writer_that_runs_out_of_room_produces_nothing),
		cmocka_unit_test(every_reason_and_type_has_a_name),
		cmocka_unit_test(plugin_accepts_a_delete_request_with_its_ike_id),
		cmocka_unit_test(plugin_refuses_a_report_it_only_sends),
		cmocka_unit_test(plugin_refuses_ike_id_zero),
		cmocka_unit_test(plugin_refuses_a_delete_request_without_an_id),
		cmocka_unit_test(plugin_refuses_malformed_requests_with_the_parsers_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
