/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DHCPINFORM a Windows client sends over its PPP link once it is up
 * (to 255.255.255.255:67 from its IPCP address, port 68), answered from the
 * deciding policy's profile: DNS servers, DNS domain, WINS and the split
 * tunnel's routes in options 121 and 249 (docs/addresses.md). The message
 * layer is dhcp/ (parse, answer, IPv4/UDP framing); this file is the I/O.
 *
 *   userspace plane  the data plane hands up IPv4 UDP to port 67 before it
 *                    reaches the TUN (dp_callbacks.dhcp_rx); the answer
 *                    goes back as a PPP frame on the session.
 *   kernel plane     the datagram arrives on the pppN device: one UDP
 *                    socket bound to port 67 with IP_PKTINFO; the ifindex
 *                    finds the session in a hash (O(1)), the answer leaves
 *                    through the same ifindex. No socket per session.
 *
 * Only a DHCPINFORM from the session's own address (IP source, port 68 and
 * ciaddr) is answered, at most DHCP_INFORM_BURST at once and one per
 * DHCP_INFORM_INTERVAL_MS after that per session; everything else is
 * counted by reason and dropped. Nothing blocks: a send that would is a
 * counted drop (the client asks again).
 *
 * The options of one policy are built once per policy file generation and
 * shared by its sessions (reference counted): a reload gives new sessions
 * the new file's, sessions already up keep theirs.
 */
#ifndef L2TPD_DHCP_INFORM_H
#define L2TPD_DHCP_INFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp.h"
#include "policy.h"

#define DHCP_INFORM_BURST		4
#define DHCP_INFORM_INTERVAL_MS		5000

enum dhcp_inform_count {
	DI_ANSWERED,
	DI_MALFORMED,		/* IPv4/UDP or DHCP did not parse, or over-long */
	DI_NOT_INFORM,		/* DISCOVER, REQUEST, a reply...: only INFORM is answered */
	DI_WRONG_SOURCE,	/* not from the session's address and port 68, or ciaddr not it */
	DI_RATE_LIMITED,
	DI_NO_SESSION,		/* kernel plane: not on a session's link (a LAN's DHCP) */
	DI_SEND_FAILED,
	DI_COUNT_MAX
};
const char *dhcp_inform_count_name(enum dhcp_inform_count c);	/* metric label */

struct server;
struct session;
struct dhcp_inform;
struct dhcp_inform_link;

/* Server-wide state; with kernel_socket, the port 67 socket too (a bind
 * that fails is logged and leaves DHCPINFORM unanswered on that plane).
 * NULL without memory. */
struct dhcp_inform *dhcp_inform_open(struct server *srv, bool kernel_socket);
void dhcp_inform_close(struct dhcp_inform *di);
/* A reload: options built from now on come from the new policy file. */
void dhcp_inform_new_generation(struct dhcp_inform *di);
const uint64_t *dhcp_inform_counters(const struct dhcp_inform *di);	/* DI_COUNT_MAX */

/* Build a profile's options (pure; for tests too). */
void dhcp_inform_opts_from_profile(const struct policy_profile *pr, struct dhcp_inform_opts *o);

/* Granted: the session gets its policy's options (s->inform). */
void dhcp_inform_session_grant(struct dhcp_inform *di, struct session *s, int policy_index,
			       const struct policy_profile *pr);
/* IPCP up: on the kernel plane the link (ifname) is found by its ifindex
 * from now on. */
void dhcp_inform_session_up(struct dhcp_inform *di, struct session *s, const char *ifname);
/* The session ends: forget its link. Idempotent. */
void dhcp_inform_session_end(struct dhcp_inform *di, struct session *s);

/* Userspace plane: an IPv4 UDP datagram to port 67 from the session's
 * link. true when taken (answered or dropped), false to forward it (not
 * addressed to us: broadcast or the link's local address). */
bool dhcp_inform_rx(struct dhcp_inform *di, struct session *s, const uint8_t *pkt, size_t len);
/* Is this IPv4 packet addressed to the daemon on a link whose server end is
 * `server` (network order): the limited broadcast or that address? Read
 * from the IPv4 header alone, so that a fragment or a damaged datagram to
 * anyone else is forwarded, not taken. Pure. */
bool dhcp_inform_addressed_to_us(const uint8_t *pkt, size_t len, uint32_t server);

/*
 * The decision for one datagram's DHCP payload on a session's link, pure:
 * from (src, sport) on a link whose client has address `client` and whose
 * server end is `server` (network order). *out_len > 0: answer with out.
 * Rate limiting is separate (dhcp_inform_allow).
 */
enum dhcp_inform_count dhcp_inform_decide(const struct dhcp_inform_opts *o, uint32_t src,
					  uint16_t sport, uint32_t client, uint32_t server,
					  const uint8_t *dhcp, size_t len, uint8_t *out,
					  size_t cap, size_t *out_len);
/* Token bucket as a theoretical arrival time (*tat_ms): DHCP_INFORM_BURST
 * at once, then one per DHCP_INFORM_INTERVAL_MS. */
bool dhcp_inform_allow(uint64_t *tat_ms, uint64_t now_ms);

#endif
