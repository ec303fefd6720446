/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 Router Advertisements on the clients' links (docs/addresses.md
 * "IPv6"): once IPV6CP opens, the session's prefix (leased from an IPv6
 * pool at the grant) is announced in a Prefix Information option with the
 * L and A flags, so that the client forms its global address by SLAAC (RFC
 * 4862), and the profile's IPv6 DNS servers in an RDNSS option (RFC 8106).
 * The messages are dhcp/ra.h (no I/O); this file sends, receives and
 * keeps the schedule.
 *
 *   schedule        RFC 4861 section 6.2.4: one advertisement when IPV6CP
 *                   opens, MAX_INITIAL_RTR_ADVERTISEMENTS (3) at most
 *                   16 s apart, then one every 198-600 s; a Router
 *                   Solicitation is answered at once, or MIN_DELAY_BETWEEN_RAS
 *                   (3 s) after the last one (section 6.2.6). One timer
 *                   node per session in the daemon's heap, moved, never a
 *                   timer per packet.
 *   userspace plane the data plane hands up ICMPv6 type 133 before the TUN
 *                   (dp_callbacks.rs_rx); the advertisement goes back as a
 *                   PPP frame (protocol 0x0057) on the session.
 *   kernel plane    one raw ICMPv6 socket for all sessions, filtered to
 *                   type 133, with IPV6_RECVPKTINFO: the ifindex finds the
 *                   session in a hash (O(1)); advertisements leave through
 *                   that ifindex from our link-local address. Each pppN
 *                   joins ff02::2 on it (the host does that on its own when
 *                   IPv6 forwarding is on, which routing the clients needs).
 *
 * The session's prefix is routed to its link (a route through its device,
 * both planes: the kernel's pppN, the userspace plane's TUN) while IPV6CP
 * is up, and returned to its pool when the session ends.
 */
#ifndef L2TPD_ROUTER_ADV_H
#define L2TPD_ROUTER_ADV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "timerheap.h"

enum router_adv_count {
	RAC_SENT,		/* advertisements sent, unsolicited */
	RAC_SENT_SOLICITED,	/* ... and in answer to a solicitation */
	RAC_RS_RECEIVED,	/* solicitations accepted */
	RAC_RS_MALFORMED,	/* solicitations refused by ra_rs_parse */
	RAC_RS_NO_SESSION,	/* kernel plane: not from a session's link with IPv6 up */
	RAC_SEND_FAILED,
	RAC_COUNT_MAX
};
const char *router_adv_count_name(enum router_adv_count c);	/* metric label */

struct server;
struct session;
struct router_adv;

/* Server-wide state; with kernel_socket, the raw ICMPv6 socket too (a
 * socket that cannot be made is logged, and that plane sends no
 * advertisements). NULL without memory. */
struct router_adv *router_adv_open(struct server *srv, bool kernel_socket);
void router_adv_close(struct router_adv *ra);
const uint64_t *router_adv_counters(const struct router_adv *ra);	/* RAC_COUNT_MAX */

/* Granted with IPv6: the session takes the decision's prefix lease (it is
 * returned in router_adv_session_end) and its profile's settings. */
void router_adv_session_grant(struct router_adv *ra, struct session *s,
			      const struct policy_decision *dec);
/* IPV6CP opened with these interface identifiers (host-order numbers, the
 * first octet on the wire most significant) on device ifname: route the
 * prefix to the link, send the first advertisement, start the schedule.
 * Again on a renegotiation: the new identifiers are used. */
void router_adv_session_up(struct router_adv *ra, struct session *s, uint64_t local_ifid,
			   uint64_t peer_ifid, const char *ifname);
/* IPV6CP went down (it may open again): no more advertisements until
 * router_adv_session_up. The prefix stays the session's and routed. */
void router_adv_session_down(struct router_adv *ra, struct session *s);
/* The session ends: stop, unroute, return the lease. Idempotent; call it
 * while the device still exists. */
void router_adv_session_end(struct router_adv *ra, struct session *s);
/* The session's IPv6 prefix (l2tpctl sessions): true and *out filled when
 * it has one. */
bool router_adv_session_prefix(const struct session *s, struct policy_prefix *out);
/* A timer of kind SERVER_TIMER_RA fired. */
void router_adv_timer_fired(struct server *srv, struct timer_node *n, uint64_t now);

/* Userspace plane: an IPv6 packet that ra_is_rs() said is an ICMPv6
 * Router Solicitation from the session's link. true: taken (answered or
 * counted); false: forward it. */
bool router_adv_rx(struct router_adv *ra, struct session *s, const uint8_t *pkt, size_t len);

#endif
