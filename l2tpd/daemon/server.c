/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The server: sockets, the L2TP control plane and its events, timers, the
 * data-plane backend and its fds. Sessions (PPP, authentication, policy)
 * are in session.c. Every handler ends with server_flush(), which runs the
 * work that must not happen inside a library callback (the libraries
 * forbid re-entry).
 */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "auth_provider.h"
#include "ctl.h"
#include "dhcp_inform.h"
#include "router_adv.h"
#include "dhcp6_pd.h"
#include "dhcppool.h"
#include "proxyarp.h"
#include "acct.h"
#include "radius_io.h"
#include "dynauth.h"
#include "dpchoice.h"
#include "edge_filter.h"
#include "link_mtu.h"
#include "drain.h"
#include "log.h"
#include "metrics.h"
#include "mss_clamp.h"
#include "net.h"
#include "reload.h"
#include "session.h"
#include "text.h"
#include "trace.h"

#define RX_BATCH 64		/* datagrams per wake-up: bounded, fair */
#define MAX_DATAGRAM 4096

/* ---- the outside world (struct server_io) ------------------------------- */

static uint64_t system_now_ms(void *ctx)
{
	uint64_t usec = 0;

	sd_event_now(ctx, CLOCK_MONOTONIC, &usec);
	return usec / 1000;
}

static int system_listen_udp(void *ctx, const struct sockaddr_storage *addr, uint16_t port,
			     int *wildcard)
{
	(void)ctx;
	return net_listen_udp(addr, port, wildcard);
}

static ssize_t system_recv(void *ctx, int fd, uint8_t *buf, size_t cap, struct l2tp_addr *peer,
			   struct l2tp_addr *local, struct sockaddr_storage *from)
{
	(void)ctx;
	return net_recv(fd, buf, cap, peer, local, from);
}

static int system_send(void *ctx, int fd, const struct l2tp_addr *peer,
		       const struct l2tp_addr *local, int set_source, const uint8_t *buf, size_t len)
{
	(void)ctx;
	return net_send(fd, peer, local, set_source, buf, len);
}

/* Only EINTR is retried: never spin on ENOSYS. */
static int system_random(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)ctx;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

const struct server_io server_io_system = {
	.now_ms = system_now_ms,
	.listen_udp = system_listen_udp,
	.recv = system_recv,
	.send = system_send,
	.random = system_random,
};

uint64_t server_now_ms(const struct server *srv)
{
	return srv->io.now_ms(srv->io.ctx);
}

/* ---- timers ---------------------------------------------------------- */

static void arm_sd_timer(struct server *srv, sd_event_source *src, uint64_t deadline_ms)
{
	int r;

	if (srv->io.arm_timer) {
		srv->io.arm_timer(srv->io.ctx, deadline_ms);
		return;
	}
	if (deadline_ms == UINT64_MAX) {
		r = sd_event_source_set_enabled(src, SD_EVENT_OFF);
	} else {
		r = sd_event_source_set_time(src, deadline_ms * 1000);
		if (r >= 0)
			r = sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
	}
	if (r < 0) {
		/* Every retransmission and timeout hangs on this timer: a
		 * daemon without it would keep dead tunnels forever. Stop
		 * (systemd restarts us) rather than run half-alive. */
		log_err("cannot arm the event loop's timer: %s; stopping", strerror(-r));
		sd_event_exit(srv->event, 1);
	}
}

void server_rearm_l2tp(struct server *srv)
{
	uint64_t d = l2tp_ctx_next_deadline(srv->l2tp);

	/* the log limiters' summaries ride on the same timer */
	for (int i = 0; i < SRV_LOG_MAX; i++) {
		uint64_t l = log_rl_deadline(&srv->log_rl[i]);

		if (l < d)
			d = l;
	}
	arm_sd_timer(srv, srv->l2tp_timer, d);
}

void server_rearm_heap(struct server *srv)
{
	struct timer_node *n = timerheap_peek(&srv->timers);

	arm_sd_timer(srv, srv->heap_timer, n ? n->deadline : UINT64_MAX);
}

static void run_l2tp_timers(struct server *srv, uint64_t now)
{
	l2tp_ctx_run_timers(srv->l2tp, now);
	for (int i = 0; i < SRV_LOG_MAX; i++)
		log_rl_flush(&srv->log_rl[i], now);
}

static int on_l2tp_timer(sd_event_source *src, uint64_t usec, void *arg)
{
	struct server *srv = arg;

	run_l2tp_timers(srv, server_now_ms(srv));
	server_flush(srv);
	return 0;
}

static void gate_resume(struct server *srv, struct accept_gate *g);
static void stop_timer_fired(struct server *srv);

static void run_heap_timers(struct server *srv, uint64_t now)
{
	struct timer_node *n;

	while ((n = timerheap_pop_expired(&srv->timers, now)) != NULL) {
		if (n->kind == SERVER_TIMER_ACCEPT)
			gate_resume(srv, container_of(n, struct accept_gate, retry));
		else if (n->kind == SERVER_TIMER_CTL_IDLE)
			ctl_idle_fired(srv, n);
		else if (n->kind == SERVER_TIMER_DHCP)
			dhcppool_timer_fired(srv, n, now);
		else if (n->kind == SERVER_TIMER_RA)
			router_adv_timer_fired(srv, n, now);
		else if (n->kind == SERVER_TIMER_STOP)
			stop_timer_fired(srv);
		else if (n->kind == SERVER_TIMER_CALLBACK) {
			struct server_timer *t = container_of(n, struct server_timer, node);

			t->fn(t->ctx, now);
		}
		else
			session_timer_fired(srv, n, now);
	}
}

static int on_heap_timer(sd_event_source *src, uint64_t usec, void *arg)
{
	struct server *srv = arg;

	run_heap_timers(srv, server_now_ms(srv));
	server_flush(srv);
	return 0;
}

void server_run_timers(struct server *srv)
{
	uint64_t now = server_now_ms(srv);

	run_l2tp_timers(srv, now);
	/* what the control plane's timers queued (closes) runs before the
	 * heap's, as when the loop dispatches the two timers in turn */
	sessions_run_pending(srv);
	run_heap_timers(srv, now);
	server_flush(srv);
}

/* ---- accept gates (server.h) -------------------------------------------- */

static void gate_resume(struct server *srv, struct accept_gate *g)
{
	if (!g->paused)
		return;
	g->paused = false;
	timerheap_cancel(&srv->timers, &g->retry);
	if (g->src)
		sd_event_source_set_enabled(g->src, SD_EVENT_ON);
	log_debug("%s: accepting again", g->name);
}

void server_gate_register(struct server *srv, struct accept_gate *g, const char *name,
			  sd_event_source *src)
{
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->src = src;
	g->retry.kind = SERVER_TIMER_ACCEPT;
	g->next = srv->gates;
	srv->gates = g;
}

void server_gate_unregister(struct server *srv, struct accept_gate *g)
{
	for (struct accept_gate **pp = &srv->gates; *pp; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	timerheap_cancel(&srv->timers, &g->retry);
	g->src = NULL;
	g->paused = false;
}

bool server_gate_accept_failed(struct server *srv, struct accept_gate *g, int err)
{
	uint64_t now = server_now_ms(srv);

	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return false;
	if (g->paused)
		return true;
	/* Without the retry timer (no memory) a listener turned off could
	 * stay off for ever if nothing closes: then leave it on. */
	if (timerheap_set(&srv->timers, &g->retry, now + ACCEPT_RETRY_MS))
		return false;
	g->paused = true;
	g->pauses++;
	if (g->src)
		sd_event_source_set_enabled(g->src, SD_EVENT_OFF);
	server_rearm_heap(srv);
	/* One line a minute at most per listener, however long it lasts. */
	if (!g->last_log_ms || now - g->last_log_ms >= 60000) {
		g->last_log_ms = now;
		log_warn("%s: accept failed: %s; not accepting until a descriptor is freed "
			 "(or %u ms)", g->name, strerror(err), ACCEPT_RETRY_MS);
	}
	return true;
}

void server_fd_released(struct server *srv)
{
	for (struct accept_gate *g = srv->gates; g; g = g->next)
		gate_resume(srv, g);
}

/* ---- data-plane fds ---------------------------------------------------- */

static int on_dp_fd(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct server *srv = arg;

	srv->dp_ops->fd_ready(srv->dp, fd);
	server_flush(srv);
	return 0;
}

static int dp_watch_fd(void *ctx, int fd)
{
	struct server *srv = ctx;

	if (fd < 0)
		return -EINVAL;
	if (fd >= srv->fd_sources_len) {
		int len = fd + 1 > 2 * srv->fd_sources_len ? fd + 1 : 2 * srv->fd_sources_len;
		sd_event_source **a = realloc(srv->fd_sources, len * sizeof(*a));
		if (!a)
			return -ENOMEM;
		memset(a + srv->fd_sources_len, 0, (len - srv->fd_sources_len) * sizeof(*a));
		srv->fd_sources = a;
		srv->fd_sources_len = len;
	}
	if (srv->fd_sources[fd])
		return 0;
	return sd_event_add_io(srv->event, &srv->fd_sources[fd], fd, EPOLLIN, on_dp_fd, srv);
}

static void dp_unwatch_fd(void *ctx, int fd)
{
	struct server *srv = ctx;

	if (fd >= 0 && fd < srv->fd_sources_len && srv->fd_sources[fd])
		srv->fd_sources[fd] = sd_event_source_disable_unref(srv->fd_sources[fd]);
}

/* ---- UDP ---------------------------------------------------------------- */

static void handle_datagram(struct server *srv, struct listener *l, const uint8_t *buf,
			    size_t len, struct l2tp_addr *peer, struct l2tp_addr *local,
			    const struct sockaddr_storage *from)
{
	uint64_t now = server_now_ms(srv);

	if (len >= 1 && (buf[0] & 0x80)) {	/* T bit: control message (RFC 2661 3.1) */
		srv->counters.rx_control++;
		if (local->family == 0 && l) {	/* no IP_PKTINFO: the bound address */
			net_to_l2tp_addr(&l->addr, local);
			local->port = srv->cfg.port;
		}
		l2tp_ctx_input(srv->l2tp, peer, local, buf, len, now);
		return;
	}
	srv->counters.rx_data++;
	if (srv->dp_caps.flags & DP_CAP_DATA_RX) {
		/* With the IPsec SA's mark (SO_RCVMARK): clients behind one NAT
		 * share address and port, and only the mark tells whose SA a
		 * datagram came through (docs/ipsec-nat.md). */
		struct dp_rx_meta meta = { .from = from, .has_mark = 1, .mark = peer->mark };

		srv->dp_ops->data_rx(srv->dp, buf, len, &meta);
	} else {
		/* The backend takes its data elsewhere (the kernel's: in the
		 * kernel): data for a tunnel it does not know. */
		srv->counters.rx_data_dropped++;
	}
}

static void read_socket(struct server *srv, int fd, struct listener *l)
{
	uint8_t buf[MAX_DATAGRAM];

	for (int i = 0; i < RX_BATCH; i++) {
		struct l2tp_addr peer, local;
		struct sockaddr_storage from;
		ssize_t n;

		memset(&local, 0, sizeof(local));
		n = srv->io.recv(srv->io.ctx, fd, buf, sizeof(buf), &peer, &local, &from);
		if (n == 0)
			break;
		if (n < 0) {
			srv->counters.rx_errors++;
			if (errno != EMSGSIZE && errno != ECONNREFUSED)
				break;
			continue;
		}
		local.port = srv->cfg.port;
		handle_datagram(srv, l, buf, (size_t)n, &peer, &local, &from);
	}
}

static int on_listener(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct listener *l = arg;

	read_socket(l->srv, fd, l);
	server_flush(l->srv);
	return 0;
}

void server_listener_readable(struct server *srv, unsigned i)
{
	if (i >= srv->n_listeners)
		return;
	read_socket(srv, srv->listeners[i].fd, &srv->listeners[i]);
	server_flush(srv);
}

static int on_tunnel_socket(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct tunnel *t = arg;
	struct server *srv = t->srv;

	read_socket(srv, fd, t->listener);
	server_flush(srv);
	return 0;
}

static struct listener *listener_for(struct server *srv, const struct l2tp_addr *local)
{
	struct listener *fallback = NULL;

	for (unsigned i = 0; i < srv->n_listeners; i++) {
		struct listener *l = &srv->listeners[i];
		struct l2tp_addr a;

		if (l->addr.ss_family != (local->family == AF_INET6 ? AF_INET6 : AF_INET))
			continue;
		if (l->wildcard) {
			fallback = l;
			continue;
		}
		net_to_l2tp_addr(&l->addr, &a);
		if (!memcmp(a.addr, local->addr, local->family == AF_INET6 ? 16 : 4))
			return l;
	}
	return fallback;
}

/* l2tp_ops.send */
static void l2tp_send(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		      const uint8_t *buf, size_t len)
{
	struct server *srv = arg;
	struct listener *l = listener_for(srv, local);
	char a[64];

	if (!l || srv->io.send(srv->io.ctx, l->fd, peer, local, l->wildcard, buf, len)) {
		srv->counters.tx_errors++;
		/* EPERM: an xfrm block policy refused cleartext (design notes). */
		log_debug("send to %s failed: %s", net_addr_str(peer, a, sizeof(a)),
			  l ? strerror(errno) : "no socket for the local address");
	}
}

/* ---- tunnels -------------------------------------------------------------- */

/* DP_CAP_TUNNEL_SOCKET: the tunnel's own socket carries its control
 * messages too, so it is read like a listener. Unread they would be lost:
 * a tunnel whose socket cannot be watched has no data plane. */
static void tunnel_watch_socket(struct server *srv, struct tunnel *t)
{
	int fd = srv->dp_ops->tunnel_fd(srv->dp, t->dp);
	int r;

	if (fd < 0)
		return;
	r = sd_event_add_io(srv->event, &t->src, fd, EPOLLIN, on_tunnel_socket, t);
	if (r < 0) {
		log_err("tunnel %u: cannot watch its socket: %s", t->id, strerror(-r));
		t->src = NULL;
		srv->dp_ops->tunnel_delete(srv->dp, t->dp);
		t->dp = NULL;
		return;
	}
	t->fd = fd;
}

static void tunnel_up(struct server *srv, const struct l2tp_event *ev)
{
	struct l2tp_tunnel_info info;
	struct tunnel *t = calloc(1, sizeof(*t));
	char a[64];
	int rc;

	if (!t) {
		log_err("tunnel %u: out of memory", ev->tunnel_id);
		return;
	}
	t->srv = srv;
	t->id = ev->tunnel_id;
	t->peer = *ev->peer;
	t->local = *ev->local;
	t->local.port = srv->cfg.port;
	t->fd = -1;
	t->up_wall = time(NULL);
	t->listener = listener_for(srv, &t->local);
	if (l2tp_tunnel_get(srv->l2tp, ev->tunnel_id, &info) == 0 && info.peer_host_name)
		snprintf(t->peer_host, sizeof(t->peer_host), "%s", info.peer_host_name);

	struct dp_tunnel_params p = {
		.udp_fd = t->listener ? t->listener->fd : -1,
		.local_tunnel_id = ev->tunnel_id,
		.peer_tunnel_id = ev->peer_tunnel_id,
		.fwmark = ev->peer->mark,
	};
	socklen_t len;
	net_from_l2tp_addr(&t->local, &p.local, &len);
	net_from_l2tp_addr(&t->peer, &p.peer, &len);
	/* A backend may refuse with a reason (the kernel: a second tunnel from
	 * the same NAT address and port, docs/ipsec-nat.md). */
	char why[256] = "";
	p.why = why;
	p.why_len = sizeof(why);
	rc = p.udp_fd >= 0 ? srv->dp_ops->tunnel_create(srv->dp, &p, &t->dp) : -EBADF;
	if (rc) {
		if (why[0])
			log_err("tunnel %u: %s", t->id, why);
		else
			log_err("tunnel %u: data plane refused it: %s", t->id, strerror(-rc));
		t->dp = NULL;
	} else if (srv->dp_caps.flags & DP_CAP_TUNNEL_SOCKET) {
		tunnel_watch_socket(srv, t);
	}
	l2tp_tunnel_set_user(srv->l2tp, t->id, t);
	ipsec_tunnel_up(srv, t);	/* ipsec.c: bind to its IPsec SA */
	t->next = srv->tunnels;
	if (t->next)
		t->next->prev = t;
	srv->tunnels = t;
	srv->n_tunnels++;
	log_info("tunnel %u up: peer %s host '%s'%s", t->id, net_addr_str(&t->peer, a, sizeof(a)),
		 SAFE_STR(t->peer_host), t->dp ? "" : " (no data plane: its sessions will be refused)");
}

static void tunnel_unlink(struct tunnel **head, struct tunnel *t)
{
	if (t->prev)
		t->prev->next = t->next;
	else
		*head = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
}

/* The tunnel is down: its data plane and socket go now; the struct stays
 * (srv->closing) until the control connection has closed, holding the
 * IPsec binding. */
static void tunnel_release_dataplane(struct server *srv, struct tunnel *t)
{
	/* Not watched any more before the backend closes its socket. */
	if (t->src)
		sd_event_source_disable_unref(t->src);
	t->src = NULL;
	if (t->dp)
		srv->dp_ops->tunnel_delete(srv->dp, t->dp);
	t->dp = NULL;
	if (t->fd >= 0)
		server_fd_released(srv);	/* an accept() paused for want of fds may go on */
	t->fd = -1;
	tunnel_unlink(&srv->tunnels, t);
	srv->n_tunnels--;
}

/* The control connection is gone (or the daemon stops): only now may the
 * IPsec SA that carried it be deleted. Deleting it at TUNNEL_DOWN would
 * take the SA away under our StopCCN and the peer's acknowledgement. */
static void tunnel_free(struct server *srv, struct tunnel *t)
{
	if (!t->closing)
		tunnel_release_dataplane(srv, t);
	else
		tunnel_unlink(&srv->closing, t);
	ipsec_tunnel_free(srv, t);	/* ipsec.c: unbind, maybe delete the IKE SA */
	free(t);
}

static void tunnel_down(struct server *srv, const struct l2tp_event *ev)
{
	struct tunnel *t = ev->tunnel_user;
	char a[64];

	log_info("tunnel %u down: peer %s, %s (result %u, error %u)", ev->tunnel_id,
		 net_addr_str(ev->peer, a, sizeof(a)), l2tp_down_cause_name(ev->cause),
		 ev->result_code, ev->error_code);
	if (!t)
		return;
	/* Sessions of the tunnel were reported down before it. */
	tunnel_release_dataplane(srv, t);
	t->closing = true;
	t->next = srv->closing;
	if (t->next)
		t->next->prev = t;
	srv->closing = t;
}

static void tunnel_closed(struct server *srv, const struct l2tp_event *ev)
{
	struct tunnel *t = ev->tunnel_user;

	log_debug("tunnel %u: control connection closed (%s)", ev->tunnel_id,
		  ev->cause == L2TP_DOWN_UNREACHABLE ? "StopCCN not acknowledged"
						     : "StopCCN exchange over");
	if (t && t->closing)
		tunnel_free(srv, t);
}

/* l2tp_ops.event */
static void l2tp_event(void *arg, const struct l2tp_event *ev)
{
	struct server *srv = arg;

	switch (ev->type) {
	case L2TP_EV_TUNNEL_UP:
		tunnel_up(srv, ev);
		break;
	case L2TP_EV_TUNNEL_DOWN:
		tunnel_down(srv, ev);
		break;
	case L2TP_EV_TUNNEL_CLOSED:
		tunnel_closed(srv, ev);
		break;
	case L2TP_EV_SESSION_ACCEPTED:
		session_l2tp_accepted(srv, ev);
		break;
	case L2TP_EV_SESSION_UP:
		session_l2tp_up(srv, ev);
		break;
	case L2TP_EV_SESSION_DOWN:
		session_l2tp_down(srv, ev);
		break;
	case L2TP_EV_SESSION_REFUSED: {
		char a[64];

		/* The CDN (result 4) is on its way; a line per refusal names
		 * the limit, so "why can't this client connect" has an answer.
		 * Any peer with a tunnel can send ICRQs at will: rate-limited. */
		log_rl_msg(&srv->log_rl[SRV_LOG_ICRQ_REFUSED], server_now_ms(srv), LOG_LVL_WARN,
			   "tunnel %u: incoming call from %s refused with CDN result %u: %s "
			   "(%u of %u ports in use, at most %u per tunnel, %u not yet "
			   "authenticated)",
			   ev->tunnel_id, net_addr_str(ev->peer, a, sizeof(a)), ev->result_code,
			   ev->reason == L2TP_R_CALLS_REFUSED ? "draining (l2tpctl drain)"
			   : ev->reason == L2TP_R_TUNNEL_SESSION_LIMIT ? "the tunnel's session limit"
			   : ev->reason == L2TP_R_SESSION_LIMIT ? "all ports in use"
			   : ev->reason == L2TP_R_PREAUTH_LIMIT ? "too many calls not yet authenticated"
			   : ev->reason == L2TP_R_TUNNEL_PREAUTH_LIMIT
				   ? "too many calls on the tunnel not yet authenticated"
				   : l2tp_reason_name(ev->reason),
			   srv->n_sessions, srv->cfg.max_sessions, srv->cfg.max_sessions_per_tunnel,
			   l2tp_ctx_stats(srv->l2tp)->sessions_preauth);
		server_rearm_l2tp(srv);
		break;
	}
	case L2TP_EV_TUNNEL_REFUSED: {
		char a[64];
		const struct l2tp_stats *ls = l2tp_ctx_stats(srv->l2tp);

		log_rl_msg(&srv->log_rl[SRV_LOG_SCCRQ_REFUSED], server_now_ms(srv), LOG_LVL_WARN,
			   "tunnel from %s refused with StopCCN result %u error %u: %s "
			   "(%u established of %u, %u half-open of %u)",
			   net_addr_str(ev->peer, a, sizeof(a)), ev->result_code, ev->error_code,
			   ev->reason == L2TP_R_SCCRQ_BUSY ? "draining (l2tpctl drain)"
			   : ev->reason == L2TP_R_TUNNEL_LIMIT ? "tunnel limit"
			   : ev->reason == L2TP_R_HALF_OPEN_LIMIT
				   ? "half-open tunnel limit (the oldest half-open one makes room)"
			   : ev->reason == L2TP_R_RATE_LIMITED ? "new-tunnel rate of this host"
							       : l2tp_reason_name(ev->reason),
			   ls->tunnels_active - ls->tunnels_half_open, srv->cfg.max_tunnels,
			   ls->tunnels_half_open, srv->cfg.max_half_open);
		server_rearm_l2tp(srv);
		break;
	}
	case L2TP_EV_SESSION_SLI:
	case L2TP_EV_SESSION_WEN:
		log_debug("session %u/%u: %s ignored", ev->tunnel_id, ev->session_id,
			  ev->type == L2TP_EV_SESSION_SLI ? "Set-Link-Info" : "WAN-Error-Notify");
		break;
	}
}

/* ---- set-up and tear-down ------------------------------------------------- */

int server_random(struct server *srv, void *buf, size_t len)
{
	return srv->io.random(srv->io.ctx, buf, len);
}

static int random_bytes(void *arg, void *buf, size_t len)
{
	return server_random(arg, buf, len);
}

static void dp_ppp_rx(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame,
		      size_t len)
{
	session_ppp_input(ctx, cookie, frame, len);
}

static int dp_dhcp_rx(void *ctx, struct dp_session *s, void *cookie, const uint8_t *pkt,
		      size_t len)
{
	struct server *srv = ctx;

	(void)s;
	return srv->inform && dhcp_inform_rx(srv->inform, cookie, pkt, len);
}

static int dp_rs_rx(void *ctx, struct dp_session *s, void *cookie, const uint8_t *pkt,
		    size_t len)
{
	struct server *srv = ctx;

	(void)s;
	return srv->ra && router_adv_rx(srv->ra, cookie, pkt, len);
}

static int dp_dhcp6_rx(void *ctx, struct dp_session *s, void *cookie, const uint8_t *pkt,
		       size_t len)
{
	struct server *srv = ctx;

	(void)s;
	return srv->dhcp6 && dhcp6_pd_rx(srv->dhcp6, cookie, pkt, len);
}

void server_l2tp_config(const struct l2tpd_config *c, struct l2tp_config *lc)
{
	l2tp_config_defaults(lc);
	lc->max_tunnels = c->max_tunnels;
	lc->max_sessions = c->max_sessions;
	lc->max_sessions_per_tunnel = c->max_sessions_per_tunnel;
	lc->new_tunnel_rate = c->new_tunnel_rate;
	lc->new_tunnel_burst = c->new_tunnel_burst;
	lc->max_half_open = c->max_half_open;
	lc->half_open_timeout_ms = c->half_open_timeout * 1000;
	lc->max_preauth_sessions = c->max_preauth_sessions;
	lc->max_preauth_per_tunnel = c->max_preauth_per_tunnel;
	/* a call whose user has not authenticated within auth_timeout of its
	 * ICRQ is cleared: the PPP auth timeout, counted from the ICRQ */
	lc->session_setup_timeout_ms = c->auth_timeout * 1000;
	lc->preauth_timeout_ms = c->auth_timeout * 1000;
	lc->rto_initial_ms = c->retransmit_initial * 1000;
	lc->rto_max_ms = c->retransmit_max * 1000;
	lc->max_retries = (uint8_t)c->retransmit_tries;
	lc->hello_interval_ms = c->hello_interval * 1000;
	lc->host_name = c->host_name;
	lc->vendor_name = "l2tpd";
	if (c->tunnel_secret[0]) {
		lc->secret = (const uint8_t *)c->tunnel_secret;
		lc->secret_len = strlen(c->tunnel_secret);
	}
	lc->random = random_bytes;
}

static void check_forwarding(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_forward", "r");
	int v = -1;

	if (!f)
		return;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	if (v == 0)
		log_warn("IPv4 forwarding is off (net.ipv4.ip_forward = 0): clients reach this "
			 "host only, not the networks behind it");
}

/* A profile that conflicts with the server loads, and is said (policy.h). */
static void warn_conflict(const char *line, void *ctx)
{
	(void)ctx;
	log_warn("policy: %s", line);
}

uint16_t server_link_mru(const struct server *srv, int family)
{
	return srv->cfg.mru ? srv->cfg.mru : link_mru_for_path(srv->cfg.path_mtu, family);
}

/* Create srv->dp_ops' data plane, learn its capabilities and size the
 * descriptor budget by them. */
static int server_start_dataplane(struct server *srv)
{
	const struct l2tpd_config *cfg = &srv->cfg;
	struct dp_callbacks cb = {
		.ctx = srv, .ppp_control_rx = dp_ppp_rx,
		.watch_fd = dp_watch_fd, .unwatch_fd = dp_unwatch_fd,
		.dhcp_rx = dp_dhcp_rx, .rs_rx = dp_rs_rx, .dhcp6_rx = dp_dhcp6_rx,
	};
	/* userspace { tun = ... } picks its devices (docs/operations.md) */
	struct dp_config dc = {
		.shared_netdev = cfg->userspace_tun == USERSPACE_TUN_SHARED,
		.shared_ifname = cfg->userspace_shared_interface,
		/* one device for both families: the smaller */
		.shared_mtu = server_link_mru(srv, AF_INET6),
	};
	int err = srv->dp_ops->create(&cb, &dc, &srv->dp);

	if (err) {
		log_err("cannot start the %s data path%s%s: %s", srv->dp_ops->name,
			dc.shared_netdev ? " with the shared TUN " : "",
			dc.shared_netdev ? dc.shared_ifname : "", strerror(-err));
		return -1;
	}
	srv->dp_ops->caps(srv->dp, &srv->dp_caps);
	if (!srv->dp_caps.no_netdev_why)
		srv->dp_caps.no_netdev_why = "the data plane (no device per session)";
	if (srv->dp_caps.flags & DP_CAP_SHARED_NETDEV)
		log_notice("%s data path: one shared TUN %s for all sessions", srv->dp_ops->name,
			   dc.shared_ifname);
	fdbudget_init(&srv->fdb, srv->dp_caps.fds_per_tunnel, srv->dp_caps.fds_per_session,
		      srv->dp_caps.fds_session_early, srv->dp_caps.fds_fixed, cfg->n_listen,
		      cfg->control_connections);
	if (srv->radius_io)
		srv->fdb.fixed += FDBUDGET_RADSEC;	/* radsec.h */
	srv->fdb.limit = UINT64_MAX;	/* main.c sets the real one (server_fd_need) */
	return 0;
}

int server_init(struct server *srv, sd_event *event, const struct l2tpd_config *cfg,
		const char *config_path, const char *policy_path, policy_t *policy)
{
	return server_init_io(srv, event, cfg, config_path, policy_path, policy,
			      &server_io_system);
}

int server_init_io(struct server *srv, sd_event *event, const struct l2tpd_config *cfg,
		   const char *config_path, const char *policy_path, policy_t *policy,
		   const struct server_io *io)
{
	static const struct l2tp_ops ops = { .send = l2tp_send, .event = l2tp_event,
					     .accept_tunnel = drain_accept_tunnel,
					     .trace = trace_l2tp };
	struct l2tp_config lc;
	char a[64];

	memset(srv, 0, sizeof(*srv));
	srv->event = event;
	srv->io = *io;
	if (!srv->io.ctx && srv->io.now_ms == system_now_ms)
		srv->io.ctx = event;	/* sd-event's clock is the loop's */
	srv->cfg = *cfg;
	srv->policy = policy;
	policy_warnings(policy, warn_conflict, NULL);
	srv->ctl_fd = -1;
	srv->started_wall = time(NULL);
	snprintf(srv->config_path, sizeof(srv->config_path), "%s", config_path);
	snprintf(srv->policy_path, sizeof(srv->policy_path), "%s", policy_path);
	timerheap_init(&srv->timers);
	usercount_init(&srv->users);
	uint64_t seed = 0;
	if (server_random(srv, &seed, sizeof(seed)) != 0)
		seed = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	if (auththrottle_init(&srv->throttle, seed, cfg->login_failures, cfg->peer_login_failures,
			      (uint64_t)cfg->login_backoff * 1000,
			      (uint64_t)cfg->login_backoff_max * 1000)) {
		log_err("no memory for the login back-off table");
		return -1;
	}
	/* the RADIUS servers' sockets, for authentication and accounting
	 * (radius_io.h), before the provider that uses them */
	if (cfg->radius.n_servers &&
	    (cfg->auth_provider == AUTH_PROVIDER_RADIUS || cfg->radius.accounting)) {
		char err[256];

		srv->radius_io = radius_io_new(srv, &cfg->radius, err, sizeof(err));
		if (!srv->radius_io) {
			log_err("%s", err);
			return -1;
		}
	}
	if (server_random(srv, &srv->acct_prefix, sizeof(srv->acct_prefix)) != 0)
		srv->acct_prefix = (uint32_t)time(NULL);
	if (session_auth_init(srv))
		return -1;
	/* after the sockets; Accounting-On goes out when the loop runs */
	if (acct_init(srv))
		return -1;

	for (unsigned i = 0; i < cfg->n_listen; i++) {
		struct listener *l = &srv->listeners[i];
		int wildcard = 0;

		l->srv = srv;
		l->fd = srv->io.listen_udp(srv->io.ctx, &cfg->listen[i], cfg->port, &wildcard);
		l->wildcard = wildcard;
		l->addr = cfg->listen[i];
		if (l->fd < 0) {
			struct l2tp_addr la;
			net_to_l2tp_addr(&cfg->listen[i], &la);
			la.port = cfg->port;
			log_err("cannot listen on %s: %s", net_addr_str(&la, a, sizeof(a)), strerror(errno));
			return -1;
		}
		srv->n_listeners++;
		int r = sd_event_add_io(event, &l->src, l->fd, EPOLLIN, on_listener, l);
		if (r < 0) {
			log_err("cannot watch the listening socket: %s", strerror(-r));
			return -1;
		}
	}

	srv->dp_ops = io->dataplane ? io->dataplane : dpchoice_choose(cfg);
	if (!srv->dp_ops || server_start_dataplane(srv))
		return -1;
	if (dynauth_open(srv))		/* after the budget's fixed part is set */
		return -1;
	/* the port 67 socket where the client's DHCP reaches the host's
	 * stack on its own device (dhcp_inform.h) */
	srv->inform = dhcp_inform_open(srv, (srv->dp_caps.flags & DP_CAP_SESSION_NETDEV) &&
					      !(srv->dp_caps.flags & DP_CAP_DHCP_RX));
	/* the raw ICMPv6 socket where solicitations reach the host's stack on
	 * the clients' devices (router_adv.h) */
	srv->ra = router_adv_open(srv, (srv->dp_caps.flags & DP_CAP_SESSION_NETDEV) &&
					 !(srv->dp_caps.flags & DP_CAP_RS_RX));
	/* the port 547 socket where DHCPv6 reaches the host's stack on the
	 * clients' devices (dhcp6_pd.h) */
	srv->dhcp6 = dhcp6_pd_open(srv, (srv->dp_caps.flags & DP_CAP_SESSION_NETDEV) &&
					   !(srv->dp_caps.flags & DP_CAP_DHCP6_RX));
	if (routes_open(&srv->routes))
		log_warn("no rtnetlink socket: framed routes will not be installed");
	if (filters_open(&srv->filters)) {
		log_err("cannot set up packet filters: out of memory");
		return -1;
	}
	if (cfg->require_ipsec) {
		/* Nothing in clear, by mechanism rather than by the order of
		 * events (filter.h): 1701 and the port we listen on. */
		uint16_t ports[] = { 1701, cfg->port };
		char err[256];

		if (filters_guard_cleartext(srv->filters, ports, 2, err, sizeof(err))) {
			log_err("require_ipsec = yes: cannot install the nftables rule that drops "
				"L2TP leaving without IPsec: %s", err);
			return -1;
		}
		log_info("require_ipsec = yes: L2TP from port %u%s%.0u without IPsec is dropped "
			 "(nftables: table inet %s, counter %s)", ports[0],
			 ports[1] != ports[0] ? " and " : "", ports[1] != ports[0] ? ports[1] : 0,
			 FILTER_TABLE, FILTER_CLEARTEXT_COUNTER);
	}
	{
		/* fails closed: an administrator who asked for the filter does
		 * not get a server without it */
		struct edge_filter_config ef = cfg->internet_filter;
		char why[256];

		/* what it lets through follows these */
		ef.l2tp_needs_ipsec = cfg->require_ipsec;
		ef.l2tp_port = cfg->port;
		if (edge_filter_apply(&srv->edge, &ef, why, sizeof(why))) {
			log_err("cannot install the Internet-side filter: %s", why);
			return -1;
		}
		if (edge_filter_active(srv->edge))
			log_notice("Internet-side filter on %u interface(s): only IKE, NAT-T, ESP and "
				   "L2TP%s%s reach this host there", cfg->internet_filter.n_interfaces,
				   cfg->require_ipsec ? " over IPsec" : "",
				   cfg->internet_filter.icmp ? ", and ping" : "");
	}

	server_l2tp_config(cfg, &lc);
	lc.random_arg = srv;	/* random_bytes: the server's source (struct server_io) */
	srv->l2tp = l2tp_ctx_new(&lc, &ops, srv);
	if (!srv->l2tp) {
		log_err("cannot create the L2TP control plane (bad limits?)");
		return -1;
	}
	session_fill_ppp_config(srv);
	if (ipsec_init(srv))	/* ipsec.c: the charon plugin's socket */
		return -1;

	int r = sd_event_add_time(event, &srv->l2tp_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
				  on_l2tp_timer, srv);
	if (r >= 0)
		r = sd_event_add_time(event, &srv->heap_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
				      on_heap_timer, srv);
	if (r < 0) {
		log_err("cannot create the event loop's timers: %s", strerror(-r));
		return -1;
	}
	/* deadlines set before the loop's timer existed (accounting's
	 * retransmissions of its Accounting-On and restored records, acct.c)
	 * are armed now: else they wait for the first event of another kind */
	server_rearm_heap(srv);
	{
		/* an optimisation, not a boundary: without it TCP still works
		 * where fragments pass, so a failure is logged, not fatal */
		char why[256];
		bool v6 = false;

		for (unsigned i = 0; i < cfg->n_listen; i++)
			v6 |= cfg->listen[i].ss_family == AF_INET6;
		struct mss_clamp_config mc = {
			.on = cfg->mss_clamp,
			/* the smallest link: tunnels over IPv6 where we listen there */
			.link_mtu = server_link_mru(srv, v6 ? AF_INET6 : AF_INET),
			.shared_ifname = cfg->userspace_tun == USERSPACE_TUN_SHARED
						 ? cfg->userspace_shared_interface : NULL,
		};

		if (mss_clamp_apply(&srv->mss, &mc, why, sizeof(why)))
			log_err("TCP MSS of session links not clamped: %s", why);
	}
	if (metrics_open(srv))	/* metrics.c: off unless l2tpd.conf has metrics { listen } */
		return -1;
	{
		static const struct log_rl init[SRV_LOG_MAX] = {
			[SRV_LOG_SCCRQ_REFUSED] = LOG_RL_INIT("tunnel refused", 10, 10000),
			[SRV_LOG_ICRQ_REFUSED] = LOG_RL_INIT("incoming call refused", 10, 10000),
			[SRV_LOG_SCCRQ_NO_IPSEC] = LOG_RL_INIT("tunnel without IPsec refused", 10,
							       10000),
			[SRV_LOG_TRACE_HALF_OPEN] = LOG_RL_INIT("trace of a tunnel never up", 10,
								10000),
		};

		memcpy(srv->log_rl, init, sizeof(init));
	}
	check_forwarding();
	dhcppools_sync(srv);
	proxyarp_load(srv);
	log_notice("l2tpd started: %u listener(s) on port %u, %s data path, %u ports (sessions), "
		   "require_ipsec=%s", srv->n_listeners, cfg->port, srv->dp_ops->name,
		   cfg->max_sessions, cfg->require_ipsec ? "yes" : "no");
	return 0;
}

void server_free(struct server *srv)
{
	/* Sessions before their tunnels, tunnels before the data plane. */
	while (srv->sessions)
		session_destroy(srv, srv->sessions);
	while (srv->tunnels)
		tunnel_free(srv, srv->tunnels);
	while (srv->closing)
		tunnel_free(srv, srv->closing);
	dhcppools_free(srv);	/* after the sessions: their leases are back */
	ipsec_free(srv);
	if (srv->l2tp)
		l2tp_ctx_free(srv->l2tp);
	if (srv->dp)
		srv->dp_ops->destroy(srv->dp);
	routes_close(srv->routes);
	srv->routes = NULL;
	dhcp_inform_close(srv->inform);	/* after the sessions: they hold links */
	srv->inform = NULL;
	router_adv_close(srv->ra);	/* after the sessions: they hold links */
	srv->ra = NULL;
	dhcp6_pd_close(srv->dhcp6);	/* after the sessions: they hold links */
	srv->dhcp6 = NULL;
	filters_close(srv->filters);	/* after the sessions: their elements are gone */
	srv->filters = NULL;
	edge_filter_free(srv->edge);
	srv->edge = NULL;
	metrics_close(srv);
	mss_clamp_free(srv->mss);
	srv->mss = NULL;
	for (unsigned i = 0; i < srv->n_listeners; i++) {
		sd_event_source_disable_unref(srv->listeners[i].src);
		close(srv->listeners[i].fd);
	}
	for (int fd = 0; fd < srv->fd_sources_len; fd++)
		if (srv->fd_sources[fd])
			sd_event_source_disable_unref(srv->fd_sources[fd]);
	free(srv->fd_sources);
	sd_event_source_disable_unref(srv->l2tp_timer);
	sd_event_source_disable_unref(srv->heap_timer);
	timerheap_free(&srv->timers);
	usercount_free(&srv->users);
	auththrottle_free(&srv->throttle);
	auth_provider_destroy(srv->auth);	/* after the sessions: none is asking */
	srv->auth = NULL;
	acct_free(srv);		/* after the sessions' Stops; the spool keeps the rest */
	dynauth_close(srv);			/* after the sessions */
	radius_io_free(srv->radius_io);		/* after its users */
	srv->radius_io = NULL;
	proxyarp_free(srv);
	if (srv->policy)
		policy_free(srv->policy);
}

static void on_orphan(const struct policy_ip *ip, void *ctx)
{
	char b[64];

	log_warn("reload: leased address %s is in no pool of the new policy; its session keeps it",
		 policy_ip_format(ip, b, sizeof(b)));
}

int server_reload(struct server *srv, char *msg, size_t msglen)
{
	struct policy_error err;
	struct l2tpd_config conf;
	policy_t *next, *old;
	struct policy_counts c;
	char cerr[512], restart[256];

	/* Both files load before anything of either is applied. */
	if (config_reload_load(srv, &conf, cerr, sizeof(cerr)) != 0) {
		snprintf(msg, msglen, "l2tpd.conf not reloaded, the running settings are kept: %s",
			 cerr);
		log_err("%s", msg);
		return -1;
	}
	if (policy_load(srv->policy_path, &next, &err) != 0) {
		snprintf(msg, msglen, "policy not reloaded, the running one is kept: %s", err.msg);
		log_err("%s", msg);
		return -1;
	}
	config_reload_apply(srv, &conf, restart, sizeof(restart));
	old = srv->policy;
	policy_adopt_leases(next, old, on_orphan, srv);
	srv->policy = next;
	dhcppools_sync(srv);	/* DHCP pools that stay keep their leases */
	/* The new file's pools, decided against the host as it is now; the
	 * sessions follow their pool by name (proxyarp.h). */
	proxyarp_reload(srv, old);
	policy_free(old);
	policy_warnings(next, warn_conflict, NULL);
	filters_new_generation(srv->filters);	/* new sessions: the new file's filters */
	dhcp_inform_new_generation(srv->inform);	/* ... and DHCPINFORM answers */
	dhcp6_pd_new_generation(srv->dhcp6);	/* ... and DHCPv6's pools and DNS */
	policy_get_counts(next, &c);
	snprintf(msg, msglen, "policy reloaded from %s: %zu users, %zu groups, %zu pools, %zu policies\n"
		 "settings reloaded from %s%s%s", srv->policy_path, c.users, c.groups, c.pools,
		 c.policies, srv->config_path, restart[0] ? "; not applied until restart: " : "",
		 restart);
	log_notice("policy reloaded from %s: %zu users, %zu groups, %zu pools, %zu policies; "
		   "settings reloaded from %s",
		   srv->policy_path, c.users, c.groups, c.pools, c.policies, srv->config_path);
	return 0;
}

uint64_t server_fd_need(struct server *srv)
{
	/* Tunnels beyond the sessions' number hold no session; the control
	 * plane caps both. */
	return fdbudget_need(&srv->fdb, srv->cfg.max_tunnels, srv->cfg.max_sessions);
}

/* The StopCCNs had their round trip (server_stop): leave the rest. */
static void stop_timer_fired(struct server *srv)
{
	log_notice("stop: %u tunnel(s) did not drain in time", srv->n_tunnels);
	sd_event_exit(srv->event, 0);
}

/* Every tunnel is down and every StopCCN acknowledged. The hold after
 * it (RFC 2661 5.7, a full retransmission cycle) is for a peer's
 * retransmissions, which a stopped daemon no longer answers anyway; the
 * closing tunnels are freed at exit (server_free). */
static bool stop_drained(const struct server *srv)
{
	/* and the accounting records answered (acct.h): the stop timer
	 * ends the wait for a server that does not answer; the spool keeps
	 * what it did not acknowledge */
	return srv->n_tunnels == 0 && (!srv->closing || !l2tp_ctx_unacknowledged(srv->l2tp)) &&
	       acct_drained(srv);
}

void server_stop(struct server *srv)
{
	uint64_t now = server_now_ms(srv);

	if (srv->stopping) {
		sd_event_exit(srv->event, 0);
		return;
	}
	srv->stopping = true;
	log_notice("stopping: closing %u session(s) on %u tunnel(s)", srv->n_sessions, srv->n_tunnels);
	for (struct session *s = srv->sessions; s; s = s->next) {
		acct_session_end(s, RADIUS_END_ADMIN_REBOOT);
		session_request_close(s, "server shutting down", 3, 0);
	}
	server_flush(srv);
	acct_stopping(srv);	/* Accounting-Off, after the sessions' Stops */
	l2tp_ctx_close_all(srv->l2tp, now);
	server_flush(srv);
	if (stop_drained(srv)) {
		sd_event_exit(srv->event, 0);
		return;
	}
	/* Give StopCCN one round trip to be acknowledged, not the full
	 * drain (RFC 2661 5.7 would hold the tunnel for its whole
	 * retransmission cycle; a stopping daemon does not wait that long).
	 * On the timer heap, so on the server's clock like every deadline. */
	srv->stop_timer.kind = SERVER_TIMER_STOP;
	if (timerheap_set(&srv->timers, &srv->stop_timer, now + STOP_DRAIN_MS) < 0) {
		sd_event_exit(srv->event, 0);	/* no timer for the wait: stop now */
		return;
	}
	server_rearm_heap(srv);
}

void server_flush(struct server *srv)
{
	sessions_run_pending(srv);
	server_rearm_l2tp(srv);
	server_rearm_heap(srv);
	if (srv->stopping && stop_drained(srv))
		sd_event_exit(srv->event, 0);
}

void server_admin_disconnect(struct server *srv, struct session *s)
{
	log_notice("session %u/%u: user '%s' disconnected by the administrator",
		   s->tunnel_id, s->session_id, SAFE_STR(s->user));
	acct_session_end(s, RADIUS_END_ADMIN_DISCONNECT);
	ipsec_admin_disconnect(srv, s);
	/* RFC 2661 4.4.2 CDN result 3: administrative reasons. */
	session_request_close(s, "disconnected by the administrator", 3, 0);
}

int server_disconnect_session(struct server *srv, uint16_t tunnel_id, uint16_t session_id)
{
	for (struct session *s = srv->sessions; s; s = s->next) {
		if (s->tunnel_id == tunnel_id && s->session_id == session_id && !s->close_requested) {
			server_admin_disconnect(srv, s);
			return 1;
		}
	}
	return 0;
}

int server_disconnect_user(struct server *srv, const char *user)
{
	int n = 0;

	for (struct session *s = srv->sessions; s; s = s->next) {
		if (!s->close_requested && s->user[0] && strcasecmp(s->user, user) == 0) {
			server_admin_disconnect(srv, s);
			n++;
		}
	}
	return n;
}
