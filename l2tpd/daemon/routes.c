/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Framed routes through a session's interface (routes.h). */
#include "routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>

struct routes {
	struct nl_sock *nl;
};

int routes_open(struct routes **out)
{
	struct routes *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->nl = nl_socket_alloc();
	if (!r->nl) {
		free(r);
		return -ENOMEM;
	}
	err = nl_connect(r->nl, NETLINK_ROUTE);
	if (err < 0) {
		nl_socket_free(r->nl);
		free(r);
		return -EIO;
	}
	*out = r;
	return 0;
}

void routes_close(struct routes *r)
{
	if (!r)
		return;
	nl_socket_free(r->nl);
	free(r);
}

void routes_format(const struct policy_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (p->ip.family == AF_INET || p->ip.family == AF_INET6)
		inet_ntop(p->ip.family, p->ip.bytes, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static int route_one(struct routes *r, int ifindex, const struct policy_prefix *p, bool add)
{
	int alen = p->ip.family == AF_INET ? 4 : p->ip.family == AF_INET6 ? 16 : 0;
	struct rtnl_route *rt = NULL;
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *dst = NULL;
	int err = -NLE_NOMEM;

	if (!alen || p->len > alen * 8)
		return -NLE_INVAL;
	rt = rtnl_route_alloc();
	nh = rtnl_route_nh_alloc();
	dst = nl_addr_build(p->ip.family, p->ip.bytes, (size_t)alen);
	if (!rt || !nh || !dst)
		goto out;
	nl_addr_set_prefixlen(dst, p->len);
	rtnl_route_set_family(rt, p->ip.family);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	rtnl_route_set_scope(rt, RT_SCOPE_LINK);
	rtnl_route_set_protocol(rt, RTPROT_STATIC);
	rtnl_route_set_type(rt, RTN_UNICAST);
	rtnl_route_set_dst(rt, dst);
	rtnl_route_nh_set_ifindex(nh, ifindex);
	rtnl_route_add_nexthop(rt, nh);
	nh = NULL;	/* the route owns it now */
	if (add) {
		/* REPLACE: a second session of the same user (max_sessions > 1)
		 * takes the route over; the last one up wins, as with RRAS. */
		err = rtnl_route_add(r->nl, rt, NLM_F_CREATE | NLM_F_REPLACE);
	} else {
		/* Only our route: the interface is part of the match, so a
		 * newer session's route for the same prefix stays. */
		err = rtnl_route_delete(r->nl, rt, 0);
		if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
			err = 0;
	}
out:
	if (nh)
		rtnl_route_nh_free(nh);
	if (rt)
		rtnl_route_put(rt);
	if (dst)
		nl_addr_put(dst);
	return err;
}

size_t routes_apply(struct routes *r, int ifindex, const struct policy_prefix *p, size_t n,
		    bool add, char *err, size_t errlen)
{
	size_t ok = 0;
	bool reported = false;

	if (errlen)
		err[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int rc = r ? route_one(r, ifindex, &p[i], add) : -NLE_BAD_SOCK;
		char pfx[64];

		if (rc == 0) {
			ok++;
			continue;
		}
		if (!reported && errlen) {
			routes_format(&p[i], pfx, sizeof(pfx));
			snprintf(err, errlen, "%s: %s", pfx, nl_geterror(rc));
			reported = true;
		}
	}
	return ok;
}
