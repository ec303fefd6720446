/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The L2TPv2 control plane: tunnel table, tunnel and session state
 * machines (RFC 2661 section 7), limits and counters. No sockets: see
 * l2tp.h and docs/l2tp.md.
 */
#include "l2tp_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define RATE_SLOTS 4096

struct rate_bucket {
	uint64_t key;		/* 0: free */
	uint64_t last_ms;
	uint64_t milli_tokens;
};

struct l2tp_ctx {
	struct l2tp_config cfg;
	struct l2tp_xport_cfg xcfg;
	struct l2tp_ops ops;
	void *arg;
	struct l2tp_secret secret;
	uint64_t drain_ms;		/* one full retransmission cycle */
	bool refuse_calls;		/* l2tp_ctx_refuse_calls() */

	/* by our Tunnel ID: a two-level direct table, O(1) and collision
	 * free; a page of 256 slots is allocated on first use */
	struct l2tp_tunnel **tunnels[256];
	struct l2tp_tunnel **peer_index; /* SCCRQ retransmit detection */
	uint32_t peer_mask;
	struct l2tp_tunnel *initiating;	/* LAC tunnels in WAIT_CTL_REPLY */
	struct l2tp_tunnel *half_head, *half_tail; /* half-open tunnels, oldest first */
	struct l2tp_session **shash;	/* by (tunnel id, session id) */
	uint32_t shash_mask;
	uint32_t nsessions_all;

	struct l2tp_timer **heap;	/* min-heap of deadlines */
	uint32_t heap_len, heap_cap;

	struct rate_bucket *rate;	/* per-peer new-tunnel buckets */
	struct rate_bucket reply_bucket;

	struct l2tp_stats stats;
	uint32_t preauth_max;		/* cfg.max_preauth_sessions, resolved */
	struct l2tp_msg in;		/* the message being processed */
	struct l2tp_msg out;		/* the message being built */
	uint8_t txbuf[L2TP_MAX_CTRL];
	uint8_t host_name[64];
	uint8_t vendor_name[64];
};

/* ---- names ---- */

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

/* ---- config ---- */

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
static bool get_random(struct l2tp_ctx *ctx, void *buf, size_t len)
{
	return ctx->cfg.random(ctx->cfg.random_arg, buf, len) == 0;
}

/* ---- timer heap: one deadline per tunnel/session, O(log n) ---- */

static bool heap_less(struct l2tp_ctx *ctx, uint32_t a, uint32_t b)
{
	return ctx->heap[a]->when < ctx->heap[b]->when;
}

static void heap_swap(struct l2tp_ctx *ctx, uint32_t a, uint32_t b)
{
	struct l2tp_timer *t = ctx->heap[a];

	ctx->heap[a] = ctx->heap[b];
	ctx->heap[b] = t;
	ctx->heap[a]->idx = a;
	ctx->heap[b]->idx = b;
}

static void heap_up(struct l2tp_ctx *ctx, uint32_t i)
{
	while (i > 0 && heap_less(ctx, i, (i - 1) / 2)) {
		heap_swap(ctx, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct l2tp_ctx *ctx, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < ctx->heap_len && heap_less(ctx, l, m))
			m = l;
		if (r < ctx->heap_len && heap_less(ctx, r, m))
			m = r;
		if (m == i)
			return;
		heap_swap(ctx, i, m);
		i = m;
	}
}

/* Make room for one more timer owner, so that timer_set never allocates. */
static bool heap_reserve(struct l2tp_ctx *ctx, uint32_t owners)
{
	uint32_t cap;
	struct l2tp_timer **h;

	if (owners <= ctx->heap_cap)
		return true;
	cap = ctx->heap_cap ? ctx->heap_cap * 2 : 64;
	while (cap < owners)
		cap *= 2;
	h = realloc(ctx->heap, cap * sizeof(*h));
	if (!h)
		return false;
	ctx->heap = h;
	ctx->heap_cap = cap;
	return true;
}

static void timer_set(struct l2tp_ctx *ctx, struct l2tp_timer *t, uint64_t when)
{
	if (t->when == L2TP_NEVER && when == L2TP_NEVER)
		return;
	if (when == L2TP_NEVER) {
		uint32_t i = t->idx, last = --ctx->heap_len;

		t->when = L2TP_NEVER;
		if (i != last) {
			ctx->heap[i] = ctx->heap[last];
			ctx->heap[i]->idx = i;
			heap_up(ctx, i);
			heap_down(ctx, ctx->heap[i]->idx);
		}
		return;
	}
	if (t->when == L2TP_NEVER) {
		t->when = when;
		t->idx = ctx->heap_len++;
		ctx->heap[t->idx] = t;
		heap_up(ctx, t->idx);
		return;
	}
	t->when = when;
	heap_up(ctx, t->idx);
	heap_down(ctx, t->idx);
}

uint64_t l2tp_ctx_next_deadline(const struct l2tp_ctx *ctx)
{
	return ctx->heap_len ? ctx->heap[0]->when : L2TP_NEVER;
}

/* ---- tunnel table ---- */

static struct l2tp_tunnel *tunnel_lookup(const struct l2tp_ctx *ctx, uint16_t id)
{
	struct l2tp_tunnel **page = ctx->tunnels[id >> 8];

	return page ? page[id & 255] : NULL;
}

static bool tunnel_slot_set(struct l2tp_ctx *ctx, uint16_t id, struct l2tp_tunnel *t)
{
	struct l2tp_tunnel ***page = &ctx->tunnels[id >> 8];

	if (!*page) {
		if (!t)
			return true;
		*page = calloc(256, sizeof(**page));
		if (!*page)
			return false;
	}
	(*page)[id & 255] = t;
	return true;
}

/* ---- hashing ---- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t host_key(const struct l2tp_addr *a)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv(h, &a->family, 1);
	h = fnv(h, a->addr, 16);
	h = fnv(h, &a->mark, 4);
	return h | 1;
}

static bool same_host(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return a->family == b->family && a->mark == b->mark &&
	       memcmp(a->addr, b->addr, 16) == 0;
}

static bool same_endpoint(const struct l2tp_addr *a, const struct l2tp_addr *b)
{
	return same_host(a, b) && a->port == b->port;
}

static uint32_t peer_slot(const struct l2tp_ctx *ctx, const struct l2tp_addr *a,
			  uint16_t peer_tid)
{
	uint64_t h = host_key(a);

	h = fnv(h, &a->port, 2);
	h = fnv(h, &peer_tid, 2);
	return (uint32_t)(h ^ (h >> 32)) & ctx->peer_mask;
}

static void peer_index_add(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	uint32_t i = peer_slot(ctx, &t->peer, t->peer_id);

	t->peer_next = ctx->peer_index[i];
	ctx->peer_index[i] = t;
	t->in_peer_index = true;
}

static void peer_index_del(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	struct l2tp_tunnel **pp;

	if (!t->in_peer_index)
		return;
	for (pp = &ctx->peer_index[peer_slot(ctx, &t->peer, t->peer_id)]; *pp;
	     pp = &(*pp)->peer_next) {
		if (*pp == t) {
			*pp = t->peer_next;
			break;
		}
	}
	t->in_peer_index = false;
}

static struct l2tp_tunnel *peer_index_find(struct l2tp_ctx *ctx, const struct l2tp_addr *a,
					   uint16_t peer_tid)
{
	for (struct l2tp_tunnel *t = ctx->peer_index[peer_slot(ctx, a, peer_tid)]; t;
	     t = t->peer_next)
		if (t->peer_id == peer_tid && same_endpoint(&t->peer, a))
			return t;
	return NULL;
}

static void init_list_del(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	if (!t->in_init_list)
		return;
	for (struct l2tp_tunnel **pp = &ctx->initiating; *pp; pp = &(*pp)->init_next) {
		if (*pp == t) {
			*pp = t->init_next;
			break;
		}
	}
	t->in_init_list = false;
}

static uint32_t session_slot(const struct l2tp_ctx *ctx, uint16_t tid, uint16_t sid)
{
	uint32_t k = (uint32_t)tid << 16 | sid;

	k *= 0x9e3779b1u;
	return (k ^ (k >> 15)) & ctx->shash_mask;
}

static struct l2tp_session *session_find(const struct l2tp_ctx *ctx, uint16_t tid,
					 uint16_t sid)
{
	for (struct l2tp_session *s = ctx->shash[session_slot(ctx, tid, sid)]; s; s = s->hnext)
		if (s->id == sid && s->tunnel->id == tid)
			return s;
	return NULL;
}

static void shash_grow(struct l2tp_ctx *ctx)
{
	uint32_t n = (ctx->shash_mask + 1) * 2;
	struct l2tp_session **nh = calloc(n, sizeof(*nh));
	uint32_t old = ctx->shash_mask + 1;
	struct l2tp_session **oh = ctx->shash;

	if (!nh)
		return; /* longer chains, still correct */
	ctx->shash = nh;
	ctx->shash_mask = n - 1;
	for (uint32_t i = 0; i < old; i++) {
		struct l2tp_session *s = oh[i];

		while (s) {
			struct l2tp_session *next = s->hnext;
			uint32_t j = session_slot(ctx, s->tunnel->id, s->id);

			s->hnext = nh[j];
			nh[j] = s;
			s = next;
		}
	}
	free(oh);
}

/* ---- rate limiting (token buckets) ---- */

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
	uint64_t key = host_key(peer);
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

/* ---- output ---- */

static void count(struct l2tp_ctx *ctx, enum l2tp_reason r)
{
	if (r != L2TP_OK && (unsigned)r < L2TP_R_MAX)
		ctx->stats.rejects[r]++;
}

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

static void emit(struct l2tp_ctx *ctx, enum l2tp_event_type type, struct l2tp_tunnel *t,
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
	timer_set(ctx, &t->timer, when);
}

static void tunnel_flush(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	struct tunnel_out o = {ctx, t};

	l2tp_xport_flush(&t->x, &ctx->xcfg, t->peer_id, now, tunnel_out_fn, &o);
	tunnel_schedule(ctx, t);
}

static void tunnel_close(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
			 enum l2tp_reason reason, uint16_t result, uint16_t error,
			 const struct l2tp_msg *peer_msg, bool send_stopccn, uint64_t now);

/* Encode ctx->out for the tunnel and queue it for reliable delivery. */
static bool tunnel_send(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint16_t session_id,
			uint64_t now)
{
	size_t n = l2tp_msg_encode(&ctx->out, t->peer_id, session_id, 0, 0, NULL, ctx->txbuf,
				   sizeof(ctx->txbuf));

	if (n && l2tp_xport_queue(&t->x, &ctx->xcfg, ctx->txbuf, n))
		return true;
	/* A peer that never acknowledges fills the queue: it is as good as
	 * unreachable, and holding more would let it grow our memory. */
	count(ctx, L2TP_R_NO_MEMORY);
	if (t->state != L2TP_TUNNEL_CLOSING)
		tunnel_close(ctx, t, L2TP_DOWN_UNREACHABLE, L2TP_R_NO_MEMORY,
			     L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES, NULL,
			     false, now);
	return false;
}

static void set_result(struct l2tp_msg *m, uint16_t result, uint16_t error)
{
	m->result_code = result;
	m->error_code = error;
	m->has_error_code = error != 0;
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}

/* L2TP_EV_TUNNEL_REFUSED: no tunnel exists, so no emit(). */
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

/* Leave the pre-auth budgets (authenticated, closed or freed). */
static void preauth_end(struct l2tp_ctx *ctx, struct l2tp_session *s)
{
	if (!s->preauth)
		return;
	s->preauth = false;
	s->tunnel->n_preauth--;
	ctx->stats.sessions_preauth--;
}

/* Leave the half-open budget (established, closed or freed). */
static void half_open_end(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
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
		count(ctx, L2TP_R_REPLY_SUPPRESSED);
		return;
	}
	l2tp_msg_init(&ctx->out, L2TP_MSG_STOPCCN);
	ctx->out.assigned_tunnel_id = 0; /* no tunnel of ours exists */
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	set_result(&ctx->out, result, error);
	n = l2tp_msg_encode(&ctx->out, peer_tid, 0, 0, (uint16_t)(h->ns + 1), NULL, ctx->txbuf,
			    sizeof(ctx->txbuf));
	if (!n)
		return;
	ctx->stats.stateless_replies++;
	ctx->stats.tx_datagrams++;
	ctx->ops.send(ctx->arg, peer, local, ctx->txbuf, n);
}

/* ---- sessions ---- */

static uint16_t random_id(struct l2tp_ctx *ctx, bool (*used)(struct l2tp_ctx *, uint16_t, void *),
			  void *arg)
{
	uint16_t id;

	/* Random (not sequential) IDs: a stale or forged message is unlikely
	 * to hit a live tunnel or session. */
	for (int i = 0; i < 32; i++) {
		if (!get_random(ctx, &id, sizeof(id))) {
			count(ctx, L2TP_R_NO_RANDOM);
			return 0;
		}
		if (id != 0 && !used(ctx, id, arg))
			return id;
	}
	/* Nearly full: probe linearly from a random start. */
	if (!get_random(ctx, &id, sizeof(id))) {
		count(ctx, L2TP_R_NO_RANDOM);
		return 0;
	}
	for (uint32_t i = 0; i < 65536; i++, id++)
		if (id != 0 && !used(ctx, id, arg))
			return id;
	return 0;
}

static bool tunnel_id_used(struct l2tp_ctx *ctx, uint16_t id, void *arg)
{
	(void)arg;
	return tunnel_lookup(ctx, id) != NULL;
}

static bool session_id_used(struct l2tp_ctx *ctx, uint16_t id, void *arg)
{
	struct l2tp_tunnel *t = arg;

	return session_find(ctx, t->id, id) != NULL;
}

static struct l2tp_session *session_new(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
					enum l2tp_role role, enum l2tp_reason *why)
{
	struct l2tp_session *s;
	uint32_t slot;

	if (!heap_reserve(ctx, ctx->stats.tunnels_active + ctx->stats.tunnels_draining +
				       ctx->nsessions_all + 1)) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	s->id = random_id(ctx, session_id_used, t);
	if (!s->id) {
		free(s);
		*why = L2TP_R_NO_ID;
		return NULL;
	}
	s->timer.when = L2TP_NEVER;
	s->timer.kind = TIMER_SESSION;
	s->tunnel = t;
	s->role = (uint8_t)role;
	slot = session_slot(ctx, t->id, s->id);
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
		shash_grow(ctx);
	return s;
}

static void session_free(struct l2tp_ctx *ctx, struct l2tp_session *s)
{
	struct l2tp_tunnel *t = s->tunnel;
	struct l2tp_session **pp;

	timer_set(ctx, &s->timer, L2TP_NEVER);
	for (pp = &ctx->shash[session_slot(ctx, t->id, s->id)]; *pp; pp = &(*pp)->hnext) {
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
	set_result(&ctx->out, result, error);
	ctx->out.assigned_session_id = our_sid;
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_SESSION_ID);
	tunnel_send(ctx, t, peer_sid, now);
}

static void session_close(struct l2tp_ctx *ctx, struct l2tp_session *s, enum l2tp_down_cause cause,
			  enum l2tp_reason reason, uint16_t result, uint16_t error,
			  const struct l2tp_msg *peer_msg, bool send, uint64_t now)
{
	struct l2tp_tunnel *t = s->tunnel;

	if (s->state == L2TP_SESSION_CLOSED)
		return;
	s->state = L2TP_SESSION_CLOSED;
	preauth_end(ctx, s);
	t->n_sessions--;
	ctx->stats.sessions_active--;
	ctx->stats.sessions_draining++;
	if (s->announced)
		emit(ctx, L2TP_EV_SESSION_DOWN, t, s, cause, reason, result, error, peer_msg);
	/* Keep the ID for a retransmission cycle: a late message for the old
	 * call must not land in a new one (section 5.8 reliability means the
	 * peer may still be retransmitting to it). */
	timer_set(ctx, &s->timer, now + ctx->drain_ms);
	if (send && t->state == L2TP_TUNNEL_ESTABLISHED)
		send_cdn(ctx, t, s->peer_id, s->id, result, error, now);
}

/* Map a decode failure to the error code of a StopCCN/CDN (4.4.2). */
static uint16_t error_for(enum l2tp_reason r)
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

/* LAC: the tunnel is up (or was), place the call: ICRQ (section 6.9). */
static void lac_send_icrq(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now)
{
	struct l2tp_tunnel *t = s->tunnel;

	l2tp_msg_init(&ctx->out, L2TP_MSG_ICRQ);
	ctx->out.assigned_session_id = s->id;
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_SESSION_ID);
	ctx->out.call_serial_number = s->call_serial;
	l2tp_msg_set(&ctx->out, L2TP_AVP_CALL_SERIAL_NUMBER);
	ctx->out.bearer_type = L2TP_BEARER_DIGITAL;
	l2tp_msg_set(&ctx->out, L2TP_AVP_BEARER_TYPE);
	s->state = L2TP_SESSION_WAIT_REPLY;
	tunnel_send(ctx, t, 0, now);
}

/* LNS: an ICRQ on an established tunnel (section 7.4.2). */
static void lns_icrq(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, const struct l2tp_msg *m,
		     uint64_t now)
{
	struct l2tp_session *s;
	enum l2tp_reason why = L2TP_OK;

	if (m->assigned_session_id == 0) {
		/* 4.4.3: a Session ID of 0 is reserved */
		count(ctx, L2TP_R_BAD_STATE);
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
		count(ctx, why);
		send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_TEMP_NO_FACILITIES,
			 L2TP_ERR_INSUFFICIENT_RESOURCES, now);
		emit(ctx, L2TP_EV_SESSION_REFUSED, t, NULL, L2TP_DOWN_RESOURCES, why,
		     L2TP_CDN_TEMP_NO_FACILITIES, L2TP_ERR_INSUFFICIENT_RESOURCES, m);
		return;
	}
	s->peer_id = m->assigned_session_id;
	s->call_serial = m->call_serial_number;
	s->state = L2TP_SESSION_WAIT_CONNECT;
	s->preauth = true;
	t->n_preauth++;
	ctx->stats.sessions_preauth++;
	s->preauth_until = ctx->cfg.preauth_timeout_ms ? now + ctx->cfg.preauth_timeout_ms
						       : L2TP_NEVER;
	timer_set(ctx, &s->timer, now + ctx->cfg.session_setup_timeout_ms < s->preauth_until
					  ? now + ctx->cfg.session_setup_timeout_ms
					  : s->preauth_until);
	/* Tell the caller before the ICRP goes out: the peer sends its ICCN
	 * on receiving it and may send PPP right behind (7.4.1: the LAC is
	 * "established" once it sends the ICCN), so the data path must be
	 * ready before the ICRP leaves. From here on the call is announced:
	 * every way it ends (CDN, setup timeout, tunnel down, local close)
	 * reports SESSION_DOWN once, so the caller can free what it made. */
	s->announced = true;
	emit(ctx, L2TP_EV_SESSION_ACCEPTED, t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
	l2tp_msg_init(&ctx->out, L2TP_MSG_ICRP);
	ctx->out.assigned_session_id = s->id;
	l2tp_msg_set(&ctx->out, L2TP_AVP_ASSIGNED_SESSION_ID);
	tunnel_send(ctx, t, s->peer_id, now);
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
	count(ctx, L2TP_R_BAD_STATE);
	session_close(ctx, s, L2TP_DOWN_PROTOCOL, L2TP_R_BAD_STATE, L2TP_CDN_GENERAL_ERROR,
		      L2TP_ERR_BAD_VALUE, NULL, true, now);
}

/* A session-level message delivered in order (sections 7.4.1, 7.4.2). */
static void session_deliver(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			    const struct l2tp_header *h, const struct l2tp_msg *m,
			    enum l2tp_reason rc, uint64_t now)
{
	struct l2tp_session *s;

	if (t->state != L2TP_TUNNEL_ESTABLISHED) {
		/* No calls before the control connection is up: an ICRQ gets
		 * CDN error 1, "no control connection exists yet" (4.4.2). */
		count(ctx, L2TP_R_BAD_STATE);
		if (m->type == L2TP_MSG_ICRQ && m->assigned_session_id && t->peer_id)
			send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_GENERAL_ERROR,
				 L2TP_ERR_NO_CONTROL_CONNECTION, now);
		return;
	}
	if (m->type == L2TP_MSG_ICRQ) {
		if (rc != L2TP_OK) {
			count(ctx, rc);
			if (m->assigned_session_id)
				send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_GENERAL_ERROR,
					 error_for(rc), now);
			return;
		}
		lns_icrq(ctx, t, m, now);
		return;
	}
	if (m->type == L2TP_MSG_OCRQ) {
		/* We advertise no bearer capabilities and place no outgoing
		 * calls: CDN result 5, permanent lack of facilities. */
		count(ctx, rc != L2TP_OK ? rc : L2TP_R_BAD_STATE);
		if (m->assigned_session_id)
			send_cdn(ctx, t, m->assigned_session_id, 0, L2TP_CDN_PERM_NO_FACILITIES, 0,
				 now);
		return;
	}
	s = h->session_id ? session_find(ctx, t->id, h->session_id) : NULL;
	if (!s && h->session_id == 0 && m->type == L2TP_MSG_CDN &&
	    l2tp_msg_has(m, L2TP_AVP_ASSIGNED_SESSION_ID))
		s = session_by_peer_id(t, m->assigned_session_id); /* peer never got our id */
	if (!s) {
		count(ctx, rc != L2TP_OK ? rc : L2TP_R_UNKNOWN_SESSION);
		return;
	}
	if (s->state == L2TP_SESSION_CLOSED) {
		count(ctx, L2TP_R_BAD_STATE); /* late message for a call being drained */
		return;
	}
	if (rc != L2TP_OK) {
		/* Section 4.1: an unknown M-bit AVP in a session message
		 * clears the session; other malformed ones likewise. */
		count(ctx, rc);
		if (m->type == L2TP_MSG_CDN) {
			session_close(ctx, s, L2TP_DOWN_PEER, rc, m->result_code, m->error_code, m,
				      false, now);
			return;
		}
		session_close(ctx, s, L2TP_DOWN_PROTOCOL, rc, L2TP_CDN_GENERAL_ERROR,
			      error_for(rc), NULL, true, now);
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
		if (!tunnel_send(ctx, t, s->peer_id, now))
			return;
		s->state = L2TP_SESSION_ESTABLISHED;
		timer_set(ctx, &s->timer, L2TP_NEVER);
		ctx->stats.sessions_established++;
		emit(ctx, L2TP_EV_SESSION_UP, t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
		return;
	case L2TP_MSG_ICCN:
		if (s->role != L2TP_ROLE_LNS || s->state != L2TP_SESSION_WAIT_CONNECT) {
			session_fsm_error(ctx, s, now);
			return;
		}
		s->state = L2TP_SESSION_ESTABLISHED;
		/* still unauthenticated: its pre-auth lifetime goes on */
		timer_set(ctx, &s->timer, s->preauth ? s->preauth_until : L2TP_NEVER);
		ctx->stats.sessions_established++;
		/* "Incoming call established": the event carries the ICCN,
		 * with its Proxy LCP and Proxy Authen AVPs, for PPP. */
		emit(ctx, L2TP_EV_SESSION_UP, t, s, L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
		return;
	case L2TP_MSG_SLI:
	case L2TP_MSG_WEN:
		if (s->state != L2TP_SESSION_ESTABLISHED) {
			count(ctx, L2TP_R_BAD_STATE);
			return;
		}
		emit(ctx, m->type == L2TP_MSG_SLI ? L2TP_EV_SESSION_SLI : L2TP_EV_SESSION_WEN, t, s,
		     L2TP_DOWN_NONE, L2TP_OK, 0, 0, m);
		return;
	default:
		/* OCRP, OCCN: answers to an OCRQ we never sent */
		session_fsm_error(ctx, s, now);
		return;
	}
}

/* ---- tunnels ---- */

static struct l2tp_tunnel *tunnel_new(struct l2tp_ctx *ctx, enum l2tp_role role,
				      const struct l2tp_addr *peer, const struct l2tp_addr *local,
				      uint64_t now, enum l2tp_reason *why)
{
	struct l2tp_tunnel *t;

	if (!heap_reserve(ctx, ctx->stats.tunnels_active + ctx->stats.tunnels_draining +
				       ctx->nsessions_all + 1)) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	t->id = random_id(ctx, tunnel_id_used, NULL);
	if (!t->id) {
		free(t);
		*why = L2TP_R_NO_ID;
		return NULL;
	}
	if (!tunnel_slot_set(ctx, t->id, t)) {
		free(t);
		*why = L2TP_R_NO_MEMORY;
		return NULL;
	}
	t->timer.when = L2TP_NEVER;
	t->timer.kind = TIMER_TUNNEL;
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

static void tunnel_free(struct l2tp_ctx *ctx, struct l2tp_tunnel *t)
{
	while (t->sessions)
		session_free(ctx, t->sessions);
	timer_set(ctx, &t->timer, L2TP_NEVER);
	peer_index_del(ctx, t);
	init_list_del(ctx, t);
	half_open_end(ctx, t);
	tunnel_slot_set(ctx, t->id, NULL);
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
static void tunnel_down(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
			enum l2tp_reason reason, uint16_t result, uint16_t error,
			const struct l2tp_msg *peer_msg)
{
	struct l2tp_session *s;

	for (s = t->sessions; s; s = s->next) {
		if (s->state == L2TP_SESSION_CLOSED || !s->announced)
			continue;
		emit(ctx, L2TP_EV_SESSION_DOWN, t, s, L2TP_DOWN_TUNNEL, reason, result, error, NULL);
		s->announced = false;
	}
	while (t->sessions)
		session_free(ctx, t->sessions);
	if (t->announced) {
		emit(ctx, L2TP_EV_TUNNEL_DOWN, t, NULL, cause, reason, result, error, peer_msg);
		t->closed_owed = true;
	}
	t->announced = false;
}

/* Free a tunnel whose end was reported: say that the control connection
 * is finally gone (L2TP_EV_TUNNEL_CLOSED), then free it. */
static void tunnel_release(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause)
{
	if (t->closed_owed)
		emit(ctx, L2TP_EV_TUNNEL_CLOSED, t, NULL, cause, L2TP_OK, 0, 0, NULL);
	tunnel_free(ctx, t);
}

static void tunnel_close(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
			 enum l2tp_reason reason, uint16_t result, uint16_t error,
			 const struct l2tp_msg *peer_msg, bool send_stopccn, uint64_t now)
{
	if (t->state == L2TP_TUNNEL_CLOSING)
		return;
	tunnel_down(ctx, t, cause, reason, result, error, peer_msg);
	peer_index_del(ctx, t);
	init_list_del(ctx, t);
	half_open_end(ctx, t);
	t->state = L2TP_TUNNEL_CLOSING;
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
		set_result(&ctx->out, result, error);
		tunnel_send(ctx, t, 0, now);
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
		if (!get_random(ctx, t->challenge, sizeof(t->challenge)))
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

static void tunnel_established(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	t->state = L2TP_TUNNEL_ESTABLISHED;
	t->announced = true;
	t->last_activity = now;
	t->up_at = now;
	init_list_del(ctx, t);
	ctx->stats.tunnels_established++;
	emit(ctx, L2TP_EV_TUNNEL_UP, t, NULL, L2TP_DOWN_NONE, L2TP_OK, 0, 0, NULL);
	/* 7.2.1: "send tunnel-open event to waiting sessions" */
	for (struct l2tp_session *s = t->sessions; s; s = s->next)
		if (s->state == L2TP_SESSION_WAIT_TUNNEL)
			lac_send_icrq(ctx, s, now);
}

static void tunnel_fsm_error(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	/* 7.2.1: an establishment message out of place: StopCCN, clean up;
	 * result 7, "finite state machine error" (4.4.2). */
	count(ctx, L2TP_R_BAD_STATE);
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
		count(ctx, L2TP_R_BAD_STATE);
		return;
	}
	if (rc == L2TP_R_UNKNOWN_MSG_TYPE_IGNORED) {
		count(ctx, rc); /* 4.4.1: M clear: ignore the message */
		return;
	}
	if (rc == L2TP_R_UNKNOWN_MSG_TYPE_MANDATORY) {
		/* 4.4.1: unknown type with M set: the tunnel MUST be cleared */
		count(ctx, rc);
		tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, rc, L2TP_STOPCCN_GENERAL_ERROR,
			     L2TP_ERR_BAD_VALUE, NULL, true, now);
		return;
	}
	if (l2tp_msg_is_session_message(m->type)) {
		session_deliver(ctx, t, h, m, rc, now);
		return;
	}
	if (rc != L2TP_OK) {
		count(ctx, rc);
		if (m->type == L2TP_MSG_STOPCCN) {
			/* a malformed StopCCN still ends the tunnel */
			tunnel_close(ctx, t, L2TP_DOWN_PEER, rc, m->result_code, m->error_code, m,
				     false, now);
			return;
		}
		/* 4.1: an unknown M-bit AVP (or a malformed message) in a
		 * tunnel message clears the tunnel and all its sessions. */
		tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, rc, L2TP_STOPCCN_GENERAL_ERROR,
			     error_for(rc), NULL, true, now);
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
		 * checks that make it acceptable ran in handle_sccrq). */
		note_peer(t, m);
		l2tp_msg_init(&ctx->out, L2TP_MSG_SCCRP);
		if (!put_identity(ctx, t, &ctx->out)) {
			/* no challenge: StopCCN, insufficient resources */
			count(ctx, L2TP_R_NO_RANDOM);
			tunnel_close(ctx, t, L2TP_DOWN_RESOURCES, L2TP_R_NO_RANDOM,
				     L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES, NULL,
				     true, now);
			return;
		}
		put_response(ctx, m, L2TP_MSG_SCCRP);
		t->state = L2TP_TUNNEL_WAIT_CTL_CONN;
		peer_index_add(ctx, t);
		tunnel_send(ctx, t, 0, now);
		return;
	case L2TP_MSG_SCCRP:
		if (t->state != L2TP_TUNNEL_WAIT_CTL_REPLY) {
			tunnel_fsm_error(ctx, t, now);
			return;
		}
		note_peer(t, m);
		if (m->protocol_version != 1 || m->protocol_revision != 0) {
			count(ctx, L2TP_R_BAD_PROTOCOL_VERSION);
			tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, L2TP_R_BAD_PROTOCOL_VERSION,
				     L2TP_STOPCCN_BAD_VERSION, 0x0100, NULL, true, now);
			return;
		}
		/* 5.1.1: the LNS proves it knows the secret ... */
		if (!response_ok(ctx, t, m, L2TP_MSG_SCCRP)) {
			count(ctx, L2TP_R_AUTH_FAILED);
			tunnel_close(ctx, t, L2TP_DOWN_AUTH, L2TP_R_AUTH_FAILED,
				     L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL, true, now);
			return;
		}
		l2tp_msg_init(&ctx->out, L2TP_MSG_SCCCN);
		/* ... and so do we, if it challenged us */
		if (!put_response(ctx, m, L2TP_MSG_SCCCN)) {
			count(ctx, L2TP_R_AUTH_FAILED);
			tunnel_close(ctx, t, L2TP_DOWN_AUTH, L2TP_R_AUTH_FAILED,
				     L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL, true, now);
			return;
		}
		if (!tunnel_send(ctx, t, 0, now))
			return;
		tunnel_established(ctx, t, now);
		return;
	case L2TP_MSG_SCCCN:
		if (t->state != L2TP_TUNNEL_WAIT_CTL_CONN) {
			tunnel_fsm_error(ctx, t, now);
			return;
		}
		if (!response_ok(ctx, t, m, L2TP_MSG_SCCCN)) {
			count(ctx, L2TP_R_AUTH_FAILED);
			tunnel_close(ctx, t, L2TP_DOWN_AUTH, L2TP_R_AUTH_FAILED,
				     L2TP_STOPCCN_NOT_AUTHORIZED, 0, NULL, true, now);
			return;
		}
		half_open_end(ctx, t);
		if (ctx->stats.tunnels_active - ctx->stats.tunnels_half_open > ctx->cfg.max_tunnels) {
			/* Half-open tunnels are admitted outside max_tunnels;
			 * the limit applies when one completes: StopCCN result
			 * 2, error 4, insufficient resources (4.4.2). */
			count(ctx, L2TP_R_TUNNEL_LIMIT);
			tunnel_close(ctx, t, L2TP_DOWN_PROTOCOL, L2TP_R_TUNNEL_LIMIT,
				     L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES,
				     NULL, true, now);
			return;
		}
		tunnel_established(ctx, t, now);
		return;
	default:
		count(ctx, L2TP_R_BAD_STATE);
		return;
	}
}

/* Transport, then in-order delivery of this and any held messages. */
static void tunnel_rx(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, const struct l2tp_header *h,
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
		count(ctx, L2TP_R_BAD_NR);
	count(ctx, xr);
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
	tunnel_flush(ctx, t, now);
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
	count(ctx, L2TP_R_HALF_OPEN_LIMIT);
	stateless_stopccn(ctx, &peer, &local, &h, t->peer_id, L2TP_STOPCCN_GENERAL_ERROR,
			  L2TP_ERR_INSUFFICIENT_RESOURCES, now);
	l2tp_msg_init(&ctx->out, L2TP_MSG_SCCRQ);
	ctx->out.assigned_tunnel_id = t->peer_id;
	tunnel_down(ctx, t, L2TP_DOWN_RESOURCES, L2TP_R_HALF_OPEN_LIMIT, 0, 0, NULL);
	tunnel_free(ctx, t);
	emit_tunnel_refused(ctx, &peer, &local, L2TP_R_HALF_OPEN_LIMIT, &ctx->out);
}

/* An SCCRQ to Tunnel ID 0: a new control connection, or a retransmit. */
static void handle_sccrq(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
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
		t = peer_index_find(ctx, peer, m->assigned_tunnel_id);
		/* A copy can also arrive late, after the SCCCN (a network
		 * duplicate, or a retransmission that crossed our SCCRP):
		 * within one retransmission cycle of establishment it is
		 * still the same connection. Later, the same key means a
		 * client that restarted (Windows always uses Tunnel ID 1):
		 * a new tunnel; the old one dies of its HELLOs. */
		if (t && (t->state == L2TP_TUNNEL_WAIT_CTL_CONN ||
			  now - t->up_at < ctx->drain_ms)) {
			tunnel_rx(ctx, t, h, buf, len, rc, now);
			return;
		}
		if (t)
			peer_index_del(ctx, t);
	}
	if (rc != L2TP_OK) {
		count(ctx, rc);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_GENERAL_ERROR, error_for(rc), now);
		return;
	}
	if (h->ns != 0 || m->assigned_tunnel_id == 0) {
		/* 5.8: the first message of a connection has Ns 0 */
		count(ctx, h->ns != 0 ? L2TP_R_OUT_OF_WINDOW : L2TP_R_BAD_STATE);
		return;
	}
	/* Tie breaker (4.4.3): we are opening a tunnel to this host too. The
	 * lower value wins; the loser discards its tunnel; equal: both go. */
	if (l2tp_msg_has(m, L2TP_AVP_TIE_BREAKER)) {
		for (t = ctx->initiating; t; t = t->init_next) {
			int c;

			if (!same_host(&t->peer, peer))
				continue;
			c = memcmp(t->tie_breaker, m->tie_breaker, 8);
			if (c < 0) {
				count(ctx, L2TP_R_TIE_BREAKER_LOST); /* theirs lost */
				return;
			}
			count(ctx, L2TP_R_TIE_BREAKER_LOST);
			tunnel_down(ctx, t, L2TP_DOWN_TIE_BREAKER, L2TP_R_TIE_BREAKER_LOST, 0, 0,
				    NULL);
			tunnel_release(ctx, t, L2TP_DOWN_TIE_BREAKER);
			if (c == 0)
				return;
			break; /* we lost: take their SCCRQ as LNS */
		}
	}
	if (!ctx->cfg.accept_tunnels) {
		count(ctx, L2TP_R_BAD_STATE);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_NOT_AUTHORIZED, 0, now);
		return;
	}
	if (m->protocol_version != 1 || m->protocol_revision != 0) {
		/* 4.4.2 result 5: the error code is the highest version we
		 * support, 1.0 */
		count(ctx, L2TP_R_BAD_PROTOCOL_VERSION);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_BAD_VERSION, 0x0100, now);
		return;
	}
	if (l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && ctx->secret.len == 0) {
		/* 5.1.1: we cannot answer a challenge without a secret */
		count(ctx, L2TP_R_AUTH_FAILED);
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
			count(ctx, L2TP_R_SCCRQ_DEFERRED);
			return;
		case L2TP_ACCEPT_BUSY:
			/* 4.4.2: StopCCN result 2 "general error" with error 4
			 * "insufficient resources to handle this operation
			 * now": temporary, as for the limits below. */
			count(ctx, L2TP_R_SCCRQ_BUSY);
			stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
					  L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES,
					  now);
			return;
		default:
			/* 4.4.2: StopCCN result 4, requester is not authorized
			 * to establish a control channel. */
			count(ctx, L2TP_R_SCCRQ_REFUSED);
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
		t = tunnel_new(ctx, L2TP_ROLE_LNS, peer, local, now, &why);
	} else {
		t = NULL;
	}
	if (!t) {
		count(ctx, why);
		stateless_stopccn(ctx, peer, local, h, m->assigned_tunnel_id,
				  L2TP_STOPCCN_GENERAL_ERROR, L2TP_ERR_INSUFFICIENT_RESOURCES, now);
		emit_tunnel_refused(ctx, peer, local, why, m);
		return;
	}
	t->state = L2TP_TUNNEL_IDLE;
	half_open_add(ctx, t);
	if (ctx->cfg.half_open_timeout_ms)
		t->setup_at = now + ctx->cfg.half_open_timeout_ms;
	tunnel_rx(ctx, t, h, buf, len, rc, now);
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
		count(ctx, r);
		return;
	}
	t = h.tunnel_id ? tunnel_lookup(ctx, h.tunnel_id) : NULL;
	if (h.tunnel_id && !t) {
		count(ctx, L2TP_R_UNKNOWN_TUNNEL);
		return;
	}
	if (t && !same_endpoint(&t->peer, peer)) {
		/* A LAC's SCCRQ goes to port 1701; the LNS may answer from
		 * another port (docs/interop.md): follow it while waiting for the
		 * SCCRP. Otherwise a datagram from elsewhere (another host, or
		 * another IPsec SA: the mark) never reaches this tunnel. */
		if (t->state == L2TP_TUNNEL_WAIT_CTL_REPLY && same_host(&t->peer, peer)) {
			t->peer.port = peer->port;
		} else {
			count(ctx, L2TP_R_PEER_MISMATCH);
			return;
		}
	}
	r = l2tp_msg_decode(buf + h.hdr_len, h.frame_len - h.hdr_len,
			    &ctx->secret, &ctx->in);
	if (l2tp_reason_is_frame_error(r)) {
		/* The framing is broken: neither Ns nor the AVPs can be
		 * trusted. Drop without acknowledging; the peer retransmits. */
		count(ctx, r);
		return;
	}
	if (!t) {
		if (!ctx->in.zlb && ctx->in.type == L2TP_MSG_SCCRQ) {
			handle_sccrq(ctx, peer, local, &h, buf, h.frame_len, r, now);
		} else {
			/* Tunnel ID 0 is for SCCRQ only (5.1); an ack of a
			 * stateless StopCCN lands here too. */
			count(ctx, L2TP_R_UNKNOWN_TUNNEL);
		}
		return;
	}
	tunnel_rx(ctx, t, &h, buf, h.frame_len, r, now);
}

/* ---- timers ---- */

static void tunnel_timer(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now)
{
	struct tunnel_out o = {ctx, t};
	unsigned n;

	if (t->state == L2TP_TUNNEL_CLOSING && now >= t->drain_at) {
		/* 5.7: the hold after the StopCCN is over */
		tunnel_release(ctx, t, L2TP_DOWN_NONE);
		return;
	}
	if (now >= t->x.rtx_deadline) {
		if (!l2tp_xport_timeout(&t->x, &ctx->xcfg, now, tunnel_out_fn, &o, &n)) {
			/* 5.8: no acknowledgement after max_retries: the peer
			 * is gone; clean up the tunnel and all its calls. */
			if (t->state != L2TP_TUNNEL_CLOSING)
				tunnel_down(ctx, t, L2TP_DOWN_UNREACHABLE, L2TP_OK, 0, 0, NULL);
			tunnel_release(ctx, t, L2TP_DOWN_UNREACHABLE);
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
		if (!tunnel_send(ctx, t, 0, now)) {
			tunnel_flush(ctx, t, now);
			return;
		}
	}
	tunnel_flush(ctx, t, now);
}

static void session_timer(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now)
{
	struct l2tp_tunnel *t = s->tunnel;

	if (s->state == L2TP_SESSION_CLOSED) {
		session_free(ctx, s);
		return;
	}
	if (s->state == L2TP_SESSION_ESTABLISHED && s->preauth && now >= s->preauth_until) {
		/* Its user did not authenticate in time: clear the call
		 * (CDN result 3, "call disconnected for administrative
		 * reasons", 4.4.2) so an unauthenticated peer keeps no port. */
		ctx->stats.preauth_timeouts++;
		session_close(ctx, s, L2TP_DOWN_PREAUTH_TIMEOUT, L2TP_OK, L2TP_CDN_ADMIN, 0, NULL,
			      true, now);
		tunnel_flush(ctx, t, now);
		return;
	}
	/* The call was not connected in time (ICRP or ICCN never came):
	 * CDN result 10, "call not established within time allotted". */
	session_close(ctx, s, L2TP_DOWN_SETUP_TIMEOUT, L2TP_OK, L2TP_CDN_TIMEOUT, 0, NULL, true,
		      now);
	tunnel_flush(ctx, t, now);
}

void l2tp_ctx_run_timers(struct l2tp_ctx *ctx, uint64_t now)
{
	while (ctx->heap_len && ctx->heap[0]->when <= now) {
		struct l2tp_timer *tm = ctx->heap[0];

		if (tm->kind == TIMER_TUNNEL) {
			struct l2tp_tunnel *t = (struct l2tp_tunnel *)tm;

			/* take it out first: the handler re-arms what it needs */
			timer_set(ctx, tm, L2TP_NEVER);
			tunnel_timer(ctx, t, now);
		} else {
			timer_set(ctx, tm, L2TP_NEVER);
			session_timer(ctx, (struct l2tp_session *)tm, now);
		}
	}
}

/* ---- API ---- */

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
	if (!ctx->peer_index || !ctx->shash) {
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
				tunnel_free(ctx, ctx->tunnels[p][i]);
	for (uint32_t i = 0; i < 256; i++)
		free(ctx->tunnels[i]);
	free(ctx->peer_index);
	free(ctx->shash);
	free(ctx->rate);
	free(ctx->heap);
	free((void *)ctx->secret.p);
	free(ctx);
}

int l2tp_tunnel_open(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
		     const struct l2tp_addr *local, uint64_t now, uint16_t *tunnel_id)
{
	struct l2tp_tunnel *t;
	enum l2tp_reason why;

	if (ctx->stats.tunnels_active >= ctx->cfg.max_tunnels)
		return -EAGAIN;
	t = tunnel_new(ctx, L2TP_ROLE_LAC, peer, local, now, &why);
	if (!t)
		return why == L2TP_R_NO_ID ? -EAGAIN : -ENOMEM;
	t->state = L2TP_TUNNEL_WAIT_CTL_REPLY;
	l2tp_msg_init(&ctx->out, L2TP_MSG_SCCRQ);
	if (!get_random(ctx, t->tie_breaker, sizeof(t->tie_breaker)) ||
	    !put_identity(ctx, t, &ctx->out)) {
		count(ctx, L2TP_R_NO_RANDOM);
		tunnel_free(ctx, t);
		return -EIO;
	}
	t->init_next = ctx->initiating;
	ctx->initiating = t;
	t->in_init_list = true;
	/* SCCRQ (6.1) to Tunnel ID 0 */
	memcpy(ctx->out.tie_breaker, t->tie_breaker, 8);
	l2tp_msg_set(&ctx->out, L2TP_AVP_TIE_BREAKER);
	if (!tunnel_send(ctx, t, 0, now)) {
		tunnel_free(ctx, t);
		return -ENOMEM;
	}
	t->announced = true; /* the caller knows it: it hears of its end */
	tunnel_flush(ctx, t, now);
	*tunnel_id = t->id;
	return 0;
}

int l2tp_session_open(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint64_t now,
		      uint16_t *session_id)
{
	struct l2tp_tunnel *t = tunnel_lookup(ctx, tunnel_id);
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
	s->state = L2TP_SESSION_WAIT_TUNNEL;
	timer_set(ctx, &s->timer, now + ctx->cfg.session_setup_timeout_ms);
	if (t->state == L2TP_TUNNEL_ESTABLISHED) {
		lac_send_icrq(ctx, s, now);
		tunnel_flush(ctx, t, now);
	}
	*session_id = s->id;
	return 0;
}

int l2tp_session_close(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
		       uint16_t result, uint16_t error, uint64_t now)
{
	struct l2tp_session *s = session_find(ctx, tunnel_id, session_id);

	if (!s || s->state == L2TP_SESSION_CLOSED)
		return -ENOENT;
	/* A LAC call still waiting for its ICRP has no peer id yet: the
	 * CDN goes with Session ID 0 and our Assigned Session ID. */
	session_close(ctx, s, L2TP_DOWN_LOCAL, L2TP_OK, result, error, NULL,
		      s->state != L2TP_SESSION_WAIT_TUNNEL, now);
	tunnel_flush(ctx, s->tunnel, now);
	return 0;
}

int l2tp_tunnel_close(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t result,
		      uint16_t error, uint64_t now)
{
	struct l2tp_tunnel *t = tunnel_lookup(ctx, tunnel_id);

	if (!t || t->state == L2TP_TUNNEL_CLOSING)
		return -ENOENT;
	tunnel_close(ctx, t, L2TP_DOWN_LOCAL, L2TP_OK, result, error, NULL, true, now);
	tunnel_flush(ctx, t, now);
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
			tunnel_flush(ctx, t, now);
		}
	}
}

void l2tp_tunnel_activity(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint64_t now)
{
	struct l2tp_tunnel *t = tunnel_lookup(ctx, tunnel_id);

	/* No heap update: the HELLO timer finds the newer time when it
	 * fires and re-arms itself. */
	if (t && now > t->last_activity)
		t->last_activity = now;
}

int l2tp_tunnel_get(const struct l2tp_ctx *ctx, uint16_t tunnel_id,
		    struct l2tp_tunnel_info *info)
{
	const struct l2tp_tunnel *t = tunnel_lookup(ctx, tunnel_id);

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
	const struct l2tp_session *s = session_find(ctx, tunnel_id, session_id);

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

int l2tp_session_authenticated(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id)
{
	struct l2tp_session *s = session_find(ctx, tunnel_id, session_id);

	if (!s)
		return -ENOENT;
	if (s->preauth) {
		preauth_end(ctx, s);
		if (s->state == L2TP_SESSION_ESTABLISHED)
			timer_set(ctx, &s->timer, L2TP_NEVER);
	}
	return 0;
}

int l2tp_tunnel_set_user(struct l2tp_ctx *ctx, uint16_t tunnel_id, void *user)
{
	struct l2tp_tunnel *t = tunnel_lookup(ctx, tunnel_id);

	if (!t)
		return -ENOENT;
	t->user = user;
	return 0;
}

int l2tp_session_set_user(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
			  void *user)
{
	struct l2tp_session *s = session_find(ctx, tunnel_id, session_id);

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
