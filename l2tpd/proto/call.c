/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The call (session) state machine, RFC 2661 section 7.4: incoming calls
 * for LNS and LAC, the pre-auth budgets, CDN and the drain after a call.
 */
#include "l2tp_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Leave the pre-auth budgets (authenticated, closed or freed). */
static void preauth_end(struct l2tp_ctx *ctx, struct l2tp_session *s)
{
	if (!s->preauth)
		return;
	s->preauth = false;
	s->tunnel->n_preauth--;
	ctx->stats.sessions_preauth--;
}

static bool session_id_used(struct l2tp_ctx *ctx, uint16_t id, void *arg)
{
	struct l2tp_tunnel *t = arg;

	return l2tpc_session_find(ctx, t->id, id) != NULL;
}

/*
 * The call machine's one setter (sections 7.4.1, 7.4.2): every change of
 * s->state goes through here and out to the trace callback.
 */
static void session_set_state(struct l2tp_ctx *ctx, struct l2tp_session *s,
			      enum l2tp_session_state to, enum l2tp_trace_event ev)
{
	l2tpc_trace(ctx, s->tunnel, s, s->state == SESSION_NEW ? L2TP_TRACE_IDLE : s->state,
		    (int)to, ev);
	s->state = (uint8_t)to;
}

/* A call about to be freed goes back to idle. Traced only: its state is
 * not written, the counters in session_free read it. */
void l2tpc_session_trace_end(struct l2tp_ctx *ctx, struct l2tp_session *s,
			     enum l2tp_trace_event ev)
{
	l2tpc_trace(ctx, s->tunnel, s, s->state, L2TP_TRACE_IDLE, ev);
}

static struct l2tp_session *session_new(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
					enum l2tp_role role, enum l2tp_reason *why)
{
	struct l2tp_session *s;
	uint32_t slot;

	if (!l2tpc_heap_reserve(ctx, ctx->stats.tunnels_active + ctx->stats.tunnels_draining +
					     ctx->nsessions_all + 1)) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	s->id = l2tpc_random_id(ctx, session_id_used, t);
	if (!s->id) {
		free(s);
		*why = L2TP_R_NO_ID;
		return NULL;
	}
	s->timer.node.kind = TIMER_SESSION;
	s->state = SESSION_NEW;
	s->tunnel = t;
	s->role = (uint8_t)role;
	slot = l2tpc_session_slot(ctx, t->id, s->id);
	s->hnext = ctx->shash[slot];
	ctx->shash[slot] = s;
	s->next = t->sessions;
	if (t->sessions)
		t->sessions->prev = s;
	t->sessions = s;
	t->n_sessions++;
	t->n_sessions_all++;
	ctx->nsessions_all++;
	ctx->stats.sessions_active++;
	ctx->stats.sessions_created++;
	if (ctx->nsessions_all > ctx->shash_mask + 1)
		l2tpc_shash_grow(ctx);
	return s;
}

void l2tpc_session_free(struct l2tp_ctx *ctx, struct l2tp_session *s)
{
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_session **pp;

	l2tpc_timer_set(ctx, &s->timer, L2TP_NEVER);
	for (pp = &ctx->shash[l2tpc_session_slot(ctx, t->id, s->id)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		t->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	preauth_end(ctx, s);
	if (s->state == L2TP_SESSION_CLOSED) {
		ctx->stats.sessions_draining--;
	} else {
		ctx->stats.sessions_active--;
		t->n_sessions--;
	}
	t->n_sessions_all--;
	ctx->nsessions_all--;
	ctx->stats.sessions_freed++;
	free(s);
}

/* Queue a CDN (section 6.12) on the tunnel: header Session ID is the
 * peer's, the Assigned Session ID AVP ours (0 if we never assigned one). */
static void send_cdn(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint16_t peer_sid,
		     uint16_t our_sid, uint16_t result, uint16_t error, uint64_t now)
{
	l2tp_msg_init(&ctx->out, L2TP_MSG_CDN);
	l2tpc_set_result(&ctx->out, result, error);
	ctx->out.assigned_session_id = our_sid;
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_SESSION_ID);
	l2tpc_tunnel_send(ctx, t, peer_sid, now);
}

static void session_close(struct l2tp_ctx *ctx, struct l2tp_session *s, enum l2tp_down_cause cause,
			  enum l2tp_reason reason, uint16_t result, uint16_t error,
			  const struct l2tp_msg *peer_msg, bool send, uint64_t now)
{
	struct l2tp_tunnel *t = s->tunnel;

	if (s->state == L2TP_SESSION_CLOSED)
		return;
	session_set_state(ctx, s, L2TP_SESSION_CLOSED, l2tpc_close_event(cause, true));
	preauth_end(ctx, s);
	t->n_sessions--;
	ctx->stats.sessions_active--;
	ctx->stats.sessions_draining++;
	if (s->announced)
		l2tpc_emit(ctx, L2TP_EV_SESSION_DOWN, t, s, cause, reason, result, error, peer_msg);
	/* Keep the ID for a retransmission cycle: a late message for the old
	 * call must not land in a new one (section 5.8 reliability means the
	 * peer may still be retransmitting to it). */
	l2tpc_timer_set(ctx, &s->timer, now + ctx->drain_ms);
	if (send && t->state == L2TP_TUNNEL_ESTABLISHED)
		send_cdn(ctx, t, s->peer_id, s->id, result, error, now);
}

/* LAC: the tunnel is up (or was), place the call: ICRQ (section 6.9). */
void l2tpc_lac_send_icrq(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now)
{
	struct l2tp_tunnel *t = s->tunnel;

	l2tp_msg_init(&ctx->out, L2TP_MSG_ICRQ);
	ctx->out.assigned_session_id = s->id;
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_SESSION_ID);
	ctx->out.call_serial_number = s->call_serial;
	l2tp_msg_set(&ctx->out, L2TP_AVP_CALL_SERIAL_NUMBER);
	ctx->out.bearer_type = L2TP_BEARER_DIGITAL;
	l2tp_msg_set(&ctx->out, L2TP_AVP_BEARER_TYPE);
	session_set_state(ctx, s, L2TP_SESSION_WAIT_REPLY, L2TP_TEV_TUNNEL_UP);
	l2tpc_tunnel_send(ctx, t, 0, now);
}

/* LNS: an ICRQ on an established tunnel (section 7.4.2). */
static void lns_icrq(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, const struct l2tp_msg *m,
		     uint64_t now)
{
	struct l2tp_session *s;
	enum l2tp_reason why = L2TP_OK;

	if (m->assigned_session_id == 0) {
		/* 4.4.3: a Session ID of 0 is reserved */
		l2tpc_count(ctx, L2TP_R_BAD_STATE);
		return;
	}
	/* Limits answer with CDN result 4, "call failed due to lack of
	 * appropriate facilities being available (temporary condition)"
	 * (4.4.2): the client may retry later; never silence. */
	if (ctx->refuse_calls)
		why = L2TP_R_CALLS_REFUSED;
	else if (ctx->stats.sessions_active >= ctx->cfg.max_sessions)
		why = L2TP_R_SESSION_LIMIT;
	else if (t->n_sessions >= ctx->cfg.max_sessions_per_tunnel)
		why = L2TP_R_TUNNEL_SESSION_LIMIT;
	/* Calls not yet authenticated are anyone's (any peer with a tunnel
	 * can send ICRQs at will): they get a share of the ports, in all and
	 * per tunnel, so the rest stays for users who log in. */
	else if (ctx->stats.sessions_preauth >= ctx->preauth_max)
		why = L2TP_R_PREAUTH_LIMIT;
	else if (t->n_preauth >= ctx->cfg.max_preauth_per_tunnel)
		why = L2TP_R_TUNNEL_PREAUTH_LIMIT;
	if (why == L2TP_OK) {
		s = session_new(ctx, t, L2TP_ROLE_LNS, &why);
	} else {
		s = NULL;
	}
	if (!s) {
		l2tpc_count(ctx, why);
		send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_TEMP_NO_FACILITIES,
			 L2TP_ERR_INSUFFICIENT_RESOURCES, now);
		l2tpc_emit(ctx, L2TP_EV_SESSION_REFUSED, t, NULL, L2TP_DOWN_RESOURCES, why,
			   L2TP_CDN_TEMP_NO_FACILITIES, L2TP_ERR_INSUFFICIENT_RESOURCES, m);
		return;
	}
	s->peer_id = m->assigned_session_id;
	s->call_serial = m->call_serial_number;
	session_set_state(ctx, s, L2TP_SESSION_WAIT_CONNECT, L2TP_TEV_RX_ICRQ);
	s->preauth = true;
	t->n_preauth++;
	ctx->stats.sessions_preauth++;
	s->preauth_until = ctx->cfg.preauth_timeout_ms ? now + ctx->cfg.preauth_timeout_ms
						       : L2TP_NEVER;
	l2tpc_timer_set(ctx, &s->timer, now + ctx->cfg.session_setup_timeout_ms < s->preauth_until
						? now + ctx->cfg.session_setup_timeout_ms
						: s->preauth_until);
	/* Tell the caller before the ICRP goes out: the peer sends its ICCN
	 * on receiving it and may send PPP right behind (7.4.1: the LAC is
	 * "established" once it sends the ICCN), so the data path must be
	 * ready before the ICRP leaves. From here on the call is announced:
	 * every way it ends (CDN, setup timeout, tunnel down, local close)
	 * reports SESSION_DOWN once, so the caller can free what it made. */
	s->announced = true;
	l2tpc_emit(ctx, L2TP_EV_SESSION_ACCEPTED, t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
	l2tp_msg_init(&ctx->out, L2TP_MSG_ICRP);
	ctx->out.assigned_session_id = s->id;
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_SESSION_ID);
	l2tpc_tunnel_send(ctx, t, s->peer_id, now);
}

static struct l2tp_session *session_by_peer_id(struct l2tp_tunnel *t, uint16_t peer_sid)
{
	for (struct l2tp_session *s = t->sessions; s; s = s->next)
		if (s->peer_id == peer_sid && s->state != L2TP_SESSION_CLOSED)
			return s;
	return NULL;
}

/* Session-level FSM error: CDN "general error" (result 2); the error code
 * says "a field value was out of range" — the message type, here. */
static void session_fsm_error(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now)
{
	l2tpc_count(ctx, L2TP_R_BAD_STATE);
	session_close(ctx, s, L2TP_DOWN_PROTOCOL, L2TP_R_BAD_STATE, L2TP_CDN_GENERAL_ERROR,
		      L2TP_ERR_BAD_VALUE, NULL, true, now);
}

/* A session-level message delivered in order (sections 7.4.1, 7.4.2). */
void l2tpc_session_deliver(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			   const struct l2tp_header *h, const struct l2tp_msg *m,
			   enum l2tp_reason rc, uint64_t now)
{
	struct l2tp_session *s;

	if (t->state != L2TP_TUNNEL_ESTABLISHED) {
		/* No calls before the control connection is up: an ICRQ gets
		 * CDN error 1, "no control connection exists yet" (4.4.2). */
		l2tpc_count(ctx, L2TP_R_BAD_STATE);
		if (m->type == L2TP_MSG_ICRQ && m->assigned_session_id && t->peer_id)
			send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_GENERAL_ERROR,
				 L2TP_ERR_NO_CONTROL_CONNECTION, now);
		return;
	}
	if (m->type == L2TP_MSG_ICRQ) {
		if (rc != L2TP_OK) {
			l2tpc_count(ctx, rc);
			if (m->assigned_session_id)
				send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_GENERAL_ERROR,
					 l2tpc_error_for(rc), now);
			return;
		}
		lns_icrq(ctx, t, m, now);
		return;
	}
	if (m->type == L2TP_MSG_OCRQ) {
		/* We advertise no bearer capabilities and place no outgoing
		 * calls: CDN result 5, permanent lack of facilities. */
		l2tpc_count(ctx, rc != L2TP_OK ? rc : L2TP_R_BAD_STATE);
		if (m->assigned_session_id)
			send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_PERM_NO_FACILITIES, 0,
				 now);
		return;
	}
	s = h->session_id ? l2tpc_session_find(ctx, t->id, h->session_id) : NULL;
	if (!s && h->session_id == 0 && m->type == L2TP_MSG_CDN &&
	    l2tp_msg_has(m, L2TP_AVP_ASSIGNED_SESSION_ID))
		s = session_by_peer_id(t, m->assigned_session_id); /* peer never got our id */
	if (!s) {
		l2tpc_count(ctx, rc != L2TP_OK ? rc : L2TP_R_UNKNOWN_SESSION);
		return;
	}
	if (s->state == L2TP_SESSION_CLOSED) {
		l2tpc_count(ctx, L2TP_R_BAD_STATE); /* late message for a call being drained */
		return;
	}
	if (rc != L2TP_OK) {
		/* Section 4.1: an unknown M-bit AVP in a session message
		 * clears the session; other malformed ones likewise. */
		l2tpc_count(ctx, rc);
		if (m->type == L2TP_MSG_CDN) {
			session_close(ctx, s, L2TP_DOWN_PEER, rc, m->result_code, m->error_code, m,
				      false, now);
			return;
		}
		session_close(ctx, s, L2TP_DOWN_PROTOCOL, rc, L2TP_CDN_GENERAL_ERROR,
			      l2tpc_error_for(rc), NULL, true, now);
		return;
	}
	switch (m->type) {
	case L2TP_MSG_CDN:
		session_close(ctx, s, L2TP_DOWN_PEER, L2TP_OK, m->result_code, m->error_code, m,
			      false, now);
		return;
	case L2TP_MSG_ICRP:
		if (s->role != L2TP_ROLE_LAC || s->state != L2TP_SESSION_WAIT_REPLY) {
			session_fsm_error(ctx, s, now);
			return;
		}
		if (m->assigned_session_id == 0) {
			session_fsm_error(ctx, s, now);
			return;
		}
		s->peer_id = m->assigned_session_id;
		/* ICCN (6.11): connect speed and framing are mandatory */
		l2tp_msg_init(&ctx->out, L2TP_MSG_ICCN);
		ctx->out.tx_connect_speed = 100000000;
		l2tp_msg_set(&ctx->out, L2TP_AVP_TX_CONNECT_SPEED);
		ctx->out.framing_type = L2TP_FRAMING_SYNC;
		l2tp_msg_set(&ctx->out, L2TP_AVP_FRAMING_TYPE);
		if (!l2tpc_tunnel_send(ctx, t, s->peer_id, now))
			return;
		session_set_state(ctx, s, L2TP_SESSION_ESTABLISHED, L2TP_TEV_RX_ICRP);
		l2tpc_timer_set(ctx, &s->timer, L2TP_NEVER);
		ctx->stats.sessions_established++;
		l2tpc_emit(ctx, L2TP_EV_SESSION_UP, t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
		return;
	case L2TP_MSG_ICCN:
		if (s->role != L2TP_ROLE_LNS || s->state != L2TP_SESSION_WAIT_CONNECT) {
			session_fsm_error(ctx, s, now);
			return;
		}
		session_set_state(ctx, s, L2TP_SESSION_ESTABLISHED, L2TP_TEV_RX_ICCN);
		/* still unauthenticated: its pre-auth lifetime goes on */
		l2tpc_timer_set(ctx, &s->timer, s->preauth ? s->preauth_until : L2TP_NEVER);
		ctx->stats.sessions_established++;
		/* "Incoming call established": the event carries the ICCN,
		 * with its Proxy LCP and Proxy Authen AVPs, for PPP. */
		l2tpc_emit(ctx, L2TP_EV_SESSION_UP, t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
		return;
	case L2TP_MSG_SLI:
	case L2TP_MSG_WEN:
		if (s->state != L2TP_SESSION_ESTABLISHED) {
			l2tpc_count(ctx, L2TP_R_BAD_STATE);
			return;
		}
		l2tpc_emit(ctx, m->type == L2TP_MSG_SLI ? L2TP_EV_SESSION_SLI : L2TP_EV_SESSION_WEN,
			   t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
		return;
	default:
		/* OCRP, OCCN: answers to an OCRQ we never sent */
		session_fsm_error(ctx, s, now);
		return;
	}
}

void l2tpc_session_timer(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now)
{
	struct l2tp_tunnel *t = s->tunnel;

	if (s->state == L2TP_SESSION_CLOSED) {
		l2tpc_session_trace_end(ctx, s, L2TP_TEV_DRAINED);
		l2tpc_session_free(ctx, s);
		return;
	}
	if (s->state == L2TP_SESSION_ESTABLISHED && s->preauth && now >= s->preauth_until) {
		/* Its user did not authenticate in time: clear the call
		 * (CDN result 3, "call disconnected for administrative
		 * reasons", 4.4.2) so an unauthenticated peer keeps no port. */
		ctx->stats.preauth_timeouts++;
		session_close(ctx, s, L2TP_DOWN_PREAUTH_TIMEOUT, L2TP_OK, L2TP_CDN_ADMIN, 0, NULL,
			      true, now);
		l2tpc_tunnel_flush(ctx, t, now);
		return;
	}
	/* The call was not connected in time (ICRP or ICCN never came):
	 * CDN result 10, "call not established within time allotted". */
	session_close(ctx, s, L2TP_DOWN_SETUP_TIMEOUT, L2TP_OK, L2TP_CDN_TIMEOUT, 0, NULL, true,
		      now);
	l2tpc_tunnel_flush(ctx, t, now);
}

int l2tp_session_open(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint64_t now,
		      uint16_t *session_id)
{
	struct l2tp_tunnel *t = l2tpc_tunnel_lookup(ctx, tunnel_id);
	struct l2tp_session *s;
	enum l2tp_reason why;

	if (!t || t->state == L2TP_TUNNEL_CLOSING)
		return -ENOENT;
	if (ctx->stats.sessions_active >= ctx->cfg.max_sessions ||
	    t->n_sessions >= ctx->cfg.max_sessions_per_tunnel)
		return -EAGAIN;
	s = session_new(ctx, t, L2TP_ROLE_LAC, &why);
	if (!s)
		return why == L2TP_R_NO_ID ? -EAGAIN : -ENOMEM;
	s->announced = true;
	s->call_serial = ++t->call_serial;
	session_set_state(ctx, s, L2TP_SESSION_WAIT_TUNNEL, L2TP_TEV_LOCAL_OPEN);
	l2tpc_timer_set(ctx, &s->timer, now + ctx->cfg.session_setup_timeout_ms);
	if (t->state == L2TP_TUNNEL_ESTABLISHED) {
		l2tpc_lac_send_icrq(ctx, s, now);
		l2tpc_tunnel_flush(ctx, t, now);
	}
	*session_id = s->id;
	return 0;
}

int l2tp_session_close(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
		       uint16_t result, uint16_t error, uint64_t now)
{
	struct l2tp_session *s = l2tpc_session_find(ctx, tunnel_id, session_id);

	if (!s || s->state == L2TP_SESSION_CLOSED)
		return -ENOENT;
	/* A LAC call still waiting for its ICRP has no peer id yet: the
	 * CDN goes with Session ID 0 and our Assigned Session ID. */
	session_close(ctx, s, L2TP_DOWN_LOCAL, L2TP_OK, result, error, NULL,
		      s->state != L2TP_SESSION_WAIT_TUNNEL, now);
	l2tpc_tunnel_flush(ctx, s->tunnel, now);
	return 0;
}

int l2tp_session_authenticated(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id)
{
	struct l2tp_session *s = l2tpc_session_find(ctx, tunnel_id, session_id);

	if (!s)
		return -ENOENT;
	if (s->preauth) {
		preauth_end(ctx, s);
		if (s->state == L2TP_SESSION_ESTABLISHED)
			l2tpc_timer_set(ctx, &s->timer, L2TP_NEVER);
	}
	return 0;
}
