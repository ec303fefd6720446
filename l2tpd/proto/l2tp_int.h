/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals of the control plane, shared by ctx.c and the tests that
 * check the memory budget. Not part of the API.
 */
#ifndef L2TP_INT_H
#define L2TP_INT_H

#include "l2tp.h"
#include "l2tp_transport.h"

enum { TIMER_TUNNEL = 1, TIMER_SESSION = 2 };

/* An entry of the ctx's deadline min-heap, embedded first in its owner. */
struct l2tp_timer {
	uint64_t when;		/* L2TP_NEVER: not in the heap */
	uint32_t idx;		/* position in the heap */
	uint8_t kind;
};

struct l2tp_session {
	struct l2tp_timer timer;	/* first: the heap hands out this pointer */
	struct l2tp_session *hnext;	/* ctx session hash chain */
	struct l2tp_session *next, *prev; /* the tunnel's sessions */
	struct l2tp_tunnel *tunnel;
	void *user;
	uint32_t call_serial;
	uint16_t id, peer_id;
	uint8_t state, role;
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

#endif
