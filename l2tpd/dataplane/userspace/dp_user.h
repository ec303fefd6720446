/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Userspace data path (dataplane_userspace): what this backend offers
 * beyond the generic interface of dataplane.h. See docs/dataplane-userspace.md.
 *
 * L2TP data messages (RFC 2661 section 3.1, T=0) come in through data_rx
 * from the daemon's UDP socket; the IP packet inside goes to the session's
 * TUN device, other PPP frames to the daemon's ppp_control_rx. IP packets
 * read from a TUN device are wrapped in PPP and L2TP and sent to the peer on
 * the tunnel's socket.
 *
 * Every kernel touch (TUN devices, addresses, sendmsg) goes through a struct
 * dp_user_io, so unit tests and the fuzz target run the whole receive and
 * transmit paths without a kernel. dataplane_userspace.create uses the real
 * one (dp_user_sysio_*).
 */
#ifndef L2TPD_DP_USER_H
#define L2TPD_DP_USER_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "dataplane.h"

/* Every reason a packet is not delivered. One counter per reason in the
 * dataplane, and per session for those where the session is known. */
enum dp_user_drop {
	/* received from the peer (data_rx) */
	DP_DROP_RX_BAD_HEADER,		/* L2TP data header did not parse (l2tp_data_header_parse) */
	DP_DROP_RX_CONTROL,		/* T=1: a control message given to data_rx */
	DP_DROP_RX_UNKNOWN_TUNNEL,	/* no tunnel with this (our) Tunnel ID */
	DP_DROP_RX_UNKNOWN_SESSION,	/* the tunnel has no session with this Session ID */
	DP_DROP_RX_PEER_MISMATCH,	/* source address/port is not the tunnel's peer */
	DP_DROP_RX_MARK_MISMATCH,	/* came through another IPsec SA than the tunnel's */
	DP_DROP_RX_EMPTY,		/* no PPP frame (data ZLB, RFC 2661 section 5.8) */
	DP_DROP_RX_BAD_PPP,		/* PPP header truncated or protocol field invalid */
	DP_DROP_RX_BAD_IP,		/* IP version does not match the PPP protocol (0x0021/0x0057) */
	DP_DROP_RX_PROTO_DOWN,		/* IPv4/IPv6 before session_set_ip enabled it (NPMODE_DROP) */
	DP_DROP_RX_TUN_WRITE,		/* the TUN device refused the packet */
	/* read from the TUN device, to the peer */
	DP_DROP_TX_PROTO_DOWN,		/* IPv4/IPv6 not (yet) enabled on the session */
	DP_DROP_TX_NOT_IP,		/* neither IPv4 nor IPv6 (version nibble) */
	DP_DROP_TX_TOO_BIG,		/* control frame too long for one L2TP message */
	DP_DROP_TX_SEND,		/* sendmsg failed (EAGAIN, ENOBUFS, EPERM from an IPsec block policy) */
	DP_DROP_TX_NO_ROUTE,		/* shared TUN: no session has this destination address */
	DP_DROP_MAX
};

const char *dp_user_drop_name(enum dp_user_drop d);

/* Per-session counters (the generic dp_stats is derived from these). */
struct dp_user_counters {
	uint64_t rx_packets, rx_bytes;		/* IP packets written to TUN */
	uint64_t tx_packets, tx_bytes;		/* IP packets sent to the peer */
	uint64_t ctrl_rx_packets, ctrl_tx_packets; /* PPP control frames */
	uint64_t drops[DP_DROP_MAX];
};

/* How packets reach the host's IP stack. */
enum dp_user_mode {
	DP_USER_TUN_PER_SESSION,	/* one TUN device per session (default) */
	DP_USER_TUN_SHARED,		/* one TUN for all sessions, IPv4 by destination */
};

struct dp_user_config {
	enum dp_user_mode mode;
	unsigned burst;			/* packets read per fd_ready call; 0: 64 */
	const char *shared_ifname;	/* shared mode: the TUN's name; NULL "l2tp-shared" */
	uint16_t shared_mtu;		/* shared mode: its MTU; 0: 1400 */
};

/*
 * The kernel side, replaceable for tests. Return -errno on failure.
 * tun_open: create a TUN device (name hint, or a pattern with %d), set its
 * MTU; fill ifname (IFNAMSIZ) and ifindex; return the nonblocking fd.
 * tun_close: close the fd (the device goes away with it; the real io
 *   closes it on a thread of its own, so the device may outlive the call).
 * tun_read: one packet, or -EAGAIN when there are no more.
 * set_ip: address the device: IPv4 local peer/32 when ip4, IPv6 link-local
 * from the interface identifiers when ip6; then bring it up.
 * udp_send: sendmsg to peer on fd, with an SO_MARK control message when
 * fwmark is nonzero; return bytes sent.
 */
struct dp_user_io {
	void *ctx;
	int (*tun_open)(void *ctx, const char *name, uint16_t mtu, char *ifname, int *ifindex);
	void (*tun_close)(void *ctx, int fd, int ifindex);
	ssize_t (*tun_read)(void *ctx, int fd, uint8_t *buf, size_t cap);
	ssize_t (*tun_write)(void *ctx, int fd, const uint8_t *pkt, size_t len);
	int (*set_ip)(void *ctx, int ifindex, const struct dp_ip_params *ip, bool ip4, bool ip6);
	/* The MTU of an existing device (Framed-MTU); NULL: cannot. */
	int (*link_mtu)(void *ctx, int ifindex, uint16_t mtu);
	/* IPCP renegotiated other addresses: remove `local peer peer/32`. */
	int (*del_ip4)(void *ctx, int ifindex, struct in_addr local, struct in_addr peer);
	/* shared mode: a route to one client's address through the shared TUN */
	int (*route)(void *ctx, int ifindex, struct in_addr dst, struct in_addr src, bool add);
	/* proxy ARP: the LAN interface addr belongs to (a connected route on
	 * a broadcast interface other than skip_ifindex), or -ENETUNREACH */
	int (*lan_interface)(void *ctx, struct in_addr addr, int skip_ifindex);
	/* add or remove a proxy neighbour entry for addr on the LAN */
	int (*proxy_neigh)(void *ctx, int lan_ifindex, struct in_addr addr, bool add);
	ssize_t (*udp_send)(void *ctx, int fd, const struct sockaddr *peer, socklen_t peer_len,
			    uint32_t fwmark, const struct iovec *iov, int iovcnt);
};

/* The real kernel io: TUN via /dev/net/tun, addresses via libnl-route. */
int dp_user_sysio_create(struct dp_user_io *io);
/* tun_close hands the fd to a closer thread (closer.h): the device is gone
 * only later. flush waits until every TUN given to tun_close is closed;
 * destroy does the same before it returns. */
void dp_user_sysio_flush(struct dp_user_io *io);
void dp_user_sysio_destroy(struct dp_user_io *io);

/*
 * Create a userspace dataplane. io NULL: the real kernel (the dataplane owns
 * it); otherwise the caller's io, which must outlive the dataplane.
 * cfg NULL: per-session TUN, burst 64.
 */
int dp_user_create(const struct dp_callbacks *cb, const struct dp_user_io *io,
		   const struct dp_user_config *cfg, struct dataplane **out);

/*
 * data_rx with the SO_MARK the datagram arrived with (SO_RCVMARK). A tunnel
 * created with a nonzero fwmark accepts only datagrams carrying that mark:
 * two clients behind one NAT share address and port, and the mark (their
 * IPsec SA) is what tells them apart (docs/ipsec-nat.md). The ops' data_rx
 * is this with has_mark false (no check).
 */
void dp_user_data_rx_mark(struct dataplane *dp, const uint8_t *msg, size_t len,
			  const struct sockaddr_storage *from, bool has_mark, uint32_t mark);

/* Send data messages with Ns/Nr (S bit) on this session: the LAC sent the
 * Sequencing Required AVP (RFC 2661 sections 4.4.6 and 5.4). */
void dp_user_session_set_send_seq(struct dataplane *dp, struct dp_session *s, bool on);

const struct dp_user_counters *dp_user_session_counters(struct dataplane *dp,
							 const struct dp_session *s);
/* Every drop of the dataplane by reason (those of sessions included, also
 * of sessions since deleted); DP_DROP_MAX entries. */
const uint64_t *dp_user_drops(struct dataplane *dp);
unsigned dp_user_session_count(const struct dataplane *dp);
/* The session a TUN fd belongs to, NULL if none (for tests and tools). */
struct dp_session *dp_user_session_by_fd(struct dataplane *dp, int fd);
int dp_user_session_fd(const struct dp_session *s);

/* shared mode: the one TUN fd (watched from create), else -1 */
int dp_user_shared_fd(const struct dataplane *dp);

/* Pure framing helpers (frame.c): no I/O, used by the paths above and by
 * the unit tests. */
#define DP_USER_L2TP_HDR_LEN	6	/* flags, tunnel, session: no L, S, O */
#define DP_USER_L2TP_SEQ_HDR_LEN 10	/* with Ns, Nr */
#define DP_USER_PPP_HDR_LEN	4	/* FF 03 and a two-octet protocol */
#define DP_USER_ENCAP_MAX	(DP_USER_L2TP_SEQ_HDR_LEN + DP_USER_PPP_HDR_LEN)

#define PPP_PROTOCOL_IP		0x0021
#define PPP_PROTOCOL_IPV6	0x0057

struct dp_ppp_frame {
	uint16_t protocol;
	bool pfc;			/* the protocol came as one octet */
	const uint8_t *proto_field;	/* the protocol field in the message */
	const uint8_t *payload;		/* after the protocol field */
	size_t payload_len;
};

/* Take a PPP frame apart: optional FF 03, one- or two-octet protocol.
 * false: not a usable frame, *why is DP_DROP_RX_EMPTY or DP_DROP_RX_BAD_PPP. */
bool dp_ppp_decap(const uint8_t *p, size_t len, struct dp_ppp_frame *f,
		  enum dp_user_drop *why);

/*
 * Write the L2TP data header (peer's ids, RFC 2661 section 3.1) and FF 03
 * into buf; with seq, also Ns and Nr. protocol nonzero: add the two-octet
 * protocol field too. Returns the length written, 0 if cap is too small.
 */
size_t dp_encap_header(uint8_t *buf, size_t cap, uint16_t peer_tunnel_id,
		       uint16_t peer_session_id, bool seq, uint16_t ns, uint16_t nr,
		       uint16_t protocol);

/* The PPP protocol for an IP packet by its version nibble, 0 if neither. */
uint16_t dp_ip_protocol(const uint8_t *pkt, size_t len);

#endif
