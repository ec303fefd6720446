/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCPINFORM answer and the IPv4/UDP framing around it (dhcp.h). */
#include "dhcp.h"

#include <arpa/inet.h>
#include <string.h>

#include "inet_csum.h"

#define IP_HDR		20
#define UDP_HDR		8
#define IPPROTO_UDP_NUM	17

const char *dhcp_udp_err_name(enum dhcp_udp_err e)
{
	static const char *const names[DHCP_UDP_E_MAX] = {
		[DHCP_UDP_OK] = "ok",
		[DHCP_UDP_SHORT] = "truncated IPv4/UDP",
		[DHCP_UDP_NOT_UDP] = "not IPv4 UDP",
		[DHCP_UDP_FRAGMENT] = "IP fragment",
		[DHCP_UDP_CHECKSUM] = "bad checksum",
	};
	return (unsigned)e < DHCP_UDP_E_MAX ? names[e] : "?";
}

const char *dhcp_inform_result_name(enum dhcp_inform_result r)
{
	static const char *const names[DHCP_INFORM_R_MAX] = {
		[DHCP_INFORM_ANSWER] = "answered",
		[DHCP_INFORM_NOT_INFORM] = "not a DHCPINFORM",
		[DHCP_INFORM_WRONG_CLIENT] = "ciaddr is not the client's address",
		[DHCP_INFORM_TOO_BIG] = "too long",
	};
	return (unsigned)r < DHCP_INFORM_R_MAX ? names[r] : "?";
}

/* UDP's pseudo-header (RFC 768): addresses, protocol, UDP length. */
static uint32_t pseudo(const uint8_t *src, const uint8_t *dst, size_t udp_len)
{
	uint32_t acc = inet_csum_add(0, src, 4);

	acc = inet_csum_add(acc, dst, 4);
	return acc + IPPROTO_UDP_NUM + (uint32_t)udp_len;
}

enum dhcp_udp_err dhcp_udp_parse(const uint8_t *pkt, size_t len, struct dhcp_udp *u)
{
	size_t ihl, total, ulen;
	const uint8_t *udp;

	memset(u, 0, sizeof(*u));
	if (len < IP_HDR)
		return DHCP_UDP_SHORT;
	if (pkt[0] >> 4 != 4)
		return DHCP_UDP_NOT_UDP;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	total = (size_t)pkt[2] << 8 | pkt[3];
	if (ihl < IP_HDR || total < ihl || total > len)
		return DHCP_UDP_SHORT;
	if (pkt[9] != IPPROTO_UDP_NUM)
		return DHCP_UDP_NOT_UDP;
	/* MF set or an offset: only whole datagrams are DHCP we read */
	if ((pkt[6] & 0x20) || ((pkt[6] & 0x1f) | pkt[7]))
		return DHCP_UDP_FRAGMENT;
	if (inet_csum_fold(inet_csum_add(0, pkt, ihl)) != 0)
		return DHCP_UDP_CHECKSUM;
	if (total - ihl < UDP_HDR)
		return DHCP_UDP_SHORT;
	udp = pkt + ihl;
	ulen = (size_t)udp[4] << 8 | udp[5];
	if (ulen < UDP_HDR || ulen > total - ihl)
		return DHCP_UDP_SHORT;
	/* checksum 0: the sender computed none (RFC 768) */
	if ((udp[6] | udp[7]) &&
	    inet_csum_fold(inet_csum_add(pseudo(pkt + 12, pkt + 16, ulen), udp, ulen)) != 0)
		return DHCP_UDP_CHECKSUM;
	memcpy(&u->src, pkt + 12, 4);
	memcpy(&u->dst, pkt + 16, 4);
	u->sport = (uint16_t)(udp[0] << 8 | udp[1]);
	u->dport = (uint16_t)(udp[2] << 8 | udp[3]);
	u->payload = udp + UDP_HDR;
	u->len = ulen - UDP_HDR;
	return DHCP_UDP_OK;
}

size_t dhcp_udp_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
		      uint16_t dport, const uint8_t *payload, size_t len)
{
	size_t total = IP_HDR + UDP_HDR + len;
	uint8_t *udp = out + IP_HDR;
	uint16_t c;

	if (total > cap || total > 0xffff)
		return 0;
	memset(out, 0, IP_HDR + UDP_HDR);
	out[0] = 0x45;
	out[2] = (uint8_t)(total >> 8);
	out[3] = (uint8_t)total;
	out[8] = 64;
	out[9] = IPPROTO_UDP_NUM;
	memcpy(out + 12, &src, 4);
	memcpy(out + 16, &dst, 4);
	c = inet_csum_fold(inet_csum_add(0, out, IP_HDR));
	out[10] = (uint8_t)(c >> 8);
	out[11] = (uint8_t)c;
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)((UDP_HDR + len) >> 8);
	udp[5] = (uint8_t)(UDP_HDR + len);
	memmove(udp + UDP_HDR, payload, len);
	c = inet_csum_fold(inet_csum_add(pseudo(out + 12, out + 16, UDP_HDR + len), udp,
					 UDP_HDR + len));
	if (c == 0)
		c = 0xffff;	/* RFC 768: a computed 0 is sent as all ones */
	udp[6] = (uint8_t)(c >> 8);
	udp[7] = (uint8_t)c;
	return total;
}

/* With a parameter request list (option 55), only what it names. */
static bool wanted(const struct dhcp_msg *m, uint8_t code)
{
	if (!m->param_list)
		return true;
	return memchr(m->param_list, code, m->param_list_len) != NULL;
}

enum dhcp_inform_result dhcp_inform_answer(const struct dhcp_inform_opts *o,
					   const struct dhcp_msg *m, size_t len, uint32_t client,
					   uint32_t server, uint8_t *out, size_t cap,
					   size_t *out_len)
{
	struct dhcp_route r[DHCP_INFORM_MAX_ROUTES];
	struct dhcp_writer w;
	size_t n_routes = o->n_routes < DHCP_INFORM_MAX_ROUTES ? o->n_routes
							       : DHCP_INFORM_MAX_ROUTES;

	*out_len = 0;
	if (m->op != DHCP_BOOTREQUEST || m->type != DHCPINFORM)
		return DHCP_INFORM_NOT_INFORM;
	if (len > DHCP_MAX_LEN)
		return DHCP_INFORM_TOO_BIG;
	/* RFC 2131 section 4.4.3: the client puts its address in ciaddr;
	 * section 4.3.5: the server SHOULD check it. Ours is the one IPCP
	 * gave this link, nothing else. */
	if (m->ciaddr != client)
		return DHCP_INFORM_WRONG_CLIENT;
	/* Table 3 of RFC 2131 (DHCPACK to a DHCPINFORM): xid, flags, giaddr
	 * and chaddr from the request, ciaddr echoed, yiaddr 0, no lease
	 * time (section 4.3.5); the server identifier always. */
	dhcp_begin(&w, out, cap, DHCP_BOOTREPLY, m->xid, m->chaddr, m->hlen, DHCPACK);
	if (w.error)
		return DHCP_INFORM_TOO_BIG;
	out[1] = m->htype;
	dhcp_set_addrs(&w, m->ciaddr, 0, 0, m->giaddr);
	dhcp_set_flags(&w, m->flags);
	dhcp_put_addr(&w, DHCP_OPT_SERVER_ID, server);
	if (o->n_dns && wanted(m, DHCP_OPT_DNS))
		dhcp_put(&w, DHCP_OPT_DNS, o->dns, 4u * (o->n_dns > 2 ? 2 : o->n_dns));
	if (o->domain_len && wanted(m, DHCP_OPT_DOMAIN_NAME))
		dhcp_put(&w, DHCP_OPT_DOMAIN_NAME, o->domain, o->domain_len);
	if (o->n_nbns && wanted(m, DHCP_OPT_NBNS))
		dhcp_put(&w, DHCP_OPT_NBNS, o->nbns, 4u * (o->n_nbns > 2 ? 2 : o->n_nbns));
	/* Split tunnelling: each route through our end of the link; Windows
	 * reads 249, later versions 121 (RFC 3442), the same encoding. */
	for (size_t i = 0; i < n_routes; i++) {
		r[i] = o->routes[i];
		r[i].gateway = server;
	}
	if (n_routes && wanted(m, DHCP_OPT_CLASSLESS_ROUTES))
		dhcp_put_routes(&w, DHCP_OPT_CLASSLESS_ROUTES, r, n_routes);
	if (n_routes && wanted(m, DHCP_OPT_MS_CLASSLESS_ROUTES))
		dhcp_put_routes(&w, DHCP_OPT_MS_CLASSLESS_ROUTES, r, n_routes);
	*out_len = dhcp_finish(&w);
	return *out_len ? DHCP_INFORM_ANSWER : DHCP_INFORM_TOO_BIG;
}
