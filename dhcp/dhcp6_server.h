/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DHCPv6 server of one client's PPP link, no I/O (docs/addresses.md
 * "DHCPv6 Prefix Delegation"): which messages are answered (RFC 8415
 * section 16), and the Advertise or Reply (section 18.3) with the session's
 * delegated prefix in an IA_PD (sections 21.21, 21.22) and the profile's
 * DNS servers (RFC 3646). The daemon's dhcp6_pd.c leases the prefix,
 * routes it, sends and receives.
 *
 * A link carries one client: the session holds at most one delegated
 * prefix (struct dhcp6_binding), given to the first IA_PD of a Solicit or
 * Request (later IA_PDs of the message get NoPrefixAvail) and renewed,
 * rebound or released by its IAID. The prefix is the session's whatever
 * the client's DUID: a client that restarts with a new DUID or IAID on the
 * same session gets the same prefix back.
 *
 * Not served (dropped, with a reason): Confirm and Decline (they concern
 * addresses, section 18.3.3 and 18.3.8; we assign none), relay messages,
 * and anything a server receives only from a server.
 */
#ifndef DHCP_DHCP6_SERVER_H
#define DHCP_DHCP6_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp6.h"

/* The session's delegated prefix, kept by the daemon between messages. */
struct dhcp6_binding {
	bool has_prefix;	/* a prefix is held for the session (leased) */
	bool committed;		/* given in a Reply: routed to the client */
	uint32_t iaid;		/* the IA_PD that holds it, once committed */
	uint8_t prefix[16];
	uint8_t prefix_len;
};

/* The server's side of the link. */
struct dhcp6_server_params {
	const uint8_t *duid;		/* our Server Identifier */
	uint16_t duid_len;
	uint32_t preferred, valid;	/* the prefix's lifetimes, seconds */
	uint8_t n_dns;
	uint8_t dns[DHCP6_MAX_DNS][16];
};

/* Why a message is not answered (the rest of the counters are the
 * daemon's). */
enum dhcp6_verdict {
	DHCP6_V_ANSWER = 0,
	DHCP6_V_NO_CLIENT_ID,	/* section 16: a message that needs one has none */
	DHCP6_V_SERVER_ID,	/* a Server Identifier where none may be (Solicit,
				 * Rebind), none where one must be, or not ours */
	DHCP6_V_IA_IN_INFO,	/* an Information-request with an IA (section 16.12) */
	DHCP6_V_NOT_SERVED,	/* Confirm, Decline: addresses, which we do not assign */
	DHCP6_V_NOT_FOR_SERVER,	/* Advertise, Reply, Reconfigure: a server's messages */
	DHCP6_V_NOTHING,	/* a Rebind for IAs we know nothing of and that name
				 * no prefix (section 18.3.5: no Reply then) */
	DHCP6_V_MAX
};
const char *dhcp6_verdict_name(enum dhcp6_verdict v);	/* metric label */

/* Section 16: is this message for us to answer? Checks identifiers and
 * the type only; dhcp6_server_answer decides the rest. */
enum dhcp6_verdict dhcp6_server_check(const struct dhcp6_msg *m,
				      const struct dhcp6_server_params *sp);

/* Does answering m want the session to hold a prefix (a Solicit or Request
 * with an IA_PD)? The daemon leases one first if it has none, so that the
 * answer can carry it. */
bool dhcp6_server_wants_prefix(const struct dhcp6_msg *m);

/* What the answer did to the binding, for the daemon to act on. */
enum dhcp6_effect {
	DHCP6_E_NONE = 0,
	DHCP6_E_COMMIT = 1u << 0,	/* the prefix was given in a Reply: route it */
	DHCP6_E_RELEASE = 1u << 1,	/* the client released it: unroute, return it */
};

/*
 * Answer a message dhcp6_server_check accepted: Advertise (Solicit without
 * Rapid Commit) or Reply, written to out (*out_len; 0 with a verdict when
 * there is nothing to send). *b is updated (committed, released) and
 * *effects says what the daemon must do.
 */
enum dhcp6_verdict dhcp6_server_answer(const struct dhcp6_msg *m,
				       const struct dhcp6_server_params *sp,
				       struct dhcp6_binding *b, uint8_t *out, size_t cap,
				       size_t *out_len, unsigned *effects);

/* T1 and T2 for a prefix preferred for `preferred` seconds: 0.5 and 0.8
 * times it (RFC 8415 section 21.21's recommendation); infinity stays. */
void dhcp6_server_times(uint32_t preferred, uint32_t *t1, uint32_t *t2);

#endif
