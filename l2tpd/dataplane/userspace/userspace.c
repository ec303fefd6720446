/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The userspace data path (dataplane_userspace): L2TP data messages are
 * handled here, IP packets go through TUN devices. See dp_user.h and
 * docs/dataplane-userspace.md.
 *
 * Per packet: one header parse, one hash lookup, one write or one sendmsg.
 * No allocation (one reusable buffer per dataplane), no work that grows with
 * the number of sessions, no globals.
 */
#include "dp_user.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "u32_htab.h"
#include "l2tp_codec.h"

/* The largest IP packet a TUN device hands us (its MTU is at most 65535)
 * and the largest UDP payload, whichever is larger, plus headroom. */
#define DP_BUF_LEN		65536
#define DP_DEFAULT_BURST	64
/* Largest UDP payload over IPv4 (65535 - 20 - 8): an L2TP message never
 * exceeds it. */
#define DP_MAX_UDP_PAYLOAD	65507

union dp_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

struct dp_tunnel {
	struct u32_hnode node;		/* key: our Tunnel ID */
	struct dp_session *sessions;	/* list through dp_session.tnext */
	union dp_sockaddr peer;		/* normalized: compared with sources */
	union dp_sockaddr peer_send;	/* as the daemon gave it: sendmsg's */
	socklen_t peer_send_len;
	int udp_fd;
	uint32_t fwmark;
	uint16_t local_tunnel_id, peer_tunnel_id;
};

struct dp_session {
	struct u32_hnode node;		/* key: our Tunnel ID << 16 | our Session ID */
	struct u32_hnode addr_node;	/* shared mode: key = peer IPv4 address */
	struct dp_session *tnext, **tpprev;
	struct dp_tunnel *tunnel;
	void *cookie;
	int fd;				/* TUN fd, -1 in shared mode */
	int ifindex;
	int lan_ifindex;		/* proxy ARP entry on this LAN, 0 none */
	uint16_t local_session_id, peer_session_id;
	uint16_t mtu, mru;
	uint16_t ns;			/* next Ns when send_seq */
	bool ip4, ip6, send_seq, in_addr_hash;
	bool want_tun;			/* per-session device, not made yet (defer_netdev) */
	struct in_addr local4, peer4;
	char ifname[IFNAMSIZ];		/* the name hint until the device exists */
	struct dp_user_counters c;
};

struct dataplane {
	struct dp_callbacks cb;
	struct dp_user_io io;
	bool own_io;
	struct dp_user_config cfg;
	struct u32_htab tunnels;		/* by our Tunnel ID */
	struct u32_htab sessions;	/* by (Tunnel ID, Session ID) */
	struct u32_htab addrs;		/* shared mode: by peer IPv4 */
	struct dp_session **by_fd;	/* TUN fd -> session, O(1) for fd_ready */
	size_t by_fd_len;
	unsigned n_sessions;
	int shared_fd, shared_ifindex;
	char shared_ifname[IFNAMSIZ];
	uint64_t drops[DP_DROP_MAX];
	uint8_t buf[DP_BUF_LEN];	/* TUN reads; PFC-expanded control frames */
};

static inline uint32_t session_key(uint16_t tunnel_id, uint16_t session_id)
{
	return (uint32_t)tunnel_id << 16 | session_id;
}

static void drop(struct dataplane *dp, struct dp_session *s, enum dp_user_drop why)
{
	dp->drops[why]++;
	if (s)
		s->c.drops[why]++;
}

/* ---- lifetime ---- */

static int watch(struct dataplane *dp, int fd)
{
	return dp->cb.watch_fd ? dp->cb.watch_fd(dp->cb.ctx, fd) : 0;
}

static void unwatch(struct dataplane *dp, int fd)
{
	if (dp->cb.unwatch_fd)
		dp->cb.unwatch_fd(dp->cb.ctx, fd);
}

int dp_user_create(const struct dp_callbacks *cb, const struct dp_user_io *io,
		   const struct dp_user_config *cfg, struct dataplane **out)
{
	struct dataplane *dp;
	int err;

	*out = NULL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->cb = *cb;
	dp->shared_fd = -1;
	if (cfg)
		dp->cfg = *cfg;
	if (!dp->cfg.burst)
		dp->cfg.burst = DP_DEFAULT_BURST;
	if (!dp->cfg.shared_mtu)
		dp->cfg.shared_mtu = 1400;
	if (io) {
		dp->io = *io;
	} else {
		err = dp_user_sysio_create(&dp->io);
		if (err < 0) {
			free(dp);
			return err;
		}
		dp->own_io = true;
	}
	if (u32_htab_init(&dp->tunnels, 6) < 0 || u32_htab_init(&dp->sessions, 8) < 0 ||
	    u32_htab_init(&dp->addrs, 8) < 0) {
		err = -ENOMEM;
		goto fail;
	}
	if (dp->cfg.mode == DP_USER_TUN_SHARED) {
		const char *name = dp->cfg.shared_ifname ? dp->cfg.shared_ifname : "l2tp-shared";
		struct dp_ip_params none;

		err = dp->io.tun_open(dp->io.ctx, name, dp->cfg.shared_mtu,
				      dp->shared_ifname, &dp->shared_ifindex);
		if (err < 0)
			goto fail;
		dp->shared_fd = err;
		/* Up with no address yet: each session adds its local
		 * address and a route to its client (session_set_ip). */
		memset(&none, 0, sizeof(none));
		err = dp->io.set_ip(dp->io.ctx, dp->shared_ifindex, &none, false, false);
		if (err < 0)
			goto fail;
		err = watch(dp, dp->shared_fd);
		if (err < 0)
			goto fail;
	}
	*out = dp;
	return 0;
fail:
	if (dp->shared_fd >= 0)
		dp->io.tun_close(dp->io.ctx, dp->shared_fd, dp->shared_ifindex);
	u32_htab_fini(&dp->tunnels);
	u32_htab_fini(&dp->sessions);
	u32_htab_fini(&dp->addrs);
	if (dp->own_io)
		dp_user_sysio_destroy(&dp->io);
	free(dp);
	return err;
}

static void user_tunnel_delete(struct dataplane *dp, struct dp_tunnel *t);

static void user_destroy(struct dataplane *dp)
{
	if (!dp)
		return;
	/* Whatever the daemon left: tunnels take their sessions along. */
	for (size_t i = 0; i < (size_t)1 << dp->tunnels.bits; i++) {
		while (dp->tunnels.buckets[i])
			user_tunnel_delete(dp, u32_container_of(dp->tunnels.buckets[i],
							      struct dp_tunnel, node));
	}
	if (dp->shared_fd >= 0) {
		unwatch(dp, dp->shared_fd);
		dp->io.tun_close(dp->io.ctx, dp->shared_fd, dp->shared_ifindex);
	}
	u32_htab_fini(&dp->tunnels);
	u32_htab_fini(&dp->sessions);
	u32_htab_fini(&dp->addrs);
	free(dp->by_fd);
	if (dp->own_io)
		dp_user_sysio_destroy(&dp->io);
	free(dp);
}

static int user_create(const struct dp_callbacks *cb, const struct dp_config *cfg,
		       struct dataplane **out)
{
	struct dp_user_config uc = { .mode = DP_USER_TUN_PER_SESSION };

	if (cfg && cfg->shared_netdev) {
		uc.mode = DP_USER_TUN_SHARED;
		uc.shared_ifname = cfg->shared_ifname;
		uc.shared_mtu = cfg->shared_mtu;
	}
	return dp_user_create(cb, NULL, &uc, out);
}

/* Data go out on the daemon's socket (udp_fd): no socket of our own. */
static int user_tunnel_fd(struct dataplane *dp, struct dp_tunnel *t)
{
	(void)dp;
	(void)t;
	return -1;
}

static void user_caps(const struct dataplane *dp, struct dp_caps *out)
{
	bool shared = dp->cfg.mode == DP_USER_TUN_SHARED;

	memset(out, 0, sizeof(*out));
	/* Data messages come through the daemon's socket (data_rx); TUN
	 * devices are named by the daemon: letting the kernel pick "l2tp%d"
	 * gets slower with every device (docs/performance.md). */
	out->flags = DP_CAP_DATA_RX | DP_CAP_SEQUENCING | DP_CAP_IFNAME_BY_DAEMON | DP_CAP_DHCP_RX |
		     DP_CAP_RS_RX | DP_CAP_DHCP6_RX;
	if (shared) {
		/* The shared TUN dispatches by the client's own address only. */
		out->flags |= DP_CAP_SHARED_NETDEV;
		out->fds_fixed = 1;
		out->no_netdev_why = "the shared TUN (userspace.tun = shared)";
	} else {
		out->flags |= DP_CAP_SESSION_NETDEV;
		out->fds_per_session = 1;	/* its TUN, from session_netdev */
	}
}

/* Addresses compare in one form: an IPv4-mapped IPv6 address (a dual-stack
 * socket) is its IPv4 address. Returns the length, 0 if unusable. */
static socklen_t normalize(const struct sockaddr_storage *ss, union dp_sockaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (ss->ss_family == AF_INET) {
		memcpy(&out->in, ss, sizeof(out->in));
		return sizeof(out->in);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			out->in.sin_family = AF_INET;
			out->in.sin_port = in6->sin6_port;
			memcpy(&out->in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
			return sizeof(out->in);
		}
		memcpy(&out->in6, in6, sizeof(out->in6));
		return sizeof(out->in6);
	}
	return 0;
}

static bool same_peer(const struct dp_tunnel *t, const struct sockaddr_storage *from)
{
	union dp_sockaddr a;

	if (!from || !normalize(from, &a) || a.sa.sa_family != t->peer.sa.sa_family)
		return false;
	if (a.sa.sa_family == AF_INET)
		return a.in.sin_port == t->peer.in.sin_port &&
		       a.in.sin_addr.s_addr == t->peer.in.sin_addr.s_addr;
	return a.in6.sin6_port == t->peer.in6.sin6_port &&
	       memcmp(&a.in6.sin6_addr, &t->peer.in6.sin6_addr, 16) == 0;
}

static int user_tunnel_create(struct dataplane *dp, const struct dp_tunnel_params *p,
			      struct dp_tunnel **out)
{
	struct dp_tunnel *t;
	union dp_sockaddr peer;
	socklen_t plen;
	int err;

	*out = NULL;
	/* Tunnel ID 0 is reserved (RFC 2661 section 3.1: it addresses no
	 * tunnel, used only before one is assigned). */
	if (p->local_tunnel_id == 0 || p->peer_tunnel_id == 0 || p->udp_fd < 0)
		return -EINVAL;
	plen = normalize(&p->peer, &peer);
	if (!plen)
		return -EAFNOSUPPORT;
	if (u32_htab_find(&dp->tunnels, p->local_tunnel_id))
		return -EEXIST;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->node.key = p->local_tunnel_id;
	t->peer = peer;
	/* Send to the form the socket expects: a dual-stack IPv6 socket
	 * needs the mapped address back. */
	if (p->peer.ss_family == AF_INET6 && peer.sa.sa_family == AF_INET) {
		memcpy(&t->peer_send, &p->peer, sizeof(struct sockaddr_in6));
		t->peer_send_len = sizeof(struct sockaddr_in6);
	} else {
		memcpy(&t->peer_send, &peer, plen);
		t->peer_send_len = plen;
	}
	t->udp_fd = p->udp_fd;
	t->fwmark = p->fwmark;
	t->local_tunnel_id = p->local_tunnel_id;
	t->peer_tunnel_id = p->peer_tunnel_id;
	err = u32_htab_insert(&dp->tunnels, &t->node);
	(void)err; /* a failed grow keeps a correct, fuller table */
	*out = t;
	return 0;
}

static void user_session_delete(struct dataplane *dp, struct dp_session *s);

static void user_tunnel_delete(struct dataplane *dp, struct dp_tunnel *t)
{
	if (!t)
		return;
	/* The daemon normally deletes sessions first; any left go with it. */
	while (t->sessions)
		user_session_delete(dp, t->sessions);
	u32_htab_remove(&dp->tunnels, &t->node);
	free(t);
}

static int fd_index_set(struct dataplane *dp, int fd, struct dp_session *s)
{
	if ((size_t)fd >= dp->by_fd_len) {
		size_t n = dp->by_fd_len ? dp->by_fd_len : 64;
		struct dp_session **nb;

		while (n <= (size_t)fd)
			n *= 2;
		nb = realloc(dp->by_fd, n * sizeof(*nb));
		if (!nb)
			return -ENOMEM;
		memset(nb + dp->by_fd_len, 0, (n - dp->by_fd_len) * sizeof(*nb));
		dp->by_fd = nb;
		dp->by_fd_len = n;
	}
	dp->by_fd[fd] = s;
	return 0;
}

/* The session's own TUN device. s->ifname holds the name hint (empty:
 * the kernel picks "l2tp%d"); on success it holds the device's name. */
static int open_session_tun(struct dataplane *dp, struct dp_session *s)
{
	char hint[IFNAMSIZ];
	uint16_t mtu = s->mtu ? s->mtu : 1400;
	int fd, err;

	memcpy(hint, s->ifname, sizeof(hint));
	/* "l2tp%d": the kernel picks the first free l2tpN. */
	fd = dp->io.tun_open(dp->io.ctx, hint[0] ? hint : "l2tp%d", mtu, s->ifname, &s->ifindex);
	/* A device of that name may still be going away (its fd waits
	 * in the closer, sysio.c): let the kernel pick a name. */
	if (fd == -EBUSY && hint[0])
		fd = dp->io.tun_open(dp->io.ctx, "l2tp%d", mtu, s->ifname, &s->ifindex);
	if (fd < 0) {
		memcpy(s->ifname, hint, sizeof(hint));
		return fd;
	}
	err = fd_index_set(dp, fd, s);
	if (err == 0)
		err = watch(dp, fd);
	if (err < 0) {
		if ((size_t)fd < dp->by_fd_len)
			dp->by_fd[fd] = NULL;
		dp->io.tun_close(dp->io.ctx, fd, s->ifindex);
		memcpy(s->ifname, hint, sizeof(hint));
		s->ifindex = 0;
		return err;
	}
	s->fd = fd;
	s->want_tun = false;
	return 0;
}

static int user_session_create(struct dataplane *dp, struct dp_tunnel *t,
			       const struct dp_session_params *p, void *cookie,
			       struct dp_session **out)
{
	struct dp_session *s;
	int err;

	*out = NULL;
	if (!t || p->local_session_id == 0 || p->peer_session_id == 0)
		return -EINVAL;	/* Session ID 0 is the tunnel itself, section 3.1 */
	if (u32_htab_find(&dp->sessions, session_key(t->local_tunnel_id, p->local_session_id)))
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->node.key = session_key(t->local_tunnel_id, p->local_session_id);
	s->tunnel = t;
	s->cookie = cookie;
	s->local_session_id = p->local_session_id;
	s->peer_session_id = p->peer_session_id;
	s->mtu = p->mtu;
	s->mru = p->mru;
	s->fd = -1;
	if (dp->cfg.mode == DP_USER_TUN_SHARED) {
		s->ifindex = dp->shared_ifindex;
		memcpy(s->ifname, dp->shared_ifname, IFNAMSIZ);
	} else {
		if (p->ifname_hint)
			snprintf(s->ifname, sizeof(s->ifname), "%s", p->ifname_hint);
		s->want_tun = true;
		/* Deferred: LCP and authentication need no device (their
		 * frames go through session_send_ppp and ppp_control_rx); an
		 * unauthenticated peer then costs no fd and no netdev. */
		if (!p->defer_netdev && (err = open_session_tun(dp, s)) < 0) {
			free(s);
			return err;
		}
	}
	(void)u32_htab_insert(&dp->sessions, &s->node);
	s->tnext = t->sessions;
	if (t->sessions)
		t->sessions->tpprev = &s->tnext;
	s->tpprev = &t->sessions;
	t->sessions = s;
	dp->n_sessions++;
	*out = s;
	return 0;
}

static int user_session_netdev(struct dataplane *dp, struct dp_session *s)
{
	if (!s)
		return -EINVAL;
	return s->want_tun ? open_session_tun(dp, s) : 0;
}

/* One TUN per session: its MTU; the shared TUN carries every session
 * and keeps its own. */
static int user_session_set_mtu(struct dataplane *dp, struct dp_session *s, uint16_t mtu)
{
	int err;

	if (!s || !mtu)
		return -EINVAL;
	if (dp->cfg.mode == DP_USER_TUN_SHARED)
		return -EOPNOTSUPP;
	if (s->fd >= 0) {
		if (!dp->io.link_mtu)
			return -EOPNOTSUPP;
		if ((err = dp->io.link_mtu(dp->io.ctx, s->ifindex, mtu)) < 0)
			return err;
	}
	s->mtu = mtu;	/* open_session_tun makes the device with it */
	return 0;
}

static void user_session_delete(struct dataplane *dp, struct dp_session *s)
{
	if (!s)
		return;
	/* The proxy entry lives on the LAN device: closing the TUN does not
	 * take it away. */
	if (s->lan_ifindex > 0)
		(void)dp->io.proxy_neigh(dp->io.ctx, s->lan_ifindex, s->peer4, false);
	if (s->in_addr_hash) {
		u32_htab_remove(&dp->addrs, &s->addr_node);
		if (dp->io.route)
			(void)dp->io.route(dp->io.ctx, dp->shared_ifindex, s->peer4, s->local4, false);
	}
	if (s->fd >= 0) {
		unwatch(dp, s->fd);
		if ((size_t)s->fd < dp->by_fd_len)
			dp->by_fd[s->fd] = NULL;
		/* Closing the last fd of a non-persistent TUN removes the
		 * device, its addresses and its routes. */
		dp->io.tun_close(dp->io.ctx, s->fd, s->ifindex);
	}
	u32_htab_remove(&dp->sessions, &s->node);
	*s->tpprev = s->tnext;
	if (s->tnext)
		s->tnext->tpprev = s->tpprev;
	dp->n_sessions--;
	free(s);
}

/* ---- transmit: to the peer ---- */

/* One L2TP data message: our header in front of `payload`, which is an IP
 * packet (protocol set) or a PPP frame that starts with its protocol
 * (protocol 0). */
static int send_message(struct dataplane *dp, struct dp_session *s, uint16_t protocol,
			const uint8_t *payload, size_t len)
{
	struct dp_tunnel *t = s->tunnel;
	uint8_t hdr[DP_USER_ENCAP_MAX];
	struct iovec iov[2];
	size_t hlen;
	ssize_t n;

	hlen = dp_encap_header(hdr, sizeof(hdr), t->peer_tunnel_id, s->peer_session_id,
			       s->send_seq, s->ns, 0, protocol);
	if (hlen == 0 || len > DP_MAX_UDP_PAYLOAD - hlen) {
		drop(dp, s, DP_DROP_TX_TOO_BIG);
		return -EMSGSIZE;
	}
	iov[0].iov_base = hdr;
	iov[0].iov_len = hlen;
	iov[1].iov_base = (void *)(uintptr_t)payload;
	iov[1].iov_len = len;
	n = dp->io.udp_send(dp->io.ctx, t->udp_fd, (const struct sockaddr *)&t->peer_send,
			    t->peer_send_len, t->fwmark, iov, 2);
	if (n < 0) {
		/* EPERM: the unmarked-block xfrm policy stopped a send that
		 * would have left in clear or through another client's SA
		 * (docs/ipsec-nat.md): counted, never retried. */
		drop(dp, s, DP_DROP_TX_SEND);
		return (int)n;
	}
	if (s->send_seq)
		s->ns++;	/* RFC 2661 section 5.4: Ns counts data messages */
	return 0;
}

static void tx_ip(struct dataplane *dp, struct dp_session *s, const uint8_t *pkt, size_t len)
{
	uint16_t proto = dp_ip_protocol(pkt, len);

	if (!proto) {
		drop(dp, s, DP_DROP_TX_NOT_IP);
		return;
	}
	/* The kernel may route into the device before the NCP is up (IPv6
	 * router solicitations...): like pppd's NPMODE_DROP, nothing leaves
	 * for a protocol the peer has not agreed to (RFC 1661 section 3.4:
	 * network-layer packets only once the NCP is Opened). */
	if ((proto == PPP_PROTOCOL_IP && !s->ip4) || (proto == PPP_PROTOCOL_IPV6 && !s->ip6)) {
		drop(dp, s, DP_DROP_TX_PROTO_DOWN);
		return;
	}
	if (send_message(dp, s, proto, pkt, len) == 0) {
		s->c.tx_packets++;
		s->c.tx_bytes += len;
	}
}

static struct dp_session *session_by_dst(struct dataplane *dp, const uint8_t *pkt, size_t len)
{
	struct u32_hnode *n;
	uint32_t dst;

	if (len < 20 || pkt[0] >> 4 != 4)
		return NULL;
	/* IPv4 destination address, RFC 791 section 3.1: octets 16..19. */
	dst = (uint32_t)pkt[16] << 24 | (uint32_t)pkt[17] << 16 |
	      (uint32_t)pkt[18] << 8 | pkt[19];
	n = u32_htab_find(&dp->addrs, dst);
	return n ? u32_container_of(n, struct dp_session, addr_node) : NULL;
}

static void user_fd_ready(struct dataplane *dp, int fd)
{
	struct dp_session *s = NULL;
	bool shared = fd >= 0 && fd == dp->shared_fd;

	if (!shared) {
		if (fd < 0 || (size_t)fd >= dp->by_fd_len || !(s = dp->by_fd[fd]))
			return;
	}
	/* A bounded burst: one busy session cannot starve the others. The
	 * daemon watches level-triggered, so what is left is read on the
	 * next turn of its loop. */
	for (unsigned i = 0; i < dp->cfg.burst; i++) {
		ssize_t n = dp->io.tun_read(dp->io.ctx, fd, dp->buf, sizeof(dp->buf));

		if (n < 0)
			break;	/* -EAGAIN: drained (or the device went away) */
		if (shared) {
			s = session_by_dst(dp, dp->buf, (size_t)n);
			if (!s) {
				drop(dp, NULL, dp_ip_protocol(dp->buf, (size_t)n) ?
					DP_DROP_TX_NO_ROUTE : DP_DROP_TX_NOT_IP);
				continue;
			}
		}
		tx_ip(dp, s, dp->buf, (size_t)n);
	}
}

static int user_session_send_ppp(struct dataplane *dp, struct dp_session *s,
				 const uint8_t *frame, size_t len)
{
	int err;

	/* The interface says "protocol field first"; a frame that still has
	 * FF 03 (ppp-core with address_control set) is accepted as is. */
	if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03) {
		frame += 2;
		len -= 2;
	}
	if (len < 2)
		return -EINVAL;
	err = send_message(dp, s, 0, frame, len);
	if (err == 0)
		s->c.ctrl_tx_packets++;
	return err;
}

/* ---- receive: from the peer ---- */

/* IPv6 (checked by the caller) whose next header is ICMPv6 (58) and whose
 * ICMPv6 type is 133, Router Solicitation (RFC 4861 section 4.1): the
 * daemon's rs_rx validates the rest. */
static bool icmp6_rs(const uint8_t *ip, size_t len)
{
	return len > 40 && ip[6] == 58 && ip[40] == 133;
}

/* IPv6 (checked by the caller) whose next header is UDP (17) and whose
 * destination port is 547, a DHCPv6 server's (RFC 8415 section 7.2): the
 * daemon's dhcp6_rx decides whether it is for us. */
static bool udp6_to_port547(const uint8_t *ip, size_t len)
{
	return len >= 48 && ip[6] == 17 && ip[42] == 0x02 && ip[43] == 0x23;
}

/* IPv4 (checked by the caller), UDP, to port 67 (BOOTP/DHCP server, RFC
 * 2131 section 4.1), first fragment: the daemon's dhcp_rx looks closer. */
static bool udp_to_port67(const uint8_t *ip, size_t len)
{
	size_t ihl;

	if (len < 20 || ip[9] != 17 || (ip[6] & 0x1f) || ip[7])
		return false;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	return ihl >= 20 && len >= ihl + 4 && ip[ihl + 2] == 0 && ip[ihl + 3] == 67;
}

void dp_user_data_rx_mark(struct dataplane *dp, const uint8_t *msg, size_t len,
			  const struct sockaddr_storage *from, bool has_mark, uint32_t mark)
{
	struct l2tp_header h;
	enum l2tp_reason r;
	struct u32_hnode *n;
	struct dp_session *s;
	struct dp_ppp_frame f;
	enum dp_user_drop why;
	const uint8_t *frame;
	size_t frame_len;

	/* RFC 2661 section 3.1, parsed by the control-plane library: Ver 2,
	 * optional Length, Ns/Nr and Offset, all bounds-checked. */
	r = l2tp_data_header_parse(msg, len, &h);
	if (r != L2TP_OK) {
		drop(dp, NULL, r == L2TP_R_NOT_DATA ? DP_DROP_RX_CONTROL : DP_DROP_RX_BAD_HEADER);
		return;
	}
	/* The ids in the header are the recipient's, i.e. ours (section 3.1). */
	n = u32_htab_find(&dp->sessions, session_key(h.tunnel_id, h.session_id));
	if (!n) {
		drop(dp, NULL, u32_htab_find(&dp->tunnels, h.tunnel_id) ?
			DP_DROP_RX_UNKNOWN_SESSION : DP_DROP_RX_UNKNOWN_TUNNEL);
		return;
	}
	s = u32_container_of(n, struct dp_session, node);
	/* Ids are small and guessable: only the tunnel's peer may use them. */
	if (!same_peer(s->tunnel, from)) {
		drop(dp, s, DP_DROP_RX_PEER_MISMATCH);
		return;
	}
	if (has_mark && s->tunnel->fwmark && mark != s->tunnel->fwmark) {
		drop(dp, s, DP_DROP_RX_MARK_MISMATCH);
		return;
	}
	/* Sequence numbers (S bit) are accepted, never required: RFC 2661
	 * section 5.4 leaves reordering to the receiver's choice, and PPP
	 * copes with loss; we deliver in arrival order. */
	frame = msg + h.hdr_len;
	frame_len = (size_t)(h.frame_len - h.hdr_len);
	if (!dp_ppp_decap(frame, frame_len, &f, &why)) {
		drop(dp, s, why);
		return;
	}
	if (f.protocol == PPP_PROTOCOL_IP || f.protocol == PPP_PROTOCOL_IPV6) {
		ssize_t w;

		if ((f.protocol == PPP_PROTOCOL_IP && !s->ip4) ||
		    (f.protocol == PPP_PROTOCOL_IPV6 && !s->ip6)) {
			drop(dp, s, DP_DROP_RX_PROTO_DOWN);
			return;
		}
		/* A TUN without packet information infers the family from
		 * the version nibble: check it matches the PPP protocol, or
		 * IPv6 could enter a session that only negotiated IPv4. */
		if (dp_ip_protocol(f.payload, f.payload_len) != f.protocol) {
			drop(dp, s, DP_DROP_RX_BAD_IP);
			return;
		}
		if (f.protocol == PPP_PROTOCOL_IP && dp->cb.dhcp_rx &&
		    udp_to_port67(f.payload, f.payload_len) &&
		    dp->cb.dhcp_rx(dp->cb.ctx, s, s->cookie, f.payload, f.payload_len)) {
			s->c.ctrl_rx_packets++;
			return;
		}
		if (f.protocol == PPP_PROTOCOL_IPV6 && dp->cb.rs_rx &&
		    icmp6_rs(f.payload, f.payload_len) &&
		    dp->cb.rs_rx(dp->cb.ctx, s, s->cookie, f.payload, f.payload_len)) {
			s->c.ctrl_rx_packets++;
			return;
		}
		if (f.protocol == PPP_PROTOCOL_IPV6 && dp->cb.dhcp6_rx &&
		    udp6_to_port547(f.payload, f.payload_len) &&
		    dp->cb.dhcp6_rx(dp->cb.ctx, s, s->cookie, f.payload, f.payload_len)) {
			s->c.ctrl_rx_packets++;
			return;
		}
		w = dp->io.tun_write(dp->io.ctx, s->fd >= 0 ? s->fd : dp->shared_fd,
				     f.payload, f.payload_len);
		if (w < 0) {
			drop(dp, s, DP_DROP_RX_TUN_WRITE);
			return;
		}
		s->c.rx_packets++;
		s->c.rx_bytes += f.payload_len;
		return;
	}
	/* Anything else is for ppp-core (LCP, auth, NCPs, CCP, and protocols
	 * it will Protocol-Reject), protocol field first. */
	s->c.ctrl_rx_packets++;
	if (!dp->cb.ppp_control_rx)
		return;
	if (!f.pfc) {
		dp->cb.ppp_control_rx(dp->cb.ctx, s, s->cookie, f.proto_field,
				      frame_len - (size_t)(f.proto_field - frame));
		return;
	}
	/* A compressed protocol field is handed up in its two-octet form. */
	dp->buf[0] = 0;
	dp->buf[1] = (uint8_t)f.protocol;
	memcpy(dp->buf + 2, f.payload, f.payload_len);
	dp->cb.ppp_control_rx(dp->cb.ctx, s, s->cookie, dp->buf, f.payload_len + 2);
}

static void user_data_rx(struct dataplane *dp, const uint8_t *msg, size_t len,
			 const struct dp_rx_meta *meta)
{
	dp_user_data_rx_mark(dp, msg, len, meta ? meta->from : NULL, meta && meta->has_mark,
			     meta ? meta->mark : 0);
}

/* ---- addresses ---- */

/*
 * Proxy ARP (a pool cut from the LAN subnet, as a Windows VPN server does):
 * find the LAN before our own peer route exists, so that a refusal
 * changes nothing. Returns the LAN ifindex, 0 when not asked, or -errno.
 */
static int proxy_arp_lan(struct dataplane *dp, struct dp_session *s,
			 const struct dp_ip_params *ip, int tun_ifindex)
{
	int lan;

	if (!ip->proxy_arp)
		return 0;
	if (!dp->io.lan_interface || !dp->io.proxy_neigh)
		return -EOPNOTSUPP;
	lan = dp->io.lan_interface(dp->io.ctx, ip->peer, tun_ifindex);
	/* Set before with the same peer: the FIB now points at our device. */
	if (lan == -ENETUNREACH && s->lan_ifindex > 0 && s->peer4.s_addr == ip->peer.s_addr)
		lan = s->lan_ifindex;
	return lan;
}

/* IPCP renegotiated other addresses: the old ones go. */
static void forget_ip4(struct dataplane *dp, struct dp_session *s)
{
	if (s->lan_ifindex > 0)
		(void)dp->io.proxy_neigh(dp->io.ctx, s->lan_ifindex, s->peer4, false);
	s->lan_ifindex = 0;
	if (s->in_addr_hash) {
		u32_htab_remove(&dp->addrs, &s->addr_node);
		(void)dp->io.route(dp->io.ctx, dp->shared_ifindex, s->peer4, s->local4, false);
		s->in_addr_hash = false;
	} else if (s->ip4 && dp->io.del_ip4) {
		(void)dp->io.del_ip4(dp->io.ctx, s->ifindex, s->local4, s->peer4);
	}
	s->ip4 = false;
}

static int user_session_set_ip(struct dataplane *dp, struct dp_session *s,
			       const struct dp_ip_params *ip)
{
	bool want4 = ip->peer.s_addr != 0 && ip->local.s_addr != 0;
	bool want6 = ip->has_ipv6 && ip->local_ifid && ip->peer_ifid;
	bool shared = dp->cfg.mode == DP_USER_TUN_SHARED;
	int err, lan = 0;

	if (!want4 && !want6)
		return -EINVAL;
	/* One TUN for all: IPv4 only, dispatched by destination. */
	if (shared && !want4)
		return -EOPNOTSUPP;
	/* The device, if the daemon has not asked for it yet (defer_netdev). */
	if (s->want_tun && (err = open_session_tun(dp, s)) < 0)
		return err;
	if (want4) {
		struct u32_hnode *n = u32_htab_find(&dp->addrs, ntohl(ip->peer.s_addr));

		if (shared && n && n != &s->addr_node)
			return -EADDRINUSE;
		lan = proxy_arp_lan(dp, s, ip, s->ifindex);
		if (lan < 0)
			return lan;
		if (s->ip4 && (s->local4.s_addr != ip->local.s_addr ||
			       s->peer4.s_addr != ip->peer.s_addr))
			forget_ip4(dp, s);
		/* Proxy ARP turned off for the same addresses (a reload
		 * changed the pool's proxy_arp): the entry goes now. */
		if (!ip->proxy_arp && s->lan_ifindex > 0) {
			(void)dp->io.proxy_neigh(dp->io.ctx, s->lan_ifindex, s->peer4, false);
			s->lan_ifindex = 0;
		}
	}
	if (shared) {
		struct dp_ip_params shared_ip = *ip;

		/* Our address on the shared device (once for all sessions
		 * that share it: adding it again is harmless), then a route
		 * to this client. */
		shared_ip.peer.s_addr = 0;
		shared_ip.has_ipv6 = 0;
		err = dp->io.set_ip(dp->io.ctx, dp->shared_ifindex, &shared_ip, true, false);
		if (err < 0)
			return err;
		if (!s->in_addr_hash) {
			err = dp->io.route(dp->io.ctx, dp->shared_ifindex, ip->peer, ip->local, true);
			if (err < 0)
				return err;
			s->addr_node.key = ntohl(ip->peer.s_addr);
			(void)u32_htab_insert(&dp->addrs, &s->addr_node);
			s->in_addr_hash = true;
		}
	} else {
		err = dp->io.set_ip(dp->io.ctx, s->ifindex, ip, want4, want6);
		if (err < 0)
			return err;
	}
	/* IPCP and IPV6CP may come up at different times: each call enables
	 * what it configures and keeps what an earlier one enabled. */
	if (want4) {
		s->ip4 = true;
		s->local4 = ip->local;
		s->peer4 = ip->peer;
	}
	if (want6)
		s->ip6 = true;
	if (lan > 0 && lan != s->lan_ifindex) {
		err = dp->io.proxy_neigh(dp->io.ctx, lan, ip->peer, true);
		if (err < 0)
			return err;
		s->lan_ifindex = lan;
	}
	return 0;
}

/* ---- introspection ---- */

static int user_session_stats(struct dataplane *dp, struct dp_session *s, struct dp_stats *st)
{
	const uint64_t *d = s->c.drops;

	memset(st, 0, sizeof(*st));
	st->rx_packets = s->c.rx_packets;
	st->rx_bytes = s->c.rx_bytes;
	st->tx_packets = s->c.tx_packets;
	st->tx_bytes = s->c.tx_bytes;
	/* What the peer sent us that could not be delivered. */
	st->rx_errors = d[DP_DROP_RX_PEER_MISMATCH] + d[DP_DROP_RX_MARK_MISMATCH] +
			d[DP_DROP_RX_BAD_PPP] + d[DP_DROP_RX_BAD_IP] +
			d[DP_DROP_RX_PROTO_DOWN] + d[DP_DROP_RX_TUN_WRITE];
	st->tx_errors = d[DP_DROP_TX_SEND] + d[DP_DROP_TX_TOO_BIG];
	st->tx_dropped = d[DP_DROP_TX_PROTO_DOWN] + d[DP_DROP_TX_NOT_IP];
	return 0;
}

static const char *user_session_ifname(struct dataplane *dp, struct dp_session *s)
{
	return s->want_tun ? "" : s->ifname;	/* "": no device yet (defer_netdev) */
}

const struct dp_user_counters *dp_user_session_counters(struct dataplane *dp,
							 const struct dp_session *s)
{
	return &s->c;
}

const uint64_t *dp_user_drops(struct dataplane *dp)
{
	return dp->drops;
}

unsigned dp_user_session_count(const struct dataplane *dp)
{
	return dp->n_sessions;
}

struct dp_session *dp_user_session_by_fd(struct dataplane *dp, int fd)
{
	if (fd < 0 || (size_t)fd >= dp->by_fd_len)
		return NULL;
	return dp->by_fd[fd];
}

int dp_user_session_fd(const struct dp_session *s)
{
	return s->fd;
}

int dp_user_shared_fd(const struct dataplane *dp)
{
	return dp->shared_fd;
}

void dp_user_session_set_send_seq(struct dataplane *dp, struct dp_session *s, bool on)
{
	s->send_seq = on;
}

static int user_session_set_seq(struct dataplane *dp, struct dp_session *s, int on)
{
	dp_user_session_set_send_seq(dp, s, on != 0);
	return 0;
}

/* ---- probe ---- */

static int user_probe(char *reason, size_t reason_len)
{
	struct dp_user_io io;
	char name[IFNAMSIZ];
	int fd, ifindex, err;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		snprintf(reason, reason_len, "cannot open /dev/net/tun: %s", strerror(errno));
		return err;
	}
	close(fd);
	/* Opening is not enough: creating a device needs CAP_NET_ADMIN.
	 * Create one and let it go. */
	err = dp_user_sysio_create(&io);
	if (err < 0) {
		snprintf(reason, reason_len, "no rtnetlink socket: %s", strerror(-err));
		return err;
	}
	fd = io.tun_open(io.ctx, "l2tpprobe%d", 1400, name, &ifindex);
	if (fd < 0) {
		snprintf(reason, reason_len, "cannot create a TUN device: %s", strerror(-fd));
		dp_user_sysio_destroy(&io);
		return fd;
	}
	io.tun_close(io.ctx, fd, ifindex);
	dp_user_sysio_destroy(&io);
	snprintf(reason, reason_len, "TUN devices can be created");
	return 0;
}

const struct dataplane_ops dataplane_userspace = {
	.name = "userspace",
	.probe = user_probe,
	.create = user_create,
	.destroy = user_destroy,
	.caps = user_caps,
	.tunnel_create = user_tunnel_create,
	.tunnel_delete = user_tunnel_delete,
	.tunnel_fd = user_tunnel_fd,
	.session_create = user_session_create,
	.session_delete = user_session_delete,
	.session_send_ppp = user_session_send_ppp,
	.session_set_ip = user_session_set_ip,
	.session_stats = user_session_stats,
	.session_ifname = user_session_ifname,
	.session_netdev = user_session_netdev,
	.session_set_seq = user_session_set_seq,
	.session_set_mtu = user_session_set_mtu,
	.fd_ready = user_fd_ready,
	.data_rx = user_data_rx,
};
