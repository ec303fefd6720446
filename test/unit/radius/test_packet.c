/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS packets (radius.h): the RFC 2865 section 7.1 example byte for
 * byte, authenticators and Message-Authenticator both ways, and every
 * malformed form refused with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "radius.h"

static const char SECRET[] = "xyzzy5461";
/* RFC 2865 section 7.1: nemo / arctangent at NAS 192.168.1.16 port 3 */
static const uint8_t RFC_REQUEST[] = {
	0x01, 0x00, 0x00, 0x38, 0x0f, 0x40, 0x3f, 0x94, 0x73, 0x97, 0x80, 0x57, 0xbd, 0x83,
	0xd5, 0xcb, 0x98, 0xf4, 0x22, 0x7a, 0x01, 0x06, 0x6e, 0x65, 0x6d, 0x6f, 0x02, 0x12,
	0x0d, 0xbe, 0x70, 0x8d, 0x93, 0xd4, 0x13, 0xce, 0x31, 0x96, 0xe4, 0x3f, 0x78, 0x2a,
	0x0a, 0xee, 0x04, 0x06, 0xc0, 0xa8, 0x01, 0x10, 0x05, 0x06, 0x00, 0x00, 0x00, 0x03,
};
static const uint8_t RFC_ACCEPT[] = {
	0x02, 0x00, 0x00, 0x26, 0x86, 0xfe, 0x22, 0x0e, 0x76, 0x24, 0xba, 0x2a, 0x10, 0x05,
	0xf6, 0xbf, 0x9b, 0x55, 0xe0, 0xb2, 0x06, 0x06, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x06,
	0x00, 0x00, 0x00, 0x00, 0x0e, 0x06, 0xc0, 0xa8, 0x01, 0x03,
};

static void the_rfc_2865_access_request_is_built_byte_for_byte(void **state)
{
	static const uint8_t nas[4] = { 192, 168, 1, 16 };
	struct radius_writer w;
	uint8_t buf[RADIUS_MAX_LEN];

	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 0, RFC_REQUEST + 4);
	radius_put_str(&w, RADIUS_USER_NAME, "nemo");
	radius_put_user_password(&w, "arctangent", 10, SECRET);
	radius_put(&w, RADIUS_NAS_IP_ADDRESS, nas, 4);
	radius_put_u32(&w, RADIUS_NAS_PORT, 3);
	assert_int_equal(radius_finish(&w, SECRET), sizeof(RFC_REQUEST));
	assert_memory_equal(buf, RFC_REQUEST, sizeof(RFC_REQUEST));
}

static void the_rfc_2865_access_accept_verifies_and_reads(void **state)
{
	struct radius_packet p;
	struct radius_attr a;

	assert_int_equal(radius_parse(RFC_ACCEPT, sizeof(RFC_ACCEPT), &p), RADIUS_OK);
	assert_int_equal(p.code, RADIUS_ACCESS_ACCEPT);
	/* 1996 has no Message-Authenticator: accepted only when not required */
	assert_int_equal(radius_verify_response(&p, 0, RFC_REQUEST + 4, SECRET, false), RADIUS_OK);
	assert_int_equal(radius_verify_response(&p, 0, RFC_REQUEST + 4, SECRET, true),
			 RADIUS_E_MSG_AUTH_MISSING);
	assert_int_equal(radius_verify_response(&p, 0, RFC_REQUEST + 4, "wrong", false),
			 RADIUS_E_AUTHENTICATOR);
	assert_int_equal(radius_verify_response(&p, 1, RFC_REQUEST + 4, SECRET, false), RADIUS_E_ID);
	assert_true(radius_find(&p, RADIUS_SERVICE_TYPE, &a));
	assert_int_equal(a.len, 4);
	assert_int_equal(a.value[3], 1);	/* Login */
	assert_true(radius_find(&p, 14, &a));	/* Login-IP-Host */
	assert_memory_equal(a.value, "\xc0\xa8\x01\x03", 4);
	assert_false(radius_find(&p, RADIUS_CLASS, &a));
}

/* A response as a server signs it (RFC 2865 section 3, RFC 3579 section 3.2). */
static size_t server_answer(uint8_t *buf, uint8_t code, uint8_t id, const uint8_t *req_auth,
			    const char *secret, bool msg_auth)
{
	struct radius_writer w;
	static const uint8_t ms_dns[4] = { 192, 0, 2, 53 };

	radius_begin(&w, buf, RADIUS_MAX_LEN, code, id, NULL);
	if (msg_auth)
		radius_put_message_authenticator(&w);
	radius_put_u32(&w, RADIUS_SESSION_TIMEOUT, 3600);
	radius_put_vsa(&w, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_PRIMARY_DNS_SERVER, ms_dns, 4);
	return radius_finish_response(&w, secret, req_auth);
}

static void a_signed_response_verifies_and_any_change_is_caught(void **state)
{
	static const uint8_t req_auth[16] = "0123456789abcdef";
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_packet p;
	struct radius_attr a;
	size_t n = server_answer(buf, RADIUS_ACCESS_ACCEPT, 7, req_auth, "s3cret", true);

	assert_int_equal(radius_parse(buf, n, &p), RADIUS_OK);
	assert_int_equal(radius_verify_response(&p, 7, req_auth, "s3cret", true), RADIUS_OK);
	assert_true(radius_find_vsa(&p, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_PRIMARY_DNS_SERVER, &a));
	assert_int_equal(a.len, 4);
	assert_memory_equal(a.value, "\xc0\x00\x02\x35", 4);
	assert_false(radius_find_vsa(&p, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP2_SUCCESS, &a));
	assert_false(radius_find_vsa(&p, 9, RADIUS_MS_PRIMARY_DNS_SERVER, &a));
	/* no single flipped bit anywhere is accepted: the packet either no
	 * longer parses or no longer verifies */
	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			struct radius_packet q;

			buf[i] ^= (uint8_t)(1 << bit);
			assert_true(radius_parse(buf, n, &q) != RADIUS_OK ||
				    radius_verify_response(&q, 7, req_auth, "s3cret", true) != RADIUS_OK);
			buf[i] ^= (uint8_t)(1 << bit);
		}
	}
	/* the wrong secret */
	assert_int_equal(radius_parse(buf, n, &p), RADIUS_OK);
	assert_int_equal(radius_verify_response(&p, 7, req_auth, "other", true), RADIUS_E_MSG_AUTH);
}

static void a_response_without_message_authenticator_is_refused_by_default(void **state)
{
	static const uint8_t req_auth[16] = "fedcba9876543210";
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_packet p;
	size_t n = server_answer(buf, RADIUS_ACCESS_REJECT, 9, req_auth, "s3cret", false);

	assert_int_equal(radius_parse(buf, n, &p), RADIUS_OK);
	assert_int_equal(radius_verify_response(&p, 9, req_auth, "s3cret", true),
			 RADIUS_E_MSG_AUTH_MISSING);
	assert_int_equal(radius_verify_response(&p, 9, req_auth, "s3cret", false), RADIUS_OK);
}

static void hashed_requests_verify_on_the_other_side(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct radius_packet p;
	size_t n;

	/* Accounting-Request (RFC 2866 section 3) */
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 3, NULL);
	radius_put_u32(&w, RADIUS_ACCT_STATUS_TYPE, 1);	/* Start */
	radius_put_str(&w, RADIUS_ACCT_SESSION_ID, "5f3a9c01");
	radius_put_message_authenticator(&w);
	n = radius_finish_hashed(&w, "acct");
	assert_true(n > 0);
	assert_int_equal(radius_parse(buf, n, &p), RADIUS_OK);
	assert_int_equal(radius_verify_hashed_request(&p, "acct", true), RADIUS_OK);
	assert_int_equal(radius_verify_hashed_request(&p, "acct2", false), RADIUS_E_MSG_AUTH);
	buf[n - 1] ^= 0x20;	/* in the session id */
	assert_int_equal(radius_verify_hashed_request(&p, "acct", false), RADIUS_E_MSG_AUTH);
}

static void long_passwords_chain_the_blocks(void **state)
{
	static const uint8_t ra[16] = "authenticator!!!";
	char pw[40];
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct radius_packet p;
	struct radius_attr a;

	memset(pw, 'x', sizeof(pw));
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, ra);
	radius_put_user_password(&w, pw, sizeof(pw), SECRET);
	assert_true(radius_finish(&w, SECRET) > 0);
	assert_int_equal(radius_parse(buf, w.len, &p), RADIUS_OK);
	assert_true(radius_find(&p, RADIUS_USER_PASSWORD, &a));
	assert_int_equal(a.len, 48);		/* 40 padded to 16 */
	/* more than 128 octets is refused (RFC 2865 section 5.2) */
	{
		char big[129];

		memset(big, 'y', sizeof(big));
		radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, ra);
		radius_put_user_password(&w, big, sizeof(big), SECRET);
		assert_int_equal(radius_finish(&w, SECRET), 0);
	}
}

static void the_writer_refuses_what_does_not_fit(void **state)
{
	uint8_t buf[64], value[254];
	struct radius_writer w;

	memset(value, 'v', sizeof(value));
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, NULL);
	radius_put(&w, RADIUS_STATE, value, 254);		/* over 253 */
	assert_int_equal(radius_finish(&w, "s"), 0);
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, NULL);
	radius_put(&w, RADIUS_STATE, value, 60);		/* over the buffer */
	assert_int_equal(radius_finish(&w, "s"), 0);
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, NULL);
	radius_put_str(&w, RADIUS_USER_NAME, "");		/* empty text */
	assert_int_equal(radius_finish(&w, "s"), 0);
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCESS_REQUEST, 1, NULL);
	radius_put_message_authenticator(&w);
	radius_put_message_authenticator(&w);			/* twice */
	assert_int_equal(radius_finish(&w, "s"), 0);
}

static void malformed_packets_are_refused_with_their_reason(void **state)
{
	uint8_t b[64];
	struct radius_packet p;

	assert_int_equal(radius_parse(RFC_ACCEPT, 19, &p), RADIUS_E_SHORT);
	memcpy(b, RFC_ACCEPT, sizeof(RFC_ACCEPT));
	b[3] = 19;						/* Length below 20 */
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT), &p), RADIUS_E_LENGTH);
	b[2] = 0x10; b[3] = 0x01;				/* 4097 */
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT), &p), RADIUS_E_LENGTH);
	b[2] = 0; b[3] = 0x27;					/* one more than we have */
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT), &p), RADIUS_E_SHORT);
	memcpy(b, RFC_ACCEPT, sizeof(RFC_ACCEPT));
	b[21] = 1;						/* attribute length 1 */
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT), &p), RADIUS_E_ATTR);
	b[21] = 40;						/* past the end */
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT), &p), RADIUS_E_ATTR);
	memcpy(b, RFC_ACCEPT, sizeof(RFC_ACCEPT));
	b[20] = RADIUS_MESSAGE_AUTHENTICATOR;			/* 6 octets, not 18 */
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT), &p), RADIUS_E_MSG_AUTH_FORM);
	/* octets past Length are padding (RFC 2865 section 3) */
	memcpy(b, RFC_ACCEPT, sizeof(RFC_ACCEPT));
	b[sizeof(RFC_ACCEPT)] = 0xff;
	assert_int_equal(radius_parse(b, sizeof(RFC_ACCEPT) + 1, &p), RADIUS_OK);
	assert_int_equal(p.len, sizeof(RFC_ACCEPT));
}

static void every_error_has_a_name(void **state)
{
	for (int e = 0; e < RADIUS_E_ERR_MAX; e++)
		assert_string_not_equal(radius_err_name((enum radius_err)e), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_rfc_2865_access_request_is_built_byte_for_byte),
		cmocka_unit_test(the_rfc_2865_access_accept_verifies_and_reads),
		cmocka_unit_test(a_signed_response_verifies_and_any_change_is_caught),
		cmocka_unit_test(a_response_without_message_authenticator_is_refused_by_default),
		cmocka_unit_test(hashed_requests_verify_on_the_other_side),
		cmocka_unit_test(long_passwords_chain_the_blocks),
		cmocka_unit_test(the_writer_refuses_what_does_not_fit),
		cmocka_unit_test(malformed_packets_are_refused_with_their_reason),
		cmocka_unit_test(every_error_has_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
