/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tunnel (control connection) state machine, RFC 2661 section 7.2,
 * for LNS and LAC: establishment, HELLO, teardown and the drain after a
 * StopCCN.
 */
#include "l2tp_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tunnel_out {
	struct l2tp_ctx *ctx;
	struct l2tp_tunnel *t;
};

static void tunnel_out_fn(void *arg, const uint8_t *buf, size_t len)
{
	struct tunnel_out *o = arg;

	o->ctx->stats.tx_datagrams++;
	o->ctx->ops.send(o->ctx->arg, &o->t->peer, &o->t->local, buf, len);
}

static void tunnel_schedule(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	uint64_t when = t->x.rtx_deadline;

	if (t->state == L2TP_TUNNEL_CLOSING) {
		if (t->drain_at < when)
			when = t->drain_at;
	} else if (t->state == L2TP_TUNNEL_WAIT_CTL_CONN ||
		   t->state == L2TP_TUNNEL_WAIT_CTL_REPLY) {
		if (t->setup_at < when)
			when = t->setup_at;
	} else if (t->state == L2TP_TUNNEL_ESTABLISHED && ctx->cfg.hello_interval_ms) {
		uint64_t hello = t->last_activity + ctx->cfg.hello_interval_ms;

		if (hello < when)
			when = hello;
	}
	l2tpc_timer_set(ctx, &t->timer, when);
}

void l2tpc_tunnel_flush(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	struct tunnel_out o = {ctx, t};

	l2tp_xport_flush(&t->x, &ctx->xcfg, t->peer_id, now, tunnel_out_fn, &o);
	tunnel_schedule(ctx, t);
}

static void tunnel_close(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
			 enum l2tp_reason reason, uint16_t result, uint16_t error,
			 const struct l2tp_msg *peer_msg, bool send_stopccn, uint64_t now);

/* Encode ctx->out for the tunnel and queue it for reliable delivery. */
bool l2tpc_tunnel_send(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint16_t session_id,
		       uint64_t now)
{
	size_t n = l2tp_msg_encode(&ctx->out, t->peer_id, session_id, 0, 0, NULL, ctx->txbuf,
				   sizeof(ctx->txbuf));

	if (n && l2tp_xport_queue(&t->x, &ctx->xcfg, ctx->txbuf, n))
		return true;
	/* A peer that never acknowledges fills the queue: it is as good as
	 * unreachable, and holding more would let it grow our memory. */
	l2tpc_count(ctx, L2TP_R_NO_MEMORY);
	if (t->state != L2TP_TUNNEL_CLOSING)
		tunnel_close(ctx, t, L2TP_DOWN_UNREACHABLE, L2TP_R_NO_MEMORY,
			     L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES, NULL,
			     false, now);
	return false;
}

/*
 * The tunnel machine's one setter (section 7.2): every change of t->state
 * goes through here and out to the trace callback, with what caused it.
 */
void l2tpc_tunnel_set_state(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			    enum l2tp_tunnel_state to, enum l2tp_trace_event ev)
{
	l2tpc_trace(ctx, t, NULL, t->state, (int)to, ev);
	t->state = (uint8_t)to;
}

/* A tunnel about to be freed goes back to idle (7.2 "clean up"). Traced
 * only: its state is not written, the counters in tunnel_free read it. */
void l2tpc_tunnel_trace_end(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			    enum l2tp_trace_event ev)
{
	l2tpc_trace(ctx, t, NULL, t->state, L2TP_TUNNEL_IDLE, ev);
}

static bool tunnel_id_used(struct l2tp_ctx *ctx, uint16_t id, void *arg)
{
	(void)arg;
	return l2tpc_tunnel_lookup(ctx, id) != NULL;
}

struct l2tp_tunnel *l2tpc_tunnel_new(struct l2tp_ctx *ctx, enum l2tp_role role,
				     const struct l2tp_addr *peer, const struct l2tp_addr *local,
				     uint64_t now, enum l2tp_reason *why)
{
	struct l2tp_tunnel *t;

	if (!l2tpc_heap_reserve(ctx, ctx->stats.tunnels_active + ctx->stats.tunnels_draining +
					     ctx->nsessions_all + 1)) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	t->id = l2tpc_random_id(ctx, tunnel_id_used, NULL);
	if (!t->id) {
		free(t);
		*why = L2TP_R_NO_ID;
		return NULL;
	}
	if (!l2tpc_tunnel_slot_set(ctx, t->id, t)) {
		free(t);
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	t->timer.node.kind = TIMER_TUNNEL;
	t->role = (uint8_t)role;
	t->peer = *peer;
	if (local)
		t->local = *local;
	t->last_activity = now;
	t->setup_at = now + ctx->cfg.tunnel_setup_timeout_ms;
	l2tp_xport_init(&t->x, &ctx->xcfg);
	ctx->stats.tunnels_active++;
	ctx->stats.tunnels_created++;
	return t;
}

void l2tpc_tunnel_free(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	while (t->sessions)
		l2tpc_session_free(ctx, t->sessions);
	l2tpc_timer_set(ctx, &t->timer, L2TP_NEVER);
	l2tpc_peer_index_del(ctx, t);
	l2tpc_init_list_del(ctx, t);
	l2tpc_half_open_end(ctx, t);
	l2tpc_tunnel_slot_set(ctx, t->id, NULL);
	if (t->state == L2TP_TUNNEL_CLOSING)
		ctx->stats.tunnels_draining--;
	else
		ctx->stats.tunnels_active--;
	ctx->stats.tunnels_freed++;
	l2tp_xport_clear(&t->x);
	free(t);
}

/* Report the tunnel and its calls down; sessions are freed at once (a
 * StopCCN clears them all, section 5.7: no CDN needed). */
void l2tpc_tunnel_down(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
		       enum l2tp_reason reason, uint16_t result, uint16_t error,
		       const struct l2tp_msg *peer_msg)
{
	struct l2tp_session *s;

	for (s = t->sessions; s; s = s->next) {
		/* traced before SESSION_DOWN: the caller may free its user then */
		l2tpc_session_trace_end(ctx, s, L2TP_TEV_TUNNEL_DOWN);
		if (s->state == L2TP_SESSION_CLOSED || !s->announced)
			continue;
		/* the peer's StopCCN, where there is one: the daemon tells a
		 * client that hung up from one that went silent by it */
		l2tpc_emit(ctx, L2TP_EV_SESSION_DOWN, t, s, L2TP_DOWN_TUNNEL, reason, result, error,
			   peer_msg);
		s->announced = false;
	}
	while (t->sessions)
		l2tpc_session_free(ctx, t->sessions);
	if (t->announced) {
		l2tpc_emit(ctx, L2TP_EV_TUNNEL_DOWN, t, NULL, cause, reason, result, error,
			   peer_msg);
		t->closed_owed = true;
	}
	t->announced = false;
}

/* Free a tunnel whose end was reported: say that the control connection
 * is finally gone (L2TP_EV_TUNNEL_CLOSED), then free it. */
void l2tpc_tunnel_release(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause)
{
	l2tpc_tunnel_trace_end(ctx, t, l2tpc_close_event(cause, false));
	if (t->closed_owed)
		l2tpc_emit(ctx, L2TP_EV_TUNNEL_CLOSED, t, NULL, cause, L2TP_OK, 0, 0, NULL);
	l2tpc_tunnel_free(ctx, t);
}

static void tunnel_close(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
			 enum l2tp_reason reason, uint16_t result, uint16_t error,
			 const struct l2tp_msg *peer_msg, bool send_stopccn, uint64_t now)
{
	if (t->state == L2TP_TUNNEL_CLOSING)
		return;
	l2tpc_tunnel_down(ctx, t, cause, reason, result, error, peer_msg);
	l2tpc_peer_index_del(ctx, t);
	l2tpc_init_list_del(ctx, t);
	l2tpc_half_open_end(ctx, t);
	l2tpc_tunnel_set_state(ctx, t, L2TP_TUNNEL_CLOSING, l2tpc_close_event(cause, false));
	ctx->stats.tunnels_active--;
	ctx->stats.tunnels_draining++;
	/* Section 5.7: keep the tunnel for a full retransmission cycle after
	 * a StopCCN, sent or received, to (re)acknowledge retransmissions.
	 * The ID is not reused meanwhile: the tunnel stays in the table. */
	t->drain_at = now + ctx->drain_ms;
	if (send_stopccn && t->peer_id) {
		l2tp_msg_init(&ctx->out, L2TP_MSG_STOPCCN);
		ctx->out.assigned_tunnel_id = t->id;
		l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_TUNNEL_ID);
		l2tpc_set_result(&ctx->out, result, error);
		l2tpc_tunnel_send(ctx, t, 0, now);
	}
}

static void copy_name(char *dst, size_t cap, struct l2tp_bytes b)
{
	size_t n = b.len < cap - 1 ? b.len : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = (b.p[i] >= 0x20 && b.p[i] < 0x7f) ? (char)b.p[i] : '?';
	dst[n] = 0;
}

static void note_peer(struct l2tp_tunnel *t, const struct l2tp_msg *m)
{
	t->peer_id = m->assigned_tunnel_id;
	/* 4.4.3: absent Receive Window Size means 4; 0 is invalid, so we
	 * send one at a time rather than none */
	t->x.peer_rws = l2tp_msg_has(m, L2TP_AVP_RECEIVE_WINDOW_SIZE)
				? (m->receive_window_size ? m->receive_window_size : 1)
				: 4;
	t->peer_firmware = m->firmware_revision;
	t->peer_framing = m->framing_capabilities;
	t->peer_bearer = m->bearer_capabilities;
	copy_name(t->peer_host, sizeof(t->peer_host), m->host_name);
	copy_name(t->peer_vendor, sizeof(t->peer_vendor), m->vendor_name);
}

/* What we say about ourselves in SCCRQ and SCCRP (sections 6.1, 6.2). */
/* False when no challenge could be drawn: the tunnel must not go on. */
static bool put_identity(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, struct l2tp_msg *m)
{
	m->protocol_version = 1;
	m->protocol_revision = 0;
	l2tp_msg_set(m, L2TP_AVP_PROTOCOL_VERSION);
	m->framing_capabilities = ctx->cfg.framing_capabilities;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_CAPABILITIES);
	if (ctx->cfg.bearer_capabilities) {
		m->bearer_capabilities = ctx->cfg.bearer_capabilities;
		l2tp_msg_set(m, L2TP_AVP_BEARER_CAPABILITIES);
	}
	if (ctx->cfg.firmware_revision) {
		m->firmware_revision = ctx->cfg.firmware_revision;
		l2tp_msg_set(m, L2TP_AVP_FIRMWARE_REVISION);
	}
	m->host_name.p = ctx->host_name;
	m->host_name.len = (uint16_t)strlen((const char *)ctx->host_name);
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->vendor_name.p = ctx->vendor_name;
	m->vendor_name.len = (uint16_t)strlen((const char *)ctx->vendor_name);
	l2tp_msg_set(m, L2TP_AVP_VENDOR_NAME);
	m->assigned_tunnel_id = t->id;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->receive_window_size = ctx->cfg.receive_window;
	l2tp_msg_set(m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	if (ctx->secret.len) {
		/* 5.1.1: challenge the peer when we share a secret */
		if (!l2tpc_get_random(ctx, t->challenge, sizeof(t->challenge)))
			return false;
		t->challenged = true;
		m->challenge.p = t->challenge;
		m->challenge.len = sizeof(t->challenge);
		l2tp_msg_set(m, L2TP_AVP_CHALLENGE);
	}
	return true;
}

static bool response_ok(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, const struct l2tp_msg *m,
			uint8_t msg_type)
{
	if (!t->challenged)
		return true;
	if (!l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE))
		return false;
	return l2tp_challenge_response_ok(msg_type, &ctx->secret, t->challenge,
					  sizeof(t->challenge), m->challenge_response);
}

/* Answer the peer's Challenge, if any, in the message being built. */
static bool put_response(struct l2tp_ctx *ctx, const struct l2tp_msg *peer, uint8_t msg_type)
{
	if (!l2tp_msg_has(peer, L2TP_AVP_CHALLENGE))
		return true;
	if (!ctx->secret.len)
		return false; /* challenged without a secret: we cannot answer */
	l2tp_challenge_response(msg_type, &ctx->secret, peer->challenge.p, peer->challenge.len,
				ctx->out.challenge_response);
	l2tp_msg_set(&ctx->out, L2TP_AVP_CHALLENGE_RESPONSE);
	return true;
}

static void tunnel_established(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			       enum l2tp_trace_event ev, uint64_t now)
{
	l2tpc_tunnel_set_state(ctx, t, L2TP_TUNNEL_ESTABLISHED, ev);
	t->announced = true;
	t->last_activity = now;
	t->up_at = now;
	l2tpc_init_list_del(ctx, t);
	ctx->stats.tunnels_established++;
	l2tpc_emit(ctx, L2TP_EV_TUNNEL_UP, t, NULL, L2TP_DOWN_NONE, L2TP_OK, 0, 0, NULL);
	/* 7.2.1: "send tunnel-open event to waiting sessions" */
	for (struct l2tp_session *s = t->sessions; s; s = s->next)
		if (s->state == L2TP_SESSION_WAIT_TUNNEL)
			l2tpc_lac_send_icrq(ctx, s, now);
}

static void tunnel_fsm_error(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	/* 7.2.1: an establishment message out of place: StopCCN, clean up;
	 * result 7, "finite state machine error" (4.4.2). */
	l2tpc_count(ctx, L2TP_R_BAD_STATE);
	tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, L2TP_R_BAD_STATE, L2TP_STOPCCN_FSM_ERROR, 0, NULL,
		     true, now);
}

/* A tunnel-level message delivered in order (section 7.2). */
static void tunnel_deliver(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			   const struct l2tp_header *h, const struct l2tp_msg *m,
			   enum l2tp_reason rc, uint64_t now)
{
	ctx->stats.rx_messages++;
	ctx->stats.unknown_optional_avps += m->unknown_optional;
	ctx->stats.vendor_avps += m->vendor_avps;
	if (t->state == L2TP_TUNNEL_CLOSING) {
		/* Draining: acknowledged by the transport, otherwise ignored. */
		l2tpc_count(ctx, L2TP_R_BAD_STATE);
		return;
	}
	if (rc == L2TP_R_UNKNOWN_MSG_TYPE_IGNORED) {
		l2tpc_count(ctx, rc); /* 4.4.1: M clear: ignore the message */
		return;
	}
	if (rc == L2TP_R_UNKNOWN_MSG_TYPE_MANDATORY) {
		/* 4.4.1: unknown type with M set: the tunnel MUST be cleared */
		l2tpc_count(ctx, rc);
		tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, rc, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_BAD_VALUE, NULL, true, now);
		return;
	}
	if (l2tp_msg_is_session_message(m->type)) {
		l2tpc_session_deliver(ctx, t, h, m, rc, now);
		return;
	}
	if (rc != L2TP_OK) {
		l2tpc_count(ctx, rc);
		if (m->type == L2TP_MSG_STOPCCN) {
			/* a malformed StopCCN still ends the tunnel */
			tunnel_close(ctx, t, L2TP_DOWN_PEER, rc, m->result_code, m->error_code, m,
				     false, now);
			return;
		}
		/* 4.1: an unknown M-bit AVP (or a malformed message) in a
		 * tunnel message clears the tunnel and all its sessions. */
		tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, rc, L2TP_STOPCCN_GENERAL_ERROR,
			     l2tpc_error_for(rc), NULL, true, now);
		return;
	}
	switch (m->type) {
	case L2TP_MSG_STOPCCN:
		/* 7.2.1: any state, receive StopCCN: clean up (after a drain) */
		tunnel_close(ctx, t, L2TP_DOWN_PEER, L2TP_OK, m->result_code, m->error_code, m,
			     false, now);
		return;
	case L2TP_MSG_HELLO:
		return; /* 6.5: acknowledged by the transport; nothing else */
	case L2TP_MSG_SCCRQ:
		if (t->state != L2TP_TUNNEL_IDLE) {
			tunnel_fsm_error(ctx, t, now);
			return;
		}
		/* 7.2.1: idle, receive acceptable SCCRQ: send SCCRP (the
		 * checks that make it acceptable ran in l2tpc_handle_sccrq). */
		note_peer(t, m);
		l2tp_msg_init(&ctx->out, L2TP_MSG_SCCRP);
		if (!put_identity(ctx, t, &ctx->out)) {
			/* no challenge: StopCCN, insufficient resources */
			l2tpc_count(ctx, L2TP_R_NO_RANDOM);
			tunnel_close(ctx, t, L2TP_DOWN_RESOURCES, L2TP_R_NO_RANDOM,
				     L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES, NULL,
				     true, now);
			return;
		}
		put_response(ctx, m, L2TP_MSG_SCCRP);
		l2tpc_tunnel_set_state(ctx, t, L2TP_TUNNEL_WAIT_CTL_CONN, L2TP_TEV_RX_SCCRQ);
		l2tpc_peer_index_add(ctx, t);
		l2tpc_tunnel_send(ctx, t, 0, now);
		return;
	case L2TP_MSG_SCCRP:
		if (t->state != L2TP_TUNNEL_WAIT_CTL_REPLY) {
			tunnel_fsm_error(ctx, t, now);
			return;
		}
		note_peer(t, m);
		if (m->protocol_version != 1 || m->protocol_revision != 0) {
			l2tpc_count(ctx, L2TP_R_BAD_PROTOCOL_VERSION);
			tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, L2TP_R_BAD_PROTOCOL_VERSION,
				     L2TP_STOPCCN_BAD_VERSION, 0x0100, NULL, true, now);
			return;
		}
		/* 5.1.1: the LNS proves it knows the secret ... */
		if (!response_ok(ctx, t, m, L2TP_MSG_SCCRP)) {
			l2tpc_count(ctx, L2TP_R_AUTH_FAILED);
			tunnel_close(ctx, t, L2TP_DOWN_AUTH, L2TP_R_AUTH_FAILED,
				     L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL, true, now);
			return;
		}
		l2tp_msg_init(&ctx->out, L2TP_MSG_SCCCN);
		/* ... and so do we, if it challenged us */
		if (!put_response(ctx, m, L2TP_MSG_SCCCN)) {
			l2tpc_count(ctx, L2TP_R_AUTH_FAILED);
			tunnel_close(ctx, t, L2TP_DOWN_AUTH, L2TP_R_AUTH_FAILED,
				     L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL, true, now);
			return;
		}
		if (!l2tpc_tunnel_send(ctx, t, 0, now))
			return;
		tunnel_established(ctx, t, m->type == L2TP_MSG_SCCRP ? L2TP_TEV_RX_SCCRP
								      : L2TP_TEV_RX_SCCCN, now);
		return;
	case L2TP_MSG_SCCCN:
		if (t->state != L2TP_TUNNEL_WAIT_CTL_CONN) {
			tunnel_fsm_error(ctx, t, now);
			return;
		}
		if (!response_ok(ctx, t, m, L2TP_MSG_SCCCN)) {
			l2tpc_count(ctx, L2TP_R_AUTH_FAILED);
			tunnel_close(ctx, t, L2TP_DOWN_AUTH, L2TP_R_AUTH_FAILED,
				     L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL, true, now);
			return;
		}
		l2tpc_half_open_end(ctx, t);
		if (ctx->stats.tunnels_active - ctx->stats.tunnels_half_open > ctx->cfg.max_tunnels) {
			/* Half-open tunnels are admitted outside max_tunnels;
			 * the limit applies when one completes: StopCCN result
			 * 2, error 4, insufficient resources (4.4.2). */
			l2tpc_count(ctx, L2TP_R_TUNNEL_LIMIT);
			tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, L2TP_R_TUNNEL_LIMIT,
				     L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES,
				     NULL, true, now);
			return;
		}
		tunnel_established(ctx, t, m->type == L2TP_MSG_SCCRP ? L2TP_TEV_RX_SCCRP
								      : L2TP_TEV_RX_SCCCN, now);
		return;
	default:
		l2tpc_count(ctx, L2TP_R_BAD_STATE);
		return;
	}
}

/* Transport, then in-order delivery of this and any held messages. */
void l2tpc_tunnel_rx(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, const struct l2tp_header *h,
		     const uint8_t *buf, size_t len, enum l2tp_reason rc, uint64_t now)
{
	bool deliver, bad_nr;
	enum l2tp_reason xr;
	struct l2tp_pkt *p;

	t->last_activity = now;
	if (ctx->in.zlb)
		ctx->stats.rx_zlb++;
	xr = l2tp_xport_input(&t->x, &ctx->xcfg, h, ctx->in.zlb, buf, len, now, &deliver, &bad_nr);
	if (bad_nr)
		l2tpc_count(ctx, L2TP_R_BAD_NR);
	l2tpc_count(ctx, xr);
	if (deliver) {
		tunnel_deliver(ctx, t, h, &ctx->in, rc, now);
		while ((p = l2tp_xport_pop(&t->x)) != NULL) {
			struct l2tp_header ph;

			/* held messages were framed when they arrived */
			if (l2tp_ctrl_header_parse(p->data, p->len, &ph) == L2TP_OK) {
				rc = l2tp_msg_decode(p->data + ph.hdr_len, ph.frame_len - ph.hdr_len,
						     &ctx->secret, &ctx->in);
				tunnel_deliver(ctx, t, &ph, &ctx->in, rc, now);
			}
			free(p);
		}
	}
	l2tpc_tunnel_flush(ctx, t, now);
}

void l2tpc_tunnel_timer(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	struct tunnel_out o = {ctx, t};
	unsigned n;

	if (t->state == L2TP_TUNNEL_CLOSING && now >= t->drain_at) {
		/* 5.7: the hold after the StopCCN is over */
		l2tpc_tunnel_release(ctx, t, L2TP_DOWN_NONE);
		return;
	}
	if (now >= t->x.rtx_deadline) {
		if (!l2tp_xport_timeout(&t->x, &ctx->xcfg, now, tunnel_out_fn, &o, &n)) {
			/* 5.8: no acknowledgement after max_retries: the peer
			 * is gone; clean up the tunnel and all its calls. */
			if (t->state != L2TP_TUNNEL_CLOSING)
				l2tpc_tunnel_down(ctx, t, L2TP_DOWN_UNREACHABLE, L2TP_OK, 0, 0,
						  NULL);
			l2tpc_tunnel_release(ctx, t, L2TP_DOWN_UNREACHABLE);
			return;
		}
		ctx->stats.retransmits += n;
	}
	if ((t->state == L2TP_TUNNEL_WAIT_CTL_CONN || t->state == L2TP_TUNNEL_WAIT_CTL_REPLY) &&
	    now >= t->setup_at) {
		/* The peer acknowledged our SCCRQ/SCCRP but never completed
		 * the handshake: StopCCN "general request to clear". An LNS
		 * tunnel gets here after half_open_timeout_ms; it leaves the
		 * half-open budget now and drains like any other. */
		tunnel_close(ctx, t, L2TP_DOWN_SETUP_TIMEOUT, L2TP_OK, L2TP_STOPCCN_CLEAR, 0, NULL,
			     true, now);
	}
	if (t->state == L2TP_TUNNEL_ESTABLISHED && ctx->cfg.hello_interval_ms &&
	    now >= t->last_activity + ctx->cfg.hello_interval_ms) {
		/* 6.5: a HELLO after a period of silence; it is sent
		 * reliably, so a dead peer is found by the transport. */
		l2tp_msg_init(&ctx->out, L2TP_MSG_HELLO);
		t->last_activity = now;
		ctx->stats.hellos_sent++;
		if (!l2tpc_tunnel_send(ctx, t, 0, now)) {
			l2tpc_tunnel_flush(ctx, t, now);
			return;
		}
	}
	l2tpc_tunnel_flush(ctx, t, now);
}

int l2tp_tunnel_open(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
		     const struct l2tp_addr *local, uint64_t now, uint16_t *tunnel_id)
{
	struct l2tp_tunnel *t;
	enum l2tp_reason why;

	if (ctx->stats.tunnels_active >= ctx->cfg.max_tunnels)
		return -EAGAIN;
	t = l2tpc_tunnel_new(ctx, L2TP_ROLE_LAC, peer, local, now, &why);
	if (!t)
		return why == L2TP_R_NO_ID ? -EAGAIN : -ENOMEM;
	l2tpc_tunnel_set_state(ctx, t, L2TP_TUNNEL_WAIT_CTL_REPLY, L2TP_TEV_LOCAL_OPEN);
	l2tp_msg_init(&ctx->out, L2TP_MSG_SCCRQ);
	if (!l2tpc_get_random(ctx, t->tie_breaker, sizeof(t->tie_breaker)) ||
	    !put_identity(ctx, t, &ctx->out)) {
		l2tpc_count(ctx, L2TP_R_NO_RANDOM);
		l2tpc_tunnel_trace_end(ctx, t, L2TP_TEV_NO_RESOURCES);
		l2tpc_tunnel_free(ctx, t);
		return -EIO;
	}
	t->init_next = ctx->initiating;
	ctx->initiating = t;
	t->in_init_list = true;
	/* SCCRQ (6.1) to Tunnel ID 0 */
	memcpy(ctx->out.tie_breaker, t->tie_breaker, 8);
	l2tp_msg_set(&ctx->out, L2TP_AVP_TIE_BREAKER);
	if (!l2tpc_tunnel_send(ctx, t, 0, now)) {
		l2tpc_tunnel_trace_end(ctx, t, L2TP_TEV_NO_RESOURCES);
		l2tpc_tunnel_free(ctx, t);
		return -ENOMEM;
	}
	t->announced = true; /* the caller knows it: it hears of its end */
	l2tpc_tunnel_flush(ctx, t, now);
	*tunnel_id = t->id;
	return 0;
}

int l2tp_tunnel_close(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t result,
		      uint16_t error, uint64_t now)
{
	struct l2tp_tunnel *t = l2tpc_tunnel_lookup(ctx, tunnel_id);

	if (!t || t->state == L2TP_TUNNEL_CLOSING)
		return -ENOENT;
	tunnel_close(ctx, t, L2TP_DOWN_LOCAL, L2TP_OK, result, error, NULL, true, now);
	l2tpc_tunnel_flush(ctx, t, now);
	return 0;
}

void l2tp_ctx_close_all(struct l2tp_ctx *ctx, uint64_t now)
{
	for (uint32_t p = 0; p < 256; p++) {
		for (uint32_t i = 0; ctx->tunnels[p] && i < 256; i++) {
			struct l2tp_tunnel *t = ctx->tunnels[p][i];

			if (!t || t->state == L2TP_TUNNEL_CLOSING)
				continue;
			tunnel_close(ctx, t, L2TP_DOWN_LOCAL, L2TP_OK, L2TP_STOPCCN_SHUTTING_DOWN, 0,
				     NULL, true, now);
			l2tpc_tunnel_flush(ctx, t, now);
		}
	}
}

uint32_t l2tp_ctx_unacknowledged(const struct l2tp_ctx *ctx)
{
	uint32_t n = 0;

	for (uint32_t p = 0; p < 256; p++)
		for (uint32_t i = 0; ctx->tunnels[p] && i < 256; i++)
			if (ctx->tunnels[p][i] && !l2tp_xport_idle(&ctx->tunnels[p][i]->x))
				n++;
	return n;
}
