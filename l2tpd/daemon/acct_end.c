/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a session ended, and when its Start and Interim-Updates are due
 * (acct_end.h). */
#include "acct_end.h"

#include "ppp/fsm.h"

bool acct_start_due(int phase, int ipcp_state, int ipv6cp_state)
{
	if (ipcp_state == PPP_FSM_OPENED)
		return true;
	if (phase != PPP_PHASE_NETWORK || ipv6cp_state != PPP_FSM_OPENED)
		return false;
	/* IPCP done without opening. Starting is left out: an NCP gets
	 * there by Down, the link going away under it, not by finishing */
	return ipcp_state == PPP_FSM_INITIAL || ipcp_state == PPP_FSM_CLOSED ||
	       ipcp_state == PPP_FSM_STOPPED;
}

enum radius_session_end acct_end_of_ppp_down(enum ppp_down_reason why)
{
	switch (why) {
	case PPP_DOWN_PEER_TERMINATE:
		/* RFC 1661 5.5: the client's Terminate-Request, its user's
		 * "disconnect" */
		return RADIUS_END_USER_REQUEST;
	case PPP_DOWN_DEAD_PEER:
		/* LCP echoes unanswered (RFC 1661 5.8): the client is gone */
		return RADIUS_END_PEER_LOST;
	case PPP_DOWN_LOWER_LAYER:
		/* the L2TP call under it went: its own event says why */
		return RADIUS_END_PEER_LOST;
	case PPP_DOWN_LOOPBACK:
	case PPP_DOWN_PEER_REJECTED_LCP:
		return RADIUS_END_USER_ERROR;
	case PPP_DOWN_NO_NCP:
		return RADIUS_END_SERVICE_UNAVAILABLE;
	case PPP_DOWN_SESSION_TIMEOUT:
		return RADIUS_END_SESSION_TIMEOUT;
	case PPP_DOWN_IDLE_TIMEOUT:
		return RADIUS_END_IDLE_TIMEOUT;
	case PPP_DOWN_NO_RANDOM:
		return RADIUS_END_NAS_ERROR;
	case PPP_DOWN_ADMIN:
	case PPP_DOWN_NONE:
	case PPP_DOWN_NEGOTIATION_TIMEOUT:
	case PPP_DOWN_NO_AUTH_METHOD:
	case PPP_DOWN_AUTH_FAILED:
	case PPP_DOWN_AUTH_TIMEOUT:
	case PPP_DOWN_NREASONS:
		break;
	}
	/* ours, or before a Start was sent (no Stop then) */
	return RADIUS_END_NAS_REQUEST;
}

enum radius_session_end acct_end_of_l2tp_down(enum l2tp_down_cause cause, bool by_peer)
{
	switch (cause) {
	case L2TP_DOWN_PEER:
		/* a CDN from the client (RFC 2661 6.14) */
		return RADIUS_END_USER_REQUEST;
	case L2TP_DOWN_TUNNEL:
		/* its tunnel went: by the client's StopCCN (6.4), or because the
		 * client stopped answering (Hellos, 6.5; retransmissions, 5.8) */
		return by_peer ? RADIUS_END_USER_REQUEST : RADIUS_END_PEER_LOST;
	case L2TP_DOWN_UNREACHABLE:
		return RADIUS_END_PEER_LOST;
	case L2TP_DOWN_PROTOCOL:
		return RADIUS_END_USER_ERROR;
	case L2TP_DOWN_RESOURCES:
		return RADIUS_END_SERVICE_UNAVAILABLE;
	case L2TP_DOWN_NONE:
	case L2TP_DOWN_LOCAL:
	case L2TP_DOWN_AUTH:
	case L2TP_DOWN_SETUP_TIMEOUT:
	case L2TP_DOWN_TIE_BREAKER:
	case L2TP_DOWN_PREAUTH_TIMEOUT:
		break;
	}
	return RADIUS_END_NAS_REQUEST;
}

uint32_t acct_interim_interval(uint32_t from_server, uint32_t configured)
{
	uint32_t v = from_server ? from_server : configured;

	if (!v)
		return 0;
	return v < ACCT_INTERIM_MIN_S ? ACCT_INTERIM_MIN_S : v;
}

uint64_t acct_interim_next(uint64_t up_ms, uint32_t interval_s, uint64_t now_ms)
{
	uint64_t step = (uint64_t)interval_s * 1000;

	if (!step)
		return UINT64_MAX;
	if (now_ms < up_ms)
		return up_ms + step;
	return up_ms + ((now_ms - up_ms) / step + 1) * step;
}
