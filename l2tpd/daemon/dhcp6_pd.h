/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCPv6 on the clients' links (docs/addresses.md "DHCPv6 Prefix
 * Delegation"): a client with IPv6 up that asks for a prefix (an IA_PD in a
 * Solicit or Request, RFC 8415 section 18) gets one from its profile's
 * `ipv6_pd_pool`, routed to its link while the session lasts; an
 * Information-request gets the profile's IPv6 DNS servers (RFC 3646), so
 * that `ipv6_other_config = yes` has a server to ask. The messages and the
 * server's decisions are dhcp/ (dhcp6.h, dhcp6_server.h, no I/O); this file
 * leases, routes, sends and receives.
 *
 *   userspace plane  the data plane hands up IPv6 UDP to port 547 before
 *                    the TUN (dp_callbacks.dhcp6_rx); the answer goes back
 *                    as a PPP frame (protocol 0x0057) on the session.
 *   kernel plane     the message reaches the host's stack on pppN: one UDP
 *                    socket on [::]:547 for all sessions with
 *                    IPV6_RECVPKTINFO (the ifindex finds the session in a
 *                    hash, O(1)); each link joins ff02::1:2 on it; the
 *                    answer leaves through that ifindex from our
 *                    link-local address.
 *
 * Only a message from a link-local address (section 13.1), to
 * All_DHCP_Relay_Agents_and_Servers (ff02::1:2) or our link-local address,
 * on a link whose IPV6CP is up, is answered, at most DHCP6_PD_BURST at once
 * and one per DHCP6_PD_INTERVAL_MS after that per session; everything else
 * is counted by reason and dropped. A session holds at most one delegated
 * prefix: leased from the profile's pools (in order, by name, so a reload
 * in between is harmless) on the first message that wants one, routed to
 * the session's device when a Reply gives it (RFC 8415 section 6.3:
 * "the delegating router ... installs a route"), unrouted and returned to
 * its pool at a Release or at the session's end.
 */
#ifndef L2TPD_DHCP6_PD_H
#define L2TPD_DHCP6_PD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp6_server.h"
#include "policy.h"

/* DHCPv6 clients start at 1 s between retransmissions (RFC 8415 section
 * 7.6, SOL_TIMEOUT, REQ_TIMEOUT): a Solicit-Request exchange, a
 * retransmission or two, then a renewal hours later. */
#define DHCP6_PD_BURST		8
#define DHCP6_PD_INTERVAL_MS	1000

enum dhcp6_pd_count {
	D6_ANSWERED,		/* an Advertise or Reply sent */
	D6_DELEGATED,		/* a prefix routed to a client (counted once per prefix) */
	D6_RELEASED,		/* ... and released by the client */
	D6_NO_PREFIX,		/* the profile's pools had none free: NoPrefixAvail */
	D6_MALFORMED,		/* IPv6/UDP or DHCPv6 did not parse, or over-long */
	D6_REFUSED,		/* not for us to answer (dhcp6_server_check: identifiers,
				 * Confirm, Decline, a server's message) */
	D6_WRONG_SOURCE,	/* not from a link-local address */
	D6_RATE_LIMITED,
	D6_NO_SESSION,		/* not on a session's link with IPv6 up */
	D6_SEND_FAILED,
	D6_COUNT_MAX
};
const char *dhcp6_pd_count_name(enum dhcp6_pd_count c);	/* metric label */

struct server;
struct session;
struct dhcp6_pd;

/* Server-wide state; with kernel_socket, the port 547 socket too (one that
 * cannot be bound is logged: a DHCPv6 server on this host holds it, and
 * clients on that plane get no answer). NULL without memory. */
struct dhcp6_pd *dhcp6_pd_open(struct server *srv, bool kernel_socket);
void dhcp6_pd_close(struct dhcp6_pd *pd);
/* A reload: profiles read from now on come from the new policy file. */
void dhcp6_pd_new_generation(struct dhcp6_pd *pd);
const uint64_t *dhcp6_pd_counters(const struct dhcp6_pd *pd);	/* D6_COUNT_MAX */

/* Granted with IPv6: the session answers DHCPv6 with its profile's pools,
 * DNS servers and prefix lifetime. */
void dhcp6_pd_session_grant(struct dhcp6_pd *pd, struct session *s, int policy_index,
			    const struct policy_profile *pr);
/* IPV6CP opened with our interface identifier local_ifid on device ifname:
 * messages are answered from now on. Again on a renegotiation. */
void dhcp6_pd_session_up(struct dhcp6_pd *pd, struct session *s, uint64_t local_ifid,
			 const char *ifname);
/* After dhcp6_pd_session_grant: the external server's Delegated-IPv6-
 * Prefix (dec->has_delegated) is the one prefix the session delegates,
 * instead of a lease from the profile's pools. Takes the decision's
 * lease of it (returned at the session's end, not at a Release: the
 * server assigned it to the user for the whole session). */
void dhcp6_pd_session_delegated(struct dhcp6_pd *pd, struct session *s,
				const struct policy_decision *dec);
/* IPV6CP went down (it may open again): no answers until it does; the
 * delegated prefix stays the session's and routed. */
void dhcp6_pd_session_down(struct dhcp6_pd *pd, struct session *s);
/* The session ends: unroute and return its prefix. Idempotent; call it
 * while the device still exists. */
void dhcp6_pd_session_end(struct dhcp6_pd *pd, struct session *s);
/* The prefix delegated to the session (routed to it), for l2tpctl
 * sessions: true and *out filled when it has one. */
bool dhcp6_pd_session_prefix(const struct session *s, struct policy_prefix *out);

/* Userspace plane: an IPv6 packet that dhcp6_udp_to_server() said is UDP
 * to port 547 from the session's link. true: taken (answered or counted);
 * false: forward it (not to ff02::1:2 or our link-local address). */
bool dhcp6_pd_rx(struct dhcp6_pd *pd, struct session *s, const uint8_t *pkt, size_t len);

/* ---- pure, for the tests --------------------------------------------------- */

/* Is this IPv6 packet addressed to the server on a link whose server end is
 * local_ll: ff02::1:2 or that address? From the fixed header alone. */
bool dhcp6_pd_addressed_to_us(const uint8_t *pkt, size_t len, const uint8_t local_ll[16]);
/* Token bucket as a theoretical arrival time (*tat_ms): DHCP6_PD_BURST at
 * once, then one per DHCP6_PD_INTERVAL_MS. */
bool dhcp6_pd_allow(uint64_t *tat_ms, uint64_t now_ms);

/* Lease a prefix for the session (from its pools, in order): 0 and *out,
 * or -1 when none is free. */
typedef int (*dhcp6_pd_lease_fn)(void *ctx, struct policy_prefix *out);

/*
 * The decision for one DHCPv6 message of len octets from src on a session's
 * link, pure but for lease(), called when the message wants a prefix and
 * the binding holds none. *out_len > 0: send out to src. *effects: what
 * the binding's change asks of the daemon (dhcp6_server.h).
 */
enum dhcp6_pd_count dhcp6_pd_decide(const struct dhcp6_server_params *sp,
				    struct dhcp6_binding *b, dhcp6_pd_lease_fn lease, void *ctx,
				    const uint8_t src[16], const uint8_t *msg, size_t len,
				    uint8_t *out, size_t cap, size_t *out_len, unsigned *effects);

#endif
