/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drain (l2tpctl drain on|off): for maintenance, refuse new tunnels and
 * sessions and keep the ones up, so the host empties as users hang up.
 * New tunnels get StopCCN result 2 with error 4, new calls CDN result 4
 * (RFC 2661 4.4.2: "insufficient resources to handle this operation now",
 * "lack of appropriate facilities (temporary condition)"): temporary
 * answers, a client may retry and reach another server. Not kept across a
 * restart: a restarted daemon accepts again (docs/operations.md).
 */
#ifndef L2TPD_DRAIN_H
#define L2TPD_DRAIN_H

#include <stdbool.h>

#include "l2tp.h"

struct server;

void server_set_draining(struct server *srv, bool on);
/* l2tp_ops.accept_tunnel: "busy" while draining, else the IPsec check. */
enum l2tp_accept drain_accept_tunnel(void *srv, const struct l2tp_addr *peer,
				     const struct l2tp_addr *local);

#endif
