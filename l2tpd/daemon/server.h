/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The l2tpd server: joins the L2TP control plane (l2tpd/proto), PPP
 * (ppp-core), remote-access policy (policy/) and a data-plane backend
 * (dataplane/) into sessions, on one sd-event loop. See docs/l2tpd.md.
 */
#ifndef L2TPD_SERVER_H
#define L2TPD_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "auththrottle.h"
#include "config.h"
#include "dataplane.h"
#include "fdbudget.h"
#include "filter.h"
#include "ipsec.h"
#include "l2tp.h"
#include "log_ratelimit.h"
#include "net.h"
#include "policy.h"
#include "routes.h"
#include "ppp/ppp.h"
#include "timerheap.h"
#include "usercount.h"

struct server;
struct tunnel;
struct dhcp_inform;
struct dhcp_inform_link;
struct router_adv;
struct ra_link;
struct dhcp6_pd;
struct dhcp6_link;

/*
 * What the server asks of the world outside the process: the monotonic
 * clock, its UDP sockets (net.c) and which data plane to run (dpchoice.c).
 * Given once to server_init_io and copied into struct server; the daemon
 * runs with server_io_system. A unit test gives its own (an injected clock,
 * in-memory datagram queues, the null data plane: docs/development.md
 * "Driving the daemon in memory"). Per packet this costs one indirect call,
 * and nothing per session: it lives in the server, not in the sessions.
 */
struct server_io {
	void *ctx;			/* passed to every function below */
	/* CLOCK_MONOTONIC in milliseconds: every deadline of the control
	 * plane, PPP and the timer heap is on this clock. */
	uint64_t (*now_ms)(void *ctx);
	/* net_listen_udp, net_recv, net_send (net.h) with ctx first */
	int (*listen_udp)(void *ctx, const struct sockaddr_storage *addr, uint16_t port,
			  int *wildcard);
	ssize_t (*recv)(void *ctx, int fd, uint8_t *buf, size_t cap, struct l2tp_addr *peer,
			struct l2tp_addr *local, struct sockaddr_storage *from);
	int (*send)(void *ctx, int fd, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		    int set_source, const uint8_t *buf, size_t len);
	/* Unpredictable bytes: tunnel and session ids (RFC 2661 5.1), PPP
	 * challenges and magic numbers. 0, or -1 when none could be had
	 * (the caller then refuses rather than use predictable ones). */
	int (*random)(void *ctx, void *buf, size_t len);
	/* The data plane to run; NULL: chosen from l2tpd.conf (dpchoice.h). */
	const struct dataplane_ops *dataplane;
	/* The alarm for the next deadline on now_ms's clock (UINT64_MAX:
	 * none). NULL: the loop's own sd-event timers, which are on
	 * sd-event's clock and so only right with the real now_ms. A caller
	 * with a clock of its own (the unit-test harness) runs
	 * server_run_timers when its clock reaches a deadline and keeps the
	 * loop's timers off: a real timer armed at an injected time would
	 * fire by the machine's uptime, not by the test's clock. */
	void (*arm_timer)(void *ctx, uint64_t deadline_ms);
};

/* The real one: sd-event's clock (ctx NULL: the server's loop), net.c's
 * sockets, getrandom(), the data plane l2tpd.conf asks for. */
extern const struct server_io server_io_system;

struct listener {
	struct server *srv;
	int fd;
	sd_event_source *src;
	struct sockaddr_storage addr;	/* bound address (port included) */
	bool wildcard;
};

/* How long server_stop waits for the StopCCNs to be acknowledged. */
#define STOP_DRAIN_MS 2000

/* timer_node.kind of a session's two timers, and of the server's own */
enum session_timer { SESSION_TIMER_PPP, SESSION_TIMER_LIMIT, SERVER_TIMER_ACCEPT,
		     SERVER_TIMER_CTL_IDLE, SERVER_TIMER_DHCP,
		     SERVER_TIMER_RA,	/* a session's router advertisements (router_adv.c) */
		     SERVER_TIMER_STOP,		/* server_stop's wait for StopCCN acknowledgements */
		     SERVER_TIMER_CALLBACK };	/* a struct server_timer: its fn runs */

/* A timer on the heap whose owner is called back (the RADIUS engines'
 * retransmissions: one node per engine, armed at its next deadline). */
struct server_timer {
	struct timer_node node;		/* kind SERVER_TIMER_CALLBACK */
	void (*fn)(void *ctx, uint64_t now);
	void *ctx;
};

/*
 * A listening unix socket whose accept() can fail for want of descriptors
 * (EMFILE, ENFILE) or memory (ENOBUFS, ENOMEM). The connection stays in
 * the backlog and the socket stays readable: watched level-triggered, the
 * loop would spin. So the gate turns the listener's event off and on again
 * when the daemon closes one of its descriptors (server_fd_released) or
 * after ACCEPT_RETRY_MS on the timer heap, whichever comes first.
 */
#define ACCEPT_RETRY_MS 1000
struct accept_gate {
	const char *name;		/* for the log: "control socket" */
	sd_event_source *src;		/* the listener's io source */
	struct timer_node retry;	/* kind SERVER_TIMER_ACCEPT */
	struct accept_gate *next;	/* srv->gates */
	bool paused;
	uint64_t last_log_ms;
	uint64_t pauses;		/* how often (tests, status) */
};

enum session_state {
	SESSION_PPP_LCP,	/* LCP negotiating */
	SESSION_PPP_AUTH,	/* authenticating; verdict may be pending */
	SESSION_PPP_NCP,	/* granted, waiting for the network layer to settle */
	SESSION_UP,		/* IPCP up, or IPV6CP up and IPCP finished without
				 * opening (acct_start_due): traffic flows */
	SESSION_CLOSING,
};

/* Where a session's login is with its authentication provider. */
enum session_auth_step {
	SESSION_AUTH_NONE,
	SESSION_AUTH_QUEUED,	/* ppp-core holds a login; ask in sessions_run_pending */
	SESSION_AUTH_ASKED,	/* the provider has it; its answer is due */
};

struct auth_provider;
struct held_frame;
struct radius_io;
struct acct;
struct acct_session;
struct dynauth;

struct session {
	struct server *srv;
	struct tunnel *tunnel;
	struct session *prev, *next;	/* all sessions, for l2tpctl */
	struct session *pending_next;	/* on srv->pending while queued */
	uint16_t tunnel_id, session_id, peer_session_id;
	uint32_t serial;		/* of this run: Acct-Session-Id (session_acct_session_id) */
	uint8_t state;			/* enum session_state */
	bool queued;
	bool close_requested;
	bool l2tp_gone;			/* the control plane dropped it already */
	bool user_counted;
	bool has_lease4;
	bool proxy_arp;			/* its pool's clients are answered on the LAN (proxyarp.h) */
	uint16_t pool4;			/* its IPv4 pool in srv->policy, PROXYARP_NO_POOL: none */
	uint8_t fds_held;		/* descriptors its data-plane session holds, counted in
					 * srv->fd_held (fdbudget.h) */
	uint8_t auth_step;		/* enum session_auth_step */
	bool trace;			/* l2tpctl trace on: its transitions logged (trace.h) */
	uint16_t cdn_result, cdn_error;
	struct dp_session *dp;
	struct held_frame *held;	/* PPP frames that beat the ICCN (session.c) */
	uint8_t *eap_response;		/* EAP: the client's packet until the ask (session_eap.h) */
	uint8_t *eap_request;		/* EAP: the server's, while ppp-core retransmits it */
	uint16_t eap_response_len;
	bool eap_open;			/* EAP: the provider holds a conversation for it */
	bool ppp_started;		/* ICCN seen: ppp-core runs */
	struct timer_node ppp_timer;
	struct timer_node limit_timer;
	uint64_t started_ms, up_ms, last_activity_ms;
	time_t started_wall;
	uint32_t idle_timeout, session_timeout;	/* seconds, 0 = none */
	uint64_t seen_packets;		/* data-plane packets at the last idle check */
	struct policy_ip lease4;
	uint32_t peer_addr;		/* host order, once IPCP is up */
	struct l2tp_addr peer;		/* the tunnel's peer, kept past the tunnel */
	struct dp_stats final_stats;	/* read before the data plane lets go */
	struct policy_prefix *routes;	/* framed routes, copied (a reload frees the policy) */
	uint8_t n_routes;
	bool routes_installed;
	bool ipv4_up;			/* its IPv4 side (routes, DHCPINFORM) installed, once */
	int routes_ifindex;		/* where they were installed */
	struct filter_chain *filter_in, *filter_out;	/* the profile's packet filters (filter.c) */
	uint16_t framed_mtu;		/* RADIUS Framed-MTU on its device, 0 none (its MSS clamp) */
	struct dhcp_inform_link *inform;	/* DHCPINFORM answers (dhcp_inform.c) */
	struct ra_link *ra;		/* IPv6 prefix and router advertisements (router_adv.c) */
	struct dhcp6_link *dhcp6;	/* DHCPv6, its delegated prefix (dhcp6_pd.c) */
	struct acct_session *acct;	/* its RADIUS accounting (acct.h); NULL: none */
	char user[PPP_IDENTITY_MAX + 1];
	char policy_name[48];
	char close_reason[64];
	struct ppp_session ppp;
};

struct tunnel {
	struct server *srv;
	struct tunnel *prev, *next;	/* all tunnels, or all closing ones */
	bool closing;			/* reported down, its StopCCN exchange goes on */
	uint16_t id;
	struct l2tp_addr peer, local;
	struct listener *listener;
	int fd;				/* the data plane's socket of the tunnel (tunnel_fd,
					 * DP_CAP_TUNNEL_SOCKET), read here, closed there; or -1 */
	sd_event_source *src;
	struct dp_tunnel *dp;
	uint32_t sessions;
	time_t up_wall;
	char peer_host[64];
	struct ipsec_binding ipsec;	/* its IPsec SA (ipsec.c) */
};

/* Log lines an unauthenticated peer can cause at will: rate-limited per
 * class (log_ratelimit.h), summaries flushed by the l2tp timer. */
enum server_log_class {
	SRV_LOG_SCCRQ_REFUSED,		/* tunnel limit, half-open budget, rate limit */
	SRV_LOG_ICRQ_REFUSED,		/* ports, per tunnel, pre-auth budgets */
	SRV_LOG_SCCRQ_NO_IPSEC,		/* require_ipsec: no SA */
	SRV_LOG_TRACE_HALF_OPEN,	/* debug: transitions of tunnels never up (trace.c) */
	SRV_LOG_MAX
};

struct server_counters {
	uint64_t rx_control, rx_data, rx_data_dropped, rx_errors, tx_errors;
	uint64_t sessions_up, sessions_refused, auth_failures;
	uint64_t auth_throttled;	/* logins refused by the back-off, unchecked */
	uint64_t ppp_early_held, ppp_early_dropped;	/* PPP frames before the ICCN */
	/* credentials checked, by method: [method][0] wrong, [method][1] right */
	uint64_t auth_checked[PPP_AUTH_NMETHODS][2];
	/* sessions refused, by why (sessions_refused counts policy refusals) */
	uint64_t refused_credentials;			/* E=691 */
	uint64_t refused_policy[POLICY_REASON__COUNT];	/* by policy_reason */
	uint64_t refused_filter, refused_dataplane;
	struct dp_stats ended;		/* data-plane totals of sessions gone */
};

struct server {
	sd_event *event;
	struct server_io io;		/* clock, sockets, randomness, data plane */
	struct l2tpd_config cfg;
	char config_path[256], policy_path[256];
	policy_t *policy;
	struct l2tp_ctx *l2tp;
	struct ppp_config ppp_cfg;	/* sessions in tunnels over IPv4 */
	struct ppp_config ppp_cfg6;	/* over IPv6: a smaller MRU (link_mtu.h) */
	const struct dataplane_ops *dp_ops;
	struct dataplane *dp;
	struct dp_caps dp_caps;		/* what it does (dataplane.h): asked, never its name */
	struct listener listeners[L2TPD_MAX_LISTEN];
	unsigned n_listeners;
	sd_event_source *l2tp_timer, *heap_timer, *defer;
	struct timerheap timers;
	struct usercount users;
	struct auththrottle throttle;	/* failed-login back-off (auththrottle.h) */
	struct auth_provider *auth;	/* who knows the users (auth_provider.h) */
	struct radius_io *radius_io;	/* the RADIUS servers' sockets (radius_io.h); NULL: none */
	struct acct *acct;		/* RADIUS accounting (acct.h); NULL: off */
	struct dynauth *dynauth;	/* RFC 5176 dynamic authorization (dynauth.h); NULL: off */
	uint32_t acct_prefix;		/* random per run: Acct-Session-Ids (session.h) */
	uint32_t session_serial;	/* the last session's serial */
	struct fdbudget fdb;		/* descriptor budget (fdbudget.h) */
	uint32_t fd_held;		/* descriptors held by data-plane sessions */
	struct session *sessions;	/* list head */
	struct tunnel *tunnels;		/* list head */
	/* Tunnels reported down whose control connection is not closed yet
	 * (the StopCCN exchange and its hold, RFC 2661 5.7): they keep only
	 * their IPsec binding, released at L2TP_EV_TUNNEL_CLOSED. */
	struct tunnel *closing;
	struct session *pending;	/* sessions with work queued */
	sd_event_source **fd_sources;	/* data-plane fds, indexed by fd */
	int fd_sources_len;
	uint32_t n_sessions, n_tunnels, n_sessions_up;
	struct server_counters counters;
	struct log_rl log_rl[SRV_LOG_MAX];
	time_t started_wall;
	bool stopping;
	struct timer_node stop_timer;	/* kind SERVER_TIMER_STOP, armed by server_stop */
	bool draining;			/* l2tpctl drain (drain.c); not kept across a restart */
	int ctl_fd;
	sd_event_source *ctl_src;
	struct accept_gate ctl_gate;
	struct accept_gate *gates;	/* registered gates (control, plugin) */
	struct ctl_conn *ctl_conns;	/* open control connections (ctl.c) */
	uint32_t n_ctl_conns;
	uint64_t last_ctl_full_log_ms;
	struct ipsec *ipsec;		/* charon plugin link (ipsec.c) */
	struct routes *routes;		/* framed routes (routes.c); NULL: none can be installed */
	struct filters *filters;	/* profile packet filters through nftables (filter.c) */
	struct edge_filter *edge;	/* the Internet-side filter (edge_filter.c) */
	struct mss_clamp *mss;		/* TCP MSS clamping on session links (mss_clamp.c) */
	struct dhcp_inform *inform;	/* DHCPINFORM on the clients' links (dhcp_inform.c) */
	struct router_adv *ra;		/* IPv6 router advertisements (router_adv.c) */
	struct dhcp6_pd *dhcp6;		/* DHCPv6 prefix delegation (dhcp6_pd.c) */
	struct metrics *metrics;	/* the Prometheus endpoint (metrics.c); NULL: off */
	struct dhcppool *dhcppools;	/* DHCP pools' leases (dhcppool.c) */
	uint8_t *proxy_arp;		/* per pool of `policy`: its clients get proxy ARP (proxyarp.c) */
	size_t n_proxy_arp;
	struct rtnl_subnet *lan_subnets;	/* the host's, read with them (static addresses) */
	size_t n_lan_subnets;
};

uint64_t server_now_ms(const struct server *srv);
/* The server's random source (struct server_io.random): 0, or -1 when
 * none could be had. Everything random in the daemon comes from here, so
 * the in-memory tests see the same bytes in every run. */
int server_random(struct server *srv, void *buf, size_t len);
/* The PPP MRU/MTU of sessions in tunnels of this address family: ppp.mru,
 * or derived from ppp.path_mtu (link_mtu.h). */
uint16_t server_link_mru(const struct server *srv, int family);

/* Set up sockets, the control plane and the data plane. 0 or -1 (logged).
 * server_init is server_init_io with server_io_system. On -1 the caller
 * still calls server_free (it frees what was made). */
int server_init(struct server *srv, sd_event *event, const struct l2tpd_config *cfg,
		const char *config_path, const char *policy_path, policy_t *policy);
int server_init_io(struct server *srv, sd_event *event, const struct l2tpd_config *cfg,
		   const char *config_path, const char *policy_path, policy_t *policy,
		   const struct server_io *io);
void server_free(struct server *srv);
/* Reload l2tpd.conf (what can change live, reload.c) and the policy file.
 * On an error in either file nothing is applied; msg gets the reason
 * (file:line:col). 0 or -1. */
int server_reload(struct server *srv, char *msg, size_t msglen);
/* The descriptor budget: what the configured limits need on the chosen
 * data plane (srv->fdb's costs); main.c sets srv->fdb.limit. */
uint64_t server_fd_need(struct server *srv);
/* The control plane's settings from l2tpd.conf (start and reload). */
void server_l2tp_config(const struct l2tpd_config *c, struct l2tp_config *lc);
/* Begin an orderly stop: StopCCN to every tunnel, exit when drained. */
void server_stop(struct server *srv);

/* Administrative disconnect: logged, the IPsec SA deleted (ipsec.c), CDN
 * result 3. One session, whatever selected it (l2tpctl disconnect ...). */
void server_admin_disconnect(struct server *srv, struct session *s);
/* Administrative disconnect; returns the number of sessions closed. */
int server_disconnect_session(struct server *srv, uint16_t tunnel_id, uint16_t session_id);
int server_disconnect_user(struct server *srv, const char *user);

/* Accept gates (struct accept_gate). */
void server_gate_register(struct server *srv, struct accept_gate *g, const char *name,
			  sd_event_source *src);
void server_gate_unregister(struct server *srv, struct accept_gate *g);
/* accept() failed with err: pause the listener when it is a lack of
 * descriptors or memory (true), else nothing (false). */
bool server_gate_accept_failed(struct server *srv, struct accept_gate *g, int err);
/* The daemon closed a descriptor: paused listeners may accept again. */
void server_fd_released(struct server *srv);

void server_rearm_l2tp(struct server *srv);
void server_rearm_heap(struct server *srv);

/* What the event loop does when a timer or a listener wakes it, for a
 * caller that drives the server without running the loop (unit tests with
 * an injected clock): run every deadline due at server_now_ms (control
 * plane, log summaries, the timer heap), or read listener i's socket
 * through io.recv. Both end with server_flush. */
void server_run_timers(struct server *srv);
void server_listener_readable(struct server *srv, unsigned i);

/* Run queued work (deferred closes and auth verdicts) after an event. */
void server_flush(struct server *srv);

#endif
