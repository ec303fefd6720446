/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LCP (RFC 1661 section 6 options, 5.7-5.9 extra codes; RFC 1570
 * Identification and Time-Remaining): the option handlers the automaton
 * calls, echo keepalive, loop detection, Protocol-Reject.
 */
#include "internal.h"

#include <string.h>

static uint64_t lcp_now(void *ctx)
{
	return session_of(ctx)->now;
}

static void lcp_malformed(void *ctx, enum ppp_malformed why)
{
	ppp_count_bad(session_of(ctx), why);
}

static void lcp_send(void *ctx, uint16_t protocol, const uint8_t *pkt,
		     size_t len)
{
	ppp_send_proto(session_of(ctx), protocol, pkt, len);
}

static uint32_t fresh_magic(struct ppp_session *s, uint32_t avoid)
{
	uint32_t m;

	/* RFC 1661 6.4: zero is not a magic number; and the new one must
	 * differ from the one that collided. A few draws at most: a failed
	 * source (0 every time) must not spin. The magic number detects
	 * loops; it is no secret, so a fixed fallback is safe. */
	for (int i = 0; i < 8; i++) {
		m = ppp_random_u32(s);
		if (m != 0 && m != avoid)
			return m;
	}
	return avoid == 0x4c32544c ? 0x4c32544d : 0x4c32544c;
}

void ppp_lcp_init_state(struct ppp_session *s)
{
	struct ppp_lcp_state *l = &s->lcp_st;

	memset(l, 0, sizeof(*l));
	l->mru = s->cfg->mru ? s->cfg->mru : PPP_DEFAULT_MRU;
	l->peer_mru = 1500;	/* RFC 1661 6.1 default */
	l->want = LCP_WANT_MRU | LCP_WANT_MAGIC;
	if (s->role == PPP_SERVER && s->auth_order_len > 0) {
		l->want |= LCP_WANT_AUTH;
		l->auth = s->auth_order[0];
	}
}

/* The Authentication-Protocol option for a method (RFC 1661 6.2, RFC 1994
 * 3, RFC 2759 2, RFC 3748 3). */
size_t ppp_auth_option(enum ppp_auth_method m, uint8_t *buf, size_t cap)
{
	struct ppp_writer w;

	ppp_writer_init(&w, buf, cap);
	switch (m) {
	case PPP_AUTH_PAP:
		ppp_put_u8(&w, LCP_OPT_AUTH);
		ppp_put_u8(&w, 4);
		ppp_put_u16(&w, PPP_PROTO_PAP);
		break;
	case PPP_AUTH_CHAP_MD5:
	case PPP_AUTH_MSCHAPV2:
		ppp_put_u8(&w, LCP_OPT_AUTH);
		ppp_put_u8(&w, 5);
		ppp_put_u16(&w, PPP_PROTO_CHAP);
		ppp_put_u8(&w, m == PPP_AUTH_CHAP_MD5 ? CHAP_ALG_MD5
						      : CHAP_ALG_MSCHAPV2);
		break;
	case PPP_AUTH_EAP:
		ppp_put_u8(&w, LCP_OPT_AUTH);
		ppp_put_u8(&w, 4);
		ppp_put_u16(&w, PPP_PROTO_EAP);
		break;
	default:
		return 0;
	}
	return w.overflow ? 0 : w.len;
}

/* Which method an Authentication-Protocol option body names. */
static enum ppp_auth_method auth_method_of(const uint8_t *body, size_t len)
{
	uint16_t proto;

	if (len < 2)
		return PPP_AUTH_NONE;
	proto = (uint16_t)(body[0] << 8 | body[1]);
	if (proto == PPP_PROTO_PAP && len == 2)
		return PPP_AUTH_PAP;
	if (proto == PPP_PROTO_EAP && len == 2)
		return PPP_AUTH_EAP;
	if (proto == PPP_PROTO_CHAP && len == 3) {
		if (body[2] == CHAP_ALG_MD5)
			return PPP_AUTH_CHAP_MD5;
		if (body[2] == CHAP_ALG_MSCHAPV2)
			return PPP_AUTH_MSCHAPV2;
	}
	return PPP_AUTH_NONE;
}

static size_t lcp_build_conf_req(void *ctx, uint8_t *buf, size_t cap)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_lcp_state *l = &s->lcp_st;
	struct ppp_writer w;

	ppp_writer_init(&w, buf, cap);
	if (l->want & LCP_WANT_MRU) {
		ppp_put_u8(&w, LCP_OPT_MRU);
		ppp_put_u8(&w, 4);
		ppp_put_u16(&w, l->mru);
	}
	if (l->want & LCP_WANT_AUTH) {
		uint8_t opt[8];
		size_t n = ppp_auth_option((enum ppp_auth_method)l->auth, opt,
					   sizeof(opt));

		ppp_put_bytes(&w, opt, n);
	}
	if (l->want & LCP_WANT_MAGIC) {
		if (l->magic == 0)
			l->magic = fresh_magic(s, 0);
		ppp_put_u8(&w, LCP_OPT_MAGIC);
		ppp_put_u8(&w, 6);
		ppp_put_u32(&w, l->magic);
	}
	return w.len;
}

static void close_from_hook(struct ppp_session *s, enum ppp_down_reason why)
{
	ppp_link_close(s, why);
}

static uint8_t lcp_recv_conf_req(void *ctx, const uint8_t *opts, size_t len,
				 bool reject_naks, uint8_t *out, size_t cap,
				 size_t *out_len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_lcp_state *l = &s->lcp_st;
	uint8_t nakbuf[512], rejbuf[512];
	struct reply r;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;
	uint32_t seen = 0;	/* bit per option type < 32 */
	uint16_t peer_mru = 1500;
	uint8_t peer_flags = 0;
	uint32_t peer_magic = 0;
	uint8_t client_auth = PPP_AUTH_NONE;
	bool loop_suspect = false;

	if (ppp_options_valid(s, opts, len) < 0)
		return 0;
	ppp_writer_init(&r.nak, nakbuf, sizeof(nakbuf));
	ppp_writer_init(&r.rej, rejbuf, sizeof(rejbuf));
	r.reject_naks = reject_naks;

	ppp_reader_init(&rd, opts, len);
	/* Structure checked above: every option reads whole. */
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		if (type < 32 && (seen & (1u << type))) {
			/* The same option twice: Reject the repeat so the
			 * peer sends one (RFC 1661 leaves it undefined). */
			ppp_count_bad(s, PPP_BAD_OPTION_DUPLICATE);
			reply_reject(&r, type, body, blen);
			continue;
		}
		if (type < 32)
			seen |= 1u << type;

		switch (type) {
		case LCP_OPT_MRU: {
			/* RFC 1661 6.1.  What the peer can receive; we Nak
			 * only sizes too small to carry our control frames. */
			uint16_t v;

			if (blen != 2) {
				ppp_count_bad(s, PPP_BAD_OPTION_LENGTH);
				reply_reject(&r, type, body, blen);
				break;
			}
			v = (uint16_t)(body[0] << 8 | body[1]);
			if (v < PPP_MIN_MRU) {
				uint8_t nb[2] = { PPP_MIN_MRU >> 8,
						  PPP_MIN_MRU & 0xFF };

				reply_nak(&r, type, nb, 2, body, blen);
				break;
			}
			peer_mru = v;
			peer_flags |= LCP_PEER_MRU;
			break;
		}
		case LCP_OPT_ACCM:
			/* RFC 1662 7.1: only meaningful on async HDLC
			 * links; over L2TP there is none, so any map is
			 * harmless: Ack it (pppd always sends it). */
			if (blen != 4) {
				ppp_count_bad(s, PPP_BAD_OPTION_LENGTH);
				reply_reject(&r, type, body, blen);
			}
			break;
		case LCP_OPT_AUTH: {
			enum ppp_auth_method m = auth_method_of(body, blen);

			if (s->role == PPP_SERVER) {
				/* We authenticate the client; it does not
				 * authenticate us. */
				reply_reject(&r, type, body, blen);
				break;
			}
			/* Client: RFC 1661 6.2, Nak with the protocol we
			 * would rather use when we cannot do this one. */
			if (m != PPP_AUTH_NONE && ppp_auth_method_allowed(s, m)) {
				client_auth = (uint8_t)m;
				break;
			}
			{
				/* Our first choice, or the strongest we
				 * implement when any is acceptable. */
				enum ppp_auth_method want = s->auth_order_len
					? (enum ppp_auth_method)s->auth_order[0]
					: PPP_AUTH_MSCHAPV2;
				uint8_t opt[8];
				size_t n;

				n = ppp_auth_option(want, opt, sizeof(opt));
				if (n >= 2)
					reply_nak(&r, type, opt + 2, n - 2,
						  body, blen);
				else
					reply_reject(&r, type, body, blen);
			}
			break;
		}
		case LCP_OPT_MAGIC: {
			uint32_t v;

			if (blen != 4) {
				ppp_count_bad(s, PPP_BAD_OPTION_LENGTH);
				reply_reject(&r, type, body, blen);
				break;
			}
			v = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 |
			    (uint32_t)body[2] << 8 | body[3];
			/* RFC 1661 6.4: equal to ours means the link may be
			 * looped back: Nak with a different number. */
			if ((l->want & LCP_WANT_MAGIC) && v == l->magic) {
				uint8_t nb[4];
				uint32_t m = fresh_magic(s, v);

				loop_suspect = true;
				l->nak_magic = m;
				nb[0] = (uint8_t)(m >> 24);
				nb[1] = (uint8_t)(m >> 16);
				nb[2] = (uint8_t)(m >> 8);
				nb[3] = (uint8_t)m;
				reply_nak(&r, type, nb, 4, body, blen);
				break;
			}
			peer_magic = v;
			peer_flags |= LCP_PEER_MAGIC;
			break;
		}
		case LCP_OPT_PFC:
		case LCP_OPT_ACFC:
			/* RFC 1661 6.5/6.6: the peer may receive compressed
			 * fields; we accept both forms on input anyway. */
			if (blen != 0) {
				ppp_count_bad(s, PPP_BAD_OPTION_LENGTH);
				reply_reject(&r, type, body, blen);
				break;
			}
			peer_flags |= type == LCP_OPT_PFC ? LCP_PEER_PFC
							  : LCP_PEER_ACFC;
			break;
		default:
			/* Quality protocol, callback (13, CBCP), MRRU (17),
			 * short sequence (18), endpoint discriminator (19),
			 * link discriminator (23) and anything unknown:
			 * multilink and callback are not offered, so
			 * Configure-Reject (RFC 1661 5.4); Windows re-sends
			 * without them. */
			reply_reject(&r, type, body, blen);
			break;
		}
	}
	if (r.nak.overflow || r.rej.overflow) {
		ppp_count_bad(s, PPP_BAD_OPTION_TRUNCATED);
		return 0;
	}
	if (loop_suspect) {
		l->loop_count++;
		if (l->loop_count >= s->cfg->loopback_limit)
			close_from_hook(s, PPP_DOWN_LOOPBACK);
		/* RFC 1661 6.4: answer a possibly looped-back request
		 * with the magic-number Nak alone, even if other options
		 * would be rejected: only that Nak coming back to us can
		 * prove the loop (a Reject of our own options would end
		 * the link for the wrong reason). */
		if (!reject_naks) {
			uint8_t nb[6] = { LCP_OPT_MAGIC, 6,
					  (uint8_t)(l->nak_magic >> 24),
					  (uint8_t)(l->nak_magic >> 16),
					  (uint8_t)(l->nak_magic >> 8),
					  (uint8_t)l->nak_magic };
			size_t n = cap < sizeof(nb) ? cap : sizeof(nb);

			memcpy(out, nb, n);
			*out_len = n;
			return PPP_CONF_NAK;
		}
	}
	{
		uint8_t code = reply_finish(&r, out, cap, out_len, nakbuf,
					    rejbuf);

		if (code == PPP_CONF_ACK) {
			/* Only an acknowledged request states what the peer
			 * has agreed (RFC 1661 5.2). */
			l->peer_mru = peer_mru;
			l->peer_flags = peer_flags;
			l->peer_magic = peer_magic;
			if (s->role == PPP_CLIENT)
				l->auth = client_auth;
		}
		return code;
	}
}

/* Server: the peer will not do l->auth; move to the next method in our
 * order it has not refused, or give up. */
static void next_auth_method(struct ppp_session *s, enum ppp_auth_method hint)
{
	struct ppp_lcp_state *l = &s->lcp_st;

	l->auth_refused |= (uint8_t)(1u << l->auth);
	if (hint != PPP_AUTH_NONE && ppp_auth_method_allowed(s, hint) &&
	    !(l->auth_refused & (1u << hint))) {
		l->auth = (uint8_t)hint;
		return;
	}
	for (size_t i = 0; i < s->auth_order_len; i++) {
		uint8_t m = s->auth_order[i];

		if (!(l->auth_refused & (1u << m))) {
			l->auth = m;
			return;
		}
	}
	close_from_hook(s, PPP_DOWN_NO_AUTH_METHOD);
}

static int lcp_recv_conf_nak(void *ctx, const uint8_t *opts, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_lcp_state *l = &s->lcp_st;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;

	if (ppp_options_valid(s, opts, len) < 0)
		return -1;
	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		switch (type) {
		case LCP_OPT_MRU:
			if (!(l->want & LCP_WANT_MRU) || blen != 2)
				break;
			{
				uint16_t v = (uint16_t)(body[0] << 8 | body[1]);

				/* A pppd-like peer suggests its own value:
				 * take it when sane, else stop asking (the
				 * default 1500 applies). */
				if (v >= PPP_MIN_MRU && v <= 1500)
					l->mru = v;
				else
					l->want &= (uint8_t)~LCP_WANT_MRU;
			}
			break;
		case LCP_OPT_AUTH:
			if (s->role != PPP_SERVER || !(l->want & LCP_WANT_AUTH))
				break;
			/* RFC 1661 6.2: the Nak names the protocol the
			 * peer would rather use. */
			next_auth_method(s, auth_method_of(body, blen));
			if (s->lcp.state == PPP_FSM_CLOSING)
				return -1;
			break;
		case LCP_OPT_MAGIC:
			if (!(l->want & LCP_WANT_MAGIC) || blen != 4)
				break;
			{
				uint32_t v = (uint32_t)body[0] << 24 |
					     (uint32_t)body[1] << 16 |
					     (uint32_t)body[2] << 8 | body[3];

				/* RFC 1661 6.4: a Nak carrying the number we
				 * ourselves suggested is our own Nak coming
				 * back: a looped link. */
				if (l->nak_magic && v == l->nak_magic) {
					l->loop_count++;
					if (l->loop_count >= s->cfg->loopback_limit) {
						close_from_hook(s, PPP_DOWN_LOOPBACK);
						return -1;
					}
				}
				l->magic = fresh_magic(s, l->magic);
			}
			break;
		default:
			/* Options the peer would like us to add: none we
			 * want to send (RFC 1661 5.3 allows ignoring). */
			break;
		}
	}
	return 0;
}

static int lcp_recv_conf_rej(void *ctx, const uint8_t *opts, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_lcp_state *l = &s->lcp_st;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;
	uint8_t drop = 0;

	if (ppp_options_valid(s, opts, len) < 0)
		return -1;
	/* RFC 1661 5.4: a Reject lists only options we sent; validate the
	 * whole list before acting on any of it. */
	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		if (type == LCP_OPT_MRU && (l->want & LCP_WANT_MRU))
			drop |= LCP_WANT_MRU;
		else if (type == LCP_OPT_AUTH && (l->want & LCP_WANT_AUTH))
			drop |= LCP_WANT_AUTH;
		else if (type == LCP_OPT_MAGIC && (l->want & LCP_WANT_MAGIC))
			drop |= LCP_WANT_MAGIC;
		else {
			ppp_count_bad(s, PPP_BAD_NAK_REJ_INVALID);
			return -1;
		}
	}
	if (drop & LCP_WANT_AUTH) {
		/* The peer refuses to authenticate at all: a server
		 * that requires it cannot go on. */
		close_from_hook(s, PPP_DOWN_NO_AUTH_METHOD);
		return -1;
	}
	l->want &= (uint8_t)~drop;
	if (drop & LCP_WANT_MAGIC)
		l->magic = 0;
	return 0;
}

static void lcp_layer_up(void *ctx)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_lcp_state *l = &s->lcp_st;
	struct ppp_event ev;

	l->loop_count = 0;
	l->echo_outstanding = 0;
	if (s->cfg->echo_interval_ms)
		l->echo_deadline = s->now + s->cfg->echo_interval_ms;
	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_LINK_UP;
	/* RFC 1661 3.4/3.5: authenticate if agreed, else network. */
	if ((s->role == PPP_SERVER && (l->want & LCP_WANT_AUTH)) ||
	    (s->role == PPP_CLIENT && l->auth != PPP_AUTH_NONE)) {
		ppp_set_phase(s, PPP_PHASE_AUTHENTICATE, "LCP up");
		ppp_emit(s, &ev);
		ppp_auth_start(s);
	} else {
		ppp_emit(s, &ev);
		ppp_enter_network(s);
	}
}

static void lcp_layer_down(void *ctx)
{
	struct ppp_session *s = session_of(ctx);

	/* RFC 1661 3.7 / 4.4 tld: the layers above go down with LCP. */
	s->lcp_st.echo_deadline = 0;
	if (s->ipcp.state >= PPP_FSM_CLOSED)
		ppp_fsm_down(&s->ipcp);
	if (s->ipv6cp.state >= PPP_FSM_CLOSED)
		ppp_fsm_down(&s->ipv6cp);
	/* Back to Initial: a renegotiation reopens them from scratch. */
	ppp_fsm_reset(&s->ipcp);
	ppp_fsm_reset(&s->ipv6cp);
	ppp_auth_layer_down(s);
	if (s->phase != PPP_PHASE_DEAD)
		ppp_set_phase(s, s->down_reason != PPP_DOWN_NONE ? PPP_PHASE_TERMINATE
								 : PPP_PHASE_ESTABLISH,
			      "LCP down");
}

static void lcp_layer_started(void *ctx)
{
	(void)ctx;	/* the lower layer is the caller's: already up */
}

static void lcp_layer_finished(void *ctx)
{
	struct ppp_session *s = session_of(ctx);
	enum ppp_down_reason why = PPP_DOWN_PEER_TERMINATE;

	/* RFC 1661 4.4 tlf: the link is no longer needed.  Name the
	 * reason from what finished it when no one set one. */
	if (s->lcp.last_event == PPP_FSM_TO_MINUS &&
	    s->down_reason == PPP_DOWN_NONE)
		why = PPP_DOWN_NEGOTIATION_TIMEOUT;
	else if (s->lcp.last_event == PPP_FSM_RXJ_MINUS)
		why = PPP_DOWN_PEER_REJECTED_LCP;
	ppp_auth_reset(s);
	ppp_report_down(s, why);
}

/* Codes 8..13 (RFC 1661 5.7-5.9, RFC 1570). */
static int lcp_classify_other(void *ctx, uint8_t code, const uint8_t *data,
			      size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_reader rd;
	uint32_t magic, seconds = 0;
	struct ppp_event ev;

	ppp_reader_init(&rd, data, len);
	switch (code) {
	case PPP_PROTO_REJ: {
		uint16_t proto;

		if (!ppp_get_u16(&rd, &proto)) {
			ppp_count_bad(s, PPP_BAD_HEADER_TRUNCATED);
			return -1;
		}
		/* RFC 1661 5.7: only meaningful in Opened. */
		if (!ppp_fsm_is_opened(&s->lcp))
			return PPP_FSM_RXJ_PLUS;
		switch (proto) {
		case PPP_PROTO_LCP:
			return PPP_FSM_RXJ_MINUS;
		case PPP_PROTO_IPCP:
			if (s->ipcp.state >= PPP_FSM_CLOSED)
				ppp_fsm_protocol_rejected(&s->ipcp);
			break;
		case PPP_PROTO_IPV6CP:
			if (s->ipv6cp.state >= PPP_FSM_CLOSED)
				ppp_fsm_protocol_rejected(&s->ipv6cp);
			break;
		case PPP_PROTO_PAP:
		case PPP_PROTO_CHAP:
		case PPP_PROTO_EAP:
			if (s->phase == PPP_PHASE_AUTHENTICATE)
				ppp_link_close(s, PPP_DOWN_NO_AUTH_METHOD);
			return -1;
		default:
			break;
		}
		return PPP_FSM_RXJ_PLUS;
	}
	case PPP_ECHO_REQ:
	case PPP_ECHO_REPLY:
	case PPP_DISCARD_REQ:
		/* RFC 1661 5.8: carry a Magic-Number; shorter is broken. */
		if (ppp_reader_left(&rd) < 4) {
			ppp_count_bad(s, PPP_BAD_HEADER_TRUNCATED);
			return -1;
		}
		return PPP_FSM_RXR;
	case PPP_IDENTIFICATION:
	case PPP_TIME_REMAINING:
		/* RFC 1570 2.3/2.4: informational, never Code-Rejected
		 * (Windows sends Identification during LCP). */
		if (!ppp_get_u32(&rd, &magic) ||
		    (code == PPP_TIME_REMAINING && !ppp_get_u32(&rd, &seconds))) {
			ppp_count_bad(s, PPP_BAD_HEADER_TRUNCATED);
			return -1;
		}
		memset(&ev, 0, sizeof(ev));
		ev.type = code == PPP_IDENTIFICATION ? PPP_EVENT_IDENTIFICATION
						     : PPP_EVENT_TIME_REMAINING;
		ev.u.lcp_info.text = data + rd.off;
		ev.u.lcp_info.text_len = ppp_reader_left(&rd);
		ev.u.lcp_info.seconds = seconds;
		ppp_emit(s, &ev);
		return -1;
	default:
		return PPP_FSM_RUC;
	}
}

/* The ser action (RXR in Opened): answer Echo-Request, note Echo-Reply. */
static void lcp_send_echo_reply(void *ctx, uint8_t code, uint8_t id,
				const uint8_t *pkt, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_lcp_state *l = &s->lcp_st;
	uint32_t magic;

	/* pkt is the whole packet; the classify hook checked >= 8. */
	magic = (uint32_t)pkt[4] << 24 | (uint32_t)pkt[5] << 16 |
		(uint32_t)pkt[6] << 8 | pkt[7];
	if (code == PPP_ECHO_REQ) {
		uint8_t data[PPP_MAX_FRAME];
		size_t dlen = len - 4;
		size_t max = l->peer_mru > 4 ? (size_t)l->peer_mru - 4 : 0;

		if (l->magic && magic == l->magic)
			ppp_count_bad(s, PPP_BAD_UNEXPECTED);	/* looped */
		/* RFC 1661 5.8: our magic, the data echoed back, within
		 * the peer's MRU. */
		if (dlen > max)
			dlen = max;
		if (dlen > sizeof(data))
			dlen = sizeof(data);
		memcpy(data, pkt + 4, dlen);
		data[0] = (uint8_t)(l->magic >> 24);
		data[1] = (uint8_t)(l->magic >> 16);
		data[2] = (uint8_t)(l->magic >> 8);
		data[3] = (uint8_t)l->magic;
		ppp_send_packet(s, PPP_PROTO_LCP, PPP_ECHO_REPLY, id, data,
				dlen);
	} else if (code == PPP_ECHO_REPLY) {
		if (l->magic && magic == l->magic) {
			ppp_count_bad(s, PPP_BAD_UNEXPECTED);	/* looped */
			return;
		}
		if (id == l->echo_id && l->echo_outstanding) {
			l->echo_outstanding = 0;
			s->stats.echo_answered++;
		}
	}
}

/* Keepalive (RFC 1661 5.8 Echo-Request): one per interval; a peer that
 * leaves echo_failures of them unanswered is dead. */
void ppp_lcp_echo_timer(struct ppp_session *s)
{
	struct ppp_lcp_state *l = &s->lcp_st;
	uint8_t data[4];

	l->echo_deadline = 0;
	if (!ppp_fsm_is_opened(&s->lcp) || !s->cfg->echo_interval_ms)
		return;
	if (l->echo_outstanding) {
		s->stats.echo_lost++;
		if (l->echo_outstanding >= s->cfg->echo_failures) {
			ppp_link_close(s, PPP_DOWN_DEAD_PEER);
			return;
		}
	}
	l->echo_id++;
	l->echo_outstanding++;
	data[0] = (uint8_t)(l->magic >> 24);
	data[1] = (uint8_t)(l->magic >> 16);
	data[2] = (uint8_t)(l->magic >> 8);
	data[3] = (uint8_t)l->magic;
	s->stats.echo_sent++;
	ppp_send_packet(s, PPP_PROTO_LCP, PPP_ECHO_REQ, l->echo_id, data, 4);
	l->echo_deadline = s->now + s->cfg->echo_interval_ms;
}

/* RFC 1661 5.7: Protocol-Reject, only in LCP Opened; carries the rejected
 * protocol and as much of its information as fits the peer's MRU. */
void ppp_lcp_protocol_reject(struct ppp_session *s, uint16_t proto,
			     const uint8_t *info, size_t len)
{
	uint8_t data[PPP_MAX_FRAME];
	size_t max = s->lcp_st.peer_mru;

	s->stats.drop[PPP_CNT_OTHER]++;
	if (!ppp_fsm_is_opened(&s->lcp))
		return;
	if (max > sizeof(data))
		max = sizeof(data);
	max -= 4 + 2;	/* LCP header, rejected protocol */
	if (len > max)
		len = max;
	data[0] = (uint8_t)(proto >> 8);
	data[1] = (uint8_t)proto;
	memcpy(data + 2, info, len);
	/* Its own Identifier sequence: bumping the Configure-Request one
	 * would make the peer's pending Ack look stale. */
	s->lcp.rej_id++;
	s->stats.protocol_rejects_sent++;
	ppp_send_packet(s, PPP_PROTO_LCP, PPP_PROTO_REJ, s->lcp.rej_id, data,
			len + 2);
}

static size_t lcp_term_data(void *ctx, uint8_t *buf, size_t cap)
{
	struct ppp_session *s = session_of(ctx);
	const char *text = ppp_down_reason_text(
		(enum ppp_down_reason)s->down_reason);
	size_t n = strlen(text);

	if (n > cap)
		n = cap;
	memcpy(buf, text, n);
	return n;
}

const struct ppp_fsm_ops ppp_lcp_ops = {
	.term_data = lcp_term_data,
	.protocol = PPP_PROTO_LCP,
	.name = "LCP",
	.build_conf_req = lcp_build_conf_req,
	.recv_conf_req = lcp_recv_conf_req,
	.recv_conf_nak = lcp_recv_conf_nak,
	.recv_conf_rej = lcp_recv_conf_rej,
	.layer_up = lcp_layer_up,
	.layer_down = lcp_layer_down,
	.layer_started = lcp_layer_started,
	.layer_finished = lcp_layer_finished,
	.classify_other = lcp_classify_other,
	.send_echo_reply = lcp_send_echo_reply,
	.send = lcp_send,
	.now = lcp_now,
	.malformed = lcp_malformed,
	.trace = ppp_fsm_trace,
};
