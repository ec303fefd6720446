/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel data path: netlink. One generic-netlink socket (family "l2tp") and
 * one NETLINK_ROUTE socket per dataplane, both used synchronously: build a
 * request, send it, read until the kernel's ack, surface its errno. These
 * are the only waits in the backend; the kernel answers them at once.
 */
/* glibc before linux/ uapi headers: libc-compat.h then skips duplicates. */
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/l2tp.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>

#include <netlink/addr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/socket.h>

#include "dpk.h"

/* ---- generic netlink messages for net/l2tp/l2tp_netlink.c ---- */

static struct nl_msg *l2tp_msg(int family, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd, L2TP_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *dpk_msg_tunnel_create(int family, uint16_t tunnel_id, uint16_t peer_tunnel_id,
				     int udp_fd)
{
	struct nl_msg *msg = l2tp_msg(family, L2TP_CMD_TUNNEL_CREATE);

	if (!msg)
		return NULL;
	/* l2tp_nl_cmd_tunnel_create(): CONN_ID, PEER_CONN_ID, PROTO_VERSION
	 * and ENCAP_TYPE are required. With L2TP_ATTR_FD the kernel binds the
	 * tunnel to our socket (l2tp_tunnel_register(): sockfd_lookup, then
	 * setup_udp_tunnel_sock) and takes both addresses from it; the
	 * IP_SADDR/DADDR/UDP_SPORT/DPORT attributes are only for a socket
	 * the kernel makes itself. */
	if (nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_PEER_CONN_ID, peer_tunnel_id) < 0 ||
	    nla_put_u8(msg, L2TP_ATTR_PROTO_VERSION, 2) < 0 ||
	    nla_put_u16(msg, L2TP_ATTR_ENCAP_TYPE, L2TP_ENCAPTYPE_UDP) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_FD, (uint32_t)udp_fd) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *dpk_msg_tunnel_delete(int family, uint16_t tunnel_id)
{
	struct nl_msg *msg = l2tp_msg(family, L2TP_CMD_TUNNEL_DELETE);

	if (msg && nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *dpk_msg_session_create(int family, uint16_t tunnel_id, uint16_t session_id,
				      uint16_t peer_session_id)
{
	struct nl_msg *msg = l2tp_msg(family, L2TP_CMD_SESSION_CREATE);

	if (!msg)
		return NULL;
	/* l2tp_nl_cmd_session_create(): the tunnel by CONN_ID, both session
	 * ids, PW_TYPE PPP (handed to l2tp_ppp's pppol2tp_session_create).
	 * LNS_MODE: we are the LNS, so a LAC that sends sequence numbers does
	 * not make us start sending them (RFC 2661 section 5.4: the LNS
	 * decides about sequencing on the data channel). No cookies in L2TPv2. */
	if (nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id) < 0 ||
	    nla_put_u32(msg, L2TP_ATTR_PEER_SESSION_ID, peer_session_id) < 0 ||
	    nla_put_u16(msg, L2TP_ATTR_PW_TYPE, L2TP_PWTYPE_PPP) < 0 ||
	    nla_put_u8(msg, L2TP_ATTR_LNS_MODE, 1) < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *dpk_msg_session_delete(int family, uint16_t tunnel_id, uint16_t session_id)
{
	struct nl_msg *msg = l2tp_msg(family, L2TP_CMD_SESSION_DELETE);

	if (msg && (nla_put_u32(msg, L2TP_ATTR_CONN_ID, tunnel_id) < 0 ||
		    nla_put_u32(msg, L2TP_ATTR_SESSION_ID, session_id) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* ---- rtnetlink messages (libnl-route objects) ---- */

struct nl_msg *dpk_msg_link_set(int ifindex, const char *name, unsigned mtu, int up)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *chg = rtnl_link_alloc();
	struct nl_msg *msg = NULL;

	if (!orig || !chg)
		goto out;
	rtnl_link_set_ifindex(orig, ifindex);
	if (name)
		rtnl_link_set_name(chg, name);
	if (mtu)
		rtnl_link_set_mtu(chg, mtu);
	if (up)
		rtnl_link_set_flags(chg, IFF_UP);
	if (rtnl_link_build_change_request(orig, chg, 0, &msg) < 0)
		msg = NULL;
out:
	rtnl_link_put(orig);
	rtnl_link_put(chg);
	return msg;
}

/* RTM_NEWADDR/RTM_DELADDR built by hand: libnl-route's rtnl_addr refuses
 * a peer address for anything but IPv4 (rtnl_addr_set_peer()), and the
 * IPv6 link-local needs one. */
static struct nl_msg *addr_msg(int type, int flags, int family, int ifindex, const void *local,
			       const void *peer, int plen, unsigned ifa_flags)
{
	struct ifaddrmsg ifa = {
		.ifa_family = (uint8_t)family,
		.ifa_prefixlen = (uint8_t)plen,
		.ifa_flags = (uint8_t)ifa_flags,
		.ifa_scope = family == AF_INET6 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
		.ifa_index = (uint32_t)ifindex,
	};
	int alen = family == AF_INET ? 4 : 16;
	struct nl_msg *msg;

	if (family != AF_INET && family != AF_INET6)
		return NULL;
	msg = nlmsg_alloc_simple(type, flags);
	if (!msg)
		return NULL;
	/* "ip addr add LOCAL peer PEER/PLEN": IFA_LOCAL is ours, IFA_ADDRESS
	 * the peer; the kernel then adds the route to PEER/PLEN through the
	 * interface itself. IFA_FLAGS too, for flags past the 8-bit field. */
	if (nlmsg_append(msg, &ifa, sizeof(ifa), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, IFA_LOCAL, alen, local) < 0 ||
	    nla_put(msg, IFA_ADDRESS, alen, peer) < 0 ||
	    (ifa_flags && nla_put_u32(msg, IFA_FLAGS, ifa_flags) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct nl_msg *dpk_msg_addr_add(int family, int ifindex, const void *local, const void *peer,
				int plen, unsigned flags)
{
	/* REPLACE: IPCP may be renegotiated with the same addresses. */
	return addr_msg(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, family, ifindex, local, peer,
			plen, flags);
}

struct nl_msg *dpk_msg_addr_del(int family, int ifindex, const void *local, const void *peer,
				int plen)
{
	return addr_msg(RTM_DELADDR, 0, family, ifindex, local, peer, plen, 0);
}

struct nl_msg *dpk_msg_proxy_neigh(int add, int ifindex, struct in_addr addr)
{
	struct rtnl_neigh *n = rtnl_neigh_alloc();
	struct nl_addr *dst = nl_addr_build(AF_INET, &addr, 4);
	struct nl_msg *msg = NULL;
	int rc;

	if (!n || !dst)
		goto out;
	rtnl_neigh_set_ifindex(n, ifindex);
	rtnl_neigh_set_family(n, AF_INET);
	if (rtnl_neigh_set_dst(n, dst) < 0)
		goto out;
	/* NTF_PROXY: a proxy entry (pneigh), answered by arp_process() for
	 * requests arriving on this interface when forwarding is on. */
	rtnl_neigh_set_flags(n, NTF_PROXY);
	if (add)
		rc = rtnl_neigh_build_add_request(n, NLM_F_CREATE | NLM_F_REPLACE, &msg);
	else
		rc = rtnl_neigh_build_delete_request(n, 0, &msg);
	if (rc < 0)
		msg = NULL;
out:
	nl_addr_put(dst);
	rtnl_neigh_put(n);
	return msg;
}

/* ---- I/O ---- */

int dpk_nle_to_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_EXIST: return -EEXIST;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
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

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct dataplane *dp = arg;

	/* The kernel's own errno: finer than libnl's NLE_ codes. */
	dp->req_result = err->error < 0 ? err->error : -EIO;
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct dataplane *dp = arg;

	dp->req_result = 0;
	return NL_STOP;
}

int dpk_nl_open(struct dataplane *dp)
{
	int rc;

	dp->req_cb = nl_cb_alloc(NL_CB_DEFAULT);
	dp->genl = nl_socket_alloc();
	dp->rtnl = nl_socket_alloc();
	if (!dp->req_cb || !dp->genl || !dp->rtnl)
		return -ENOMEM;
	nl_cb_err(dp->req_cb, NL_CB_CUSTOM, on_error, dp);
	nl_cb_set(dp->req_cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, dp);
	rc = genl_connect(dp->genl);
	if (rc < 0)
		return dpk_nle_to_errno(rc);
	rc = nl_connect(dp->rtnl, NETLINK_ROUTE);
	if (rc < 0)
		return dpk_nle_to_errno(rc);
	/* Both are used from the event loop thread only; keep them blocking:
	 * every request is answered by the kernel before it returns. */
	dp->l2tp_family = genl_ctrl_resolve(dp->genl, L2TP_GENL_NAME);
	if (dp->l2tp_family < 0)
		return -EPROTONOSUPPORT;
	return 0;
}

void dpk_nl_close(struct dataplane *dp)
{
	nl_socket_free(dp->genl);
	nl_socket_free(dp->rtnl);
	nl_cb_put(dp->req_cb);
	dp->genl = dp->rtnl = NULL;
	dp->req_cb = NULL;
}

static int call(struct dataplane *dp, struct nl_sock *sk, struct nl_msg *msg,
		nl_recvmsg_msg_cb_t on_valid, void *valid_arg)
{
	int rc;

	if (!msg)
		return -ENOMEM;
	nl_complete_msg(sk, msg);     /* port, sequence, NLM_F_REQUEST|NLM_F_ACK */
	rc = nl_send(sk, msg);
	nlmsg_free(msg);
	if (rc < 0)
		return dpk_nle_to_errno(rc);
	nl_cb_set(dp->req_cb, NL_CB_VALID, on_valid ? NL_CB_CUSTOM : NL_CB_DEFAULT,
		  on_valid, valid_arg);
	dp->req_result = 1;   /* pending until the ack or an error arrives */
	while (dp->req_result == 1) {
		rc = nl_recvmsgs(sk, dp->req_cb);
		if (rc < 0 && dp->req_result == 1)
			dp->req_result = dpk_nle_to_errno(rc);
	}
	return dp->req_result;
}

int dpk_nl_request(struct dataplane *dp, struct nl_sock *sk, struct nl_msg *msg)
{
	return call(dp, sk, msg, NULL, NULL);
}

int dpk_nl_link_stats(struct dataplane *dp, int ifindex, struct dp_stats *st)
{
	struct rtnl_link *link = NULL;
	int rc = rtnl_link_get_kernel(dp->rtnl, ifindex, NULL, &link);

	if (rc < 0)
		return dpk_nle_to_errno(rc);
	/* IFLA_STATS64 of the ppp netdev: IP traffic only (control frames
	 * never cross the netdev). */
	st->rx_packets = rtnl_link_get_stat(link, RTNL_LINK_RX_PACKETS);
	st->rx_bytes = rtnl_link_get_stat(link, RTNL_LINK_RX_BYTES);
	st->tx_packets = rtnl_link_get_stat(link, RTNL_LINK_TX_PACKETS);
	st->tx_bytes = rtnl_link_get_stat(link, RTNL_LINK_TX_BYTES);
	st->rx_errors = rtnl_link_get_stat(link, RTNL_LINK_RX_ERRORS);
	st->tx_errors = rtnl_link_get_stat(link, RTNL_LINK_TX_ERRORS);
	st->tx_dropped = rtnl_link_get_stat(link, RTNL_LINK_TX_DROPPED);
	rtnl_link_put(link);
	return 0;
}

int dpk_nl_ifindex(struct dataplane *dp, const char *name)
{
	struct ifreq ifr;

	/* SIOCGIFINDEX on the socket we hold (any socket answers the generic
	 * netdev ioctls): an RTM_GETLINK would make the kernel fill a whole
	 * link message (stats, every IPv6 setting) only for its index, once
	 * per session (docs/performance.md). */
	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(nl_socket_get_fd(dp->rtnl), SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	return ifr.ifr_ifindex;
}

struct route_answer {
	int oif;
	int connected;   /* a unicast route with no gateway: addr is on the link */
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
	ans->connected = rtm->rtm_type == RTN_UNICAST && !tb[RTA_GATEWAY];
	return NL_OK;
}

int dpk_nl_lan_interface(struct dataplane *dp, struct in_addr addr, int skip_ifindex)
{
	struct route_answer ans = { 0, 0 };
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 32 };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	struct rtnl_link *link = NULL;
	unsigned flags;
	int rc;

	/* Ask the FIB where addr lives ("ip route get"), an O(log n) lookup
	 * whatever the number of sessions, rather than walking every address.
	 * A connected route (no gateway) through a broadcast interface is the
	 * LAN the pool was cut from, as pppd's get_ether_addr() requires. */
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, 4, &addr) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	rc = call(dp, dp->rtnl, msg, on_route, &ans);
	if (rc < 0)
		return rc == -ENETUNREACH || rc == -EHOSTUNREACH ? -ENETUNREACH : rc;
	if (!ans.connected || ans.oif <= 0 || ans.oif == skip_ifindex)
		return -ENETUNREACH;
	rc = rtnl_link_get_kernel(dp->rtnl, ans.oif, NULL, &link);
	if (rc < 0)
		return dpk_nle_to_errno(rc);
	flags = rtnl_link_get_flags(link);
	rtnl_link_put(link);
	if (!(flags & IFF_UP) || (flags & (IFF_LOOPBACK | IFF_POINTOPOINT | IFF_NOARP)))
		return -ENETUNREACH;
	return ans.oif;
}
