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
 * @defgroup l2tp_socket l2tp_socket
 * @{ @ingroup l2tp
 */

#ifndef L2TP_SOCKET_H_
#define L2TP_SOCKET_H_

#include <library.h>

typedef struct l2tp_socket_t l2tp_socket_t;

/**
 * The link to l2tpd: connects to its unix socket (and reconnects with
 * back-off), replays every current SA on each connect, sends queued
 * reports, and carries out l2tpd's requests to delete IKE_SAs.
 *
 * All I/O happens on one thread of its own: queue() only appends to a
 * list, so charon's threads (bus listeners) never block on l2tpd.
 */
struct l2tp_socket_t {

	/**
	 * Queue a message for l2tpd; takes ownership of msg. Dropped while
	 * not connected (the next connect replays everything).
	 *
	 * @param msg		encoded message (l2tp_ipsec_msg.h)
	 */
	void (*queue)(l2tp_socket_t *this, chunk_t msg);

	/**
	 * Destroy a l2tp_socket_t, stopping its thread.
	 */
	void (*destroy)(l2tp_socket_t *this);
};

/**
 * Create the link and start its thread.
 */
l2tp_socket_t *l2tp_socket_create();

#endif /** L2TP_SOCKET_H_ @}*/
