/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A session's side of the EAP relay (session_eap.h). */
#include "session_eap.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "text.h"

/* RFC 2661 4.4.2 */
#define CDN_GENERAL_ERROR 2
#define CDN_TEMPORARY_RESOURCES 4

static void drop_request(struct session *s)
{
	free(s->eap_request);
	s->eap_request = NULL;
}

void session_eap_keep(struct session *s, const struct ppp_auth_request *r)
{
	if (r->method != PPP_AUTH_EAP)
		return;
	/* the Response answers the Request ppp-core was retransmitting:
	 * it has let go of it */
	drop_request(s);
	session_eap_release(s);
	if (!r->u.eap.packet || r->u.eap.packet_len == 0 || r->u.eap.packet_len > UINT16_MAX)
		return;		/* the provider refuses a login without a packet */
	s->eap_response = malloc(r->u.eap.packet_len);
	if (!s->eap_response) {
		session_request_close(s, "out of memory for an EAP packet",
				      CDN_TEMPORARY_RESOURCES, 0);
		return;
	}
	memcpy(s->eap_response, r->u.eap.packet, r->u.eap.packet_len);
	s->eap_response_len = (uint16_t)r->u.eap.packet_len;
}

void session_eap_fill(struct session *s, struct ppp_auth_request *r)
{
	if (r->method != PPP_AUTH_EAP)
		return;
	r->u.eap.packet = s->eap_response;
	r->u.eap.packet_len = s->eap_response_len;
}

void session_eap_release(struct session *s)
{
	free(s->eap_response);
	s->eap_response = NULL;
	s->eap_response_len = 0;
}

void session_eap_end(struct session *s)
{
	session_eap_release(s);
	drop_request(s);
}

bool session_eap_open(const struct session *s)
{
	return s->eap_open;
}

bool session_eap_reply(struct session *s, const struct auth_reply *r)
{
	struct ppp_auth_answer a = { .kind = PPP_ANSWER_REJECT,
				     .failure = PPP_AUTH_FAIL_CREDENTIALS };

	drop_request(s);	/* ppp-core let go of it with the last Response */
	if (r->kind != AUTH_REPLY_EAP_REQUEST) {
		/* a verdict: the provider has let the conversation go */
		s->eap_open = false;
		if (r->eap && ppp_auth_eap_final(&s->ppp, r->eap, r->eap_len))
			log_debug("session %u/%u: the server's final EAP packet is not a "
				  "Success or Failure of 4 octets: ours goes instead",
				  s->tunnel_id, s->session_id);
		return false;
	}
	s->eap_open = true;
	/* kept while the client has the turn: ppp-core retransmits it
	 * (RFC 3748 4.3) */
	if (r->eap_len && r->eap_len <= UINT16_MAX && (s->eap_request = malloc(r->eap_len)))
		memcpy(s->eap_request, r->eap, r->eap_len);
	if (s->eap_request &&
	    ppp_auth_eap_request(&s->ppp, server_now_ms(s->srv), s->eap_request, r->eap_len) == 0) {
		log_debug("session %u/%u: user '%s': EAP Request (type %u, %zu octets) relayed "
			  "to the client", s->tunnel_id, s->session_id, SAFE_STR(s->user),
			  r->eap_len > 4 ? (unsigned)r->eap[4] : 0u, r->eap_len);
		return true;
	}
	/* longer than a PPP frame (the server's EAP fragment size is
	 * larger than our MRU allows) or not a Request: the client cannot
	 * be given it (or no memory to keep it) */
	log_notice("session %u/%u: user '%s' refused: the RADIUS server's EAP Request "
		   "(%zu octets) cannot be sent over PPP%s (E=691)", s->tunnel_id, s->session_id,
		   SAFE_STR(s->user), r->eap_len, s->eap_request ? "" : " (no memory)");
	drop_request(s);
	s->srv->counters.sessions_refused++;
	s->cdn_result = CDN_GENERAL_ERROR;
	if (ppp_auth_answer(&s->ppp, server_now_ms(s->srv), &a))
		session_request_close(s, "the PPP layer refused the verdict", CDN_GENERAL_ERROR, 0);
	return true;
}
