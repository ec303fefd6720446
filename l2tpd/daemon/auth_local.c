/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `local` authentication provider (auth_local.h). */
#include "auth_local.h"

#include <stdlib.h>

struct auth_local {
	struct auth_provider base;	/* first: the seam's view */
	policy_t *const *policy;
};

static int local_lookup_secret(struct auth_provider *p, const struct auth_query *q)
{
	struct auth_local *l = (struct auth_local *)p;
	const struct policy_user *u = policy_find_user(*l->policy, q->user);
	struct ppp_secret secret;
	struct auth_reply r = { .kind = AUTH_REPLY_NO_USER };

	if (u) {
		policy_user_secret(u, &secret);
		r.kind = AUTH_REPLY_SECRET;
		r.secret = &secret;	/* the policy's memory: used within the call */
	}
	p->reply(q->ctx, &r);
	return 0;
}

static void local_destroy(struct auth_provider *p)
{
	free(p);
}

static const struct auth_provider_ops local_ops = {
	.name = "local",
	.lookup_secret = local_lookup_secret,
	.destroy = local_destroy,
};

struct auth_provider *auth_local_new(policy_t *const *policy, auth_reply_fn reply)
{
	struct auth_local *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->base.ops = &local_ops;
	l->base.reply = reply;
	l->policy = policy;
	return &l->base;
}
