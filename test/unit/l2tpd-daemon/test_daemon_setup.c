/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): a session from ICRQ to IPCP
 * open, and every refusal as the peer sees it (docs/l2tpd.md "A session's
 * life", docs/l2tp.md "Unauthenticated peers").
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_harness.h"

static uint32_t ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return ntohl(a.s_addr);
}

/* docs/l2tpd.md, steps 1-3: the data-plane session at the ICRP without a
 * device (the grant makes it), the grant before the client learns it is
 * authenticated, the addresses once IPCP is up. The address is the pool's
 * first, the DNS server the profile's (RFC 1877), our end local_address. */
static void session_reaches_ipcp_open_with_an_address_from_the_pool(void **state)
{
	struct dh h;
	struct dh_call c;
	struct dh_opts o = { .dp = { .defer_netdev = 1 } };

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	assert_int_not_equal(c.sid, 0);
	assert_non_null(c.dp);			/* asked for at the ICRQ, before the ICRP */
	assert_false(c.dp->netdev);		/* no device before authentication */
	assert_false(c.dp->ip_set);
	assert_int_equal(c.dp->params.peer_session_id, 7);

	dh_call_connect(&c);
	dh_call_start_ppp(&c);
	dh_pump(&h);

	assert_true(c.auth_ok);
	assert_true(c.dp_netdev_at_auth);	/* the grant made the device... */
	assert_false(c.dp_ip_set_at_auth);	/* ...and IPCP, later, the addresses */
	assert_true(c.ipcp_up);
	assert_int_equal(c.addr, ip4("198.51.100.10"));
	assert_int_equal(c.server_addr, ip4("198.51.100.1"));
	assert_int_equal(c.dns[0], ip4("192.0.2.53"));
	assert_true(c.dp->ip_set);
	assert_int_equal(c.dp->set_ip_calls, 1);
	assert_int_equal(ntohl(c.dp->ip.peer.s_addr), ip4("198.51.100.10"));
	assert_int_equal(ntohl(c.dp->ip.local.s_addr), ip4("198.51.100.1"));
	assert_false(c.dp->deleted);

	struct session *s = dh_session(&h, &c);
	assert_non_null(s);
	assert_int_equal(s->state, SESSION_UP);
	assert_true(s->has_lease4);
	assert_int_equal(h.srv.n_sessions_up, 1);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* A wrong password: MS-CHAPv2 Failure E=691 (RFC 2759 6), the same as an
 * unknown user; the call is cleared with CDN result 2 (RFC 2661 4.4.2,
 * "general error"), its data-plane session deleted, no address leased. */
static void wrong_password_is_refused_with_E691(void **state)
{
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "not-alice-pw");

	assert_true(c.auth_done);
	assert_false(c.auth_ok);
	assert_int_equal(c.auth_code, 691);
	assert_false(c.ipcp_up);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 2);
	assert_true(c.dp->deleted);
	assert_false(c.dp->ip_set);
	assert_null(dh_session(&h, &c));
	assert_int_equal(h.srv.counters.refused_credentials, 1);
	dh_stop(&h);
}

/* The user's dial-in permission is deny: E=649 ("no dial-in permission"),
 * CDN result 3 (the policy's code, policy/names.c). */
static void user_without_dial_in_is_refused_with_E649(void **state)
{
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "bob", "bob-pw");

	assert_true(c.auth_done);
	assert_false(c.auth_ok);
	assert_int_equal(c.auth_code, 649);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_true(c.dp->deleted);
	assert_int_equal(h.srv.counters.refused_policy[POLICY_DENY_USER_DIAL_IN], 1);
	dh_stop(&h);
}

/* The pool has two addresses: the third call is refused with E=649 and
 * CDN result 4, temporary lack of resources; the first two keep theirs. */
static void exhausted_pool_is_refused_with_E649_and_CDN_result_4(void **state)
{
	struct dh h;
	struct dh_call c[3];

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	for (int i = 0; i < 3; i++)
		dh_call_open(&h, &c[i], (uint16_t)(7 + i), "alice", "alice-pw");

	assert_true(c[0].ipcp_up);
	assert_true(c[1].ipcp_up);
	assert_int_not_equal(c[0].addr, c[1].addr);
	assert_false(c[2].ipcp_up);
	assert_int_equal(c[2].auth_code, 649);
	const struct dh_pkt *cdn = dh_cdn(&h, &c[2], 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 4);
	assert_true(c[2].dp->deleted);
	assert_false(c[2].dp->ip_set);
	assert_null(dh_cdn(&h, &c[0], 0));
	assert_null(dh_cdn(&h, &c[1], 0));
	assert_int_equal(h.srv.counters.refused_policy[POLICY_DENY_POOL_EXHAUSTED], 1);
	dh_stop(&h);
}

/* A profile with neither pool nor static address: E=649, CDN result 5,
 * permanent lack of resources (policy/names.c). */
static void no_address_for_the_session_is_refused_with_CDN_result_5(void **state)
{
	struct dh_opts o = { .pool = "" };	/* and no static address */
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");

	assert_int_equal(c.auth_code, 649);
	assert_false(c.ipcp_up);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 5);
	assert_true(c.dp->deleted);
	dh_stop(&h);
}

static void one_port(struct l2tpd_config *cfg)
{
	cfg->max_sessions = 1;
}

/* All ports in use (limits.max_sessions): the ICRQ is answered with a CDN,
 * result 4 error 4 (docs/l2tp.md limits table), before any session or
 * data-plane session exists for it. */
static void call_past_the_ports_limit_gets_CDN_result_4(void **state)
{
	struct dh_opts o = { .tweak = one_port };
	struct dh h;
	struct dh_call c[2];

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c[0], 7, "alice", "alice-pw");
	assert_true(c[0].ipcp_up);
	dh_call_request(&h, &c[1], 8, "alice", "alice-pw");

	assert_int_equal(c[1].sid, 0);		/* no ICRP */
	assert_null(c[1].dp);
	const struct dh_pkt *cdn = dh_cdn(&h, &c[1], 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 4);
	assert_int_equal(cdn->error, 4);
	assert_int_equal(dp_null_live_sessions(h.srv.dp), 1);
	assert_int_equal(h.srv.n_sessions, 1);
	dh_stop(&h);
}

static void short_auth_timeout(struct l2tpd_config *cfg)
{
	cfg->auth_timeout = 10;
}

/* A call whose user has not authenticated within timers.auth_timeout of
 * its ICRQ is cleared with CDN result 3 (docs/l2tp.md "Unauthenticated
 * peers"): not a millisecond before, and its data-plane session goes. */
static void call_not_authenticated_in_time_gets_CDN_result_3(void **state)
{
	struct dh_opts o = { .tweak = short_auth_timeout };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	uint64_t icrq_at = h.now;
	dh_call_connect(&c);	/* ICCN, but the client's PPP never answers */
	dh_pump(&h);

	dh_advance(&h, 10000 - 1);
	assert_null(dh_cdn(&h, &c, 0));
	assert_false(c.dp->deleted);
	dh_advance(&h, 1);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_int_equal(cdn->at - icrq_at, 10000);
	assert_true(c.dp->deleted);
	assert_null(dh_session(&h, &c));
	dh_stop(&h);
}

static void two_failures_then_back_off(struct l2tpd_config *cfg)
{
	cfg->login_failures = 2;
	cfg->login_backoff = 2;
}

/* After limits.login_failures wrong passwords of a user from one address,
 * the pair backs off (docs/operations.md): the next login is refused
 * unchecked with the same E=691, the right password too; once
 * timers.login_backoff has passed it is checked again. */
static void backed_off_login_is_refused_with_E691_until_the_back_off_ends(void **state)
{
	struct dh_opts o = { .tweak = two_failures_then_back_off };
	struct dh h;
	struct dh_call c[4];

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c[0], 7, "alice", "wrong");
	dh_call_open(&h, &c[1], 8, "alice", "wrong");
	assert_int_equal(c[1].auth_code, 691);
	assert_int_equal(h.srv.counters.auth_throttled, 0);

	dh_call_open(&h, &c[2], 9, "alice", "alice-pw");
	assert_false(c[2].auth_ok);
	assert_int_equal(c[2].auth_code, 691);
	assert_int_equal(h.srv.counters.auth_throttled, 1);
	assert_int_equal(dh_cdn(&h, &c[2], 0)->result, 2);

	dh_advance(&h, 2000);
	dh_call_open(&h, &c[3], 10, "alice", "alice-pw");
	assert_true(c[3].auth_ok);
	assert_true(c[3].ipcp_up);
	dh_stop(&h);
}

static void drain(struct dh *h, const char *on_off)
{
	char line[32];
	char *reply;

	snprintf(line, sizeof(line), "drain %s", on_off);
	reply = dh_ctl(h, line);
	assert_true(strncmp(reply, "ok\n", 3) == 0);
	free(reply);
}

/* l2tpctl drain (docs/operations.md "Maintenance: drain"): a new call in
 * an existing tunnel gets CDN result 4, a temporary answer; the session
 * already up stays; drain off accepts again. */
static void draining_refuses_new_calls_with_CDN_result_4_and_keeps_those_up(void **state)
{
	struct dh h;
	struct dh_call c[3];

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c[0], 7, "alice", "alice-pw");
	assert_true(c[0].ipcp_up);

	drain(&h, "on");
	dh_call_request(&h, &c[1], 8, "alice", "alice-pw");
	assert_int_equal(c[1].sid, 0);
	const struct dh_pkt *cdn = dh_cdn(&h, &c[1], 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 4);
	assert_null(dh_cdn(&h, &c[0], 0));
	assert_false(c[0].dp->deleted);

	drain(&h, "off");
	dh_call_open(&h, &c[2], 9, "alice", "alice-pw");
	assert_true(c[2].ipcp_up);
	dh_stop(&h);
}

/* ... and a new tunnel gets StopCCN result 2, error 4 (RFC 2661 4.4.2:
 * insufficient resources to handle this operation now), no SCCRP. */
static void draining_refuses_new_tunnels_with_StopCCN_result_2_error_4(void **state)
{
	struct dh h;

	(void)state;
	dh_start(&h, NULL);
	drain(&h, "on");
	dh_tunnel_request(&h);

	assert_null(dh_find(&h, 0, L2TP_MSG_SCCRP));
	const struct dh_pkt *stop = dh_find(&h, 0, L2TP_MSG_STOPCCN);
	assert_non_null(stop);
	assert_int_equal(stop->result, 2);
	assert_int_equal(stop->error, 4);
	assert_int_equal(h.srv.n_tunnels, 0);
	assert_null(dp_null_tunnels(h.srv.dp));
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_reaches_ipcp_open_with_an_address_from_the_pool),
		cmocka_unit_test(wrong_password_is_refused_with_E691),
		cmocka_unit_test(user_without_dial_in_is_refused_with_E649),
		cmocka_unit_test(exhausted_pool_is_refused_with_E649_and_CDN_result_4),
		cmocka_unit_test(no_address_for_the_session_is_refused_with_CDN_result_5),
		cmocka_unit_test(call_past_the_ports_limit_gets_CDN_result_4),
		cmocka_unit_test(call_not_authenticated_in_time_gets_CDN_result_3),
		cmocka_unit_test(backed_off_login_is_refused_with_E691_until_the_back_off_ends),
		cmocka_unit_test(draining_refuses_new_calls_with_CDN_result_4_and_keeps_those_up),
		cmocka_unit_test(draining_refuses_new_tunnels_with_StopCCN_result_2_error_4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
