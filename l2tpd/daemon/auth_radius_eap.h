/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One EAP conversation relayed to RADIUS (docs/radius.md "EAP relay"):
 * what the radius provider (auth_radius.c) keeps of a login between its
 * round trips. RFC 3579 2.1: the client's EAP Responses go to the server
 * in Access-Requests, each with the State of the server's last
 * Access-Challenge; the Challenges' EAP Requests go back to the client,
 * until an Access-Accept or Access-Reject ends it.
 *
 * Bounded: at most EAP_RELAY_MAX_ROUNDS Responses, and a total time (the
 * daemon's auth_timeout) on the server's timer heap. Small: between round
 * trips only the State (as long as the server made it: FreeRADIUS's are 16
 * octets) and this struct (64 octets) are kept; the client's
 * Response (up to a PPP frame, 1,500 octets) only while its Access-Request
 * waits for an answer.
 */
#ifndef L2TPD_AUTH_RADIUS_EAP_H
#define L2TPD_AUTH_RADIUS_EAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eap.h"
#include "request.h"
#include "server.h"

/* EAP-TLS with one certificate each way in 1,000-octet fragments takes
 * six round trips after the Identity (test_radius_eap_tls.py), longer
 * chains a few more, PEAP-MSCHAPv2 about a dozen (docs/radius.md): forty
 * is room for long chains, and ends a server (or client) that never
 * concludes. */
#define EAP_RELAY_MAX_ROUNDS 40

struct eap_relay {
	struct server_timer timer;	/* the end of the time allowed */
	struct server *srv;
	uint8_t *state;			/* the last Challenge's State, NULL none */
	uint8_t *response;		/* the client's Response, while it is relayed */
	uint16_t response_len;
	uint8_t state_len;
	uint8_t rounds;			/* Responses relayed so far */
	bool expired;			/* the time ran out while the client had the turn */
};

/* A conversation that must end within max_ms of now; expired(ctx, now)
 * is called when it does not (on the server's timer heap). NULL: no
 * memory. */
struct eap_relay *eap_relay_new(struct server *srv, uint64_t now, uint64_t max_ms,
				void (*expired)(void *ctx, uint64_t now), void *ctx);
void eap_relay_free(struct eap_relay *e);

/* The client's next Response, copied for the Access-Request (and its
 * retransmissions). 0, or -1 with why: over the rounds or the time, or no
 * memory (-2). */
int eap_relay_response(struct eap_relay *e, const uint8_t *pkt, size_t len, char *why,
		       size_t wl);
/* The Access-Request's EAP-Message and State (request.h). */
void eap_relay_credentials(const struct eap_relay *e, struct radius_credentials *c);
/* The server's verified answer: its EAP packet into buf (RADIUS_MAX_LEN
 * octets), the Challenge's State kept for the next round, the client's
 * Response let go. 0, or -1 with why (eap.h's checks, no memory). */
int eap_relay_answer(struct eap_relay *e, const struct radius_packet *resp, uint8_t *buf,
		     struct radius_eap *out, char *why, size_t wl);

#endif
