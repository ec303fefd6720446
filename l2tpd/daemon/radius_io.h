/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RADIUS servers' sockets on the event loop (docs/radius.md "In the
 * daemon"): the glue between radius/'s engines, which have no I/O and no
 * clock, and the daemon. One non-blocking UDP socket per address family
 * of the configured servers, shared by authentication and accounting,
 * watched by the sd-event loop; a datagram is matched to its server and
 * port by its source address and handed to the engine of that port (the
 * engine matches it to a request by Identifier and authenticator). The
 * engines' retransmissions run on the daemon's one timer heap
 * (struct server_timer). Sends never wait: a full socket buffer is a lost
 * datagram, which the engine's retransmission covers.
 */
#ifndef L2TPD_RADIUS_IO_H
#define L2TPD_RADIUS_IO_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct server;
struct radius_io;
struct radsec_stats;

enum radius_io_port { RADIUS_IO_AUTH, RADIUS_IO_ACCT, RADIUS_IO_NPORTS };

/* A datagram from server `server` to the engine of one port. */
typedef void (*radius_io_input_fn)(void *ctx, unsigned server, const uint8_t *buf, size_t len);

struct radius_io_stats {
	uint64_t sent, send_errors, received, unknown_source, recv_errors;
};

/* Sockets for the families of rc's servers, bound to rc's NAS addresses
 * where set, on srv's loop. NULL with the reason in err. */
struct radius_io *radius_io_new(struct server *srv, const struct radius_conf *rc, char *err,
				size_t errlen);
/* A reload: the servers of rc from now on (a socket for a new family is
 * opened; a changed NAS address rebinds). 0, or -1 with err (the old
 * servers stay). */
int radius_io_reconfigure(struct radius_io *io, const struct radius_conf *rc, char *err,
			  size_t errlen);
void radius_io_free(struct radius_io *io);

void radius_io_set_input(struct radius_io *io, enum radius_io_port port, radius_io_input_fn fn,
			 void *ctx);
void radius_io_send(struct radius_io *io, enum radius_io_port port, unsigned server,
		    const uint8_t *pkt, size_t len);
const struct radius_io_stats *radius_io_stats(const struct radius_io *io);
/* Server `server`'s RadSec connection counters (radsec.h); NULL when it
 * is not a TLS server. */
const struct radsec_stats *radius_io_tls_stats(const struct radius_io *io, unsigned server);
/* "192.0.2.10:1812" of a server's port, for log lines. */
const char *radius_io_server_str(const struct radius_io *io, enum radius_io_port port,
				 unsigned server, char *buf, size_t len);

#endif
