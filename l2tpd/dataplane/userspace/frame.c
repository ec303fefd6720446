/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PPP-in-L2TP framing for the userspace data path: no I/O, no state.
 * The L2TP header itself is parsed by the control-plane library
 * (l2tp_data_header_parse); this file does the PPP part and the header we
 * send.
 */
#include "dp_user.h"

#include "l2tp_codec.h"
#include "wire.h"

#define PPP_ALLSTATIONS	0xff	/* RFC 1662 section 3.1: Address field */
#define PPP_UI		0x03	/* RFC 1662 section 3.1: Control field */

static const char *const drop_names[DP_DROP_MAX] = {
	[DP_DROP_RX_BAD_HEADER] = "rx-bad-header",
	[DP_DROP_RX_CONTROL] = "rx-control-message",
	[DP_DROP_RX_UNKNOWN_TUNNEL] = "rx-unknown-tunnel",
	[DP_DROP_RX_UNKNOWN_SESSION] = "rx-unknown-session",
	[DP_DROP_RX_PEER_MISMATCH] = "rx-peer-mismatch",
	[DP_DROP_RX_MARK_MISMATCH] = "rx-mark-mismatch",
	[DP_DROP_RX_EMPTY] = "rx-empty",
	[DP_DROP_RX_BAD_PPP] = "rx-bad-ppp",
	[DP_DROP_RX_BAD_IP] = "rx-bad-ip",
	[DP_DROP_RX_PROTO_DOWN] = "rx-protocol-down",
	[DP_DROP_RX_TUN_WRITE] = "rx-tun-write",
	[DP_DROP_TX_PROTO_DOWN] = "tx-protocol-down",
	[DP_DROP_TX_NOT_IP] = "tx-not-ip",
	[DP_DROP_TX_TOO_BIG] = "tx-too-big",
	[DP_DROP_TX_SEND] = "tx-send",
	[DP_DROP_TX_NO_ROUTE] = "tx-no-route",
};

const char *dp_user_drop_name(enum dp_user_drop d)
{
	if ((unsigned)d < DP_DROP_MAX && drop_names[d])
		return drop_names[d];
	return "unknown";
}

bool dp_ppp_decap(const uint8_t *p, size_t len, struct dp_ppp_frame *f,
		  enum dp_user_drop *why)
{
	struct wire_rd r;
	uint8_t hi, lo;

	memset(f, 0, sizeof(*f));
	if (len == 0) {
		/* A data message without payload: a ZLB that only acknowledges
		 * sequence numbers (RFC 2661 section 5.8). Nothing to deliver. */
		*why = DP_DROP_RX_EMPTY;
		return false;
	}
	wire_rd_init(&r, p, len);
	/* RFC 1662 section 3.1 / RFC 1661 section 6.6 (ACFC): Address and
	 * Control may be left out once negotiated, and a receiver copes with
	 * both. 0xff cannot start a protocol field (0x00ff is reserved and a
	 * first octet must be even), so FF 03 is unambiguous. */
	if (len >= 2 && p[0] == PPP_ALLSTATIONS && p[1] == PPP_UI)
		r.pos = 2;
	f->proto_field = p + r.pos;
	if (!wire_rd_u8(&r, &hi)) {
		*why = DP_DROP_RX_BAD_PPP;
		return false;
	}
	if (hi & 1) {
		/* RFC 1661 section 6.5 (PFC): a compressed protocol is the
		 * low octet alone, recognised by its odd value. */
		f->protocol = hi;
		f->pfc = true;
	} else {
		if (!wire_rd_u8(&r, &lo)) {
			*why = DP_DROP_RX_BAD_PPP;
			return false;
		}
		/* RFC 1661 section 2: the least significant bit of the least
		 * significant octet is 1; an even value is no protocol. */
		if (!(lo & 1)) {
			*why = DP_DROP_RX_BAD_PPP;
			return false;
		}
		f->protocol = (uint16_t)(hi << 8 | lo);
	}
	f->payload = p + r.pos;
	f->payload_len = wire_rd_left(&r);
	return true;
}

size_t dp_encap_header(uint8_t *buf, size_t cap, uint16_t peer_tunnel_id,
		       uint16_t peer_session_id, bool seq, uint16_t ns, uint16_t nr,
		       uint16_t protocol)
{
	struct wire_wr w;

	wire_wr_init(&w, buf, cap);
	if (!seq) {
		/* RFC 2661 section 3.1: T=0 (data), L=0 (the length is the
		 * datagram's), S=0, O=0, P=0, Ver=2, then the PEER's Tunnel ID
		 * and Session ID (the ids the recipient assigned). This is what
		 * the Linux kernel (l2tp_build_l2tpv2_header) and xl2tpd (by
		 * default) send and what Windows accepts. */
		size_t n = l2tp_data_header_write(buf, cap, peer_tunnel_id, peer_session_id);

		if (n == 0)
			return 0;
		w.len = n;
	} else {
		/* Section 3.1: with S set, Ns and Nr follow the ids; in data
		 * messages Nr is reserved and ignored on receipt: send 0. */
		wire_wr_u16(&w, L2TP_HDR_S | L2TP_VERSION);
		wire_wr_u16(&w, peer_tunnel_id);
		wire_wr_u16(&w, peer_session_id);
		wire_wr_u16(&w, ns);
		wire_wr_u16(&w, nr);
	}
	/* L2TP carries PPP frames without HDLC flags, transparency or FCS
	 * (RFC 2661 section 1). We always send Address and Control (RFC 1662
	 * section 3.1) and a two-octet protocol, as the kernel's pppol2tp
	 * does: ACFC and PFC (RFC 1661 sections 6.5, 6.6) are options the
	 * peer may not have agreed to, and a receiver must accept the
	 * uncompressed form anyway. */
	wire_wr_u8(&w, PPP_ALLSTATIONS);
	wire_wr_u8(&w, PPP_UI);
	if (protocol)
		wire_wr_u16(&w, protocol);
	return w.overflow ? 0 : w.len;
}

uint16_t dp_ip_protocol(const uint8_t *pkt, size_t len)
{
	if (len < 1)
		return 0;
	switch (pkt[0] >> 4) {
	case 4:
		return PPP_PROTOCOL_IP;		/* RFC 1332 section 2 */
	case 6:
		return PPP_PROTOCOL_IPV6;	/* RFC 5072 section 3 */
	default:
		return 0;
	}
}
