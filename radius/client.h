/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A RADIUS client's request engine (docs/radius.md, "The client"): which
 * server gets a request, Identifiers, retransmission, failover, dead-server
 * detection with Status-Server (RFC 5997), per-server counters and
 * round-trip times. No I/O and no clock of its own: the daemon sends what
 * ops->send gives it, feeds back what arrives, calls radius_client_timer()
 * at radius_client_next_timer(), and passes the time in. RFC 5080 section
 * 2.2.1: a retransmission to the same server is the same packet (same
 * Identifier and authenticator); another server gets a packet built anew
 * with its own secret.
 */
#ifndef RADIUS_CLIENT_H
#define RADIUS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "radius.h"

#define RADIUS_CLIENT_MAX_SERVERS 8

struct radius_server_stats {
	uint64_t requests, retransmits, timeouts, responses;
	uint64_t bad_authenticators, malformed, unknown_ids;
	uint32_t rtt_ms;		/* smoothed round-trip time (RFC 6298's 1/8 weight) */
	uint32_t rtt_last_ms;		/* the last answer's round-trip time */
	bool alive;
};

/* How a request ended. */
enum radius_result {
	RADIUS_RESULT_RESPONSE,		/* a verified response: see the packet */
	RADIUS_RESULT_TIMEOUT,		/* every server tried, none answered */
	RADIUS_RESULT_NO_SERVER,	/* every server is dead */
};

struct radius_client_ops {
	void *ctx;
	/* Send to server `server`; its return value is ignored (a lost send
	 * is a lost datagram: retransmission covers it). */
	void (*send)(void *ctx, unsigned server, const uint8_t *pkt, size_t len);
	/* Fill a random Request Authenticator; -1 if no randomness. */
	int (*random)(void *ctx, uint8_t *buf, size_t len);
	/* A request ended. resp is valid only during the call. */
	void (*done)(void *ctx, void *cookie, enum radius_result r, unsigned server,
		     const struct radius_packet *resp);
};

/* Builds the attributes of a request into w (after radius_begin): called
 * for the first send to each server (User-Password depends on the secret
 * and the authenticator). Return 0, or -1 to give up. */
typedef int (*radius_build_fn)(void *cookie, struct radius_writer *w, const char *secret);

struct radius_client_config {
	unsigned n_servers;
	const char *secrets[RADIUS_CLIENT_MAX_SERVERS];
	uint32_t timeout_ms;		/* first retransmission; doubles, RFC 5080 2.2.1 */
	uint32_t max_timeout_ms;
	unsigned tries;			/* sends to one server before the next */
	/* a server reached over a reliable transport (RadSec, RFC 6614):
	 * one send, no retransmission (RFC 6613 2.4, RFC 6614 2.3), so it
	 * is failed over after one timeout whatever `tries` says */
	bool reliable[RADIUS_CLIENT_MAX_SERVERS];
	uint32_t dead_time_ms;		/* a dead server is probed this often */
	bool load_share;		/* spread new requests over live servers */
	bool require_message_authenticator;
};

struct radius_client;

struct radius_client *radius_client_new(const struct radius_client_config *cfg,
					const struct radius_client_ops *ops);
void radius_client_free(struct radius_client *c);

/* Start a request (Access-Request when code is RADIUS_ACCESS_REQUEST,
 * else a hashed one: Accounting-Request). 0, or -1 (every Identifier of
 * every live server in use, or no live server: the caller refuses or
 * queues). */
int radius_client_submit(struct radius_client *c, uint64_t now_ms, uint8_t code,
			 radius_build_fn build, void *cookie);
/* Forget a request (its session went away); done is not called. */
void radius_client_cancel(struct radius_client *c, void *cookie);
/* A datagram from server `server`. */
void radius_client_input(struct radius_client *c, uint64_t now_ms, unsigned server,
			 const uint8_t *buf, size_t len);
void radius_client_timer(struct radius_client *c, uint64_t now_ms);
/* When radius_client_timer() is next due, UINT64_MAX if never. */
uint64_t radius_client_next_timer(const struct radius_client *c);
const struct radius_server_stats *radius_client_stats(const struct radius_client *c,
						      unsigned server);

#endif
