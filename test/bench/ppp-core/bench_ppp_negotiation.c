/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figures only (never pass/fail): sizeof(struct ppp_session) and the time
 * for N complete in-memory server<->client negotiations with MS-CHAPv2
 * (verified locally from an NT-hash) and IPCP.
 * Usage: bench_ppp_negotiation [N]   (default 2000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ppp/mschap.h"
#include "ppp/ppp.h"

struct ep {
	struct ppp_session s;
	struct ppp_config cfg;
	struct ppp_client_credentials cred;
	struct ppp_profile profile;
	uint64_t rng;
	uint8_t q[32][PPP_MAX_FRAME + 8];
	size_t ql[32], nq;
	uint8_t nt_hash[16];
	int ncp_up;
};

static void ep_send(void *ctx, const uint8_t *f, size_t n)
{
	struct ep *e = ctx;

	if (e->nq < 32) {
		memcpy(e->q[e->nq], f, n);
		e->ql[e->nq++] = n;
	}
}

static int ep_random(void *ctx, uint8_t *b, size_t n)
{
	struct ep *e = ctx;

	for (size_t i = 0; i < n; i++) {
		e->rng ^= e->rng << 13;
		e->rng ^= e->rng >> 7;
		e->rng ^= e->rng << 17;
		b[i] = (uint8_t)(e->rng >> 24);
	}
	return 0;
}

static void ep_timer(void *ctx, uint64_t d)
{
	(void)ctx;
	(void)d;
}

static void ep_event(void *ctx, const struct ppp_event *ev)
{
	struct ep *e = ctx;

	if (ev->type == PPP_EVENT_AUTH_REQUEST) {
		struct ppp_auth_answer a;

		memset(&a, 0, sizeof(a));
		a.kind = PPP_ANSWER_LOCAL;
		a.nt_hash = e->nt_hash;
		a.profile = &e->profile;
		ppp_auth_answer(&e->s, e->s.now, &a);
	} else if (ev->type == PPP_EVENT_NCP_UP) {
		e->ncp_up++;
	}
}

static void ep_init(struct ep *e, enum ppp_role role, uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	ppp_config_defaults(&e->cfg);
	e->cfg.cb.send = ep_send;
	e->cfg.cb.event = ep_event;
	e->cfg.cb.set_timer = ep_timer;
	e->cfg.cb.random = ep_random;
	e->cred.user = "alice";
	e->cred.password = "correct horse";
	e->cfg.client = &e->cred;
	e->rng = seed | 1;
	e->profile.local_addr = 0xC0000201;
	e->profile.peer_addr = 0xC000020A;
	e->profile.dns[0] = 0xC6336401;
	e->profile.ipcp = true;
	ppp_nt_password_hash("correct horse", 13, e->nt_hash);
	ppp_session_init(&e->s, &e->cfg, role, e);
}

static void deliver(struct ep *from, struct ep *to)
{
	size_t n = from->nq;
	static uint8_t q[32][PPP_MAX_FRAME + 8];
	size_t ql[32];

	memcpy(q, from->q, sizeof(q[0]) * n);
	memcpy(ql, from->ql, sizeof(ql[0]) * n);
	from->nq = 0;
	for (size_t i = 0; i < n; i++)
		ppp_input(&to->s, 1000, q[i], ql[i], NULL);
}

int main(int argc, char **argv)
{
	static const enum ppp_auth_method m[] = { PPP_AUTH_MSCHAPV2 };
	long n = argc > 1 ? atol(argv[1]) : 2000;
	static struct ep srv, cli;
	struct timespec t0, t1;
	long ok = 0;
	double secs;

	printf("sizeof(struct ppp_session): %zu bytes (budget %d)\n",
	       sizeof(struct ppp_session), PPP_SESSION_BUDGET);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		ep_init(&srv, PPP_SERVER, (uint64_t)i * 2 + 1);
		ep_init(&cli, PPP_CLIENT, (uint64_t)i * 2 + 2);
		ppp_set_auth_methods(&srv.s, m, 1);
		ppp_start(&srv.s, 1000);
		ppp_start(&cli.s, 1000);
		for (int r = 0; r < 20 && (srv.nq || cli.nq); r++) {
			deliver(&srv, &cli);
			deliver(&cli, &srv);
		}
		ok += srv.ncp_up == 1 && cli.ncp_up == 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("negotiations (LCP + MS-CHAPv2 + IPCP, both ends): %ld, completed: %ld\n",
	       n, ok);
	printf("total %.3f s, %.1f us per negotiation, %.0f per second\n",
	       secs, secs * 1e6 / (double)(n ? n : 1), (double)n / secs);
	return 0;
}
