/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session: frame demultiplexing (RFC 1661 2, 3.x phases), the one timer
 * asked of the caller, events, counters, and the glue between LCP,
 * authentication and the NCPs.
 */
#include "internal.h"

#include <string.h>

static const char *const down_texts[PPP_DOWN_NREASONS] = {
	[PPP_DOWN_NONE] = "",
	[PPP_DOWN_ADMIN] = "Administrative close",
	[PPP_DOWN_PEER_TERMINATE] = "Peer terminated the link",
	[PPP_DOWN_LOWER_LAYER] = "Lower layer down",
	[PPP_DOWN_NEGOTIATION_TIMEOUT] = "LCP negotiation timed out",
	[PPP_DOWN_LOOPBACK] = "Link appears looped back",
	[PPP_DOWN_DEAD_PEER] = "Peer not responding to echo requests",
	[PPP_DOWN_NO_AUTH_METHOD] = "No common authentication protocol",
	[PPP_DOWN_AUTH_FAILED] = "Authentication failed",
	[PPP_DOWN_AUTH_TIMEOUT] = "Authentication timed out",
	[PPP_DOWN_NO_NCP] = "No network protocols running",
	[PPP_DOWN_PEER_REJECTED_LCP] = "Peer rejected LCP",
	[PPP_DOWN_SESSION_TIMEOUT] = "Session timeout",
	[PPP_DOWN_IDLE_TIMEOUT] = "Idle timeout",
	[PPP_DOWN_NO_RANDOM] = "No random numbers for a challenge",
};

const char *ppp_down_reason_text(enum ppp_down_reason why)
{
	if ((unsigned)why >= PPP_DOWN_NREASONS)
		return "?";
	return down_texts[why];
}

const char *ppp_auth_method_name(enum ppp_auth_method m)
{
	switch (m) {
	case PPP_AUTH_NONE: return "none";
	case PPP_AUTH_PAP: return "PAP";
	case PPP_AUTH_CHAP_MD5: return "CHAP-MD5";
	case PPP_AUTH_MSCHAPV2: return "MS-CHAPv2";
	case PPP_AUTH_EAP: return "EAP";
	default: return "?";
	}
}

void ppp_config_defaults(struct ppp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mru = PPP_DEFAULT_MRU;
	cfg->restart_ms = 3000;		/* RFC 1661 4.6 */
	cfg->max_configure = 10;	/* RFC 1661 4.6 */
	cfg->max_terminate = 2;		/* RFC 1661 4.6 */
	cfg->max_failure = 5;		/* RFC 1661 4.6 */
	cfg->loopback_limit = 5;
	cfg->echo_interval_ms = 30000;
	cfg->echo_failures = 4;
	cfg->auth_timeout_ms = 30000;
	cfg->address_control = true;
	cfg->name = "ppp-core";
	cfg->client_request_dns = true;
	cfg->client_request_nbns = true;
}

static void update_timer(struct ppp_session *s)
{
	uint64_t d = ppp_next_deadline(s);

	if (d != s->timer) {
		s->timer = d;
		if (s->cfg->cb.set_timer)
			s->cfg->cb.set_timer(s->ctx, d);
	}
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

uint64_t ppp_next_deadline(const struct ppp_session *s)
{
	uint64_t d = 0;

	d = earliest(d, s->lcp.deadline);
	d = earliest(d, s->ipcp.deadline);
	d = earliest(d, s->ipv6cp.deadline);
	d = earliest(d, s->lcp_st.echo_deadline);
	d = earliest(d, s->auth.deadline);
	d = earliest(d, s->auth.phase_deadline);
	return d;
}

void ppp_session_init(struct ppp_session *s, const struct ppp_config *cfg,
		      enum ppp_role role, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->ctx = ctx;
	s->role = (uint8_t)role;
	s->phase = PPP_PHASE_DEAD;
	ppp_fsm_init(&s->lcp, &ppp_lcp_ops, s, cfg->restart_ms,
		     cfg->max_configure, cfg->max_terminate, cfg->max_failure);
	ppp_fsm_init(&s->ipcp, &ppp_ipcp_ops, s, cfg->restart_ms,
		     cfg->max_configure, cfg->max_terminate, cfg->max_failure);
	ppp_fsm_init(&s->ipv6cp, &ppp_ipv6cp_ops, s, cfg->restart_ms,
		     cfg->max_configure, cfg->max_terminate, cfg->max_failure);
	/* Retransmissions keep their Identifier (RFC 1661 5.1 allows it), so
	 * a peer that lost our Ack can be told apart from a renegotiation:
	 * under loss that saves a restart of authentication and the NCPs. */
	s->lcp.keep_id_on_retransmit = true;
	s->ipcp.keep_id_on_retransmit = true;
	s->ipv6cp.keep_id_on_retransmit = true;
	if (role == PPP_CLIENT) {
		s->profile.ipcp = true;
		s->profile.ipv6cp = cfg->client_ipv6cp;
	}
	ppp_lcp_init_state(s);
}

void ppp_set_auth_methods(struct ppp_session *s,
			  const enum ppp_auth_method *order, size_t n)
{
	s->auth_order_len = 0;
	for (size_t i = 0; i < n && s->auth_order_len < PPP_AUTH_NMETHODS; i++) {
		if (order[i] <= PPP_AUTH_NONE || order[i] >= PPP_AUTH_NMETHODS)
			continue;
		bool dup = false;

		for (size_t j = 0; j < s->auth_order_len; j++)
			dup = dup || s->auth_order[j] == order[i];
		if (dup)
			continue;
		s->auth_order[s->auth_order_len++] = (uint8_t)order[i];
	}
	ppp_lcp_init_state(s);
}

void ppp_set_profile(struct ppp_session *s, const struct ppp_profile *p)
{
	s->profile = *p;
	s->profile_set = true;
}

const struct ppp_stats *ppp_session_stats(const struct ppp_session *s)
{
	return &s->stats;
}

static enum ppp_counter_proto counter_of(uint16_t proto)
{
	switch (proto) {
	case PPP_PROTO_LCP: return PPP_CNT_LCP;
	case PPP_PROTO_PAP: return PPP_CNT_PAP;
	case PPP_PROTO_CHAP: return PPP_CNT_CHAP;
	case PPP_PROTO_EAP: return PPP_CNT_EAP;
	case PPP_PROTO_IPCP: return PPP_CNT_IPCP;
	case PPP_PROTO_IPV6CP: return PPP_CNT_IPV6CP;
	case PPP_PROTO_IP: return PPP_CNT_IP;
	case PPP_PROTO_IPV6: return PPP_CNT_IPV6;
	default: return PPP_CNT_OTHER;
	}
}

void ppp_send_proto(struct ppp_session *s, uint16_t proto, const uint8_t *pkt,
		    size_t len)
{
	uint8_t frame[PPP_MAX_FRAME + 8];
	size_t off = 0;

	if (s->phase == PPP_PHASE_DEAD && s->down_reported)
		return;	/* lower layer gone: nothing may be sent */
	/* RFC 1662 3.2: LCP frames always carry address/control; we send
	 * them on every frame (ACFC is a permission, not a duty). */
	if (s->cfg->address_control) {
		frame[off++] = 0xFF;
		frame[off++] = 0x03;
	}
	frame[off++] = (uint8_t)(proto >> 8);
	frame[off++] = (uint8_t)proto;
	if (len > sizeof(frame) - off)
		len = sizeof(frame) - off;
	memcpy(frame + off, pkt, len);
	s->stats.tx[counter_of(proto)]++;
	s->cfg->cb.send(s->ctx, frame, off + len);
}

void ppp_send_packet(struct ppp_session *s, uint16_t proto, uint8_t code,
		     uint8_t id, const uint8_t *data, size_t len)
{
	uint8_t pkt[PPP_MAX_FRAME];

	if (len > sizeof(pkt) - 4)
		len = sizeof(pkt) - 4;
	pkt[0] = code;
	pkt[1] = id;
	pkt[2] = (uint8_t)((len + 4) >> 8);
	pkt[3] = (uint8_t)(len + 4);
	if (len)
		memcpy(pkt + 4, data, len);
	ppp_send_proto(s, proto, pkt, len + 4);
}

void ppp_emit(struct ppp_session *s, const struct ppp_event *ev)
{
	if (s->cfg->cb.event)
		s->cfg->cb.event(s->ctx, ev);
}

void ppp_count_bad(struct ppp_session *s, enum ppp_malformed why)
{
	if ((unsigned)why < PPP_BAD_NREASONS)
		s->stats.malformed[why]++;
}

bool ppp_random_bytes(struct ppp_session *s, void *buf, size_t len)
{
	return s->cfg->cb.random(s->ctx, buf, len) == 0;
}

uint32_t ppp_random_u32(struct ppp_session *s)
{
	uint8_t b[4] = { 0 };

	if (!ppp_random_bytes(s, b, sizeof(b)))
		return 0;	/* the callers treat 0 as "draw failed" */
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

bool ppp_next_option(struct ppp_reader *rd, uint8_t *type, const uint8_t **body,
		     size_t *blen)
{
	uint8_t olen;

	if (!ppp_get_u8(rd, type) || !ppp_get_u8(rd, &olen) || olen < 2)
		return false;
	*blen = (size_t)olen - 2;
	return ppp_get_bytes(rd, *blen, body);
}

int ppp_options_valid(struct ppp_session *s, const uint8_t *opts, size_t len)
{
	struct ppp_reader r;

	ppp_reader_init(&r, opts, len);
	while (ppp_reader_left(&r) > 0) {
		uint8_t type, olen;
		const uint8_t *body;

		if (!ppp_get_u8(&r, &type) || !ppp_get_u8(&r, &olen)) {
			ppp_count_bad(s, PPP_BAD_OPTION_TRUNCATED);
			return -1;
		}
		if (olen < 2) {
			ppp_count_bad(s, PPP_BAD_OPTION_ZERO_LENGTH);
			return -1;
		}
		if (!ppp_get_bytes(&r, (size_t)olen - 2, &body)) {
			ppp_count_bad(s, PPP_BAD_OPTION_TRUNCATED);
			return -1;
		}
	}
	return 0;
}

void ppp_report_down(struct ppp_session *s, enum ppp_down_reason fallback)
{
	struct ppp_event ev;

	if (s->down_reported)
		return;
	if (s->down_reason == PPP_DOWN_NONE)
		s->down_reason = (uint8_t)fallback;
	s->down_reported = true;
	ppp_set_phase(s, PPP_PHASE_DEAD,
		      ppp_down_reason_text((enum ppp_down_reason)s->down_reason));
	s->lcp_st.echo_deadline = 0;
	s->auth.deadline = 0;
	s->auth.phase_deadline = 0;
	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_LINK_DOWN;
	ev.u.link_down.reason = (enum ppp_down_reason)s->down_reason;
	ev.u.link_down.text = ppp_down_reason_text(ev.u.link_down.reason);
	ppp_emit(s, &ev);
}

void ppp_link_close(struct ppp_session *s, enum ppp_down_reason why)
{
	if (s->down_reason == PPP_DOWN_NONE)
		s->down_reason = (uint8_t)why;
	if (s->phase != PPP_PHASE_DEAD)
		ppp_set_phase(s, PPP_PHASE_TERMINATE,
			      ppp_down_reason_text((enum ppp_down_reason)s->down_reason));
	s->auth.deadline = 0;
	s->auth.phase_deadline = 0;
	ppp_fsm_close(&s->lcp);
}

/* RFC 1661 3.5: authentication done (or not needed): open the NCPs the
 * profile allows.  They are opened and brought up in the same call that
 * sends the authentication Success, so the peer's first NCP request,
 * sent as soon as it sees Success, always finds its automaton running. */
void ppp_enter_network(struct ppp_session *s)
{
	ppp_set_phase(s, PPP_PHASE_NETWORK,
		      s->phase == PPP_PHASE_AUTHENTICATE ? "auth success" : "LCP up");
	s->auth.deadline = 0;
	s->auth.phase_deadline = 0;
	ppp_ipcp_init_state(s);
	ppp_ipv6cp_init_state(s);
	if (s->profile.ipcp) {
		ppp_fsm_open(&s->ipcp);
		ppp_fsm_up(&s->ipcp);
	}
	if (s->profile.ipv6cp) {
		ppp_fsm_open(&s->ipv6cp);
		ppp_fsm_up(&s->ipv6cp);
	}
	if (!s->profile.ipcp && !s->profile.ipv6cp)
		ppp_link_close(s, PPP_DOWN_NO_NCP);
}

static bool ncp_alive(const struct ppp_fsm *f)
{
	return f->state >= PPP_FSM_REQ_SENT;
}

/* An NCP finished (This-Layer-Finished).  When none is left running the
 * link has no purpose: close it (as pppd does). */
void ppp_ncp_finished(struct ppp_session *s)
{
	if (s->phase != PPP_PHASE_NETWORK)
		return;
	if (!ncp_alive(&s->ipcp) && !ncp_alive(&s->ipv6cp))
		ppp_link_close(s, PPP_DOWN_NO_NCP);
}

void ppp_start(struct ppp_session *s, uint64_t now)
{
	s->now = now;
	ppp_set_phase(s, PPP_PHASE_ESTABLISH, "start");
	ppp_lcp_init_state(s);
	ppp_fsm_open(&s->lcp);
	ppp_fsm_up(&s->lcp);
	update_timer(s);
}

void ppp_close(struct ppp_session *s, uint64_t now, enum ppp_down_reason why)
{
	s->now = now;
	ppp_link_close(s, why);
	/* Closing before LCP ever got going finishes at once: report. */
	if (s->lcp.state == PPP_FSM_INITIAL || s->lcp.state == PPP_FSM_CLOSED)
		ppp_report_down(s, why);
	update_timer(s);
}

void ppp_lower_down(struct ppp_session *s, uint64_t now)
{
	s->now = now;
	if (s->down_reason == PPP_DOWN_NONE)
		s->down_reason = PPP_DOWN_LOWER_LAYER;
	/* RFC 1661 3.x: Down to every layer; the NCPs first. */
	if (s->ipcp.state >= PPP_FSM_CLOSED)
		ppp_fsm_down(&s->ipcp);
	if (s->ipv6cp.state >= PPP_FSM_CLOSED)
		ppp_fsm_down(&s->ipv6cp);
	if (s->lcp.state >= PPP_FSM_CLOSED)
		ppp_fsm_down(&s->lcp);
	s->lcp.deadline = s->ipcp.deadline = s->ipv6cp.deadline = 0;
	ppp_auth_reset(s);
	ppp_report_down(s, PPP_DOWN_LOWER_LAYER);
	update_timer(s);
}

void ppp_timer_expired(struct ppp_session *s, uint64_t now)
{
	s->now = now;
	if (s->lcp.deadline && s->lcp.deadline <= now)
		ppp_fsm_timeout(&s->lcp);
	if (s->ipcp.deadline && s->ipcp.deadline <= now)
		ppp_fsm_timeout(&s->ipcp);
	if (s->ipv6cp.deadline && s->ipv6cp.deadline <= now)
		ppp_fsm_timeout(&s->ipv6cp);
	if ((s->auth.deadline && s->auth.deadline <= now) ||
	    (s->auth.phase_deadline && s->auth.phase_deadline <= now))
		ppp_auth_timer(s);
	if (s->lcp_st.echo_deadline && s->lcp_st.echo_deadline <= now)
		ppp_lcp_echo_timer(s);
	update_timer(s);
}

static bool is_auth_proto(uint16_t proto)
{
	return proto == PPP_PROTO_PAP || proto == PPP_PROTO_CHAP ||
	       proto == PPP_PROTO_EAP;
}

static enum ppp_input_result drop(struct ppp_session *s, uint16_t proto,
				  enum ppp_malformed why)
{
	s->stats.drop[counter_of(proto)]++;
	ppp_count_bad(s, why);
	return PPP_INPUT_DROPPED;
}

static enum ppp_input_result input(struct ppp_session *s, const uint8_t *frame,
				   size_t len, struct ppp_data *data)
{
	struct ppp_reader r;
	uint8_t b0, b1;
	uint16_t proto;
	const uint8_t *info;
	size_t ilen;

	ppp_reader_init(&r, frame, len);
	/* RFC 1662 3.1: address/control FF 03 may be present or, once ACFC
	 * is agreed, absent; accept both whatever was negotiated (L2TP
	 * peers differ, and a protocol field never starts with FF). */
	if (len >= 2 && frame[0] == 0xFF && frame[1] == 0x03)
		r.off = 2;
	/* RFC 1661 2: the protocol field's last octet is odd, the others
	 * even; a one-octet field is the PFC-compressed form. */
	if (!ppp_get_u8(&r, &b0)) {
		ppp_count_bad(s, PPP_BAD_FRAME_SHORT);
		s->stats.drop[PPP_CNT_OTHER]++;
		return PPP_INPUT_DROPPED;
	}
	if (b0 & 1) {
		proto = b0;
	} else {
		if (!ppp_get_u8(&r, &b1)) {
			ppp_count_bad(s, PPP_BAD_FRAME_SHORT);
			s->stats.drop[PPP_CNT_OTHER]++;
			return PPP_INPUT_DROPPED;
		}
		if (!(b1 & 1)) {
			ppp_count_bad(s, PPP_BAD_PROTOCOL_FIELD);
			s->stats.drop[PPP_CNT_OTHER]++;
			return PPP_INPUT_DROPPED;
		}
		proto = (uint16_t)(b0 << 8 | b1);
	}
	info = frame + r.off;
	ilen = ppp_reader_left(&r);
	s->stats.rx[counter_of(proto)]++;

	if (proto == PPP_PROTO_LCP) {
		/* A peer's Terminate-Request names the reason the link will
		 * finish with, later, when the automaton's tlf runs. */
		if (ilen >= 4 && info[0] == PPP_TERM_REQ &&
		    s->down_reason == PPP_DOWN_NONE &&
		    s->lcp.state >= PPP_FSM_REQ_SENT)
			s->down_reason = PPP_DOWN_PEER_TERMINATE;
		ppp_fsm_input(&s->lcp, info, ilen);
		return PPP_INPUT_CONSUMED;
	}
	/* RFC 1994 4.2 / RFC 1334 2.2.1: after a refusal LCP is Closing,
	 * and a peer that lost our Failure/Nak repeats its Response: it
	 * gets the same reply until the link is down. */
	if (is_auth_proto(proto) && s->lcp.state == PPP_FSM_CLOSING &&
	    ppp_auth_failed_as_server(s)) {
		ppp_auth_input(s, proto, info, ilen);
		return PPP_INPUT_CONSUMED;
	}
	/* RFC 1661 3.x: nothing but LCP before LCP is Opened. */
	if (!ppp_fsm_is_opened(&s->lcp))
		return drop(s, proto, PPP_BAD_NOT_OPEN);

	if (is_auth_proto(proto)) {
		ppp_auth_input(s, proto, info, ilen);
		return PPP_INPUT_CONSUMED;
	}
	switch (proto) {
	case PPP_PROTO_IPCP:
	case PPP_PROTO_IPV6CP: {
		bool allowed = proto == PPP_PROTO_IPCP ? s->profile.ipcp
						       : s->profile.ipv6cp;
		struct ppp_fsm *f = proto == PPP_PROTO_IPCP ? &s->ipcp
							    : &s->ipv6cp;

		/* RFC 1661 3.5: NCP packets before the network phase are
		 * discarded (a correct peer waits for Success, and we open
		 * the NCPs before sending it). */
		if (s->phase != PPP_PHASE_NETWORK) {
			if (s->phase == PPP_PHASE_AUTHENTICATE ||
			    s->phase == PPP_PHASE_ESTABLISH)
				return drop(s, proto, PPP_BAD_NOT_OPEN);
			return drop(s, proto, PPP_BAD_UNEXPECTED);
		}
		if (!allowed) {
			/* Not granted: reject the protocol so the peer
			 * stops (RFC 1661 5.7), as for any we do not run. */
			ppp_lcp_protocol_reject(s, proto, info, ilen);
			return PPP_INPUT_CONSUMED;
		}
		ppp_fsm_input(f, info, ilen);
		return PPP_INPUT_CONSUMED;
	}
	case PPP_PROTO_IP:
	case PPP_PROTO_IPV6: {
		const struct ppp_fsm *f = proto == PPP_PROTO_IP ? &s->ipcp
								: &s->ipv6cp;

		if (!ppp_fsm_is_opened(f))
			return drop(s, proto, PPP_BAD_NOT_OPEN);
		if (data) {
			data->protocol = proto;
			data->payload = info;
			data->len = ilen;
		}
		return PPP_INPUT_DATA;
	}
	default:
		/* CCP/MPPE, BACP, multilink, anything else: Protocol-Reject
		 * (RFC 1661 5.7).  With IPsec underneath no MPPE is needed,
		 * and a rejected CCP never touches IPCP. */
		ppp_lcp_protocol_reject(s, proto, info, ilen);
		return PPP_INPUT_CONSUMED;
	}
}

enum ppp_input_result ppp_input(struct ppp_session *s, uint64_t now,
				const uint8_t *frame, size_t len,
				struct ppp_data *data)
{
	enum ppp_input_result rc;

	s->now = now;
	if (s->down_reported) {
		/* After LINK_DOWN the session only waits to be freed. */
		s->stats.drop[PPP_CNT_OTHER]++;
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return PPP_INPUT_DROPPED;
	}
	rc = input(s, frame, len, data);
	update_timer(s);
	return rc;
}

/* Called by the auth module after ppp_auth_answer(), etc. */
void ppp_session_settle(struct ppp_session *s);
void ppp_session_settle(struct ppp_session *s)
{
	update_timer(s);
}
