/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel data path's tunnels by UDP 4-tuple (local and peer address and
 * port; marks play no part). Linux before 6.10 hands a datagram to one
 * socket per 4-tuple and looks its session up in that socket's tunnel only
 * (l2tp_udp_recv_core), so a second kernel tunnel from the same NAT address
 * and port would never get its data (docs/ipsec-nat.md). O(1) per call.
 * Private to the kernel backend (and its unit test).
 */
#ifndef L2TPD_DPK_TUPLES_H
#define L2TPD_DPK_TUPLES_H

#include <stddef.h>
#include <stdint.h>

#include "l2tp.h"

struct dpk_tuple;
struct dpk_tuples {
	struct dpk_tuple **buckets;
	size_t cap, count;
	uint32_t seed;		/* hash start, drawn at the first claim (lib/fnv.h) */
};
/* Record tunnel id for the 4-tuple: 0 done; the id of the tunnel that has
 * it already (nothing recorded); -1 out of memory. */
int dpk_tuples_claim(struct dpk_tuples *s, const struct l2tp_addr *local,
		     const struct l2tp_addr *peer, uint16_t id);
/* Forget the 4-tuple if tunnel id holds it. */
void dpk_tuples_release(struct dpk_tuples *s, const struct l2tp_addr *local,
			const struct l2tp_addr *peer, uint16_t id);
void dpk_tuples_free(struct dpk_tuples *s);

#endif
