/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared helpers of the policy unit tests. */
#ifndef TEST_POLICY_HELPERS_H
#define TEST_POLICY_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "policy.h"
#include "ppp/mschap.h"
#include "ppp/ppp.h"
#include "ppp/secret.h"

/* A PAP password against a user's stored secret, the way the daemon's
 * local authentication provider does it: policy hands the secret out,
 * ppp-core checks (docs/auth.md). */
static inline bool user_pap_ok(const struct policy_user *u, const char *pw, size_t len)
{
	struct ppp_secret s;

	policy_user_secret(u, &s);
	return ppp_secret_check_password(&s, pw, len);
}

/* Load text that must be valid. */
static inline policy_t *load_ok(const char *text)
{
	struct policy_error err;
	policy_t *p = NULL;

	if (policy_load_buffer("t.conf", text, strlen(text), NULL, &p, &err) != 0) {
		print_error("unexpected load error: %s\n", err.msg);
		fail();
	}
	return p;
}

/* Load text that must fail with exactly this message and code. */
static inline void load_fails(const char *text, enum policy_errcode code,
			      const char *msg)
{
	struct policy_error err;
	policy_t *p = NULL;
	int rc = policy_load_buffer("t.conf", text, strlen(text), NULL, &p, &err);

	assert_int_equal(rc, -1);
	assert_null(p);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.code, code);
}

static inline struct policy_ip ip_of(const char *s)
{
	struct policy_ip ip;

	assert_true(policy_ip_parse(s, &ip));
	return ip;
}

/* "2026-11-25T10:00Z" etc. as time_t (UTC). */
static inline time_t utc(const char *s)
{
	time_t t;

	assert_true(policy_parse_time(NULL, s, &t));
	return t;
}

#endif
