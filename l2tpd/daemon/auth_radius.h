/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `radius` authentication provider (docs/radius.md "In the daemon",
 * docs/auth.md): it relays the client's response to the RADIUS servers of
 * l2tpd.conf's radius { } block through the request engine
 * (radius/client.h) on the daemon's sockets (radius_io.h) and timer heap,
 * and answers with the server's verdict: ACCEPT with the MS-CHAP2-Success
 * "S=" unchanged and the reply attributes, REJECT with the MS-CHAP-Error
 * code and text as the server sent them, UNAVAILABLE when no server
 * answered. Nothing blocks: a login waits in the engine (or, with every
 * Identifier of every server taken, in a queue of its own) until an answer
 * or its cancel.
 */
#ifndef L2TPD_AUTH_RADIUS_H
#define L2TPD_AUTH_RADIUS_H

#include <stdint.h>

#include "auth_provider.h"

struct radius_client;

struct auth_radius_stats {
	uint64_t logins;		/* asked */
	uint64_t accepts, rejects, challenges;
	uint64_t timeouts;		/* no server answered: UNAVAILABLE */
	uint64_t not_honoured;		/* an Access-Accept we could not carry out */
	uint64_t cancelled;		/* the session went first */
	uint64_t reconfigured;		/* reloads that changed the servers */
	unsigned waiting, in_flight;	/* now */
};

/* With srv's RADIUS sockets (srv->radius_io) and the servers of
 * srv->cfg.radius. NULL when it cannot be made (logged). */
struct auth_provider *auth_radius_new(struct server *srv, auth_reply_fn reply);

/* For l2tpctl radius and the metrics: NULL when p is not the radius
 * provider. The engine's per-server counters: radius_client_stats(). */
const struct auth_radius_stats *auth_radius_stats(const struct auth_provider *p);
const struct radius_client *auth_radius_client(const struct auth_provider *p);
/* Calling-/Called-Station-Id as the Access-Request says them (RFC 2865
 * 5.30, 5.31): the address, with ":port" where port is not 0; the DAS
 * (dynauth.c) compares them with what a request names. */
struct l2tp_addr;
void auth_radius_station(const struct l2tp_addr *a, uint16_t port, char *buf, size_t len);
/* The servers it uses (the names and addresses of l2tpd.conf). */
const struct radius_conf *auth_radius_conf(const struct auth_provider *p);

#endif
