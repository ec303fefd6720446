/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tunnel authenticator (RFC 2661 section 5.1.1, Challenge and
 * Challenge Response AVPs of 4.4.3): the response is checked in constant
 * time, and a random source that fails refuses the tunnel instead of
 * sending a zero or otherwise predictable challenge.
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

static void secret_cfg(struct l2tp_config *c)
{
	c->secret = (const uint8_t *)"s3cret";
	c->secret_len = 6;
}

static int setup(void **state)
{
	h_init(&H, 1, secret_cfg);
	return 0;
}

static int teardown(void **state)
{
	h_fini(&H);
	return 0;
}

static size_t count_challenges(void)
{
	size_t n = 0;

	for (size_t i = 0; i < H.npkts; i++)
		n += H.pkts[i].has_challenge;
	return n;
}

static void response_check_accepts_only_the_exact_response(void **state)
{
	struct l2tp_secret s = { (const uint8_t *)"s3cret", 6 };
	uint8_t ch[16] = "0123456789abcdef", resp[16];

	l2tp_challenge_response(L2TP_MSG_SCCCN, &s, ch, 16, resp);
	assert_true(l2tp_challenge_response_ok(L2TP_MSG_SCCCN, &s, ch, 16, resp));
	/* wrong message type (the SCCRP's response replayed in the SCCCN) */
	assert_false(l2tp_challenge_response_ok(L2TP_MSG_SCCRP, &s, ch, 16, resp));
	/* any single bit wrong, in any octet, first or last */
	for (int i = 0; i < 16; i++) {
		for (int bit = 0; bit < 8; bit++) {
			resp[i] ^= (uint8_t)(1u << bit);
			assert_false(l2tp_challenge_response_ok(L2TP_MSG_SCCCN, &s, ch, 16, resp));
			resp[i] ^= (uint8_t)(1u << bit);
		}
	}
}

static void no_randomness_for_the_challenge_refuses_the_tunnel(void **state)
{
	struct h_peer p;
	const struct h_pkt *stop;

	/* the tunnel id is drawn, the challenge is not */
	H.random_limited = true;
	H.random_left = 1;
	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	assert_true(H.random_failures > 0);
	assert_null(h_find(&H, L2TP_MSG_SCCRP));
	assert_int_equal(count_challenges(), 0);
	stop = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(stop);
	assert_int_equal(stop->result, L2TP_STOPCCN_GENERAL_ERROR);
	assert_int_equal(stop->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_true(l2tp_ctx_stats(H.ctx)->rejects[L2TP_R_NO_RANDOM] >= 1);
	assert_null(h_find_event(&H, L2TP_EV_TUNNEL_UP));
}

static void a_dead_random_source_refuses_every_tunnel_without_spinning(void **state)
{
	struct h_peer p;
	const struct h_pkt *stop;

	H.random_limited = true;
	H.random_left = 0;
	h_peer_init(&p, &H, 7, 1);
	h_msg_windows_sccrq(&M, 1);
	h_peer_send(&p, &M, 0);
	/* one failed draw, not a loop of them */
	assert_int_equal(H.random_failures, 1);
	assert_null(h_find(&H, L2TP_MSG_SCCRP));
	stop = h_find(&H, L2TP_MSG_STOPCCN);
	assert_non_null(stop);
	assert_int_equal(stop->error, L2TP_ERR_INSUFFICIENT_RESOURCES);
	assert_true(l2tp_ctx_stats(H.ctx)->rejects[L2TP_R_NO_RANDOM] >= 1);
	assert_int_equal(l2tp_ctx_stats(H.ctx)->tunnels_active, 0);
}

static void lac_open_fails_without_randomness(void **state)
{
	struct l2tp_addr peer;
	uint16_t tid = 0;

	h_addr(&peer, 9, 1701, 0);
	/* the tunnel id and the tie breaker, not the challenge */
	H.random_limited = true;
	H.random_left = 2;
	assert_int_equal(l2tp_tunnel_open(H.ctx, &peer, &h_local, H.now, &tid), -EIO);
	assert_int_equal(H.npkts, 0);
	assert_int_equal(l2tp_ctx_stats(H.ctx)->tunnels_active, 0);
	/* with randomness back, the same call works */
	H.random_limited = false;
	assert_int_equal(l2tp_tunnel_open(H.ctx, &peer, &h_local, H.now, &tid), 0);
	assert_non_null(h_find(&H, L2TP_MSG_SCCRQ));
	assert_int_equal(count_challenges(), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(response_check_accepts_only_the_exact_response),
		T(no_randomness_for_the_challenge_refuses_the_tunnel),
		T(a_dead_random_source_refuses_every_tunnel_without_spinning),
		T(lac_open_fails_without_randomness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
