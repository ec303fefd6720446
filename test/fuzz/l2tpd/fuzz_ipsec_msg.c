/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what l2tpd reads from the charon plugin's socket. The
 * input is first parsed whole as one message, then split into a sequence of
 * messages (two length octets before each) applied to an SA table, with a
 * verdict asked and a tunnel bound/unbound after each, so the fuzzer
 * reaches the table's states (replays, rekeys, removals) too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipsec_table.h"

static unsigned bound;

static void on_gone(void *ctx, const struct ipsec_ike *ike, enum ipsec_gone_reason why)
{
	struct ipsec_table *t = ctx;

	/* what the daemon does: close the tunnels, which unbinds them */
	while (ike->tunnels && ipsec_table_unbind(t, ike->id))
		bound--;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_ipsec_msg m;
	struct ipsec_table t;
	struct ipsec_table_ops ops = { .sa_gone = on_gone, .ctx = &t };
	enum ipsec_apply_reason apply;
	size_t off = 0;

	(void)l2tp_ipsec_parse(data, size, &m);
	if (ipsec_table_init(&t, &ops))
		return 0;
	bound = 0;
	ipsec_table_connected(&t);
	while (size - off >= 2) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		struct ipsec_ike *ike;
		uint8_t addr[16] = { 0 };

		off += 2;
		if (n > size - off)
			n = size - off;
		if (n == 0) {	/* a zero length stands for a reconnect */
			ipsec_table_disconnected(&t);
			ipsec_table_connected(&t);
			continue;
		}
		(void)ipsec_table_input(&t, data + off, n, &apply);
		/* ask about the address the message mentioned, if any */
		if (l2tp_ipsec_parse(data + off, n, &m) == L2TP_IPSEC_OK && m.peer.family) {
			memcpy(addr, m.peer.addr, 16);
			if (ipsec_table_check(&t, m.peer.family, addr, m.mark_in, &ike) == IPSEC_OK &&
			    (n & 1)) {
				ipsec_table_bind(&t, ike);
				bound++;
			}
		}
		off += n;
	}
	ipsec_table_free(&t);
	return 0;
}
