/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Proxy ARP per pool (docs/addresses.md "Clients on the LAN subnet"):
 * whether the host answers ARP on the LAN for the clients of a pool, so
 * that LAN hosts reach them with no route of their own, as a Windows RRAS
 * server does when its clients' addresses are on the office subnet.
 *
 * Decided once per pool when the policy is loaded or reloaded, never per
 * session: `proxy_arp = yes` or `no` as said; `auto` (the default) is on
 * for a DHCP pool (its addresses are the LAN's by nature) and for a static
 * pool whose IPv4 ranges lie inside one directly connected subnet of a
 * LAN interface of this host (lib/rtnl's rtnl_connected_subnets), off
 * otherwise. A session takes its pool's answer when it is granted; the
 * data plane then adds the proxy neighbour entry on the LAN that the
 * route to the client's address goes through, and removes it when the
 * session ends (dataplane.h, dp_ip_params.proxy_arp).
 */
#ifndef L2TPD_PROXYARP_H
#define L2TPD_PROXYARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>

#include "policy.h"
#include "rtnl.h"

struct server;

#define PROXYARP_NO_POOL UINT16_MAX	/* struct session.pool4: no pool */

/* An IPv4 range of a pool, host order, first <= last. */
struct proxyarp_range {
	uint32_t first, last;
};

/* The subnet of s[] that holds every range (the longest prefix, as the
 * route lookup would pick), or -1: none, or no range at all. Pure. */
int proxyarp_subnet_of(const struct proxyarp_range *r, size_t nr, const struct rtnl_subnet *s,
		       size_t ns);

struct proxyarp_choice {
	bool on;
	int subnet;		/* index in s[] where the clients will be answered, -1: unknown */
};

/* One pool's decision from its key, its kind (dhcp_if: the DHCP pool's
 * interface, NULL for a static pool), its IPv4 ranges and the host's
 * connected subnets. Pure: the unit tests hand it a made-up host. */
struct proxyarp_choice proxyarp_decide(enum policy_proxy_arp mode, const char *dhcp_if,
				       const struct proxyarp_range *r, size_t nr,
				       const struct rtnl_subnet *s, size_t ns);

/* Decide for every pool of srv->policy (start, and after a reload has
 * swapped the policy in), keep the answers in srv and log, per pool that
 * answers ARP, on which interface. */
void proxyarp_load(struct server *srv);
/* After a reload swapped `old` for srv->policy: decide for the new pools
 * (proxyarp_load), follow each session's pool by name into the new file,
 * and turn proxy ARP on or off for the sessions up whose pool changed its
 * answer (both ways: the entry is added or removed now, not at the next
 * login). A session whose pool is gone keeps what it has. */
void proxyarp_reload(struct server *srv, const policy_t *old);
/* l2tpd --check: what the daemon would decide on this host, one line per
 * pool that answers ARP (and warnings) to out. */
void proxyarp_check(const policy_t *p, FILE *out);
/* Whether sessions with an address of this pool get proxy ARP. */
bool proxyarp_pool(const struct server *srv, int pool_index);
/* A static address (a user's or a profile's static_ipv4, no pool): as
 * `auto`, on when it is a host address of a connected subnet read at the
 * last load (no kernel call: O(subnets) at the grant). */
bool proxyarp_static(const struct server *srv, struct in_addr addr);
void proxyarp_free(struct server *srv);

#endif
