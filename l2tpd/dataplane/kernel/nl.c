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
#include "rtnl.h"

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

/* Addresses and proxy ARP: lib/rtnl (the one rtnetlink client); these
 * names stay for the unit tests of the messages (test_dpk.c). */
struct nl_msg *dpk_msg_addr_add(int family, int ifindex, const void *local, const void *peer,
				int plen, unsigned flags)
{
	return rtnl_msg_addr(true, family, ifindex, local, peer, (unsigned)plen, flags);
}

struct nl_msg *dpk_msg_addr_del(int family, int ifindex, const void *local, const void *peer,
				int plen)
{
	return rtnl_msg_addr(false, family, ifindex, local, peer, (unsigned)plen, 0);
}

struct nl_msg *dpk_msg_proxy_neigh(int add, int ifindex, struct in_addr addr)
{
	return rtnl_msg_proxy_neigh(add, ifindex, addr);
}

/* ---- I/O ---- */

int dpk_nle_to_errno(int nle)
{
	return rtnl_nle_errno(nle);
}

int dpk_nl_open(struct dataplane *dp)
{
	int rc;

	dp->genl = nl_socket_alloc();
	if (!dp->genl)
		return -ENOMEM;
	rc = genl_connect(dp->genl);
	if (rc < 0)
		return dpk_nle_to_errno(rc);
	dp->rtnl = rtnl_open(&rc);
	if (!dp->rtnl)
		return rc;
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
	rtnl_close(dp->rtnl);
	dp->genl = dp->rtnl = NULL;
}

int dpk_nl_request(struct dataplane *dp, struct nl_sock *sk, struct nl_msg *msg)
{
	return rtnl_call(sk, msg, NULL, NULL);
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

int dpk_nl_lan_interface(struct dataplane *dp, struct in_addr addr, int skip_ifindex)
{
	return rtnl_lan_interface(dp->rtnl, addr, skip_ifindex);
}
