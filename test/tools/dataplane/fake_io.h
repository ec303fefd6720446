/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An in-memory struct dp_user_io for the unit tests, the fuzz target and
 * the in-process benchmark: TUN devices are numbers, packets written to
 * them are recorded (or discarded), packets to read are queued, sends are
 * captured. No kernel involved.
 */
#ifndef DP_USER_FAKE_IO_H
#define DP_USER_FAKE_IO_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_user.h"

#define FAKE_FD_BASE	1000
#define FAKE_MAX_PKT	2048
#define FAKE_QUEUE	256

struct fake_io {
	/* TUN side */
	int next_fd;
	int open_count, close_count;
	int last_closed_fd;
	int fail_open;			/* nonzero: tun_open returns this */
	char last_name[IFNAMSIZ];
	uint16_t last_mtu;		/* the last tun_open's or link_mtu's MTU */
	unsigned link_mtu_calls;
	bool record;			/* copy writes and sends (tests); off: count only */
	unsigned tun_writes;
	int last_write_fd;
	uint8_t last_write[FAKE_MAX_PKT];
	size_t last_write_len;
	int fail_write;
	/* packets queued for tun_read, any fd */
	int read_fd;
	uint8_t queue[FAKE_QUEUE][FAKE_MAX_PKT];
	size_t queue_len[FAKE_QUEUE];
	unsigned q_head, q_tail;
	unsigned reads;
	/* set_ip / route */
	unsigned set_ip_calls;
	bool last_ip4, last_ip6;
	struct dp_ip_params last_ip;
	int fail_set_ip;
	unsigned routes_added, routes_deleted;
	unsigned ip4_deleted;
	struct in_addr last_del_local, last_del_peer;
	int lan_ifindex;		/* what lan_interface answers; 0: -ENETUNREACH */
	int proxy_lan;			/* proxy entry: on which LAN, 0 none */
	struct in_addr proxy_addr;
	unsigned proxy_adds, proxy_dels;
	/* UDP side */
	unsigned sends;
	int last_send_fd;
	uint32_t last_mark;
	struct sockaddr_storage last_peer;
	socklen_t last_peer_len;
	uint8_t last_send[FAKE_MAX_PKT];
	size_t last_send_len;
	int fail_send;
	/* watch_fd callbacks */
	int watched, unwatched;
};

static inline int fake_tun_open(void *ctx, const char *name, uint16_t mtu, char *ifname,
				int *ifindex)
{
	struct fake_io *f = ctx;
	int fd;

	if (f->fail_open)
		return f->fail_open;
	fd = FAKE_FD_BASE + f->next_fd++;
	/* The kernel's %d substitution, good enough for a test. */
	if (strstr(name, "%d"))
		snprintf(ifname, IFNAMSIZ, "l2tp%d", fd - FAKE_FD_BASE);
	else
		snprintf(ifname, IFNAMSIZ, "%s", name);
	snprintf(f->last_name, sizeof(f->last_name), "%s", ifname);
	f->last_mtu = mtu;
	*ifindex = fd;
	f->open_count++;
	return fd;
}

static inline int fake_link_mtu(void *ctx, int ifindex, uint16_t mtu)
{
	struct fake_io *f = ctx;

	(void)ifindex;
	f->link_mtu_calls++;
	f->last_mtu = mtu;
	return 0;
}

static inline void fake_tun_close(void *ctx, int fd, int ifindex)
{
	struct fake_io *f = ctx;

	f->close_count++;
	f->last_closed_fd = fd;
}

static inline ssize_t fake_tun_read(void *ctx, int fd, uint8_t *buf, size_t cap)
{
	struct fake_io *f = ctx;
	size_t n;

	if (f->q_head == f->q_tail)
		return -EAGAIN;
	n = f->queue_len[f->q_head % FAKE_QUEUE];
	if (n > cap)
		n = cap;
	memcpy(buf, f->queue[f->q_head % FAKE_QUEUE], n);
	f->q_head++;
	f->reads++;
	f->read_fd = fd;
	return (ssize_t)n;
}

static inline ssize_t fake_tun_write(void *ctx, int fd, const uint8_t *pkt, size_t len)
{
	struct fake_io *f = ctx;

	if (f->fail_write)
		return f->fail_write;
	f->tun_writes++;
	f->last_write_fd = fd;
	if (f->record) {
		f->last_write_len = len < FAKE_MAX_PKT ? len : FAKE_MAX_PKT;
		memcpy(f->last_write, pkt, f->last_write_len);
	}
	return (ssize_t)len;
}

static inline int fake_set_ip(void *ctx, int ifindex, const struct dp_ip_params *ip,
			      bool ip4, bool ip6)
{
	struct fake_io *f = ctx;

	if (f->fail_set_ip)
		return f->fail_set_ip;
	f->set_ip_calls++;
	f->last_ip = *ip;
	f->last_ip4 = ip4;
	f->last_ip6 = ip6;
	return 0;
}

static inline int fake_route(void *ctx, int ifindex, struct in_addr dst, struct in_addr src,
			     bool add)
{
	struct fake_io *f = ctx;

	if (add)
		f->routes_added++;
	else
		f->routes_deleted++;
	return 0;
}

static inline int fake_del_ip4(void *ctx, int ifindex, struct in_addr local, struct in_addr peer)
{
	struct fake_io *f = ctx;

	f->ip4_deleted++;
	f->last_del_local = local;
	f->last_del_peer = peer;
	return 0;
}

static inline int fake_lan_interface(void *ctx, struct in_addr addr, int skip_ifindex)
{
	struct fake_io *f = ctx;

	return f->lan_ifindex ? f->lan_ifindex : -ENETUNREACH;
}

static inline int fake_proxy_neigh(void *ctx, int lan, struct in_addr addr, bool add)
{
	struct fake_io *f = ctx;

	if (add) {
		f->proxy_adds++;
		f->proxy_lan = lan;
		f->proxy_addr = addr;
	} else {
		f->proxy_dels++;
		if (f->proxy_lan == lan && f->proxy_addr.s_addr == addr.s_addr)
			f->proxy_lan = 0;
	}
	return 0;
}

static inline ssize_t fake_udp_send(void *ctx, int fd, const struct sockaddr *peer,
				    socklen_t peer_len, uint32_t fwmark,
				    const struct iovec *iov, int iovcnt)
{
	struct fake_io *f = ctx;
	size_t total = 0;

	if (f->fail_send)
		return f->fail_send;
	f->sends++;
	f->last_send_fd = fd;
	f->last_mark = fwmark;
	if (f->record) {
		memset(&f->last_peer, 0, sizeof(f->last_peer));
		memcpy(&f->last_peer, peer, peer_len);
		f->last_peer_len = peer_len;
	}
	for (int i = 0; i < iovcnt; i++) {
		if (f->record && total + iov[i].iov_len <= FAKE_MAX_PKT)
			memcpy(f->last_send + total, iov[i].iov_base, iov[i].iov_len);
		total += iov[i].iov_len;
	}
	f->last_send_len = total;
	return (ssize_t)total;
}

static inline void fake_queue_packet(struct fake_io *f, const uint8_t *pkt, size_t len)
{
	memcpy(f->queue[f->q_tail % FAKE_QUEUE], pkt, len);
	f->queue_len[f->q_tail % FAKE_QUEUE] = len;
	f->q_tail++;
}

static inline struct dp_user_io fake_io_ops(struct fake_io *f)
{
	struct dp_user_io io = {
		.ctx = f,
		.tun_open = fake_tun_open,
		.tun_close = fake_tun_close,
		.tun_read = fake_tun_read,
		.tun_write = fake_tun_write,
		.set_ip = fake_set_ip,
		.link_mtu = fake_link_mtu,
		.route = fake_route,
		.del_ip4 = fake_del_ip4,
		.lan_interface = fake_lan_interface,
		.proxy_neigh = fake_proxy_neigh,
		.udp_send = fake_udp_send,
	};
	return io;
}

static inline void fake_sockaddr4(struct sockaddr_storage *ss, const char *a, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	inet_pton(AF_INET, a, &in->sin_addr);
}

#endif
