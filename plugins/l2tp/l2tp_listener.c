/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "l2tp_listener.h"

#include <daemon.h>

/** L2TP's well-known UDP port (RFC 2661 section 8.1). */
#define L2TP_PORT 1701

typedef struct private_l2tp_listener_t private_l2tp_listener_t;

/**
 * Private data of a l2tp_listener_t object.
 */
struct private_l2tp_listener_t {

	/**
	 * Public l2tp_listener_t interface.
	 */
	l2tp_listener_t public;
};

/**
 * Does a traffic selector list cover UDP port 1701 on our side?
 */
static bool ts_is_l2tp(child_sa_t *child_sa, bool local)
{
	enumerator_t *enumerator;
	traffic_selector_t *ts;
	bool found = FALSE;

	enumerator = child_sa->create_ts_enumerator(child_sa, local);
	while (enumerator->enumerate(enumerator, &ts))
	{
		if (ts->get_protocol(ts) == IPPROTO_UDP &&
			ts->get_from_port(ts) <= L2TP_PORT &&
			ts->get_to_port(ts) >= L2TP_PORT)
		{
			found = TRUE;
			break;
		}
	}
	enumerator->destroy(enumerator);
	return found;
}

METHOD(listener_t, ike_updown, bool,
	private_l2tp_listener_t *this, ike_sa_t *ike_sa, bool up)
{
	host_t *other = ike_sa->get_other_host(ike_sa);

	/* Listeners run on charon's threads: log and return, never block. */
	DBG1(DBG_CFG, "l2tp: IKE_SA %s[%u] %s, IKEv%d, peer %H port %u, "
		 "local %H, ids '%Y' - '%Y'",
		 ike_sa->get_name(ike_sa), ike_sa->get_unique_id(ike_sa),
		 up ? "up" : "down", ike_sa->get_version(ike_sa), other,
		 other->get_port(other), ike_sa->get_my_host(ike_sa),
		 ike_sa->get_my_id(ike_sa), ike_sa->get_other_id(ike_sa));
	return TRUE;
}

METHOD(listener_t, child_updown, bool,
	private_l2tp_listener_t *this, ike_sa_t *ike_sa, child_sa_t *child_sa,
	bool up)
{
	if (child_sa->get_mode(child_sa) != MODE_TRANSPORT ||
		!ts_is_l2tp(child_sa, TRUE))
	{
		return TRUE;
	}
	DBG1(DBG_CFG, "l2tp: L2TP CHILD_SA %s{%u} %s in IKE_SA %s[%u], peer %H, "
		 "NAT-T %s, remote id '%Y'",
		 child_sa->get_name(child_sa), child_sa->get_unique_id(child_sa),
		 up ? "up" : "down", ike_sa->get_name(ike_sa),
		 ike_sa->get_unique_id(ike_sa), ike_sa->get_other_host(ike_sa),
		 child_sa->has_encap(child_sa) ? "yes" : "no",
		 ike_sa->get_other_id(ike_sa));
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
l2tp_listener_t *l2tp_listener_create()
{
	private_l2tp_listener_t *this;

	INIT(this,
		.public = {
			.listener = {
				.ike_updown = _ike_updown,
				.child_updown = _child_updown,
			},
			.destroy = _destroy,
		},
	);

	return &this->public;
}
