/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ICMP echo over IPv4 and MS-CHAPv2 Failure text: see frames.h. */
#include "frames.h"

#include <string.h>

#include "inet_csum.h"
#include "wire.h"

#define IPPROTO_ICMP_NUM 1
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO_REQUEST 8
#define PPP_CHAP 0xC223
#define CHAP_FAILURE 4

uint16_t inet_checksum(const uint8_t *p, size_t len)
{
	return inet_csum_fold(inet_csum_add(0, p, len));	/* RFC 1071, lib/inet_csum.h */
}

size_t icmp_echo_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		       uint16_t ip_id, uint16_t ident, uint16_t seq)
{
	struct wire_wr w;
	uint8_t *ip = buf, *icmp = buf + IPV4_HDR_LEN;

	if (cap < ICMP_ECHO_PACKET_LEN)
		return 0;
	wire_wr_init(&w, buf, cap);
	/* RFC 791 3.1: version 4, IHL 5 (no options), TOS 0 */
	wire_wr_u8(&w, 0x45);
	wire_wr_u8(&w, 0);
	wire_wr_u16(&w, ICMP_ECHO_PACKET_LEN);
	wire_wr_u16(&w, ip_id);
	wire_wr_u16(&w, 0x4000);	/* DF, no fragments */
	wire_wr_u8(&w, 64);		/* TTL */
	wire_wr_u8(&w, IPPROTO_ICMP_NUM);
	wire_wr_u16(&w, 0);		/* header checksum, patched below */
	wire_wr_u32(&w, src);
	wire_wr_u32(&w, dst);
	/* RFC 792 "Echo or Echo Reply Message" */
	wire_wr_u8(&w, ICMP_ECHO_REQUEST);
	wire_wr_u8(&w, 0);
	wire_wr_u16(&w, 0);		/* checksum, patched below */
	wire_wr_u16(&w, ident);
	wire_wr_u16(&w, seq);
	for (unsigned i = 0; i < ICMP_ECHO_PAYLOAD; i++)
		wire_wr_u8(&w, (uint8_t)(0x20 + i));	/* what ping(8) puts there */
	if (w.overflow)
		return 0;
	wire_put_u16(ip + 10, inet_checksum(ip, IPV4_HDR_LEN));
	wire_put_u16(icmp + 2, inet_checksum(icmp, ICMP_HDR_LEN + ICMP_ECHO_PAYLOAD));
	return ICMP_ECHO_PACKET_LEN;
}

static const char *const echo_reject_names[ECHO_R_MAX] = {
	[ECHO_OK] = "ok",
	[ECHO_R_TRUNCATED] = "truncated",
	[ECHO_R_NOT_IPV4] = "not_ipv4",
	[ECHO_R_BAD_IHL] = "bad_ihl",
	[ECHO_R_BAD_TOTAL_LENGTH] = "bad_total_length",
	[ECHO_R_BAD_IP_CHECKSUM] = "bad_ip_checksum",
	[ECHO_R_FRAGMENT] = "fragment",
	[ECHO_R_NOT_ICMP] = "not_icmp",
	[ECHO_R_ICMP_TRUNCATED] = "icmp_truncated",
	[ECHO_R_BAD_ICMP_CHECKSUM] = "bad_icmp_checksum",
	[ECHO_R_NOT_ECHO_REPLY] = "not_echo_reply",
};

const char *echo_reject_name(enum echo_reject r)
{
	return (unsigned)r < ECHO_R_MAX ? echo_reject_names[r] : "?";
}

static enum echo_reject echo_parse(const uint8_t *pkt, size_t len, uint8_t want_type,
				   struct echo_reply *out, size_t *icmp_off, size_t *icmp_len)
{
	struct wire_rd r;
	uint8_t vihl, tos, ttl, proto, type, code;
	uint16_t total, id, frag, csum, icsum;
	size_t ihl;
	const uint8_t *icmp;

	wire_rd_init(&r, pkt, len);
	if (!wire_rd_u8(&r, &vihl) || !wire_rd_u8(&r, &tos) || !wire_rd_u16(&r, &total) ||
	    !wire_rd_u16(&r, &id) || !wire_rd_u16(&r, &frag) || !wire_rd_u8(&r, &ttl) ||
	    !wire_rd_u8(&r, &proto) || !wire_rd_u16(&r, &csum) || !wire_rd_u32(&r, &out->src) ||
	    !wire_rd_u32(&r, &out->dst))
		return ECHO_R_TRUNCATED;
	/* RFC 791 3.1 */
	if (vihl >> 4 != 4)
		return ECHO_R_NOT_IPV4;
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (ihl < IPV4_HDR_LEN || ihl > len)
		return ECHO_R_BAD_IHL;
	/* The PPP frame may carry padding after the datagram: Total Length
	 * is what counts, but it can never exceed what arrived. */
	if (total < ihl || total > len)
		return ECHO_R_BAD_TOTAL_LENGTH;
	if (inet_checksum(pkt, ihl) != 0)
		return ECHO_R_BAD_IP_CHECKSUM;
	if ((frag & 0x2000) || (frag & 0x1fff))
		return ECHO_R_FRAGMENT;
	if (proto != IPPROTO_ICMP_NUM)
		return ECHO_R_NOT_ICMP;
	out->ttl = ttl;
	/* skip IP options, then read the ICMP header within Total Length */
	wire_rd_init(&r, pkt + ihl, total - ihl);
	icmp = pkt + ihl;
	if (!wire_rd_u8(&r, &type) || !wire_rd_u8(&r, &code) || !wire_rd_u16(&r, &icsum) ||
	    !wire_rd_u16(&r, &out->ident) || !wire_rd_u16(&r, &out->seq))
		return ECHO_R_ICMP_TRUNCATED;
	/* RFC 792: the checksum covers the whole ICMP message */
	if (inet_checksum(icmp, total - ihl) != 0)
		return ECHO_R_BAD_ICMP_CHECKSUM;
	if (type != want_type || code != 0)
		return ECHO_R_NOT_ECHO_REPLY;
	*icmp_off = ihl;
	*icmp_len = total - ihl;
	return ECHO_OK;
}

enum echo_reject icmp_echo_reply_parse(const uint8_t *pkt, size_t len,
				       struct echo_reply *out)
{
	size_t off, n;

	return echo_parse(pkt, len, ICMP_ECHO_REPLY, out, &off, &n);
}

enum echo_reject icmp_echo_request_parse(const uint8_t *pkt, size_t len,
					 struct echo_reply *out)
{
	size_t off, n;

	return echo_parse(pkt, len, ICMP_ECHO_REQUEST, out, &off, &n);
}

size_t icmp_echo_answer(const uint8_t *req, size_t len, uint8_t *out, size_t cap)
{
	struct echo_reply e;
	size_t off, n;
	struct wire_wr w;

	if (echo_parse(req, len, ICMP_ECHO_REQUEST, &e, &off, &n) != ECHO_OK ||
	    n + IPV4_HDR_LEN > 0xffff || cap < IPV4_HDR_LEN + n)
		return 0;
	wire_wr_init(&w, out, cap);
	wire_wr_u8(&w, 0x45);
	wire_wr_u8(&w, 0);
	wire_wr_u16(&w, (uint16_t)(IPV4_HDR_LEN + n));
	wire_wr_u16(&w, e.seq);
	wire_wr_u16(&w, 0x4000);
	wire_wr_u8(&w, 64);
	wire_wr_u8(&w, IPPROTO_ICMP_NUM);
	wire_wr_u16(&w, 0);
	wire_wr_u32(&w, e.dst);		/* from the address that was pinged */
	wire_wr_u32(&w, e.src);
	wire_wr_bytes(&w, req + off, n);
	if (w.overflow)
		return 0;
	out[IPV4_HDR_LEN] = ICMP_ECHO_REPLY;
	out[IPV4_HDR_LEN + 2] = out[IPV4_HDR_LEN + 3] = 0;
	wire_put_u16(out + IPV4_HDR_LEN + 2, inet_checksum(out + IPV4_HDR_LEN, n));
	wire_put_u16(out + 10, inet_checksum(out, IPV4_HDR_LEN));
	return IPV4_HDR_LEN + n;
}

bool ppp_frame_peel(const uint8_t *frame, size_t len, uint16_t *protocol, size_t *off)
{
	struct wire_rd r;
	uint8_t a, b;

	wire_rd_init(&r, frame, len);
	/* RFC 1662 3.1: FF 03 unless the peer negotiated ACFC */
	if (len >= 2 && frame[0] == 0xFF && frame[1] == 0x03)
		r.pos = 2;
	if (!wire_rd_u8(&r, &a))
		return false;
	if (a & 1) {
		/* RFC 1661 6.5: PFC sends protocols < 0x100 in one octet */
		*protocol = a;
	} else {
		if (!wire_rd_u8(&r, &b))
			return false;
		*protocol = (uint16_t)(a << 8 | b);
	}
	*off = r.pos;
	return true;
}

static const char *const chap_failure_reject_names[CHAP_F_MAX] = {
	[CHAP_F_OK] = "ok",
	[CHAP_F_NOT_CHAP] = "not_chap",
	[CHAP_F_NOT_FAILURE] = "not_failure",
	[CHAP_F_TRUNCATED] = "truncated",
	[CHAP_F_BAD_LENGTH] = "bad_length",
};

const char *chap_failure_reject_name(enum chap_failure_reject r)
{
	return (unsigned)r < CHAP_F_MAX ? chap_failure_reject_names[r] : "?";
}

/* A decimal number of at most 10 digits at t[0..n); false if none. */
static bool parse_decimal(const uint8_t *t, size_t n, unsigned *v)
{
	unsigned long x = 0;
	size_t i;

	for (i = 0; i < n && i < 10 && t[i] >= '0' && t[i] <= '9'; i++)
		x = x * 10 + (unsigned)(t[i] - '0');
	if (i == 0 || x > 0xffffffffUL)
		return false;
	*v = (unsigned)x;
	return true;
}

enum chap_failure_reject chap_failure_parse(const uint8_t *frame, size_t len,
					    struct mschap_failure *out)
{
	uint16_t proto, length;
	size_t off, n, i;
	struct wire_rd r;
	uint8_t code, id;
	const uint8_t *text;

	memset(out, 0, sizeof(*out));
	if (!ppp_frame_peel(frame, len, &proto, &off))
		return CHAP_F_TRUNCATED;
	if (proto != PPP_CHAP)
		return CHAP_F_NOT_CHAP;
	wire_rd_init(&r, frame + off, len - off);
	/* RFC 1994 4: Code, Identifier, Length (whole packet), data */
	if (!wire_rd_u8(&r, &code) || !wire_rd_u8(&r, &id) || !wire_rd_u16(&r, &length))
		return CHAP_F_TRUNCATED;
	if (code != CHAP_FAILURE)
		return CHAP_F_NOT_FAILURE;
	if (length < 4 || length > len - off)
		return CHAP_F_BAD_LENGTH;
	n = length - 4u;
	if (!wire_rd_bytes(&r, n, &text))
		return CHAP_F_BAD_LENGTH;
	/* RFC 2759 6: space-separated E=, R=, C=, V= and, last, M= whose
	 * text runs to the end of the packet (it may contain spaces). */
	for (i = 0; i < n;) {
		size_t end = i;

		if (i + 2 <= n && text[i] == 'M' && text[i + 1] == '=') {
			size_t k = 0;

			for (size_t j = i + 2; j < n && k + 1 < sizeof(out->message); j++)
				if (text[j] >= 0x20 && text[j] < 0x7f)
					out->message[k++] = (char)text[j];
			out->message[k] = '\0';
			break;
		}
		while (end < n && text[end] != ' ')
			end++;
		if (end - i >= 2 && text[i + 1] == '=') {
			if (text[i] == 'E')
				out->has_code = parse_decimal(text + i + 2, end - i - 2, &out->code);
			else if (text[i] == 'R')
				out->has_retry = parse_decimal(text + i + 2, end - i - 2, &out->retry);
		}
		i = end + 1;
	}
	return CHAP_F_OK;
}
