/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The network control protocols: IPCP (RFC 1332, with RFC 1877 name server
 * options) and IPV6CP (RFC 5072).  Each is only a set of option handlers
 * for the shared automaton.
 */
#include "internal.h"

static uint64_t ncp_now(void *ctx)
{
	return session_of(ctx)->now;
}

static void ncp_malformed(void *ctx, enum ppp_malformed why)
{
	ppp_count_bad(session_of(ctx), why);
}

static void ncp_send(void *ctx, uint16_t protocol, const uint8_t *pkt,
		     size_t len)
{
	ppp_send_proto(session_of(ctx), protocol, pkt, len);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void set_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---------------- IPCP ---------------- */

/* The RFC 1877 options and where their values live. */
static int name_server_index(uint8_t type, bool *is_dns)
{
	switch (type) {
	case IPCP_OPT_DNS1: *is_dns = true; return 0;
	case IPCP_OPT_DNS2: *is_dns = true; return 1;
	case IPCP_OPT_NBNS1: *is_dns = false; return 0;
	case IPCP_OPT_NBNS2: *is_dns = false; return 1;
	default: return -1;
	}
}

static uint8_t want_bit(uint8_t type)
{
	switch (type) {
	case IPCP_OPT_ADDRESS: return IPCP_WANT_ADDR;
	case IPCP_OPT_DNS1: return IPCP_WANT_DNS1;
	case IPCP_OPT_DNS2: return IPCP_WANT_DNS2;
	case IPCP_OPT_NBNS1: return IPCP_WANT_NBNS1;
	case IPCP_OPT_NBNS2: return IPCP_WANT_NBNS2;
	default: return 0;
	}
}

void ppp_ipcp_init_state(struct ppp_session *s)
{
	struct ppp_ipcp_state *ip = &s->ipcp_st;

	memset(ip, 0, sizeof(*ip));
	if (s->role == PPP_SERVER) {
		/* Our own address only; a server asks the client for
		 * nothing else. */
		ip->local_addr = s->profile.local_addr;
		if (ip->local_addr)
			ip->want = IPCP_WANT_ADDR;
	} else {
		/* Like Windows: address 0.0.0.0 ("give me one"), name
		 * servers 0.0.0.0 (RFC 1877 "please Nak with yours"). */
		ip->local_addr = s->profile.peer_addr;
		ip->want = IPCP_WANT_ADDR;
		if (s->cfg->client_request_dns)
			ip->want |= IPCP_WANT_DNS1 | IPCP_WANT_DNS2;
		if (s->cfg->client_request_nbns)
			ip->want |= IPCP_WANT_NBNS1 | IPCP_WANT_NBNS2;
	}
}

static size_t ipcp_build_conf_req(void *ctx, uint8_t *buf, size_t cap)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipcp_state *ip = &s->ipcp_st;
	static const uint8_t order[] = { IPCP_OPT_ADDRESS, IPCP_OPT_DNS1,
					 IPCP_OPT_NBNS1, IPCP_OPT_DNS2,
					 IPCP_OPT_NBNS2 };
	struct ppp_writer w;

	ppp_writer_init(&w, buf, cap);
	for (size_t i = 0; i < sizeof(order); i++) {
		uint8_t type = order[i];
		uint32_t v;
		bool is_dns;
		int idx;

		if (!(ip->want & want_bit(type)))
			continue;
		idx = name_server_index(type, &is_dns);
		if (idx < 0)
			v = ip->local_addr;
		else
			v = is_dns ? ip->dns[idx] : ip->nbns[idx];
		ppp_put_u8(&w, type);
		ppp_put_u8(&w, 6);
		ppp_put_u32(&w, v);
	}
	return w.len;
}

/* Server: judge the client's IP-Address (RFC 1332 3.3). */
static void server_address(struct ppp_session *s, struct reply *r,
			   const uint8_t *body, uint32_t v, uint32_t *accept)
{
	const struct ppp_profile *p = &s->profile;
	uint8_t nb[4];

	if (p->peer_addr && v == p->peer_addr) {
		*accept = v;
		return;
	}
	/* The client's own choice only where policy says so. */
	if (v != 0 && p->allow_peer_address) {
		*accept = v;
		return;
	}
	if (p->peer_addr) {
		/* 0.0.0.0 ("assign me one") or a refused choice: Nak with
		 * the address the caller assigned. */
		set_be32(nb, p->peer_addr);
		reply_nak(r, IPCP_OPT_ADDRESS, nb, 4, body, 4);
		return;
	}
	/* Nothing to give and its own choice not allowed. */
	reply_reject(r, IPCP_OPT_ADDRESS, body, 4);
}

static uint8_t ipcp_recv_conf_req(void *ctx, const uint8_t *opts, size_t len,
				  bool reject_naks, uint8_t *out, size_t cap,
				  size_t *out_len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipcp_state *ip = &s->ipcp_st;
	uint8_t nakbuf[512], rejbuf[512];
	struct reply r;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;
	uint8_t seen[256 / 8] = { 0 };
	uint32_t peer_addr = 0;
	bool addr_seen = false, peer_chose = false;
	uint8_t code;

	if (ppp_options_valid(s, opts, len) < 0)
		return 0;
	ppp_writer_init(&r.nak, nakbuf, sizeof(nakbuf));
	ppp_writer_init(&r.rej, rejbuf, sizeof(rejbuf));
	r.reject_naks = reject_naks;

	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		bool is_dns;
		int idx;


		if (seen[type / 8] & (1u << (type % 8))) {
			ppp_count_bad(s, PPP_BAD_OPTION_DUPLICATE);
			reply_reject(&r, type, body, blen);
			continue;
		}
		seen[type / 8] |= (uint8_t)(1u << (type % 8));

		if ((type == IPCP_OPT_ADDRESS || want_bit(type)) && blen != 4) {
			ppp_count_bad(s, PPP_BAD_OPTION_LENGTH);
			reply_reject(&r, type, body, blen);
			continue;
		}
		if (type == IPCP_OPT_ADDRESS) {
			uint32_t v = get_be32(body);

			addr_seen = true;
			if (s->role == PPP_SERVER) {
				uint32_t acc = 0;
				size_t before = r.nak.len + r.rej.len;

				server_address(s, &r, body, v, &acc);
				if (r.nak.len + r.rej.len == before) {
					peer_addr = acc;
					peer_chose = acc != s->profile.peer_addr;
				}
			} else {
				/* Client: the server states its own. */
				peer_addr = v;
			}
			continue;
		}
		idx = name_server_index(type, &is_dns);
		if (idx >= 0 && s->role == PPP_SERVER) {
			/* RFC 1877: Nak with the configured server, or
			 * Reject when we have none to give. */
			uint32_t conf = is_dns ? s->profile.dns[idx]
					       : s->profile.nbns[idx];
			uint8_t nb[4];

			if (conf == 0) {
				reply_reject(&r, type, body, blen);
			} else if (get_be32(body) != conf) {
				set_be32(nb, conf);
				reply_nak(&r, type, nb, 4, body, blen);
			}
			continue;
		}
		/* IP-Addresses (1, deprecated by RFC 1332 3.1),
		 * IP-Compression-Protocol (2: VJ header compression, of no
		 * use with IPsec underneath), name servers asked of a
		 * client, and unknown options: Reject. */
		reply_reject(&r, type, body, blen);
	}
	/* RFC 1332 3.3: a server may Nak to add the IP-Address option the
	 * client left out, so the client learns its assigned address. */
	if (s->role == PPP_SERVER && !addr_seen && s->profile.peer_addr &&
	    !reject_naks) {
		uint8_t nb[4];

		set_be32(nb, s->profile.peer_addr);
		reply_nak(&r, IPCP_OPT_ADDRESS, nb, 4, nb, 4);
	}
	if (r.nak.overflow || r.rej.overflow) {
		ppp_count_bad(s, PPP_BAD_OPTION_TRUNCATED);
		return 0;
	}
	code = reply_finish(&r, out, cap, out_len, nakbuf, rejbuf);
	if (code == PPP_CONF_ACK) {
		ip->peer_addr = peer_addr;
		ip->peer_chose_address = s->role == PPP_SERVER && peer_chose;
	}
	return code;
}

static int ipcp_recv_conf_nak(void *ctx, const uint8_t *opts, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipcp_state *ip = &s->ipcp_st;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;

	if (ppp_options_valid(s, opts, len) < 0)
		return -1;
	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		bool is_dns;
		int idx;
		uint32_t v;

		if (!(ip->want & want_bit(type)) || blen != 4)
			continue;	/* not asked for: ignore (RFC 1661 5.3) */
		v = get_be32(body);
		if (type == IPCP_OPT_ADDRESS) {
			if (s->role == PPP_CLIENT)
				ip->local_addr = v;	/* the assignment */
			else
				/* Our address is not negotiable: leave it
				 * out rather than loop on Naks. */
				ip->want &= (uint8_t)~IPCP_WANT_ADDR;
			continue;
		}
		idx = name_server_index(type, &is_dns);
		if (idx >= 0) {
			if (is_dns)
				ip->dns[idx] = v;
			else
				ip->nbns[idx] = v;
		}
	}
	return 0;
}

static int ipcp_recv_conf_rej(void *ctx, const uint8_t *opts, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipcp_state *ip = &s->ipcp_st;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;
	uint8_t drop = 0;

	if (ppp_options_valid(s, opts, len) < 0)
		return -1;
	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		if (!(ip->want & want_bit(type))) {
			ppp_count_bad(s, PPP_BAD_NAK_REJ_INVALID);
			return -1;
		}
		drop |= want_bit(type);
	}
	/* E.g. a server without WINS: ask again for address + DNS only. */
	ip->want &= (uint8_t)~drop;
	return 0;
}

static void ipcp_layer_up(void *ctx)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipcp_state *ip = &s->ipcp_st;
	struct ppp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_NCP_UP;
	ev.u.ncp.protocol = PPP_PROTO_IPCP;
	ev.u.ncp.local_addr = ip->local_addr;
	ev.u.ncp.peer_addr = ip->peer_addr;
	ev.u.ncp.peer_chose_address = ip->peer_chose_address;
	if (s->role == PPP_SERVER) {
		memcpy(ev.u.ncp.dns, s->profile.dns, sizeof(ev.u.ncp.dns));
		memcpy(ev.u.ncp.nbns, s->profile.nbns, sizeof(ev.u.ncp.nbns));
	} else {
		memcpy(ev.u.ncp.dns, ip->dns, sizeof(ev.u.ncp.dns));
		memcpy(ev.u.ncp.nbns, ip->nbns, sizeof(ev.u.ncp.nbns));
	}
	ppp_emit(s, &ev);
}

static void ncp_down_event(struct ppp_session *s, uint16_t proto)
{
	struct ppp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_NCP_DOWN;
	ev.u.ncp.protocol = proto;
	ppp_emit(s, &ev);
}

static void ipcp_layer_down(void *ctx)
{
	ncp_down_event(session_of(ctx), PPP_PROTO_IPCP);
}

static void ncp_layer_finished(void *ctx)
{
	ppp_ncp_finished(session_of(ctx));
}

const struct ppp_fsm_ops ppp_ipcp_ops = {
	.protocol = PPP_PROTO_IPCP,
	.name = "IPCP",
	.build_conf_req = ipcp_build_conf_req,
	.recv_conf_req = ipcp_recv_conf_req,
	.recv_conf_nak = ipcp_recv_conf_nak,
	.recv_conf_rej = ipcp_recv_conf_rej,
	.layer_up = ipcp_layer_up,
	.layer_down = ipcp_layer_down,
	.layer_finished = ncp_layer_finished,
	.send = ncp_send,
	.now = ncp_now,
	.malformed = ncp_malformed,
	.trace = ppp_fsm_trace,
};

/* ---------------- IPV6CP ---------------- */

static bool ifid_zero(const uint8_t *id)
{
	for (int i = 0; i < 8; i++)
		if (id[i])
			return false;
	return true;
}

/* RFC 5072 4.1: a fresh identifier, non-zero and unlike `avoid`. */
static void fresh_ifid(struct ppp_session *s, uint8_t out[8],
		       const uint8_t *avoid)
{
	/* A few draws at most (a failed source must not spin); the
	 * identifier is no secret, so a fixed fallback is safe. */
	for (int i = 0; i < 8; i++) {
		if (ppp_random_bytes(s, out, 8) && !ifid_zero(out) &&
		    !(avoid && memcmp(out, avoid, 8) == 0))
			return;
	}
	memset(out, 0, 8);
	out[7] = (avoid && avoid[7] == 1 && !memcmp(avoid, out, 7)) ? 2 : 1;
}

void ppp_ipv6cp_init_state(struct ppp_session *s)
{
	struct ppp_ipv6cp_state *v6 = &s->ipv6cp_st;

	memset(v6, 0, sizeof(*v6));
	if (!ifid_zero(s->profile.local_ifid))
		memcpy(v6->local_ifid, s->profile.local_ifid, 8);
	v6->want = IPV6CP_WANT_IFID;
}

static size_t ipv6cp_build_conf_req(void *ctx, uint8_t *buf, size_t cap)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipv6cp_state *v6 = &s->ipv6cp_st;
	struct ppp_writer w;

	ppp_writer_init(&w, buf, cap);
	if (v6->want & IPV6CP_WANT_IFID) {
		if (ifid_zero(v6->local_ifid))
			fresh_ifid(s, v6->local_ifid, NULL);
		ppp_put_u8(&w, IPV6CP_OPT_IFID);
		ppp_put_u8(&w, 10);
		ppp_put_bytes(&w, v6->local_ifid, 8);
	}
	return w.len;
}

static uint8_t ipv6cp_recv_conf_req(void *ctx, const uint8_t *opts, size_t len,
				    bool reject_naks, uint8_t *out, size_t cap,
				    size_t *out_len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipv6cp_state *v6 = &s->ipv6cp_st;
	uint8_t nakbuf[256], rejbuf[512];
	struct reply r;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;
	bool seen_ifid = false;
	uint8_t peer[8] = { 0 };
	uint8_t code;

	if (ppp_options_valid(s, opts, len) < 0)
		return 0;
	ppp_writer_init(&r.nak, nakbuf, sizeof(nakbuf));
	ppp_writer_init(&r.rej, rejbuf, sizeof(rejbuf));
	r.reject_naks = reject_naks;

	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		if (type != IPV6CP_OPT_IFID) {
			/* IPv6-Compression-Protocol (2) and unknown. */
			reply_reject(&r, type, body, blen);
			continue;
		}
		if (seen_ifid) {
			ppp_count_bad(s, PPP_BAD_OPTION_DUPLICATE);
			reply_reject(&r, type, body, blen);
			continue;
		}
		seen_ifid = true;
		if (blen != 8) {
			ppp_count_bad(s, PPP_BAD_OPTION_LENGTH);
			reply_reject(&r, type, body, blen);
			continue;
		}
		/* RFC 5072 4.1: a zero identifier asks us to pick one; one
		 * equal to ours collides: Nak with a fresh identifier. */
		if (ifid_zero(body) ||
		    ((v6->want & IPV6CP_WANT_IFID) &&
		     memcmp(body, v6->local_ifid, 8) == 0)) {
			uint8_t nb[8];

			fresh_ifid(s, nb, v6->local_ifid);
			reply_nak(&r, type, nb, 8, body, blen);
			continue;
		}
		memcpy(peer, body, 8);
	}
	if (r.nak.overflow || r.rej.overflow) {
		ppp_count_bad(s, PPP_BAD_OPTION_TRUNCATED);
		return 0;
	}
	code = reply_finish(&r, out, cap, out_len, nakbuf, rejbuf);
	if (code == PPP_CONF_ACK)
		memcpy(v6->peer_ifid, peer, 8);
	return code;
}

static int ipv6cp_recv_conf_nak(void *ctx, const uint8_t *opts, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipv6cp_state *v6 = &s->ipv6cp_st;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;

	if (ppp_options_valid(s, opts, len) < 0)
		return -1;
	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		if (type != IPV6CP_OPT_IFID || blen != 8 ||
		    !(v6->want & IPV6CP_WANT_IFID))
			continue;
		/* RFC 5072 4.1: use the suggested identifier if it is
		 * acceptable (non-zero, unlike the peer's), else pick. */
		if (!ifid_zero(body) && memcmp(body, v6->peer_ifid, 8) != 0)
			memcpy(v6->local_ifid, body, 8);
		else
			fresh_ifid(s, v6->local_ifid, v6->peer_ifid);
	}
	return 0;
}

static int ipv6cp_recv_conf_rej(void *ctx, const uint8_t *opts, size_t len)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_ipv6cp_state *v6 = &s->ipv6cp_st;
	struct ppp_reader rd;
	uint8_t type;
	const uint8_t *body;
	size_t blen;

	if (ppp_options_valid(s, opts, len) < 0)
		return -1;
	ppp_reader_init(&rd, opts, len);
	while (ppp_next_option(&rd, &type, &body, &blen)) {
		if (type != IPV6CP_OPT_IFID || !(v6->want & IPV6CP_WANT_IFID)) {
			ppp_count_bad(s, PPP_BAD_NAK_REJ_INVALID);
			return -1;
		}
	}
	v6->want &= (uint8_t)~IPV6CP_WANT_IFID;
	return 0;
}

static void ipv6cp_layer_up(void *ctx)
{
	struct ppp_session *s = session_of(ctx);
	struct ppp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_NCP_UP;
	ev.u.ncp.protocol = PPP_PROTO_IPV6CP;
	memcpy(ev.u.ncp.local_ifid, s->ipv6cp_st.local_ifid, 8);
	memcpy(ev.u.ncp.peer_ifid, s->ipv6cp_st.peer_ifid, 8);
	ppp_emit(s, &ev);
}

static void ipv6cp_layer_down(void *ctx)
{
	ncp_down_event(session_of(ctx), PPP_PROTO_IPV6CP);
}

const struct ppp_fsm_ops ppp_ipv6cp_ops = {
	.protocol = PPP_PROTO_IPV6CP,
	.name = "IPV6CP",
	.build_conf_req = ipv6cp_build_conf_req,
	.recv_conf_req = ipv6cp_recv_conf_req,
	.recv_conf_nak = ipv6cp_recv_conf_nak,
	.recv_conf_rej = ipv6cp_recv_conf_rej,
	.layer_up = ipv6cp_layer_up,
	.layer_down = ipv6cp_layer_down,
	.layer_finished = ncp_layer_finished,
	.send = ncp_send,
	.now = ncp_now,
	.malformed = ncp_malformed,
	.trace = ppp_fsm_trace,
};
