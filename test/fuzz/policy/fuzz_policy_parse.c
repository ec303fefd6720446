/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the policy file parser and builder on arbitrary text
 * (includes disabled), then, if it loads, both evaluation steps with an
 * explanation and both renderings of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_load_opts opts = { .no_include = true, .max_pool_slots = 4096 };
	struct policy_error err;
	policy_t *p = NULL;

	if (size > 256 * 1024)
		return 0;
	if (policy_load_buffer("fuzz.conf", data, size, &opts, &p, &err) != 0) {
		/* every error names its position and has a class */
		if (err.code <= POLICY_OK || err.code >= POLICY_ERR__COUNT || !err.msg[0])
			__builtin_trap();
		return 0;
	}

	static const char *const users[] = { "alice", "u", "a", "root" };
	static const char *const groups[] = { "staff", "g" };
	struct policy_request req = {
		.tunnel = POLICY_TUNNEL_L2TP,
		.now = 1795600800,	/* 2026-11-25 */
		.ike_identity = "laptop.example.com",
		.cert_subject = "CN=a, O=Example",
		.cert_issuer = "CN=Example CA",
		.groups = groups,
		.n_groups = 2,
		.auth_method = POLICY_AUTH_MSCHAPV2,
	};
	struct policy_explain x;
	struct policy_decision d;
	uint32_t offer;
	char *t;

	policy_ip_parse("192.0.2.5", &req.peer);
	policy_ip_parse("198.51.100.1", &req.server);
	policy_explain_init(&x);
	offer = policy_pre_auth(p, &req, &x);
	policy_explain_free(&x);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		req.user = users[i];
		policy_explain_init(&x);
		policy_post_auth(p, &req, POLICY_LEASE, &d, &x);
		t = policy_format_text(p, offer, &d, &x);
		free(t);
		t = policy_format_json(p, offer, &d, &x);
		free(t);
		policy_decision_release(p, &d);
		policy_explain_free(&x);
	}
	policy_free(p);
	return 0;
}
