/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Authentication, end to end between a server and a client session in
 * memory: each method, local and external verdicts, refusal codes and
 * the exact MS-CHAPv2 failure text, the asynchronous verdict, and the
 * client's check of the server's authenticator response.
 */
#include "harness.h"

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static const enum ppp_auth_method only_chap[] = { PPP_AUTH_CHAP_MD5 };
static const enum ppp_auth_method only_pap[] = { PPP_AUTH_PAP };
static const enum ppp_auth_method only_eap[] = { PPP_AUTH_EAP };

static struct endpoint srv, cli;

static int setup(void **state)
{
	ep_init(&srv, PPP_SERVER, 1);
	ep_init(&cli, PPP_CLIENT, 2);
	return 0;
}

static void assert_session_up(void)
{
	const struct rec_event *up;

	assert_int_equal(srv.s.phase, PPP_PHASE_NETWORK);
	assert_int_equal(cli.s.phase, PPP_PHASE_NETWORK);
	assert_true(ppp_fsm_is_opened(&srv.s.ipcp));
	assert_true(ppp_fsm_is_opened(&cli.s.ipcp));
	up = find_event(&cli, PPP_EVENT_NCP_UP, 0);
	assert_non_null(up);
	assert_int_equal(up->ev.u.ncp.local_addr, 0xC000020A);
	assert_int_equal(up->ev.u.ncp.peer_addr, 0xC0000201);
	up = find_event(&srv, PPP_EVENT_NCP_UP, 0);
	assert_non_null(up);
	assert_int_equal(up->ev.u.ncp.peer_addr, 0xC000020A);
}

static void assert_auth_result(const struct endpoint *e, bool ok,
			       enum ppp_auth_failure code)
{
	const struct rec_event *r = find_event(e, PPP_EVENT_AUTH_RESULT, 0);

	assert_non_null(r);
	assert_int_equal(r->ev.u.auth_result.success, ok);
	assert_int_equal(r->ev.u.auth_result.code, code);
}

static void test_mschapv2_with_local_nt_hash_brings_the_session_up(void **state)
{
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_session_up();
	assert_auth_result(&srv, true, PPP_AUTH_OK);
	assert_auth_result(&cli, true, PPP_AUTH_OK);
	assert_string_equal(find_event(&srv, PPP_EVENT_AUTH_RESULT, 0)->text,
			    "alice");
	assert_int_equal(find_event(&srv, PPP_EVENT_AUTH_RESULT, 0)->ev.u.auth_result.method,
			 PPP_AUTH_MSCHAPV2);
}

static void test_mschapv2_with_external_verdict_brings_the_session_up(void **state)
{
	uint64_t now = 1000;

	srv.mode = AUTH_EXTERNAL;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_session_up();
	assert_auth_result(&cli, true, PPP_AUTH_OK);
}

static void test_mschapv2_wrong_password_fails_with_691(void **state)
{
	uint64_t now = 1000;

	cli.cred.password = "wrong";
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_auth_result(&srv, false, PPP_AUTH_FAIL_CREDENTIALS);
	assert_auth_result(&cli, false, PPP_AUTH_FAIL_CREDENTIALS);
	assert_int_not_equal(srv.s.phase, PPP_PHASE_NETWORK);
	/* The link then terminates with the reason. */
	while (tick(&srv, &cli, &now))
		;
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_AUTH_FAILED);
}

/* Feed the server by hand to read its Failure packet. */
static void failure_text_for(enum ppp_auth_failure code, const char *msg,
			     char *out, size_t cap, uint8_t *challenge_hex_ok)
{
	uint64_t now = 1000;
	const struct frame *f;
	size_t len;
	char chal[33] = "";

	ep_init(&srv, PPP_SERVER, 1);
	ep_init(&cli, PPP_CLIENT, 2);
	srv.mode = AUTH_REJECT;
	srv.reject_code = code;
	srv.reject_text = msg;
	ppp_set_auth_methods(&srv.s, only_mschapv2, 1);
	ppp_start(&srv.s, now);
	ppp_start(&cli.s, now);
	/* Stop delivering to the client once the server answers. */
	for (int i = 0; i < 20 && !find_sent(&srv, PPP_PROTO_CHAP, 4); i++) {
		struct frame q[OUTBOX_MAX];
		size_t n = srv.nout;

		memcpy(q, srv.out, n * sizeof(q[0]));
		srv.nout = 0;
		for (size_t k = 0; k < n; k++) {
			if (frame_proto(&q[k]) == PPP_PROTO_CHAP && q[k].b[4] == 1)
				for (int c = 0; c < 16; c++)
					snprintf(chal + 2 * c, 3, "%02X",
						 q[k].b[9 + c]);
			feed(&cli, now, q[k].b, q[k].len);
		}
		n = cli.nout;
		memcpy(q, cli.out, n * sizeof(q[0]));
		cli.nout = 0;
		for (size_t k = 0; k < n; k++)
			feed(&srv, now, q[k].b, q[k].len);
	}
	f = find_sent(&srv, PPP_PROTO_CHAP, 4);
	assert_non_null(f);
	len = (size_t)(frame_pkt(f)[2] << 8 | frame_pkt(f)[3]) - 4;
	assert_true(len < cap);
	memcpy(out, frame_pkt(f) + 4, len);
	out[len] = '\0';
	*challenge_hex_ok = strstr(out, chal) != NULL;
	pump(&srv, &cli, now);	/* let the client read the Failure */
}

static void test_mschapv2_failure_message_carries_each_refusal_code(void **state)
{
	static const struct {
		enum ppp_auth_failure code;
		const char *prefix;
	} cases[] = {
		{ PPP_AUTH_FAIL_CREDENTIALS, "E=691 R=0 C=" },
		{ PPP_AUTH_FAIL_NO_DIALIN, "E=649 R=0 C=" },
		{ PPP_AUTH_FAIL_RESTRICTED_HOURS, "E=646 R=0 C=" },
		{ PPP_AUTH_FAIL_ACCOUNT_DISABLED, "E=647 R=0 C=" },
		{ PPP_AUTH_FAIL_PASSWORD_EXPIRED, "E=648 R=0 C=" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		uint8_t chal_ok;

		failure_text_for(cases[i].code, NULL, text, sizeof(text),
				 &chal_ok);
		assert_memory_equal(text, cases[i].prefix,
				    strlen(cases[i].prefix));
		assert_true(chal_ok);
		/* "C=" + 32 hex digits, then version and message */
		assert_memory_equal(text + strlen(cases[i].prefix) + 32,
				    " V=3 M=", 7);
		/* the client reports the same code to its user */
		assert_auth_result(&cli, false, cases[i].code);
	}
}

static void test_mschapv2_failure_message_uses_callers_text(void **state)
{
	char text[256];
	uint8_t chal_ok;

	failure_text_for(PPP_AUTH_FAIL_NO_DIALIN, "Policy 'contractors' denies VPN",
			 text, sizeof(text), &chal_ok);
	assert_non_null(strstr(text, " V=3 M=Policy 'contractors' denies VPN"));
}

static void test_client_refuses_a_server_with_a_wrong_authenticator_response(void **state)
{
	uint64_t now = 1000;
	char bogus[] = "S=0000000000000000000000000000000000000000";
	struct ppp_auth_answer a;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_non_null(find_event(&srv, PPP_EVENT_AUTH_REQUEST, 0));
	/* An external verdict that claims success with a wrong S=. */
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_ACCEPT;
	a.authenticator_response = bogus;
	a.profile = &srv.profile;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	pump(&srv, &cli, now);
	/* RFC 2759 8.7: the client must not trust this server. */
	assert_auth_result(&cli, false, PPP_AUTH_FAIL_CREDENTIALS);
	assert_int_not_equal(cli.s.phase, PPP_PHASE_NETWORK);
}

static void test_verdict_may_come_later_and_nothing_blocks_meanwhile(void **state)
{
	uint64_t now = 1000;
	struct ppp_auth_answer a;
	uint8_t nt_hash[16];

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_int_equal(srv.s.phase, PPP_PHASE_AUTHENTICATE);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	/* Time passes (RADIUS is slow); the challenge is not resent. */
	now += 2500;
	ppp_timer_expired(&srv.s, now);
	assert_null(find_sent(&srv, PPP_PROTO_CHAP, 1));
	/* The answer arrives. */
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_LOCAL;
	assert_int_equal(ppp_nt_password_hash("correct horse", 13, nt_hash), 0);
	a.nt_hash = nt_hash;
	a.profile = &srv.profile;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	/* A second answer is refused: nothing is pending any more. */
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), -1);
	pump(&srv, &cli, now);
	assert_session_up();
}

static void test_success_is_followed_at_once_by_our_ipcp_request(void **state)
{
	uint64_t now = 1000;
	struct ppp_auth_answer a;
	uint8_t nt_hash[16];

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_LOCAL;
	assert_int_equal(ppp_nt_password_hash("correct horse", 13, nt_hash), 0);
	a.nt_hash = nt_hash;
	a.profile = &srv.profile;
	srv.nout = 0;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	/* Success, then IPCP Configure-Request, in the same call: IPCP is
	 * running before the client can send its first request. */
	assert_true(srv.nout >= 2);
	assert_int_equal(frame_proto(&srv.out[0]), PPP_PROTO_CHAP);
	assert_int_equal(srv.out[0].b[4], 3);
	assert_int_equal(frame_proto(&srv.out[1]), PPP_PROTO_IPCP);
	assert_int_equal(srv.s.ipcp.state, PPP_FSM_REQ_SENT);
}

static void test_client_ipcp_request_right_after_success_is_answered_not_dropped(void **state)
{
	uint64_t now = 1000;
	/* Windows' IPCP request (docs/interop.md): 0.0.0.0 + DNS + NBNS. */
	static const uint8_t ipcp_req[] = {
		0xFF, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x22,
		0x03, 0x06, 0, 0, 0, 0,
		0x81, 0x06, 0, 0, 0, 0,
		0x82, 0x06, 0, 0, 0, 0,
		0x83, 0x06, 0, 0, 0, 0,
		0x84, 0x06, 0, 0, 0, 0 };
	struct ppp_auth_answer a;
	uint8_t nt_hash[16];

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_LOCAL;
	assert_int_equal(ppp_nt_password_hash("correct horse", 13, nt_hash), 0);
	a.nt_hash = nt_hash;
	a.profile = &srv.profile;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	srv.nout = 0;
	assert_int_equal(feed(&srv, now, ipcp_req, sizeof(ipcp_req)),
			 PPP_INPUT_CONSUMED);
	/* Answered at once with a Nak carrying the assignment. */
	assert_non_null(find_sent(&srv, PPP_PROTO_IPCP, 3));
	assert_int_equal(srv.s.stats.drop[PPP_CNT_IPCP], 0);
}

static void test_ncp_frames_before_authentication_are_dropped_and_counted(void **state)
{
	uint64_t now = 1000;
	static const uint8_t ipcp_req[] = {
		0xFF, 0x03, 0x80, 0x21, 0x01, 0x01, 0x00, 0x0A,
		0x03, 0x06, 0, 0, 0, 0 };

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_int_equal(feed(&srv, now, ipcp_req, sizeof(ipcp_req)),
			 PPP_INPUT_DROPPED);
	assert_int_equal(srv.s.stats.drop[PPP_CNT_IPCP], 1);
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_NOT_OPEN], 1);
}

static void test_chap_md5_with_local_secret_brings_the_session_up(void **state)
{
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_chap, 1, &now);
	assert_session_up();
	assert_auth_result(&srv, true, PPP_AUTH_OK);
	assert_int_equal(find_event(&srv, PPP_EVENT_AUTH_RESULT, 0)->ev.u.auth_result.method,
			 PPP_AUTH_CHAP_MD5);
}

static void test_chap_md5_wrong_secret_fails(void **state)
{
	uint64_t now = 1000;

	cli.cred.password = "nope";
	connect_pair(&srv, &cli, only_chap, 1, &now);
	assert_auth_result(&srv, false, PPP_AUTH_FAIL_CREDENTIALS);
	assert_auth_result(&cli, false, PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_chap_md5_cannot_be_verified_with_an_nt_hash_alone(void **state)
{
	uint64_t now = 1000;
	struct ppp_auth_answer a;
	uint8_t nt_hash[16] = { 0 };

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_chap, 1, &now);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_LOCAL;
	a.nt_hash = nt_hash;
	a.profile = &srv.profile;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), -1);
	/* still pending: a usable answer works */
	a.nt_hash = NULL;
	a.secret = "correct horse";
	a.secret_len = 13;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	pump(&srv, &cli, now);
	assert_session_up();
}

static void test_pap_with_local_nt_hash_brings_the_session_up(void **state)
{
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_pap, 1, &now);
	assert_session_up();
	assert_auth_result(&srv, true, PPP_AUTH_OK);
	/* the password is wiped once the verdict is in */
	for (size_t i = 0; i < sizeof(srv.s.auth.m.secret); i++)
		assert_int_equal(srv.s.auth.m.secret[i], 0);
}

static void test_pap_refusal_sends_nak_and_ends_the_link(void **state)
{
	uint64_t now = 1000;

	srv.mode = AUTH_REJECT;
	srv.reject_code = PPP_AUTH_FAIL_ACCOUNT_DISABLED;
	connect_pair(&srv, &cli, only_pap, 1, &now);
	assert_auth_result(&srv, false, PPP_AUTH_FAIL_ACCOUNT_DISABLED);
	assert_auth_result(&cli, false, PPP_AUTH_FAIL_CREDENTIALS);
	while (tick(&srv, &cli, &now))
		;
	assert_non_null(find_event(&cli, PPP_EVENT_LINK_DOWN, 0));
	assert_non_null(find_event(&srv, PPP_EVENT_LINK_DOWN, 0));
}

static void test_pap_request_is_retransmitted_until_answered(void **state)
{
	uint64_t now = 1000;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_pap, 1, &now);
	cli.nout = 0;
	now += 3000;
	ppp_timer_expired(&cli.s, now);
	assert_non_null(find_sent(&cli, PPP_PROTO_PAP, 1));
}

static void test_eap_relay_with_external_md5_authenticator_brings_the_session_up(void **state)
{
	uint64_t now = 1000;
	const struct rec_event *req;

	connect_pair(&srv, &cli, only_eap, 1, &now);
	assert_session_up();
	/* two requests reached the external authenticator: the identity
	 * response, then the MD5 response */
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 2);
	req = find_event(&srv, PPP_EVENT_AUTH_REQUEST, 0);
	assert_string_equal(req->text, "alice");
	assert_int_equal(req->eap[0], 2);	/* Response */
	assert_int_equal(req->eap[4], 1);	/* Identity */
	assert_auth_result(&srv, true, PPP_AUTH_OK);
	assert_auth_result(&cli, true, PPP_AUTH_OK);
}

static void test_eap_relay_refusal_sends_eap_failure(void **state)
{
	uint64_t now = 1000;

	cli.cred.password = "bad";
	connect_pair(&srv, &cli, only_eap, 1, &now);
	assert_auth_result(&srv, false, PPP_AUTH_FAIL_CREDENTIALS);
	assert_auth_result(&cli, false, PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_eap_relay_refuses_malformed_requests_from_the_authenticator(void **state)
{
	uint64_t now = 1000;
	static const uint8_t bad_code[] = { 3, 1, 0, 5, 4 };
	static const uint8_t bad_len[] = { 1, 1, 0, 9, 4 };
	static const uint8_t no_type[] = { 1, 1, 0, 4 };

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_eap, 1, &now);
	assert_int_equal(ppp_auth_eap_request(&srv.s, now, bad_code, 5), -1);
	assert_int_equal(ppp_auth_eap_request(&srv.s, now, bad_len, 5), -1);
	assert_int_equal(ppp_auth_eap_request(&srv.s, now, no_type, 4), -1);
}

static void test_eap_relay_final_packet_goes_out_as_the_authenticator_sent_it(void **state)
{
	uint64_t now = 1000;
	static const uint8_t success[] = { 3, 0x77, 0, 4 };
	static const uint8_t long_success[] = { 3, 0x77, 0, 5, 0 };
	static const uint8_t request[] = { 1, 0x77, 0, 5, 1 };
	struct ppp_auth_answer a;
	const struct frame *f;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_eap, 1, &now);
	assert_int_equal(ppp_auth_eap_final(&srv.s, long_success, 5), -1);
	assert_int_equal(ppp_auth_eap_final(&srv.s, request, 5), -1);
	assert_int_equal(ppp_auth_eap_final(&srv.s, success, 4), 0);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_ACCEPT;
	a.profile = &srv.profile;
	srv.nout = 0;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	f = find_sent(&srv, PPP_PROTO_EAP, 3);
	assert_non_null(f);
	assert_memory_equal(f->b + 4, success, 4);
	/* once decided, nothing more is taken */
	assert_int_equal(ppp_auth_eap_final(&srv.s, success, 4), -1);
}

static void test_eap_relay_request_is_retransmitted_until_answered(void **state)
{
	uint64_t now = 1000;
	/* an MD5-Challenge from the external authenticator (RFC 3748 5.4) */
	static const uint8_t md5[] = { 1, 0x51, 0, 22, 4, 16, '0', '1', '2', '3', '4', '5',
				       '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f' };
	const struct frame *f;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_eap, 1, &now);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	srv.nout = 0;
	assert_int_equal(ppp_auth_eap_request(&srv.s, now, md5, sizeof(md5)), 0);
	/* lost on the way: the authenticator sends it again (RFC 3748 4.3),
	 * the same packet, on the restart timer */
	srv.nout = 0;
	now += srv.cfg.restart_ms - 1;
	ppp_timer_expired(&srv.s, now);
	assert_null(find_sent(&srv, PPP_PROTO_EAP, 1));
	now += 1;
	ppp_timer_expired(&srv.s, now);
	f = find_sent(&srv, PPP_PROTO_EAP, 1);
	assert_non_null(f);
	assert_memory_equal(f->b + 4, md5, sizeof(md5));
	/* this copy arrives; the client's Response ends the retransmission */
	pump(&srv, &cli, now);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 2);
	srv.nout = 0;
	now += 10 * srv.cfg.restart_ms;
	ppp_timer_expired(&srv.s, now);
	assert_null(find_sent(&srv, PPP_PROTO_EAP, 1));
}

static void test_eap_cannot_be_verified_locally(void **state)
{
	uint64_t now = 1000;
	struct ppp_auth_answer a;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_eap, 1, &now);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_LOCAL;
	a.secret = "x";
	a.secret_len = 1;
	a.profile = &srv.profile;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), -1);
}

static void test_accept_without_a_profile_is_refused(void **state)
{
	uint64_t now = 1000;
	struct ppp_auth_answer a;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_pap, 1, &now);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_ACCEPT;
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), -1);
}

static void test_mschapv2_accept_needs_a_well_formed_authenticator_response(void **state)
{
	uint64_t now = 1000;
	struct ppp_auth_answer a;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	memset(&a, 0, sizeof(a));
	a.kind = PPP_ANSWER_ACCEPT;
	a.profile = &srv.profile;
	a.authenticator_response = "S=12";
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), -1);
	a.authenticator_response = "X=407A5589115FD0D6209F510FE9C04566932CDA56";
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), -1);
}

static void test_repeated_response_after_success_gets_the_same_success(void **state)
{
	uint64_t now = 1000;
	uint8_t resp[PPP_MAX_FRAME];
	size_t rlen = 0;
	const struct frame *f;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	/* capture the client's Response as the server saw it */
	{
		uint8_t pkt[PPP_MAX_FRAME];
		size_t n = 0;
		const struct ppp_auth_request *r =
			&find_event(&srv, PPP_EVENT_AUTH_REQUEST, 0)->ev.u.auth_request;

		(void)r;
		pkt[n++] = 0xFF; pkt[n++] = 0x03; pkt[n++] = 0xC2; pkt[n++] = 0x23;
		pkt[n++] = 2; pkt[n++] = srv.s.auth.id; pkt[n++] = 0; pkt[n++] = 0;
		pkt[n++] = 49;
		memcpy(pkt + n, srv.s.auth.m.chap.peer_challenge, 16); n += 16;
		memset(pkt + n, 0, 8); n += 8;
		memcpy(pkt + n, srv.s.auth.m.chap.nt_response, 24); n += 24;
		pkt[n++] = 0;
		memcpy(pkt + n, "alice", 5); n += 5;
		pkt[7] = (uint8_t)(n - 4);
		memcpy(resp, pkt, n);
		rlen = n;
	}
	srv.mode = AUTH_LOCAL;
	{
		struct ppp_auth_answer a;
		uint8_t h[16];

		memset(&a, 0, sizeof(a));
		a.kind = PPP_ANSWER_LOCAL;
		assert_int_equal(ppp_nt_password_hash("correct horse", 13, h), 0);
		a.nt_hash = h;
		a.profile = &srv.profile;
		assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	}
	f = find_sent(&srv, PPP_PROTO_CHAP, 3);
	assert_non_null(f);
	{
		struct frame first = *f;

		srv.nout = 0;
		feed(&srv, now, resp, rlen);
		f = find_sent(&srv, PPP_PROTO_CHAP, 3);
		assert_non_null(f);
		assert_int_equal(f->len, first.len);
		assert_memory_equal(f->b, first.b, first.len);
	}
}

static void test_auth_phase_times_out_when_the_verdict_never_comes(void **state)
{
	uint64_t now = 1000;

	srv.mode = AUTH_DEFER;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	while (tick(&srv, &cli, &now) && now < 200000)
		;
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_AUTH_TIMEOUT);
}

/* ---- duplication and loss on the link (RFC 1994 4.1/4.2, RFC 1334 2.2.1) ---- */

struct link_rule {
	bool from_server;
	uint16_t proto;
	uint8_t code;
	int drop_first;		/* lose the first n matching frames (-1: all) */
	int copies;		/* then deliver each this many times (0: 1) */
	int seen;
};

struct lossy_link {
	struct link_rule rule[4];
	size_t nrules;
	/* every authentication request the client sent, as sent */
	struct frame asked[16];
	size_t nasked;
};

static int lossy_copies(const struct frame *f, bool from_server, void *arg)
{
	struct lossy_link *l = arg;
	uint16_t proto = frame_proto(f);

	if (!from_server && (proto == PPP_PROTO_CHAP || proto == PPP_PROTO_PAP) &&
	    f->b[4] == (proto == PPP_PROTO_CHAP ? 2 : 1) && l->nasked < 16)
		l->asked[l->nasked++] = *f;
	for (size_t i = 0; i < l->nrules; i++) {
		struct link_rule *r = &l->rule[i];

		if (r->from_server != from_server || r->proto != proto ||
		    f->b[4] != r->code)
			continue;
		r->seen++;
		if (r->drop_first < 0 || r->seen <= r->drop_first)
			return 0;
		return r->copies ? r->copies : 1;
	}
	return 1;
}

static void lossy_rule(struct lossy_link *l, bool from_server, uint16_t proto,
		       uint8_t code, int drop_first, int copies)
{
	l->rule[l->nrules++] = (struct link_rule){ from_server, proto, code,
						   drop_first, copies, 0 };
}

/* Bring the pair up over the link, then let timers run until both NCPs
 * are up or nothing is left to do. */
static void connect_over(struct lossy_link *l, const enum ppp_auth_method *m,
			 uint64_t *now)
{
	ppp_set_auth_methods(&srv.s, m, 1);
	ppp_start(&srv.s, *now);
	ppp_start(&cli.s, *now);
	pump_link(&srv, &cli, *now, lossy_copies, l);
	while (!(ppp_fsm_is_opened(&srv.s.ipcp) &&
		 ppp_fsm_is_opened(&cli.s.ipcp)) &&
	       *now < 100000 && tick_link(&srv, &cli, now, lossy_copies, l))
		;
}

static void assert_requests_identical(const struct lossy_link *l, size_t min)
{
	assert_true(l->nasked >= min);
	for (size_t i = 1; i < l->nasked; i++) {
		assert_int_equal(l->asked[i].len, l->asked[0].len);
		assert_memory_equal(l->asked[i].b, l->asked[0].b,
				    l->asked[0].len);
	}
}

static void duplicated_challenge_gets_the_identical_response(
	const enum ppp_auth_method *m)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;

	lossy_rule(&l, true, PPP_PROTO_CHAP, 1, 0, 2);
	connect_over(&l, m, &now);
	assert_session_up();
	assert_auth_result(&cli, true, PPP_AUTH_OK);
	/* two Responses for the two copies, byte for byte the same (for
	 * MS-CHAPv2: the same Peer-Challenge), and one verdict asked for */
	assert_requests_identical(&l, 2);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	assert_int_equal(now, 1000);	/* no timer was needed */
}

static void test_duplicated_mschapv2_challenge_gets_the_identical_response(void **state)
{
	duplicated_challenge_gets_the_identical_response(only_mschapv2);
}

static void test_duplicated_chap_md5_challenge_gets_the_identical_response(void **state)
{
	duplicated_challenge_gets_the_identical_response(only_chap);
}

static void lost_success_is_recovered_by_repeating_the_request(
	const enum ppp_auth_method *m, uint16_t proto, uint8_t success_code)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;

	lossy_rule(&l, true, proto, success_code, 1, 1);
	connect_over(&l, m, &now);
	assert_session_up();
	assert_auth_result(&cli, true, PPP_AUTH_OK);
	/* the client said it again after its restart period, with the same
	 * Identifier and bytes, and the server repeated its Success without
	 * asking for a second verdict */
	assert_requests_identical(&l, 2);
	assert_int_equal(l.rule[0].seen, 2);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	assert_true(now >= 1000 + cli.cfg.restart_ms);
}

static void test_lost_mschapv2_success_is_recovered_by_repeating_the_response(void **state)
{
	lost_success_is_recovered_by_repeating_the_request(only_mschapv2,
							   PPP_PROTO_CHAP, 3);
}

static void test_lost_chap_md5_success_is_recovered_by_repeating_the_response(void **state)
{
	lost_success_is_recovered_by_repeating_the_request(only_chap,
							   PPP_PROTO_CHAP, 3);
}

static void test_lost_pap_ack_is_recovered_by_repeating_the_request(void **state)
{
	lost_success_is_recovered_by_repeating_the_request(only_pap,
							   PPP_PROTO_PAP, 2);
}

static void test_lost_response_is_recovered_by_the_repeated_challenge(void **state)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;

	lossy_rule(&l, false, PPP_PROTO_CHAP, 2, 1, 1);
	connect_over(&l, only_mschapv2, &now);
	assert_session_up();
	assert_requests_identical(&l, 2);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
}

/* The refusal is lost and so is every LCP Terminate-Request after it: the
 * client repeats its request, and the server, LCP still closing, gives the
 * same refusal again, so the client learns the code. */
static void lost_refusal_is_repeated(const enum ppp_auth_method *m,
				     uint16_t proto, uint8_t failure_code,
				     enum ppp_auth_failure cli_code)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;
	const struct rec_event *r;

	srv.mode = AUTH_REJECT;
	srv.reject_code = PPP_AUTH_FAIL_NO_DIALIN;
	srv.reject_text = "Ask the help desk";
	lossy_rule(&l, true, proto, failure_code, 1, 1);
	lossy_rule(&l, true, PPP_PROTO_LCP, 5, -1, 1);	/* Terminate-Request */
	connect_over(&l, m, &now);
	assert_int_equal(l.rule[0].seen, 2);		/* refused twice */
	assert_requests_identical(&l, 2);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 1);
	r = find_event(&cli, PPP_EVENT_AUTH_RESULT, 0);
	assert_non_null(r);
	assert_false(r->ev.u.auth_result.success);
	assert_int_equal(r->ev.u.auth_result.code, cli_code);
}

static void test_lost_mschapv2_failure_is_repeated_with_the_same_code(void **state)
{
	lost_refusal_is_repeated(only_mschapv2, PPP_PROTO_CHAP, 4,
				 PPP_AUTH_FAIL_NO_DIALIN);
}

static void test_lost_pap_nak_is_repeated(void **state)
{
	lost_refusal_is_repeated(only_pap, PPP_PROTO_PAP, 3,
				 PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_repeated_response_after_failure_gets_the_same_failure(void **state)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;
	const struct frame *f;
	const uint8_t *p;

	srv.mode = AUTH_REJECT;
	srv.reject_code = PPP_AUTH_FAIL_ACCOUNT_DISABLED;
	/* the client hears nothing after the Challenge */
	lossy_rule(&l, true, PPP_PROTO_CHAP, 4, -1, 1);
	lossy_rule(&l, true, PPP_PROTO_LCP, 5, -1, 1);
	ppp_set_auth_methods(&srv.s, only_mschapv2, 1);
	ppp_start(&srv.s, now);
	ppp_start(&cli.s, now);
	pump_link(&srv, &cli, now, lossy_copies, &l);
	assert_int_equal(l.nasked, 1);
	assert_int_equal(srv.s.lcp.state, PPP_FSM_CLOSING);
	srv.nout = 0;
	feed(&srv, now, l.asked[0].b, l.asked[0].len);
	f = find_sent(&srv, PPP_PROTO_CHAP, 4);
	assert_non_null(f);
	p = frame_pkt(f);
	assert_int_equal(p[1], l.asked[0].b[5]);	/* same Identifier */
	assert_memory_equal(p + 4, "E=647 R=0 C=", 12);
	/* a Response with another Identifier gets nothing */
	srv.nout = 0;
	l.asked[0].b[5]++;
	feed(&srv, now, l.asked[0].b, l.asked[0].len);
	assert_null(find_sent(&srv, PPP_PROTO_CHAP, 4));
	/* and once the link is down, nothing at all */
	while (tick_link(&srv, &cli, &now, lossy_copies, &l) && now < 100000)
		;
	assert_int_not_equal(srv.s.lcp.state, PPP_FSM_CLOSING);
	srv.nout = 0;
	l.asked[0].b[5]--;
	feed(&srv, now, l.asked[0].b, l.asked[0].len);
	assert_null(find_sent(&srv, PPP_PROTO_CHAP, 4));
}

static void test_client_gives_up_repeating_its_response(void **state)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;
	const struct rec_event *down;

	srv.mode = AUTH_DEFER;	/* the verdict never comes */
	srv.cfg.auth_timeout_ms = 0;
	cli.cfg.auth_timeout_ms = 0;
	connect_over(&l, only_mschapv2, &now);
	down = find_event(&cli, PPP_EVENT_LINK_DOWN, 0);
	assert_non_null(down);
	assert_int_equal(down->ev.u.link_down.reason, PPP_DOWN_AUTH_TIMEOUT);
	/* the first Response and Max-Configure repeats, all the same */
	assert_int_equal(l.nasked, 1 + cli.cfg.max_configure);
	assert_requests_identical(&l, 2);
}

/* LCP under loss: the server's Configure-Ack of the client's request is
 * lost.  The client's restart timer resends the request with the same
 * Identifier (RFC 1661 5.1 allows it), and the server, already Opened,
 * answers it with the same Ack instead of renegotiating (which would
 * restart authentication). */
static void test_lost_lcp_ack_is_answered_again_without_renegotiation(void **state)
{
	struct lossy_link l = { .nrules = 0 };
	uint64_t now = 1000;

	lossy_rule(&l, true, PPP_PROTO_LCP, 2, 1, 1);	/* first Ack lost */
	lossy_rule(&l, true, PPP_PROTO_LCP, 1, 0, 1);	/* count the server's requests */
	lossy_rule(&l, false, PPP_PROTO_LCP, 1, 0, 1);	/* and the client's */
	connect_over(&l, only_mschapv2, &now);
	assert_session_up();
	assert_int_equal(l.rule[0].seen, 2);	/* the Ack, said twice */
	assert_int_equal(l.rule[1].seen, 1);	/* the server never renegotiated */
	assert_int_equal(l.rule[2].seen, 2);	/* the client's request and its resend */
}

static void test_lcp_retransmission_keeps_the_identifier_until_a_reply(void **state)
{
	uint64_t now = 1000;
	uint8_t first, again;
	const struct frame *f;

	ppp_start(&cli.s, now);
	f = find_sent(&cli, PPP_PROTO_LCP, 1);
	assert_non_null(f);
	first = frame_pkt(f)[1];
	cli.nout = 0;
	now = cli.timer;
	ppp_timer_expired(&cli.s, now);
	f = find_sent(&cli, PPP_PROTO_LCP, 1);
	assert_non_null(f);
	again = frame_pkt(f)[1];
	assert_int_equal(again, first);	/* same options, no reply: same id */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_mschapv2_with_local_nt_hash_brings_the_session_up, setup),
		cmocka_unit_test_setup(test_mschapv2_with_external_verdict_brings_the_session_up, setup),
		cmocka_unit_test_setup(test_mschapv2_wrong_password_fails_with_691, setup),
		cmocka_unit_test_setup(test_mschapv2_failure_message_carries_each_refusal_code, setup),
		cmocka_unit_test_setup(test_mschapv2_failure_message_uses_callers_text, setup),
		cmocka_unit_test_setup(test_client_refuses_a_server_with_a_wrong_authenticator_response, setup),
		cmocka_unit_test_setup(test_verdict_may_come_later_and_nothing_blocks_meanwhile, setup),
		cmocka_unit_test_setup(test_success_is_followed_at_once_by_our_ipcp_request, setup),
		cmocka_unit_test_setup(test_client_ipcp_request_right_after_success_is_answered_not_dropped, setup),
		cmocka_unit_test_setup(test_ncp_frames_before_authentication_are_dropped_and_counted, setup),
		cmocka_unit_test_setup(test_chap_md5_with_local_secret_brings_the_session_up, setup),
		cmocka_unit_test_setup(test_chap_md5_wrong_secret_fails, setup),
		cmocka_unit_test_setup(test_chap_md5_cannot_be_verified_with_an_nt_hash_alone, setup),
		cmocka_unit_test_setup(test_pap_with_local_nt_hash_brings_the_session_up, setup),
		cmocka_unit_test_setup(test_pap_refusal_sends_nak_and_ends_the_link, setup),
		cmocka_unit_test_setup(test_pap_request_is_retransmitted_until_answered, setup),
		cmocka_unit_test_setup(test_eap_relay_with_external_md5_authenticator_brings_the_session_up, setup),
		cmocka_unit_test_setup(test_eap_relay_refusal_sends_eap_failure, setup),
		cmocka_unit_test_setup(test_eap_relay_refuses_malformed_requests_from_the_authenticator, setup),
		cmocka_unit_test_setup(test_eap_relay_final_packet_goes_out_as_the_authenticator_sent_it, setup),
		cmocka_unit_test_setup(test_eap_relay_request_is_retransmitted_until_answered, setup),
		cmocka_unit_test_setup(test_eap_cannot_be_verified_locally, setup),
		cmocka_unit_test_setup(test_accept_without_a_profile_is_refused, setup),
		cmocka_unit_test_setup(test_mschapv2_accept_needs_a_well_formed_authenticator_response, setup),
		cmocka_unit_test_setup(test_repeated_response_after_success_gets_the_same_success, setup),
		cmocka_unit_test_setup(test_auth_phase_times_out_when_the_verdict_never_comes, setup),
		cmocka_unit_test_setup(test_duplicated_mschapv2_challenge_gets_the_identical_response, setup),
		cmocka_unit_test_setup(test_duplicated_chap_md5_challenge_gets_the_identical_response, setup),
		cmocka_unit_test_setup(test_lost_mschapv2_success_is_recovered_by_repeating_the_response, setup),
		cmocka_unit_test_setup(test_lost_chap_md5_success_is_recovered_by_repeating_the_response, setup),
		cmocka_unit_test_setup(test_lost_pap_ack_is_recovered_by_repeating_the_request, setup),
		cmocka_unit_test_setup(test_lost_response_is_recovered_by_the_repeated_challenge, setup),
		cmocka_unit_test_setup(test_lost_mschapv2_failure_is_repeated_with_the_same_code, setup),
		cmocka_unit_test_setup(test_lost_pap_nak_is_repeated, setup),
		cmocka_unit_test_setup(test_repeated_response_after_failure_gets_the_same_failure, setup),
		cmocka_unit_test_setup(test_client_gives_up_repeating_its_response, setup),
		cmocka_unit_test_setup(test_lost_lcp_ack_is_answered_again_without_renegotiation, setup),
		cmocka_unit_test_setup(test_lcp_retransmission_keeps_the_identifier_until_a_reply, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
