/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dynamic authorization in the daemon (RFC 5176; docs/radius.md "Dynamic
 * authorization"): the DAS of radius/das.h on the daemon's loop. One
 * non-blocking UDP socket per listen address of radius { das { } } (inside
 * the descriptor budget's fixed part), requests only from the configured
 * clients (the library drops and counts the others; the log line is
 * rate-limited), Disconnect-Request ending sessions as an administrative
 * disconnect does, CoA-Request changing Session-Timeout, Idle-Timeout and
 * Filter-Id of a live session.
 *
 * Sessions are found through hash indexes kept here, never by walking
 * every session: Acct-Session-Id (the run's prefix and the session's
 * serial), NAS-Port, Framed-IP-Address, User-Name and Calling-Station-Id
 * each lead to the sessions that have that value. A session is indexed
 * when it comes up (dynauth_session_up: every key is known then; an
 * IPv6-only session, up at IPV6CP, with address 0), is re-indexed under
 * its new address when IPCP opens, renegotiates or goes down
 * (dynauth_session_address) and leaves at its end (dynauth_session_gone); a session still logging in is
 * not found (503). Only Called-Station-Id alone (our address: the same for
 * most sessions) walks the indexed sessions, stopping at the 65th match.
 */
#ifndef L2TPD_DYNAUTH_H
#define L2TPD_DYNAUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct server;
struct session;
struct strbuf;
struct l2tpd_config;

/* The close reason of a session a Disconnect-Request ended (its log line;
 * accounting maps it to Acct-Terminate-Cause Admin-Reset, RFC 2866 5.10). */
#define DYNAUTH_CLOSE_REASON "disconnected by a RADIUS Disconnect-Request"

struct dynauth_stats {
	uint64_t received;		/* datagrams read */
	uint64_t dropped;		/* discarded without an answer (every reason) */
	uint64_t unknown_clients, malformed, bad_authenticators, stale, no_event_timestamp;
	uint64_t duplicates;		/* answered again from the cache */
	uint64_t acks, naks;
	uint64_t disconnects, changes;	/* sessions acted on */
	uint64_t send_errors;
};

/* srv->cfg.das: the sockets and the DAS; nothing when it is off. 0, or -1
 * (logged): the daemon does not start. */
int dynauth_open(struct server *srv);
void dynauth_close(struct server *srv);
/* A reload: clients, secrets, window and flags from next->das (the
 * retransmission cache starts empty); new sockets when the listen
 * addresses or the port changed; on or off. On a failure the running DAS
 * stays, with a log line. */
void dynauth_reload(struct server *srv, const struct l2tpd_config *next);

/* The session indexes (session.c): the session up (session_up), and its end. */
void dynauth_session_up(struct server *srv, struct session *s);
/* A session already indexed got another IPv4 address (host order): IPCP
 * renegotiated (RFC 1661 section 4.1: a Configure-Request in Opened), or
 * went down (0: no address; its other keys still find it, the session
 * lives while LCP does). Requests by Framed-IP-Address follow. */
void dynauth_session_address(struct server *srv, struct session *s, uint32_t peer_addr);
void dynauth_session_gone(struct server *srv, struct session *s);

/* One datagram from `from` (what the socket's handler does, with the wall
 * clock): the answer's length in out (cap at least RADIUS_MAX_LEN), 0 when
 * it is discarded. For tests, with an injected now_wall (seconds since
 * 1970). */
size_t dynauth_input(struct server *srv, uint32_t now_wall, const struct sockaddr_storage *from,
		     const uint8_t *buf, size_t len, uint8_t *out, size_t cap);

/* NULL when off. */
const struct dynauth_stats *dynauth_stats(const struct server *srv);
/* The Prometheus families (metrics.c); nothing when off. */
void dynauth_render_metrics(struct server *srv, struct strbuf *b);

#endif
