/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): the close sequence. An
 * administrator's disconnect (l2tpctl, through the control socket's request
 * path) sends LCP Terminate-Request then CDN result 3, releases the lease
 * and the data-plane session (docs/l2tpd.md step 4); with IPsec, the
 * tunnel's last call ending that way closes the tunnel, and charon is asked
 * to delete the IKE_SA only once the control connection has closed
 * (RFC 2661 5.7; ipsec.c, ipsec_tunnel_free).
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
#include "l2tp_ipsec_msg.h"

/* RFC 1661 5.5: LCP (c021) Terminate-Request (code 5). */
static bool is_lcp_terminate_request(const struct dp_null_frame *f)
{
	return f && f->len >= 3 && f->data[0] == 0xc0 && f->data[1] == 0x21 && f->data[2] == 5;
}

static void disconnect(struct dh *h, const struct dh_call *c)
{
	char line[64];
	char *reply;

	snprintf(line, sizeof(line), "disconnect session %u/%u", h->ctx_tid, c->sid);
	reply = dh_ctl(h, line);
	assert_non_null(reply);
	assert_true(strncmp(reply, "ok\n", 3) == 0);
	free(reply);
}

static void administrator_disconnect_ends_the_call_and_frees_what_it_held(void **state)
{
	/* one address: the next session gets it only if it came back */
	struct dh_opts o = { .pool = "198.51.100.10-198.51.100.10" };
	struct dh h;
	struct dh_call c, next;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	size_t mark = h.npkts;
	uint64_t frames = c.dp->sent_count;

	disconnect(&h, &c);

	/* LCP Terminate-Request first (its last PPP frame), then the CDN,
	 * result 3: administrative reasons (RFC 2661 4.4.2) */
	assert_true(c.dp->sent_count > frames);
	assert_true(is_lcp_terminate_request(dp_null_sent(c.dp, 0)));
	const struct dh_pkt *cdn = dh_cdn(&h, &c, mark);
	assert_non_null(cdn);
	assert_int_equal(cdn->ppp_frames, c.dp->sent_count);	/* nothing after the CDN */
	assert_int_equal(cdn->result, 3);
	assert_int_equal(cdn->hdr.tunnel_id, h.tid);
	assert_true(c.dp->deleted);
	assert_null(dh_session(&h, &c));
	assert_int_equal(h.srv.n_sessions, 0);
	assert_int_equal(h.srv.n_sessions_up, 0);
	/* without IPsec the tunnel stays for the next call */
	assert_int_equal(dh_count(&h, mark, L2TP_MSG_STOPCCN), 0);
	assert_int_equal(h.srv.n_tunnels, 1);

	/* the only address went back to the pool */
	dh_call_open(&h, &next, 8, "alice", "alice-pw");
	assert_true(next.ipcp_up);
	assert_int_equal(next.addr, c.addr);
	dh_stop(&h);
}

static void disconnecting_an_unknown_session_is_an_error_and_changes_nothing(void **state)
{
	struct dh h;
	struct dh_call c;
	char *reply;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	size_t mark = h.npkts;

	reply = dh_ctl(&h, "disconnect session 1/1");
	assert_true(strncmp(reply, "error: ", 7) == 0);
	free(reply);
	assert_null(dh_cdn(&h, &c, mark));
	assert_false(c.dp->deleted);
	assert_non_null(dh_session(&h, &c));
	dh_stop(&h);
}

static void disconnect_by_user_closes_each_of_its_sessions(void **state)
{
	struct dh h;
	struct dh_call c[2];
	char *reply;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c[0], 7, "alice", "alice-pw");
	dh_call_open(&h, &c[1], 8, "alice", "alice-pw");
	assert_true(c[0].ipcp_up && c[1].ipcp_up);

	reply = dh_ctl(&h, "disconnect user alice");
	assert_string_equal(reply, "ok\n2 session(s) of user 'alice' disconnected\n");
	free(reply);
	for (int i = 0; i < 2; i++) {
		const struct dh_pkt *cdn = dh_cdn(&h, &c[i], 0);
		assert_non_null(cdn);
		assert_int_equal(cdn->result, 3);
		assert_true(c[i].dp->deleted);
	}
	assert_int_equal(h.srv.n_sessions, 0);
	dh_stop(&h);
}

/* The LAC clears the control connection (StopCCN, RFC 2661 5.7): every
 * call of the tunnel ends with it, their leases and data-plane sessions
 * released, the tunnel's data plane deleted; the daemon acknowledges. */
static void stopccn_from_the_peer_ends_every_call_of_the_tunnel(void **state)
{
	struct dh_opts o = { .pool = "198.51.100.10-198.51.100.10" };
	struct dh h;
	struct dh_call c, later;
	struct l2tp_msg m;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	size_t mark = h.npkts;

	l2tp_msg_init(&m, L2TP_MSG_STOPCCN);
	m.assigned_tunnel_id = h.tid;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m.result_code = 1;	/* general request to clear the control connection */
	l2tp_msg_set(&m, L2TP_AVP_RESULT_CODE);
	dh_peer_send(&h, &m, 0);
	dh_pump(&h);

	assert_non_null(dh_find(&h, mark, 0));	/* its ZLB acknowledgement */
	assert_true(c.dp->deleted);
	assert_true(dp_null_tunnels(h.srv.dp)->deleted);
	assert_null(dh_session(&h, &c));
	assert_int_equal(h.srv.n_sessions, 0);
	assert_int_equal(h.srv.n_tunnels, 0);

	/* a new tunnel's call gets the one address: it came back */
	h.ns = h.nr = 0;
	h.tid++;
	dh_tunnel_open(&h);
	dh_call_open(&h, &later, 8, "alice", "alice-pw");
	assert_true(later.ipcp_up);
	assert_int_equal(later.addr, c.addr);
	dh_stop(&h);
}

/* An orderly stop (SIGTERM, server_stop): each call gets LCP
 * Terminate-Request and CDN result 3, then each tunnel StopCCN result 6,
 * "requester is being shut down" (RFC 2661 4.4.2). */
static bool loop_exited(struct dh *h)
{
	int code;

	return sd_event_get_exit_code(h->event, &code) == 0;
}

static void stopping_clears_calls_then_tunnels(void **state)
{
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	size_t mark = h.npkts;

	server_stop(&h.srv);
	dh_pump(&h);

	const struct dh_pkt *cdn = dh_cdn(&h, &c, mark);
	const struct dh_pkt *stop = dh_find(&h, mark, L2TP_MSG_STOPCCN);
	assert_non_null(cdn);
	assert_non_null(stop);
	assert_true(cdn < stop);
	assert_int_equal(cdn->result, 3);
	assert_int_equal(stop->result, 6);
	assert_true(is_lcp_terminate_request(dp_null_sent(c.dp, 0)));
	assert_true(c.dp->deleted);
	assert_true(loop_exited(&h));	/* the peer acknowledged the StopCCN */
	dh_stop(&h);
}

/* A peer that never acknowledges the StopCCN does not hold the stop for
 * the whole retransmission cycle: the daemon leaves STOP_DRAIN_MS after
 * it asked, on its own clock, and not a millisecond before. */
static void stopping_waits_one_round_trip_for_an_unacknowledged_stopccn(void **state)
{
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	h.auto_ack = false;
	size_t mark = h.npkts;

	server_stop(&h.srv);
	dh_pump(&h);
	assert_non_null(dh_find(&h, mark, L2TP_MSG_STOPCCN));
	assert_false(loop_exited(&h));
	dh_advance(&h, STOP_DRAIN_MS - 1);
	assert_false(loop_exited(&h));
	assert_non_null(h.srv.closing);	/* down, its StopCCN not yet acknowledged */
	dh_advance(&h, 1);
	assert_true(loop_exited(&h));
	dh_stop(&h);
}

static void no_lcp_echo(struct l2tpd_config *cfg)
{
	cfg->lcp_echo_interval = 0;	/* the test's timeline holds only what it checks */
}

/* The profile's session_timeout: the session is closed by the daemon's own
 * timer heap at up + 10 min exactly, with LCP Terminate-Request and CDN
 * result 3 (administrative). */
static void session_timeout_ends_the_session_at_its_deadline(void **state)
{
	struct dh_opts o = { .profile = "session_timeout = 10m", .tweak = no_lcp_echo };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	uint64_t up = h.now;
	struct session *s = dh_session(&h, &c);
	assert_non_null(s);
	assert_true(s->has_lease4);

	dh_advance(&h, 600000 - 1);
	assert_null(dh_cdn(&h, &c, 0));
	assert_false(c.dp->deleted);
	dh_advance(&h, 1);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_int_equal(cdn->at - up, 600000);
	assert_true(is_lcp_terminate_request(dp_null_sent(c.dp, 0)));
	assert_true(c.dp->deleted);
	assert_null(dh_session(&h, &c));
	dh_stop(&h);
}

/* A session up with no traffic yet, as the real data planes count it:
 * their session_stats count data packets only (the kernel's ppp unit, the
 * userspace plane's data counters), while the null plane counts the PPP
 * frames of the set-up too. */
static void up_and_silent(struct dh *h, struct dh_call *c)
{
	dh_tunnel_open(h);
	dh_call_open(h, c, 7, "alice", "alice-pw");
	assert_true(c->ipcp_up);
}

/* The profile's idle_timeout: no packet either way for 5 min after IPCP
 * came up, and the session is closed (CDN result 3) at up + 5 min. */
static void idle_timeout_ends_a_silent_session_after_its_duration(void **state)
{
	struct dh_opts o = { .profile = "idle_timeout = 5m", .tweak = no_lcp_echo };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	up_and_silent(&h, &c);
	uint64_t up = h.now;

	dh_advance(&h, 5 * 60000 - 1);
	assert_null(dh_cdn(&h, &c, 0));
	dh_advance(&h, 1);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_int_equal(cdn->at - up, 5 * 60000);
	assert_true(c.dp->deleted);
	dh_stop(&h);
}

/* LCP echoes (the daemon's requests, the client's replies) are the link
 * keeping itself alive, not the user's traffic: a session that only
 * answers them is idle, and is closed at up + idle_timeout all the same. */
static void lcp_echoes_do_not_keep_an_idle_session(void **state)
{
	struct dh_opts o = { .profile = "idle_timeout = 5m" };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	assert_true(h.cfg.lcp_echo_interval > 0);
	up_and_silent(&h, &c);
	uint64_t up = h.now;
	uint64_t sent = c.dp->sent_count;

	dh_advance(&h, 5 * 60000);
	assert_true(c.dp->sent_count > sent + 1);	/* echoes went out meanwhile */
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->at - up, 5 * 60000);
	dh_stop(&h);
}

/* The idle clock starts when IPCP opens, with the data plane's counters as
 * they are then: what was counted before (an IPV6CP that opened first and
 * carried IPv6, a plane whose device counted something at the grant) is not
 * activity after it. A baseline of 0 took those packets for traffic at the
 * first check, and a silent session lived two idle periods. */
static void data_counted_before_ipcp_opened_is_not_activity(void **state)
{
	struct dh_opts o = { .profile = "idle_timeout = 5m", .tweak = no_lcp_echo };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	c.dp->stats.rx_packets = 3;	/* before IPCP: counted, then silence */
	c.dp->stats.tx_packets = 2;
	dh_call_connect(&c);
	dh_call_start_ppp(&c);
	dh_pump(&h);
	assert_true(c.ipcp_up);
	uint64_t up = h.now;

	dh_advance(&h, 5 * 60000);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_int_equal(cdn->at - up, 5 * 60000);
	dh_stop(&h);
}

/* Traffic seen when the idle timer fires keeps the session: the daemon
 * samples the data plane's counters at its checks (session.c,
 * session_timer_fired), so the next check is a full idle_timeout after the
 * one that saw traffic, and a session silent since is closed there. */
static void traffic_before_the_idle_check_keeps_the_session(void **state)
{
	struct dh_opts o = { .profile = "idle_timeout = 5m", .tweak = no_lcp_echo };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	up_and_silent(&h, &c);
	uint64_t up = h.now;

	dh_advance(&h, 4 * 60000);
	c.dp->stats.rx_packets++;	/* one packet from the client */
	dh_advance(&h, 60000);
	assert_null(dh_cdn(&h, &c, 0));
	assert_false(c.dp->deleted);
	dh_advance(&h, 5 * 60000);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_int_equal(cdn->at - up, 10 * 60000);
	dh_stop(&h);
}

static void fast_lcp_echo(struct l2tpd_config *cfg)
{
	cfg->lcp_echo_interval = 10;
	cfg->lcp_echo_failures = 3;
}

/* A client that stops answering: an LCP Echo-Request every
 * lcp_echo_interval (RFC 1661 5.8); when lcp_echo_failures of them are
 * unanswered at the next tick the link is dead: LCP Terminate-Request,
 * sent Max-Terminate (2) times a Restart (3 s) apart (RFC 1661 4.6), then
 * the call is cleared with CDN result 1, lost carrier (docs/l2tpd.md
 * step 4). Here: dead at 4 x 10 s, CDN at 46 s. */
static void dead_client_is_found_by_lcp_echo_and_cleared_with_CDN_result_1(void **state)
{
	struct dh_opts o = { .tweak = fast_lcp_echo };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	uint64_t up = h.now;
	c.silent = true;

	dh_advance(&h, (3 + 1) * 10000 - 1);
	assert_false(is_lcp_terminate_request(dp_null_sent(c.dp, 0)));
	dh_advance(&h, 1);
	assert_true(is_lcp_terminate_request(dp_null_sent(c.dp, 0)));
	dh_advance(&h, 2 * 3000 - 1);
	assert_null(dh_cdn(&h, &c, 0));
	dh_advance(&h, 1);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 1);
	assert_int_equal(cdn->at - up, 46000);
	assert_true(c.dp->deleted);
	assert_null(dh_session(&h, &c));
	dh_stop(&h);
}

/*
 * With IPsec (the tunnel bound to IKE_SA #5): the administrator's
 * disconnect of the tunnel's last call ends the tunnel too (StopCCN
 * result 1), and the IKE_SA delete goes to charon only when the control
 * connection has closed: after the peer acknowledged the StopCCN and the
 * hold of RFC 2661 5.7 ran out. Asked earlier, the SA would be gone under
 * the StopCCN and its acknowledgement.
 */
static void ike_sa_is_deleted_only_after_the_control_connection_closed(void **state)
{
	struct dh h;
	struct dh_call c;
	uint32_t ike = 0;

	(void)state;
	dh_start(&h, NULL);
	dh_plugin_connect(&h, 5, 9);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	size_t mark = h.npkts;

	disconnect(&h, &c);

	const struct dh_pkt *cdn = dh_cdn(&h, &c, mark);
	const struct dh_pkt *stop = dh_find(&h, mark, L2TP_MSG_STOPCCN);
	assert_non_null(cdn);
	assert_non_null(stop);
	assert_true(cdn < stop);			/* the call, then the tunnel */
	assert_int_equal(stop->result, 1);
	assert_int_equal(dh_plugin_recv(&h, &ike), 0);	/* not yet: the StopCCN is in flight */
	assert_int_equal(h.srv.n_tunnels, 0);		/* its data plane is gone... */
	assert_non_null(h.srv.closing);			/* ...its IPsec binding held */
	assert_true(dp_null_tunnels(h.srv.dp)->deleted);

	/* acknowledged (the harness's peer sends its ZLB at once), and
	 * held for one retransmission cycle: still no delete */
	dh_advance(&h, 1000);
	assert_non_null(h.srv.closing);
	assert_int_equal(dh_plugin_recv(&h, &ike), 0);

	dh_advance(&h, 60000);
	assert_null(h.srv.closing);
	assert_int_equal(dh_plugin_recv(&h, &ike), L2TP_IPSEC_DELETE_IKE_SA);
	assert_int_equal(ike, 5);
	assert_int_equal(dh_plugin_recv(&h, &ike), 0);	/* once */
	dh_stop(&h);
}

/* charon reports the IKE_SA gone (expired, deleted by the client): the
 * tunnel it carried is closed with StopCCN result 1 (RFC 2661 4.4.2) and
 * its call ends with it; no delete is asked for an SA that is gone. */
static void ike_sa_going_down_closes_its_tunnel(void **state)
{
	struct dh h;
	struct dh_call c;
	uint32_t ike = 0;

	(void)state;
	dh_start(&h, NULL);
	dh_plugin_connect(&h, 5, 9);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	size_t mark = h.npkts;

	dh_plugin_ike_down(&h, 5);

	const struct dh_pkt *stop = dh_find(&h, mark, L2TP_MSG_STOPCCN);
	assert_non_null(stop);
	assert_int_equal(stop->result, 1);
	assert_true(c.dp->deleted);
	assert_null(dh_session(&h, &c));
	assert_int_equal(h.srv.n_tunnels, 0);
	dh_advance(&h, 60000);
	assert_null(h.srv.closing);
	assert_int_equal(dh_plugin_recv(&h, &ike), 0);
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(administrator_disconnect_ends_the_call_and_frees_what_it_held),
		cmocka_unit_test(disconnecting_an_unknown_session_is_an_error_and_changes_nothing),
		cmocka_unit_test(disconnect_by_user_closes_each_of_its_sessions),
		cmocka_unit_test(stopccn_from_the_peer_ends_every_call_of_the_tunnel),
		cmocka_unit_test(stopping_clears_calls_then_tunnels),
		cmocka_unit_test(stopping_waits_one_round_trip_for_an_unacknowledged_stopccn),
		cmocka_unit_test(session_timeout_ends_the_session_at_its_deadline),
		cmocka_unit_test(idle_timeout_ends_a_silent_session_after_its_duration),
		cmocka_unit_test(traffic_before_the_idle_check_keeps_the_session),
		cmocka_unit_test(data_counted_before_ipcp_opened_is_not_activity),
		cmocka_unit_test(lcp_echoes_do_not_keep_an_idle_session),
		cmocka_unit_test(dead_client_is_found_by_lcp_echo_and_cleared_with_CDN_result_1),
		cmocka_unit_test(ike_sa_is_deleted_only_after_the_control_connection_closed),
		cmocka_unit_test(ike_sa_going_down_closes_its_tunnel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
