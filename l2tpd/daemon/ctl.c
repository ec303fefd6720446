/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ctl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_request.h"
#include "edge_filter.h"
#include "filter.h"
#include "log.h"
#include "drain.h"
#include "net.h"
#include "radius_status.h"
#include "router_adv.h"
#include "dhcp6_pd.h"
#include "select.h"
#include "session.h"
#include "strbuf.h"
#include "text.h"
#include "trace.h"

struct ctl_conn {
	struct server *srv;
	struct ctl_conn *prev, *next;	/* srv->ctl_conns */
	int fd;
	sd_event_source *src;
	struct timer_node idle;		/* kind SERVER_TIMER_CTL_IDLE */
	char req[CTL_MAX_REQUEST];
	size_t req_len;
	char *out;		/* reply being written */
	size_t out_len, out_pos;
};

/* Replies are built in a strbuf (lib/strbuf.h): JSON strings through the
 * one escaper (sb_json_str: RFC 8259, invalid UTF-8 as U+FFFD); client
 * strings in text replies through SAFE_STR (lib/text.h). */
#define outf sb_printf
#define out_json_str sb_json_str

static const char *state_name(uint8_t st)
{
	static const char *const names[] = { "lcp", "auth", "ncp", "up", "closing" };
	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/* The Internet-side filter (edge_filter.h): interfaces, ping, drops. */
static void internet_filter_status(struct server *srv, struct strbuf *o, bool json)
{
	const struct edge_filter_config *f = &srv->cfg.internet_filter;
	uint64_t dropped = 0;
	bool known = edge_filter_dropped(srv->edge, &dropped) == 0;

	if (json) {
		outf(o, ",\"internet_filter\":{\"active\":%s,\"interfaces\":[",
		     edge_filter_active(srv->edge) ? "true" : "false");
		for (unsigned i = 0; i < f->n_interfaces; i++)
			outf(o, "%s\"%s\"", i ? "," : "", f->interfaces[i]);
		outf(o, "],\"icmp\":%s,\"dropped\":", f->icmp ? "true" : "false");
		if (known)
			outf(o, "%llu}", (unsigned long long)dropped);
		else
			outf(o, "null}");
		return;
	}
	if (!edge_filter_active(srv->edge)) {
		outf(o, "internet filter: off\n");
		return;
	}
	outf(o, "internet filter: on");
	for (unsigned i = 0; i < f->n_interfaces; i++)
		outf(o, "%s%s", i ? ", " : " ", f->interfaces[i]);
	outf(o, " (IKE, NAT-T, ESP, L2TP%s%s), ", srv->cfg.require_ipsec ? " over IPsec" : "",
	     f->icmp ? ", ping" : "; ping blocked");
	if (known)
		outf(o, "%llu packets dropped\n", (unsigned long long)dropped);
	else
		outf(o, "drops unknown\n");
}

static unsigned long long tunnels_refused(const struct l2tp_stats *ls)
{
	return (unsigned long long)(ls->rejects[L2TP_R_TUNNEL_LIMIT] +
				    ls->rejects[L2TP_R_HALF_OPEN_LIMIT] +
				    ls->rejects[L2TP_R_RATE_LIMITED]);
}

static void cmd_status(struct server *srv, struct strbuf *o, bool json)
{
	const struct l2tp_stats *ls = l2tp_ctx_stats(srv->l2tp);
	long uptime = (long)(time(NULL) - srv->started_wall);
	int64_t cleartext = filters_cleartext_dropped(srv->filters);	/* -1: no guard */
	char line[256], ct[24];

	if (cleartext >= 0)
		snprintf(ct, sizeof(ct), "%lld", (long long)cleartext);
	else
		snprintf(ct, sizeof(ct), "null");

	if (json) {
		outf(o, "{\"ports_in_use\":%u,\"ports\":%u,\"tunnels\":%u,\"sessions\":%u,"
			"\"sessions_up\":%u,\"dataplane\":\"%s\",\"uptime\":%ld,"
			"\"sessions_refused\":%llu,\"auth_failures\":%llu,\"auth_throttled\":%llu,"
			"\"rx_control\":%llu,"
			"\"rx_data\":%llu,\"rx_errors\":%llu,\"tx_errors\":%llu,\"retransmits\":%llu,"
			"\"cleartext_l2tp_dropped\":%s,\"draining\":%s,"
			"\"half_open\":%u,\"half_open_max\":%u,\"tunnels_refused\":%llu,"
			"\"sessions_preauth\":%u,\"preauth_timeouts\":%llu",
		     srv->n_sessions, srv->cfg.max_sessions, srv->n_tunnels, srv->n_sessions,
		     srv->n_sessions_up, srv->dp_ops->name, uptime,
		     (unsigned long long)srv->counters.sessions_refused,
		     (unsigned long long)srv->counters.auth_failures,
		     (unsigned long long)srv->counters.auth_throttled,
		     (unsigned long long)srv->counters.rx_control,
		     (unsigned long long)srv->counters.rx_data,
		     (unsigned long long)srv->counters.rx_errors,
		     (unsigned long long)srv->counters.tx_errors,
		     (unsigned long long)ls->retransmits, ct, srv->draining ? "true" : "false",
		     ls->tunnels_half_open, srv->cfg.max_half_open, tunnels_refused(ls),
		     ls->sessions_preauth, (unsigned long long)ls->preauth_timeouts);
		internet_filter_status(srv, o, true);
		outf(o, "}\n");
		return;
	}
	outf(o, "ports:     %u in use of %u\n", srv->n_sessions, srv->cfg.max_sessions);
	outf(o, "tunnels:   %u\n", srv->n_tunnels);
	/* SCCRQ answered, no SCCCN yet: not in "tunnels" (docs/l2tp.md) */
	outf(o, "half-open: %u of %u (%llu tunnels refused)\n", ls->tunnels_half_open,
	     srv->cfg.max_half_open, tunnels_refused(ls));
	outf(o, "pre-auth:  %u calls not yet authenticated, %llu cleared by auth_timeout\n",
	     ls->sessions_preauth, (unsigned long long)ls->preauth_timeouts);
	outf(o, "sessions:  %u (%u up)\n", srv->n_sessions, srv->n_sessions_up);
	outf(o, "dataplane: %s\n", srv->dp_ops->name);
	outf(o, "uptime:    %lds\n", uptime);
	if (srv->draining)
		outf(o, "draining:  yes: new tunnels and sessions refused (l2tpctl drain off)\n");
	outf(o, "refused:   %llu sessions, %llu failed logins\n",
	     (unsigned long long)srv->counters.sessions_refused,
	     (unsigned long long)srv->counters.auth_failures);
	ipsec_status(srv, line, sizeof(line));	/* ipsec.c */
	outf(o, "ipsec:     %s (require_ipsec = %s)\n", line, srv->cfg.require_ipsec ? "yes" : "no");
	if (cleartext >= 0)	/* filter.h: only with require_ipsec */
		outf(o, "cleartext L2TP dropped: %lld\n", (long long)cleartext);
	internet_filter_status(srv, o, false);
}

static void cmd_tunnels(struct server *srv, struct strbuf *o, bool json)
{
	char peer[64];
	bool first = true;

	if (json)
		outf(o, "[");
	else
		outf(o, "%-6s %-24s %-8s %-20s %s\n", "ID", "PEER", "SESSIONS", "HOST", "UPTIME");
	for (struct tunnel *t = srv->tunnels; t; t = t->next) {
		long up = (long)(time(NULL) - t->up_wall);
		net_addr_str(&t->peer, peer, sizeof(peer));
		if (json) {
			outf(o, "%s{\"id\":%u,\"peer\":", first ? "" : ",", t->id);
			out_json_str(o, peer);
			outf(o, ",\"sessions\":%u,\"host\":", t->sessions);
			out_json_str(o, t->peer_host);
			outf(o, ",\"uptime\":%ld}", up);
		} else {
			outf(o, "%-6u %-24s %-8u %-20s %lds\n", t->id, peer, t->sessions,
			     SAFE_STR(t->peer_host), up);
		}
		first = false;
	}
	if (json)
		outf(o, "]\n");
}

static void cmd_sessions(struct server *srv, struct strbuf *o, bool json,
			 struct session **sel, size_t n_sel)
{
	bool first = true;

	if (json)
		outf(o, "[");
	else
		outf(o, "%-12s %-16s %-22s %-15s %-8s %-7s %-8s %-28s %s\n", "ID", "USER", "PEER",
		     "ADDRESS", "IF", "STATE", "UPTIME", "IN/OUT PACKETS (BYTES)", "IPSEC ID");
	for (size_t i_sel = 0; i_sel < n_sel; i_sel++) {
		struct session *s = sel[i_sel];	/* filtered and sorted: select.c */
		char peer[64] = "-", addr[INET_ADDRSTRLEN] = "-", id[16];
		struct in_addr in = { htonl(s->peer_addr) };
		struct dp_stats st;
		const char *ifname = s->dp ? srv->dp_ops->session_ifname(srv->dp, s->dp) : "-";
		long up = s->up_ms ? (long)((server_now_ms(srv) - s->up_ms) / 1000) : 0;
		const char *ike_id = ipsec_tunnel_identity(srv, s->tunnel);	/* ipsec.c */
		const char *subject, *issuer;
		char pkts[64];

		session_packets(srv, s, &st);
		ipsec_tunnel_cert(srv, s->tunnel, &subject, &issuer);
		if (s->tunnel)
			net_addr_str(&s->tunnel->peer, peer, sizeof(peer));
		if (s->peer_addr)
			inet_ntop(AF_INET, &in, addr, sizeof(addr));
		snprintf(id, sizeof(id), "%u/%u", s->tunnel_id, s->session_id);
		if (json) {
			outf(o, "%s{\"tunnel\":%u,\"session\":%u,\"user\":", first ? "" : ",",
			     s->tunnel_id, s->session_id);
			out_json_str(o, s->user);
			outf(o, ",\"peer\":");
			out_json_str(o, peer);
			outf(o, ",\"address\":");
			out_json_str(o, addr);
			outf(o, ",\"interface\":");
			out_json_str(o, ifname ? ifname : "-");
			outf(o, ",\"state\":\"%s\",\"uptime\":%ld,\"policy\":", state_name(s->state), up);
			out_json_str(o, s->policy_name);
			outf(o, ",\"ipsec_identity\":");
			out_json_str(o, ike_id ? ike_id : "");
			outf(o, ",\"ipsec_cert_subject\":");
			out_json_str(o, subject ? subject : "");
			outf(o, ",\"ipsec_cert_issuer\":");
			out_json_str(o, issuer ? issuer : "");
			/* what the session installed around its interface */
			outf(o, ",\"framed_routes\":[");
			for (unsigned i = 0; s->routes_installed && i < s->n_routes; i++) {
				char pfx[64];
				routes_format(&s->routes[i], pfx, sizeof(pfx));
				outf(o, "%s", i ? "," : "");
				out_json_str(o, pfx);
			}
			outf(o, "],\"ipv6_prefix\":");
			{
				struct policy_prefix v6;
				char pfx[64] = "";

				if (router_adv_session_prefix(s, &v6))
					policy_prefix_format(&v6, pfx, sizeof(pfx));
				out_json_str(o, pfx);
				/* DHCPv6 Prefix Delegation: routed to the client */
				pfx[0] = '\0';
				if (dhcp6_pd_session_prefix(s, &v6))
					policy_prefix_format(&v6, pfx, sizeof(pfx));
				outf(o, ",\"ipv6_delegated_prefix\":");
				out_json_str(o, pfx);
			}
			outf(o, ",\"filter_in\":");
			out_json_str(o, s->filter_in ? filter_chain_name(s->filter_in) : "");
			outf(o, ",\"filter_out\":");
			out_json_str(o, s->filter_out ? filter_chain_name(s->filter_out) : "");
			outf(o, ",\"proxy_arp\":%s", s->proxy_arp ? "true" : "false");
			outf(o, ",\"rx_packets\":%llu,\"rx_bytes\":%llu,\"tx_packets\":%llu,\"tx_bytes\":%llu}",
			     (unsigned long long)st.rx_packets, (unsigned long long)st.rx_bytes,
			     (unsigned long long)st.tx_packets, (unsigned long long)st.tx_bytes);
		} else {
			char upbuf[24];
			snprintf(upbuf, sizeof(upbuf), "%lds", up);
			snprintf(pkts, sizeof(pkts), "%llu/%llu (%llu/%llu)",
				 (unsigned long long)st.rx_packets, (unsigned long long)st.tx_packets,
				 (unsigned long long)st.rx_bytes, (unsigned long long)st.tx_bytes);
			outf(o, "%-12s %-16s %-22s %-15s %-8s %-7s %-8s %-28s %s\n", id,
			     s->user[0] ? SAFE_STR(s->user) : "-", peer, addr, ifname ? ifname : "-",
			     state_name(s->state), upbuf, pkts, ike_id ? SAFE_STR(ike_id) : "-");
			/* a certificate's DNs on a line of their own: they are long */
			if (subject || issuer)
				outf(o, "%-12s certificate '%s' issued by '%s'\n", "",
				     SAFE_STR(subject), SAFE_STR(issuer));
			/* a delegated prefix likewise: most sessions have none */
			{
				struct policy_prefix v6;
				char pfx[64];

				if (dhcp6_pd_session_prefix(s, &v6))
					outf(o, "%-12s delegated prefix %s\n", "",
					     policy_prefix_format(&v6, pfx, sizeof(pfx)));
			}
		}
		first = false;
	}
	if (json)
		outf(o, "]\n");
}

/* "pools": each static pool's IPv4 addresses, leased / size / reserved for
 * static users, for `l2tpctl policy test --leased daemon` (a dry run with
 * the daemon's counts). Text: "IN_USE SIZE RESERVED NAME" per line, the
 * name last so that the numbers parse whatever it holds. DHCP pools have
 * no addresses of their own (dhcppool.c holds their leases): left out. */
static void cmd_pools(struct server *srv, struct strbuf *o, bool json)
{
	struct policy_counts pc;
	bool first = true;

	policy_get_counts(srv->policy, &pc);
	if (json)
		outf(o, "[");
	for (unsigned i = 0; i < pc.pools; i++) {
		struct policy_pool_stats st;
		const char *name = policy_pool_name(srv->policy, i);

		if (!name || !policy_pool_stats(srv->policy, i, &st) || !st.size4)
			continue;
		if (json) {
			outf(o, "%s{\"pool\":", first ? "" : ",");
			out_json_str(o, name);
			outf(o, ",\"in_use\":%llu,\"size\":%llu,\"reserved\":%llu}",
			     (unsigned long long)st.in_use4, (unsigned long long)st.size4,
			     (unsigned long long)st.reserved4);
		} else {
			outf(o, "%llu %llu %llu %s\n", (unsigned long long)st.in_use4,
			     (unsigned long long)st.size4, (unsigned long long)st.reserved4, name);
		}
		first = false;
	}
	if (json)
		outf(o, "]\n");
}

/* The selectors of disconnect and trace (select.c): 0 when they select
 * sessions, else -1 with the error written to the reply. */
static int parse_selection(struct strbuf *o, const struct ctl_request *req,
			   struct session_filter *f)
{
	char err[160];

	if (session_filter_parse(f, req->n_args, (char **)req->args, err, sizeof(err))) {
		outf(o, "error: %s\n", err);
		return -1;
	}
	if (!session_filter_selects(f) || f->sort != SORT_NONE) {
		outf(o, "error: %s\n", f->sort != SORT_NONE ? "sort is for sessions"
							 : "nothing selected");
		return -1;
	}
	return 0;
}

/* Runs one parsed request; the reply starts with "ok" or "error: ...". */
static void run_request(struct server *srv, const struct ctl_request *req, struct strbuf *o)
{
	switch (req->cmd) {
	case CTL_CMD_STATUS:
		outf(o, "ok\n");
		cmd_status(srv, o, req->json);
		break;
	case CTL_CMD_TUNNELS:
		outf(o, "ok\n");
		cmd_tunnels(srv, o, req->json);
		break;
	case CTL_CMD_POOLS:
		outf(o, "ok\n");
		cmd_pools(srv, o, req->json);
		break;
	case CTL_CMD_RADIUS:
		outf(o, "ok\n");
		radius_status(srv, o, req->json);
		break;
	case CTL_CMD_SESSIONS: {
		struct session_filter f;
		struct session **sel;
		size_t n;
		bool oom;
		char err[160];

		if (session_filter_parse(&f, req->n_args, (char **)req->args, err, sizeof(err)) ||
		    f.all) {
			outf(o, "error: %s\n", f.all ? "'all' is for disconnect" : err);
			break;
		}
		sel = session_select(srv, &f, &n, &oom);
		if (oom) {
			outf(o, "error: out of memory\n");
		} else {
			outf(o, "ok\n");
			cmd_sessions(srv, o, req->json, sel, n);
		}
		free(sel);
		break;
	}
	case CTL_CMD_DRAIN:
		server_set_draining(srv, req->drain_on);
		outf(o, "ok\n%s\n", srv->draining ? "draining: new tunnels and sessions are refused, "
			"those up stay" : "drain off: new tunnels and sessions are accepted");
		break;
	case CTL_CMD_RELOAD: {
		char msg[1024];
		if (server_reload(srv, msg, sizeof(msg)) == 0)
			outf(o, "ok\n%s\n", msg);
		else
			outf(o, "error: %s\n", msg);
		break;
	}
	case CTL_CMD_DISCONNECT_USER: {
		int n = server_disconnect_user(srv, req->user);
		if (n > 0)
			outf(o, "ok\n%d session(s) of user '%s' disconnected\n", n, SAFE_STR(req->user));
		else
			outf(o, "error: user '%s' has no session\n", SAFE_STR(req->user));
		break;
	}
	case CTL_CMD_DISCONNECT_SESSION:
		if (server_disconnect_session(srv, req->tunnel_id, req->session_id) > 0)
			outf(o, "ok\nsession %u/%u disconnected\n", req->tunnel_id, req->session_id);
		else
			outf(o, "error: no session %u/%u\n", req->tunnel_id, req->session_id);
		break;
	case CTL_CMD_DISCONNECT: {
		/* selectors: address=A interface=IF peer=P policy=P user=U
		 * session=T/S, or all (select.c) */
		struct session_filter f;
		int n;

		if (parse_selection(o, req, &f))
			break;
		if ((n = server_disconnect_filter(srv, &f)) > 0) {
			outf(o, "ok\n%d session(s) disconnected\n", n);
		} else {
			outf(o, "error: no session matches\n");
		}
		break;
	}
	case CTL_CMD_TRACE: {
		/* the same selectors as disconnect (select.c); trace.h */
		struct session_filter f;
		int n;

		if (parse_selection(o, req, &f))
			break;
		if ((n = trace_set_filter(srv, &f, req->trace_on)) > 0) {
			outf(o, "ok\ntracing %s for %d session(s)\n", req->trace_on ? "on" : "off", n);
		} else {
			outf(o, "error: no session matches\n");
		}
		break;
	}
	}
}

enum ctl_parse ctl_handle_request(struct server *srv, const char *buf, size_t len,
				  struct strbuf *o)
{
	struct ctl_request req;
	enum ctl_parse pr = ctl_request_parse(buf, len, &req);

	if (pr == CTL_PARSE_MORE)
		return pr;
	if (pr == CTL_PARSE_ERROR)
		outf(o, "error: %s\n", req.error);
	else
		run_request(srv, &req, o);
	server_flush(srv);
	return pr;
}

static void conn_free(struct ctl_conn *c)
{
	struct server *srv = c->srv;

	timerheap_cancel(&srv->timers, &c->idle);
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->ctl_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->n_ctl_conns--;
	sd_event_source_disable_unref(c->src);
	/* Unread bytes at close make the kernel reset the client's end, and
	 * the client loses our answer (an oversized request): drain what is
	 * queued, boundedly (the socket is nonblocking). */
	for (unsigned i = 0; i < 16 && read(c->fd, c->req, sizeof(c->req)) > 0; i++)
		;
	close(c->fd);
	free(c->out);
	free(c);
	server_fd_released(srv);
}

/* Any progress (bytes read or written) restarts the idle timeout. */
static void conn_touch(struct ctl_conn *c)
{
	struct server *srv = c->srv;

	timerheap_set(&srv->timers, &c->idle,
		      server_now_ms(srv) + (uint64_t)srv->cfg.control_idle * 1000);
	server_rearm_heap(srv);
}

void ctl_idle_fired(struct server *srv, struct timer_node *n)
{
	struct ctl_conn *c = container_of(n, struct ctl_conn, idle);

	log_debug("control socket: connection idle for %us, closed", srv->cfg.control_idle);
	conn_free(c);
}

static int on_conn(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct ctl_conn *c = arg;

	if (c->out) {	/* writing the reply */
		ssize_t n = write(c->fd, c->out + c->out_pos, c->out_len - c->out_pos);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0 || (c->out_pos += (size_t)n) == c->out_len)
			conn_free(c);
		else
			conn_touch(c);
		return 0;
	}
	ssize_t n = read(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		conn_free(c);
		return 0;
	}
	c->req_len += (size_t)n;
	conn_touch(c);
	struct strbuf o = { 0 };

	if (ctl_handle_request(c->srv, c->req, c->req_len, &o) == CTL_PARSE_MORE)
		return 0;	/* wait for the whole line */
	if (o.oom || !o.s) {
		free(o.s);
		conn_free(c);
		return 0;
	}
	c->out = o.s;
	c->out_len = o.n;
	if (sd_event_source_set_io_events(c->src, EPOLLOUT) < 0) {
		log_warn("control socket: cannot wait to write the reply: connection closed");
		conn_free(c);
	}
	return 0;
}

/* Over the connection limit: say so (best effort, the socket is new and
 * its buffer empty) and close, without keeping a descriptor. */
static void refuse_conn(struct server *srv, int cfd)
{
	static const char msg[] = "error: too many control connections\n";
	uint64_t now = server_now_ms(srv);

	if (write(cfd, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do: the close tells the client */
	}
	close(cfd);
	if (!srv->last_ctl_full_log_ms || now - srv->last_ctl_full_log_ms >= 60000) {
		srv->last_ctl_full_log_ms = now;
		log_warn("control socket: %u connections open (limits { control_connections }), "
			 "new ones refused", srv->n_ctl_conns);
	}
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct server *srv = arg;
	struct ctl_conn *c;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0) {
		server_gate_accept_failed(srv, &srv->ctl_gate, errno);
		return 0;
	}
	if (srv->n_ctl_conns >= srv->cfg.control_connections) {
		refuse_conn(srv, cfd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_warn("control socket: out of memory: connection closed");
		close(cfd);
		return 0;
	}
	c->srv = srv;
	c->fd = cfd;
	c->idle.kind = SERVER_TIMER_CTL_IDLE;
	int r = sd_event_add_io(srv->event, &c->src, cfd, EPOLLIN, on_conn, c);
	if (r < 0) {
		log_warn("control socket: cannot watch a connection: %s", strerror(-r));
		close(cfd);
		free(c);
		return 0;
	}
	c->next = srv->ctl_conns;
	if (c->next)
		c->next->prev = c;
	srv->ctl_conns = c;
	srv->n_ctl_conns++;
	conn_touch(c);
	return 0;
}

int ctl_open(struct server *srv, const char *path, const char *group)
{
	/* Root and the control group only: it can disconnect users. */
	int fd = net_listen_unix(path, SOCK_STREAM, 16, group[0] ? 0660 : 0600);

	if (fd < 0) {
		log_err("control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (group[0]) {
		struct group *g = getgrnam(group);
		if (!g || chown(path, 0, g->gr_gid))
			log_warn("control socket: group '%s' not usable, root only", group);
	}
	srv->ctl_fd = fd;
	int r = sd_event_add_io(srv->event, &srv->ctl_src, fd, EPOLLIN, on_accept, srv);
	if (r < 0) {
		log_err("control socket %s: cannot watch it: %s", path, strerror(-r));
		close(fd);
		srv->ctl_fd = -1;
		return -1;
	}
	server_gate_register(srv, &srv->ctl_gate, "control socket", srv->ctl_src);
	return 0;
}

void ctl_close(struct server *srv)
{
	while (srv->ctl_conns)
		conn_free(srv->ctl_conns);
	if (srv->ctl_src) {
		server_gate_unregister(srv, &srv->ctl_gate);
		srv->ctl_src = sd_event_source_disable_unref(srv->ctl_src);
	}
	if (srv->ctl_fd >= 0) {
		close(srv->ctl_fd);
		srv->ctl_fd = -1;
		unlink(srv->cfg.control_socket);
	}
}
