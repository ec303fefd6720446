/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session as a whole: memory budget, timers asked of the caller, link
 * down reasons, malformed frames and counters.
 */
#include "harness.h"

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static struct endpoint srv, cli;

static int setup(void **state)
{
	ep_init(&srv, PPP_SERVER, 3);
	ep_init(&cli, PPP_CLIENT, 4);
	return 0;
}

static void test_session_fits_the_2kib_budget(void **state)
{
	printf("sizeof(struct ppp_session) = %zu\n", sizeof(struct ppp_session));
	assert_true(sizeof(struct ppp_session) < PPP_SESSION_BUDGET);
}

static void test_peer_that_never_answers_ends_with_negotiation_timeout(void **state)
{
	uint64_t now = 1000;
	size_t requests = 0;

	ppp_set_auth_methods(&srv.s, only_mschapv2, 1);
	ppp_start(&srv.s, now);
	while (tick(&srv, NULL, &now))
		;
	for (size_t i = 0; i < srv.nout; i++)
		requests += frame_proto(&srv.out[i]) == PPP_PROTO_LCP &&
			    srv.out[i].b[4] == 1;
	assert_int_equal(requests, 10);	/* Max-Configure */
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_NEGOTIATION_TIMEOUT);
	assert_int_equal(count_events(&srv, PPP_EVENT_LINK_DOWN), 1);
	assert_int_equal(srv.timer, 0);	/* nothing left armed */
	assert_int_equal(now, 1000 + 10 * 3000);
}

static void test_timer_callback_tracks_the_next_deadline(void **state)
{
	ppp_start(&srv.s, 500);
	assert_int_equal(srv.timer, 3500);
	assert_int_equal(ppp_next_deadline(&srv.s), 3500);
	/* an early expiry changes nothing */
	ppp_timer_expired(&srv.s, 1000);
	assert_int_equal(srv.timer, 3500);
}

static void test_lower_layer_down_reports_link_down_once(void **state)
{
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	ppp_lower_down(&srv.s, now);
	ppp_lower_down(&srv.s, now);
	assert_int_equal(count_events(&srv, PPP_EVENT_LINK_DOWN), 1);
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_LOWER_LAYER);
	assert_int_equal(srv.timer, 0);
	/* NCP down was reported on the way */
	assert_non_null(find_event(&srv, PPP_EVENT_NCP_DOWN, 0));
}

static void test_peer_terminate_is_acked_and_reported(void **state)
{
	uint64_t now = 1000;
	const struct rec_event *down;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	ppp_close(&cli.s, now, PPP_DOWN_ADMIN);
	pump(&srv, &cli, now);
	while (tick(&srv, &cli, &now))
		;
	down = find_event(&srv, PPP_EVENT_LINK_DOWN, 0);
	assert_non_null(down);
	assert_int_equal(down->ev.u.link_down.reason, PPP_DOWN_PEER_TERMINATE);
	assert_string_equal(down->text, "Peer terminated the link");
	assert_int_equal(find_event(&cli, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_ADMIN);
}

static void test_frames_after_link_down_are_dropped_and_nothing_is_sent(void **state)
{
	uint64_t now = 1000;
	static const uint8_t lcp_req[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 1, 0, 4 };

	ppp_start(&srv.s, now);
	ppp_lower_down(&srv.s, now);
	srv.nout = 0;
	assert_int_equal(feed(&srv, now, lcp_req, sizeof(lcp_req)),
			 PPP_INPUT_DROPPED);
	assert_int_equal(srv.nout, 0);
}

static void test_malformed_frames_are_counted_by_reason(void **state)
{
	static const uint8_t empty[] = { 0xFF, 0x03 };
	static const uint8_t half_proto[] = { 0xFF, 0x03, 0xC0 };
	static const uint8_t even_even[] = { 0xFF, 0x03, 0xC0, 0x22, 1, 1, 0, 4 };
	static const uint8_t short_hdr[] = { 0xFF, 0x03, 0xC0, 0x21, 1 };
	static const uint8_t len_past[] = { 0xFF, 0x03, 0xC0, 0x21, 1, 1, 0, 40 };

	ppp_start(&srv.s, 1000);
	assert_int_equal(feed(&srv, 1000, empty, sizeof(empty)), PPP_INPUT_DROPPED);
	assert_int_equal(feed(&srv, 1000, half_proto, sizeof(half_proto)), PPP_INPUT_DROPPED);
	assert_int_equal(feed(&srv, 1000, even_even, sizeof(even_even)), PPP_INPUT_DROPPED);
	feed(&srv, 1000, short_hdr, sizeof(short_hdr));
	feed(&srv, 1000, len_past, sizeof(len_past));
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_FRAME_SHORT], 2);
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_PROTOCOL_FIELD], 1);
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_HEADER_TRUNCATED], 1);
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_LENGTH_PAST_FRAME], 1);
}

static void test_non_lcp_frames_before_lcp_opens_are_dropped(void **state)
{
	static const uint8_t chap[] = { 0xFF, 0x03, 0xC2, 0x23, 2, 1, 0, 4 };

	ppp_start(&srv.s, 1000);
	assert_int_equal(feed(&srv, 1000, chap, sizeof(chap)), PPP_INPUT_DROPPED);
	assert_int_equal(srv.s.stats.drop[PPP_CNT_CHAP], 1);
}

static void test_truncated_auth_packets_are_counted(void **state)
{
	uint64_t now = 1000;
	/* CHAP Response whose Value-Size runs past the packet */
	uint8_t resp[] = { 0xFF, 0x03, 0xC2, 0x23, 2, 0, 0, 8, 49, 1, 2, 3 };

	srv.mode = AUTH_DEFER;
	ppp_set_auth_methods(&srv.s, only_mschapv2, 1);
	ppp_start(&srv.s, now);
	ppp_start(&cli.s, now);
	/* stop the client from answering the challenge */
	cli.cred.user = "alice";
	for (int i = 0; i < 10 && srv.s.phase != PPP_PHASE_AUTHENTICATE; i++) {
		struct frame q[OUTBOX_MAX];
		size_t n = srv.nout;

		memcpy(q, srv.out, n * sizeof(q[0]));
		srv.nout = 0;
		for (size_t k = 0; k < n; k++)
			if (frame_proto(&q[k]) == PPP_PROTO_LCP)
				feed(&cli, now, q[k].b, q[k].len);
		n = cli.nout;
		memcpy(q, cli.out, n * sizeof(q[0]));
		cli.nout = 0;
		for (size_t k = 0; k < n; k++)
			feed(&srv, now, q[k].b, q[k].len);
	}
	assert_int_equal(srv.s.phase, PPP_PHASE_AUTHENTICATE);
	resp[5] = srv.s.auth.id;
	feed(&srv, now, resp, sizeof(resp));
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_AUTH_PACKET], 1);
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 0);
	/* wrong identifier */
	resp[5] = (uint8_t)(srv.s.auth.id + 1);
	feed(&srv, now, resp, sizeof(resp));
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_ID_MISMATCH], 1);
	/* the unanswered challenge is resent on the restart timer */
	srv.nout = 0;
	now = srv.timer;
	ppp_timer_expired(&srv.s, now);
	assert_non_null(find_sent(&srv, PPP_PROTO_CHAP, 1));
}

static void test_peer_protocol_reject_of_ipcp_with_no_other_ncp_closes_the_link(void **state)
{
	uint64_t now = 1000;
	uint8_t pr[] = { 0xFF, 0x03, 0xC0, 0x21, 8, 77, 0, 6, 0x80, 0x21 };

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	feed(&srv, now, pr, sizeof(pr));
	/* RFC 1661 table: RXJ- in Opened is tld,irc,str/5; IPCP finishes
	 * after its Terminate exchange, and with it the link. */
	assert_int_equal(srv.s.ipcp.state, PPP_FSM_STOPPING);
	while (tick(&srv, NULL, &now))
		;
	assert_int_equal(find_event(&srv, PPP_EVENT_LINK_DOWN, 0)->ev.u.link_down.reason,
			 PPP_DOWN_NO_NCP);
}

static void test_per_protocol_counters_add_up_over_a_negotiation(void **state)
{
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_true(srv.s.stats.rx[PPP_CNT_LCP] >= 2);
	assert_int_equal(srv.s.stats.rx[PPP_CNT_LCP], cli.s.stats.tx[PPP_CNT_LCP]);
	assert_int_equal(srv.s.stats.rx[PPP_CNT_CHAP], cli.s.stats.tx[PPP_CNT_CHAP]);
	assert_int_equal(srv.s.stats.tx[PPP_CNT_IPCP], cli.s.stats.rx[PPP_CNT_IPCP]);
	assert_int_equal(srv.s.stats.tx[PPP_CNT_CHAP], 2);	/* challenge, success */
}

static void test_server_without_auth_methods_goes_straight_to_network(void **state)
{
	uint64_t now = 1000;

	ppp_set_profile(&srv.s, &srv.profile);
	connect_pair(&srv, &cli, NULL, 0, &now);
	assert_true(ppp_fsm_is_opened(&srv.s.ipcp));
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_fits_the_2kib_budget),
		cmocka_unit_test_setup(test_peer_that_never_answers_ends_with_negotiation_timeout, setup),
		cmocka_unit_test_setup(test_timer_callback_tracks_the_next_deadline, setup),
		cmocka_unit_test_setup(test_lower_layer_down_reports_link_down_once, setup),
		cmocka_unit_test_setup(test_peer_terminate_is_acked_and_reported, setup),
		cmocka_unit_test_setup(test_frames_after_link_down_are_dropped_and_nothing_is_sent, setup),
		cmocka_unit_test_setup(test_malformed_frames_are_counted_by_reason, setup),
		cmocka_unit_test_setup(test_non_lcp_frames_before_lcp_opens_are_dropped, setup),
		cmocka_unit_test_setup(test_truncated_auth_packets_are_counted, setup),
		cmocka_unit_test_setup(test_peer_protocol_reject_of_ipcp_with_no_other_ncp_closes_the_link, setup),
		cmocka_unit_test_setup(test_per_protocol_counters_add_up_over_a_negotiation, setup),
		cmocka_unit_test_setup(test_server_without_auth_methods_goes_straight_to_network, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
