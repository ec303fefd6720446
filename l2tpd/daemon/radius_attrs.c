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

int radius_attrs_request(const struct radius_reply *r, const policy_t *p, uint16_t link_mtu,
			 struct policy_request *req, char *why, size_t wl)
{
	req->external_user = true;
	/* IPv6 addresses from the server: not built (IPV6CP takes the
	 * profile's pools); refused rather than a session without them */
	if (r->framed_ipv6_prefix_len)
		return refuse(why, wl, "Framed-IPv6-Prefix cannot be honoured (IPv6 prefixes come "
			      "from the policy's pools)");
	if (r->delegated_prefix_len)
		return refuse(why, wl, "Delegated-IPv6-Prefix cannot be honoured (no prefix "
			      "delegation)");
	if (r->framed_ipv6_pool[0])
		return refuse(why, wl, "Framed-IPv6-Pool cannot be honoured (IPv6 prefixes come "
			      "from the policy's pools)");
	/* LCP settled the link's MRU before authentication: a smaller MTU
	 * cannot be given any more; a larger one asks nothing of us */
	if (r->framed_mtu && r->framed_mtu < link_mtu)
		return refuse(why, wl, "Framed-MTU %u is below the link's %u, settled by LCP before "
			      "authentication", r->framed_mtu, link_mtu);
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
