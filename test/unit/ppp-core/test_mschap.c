/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHAP-MD5 (RFC 1994) and MS-CHAPv2 (RFC 2759) computations, against the
 * RFC 2759 section 9.2 test vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ppp/mschap.h"

/* RFC 2759 9.2 */
static const uint8_t user[] = { 0x55, 0x73, 0x65, 0x72 };	/* "User" */
static const char password[] = "clientPass";
static const uint8_t auth_challenge[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t peer_challenge[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t challenge[8] = {
	0xD0, 0x2E, 0x43, 0x86, 0xBC, 0xE9, 0x12, 0x26 };
static const uint8_t password_hash[16] = {
	0x44, 0xEB, 0xBA, 0x8D, 0x53, 0x12, 0xB8, 0xD6,
	0x11, 0x47, 0x44, 0x11, 0xF5, 0x69, 0x89, 0xAE };
static const uint8_t nt_response[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const char auth_response[] = "S=407A5589115FD0D6209F510FE9C04566932CDA56";

static void test_nt_password_hash_matches_rfc2759_vector(void **state)
{
	uint8_t h[16];

	assert_int_equal(ppp_nt_password_hash(password, strlen(password), h), 0);
	assert_memory_equal(h, password_hash, 16);
}

static void test_challenge_hash_matches_rfc2759_vector(void **state)
{
	uint8_t c[8];

	ppp_mschapv2_challenge_hash(peer_challenge, auth_challenge, user,
				    sizeof(user), c);
	assert_memory_equal(c, challenge, 8);
}

static void test_nt_response_matches_rfc2759_vector(void **state)
{
	uint8_t r[24];

	ppp_mschapv2_nt_response(auth_challenge, peer_challenge, user,
				 sizeof(user), password_hash, r);
	assert_memory_equal(r, nt_response, 24);
}

static void test_authenticator_response_matches_rfc2759_vector(void **state)
{
	char s[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];

	ppp_mschapv2_authenticator_response(password_hash, nt_response,
					    peer_challenge, auth_challenge,
					    user, sizeof(user), s);
	assert_string_equal(s, auth_response);
}

static void test_domain_prefix_is_not_part_of_the_challenge_hash(void **state)
{
	static const uint8_t with_domain[] = "CORP\\User";
	uint8_t a[8], b[8];

	ppp_mschapv2_challenge_hash(peer_challenge, auth_challenge,
				    with_domain, sizeof(with_domain) - 1, a);
	ppp_mschapv2_challenge_hash(peer_challenge, auth_challenge, user,
				    sizeof(user), b);
	assert_memory_equal(a, b, 8);
}

static void test_wrong_password_gives_a_different_nt_response(void **state)
{
	uint8_t h[16], r[24];

	assert_int_equal(ppp_nt_password_hash("clientPasS", 10, h), 0);
	ppp_mschapv2_nt_response(auth_challenge, peer_challenge, user,
				 sizeof(user), h, r);
	assert_memory_not_equal(r, nt_response, 24);
}

static void test_invalid_utf8_and_overlong_passwords_are_refused(void **state)
{
	uint8_t h[16];
	char big[300];

	assert_int_equal(ppp_nt_password_hash("\xC3", 1, h), -1);
	assert_int_equal(ppp_nt_password_hash("\xC0\xAF", 2, h), -1);
	assert_int_equal(ppp_nt_password_hash("\xED\xA0\x80", 3, h), -1);
	memset(big, 'a', sizeof(big));
	assert_int_equal(ppp_nt_password_hash(big, 256, h), 0);
	assert_int_equal(ppp_nt_password_hash(big, 257, h), -1);
}

static void test_non_ascii_password_hashes_its_utf16_form(void **state)
{
	/* "é" is U+00E9: UTF-16LE E9 00, same as Latin-1 widened; the hash
	 * of "\xC3\xA9" must equal that of a password whose UTF-16 we know
	 * to be E9 00, i.e. differ from the ASCII "e". */
	uint8_t a[16], b[16];

	assert_int_equal(ppp_nt_password_hash("\xC3\xA9", 2, a), 0);
	assert_int_equal(ppp_nt_password_hash("e", 1, b), 0);
	assert_memory_not_equal(a, b, 16);
}

static void test_chap_md5_is_md5_of_id_secret_challenge(void **state)
{
	/* RFC 1994 4.1; expected value computed independently with
	 * Python's hashlib.md5(b"\x2a" + b"correct horse" + bytes(range(16))). */
	static const uint8_t expect[16] = {
		0xfc, 0x73, 0xc2, 0x2f, 0x97, 0x04, 0xf6, 0x4c,
		0xbb, 0x0c, 0x3f, 0xa1, 0xb2, 0x42, 0x79, 0x1e };
	uint8_t ch[16], out[16];

	for (int i = 0; i < 16; i++)
		ch[i] = (uint8_t)i;
	ppp_chap_md5_response(0x2a, (const uint8_t *)"correct horse", 13, ch,
			      16, out);
	assert_memory_equal(out, expect, 16);
}

/* Moved from the policy tests with policy_nt_hash (one NT-hash now). */
static void test_nt_hash_of_non_ascii_password(void **state)
{
	/* "Passwört": UTF-16LE of U+00F6 is f6 00 */
	uint8_t h[16], h2[16];

	assert_int_equal(ppp_nt_password_hash("Passw\xc3\xb6rt", 9, h), 0);
	/* an invalid UTF-8 sequence is refused, not hashed as garbage */
	assert_int_equal(ppp_nt_password_hash("Passw\xc3", 6, h2), -1);
	assert_int_equal(ppp_nt_password_hash("\xed\xa0\x80", 3, h2), -1);	/* surrogate */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nt_password_hash_matches_rfc2759_vector),
		cmocka_unit_test(test_challenge_hash_matches_rfc2759_vector),
		cmocka_unit_test(test_nt_response_matches_rfc2759_vector),
		cmocka_unit_test(test_authenticator_response_matches_rfc2759_vector),
		cmocka_unit_test(test_domain_prefix_is_not_part_of_the_challenge_hash),
		cmocka_unit_test(test_wrong_password_gives_a_different_nt_response),
		cmocka_unit_test(test_invalid_utf8_and_overlong_passwords_are_refused),
		cmocka_unit_test(test_non_ascii_password_hashes_its_utf16_form),
		cmocka_unit_test(test_nt_hash_of_non_ascii_password),
		cmocka_unit_test(test_chap_md5_is_md5_of_id_secret_challenge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
