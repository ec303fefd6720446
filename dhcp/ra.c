/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Router Advertisements and Solicitations, no I/O (ra.h). */
#include "ra.h"

#include <string.h>

#include "inet_csum.h"
#include "wire.h"

/* Option types, RFC 4861 section 4.6 and RFC 8106 section 5.1. */
#define OPT_SLLAO	1
#define OPT_PIO		3
#define OPT_MTU		5
#define OPT_RDNSS	25

#define PIO_L		0x80	/* on-link (section 4.6.2) */
#define PIO_A		0x40	/* autonomous address configuration */
#define RA_M		0x80
#define RA_O		0x40

const char *ra_result_name(enum ra_result r)
{
	static const char *const names[RA_R_MAX] = {
		[RA_OK] = "ok",
		[RA_R_TRUNCATED] = "truncated",
		[RA_R_NOT_IPV6] = "not-ipv6",
		[RA_R_BAD_LENGTH] = "bad-length",
		[RA_R_NOT_ICMPV6] = "not-icmpv6",
		[RA_R_HOP_LIMIT] = "hop-limit",
		[RA_R_WRONG_TYPE] = "wrong-type",
		[RA_R_BAD_CODE] = "bad-code",
		[RA_R_BAD_CHECKSUM] = "bad-checksum",
		[RA_R_BAD_OPTION] = "bad-option",
		[RA_R_SLLAO_UNSPEC] = "sllao-unspecified",
		[RA_R_NOT_LINK_LOCAL] = "not-link-local",
	};
	return (unsigned)r < RA_R_MAX ? names[r] : "?";
}

/* The ICMPv6 checksum (RFC 4443 section 2.3) over RFC 8200 section 8.1's
 * pseudo-header: source, destination, upper-layer length, next header. */
static uint16_t icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *m,
			   size_t len)
{
	uint32_t acc = inet_csum_add(0, src, 16);

	acc = inet_csum_add(acc, dst, 16);
	acc += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + RA_ICMP6_NEXT_HEADER;
	return inet_csum_fold(inet_csum_add(acc, m, len));
}

static bool is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}

size_t ra_build_icmp(const struct ra_params *p, uint8_t *out, size_t cap)
{
	struct wire_wr w;

	if (p->n_rdnss > RA_MAX_RDNSS || p->prefix_len > 128 ||
	    (p->has_prefix && p->preferred_lifetime > p->valid_lifetime))
		return 0;
	wire_wr_init(&w, out, cap);
	/* section 4.2: type, code, checksum, hop limit, M/O, lifetime,
	 * reachable time and retrans timer (0: unspecified, the host keeps
	 * its own) */
	wire_wr_u8(&w, RA_TYPE_RA);
	wire_wr_u8(&w, 0);
	wire_wr_u16(&w, 0);
	wire_wr_u8(&w, p->cur_hop_limit);
	wire_wr_u8(&w, (uint8_t)((p->managed ? RA_M : 0) | (p->other ? RA_O : 0)));
	wire_wr_u16(&w, p->router_lifetime);
	wire_wr_u32(&w, 0);
	wire_wr_u32(&w, 0);
	if (p->has_prefix) {
		uint8_t pfx[16] = { 0 };

		/* section 4.6.2: the bits past the prefix length are
		 * reserved and must be zero on the wire */
		memcpy(pfx, p->prefix, p->prefix_len / 8);
		if (p->prefix_len % 8)
			pfx[p->prefix_len / 8] = (uint8_t)(p->prefix[p->prefix_len / 8] &
							   (0xff00 >> (p->prefix_len % 8)));
		wire_wr_u8(&w, OPT_PIO);
		wire_wr_u8(&w, 4);
		wire_wr_u8(&w, p->prefix_len);
		wire_wr_u8(&w, PIO_L | PIO_A);
		wire_wr_u32(&w, p->valid_lifetime);
		wire_wr_u32(&w, p->preferred_lifetime);
		wire_wr_u32(&w, 0);
		wire_wr_bytes(&w, pfx, 16);
	}
	if (p->mtu) {
		wire_wr_u8(&w, OPT_MTU);
		wire_wr_u8(&w, 1);
		wire_wr_u16(&w, 0);
		wire_wr_u32(&w, p->mtu);
	}
	if (p->n_rdnss) {
		/* RFC 8106 section 5.1: length 1 + 2 per address */
		wire_wr_u8(&w, OPT_RDNSS);
		wire_wr_u8(&w, (uint8_t)(1 + 2 * p->n_rdnss));
		wire_wr_u16(&w, 0);
		wire_wr_u32(&w, p->rdnss_lifetime);
		for (size_t i = 0; i < p->n_rdnss; i++)
			wire_wr_bytes(&w, p->rdnss[i], 16);
	}
	if (w.overflow)
		return 0;
	wire_put_u16(out + 2, icmp6_csum(p->src, p->dst, out, w.len));
	return w.len;
}

size_t ra_build(const struct ra_params *p, uint8_t *out, size_t cap)
{
	size_t n;

	if (cap < RA_IP6_HDR_LEN)
		return 0;
	n = ra_build_icmp(p, out + RA_IP6_HDR_LEN, cap - RA_IP6_HDR_LEN);
	if (!n)
		return 0;
	/* RFC 8200 section 3: version 6, traffic class and flow label 0 */
	memset(out, 0, 8);
	out[0] = 0x60;
	wire_put_u16(out + 4, (uint16_t)n);
	out[6] = RA_ICMP6_NEXT_HEADER;
	out[7] = 255;		/* RFC 4861 section 6.1.2: the receiver checks it */
	memcpy(out + 8, p->src, 16);
	memcpy(out + 24, p->dst, 16);
	return RA_IP6_HDR_LEN + n;
}

/* The IPv6 header: version, payload inside the packet, ICMPv6 next.
 * *icmp and *icmp_len: the payload (trailing octets past Payload Length,
 * link padding, are ignored as RFC 8200 section 3 lets a receiver). */
static enum ra_result ip6_hdr(const uint8_t *pkt, size_t len, const uint8_t **icmp,
			      size_t *icmp_len)
{
	uint16_t plen;

	if (len < RA_IP6_HDR_LEN)
		return RA_R_TRUNCATED;
	if ((pkt[0] >> 4) != 6)
		return RA_R_NOT_IPV6;
	plen = wire_get_u16(pkt + 4);
	if (plen > len - RA_IP6_HDR_LEN)
		return RA_R_BAD_LENGTH;
	if (pkt[6] != RA_ICMP6_NEXT_HEADER)
		return RA_R_NOT_ICMPV6;
	if (pkt[7] != 255)
		return RA_R_HOP_LIMIT;
	*icmp = pkt + RA_IP6_HDR_LEN;
	*icmp_len = plen;
	return RA_OK;
}

size_t ra_build_rs(const uint8_t src[16], uint8_t *out, size_t cap)
{
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };

	if (cap < RA_IP6_HDR_LEN + 8)
		return 0;
	memset(out, 0, RA_IP6_HDR_LEN + 8);
	out[0] = 0x60;
	out[5] = 8;
	out[6] = RA_ICMP6_NEXT_HEADER;
	out[7] = 255;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, all_routers, 16);
	out[RA_IP6_HDR_LEN] = RA_TYPE_RS;
	wire_put_u16(out + RA_IP6_HDR_LEN + 2,
		     icmp6_csum(src, all_routers, out + RA_IP6_HDR_LEN, 8));
	return RA_IP6_HDR_LEN + 8;
}

bool ra_is_rs(const uint8_t *pkt, size_t len)
{
	return len > RA_IP6_HDR_LEN && (pkt[0] >> 4) == 6 && pkt[6] == RA_ICMP6_NEXT_HEADER &&
	       pkt[RA_IP6_HDR_LEN] == RA_TYPE_RS;
}

/* Walk the options from `at` to len (section 4.6: type, length in units
 * of 8 octets, never 0). cb sees each; false from it stops with
 * RA_R_BAD_OPTION. */
typedef bool (*opt_cb)(void *ctx, uint8_t type, const uint8_t *o, size_t olen);
static enum ra_result walk_options(const uint8_t *m, size_t len, size_t at, opt_cb cb,
				   void *ctx)
{
	while (at < len) {
		size_t olen;

		if (len - at < 2)
			return RA_R_BAD_OPTION;
		olen = (size_t)m[at + 1] * 8;
		if (olen == 0 || olen > len - at)
			return RA_R_BAD_OPTION;
		if (cb && !cb(ctx, m[at], m + at, olen))
			return RA_R_BAD_OPTION;
		at += olen;
	}
	return RA_OK;
}

static bool rs_opt(void *ctx, uint8_t type, const uint8_t *o, size_t olen)
{
	(void)o;
	(void)olen;
	if (type == OPT_SLLAO)
		((struct ra_rs *)ctx)->has_sllao = true;
	return true;
}

enum ra_result ra_rs_parse_icmp(const uint8_t *icmp, size_t len, uint8_t hop_limit,
				const uint8_t src[16], struct ra_rs *out)
{
	enum ra_result r;

	memset(out, 0, sizeof(*out));
	if (src)
		memcpy(out->src, src, 16);
	/* section 6.1.1, in its order */
	if (hop_limit != 255)
		return RA_R_HOP_LIMIT;
	if (len < 8)
		return RA_R_TRUNCATED;
	if (icmp[0] != RA_TYPE_RS)
		return RA_R_WRONG_TYPE;
	if (icmp[1] != 0)
		return RA_R_BAD_CODE;
	r = walk_options(icmp, len, 8, rs_opt, out);
	if (r != RA_OK)
		return r;
	if (src && is_unspecified(src) && out->has_sllao)
		return RA_R_SLLAO_UNSPEC;
	return RA_OK;
}

enum ra_result ra_rs_parse(const uint8_t *pkt, size_t len, struct ra_rs *out)
{
	const uint8_t *icmp;
	size_t ilen;
	enum ra_result r;

	memset(out, 0, sizeof(*out));
	r = ip6_hdr(pkt, len, &icmp, &ilen);
	if (r != RA_OK)
		return r;
	if (ilen < 8)
		return RA_R_TRUNCATED;
	if (icmp6_csum(pkt + 8, pkt + 24, icmp, ilen) != 0)
		return RA_R_BAD_CHECKSUM;
	r = ra_rs_parse_icmp(icmp, ilen, pkt[7], pkt + 8, out);
	memcpy(out->dst, pkt + 24, 16);
	return r;
}

static bool ra_opt(void *ctx, uint8_t type, const uint8_t *o, size_t olen)
{
	struct ra_info *in = ctx;

	switch (type) {
	case OPT_PIO:
		if (olen != 32 || o[2] > 128)
			return false;
		if (in->has_prefix)
			return true;
		in->has_prefix = true;
		in->prefix_len = o[2];
		in->on_link = o[3] & PIO_L;
		in->autonomous = o[3] & PIO_A;
		in->valid_lifetime = (uint32_t)wire_get_u16(o + 4) << 16 | wire_get_u16(o + 6);
		in->preferred_lifetime = (uint32_t)wire_get_u16(o + 8) << 16 | wire_get_u16(o + 10);
		memcpy(in->prefix, o + 16, 16);
		return true;
	case OPT_MTU:
		if (olen != 8)
			return false;
		if (!wire_get_u16(o + 4) && !in->mtu)
			in->mtu = wire_get_u16(o + 6);
		return true;
	case OPT_RDNSS:
		/* RFC 8106 section 5.1: length 3 or more and odd */
		if (olen < 24 || (olen / 8) % 2 == 0)
			return false;
		in->rdnss_lifetime = (uint32_t)wire_get_u16(o + 4) << 16 | wire_get_u16(o + 6);
		for (size_t at = 8; at + 16 <= olen && in->n_rdnss < RA_MAX_RDNSS; at += 16)
			memcpy(in->rdnss[in->n_rdnss++], o + at, 16);
		return true;
	default:
		return true;	/* section 4.6: unknown options are skipped */
	}
}

enum ra_result ra_parse(const uint8_t *pkt, size_t len, struct ra_info *out)
{
	const uint8_t *m;
	size_t ilen;
	enum ra_result r;

	memset(out, 0, sizeof(*out));
	r = ip6_hdr(pkt, len, &m, &ilen);
	if (r != RA_OK)
		return r;
	if (ilen < 16)
		return RA_R_TRUNCATED;
	if (icmp6_csum(pkt + 8, pkt + 24, m, ilen) != 0)
		return RA_R_BAD_CHECKSUM;
	if (m[0] != RA_TYPE_RA)
		return RA_R_WRONG_TYPE;
	if (m[1] != 0)
		return RA_R_BAD_CODE;
	/* section 6.1.2: the source must be link-local */
	if (pkt[8] != 0xfe || (pkt[9] & 0xc0) != 0x80)
		return RA_R_NOT_LINK_LOCAL;
	memcpy(out->src, pkt + 8, 16);
	out->cur_hop_limit = m[4];
	out->managed = m[5] & RA_M;
	out->other = m[5] & RA_O;
	out->router_lifetime = wire_get_u16(m + 6);
	return walk_options(m, ilen, 16, ra_opt, out);
}

uint64_t ra_interval_ms(unsigned sent, uint32_t rnd)
{
	uint64_t span = RA_MAX_INTERVAL_MS - RA_MIN_INTERVAL_MS;
	uint64_t t = RA_MIN_INTERVAL_MS + (uint64_t)rnd % (span + 1);

	/* section 6.2.4: the first few advertisements, at most this far
	 * apart, so that a lost one is made up for soon */
	if (sent < RA_MAX_INITIAL_ADVERTS && t > RA_MAX_INITIAL_INTERVAL_MS)
		t = RA_MAX_INITIAL_INTERVAL_MS;
	return t;
}

uint64_t ra_solicited_at(uint64_t now_ms, uint64_t last_ms)
{
	if (last_ms && now_ms < last_ms + RA_MIN_DELAY_BETWEEN_MS)
		return last_ms + RA_MIN_DELAY_BETWEEN_MS;
	return now_ms;
}
