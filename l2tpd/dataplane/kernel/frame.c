/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel data path: helpers without I/O (PPPoL2TP address, PPP frame
 * framing, the fd table).
 */
/* glibc before linux/ uapi headers: libc-compat.h then skips duplicates. */
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <linux/if_pppox.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dpk.h"
#include "ipv6_ll.h"

int dpk_pppol2tp_addr(struct sockaddr_storage *out, int udp_fd,
		      const struct sockaddr_storage *peer,
		      uint16_t tunnel_id, uint16_t session_id,
		      uint16_t peer_tunnel_id, uint16_t peer_session_id)
{
	memset(out, 0, sizeof(*out));
	/* l2tp_ppp.c tells the address structures apart by their length
	 * (pppol2tp_sockaddr_get_info): L2TPv2 over IPv4 or over IPv6. When
	 * the tunnel exists (created over netlink) only the ids are used; the
	 * fd and address must still be those of the tunnel's socket, as pppd's
	 * pppol2tp plugin passes them. */
	if (peer->ss_family == AF_INET) {
		struct sockaddr_pppol2tp *sa = (struct sockaddr_pppol2tp *)out;

		_Static_assert(sizeof(*sa) <= sizeof(*out), "sockaddr_pppol2tp fits");
		sa->sa_family = AF_PPPOX;
		sa->sa_protocol = PX_PROTO_OL2TP;
		sa->pppol2tp.pid = 0;            /* 0: the fd is ours (current process) */
		sa->pppol2tp.fd = udp_fd;
		memcpy(&sa->pppol2tp.addr, peer, sizeof(struct sockaddr_in));
		sa->pppol2tp.s_tunnel = tunnel_id;
		sa->pppol2tp.s_session = session_id;
		sa->pppol2tp.d_tunnel = peer_tunnel_id;
		sa->pppol2tp.d_session = peer_session_id;
		return (int)sizeof(*sa);
	}
	if (peer->ss_family == AF_INET6) {
		struct sockaddr_pppol2tpin6 *sa = (struct sockaddr_pppol2tpin6 *)out;

		_Static_assert(sizeof(*sa) <= sizeof(*out), "sockaddr_pppol2tpin6 fits");
		sa->sa_family = AF_PPPOX;
		sa->sa_protocol = PX_PROTO_OL2TP;
		sa->pppol2tp.pid = 0;
		sa->pppol2tp.fd = udp_fd;
		memcpy(&sa->pppol2tp.addr, peer, sizeof(struct sockaddr_in6));
		sa->pppol2tp.s_tunnel = tunnel_id;
		sa->pppol2tp.s_session = session_id;
		sa->pppol2tp.d_tunnel = peer_tunnel_id;
		sa->pppol2tp.d_session = peer_session_id;
		return (int)sizeof(*sa);
	}
	return -EAFNOSUPPORT;
}

int dpk_frame_start(const uint8_t *buf, size_t len)
{
	size_t off = 0;

	/* RFC 1662 section 3.1: Address 0xff, Control 0x03. l2tp_ppp strips
	 * them on receive already; a peer may still send them twice over, or
	 * a future kernel may not strip. The pair is unambiguous: a two-octet
	 * protocol field never starts with an odd octet (RFC 1661 section 2),
	 * and 0xff is odd. */
	if (len >= 2 && buf[0] == 0xff && buf[1] == 0x03)
		off = 2;
	/* The protocol field: two octets, or one with Protocol-Field-
	 * Compression (RFC 1661 section 6.5): its least significant bit is 1. */
	if (off >= len)
		return -1;
	if ((buf[off] & 1) == 0 && len - off < 2)
		return -1;
	return (int)off;
}

enum dpk_fd_kind dpk_send_via(const uint8_t *frame, size_t len)
{
	unsigned proto;

	if (len >= 2 && (frame[0] & 1) == 0)
		proto = (unsigned)frame[0] << 8 | frame[1];
	else if (len >= 1)
		proto = frame[0];     /* compressed: always < 0x100, an NCP or data */
	else
		return DPK_FD_CHANNEL;
	/* ppp_generic.c ppp_input(): a channel attached to a unit keeps only
	 * protocols >= 0xc000 (LCP, PAP, CHAP, EAP...) and CCP fragments on
	 * the channel's queue; everything else belongs to the unit. pppd sends
	 * the same way (sys-linux.c output()): NCP frames through the unit,
	 * so they pass the unit's compressor state like the data. */
	if (proto >= 0xc000 || proto == 0x80fb /* PPP_CCPFRAG */)
		return DPK_FD_CHANNEL;
	return DPK_FD_UNIT;
}

int dpk_send_fd(int pppox_fd, int chan_fd, int unit_fd, const uint8_t *frame, size_t len)
{
	/* Before the grant there is no channel fd: the session's frames go
	 * through its PPPoL2TP socket (pppol2tp_sendmsg()), NCPs included
	 * (none should be sent then, RFC 1661 section 3.5). */
	if (chan_fd < 0)
		return pppox_fd;
	/* A channel fd without a unit (its making failed): the channel
	 * takes any protocol (ppp_write() on a channel). */
	if (dpk_send_via(frame, len) == DPK_FD_UNIT && unit_fd >= 0)
		return unit_fd;
	return chan_fd;
}

static void add_sat(uint32_t *v, uint64_t n)
{
	*v = n > UINT32_MAX - *v ? UINT32_MAX : *v + (uint32_t)n;
}

void dpk_ncp_count_add(struct dpk_ncp_count *c, int tx, size_t len)
{
	/* ppp_generic: rx_bytes/tx_bytes += skb->len - 2, the protocol
	 * field not counted (RFC 1661 section 2). */
	uint64_t bytes = len >= 2 ? len - 2 : 0;

	if (tx) {
		add_sat(&c->tx_frames, 1);
		add_sat(&c->tx_bytes, bytes);
	} else {
		add_sat(&c->rx_frames, 1);
		add_sat(&c->rx_bytes, bytes);
	}
}

static uint64_t less(uint64_t v, uint32_t n)
{
	return v > n ? v - n : 0;
}

void dpk_data_stats(struct dp_stats *st, const struct dpk_ncp_count *c)
{
	st->rx_packets = less(st->rx_packets, c->rx_frames);
	st->rx_bytes = less(st->rx_bytes, c->rx_bytes);
	st->tx_packets = less(st->tx_packets, c->tx_frames);
	st->tx_bytes = less(st->tx_bytes, c->tx_bytes);
}

void dpk_ipv6_link_local(uint64_t ifid, struct in6_addr *out)
{
	ipv6_link_local(ifid, out->s6_addr);	/* RFC 5072 section 5 (lib) */
}

int dpk_fdtab_set(struct dpk_fdtab *t, int fd, struct dp_session *s, uint32_t serial,
		  enum dpk_fd_kind kind)
{
	if (fd < 0)
		return -EBADF;
	if ((size_t)fd >= t->len) {
		size_t n = t->len ? t->len : 64;
		struct dpk_fd_entry *v;

		while (n <= (size_t)fd)
			n *= 2;
		v = realloc(t->v, n * sizeof(*v));
		if (!v)
			return -ENOMEM;
		memset(v + t->len, 0, (n - t->len) * sizeof(*v));
		t->v = v;
		t->len = n;
	}
	t->v[fd].session = s;
	t->v[fd].serial = serial;
	t->v[fd].kind = (uint8_t)kind;
	return 0;
}

const struct dpk_fd_entry *dpk_fdtab_get(const struct dpk_fdtab *t, int fd)
{
	if (fd < 0 || (size_t)fd >= t->len || t->v[fd].kind == 0)
		return NULL;
	return &t->v[fd];
}

void dpk_fdtab_del(struct dpk_fdtab *t, int fd)
{
	if (fd >= 0 && (size_t)fd < t->len)
		memset(&t->v[fd], 0, sizeof(t->v[fd]));
}

void dpk_fdtab_free(struct dpk_fdtab *t)
{
	free(t->v);
	t->v = NULL;
	t->len = 0;
}
