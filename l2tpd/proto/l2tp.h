/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The L2TPv2 control plane of one server (RFC 2661), without sockets.
 *
 * An l2tp_ctx holds every tunnel and session. The caller feeds it the
 * datagrams received on UDP port 1701 (with the peer's and our address and
 * the current time), and it answers through callbacks: datagrams to send,
 * and events (tunnel up/down, session up/down). Timers are one deadline per
 * ctx: call l2tp_ctx_run_timers() when l2tp_ctx_next_deadline() is reached.
 * Callbacks must not call back into the ctx.
 *
 * Roles: LNS (we answer SCCRQ and ICRQ: the concentrator) and LAC (we open
 * tunnels and incoming calls: tests, the load generator, router links).
 * See docs/l2tp.md.
 */
#ifndef L2TP_H
#define L2TP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_codec.h"

/* A UDP endpoint. `mark` is the SO_MARK the datagram arrived with (the
 * IPsec SA it came through, see docs/ipsec-nat.md); 0 means unknown. Two
 * peers behind one NAT have the same address and port but differ in mark. */
struct l2tp_addr {
	uint8_t family;		/* AF_INET, AF_INET6 */
	uint16_t port;		/* host byte order */
	uint8_t addr[16];	/* IPv4 in the first 4 octets */
	uint32_t mark;
};

typedef int (*l2tp_random_fn)(void *arg, void *buf, size_t len);

struct l2tp_config {
	/* limits */
	uint32_t max_tunnels;			/* default 1024 */
	uint32_t max_sessions;			/* default 128: the server's "ports" */
	uint32_t max_sessions_per_tunnel;	/* default 128 */
	/*
	 * Pre-authentication budgets (docs/l2tp.md "Unauthenticated peers").
	 * A tunnel is half-open from its SCCRQ to its SCCCN: half-open ones
	 * have their own budget and lifetime, outside max_tunnels, so a flood
	 * of SCCRQs never refuses a tunnel that completes its handshake; when
	 * the budget is full the oldest half-open tunnel makes room. An
	 * LNS call is pre-auth from its ICRQ until l2tp_session_authenticated():
	 * they hold at most max_preauth_sessions ports in all and
	 * max_preauth_per_tunnel per tunnel, and are cleared after
	 * preauth_timeout_ms, so unauthenticated calls never hold every port.
	 */
	uint32_t max_half_open;			/* default 256 */
	uint32_t half_open_timeout_ms;		/* default 0: tunnel_setup_timeout_ms */
	uint32_t max_preauth_sessions;		/* default 0: half of max_sessions, >= 16 */
	uint32_t max_preauth_per_tunnel;	/* default 32 */
	uint32_t preauth_timeout_ms;		/* from ICRQ; default 0: none */
	uint32_t new_tunnel_rate;		/* per peer address, per second: 10 */
	uint32_t new_tunnel_burst;		/* 20 */
	uint32_t reply_rate, reply_burst;	/* stateless StopCCN replies: 100/s, 200 */
	/* reliable delivery, section 5.8 */
	uint16_t receive_window;		/* ours, default 16 */
	uint32_t rto_initial_ms;		/* 1000 */
	uint32_t rto_max_ms;			/* 8000 */
	uint8_t max_retries;			/* 5 */
	uint16_t max_queue;			/* control messages held per tunnel: 256 */
	/* keepalive, section 6.5: HELLO after this much silence; 0 = off */
	uint32_t hello_interval_ms;		/* 60000 */
	/* a control connection / an incoming call not established in time
	 * is cleared (a peer that acks our SCCRP or ICRP and goes quiet) */
	uint32_t tunnel_setup_timeout_ms;	/* 60000 */
	uint32_t session_setup_timeout_ms;	/* 30000 */
	/* tunnel authentication, sections 4.2 and 5.1.1; empty: none */
	const uint8_t *secret;
	size_t secret_len;
	/* what we say about ourselves in SCCRQ/SCCRP */
	const char *host_name;			/* default "l2tpd" */
	const char *vendor_name;		/* default "l2tpd" */
	uint16_t firmware_revision;
	uint32_t framing_capabilities;		/* default sync|async */
	uint32_t bearer_capabilities;		/* default 0 (none): no outgoing calls */
	bool accept_tunnels;			/* answer SCCRQ (LNS); default true */
	/* randomness for IDs, challenges, tie breakers; NULL = getrandom() */
	l2tp_random_fn random;
	void *random_arg;
};

void l2tp_config_defaults(struct l2tp_config *cfg);

enum l2tp_role { L2TP_ROLE_LNS, L2TP_ROLE_LAC };

/* Section 7.2 */
enum l2tp_tunnel_state {
	L2TP_TUNNEL_IDLE,
	L2TP_TUNNEL_WAIT_CTL_REPLY,	/* LAC: SCCRQ sent */
	L2TP_TUNNEL_WAIT_CTL_CONN,	/* LNS: SCCRP sent */
	L2TP_TUNNEL_ESTABLISHED,
	L2TP_TUNNEL_CLOSING,		/* StopCCN sent or received: draining */
	L2TP_TUNNEL_STATE_MAX
};

/* Sections 7.4.1 (LAC) and 7.4.2 (LNS), incoming calls */
enum l2tp_session_state {
	L2TP_SESSION_WAIT_TUNNEL,	/* LAC: call waits for the tunnel */
	L2TP_SESSION_WAIT_REPLY,	/* LAC: ICRQ sent */
	L2TP_SESSION_WAIT_CONNECT,	/* LNS: ICRP sent */
	L2TP_SESSION_ESTABLISHED,
	L2TP_SESSION_CLOSED,		/* CDN sent or received: id held while draining */
	L2TP_SESSION_STATE_MAX
};

const char *l2tp_tunnel_state_name(enum l2tp_tunnel_state s);
const char *l2tp_session_state_name(enum l2tp_session_state s);

/* Why a tunnel or session went down. */
enum l2tp_down_cause {
	L2TP_DOWN_NONE,
	L2TP_DOWN_PEER,			/* StopCCN / CDN received */
	L2TP_DOWN_LOCAL,		/* closed through the API */
	L2TP_DOWN_UNREACHABLE,		/* retransmissions exhausted (5.8) */
	L2TP_DOWN_PROTOCOL,		/* bad message from the peer: see reason */
	L2TP_DOWN_AUTH,			/* challenge/response failed (5.1.1) */
	L2TP_DOWN_TUNNEL,		/* session: its tunnel went down */
	L2TP_DOWN_SETUP_TIMEOUT,	/* tunnel or session never established */
	L2TP_DOWN_TIE_BREAKER,		/* tunnel: lost the tie-breaker (4.4.3) */
	L2TP_DOWN_RESOURCES,		/* session refused: limit reached */
	L2TP_DOWN_PREAUTH_TIMEOUT,	/* session: not authenticated in time */
};

const char *l2tp_down_cause_name(enum l2tp_down_cause c);

enum l2tp_event_type {
	L2TP_EV_TUNNEL_UP,	/* control connection established */
	L2TP_EV_TUNNEL_DOWN,
	/*
	 * The control connection is finally gone and its Tunnel ID free:
	 * after a StopCCN (sent or received) the tunnel is held for a full
	 * retransmission cycle so a lost acknowledgement can be answered
	 * again (section 5.7), or our StopCCN was never acknowledged and the
	 * retransmissions are exhausted (5.8), or the tunnel was lost without
	 * a StopCCN. Raised once, after TUNNEL_DOWN, for every tunnel that had
	 * a TUNNEL_DOWN; no datagram of the tunnel is sent after it.
	 * tunnel_user is what it was at TUNNEL_DOWN. Not raised by
	 * l2tp_ctx_free. Use it for what must wait until the peer can no
	 * longer need an answer (docs/ipsec.md: the IKE SA's deletion).
	 */
	L2TP_EV_TUNNEL_CLOSED,
	/*
	 * LNS: an incoming call is accepted and its ICRP is about to be sent
	 * (section 7.4.2, wait-connect); both session ids are known, msg is
	 * the ICRQ. Raised before the ICRP leaves, so a data path set up in
	 * the callback exists before the peer can answer with its ICCN and
	 * its first PPP frames (a LAC may send LCP right behind the ICCN;
	 * the kernel drops data for a session it does not know). Exactly one
	 * SESSION_UP (ICCN) or SESSION_DOWN (CDN, setup timeout, tunnel
	 * down, local close) follows for every SESSION_ACCEPTED.
	 */
	L2TP_EV_SESSION_ACCEPTED,
	L2TP_EV_SESSION_UP,	/* call established: start PPP on this session */
	L2TP_EV_SESSION_DOWN,	/* after SESSION_UP, or SESSION_ACCEPTED (LNS) */
	L2TP_EV_SESSION_SLI,	/* Set-Link-Info: msg->accm_send/recv */
	L2TP_EV_SESSION_WEN,	/* WAN-Error-Notify: msg->call_errors */
	/*
	 * LNS: an ICRQ refused for lack of resources (reason: which limit:
	 * ports, per tunnel, pre-auth budgets) with its CDN result 4 queued;
	 * msg is the ICRQ, session_id 0.
	 * Nothing was made, so nothing follows: it is for the log line an
	 * administrator needs ("why was this client refused?").
	 */
	L2TP_EV_SESSION_REFUSED,
	/*
	 * LNS: an SCCRQ refused for lack of resources (reason: tunnel-limit,
	 * rate-limited), or a half-open tunnel evicted to make room for a
	 * newer one (half-open-limit), with a stateless StopCCN result 2,
	 * error 4 (unless that reply was itself rate-limited). tunnel_id 0,
	 * peer and local set, msg the SCCRQ (peer_tunnel_id: its Assigned
	 * Tunnel ID). For the (rate-limited) log line.
	 */
	L2TP_EV_TUNNEL_REFUSED,
};

struct l2tp_event {
	enum l2tp_event_type type;
	enum l2tp_role role;
	uint16_t tunnel_id, peer_tunnel_id;
	uint16_t session_id, peer_session_id;
	const struct l2tp_addr *peer, *local;
	/* *_DOWN */
	enum l2tp_down_cause cause;
	enum l2tp_reason reason;	/* for L2TP_DOWN_PROTOCOL/AUTH/RESOURCES */
	uint16_t result_code, error_code; /* as sent or received */
	/*
	 * The message behind the event, valid during the callback only:
	 * SESSION_UP (LNS) has the ICCN with its Proxy LCP and Proxy Authen
	 * AVPs (section 4.4.5) for the PPP layer; *_DOWN by the peer has the
	 * StopCCN/CDN; SLI/WEN theirs. NULL otherwise.
	 */
	const struct l2tp_msg *msg;
	void *tunnel_user, *session_user;
};

/*
 * Tracing (docs/l2tp.md "Tracing"): every state change of the tunnel
 * machine (RFC 2661 section 7.2) and of the call machine (7.4) goes through
 * one setter per machine, which hands the change to l2tp_ops.trace. For a
 * debug log; the library itself writes nothing.
 */
enum l2tp_trace_machine { L2TP_TRACE_TUNNEL, L2TP_TRACE_SESSION };

/* What made the machine move, in the words of the section 7 tables. */
enum l2tp_trace_event {
	L2TP_TEV_LOCAL_OPEN,		/* l2tp_tunnel_open(), l2tp_session_open() */
	L2TP_TEV_RX_SCCRQ,
	L2TP_TEV_RX_SCCRP,
	L2TP_TEV_RX_SCCCN,
	L2TP_TEV_RX_STOPCCN,
	L2TP_TEV_TUNNEL_UP,		/* LAC call: its tunnel is open, ICRQ sent */
	L2TP_TEV_RX_ICRQ,
	L2TP_TEV_RX_ICRP,
	L2TP_TEV_RX_ICCN,
	L2TP_TEV_RX_CDN,
	L2TP_TEV_LOCAL_CLOSE,		/* l2tp_*_close(), l2tp_ctx_close_all() */
	L2TP_TEV_PROTOCOL_ERROR,	/* malformed or out-of-place message */
	L2TP_TEV_AUTH_FAILED,		/* tunnel challenge/response (5.1.1) */
	L2TP_TEV_NO_RESOURCES,		/* a limit, a full queue, no randomness */
	L2TP_TEV_SETUP_TIMEOUT,
	L2TP_TEV_PREAUTH_TIMEOUT,
	L2TP_TEV_UNREACHABLE,		/* retransmissions exhausted (5.8) */
	L2TP_TEV_TIE_BREAKER,		/* lost the tie breaker (4.4.3) */
	L2TP_TEV_TUNNEL_DOWN,		/* call: its tunnel went down */
	L2TP_TEV_DRAINED,		/* the hold after StopCCN/CDN is over: freed */
	L2TP_TEV_MAX
};

/* A call before it exists and after it is freed, a tunnel after it is
 * freed: the tables' "idle" (a tunnel also starts in L2TP_TUNNEL_IDLE). */
#define L2TP_TRACE_IDLE (-1)

struct l2tp_trace {
	enum l2tp_trace_machine machine;
	enum l2tp_role role;
	enum l2tp_trace_event event;
	/* enum l2tp_tunnel_state or l2tp_session_state, or L2TP_TRACE_IDLE;
	 * from != to always */
	int from, to;
	uint16_t tunnel_id, peer_tunnel_id;
	uint16_t session_id, peer_session_id;	/* 0 for the tunnel machine */
	/* The user pointers; session_user is NULL once SESSION_DOWN was
	 * reported (the caller may have freed it). */
	void *tunnel_user, *session_user;
};

const char *l2tp_trace_event_name(enum l2tp_trace_event e);
/* "idle" for L2TP_TRACE_IDLE, else the state's name in that machine. */
const char *l2tp_trace_state_name(enum l2tp_trace_machine m, int state);

/* What l2tp_ops.accept_tunnel says about a new control connection. */
enum l2tp_accept {
	L2TP_ACCEPT,		/* go on: SCCRP */
	L2TP_ACCEPT_REFUSE,	/* StopCCN result 4 "requester is not authorized" (4.4.2) */
	L2TP_ACCEPT_DEFER,	/* no answer: the peer retransmits its SCCRQ (5.8) */
	L2TP_ACCEPT_BUSY,	/* not now: StopCCN result 2, error 4 "insufficient
				 * resources to handle this operation now" (4.4.2) */
};

struct l2tp_ops {
	void (*send)(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		     const uint8_t *buf, size_t len);
	void (*event)(void *arg, const struct l2tp_event *ev);
	/* LNS, optional: asked once per new SCCRQ that passed the protocol
	 * checks, before a tunnel exists (e.g. "does this peer hold an IPsec
	 * SA?"). NULL accepts every peer. Must not call into the ctx. */
	enum l2tp_accept (*accept_tunnel)(void *arg, const struct l2tp_addr *peer,
					  const struct l2tp_addr *local);
	/* Optional: every state change of a tunnel or call (see struct
	 * l2tp_trace). Must not call into the ctx. */
	void (*trace)(void *arg, const struct l2tp_trace *t);
};

struct l2tp_stats {
	uint64_t rejects[L2TP_R_MAX];	/* one counter per rejection reason */
	uint64_t rx_datagrams, rx_messages, rx_zlb;
	uint64_t tx_datagrams, retransmits, stateless_replies, hellos_sent;
	uint64_t tunnels_created, tunnels_established, tunnels_freed;
	uint64_t sessions_created, sessions_established, sessions_freed;
	uint64_t unknown_optional_avps, vendor_avps;
	uint32_t tunnels_active, tunnels_draining;
	uint32_t sessions_active, sessions_draining;
	uint32_t tunnels_half_open;	/* LNS: SCCRQ answered, no SCCCN yet (in tunnels_active) */
	uint32_t sessions_preauth;	/* LNS: not yet authenticated (in sessions_active) */
	uint64_t preauth_timeouts;	/* calls cleared for not authenticating in time */
};

struct l2tp_ctx;

/* NULL on bad config or no memory. The ctx copies cfg (and the secret and
 * names it points to). */
struct l2tp_ctx *l2tp_ctx_new(const struct l2tp_config *cfg, const struct l2tp_ops *ops,
			      void *arg);
/* A reload (docs/operations.md "Reload"): take the limits (max_*,
 * new_tunnel_*), hello_interval_ms and the retransmission timers of cfg;
 * the rest of cfg is ignored. -1 (nothing changed) on bad timers. */
int l2tp_ctx_set_limits(struct l2tp_ctx *ctx, const struct l2tp_config *cfg);
/* Drain (l2tpctl drain): while on, every ICRQ is answered with CDN result
 * 4, "lack of appropriate facilities (temporary condition)" (RFC 2661
 * 4.4.2), and reported as L2TP_EV_SESSION_REFUSED with reason
 * L2TP_R_CALLS_REFUSED; calls already up are untouched. */
void l2tp_ctx_refuse_calls(struct l2tp_ctx *ctx, bool on);
/* Free everything at once, sending nothing (use l2tp_ctx_close_all first
 * for an orderly stop). */
void l2tp_ctx_free(struct l2tp_ctx *ctx);

/* One UDP datagram received from peer on local at time now (ms). */
void l2tp_ctx_input(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
		    const struct l2tp_addr *local, const uint8_t *buf, size_t len,
		    uint64_t now);

/* The earliest time l2tp_ctx_run_timers must be called; UINT64_MAX: none. */
uint64_t l2tp_ctx_next_deadline(const struct l2tp_ctx *ctx);
void l2tp_ctx_run_timers(struct l2tp_ctx *ctx, uint64_t now);

/* LAC role: open a tunnel (SCCRQ) to peer. Returns 0 and our tunnel id,
 * or a negative errno (-EAGAIN at a limit, -ENOMEM, -EIO when the random
 * source failed: no tie breaker or challenge). */
int l2tp_tunnel_open(struct l2tp_ctx *ctx, const struct l2tp_addr *peer,
		     const struct l2tp_addr *local, uint64_t now, uint16_t *tunnel_id);
/* LAC role: place an incoming call (ICRQ) on a tunnel; it waits for the
 * tunnel if it is not up yet. */
int l2tp_session_open(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint64_t now,
		      uint16_t *session_id);
/* Close with a CDN / StopCCN carrying this result and error code. */
int l2tp_session_close(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
		       uint16_t result, uint16_t error, uint64_t now);
int l2tp_tunnel_close(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t result,
		      uint16_t error, uint64_t now);
/* Orderly stop: StopCCN "requester is being shut down" (4.4.2, result 6)
 * on every tunnel; they drain and free through the timers. */
void l2tp_ctx_close_all(struct l2tp_ctx *ctx, uint64_t now);
/* Tunnels holding a control message the peer has not acknowledged yet
 * (a StopCCN among them). A walk of the tunnel table: for a daemon that
 * stops and waits for its StopCCNs, not for a per-packet path. */
uint32_t l2tp_ctx_unacknowledged(const struct l2tp_ctx *ctx);

/* LNS: the call's user authenticated (PPP): it leaves the pre-auth
 * budgets and its pre-auth lifetime. Returns 0, or -ENOENT. */
int l2tp_session_authenticated(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id);

/* The data path saw traffic on the tunnel: postpone its HELLO. O(1). */
void l2tp_tunnel_activity(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint64_t now);

struct l2tp_tunnel_info {
	uint16_t id, peer_id;
	enum l2tp_role role;
	enum l2tp_tunnel_state state;
	struct l2tp_addr peer, local;
	uint32_t sessions;		/* not counting closed ones */
	uint16_t peer_rws;
	uint16_t peer_firmware_revision;
	uint32_t peer_framing_capabilities, peer_bearer_capabilities;
	const char *peer_host_name;	/* NUL-terminated, truncated to 63 */
	const char *peer_vendor_name;	/* NUL-terminated, truncated to 31 */
	void *user;
};

struct l2tp_session_info {
	uint16_t tunnel_id, session_id, peer_tunnel_id, peer_session_id;
	enum l2tp_role role;
	enum l2tp_session_state state;
	uint32_t call_serial_number;
	bool authenticated;		/* LNS: l2tp_session_authenticated() was called */
	void *user;
};

int l2tp_tunnel_get(const struct l2tp_ctx *ctx, uint16_t tunnel_id,
		    struct l2tp_tunnel_info *info);
int l2tp_session_get(const struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
		     struct l2tp_session_info *info);
int l2tp_tunnel_set_user(struct l2tp_ctx *ctx, uint16_t tunnel_id, void *user);
int l2tp_session_set_user(struct l2tp_ctx *ctx, uint16_t tunnel_id, uint16_t session_id,
			  void *user);

const struct l2tp_stats *l2tp_ctx_stats(const struct l2tp_ctx *ctx);

/* Memory accounting, for the benchmark and the budget test. */
size_t l2tp_sizeof_tunnel(void);
size_t l2tp_sizeof_session(void);

#endif
