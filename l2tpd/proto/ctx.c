/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The L2TPv2 control plane (RFC 2661): the context, its configuration,
 * events and counters, and the entry points that are neither tunnel nor
 * call machine. No sockets: see l2tp.h and docs/l2tp.md. The rest lives
 * by concern in tunnel.c (tunnel machine, section 7.2), admission.c (new
 * SCCRQs: limits, rate, half-open budget), call.c (call machine, section
 * 7.4), tables.c (lookups) and timers.c (the deadline heap).
 */
#include "l2tp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

const char *l2tp_tunnel_state_name(enum l2tp_tunnel_state s)
{
	static const char *const n[] = {"idle", "wait-ctl-reply", "wait-ctl-conn",
					"established", "closing"};
	return (unsigned)s < L2TP_TUNNEL_STATE_MAX ? n[s] : "?";
}

const char *l2tp_session_state_name(enum l2tp_session_state s)
{
	static const char *const n[] = {"wait-tunnel", "wait-reply", "wait-connect",
					"established", "closed"};
	return (unsigned)s < L2TP_SESSION_STATE_MAX ? n[s] : "?";
}

const char *l2tp_down_cause_name(enum l2tp_down_cause c)
{
	static const char *const n[] = {"none", "peer", "local", "unreachable", "protocol",
					"auth", "tunnel", "setup-timeout", "tie-breaker",
					"resources", "preauth-timeout"};
	return (unsigned)c < sizeof(n) / sizeof(n[0]) ? n[c] : "?";
}

const char *l2tp_trace_event_name(enum l2tp_trace_event e)
{
	static const char *const n[L2TP_TEV_MAX] = {
		"local-open", "rx-SCCRQ", "rx-SCCRP", "rx-SCCCN", "rx-StopCCN", "tunnel-up",
		"rx-ICRQ", "rx-ICRP", "rx-ICCN", "rx-CDN", "local-close", "protocol-error",
		"auth-failed", "no-resources", "setup-timeout", "preauth-timeout",
		"unreachable", "tie-breaker", "tunnel-down", "drained"};
	return (unsigned)e < L2TP_TEV_MAX ? n[e] : "?";
}

const char *l2tp_trace_state_name(enum l2tp_trace_machine m, int state)
{
	if (state == L2TP_TRACE_IDLE)
		return "idle";
	return m == L2TP_TRACE_TUNNEL ? l2tp_tunnel_state_name((enum l2tp_tunnel_state)state)
				      : l2tp_session_state_name((enum l2tp_session_state)state);
}

void l2tp_config_defaults(struct l2tp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_tunnels = 1024;
	cfg->max_sessions = 128;	/* Windows RRAS: 128 L2TP ports */
	cfg->max_sessions_per_tunnel = 128;
	cfg->new_tunnel_rate = 10;
	cfg->new_tunnel_burst = 20;
	cfg->reply_rate = 100;
	cfg->reply_burst = 200;
	cfg->receive_window = 16;
	cfg->rto_initial_ms = 1000;
	cfg->rto_max_ms = 8000;
	cfg->max_retries = 5;
	cfg->max_queue = 256;
	cfg->hello_interval_ms = 60000;
	cfg->tunnel_setup_timeout_ms = 60000;
	cfg->session_setup_timeout_ms = 30000;
	cfg->max_half_open = 256;
	cfg->half_open_timeout_ms = 0;	/* tunnel_setup_timeout_ms */
	cfg->max_preauth_sessions = 0;	/* half of max_sessions, at least 16 */
	cfg->max_preauth_per_tunnel = 32;
	cfg->preauth_timeout_ms = 0;	/* none: the caller sets its auth timeout */
	cfg->host_name = "l2tpd";
	cfg->vendor_name = "l2tpd";
	cfg->framing_capabilities = L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC;
	cfg->accept_tunnels = true;
}

static int default_random(void *arg, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)arg;
	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* False when the random source failed: the caller refuses what it was
 * for. Never a zero or otherwise predictable fallback: a known challenge
 * (5.1.1) would let a peer without the secret replay a response. */
bool l2tpc_get_random(struct l2tp_ctx *ctx, void *buf, size_t len)
{
	return ctx->cfg.random(ctx->cfg.random_arg, buf, len) == 0;
}

void l2tpc_count(struct l2tp_ctx *ctx, enum l2tp_reason r)
{
	if (r != L2TP_OK && (unsigned)r < L2TP_R_MAX)
		ctx->stats.rejects[r]++;
}

/*
 * The one way out for a state change (the setters in tunnel.c and call.c
 * call it): nothing is built unless a trace callback is registered, so the
 * cost without one is a test and a branch.
 */
void l2tpc_trace(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, struct l2tp_session *s, int from,
		 int to, enum l2tp_trace_event ev)
{
	struct l2tp_trace tr;

	if (!ctx->ops.trace || from == to)
		return;
	memset(&tr, 0, sizeof(tr));
	tr.machine = s ? L2TP_TRACE_SESSION : L2TP_TRACE_TUNNEL;
	tr.role = (enum l2tp_role)(s ? s->role : t->role);
	tr.event = ev;
	tr.from = from;
	tr.to = to;
	tr.tunnel_id = t->id;
	tr.peer_tunnel_id = t->peer_id;
	tr.tunnel_user = t->user;
	if (s) {
		tr.session_id = s->id;
		tr.peer_session_id = s->peer_id;
		/* a closed call had its SESSION_DOWN: its user may be gone */
		tr.session_user = from == L2TP_SESSION_CLOSED ? NULL : s->user;
	}
	ctx->ops.trace(ctx->arg, &tr);
}

/* The trace event of a close, from its cause (session: a call's close). */
enum l2tp_trace_event l2tpc_close_event(enum l2tp_down_cause cause, bool session)
{
	switch (cause) {
	case L2TP_DOWN_PEER:
		return session ? L2TP_TEV_RX_CDN : L2TP_TEV_RX_STOPCCN;
	case L2TP_DOWN_LOCAL:
		return L2TP_TEV_LOCAL_CLOSE;
	case L2TP_DOWN_UNREACHABLE:
		return L2TP_TEV_UNREACHABLE;
	case L2TP_DOWN_AUTH:
		return L2TP_TEV_AUTH_FAILED;
	case L2TP_DOWN_TUNNEL:
		return L2TP_TEV_TUNNEL_DOWN;
	case L2TP_DOWN_SETUP_TIMEOUT:
		return L2TP_TEV_SETUP_TIMEOUT;
	case L2TP_DOWN_TIE_BREAKER:
		return L2TP_TEV_TIE_BREAKER;
	case L2TP_DOWN_RESOURCES:
		return L2TP_TEV_NO_RESOURCES;
	case L2TP_DOWN_PREAUTH_TIMEOUT:
		return L2TP_TEV_PREAUTH_TIMEOUT;
	case L2TP_DOWN_NONE:
		return L2TP_TEV_DRAINED;
	case L2TP_DOWN_PROTOCOL:
	default:
		return L2TP_TEV_PROTOCOL_ERROR;
	}
}

void l2tpc_emit(struct l2tp_ctx *ctx, enum l2tp_event_type type, struct l2tp_tunnel *t,
		struct l2tp_session *s, enum l2tp_down_cause cause, enum l2tp_reason reason,
		uint16_t result, uint16_t error, const struct l2tp_msg *msg)
{
	struct l2tp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.role = (enum l2tp_role)(s ? s->role : t->role);
	ev.tunnel_id = t->id;
	ev.peer_tunnel_id = t->peer_id;
	ev.session_id = s ? s->id : 0;
	ev.peer_session_id = s ? s->peer_id : 0;
	ev.peer = &t->peer;
	ev.local = &t->local;
	ev.cause = cause;
	ev.reason = reason;
	ev.result_code = result;
	ev.error_code = error;
	ev.msg = msg;
	ev.tunnel_user = t->user;
	ev.session_user = s ? s->user : NULL;
	if (ctx->ops.event)
		ctx->ops.event(ctx->arg, &ev);
}

void l2tpc_set_result(struct l2tp_msg *m, uint16_t result, uint16_t error)
{
	m->result_code = result;
	m->error_code = error;
	m->has_error_code = error != 0;
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}

/* Map a decode failure to the error code of a StopCCN/CDN (4.4.2). */
uint16_t l2tpc_error_for(enum l2tp_reason r)
{
	switch (r) {
	case L2TP_R_UNKNOWN_MANDATORY_AVP:
		return L2TP_ERR_UNKNOWN_MANDATORY_AVP;
	case L2TP_R_AVP_BAD_SIZE:
	case L2TP_R_HIDDEN_BAD_LENGTH:
		return L2TP_ERR_BAD_LENGTH;
	default:
		return L2TP_ERR_BAD_VALUE;
	}
}

void l2tp_ctx_input(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
		    const struct l2tp_addr *local, const uint8_t *buf, size_t len, uint64_t now)
{
	struct l2tp_header h;
	enum l2tp_reason r;
	struct l2tp_tunnel *t;

	ctx->stats.rx_datagrams++;
	r = l2tp_ctrl_header_parse(buf, len, &h);
	if (r != L2TP_OK) {
		l2tpc_count(ctx, r);
		return;
	}
	t = h.tunnel_id ? l2tpc_tunnel_lookup(ctx, h.tunnel_id) : NULL;
	if (h.tunnel_id && !t) {
		l2tpc_count(ctx, L2TP_R_UNKNOWN_TUNNEL);
		return;
	}
	if (t && !l2tpc_same_endpoint(&t->peer, peer)) {
		/* A LAC's SCCRQ goes to port 1701; the LNS may answer from
		 * another port (docs/interop.md): follow it while waiting for the
		 * SCCRP. Otherwise a datagram from elsewhere (another host, or
		 * another IPsec SA: the mark) never reaches this tunnel. */
		if (t->state == L2TP_TUNNEL_WAIT_CTL_REPLY && l2tpc_same_host(&t->peer, peer)) {
			t->peer.port = peer->port;
		} else {
			l2tpc_count(ctx, L2TP_R_PEER_MISMATCH);
			return;
		}
	}
	r = l2tp_msg_decode(buf + h.hdr_len, h.frame_len - h.hdr_len,
			    &ctx->secret, &ctx->in);
	if (l2tp_reason_is_frame_error(r)) {
		/* The framing is broken: neither Ns nor the AVPs can be
		 * trusted. Drop without acknowledging; the peer retransmits. */
		l2tpc_count(ctx, r);
		return;
	}
	if (!t) {
		if (!ctx->in.zlb && ctx->in.type == L2TP_MSG_SCCRQ) {
			l2tpc_handle_sccrq(ctx, peer, local, &h, buf, h.frame_len, r, now);
		} else {
			/* Tunnel ID 0 is for SCCRQ only (5.1); an ack of a
			 * stateless StopCCN lands here too. */
			l2tpc_count(ctx, L2TP_R_UNKNOWN_TUNNEL);
		}
		return;
	}
	l2tpc_tunnel_rx(ctx, t, &h, buf, h.frame_len, r, now);
}

/* default: half the ports, but at least 16 (all of them on a smaller
 * server: its few ports are for logins in progress too) */
static uint32_t resolve_preauth_max(const struct l2tp_config *cfg)
{
	uint32_t n = cfg->max_preauth_sessions;

	if (!n) {
		n = (cfg->max_sessions + 1) / 2;
		if (n < 16)
			n = cfg->max_sessions < 16 ? cfg->max_sessions : 16;
	}
	return n;
}

struct l2tp_ctx *l2tp_ctx_new(const struct l2tp_config *cfg, const struct l2tp_ops *ops,
			      void *arg)
{
	struct l2tp_ctx *ctx;
	uint32_t n;

	if (!cfg || !ops || !ops->send || cfg->receive_window == 0 || cfg->rto_initial_ms == 0 ||
	    cfg->rto_max_ms < cfg->rto_initial_ms || cfg->max_queue == 0 ||
	    cfg->secret_len > 256)
		return NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->cfg = *cfg;
	ctx->preauth_max = resolve_preauth_max(cfg);
	ctx->ops = *ops;
	ctx->arg = arg;
	if (!ctx->cfg.random)
		ctx->cfg.random = default_random;
	snprintf((char *)ctx->host_name, sizeof(ctx->host_name), "%s",
		 cfg->host_name && *cfg->host_name ? cfg->host_name : "l2tpd");
	snprintf((char *)ctx->vendor_name, sizeof(ctx->vendor_name), "%s",
		 cfg->vendor_name ? cfg->vendor_name : "");
	ctx->cfg.host_name = (const char *)ctx->host_name;
	ctx->cfg.vendor_name = (const char *)ctx->vendor_name;
	if (cfg->secret_len) {
		uint8_t *s = malloc(cfg->secret_len);

		if (!s) {
			free(ctx);
			return NULL;
		}
		memcpy(s, cfg->secret, cfg->secret_len);
		ctx->secret.p = s;
		ctx->secret.len = cfg->secret_len;
	}
	ctx->cfg.secret = ctx->secret.p;
	ctx->xcfg.rto_initial_ms = cfg->rto_initial_ms;
	ctx->xcfg.rto_max_ms = cfg->rto_max_ms;
	ctx->xcfg.max_retries = cfg->max_retries;
	ctx->xcfg.rws = cfg->receive_window;
	ctx->xcfg.max_queue = cfg->max_queue;
	ctx->drain_ms = l2tp_xport_cycle_ms(&ctx->xcfg);
	for (n = 64; n < cfg->max_tunnels && n < 65536; n *= 2)
		;
	ctx->peer_mask = n - 1;
	ctx->shash_mask = 255;
	ctx->peer_index = calloc(n, sizeof(*ctx->peer_index));
	ctx->shash = calloc(ctx->shash_mask + 1, sizeof(*ctx->shash));
	ctx->reply_bucket.milli_tokens = (uint64_t)cfg->reply_burst * 1000;
	/* without randomness there is no context (nothing falls back to a
	 * predictable value, docs/security.md) */
	if (!ctx->peer_index || !ctx->shash ||
	    !l2tpc_get_random(ctx, &ctx->hash_seed, sizeof(ctx->hash_seed))) {
		l2tp_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void l2tp_ctx_refuse_calls(struct l2tp_ctx *ctx, bool on)
{
	ctx->refuse_calls = on;
}

int l2tp_ctx_set_limits(struct l2tp_ctx *ctx, const struct l2tp_config *cfg)
{
	if (!ctx || !cfg || cfg->rto_initial_ms == 0 || cfg->rto_max_ms < cfg->rto_initial_ms)
		return -1;
	/* Checked against the counters at the next new tunnel or session:
	 * lowering a limit refuses new ones and never ends those up. */
	ctx->cfg.max_tunnels = cfg->max_tunnels;
	ctx->cfg.max_sessions = cfg->max_sessions;
	ctx->cfg.max_sessions_per_tunnel = cfg->max_sessions_per_tunnel;
	ctx->cfg.new_tunnel_rate = cfg->new_tunnel_rate;
	ctx->cfg.new_tunnel_burst = cfg->new_tunnel_burst;
	ctx->cfg.hello_interval_ms = cfg->hello_interval_ms;
	/* pre-authentication budgets (issue: an unauthenticated peer must not
	 * lock users out): new half-open tunnels and calls see them */
	ctx->cfg.max_half_open = cfg->max_half_open;
	ctx->cfg.half_open_timeout_ms = cfg->half_open_timeout_ms;
	ctx->cfg.max_preauth_sessions = cfg->max_preauth_sessions;
	ctx->cfg.max_preauth_per_tunnel = cfg->max_preauth_per_tunnel;
	ctx->cfg.preauth_timeout_ms = cfg->preauth_timeout_ms;
	ctx->preauth_max = resolve_preauth_max(cfg);
	/* One transport configuration for every tunnel: the next
	 * retransmission of any tunnel uses the new timers. */
	ctx->xcfg.rto_initial_ms = cfg->rto_initial_ms;
	ctx->xcfg.rto_max_ms = cfg->rto_max_ms;
	ctx->xcfg.max_retries = cfg->max_retries;
	ctx->drain_ms = l2tp_xport_cycle_ms(&ctx->xcfg);
	return 0;
}

void l2tp_ctx_free(struct l2tp_ctx *ctx)
{
	if (!ctx)
		return;
	for (uint32_t p = 0; p < 256; p++)
		for (uint32_t i = 0; ctx->tunnels[p] && i < 256; i++)
			if (ctx->tunnels[p][i])
				l2tpc_tunnel_free(ctx, ctx->tunnels[p][i]);
	for (uint32_t i = 0; i < 256; i++)
		free(ctx->tunnels[i]);
	free(ctx->peer_index);
	free(ctx->shash);
	free(ctx->rate);
	timerheap_free(&ctx->heap);
	free((void *)ctx->secret.p);
	free(ctx);
}

void l2tp_tunnel_activity(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint64_t now)
{
	struct l2tp_tunnel *t = l2tpc_tunnel_lookup(ctx, tunnel_id);

	/* No heap update: the HELLO timer finds the newer time when it
	 * fires and re-arms itself. */
	if (t && now > t->last_activity)
		t->last_activity = now;
}

int l2tp_tunnel_get(const struct l2tp_ctx *ctx, uint16_t tunnel_id,
		    struct l2tp_tunnel_info *info)
{
	const struct l2tp_tunnel *t = l2tpc_tunnel_lookup(ctx, tunnel_id);

	if (!t)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->id = t->id;
	info->peer_id = t->peer_id;
	info->role = (enum l2tp_role)t->role;
	info->state = (enum l2tp_tunnel_state)t->state;
	info->peer = t->peer;
	info->local = t->local;
	info->sessions = t->n_sessions;
	info->peer_rws = t->x.peer_rws;
	info->peer_firmware_revision = t->peer_firmware;
	info->peer_framing_capabilities = t->peer_framing;
	info->peer_bearer_capabilities = t->peer_bearer;
	info->peer_host_name = t->peer_host;
	info->peer_vendor_name = t->peer_vendor;
	info->user = t->user;
	return 0;
}

int l2tp_session_get(const struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
		     struct l2tp_session_info *info)
{
	const struct l2tp_session *s = l2tpc_session_find(ctx, tunnel_id, session_id);

	if (!s)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	info->tunnel_id = tunnel_id;
	info->session_id = s->id;
	info->peer_tunnel_id = s->tunnel->peer_id;
	info->peer_session_id = s->peer_id;
	info->role = (enum l2tp_role)s->role;
	info->state = (enum l2tp_session_state)s->state;
	info->call_serial_number = s->call_serial;
	info->authenticated = s->role == L2TP_ROLE_LNS && !s->preauth;
	info->user = s->user;
	return 0;
}

int l2tp_tunnel_set_user(struct l2tp_ctx *ctx, uint16_t tunnel_id, void *user)
{
	struct l2tp_tunnel *t = l2tpc_tunnel_lookup(ctx, tunnel_id);

	if (!t)
		return -ENOENT;
	t->user = user;
	return 0;
}

int l2tp_session_set_user(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
			  void *user)
{
	struct l2tp_session *s = l2tpc_session_find(ctx, tunnel_id, session_id);

	if (!s)
		return -ENOENT;
	s->user = user;
	return 0;
}

const struct l2tp_stats *l2tp_ctx_stats(const struct l2tp_ctx *ctx)
{
	return &ctx->stats;
}

size_t l2tp_sizeof_tunnel(void)
{
	return sizeof(struct l2tp_tunnel);
}

size_t l2tp_sizeof_session(void)
{
	return sizeof(struct l2tp_session);
}
