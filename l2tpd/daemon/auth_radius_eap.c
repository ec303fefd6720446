/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One EAP conversation relayed to RADIUS (auth_radius_eap.h). */
#include "auth_radius_eap.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

struct eap_relay *eap_relay_new(struct server *srv, uint64_t now, uint64_t max_ms,
				void (*expired)(void *ctx, uint64_t now), void *ctx)
{
	struct eap_relay *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->srv = srv;
	e->timer.node.kind = SERVER_TIMER_CALLBACK;
	e->timer.fn = expired;
	e->timer.ctx = ctx;
	if (timerheap_set(&srv->timers, &e->timer.node, now + max_ms)) {
		free(e);
		return NULL;
	}
	server_rearm_heap(srv);
	return e;
}

void eap_relay_free(struct eap_relay *e)
{
	if (!e)
		return;
	timerheap_cancel(&e->srv->timers, &e->timer.node);
	free(e->state);
	free(e->response);
	free(e);
}

int eap_relay_response(struct eap_relay *e, const uint8_t *pkt, size_t len, char *why,
		       size_t wl)
{
	if (e->expired) {
		snprintf(why, wl, "the EAP conversation ran out of time");
		return -1;
	}
	if (e->rounds >= EAP_RELAY_MAX_ROUNDS) {
		snprintf(why, wl, "the EAP conversation did not end in %d round trips",
			 EAP_RELAY_MAX_ROUNDS);
		return -1;
	}
	/* ppp-core hands over a whole Response (RFC 3748 4), never more
	 * than a frame */
	if (!pkt || len < 5 || len > UINT16_MAX) {
		snprintf(why, wl, "no EAP Response to relay");
		return -1;
	}
	free(e->response);
	e->response = malloc(len);
	if (!e->response)
		return -2;
	memcpy(e->response, pkt, len);
	e->response_len = (uint16_t)len;
	e->rounds++;
	return 0;
}

void eap_relay_credentials(const struct eap_relay *e, struct radius_credentials *c)
{
	c->kind = RADIUS_AUTH_EAP;
	c->eap = e->response;
	c->eap_len = e->response_len;
	/* RFC 2865 5.24 and RFC 3579 2.1: the State of the last Challenge,
	 * unchanged */
	c->state = e->state;
	c->state_len = e->state_len;
}

int eap_relay_answer(struct eap_relay *e, const struct radius_packet *resp, uint8_t *buf,
		     struct radius_eap *out, char *why, size_t wl)
{
	/* the Response is answered: the turn is the client's */
	free(e->response);
	e->response = NULL;
	e->response_len = 0;
	if (radius_eap_read(resp, buf, RADIUS_MAX_LEN, out, why, wl))
		return -1;
	free(e->state);
	e->state = NULL;
	e->state_len = 0;
	if (resp->code == RADIUS_ACCESS_CHALLENGE && out->state) {
		e->state = malloc(out->state_len);
		if (!e->state) {
			snprintf(why, wl, "no memory for the server's State");
			return -1;
		}
		memcpy(e->state, out->state, out->state_len);
		e->state_len = out->state_len;
	}
	return 0;
}
