/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a session ended in accounting's words, and when its Interim-Updates
 * are due (acct_end.h): the table of docs/radius.md "Acct-Terminate-Cause
 * in the daemon", one row per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "acct_end.h"

static enum radius_terminate_cause ppp(enum ppp_down_reason why)
{
	return radius_acct_terminate_cause(acct_end_of_ppp_down(why));
}

static enum radius_terminate_cause l2tp(enum l2tp_down_cause cause, bool by_peer)
{
	return radius_acct_terminate_cause(acct_end_of_l2tp_down(cause, by_peer));
}

static void the_clients_lcp_terminate_is_user_request(void **state)
{
	(void)state;
	assert_int_equal(ppp(PPP_DOWN_PEER_TERMINATE), RADIUS_TC_USER_REQUEST);
}

static void the_clients_cdn_is_user_request(void **state)
{
	(void)state;
	assert_int_equal(l2tp(L2TP_DOWN_PEER, true), RADIUS_TC_USER_REQUEST);
}

static void the_clients_stopccn_is_user_request(void **state)
{
	(void)state;
	assert_int_equal(l2tp(L2TP_DOWN_TUNNEL, true), RADIUS_TC_USER_REQUEST);
}

static void a_tunnel_lost_without_stopccn_is_lost_carrier(void **state)
{
	(void)state;
	/* Hellos unanswered: the tunnel goes down with no message from the
	 * peer */
	assert_int_equal(l2tp(L2TP_DOWN_TUNNEL, false), RADIUS_TC_LOST_CARRIER);
	assert_int_equal(l2tp(L2TP_DOWN_UNREACHABLE, false), RADIUS_TC_LOST_CARRIER);
}

static void unanswered_lcp_echoes_are_lost_carrier(void **state)
{
	(void)state;
	assert_int_equal(ppp(PPP_DOWN_DEAD_PEER), RADIUS_TC_LOST_CARRIER);
}

static void a_protocol_violation_is_user_error(void **state)
{
	(void)state;
	assert_int_equal(l2tp(L2TP_DOWN_PROTOCOL, true), RADIUS_TC_USER_ERROR);
	assert_int_equal(ppp(PPP_DOWN_LOOPBACK), RADIUS_TC_USER_ERROR);
	assert_int_equal(ppp(PPP_DOWN_PEER_REJECTED_LCP), RADIUS_TC_USER_ERROR);
}

static void no_network_protocol_is_service_unavailable(void **state)
{
	(void)state;
	assert_int_equal(ppp(PPP_DOWN_NO_NCP), RADIUS_TC_SERVICE_UNAVAILABLE);
}

static void the_daemons_timers_say_which_timeout(void **state)
{
	(void)state;
	assert_int_equal(ppp(PPP_DOWN_IDLE_TIMEOUT), RADIUS_TC_IDLE_TIMEOUT);
	assert_int_equal(ppp(PPP_DOWN_SESSION_TIMEOUT), RADIUS_TC_SESSION_TIMEOUT);
}

static void the_daemons_own_closes_are_nas_request(void **state)
{
	(void)state;
	/* ppp_close by us: the caller said why before (first cause wins) */
	assert_int_equal(ppp(PPP_DOWN_ADMIN), RADIUS_TC_NAS_REQUEST);
	assert_int_equal(l2tp(L2TP_DOWN_LOCAL, false), RADIUS_TC_NAS_REQUEST);
}

static void every_reason_has_a_cause(void **state)
{
	(void)state;
	for (int r = 0; r < PPP_DOWN_NREASONS; r++) {
		enum radius_session_end e = acct_end_of_ppp_down((enum ppp_down_reason)r);

		assert_true((unsigned)e < RADIUS_END_MAX);
	}
	for (int c = L2TP_DOWN_NONE; c <= L2TP_DOWN_PREAUTH_TIMEOUT; c++) {
		assert_true((unsigned)acct_end_of_l2tp_down((enum l2tp_down_cause)c, false) <
			    RADIUS_END_MAX);
		assert_true((unsigned)acct_end_of_l2tp_down((enum l2tp_down_cause)c, true) <
			    RADIUS_END_MAX);
	}
}

/* A dual-stack client (Windows) whose IPV6CP opens before IPCP: no Start
 * yet, or it would go without Framed-IP-Address; at IPCP up it goes. */
static void ipv6cp_first_waits_for_ipcp(void **state)
{
	(void)state;
	for (int st = PPP_FSM_REQ_SENT; st < PPP_FSM_OPENED; st++)
		assert_false(acct_start_due(PPP_PHASE_NETWORK, st, PPP_FSM_OPENED));
	/* IPCP going down or back up (Stopping, Closing, Starting) is no
	 * settling either */
	assert_false(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_STOPPING, PPP_FSM_OPENED));
	assert_false(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_CLOSING, PPP_FSM_OPENED));
	assert_false(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_STARTING, PPP_FSM_OPENED));
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_OPENED, PPP_FSM_OPENED));
}

static void ipcp_up_is_a_start_with_or_without_ipv6cp(void **state)
{
	(void)state;
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_OPENED, PPP_FSM_REQ_SENT));
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_OPENED, PPP_FSM_INITIAL));
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_OPENED, PPP_FSM_STOPPED));
}

/* An IPv6-only client: IPCP Protocol-Rejected (RXJ- to Stopped), closed
 * (the client's Terminate-Request, then Closed), given up (TO- after
 * max-configure: Stopped), or never offered (Initial), with IPV6CP open:
 * the Start goes, whichever of the two came first. */
static void ipv6cp_up_and_ipcp_finished_is_a_start(void **state)
{
	(void)state;
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_STOPPED, PPP_FSM_OPENED));
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_CLOSED, PPP_FSM_OPENED));
	assert_true(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_INITIAL, PPP_FSM_OPENED));
	/* IPCP finished, IPV6CP not open (yet): nothing to account */
	assert_false(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_STOPPED, PPP_FSM_REQ_SENT));
	assert_false(acct_start_due(PPP_PHASE_NETWORK, PPP_FSM_STOPPED, PPP_FSM_STOPPED));
}

/* The NCPs finishing because the link goes down (Terminate phase) settle
 * nothing: no Start for a session that is ending. */
static void ncps_finishing_as_the_link_goes_are_no_start(void **state)
{
	(void)state;
	assert_false(acct_start_due(PPP_PHASE_TERMINATE, PPP_FSM_STOPPED, PPP_FSM_OPENED));
	assert_false(acct_start_due(PPP_PHASE_TERMINATE, PPP_FSM_CLOSED, PPP_FSM_OPENED));
	assert_false(acct_start_due(PPP_PHASE_DEAD, PPP_FSM_INITIAL, PPP_FSM_OPENED));
}

static void the_servers_interval_wins_over_the_configured_one(void **state)
{
	(void)state;
	assert_int_equal(acct_interim_interval(600, 300), 600);
	assert_int_equal(acct_interim_interval(0, 300), 300);
}

static void no_interval_means_no_interim_updates(void **state)
{
	(void)state;
	assert_int_equal(acct_interim_interval(0, 0), 0);
	assert_int_equal(acct_interim_next(1000, 0, 5000), UINT64_MAX);
}

static void an_interval_below_a_minute_is_raised_to_one(void **state)
{
	(void)state;
	/* RFC 2869 5.16 */
	assert_int_equal(acct_interim_interval(1, 0), ACCT_INTERIM_MIN_S);
	assert_int_equal(acct_interim_interval(59, 300), ACCT_INTERIM_MIN_S);
	assert_int_equal(acct_interim_interval(60, 0), 60);
}

static void the_first_interim_is_one_interval_after_up(void **state)
{
	(void)state;
	assert_int_equal(acct_interim_next(10000, 60, 10000), 70000);
}

static void a_late_timer_keeps_the_grid(void **state)
{
	(void)state;
	/* the timer ran 5 s late: the next one is still up + 2 intervals */
	assert_int_equal(acct_interim_next(10000, 60, 75000), 130000);
	/* exactly on time */
	assert_int_equal(acct_interim_next(10000, 60, 70000), 130000);
	/* a loop that slept through two intervals does not send two at once */
	assert_int_equal(acct_interim_next(10000, 60, 140000), 190000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv6cp_first_waits_for_ipcp),
		cmocka_unit_test(ipcp_up_is_a_start_with_or_without_ipv6cp),
		cmocka_unit_test(ipv6cp_up_and_ipcp_finished_is_a_start),
		cmocka_unit_test(ncps_finishing_as_the_link_goes_are_no_start),
		cmocka_unit_test(the_clients_lcp_terminate_is_user_request),
		cmocka_unit_test(the_clients_cdn_is_user_request),
		cmocka_unit_test(the_clients_stopccn_is_user_request),
		cmocka_unit_test(a_tunnel_lost_without_stopccn_is_lost_carrier),
		cmocka_unit_test(unanswered_lcp_echoes_are_lost_carrier),
		cmocka_unit_test(a_protocol_violation_is_user_error),
		cmocka_unit_test(no_network_protocol_is_service_unavailable),
		cmocka_unit_test(the_daemons_timers_say_which_timeout),
		cmocka_unit_test(the_daemons_own_closes_are_nas_request),
		cmocka_unit_test(every_reason_has_a_cause),
		cmocka_unit_test(the_servers_interval_wins_over_the_configured_one),
		cmocka_unit_test(no_interval_means_no_interim_updates),
		cmocka_unit_test(an_interval_below_a_minute_is_raised_to_one),
		cmocka_unit_test(the_first_interim_is_one_interval_after_up),
		cmocka_unit_test(a_late_timer_keeps_the_grid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
