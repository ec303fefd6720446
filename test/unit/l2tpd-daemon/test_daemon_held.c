/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): PPP frames that reach the daemon
 * before the call's ICCN (docs/l2tpd.md, "A session's life", step 1). The
 * LAC sends its ICCN and its first LCP Configure-Request right behind it
 * (RFC 2661 7.4.1); on the kernel data path the frame can be read first.
 * Up to 4 such frames are held and given to PPP, in order, when it starts
 * at the ICCN; more, or longer than 1500 octets, are dropped and counted;
 * those of a call that ends before its ICCN are discarded with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_harness.h"

/* An LCP Configure-Request with no options (RFC 1661 5.1). */
static const uint8_t lcp_confreq[] = { 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };

/* The client's Configure-Request beats the ICCN: held, and answered the
 * moment PPP starts, so LCP opens and the session comes up without the
 * client waiting for its restart timer (RFC 1661 4.6, 3 s): no time passes
 * in this test at all. */
static void lcp_request_before_the_iccn_is_held_and_answered_at_the_iccn(void **state)
{
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	uint64_t t0 = h.now;
	dh_call_start_ppp(&c);
	dh_pump(&h);		/* the Configure-Request reaches the daemon first */

	assert_int_equal(h.srv.counters.ppp_early_held, 1);
	assert_int_equal(c.dp->sent_count, 0);	/* PPP has not started: no answer */
	assert_false(c.link_up);

	dh_call_connect(&c);
	dh_pump(&h);

	assert_true(c.link_up);
	assert_true(c.ipcp_up);
	assert_int_equal(h.now, t0);
	assert_int_equal(h.srv.counters.ppp_early_dropped, 0);
	dh_stop(&h);
}

/* Four are held; a fifth, and one over 1500 octets, are dropped and
 * counted: an unauthenticated peer cannot make the daemon keep more. */
static void at_most_four_frames_are_held_before_the_iccn(void **state)
{
	struct dh h;
	struct dh_call c;
	static uint8_t jumbo[1501];

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	memcpy(jumbo, lcp_confreq, sizeof(lcp_confreq));

	assert_int_equal(dp_null_inject_ppp(h.srv.dp, c.dp, jumbo, sizeof(jumbo)), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(dp_null_inject_ppp(h.srv.dp, c.dp, lcp_confreq,
						    sizeof(lcp_confreq)), 0);
	server_flush(&h.srv);

	assert_int_equal(h.srv.counters.ppp_early_held, 4);
	assert_int_equal(h.srv.counters.ppp_early_dropped, 2);
	dh_stop(&h);
}

/* A call cleared by the LAC before its ICCN (CDN, RFC 2661 5.4.3): what it
 * held goes with it (the sanitizer's leak check sees the memory), nothing
 * reaches a PPP that never started, and its data-plane session is deleted. */
static void frames_held_for_a_call_that_ends_before_its_iccn_are_discarded(void **state)
{
	struct dh h;
	struct dh_call c;
	struct l2tp_msg *m = malloc(sizeof(*m));

	(void)state;
	assert_non_null(m);
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	for (int i = 0; i < 2; i++)
		assert_int_equal(dp_null_inject_ppp(h.srv.dp, c.dp, lcp_confreq,
						    sizeof(lcp_confreq)), 0);
	server_flush(&h.srv);
	assert_int_equal(h.srv.counters.ppp_early_held, 2);

	l2tp_msg_init(m, L2TP_MSG_CDN);
	m->result_code = 1;	/* lost carrier */
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
	m->assigned_session_id = c.peer_sid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	dh_peer_send(&h, m, c.sid);
	free(m);
	dh_pump(&h);

	assert_null(dh_session(&h, &c));
	assert_true(c.dp->deleted);
	assert_int_equal(c.dp->sent_count, 0);
	assert_int_equal(h.srv.n_sessions, 0);
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lcp_request_before_the_iccn_is_held_and_answered_at_the_iccn),
		cmocka_unit_test(at_most_four_frames_are_held_before_the_iccn),
		cmocka_unit_test(frames_held_for_a_call_that_ends_before_its_iccn_are_discarded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
