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
 * never knows which backend it talks to. Backends do no policy and no PPP
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
};

struct dp_session_params {
	uint16_t local_session_id;
	uint16_t peer_session_id;
	uint16_t mtu;                    /* of the PPP interface, from the profile/LCP */
	uint16_t mru;
	const char *ifname_hint;         /* NULL: let the backend pick (pppN / l2tpN) */
	int defer_netdev;                /* make no network device (and no fd for it) until
					  * session_netdev; PPP control frames flow anyway */
};

struct dp_ip_params {
	struct in_addr local;            /* our end of the point-to-point link */
	struct in_addr peer;             /* the address handed out in IPCP */
	int has_ipv6;
	uint64_t local_ifid, peer_ifid;  /* IPV6CP interface identifiers */
	int proxy_arp;                   /* answer ARP for peer on the LAN (pool inside the LAN subnet) */
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
	/* userspace only, may be NULL: an IPv4 UDP datagram to port 67 from
	 * the client (its DHCPINFORM, docs/addresses.md), the whole IP
	 * packet, before it would be forwarded. 1: the daemon took it
	 * (answered or counted and dropped); 0: forward it as usual. */
	int (*dhcp_rx)(void *ctx, struct dp_session *s, void *session_cookie,
		       const uint8_t *pkt, size_t len);
};

struct dataplane_ops {
	const char *name;                /* "kernel" or "userspace" */
	/* Can this backend run here? 0 yes, else -errno and a reason. */
	int (*probe)(char *reason, size_t reason_len);
	int (*create)(const struct dp_callbacks *cb, struct dataplane **out);
	void (*destroy)(struct dataplane *dp);

	int (*tunnel_create)(struct dataplane *dp, const struct dp_tunnel_params *p,
			     struct dp_tunnel **out);
	void (*tunnel_delete)(struct dataplane *dp, struct dp_tunnel *t);

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
	int (*session_stats)(struct dataplane *dp, struct dp_session *s, struct dp_stats *st);
	const char *(*session_ifname)(struct dataplane *dp, struct dp_session *s);
	/* Make the network device session_create deferred (defer_netdev), if
	 * not made yet: 0 or -errno. NULL: the backend always makes it in
	 * session_create (kernel: the ppp unit, docs/dataplane-kernel.md).
	 * session_set_ip makes it too when it is still missing. */
	int (*session_netdev)(struct dataplane *dp, struct dp_session *s);

	/* A watched fd is readable. */
	void (*fd_ready)(struct dataplane *dp, int fd);
	/* userspace only: an L2TP data message (T=0) arrived on a daemon socket. */
	void (*data_rx)(struct dataplane *dp, const uint8_t *msg, size_t len,
			const struct sockaddr_storage *from);
};

extern const struct dataplane_ops dataplane_kernel;
extern const struct dataplane_ops dataplane_userspace;

#endif
