/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LCP option handling, fed byte fixtures (what Windows and pppd send) into
 * a server session, and read back from what it sends.
 */
#include "harness.h"
#include "fixtures.h"

static const enum ppp_auth_method order3[] = {
	PPP_AUTH_MSCHAPV2, PPP_AUTH_CHAP_MD5, PPP_AUTH_PAP };

static struct endpoint srv;

static int setup(void **state)
{
	ep_init(&srv, PPP_SERVER, 7);
	ppp_set_auth_methods(&srv.s, order3, 3);
	ppp_start(&srv.s, 1000);
	return 0;
}

static const uint8_t *our_last(uint16_t proto, uint8_t code)
{
	for (size_t i = srv.nout; i > 0; i--)
		if (frame_proto(&srv.out[i - 1]) == proto &&
		    srv.out[i - 1].b[4] == code)
			return frame_pkt(&srv.out[i - 1]);
	return NULL;
}

/* Ack the server's last Configure-Request as the peer would. */
static void ack_our_request(uint64_t now)
{
	const uint8_t *req = our_last(PPP_PROTO_LCP, 1);
	uint8_t f[PPP_MAX_FRAME];
	size_t len;

	assert_non_null(req);
	len = (size_t)(req[2] << 8 | req[3]);
	f[0] = 0xFF; f[1] = 0x03; f[2] = 0xC0; f[3] = 0x21;
	memcpy(f + 4, req, len);
	f[4] = 2;
	feed(&srv, now, f, len + 4);
}

static void open_lcp_with_windows(void)
{
	feed(&srv, 1000, win_lcp_req, sizeof(win_lcp_req));
	feed(&srv, 1000, win_lcp_req2, sizeof(win_lcp_req2));
	ack_our_request(1000);
	assert_true(ppp_fsm_is_opened(&srv.s.lcp));
}

static void test_server_request_offers_mru_first_auth_method_and_magic(void **state)
{
	const uint8_t *req = our_last(PPP_PROTO_LCP, 1);
	static const uint8_t mru[] = { 0x05, 0x78 };
	static const uint8_t mschapv2[] = { 0xC2, 0x23, 0x81 };

	assert_non_null(req);
	assert_true(pkt_has_option(req, 1, mru, 2));
	assert_true(pkt_has_option(req, 3, mschapv2, 3));
	assert_true(pkt_has_type(req, 5));
}

static void test_windows_request_gets_callback_mrru_discriminators_and_auth_rejected(void **state)
{
	const uint8_t *rej;

	feed(&srv, 1000, win_lcp_req, sizeof(win_lcp_req));
	rej = our_last(PPP_PROTO_LCP, 4);
	assert_non_null(rej);
	assert_int_equal(rej[1], 0x00);		/* same Identifier */
	assert_true(pkt_has_type(rej, 3));	/* we are not authenticated */
	assert_true(pkt_has_type(rej, 13));
	assert_true(pkt_has_type(rej, 17));
	assert_true(pkt_has_type(rej, 19));
	assert_true(pkt_has_type(rej, 23));
	assert_false(pkt_has_type(rej, 1));
	assert_false(pkt_has_type(rej, 5));
	assert_false(pkt_has_type(rej, 7));
	assert_false(pkt_has_type(rej, 8));
	assert_null(our_last(PPP_PROTO_LCP, 2));
}

static void test_windows_second_request_is_acked_whole(void **state)
{
	const uint8_t *ack;

	feed(&srv, 1000, win_lcp_req, sizeof(win_lcp_req));
	feed(&srv, 1000, win_lcp_req2, sizeof(win_lcp_req2));
	ack = our_last(PPP_PROTO_LCP, 2);
	assert_non_null(ack);
	assert_int_equal((ack[2] << 8 | ack[3]), sizeof(win_lcp_req2) - 4);
	assert_memory_equal(ack + 4, win_lcp_req2 + 8, sizeof(win_lcp_req2) - 8);
	assert_int_equal(srv.s.lcp_st.peer_mru, 1400);
	assert_int_equal(srv.s.lcp_st.peer_magic, 0x4A1B7C33);
}

static void test_lcp_opens_and_authentication_starts_with_a_challenge(void **state)
{
	open_lcp_with_windows();
	assert_int_equal(srv.s.phase, PPP_PHASE_AUTHENTICATE);
	assert_non_null(find_event(&srv, PPP_EVENT_LINK_UP, 0));
	assert_non_null(our_last(PPP_PROTO_CHAP, 1));
}

static void nak_auth(const uint8_t *body, size_t blen)
{
	const uint8_t *req = our_last(PPP_PROTO_LCP, 1);
	uint8_t f[32] = { 0xFF, 0x03, 0xC0, 0x21, 3, 0, 0, 0, 3, 0 };

	f[5] = req[1];
	f[9] = (uint8_t)(blen + 2);
	memcpy(f + 10, body, blen);
	f[7] = (uint8_t)(4 + 2 + blen);
	feed(&srv, 1000, f, 10 + blen);
}

static void test_auth_nak_naming_an_allowed_method_switches_to_it(void **state)
{
	static const uint8_t pap[] = { 0xC0, 0x23 };

	nak_auth(pap, 2);
	assert_true(pkt_has_option(our_last(PPP_PROTO_LCP, 1), 3, pap, 2));
}

static void test_auth_nak_naming_a_refused_method_moves_to_our_next_choice(void **state)
{
	static const uint8_t eap[] = { 0xC2, 0x27 };
	static const uint8_t md5[] = { 0xC2, 0x23, 0x05 };
	static const uint8_t pap[] = { 0xC0, 0x23 };

	nak_auth(eap, 2);	/* EAP is not in our allowed set */
	assert_true(pkt_has_option(our_last(PPP_PROTO_LCP, 1), 3, md5, 3));
	nak_auth(eap, 2);
	assert_true(pkt_has_option(our_last(PPP_PROTO_LCP, 1), 3, pap, 2));
	/* nothing left: the link closes with the reason */
	nak_auth(eap, 2);
	assert_int_equal(srv.s.lcp.state, PPP_FSM_CLOSING);
	assert_int_equal(srv.s.down_reason, PPP_DOWN_NO_AUTH_METHOD);
}

static void test_auth_reject_closes_the_link_with_no_common_method(void **state)
{
	const uint8_t *req = our_last(PPP_PROTO_LCP, 1);
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 4, req[1], 0, 9,
			3, 5, 0xC2, 0x23, 0x81 };
	const uint8_t *term;
	uint64_t now = 1000;

	feed(&srv, now, f, sizeof(f));
	term = our_last(PPP_PROTO_LCP, 5);
	assert_non_null(term);
	/* RFC 1661 5.5: the Terminate-Request says why */
	assert_memory_equal(term + 4, "No common authentication protocol",
			    strlen("No common authentication protocol"));
	while (tick(&srv, NULL, &now))
		;
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_NO_AUTH_METHOD);
}

static void test_pppd_like_mru_nak_is_honoured(void **state)
{
	const uint8_t *req = our_last(PPP_PROTO_LCP, 1);
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 3, req[1], 0, 8,
			1, 4, 0x05, 0xDC };	/* "use 1500" */
	static const uint8_t mru1500[] = { 0x05, 0xDC };

	feed(&srv, 1000, f, sizeof(f));
	assert_true(pkt_has_option(our_last(PPP_PROTO_LCP, 1), 1, mru1500, 2));
	ack_our_request(1000);
	assert_int_equal(srv.s.lcp.state, PPP_FSM_ACK_RCVD);
	assert_int_equal(srv.s.lcp_st.mru, 1500);
}

static void test_absurd_mru_nak_makes_us_stop_asking(void **state)
{
	const uint8_t *req = our_last(PPP_PROTO_LCP, 1);
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 3, req[1], 0, 8,
			1, 4, 0x00, 0x10 };

	feed(&srv, 1000, f, sizeof(f));
	assert_false(pkt_has_type(our_last(PPP_PROTO_LCP, 1), 1));
}

static void test_tiny_peer_mru_is_naked_up_to_the_minimum(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 8, 1, 4, 0x00, 0x20 };
	static const uint8_t min[] = { 0x00, 0x80 };

	feed(&srv, 1000, f, sizeof(f));
	assert_true(pkt_has_option(our_last(PPP_PROTO_LCP, 3), 1, min, 2));
}

static void test_duplicate_option_is_rejected_and_counted(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 12,
			1, 4, 0x05, 0x78, 1, 4, 0x05, 0xDC };
	const uint8_t *rej;

	feed(&srv, 1000, f, sizeof(f));
	rej = our_last(PPP_PROTO_LCP, 4);
	assert_non_null(rej);
	assert_int_equal((rej[2] << 8 | rej[3]), 8);	/* only the repeat */
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_OPTION_DUPLICATE], 1);
}

static void test_zero_length_option_discards_the_request(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 10,
			1, 4, 0x05, 0x78, 7, 0 };
	size_t before = srv.nout;

	feed(&srv, 1000, f, sizeof(f));
	assert_int_equal(srv.nout, before);
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_OPTION_ZERO_LENGTH], 1);
}

static void test_option_running_past_the_packet_discards_the_request(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 10,
			1, 4, 0x05, 0x78, 5, 6 };
	size_t before = srv.nout;

	feed(&srv, 1000, f, sizeof(f));
	assert_int_equal(srv.nout, before);
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_OPTION_TRUNCATED], 1);
}

static void test_known_option_with_wrong_length_is_rejected_and_counted(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 9, 1, 5, 0x05, 0x78, 0 };

	feed(&srv, 1000, f, sizeof(f));
	assert_true(pkt_has_type(our_last(PPP_PROTO_LCP, 4), 1));
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_OPTION_LENGTH], 1);
}

static void test_accm_is_acked_as_harmless_over_l2tp(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 10,
			2, 6, 0, 0, 0, 0 };

	feed(&srv, 1000, f, sizeof(f));
	assert_non_null(our_last(PPP_PROTO_LCP, 2));
}

static void test_magic_equal_to_ours_is_naked_with_a_different_one(void **state)
{
	uint32_t m = srv.s.lcp_st.magic;
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 9, 0, 10, 5, 6,
			(uint8_t)(m >> 24), (uint8_t)(m >> 16),
			(uint8_t)(m >> 8), (uint8_t)m };
	const uint8_t *nak;
	uint32_t suggested;

	feed(&srv, 1000, f, sizeof(f));
	nak = our_last(PPP_PROTO_LCP, 3);
	assert_non_null(nak);
	assert_true(pkt_has_type(nak, 5));
	suggested = (uint32_t)nak[6] << 24 | (uint32_t)nak[7] << 16 |
		    (uint32_t)nak[8] << 8 | nak[9];
	assert_int_not_equal(suggested, m);
	assert_int_not_equal(suggested, 0);
}

static void test_loopback_peer_is_detected_and_the_link_goes_down(void **state)
{
	uint64_t now = 1000;

	/* Everything we send comes straight back to us. */
	for (int i = 0; i < 200 && !find_event(&srv, PPP_EVENT_LINK_DOWN, 0); i++) {
		struct frame q[OUTBOX_MAX];
		size_t n = srv.nout;

		memcpy(q, srv.out, n * sizeof(q[0]));
		srv.nout = 0;
		for (size_t k = 0; k < n; k++)
			feed(&srv, now, q[k].b, q[k].len);
		if (n == 0 && srv.timer) {
			now = srv.timer;
			ppp_timer_expired(&srv.s, now);
		}
	}
	assert_non_null(find_event(&srv, PPP_EVENT_LINK_DOWN, 0));
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_LOOPBACK);
}

static void test_echo_request_is_answered_with_our_magic(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 9, 0x33, 0, 12,
			0x4A, 0x1B, 0x7C, 0x33, 'p', 'i', 'n', 'g' };
	const uint8_t *rep;
	uint32_t m;

	open_lcp_with_windows();
	feed(&srv, 1000, f, sizeof(f));
	rep = our_last(PPP_PROTO_LCP, 10);
	assert_non_null(rep);
	assert_int_equal(rep[1], 0x33);
	m = (uint32_t)rep[4] << 24 | (uint32_t)rep[5] << 16 |
	    (uint32_t)rep[6] << 8 | rep[7];
	assert_int_equal(m, srv.s.lcp_st.magic);
	assert_memory_equal(rep + 8, "ping", 4);
}

static void test_keepalive_declares_a_silent_peer_dead(void **state)
{
	uint64_t now = 1000;

	srv.cfg.echo_interval_ms = 2000;	/* well inside the auth timeout */
	open_lcp_with_windows();
	srv.nout = 0;
	while (tick(&srv, NULL, &now) && now < 10 * 60 * 1000)
		;
	assert_int_equal(srv.s.stats.echo_sent, 4);
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_DEAD_PEER);
}

static void test_echo_replies_keep_the_link_alive(void **state)
{
	uint64_t now = 1000;

	srv.cfg.echo_interval_ms = 2000;
	srv.cfg.auth_timeout_ms = 0;
	open_lcp_with_windows();
	for (int i = 0; i < 10; i++) {
		const uint8_t *req;
		uint8_t f[12] = { 0xFF, 0x03, 0xC0, 0x21, 10, 0, 0, 8,
				  1, 2, 3, 4 };

		srv.nout = 0;
		now = srv.timer;
		ppp_timer_expired(&srv.s, now);
		req = our_last(PPP_PROTO_LCP, 9);
		if (!req)
			continue;	/* a challenge retransmission fired */
		f[5] = req[1];
		feed(&srv, now, f, sizeof(f));
	}
	assert_null(find_event(&srv, PPP_EVENT_LINK_DOWN, 0));
	assert_true(srv.s.stats.echo_sent >= 3);
}

static void test_identification_and_time_remaining_are_exposed_not_rejected(void **state)
{
	uint8_t tr[] = { 0xFF, 0x03, 0xC0, 0x21, 13, 3, 0, 16,
			 1, 2, 3, 4, 0, 0, 0x0E, 0x10, 'b', 'y', 'e', '!' };
	const struct rec_event *e;

	feed(&srv, 1000, win_lcp_ident, sizeof(win_lcp_ident));
	feed(&srv, 1000, tr, sizeof(tr));
	e = find_event(&srv, PPP_EVENT_IDENTIFICATION, 0);
	assert_non_null(e);
	assert_string_equal(e->text, "MSRASV5.20");
	e = find_event(&srv, PPP_EVENT_TIME_REMAINING, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.u.lcp_info.seconds, 3600);
	assert_string_equal(e->text, "bye!");
	assert_null(our_last(PPP_PROTO_LCP, 7));
}

static void test_unknown_lcp_code_is_code_rejected(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0xC0, 0x21, 0x20, 3, 0, 4 };
	const uint8_t *cj;

	feed(&srv, 1000, f, sizeof(f));
	cj = our_last(PPP_PROTO_LCP, 7);
	assert_non_null(cj);
	assert_int_equal(cj[4], 0x20);	/* the rejected packet follows */
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_UNKNOWN_CODE], 1);
}

static void test_administrative_close_sends_terminate_with_reason(void **state)
{
	const uint8_t *term;

	open_lcp_with_windows();
	ppp_close(&srv.s, 2000, PPP_DOWN_SESSION_TIMEOUT);
	term = our_last(PPP_PROTO_LCP, 5);
	assert_non_null(term);
	assert_int_equal((term[2] << 8 | term[3]), 4 + strlen("Session timeout"));
	assert_memory_equal(term + 4, "Session timeout", strlen("Session timeout"));
}

static void test_frames_without_address_control_are_accepted(void **state)
{
	feed(&srv, 1000, win_lcp_req2 + 2, sizeof(win_lcp_req2) - 2);
	assert_non_null(our_last(PPP_PROTO_LCP, 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_server_request_offers_mru_first_auth_method_and_magic, setup),
		cmocka_unit_test_setup(test_windows_request_gets_callback_mrru_discriminators_and_auth_rejected, setup),
		cmocka_unit_test_setup(test_windows_second_request_is_acked_whole, setup),
		cmocka_unit_test_setup(test_lcp_opens_and_authentication_starts_with_a_challenge, setup),
		cmocka_unit_test_setup(test_auth_nak_naming_an_allowed_method_switches_to_it, setup),
		cmocka_unit_test_setup(test_auth_nak_naming_a_refused_method_moves_to_our_next_choice, setup),
		cmocka_unit_test_setup(test_auth_reject_closes_the_link_with_no_common_method, setup),
		cmocka_unit_test_setup(test_pppd_like_mru_nak_is_honoured, setup),
		cmocka_unit_test_setup(test_absurd_mru_nak_makes_us_stop_asking, setup),
		cmocka_unit_test_setup(test_tiny_peer_mru_is_naked_up_to_the_minimum, setup),
		cmocka_unit_test_setup(test_duplicate_option_is_rejected_and_counted, setup),
		cmocka_unit_test_setup(test_zero_length_option_discards_the_request, setup),
		cmocka_unit_test_setup(test_option_running_past_the_packet_discards_the_request, setup),
		cmocka_unit_test_setup(test_known_option_with_wrong_length_is_rejected_and_counted, setup),
		cmocka_unit_test_setup(test_accm_is_acked_as_harmless_over_l2tp, setup),
		cmocka_unit_test_setup(test_magic_equal_to_ours_is_naked_with_a_different_one, setup),
		cmocka_unit_test_setup(test_loopback_peer_is_detected_and_the_link_goes_down, setup),
		cmocka_unit_test_setup(test_echo_request_is_answered_with_our_magic, setup),
		cmocka_unit_test_setup(test_keepalive_declares_a_silent_peer_dead, setup),
		cmocka_unit_test_setup(test_echo_replies_keep_the_link_alive, setup),
		cmocka_unit_test_setup(test_identification_and_time_remaining_are_exposed_not_rejected, setup),
		cmocka_unit_test_setup(test_unknown_lcp_code_is_code_rejected, setup),
		cmocka_unit_test_setup(test_administrative_close_sends_terminate_with_reason, setup),
		cmocka_unit_test_setup(test_frames_without_address_control_are_accepted, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
