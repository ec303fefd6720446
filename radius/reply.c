/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What an Access-Accept grants (reply.h). */
#include "reply.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fail(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* A text attribute into a C string: no NUL inside, fits. */
static int text(const struct radius_attr *a, char *out, size_t cap)
{
	if (a->len == 0 || a->len >= cap || memchr(a->value, 0, a->len))
		return -1;
	memcpy(out, a->value, a->len);
	out[a->len] = '\0';
	return 0;
}

/* RFC 2865 section 5.22: "dest[/len] gateway metric..." */
static int framed_route(const struct radius_attr *a, struct radius_route *r)
{
	char s[254], *dest, *gw, *metric, *slash, *end, *save = NULL;
	struct in_addr d, g;
	unsigned long len = 32, m;

	if (text(a, s, sizeof(s)))
		return -1;
	dest = strtok_r(s, " ", &save);
	gw = strtok_r(NULL, " ", &save);
	metric = strtok_r(NULL, " ", &save);
	if (!dest || !gw || !metric)
		return -1;
	slash = strchr(dest, '/');
	if (slash) {
		*slash = '\0';
		len = strtoul(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end || len > 32)
			return -1;
	}
	if (inet_pton(AF_INET, dest, &d) != 1 || inet_pton(AF_INET, gw, &g) != 1)
		return -1;
	m = strtoul(metric, &end, 10);
	if (*end || m > UINT32_MAX)
		return -1;
	/* host bits past the prefix make the route ambiguous */
	if (len < 32 && (ntohl(d.s_addr) & (0xffffffffu >> len)))
		return -1;
	r->dest = d.s_addr;
	r->prefix_len = (uint8_t)len;
	r->gateway = g.s_addr;
	r->metric = (uint32_t)m;
	return 0;
}

/* RFC 3162 section 2.3 / RFC 4818: reserved, length, prefix octets. */
static int ipv6_prefix(const struct radius_attr *a, uint8_t out[16], uint8_t *len)
{
	size_t need;

	if (a->len < 2 || a->len > 18 || a->value[1] == 0 || a->value[1] > 128)
		return -1;
	need = (a->value[1] + 7u) / 8u;
	if (a->len - 2u < need)
		return -1;
	memset(out, 0, 16);
	memcpy(out, a->value + 2, need);
	*len = a->value[1];
	return 0;
}

/* RFC 6911 section 3.1: 16 octets, a unicast address a client can
 * reach (not unspecified, loopback, link-local or multicast: a server
 * elsewhere is never on the client's link). */
static int dns6_addr(const struct radius_attr *a, uint8_t out[16])
{
	static const uint8_t zero[15];
	const uint8_t *v = a->value;

	if (a->len != 16 || v[0] == 0xff || (v[0] == 0xfe && (v[1] & 0xc0) == 0x80) ||
	    (!memcmp(v, zero, 15) && v[15] <= 1))
		return -1;
	memcpy(out, v, 16);
	return 0;
}

static int ms_attr(const struct radius_attr *v, struct radius_reply *r, char *why, size_t wl)
{
	/* v: one Microsoft sub-attribute (RFC 2548) */
	switch (v->type) {
	case RADIUS_MS_CHAP2_SUCCESS:
		r->ms_chap2_success = v->value;
		r->ms_chap2_success_len = v->len;
		return 0;
	case RADIUS_MS_PRIMARY_DNS_SERVER:
	case RADIUS_MS_SECONDARY_DNS_SERVER:
	case RADIUS_MS_PRIMARY_NBNS_SERVER:
	case RADIUS_MS_SECONDARY_NBNS_SERVER: {
		uint32_t *slot = v->type == RADIUS_MS_PRIMARY_DNS_SERVER ? &r->dns[0]
				 : v->type == RADIUS_MS_SECONDARY_DNS_SERVER ? &r->dns[1]
				 : v->type == RADIUS_MS_PRIMARY_NBNS_SERVER ? &r->nbns[0] : &r->nbns[1];

		if (v->len != 4)
			return fail(why, wl, "MS attribute %u is not an IPv4 address", (unsigned)v->type);
		memcpy(slot, v->value, 4);
		return 0;
	}
	case 7:		/* MS-MPPE-Encryption-Policy */
	case 8:		/* MS-MPPE-Encryption-Types */
	case 12:	/* MS-CHAP-MPPE-Keys */
	case 16:	/* MS-MPPE-Send-Key */
	case 17:	/* MS-MPPE-Recv-Key */
		/* MPPE keys and policy: the data is encrypted by IPsec, not
		 * MPPE (RFC 3193); NPS sends these with every MS-CHAPv2 Accept */
		return 0;
	case 13:	/* MS-BAP-Usage (RFC 2548 2.5.1): 0 not allowed, 1 allowed */
		if (v->len != 4 || v->value[0] | v->value[1] | v->value[2] || v->value[3] > 1)
			return fail(why, wl, "MS-BAP-Usage other than not-allowed or allowed (BAP "
					     "required) cannot be honoured");
		return 0;
	case 14:	/* MS-Link-Utilization-Threshold (RFC 2548 2.5.2) */
	case 15:	/* MS-Link-Drop-Time-Limit (RFC 2548 2.5.3) */
		/* when to drop a multilink bundle's extra links: NPS sends
		 * both with its default network policy (Multilink and BAP
		 * settings, 50 % and 120 s). A session here is one link (no
		 * MRRU is negotiated, RFC 1990), so there is no extra link
		 * to drop: the settings hold trivially */
		if (v->len != 4)
			return fail(why, wl, "malformed MS attribute %u", (unsigned)v->type);
		return 0;
	default:
		return fail(why, wl, "MS vendor attribute %u cannot be honoured", (unsigned)v->type);
	}
}

static int vendor_specific(const struct radius_attr *a, struct radius_reply *r, char *why,
			   size_t wl)
{
	uint32_t vendor;
	size_t i = 4;

	if (a->len < 6)
		return fail(why, wl, "malformed Vendor-Specific attribute");
	vendor = be32(a->value);
	if (vendor != RADIUS_VENDOR_MICROSOFT)
		return fail(why, wl, "attributes of vendor %u cannot be honoured", vendor);
	while (i < a->len) {
		struct radius_attr v;

		if (a->len - i < 2 || a->value[i + 1] < 2 || a->value[i + 1] > a->len - i)
			return fail(why, wl, "malformed Microsoft vendor attribute");
		v.type = a->value[i];
		v.len = (uint8_t)(a->value[i + 1] - 2);
		v.value = a->value + i + 2;
		if (ms_attr(&v, r, why, wl))
			return -1;
		i += a->value[i + 1];
	}
	return 0;
}

static int u32_attr(const struct radius_attr *a, uint32_t *out)
{
	if (a->len != 4)
		return -1;
	*out = be32(a->value);
	return 0;
}

int radius_reply_read(const struct radius_packet *p, struct radius_reply *r, char *why,
		      size_t wl)
{
	struct radius_attr a;
	size_t off = 0;
	uint32_t v;

	memset(r, 0, sizeof(*r));
	while (radius_next_attr(p, &off, &a)) {
		v = 0;
		switch (a.type) {
		case RADIUS_SERVICE_TYPE:
			if (u32_attr(&a, &v) || v != 2)	/* Framed */
				return fail(why, wl, "Service-Type %u is not Framed", (unsigned)v);
			break;
		case RADIUS_FRAMED_PROTOCOL:
			if (u32_attr(&a, &v) || v != 1)	/* PPP */
				return fail(why, wl, "Framed-Protocol %u is not PPP", (unsigned)v);
			break;
		case RADIUS_FRAMED_IP_ADDRESS:
			if (a.len != 4)
				return fail(why, wl, "malformed Framed-IP-Address");
			v = be32(a.value);
			if (v == 0xfffffffeu) {
				r->ip_kind = RADIUS_IP_FROM_POOL;
			} else if (v == 0xffffffffu) {
				r->ip_kind = RADIUS_IP_CLIENT_CHOOSES;
			} else if (v == 0 || v >> 28 >= 14) {
				return fail(why, wl, "Framed-IP-Address is not a unicast address");
			} else {
				r->ip_kind = RADIUS_IP_STATIC;
				memcpy(&r->framed_ip, a.value, 4);
			}
			break;
		case RADIUS_FRAMED_IP_NETMASK:
			if (a.len != 4)
				return fail(why, wl, "malformed Framed-IP-Netmask");
			memcpy(&r->framed_netmask, a.value, 4);
			break;
		case 10:	/* Framed-Routing: only None (0) fits a dial-in client */
			if (u32_attr(&a, &v) || v != 0)
				return fail(why, wl, "Framed-Routing %u cannot be honoured", (unsigned)v);
			break;
		case RADIUS_FILTER_ID:
			if (text(&a, r->filter_id, sizeof(r->filter_id)))
				return fail(why, wl, "Filter-Id is empty, too long or has a NUL");
			break;
		case RADIUS_FRAMED_MTU:
			if (u32_attr(&a, &v) || v < 576 || v > 65535)
				return fail(why, wl, "Framed-MTU %u is out of 576-65535", (unsigned)v);
			r->framed_mtu = (uint16_t)v;
			break;
		case 13:	/* Framed-Compression: Van Jacobson is a hint, off is fine */
			break;
		case RADIUS_REPLY_MESSAGE:
			if (!r->reply_message[0])
				(void)text(&a, r->reply_message, sizeof(r->reply_message));
			break;
		case RADIUS_FRAMED_ROUTE:
			if (r->n_routes == RADIUS_REPLY_MAX_ROUTES)
				return fail(why, wl, "more than %d Framed-Route attributes",
					    RADIUS_REPLY_MAX_ROUTES);
			if (framed_route(&a, &r->routes[r->n_routes]))
				return fail(why, wl, "malformed Framed-Route (want \"prefix/len "
						     "gateway metric\")");
			r->n_routes++;
			break;
		case RADIUS_CLASS:
			if (r->n_class < RADIUS_REPLY_MAX_CLASS) {
				r->class[r->n_class] = a.value;
				r->class_len[r->n_class++] = a.len;
			}
			break;
		case RADIUS_VENDOR_SPECIFIC:
			if (vendor_specific(&a, r, why, wl))
				return -1;
			break;
		case RADIUS_SESSION_TIMEOUT:
			if (u32_attr(&a, &r->session_timeout))
				return fail(why, wl, "malformed Session-Timeout");
			break;
		case RADIUS_IDLE_TIMEOUT:
			if (u32_attr(&a, &r->idle_timeout))
				return fail(why, wl, "malformed Idle-Timeout");
			break;
		case 29:	/* Termination-Action: Default only; we cannot re-authenticate */
			if (u32_attr(&a, &v) || v != 0)
				return fail(why, wl, "Termination-Action %u (re-authentication) cannot be "
						     "honoured", (unsigned)v);
			break;
		case RADIUS_ACCT_INTERIM_INTERVAL:
			if (u32_attr(&a, &r->interim_interval))
				return fail(why, wl, "malformed Acct-Interim-Interval");
			/* RFC 2869 section 5.16: not below 60 seconds */
			if (r->interim_interval && r->interim_interval < 60)
				r->interim_interval = 60;
			break;
		case RADIUS_FRAMED_POOL:
			if (text(&a, r->framed_pool, sizeof(r->framed_pool)))
				return fail(why, wl, "malformed Framed-Pool");
			break;
		case RADIUS_FRAMED_IPV6_POOL:
			if (text(&a, r->framed_ipv6_pool, sizeof(r->framed_ipv6_pool)))
				return fail(why, wl, "malformed Framed-IPv6-Pool");
			break;
		case RADIUS_FRAMED_IPV6_PREFIX:
			if (ipv6_prefix(&a, r->framed_ipv6_prefix, &r->framed_ipv6_prefix_len))
				return fail(why, wl, "malformed Framed-IPv6-Prefix");
			break;
		case RADIUS_DELEGATED_IPV6_PREFIX:
			if (ipv6_prefix(&a, r->delegated_prefix, &r->delegated_prefix_len))
				return fail(why, wl, "malformed Delegated-IPv6-Prefix");
			break;
		case RADIUS_DNS_SERVER_IPV6_ADDRESS: {
			uint8_t addr[16];

			if (dns6_addr(&a, addr))
				return fail(why, wl, "malformed DNS-Server-IPv6-Address (want a "
						     "unicast IPv6 address)");
			/* the first three, in order: RDNSS and DHCPv6 carry
			 * three here, and a list of resolvers is a
			 * preference; the rest are spares nobody asks */
			if (r->n_dns6 < RADIUS_REPLY_MAX_DNS6)
				memcpy(r->dns6[r->n_dns6++], addr, 16);
			break;
		}
		case 62:	/* Port-Limit: one port per session here, any limit holds */
		case RADIUS_STATE:
		case RADIUS_EAP_MESSAGE:
		case RADIUS_MESSAGE_AUTHENTICATOR:
		case RADIUS_USER_NAME:	/* RFC 2865 5.1: may be sent back; accounting uses it */
			break;
		default:
			return fail(why, wl, "attribute %u cannot be honoured", (unsigned)a.type);
		}
	}
	return 0;
}

int radius_ms_chap2_success(const struct radius_reply *r, char out[43])
{
	const uint8_t *v = r->ms_chap2_success;

	/* Ident, "S=", 40 hex digits; a server may not add anything */
	if (!v || r->ms_chap2_success_len != 43 || v[1] != 'S' || v[2] != '=')
		return -1;
	for (int i = 3; i < 43; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'A' && v[i] <= 'F') ||
		      (v[i] >= 'a' && v[i] <= 'f')))
			return -1;
	memcpy(out, v + 1, 42);
	out[42] = '\0';
	return 0;
}

/* Bytes up to a NUL or the end into a C string. */
static void copy_text(const uint8_t *v, size_t len, char *out, size_t cap)
{
	size_t n;

	for (n = 0; n < len && n + 1 < cap && v[n]; n++)
		out[n] = (char)v[n];
	out[n] = '\0';
}

/* "E=691 R=0 C=... V=3 M=text" (after the Ident octet): the code and text */
static void ms_chap_error(const uint8_t *v, size_t len, struct radius_reject *r)
{
	unsigned long e = 0;
	size_t i = 2, digits = 0;

	if (len < 3 || v[0] != 'E' || v[1] != '=')
		return;
	while (i < len && v[i] >= '0' && v[i] <= '9' && digits < 10) {
		e = e * 10 + (unsigned long)(v[i] - '0');
		i++;
		digits++;
	}
	/* RFC 2759 6: a decimal code; the ones Windows knows are 646-649,
	 * 691, 709; anything absurd is not passed on */
	if (!digits || e == 0 || e > 65535 || (i < len && v[i] != ' '))
		return;
	r->error = (int)e;
	for (; i + 3 <= len; i++)
		if (v[i] == ' ' && v[i + 1] == 'M' && v[i + 2] == '=') {
			copy_text(v + i + 3, len - i - 3, r->message, sizeof(r->message));
			break;
		}
}

void radius_reject_read(const struct radius_packet *p, struct radius_reject *r)
{
	struct radius_attr a;

	memset(r, 0, sizeof(*r));
	if (radius_find_vsa(p, RADIUS_VENDOR_MICROSOFT, RADIUS_MS_CHAP_ERROR, &a) && a.len > 1)
		ms_chap_error(a.value + 1, a.len - 1u, r);
	if (radius_find(p, RADIUS_REPLY_MESSAGE, &a))
		copy_text(a.value, a.len, r->reply_message, sizeof(r->reply_message));
}
