/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of the daemon's RADIUS accounting (acct.h): how a session
 * ended, in the accounting engine's words (enum radius_session_end, whose
 * Acct-Terminate-Cause radius/accounting.h maps: the table is in
 * docs/radius.md "Acct-Terminate-Cause"), and when its Interim-Updates are
 * due. No daemon state: unit-tested on its own (test_acct_end.c).
 */
#ifndef L2TPD_ACCT_END_H
#define L2TPD_ACCT_END_H

#include <stdbool.h>
#include <stdint.h>

#include "accounting.h"
#include "l2tp.h"
#include "ppp/ppp.h"

/* RFC 2869 5.16: "not ... smaller than 60"; a server that asks for less
 * gets 60 s, so that a typo on the server cannot flood it. */
#define ACCT_INTERIM_MIN_S 60

/* The PPP layer went down on its own (PPP_EVENT_LINK_DOWN). */
enum radius_session_end acct_end_of_ppp_down(enum ppp_down_reason why);
/* The L2TP layer reported the call down (L2TP_EV_SESSION_DOWN).
 * by_peer: the event carries the peer's message (a CDN, or for
 * L2TP_DOWN_TUNNEL the tunnel's StopCCN). */
enum radius_session_end acct_end_of_l2tp_down(enum l2tp_down_cause cause, bool by_peer);

/* When a session's Accounting Start goes: when its network layer is
 * settled (docs/radius.md "Accounting in the daemon"). IPCP opened; or
 * IPV6CP opened and IPCP finished without opening: Closed or Stopped (the
 * peer's Protocol-Reject of IPCP, RFC 1661 5.7; its Terminate-Request;
 * Configure-Requests unanswered or refused until max-configure or
 * max-failure, RFC 1661 4.6), or never started (not offered: Initial).
 * Never while IPCP still negotiates: a dual-stack client whose IPV6CP opens
 * first gets its Start, with Framed-IP-Address, when IPCP opens. Only in
 * the Network phase: the NCPs finishing as the link goes down are no
 * settling (RFC 1661 3.2). States are enum ppp_fsm_state, phase enum
 * ppp_phase. */
bool acct_start_due(int phase, int ipcp_state, int ipv6cp_state);

/* The interval in seconds: the Access-Accept's Acct-Interim-Interval
 * (0 absent), else the configuration's (0 none); at least
 * ACCT_INTERIM_MIN_S. 0: no Interim-Updates. */
uint32_t acct_interim_interval(uint32_t from_server, uint32_t configured);
/* The next Interim-Update after `now`: on the grid up + k*interval (k >=
 * 1), so a late timer does not shift every later record. UINT64_MAX when
 * interval_s is 0. */
uint64_t acct_interim_next(uint64_t up_ms, uint32_t interval_s, uint64_t now_ms);

#endif
