/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Benchmark: generate a policy file with 10,000 users (in 100 groups) and
 * 200 policies (groups, time windows, address prefixes, a few patterns),
 * then report the load time and the time of one login evaluation (pre-auth
 * plus post-auth, no explanation) on one core. Figures only: it never fails
 * on timing. Targets from the issue: load < 0.5 s, evaluation < 20 us.
 *
 * Usage: bench_policy [USERS [POLICIES [EVALUATIONS]]]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long rng = 88172645463325252ull;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

#define GROUPS 100

static void generate(FILE *f, unsigned users, unsigned policies)
{
	static const char *const windows[] = {
		"Mon-Fri 06:00-22:00", "Mon-Sun 00:00-24:00", "Mon-Fri 22:00-06:00",
		"Sat-Sun 08:00-20:00", "Mon-Fri 08:00-18:00, Sat 09:00-12:00",
	};

	fprintf(f, "server {\n  timezone = Europe/Berlin\n  auth_methods = mschapv2, eap\n}\n");
	fprintf(f, "groups {\n");
	for (unsigned g = 0; g < GROUPS; g++)
		fprintf(f, "  g%u { description = \"group %u\" }\n", g, g);
	fprintf(f, "}\npools {\n");
	for (unsigned p = 0; p < 8; p++)
		fprintf(f, "  pool%u {\n    ipv4 = 10.%u.0.0/16\n    ipv6 = 2001:db8:%x::/48\n  }\n",
			p, p, p);
	fprintf(f, "}\nusers {\n");
	for (unsigned u = 0; u < users; u++) {
		fprintf(f, "  user%05u {\n    nt_hash = %08x%08x%08x%08x\n    dial_in = policy\n"
			"    groups = g%u, g%u, g%u\n", u, rnd(~0u), rnd(~0u), rnd(~0u),
			rnd(~0u), rnd(GROUPS), rnd(GROUPS), rnd(GROUPS));
		if (u % 50 == 0)
			fprintf(f, "    static_ipv4 = 10.%u.255.%u\n", u % 8, (u / 50) % 250 + 1);
		fprintf(f, "  }\n");
	}
	fprintf(f, "}\npolicies {\n");
	for (unsigned p = 0; p < policies; p++) {
		fprintf(f, "  p%03u {\n    conditions {\n", p);
		fprintf(f, "      group = g%u, g%u\n", rnd(GROUPS), rnd(GROUPS));
		if (p % 3 == 0)
			fprintf(f, "      time = %s\n", windows[rnd(5)]);
		if (p % 4 == 1)
			fprintf(f, "      calling_station = 198.51.%u.0/24, 203.0.113.0/24\n",
				rnd(256));
		if (p % 10 == 7)
			fprintf(f, "      user = ~\"^user0%u\"\n", rnd(10));
		if (p % 20 == 9)
			fprintf(f, "      ike_identity = ~\"\\\\.example\\\\.com$\"\n");
		fprintf(f, "      tunnel_type = l2tp\n    }\n");
		fprintf(f, "    permission = %s\n", p % 7 == 3 ? "deny" : "grant");
		fprintf(f, "    profile {\n      pool = pool%u\n      dns = 10.0.0.1, 10.0.0.2\n"
			"      idle_timeout = 30m\n      max_sessions = 3\n    }\n  }\n", p % 8);
	}
	fprintf(f, "  catch-all { permission = deny }\n}\n");
}

int main(int argc, char **argv)
{
	unsigned users = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
	unsigned policies = argc > 2 ? (unsigned)atoi(argv[2]) : 200;
	unsigned evals = argc > 3 ? (unsigned)atoi(argv[3]) : 200000;
	char path[] = "/tmp/bench-policy-XXXXXX";
	struct policy_error err;
	policy_t *p = NULL;
	double t0, t1, best = 1e9;
	int fd;
	FILE *f;
	long size;

	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		perror("bench_policy: temp file");
		return 1;
	}
	generate(f, users, policies);
	size = ftell(f);
	fclose(f);

	/* load: best of 5, each into a fresh object as a reload would */
	for (int i = 0; i < 5; i++) {
		policy_t *q = NULL;
		t0 = now_s();
		if (policy_load(path, &q, &err) != 0) {
			fprintf(stderr, "bench_policy: %s\n", err.msg);
			unlink(path);
			return 1;
		}
		t1 = now_s();
		if (t1 - t0 < best)
			best = t1 - t0;
		if (p)
			policy_free(p);
		p = q;
	}
	unlink(path);
	printf("policy load: %u users, %u policies, %ld bytes: %.1f ms (best of 5; target < 500 ms)\n",
	       users, policies, size, best * 1e3);

	/* evaluation: pre-auth + post-auth, dry run (no lease) */
	static const char *const peers[] = { "198.51.100.7", "203.0.113.9", "192.0.2.1" };
	char name[32];
	struct policy_request req = { .tunnel = POLICY_TUNNEL_L2TP,
				      .auth_method = POLICY_AUTH_MSCHAPV2,
				      .ike_identity = "laptop.example.com" };
	struct policy_decision d;
	unsigned granted = 0;
	time_t base = 1795600800;	/* 2026-11-25, a Wednesday */

	policy_ip_parse("198.51.100.1", &req.server);
	double pre = 0, post = 0;
	for (unsigned i = 0; i < evals; i++) {
		snprintf(name, sizeof(name), "user%05u", rnd(users));
		req.user = name;
		policy_ip_parse(peers[i % 3], &req.peer);
		req.now = base + (time_t)rnd(7 * 86400);
		t0 = now_s();
		uint32_t offer = policy_pre_auth(p, &req, NULL);
		t1 = now_s();
		pre += t1 - t0;
		if (!offer)
			continue;
		if (policy_post_auth(p, &req, 0, &d, NULL) == POLICY_GRANTED)
			granted++;
		post += now_s() - t1;
	}
	printf("policy evaluation: pre-auth %.2f us + post-auth %.2f us = %.2f us per login "
	       "(dry run, %u logins, %u granted; target < 20 us)\n",
	       pre * 1e6 / evals, post * 1e6 / evals, (pre + post) * 1e6 / evals,
	       evals, granted);

	/* with leases: lease and release each time */
	t0 = now_s();
	for (unsigned i = 0; i < evals; i++) {
		snprintf(name, sizeof(name), "user%05u", rnd(users));
		req.user = name;
		req.now = base + (time_t)rnd(7 * 86400);
		if (policy_post_auth(p, &req, POLICY_LEASE, &d, NULL) == POLICY_GRANTED)
			policy_decision_release(p, &d);
	}
	t1 = now_s();
	printf("policy evaluation with lease + release: %.2f us per login\n",
	       (t1 - t0) * 1e6 / evals);

	/* with an explanation, as l2tpctl policy test does */
	struct policy_explain x;
	unsigned n = evals / 20 ? evals / 20 : 1;
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "user%05u", rnd(users));
		req.user = name;
		policy_explain_init(&x);
		policy_post_auth(p, &req, 0, &d, &x);
		policy_explain_free(&x);
	}
	t1 = now_s();
	printf("policy evaluation with explanation: %.2f us per login\n",
	       (t1 - t0) * 1e6 / n);
	policy_free(p);
	return 0;
}
