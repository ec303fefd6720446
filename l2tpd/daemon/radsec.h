/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS over TLS, RadSec (RFC 6614), for the servers configured with
 * `transport = tls` (docs/radius.md "RadSec"). radius_io.c hands it the
 * engines' packets for those servers; it hands back the answers.
 *
 * One TCP+TLS connection per server, opened when the first packet for it
 * is sent and kept (RFC 6614 2.5: connections are long-lived), carrying
 * authentication, accounting and Status-Server alike (RFC 6614 2.3: one
 * port, 2083). Everything is non-blocking on the sd-event loop: connect,
 * handshake, reads and writes; packets sent before the handshake ends are
 * queued (bounded) and written once it does.
 *
 * Verified (secure by default): the server's chain against ca_file, its
 * name (SAN dNSName / IP, else CN) against server_name when set, TLS 1.2
 * at least (RFC 6614 2.3); we present cert_file/key_file.
 *
 * No retransmission over a reliable transport (RFC 6613 2.6.1): the
 * engines send a TLS server a request once (radius_client_config.reliable)
 * and fail it over to the next server after one timeout; a retransmission
 * of a packet already written on the connection would still be dropped
 * here.
 * A connection that drops is reopened at the next packet; a connect or
 * handshake that fails (or takes over 10 s) backs off (1 s doubling to 60 s) on the daemon's
 * timer heap, packets meanwhile being dropped (the engine fails over).
 */
#ifndef L2TPD_RADSEC_H
#define L2TPD_RADSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "radius_io.h"

struct server;
struct radsec;

/* An answer from a TLS server, for the engine of `port`. */
typedef void (*radsec_input_fn)(void *ctx, enum radius_io_port port, unsigned server,
				const uint8_t *buf, size_t len);

/* l2tpctl radius (a TLS server's "tls" line): connections opened,
 * connects or handshakes that failed, connections lost once up, engine
 * retransmissions not written (RFC 6613 2.6.1), packets lost for want of a
 * connection or of queue room, connections closed for a bad Length. Per
 * server, from its configuration on: a reload starts them again, as it
 * does the engines' counters. */
struct radsec_stats {
	uint64_t connects, handshake_failures, drops, retransmissions_dropped, lost, malformed;
};

struct radsec *radsec_new(struct server *srv, radsec_input_fn input, void *ctx);
/* The TLS servers of rc from now on: each one's TLS context is built from
 * its files (an error, with the file, refuses the configuration and keeps
 * the old one); a server whose settings changed is disconnected. */
int radsec_reconfigure(struct radsec *rs, const struct radius_conf *rc, char *err, size_t errlen);
void radsec_free(struct radsec *rs);

bool radsec_is_tls(const struct radsec *rs, unsigned server);
void radsec_send(struct radsec *rs, enum radius_io_port port, unsigned server, const uint8_t *pkt,
		 size_t len);
/* Server `server`'s counters; NULL when it is not a TLS server. */
const struct radsec_stats *radsec_stats(const struct radsec *rs, unsigned server);

#endif
