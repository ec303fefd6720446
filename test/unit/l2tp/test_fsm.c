/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tunnel and session state machines, table-driven over every state x
 * event, in both roles (RFC 2661 sections 7.2.1, 7.4.1, 7.4.2). For each
 * cell a fresh ctx is driven into the state by a scripted peer, the event
 * is applied, and the resulting state and the first message the ctx sends
 * (ZLB acknowledgements aside) are checked against the table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

#define GONE (-1)
#define NONE 0

static struct l2tp_msg M;

/* ---- events ---- */

enum tev { T_SCCRQ, T_SCCRP, T_SCCCN, T_STOPCCN, T_HELLO, T_ICRQ, T_CLOSE, T_TIMEOUT, T_NEV };
static const char *const tev_name[] = {"SCCRQ", "SCCRP", "SCCCN", "StopCCN", "HELLO",
				       "ICRQ", "local-close", "timeout"};

enum sev { S_ICRP, S_ICCN, S_CDN, S_SLI, S_WEN, S_OCRP, S_OCCN, S_CLOSE, S_TIMEOUT, S_NEV };
static const char *const sev_name[] = {"ICRP", "ICCN", "CDN", "SLI", "WEN", "OCRP", "OCCN",
				       "local-close", "timeout"};

static void msg_identity(struct l2tp_msg *m, enum l2tp_msg_type type, uint16_t tid)
{
	h_msg_windows_sccrq(m, tid);
	m->type = (uint16_t)type;
}

static void build_tunnel_event(struct l2tp_msg *m, enum tev e, uint16_t tid)
{
	switch (e) {
	case T_SCCRQ: msg_identity(m, L2TP_MSG_SCCRQ, tid); break;
	case T_SCCRP: msg_identity(m, L2TP_MSG_SCCRP, tid); break;
	case T_SCCCN: l2tp_msg_init(m, L2TP_MSG_SCCCN); break;
	case T_STOPCCN:
		l2tp_msg_init(m, L2TP_MSG_STOPCCN);
		m->assigned_tunnel_id = tid;
		l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
		m->result_code = L2TP_STOPCCN_CLEAR;
		l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
		break;
	case T_HELLO: l2tp_msg_init(m, L2TP_MSG_HELLO); break;
	case T_ICRQ:
		l2tp_msg_init(m, L2TP_MSG_ICRQ);
		m->assigned_session_id = 77;
		l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
		m->call_serial_number = 1;
		l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
		break;
	default: break;
	}
}

static void build_session_event(struct l2tp_msg *m, enum sev e)
{
	switch (e) {
	case S_ICRP:
	case S_OCRP:
		l2tp_msg_init(m, e == S_ICRP ? L2TP_MSG_ICRP : L2TP_MSG_OCRP);
		m->assigned_session_id = 88;
		l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
		break;
	case S_ICCN:
	case S_OCCN:
		l2tp_msg_init(m, e == S_ICCN ? L2TP_MSG_ICCN : L2TP_MSG_OCCN);
		m->tx_connect_speed = 1000000;
		l2tp_msg_set(m, L2TP_AVP_TX_CONNECT_SPEED);
		m->framing_type = L2TP_FRAMING_SYNC;
		l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
		break;
	case S_CDN:
		l2tp_msg_init(m, L2TP_MSG_CDN);
		m->result_code = L2TP_CDN_ADMIN;
		l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
		m->assigned_session_id = 88;
		l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
		break;
	case S_SLI:
		l2tp_msg_init(m, L2TP_MSG_SLI);
		m->accm_send = 0xffffffff;
		l2tp_msg_set(m, L2TP_AVP_ACCM);
		break;
	case S_WEN:
		l2tp_msg_init(m, L2TP_MSG_WEN);
		m->call_errors.crc_errors = 3;
		l2tp_msg_set(m, L2TP_AVP_CALL_ERRORS);
		break;
	default: break;
	}
}

/* The first message the ctx sent since index `from` that is not a ZLB. */
static void first_sent(const struct harness *h, size_t from, uint16_t *type, uint16_t *result)
{
	*type = NONE;
	*result = 0;
	for (size_t i = from; i < h->npkts; i++) {
		if (h->pkts[i].type) {
			*type = h->pkts[i].type;
			*result = h->pkts[i].result;
			return;
		}
	}
}

/* ---- tunnel table ---- */

struct outcome {
	int state;		/* enum l2tp_tunnel_state / l2tp_session_state, or GONE */
	uint16_t sent;		/* message type, NONE */
	uint16_t result;	/* for StopCCN / CDN */
};

#define WCR L2TP_TUNNEL_WAIT_CTL_REPLY
#define WCC L2TP_TUNNEL_WAIT_CTL_CONN
#define EST L2TP_TUNNEL_ESTABLISHED
#define CLO L2TP_TUNNEL_CLOSING
#define STOP L2TP_MSG_STOPCCN

/* LNS: states wait-ctl-conn, established, closing (7.2.1) */
static const struct outcome lns_tunnel[3][T_NEV] = {
	[0] = {
		[T_SCCRQ] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_SCCRP] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_SCCCN] = {EST, NONE, 0},
		[T_STOPCCN] = {CLO, NONE, 0},
		[T_HELLO] = {WCC, NONE, 0},
		/* calls before the tunnel is up: CDN, error 1 */
		[T_ICRQ] = {WCC, L2TP_MSG_CDN, L2TP_CDN_GENERAL_ERROR},
		[T_CLOSE] = {CLO, STOP, L2TP_STOPCCN_CLEAR},
		/* SCCRP acknowledged, SCCCN never comes: setup timeout */
		[T_TIMEOUT] = {GONE, STOP, L2TP_STOPCCN_CLEAR},
	},
	[1] = {
		[T_SCCRQ] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_SCCRP] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_SCCCN] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_STOPCCN] = {CLO, NONE, 0},
		[T_HELLO] = {EST, NONE, 0},
		[T_ICRQ] = {EST, L2TP_MSG_ICRP, 0},
		[T_CLOSE] = {CLO, STOP, L2TP_STOPCCN_CLEAR},
		/* silence: HELLO, never acknowledged */
		[T_TIMEOUT] = {GONE, L2TP_MSG_HELLO, 0},
	},
	[2] = {
		[T_SCCRQ] = {CLO, NONE, 0},
		[T_SCCRP] = {CLO, NONE, 0},
		[T_SCCCN] = {CLO, NONE, 0},
		[T_STOPCCN] = {CLO, NONE, 0},
		[T_HELLO] = {CLO, NONE, 0},
		[T_ICRQ] = {CLO, NONE, 0},
		[T_CLOSE] = {CLO, NONE, 0},
		[T_TIMEOUT] = {GONE, STOP, L2TP_STOPCCN_CLEAR}, /* retransmitted, then drained */
	},
};

/* LAC: states wait-ctl-reply, established, closing. In wait-ctl-reply the
 * peer's Tunnel ID is not known yet, so no StopCCN can be addressed. */
static const struct outcome lac_tunnel[3][T_NEV] = {
	[0] = {
		[T_SCCRQ] = {CLO, NONE, 0},
		[T_SCCRP] = {EST, L2TP_MSG_SCCCN, 0},
		[T_SCCCN] = {CLO, NONE, 0},
		[T_STOPCCN] = {CLO, NONE, 0},
		[T_HELLO] = {WCR, NONE, 0},
		[T_ICRQ] = {WCR, NONE, 0},
		[T_CLOSE] = {CLO, NONE, 0},
		/* SCCRQ acknowledged, no SCCRP: setup timeout, nobody to tell */
		[T_TIMEOUT] = {GONE, NONE, 0},
	},
	[1] = {
		[T_SCCRQ] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_SCCRP] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_SCCCN] = {CLO, STOP, L2TP_STOPCCN_FSM_ERROR},
		[T_STOPCCN] = {CLO, NONE, 0},
		[T_HELLO] = {EST, NONE, 0},
		[T_ICRQ] = {EST, L2TP_MSG_ICRP, 0},
		[T_CLOSE] = {CLO, STOP, L2TP_STOPCCN_CLEAR},
		[T_TIMEOUT] = {GONE, L2TP_MSG_HELLO, 0},
	},
	[2] = {
		[T_SCCRQ] = {CLO, NONE, 0},
		[T_SCCRP] = {CLO, NONE, 0},
		[T_SCCCN] = {CLO, NONE, 0},
		[T_STOPCCN] = {CLO, NONE, 0},
		[T_HELLO] = {CLO, NONE, 0},
		[T_ICRQ] = {CLO, NONE, 0},
		[T_CLOSE] = {CLO, NONE, 0},
		[T_TIMEOUT] = {GONE, STOP, L2TP_STOPCCN_CLEAR},
	},
};

/* Bring a fresh ctx's tunnel into table state `st` (0, 1, 2) for a role. */
static void tunnel_into(struct harness *h, struct h_peer *p, enum l2tp_role role, int st,
			uint16_t *tid)
{
	h_peer_init(p, h, 7, 0x55);
	if (role == L2TP_ROLE_LNS) {
		h_msg_windows_sccrq(&M, p->tid);
		h_peer_send(p, &M, 0);
		if (st >= 1) {
			l2tp_msg_init(&M, L2TP_MSG_SCCCN);
			h_peer_send(p, &M, 0);
		}
	} else {
		assert_int_equal(l2tp_tunnel_open(h->ctx, &p->addr, &h_local, h->now, tid), 0);
		assert_int_equal(p->ctx_tid, *tid);
		if (st >= 1) {
			msg_identity(&M, L2TP_MSG_SCCRP, p->tid);
			h_peer_send(p, &M, 0);
		}
	}
	*tid = p->ctx_tid;
	if (st == 2) {
		l2tp_msg_init(&M, L2TP_MSG_ZLB); /* all acknowledged but the StopCCN */
		h_peer_send(p, &M, 0);
	}
	if (st == 2)
		assert_int_equal(l2tp_tunnel_close(h->ctx, *tid, L2TP_STOPCCN_CLEAR, 0, h->now), 0);
	assert_int_equal(l2tp_ctx_stats(h->ctx)->tunnels_created, 1);
}

static struct outcome tunnel_cell(enum l2tp_role role, int st, enum tev e)
{
	struct harness h;
	struct h_peer p;
	struct outcome o;
	struct l2tp_tunnel_info ti;
	uint16_t tid = 0;
	size_t mark;

	h_init(&h, 11, NULL);
	tunnel_into(&h, &p, role, st, &tid);
	if (st < 2) {
		/* the peer acknowledges what it got (in closing, the StopCCN
		 * stays unacknowledged: its retransmission is checked) */
		l2tp_msg_init(&M, L2TP_MSG_ZLB);
		h_peer_send(&p, &M, 0);
	}
	mark = h.npkts;
	if (e == T_CLOSE) {
		l2tp_tunnel_close(h.ctx, tid, L2TP_STOPCCN_CLEAR, 0, h.now);
	} else if (e == T_TIMEOUT) {
		/* the peer goes silent: past HELLO, setup and retransmit cycles */
		h_advance(&h, h.now + 200000);
	} else {
		build_tunnel_event(&M, e, p.tid);
		h_peer_send(&p, &M, 0);
	}
	first_sent(&h, mark, &o.sent, &o.result);
	if (st == 2 && e == T_TIMEOUT) {
		/* the StopCCN in flight before the event is what gets resent */
		o.sent = h.npkts > mark ? h.pkts[mark].type : NONE;
		o.result = h.npkts > mark ? h.pkts[mark].result : 0;
	}
	o.state = l2tp_tunnel_get(h.ctx, tid, &ti) == 0 ? (int)ti.state : GONE;
	h_fini(&h);
	return o;
}

static void check_table(const char *what, const struct outcome *want, const struct outcome *got,
			const char *state, const char *event, int *failures)
{
	if (want->state == got->state && want->sent == got->sent && want->result == got->result)
		return;
	fprintf(stderr, "%s %s x %s: want state %d sent %s/%u, got state %d sent %s/%u\n", what,
		state, event, want->state, l2tp_msg_type_name(want->sent), want->result, got->state,
		l2tp_msg_type_name(got->sent), got->result);
	(*failures)++;
}

static void lns_tunnel_fsm_follows_the_table(void **state)
{
	static const char *const sn[] = {"wait-ctl-conn", "established", "closing"};
	int failures = 0;

	for (int st = 0; st < 3; st++)
		for (int e = 0; e < T_NEV; e++) {
			struct outcome got = tunnel_cell(L2TP_ROLE_LNS, st, (enum tev)e);
			check_table("LNS tunnel", &lns_tunnel[st][e], &got, sn[st], tev_name[e],
				    &failures);
		}
	assert_int_equal(failures, 0);
}

static void lac_tunnel_fsm_follows_the_table(void **state)
{
	static const char *const sn[] = {"wait-ctl-reply", "established", "closing"};
	int failures = 0;

	for (int st = 0; st < 3; st++)
		for (int e = 0; e < T_NEV; e++) {
			struct outcome got = tunnel_cell(L2TP_ROLE_LAC, st, (enum tev)e);
			check_table("LAC tunnel", &lac_tunnel[st][e], &got, sn[st], tev_name[e],
				    &failures);
		}
	assert_int_equal(failures, 0);
}

/* ---- session table ---- */

#define SWR L2TP_SESSION_WAIT_REPLY
#define SWC L2TP_SESSION_WAIT_CONNECT
#define SES L2TP_SESSION_ESTABLISHED
#define SCL L2TP_SESSION_CLOSED
#define CDN L2TP_MSG_CDN
#define GE L2TP_CDN_GENERAL_ERROR

/* LNS incoming call (7.4.2): wait-connect, established, closed */
static const struct outcome lns_session[3][S_NEV] = {
	[0] = {
		[S_ICRP] = {SCL, CDN, GE},
		[S_ICCN] = {SES, NONE, 0},
		[S_CDN] = {SCL, NONE, 0},
		[S_SLI] = {SWC, NONE, 0},
		[S_WEN] = {SWC, NONE, 0},
		[S_OCRP] = {SCL, CDN, GE},
		[S_OCCN] = {SCL, CDN, GE},
		[S_CLOSE] = {SCL, CDN, L2TP_CDN_ADMIN},
		[S_TIMEOUT] = {SCL, CDN, L2TP_CDN_TIMEOUT},
	},
	[1] = {
		[S_ICRP] = {SCL, CDN, GE},
		[S_ICCN] = {SCL, CDN, GE},
		[S_CDN] = {SCL, NONE, 0},
		[S_SLI] = {SES, NONE, 0},
		[S_WEN] = {SES, NONE, 0},
		[S_OCRP] = {SCL, CDN, GE},
		[S_OCCN] = {SCL, CDN, GE},
		[S_CLOSE] = {SCL, CDN, L2TP_CDN_ADMIN},
		[S_TIMEOUT] = {SES, NONE, 0},
	},
	[2] = {
		[S_ICRP] = {SCL, NONE, 0},
		[S_ICCN] = {SCL, NONE, 0},
		[S_CDN] = {SCL, NONE, 0},
		[S_SLI] = {SCL, NONE, 0},
		[S_WEN] = {SCL, NONE, 0},
		[S_OCRP] = {SCL, NONE, 0},
		[S_OCCN] = {SCL, NONE, 0},
		[S_CLOSE] = {SCL, NONE, 0},
		[S_TIMEOUT] = {GONE, NONE, 0}, /* drained */
	},
};

/* LAC incoming call (7.4.1): wait-reply, established, closed */
static const struct outcome lac_session[3][S_NEV] = {
	[0] = {
		[S_ICRP] = {SES, L2TP_MSG_ICCN, 0},
		[S_ICCN] = {SCL, CDN, GE},
		[S_CDN] = {SCL, NONE, 0},
		[S_SLI] = {SWR, NONE, 0},
		[S_WEN] = {SWR, NONE, 0},
		[S_OCRP] = {SCL, CDN, GE},
		[S_OCCN] = {SCL, CDN, GE},
		[S_CLOSE] = {SCL, CDN, L2TP_CDN_ADMIN},
		[S_TIMEOUT] = {SCL, CDN, L2TP_CDN_TIMEOUT},
	},
	[1] = {
		[S_ICRP] = {SCL, CDN, GE},
		[S_ICCN] = {SCL, CDN, GE},
		[S_CDN] = {SCL, NONE, 0},
		[S_SLI] = {SES, NONE, 0},
		[S_WEN] = {SES, NONE, 0},
		[S_OCRP] = {SCL, CDN, GE},
		[S_OCCN] = {SCL, CDN, GE},
		[S_CLOSE] = {SCL, CDN, L2TP_CDN_ADMIN},
		[S_TIMEOUT] = {SES, NONE, 0},
	},
	[2] = {
		[S_ICRP] = {SCL, NONE, 0},
		[S_ICCN] = {SCL, NONE, 0},
		[S_CDN] = {SCL, NONE, 0},
		[S_SLI] = {SCL, NONE, 0},
		[S_WEN] = {SCL, NONE, 0},
		[S_OCRP] = {SCL, NONE, 0},
		[S_OCCN] = {SCL, NONE, 0},
		[S_CLOSE] = {SCL, NONE, 0},
		[S_TIMEOUT] = {GONE, NONE, 0},
	},
};

static struct outcome session_cell(enum l2tp_role role, int st, enum sev e)
{
	struct harness h;
	struct h_peer p;
	struct outcome o;
	struct l2tp_session_info si;
	uint16_t tid = 0, sid = 0;
	size_t mark;

	h_init(&h, 12, NULL);
	tunnel_into(&h, &p, role, 1, &tid);
	if (role == L2TP_ROLE_LNS) {
		build_tunnel_event(&M, T_ICRQ, p.tid);
		mark = h.npkts;
		h_peer_send(&p, &M, 0);
		for (size_t i = mark; i < h.npkts; i++)
			if (h.pkts[i].type == L2TP_MSG_ICRP)
				sid = h.pkts[i].assigned_session_id;
		assert_int_not_equal(sid, 0);
		if (st >= 1) {
			build_session_event(&M, S_ICCN);
			h_peer_send(&p, &M, sid);
		}
	} else {
		assert_int_equal(l2tp_session_open(h.ctx, tid, h.now, &sid), 0);
		if (st >= 1) {
			build_session_event(&M, S_ICRP);
			h_peer_send(&p, &M, sid);
		}
	}
	if (st == 2)
		assert_int_equal(l2tp_session_close(h.ctx, tid, sid, L2TP_CDN_ADMIN, 0, h.now), 0);
	/* the peer acknowledges everything so far */
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(&p, &M, 0);
	mark = h.npkts;
	if (e == S_CLOSE) {
		l2tp_session_close(h.ctx, tid, sid, L2TP_CDN_ADMIN, 0, h.now);
	} else if (e == S_TIMEOUT) {
		/* past the setup timeout and the drain, short of a HELLO */
		h_advance(&h, h.now + 40000);
	} else {
		build_session_event(&M, e);
		h_peer_send(&p, &M, sid);
	}
	first_sent(&h, mark, &o.sent, &o.result);
	o.state = l2tp_session_get(h.ctx, tid, sid, &si) == 0 ? (int)si.state : GONE;
	h_fini(&h);
	return o;
}

static void lns_session_fsm_follows_the_table(void **state)
{
	static const char *const sn[] = {"wait-connect", "established", "closed"};
	int failures = 0;

	for (int st = 0; st < 3; st++)
		for (int e = 0; e < S_NEV; e++) {
			struct outcome got = session_cell(L2TP_ROLE_LNS, st, (enum sev)e);
			check_table("LNS session", &lns_session[st][e], &got, sn[st], sev_name[e],
				    &failures);
		}
	assert_int_equal(failures, 0);
}

static void lac_session_fsm_follows_the_table(void **state)
{
	static const char *const sn[] = {"wait-reply", "established", "closed"};
	int failures = 0;

	for (int st = 0; st < 3; st++)
		for (int e = 0; e < S_NEV; e++) {
			struct outcome got = session_cell(L2TP_ROLE_LAC, st, (enum sev)e);
			check_table("LAC session", &lac_session[st][e], &got, sn[st], sev_name[e],
				    &failures);
		}
	assert_int_equal(failures, 0);
}

static void lac_call_placed_before_tunnel_is_up_waits_then_sends_icrq(void **state)
{
	struct harness h;
	struct h_peer p;
	uint16_t tid, sid;
	struct l2tp_session_info si;

	h_init(&h, 13, NULL);
	h_peer_init(&p, &h, 7, 0x55);
	assert_int_equal(l2tp_tunnel_open(h.ctx, &p.addr, &h_local, h.now, &tid), 0);
	assert_int_equal(l2tp_session_open(h.ctx, tid, h.now, &sid), 0);
	assert_int_equal(l2tp_session_get(h.ctx, tid, sid, &si), 0);
	assert_int_equal(si.state, L2TP_SESSION_WAIT_TUNNEL);
	assert_int_equal(h_count(&h, L2TP_MSG_ICRQ), 0);
	msg_identity(&M, L2TP_MSG_SCCRP, p.tid);
	h_peer_send(&p, &M, 0);
	/* SCCCN, then the waiting call's ICRQ (7.2.1 "tunnel-open event") */
	assert_int_equal(h.pkts[h.npkts - 2].type, L2TP_MSG_SCCCN);
	assert_int_equal(h.pkts[h.npkts - 1].type, L2TP_MSG_ICRQ);
	assert_int_equal(h.pkts[h.npkts - 1].assigned_session_id, sid);
	assert_int_equal(l2tp_session_get(h.ctx, tid, sid, &si), 0);
	assert_int_equal(si.state, L2TP_SESSION_WAIT_REPLY);
	h_fini(&h);
}

static void tie_breaker_lower_value_wins(void **state)
{
	/* 4.4.3: both sides sent an SCCRQ; the lower Tie Breaker wins and
	 * the loser discards its own tunnel. */
	for (int we_lose = 0; we_lose < 2; we_lose++) {
		struct harness h;
		struct h_peer p;
		uint16_t tid;
		struct l2tp_tunnel_info ti;

		h_init(&h, 14, NULL);
		h_peer_init(&p, &h, 7, 0x55);
		assert_int_equal(l2tp_tunnel_open(h.ctx, &p.addr, &h_local, h.now, &tid), 0);
		msg_identity(&M, L2TP_MSG_SCCRQ, p.tid);
		memset(M.tie_breaker, we_lose ? 0x00 : 0xff, 8);
		l2tp_msg_set(&M, L2TP_AVP_TIE_BREAKER);
		p.ctx_tid = 0;
		p.ns = 0;
		h_clear(&h);
		h_peer_send(&p, &M, 0);
		if (we_lose) {
			assert_int_not_equal(l2tp_tunnel_get(h.ctx, tid, &ti), 0);
			assert_non_null(h_find(&h, L2TP_MSG_SCCRP)); /* we answer theirs */
			assert_int_equal(h_find_event(&h, L2TP_EV_TUNNEL_DOWN)->cause,
					 L2TP_DOWN_TIE_BREAKER);
		} else {
			assert_int_equal(l2tp_tunnel_get(h.ctx, tid, &ti), 0);
			assert_int_equal(h.npkts, 0); /* theirs is dropped */
			assert_int_equal(l2tp_ctx_stats(h.ctx)->tunnels_created, 1);
		}
		h_fini(&h);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lns_tunnel_fsm_follows_the_table),
		cmocka_unit_test(lac_tunnel_fsm_follows_the_table),
		cmocka_unit_test(lns_session_fsm_follows_the_table),
		cmocka_unit_test(lac_session_fsm_follows_the_table),
		cmocka_unit_test(lac_call_placed_before_tunnel_is_up_waits_then_sends_icrq),
		cmocka_unit_test(tie_breaker_lower_value_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
