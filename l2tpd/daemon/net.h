/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP sockets of the daemon: listeners on port 1701, receive with the local
 * address (IP_PKTINFO) and the IPsec SA's mark (SO_RCVMARK, see
 * docs/ipsec-nat.md: two clients behind one NAT differ only in mark), send
 * from the right local address with the peer's mark.
 */
#ifndef L2TPD_NET_H
#define L2TPD_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "l2tp.h"

int net_listen_udp(const struct sockaddr_storage *addr, uint16_t port, int *wildcard);
/* Receive one datagram; returns its length, 0 when none is waiting, -1 on error. */
ssize_t net_recv(int fd, uint8_t *buf, size_t cap, struct l2tp_addr *peer,
		 struct l2tp_addr *local, struct sockaddr_storage *from);
int net_send(int fd, const struct l2tp_addr *peer, const struct l2tp_addr *local,
	     int set_source, const uint8_t *buf, size_t len);
/* One IPv6 datagram to `to` out of interface ifindex from our address src
 * there (IPV6_PKTINFO): a client's PPP link, where the client answers
 * only its link's address (router advertisements, DHCPv6). 0 when all
 * len octets went, -1 otherwise. */
struct sockaddr_in6;
int net_send6_on_link(int fd, const struct sockaddr_in6 *to, const uint8_t src[16], int ifindex,
		      const void *buf, size_t len);

/* One datagram waiting on fd, with the index of the interface it came in
 * on (IP_PKTINFO or IPV6_PKTINFO, whichever the socket asked for; 0 when
 * neither came): which client link a DHCP or DHCPv6 message is from.
 * from/fromlen: the sender's address (a sockaddr_in or sockaddr_in6).
 * Returns the datagram's length; NET_RECV_NONE when nothing is waiting
 * (or on an error); NET_RECV_TOO_LONG for one longer than cap, which is
 * dropped (the caller counts it). */
enum { NET_RECV_NONE = -1, NET_RECV_TOO_LONG = -2 };
ssize_t net_recv_on_link(int fd, void *buf, size_t cap, void *from, socklen_t fromlen,
			 int *ifindex);

/* A listening unix socket at path (its folder made 0750 if missing, a
 * stale socket file replaced), created with permissions `mode` from the
 * start (umask during bind: no window with wider ones). Returns the fd,
 * or -1 with errno (ENAMETOOLONG for a path sun_path cannot hold). */
int net_listen_unix(const char *path, int type, int backlog, unsigned mode);

void net_to_l2tp_addr(const struct sockaddr_storage *ss, struct l2tp_addr *a);
void net_from_l2tp_addr(const struct l2tp_addr *a, struct sockaddr_storage *ss, socklen_t *len);
/* "192.0.2.1:1701"; buf of at least 64. */
const char *net_addr_str(const struct l2tp_addr *a, char *buf, size_t len);

#endif
