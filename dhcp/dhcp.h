/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCP messages (RFC 2131, options RFC 2132, classless static routes RFC
 * 3442 and Microsoft's option 249), for the two uses an access
 * concentrator has (docs/addresses.md): leasing clients' addresses from
 * the LAN's DHCP server as RRAS does, and answering the DHCPINFORM a
 * Windows client sends over its PPP link. No I/O: bytes in, bytes out;
 * every length from the wire is checked before use.
 */
#ifndef DHCP_DHCP_H
#define DHCP_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP_FIXED_LEN		236	/* op .. file, RFC 2131 section 2 */
#define DHCP_MIN_LEN		240	/* with the magic cookie */
#define DHCP_MAX_LEN		1500	/* what we build and accept */
#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68

enum dhcp_op { DHCP_BOOTREQUEST = 1, DHCP_BOOTREPLY = 2 };

enum dhcp_msg_type {		/* option 53, RFC 2132 section 9.6 */
	DHCPDISCOVER = 1, DHCPOFFER = 2, DHCPREQUEST = 3, DHCPDECLINE = 4, DHCPACK = 5,
	DHCPNAK = 6, DHCPRELEASE = 7, DHCPINFORM = 8,
};

enum dhcp_option {
	DHCP_OPT_PAD = 0,
	DHCP_OPT_SUBNET_MASK = 1,
	DHCP_OPT_ROUTER = 3,
	DHCP_OPT_DNS = 6,
	DHCP_OPT_DOMAIN_NAME = 15,
	DHCP_OPT_NBNS = 44,
	DHCP_OPT_REQUESTED_IP = 50,
	DHCP_OPT_LEASE_TIME = 51,
	DHCP_OPT_OVERLOAD = 52,
	DHCP_OPT_MSG_TYPE = 53,
	DHCP_OPT_SERVER_ID = 54,
	DHCP_OPT_PARAM_LIST = 55,
	DHCP_OPT_MESSAGE = 56,
	DHCP_OPT_RENEWAL_TIME = 58,	/* T1 */
	DHCP_OPT_REBINDING_TIME = 59,	/* T2 */
	DHCP_OPT_VENDOR_CLASS = 60,
	DHCP_OPT_CLIENT_ID = 61,
	DHCP_OPT_CLASSLESS_ROUTES = 121,	/* RFC 3442 */
	DHCP_OPT_MS_CLASSLESS_ROUTES = 249,	/* Microsoft's, same format */
	DHCP_OPT_END = 255,
};

enum dhcp_err {
	DHCP_OK = 0,
	DHCP_E_SHORT,		/* under 240 octets */
	DHCP_E_COOKIE,		/* no magic cookie 99.130.83.99 */
	DHCP_E_HEADER,		/* op, htype/hlen or hops out of range */
	DHCP_E_OPTION,		/* an option runs past its area, or no END */
	DHCP_E_DUPLICATE,	/* a single-valued option twice */
	DHCP_E_MSG_TYPE,	/* option 53 missing or not 1-8 */
	DHCP_E_MAX
};
const char *dhcp_err_name(enum dhcp_err e);

/* A parsed message: the fixed fields and the options we use, with every
 * option's place kept for the rest. Points into the caller's buffer. */
struct dhcp_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;	/* network order */
	uint8_t chaddr[16];
	uint8_t type;				/* option 53 */
	uint32_t server_id, requested_ip;	/* network order, 0 absent */
	uint32_t subnet_mask;			/* network order, 0 absent */
	uint32_t lease_time, t1, t2;		/* seconds, 0 absent */
	const uint8_t *client_id;
	uint8_t client_id_len;
	const uint8_t *param_list;		/* option 55 */
	uint8_t param_list_len;
	const uint8_t *message;			/* option 56, not NUL-terminated */
	uint8_t message_len;
};

enum dhcp_err dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m);

/* ---- building ------------------------------------------------------------ */

struct dhcp_writer {
	uint8_t *buf;
	size_t cap, len;
	bool error;
};

/* The fixed part and the cookie; chaddr of hlen octets (Ethernet: 6). */
void dhcp_begin(struct dhcp_writer *w, uint8_t *buf, size_t cap, uint8_t op, uint32_t xid,
		const uint8_t *chaddr, uint8_t hlen, uint8_t msg_type);
/* Set fixed fields (network order addresses) after dhcp_begin. */
void dhcp_set_addrs(struct dhcp_writer *w, uint32_t ciaddr, uint32_t yiaddr, uint32_t siaddr,
		    uint32_t giaddr);
void dhcp_set_flags(struct dhcp_writer *w, uint16_t flags);
void dhcp_put(struct dhcp_writer *w, uint8_t code, const void *value, size_t len);
void dhcp_put_u32(struct dhcp_writer *w, uint8_t code, uint32_t host_order);
void dhcp_put_addr(struct dhcp_writer *w, uint8_t code, uint32_t net_order);
/* Option 121 (or 249): routes as prefix/length/gateway (RFC 3442 section
 * 4), network order. A prefix of more than 32 bits, or too many routes for
 * one option, makes the writer fail. */
struct dhcp_route {
	uint32_t dest;
	uint8_t prefix_len;
	uint32_t gateway;
};
void dhcp_put_routes(struct dhcp_writer *w, uint8_t code, const struct dhcp_route *r, size_t n);
/* END and padding to the 300 octets BOOTP relays expect (RFC 1542 2.1);
 * the length, or 0 on error. */
size_t dhcp_finish(struct dhcp_writer *w);

/* Read option 121/249 of a message buffer: at most max routes; -1 when
 * the option is malformed (RFC 3442 section 4: then ignore it whole). */
int dhcp_parse_routes(const uint8_t *value, size_t len, struct dhcp_route *out, size_t max);
/* The value of option `code` in a parsed message's buffer, or NULL. */
const uint8_t *dhcp_find_option(const uint8_t *buf, size_t len, uint8_t code, uint8_t *vlen);

/* ---- IPv4/UDP framing ---------------------------------------------------- */

/* A DHCP datagram as the PPP link carries it: an IPv4 packet (RFC 791)
 * with a UDP header (RFC 768). Points into the caller's buffer. */
struct dhcp_udp {
	uint32_t src, dst;		/* network order */
	uint16_t sport, dport;		/* host order */
	const uint8_t *payload;
	size_t len;
};

enum dhcp_udp_err {
	DHCP_UDP_OK = 0,
	DHCP_UDP_SHORT,		/* shorter than its headers, or than its length fields */
	DHCP_UDP_NOT_UDP,	/* not IPv4, or not UDP */
	DHCP_UDP_FRAGMENT,	/* a fragment: never reassembled here */
	DHCP_UDP_CHECKSUM,	/* IP header or UDP checksum wrong */
	DHCP_UDP_E_MAX
};
const char *dhcp_udp_err_name(enum dhcp_udp_err e);

/* Check the IPv4 header (version, IHL, total length, header checksum, no
 * fragment) and the UDP header (length, checksum when not 0). */
enum dhcp_udp_err dhcp_udp_parse(const uint8_t *pkt, size_t len, struct dhcp_udp *u);
/* IPv4 (TTL 64, no options, DF clear) + UDP with both checksums around
 * payload; the length, or 0 when cap is too small. */
size_t dhcp_udp_build(uint8_t *out, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
		      uint16_t dport, const uint8_t *payload, size_t len);

/* ---- answering DHCPINFORM (RFC 2131 section 4.3.5) ------------------------ */

#define DHCP_INFORM_MAX_ROUTES	51	/* one option 121 holds 255 octets, 5 a route at least */
#define DHCP_DOMAIN_MAX		253	/* a DNS name in text (RFC 1035 2.3.4) */

/* What a profile tells a client that asks (docs/addresses.md). */
struct dhcp_inform_opts {
	uint32_t dns[2];		/* option 6, network order */
	uint8_t n_dns;
	uint32_t nbns[2];		/* option 44 (WINS) */
	uint8_t n_nbns;
	uint8_t domain_len;		/* option 15; 0: none */
	char domain[DHCP_DOMAIN_MAX];	/* not NUL-terminated */
	uint8_t n_routes;		/* options 121 and 249 */
	struct dhcp_route routes[DHCP_INFORM_MAX_ROUTES];	/* gateway unused: see below */
};

enum dhcp_inform_result {
	DHCP_INFORM_ANSWER = 0,
	DHCP_INFORM_NOT_INFORM,		/* a reply, or DISCOVER/REQUEST/...: we only answer INFORM */
	DHCP_INFORM_WRONG_CLIENT,	/* ciaddr is not the session's address */
	DHCP_INFORM_TOO_BIG,		/* longer than DHCP_MAX_LEN, or the answer would be */
	DHCP_INFORM_R_MAX
};
const char *dhcp_inform_result_name(enum dhcp_inform_result r);

/*
 * The DHCPACK for a parsed DHCPINFORM of `len` octets from `client` (the
 * address IPCP gave it), from `server` (our end of the link: the server
 * identifier and the routes' next hop). RFC 2131 section 4.3.5: ciaddr
 * echoed, yiaddr 0, no lease time; with a parameter request list only the
 * options it names (RFC 3442 section 3 for 121), without one every option
 * the profile has. *out_len gets the DHCP message's length.
 */
enum dhcp_inform_result dhcp_inform_answer(const struct dhcp_inform_opts *o,
					   const struct dhcp_msg *m, size_t len, uint32_t client,
					   uint32_t server, uint8_t *out, size_t cap,
					   size_t *out_len);

#endif
