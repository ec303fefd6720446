/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup l2tp l2tp
 * @ingroup cplugins
 *
 * Ties IPsec SAs to l2tpd's L2TP tunnels: reports every IKE SA and every
 * transport-mode CHILD_SA carrying UDP/1701 coming up and going down to
 * l2tpd over a unix socket (peer address and NAT-T port, identities,
 * certificate, marks, unique ids), replays them whenever it (re)connects,
 * and deletes IKE SAs on l2tpd's request (docs/ipsec.md).
 *
 * @defgroup l2tp_plugin l2tp_plugin
 * @{ @ingroup l2tp
 */

#ifndef L2TP_PLUGIN_H_
#define L2TP_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct l2tp_plugin_t l2tp_plugin_t;

/**
 * Plugin tying IPsec SAs to L2TP tunnels.
 */
struct l2tp_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	plugin_t plugin;
};

#endif /** L2TP_PLUGIN_H_ @}*/
