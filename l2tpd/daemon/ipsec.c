/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The charon plugin link, daemon side (docs/ipsec.md). l2tpd listens on a
 * unix SOCK_SEQPACKET socket; the plugin connects (and reconnects when
 * either side restarts), says HELLO, replays every current SA, says
 * REPLAY_END, then reports SAs as they come and go. One connection at a
 * time: a new one replaces the old (charon restarted).
 */
#include "ipsec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "acct.h"
#include "ipsec_table.h"
#include "log.h"
#include "net.h"
#include "server.h"
#include "text.h"

/* Log a deferred SCCRQ at most this often (a client retransmits each second). */
#define WAIT_LOG_INTERVAL_MS 10000

struct ipsec {
	struct server *srv;
	struct ipsec_table table;
	int listen_fd, conn_fd;
	sd_event_source *listen_src, *conn_src;
	struct accept_gate gate;	/* accept() out of descriptors (server.h) */
	uint64_t connects, deletes_sent, deletes_failed, refused, deferred;
	uint64_t last_wait_log_ms;
};

static int family_of(const struct l2tp_addr *a)
{
	return a->family == AF_INET6 ? 6 : 4;
}

static const char *ike_addr_str(const struct ipsec_ike *ike, char *buf, size_t len)
{
	struct l2tp_addr a = { .family = ike->peer.family == 6 ? AF_INET6 : AF_INET,
			       .port = ike->peer_port };

	memcpy(a.addr, ike->peer.addr, 16);
	return net_addr_str(&a, buf, len);
}

/* ---- table callbacks: the SA under tunnels is gone ---- */

static void sa_gone(void *ctx, const struct ipsec_ike *ike, enum ipsec_gone_reason why)
{
	struct ipsec *ip = ctx;
	struct server *srv = ip->srv;
	uint64_t now = server_now_ms(srv);
	struct tunnel *t, *next;
	char a[64];

	for (t = srv->tunnels; t; t = next) {
		next = t->next;
		if (t->ipsec.ike_id != ike->id)
			continue;
		log_notice("tunnel %u: closed: %s (IKE_SA #%u, peer %s, id '%s')", t->id,
			   ipsec_gone_reason_text(why), ike->id, ike_addr_str(ike, a, sizeof(a)),
			   SAFE_STR(ike->remote_id));
		t->ipsec.delete_on_end = false;	/* it is gone already */
		acct_tunnel_end(srv, t, RADIUS_END_IPSEC_DOWN);	/* Acct-Terminate-Cause */
		/* StopCCN result 1, general request to clear the control
		 * connection (RFC 2661 4.4.2). This emits TUNNEL_DOWN at
		 * once, which moves t to srv->closing: next was saved. */
		l2tp_tunnel_close(srv->l2tp, t->id, 1, 0, now);
	}
}

static void ike_rekeyed(void *ctx, uint32_t old_id, uint32_t new_id)
{
	struct ipsec *ip = ctx;

	for (struct tunnel *t = ip->srv->tunnels; t; t = t->next)
		if (t->ipsec.ike_id == old_id)
			t->ipsec.ike_id = new_id;
	/* closing tunnels are bound until their control connection closes */
	for (struct tunnel *t = ip->srv->closing; t; t = t->next)
		if (t->ipsec.ike_id == old_id)
			t->ipsec.ike_id = new_id;
}

/* ---- requests to the plugin ---- */

static void send_delete(struct ipsec *ip, const struct ipsec_ike *ike)
{
	struct l2tp_ipsec_writer w;
	uint8_t buf[64];
	size_t n;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_DELETE_IKE_SA);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike->id);
	n = l2tp_ipsec_end(&w);
	if (ip->conn_fd < 0 || send(ip->conn_fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n) {
		ip->deletes_failed++;
		log_warn("cannot ask charon to delete IKE_SA #%u ('%s'): %s", ike->id,
			 SAFE_STR(ike->remote_id),
			 ip->conn_fd < 0 ? "the plugin is not connected" : strerror(errno));
		return;
	}
	ip->deletes_sent++;
	log_notice("asked charon to delete IKE_SA #%u ('%s'): its last tunnel ended", ike->id,
		   SAFE_STR(ike->remote_id));
}

/* ---- the connection ---- */

static void conn_close(struct ipsec *ip, const char *why)
{
	if (ip->conn_fd < 0)
		return;
	log_warn("charon plugin disconnected (%s): IPsec state kept, new tunnels wait "
		 "until it is back", why);
	sd_event_source_disable_unref(ip->conn_src);
	ip->conn_src = NULL;
	close(ip->conn_fd);
	ip->conn_fd = -1;
	ipsec_table_disconnected(&ip->table);
	server_fd_released(ip->srv);
}

static void handle_message(struct ipsec *ip, const uint8_t *buf, size_t len)
{
	enum ipsec_apply_reason apply;
	enum l2tp_ipsec_reason r;
	bool was_synced = ip->table.synced;

	r = ipsec_table_input(&ip->table, buf, len, &apply);
	if (r == L2TP_IPSEC_R_BAD_VERSION) {
		log_err("charon plugin speaks protocol version %u, this l2tpd %u: "
			"install matching versions", buf[0], L2TP_IPSEC_VERSION);
		conn_close(ip, "protocol version mismatch");
		return;
	}
	if (r != L2TP_IPSEC_OK || apply != IPSEC_APPLY_OK) {
		log_warn("charon plugin: message %s (%zu octets) ignored: %s",
			 len >= 2 ? l2tp_ipsec_type_name(buf[1]) : "?", len,
			 r != L2TP_IPSEC_OK ? l2tp_ipsec_reason_name(r)
					    : apply == IPSEC_APPLY_UNEXPECTED ? "unexpected here"
					    : apply == IPSEC_APPLY_CHILD_CONFLICT
						    ? "CHILD_SA reported under another IKE_SA"
						    : "out of memory");
		return;
	}
	if (!was_synced && ip->table.synced)
		log_notice("charon plugin: %u IKE SA(s), %u L2TP CHILD_SA(s) replayed",
			   ipsec_table_ike_count(&ip->table), ipsec_table_child_count(&ip->table));
	if (log_enabled(LOG_LVL_DEBUG))
		log_debug("charon plugin: %s", l2tp_ipsec_type_name(buf[1]));
}

static int on_conn(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct ipsec *ip = arg;
	uint8_t buf[L2TP_IPSEC_MSG_MAX + 1];

	/* Bounded per wake-up, like the UDP sockets: the loop stays fair. */
	for (int i = 0; i < 64 && ip->conn_fd == fd; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n == 0) {
			conn_close(ip, "connection closed");
			break;
		}
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				conn_close(ip, strerror(errno));
			break;
		}
		/* MSG_TRUNC: n is the packet's real size; the parser refuses
		 * what is over L2TP_IPSEC_MSG_MAX without reading past buf. */
		handle_message(ip, buf, (size_t)n > sizeof(buf) ? sizeof(buf) : (size_t)n);
	}
	server_flush(ip->srv);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct ipsec *ip = arg;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0) {
		server_gate_accept_failed(ip->srv, &ip->gate, errno);
		return 0;
	}
	/* Only charon (root) may tell us who holds an SA. */
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || (cred.uid != 0 &&
								      cred.uid != geteuid())) {
		log_warn("charon plugin socket: connection from uid %d refused", (int)cred.uid);
		close(cfd);
		return 0;
	}
	if (ip->conn_fd >= 0)
		conn_close(ip, "replaced by a new connection");
	ip->conn_fd = cfd;
	int r = sd_event_add_io(ip->srv->event, &ip->conn_src, cfd, EPOLLIN, on_conn, ip);
	if (r < 0) {
		log_warn("charon plugin socket: cannot watch the connection: %s", strerror(-r));
		close(cfd);
		ip->conn_fd = -1;
		return 0;
	}
	ip->connects++;
	ipsec_table_connected(&ip->table);
	log_notice("charon plugin connected (pid %d): waiting for its SAs", (int)cred.pid);
	return 0;
}

static int open_socket(struct ipsec *ip, const char *path)
{
	/* root only, from the start: the plugin runs as root */
	int fd = net_listen_unix(path, SOCK_SEQPACKET, 4, 0600);

	if (fd < 0)
		return -1;
	ip->listen_fd = fd;
	return 0;
}

int ipsec_init(struct server *srv)
{
	static const struct ipsec_table_ops ops = { .sa_gone = sa_gone, .ike_rekeyed = ike_rekeyed };
	struct ipsec_table_ops o = ops;
	struct ipsec *ip = calloc(1, sizeof(*ip));

	if (!ip) {
		log_err("charon plugin link: out of memory");
		return -1;
	}
	ip->srv = srv;
	ip->listen_fd = ip->conn_fd = -1;
	o.ctx = ip;
	if (ipsec_table_init(&ip->table, &o)) {
		log_err("charon plugin link: out of memory for the SA table");
		free(ip);
		return -1;
	}
	srv->ipsec = ip;
	if (open_socket(ip, srv->cfg.ipsec_socket) ||
	    sd_event_add_io(srv->event, &ip->listen_src, ip->listen_fd, EPOLLIN, on_accept, ip) < 0) {
		if (srv->cfg.require_ipsec) {
			log_err("charon plugin socket %s: %s (require_ipsec = yes needs it)",
				srv->cfg.ipsec_socket, strerror(errno));
			return -1;
		}
		log_warn("charon plugin socket %s: %s; IPsec identities unknown",
			 srv->cfg.ipsec_socket, strerror(errno));
		return 0;
	}
	server_gate_register(srv, &ip->gate, "charon plugin socket", ip->listen_src);
	log_info("charon plugin socket %s: waiting for the plugin", srv->cfg.ipsec_socket);
	return 0;
}

void ipsec_free(struct server *srv)
{
	struct ipsec *ip = srv->ipsec;

	if (!ip)
		return;
	/* Tunnels are freed before this: nothing is bound any more. */
	ip->table.ops.sa_gone = NULL;
	if (ip->conn_src)
		sd_event_source_disable_unref(ip->conn_src);
	if (ip->conn_fd >= 0)
		close(ip->conn_fd);
	if (ip->listen_src) {
		server_gate_unregister(srv, &ip->gate);
		sd_event_source_disable_unref(ip->listen_src);
	}
	if (ip->listen_fd >= 0) {
		close(ip->listen_fd);
		unlink(srv->cfg.ipsec_socket);
	}
	ipsec_table_free(&ip->table);
	free(ip);
	srv->ipsec = NULL;
}

/* ---- hooks ---- */

enum l2tp_accept ipsec_accept_tunnel(void *arg, const struct l2tp_addr *peer,
				     const struct l2tp_addr *local)
{
	struct server *srv = arg;
	struct ipsec *ip = srv->ipsec;
	struct ipsec_ike *ike;
	enum ipsec_verdict v;
	uint64_t now;
	char a[64];

	if (!srv->cfg.require_ipsec)
		return L2TP_ACCEPT;
	if (!ip)
		return L2TP_ACCEPT_REFUSE;
	v = ipsec_table_check(&ip->table, family_of(peer), peer->addr, peer->mark, &ike);
	switch (v) {
	case IPSEC_OK:
		return L2TP_ACCEPT;
	case IPSEC_WAIT:
	case IPSEC_UNKNOWN_MARK:
		ip->deferred++;
		now = server_now_ms(srv);
		if (!ip->last_wait_log_ms || now - ip->last_wait_log_ms >= WAIT_LOG_INTERVAL_MS) {
			ip->last_wait_log_ms = now;
			log_info("SCCRQ from %s (mark 0x%x) not answered yet: %s%s",
				 net_addr_str(peer, a, sizeof(a)), peer->mark, ipsec_verdict_text(v),
				 ip->conn_fd < 0 ? " (charon plugin not connected)" : "");
		}
		return L2TP_ACCEPT_DEFER;
	case IPSEC_NO_SA:
	case IPSEC_CLEARTEXT:
		break;
	}
	ip->refused++;
	log_rl_msg(&srv->log_rl[SRV_LOG_SCCRQ_NO_IPSEC], server_now_ms(srv), LOG_LVL_NOTICE,
		   "tunnel from %s refused: %s (require_ipsec = yes)",
		   net_addr_str(peer, a, sizeof(a)), ipsec_verdict_text(v));
	server_rearm_l2tp(srv);
	return L2TP_ACCEPT_REFUSE;
}

void ipsec_tunnel_up(struct server *srv, struct tunnel *t)
{
	struct ipsec *ip = srv->ipsec;
	struct ipsec_ike *ike;
	char a[64];

	if (!ip)
		return;
	if (ipsec_table_check(&ip->table, family_of(&t->peer), t->peer.addr, t->peer.mark, &ike) !=
	    IPSEC_OK) {
		if (srv->cfg.require_ipsec)
			log_warn("tunnel %u: its IPsec SA went away during set-up", t->id);
		return;
	}
	t->ipsec.ike_id = ike->id;
	ipsec_table_bind(&ip->table, ike);
	log_info("tunnel %u: over IPsec IKE_SA #%u (IKEv%u, peer %s%s, id '%s'%s%s%s%s%s%s)",
		 t->id, ike->id, ike->ike_version, ike_addr_str(ike, a, sizeof(a)),
		 ike->encap ? ", NAT-T" : "", SAFE_STR(ike->remote_id),
		 ike->cert_subject ? ", certificate '" : "",
		 SAFE_STR(ike->cert_subject), ike->cert_subject ? "'" : "",
		 ike->cert_issuer ? " issued by '" : "",
		 SAFE_STR(ike->cert_issuer), ike->cert_issuer ? "'" : "");
}

void ipsec_tunnel_free(struct server *srv, struct tunnel *t)
{
	struct ipsec *ip = srv->ipsec;
	struct ipsec_ike *ike;

	if (!ip || !t->ipsec.ike_id)
		return;
	ike = ipsec_table_unbind(&ip->table, t->ipsec.ike_id);
	t->ipsec.ike_id = 0;
	if (!ike || ike->going || ike->tunnels || !t->ipsec.delete_on_end ||
	    !srv->cfg.ipsec_delete_on_disconnect || ike->delete_requested)
		return;
	ike->delete_requested = true;
	send_delete(ip, ike);
}

void ipsec_admin_disconnect(struct server *srv, struct session *s)
{
	if (s->tunnel && s->tunnel->ipsec.ike_id)
		s->tunnel->ipsec.delete_on_end = true;
}

void ipsec_session_gone(struct server *srv, struct tunnel *t)
{
	if (!t->ipsec.delete_on_end || t->sessions || srv->stopping ||
	    !srv->cfg.ipsec_delete_on_disconnect)
		return;
	/* The administrator's disconnect ended the tunnel's last call: end
	 * the tunnel too (StopCCN result 1, 4.4.2) while its SA still
	 * carries it. Only when its control connection has closed (the
	 * StopCCN acknowledged and held for a retransmission cycle, 5.7, or
	 * never acknowledged) is the tunnel freed and charon asked to delete
	 * the IKE SA (ipsec_tunnel_free): the StopCCN and the peer's ZLB
	 * must still travel in ESP. */
	log_info("tunnel %u: closed after the administrator's disconnect", t->id);
	l2tp_tunnel_close(srv->l2tp, t->id, 1, 0, server_now_ms(srv));
}

void ipsec_fill_request(struct server *srv, const struct tunnel *t, struct policy_request *req)
{
	struct ipsec_ike *ike;

	if (!srv->ipsec || !t || !t->ipsec.ike_id)
		return;
	ike = ipsec_table_ike(&srv->ipsec->table, t->ipsec.ike_id);
	if (!ike)
		return;
	req->ike_identity = ike->remote_id;
	req->cert_subject = ike->cert_subject;
	req->cert_issuer = ike->cert_issuer;
}

const char *ipsec_tunnel_identity(struct server *srv, const struct tunnel *t)
{
	struct ipsec_ike *ike;

	if (!srv->ipsec || !t || !t->ipsec.ike_id)
		return NULL;
	ike = ipsec_table_ike(&srv->ipsec->table, t->ipsec.ike_id);
	return ike ? ike->remote_id : NULL;
}

uint16_t ipsec_tunnel_natt_port(struct server *srv, const struct tunnel *t)
{
	struct ipsec_ike *ike;

	if (!srv->ipsec || !t || !t->ipsec.ike_id)
		return 0;
	ike = ipsec_table_ike(&srv->ipsec->table, t->ipsec.ike_id);
	return ike && ike->peer_port && ike->peer_port != 500 ? ike->peer_port : 0;
}

void ipsec_tunnel_cert(struct server *srv, const struct tunnel *t, const char **subject,
		       const char **issuer)
{
	struct ipsec_ike *ike = NULL;

	if (srv->ipsec && t && t->ipsec.ike_id)
		ike = ipsec_table_ike(&srv->ipsec->table, t->ipsec.ike_id);
	*subject = ike ? ike->cert_subject : NULL;
	*issuer = ike ? ike->cert_issuer : NULL;
}

void ipsec_counts(struct server *srv, uint32_t *ike, uint32_t *child, bool *connected)
{
	struct ipsec *ip = srv->ipsec;

	*ike = ip ? ipsec_table_ike_count(&ip->table) : 0;
	*child = ip ? ipsec_table_child_count(&ip->table) : 0;
	*connected = ip && ip->conn_fd >= 0 && ip->table.synced;
}

void ipsec_status(struct server *srv, char *buf, size_t len)
{
	struct ipsec *ip = srv->ipsec;

	if (!ip) {
		snprintf(buf, len, "no socket");
		return;
	}
	snprintf(buf, len, "%s, %u IKE SAs, %u L2TP CHILD_SAs, %llu refused, %llu deferred, "
		 "%llu deletes",
		 ip->conn_fd < 0 ? "not connected" : ip->table.synced ? "connected" : "replaying",
		 ipsec_table_ike_count(&ip->table), ipsec_table_child_count(&ip->table),
		 (unsigned long long)ip->refused, (unsigned long long)ip->deferred,
		 (unsigned long long)ip->deletes_sent);
}
