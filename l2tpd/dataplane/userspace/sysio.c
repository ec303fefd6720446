/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel side of the userspace data path: TUN devices through
 * /dev/net/tun, addresses, links and routes through libnl-route, sends with
 * sendmsg and an SO_MARK control message.
 *
 * Netlink requests are synchronous round trips to the kernel (no network
 * involved); they happen at session set-up and teardown, never per packet.
 */
#include "dp_user.h"
#include "ipv6_ll.h"

#include "closer.h"
#include "rtnl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>

#ifndef IN6_ADDR_GEN_MODE_NONE
#define IN6_ADDR_GEN_MODE_NONE 1
#endif

struct sysio {
	struct nl_sock *nl;
	/* TUN fds are closed here, off the loop: the kernel takes 20-50 ms
	 * per device to unregister it (closer.h). */
	struct dp_closer *closer;
};

/* Change a link by index: MTU (nonzero), up, and IPv6 address generation
 * off (we add the link-local IPV6CP agreed on, and the kernel must not
 * send router solicitations from a random one into the tunnel). */
static int link_change(struct sysio *io, int ifindex, uint16_t mtu, bool up, bool gen_none)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	int err = -NLE_NOMEM;

	if (!orig || !chg)
		goto out;
	rtnl_link_set_ifindex(orig, ifindex);
	if (mtu)
		rtnl_link_set_mtu(chg, mtu);
	if (up)
		rtnl_link_set_flags(chg, IFF_UP);
	if (gen_none && rtnl_link_inet6_set_addr_gen_mode(chg, IN6_ADDR_GEN_MODE_NONE) < 0)
		gen_none = false;
	err = rtnl_link_change(io->nl, orig, chg, 0);
	if (err < 0 && gen_none) {
		/* IPv6 disabled in this namespace: the rest still matters. */
		rtnl_link_put(chg);
		chg = rtnl_link_alloc();
		err = -NLE_NOMEM;
		if (!chg)
			goto out;
		if (mtu)
			rtnl_link_set_mtu(chg, mtu);
		if (up)
			rtnl_link_set_flags(chg, IFF_UP);
		err = rtnl_link_change(io->nl, orig, chg, 0);
	}
out:
	if (orig)
		rtnl_link_put(orig);
	if (chg)
		rtnl_link_put(chg);
	return err < 0 ? rtnl_nle_errno(err) : 0;
}

static int sys_link_mtu(void *ctx, int ifindex, uint16_t mtu)
{
	return link_change(ctx, ifindex, mtu, false, false);
}

static int sys_tun_open(void *ctx, const char *name, uint16_t mtu, char *ifname, int *ifindex)
{
	struct sysio *io = ctx;
	struct ifreq ifr;
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* IFF_TUN: IP packets, no Ethernet header; IFF_NO_PI: no 4-byte
	 * packet-information prefix, the family comes from the version
	 * nibble. Not persistent: closing the fd removes the device. */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (strlen(name) >= IFNAMSIZ) {
		close(fd);
		return -ENAMETOOLONG;
	}
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = 0;
	/* The index through the netlink socket we hold (any socket answers
	 * SIOCGIFINDEX): if_nametoindex() would open and close a socket per
	 * session. ifr_name is already the device's name. */
	if (ioctl(nl_socket_get_fd(io->nl), SIOCGIFINDEX, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	*ifindex = ifr.ifr_ifindex;
	err = link_change(io, *ifindex, mtu, false, true);
	if (err < 0) {
		close(fd);
		return err;
	}
	return fd;
}

static void sys_tun_close(void *ctx, int fd, int ifindex)
{
	struct sysio *io = ctx;

	/* Non-persistent TUN: the device goes when the closer closes fd. */
	dp_closer_close(io->closer, fd);
}

static ssize_t sys_tun_read(void *ctx, int fd, uint8_t *buf, size_t cap)
{
	ssize_t n = read(fd, buf, cap);

	return n < 0 ? -errno : n;
}

static ssize_t sys_tun_write(void *ctx, int fd, const uint8_t *pkt, size_t len)
{
	ssize_t n = write(fd, pkt, len);

	return n < 0 ? -errno : n;
}

/* Addresses, routes, proxy ARP and the LAN lookup: lib/rtnl, the one
 * rtnetlink client (its header says which semantics and why). */
static int addr_add(struct sysio *io, int ifindex, int family, const void *local,
		    const void *peer, unsigned plen, bool nodad)
{
	return rtnl_addr(io->nl, true, family, ifindex, local, peer, plen, nodad ? IFA_F_NODAD : 0);
}

static int sys_del_ip4(void *ctx, int ifindex, struct in_addr local, struct in_addr peer)
{
	struct sysio *io = ctx;

	return rtnl_addr(io->nl, false, AF_INET, ifindex, &local, &peer, 32, 0);
}

static int sys_set_ip(void *ctx, int ifindex, const struct dp_ip_params *ip, bool ip4, bool ip6)
{
	struct sysio *io = ctx;
	int err;

	/* Up first, as pppd's sifup() before sifaddr()/sif6addr(): an IPv6
	 * address added while the link is down may get no route to its peer
	 * when the link comes up (seen on 6.1 by the kernel backend). IP is
	 * still dropped by us until this returns. */
	err = link_change(io, ifindex, 0, true, false);
	if (err < 0)
		return err;
	if (ip4) {
		/* No peer: the shared TUN carries our address alone, and one
		 * route per client (sys_route). */
		err = addr_add(io, ifindex, AF_INET, &ip->local,
			       ip->peer.s_addr ? &ip->peer : NULL, 32, false);
		if (err < 0)
			return err;
	}
	if (ip6) {
		uint8_t l[16], p[16];

		/* RFC 5072 section 5: fe80::/64 and the interface ids */
		ipv6_link_local(ip->local_ifid, l);
		ipv6_link_local(ip->peer_ifid, p);
		err = addr_add(io, ifindex, AF_INET6, l, p, 128, true);
		if (err < 0)
			return err;
	}
	return 0;
}

static int sys_lan_interface(void *ctx, struct in_addr addr, int skip_ifindex)
{
	struct sysio *io = ctx;

	return rtnl_lan_interface(io->nl, addr, skip_ifindex);
}

static int sys_proxy_neigh(void *ctx, int lan_ifindex, struct in_addr addr, bool add)
{
	struct sysio *io = ctx;

	return rtnl_proxy_neigh(io->nl, add, lan_ifindex, addr);
}

static int sys_route(void *ctx, int ifindex, struct in_addr dst, struct in_addr src, bool add)
{
	struct sysio *io = ctx;

	return rtnl_route(io->nl, add, AF_INET, ifindex, &dst, 32, src.s_addr ? &src : NULL);
}

static ssize_t sys_udp_send(void *ctx, int fd, const struct sockaddr *peer, socklen_t peer_len,
			    uint32_t fwmark, const struct iovec *iov, int iovcnt)
{
	union {
		char buf[CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} cbuf;
	struct msghdr mh;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_name = (void *)(uintptr_t)peer;
	mh.msg_namelen = peer_len;
	mh.msg_iov = (struct iovec *)(uintptr_t)iov;
	mh.msg_iovlen = (size_t)iovcnt;
	if (fwmark) {
		/* Mark every send with the tunnel's IPsec SA mark: two
		 * clients behind one NAT share address and port, and only
		 * the mark picks the right SA (docs/ipsec-nat.md). Mark 0 is
		 * "unknown" and never sent. Needs CAP_NET_ADMIN. */
		struct cmsghdr *c;

		memset(&cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SO_MARK;
		c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		memcpy(CMSG_DATA(c), &fwmark, sizeof(fwmark));
	}
	n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

int dp_user_sysio_create(struct dp_user_io *io)
{
	struct sysio *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->nl = rtnl_open(&err);
	if (!s->nl) {
		free(s);
		return err;
	}
	err = dp_closer_new(&s->closer);
	if (err < 0) {
		rtnl_close(s->nl);
		free(s);
		return err;
	}
	memset(io, 0, sizeof(*io));
	io->ctx = s;
	io->tun_open = sys_tun_open;
	io->tun_close = sys_tun_close;
	io->tun_read = sys_tun_read;
	io->tun_write = sys_tun_write;
	io->set_ip = sys_set_ip;
	io->link_mtu = sys_link_mtu;
	io->route = sys_route;
	io->del_ip4 = sys_del_ip4;
	io->lan_interface = sys_lan_interface;
	io->proxy_neigh = sys_proxy_neigh;
	io->udp_send = sys_udp_send;
	return 0;
}

void dp_user_sysio_flush(struct dp_user_io *io)
{
	struct sysio *s = io->ctx;

	if (s)
		dp_closer_flush(s->closer);
}

void dp_user_sysio_destroy(struct dp_user_io *io)
{
	struct sysio *s = io->ctx;

	if (!s)
		return;
	/* Returns once every TUN handed to it is closed: no device outlives
	 * the data plane. */
	dp_closer_free(s->closer);
	rtnl_close(s->nl);
	free(s);
	io->ctx = NULL;
}
