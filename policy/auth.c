/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Password material of local users, handed out as stored (no crypto in
 * policy/: ppp-core verifies, docs/auth.md). */
#include "policy_int.h"

#include <string.h>

const char *policy_user_name(const struct policy_user *u)
{
	return u->name;
}

void policy_user_secret(const struct policy_user *u, struct ppp_secret *out)
{
	memset(out, 0, sizeof(*out));
	if (u->has_nt_hash)
		out->nt_hash = u->nt_hash;
	if (u->password) {
		out->cleartext = u->password;
		out->cleartext_len = u->password_len;
	}
	if (u->has_pbkdf2)
		out->kdf = &u->kdf;
}
