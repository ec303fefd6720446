/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The authentication-provider seam (auth_provider.h, docs/auth.md): the
 * dispatch to a provider's entry point and what its answer means for the
 * login ppp-core keeps. The one credential check is ppp-core's. */
#include "auth_provider.h"

#include <stddef.h>

#include "auth_local.h"
#include "auth_radius.h"
#include "config.h"

struct auth_provider *auth_provider_new(enum auth_provider_choice choice, struct server *srv,
					policy_t *const *policy, auth_reply_fn reply)
{
	switch (choice) {
	case AUTH_PROVIDER_LOCAL:
		return auth_local_new(policy, reply);
	case AUTH_PROVIDER_RADIUS:
		return auth_radius_new(srv, reply);
	}
	return NULL;
}

int auth_provider_reconfigure(struct auth_provider *p, const struct l2tpd_config *cfg, char *err,
			      size_t errlen)
{
	if (!p || !p->ops->reconfigure)
		return 0;
	return p->ops->reconfigure(p, cfg, err, errlen);
}

const char *auth_provider_name(const struct auth_provider *p)
{
	return p ? p->ops->name : "none";
}

int auth_provider_ask(struct auth_provider *p, const struct auth_query *q)
{
	if (!p || !q)
		return -1;
	if (p->ops->lookup_secret)
		return p->ops->lookup_secret(p, q);
	if (p->ops->verify)
		return p->ops->verify(p, q);
	return -1;
}

void auth_provider_cancel(struct auth_provider *p, void *ctx)
{
	if (p && p->ops->cancel)
		p->ops->cancel(p, ctx);
}

void auth_provider_destroy(struct auth_provider *p)
{
	if (p)
		p->ops->destroy(p);
}

static void refuse(struct auth_outcome *o, bool credentials, enum ppp_auth_failure code,
		   const char *message, const char *why)
{
	o->authenticated = false;
	o->credentials = credentials;
	o->failure = code;
	o->message = message;
	o->why = why;
}

void auth_reply_outcome(struct ppp_session *ppp, const struct auth_reply *r,
			struct auth_outcome *o)
{
	struct ppp_auth_request pending;

	*o = (struct auth_outcome){ .pending = true };
	if (ppp_auth_pending(ppp, &pending)) {
		o->pending = false;
		return;
	}
	/* One answer for unknown users and bad passwords: 691, as Windows
	 * does, so a client cannot probe for user names. */
	switch (r->kind) {
	case AUTH_REPLY_SECRET:
		switch (ppp_auth_verify(ppp, r->secret)) {
		case PPP_VERIFY_MATCH:
			o->authenticated = true;
			o->why = "verified";
			return;
		case PPP_VERIFY_MISMATCH:
			refuse(o, true, PPP_AUTH_FAIL_CREDENTIALS, "authentication failed",
			       "wrong password");
			return;
		case PPP_VERIFY_UNUSABLE:
			/* e.g. CHAP-MD5 for a user with only an NT hash:
			 * the administrator's to fix (docs/policy.md) */
			refuse(o, true, PPP_AUTH_FAIL_CREDENTIALS, "authentication failed",
			       "wrong password (no stored secret this method can use)");
			return;
		case PPP_VERIFY_NOT_PENDING:
		default:
			o->pending = false;
			return;
		}
	case AUTH_REPLY_NO_USER:
		refuse(o, true, PPP_AUTH_FAIL_CREDENTIALS, "authentication failed",
		       "no such user");
		return;
	case AUTH_REPLY_ACCEPT:
		/* MS-CHAPv2 without the server's S=: the client would refuse
		 * our Success; better an honest failure now. */
		if (pending.method == PPP_AUTH_MSCHAPV2 && !r->authenticator_response) {
			refuse(o, false, PPP_AUTH_FAIL_CREDENTIALS, "authentication failed",
			       "accepted without an authenticator response");
			return;
		}
		o->authenticated = true;
		o->why = "accepted by the provider";
		o->authenticator_response = r->authenticator_response;
		return;
	case AUTH_REPLY_REJECT:
		refuse(o, r->failure == PPP_AUTH_FAIL_CREDENTIALS || r->failure == PPP_AUTH_OK,
		       r->failure == PPP_AUTH_OK ? PPP_AUTH_FAIL_CREDENTIALS : r->failure,
		       r->message ? r->message : "authentication failed",
		       r->why ? r->why : "refused by the provider");
		return;
	case AUTH_REPLY_EAP_REQUEST:
		/* no verdict: the session relays it (session_eap.h) */
		o->pending = false;
		return;
	case AUTH_REPLY_UNAVAILABLE:
	default:
		refuse(o, false, PPP_AUTH_FAIL_CREDENTIALS, "authentication failed",
		       r->why ? r->why : "the authentication provider could not decide");
		return;
	}
}
