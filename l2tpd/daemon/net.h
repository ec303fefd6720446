/*
 * UDP sockets of the daemon: listeners on port 1701, receive with the local
 * address (IP_PKTINFO) and the IPsec SA's mark (SO_RCVMARK, see
 * shared/design.md: two clients behind one NAT differ only in mark), send
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

void net_to_l2tp_addr(const struct sockaddr_storage *ss, struct l2tp_addr *a);
void net_from_l2tp_addr(const struct l2tp_addr *a, struct sockaddr_storage *ss, socklen_t *len);
/* "192.0.2.1:1701"; buf of at least 64. */
const char *net_addr_str(const struct l2tp_addr *a, char *buf, size_t len);

#endif
