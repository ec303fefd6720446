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
 *                          3 per session (PPPoL2TP socket, channel, unit)
 *   userspace, per-session 1 per session (its TUN), from the grant on
 *   userspace, shared      none per session, 1 for the run (one TUN for all)
 *
 * plus a fixed part: stdio, the UDP listeners, the control socket and
 * `control_connections` of it, the plugin socket and its connection, the
 * event loop's own (epoll, signalfd, timerfds), netlink, nftables, the
 * closer's queue of descriptors waiting to be closed: FDBUDGET_BASE.
 */
#ifndef L2TPD_FDBUDGET_H
#define L2TPD_FDBUDGET_H

#include <stdbool.h>
#include <stdint.h>

#define FDBUDGET_BASE 64

struct fdbudget {
	uint64_t limit;		/* RLIMIT_NOFILE's soft limit in force */
	uint32_t fixed, per_tunnel, per_session;
};

/* Costs of a data plane holding per_tunnel, per_session and plane_fixed
 * descriptors (its dp_caps), with n_listen UDP listeners and a control
 * connection limit. */
void fdbudget_init(struct fdbudget *b, uint32_t per_tunnel, uint32_t per_session,
		   uint32_t plane_fixed, uint32_t n_listen, uint32_t control_connections);
/* Descriptors needed with this many tunnels and sessions (holding theirs). */
uint64_t fdbudget_need(const struct fdbudget *b, uint64_t tunnels, uint64_t sessions);
/* May one more session take its descriptors? */
bool fdbudget_room(const struct fdbudget *b, uint64_t tunnels, uint64_t sessions);
/* The soft limit to ask for: the current one if it suffices, else the hard
 * limit (an unprivileged process cannot go higher). */
uint64_t fdbudget_soft_target(uint64_t need, uint64_t soft, uint64_t hard);

#endif
