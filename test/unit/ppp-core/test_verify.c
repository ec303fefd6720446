/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one credential check (ppp_auth_verify) and the two-step verdict a
 * daemon gives with it: the core verifies the pending login against the
 * user's stored secret and keeps the MS-CHAPv2 authenticator response;
 * the caller's post-authentication decision then answers ACCEPT (the kept
 * S= goes out) or REJECT with its own code. RFC 1334 (PAP), RFC 1994
 * (CHAP-MD5), RFC 2759 section 9.2 vectors (MS-CHAPv2), RFC 7914
 * section 11 (PBKDF2-HMAC-SHA256).
 */
#include "harness.h"

#include "ppp/secret.h"

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static const enum ppp_auth_method only_chap[] = { PPP_AUTH_CHAP_MD5 };
static const enum ppp_auth_method only_pap[] = { PPP_AUTH_PAP };
static const enum ppp_auth_method only_eap[] = { PPP_AUTH_EAP };

/* RFC 2759 9.2 */
static const uint8_t v_auth_challenge[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28 };
static const uint8_t v_peer_challenge[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E };
static const uint8_t v_password_hash[16] = {
	0x44, 0xEB, 0xBA, 0x8D, 0x53, 0x12, 0xB8, 0xD6,
	0x11, 0x47, 0x44, 0x11, 0xF5, 0x69, 0x89, 0xAE };
static const uint8_t v_nt_response[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E,
	0xA0, 0x8F, 0xAA, 0x39, 0x81, 0xCD, 0x83, 0x54,
	0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF };
static const char v_auth_response[] = "S=407A5589115FD0D6209F510FE9C04566932CDA56";

static struct endpoint srv, cli;

/* The 16-octet draws (the server's Challenge, the client's Peer-Challenge)
 * are the RFC's; everything else stays the harness's deterministic bytes. */
static int vector_random(void *ctx, uint8_t *buf, size_t len)
{
	if (len == 16) {
		memcpy(buf, ctx == &srv ? v_auth_challenge : v_peer_challenge, 16);
		return 0;
	}
	return ep_random(ctx, buf, len);
}

static int setup(void **state)
{
	ep_init(&srv, PPP_SERVER, 1);
	ep_init(&cli, PPP_CLIENT, 2);
	srv.mode = AUTH_DEFER;		/* the test gives the verdict */
	srv.cfg.cb.random = vector_random;
	cli.cfg.cb.random = vector_random;
	cli.cred.user = "User";
	cli.cred.password = "clientPass";
	return 0;
}

static void login(const enum ppp_auth_method *m, uint64_t now)
{
	connect_pair(&srv, &cli, m, 1, &now);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	assert_int_equal(srv.s.phase, PPP_PHASE_AUTHENTICATE);
}

static int accept_now(uint64_t now)
{
	struct ppp_auth_answer a = { .kind = PPP_ANSWER_ACCEPT, .profile = &srv.profile };

	return ppp_auth_answer(&srv.s, now, &a);
}

static int reject_now(uint64_t now, enum ppp_auth_failure code)
{
	struct ppp_auth_answer a = { .kind = PPP_ANSWER_REJECT, .failure = code };

	return ppp_auth_answer(&srv.s, now, &a);
}

static void assert_client_result(bool ok, enum ppp_auth_failure code)
{
	const struct rec_event *r = find_event(&cli, PPP_EVENT_AUTH_RESULT, 0);

	assert_non_null(r);
	assert_int_equal(r->ev.u.auth_result.success, ok);
	assert_int_equal(r->ev.u.auth_result.code, code);
}

/* ---- MS-CHAPv2 (RFC 2759) ---- */

static void test_mschapv2_pending_login_carries_the_rfc2759_vector(void **state)
{
	struct ppp_auth_request r;

	login(only_mschapv2, 1000);
	assert_int_equal(ppp_auth_pending(&srv.s, &r), 0);
	assert_int_equal(r.method, PPP_AUTH_MSCHAPV2);
	assert_int_equal(r.identity_len, 4);
	assert_memory_equal(r.identity, "User", 4);
	assert_memory_equal(r.u.mschapv2.authenticator_challenge, v_auth_challenge, 16);
	assert_memory_equal(r.u.mschapv2.peer_challenge, v_peer_challenge, 16);
	assert_memory_equal(r.u.mschapv2.nt_response, v_nt_response, 24);
}

static void test_mschapv2_nt_hash_matches_and_success_carries_the_rfc_authenticator_response(void **state)
{
	struct ppp_secret sec = { .nt_hash = v_password_hash };
	const struct frame *f;

	login(only_mschapv2, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
	/* Verified is not decided: nothing went out yet. */
	assert_null(find_sent(&srv, PPP_PROTO_CHAP, 3));
	assert_int_equal(accept_now(1000), 0);
	f = find_sent(&srv, PPP_PROTO_CHAP, 3);
	assert_non_null(f);
	/* RFC 2759 5: "S=<auth_string> M=<message>" */
	assert_memory_equal(frame_pkt(f) + 4, v_auth_response, 42);
	pump(&srv, &cli, 1000);
	assert_client_result(true, PPP_AUTH_OK);
	assert_int_equal(cli.s.phase, PPP_PHASE_NETWORK);
}

static void test_mschapv2_cleartext_secret_is_hashed_by_the_core_and_matches(void **state)
{
	struct ppp_secret sec = { .cleartext = "clientPass", .cleartext_len = 10 };

	login(only_mschapv2, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
	assert_int_equal(accept_now(1000), 0);
	pump(&srv, &cli, 1000);
	assert_client_result(true, PPP_AUTH_OK);
}

static void test_mschapv2_wrong_password_is_a_mismatch_and_the_caller_says_691(void **state)
{
	uint8_t other[16];
	struct ppp_secret sec = { .nt_hash = other };

	assert_int_equal(ppp_nt_password_hash("clientpass", 10, other), 0);
	login(only_mschapv2, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MISMATCH);
	/* A mismatch leaves no authenticator response to accept with. */
	assert_int_equal(accept_now(1000), -1);
	assert_int_equal(reject_now(1000, PPP_AUTH_FAIL_CREDENTIALS), 0);
	pump(&srv, &cli, 1000);
	assert_client_result(false, PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_mschapv2_match_then_post_auth_refusal_sends_the_policy_code(void **state)
{
	static const enum ppp_auth_failure codes[] = {
		PPP_AUTH_FAIL_NO_DIALIN, PPP_AUTH_FAIL_RESTRICTED_HOURS,
		PPP_AUTH_FAIL_ACCOUNT_DISABLED, PPP_AUTH_FAIL_PASSWORD_EXPIRED };
	struct ppp_secret sec = { .nt_hash = v_password_hash };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char want[16];
		const struct frame *f;

		setup(NULL);
		login(only_mschapv2, 1000);
		assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
		assert_int_equal(reject_now(1000, codes[i]), 0);
		f = find_sent(&srv, PPP_PROTO_CHAP, 4);
		assert_non_null(f);
		snprintf(want, sizeof(want), "E=%d R=0 C=", (int)codes[i]);
		assert_memory_equal(frame_pkt(f) + 4, want, strlen(want));
		pump(&srv, &cli, 1000);
		assert_client_result(false, codes[i]);
	}
}

static void test_mschapv2_stored_password_past_256_characters_is_unusable(void **state)
{
	char pw[258];
	struct ppp_secret sec = { .cleartext = pw, .cleartext_len = 257 };

	memset(pw, 'a', sizeof(pw));
	login(only_mschapv2, 1000);
	/* RFC 2759 4: at most 256 Unicode characters. */
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_UNUSABLE);
	sec.cleartext_len = 2;
	pw[0] = (char)0xC3;	/* not UTF-8 */
	pw[1] = 'a';
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_UNUSABLE);
	/* The login is still pending: the caller refuses it. */
	assert_int_equal(reject_now(1000, PPP_AUTH_FAIL_CREDENTIALS), 0);
}

static void test_mschapv2_accept_without_a_match_or_an_outside_response_is_refused(void **state)
{
	login(only_mschapv2, 1000);
	assert_int_equal(accept_now(1000), -1);
	assert_null(find_sent(&srv, PPP_PROTO_CHAP, 3));
}

static void test_mschapv2_response_with_a_bad_value_size_is_dropped_unasked(void **state)
{
	/* CHAP Response, Identifier of the Challenge, Value-Size 48 (RFC
	 * 2759 4 says 49). */
	uint8_t fr[4 + 4 + 1 + 48 + 4] = { 0xFF, 0x03, 0xC2, 0x23, 2 };
	struct ppp_auth_request r;
	const struct frame *ch;
	uint64_t bad;

	ppp_set_auth_methods(&srv.s, only_mschapv2, 1);
	ppp_start(&srv.s, 1000);
	ppp_start(&cli.s, 1000);
	/* deliver LCP only: run until the server's Challenge is out */
	for (int i = 0; i < 20 && !find_sent(&srv, PPP_PROTO_CHAP, 1); i++) {
		struct frame q[OUTBOX_MAX];
		size_t n = srv.nout;

		memcpy(q, srv.out, n * sizeof(q[0]));
		srv.nout = 0;
		for (size_t k = 0; k < n; k++)
			ppp_input(&cli.s, 1000, q[k].b, q[k].len, NULL);
		n = cli.nout;
		memcpy(q, cli.out, n * sizeof(q[0]));
		cli.nout = 0;
		for (size_t k = 0; k < n; k++)
			ppp_input(&srv.s, 1000, q[k].b, q[k].len, NULL);
	}
	ch = find_sent(&srv, PPP_PROTO_CHAP, 1);
	assert_non_null(ch);
	fr[5] = frame_pkt(ch)[1];
	fr[6] = 0;
	fr[7] = (uint8_t)(sizeof(fr) - 4);
	fr[8] = 48;
	memcpy(fr + 9 + 48, "User", 4);
	bad = ppp_session_stats(&srv.s)->malformed[PPP_BAD_AUTH_PACKET];
	feed(&srv, 1000, fr, sizeof(fr));
	assert_int_equal(ppp_session_stats(&srv.s)->malformed[PPP_BAD_AUTH_PACKET], bad + 1);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 0);
	assert_int_equal(ppp_auth_pending(&srv.s, &r), -1);
}

/* ---- CHAP-MD5 (RFC 1994) ---- */

static void test_chap_md5_cleartext_matches_md5_of_id_secret_challenge(void **state)
{
	struct ppp_secret sec = { .cleartext = "clientPass", .cleartext_len = 10 };
	struct ppp_auth_request r;
	uint8_t expect[16];

	login(only_chap, 1000);
	/* RFC 1994 4.1: the client's Value is MD5(Identifier || secret ||
	 * Challenge), the Identifier and Challenge being the server's. */
	assert_int_equal(ppp_auth_pending(&srv.s, &r), 0);
	assert_int_equal(r.method, PPP_AUTH_CHAP_MD5);
	assert_memory_equal(r.u.chap.challenge, v_auth_challenge, 16);
	ppp_chap_md5_response(r.u.chap.id, (const uint8_t *)"clientPass", 10,
			      v_auth_challenge, 16, expect);
	assert_memory_equal(r.u.chap.response, expect, 16);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
	assert_int_equal(accept_now(1000), 0);
	pump(&srv, &cli, 1000);
	assert_client_result(true, PPP_AUTH_OK);
}

static void test_chap_md5_wrong_secret_is_a_mismatch(void **state)
{
	struct ppp_secret sec = { .cleartext = "clientPasS", .cleartext_len = 10 };

	login(only_chap, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MISMATCH);
	sec.cleartext_len = 9;	/* a prefix of the right one is wrong too */
	sec.cleartext = "clientPass";
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MISMATCH);
	assert_int_equal(reject_now(1000, PPP_AUTH_FAIL_CREDENTIALS), 0);
	pump(&srv, &cli, 1000);
	assert_client_result(false, PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_chap_md5_needs_the_cleartext_an_nt_hash_is_unusable(void **state)
{
	struct ppp_secret sec = { .nt_hash = v_password_hash };

	login(only_chap, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_UNUSABLE);
	assert_int_equal(ppp_auth_verify(&srv.s, NULL), PPP_VERIFY_UNUSABLE);
}

/* ---- PAP (RFC 1334) ---- */

/* RFC 7914 11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1 (first 32). */
static const uint8_t v_pbkdf2_dk[32] = {
	0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f, 0xec, 0x16, 0x91, 0xc2,
	0x25, 0x44, 0xb6, 0x05, 0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65,
	0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc };

static void test_pbkdf2_sha256_matches_rfc7914_vector(void **state)
{
	uint8_t dk[32];

	ppp_pbkdf2_sha256("passwd", 6, 1, (const uint8_t *)"salt", 4, dk);
	assert_memory_equal(dk, v_pbkdf2_dk, 32);
}

static void test_pap_checks_each_stored_form(void **state)
{
	struct ppp_pbkdf2 kdf = { .iterations = 1, .salt = (const uint8_t *)"salt",
				  .salt_len = 4, .dk = v_pbkdf2_dk };
	struct ppp_secret by_kdf = { .kdf = &kdf };
	struct ppp_secret by_nt = { .nt_hash = v_password_hash };
	struct ppp_secret by_clear = { .cleartext = "clientPass", .cleartext_len = 10 };

	assert_true(ppp_secret_check_password(&by_kdf, "passwd", 6));
	assert_false(ppp_secret_check_password(&by_kdf, "passwe", 6));
	assert_true(ppp_secret_check_password(&by_nt, "clientPass", 10));
	assert_false(ppp_secret_check_password(&by_nt, "ClientPass", 10));
	assert_true(ppp_secret_check_password(&by_clear, "clientPass", 10));
	assert_false(ppp_secret_check_password(&by_clear, "clientPas", 9));
	/* The salted hash wins when several are stored. */
	by_kdf.cleartext = "clientPass";
	by_kdf.cleartext_len = 10;
	assert_false(ppp_secret_check_password(&by_kdf, "clientPass", 10));
	assert_false(ppp_secret_check_password(&(struct ppp_secret){ 0 }, "", 0));
}

static void test_pap_password_verified_by_the_core_then_accepted(void **state)
{
	struct ppp_secret sec = { .nt_hash = v_password_hash };
	struct ppp_auth_request r;

	login(only_pap, 1000);
	assert_int_equal(ppp_auth_pending(&srv.s, &r), 0);
	assert_int_equal(r.u.pap.password_len, 10);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
	assert_int_equal(accept_now(1000), 0);
	assert_non_null(find_sent(&srv, PPP_PROTO_PAP, 2));	/* Ack */
	pump(&srv, &cli, 1000);
	assert_client_result(true, PPP_AUTH_OK);
}

static void test_pap_wrong_password_is_a_mismatch_and_gets_a_nak(void **state)
{
	struct ppp_secret sec = { .cleartext = "clientPas", .cleartext_len = 9 };

	login(only_pap, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MISMATCH);
	assert_int_equal(reject_now(1000, PPP_AUTH_FAIL_CREDENTIALS), 0);
	assert_non_null(find_sent(&srv, PPP_PROTO_PAP, 3));	/* Nak */
	pump(&srv, &cli, 1000);
	assert_client_result(false, PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_pap_password_of_255_octets_is_checked_whole(void **state)
{
	static char pw[256];
	uint8_t nt[16];
	struct ppp_secret sec = { .nt_hash = nt };

	/* RFC 1334 2.2.1: Passwd-Length is one octet, 255 at most. */
	memset(pw, 'b', 255);
	cli.cred.password = pw;
	assert_int_equal(ppp_nt_password_hash(pw, 254, nt), 0);
	login(only_pap, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MISMATCH);
	assert_int_equal(ppp_nt_password_hash(pw, 255, nt), 0);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
}

static void test_pap_user_name_of_255_octets_is_carried_whole(void **state)
{
	static char name[256];
	struct ppp_auth_request r;

	memset(name, 'n', 255);
	cli.cred.user = name;
	login(only_pap, 1000);
	assert_int_equal(ppp_auth_pending(&srv.s, &r), 0);
	assert_int_equal(r.identity_len, 255);
}

static void test_chap_name_longer_than_255_octets_is_dropped_unasked(void **state)
{
	uint8_t fr[4 + 4 + 1 + 16 + 300] = { 0xFF, 0x03, 0xC2, 0x23, 2 };
	uint64_t bad;

	ppp_set_auth_methods(&srv.s, only_chap, 1);
	ppp_start(&srv.s, 1000);
	ppp_start(&cli.s, 1000);
	cli.cred.user = "";
	for (int i = 0; i < 20 && !find_sent(&srv, PPP_PROTO_CHAP, 1); i++) {
		struct frame q[OUTBOX_MAX];
		size_t n = srv.nout;

		memcpy(q, srv.out, n * sizeof(q[0]));
		srv.nout = 0;
		for (size_t k = 0; k < n; k++)
			if (frame_proto(&q[k]) != PPP_PROTO_CHAP)
				ppp_input(&cli.s, 1000, q[k].b, q[k].len, NULL);
			else
				srv.out[srv.nout++] = q[k];
		n = cli.nout;
		memcpy(q, cli.out, n * sizeof(q[0]));
		cli.nout = 0;
		for (size_t k = 0; k < n; k++)
			ppp_input(&srv.s, 1000, q[k].b, q[k].len, NULL);
	}
	assert_non_null(find_sent(&srv, PPP_PROTO_CHAP, 1));
	fr[5] = frame_pkt(find_sent(&srv, PPP_PROTO_CHAP, 1))[1];
	fr[6] = (uint8_t)((sizeof(fr) - 4) >> 8);
	fr[7] = (uint8_t)(sizeof(fr) - 4);
	fr[8] = 16;
	memset(fr + 25, 'x', 300);
	bad = ppp_session_stats(&srv.s)->malformed[PPP_BAD_AUTH_PACKET];
	feed(&srv, 1000, fr, sizeof(fr));
	assert_int_equal(ppp_session_stats(&srv.s)->malformed[PPP_BAD_AUTH_PACKET], bad + 1);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 0);
}

/* ---- what is not a pending login ---- */

static void test_verify_without_a_pending_login_does_nothing(void **state)
{
	struct ppp_secret sec = { .nt_hash = v_password_hash };
	struct ppp_auth_request r;

	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_NOT_PENDING);
	login(only_mschapv2, 1000);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_MATCH);
	assert_int_equal(accept_now(1000), 0);
	/* decided: nothing pending any more */
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_NOT_PENDING);
	assert_int_equal(ppp_auth_pending(&srv.s, &r), -1);
	assert_int_equal(accept_now(1000), -1);
}

static void test_eap_is_relayed_never_verified_here(void **state)
{
	struct ppp_secret sec = { .cleartext = "clientPass", .cleartext_len = 10 };

	connect_pair(&srv, &cli, only_eap, 1, &(uint64_t){ 1000 });
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	assert_int_equal(ppp_auth_verify(&srv.s, &sec), PPP_VERIFY_NOT_PENDING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mschapv2_pending_login_carries_the_rfc2759_vector, setup),
		cmocka_unit_test_setup(test_mschapv2_nt_hash_matches_and_success_carries_the_rfc_authenticator_response, setup),
		cmocka_unit_test_setup(test_mschapv2_cleartext_secret_is_hashed_by_the_core_and_matches, setup),
		cmocka_unit_test_setup(test_mschapv2_wrong_password_is_a_mismatch_and_the_caller_says_691, setup),
		cmocka_unit_test_setup(test_mschapv2_match_then_post_auth_refusal_sends_the_policy_code, setup),
		cmocka_unit_test_setup(test_mschapv2_stored_password_past_256_characters_is_unusable, setup),
		cmocka_unit_test_setup(test_mschapv2_accept_without_a_match_or_an_outside_response_is_refused, setup),
		cmocka_unit_test_setup(test_mschapv2_response_with_a_bad_value_size_is_dropped_unasked, setup),
		cmocka_unit_test_setup(test_chap_md5_cleartext_matches_md5_of_id_secret_challenge, setup),
		cmocka_unit_test_setup(test_chap_md5_wrong_secret_is_a_mismatch, setup),
		cmocka_unit_test_setup(test_chap_md5_needs_the_cleartext_an_nt_hash_is_unusable, setup),
		cmocka_unit_test(test_pbkdf2_sha256_matches_rfc7914_vector),
		cmocka_unit_test(test_pap_checks_each_stored_form),
		cmocka_unit_test_setup(test_pap_password_verified_by_the_core_then_accepted, setup),
		cmocka_unit_test_setup(test_pap_wrong_password_is_a_mismatch_and_gets_a_nak, setup),
		cmocka_unit_test_setup(test_pap_password_of_255_octets_is_checked_whole, setup),
		cmocka_unit_test_setup(test_pap_user_name_of_255_octets_is_carried_whole, setup),
		cmocka_unit_test_setup(test_chap_name_longer_than_255_octets_is_dropped_unasked, setup),
		cmocka_unit_test_setup(test_verify_without_a_pending_login_does_nothing, setup),
		cmocka_unit_test_setup(test_eap_is_relayed_never_verified_here, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
