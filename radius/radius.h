/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS packets (RFC 2865, 2866, 2869, 3579, 5176, 5997): building the
 * requests a NAS sends, and checking and reading what comes back. No I/O
 * and no global state: bytes in, bytes out (docs/radius.md). Every length
 * from the wire is checked before it is used; responses are authenticated
 * (Response Authenticator, Message-Authenticator) before any attribute is
 * believed, and the comparisons run in constant time.
 */
#ifndef RADIUS_RADIUS_H
#define RADIUS_RADIUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIUS_HDR_LEN		20
#define RADIUS_MAX_LEN		4096	/* RFC 2865 section 3 */
#define RADIUS_AUTH_LEN		16
#define RADIUS_MAX_VALUE	253	/* an attribute's value, RFC 2865 section 5 */
#define RADIUS_MAX_PASSWORD	128	/* User-Password, RFC 2865 section 5.2 */

enum radius_code {
	RADIUS_ACCESS_REQUEST = 1,
	RADIUS_ACCESS_ACCEPT = 2,
	RADIUS_ACCESS_REJECT = 3,
	RADIUS_ACCOUNTING_REQUEST = 4,
	RADIUS_ACCOUNTING_RESPONSE = 5,
	RADIUS_ACCESS_CHALLENGE = 11,
	RADIUS_STATUS_SERVER = 12,		/* RFC 5997 */
	RADIUS_DISCONNECT_REQUEST = 40,		/* RFC 5176 */
	RADIUS_DISCONNECT_ACK = 41,
	RADIUS_DISCONNECT_NAK = 42,
	RADIUS_COA_REQUEST = 43,
	RADIUS_COA_ACK = 44,
	RADIUS_COA_NAK = 45,
};

/* Attribute types (names as in FreeRADIUS's dictionary.rfc*). */
enum radius_attr_type {
	RADIUS_USER_NAME = 1,
	RADIUS_USER_PASSWORD = 2,
	RADIUS_CHAP_PASSWORD = 3,
	RADIUS_NAS_IP_ADDRESS = 4,
	RADIUS_NAS_PORT = 5,
	RADIUS_SERVICE_TYPE = 6,
	RADIUS_FRAMED_PROTOCOL = 7,
	RADIUS_FRAMED_IP_ADDRESS = 8,
	RADIUS_FRAMED_IP_NETMASK = 9,
	RADIUS_FILTER_ID = 11,
	RADIUS_FRAMED_MTU = 12,
	RADIUS_REPLY_MESSAGE = 18,
	RADIUS_FRAMED_ROUTE = 22,
	RADIUS_STATE = 24,
	RADIUS_CLASS = 25,
	RADIUS_VENDOR_SPECIFIC = 26,
	RADIUS_SESSION_TIMEOUT = 27,
	RADIUS_IDLE_TIMEOUT = 28,
	RADIUS_CALLED_STATION_ID = 30,
	RADIUS_CALLING_STATION_ID = 31,
	RADIUS_NAS_IDENTIFIER = 32,
	RADIUS_ACCT_STATUS_TYPE = 40,
	RADIUS_ACCT_DELAY_TIME = 41,
	RADIUS_ACCT_INPUT_OCTETS = 42,
	RADIUS_ACCT_OUTPUT_OCTETS = 43,
	RADIUS_ACCT_SESSION_ID = 44,
	RADIUS_ACCT_SESSION_TIME = 46,
	RADIUS_ACCT_INPUT_PACKETS = 47,
	RADIUS_ACCT_OUTPUT_PACKETS = 48,
	RADIUS_ACCT_TERMINATE_CAUSE = 49,
	RADIUS_ACCT_INPUT_GIGAWORDS = 52,
	RADIUS_ACCT_OUTPUT_GIGAWORDS = 53,
	RADIUS_EVENT_TIMESTAMP = 55,
	RADIUS_CHAP_CHALLENGE = 60,
	RADIUS_NAS_PORT_TYPE = 61,
	RADIUS_TUNNEL_TYPE = 64,
	RADIUS_TUNNEL_MEDIUM_TYPE = 65,
	RADIUS_TUNNEL_CLIENT_ENDPOINT = 66,
	RADIUS_TUNNEL_SERVER_ENDPOINT = 67,
	RADIUS_EAP_MESSAGE = 79,
	RADIUS_MESSAGE_AUTHENTICATOR = 80,
	RADIUS_ACCT_INTERIM_INTERVAL = 85,
	RADIUS_NAS_PORT_ID = 87,
	RADIUS_FRAMED_POOL = 88,
	RADIUS_NAS_IPV6_ADDRESS = 95,
	RADIUS_FRAMED_IPV6_PREFIX = 97,
	RADIUS_FRAMED_IPV6_POOL = 100,
	RADIUS_ERROR_CAUSE = 101,
	RADIUS_DELEGATED_IPV6_PREFIX = 123,
	RADIUS_DNS_SERVER_IPV6_ADDRESS = 169,	/* RFC 6911 section 3.1 */
};

/* Microsoft's vendor attributes (RFC 2548), Vendor-Id 311. */
#define RADIUS_VENDOR_MICROSOFT 311
enum radius_ms_type {
	RADIUS_MS_CHAP_ERROR = 2,
	RADIUS_MS_CHAP_CHALLENGE = 11,
	RADIUS_MS_CHAP2_RESPONSE = 25,
	RADIUS_MS_CHAP2_SUCCESS = 26,
	RADIUS_MS_PRIMARY_DNS_SERVER = 28,
	RADIUS_MS_SECONDARY_DNS_SERVER = 29,
	RADIUS_MS_PRIMARY_NBNS_SERVER = 30,
	RADIUS_MS_SECONDARY_NBNS_SERVER = 31,
};

enum radius_err {
	RADIUS_OK = 0,
	RADIUS_E_SHORT,			/* fewer octets than the header or the Length field */
	RADIUS_E_LENGTH,		/* Length field below 20 or above 4096 */
	RADIUS_E_ATTR,			/* an attribute runs past the end or is shorter than 2 */
	RADIUS_E_MSG_AUTH_FORM,		/* Message-Authenticator not 18 octets, or twice */
	RADIUS_E_MSG_AUTH_MISSING,	/* required and absent (RFC 3579 3.2, BlastRADIUS) */
	RADIUS_E_MSG_AUTH,		/* Message-Authenticator does not verify */
	RADIUS_E_AUTHENTICATOR,		/* Response/Request Authenticator does not verify */
	RADIUS_E_ID,			/* not the Identifier of our request */
	RADIUS_E_CODE,			/* a code that does not answer our request */
	RADIUS_E_ERR_MAX
};

const char *radius_err_name(enum radius_err e);

/* ---- building requests ---------------------------------------------------- */

/* Errors stick: a value too long or a full buffer make finish return 0. */
struct radius_writer {
	uint8_t *buf;
	size_t cap, len;
	size_t msg_auth;		/* offset of the Message-Authenticator value, 0 none */
	bool error;
};

/* cap is clipped to RADIUS_MAX_LEN. authenticator: the Request
 * Authenticator (random, for Access-Request and Status-Server), or NULL
 * for requests whose authenticator is a hash (finish_hashed). */
void radius_begin(struct radius_writer *w, uint8_t *buf, size_t cap, uint8_t code, uint8_t id,
		  const uint8_t authenticator[RADIUS_AUTH_LEN]);
void radius_put(struct radius_writer *w, uint8_t type, const void *value, size_t len);
void radius_put_u32(struct radius_writer *w, uint8_t type, uint32_t value);
void radius_put_str(struct radius_writer *w, uint8_t type, const char *s);
void radius_put_vsa(struct radius_writer *w, uint32_t vendor, uint8_t vendor_type,
		    const void *value, size_t len);
/* User-Password hidden with the secret and the Request Authenticator
 * (RFC 2865 section 5.2); at most 128 octets. */
void radius_put_user_password(struct radius_writer *w, const void *password, size_t len,
			      const char *secret);
/* A Message-Authenticator (RFC 3579 section 3.2), filled in by finish. */
void radius_put_message_authenticator(struct radius_writer *w);

/* Access-Request, Status-Server: the authenticator given at begin stays.
 * Returns the packet's length, or 0. */
size_t radius_finish(struct radius_writer *w, const char *secret);
/* Accounting-Request (RFC 2866 section 3), Disconnect-/CoA-Request (RFC
 * 5176 section 2.3): Request Authenticator = MD5(Code, Identifier, Length,
 * 16 zero octets, Attributes, Secret). */
size_t radius_finish_hashed(struct radius_writer *w, const char *secret);
/* A response we send (Disconnect-/CoA-ACK/NAK): Response Authenticator over
 * the request's authenticator (RFC 5176 section 3.5). */
size_t radius_finish_response(struct radius_writer *w, const char *secret,
			      const uint8_t request_authenticator[RADIUS_AUTH_LEN]);

/* ---- reading ------------------------------------------------------------ */

struct radius_packet {
	const uint8_t *buf;
	uint16_t len;			/* the Length field; octets past it are padding */
	uint8_t code, id;
	const uint8_t *authenticator;
	size_t msg_auth;		/* offset of the Message-Authenticator value, 0 none */
};

struct radius_attr {
	uint8_t type;
	uint8_t len;			/* of the value */
	const uint8_t *value;
};

/* The structure only: header, Length, every attribute inside it. */
enum radius_err radius_parse(const uint8_t *buf, size_t len, struct radius_packet *p);
/* A response to our request with this Identifier and authenticator: the
 * Response Authenticator (RFC 2865 section 3) and, when present or
 * required, the Message-Authenticator (RFC 3579 section 3.2). */
enum radius_err radius_verify_response(const struct radius_packet *p, uint8_t request_id,
				       const uint8_t request_authenticator[RADIUS_AUTH_LEN],
				       const char *secret, bool require_message_authenticator);
/* A request whose authenticator is a hash (Accounting, Disconnect, CoA). */
enum radius_err radius_verify_hashed_request(const struct radius_packet *p, const char *secret,
					     bool require_message_authenticator);

/* Attributes in order: start with *off = 0. */
bool radius_next_attr(const struct radius_packet *p, size_t *off, struct radius_attr *a);
/* The first attribute of a type. */
bool radius_find(const struct radius_packet *p, uint8_t type, struct radius_attr *a);
/* The first vendor attribute (RFC 2865 section 5.26 format). */
bool radius_find_vsa(const struct radius_packet *p, uint32_t vendor, uint8_t vendor_type,
		     struct radius_attr *a);

#endif
