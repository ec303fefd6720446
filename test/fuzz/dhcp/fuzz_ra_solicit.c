/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: an IPv6 packet from a client's PPP link as the
 * userspace data plane hands it to the daemon (ra_is_rs, ra_rs_parse), its
 * ICMPv6 part as the kernel plane's raw socket gives it
 * (ra_rs_parse_icmp), and the input read as an advertisement (ra_parse,
 * what the test client does). For every accepted solicitation the answer
 * is built and must parse back with the same prefix and servers.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "ipv6_ll.h"
#include "ra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[RA_MAX_LEN];
	struct ra_params p;
	struct ra_info in;
	struct ra_rs r;
	size_t n;

	(void)ra_parse(data, size, &in);
	assert(in.n_rdnss <= RA_MAX_RDNSS && in.prefix_len <= 128);
	if (size > RA_IP6_HDR_LEN) {
		uint8_t hop = size > 7 ? data[7] : 0;
		(void)ra_rs_parse_icmp(data + RA_IP6_HDR_LEN, size - RA_IP6_HDR_LEN, hop,
				       data + 8, &r);
	}
	if (ra_rs_parse(data, size, &r) != RA_OK)
		return 0;
	assert(ra_is_rs(data, size));
	memset(&p, 0, sizeof(p));
	ipv6_link_local(0x0200000000000001ull, p.src);
	memcpy(p.dst, r.src, 16);
	p.router_lifetime = 1800;
	p.has_prefix = true;
	memcpy(p.prefix, r.src, 16);	/* any bits: those past /64 are cleared */
	p.prefix_len = 64;
	p.valid_lifetime = p.preferred_lifetime = 3600;
	memcpy(p.rdnss[0], r.dst, 16);
	p.n_rdnss = 1;
	n = ra_build(&p, out, sizeof(out));
	assert(n && ra_parse(out, n, &in) == RA_OK);
	assert(in.has_prefix && memcmp(in.prefix, r.src, 8) == 0);
	assert(in.n_rdnss == 1 && memcmp(in.rdnss[0], r.dst, 16) == 0);
	return 0;
}
