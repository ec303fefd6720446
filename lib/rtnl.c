/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one rtnetlink client: see rtnl.h. */
/* glibc before linux/ uapi headers: libc-compat.h then skips duplicates. */
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <netlink/errno.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include "rtnl.h"

struct nl_sock *rtnl_open(int *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk) {
		*err = -ENOMEM;
		return NULL;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc < 0) {
		nl_socket_free(sk);
		*err = rtnl_nle_errno(rc);
		return NULL;
	}
	*err = 0;
	return sk;
}

void rtnl_close(struct nl_sock *sk)
{
	nl_socket_free(sk);
}

int rtnl_nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_EXIST: return -EEXIST;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_NODEV: return -ENODEV;
	case NLE_INVAL: return -EINVAL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	case NLE_BUSY: return -EBUSY;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_BAD_SOCK: return -EBADF;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_RANGE: return -ERANGE;
	default: return -EIO;
	}
}

/* ---- one request, one answer ---- */

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	int *result = arg;

	/* The kernel's own errno: finer than libnl's NLE_ codes. */
	*result = err->error < 0 ? err->error : -EIO;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	int *result = arg;

	*result = 0;
	return NL_STOP;
}

int rtnl_call(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_valid, void *arg)
{
	struct nl_cb *cb;
	int rc, result = 1;	/* pending until the ack or an error arrives */

	if (!msg)
		return -ENOMEM;
	if (!sk) {
		nlmsg_free(msg);
		return -EBADF;
	}
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &result);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &result);
	if (on_valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, arg);
	nl_complete_msg(sk, msg);	/* port, sequence, NLM_F_REQUEST|NLM_F_ACK */
	rc = nl_send(sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		result = rtnl_nle_errno(rc);
	while (result == 1) {
		rc = nl_recvmsgs(sk, cb);
		if (rc < 0 && result == 1)
			result = rtnl_nle_errno(rc);
	}
	nl_cb_put(cb);
	return result;
}

/* ---- addresses ---- */

struct nl_msg *rtnl_msg_addr(bool add, int family, int ifindex, const void *local,
			     const void *peer, unsigned plen, unsigned ifa_flags)
{
	int alen = family == AF_INET ? 4 : 16;
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)family,
		.ifa_prefixlen = (uint8_t)plen,
		.ifa_flags = (uint8_t)ifa_flags,
		.ifa_scope = RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifindex,
	};
	struct nl_msg *msg;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	/* IPv6 takes the scope from the address itself (fe80::/10 is link
	 * scope whatever we say); say the same, so the request reads true. */
	if (family == AF_INET6 && ((const uint8_t *)local)[0] == 0xfe &&
	    (((const uint8_t *)local)[1] & 0xc0) == 0x80)
		ifa.ifa_scope = RT_SCOPE_LINK;
	/* REPLACE, not EXCL: IPCP/IPV6CP may be renegotiated; the address
	 * asked for is the one that holds afterwards (for IPv6 the kernel
	 * moves the peer route to a new peer), and asking twice is not an
	 * error. */
	msg = nlmsg_alloc_simple(add ? RTM_NEWADDR : RTM_DELADDR,
				 add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	if (!msg)
		return NULL;
	/* "ip addr add LOCAL peer PEER/PLEN": IFA_LOCAL is ours, IFA_ADDRESS
	 * the peer; the kernel then routes PEER/PLEN through the interface
	 * (pppd's sifaddr/sif6addr). IFA_FLAGS too, for flags past the 8-bit
	 * field. libnl's rtnl_addr takes a peer for IPv4 only. */
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, alen, local) < 0 ||
	    nla_put(msg, IFA_ADDRESS, alen, peer ? peer : local) < 0 ||
	    (ifa_flags && nla_put_u32(msg, IFA_FLAGS, ifa_flags) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* ---- proxy ARP ---- */

struct nl_msg *rtnl_msg_proxy_neigh(bool add, int ifindex, struct in_addr addr)
{
	struct ndmsg nd = {
		.ndm_family = AF_INET,
		.ndm_ifindex = ifindex,
		/* NTF_PROXY: a proxy neighbour (pneigh) entry, answered by
		 * the kernel's arp_process() for requests arriving on this
		 * interface ("ip neigh add proxy ADDR dev LAN"). */
		.ndm_flags = NTF_PROXY,
		.ndm_state = NUD_PERMANENT,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(add ? RTM_NEWNEIGH : RTM_DELNEIGH,
						add ? NLM_F_CREATE | NLM_F_REPLACE : 0);

	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &nd, sizeof(nd), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, NDA_DST, 4, &addr) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int rtnl_proxy_neigh(struct nl_sock *sk, bool add, int ifindex, struct in_addr addr)
{
	int rc = rtnl_call(sk, rtnl_msg_proxy_neigh(add, ifindex, addr), NULL, NULL);

	if (!add && (rc == -ENOENT || rc == -EADDRNOTAVAIL))
		rc = 0;
	return rc;
}

/* ---- routes ---- */

int rtnl_route(struct nl_sock *sk, bool add, int family, int ifindex, const void *dst,
	       unsigned plen, const void *prefsrc)
{
	int alen = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
	struct rtmsg rtm = {
		.rtm_family = (uint8_t)family,
		.rtm_dst_len = (uint8_t)plen,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_LINK,
		.rtm_type = RTN_UNICAST,
	};
	struct nl_msg *msg;
	int rc;

	if (!alen || plen > (unsigned)alen * 8)
		return -EINVAL;
	/* REPLACE: a second session with the same prefix takes the route
	 * over; the last one up wins, as with RRAS. */
	msg = nlmsg_alloc_simple(add ? RTM_NEWROUTE : RTM_DELROUTE,
				 add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	if (!msg)
		return -ENOMEM;
	/* RTA_OIF in a delete too: only our route goes, a newer session's
	 * route for the same prefix through another interface stays. */
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, alen, dst) < 0 ||
	    nla_put_u32(msg, RTA_OIF, (uint32_t)ifindex) < 0 ||
	    (prefsrc && nla_put(msg, RTA_PREFSRC, alen, prefsrc) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = rtnl_call(sk, msg, NULL, NULL);
	/* Gone already, or its device is: what a delete wants. */
	if (!add && (rc == -ESRCH || rc == -ENOENT || rc == -ENODEV))
		rc = 0;
	return rc;
}

/* ---- the LAN of a pool address ---- */

/* A LAN for proxy ARP: up, answering ARP, not loopback or point-to-point
 * (pppd's get_ether_addr() asks the same). */
static bool lan_flags(unsigned flags)
{
	return (flags & IFF_UP) && !(flags & (IFF_LOOPBACK | IFF_POINTOPOINT | IFF_NOARP));
}

struct route_answer {
	int oif;
	bool connected;		/* a unicast route with no gateway: addr is on the link */
};

static int on_route(struct nl_msg *msg, void *arg)
{
	struct route_answer *ans = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	rtm = nlmsg_data(nlh);
	if (tb[RTA_OIF])
		ans->oif = (int)nla_get_u32(tb[RTA_OIF]);
	/* RTN_UNICAST: the LAN's broadcast address (RTN_BROADCAST) and our
	 * own addresses (RTN_LOCAL) have gateway-less routes too. */
	ans->connected = rtm->rtm_type == RTN_UNICAST && !tb[RTA_GATEWAY];
	return NL_OK;
}

static int lan_behind_own_route(struct nl_sock *sk, uint32_t a, int skip_ifindex);

int rtnl_lan_interface(struct nl_sock *sk, struct in_addr addr, int skip_ifindex)
{
	struct route_answer ans = { 0, false };
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct rtnl_link *link = NULL;
	unsigned flags;
	int rc;

	/* Ask the FIB where addr lives ("ip route get"), an O(log n) lookup
	 * whatever the number of sessions, rather than walking every address.
	 * A connected route through a broadcast interface is the LAN the pool
	 * was cut from, as pppd's get_ether_addr() requires. */
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, 4, &addr) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = rtnl_call(sk, msg, on_route, &ans);
	if (rc < 0)
		return rc == -ENETUNREACH || rc == -EHOSTUNREACH || rc == -EINVAL ? -ENETUNREACH
										    : rc;
	if (ans.oif > 0 && ans.oif == skip_ifindex)
		return lan_behind_own_route(sk, ntohl(addr.s_addr), skip_ifindex);
	if (!ans.connected || ans.oif <= 0)
		return -ENETUNREACH;
	rc = rtnl_link_get_kernel(sk, ans.oif, NULL, &link);
	if (rc < 0)
		return rtnl_nle_errno(rc);
	flags = rtnl_link_get_flags(link);
	rtnl_link_put(link);
	if (!lan_flags(flags))
		return -ENETUNREACH;
	return ans.oif;
}

/* ---- the host's connected subnets ---- */

int rtnl_connected_subnets(struct nl_sock *sk, struct rtnl_subnet **out, size_t *n)
{
	struct nl_cache *links = NULL, *addrs = NULL;
	struct rtnl_subnet *v = NULL;
	size_t len = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links)) < 0)
		return rtnl_nle_errno(rc);
	if ((rc = rtnl_addr_alloc_cache(sk, &addrs)) < 0) {
		nl_cache_free(links);
		return rtnl_nle_errno(rc);
	}
	rc = 0;
	for (struct nl_object *o = nl_cache_get_first(addrs); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(a), *peer = rtnl_addr_get_peer(a);
		struct rtnl_link *link;
		uint32_t v4;
		unsigned flags;

		if (rtnl_addr_get_family(a) != AF_INET || !local ||
		    nl_addr_get_len(local) != 4)
			continue;
		/* "ip addr add L peer P": a point-to-point address connects
		 * one host, not a subnet (our own session links among them). */
		if (peer && nl_addr_cmp(peer, local) != 0)
			continue;
		link = rtnl_link_get(links, rtnl_addr_get_ifindex(a));
		if (!link)
			continue;
		flags = rtnl_link_get_flags(link);
		if (!lan_flags(flags)) {
			rtnl_link_put(link);
			continue;
		}
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			struct rtnl_subnet *nv = realloc(v, ncap * sizeof(*v));

			if (!nv) {
				rtnl_link_put(link);
				rc = -ENOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		memcpy(&v4, nl_addr_get_binary_addr(local), 4);
		v[len].addr = ntohl(v4);
		v[len].plen = (uint8_t)rtnl_addr_get_prefixlen(a);
		v[len].ifindex = rtnl_addr_get_ifindex(a);
		snprintf(v[len].ifname, sizeof(v[len].ifname), "%s",
			 rtnl_link_get_name(link) ? rtnl_link_get_name(link) : "?");
		len++;
		rtnl_link_put(link);
	}
	nl_cache_free(addrs);
	nl_cache_free(links);
	if (rc < 0) {
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

static uint32_t mask_of(uint8_t plen)
{
	return plen == 0 ? 0 : plen >= 32 ? UINT32_MAX : UINT32_MAX << (32 - plen);
}

int rtnl_subnet_of(const struct rtnl_subnet *s, size_t n, uint32_t first, uint32_t last)
{
	int best = -1;

	if (first > last)
		return -1;
	/* A subnet is contiguous: it holds every address from first to
	 * last when it holds both ends. */
	for (size_t i = 0; i < n; i++) {
		uint32_t m = mask_of(s[i].plen), net = s[i].addr & m;

		if (s[i].plen > 30 || (first & m) != net || (last & m) != net)
			continue;
		if (best < 0 || s[i].plen > s[best].plen)
			best = (int)i;
	}
	return best;
}

/* The FIB's answer for a is our own device (its peer route): the LAN is
 * the connected subnet that holds a, with what the route lookup refuses
 * refused here too (the subnet's network and broadcast address, an
 * address of the interface). Only when proxy ARP is turned on for a
 * session already up: it reads every address of the host. */
static int lan_behind_own_route(struct nl_sock *sk, uint32_t a, int skip_ifindex)
{
	struct rtnl_subnet *s;
	size_t n, k = 0;
	int i, rc = rtnl_connected_subnets(sk, &s, &n);

	if (rc < 0)
		return rc;
	/* never the interface the route leads to: the session's own */
	for (size_t j = 0; j < n; j++)
		if (s[j].ifindex != skip_ifindex)
			s[k++] = s[j];
	n = k;
	i = rtnl_subnet_holding(s, n, a);
	rc = i >= 0 ? s[i].ifindex : -ENETUNREACH;
	free(s);
	return rc;
}

int rtnl_subnet_holding(const struct rtnl_subnet *s, size_t n, uint32_t a)
{
	int i = rtnl_subnet_of(s, n, a, a);
	uint32_t m;

	if (i < 0)
		return -1;
	m = mask_of(s[i].plen);
	if ((a & ~m) == 0 || (a & ~m) == ~m)
		return -1;	/* the network or the broadcast address */
	for (size_t j = 0; j < n; j++)
		if (s[j].addr == a)
			return -1;	/* ours */
	return i;
}
