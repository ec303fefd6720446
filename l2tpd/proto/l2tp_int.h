/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the control plane, shared by its files (ctx.c, tables.c,
 * timers.c, admission.c, tunnel.c, call.c) and by the tests that check the
 * memory budget. Not part of the API: l2tp.h is. Functions named l2tpc_*
 * are private to the control plane (a prefix of their own so they never
 * clash with the daemon's symbols in one link).
 */
#ifndef L2TP_INT_H
#define L2TP_INT_H

#include "l2tp.h"
#include "l2tp_transport.h"
#include "timerheap.h"

enum { TIMER_TUNNEL = 1, TIMER_SESSION = 2 };

/* l2tp_session.state of a call just made, before its first state: the
 * tables' "idle" (traced as L2TP_TRACE_IDLE). Never seen outside call.c. */
#define SESSION_NEW 0xff

/* An entry of the ctx's deadline min-heap, embedded first in its owner. */
/* A tunnel's or a call's one deadline, a node of lib's min-heap (kind:
 * TIMER_TUNNEL or TIMER_SESSION). */
struct l2tp_timer {
	struct timer_node node;
};

struct l2tp_session {
	struct l2tp_timer timer;	/* first: the heap hands out this pointer */
	struct l2tp_session *hnext;	/* ctx session hash chain */
	struct l2tp_session *next, *prev; /* the tunnel's sessions */
	struct l2tp_tunnel *tunnel;
	void *user;
	uint32_t call_serial;
	uint16_t id, peer_id;
	uint8_t state, role;		/* state: SESSION_NEW until the first set */
	bool announced;			/* SESSION_ACCEPTED, SESSION_UP or open() made it known */
	bool preauth;			/* LNS, counted in the pre-auth budgets */
	uint64_t preauth_until;		/* LNS, preauth: cleared at this time */
};

struct l2tp_tunnel {
	struct l2tp_timer timer;	/* first: the heap hands out this pointer */
	struct l2tp_xport x;
	struct l2tp_tunnel *peer_next;	/* SCCRQ retransmit index chain (LNS) */
	struct l2tp_tunnel *init_next;	/* LAC tunnels in WAIT_CTL_REPLY */
	struct l2tp_tunnel *half_next, *half_prev; /* half-open ones, oldest first */
	struct l2tp_session *sessions;
	void *user;
	struct l2tp_addr peer, local;
	uint64_t last_activity;		/* for HELLO (section 6.5) */
	uint64_t drain_at;		/* CLOSING: free at this time */
	uint64_t setup_at;		/* WAIT_CTL_*: give up at this time */
	uint64_t up_at;			/* when it was established */
	uint32_t n_sessions;		/* not counting closed ones */
	uint32_t n_sessions_all;
	uint32_t n_preauth;		/* sessions not yet authenticated */
	uint32_t call_serial;
	uint32_t peer_framing, peer_bearer;
	uint16_t id, peer_id;
	uint16_t peer_firmware;
	uint8_t state, role;
	bool in_peer_index, in_init_list;
	bool half_open;			/* LNS: counted in tunnels_half_open */
	bool challenged;		/* we sent a Challenge: the response is due */
	bool announced;			/* TUNNEL_UP emitted or opened by us */
	bool closed_owed;		/* TUNNEL_DOWN emitted: TUNNEL_CLOSED follows */
	uint8_t tie_breaker[8];
	uint8_t challenge[16];
	char peer_host[64];
	char peer_vendor[32];
};

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

	struct timerheap heap;		/* deadlines of tunnels and calls (lib) */
	uint64_t hash_seed;		/* start of the peer-address hashes (tables.c) */

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

/* ctx.c */
bool l2tpc_get_random(struct l2tp_ctx *ctx, void *buf, size_t len);
void l2tpc_count(struct l2tp_ctx *ctx, enum l2tp_reason r);
void l2tpc_emit(struct l2tp_ctx *ctx, enum l2tp_event_type type, struct l2tp_tunnel *t,
		struct l2tp_session *s, enum l2tp_down_cause cause, enum l2tp_reason reason,
		uint16_t result, uint16_t error, const struct l2tp_msg *msg);
void l2tpc_set_result(struct l2tp_msg *m, uint16_t result, uint16_t error);
uint16_t l2tpc_error_for(enum l2tp_reason r);
void l2tpc_trace(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, struct l2tp_session *s, int from,
		 int to, enum l2tp_trace_event ev);
enum l2tp_trace_event l2tpc_close_event(enum l2tp_down_cause cause, bool session);

/* tables.c */
struct l2tp_tunnel *l2tpc_tunnel_lookup(const struct l2tp_ctx *ctx, uint16_t id);
bool l2tpc_tunnel_slot_set(struct l2tp_ctx *ctx, uint16_t id, struct l2tp_tunnel *t);
uint64_t l2tpc_host_key(const struct l2tp_ctx *ctx, const struct l2tp_addr *a);
bool l2tpc_same_host(const struct l2tp_addr *a, const struct l2tp_addr *b);
bool l2tpc_same_endpoint(const struct l2tp_addr *a, const struct l2tp_addr *b);
void l2tpc_peer_index_add(struct l2tp_ctx *ctx, struct l2tp_tunnel *t);
void l2tpc_peer_index_del(struct l2tp_ctx *ctx, struct l2tp_tunnel *t);
struct l2tp_tunnel *l2tpc_peer_index_find(struct l2tp_ctx *ctx, const struct l2tp_addr *a,
					  uint16_t peer_tid);
void l2tpc_init_list_del(struct l2tp_ctx *ctx, struct l2tp_tunnel *t);
uint32_t l2tpc_session_slot(const struct l2tp_ctx *ctx, uint16_t tid, uint16_t sid);
struct l2tp_session *l2tpc_session_find(const struct l2tp_ctx *ctx, uint16_t tid,
					uint16_t sid);
void l2tpc_shash_grow(struct l2tp_ctx *ctx);
uint16_t l2tpc_random_id(struct l2tp_ctx *ctx, bool (*used)(struct l2tp_ctx *, uint16_t, void *),
			 void *arg);

/* timers.c */
bool l2tpc_heap_reserve(struct l2tp_ctx *ctx, uint32_t owners);
void l2tpc_timer_set(struct l2tp_ctx *ctx, struct l2tp_timer *t, uint64_t when);

/* admission.c */
void l2tpc_half_open_end(struct l2tp_ctx *ctx, struct l2tp_tunnel *t);
void l2tpc_handle_sccrq(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
			const struct l2tp_addr *local, const struct l2tp_header *h,
			const uint8_t *buf, size_t len, enum l2tp_reason rc, uint64_t now);

/* tunnel.c */
/* The tunnel machine's one setter: every change of t->state. */
void l2tpc_tunnel_set_state(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			    enum l2tp_tunnel_state to, enum l2tp_trace_event ev);
void l2tpc_tunnel_trace_end(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			    enum l2tp_trace_event ev);
void l2tpc_tunnel_flush(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now);
bool l2tpc_tunnel_send(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint16_t session_id,
		       uint64_t now);
struct l2tp_tunnel *l2tpc_tunnel_new(struct l2tp_ctx *ctx, enum l2tp_role role,
				     const struct l2tp_addr *peer, const struct l2tp_addr *local,
				     uint64_t now, enum l2tp_reason *why);
void l2tpc_tunnel_free(struct l2tp_ctx *ctx, struct l2tp_tunnel *t);
void l2tpc_tunnel_down(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause,
		       enum l2tp_reason reason, uint16_t result, uint16_t error,
		       const struct l2tp_msg *peer_msg);
void l2tpc_tunnel_release(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, enum l2tp_down_cause cause);
void l2tpc_tunnel_rx(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, const struct l2tp_header *h,
		     const uint8_t *buf, size_t len, enum l2tp_reason rc, uint64_t now);
void l2tpc_tunnel_timer(struct l2tp_ctx *ctx, struct l2tp_tunnel *t, uint64_t now);

/* call.c */
void l2tpc_session_trace_end(struct l2tp_ctx *ctx, struct l2tp_session *s,
			     enum l2tp_trace_event ev);
void l2tpc_session_free(struct l2tp_ctx *ctx, struct l2tp_session *s);
void l2tpc_lac_send_icrq(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now);
void l2tpc_session_deliver(struct l2tp_ctx *ctx, struct l2tp_tunnel *t,
			   const struct l2tp_header *h, const struct l2tp_msg *m,
			   enum l2tp_reason rc, uint64_t now);
void l2tpc_session_timer(struct l2tp_ctx *ctx, struct l2tp_session *s, uint64_t now);

#endif
