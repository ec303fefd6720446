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
 * @defgroup l2tp_listener l2tp_listener
 * @{ @ingroup l2tp
 */

#ifndef L2TP_LISTENER_H_
#define L2TP_LISTENER_H_

#include <bus/listeners/listener.h>

#include "l2tp_socket.h"

typedef struct l2tp_listener_t l2tp_listener_t;

/**
 * Bus listener reporting IKE SAs and L2TP transport-mode CHILD_SAs to l2tpd.
 */
struct l2tp_listener_t {

	/**
	 * Implements listener_t interface.
	 */
	listener_t listener;

	/**
	 * Destroy a l2tp_listener_t.
	 */
	void (*destroy)(l2tp_listener_t *this);
};

/**
 * Create a l2tp_listener instance.
 *
 * @param socket	link to l2tpd the reports are queued on
 */
l2tp_listener_t *l2tp_listener_create(l2tp_socket_t *socket);

#endif /** L2TP_LISTENER_H_ @}*/
