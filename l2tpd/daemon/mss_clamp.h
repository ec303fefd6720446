/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP MSS clamping on the session links (docs/operations.md, "The link's
 * MTU"): a TCP connection through the tunnel must never send segments
 * that only fit as IP fragments, since fragmented ESP is what NATs and
 * firewalls drop (a black hole: the handshake works, the transfer stalls).
 * One nftables table, `inet l2tpd_mss`, in the forward hook:
 *  - SYNs leaving through a session link get the route's MSS (`rt mtu`:
 *    the link's MTU minus the headers), so a server on the LAN never sends
 *    the client more than fits;
 *  - SYNs coming from a client with a larger MSS than the link carries are
 *    lowered to it (a client that ignored the MRU we asked for).
 * Session links are matched by name: l2tp* (userspace TUNs), ppp* (kernel
 * ppp units; another PPP link of the host is clamped to its own route MTU,
 * which does it no harm) and the shared TUN's name.
 *
 * A session whose device has a smaller MTU of its own (RADIUS Framed-MTU)
 * has an element in the verdict map `framed_mtu` (its interface name ->
 * jump mtu_<MTU>): the client's SYNs are lowered to that MTU's MSS first,
 * then meet the link's rules, which only ever lower. One chain per MTU
 * value in use, left until the table goes (a handful of values).
 */
#ifndef L2TPD_MSS_CLAMP_H
#define L2TPD_MSS_CLAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSS_CLAMP_TABLE "l2tpd_mss"

struct mss_clamp_config {
	bool on;
	uint16_t link_mtu;		/* the smallest session link MTU */
	const char *shared_ifname;	/* the shared TUN's name, or NULL */
};

/* The nft commands that replace the table (pure). Length, or -1. */
int mss_clamp_render(const struct mss_clamp_config *c, char *buf, size_t len);

struct mss_clamp;
/* Install or replace (or, when off, remove). 0, or -1 with err. */
int mss_clamp_apply(struct mss_clamp **mc, const struct mss_clamp_config *c, char *err,
		    size_t errlen);
void mss_clamp_free(struct mss_clamp *mc);

/* The commands that add (or remove) a session device's own MTU (pure):
 * its chain made or refreshed and its map element, in one transaction.
 * Length, or -1 (buffer too small, a name nft cannot take). */
int mss_clamp_render_session(const char *ifname, uint16_t mtu, bool add, char *buf,
			     size_t len);
/* Apply them; nothing when the clamp is off (mc NULL or not active). 0, or
 * -1 with err. */
int mss_clamp_session(struct mss_clamp *mc, const char *ifname, uint16_t mtu, bool add,
		      char *err, size_t errlen);

#endif
