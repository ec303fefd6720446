/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCPv6 messages (RFC 8415), no I/O: what the server of Prefix Delegation
 * on a client's PPP link reads and writes (docs/addresses.md "DHCPv6
 * Prefix Delegation"), and what the tests and the test client send.
 *
 *   dhcp6_parse      a client-server message (section 8: type, 24-bit
 *                    transaction id, options), its options walked with a
 *                    bounds-checked reader (section 21.1: code, length,
 *                    value); every length checked before a read; the
 *                    options a server uses kept, the rest skipped
 *   dhcp6_build      the same messages written from a description
 *                    (struct dhcp6_out), both directions
 *   dhcp6_udp_*      the IPv6 + UDP framing around them, as the userspace
 *                    data plane has the packet (RFC 8200 section 3, RFC 768,
 *                    the checksum over RFC 8200 section 8.1's pseudo-header)
 *
 * The server's decisions are dhcp6_server.h. Pointers in a parsed message
 * point into the caller's buffer.
 */
#ifndef DHCP_DHCP6_H
#define DHCP_DHCP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP6_CLIENT_PORT	546	/* RFC 8415 section 7.2 */
#define DHCP6_SERVER_PORT	547
/* The largest message read: a PPP link's MTU is smaller than 1500, less the
 * IPv6 and UDP headers. Clients send a few hundred octets at most. */
#define DHCP6_MAX_LEN		(1500 - 40 - 8)
#define DHCP6_IP6_HDR_LEN	40
#define DHCP6_UDP_HDR_LEN	8

/* Message types, RFC 8415 section 7.3. */
enum dhcp6_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_RECONFIGURE = 10,
	DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW = 12,
	DHCP6_RELAY_REPL = 13,
};
const char *dhcp6_type_name(uint8_t type);	/* "solicit"; "?" when unknown */

/* Option codes, RFC 8415 section 21 and RFC 3646 section 3. */
enum dhcp6_option {
	DHCP6_OPT_CLIENTID = 1,
	DHCP6_OPT_SERVERID = 2,
	DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IA_TA = 4,
	DHCP6_OPT_IAADDR = 5,
	DHCP6_OPT_ORO = 6,
	DHCP6_OPT_PREFERENCE = 7,
	DHCP6_OPT_ELAPSED_TIME = 8,
	DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14,
	DHCP6_OPT_RECONF_ACCEPT = 20,
	DHCP6_OPT_DNS_SERVERS = 23,
	DHCP6_OPT_IA_PD = 25,
	DHCP6_OPT_IAPREFIX = 26,
};

/* Status codes, RFC 8415 section 21.13. */
enum dhcp6_status {
	DHCP6_SUCCESS = 0,
	DHCP6_UNSPEC_FAIL = 1,
	DHCP6_NO_ADDRS_AVAIL = 2,
	DHCP6_NO_BINDING = 3,
	DHCP6_NOT_ON_LINK = 4,
	DHCP6_USE_MULTICAST = 5,
	DHCP6_NO_PREFIX_AVAIL = 6,
};

/* A DUID is a 2-octet type and at most 128 octets (section 11.1). */
#define DHCP6_DUID_MIN		3
#define DHCP6_DUID_MAX		130
#define DHCP6_MAX_IA		4	/* IA_PDs (and IA_NAs) kept per message; more are counted */
#define DHCP6_MAX_PREFIXES	4	/* IA Prefix options kept per IA_PD */
#define DHCP6_MAX_DNS		3	/* DNS servers kept and sent */
#define DHCP6_MAX_ORO		16	/* requested option codes kept */
#define DHCP6_STATUS_TEXT_MAX	64	/* a status message we write */

/* One IA Prefix option (section 21.22). */
struct dhcp6_prefix {
	uint32_t preferred, valid;	/* seconds; 0xffffffff: infinity */
	uint8_t len;			/* 0-128 */
	uint8_t prefix[16];
	bool has_status;		/* a Status Code inside it */
	uint16_t status;
};

/* An IA_PD (section 21.21), or an IA_NA with no addresses (section 21.4:
 * only its IAID and status are kept: we delegate prefixes, we assign no
 * addresses). */
struct dhcp6_ia {
	uint32_t iaid, t1, t2;
	bool has_status;
	uint16_t status;
	uint8_t n_prefixes;
	struct dhcp6_prefix prefixes[DHCP6_MAX_PREFIXES];
};

struct dhcp6_msg {
	uint8_t type;
	uint32_t xid;			/* 24 bits */
	const uint8_t *client_id, *server_id;	/* DUIDs, into the buffer; NULL: absent */
	uint16_t client_id_len, server_id_len;
	bool rapid_commit;		/* section 21.14 */
	bool reconf_accept;
	bool has_elapsed_time;
	uint16_t elapsed_time;		/* hundredths of a second */
	bool has_preference;
	uint8_t preference;
	bool has_oro;
	uint8_t n_oro;			/* the first DHCP6_MAX_ORO codes */
	uint16_t oro[DHCP6_MAX_ORO];
	bool has_status;		/* a top-level Status Code */
	uint16_t status;
	uint8_t n_ia_pd, n_ia_na;	/* kept, at most DHCP6_MAX_IA each */
	uint16_t ia_pd_seen, ia_na_seen, ia_ta_seen;	/* present in the message */
	struct dhcp6_ia ia_pd[DHCP6_MAX_IA];
	struct dhcp6_ia ia_na[DHCP6_MAX_IA];
	uint8_t n_dns;
	uint8_t dns[DHCP6_MAX_DNS][16];
};

enum dhcp6_result {
	DHCP6_OK = 0,
	DHCP6_R_TRUNCATED,	/* shorter than the 4-octet header */
	DHCP6_R_TOO_LONG,	/* over DHCP6_MAX_LEN */
	DHCP6_R_RELAY,		/* Relay-forward/-reply: not served on a client's link */
	DHCP6_R_BAD_TYPE,	/* 0 or a type RFC 8415 does not define */
	DHCP6_R_BAD_OPTION,	/* an option header or value past its container */
	DHCP6_R_BAD_LENGTH,	/* a fixed-size option of the wrong length */
	DHCP6_R_BAD_DUID,	/* a Client or Server Identifier of 0-2 or over 130 octets */
	DHCP6_R_DUPLICATE,	/* two Client or Server Identifiers, ORO, Elapsed Time,
				 * Preference or Status Codes, or two IAs with one IAID */
	DHCP6_R_BAD_PREFIX,	/* an IA Prefix longer than 128 bits */
	DHCP6_R_MAX
};
const char *dhcp6_result_name(enum dhcp6_result r);	/* "bad-option", for metric labels */

/* Parse one client-server message (section 8) of len octets. */
enum dhcp6_result dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *out);
/* Is code in the message's Option Request option (section 21.7)? */
bool dhcp6_requested(const struct dhcp6_msg *m, uint16_t code);

/* A message to write: any type, either direction. Absent parts are 0/NULL. */
struct dhcp6_out {
	uint8_t type;
	uint32_t xid;
	const uint8_t *client_id, *server_id;
	uint16_t client_id_len, server_id_len;
	bool rapid_commit, reconf_accept;
	bool has_elapsed_time;
	uint16_t elapsed_time;
	bool has_preference;
	uint8_t preference;
	uint8_t n_oro;
	uint16_t oro[DHCP6_MAX_ORO];
	bool has_status;
	uint16_t status;
	const char *status_text;	/* UTF-8, at most DHCP6_STATUS_TEXT_MAX; NULL: none */
	uint8_t n_ia_pd, n_ia_na;
	struct dhcp6_ia ia_pd[DHCP6_MAX_IA];	/* status written when has_status */
	struct dhcp6_ia ia_na[DHCP6_MAX_IA];
	uint8_t n_dns;
	uint8_t dns[DHCP6_MAX_DNS][16];
};

/* Write the message: its length, or 0 when it does not fit cap or o is
 * inconsistent (more parts than the arrays hold, a DUID outside 3-130
 * octets, a prefix length over 128, a transaction id over 24 bits). */
size_t dhcp6_build(const struct dhcp6_out *o, uint8_t *out, size_t cap);

/* ---- IPv6/UDP framing (the userspace data plane's packets) ---------------- */

struct dhcp6_udp {
	uint8_t src[16], dst[16];
	uint16_t sport, dport;		/* host order */
	uint8_t hop_limit;
	const uint8_t *payload;		/* into the packet */
	size_t len;
};

enum dhcp6_udp_err {
	DHCP6_UDP_OK = 0,
	DHCP6_UDP_SHORT,	/* shorter than its headers, or than its length fields */
	DHCP6_UDP_NOT_UDP,	/* not IPv6, or a next header other than UDP (17) */
	DHCP6_UDP_CHECKSUM,	/* 0 (mandatory over IPv6, RFC 8200 section 8.1) or wrong */
	DHCP6_UDP_E_MAX
};
const char *dhcp6_udp_err_name(enum dhcp6_udp_err e);

/* Is this IPv6 packet UDP to port 547 right after the fixed header? A cheap
 * test that never reads past len (the data plane's). */
bool dhcp6_udp_to_server(const uint8_t *pkt, size_t len);
/* Check the IPv6 header (version, Payload Length inside the packet, next
 * header UDP: extension headers are not followed) and the UDP header
 * (length inside the payload, checksum). Trailing octets past Payload
 * Length are ignored (RFC 8200 section 3). */
enum dhcp6_udp_err dhcp6_udp_parse(const uint8_t *pkt, size_t len, struct dhcp6_udp *u);
/* IPv6 (hop limit as given) + UDP with its checksum around payload; the
 * length, or 0 when cap is too small. */
size_t dhcp6_udp_build(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t hop_limit, uint16_t sport, uint16_t dport, const uint8_t *payload,
		       size_t len);

#endif
