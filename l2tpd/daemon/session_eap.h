/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's side of the EAP relay (docs/radius.md "EAP relay"): the
 * hooks session.c calls. ppp-core emits each EAP Response of the client
 * as a login (PPP_EVENT_AUTH_REQUEST) but keeps no EAP packet past the
 * event, so the session keeps it until the provider is asked (out of
 * ppp-core's callback, like every login) and lets it go at once: the
 * provider copies what it relays. The provider's answer is either the
 * server's next EAP Request, sent to the client while the provider keeps
 * the conversation, or a verdict with the server's Success or Failure,
 * which ppp-core sends as the server made it.
 *
 * Per session: two pointers and a flag; the client's packet (up to a PPP
 * frame) only between its arrival and the ask, the server's Request (up to
 * a frame) while the client has the turn, for ppp-core to retransmit
 * (RFC 3748 4.3: the authenticator retransmits, the peer never does).
 */
#ifndef L2TPD_SESSION_EAP_H
#define L2TPD_SESSION_EAP_H

#include <stdbool.h>

#include "auth_provider.h"
#include "server.h"

/* PPP_EVENT_AUTH_REQUEST: an EAP login's packet kept for the ask; other
 * methods are left alone. No memory: the session is closed. */
void session_eap_keep(struct session *s, const struct ppp_auth_request *r);
/* The ask: r (ppp_auth_pending's, which has no EAP packet) points at the
 * kept one. */
void session_eap_fill(struct session *s, struct ppp_auth_request *r);
/* After the ask: the client's packet let go. */
void session_eap_release(struct session *s);
/* Teardown: everything the session holds for EAP. */
void session_eap_end(struct session *s);
/* A provider's answer: an EAP Request goes to the client (true: that is
 * all); for a verdict the server's Success or Failure is handed to
 * ppp-core before it (false: the caller decides as for any method). */
bool session_eap_reply(struct session *s, const struct auth_reply *r);
/* The provider still holds a conversation for s: cancel it at teardown. */
bool session_eap_open(const struct session *s);

#endif
