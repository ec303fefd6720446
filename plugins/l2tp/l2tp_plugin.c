/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "l2tp_plugin.h"
#include "l2tp_listener.h"

#include <daemon.h>

typedef struct private_l2tp_plugin_t private_l2tp_plugin_t;

/**
 * Private data of the l2tp plugin.
 */
struct private_l2tp_plugin_t {

	/**
	 * Implements plugin interface.
	 */
	l2tp_plugin_t public;

	/**
	 * Listener reporting SAs.
	 */
	l2tp_listener_t *listener;

	/**
	 * Link to l2tpd.
	 */
	l2tp_socket_t *socket;
};

METHOD(plugin_t, get_name, char*,
	private_l2tp_plugin_t *this)
{
	return "l2tp";
}

/**
 * Register or unregister the listener on the bus.
 */
static bool plugin_cb(private_l2tp_plugin_t *this,
					  plugin_feature_t *feature, bool reg, void *cb_data)
{
	if (reg)
	{
		this->socket = l2tp_socket_create();
		if (!this->socket)
		{
			return FALSE;
		}
		this->listener = l2tp_listener_create(this->socket);
		charon->bus->add_listener(charon->bus, &this->listener->listener);
	}
	else
	{
		charon->bus->remove_listener(charon->bus, &this->listener->listener);
		this->listener->destroy(this->listener);
		this->socket->destroy(this->socket);
		this->listener = NULL;
		this->socket = NULL;
	}
	return TRUE;
}

METHOD(plugin_t, get_features, int,
	private_l2tp_plugin_t *this, plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK((plugin_feature_callback_t)plugin_cb, NULL),
			PLUGIN_PROVIDE(CUSTOM, "l2tp"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void,
	private_l2tp_plugin_t *this)
{
	free(this);
}

/**
 * Plugin constructor, found by charon as l2tp_plugin_create.
 */
plugin_t *l2tp_plugin_create()
{
	private_l2tp_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);

	return &this->public.plugin;
}
