/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission of new control connections (an SCCRQ to Tunnel ID 0): the
 * limits, the per-peer rate, the half-open budget and the stateless
 * StopCCN that refuses without keeping state.
 */
#include "l2tp_int.h"

#include <stdlib.h>
#include <string.h>

#define RATE_SLOTS 4096

static bool bucket_take(struct rate_bucket *b, uint32_t rate, uint32_t burst, uint64_t now)
{
	uint64_t cap = (uint64_t)burst * 1000;

	if (now > b->last_ms) {
		/* rate tokens per second = rate milli-tokens per ms */
		uint64_t add = (now - b->last_ms) * rate;

		b->milli_tokens = add > cap - b->milli_tokens ? cap : b->milli_tokens + add;
		b->last_ms = now;
	}
	if (b->milli_tokens < 1000)
		return false;
	b->milli_tokens -= 1000;
	return true;
}

/* Per peer host (address and mark, not port: a flood from one host with
 * many source ports is one flood). A fixed table, direct-mapped: a slot is
 * taken over only once its old owner's bucket has refilled, so colliding
 * hosts share a limit (stricter, never looser). */
static bool peer_rate_ok(struct l2tp_ctx *ctx, const struct l2tp_addr *peer, uint64_t now)
{
	uint64_t key = l2tpc_host_key(ctx, peer);
	struct rate_bucket *b;
	uint64_t cap = (uint64_t)ctx->cfg.new_tunnel_burst * 1000;

	if (!ctx->rate) {
		ctx->rate = calloc(RATE_SLOTS, sizeof(*ctx->rate));
		if (!ctx->rate)
			return false;
	}
	b = &ctx->rate[(key ^ (key >> 29)) & (RATE_SLOTS - 1)];

	if (b->key != key) {
		bool full = b->key == 0 ||
			    b->milli_tokens + (now - b->last_ms) * ctx->cfg.new_tunnel_rate >= cap;
		if (full) {
			b->key = key;
			b->last_ms = now;
			b->milli_tokens = cap;
		}
	}
	return bucket_take(b, ctx->cfg.new_tunnel_rate, ctx->cfg.new_tunnel_burst, now);
}

/* L2TP_EV_TUNNEL_REFUSED: no tunnel exists, so no l2tpc_emit(). */
static void emit_tunnel_refused(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
				const struct l2tp_addr *local, enum l2tp_reason why,
				const struct l2tp_msg *msg)
{
	struct l2tp_event ev;

	if (!ctx->ops.event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.type = L2TP_EV_TUNNEL_REFUSED;
	ev.role = L2TP_ROLE_LNS;
	ev.peer_tunnel_id = msg->assigned_tunnel_id;
	ev.peer = peer;
	ev.local = local;
	ev.cause = L2TP_DOWN_RESOURCES;
	ev.reason = why;
	ev.result_code = L2TP_STOPCCN_GENERAL_ERROR;
	ev.error_code = L2TP_ERR_INSUFFICIENT_RESOURCES;
	ev.msg = msg;
	ctx->ops.event(ctx->arg, &ev);
}

/* Leave the half-open budget (established, closed or freed). */
void l2tpc_half_open_end(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	if (!t->half_open)
		return;
	t->half_open = false;
	ctx->stats.tunnels_half_open--;
	if (t->half_prev)
		t->half_prev->half_next = t->half_next;
	else
		ctx->half_head = t->half_next;
	if (t->half_next)
		t->half_next->half_prev = t->half_prev;
	else
		ctx->half_tail = t->half_prev;
	t->half_next = t->half_prev = NULL;
}

static void half_open_add(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	t->half_open = true;
	ctx->stats.tunnels_half_open++;
	t->half_prev = ctx->half_tail;
	t->half_next = NULL;
	if (ctx->half_tail)
		ctx->half_tail->half_next = t;
	else
		ctx->half_head = t;
	ctx->half_tail = t;
}

/*
 * A StopCCN that keeps no state: the answer to an SCCRQ we refuse (limits,
 * rate, version). It acknowledges the SCCRQ (Nr = its Ns + 1) and goes to
 * the peer's Tunnel ID; if it is lost the peer retransmits the SCCRQ and
 * gets another. Its own rate limit keeps us from being an amplifier.
 */
static void stateless_stopccn(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
			      const struct l2tp_addr *local, const struct l2tp_header *h,
			      uint16_t peer_tid, uint16_t result, uint16_t error, uint64_t now)
{
	size_t n;

	if (peer_tid == 0)
		return; /* nowhere to send it */
	if (!bucket_take(&ctx->reply_bucket, ctx->cfg.reply_rate, ctx->cfg.reply_burst, now)) {
		l2tpc_count(ctx, L2TP_R_REPLY_SUPPRESSED);
		return;
	}
	l2tp_msg_init(&ctx->out, L2TP_MSG_STOPCCN);
	ctx->out.assigned_tunnel_id = 0; /* no tunnel of ours exists */
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	l2tpc_set_result(&ctx->out, result, error);
	n = l2tp_msg_encode(&ctx->out, peer_tid, 0, 0, (uint16_t)(h->ns + 1), NULL, ctx->txbuf,
			    sizeof(ctx->txbuf));
	if (!n)
		return;
	ctx->stats.stateless_replies++;
	ctx->stats.tx_datagrams++;
	ctx->ops.send(ctx->arg, peer, local, ctx->txbuf, n);
}

/*
 * The half-open budget is full and a new SCCRQ passed every other check:
 * the oldest half-open tunnel makes room (as a SYN cache does). Refusing
 * the newcomer instead would let a steady SCCRQ flood from many hosts (each
 * within its rate) keep every real client out; evicting the oldest, a real
 * client is served if its SCCCN comes back before max_half_open newer
 * SCCRQs arrive. The evicted peer gets a stateless StopCCN result 2, error
 * 4, "insufficient resources" (4.4.2), and the tunnel is freed at once: no
 * drain, no retransmissions to an address that may never have asked.
 */
static void half_open_evict(struct l2tp_ctx *ctx, uint64_t now)
{
	struct l2tp_tunnel *t = ctx->half_head;
	struct l2tp_header h;
	struct l2tp_addr peer, local;

	if (!t)
		return;
	memset(&h, 0, sizeof(h));	/* their SCCRQ had Ns 0: Nr 1 acks it */
	peer = t->peer;
	local = t->local;
	l2tpc_count(ctx, L2TP_R_HALF_OPEN_LIMIT);
	stateless_stopccn(ctx, &peer, &local, &h, t->peer_id, L2TP_STOPCCN_GENERAL_ERROR,
			  L2TP_ERR_INSUFFICIENT_RESOURCES, now);
	l2tp_msg_init(&ctx->out, L2TP_MSG_SCCRQ);
	ctx->out.assigned_tunnel_id = t->peer_id;
	l2tpc_tunnel_down(ctx, t, L2TP_DOWN_RESOURCES, L2TP_R_HALF_OPEN_LIMIT, 0, 0, NULL);
	l2tpc_tunnel_trace_end(ctx, t, L2TP_TEV_NO_RESOURCES);
	l2tpc_tunnel_free(ctx, t);
	emit_tunnel_refused(ctx, &peer, &local, L2TP_R_HALF_OPEN_LIMIT, &ctx->out);
}

/* An SCCRQ to Tunnel ID 0: a new control connection, or a retransmit. */
void l2tpc_handle_sccrq(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
			const struct l2tp_addr *local, const struct l2tp_header *h,
			const uint8_t *buf, size_t len, enum l2tp_reason rc, uint64_t now)
{
	const struct l2tp_msg *m = &ctx->in;
	struct l2tp_tunnel *t;
	enum l2tp_reason why = L2TP_OK;

	if (l2tp_msg_has(m, L2TP_AVP_ASSIGNED_TUNNEL_ID)) {
		/* The client did not hear our SCCRP and sent its SCCRQ again:
		 * same peer, same port, same mark, same Assigned Tunnel ID.
		 * One tunnel, not two; the transport re-acknowledges it. */
		t = l2tpc_peer_index_find(ctx, peer, m->assigned_tunnel_id);
		/* A copy can also arrive late, after the SCCCN (a network
		 * duplicate, or a retransmission that crossed our SCCRP):
		 * within one retransmission cycle of establishment it is
		 * still the same connection. Later, the same key means a
		 * client that restarted (Windows always uses Tunnel ID 1):
		 * a new tunnel; the old one dies of its HELLOs. */
		if (t && (t->state == L2TP_TUNNEL_WAIT_CTL_CONN ||
			  now - t->up_at < ctx->drain_ms)) {
			l2tpc_tunnel_rx(ctx, t, h, buf, len, rc, now);
			return;
		}
		if (t)
			l2tpc_peer_index_del(ctx, t);
	}
	if (rc != L2TP_OK) {
		l2tpc_count(ctx, rc);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_GENERAL_ERROR, l2tpc_error_for(rc), now);
		return;
	}
	if (h->ns != 0 || m->assigned_tunnel_id == 0) {
		/* 5.8: the first message of a connection has Ns 0 */
		l2tpc_count(ctx, h->ns != 0 ? L2TP_R_OUT_OF_WINDOW : L2TP_R_BAD_STATE);
		return;
	}
	/* Tie breaker (4.4.3): we are opening a tunnel to this host too. The
	 * lower value wins; the loser discards its tunnel; equal: both go. */
	if (l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER)) {
		for (t = ctx->initiating; t; t = t->init_next) {
			int c;

			if (!l2tpc_same_host(&t->peer, peer))
				continue;
			c = memcmp(t->tie_breaker, m->tie_breaker, 8);
			if (c < 0) {
				l2tpc_count(ctx, L2TP_R_TIE_BREAKER_LOST); /* theirs lost */
				return;
			}
			l2tpc_count(ctx, L2TP_R_TIE_BREAKER_LOST);
			l2tpc_tunnel_down(ctx, t, L2TP_DOWN_TIE_BREAKER, L2TP_R_TIE_BREAKER_LOST, 0,
					  0, NULL);
			l2tpc_tunnel_release(ctx, t, L2TP_DOWN_TIE_BREAKER);
			if (c == 0)
				return;
			break; /* we lost: take their SCCRQ as LNS */
		}
	}
	if (!ctx->cfg.accept_tunnels) {
		l2tpc_count(ctx, L2TP_R_BAD_STATE);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_NOT_AUTHORIZED, 0, now);
		return;
	}
	if (m->protocol_version != 1 || m->protocol_revision != 0) {
		/* 4.4.2 result 5: the error code is the highest version we
		 * support, 1.0 */
		l2tpc_count(ctx, L2TP_R_BAD_PROTOCOL_VERSION);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_BAD_VERSION, 0x0100, now);
		return;
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && ctx->secret.len == 0) {
		/* 5.1.1: we cannot answer a challenge without a secret */
		l2tpc_count(ctx, L2TP_R_AUTH_FAILED);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_NOT_AUTHORIZED, 0, now);
		return;
	}
	if (ctx->ops.accept_tunnel) {
		switch (ctx->ops.accept_tunnel(ctx->arg, peer, local)) {
		case L2TP_ACCEPT:
			break;
		case L2TP_ACCEPT_DEFER:
			/* Not decidable yet (the news of the peer's IPsec SA may
			 * still be on its way): stay silent, keep no state; the
			 * peer retransmits the SCCRQ (5.8) and is asked again. */
			l2tpc_count(ctx, L2TP_R_SCCRQ_DEFERRED);
			return;
		case L2TP_ACCEPT_BUSY:
			/* 4.4.2: StopCCN result 2 "general error" with error 4
			 * "insufficient resources to handle this operation
			 * now": temporary, as for the limits below. */
			l2tpc_count(ctx, L2TP_R_SCCRQ_BUSY);
			stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
					  L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES,
					  now);
			return;
		default:
			/* 4.4.2: StopCCN result 4, requester is not authorized
			 * to establish a control channel. */
			l2tpc_count(ctx, L2TP_R_SCCRQ_REFUSED);
			stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
					  L2TP_STOPCCN_NOT_AUTHORIZED, 0, now);
			return;
		}
	}
	/* Limits: StopCCN result 2 "general error" with error 4 "insufficient
	 * resources to handle this operation now" (4.4.2): temporary, the
	 * client may retry; never silence.
	 *
	 * Half-open tunnels (SCCRQ answered, no SCCCN: anyone can make one,
	 * even with a forged source address) have their own budget and a
	 * short life; they do not count against max_tunnels, so they never
	 * refuse a peer that completes the handshake. */
	if (ctx->stats.tunnels_active - ctx->stats.tunnels_half_open >= ctx->cfg.max_tunnels)
		why = L2TP_R_TUNNEL_LIMIT;
	else if (!peer_rate_ok(ctx, peer, now))
		why = L2TP_R_RATE_LIMITED;
	else if (ctx->stats.tunnels_half_open >= ctx->cfg.max_half_open)
		half_open_evict(ctx, now);
	if (why == L2TP_OK) {
		t = l2tpc_tunnel_new(ctx, L2TP_ROLE_LNS, peer, local, now, &why);
	} else {
		t = NULL;
	}
	if (!t) {
		l2tpc_count(ctx, why);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES, now);
		emit_tunnel_refused(ctx, peer, local, why, m);
		return;
	}
	l2tpc_tunnel_set_state(ctx, t, L2TP_TUNNEL_IDLE, L2TP_TEV_RX_SCCRQ); /* 7.2: starts idle */
	half_open_add(ctx, t);
	if (ctx->cfg.half_open_timeout_ms)
		t->setup_at = now + ctx->cfg.half_open_timeout_ms;
	l2tpc_tunnel_rx(ctx, t, h, buf, len, rc, now);
}
