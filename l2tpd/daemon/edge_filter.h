/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Internet-side filter (docs/operations.md, "The Internet-side
 * filter"): what the Windows VPN server's set-up wizard installs as static
 * packet filters on the Internet-facing interface, through nftables. On the
 * named interfaces only IKE (UDP 500), NAT-T (UDP 4500), ESP and L2TP that
 * came through IPsec reach the host; with `icmp = yes` also ping; replies
 * to the host's own connections, DHCP replies and IPv6 neighbour discovery
 * always. Everything else is dropped and counted. Forwarded traffic is not
 * touched: what clients may reach is the profiles' filters' business.
 *
 * Own table `inet l2tpd_edge`, replaced whole on every apply (one nft
 * transaction: never a moment without the filter) and deleted at stop.
 */
#ifndef L2TPD_EDGE_FILTER_H
#define L2TPD_EDGE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EDGE_FILTER_TABLE "l2tpd_edge"
#define EDGE_FILTER_MAX_IF 4
#define EDGE_FILTER_IFNAMSIZ 16

struct edge_filter_config {
	char interfaces[EDGE_FILTER_MAX_IF][EDGE_FILTER_IFNAMSIZ];
	unsigned n_interfaces;		/* 0: no filter */
	bool icmp;			/* answer ping (ICMP/ICMPv6 echo) on them */
	bool l2tp_needs_ipsec;		/* require_ipsec: L2TP only after ESP */
	uint16_t l2tp_port;
};

/* An interface name nft and the kernel take: 1-15 of [A-Za-z0-9_.:@-]. */
bool edge_filter_ifname_ok(const char *name);

/* The nft commands that replace the table (pure; for tests). Length, or -1
 * when buf is too small. */
int edge_filter_render(const struct edge_filter_config *c, char *buf, size_t len);

struct edge_filter;

/* Install (or replace) the filter; with no interfaces, remove it. 0 or -1
 * with the reason in err. *ef is made on first use. */
int edge_filter_apply(struct edge_filter **ef, const struct edge_filter_config *c, char *err,
		      size_t errlen);
/* Packets dropped since the table was made; -1 if unknown. */
int edge_filter_dropped(struct edge_filter *ef, uint64_t *packets);
bool edge_filter_active(const struct edge_filter *ef);
/* Remove the table (if ours) and free. */
void edge_filter_free(struct edge_filter *ef);

#endif
