/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an Access-Accept grants a session (docs/radius.md, "Reply
 * attributes"): read from a verified packet into plain values the daemon
 * applies. An attribute the concentrator cannot honour is never silently
 * ignored: radius_reply_read() names it, and the session is refused with
 * that name in the log (RFC 2865 section 5.44 lets a NAS reject an
 * Access-Accept it cannot carry out; NPS administrators expect the refusal
 * to say why).
 */
#ifndef RADIUS_REPLY_H
#define RADIUS_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "radius.h"

#define RADIUS_REPLY_MAX_ROUTES 16
#define RADIUS_REPLY_MAX_CLASS	4
#define RADIUS_REPLY_MAX_DNS6	3	/* what an RA's RDNSS and DHCPv6 carry here */

enum radius_framed_ip {
	RADIUS_IP_NONE,			/* no Framed-IP-Address: local policy decides */
	RADIUS_IP_STATIC,		/* this address */
	RADIUS_IP_FROM_POOL,		/* 255.255.255.254: the NAS picks (RFC 2865 5.8) */
	RADIUS_IP_CLIENT_CHOOSES,	/* 255.255.255.255: the user may choose */
};

struct radius_route {			/* Framed-Route "prefix/len gateway metric" */
	uint32_t dest;			/* network order */
	uint8_t prefix_len;
	uint32_t gateway;		/* network order, 0: the client's address */
	uint32_t metric;
};

struct radius_reply {
	enum radius_framed_ip ip_kind;
	uint32_t framed_ip;		/* network order, RADIUS_IP_STATIC */
	uint32_t framed_netmask;	/* network order, 0 absent */
	char framed_pool[64];
	char framed_ipv6_pool[64];
	uint8_t framed_ipv6_prefix[16], framed_ipv6_prefix_len;	/* len 0: absent */
	uint8_t delegated_prefix[16], delegated_prefix_len;
	uint8_t dns6[RADIUS_REPLY_MAX_DNS6][16];	/* DNS-Server-IPv6-Address, in order */
	uint8_t n_dns6;
	struct radius_route routes[RADIUS_REPLY_MAX_ROUTES];
	unsigned n_routes;
	uint32_t session_timeout, idle_timeout, interim_interval;	/* seconds, 0 absent */
	uint16_t framed_mtu;		/* 0 absent */
	char filter_id[64];
	const uint8_t *class[RADIUS_REPLY_MAX_CLASS];	/* echoed in accounting */
	uint8_t class_len[RADIUS_REPLY_MAX_CLASS];
	unsigned n_class;
	uint32_t dns[2], nbns[2];	/* MS-Primary/Secondary-DNS/NBNS-Server, network order */
	char reply_message[254];	/* the first Reply-Message, as sent (log it sanitized) */
	const uint8_t *ms_chap2_success;	/* passed to the client unchanged */
	uint8_t ms_chap2_success_len;
};

/* Fill r from a verified Access-Accept. 0, or -1 with the attribute that
 * cannot be honoured (or is malformed) named in why. Pointers in r point
 * into p's buffer. */
int radius_reply_read(const struct radius_packet *p, struct radius_reply *r, char *why,
		      size_t why_len);

/* MS-CHAP2-Success (RFC 2548 2.3.3: the Ident octet, then "S=" and 40 hex
 * digits, RFC 2759 section 5) as the client is to get it: "S=..." in out,
 * NUL-terminated. 0, or -1 when absent or malformed (the client would
 * refuse our Success). */
int radius_ms_chap2_success(const struct radius_reply *r, char out[43]);

/* What an Access-Reject tells the client (docs/radius.md): the
 * MS-CHAP-Error's code and text (RFC 2548 2.1.5: the Ident octet, then
 * "E=eeeeeeeeee R=r C=cccc V=vvvv M=<msg>", RFC 2759 section 6), and the
 * first Reply-Message (RFC 2865 5.18). From a verified packet; every
 * field is checked, nothing is trusted to be text. */
struct radius_reject {
	int error;			/* E=, 0: no (well-formed) MS-CHAP-Error */
	char message[254];		/* its M= text, "" none */
	char reply_message[254];	/* the first Reply-Message, "" none */
};
void radius_reject_read(const struct radius_packet *p, struct radius_reject *r);

#endif
