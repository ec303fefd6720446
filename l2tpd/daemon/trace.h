/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State transitions in the log (docs/operations.md "Following one
 * session"): every change of the L2TP tunnel and call machines and of PPP
 * (phase, LCP, IPCP, IPV6CP) is one debug line with the session's
 * identifiers. They are written when log_level = debug, or for the
 * sessions an administrator marked with `l2tpctl trace on` whatever the
 * level: one bit per session.
 */
#ifndef L2TPD_TRACE_H
#define L2TPD_TRACE_H

#include <stdbool.h>

#include "l2tp.h"
#include "ppp/ppp.h"

struct server;
struct session;
struct session_filter;

/* l2tp_ops.trace; arg is the server. */
void trace_l2tp(void *arg, const struct l2tp_trace *t);
/* ppp_callbacks.trace; ctx is the session. */
void trace_ppp(void *ctx, const struct ppp_trace *t);
/* l2tpctl trace on|off: set or clear the bit of every session the filter
 * selects; returns their number. */
int trace_set_filter(struct server *srv, const struct session_filter *f, bool on);
/* The daemon clears a call's user pointer before it closes the call
 * itself (the SESSION_DOWN of that close must not come back to the
 * session): name the session for that while, so the call's last
 * transitions are still its own. NULL ends it. */
void trace_closing(struct session *s);

#endif
