/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a RADIUS Access-Accept changes of a session, resolved against the
 * policy file (docs/radius.md "Local policy and the RADIUS answer"). Pure:
 * the reply (radius/reply.h) and the policy in, the request's address
 * choice and the session's overrides out. An attribute that cannot be
 * carried out names itself in `why`, and the session is refused with it:
 * never silently ignored (RFC 2865 5.44).
 *
 * How they combine, following NPS: the local policies still decide (their
 * conditions and permission); the deciding profile gives the session what
 * the server does not say; where both say something, the server wins.
 */
#ifndef L2TPD_RADIUS_ATTRS_H
#define L2TPD_RADIUS_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "reply.h"

/* Framed-Route (each) plus the network of Framed-IP-Netmask */
#define RADIUS_GRANT_MAX_ROUTES (RADIUS_REPLY_MAX_ROUTES + 1)

struct radius_grant {
	bool client_chooses;		/* Framed-IP-Address 255.255.255.255 */
	uint32_t session_timeout, idle_timeout;	/* seconds, 0: the profile's */
	uint32_t dns[2], nbns[2];	/* host order, 0: the profile's */
	struct policy_prefix routes[RADIUS_GRANT_MAX_ROUTES];	/* through the session */
	unsigned n_routes;
	int filter_policy;		/* Filter-Id: the policy whose filters apply, -1 none */
	uint32_t interim_interval;	/* Acct-Interim-Interval, seconds, 0 none */
	uint8_t dns6[RADIUS_REPLY_MAX_DNS6][16];	/* DNS-Server-IPv6-Address */
	uint8_t n_dns6;			/* 0: the profile's ipv6_dns */
};

/* Before the policy decides: the addresses the server chose, into req
 * (Framed-IP-Address, Framed-Pool, Framed-IPv6-Prefix, Framed-IPv6-Pool,
 * Delegated-IPv6-Prefix, external_user), and what the session cannot do
 * at all (a Framed-IPv6-Prefix that is no /64, a prefix another session
 * holds or that overlaps a pool's prefixes without being one). 0, or -1
 * with why. Framed-MTU is decided after the policy, by
 * radius_attrs_framed_mtu. */
int radius_attrs_request(const struct radius_reply *r, const policy_t *p,
			 struct policy_request *req, char *why, size_t why_len);

/* After the policy decides: Framed-MTU (RFC 2865 5.12) against the
 * session's link MTU (LCP settled it before authentication). *set gets the
 * MTU for the session's own device (dataplane_ops.session_set_mtu), 0 when
 * there is nothing to do (no Framed-MTU, or at least the link's). Refused,
 * named: below 576 (RFC 791), below 1280 when the session has IPv6 (RFC
 * 8200 section 5), or no_device_why non-NULL: the data plane has no device
 * per session (a shared TUN), which that sentence names. 0, or -1 with
 * why. */
int radius_attrs_framed_mtu(uint16_t framed_mtu, uint16_t link_mtu, bool ipv6,
			    const char *no_device_why, uint16_t *set, char *why, size_t why_len);

/* IPv6 attributes a session without IPv6 (its profile has no ipv6 =
 * yes) leaves unused: the server enables nothing the local policy
 * forbids. true with their names in `names` (to log), false when none. */
bool radius_attrs_ipv6_ignored(const struct radius_reply *r, char *names, size_t len);

/* After the grant: the overrides. `client` is the address the session got
 * (host order; 0 while the client chooses its own), for Framed-Route's
 * gateway and Framed-IP-Netmask's network. 0, or -1 with why. */
int radius_attrs_grant(const struct radius_reply *r, const policy_t *p, uint32_t client,
		       struct radius_grant *g, char *why, size_t why_len);

/* The grant's IPv6 overrides into the session's copy of the profile:
 * DNS-Server-IPv6-Address replaces ipv6_dns (the RA's RDNSS, DHCPv6's
 * DNS servers). */
void radius_attrs_profile_ipv6(const struct radius_grant *g, struct policy_profile *pr);

#endif
