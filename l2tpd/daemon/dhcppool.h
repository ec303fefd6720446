/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCP pools in the daemon (docs/addresses.md, "DHCP pools"): one lease
 * engine (dhcp/lease_client.h) per DHCP pool of the policy, with its UDP
 * socket on the pool's LAN interface and one timer in the server's heap.
 * The policy reaches the leases through its lease source: an address is
 * taken when a login is granted and given back when the session ends.
 * Pools outlive a policy reload when their name and interface stay.
 */
#ifndef L2TPD_DHCPPOOL_H
#define L2TPD_DHCPPOOL_H

#include <stdint.h>
#include <stdio.h>

#include "policy.h"

struct server;
struct timer_node;

/* After the policy is loaded or reloaded: start new DHCP pools, keep
 * those that stay (their leases with them), retire those gone (released
 * now, or when their last session ends), and point the policy's lease
 * source at them. */
void dhcppools_sync(struct server *srv);
/* At exit, after the sessions: every lease released, everything freed. */
void dhcppools_free(struct server *srv);
/* l2tpd --check: a line on `out` for each DHCP pool whose interface is
 * missing or has no IPv4 address here (a warning: it may come later).
 * Returns the number of such pools. */
int dhcppools_check(const policy_t *p, FILE *out);
/* The Prometheus families of DHCP pools (metrics.c), when there are any. */
struct strbuf;
void dhcppools_render_metrics(struct server *srv, struct strbuf *b);
/* A timer of kind SERVER_TIMER_DHCP fired. */
void dhcppool_timer_fired(struct server *srv, struct timer_node *n, uint64_t now);

#endif
