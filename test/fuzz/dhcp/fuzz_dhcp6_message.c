/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what a client's PPP link brings to the DHCPv6 server
 * of Prefix Delegation. The input is read as an IPv6/UDP packet (the
 * userspace data plane's, dhcp6_udp_parse) and as a bare DHCPv6 message
 * (the kernel plane's UDP socket, dhcp6_parse). Every message that parses
 * is answered from three bindings (none, a prefix held, a prefix given to
 * IAID 1): the answer must parse back, echo the transaction id and the
 * client's DUID, carry our DUID, and a commit or release must leave the
 * binding consistent.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "dhcp6.h"
#include "dhcp6_server.h"

static const uint8_t duid[] = { 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				15, 16 };

static void answer(const struct dhcp6_msg *m, int kind)
{
	static uint8_t out[2048];
	struct dhcp6_server_params sp = { .duid = duid, .duid_len = sizeof(duid),
					  .preferred = 3600, .valid = 7200, .n_dns = 1 };
	struct dhcp6_binding b = { 0 };
	struct dhcp6_msg a;
	unsigned effects;
	size_t n;

	if (kind > 0) {
		b.has_prefix = true;
		b.prefix[0] = 0x20;
		b.prefix[1] = 0x01;
		b.prefix_len = 56;
	}
	if (kind > 1) {
		b.committed = true;
		b.iaid = 1;
	}
	if (dhcp6_server_answer(m, &sp, &b, out, sizeof(out), &n, &effects) != DHCP6_V_ANSWER) {
		assert(n == 0 && effects == DHCP6_E_NONE);
		return;
	}
	assert(n > 0 && dhcp6_parse(out, n, &a) == DHCP6_OK);
	assert(a.type == DHCP6_ADVERTISE || a.type == DHCP6_REPLY);
	assert(a.xid == m->xid);
	assert(a.server_id_len == sizeof(duid) && memcmp(a.server_id, duid, sizeof(duid)) == 0);
	assert(a.client_id_len == m->client_id_len);
	assert(!m->client_id || memcmp(a.client_id, m->client_id, m->client_id_len) == 0);
	if (effects & DHCP6_E_COMMIT)
		assert(b.has_prefix && b.committed && kind > 0);
	if (effects & DHCP6_E_RELEASE)
		assert(!b.has_prefix && !b.committed && kind > 0);
	assert(!(effects & DHCP6_E_COMMIT) || a.type == DHCP6_REPLY);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp6_udp u;
	struct dhcp6_msg m;

	if (dhcp6_udp_parse(data, size, &u) == DHCP6_UDP_OK) {
		assert(u.payload >= data && u.payload + u.len <= data + size);
		if (dhcp6_parse(u.payload, u.len, &m) == DHCP6_OK)
			answer(&m, 1);
	}
	(void)dhcp6_udp_to_server(data, size);
	if (dhcp6_parse(data, size, &m) != DHCP6_OK)
		return 0;
	assert(m.n_ia_pd <= DHCP6_MAX_IA && m.n_ia_na <= DHCP6_MAX_IA && m.n_dns <= DHCP6_MAX_DNS);
	assert(!m.client_id || (m.client_id_len >= DHCP6_DUID_MIN &&
				m.client_id_len <= DHCP6_DUID_MAX));
	for (int kind = 0; kind < 3; kind++)
		answer(&m, kind);
	return 0;
}
