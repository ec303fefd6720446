/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `l2tpctl radius` (docs/radius.md "l2tpctl radius", l2tpctl(8)): each
 * configured server alive or dead with the authentication and accounting
 * engines' counters and round-trip times, the engines' totals, the
 * accounting queue and spool, the sockets' counters. Text or JSON.
 */
#ifndef L2TPD_RADIUS_STATUS_H
#define L2TPD_RADIUS_STATUS_H

#include <stdbool.h>

#include "strbuf.h"

struct server;

void radius_status(struct server *srv, struct strbuf *o, bool json);

#endif
