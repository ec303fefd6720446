/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The attributes of an Access-Request and of accounting records for one
 * session (docs/radius.md, "Request attributes", "Accounting"). Pure: a
 * description of the session in, attributes into a radius_writer out.
 */
#ifndef RADIUS_REQUEST_H
#define RADIUS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "radius.h"

/* Where the session is: the same for authentication and accounting. */
struct radius_nas_session {
	const char *user;			/* as the client sent it (sanitized for logs only) */
	uint32_t nas_ipv4;			/* network order, 0 absent */
	const uint8_t *nas_ipv6;		/* 16 octets or NULL */
	const char *nas_identifier;		/* NULL absent */
	uint32_t nas_port;			/* unique per session */
	const char *calling_station;		/* the client's public address[:NAT-T port] */
	const char *called_station;		/* our address */
	const char *tunnel_client_endpoint;	/* RFC 2868: the LAC's (client's) address */
	const char *tunnel_server_endpoint;	/* ours */
	const char *ike_identity;		/* IKE identity or certificate subject, NULL none */
	const char *acct_session_id;
};

enum radius_auth_kind { RADIUS_AUTH_PAP, RADIUS_AUTH_CHAP, RADIUS_AUTH_MSCHAPV2, RADIUS_AUTH_EAP };

/* What the client sent, relayed as it is (the server verifies it). */
struct radius_credentials {
	enum radius_auth_kind kind;
	const uint8_t *password;		/* PAP */
	size_t password_len;
	uint8_t chap_id;			/* CHAP / MS-CHAPv2 Identifier */
	const uint8_t *challenge;		/* CHAP: ours, any length; MS-CHAPv2: 16 octets */
	size_t challenge_len;
	const uint8_t *response;		/* CHAP: 16; MS-CHAPv2: the 49-octet Response value */
	size_t response_len;
	const uint8_t *eap;			/* EAP: the client's EAP packet */
	size_t eap_len;
	const uint8_t *state;			/* the server's State from its last Challenge */
	size_t state_len;
	uint16_t framed_mtu;			/* EAP: the link's MTU (RFC 3579 2.4), 0 none */
};

/* The Access-Request's attributes (after radius_begin with a random
 * authenticator; the request engine adds Message-Authenticator).
 * 0, or -1 when a value does not fit (w->error is set). */
int radius_put_access_request(struct radius_writer *w, const struct radius_nas_session *s,
			      const struct radius_credentials *c, const char *secret);

/* RFC 2866 section 5.1 */
enum radius_acct_status { RADIUS_ACCT_START = 1, RADIUS_ACCT_STOP = 2, RADIUS_ACCT_INTERIM = 3,
			  RADIUS_ACCT_ON = 7, RADIUS_ACCT_OFF = 8 };

/* RFC 2866 section 5.10 */
enum radius_terminate_cause {
	RADIUS_TC_USER_REQUEST = 1, RADIUS_TC_LOST_CARRIER = 2, RADIUS_TC_LOST_SERVICE = 3,
	RADIUS_TC_IDLE_TIMEOUT = 4, RADIUS_TC_SESSION_TIMEOUT = 5, RADIUS_TC_ADMIN_RESET = 6,
	RADIUS_TC_ADMIN_REBOOT = 7, RADIUS_TC_PORT_ERROR = 8, RADIUS_TC_NAS_ERROR = 9,
	RADIUS_TC_NAS_REQUEST = 10, RADIUS_TC_NAS_REBOOT = 11, RADIUS_TC_SERVICE_UNAVAILABLE = 15,
	RADIUS_TC_USER_ERROR = 17,
};

struct radius_acct_record {
	enum radius_acct_status status;
	uint32_t framed_ip;			/* network order, 0 none */
	uint64_t in_octets, out_octets;		/* from the client's point of view: in = from it */
	uint64_t in_packets, out_packets;
	uint32_t session_time;			/* seconds */
	uint32_t delay_time;			/* seconds the record waited (RFC 2866 5.2) */
	uint32_t event_timestamp;		/* seconds since 1970 (RFC 2869 5.3) */
	enum radius_terminate_cause terminate_cause;	/* Stop only */
	/* the session's IPv6 prefixes, length 0 none: the one announced on
	 * its link (Framed-IPv6-Prefix, RFC 3162 2.3) and the one delegated
	 * to it by DHCPv6 (Delegated-IPv6-Prefix, RFC 4818 3) */
	uint8_t framed_ipv6_prefix[16], framed_ipv6_prefix_len;
	uint8_t delegated_prefix[16], delegated_prefix_len;
	const uint8_t *const *class;		/* the Access-Accept's Class values, echoed */
	const uint8_t *class_len;
	unsigned n_class;
};

/* An Accounting-Request's attributes (finish with radius_finish_hashed).
 * Accounting-On/Off carry only the NAS's attributes (s->user may be NULL). */
int radius_put_accounting(struct radius_writer *w, const struct radius_nas_session *s,
			  const struct radius_acct_record *r);

#endif
