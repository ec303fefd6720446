/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "l2tp_listener.h"
#include "l2tp_report.h"

#include <daemon.h>

typedef struct private_l2tp_listener_t private_l2tp_listener_t;

/**
 * Private data of a l2tp_listener_t object.
 */
struct private_l2tp_listener_t {

	/**
	 * Public l2tp_listener_t interface.
	 */
	l2tp_listener_t public;

	/**
	 * Link to l2tpd
	 */
	l2tp_socket_t *socket;
};

/*
 * Listeners run on charon's threads with the IKE_SA checked out: they
 * encode a message and queue it (a mutex and a list append), nothing more.
 */

METHOD(listener_t, ike_updown, bool,
	private_l2tp_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	host_t *other = ike_sa->get_other_host(ike_sa);

	DBG1(DBG_CFG, "l2tp: IKE_SA %s[%u] %s, IKEv%d, peer %H port %u, "
		 "local %H, ids '%Y' - '%Y'",
		 ike_sa->get_name(ike_sa), ike_sa->get_unique_id(ike_sa),
		 up ? "up" : "down", ike_sa->get_version(ike_sa), other,
		 other->get_port(other), ike_sa->get_my_host(ike_sa),
		 ike_sa->get_my_id(ike_sa), ike_sa->get_other_id(ike_sa));
	this->socket->queue(this->socket, l2tp_report_ike(ike_sa, up, NULL));
	return TRUE;
}

METHOD(listener_t, ike_rekey, bool,
	private_l2tp_listener_t *this, ike_sa_t *old, ike_sa_t *new)
{
	/* IKEv2: the CHILD_SAs and l2tpd's tunnels move to the new IKE_SA */
	this->socket->queue(this->socket, l2tp_report_ike(new, TRUE, old));
	return TRUE;
}

METHOD(listener_t, child_updown, bool,
	private_l2tp_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	if (!l2tp_report_is_l2tp(child_sa))
	{
		return TRUE;
	}
	DBG1(DBG_CFG, "l2tp: L2TP CHILD_SA %s{%u} %s in IKE_SA %s[%u], peer %H, "
		 "NAT-T %s, mark in 0x%08x, remote id '%Y'",
		 child_sa->get_name(child_sa), child_sa->get_unique_id(child_sa),
		 up ? "up" : "down", ike_sa->get_name(ike_sa),
		 ike_sa->get_unique_id(ike_sa), ike_sa->get_other_host(ike_sa),
		 child_sa->has_encap(child_sa) ? "yes" : "no",
		 child_sa->get_mark(child_sa, TRUE).value,
		 ike_sa->get_other_id(ike_sa));
	this->socket->queue(this->socket,
						l2tp_report_child(ike_sa, child_sa, up));
	return TRUE;
}

METHOD(listener_t, child_rekey, bool,
	private_l2tp_listener_t *this, ike_sa_t *ike_sa, child_sa_t *old,
	child_sa_t *new)
{
	if (!l2tp_report_is_l2tp(new))
	{
		return TRUE;
	}
	/* the new one first, so l2tpd never sees the IKE_SA without one */
	this->socket->queue(this->socket, l2tp_report_child(ike_sa, new, TRUE));
	this->socket->queue(this->socket, l2tp_report_child(ike_sa, old, FALSE));
	return TRUE;
}

METHOD(l2tp_listener_t, destroy, void,
	private_l2tp_listener_t *this)
{
	free(this);
}

/**
 * See header
 */
l2tp_listener_t *l2tp_listener_create(l2tp_socket_t *socket)
{
	private_l2tp_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.ike_rekey = _ike_rekey,
				.child_updown = _child_updown,
				.child_rekey = _child_rekey,
			},
			.destroy = _destroy,
		},
		.socket = socket,
	);

	return &this->public;
}
