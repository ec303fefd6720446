/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test harness for the L2TP control plane: a ctx with deterministic
 * randomness, everything it sends and every event it raises captured, and
 * a scripted peer that speaks through our encoder with its own Ns/Nr.
 */
#ifndef L2TP_TEST_HARNESS_H
#define L2TP_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp.h"

#define H_MAX_PKTS 256
#define H_MAX_EVENTS 256
#define H_MAX_TRACES 256

struct h_pkt {
	uint8_t data[L2TP_MAX_CTRL];
	size_t len;
	struct l2tp_addr to;
	struct l2tp_header hdr;
	uint16_t type;		/* 0 for a ZLB */
	uint16_t result, error;
	uint16_t assigned_tunnel_id, assigned_session_id;
	bool has_challenge, has_response;
	uint8_t challenge[16];
	uint8_t response[16];
};

struct h_event {
	enum l2tp_event_type type;
	uint16_t tunnel_id, session_id, peer_session_id;
	enum l2tp_down_cause cause;
	enum l2tp_reason reason;
	uint16_t result, error;
	size_t npkts_before;	/* packets the ctx had sent when it raised this */
	void *session_user;	/* as the event carried it */
	/* SESSION_UP: proxy AVPs seen in the ICCN */
	bool has_proxy_lcp, has_proxy_auth;
	char proxy_name[32];
};

struct h_peer;

struct harness {
	struct l2tp_ctx *ctx;
	struct l2tp_config cfg;
	uint64_t rnd;		/* xorshift state */
	uint64_t now;
	struct h_pkt *pkts;	/* H_MAX_PKTS */
	size_t npkts;
	struct h_event events[H_MAX_EVENTS];
	size_t nevents;
	/* every l2tp_ops.trace record, in order (h_clear empties it) */
	struct l2tp_trace traces[H_MAX_TRACES];
	size_t ntraces;
	struct h_peer *peers[8];	/* scripted peers learn Nr from our sends */
	size_t npeers;
	/* l2tp_ops.accept_tunnel; NULL accepts (set after h_init) */
	enum l2tp_accept (*accept)(struct harness *h, const struct l2tp_addr *peer);
	unsigned accept_calls;
	/* SESSION_ACCEPTED: tag the call with l2tp_session_set_user (as the
	 * daemon does), so later events can be checked to carry it */
	bool tag_accepted;
	/* a failing random source: with random_limited, the next
	 * random_left draws succeed, every later one fails */
	bool random_limited;
	unsigned random_left;
	unsigned random_failures;
};

/* The tag h_init's event callback gives an accepted call. */
#define H_SESSION_TAG(sid) ((void *)(uintptr_t)(0x10000u + (sid)))

/* The scripted peer: a LAC (or LNS) we drive by hand. */
struct h_peer {
	struct harness *h;
	struct l2tp_addr addr;
	uint16_t tid;		/* its own tunnel id */
	uint16_t ctx_tid;	/* the ctx's tunnel id (from SCCRP / SCCRQ) */
	uint16_t ns, nr;
};

extern const struct l2tp_addr h_local;

/* cfg_tweak may adjust the defaults before the ctx is made. */
void h_init(struct harness *h, uint64_t seed, void (*cfg_tweak)(struct l2tp_config *));
void h_fini(struct harness *h);
void h_clear(struct harness *h);
void h_addr(struct l2tp_addr *a, uint8_t last_octet, uint16_t port, uint32_t mark);

/* Captured packets / events of one type; NULL if none. */
const struct h_pkt *h_find(const struct harness *h, uint16_t type);
size_t h_count(const struct harness *h, uint16_t type);
size_t h_count_events(const struct harness *h, enum l2tp_event_type type);
const struct h_event *h_find_event(const struct harness *h, enum l2tp_event_type type);

/* Advance time to t and run due timers. */
void h_advance(struct harness *h, uint64_t t);

void h_peer_init(struct h_peer *p, struct harness *h, uint8_t last_octet, uint16_t tid);
/* Send m (encoded by our encoder) with the peer's Ns/Nr; the header
 * tunnel is p->ctx_tid, session sid. The peer learns Nr from what the ctx
 * sent back. */
void h_peer_send(struct h_peer *p, const struct l2tp_msg *m, uint16_t sid);
/* Re-send raw bytes as they are. */
void h_peer_send_raw(struct h_peer *p, const uint8_t *buf, size_t len);
/* Windows-like SCCRQ (docs/interop.md). */
void h_msg_windows_sccrq(struct l2tp_msg *m, uint16_t tid);
/* Bring a tunnel up against the ctx as LNS: SCCRQ, SCCRP, SCCCN. */
void h_peer_establish(struct h_peer *p);
/* Place a call: ICRQ, ICRP, ICCN. Returns the ctx's session id. */
uint16_t h_peer_call(struct h_peer *p, uint16_t peer_sid);

#endif
