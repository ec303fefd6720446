/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Framed routes: the networks behind a client (a user's `routes` in the
 * policy file, RADIUS Framed-Route in RRAS terms), routed through that
 * client's session interface while IPCP is up.
 *
 * One rtnetlink socket for the daemon (lib/rtnl, the one client). Routes are added with
 * protocol "static" and link scope through the session's interface (the
 * link is point-to-point: no gateway needed), and removed when the session
 * ends; the kernel would drop them with the interface anyway, but the
 * shared TUN of the userspace path outlives its sessions, and a route must
 * never outlive the session that justified it.
 */
#ifndef L2TPD_ROUTES_H
#define L2TPD_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct routes;

/* 0, or -errno (no rtnetlink socket: framed routes cannot be installed). */
int routes_open(struct routes **out);
void routes_close(struct routes *r);

/* Add (add = true) or remove each prefix through ifindex, in main.
 * Returns how many succeeded; on the first failure `err` names the prefix
 * and the reason and the rest are still tried (a route already there is
 * replaced, a route already gone counts as removed). */
size_t routes_apply(struct routes *r, int ifindex, const struct policy_prefix *p, size_t n,
		    bool add, char *err, size_t errlen);

/* "10.1.0.0/24 via l2tp7", for log lines. */
void routes_format(const struct policy_prefix *p, char *buf, size_t len);

#endif
