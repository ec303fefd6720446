/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The authentication-provider seam: who knows the users (docs/auth.md).
 *
 * ppp-core holds the client's login (PPP_EVENT_AUTH_REQUEST, kept until the
 * verdict) and does all PPP crypto. A provider answers one of two ways,
 * the way a Windows server is set up to "authenticate with this server, or
 * with RADIUS":
 *
 *   lookup_secret  hands out the user's stored secret; ppp-core verifies it
 *                  (PAP compare, CHAP-MD5, MS-CHAPv2 NT-Response) and keeps
 *                  the MS-CHAPv2 authenticator response. `local` does this
 *                  with the policy file's users.
 *   verify         takes the client's response itself (RADIUS relays it to
 *                  a server) and answers a verdict: accept with the
 *                  server's MS-CHAP2-Success "S=...", or reject with the
 *                  E= code and message the server chose.
 *
 * Either way the answer may come at once (inside the call) or later from
 * the event loop; the daemon then runs the post-auth policy and gives
 * ppp-core the verdict. Nothing here blocks, and no provider is asked
 * twice for one login without a cancel in between.
 */
#ifndef L2TPD_AUTH_PROVIDER_H
#define L2TPD_AUTH_PROVIDER_H

#include <stdbool.h>

#include "config.h"
#include "l2tp.h"
#include "policy.h"
#include "ppp/ppp.h"

struct auth_provider;
struct radius_reply;
struct server;

/* What the daemon knows of the session a login belongs to, for a provider
 * that describes it to a server (RADIUS's request attributes,
 * radius/request.h). Valid during the ask only: a provider copies. */
struct auth_session_facts {
	const struct l2tp_addr *peer;	/* the client's public address (L2TP's source) */
	const struct l2tp_addr *local;	/* ours, where the tunnel arrived; NULL unknown */
	uint16_t natt_port;		/* the client's NAT-T (IKE) port; 0: no NAT-T */
	uint32_t nas_port;		/* unique among the sessions of this run */
	const char *acct_session_id;	/* unique across runs */
	const char *ike_identity;	/* IKE identity (a certificate's subject), NULL none */
	uint16_t link_mtu;		/* the most a PPP frame to the client may carry (its
					 * LCP MRU); 0 unknown */
};

/* One login. Everything points into memory that lives until the answer or
 * the cancel: the identity is the session's copy, `request` ppp-core's
 * (ppp_auth_pending). */
struct auth_query {
	enum ppp_auth_method method;
	const char *user;		/* the identity, NUL-terminated */
	const struct ppp_auth_request *request;	/* the client's response */
	const struct auth_session_facts *facts;	/* the session, NULL: nothing known */
	void *ctx;			/* given back with the answer */
};

enum auth_reply_kind {
	AUTH_REPLY_SECRET,	/* lookup_secret: the stored secret, ppp-core verifies */
	AUTH_REPLY_NO_USER,	/* no such user: E=691, as for a wrong password */
	AUTH_REPLY_ACCEPT,	/* verify: the provider checked the response: yes */
	AUTH_REPLY_REJECT,	/* verify: no, with the provider's code and text */
	AUTH_REPLY_UNAVAILABLE,	/* could not decide (no server answered): E=691 */
	AUTH_REPLY_EAP_REQUEST,	/* verify, EAP relayed: no verdict yet, `eap` is the
				 * server's next Request for the client; the provider
				 * keeps the conversation until its verdict or a cancel
				 * (session_eap.h) */
};

/* Valid only during the reply call: the daemon uses it at once. */
struct auth_reply {
	enum auth_reply_kind kind;
	const struct ppp_secret *secret;	/* SECRET */
	const char *authenticator_response;	/* ACCEPT, MS-CHAPv2: "S=" + 40 hex */
	enum ppp_auth_failure failure;		/* REJECT: 691, 649, 646, 647, 648 */
	const char *message;			/* REJECT: text for the client, or NULL */
	const char *why;			/* REJECT, UNAVAILABLE: for the log line, or NULL */
	/* EAP_REQUEST: the Request; ACCEPT, REJECT of an EAP login: the
	 * server's Success or Failure as it sent it, NULL none */
	const uint8_t *eap;
	size_t eap_len;
	/* ACCEPT from a server: what it grants the session (radius/reply.h;
	 * a future provider fills the same), applied over the local
	 * profile (docs/radius.md "Local policy and the RADIUS answer");
	 * NULL: nothing */
	const struct radius_reply *attributes;
};

typedef void (*auth_reply_fn)(void *ctx, const struct auth_reply *reply);

struct auth_provider_ops {
	const char *name;		/* as in l2tpd.conf: auth { provider = NAME } */
	/* 0: asked, the answer comes through provider->reply (perhaps inside
	 * this call); -1: could not even ask (no memory): no answer comes.
	 * A provider implements one or both; lookup_secret is used when set. */
	int (*lookup_secret)(struct auth_provider *p, const struct auth_query *q);
	int (*verify)(struct auth_provider *p, const struct auth_query *q);
	/* The login is gone before its answer (session closed): never answer
	 * it. Optional for providers that always answer inside the call. */
	void (*cancel)(struct auth_provider *p, void *ctx);
	/* Optional: new settings at a reload. */
	int (*reconfigure)(struct auth_provider *p, const struct l2tpd_config *cfg, char *err,
			   size_t errlen);
	void (*destroy)(struct auth_provider *p);
};

struct auth_provider {
	const struct auth_provider_ops *ops;
	auth_reply_fn reply;		/* the daemon's; set by the constructor */
};

/* The provider l2tpd.conf chose (auth { provider = ... }): the one place
 * that knows the implementations. `policy` is the daemon's current policy
 * (local users); `srv` the server whose loop, clock and RADIUS sockets a
 * provider that talks to servers uses. NULL when it cannot be made
 * (logged). */
struct auth_provider *auth_provider_new(enum auth_provider_choice choice, struct server *srv,
					policy_t *const *policy, auth_reply_fn reply);
/* A reload: the provider's settings from the new l2tpd.conf (RADIUS: its
 * servers and secrets for logins from now on). 0, or -1 with err (the
 * old settings stay). */
int auth_provider_reconfigure(struct auth_provider *p, const struct l2tpd_config *cfg, char *err,
			      size_t errlen);
const char *auth_provider_name(const struct auth_provider *p);

/* Ask the provider about one login (the entry point it has). */
int auth_provider_ask(struct auth_provider *p, const struct auth_query *q);
void auth_provider_cancel(struct auth_provider *p, void *ctx);
void auth_provider_destroy(struct auth_provider *p);

/* What a reply means for the pending login, after ppp-core checked a
 * secret: authenticated (the daemon runs the post-auth policy, then
 * ppp_auth_answer ACCEPT with `authenticator_response`, NULL when ppp-core
 * keeps its own), or refused with `failure` (and `message`), `why` for the
 * log line. `credentials` says the refusal is about the password or the
 * user name (counted for the login back-off), not a decision. */
struct auth_outcome {
	bool pending;			/* false: ppp-core has no login waiting */
	bool authenticated;
	bool credentials;
	enum ppp_auth_failure failure;
	const char *message;
	const char *why;		/* "wrong password", "no such user", ... */
	const char *authenticator_response;
};
void auth_reply_outcome(struct ppp_session *ppp, const struct auth_reply *r,
			struct auth_outcome *out);

#endif
