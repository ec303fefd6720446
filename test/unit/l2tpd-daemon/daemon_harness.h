/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (docs/development.md, "Driving the daemon in
 * memory"): a real struct server (server.c, session.c, ctl.c, ipsec.c) made
 * with server_init_io and a struct server_io of the test's own:
 *
 *   - the clock is h->now; it moves only in dh_advance, and every deadline
 *     due on the way fires through the daemon's own timers (the control
 *     plane's and the timer heap, server_run_timers) in deadline order;
 *   - the UDP listener is a queue: what the fake peer sends is read by the
 *     daemon through io.recv; what the daemon sends (io.send) is decoded
 *     and kept in h->pkts, and acknowledged by the peer;
 *   - the data plane is the null one (dp_null.h): it records what the
 *     daemon asked of it, and carries PPP frames between the daemon and
 *     the peer's PPP client;
 *   - the policy is built from struct dh_opts (pool, profile lines),
 *     written to a temporary folder and loaded as l2tpd loads it;
 *   - random bytes come from one xorshift stream: every run is the same.
 *
 * The fake peer is a LAC built from our own libraries: the L2TP codec
 * (l2tpd/proto) with its own Ns/Nr, and ppp-core in the client role for
 * LCP, authentication and IPCP, one per call (struct dh_call).
 */
#ifndef L2TPD_DAEMON_HARNESS_H
#define L2TPD_DAEMON_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dp_null.h"
#include "server.h"

#define DH_MAX_PKTS 256
#define DH_MAX_CALLS 8
#define DH_MAX_OUT 16		/* PPP frames a call queues between two pumps */

/* A control message the daemon sent to the peer, decoded. */
struct dh_pkt {
	struct l2tp_header hdr;
	uint16_t type;		/* enum l2tp_msg_type; 0 for a ZLB */
	uint16_t result, error;
	uint16_t assigned_tunnel_id, assigned_session_id;
	uint64_t at;		/* h->now when it was sent */
	uint64_t ppp_frames;	/* PPP frames the daemon had sent on all calls by then */
};

struct dh;

/* One call of the peer: its L2TP session and the PPP client on it. */
struct dh_call {
	struct dh *h;
	uint16_t peer_sid;	/* the LAC's session id */
	uint16_t sid;		/* the daemon's (from its ICRP), 0 before */
	struct dp_session *dp;	/* the null plane's session for it (kept when deleted) */
	uint64_t delivered;	/* frames of dp->sent given to the client */
	struct ppp_client_credentials cred;
	struct ppp_config pcfg;	/* the harness's, with cred */
	enum ppp_auth_method method;	/* what the client accepts */
	bool sequencing_required;	/* its ICCN asks for Ns/Nr on data (RFC 2661 4.4.6) */
	bool silent;			/* the client hears nothing more (a dead peer) */
	uint16_t deaf_to;		/* a PPP protocol the client never hears (0: none),
					 * e.g. an NCP it neither runs nor rejects */
	struct ppp_session ppp;
	bool ppp_started;
	uint64_t ppp_deadline;	/* 0: none */
	struct {
		size_t len;
		uint8_t data[DP_NULL_FRAME_MAX];
	} out[DH_MAX_OUT];	/* frames for the daemon, not yet delivered */
	unsigned n_out;
	/* what the client saw */
	bool link_up, auth_done, auth_ok, ipcp_up, link_down;
	uint16_t auth_code;	/* E= of a refusal (enum ppp_auth_failure) */
	uint32_t addr, server_addr, dns[2];	/* from IPCP, host order */
	/* the null plane's session as the client's authentication ended
	 * (it sees Success before IPCP): the documented order */
	bool dp_netdev_at_auth, dp_ip_set_at_auth;
};

/* Settings a test may change before dh_start. */
struct dh_opts {
	/* The policy (docs/policy.md): users alice (password "alice-pw",
	 * dial_in allow) and bob ("bob-pw", dial_in deny), MS-CHAPv2, one
	 * policy "everyone" for L2TP granting the profile below. */
	const char *pool;		/* its IPv4 range; NULL: 198.51.100.10-11; "": no pool */
	const char *profile;		/* more profile lines; NULL: "dns = 192.0.2.53" */
	const char *auth;		/* server.auth_methods and the profile's auth;
					 * NULL: "mschapv2" */
	struct dp_null_config dp;	/* the null plane's behaviour */
	void (*tweak)(struct l2tpd_config *cfg);	/* after the harness's defaults */
};

struct dh {
	sd_event *event;
	struct server srv;
	struct l2tpd_config cfg;
	char dir[64];			/* temporary: policy file, plugin socket */
	char policy_path[96];
	uint64_t now;
	/* datagrams for the daemon's listener (io.recv pops them) */
	struct dh_dgram *rx_head, **rx_tail;
	int listen_fd;
	/* what the daemon sent, in order */
	struct dh_pkt *pkts;
	size_t npkts;
	/* the LAC */
	struct l2tp_addr peer, local;
	uint16_t tid, ctx_tid, ns, nr;
	bool auto_ack;			/* ZLB for every message (default on) */
	struct dh_call *calls[DH_MAX_CALLS];
	size_t ncalls;
	struct ppp_config pcfg;		/* the clients' */
	uint64_t rnd;
	struct dataplane_ops dp_ops;	/* the null plane with the test's config */
	struct dp_null_config dpcfg;
	int plugin_fd;			/* dh_plugin_connect, or -1 */
};

/* Start the daemon (asserts it starts). opts NULL: the defaults. */
void dh_start(struct dh *h, const struct dh_opts *opts);
void dh_stop(struct dh *h);

/* Run the exchange until nobody has anything to say (no time passes). */
void dh_pump(struct dh *h);
/* Let ms milliseconds pass: every deadline on the way fires in order
 * (daemon and peer), each followed by a pump. */
void dh_advance(struct dh *h, uint64_t ms);

/* The peer's tunnel: SCCRQ, SCCRP, SCCCN (asserts the SCCRP). */
void dh_tunnel_open(struct dh *h);
/* Its first step only: the SCCRQ (RFC 2661 6.1), and the daemon's answer. */
void dh_tunnel_request(struct dh *h);
/* A call: ICRQ, and the ICRP (asserts it; c->sid, c->dp set). */
void dh_call_request(struct dh *h, struct dh_call *c, uint16_t peer_sid, const char *user,
		     const char *password);
/* The call's ICCN (RFC 2661 7.4.1: the LAC is established once it sent it). */
void dh_call_connect(struct dh_call *c);
/* The client's PPP starts (its LCP Configure-Request goes out at the next pump). */
void dh_call_start_ppp(struct dh_call *c);
/* All three and a pump: a call as a client makes it. */
void dh_call_open(struct dh *h, struct dh_call *c, uint16_t peer_sid, const char *user,
		  const char *password);

/* Send a control message from the peer (header tunnel = the daemon's). */
void dh_peer_send(struct dh *h, struct l2tp_msg *m, uint16_t sid);

/* What the daemon sent, from index `from` on: the first of `type`, or NULL;
 * how many. */
const struct dh_pkt *dh_find(const struct dh *h, size_t from, uint16_t type);
size_t dh_count(const struct dh *h, size_t from, uint16_t type);
/* The CDN the daemon sent for the call, from index `from` on (its header
 * session is the LAC's id, RFC 2661 3.1), or NULL. */
const struct dh_pkt *dh_cdn(const struct dh *h, const struct dh_call *c, size_t from);

/* An l2tpctl request through the control socket's request path; the reply
 * (caller frees). */
char *dh_ctl(struct dh *h, const char *line);

/* The charon plugin (docs/ipsec.md), played over the daemon's real unix
 * socket: connect and replay one IKE_SA with an L2TP CHILD_SA from the
 * peer's address (HELLO, IKE_UP, CHILD_UP, REPLAY_END), the event loop
 * dispatched until the daemon has taken them in (no time passes). */
void dh_plugin_connect(struct dh *h, uint32_t ike_id, uint32_t child_id);
/* The plugin reports the IKE_SA gone (IKE_DOWN), dispatched until the
 * daemon has taken it in. */
void dh_plugin_ike_down(struct dh *h, uint32_t ike_id);
/* A message the daemon sent the plugin: its type, or 0 when none is
 * waiting; *ike_id its IKE_SA id. */
unsigned dh_plugin_recv(struct dh *h, uint32_t *ike_id);

/* The daemon's session for a call, or NULL when it is gone. */
struct session *dh_session(struct dh *h, const struct dh_call *c);

/* The daemon logs to stderr (log.c): a test reads what it logged between
 * start and end from a temporary file. end returns the text (caller
 * frees) and puts stderr back. */
struct dh_log_capture {
	FILE *file;
	int saved;
};
void dh_log_capture_start(struct dh_log_capture *c);
char *dh_log_capture_end(struct dh_log_capture *c);

#endif
