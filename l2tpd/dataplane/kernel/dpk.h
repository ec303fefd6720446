/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel data path, internal declarations (see docs/dataplane-kernel.md).
 *
 * The pieces without I/O (netlink message builders, the PPPoL2TP sockaddr,
 * frame helpers, the fd table) are declared here so that the unit tests in
 * test/unit/dataplane/test_dpk.c check them on machines whose kernel has no
 * L2TP or PPP.
 */
#ifndef L2TPD_DATAPLANE_KERNEL_DPK_H
#define L2TPD_DATAPLANE_KERNEL_DPK_H

#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dataplane.h"
#include "dataplane_kernel.h"
#include "tuples.h"

struct nl_msg;
struct nl_sock;
struct nl_cb;

/* What a watched fd is to us. */
enum dpk_fd_kind {
	DPK_FD_CHANNEL = 1,   /* /dev/ppp attached to the session's channel (LCP, auth) */
	DPK_FD_UNIT,          /* /dev/ppp owning the ppp unit (NCPs: IPCP, IPV6CP, CCP) */
	DPK_FD_PPPOX,         /* the PPPoL2TP socket before its channel is bound (defer_netdev):
	                       * every PPP frame of the session, until session_netdev */
};

struct dpk_fd_entry {
	struct dp_session *session;
	uint32_t serial;          /* the session's serial: detects reuse of the fd number */
	uint8_t kind;             /* enum dpk_fd_kind, 0 = free */
};

/* fd number -> session, O(1): fds are small dense integers. */
struct dpk_fdtab {
	struct dpk_fd_entry *v;
	size_t len;
};

int dpk_fdtab_set(struct dpk_fdtab *t, int fd, struct dp_session *s, uint32_t serial,
		  enum dpk_fd_kind kind);
const struct dpk_fd_entry *dpk_fdtab_get(const struct dpk_fdtab *t, int fd);
void dpk_fdtab_del(struct dpk_fdtab *t, int fd);
void dpk_fdtab_free(struct dpk_fdtab *t);

/* The NCP frames (IPCP, IPV6CP, CCP) a session's unit fd carried: ppp_generic
 * counts them on pppN with the IP packets (ppp_receive_nonmp_frame counts
 * every frame that reaches the unit, ppp_send_frame every frame it sends),
 * so session_stats, which is IP data only (dataplane.h), takes them out.
 * 32 bits each, saturating: a session's control frames are few. */
struct dpk_ncp_count {
	uint32_t rx_frames, rx_bytes, tx_frames, tx_bytes;
};

/* One frame of len octets from the protocol field on, as ppp_generic
 * counts it (len - 2 bytes). */
void dpk_ncp_count_add(struct dpk_ncp_count *c, int tx, size_t len);
/* The link's counters less the NCP frames: the IP data (never below 0). */
void dpk_data_stats(struct dp_stats *st, const struct dpk_ncp_count *c);

struct dp_tunnel {
	struct dp_tunnel *next, *prev;     /* all tunnels of the dataplane */
	struct dp_session *sessions;       /* its sessions (doubly linked) */
	int udp_fd;                        /* connected to the peer: own_fd or the caller's */
	int own_fd;                        /* made by tunnel_create (closed by tunnel_delete), or -1 */
	int family;                        /* AF_INET or AF_INET6 of the UDP socket */
	struct sockaddr_storage peer;      /* from getpeername(udp_fd) */
	struct l2tp_addr tuple_local, tuple_peer; /* own_fd: the 4-tuple claimed */
	uint16_t local_tunnel_id, peer_tunnel_id;
	uint32_t fwmark;                   /* SO_MARK of own_fd (a caller's socket: theirs) */
};

struct dp_session {
	struct dp_session *next, *prev;    /* sessions of the tunnel */
	struct dp_tunnel *tunnel;
	void *cookie;
	uint32_t serial;
	int pppox_fd;                      /* PPPoL2TP socket: the PPP channel */
	int chan_fd;                       /* /dev/ppp, PPPIOCATTCHAN; -1 until session_netdev */
	int unit_fd;                       /* /dev/ppp, PPPIOCNEWUNIT: owns pppN; -1 until then */
	int unit;
	int ifindex;
	int lan_ifindex;                   /* proxy ARP entry on this interface, 0 = none */
	struct in_addr ip_local, ip_peer;  /* as set by session_set_ip, 0 = unset */
	uint16_t local_session_id, peer_session_id;
	uint16_t mtu, mru;                 /* from dp_session_params, for the unit */
	uint8_t nl_created;                /* L2TP_CMD_SESSION_CREATE succeeded */
	uint8_t connected;                 /* pppox_fd connected: closing it deletes the session */
	char ifname[IFNAMSIZ];             /* "" until the unit exists */
	char want_name[IFNAMSIZ];          /* ifname_hint, for the unit */
	struct dpk_ncp_count ncp;          /* through the unit fd, not IP data */
};

struct dataplane {
	struct dp_callbacks cb;
	struct nl_sock *genl;              /* generic netlink, family "l2tp" */
	struct nl_sock *rtnl;              /* NETLINK_ROUTE: links, addresses, neighbours */
	int l2tp_family;
	uint32_t next_serial;
	struct dp_tunnel *tunnels;
	struct dp_closer *closer;          /* closes channel/unit/socket fds off the loop */
	struct dpk_fdtab fds;
	struct dpk_tuples tuples;          /* 4-tuples of tunnels with own_fd */
	struct dpk_counters counters;
	uint8_t rx_buf[65536 + 4];         /* one frame read from a /dev/ppp fd */
};

/* ---- netlink messages (nl.c), no I/O ---- */
struct nl_msg *dpk_msg_tunnel_create(int family, uint16_t tunnel_id, uint16_t peer_tunnel_id,
				     int udp_fd);
struct nl_msg *dpk_msg_tunnel_delete(int family, uint16_t tunnel_id);
struct nl_msg *dpk_msg_session_create(int family, uint16_t tunnel_id, uint16_t session_id,
				      uint16_t peer_session_id);
struct nl_msg *dpk_msg_session_delete(int family, uint16_t tunnel_id, uint16_t session_id);
/* RTM_SETLINK: any of name (NULL: unchanged), mtu (0: unchanged), up. */
struct nl_msg *dpk_msg_link_set(int ifindex, const char *name, unsigned mtu, int up);
/* RTM_NEWADDR local peer peer/plen with flags (IFA_F_NODAD for IPv6). */
struct nl_msg *dpk_msg_addr_add(int family, int ifindex, const void *local, const void *peer,
				int plen, unsigned flags);
struct nl_msg *dpk_msg_addr_del(int family, int ifindex, const void *local, const void *peer,
				int plen);
/* RTM_NEWNEIGH / RTM_DELNEIGH with NTF_PROXY: "ip neigh add proxy A dev IF". */
struct nl_msg *dpk_msg_proxy_neigh(int add, int ifindex, struct in_addr addr);

/* ---- netlink I/O (nl.c) ---- */
int dpk_nl_open(struct dataplane *dp);
void dpk_nl_close(struct dataplane *dp);
/* Send msg (consumed) and wait for the kernel's ack: 0 or -errno. */
int dpk_nl_request(struct dataplane *dp, struct nl_sock *sk, struct nl_msg *msg);
int dpk_nl_link_stats(struct dataplane *dp, int ifindex, struct dp_stats *st);
int dpk_nl_ifindex(struct dataplane *dp, const char *name);
/* The up, broadcast interface whose IPv4 subnet holds addr (not skip_ifindex). */
int dpk_nl_lan_interface(struct dataplane *dp, struct in_addr addr, int skip_ifindex);
int dpk_nle_to_errno(int nle);

/* ---- the per-tunnel socket (tunsock.c) ---- */
/* A UDP socket bound to local, connected to peer, with the options the
 * daemon reads its listeners with (udp_opts.h) and SO_MARK fwmark when
 * nonzero: the fd, or -errno. */
int dpk_tunnel_socket(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		      uint32_t fwmark);
/* "192.0.2.1:1701", "[2001:db8::1]:1701" */
const char *dpk_addr_str(const struct sockaddr_storage *a, char *buf, size_t len);
void dpk_to_l2tp_addr(const struct sockaddr_storage *ss, struct l2tp_addr *a);

/* ---- pure helpers (frame.c) ---- */
/* The sockaddr that connects a PPPoL2TP socket (struct sockaddr_pppol2tp or
 * _pppol2tpin6, chosen by peer->ss_family). Returns its length or -EAFNOSUPPORT. */
int dpk_pppol2tp_addr(struct sockaddr_storage *out, int udp_fd,
		      const struct sockaddr_storage *peer,
		      uint16_t tunnel_id, uint16_t session_id,
		      uint16_t peer_tunnel_id, uint16_t peer_session_id);
/* Offset of the protocol field in a frame read from /dev/ppp (skips FF 03),
 * or -1 if no protocol field fits. */
int dpk_frame_start(const uint8_t *buf, size_t len);
/* Which fd a frame to send goes through, as pppd does: LCP and the auth
 * protocols (>= 0xc000) the channel, NCPs the unit. */
enum dpk_fd_kind dpk_send_via(const uint8_t *frame, size_t len);
/* The fd a session's frame is written to: its PPPoL2TP socket before the
 * grant (chan_fd < 0), then the channel or the unit as dpk_send_via says. */
int dpk_send_fd(int pppox_fd, int chan_fd, int unit_fd, const uint8_t *frame, size_t len);
/* fe80::<ifid> */
void dpk_ipv6_link_local(uint64_t ifid, struct in6_addr *out);

#endif
