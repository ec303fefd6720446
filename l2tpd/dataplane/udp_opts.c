/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The options of every L2TP UDP socket: see udp_opts.h. */
#include "udp_opts.h"

#include <netinet/in.h>
#include <sys/socket.h>

#ifndef SO_RCVMARK
#define SO_RCVMARK 75	/* Linux 6.0; glibc may not know it yet */
#endif

int dp_udp_opts(int fd, int family, unsigned *missing)
{
	int one = 1;

	/* Several sockets share port 1701: the listeners and, on the kernel
	 * path, one connected socket per tunnel (the most specific wins). */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return -1;
	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)))
			return -1;
	} else {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
			return -1;
	}
	/* A burst of logins (a site's VPN coming back) must not overflow the
	 * default ~208 KiB buffer: each lost datagram costs a 3 s PPP or
	 * L2TP retransmission. FORCE needs CAP_NET_ADMIN, which we keep. */
	int rcvbuf = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		*missing |= DP_UDP_NO_RCVBUF;
	/* The mark of the IPsec SA a datagram came through; an old kernel
	 * without it still works, without the two-clients-behind-NAT case. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVMARK, &one, sizeof(one)))
		*missing |= DP_UDP_NO_RCVMARK;
	return 0;
}
