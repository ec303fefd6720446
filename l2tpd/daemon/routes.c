/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Framed routes through a session's interface (routes.h). */
#include "routes.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl.h"

struct routes {
	struct nl_sock *nl;	/* lib/rtnl */
};

int routes_open(struct routes **out)
{
	struct routes *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->nl = rtnl_open(&err);
	if (!r->nl) {
		free(r);
		return err;
	}
	*out = r;
	return 0;
}

void routes_close(struct routes *r)
{
	if (!r)
		return;
	rtnl_close(r->nl);
	free(r);
}

void routes_format(const struct policy_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (p->ip.family == AF_INET || p->ip.family == AF_INET6)
		inet_ntop(p->ip.family, p->ip.bytes, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

/* Add: CREATE|REPLACE, a second session of the same user (max_sessions >
 * 1) takes the route over, the last one up wins as with RRAS. Remove: only
 * our route (the interface is part of the match), so a newer session's
 * route for the same prefix stays; one already gone counts as removed. */
static int route_one(struct routes *r, int ifindex, const struct policy_prefix *p, bool add)
{
	return rtnl_route(r->nl, add, p->ip.family, ifindex, p->ip.bytes, p->len, NULL);
}

size_t routes_apply(struct routes *r, int ifindex, const struct policy_prefix *p, size_t n,
		    bool add, char *err, size_t errlen)
{
	size_t ok = 0;
	bool reported = false;

	if (errlen)
		err[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int rc = r ? route_one(r, ifindex, &p[i], add) : -EBADF;
		char pfx[64];

		if (rc == 0) {
			ok++;
			continue;
		}
		if (!reported && errlen) {
			routes_format(&p[i], pfx, sizeof(pfx));
			snprintf(err, errlen, "%s: %s", pfx, strerror(-rc));
			reported = true;
		}
	}
	return ok;
}
