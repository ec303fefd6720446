/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unauthenticated peers must never lock out authenticated users: the
 * half-open tunnel budget and lifetime, the pre-auth call budgets (in all
 * and per tunnel) and lifetime, and the answers RFC 2661 gives a refused
 * SCCRQ (StopCCN result 2, error 4) and ICRQ (CDN result 4, error 4),
 * section 4.4.2. See docs/l2tp.md "Unauthenticated peers".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static struct harness H;
static struct l2tp_msg M;

static int teardown(void **state)
{
	h_fini(&H);
	return 0;
}

static const struct l2tp_stats *stats(void)
{
	return l2tp_ctx_stats(H.ctx);
}

/* An SCCRQ and nothing more: a half-open tunnel (our SCCRP is acked, so
 * only the half-open lifetime can end it). */
static void half_open(struct h_peer *p, uint8_t host, uint16_t tid)
{
	h_peer_init(p, &H, host, tid);
	h_msg_windows_sccrq(&M, tid);
	p->ctx_tid = 0;
	h_peer_send(p, &M, 0);
}

static void ack(struct h_peer *p)
{
	l2tp_msg_init(&M, L2TP_MSG_ZLB);
	h_peer_send(p, &M, 0);
}

static void half_open_cfg(struct l2tp_config *c)
{
	c->max_tunnels = 1;
	c->max_half_open = 3;
	c->half_open_timeout_ms = 10000;
	c->tunnel_setup_timeout_ms = 60000;
}

static void full_half_open_budget_evicts_the_oldest_with_stopccn_2_4_and_reports_it(void **state)
{
	struct h_peer p[4];
	const struct h_pkt *s;
	const struct h_event *e;
	uint16_t oldest;

	h_init(&H, 1, half_open_cfg);
	for (int i = 0; i < 3; i++) {
		half_open(&p[i], (uint8_t)(10 + i), (uint16_t)(1 + i));
		H.now += 1;
	}
	oldest = p[0].ctx_tid;
	assert_int_equal(stats()->tunnels_half_open, 3);
	h_clear(&H);
	half_open(&p[3], 20, 7);
	/* the newcomer gets its SCCRP ... */
	s = h_find(&H, L2TP_MSG_SCCRP);
	assert_non_null(s);
	assert_int_equal(s->hdr.tunnel_id, 7);
	/* ... the oldest half-open tunnel a StopCCN 2/4 (4.4.2) and is gone */
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->hdr.tunnel_id, 1);
	assert_int_equal(s->hdr.nr, 1);
	assert_int_equal(s->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(s->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_int_equal(h_count(&H, L2TP_MSG_STOPCCN), 1);
	assert_int_equal(stats()->rejects[L2TP_R_HALF_OPEN_LIMIT], 1);
	assert_int_equal(stats()->tunnels_half_open, 3);
	assert_int_equal(stats()->tunnels_active, 3);
	assert_int_equal(stats()->tunnels_draining, 0);	/* freed at once */
	{
		struct l2tp_tunnel_info ti;

		assert_int_equal(l2tp_tunnel_get(H.ctx, oldest, &ti), -ENOENT);
		assert_int_equal(l2tp_tunnel_get(H.ctx, p[1].ctx_tid, &ti), 0);
	}
	e = h_find_event(&H, L2TP_EV_TUNNEL_REFUSED);
	assert_non_null(e);
	assert_int_equal(e->reason, L2TP_R_HALF_OPEN_LIMIT);
	assert_int_equal(e->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(e->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_int_equal(e->tunnel_id, 0);
	/* the next one evicts the next oldest: the second peer */
	h_clear(&H);
	half_open(&p[0], 21, 8);
	assert_int_equal(h_find(&H, L2TP_MSG_STOPCCN)->hdr.tunnel_id, 2);
	assert_int_equal(stats()->tunnels_half_open, 3);
}

static void half_open_tunnels_never_refuse_a_tunnel_that_completes(void **state)
{
	struct h_peer p[3], c, d;

	h_init(&H, 1, half_open_cfg);
	/* max_tunnels is 1; two half-open tunnels do not take that slot */
	for (int i = 0; i < 2; i++)
		half_open(&p[i], (uint8_t)(10 + i), 1);
	h_peer_init(&c, &H, 30, 9);
	h_peer_establish(&c);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_UP), 1);
	assert_int_equal(stats()->tunnels_half_open, 2);
	assert_int_equal(stats()->tunnels_active, 3);
	/* the established slot is taken now: the next SCCRQ is refused by
	 * the tunnel limit, not admitted as half-open */
	h_clear(&H);
	half_open(&d, 31, 4);
	assert_int_equal(stats()->rejects[L2TP_R_TUNNEL_LIMIT], 1);
	assert_int_equal(h_find_event(&H, L2TP_EV_TUNNEL_REFUSED)->reason, L2TP_R_TUNNEL_LIMIT);
	(void)p;
}

static void scccn_beyond_the_tunnel_limit_gets_stopccn_2_4(void **state)
{
	struct h_peer a, b;
	const struct h_pkt *s;

	h_init(&H, 1, half_open_cfg);
	half_open(&a, 10, 1);
	half_open(&b, 11, 1);
	l2tp_msg_init(&M, L2TP_MSG_SCCCN);
	h_peer_send(&a, &M, 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_UP), 1);
	h_clear(&H);
	l2tp_msg_init(&M, L2TP_MSG_SCCCN);
	h_peer_send(&b, &M, 0);
	assert_int_equal(h_count_events(&H, L2TP_EV_TUNNEL_UP), 0);
	s = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(s);
	assert_int_equal(s->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(s->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_int_equal(stats()->tunnels_half_open, 0);
	assert_int_equal(stats()->tunnels_active, 1);
}

static void half_open_tunnel_is_cleared_after_its_lifetime(void **state)
{
	struct h_peer a, b;
	uint64_t t0;

	h_init(&H, 1, half_open_cfg);
	t0 = H.now;
	half_open(&a, 10, 1);
	ack(&a);
	h_clear(&H);
	h_advance(&H, t0 + 9999);
	assert_int_equal(stats()->tunnels_half_open, 1);
	assert_null(h_find(&H, L2TP_MSG_STOPCCN));
	h_advance(&H, t0 + 10000);
	/* StopCCN "general request to clear" (4.4.2 result 1), then it drains */
	assert_non_null(h_find(&H, L2TP_MSG_STOPCCN));
	assert_int_equal(h_find(&H, L2TP_MSG_STOPCCN)->result, L2TP_STOPCCN_CLEAR);
	assert_int_equal(stats()->tunnels_half_open, 0);
	assert_int_equal(stats()->tunnels_active, 0);
	/* its place in the budget is free again */
	h_clear(&H);
	half_open(&b, 11, 1);
	assert_non_null(h_find(&H, L2TP_MSG_SCCRP));
	assert_int_equal(stats()->tunnels_half_open, 1);
}

static void preauth_per_tunnel_cfg(struct l2tp_config *c)
{
	c->max_preauth_per_tunnel = 2;
}

static void tunnel_preauth_limit_answers_cdn_4_and_frees_on_authentication(void **state)
{
	struct h_peer a, b;
	uint16_t s1;
	const struct h_pkt *c;
	const struct h_event *e;
	struct l2tp_session_info si;

	h_init(&H, 1, preauth_per_tunnel_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_init(&b, &H, 8, 1);
	h_peer_establish(&a);
	h_peer_establish(&b);
	s1 = h_peer_call(&a, 1);
	assert_int_not_equal(s1, 0);
	assert_int_not_equal(h_peer_call(&a, 2), 0);
	assert_int_equal(stats()->sessions_preauth, 2);
	h_clear(&H);
	assert_int_equal(h_peer_call(&a, 3), 0);
	c = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(c);
	assert_int_equal(c->hdr.session_id, 3);
	assert_int_equal(c->result, L2TP_CDN_TEMP_NO_FACILITIES);
	assert_int_equal(c->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	e = h_find_event(&H, L2TP_EV_SESSION_REFUSED);
	assert_non_null(e);
	assert_int_equal(e->reason, L2TP_R_TUNNEL_PREAUTH_LIMIT);
	assert_int_equal(stats()->rejects[L2TP_R_TUNNEL_PREAUTH_LIMIT], 1);
	/* another tunnel is not affected */
	assert_int_not_equal(h_peer_call(&b, 1), 0);
	/* the first call's user logs in: a pre-auth place is free again */
	assert_int_equal(l2tp_session_get(H.ctx, a.ctx_tid, s1, &si), 0);
	assert_false(si.authenticated);
	assert_int_equal(l2tp_session_authenticated(H.ctx, a.ctx_tid, s1), 0);
	assert_int_equal(l2tp_session_get(H.ctx, a.ctx_tid, s1, &si), 0);
	assert_true(si.authenticated);
	assert_int_equal(stats()->sessions_preauth, 2);
	assert_int_not_equal(h_peer_call(&a, 4), 0);
	assert_int_equal(l2tp_session_authenticated(H.ctx, a.ctx_tid, 999), -ENOENT);
}

static void preauth_total_cfg(struct l2tp_config *c)
{
	c->max_sessions = 8;
	c->max_preauth_sessions = 4;
	c->max_preauth_per_tunnel = 8;
}

static void preauth_budget_keeps_ports_for_authenticated_users(void **state)
{
	struct h_peer a, b;
	uint16_t sid[4];

	h_init(&H, 1, preauth_total_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_init(&b, &H, 8, 1);
	h_peer_establish(&a);
	h_peer_establish(&b);
	for (int i = 0; i < 4; i++) {
		sid[i] = h_peer_call(&a, (uint16_t)(1 + i));
		assert_int_not_equal(sid[i], 0);
	}
	/* half the ports are held by calls nobody logged in on: refused */
	h_clear(&H);
	assert_int_equal(h_peer_call(&b, 1), 0);
	assert_int_equal(h_find(&H, L2TP_MSG_CDN)->result, L2TP_CDN_TEMP_NO_FACILITIES);
	assert_int_equal(h_find_event(&H, L2TP_EV_SESSION_REFUSED)->reason,
			 L2TP_R_PREAUTH_LIMIT);
	assert_int_equal(stats()->rejects[L2TP_R_PREAUTH_LIMIT], 1);
	assert_int_equal(stats()->sessions_active, 4);
	/* once they authenticate, the other ports are open to new calls */
	for (int i = 0; i < 4; i++)
		assert_int_equal(l2tp_session_authenticated(H.ctx, a.ctx_tid, sid[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_not_equal(h_peer_call(&b, (uint16_t)(10 + i)), 0);
	assert_int_equal(stats()->sessions_active, 8);
	assert_int_equal(stats()->sessions_preauth, 4);
}

static void ports_40_cfg(struct l2tp_config *c)
{
	c->max_sessions = 40;
	c->max_preauth_per_tunnel = 100;
}

static void ports_4_cfg(struct l2tp_config *c)
{
	c->max_sessions = 4;
}

static void default_preauth_budget_is_half_the_ports_or_all_on_a_small_server(void **state)
{
	struct h_peer a;

	/* 40 ports: 20 may be pre-auth */
	h_init(&H, 1, ports_40_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	for (int i = 0; i < 20; i++)
		assert_int_not_equal(h_peer_call(&a, (uint16_t)(1 + i)), 0);
	assert_int_equal(h_peer_call(&a, 21), 0);
	assert_int_equal(stats()->rejects[L2TP_R_PREAUTH_LIMIT], 1);
	h_fini(&H);
	/* 4 ports (fewer than 16): all of them; the port limit answers */
	h_init(&H, 1, ports_4_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	for (int i = 0; i < 4; i++)
		assert_int_not_equal(h_peer_call(&a, (uint16_t)(1 + i)), 0);
	assert_int_equal(h_peer_call(&a, 5), 0);
	assert_int_equal(stats()->rejects[L2TP_R_SESSION_LIMIT], 1);
	assert_int_equal(stats()->rejects[L2TP_R_PREAUTH_LIMIT], 0);
}

static void preauth_timeout_cfg(struct l2tp_config *c)
{
	c->preauth_timeout_ms = 5000;
	c->session_setup_timeout_ms = 30000;
	c->hello_interval_ms = 0;
}

static void call_not_authenticated_in_time_is_cleared_with_cdn_3(void **state)
{
	struct h_peer a;
	uint16_t s1, s2;
	uint64_t t0;
	const struct h_event *e;
	const struct h_pkt *c;

	h_init(&H, 1, preauth_timeout_cfg);
	h_peer_init(&a, &H, 7, 1);
	h_peer_establish(&a);
	t0 = H.now;
	s1 = h_peer_call(&a, 1);
	s2 = h_peer_call(&a, 2);
	assert_int_not_equal(s1, 0);
	assert_int_not_equal(s2, 0);
	ack(&a);
	assert_int_equal(l2tp_session_authenticated(H.ctx, a.ctx_tid, s2), 0);
	h_clear(&H);
	h_advance(&H, t0 + 4999);
	assert_null(h_find(&H, L2TP_MSG_CDN));
	h_advance(&H, t0 + 5000);
	c = h_find(&H, L2TP_MSG_CDN);
	assert_non_null(c);
	assert_int_equal(c->hdr.session_id, 1);
	assert_int_equal(c->result, L2TP_CDN_ADMIN);
	assert_int_equal(h_count(&H, L2TP_MSG_CDN), 1);	/* the authenticated call stays */
	e = h_find_event(&H, L2TP_EV_SESSION_DOWN);
	assert_non_null(e);
	assert_int_equal(e->session_id, s1);
	assert_int_equal(e->cause, L2TP_DOWN_PREAUTH_TIMEOUT);
	assert_int_equal(stats()->preauth_timeouts, 1);
	assert_int_equal(stats()->sessions_preauth, 0);
	assert_int_equal(stats()->sessions_active, 1);
	ack(&a);
	h_advance(&H, t0 + 120000);
	assert_int_equal(h_count_events(&H, L2TP_EV_SESSION_DOWN), 1);
	assert_int_equal(stats()->sessions_active, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(full_half_open_budget_evicts_the_oldest_with_stopccn_2_4_and_reports_it),
		T(half_open_tunnels_never_refuse_a_tunnel_that_completes),
		T(scccn_beyond_the_tunnel_limit_gets_stopccn_2_4),
		T(half_open_tunnel_is_cleared_after_its_lifetime),
		T(tunnel_preauth_limit_answers_cdn_4_and_frees_on_authentication),
		T(preauth_budget_keeps_ports_for_authenticated_users),
		T(call_not_authenticated_in_time_is_cleared_with_cdn_3),
		T(default_preauth_budget_is_half_the_ports_or_all_on_a_small_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
