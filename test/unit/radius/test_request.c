/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Access-Request and accounting attributes for a session (request.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <nettle/md5.h>

#include "request.h"

static uint8_t buf[RADIUS_MAX_LEN];
static struct radius_packet P;
static const uint8_t RA[16] = "request-auth-16o";

static const struct radius_nas_session SESSION = {
	.user = "alice",
	.nas_ipv4 = 0x010200c0,		/* 192.0.2.1 as stored on this (little-endian) host */
	.nas_identifier = "vpn1",
	.nas_port = 70001,
	.calling_station = "203.0.113.7:4500",
	.called_station = "192.0.2.1",
	.tunnel_client_endpoint = "203.0.113.7",
	.tunnel_server_endpoint = "192.0.2.1",
	.ike_identity = "C=CH, O=Example, CN=laptop-7",
	.acct_session_id = "0001A2B3",
};

static void parse(size_t n)
{
	assert_true(n > 0);
	assert_int_equal(radius_parse(buf, n, &P), RADIUS_OK);
}

static struct radius_attr attr(uint8_t type)
{
	struct radius_attr a;

	if (!radius_find(&P, type, &a))
		fail_msg("no attribute %u", type);
	return a;
}

static uint32_t u32(uint8_t type)
{
	struct radius_attr a = attr(type);

	assert_int_equal(a.len, 4);
	return (uint32_t)a.value[0] << 24 | (uint32_t)a.value[1] << 16 | a.value[2] << 8 | a.value[3];
}

static void the_session_is_described_in_every_request(void)
{
	struct radius_attr a;

	a = attr(RADIUS_USER_NAME);
	assert_memory_equal(a.value, "alice", 5);
	assert_int_equal(u32(RADIUS_NAS_PORT), 70001);
	assert_int_equal(u32(RADIUS_NAS_PORT_TYPE), 5);		/* Virtual */
	assert_int_equal(u32(RADIUS_SERVICE_TYPE), 2);		/* Framed */
	assert_int_equal(u32(RADIUS_FRAMED_PROTOCOL), 1);	/* PPP */
	a = attr(RADIUS_NAS_IDENTIFIER);
	assert_memory_equal(a.value, "vpn1", 4);
	a = attr(RADIUS_CALLING_STATION_ID);
	assert_memory_equal(a.value, "203.0.113.7:4500", 16);
	a = attr(RADIUS_TUNNEL_TYPE);				/* tag 0, L2TP */
	assert_memory_equal(a.value, "\0\0\0\3", 4);
	a = attr(RADIUS_TUNNEL_MEDIUM_TYPE);			/* tag 0, IPv4 */
	assert_memory_equal(a.value, "\0\0\0\1", 4);
	a = attr(90);						/* Tunnel-Client-Auth-ID */
	assert_memory_equal(a.value, "C=CH, O=Example, CN=laptop-7", 28);
	a = attr(RADIUS_ACCT_SESSION_ID);
	assert_memory_equal(a.value, "0001A2B3", 8);
}

static void mschapv2_is_relayed_as_rfc_2548_says(void **state)
{
	uint8_t challenge[16], response[49];
	struct radius_credentials c = { .kind = RADIUS_AUTH_MSCHAPV2, .chap_id = 0x2a,
					.challenge = challenge, .challenge_len = 16,
					.response = response, .response_len = 49 };
	struct radius_writer w;
	struct radius_attr a;

	for (int i = 0; i < 16; i++)
		challenge[i] = (uint8_t)(0xc0 + i);
	for (int i = 0; i < 48; i++)
		response[i] = (uint8_t)i;
	response[48] = 0;	/* Flags */
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &SESSION, &c, "s"), 0);
	parse(radius_finish(&w, "s"));
	the_session_is_described_in_every_request();
	assert_true(radius_find_vsa(&P, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_CHALLENGE, &a));
	assert_int_equal(a.len, 16);
	assert_memory_equal(a.value, challenge, 16);
	assert_true(radius_find_vsa(&P, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_RESPONSE, &a));
	assert_int_equal(a.len, 50);
	assert_int_equal(a.value[0], 0x2a);		/* Ident */
	assert_int_equal(a.value[1], 0);		/* Flags */
	assert_memory_equal(a.value + 2, response, 48);	/* Peer-Challenge, Reserved, NT-Response */
	c.response_len = 48;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &SESSION, &c, "s"), -1);
}

static void chap_carries_ident_response_and_challenge(void **state)
{
	static const uint8_t resp[16] = "0123456789abcdef", chal[20] = "challenge-of-twenty!";
	struct radius_credentials c = { .kind = RADIUS_AUTH_CHAP, .chap_id = 9, .challenge = chal,
					.challenge_len = 20, .response = resp, .response_len = 16 };
	struct radius_writer w;
	struct radius_attr a;

	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &SESSION, &c, "s"), 0);
	parse(radius_finish(&w, "s"));
	a = attr(RADIUS_CHAP_PASSWORD);
	assert_int_equal(a.len, 17);
	assert_int_equal(a.value[0], 9);
	assert_memory_equal(a.value + 1, resp, 16);
	a = attr(RADIUS_CHAP_CHALLENGE);
	assert_int_equal(a.len, 20);
}

static void pap_password_is_hidden_and_recoverable_with_the_secret(void **state)
{
	struct radius_credentials c = { .kind = RADIUS_AUTH_PAP,
					.password = (const uint8_t *)"Alice-Secret-1",
					.password_len = 14 };
	struct radius_writer w;
	struct radius_attr a;
	struct md5_ctx ctx;
	uint8_t b[16];

	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &SESSION, &c, "secret"), 0);
	parse(radius_finish(&w, "secret"));
	a = attr(RADIUS_USER_PASSWORD);
	assert_int_equal(a.len, 16);
	assert_memory_not_equal(a.value, "Alice-Secret-1", 14);
	/* what the server does (RFC 2865 5.2) */
	md5_init(&ctx);
	md5_update(&ctx, 6, (const uint8_t *)"secret");
	md5_update(&ctx, 16, RA);
	md5_digest(&ctx, 16, b);
	for (int i = 0; i < 16; i++)
		b[i] ^= a.value[i];
	assert_memory_equal(b, "Alice-Secret-1\0\0", 16);
}

static void long_eap_packets_are_split_in_253_octet_pieces(void **state)
{
	uint8_t eap[600], back[600];
	struct radius_credentials c = { .kind = RADIUS_AUTH_EAP, .eap = eap, .eap_len = 600,
					.state = (const uint8_t *)"st", .state_len = 2 };
	struct radius_writer w;
	struct radius_attr a;
	size_t off = 0, got = 0;
	unsigned pieces = 0;

	for (int i = 0; i < 600; i++)
		eap[i] = (uint8_t)i;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &SESSION, &c, "s"), 0);
	parse(radius_finish(&w, "s"));
	while (radius_next_attr(&P, &off, &a))
		if (a.type == RADIUS_EAP_MESSAGE) {
			memcpy(back + got, a.value, a.len);
			got += a.len;
			pieces++;
		}
	assert_int_equal(pieces, 3);
	assert_int_equal(got, 600);
	assert_memory_equal(back, eap, 600);
	a = attr(RADIUS_STATE);
	assert_memory_equal(a.value, "st", 2);
}

static void a_request_without_nas_identity_or_user_is_refused(void **state)
{
	struct radius_nas_session s = SESSION;
	struct radius_credentials c = { .kind = RADIUS_AUTH_PAP, .password = (const uint8_t *)"x",
					.password_len = 1 };
	struct radius_writer w;

	s.nas_ipv4 = 0;
	s.nas_identifier = NULL;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &s, &c, "s"), -1);
	s = SESSION;
	s.user = "";
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, RA);
	assert_int_equal(radius_put_access_request(&w, &s, &c, "s"), -1);
}

static void a_stop_record_counts_with_gigawords_and_echoes_class(void **state)
{
	static const uint8_t class1[] = "nps-class-1";
	const uint8_t *classes[] = { class1 };
	const uint8_t class_len[] = { 11 };
	struct radius_acct_record r = {
		.status = RADIUS_ACCT_STOP, .framed_ip = 0x4d6433c6,
		.in_octets = 5368709120ull + 17, .out_octets = 1234,	/* 5 GiB + 17 */
		.in_packets = 4000000, .out_packets = 3000, .session_time = 3600,
		.event_timestamp = 1796292000, .terminate_cause = RADIUS_TC_IDLE_TIMEOUT,
		.class = classes, .class_len = class_len, .n_class = 1,
	};
	struct radius_writer w;
	struct radius_attr a;

	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 5, NULL);
	assert_int_equal(radius_put_accounting(&w, &SESSION, &r), 0);
	parse(radius_finish_hashed(&w, "acct"));
	assert_int_equal(radius_verify_hashed_request(&P, "acct", false), RADIUS_OK);
	assert_int_equal(u32(RADIUS_ACCT_STATUS_TYPE), 2);
	assert_int_equal(u32(RADIUS_ACCT_INPUT_GIGAWORDS), 1);
	assert_int_equal(u32(RADIUS_ACCT_INPUT_OCTETS), 1073741841);	/* 5 GiB + 17 mod 2^32 */
	assert_int_equal(u32(RADIUS_ACCT_OUTPUT_OCTETS), 1234);
	assert_int_equal(u32(RADIUS_ACCT_OUTPUT_GIGAWORDS), 0);
	assert_int_equal(u32(RADIUS_ACCT_INPUT_PACKETS), 4000000);
	assert_int_equal(u32(RADIUS_ACCT_SESSION_TIME), 3600);
	assert_int_equal(u32(RADIUS_ACCT_TERMINATE_CAUSE), 4);
	assert_int_equal(u32(RADIUS_EVENT_TIMESTAMP), 1796292000);
	a = attr(RADIUS_CLASS);
	assert_memory_equal(a.value, "nps-class-1", 11);
	the_session_is_described_in_every_request();
}

/* RFC 3162 2.3, RFC 4818 3: Reserved 0, the length, 16 octets with the
 * bits past the length zero (a caller's stray host bits never leave); no
 * attribute for a session without the prefix; a length past 128 is an
 * error, not a malformed attribute on the wire. */
static void ipv6_prefixes_are_sent_as_rfc_3162_says(void **state)
{
	struct radius_acct_record r = {
		.status = RADIUS_ACCT_INTERIM,
		.framed_ipv6_prefix = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 7, 0xff },	/* host bits */
		.framed_ipv6_prefix_len = 64,
		.delegated_prefix = { 0x20, 0x01, 0x0d, 0xb8, 1, 0, 3, 0xff },
		.delegated_prefix_len = 56,
	};
	static const uint8_t framed[18] = { 0, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 7 };
	static const uint8_t delegated[18] = { 0, 56, 0x20, 0x01, 0x0d, 0xb8, 1, 0, 3 };
	struct radius_writer w;
	struct radius_attr a;

	(void)state;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 5, NULL);
	assert_int_equal(radius_put_accounting(&w, &SESSION, &r), 0);
	parse(radius_finish_hashed(&w, "acct"));
	a = attr(RADIUS_FRAMED_IPV6_PREFIX);
	assert_int_equal(a.len, 18);
	assert_memory_equal(a.value, framed, 18);
	a = attr(RADIUS_DELEGATED_IPV6_PREFIX);
	assert_int_equal(a.len, 18);
	assert_memory_equal(a.value, delegated, 18);

	r.delegated_prefix_len = 0;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 5, NULL);
	assert_int_equal(radius_put_accounting(&w, &SESSION, &r), 0);
	parse(radius_finish_hashed(&w, "acct"));
	assert_false(radius_find(&P, RADIUS_DELEGATED_IPV6_PREFIX, &a));

	r.framed_ipv6_prefix_len = 129;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 5, NULL);
	assert_int_equal(radius_put_accounting(&w, &SESSION, &r), -1);
}

static void accounting_on_carries_the_nas_only(void **state)
{
	struct radius_nas_session nas = { .nas_ipv4 = 0x010200c0, .nas_identifier = "vpn1",
					  .acct_session_id = "boot-0001" };
	struct radius_acct_record r = { .status = RADIUS_ACCT_ON };
	struct radius_writer w;
	struct radius_attr a;

	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 5, NULL);
	assert_int_equal(radius_put_accounting(&w, &nas, &r), 0);
	parse(radius_finish_hashed(&w, "acct"));
	assert_int_equal(u32(RADIUS_ACCT_STATUS_TYPE), 7);
	a = attr(RADIUS_ACCT_SESSION_ID);
	assert_memory_equal(a.value, "boot-0001", 9);
	assert_false(radius_find(&P, RADIUS_NAS_PORT, &a));
	assert_false(radius_find(&P, RADIUS_USER_NAME, &a));
	assert_false(radius_find(&P, RADIUS_ACCT_INPUT_OCTETS, &a));
	/* every record needs an Acct-Session-Id (RFC 2866 5.5) */
	nas.acct_session_id = NULL;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 5, NULL);
	assert_int_equal(radius_put_accounting(&w, &nas, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mschapv2_is_relayed_as_rfc_2548_says),
		cmocka_unit_test(chap_carries_ident_response_and_challenge),
		cmocka_unit_test(pap_password_is_hidden_and_recoverable_with_the_secret),
		cmocka_unit_test(long_eap_packets_are_split_in_253_octet_pieces),
		cmocka_unit_test(a_request_without_nas_identity_or_user_is_refused),
		cmocka_unit_test(a_stop_record_counts_with_gigawords_and_echoes_class),
		cmocka_unit_test(ipv6_prefixes_are_sent_as_rfc_3162_says),
		cmocka_unit_test(accounting_on_carries_the_nas_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
