/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: DHCP messages from the LAN's server or from a client's
 * PPP link (dhcp_parse, option lookup with overload, RFC 3442 routes).
 * Whatever parses must point inside the input.
 */
#include <assert.h>
#include <stdint.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_route r[16];
	struct dhcp_msg m;
	const uint8_t *v;
	uint8_t vlen;
	int n;

	if (dhcp_parse(data, size, &m) == DHCP_OK) {
		assert(m.type >= DHCPDISCOVER && m.type <= DHCPINFORM);
		if (m.client_id)
			assert(m.client_id >= data && m.client_id + m.client_id_len <= data + size);
		if (m.param_list)
			assert(m.param_list >= data && m.param_list + m.param_list_len <= data + size);
	}
	v = dhcp_find_option(data, size, DHCP_OPT_CLASSLESS_ROUTES, &vlen);
	if (v) {
		assert(v >= data && v + vlen <= data + size);
		n = dhcp_parse_routes(v, vlen, r, 16);
		assert(n >= -1);
		for (int i = 0; i < n && i < 16; i++)
			assert(r[i].prefix_len <= 32);
	}
	return 0;
}
