/* SPDX-License-Identifier: GPL-2.0-or-later */
/* l2tpctl policy: offline checks of a policy file (no daemon needed). */
#ifndef L2TPCTL_POLICY_CMD_H
#define L2TPCTL_POLICY_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define L2TPCTL_MAX_GROUPS 32

/* A hypothetical login: `key=value` arguments of `policy test`. */
struct l2tpctl_query {
	struct policy_request req;
	const char *groups[L2TPCTL_MAX_GROUPS];
	bool has_time;
	bool leased_from_daemon;	/* --leased daemon */
};

/*
 * --leased POOL=N: mark N more IPv4 addresses of a static pool as leased
 * in p (a dry run then shows what a login would get with that many
 * sessions up, exhaustion included). Refused for an unknown or DHCP pool
 * and beyond the free addresses. Returns 0, or -1 with a message in err.
 */
int l2tpctl_policy_set_leased(policy_t *p, const char *name, uint64_t n, char *err,
			      size_t errlen);

/*
 * Parse key=value arguments (user, group (repeatable), peer, server,
 * ike_identity, cert_subject, cert_issuer, tunnel, auth, time, sessions)
 * and the options --time T and --leased POOL=N|daemon into q; --leased
 * POOL=N leases in p at once (l2tpctl_policy_set_leased). Strings point into argv. `time` is local time in the policy's
 * zone (YYYY-MM-DDTHH:MM[:SS], or with a Z for UTC); without it, now.
 * Returns 0, or -1 with a message in err.
 */
int l2tpctl_policy_parse_query(policy_t *p, int argc, char **argv,
			       struct l2tpctl_query *q, char *err, size_t errlen);

/*
 * Evaluate q (pre-auth always; post-auth when a user is given; never
 * leases) and render the result as text or JSON. *status gets the exit
 * status (0 granted / methods to offer, 3 denied). malloc'd string.
 */
char *l2tpctl_policy_report(policy_t *p, const struct l2tpctl_query *q,
			    bool json, int *status);

/* "nt_hash = ...\npassword_hash = ...\n" for a password; malloc'd. */
char *l2tpctl_policy_hash_lines(const char *pw, size_t len, unsigned iterations);

#endif
