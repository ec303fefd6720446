/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one rtnetlink client (libnl-route): the operations that more than one
 * component performs on links, addresses, routes and neighbours, written
 * once with one meaning (docs/development.md "The rtnetlink client" says
 * why each is what it is; test/integration/lib_rtnl shows it in a
 * namespace):
 *
 * - a point-to-point address (ours + the peer's, "ip addr add L peer P")
 *   is added with CREATE|REPLACE: adding it again is not an error, and the
 *   address that holds afterwards is the one asked for (a renegotiated
 *   IPV6CP peer interface id moves the peer route);
 * - the LAN of a pool address is the interface of a connected (no
 *   gateway) RTN_UNICAST route to it: the LAN's broadcast address has a
 *   connected route too, of type RTN_BROADCAST, and is no client's address;
 * - a failure is the kernel's own errno (struct nlmsgerr), which is finer
 *   than libnl's NLE_ codes; libnl's own failures map through
 *   rtnl_nle_errno().
 *
 * Every call is a synchronous round trip to the kernel (no network
 * involved), made at session set-up and teardown, never per packet. Each
 * owner (a data plane, the daemon's framed routes) holds its own socket.
 */
#ifndef COMMON_RTNL_H
#define COMMON_RTNL_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>

/* A connected NETLINK_ROUTE socket, or NULL with *err = -errno. */
struct nl_sock *rtnl_open(int *err);
void rtnl_close(struct nl_sock *sk);

/* A libnl error (NLE_*, either sign) as -errno; 0 stays 0. */
int rtnl_nle_errno(int nle);

/* Send msg (freed here) and wait for the kernel's answer: 0, or the
 * kernel's -errno. on_valid (may be NULL) sees each reply message. Works
 * on any netlink socket (generic netlink too). */
int rtnl_call(struct nl_sock *sk, struct nl_msg *msg, nl_recvmsg_msg_cb_t on_valid, void *arg);

/* RTM_NEWADDR (add) or RTM_DELADDR for a point-to-point address: local is
 * ours, peer the other end (NULL: local again, no peer route), plen the
 * peer's prefix length. ifa_flags: IFA_F_* (IFA_F_NODAD for a link-local
 * the peer already agreed to). NULL if memory ran out or the family is
 * neither AF_INET nor AF_INET6. */
struct nl_msg *rtnl_msg_addr(bool add, int family, int ifindex, const void *local,
			     const void *peer, unsigned plen, unsigned ifa_flags);
static inline int rtnl_addr(struct nl_sock *sk, bool add, int family, int ifindex,
			    const void *local, const void *peer, unsigned plen, unsigned ifa_flags)
{
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	return rtnl_call(sk, rtnl_msg_addr(add, family, ifindex, local, peer, plen, ifa_flags),
			 NULL, NULL);
}

/* A proxy-ARP entry (NTF_PROXY) for addr on ifindex: added with
 * CREATE|REPLACE; deleting one that is not there is success. */
struct nl_msg *rtnl_msg_proxy_neigh(bool add, int ifindex, struct in_addr addr);
int rtnl_proxy_neigh(struct nl_sock *sk, bool add, int ifindex, struct in_addr addr);

/* A route to dst/plen through ifindex (scope link, protocol static, main
 * table), with preferred source prefsrc (NULL: none). Added with
 * CREATE|REPLACE (the last one up wins); deleted only if it goes through
 * ifindex, and deleting one that is gone (or whose device is) is success. */
int rtnl_route(struct nl_sock *sk, bool add, int family, int ifindex, const void *dst,
	       unsigned plen, const void *prefsrc);

/* The broadcast interface whose connected subnet holds addr (a pool
 * address on the LAN, for proxy ARP), not skip_ifindex: its index, or
 * -ENETUNREACH when addr is not a unicast address on such a LAN (routed
 * through a gateway, the LAN's broadcast address, an address of ours, a
 * point-to-point, loopback or NOARP interface, or one that is down).
 * When the route to addr is skip_ifindex itself (the session's own peer
 * route already exists: proxy ARP turned on for a session that is up),
 * the LAN is the connected subnet that holds addr
 * (rtnl_connected_subnets). */
int rtnl_lan_interface(struct nl_sock *sk, struct in_addr addr, int skip_ifindex);

/* A directly connected IPv4 subnet of one of the host's LAN interfaces: an
 * address with its prefix on an interface that is up, does ARP and is
 * neither loopback nor point-to-point (what "ip -4 addr" shows as
 * ADDR/PLEN on an Ethernet-like device). Host order. */
struct rtnl_subnet {
	uint32_t addr;			/* the interface's own address */
	uint8_t plen;
	int ifindex;
	char ifname[16];
};

/* Every such subnet: 0 with *out (free() it; NULL when none) and *n, or
 * -errno. Read at load and reload (a pool's proxy_arp = auto), never per
 * session: it walks every address of the host. */
int rtnl_connected_subnets(struct nl_sock *sk, struct rtnl_subnet **out, size_t *n);

/* The subnet of s[] that holds every address from first to last (host
 * order), the longest prefix as the route lookup would pick, or -1. A /31
 * or /32 holds no pool (RFC 3021's /31 has room for its two ends only).
 * Pure: no kernel involved. */
int rtnl_subnet_of(const struct rtnl_subnet *s, size_t n, uint32_t first, uint32_t last);

/* The subnet of s[] where a is a host's unicast address (rtnl_subnet_of,
 * and a is neither the subnet's network nor broadcast address nor an
 * address of s[]'s interfaces), or -1. Pure. */
int rtnl_subnet_holding(const struct rtnl_subnet *s, size_t n, uint32_t a);

#endif
