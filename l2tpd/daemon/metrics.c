/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Prometheus endpoint (metrics.h). The page's text: metrics_text.c. */
#include "metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp_inform.h"
#include "router_adv.h"
#include "dhcp6_pd.h"
#include "dynauth.h"
#include "dhcppool.h"
#include "edge_filter.h"
#include "log.h"
#include "metrics_text.h"
#include "server.h"
#include "session.h"

#define MAX_SCRAPES	8		/* connections at once */
#define REQUEST_MAX	4096		/* octets of request line and headers */
#define IDLE_USEC	(10ull * 1000000)	/* a connection that stalls this long is closed */
#define SLICE		512		/* sessions walked per loop turn */
#define RETRY_USEC	(1ull * 1000000)	/* accept() again after running out of fds */

enum { ST_LCP, ST_AUTH, ST_NCP, ST_UP, ST_CLOSING, ST_MAX };
static const char *const state_names[ST_MAX] = { "lcp", "auth", "ncp", "up", "closing" };

struct scrape {
	struct metrics *m;
	struct scrape *next;
	int fd;
	sd_event_source *io, *timer;
	uint8_t in[REQUEST_MAX];
	size_t in_len;
	bool head;
	/* while the sessions are walked */
	bool walking;			/* in the walk now running */
	bool waiting;			/* asked while a walk ran: gets the next one */
	uint64_t by_state[ST_MAX];
	struct dp_stats live;
	struct strbuf per_session;
	/* the answer */
	char *out;
	size_t out_len, out_off;
};

struct metrics {
	struct server *srv;
	int fd;
	sd_event_source *listen_src, *retry;
	sd_event_source *walk;		/* a defer source while a walk is due */
	struct session *cursor;		/* the next session of the walk */
	struct scrape *scrapes;		/* every open connection */
	unsigned n_scrapes;
	uint64_t served, refused;
};

static void scrape_free(struct scrape *sc);
static int on_io(sd_event_source *src, int fd, uint32_t events, void *arg);

/* ---- the page ------------------------------------------------------------ */

static const char *method_label(unsigned m)
{
	static const char *const names[PPP_AUTH_NMETHODS] = {
		[PPP_AUTH_NONE] = "none", [PPP_AUTH_PAP] = "pap", [PPP_AUTH_CHAP_MD5] = "chap",
		[PPP_AUTH_MSCHAPV2] = "mschapv2", [PPP_AUTH_EAP] = "eap",
	};
	return m < PPP_AUTH_NMETHODS && names[m] ? names[m] : "other";
}

static void render_pools(struct server *srv, struct strbuf *b)
{
	struct policy_counts pc;

	policy_get_counts(srv->policy, &pc);
	prom_family(b, "l2tpd_pool_addresses", "gauge",
		    "Addresses of each pool by family and state (size, in_use, reserved).");
	for (unsigned i = 0; i < pc.pools; i++) {
		struct policy_pool_stats st;
		const char *name = policy_pool_name(srv->policy, i);

		if (!name || !policy_pool_stats(srv->policy, i, &st))
			continue;
		if (st.size4) {
			prom_sample(b, "l2tpd_pool_addresses", st.size4, "pool", name, "family", "ipv4",
				    "state", "size", NULL);
			prom_sample(b, "l2tpd_pool_addresses", st.in_use4, "pool", name, "family",
				    "ipv4", "state", "in_use", NULL);
			prom_sample(b, "l2tpd_pool_addresses", st.reserved4, "pool", name, "family",
				    "ipv4", "state", "reserved", NULL);
		}
		if (st.size6) {
			prom_sample(b, "l2tpd_pool_addresses", st.size6, "pool", name, "family", "ipv6",
				    "state", "size", NULL);
			prom_sample(b, "l2tpd_pool_addresses", st.in_use6, "pool", name, "family",
				    "ipv6", "state", "in_use", NULL);
			prom_sample(b, "l2tpd_pool_addresses", st.reserved6, "pool", name, "family",
				    "ipv6", "state", "reserved", NULL);
		}
	}
	prom_family(b, "l2tpd_pool_exhausted_total", "counter",
		    "Leases refused because the pool had no free address.");
	for (unsigned i = 0; i < pc.pools; i++) {
		struct policy_pool_stats st;
		const char *name = policy_pool_name(srv->policy, i);

		if (name && policy_pool_stats(srv->policy, i, &st))
			prom_sample(b, "l2tpd_pool_exhausted_total", st.exhausted, "pool", name, NULL);
	}
}

/* Everything but the walk's results: counters the daemon keeps. */
static void render_counters(struct server *srv, struct strbuf *b)
{
	const struct server_counters *c = &srv->counters;
	const struct l2tp_stats *ls = l2tp_ctx_stats(srv->l2tp);
	uint64_t dropped;

	prom_family(b, "l2tpd_info", "gauge", "The daemon's data plane (always 1).");
	prom_sample(b, "l2tpd_info", 1, "dataplane", srv->dp_ops->name, NULL);
	prom_family(b, "l2tpd_ports", "gauge", "Sessions the server accepts at most (limits.sessions).");
	prom_sample(b, "l2tpd_ports", srv->cfg.max_sessions, NULL);
	prom_family(b, "l2tpd_ports_in_use", "gauge", "Sessions that hold a port.");
	prom_sample(b, "l2tpd_ports_in_use", srv->n_sessions, NULL);
	prom_family(b, "l2tpd_tunnels", "gauge", "L2TP control connections by state.");
	prom_sample(b, "l2tpd_tunnels", ls->tunnels_active - ls->tunnels_draining, "state",
		    "established", NULL);
	prom_sample(b, "l2tpd_tunnels", ls->tunnels_draining, "state", "closing", NULL);

	prom_family(b, "l2tpd_session_setups_total", "counter", "Sessions that came up.");
	prom_sample(b, "l2tpd_session_setups_total", c->sessions_up, NULL);
	prom_family(b, "l2tpd_session_refusals_total", "counter",
		    "Sessions refused, by reason (bad-credentials is MS-CHAPv2's E=691).");
	prom_sample(b, "l2tpd_session_refusals_total", c->refused_credentials, "reason",
		    "bad-credentials", NULL);
	for (int r = 1; r < POLICY_REASON__COUNT; r++)
		prom_sample(b, "l2tpd_session_refusals_total", c->refused_policy[r], "reason",
			    policy_reason_name((enum policy_reason)r), NULL);
	prom_sample(b, "l2tpd_session_refusals_total", c->refused_filter, "reason", "packet-filter",
		    NULL);
	prom_sample(b, "l2tpd_session_refusals_total", c->refused_dataplane, "reason", "data-plane",
		    NULL);
	prom_family(b, "l2tpd_auth_total", "counter",
		    "Credentials checked, by PPP authentication method and result.");
	for (unsigned m = PPP_AUTH_PAP; m < PPP_AUTH_NMETHODS; m++) {
		prom_sample(b, "l2tpd_auth_total", c->auth_checked[m][1], "method", method_label(m),
			    "result", "success", NULL);
		prom_sample(b, "l2tpd_auth_total", c->auth_checked[m][0], "method", method_label(m),
			    "result", "failure", NULL);
	}

	prom_family(b, "l2tpd_l2tp_rejects_total", "counter",
		    "L2TP datagrams and requests the control plane rejected, by reason.");
	for (int r = 1; r < L2TP_R_MAX; r++)
		prom_sample(b, "l2tpd_l2tp_rejects_total", ls->rejects[r], "reason",
			    l2tp_reason_name((enum l2tp_reason)r), NULL);
	prom_family(b, "l2tpd_l2tp_retransmits_total", "counter",
		    "L2TP control messages sent again (RFC 2661 section 5.8).");
	prom_sample(b, "l2tpd_l2tp_retransmits_total", ls->retransmits, NULL);
	prom_family(b, "l2tpd_l2tp_control_messages_total", "counter",
		    "L2TP control messages by direction.");
	prom_sample(b, "l2tpd_l2tp_control_messages_total", ls->rx_messages, "direction", "rx", NULL);
	prom_sample(b, "l2tpd_l2tp_control_messages_total", ls->tx_datagrams, "direction", "tx",
		    NULL);

	if (srv->ipsec) {
		uint32_t ike, child;
		bool connected;

		ipsec_counts(srv, &ike, &child, &connected);
		prom_family(b, "l2tpd_ipsec_connected", "gauge",
			    "1 when the charon plugin is connected and has replayed its SAs.");
		prom_sample(b, "l2tpd_ipsec_connected", connected, NULL);
		prom_family(b, "l2tpd_ipsec_sas", "gauge", "IPsec SAs charon reported, by kind.");
		prom_sample(b, "l2tpd_ipsec_sas", ike, "kind", "ike", NULL);
		prom_sample(b, "l2tpd_ipsec_sas", child, "kind", "child", NULL);
	}
	if (edge_filter_dropped(srv->edge, &dropped) == 0) {
		prom_family(b, "l2tpd_internet_filter_dropped_total", "counter",
			    "Packets the Internet-side filter dropped.");
		prom_sample(b, "l2tpd_internet_filter_dropped_total", dropped, NULL);
	}
	if (srv->inform) {
		const uint64_t *di = dhcp_inform_counters(srv->inform);

		prom_family(b, "l2tpd_dhcp_inform_total", "counter",
			    "DHCP datagrams from clients' links: answered, or dropped by reason.");
		for (int r = 0; r < DI_COUNT_MAX; r++)
			prom_sample(b, "l2tpd_dhcp_inform_total", di[r], "result",
				    dhcp_inform_count_name((enum dhcp_inform_count)r), NULL);
	}
	if (srv->ra) {
		const uint64_t *rc = router_adv_counters(srv->ra);

		prom_family(b, "l2tpd_router_adv_total", "counter",
			    "IPv6 router advertisements sent and solicitations received on "
			    "clients' links, by result.");
		for (int r = 0; r < RAC_COUNT_MAX; r++)
			prom_sample(b, "l2tpd_router_adv_total", rc[r], "result",
				    router_adv_count_name((enum router_adv_count)r), NULL);
	}
	if (srv->dhcp6) {
		const uint64_t *dc = dhcp6_pd_counters(srv->dhcp6);

		prom_family(b, "l2tpd_dhcp6_total", "counter",
			    "DHCPv6 messages from clients' links (prefix delegation): answered, "
			    "prefixes delegated and released, or dropped by reason.");
		for (int r = 0; r < D6_COUNT_MAX; r++)
			prom_sample(b, "l2tpd_dhcp6_total", dc[r], "result",
				    dhcp6_pd_count_name((enum dhcp6_pd_count)r), NULL);
	}
	render_pools(srv, b);
	dhcppools_render_metrics(srv, b);
	dynauth_render_metrics(srv, b);
}

static void render(struct scrape *sc, struct strbuf *b)
{
	struct server *srv = sc->m->srv;
	const struct dp_stats *e = &srv->counters.ended;

	render_counters(srv, b);
	prom_family(b, "l2tpd_sessions", "gauge", "Sessions by state.");
	for (int i = 0; i < ST_MAX; i++)
		prom_sample(b, "l2tpd_sessions", sc->by_state[i], "state", state_names[i], NULL);
	prom_family(b, "l2tpd_dataplane_packets_total", "counter",
		    "IP packets through the data plane, by direction (rx: from clients).");
	prom_sample(b, "l2tpd_dataplane_packets_total", e->rx_packets + sc->live.rx_packets,
		    "direction", "rx", NULL);
	prom_sample(b, "l2tpd_dataplane_packets_total", e->tx_packets + sc->live.tx_packets,
		    "direction", "tx", NULL);
	prom_family(b, "l2tpd_dataplane_bytes_total", "counter",
		    "Octets of those packets, by direction.");
	prom_sample(b, "l2tpd_dataplane_bytes_total", e->rx_bytes + sc->live.rx_bytes, "direction",
		    "rx", NULL);
	prom_sample(b, "l2tpd_dataplane_bytes_total", e->tx_bytes + sc->live.tx_bytes, "direction",
		    "tx", NULL);
	prom_family(b, "l2tpd_dataplane_drops_total", "counter",
		    "Packets the data plane did not deliver, by reason.");
	prom_sample(b, "l2tpd_dataplane_drops_total", e->rx_errors + sc->live.rx_errors, "reason",
		    "rx-error", NULL);
	prom_sample(b, "l2tpd_dataplane_drops_total", e->tx_errors + sc->live.tx_errors, "reason",
		    "tx-error", NULL);
	prom_sample(b, "l2tpd_dataplane_drops_total", e->tx_dropped + sc->live.tx_dropped, "reason",
		    "tx-dropped", NULL);
	prom_sample(b, "l2tpd_dataplane_drops_total", srv->counters.rx_data_dropped, "reason",
		    "rx-no-session", NULL);
	prom_sample(b, "l2tpd_dataplane_drops_total", srv->counters.ppp_early_dropped, "reason",
		    "ppp-before-iccn", NULL);
	if (srv->cfg.metrics_per_session && sc->per_session.n) {
		prom_family(b, "l2tpd_session_packets_total", "counter",
			    "Per session (metrics.per_session): IP packets by direction.");
		prom_family(b, "l2tpd_session_bytes_total", "counter",
			    "Per session (metrics.per_session): octets by direction.");
		sb_printf(b, "%s", sc->per_session.s);
	}
}

/* ---- the walk over the sessions, in slices --------------------------------- */

static int state_index(uint8_t st)
{
	return st < ST_MAX ? st : ST_CLOSING;
}

static void walk_one(struct server *srv, struct scrape *sc, struct session *s)
{
	struct dp_stats st;

	sc->by_state[state_index(s->state)]++;
	if (!s->dp)
		return;
	session_packets(srv, s, &st);
	sc->live.rx_packets += st.rx_packets;
	sc->live.rx_bytes += st.rx_bytes;
	sc->live.tx_packets += st.tx_packets;
	sc->live.tx_bytes += st.tx_bytes;
	sc->live.rx_errors += st.rx_errors;
	sc->live.tx_errors += st.tx_errors;
	sc->live.tx_dropped += st.tx_dropped;
	if (srv->cfg.metrics_per_session) {
		char id[16];
		const char *ifname = srv->dp_ops->session_ifname(srv->dp, s->dp);

		snprintf(id, sizeof(id), "%u/%u", s->tunnel_id, s->session_id);
		prom_sample(&sc->per_session, "l2tpd_session_packets_total", st.rx_packets, "session",
			    id, "user", s->user, "interface", ifname ? ifname : "", "direction",
			    "rx", NULL);
		prom_sample(&sc->per_session, "l2tpd_session_packets_total", st.tx_packets, "session",
			    id, "user", s->user, "interface", ifname ? ifname : "", "direction",
			    "tx", NULL);
		prom_sample(&sc->per_session, "l2tpd_session_bytes_total", st.rx_bytes, "session", id,
			    "user", s->user, "interface", ifname ? ifname : "", "direction", "rx",
			    NULL);
		prom_sample(&sc->per_session, "l2tpd_session_bytes_total", st.tx_bytes, "session", id,
			    "user", s->user, "interface", ifname ? ifname : "", "direction", "tx",
			    NULL);
	}
}

static void respond(struct scrape *sc, int status, const char *reason, const char *type,
		    const char *body, size_t body_len)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr),
			 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n", status, reason, type, body_len);
	size_t send_body = sc->head ? 0 : body_len;

	free(sc->out);
	sc->out = malloc((size_t)n + send_body);
	sc->out_off = 0;
	sc->out_len = 0;
	if (!sc->out)
		return;
	memcpy(sc->out, hdr, (size_t)n);
	memcpy(sc->out + n, body, send_body);
	sc->out_len = (size_t)n + send_body;
	(void)sd_event_source_set_io_events(sc->io, EPOLLOUT);
}

static void finish_walk(struct metrics *m)
{
	for (struct scrape *sc = m->scrapes; sc; sc = sc->next) {
		struct strbuf b = { 0 };
		char *page;

		if (!sc->walking)
			continue;
		sc->walking = false;
		render(sc, &b);
		page = sb_take(&b);
		free(sb_take(&sc->per_session));
		memset(&sc->per_session, 0, sizeof(sc->per_session));
		if (!page) {
			respond(sc, 503, "Service Unavailable", "text/plain", "out of memory\n", 14);
			continue;
		}
		/* version=0.0.4: Prometheus' text exposition format */
		respond(sc, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", page, strlen(page));
		free(page);
		m->served++;
	}
}

static void start_walk(struct metrics *m);

static int on_walk(sd_event_source *src, void *arg)
{
	struct metrics *m = arg;
	struct server *srv = m->srv;
	unsigned n = 0;

	while (m->cursor && n++ < SLICE) {
		struct session *s = m->cursor;

		m->cursor = s->next;
		for (struct scrape *sc = m->scrapes; sc; sc = sc->next)
			if (sc->walking)
				walk_one(srv, sc, s);
	}
	if (m->cursor)
		return 0;	/* the defer source runs again on the next turn */
	sd_event_source_disable_unref(m->walk);
	m->walk = NULL;
	finish_walk(m);
	start_walk(m);		/* for the scrapes that came during this one */
	return 0;
}

void metrics_session_gone(struct server *srv, struct session *s)
{
	if (srv->metrics && srv->metrics->cursor == s)
		srv->metrics->cursor = s->next;
}

/* Walk the sessions for every scrape that waits. A scrape that arrives
 * while a walk runs would miss the sessions already passed: it waits for
 * the next walk, which starts when this one ends. */
static void start_walk(struct metrics *m)
{
	bool any = false;

	if (m->walk)
		return;
	for (struct scrape *sc = m->scrapes; sc; sc = sc->next) {
		if (!sc->waiting)
			continue;
		sc->waiting = false;
		sc->walking = true;
		memset(sc->by_state, 0, sizeof(sc->by_state));
		memset(&sc->live, 0, sizeof(sc->live));
		any = true;
	}
	if (!any)
		return;
	m->cursor = m->srv->sessions;
	if (sd_event_add_defer(m->srv->event, &m->walk, on_walk, m) < 0) {
		for (struct scrape *sc = m->scrapes; sc; sc = sc->next)
			if (sc->walking) {
				sc->walking = false;
				respond(sc, 503, "Service Unavailable", "text/plain", "busy\n", 5);
			}
	}
}

/* ---- connections ------------------------------------------------------------ */

static void scrape_free(struct scrape *sc)
{
	struct metrics *m = sc->m;
	struct scrape **pp;

	for (pp = &m->scrapes; *pp && *pp != sc; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = sc->next;
	m->n_scrapes--;
	sd_event_source_disable_unref(sc->io);
	sd_event_source_disable_unref(sc->timer);
	close(sc->fd);
	free(sc->out);
	free(sb_take(&sc->per_session));
	free(sc);
	/* a connection freed: accept again if we stopped at the limit */
	if (m->listen_src && !m->retry && m->n_scrapes < MAX_SCRAPES)
		(void)sd_event_source_set_enabled(m->listen_src, SD_EVENT_ON);
}

static int on_idle(sd_event_source *src, uint64_t usec, void *arg)
{
	scrape_free(arg);
	return 0;
}

static void request_complete(struct scrape *sc)
{
	bool head = false;

	switch (metrics_request_parse(sc->in, sc->in_len, &head)) {
	case METRICS_REQ_INCOMPLETE:
		if (sc->in_len == sizeof(sc->in))
			respond(sc, 431, "Request Header Fields Too Large", "text/plain",
				"request too large\n", 18);
		return;
	case METRICS_REQ_METRICS:
		sc->head = head;
		(void)sd_event_source_set_io_events(sc->io, 0);
		sc->waiting = true;
		start_walk(sc->m);
		return;
	case METRICS_REQ_NOT_FOUND:
		sc->head = head;
		respond(sc, 404, "Not Found", "text/plain", "try /metrics\n", 13);
		return;
	case METRICS_REQ_BAD_METHOD:
		respond(sc, 405, "Method Not Allowed", "text/plain", "GET or HEAD\n", 12);
		return;
	case METRICS_REQ_BAD:
		respond(sc, 400, "Bad Request", "text/plain", "bad request\n", 12);
		return;
	}
}

static int on_io(sd_event_source *src, int fd, uint32_t events, void *arg)
{
	struct scrape *sc = arg;

	if (sc->out) {
		while (sc->out_off < sc->out_len) {
			ssize_t n = send(fd, sc->out + sc->out_off, sc->out_len - sc->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (n <= 0)
				break;
			sc->out_off += (size_t)n;
		}
		scrape_free(sc);
		return 0;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		ssize_t n = recv(fd, sc->in + sc->in_len, sizeof(sc->in) - sc->in_len, MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0) {
			scrape_free(sc);
			return 0;
		}
		sc->in_len += (size_t)n;
		request_complete(sc);
	}
	return 0;
}

static int on_retry(sd_event_source *src, uint64_t usec, void *arg)
{
	struct metrics *m = arg;

	sd_event_source_disable_unref(m->retry);
	m->retry = NULL;
	if (m->n_scrapes < MAX_SCRAPES)
		(void)sd_event_source_set_enabled(m->listen_src, SD_EVENT_ON);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t events, void *arg)
{
	struct metrics *m = arg;
	struct scrape *sc;
	uint64_t now;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* no descriptor: stop accepting for a while instead of
			 * waking up for the same pending connection forever */
			log_warn("metrics: cannot accept a scrape: %s; pausing for 1 s",
				 strerror(errno));
			(void)sd_event_source_set_enabled(src, SD_EVENT_OFF);
			if (!m->retry && sd_event_now(m->srv->event, CLOCK_MONOTONIC, &now) >= 0)
				(void)sd_event_add_time(m->srv->event, &m->retry, CLOCK_MONOTONIC,
							now + RETRY_USEC, 0, on_retry, m);
		}
		return 0;
	}
	sc = calloc(1, sizeof(*sc));
	if (!sc || sd_event_now(m->srv->event, CLOCK_MONOTONIC, &now) < 0 ||
	    sd_event_add_io(m->srv->event, &sc->io, cfd, EPOLLIN, on_io, sc) < 0) {
		if (sc && sc->io)
			sd_event_source_disable_unref(sc->io);
		free(sc);
		close(cfd);
		m->refused++;
		return 0;
	}
	if (sd_event_add_time(m->srv->event, &sc->timer, CLOCK_MONOTONIC, now + IDLE_USEC, 0,
			      on_idle, sc) < 0) {
		sd_event_source_disable_unref(sc->io);
		free(sc);
		close(cfd);
		m->refused++;
		return 0;
	}
	sc->m = m;
	sc->fd = cfd;
	sc->next = m->scrapes;
	m->scrapes = sc;
	if (++m->n_scrapes >= MAX_SCRAPES)
		(void)sd_event_source_set_enabled(src, SD_EVENT_OFF);
	return 0;
}

int metrics_open(struct server *srv)
{
	const struct sockaddr_storage *a = &srv->cfg.metrics_listen;
	struct metrics *m;
	char where[80], addr[INET6_ADDRSTRLEN] = "?";
	int one = 1, port;

	if (a->ss_family == 0)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)a;
		inet_ntop(AF_INET, &v4->sin_addr, addr, sizeof(addr));
		port = ntohs(v4->sin_port);
		snprintf(where, sizeof(where), "%s:%d", addr, port);
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)a;
		inet_ntop(AF_INET6, &v6->sin6_addr, addr, sizeof(addr));
		port = ntohs(v6->sin6_port);
		snprintf(where, sizeof(where), "[%s]:%d", addr, port);
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		log_err("metrics: out of memory");
		return -1;
	}
	m->srv = srv;
	m->fd = socket(a->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(m->fd, (const struct sockaddr *)a,
		 a->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    listen(m->fd, MAX_SCRAPES) ||
	    sd_event_add_io(srv->event, &m->listen_src, m->fd, EPOLLIN, on_accept, m) < 0) {
		log_err("metrics: cannot listen on %s: %s", where, strerror(errno));
		if (m->fd >= 0)
			close(m->fd);
		free(m);
		return -1;
	}
	srv->metrics = m;
	log_notice("metrics: Prometheus endpoint on http://%s/metrics%s", where,
		   srv->cfg.metrics_per_session ? " (with per-session counters)" : "");
	return 0;
}

void metrics_close(struct server *srv)
{
	struct metrics *m = srv->metrics;

	if (!m)
		return;
	while (m->scrapes)
		scrape_free(m->scrapes);
	sd_event_source_disable_unref(m->walk);
	sd_event_source_disable_unref(m->retry);
	sd_event_source_disable_unref(m->listen_src);
	close(m->fd);
	free(m);
	srv->metrics = NULL;
}
