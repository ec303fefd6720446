/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: an IPv4 packet from a client's PPP link as the
 * userspace data plane hands it to the daemon (dhcp_udp_parse), and the
 * DHCPACK built for whatever DHCPINFORM parses inside (dhcp_inform_answer).
 * The payload must point inside the input; an answer must parse itself, be
 * an ACK to the same xid with ciaddr echoed and no yiaddr, and frame again.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t server = 0x016433c6;	/* 198.51.100.1, network order */
	static struct dhcp_inform_opts o;
	uint8_t out[DHCP_MAX_LEN], pkt[DHCP_MAX_LEN + 28];
	struct dhcp_udp u, u2;
	struct dhcp_msg m, a;
	size_t n;

	if (!o.n_routes) {
		o.n_dns = 2;
		o.dns[0] = 0x3502000c;
		o.dns[1] = 0x3602000c;
		memcpy(o.domain, "corp.example", 12);
		o.domain_len = 12;
		o.routes[0] = (struct dhcp_route){ .dest = 0x0000000a, .prefix_len = 8 };
		o.routes[1] = (struct dhcp_route){ .dest = 0x007100cb, .prefix_len = 24 };
		o.n_routes = 2;
	}
	if (dhcp_udp_parse(data, size, &u) != DHCP_UDP_OK)
		return 0;
	assert(u.payload >= data && u.payload + u.len <= data + size);
	if (dhcp_parse(u.payload, u.len, &m) != DHCP_OK)
		return 0;
	if (dhcp_inform_answer(&o, &m, u.len, m.ciaddr, server, out, sizeof(out), &n) !=
	    DHCP_INFORM_ANSWER)
		return 0;
	assert(n >= 300 && n <= sizeof(out));
	assert(dhcp_parse(out, n, &a) == DHCP_OK);
	assert(a.type == DHCPACK && a.op == DHCP_BOOTREPLY && a.xid == m.xid);
	assert(a.ciaddr == m.ciaddr && a.yiaddr == 0 && a.lease_time == 0);
	assert(a.server_id == server);
	n = dhcp_udp_build(pkt, sizeof(pkt), server, m.ciaddr, 67, 68, out, n);
	assert(n && dhcp_udp_parse(pkt, n, &u2) == DHCP_UDP_OK && u2.dport == 68);
	return 0;
}
