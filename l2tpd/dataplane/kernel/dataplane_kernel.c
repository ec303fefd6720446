/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel data path (dataplane.h): L2TP tunnel and session in the kernel
 * (generic netlink, family "l2tp"), a PPPoL2TP socket per session whose PPP
 * channel is attached through /dev/ppp to a ppp unit (pppN). IP packets stay
 * in the kernel; PPP control frames are read and written on /dev/ppp fds.
 * The sequence of calls and why: docs/dataplane-kernel.md.
 */
/* glibc before linux/ uapi headers: libc-compat.h then skips duplicates. */
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/if_pppol2tp.h>
#include <linux/if_pppox.h>
#include <linux/ppp-ioctl.h>
#include <linux/ppp_defs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "dpk.h"
#include "closer.h"

/* Frames read per fd_ready call: the daemon's loop is level-triggered, so
 * what is left is read on the next round and one busy session cannot
 * starve the others. */
#define DPK_RX_BUDGET 32

static int set_reason(char *reason, size_t len, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_reason(char *reason, size_t len, int rc, const char *fmt, ...)
{
	va_list ap;

	if (reason && len) {
		va_start(ap, fmt);
		vsnprintf(reason, len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static int kernel_probe(char *reason, size_t len)
{
	struct nl_sock *sk;
	int family, fd, err;

	/* 1. The L2TP generic netlink family (l2tp_netlink). Resolving it
	 * may make the kernel load the module, if the admin allows autoload. */
	sk = nl_socket_alloc();
	if (!sk)
		return set_reason(reason, len, -ENOMEM, "out of memory");
	if (genl_connect(sk) < 0) {
		nl_socket_free(sk);
		return set_reason(reason, len, -EPROTONOSUPPORT,
				  "cannot open a generic netlink socket");
	}
	family = genl_ctrl_resolve(sk, L2TP_GENL_NAME);
	nl_socket_free(sk);
	if (family < 0)
		return set_reason(reason, len, -EPROTONOSUPPORT,
				  "kernel has no L2TP netlink (generic netlink family \"l2tp\" "
				  "missing: modprobe l2tp_netlink l2tp_ppp)");

	/* 2. /dev/ppp (ppp_generic). */
	fd = open("/dev/ppp", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (err == ENOENT)
			return set_reason(reason, len, -ENOENT,
					  "/dev/ppp missing (modprobe ppp_generic; "
					  "mknod /dev/ppp c 108 0)");
		if (err == ENXIO || err == ENODEV)
			return set_reason(reason, len, -err,
					  "kernel has no PPP (modprobe ppp_generic)");
		return set_reason(reason, len, -err, "cannot open /dev/ppp: %s", strerror(err));
	}
	close(fd);

	/* 3. A PPPoL2TP socket (pppox + l2tp_ppp). */
	fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC, PX_PROTO_OL2TP);
	if (fd < 0) {
		err = errno;
		if (err == EAFNOSUPPORT)
			return set_reason(reason, len, -err,
					  "kernel has no PPPoX sockets (modprobe l2tp_ppp)");
		if (err == EPROTONOSUPPORT)
			return set_reason(reason, len, -err,
					  "kernel has no PPP over L2TP (modprobe l2tp_ppp)");
		return set_reason(reason, len, -err, "cannot create a PPPoL2TP socket: %s",
				  strerror(err));
	}
	close(fd);
	return set_reason(reason, len, 0, "kernel L2TP (netlink family %d), PPPoL2TP and "
			  "/dev/ppp available", family);
}

static void kernel_tunnel_delete(struct dataplane *dp, struct dp_tunnel *t);

static void kernel_destroy(struct dataplane *dp)
{
	if (!dp)
		return;
	while (dp->tunnels)
		kernel_tunnel_delete(dp, dp->tunnels);
	/* Returns once every fd handed over is closed: no pppN outlives us. */
	dp_closer_free(dp->closer);
	dpk_fdtab_free(&dp->fds);
	dpk_tuples_free(&dp->tuples);
	dpk_nl_close(dp);
	free(dp);
}

/* cfg: nothing applies (one ppp unit per session, no shared device). */
static int kernel_create(const struct dp_callbacks *cb, const struct dp_config *cfg,
			 struct dataplane **out)
{
	struct dataplane *dp;
	int rc;

	*out = NULL;
	if (!cb || !cb->ppp_control_rx || !cb->watch_fd || !cb->unwatch_fd)
		return -EINVAL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->cb = *cb;
	rc = dp_closer_new(&dp->closer);
	if (rc < 0) {
		kernel_destroy(dp);
		return rc;
	}
	rc = dpk_nl_open(dp);
	if (rc < 0) {
		kernel_destroy(dp);
		return rc;
	}
	*out = dp;
	return 0;
}

static int same_endpoint(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return 0;
}

static int refuse(const struct dp_tunnel_params *p, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(const struct dp_tunnel_params *p, int rc, const char *fmt, ...)
{
	va_list ap;

	if (p->why && p->why_len) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->why_len, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* The tunnel's own connected socket, its 4-tuple claimed first: 0 or
 * -errno with p->why said. */
static int own_socket(struct dataplane *dp, const struct dp_tunnel_params *p,
		      struct dp_tunnel *t)
{
	char a[64];
	int rc;

	if (!p->local.ss_family || !p->peer.ss_family)
		return -EDESTADDRREQ;
	dpk_to_l2tp_addr(&p->local, &t->tuple_local);
	dpk_to_l2tp_addr(&p->peer, &t->tuple_peer);
	rc = dpk_tuples_claim(&dp->tuples, &t->tuple_local, &t->tuple_peer, p->local_tunnel_id);
	if (rc < 0)
		return refuse(p, -ENOMEM, "out of memory");
	if (rc > 0)
		/* Linux before 6.10 hands a datagram to the one socket of its
		 * 4-tuple and looks its session up in that socket's tunnel
		 * only (l2tp_udp_recv_core): a second kernel tunnel from the
		 * same address and port (two clients behind one NAT) would
		 * get none of its data. docs/ipsec-nat.md. */
		return refuse(p, -EADDRINUSE, "peer %s already has kernel tunnel %d from the same "
			      "address and port (clients behind one NAT): the kernel data path "
			      "cannot carry both; use dataplane = userspace",
			      dpk_addr_str(&p->peer, a, sizeof(a)), rc);
	t->own_fd = dpk_tunnel_socket(&p->local, &p->peer, p->fwmark);
	if (t->own_fd < 0) {
		rc = t->own_fd;
		t->own_fd = -1;
		dpk_tuples_release(&dp->tuples, &t->tuple_local, &t->tuple_peer,
				   p->local_tunnel_id);
		return refuse(p, rc, "socket to %s: %s", dpk_addr_str(&p->peer, a, sizeof(a)),
			      strerror(-rc));
	}
	return 0;
}

static void release_own_socket(struct dataplane *dp, struct dp_tunnel *t)
{
	if (t->own_fd < 0)
		return;
	close(t->own_fd);
	t->own_fd = -1;
	dpk_tuples_release(&dp->tuples, &t->tuple_local, &t->tuple_peer, t->local_tunnel_id);
}

static int kernel_tunnel_create(struct dataplane *dp, const struct dp_tunnel_params *p,
				struct dp_tunnel **out)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	struct dp_tunnel *t;
	int rc;

	*out = NULL;
	/* RFC 2661 section 3.1: Tunnel ID 0 is reserved (it addresses no tunnel). */
	if (!p || !p->local_tunnel_id || !p->peer_tunnel_id)
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->own_fd = -1;
	t->local_tunnel_id = p->local_tunnel_id;
	/* The kernel sends data on the tunnel's socket only while it is
	 * connected (l2tp_xmit_skb() drops when a user socket's sk_state is
	 * not TCP_ESTABLISHED) and takes both addresses from it: a caller's
	 * connected socket is used as it is; for an unconnected one (the
	 * daemon's listener) or none, the tunnel gets a socket of its own. */
	memset(&peer, 0, sizeof(peer));
	t->udp_fd = p->udp_fd;
	if (p->udp_fd < 0 || getpeername(p->udp_fd, (struct sockaddr *)&peer, &plen) < 0) {
		if (p->udp_fd >= 0 && errno != ENOTCONN) {
			rc = -errno;
			goto fail;
		}
		if ((rc = own_socket(dp, p, t)) < 0)
			goto fail;
		t->udp_fd = t->own_fd;
		peer = p->peer;
	}
	if (peer.ss_family != AF_INET && peer.ss_family != AF_INET6) {
		rc = -EAFNOSUPPORT;
		goto fail;
	}
	if (p->peer.ss_family && !same_endpoint(&peer, &p->peer)) {
		rc = -EDESTADDRREQ;   /* connected elsewhere than the tunnel's peer */
		goto fail;
	}
	rc = dpk_nl_request(dp, dp->genl, dpk_msg_tunnel_create(dp->l2tp_family,
				p->local_tunnel_id, p->peer_tunnel_id, t->udp_fd));
	if (rc < 0) {
		/* EEXIST: the id is taken in this network namespace (kernel
		 * tunnel ids are per netns, shared with any other L2TP
		 * daemon); EBUSY: the socket already carries a tunnel. */
		goto fail;
	}
	t->family = peer.ss_family;
	t->peer = peer;
	t->peer_tunnel_id = p->peer_tunnel_id;
	t->fwmark = p->fwmark;
	t->next = dp->tunnels;
	if (dp->tunnels)
		dp->tunnels->prev = t;
	dp->tunnels = t;
	*out = t;
	return 0;
fail:
	release_own_socket(dp, t);
	free(t);
	return rc;
}

static int kernel_tunnel_fd(struct dataplane *dp, struct dp_tunnel *t)
{
	return t ? t->own_fd : -1;
}

static void unwatch_close(struct dataplane *dp, int *fd)
{
	if (*fd < 0)
		return;
	if (dpk_fdtab_get(&dp->fds, *fd)) {
		dp->cb.unwatch_fd(dp->cb.ctx, *fd);
		dpk_fdtab_del(&dp->fds, *fd);
	}
	/* Closing the unit's owner fd unregisters pppN: the kernel waits for
	 * RCU there (tens of ms, closer.h), so it happens off the loop. */
	dp_closer_close(dp->closer, *fd);
	*fd = -1;
}

/* Undo whatever of session_create and session_set_ip was done, in the
 * order pppd and xl2tpd use (docs/dataplane-kernel.md, "Teardown"). */
static void session_teardown(struct dataplane *dp, struct dp_session *s)
{
	struct dp_tunnel *t = s->tunnel;
	int rc;

	if (s->lan_ifindex > 0) {
		dpk_nl_request(dp, dp->rtnl, dpk_msg_proxy_neigh(0, s->lan_ifindex, s->ip_peer));
		s->lan_ifindex = 0;
	}
	/* The channel first, then the unit: its owner fd going away
	 * unregisters pppN with its addresses and the peer route. */
	unwatch_close(dp, &s->chan_fd);
	unwatch_close(dp, &s->unit_fd);
	/* Before the grant the daemon reads the socket itself. */
	if (s->pppox_fd >= 0 && dpk_fdtab_get(&dp->fds, s->pppox_fd)) {
		dp->cb.unwatch_fd(dp->cb.ctx, s->pppox_fd);
		dpk_fdtab_del(&dp->fds, s->pppox_fd);
	}
	/* pppol2tp_release(): unbinds the PPP channel and deletes the L2TP
	 * session. Connected: queued behind the channel and the unit, so the
	 * closer keeps the order above. */
	if (s->pppox_fd >= 0) {
		if (s->connected)
			dp_closer_close(dp->closer, s->pppox_fd);
		else
			close(s->pppox_fd);
		s->pppox_fd = -1;
	}
	/* A session made over netlink whose socket never connected still
	 * exists: delete it now. A connected one goes with its socket (the
	 * closer's close() above, pppol2tp_release()). */
	if (s->nl_created && !s->connected) {
		rc = dpk_nl_request(dp, dp->genl, dpk_msg_session_delete(dp->l2tp_family,
					t->local_tunnel_id, s->local_session_id));
		(void)rc;   /* -ENOENT expected */
		s->nl_created = 0;
	}
}

static void session_unlink(struct dp_session *s)
{
	struct dp_tunnel *t = s->tunnel;

	if (s->prev)
		s->prev->next = s->next;
	else if (t->sessions == s)
		t->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static void kernel_session_delete(struct dataplane *dp, struct dp_session *s)
{
	if (!s)
		return;
	session_teardown(dp, s);
	session_unlink(s);
	free(s);
}

static void kernel_tunnel_delete(struct dataplane *dp, struct dp_tunnel *t)
{
	if (!t)
		return;
	/* Sessions the daemon left behind go first, each in full. */
	while (t->sessions)
		kernel_session_delete(dp, t->sessions);
	/* -ENOENT when the daemon closed the socket already: udp_destroy_sock()
	 * -> l2tp_udp_encap_destroy() deleted the tunnel. The socket stays
	 * marked as an L2TP encapsulation socket: the daemon closes it and
	 * never gives it to another tunnel (EBUSY). */
	dpk_nl_request(dp, dp->genl, dpk_msg_tunnel_delete(dp->l2tp_family, t->local_tunnel_id));
	release_own_socket(dp, t);	/* the daemon stopped reading it already */
	if (t->prev)
		t->prev->next = t->next;
	else if (dp->tunnels == t)
		dp->tunnels = t->next;
	if (t->next)
		t->next->prev = t->prev;
	free(t);
}

static int set_npmode(int unit_fd, int proto, enum NPmode mode)
{
	struct npioctl npi = { .protocol = proto, .mode = mode };

	return ioctl(unit_fd, PPPIOCSNPMODE, &npi) < 0 ? -errno : 0;
}

static int open_ppp(void)
{
	int fd = open("/dev/ppp", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int watch(struct dataplane *dp, struct dp_session *s, int fd, enum dpk_fd_kind kind)
{
	int rc = dpk_fdtab_set(&dp->fds, fd, s, s->serial, kind);

	if (rc < 0)
		return rc;
	rc = dp->cb.watch_fd(dp->cb.ctx, fd);
	if (rc < 0) {
		dpk_fdtab_del(&dp->fds, fd);
		return rc;
	}
	return 0;
}

/* Frames the PPPoL2TP socket queued before its channel is bound: once
 * bound the kernel hands new ones to ppp_generic and pppol2tp_recvmsg()
 * refuses to read the socket (EIO), so what is left is read now and
 * dropped, counted. Handing them up from here would re-enter the daemon
 * in the middle of its grant; they are LCP echoes or retransmissions at
 * most (the client sends no NCP before our Success), and PPP's restart
 * timer resends anything that mattered (RFC 1661 section 4.6). */
static void drain_pppox(struct dataplane *dp, struct dp_session *s)
{
	int i;

	for (i = 0; i < DPK_RX_BUDGET; i++) {
		ssize_t n = recv(s->pppox_fd, dp->rx_buf, sizeof(dp->rx_buf), MSG_DONTWAIT);

		if (n < 0)
			return;
		dp->counters.rx_dropped_at_grant++;
	}
}

/* Steps 3-6 of docs/dataplane-kernel.md: the channel through /dev/ppp and
 * the ppp unit (pppN), at session_create without defer_netdev, else at
 * the grant (session_netdev). Before that the session's PPP frames are
 * read and written on the PPPoL2TP socket itself, which costs one fd and
 * no netdev per unauthenticated session. 0 or -errno; on failure the
 * channel and unit fds are closed again (the session is refused anyway:
 * the socket stays bound). */
static int kernel_session_netdev(struct dataplane *dp, struct dp_session *s)
{
	int rc, chindex;

	if (!s || s->pppox_fd < 0)
		return -EINVAL;
	if (s->unit_fd >= 0)
		return 0;
	/* Stop reading the socket (the daemon's loop must not see its fd
	 * again: it refuses reads once bound) and take what it queued. */
	if (dpk_fdtab_get(&dp->fds, s->pppox_fd)) {
		dp->cb.unwatch_fd(dp->cb.ctx, s->pppox_fd);
		dpk_fdtab_del(&dp->fds, s->pppox_fd);
		drain_pppox(dp, s);
	}
	/* PPPIOCGCHAN sets PPPOX_BOUND (pppox_ioctl()): from here on
	 * pppol2tp_recv() gives frames to ppp_input(), which queues them on
	 * the channel until a /dev/ppp fd attaches (ppp_generic.c). */
	if (ioctl(s->pppox_fd, PPPIOCGCHAN, &chindex) < 0)
		return -errno;

	/* 3. The channel through /dev/ppp: LCP and auth frames are read and
	 * written on this fd from now on. */
	s->chan_fd = open_ppp();
	if (s->chan_fd < 0) {
		rc = s->chan_fd;
		goto fail;
	}
	if (ioctl(s->chan_fd, PPPIOCATTCHAN, &chindex) < 0) {
		rc = -errno;
		goto fail;
	}

	/* 4. A new ppp unit (pppN), owned by this fd; NCP frames arrive here. */
	s->unit_fd = open_ppp();
	if (s->unit_fd < 0) {
		rc = s->unit_fd;
		goto fail;
	}
	if (ioctl(s->unit_fd, PPPIOCNEWUNIT, &s->unit) < 0 ||
	    ioctl(s->chan_fd, PPPIOCCONNECT, &s->unit) < 0) {
		rc = -errno;
		goto fail;
	}
	/* New units pass every network protocol (ppp_create_interface()):
	 * nothing flows until IPCP/IPV6CP are up (RFC 1661 section 3.7,
	 * Network-Layer Protocol phase), so drop until session_set_ip. */
	if ((rc = set_npmode(s->unit_fd, PPP_IP, NPMODE_DROP)) < 0 ||
	    (rc = set_npmode(s->unit_fd, PPP_IPV6, NPMODE_DROP)) < 0)
		goto fail;
	if (s->mru) {
		int mru = s->mru;

		if (ioctl(s->unit_fd, PPPIOCSMRU, &mru) < 0) {
			rc = -errno;
			goto fail;
		}
	}
	snprintf(s->ifname, sizeof(s->ifname), "ppp%d", s->unit);
	rc = dpk_nl_ifindex(dp, s->ifname);
	if (rc < 0)
		goto fail;
	s->ifindex = rc;

	/* 5. Name and MTU while the link is still down. The name is a hint:
	 * when it is refused (taken, invalid) the session keeps pppN. */
	if (s->want_name[0]) {
		if (dpk_nl_request(dp, dp->rtnl, dpk_msg_link_set(s->ifindex, s->want_name,
								  0, 0)) == 0)
			snprintf(s->ifname, sizeof(s->ifname), "%s", s->want_name);
		else
			dp->counters.ifname_hint_failed++;
	}
	if (s->mtu) {
		rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_link_set(s->ifindex, NULL, s->mtu, 0));
		if (rc < 0)
			goto fail;
	}

	/* 6. Frames from the peer: both fds are watched. */
	if ((rc = watch(dp, s, s->chan_fd, DPK_FD_CHANNEL)) < 0 ||
	    (rc = watch(dp, s, s->unit_fd, DPK_FD_UNIT)) < 0)
		goto fail;
	return 0;
fail:
	unwatch_close(dp, &s->chan_fd);
	unwatch_close(dp, &s->unit_fd);
	s->ifname[0] = 0;
	s->ifindex = 0;
	s->unit = -1;
	return rc;
}

static int kernel_session_create(struct dataplane *dp, struct dp_tunnel *t,
				 const struct dp_session_params *p, void *cookie,
				 struct dp_session **out)
{
	struct sockaddr_storage sa;
	struct dp_session *s;
	int rc, salen;

	*out = NULL;
	/* RFC 2661 section 3.1: Session ID 0 is reserved for the tunnel. */
	if (!t || !p || !p->local_session_id || !p->peer_session_id)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->tunnel = t;
	s->cookie = cookie;
	s->serial = ++dp->next_serial;
	s->pppox_fd = s->chan_fd = s->unit_fd = -1;
	s->unit = -1;
	s->local_session_id = p->local_session_id;
	s->peer_session_id = p->peer_session_id;
	s->mtu = p->mtu;
	s->mru = p->mru;
	if (p->ifname_hint && strlen(p->ifname_hint) < IFNAMSIZ)
		snprintf(s->want_name, sizeof(s->want_name), "%s", p->ifname_hint);
	else if (p->ifname_hint && p->ifname_hint[0])
		dp->counters.ifname_hint_failed++;
	/* Linked now so that teardown finds it on every error path. */
	s->next = t->sessions;
	if (t->sessions)
		t->sessions->prev = s;
	t->sessions = s;

	/* 1. The L2TP session, over netlink. Without CONFIG_L2TP_V3 the kernel
	 * has no netlink PPP pseudowire (EPROTONOSUPPORT); the PPPoL2TP
	 * connect below then creates the session itself, as for pppd. */
	rc = dpk_nl_request(dp, dp->genl, dpk_msg_session_create(dp->l2tp_family,
				t->local_tunnel_id, p->local_session_id, p->peer_session_id));
	if (rc == -EPROTONOSUPPORT)
		dp->counters.session_fallback++;
	else if (rc < 0)
		goto fail;   /* EEXIST: not ours, so teardown must not delete it */
	else
		s->nl_created = 1;

	/* 2. The PPPoL2TP socket, connected to (tunnel, session): its PPP
	 * channel is registered with ppp_generic (pppol2tp_connect()).
	 * Non-blocking: before the grant the daemon's loop reads it. */
	s->pppox_fd = socket(AF_PPPOX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, PX_PROTO_OL2TP);
	if (s->pppox_fd < 0) {
		rc = -errno;
		goto fail;
	}
	salen = dpk_pppol2tp_addr(&sa, t->udp_fd, &t->peer, t->local_tunnel_id,
				  p->local_session_id, t->peer_tunnel_id, p->peer_session_id);
	if (salen < 0) {
		rc = salen;
		goto fail;
	}
	if (connect(s->pppox_fd, (struct sockaddr *)&sa, (socklen_t)salen) < 0) {
		rc = -errno;
		goto fail;
	}
	s->connected = 1;

	/* Until the grant, the socket alone carries LCP and authentication:
	 * while no PPPIOCGCHAN has bound it, pppol2tp_recv() queues each
	 * frame (FF 03 stripped) on the socket for pppol2tp_recvmsg(), and
	 * pppol2tp_sendmsg() sends what we write (docs/dataplane-kernel.md,
	 * "Before the grant"). */
	if (p->defer_netdev) {
		if ((rc = watch(dp, s, s->pppox_fd, DPK_FD_PPPOX)) < 0)
			goto fail;
	} else if ((rc = kernel_session_netdev(dp, s)) < 0) {
		goto fail;
	}
	*out = s;
	return 0;
fail:
	kernel_session_delete(dp, s);
	return rc;
}

static int kernel_session_send_ppp(struct dataplane *dp, struct dp_session *s,
				   const uint8_t *frame, size_t len)
{
	int fd;
	ssize_t n;

	if (!s || !frame || len < 2)
		return -EINVAL;
	/* Before the grant: the PPPoL2TP socket (pppol2tp_sendmsg()). After:
	 * as pppd, the channel or the unit. */
	fd = dpk_send_fd(s->pppox_fd, s->chan_fd, s->unit_fd, frame, len);
	/* Protocol field first: l2tp_ppp adds FF 03, the L2TP header and UDP. */
	n = write(fd, frame, len);
	if (n < 0) {
		int err = errno;

		if (err == EAGAIN || err == EWOULDBLOCK) {
			dp->counters.tx_again++;
			return -EAGAIN;
		}
		dp->counters.tx_errors++;
		return -err;
	}
	dp->counters.tx_frames++;
	if (fd == s->unit_fd)
		dpk_ncp_count_add(&s->ncp, 1, len);
	return 0;
}

/* IPV6CP is up: the link is up, its link-local addresses set, IPv6 may
 * flow. On its own when IPV6CP opens before IPCP. */
static int set_ip6(struct dataplane *dp, struct dp_session *s, const struct dp_ip_params *ip)
{
	struct in6_addr l6, p6;
	int rc;

	/* up first, as below (an address on a down link gets no peer route) */
	rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_link_set(s->ifindex, NULL, 0, 1));
	if (rc < 0)
		return rc;
	/* RFC 5072 section 5: link-local addresses from the IPV6CP
	 * interface identifiers. The kernel makes none for ppp
	 * devices itself (addrconf_dev_config() skips ARPHRD_PPP);
	 * no DAD: the identifiers were negotiated to differ. */
	dpk_ipv6_link_local(ip->local_ifid, &l6);
	dpk_ipv6_link_local(ip->peer_ifid, &p6);
	rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_addr_add(AF_INET6, s->ifindex, &l6, &p6,
							   128, IFA_F_NODAD));
	if (rc < 0)
		return rc;
	return set_npmode(s->unit_fd, PPP_IPV6, NPMODE_PASS);
}

static int kernel_session_set_ip(struct dataplane *dp, struct dp_session *s,
				 const struct dp_ip_params *ip)
{
	int rc, lan = 0;
	/* IPV6CP may open before IPCP (or alone): then the call carries no
	 * IPv4 addresses, and IPv4 stays as it is (NPMODE_DROP until IPCP). */
	bool want4 = ip && ip->local.s_addr && ip->peer.s_addr;

	if (!s || !ip || (!want4 && !ip->has_ipv6))
		return -EINVAL;
	/* The unit, if the grant did not ask for it (dataplane.h). */
	if ((rc = kernel_session_netdev(dp, s)) < 0)
		return rc;
	if (!want4)
		return set_ip6(dp, s, ip);
	/* Proxy ARP: find the LAN first, before our own peer route exists,
	 * so that a refusal changes nothing. */
	if (ip->proxy_arp) {
		lan = dpk_nl_lan_interface(dp, ip->peer, s->ifindex);
		if (lan == -ENETUNREACH && s->lan_ifindex > 0 && s->ip_peer.s_addr == ip->peer.s_addr)
			lan = s->lan_ifindex;   /* set before: the FIB now points at us */
		if (lan < 0)
			return lan;
	}
	/* IPCP renegotiated to other addresses: the old ones go. */
	if (s->ip_local.s_addr && (s->ip_local.s_addr != ip->local.s_addr ||
				   s->ip_peer.s_addr != ip->peer.s_addr)) {
		dpk_nl_request(dp, dp->rtnl, dpk_msg_addr_del(AF_INET, s->ifindex, &s->ip_local,
							      &s->ip_peer, 32));
		if (s->lan_ifindex > 0)
			dpk_nl_request(dp, dp->rtnl, dpk_msg_proxy_neigh(0, s->lan_ifindex,
									 s->ip_peer));
		s->lan_ifindex = 0;
	}
	/* Proxy ARP turned off for the same addresses (a reload changed the
	 * pool's proxy_arp): the entry goes now, not at the session's end. */
	if (!ip->proxy_arp && s->lan_ifindex > 0) {
		dpk_nl_request(dp, dp->rtnl, dpk_msg_proxy_neigh(0, s->lan_ifindex, s->ip_peer));
		s->lan_ifindex = 0;
	}
	/* Up first, as pppd's sifup() before sifaddr()/sif6addr(): an IPv6
	 * address added while the link is down gets no route to its peer
	 * when the link comes up (seen on 6.1). NPMODE is still DROP. */
	rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_link_set(s->ifindex, NULL, 0, 1));
	if (rc < 0)
		return rc;
	/* "ip addr add LOCAL peer PEER/32 dev pppN": the kernel adds the
	 * route to the peer with the address. */
	rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_addr_add(AF_INET, s->ifindex, &ip->local,
							   &ip->peer, 32, 0));
	if (rc < 0)
		return rc;
	s->ip_local = ip->local;
	s->ip_peer = ip->peer;
	if (ip->has_ipv6 && (rc = set_ip6(dp, s, ip)) < 0)
		return rc;
	if (lan > 0) {
		rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_proxy_neigh(1, lan, ip->peer));
		if (rc < 0)
			return rc;
		s->lan_ifindex = lan;
	}
	/* Last: IP may flow (NPMODE_PASS), as pppd's sifup()/sifnpmode(). */
	return set_npmode(s->unit_fd, PPP_IP, NPMODE_PASS);
}

static int kernel_session_stats(struct dataplane *dp, struct dp_session *s, struct dp_stats *st)
{
	int rc;

	if (!s || !st)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	/* No unit yet: no IP has flowed. LCP and authentication go through
	 * the channel and are not counted on pppN; the NCP frames of the
	 * unit are, and are taken out (struct dpk_ncp_count). */
	if (s->ifindex <= 0)
		return 0;
	rc = dpk_nl_link_stats(dp, s->ifindex, st);
	if (rc == 0)
		dpk_data_stats(st, &s->ncp);
	return rc;
}

static const char *kernel_session_ifname(struct dataplane *dp, struct dp_session *s)
{
	return s ? s->ifname : NULL;
}

static void kernel_fd_ready(struct dataplane *dp, int fd)
{
	const struct dpk_fd_entry *e = dpk_fdtab_get(&dp->fds, fd);
	struct dp_session *s;
	uint32_t serial;
	int i, off;

	if (!e)
		return;
	s = e->session;
	serial = e->serial;
	for (i = 0; i < DPK_RX_BUDGET; i++) {
		ssize_t n = read(fd, dp->rx_buf, sizeof(dp->rx_buf));

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			/* EOVERFLOW: ppp_read() dropped a frame larger than
			 * our buffer; the next one may be fine. */
			if (errno == EOVERFLOW) {
				dp->counters.rx_overflow++;
				continue;
			}
			dp->counters.rx_errors++;
			return;
		}
		if (n == 0 && e->kind == DPK_FD_PPPOX) {
			/* An empty data message from the peer, not an EOF: a
			 * datagram socket reads 0 for it. */
			dp->counters.rx_short++;
			continue;
		}
		if (n == 0) {
			/* EOF (ppp_read()): the channel was unregistered, or the
			 * unit has no channel left. The fd would stay readable
			 * for ever: stop watching it. The session itself ends
			 * through the control plane (CDN, LCP echo failure). */
			dp->counters.rx_eof++;
			dp->cb.unwatch_fd(dp->cb.ctx, fd);
			dpk_fdtab_del(&dp->fds, fd);
			return;
		}
		off = dpk_frame_start(dp->rx_buf, (size_t)n);
		if (off < 0) {
			dp->counters.rx_short++;
			continue;
		}
		dp->counters.rx_frames++;
		if (e->kind == DPK_FD_UNIT)
			dpk_ncp_count_add(&s->ncp, 0, (size_t)n - (size_t)off);
		dp->cb.ppp_control_rx(dp->cb.ctx, s, s->cookie, dp->rx_buf + off,
				      (size_t)n - (size_t)off);
		/* The daemon may have deleted the session (and a new one may
		 * have taken the fd number): stop unless it is still ours. */
		e = dpk_fdtab_get(&dp->fds, fd);
		if (!e || e->serial != serial)
			return;
	}
}

static void kernel_caps(const struct dataplane *dp, struct dp_caps *out)
{
	(void)dp;
	memset(out, 0, sizeof(*out));
	/* Data messages of kernel sessions never reach the daemon's socket
	 * (l2tp_udp_encap_recv() takes them): no DP_CAP_DATA_RX. The ppp
	 * unit's name is the kernel's (pppN): renaming every unit costs a
	 * netlink round trip per session, so the daemon gives no hint. */
	out->flags = DP_CAP_SESSION_NETDEV | DP_CAP_TUNNEL_SOCKET | DP_CAP_SEQUENCING;
	out->fds_per_tunnel = 1;	/* its connected UDP socket */
	out->fds_per_session = 3;	/* PPPoL2TP socket, channel, unit */
	out->fds_session_early = 1;	/* the socket; the two /dev/ppp fds at the grant */
}

#ifndef SOL_PPPOL2TP
#define SOL_PPPOL2TP 273	/* include/linux/socket.h, not in the uapi headers */
#endif

/* Ns/Nr on the session's data messages: PPPOL2TP_SO_SENDSEQ on its
 * PPPoL2TP socket (the kernel's l2tp_session_set_header_len() follows). */
/* The ppp unit's MTU: now when it exists, else at step 5 of
 * kernel_session_netdev. */
static int kernel_session_set_mtu(struct dataplane *dp, struct dp_session *s, uint16_t mtu)
{
	int rc;

	if (!s || !mtu)
		return -EINVAL;
	if (s->ifindex > 0 &&
	    (rc = dpk_nl_request(dp, dp->rtnl, dpk_msg_link_set(s->ifindex, NULL, mtu, 0))) < 0)
		return rc;
	s->mtu = mtu;
	return 0;
}

static int kernel_session_set_seq(struct dataplane *dp, struct dp_session *s, int on)
{
	int v = on ? 1 : 0;

	(void)dp;
	if (!s || s->pppox_fd < 0)
		return -EINVAL;
	if (setsockopt(s->pppox_fd, SOL_PPPOL2TP, PPPOL2TP_SO_SENDSEQ, &v, sizeof(v)) < 0)
		return -errno;
	return 0;
}

void dataplane_kernel_counters(const struct dataplane *dp, struct dpk_counters *out)
{
	*out = dp->counters;
}

void dataplane_kernel_flush(struct dataplane *dp)
{
	dp_closer_flush(dp->closer);
}

const struct dataplane_ops dataplane_kernel = {
	.name = "kernel",
	.probe = kernel_probe,
	.create = kernel_create,
	.destroy = kernel_destroy,
	.caps = kernel_caps,
	.tunnel_create = kernel_tunnel_create,
	.tunnel_delete = kernel_tunnel_delete,
	.tunnel_fd = kernel_tunnel_fd,
	.session_create = kernel_session_create,
	.session_delete = kernel_session_delete,
	.session_send_ppp = kernel_session_send_ppp,
	.session_set_ip = kernel_session_set_ip,
	.session_stats = kernel_session_stats,
	.session_ifname = kernel_session_ifname,
	.session_netdev = kernel_session_netdev,
	.session_set_seq = kernel_session_set_seq,
	.session_set_mtu = kernel_session_set_mtu,
	.fd_ready = kernel_fd_ready,
};
