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

#include "log.h"
#include "net.h"
#include "session.h"

#define CTL_MAX_REQUEST 512

struct ctl_conn {
	struct server *srv;
	int fd;
	sd_event_source *src;
	char req[CTL_MAX_REQUEST];
	size_t req_len;
	char *out;		/* reply being written */
	size_t out_len, out_pos;
};

/* A growing reply buffer. */
struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf ? o->buf + o->len : NULL, o->buf ? o->cap - o->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = true;
			return;
		}
		if (o->buf && o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = (o->cap ? o->cap * 2 : 4096) + (size_t)n;
		char *b = realloc(o->buf, cap);
		if (!b) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
}

/* JSON string content: escape what JSON requires. */
static void out_json_str(struct out *o, const char *s)
{
	outf(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			outf(o, "\\%c", c);
		else if (c < 0x20)
			outf(o, "\\u%04x", c);
		else
			outf(o, "%c", c);
	}
	outf(o, "\"");
}

static const char *state_name(uint8_t st)
{
	static const char *const names[] = { "lcp", "auth", "ncp", "up", "closing" };
	return st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

static unsigned long long tunnels_refused(const struct l2tp_stats *ls)
{
	return (unsigned long long)(ls->rejects[L2TP_R_TUNNEL_LIMIT] +
				    ls->rejects[L2TP_R_HALF_OPEN_LIMIT] +
				    ls->rejects[L2TP_R_RATE_LIMITED]);
}

static void cmd_status(struct server *srv, struct out *o, bool json)
{
	const struct l2tp_stats *ls = l2tp_ctx_stats(srv->l2tp);
	long uptime = (long)(time(NULL) - srv->started_wall);
	char line[256];

	if (json) {
		outf(o, "{\"ports_in_use\":%u,\"ports\":%u,\"tunnels\":%u,\"sessions\":%u,"
			"\"sessions_up\":%u,\"dataplane\":\"%s\",\"uptime\":%ld,"
			"\"sessions_refused\":%llu,\"auth_failures\":%llu,\"rx_control\":%llu,"
			"\"rx_data\":%llu,\"rx_errors\":%llu,\"tx_errors\":%llu,\"retransmits\":%llu,"
			"\"half_open\":%u,\"half_open_max\":%u,\"tunnels_refused\":%llu,"
			"\"sessions_preauth\":%u,\"preauth_timeouts\":%llu}\n",
		     srv->n_sessions, srv->cfg.max_sessions, srv->n_tunnels, srv->n_sessions,
		     srv->n_sessions_up, srv->dp_ops->name, uptime,
		     (unsigned long long)srv->counters.sessions_refused,
		     (unsigned long long)srv->counters.auth_failures,
		     (unsigned long long)srv->counters.rx_control,
		     (unsigned long long)srv->counters.rx_data,
		     (unsigned long long)srv->counters.rx_errors,
		     (unsigned long long)srv->counters.tx_errors,
		     (unsigned long long)ls->retransmits, ls->tunnels_half_open,
		     srv->cfg.max_half_open, tunnels_refused(ls), ls->sessions_preauth,
		     (unsigned long long)ls->preauth_timeouts);
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
	outf(o, "refused:   %llu sessions, %llu failed logins\n",
	     (unsigned long long)srv->counters.sessions_refused,
	     (unsigned long long)srv->counters.auth_failures);
	ipsec_status(srv, line, sizeof(line));	/* ipsec.c */
	outf(o, "ipsec:     %s (require_ipsec = %s)\n", line, srv->cfg.require_ipsec ? "yes" : "no");
}

static void cmd_tunnels(struct server *srv, struct out *o, bool json)
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
			outf(o, "%-6u %-24s %-8u %-20s %lds\n", t->id, peer, t->sessions, t->peer_host, up);
		}
		first = false;
	}
	if (json)
		outf(o, "]\n");
}

static void cmd_sessions(struct server *srv, struct out *o, bool json)
{
	bool first = true;

	if (json)
		outf(o, "[");
	else
		outf(o, "%-12s %-16s %-22s %-15s %-8s %-7s %-8s %-28s %s\n", "ID", "USER", "PEER",
		     "ADDRESS", "IF", "STATE", "UPTIME", "IN/OUT PACKETS (BYTES)", "IPSEC ID");
	for (struct session *s = srv->sessions; s; s = s->next) {
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
			outf(o, "],\"filter_in\":");
			out_json_str(o, s->filter_in ? filter_chain_name(s->filter_in) : "");
			outf(o, ",\"filter_out\":");
			out_json_str(o, s->filter_out ? filter_chain_name(s->filter_out) : "");
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
			     s->user[0] ? s->user : "-", peer, addr, ifname ? ifname : "-",
			     state_name(s->state), upbuf, pkts, ike_id ? ike_id : "-");
			/* a certificate's DNs on a line of their own: they are long */
			if (subject || issuer)
				outf(o, "%-12s certificate '%s' issued by '%s'\n", "",
				     subject ? subject : "", issuer ? issuer : "");
		}
		first = false;
	}
	if (json)
		outf(o, "]\n");
}

/* Runs one request; the reply starts with "ok" or "error: ...". */
static void run_request(struct server *srv, char *line, struct out *o)
{
	char *argv[8];
	int argc = 0;
	bool json = false;

	for (char *tok = strtok(line, " \t\r\n"); tok && argc < 8; tok = strtok(NULL, " \t\r\n"))
		argv[argc++] = tok;
	if (argc && !strcmp(argv[0], "json")) {
		json = true;
		memmove(argv, argv + 1, --argc * sizeof(argv[0]));
	}
	if (argc == 0) {
		outf(o, "error: empty request\n");
	} else if (!strcmp(argv[0], "status") && argc == 1) {
		outf(o, "ok\n");
		cmd_status(srv, o, json);
	} else if (!strcmp(argv[0], "tunnels") && argc == 1) {
		outf(o, "ok\n");
		cmd_tunnels(srv, o, json);
	} else if (!strcmp(argv[0], "sessions") && argc == 1) {
		outf(o, "ok\n");
		cmd_sessions(srv, o, json);
	} else if (!strcmp(argv[0], "reload") && argc == 1) {
		char msg[1024];
		if (server_reload(srv, msg, sizeof(msg)) == 0)
			outf(o, "ok\n%s\n", msg);
		else
			outf(o, "error: %s\n", msg);
	} else if (!strcmp(argv[0], "disconnect") && argc == 3 && !strcmp(argv[1], "user")) {
		int n = server_disconnect_user(srv, argv[2]);
		if (n > 0)
			outf(o, "ok\n%d session(s) of user '%s' disconnected\n", n, argv[2]);
		else
			outf(o, "error: user '%s' has no session\n", argv[2]);
	} else if (!strcmp(argv[0], "disconnect") && argc == 3 && !strcmp(argv[1], "session")) {
		unsigned tid, sid;
		char extra;
		if (sscanf(argv[2], "%u/%u%c", &tid, &sid, &extra) != 2 || tid > 65535 || sid > 65535)
			outf(o, "error: expected TUNNEL/SESSION ids, e.g. 1234/5678\n");
		else if (server_disconnect_session(srv, (uint16_t)tid, (uint16_t)sid) > 0)
			outf(o, "ok\nsession %u/%u disconnected\n", tid, sid);
		else
			outf(o, "error: no session %u/%u\n", tid, sid);
	} else {
		outf(o, "error: unknown request '%s' (status, tunnels, sessions, disconnect, reload)\n",
		     argv[0]);
	}
}

static void conn_free(struct ctl_conn *c)
{
	sd_event_source_disable_unref(c->src);
	close(c->fd);
	free(c->out);
	free(c);
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
		return 0;
	}
	ssize_t n = read(c->fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		conn_free(c);
		return 0;
	}
	c->req_len += (size_t)n;
	c->req[c->req_len] = 0;
	if (!strchr(c->req, '\n') && c->req_len < sizeof(c->req) - 1)
		return 0;	/* wait for the whole line */
	struct out o = { 0 };
	if (!strchr(c->req, '\n'))
		outf(&o, "error: request too long\n");
	else
		run_request(c->srv, c->req, &o);
	server_flush(c->srv);
	if (o.failed || !o.buf) {
		free(o.buf);
		conn_free(c);
		return 0;
	}
	c->out = o.buf;
	c->out_len = o.len;
	sd_event_source_set_io_events(c->src, EPOLLOUT);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct server *srv = arg;
	struct ctl_conn *c;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return 0;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->srv = srv;
	c->fd = cfd;
	if (sd_event_add_io(srv->event, &c->src, cfd, EPOLLIN, on_conn, c) < 0) {
		close(cfd);
		free(c);
	}
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
	if (sd_event_add_io(srv->event, &srv->ctl_src, fd, EPOLLIN, on_accept, srv) < 0) {
		close(fd);
		srv->ctl_fd = -1;
		return -1;
	}
	return 0;
}

void ctl_close(struct server *srv)
{
	if (srv->ctl_src)
		srv->ctl_src = sd_event_source_disable_unref(srv->ctl_src);
	if (srv->ctl_fd >= 0) {
		close(srv->ctl_fd);
		srv->ctl_fd = -1;
		unlink(srv->cfg.control_socket);
	}
}
