/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "udp_opts.h"

#ifndef SO_RCVMARK
#define SO_RCVMARK 75	/* Linux 6.0; glibc may not know it yet */
#endif

void net_to_l2tp_addr(const struct sockaddr_storage *ss, struct l2tp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		a->family = AF_INET;
		a->port = ntohs(sin->sin_port);
		memcpy(a->addr, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		a->family = AF_INET6;
		a->port = ntohs(sin6->sin6_port);
		memcpy(a->addr, &sin6->sin6_addr, 16);
	}
}

void net_from_l2tp_addr(const struct l2tp_addr *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		*len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->addr, 4);
		*len = sizeof(*sin);
	}
}

const char *net_addr_str(const struct l2tp_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->addr, ip, sizeof(ip));
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "%s:%u", ip, a->port);
	return buf;
}

static int common_opts(int fd, int family)
{
	/* Both best effort, said once per process. */
	static bool said_rcvbuf, said_rcvmark;
	unsigned missing = 0;

	if (dp_udp_opts(fd, family, &missing))
		return -1;
	if ((missing & DP_UDP_NO_RCVBUF) && !said_rcvbuf) {
		said_rcvbuf = true;
		log_warn("UDP receive buffer not enlarged: %s", strerror(errno));
	}
	if ((missing & DP_UDP_NO_RCVMARK) && !said_rcvmark) {
		said_rcvmark = true;
		log_warn("SO_RCVMARK not available (%s): two clients behind one NAT cannot be "
			 "told apart", strerror(errno));
	}
	return 0;
}

int net_listen_udp(const struct sockaddr_storage *addr, uint16_t port, int *wildcard)
{
	struct sockaddr_storage ss = *addr;
	socklen_t len;
	int fd;

	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_port = htons(port);
		*wildcard = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
		len = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_port = htons(port);
		*wildcard = sin->sin_addr.s_addr == htonl(INADDR_ANY);
		len = sizeof(*sin);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -1;
	if (common_opts(fd, ss.ss_family) || bind(fd, (struct sockaddr *)&ss, len)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ssize_t net_recv(int fd, uint8_t *buf, size_t cap, struct l2tp_addr *peer,
		 struct l2tp_addr *local, struct sockaddr_storage *from)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint32_t)) + 64];
		struct cmsghdr align;
	} control;
	struct iovec iov = { buf, cap };
	struct msghdr msg = {
		.msg_name = from, .msg_namelen = sizeof(*from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	ssize_t n;

	n = recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = EMSGSIZE;
		return -1;
	}
	net_to_l2tp_addr(from, peer);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->family = AF_INET;
			memcpy(local->addr, &pi.ipi_addr, 4);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			local->family = AF_INET6;
			memcpy(local->addr, &pi.ipi6_addr, 16);
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_MARK) {
			memcpy(&peer->mark, CMSG_DATA(c), sizeof(uint32_t));
		}
	}
	return n ? n : -1;	/* an empty datagram is malformed for L2TP */
}

int net_send(int fd, const struct l2tp_addr *peer, const struct l2tp_addr *local,
	     int set_source, const uint8_t *buf, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(uint32_t))];
		struct cmsghdr align;
	} control;
	struct sockaddr_storage to;
	socklen_t tolen;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	size_t used = 0;

	net_from_l2tp_addr(peer, &to, &tolen);
	msg.msg_name = &to;
	msg.msg_namelen = tolen;
	memset(&control, 0, sizeof(control));
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	c = CMSG_FIRSTHDR(&msg);
	if (set_source && local->family == AF_INET) {
		struct in_pktinfo pi = { 0 };
		memcpy(&pi.ipi_spec_dst, local->addr, 4);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		used += CMSG_SPACE(sizeof(pi));
		c = CMSG_NXTHDR(&msg, c);
	} else if (set_source && local->family == AF_INET6) {
		struct in6_pktinfo pi = { 0 };
		memcpy(&pi.ipi6_addr, local->addr, 16);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		used += CMSG_SPACE(sizeof(pi));
		c = CMSG_NXTHDR(&msg, c);
	}
	/* Mark 0 is "unknown", never a mark to send with (design notes). */
	if (peer->mark && c) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SO_MARK;
		c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		memcpy(CMSG_DATA(c), &peer->mark, sizeof(uint32_t));
		used += CMSG_SPACE(sizeof(uint32_t));
	}
	msg.msg_controllen = used;
	if (!used)
		msg.msg_control = NULL;
	return sendmsg(fd, &msg, MSG_DONTWAIT) < 0 ? -1 : 0;
}

int net_send6_on_link(int fd, const struct sockaddr_in6 *to, const uint8_t src[16], int ifindex,
		      const void *buf, size_t len)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = (void *)to, .msg_namelen = sizeof(*to),
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };

	memset(&ctl, 0, sizeof(ctl));
	memcpy(&pi.ipi6_addr, src, 16);
	ctl.h.cmsg_level = IPPROTO_IPV6;
	ctl.h.cmsg_type = IPV6_PKTINFO;
	ctl.h.cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(&ctl.h), &pi, sizeof(pi));
	return sendmsg(fd, &mh, MSG_DONTWAIT) == (ssize_t)len ? 0 : -1;
}

ssize_t net_recv_on_link(int fd, void *buf, size_t cap, void *from, socklen_t fromlen,
			 int *ifindex)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo))];	/* the larger */
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_name = from, .msg_namelen = fromlen,
			     .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

	*ifindex = 0;
	if (n < 0)
		return NET_RECV_NONE;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			*ifindex = (int)pi.ipi6_ifindex;
		}
	}
	/* MSG_TRUNC: the datagram was longer than the buffer */
	return (mh.msg_flags & MSG_TRUNC) ? NET_RECV_TOO_LONG : n;
}

int net_listen_unix(const char *path, int type, int backlog, unsigned mode)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	char *slash;
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0750);
	}
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	old = umask(0777 & ~(mode_t)mode);
	rc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc || listen(fd, backlog)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}
