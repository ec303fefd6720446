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
/* A socket bound to local and connected to peer (kernel data path). */
int net_connected_udp(const struct l2tp_addr *local, const struct l2tp_addr *peer);
/* Receive one datagram; returns its length, 0 when none is waiting, -1 on error. */
ssize_t net_recv(int fd, uint8_t *buf, size_t cap, struct l2tp_addr *peer,
		 struct l2tp_addr *local, struct sockaddr_storage *from);
int net_send(int fd, const struct l2tp_addr *peer, const struct l2tp_addr *local,
	     int set_source, const uint8_t *buf, size_t len);

/*
 * The kernel data path's tunnels by UDP 4-tuple (local and peer address and
 * port; marks play no part). Linux before 6.10 hands a datagram to one
 * socket per 4-tuple and looks its session up in that socket's tunnel only
 * (l2tp_udp_recv_core), so a second kernel tunnel from the same NAT address
 * and port would never get its data (docs/ipsec-nat.md). O(1) per call.
 */
struct net_tuple;
struct net_tuples {
	struct net_tuple **buckets;
	size_t cap, count;
	uint32_t seed;		/* hash start, drawn at the first claim (lib/fnv.h) */
};
/* Record tunnel id for the 4-tuple: 0 done; the id of the tunnel that has
 * it already (nothing recorded); -1 out of memory. */
int net_tuples_claim(struct net_tuples *s, const struct l2tp_addr *local,
		     const struct l2tp_addr *peer, uint16_t id);
/* Forget the 4-tuple if tunnel id holds it. */
void net_tuples_release(struct net_tuples *s, const struct l2tp_addr *local,
			const struct l2tp_addr *peer, uint16_t id);
void net_tuples_free(struct net_tuples *s);

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
