/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The `local` authentication provider: the policy file's users. It hands
 * out a user's stored secret (nt_hash, password_hash, password) and lets
 * ppp-core verify it (docs/auth.md). Answers inside the call.
 */
#ifndef L2TPD_AUTH_LOCAL_H
#define L2TPD_AUTH_LOCAL_H

#include "auth_provider.h"
#include "policy.h"

/* `policy` points at the daemon's current policy (a reload replaces it:
 * the lookup reads it at each login). NULL when out of memory. */
struct auth_provider *auth_local_new(policy_t *const *policy, auth_reply_fn reply);

#endif
