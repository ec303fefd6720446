/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Descriptor budget (docs/l2tpd.md, "Descriptors"): what the configured
 * limits need of RLIMIT_NOFILE on the chosen data plane, checked at start,
 * and the room test made before a session takes its descriptors, so a
 * full table refuses a session (CDN result 4) instead of failing an
 * accept() or a socket() somewhere else.
 *
 * The data plane says what it holds (struct dp_caps, dataplane.h):
 *   kernel                 1 per tunnel (connected UDP socket),
 *                          1 per session from the ICRQ (PPPoL2TP socket:
 *                          LCP and authentication), 2 more at the grant
 *                          (the /dev/ppp channel and the unit, pppN)
 *   userspace, per-session 1 per session (its TUN), from the grant on
 *   userspace, shared      none per session, 1 for the run (one TUN for all)
 *
 * A session holds the early part from session_create and the rest from
 * the grant (session_netdev); the daemon counts the descriptors sessions
 * hold, and the start check (fdbudget_need) counts every session with
 * its full set, so a granted login never finds the table full when the
 * configured `sessions` fit.
 *
 * plus a fixed part: stdio, the UDP listeners, the control socket and
 * `control_connections` of it, the plugin socket and its connection, the
 * event loop's own (epoll, signalfd, timerfds), netlink, nftables, the
 * RADIUS sockets (one per address family, radius_io.h), the closer's queue
 * of descriptors waiting to be closed: FDBUDGET_BASE; with RADIUS, its TLS
 * connections: FDBUDGET_RADSEC.
 */
#ifndef L2TPD_FDBUDGET_H
#define L2TPD_FDBUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define FDBUDGET_BASE 64
/* the RadSec connections, one per RADIUS server at most (radsec.h): added
 * to the fixed part when the daemon talks RADIUS at all (a reload can make
 * any server a TLS one, never start RADIUS) */
#define FDBUDGET_RADSEC 8

struct fdbudget {
	uint64_t limit;		/* RLIMIT_NOFILE's soft limit in force */
	uint32_t fixed, per_tunnel, per_session;
	uint32_t per_session_early;	/* of per_session, held before the grant */
};

/* Costs of a data plane holding per_tunnel, per_session (of which
 * per_session_early before the grant) and plane_fixed descriptors (its
 * dp_caps), with n_listen UDP listeners and a control connection limit. */
void fdbudget_init(struct fdbudget *b, uint32_t per_tunnel, uint32_t per_session,
		   uint32_t per_session_early, uint32_t plane_fixed, uint32_t n_listen,
		   uint32_t control_connections);
/* Descriptors needed with this many tunnels and sessions, every session
 * holding its full set (the worst case, checked at start). */
uint64_t fdbudget_need(const struct fdbudget *b, uint64_t tunnels, uint64_t sessions);
/* May `more` descriptors be taken, with `held` held by sessions now? */
bool fdbudget_room(const struct fdbudget *b, uint64_t tunnels, uint64_t held, uint32_t more);
/* What a session takes at session_create: the early part when the backend
 * defers its device (has session_netdev), else all of it. */
uint32_t fdbudget_at_create(const struct fdbudget *b, bool deferred);
/* What it takes at the grant, holding `held` already. */
uint32_t fdbudget_at_grant(const struct fdbudget *b, uint32_t held);
/* The soft limit to ask for: the current one if it suffices, else the hard
 * limit (an unprivileged process cannot go higher). */
uint64_t fdbudget_soft_target(uint64_t need, uint64_t soft, uint64_t hard);

#endif
