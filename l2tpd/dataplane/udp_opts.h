/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options every L2TP UDP socket gets, written once: the daemon's
 * listeners and the kernel data path's per-tunnel sockets (the daemon reads
 * both the same way: local address from IP_PKTINFO, the IPsec SA's mark
 * from SO_RCVMARK, docs/ipsec-nat.md).
 */
#ifndef L2TPD_DP_UDP_OPTS_H
#define L2TPD_DP_UDP_OPTS_H

/* Best-effort options that could not be set (dp_udp_opts' *missing). */
enum {
	DP_UDP_NO_RCVBUF = 1u << 0,	/* the receive buffer is not enlarged */
	DP_UDP_NO_RCVMARK = 1u << 1,	/* no SO_RCVMARK (kernel before 6.0) */
};

/* SO_REUSEADDR, IP_PKTINFO or IPV6_RECVPKTINFO and IPV6_V6ONLY: 0, or -1
 * with errno. Then an 8 MiB receive buffer and SO_RCVMARK, best effort:
 * what failed is or-ed into *missing (errno tells why). */
int dp_udp_opts(int fd, int family, unsigned *missing);

#endif
