/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Data-plane backends: where a session's packets flow once the L2TP control
 * plane has set up a tunnel and a session.
 *
 *   kernel     L2TP tunnel and session in the kernel (l2tp genetlink via
 *              libnl-genl), a PPPoL2TP socket per session, its PPP channel
 *              attached through /dev/ppp to a ppp unit (pppN). IP packets never
 *              leave the kernel; PPP control frames (LCP, auth, NCPs) are read
 *              and written by the daemon on the channel fd.
 *   userspace  for kernels without L2TP/PPP (containers, the build machines):
 *              L2TP data messages are handled in the daemon, IP packets go
 *              through a TUN device.
 *
 * The daemon holds one struct dataplane and drives it through the ops; it
 * never knows which backend it talks to: what differs between backends is
 * said by their capabilities (struct dp_caps), never by comparing the ops
 * (docs/dataplane.md: the interface, the capabilities, adding a backend).
 *   null       for tests: records what it was asked, delivers frames a test
 *              injects (null/dp_null.h). Backends do no policy and no PPP
 * negotiation: PPP control frames are handed up through the callbacks, and
 * addresses/routes come down once IPCP is up.
 *
 * Ownership: the backend owns every object it returns (dp_tunnel,
 * dp_session) and frees it in tunnel_delete/session_delete; the daemon owns
 * the UDP socket it passes in (the backend never closes it).
 */
#ifndef L2TPD_DATAPLANE_H
#define L2TPD_DATAPLANE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct dataplane;
struct dp_tunnel;
struct dp_session;

struct dp_tunnel_params {
	int udp_fd;                      /* the daemon's socket for this tunnel */
	struct sockaddr_storage local;   /* our address and port */
	struct sockaddr_storage peer;    /* the peer's address and port (NAT-T aware) */
	uint16_t local_tunnel_id;        /* our Assigned Tunnel ID */
	uint16_t peer_tunnel_id;         /* the peer's Assigned Tunnel ID */
	uint32_t fwmark;                 /* SO_MARK for sends (connmark %unique), 0 = none */
	/* Where tunnel_create writes why it refused (a sentence for the log,
	 * without the tunnel id), when it can say more than its -errno.
	 * NULL: not asked. Backends with DP_CAP_TUNNEL_SOCKET make their own
	 * socket when udp_fd is not connected (the daemon's shared listener). */
	char *why;
	size_t why_len;
};

struct dp_session_params {
	uint16_t local_session_id;
	uint16_t peer_session_id;
	uint16_t mtu;                    /* of the PPP interface, from the profile/LCP */
	uint16_t mru;
	const char *ifname_hint;         /* NULL: let the backend pick (pppN / l2tpN) */
	int defer_netdev;                /* make no network device (and no fd for it) until
					  * session_netdev; PPP control frames flow anyway
					  * (kernel: through the PPPoL2TP socket) */
};

struct dp_ip_params {
	struct in_addr local;            /* our end of the point-to-point link */
	struct in_addr peer;             /* the address handed out in IPCP */
	int has_ipv6;
	uint64_t local_ifid, peer_ifid;  /* IPV6CP interface identifiers */
	int proxy_arp;                   /* answer ARP for peer on the LAN (pool inside the LAN subnet) */
};

/* Backend-wide settings, from l2tpd.conf (create; NULL: the defaults). */
struct dp_config {
	/* One network device for every session instead of one each
	 * (userspace { tun = shared }). A backend that cannot ignores it; one
	 * that does reports DP_CAP_SHARED_NETDEV and no DP_CAP_SESSION_NETDEV. */
	int shared_netdev;
	const char *shared_ifname;       /* its name; NULL: the backend's default */
	uint16_t shared_mtu;             /* its MTU; 0: the backend's default */
};

/*
 * What a backend does, so that the daemon acts on the answer instead of on
 * the backend's name (docs/dataplane.md, "Capabilities").
 */
enum dp_cap_flags {
	/* Each session has a network device of its own: framed routes and
	 * packet filters attach to session_ifname. Without it the daemon
	 * installs neither (caps.no_netdev_why says why, for the log). */
	DP_CAP_SESSION_NETDEV = 1u << 0,
	/* One device carries every session (it exists from create). */
	DP_CAP_SHARED_NETDEV = 1u << 1,
	/* Names its devices as the daemon asks (dp_session_params.ifname_hint
	 * is cheap and kept); without it the daemon passes no hint and the
	 * backend picks its own names. */
	DP_CAP_IFNAME_BY_DAEMON = 1u << 2,
	/* Each tunnel has a UDP socket of the backend's own (tunnel_fd); the
	 * peer's control messages arrive on it too, so the daemon reads it. */
	DP_CAP_TUNNEL_SOCKET = 1u << 3,
	/* L2TP data messages (T=0) the daemon receives are the backend's:
	 * give them to data_rx with their metadata. Without it they are data
	 * the backend did not take in (counted as dropped by the daemon). */
	DP_CAP_DATA_RX = 1u << 4,
	/* Can send Ns/Nr on data messages (session_set_seq). */
	DP_CAP_SEQUENCING = 1u << 5,
	/* Offers the client's DHCP datagrams to dp_callbacks.dhcp_rx before
	 * they reach the host. Without it, on a backend with session devices,
	 * they reach the host's stack and the daemon listens on port 67. */
	DP_CAP_DHCP_RX = 1u << 6,
	/* Offers the client's ICMPv6 Router Solicitations to
	 * dp_callbacks.rs_rx. Without it, on a backend with session devices,
	 * they reach the host's stack and the daemon reads them from a raw
	 * ICMPv6 socket (docs/addresses.md "IPv6"). */
	DP_CAP_RS_RX = 1u << 7,
	/* Offers the client's DHCPv6 messages (IPv6 UDP to port 547) to
	 * dp_callbacks.dhcp6_rx. Without it, on a backend with session
	 * devices, they reach the host's stack and the daemon reads them from
	 * a UDP socket on port 547 (docs/addresses.md "DHCPv6 Prefix
	 * Delegation"). */
	DP_CAP_DHCP6_RX = 1u << 8,
};

struct dp_caps {
	uint32_t flags;                  /* enum dp_cap_flags */
	/* Descriptors it holds, for the descriptor budget (fdbudget.h):
	 * per tunnel, per session once its device exists, and for the whole
	 * run. fds_session_early: how many of fds_per_session a session
	 * holds from session_create with defer_netdev, before session_netdev
	 * (kernel: 1, its PPPoL2TP socket; userspace: 0). A backend without
	 * session_netdev holds all fds_per_session from session_create. */
	uint8_t fds_per_tunnel, fds_per_session, fds_fixed, fds_session_early;
	/* !DP_CAP_SESSION_NETDEV: why, for a log line ("the shared TUN
	 * (userspace.tun = shared)"). */
	const char *no_netdev_why;
};

/* What the daemon's socket said about a received datagram (data_rx). */
struct dp_rx_meta {
	const struct sockaddr_storage *from; /* source address and port */
	int has_mark;                    /* mark is known (SO_RCVMARK) */
	uint32_t mark;                   /* the IPsec SA's mark: clients behind one
					  * NAT share address and port, the mark
					  * tells them apart (docs/ipsec-nat.md) */
};

struct dp_stats {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_errors, tx_errors, tx_dropped;
};

/* Callbacks from a backend to the daemon. */
struct dp_callbacks {
	void *ctx;
	/* A PPP frame (protocol field first, no address/control) that is not
	 * IP data: LCP, PAP/CHAP/EAP, IPCP, IPV6CP, CCP... for ppp-core. */
	void (*ppp_control_rx)(void *ctx, struct dp_session *s, void *session_cookie,
			       const uint8_t *frame, size_t len);
	/* The backend needs an fd watched for input (kernel: each session's
	 * channel fd; userspace: each TUN fd). The daemon calls
	 * dataplane_ops.fd_ready(fd) when it is readable. */
	int (*watch_fd)(void *ctx, int fd);
	void (*unwatch_fd)(void *ctx, int fd);
	/* Backends with DP_CAP_DHCP_RX, may be NULL: an IPv4 UDP datagram to
	 * port 67 from the client (its DHCPINFORM, docs/addresses.md), the
	 * whole IP packet, before it would be forwarded. 1: the daemon took it
	 * (answered or counted and dropped); 0: forward it as usual. */
	int (*dhcp_rx)(void *ctx, struct dp_session *s, void *session_cookie,
		       const uint8_t *pkt, size_t len);
	/* Backends with DP_CAP_RS_RX, may be NULL: an IPv6 packet from the
	 * client whose next header is ICMPv6 and whose type is 133 (Router
	 * Solicitation, RFC 4861 section 4.1), the whole packet. 1: the
	 * daemon took it; 0: forward it as usual. */
	int (*rs_rx)(void *ctx, struct dp_session *s, void *session_cookie,
		     const uint8_t *pkt, size_t len);
	/* Backends with DP_CAP_DHCP6_RX, may be NULL: an IPv6 packet from the
	 * client whose next header is UDP and whose destination port is 547
	 * (a DHCPv6 message to a server, RFC 8415 section 7.2), the whole
	 * packet. 1: the daemon took it; 0: forward it as usual. */
	int (*dhcp6_rx)(void *ctx, struct dp_session *s, void *session_cookie,
			const uint8_t *pkt, size_t len);
};

struct dataplane_ops {
	const char *name;                /* "kernel", "userspace", "null" */
	/* Can this backend run here? 0 yes, else -errno and a reason. */
	int (*probe)(char *reason, size_t reason_len);
	/* cfg NULL: the defaults. */
	int (*create)(const struct dp_callbacks *cb, const struct dp_config *cfg,
		      struct dataplane **out);
	void (*destroy)(struct dataplane *dp);
	/* What this dataplane (as created, with its config) does. */
	void (*caps)(const struct dataplane *dp, struct dp_caps *out);

	int (*tunnel_create)(struct dataplane *dp, const struct dp_tunnel_params *p,
			     struct dp_tunnel **out);
	void (*tunnel_delete)(struct dataplane *dp, struct dp_tunnel *t);
	/* DP_CAP_TUNNEL_SOCKET: the tunnel's own socket, which the daemon
	 * reads as it reads its listeners (and stops watching before
	 * tunnel_delete, which closes it); -1 when the tunnel has none. */
	int (*tunnel_fd)(struct dataplane *dp, struct dp_tunnel *t);

	int (*session_create)(struct dataplane *dp, struct dp_tunnel *t,
			      const struct dp_session_params *p, void *session_cookie,
			      struct dp_session **out);
	void (*session_delete)(struct dataplane *dp, struct dp_session *s);
	/* Send a PPP control frame (protocol field first) to the peer. */
	int (*session_send_ppp)(struct dataplane *dp, struct dp_session *s,
				const uint8_t *frame, size_t len);
	/* IPCP/IPV6CP are up: address the interface, add the peer route, let IP flow. */
	int (*session_set_ip)(struct dataplane *dp, struct dp_session *s,
			      const struct dp_ip_params *ip);
	/* The session's IP data (what the interface carries), not PPP
	 * control frames: the idle timeout and accounting read these, and an
	 * LCP echo is not a user's traffic. */
	int (*session_stats)(struct dataplane *dp, struct dp_session *s, struct dp_stats *st);
	const char *(*session_ifname)(struct dataplane *dp, struct dp_session *s);
	/* Make the network device session_create deferred (defer_netdev), if
	 * not made yet: 0 or -errno. The daemon calls it at the login's
	 * grant (userspace: the TUN; kernel: the /dev/ppp channel and the
	 * ppp unit, docs/dataplane-kernel.md). NULL: the backend always makes
	 * it in session_create. session_set_ip makes it too when it is still
	 * missing. */
	int (*session_netdev)(struct dataplane *dp, struct dp_session *s);
	/* DP_CAP_SEQUENCING: send Ns/Nr on this session's data messages or
	 * stop: the LAC sent Sequencing Required in its ICCN (RFC 2661
	 * sections 4.4.6 and 5.4). 0 or -errno. */
	int (*session_set_seq)(struct dataplane *dp, struct dp_session *s, int on);
	/* DP_CAP_SESSION_NETDEV: the MTU of the session's own device, lower
	 * than dp_session_params.mtu (RADIUS Framed-MTU, docs/radius.md):
	 * set at once on a device that exists, kept for one session_netdev
	 * makes later. 0 or -errno (-EOPNOTSUPP: no device of its own).
	 * NULL: the backend cannot. */
	int (*session_set_mtu)(struct dataplane *dp, struct dp_session *s, uint16_t mtu);

	/* A watched fd is readable. */
	void (*fd_ready)(struct dataplane *dp, int fd);
	/* DP_CAP_DATA_RX: an L2TP data message (T=0) arrived on a daemon
	 * socket, with what the socket said about it. */
	void (*data_rx)(struct dataplane *dp, const uint8_t *msg, size_t len,
			const struct dp_rx_meta *meta);
};

/* The backends. Only the place that chooses one names them (the daemon's
 * dpchoice.c; a build check enforces it, docs/dataplane.md). */
extern const struct dataplane_ops dataplane_kernel;
extern const struct dataplane_ops dataplane_userspace;
extern const struct dataplane_ops dataplane_null;

#endif
