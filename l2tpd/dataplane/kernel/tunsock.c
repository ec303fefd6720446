/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel tunnel's own UDP socket (dpk.h). The kernel binds a tunnel to
 * a socket and takes both addresses from it, and sends on it only while it
 * is connected (l2tp_xmit_skb() drops otherwise): one connected socket per
 * tunnel. Control messages for the tunnel then arrive on it too, so the
 * daemon reads it (tunnel_fd) with the options of its listeners.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dpk.h"
#include "udp_opts.h"

static socklen_t sa_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int dpk_tunnel_socket(const struct sockaddr_storage *local, const struct sockaddr_storage *peer,
		      uint32_t fwmark)
{
	unsigned missing = 0;
	int fd, e;

	if ((local->ss_family != AF_INET && local->ss_family != AF_INET6) ||
	    peer->ss_family != local->ss_family)
		return -EAFNOSUPPORT;
	fd = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	/* The kernel sends the tunnel's data on this socket: with a mark per
	 * IPsec SA (mark_out = %unique, docs/ipsec-nat.md) it must carry the
	 * SA's mark, or it matches no policy (or another client's). Mark 0 is
	 * "unknown", never set. Needs CAP_NET_ADMIN, which l2tpd keeps. The
	 * best-effort options were reported for the listeners already. */
	if (dp_udp_opts(fd, local->ss_family, &missing) ||
	    (fwmark && setsockopt(fd, SOL_SOCKET, SO_MARK, &fwmark, sizeof(fwmark))) ||
	    bind(fd, (const struct sockaddr *)local, sa_len(local)) ||
	    connect(fd, (const struct sockaddr *)peer, sa_len(peer))) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

const char *dpk_addr_str(const struct sockaddr_storage *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)a;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const void *)a;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(s4->sin_port));
	}
	return buf;
}

void dpk_to_l2tp_addr(const struct sockaddr_storage *ss, struct l2tp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		a->family = AF_INET6;
		a->port = ntohs(s6->sin6_port);
		memcpy(a->addr, &s6->sin6_addr, 16);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		a->family = AF_INET;
		a->port = ntohs(s4->sin_port);
		memcpy(a->addr, &s4->sin_addr, 4);
	}
}
