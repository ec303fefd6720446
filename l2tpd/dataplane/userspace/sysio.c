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

#include "closer.h"

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

static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_EXIST: return -EEXIST;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NODEV: return -ENODEV;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_INVAL: return -EINVAL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_BUSY: return -EBUSY;
	case NLE_RANGE: return -ERANGE;
	default: return -EIO;
	}
}

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
	return err < 0 ? nl_to_errno(err) : 0;
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

/*
 * RTM_NEWADDR built by hand: libnl's rtnl_addr_set_peer() takes IPv4 only,
 * and IPv6 needs the peer too (IFA_LOCAL ours, IFA_ADDRESS the peer's,
 * as pppd's sif6addr does).
 */
static int addr_req(struct sysio *io, int type, int ifindex, int family, const void *local,
		    const void *peer, unsigned alen, unsigned plen, bool nodad)
{
	struct ifaddrmsg ifa;
	struct nl_msg *msg;
	int err;

	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = (uint8_t)family;
	ifa.ifa_prefixlen = (uint8_t)plen;
	ifa.ifa_flags = nodad ? IFA_F_NODAD : 0;
	ifa.ifa_scope = RT_SCOPE_UNIVERSE;	/* IPv6 derives it from the address */
	ifa.ifa_index = (uint32_t)ifindex;
	msg = nlmsg_alloc_simple(type, type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_EXCL : 0);
	if (!msg)
		return -ENOMEM;
	/* A point-to-point address: the kernel routes peer/plen through
	 * the device (the peer route), as for pppd's ppp units. */
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, (int)alen, local) < 0 ||
	    nla_put(msg, IFA_ADDRESS, (int)alen, peer ? peer : local) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = nl_send_sync(io->nl, msg);	/* frees msg, waits for the ack */
	if (err == -NLE_EXIST && type == RTM_NEWADDR)
		err = 0;	/* set again (IPCP renegotiated): fine */
	return err < 0 ? nl_to_errno(err) : 0;
}

static int addr_add(struct sysio *io, int ifindex, int family, const void *local,
		    const void *peer, unsigned alen, unsigned plen, bool nodad)
{
	return addr_req(io, RTM_NEWADDR, ifindex, family, local, peer, alen, plen, nodad);
}

static int sys_del_ip4(void *ctx, int ifindex, struct in_addr local, struct in_addr peer)
{
	return addr_req(ctx, RTM_DELADDR, ifindex, AF_INET, &local, &peer, 4, 32, false);
}

static void ifid_to_linklocal(uint64_t ifid, uint8_t out[16])
{
	/* RFC 5072 section 5: fe80::/64 and the 64-bit interface id. */
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(ifid >> (56 - 8 * i));
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
			       ip->peer.s_addr ? &ip->peer : NULL, 4, 32, false);
		if (err < 0)
			return err;
	}
	if (ip6) {
		uint8_t l[16], p[16];

		ifid_to_linklocal(ip->local_ifid, l);
		ifid_to_linklocal(ip->peer_ifid, p);
		err = addr_add(io, ifindex, AF_INET6, l, p, 16, 128, true);
		if (err < 0)
			return err;
	}
	return 0;
}

struct route_answer {
	int oif;
	bool connected;		/* no gateway: addr is on the link */
};

static int on_route(struct nl_msg *msg, void *arg)
{
	struct route_answer *ans = arg;
	struct nlmsghdr *nh = nlmsg_hdr(msg);
	struct nlattr *tb[RTA_MAX + 1];

	if (nh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nh, sizeof(struct rtmsg), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	if (tb[RTA_OIF])
		ans->oif = (int)nla_get_u32(tb[RTA_OIF]);
	ans->connected = !tb[RTA_GATEWAY];
	return NL_OK;
}

static int sys_lan_interface(void *ctx, struct in_addr addr, int skip_ifindex)
{
	struct sysio *io = ctx;
	struct route_answer ans = {0, false};
	struct rtmsg rtm = {.rtm_family = AF_INET, .rtm_dst_len = 32};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct nl_cb *orig, *cb;
	struct rtnl_link *link = NULL;
	unsigned flags;
	int err;

	/* "ip route get ADDR": one FIB lookup whatever the number of
	 * sessions. A connected route through a broadcast interface is the
	 * LAN the pool was cut from (pppd's get_ether_addr() rule). */
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, 4, &addr) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = nl_send_auto(io->nl, msg);
	nlmsg_free(msg);
	if (err < 0)
		return nl_to_errno(err);
	orig = nl_socket_get_cb(io->nl);	/* a reference: put it back */
	cb = orig ? nl_cb_clone(orig) : NULL;
	if (orig)
		nl_cb_put(orig);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_route, &ans);
	/* The route, then (auto-ack) the ACK, or an error in its place. */
	err = nl_recvmsgs(io->nl, cb);
	nl_cb_put(cb);
	if (err >= 0)
		err = nl_wait_for_ack(io->nl);
	if (err < 0)
		return err == -NLE_NOADDR || err == -NLE_OBJ_NOTFOUND ? -ENETUNREACH
									: nl_to_errno(err);
	if (!ans.connected || ans.oif <= 0 || ans.oif == skip_ifindex)
		return -ENETUNREACH;
	err = rtnl_link_get_kernel(io->nl, ans.oif, NULL, &link);
	if (err < 0)
		return nl_to_errno(err);
	flags = rtnl_link_get_flags(link);
	rtnl_link_put(link);
	if (!(flags & IFF_UP) || (flags & (IFF_LOOPBACK | IFF_POINTOPOINT | IFF_NOARP)))
		return -ENETUNREACH;
	return ans.oif;
}

static int sys_proxy_neigh(void *ctx, int lan_ifindex, struct in_addr addr, bool add)
{
	struct sysio *io = ctx;
	struct ndmsg nd;
	struct nl_msg *msg;
	int err;

	/* NTF_PROXY: a proxy neighbour (pneigh) entry, answered by the
	 * kernel's arp_process() for requests arriving on the LAN
	 * ("ip neigh add proxy ADDR dev LAN"). */
	memset(&nd, 0, sizeof(nd));
	nd.ndm_family = AF_INET;
	nd.ndm_ifindex = lan_ifindex;
	nd.ndm_flags = NTF_PROXY;
	nd.ndm_state = NUD_PERMANENT;
	msg = nlmsg_alloc_simple(add ? RTM_NEWNEIGH : RTM_DELNEIGH,
				 add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, NDA_DST, 4, &addr) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = nl_send_sync(io->nl, msg);
	if (!add && (err == -NLE_OBJ_NOTFOUND || err == -NLE_NOADDR))
		err = 0;
	return err < 0 ? nl_to_errno(err) : 0;
}

static int sys_route(void *ctx, int ifindex, struct in_addr dst, struct in_addr src, bool add)
{
	struct sysio *io = ctx;
	struct rtnl_route *r = rtnl_route_alloc();
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
	struct nl_addr *d = nl_addr_build(AF_INET, &dst, 4);
	struct nl_addr *s = nl_addr_build(AF_INET, &src, 4);
	int err = -NLE_NOMEM;

	if (!r || !nh || !d || !s)
		goto out;
	nl_addr_set_prefixlen(d, 32);
	rtnl_route_set_family(r, AF_INET);
	rtnl_route_set_table(r, RT_TABLE_MAIN);
	rtnl_route_set_scope(r, RT_SCOPE_LINK);
	rtnl_route_set_protocol(r, RTPROT_STATIC);
	rtnl_route_set_type(r, RTN_UNICAST);
	rtnl_route_set_dst(r, d);
	if (src.s_addr)
		rtnl_route_set_pref_src(r, s);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(r, nh);
	nh = NULL; /* the route owns it now */
	if (add) {
		err = rtnl_route_add(io->nl, r, NLM_F_CREATE | NLM_F_REPLACE);
	} else {
		err = rtnl_route_delete(io->nl, r, 0);
		if (err == -NLE_OBJ_NOTFOUND)
			err = 0;
	}
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (r)
		rtnl_route_put(r);
	if (d)
		nl_addr_put(d);
	if (s)
		nl_addr_put(s);
	return err < 0 ? nl_to_errno(err) : 0;
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
	s->nl = nl_socket_alloc();
	if (!s->nl) {
		free(s);
		return -ENOMEM;
	}
	err = nl_connect(s->nl, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(s->nl);
		free(s);
		return nl_to_errno(err);
	}
	err = dp_closer_new(&s->closer);
	if (err < 0) {
		nl_socket_free(s->nl);
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
	nl_socket_free(s->nl);
	free(s);
	io->ctx = NULL;
}
