/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a RADIUS Access-Accept changes of a session (radius_attrs.h). */
#include "radius_attrs.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int refuse(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* The prefix of an attribute, checked against our pools as the policy
 * will take it (policy_prefix_lookup): named refusals for the
 * administrator, before anything is leased. */
static int server_prefix(const policy_t *p, const char *attr, const uint8_t bytes[16],
			 uint8_t len, struct policy_prefix *out, char *why, size_t wl)
{
	char a[64];
	int idx;

	memset(out, 0, sizeof(*out));
	out->ip.family = AF_INET6;
	memcpy(out->ip.bytes, bytes, 16);
	out->len = len;
	policy_prefix_format(out, a, sizeof(a));
	/* bits past the length make the prefix ambiguous (as Framed-Route's);
	 * the reply parser kept only the octets the length covers */
	if (len % 8 && (bytes[len / 8] & (0xffu >> (len % 8))))
		return refuse(why, wl, "%s %s has bits set past its length", attr, a);
	switch (policy_prefix_lookup(p, out, &idx)) {
	case POLICY_PREFIX_OUTSIDE:
	case POLICY_PREFIX_FREE:
		return 0;
	case POLICY_PREFIX_IN_USE:
		return refuse(why, wl, "%s %s is in pool '%.64s' and held by another session", attr,
			      a, policy_pool_name(p, (unsigned)idx));
	case POLICY_PREFIX_MISFIT:
		break;
	}
	return refuse(why, wl, "%s %s overlaps pool '%.64s' without being one of its prefixes "
		      "(another length)", attr, a, policy_pool_name(p, (unsigned)idx));
}

/* RFC 3162 and RFC 4818: the link's prefix, or the pool it comes from,
 * and the delegated prefix. Used when the profile has ipv6 = yes. */
static int ipv6_request(const struct radius_reply *r, const policy_t *p,
			struct policy_request *req, char *why, size_t wl)
{
	struct policy_pool_stats st;

	if (r->framed_ipv6_prefix_len) {
		/* RFC 3162 2.3: the prefix goes in the link's Router
		 * Advertisement, where SLAAC (RFC 4862 5.5.3) forms
		 * addresses only in a /64 (an interface identifier is 64
		 * bits, RFC 4291 2.5.1) */
		if (r->framed_ipv6_prefix_len != 64)
			return refuse(why, wl, "Framed-IPv6-Prefix of length /%u cannot be honoured: "
				      "it is announced for SLAAC, which needs a /64",
				      r->framed_ipv6_prefix_len);
		if (server_prefix(p, "Framed-IPv6-Prefix", r->framed_ipv6_prefix,
				  r->framed_ipv6_prefix_len, &req->framed_ipv6_prefix, why, wl))
			return -1;
		req->has_framed_ipv6_prefix = true;
	}
	if (r->framed_ipv6_pool[0]) {
		int idx = policy_pool_find(p, r->framed_ipv6_pool);

		if (idx < 0)
			return refuse(why, wl, "Framed-IPv6-Pool '%.64s' names no pool of the policy "
				      "file", r->framed_ipv6_pool);
		if (!policy_pool_stats(p, (unsigned)idx, &st) || !st.size6)
			return refuse(why, wl, "Framed-IPv6-Pool '%.64s' has no ipv6 prefix",
				      r->framed_ipv6_pool);
		/* RFC 3162 2.4 lets the prefix come from the pool; with
		 * Framed-IPv6-Prefix too, the prefix names the one to take */
		req->has_framed_ipv6_pool = true;
		req->framed_ipv6_pool = (uint16_t)idx;
	}
	if (r->delegated_prefix_len) {
		/* the client numbers /64 links from it (RFC 8415 6.3), as
		 * ipv6_prefix_length of a delegation pool */
		if (r->delegated_prefix_len > 64)
			return refuse(why, wl, "Delegated-IPv6-Prefix of length /%u cannot be "
				      "honoured: a delegated prefix is /64 or shorter",
				      r->delegated_prefix_len);
		if (server_prefix(p, "Delegated-IPv6-Prefix", r->delegated_prefix,
				  r->delegated_prefix_len, &req->delegated_prefix, why, wl))
			return -1;
		req->has_delegated_prefix = true;
	}
	return 0;
}

bool radius_attrs_ipv6_ignored(const struct radius_reply *r, char *names, size_t len)
{
	const char *sep = "";
	size_t n = 0;

	names[0] = '\0';
	if (r->framed_ipv6_prefix_len) {
		n += (size_t)snprintf(names + n, len - n, "%sFramed-IPv6-Prefix", sep);
		sep = ", ";
	}
	if (r->framed_ipv6_pool[0] && n < len) {
		n += (size_t)snprintf(names + n, len - n, "%sFramed-IPv6-Pool", sep);
		sep = ", ";
	}
	if (r->delegated_prefix_len && n < len) {
		n += (size_t)snprintf(names + n, len - n, "%sDelegated-IPv6-Prefix", sep);
		sep = ", ";
	}
	if (r->n_dns6 && n < len)
		snprintf(names + n, len - n, "%sDNS-Server-IPv6-Address", sep);
	return names[0] != '\0';
}

int radius_attrs_request(const struct radius_reply *r, const policy_t *p,
			 struct policy_request *req, char *why, size_t wl)
{
	req->external_user = true;
	if (ipv6_request(r, p, req, why, wl))
		return -1;
	/* Framed-MTU: radius_attrs_framed_mtu, once the profile says
	 * whether the session has IPv6 */
	if (r->framed_pool[0]) {
		int idx = policy_pool_find(p, r->framed_pool);

		if (idx < 0)
			return refuse(why, wl, "Framed-Pool '%.64s' names no pool of the policy file",
				      r->framed_pool);
		req->has_framed_pool = true;
		req->framed_pool = (uint16_t)idx;
	}
	switch (r->ip_kind) {
	case RADIUS_IP_STATIC:
		memset(&req->framed_ipv4, 0, sizeof(req->framed_ipv4));
		req->framed_ipv4.family = AF_INET;
		memcpy(req->framed_ipv4.bytes, &r->framed_ip, 4);
		req->has_framed_ipv4 = true;
		break;
	case RADIUS_IP_FROM_POOL:	/* RFC 2865 5.8: the NAS picks: the pools */
	case RADIUS_IP_CLIENT_CHOOSES:	/* a pool's address if the client asks for none */
	case RADIUS_IP_NONE:
		break;
	}
	return 0;
}

int radius_attrs_framed_mtu(uint16_t framed_mtu, uint16_t link_mtu, bool ipv6,
			    const char *no_device_why, uint16_t *set, char *why, size_t wl)
{
	*set = 0;
	/* RFC 2865 5.12 is for links whose MTU nothing else settles, but
	 * administrators use it (NPS and FreeRADIUS profiles) to lower a
	 * user's MTU, and other LNSs (accel-ppp) lower the session device's:
	 * LCP settled the link before authentication, so the smaller MTU
	 * is the device's, the size the host sends the client. A larger
	 * one asks nothing of us: the link is smaller already. */
	if (!framed_mtu || framed_mtu >= link_mtu)
		return 0;
	if (framed_mtu < 576)
		return refuse(why, wl, "Framed-MTU %u is below 576, the datagram every IPv4 host "
			      "must take (RFC 791)", framed_mtu);
	/* below 1280 the kernel turns IPv6 off on the device */
	if (ipv6 && framed_mtu < 1280)
		return refuse(why, wl, "Framed-MTU %u is below 1280, the least link MTU of IPv6 "
			      "(RFC 8200 section 5), and the session has IPv6", framed_mtu);
	if (no_device_why)
		return refuse(why, wl, "Framed-MTU %u is below the link's %u and cannot be honoured: "
			      "%s has no device of the session's own whose MTU could be lowered "
			      "(LCP settled the link's before authentication)", framed_mtu,
			      link_mtu, no_device_why);
	*set = framed_mtu;
	return 0;
}

/* A route through the session: RFC 2865 5.22's gateway is the client
 * (0.0.0.0, or its own address); any other gateway is not on our link. */
static int add_route(struct radius_grant *g, uint32_t dest_be, uint8_t len)
{
	struct policy_prefix *pf = &g->routes[g->n_routes++];

	memset(pf, 0, sizeof(*pf));
	pf->ip.family = AF_INET;
	memcpy(pf->ip.bytes, &dest_be, 4);
	pf->len = len;
	return 0;
}

static int mask_len(uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	/* contiguous ones only */
	return (n == 32 || !(mask << n)) ? n : -1;
}

int radius_attrs_grant(const struct radius_reply *r, const policy_t *p, uint32_t client,
		       struct radius_grant *g, char *why, size_t wl)
{
	memset(g, 0, sizeof(*g));
	g->filter_policy = -1;
	g->client_chooses = r->ip_kind == RADIUS_IP_CLIENT_CHOOSES;
	g->session_timeout = r->session_timeout;
	g->idle_timeout = r->idle_timeout;
	g->interim_interval = r->interim_interval;
	for (int i = 0; i < 2; i++) {
		g->dns[i] = ntohl(r->dns[i]);
		g->nbns[i] = ntohl(r->nbns[i]);
	}
	/* RFC 6911 3.1: instead of the profile's ipv6_dns (RDNSS, DHCPv6) */
	g->n_dns6 = r->n_dns6;
	memcpy(g->dns6, r->dns6, sizeof(g->dns6));
	for (unsigned i = 0; i < r->n_routes; i++) {
		const struct radius_route *rt = &r->routes[i];
		uint32_t gw = ntohl(rt->gateway);

		if (gw != 0 && gw != client) {
			char a[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &rt->gateway, a, sizeof(a));
			return refuse(why, wl, "Framed-Route via %s cannot be honoured: only the "
				      "client (0.0.0.0 or its address) is a gateway on its link", a);
		}
		add_route(g, rt->dest, rt->prefix_len);
	}
	/* RFC 2865 5.9: the client is a router to this network */
	if (r->framed_netmask && r->framed_netmask != 0xffffffffu) {
		int len = mask_len(ntohl(r->framed_netmask));

		if (len < 0)
			return refuse(why, wl, "Framed-IP-Netmask is not a contiguous mask");
		if (!client)
			return refuse(why, wl, "Framed-IP-Netmask needs the client's address, which "
				      "the client chooses (Framed-IP-Address 255.255.255.255)");
		add_route(g, htonl(client & ntohl(r->framed_netmask)), (uint8_t)len);
	}
	if (r->filter_id[0]) {
		const struct policy_profile *prof;

		g->filter_policy = policy_find_policy(p, r->filter_id, &prof);
		if (g->filter_policy < 0)
			return refuse(why, wl, "Filter-Id '%.64s' names no policy of the policy file "
				      "(its profile's filter_in/filter_out are the filter)",
				      r->filter_id);
	}
	return 0;
}

void radius_attrs_profile_ipv6(const struct radius_grant *g, struct policy_profile *pr)
{
	if (!g->n_dns6)
		return;
	memset(pr->ipv6_dns, 0, sizeof(pr->ipv6_dns));
	for (unsigned i = 0; i < g->n_dns6 && i < sizeof(pr->ipv6_dns) / sizeof(pr->ipv6_dns[0]); i++) {
		pr->ipv6_dns[i].family = AF_INET6;
		memcpy(pr->ipv6_dns[i].bytes, g->dns6[i], 16);
		pr->n_ipv6_dns = i + 1;
	}
}
