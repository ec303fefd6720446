/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tp_ops.trace: every state change of the tunnel machine (RFC 2661
 * section 7.2) and of the call machine (7.4), in order, with the event that
 * caused it, for a set-up and a teardown in both roles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/socket.h>

#include "harness.h"

#define T L2TP_TRACE_TUNNEL
#define S L2TP_TRACE_SESSION
#define IDLE L2TP_TRACE_IDLE

struct want {
	enum l2tp_trace_machine machine;
	int from, to;
	enum l2tp_trace_event event;
};

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

static void print_traces(const struct harness *h)
{
	for (size_t i = 0; i < h->ntraces; i++) {
		const struct l2tp_trace *t = &h->traces[i];

		fprintf(stderr, "  %zu: %s %s -> %s (%s)\n", i,
			t->machine == T ? "tunnel" : "session",
			l2tp_trace_state_name(t->machine, t->from),
			l2tp_trace_state_name(t->machine, t->to), l2tp_trace_event_name(t->event));
	}
}

/* The traces from `first` on are exactly `w`, in order. */
static void expect(const struct harness *h, size_t first, const struct want *w, size_t n)
{
	if (h->ntraces - first != n)
		print_traces(h);
	assert_int_equal(h->ntraces - first, n);
	for (size_t i = 0; i < n; i++) {
		const struct l2tp_trace *t = &h->traces[first + i];

		if (t->machine != w[i].machine || t->from != w[i].from || t->to != w[i].to ||
		    t->event != w[i].event) {
			print_traces(h);
			fail_msg("trace %zu differs", first + i);
		}
	}
}

static void peer_cdn(struct h_peer *p, uint16_t sid, uint16_t peer_sid)
{
	l2tp_msg_init(&M, L2TP_MSG_CDN);
	M.result_code = L2TP_CDN_ADMIN;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	M.assigned_session_id = peer_sid;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	h_peer_send(p, &M, sid);
}

static void peer_stopccn(struct h_peer *p)
{
	l2tp_msg_init(&M, L2TP_MSG_STOPCCN);
	M.assigned_tunnel_id = p->tid;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	M.result_code = L2TP_STOPCCN_CLEAR;
	l2tp_msg_set(&M, L2TP_AVP_RESULT_CODE);
	h_peer_send(p, &M, 0);
}

/* LNS: 7.2 idle -SCCRQ-> wait-ctl-conn -SCCCN-> established; 7.4.2 idle
 * -ICRQ-> wait-connect -ICCN-> established; CDN clears the call, StopCCN
 * the tunnel; each is held for a retransmission cycle (5.7) and then back
 * to idle. */
static void lns_setup_and_peer_teardown(void **state)
{
	struct h_peer p;
	uint16_t sid;
	const struct want w[] = {
		{T, L2TP_TUNNEL_IDLE, L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_TEV_RX_SCCRQ},
		{T, L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_TUNNEL_ESTABLISHED, L2TP_TEV_RX_SCCCN},
		{S, IDLE, L2TP_SESSION_WAIT_CONNECT, L2TP_TEV_RX_ICRQ},
		{S, L2TP_SESSION_WAIT_CONNECT, L2TP_SESSION_ESTABLISHED, L2TP_TEV_RX_ICCN},
		{S, L2TP_SESSION_ESTABLISHED, L2TP_SESSION_CLOSED, L2TP_TEV_RX_CDN},
		{S, L2TP_SESSION_CLOSED, IDLE, L2TP_TEV_DRAINED},
		{T, L2TP_TUNNEL_ESTABLISHED, L2TP_TUNNEL_CLOSING, L2TP_TEV_RX_STOPCCN},
		{T, L2TP_TUNNEL_CLOSING, L2TP_TUNNEL_IDLE, L2TP_TEV_DRAINED},
	};

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	sid = h_peer_call(&p, 5);
	assert_int_not_equal(sid, 0);
	peer_cdn(&p, sid, 5);
	/* past the drain (one retransmission cycle, 31 s), before a HELLO */
	h_advance(&H, H.now + 40000);
	peer_stopccn(&p);
	h_advance(&H, H.now + 40000);
	assert_int_equal(l2tp_ctx_next_deadline(H.ctx), UINT64_MAX);
	expect(&H, 0, w, sizeof(w) / sizeof(w[0]));
	/* the ids of the records */
	assert_int_equal(H.traces[0].tunnel_id, p.ctx_tid);
	assert_int_equal(H.traces[0].peer_tunnel_id, 1);
	assert_int_equal(H.traces[0].role, L2TP_ROLE_LNS);
	assert_int_equal(H.traces[0].session_id, 0);
	assert_int_equal(H.traces[2].tunnel_id, p.ctx_tid);
	assert_int_equal(H.traces[2].session_id, sid);
	assert_int_equal(H.traces[2].peer_session_id, 5);
}

/* The calls of a tunnel that goes down go with it (7.4: "tunnel down" in
 * any state clears the call), each traced before its SESSION_DOWN, with
 * the user pointer still valid; a drained call's record has none. */
static void lns_stopccn_takes_the_calls_down_first(void **state)
{
	struct h_peer p;
	uint16_t a, b;
	size_t first;
	const struct want w[] = {
		{S, L2TP_SESSION_ESTABLISHED, L2TP_SESSION_CLOSED, L2TP_TEV_LOCAL_CLOSE},
		{S, L2TP_SESSION_ESTABLISHED, IDLE, L2TP_TEV_TUNNEL_DOWN},
		{S, L2TP_SESSION_CLOSED, IDLE, L2TP_TEV_TUNNEL_DOWN},
		{T, L2TP_TUNNEL_ESTABLISHED, L2TP_TUNNEL_CLOSING, L2TP_TEV_RX_STOPCCN},
	};

	H.tag_accepted = true;
	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	a = h_peer_call(&p, 5);
	b = h_peer_call(&p, 6);
	first = H.ntraces;
	assert_int_equal(l2tp_session_close(H.ctx, p.ctx_tid, a, L2TP_CDN_ADMIN, 0, H.now), 0);
	peer_stopccn(&p);
	expect(&H, first, w, sizeof(w) / sizeof(w[0]));
	assert_int_equal(H.traces[first].session_id, a);
	assert_ptr_equal(H.traces[first].session_user, H_SESSION_TAG(a));
	/* the newest call is first in the tunnel's list */
	assert_int_equal(H.traces[first + 1].session_id, b);
	assert_ptr_equal(H.traces[first + 1].session_user, H_SESSION_TAG(b));
	assert_int_equal(H.traces[first + 2].session_id, a);
	assert_null(H.traces[first + 2].session_user);	/* SESSION_DOWN was reported */
}

/* Failures are traced with what caused them. */
static void lns_setup_timeout_and_fsm_error(void **state)
{
	struct h_peer p, q;
	size_t first;
	const struct want w1[] = {
		{S, IDLE, L2TP_SESSION_WAIT_CONNECT, L2TP_TEV_RX_ICRQ},
		{S, L2TP_SESSION_WAIT_CONNECT, L2TP_SESSION_CLOSED, L2TP_TEV_SETUP_TIMEOUT},
	};
	const struct want w2[] = {
		{T, L2TP_TUNNEL_ESTABLISHED, L2TP_TUNNEL_CLOSING, L2TP_TEV_PROTOCOL_ERROR},
	};

	h_peer_init(&p, &H, 7, 1);
	h_peer_establish(&p);
	first = H.ntraces;
	/* an ICRQ the peer never completes with its ICCN */
	l2tp_msg_init(&M, L2TP_MSG_ICRQ);
	M.assigned_session_id = 9;
	l2tp_msg_set(&M, L2TP_AVP_ASSIGNED_SESSION_ID);
	M.call_serial_number = 9;
	l2tp_msg_set(&M, L2TP_AVP_CALL_SERIAL_NUMBER);
	h_peer_send(&p, &M, 0);
	h_advance(&H, H.now + H.cfg.session_setup_timeout_ms);
	expect(&H, first, w1, 2);

	/* a second SCCRQ on an established tunnel: FSM error (7.2.1) */
	h_peer_init(&q, &H, 8, 2);
	h_peer_establish(&q);
	first = H.ntraces;
	h_msg_windows_sccrq(&M, 2);
	h_peer_send(&q, &M, 0);
	expect(&H, first, w2, 1);
	assert_int_equal(H.traces[first].tunnel_id, q.ctx_tid);
}

/* ---- LAC: our ctx against a second one as LNS ---- */

static struct harness L;	/* LAC */
static struct l2tp_addr lac_addr, lns_addr;
static size_t l_sent, h_sent;

static void relay(void)
{
	bool moved = true;

	while (moved) {
		moved = false;
		while (l_sent < L.npkts) {
			const struct h_pkt *p = &L.pkts[l_sent++];

			l2tp_ctx_input(H.ctx, &lac_addr, &lns_addr, p->data, p->len, H.now);
			moved = true;
		}
		while (h_sent < H.npkts) {
			const struct h_pkt *p = &H.pkts[h_sent++];

			l2tp_ctx_input(L.ctx, &lns_addr, &lac_addr, p->data, p->len, L.now);
			moved = true;
		}
	}
}

static int setup_pair(void **state)
{
	h_init(&H, 1, NULL);
	h_init(&L, 2, NULL);
	h_addr(&lac_addr, 10, 1701, 0);
	h_addr(&lns_addr, 1, 1701, 0);
	l_sent = h_sent = 0;
	return 0;
}

static int teardown_pair(void **state)
{
	h_fini(&L);
	h_fini(&H);
	return 0;
}

/* 7.2 (LAC) idle -open-> wait-ctl-reply -SCCRP-> established; 7.4.1 idle
 * -open-> wait-tunnel -tunnel open, ICRQ-> wait-reply -ICRP, ICCN->
 * established; a local close sends the CDN the LNS sees as rx-CDN. */
static void lac_setup_and_local_close(void **state)
{
	uint16_t tid, sid;
	const struct want wl[] = {
		{T, L2TP_TUNNEL_IDLE, L2TP_TUNNEL_WAIT_CTL_REPLY, L2TP_TEV_LOCAL_OPEN},
		{S, IDLE, L2TP_SESSION_WAIT_TUNNEL, L2TP_TEV_LOCAL_OPEN},
		{T, L2TP_TUNNEL_WAIT_CTL_REPLY, L2TP_TUNNEL_ESTABLISHED, L2TP_TEV_RX_SCCRP},
		{S, L2TP_SESSION_WAIT_TUNNEL, L2TP_SESSION_WAIT_REPLY, L2TP_TEV_TUNNEL_UP},
		{S, L2TP_SESSION_WAIT_REPLY, L2TP_SESSION_ESTABLISHED, L2TP_TEV_RX_ICRP},
		{S, L2TP_SESSION_ESTABLISHED, L2TP_SESSION_CLOSED, L2TP_TEV_LOCAL_CLOSE},
		/* still draining (5.7) when its tunnel closes */
		{S, L2TP_SESSION_CLOSED, IDLE, L2TP_TEV_TUNNEL_DOWN},
		{T, L2TP_TUNNEL_ESTABLISHED, L2TP_TUNNEL_CLOSING, L2TP_TEV_LOCAL_CLOSE},
	};
	const struct want wh[] = {
		{T, L2TP_TUNNEL_IDLE, L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_TEV_RX_SCCRQ},
		{T, L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_TUNNEL_ESTABLISHED, L2TP_TEV_RX_SCCCN},
		{S, IDLE, L2TP_SESSION_WAIT_CONNECT, L2TP_TEV_RX_ICRQ},
		{S, L2TP_SESSION_WAIT_CONNECT, L2TP_SESSION_ESTABLISHED, L2TP_TEV_RX_ICCN},
		{S, L2TP_SESSION_ESTABLISHED, L2TP_SESSION_CLOSED, L2TP_TEV_RX_CDN},
		{S, L2TP_SESSION_CLOSED, IDLE, L2TP_TEV_TUNNEL_DOWN},
		{T, L2TP_TUNNEL_ESTABLISHED, L2TP_TUNNEL_CLOSING, L2TP_TEV_RX_STOPCCN},
	};

	assert_int_equal(l2tp_tunnel_open(L.ctx, &lns_addr, &lac_addr, L.now, &tid), 0);
	assert_int_equal(l2tp_session_open(L.ctx, tid, L.now, &sid), 0);
	relay();
	assert_int_equal(l2tp_session_close(L.ctx, tid, sid, L2TP_CDN_ADMIN, 0, L.now), 0);
	relay();
	assert_int_equal(l2tp_tunnel_close(L.ctx, tid, L2TP_STOPCCN_CLEAR, 0, L.now), 0);
	relay();
	expect(&L, 0, wl, sizeof(wl) / sizeof(wl[0]));
	expect(&H, 0, wh, sizeof(wh) / sizeof(wh[0]));
	assert_int_equal(L.traces[0].role, L2TP_ROLE_LAC);
	assert_int_equal(L.traces[1].session_id, sid);
	assert_int_equal(L.traces[4].peer_session_id, H.traces[2].session_id);
}

static void names_cover_every_event_and_idle(void **state)
{
	for (int e = 0; e < L2TP_TEV_MAX; e++)
		assert_string_not_equal(l2tp_trace_event_name((enum l2tp_trace_event)e), "?");
	assert_string_equal(l2tp_trace_event_name(L2TP_TEV_MAX), "?");
	assert_string_equal(l2tp_trace_state_name(S, IDLE), "idle");
	assert_string_equal(l2tp_trace_state_name(T, L2TP_TUNNEL_WAIT_CTL_CONN), "wait-ctl-conn");
	assert_string_equal(l2tp_trace_state_name(S, L2TP_SESSION_WAIT_CONNECT), "wait-connect");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lns_setup_and_peer_teardown, setup, teardown),
		cmocka_unit_test_setup_teardown(lns_stopccn_takes_the_calls_down_first, setup,
						teardown),
		cmocka_unit_test_setup_teardown(lns_setup_timeout_and_fsm_error, setup, teardown),
		cmocka_unit_test_setup_teardown(lac_setup_and_local_close, setup_pair,
						teardown_pair),
		cmocka_unit_test(names_cover_every_event_and_idle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
