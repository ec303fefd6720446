/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control plane in the LNS role against a scripted peer: interop
 * fixtures, reliable delivery, limits, authentication, malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "l2tp_int.h"

static struct harness H;
static struct l2tp_msg M;

static int setup(void **state)
{
	h_init(&H, 1, NULL);
	return 0;
}

static int teardown(void **state)
{
	h_fini(&H);
	return 0;
}

static const struct l2tp_stats *stats(void)
{
	return l2tp_ctx_stats(H.ctx);
}

/* ---- tunnel establishment, interop fixtures ---- */

static void windows_sccrq_gets_sccrp_that_acks_it(void **state)
{
	struct h_peer p;
	const struct h_pkt *r;
	struct l2tp_tunnel_info ti;

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	assert_int_equal(H.npkts, 1);
	r = h_find(&H, L2TP_MSG_SCCRP);
	assert_non_null(r);
	assert_int_equal(r->hdr.tunnel_id, 1);	/* to Windows' Assigned Tunnel ID */
	assert_int_equal(r->hdr.ns, 0);
	assert_int_equal(r->hdr.nr, 1);		/* acknowledges the SCCRQ */
	assert_int_equal(r->to.port, 1701);	/* answer the port the peer used */
	assert_int_not_equal(r->assigned_tunnel_id, 0);
	assert_int_equal(l2tp_tunnel_get(H.ctx, r->assigned_tunnel_id, &ti), 0);
	assert_int_equal(ti.state, L2TP_TUNNEL_WAIT_CTL_CONN);
	assert_string_equal(ti.peer_host_name, "DESKTOP-4F2K9QX");
	assert_string_equal(ti.peer_vendor_name, "Microsoft");
	assert_int_equal(ti.peer_firmware_revision, 0x0a00);
	assert_int_equal(ti.peer_framing_capabilities, L2TP_FRAMING_SYNC);
	assert_int_equal(ti.peer_bearer_capabilities, 0);
	assert_int_equal(ti.peer_rws, 8);
	assert_int_equal(stats()->tunnels_created, 1);
}

static void scccn_establishes_the_tunnel_and_is_acked_by_zlb(void **state)
{
	struct h_peer p;
	const struct h_event *e;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	e = h_find_event(&H, L2TP_EV_TUNNEL_UP);
	assert_non_null(e);
	assert_int_equal(e->tunnel_id, p.ctx_tid);
	assert_int_equal(H.npkts, 2);		/* SCCRP, then a ZLB for the SCCCN */
	assert_int_equal(H.pkts[1].type, 0);
	assert_int_equal(H.pkts[1].hdr.nr, 2);
	assert_int_equal(stats()->tunnels_established, 1);
}

static void xl2tpd_sccrq_without_window_means_window_4(void **state)
{
	struct h_peer p;
	struct l2tp_tunnel_info ti;

	h_peer_init(&p, &H, 8, 0x3f2a);
	h_msg_windows_sccrq(&M, 0x3f2a);
	M.present &= ~L2TP_AVP_BIT(L2TP_AVP_RECEIVE_WINDOW_SIZE); /* 4.4.3 default */
	M.host_name.p = (const uint8_t *)"vpnclient";
	M.host_name.len = 9;
	M.vendor_name.p = (const uint8_t *)"xelerance.com";
	M.vendor_name.len = 13;
	h_peer_send(&p, &M, 0);
	assert_int_equal(l2tp_tunnel_get(H.ctx, p.ctx_tid, &ti), 0);
	assert_int_equal(ti.peer_rws, 4);
	assert_string_equal(ti.peer_vendor_name, "xelerance.com");
}

static void retransmitted_sccrq_gives_one_tunnel_not_two(void **state)
{
	struct h_peer p;
	uint8_t buf[512];
	size_t n;

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	n = l2tp_msg_encode(&M, 0, 0, 0, 0, NULL, buf, sizeof(buf));
	h_peer_send_raw(&p, buf, n);
	H.now += 1000;
	h_peer_send_raw(&p, buf, n); /* our SCCRP was lost: the client retransmits */
	assert_int_equal(stats()->tunnels_created, 1);
	assert_int_equal(stats()->tunnels_active, 1);
	assert_int_equal(stats()->rejects[L2TP_R_DUPLICATE], 1);
	assert_int_equal(H.npkts, 2);
	assert_int_equal(H.pkts[1].type, 0); /* re-acknowledged */
}

static void two_nat_clients_with_same_tunnel_id_get_two_tunnels(void **state)
{
	struct h_peer a, b;

	/* Windows behind one NAT: same address, port 1701, Tunnel ID 1;
	 * only the IPsec SA mark differs (docs/ipsec-nat.md). */
	h_peer_init(&a, &H, 9, 1);
	h_peer_init(&b, &H, 9, 1);
	a.addr.mark = 1;
	b.addr.mark = 2;
	h_peer_establish(&a);
	h_peer_establish(&b);
	assert_int_equal(stats()->tunnels_established, 2);
	assert_int_not_equal(a.ctx_tid, b.ctx_tid);
}

static void datagram_from_another_sa_does_not_reach_the_tunnel(void **state)
{
	struct h_peer p, intruder;

	h_peer_init(&p, &H, 9, 1);
	p.addr.mark = 1;
	h_peer_establish(&p);
	h_peer_init(&intruder, &H, 9, 1);
	intruder.addr.mark = 2;
	intruder.ctx_tid = p.ctx_tid;
	intruder.ns = p.ns;
	l2tp_msg_init(&M, L2TP_MSG_STOPCCN);
	M.assigned_tunnel_id = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	M.result_code = 1;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	h_peer_send(&intruder, &M, 0);
	assert_int_equal(stats()->rejects[L2TP_R_PEER_MISMATCH], 1);
	assert_int_equal(stats()->tunnels_active, 1);
}

/* ---- reliable delivery ---- */

static void unacked_sccrp_backs_off_1_2_4_8_8_then_tunnel_is_freed(void **state)
{
	struct h_peer p;
	uint64_t t0 = H.now;
	const uint64_t at[] = {1000, 3000, 7000, 15000, 23000};

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	for (size_t i = 0; i < 5; i++) {
		h_advance(&H, t0 + at[i] - 1);
		assert_int_equal(h_count(&H, L2TP_MSG_SCCRP), 1 + i);
		h_advance(&H, t0 + at[i]);
		assert_int_equal(h_count(&H, L2TP_MSG_SCCRP), 2 + i);
	}
	h_advance(&H, t0 + 31000 - 1);
	assert_int_equal(stats()->tunnels_active, 1);
	h_advance(&H, t0 + 31000);
	assert_int_equal(stats()->tunnels_active, 0);
	assert_int_equal(stats()->tunnels_freed, 1);
	assert_int_equal(stats()->retransmits, 5);
	assert_int_equal(l2tp_ctx_next_deadline(H.ctx), UINT64_MAX);
}

static void out_of_order_messages_are_held_and_delivered_in_order(void **state)
{
	struct h_peer p;
	uint8_t b1[64], b2[64];
	size_t n1, n2;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	l2tp_msg_init(&M, L2TP_MSG_HELLO);
	n1 = l2tp_msg_encode(&M, p.ctx_tid, 0, p.ns, p.nr, NULL, b1, sizeof(b1));
	n2 = l2tp_msg_encode(&M, p.ctx_tid, 0, (uint16_t)(p.ns + 1), p.nr, NULL, b2, sizeof(b2));
	h_peer_send_raw(&p, b2, n2);
	assert_int_equal(H.npkts, 0); /* held, nothing to acknowledge yet */
	h_peer_send_raw(&p, b1, n1);
	assert_int_equal(H.npkts, 1);
	assert_int_equal(H.pkts[0].type, 0);
	assert_int_equal(H.pkts[0].hdr.nr, p.ns + 2); /* both delivered */
}

static void message_beyond_our_window_is_dropped_and_counted(void **state)
{
	struct h_peer p;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	p.ns = (uint16_t)(p.ns + H.cfg.receive_window);
	l2tp_msg_init(&M, L2TP_MSG_HELLO);
	h_peer_send(&p, &M, 0);
	assert_int_equal(stats()->rejects[L2TP_R_OUT_OF_WINDOW], 1);
}

static void idle_tunnel_sends_hello_and_survives_when_acked(void **state)
{
	struct h_peer p;
	uint64_t t0;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	t0 = H.now;
	h_clear(&H);
	h_advance(&H, t0 + 60000 - 1);
	assert_int_equal(h_count(&H, L2TP_MSG_HELLO), 0);
	h_advance(&H, t0 + 60000);
	assert_int_equal(h_count(&H, L2TP_MSG_HELLO), 1);
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(&p, &M, 0);
	h_advance(&H, t0 + 60000 + 40000);
	assert_int_equal(stats()->retransmits, 0);
	assert_int_equal(stats()->tunnels_active, 1);
}

static void unanswered_hello_tears_the_tunnel_down(void **state)
{
	struct h_peer p;
	const struct h_event *e;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_peer_call(&p, 42);
	h_clear(&H);
	h_advance(&H, H.now + 60000 + 31000);
	e = h_find_event(&H, L2TP_EV_TUNNEL_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_UNREACHABLE);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
	assert_int_equal(stats()->tunnels_active + stats()->tunnels_draining, 0);
	assert_int_equal(stats()->sessions_active + stats()->sessions_draining, 0);
}

static void no_hello_cfg(struct l2tp_config *c)
{
	c->hello_interval_ms = 0;
}

static void hello_interval_zero_turns_keepalive_off(void **state)
{
	struct h_peer p;

	h_fini(&H);
	h_init(&H, 1, no_hello_cfg);
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_advance(&H, H.now + 3600 * 1000);
	assert_int_equal(h_count(&H, L2TP_MSG_HELLO), 0);
	assert_int_equal(l2tp_ctx_next_deadline(H.ctx), UINT64_MAX);
}

static void data_activity_postpones_hello(void **state)
{
	struct h_peer p;
	uint64_t t0;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	t0 = H.now;
	l2tp_tunnel_activity(H.ctx, p.ctx_tid, t0 + 50000);
	h_advance(&H, t0 + 60000);
	assert_int_equal(h_count(&H, L2TP_MSG_HELLO), 0);
	h_advance(&H, t0 + 110000);
	assert_int_equal(h_count(&H, L2TP_MSG_HELLO), 1);
}

/* ---- sessions ---- */

static void icrq_and_iccn_bring_the_call_up_with_proxy_avps(void **state)
{
	struct h_peer p;
	const struct h_pkt *icrp;
	const struct h_event *e;
	static const uint8_t lcp[] = {1, 1, 0, 8, 1, 4, 5, 0x78};

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	l2tp_msg_init(&M, L2TP_MSG_ICRQ);
	M.assigned_session_id = 42;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	M.call_serial_number = 7;
	l2tp_msg_set(&M, L2TP_AVP_CALL_SERIAL_NUMBER);
	h_peer_send(&p, &M, 0);
	icrp = h_find(&H, L2TP_MSG_ICRP);
	assert_non_null(icrp);
	assert_int_equal(icrp->hdr.session_id, 42);
	assert_int_not_equal(icrp->assigned_session_id, 0);
	l2tp_msg_init(&M, L2TP_MSG_ICCN);
	M.tx_connect_speed = 1000000;
	M.framing_type = L2TP_FRAMING_SYNC;
	l2tp_msg_set(&M, L2TP_AVP_TX_CONNECT_SPEED);
	l2tp_msg_set(&M, L2TP_AVP_FRAMING_TYPE);
	M.last_sent_lcp_confreq.p = lcp;
	M.last_sent_lcp_confreq.len = sizeof(lcp);
	l2tp_msg_set(&M, L2TP_AVP_LAST_SENT_LCP_CONFREQ);
	M.proxy_authen_type = 2;
	l2tp_msg_set(&M, L2TP_AVP_PROXY_AUTHEN_TYPE);
	M.proxy_authen_name.p = (const uint8_t *)"alice";
	M.proxy_authen_name.len = 5;
	l2tp_msg_set(&M, L2TP_AVP_PROXY_AUTHEN_NAME);
	h_peer_send(&p, &M, icrp->assigned_session_id);
	e = h_find_event(&H, L2TP_EV_SESSION_UP);
	assert_non_null(e);
	assert_int_equal(e->session_id, icrp->assigned_session_id);
	assert_int_equal(e->peer_session_id, 42);
	assert_true(e->has_proxy_lcp);
	assert_true(e->has_proxy_auth);
	assert_string_equal(e->proxy_name, "alice");
	assert_int_equal(stats()->sessions_established, 1);
}

static void cdn_from_peer_ends_the_call_with_its_result(void **state)
{
	struct h_peer p;
	uint16_t sid;
	const struct h_event *e;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = h_peer_call(&p, 42);
	l2tp_msg_init(&M, L2TP_MSG_CDN);
	M.result_code = L2TP_CDN_ADMIN;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	M.assigned_session_id = 42;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	h_peer_send(&p, &M, sid);
	e = h_find_event(&H, L2TP_EV_SESSION_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_PEER);
	assert_int_equal(e->result, L2TP_CDN_ADMIN);
	assert_int_equal(stats()->sessions_active, 0);
	assert_int_equal(stats()->sessions_draining, 1);
}

static void closed_session_id_is_held_while_draining_then_freed(void **state)
{
	struct h_peer p;
	uint16_t sid;
	struct l2tp_session_info si;
	const struct h_pkt *cdn;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = h_peer_call(&p, 42);
	h_clear(&H);
	assert_int_equal(l2tp_session_close(H.ctx, p.ctx_tid, sid, L2TP_CDN_ADMIN, 0, H.now), 0);
	cdn = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(cdn);
	assert_int_equal(cdn->hdr.session_id, 42);
	assert_int_equal(cdn->assigned_session_id, sid);
	assert_int_equal(cdn->result, L2TP_CDN_ADMIN);
	assert_int_equal(l2tp_session_get(H.ctx, p.ctx_tid, sid, &si), 0);
	assert_int_equal(si.state, L2TP_SESSION_CLOSED);
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(&p, &M, 0);
	h_advance(&H, H.now + 31000 - 1);
	assert_int_equal(l2tp_session_get(H.ctx, p.ctx_tid, sid, &si), 0);
	h_advance(&H, H.now + 1);
	assert_int_not_equal(l2tp_session_get(H.ctx, p.ctx_tid, sid, &si), 0);
	assert_int_equal(stats()->sessions_freed, 1);
}

static void call_not_connected_in_time_is_cleared_with_cdn_10(void **state)
{
	struct h_peer p;
	const struct h_pkt *cdn;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	l2tp_msg_init(&M, L2TP_MSG_ICRQ);
	M.assigned_session_id = 42;
	M.call_serial_number = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	l2tp_msg_set(&M, L2TP_AVP_CALL_SERIAL_NUMBER);
	h_peer_send(&p, &M, 0);
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(&p, &M, 0);
	h_clear(&H);
	h_advance(&H, H.now + H.cfg.session_setup_timeout_ms);
	cdn = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, L2TP_CDN_TIMEOUT);
}

/* ---- the accepted call: SESSION_ACCEPTED lets the caller build the data
 * path before the ICCN, and every way the call ends before it reports one
 * SESSION_DOWN, so what was built is freed exactly once ---- */

static void one_tunnel_cfg(struct l2tp_config *c);

/* The peer places a call with an ICRQ; the ctx's session id from its ICRP. */
static uint16_t send_icrq(struct h_peer *p, uint16_t peer_sid)
{
	size_t first = H.npkts;

	l2tp_msg_init(&M, L2TP_MSG_ICRQ);
	M.assigned_session_id = peer_sid;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	M.call_serial_number = peer_sid;
	l2tp_msg_set(&M, L2TP_AVP_CALL_SERIAL_NUMBER);
	h_peer_send(p, &M, 0);
	for (size_t i = first; i < H.npkts; i++)
		if (H.pkts[i].type == L2TP_MSG_ICRP)
			return H.pkts[i].assigned_session_id;
	return 0;
}

static void send_iccn(struct h_peer *p, uint16_t sid)
{
	l2tp_msg_init(&M, L2TP_MSG_ICCN);
	M.tx_connect_speed = 1000000;
	l2tp_msg_set(&M, L2TP_AVP_TX_CONNECT_SPEED);
	M.framing_type = L2TP_FRAMING_SYNC;
	l2tp_msg_set(&M, L2TP_AVP_FRAMING_TYPE);
	h_peer_send(p, &M, sid);
}

static void accepted_call_is_reported_with_both_ids_before_its_icrp_leaves(void **state)
{
	struct h_peer p;
	const struct h_event *e;
	const struct h_pkt *icrp;
	uint16_t sid;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	sid = send_icrq(&p, 42);
	assert_int_not_equal(sid, 0);
	e = h_find_event(&H, L2TP_EV_SESSION_ACCEPTED);
	assert_non_null(e);
	assert_int_equal(e->tunnel_id, p.ctx_tid);
	assert_int_equal(e->session_id, sid);
	assert_int_equal(e->peer_session_id, 42);
	icrp = h_find(&H, L2TP_MSG_ICRP);
	assert_non_null(icrp);
	assert_true(e->npkts_before <= (size_t)(icrp - H.pkts));	/* not sent yet */
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_ACCEPTED), 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_UP), 0);	/* PPP waits for the ICCN */
}

static void iccn_after_accept_reports_up_with_the_user_set_at_accept(void **state)
{
	struct h_peer p;
	const struct h_event *e;
	uint16_t sid;

	H.tag_accepted = true;
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	sid = send_icrq(&p, 42);
	send_iccn(&p, sid);
	e = h_find_event(&H, L2TP_EV_SESSION_UP);
	assert_non_null(e);
	assert_int_equal(e->session_id, sid);
	assert_ptr_equal(e->session_user, H_SESSION_TAG(sid));
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_ACCEPTED), 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 0);
}

static void accepted_call_without_iccn_times_out_with_one_session_down(void **state)
{
	struct h_peer p;
	const struct h_event *e;
	uint16_t sid;

	H.tag_accepted = true;
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = send_icrq(&p, 42);
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(&p, &M, 0);
	h_clear(&H);
	h_advance(&H, H.now + H.cfg.session_setup_timeout_ms);
	e = h_find_event(&H, L2TP_EV_SESSION_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_SETUP_TIMEOUT);
	assert_int_equal(e->result, L2TP_CDN_TIMEOUT);
	assert_ptr_equal(e->session_user, H_SESSION_TAG(sid));
	h_advance(&H, H.now + 120000);	/* the id drains and is freed: no second report */
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
	assert_int_equal(stats()->sessions_freed, 1);
}

static void cdn_before_iccn_reports_the_accepted_call_down_once(void **state)
{
	struct h_peer p;
	const struct h_event *e;
	uint16_t sid;

	H.tag_accepted = true;
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = send_icrq(&p, 42);
	h_clear(&H);
	l2tp_msg_init(&M, L2TP_MSG_CDN);
	M.result_code = L2TP_CDN_ADMIN;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	M.assigned_session_id = 42;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	h_peer_send(&p, &M, sid);
	e = h_find_event(&H, L2TP_EV_SESSION_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_PEER);
	assert_ptr_equal(e->session_user, H_SESSION_TAG(sid));
	send_iccn(&p, sid);	/* late: the call is gone, nothing comes up */
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_UP), 0);
	h_advance(&H, H.now + 120000);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
}

static void tunnel_loss_before_iccn_reports_the_accepted_call_down_once(void **state)
{
	struct h_peer p;
	const struct h_event *e;
	uint16_t sid;

	H.tag_accepted = true;
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = send_icrq(&p, 42);
	h_clear(&H);
	l2tp_msg_init(&M, L2TP_MSG_STOPCCN);
	M.assigned_tunnel_id = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	M.result_code = L2TP_STOPCCN_CLEAR;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	h_peer_send(&p, &M, 0);
	e = h_find_event(&H, L2TP_EV_SESSION_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_TUNNEL);
	assert_ptr_equal(e->session_user, H_SESSION_TAG(sid));
	/* the call before the tunnel: the caller frees it while the tunnel exists */
	assert_true(e < h_find_event(&H, L2TP_EV_TUNNEL_DOWN));
	h_advance(&H, H.now + 120000);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
}

static void local_close_before_iccn_reports_the_accepted_call_down_once(void **state)
{
	struct h_peer p;
	const struct h_event *e;
	const struct h_pkt *cdn;
	uint16_t sid;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = send_icrq(&p, 42);
	h_clear(&H);
	assert_int_equal(l2tp_session_close(H.ctx, p.ctx_tid, sid, L2TP_CDN_TEMP_NO_FACILITIES, 0,
					    H.now), 0);
	cdn = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(cdn);
	assert_int_equal(cdn->hdr.session_id, 42);
	e = h_find_event(&H, L2TP_EV_SESSION_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_LOCAL);
	/* closing it again is refused: the call is already over */
	assert_int_not_equal(l2tp_session_close(H.ctx, p.ctx_tid, sid, L2TP_CDN_ADMIN, 0, H.now), 0);
	h_advance(&H, H.now + 120000);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
}

static void refused_icrq_is_never_announced(void **state)
{
	struct h_peer p;

	h_fini(&H);
	h_init(&H, 1, one_tunnel_cfg);
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	assert_int_not_equal(send_icrq(&p, 42), 0);
	h_clear(&H);
	assert_int_equal(send_icrq(&p, 43), 0);	/* over max_sessions: CDN */
	assert_non_null(h_find(&H, L2TP_MSG_CDN));
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_ACCEPTED), 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 0);
}

static void icrq_before_scccn_gets_cdn_no_control_connection(void **state)
{
	struct h_peer p;
	const struct h_pkt *cdn;

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	l2tp_msg_init(&M, L2TP_MSG_ICRQ);
	M.assigned_session_id = 42;
	M.call_serial_number = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	l2tp_msg_set(&M, L2TP_AVP_CALL_SERIAL_NUMBER);
	h_peer_send(&p, &M, 0);
	cdn = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, L2TP_CDN_GENERAL_ERROR);
	assert_int_equal(cdn->error, L2TP_ERR_NO_CONTROL_CONNECTION);
}

/* ---- teardown ---- */

static void stopccn_from_peer_is_acked_and_the_tunnel_drains(void **state)
{
	struct h_peer p;
	uint8_t buf[128];
	size_t n;
	const struct h_event *e;
	struct l2tp_tunnel_info ti;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_peer_call(&p, 42);
	h_clear(&H);
	l2tp_msg_init(&M, L2TP_MSG_STOPCCN);
	M.assigned_tunnel_id = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	M.result_code = L2TP_STOPCCN_CLEAR;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	n = l2tp_msg_encode(&M, p.ctx_tid, 0, p.ns, p.nr, NULL, buf, sizeof(buf));
	h_peer_send_raw(&p, buf, n);
	assert_int_equal(H.npkts, 1);
	assert_int_equal(H.pkts[0].type, 0); /* ZLB */
	e = h_find_event(&H, L2TP_EV_TUNNEL_DOWN);
	assert_non_null(e);
	assert_int_equal(e->cause, L2TP_DOWN_PEER);
	assert_int_equal(e->result, L2TP_STOPCCN_CLEAR);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
	/* the peer did not hear our ZLB and retransmits: acked again */
	H.now += 1000;
	h_peer_send_raw(&p, buf, n);
	assert_int_equal(H.npkts, 2);
	assert_int_equal(H.pkts[1].type, 0);
	assert_int_equal(l2tp_tunnel_get(H.ctx, p.ctx_tid, &ti), 0);
	assert_int_equal(ti.state, L2TP_TUNNEL_CLOSING);
	h_advance(&H, H.now + 31000);
	assert_int_not_equal(l2tp_tunnel_get(H.ctx, p.ctx_tid, &ti), 0);
	assert_int_equal(stats()->tunnels_draining, 0);
}

static void local_close_sends_stopccn_and_ends_every_call(void **state)
{
	struct h_peer p;
	const struct h_pkt *s;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_peer_call(&p, 42);
	h_peer_call(&p, 43);
	h_clear(&H);
	assert_int_equal(l2tp_tunnel_close(H.ctx, p.ctx_tid, L2TP_STOPCCN_CLEAR, 0, H.now), 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->assigned_tunnel_id, p.ctx_tid);
	assert_int_equal(s->result, L2TP_STOPCCN_CLEAR);
	assert_int_equal(h_count(&H, L2TP_MSG_CDN), 0); /* 5.7: StopCCN clears calls */
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 2);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_DOWN), 1);
	assert_int_equal(stats()->sessions_active + stats()->sessions_draining, 0);
}

static enum l2tp_accept refuse_all(struct harness *h, const struct l2tp_addr *peer);

/* RFC 2661 5.7: the StopCCN sender holds the control connection until its
 * StopCCN is acknowledged and then for a full retransmission cycle.
 * TUNNEL_DOWN comes at once; TUNNEL_CLOSED only when that is over, and
 * nothing of the tunnel is sent after it (the daemon deletes the IPsec SA
 * there: docs/ipsec.md). Defaults: 1+2+4+8+8+8 s = 31 s. */
static void local_close_reports_closed_only_after_the_acked_stopccn_was_held(void **state)
{
	struct h_peer p;
	const struct h_event *down, *closed;
	uint64_t t0;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_peer_call(&p, 42);
	h_clear(&H);
	t0 = H.now;
	assert_int_equal(l2tp_tunnel_close(H.ctx, p.ctx_tid, L2TP_STOPCCN_CLEAR, 0, H.now), 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_DOWN), 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
	H.now += 100;
	l2tp_msg_init(&M, L2TP_MSG_ZLB);	/* the peer acknowledges our StopCCN */
	h_peer_send(&p, &M, 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
	h_advance(&H, t0 + 31000 - 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
	assert_int_equal(stats()->tunnels_draining, 1);
	assert_int_equal(stats()->retransmits, 0);
	h_advance(&H, t0 + 31000);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 1);
	down = h_find_event(&H, L2TP_EV_TUNNEL_DOWN);
	closed = h_find_event(&H, L2TP_EV_TUNNEL_CLOSED);
	assert_true(down < closed);
	assert_int_equal(closed->tunnel_id, p.ctx_tid);
	assert_int_equal(closed->npkts_before, H.npkts);
	assert_int_equal(stats()->tunnels_draining, 0);
	h_advance(&H, t0 + 120000);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 1);
}

static void unacked_stopccn_reports_closed_after_its_last_retransmission(void **state)
{
	struct h_peer p;
	const struct h_event *closed;
	uint64_t t0;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	t0 = H.now;
	assert_int_equal(l2tp_tunnel_close(H.ctx, p.ctx_tid, L2TP_STOPCCN_CLEAR, 0, H.now), 0);
	h_advance(&H, t0 + 23000);	/* retransmitted at 1, 3, 7, 15, 23 s */
	assert_int_equal(h_count(&H, L2TP_MSG_STOPCCN), 6);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
	h_advance(&H, t0 + 31000 - 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
	h_advance(&H, t0 + 31000);
	closed = h_find_event(&H, L2TP_EV_TUNNEL_CLOSED);
	assert_non_null(closed);
	assert_int_equal(closed->npkts_before, 6);
	assert_int_equal(H.npkts, 6);
}

static void stopccn_from_peer_reports_closed_after_the_hold(void **state)
{
	struct h_peer p;
	uint64_t t0;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	t0 = H.now;
	l2tp_msg_init(&M, L2TP_MSG_STOPCCN);
	M.assigned_tunnel_id = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	M.result_code = L2TP_STOPCCN_CLEAR;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	h_peer_send(&p, &M, 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_DOWN), 1);
	h_advance(&H, t0 + 31000 - 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
	h_advance(&H, t0 + 31000);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 1);
}

static void lost_tunnel_reports_closed_right_after_down_and_refused_one_never(void **state)
{
	struct h_peer p, q;
	const struct h_event *down, *closed;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	h_advance(&H, H.now + 60000 + 31000);	/* HELLO never acknowledged */
	down = h_find_event(&H, L2TP_EV_TUNNEL_DOWN);
	closed = h_find_event(&H, L2TP_EV_TUNNEL_CLOSED);
	assert_non_null(down);
	assert_non_null(closed);
	assert_true(down < closed);
	assert_int_equal(down->cause, L2TP_DOWN_UNREACHABLE);
	assert_int_equal(closed->cause, L2TP_DOWN_UNREACHABLE);
	/* a tunnel never reported up is never reported closed */
	h_clear(&H);
	H.accept = refuse_all;
	h_peer_init(&q, &H, 8, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&q, &M, 0);
	h_advance(&H, H.now + 120000);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_CLOSED), 0);
}

static void close_all_sends_stopccn_shutting_down_to_every_tunnel(void **state)
{
	struct h_peer a, b;

	h_peer_init(&a, &H, 7, 1);
	h_peer_init(&b, &H, 8, 1);
	h_peer_establish(&a);
	h_peer_establish(&b);
	h_clear(&H);
	l2tp_ctx_close_all(H.ctx, H.now);
	assert_int_equal(h_count(&H, L2TP_MSG_STOPCCN), 2);
	assert_int_equal(H.pkts[0].result, L2TP_STOPCCN_SHUTTING_DOWN);
	h_advance(&H, H.now + 40000);
	assert_int_equal(stats()->tunnels_active + stats()->tunnels_draining, 0);
}

/* l2tp_ctx_unacknowledged counts the tunnels whose StopCCN (or any
 * message) the peer has not acknowledged: what a stopping daemon waits for
 * (RFC 2661 5.7: the StopCCN is delivered reliably). */
static void unacknowledged_counts_stopccns_until_their_zlb(void **state)
{
	struct h_peer a, b;

	h_peer_init(&a, &H, 7, 1);
	h_peer_init(&b, &H, 8, 1);
	h_peer_establish(&a);
	h_peer_establish(&b);
	assert_int_equal(l2tp_ctx_unacknowledged(H.ctx), 0);
	l2tp_ctx_close_all(H.ctx, H.now);
	assert_int_equal(l2tp_ctx_unacknowledged(H.ctx), 2);
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(&a, &M, 0);
	assert_int_equal(l2tp_ctx_unacknowledged(H.ctx), 1);
	h_peer_send(&b, &M, 0);
	assert_int_equal(l2tp_ctx_unacknowledged(H.ctx), 0);
	/* acknowledged, but still held for the peer's retransmissions */
	assert_int_equal(stats()->tunnels_draining, 2);
}

/* ---- limits ---- */

static void one_tunnel_cfg(struct l2tp_config *c)
{
	c->max_tunnels = 1;
	c->max_sessions = 1;
}

static void tunnel_limit_answers_stopccn_insufficient_resources(void **state)
{
	struct h_peer a, b;
	const struct h_pkt *s;

	h_fini(&H);
	h_init(&H, 1, one_tunnel_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_init(&b, &H, 8, 5);
	h_peer_establish(&a);
	h_clear(&H);
	h_msg_windows_sccrq(&M, 5);
	h_peer_send(&b, &M, 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->hdr.tunnel_id, 5);
	assert_int_equal(s->hdr.nr, 1);
	assert_int_equal(s->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(s->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_int_equal(stats()->rejects[L2TP_R_TUNNEL_LIMIT], 1);
	assert_int_equal(stats()->tunnels_created, 1);
}

static void session_limit_answers_cdn_temporary_lack_of_facilities(void **state)
{
	struct h_peer a;
	const struct h_pkt *c;

	h_fini(&H);
	h_init(&H, 1, one_tunnel_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	assert_int_not_equal(h_peer_call(&a, 42), 0);
	h_clear(&H);
	assert_int_equal(h_peer_call(&a, 43), 0);
	c = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(c);
	assert_int_equal(c->hdr.session_id, 43);
	assert_int_equal(c->result, L2TP_CDN_TEMP_NO_FACILITIES);
	assert_int_equal(stats()->rejects[L2TP_R_SESSION_LIMIT], 1);
}

static void session_limit_refusal_is_reported_after_its_cdn(void **state)
{
	struct h_peer a;
	const struct h_event *e;

	h_fini(&H);
	h_init(&H, 1, one_tunnel_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	assert_int_not_equal(h_peer_call(&a, 42), 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_REFUSED), 0);
	h_clear(&H);
	assert_int_equal(h_peer_call(&a, 43), 0);
	e = h_find_event(&H, L2TP_EV_SESSION_REFUSED);
	assert_non_null(e);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_REFUSED), 1);
	assert_int_equal(e->reason, L2TP_R_SESSION_LIMIT);
	assert_int_equal(e->result, L2TP_CDN_TEMP_NO_FACILITIES);
	assert_int_equal(e->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_int_equal(e->session_id, 0);	/* nothing was made */
	assert_non_null(h_find(&H, L2TP_MSG_CDN));	/* and the peer got its answer */
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_ACCEPTED), 0);
}

static void per_tunnel_cfg(struct l2tp_config *c)
{
	c->max_sessions_per_tunnel = 2;
}

static void per_tunnel_session_limit_is_enforced(void **state)
{
	struct h_peer a, b;

	h_fini(&H);
	h_init(&H, 1, per_tunnel_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_init(&b, &H, 8, 1);
	h_peer_establish(&a);
	h_peer_establish(&b);
	assert_int_not_equal(h_peer_call(&a, 1), 0);
	assert_int_not_equal(h_peer_call(&a, 2), 0);
	assert_int_equal(h_peer_call(&a, 3), 0);
	assert_int_not_equal(h_peer_call(&b, 1), 0);
	assert_int_equal(stats()->rejects[L2TP_R_TUNNEL_SESSION_LIMIT], 1);
}

/* A reload lowers and raises the session limit of a running ctx: the call
 * over the new limit is refused, the one up stays, a raise lets more in. */
static void set_limits_takes_effect_for_new_calls_only(void **state)
{
	struct h_peer a;
	struct l2tp_config c;

	h_fini(&H);
	h_init(&H, 1, NULL);
	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	assert_int_not_equal(h_peer_call(&a, 42), 0);
	c = H.cfg;
	c.max_sessions = 1;
	assert_int_equal(l2tp_ctx_set_limits(H.ctx, &c), 0);
	h_clear(&H);
	assert_int_equal(h_peer_call(&a, 43), 0);
	assert_non_null(h_find(&H, L2TP_MSG_CDN));
	assert_int_equal(stats()->rejects[L2TP_R_SESSION_LIMIT], 1);
	assert_int_equal(stats()->sessions_active, 1);	/* the call up stays */
	c.max_sessions = 2;
	assert_int_equal(l2tp_ctx_set_limits(H.ctx, &c), 0);
	h_clear(&H);
	assert_int_not_equal(h_peer_call(&a, 44), 0);
	assert_int_equal(stats()->sessions_active, 2);
	/* bad timers: refused, nothing changed (the limit stays 2) */
	c.max_sessions = 100;
	c.rto_initial_ms = 0;
	assert_int_equal(l2tp_ctx_set_limits(H.ctx, &c), -1);
	h_clear(&H);
	assert_int_equal(h_peer_call(&a, 45), 0);
	assert_int_equal(stats()->rejects[L2TP_R_SESSION_LIMIT], 2);
}

static void rate_cfg(struct l2tp_config *c)
{
	c->new_tunnel_rate = 1;
	c->new_tunnel_burst = 2;
}

static void new_tunnels_per_peer_are_rate_limited(void **state)
{
	struct h_peer p[4];

	h_fini(&H);
	h_init(&H, 1, rate_cfg);
	for (int i = 0; i < 3; i++) {
		h_peer_init(&p[i], &H, 7, (uint16_t)(10 + i));
		p[i].addr.port = (uint16_t)(40000 + i); /* many ports, one host */
		h_msg_windows_sccrq(&M, p[i].tid);
		h_peer_send(&p[i], &M, 0);
	}
	assert_int_equal(stats()->tunnels_created, 2);
	assert_int_equal(stats()->rejects[L2TP_R_RATE_LIMITED], 1);
	assert_non_null(h_find(&H, L2TP_MSG_STOPCCN));
	/* another host is not affected */
	h_peer_init(&p[3], &H, 99, 20);
	h_msg_windows_sccrq(&M, 20);
	h_peer_send(&p[3], &M, 0);
	assert_int_equal(stats()->tunnels_created, 3);
	/* a second later the first host has a token again */
	H.now += 1000;
	p[2].ns = 0;
	h_msg_windows_sccrq(&M, p[2].tid);
	h_peer_send(&p[2], &M, 0);
	assert_int_equal(stats()->tunnels_created, 4);
}

static void tunnel_ids_are_random_nonzero_and_unique(void **state)
{
	static struct h_peer p[200];
	uint8_t seen[65536 / 8] = {0};
	int sequential = 0;

	h_fini(&H);
	h_init(&H, 3, NULL);
	for (int i = 0; i < 200; i++) {
		h_peer_init(&p[i], &H, (uint8_t)(i + 1), 1);
		H.npeers = 0; /* only the capture matters here */
		h_msg_windows_sccrq(&M, 1);
		h_clear(&H);
		h_peer_send(&p[i], &M, 0);
		assert_int_equal(H.npkts, 1);
		uint16_t id = H.pkts[0].assigned_tunnel_id;
		assert_int_not_equal(id, 0);
		assert_false(seen[id / 8] & (1 << (id % 8)));
		seen[id / 8] |= (uint8_t)(1 << (id % 8));
		if (i && (seen[(uint16_t)(id - 1) / 8] & (1 << ((uint16_t)(id - 1) % 8))))
			sequential++;
	}
	assert_true(sequential < 10);
}

static void draining_tunnel_id_is_not_reused(void **state)
{
	struct h_peer a, b;
	uint64_t rnd;

	h_peer_init(&a, &H, 7, 1);
	rnd = H.rnd;			/* the id the next tunnel would draw */
	h_peer_establish(&a);
	l2tp_tunnel_close(H.ctx, a.ctx_tid, L2TP_STOPCCN_CLEAR, 0, H.now);
	H.rnd = rnd;			/* make the random source draw it again */
	h_peer_init(&b, &H, 8, 1);
	h_peer_establish(&b);
	assert_int_not_equal(b.ctx_tid, 0);
	assert_int_not_equal(b.ctx_tid, a.ctx_tid);
}

/* ---- authentication, 5.1.1 ---- */

static void secret_cfg(struct l2tp_config *c)
{
	c->secret = (const uint8_t *)"s3cret";
	c->secret_len = 6;
}

static void challenge_response_tunnel_comes_up(void **state)
{
	struct h_peer p;
	const struct h_pkt *sccrp;
	struct l2tp_secret s = {(const uint8_t *)"s3cret", 6};
	uint8_t want[16], ours[16] = "0123456789abcdef";

	h_fini(&H);
	h_init(&H, 1, secret_cfg);
	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	M.challenge.p = ours;
	M.challenge.len = 16;
	l2tp_msg_set(&M, L2TP_AVP_CHALLENGE);
	h_peer_send(&p, &M, 0);
	sccrp = h_find(&H, L2TP_MSG_SCCRP);
	assert_non_null(sccrp);
	/* the LNS answers our challenge: MD5(2, secret, challenge) */
	l2tp_challenge_response(L2TP_MSG_SCCRP, &s, ours, 16, want);
	assert_true(sccrp->has_response);
	assert_memory_equal(sccrp->response, want, 16);
	/* and challenges us */
	assert_true(sccrp->has_challenge);
	l2tp_msg_init(&M, L2TP_MSG_SCCCN);
	l2tp_challenge_response(L2TP_MSG_SCCCN, &s, sccrp->challenge, 16, M.challenge_response);
	l2tp_msg_set(&M, L2TP_AVP_CHALLENGE_RESPONSE);
	h_peer_send(&p, &M, 0);
	assert_non_null(h_find_event(&H, L2TP_EV_TUNNEL_UP));
}

static void wrong_or_missing_challenge_response_is_refused(void **state)
{
	for (int wrong = 0; wrong < 2; wrong++) {
		struct h_peer p;
		const struct h_pkt *s;

		h_fini(&H);
		h_init(&H, 1, secret_cfg);
		h_peer_init(&p, &H, 7, 1);
		h_msg_windows_sccrq(&M, 1);
		h_peer_send(&p, &M, 0);
		l2tp_msg_init(&M, L2TP_MSG_SCCCN);
		if (wrong) {
			memset(M.challenge_response, 0x55, 16);
			l2tp_msg_set(&M, L2TP_AVP_CHALLENGE_RESPONSE);
		}
		h_peer_send(&p, &M, 0);
		s = h_find(&H, L2TP_MSG_STOPCCN);
		assert_non_null(s);
		assert_int_equal(s->result, L2TP_STOPCCN_NOT_AUTHORIZED);
		assert_null(h_find_event(&H, L2TP_EV_TUNNEL_UP));
		assert_int_equal(stats()->rejects[L2TP_R_AUTH_FAILED], 1);
	}
}

static void challenge_without_our_secret_is_refused(void **state)
{
	struct h_peer p;
	const struct h_pkt *s;

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	M.challenge.p = (const uint8_t *)"abcd";
	M.challenge.len = 4;
	l2tp_msg_set(&M, L2TP_AVP_CHALLENGE);
	h_peer_send(&p, &M, 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->result, L2TP_STOPCCN_NOT_AUTHORIZED);
	assert_int_equal(stats()->tunnels_created, 0);
}

/* ---- malformed and unexpected input ---- */

static void unsupported_protocol_version_gets_result_5(void **state)
{
	struct h_peer p;
	const struct h_pkt *s;

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	M.protocol_version = 2;
	h_peer_send(&p, &M, 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->result, L2TP_STOPCCN_BAD_VERSION);
	assert_int_equal(s->error, 0x0100);
	assert_int_equal(stats()->rejects[L2TP_R_BAD_PROTOCOL_VERSION], 1);
}

static void unknown_mandatory_avp_in_icrq_clears_only_that_call(void **state)
{
	struct h_peer p;
	uint8_t buf[256];
	size_t n;
	const struct h_pkt *c;
	static const uint8_t avp[] = {0x80, 0x08, 0x00, 0x00, 0x00, 0x63, 0xaa, 0xbb};

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	l2tp_msg_init(&M, L2TP_MSG_ICRQ);
	M.assigned_session_id = 42;
	M.call_serial_number = 1;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	l2tp_msg_set(&M, L2TP_AVP_CALL_SERIAL_NUMBER);
	n = l2tp_msg_encode(&M, p.ctx_tid, 0, p.ns++, p.nr, NULL, buf, sizeof(buf));
	memcpy(buf + n, avp, sizeof(avp)); /* unknown AVP 99 with M set */
	n += sizeof(avp);
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	h_clear(&H);
	h_peer_send_raw(&p, buf, n);
	c = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(c);
	assert_int_equal(c->error, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	assert_int_equal(stats()->tunnels_active, 1);
	assert_int_equal(stats()->rejects[L2TP_R_UNKNOWN_MANDATORY_AVP], 1);
}

static void unknown_mandatory_avp_in_tunnel_message_clears_the_tunnel(void **state)
{
	struct h_peer p;
	uint8_t buf[256];
	size_t n;
	const struct h_pkt *s;
	static const uint8_t avp[] = {0x80, 0x07, 0x01, 0x37, 0x00, 0x01, 0xaa};

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	l2tp_msg_init(&M, L2TP_MSG_HELLO);
	n = l2tp_msg_encode(&M, p.ctx_tid, 0, p.ns++, p.nr, NULL, buf, sizeof(buf));
	memcpy(buf + n, avp, sizeof(avp)); /* vendor 311 AVP with M set */
	n += sizeof(avp);
	buf[3] = (uint8_t)n;
	h_clear(&H);
	h_peer_send_raw(&p, buf, n);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(s->error, L2TP_ERR_UNKNOWN_MANDATORY_AVP);
	assert_int_equal(stats()->tunnels_active, 0);
}

static void unknown_message_type_without_m_bit_is_acked_and_ignored(void **state)
{
	struct h_peer p;
	uint8_t buf[] = {0xc8, 0x02, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0,
			 0x00, 0x08, 0, 0, 0, 0, 0, 99};

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	buf[4] = (uint8_t)(p.ctx_tid >> 8);
	buf[5] = (uint8_t)p.ctx_tid;
	buf[9] = (uint8_t)p.ns;
	buf[11] = (uint8_t)p.nr;
	h_clear(&H);
	h_peer_send_raw(&p, buf, sizeof(buf));
	assert_int_equal(H.npkts, 1);
	assert_int_equal(H.pkts[0].type, 0);
	assert_int_equal(stats()->rejects[L2TP_R_UNKNOWN_MSG_TYPE_IGNORED], 1);
	assert_int_equal(stats()->tunnels_active, 1);
}

static void malformed_datagrams_are_dropped_and_counted(void **state)
{
	struct h_peer p;
	uint8_t buf[256];
	size_t n;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	h_clear(&H);
	h_peer_send_raw(&p, (const uint8_t *)"\xc8", 1);
	assert_int_equal(stats()->rejects[L2TP_R_TRUNCATED_HEADER], 1);
	h_peer_send_raw(&p, (const uint8_t *)"\xc8\x03\x00\x0c\x00\x01\x00\x00\x00\x00\x00\x00", 12);
	assert_int_equal(stats()->rejects[L2TP_R_BAD_VERSION], 1);
	l2tp_msg_init(&M, L2TP_MSG_HELLO);
	n = l2tp_msg_encode(&M, p.ctx_tid, 0, p.ns, p.nr, NULL, buf, sizeof(buf));
	buf[13] = 0x09; /* Message Type AVP claims 9 octets, 8 present */
	h_peer_send_raw(&p, buf, n);
	assert_int_equal(stats()->rejects[L2TP_R_AVP_BAD_LENGTH], 1);
	n = l2tp_msg_encode(&M, 0x7777, 0, 0, 0, NULL, buf, sizeof(buf));
	h_peer_send_raw(&p, buf, n);
	assert_int_equal(stats()->rejects[L2TP_R_UNKNOWN_TUNNEL], 1);
	n = l2tp_msg_encode(&M, p.ctx_tid, 0, p.ns, p.nr, NULL, buf, sizeof(buf));
	h_peer_send_raw(&p, buf, n - 1);
	assert_int_equal(stats()->rejects[L2TP_R_BAD_LENGTH], 1);
	assert_int_equal(H.npkts, 0); /* nothing acknowledged */
	assert_int_equal(stats()->tunnels_active, 1);
}

static void hidden_avp_in_sccrq_without_secret_is_refused(void **state)
{
	struct h_peer p;
	uint8_t buf[512];
	size_t n;
	const struct h_pkt *s;
	struct l2tp_hide hide = {{(const uint8_t *)"x", 1}, (const uint8_t *)"rvrv", 4,
				 L2TP_AVP_BIT(L2TP_AVP_HOST_NAME)};

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	n = l2tp_msg_encode(&M, 0, 0, 0, 0, &hide, buf, sizeof(buf));
	h_peer_send_raw(&p, buf, n);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(stats()->rejects[L2TP_R_HIDDEN_NO_SECRET], 1);
	assert_int_equal(stats()->tunnels_created, 0);
}

static void reply_cfg(struct l2tp_config *c)
{
	c->max_tunnels = 0;	/* refuse everything */
	c->reply_rate = 1;
	c->reply_burst = 2;
}

static void stateless_replies_are_rate_limited_too(void **state)
{
	struct h_peer p;

	h_fini(&H);
	h_init(&H, 1, reply_cfg);
	h_peer_init(&p, &H, 7, 1);
	for (int i = 0; i < 5; i++) {
		p.ns = 0;
		h_msg_windows_sccrq(&M, 1);
		h_peer_send(&p, &M, 0);
	}
	assert_int_equal(h_count(&H, L2TP_MSG_STOPCCN), 2);
	assert_int_equal(stats()->rejects[L2TP_R_TUNNEL_LIMIT], 5);
	assert_int_equal(stats()->rejects[L2TP_R_REPLY_SUPPRESSED], 3);
	assert_int_equal(stats()->stateless_replies, 2);
}

static void hidden_avps_in_sccrq_are_read_with_the_secret(void **state)
{
	struct h_peer p;
	uint8_t buf[512];
	size_t n;
	struct l2tp_tunnel_info ti;
	struct l2tp_hide hide = {{(const uint8_t *)"s3cret", 6}, (const uint8_t *)"0123456789", 10,
				 L2TP_AVP_BIT(L2TP_AVP_HOST_NAME) |
					 L2TP_AVP_BIT(L2TP_AVP_ASSIGNED_TUNNEL_ID)};

	h_fini(&H);
	h_init(&H, 1, secret_cfg);
	h_peer_init(&p, &H, 7, 0x1234);
	h_msg_windows_sccrq(&M, 0x1234);
	n = l2tp_msg_encode(&M, 0, 0, 0, 0, &hide, buf, sizeof(buf));
	h_peer_send_raw(&p, buf, n);
	assert_non_null(h_find(&H, L2TP_MSG_SCCRP));
	assert_int_equal(H.pkts[0].hdr.tunnel_id, 0x1234);
	assert_int_equal(l2tp_tunnel_get(H.ctx, H.pkts[0].assigned_tunnel_id, &ti), 0);
	assert_string_equal(ti.peer_host_name, "DESKTOP-4F2K9QX");
}

static void nr_acknowledging_what_we_never_sent_is_counted(void **state)
{
	struct h_peer p;

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	p.nr = (uint16_t)(p.nr + 100);
	l2tp_msg_init(&M, L2TP_MSG_HELLO);
	h_peer_send(&p, &M, 0);
	assert_int_equal(stats()->rejects[L2TP_R_BAD_NR], 1);
	assert_int_equal(stats()->tunnels_active, 1); /* the message itself is still taken */
}

/* ---- memory budget (docs/l2tp.md) ---- */

static void per_tunnel_and_per_session_state_fit_the_budget(void **state)
{
	/* sizeof is deterministic: the budget is a fact, not a timing */
	assert_true(l2tp_sizeof_tunnel() < 4096);
	assert_true(l2tp_sizeof_session() < 1024);
	assert_int_equal(l2tp_sizeof_tunnel(), sizeof(struct l2tp_tunnel));
}


/* ---- accept_tunnel: the daemon's say on new peers (require_ipsec) ---- */

static enum l2tp_accept refuse_all(struct harness *h, const struct l2tp_addr *peer)
{
	return L2TP_ACCEPT_REFUSE;
}

static enum l2tp_accept defer_all(struct harness *h, const struct l2tp_addr *peer)
{
	return L2TP_ACCEPT_DEFER;
}

static void refused_sccrq_gets_stopccn_not_authorized_and_no_tunnel(void **state)
{
	struct h_peer p;
	const struct h_pkt *s;

	H.accept = refuse_all;
	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	/* RFC 2661 4.4.2: result 4, requester is not authorized */
	assert_int_equal(s->result, L2TP_STOPCCN_NOT_AUTHORIZED);
	assert_int_equal(s->hdr.tunnel_id, 1);
	assert_null(h_find(&H, L2TP_MSG_SCCRP));
	assert_int_equal(stats()->rejects[L2TP_R_SCCRQ_REFUSED], 1);
	assert_int_equal(stats()->tunnels_created, 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_UP), 0);
}

static enum l2tp_accept busy_all(struct harness *h, const struct l2tp_addr *peer)
{
	return L2TP_ACCEPT_BUSY;
}

/* Drain: a new tunnel is told "not now", not "not authorized". */
static void busy_sccrq_gets_stopccn_general_error_insufficient_resources(void **state)
{
	struct h_peer p;
	const struct h_pkt *s;

	H.accept = busy_all;
	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	/* RFC 2661 4.4.2: result 2 with error 4, a temporary condition */
	assert_int_equal(s->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(s->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_null(h_find(&H, L2TP_MSG_SCCRP));
	assert_int_equal(stats()->rejects[L2TP_R_SCCRQ_BUSY], 1);
	assert_int_equal(stats()->tunnels_created, 0);
}

/* Drain: new calls get CDN result 4 and an event; the call up stays; off
 * again, calls are accepted. */
static void refused_calls_get_cdn_4_and_the_call_up_stays(void **state)
{
	struct h_peer a;
	const struct h_pkt *c;
	const struct h_event *e;

	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	assert_int_not_equal(h_peer_call(&a, 42), 0);
	l2tp_ctx_refuse_calls(H.ctx, true);
	h_clear(&H);
	assert_int_equal(h_peer_call(&a, 43), 0);
	c = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(c);
	assert_int_equal(c->hdr.session_id, 43);
	assert_int_equal(c->result, L2TP_CDN_TEMP_NO_FACILITIES);
	e = h_find_event(&H, L2TP_EV_SESSION_REFUSED);
	assert_non_null(e);
	assert_int_equal(e->reason, L2TP_R_CALLS_REFUSED);
	assert_int_equal(stats()->rejects[L2TP_R_CALLS_REFUSED], 1);
	assert_int_equal(stats()->sessions_active, 1);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 0);
	l2tp_ctx_refuse_calls(H.ctx, false);
	h_clear(&H);
	assert_int_not_equal(h_peer_call(&a, 44), 0);
}

static void deferred_sccrq_gets_no_answer_and_is_asked_again_on_retransmit(void **state)
{
	struct h_peer p;

	H.accept = defer_all;
	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	assert_int_equal(H.npkts, 0);
	assert_int_equal(stats()->rejects[L2TP_R_SCCRQ_DEFERRED], 1);
	assert_int_equal(stats()->tunnels_created, 0);
	/* the peer retransmits (same Ns 0); now the daemon accepts */
	H.accept = NULL;
	p.ns = 0;
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	assert_non_null(h_find(&H, L2TP_MSG_SCCRP));
	assert_int_equal(H.accept_calls, 2);
}

static void retransmitted_sccrq_of_an_accepted_tunnel_is_not_asked_again(void **state)
{
	struct h_peer p;

	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	p.ns = 0;
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	assert_int_equal(H.accept_calls, 1);
	assert_int_equal(stats()->tunnels_created, 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(windows_sccrq_gets_sccrp_that_acks_it),
		T(refused_sccrq_gets_stopccn_not_authorized_and_no_tunnel),
		T(deferred_sccrq_gets_no_answer_and_is_asked_again_on_retransmit),
		T(retransmitted_sccrq_of_an_accepted_tunnel_is_not_asked_again),
		T(scccn_establishes_the_tunnel_and_is_acked_by_zlb),
		T(xl2tpd_sccrq_without_window_means_window_4),
		T(retransmitted_sccrq_gives_one_tunnel_not_two),
		T(two_nat_clients_with_same_tunnel_id_get_two_tunnels),
		T(datagram_from_another_sa_does_not_reach_the_tunnel),
		T(unacked_sccrp_backs_off_1_2_4_8_8_then_tunnel_is_freed),
		T(out_of_order_messages_are_held_and_delivered_in_order),
		T(message_beyond_our_window_is_dropped_and_counted),
		T(idle_tunnel_sends_hello_and_survives_when_acked),
		T(unanswered_hello_tears_the_tunnel_down),
		T(hello_interval_zero_turns_keepalive_off),
		T(data_activity_postpones_hello),
		T(icrq_and_iccn_bring_the_call_up_with_proxy_avps),
		T(cdn_from_peer_ends_the_call_with_its_result),
		T(closed_session_id_is_held_while_draining_then_freed),
		T(call_not_connected_in_time_is_cleared_with_cdn_10),
		T(accepted_call_is_reported_with_both_ids_before_its_icrp_leaves),
		T(iccn_after_accept_reports_up_with_the_user_set_at_accept),
		T(accepted_call_without_iccn_times_out_with_one_session_down),
		T(cdn_before_iccn_reports_the_accepted_call_down_once),
		T(tunnel_loss_before_iccn_reports_the_accepted_call_down_once),
		T(local_close_before_iccn_reports_the_accepted_call_down_once),
		T(refused_icrq_is_never_announced),
		T(icrq_before_scccn_gets_cdn_no_control_connection),
		T(stopccn_from_peer_is_acked_and_the_tunnel_drains),
		T(local_close_sends_stopccn_and_ends_every_call),
		T(local_close_reports_closed_only_after_the_acked_stopccn_was_held),
		T(unacked_stopccn_reports_closed_after_its_last_retransmission),
		T(stopccn_from_peer_reports_closed_after_the_hold),
		T(lost_tunnel_reports_closed_right_after_down_and_refused_one_never),
		T(close_all_sends_stopccn_shutting_down_to_every_tunnel),
		T(unacknowledged_counts_stopccns_until_their_zlb),
		T(tunnel_limit_answers_stopccn_insufficient_resources),
		T(session_limit_answers_cdn_temporary_lack_of_facilities),
		T(session_limit_refusal_is_reported_after_its_cdn),
		T(per_tunnel_session_limit_is_enforced),
		T(set_limits_takes_effect_for_new_calls_only),
		T(busy_sccrq_gets_stopccn_general_error_insufficient_resources),
		T(refused_calls_get_cdn_4_and_the_call_up_stays),
		T(new_tunnels_per_peer_are_rate_limited),
		T(tunnel_ids_are_random_nonzero_and_unique),
		T(draining_tunnel_id_is_not_reused),
		T(challenge_response_tunnel_comes_up),
		T(wrong_or_missing_challenge_response_is_refused),
		T(challenge_without_our_secret_is_refused),
		T(unsupported_protocol_version_gets_result_5),
		T(unknown_mandatory_avp_in_icrq_clears_only_that_call),
		T(unknown_mandatory_avp_in_tunnel_message_clears_the_tunnel),
		T(unknown_message_type_without_m_bit_is_acked_and_ignored),
		T(malformed_datagrams_are_dropped_and_counted),
		T(hidden_avp_in_sccrq_without_secret_is_refused),
		T(stateless_replies_are_rate_limited_too),
		T(hidden_avps_in_sccrq_are_read_with_the_secret),
		T(nr_acknowledging_what_we_never_sent_is_counted),
		T(per_tunnel_and_per_session_state_fit_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
