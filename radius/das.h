/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dynamic authorization server, RFC 5176 (docs/radius.md, "Dynamic
 * authorization"): Disconnect-Request and CoA-Request from configured
 * clients only, each with its own secret; the Request Authenticator and
 * the Message-Authenticator checked; Event-Timestamp required (unless
 * allowed to be absent) and checked against a window, and retransmissions
 * answered from a cache (RFC 5176 section 6.4, RFC 5080 section 2.2.2);
 * sessions matched by User-Name, Acct-Session-Id, Framed-IP-Address,
 * NAS-Port, Calling-Station-Id and Called-Station-Id;
 * ACK or NAK with Error-Cause (section 3.5). No I/O: a datagram and its
 * source in, the answer's bytes out. The daemon finds and changes sessions
 * behind radius_das_ops.
 */
#ifndef RADIUS_DAS_H
#define RADIUS_DAS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "radius.h"

#define RADIUS_DAS_MAX_CLIENTS 16
#define RADIUS_DAS_MAX_SESSIONS 64	/* sessions one request may act on */
#define RADIUS_DAS_CACHE 64		/* answers kept for retransmissions */
/* The longest answer we could send: radius_das_input() writes into a
 * buffer of at least RADIUS_MAX_LEN, and every cache slot holds that much,
 * so no answer is ever too long to be cached (an uncached answer would let
 * a retransmission be acted on a second time). */
#define RADIUS_DAS_MAX_ANSWER RADIUS_MAX_LEN
#define RADIUS_DAS_PORT 3799		/* RFC 5176 section 2.3 */

/* RFC 5176 section 3.5 */
enum radius_error_cause {
	RADIUS_EC_RESIDUAL_CONTEXT_REMOVED = 201,
	RADIUS_EC_UNSUPPORTED_ATTRIBUTE = 401,
	RADIUS_EC_MISSING_ATTRIBUTE = 402,
	RADIUS_EC_NAS_ID_MISMATCH = 403,
	RADIUS_EC_INVALID_REQUEST = 404,
	RADIUS_EC_UNSUPPORTED_SERVICE = 405,
	RADIUS_EC_INVALID_ATTRIBUTE_VALUE = 407,
	RADIUS_EC_ADMIN_PROHIBITED = 501,
	RADIUS_EC_SESSION_NOT_FOUND = 503,
	RADIUS_EC_SESSION_NOT_REMOVABLE = 504,
	RADIUS_EC_RESOURCES_UNAVAILABLE = 506,
	RADIUS_EC_MULTIPLE_SESSIONS_UNSUPPORTED = 508,
};

struct radius_das_client {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* 4 or 16 octets, network order */
	const char *secret;
};

struct radius_das_config {
	unsigned n_clients;
	struct radius_das_client clients[RADIUS_DAS_MAX_CLIENTS];
	uint32_t window_s;			/* Event-Timestamp tolerance either way; 0: 300 */
	/* RFC 5176 section 6.4: without IPsec, Event-Timestamp is the only
	 * replay protection, so a request without one is discarded unless
	 * this is set (secure by default: the zero config requires it) */
	bool allow_no_event_timestamp;
	bool require_message_authenticator;	/* discard requests without one */
	/* our NAS identification (RFC 5176 section 3): compared when sent */
	uint32_t nas_ipv4;			/* network order, 0 none */
	uint8_t nas_ipv6[16];			/* all zero: none */
	const char *nas_identifier;
};

/* The session identification a request carried (RFC 5176 section 3),
 * most selective first: act() asks the daemon's index for the first one a
 * request has. Calling-Station-Id (the client's public address and NAT-T
 * port) names one tunnel's sessions, fewer than a user may have;
 * Called-Station-Id (our address) is the same for many sessions. */
enum radius_das_key {
	RADIUS_DAS_KEY_ACCT_SESSION_ID = 1 << 0,
	RADIUS_DAS_KEY_NAS_PORT = 1 << 1,
	RADIUS_DAS_KEY_FRAMED_IP = 1 << 2,
	RADIUS_DAS_KEY_CALLING_STATION_ID = 1 << 3,
	RADIUS_DAS_KEY_USER_NAME = 1 << 4,
	RADIUS_DAS_KEY_CALLED_STATION_ID = 1 << 5,
};

struct radius_das_match {
	unsigned keys;				/* enum radius_das_key bits present */
	char user[RADIUS_MAX_VALUE + 1];	/* as sent (no NUL inside); sanitize for logs */
	char acct_session_id[RADIUS_MAX_VALUE + 1];
	char calling_station_id[RADIUS_MAX_VALUE + 1];	/* compared exactly, as we send it */
	char called_station_id[RADIUS_MAX_VALUE + 1];
	uint32_t framed_ip;			/* network order */
	uint32_t nas_port;
};

/* What a CoA-Request changes on a live session. */
struct radius_das_change {
	bool session_timeout_set, idle_timeout_set;
	uint32_t session_timeout, idle_timeout;	/* seconds, 0: none */
	const char *filter_id;			/* NUL-terminated, NULL: unchanged */
};

/* What the daemon says about a candidate session. */
struct radius_das_session {
	const char *user;
	const char *acct_session_id;
	const char *calling_station_id;		/* as in the session's requests, NULL none */
	const char *called_station_id;
	uint32_t framed_ip;			/* network order, 0 none */
	uint32_t nas_port;
};

struct radius_das_ops {
	void *ctx;
	/* Sessions that have the value of `key` (one bit: the most selective
	 * the request carried, in the order of enum radius_das_key): up to
	 * max handles into out. Returns how many there are (more than max:
	 * the request is refused with 508). An index lookup, not a scan:
	 * the daemon keeps one per key, Calling-/Called-Station-Id included
	 * (Called-Station-Id is asked for only when the request has no other
	 * key, and then names every session on that address of ours). */
	size_t (*find)(void *ctx, enum radius_das_key key, const struct radius_das_match *m,
		       void **out, size_t max);
	void (*describe)(void *ctx, void *session, struct radius_das_session *s);
	/* 0, or an Error-Cause (504, 506...) */
	uint32_t (*disconnect)(void *ctx, void *session);
	/* 0, or an Error-Cause (407 for a Filter-Id that names no filter...) */
	uint32_t (*change)(void *ctx, void *session, const struct radius_das_change *c);
};

struct radius_das_stats {
	uint64_t requests;			/* from a configured client, authentic */
	uint64_t unknown_clients, malformed, bad_authenticators, duplicates;
	uint64_t stale;				/* Event-Timestamp outside the window */
	uint64_t no_event_timestamp;		/* none, and one is required */
	uint64_t acks, naks;
};

/* What became of one datagram, for the daemon's log line. */
struct radius_das_result {
	uint8_t code;				/* the request's code; 0 when discarded */
	uint8_t answer;				/* ACK/NAK code sent, 0 none */
	uint32_t error_cause;			/* of a NAK */
	unsigned sessions;			/* acted on */
	bool duplicate;				/* a retransmission, answered from the cache */
	const char *discarded;			/* why nothing was sent, NULL if answered */
};

struct radius_das;

struct radius_das *radius_das_new(const struct radius_das_config *cfg,
				  const struct radius_das_ops *ops);
void radius_das_free(struct radius_das *d);

/* A datagram from (family, addr). now_wall: seconds since 1970, the
 * caller's clock (the library reads none). Returns the
 * answer's length in out (cap at least RADIUS_MAX_LEN), 0 when the request
 * is silently discarded (unknown client, malformed, not authentic, stale). */
size_t radius_das_input(struct radius_das *d, uint32_t now_wall, int family, const uint8_t *addr,
			const uint8_t *buf, size_t len, uint8_t *out, size_t cap,
			struct radius_das_result *res);

const struct radius_das_stats *radius_das_stats(const struct radius_das *d);
const char *radius_error_cause_name(uint32_t cause);

#endif
