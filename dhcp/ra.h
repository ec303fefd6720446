/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 Router Advertisements on a client's PPP link (docs/addresses.md
 * "IPv6"), no I/O: the Router Advertisement we send (RFC 4861 section 4.2)
 * with the session's /64 in a Prefix Information option (section 4.6.2,
 * on-link and autonomous: the client forms its address by SLAAC, RFC 4862
 * section 5.5.3) and its DNS servers in an RDNSS option (RFC 8106 section
 * 5.1); the Router Solicitation the client sends (RFC 4861 section 4.1),
 * validated as section 6.1.1 says; and when to send the next
 * advertisement (section 6.2.4 and 6.2.6). The daemon's router_adv.c does
 * the I/O and keeps the timers.
 *
 * Addresses are 16 octets in network order. Lengths are checked before
 * every read: an RS comes from the client, unauthenticated as far as IPv6
 * is concerned.
 */
#ifndef DHCP_RA_H
#define DHCP_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RA_IP6_HDR_LEN		40
#define RA_ICMP6_NEXT_HEADER	58	/* RFC 4443 section 1 */
#define RA_TYPE_RS		133	/* RFC 4861 section 4.1 */
#define RA_TYPE_RA		134	/* RFC 4861 section 4.2 */
#define RA_MAX_RDNSS		3
/* An IPv6 header, the RA (16), PIO (32), MTU (8), RDNSS (8 + 3 * 16). */
#define RA_MAX_LEN		(RA_IP6_HDR_LEN + 16 + 32 + 8 + 8 + 16 * RA_MAX_RDNSS)

/* RFC 4861 section 10, router constants (milliseconds). */
#define RA_MAX_INITIAL_ADVERTS		3	/* MAX_INITIAL_RTR_ADVERTISEMENTS */
#define RA_MAX_INITIAL_INTERVAL_MS	16000	/* MAX_INITIAL_RTR_ADVERT_INTERVAL */
#define RA_MIN_DELAY_BETWEEN_MS		3000	/* MIN_DELAY_BETWEEN_RAS */
/* MaxRtrAdvInterval and MinRtrAdvInterval at their defaults (section 6.2.1:
 * 600 s, and 0.33 times that). */
#define RA_MAX_INTERVAL_MS		600000
#define RA_MIN_INTERVAL_MS		198000
/* The largest Router Lifetime (section 6.2.1: 9000 s). */
#define RA_MAX_ROUTER_LIFETIME		9000

struct ra_params {
	uint8_t src[16];		/* our link-local address (section 6.1.2 requires one) */
	uint8_t dst[16];		/* ff02::1, or the soliciting client's address */
	uint8_t cur_hop_limit;		/* advertised to the client; 0: unspecified */
	bool managed, other;		/* M and O flags (section 4.2) */
	uint16_t router_lifetime;	/* seconds; 0: not a default router */
	bool has_prefix;
	uint8_t prefix[16];		/* bits past prefix_len are cleared when built */
	uint8_t prefix_len;		/* 64 for SLAAC (RFC 4862 section 5.5.3 d) */
	uint32_t valid_lifetime, preferred_lifetime;	/* seconds; preferred <= valid */
	uint16_t mtu;			/* MTU option (section 4.6.4); 0: none */
	uint8_t rdnss[RA_MAX_RDNSS][16];
	size_t n_rdnss;
	uint32_t rdnss_lifetime;	/* seconds (RFC 8106 section 5.1) */
};

/* The whole IPv6 packet (hop limit 255, ICMPv6 checksum over the
 * pseudo-header of RFC 8200 section 8.1): its length, or 0 when it does
 * not fit cap or p is inconsistent (more than RA_MAX_RDNSS servers,
 * prefix_len over 128, preferred > valid lifetime). */
size_t ra_build(const struct ra_params *p, uint8_t *out, size_t cap);
/* The ICMPv6 message alone (for a raw ICMPv6 socket), checksum filled in
 * from p->src and p->dst. Length or 0, as ra_build. */
size_t ra_build_icmp(const struct ra_params *p, uint8_t *out, size_t cap);

enum ra_result {
	RA_OK = 0,
	RA_R_TRUNCATED,		/* shorter than the IPv6 header, its payload, or 8 octets of ICMPv6 */
	RA_R_NOT_IPV6,		/* version nibble not 6 */
	RA_R_BAD_LENGTH,	/* Payload Length past the packet */
	RA_R_NOT_ICMPV6,	/* Next Header not 58 (extension headers are not followed) */
	RA_R_HOP_LIMIT,		/* not 255: it crossed a router (section 6.1.1) */
	RA_R_WRONG_TYPE,	/* another ICMPv6 type */
	RA_R_BAD_CODE,		/* ICMP Code not 0 */
	RA_R_BAD_CHECKSUM,
	RA_R_BAD_OPTION,	/* an option of length 0 or past the message */
	RA_R_SLLAO_UNSPEC,	/* source link-layer option from the unspecified address */
	RA_R_NOT_LINK_LOCAL,	/* an advertisement from outside fe80::/10 */
	RA_R_MAX
};
const char *ra_result_name(enum ra_result r);	/* "bad-option", for metric labels */

/* A validated Router Solicitation. */
struct ra_rs {
	uint8_t src[16], dst[16];	/* from the IPv6 header (zero: not known) */
	bool has_sllao;			/* it carried a Source Link-Layer Address option */
};

/* Is this IPv6 packet (the whole packet, as the userspace data plane has
 * it) meant for ra_rs_parse: ICMPv6 type 133 right after the header? A
 * cheap test that never reads past len. */
bool ra_is_rs(const uint8_t *pkt, size_t len);
/* A host's Router Solicitation (section 4.1, no options) from src to
 * all-routers (ff02::2), hop limit 255, as a whole IPv6 packet of 48
 * octets; 0 when cap is smaller. For the test client and the tests. */
size_t ra_build_rs(const uint8_t src[16], uint8_t *out, size_t cap);
/* Validate a whole IPv6 packet as a Router Solicitation (section 6.1.1). */
enum ra_result ra_rs_parse(const uint8_t *pkt, size_t len, struct ra_rs *out);
/* The ICMPv6 message alone, as a raw ICMPv6 socket delivers it: the kernel
 * checked the checksum; the hop limit comes from IPV6_HOPLIMIT. src may be
 * NULL (then out->src is zero and RA_R_SLLAO_UNSPEC is not checked). */
enum ra_result ra_rs_parse_icmp(const uint8_t *icmp, size_t len, uint8_t hop_limit,
				const uint8_t src[16], struct ra_rs *out);

/* What a host learns from an advertisement (the test client, tests and the
 * fuzz target's round trip): the first Prefix Information and MTU options,
 * up to RA_MAX_RDNSS DNS servers. */
struct ra_info {
	uint8_t src[16];
	uint8_t cur_hop_limit;
	bool managed, other;
	uint16_t router_lifetime;
	bool has_prefix, on_link, autonomous;
	uint8_t prefix[16], prefix_len;
	uint32_t valid_lifetime, preferred_lifetime;
	uint16_t mtu;
	uint8_t rdnss[RA_MAX_RDNSS][16];
	size_t n_rdnss;
	uint32_t rdnss_lifetime;
};
/* Validate a whole IPv6 packet as a Router Advertisement (section 6.1.2:
 * hop limit 255, link-local source, checksum, code 0, length >= 16,
 * options of length > 0, RDNSS of odd length >= 3, RFC 8106 section 5.1). */
enum ra_result ra_parse(const uint8_t *pkt, size_t len, struct ra_info *out);

/*
 * When the next unsolicited advertisement is due, `sent` of them having
 * gone out (section 6.2.4): uniformly between MinRtrAdvInterval and
 * MaxRtrAdvInterval from the random value rnd, the first
 * RA_MAX_INITIAL_ADVERTS capped at RA_MAX_INITIAL_INTERVAL_MS. Pure: the
 * caller draws rnd and adds the result to its clock.
 */
uint64_t ra_interval_ms(unsigned sent, uint32_t rnd);
/* When a solicited advertisement may leave (section 6.2.6: no two
 * multicast advertisements closer than MIN_DELAY_BETWEEN_RAS; on a
 * point-to-point link the random delay before it gains nothing, a
 * solicitation has one listener). last_ms 0: none sent yet. */
uint64_t ra_solicited_at(uint64_t now_ms, uint64_t last_ms);

#endif
