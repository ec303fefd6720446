/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The link-local address of a PPP link's end (RFC 5072 section 5): fe80::/64
 * and the 64-bit interface identifier IPV6CP agreed on (RFC 4291 section
 * 2.5.6). The identifier is a host-order number whose most significant
 * octet is the first on the wire (the daemon builds it so from ppp-core's
 * octets). Written once for both data planes and the router advertisements.
 */
#ifndef COMMON_IPV6_LL_H
#define COMMON_IPV6_LL_H

#include <stdint.h>
#include <string.h>

static inline void ipv6_link_local(uint64_t ifid, uint8_t out[16])
{
	memset(out, 0, 16);
	out[0] = 0xfe;
	out[1] = 0x80;
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)(ifid >> (56 - 8 * i));
}

#endif
